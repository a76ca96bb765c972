/* Expired invitations: marked and announced when their timer fires. */
#include "invitation_expiry.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "ids.h"
#include "invitation.h"

struct expire_job {
	const char *tenant, *id;
};

static int expire_job(vocd_txn *txn, void *arg)
{
	struct expire_job *j = arg;
	cJSON *inv = NULL;
	int rc = vocd_record_get(txn, j->tenant, VOCD_INVITATION_TYPE, j->id, &inv);
	if (rc == VOCD_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	const char *state = vocd_json_str(inv, "state");
	if (!vocd_invitation_lapsed(inv, vocd_now_ms()) || strcmp(state, "expired") == 0) {
		cJSON_Delete(inv);
		return 0;
	}
	vocd_json_set_str(inv, "state", "expired");
	struct vocd_actor who = {{VOCD_AUDIT_ACTOR_SYSTEM, "expiry", NULL}, {NULL, NULL, NULL, NULL}};
	char *text = NULL;
	rc = vocd_invitation_put(txn, j->tenant, inv, "invitation.expire", &who, &text);
	if (rc == 0)
		rc = vocd_bus_publish(txn, j->tenant, "invitation.expired", text, strlen(text));
	free(text);
	cJSON_Delete(inv);
	return rc;
}

int vocd_invitation_expiry_on_due(const struct vocd_event *ev, struct vocd_server *srv)
{
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len);
	const char *id = vocd_json_str(data, "id");
	int rc = 0;
	if (id) {
		struct expire_job j = {ev->tenant, id};
		rc = vocd_store_write(srv->store, expire_job, &j);
	}
	cJSON_Delete(data);
	return rc;
}

/* Reminders, acting on the durable timers that invitation.c sets. */
#include "reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ids.h"
#include "invitation.h"
#include "json_text.h"
#include "log.h"

struct remind_job {
	const char *tenant, *id, *channel, *url;
	int sent; /* out: 0 when the invitation no longer needs it */
};

static int remind_job(vocd_txn *txn, void *arg)
{
	struct remind_job *j = arg;
	j->sent = 0;
	cJSON *inv = NULL;
	int rc = vocd_record_get(txn, j->tenant, VOCD_INVITATION_TYPE, j->id, &inv);
	if (rc == VOCD_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	double expires = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at"));
	const char *state = vocd_json_str(inv, "state");
	if ((state && strcmp(state, "answered") == 0) || expires <= (double)vocd_now_ms()) {
		cJSON_Delete(inv);
		return 0;
	}
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "id", j->id);
	cJSON_AddStringToObject(ev, "customer", vocd_json_str(inv, "customer"));
	cJSON_AddStringToObject(ev, "channel", j->channel ? j->channel : vocd_json_str(inv, "channel"));
	cJSON_AddStringToObject(ev, "lang", vocd_json_str(inv, "lang"));
	cJSON_AddStringToObject(ev, "url", j->url);
	cJSON_AddNumberToObject(ev, "expires_at", expires);
	cJSON_AddBoolToObject(ev, "reminder", 1);
	char *text = vocd_json_print(ev, NULL);
	cJSON_Delete(ev);
	cJSON_Delete(inv);
	if (!text)
		return VOCD_ENOMEM;
	struct vocd_audit_entry e = {{VOCD_AUDIT_ACTOR_SYSTEM, "reminders", NULL}, {NULL, j->channel, NULL, NULL}, 0,
	                             "invitation.remind", VOCD_INVITATION_TYPE, j->id, text, strlen(text)};
	rc = vocd_audit_append(txn, j->tenant, &e, NULL);
	if (rc == 0)
		rc = vocd_bus_publish(txn, j->tenant, "invitation.remind", text, strlen(text));
	free(text);
	j->sent = rc == 0;
	return rc;
}

static int on_due(const struct vocd_event *ev, void *ud)
{
	struct vocd_server *srv = ud;
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len);
	const char *id = vocd_json_str(data, "id");
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(srv), ev->tenant);
	cJSON *inv = NULL;
	int rc = 0;
	if (!id || !t || vocd_invitation_get(srv->store, ev->tenant, id, &inv) != 0)
		goto out; /* nothing left to remind of */
	unsigned char key[32];
	char url[512];
	rc = vocd_pii_derive_key(srv->pii, "invitation", ev->tenant, key);
	if (rc == 0)
		rc = vocd_invitation_url(t, srv->listen_url, key, id,
		                         (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at")), url,
		                         sizeof url);
	memset(key, 0, sizeof key);
	if (rc == 0) {
		struct remind_job j = {ev->tenant, id, t->invitations.remind_channel, url, 0};
		rc = vocd_store_write(srv->store, remind_job, &j);
		if (rc == 0 && j.sent)
			vocd_info("reminder for invitation %s of tenant %s", id, ev->tenant);
	}
out:
	cJSON_Delete(inv);
	cJSON_Delete(data);
	return rc; /* non-zero: the bus retries */
}

int vocd_reminders_start(struct vocd_server *srv)
{
	return vocd_bus_subscribe(srv->bus, "core:reminders", VOCD_REMINDER_DUE, on_due, srv);
}

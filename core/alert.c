/* Alerts raised by workflow rules, and their acknowledgement. */
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ids.h"

static int put_alert(vocd_txn *txn, const char *tenant, cJSON *a, const char *action, const struct vocd_actor *who)
{
	return vocd_record_put(txn, tenant, VOCD_ALERT_TYPE, vocd_json_str(a, "id"), a, NULL, 0, action, who, NULL);
}

int vocd_alert_raise_in(vocd_txn *txn, struct vocd_alert_new *n)
{
	int rc = vocd_seq_id(txn, n->tenant, VOCD_ALERT_TYPE, n->id);
	if (rc != 0)
		return rc;
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "id", n->id);
	cJSON_AddStringToObject(a, "rule", n->rule);
	cJSON_AddStringToObject(a, "rule_name", n->title);
	cJSON_AddStringToObject(a, "topic", n->topic);
	cJSON_AddNumberToObject(a, "event", (double)n->event_id);
	/* What it is about, by reference: the records stay where they are. */
	cJSON *about = cJSON_AddObjectToObject(a, "about");
	for (const cJSON *c = n->facts ? n->facts->child : NULL; c; c = c->next) {
		const char *id = vocd_json_str(c, "id");
		if (strcmp(c->string, "context") == 0)
			cJSON_AddItemToObject(a, "context", cJSON_Duplicate(c, 1));
		else if (id)
			cJSON_AddStringToObject(about, c->string, id);
	}
	if (n->ticket)
		cJSON_AddStringToObject(about, "ticket", n->ticket);
	cJSON_AddItemToObject(a, "evidence", n->reasons ? cJSON_Duplicate(n->reasons, 1) : cJSON_CreateArray());
	cJSON_AddArrayToObject(a, "told");
	cJSON_AddNumberToObject(a, "created_at", (double)vocd_now_ms());
	rc = put_alert(txn, n->tenant, a, "alert.raise", n->who);
	cJSON_Delete(a);
	return rc;
}

int vocd_alert_told_in(vocd_txn *txn, const char *tenant, const char *id, const cJSON *told, const struct vocd_actor *who)
{
	cJSON *a = NULL;
	int rc = vocd_record_get(txn, tenant, VOCD_ALERT_TYPE, id, &a);
	if (rc != 0)
		return rc;
	cJSON_DeleteItemFromObjectCaseSensitive(a, "told");
	cJSON_AddItemToObject(a, "told", cJSON_Duplicate(told, 1));
	rc = put_alert(txn, tenant, a, "alert.notify", who);
	cJSON_Delete(a);
	return rc;
}

struct ack_job {
	const char *tenant, *id, *note, *person;
	const struct vocd_actor *who;
};

static int ack_job(vocd_txn *txn, void *arg)
{
	struct ack_job *j = arg;
	cJSON *a = NULL;
	int rc = vocd_record_get(txn, j->tenant, VOCD_ALERT_TYPE, j->id, &a);
	if (rc != 0)
		return rc;
	if (cJSON_GetObjectItemCaseSensitive(a, "acked")) {
		cJSON_Delete(a);
		return VOCD_EEXIST;
	}
	cJSON *ack = cJSON_AddObjectToObject(a, "acked");
	cJSON_AddStringToObject(ack, "token", j->who->actor.id);
	if (j->who->actor.role)
		cJSON_AddStringToObject(ack, "role", j->who->actor.role);
	if (j->person)
		cJSON_AddStringToObject(ack, "person", j->person);
	if (j->note)
		cJSON_AddStringToObject(ack, "note", j->note);
	cJSON_AddNumberToObject(ack, "at", (double)vocd_now_ms());
	rc = put_alert(txn, j->tenant, a, "alert.ack", j->who);
	cJSON_Delete(a);
	return rc;
}

int vocd_alert_ack(vocd_store *st, const char *tenant, const char *id, const char *note, const char *person,
                   const struct vocd_actor *who)
{
	struct ack_job j = {tenant, id, note, person, who};
	return vocd_store_write(st, ack_job, &j);
}

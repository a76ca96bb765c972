/* The organisation's side of an evaluation: public replies (企业回复) under it, and what an evaluation is
 * shown with (replies, versions, labels, hiding: api_hiding.c). None changes the evaluation: each is a
 * record of its own, audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "bus.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "rule_actions.h"
#include "validate.h"

#define MAX_REPLY 2000

struct reply_job {
	const char *tenant, *evaluation, *text;
	const struct vocd_actor *who;
	char id[24];
};

static int reply_job(vocd_txn *txn, void *arg)
{
	struct reply_job *j = arg;
	cJSON *ev = NULL;
	int rc = vocd_record_get(txn, j->tenant, VOCD_EVALUATION_TYPE, j->evaluation, &ev);
	cJSON_Delete(ev);
	if (rc != 0)
		return rc;
	if ((rc = vocd_seq_id(txn, j->tenant, VOCD_REPLY_TYPE, j->id)) != 0)
		return rc;
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", j->id);
	cJSON_AddStringToObject(rec, "evaluation", j->evaluation);
	cJSON_AddStringToObject(rec, "text", j->text);
	cJSON *by = cJSON_AddObjectToObject(rec, "by");
	cJSON_AddStringToObject(by, "token", j->who->actor.id);
	cJSON_AddStringToObject(by, "role", j->who->actor.role ? j->who->actor.role : "");
	cJSON_AddNumberToObject(rec, "created_at", (double)vocd_now_ms());
	struct vocd_index_value idx = {"by_evaluation", j->evaluation, strlen(j->evaluation) + 1};
	char *text = NULL;
	rc = vocd_record_put(txn, j->tenant, VOCD_REPLY_TYPE, j->id, rec, &idx, 1, "reply.create", j->who, &text);
	cJSON_Delete(rec);
	if (rc == 0)
		rc = vocd_bus_publish(txn, j->tenant, "reply.created", text, strlen(text));
	free(text);
	return rc;
}

int vocd_api_reply_create(struct vocd_req *req)
{
	static const char *const keys[] = {"text", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(body, "text");
	if (vocd_check_known(body, "", keys, &fe) != 0 || vocd_check_string(text, "text", MAX_REPLY * 4, 1, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	struct reply_job j = {req->auth.tenant, req->params[0], text->valuestring, &who, ""};
	int rc = vocd_store_write(req->srv->store, reply_job, &j);
	cJSON_Delete(body);
	if (rc == VOCD_ENOTFOUND || rc == VOCD_EINVAL) {
		vocd_http_error(req, 404, "not_found", "no evaluation %s", req->params[0]);
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *answer = cJSON_CreateObject();
		cJSON_AddStringToObject(answer, "id", j.id);
		vocd_http_json(req, 201, answer);
		cJSON_Delete(answer);
	}
	return 0;
}

void vocd_api_add_labels(vocd_txn *txn, const char *tenant, const char *type, cJSON *rec)
{
	char key[64];
	cJSON *labels = NULL;
	snprintf(key, sizeof key, "%s:%s", type, vocd_json_str(rec, "id") ? vocd_json_str(rec, "id") : "");
	if (vocd_record_get(txn, tenant, VOCD_LABELS_TYPE, key, &labels) == 0)
		cJSON_AddItemToObject(rec, "labels", cJSON_DetachItemFromObjectCaseSensitive(labels, "labels"));
	cJSON_Delete(labels);
}

int vocd_api_evaluation_extras(struct vocd_req *req, cJSON *evaluation)
{
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0)
		return rc;
	const char *id = vocd_json_str(evaluation, "id");
	cJSON *replies = cJSON_CreateArray();
	rc = vocd_index_scan(txn, req->auth.tenant, VOCD_REPLY_TYPE, "by_evaluation", id, strlen(id) + 1, vocd_record_collect, replies);
	cJSON_AddItemToObject(evaluation, "replies", replies);
	/* Versions: the corrections before this one, oldest first, and the one that replaced it, if any. */
	cJSON *versions = cJSON_CreateArray();
	char cur[24];
	const char *p = vocd_json_str(evaluation, "previous");
	snprintf(cur, sizeof cur, "%s", p ? p : "");
	for (int guard = 0; cur[0] && guard < 100; guard++) {
		cJSON_InsertItemInArray(versions, 0, cJSON_CreateString(cur));
		cJSON *prev = NULL;
		if (vocd_record_get(txn, req->auth.tenant, VOCD_EVALUATION_TYPE, cur, &prev) != 0)
			break;
		p = vocd_json_str(prev, "previous");
		snprintf(cur, sizeof cur, "%s", p ? p : "");
		cJSON_Delete(prev);
	}
	cJSON_AddItemToObject(evaluation, "earlier_versions", versions);
	cJSON *sup = NULL;
	if (vocd_record_get(txn, req->auth.tenant, VOCD_SUPERSEDED_TYPE, id, &sup) == 0) {
		cJSON_AddStringToObject(evaluation, "superseded_by", vocd_json_str(sup, "by"));
		cJSON_Delete(sup);
	}
	vocd_api_add_labels(txn, req->auth.tenant, "evaluation", evaluation);
	vocd_api_hiding_extras(txn, req->auth.tenant, evaluation);
	vocd_txn_end(txn);
	return rc < 0 ? rc : 0;
}

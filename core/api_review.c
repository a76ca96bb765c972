/* The review queue over the API: GET /api/v1/review-queue lists flagged evaluations (?state=open,
 * confirmed or cleared; ?after=ID&limit=N), POST /api/v1/review-queue/<evaluation id> decides one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "evaluation.h"
#include "review.h"
#include "validate.h"

#define MAX_LIST 500

struct queue_scan {
	vocd_txn *txn;
	const char *tenant;
	const char *state; /* "open", "confirmed", "cleared" */
	const char *after;
	cJSON *items;
	int limit, count;
	char last[130];
};

static int queue_one(const char *id, const void *data, size_t len, void *arg)
{
	struct queue_scan *s = arg;
	(void)data, (void)len;
	if (s->after && strcmp(id, s->after) <= 0)
		return 0;
	if (s->count == s->limit)
		return 1;
	cJSON *review = NULL, *ev = NULL;
	int decided = vocd_review_get(s->txn, s->tenant, id, &review) == 0;
	const char *decision = decided ? vocd_json_str(review, "decision") : "open";
	if (!decision || strcmp(decision, s->state) != 0 || vocd_record_get(s->txn, s->tenant, VOCD_EVALUATION_TYPE, id, &ev) != 0) {
		cJSON_Delete(review);
		return 0;
	}
	cJSON_AddItemToObject(ev, "review", review ? review : cJSON_CreateNull());
	cJSON_AddItemToArray(s->items, ev);
	snprintf(s->last, sizeof s->last, "%s", id);
	s->count++;
	return 0;
}

int vocd_api_review_queue(struct vocd_req *req)
{
	char state[16] = "", after[130] = "", limit_text[16] = "";
	if (vocd_http_filter(req, "state", state, sizeof state) != 0)
		return 0;
	if (!state[0])
		snprintf(state, sizeof state, "open");
	if (strcmp(state, "open") && strcmp(state, "confirmed") && strcmp(state, "cleared")) {
		vocd_http_error(req, 400, "invalid_parameter", "state: expected open, confirmed or cleared");
		return 0;
	}
	int limit = 50;
	if (vocd_http_query(req, "limit", limit_text, sizeof limit_text) == 0) {
		char *end;
		long l = strtol(limit_text, &end, 10);
		if (*end || l < 1 || l > MAX_LIST) {
			vocd_http_error(req, 400, "invalid_parameter", "limit: expected 1 to %d", MAX_LIST);
			return 0;
		}
		limit = (int)l;
	}
	int has_after = vocd_http_query(req, "after", after, sizeof after) == 0 && after[0];
	struct queue_scan s = {NULL, req->auth.tenant, state, has_after ? after : NULL, cJSON_CreateArray(), limit, 0, ""};
	int rc = vocd_store_read(req->srv->store, &s.txn);
	if (rc == 0) {
		rc = vocd_rec_scan(s.txn, req->auth.tenant, VOCD_REVIEW_FLAG_TYPE, s.after, queue_one, &s);
		vocd_txn_end(s.txn);
	}
	if (rc < 0) {
		cJSON_Delete(s.items);
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *item;
	cJSON_ArrayForEach(item, s.items)
		vocd_api_mask_customer(req, item); /* after the scan: it reads in a snapshot of its own */
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "state", state);
	cJSON_AddItemToObject(body, "items", s.items);
	if (s.count == limit)
		cJSON_AddStringToObject(body, "next_after", s.last);
	else
		cJSON_AddNullToObject(body, "next_after");
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_review_decide(struct vocd_req *req)
{
	static const char *const keys[] = {"decision", "note", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *decision = cJSON_GetObjectItemCaseSensitive(body, "decision");
	const cJSON *note = cJSON_GetObjectItemCaseSensitive(body, "note");
	if (vocd_check_known(body, "", keys, &fe) != 0 || vocd_check_string(decision, "decision", 16, 1, &fe) != 0 ||
	    vocd_check_string(note, "note", 2000, 1, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_review_decision d;
	memset(&d, 0, sizeof d);
	d.tenant = req->auth.tenant;
	d.cal = &vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant)->calendar.cal;
	d.evaluation = req->params[0];
	d.decision = decision->valuestring;
	d.note = note->valuestring;
	vocd_http_actor(req, "api", NULL, &d.who);
	d.person = req->auth.person;
	int rc = vocd_review_decide(req->srv->store, &d);
	if (rc == VOCD_EINVAL)
		vocd_http_error(req, 422, "invalid_field", "%s", d.message);
	else if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "%s", d.message);
	else if (rc == VOCD_EEXIST)
		vocd_http_error(req, 409, "already_reviewed", "%s", d.message);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else
		vocd_http_json(req, 201, d.review);
	cJSON_Delete(d.review);
	cJSON_Delete(body);
	return 0;
}

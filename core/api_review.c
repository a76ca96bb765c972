/* The review queue over the API: GET /api/v1/review-queue lists flagged evaluations (?state=open,
 * confirmed or cleared; ?after=ID&limit=N; each caller sees their scope of them), POST
 * /api/v1/review-queue/<evaluation id> decides one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "evaluation.h"
#include "review.h"
#include "validate.h"

/* A flag stands in the list as its evaluation with the review, when it is in the state asked for. */
static cJSON *queue_item(vocd_txn *txn, const char *tenant, const char *id, cJSON *flag, void *arg)
{
	const char *state = arg; /* "open", "confirmed", "cleared" */
	cJSON_Delete(flag);
	cJSON *review = NULL, *ev = NULL;
	int decided = vocd_review_get(txn, tenant, id, &review) == 0;
	const char *decision = decided ? vocd_json_str(review, "decision") : "open";
	if (!decision || strcmp(decision, state) != 0 || vocd_record_get(txn, tenant, VOCD_EVALUATION_TYPE, id, &ev) != 0) {
		cJSON_Delete(review);
		return NULL;
	}
	cJSON_AddItemToObject(ev, "review", review ? review : cJSON_CreateNull());
	return ev;
}

int vocd_api_review_queue(struct vocd_req *req)
{
	char state[16] = "";
	if (vocd_http_filter(req, "state", state, sizeof state) != 0)
		return 0;
	if (!state[0])
		snprintf(state, sizeof state, "open");
	if (strcmp(state, "open") && strcmp(state, "confirmed") && strcmp(state, "cleared")) {
		vocd_http_error(req, 400, "invalid_parameter", "state: expected open, confirmed or cleared");
		return 0;
	}
	return vocd_api_list_with(req, VOCD_REVIEW_FLAG_TYPE, NULL, queue_item, state);
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

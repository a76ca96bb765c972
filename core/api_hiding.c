/* Hiding an evaluation from public display (product.md §4.1): only for a reason from the closed legal list,
 * by an admin, supervisor or auditor; a negative evaluation is hidden only once a second person (an admin
 * or auditor other than whoever asked) approves, so that no one alone can take a complaint out of sight.
 * Hiding changes nothing of the evaluation: it stays in every figure and export, and where it would be
 * shown a placeholder says that it was hidden and why.
 *
 *   POST /api/v1/evaluations/<id>/hide        {reason, note}   200 hidden, or 202 awaiting approval
 *   POST /api/v1/evaluations/<id>/hide/decide {decision: "approve" | "reject", note}                   */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "validate.h"

#define REQUEST_TYPE "evaluation.hide_request" /* evaluation id -> {reason, note, by, at, state, decided_by?} */

/* The closed list (illegal content, harassment, another person's personal data) and the placeholder shown
 * in place of an evaluation hidden for each. */
static const struct {
	const char *reason, *zh, *en;
} reasons[] = {
	{"illegal_content", "此评价因含有违法内容已被隐藏。", "This review is hidden: it contained illegal content."},
	{"harassment", "此评价因含有骚扰或辱骂内容已被隐藏。", "This review is hidden: it contained harassment."},
	{"third_party_personal_data", "此评价因含有他人的个人信息已被隐藏。",
	 "This review is hidden: it contained another person's personal data."},
};

static int reason_index(const char *reason)
{
	for (size_t i = 0; reason && i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(reasons[i].reason, reason) == 0)
			return (int)i;
	return -1;
}

/* Negative: a CSAT of 1-2 or an NPS of 0-6 (a detractor), the answers the loop exists for. */
static int negative(const cJSON *evaluation)
{
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(evaluation, "scores");
	const cJSON *csat = cJSON_GetObjectItemCaseSensitive(scores, "csat");
	const cJSON *nps = cJSON_GetObjectItemCaseSensitive(scores, "nps");
	return (cJSON_IsNumber(csat) && csat->valuedouble <= 2) || (cJSON_IsNumber(nps) && nps->valuedouble <= 6);
}

/* Who acted, as kept on the records: the person when there is one, else the token. */
static cJSON *by_of(const struct vocd_req *req)
{
	cJSON *by = cJSON_CreateObject();
	if (req->auth.person[0])
		cJSON_AddStringToObject(by, "person", req->auth.person);
	cJSON_AddStringToObject(by, req->auth.session ? "session" : "token", req->auth.id);
	cJSON_AddStringToObject(by, "role", vocd_role_name(req->auth.role));
	return by;
}

/* The same one as \p by: the same person, or (neither being a person) the same token. */
static int same_actor(const cJSON *by, const struct vocd_req *req)
{
	const char *person = vocd_json_str(by, "person"), *token = vocd_json_str(by, "token");
	if (person || req->auth.person[0])
		return person && strcmp(person, req->auth.person) == 0;
	return token && !req->auth.session && strcmp(token, req->auth.id) == 0;
}

enum hide_outcome { HIDDEN, AWAITING, REJECTED, ALREADY_HIDDEN, ALREADY_ASKED, NOTHING_PENDING, SAME_PERSON };

struct hide_job {
	struct vocd_req *req;
	const char *reason, *note, *decision;
	const struct vocd_actor *who;
	enum hide_outcome outcome;
};

static int put_hidden(vocd_txn *txn, struct hide_job *j, const char *reason, const char *note, cJSON *by,
                      cJSON *approved_by)
{
	const char *id = j->req->params[0];
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "evaluation", id);
	cJSON_AddStringToObject(rec, "reason", reason);
	if (note)
		cJSON_AddStringToObject(rec, "note", note);
	cJSON_AddItemToObject(rec, "by", by);
	if (approved_by)
		cJSON_AddItemToObject(rec, "approved_by", approved_by);
	cJSON_AddNumberToObject(rec, "at", (double)vocd_now_ms());
	int rc = vocd_record_put(txn, j->req->auth.tenant, VOCD_HIDDEN_TYPE, id, rec, NULL, 0, "evaluation.hide", j->who, NULL);
	cJSON_Delete(rec);
	j->outcome = HIDDEN;
	return rc;
}

static int hide_job(vocd_txn *txn, void *arg)
{
	struct hide_job *j = arg;
	const char *tenant = j->req->auth.tenant, *id = j->req->params[0];
	cJSON *ev = NULL, *old = NULL, *request = NULL;
	int rc = vocd_record_get(txn, tenant, VOCD_EVALUATION_TYPE, id, &ev);
	if (rc != 0)
		return rc;
	if (vocd_record_get(txn, tenant, VOCD_HIDDEN_TYPE, id, &old) == 0) {
		j->outcome = ALREADY_HIDDEN;
	} else if (vocd_record_get(txn, tenant, REQUEST_TYPE, id, &request) == 0 &&
	           strcmp(vocd_json_str(request, "state") ? vocd_json_str(request, "state") : "", "pending") == 0) {
		j->outcome = ALREADY_ASKED;
	} else if (!negative(ev)) {
		rc = put_hidden(txn, j, j->reason, j->note, by_of(j->req), NULL);
	} else {
		cJSON *rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "evaluation", id);
		cJSON_AddStringToObject(rec, "reason", j->reason);
		if (j->note)
			cJSON_AddStringToObject(rec, "note", j->note);
		cJSON_AddItemToObject(rec, "by", by_of(j->req));
		cJSON_AddNumberToObject(rec, "at", (double)vocd_now_ms());
		cJSON_AddStringToObject(rec, "state", "pending");
		rc = vocd_record_put(txn, tenant, REQUEST_TYPE, id, rec, NULL, 0, "evaluation.hide_request", j->who, NULL);
		cJSON_Delete(rec);
		j->outcome = AWAITING;
	}
	cJSON_Delete(ev);
	cJSON_Delete(old);
	cJSON_Delete(request);
	return rc;
}

static int decide_job(vocd_txn *txn, void *arg)
{
	struct hide_job *j = arg;
	const char *tenant = j->req->auth.tenant, *id = j->req->params[0];
	cJSON *request = NULL;
	int rc = vocd_record_get(txn, tenant, REQUEST_TYPE, id, &request);
	if (rc == VOCD_ENOTFOUND || (rc == 0 && strcmp(vocd_json_str(request, "state") ? vocd_json_str(request, "state") : "",
	                                               "pending") != 0)) {
		cJSON_Delete(request);
		j->outcome = NOTHING_PENDING;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (same_actor(cJSON_GetObjectItemCaseSensitive(request, "by"), j->req)) {
		cJSON_Delete(request);
		j->outcome = SAME_PERSON;
		return 0;
	}
	int approve = strcmp(j->decision, "approve") == 0;
	vocd_json_set_str(request, "state", approve ? "approved" : "rejected");
	cJSON_AddItemToObject(request, "decided_by", by_of(j->req));
	cJSON_AddNumberToObject(request, "decided_at", (double)vocd_now_ms());
	if (j->note)
		cJSON_AddStringToObject(request, "decision_note", j->note);
	rc = vocd_record_put(txn, tenant, REQUEST_TYPE, id, request, NULL, 0,
	                     approve ? "evaluation.hide_approve" : "evaluation.hide_reject", j->who, NULL);
	if (rc == 0 && approve)
		rc = put_hidden(txn, j, vocd_json_str(request, "reason"), vocd_json_str(request, "note"),
		                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(request, "by"), 1), by_of(j->req));
	else if (rc == 0)
		j->outcome = REJECTED;
	cJSON_Delete(request);
	return rc;
}

static void answer(struct vocd_req *req, int rc, const struct hide_job *j)
{
	const char *id = req->params[0];
	if (rc == VOCD_ENOTFOUND || rc == VOCD_EINVAL) {
		vocd_http_error(req, 404, "not_found", "no evaluation %s", id);
		return;
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return;
	}
	switch (j->outcome) {
	case ALREADY_HIDDEN:
		vocd_http_error(req, 409, "already_hidden", "evaluation %s is already hidden", id);
		return;
	case ALREADY_ASKED:
		vocd_http_error(req, 409, "awaiting_approval", "hiding evaluation %s already awaits a second person's "
		                "approval: POST /api/v1/evaluations/%s/hide/decide", id, id);
		return;
	case NOTHING_PENDING:
		vocd_http_error(req, 409, "nothing_to_decide", "no request to hide evaluation %s awaits a decision", id);
		return;
	case SAME_PERSON:
		vocd_http_error(req, 403, "second_person_required", "whoever asked to hide an evaluation cannot approve it: "
		                "a second person must");
		return;
	default:
		break;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddBoolToObject(body, "hidden", j->outcome == HIDDEN);
	if (j->outcome == REJECTED)
		cJSON_AddStringToObject(body, "decision", "reject");
	if (j->outcome == AWAITING) {
		cJSON_AddBoolToObject(body, "awaiting_approval", 1);
		cJSON_AddStringToObject(body, "message", "a negative evaluation is hidden only when a second person (an admin "
		                        "or auditor) approves");
	}
	vocd_http_json(req, j->outcome == AWAITING ? 202 : 200, body);
	cJSON_Delete(body);
}

/* The evaluation must exist and be in the caller's sight before anything is asked of it. */
static int evaluation_in_sight(struct vocd_req *req)
{
	cJSON *ev = NULL;
	int rc = vocd_evaluation_get(req->srv->store, req->auth.tenant, req->params[0], &ev);
	int seen = rc == 0 && vocd_api_sees(req, ev, "evaluation");
	cJSON_Delete(ev);
	if (rc == VOCD_ENOTFOUND || rc == VOCD_EINVAL)
		vocd_http_error(req, 404, "not_found", "no evaluation %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	return seen;
}

/* The body {<field>: text, "note": text} of both requests; NULL once a mistake is answered. */
static cJSON *field_and_note(struct vocd_req *req, const char *field, size_t max, const char **value, const char **note)
{
	const char *const keys[] = {field, "note", NULL};
	if (!evaluation_in_sight(req))
		return NULL;
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return NULL;
	struct vocd_field_error fe;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field), *n = cJSON_GetObjectItemCaseSensitive(body, "note");
	if (vocd_check_known(body, "", keys, &fe) != 0 || vocd_check_string(v, field, max, 1, &fe) != 0 ||
	    vocd_check_string(n, "note", 2000, 0, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return NULL;
	}
	*value = v->valuestring;
	*note = n ? n->valuestring : NULL;
	return body;
}

int vocd_api_evaluation_hide(struct vocd_req *req)
{
	const char *reason, *note;
	cJSON *body = field_and_note(req, "reason", 64, &reason, &note);
	if (!body)
		return 0;
	if (reason_index(reason) < 0) {
		vocd_http_error(req, 422, "invalid_field", "reason: expected one of illegal_content, harassment, "
		                "third_party_personal_data (an evaluation is never hidden for being negative)");
	} else {
		struct vocd_actor who;
		vocd_http_actor(req, "api", NULL, &who);
		struct hide_job j = {req, reason, note, NULL, &who, HIDDEN};
		answer(req, vocd_store_write(req->srv->store, hide_job, &j), &j);
	}
	cJSON_Delete(body);
	return 0;
}

int vocd_api_evaluation_hide_decide(struct vocd_req *req)
{
	const char *decision, *note;
	cJSON *body = field_and_note(req, "decision", 16, &decision, &note);
	if (!body)
		return 0;
	if (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0) {
		vocd_http_error(req, 422, "invalid_field", "decision: expected \"approve\" or \"reject\"");
	} else {
		struct vocd_actor who;
		vocd_http_actor(req, "api", NULL, &who);
		struct hide_job j = {req, NULL, note, decision, &who, HIDDEN};
		answer(req, vocd_store_write(req->srv->store, decide_job, &j), &j);
	}
	cJSON_Delete(body);
	return 0;
}

void vocd_api_hiding_extras(vocd_txn *txn, const char *tenant, cJSON *evaluation)
{
	const char *id = vocd_json_str(evaluation, "id");
	cJSON *hidden = NULL, *request = NULL;
	if (id && vocd_record_get(txn, tenant, VOCD_HIDDEN_TYPE, id, &hidden) == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(hidden, "evaluation");
		int r = reason_index(vocd_json_str(hidden, "reason"));
		if (r >= 0) {
			cJSON *placeholder = cJSON_AddObjectToObject(hidden, "placeholder");
			cJSON_AddStringToObject(placeholder, "zh-CN", reasons[r].zh);
			cJSON_AddStringToObject(placeholder, "en", reasons[r].en);
		}
		cJSON_AddItemToObject(evaluation, "hidden", hidden);
	}
	if (id && vocd_record_get(txn, tenant, REQUEST_TYPE, id, &request) == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(request, "evaluation");
		cJSON_AddItemToObject(evaluation, "hide_request", request);
	}
}

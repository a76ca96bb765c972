/* Evaluations over the API: server-to-server answers, reading them back with personal data masked, and
 * the refusal to delete one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "evaluation.h"
#include "validate.h"

static const char *const body_keys[] = {"invitation", "customer", "context", "channel", "lang", "answer", "consent",
                                        NULL};
static const char *const context_keys[] = {"type", "id", "agent", "team", "product_line", "region", "store",
                                           "dealer", NULL};

/* Answers the outcome of vocd_evaluation_create. */
void vocd_api_evaluation_outcome(struct vocd_req *req, int rc, const struct vocd_evaluation_new *n)
{
	if (rc == VOCD_EINVAL || rc == VOCD_EUNPROC) {
		/* The field first, then why: "answer.scores.csat: expected a whole number from 1 to 5, got 7". */
		vocd_http_error(req, rc == VOCD_EINVAL ? 400 : 422, rc == VOCD_EINVAL ? "bad_answer" : "invalid_answer",
		                "%s%s: %s", strcmp(n->field, "consent") && strcmp(n->field, "answer") ? "answer." : "",
		                n->field, n->message[0] ? n->message : "not acceptable");
	} else if (rc == VOCD_EEXIST) {
		vocd_http_error(req, 409, "already_answered", "this invitation has already been answered");
	} else if (rc == VOCD_EGONE) {
		vocd_http_error(req, 410, "expired", "this invitation has expired");
	} else if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no such invitation");
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *answer = cJSON_CreateObject();
		cJSON_AddStringToObject(answer, "id", n->id);
		vocd_http_json(req, 201, answer);
		cJSON_Delete(answer);
	}
}

int vocd_api_evaluation_create(struct vocd_req *req)
{
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *inv = cJSON_GetObjectItemCaseSensitive(body, "invitation");
	const cJSON *customer = cJSON_GetObjectItemCaseSensitive(body, "customer");
	if (vocd_check_known(body, "", body_keys, &fe) != 0 || vocd_check_string(inv, "invitation", 32, 0, &fe) != 0 ||
	    vocd_check_string(customer, "customer", 128, 0, &fe) != 0 ||
	    vocd_check_string_object(cJSON_GetObjectItemCaseSensitive(body, "context"), "context", context_keys, 1, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "channel"), "channel", 32, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "lang"), "lang", 8, 0, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	const cJSON *consent = cJSON_GetObjectItemCaseSensitive(body, "consent");
	if (consent && !cJSON_IsObject(consent)) {
		vocd_http_error(req, 422, "invalid_field", "consent: expected {\"notice_version\", \"time\", \"channel\"}");
		cJSON_Delete(body);
		return 0;
	}
	if (customer && !vocd_external_id_valid(customer->valuestring)) {
		vocd_http_error(req, 422, "invalid_field", "customer: expected your own customer id");
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_evaluation_new n;
	memset(&n, 0, sizeof n);
	n.tenant = req->auth.tenant;
	n.conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	n.invitation = inv ? inv->valuestring : NULL;
	n.answer = cJSON_GetObjectItemCaseSensitive(body, "answer");
	n.channel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "channel"));
	n.lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "lang"));
	n.customer = customer ? customer->valuestring : NULL;
	n.context = cJSON_GetObjectItemCaseSensitive(body, "context");
	n.consent = consent;
	n.seconds_to_submit = -1;
	vocd_http_actor(req, n.channel ? n.channel : "api", NULL, &n.who);
	int rc = n.answer ? vocd_evaluation_create(req->srv->store, &n) : VOCD_EUNPROC;
	if (!n.answer)
		snprintf(n.field, sizeof n.field, "answer"), snprintf(n.message, sizeof n.message, "required");
	vocd_api_evaluation_outcome(req, rc, &n);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_evaluation_get(struct vocd_req *req)
{
	cJSON *rec = NULL;
	int rc = vocd_evaluation_get(req->srv->store, req->auth.tenant, req->params[0], &rec);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no evaluation %s", req->params[0]);
		return 0;
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *customer = NULL;
	const char *cid = vocd_json_str(rec, "customer");
	if (cid && vocd_customer_masked(req->srv->store, req->srv->pii, req->auth.tenant, cid, &customer) == 0)
		cJSON_ReplaceItemInObjectCaseSensitive(rec, "customer", customer);
	vocd_http_json(req, 200, rec);
	cJSON_Delete(rec);
	return 0;
}

int vocd_api_evaluation_delete(struct vocd_req *req)
{
	vocd_http_error(req, 405, "not_deletable",
	                "evaluations are never deleted or changed: the law and this server keep every answer. To take "
	                "one out of public display, hide it with a legal reason; a customer may correct their own "
	                "answer as a new version");
	return 0;
}

int vocd_api_evaluation_list(struct vocd_req *req)
{
	return vocd_api_list(req, VOCD_EVALUATION_TYPE);
}

/* Privacy requests over the API: GET /api/v1/customers/<id>?unmasked=1&reason=... (personal data in clear),
 * GET /api/v1/customers/<id>/consents, GET /api/v1/customers/<id>/export, POST /api/v1/customers/<id>/erase,
 * GET /api/v1/privacy/access-log and GET /api/v1/privacy/retention. Every unmasked read and every export is
 * written to the access log before anything is answered: no log entry, no data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "privacy.h"
#include "privacy_access.h"
#include "retention.h"
#include "validate.h"

static const char *const personal_fields[] = {"name", "phone", "email", NULL};

/* The ?reason= given. Supervisors and auditors must say why they look; an admin may. Answers the error
 * itself and returns -1. */
static int reason_of(struct vocd_req *req, char reason[VOCD_PRIVACY_REASON_MAX + 1])
{
	if (vocd_http_filter(req, "reason", reason, VOCD_PRIVACY_REASON_MAX + 1) != 0)
		return -1;
	if (!reason[0] && req->auth.role != VOCD_ROLE_ADMIN) {
		vocd_http_error(req, 422, "reason_required",
		                "reason: required: say why you need this customer's personal data (kept in the access log)");
		return -1;
	}
	return 0;
}

/* Logs the access; answers 500 itself when the entry could not be written. */
static int log_access(struct vocd_req *req, const char *action, const char *reason, const char *const *fields,
                      size_t records, int nfields)
{
	char route[300];
	snprintf(route, sizeof route, "%s %s", req->method, req->path);
	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	struct vocd_privacy_access a = {action, req->params[0], reason, route, req->auth.person, fields, records, nfields};
	int rc = vocd_privacy_access_log(req->srv->store, req->auth.tenant, &a, &who, NULL);
	if (rc != 0)
		vocd_http_fail(req, rc, "the access could not be logged, so nothing is shown");
	return rc;
}

int vocd_api_customer_unmasked(struct vocd_req *req)
{
	int role = req->auth.role;
	if (role != VOCD_ROLE_ADMIN && role != VOCD_ROLE_SUPERVISOR && role != VOCD_ROLE_AUDITOR) {
		vocd_http_error(req, 403, "forbidden", "unmasked personal data: admins, supervisors and auditors only");
		return 0;
	}
	char reason[VOCD_PRIVACY_REASON_MAX + 1];
	if (reason_of(req, reason) != 0)
		return 0;
	cJSON *c = NULL;
	int nfields = 0;
	int rc = vocd_customer_unmasked(req->srv->store, req->srv->pii, req->auth.tenant, req->params[0], &c, &nfields);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no customer %s", req->params[0]);
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		const char *shown[4];
		size_t n = 0;
		for (const char *const *f = personal_fields; *f; f++)
			if (cJSON_GetObjectItemCaseSensitive(c, *f))
				shown[n++] = *f;
		shown[n] = NULL;
		if (log_access(req, "read", reason, shown, 1, nfields) == 0)
			vocd_http_json(req, 200, c);
	}
	cJSON_Delete(c);
	return 0;
}

int vocd_api_customer_consents(struct vocd_req *req)
{
	cJSON *list = NULL;
	int rc = vocd_customer_consents(req->srv->store, req->auth.tenant, req->params[0], &list);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no customer %s", req->params[0]);
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "customer", req->params[0]);
		cJSON_AddItemToObject(body, "items", list);
		vocd_http_json(req, 200, body);
		cJSON_Delete(body);
	}
	return 0;
}

int vocd_api_customer_export(struct vocd_req *req)
{
	char reason[VOCD_PRIVACY_REASON_MAX + 1];
	if (reason_of(req, reason) != 0)
		return 0;
	cJSON *e = NULL;
	size_t records = 0;
	int nfields = 0;
	int rc = vocd_privacy_export(req->srv->store, req->srv->pii, req->auth.tenant, req->params[0], &e, &records,
	                             &nfields);
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no customer %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else if (log_access(req, "export", reason, personal_fields, records, nfields) == 0)
		vocd_http_json(req, 200, e);
	cJSON_Delete(e);
	return 0;
}

int vocd_api_customer_erase(struct vocd_req *req)
{
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	static const char *const keys[] = {"reason", NULL};
	struct vocd_field_error fe;
	if (vocd_check_known(body, "", keys, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "reason"), "reason", VOCD_PRIVACY_REASON_MAX, 1,
	                      &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	int already = 0;
	int rc = vocd_customer_erase(req->srv->store, req->auth.tenant, req->params[0], vocd_json_str(body, "reason"), &who,
	                             &already);
	cJSON_Delete(body);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no customer %s", req->params[0]);
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *answer = cJSON_CreateObject();
		cJSON_AddStringToObject(answer, "customer", req->params[0]);
		cJSON_AddBoolToObject(answer, "erased", 1);
		cJSON_AddBoolToObject(answer, "already_erased", already);
		vocd_http_json(req, 200, answer);
		cJSON_Delete(answer);
	}
	return 0;
}

int vocd_api_privacy_access_log(struct vocd_req *req)
{
	return vocd_api_list(req, VOCD_PRIVACY_ACCESS_TYPE);
}

int vocd_api_privacy_retention_runs(struct vocd_req *req)
{
	return vocd_api_list(req, VOCD_RETENTION_TYPE);
}

/* The audit trail for auditors and admins: GET /api/v1/audit/verify checks the tenant's chain end to end;
 * GET /api/v1/audit?after=SEQ&limit=N lists entries. */
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "audit.h"
#include "error.h"

int vocd_api_audit_verify(struct vocd_req *req)
{
	struct vocd_audit_report r;
	cJSON *body = NULL;
	int rc = vocd_audit_verify(req->srv->store, req->auth.tenant, &r);
	if (rc == 0)
		rc = vocd_audit_report_json(req->auth.tenant, &r, &body);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_audit_list(struct vocd_req *req)
{
	char text[32];
	unsigned long long after = 0;
	long limit = 100;
	if (vocd_http_query(req, "after", text, sizeof text) == 0 && sscanf(text, "%llu", &after) != 1) {
		vocd_http_error(req, 400, "invalid_parameter", "after: expected an entry number");
		return 0;
	}
	if (vocd_http_query(req, "limit", text, sizeof text) == 0 && (sscanf(text, "%ld", &limit) != 1 || limit < 1 ||
	                                                           limit > 1000)) {
		vocd_http_error(req, 400, "invalid_parameter", "limit: expected 1 to 1000");
		return 0;
	}
	cJSON *list = NULL;
	int rc = vocd_audit_list(req->srv->store, req->auth.tenant, after, (int)limit, &list);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "entries", list);
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

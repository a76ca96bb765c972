/* POST /api/v1/invitations and GET /api/v1/invitations/<id>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "invitation.h"
#include "validate.h"

int vocd_api_invitation_create(struct vocd_req *req)
{
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	if (vocd_invitation_check(body, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	unsigned char key[32];
	struct vocd_invitation_new n;
	memset(&n, 0, sizeof n);
	n.tenant = req->auth.tenant;
	n.conf = t;
	n.pii = req->srv->pii;
	n.customer = cJSON_GetObjectItemCaseSensitive(body, "customer");
	n.context = cJSON_GetObjectItemCaseSensitive(body, "context");
	const char *channel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "channel"));
	const char *lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "lang"));
	n.channel = channel ? channel : "web";
	n.lang = lang ? lang : "zh-CN";
	n.base_url = req->srv->listen_url; /* unless the tenant has a survey_url of its own */
	n.key = key;
	vocd_http_actor(req, "api", NULL, &n.who);
	int rc = vocd_pii_derive_key(req->srv->pii, "invitation", req->auth.tenant, key);
	if (rc == 0)
		rc = vocd_invitation_create(req->srv->store, &n);
	cJSON_Delete(body);
	if (rc == VOCD_ERATE) {
		vocd_http_error(req, 429, "too_many_invitations",
		                "this customer was invited less than %u days ago; the next invitation is possible from "
		                "%lld (Unix ms)", t->invitations.min_days_between, (long long)n.retry_after_ms);
		return 0;
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *answer = cJSON_CreateObject();
	cJSON_AddStringToObject(answer, "id", n.id);
	cJSON_AddStringToObject(answer, "token", n.token);
	cJSON_AddStringToObject(answer, "url", n.url);
	cJSON_AddNumberToObject(answer, "expires_at", (double)n.expires_ms);
	vocd_http_json(req, 201, answer);
	cJSON_Delete(answer);
	return 0;
}

int vocd_api_invitation_get(struct vocd_req *req)
{
	cJSON *rec = NULL;
	int rc = vocd_invitation_get(req->srv->store, req->auth.tenant, req->params[0], &rec);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no invitation %s", req->params[0]);
		return 0;
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	if (vocd_api_sees(req, rec, "invitation")) {
		vocd_api_mask_customer(req, rec);
		vocd_http_json(req, 200, rec);
	}
	cJSON_Delete(rec);
	return 0;
}

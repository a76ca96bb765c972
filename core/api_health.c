/* GET /healthz, GET /metrics, GET /api/v1/whoami. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "metrics.h"

int vocd_api_healthz(struct vocd_req *req)
{
	/* A read transaction proves the database answers; the write path is proven by /metrics' commits. */
	vocd_txn *txn = NULL;
	int rc = vocd_store_read(req->srv->store, &txn);
	vocd_txn_end(txn);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "status", rc == 0 ? "ok" : "degraded");
	cJSON_AddStringToObject(body, "version", VOCD_VERSION);
	vocd_http_json(req, rc == 0 ? 200 : 503, body);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_metrics(struct vocd_req *req)
{
	char *text = vocd_metrics_render(req->srv->store, req->srv->bus, req->srv->plugins);
	if (!text) {
		vocd_http_fail(req, VOCD_ENOMEM, NULL);
		return 0;
	}
	vocd_http_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
	free(text);
	return 0;
}

int vocd_api_whoami(struct vocd_req *req)
{
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "tenant", req->auth.tenant);
	cJSON_AddStringToObject(body, "tenant_name", t ? t->name : req->auth.tenant);
	cJSON_AddStringToObject(body, "role", vocd_role_name(req->auth.role));
	cJSON_AddStringToObject(body, req->auth.session ? "session_id" : "token_id", req->auth.id);
	const struct vocd_person *p = t && req->auth.person[0] ? vocd_people_find(&t->people, req->auth.person) : NULL;
	if (req->auth.person[0])
		cJSON_AddStringToObject(body, "person", req->auth.person);
	if (p && p->scope)
		cJSON_AddStringToObject(body, "scope", p->scope);
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

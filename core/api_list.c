/* Listing a tenant's records of one type in id order: GET ...?after=ID&limit=N, answered as
 * {"items": [...], "next_after": ID or null}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "scope.h"

#define MAX_LIST 500

struct list_state {
	vocd_list_filter keep;
	vocd_list_map map;
	void *arg;
	const char *tenant;
	const struct vocd_tenant_conf *conf; /* NULL: the caller sees the whole tenant */
	const struct vocd_token_info *who;
};

/* The item a record stands for (map), if the caller sees it (scope) and the list wants it (keep). */
static cJSON *list_item(vocd_txn *txn, const char *id, cJSON *item, void *arg)
{
	struct list_state *s = arg;
	if (s->map && !(item = s->map(txn, s->tenant, id, item, s->arg)))
		return NULL;
	if ((s->conf && !vocd_scope_sees(s->conf, s->who, item)) || (s->keep && !s->keep(txn, s->tenant, item, s->arg))) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

int vocd_api_list(struct vocd_req *req, const char *type)
{
	return vocd_api_list_filtered(req, type, NULL, NULL);
}

int vocd_api_list_filtered(struct vocd_req *req, const char *type, vocd_list_filter keep, void *arg)
{
	return vocd_api_list_with(req, type, keep, NULL, arg);
}

int vocd_api_list_with(struct vocd_req *req, const char *type, vocd_list_filter keep, vocd_list_map map, void *arg)
{
	char after[130] = "", limit_text[16] = "";
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
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	const struct vocd_tenant_conf *conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	struct list_state s = {keep, map, arg, req->auth.tenant,
	                       conf && !vocd_scope_whole_tenant(conf, &req->auth) ? conf : NULL, &req->auth};
	cJSON *items = cJSON_CreateArray();
	char next[130];
	rc = vocd_record_page(txn, req->auth.tenant, type, has_after ? after : NULL, limit, list_item, &s, items, next);
	vocd_txn_end(txn);
	if (rc < 0) {
		cJSON_Delete(items);
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "items", items);
	if (next[0])
		cJSON_AddStringToObject(body, "next_after", next);
	else
		cJSON_AddNullToObject(body, "next_after");
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_sees(struct vocd_req *req, const cJSON *rec, const char *what)
{
	const struct vocd_tenant_conf *conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	if (conf && vocd_scope_sees(conf, &req->auth, rec))
		return 1;
	vocd_http_error(req, 404, "not_found", "no %s %s", what, req->params[0]);
	return 0;
}

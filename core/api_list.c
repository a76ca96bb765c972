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
	cJSON *items;
	const char *after;
	int limit, count;
	char last[130];
	vocd_list_filter keep;
	vocd_list_map map;
	void *arg;
	vocd_txn *txn;
	const char *tenant;
	const struct vocd_tenant_conf *conf; /* NULL: the caller sees the whole tenant */
	const struct vocd_token_info *who;
};

static int list_one(const char *id, const void *data, size_t len, void *arg)
{
	struct list_state *s = arg;
	if (s->after && strcmp(id, s->after) <= 0)
		return 0;
	if (s->count == s->limit)
		return 1;
	cJSON *item = cJSON_ParseWithLength(data, len);
	if (item && s->map)
		item = s->map(s->txn, s->tenant, id, item, s->arg);
	if (!item)
		return 0;
	if ((s->conf && !vocd_scope_sees(s->conf, s->who, item)) || (s->keep && !s->keep(s->txn, s->tenant, item, s->arg))) {
		cJSON_Delete(item);
		return 0;
	}
	cJSON_AddItemToArray(s->items, item);
	snprintf(s->last, sizeof s->last, "%s", id);
	s->count++;
	return 0;
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
	struct list_state s = {cJSON_CreateArray(), has_after ? after : NULL, limit, 0, "", keep, map, arg, txn, req->auth.tenant,
	                       conf && !vocd_scope_whole_tenant(conf, &req->auth) ? conf : NULL, &req->auth};
	rc = vocd_rec_scan(txn, req->auth.tenant, type, has_after ? after : NULL, list_one, &s);
	vocd_txn_end(txn);
	if (rc < 0) {
		cJSON_Delete(s.items);
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "items", s.items);
	if (s.count == limit)
		cJSON_AddStringToObject(body, "next_after", s.last);
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

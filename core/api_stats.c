/* GET /api/v1/stats (docs/http-api.md, "Figures"): the figures query of stats_query.h with the request's
 * query string as its parameters and the token's holder as its reader. */
#include <string.h>

#include <civetweb.h>

#include "api.h"
#include "error.h"
#include "stats_query.h"

static int query_param(void *req, const char *name, char *out, size_t outlen)
{
	const struct vocd_req *r = req;
	out[0] = '\0';
	return r->query && mg_get_var(r->query, strlen(r->query), name, out, outlen) == -2 ? -1 : 0;
}

static void stats_error(struct vocd_req *req, const struct vocd_stats_error *e)
{
	if (e->status)
		vocd_http_error(req, e->status, e->code, "%s", e->message);
	else
		vocd_http_fail(req, e->store_rc, NULL);
}

/* The query string as the parameters, and the tenant's configuration; NULL when it is gone (answered). */
static const struct vocd_tenant_conf *start(struct vocd_req *req, struct vocd_stats_params *p)
{
	p->get = query_param;
	p->ctx = req;
	const struct vocd_tenant_conf *conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	if (!conf)
		vocd_http_fail(req, VOCD_ENOTFOUND, NULL);
	return conf;
}

cJSON *vocd_api_stats_body(struct vocd_req *req)
{
	struct vocd_stats_params p;
	struct vocd_stats_error e;
	const struct vocd_tenant_conf *conf = start(req, &p);
	cJSON *body = conf ? vocd_stats_query(req->srv->store, req->auth.tenant, conf, &req->auth, &p, &e) : NULL;
	if (conf && !body)
		stats_error(req, &e);
	return body;
}

int vocd_api_stats_scope(struct vocd_req *req, struct vocd_stats_scope *out)
{
	struct vocd_stats_params p;
	struct vocd_stats_error e;
	const struct vocd_tenant_conf *conf = start(req, &p);
	if (!conf)
		return -1;
	if (vocd_stats_query_scope(conf, &req->auth, &p, out, &e) == 0)
		return 0;
	stats_error(req, &e);
	return -1;
}

int vocd_api_stats(struct vocd_req *req)
{
	cJSON *body = vocd_api_stats_body(req);
	if (body)
		vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

/* Administration routes for a tenant's admin: reload, plugin status, dead letters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "log.h"

/* Keeps only the lines of \p err that concern \p tenant: other tenants' problems are not theirs to read. */
static void own_lines(const char *err, const char *tenant, char *out, size_t outlen)
{
	/* Exact marks: tenant "demo" must not see the lines of "demo2". */
	char file_mark[96], tenant_mark[96];
	snprintf(file_mark, sizeof file_mark, "/%s.lua:", tenant);
	snprintf(tenant_mark, sizeof tenant_mark, "tenant %s,", tenant);
	size_t o = 0;
	out[0] = '\0';
	for (const char *line = err; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s", (int)len, line);
		if ((strstr(buf, file_mark) || strstr(buf, tenant_mark)) && o + len + 2 < outlen) {
			o += (size_t)snprintf(out + o, outlen - o, "%s\n", buf);
		}
		line += len + (nl ? 1 : 0);
	}
}

int vocd_api_admin_reload(struct vocd_req *req)
{
	char err[8192];
	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	int rc = vocd_server_reload(req->srv, &who, err, sizeof err);
	if (rc == 0) {
		cJSON *body = cJSON_CreateObject();
		cJSON_AddBoolToObject(body, "reloaded", 1);
		vocd_http_json(req, 200, body);
		cJSON_Delete(body);
		return 0;
	}
	char mine[8192];
	own_lines(err, req->auth.tenant, mine, sizeof mine);
	vocd_http_error(req, 422, "reload_failed", "%s",
	                mine[0] ? mine
	                        : "the new configuration has errors outside this tenant's files; the running version "
	                          "stays, and the server log has the details");
	return 0;
}

int vocd_api_admin_plugins(struct vocd_req *req)
{
	cJSON *list = NULL;
	int rc = vocd_plugins_status(req->srv->plugins, req->auth.tenant, &list);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "plugins", list);
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_admin_dead_letters(struct vocd_req *req)
{
	cJSON *list = NULL;
	int rc = vocd_bus_dead_letters(req->srv->bus, req->auth.tenant, &list);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "dead_letters", list);
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_admin_replay(struct vocd_req *req)
{
	int rc = vocd_bus_replay(req->srv->bus, req->auth.tenant, req->params[0]);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no dead letter %s, or its subscriber is not active now", req->params[0]);
		return 0;
	}
	if (rc != 0) {
		vocd_http_error(req, 502, "replay_failed", "the subscriber failed again: %s", vocd_strerror(rc));
		return 0;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddBoolToObject(body, "replayed", 1);
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

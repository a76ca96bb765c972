/* POST /api/v1/plugins/<name>/call/<handler>: runs a handler that the tenant's plugin exported with
 * vocd.handle(), with the JSON body as its argument, and answers its result. Integrators use it to drive
 * their plugins; budget kills and errors come back as JSON errors while the server goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"

int vocd_api_plugin_call(struct vocd_req *req)
{
	/* "notify" sends any text to any staff address given: the core calls it for the rules, and only an
	 * admin may call it by hand (to try a channel). */
	if (strcmp(req->params[1], "notify") == 0 && req->auth.role != VOCD_ROLE_ADMIN) {
		vocd_http_error(req, 403, "forbidden", "only an admin may call a channel's notify handler by hand");
		return 0;
	}
	/* An incentive policy's handlers grant points and rewards: only the core calls them, with figures and
	 * answers it made itself, never with what a caller says happened. */
	if (vocd_plugins_is_kind(req->srv->plugins, req->auth.tenant, req->params[0], "incentive")) {
		vocd_http_error(req, 403, "forbidden", "incentive policies are called by the core only (their handlers "
		                "grant points); use /api/v1/points");
		return 0;
	}
	cJSON *arg = NULL;
	if (req->body_len > 0) {
		arg = vocd_http_body_object(req);
		if (!arg)
			return 0;
	}
	cJSON *result = NULL;
	char err[1024] = "";
	int rc = vocd_plugins_call(req->srv->plugins, req->auth.tenant, req->params[0], req->params[1], arg, &result,
	                           err, sizeof err);
	cJSON_Delete(arg);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no plugin '%s' with a handler '%s' is enabled for this tenant",
		                req->params[0], req->params[1]);
	} else if (rc == VOCD_ELIMIT) {
		vocd_http_error(req, 503, "plugin_limit", "the plugin was stopped: %s", err[0] ? err : "budget exhausted");
	} else if (rc != 0) {
		vocd_http_error(req, 500, "plugin_error", "the plugin failed: %s", err[0] ? err : vocd_strerror(rc));
	} else {
		cJSON *body = cJSON_CreateObject();
		cJSON_AddItemToObject(body, "result", result ? result : cJSON_CreateNull());
		vocd_http_json(req, 200, body);
		cJSON_Delete(body);
	}
	return 0;
}

/* POST /api/v1/rules/dry-run: the dry run of a workflow plugin over the API, for a console or a script.
 * {"rule": "workflows/vip_low_csat", "settings": {...}?, "from": "2026-11-01"?, "to": "2026-11-30"?,
 *  "limit": 100?} -> the report of dryrun.h. The plugin need not be enabled; nothing is written. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "dryrun.h"
#include "error.h"
#include "plugin.h"
#include "validate.h"

int vocd_api_rules_dry_run(struct vocd_req *req)
{
	static const char *const keys[] = {"rule", "settings", "from", "to", "limit", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	const struct vocd_config *cfg = vocd_server_config(req->srv);
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, req->auth.tenant);
	struct vocd_field_error fe;
	const char *rule = vocd_json_str(body, "rule"), *from = vocd_json_str(body, "from"), *to = vocd_json_str(body, "to");
	const cJSON *settings = cJSON_GetObjectItemCaseSensitive(body, "settings");
	const cJSON *limit = cJSON_GetObjectItemCaseSensitive(body, "limit");
	struct vocd_dryrun_opts o = {0, INT64_MAX, 0};
	const char *name = rule && strncmp(rule, "workflows/", 10) == 0 ? rule + 10 : rule;
	if (vocd_check_known(body, "", keys, &fe) != 0 || vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "rule"), "rule", 80, 1, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "from"), "from", 20, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "to"), "to", 20, 0, &fe) != 0) {
		vocd_http_field_error(req, &fe);
	} else if (!name[0] || strchr(name, '/') || strchr(name, '.')) {
		vocd_http_error(req, 422, "invalid_field", "rule: expected a workflow plugin's name, such as \"workflows/vip_low_csat\"");
	} else if (settings && !cJSON_IsObject(settings)) {
		vocd_http_error(req, 422, "invalid_field", "settings: expected an object, such as {\"csat_below\": 2}");
	} else if (limit && (!cJSON_IsNumber(limit) || limit->valuedouble < 1 || limit->valuedouble > 10000)) {
		vocd_http_error(req, 422, "invalid_field", "limit: expected 1 to 10000");
	} else if ((from && vocd_dryrun_time(t, from, 0, &o.from_ms) != 0) || (to && vocd_dryrun_time(t, to, 1, &o.to_ms) != 0)) {
		vocd_http_error(req, 422, "invalid_field", "from, to: expected a day such as \"2026-11-01\" (tenant time) or Unix ms as text");
	} else {
		o.max_hits = limit ? (int)limit->valuedouble : 0;
		char file[4200], err[4096];
		snprintf(file, sizeof file, "%s/workflows/%s/plugin.lua", cfg->plugins_dir ? cfg->plugins_dir : "plugins", name);
		struct vocd_rule **rules = NULL;
		size_t n = 0;
		cJSON *report = NULL;
		int rc = vocd_plugins_rule_file(cfg, req->auth.tenant, file, settings, &rules, &n, err, sizeof err);
		if (rc == VOCD_ECONFIG)
			vocd_http_error(req, 422, "invalid_rule", "%s", err);
		else if (rc != 0)
			vocd_http_fail(req, rc, NULL);
		else if ((rc = vocd_dryrun(req->srv->store, t, rules, n, &o, &report, err, sizeof err)) == VOCD_EINVAL)
			vocd_http_error(req, 422, "invalid_rule", "%s", err);
		else if (rc != 0)
			vocd_http_fail(req, rc, NULL);
		else
			vocd_http_json(req, 200, report);
		cJSON_Delete(report);
		vocd_rules_free(rules, n);
	}
	cJSON_Delete(body);
	return 0;
}

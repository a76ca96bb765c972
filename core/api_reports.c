/* GET /api/v1/reports/<name>?format=<format>: a report (report.h) written by the tenant's report-format
 * plugin plugins/reports/<format> (vocd.handle("render", fn(report)) returning {content_type, filename,
 * body}, or {filename, workbook} for the core to write as XLSX). Reports: "figures" (the query of GET
 * /api/v1/stats), "compliance" (?month=YYYY-MM, admins and auditors). Always sent as a download, under a
 * Content-Security-Policy that lets no script run, whatever a text inside says. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "calendar.h"
#include "error.h"
#include "ids.h"
#include "points.h"
#include "report.h"
#include "xlsx.h"


/* The report's data, or NULL when an error was answered. */
static cJSON *build(struct vocd_req *req, const char *name)
{
	if (strcmp(name, "figures") == 0) {
		cJSON *stats = vocd_api_stats_body(req);
		return stats ? vocd_report_figures(stats) : NULL;
	}
	if (strcmp(name, "compliance") != 0) {
		vocd_http_error(req, 404, "not_found", "no report %s (figures, compliance)", name);
		return NULL;
	}
	if (req->auth.role != VOCD_ROLE_ADMIN && req->auth.role != VOCD_ROLE_AUDITOR) {
		vocd_http_error(req, 403, "forbidden", "the compliance report is for admins and auditors");
		return NULL;
	}
	const struct vocd_tenant_conf *conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	char month[16];
	int32_t from, to;
	if (vocd_http_filter(req, "month", month, sizeof month) != 0)
		return NULL;
	if (!month[0]) { /* the month before this one */
		int32_t today = vocd_calendar_day_of(&conf->calendar.cal, vocd_now_ms());
		int y = today / 10000, m = today / 100 % 100 - 1;
		if (m == 0)
			y--, m = 12;
		snprintf(month, sizeof month, "%04d-%02d", y, m);
	}
	if (vocd_calendar_period(month, &from, &to) != 0 || strchr(month, 'Q')) {
		vocd_http_error(req, 400, "invalid_parameter", "month: expected a month such as 2026-11");
		return NULL;
	}
	cJSON *r = NULL;
	int rc = vocd_report_compliance(req->srv->store, req->auth.tenant, conf, from, to, &r);
	if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	return r;
}

/* A file name safe in a header: letters, digits, . _ - only. */
static void safe_name(const char *in, const char *fallback, char out[96])
{
	size_t o = 0;
	for (const char *p = in ? in : ""; *p && o < 90; p++)
		out[o++] = isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-' ? *p : '_';
	out[o] = '\0';
	if (!o)
		snprintf(out, 96, "%s", fallback);
}

static void send_file(struct vocd_req *req, const char *type, const char *name, const char *body, size_t len)
{
	char headers[512];
	snprintf(headers, sizeof headers,
	         "Content-Disposition: attachment; filename=\"%s\"\r\n"
	         "Content-Security-Policy: sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:\r\n",
	         name);
	vocd_http_text_with(req, 200, type, headers, body, len);
}

/* The plugin's result sent: a text it wrote, or the workbook it described, written here. */
static void send_result(struct vocd_req *req, const char *label, const cJSON *res, const char *fallback)
{
	char name[96], why[256];
	safe_name(vocd_json_str(res, "filename"), fallback, name);
	const cJSON *book = cJSON_GetObjectItemCaseSensitive(res, "workbook");
	if (book) {
		char *bytes = NULL;
		size_t len = 0;
		int rc = vocd_xlsx_build(book, getenv("TMPDIR"), &bytes, &len, why, sizeof why);
		if (rc == VOCD_EINVAL)
			vocd_http_error(req, 502, "plugin_failed", "%s: %s", label, why);
		else if (rc != 0)
			vocd_http_fail(req, rc, NULL);
		else
			send_file(req, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, bytes, len);
		free(bytes);
		return;
	}
	const char *type = vocd_json_str(res, "content_type"), *body = vocd_json_str(res, "body");
	if (!type || !body || strchr(type, '\r') || strchr(type, '\n') || strlen(type) > 100) {
		vocd_http_error(req, 502, "plugin_failed", "%s: render: expected {content_type, filename, body} or "
		                "{filename, workbook}", label);
		return;
	}
	send_file(req, type, name, body, strlen(body));
}

int vocd_api_report(struct vocd_req *req)
{
	char format[40], lang[16], label[64], err[1024];
	if (vocd_http_filter(req, "format", format, sizeof format) != 0 || vocd_http_filter(req, "lang", lang, sizeof lang) != 0)
		return 0;
	if (!format[0])
		snprintf(format, sizeof format, "json");
	for (const char *p = format; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '-') {
			vocd_http_error(req, 400, "invalid_parameter", "format: expected the name of a report-format plugin "
			                "(json, csv, xlsx, html)");
			return 0;
		}
	snprintf(label, sizeof label, "reports/%s", format);
	if (!vocd_plugins_is_kind(req->srv->plugins, req->auth.tenant, label, "report")) {
		vocd_http_error(req, 404, "format_not_enabled", "format %s: the tenant has not enabled the plugin %s", format,
		                label);
		return 0;
	}
	cJSON *report = build(req, req->params[0]);
	if (!report)
		return 0;
	cJSON_AddStringToObject(report, "lang", lang[0] ? lang : "zh-CN");
	cJSON_AddStringToObject(report, "tenant", req->auth.tenant);
	cJSON *res = NULL;
	int rc = vocd_plugins_call(req->srv->plugins, req->auth.tenant, label, "render", report, &res, err, sizeof err);
	char fallback[200];
	snprintf(fallback, sizeof fallback, "%s.%s", req->params[0], format);
	if (rc == 0 && res)
		send_result(req, label, res, fallback);
	else if (rc == VOCD_ELIMIT)
		vocd_http_error(req, 503, "plugin_limit", "%s", err);
	else
		vocd_http_error(req, 502, "plugin_failed", "%s", err[0] ? err : "render returned nothing");
	cJSON_Delete(res);
	cJSON_Delete(report);
	return 0;
}

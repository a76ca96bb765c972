/* GET /api/v1/reports/<name>?format=<format>: a report (report.h) written by the tenant's report-format
 * plugin plugins/reports/<format> (vocd.handle("render", fn(report)) returning {content_type, filename,
 * body}, or {filename, workbook} for the core to write as XLSX). Reports: "figures" (the query of GET
 * /api/v1/stats), "compliance" (?month=YYYY-MM, admins and auditors). Always sent as a download, under a
 * Content-Security-Policy that lets no script run, whatever a text inside says. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "calendar.h"
#include "error.h"
#include "ids.h"
#include "points.h"
#include "report.h"
#include "report_render.h"
#include "report_schedule.h"
#include "validate.h"


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

static void send_file(struct vocd_req *req, const struct vocd_rendered *file)
{
	char headers[512];
	snprintf(headers, sizeof headers,
	         "Content-Disposition: attachment; filename=\"%s\"\r\n"
	         "Content-Security-Policy: sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:\r\n",
	         file->filename);
	vocd_http_text_with(req, 200, file->content_type, headers, file->body, file->len);
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
	char fallback[200];
	snprintf(fallback, sizeof fallback, "%s.%s", req->params[0], format);
	struct vocd_rendered file;
	int rc = vocd_report_render(req->srv->plugins, req->auth.tenant, format, lang[0] ? lang : "zh-CN", report,
	                            fallback, &file, err, sizeof err);
	if (rc == 0)
		send_file(req, &file);
	else if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "format_not_enabled", "%s", err);
	else if (rc == VOCD_ELIMIT)
		vocd_http_error(req, 503, "plugin_limit", "%s", err);
	else if (rc == VOCD_EPLUGIN)
		vocd_http_error(req, 502, "plugin_failed", "%s", err);
	else
		vocd_http_fail(req, rc, NULL);
	vocd_rendered_free(&file);
	cJSON_Delete(report);
	return 0;
}

/* GET /api/v1/report-runs: the scheduled reports' runs (report_schedule.h), without their files. */
int vocd_api_report_runs(struct vocd_req *req)
{
	return vocd_api_list(req, VOCD_REPORT_RUN_TYPE);
}

/* GET /api/v1/report-runs/<id>/file: a run's file again, as it was sent. */
int vocd_api_report_run_file(struct vocd_req *req)
{
	struct vocd_rendered file;
	int rc = vocd_report_file(req->srv->store, req->auth.tenant, req->params[0], &file);
	if (rc == 0)
		send_file(req, &file);
	else if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no file for run %s (no such run, or it failed)", req->params[0]);
	else
		vocd_http_fail(req, rc, NULL);
	vocd_rendered_free(&file);
	return 0;
}

/* POST /api/v1/report-runs {"schedule": id}: an entry of reports.schedule made now for the period just
 * finished (to try a new entry, or to send one whose time was missed), once per period as always. */
int vocd_api_report_run_now(struct vocd_req *req)
{
	static const char *const keys[] = {"schedule", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const char *id = vocd_json_str(body, "schedule");
	if (vocd_check_known(body, "", keys, &fe) != 0) {
		vocd_http_field_error(req, &fe);
	} else if (!id) {
		vocd_http_error(req, 422, "invalid_field", "schedule: the id of an entry of reports.schedule");
	} else {
		char run[96], f[16], t[16];
		int32_t from = 0, to = 0;
		int rc = vocd_report_schedule_now(req->srv, req->auth.tenant, id, req->auth.id, run, &from, &to);
		vocd_calendar_day_text(from, f);
		vocd_calendar_day_text(to, t);
		if (rc == VOCD_ENOTFOUND) {
			vocd_http_error(req, 404, "not_found", "no entry %s in the tenant's reports.schedule", id);
		} else if (rc == VOCD_EEXIST) {
			vocd_http_error(req, 409, "already_run", "%s for %s to %s was made already: run %s (GET "
			                "/api/v1/report-runs)", id, f, t, run);
		} else if (rc != 0) {
			vocd_http_fail(req, rc, NULL);
		} else {
			cJSON *out = cJSON_CreateObject();
			cJSON_AddStringToObject(out, "schedule", id);
			cJSON_AddStringToObject(out, "run", run);
			cJSON_AddStringToObject(out, "from", f);
			cJSON_AddStringToObject(out, "to", t);
			vocd_http_json(req, 202, out);
			cJSON_Delete(out);
		}
	}
	cJSON_Delete(body);
	return 0;
}

/* Rendering a report through its format plugin: the plugin's answer checked, a workbook written as XLSX,
 * the file name made safe. */
#include "report_render.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "xlsx.h"

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

/* The plugin's answer as a file: a text it wrote, or the workbook it described, written here. */
static int take_result(const cJSON *res, const char *label, struct vocd_rendered *out, char *why, size_t wl)
{
	const cJSON *book = cJSON_GetObjectItemCaseSensitive(res, "workbook");
	if (book) {
		int rc = vocd_xlsx_build(book, getenv("TMPDIR"), &out->body, &out->len, why, wl);
		if (rc == VOCD_EINVAL) {
			char what[256];
			snprintf(what, sizeof what, "%s", why);
			snprintf(why, wl, "%s: %s", label, what);
			return VOCD_EPLUGIN;
		}
		if (rc == 0)
			snprintf(out->content_type, sizeof out->content_type, "%s", VOCD_XLSX_TYPE);
		return rc;
	}
	const char *type = vocd_json_str(res, "content_type"), *body = vocd_json_str(res, "body");
	if (!type || !body || strchr(type, '\r') || strchr(type, '\n') || strlen(type) > 100) {
		snprintf(why, wl, "%s: render: expected {content_type, filename, body} or {filename, workbook}", label);
		return VOCD_EPLUGIN;
	}
	snprintf(out->content_type, sizeof out->content_type, "%s", type);
	out->len = strlen(body);
	return (out->body = strdup(body)) ? 0 : VOCD_ENOMEM;
}

int vocd_report_render(vocd_plugins *p, const char *tenant, const char *format, const char *lang, cJSON *report,
                       const char *fallback_name, struct vocd_rendered *out, char *why, size_t wl)
{
	memset(out, 0, sizeof *out);
	why[0] = '\0';
	char label[80];
	snprintf(label, sizeof label, "reports/%s", format);
	if (!vocd_plugins_is_kind(p, tenant, label, "report")) {
		snprintf(why, wl, "format %s: the tenant has not enabled the plugin %s", format, label);
		return VOCD_ENOTFOUND;
	}
	vocd_json_set_str(report, "lang", lang ? lang : "zh-CN");
	vocd_json_set_str(report, "tenant", tenant);
	cJSON *res = NULL;
	int rc = vocd_plugins_call(p, tenant, label, "render", report, &res, why, wl);
	if (rc == 0 && !res) {
		snprintf(why, wl, "%s: render returned nothing", label);
		rc = VOCD_EPLUGIN;
	} else if (rc == VOCD_ENOTFOUND) { /* enabled, without a render handler */
		if (!why[0])
			snprintf(why, wl, "%s: no render handler", label);
		rc = VOCD_EPLUGIN;
	}
	if (rc == 0) {
		safe_name(vocd_json_str(res, "filename"), fallback_name, out->filename);
		rc = take_result(res, label, out, why, wl);
	}
	cJSON_Delete(res);
	if (rc != 0)
		vocd_rendered_free(out);
	return rc;
}

void vocd_rendered_free(struct vocd_rendered *r)
{
	if (!r)
		return;
	free(r->body);
	memset(r, 0, sizeof *r);
}

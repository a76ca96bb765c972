/* A report written by the tenant's report-format plugin (plugins/reports/<format>): its handler "render"
 * gets the report (report.h) and returns {content_type, filename, body}, or {filename, workbook} that the
 * core writes as XLSX (xlsx.h). Shared by the download route (api_reports.c) and the scheduled reports. */
#ifndef VOCD_REPORT_RENDER_H
#define VOCD_REPORT_RENDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "plugin.h"

#define VOCD_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/** A written report. */
struct vocd_rendered {
	char *body;             /**< the file's bytes (malloc'd; vocd_rendered_free frees them) */
	size_t len;
	char content_type[101]; /**< one line, as the plugin said (or the XLSX type) */
	char filename[96];      /**< letters, digits, . _ - only: safe in a header and as a file name */
};

/**
 * \brief Renders \p report (report.h's shape) in \p lang through the tenant's plugin reports/\p format.
 * \p fallback_name is the file name when the plugin gives none usable ("figures.xlsx").
 * \return 0 (\p out filled), VOCD_ENOTFOUND (the format is not enabled for the tenant), VOCD_ELIMIT (the
 *         plugin ran out of budget), VOCD_EPLUGIN (it raised, or answered something else: \p why says
 *         what), VOCD_EIO, VOCD_ENOMEM (the workbook could not be written).
 */
int vocd_report_render(vocd_plugins *p, const char *tenant, const char *format, const char *lang, cJSON *report,
                       const char *fallback_name, struct vocd_rendered *out, char *why, size_t why_len);

/** \brief Frees what a render made. Accepts NULL and a zeroed one. */
void vocd_rendered_free(struct vocd_rendered *r);

#endif

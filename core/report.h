/* Reports: what the core hands a report-format plugin (plugins/reports/<format>). Every report has the
 * same shape, so that one format plugin writes any report:
 *
 *   {report, title {zh-CN, en}, period {from, to}, generated_at, data (the report's own JSON),
 *    sections [{title {zh-CN, en}, columns [{key, title {zh-CN, en}}], rows [[cell, ...], ...]}],
 *    chart? {title, series [{name, points [{x, y}]}]}}
 *
 * Cells are strings, numbers or null. Reports: "figures" (the stats API's answer) and "compliance" (a
 * month of consents, withdrawals, erasures, hidden evaluations, unmasked reads and exports, and the audit
 * chain's verification). */
#ifndef VOCD_REPORT_H
#define VOCD_REPORT_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"

/** \brief The figures report of \p stats (GET /api/v1/stats's answer, taken over). \return the report. */
cJSON *vocd_report_figures(cJSON *stats);

/**
 * \brief The compliance report of local days \p from..\p to (a month) of \p tenant.
 * \return 0 (\p *out set), store errors.
 */
int vocd_report_compliance(vocd_store *st, const char *tenant, const struct vocd_tenant_conf *conf, int32_t from,
                           int32_t to, cJSON **out);

#endif

/* The reports' data and their sections of rows, for any format plugin. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "calendar.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "invitation.h"
#include "privacy_access.h"
#include "record.h"

static cJSON *both(const char *zh, const char *en)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "zh-CN", zh);
	cJSON_AddStringToObject(t, "en", en);
	return t;
}

/* A section: its title, columns ({key, zh, en} triples, NULL-terminated) and \p rows (taken over; NULL: a
 * new list the caller fills). \return the rows. */
static cJSON *section(cJSON *sections, const char *zh, const char *en, const char *const *cols, cJSON *rows)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddItemToObject(s, "title", both(zh, en));
	cJSON *c = cJSON_AddArrayToObject(s, "columns");
	for (; cols[0]; cols += 3) {
		cJSON *col = cJSON_CreateObject();
		cJSON_AddStringToObject(col, "key", cols[0]);
		cJSON_AddItemToObject(col, "title", both(cols[1], cols[2]));
		cJSON_AddItemToArray(c, col);
	}
	if (!rows)
		rows = cJSON_CreateArray();
	cJSON_AddItemToObject(s, "rows", rows);
	cJSON_AddItemToArray(sections, s);
	return rows;
}

static cJSON *report_base(const char *name, const char *zh, const char *en, const char *from, const char *to)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "report", name);
	cJSON_AddItemToObject(r, "title", both(zh, en));
	cJSON *p = cJSON_AddObjectToObject(r, "period");
	cJSON_AddStringToObject(p, "from", from);
	cJSON_AddStringToObject(p, "to", to);
	char at[32];
	vocd_utc_text((double)vocd_now_ms(), at);
	cJSON_AddStringToObject(r, "generated_at", at);
	cJSON_AddArrayToObject(r, "sections");
	return r;
}

static void add_cell(cJSON *row, const cJSON *v)
{
	cJSON_AddItemToArray(row, v && (cJSON_IsNumber(v) || cJSON_IsString(v)) ? cJSON_Duplicate(v, 0) : cJSON_CreateNull());
}

/* ---- Figures ------------------------------------------------------------------------------------- */

static const char *const metric_names[] = {"answers", "回答数", "answers", "csat", "满意度（4–5 分占比 %）",
                                           "CSAT (% of 4–5)", "csat_mean", "满意度均值", "CSAT mean", "nps",
                                           "净推荐值", "NPS", "nps_mean", "推荐意愿均值", "NPS mean (0–10)",
                                           "ces_mean", "费力度均值", "CES mean", "response_rate", "回复率（%）",
                                           "response rate (%)", NULL};

static void add_column(cJSON *columns, const char *key, cJSON *title)
{
	cJSON *col = cJSON_CreateObject();
	cJSON_AddStringToObject(col, "key", key);
	cJSON_AddItemToObject(col, "title", title);
	cJSON_AddItemToArray(columns, col);
}

/* The title of metric \p key: the known ones', or a survey dimension's label (\p labels, from the stats)
 * with "mean"; else the key itself. */
static cJSON *metric_title(const char *key, const cJSON *labels)
{
	for (const char *const *m = metric_names; *m; m += 3)
		if (strcmp(m[0], key) == 0)
			return both(m[1], m[2]);
	const cJSON *label = cJSON_GetObjectItemCaseSensitive(labels, key);
	const char *zh = vocd_json_str(label, "zh-CN"), *en = vocd_json_str(label, "en");
	char z[200], e[200];
	snprintf(z, sizeof z, "%s均值", zh ? zh : key);
	snprintf(e, sizeof e, "%s mean", en ? en : key);
	return both(z, e);
}

/* Columns: the group, then value, n and interval of each metric present in \p figures, in its order. */
static cJSON *figure_rows(cJSON *sections, const char *zh, const char *en, const cJSON *figures,
                          const cJSON *labels, int with_period)
{
	static const char *const period[] = {"from", "从", "from", "to", "到", "to", NULL};
	static const char *const group[] = {"group", "分组", "group", NULL};
	cJSON *rows = section(sections, zh, en, with_period ? period : period + 6, NULL);
	cJSON *columns = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(sections, cJSON_GetArraySize(sections) - 1),
	                                                  "columns");
	add_column(columns, group[0], both(group[1], group[2]));
	const cJSON *f;
	cJSON_ArrayForEach(f, figures) {
		char key[200];
		add_column(columns, f->string, metric_title(f->string, labels));
		if (strcmp(f->string, "answers") == 0)
			continue;
		snprintf(key, sizeof key, "%s_n", f->string);
		add_column(columns, key, both("样本量", "n"));
		snprintf(key, sizeof key, "%s_ci_low", f->string);
		add_column(columns, key, both("置信区间下限", "95% CI low"));
		snprintf(key, sizeof key, "%s_ci_high", f->string);
		add_column(columns, key, both("置信区间上限", "95% CI high"));
	}
	return rows;
}

static void figure_cells(cJSON *row, const cJSON *figures)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, figures) {
		add_cell(row, cJSON_GetObjectItemCaseSensitive(f, "value"));
		if (strcmp(f->string, "answers") == 0)
			continue;
		const cJSON *ci = cJSON_GetObjectItemCaseSensitive(f, "ci");
		add_cell(row, cJSON_GetObjectItemCaseSensitive(f, "n"));
		add_cell(row, cJSON_GetArrayItem(ci, 0));
		add_cell(row, cJSON_GetArrayItem(ci, 1));
	}
}

static const char *group_name(const cJSON *g)
{
	const char *v = vocd_json_str(g, "value");
	return v ? v : "*";
}

cJSON *vocd_report_figures(cJSON *stats)
{
	cJSON *r = report_base("figures", "评价统计", "Figures", vocd_json_str(stats, "from"), vocd_json_str(stats, "to"));
	cJSON *sections = cJSON_GetObjectItemCaseSensitive(r, "sections");
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(stats, "groups"), *g;
	const cJSON *first = cJSON_GetArrayItem(groups, 0);
	const cJSON *sample = cJSON_GetObjectItemCaseSensitive(first, "total");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(stats, "labels");
	if (sample) {
		cJSON *rows = figure_rows(sections, "合计", "Totals", sample, labels, 0);
		cJSON_ArrayForEach(g, groups) {
			cJSON *row = cJSON_CreateArray();
			cJSON_AddItemToArray(row, cJSON_CreateString(group_name(g)));
			figure_cells(row, cJSON_GetObjectItemCaseSensitive(g, "total"));
			cJSON_AddItemToArray(rows, row);
		}
	}
	const cJSON *buckets = cJSON_GetObjectItemCaseSensitive(first, "buckets");
	if (buckets && sample) {
		cJSON *rows = figure_rows(sections, "趋势", "Trend", sample, labels, 1);
		cJSON *chart = cJSON_AddObjectToObject(r, "chart");
		cJSON_AddItemToObject(chart, "title", both("满意度与净推荐值趋势", "CSAT and NPS over time"));
		cJSON *series = cJSON_AddArrayToObject(chart, "series");
		cJSON_ArrayForEach(g, groups) {
			const cJSON *b;
			for (const char *const *m = (const char *const[]){"csat", "nps", NULL}; *m; m++) {
				if (!cJSON_GetObjectItemCaseSensitive(sample, *m))
					continue;
				cJSON *s = cJSON_CreateObject();
				char name[200];
				snprintf(name, sizeof name, "%s %s", group_name(g), strcmp(*m, "csat") == 0 ? "CSAT %" : "NPS");
				cJSON_AddStringToObject(s, "name", name);
				cJSON *points = cJSON_AddArrayToObject(s, "points");
				cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(g, "buckets")) {
					const cJSON *fig = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "figures"), *m);
					const cJSON *y = cJSON_GetObjectItemCaseSensitive(fig, "value");
					cJSON *p = cJSON_CreateObject();
					cJSON_AddStringToObject(p, "x", vocd_json_str(b, "from"));
					cJSON_AddItemToObject(p, "y", cJSON_IsNumber(y) ? cJSON_CreateNumber(y->valuedouble) : cJSON_CreateNull());
					cJSON_AddItemToArray(points, p);
				}
				cJSON_AddItemToArray(series, s);
			}
			cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(g, "buckets")) {
				cJSON *row = cJSON_CreateArray();
				cJSON_AddItemToArray(row, cJSON_CreateString(vocd_json_str(b, "from")));
				cJSON_AddItemToArray(row, cJSON_CreateString(vocd_json_str(b, "to")));
				cJSON_AddItemToArray(row, cJSON_CreateString(group_name(g)));
				figure_cells(row, cJSON_GetObjectItemCaseSensitive(b, "figures"));
				cJSON_AddItemToArray(rows, row);
			}
		}
	}
	cJSON_AddItemToObject(r, "data", stats);
	return r;
}

/* ---- Compliance ---------------------------------------------------------------------------------- */

struct month {
	const struct vocd_tenant_conf *conf;
	int32_t from, to;
	int given, withdrawn, erased, reads, exports;
	cJSON *hidden_rows, *access_rows;
};

static int in_month(const struct month *m, double ms)
{
	int32_t day = vocd_calendar_day_of(&m->conf->calendar.cal, (int64_t)ms);
	return ms > 0 && day >= m->from && day <= m->to;
}

static double num(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void utc(double ms, cJSON *row)
{
	char t[32];
	vocd_utc_text(ms, t);
	cJSON_AddItemToArray(row, cJSON_CreateString(t));
}

static void str_cell(cJSON *row, const char *s)
{
	cJSON_AddItemToArray(row, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static int visit_consent(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	struct month *m = arg;
	cJSON *c = cJSON_ParseWithLength(data, len);
	if (!c)
		return VOCD_ENOMEM;
	if (in_month(m, num(c, "time"))) {
		if (vocd_json_str(c, "action") && strcmp(vocd_json_str(c, "action"), "withdraw") == 0)
			m->withdrawn++;
		else
			m->given++;
	}
	cJSON_Delete(c);
	return 0;
}

static int visit_customer(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	struct month *m = arg;
	cJSON *c = cJSON_ParseWithLength(data, len);
	if (!c)
		return VOCD_ENOMEM;
	m->erased += in_month(m, num(c, "erased_at")) || in_month(m, num(c, "consent_withdrawn_at"));
	cJSON_Delete(c);
	return 0;
}

static int visit_hidden(const char *id, const void *data, size_t len, void *arg)
{
	struct month *m = arg;
	cJSON *h = cJSON_ParseWithLength(data, len);
	if (!h)
		return VOCD_ENOMEM;
	if (in_month(m, num(h, "at"))) {
		cJSON *row = cJSON_CreateArray();
		str_cell(row, id);
		utc(num(h, "at"), row);
		str_cell(row, vocd_json_str(h, "reason"));
		str_cell(row, vocd_json_str(h, "note"));
		const cJSON *by = cJSON_GetObjectItemCaseSensitive(h, "by");
		str_cell(row, vocd_json_str(by, "person") ? vocd_json_str(by, "person") : vocd_json_str(by, "role"));
		const cJSON *ap = cJSON_GetObjectItemCaseSensitive(h, "approved_by");
		str_cell(row, cJSON_IsString(ap) ? ap->valuestring : vocd_json_str(ap, "person") ? vocd_json_str(ap, "person")
		                                                                                  : vocd_json_str(ap, "role"));
		cJSON_AddItemToArray(m->hidden_rows, row);
	}
	cJSON_Delete(h);
	return 0;
}

static int visit_access(const char *id, const void *data, size_t len, void *arg)
{
	struct month *m = arg;
	cJSON *a = cJSON_ParseWithLength(data, len);
	if (!a)
		return VOCD_ENOMEM;
	if (in_month(m, num(a, "time"))) {
		const char *action = vocd_json_str(a, "action");
		int export = action && strcmp(action, "export") == 0;
		m->exports += export;
		m->reads += !export;
		const cJSON *who = cJSON_GetObjectItemCaseSensitive(a, "who");
		cJSON *row = cJSON_CreateArray();
		str_cell(row, id);
		utc(num(a, "time"), row);
		str_cell(row, action);
		str_cell(row, vocd_json_str(cJSON_GetObjectItemCaseSensitive(a, "what"), "customer"));
		str_cell(row, vocd_json_str(who, "person") ? vocd_json_str(who, "person") : vocd_json_str(who, "id"));
		str_cell(row, vocd_json_str(who, "role"));
		str_cell(row, vocd_json_str(a, "why"));
		cJSON_AddItemToArray(m->access_rows, row);
	}
	cJSON_Delete(a);
	return 0;
}

static void count_row(cJSON *rows, const char *zh, const char *en, double n)
{
	cJSON *row = cJSON_CreateArray();
	char label[160];
	snprintf(label, sizeof label, "%s / %s", zh, en);
	cJSON_AddItemToArray(row, cJSON_CreateString(label));
	cJSON_AddItemToArray(row, cJSON_CreateNumber(n));
	cJSON_AddItemToArray(rows, row);
}

int vocd_report_compliance(vocd_store *st, const char *tenant, const struct vocd_tenant_conf *conf, int32_t from,
                           int32_t to, cJSON **out)
{
	struct month m = {conf, from, to, 0, 0, 0, 0, 0, cJSON_CreateArray(), cJSON_CreateArray()};
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc == 0) {
		if ((rc = vocd_rec_scan(txn, tenant, VOCD_CONSENT_TYPE, NULL, visit_consent, &m)) >= 0 &&
		    (rc = vocd_rec_scan(txn, tenant, VOCD_CUSTOMER_TYPE, NULL, visit_customer, &m)) >= 0 &&
		    (rc = vocd_rec_scan(txn, tenant, VOCD_HIDDEN_TYPE, NULL, visit_hidden, &m)) >= 0)
			rc = vocd_rec_scan(txn, tenant, VOCD_PRIVACY_ACCESS_TYPE, NULL, visit_access, &m);
		vocd_txn_end(txn);
	}
	struct vocd_audit_report ar;
	cJSON *audit = NULL;
	if (rc >= 0 && (rc = vocd_audit_verify(st, tenant, &ar)) == 0)
		rc = vocd_audit_report_json(tenant, &ar, &audit);
	if (rc != 0) {
		cJSON_Delete(m.hidden_rows);
		cJSON_Delete(m.access_rows);
		return rc;
	}
	char f[16], t[16];
	vocd_calendar_day_text(from, f);
	vocd_calendar_day_text(to, t);
	cJSON *r = report_base("compliance", "月度合规报告", "Monthly compliance report", f, t);
	cJSON *sections = cJSON_GetObjectItemCaseSensitive(r, "sections");
	int hidden = cJSON_GetArraySize(m.hidden_rows);
	cJSON *rows = section(sections, "本月概况", "The month at a glance",
	                      (const char *const[]){"item", "项目", "item", "count", "数量", "count", NULL}, NULL);
	count_row(rows, "同意记录", "consents given", m.given);
	count_row(rows, "撤回同意", "consents withdrawn", m.withdrawn);
	count_row(rows, "已匿名化的客户", "customers anonymised", m.erased);
	count_row(rows, "隐藏的评价", "evaluations hidden", hidden);
	count_row(rows, "个人信息明文查看", "unmasked reads of personal data", m.reads);
	count_row(rows, "个人信息导出", "exports of personal data", m.exports);
	cJSON *audit_row = cJSON_CreateArray();
	cJSON_AddItemToArray(audit_row, cJSON_CreateString("审计链校验 / audit chain verified"));
	cJSON_AddItemToArray(audit_row, cJSON_CreateString(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(audit, "ok"))
	                                                   ? "ok" : "BROKEN"));
	cJSON_AddItemToArray(rows, audit_row);
	section(sections, "隐藏的评价及理由", "Evaluations hidden, and why",
	        (const char *const[]){"evaluation", "评价", "evaluation", "at", "时间", "at", "reason", "理由", "reason",
	                              "note", "说明", "note", "by", "申请人", "by", "approved_by", "批准人", "approved by",
	                              NULL},
	        m.hidden_rows);
	section(sections, "个人信息的明文查看与导出", "Unmasked reads and exports of personal data",
	        (const char *const[]){"id", "编号", "id", "at", "时间", "at", "action", "操作", "action", "customer", "客户",
	                              "customer", "who", "操作人", "who", "role", "角色", "role", "why", "原因", "why", NULL},
	        m.access_rows);
	cJSON *data = cJSON_AddObjectToObject(r, "data");
	cJSON_AddNumberToObject(data, "consents_given", m.given);
	cJSON_AddNumberToObject(data, "consents_withdrawn", m.withdrawn);
	cJSON_AddNumberToObject(data, "customers_anonymised", m.erased);
	cJSON_AddNumberToObject(data, "evaluations_hidden", hidden);
	cJSON_AddNumberToObject(data, "unmasked_reads", m.reads);
	cJSON_AddNumberToObject(data, "exports", m.exports);
	cJSON_AddItemToObject(data, "audit", audit);
	*out = r;
	return 0;
}

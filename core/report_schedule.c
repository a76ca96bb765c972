/* Scheduled reports: the timers, the run of a due entry, and the file read back for its notifications. */
#include "report_schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "bus.h"
#include "calendar.h"
#include "error.h"
#include "ids.h"
#include "log.h"
#include "notify.h"
#include "record.h"
#include "report.h"
#include "report_render.h"
#include "stats_query.h"
#include "token.h"

#define RECIPIENTS_MAX 500
#define DAY_MS 86400000LL

/* ---- When ---------------------------------------------------------------------------------------- */

static void timer_key(const char *id, char out[80])
{
	snprintf(out, 80, "report:%s", id);
}

/* "<entry id>.2026-11-01": one run per entry and period. */
static void run_id(const char *id, int32_t from, char out[96])
{
	char day[16];
	vocd_calendar_day_text(from, day);
	snprintf(out, 96, "%s.%s", id, day);
}

/* "2026-12-01 08:00" in the tenant's local time, for the log. */
static void local_text(const struct vocd_calendar *cal, int64_t ms, char out[32])
{
	char day[16];
	vocd_calendar_day_text(vocd_calendar_day_of(cal, ms), day);
	int64_t local = ms + (int64_t)cal->utc_offset_min * 60000;
	int minute = (int)(((local % DAY_MS) + DAY_MS) % DAY_MS / 60000);
	snprintf(out, 32, "%s %02d:%02d", day, minute / 60, minute % 60);
}

/* Inside a write job: the entry's timer at \p at, for the time it fell at \p due; \p by, the token of an
 * admin who asked for it now (hex digits), or NULL. */
static int set_timer_by(vocd_txn *txn, const struct vocd_tenant_conf *t, const struct vocd_report_schedule *s,
                        int64_t due, int64_t at, const char *by)
{
	char key[80], data[240], when[32];
	timer_key(s->id, key);
	for (const char *c = by; c && *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			by = NULL; /* a token id is letters and digits; anything else is not written into the JSON */
	int n = snprintf(data, sizeof data, "{\"schedule\":\"%s\",\"due\":%lld%s%.16s%s}", s->id, (long long)due,
	                 by ? ",\"requested_by\":\"" : "", by ? by : "", by ? "\"" : "");
	int rc = vocd_bus_timer_set(txn, t->id, key, VOCD_REPORT_DUE, data, (size_t)n, at);
	local_text(&t->calendar.cal, due, when);
	if (rc == 0 && at > due)
		vocd_info("tenant %s: scheduled report %s: due %s (local time) and not made yet: made now", t->id, s->id, when);
	else if (rc == 0)
		vocd_info("tenant %s: scheduled report %s: next run %s (local time)", t->id, s->id, when);
	return rc;
}

static int set_timer(vocd_txn *txn, const struct vocd_tenant_conf *t, const struct vocd_report_schedule *s,
                     int64_t due, int64_t at)
{
	return set_timer_by(txn, t, s, due, at, NULL);
}

static int run_exists(vocd_txn *txn, const char *tenant, const char *id)
{
	const void *data;
	size_t len;
	return vocd_rec_get(txn, tenant, VOCD_REPORT_RUN_TYPE, id, &data, &len) == 0;
}

struct arm_job {
	const struct vocd_config *cfg;
	int64_t now;
};

static int arm_job(vocd_txn *txn, void *arg)
{
	struct arm_job *j = arg;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j->cfg->ntenants; i++) {
		const struct vocd_tenant_conf *t = &j->cfg->tenants[i];
		int offset = t->calendar.cal.utc_offset_min;
		for (size_t k = 0; rc == 0 && k < t->reports.n; k++) {
			const struct vocd_report_schedule *s = &t->reports.list[k];
			int64_t last = vocd_report_last_due(s, offset, j->now);
			int32_t from, to;
			char id[96];
			vocd_report_period(s, offset, last, &from, &to);
			run_id(s->id, from, id);
			int64_t next = vocd_report_next_due(s, offset, j->now);
			if (j->now - last < VOCD_REPORT_CATCH_UP_MS && !run_exists(txn, t->id, id))
				rc = set_timer(txn, t, s, last, j->now); /* missed while the server was down: made now */
			else
				rc = set_timer(txn, t, s, next, next);
		}
	}
	return rc;
}

int vocd_report_schedule_arm(struct vocd_server *srv)
{
	struct arm_job j = {vocd_server_config(srv), vocd_now_ms()};
	return vocd_store_write(srv->store, arm_job, &j);
}

size_t vocd_report_file_max(const struct vocd_config *cfg)
{
	size_t room = cfg->limits.lua_max_string > (64u << 10) ? cfg->limits.lua_max_string - (64u << 10) : 0;
	size_t carried = room / 4 * 3; /* base64 makes 4 characters of 3 bytes; 64 KiB left for the rest */
	return carried < VOCD_REPORT_FILE_MAX ? carried : VOCD_REPORT_FILE_MAX;
}

/* ---- The report ---------------------------------------------------------------------------------- */

/* The entry's query with the period's from and to. */
struct period_query {
	const cJSON *query;
	char from[16], to[16];
};

static int period_param(void *ctx, const char *name, char *out, size_t outlen)
{
	const struct period_query *q = ctx;
	if (strcmp(name, "from") == 0 || strcmp(name, "to") == 0) {
		int n = snprintf(out, outlen, "%s", name[0] == 'f' ? q->from : q->to);
		return n < 0 || (size_t)n >= outlen ? -1 : 0;
	}
	return vocd_stats_params_json((void *)q->query, name, out, outlen);
}

/* What a run made: the file, or why there is none. */
struct outcome {
	struct vocd_rendered file;
	cJSON *title;      /* the report's {zh-CN, en}; NULL when none was built */
	char reason[600];  /* "" when the file was made */
};

/* Builds and renders the report. \return 0 (made, or refused for good: \p o->reason), or an error to be
 * retried (the store, memory). */
static int make(struct vocd_server *srv, const struct vocd_tenant_conf *t, const struct vocd_report_schedule *s,
                int32_t from, int32_t to, struct outcome *o)
{
	cJSON *report = NULL;
	int rc = 0;
	if (strcmp(s->report, "figures") == 0) {
		/* A whole-tenant reader: the admin who wrote the tenant file chose the recipients. */
		struct vocd_token_info whole = {.role = VOCD_ROLE_ADMIN};
		snprintf(whole.tenant, sizeof whole.tenant, "%s", t->id);
		struct period_query q = {s->query, "", ""};
		vocd_calendar_day_text(from, q.from);
		vocd_calendar_day_text(to, q.to);
		struct vocd_stats_params params = {period_param, &q};
		struct vocd_stats_error err;
		cJSON *stats = vocd_stats_query(srv->store, t->id, t, &whole, &params, &err);
		if (!stats && !err.status)
			return err.store_rc;
		if (!stats) {
			snprintf(o->reason, sizeof o->reason, "query: %s", err.message);
			return 0;
		}
		report = vocd_report_figures(stats);
	} else if ((rc = vocd_report_compliance(srv->store, t->id, t, from, to, &report)) != 0) {
		return rc;
	}
	if (!report)
		return VOCD_ENOMEM;
	o->title = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(report, "title"), 1);
	char fallback[160], why[512], f[16], e[16];
	vocd_calendar_day_text(from, f);
	vocd_calendar_day_text(to, e);
	snprintf(fallback, sizeof fallback, "%s-%s-%s.%s", s->report, f, e, s->format);
	rc = vocd_report_render(srv->plugins, t->id, s->format, s->lang, report, fallback, &o->file, why, sizeof why);
	cJSON_Delete(report);
	if (rc == VOCD_ENOMEM) /* tried again by the bus */
		return rc;
	if (rc != 0) { /* the plugin's doing, or no room to write the workbook: recorded, so the next period still runs */
		snprintf(o->reason, sizeof o->reason, "%s", why[0] ? why : vocd_strerror(rc));
		return 0;
	}
	size_t max = vocd_report_file_max(vocd_server_config(srv));
	if (o->file.len > max) {
		snprintf(o->reason, sizeof o->reason, "the file is %zu bytes, more than the %zu that can be kept and sent "
		         "(the most is 8 MiB, less when limits.lua_max_string is under 11 MiB: a channel plugin carries the "
		         "file base64-encoded)", o->file.len, max);
		vocd_rendered_free(&o->file);
	}
	return 0;
}

/* ---- The run ------------------------------------------------------------------------------------- */

struct run_job {
	const struct vocd_tenant_conf *t;
	const struct vocd_report_schedule *s;
	const char *id;
	int32_t from, to;
	int64_t due, next;
	const char *requested_by; /* the token of an admin who asked for it now, or NULL */
	const struct outcome *o;
	int already; /* out: the period was done by an earlier delivery */
};

/* The people the entry names, each once. */
static int recipients(const struct vocd_tenant_conf *t, const struct vocd_report_schedule *s, const char **out)
{
	int n = 0;
	const cJSON *to;
	cJSON_ArrayForEach(to, s->to) {
		const char *found[RECIPIENTS_MAX];
		int m = vocd_notify_recipients(t, to, NULL, found, RECIPIENTS_MAX);
		for (int i = 0; i < m; i++) {
			int seen = 0;
			for (int k = 0; k < n && !seen; k++)
				seen = strcmp(out[k], found[i]) == 0;
			if (!seen && n < RECIPIENTS_MAX)
				out[n++] = found[i];
		}
	}
	return n;
}

/* Inside the run's write: a notification with the file to each recipient, in their language. */
static int notify(vocd_txn *txn, struct run_job *j, cJSON *told)
{
	const char **people = malloc(RECIPIENTS_MAX * sizeof *people);
	if (!people)
		return VOCD_ENOMEM;
	int n = recipients(j->t, j->s, people);
	cJSON *facts = cJSON_CreateObject();
	const char *zh = vocd_json_str(j->o->title, "zh-CN"), *en = vocd_json_str(j->o->title, "en");
	cJSON_AddStringToObject(facts, "name_zh", zh ? zh : j->s->id);
	cJSON_AddStringToObject(facts, "name_en", en ? en : j->s->id);
	char f[16], t[16];
	vocd_calendar_day_text(j->from, f);
	vocd_calendar_day_text(j->to, t);
	cJSON_AddStringToObject(facts, "from", f);
	cJSON_AddStringToObject(facts, "to", t);
	cJSON_AddStringToObject(facts, "file", j->o->file.filename);
	cJSON *subject = cJSON_CreateObject(), *message = cJSON_CreateObject();
	cJSON_AddStringToObject(subject, "zh-CN", "定期报表：{name_zh}（{from} 至 {to}）");
	cJSON_AddStringToObject(subject, "en", "Scheduled report: {name_en} ({from} to {to})");
	cJSON_AddStringToObject(message, "zh-CN", "定期报表“{name_zh}”（{from} 至 {to}）已生成，文件 {file}。");
	cJSON_AddStringToObject(message, "en", "The scheduled report \"{name_en}\" for {from} to {to} is ready: {file}.");
	char rule[96];
	snprintf(rule, sizeof rule, "reports.schedule:%s", j->s->id);
	struct vocd_notice notice = {rule, j->s->id, NULL, NULL, NULL, message, facts, subject, j->id};
	int rc = vocd_notify_in(txn, j->t, people, n, j->s->channel, &notice, told);
	if (rc == 0 && n == 0)
		vocd_warn("tenant %s: scheduled report %s: nobody is named by its recipients (to = …)", j->t->id, j->s->id);
	cJSON_Delete(facts);
	cJSON_Delete(subject);
	cJSON_Delete(message);
	free(people);
	return rc;
}

static int run_job(vocd_txn *txn, void *arg)
{
	struct run_job *j = arg;
	int rc = 0;
	if ((j->already = run_exists(txn, j->t->id, j->id)))
		return set_timer(txn, j->t, j->s, j->next, j->next);
	const struct outcome *o = j->o;
	cJSON *run = cJSON_CreateObject();
	char f[16], t[16];
	vocd_calendar_day_text(j->from, f);
	vocd_calendar_day_text(j->to, t);
	cJSON_AddStringToObject(run, "id", j->id);
	cJSON_AddStringToObject(run, "schedule", j->s->id);
	cJSON_AddStringToObject(run, "report", j->s->report);
	cJSON_AddStringToObject(run, "format", j->s->format);
	cJSON_AddStringToObject(run, "from", f);
	cJSON_AddStringToObject(run, "to", t);
	cJSON_AddNumberToObject(run, "due", (double)j->due);
	if (j->requested_by)
		cJSON_AddStringToObject(run, "requested_by", j->requested_by);
	cJSON_AddNumberToObject(run, "time", (double)vocd_now_ms());
	cJSON_AddStringToObject(run, "status", o->file.body ? "sent" : "failed");
	if (!o->file.body) {
		cJSON_AddStringToObject(run, "reason", o->reason);
	} else {
		unsigned char digest[32];
		char hex[65];
		vocd_sha256(o->file.body, o->file.len, digest);
		vocd_hex(digest, sizeof digest, hex);
		cJSON *file = cJSON_AddObjectToObject(run, "file");
		cJSON_AddStringToObject(file, "filename", o->file.filename);
		cJSON_AddStringToObject(file, "content_type", o->file.content_type);
		cJSON_AddNumberToObject(file, "size", (double)o->file.len);
		cJSON_AddStringToObject(file, "sha256", hex);
		rc = vocd_rec_put(txn, j->t->id, VOCD_REPORT_FILE_TYPE, j->id, o->file.body, o->file.len, NULL, 0);
		if (rc == 0)
			rc = notify(txn, j, cJSON_AddArrayToObject(run, "notifications"));
	}
	struct vocd_actor who = {{VOCD_AUDIT_ACTOR_SYSTEM, "report-schedule", NULL}, {NULL, NULL, NULL, NULL}};
	if (rc == 0)
		rc = vocd_record_put(txn, j->t->id, VOCD_REPORT_RUN_TYPE, j->id, run, NULL, 0, "report.scheduled", &who, NULL);
	cJSON_Delete(run);
	return rc == 0 ? set_timer(txn, j->t, j->s, j->next, j->next) : rc;
}

static int already_done(vocd_store *st, const char *tenant, const char *id, int *done)
{
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc == 0) {
		*done = run_exists(txn, tenant, id);
		vocd_txn_end(txn);
	}
	return rc;
}

static int on_due(const struct vocd_event *ev, void *ud)
{
	struct vocd_server *srv = ud;
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len);
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(srv), ev->tenant);
	const char *id = vocd_json_str(data, "schedule");
	const struct vocd_report_schedule *s = t ? vocd_report_schedule_find(&t->reports, id) : NULL;
	const cJSON *due_item = cJSON_GetObjectItemCaseSensitive(data, "due");
	if (!s || !cJSON_IsNumber(due_item)) { /* an entry removed from the tenant file: its timer ends here */
		cJSON_Delete(data);
		return 0;
	}
	int offset = t->calendar.cal.utc_offset_min;
	int64_t due = (int64_t)due_item->valuedouble, now = vocd_now_ms();
	char by[17] = "";
	snprintf(by, sizeof by, "%s", vocd_json_str(data, "requested_by") ? vocd_json_str(data, "requested_by") : "");
	struct run_job j = {t, s, NULL, 0, 0, due, vocd_report_next_due(s, offset, now > due ? now : due),
	                    by[0] ? by : NULL, NULL, 0};
	cJSON_Delete(data);
	char rid[96];
	vocd_report_period(s, offset, due, &j.from, &j.to);
	run_id(s->id, j.from, rid);
	j.id = rid;
	int done = 0, rc = already_done(srv->store, t->id, rid, &done);
	struct outcome o;
	memset(&o, 0, sizeof o);
	if (rc == 0 && !done)
		rc = make(srv, t, s, j.from, j.to, &o);
	j.o = &o;
	if (rc == 0)
		rc = vocd_store_write(srv->store, run_job, &j);
	if (rc != 0)
		vocd_warn("tenant %s: scheduled report %s: %s (tried again)", t->id, s->id, vocd_strerror(rc));
	else if (!done && !j.already && o.reason[0])
		vocd_warn("tenant %s: scheduled report %s for %s not made: %s", t->id, s->id, rid, o.reason);
	else if (!done && !j.already)
		vocd_info("tenant %s: scheduled report %s made (%s, %zu bytes)", t->id, s->id, rid, o.file.len);
	vocd_rendered_free(&o.file);
	cJSON_Delete(o.title);
	return rc;
}

int vocd_report_schedule_start(struct vocd_server *srv)
{
	return vocd_bus_subscribe(srv->bus, "core:reports", VOCD_REPORT_DUE, on_due, srv);
}

/* ---- Now, by hand ---------------------------------------------------------------------------------- */

struct now_job {
	const struct vocd_tenant_conf *t;
	const struct vocd_report_schedule *s;
	const char *by;
	int64_t now;
	char *run;
	int32_t from, to;
};

static int now_job(vocd_txn *txn, void *arg)
{
	struct now_job *j = arg;
	int offset = j->t->calendar.cal.utc_offset_min;
	int64_t last = vocd_report_last_due(j->s, offset, j->now);
	vocd_report_period(j->s, offset, last, &j->from, &j->to);
	run_id(j->s->id, j->from, j->run);
	if (run_exists(txn, j->t->id, j->run))
		return VOCD_EEXIST;
	return set_timer_by(txn, j->t, j->s, last, j->now, j->by); /* as a time missed while the server was down */
}

int vocd_report_schedule_now(struct vocd_server *srv, const char *tenant, const char *id, const char *by,
                             char run[96], int32_t *from, int32_t *to)
{
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(srv), tenant);
	const struct vocd_report_schedule *s = t ? vocd_report_schedule_find(&t->reports, id) : NULL;
	run[0] = '\0';
	if (!s)
		return VOCD_ENOTFOUND;
	struct now_job j = {t, s, by, vocd_now_ms(), run, 0, 0};
	int rc = vocd_store_write(srv->store, now_job, &j);
	*from = j.from;
	*to = j.to;
	return rc;
}

/* ---- The file ----------------------------------------------------------------------------------------- */

int vocd_report_file(vocd_store *st, const char *tenant, const char *run, struct vocd_rendered *out)
{
	memset(out, 0, sizeof *out);
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	cJSON *rec = NULL;
	const void *data;
	if ((rc = vocd_record_get(txn, tenant, VOCD_REPORT_RUN_TYPE, run, &rec)) == 0)
		rc = vocd_rec_get(txn, tenant, VOCD_REPORT_FILE_TYPE, run, &data, &out->len);
	if (rc == 0 && !(out->body = malloc(out->len ? out->len : 1)))
		rc = VOCD_ENOMEM;
	if (rc == 0)
		memcpy(out->body, data, out->len);
	vocd_txn_end(txn);
	/* As the run recorded them when the file was rendered (report_render.h made them safe). */
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(rec, "file");
	const char *name = vocd_json_str(file, "filename"), *type = vocd_json_str(file, "content_type");
	snprintf(out->filename, sizeof out->filename, "%s", name ? name : "report");
	snprintf(out->content_type, sizeof out->content_type, "%s", type ? type : "application/octet-stream");
	cJSON_Delete(rec);
	return rc;
}

int vocd_report_attachment(vocd_store *st, const char *tenant, const char *run, cJSON **out)
{
	*out = NULL;
	struct vocd_rendered file;
	char *text = NULL;
	size_t written = 0;
	int rc = vocd_report_file(st, tenant, run, &file);
	size_t cap = rc == 0 ? 4 * ((file.len + 2) / 3) + 1 : 0;
	if (rc == 0 && !(text = malloc(cap)))
		rc = VOCD_ENOMEM;
	if (rc == 0 &&
	    mbedtls_base64_encode((unsigned char *)text, cap, &written, (const unsigned char *)file.body, file.len) != 0)
		rc = VOCD_EINTERNAL;
	if (rc == 0) {
		cJSON *a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "filename", file.filename);
		cJSON_AddStringToObject(a, "content_type", file.content_type);
		cJSON_AddStringToObject(a, "content_base64", text);
		*out = a;
	}
	free(text);
	vocd_rendered_free(&file);
	return rc;
}

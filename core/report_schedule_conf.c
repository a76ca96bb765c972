/* The tenant's scheduled reports: each entry checked with an error that names it, and the times it falls. */
#include "report_schedule_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "error.h"
#include "rollup.h"
#include "stats_query.h"
#include "token.h"
#include "validate.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define RECIPIENTS_MAX 50

static const char *const setting_keys[] = {"schedule", NULL};
static const char *const entry_keys[] = {"id", "report", "format", "every", "weekday", "day", "at", "query",
                                         "to", "channel", "lang", NULL};
static const char *const weekdays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                       "sunday", NULL};
/* The stats query's parameters a schedule may give; from and to are the schedule's own period. */
static const char *const query_keys[] = {"interval", "group_by", "metrics", "suspect", "compare", "min_sample", NULL};

static void free_entry(struct vocd_report_schedule *e)
{
	free(e->id);
	free(e->report);
	free(e->format);
	free(e->lang);
	cJSON_Delete(e->query);
	cJSON_Delete(e->to);
	cJSON_Delete(e->channel);
}

void vocd_report_schedules_free(struct vocd_report_schedules *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free_entry(&s->list[i]);
	free(s->list);
	memset(s, 0, sizeof *s);
}

const struct vocd_report_schedule *vocd_report_schedule_find(const struct vocd_report_schedules *s, const char *id)
{
	for (size_t i = 0; s && id && i < s->n; i++)
		if (strcmp(s->list[i].id, id) == 0)
			return &s->list[i];
	return NULL;
}

/* ---- Reading ------------------------------------------------------------------------------------- */

static int enabled(const struct vocd_tenant_conf *t, const char *kind, const char *name)
{
	for (size_t i = 0; i < t->nplugins; i++)
		if (strcmp(t->plugins[i].kind, kind) == 0 && strcmp(t->plugins[i].name, name) == 0)
			return 1;
	return 0;
}

/* "08:00" -> 480; -1 when it is not such a time. */
static int parse_at(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

static const char *str(const cJSON *e, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, key));
}

/* The figures query, checked as the stats query checks it for a whole-tenant reader. */
static int check_query(const cJSON *q, const struct vocd_tenant_conf *t, const char *at, char *why, size_t wl)
{
	if (!cJSON_IsObject(q))
		return vocd_config_error(why, wl, "%s: expected the parameters of GET /api/v1/stats, such as "
		                         "{ interval = \"week\", group_by = \"team\" }", at);
	for (const cJSON *p = q->child; p; p = p->next) {
		int known = 0;
		for (const char *const *k = query_keys; *k; k++)
			known |= strcmp(p->string, *k) == 0;
		for (const char *const *d = vocd_rollup_dimensions; *d; d++)
			known |= strcmp(p->string, *d) == 0;
		if (strcmp(p->string, "from") == 0 || strcmp(p->string, "to") == 0)
			return vocd_config_error(why, wl, "%s.%s: not here: the period is the schedule's (the day, week or "
			                         "month just finished)", at, p->string);
		if (!known)
			return vocd_config_error(why, wl, "%s: unknown parameter '%s' (known: interval, group_by, metrics, "
			                         "suspect, compare, min_sample, and filters such as team)", at, p->string);
		if (!cJSON_IsString(p) && !cJSON_IsNumber(p))
			return vocd_config_error(why, wl, "%s.%s: expected text or a number", at, p->string);
	}
	struct vocd_token_info whole = {.role = VOCD_ROLE_ADMIN};
	struct vocd_stats_params params = {vocd_stats_params_json, (void *)q};
	struct vocd_stats_error err;
	if (vocd_stats_query_check(t, &whole, &params, &err) != 0)
		return vocd_config_error(why, wl, "%s: %s", at, err.status ? err.message : vocd_strerror(err.store_rc));
	return 0;
}

static int check_recipients(const cJSON *to, const struct vocd_tenant_conf *t, const char *at, char *why, size_t wl)
{
	int n = cJSON_GetArraySize(to);
	if (!cJSON_IsArray(to) || n < 1 || n > RECIPIENTS_MAX)
		return vocd_config_error(why, wl, "%s.to: expected a list of recipients such as { { role = \"supervisor\" }, "
		                         "{ person = \"li.ming\" } }", at);
	int i = 0;
	for (const cJSON *r = to->child; r; r = r->next, i++) {
		static const char *const forms[] = {"person", "role", "team", NULL};
		int given = 0;
		for (const char *const *f = forms; *f; f++)
			given += cJSON_GetObjectItemCaseSensitive(r, *f) != NULL;
		if (!cJSON_IsObject(r) || given != 1 || cJSON_GetArraySize(r) != 1)
			return vocd_config_error(why, wl, "%s.to[%d]: expected one of { person = \"…\" }, { role = \"…\" } or "
			                         "{ team = \"…\" }", at, i + 1);
		const char *person = str(r, "person"), *name = person ? person : str(r, "role") ? str(r, "role") : str(r, "team");
		if (!name || !name[0])
			return vocd_config_error(why, wl, "%s.to[%d]: expected a name in quotes", at, i + 1);
		if (person && !vocd_people_find(&t->people, person))
			return vocd_config_error(why, wl, "%s.to[%d].person: \"%s\" is not one of the tenant's people", at, i + 1,
			                         person);
	}
	return 0;
}

static int check_channels(const cJSON *ch, const struct vocd_tenant_conf *t, const char *at, char *why, size_t wl)
{
	int n = cJSON_IsArray(ch) ? cJSON_GetArraySize(ch) : 1;
	if (!ch || (!cJSON_IsString(ch) && !cJSON_IsArray(ch)) || n < 1 || n > 5)
		return vocd_config_error(why, wl, "%s.channel: expected a channel such as \"email\", or a list of them", at);
	for (int i = 0; i < n; i++) {
		const char *c = cJSON_IsArray(ch) ? cJSON_GetStringValue(cJSON_GetArrayItem(ch, i)) : ch->valuestring;
		if (!vocd_name_valid(c))
			return vocd_config_error(why, wl, "%s.channel: expected the name of a channel plugin such as \"email\"", at);
		if (!enabled(t, "channel", c))
			return vocd_config_error(why, wl, "%s.channel: \"%s\": the tenant has not enabled the plugin channels/%s "
			                         "(plugins = { [\"channels/%s\"] = { … } })", at, c, c, c);
	}
	return 0;
}

static int read_entry(const cJSON *e, const struct vocd_tenant_conf *t, const char *at,
                      struct vocd_report_schedule *out, char *why, size_t wl)
{
	int rc = vocd_config_known(e, at, entry_keys, 0, why, wl);
	if (rc != 0)
		return rc;
	const char *id = str(e, "id"), *report = str(e, "report"), *format = str(e, "format"), *every = str(e, "every");
	const char *time = str(e, "at"), *lang = str(e, "lang");
	if (!vocd_name_valid(id))
		return vocd_config_error(why, wl, "%s.id: expected a name of 1 to 64 of a-z, 0-9, _ and -, such as "
		                         "\"monthly-figures\"", at);
	if (!report || (strcmp(report, "figures") && strcmp(report, "compliance")))
		return vocd_config_error(why, wl, "%s.report: expected \"figures\" or \"compliance\"", at);
	if (!vocd_name_valid(format))
		return vocd_config_error(why, wl, "%s.format: expected a report format such as \"xlsx\", \"csv\", "
		                         "\"html\" or \"json\"", at);
	if (!enabled(t, "report", format))
		return vocd_config_error(why, wl, "%s.format: \"%s\": the tenant has not enabled the plugin reports/%s "
		                         "(plugins = { [\"reports/%s\"] = true })", at, format, format, format);
	if (!every || (strcmp(every, "day") && strcmp(every, "week") && strcmp(every, "month")))
		return vocd_config_error(why, wl, "%s.every: expected \"day\", \"week\" or \"month\"", at);
	out->every = every[0] == 'd' ? VOCD_REPORT_DAILY : every[0] == 'w' ? VOCD_REPORT_WEEKLY : VOCD_REPORT_MONTHLY;
	const cJSON *weekday = cJSON_GetObjectItemCaseSensitive(e, "weekday"), *day = cJSON_GetObjectItemCaseSensitive(e, "day");
	if (out->every == VOCD_REPORT_WEEKLY) {
		out->weekday = -1;
		for (int i = 0; weekdays[i] && cJSON_IsString(weekday); i++)
			if (strcmp(weekday->valuestring, weekdays[i]) == 0)
				out->weekday = i;
		if (out->weekday < 0)
			return vocd_config_error(why, wl, "%s.weekday: expected the day of the week it is sent, \"monday\" to "
			                         "\"sunday\"", at);
	} else if (weekday) {
		return vocd_config_error(why, wl, "%s.weekday: only with every = \"week\"", at);
	}
	if (out->every == VOCD_REPORT_MONTHLY) {
		double d = cJSON_GetNumberValue(day);
		if (!cJSON_IsNumber(day) || d != (int)d || d < 1 || d > 28)
			return vocd_config_error(why, wl, "%s.day: expected the day of the month it is sent, 1 to 28 (every "
			                         "month has it)", at);
		out->day = (int)d;
	} else if (day) {
		return vocd_config_error(why, wl, "%s.day: only with every = \"month\" (a week has weekday)", at);
	}
	if (!time || (out->at_min = parse_at(time)) < 0)
		return vocd_config_error(why, wl, "%s.at: expected a local time such as \"08:00\" (00:00 to 23:59), got %s%s%s",
		                         at, time ? "\"" : "", time ? time : cJSON_GetObjectItemCaseSensitive(e, "at") ?
		                         "something else (is it in quotes?)" : "nothing", time ? "\"" : "");
	if (lang && strcmp(lang, "zh-CN") && strcmp(lang, "en"))
		return vocd_config_error(why, wl, "%s.lang: expected \"zh-CN\" or \"en\"", at);
	const cJSON *query = cJSON_GetObjectItemCaseSensitive(e, "query");
	if (query && !(cJSON_IsObject(query) && !query->child) && strcmp(report, "figures") != 0)
		return vocd_config_error(why, wl, "%s.query: only for report = \"figures\"", at);
	if (strcmp(report, "compliance") == 0 && out->every != VOCD_REPORT_MONTHLY)
		return vocd_config_error(why, wl, "%s.every: the compliance report covers a month: every = \"month\"", at);
	char qat[64];
	snprintf(qat, sizeof qat, "%s.query", at);
	if ((query && (rc = check_query(query, t, qat, why, wl)) != 0) ||
	    (rc = check_recipients(cJSON_GetObjectItemCaseSensitive(e, "to"), t, at, why, wl)) != 0 ||
	    (rc = check_channels(cJSON_GetObjectItemCaseSensitive(e, "channel"), t, at, why, wl)) != 0)
		return rc;
	out->id = strdup(id);
	out->report = strdup(report);
	out->format = strdup(format);
	out->lang = strdup(lang ? lang : "zh-CN");
	out->query = query ? cJSON_Duplicate(query, 1) : cJSON_CreateObject();
	out->to = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "to"), 1);
	out->channel = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "channel"), 1);
	return out->id && out->report && out->format && out->lang && out->query && out->to && out->channel ? 0 : VOCD_ENOMEM;
}

int vocd_report_schedules_parse(const cJSON *s, const struct vocd_tenant_conf *t, struct vocd_report_schedules *out,
                                char *why, size_t wl)
{
	memset(out, 0, sizeof *out);
	if (!s)
		return 0;
	if (!cJSON_IsObject(s))
		return vocd_config_error(why, wl, "reports: expected { schedule = { { id = …, report = …, … } } }");
	int rc = vocd_config_known(s, "reports", setting_keys, 0, why, wl);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "schedule");
	if (rc != 0 || !list || (cJSON_IsObject(list) && !list->child))
		return rc;
	int n = cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || n > VOCD_REPORT_SCHEDULES_MAX)
		return vocd_config_error(why, wl, "reports.schedule: expected a list of up to %d entries { id = …, report = …, "
		                         "format = …, every = …, at = …, to = …, channel = … }", VOCD_REPORT_SCHEDULES_MAX);
	if (!(out->list = calloc((size_t)n, sizeof *out->list)))
		return VOCD_ENOMEM;
	for (const cJSON *e = list->child; rc == 0 && e; e = e->next) {
		char at[48];
		snprintf(at, sizeof at, "reports.schedule[%zu]", out->n + 1);
		if (!cJSON_IsObject(e))
			rc = vocd_config_error(why, wl, "%s: expected { id = …, report = …, format = …, every = …, at = …, "
			                       "to = …, channel = … }", at);
		else if ((rc = read_entry(e, t, at, &out->list[out->n], why, wl)) == 0 &&
		         vocd_report_schedule_find(out, out->list[out->n].id))
			rc = vocd_config_error(why, wl, "%s.id: \"%s\" is given twice", at, out->list[out->n].id);
		out->n++; /* counted even when half read, so that it is freed */
	}
	if (rc != 0)
		vocd_report_schedules_free(out);
	return rc;
}

/* ---- When ---------------------------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* Whether the entry falls on local day number \p n (days since 1970-01-01). */
static int falls_on(const struct vocd_report_schedule *s, int64_t n)
{
	if (s->every == VOCD_REPORT_WEEKLY)
		return (n % 7 + 7 + 3) % 7 == s->weekday; /* 1970-01-01 was a Thursday (3) */
	if (s->every == VOCD_REPORT_MONTHLY)
		return vocd_calendar_date(n) % 100 == s->day;
	return 1;
}

/* The instant of the entry's time on local day number \p n. */
static int64_t instant(const struct vocd_report_schedule *s, int utc_offset_min, int64_t n)
{
	return n * DAY_MS + (int64_t)(s->at_min - utc_offset_min) * MIN_MS;
}

int64_t vocd_report_next_due(const struct vocd_report_schedule *s, int utc_offset_min, int64_t after_ms)
{
	int64_t n = floor_div(after_ms + (int64_t)utc_offset_min * MIN_MS, DAY_MS);
	for (int64_t d = n;; d++) /* a month has the day within 31 days */
		if (falls_on(s, d) && instant(s, utc_offset_min, d) > after_ms)
			return instant(s, utc_offset_min, d);
}

int64_t vocd_report_last_due(const struct vocd_report_schedule *s, int utc_offset_min, int64_t at_ms)
{
	int64_t n = floor_div(at_ms + (int64_t)utc_offset_min * MIN_MS, DAY_MS);
	for (int64_t d = n;; d--)
		if (falls_on(s, d) && instant(s, utc_offset_min, d) <= at_ms)
			return instant(s, utc_offset_min, d);
}

void vocd_report_period(const struct vocd_report_schedule *s, int utc_offset_min, int64_t due_ms, int32_t *from,
                        int32_t *to)
{
	int64_t n = floor_div(due_ms + (int64_t)utc_offset_min * MIN_MS, DAY_MS);
	if (s->every == VOCD_REPORT_DAILY) {
		*from = *to = vocd_calendar_date(n - 1);
	} else if (s->every == VOCD_REPORT_WEEKLY) {
		int64_t monday = n - (n % 7 + 7 + 3) % 7;
		*from = vocd_calendar_date(monday - 7);
		*to = vocd_calendar_date(monday - 1);
	} else {
		int32_t first = vocd_calendar_date(n) / 100 * 100 + 1; /* the first of this month */
		*to = vocd_calendar_date(vocd_calendar_day_number(first) - 1);
		*from = *to / 100 * 100 + 1;
	}
}

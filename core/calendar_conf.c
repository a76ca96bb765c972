/* The tenant's calendar setting: working hours by weekday, holidays and adjusted working days written as
 * an admin writes them ("09:00-12:00", "2026-10-01..2026-10-07"), checked, and made into a calendar. */
#include "calendar_conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MAX_DAYS 4000  /* holidays and adjusted working days together: ten years of them and more */
#define MAX_RANGE 366  /* days in one "from..to" range */

static const char *const day_names[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                         "sunday"};
static const char *const known_keys[] = {"utc_offset", "hours", "holidays", "workdays", "workday_as", NULL};

static int weekday_of(const char *name)
{
	for (int d = 0; d < 7; d++)
		if (strcmp(name, day_names[d]) == 0)
			return d;
	return -1;
}

/* "HH:MM" (00:00 to 24:00) -> minutes; -1 otherwise. */
static int clock_minutes(const char *s, const char **end)
{
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' && s[3] >= '0' &&
	      s[3] <= '5' && s[4] >= '0' && s[4] <= '9'))
		return -1;
	int m = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
	*end = s + 5;
	return m <= 1440 ? m : -1;
}

static int parse_hours_of(const cJSON *list, const char *path, struct vocd_calendar *c, int d, char *why, size_t wl)
{
	c->nperiods[d] = 0;
	if (cJSON_IsFalse(list) || (cJSON_IsObject(list) && !list->child)) /* false or {}: no working hours */
		return 0;
	if (!cJSON_IsArray(list))
		return vocd_config_error(why, wl, "%s: expected a list such as { \"09:00-12:00\", \"13:30-18:00\" } or false", path);
	int i = 0;
	for (const cJSON *p = list->child; p; p = p->next, i++) {
		const char *s = cJSON_GetStringValue(p), *e;
		int start, end;
		if (i >= VOCD_CAL_PERIODS)
			return vocd_config_error(why, wl, "%s: at most %d working periods a day", path, VOCD_CAL_PERIODS);
		if (!s || (start = clock_minutes(s, &e)) < 0 || *e != '-' || (end = clock_minutes(e + 1, &e)) < 0 || *e)
			return vocd_config_error(why, wl, "%s[%d]: expected hours such as \"09:00-12:00\", got %s%s%s", path, i + 1,
			            s ? "\"" : "", s ? s : "something else", s ? "\"" : "");
		c->week[d][i] = (struct vocd_work_period){start, end};
	}
	c->nperiods[d] = i;
	return 0;
}

static int parse_hours(const cJSON *hours, struct vocd_calendar *c, char *why, size_t wl)
{
	if (!cJSON_IsObject(hours))
		return vocd_config_error(why, wl, "calendar.hours: expected a table { weekdays = { \"09:00-18:00\" }, saturday = … }");
	for (int d = 0; d < 7; d++)
		c->nperiods[d] = 0;
	char path[64];
	const cJSON *weekdays = cJSON_GetObjectItemCaseSensitive(hours, "weekdays");
	for (int d = 0; weekdays && d < 5; d++)
		if (parse_hours_of(weekdays, "calendar.hours.weekdays", c, d, why, wl) != 0)
			return VOCD_ECONFIG;
	for (const cJSON *h = hours->child; h; h = h->next) {
		if (strcmp(h->string, "weekdays") == 0)
			continue;
		int d = weekday_of(h->string);
		if (d < 0)
			return vocd_config_error(why, wl, "calendar.hours.%s: not a day (expected weekdays, monday … sunday)", h->string);
		snprintf(path, sizeof path, "calendar.hours.%s", h->string);
		if (parse_hours_of(h, path, c, d, why, wl) != 0)
			return VOCD_ECONFIG;
	}
	return 0;
}

/* Appends the days of list \p name to \p days, which holds *n of MAX_DAYS (from..to ranges expanded). */
static int parse_days(const cJSON *list, const char *name, int32_t *days, size_t *n, char *why, size_t wl)
{
	if (!cJSON_IsArray(list))
		return vocd_config_error(why, wl, "calendar.%s: expected a list such as { \"2026-10-01\", \"2026-10-02..2026-10-07\" }",
		            name);
	int i = 1;
	for (const cJSON *item = list->child; item; item = item->next, i++) {
		const char *s = cJSON_GetStringValue(item), *e = NULL;
		int32_t from = s ? vocd_calendar_parse_day(s, &e) : -1, to = from;
		if (from >= 0 && strncmp(e, "..", 2) == 0)
			to = vocd_calendar_parse_day(e + 2, &e);
		if (from < 0 || to < 0 || *e)
			return vocd_config_error(why, wl, "calendar.%s[%d]: expected a day such as \"2026-10-01\" or a range "
			            "\"2026-10-01..2026-10-07\", got %s%s%s", name, i, s ? "\"" : "", s ? s : "something else",
			            s ? "\"" : "");
		int64_t a = vocd_calendar_day_number(from), b = vocd_calendar_day_number(to);
		if (b < a || b - a >= MAX_RANGE)
			return vocd_config_error(why, wl, "calendar.%s[%d]: a range runs forward and spans at most %d days", name, i, MAX_RANGE);
		for (int64_t d = a; d <= b; d++) {
			if (*n >= MAX_DAYS)
				return vocd_config_error(why, wl, "calendar: at most %d holidays and adjusted working days", MAX_DAYS);
			days[(*n)++] = vocd_calendar_date(d);
		}
	}
	return 0;
}

static int cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int parse_offset(const char *s, int *out)
{
	const char *e;
	if (!s || (s[0] != '+' && s[0] != '-'))
		return -1;
	int m = clock_minutes(s + 1, &e);
	if (m < 0 || *e || m > 14 * 60)
		return -1;
	*out = s[0] == '-' ? -m : m;
	return 0;
}

int vocd_calendar_parse(const cJSON *setting, struct vocd_tenant_calendar *out, char *why, size_t wl)
{
	memset(out, 0, sizeof *out);
	struct vocd_calendar *c = &out->cal;
	c->utc_offset_min = 8 * 60;
	for (int d = 0; d < 5; d++) {
		c->week[d][0] = (struct vocd_work_period){9 * 60, 18 * 60};
		c->nperiods[d] = 1;
	}
	if (!setting)
		return 0;
	if (!cJSON_IsObject(setting))
		return vocd_config_error(why, wl, "calendar: expected a table { utc_offset = …, hours = …, holidays = … }");
	for (const cJSON *k = setting->child; k; k = k->next) {
		int known = 0;
		for (const char *const *kk = known_keys; *kk; kk++)
			known |= strcmp(*kk, k->string) == 0;
		if (!known)
			return vocd_config_error(why, wl, "calendar.%s: unknown setting (known: utc_offset, hours, holidays, workdays, "
			            "workday_as)", k->string);
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(setting, "utc_offset");
	if (v && parse_offset(cJSON_GetStringValue(v), &c->utc_offset_min) != 0)
		return vocd_config_error(why, wl, "calendar.utc_offset: expected an offset such as \"+08:00\" or \"-05:00\"");
	if ((v = cJSON_GetObjectItemCaseSensitive(setting, "hours")) && parse_hours(v, c, why, wl) != 0)
		return VOCD_ECONFIG;
	if ((v = cJSON_GetObjectItemCaseSensitive(setting, "workday_as")) &&
	    (!cJSON_GetStringValue(v) || (c->workday_as = weekday_of(v->valuestring)) < 0))
		return vocd_config_error(why, wl, "calendar.workday_as: expected a day name such as \"monday\"");

	out->days = malloc(MAX_DAYS * sizeof *out->days);
	if (!out->days)
		return vocd_config_error(why, wl, "calendar: out of memory");
	size_t n = 0;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(setting, "holidays");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(setting, "workdays");
	if (h && parse_days(h, "holidays", out->days, &n, why, wl) != 0) {
		vocd_calendar_conf_free(out);
		return VOCD_ECONFIG;
	}
	size_t nh = n;
	if (w && parse_days(w, "workdays", out->days, &n, why, wl) != 0) {
		vocd_calendar_conf_free(out);
		return VOCD_ECONFIG;
	}
	size_t nw = n - nh;
	int32_t *fit = realloc(out->days, (n ? n : 1) * sizeof *out->days); /* keep what was used, not MAX_DAYS */
	if (fit)
		out->days = fit;
	/* Written in any order; a day given twice is still refused by the check. */
	qsort(out->days, nh, sizeof *out->days, cmp_day);
	qsort(out->days + nh, nw, sizeof *out->days, cmp_day);
	c->holidays = out->days;
	c->nholidays = nh;
	c->workdays = out->days + nh;
	c->nworkdays = nw;
	char inner[160];
	if (vocd_calendar_check(c, inner, sizeof inner) != 0) {
		vocd_calendar_conf_free(out);
		return vocd_config_error(why, wl, "calendar.%s", inner);
	}
	return 0;
}

void vocd_calendar_conf_free(struct vocd_tenant_calendar *c)
{
	free(c->days);
	memset(c, 0, sizeof *c);
}

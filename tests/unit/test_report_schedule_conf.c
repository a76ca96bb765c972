/* Scheduled reports' settings: when an entry falls (month ends, weeks, offsets west and east of UTC, 23:59,
 * the 28th in February), which period a run covers, and the errors a tenant file gets, with file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "calendar.h"
#include "config.h"
#include "error.h"
#include "report_schedule_conf.h"

#define CST (8 * 60)
#define NEW_YORK (-5 * 60)

/* Unix ms of a local time "YYYY-MM-DD HH:MM" at \p offset_min from UTC. */
static int64_t local_ms(const char *text, int offset_min)
{
	int y, mo, d, h, mi;
	assert_int_equal(sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), 5);
	int64_t day = vocd_calendar_day_number(y * 10000 + mo * 100 + d);
	assert_true(day >= 0);
	return (day * 1440 + h * 60 + mi - offset_min) * 60000LL;
}

static struct vocd_report_schedule entry(int every, int weekday, int day, int at_min)
{
	struct vocd_report_schedule s;
	memset(&s, 0, sizeof s);
	s.every = every;
	s.weekday = weekday;
	s.day = day;
	s.at_min = at_min;
	return s;
}

static void monthly_on_the_first_at_eight(void **state)
{
	(void)state;
	struct vocd_report_schedule s = entry(VOCD_REPORT_MONTHLY, 0, 1, 8 * 60);
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-11-20 10:00", CST)), local_ms("2026-12-01 08:00", CST));
	/* Exactly at the time: the next one; a minute before: this one. */
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-12-01 08:00", CST)), local_ms("2027-01-01 08:00", CST));
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-12-01 07:59", CST)), local_ms("2026-12-01 08:00", CST));
	/* 08:00 in Beijing is midnight UTC: the day is the local one. */
	assert_int_equal(local_ms("2026-12-01 08:00", CST), local_ms("2026-12-01 00:00", 0));
	assert_int_equal(vocd_report_last_due(&s, CST, local_ms("2026-12-01 08:00", CST)), local_ms("2026-12-01 08:00", CST));
	assert_int_equal(vocd_report_last_due(&s, CST, local_ms("2026-12-01 07:59", CST)), local_ms("2026-11-01 08:00", CST));
	int32_t from, to;
	vocd_report_period(&s, CST, local_ms("2026-12-01 08:00", CST), &from, &to);
	assert_int_equal(from, 20261101);
	assert_int_equal(to, 20261130);
	vocd_report_period(&s, CST, local_ms("2027-01-01 08:00", CST), &from, &to); /* over the year's end */
	assert_int_equal(from, 20261201);
	assert_int_equal(to, 20261231);
	vocd_report_period(&s, CST, local_ms("2028-03-01 08:00", CST), &from, &to); /* a leap February */
	assert_int_equal(from, 20280201);
	assert_int_equal(to, 20280229);
}

static void the_28th_comes_in_february_too(void **state)
{
	(void)state;
	struct vocd_report_schedule s = entry(VOCD_REPORT_MONTHLY, 0, 28, 23 * 60 + 59);
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2027-01-29 00:00", CST)), local_ms("2027-02-28 23:59", CST));
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2027-02-28 23:59", CST)), local_ms("2027-03-28 23:59", CST));
	int32_t from, to;
	vocd_report_period(&s, CST, local_ms("2027-02-28 23:59", CST), &from, &to);
	assert_int_equal(from, 20270101);
	assert_int_equal(to, 20270131);
}

static void daily_at_one_minute_to_midnight(void **state)
{
	(void)state;
	struct vocd_report_schedule s = entry(VOCD_REPORT_DAILY, 0, 0, 23 * 60 + 59);
	/* 23:59 in Beijing is 15:59 UTC the same day. */
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-12-31 23:58", CST)), local_ms("2026-12-31 15:59", 0));
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-12-31 23:59", CST)), local_ms("2027-01-01 23:59", CST));
	int32_t from, to;
	vocd_report_period(&s, CST, local_ms("2027-01-01 23:59", CST), &from, &to);
	assert_int_equal(from, 20261231);
	assert_int_equal(to, 20261231);
	/* West of UTC: 23:59 in New York is 04:59 UTC the next day, and the local day is the one that counts. */
	assert_int_equal(vocd_report_next_due(&s, NEW_YORK, local_ms("2026-03-01 12:00", 0)),
	                 local_ms("2026-03-02 04:59", 0));
	vocd_report_period(&s, NEW_YORK, local_ms("2026-03-02 04:59", 0), &from, &to);
	assert_int_equal(from, 20260228);
	assert_int_equal(to, 20260228);
}

static void weekly_covers_monday_to_sunday_before(void **state)
{
	(void)state;
	/* 2026-12-07 is a Monday. */
	struct vocd_report_schedule s = entry(VOCD_REPORT_WEEKLY, 0, 0, 9 * 60);
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-12-03 16:00", CST)), local_ms("2026-12-07 09:00", CST));
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-12-07 09:00", CST)), local_ms("2026-12-14 09:00", CST));
	int32_t from, to;
	vocd_report_period(&s, CST, local_ms("2026-12-07 09:00", CST), &from, &to);
	assert_int_equal(from, 20261130);
	assert_int_equal(to, 20261206);
	/* On a Wednesday: still the whole week before, over a month's end. */
	s.weekday = 2;
	assert_int_equal(vocd_report_next_due(&s, CST, local_ms("2026-12-03 16:00", CST)), local_ms("2026-12-09 09:00", CST));
	vocd_report_period(&s, CST, local_ms("2026-12-02 09:00", CST), &from, &to);
	assert_int_equal(from, 20261123);
	assert_int_equal(to, 20261129);
	/* Sunday, before the epoch's Thursday is reached backwards: 1970-01-04 was a Sunday. */
	s.weekday = 6;
	assert_int_equal(vocd_report_next_due(&s, 0, 0), local_ms("1970-01-04 09:00", 0));
}

/* ---- The tenant file -------------------------------------------------------------------------------- */

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vocd-test-schedule-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char sub[300];
	snprintf(sub, sizeof sub, "%s/tenants", dir);
	mkdir(sub, 0700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static const char *const BASE = "people = { ['li.ming'] = { name = '李明', roles = { 'supervisor' } } }\n"
                                "plugins = { ['reports/xlsx'] = true, ['channels/email'] = { relay_url = 'http://x' } }\n"
                                "survey = { dimensions = { { id = 'speed', label = { ['zh-CN'] = '速度', en = 'Speed' } } } }\n";

/* Loads a tenant of BASE plus \p reports; \return the load's code, the problems in \p err. */
static int load_tenant(const char *reports, struct vocd_config **cfg, char *err, size_t errlen)
{
	char path[300];
	snprintf(path, sizeof path, "%s/tenants/acme.lua", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s%s", BASE, reports);
	fclose(f);
	snprintf(path, sizeof path, "%s/vocd.lua", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("listen = \"127.0.0.1:0\"\n", f);
	fclose(f);
	*cfg = NULL;
	err[0] = '\0';
	return vocd_config_load(cfg, path, err, errlen);
}

static void a_good_schedule_is_read(void **state)
{
	(void)state;
	struct vocd_config *cfg;
	char err[4096];
	int rc = load_tenant("reports = { schedule = {\n"
	                     "  { id = 'monthly-figures', report = 'figures', format = 'xlsx', every = 'month', day = 1,\n"
	                     "    at = '08:00', query = { interval = 'week', group_by = 'team', metrics = 'csat,speed_mean',\n"
	                     "    min_sample = 5 }, to = { { role = 'supervisor' }, { person = 'li.ming' } },\n"
	                     "    channel = 'email', lang = 'en' },\n"
	                     "  { id = 'weekly', report = 'figures', format = 'xlsx', every = 'week', weekday = 'friday',\n"
	                     "    at = '23:59', to = { { team = 'care' } }, channel = { 'email' } },\n"
	                     "} }\n",
	                     &cfg, err, sizeof err);
	assert_int_equal(rc, 0);
	const struct vocd_report_schedules *r = &vocd_config_tenant(cfg, "acme")->reports;
	assert_int_equal(r->n, 2);
	const struct vocd_report_schedule *m = vocd_report_schedule_find(r, "monthly-figures");
	assert_non_null(m);
	assert_int_equal(m->every, VOCD_REPORT_MONTHLY);
	assert_int_equal(m->day, 1);
	assert_int_equal(m->at_min, 480);
	assert_string_equal(m->lang, "en");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(m->query, "group_by")), "team");
	const struct vocd_report_schedule *w = vocd_report_schedule_find(r, "weekly");
	assert_int_equal(w->every, VOCD_REPORT_WEEKLY);
	assert_int_equal(w->weekday, 4);
	assert_int_equal(w->at_min, 23 * 60 + 59);
	assert_string_equal(w->lang, "zh-CN");
	assert_int_equal(cJSON_GetArraySize(w->query), 0);
	assert_null(vocd_report_schedule_find(r, "nope"));
	vocd_config_free(cfg);
}

/* Each mistake is refused with the file, the line and the field. */
static void mistakes_are_named(void **state)
{
	(void)state;
	static const struct {
		const char *entry, *expected;
	} cases[] = {
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'month', day = 29, at = '08:00', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].day: expected the day of the month it is sent, 1 to 28"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'month', day = 1, at = '8am', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].at: expected a local time such as \"08:00\" (00:00 to 23:59), got \"8am\""},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'month', day = 1, at = '24:00', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].at: expected a local time"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'month', day = 1, at = 8, to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].at: expected a local time such as \"08:00\" (00:00 to 23:59), got something else (is it in quotes?)"},
		{"id = 'm', report = 'figures', format = 'pdf', every = 'month', day = 1, at = '08:00', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].format: \"pdf\": the tenant has not enabled the plugin reports/pdf"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'month', day = 1, at = '08:00', to = { { role = 'x' } }, channel = 'sms'",
		 "reports.schedule[1].channel: \"sms\": the tenant has not enabled the plugin channels/sms"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'week', at = '08:00', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].weekday: expected the day of the week it is sent"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'fortnight', at = '08:00', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].every: expected \"day\", \"week\" or \"month\""},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { person = 'wu' } }, channel = 'email'",
		 "reports.schedule[1].to[1].person: \"wu\" is not one of the tenant's people"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { manager_of = 'team' } }, channel = 'email'",
		 "reports.schedule[1].to[1]: expected one of { person = \"…\" }, { role = \"…\" } or { team = \"…\" }"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', channel = 'email'",
		 "reports.schedule[1].to: expected a list of recipients"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email', query = { interval = 'year' }",
		 "reports.schedule[1].query: interval: expected none, day, week or month"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email', query = { from = '2026-01-01' }",
		 "reports.schedule[1].query.from: not here: the period is the schedule's"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email', query = { metrics = 'csat,happiness' }",
		 "reports.schedule[1].query: metrics: \"happiness\""},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email', query = { metrics = 'mood_mean' }",
		 "reports.schedule[1].query: metrics: \"mood_mean\""},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email', query = { group_by = 'planet' }",
		 "reports.schedule[1].query: group_by: expected one of agent, team"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email', query = { colour = 'red' }",
		 "reports.schedule[1].query: unknown parameter 'colour'"},
		{"id = 'm', report = 'compliance', format = 'xlsx', every = 'week', weekday = 'monday', at = '08:00', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].every: the compliance report covers a month"},
		{"id = 'M!', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email'",
		 "reports.schedule[1].id: expected a name of 1 to 64"},
		{"id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email', when = 'soon'",
		 "reports.schedule[1]: unknown setting 'when'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char reports[1024], err[4096];
		snprintf(reports, sizeof reports, "reports = { schedule = {\n  { %s },\n} }\n", cases[i].entry);
		struct vocd_config *cfg;
		int rc = load_tenant(reports, &cfg, err, sizeof err);
		if (rc != VOCD_ECONFIG || !strstr(err, cases[i].expected) || !strstr(err, "tenants/acme.lua:"))
			fail_msg("case %zu: rc %d, got:\n%s\nexpected: %s", i, rc, err, cases[i].expected);
	}
	char err[4096];
	struct vocd_config *cfg;
	assert_int_equal(load_tenant("reports = { schedule = {\n"
	                             "  { id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '08:00', to = { { role = 'x' } }, channel = 'email' },\n"
	                             "  { id = 'm', report = 'figures', format = 'xlsx', every = 'day', at = '09:00', to = { { role = 'x' } }, channel = 'email' },\n"
	                             "} }\n", &cfg, err, sizeof err),
	                 VOCD_ECONFIG);
	assert_non_null(strstr(err, "reports.schedule[2].id: \"m\" is given twice"));
	assert_int_equal(load_tenant("reports = { every = 'day' }\n", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "reports: unknown setting 'every'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(monthly_on_the_first_at_eight),
		cmocka_unit_test(the_28th_comes_in_february_too),
		cmocka_unit_test(daily_at_one_minute_to_midnight),
		cmocka_unit_test(weekly_covers_monday_to_sunday_before),
		cmocka_unit_test_setup_teardown(a_good_schedule_is_read, setup, teardown),
		cmocka_unit_test_setup_teardown(mistakes_are_named, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of core/ticket_conf.c: durations as admins write them, due times on a business calendar, and the
 * `tickets` setting with its defaults and the message of every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"
#include "ticket_conf.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* ---- Helpers ------------------------------------------------------------------------------------ */

/* Beijing time, 09:00-12:00 and 13:30-18:00 Monday to Friday (as in test_calendar.c). */
static struct vocd_calendar office(void)
{
	struct vocd_calendar c;
	memset(&c, 0, sizeof c);
	c.utc_offset_min = 480;
	for (int d = 0; d < 5; d++) {
		c.week[d][0] = (struct vocd_work_period){9 * 60, 12 * 60};
		c.week[d][1] = (struct vocd_work_period){13 * 60 + 30, 18 * 60};
		c.nperiods[d] = 2;
	}
	return c;
}

/* Unix ms of a Beijing wall-clock time. */
static int64_t beijing(int32_t day, int hour, int minute)
{
	return vocd_calendar_day_number(day) * DAY + hour * HOUR + minute * MIN - 8 * HOUR;
}

/* Parses the setting \p json (NULL: none); the message goes to \p why. */
static int parse(const char *json, struct vocd_tickets_conf *out, char *why, size_t wl)
{
	cJSON *setting = json ? cJSON_Parse(json) : NULL;
	if (json && !setting)
		fail_msg("test JSON does not parse: %s", json);
	snprintf(why, wl, "(untouched)");
	int rc = vocd_tickets_conf_parse(setting, out, why, wl);
	cJSON_Delete(setting);
	return rc;
}

static void assert_duration(const struct vocd_duration *d, enum vocd_duration_kind kind, int64_t amount)
{
	assert_int_equal(d->kind, kind);
	if (kind != VOCD_DURATION_NONE)
		assert_int_equal(d->amount, amount);
}

/* ---- Names -------------------------------------------------------------------------------------- */

static void class_and_stage_names(void **state)
{
	(void)state;
	static const char *const classes[] = {"general", "important", "urgent", "repeat"};
	static const char *const stages[] = {"acknowledge", "plan", "resolve", "revisit"};
	for (int i = 0; i < VOCD_CLASS_COUNT; i++) {
		assert_string_equal(vocd_ticket_class_name(i), classes[i]);
		assert_int_equal(vocd_ticket_class_parse(classes[i]), i);
	}
	for (int i = 0; i < VOCD_STAGE_COUNT; i++) {
		assert_string_equal(vocd_sla_stage_name(i), stages[i]);
		assert_int_equal(vocd_sla_stage_parse(stages[i]), i);
	}
	assert_int_equal(vocd_ticket_class_parse("Urgent"), -1);
	assert_int_equal(vocd_ticket_class_parse(""), -1);
	assert_int_equal(vocd_ticket_class_parse(NULL), -1);
	assert_int_equal(vocd_sla_stage_parse("close"), -1);
	assert_int_equal(vocd_sla_stage_parse(NULL), -1);
	assert_string_equal(vocd_ticket_class_name(VOCD_CLASS_COUNT), "?");
	assert_string_equal(vocd_ticket_class_name(-1), "?");
	assert_string_equal(vocd_sla_stage_name(VOCD_STAGE_COUNT), "?");
}

/* ---- Durations ---------------------------------------------------------------------------------- */

static void durations_as_admins_write_them(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum vocd_duration_kind kind;
		int64_t amount;
	} cases[] = {
	    {"2h", VOCD_DURATION_WORKING, 2 * HOUR},
	    {"30m", VOCD_DURATION_WORKING, 30 * MIN},
	    {"30min", VOCD_DURATION_WORKING, 30 * MIN},
	    {"45s", VOCD_DURATION_WORKING, 45 * SEC},
	    {"2 hours", VOCD_DURATION_WORKING, 2 * HOUR},
	    {"  48h  ", VOCD_DURATION_WORKING, 48 * HOUR}, /* spaces around are ignored */
	    {"2小时", VOCD_DURATION_WORKING, 2 * HOUR},
	    {"30分钟", VOCD_DURATION_WORKING, 30 * MIN},
	    {"7 working days", VOCD_DURATION_WORKING_DAYS, 7},
	    {"1 working day", VOCD_DURATION_WORKING_DAYS, 1},
	    {"7个工作日", VOCD_DURATION_WORKING_DAYS, 7},
	    {"7 工作日", VOCD_DURATION_WORKING_DAYS, 7},
	    {"3 days", VOCD_DURATION_ELAPSED, 3 * DAY},
	    {"1 day", VOCD_DURATION_ELAPSED, DAY},
	    {"3天", VOCD_DURATION_ELAPSED, 3 * DAY},
	    {"2h elapsed", VOCD_DURATION_ELAPSED, 2 * HOUR},
	    {"10s elapsed", VOCD_DURATION_ELAPSED, 10 * SEC},
	    {"15m elapsed", VOCD_DURATION_ELAPSED, 15 * MIN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_duration d = {VOCD_DURATION_NONE, -1};
		if (vocd_duration_parse(cases[i].text, &d) != 0)
			fail_msg("\"%s\": refused", cases[i].text);
		if (d.kind != cases[i].kind || d.amount != cases[i].amount)
			fail_msg("\"%s\": expected kind %d amount %lld, got kind %d amount %lld", cases[i].text, cases[i].kind,
			         (long long)cases[i].amount, d.kind, (long long)d.amount);
	}
}

static void durations_that_mean_nothing_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "", "   ", "0h", "2 weeks", "h", "-1h", "7wd", "1.5h", "2hh", "2 h x", "elapsed", "2", "3661h",
	    "7 working", "days",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct vocd_duration d;
		if (vocd_duration_parse(bad[i], &d) != -1)
			fail_msg("\"%s\": accepted", bad[i]);
	}
	struct vocd_duration d;
	assert_int_equal(vocd_duration_parse(NULL, &d), -1);
}

static void due_times_on_the_calendar(void **state)
{
	(void)state;
	struct vocd_calendar cal = office();
	static const struct {
		const char *text;
		int32_t day;
		int hour, minute;    /* from, Beijing time */
		int32_t due_day;
		int due_hour, due_minute;
	} cases[] = {
	    /* working time: over the lunch break, and over the weekend from Friday 17:00 */
	    {"2h", 20261202, 11, 0, 20261202, 14, 30},
	    {"2h", 20261204, 17, 0, 20261207, 10, 0},
	    {"30m", 20261205, 23, 0, 20261207, 9, 30}, /* started on Saturday night: from Monday morning */
	    /* working days: the close of business of the n-th working day after the day it starts */
	    {"1 working day", 20261202, 10, 0, 20261203, 18, 0},
	    {"7 working days", 20261202, 10, 0, 20261211, 18, 0},
	    {"2 working days", 20261204, 10, 0, 20261208, 18, 0}, /* Friday: Monday and Tuesday */
	    /* elapsed: every hour, day and night, weekend too */
	    {"3 days", 20261204, 17, 0, 20261207, 17, 0},
	    {"2h elapsed", 20261205, 23, 0, 20261206, 1, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_duration d;
		assert_int_equal(vocd_duration_parse(cases[i].text, &d), 0);
		int64_t due = -1, want = beijing(cases[i].due_day, cases[i].due_hour, cases[i].due_minute);
		assert_int_equal(vocd_duration_due(&d, &cal, beijing(cases[i].day, cases[i].hour, cases[i].minute), &due), 0);
		if (due != want)
			fail_msg("\"%s\" from case %zu: expected %lld, got %lld (%+lld min)", cases[i].text, i, (long long)want,
			         (long long)due, (long long)((due - want) / MIN));
	}

	/* No limit has no due time. */
	struct vocd_duration none = {VOCD_DURATION_NONE, 0};
	int64_t due;
	assert_int_equal(vocd_duration_due(&none, &cal, beijing(20261202, 10, 0), &due), VOCD_EINVAL);

	/* A calendar without working time: working clocks cannot end, elapsed ones still do. */
	for (int d = 0; d < 7; d++)
		cal.nperiods[d] = 0;
	struct vocd_duration hours = {VOCD_DURATION_WORKING, 2 * HOUR}, days = {VOCD_DURATION_WORKING_DAYS, 1},
	                     elapsed = {VOCD_DURATION_ELAPSED, 2 * HOUR};
	assert_int_equal(vocd_duration_due(&hours, &cal, beijing(20261202, 10, 0), &due), VOCD_ELIMIT);
	assert_int_equal(vocd_duration_due(&days, &cal, beijing(20261202, 10, 0), &due), VOCD_ELIMIT);
	assert_int_equal(vocd_duration_due(&elapsed, &cal, beijing(20261202, 10, 0), &due), 0);
	assert_int_equal(due, beijing(20261202, 12, 0));
}

/* ---- The setting -------------------------------------------------------------------------------- */

/* The seeds' complaint guide, documented in the header. */
static void assert_defaults(const struct vocd_tickets_conf *c)
{
	static const int resolve_days[VOCD_CLASS_COUNT] = {7, 15, 2, 10};
	for (int k = 0; k < VOCD_CLASS_COUNT; k++) {
		assert_duration(&c->sla[k][VOCD_STAGE_ACKNOWLEDGE], VOCD_DURATION_WORKING, 2 * HOUR);
		assert_duration(&c->sla[k][VOCD_STAGE_PLAN], VOCD_DURATION_WORKING, 48 * HOUR);
		assert_duration(&c->sla[k][VOCD_STAGE_RESOLVE], VOCD_DURATION_WORKING_DAYS, resolve_days[k]);
		assert_duration(&c->sla[k][VOCD_STAGE_REVISIT], VOCD_DURATION_WORKING_DAYS, 10);
	}
	assert_int_equal(c->repeat_within_days, 30);
	assert_int_equal(c->revisit, 1);
	assert_null(c->revisit_channel);
	assert_int_equal(c->satisfied_csat, 4);
	assert_int_equal(c->satisfied_nps, 7);
	assert_null(c->assign_team);
	assert_int_equal(c->assign_how, VOCD_ASSIGN_FEWEST_OPEN);
}

static void defaults_without_the_setting(void **state)
{
	(void)state;
	static const char *const empty[] = {NULL, "{}", "{\"sla\": {}}", "{\"sla\": {\"urgent\": {}}}"};
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		struct vocd_tickets_conf c;
		char why[256];
		memset(&c, 0x5a, sizeof c); /* the defaults are set by parse, not left to the caller */
		assert_int_equal(parse(empty[i], &c, why, sizeof why), 0);
		assert_defaults(&c);
		vocd_tickets_conf_free(&c);
	}
}

static void a_setting_replaces_only_what_it_names(void **state)
{
	(void)state;
	struct vocd_tickets_conf c;
	char why[256];
	assert_int_equal(parse("{"
	                       "\"sla\": {"
	                       "  \"general\": {\"acknowledge\": \"4h\", \"plan\": false, \"revisit\": \"3 days\"},"
	                       "  \"urgent\": {\"acknowledge\": \"30m\", \"resolve\": \"2 working days\"}"
	                       "},"
	                       "\"repeat_within_days\": 14,"
	                       "\"revisit\": {\"channel\": \"sms\", \"satisfied_from\": 5, \"satisfied_nps_from\": 9},"
	                       "\"assign\": {\"team\": \"care\", \"how\": \"round_robin\"}"
	                       "}",
	                       &c, why, sizeof why),
	                 0);
	assert_duration(&c.sla[VOCD_CLASS_GENERAL][VOCD_STAGE_ACKNOWLEDGE], VOCD_DURATION_WORKING, 4 * HOUR);
	assert_duration(&c.sla[VOCD_CLASS_GENERAL][VOCD_STAGE_PLAN], VOCD_DURATION_NONE, 0); /* false: no limit */
	assert_duration(&c.sla[VOCD_CLASS_GENERAL][VOCD_STAGE_RESOLVE], VOCD_DURATION_WORKING_DAYS, 7);
	assert_duration(&c.sla[VOCD_CLASS_GENERAL][VOCD_STAGE_REVISIT], VOCD_DURATION_ELAPSED, 3 * DAY);
	assert_duration(&c.sla[VOCD_CLASS_URGENT][VOCD_STAGE_ACKNOWLEDGE], VOCD_DURATION_WORKING, 30 * MIN);
	assert_duration(&c.sla[VOCD_CLASS_URGENT][VOCD_STAGE_PLAN], VOCD_DURATION_WORKING, 48 * HOUR);
	assert_duration(&c.sla[VOCD_CLASS_URGENT][VOCD_STAGE_RESOLVE], VOCD_DURATION_WORKING_DAYS, 2);
	assert_duration(&c.sla[VOCD_CLASS_IMPORTANT][VOCD_STAGE_RESOLVE], VOCD_DURATION_WORKING_DAYS, 15);
	assert_duration(&c.sla[VOCD_CLASS_REPEAT][VOCD_STAGE_ACKNOWLEDGE], VOCD_DURATION_WORKING, 2 * HOUR);
	assert_int_equal(c.repeat_within_days, 14);
	assert_int_equal(c.revisit, 1);
	assert_string_equal(c.revisit_channel, "sms");
	assert_int_equal(c.satisfied_csat, 5);
	assert_int_equal(c.satisfied_nps, 9);
	assert_string_equal(c.assign_team, "care");
	assert_int_equal(c.assign_how, VOCD_ASSIGN_ROUND_ROBIN);
	vocd_tickets_conf_free(&c);
	assert_null(c.revisit_channel);
	assert_null(c.assign_team);
	vocd_tickets_conf_free(&c); /* twice, and NULL, are harmless */
	vocd_tickets_conf_free(NULL);
}

static void revisit_and_assignment_forms(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		int revisit;
		const char *channel;
		int csat, nps;
		enum vocd_assign_how how;
	} cases[] = {
	    {"{\"revisit\": false}", 0, NULL, 4, 7, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"revisit\": true}", 1, NULL, 4, 7, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"revisit\": {\"enabled\": false, \"channel\": \"wechat\"}}", 0, "wechat", 4, 7, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"revisit\": {\"enabled\": true, \"satisfied_from\": 1}}", 1, NULL, 1, 7, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"revisit\": {\"satisfied_nps_from\": 0}}", 1, NULL, 4, 0, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"revisit\": {\"satisfied_nps_from\": 10}}", 1, NULL, 4, 10, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"revisit\": {}}", 1, NULL, 4, 7, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"assign\": {\"how\": \"fewest_open\"}}", 1, NULL, 4, 7, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"assign\": {\"how\": \"fewest open\"}}", 1, NULL, 4, 7, VOCD_ASSIGN_FEWEST_OPEN},
	    {"{\"assign\": {\"how\": \"round_robin\"}}", 1, NULL, 4, 7, VOCD_ASSIGN_ROUND_ROBIN},
	    {"{\"assign\": {\"how\": \"round robin\"}}", 1, NULL, 4, 7, VOCD_ASSIGN_ROUND_ROBIN},
	    {"{\"assign\": {}}", 1, NULL, 4, 7, VOCD_ASSIGN_FEWEST_OPEN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_tickets_conf c;
		char why[256];
		if (parse(cases[i].json, &c, why, sizeof why) != 0)
			fail_msg("%s: refused: %s", cases[i].json, why);
		if (c.revisit != cases[i].revisit || c.satisfied_csat != cases[i].csat || c.satisfied_nps != cases[i].nps ||
		    c.assign_how != cases[i].how || (c.revisit_channel == NULL) != (cases[i].channel == NULL) ||
		    (c.revisit_channel && strcmp(c.revisit_channel, cases[i].channel) != 0))
			fail_msg("%s: got revisit %d channel %s csat %d nps %d how %d", cases[i].json, c.revisit,
			         c.revisit_channel ? c.revisit_channel : "(none)", c.satisfied_csat, c.satisfied_nps,
			         c.assign_how);
		vocd_tickets_conf_free(&c);
	}
	/* Repeat detection from 0 (off) to 3660 days. */
	static const struct {
		const char *json;
		unsigned days;
	} repeat[] = {{"{\"repeat_within_days\": 0}", 0}, {"{\"repeat_within_days\": 3660}", 3660}};
	for (size_t i = 0; i < sizeof repeat / sizeof repeat[0]; i++) {
		struct vocd_tickets_conf c;
		char why[256];
		assert_int_equal(parse(repeat[i].json, &c, why, sizeof why), 0);
		assert_int_equal(c.repeat_within_days, repeat[i].days);
		vocd_tickets_conf_free(&c);
	}
}

#define DURATION_WANTED "expected a duration such as \"2h\", \"30m\", \"7 working days\" or \"3 days\" (or false for no limit), got "
#define REPEAT_WANTED "tickets.repeat_within_days: expected a whole number of days from 0 (no repeat detection) to 3660"
#define CSAT_WANTED "tickets.revisit.satisfied_from: expected the lowest CSAT (1 to 5) that closes a ticket"
#define NPS_WANTED "tickets.revisit.satisfied_nps_from: expected the lowest NPS score (0 to 10) that closes a ticket"
#define HOW_WANTED "tickets.assign.how: expected \"fewest_open\" or \"round_robin\""

static void mistakes_are_refused_with_what_was_expected(void **state)
{
	(void)state;
	static const struct {
		const char *json, *why;
	} cases[] = {
	    {"\"fast\"", "tickets: expected { sla = { … }, repeat_within_days = 30, revisit = { … } }"},
	    {"{\"escalate\": {}}", "tickets: unknown setting 'escalate' (known: sla, repeat_within_days, revisit, assign)"},
	    /* sla */
	    {"{\"sla\": \"2h\"}",
	     "tickets.sla: expected { general = { acknowledge = \"2h\", resolve = \"7 working days\" }, … }"},
	    {"{\"sla\": {\"vip\": {\"resolve\": \"2h\"}}}",
	     "tickets.sla: unknown class 'vip' (known: general, important, urgent, repeat)"},
	    {"{\"sla\": {\"general\": \"2h\"}}",
	     "tickets.sla.general: expected { acknowledge = \"2h\", plan = \"48h\", resolve = \"7 working days\", revisit = "
	     "\"10 working days\" }"},
	    {"{\"sla\": {\"general\": {\"close\": \"2h\"}}}",
	     "tickets.sla.general: unknown stage 'close' (known: acknowledge, plan, resolve, revisit)"},
	    {"{\"sla\": {\"urgent\": {\"resolve\": \"2 weeks\"}}}", "tickets.sla.urgent.resolve: " DURATION_WANTED "\"2 weeks\""},
	    {"{\"sla\": {\"urgent\": {\"acknowledge\": \"0h\"}}}", "tickets.sla.urgent.acknowledge: " DURATION_WANTED "\"0h\""},
	    {"{\"sla\": {\"repeat\": {\"plan\": 48}}}", "tickets.sla.repeat.plan: " DURATION_WANTED "something else"},
	    /* false is no limit; true is not a duration */
	    {"{\"sla\": {\"important\": {\"revisit\": true}}}",
	     "tickets.sla.important.revisit: " DURATION_WANTED "something else"},
	    /* repeat_within_days */
	    {"{\"repeat_within_days\": -1}", REPEAT_WANTED},
	    {"{\"repeat_within_days\": 3661}", REPEAT_WANTED},
	    {"{\"repeat_within_days\": 1.5}", REPEAT_WANTED},
	    {"{\"repeat_within_days\": \"30\"}", REPEAT_WANTED},
	    /* revisit */
	    {"{\"revisit\": \"sms\"}", "tickets.revisit: expected { channel = \"sms\", satisfied_from = 4 } or false"},
	    {"{\"revisit\": 1}", "tickets.revisit: expected { channel = \"sms\", satisfied_from = 4 } or false"},
	    {"{\"revisit\": {\"chanel\": \"sms\"}}",
	     "tickets.revisit: unknown setting 'chanel' (known: enabled, channel, satisfied_from, satisfied_nps_from)"},
	    {"{\"revisit\": {\"enabled\": \"yes\"}}", "tickets.revisit.enabled: expected true or false"},
	    {"{\"revisit\": {\"channel\": \"\"}}", "tickets.revisit.channel: expected a channel name such as \"sms\""},
	    {"{\"revisit\": {\"channel\": [\"sms\"]}}", "tickets.revisit.channel: expected a channel name such as \"sms\""},
	    {"{\"revisit\": {\"channel\": \"sms\", \"satisfied_from\": 0}}", CSAT_WANTED}, /* channel freed */
	    {"{\"revisit\": {\"satisfied_from\": 6}}", CSAT_WANTED},
	    {"{\"revisit\": {\"satisfied_from\": 3.5}}", CSAT_WANTED},
	    {"{\"revisit\": {\"satisfied_from\": \"4\"}}", CSAT_WANTED},
	    {"{\"revisit\": {\"satisfied_nps_from\": 11}}", NPS_WANTED},
	    {"{\"revisit\": {\"satisfied_nps_from\": -1}}", NPS_WANTED},
	    /* assign */
	    {"{\"assign\": \"care\"}", "tickets.assign: expected { team = \"care\", how = \"fewest_open\" }"},
	    {"{\"assign\": {\"who\": \"zhou\"}}", "tickets.assign: unknown setting 'who' (known: team, how)"},
	    {"{\"assign\": {\"team\": \"\"}}", "tickets.assign.team: expected a team name"},
	    {"{\"assign\": {\"team\": \"care\", \"how\": \"random\"}}", HOW_WANTED}, /* team freed */
	    {"{\"assign\": {\"how\": \"Round_Robin\"}}", HOW_WANTED},
	    {"{\"assign\": {\"how\": 1}}", HOW_WANTED},
	};
	int wrong = 0; /* every case is tried, so that one mistake does not hide another */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_tickets_conf c;
		char why[512];
		int rc = parse(cases[i].json, &c, why, sizeof why);
		if (rc != VOCD_ECONFIG || strcmp(why, cases[i].why) != 0) {
			print_error("%s\n  expected ECONFIG \"%s\"\n  got %d \"%s\"\n", cases[i].json, cases[i].why, rc, why);
			wrong++;
		}
		/* Nothing is left to free on a refusal (the sanitizer build checks for leaks). */
		if (rc != 0 && (c.revisit_channel || c.assign_team)) {
			print_error("%s: refused but still holds memory\n", cases[i].json);
			wrong++;
		}
		vocd_tickets_conf_free(&c);
	}
	assert_int_equal(wrong, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(class_and_stage_names),
	    cmocka_unit_test(durations_as_admins_write_them),
	    cmocka_unit_test(durations_that_mean_nothing_are_refused),
	    cmocka_unit_test(due_times_on_the_calendar),
	    cmocka_unit_test(defaults_without_the_setting),
	    cmocka_unit_test(a_setting_replaces_only_what_it_names),
	    cmocka_unit_test(revisit_and_assignment_forms),
	    cmocka_unit_test(mistakes_are_refused_with_what_was_expected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

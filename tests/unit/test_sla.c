/* Tests of core/sla.c: a ticket's SLA clocks (start, finish, pause and resume, reclassification, breach,
 * overdue) on business calendars, with their durable timers in a real store. Times are passed in; no
 * bus runs, so the timers stay in the store where the tests read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "calendar.h"
#include "error.h"
#include "record.h"
#include "sla.h"
#include "store.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

#define TENANT "acme"
#define ACK VOCD_STAGE_ACKNOWLEDGE
#define PLAN VOCD_STAGE_PLAN
#define RESOLVE VOCD_STAGE_RESOLVE

/* ---- Helpers ------------------------------------------------------------------------------------ */

struct env {
	char dir[64];
	vocd_store *st;
	struct vocd_tenant_conf conf;
	cJSON *tickets[8]; /* owned here, so that a failed assertion leaks nothing */
	int ntickets;
};

/* Open every hour of every day, in UTC: working time is elapsed time, so the arithmetic is exact. */
static struct vocd_calendar around_the_clock(void)
{
	struct vocd_calendar c;
	memset(&c, 0, sizeof c);
	for (int d = 0; d < 7; d++) {
		c.week[d][0] = (struct vocd_work_period){0, 24 * 60};
		c.nperiods[d] = 1;
	}
	return c;
}

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

/* Unix ms of a UTC time, and of a Beijing wall-clock time. */
static int64_t utc(int32_t day, int hour, int minute)
{
	return vocd_calendar_day_number(day) * DAY + hour * HOUR + minute * MIN;
}

static int64_t beijing(int32_t day, int hour, int minute)
{
	return utc(day, hour, minute) - 8 * HOUR;
}

/* Wednesday 2 December 2026, 10:00 UTC. */
#define T0 utc(20261202, 10, 0)

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/vocd-test-sla-XXXXXX");
	if (!e || !mkdtemp(e->dir))
		return -1;
	struct vocd_store_opts so = {.no_sync = 1};
	if (vocd_store_open(&e->st, e->dir, &so) != 0)
		return -1;
	e->conf.id = (char *)TENANT;
	e->conf.calendar.cal = around_the_clock();
	char why[256];
	if (vocd_tickets_conf_parse(NULL, &e->conf.tickets, why, sizeof why) != 0)
		return -1;
	/* The defaults (general: acknowledge 2h, resolve 7 working days; urgent: resolve 2 working days), and: */
	struct vocd_duration(*sla)[VOCD_STAGE_COUNT] = e->conf.tickets.sla;
	sla[VOCD_CLASS_GENERAL][PLAN] = (struct vocd_duration){VOCD_DURATION_NONE, 0};
	sla[VOCD_CLASS_URGENT][ACK] = (struct vocd_duration){VOCD_DURATION_WORKING, 30 * MIN};
	sla[VOCD_CLASS_IMPORTANT][ACK] = (struct vocd_duration){VOCD_DURATION_NONE, 0};
	sla[VOCD_CLASS_REPEAT][RESOLVE] = (struct vocd_duration){VOCD_DURATION_ELAPSED, 3 * DAY};
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	vocd_store_close(e->st);
	vocd_tickets_conf_free(&e->conf.tickets);
	for (int i = 0; i < e->ntickets; i++)
		cJSON_Delete(e->tickets[i]);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", e->dir);
	int rc = system(cmd);
	free(e);
	return rc;
}

/* A ticket {id, class} held by the fixture; the SLA functions replace it through the handle. */
static cJSON **new_ticket(struct env *e, const char *id, const char *klass)
{
	assert_true(e->ntickets < 8);
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", id);
	cJSON_AddStringToObject(t, "class", klass);
	e->tickets[e->ntickets] = t;
	return &e->tickets[e->ntickets++];
}

enum op { START, FINISH, PAUSE, RESUME, RECLASSIFY };

/* A write job running one SLA function on a copy of the ticket: the job may be replayed, so it starts
 * from the same input each time. */
struct job {
	enum op op;
	const struct vocd_tenant_conf *t;
	const cJSON *in;
	cJSON *out;
	int stage;
	int64_t at;
};

static int job_fn(vocd_txn *txn, void *arg)
{
	struct job *j = arg;
	cJSON_Delete(j->out);
	if (!(j->out = cJSON_Duplicate(j->in, 1)))
		return VOCD_ENOMEM;
	switch (j->op) {
	case START:
		return vocd_sla_start(txn, j->t, j->out, j->stage, j->at);
	case FINISH:
		return vocd_sla_finish(txn, j->t->id, j->out, j->stage, j->at);
	case PAUSE:
		return vocd_sla_pause(txn, j->t, j->out, j->at);
	case RESUME:
		return vocd_sla_resume(txn, j->t, j->out, j->at);
	case RECLASSIFY:
		return vocd_sla_reclassify(txn, j->t, j->out, j->at);
	}
	return VOCD_EINVAL;
}

/* Runs \p op on \p *ticket at \p at in a write job and asserts it succeeded; \p *ticket becomes the result. */
static void run(struct env *e, enum op op, cJSON **ticket, int stage, int64_t at)
{
	struct job j = {op, &e->conf, *ticket, NULL, stage, at};
	int rc = vocd_store_write(e->st, job_fn, &j);
	if (rc != 0) {
		cJSON_Delete(j.out);
		fail_msg("op %d on stage %d at %lld: %d", op, stage, (long long)at, rc);
	}
	cJSON_Delete(*ticket);
	*ticket = j.out;
}

static void reclassify(struct env *e, cJSON **ticket, const char *klass, int64_t at)
{
	vocd_json_set_str(*ticket, "class", klass);
	run(e, RECLASSIFY, ticket, 0, at);
}

static const cJSON *clock_of(const cJSON *ticket, int stage)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ticket, "sla"), vocd_sla_stage_name(stage));
}

/* A number of a clock, or -1 when it has no such member (or there is no such clock). */
static int64_t field(const cJSON *ticket, int stage, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(clock_of(ticket, stage), key);
	if (!v)
		return -1;
	if (!cJSON_IsNumber(v))
		fail_msg("sla.%s.%s is not a number", vocd_sla_stage_name(stage), key);
	return (int64_t)v->valuedouble;
}

static void timer_key(const cJSON *ticket, int stage, char key[96])
{
	snprintf(key, 96, "sla:%s:%s", vocd_json_str(ticket, "id"), vocd_sla_stage_name(stage));
}

/* The due time the stage's bus timer carries ("bus.timer" record: topic, then the event's JSON), or -1
 * when there is no timer. */
static int64_t timer_due(struct env *e, const cJSON *ticket, int stage)
{
	char key[96];
	timer_key(ticket, stage, key);
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, TENANT, "bus.timer", key, &data, &len);
	if (rc == VOCD_ENOTFOUND) {
		vocd_txn_end(txn);
		return -1;
	}
	assert_int_equal(rc, 0);
	/* The event's JSON follows the topic (the row starts with binary fields). */
	const char *topic = memmem(data, len, VOCD_SLA_DUE_TOPIC, strlen(VOCD_SLA_DUE_TOPIC));
	assert_non_null(topic);
	const char *json = topic + strlen(VOCD_SLA_DUE_TOPIC);
	cJSON *ev = cJSON_ParseWithLength(json, len - (size_t)(json - (const char *)data));
	vocd_txn_end(txn);
	assert_non_null(ev);
	assert_string_equal(vocd_json_str(ev, "ticket"), vocd_json_str(ticket, "id"));
	assert_string_equal(vocd_json_str(ev, "stage"), vocd_sla_stage_name(stage));
	const cJSON *due = cJSON_GetObjectItemCaseSensitive(ev, "due_at");
	assert_true(cJSON_IsNumber(due));
	int64_t out = (int64_t)due->valuedouble;
	cJSON_Delete(ev);
	return out;
}

struct cancel_job {
	const char *key;
};

static int cancel_fn(vocd_txn *txn, void *arg)
{
	return vocd_bus_timer_cancel(txn, TENANT, ((struct cancel_job *)arg)->key);
}

static int results_count(const cJSON *ticket)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ticket, "sla_results"));
}

/* Result \p i of sla_results is {stage, class, due_at, done_at, met, round}; \p due -1: no due_at. */
static void assert_result(const cJSON *ticket, int i, int stage, int64_t due, int64_t done, int met, int round)
{
	const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ticket, "sla_results"), i);
	assert_non_null(r);
	assert_string_equal(vocd_json_str(r, "stage"), vocd_sla_stage_name(stage));
	assert_string_equal(vocd_json_str(r, "class"), vocd_json_str(ticket, "class"));
	const cJSON *due_at = cJSON_GetObjectItemCaseSensitive(r, "due_at");
	if (due < 0)
		assert_null(due_at);
	else
		assert_int_equal((int64_t)cJSON_GetNumberValue(due_at), due);
	assert_int_equal((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "done_at")), done);
	assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "met")), met);
	assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(r, "met")));
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "round")), round);
}

/* ---- Starting ----------------------------------------------------------------------------------- */

static void start_sets_the_due_time_and_a_timer(void **state)
{
	struct env *e = *state;
	cJSON **t = new_ticket(e, "0000000000000001", "general");

	run(e, START, t, ACK, T0);
	assert_int_equal(field(*t, ACK, "start"), T0);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 2 * HOUR);
	assert_int_equal(field(*t, ACK, "paused_ms"), 0);
	assert_int_equal(field(*t, ACK, "done_at"), -1);
	assert_string_equal(vocd_json_str(clock_of(*t, ACK), "limit"), "2h");
	assert_string_equal(vocd_json_str(clock_of(*t, ACK), "kind"), "working");
	assert_int_equal(timer_due(e, *t, ACK), T0 + 2 * HOUR);

	/* 7 working days from Wednesday 2 December: 3 to 9 December, so by the end of the 9th. */
	run(e, START, t, RESOLVE, T0);
	assert_int_equal(field(*t, RESOLVE, "due_at"), utc(20261210, 0, 0));
	assert_string_equal(vocd_json_str(clock_of(*t, RESOLVE), "limit"), "7 working days");
	assert_string_equal(vocd_json_str(clock_of(*t, RESOLVE), "kind"), "working_days");
	assert_int_equal(timer_due(e, *t, RESOLVE), utc(20261210, 0, 0));

	/* No limit for the stage under this class: no clock, no timer. */
	run(e, START, t, PLAN, T0);
	assert_null(clock_of(*t, PLAN));
	assert_int_equal(timer_due(e, *t, PLAN), -1);

	/* Started again: a new due time, the timer moved with it. */
	run(e, START, t, ACK, T0 + HOUR);
	assert_int_equal(field(*t, ACK, "start"), T0 + HOUR);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 3 * HOUR);
	assert_int_equal(timer_due(e, *t, ACK), T0 + 3 * HOUR);

	/* The timer is a real bus timer: cancelling it works once. */
	char key[96];
	timer_key(*t, ACK, key);
	struct cancel_job cj = {key};
	assert_int_equal(vocd_store_write(e->st, cancel_fn, &cj), 0);
	assert_int_equal(vocd_store_write(e->st, cancel_fn, &cj), VOCD_ENOTFOUND);

	/* The class's own limit: urgent acknowledges within 30 minutes. */
	t = new_ticket(e, "0000000000000002", "urgent");
	run(e, START, t, ACK, T0);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 30 * MIN);
	assert_string_equal(vocd_json_str(clock_of(*t, ACK), "limit"), "30m");
	assert_int_equal(timer_due(e, *t, ACK), T0 + 30 * MIN);

	/* A class the tenant does not know has no limits. */
	t = new_ticket(e, "0000000000000003", "vip");
	run(e, START, t, ACK, T0);
	assert_null(clock_of(*t, ACK));
	assert_int_equal(timer_due(e, *t, ACK), -1);
}

/* ---- Finishing ---------------------------------------------------------------------------------- */

static void finishing_records_whether_the_clock_was_met(void **state)
{
	struct env *e = *state;
	cJSON **t = new_ticket(e, "0000000000000001", "general");
	run(e, START, t, ACK, T0);
	run(e, START, t, RESOLVE, T0);
	int64_t resolve_due = utc(20261210, 0, 0);

	/* Acknowledged within the 2 hours. */
	run(e, FINISH, t, ACK, T0 + HOUR);
	assert_int_equal(field(*t, ACK, "done_at"), T0 + HOUR);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(clock_of(*t, ACK), "met")));
	assert_int_equal(timer_due(e, *t, ACK), -1);
	assert_int_equal(results_count(*t), 1);
	assert_result(*t, 0, ACK, T0 + 2 * HOUR, T0 + HOUR, 1, 1);

	/* Finished again: left as it is. */
	run(e, FINISH, t, ACK, T0 + 5 * HOUR);
	assert_int_equal(field(*t, ACK, "done_at"), T0 + HOUR);
	assert_int_equal(results_count(*t), 1);

	/* A stage that never started: nothing to record. */
	run(e, FINISH, t, PLAN, T0 + 2 * HOUR);
	assert_null(clock_of(*t, PLAN));
	assert_int_equal(results_count(*t), 1);

	/* Resolved a millisecond late. */
	run(e, FINISH, t, RESOLVE, resolve_due + 1);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(clock_of(*t, RESOLVE), "met")));
	assert_int_equal(timer_due(e, *t, RESOLVE), -1);
	assert_result(*t, 1, RESOLVE, resolve_due, resolve_due + 1, 0, 1);

	/* Reopened on Monday 14 December: the resolve clock runs again; done exactly at its due time is met,
	 * and counted as the second round. */
	int64_t reopened = utc(20261214, 10, 0), due2 = utc(20261222, 0, 0);
	run(e, START, t, RESOLVE, reopened);
	assert_int_equal(field(*t, RESOLVE, "due_at"), due2);
	assert_int_equal(field(*t, RESOLVE, "done_at"), -1);
	run(e, FINISH, t, RESOLVE, due2);
	assert_int_equal(results_count(*t), 3);
	assert_result(*t, 2, RESOLVE, due2, due2, 1, 2);
	/* The earlier rounds are kept as they were. */
	assert_result(*t, 0, ACK, T0 + 2 * HOUR, T0 + HOUR, 1, 1);
	assert_result(*t, 1, RESOLVE, resolve_due, resolve_due + 1, 0, 1);
}

/* ---- Pausing ------------------------------------------------------------------------------------ */

static void pause_keeps_what_is_left_and_resume_counts_it_from_now(void **state)
{
	struct env *e = *state;
	cJSON **t = new_ticket(e, "0000000000000001", "general");
	run(e, START, t, ACK, T0);
	run(e, START, t, RESOLVE, T0);
	int64_t resolve_due = utc(20261210, 0, 0);

	/* Waiting on the customer from 30 minutes in. */
	run(e, PAUSE, t, 0, T0 + 30 * MIN);
	assert_int_equal(field(*t, ACK, "remaining_ms"), 90 * MIN);
	assert_int_equal(field(*t, ACK, "paused_at"), T0 + 30 * MIN);
	assert_int_equal(field(*t, ACK, "due_at"), -1);
	assert_int_equal(timer_due(e, *t, ACK), -1);
	assert_int_equal(field(*t, RESOLVE, "remaining_ms"), resolve_due - (T0 + 30 * MIN));
	assert_int_equal(timer_due(e, *t, RESOLVE), -1);
	/* A paused clock is not overdue, however long the wait. */
	assert_false(vocd_sla_overdue(*t, T0 + 30 * DAY));

	/* Paused again: what is left does not shrink. */
	run(e, PAUSE, t, 0, T0 + HOUR);
	assert_int_equal(field(*t, ACK, "remaining_ms"), 90 * MIN);
	assert_int_equal(field(*t, ACK, "paused_at"), T0 + 30 * MIN);

	/* The customer answers 4.5 hours later: 90 minutes from then. */
	int64_t back = T0 + 5 * HOUR;
	run(e, RESUME, t, 0, back);
	assert_int_equal(field(*t, ACK, "due_at"), back + 90 * MIN);
	assert_int_equal(field(*t, ACK, "paused_ms"), 270 * MIN);
	assert_int_equal(field(*t, ACK, "remaining_ms"), -1);
	assert_int_equal(field(*t, ACK, "paused_at"), -1);
	assert_int_equal(timer_due(e, *t, ACK), back + 90 * MIN);
	assert_int_equal(field(*t, RESOLVE, "due_at"), resolve_due + 270 * MIN);
	assert_int_equal(timer_due(e, *t, RESOLVE), resolve_due + 270 * MIN);

	/* Resumed again: nothing was paused. */
	run(e, RESUME, t, 0, back + HOUR);
	assert_int_equal(field(*t, ACK, "due_at"), back + 90 * MIN);
	assert_int_equal(field(*t, ACK, "paused_ms"), 270 * MIN);

	/* A second wait adds to the first. */
	run(e, PAUSE, t, 0, back + 30 * MIN);
	run(e, RESUME, t, 0, back + 90 * MIN);
	assert_int_equal(field(*t, ACK, "paused_ms"), 330 * MIN);
	assert_int_equal(field(*t, ACK, "due_at"), back + 150 * MIN);

	/* A finished clock is not paused. */
	run(e, FINISH, t, ACK, back + 100 * MIN);
	run(e, PAUSE, t, 0, back + 110 * MIN);
	assert_int_equal(field(*t, ACK, "remaining_ms"), -1);
	assert_int_equal(field(*t, ACK, "done_at"), back + 100 * MIN);
}

static void pause_in_office_hours_counts_working_time(void **state)
{
	struct env *e = *state;
	e->conf.calendar.cal = office();
	cJSON **t = new_ticket(e, "0000000000000001", "general");

	/* Wednesday 09:00 plus 2 working hours: 11:00. */
	run(e, START, t, ACK, beijing(20261202, 9, 0));
	assert_int_equal(field(*t, ACK, "due_at"), beijing(20261202, 11, 0));
	/* Paused at 10:00 with an hour left; back at 17:30: half an hour that day, half the next morning. */
	run(e, PAUSE, t, 0, beijing(20261202, 10, 0));
	assert_int_equal(field(*t, ACK, "remaining_ms"), HOUR);
	run(e, RESUME, t, 0, beijing(20261202, 17, 30));
	assert_int_equal(field(*t, ACK, "due_at"), beijing(20261203, 9, 30));
	assert_int_equal(timer_due(e, *t, ACK), beijing(20261203, 9, 30));
	/* The wait counted in working time: 10:00-12:00 and 13:30-17:30. */
	assert_int_equal(field(*t, ACK, "paused_ms"), 6 * HOUR);

	/* Paused on Friday 17:00 with 10 minutes left (over the weekend): resumed on Saturday, the clock
	 * waits for Monday. */
	t = new_ticket(e, "0000000000000002", "urgent");
	run(e, START, t, ACK, beijing(20261204, 16, 40));
	assert_int_equal(field(*t, ACK, "due_at"), beijing(20261204, 17, 10));
	run(e, PAUSE, t, 0, beijing(20261204, 17, 0));
	assert_int_equal(field(*t, ACK, "remaining_ms"), 10 * MIN);
	run(e, RESUME, t, 0, beijing(20261205, 11, 0));
	assert_int_equal(field(*t, ACK, "due_at"), beijing(20261207, 9, 10));
	assert_int_equal(field(*t, ACK, "paused_ms"), HOUR); /* Friday 17:00-18:00 */

	/* An elapsed clock ("3 days" for repeat complaints) counts every hour, office hours or not. */
	t = new_ticket(e, "0000000000000003", "repeat");
	run(e, START, t, RESOLVE, beijing(20261202, 10, 0));
	assert_int_equal(field(*t, RESOLVE, "due_at"), beijing(20261205, 10, 0));
	assert_string_equal(vocd_json_str(clock_of(*t, RESOLVE), "kind"), "elapsed");
	run(e, PAUSE, t, 0, beijing(20261202, 12, 0));
	assert_int_equal(field(*t, RESOLVE, "remaining_ms"), 70 * HOUR);
	run(e, RESUME, t, 0, beijing(20261203, 12, 0));
	assert_int_equal(field(*t, RESOLVE, "due_at"), beijing(20261206, 10, 0));
	assert_int_equal(field(*t, RESOLVE, "paused_ms"), DAY);
	assert_int_equal(timer_due(e, *t, RESOLVE), beijing(20261206, 10, 0));
}

static void a_clock_paused_when_already_late_is_not_met(void **state)
{
	struct env *e = *state;
	/* Paused with time left, finished during the wait: done within its time. */
	cJSON **t = new_ticket(e, "0000000000000001", "general");
	run(e, START, t, ACK, T0);
	run(e, PAUSE, t, 0, T0 + HOUR);
	run(e, FINISH, t, ACK, T0 + 10 * HOUR);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(clock_of(*t, ACK), "met")));
	assert_result(*t, 0, ACK, -1, T0 + 10 * HOUR, 1, 1); /* no due time while paused */

	/* Paused an hour after its due time (before its timer was handled): nothing was left, so finishing
	 * during the wait did not meet it. */
	t = new_ticket(e, "0000000000000002", "general");
	run(e, START, t, ACK, T0);
	run(e, PAUSE, t, 0, T0 + 3 * HOUR);
	assert_int_equal(field(*t, ACK, "remaining_ms"), 0);
	run(e, FINISH, t, ACK, T0 + 4 * HOUR);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(clock_of(*t, ACK), "met")));
}

/* ---- Reclassifying ------------------------------------------------------------------------------ */

static void reclassify_takes_the_new_limit_from_the_start(void **state)
{
	struct env *e = *state;
	/* general (2h) to urgent (30m) 10 minutes in: due 30 minutes after the start. */
	cJSON **t = new_ticket(e, "0000000000000001", "general");
	run(e, START, t, ACK, T0);
	reclassify(e, t, "urgent", T0 + 10 * MIN);
	assert_int_equal(field(*t, ACK, "start"), T0);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 30 * MIN);
	assert_string_equal(vocd_json_str(clock_of(*t, ACK), "limit"), "30m");
	assert_int_equal(timer_due(e, *t, ACK), T0 + 30 * MIN);
	/* And back: 2 hours from the start. */
	reclassify(e, t, "general", T0 + 20 * MIN);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 2 * HOUR);
	assert_int_equal(timer_due(e, *t, ACK), T0 + 2 * HOUR);

	/* After a 50-minute wait on the customer: the wait does not count under the new limit either. */
	t = new_ticket(e, "0000000000000002", "general");
	run(e, START, t, ACK, T0);
	run(e, PAUSE, t, 0, T0 + 10 * MIN);
	run(e, RESUME, t, 0, T0 + 60 * MIN);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 170 * MIN);
	reclassify(e, t, "urgent", T0 + 65 * MIN);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 80 * MIN);
	assert_int_equal(field(*t, ACK, "paused_ms"), 50 * MIN);
	assert_int_equal(timer_due(e, *t, ACK), T0 + 80 * MIN);

	/* During a wait: what is left under the new limit is kept, no timer until the wait is over. */
	t = new_ticket(e, "0000000000000003", "general");
	run(e, START, t, ACK, T0);
	run(e, PAUSE, t, 0, T0 + 10 * MIN);
	reclassify(e, t, "urgent", T0 + 20 * MIN);
	assert_int_equal(field(*t, ACK, "remaining_ms"), 20 * MIN);
	assert_int_equal(field(*t, ACK, "paused_at"), T0 + 10 * MIN);
	assert_int_equal(field(*t, ACK, "due_at"), -1);
	assert_int_equal(timer_due(e, *t, ACK), -1);
	run(e, RESUME, t, 0, T0 + 2 * HOUR);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 140 * MIN);
	assert_int_equal(field(*t, ACK, "paused_ms"), 110 * MIN);
	assert_int_equal(timer_due(e, *t, ACK), T0 + 140 * MIN);

	/* A finished clock keeps its result. */
	t = new_ticket(e, "0000000000000004", "general");
	run(e, START, t, ACK, T0);
	run(e, FINISH, t, ACK, T0 + 90 * MIN);
	reclassify(e, t, "urgent", T0 + 100 * MIN);
	assert_int_equal(field(*t, ACK, "done_at"), T0 + 90 * MIN);
	assert_int_equal(field(*t, ACK, "due_at"), T0 + 2 * HOUR);
	assert_int_equal(timer_due(e, *t, ACK), -1);
}

static void reclassify_moves_every_running_clock(void **state)
{
	struct env *e = *state;
	/* general to important, whose acknowledge has no limit: the other running clocks still take the
	 * new class's limits (resolve: 15 working days from Wednesday 2 December, by the end of the 17th). */
	cJSON **t = new_ticket(e, "0000000000000001", "general");
	run(e, START, t, ACK, T0);
	run(e, START, t, RESOLVE, T0);
	reclassify(e, t, "important", T0 + 10 * MIN);
	assert_int_equal(timer_due(e, *t, ACK), -1);
	assert_int_equal(field(*t, RESOLVE, "due_at"), utc(20261218, 0, 0));
	assert_string_equal(vocd_json_str(clock_of(*t, RESOLVE), "limit"), "15 working days");
	assert_int_equal(timer_due(e, *t, RESOLVE), utc(20261218, 0, 0));
}

/* ---- Breaches and overdue ----------------------------------------------------------------------- */

static void a_breach_is_marked_only_when_due(void **state)
{
	struct env *e = *state;
	cJSON **t = new_ticket(e, "0000000000000001", "general");
	run(e, START, t, ACK, T0);
	const int64_t due = T0 + 2 * HOUR;

	assert_int_equal(vocd_sla_breach(*t, ACK, due, due - 1), 0);     /* not yet */
	assert_int_equal(vocd_sla_breach(*t, ACK, due + 1, due + 10), 0); /* a timer for another due time */
	assert_int_equal(vocd_sla_breach(*t, RESOLVE, due, due + 10), 0); /* not started */
	assert_int_equal(field(*t, ACK, "breached_at"), -1);
	assert_false(vocd_sla_overdue(*t, due));

	assert_int_equal(vocd_sla_breach(*t, ACK, due, due), 1);
	assert_int_equal(field(*t, ACK, "breached_at"), due);
	assert_int_equal(vocd_sla_breach(*t, ACK, due, due + 5), 0); /* once */
	assert_int_equal(field(*t, ACK, "breached_at"), due);
	assert_true(vocd_sla_overdue(*t, T0)); /* breached and not done: overdue whatever the time */

	/* Done after the breach: recorded, not met, and no longer overdue. */
	run(e, FINISH, t, ACK, due + HOUR);
	assert_result(*t, 0, ACK, due, due + HOUR, 0, 1);
	assert_false(vocd_sla_overdue(*t, due + DAY));

	/* Paused: the timer of the old due time is stale. */
	t = new_ticket(e, "0000000000000002", "general");
	run(e, START, t, ACK, T0);
	run(e, PAUSE, t, 0, T0 + HOUR);
	assert_int_equal(vocd_sla_breach(*t, ACK, due, due + 1), 0);
	/* Resumed: the old due time is stale too; the new one breaches. */
	run(e, RESUME, t, 0, T0 + 2 * HOUR);
	assert_int_equal(vocd_sla_breach(*t, ACK, due, due + 1), 0);
	assert_int_equal(vocd_sla_breach(*t, ACK, T0 + 3 * HOUR, T0 + 3 * HOUR), 1);

	/* Done in time: a late timer changes nothing. */
	t = new_ticket(e, "0000000000000003", "general");
	run(e, START, t, ACK, T0);
	run(e, FINISH, t, ACK, T0 + HOUR);
	assert_int_equal(vocd_sla_breach(*t, ACK, due, due + 1), 0);
	assert_int_equal(field(*t, ACK, "breached_at"), -1);
}

static void overdue_means_a_running_clock_past_its_due_time(void **state)
{
	struct env *e = *state;
	cJSON **t = new_ticket(e, "0000000000000001", "general");
	assert_false(vocd_sla_overdue(*t, T0 + 365 * DAY)); /* no clocks */
	run(e, START, t, ACK, T0);
	run(e, START, t, RESOLVE, T0);
	assert_false(vocd_sla_overdue(*t, T0));
	assert_false(vocd_sla_overdue(*t, T0 + 2 * HOUR));
	assert_true(vocd_sla_overdue(*t, T0 + 2 * HOUR + 1));
	/* Acknowledged late: the resolve clock is still within its time. */
	run(e, FINISH, t, ACK, T0 + 3 * HOUR);
	assert_false(vocd_sla_overdue(*t, T0 + 3 * HOUR));
	assert_true(vocd_sla_overdue(*t, utc(20261210, 0, 0) + 1));
	run(e, FINISH, t, RESOLVE, T0 + DAY);
	assert_false(vocd_sla_overdue(*t, T0 + 365 * DAY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(start_sets_the_due_time_and_a_timer, setup, teardown),
	    cmocka_unit_test_setup_teardown(finishing_records_whether_the_clock_was_met, setup, teardown),
	    cmocka_unit_test_setup_teardown(pause_keeps_what_is_left_and_resume_counts_it_from_now, setup, teardown),
	    cmocka_unit_test_setup_teardown(pause_in_office_hours_counts_working_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_clock_paused_when_already_late_is_not_met, setup, teardown),
	    cmocka_unit_test_setup_teardown(reclassify_takes_the_new_limit_from_the_start, setup, teardown),
	    cmocka_unit_test_setup_teardown(reclassify_moves_every_running_clock, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_breach_is_marked_only_when_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(overdue_means_a_running_clock_past_its_due_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

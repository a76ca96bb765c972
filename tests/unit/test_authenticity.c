/* Tests of core/authenticity.c (and its setting, core/authenticity_conf.c): the decisions of each signal
 * on their own, then the signals of answers assessed in a real store one after the other, and the suspect
 * rollups that let a figure be given without them (core/review.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authenticity.h"
#include "calendar.h"
#include "error.h"
#include "review.h"
#include "rollup.h"
#include "store.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define TENANT "acme"

/* ---- Decisions ---------------------------------------------------------------------------------------- */

static void test_too_fast(void **state)
{
	(void)state;
	char why[300] = "";
	assert_false(vocd_authenticity_too_fast(-1, 4, 2, why, sizeof why)); /* unknown */
	assert_false(vocd_authenticity_too_fast(8, 4, 2, why, sizeof why));
	assert_false(vocd_authenticity_too_fast(1, 4, 0, why, sizeof why)); /* switched off */
	assert_true(vocd_authenticity_too_fast(5, 4, 2, why, sizeof why));
	assert_string_equal(why, "submitted 5 s after the survey was opened; its 4 questions take at least 8 s to read (2 s each)");
	assert_true(vocd_authenticity_too_fast(0, 1, 3, why, sizeof why));
}

static void test_unlike_history(void **state)
{
	(void)state;
	char why[300] = "";
	/* CSAT 1-5, gap 0.5: 2 points from the mean. */
	assert_true(vocd_authenticity_unlike_history(VOCD_METRIC_CSAT, 5, 3, 4, 3, 0.5, why, sizeof why));
	assert_non_null(strstr(why, "CSAT 5, while this customer's 3 earlier answers average 1.3"));
	assert_non_null(strstr(why, "limit 2.0"));
	assert_false(vocd_authenticity_unlike_history(VOCD_METRIC_CSAT, 5, 2, 2, 3, 0.5, why, sizeof why)); /* too few */
	assert_false(vocd_authenticity_unlike_history(VOCD_METRIC_CSAT, 3, 3, 4, 3, 0.5, why, sizeof why));
	assert_true(vocd_authenticity_unlike_history(VOCD_METRIC_CSAT, 3, 3, 3, 3, 0.5, why, sizeof why)); /* exactly 2 */
	assert_false(vocd_authenticity_unlike_history(VOCD_METRIC_CSAT, 5, 9, 9, 0, 0.5, why, sizeof why)); /* off */
	/* NPS 0-10: 5 points; a low score far from a high mean counts too. */
	assert_true(vocd_authenticity_unlike_history(VOCD_METRIC_NPS, 0, 4, 36, 3, 0.5, why, sizeof why));
	assert_false(vocd_authenticity_unlike_history(VOCD_METRIC_NPS, 5, 4, 36, 3, 0.5, why, sizeof why));
}

static void test_period_left(void **state)
{
	(void)state;
	int32_t start, last;
	assert_int_equal(vocd_authenticity_period_left(20261229, VOCD_PERIOD_MONTH, &start, &last), 3);
	assert_int_equal(start, 20261201);
	assert_int_equal(last, 20261231);
	assert_int_equal(vocd_authenticity_period_left(20261231, VOCD_PERIOD_MONTH, &start, &last), 1);
	assert_int_equal(vocd_authenticity_period_left(20240229, VOCD_PERIOD_MONTH, &start, &last), 1);
	assert_int_equal(vocd_authenticity_period_left(20260201, VOCD_PERIOD_MONTH, &start, &last), 28);
	assert_int_equal(vocd_authenticity_period_left(20261115, VOCD_PERIOD_QUARTER, &start, &last), 47);
	assert_int_equal(start, 20261001);
	assert_int_equal(last, 20261231);
	assert_int_equal(vocd_authenticity_period_left(20260101, VOCD_PERIOD_QUARTER, &start, &last), 90);
	assert_int_equal(last, 20260331);
}

static void test_questions(void **state)
{
	(void)state;
	struct vocd_survey sv;
	memset(&sv, 0, sizeof sv);
	sv.nmetrics = 2;
	sv.ndimensions = 3;
	sv.ntags = 5; /* one question, however many tags */
	sv.question.zh = "还有什么想说的？";
	assert_int_equal(vocd_authenticity_questions(&sv), 7);
	sv.question.zh = "";
	assert_int_equal(vocd_authenticity_questions(&sv), 6);
	assert_int_equal(vocd_authenticity_questions(NULL), 0);
}

/* ---- The setting ------------------------------------------------------------------------------------------ */

static int parse(const char *json, struct vocd_authenticity_conf *c, char *why, size_t wl)
{
	cJSON *s = json ? cJSON_Parse(json) : NULL;
	why[0] = '\0';
	int rc = vocd_authenticity_conf_parse(s, c, why, wl);
	cJSON_Delete(s);
	return rc;
}

static void test_conf(void **state)
{
	(void)state;
	struct vocd_authenticity_conf c;
	char why[400];
	assert_int_equal(parse(NULL, &c, why, sizeof why), 0);
	assert_int_equal(c.burst_per_ip, 5);
	assert_int_equal(c.duplicate_distance, 10);
	assert_true(c.incentive);
	assert_int_equal(parse("{\"burst_per_ip\": 0, \"trusted_addresses\": [\"10.0.0.5\"], \"incentive\": {\"period\": "
	                       "\"quarter\", \"last_days\": 10}, \"history_gap\": 0.25}", &c, why, sizeof why), 0);
	assert_int_equal(c.burst_per_ip, 0);
	assert_int_equal(c.period, VOCD_PERIOD_QUARTER);
	assert_int_equal(c.last_days, 10);
	assert_true(vocd_authenticity_trusted(&c, "10.0.0.5"));
	assert_false(vocd_authenticity_trusted(&c, "10.0.0.6"));
	vocd_authenticity_conf_free(&c);
	static const struct {
		const char *json, *why;
	} bad[] = {
		{"{\"burst_per_ip\": 100}", "authenticity.burst_per_ip: expected a whole number from 0 (not checked) to 60, got 100"},
		{"{\"burst_minutes\": \"10m\"}", "authenticity.burst_minutes: expected a number of minutes from 1 to 1440, got text"},
		{"{\"seconds_per_question\": 1.5}", "authenticity.seconds_per_question: expected a number of seconds from 0 (not checked) to 600, got 1.5"},
		{"{\"bursts\": 3}", "authenticity: unknown setting 'bursts'"},
		{"{\"history_gap\": 2}", "authenticity.history_gap: expected a share of the scale above 0 and up to 1"},
		{"{\"staff_devices\": \"yes\"}", "authenticity.staff_devices: expected true or false"},
		{"{\"incentive\": {\"period\": \"week\"}}", "authenticity.incentive.period: expected \"month\" or \"quarter\""},
		{"{\"incentive\": {\"last_days\": 0}}", "authenticity.incentive.last_days: expected a number of days from 1 to 31, got 0"},
		{"{\"trusted_addresses\": [\"10.0.0.5\", 7]}", "authenticity.trusted_addresses[2]: expected an IP address"},
		{"[1]", "authenticity: expected {"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(bad[i].json, &c, why, sizeof why), VOCD_ECONFIG);
		if (strncmp(why, bad[i].why, strlen(bad[i].why)) != 0)
			fail_msg("%s: got \"%s\", want \"%s…\"", bad[i].json, why, bad[i].why);
		assert_null(c.trusted_addresses);
	}
}

/* ---- Signals in a store ------------------------------------------------------------------------------------ */

struct env {
	char dir[64];
	vocd_store *st;
	struct vocd_tenant_conf t;
	int seq;
	const char *previous; /* the next answer corrects this one */
	unsigned flags;       /* of the answers assessed */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/vocd-test-authenticity-XXXXXX");
	if (!e || !mkdtemp(e->dir))
		return -1;
	struct vocd_store_opts so = {.no_sync = 1};
	if (vocd_store_open(&e->st, e->dir, &so) != 0)
		return -1;
	char why[200];
	if (vocd_authenticity_conf_parse(NULL, &e->t.authenticity, why, sizeof why) != 0)
		return -1;
	e->t.calendar.cal.utc_offset_min = 480;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	vocd_store_close(e->st);
	vocd_authenticity_conf_free(&e->t.authenticity);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", e->dir);
	int rc = system(cmd);
	free(e);
	return rc;
}

struct assess_job {
	struct env *e;
	cJSON *ev;
	int64_t now;
	const char *staff_ip, *staff_ua, *staff_person; /* a sign-in before the answer */
	unsigned flags;
};

static int assess_fn(vocd_txn *txn, void *arg)
{
	struct assess_job *j = arg;
	int rc = 0;
	if (j->staff_person)
		rc = vocd_authenticity_staff_device(txn, TENANT, j->staff_ip, j->staff_ua, j->staff_person);
	cJSON_DeleteItemFromObject(j->ev, "signals"); /* a job may run again */
	cJSON_DeleteItemFromObject(j->ev, "suspect");
	if (rc == 0)
		rc = vocd_authenticity_assess(txn, TENANT, &j->e->t, NULL, j->ev, j->now, j->flags);
	if (rc == 0)
		rc = vocd_rollup_count(txn, TENANT, &j->e->t.calendar.cal, j->ev, +1);
	if (rc == 0)
		rc = vocd_review_enqueue(txn, TENANT, &j->e->t.calendar.cal, j->ev);
	if (rc == 0) { /* as evaluation.c stores it, for the review's decision to find */
		char *text = cJSON_PrintUnformatted(j->ev);
		rc = vocd_rec_put(txn, TENANT, "evaluation", cJSON_GetStringValue(cJSON_GetObjectItem(j->ev, "id")), text,
		                  strlen(text), NULL, 0);
		free(text);
	}
	return rc;
}

/* Assesses an answer with these parts (NULL: none) and returns it with its signals (caller frees). */
static cJSON *answer(struct env *e, int64_t now, const char *ip, const char *ua, const char *agent, const char *customer,
                     int csat, const char *text)
{
	cJSON *ev = cJSON_CreateObject();
	char id[24];
	snprintf(id, sizeof id, "%016d", ++e->seq);
	cJSON_AddStringToObject(ev, "id", id);
	if (customer)
		cJSON_AddStringToObject(ev, "customer", customer);
	if (e->previous)
		cJSON_AddStringToObject(ev, "previous", e->previous);
	e->previous = NULL;
	cJSON *ctx = cJSON_AddObjectToObject(ev, "context");
	if (agent)
		cJSON_AddStringToObject(ctx, "agent", agent);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(ev, "scores"), "csat", csat);
	if (text)
		cJSON_AddStringToObject(ev, "text", text);
	cJSON *src = cJSON_AddObjectToObject(ev, "source");
	if (ip)
		cJSON_AddStringToObject(src, "ip", ip);
	if (ua)
		cJSON_AddStringToObject(src, "user_agent", ua);
	cJSON_AddNumberToObject(ev, "created_at", (double)now);
	struct assess_job j = {e, ev, now, NULL, NULL, NULL, e->flags};
	assert_int_equal(vocd_store_write(e->st, assess_fn, &j), 0);
	return ev;
}

static const char *signal(const cJSON *ev, const char *code)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ev, "signals"))
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "code")), code) == 0)
			return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "reason"));
	return NULL;
}

static int suspect(const cJSON *ev)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "suspect"));
}

/* Mid-month, so that no incentive period is near its end. */
static int64_t mid_december(int hour)
{
	return vocd_calendar_day_number(20261215) * DAY + hour * HOUR - 8 * HOUR;
}

static void test_bursts_per_address_and_device(void **state)
{
	struct env *e = *state;
	int64_t t0 = mid_december(10);
	for (int i = 1; i <= 7; i++) {
		/* A new browser each time: only the address repeats, until the last two. */
		char ua[32];
		snprintf(ua, sizeof ua, "phone-%d", i >= 6 ? 6 : i);
		cJSON *ev = answer(e, t0 + i * MIN, "203.0.113.5", ua, NULL, NULL, 5, NULL);
		const char *why = signal(ev, "ip_burst");
		if (i <= 5) {
			assert_null(why);
		} else {
			char want[120];
			snprintf(want, sizeof want, "%d answers from address 203.0.113.5 within 10 minutes (limit 5)", i);
			assert_non_null(why);
			assert_string_equal(why, want);
		}
		assert_null(signal(ev, "device_burst")); /* at most 2 from one browser */
		assert_int_equal(suspect(ev), i > 5);
		cJSON_Delete(ev);
	}
	/* Another address is not counted with it; and once the window has passed, the address starts afresh. */
	cJSON *ev = answer(e, t0 + 8 * MIN, "203.0.113.6", "phone-1", NULL, NULL, 5, NULL);
	assert_false(suspect(ev));
	cJSON_Delete(ev);
	ev = answer(e, t0 + 40 * MIN, "203.0.113.5", "phone-9", NULL, NULL, 5, NULL);
	assert_false(suspect(ev));
	cJSON_Delete(ev);
	/* The window slides over the stored windows' boundary: 8 to 13 minutes past two o'clock are six answers
	 * within 10 minutes, though the records of 14:00 and 14:10 each hold a part of them. */
	int64_t two = t0 + 4 * HOUR;
	int at[] = {8, 9, 10, 11, 12, 13, 19, 24};
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		ev = answer(e, two + at[i] * MIN, "203.0.113.77", NULL, NULL, NULL, 5, NULL);
		const char *why = signal(ev, "ip_burst");
		/* at 19: (9, 19] holds 10-13 and itself, 5; at 24: 19 and itself */
		assert_int_equal(why != NULL, at[i] == 13);
		if (why)
			assert_string_equal(why, "6 answers from address 203.0.113.77 within 10 minutes (limit 5)");
		cJSON_Delete(ev);
	}
	/* Relayed by a gateway (SMS replies): its address says nothing. */
	e->flags = VOCD_AUTH_RELAYED;
	for (int i = 1; i <= 7; i++) {
		ev = answer(e, two + (30 + i) * MIN, "198.51.100.200", "gateway", NULL, NULL, 5, NULL);
		assert_false(suspect(ev));
		cJSON_Delete(ev);
	}
	e->flags = 0;
	/* One device: 3 allowed, the 4th is a burst of its own. */
	for (int i = 1; i <= 4; i++) {
		ev = answer(e, t0 + 2 * HOUR + i * MIN, "198.51.100.7", "same-phone", NULL, NULL, 5, NULL);
		assert_int_equal(signal(ev, "device_burst") != NULL, i == 4);
		cJSON_Delete(ev);
	}
}

static void test_near_duplicate_text(void **state)
{
	struct env *e = *state;
	e->t.authenticity.burst_per_ip = e->t.authenticity.burst_per_device = 0;
	int64_t t0 = mid_december(10);
	cJSON *a = answer(e, t0, "192.0.2.1", NULL, NULL, NULL, 5, "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评！");
	assert_false(suspect(a));
	cJSON *b = answer(e, t0 + MIN, "192.0.2.2", NULL, NULL, NULL, 5, "等了两个小时没有人接电话，退款到现在还没有到账，非常失望。");
	assert_false(suspect(b));
	cJSON *c = answer(e, t0 + 2 * MIN, "192.0.2.3", NULL, NULL, NULL, 5, "服务非常好 客服态度热情 问题很快就解决了 非常满意 五星好评");
	const char *why = signal(c, "near_duplicate");
	assert_non_null(why);
	assert_non_null(strstr(why, "closest: evaluation 0000000000000001, 0 of 64 bits apart"));
	/* A short text says too little to compare. */
	cJSON *d = answer(e, t0 + 3 * MIN, "192.0.2.4", NULL, NULL, NULL, 5, "很好");
	cJSON *f = answer(e, t0 + 4 * MIN, "192.0.2.5", NULL, NULL, NULL, 5, "很好");
	assert_false(suspect(f));
	/* A correction is not a duplicate of the answer it corrects... */
	cJSON *x = answer(e, t0 + 5 * MIN, "192.0.2.7", NULL, NULL, NULL, 5, "等了两个小时没有人接电话，退款到现在还没有到账，非常失望！");
	assert_true(suspect(x));
	cJSON_Delete(x);
	e->previous = "0000000000000002";
	x = answer(e, t0 + 6 * MIN, "192.0.2.2", NULL, NULL, NULL, 4, "等了两个小时没有人接电话，退款到现在还没有到账，有点失望。");
	const char *why_x = signal(x, "near_duplicate"); /* ...but of others */
	assert_non_null(why_x);
	assert_non_null(strstr(why_x, "text nearly identical to 1 of the last answers with text (closest: evaluation 0000000000000006"));
	cJSON_Delete(x);
	/* Older than duplicate_days: forgotten. */
	cJSON *g = answer(e, t0 + 8 * DAY, "192.0.2.6", NULL, NULL, NULL, 5, "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评！");
	assert_false(suspect(g));
	cJSON *list[] = {a, b, c, d, f, g};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		cJSON_Delete(list[i]);
}

static void test_staff_device(void **state)
{
	struct env *e = *state;
	e->t.authenticity.burst_per_ip = e->t.authenticity.burst_per_device = 0;
	int64_t t0 = mid_december(10);
	cJSON *ev = cJSON_CreateObject();
	struct assess_job sign_in = {e, ev, t0, "10.1.1.1", "Mozilla/5.0 staff", "a-17", 0};
	cJSON_AddStringToObject(ev, "id", "0000000000000099");
	assert_int_equal(vocd_store_write(e->st, assess_fn, &sign_in), 0);
	cJSON_Delete(ev);
	ev = answer(e, t0 + MIN, "10.1.1.1", "Mozilla/5.0 staff", "a-17", NULL, 5, NULL);
	const char *why = signal(ev, "staff_device");
	assert_non_null(why);
	assert_non_null(strstr(why, "a-17, the agent whose service is evaluated"));
	cJSON_Delete(ev);
	ev = answer(e, t0 + MIN, "10.1.1.1", "Mozilla/5.0 staff", "a-18", NULL, 5, NULL);
	assert_non_null(strstr(signal(ev, "staff_device"), "staff member a-17"));
	cJSON_Delete(ev);
	ev = answer(e, t0 + MIN, "10.1.1.1", "Mozilla/5.0 customer", "a-17", NULL, 5, NULL); /* another browser */
	assert_false(suspect(ev));
	cJSON_Delete(ev);
}

static void test_history_and_incentive_spike(void **state)
{
	struct env *e = *state;
	e->t.authenticity.burst_per_ip = e->t.authenticity.burst_per_device = 0;
	e->t.authenticity.top_ratings = 2;
	int64_t mid = mid_december(10);
	int csat[] = {1, 2, 1, 5};
	for (int i = 0; i < 4; i++) {
		cJSON *ev = answer(e, mid + i * MIN, NULL, NULL, NULL, "c-1", csat[i], NULL);
		assert_int_equal(signal(ev, "unlike_history") != NULL, i == 3);
		cJSON_Delete(ev);
	}
	/* Top ratings mid-month are not counted; in the last 3 days, the third for one agent is a spike. */
	for (int i = 0; i < 5; i++) {
		cJSON *ev = answer(e, mid + i * MIN, NULL, NULL, "a-17", NULL, 5, NULL);
		assert_false(suspect(ev));
		cJSON_Delete(ev);
	}
	int64_t late = vocd_calendar_day_number(20261230) * DAY + 2 * HOUR - 8 * HOUR;
	for (int i = 1; i <= 3; i++) {
		cJSON *ev = answer(e, late + i * MIN, NULL, NULL, "a-17", NULL, 5, NULL);
		const char *why = signal(ev, "incentive_spike");
		assert_int_equal(why != NULL, i == 3);
		if (why)
			assert_string_equal(why, "top rating number 3 for agent a-17 in the last 3 days of the month ending 2026-12-31 (limit 2)");
		cJSON_Delete(ev);
	}
	cJSON *ev = answer(e, late + 5 * MIN, NULL, NULL, "a-18", NULL, 5, NULL); /* another agent */
	assert_false(suspect(ev));
	cJSON_Delete(ev);
	ev = answer(e, late + 6 * MIN, NULL, NULL, "a-17", NULL, 3, NULL); /* not a top rating */
	assert_false(suspect(ev));
	cJSON_Delete(ev);
}

/* A busy agent's usual day is no spike: the limit is twice their own rate of top ratings over the 28 days
 * before the last days (here 2 a day, so 12 for the last 3 days), never less than top_ratings. */
static void test_incentive_spike_follows_the_agents_own_rate(void **state)
{
	struct env *e = *state;
	e->t.authenticity.burst_per_ip = e->t.authenticity.burst_per_device = 0;
	e->t.authenticity.top_ratings = 2;
	for (int32_t d = 1; d <= 28; d++) /* December 1-28: two top ratings a day */
		for (int i = 0; i < 2; i++) {
			int64_t at = vocd_calendar_day_number(20261200 + d) * DAY + (10 + i) * HOUR - 8 * HOUR;
			cJSON *ev = answer(e, at, NULL, NULL, "a-17", NULL, 5, NULL);
			assert_false(suspect(ev));
			cJSON_Delete(ev);
		}
	int64_t late = vocd_calendar_day_number(20261230) * DAY + 2 * HOUR - 8 * HOUR;
	for (int i = 1; i <= 13; i++) {
		cJSON *ev = answer(e, late + i * MIN, NULL, NULL, "a-17", NULL, 5, NULL);
		const char *why = signal(ev, "incentive_spike");
		assert_int_equal(why != NULL, i == 13);
		if (why)
			assert_string_equal(why, "top rating number 13 for agent a-17 in the last 3 days of the month ending 2026-12-31 (limit 12)");
		cJSON_Delete(ev);
	}
	/* A quiet agent in the same days: the tenant's floor of 2. */
	for (int i = 1; i <= 3; i++) {
		cJSON *ev = answer(e, late + (20 + i) * MIN, NULL, NULL, "a-18", NULL, 5, NULL);
		assert_int_equal(signal(ev, "incentive_spike") != NULL, i == 3);
		cJSON_Delete(ev);
	}
}

static int count_reviewed(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	static const char topic[] = "evaluation.reviewed";
	/* publish time (8), topic length (2), topic */
	if (len > 10 + sizeof topic - 1 && memcmp((const char *)data + 10, topic, sizeof topic - 1) == 0)
		++*(int *)arg;
	return 0;
}

static void test_figures_without_suspect_answers(void **state)
{
	struct env *e = *state;
	e->t.authenticity.burst_per_ip = 2;
	int64_t t0 = mid_december(10);
	for (int i = 0; i < 4; i++) /* two clean, two in a burst */
		cJSON_Delete(answer(e, t0 + i * MIN, "203.0.113.9", NULL, NULL, NULL, i < 2 ? 1 : 5, NULL));
	vocd_txn *txn;
	struct vocd_rollup_counts all, sus, clean;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_rollup_sum(txn, TENANT, VOCD_ROLLUP_ALL, "*", 20261215, 20261215, &all), 0);
	assert_int_equal(vocd_rollup_sum_suspect(txn, TENANT, VOCD_ROLLUP_ALL, "*", 20261215, 20261215, &sus), 0);
	assert_int_equal(vocd_rollup_sum_clean(txn, TENANT, VOCD_ROLLUP_ALL, "*", 20261215, 20261215, &clean), 0);
	vocd_txn_end(txn);
	assert_int_equal(all.answers, 4);
	assert_int_equal(all.csat[5], 2);
	assert_int_equal(sus.answers, 2);
	assert_int_equal(sus.csat[5], 2);
	assert_int_equal(clean.answers, 2);
	assert_int_equal(clean.csat[5], 0);
	assert_int_equal(clean.csat[1], 2);

	/* An auditor clears the third: it counts as clean again. Confirming the fourth changes no figure. */
	struct vocd_review_decision d;
	memset(&d, 0, sizeof d);
	d.tenant = TENANT;
	d.cal = &e->t.calendar.cal;
	d.evaluation = "0000000000000003";
	d.decision = "clear";
	d.note = "a family's answers";
	d.who.actor.id = "auditor-token";
	assert_int_equal(vocd_review_decide(e->st, &d), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(d.review, "decision")), "cleared");
	cJSON_Delete(d.review);
	assert_int_equal(vocd_review_decide(e->st, &d), VOCD_EEXIST);
	d.evaluation = "0000000000000004";
	d.decision = "confirm";
	assert_int_equal(vocd_review_decide(e->st, &d), 0);
	cJSON_Delete(d.review);
	d.evaluation = "0000000000000001"; /* never flagged */
	assert_int_equal(vocd_review_decide(e->st, &d), VOCD_ENOTFOUND);
	d.decision = "delete";
	assert_int_equal(vocd_review_decide(e->st, &d), VOCD_EINVAL);
	d.decision = "clear";
	d.note = "";
	assert_int_equal(vocd_review_decide(e->st, &d), VOCD_EINVAL);
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_rollup_sum_clean(txn, TENANT, VOCD_ROLLUP_ALL, "*", 20261215, 20261215, &clean), 0);
	assert_int_equal(vocd_rollup_sum(txn, TENANT, VOCD_ROLLUP_ALL, "*", 20261215, 20261215, &all), 0);
	/* Each decision was announced. */
	int announced = 0;
	assert_int_equal(vocd_rec_scan(txn, TENANT, "bus.outbox", NULL, count_reviewed, &announced), 0);
	vocd_txn_end(txn);
	assert_int_equal(all.answers, 4);
	assert_int_equal(clean.answers, 3);
	assert_int_equal(clean.csat[5], 1);
	assert_int_equal(announced, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_fast),
		cmocka_unit_test(test_unlike_history),
		cmocka_unit_test(test_period_left),
		cmocka_unit_test(test_questions),
		cmocka_unit_test(test_conf),
		cmocka_unit_test_setup_teardown(test_bursts_per_address_and_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_near_duplicate_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staff_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_and_incentive_spike, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incentive_spike_follows_the_agents_own_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_figures_without_suspect_answers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

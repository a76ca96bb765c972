/* Tests of core/rollup.c: evaluations counted into per-day, per-dimension rollups in a real store, taken
 * out again by corrections, summed over day ranges without mixing values, and the figures made of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"
#include "rollup.h"
#include "stats.h"
#include "store.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

#define TENANT "acme"

/* ---- Helpers ------------------------------------------------------------------------------------ */

struct env {
	char dir[64];
	vocd_store *st;
	struct vocd_calendar cal; /* UTC+8: only the offset matters to rollups */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/vocd-test-rollup-XXXXXX");
	if (!e || !mkdtemp(e->dir))
		return -1;
	struct vocd_store_opts so = {.no_sync = 1};
	if (vocd_store_open(&e->st, e->dir, &so) != 0)
		return -1;
	e->cal.utc_offset_min = 480;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	vocd_store_close(e->st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", e->dir);
	int rc = system(cmd);
	free(e);
	return rc;
}

/* Unix ms of a Beijing wall-clock time. */
static int64_t beijing(int32_t day, int hour, int minute)
{
	return vocd_calendar_day_number(day) * DAY + hour * HOUR + minute * MIN - 8 * HOUR;
}

struct count_job {
	const struct vocd_calendar *cal;
	const cJSON *evaluation;
	int sign;
};

static int count_fn(vocd_txn *txn, void *arg)
{
	struct count_job *j = arg;
	return vocd_rollup_count(txn, TENANT, j->cal, j->evaluation, j->sign);
}

/* Counts (sign +1) or takes out (-1) the evaluation \p json in a write job of its own. */
static void count(struct env *e, const char *json, int sign)
{
	cJSON *ev = cJSON_Parse(json);
	if (!ev)
		fail_msg("test JSON does not parse: %s", json);
	struct count_job j = {&e->cal, ev, sign};
	int rc = vocd_store_write(e->st, count_fn, &j);
	cJSON_Delete(ev);
	assert_int_equal(rc, 0);
}

/* An evaluation created at Beijing day \p day 10:00 with these scores (-1: not answered) and context. */
static void count_one(struct env *e, int32_t day, int csat, int nps, int ces, const char *agent, const char *team,
                      const char *dealer, const char *channel, int sign)
{
	char scores[96] = "", json[1024];
	size_t n = 0;
	if (csat >= 0)
		n += (size_t)snprintf(scores + n, sizeof scores - n, "%s\"csat\": %d", n ? ", " : "", csat);
	if (nps >= 0)
		n += (size_t)snprintf(scores + n, sizeof scores - n, "%s\"nps\": %d", n ? ", " : "", nps);
	if (ces >= 0)
		n += (size_t)snprintf(scores + n, sizeof scores - n, "%s\"ces\": %d", n ? ", " : "", ces);
	snprintf(json, sizeof json,
	         "{\"id\": \"e\", \"created_at\": %lld, \"scores\": {%s}, \"context\": {\"agent\": \"%s\", \"team\": \"%s\", "
	         "\"dealer\": \"%s\"}, \"channel\": \"%s\"}",
	         (long long)beijing(day, 10, 0), scores, agent, team, dealer, channel);
	count(e, json, sign);
}

static struct vocd_rollup_counts sum(struct env *e, const char *tenant, const char *dim, const char *value, int32_t from,
                                     int32_t to)
{
	struct vocd_rollup_counts c;
	memset(&c, 0xee, sizeof c); /* zeroed by the sum, not by the caller */
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	int rc = vocd_rollup_sum(txn, tenant, dim, value, from, to, &c);
	vocd_txn_end(txn);
	assert_int_equal(rc, 0);
	assert_int_equal(c.version, 1);
	return c;
}

/* Compares two count tables; on a difference, says which counter. */
static void assert_counts(const struct vocd_rollup_counts *got, const struct vocd_rollup_counts *want, const char *what)
{
	if (got->answers != want->answers)
		fail_msg("%s: answers %u, expected %u", what, got->answers, want->answers);
	for (int i = 0; i < 6; i++)
		if (got->csat[i] != want->csat[i])
			fail_msg("%s: csat[%d] %u, expected %u", what, i, got->csat[i], want->csat[i]);
	for (int i = 0; i < 11; i++)
		if (got->nps[i] != want->nps[i])
			fail_msg("%s: nps[%d] %u, expected %u", what, i, got->nps[i], want->nps[i]);
	for (int i = 0; i < 8; i++)
		if (got->ces[i] != want->ces[i])
			fail_msg("%s: ces[%d] %u, expected %u", what, i, got->ces[i], want->ces[i]);
}

static void assert_answers(struct env *e, const char *dim, const char *value, int32_t from, int32_t to, uint32_t want)
{
	struct vocd_rollup_counts c = sum(e, TENANT, dim, value, from, to);
	if (c.answers != want)
		fail_msg("%s = %s from %d to %d: %u answers, expected %u", dim, value, from, to, c.answers, want);
}

/* ---- Counting and summing ----------------------------------------------------------------------- */

static void answers_are_counted_per_day_and_dimension(void **state)
{
	struct env *e = *state;
	/* Two agents of team care with dealer d-01 on 1 and 2 December, one of team sales on the 2nd. */
	count_one(e, 20261201, 5, 9, 2, "a-17", "care", "d-01", "sms", 1);
	count_one(e, 20261201, 2, 3, 6, "a-18", "care", "d-01", "wechat", 1);
	count_one(e, 20261202, 4, 10, -1, "a-17", "care", "d-01", "sms", 1);
	count_one(e, 20261202, 1, -1, -1, "a-19", "sales", "d-02", "sms", 1);

	/* Everyone, both days: each score in its slot. */
	struct vocd_rollup_counts want;
	memset(&want, 0, sizeof want);
	want.answers = 4;
	want.csat[5] = want.csat[2] = want.csat[4] = want.csat[1] = 1;
	want.nps[9] = want.nps[3] = want.nps[10] = 1;
	want.ces[2] = want.ces[6] = 1;
	struct vocd_rollup_counts got = sum(e, TENANT, VOCD_ROLLUP_ALL, "*", 20261201, 20261202);
	assert_counts(&got, &want, "all, 1-2 December");

	/* Agent a-17, 1 December only. */
	memset(&want, 0, sizeof want);
	want.answers = 1;
	want.csat[5] = 1;
	want.nps[9] = 1;
	want.ces[2] = 1;
	got = sum(e, TENANT, "agent", "a-17", 20261201, 20261201);
	assert_counts(&got, &want, "agent a-17, 1 December");

	static const struct {
		const char *dim, *value;
		int32_t from, to;
		uint32_t answers;
	} cases[] = {
	    {VOCD_ROLLUP_ALL, "*", 20261201, 20261201, 2},
	    {VOCD_ROLLUP_ALL, "*", 20261202, 20261202, 2},
	    {VOCD_ROLLUP_ALL, "*", 20261101, 20261231, 4},
	    {VOCD_ROLLUP_ALL, "*", 20261203, 20261231, 0}, /* after them */
	    {VOCD_ROLLUP_ALL, "*", 20261101, 20261130, 0}, /* before them */
	    {VOCD_ROLLUP_ALL, "*", 20261202, 20261201, 0}, /* an empty range */
	    {"agent", "a-17", 20261201, 20261202, 2},
	    {"agent", "a-18", 20261201, 20261202, 1},
	    {"agent", "a-18", 20261202, 20261202, 0},
	    {"agent", "a-20", 20261201, 20261202, 0},
	    {"team", "care", 20261201, 20261202, 3},
	    {"team", "sales", 20261201, 20261202, 1},
	    {"dealer", "d-01", 20261201, 20261201, 2},
	    {"dealer", "d-01", 20261201, 20261202, 3},
	    {"dealer", "d-02", 20261201, 20261202, 1},
	    {"channel", "sms", 20261201, 20261202, 3},
	    {"channel", "wechat", 20261201, 20261202, 1},
	    {"store", "s-1", 20261201, 20261202, 0}, /* not in any context */
	    {"team", "a-17", 20261201, 20261202, 0}, /* a value of another dimension */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_answers(e, cases[i].dim, cases[i].value, cases[i].from, cases[i].to, cases[i].answers);

	/* Tenants apart. */
	assert_int_equal(sum(e, "other", VOCD_ROLLUP_ALL, "*", 20261201, 20261202).answers, 0);
}

static void scores_out_of_range_are_not_counted(void **state)
{
	struct env *e = *state;
	count(e,
	      "{\"created_at\": 1796205600000, \"scores\": {\"csat\": 6, \"nps\": 11, \"ces\": 0}, \"context\": {}}", 1);
	count(e, "{\"created_at\": 1796205600000, \"scores\": {\"csat\": \"5\", \"nps\": -1, \"ces\": 8}}", 1);
	count(e, "{\"created_at\": 1796205600000, \"scores\": {\"csat\": 0}, \"context\": {\"agent\": \"\"}}", 1);
	int32_t day = vocd_calendar_day_of(&e->cal, 1796205600000LL);
	struct vocd_rollup_counts want, got = sum(e, TENANT, VOCD_ROLLUP_ALL, "*", day, day);
	memset(&want, 0, sizeof want);
	want.answers = 3; /* answered, but with no score in range */
	assert_counts(&got, &want, "out of range");
	/* An empty context value is no dimension value. */
	assert_answers(e, "agent", "", day, day, 0);
}

static void a_correction_takes_the_answer_out_again(void **state)
{
	struct env *e = *state;
	count_one(e, 20261201, 2, 4, 5, "a-17", "care", "d-01", "sms", 1);
	count_one(e, 20261201, 5, 9, 2, "a-18", "care", "d-01", "sms", 1);
	/* a-17's customer corrects a 2 into a 5: the old version out, the new one in. */
	count_one(e, 20261201, 2, 4, 5, "a-17", "care", "d-01", "sms", -1);
	count_one(e, 20261201, 5, 8, 5, "a-17", "care", "d-01", "sms", 1);

	struct vocd_rollup_counts want;
	memset(&want, 0, sizeof want);
	want.answers = 1;
	want.csat[5] = 1;
	want.nps[8] = 1;
	want.ces[5] = 1;
	struct vocd_rollup_counts got = sum(e, TENANT, "agent", "a-17", 20261201, 20261201);
	assert_counts(&got, &want, "a-17 after the correction");
	got = sum(e, TENANT, "team", "care", 20261201, 20261201);
	assert_int_equal(got.answers, 2);
	assert_int_equal(got.csat[2], 0);
	assert_int_equal(got.csat[5], 2);
	assert_int_equal(got.nps[4], 0);

	/* Taken out entirely. */
	count_one(e, 20261201, 5, 8, 5, "a-17", "care", "d-01", "sms", -1);
	memset(&want, 0, sizeof want);
	got = sum(e, TENANT, "agent", "a-17", 20261201, 20261201);
	assert_counts(&got, &want, "a-17 taken out");
}

static void counters_never_go_below_zero(void **state)
{
	struct env *e = *state;
	/* A correction of an answer counted before rollups existed: nothing to take out. */
	count_one(e, 20261201, 3, 5, 4, "a-17", "care", "d-01", "sms", -1);
	count_one(e, 20261201, 3, 5, 4, "a-17", "care", "d-01", "sms", -1);
	struct vocd_rollup_counts want, got = sum(e, TENANT, "agent", "a-17", 20261201, 20261201);
	memset(&want, 0, sizeof want);
	assert_counts(&got, &want, "taken out of nothing");
	/* Then counted: one, not a wrapped-around counter. */
	count_one(e, 20261201, 3, 5, 4, "a-17", "care", "d-01", "sms", 1);
	got = sum(e, TENANT, "agent", "a-17", 20261201, 20261201);
	want.answers = 1;
	want.csat[3] = 1;
	want.nps[5] = 1;
	want.ces[4] = 1;
	assert_counts(&got, &want, "counted after");
}

/* ---- Values ------------------------------------------------------------------------------------- */

struct ids {
	char v[16][140];
	int n;
};

static int collect_id(const char *id, const void *data, size_t len, void *arg)
{
	struct ids *ids = arg;
	if (ids->n < 16)
		snprintf(ids->v[ids->n++], sizeof ids->v[0], "%s", id);
	return 0;
}

static void long_values_are_hashed_but_kept_apart(void **state)
{
	struct env *e = *state;
	/* Two 120-byte agents differing in their last byte, and one of exactly 96 bytes (kept as it is). */
	char a[121], b[121], c[97];
	memset(a, 'x', 120);
	a[120] = '\0';
	memcpy(b, a, sizeof a);
	b[119] = 'y';
	memset(c, 'x', 96);
	c[96] = '\0';
	count_one(e, 20261201, 5, -1, -1, a, "care", "d-01", "sms", 1);
	count_one(e, 20261201, 1, -1, -1, b, "care", "d-01", "sms", 1);
	count_one(e, 20261201, 1, -1, -1, b, "care", "d-01", "sms", 1);
	count_one(e, 20261201, 3, -1, -1, c, "care", "d-01", "sms", 1);

	struct vocd_rollup_counts got = sum(e, TENANT, "agent", a, 20261201, 20261201);
	assert_int_equal(got.answers, 1);
	assert_int_equal(got.csat[5], 1);
	got = sum(e, TENANT, "agent", b, 20261201, 20261201);
	assert_int_equal(got.answers, 2);
	assert_int_equal(got.csat[1], 2);
	got = sum(e, TENANT, "agent", c, 20261201, 20261201);
	assert_int_equal(got.answers, 1);
	assert_int_equal(got.csat[3], 1);

	/* As stored: "agent US #<16 hex digits> US <day>" for the long ones, the value itself for the 96 bytes
	 * (US: the byte 0x1f, which sorts before every byte of a value). */
	struct ids ids = {.n = 0};
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_rec_scan(txn, TENANT, VOCD_ROLLUP_TYPE, "agent\x1f", collect_id, &ids), 0);
	vocd_txn_end(txn);
	int hashed = 0, plain = 0;
	for (int i = 0; i < ids.n; i++) {
		const char *id = ids.v[i];
		if (strncmp(id, "agent\x1f", 6) != 0)
			continue;
		assert_true(strlen(id) <= 128);
		if (id[6] == '#') {
			assert_int_equal(strlen(id), strlen("agent\x1f#0123456789abcdef\x1f" "20261201"));
			assert_string_equal(id + 6 + 17, "\x1f" "20261201");
			hashed++;
		} else {
			assert_int_equal(strncmp(id + 6, c, 96), 0);
			plain++;
		}
	}
	assert_int_equal(hashed, 2);
	assert_int_equal(plain, 1);
}

static void a_value_that_begins_another_is_not_mixed_with_it(void **state)
{
	struct env *e = *state;
	/* "a" and "a:b" (ids may contain ':'): the sums of one never take in the other. */
	count_one(e, 20261201, 5, -1, -1, "a", "care", "d-01", "sms", 1);
	count_one(e, 20261201, 1, -1, -1, "a:b", "care", "d-01", "sms", 1);
	count_one(e, 20261202, 1, -1, -1, "a:b", "care", "d-01", "sms", 1);
	count_one(e, 20261202, 4, -1, -1, "a", "care", "d-01", "sms", 1);
	assert_answers(e, "agent", "a", 20261201, 20261231, 2);
	assert_answers(e, "agent", "a:b", 20261201, 20261231, 2);
	assert_int_equal(sum(e, TENANT, "agent", "a", 20261201, 20261231).csat[1], 0);
	assert_int_equal(sum(e, TENANT, "agent", "a:b", 20261201, 20261231).csat[1], 2);

	/* A value whose continuation is digits (dealer "d" and "d:2026", or a product line "x5" and "x5:2026")
	 * sorts between the days of "d" in 2026 and those of 2027: a sum over the new year must still find
	 * both days of "d", and nothing of "d:2026". */
	count_one(e, 20261231, 5, -1, -1, "a-17", "care", "d", "sms", 1);
	count_one(e, 20261231, 1, -1, -1, "a-17", "care", "d:2026", "sms", 1);
	count_one(e, 20270101, 4, -1, -1, "a-17", "care", "d", "sms", 1);
	struct vocd_rollup_counts got = sum(e, TENANT, "dealer", "d", 20261230, 20270102);
	if (got.answers != 2 || got.csat[5] != 1 || got.csat[4] != 1 || got.csat[1] != 0)
		fail_msg("dealer d over the new year: %u answers (csat 5: %u, 4: %u, 1: %u), expected 2 (1, 1, 0)", got.answers,
		         got.csat[5], got.csat[4], got.csat[1]);
	assert_answers(e, "dealer", "d:2026", 20261230, 20270102, 1);
}

static void the_values_of_a_dimension_each_once_in_order(void **state)
{
	struct env *e = *state;
	/* Several days each, values that begin one another, and one too long to name (kept as a hash). */
	char longest[120];
	memset(longest, 'x', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	const char *agents[] = {"b", "a:b", "a", "a-1", longest, "a", "b", NULL};
	int32_t day = 20261201;
	for (const char **a = agents; *a; a++, day++)
		count_one(e, day, 5, -1, -1, *a, "care", "d-01", "sms", 1);
	count_one(e, 20271231, 5, -1, -1, "a", "care", "d-01", "sms", 1);
	vocd_txn *txn;
	cJSON *values = cJSON_CreateArray();
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_rollup_values(txn, TENANT, "agent", 100, values), 0);
	char *text = cJSON_PrintUnformatted(values);
	assert_string_equal(text, "[\"a\",\"a-1\",\"a:b\",\"b\"]");
	free(text);
	cJSON_Delete(values);
	values = cJSON_CreateArray();
	assert_int_equal(vocd_rollup_values(txn, TENANT, "agent", 2, values), 0); /* at most max */
	assert_int_equal(cJSON_GetArraySize(values), 2);
	cJSON_Delete(values);
	values = cJSON_CreateArray();
	assert_int_equal(vocd_rollup_values(txn, TENANT, "store", 100, values), 0); /* none kept */
	assert_int_equal(cJSON_GetArraySize(values), 0);
	cJSON_Delete(values);
	vocd_txn_end(txn);
}

/* ---- Months ------------------------------------------------------------------------------------- */

/* Test days: 20 November 2025 to 10 February 2027, by day number from the first. */
#define FIRST_DAY 20251120
#define NDAYS 449
#define NAGENTS 3

/* What the counters should hold, kept day by day by the test itself: [day][agent], [day][NAGENTS] all. */
struct reference {
	struct vocd_rollup_counts c[NDAYS][NAGENTS + 1];
	struct vocd_invitation_counts inv[NDAYS][NAGENTS + 1];
};

static const char *const agent_names[NAGENTS] = {"a-1", "a-2", "a:b"};

static int32_t test_day(int i)
{
	return vocd_calendar_date(vocd_calendar_day_number(FIRST_DAY) + i);
}

static void ref_add(uint32_t *field, int sign)
{
	*field = sign > 0 ? *field + 1 : *field - 1; /* the test never takes out what it did not count */
}

/* The reference of counting an evaluation with these scores (-1: none) on test day \p i. */
static void ref_count(struct reference *r, int i, int agent, int csat, int nps, int ces, int sign)
{
	struct vocd_rollup_counts *both[2] = {&r->c[i][agent], &r->c[i][NAGENTS]};
	for (int k = 0; k < 2; k++) {
		ref_add(&both[k]->answers, sign);
		if (csat >= 1)
			ref_add(&both[k]->csat[csat], sign);
		if (nps >= 0)
			ref_add(&both[k]->nps[nps], sign);
		if (ces >= 1)
			ref_add(&both[k]->ces[ces], sign);
	}
}

/* The reference sum of \p agent (NAGENTS: everyone) from \p from to \p to, day by day. */
static struct vocd_rollup_counts ref_sum(const struct vocd_rollup_counts (*c)[NAGENTS + 1], int agent, int32_t from,
                                         int32_t to)
{
	struct vocd_rollup_counts s;
	memset(&s, 0, sizeof s);
	s.version = 1;
	for (int i = 0; i < NDAYS; i++) {
		int32_t day = test_day(i);
		if (day < from || day > to)
			continue;
		const uint32_t *in = (const uint32_t *)&c[i][agent];
		uint32_t *out = (uint32_t *)&s;
		for (size_t w = 1; w < sizeof s / sizeof *out; w++)
			out[w] += in[w];
	}
	return s;
}

static uint32_t next_random(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/* One to three answers a day on most test days, of varied agents and scores; the reference kept alike. */
static void count_many(struct env *e, struct reference *r)
{
	uint32_t x = 42;
	for (int i = 0; i < NDAYS; i++) {
		int n = (int)(next_random(&x) % 4);
		for (int j = 0; j < n; j++) {
			int agent = (int)(next_random(&x) % NAGENTS);
			int csat = (int)(next_random(&x) % 6), nps = (int)(next_random(&x) % 12) - 1,
			    ces = (int)(next_random(&x) % 8);
			count_one(e, test_day(i), csat ? csat : -1, nps, ces ? ces : -1, agent_names[agent], "care", "d-01",
			          "sms", 1);
			ref_count(r, i, agent, csat ? csat : -1, nps, ces ? ces : -1, 1);
		}
	}
}

/* Ranges with whole months and cut ones at either end, within one month, a whole month, whole years. */
static const int32_t ranges[][2] = {
    {20251215, 20260310}, /* cut at both ends */
    {20260105, 20260120}, /* within one month */
    {20260201, 20260228}, /* one whole month */
    {20260101, 20261231}, /* a whole year */
    {20251203, 20261202}, /* a year cut at both ends */
    {20251120, 20270210}, /* every test day, cut at both ends */
    {20260101, 20260315}, /* whole months, then cut */
    {20260115, 20260430}, /* cut, then whole months */
    {20261115, 20261210}, /* two cut months, none whole */
    {20261231, 20270101}, /* the last day of a year and the first of the next */
    {20251101, 20270228}, /* whole months beyond the days counted */
    {20260301, 20260228}, /* empty */
};

static struct vocd_rollup_counts sum_kind(struct env *e, int suspect, const char *dim, const char *value, int32_t from,
                                          int32_t to)
{
	struct vocd_rollup_counts c;
	memset(&c, 0xee, sizeof c);
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	int rc = suspect ? vocd_rollup_sum_suspect(txn, TENANT, dim, value, from, to, &c)
	                 : vocd_rollup_sum(txn, TENANT, dim, value, from, to, &c);
	vocd_txn_end(txn);
	assert_int_equal(rc, 0);
	assert_int_equal(c.version, 1);
	return c;
}

/* Every range's sum, for everyone and each agent, against the day-by-day reference. */
static void assert_sums(struct env *e, const struct vocd_rollup_counts (*c)[NAGENTS + 1], int suspect,
                        const char *when)
{
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		for (int a = 0; a <= NAGENTS; a++) {
			const char *dim = a == NAGENTS ? VOCD_ROLLUP_ALL : "agent", *value = a == NAGENTS ? "*" : agent_names[a];
			struct vocd_rollup_counts got = sum_kind(e, suspect, dim, value, ranges[i][0], ranges[i][1]),
			                          want = ref_sum(c, a, ranges[i][0], ranges[i][1]);
			char what[160];
			snprintf(what, sizeof what, "%s: %s%s = %s from %d to %d", when, suspect ? "suspect " : "", dim, value,
			         ranges[i][0], ranges[i][1]);
			assert_counts(&got, &want, what);
		}
}

static int count_visit(const char *id, const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	if (strncmp(id, "agent\x1f" "a-1\x1f", 10) != 0)
		return 1;
	(*(int *)arg)++;
	return 0;
}

/* How many records of \p type agent a-1 has. */
static int count_records(struct env *e, const char *type)
{
	int n = 0;
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_true(vocd_rec_scan(txn, TENANT, type, "agent\x1f" "a-1\x1f", count_visit, &n) >= 0);
	vocd_txn_end(txn);
	return n;
}

static void sums_over_months_are_the_sums_of_their_days(void **state)
{
	struct env *e = *state;
	struct reference *r = calloc(1, sizeof *r);
	count_many(e, r);
	assert_sums(e, (const struct vocd_rollup_counts(*)[NAGENTS + 1])r->c, 0, "counted");
	/* Month counters were written beside the days: one a month for a-1, November 2025 to February 2027. */
	assert_int_equal(count_records(e, VOCD_ROLLUP_MONTH_TYPE), 16);
	assert_true(count_records(e, VOCD_ROLLUP_TYPE) > 100);
	free(r);
}

struct suspect_job {
	const struct vocd_calendar *cal;
	const char *json;
	int sign;
};

static int suspect_fn(vocd_txn *txn, void *arg)
{
	struct suspect_job *j = arg;
	cJSON *ev = cJSON_Parse(j->json);
	int rc = ev ? vocd_rollup_count_suspect(txn, TENANT, j->cal, ev, j->sign) : VOCD_EINVAL;
	cJSON_Delete(ev);
	return rc;
}

static void count_suspect(struct env *e, int32_t day, int agent, int csat, int nps, int sign)
{
	char json[512];
	snprintf(json, sizeof json,
	         "{\"created_at\": %lld, \"scores\": {\"csat\": %d, \"nps\": %d}, \"context\": {\"agent\": \"%s\"}}",
	         (long long)beijing(day, 10, 0), csat, nps, agent_names[agent]);
	struct suspect_job j = {&e->cal, json, sign};
	assert_int_equal(vocd_store_write(e->st, suspect_fn, &j), 0);
}

static void corrections_and_clearings_move_counts_out_of_days_and_months(void **state)
{
	struct env *e = *state;
	struct reference *r = calloc(1, sizeof *r);
	count_many(e, r);
	/* Corrections: on a first, a middle and a last day of a month, an answer taken out (sign -1) and its
	 * corrected version counted. */
	static const int32_t days[] = {20260101, 20260214, 20260331, 20261231};
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
		int d = (int)(vocd_calendar_day_number(days[i]) - vocd_calendar_day_number(FIRST_DAY));
		count_one(e, days[i], 2, 3, 4, agent_names[1], "care", "d-01", "sms", 1);
		ref_count(r, d, 1, 2, 3, 4, 1);
		assert_sums(e, (const struct vocd_rollup_counts(*)[NAGENTS + 1])r->c, 0, "before a correction");
		count_one(e, days[i], 2, 3, 4, agent_names[1], "care", "d-01", "sms", -1);
		ref_count(r, d, 1, 2, 3, 4, -1);
		count_one(e, days[i], 5, 10, -1, agent_names[1], "care", "d-01", "sms", 1);
		ref_count(r, d, 1, 5, 10, -1, 1);
	}
	assert_sums(e, (const struct vocd_rollup_counts(*)[NAGENTS + 1])r->c, 0, "after the corrections");

	/* Suspect answers counted on some days, then an auditor clears some of them. */
	struct reference *sr = calloc(1, sizeof *sr);
	static const int32_t suspect_days[] = {20251215, 20260101, 20260131, 20260201, 20260615, 20261231};
	for (size_t i = 0; i < sizeof suspect_days / sizeof suspect_days[0]; i++) {
		int d = (int)(vocd_calendar_day_number(suspect_days[i]) - vocd_calendar_day_number(FIRST_DAY));
		count_suspect(e, suspect_days[i], (int)i % NAGENTS, 5, 10, 1);
		ref_count(sr, d, (int)i % NAGENTS, 5, 10, -1, 1);
	}
	assert_sums(e, (const struct vocd_rollup_counts(*)[NAGENTS + 1])sr->c, 1, "suspect");
	for (size_t i = 0; i < sizeof suspect_days / sizeof suspect_days[0]; i += 2) {
		int d = (int)(vocd_calendar_day_number(suspect_days[i]) - vocd_calendar_day_number(FIRST_DAY));
		count_suspect(e, suspect_days[i], (int)i % NAGENTS, 5, 10, -1);
		ref_count(sr, d, (int)i % NAGENTS, 5, 10, -1, -1);
	}
	assert_sums(e, (const struct vocd_rollup_counts(*)[NAGENTS + 1])sr->c, 1, "suspect after clearing");
	/* Clean sums: all minus the suspect ones, over a year cut at both ends. */
	vocd_txn *txn;
	struct vocd_rollup_counts clean, want = ref_sum((const struct vocd_rollup_counts(*)[NAGENTS + 1])r->c, NAGENTS,
	                                                  20251203, 20261202),
	                                  less = ref_sum((const struct vocd_rollup_counts(*)[NAGENTS + 1])sr->c, NAGENTS,
	                                                 20251203, 20261202);
	vocd_rollup_subtract(&want, &less);
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_rollup_sum_clean(txn, TENANT, VOCD_ROLLUP_ALL, "*", 20251203, 20261202, &clean), 0);
	vocd_txn_end(txn);
	assert_counts(&clean, &want, "clean, a year cut at both ends");
	free(sr);
	free(r);
}

struct invitation_job {
	const struct vocd_calendar *cal;
	int32_t day;
	int agent, answered;
};

static int invitation_fn(vocd_txn *txn, void *arg)
{
	struct invitation_job *j = arg;
	char json[256];
	snprintf(json, sizeof json, "{\"created_at\": %lld, \"context\": {\"agent\": \"%s\"}}",
	         (long long)beijing(j->day, 10, 0), agent_names[j->agent]);
	cJSON *inv = cJSON_Parse(json);
	int rc = vocd_rollup_count_invitation(txn, TENANT, j->cal, inv, j->answered);
	cJSON_Delete(inv);
	return rc;
}

static void invitations_are_summed_by_month_too(void **state)
{
	struct env *e = *state;
	struct reference *r = calloc(1, sizeof *r);
	uint32_t x = 7;
	for (int i = 0; i < NDAYS; i += 3) {
		struct invitation_job j = {&e->cal, test_day(i), (int)(next_random(&x) % NAGENTS), 0};
		assert_int_equal(vocd_store_write(e->st, invitation_fn, &j), 0);
		r->inv[i][j.agent].sent++;
		r->inv[i][NAGENTS].sent++;
		if (next_random(&x) % 2) {
			j.answered = 1;
			assert_int_equal(vocd_store_write(e->st, invitation_fn, &j), 0);
			r->inv[i][j.agent].answered++;
			r->inv[i][NAGENTS].answered++;
		}
	}
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		for (int a = 0; a <= NAGENTS; a++) {
			struct vocd_invitation_counts got, want = {1, 0, 0};
			for (int d = 0; d < NDAYS; d++)
				if (test_day(d) >= ranges[i][0] && test_day(d) <= ranges[i][1])
					want.sent += r->inv[d][a].sent, want.answered += r->inv[d][a].answered;
			vocd_txn *txn;
			assert_int_equal(vocd_store_read(e->st, &txn), 0);
			assert_int_equal(vocd_rollup_sum_invitations(txn, TENANT, a == NAGENTS ? VOCD_ROLLUP_ALL : "agent",
			                                             a == NAGENTS ? "*" : agent_names[a], ranges[i][0],
			                                             ranges[i][1], &got),
			                 0);
			vocd_txn_end(txn);
			if (got.version != 1 || got.sent != want.sent || got.answered != want.answered)
				fail_msg("invitations of %s from %d to %d: %u sent, %u answered; expected %u, %u",
				         a == NAGENTS ? "all" : agent_names[a], ranges[i][0], ranges[i][1], got.sent, got.answered,
				         want.sent, want.answered);
		}
	free(r);
}

/* Removes every record of \p type (the months of data kept before there were any). */
static int remove_type(vocd_txn *txn, void *arg)
{
	struct ids ids;
	int rc;
	do {
		ids.n = 0;
		if ((rc = vocd_rec_scan(txn, TENANT, arg, NULL, collect_id, &ids)) < 0)
			return rc;
		for (int i = 0; i < ids.n && rc >= 0; i++)
			rc = vocd_rec_del(txn, TENANT, arg, ids.v[i]);
	} while (rc >= 0 && ids.n == 16);
	return rc < 0 ? rc : 0;
}

static int fill_fn(vocd_txn *txn, void *arg)
{
	return vocd_rollup_fill_months(txn, arg);
}

static void months_are_made_from_days_kept_before_them(void **state)
{
	struct env *e = *state;
	struct reference *r = calloc(1, sizeof *r);
	count_many(e, r);
	assert_int_equal(vocd_store_write(e->st, remove_type, (void *)VOCD_ROLLUP_MONTH_TYPE), 0);
	assert_int_equal(count_records(e, VOCD_ROLLUP_MONTH_TYPE), 0);
	int filled = -1;
	assert_int_equal(vocd_store_write(e->st, fill_fn, &filled), 0);
	assert_int_equal(filled, 1); /* the answers' months of acme; no suspect or invitation days */
	assert_sums(e, (const struct vocd_rollup_counts(*)[NAGENTS + 1])r->c, 0, "months made from the days");
	/* Once made, they are not made again (which would count them twice). */
	assert_int_equal(vocd_store_write(e->st, fill_fn, &filled), 0);
	assert_int_equal(filled, 0);
	assert_sums(e, (const struct vocd_rollup_counts(*)[NAGENTS + 1])r->c, 0, "opened again");
	free(r);
}

/* ---- Days --------------------------------------------------------------------------------------- */

static void the_day_is_the_tenants_local_day(void **state)
{
	(void)state;
	struct vocd_calendar cal;
	memset(&cal, 0, sizeof cal);
	static const struct {
		int offset_min;
		int64_t ms;
		int32_t day;
	} cases[] = {
	    /* 2 December 2026 16:30 UTC is already the 3rd in Beijing; 15:59 is not yet. */
	    {480, 1796229000000LL, 20261203},
	    {480, 1796227140000LL, 20261202},
	    {480, 1796227200000LL, 20261203}, /* 16:00 UTC: Beijing midnight */
	    {0, 1796229000000LL, 20261202},
	    {-300, 1796184000000LL, 20261201}, /* 04:00 UTC is still the 1st in New York (UTC-5) */
	    {0, 0, 19700101},
	    {480, -8 * HOUR, 19700101}, /* before the epoch in UTC, not in Beijing */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cal.utc_offset_min = cases[i].offset_min;
		int32_t day = vocd_calendar_day_of(&cal, cases[i].ms);
		if (day != cases[i].day)
			fail_msg("%lld at %+d min: %d, expected %d", (long long)cases[i].ms, cases[i].offset_min, day,
			         cases[i].day);
	}
}

static void an_answer_counts_on_its_local_day(void **state)
{
	struct env *e = *state;
	/* 16:30 UTC on 2 December: 3 December in Beijing. */
	count(e, "{\"created_at\": 1796229000000, \"scores\": {\"nps\": 10}, \"context\": {\"agent\": \"a-17\"}}", 1);
	assert_answers(e, "agent", "a-17", 20261202, 20261202, 0);
	assert_answers(e, "agent", "a-17", 20261203, 20261203, 1);
}

/* ---- Figures ------------------------------------------------------------------------------------ */

static void expect_metric(const struct vocd_rollup_counts *c, const char *metric, int rc, double value, uint32_t n)
{
	double v = -999;
	uint32_t got_n = 999;
	int got = vocd_stats_value(c, metric, &v, &got_n);
	if (got != rc || got_n != n || fabs(v - value) > 1e-9)
		fail_msg("%s: %d, %.6f over %u; expected %d, %.6f over %u", metric, got, v, got_n, rc, value, n);
}

static void figures_of_the_counts(void **state)
{
	(void)state;
	struct vocd_rollup_counts c;
	memset(&c, 0, sizeof c);
	c.version = 1;
	c.answers = 12;
	/* CSAT: 1 one, 1 two, 2 threes, 3 fours, 3 fives (10 answers, 6 of them 4 or 5). */
	c.csat[1] = 1, c.csat[2] = 1, c.csat[3] = 2, c.csat[4] = 3, c.csat[5] = 3;
	/* NPS: 5 promoters (9-10), 3 passives (7-8), 2 detractors (0-6) over 10 answers. */
	c.nps[10] = 3, c.nps[9] = 2, c.nps[8] = 2, c.nps[7] = 1, c.nps[6] = 1, c.nps[0] = 1;
	/* CES: 4 answers. */
	c.ces[1] = 1, c.ces[2] = 2, c.ces[7] = 1;

	expect_metric(&c, "answers", 0, 12, 12);
	expect_metric(&c, "csat", 0, 60.0, 10);
	expect_metric(&c, "csat_mean", 0, (1 + 2 + 6 + 12 + 15) / 10.0, 10);
	expect_metric(&c, "nps", 0, 30.0, 10);
	expect_metric(&c, "nps_mean", 0, (30 + 18 + 16 + 7 + 6 + 0) / 10.0, 10);
	expect_metric(&c, "ces_mean", 0, (1 + 4 + 7) / 4.0, 4);
	/* Unknown metrics. */
	expect_metric(&c, "nps_median", -1, 0, 0);
	expect_metric(&c, "CSAT", -1, 0, 0);
	expect_metric(&c, "", -1, 0, 0);

	/* All detractors: -100. */
	memset(&c, 0, sizeof c);
	c.answers = 2;
	c.nps[6] = 2;
	expect_metric(&c, "nps", 0, -100.0, 2);
	/* Answers, but none with a CSAT or CES: those figures cannot be known. */
	expect_metric(&c, "csat", -1, 0, 0);
	expect_metric(&c, "csat_mean", -1, 0, 0);
	expect_metric(&c, "ces_mean", -1, 0, 0);

	/* No answers at all. */
	memset(&c, 0, sizeof c);
	static const char *const figures[] = {"csat", "csat_mean", "nps", "nps_mean", "ces_mean"};
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		expect_metric(&c, figures[i], -1, 0, 0);
	double v = -1;
	uint32_t n = 99;
	vocd_stats_value(&c, "answers", &v, &n);
	assert_true(v == 0);
	assert_int_equal(n, 0);
}

static void names_of_dimensions_and_metrics(void **state)
{
	(void)state;
	static const char *const dims[] = {"all", "agent", "team", "store", "dealer", "region", "product_line", "channel",
	                                   "service_type"};
	static const char *const not_dims[] = {"person", "customer", "Agent", "", NULL};
	static const char *const metrics[] = {"answers", "csat", "csat_mean", "nps", "nps_mean", "ces_mean"};
	static const char *const not_metrics[] = {"ces", "nps_avg", "csat ", "", NULL};
	for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
		assert_true(vocd_rollup_dimension_valid(dims[i]));
	for (size_t i = 0; i < sizeof not_dims / sizeof not_dims[0]; i++)
		assert_false(vocd_rollup_dimension_valid(not_dims[i]));
	for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
		assert_true(vocd_rollup_metric_valid(metrics[i]));
	for (size_t i = 0; i < sizeof not_metrics / sizeof not_metrics[0]; i++)
		assert_false(vocd_rollup_metric_valid(not_metrics[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(answers_are_counted_per_day_and_dimension, setup, teardown),
	    cmocka_unit_test_setup_teardown(scores_out_of_range_are_not_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_correction_takes_the_answer_out_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(counters_never_go_below_zero, setup, teardown),
	    cmocka_unit_test_setup_teardown(long_values_are_hashed_but_kept_apart, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_value_that_begins_another_is_not_mixed_with_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_values_of_a_dimension_each_once_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(sums_over_months_are_the_sums_of_their_days, setup, teardown),
	    cmocka_unit_test_setup_teardown(corrections_and_clearings_move_counts_out_of_days_and_months, setup, teardown),
	    cmocka_unit_test_setup_teardown(invitations_are_summed_by_month_too, setup, teardown),
	    cmocka_unit_test_setup_teardown(months_are_made_from_days_kept_before_them, setup, teardown),
	    cmocka_unit_test(the_day_is_the_tenants_local_day),
	    cmocka_unit_test_setup_teardown(an_answer_counts_on_its_local_day, setup, teardown),
	    cmocka_unit_test(figures_of_the_counts),
	    cmocka_unit_test(names_of_dimensions_and_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

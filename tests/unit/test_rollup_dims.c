/* Tests of core/rollup_dims.c: the survey dimensions of evaluations counted beside their scores (answers,
 * sum, sum of squares per dimension), taken out by corrections, kept apart for suspect answers, in slots a
 * dimension id keeps for good, and the mean with its interval made of them (stats.c). */
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
#include "rollup_dims.h"
#include "stats.h"
#include "store.h"

#define TENANT "acme"
#define DAY1 20261109
#define DAY2 20261110

struct env {
	char dir[64];
	vocd_store *st;
	struct vocd_calendar cal; /* UTC */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/vocd-test-rollup-dims-XXXXXX");
	if (!e || !mkdtemp(e->dir))
		return -1;
	struct vocd_store_opts so = {.no_sync = 1};
	if (vocd_store_open(&e->st, e->dir, &so) != 0)
		return -1;
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

struct count_job {
	const struct vocd_calendar *cal;
	const cJSON *evaluation;
	int sign, suspect;
};

static int count_fn(vocd_txn *txn, void *arg)
{
	struct count_job *j = arg;
	return j->suspect ? vocd_rollup_count_suspect(txn, TENANT, j->cal, j->evaluation, j->sign)
	                  : vocd_rollup_count(txn, TENANT, j->cal, j->evaluation, j->sign);
}

/* An evaluation of agent \p agent at noon UTC on \p day answering the dimensions \p dims (JSON object text),
 * counted (+1) or taken out (-1), among all answers or the suspect ones. */
static void count(struct env *e, int32_t day, const char *agent, const char *dims, int sign, int suspect)
{
	char json[1024];
	snprintf(json, sizeof json,
	         "{\"created_at\": %lld, \"scores\": {\"csat\": 4}, \"dimensions\": %s, \"context\": {\"agent\": \"%s\"}}",
	         (long long)(vocd_calendar_day_number(day) * 86400000LL + 43200000LL), dims, agent);
	cJSON *ev = cJSON_Parse(json);
	if (!ev)
		fail_msg("test JSON does not parse: %s", json);
	struct count_job j = {&e->cal, ev, sign, suspect};
	int rc = vocd_store_write(e->st, count_fn, &j);
	cJSON_Delete(ev);
	assert_int_equal(rc, 0);
}

static struct vocd_rollup_dim_counts sum(struct env *e, const char *dim, const char *value, int32_t from, int32_t to)
{
	struct vocd_rollup_dim_counts c;
	memset(&c, 0xee, sizeof c); /* zeroed by the sum, not by the caller */
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_rollup_dims_sum(txn, TENANT, dim, value, from, to, &c), 0);
	vocd_txn_end(txn);
	return c;
}

static int slot(struct env *e, const char *id)
{
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	int s = vocd_rollup_dim_slot(txn, TENANT, id);
	vocd_txn_end(txn);
	return s;
}

static void assert_sums(const struct vocd_dim_sums *got, uint32_t n, uint32_t sum, uint32_t sumsq, const char *what)
{
	if (got->n != n || got->sum != sum || got->sumsq != sumsq)
		fail_msg("%s: n %u sum %u sumsq %u, expected %u %u %u", what, got->n, got->sum, got->sumsq, n, sum, sumsq);
}

/* ---- Tests -------------------------------------------------------------------------------------- */

static void counted_per_dimension_value_and_day(void **state)
{
	struct env *e = *state;
	count(e, DAY1, "a-17", "{\"speed\": 5, \"attitude\": 3}", +1, 0);
	count(e, DAY1, "a-17", "{\"speed\": 2}", +1, 0);
	count(e, DAY2, "a-18", "{\"attitude\": 10}", +1, 0);
	count(e, DAY2, "a-18", "{}", +1, 0); /* answered no dimension */
	int speed = slot(e, "speed"), attitude = slot(e, "attitude");
	assert_int_equal(speed, 0); /* slots in the order ids were first answered */
	assert_int_equal(attitude, 1);
	assert_int_equal(slot(e, "never"), -1);

	struct vocd_rollup_dim_counts all = sum(e, VOCD_ROLLUP_ALL, "*", DAY1, DAY2);
	assert_int_equal(all.version, 1);
	assert_sums(&all.all[speed], 2, 7, 29, "speed, both days");
	assert_sums(&all.all[attitude], 2, 13, 109, "attitude, both days");
	assert_sums(&sum(e, "agent", "a-17", DAY1, DAY2).all[attitude], 1, 3, 9, "attitude of a-17");
	assert_sums(&sum(e, "agent", "a-18", DAY1, DAY1).all[attitude], 0, 0, 0, "a-18 on a day without answers");
	assert_sums(&sum(e, "agent", "a-18", DAY2, DAY2).all[attitude], 1, 10, 100, "a-18 on its day");
}

static void corrections_and_suspect_answers(void **state)
{
	struct env *e = *state;
	count(e, DAY1, "a-17", "{\"speed\": 5}", +1, 0);
	count(e, DAY1, "a-17", "{\"speed\": 1}", +1, 0);
	count(e, DAY1, "a-17", "{\"speed\": 1}", +1, 1); /* the second one is suspect */
	struct vocd_rollup_dim_counts c = sum(e, "agent", "a-17", DAY1, DAY1);
	assert_sums(&c.all[0], 2, 6, 26, "all");
	assert_sums(&c.suspect[0], 1, 1, 1, "suspect");
	/* An auditor clears it; then a correction replaces the first answer's 5 by a 3. */
	count(e, DAY1, "a-17", "{\"speed\": 1}", -1, 1);
	count(e, DAY1, "a-17", "{\"speed\": 5}", -1, 0);
	count(e, DAY1, "a-17", "{\"speed\": 3}", +1, 0);
	c = sum(e, "agent", "a-17", DAY1, DAY1);
	assert_sums(&c.all[0], 2, 4, 10, "all after the correction");
	assert_sums(&c.suspect[0], 0, 0, 0, "suspect after clearing");
	/* Taking out what was never counted leaves zero, never a wrapped-around count. */
	count(e, DAY2, "a-17", "{\"speed\": 4}", -1, 0);
	assert_sums(&sum(e, "agent", "a-17", DAY2, DAY2).all[0], 0, 0, 0, "never counted");
}

static void slots_are_kept_for_good_and_run_out(void **state)
{
	struct env *e = *state;
	char dims[64];
	for (int i = 0; i < VOCD_ROLLUP_DIM_SLOTS; i++) {
		snprintf(dims, sizeof dims, "{\"d%02d\": %d}", i, 1 + i % 10);
		count(e, DAY1, "a-17", dims, +1, 0);
	}
	assert_int_equal(slot(e, "d00"), 0);
	assert_int_equal(slot(e, "d15"), VOCD_ROLLUP_DIM_SLOTS - 1);
	/* A seventeenth id gets no slot and is not counted; the others still are. */
	count(e, DAY1, "a-17", "{\"extra\": 4, \"d03\": 2}", +1, 0);
	assert_int_equal(slot(e, "extra"), -1);
	struct vocd_rollup_dim_counts c = sum(e, VOCD_ROLLUP_ALL, "*", DAY1, DAY1);
	assert_sums(&c.all[3], 2, 6, 20, "d03");
	/* A value out of any scale is not counted (the survey refuses it before). */
	count(e, DAY1, "a-17", "{\"d00\": 11, \"d01\": 0}", +1, 0);
	c = sum(e, VOCD_ROLLUP_ALL, "*", DAY1, DAY1);
	assert_sums(&c.all[0], 1, 1, 1, "d00");
	assert_sums(&c.all[1], 1, 2, 4, "d01");
}

static void the_mean_and_its_interval(void **state)
{
	(void)state;
	struct vocd_figure f;
	/* Scores 2, 4, 4, 5: mean 3.75, sample variance 1.5833, standard error sqrt(1.5833 / 4). */
	vocd_stats_mean(4, 15, 61, &f);
	assert_true(f.known);
	assert_int_equal(f.n, 4);
	assert_true(fabs(f.value - 3.75) < 1e-9);
	double half = 1.96 * sqrt((61 - 15.0 * 15 / 4) / 3 / 4);
	assert_true(fabs(f.lo - (3.75 - half)) < 1e-9 && fabs(f.hi - (3.75 + half)) < 1e-9);
	vocd_stats_mean(1, 4, 16, &f); /* one answer: no spread to speak of */
	assert_true(f.known && f.value == 4 && f.lo == 4 && f.hi == 4);
	vocd_stats_mean(0, 0, 0, &f);
	assert_false(f.known);
	assert_int_equal(f.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(counted_per_dimension_value_and_day, setup, teardown),
	    cmocka_unit_test_setup_teardown(corrections_and_suspect_answers, setup, teardown),
	    cmocka_unit_test_setup_teardown(slots_are_kept_for_good_and_run_out, setup, teardown),
	    cmocka_unit_test(the_mean_and_its_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of core/stats.c: each figure's value, sample size and 95% interval from rollup counters, the
 * small-sample warning, and when a change between two periods is more than chance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "stats.h"

static struct vocd_rollup_counts csat_counts(uint32_t one, uint32_t two, uint32_t three, uint32_t four, uint32_t five)
{
	struct vocd_rollup_counts c;
	memset(&c, 0, sizeof c);
	c.csat[1] = one, c.csat[2] = two, c.csat[3] = three, c.csat[4] = four, c.csat[5] = five;
	c.answers = one + two + three + four + five;
	return c;
}

static void test_csat_share_mean_and_intervals(void **state)
{
	(void)state;
	struct vocd_rollup_counts c = csat_counts(10, 10, 20, 30, 30); /* 100 answers, 60 good, mean 3.6 */
	struct vocd_figure f;
	assert_int_equal(vocd_stats_figure(&c, "csat", &f), 0);
	assert_true(f.known);
	assert_int_equal(f.n, 100);
	assert_true(fabs(f.value - 60) < 1e-9);
	assert_true(fabs(f.lo - 50.20) < 0.05 && fabs(f.hi - 69.06) < 0.05); /* Wilson 95% for 60/100 */
	assert_int_equal(vocd_stats_figure(&c, "csat_mean", &f), 0);
	assert_true(fabs(f.value - 3.6) < 1e-9);
	/* sample sd = sqrt(sum (x - 3.6)^2 / 99) = 1.28708; half-width 1.96 * 1.28708 / 10 */
	assert_true(fabs((f.hi - f.lo) / 2 - 1.96 * 1.28708 / 10) < 1e-4);
	assert_int_equal(vocd_stats_figure(&c, "happiness", &f), -1);
	/* No CES answered: unknown, n 0. */
	assert_int_equal(vocd_stats_figure(&c, "ces_mean", &f), 0);
	assert_false(f.known);
	cJSON *j = vocd_stats_figure_json("ces_mean", &f, 30);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "value")));
	cJSON_Delete(j);
}

static void test_nps_and_its_interval(void **state)
{
	(void)state;
	struct vocd_rollup_counts c;
	memset(&c, 0, sizeof c);
	c.nps[10] = 50, c.nps[8] = 30, c.nps[3] = 20; /* NPS 30; x in {+1, 0, -1}: var = 0.7 - 0.09 = 0.61 */
	struct vocd_figure f;
	vocd_stats_figure(&c, "nps", &f);
	assert_true(fabs(f.value - 30) < 1e-9);
	assert_true(fabs((f.hi - f.lo) / 2 - 100 * 1.96 * sqrt(0.61 / 100)) < 1e-6);
	/* All promoters: the interval stays within -100..100. */
	memset(&c, 0, sizeof c);
	c.nps[9] = 3;
	vocd_stats_figure(&c, "nps", &f);
	assert_true(f.value == 100 && f.hi <= 100);
}

static void test_warning_and_rounding(void **state)
{
	(void)state;
	struct vocd_rollup_counts c = csat_counts(0, 1, 0, 1, 1);
	struct vocd_figure f;
	vocd_stats_figure(&c, "csat", &f);
	cJSON *j = vocd_stats_figure_json("csat", &f, 30);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "value")) == 66.7);
	assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(j, "warning")), "only 3 answers"));
	cJSON_Delete(j);
	j = vocd_stats_figure_json("csat", &f, 3);
	assert_null(cJSON_GetObjectItem(j, "warning"));
	cJSON_Delete(j);
}

static void test_a_change_is_significant_only_beyond_chance(void **state)
{
	(void)state;
	struct vocd_figure a, b;
	struct vocd_rollup_counts big_good = csat_counts(50, 50, 100, 400, 400), big_bad = csat_counts(100, 100, 200, 300, 300);
	vocd_stats_figure(&big_good, "csat", &a); /* 80% of 1000 */
	vocd_stats_figure(&big_bad, "csat", &b);  /* 60% of 1000 */
	cJSON *ch = vocd_stats_change_json("csat", &a, &b, 30);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(ch, "delta")) == 20);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ch, "significant")));
	cJSON_Delete(ch);
	/* The same shares over 10 answers each: not beyond chance, and under the minimum sample anyway. */
	struct vocd_rollup_counts s1 = csat_counts(0, 1, 1, 4, 4), s2 = csat_counts(1, 1, 2, 3, 3);
	vocd_stats_figure(&s1, "csat", &a);
	vocd_stats_figure(&s2, "csat", &b);
	ch = vocd_stats_change_json("csat", &a, &b, 5);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ch, "significant")));
	cJSON_Delete(ch);
	struct vocd_figure unknown;
	memset(&unknown, 0, sizeof unknown);
	assert_null(vocd_stats_change_json("csat", &a, &unknown, 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csat_share_mean_and_intervals),
		cmocka_unit_test(test_nps_and_its_interval),
		cmocka_unit_test(test_warning_and_rounding),
		cmocka_unit_test(test_a_change_is_significant_only_beyond_chance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

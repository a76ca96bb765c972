/* Rate limit: a burst of N per key, then N per minute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "ratelimit.h"

static void burst_then_refill(void **state)
{
	int64_t t = 1000000;
	for (int i = 0; i < 30; i++)
		assert_true(vocd_ratelimit_allow("a", 30, t));
	assert_false(vocd_ratelimit_allow("a", 30, t));
	/* One token every 2 s at 30 per minute. */
	assert_false(vocd_ratelimit_allow("a", 30, t + 1000));
	assert_true(vocd_ratelimit_allow("a", 30, t + 2000));
	assert_false(vocd_ratelimit_allow("a", 30, t + 2000));
	/* A long pause refills to the burst, not beyond. */
	int allowed = 0;
	for (int i = 0; i < 40; i++)
		allowed += vocd_ratelimit_allow("a", 30, t + 3600000);
	assert_int_equal(allowed, 30);
}

static void keys_are_separate(void **state)
{
	int64_t t = 5000000;
	for (int i = 0; i < 5; i++)
		assert_true(vocd_ratelimit_allow("b", 5, t));
	assert_false(vocd_ratelimit_allow("b", 5, t));
	assert_true(vocd_ratelimit_allow("c", 5, t));
}

/* Many keys at once, most of them busy: none ever gets more than its burst. Before, a key that collided
 * with another in the table took over its slot with a full bucket, and two alternating keys were never
 * limited. */
static void colliding_keys_never_get_a_fresh_bucket(void **state)
{
	int64_t t = 9000000;
	char key[32];
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 20000; i++) {
			snprintf(key, sizeof key, "k%d", i);
			vocd_ratelimit_allow(key, 3, t);
		}
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		assert_false(vocd_ratelimit_allow(key, 3, t));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_refill),
		cmocka_unit_test(keys_are_separate),
		cmocka_unit_test(colliding_keys_never_get_a_fresh_bucket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of core/simhash.c: near-identical Chinese and English answers have close fingerprints, different
 * answers distant ones, and the features are the ones the header promises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "simhash.h"

/* The default authenticity.duplicate_distance. Simhash follows the cosine of the texts' features: one
 * character changed in a 30-character answer moves it by about 8 bits, unrelated answers by about 32. */
#define CLOSE 10

static int distance(const char *a, const char *b)
{
	return vocd_simhash_distance(vocd_simhash(a, strlen(a), NULL), vocd_simhash(b, strlen(b), NULL));
}

static void test_chinese_near_identical_is_close(void **state)
{
	(void)state;
	const char *a = "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评！";
	assert_int_equal(distance(a, a), 0);
	/* punctuation and spaces do not count; one character changed moves a few bits */
	assert_true(distance(a, "服务非常好 客服态度热情 问题很快就解决了 非常满意 五星好评") == 0);
	assert_true(distance(a, "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评！！！") == 0);
	assert_true(distance(a, "服务非常好，客服态度热情，问题很快就解决啦，非常满意，五星好评！") <= CLOSE);
	assert_true(distance(a, "服务很好，客服态度热情，问题很快就解决了，非常满意，五星好评！") <= CLOSE);
}

static void test_english_near_identical_is_close(void **state)
{
	(void)state;
	const char *a = "The agent was friendly and solved my problem quickly, excellent service, five stars!";
	assert_int_equal(distance(a, "the agent was FRIENDLY and solved my problem quickly - excellent service; five stars"), 0);
	assert_true(distance(a, "The agent was friendly and solved my problem very quickly, excellent service, five stars!") <= CLOSE);
	assert_true(distance(a, "The agent was friendly and solved my problem quickly, great service, five stars!") <= CLOSE);
}

static void test_different_texts_are_far(void **state)
{
	(void)state;
	const char *zh1 = "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评！";
	const char *zh2 = "等了两个小时没有人接电话，退款到现在还没有到账，非常失望。";
	const char *en1 = "The agent was friendly and solved my problem quickly, excellent service, five stars!";
	const char *en2 = "Waited two hours on hold and the refund still has not arrived; very disappointed.";
	assert_true(distance(zh1, zh2) > 2 * CLOSE - 2);
	assert_true(distance(en1, en2) > 2 * CLOSE - 2);
	assert_true(distance(zh1, en1) > 2 * CLOSE - 2);
	assert_true(distance("门店的试衣镜太暗了，看不清颜色", "快递员把包裹放在门口就走了") > 2 * CLOSE - 2);
}

static void test_features(void **state)
{
	(void)state;
	unsigned n = 99;
	assert_int_equal(vocd_simhash("", 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(vocd_simhash("!!! ，。 🙂", strlen("!!! ，。 🙂"), &n), 0);
	assert_int_equal(n, 0);
	vocd_simhash("很好", strlen("很好"), &n); /* one pair */
	assert_int_equal(n, 1);
	vocd_simhash("好", strlen("好"), &n); /* a lone character counts alone */
	assert_int_equal(n, 1);
	vocd_simhash("非常满意 good job", strlen("非常满意 good job"), &n); /* 3 pairs, 2 words */
	assert_int_equal(n, 5);
	vocd_simhash("好good", strlen("好good"), &n); /* a script change ends a feature */
	assert_int_equal(n, 2);
	/* Invalid UTF-8 separates and is never read past the end. */
	const char bad[] = {'a', 'b', (char)0xe6, (char)0x9c, 'c', (char)0xf0};
	vocd_simhash(bad, sizeof bad, &n);
	assert_int_equal(n, 2);
	/* Case does not matter; order does for CJK pairs. */
	assert_int_equal(vocd_simhash("GOOD", 4, NULL), vocd_simhash("good", 4, NULL));
	assert_int_not_equal(vocd_simhash("满意", strlen("满意"), NULL), vocd_simhash("意满", strlen("意满"), NULL));
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(vocd_simhash_distance(0, 0), 0);
	assert_int_equal(vocd_simhash_distance(0, ~0ull), 64);
	assert_int_equal(vocd_simhash_distance(0x5, 0x6), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chinese_near_identical_is_close),
		cmocka_unit_test(test_english_near_identical_is_close),
		cmocka_unit_test(test_different_texts_are_far),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_distance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

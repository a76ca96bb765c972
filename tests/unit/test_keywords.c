/* Tests of core/keywords.c: the keywords of Chinese and English text, the counter and its bounded memory,
 * and rising topics, with the dim fitting-room mirror of the specification (200 complaints in a month after
 * about 10 a month). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "keywords.h"

/* The keywords of a text joined with '|'. */
struct joined {
	char s[1024];
	int stop_after; /* stop the walk after this many (0: never) */
	int n;
};

static int join(const char *kw, size_t len, void *arg)
{
	struct joined *j = arg;
	size_t at = strlen(j->s);
	snprintf(j->s + at, sizeof j->s - at, "%s%.*s", at ? "|" : "", (int)len, kw);
	return ++j->n == j->stop_after ? 7 : 0;
}

static void expect_keywords(const char *text, const char *want)
{
	struct joined j = {"", 0, 0};
	assert_int_equal(vocd_keywords(text, strlen(text), join, &j), 0);
	if (strcmp(j.s, want) != 0)
		fail_msg("%s: got \"%s\", expected \"%s\"", text, j.s, want);
}

static void test_extraction(void **state)
{
	(void)state;
	/* CJK pairs within runs, without particles and degree words: 间的, 的镜, 子太, 太暗, 暗了 are left out */
	expect_keywords("试衣间的镜子太暗了！", "试衣|衣间|镜子");
	expect_keywords("试衣间镜子太暗", "试衣|衣间|间镜|镜子");
	/* a lone character is no keyword; punctuation and spaces break runs */
	expect_keywords("暗。镜 子", "");
	/* common pairs that say nothing of a topic */
	expect_keywords("所以可以", "");
	/* English: lower-cased, 2 letters or more, digits dropped, stop words left out */
	expect_keywords("The fitting-room MIRROR was too dim, 2 stars!", "fitting|room|mirror|dim|stars");
	expect_keywords("I don't like it: order #A1234 is late", "order|late");
	/* both in one text, and accented Latin letters kept as they are */
	expect_keywords("iPhone15的屏幕坏了 café", "iphone|屏幕|幕坏|café");
	/* a word longer than 64 bytes is left out, and so is a lone accented letter */
	char longw[200];
	memset(longw, 'x', 100);
	strcpy(longw + 100, " ok mirror é");
	expect_keywords(longw, "mirror");
	/* invalid bytes only separate */
	expect_keywords("镜\xff子 mir\xc3ror", "mir|ror");
	/* the walk stops when asked */
	struct joined j = {"", 2, 0};
	assert_int_equal(vocd_keywords("apple banana cherry", 19, join, &j), 7);
	assert_string_equal(j.s, "apple|banana");
}

static void test_counter(void **state)
{
	(void)state;
	struct vocd_keyword_counter *c;
	assert_int_equal(vocd_keyword_counter_new(0, &c), 0);
	/* each keyword once per text */
	const char *t = "镜子太暗，镜子太暗，镜子太暗！mirror mirror";
	assert_int_equal(vocd_keyword_counter_add_text(c, t, strlen(t)), 0);
	assert_int_equal(vocd_keyword_counter_get(c, "镜子", strlen("镜子")), 1);
	assert_int_equal(vocd_keyword_counter_get(c, "mirror", 6), 1);
	t = "试衣间镜子太暗";
	assert_int_equal(vocd_keyword_counter_add_text(c, t, strlen(t)), 0);
	t = "delivery was late, the courier was rude; LATE again";
	assert_int_equal(vocd_keyword_counter_add_text(c, t, strlen(t)), 0);
	assert_int_equal(vocd_keyword_counter_add_text(c, "", 0), 0);
	/* tags are counted as given */
	assert_int_equal(vocd_keyword_counter_add(c, "tag:环境", strlen("tag:环境"), 5), 0);
	assert_int_equal(vocd_keyword_counter_add(c, "", 0, 1), VOCD_EINVAL);
	char big[VOCD_KEYWORD_MAX + 1];
	memset(big, 'k', sizeof big);
	assert_int_equal(vocd_keyword_counter_add(c, big, sizeof big, 1), VOCD_EINVAL);
	assert_int_equal(vocd_keyword_counter_get(c, "镜子", strlen("镜子")), 2);
	assert_int_equal(vocd_keyword_counter_get(c, "nothing", 7), 0);

	struct vocd_keyword_count top[3];
	size_t got;
	assert_int_equal(vocd_keyword_counter_top(c, 3, top, &got), 0);
	assert_int_equal(got, 3);
	assert_int_equal(top[0].count, 5);
	assert_memory_equal(top[0].key, "tag:环境", top[0].len);
	assert_int_equal(top[1].count, 2);
	assert_int_equal(top[2].count, 1);
	/* equal counts in byte order: "courier" before "delivery", "late" ... */
	assert_int_equal(top[2].len, 7);
	assert_memory_equal(top[2].key, "courier", 7);
	assert_int_equal(vocd_keyword_counter_size(c), 10); /* 镜子 mirror 试衣 衣间 间镜, courier delivery late rude, the tag */
	vocd_keyword_counter_free(c);
	vocd_keyword_counter_free(NULL);
}

static void test_counter_memory_is_bounded(void **state)
{
	(void)state;
	struct vocd_keyword_counter *c;
	assert_int_equal(vocd_keyword_counter_new(64, &c), 0);
	uint64_t hot = 0;
	for (int i = 0; i < 5000; i++) {
		char k[32];
		snprintf(k, sizeof k, "rare%d", i);
		assert_int_equal(vocd_keyword_counter_add(c, k, strlen(k), 1), 0);
		if (i % 3 == 0) {
			assert_int_equal(vocd_keyword_counter_add(c, "hot", 3, 1), 0);
			hot++;
		}
		assert_true(vocd_keyword_counter_size(c) <= 64);
	}
	assert_true(vocd_keyword_counter_floor(c) > 0);
	uint64_t counted = vocd_keyword_counter_get(c, "hot", 3);
	assert_true(counted <= hot && counted + vocd_keyword_counter_floor(c) >= hot);
	struct vocd_keyword_count top[1];
	size_t got;
	assert_int_equal(vocd_keyword_counter_top(c, 1, top, &got), 0);
	assert_int_equal(got, 1);
	assert_memory_equal(top[0].key, "hot", 3);
	vocd_keyword_counter_free(c);
}

/* Some feedback of a month: n complaints about the mirror, and the everyday rest. */
static const char *const mirror_texts[] = {"试衣间镜子太暗，看不清衣服的颜色", "试衣间的镜子好暗", "镜子太暗了，灯也不亮",
                                           "The fitting room mirror is too dim", "试衣间镜子暗，建议换个灯"};
static const char *const everyday[] = {"快递员态度不错，送货很快", "快递包装有点破", "收银排队太久", "店员很热情",
                                       "退款到账慢", "会员积分怎么用", "delivery was late again", "nice staff",
                                       "商品质量很好", "尺码偏小，换货麻烦"};

static struct vocd_keyword_counter *month(int mirror, int everyday_n, int leaks)
{
	struct vocd_keyword_counter *c;
	assert_int_equal(vocd_keyword_counter_new(0, &c), 0);
	for (int i = 0; i < mirror; i++) {
		const char *t = mirror_texts[i % 5];
		assert_int_equal(vocd_keyword_counter_add_text(c, t, strlen(t)), 0);
	}
	for (int i = 0; i < everyday_n; i++) {
		const char *t = everyday[i % 10];
		assert_int_equal(vocd_keyword_counter_add_text(c, t, strlen(t)), 0);
	}
	for (int i = 0; i < leaks; i++) {
		const char *t = "洗衣机漏水";
		assert_int_equal(vocd_keyword_counter_add_text(c, t, strlen(t)), 0);
	}
	return c;
}

static int has(const struct vocd_rising_topic *r, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].len == strlen(key) && memcmp(r[i].key, key, r[i].len) == 0)
			return 1;
	return 0;
}

static void test_rising_mirror(void **state)
{
	(void)state;
	/* six months of about ten mirror complaints among 500 others, then a month of 200 */
	static const int before[6] = {8, 12, 10, 9, 11, 10};
	struct vocd_keyword_counter *base[6];
	for (int k = 0; k < 6; k++)
		base[k] = month(before[k], 480 + 10 * k, 0);
	struct vocd_keyword_counter *now = month(200, 560, 25);
	struct vocd_rising_topic r[32];
	size_t found;
	assert_int_equal(vocd_topics_rising(now, (const struct vocd_keyword_counter *const *)base, 6, NULL, r, 32, &found), 0);
	for (size_t i = 0; i < found && i < 32; i++)
		printf("  rising: %.*s %llu (baseline %.1f ± %.1f, z %.1f)\n", (int)r[i].len, r[i].key,
		       (unsigned long long)r[i].current, r[i].mean, r[i].sd, r[i].z);
	assert_true(has(r, found, "镜子"));
	assert_true(has(r, found, "试衣") && has(r, found, "衣间"));
	assert_true(has(r, found, "mirror"));
	/* a new topic counts once it is frequent enough */
	assert_true(has(r, found, "漏水"));
	/* everyday topics growing with the volume are not rising */
	assert_false(has(r, found, "快递"));
	assert_false(has(r, found, "排队"));
	/* and every rising topic is a keyword of the mirror or of the leaking washing machine */
	for (size_t i = 0; i < found && i < 32; i++) {
		int from = 0;
		for (int t = 0; t < 6 && !from; t++) {
			const char *text = t < 5 ? mirror_texts[t] : "洗衣机漏水";
			struct joined j = {"", 0, 0};
			vocd_keywords(text, strlen(text), join, &j);
			char key[80];
			snprintf(key, sizeof key, "|%.*s|", (int)r[i].len, r[i].key);
			char all[1100];
			snprintf(all, sizeof all, "|%s|", j.s);
			from = strstr(all, key) != NULL;
		}
		if (!from)
			fail_msg("%.*s rose, but is not about the mirror or the leak", (int)r[i].len, r[i].key);
	}
	/* the steepest first: the mirror rose from 10 to 200 */
	assert_true(r[0].current >= 80);
	assert_true(r[0].mean < 15);
	for (size_t i = 1; i < found && i < 32; i++)
		assert_true(r[i - 1].z >= r[i].z);
	/* room for one: the steepest, and how many there were */
	size_t found1;
	assert_int_equal(vocd_topics_rising(now, (const struct vocd_keyword_counter *const *)base, 6, NULL, r, 1, &found1), 0);
	assert_int_equal(found1, found);
	/* the same month again is no rise */
	assert_int_equal(vocd_topics_rising(base[5], (const struct vocd_keyword_counter *const *)base, 5, NULL, r, 32, &found), 0);
	assert_int_equal(found, 0);
	assert_int_equal(vocd_topics_rising(now, (const struct vocd_keyword_counter *const *)base, 0, NULL, r, 32, &found), VOCD_EINVAL);
	for (int k = 0; k < 6; k++)
		vocd_keyword_counter_free(base[k]);
	vocd_keyword_counter_free(now);
}

/* The rule with counts set directly: current ≥ min_count, > mean + z·max(sd, √mean, 1), ≥ factor·mean. */
static void test_rising_rule(void **state)
{
	(void)state;
	struct vocd_keyword_counter *base[4], *now;
	static const uint64_t flat[4] = {10, 10, 10, 10}, big[4] = {95, 100, 105, 100}, wobbly[4] = {2, 30, 5, 40};
	for (int k = 0; k < 4; k++) {
		assert_int_equal(vocd_keyword_counter_new(0, &base[k]), 0);
		vocd_keyword_counter_add(base[k], "flat19", 6, flat[k]);
		vocd_keyword_counter_add(base[k], "flat25", 6, flat[k]);
		vocd_keyword_counter_add(base[k], "big", 3, big[k]);
		vocd_keyword_counter_add(base[k], "wobbly", 6, wobbly[k]);
	}
	assert_int_equal(vocd_keyword_counter_new(0, &now), 0);
	vocd_keyword_counter_add(now, "flat19", 6, 19); /* √10 = 3.2: 10 + 3·3.2 = 19.5, and 2·10 = 20 */
	vocd_keyword_counter_add(now, "flat25", 6, 25);
	vocd_keyword_counter_add(now, "big", 3, 150);   /* z = 50/10 = 5, but only 1.5 times the mean */
	vocd_keyword_counter_add(now, "wobbly", 6, 50); /* 2.6 times the mean, but sd 16: z 1.6 */
	vocd_keyword_counter_add(now, "new19", 5, 19);  /* below min_count */
	vocd_keyword_counter_add(now, "new20", 5, 20);
	struct vocd_rising_topic r[8];
	size_t found;
	assert_int_equal(vocd_topics_rising(now, (const struct vocd_keyword_counter *const *)base, 4, NULL, r, 8, &found), 0);
	assert_int_equal(found, 2);
	assert_true(has(r, found, "new20") && has(r, found, "flat25"));
	assert_int_equal(r[0].len, 5); /* new20: z 20, flat25: z 4.7 */
	assert_true(r[1].mean == 10 && r[1].sd == 0);
	/* thresholds of the caller's own */
	struct vocd_rising_rule loose = {10, 1.0, 1.4};
	assert_int_equal(vocd_topics_rising(now, (const struct vocd_keyword_counter *const *)base, 4, &loose, r, 8, &found), 0);
	assert_true(has(r, found, "big") && has(r, found, "flat19") && has(r, found, "wobbly") && has(r, found, "new19"));
	/* a flat baseline of 100 varies by √100 = 10 on its own: 125 is within 3 of those, 135 is not */
	vocd_keyword_counter_add(now, "flat100a", 8, 125);
	vocd_keyword_counter_add(now, "flat100b", 8, 135);
	for (int k = 0; k < 4; k++) {
		vocd_keyword_counter_add(base[k], "flat100a", 8, 100);
		vocd_keyword_counter_add(base[k], "flat100b", 8, 100);
	}
	struct vocd_rising_rule ratio = {10, 3.0, 1.2};
	assert_int_equal(vocd_topics_rising(now, (const struct vocd_keyword_counter *const *)base, 4, &ratio, r, 8, &found), 0);
	assert_false(has(r, found, "flat100a"));
	assert_true(has(r, found, "flat100b"));
	for (int k = 0; k < 4; k++)
		vocd_keyword_counter_free(base[k]);
	vocd_keyword_counter_free(now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extraction),
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_counter_memory_is_bounded),
		cmocka_unit_test(test_rising_mirror),
		cmocka_unit_test(test_rising_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

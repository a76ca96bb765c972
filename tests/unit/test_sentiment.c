/* Tests of core/sentiment.c and core/analysis_conf.c: the accuracy of the built-in lexicon on a labelled
 * sample written for the purpose (tests/data/sentiment_sample.tsv), negation, the tenant's own words, and
 * the errors of the `analysis = { ... }` setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_conf.h"
#include "error.h"
#include "sentiment.h"

#define MIN_ACCURACY 0.85

static struct vocd_lexicon *builtin;

static int setup(void **state)
{
	(void)state;
	return vocd_lexicon_new(NULL, &builtin);
}

static int teardown(void **state)
{
	(void)state;
	vocd_lexicon_free(builtin);
	return 0;
}

static enum vocd_sentiment_label label_of(const struct vocd_lexicon *lx, const char *text)
{
	struct vocd_sentiment s;
	assert_int_equal(vocd_sentiment(lx, text, strlen(text), &s), 0);
	return s.label;
}

static int label_index(enum vocd_sentiment_label l)
{
	return (int)l + 1; /* negative 0, neutral 1, positive 2 */
}

static void test_sample_accuracy(void **state)
{
	(void)state;
	FILE *f = fopen(VOCD_SOURCE_DIR "/tests/data/sentiment_sample.tsv", "r");
	assert_non_null(f);
	static const char *const names[] = {"negative", "neutral", "positive"};
	unsigned confusion[3][3] = {{0}}; /* [expected][got] */
	unsigned total = 0, right = 0;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		int want = -1;
		for (int i = 0; i < 3; i++)
			if (strcmp(line, names[i]) == 0)
				want = i;
		assert_true(want >= 0);
		int got = label_index(label_of(builtin, tab + 1));
		confusion[want][got]++;
		total++;
		if (got == want)
			right++;
		else
			printf("  misread: %s as %s: %s\n", names[want], names[got], tab + 1);
	}
	fclose(f);
	assert_true(total >= 150);
	double accuracy = (double)right / total;
	printf("sentiment sample: %u texts, accuracy %.3f (%u right)\n", total, accuracy, right);
	for (int i = 0; i < 3; i++)
		printf("  %-8s: %3u texts, %3u right; read as negative %u, neutral %u, positive %u\n", names[i],
		       confusion[i][0] + confusion[i][1] + confusion[i][2], confusion[i][i], confusion[i][0], confusion[i][1],
		       confusion[i][2]);
	assert_true(accuracy >= MIN_ACCURACY);
	/* and no label is left behind by the overall figure */
	for (int i = 0; i < 3; i++)
		assert_true(confusion[i][i] >= 0.75 * (confusion[i][0] + confusion[i][1] + confusion[i][2]));
}

static void test_negation(void **state)
{
	(void)state;
	assert_int_equal(label_of(builtin, "满意"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(builtin, "不满意"), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "不是很满意"), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "服务不太好"), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "没有问题"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(builtin, "并不差"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(builtin, "一点也不专业"), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "not bad"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(builtin, "Not happy"), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "The agent was not very helpful."), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "I didn't like it and it wasn't good"), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "It wasn’t bad"), VOCD_SENTIMENT_POSITIVE); /* the typographic apostrophe */
	assert_int_equal(label_of(builtin, "never helpful"), VOCD_SENTIMENT_NEGATIVE);
	/* two negations cancel out */
	assert_int_equal(label_of(builtin, "不是不好"), VOCD_SENTIMENT_POSITIVE);
	/* a negation reaches only a few tokens and never past a clause break */
	assert_int_equal(label_of(builtin, "没有，很满意"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(builtin, "No, the staff were friendly."), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(builtin, "not one of the people in the store today was friendly"), VOCD_SENTIMENT_POSITIVE);
	/* phrases that only hold a sentiment word */
	assert_int_equal(label_of(builtin, "快递放在门口"), VOCD_SENTIMENT_NEUTRAL);
	assert_int_equal(label_of(builtin, "不好意思，我想改地址"), VOCD_SENTIMENT_NEUTRAL);
	assert_int_equal(label_of(builtin, "价格差不多"), VOCD_SENTIMENT_NEUTRAL);
	assert_int_equal(label_of(builtin, ""), VOCD_SENTIMENT_NEUTRAL);
}

static void test_matches_and_contrast(void **state)
{
	(void)state;
	const char *t = "Staff were FRIENDLY but the delivery was not on time";
	struct vocd_sentiment s;
	assert_int_equal(vocd_sentiment(builtin, t, strlen(t), &s), 0);
	assert_int_equal(s.matches, 2);
	assert_int_equal(s.match[0].offset, 11);
	assert_int_equal(s.match[0].len, strlen("FRIENDLY"));
	assert_false(s.match[0].negated);
	assert_int_equal(s.match[1].offset, strstr(t, "on time") - t);
	assert_int_equal(s.match[1].len, strlen("on time"));
	assert_true(s.match[1].negated);
	assert_true(s.match[1].weight < 0);
	/* what follows "but" counts more: 1 halved, then -1 × 1.5 */
	assert_int_equal(s.label, VOCD_SENTIMENT_NEGATIVE);
	assert_true(s.score > -1.01 && s.score < -0.99);
	assert_true(s.match[1].weight < -1.49);
	assert_int_equal(label_of(builtin, "服务很好，但是等太久了"), VOCD_SENTIMENT_NEGATIVE);
	assert_int_equal(label_of(builtin, "虽然有点慢，但是师傅很专业"), VOCD_SENTIMENT_POSITIVE);
	/* an intensifier weighs more than a diminisher */
	struct vocd_sentiment a, b;
	assert_int_equal(vocd_sentiment(builtin, "非常慢", strlen("非常慢"), &a), 0);
	assert_int_equal(vocd_sentiment(builtin, "有点慢", strlen("有点慢"), &b), 0);
	assert_true(a.score < b.score && b.score < 0);
	/* invalid UTF-8 only separates words */
	assert_int_equal(label_of(builtin, "\xff\xfe满意\xc3"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(vocd_sentiment(NULL, "x", 1, &s), VOCD_EINVAL);
	assert_int_equal(vocd_sentiment(builtin, NULL, 3, &s), VOCD_EINVAL);
	assert_int_equal(vocd_sentiment(builtin, NULL, 0, &s), 0);
	assert_string_equal(vocd_sentiment_label_name(VOCD_SENTIMENT_NEGATIVE), "negative");
}

static int parse(const char *json, struct vocd_analysis_conf *c, char *why, size_t wl)
{
	cJSON *j = cJSON_Parse(json);
	assert_non_null(j);
	int rc = vocd_analysis_conf_parse(j, c, why, wl);
	cJSON_Delete(j);
	return rc;
}

static void test_tenant_adds_words(void **state)
{
	(void)state;
	struct vocd_analysis_conf c;
	char why[400];
	assert_int_equal(parse("{\"positive\":[\"秒回\",\"Life Saver\"],\"negative\":[\"踢足球\",\"快\"],"
	                       "\"negations\":[\"未曾\"]}", &c, why, sizeof why), 0);
	struct vocd_lexicon *lx;
	assert_int_equal(vocd_lexicon_new(&c, &lx), 0);
	vocd_analysis_conf_free(&c);
	assert_true(vocd_lexicon_size(lx) > vocd_lexicon_size(builtin));
	assert_int_equal(label_of(builtin, "客服秒回"), VOCD_SENTIMENT_NEUTRAL);
	assert_int_equal(label_of(lx, "客服秒回"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(lx, "you are a life  saver"), VOCD_SENTIMENT_POSITIVE); /* case and spaces */
	assert_int_equal(label_of(lx, "客服未曾秒回"), VOCD_SENTIMENT_NEGATIVE);
	/* a tenant word takes the tenant's side over the built-in one */
	assert_int_equal(label_of(builtin, "快"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(lx, "快"), VOCD_SENTIMENT_NEGATIVE);
	/* the built-in words stay */
	assert_int_equal(label_of(lx, "很满意"), VOCD_SENTIMENT_POSITIVE);
	vocd_lexicon_free(lx);
}

static void test_tenant_replaces_words(void **state)
{
	(void)state;
	struct vocd_analysis_conf c;
	char why[400];
	assert_int_equal(parse("{\"positive\":[\"顺滑\"],\"negative\":[\"卡\"],\"replace\":true}", &c, why, sizeof why), 0);
	assert_true(c.replace);
	struct vocd_lexicon *lx;
	assert_int_equal(vocd_lexicon_new(&c, &lx), 0);
	vocd_analysis_conf_free(&c);
	assert_int_equal(label_of(lx, "很满意"), VOCD_SENTIMENT_NEUTRAL);
	assert_int_equal(label_of(lx, "terrible"), VOCD_SENTIMENT_NEUTRAL);
	assert_int_equal(label_of(lx, "非常顺滑"), VOCD_SENTIMENT_POSITIVE);
	assert_int_equal(label_of(lx, "有点卡"), VOCD_SENTIMENT_NEGATIVE); /* the grammar words stay */
	/* the built-in negations are replaced too: without negations of its own, 不 is only a character */
	assert_int_equal(label_of(lx, "不顺滑"), VOCD_SENTIMENT_POSITIVE);
	vocd_lexicon_free(lx);
}

static void expect_error(const char *json, const char *message)
{
	struct vocd_analysis_conf c;
	char why[400] = "";
	assert_int_equal(parse(json, &c, why, sizeof why), VOCD_ECONFIG);
	if (!strstr(why, message))
		fail_msg("%s: got \"%s\", expected \"%s\"", json, why, message);
	assert_null(c.positive);
}

static void test_config_errors(void **state)
{
	(void)state;
	struct vocd_analysis_conf c;
	char why[400];
	assert_int_equal(vocd_analysis_conf_parse(NULL, &c, why, sizeof why), 0);
	assert_null(c.positive);
	assert_false(c.replace);
	assert_int_equal(parse("{\"positive\":{}}", &c, why, sizeof why), 0); /* an empty Lua table */
	vocd_analysis_conf_free(&c);
	vocd_analysis_conf_free(NULL);

	expect_error("[1]", "analysis: expected { positive = { … }");
	expect_error("{\"positives\":[\"好\"]}", "analysis: unknown setting 'positives'");
	expect_error("{\"positive\":\"好\"}", "analysis.positive: expected a list of up to 2000 words");
	expect_error("{\"positive\":[\"好\",\"棒\",\"\"]}", "analysis.positive[3]: expected a word of 1 to 32 characters");
	expect_error("{\"positive\":[\"好\",\"棒\",3]}", "analysis.positive[3]: expected a word of 1 to 32 characters");
	expect_error("{\"negative\":[\"123\"]}",
	             "analysis.negative[1]: expected a word of 1 to 32 characters with a letter or a Chinese character");
	expect_error("{\"negations\":[\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三\"]}",
	             "analysis.negations[1]: expected a word of 1 to 32 characters");
	expect_error("{\"positive\":[\"bad\\u0001\"]}", "analysis.positive[1]: expected a word");
	expect_error("{\"replace\":\"yes\"}", "analysis.replace: expected true or false");
	expect_error("{\"replace\":true,\"positive\":[\"好\"]}", "analysis.replace: with replace = true, give both");
	expect_error("{\"positive\":[\"快\",\"Slow\"],\"negative\":[\"差\",\"slow\"]}",
	             "analysis.negative[2]: \"slow\" is also in analysis.positive");
	/* 32 characters is the limit, not 32 bytes */
	assert_int_equal(parse("{\"negations\":[\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二\"]}", &c, why,
	                       sizeof why), 0);
	vocd_analysis_conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_accuracy),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_matches_and_contrast),
		cmocka_unit_test(test_tenant_adds_words),
		cmocka_unit_test(test_tenant_replaces_words),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

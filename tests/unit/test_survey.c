/* Surveys from tenant settings, and answers checked against them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "survey.h"

static const char *const acme =
	"{\"privacy_notice\":{\"version\":\"2026-11\",\"zh-CN\":\"隐私说明\",\"en\":\"Privacy notice\"},"
	"\"metrics\":[\"csat\",\"nps\"],"
	"\"dimensions\":[{\"id\":\"speed\",\"scale\":5,\"label\":{\"zh-CN\":\"响应速度\",\"en\":\"Response speed\"}},"
	"{\"id\":\"attitude\",\"label\":{\"zh-CN\":\"服务态度\",\"en\":\"Attitude\"}}],"
	"\"tags\":[{\"id\":\"slow\",\"label\":{\"zh-CN\":\"太慢\",\"en\":\"Too slow\"}},"
	"{\"id\":\"kind\",\"label\":{\"zh-CN\":\"热情\",\"en\":\"Kind\"}}],"
	"\"open_question\":{\"zh-CN\":\"还有什么想说的？\",\"en\":\"Anything else?\"},"
	"\"max_text\":20,"
	"\"service_types\":{\"delivery\":{\"metrics\":[\"ces\"],\"tags\":[]}}}";

static void parse_ok(const char *json, struct vocd_surveys *s)
{
	cJSON *j = cJSON_Parse(json);
	assert_non_null(j);
	char err[2048] = "";
	int rc = vocd_surveys_parse(j, "acme.lua:3", s, err, sizeof err);
	if (rc != 0)
		fail_msg("%s", err);
	cJSON_Delete(j);
}

static void parse_fails(const char *json, const char *expect)
{
	cJSON *j = cJSON_Parse(json);
	assert_non_null(j);
	char err[2048] = "";
	struct vocd_surveys s;
	assert_int_equal(vocd_surveys_parse(j, "acme.lua:3", &s, err, sizeof err), VOCD_ECONFIG);
	if (!strstr(err, expect))
		fail_msg("expected \"%s\" in:\n%s", expect, err);
	cJSON_Delete(j);
}

static void default_survey_asks_csat(void **state)
{
	struct vocd_surveys s;
	char err[64] = "";
	assert_int_equal(vocd_surveys_parse(NULL, "x", &s, err, sizeof err), 0);
	const struct vocd_survey *sv = vocd_surveys_pick(&s, "anything");
	assert_int_equal(sv->nmetrics, 1);
	assert_int_equal(sv->metrics[0], VOCD_METRIC_CSAT);
	assert_non_null(sv->notice.zh);
	assert_non_null(sv->notice_version);
	vocd_surveys_free(&s);
}

static void tenant_survey_and_service_types(void **state)
{
	struct vocd_surveys s;
	parse_ok(acme, &s);
	const struct vocd_survey *sv = vocd_surveys_pick(&s, NULL);
	assert_int_equal(sv->nmetrics, 2);
	assert_int_equal(sv->metrics[1], VOCD_METRIC_NPS);
	assert_int_equal(sv->ndimensions, 2);
	assert_string_equal(sv->dimensions[0].label.zh, "响应速度");
	assert_int_equal(sv->dimensions[1].scale, 5);
	assert_string_equal(sv->notice_version, "2026-11");
	const struct vocd_survey *d = vocd_surveys_pick(&s, "delivery");
	assert_string_equal(d->service_type, "delivery");
	assert_int_equal(d->metrics[0], VOCD_METRIC_CES);
	assert_int_equal(d->ntags, 0);
	assert_int_equal(d->ndimensions, 2); /* inherited from the default survey */
	assert_string_equal(d->notice.en, "Privacy notice");
	assert_ptr_equal(vocd_surveys_pick(&s, "repair"), sv);
	vocd_surveys_free(&s);
}

static void mistakes_are_named(void **state)
{
	parse_fails("{\"metrics\":[\"csat\",\"happiness\"]}", "acme.lua:3: survey.metrics[2]: expected \"csat\"");
	parse_fails("{\"metrics\":[\"csat\",\"csat\"]}", "\"csat\" is listed twice");
	parse_fails("{\"dimensions\":[{\"id\":\"speed\",\"scale\":11,\"label\":{\"zh-CN\":\"a\",\"en\":\"b\"}}]}",
	            "survey.dimensions[1].scale: expected a whole number from 2 to 10");
	parse_fails("{\"dimensions\":[{\"id\":\"Speed!\",\"label\":{\"zh-CN\":\"a\",\"en\":\"b\"}}]}",
	            "survey.dimensions[1].id: expected 1-32 lower-case");
	parse_fails("{\"tags\":[{\"id\":\"a\",\"label\":{\"zh-CN\":\"a\"}}]}",
	            "survey.tags[1].label: expected text in both zh-CN and en");
	parse_fails("{\"tags\":[{\"id\":\"a\",\"label\":{\"zh-CN\":\"a\",\"en\":\"a\"}},"
	            "{\"id\":\"a\",\"label\":{\"zh-CN\":\"b\",\"en\":\"b\"}}]}", "\"a\" is used twice");
	parse_fails("{\"privacy_notice\":{\"zh-CN\":\"a\",\"en\":\"b\"}}", "survey.privacy_notice.version");
	parse_fails("{\"colour\":1}", "survey.colour: unknown entry");
	parse_fails("{\"dimensions\":[{\"id\":\"nps\",\"label\":{\"zh-CN\":\"a\",\"en\":\"b\"}}]}",
	            "survey.dimensions[1].id: \"nps\" is a metric's name");
	/* Ten dimensions by default and ten others for deliveries: twenty ids, four more than the figures keep. */
	char json[4096], *at = json;
	at += sprintf(at, "{\"dimensions\":[");
	for (int i = 0; i < 10; i++)
		at += sprintf(at, "%s{\"id\":\"a%d\",\"label\":{\"zh-CN\":\"a\",\"en\":\"a\"}}", i ? "," : "", i);
	at += sprintf(at, "],\"service_types\":{\"delivery\":{\"dimensions\":[");
	for (int i = 0; i < 10; i++)
		at += sprintf(at, "%s{\"id\":\"%c%d\",\"label\":{\"zh-CN\":\"a\",\"en\":\"a\"}}", i ? "," : "",
		              i < 4 ? 'a' : 'b', i); /* a0..a3 again, then b4..b9: 16 in all */
	sprintf(at, "]}}}");
	struct vocd_surveys ok;
	char err[512] = "";
	cJSON *j = cJSON_Parse(json);
	assert_int_equal(vocd_surveys_parse(j, "acme.lua:3", &ok, err, sizeof err), 0);
	vocd_surveys_free(&ok);
	cJSON_Delete(j);
	char *a3 = strstr(strstr(json, "service_types"), "\"a3\"");
	assert_non_null(a3);
	a3[1] = 'c'; /* a3 becomes c3 in deliveries: 17 different ids */
	parse_fails(json, "survey: at most 16 different dimensions over all service types");
	parse_fails("{\"service_types\":{\"delivery\":{\"privacy_notice\":{}}}}",
	            "survey.service_types.delivery.privacy_notice: unknown entry");
}

static int check(const struct vocd_survey *sv, const char *json, char *field, char *msg)
{
	cJSON *j = cJSON_Parse(json);
	assert_non_null(j);
	int rc = vocd_survey_check_answer(sv, j, field, 64, msg, 256);
	cJSON_Delete(j);
	return rc;
}

static void answers_are_checked_field_by_field(void **state)
{
	struct vocd_surveys s;
	parse_ok(acme, &s);
	const struct vocd_survey *sv = vocd_surveys_pick(&s, NULL);
	char field[64], msg[256];
	assert_int_equal(check(sv, "{\"scores\":{\"csat\":4,\"nps\":9},\"dimensions\":{\"speed\":5},"
	                           "\"tags\":[\"slow\",\"kind\"],\"text\":\"师傅很热情\"}", field, msg), 0);
	assert_int_equal(check(sv, "{\"scores\":{\"csat\":1}}", field, msg), 0);

	struct {
		const char *json;
		int rc;
		const char *field;
		const char *msg;
	} bad[] = {
		{"{\"scores\":{\"csat\":6}}", VOCD_EUNPROC, "scores.csat", "from 1 to 5, got 6"},
		{"{\"scores\":{\"csat\":3.5}}", VOCD_EUNPROC, "scores.csat", "whole number"},
		{"{\"scores\":{\"csat\":\"5\"}}", VOCD_EINVAL, "scores.csat", "got text"},
		{"{\"scores\":{\"nps\":9}}", VOCD_EUNPROC, "scores.csat", "required"},
		{"{\"scores\":{\"csat\":5,\"nps\":11}}", VOCD_EUNPROC, "scores.nps", "from 0 to 10"},
		{"{\"scores\":{\"csat\":5,\"ces\":3}}", VOCD_EINVAL, "scores.ces", "does not ask"},
		{"{}", VOCD_EUNPROC, "scores", "required"},
		{"{\"scores\":{\"csat\":5},\"dimensions\":{\"price\":3}}", VOCD_EINVAL, "dimensions.price", "does not ask"},
		{"{\"scores\":{\"csat\":5},\"dimensions\":{\"speed\":0}}", VOCD_EUNPROC, "dimensions.speed", "from 1 to 5"},
		{"{\"scores\":{\"csat\":5},\"tags\":[\"rude\"]}", VOCD_EUNPROC, "tags[0]", "not one of"},
		{"{\"scores\":{\"csat\":5},\"tags\":[\"slow\",\"slow\"]}", VOCD_EUNPROC, "tags[1]", "twice"},
		{"{\"scores\":{\"csat\":5},\"tags\":\"slow\"}", VOCD_EINVAL, "tags", "expected a list"},
		{"{\"scores\":{\"csat\":5},\"text\":\"一二三四五六七八九十一二三四五六七八九十一\"}", VOCD_EUNPROC, "text",
		 "at most 20 characters, got 21"},
		{"{\"scores\":{\"csat\":5},\"text\":5}", VOCD_EINVAL, "text", "expected text"},
		{"{\"scores\":{\"csat\":5},\"score\":5}", VOCD_EINVAL, "score", "unknown field"},
		/* found by tests/fuzz: a member with an empty name was refused without naming it */
		{"{\"\":3}", VOCD_EINVAL, "\"\"", "unknown field"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = check(sv, bad[i].json, field, msg);
		if (rc != bad[i].rc || strcmp(field, bad[i].field) != 0 || !strstr(msg, bad[i].msg))
			fail_msg("%s: got %d %s: %s", bad[i].json, rc, field, msg);
	}
	/* Exactly 20 Chinese characters fit. */
	assert_int_equal(check(sv, "{\"scores\":{\"csat\":5},\"text\":\"一二三四五六七八九十一二三四五六七八九十\"}",
	                       field, msg), 0);
	/* Invalid UTF-8 is refused. */
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "scores", cJSON_Parse("{\"csat\":5}"));
	cJSON_AddStringToObject(j, "text", "\xff\xfe");
	assert_int_equal(vocd_survey_check_answer(sv, j, field, 64, msg, 256), VOCD_EINVAL);
	assert_string_equal(field, "text");
	cJSON_Delete(j);
	vocd_surveys_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_survey_asks_csat),
		cmocka_unit_test(tenant_survey_and_service_types),
		cmocka_unit_test(mistakes_are_named),
		cmocka_unit_test(answers_are_checked_field_by_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* JSON text: vocd_json_print writes what cJSON_PrintUnformatted writes, for every kind of value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

/* Both printers agree on \p item, and the length given is the text's. */
static void same_as_cjson(const cJSON *item)
{
	char *want = cJSON_PrintUnformatted(item);
	size_t len = 0;
	char *got = vocd_json_print(item, &len);
	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
}

static void parsed_documents(void **state)
{
	(void)state;
	static const char *const docs[] = {
	    "{}", "[]", "null", "true", "false", "0", "-1", "\"\"", "{\"a\":[]}", "[[[[]]],{}]",
	    "{\"id\":\"0000000000000002\",\"version\":1,\"scores\":{\"csat\":4,\"nps\":7},\"tags\":[\"fast\",\"slow\"],"
	    "\"text\":\"感谢你们的帮助！处理速度太慢了！\",\"created_at\":1796223737335}",
	    "[2147483647,2147483648,-2147483648,-2147483649,999999999999999,1000000000000000,1e300,-1e-300]",
	    "[0.1,0.5,-2.25,3.141592653589793,1.0000000000000002,123456.789,1e21,5e-324]",
	    "{\"q\":\"say \\\"hi\\\"\",\"b\":\"back\\\\slash\",\"c\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\",\"e\":\"\\u00e9 \\ud83d\\ude00\"}",
	    "{\"\":\"empty key\",\"dup\":1,\"dup\":2}",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		cJSON *item = cJSON_Parse(docs[i]);
		assert_non_null(item);
		same_as_cjson(item);
		cJSON_Delete(item);
	}
}

static void numbers_json_cannot_hold_are_null(void **state)
{
	(void)state;
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, cJSON_CreateNumber(NAN));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(INFINITY));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-INFINITY));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-0.0));
	same_as_cjson(a);
	char *text = vocd_json_print(a, NULL);
	assert_string_equal(text, "[null,null,null,-0]");
	free(text);
	cJSON_Delete(a);
}

/* References (cJSON_AddItemReferenceToObject) print as the items they point at. */
static void references_print_their_target(void **state)
{
	(void)state;
	cJSON *answer = cJSON_Parse("{\"scores\":{\"csat\":5},\"tags\":[\"fast\"],\"text\":\"好\"}");
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", "7");
	cJSON_AddItemReferenceToObject(rec, "scores", cJSON_GetObjectItem(answer, "scores"));
	cJSON_AddItemReferenceToObject(rec, "tags", cJSON_GetObjectItem(answer, "tags"));
	cJSON_AddItemReferenceToObject(rec, "text", cJSON_GetObjectItem(answer, "text"));
	same_as_cjson(rec);
	char *text = vocd_json_print(rec, NULL);
	assert_string_equal(text, "{\"id\":\"7\",\"scores\":{\"csat\":5},\"tags\":[\"fast\"],\"text\":\"好\"}");
	free(text);
	cJSON_Delete(rec);
	cJSON_Delete(answer);
}

/* Random trees from a fixed seed: every shape and value kind mixed, nested a few levels. */
static unsigned next_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static cJSON *random_item(unsigned *s, int depth)
{
	static const char *const strings[] = {"", "a", "中文", "tab\there", "q\"uote", "ctl\x02", "\\", "emoji 😀"};
	static const double numbers[] = {0, 1, -7, 0.25, 1e15, 1e15 - 1, 4294967296.0, -0.001, 1.0 / 3, 6.02e23};
	switch (next_rand(s) % (depth > 3 ? 5 : 7)) {
	case 0: return cJSON_CreateNull();
	case 1: return cJSON_CreateBool(next_rand(s) & 1);
	case 2: return cJSON_CreateNumber(numbers[next_rand(s) % 10] * (next_rand(s) % 3 + 1));
	case 3:
	case 4: return cJSON_CreateString(strings[next_rand(s) % 8]);
	case 5: {
		cJSON *a = cJSON_CreateArray();
		for (unsigned i = next_rand(s) % 5; i > 0; i--)
			cJSON_AddItemToArray(a, random_item(s, depth + 1));
		return a;
	}
	default: {
		cJSON *o = cJSON_CreateObject();
		for (unsigned i = next_rand(s) % 5; i > 0; i--)
			cJSON_AddItemToObject(o, strings[next_rand(s) % 8], random_item(s, depth + 1));
		return o;
	}
	}
}

static void random_trees(void **state)
{
	(void)state;
	unsigned seed = 20261202;
	for (int i = 0; i < 2000; i++) {
		cJSON *item = random_item(&seed, 0);
		same_as_cjson(item);
		cJSON_Delete(item);
	}
}

static void malformed_trees_are_refused(void **state)
{
	(void)state;
	assert_null(vocd_json_print(NULL, NULL));
	cJSON invalid = {0}; /* type cJSON_Invalid */
	assert_null(vocd_json_print(&invalid, NULL));
	cJSON raw = {0};
	raw.type = cJSON_Raw;
	assert_null(vocd_json_print(&raw, NULL));
	/* Deeper than cJSON's nesting limit. */
	cJSON *root = cJSON_CreateArray(), *at = root;
	for (int i = 0; i < CJSON_NESTING_LIMIT + 5; i++) {
		cJSON *inner = cJSON_CreateArray();
		cJSON_AddItemToArray(at, inner);
		at = inner;
	}
	assert_null(vocd_json_print(root, NULL));
	cJSON_Delete(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parsed_documents),
	    cmocka_unit_test(numbers_json_cannot_hold_are_null),
	    cmocka_unit_test(references_print_their_target),
	    cmocka_unit_test(random_trees),
	    cmocka_unit_test(malformed_trees_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of core/validate.c: unknown fields are named, an empty name included (found by tests/fuzz). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "validate.h"

static const char *const known[] = {"invitation", "answer", NULL};

static void unknown_fields_are_named(void **state)
{
	struct vocd_field_error e;
	cJSON *j = cJSON_Parse("{\"invitation\": \"a\", \"score\": 5}");
	assert_int_equal(vocd_check_known(j, "", known, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "unknown_field");
	assert_string_equal(e.message, "score: unknown field (known: invitation, answer)");
	cJSON_Delete(j);

	j = cJSON_Parse("{\"\": 5}");
	assert_int_equal(vocd_check_known(j, "", known, &e), -1);
	assert_string_equal(e.message, "\"\": unknown field (known: invitation, answer)");
	assert_int_equal(vocd_check_known(j, "context", known, &e), -1);
	assert_string_equal(e.message, "context.\"\": unknown field (known: invitation, answer)");
	cJSON_Delete(j);

	j = cJSON_Parse("{\"answer\": {}}");
	assert_int_equal(vocd_check_known(j, "", known, &e), 0);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_fields_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

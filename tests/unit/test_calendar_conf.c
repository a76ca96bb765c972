/* Tests of core/calendar_conf.c: a calendar setting is read, and a day with digits after it is refused
 * with the setting named (found by tests/fuzz: it overflowed an int on the way, caught by UBSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "calendar_conf.h"
#include "error.h"

static int parse(const char *json, struct vocd_tenant_calendar *c, char *why, size_t wl)
{
	cJSON *j = cJSON_Parse(json);
	assert_non_null(j);
	int rc = vocd_calendar_parse(j, c, why, wl);
	cJSON_Delete(j);
	return rc;
}

static void days_are_read_exactly(void **state)
{
	struct vocd_tenant_calendar c;
	char why[512];
	assert_int_equal(parse("{\"holidays\": [\"2026-10-01..2026-10-07\", \"2027-01-01\"], \"workdays\": [\"2026-10-10\"]}",
	                       &c, why, sizeof why),
	                 0);
	assert_int_equal(c.cal.nholidays, 8);
	assert_int_equal(c.cal.holidays[0], 20261001);
	assert_int_equal(c.cal.holidays[7], 20270101);
	assert_int_equal(c.cal.nworkdays, 1);
	assert_int_equal(c.cal.workdays[0], 20261010);
	vocd_calendar_conf_free(&c);

	static const char *const bad[] = {"2027-01-2137144296", "2027-01-01..2027-01-0299999999999", "2027-1-01"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char json[128];
		snprintf(json, sizeof json, "{\"holidays\": [\"%s\"]}", bad[i]);
		assert_int_equal(parse(json, &c, why, sizeof why), VOCD_ECONFIG);
		assert_non_null(strstr(why, "calendar.holidays[1]"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(days_are_read_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

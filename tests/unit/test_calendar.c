/* Business calendars: dates, working time over lunch breaks, weekends, holidays and adjusted working days,
 * in the tenant's UTC offset; refused calendars say why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

/* 2026: Thursday 1 October to Wednesday 7 October off, Saturday 10 October worked instead (invented for the
 * test, in the way Chinese calendars shift days). */
static const int32_t holidays[] = {20261001, 20261002, 20261005, 20261006, 20261007};
static const int32_t workdays[] = {20261010};

/* Beijing time, 09:00-12:00 and 13:30-18:00 Monday to Friday. */
static struct vocd_calendar office(void)
{
	struct vocd_calendar c;
	memset(&c, 0, sizeof c);
	c.utc_offset_min = 480;
	for (int d = 0; d < 5; d++) {
		c.week[d][0] = (struct vocd_work_period){9 * 60, 12 * 60};
		c.week[d][1] = (struct vocd_work_period){13 * 60 + 30, 18 * 60};
		c.nperiods[d] = 2;
	}
	c.workday_as = 0;
	c.holidays = holidays;
	c.nholidays = sizeof holidays / sizeof holidays[0];
	c.workdays = workdays;
	c.nworkdays = sizeof workdays / sizeof workdays[0];
	return c;
}

/* Unix ms of a Beijing wall-clock time. */
static int64_t beijing(int32_t day, int hour, int minute)
{
	return vocd_calendar_day_number(day) * 86400000LL + hour * HOUR + minute * MIN - 8 * HOUR;
}

static void dates(void **state)
{
	(void)state;
	assert_int_equal(vocd_calendar_day_number(19700101), 0);
	assert_int_equal(vocd_calendar_day_number(20261001), 20727);
	assert_int_equal(vocd_calendar_day_number(20261202), 20789);
	assert_int_equal(vocd_calendar_day_number(20270101), 20819);
	assert_int_equal(vocd_calendar_day_number(20240229), vocd_calendar_day_number(20240228) + 1);
	assert_int_equal(vocd_calendar_day_number(20240301), vocd_calendar_day_number(20240229) + 1);
	static const int32_t bad[] = {20260229, 20261301, 20261000, 20261032, 19691231, 2026101, -20261001, 100000101};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(vocd_calendar_day_number(bad[i]), -1);
	/* Every day of four centuries and back. */
	for (int64_t n = 0; n < 146097; n++)
		assert_int_equal(vocd_calendar_day_number(vocd_calendar_date(n)), n);
	assert_int_equal(vocd_calendar_date(20789), 20261202);
}

static void day_minutes(void **state)
{
	(void)state;
	struct vocd_calendar c = office();
	assert_int_equal(vocd_calendar_day_minutes(&c, 20261202), 450); /* a Wednesday: 3 h + 4.5 h */
	assert_int_equal(vocd_calendar_day_minutes(&c, 20261205), 0);   /* a Saturday */
	assert_int_equal(vocd_calendar_day_minutes(&c, 20261001), 0);   /* a holiday on a Thursday */
	assert_int_equal(vocd_calendar_day_minutes(&c, 20261010), 450); /* an adjusted working Saturday */
	assert_int_equal(vocd_calendar_day_minutes(&c, 20261301), -1);
}

static void expect_due(const struct vocd_calendar *c, int64_t from, int64_t work, int64_t want)
{
	int64_t due = 0;
	assert_int_equal(vocd_calendar_add(c, from, work, &due), 0);
	assert_int_equal(due, want);
	/* The same working time counted back. */
	assert_int_equal(vocd_calendar_between(c, from, due), work);
}

static void working_time_is_added(void **state)
{
	(void)state;
	struct vocd_calendar c = office();
	/* Within a period, over the lunch break, to the very end of the day. */
	expect_due(&c, beijing(20261202, 9, 30), 2 * HOUR, beijing(20261202, 11, 30));
	expect_due(&c, beijing(20261202, 11, 0), 2 * HOUR, beijing(20261202, 14, 30));
	expect_due(&c, beijing(20261202, 9, 0), 450 * MIN, beijing(20261202, 18, 0));
	/* Friday 17:00 plus 2 working hours: one on Friday, one on Monday. */
	expect_due(&c, beijing(20261204, 17, 0), 2 * HOUR, beijing(20261207, 10, 0));
	/* Started out of hours (a Saturday night): the clock starts on Monday morning. */
	expect_due(&c, beijing(20261205, 23, 0), 30 * MIN, beijing(20261207, 9, 30));
	expect_due(&c, beijing(20261205, 23, 0), 0, beijing(20261207, 9, 0));
	/* Started during lunch: from 13:30. */
	expect_due(&c, beijing(20261202, 12, 10), HOUR, beijing(20261202, 14, 30));
	/* 48 working hours from Wednesday 10:00 (7.5 h a day): 6.5 h that Wednesday, 30 h Thursday to Tuesday,
	 * 7.5 h the next Wednesday, and 4 h on Thursday: 09:00-12:00 and 13:30-14:30. */
	expect_due(&c, beijing(20261202, 10, 0), 48 * HOUR, beijing(20261210, 14, 30));
}

static void holidays_and_adjusted_working_days(void **state)
{
	(void)state;
	struct vocd_calendar c = office();
	/* Wednesday 30 September 17:00 plus 2 h: 1 h that day; Thursday 1 to Wednesday 7 October off (the
	 * weekend between too), so the second hour is on Thursday 8 October. */
	expect_due(&c, beijing(20260930, 17, 0), 2 * HOUR, beijing(20261008, 10, 0));
	/* Friday 9 October 17:00 plus 2 h: Saturday 10 October is worked. */
	expect_due(&c, beijing(20261009, 17, 0), 2 * HOUR, beijing(20261010, 10, 0));
	/* Without the holidays, the same clock ends on Thursday 1 October. */
	c.nholidays = 0;
	expect_due(&c, beijing(20260930, 17, 0), 2 * HOUR, beijing(20261001, 10, 0));
}

static void expect_days(const struct vocd_calendar *c, int64_t from, int days, int64_t want)
{
	int64_t due = 0;
	assert_int_equal(vocd_calendar_add_days(c, from, days, &due), 0);
	assert_int_equal(due, want);
}

static void working_days_end_at_the_close_of_business(void **state)
{
	(void)state;
	struct vocd_calendar c = office();
	/* Received on Wednesday 2 December: day 1 is Thursday, day 2 Friday, day 7 the Friday after. */
	expect_days(&c, beijing(20261202, 10, 0), 1, beijing(20261203, 18, 0));
	expect_days(&c, beijing(20261202, 10, 0), 2, beijing(20261204, 18, 0));
	expect_days(&c, beijing(20261202, 10, 0), 7, beijing(20261211, 18, 0));
	/* Received late at night or at the weekend: that day still does not count. */
	expect_days(&c, beijing(20261202, 23, 59), 1, beijing(20261203, 18, 0));
	expect_days(&c, beijing(20261205, 11, 0), 1, beijing(20261207, 18, 0));
	/* 16:30 in UTC is already the next local day in Beijing. */
	expect_days(&c, beijing(20261203, 0, 30), 1, beijing(20261204, 18, 0));
	/* Over the October holiday: 30 September + 2 working days is Thursday 8 October, then the worked
	 * Saturday 10 October is day 3. */
	expect_days(&c, beijing(20260930, 9, 0), 1, beijing(20261008, 18, 0));
	expect_days(&c, beijing(20260930, 9, 0), 3, beijing(20261010, 18, 0));
	int64_t due;
	assert_int_equal(vocd_calendar_add_days(&c, 0, 0, &due), VOCD_EINVAL);
	c.nperiods[0] = c.nperiods[1] = c.nperiods[2] = c.nperiods[3] = c.nperiods[4] = 0;
	c.nworkdays = 0;
	assert_int_equal(vocd_calendar_add_days(&c, beijing(20261202, 9, 0), 1, &due), VOCD_ELIMIT);
}

static void the_offset_is_the_tenants(void **state)
{
	(void)state;
	struct vocd_calendar c = office();
	c.utc_offset_min = 0;
	/* 09:30 in Beijing is 01:30 in UTC: before a UTC office opens. */
	expect_due(&c, beijing(20261202, 9, 30), HOUR, beijing(20261202, 18, 0));
}

static void between_counts_only_working_time(void **state)
{
	(void)state;
	struct vocd_calendar c = office();
	/* A whole week: 5 x 7.5 h. */
	assert_int_equal(vocd_calendar_between(&c, beijing(20261207, 0, 0), beijing(20261214, 0, 0)), 5 * 450 * MIN);
	assert_int_equal(vocd_calendar_between(&c, beijing(20261205, 8, 0), beijing(20261205, 20, 0)), 0);
	assert_int_equal(vocd_calendar_between(&c, beijing(20261202, 18, 0), beijing(20261202, 9, 0)), 0);
	/* Random clocks agree both ways. */
	srand(20261202);
	for (int i = 0; i < 2000; i++) {
		int64_t from = beijing(20260901, 0, 0) + (int64_t)(rand() % (120 * 24 * 60)) * MIN;
		int64_t work = (int64_t)(rand() % (40 * 60)) * MIN, due;
		assert_int_equal(vocd_calendar_add(&c, from, work, &due), 0);
		assert_true(due >= from);
		assert_int_equal(vocd_calendar_between(&c, from, due), work);
	}
}

static void clocks_that_cannot_end_are_refused(void **state)
{
	(void)state;
	struct vocd_calendar c = office();
	int64_t due;
	assert_int_equal(vocd_calendar_add(&c, beijing(20261202, 9, 0), -1, &due), VOCD_EINVAL);
	/* Work on Mondays only, and every Monday of the next eleven years a holiday. */
	for (int d = 1; d < 7; d++)
		c.nperiods[d] = 0;
	int32_t *mondays = calloc(600, sizeof *mondays);
	int64_t first = vocd_calendar_day_number(20261207);
	for (int i = 0; i < 600; i++)
		mondays[i] = vocd_calendar_date(first + 7 * i);
	c.holidays = mondays;
	c.nholidays = 600;
	c.nworkdays = 0;
	char why[128];
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), 0);
	assert_int_equal(vocd_calendar_add(&c, beijing(20261202, 9, 0), HOUR, &due), VOCD_ELIMIT);
	free(mondays);
}

static void bad_calendars_say_why(void **state)
{
	(void)state;
	char why[128];
	struct vocd_calendar c = office();
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), 0);

	static const int32_t twice[] = {20261001, 20261001};
	c.holidays = twice;
	c.nholidays = 2;
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "holidays: 20261001 given twice");

	static const int32_t unsorted[] = {20261002, 20261001};
	c.holidays = unsorted;
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "holidays: 20261001 comes after 20261002: expected in order");

	static const int32_t not_a_date[] = {20260230};
	c.holidays = not_a_date;
	c.nholidays = 1;
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "holidays: 20260230 is not a date (expected YYYYMMDD)");

	static const int32_t both[] = {20261010};
	c = office();
	c.holidays = both;
	c.nholidays = 1;
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "workdays: 20261010 is also a holiday");

	c = office();
	c.week[2][1].start_min = 11 * 60; /* Wednesday's afternoon starts before its morning ends */
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "hours.wednesday: period 2 starts before period 1 ends");

	c = office();
	c.week[0][0].end_min = 8 * 60;
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "hours.monday: period 1 must start before it ends, within the day");

	c = office();
	for (int d = 0; d < 7; d++)
		c.nperiods[d] = 0;
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "hours: no working hours in the whole week");

	c = office();
	c.workday_as = 5; /* Saturday has no hours */
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);

	c = office();
	c.utc_offset_min = 15 * 60;
	assert_int_equal(vocd_calendar_check(&c, why, sizeof why), VOCD_EINVAL);
	assert_string_equal(why, "utc_offset: 900 minutes, expected -840 to 840");
}

/* Months and quarters by name, for reports and awards. */
static void periods_by_name(void **state)
{
	(void)state;
	int32_t from, to;
	assert_int_equal(vocd_calendar_period("2026-11", &from, &to), 0);
	assert_int_equal(from, 20261101);
	assert_int_equal(to, 20261130);
	assert_int_equal(vocd_calendar_period("2028-02", &from, &to), 0);
	assert_int_equal(to, 20280229);
	assert_int_equal(vocd_calendar_period("2026-Q3", &from, &to), 0);
	assert_int_equal(from, 20260701);
	assert_int_equal(to, 20260930);
	assert_int_equal(vocd_calendar_period("2026-Q4", &from, &to), 0);
	assert_int_equal(to, 20261231);
	assert_int_equal(vocd_calendar_period("9999-Q4", &from, &to), 0); /* the last quarter there is */
	assert_int_equal(to, 99991231);
	const char *bad[] = {"2026-13", "2026-Q5", "2026-Q0", "2026-1", "2026-11x", "26-11", "", "2026-Q34", NULL};
	for (const char **b = bad; *b; b++)
		assert_int_equal(vocd_calendar_period(*b, &from, &to), VOCD_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(periods_by_name),
	    cmocka_unit_test(dates),
	    cmocka_unit_test(day_minutes),
	    cmocka_unit_test(working_time_is_added),
	    cmocka_unit_test(holidays_and_adjusted_working_days),
	    cmocka_unit_test(working_days_end_at_the_close_of_business),
	    cmocka_unit_test(the_offset_is_the_tenants),
	    cmocka_unit_test(between_counts_only_working_time),
	    cmocka_unit_test(clocks_that_cannot_end_are_refused),
	    cmocka_unit_test(bad_calendars_say_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

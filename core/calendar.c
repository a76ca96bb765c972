/* Business calendars: working time between instants and after an instant, on working hours per
 * weekday, public holidays and adjusted working days (the SLA clocks of tickets run on them). */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define FIRST_YEAR 1970
#define LAST_YEAR 9999
#define SEARCH_DAYS 3660 /* ten years: a clock that finds no working time in them is refused */

static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years from year 1 to year y. */
static int64_t leaps_through(int64_t y)
{
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to January 1 of year y. */
static int64_t year_start(int64_t y)
{
	return 365 * (y - FIRST_YEAR) + leaps_through(y - 1) - leaps_through(FIRST_YEAR - 1);
}

int64_t vocd_calendar_day_number(int32_t day)
{
	int64_t y = day / 10000, m = day / 100 % 100, d = day % 100;
	if (day < 0 || y < FIRST_YEAR || y > LAST_YEAR || m < 1 || m > 12 || d < 1)
		return -1;
	if (d > month_days[m - 1] + (m == 2 && leap(y)))
		return -1;
	int64_t n = year_start(y);
	for (int i = 0; i < m - 1; i++)
		n += month_days[i] + (i == 1 && leap(y));
	return n + d - 1;
}

int32_t vocd_calendar_date(int64_t n)
{
	int64_t y = FIRST_YEAR + n / 366;
	while (year_start(y + 1) <= n)
		y++;
	int64_t left = n - year_start(y);
	int m = 0;
	while (left >= month_days[m] + (m == 1 && leap(y)))
		left -= month_days[m] + (m == 1 && leap(y)), m++;
	return (int32_t)(y * 10000 + (m + 1) * 100 + left + 1);
}

int32_t vocd_calendar_parse_day(const char *s, const char **end)
{
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
			return -1;
	/* Exactly the ten characters: atoi read on past the day ("2027-01-2137144296") and overflowed. */
	int32_t day = 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7)
			day = day * 10 + (s[i] - '0');
	if (end)
		*end = s + 10;
	return vocd_calendar_day_number(day) >= 0 ? day : -1;
}

void vocd_calendar_day_text(int32_t day, char out[16])
{
	snprintf(out, 16, "%04d-%02d-%02d", (int)(day / 10000), (int)(day / 100 % 100), (int)(day % 100));
}

int vocd_calendar_period(const char *text, int32_t *from_day, int32_t *to_day)
{
	int year, n, used = 0;
	char q;
	if (!text || strlen(text) != 7)
		return VOCD_EINVAL;
	int first, last;
	if (sscanf(text, "%4d-%c%d%n", &year, &q, &n, &used) == 3 && q == 'Q' && !text[used] && n >= 1 && n <= 4)
		first = (n - 1) * 3 + 1, last = first + 2;
	else if ((used = 0, sscanf(text, "%4d-%2d%n", &year, &n, &used)) == 2 && !text[used] && n >= 1 && n <= 12)
		first = last = n;
	else
		return VOCD_EINVAL;
	if (year < FIRST_YEAR || year > LAST_YEAR)
		return VOCD_EINVAL;
	*from_day = year * 10000 + first * 100 + 1;
	*to_day = year * 10000 + last * 100 + month_days[last - 1] + (last == 2 && leap(year));
	return 0;
}

static int listed(const int32_t *days, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (days[mid] == day)
			return 1;
		if (days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The periods of day number \p n: none on a holiday, the standard day's on an adjusted working day. */
static const struct vocd_work_period *periods_of(const struct vocd_calendar *c, int64_t n, int *count)
{
	int32_t date = vocd_calendar_date(n);
	int weekday = (int)((n + 3) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */
	if (listed(c->holidays, c->nholidays, date)) {
		*count = 0;
		return NULL;
	}
	if (listed(c->workdays, c->nworkdays, date))
		weekday = c->workday_as;
	*count = c->nperiods[weekday];
	return c->week[weekday];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int vocd_calendar_day_minutes(const struct vocd_calendar *c, int32_t day)
{
	int64_t n = vocd_calendar_day_number(day);
	if (n < 0)
		return -1;
	int count, total = 0;
	const struct vocd_work_period *p = periods_of(c, n, &count);
	for (int i = 0; i < count; i++)
		total += p[i].end_min - p[i].start_min;
	return total;
}

int vocd_calendar_add(const struct vocd_calendar *c, int64_t from_ms, int64_t work_ms, int64_t *due_ms)
{
	if (work_ms < 0)
		return VOCD_EINVAL;
	int64_t off = (int64_t)c->utc_offset_min * MIN_MS, local = from_ms + off, left = work_ms;
	int64_t n = floor_div(local, DAY_MS);
	if (n < 0)
		n = 0;
	for (int64_t last = n + SEARCH_DAYS; n < last; n++) {
		int count;
		const struct vocd_work_period *p = periods_of(c, n, &count);
		for (int i = 0; i < count; i++) {
			int64_t start = n * DAY_MS + p[i].start_min * MIN_MS, end = n * DAY_MS + p[i].end_min * MIN_MS;
			if (local > start)
				start = local;
			if (start >= end)
				continue;
			if (left <= end - start) {
				*due_ms = start + left - off;
				return 0;
			}
			left -= end - start;
		}
	}
	return VOCD_ELIMIT;
}

int32_t vocd_calendar_day_of(const struct vocd_calendar *c, int64_t ms)
{
	return vocd_calendar_date(floor_div(ms + (int64_t)c->utc_offset_min * MIN_MS, DAY_MS));
}

int vocd_calendar_add_days(const struct vocd_calendar *c, int64_t from_ms, int days, int64_t *due_ms)
{
	if (days < 1)
		return VOCD_EINVAL;
	int64_t off = (int64_t)c->utc_offset_min * MIN_MS;
	int64_t n = floor_div(from_ms + off, DAY_MS);
	if (n < 0)
		n = 0;
	for (int64_t last = n + SEARCH_DAYS; ++n < last;) {
		int count;
		const struct vocd_work_period *p = periods_of(c, n, &count);
		if (count > 0 && --days == 0) {
			*due_ms = n * DAY_MS + p[count - 1].end_min * MIN_MS - off;
			return 0;
		}
	}
	return VOCD_ELIMIT;
}

int64_t vocd_calendar_between(const struct vocd_calendar *c, int64_t from_ms, int64_t to_ms)
{
	int64_t off = (int64_t)c->utc_offset_min * MIN_MS, from = from_ms + off, to = to_ms + off, total = 0;
	if (to <= from)
		return 0;
	int64_t n = floor_div(from, DAY_MS), last = floor_div(to, DAY_MS);
	if (n < 0)
		n = 0;
	for (; n <= last; n++) {
		int count;
		const struct vocd_work_period *p = periods_of(c, n, &count);
		for (int i = 0; i < count; i++) {
			int64_t start = n * DAY_MS + p[i].start_min * MIN_MS, end = n * DAY_MS + p[i].end_min * MIN_MS;
			if (start < from)
				start = from;
			if (end > to)
				end = to;
			if (end > start)
				total += end - start;
		}
	}
	return total;
}

/* Days valid, sorted and each once. */
static int check_days(const char *name, const int32_t *days, size_t n, char *why, size_t wl)
{
	if (n > 0 && days == NULL) {
		snprintf(why, wl, "%s: missing", name);
		return VOCD_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (vocd_calendar_day_number(days[i]) < 0) {
			snprintf(why, wl, "%s: %d is not a date (expected YYYYMMDD)", name, (int)days[i]);
			return VOCD_EINVAL;
		}
		if (i > 0 && days[i] == days[i - 1]) {
			snprintf(why, wl, "%s: %d given twice", name, (int)days[i]);
			return VOCD_EINVAL;
		}
		if (i > 0 && days[i] < days[i - 1]) {
			snprintf(why, wl, "%s: %d comes after %d: expected in order", name, (int)days[i], (int)days[i - 1]);
			return VOCD_EINVAL;
		}
	}
	return 0;
}

int vocd_calendar_check(const struct vocd_calendar *c, char *why, size_t wl)
{
	static const char *const names[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	                                     "sunday"};
	if (c->utc_offset_min < -14 * 60 || c->utc_offset_min > 14 * 60) {
		snprintf(why, wl, "utc_offset: %d minutes, expected -840 to 840", c->utc_offset_min);
		return VOCD_EINVAL;
	}
	int week_minutes = 0;
	for (int d = 0; d < 7; d++) {
		if (c->nperiods[d] < 0 || c->nperiods[d] > VOCD_CAL_PERIODS) {
			snprintf(why, wl, "hours.%s: %d working periods, expected 0 to %d", names[d], c->nperiods[d], VOCD_CAL_PERIODS);
			return VOCD_EINVAL;
		}
		for (int i = 0; i < c->nperiods[d]; i++) {
			const struct vocd_work_period *p = &c->week[d][i];
			if (p->start_min < 0 || p->end_min > 1440 || p->start_min >= p->end_min) {
				snprintf(why, wl, "hours.%s: period %d must start before it ends, within the day", names[d], i + 1);
				return VOCD_EINVAL;
			}
			if (i > 0 && p->start_min < c->week[d][i - 1].end_min) {
				snprintf(why, wl, "hours.%s: period %d starts before period %d ends", names[d], i + 1, i);
				return VOCD_EINVAL;
			}
			week_minutes += p->end_min - p->start_min;
		}
	}
	if (week_minutes == 0) {
		snprintf(why, wl, "hours: no working hours in the whole week");
		return VOCD_EINVAL;
	}
	if (c->workday_as < 0 || c->workday_as > 6 || c->nperiods[c->workday_as] == 0) {
		snprintf(why, wl, "workday_as: expected a weekday that has working hours");
		return VOCD_EINVAL;
	}
	int rc = check_days("holidays", c->holidays, c->nholidays, why, wl);
	if (rc == 0)
		rc = check_days("workdays", c->workdays, c->nworkdays, why, wl);
	if (rc != 0)
		return rc;
	for (size_t i = 0, j = 0; i < c->nholidays && j < c->nworkdays;) {
		if (c->holidays[i] == c->workdays[j]) {
			snprintf(why, wl, "workdays: %d is also a holiday", (int)c->holidays[i]);
			return VOCD_EINVAL;
		}
		if (c->holidays[i] < c->workdays[j])
			i++;
		else
			j++;
	}
	return 0;
}

/* Business calendars: a tenant's working hours per weekday, its public holidays and its adjusted working
 * days (调休: a weekend day worked in exchange for a holiday), in the tenant's fixed UTC offset. SLA clocks
 * count working time on them: "2 working hours" started on Friday 17:00 ends on Monday 10:00.
 *
 * Days are written YYYYMMDD (20261001). A holiday has no working time even on a weekday; an adjusted
 * working day has the hours of the calendar's standard day (workday_as) even on a weekend; a day that is
 * both is a mistake the constructor refuses. */
#ifndef VOCD_CALENDAR_H
#define VOCD_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define VOCD_CAL_PERIODS 4 /**< working periods a day at most, e.g. 09:00-12:00 and 13:30-18:00 */

struct vocd_work_period {
	int start_min; /**< minutes from local midnight, 0..1439 */
	int end_min;   /**< after start_min, at most 1440 */
};

struct vocd_calendar {
	int utc_offset_min; /**< local time minus UTC, minutes (480 for China Standard Time); no daylight saving */
	struct vocd_work_period week[7][VOCD_CAL_PERIODS]; /**< by weekday, 0 = Monday; in order, apart */
	int nperiods[7];
	int workday_as;           /**< the weekday whose hours an adjusted working day has (0 = Monday) */
	const int32_t *holidays;  /**< sorted, no repeats; owned by the caller, must outlive the calendar */
	size_t nholidays;
	const int32_t *workdays;  /**< adjusted working days, sorted, no repeats; same ownership */
	size_t nworkdays;
};

/**
 * \brief Checks a calendar filled in by the caller: periods in order and apart within a day, days valid
 * dates, sorted and unrepeated, no day both a holiday and an adjusted working day, some working time in
 * the week.
 * \return 0, or VOCD_EINVAL with what is wrong in \p why, naming the part ("holidays: 20261001 given
 *         twice", "hours.monday: period 2 starts before period 1 ends").
 */
int vocd_calendar_check(const struct vocd_calendar *c, char *why, size_t why_len);

/** \brief The working minutes of \p day (YYYYMMDD) on calendar \p c; -1 when \p day is not a date. */
int vocd_calendar_day_minutes(const struct vocd_calendar *c, int32_t day);

/**
 * \brief The instant at which \p work_ms of working time have passed, counting from \p from_ms (Unix ms).
 * Time outside working periods does not count; a clock started out of hours starts at the next period.
 * \return 0 (\p *due_ms set), VOCD_EINVAL (negative work_ms), VOCD_ELIMIT (no working time within ten
 *         years: a calendar of holidays only).
 */
int vocd_calendar_add(const struct vocd_calendar *c, int64_t from_ms, int64_t work_ms, int64_t *due_ms);

/**
 * \brief The end of the \p days-th working day after the local day of \p from_ms ("within 7 working days"
 * of a complaint received on Tuesday: by the close of business on the 7th working day from Wednesday on).
 * A day counts when it has any working time; the day the clock starts never counts.
 * \return 0 (\p *due_ms set), VOCD_EINVAL (\p days < 1), VOCD_ELIMIT (not found within ten years).
 */
int vocd_calendar_add_days(const struct vocd_calendar *c, int64_t from_ms, int days, int64_t *due_ms);

/** \brief Working time between \p from_ms and \p to_ms, in ms (0 when \p to_ms is not after \p from_ms). */
int64_t vocd_calendar_between(const struct vocd_calendar *c, int64_t from_ms, int64_t to_ms);

/** \brief Days since 1970-01-01 of a YYYYMMDD date; -1 when it is not a date (20260230, 2026131). */
int64_t vocd_calendar_day_number(int32_t day);

/** \brief The YYYYMMDD date of a day number (days since 1970-01-01). */
int32_t vocd_calendar_date(int64_t day_number);

/** \brief The local date (YYYYMMDD) of the instant \p ms on calendar \p c (its UTC offset). */
int32_t vocd_calendar_day_of(const struct vocd_calendar *c, int64_t ms);

/**
 * \brief "2026-10-01" (exactly ten characters at \p s, digits and dashes; anything may follow) as 20261001;
 * -1 when it is not a date. \p end (may be NULL) receives s + 10.
 */
int32_t vocd_calendar_parse_day(const char *s, const char **end);

/** \brief 20261001 as "2026-10-01". */
void vocd_calendar_day_text(int32_t day, char out[16]);

/**
 * \brief "2026-11" (a month) or "2026-Q3" (a quarter) as its first and last day (YYYYMMDD).
 * \return 0, VOCD_EINVAL.
 */
int vocd_calendar_period(const char *text, int32_t *from_day, int32_t *to_day);

#endif

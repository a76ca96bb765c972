/* A tenant's scheduled reports (`reports = { schedule = { ... } }`): which report, in which format, when,
 * over which period, to whom and through which channel; and when each entry falls.
 *
 *   reports = {
 *     schedule = {
 *       { id = "monthly-figures", report = "figures", format = "xlsx", every = "month", day = 1, at = "08:00",
 *         query = { interval = "week", group_by = "team" },          -- as GET /api/v1/stats, without from/to
 *         to = { { role = "supervisor" }, { person = "li.ming" } }, channel = "email", lang = "zh-CN" },
 *     },
 *   }
 *
 * `at` is local time in the tenant calendar's UTC offset (a fixed offset: no daylight saving). A run covers
 * the period just finished: the day before (every = "day"), the week before, Monday to Sunday (every =
 * "week", on `weekday`), or the month before (every = "month", on `day` 1 to 28, so that every month has it). */
#ifndef VOCD_REPORT_SCHEDULE_CONF_H
#define VOCD_REPORT_SCHEDULE_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define VOCD_REPORT_SCHEDULES_MAX 50 /**< entries of one tenant at most */

struct vocd_tenant_conf;

enum vocd_report_every { VOCD_REPORT_DAILY, VOCD_REPORT_WEEKLY, VOCD_REPORT_MONTHLY };

struct vocd_report_schedule {
	char *id;       /**< 1-64 of a-z 0-9 _ -; unique in the tenant */
	char *report;   /**< "figures" or "compliance" */
	char *format;   /**< a report-format plugin the tenant enabled (reports/<format>) */
	int every;      /**< enum vocd_report_every */
	int weekday;    /**< weekly: 0 = Monday ... 6 = Sunday */
	int day;        /**< monthly: 1-28 */
	int at_min;     /**< minutes after local midnight, 0-1439 */
	cJSON *query;   /**< figures: the stats query's parameters (strings and numbers); an object, never NULL */
	cJSON *to;      /**< a list of {person} / {role} / {team} (notify.h's recipient forms) */
	cJSON *channel; /**< a channel name, or a list of them */
	char *lang;     /**< the report's language: "zh-CN" (default) or "en" */
};

struct vocd_report_schedules {
	struct vocd_report_schedule *list;
	size_t n;
};

/**
 * \brief Reads the setting (NULL: no scheduled reports) of tenant \p t, whose calendar, people and plugins
 * are read already: the format and channel plugins must be enabled there, a {person} must be one of its
 * people, and a figures query is checked as the stats query checks it.
 * \return 0, or VOCD_ECONFIG with the problem in \p why naming the field ("reports.schedule[2].at: expected
 *         a time such as \"08:00\", got \"8am\""). \p out is freed on failure.
 */
int vocd_report_schedules_parse(const cJSON *setting, const struct vocd_tenant_conf *t,
                                struct vocd_report_schedules *out, char *why, size_t why_len);

/** \brief Frees what the setting holds. Accepts NULL and a zeroed one. */
void vocd_report_schedules_free(struct vocd_report_schedules *s);

/** \brief The entry of id \p id, or NULL. */
const struct vocd_report_schedule *vocd_report_schedule_find(const struct vocd_report_schedules *s, const char *id);

/** \brief The first time \p s falls strictly after \p after_ms (Unix ms), local time being UTC + \p utc_offset_min. */
int64_t vocd_report_next_due(const struct vocd_report_schedule *s, int utc_offset_min, int64_t after_ms);

/** \brief The last time \p s fell at or before \p at_ms. */
int64_t vocd_report_last_due(const struct vocd_report_schedule *s, int utc_offset_min, int64_t at_ms);

/**
 * \brief The period (local days YYYYMMDD, both included) a run of \p s due at \p due_ms covers: the day,
 * week (Monday to Sunday) or month before the one \p due_ms falls in.
 */
void vocd_report_period(const struct vocd_report_schedule *s, int utc_offset_min, int64_t due_ms, int32_t *from,
                        int32_t *to);

#endif

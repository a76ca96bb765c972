/* A tenant's `calendar = { ... }` setting (config.c hands it over as JSON) made into a business calendar:
 *
 *   calendar = {
 *     utc_offset = "+08:00",
 *     hours = { weekdays = { "09:00-12:00", "13:30-18:00" }, saturday = { "09:00-12:00" } },
 *     holidays = { "2026-10-01..2026-10-07", "2027-01-01" },
 *     workdays = { "2026-10-10" },        -- adjusted working days (调休)
 *     workday_as = "monday",              -- whose hours an adjusted working day has
 *   }
 *
 * `weekdays` stands for Monday to Friday; a day named after it replaces it for that day; with `hours` given,
 * a day not named has no working hours. Without the setting: UTC+8, Monday to Friday 09:00-18:00. */
#ifndef VOCD_CALENDAR_CONF_H
#define VOCD_CALENDAR_CONF_H

#include <cjson/cJSON.h>

#include "calendar.h"

struct vocd_tenant_calendar {
	struct vocd_calendar cal; /**< its holiday and workday lists point into \p days */
	int32_t *days;            /**< holidays, then adjusted working days; malloc'd */
};

/**
 * \brief Reads the setting (NULL: the default calendar).
 * \return 0, or VOCD_ECONFIG with the first problem in \p why, naming the setting: "calendar.holidays[2]:
 *         expected a day such as \"2026-10-01\" or a range \"2026-10-01..2026-10-07\", got \"10/01\"".
 */
int vocd_calendar_parse(const cJSON *setting, struct vocd_tenant_calendar *out, char *why, size_t why_len);

/** \brief Frees what vocd_calendar_parse made. Accepts one it never filled (zeroed). */
void vocd_calendar_conf_free(struct vocd_tenant_calendar *c);

#endif

/* A tenant's `tickets = { ... }` setting: how long each stage of a ticket may take per class (the SLA),
 * what counts as a repeat complaint, how the customer is invited again once a ticket is resolved, and
 * who gets a new ticket when a rule does not say.
 *
 *   tickets = {
 *     sla = {
 *       general   = { acknowledge = "2h", plan = "48h", resolve = "7 working days", revisit = "10 working days" },
 *       urgent    = { acknowledge = "30m", resolve = "2 working days" },
 *     },
 *     repeat_within_days = 30,     -- the same customer and category again within 30 days: class "repeat"
 *     revisit = { channel = "sms", satisfied_from = 4 },
 *     assign = { team = "care", how = "fewest_open" },
 *   }
 *
 * Durations: "30m", "2h" count working time on the tenant's business calendar; "7 working days" (or
 * "7个工作日") ends at the close of business on the 7th working day after the day the clock starts;
 * "3 days" (or "3天") counts every hour, day and night. */
#ifndef VOCD_TICKET_CONF_H
#define VOCD_TICKET_CONF_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "calendar.h"

enum vocd_ticket_class { VOCD_CLASS_GENERAL, VOCD_CLASS_IMPORTANT, VOCD_CLASS_URGENT, VOCD_CLASS_REPEAT, VOCD_CLASS_COUNT };

enum vocd_sla_stage { VOCD_STAGE_ACKNOWLEDGE, VOCD_STAGE_PLAN, VOCD_STAGE_RESOLVE, VOCD_STAGE_REVISIT, VOCD_STAGE_COUNT };

enum vocd_duration_kind {
	VOCD_DURATION_NONE,         /**< no limit for this stage */
	VOCD_DURATION_WORKING,      /**< working time on the calendar, ms */
	VOCD_DURATION_WORKING_DAYS, /**< whole working days */
	VOCD_DURATION_ELAPSED       /**< around the clock, ms */
};

struct vocd_duration {
	enum vocd_duration_kind kind;
	int64_t amount; /**< ms, or days for VOCD_DURATION_WORKING_DAYS */
};

/** Assignment when nobody is named: a team, by turns or to whoever has the fewest open tickets. */
enum vocd_assign_how { VOCD_ASSIGN_FEWEST_OPEN, VOCD_ASSIGN_ROUND_ROBIN };

struct vocd_tickets_conf {
	struct vocd_duration sla[VOCD_CLASS_COUNT][VOCD_STAGE_COUNT];
	unsigned repeat_within_days;  /**< 0: no repeat detection */
	int revisit;                  /**< 1: a resolved ticket invites the customer again */
	char *revisit_channel;        /**< NULL: the channel the customer first answered or complained through */
	int satisfied_csat;           /**< a revisit with CSAT >= this closes the ticket (default 4) */
	int satisfied_nps;            /**< ... or, without CSAT, NPS >= this (default 7) */
	char *assign_team;            /**< NULL: the team of the service context */
	enum vocd_assign_how assign_how;
};

/** \brief "general", "important", "urgent", "repeat"; the inverse returns -1 for anything else. */
const char *vocd_ticket_class_name(int c);
int vocd_ticket_class_parse(const char *s);

/** \brief "acknowledge", "plan", "resolve", "revisit"; the inverse returns -1. */
const char *vocd_sla_stage_name(int s);
int vocd_sla_stage_parse(const char *s);

/**
 * \brief Reads a duration as an admin writes it ("2h", "30m", "7 working days", "3 days", "2小时",
 * "7个工作日", "3天"). \return 0, or -1 when it is none of these.
 */
int vocd_duration_parse(const char *s, struct vocd_duration *out);

/** \brief The instant \p d after \p from_ms on calendar \p cal. \return 0 or VOCD_ELIMIT. */
int vocd_duration_due(const struct vocd_duration *d, const struct vocd_calendar *cal, int64_t from_ms, int64_t *due_ms);

/**
 * \brief Reads the setting (NULL: the defaults of the seeds' complaint guide: acknowledge 2h, plan 48h,
 * resolve 7 / 15 / 2 / 10 working days for general / important / urgent / repeat, revisit 10 working days;
 * repeats within 30 days; revisit on; fewest open tickets in the context's team).
 * \return 0, or VOCD_ECONFIG with the first problem in \p why ("tickets.sla.urgent.resolve: expected a
 *         duration such as \"2h\" or \"7 working days\", got \"2 weeks\"").
 */
int vocd_tickets_conf_parse(const cJSON *setting, struct vocd_tickets_conf *out, char *why, size_t why_len);

void vocd_tickets_conf_free(struct vocd_tickets_conf *c);

#endif

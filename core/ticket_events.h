/* What the core does for tickets on the bus (core_events.c dispatches to it): an SLA clock's timer fired (a breach is recorded and
 * "ticket.sla_breached" published for the workflow rules to escalate), and a revisit was answered (the
 * ticket closes when the customer is now satisfied, and reopens when not). */
#ifndef VOCD_TICKET_EVENTS_H
#define VOCD_TICKET_EVENTS_H

#include <cjson/cJSON.h>

#include "server.h"

struct vocd_event;

/** \brief An SLA clock's timer fired (topic VOCD_SLA_DUE_TOPIC): called by core_events.c. */
int vocd_ticket_events_on_sla_due(const struct vocd_event *ev, struct vocd_server *srv);

/** \brief An evaluation arrived (evaluation.created): a revisit's answer closes or reopens its ticket. */
int vocd_ticket_events_on_evaluation(const struct vocd_event *ev, struct vocd_server *srv);

/**
 * \brief Whether a revisit's answer says the customer is satisfied under the tenant's settings: CSAT at
 * least revisit.satisfied_from, or without CSAT an NPS score at least revisit.satisfied_nps_from.
 * \return 1, 0, or -1 when the answer has neither score.
 */
int vocd_revisit_satisfied(const struct vocd_tenant_conf *t, const cJSON *evaluation);

#endif

/* The core's bus subscribers for tickets: an SLA clock's timer fired (a breach is recorded and
 * "ticket.sla_breached" published for the workflow rules to escalate), and a revisit was answered (the
 * ticket closes when the customer is now satisfied, and reopens when not). */
#ifndef VOCD_TICKET_EVENTS_H
#define VOCD_TICKET_EVENTS_H

#include <cjson/cJSON.h>

#include "server.h"

/** \brief Subscribes "core:tickets.sla" and "core:tickets.revisit" for every tenant. */
int vocd_ticket_events_start(struct vocd_server *srv);

/**
 * \brief Whether a revisit's answer says the customer is satisfied under the tenant's settings: CSAT at
 * least revisit.satisfied_from, or without CSAT an NPS score at least revisit.satisfied_nps_from.
 * \return 1, 0, or -1 when the answer has neither score.
 */
int vocd_revisit_satisfied(const struct vocd_tenant_conf *t, const cJSON *evaluation);

#endif

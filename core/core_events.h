/* The core's own subscriber "core:events", for every tenant and topic: one delivery position for what the
 * core does on the bus (instead of one per task, each stored on every pass), dispatched by topic:
 *   ticket.sla_due          -> ticket_events.c   (a missed deadline)
 *   invitation.expire_due   -> invitation_expiry.c (invitation.expired)
 *   privacy.retention_due   -> retention.c       (personal data past the tenant's limit)
 *   evaluation.created      -> ticket_events.c   (a revisit's answer)
 *   every topic             -> workflow.c        (the tenant's rules)
 * Each task is idempotent, as an event is delivered again when any of them fails. Reminders
 * ("core:reminders") and staff notifications ("core:notify") keep subscribers of their own: a failing
 * gateway must not hold back the rest. */
#ifndef VOCD_CORE_EVENTS_H
#define VOCD_CORE_EVENTS_H

#include "server.h"

/** \brief Subscribes "core:events" (before vocd_bus_start). */
int vocd_core_events_start(struct vocd_server *srv);

#endif

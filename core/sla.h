/* SLA clocks of a ticket: one per stage (acknowledge, plan, resolve, revisit), each with its due time
 * computed on the tenant's business calendar from the ticket's class, a durable bus timer that fires at
 * the due time, a pause while the ticket waits on the customer, and the result (met or breached) kept
 * on the ticket for reports.
 *
 * A clock lives in the ticket record as sla.<stage> = {start, limit, kind, due_at, paused_ms,
 * remaining_ms?, done_at?, met?, breached_at?}; every finished clock is also appended to
 * sla_results = [{stage, due_at, done_at, met, round}] (a reopened ticket runs its resolve clock again).
 * These functions change the ticket's JSON and the timers inside the caller's write job; the caller
 * stores the ticket. */
#ifndef VOCD_SLA_H
#define VOCD_SLA_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"

/** Timer topic: a clock's due time came (the core's ticket subscriber checks and reports a breach). */
#define VOCD_SLA_DUE_TOPIC "ticket.sla_due"

/** \brief Starts the clock of \p stage at \p from_ms under the ticket's class (nothing when the class has no
 * limit for it) and sets its timer. A clock already running is started again. */
int vocd_sla_start(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int stage, int64_t from_ms);

/** \brief Stops a running clock at \p now: done_at, met (done by the due time), its timer cancelled, its
 * result appended to sla_results. A clock not running is left as it is. */
int vocd_sla_finish(vocd_txn *txn, const char *tenant, cJSON *ticket, int stage, int64_t now);

/** \brief The ticket waits on the customer: every running clock keeps what is left of its time and its
 * timer is cancelled. */
int vocd_sla_pause(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int64_t now);

/** \brief The wait is over: every paused clock gets a new due time, what was left counted from \p now. */
int vocd_sla_resume(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int64_t now);

/** \brief The class changed: running clocks take the new class's limit from their start (time paused
 * added). */
int vocd_sla_reclassify(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int64_t now);

/**
 * \brief A clock's timer fired: if \p stage is still running, not paused, and its due time is \p due_ms and
 * has passed, it is marked breached (breached_at) and 1 is returned; else 0 (done meanwhile, paused, moved).
 */
int vocd_sla_breach(cJSON *ticket, int stage, int64_t due_ms, int64_t now);

/** \brief True if any running clock of the ticket is past its due time at \p now (for "overdue"). */
int vocd_sla_overdue(const cJSON *ticket, int64_t now);

#endif

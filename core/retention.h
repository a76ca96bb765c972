/* Retention of personal data: once a day per tenant with a limit (privacy_conf.h), customers whose last
 * contact is older than the limit are anonymised like an erasure (privacy.h), scores kept. The last contact
 * is the latest of the customer record's created_at and updated_at: the last time the organisation invited
 * the customer or gave their details (each invitation and complaint updates the record). Each run is kept as
 * a "privacy.retention" record {time, cutoff, retention_ms, anonymised, customers} with its audit entry, and
 * each customer it anonymises gets a "customer.erase" audit entry by the system actor "retention". */
#ifndef VOCD_RETENTION_H
#define VOCD_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "record.h"
#include "server.h"
#include "store.h"

/** Durable timer topic: a tenant's daily retention run is due. */
#define VOCD_RETENTION_DUE "privacy.retention_due"

/** Record type of the runs: id = 16-digit sequence number. */
#define VOCD_RETENTION_TYPE "privacy.retention"

/**
 * \brief Runs retention once for \p tenant: anonymises every customer holding personal data whose last
 * contact is before now - \p retention_ms, in batches of short write jobs, then stores the run's record.
 * \param rearm_ms when > 0, the tenant's daily timer is set again to this time in the run's last job.
 * \param count receives how many customers were anonymised.
 * \return 0, VOCD_EINVAL (\p retention_ms <= 0), store errors (customers anonymised before the error stay so).
 */
int vocd_retention_run(vocd_store *st, const char *tenant, int64_t retention_ms, const struct vocd_actor *who,
                       int64_t rearm_ms, size_t *count);

/** \brief Sets the daily timer of every tenant with a retention limit to fire now (at start and on reload). */
int vocd_retention_arm(struct vocd_server *srv);

/** \brief The timer fired (core_events.c): runs the tenant's retention and sets the timer for a day later;
 * a tenant without a limit any more is left without a timer. */
int vocd_retention_on_due(const struct vocd_event *ev, struct vocd_server *srv);

#endif

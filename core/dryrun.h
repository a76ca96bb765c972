/* Dry run of workflow rules: stored history replayed through rules that are not switched on (or are, with
 * other settings), to see what they would have done and why before an admin relies on them. Nothing is
 * written: the actions are described, not carried out.
 *
 * What is replayed depends on what a rule listens to: evaluation.created the evaluations (first
 * versions), evaluation.corrected the corrections, ticket.opened the tickets, ticket.sla_breached every
 * missed deadline of the tickets, invitation.expired the invitations that expired unanswered. Each is
 * replayed as it is stored now, and the figures of the rollups count every answer of the days in a
 * window, so a rule on "the last 30 days" sees the answers of the event's whole day. */
#ifndef VOCD_DRYRUN_H
#define VOCD_DRYRUN_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "rules.h"
#include "store.h"

struct vocd_dryrun_opts {
	int64_t from_ms, to_ms; /**< records created in [from, to); 0 and INT64_MAX for everything */
	int max_hits;           /**< hits listed per rule (the count is always complete); 0 = 100 */
};

/**
 * \brief Replays the tenant's history through \p rules. \p *out is
 * {tenant, from, to, rules: [{rule, name, on, examined, fired, hits: [{<type>: id, at, why, would}],
 * listed}]} (caller frees).
 * \return 0, VOCD_EINVAL (a rule listens to an event that cannot be replayed: the reason in
 *         \p why), store errors.
 */
int vocd_dryrun(vocd_store *st, const struct vocd_tenant_conf *t, struct vocd_rule *const *rules, size_t n,
                const struct vocd_dryrun_opts *opts, cJSON **out, char *why, size_t why_len);

/**
 * \brief A bound of a dry run's window: "2026-11-01" (the start of that day in the tenant's time; with
 * \p end, the start of the day after, so that "--to 2026-11-30" includes the 30th) or Unix ms.
 * \return 0, or -1 when it is neither.
 */
int vocd_dryrun_time(const struct vocd_tenant_conf *t, const char *s, int end, int64_t *ms);

#endif

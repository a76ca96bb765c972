/* The points ledger (积分台账): what incentive policies grant, to the tenant's people (points) and to
 * customers (points or a coupon). Append-only: an entry is never changed or removed; a correction is a
 * reversing entry, made by a supervisor or an admin with a note, at most one per entry. Every entry is
 * audited with the policy (and its version) or the person that made it, so a change of policy never
 * rewrites the past.
 *
 * The core's own limits, whatever a policy says: nothing for an evaluation that is suspect and not
 * cleared, and a deduction only from a ticket resolved as a confirmed complaint (product.md §5.6). What a
 * policy asks for a suspect answer no auditor has decided yet is held (record type "points.held", by
 * evaluation and by key) and made when the answer is cleared, dropped when it is confirmed.
 *
 * Storage: record type "points", ids from a per-tenant sequence (so id order is time order); indexes
 * by_key ("<policy> 0x1f <key>": one entry per policy and key, as events come at least once),
 * by_holder ("p:<person>" or "c:<customer>", NUL-terminated) and by_reverses (the reversed entry's id). */
#ifndef VOCD_POINTS_H
#define VOCD_POINTS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "record.h"
#include "store.h"

#define VOCD_POINTS_TYPE "points"
#define VOCD_POINTS_HELD_TYPE "points.held" /**< grants asked for a suspect answer not yet decided */
#define VOCD_REWARD_TOPIC "reward.issued" /**< a customer's reward, for the channel plugin that tells them */
#define VOCD_POINTS_MAX 100000            /**< the most one entry may grant or take */

/** What a policy asks to grant. One of person / customer. */
struct vocd_points_grant {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	const char *policy;         /**< "incentives/service_points" */
	const char *policy_version; /**< "1.0.0" */
	const char *person;         /**< a staff member (one of conf->people) */
	const char *customer;       /**< a customer's external id */
	long long points;           /**< not 0 for a person; 0 with a coupon */
	const cJSON *coupon;        /**< customers: {value, currency}; the core adds the code */
	const cJSON *reason;        /**< a string or {"zh-CN": ..., "en": ...} */
	const char *evaluation;     /**< what it came from, may be NULL */
	const char *ticket;         /**< may be NULL */
	const char *award;          /**< "2026-Q3": the period of an award, may be NULL */
	const char *key;            /**< unique within the policy */
	const char *channel;        /**< customers: the channel plugin that tells them */
	struct vocd_actor who;
	/* out */
	char id[24];                /**< the entry made, or the one made earlier with the same key */
	int existed;                /**< the key was used before: nothing new was written */
	const char *refused;        /**< "suspect" or "not confirmed": no entry made, not an error */
	char held_for[64];          /**< with "suspect": the undecided evaluation the grant is held for */
	char message[200];          /**< why the grant is invalid (VOCD_EINVAL, VOCD_ENOTFOUND) */
};

/**
 * \brief Makes the entry in a durable write of its own (with its audit entry, and for a customer the
 * VOCD_REWARD_TOPIC event), unless the policy used the key before (g->existed) or the core refuses it
 * (g->refused).
 * \return 0; VOCD_ENOTFOUND (no such evaluation or ticket: g->message); VOCD_EINVAL (a customer rewarded
 *         for an answer neither theirs nor of a customer they referred: g->message); store errors.
 */
int vocd_points_grant(vocd_store *st, struct vocd_points_grant *g);

/**
 * \brief An auditor decided on suspect evaluation \p evaluation: the grants held for it are made (\p cleared)
 * or dropped, in one durable write; \p released (may be NULL) receives how many entries were made. A held
 * deduction is made only if its ticket is still a confirmed complaint. Safe to repeat.
 */
int vocd_points_release(vocd_store *st, const char *tenant, const struct vocd_tenant_conf *conf,
                        const char *evaluation, int cleared, int *released);

/** A reversal asked for by a supervisor or an admin. */
struct vocd_points_reversal {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	const char *id;       /**< the entry reversed */
	const char *note;     /**< why (required) */
	const char *person;   /**< who asks, when bound to a person; may be NULL */
	struct vocd_actor who;
	/* out */
	cJSON *entry;         /**< the reversing entry (caller frees) */
	char message[200];
};

/**
 * \brief Appends the entry that takes back entry \p r->id, audited as "points.reverse".
 * \return 0; VOCD_ENOTFOUND; VOCD_EEXIST (already reversed, or itself a reversal: r->message); store errors.
 */
int vocd_points_reverse(vocd_store *st, struct vocd_points_reversal *r);

/** \brief Entry \p id (caller frees). \return 0, VOCD_ENOTFOUND. */
int vocd_points_get(vocd_txn *txn, const char *tenant, const char *id, cJSON **out);

/** \brief The sum of the entries of person \p person (customer when \p customer) from local day \p from_day
 * to \p to_day (YYYYMMDD; 0 and 99991231 for all). */
int vocd_points_sum(vocd_txn *txn, const char *tenant, const char *holder, int customer, int32_t from_day,
                    int32_t to_day, long long *out);

/** \brief True if entry \p id has been reversed (its reversal's id in \p by when given). */
int vocd_points_reversed(vocd_txn *txn, const char *tenant, const char *id, char by[24]);

/**
 * \brief The period figures of every person of the tenant (and every agent named by an answer who is not
 * one of them) over local days \p from_day..\p to_day, without suspect answers: a JSON array of
 * {person, name?, team?, answers, csat_answers, csat_good, csat_mean?, nps_answers, promoters, detractors,
 * points}, by person id.
 */
int vocd_points_figures(vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *conf, int32_t from_day,
                        int32_t to_day, cJSON **out);

/** \brief The lower bound of the Wilson score interval of \p good successes out of \p n at \p z; 0 when n = 0. */
double vocd_wilson_lower(double good, double n, double z);

#endif

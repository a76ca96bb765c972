/* Authenticity signals (真实性): computed for each answer inside the write job that stores it, and kept
 * on the evaluation record as "signals": [{"code", "reason"}] with "suspect": true when there is any, so
 * the reasons are as durable and as audited as the answer. Nothing is rejected, changed or hidden here:
 * a suspect answer is stored like any other and goes to the review queue (review.c).
 *
 * Codes (stable identifiers; the reasons are for people):
 *   ip_burst        more answers from one address within burst_minutes than burst_per_ip
 *   device_burst    the same from one address and browser (user agent)
 *   near_duplicate  the text is nearly identical (simhash) to one of the tenant's last 256 texts
 *   too_fast        submitted sooner than the survey's questions can be read
 *   staff_device    answered from a device a staff member signed in from
 *   unlike_history  a score far from the customer's own mean
 *   incentive_spike more top ratings for one agent in the last days of an incentive period than allowed
 *                   (top_ratings) and than twice the agent's own usual rate
 *
 * State kept per tenant to decide them, bounded: the recent answers of each address (windows of
 * burst_minutes, older ones pruned as new answers come), a ring of the last 256 text fingerprints, each
 * customer's count and sum of scores per metric, top ratings per agent in the current period (earlier
 * periods pruned), and the devices staff signed in from. */
#ifndef VOCD_AUTHENTICITY_H
#define VOCD_AUTHENTICITY_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"
#include "survey.h"

#define VOCD_STAFF_DEVICE_TYPE "authenticity.staff_device" /**< SHA-256 hex of ip "\n" user agent -> {person, at} */

/** The answer's source address is a gateway's, not the customer's (a channel's callback relaying an SMS
 * reply): it says nothing about bursts or devices. */
#define VOCD_AUTH_RELAYED 1u

/**
 * \brief Inside the evaluation's write job, before it is stored: decides the signals of \p evaluation
 * (the record about to be stored: id, source, context, scores, text, customer) under \p t's settings,
 * adds "signals" and "suspect" to it, and records what later answers are compared with.
 * \param sv the survey answered (its questions set the reading time); NULL: no reading time check.
 * \param flags VOCD_AUTH_RELAYED or 0.
 * \return 0, or a store error (the job then fails as a whole).
 */
int vocd_authenticity_assess(vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *t,
                             const struct vocd_survey *sv, cJSON *evaluation, int64_t now_ms, unsigned flags);

/**
 * \brief Records that staff member \p person signed in from \p ip with \p user_agent, so that answers
 * later given from that device are flagged "staff_device". Call it inside the sign-in's write job.
 * \param person the person's id as in the tenant's `people` (and as an agent in service contexts).
 * \return 0, VOCD_EINVAL (a NULL or empty \p ip or \p person), or a store error.
 * Caveats: a device is the exact pair of address and user agent; the last person to sign in from it is
 * kept. A NULL \p user_agent counts as empty.
 */
int vocd_authenticity_staff_device(vocd_txn *txn, const char *tenant, const char *ip, const char *user_agent,
                                   const char *person);

/* ---- Decisions, without storage (unit-tested on their own) ------------------------------------------ */

/** \brief The questions of survey \p sv a customer reads: its metrics, dimensions, tags and open question. */
unsigned vocd_authenticity_questions(const struct vocd_survey *sv);

/**
 * \brief True (and a reason in \p reason) when \p seconds (-1: unknown, never too fast) is less than
 * \p questions times \p per_question (0: not checked).
 */
int vocd_authenticity_too_fast(int64_t seconds, unsigned questions, unsigned per_question, char *reason, size_t len);

/**
 * \brief True (and a reason) when \p score of \p metric is at least \p gap of the metric's scale away
 * from the mean of \p n earlier scores summing to \p sum, and \p n >= \p min_answers (0: not checked).
 */
int vocd_authenticity_unlike_history(enum vocd_metric metric, int score, uint32_t n, double sum, unsigned min_answers,
                                     double gap, char *reason, size_t len);

/**
 * \brief Days from local day \p day (YYYYMMDD) to the end of its period, 1 on the last day; the period's
 * first day in \p start and last in \p last.
 */
int vocd_authenticity_period_left(int32_t day, enum vocd_incentive_period period, int32_t *start, int32_t *last);

#endif

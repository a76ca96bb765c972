/* The review queue of suspect evaluations (authenticity.h): each suspect answer is queued when it is
 * stored, and an auditor confirms or clears it with a note. A decision is a record of its own, audited;
 * the evaluation is never changed. A cleared answer counts again in the figures without suspect answers
 * (rollup.h: it is taken out of the suspect counters); a confirmed one stays out of them. */
#ifndef VOCD_REVIEW_H
#define VOCD_REVIEW_H

#include <cjson/cJSON.h>

#include "calendar.h"
#include "record.h"

#define VOCD_REVIEW_FLAG_TYPE "review.flag" /**< evaluation id -> {evaluation, at, codes}: the queue */
#define VOCD_REVIEW_TOPIC "evaluation.reviewed" /**< published with the decision's JSON */
#define VOCD_REVIEW_TYPE "review"           /**< evaluation id -> {evaluation, decision, note, by, role, person?, at} */

/**
 * \brief Inside the evaluation's write job, after it is stored: when \p evaluation is suspect, queues it
 * and counts it into the suspect rollups. Nothing otherwise.
 */
int vocd_review_enqueue(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal, const cJSON *evaluation);

/** \brief True if \p evaluation is counted in the suspect rollups: suspect, and not cleared. */
int vocd_review_counted_suspect(vocd_txn *txn, const char *tenant, const cJSON *evaluation);

/** \brief The decision on evaluation \p id (caller frees), or VOCD_ENOTFOUND when there is none yet. */
int vocd_review_get(vocd_txn *txn, const char *tenant, const char *id, cJSON **out);

struct vocd_review_decision {
	const char *tenant;
	const struct vocd_calendar *cal;
	const char *evaluation;
	const char *decision; /**< "confirm" or "clear" */
	const char *note;     /**< why, for the next auditor; required */
	struct vocd_actor who;
	const char *person;   /**< the person the deciding token acts as; NULL or "" when none */
	/* out */
	cJSON *review;        /**< the stored decision (caller frees) */
	char message[160];    /**< why it was refused */
};

/**
 * \brief Stores the decision on a queued evaluation, audited, and publishes VOCD_REVIEW_TOPIC.
 * \return 0 (d->review set); VOCD_EINVAL (not "confirm" or "clear", or no note); VOCD_ENOTFOUND (no such
 *         evaluation, or it was never flagged: d->message says which); VOCD_EEXIST (already decided);
 *         store errors.
 */
int vocd_review_decide(vocd_store *st, struct vocd_review_decision *d);

#endif

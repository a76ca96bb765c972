/* Evaluations (评价): the customer's answer, checked against the tenant's survey and stored append-only
 * with its consent reference, source signals, audit entry and the "evaluation.created" event in one
 * durable write. There is no way to change or delete one: a correction is a new version (later). */
#ifndef VOCD_EVALUATION_H
#define VOCD_EVALUATION_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "invitation.h"

#define VOCD_EVALUATION_TYPE "evaluation"
#define VOCD_SUPERSEDED_TYPE "evaluation.superseded" /**< previous version id -> {by, at} */
#define VOCD_HIDDEN_TYPE "evaluation.hidden" /**< evaluation id -> {reason, note, by, at, approved_by?} (api_hiding.c) */
#define VOCD_REPLY_TYPE "reply" /**< the organisation's public replies (api_replies.c), index by_evaluation */

/** \brief True if the invitation record \p inv may still be corrected at \p now_ms under \p t's settings. */
int vocd_evaluation_correctable(const struct vocd_tenant_conf *t, const cJSON *inv, int64_t now_ms);

struct vocd_evaluation_new {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	const char *invitation;      /**< the invitation answered; NULL for a server-to-server answer without one */
	const cJSON *answer;         /**< {scores, dimensions, tags, text}: checked against the survey here */
	const char *channel;         /**< "web", "sms", "api", ... (NULL: the invitation's) */
	const char *lang;
	const char *customer;        /**< without an invitation: the customer's external id (may be NULL) */
	const cJSON *context;        /**< without an invitation: the service context */
	const cJSON *consent;        /**< server-to-server: {notice_version, time, channel} given elsewhere */
	int64_t seconds_to_submit;   /**< -1 when unknown */
	int correction;              /**< the customer corrects their answer to \p invitation: a new version */
	struct vocd_actor who;
	/* out */
	char id[24];
	char field[64];              /**< on VOCD_EINVAL / VOCD_EUNPROC: the field at fault */
	char message[256];
};

/**
 * \brief Checks and stores an answer.
 * \return 0 (n->id set); VOCD_EINVAL / VOCD_EUNPROC (n->field, n->message: the answer does not fit the
 *         survey, or consent is missing where personal data is held); VOCD_ENOTFOUND (no such invitation);
 *         VOCD_EEXIST (the invitation was already answered); VOCD_EGONE (it expired); store errors.
 *         A correction (n->correction) needs an answered invitation within the tenant's correction_hours
 *         (else VOCD_EGONE): it is stored as a new version linked to the previous one, which stays as it was
 *         and is marked superseded; VOCD_EINVAL when there is nothing to correct yet.
 */
int vocd_evaluation_create(vocd_store *st, struct vocd_evaluation_new *n);

/** \brief The stored evaluation (caller frees), or VOCD_ENOTFOUND. */
/** \brief True if a correction replaced evaluation \p id (it is not the current version; every figure and
 * list of current answers leaves it out). */
int vocd_evaluation_superseded(vocd_txn *txn, const char *tenant, const char *id);

int vocd_evaluation_get(vocd_store *st, const char *tenant, const char *id, cJSON **out);

#endif

/* Alerts (预警): a workflow rule fired and people were told. The alert keeps the rule, the evidence (the
 * conditions that held, with their values), what it is about, who was told through which channel, and
 * who acknowledged it and when. */
#ifndef VOCD_ALERT_H
#define VOCD_ALERT_H

#include <cjson/cJSON.h>

#include "record.h"
#include "store.h"

#define VOCD_ALERT_TYPE "alert"

struct vocd_alert_new {
	const char *tenant;
	const char *rule, *title;  /**< the rule's label and name */
	const char *topic;         /**< the event that fired it */
	uint64_t event_id;
	const cJSON *facts;        /**< {evaluation | ticket | invitation, customer, context}: what it is about */
	const cJSON *reasons;      /**< the conditions that held, as vocd_rule_eval explains them */
	const char *ticket;        /**< a ticket the same rule opened, may be NULL */
	const struct vocd_actor *who;
	/* out */
	char id[24];
};

/**
 * \brief Inside a write job: stores the alert (audited "alert.raise"). Who was told is added with
 * vocd_alert_told_in once the notifications are requested. \return 0, store errors.
 */
int vocd_alert_raise_in(vocd_txn *txn, struct vocd_alert_new *a);

/** \brief Inside a write job: records who the alert was sent to ([{person, channel, notification}]). */
int vocd_alert_told_in(vocd_txn *txn, const char *tenant, const char *id, const cJSON *told, const struct vocd_actor *who);

/**
 * \brief Acknowledges an alert: who (token and person), when, with an optional note; audited.
 * \return 0, VOCD_ENOTFOUND, VOCD_EEXIST (acknowledged already), store errors.
 */
int vocd_alert_ack(vocd_store *st, const char *tenant, const char *id, const char *note, const char *person,
                   const struct vocd_actor *who);

#endif

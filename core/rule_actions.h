/* What a fired workflow rule does, carried out by the core inside one write job: open, assign, escalate
 * or reclassify a ticket, raise an alert, notify people through a channel, tag what the event is about.
 * Every write goes through the modules that own the records (ticket.c, alert.c, notify.c), audited, with
 * the rule as the actor. A dry run describes the same actions without doing any. */
#ifndef VOCD_RULE_ACTIONS_H
#define VOCD_RULE_ACTIONS_H

#include <cjson/cJSON.h>

#include "config.h"
#include "facts.h"
#include "rules.h"
#include "store.h"

#define VOCD_LABELS_TYPE "labels" /**< id "<type>:<id>" of what was tagged -> {labels: [...]} */

struct vocd_rule_run {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	const struct vocd_rule *rule;
	struct vocd_facts *facts; /**< a ticket changed by an action is updated in it for the actions after */
	const cJSON *why;      /**< the conditions that held */
	uint64_t event_id;
	int dry;               /**< 1: describe only, write nothing (txn may be NULL) */
	cJSON *done;           /**< out: one object per action: {do, ticket?, alert?, told?, ...} or a description */
};

/** \brief Carries out (or describes) the rule's actions in order. \return 0, store errors. */
int vocd_rule_act_in(vocd_txn *txn, struct vocd_rule_run *run);

#endif

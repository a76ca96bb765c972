/* The workflow engine on the bus (core_events.c dispatches to it): for every event of a tenant, the tenant's workflow rules that listen to
 * it are evaluated on the event's facts, and the actions of those that fire are carried out in one write
 * job, with the firing itself (the rules and the conditions that held) in the audit trail. A delivery
 * repeated after a crash finds that record and does nothing twice.
 *
 * Rules do not react to notification events, nor to ticket changes that a rule made, and a ticket a rule
 * opened opens no other (rule_actions.c), so that two rules cannot set each other off for ever. */
#ifndef VOCD_WORKFLOW_H
#define VOCD_WORKFLOW_H

#include "server.h"

#define VOCD_FIRED_TYPE "workflow.fired" /**< id: the event's id (20 digits) -> what fired and what it did */
#define VOCD_ONCE_TYPE "workflow.once"   /**< id: "<rule>|<key value>" -> {at}: a rule's once_per */

struct vocd_event;
struct vocd_facts;
struct vocd_rule;

/** \brief Runs the tenant's rules that listen to the event: called by core_events.c for every event. */
int vocd_workflow_on_event(const struct vocd_event *ev, struct vocd_server *srv);

/**
 * \brief The once_per record id of rule \p r on these facts: "<rule>|<value of its key>", a long value as
 * "#" and its hash. The dry run keys its replay the same way. \return the rule's once_per days, 0 (and ""
 * in \p out) when it has none.
 */
int vocd_workflow_once_id(const struct vocd_rule *r, const struct vocd_facts *f, char out[128]);

#endif

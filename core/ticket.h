/* Tickets (工单): the closed loop of a negative evaluation or a complaint. A ticket has a class (general,
 * important, urgent, repeat), a priority, an assignee, SLA clocks, and moves through
 *
 *   received -> acknowledged -> investigating -> resolved -> revisiting -> closed
 *                    (waiting_customer from and back to any working state: the clocks pause)
 *   reopened from resolved, revisiting or closed, then on as from received
 *
 * Every change is one write job: the ticket record (its history inside it), its audit entry, the bus
 * event ("ticket.opened", "ticket.changed", "ticket.sla_breached") and the SLA timers. */
#ifndef VOCD_TICKET_H
#define VOCD_TICKET_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "record.h"
#include "store.h"

#define VOCD_TICKET_TYPE "ticket"
#define VOCD_TICKET_NOTE_TYPE "ticket.note"

enum vocd_ticket_state {
	VOCD_TICKET_RECEIVED,
	VOCD_TICKET_ACKNOWLEDGED,
	VOCD_TICKET_INVESTIGATING,
	VOCD_TICKET_WAITING_CUSTOMER,
	VOCD_TICKET_RESOLVED,
	VOCD_TICKET_REVISITING,
	VOCD_TICKET_CLOSED,
	VOCD_TICKET_REOPENED,
	VOCD_TICKET_STATE_COUNT
};

const char *vocd_ticket_state_name(int s);
int vocd_ticket_state_parse(const char *s);

/** \brief "low", "normal", "high", "highest" -> 0..3; -1 otherwise. */
int vocd_ticket_priority_parse(const char *s);
const char *vocd_ticket_priority_name(int p);

/** What opens a ticket: a workflow rule or a complaint. */
struct vocd_ticket_open {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	int klass;                 /**< enum vocd_ticket_class; repeat is also found by itself */
	int priority;              /**< -1: by class (urgent: highest, important and repeat: high, general: normal) */
	const char *category;      /**< the complaint's kind ("billing"); NULL: "evaluation" or "complaint" */
	const char *customer;      /**< external id, may be NULL */
	const char *evaluation;    /**< the evaluation that opened it, may be NULL */
	const char *channel;       /**< where the customer spoke: "sms", "phone", "web"... */
	const char *lang;          /**< the customer's language ("zh-CN", "en"), for the revisit; may be NULL */
	const char *summary;       /**< one line, may be NULL */
	const char *text;          /**< the complaint's words, may be NULL */
	const cJSON *context;      /**< the service context (agent, team, store, dealer...), may be NULL */
	const cJSON *assign;       /**< see ticket_assign.h; NULL: the tenant's default */
	const char *rule;          /**< "workflows/vip_low_csat" when a rule opened it */
	int detractor;             /**< the customer was unhappy (for the recovery rate) */
	const struct vocd_actor *who;
	/* out */
	char id[24];
	int merged;                /**< the evaluation had an open ticket already: it was raised instead */
};

/**
 * \brief Inside a write job: opens a ticket (or raises the open ticket of the same evaluation: a more
 * severe class, a higher priority, the rule added), detects a repeat (the same customer and category
 * within tickets.repeat_within_days: class repeat unless urgent, repeat_of), assigns it, starts its
 * acknowledge, plan and resolve clocks, and publishes "ticket.opened" (or "ticket.changed").
 * \return 0, store errors.
 */
int vocd_ticket_open_in(vocd_txn *txn, struct vocd_ticket_open *o);

/** \brief vocd_ticket_open_in in a durable write of its own. */
int vocd_ticket_open(vocd_store *st, struct vocd_ticket_open *o);

/** Who acts on a ticket, and what they may do. */
struct vocd_ticket_actor {
	const struct vocd_actor *who;
	int role;                  /**< enum vocd_role of the token; -1 for the system (rules, revisits, timers) */
	const char *person;        /**< the person bound to the token (agents act on their own tickets only) */
};

enum { VOCD_COMPLAINT_FOUNDED = 1, VOCD_COMPLAINT_UNFOUNDED = 2 };

/** A change asked of a ticket. Exactly one of to / assign / klass / breach is set. */
struct vocd_ticket_change {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	const char *id;
	struct vocd_ticket_actor by;
	const char *to;             /**< a state name */
	const cJSON *assign;        /**< a new assignment (ticket_assign.h) */
	int klass;                  /**< a new class; -1: unchanged */
	int priority;               /**< a new priority; -1: unchanged */
	const char *note;           /**< why; required to close, reopen, reclassify or reassign by hand */
	const char *resolution;     /**< resolved: what was done (required) */
	const char *root_cause;     /**< resolved: why it happened (required for repeat tickets) */
	const cJSON *compensation;  /**< resolved: {kind, amount?, currency?, note?} given to the customer */
	int confirmed;              /**< resolved: VOCD_COMPLAINT_FOUNDED (投诉属实), _UNFOUNDED, or 0: not said;
	                             *   only a confirmed complaint may cost anyone points (points.h) */
	const char *rule;           /**< a rule's change: its name, kept in the history */
	const char *revisit_evaluation; /**< the revisit's answer that brings this change (system only) */
	int revisit_satisfied;      /**< with it: 1 satisfied, 0 not, -1 no score to judge by */
	/* For a revisit when the ticket is resolved (NULL pii: no revisit invitation is made). */
	struct vocd_pii *pii;
	const char *base_url;
	/* out */
	char error[256];            /**< why a change was refused (VOCD_EINVAL, VOCD_EUNPROC, VOCD_EDENIED, VOCD_EEXIST) */
	char invitation[17];        /**< the revisit invitation made, when one was */
};

/**
 * \brief Inside a write job: applies one change, with its history entry, audit entry, event and clocks.
 * \return 0; VOCD_ENOTFOUND (no such ticket); VOCD_EEXIST (a state change not allowed from the current
 *         state: c->error); VOCD_EDENIED (the role may not, or an agent's ticket is someone else's);
 *         VOCD_EUNPROC (a required field is missing: c->error); store errors.
 */
int vocd_ticket_change_in(vocd_txn *txn, struct vocd_ticket_change *c);

/** \brief vocd_ticket_change_in in a durable write of its own. */
int vocd_ticket_change(vocd_store *st, struct vocd_ticket_change *c);

/**
 * \brief Inside a write job: stores \p ticket (updated_at set) with its index entries (by customer, by
 * evaluation, open tickets by assignee) and its audit entry for \p action. With \p text_out, the stored
 * text is handed back (caller frees).
 */
int vocd_ticket_put(vocd_txn *txn, const char *tenant, cJSON *ticket, const char *action, const struct vocd_actor *who,
                    char **text_out);

/** \brief Appends an entry {at, action, by, note?} to the ticket's history and returns it, for the caller
 * to add what it did. */
cJSON *vocd_ticket_history(cJSON *ticket, const char *action, const struct vocd_ticket_actor *by, const char *note);

/**
 * \brief Inside a write job: vocd_ticket_put, then the event \p topic with the ticket as stored and, when
 * \p extra is given, \p key set to it ("change": the history entry; "breach": the missed deadline).
 */
int vocd_ticket_save(vocd_txn *txn, const char *tenant, cJSON *ticket, const char *action, const struct vocd_actor *who,
                     const char *topic, const char *key, const cJSON *extra);

/**
 * \brief Adds a note or a piece of evidence ("note" / "evidence") to a ticket.
 * \return 0 and its id; VOCD_ENOTFOUND; VOCD_EDENIED (why in \p error); store errors.
 */
int vocd_ticket_note(vocd_store *st, const char *tenant, const char *ticket, const char *kind, const char *text,
                     const struct vocd_ticket_actor *by, char id[24], char *error, size_t errlen);

/** \brief The ticket record (caller frees), or VOCD_ENOTFOUND. */
int vocd_ticket_get(vocd_store *st, const char *tenant, const char *id, cJSON **out);

/** \brief True if the state counts as open (not closed). */
int vocd_ticket_state_open(int state);

#endif

/* What a workflow rule may read about an event: the evaluation, ticket or invitation it is about, the
 * customer (never their personal data), the service context, and figures the core computes on demand
 * (an agent's NPS over 30 days from the rollups, a customer's unanswered invitations in a row, their
 * tickets of a category). Built once per event and shared by all of the tenant's rules. */
#ifndef VOCD_FACTS_H
#define VOCD_FACTS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "rollup.h"
#include "store.h"

#define VOCD_FACTS_CACHE 16

struct vocd_facts_stat {
	char of[16];    /**< the dimension: a rollup dimension name, all shorter than this */
	int days;
	int known;      /**< 0: nothing to compute it from */
	const char *subject;
	struct vocd_rollup_counts counts;
};

#define VOCD_FACTS_FOLDED 8

/** A text fact with its ASCII letters lower-cased, made once per event for "contains any". */
struct vocd_facts_folded {
	const cJSON *item;
	char *text;
};

struct vocd_facts {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	const char *topic;
	uint64_t event_id;
	int64_t at;          /**< when the event happened: windows ("the last 30 days") end on its day */
	cJSON *root;         /**< {evaluation | ticket | invitation | event, customer, context} */
	vocd_txn *txn;       /**< a read snapshot for the computed figures; NULL: they are unknown */
	const cJSON *given;  /**< rule tests: figures given instead of computed, by fact name:
	                          {"stats.nps_mean": {"value": 6.4, "answers": 12}, "customer.unanswered_in_row": 3} */
	struct vocd_facts_stat stats[VOCD_FACTS_CACHE];
	int nstats;
	int unanswered;      /**< -1 until computed */
	struct vocd_facts_folded folded[VOCD_FACTS_FOLDED];
	int nfolded;
};

/**
 * \brief Builds the facts of event \p topic with \p data (its JSON) inside read transaction \p txn (kept
 * for the computed figures; the caller ends it after the rules ran). Invitation events are read from the
 * stored invitation; every record's customer becomes {id, tier?} read from the customer record.
 * \return 0, VOCD_ENOMEM, store errors.
 */
int vocd_facts_build(struct vocd_facts *f, vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *conf,
                     const char *topic, uint64_t event_id, const cJSON *data, int64_t at);

void vocd_facts_free(struct vocd_facts *f);

/** \brief Puts \p root (the caller's, now the facts') in place of the facts' tree, and forgets what was
 * computed from the old one. */
void vocd_facts_set_root(struct vocd_facts *f, cJSON *root);

/** \brief The fact at a dotted path already split into \p segs ("evaluation", "scores", "csat"); NULL if none. */
const cJSON *vocd_facts_lookup(const struct vocd_facts *f, char *const *segs, int nsegs);

/** \brief The value at a dotted \p path ("context.dealer") of a tree of facts as text, into \p out: a
 * string, a number (%g) or true/false. 0, or -1 if there is none there. */
int vocd_facts_text(const cJSON *root, const char *path, char *out, size_t outlen);

/**
 * \brief A period's figure for the event's own agent, team, store... (\p of: a rollup dimension; its value
 * is the context's) over the last \p days days including the event's day, or since the start of its month
 * when \p days is 0. Writes the value it was computed for into \p subject (may be "").
 * \return 0 (\p *value over \p *n answers), -1 when it cannot be known (no such context value, no answers,
 *         no snapshot).
 */
int vocd_facts_stat(struct vocd_facts *f, const char *metric, const char *of, int days, double *value, uint32_t *n,
                    const char **subject);

/**
 * \brief The text of \p item (a string fact of \p f) with its ASCII letters lower-cased, made once per
 * event and freed with the facts; NULL when out of memory.
 */
const char *vocd_facts_folded(struct vocd_facts *f, const cJSON *item);

/** \brief How many of the customer's latest invitations in a row expired unanswered. -1 when unknown. */
int vocd_facts_unanswered_in_row(struct vocd_facts *f);

/**
 * \brief The customer's tickets created within \p days before the event (the event's own ticket left out),
 * of category \p category (NULL: any; "same": the event ticket's). -1 when unknown.
 */
int vocd_facts_customer_tickets(struct vocd_facts *f, const char *category, int days);

#endif

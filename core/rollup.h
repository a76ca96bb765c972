/* Rollups: per tenant, per local day and per dimension value (everyone, an agent, a team, a store, a
 * dealer, a region, a product line, a channel, a service type, the customer's tier when answering), the count of answers for each score of
 * each metric. They are kept in the same write job as each evaluation (a correction moves its answer),
 * so a period's figures (an agent's NPS over the last 30 days) are a few reads, never a scan.
 *
 * Storage: record type "rollup", id "<dimension> 0x1f <value> 0x1f <YYYYMMDD>" (a value longer than 96
 * bytes, or with control bytes, is written as "#" and a 64-bit hash of it), value the counters below in
 * host byte order. Each kind of counters (answers, suspect answers, invitations) is also kept by month, in
 * the same write job: type "<type>.month", id "<dimension> 0x1f <value> 0x1f <YYYYMM>", the same value. A
 * sum reads the whole months of its period from those and only the days of a month cut by its ends, so a
 * year is about 12 + 60 records at most, not 365. */
#ifndef VOCD_ROLLUP_H
#define VOCD_ROLLUP_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"

#define VOCD_ROLLUP_TYPE "rollup"
#define VOCD_ROLLUP_SUSPECT_TYPE "rollup.suspect" /**< the same counters, of suspect answers only (authenticity.h) */
#define VOCD_ROLLUP_ALL "all" /**< the dimension of every answer of the tenant; its value is "*" */
#define VOCD_ROLLUP_INVITATIONS_TYPE "rollup.invitations" /**< invitations sent and answered (response rate) */
/* The same counters by month: the sum of the month's day counters. */
#define VOCD_ROLLUP_MONTH_TYPE "rollup.month"
#define VOCD_ROLLUP_SUSPECT_MONTH_TYPE "rollup.suspect.month"
#define VOCD_ROLLUP_INVITATIONS_MONTH_TYPE "rollup.invitations.month"

/** Every record type rollups are kept in (by day and by month), NULL-terminated: what a rebuild removes. */
extern const char *const vocd_rollup_types[];

/** Invitations by the local day they were sent: how many, and how many of them were answered since. */
struct vocd_invitation_counts {
	uint32_t version; /**< 1 */
	uint32_t sent;
	uint32_t answered;
};

struct vocd_rollup_counts {
	uint32_t version;  /**< 1 */
	uint32_t answers;  /**< evaluations counted (current versions) */
	uint32_t csat[6];  /**< [1..5]: answers with that CSAT score; [0] unused */
	uint32_t nps[11];  /**< [0..10] */
	uint32_t ces[8];   /**< [1..7]; [0] unused */
};

/** The dimensions counters are kept for besides "all": agent, team, store, dealer, region, product_line (of
 * the service context), channel, service_type, tier (the customer's when answering); NULL-terminated. */
extern const char *const vocd_rollup_dimensions[];

/** \brief True if \p dim is "all" or one of vocd_rollup_dimensions. */
int vocd_rollup_dimension_valid(const char *dim);

/** \brief The value of dimension \p dim of a stored evaluation, invitation or ticket, or NULL. */
const char *vocd_rollup_value_of(const cJSON *rec, const char *dim);

/**
 * \brief Inside the evaluation's write job: counts \p evaluation (the stored record) into its day, its
 * month and dimensions with \p sign +1, or takes it out again with -1 (the version a correction replaces).
 */
int vocd_rollup_count(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal, const cJSON *evaluation,
                      int sign);

/**
 * \brief The same for the second set of counters, of suspect answers only: counted with +1 when a suspect
 * answer is stored, taken out with -1 when a correction replaces it or an auditor clears it. Figures
 * without suspect answers are the first set minus this one (vocd_rollup_sum_clean).
 */
int vocd_rollup_count_suspect(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                              const cJSON *evaluation, int sign);

/**
 * \brief Adds up the rollups of \p dim = \p value from local day \p from_day to \p to_day (YYYYMMDD, both
 * included) into \p out (zeroed first): whole months from the month counters, the rest from the days.
 */
int vocd_rollup_sum(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                    int32_t to_day, struct vocd_rollup_counts *out);

/** \brief vocd_rollup_sum over the suspect answers only (those not cleared by an auditor). */
int vocd_rollup_sum_suspect(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                            int32_t to_day, struct vocd_rollup_counts *out);

/**
 * \brief Inside the invitation's write job: counts \p invitation (the stored record: created_at, context,
 * channel, service_type) as sent (\p answered 0, when it is made) or as answered (1, at its first answer),
 * into the day it was sent and its dimensions. The response rate of a period is answered / sent of the
 * invitations sent in it.
 */
int vocd_rollup_count_invitation(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                                 const cJSON *invitation, int answered);

/** \brief The invitation counts of \p dim = \p value sent from local day \p from_day to \p to_day (zeroed first). */
int vocd_rollup_sum_invitations(vocd_txn *txn, const char *tenant, const char *dim, const char *value,
                                int32_t from_day, int32_t to_day, struct vocd_invitation_counts *out);

/** \brief Counts \p evaluation into \p c in memory, as vocd_rollup_count counts it into a day's record. */
void vocd_rollup_add_evaluation(struct vocd_rollup_counts *c, const cJSON *evaluation);

/** \brief Takes \p sub's counters out of \p c (never below zero): all answers minus the suspect ones. */
void vocd_rollup_subtract(struct vocd_rollup_counts *c, const struct vocd_rollup_counts *sub);

/** \brief vocd_rollup_sum without the suspect answers: every figure "without them". */
int vocd_rollup_sum_clean(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                          int32_t to_day, struct vocd_rollup_counts *out);

/**
 * \brief Appends to the JSON array \p out the values dimension \p dim has in the rollups (of any day), each
 * once, in byte order, at most \p max; values kept as a hash (over 96 bytes) are left out. One seek per
 * value, whatever the number of days kept.
 */
int vocd_rollup_values(vocd_txn *txn, const char *tenant, const char *dim, int max, cJSON *out);

/** A kind of counters kept like the scores' (rollup_dims.h): its record types by day and by month, its size
 * (a version word, then 32-bit counters that add up word by word) and how one record is changed for one
 * answer. */
struct vocd_rollup_kind {
	const char *type, *month_type;
	size_t size;
	void (*apply)(void *data, int found, void *arg);
};

/** \brief Counts \p rec into local day \p day (and its month) of kind \p k, for everyone and each dimension
 * value it has. */
int vocd_rollup_count_kind(vocd_txn *txn, const char *tenant, const struct vocd_rollup_kind *k, void *arg,
                           const cJSON *rec, int32_t day);

/** \brief Adds up the counters of kind \p k of \p dim = \p value over the days into \p out (zeroed first). */
int vocd_rollup_sum_kind(vocd_txn *txn, const char *tenant, const struct vocd_rollup_kind *k, const char *dim,
                         const char *value, int32_t from_day, int32_t to_day, void *out);

/**
 * \brief Inside a write job: for each tenant that has day counters of a kind but no month counters of it
 * (kept before months were), its month counters summed from the days. Done once, when the store is opened;
 * \p filled is how many (tenant, kind) were filled.
 */
int vocd_rollup_fill_months(vocd_txn *txn, int *filled);

/** \brief True if \p metric is a figure of the scores' counters (stats.h vocd_stats_figure). */
int vocd_rollup_metric_valid(const char *metric);

#endif

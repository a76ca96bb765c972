/* Counters for figures the rollups do not keep: a filter together with a grouping of another dimension
 * (team=care&group_by=channel), or several filters (team=care&channel=sms). Counted from the evaluations
 * and invitations themselves, exactly as the rollups count them (current versions only; suspect answers
 * apart until an auditor clears them; invitations by the day they were sent), into a table per grouping
 * value and local day, from which the figures are then summed as they are from the rollups.
 *
 * It reads every evaluation and invitation up to the end of the period: seconds on a tenant of millions,
 * where the rollups answer in milliseconds. */
#ifndef VOCD_STATS_SCAN_H
#define VOCD_STATS_SCAN_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "calendar.h"
#include "rollup.h"
#include "rollup_dims.h"
#include "store.h"

/** One filter: dimension = value. */
struct vocd_scan_filter {
	const char *dim;
	const char *value;
};

/** What one grouping value counted over some days. */
struct vocd_scan_counts {
	struct vocd_rollup_counts all, suspect;
	struct vocd_invitation_counts inv;
	struct vocd_rollup_dim_counts dims;
};

struct vocd_scan_table;

/**
 * \brief Counts the evaluations (and, when \p invitations, the invitations) of local days \p from..\p to
 * that match every filter, per value of \p group_by (NULL: all of them under "*"); the survey dimensions
 * too when \p dims. \return 0 (\p *out set; free with vocd_scan_free), store errors.
 */
int vocd_stats_scan(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                    const struct vocd_scan_filter *filters, int nfilters, const char *group_by, int32_t from,
                    int32_t to, int invitations, int dims, struct vocd_scan_table **out);

/** \brief Adds up what \p value counted from day \p from to \p to into \p out (zeroed first). */
void vocd_scan_sum(const struct vocd_scan_table *t, const char *value, int32_t from, int32_t to,
                   struct vocd_scan_counts *out);

/** \brief Appends the grouping values counted, each once, in byte order, at most \p max. */
void vocd_scan_values(const struct vocd_scan_table *t, int max, cJSON *out);

void vocd_scan_free(struct vocd_scan_table *t);

#endif

/* The tenant's own survey dimensions (response speed, attitude…) in the rollups: for each day and
 * dimension value, as the scores are kept (rollup.h), the number of answers of each survey dimension,
 * their sum and their sum of squares — enough for a period's mean and its interval without a scan. The
 * counters of all answers and of the suspect ones share a record.
 *
 * Counters are summed slot by slot, so a dimension id keeps its slot for good: the first answer naming it
 * gives it the next free one (record "rollup.dim_slots"), never reused, even when the survey drops it. A
 * tenant has VOCD_ROLLUP_DIM_SLOTS over its life; answers to ids past them are not counted (the figures
 * say so). */
#ifndef VOCD_ROLLUP_DIMS_H
#define VOCD_ROLLUP_DIMS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "calendar.h"
#include "store.h"

#define VOCD_ROLLUP_DIMS_TYPE "rollup.dims"
#define VOCD_ROLLUP_DIMS_MONTH_TYPE "rollup.dims.month"
#define VOCD_ROLLUP_DIM_SLOTS_TYPE "rollup.dim_slots"
#define VOCD_ROLLUP_DIM_SLOTS 16

/** The counters of one survey dimension. */
struct vocd_dim_sums {
	uint32_t n, sum, sumsq;
};

struct vocd_rollup_dim_counts {
	uint32_t version;                                /**< 1 */
	struct vocd_dim_sums all[VOCD_ROLLUP_DIM_SLOTS];     /**< every answer */
	struct vocd_dim_sums suspect[VOCD_ROLLUP_DIM_SLOTS]; /**< the suspect ones, until cleared */
};

/**
 * \brief Inside the evaluation's write job: counts the survey dimensions \p evaluation answered
 * ("dimensions": {"speed": 5}) into its day and dimension values, with \p sign +1 or -1, among all answers
 * (\p suspect 0) or the suspect ones (1). Nothing when it answered none.
 */
int vocd_rollup_dims_count(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                           const cJSON *evaluation, int sign, int suspect);

/** \brief The slot of survey dimension \p id in \p tenant's counters, or -1 when no answer has named it. */
int vocd_rollup_dim_slot(vocd_txn *txn, const char *tenant, const char *id);

/** \brief The dimension counters of \p dim = \p value from local day \p from_day to \p to_day (zeroed first). */
int vocd_rollup_dims_sum(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                         int32_t to_day, struct vocd_rollup_dim_counts *out);

#endif

/* Figures for people to compare: each metric of a set of rollup counts with its sample size, a 95%
 * confidence interval and a warning when the sample is too small, and the change between two periods with
 * whether it is more than chance. Pure arithmetic on rollup.h's counters. */
#ifndef VOCD_STATS_H
#define VOCD_STATS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "rollup.h"

#define VOCD_STATS_Z 1.96 /**< 95% */

/** One figure: value, sample size, interval. */
struct vocd_figure {
	int known;       /**< 0: no answer has this metric's score */
	double value;    /**< csat and nps in %, means in points */
	double lo, hi;   /**< the 95% confidence interval (lo = hi = value for "answers") */
	double var;      /**< the variance of the estimate (for comparisons) */
	uint32_t n;      /**< answers it is over */
};

/** \brief A share of \p good out of \p n, in %, with Wilson's interval (right near 0% and 100%, where the
 * normal one is not): the CSAT share, a response rate, deadlines met. */
void vocd_stats_share(double good, double n, struct vocd_figure *f);

/** \brief The mean of \p n scores adding up to \p sum, their squares to \p sumsq, with its normal interval: a
 * survey dimension's mean (rollup_dims.h). */
void vocd_stats_mean(double n, double sum, double sumsq, struct vocd_figure *f);

/** \brief \p metric ("answers", "csat", "csat_mean", "nps", "nps_mean", "ces_mean") of \p c. \return 0, -1 unknown metric. */
int vocd_stats_figure(const struct vocd_rollup_counts *c, const char *metric, struct vocd_figure *f);

/**
 * \brief The value of \p metric of \p c and the answers it is over, for a rule's condition (facts.c).
 * \return 0, or -1 when the metric is unknown or none of the answers has its score (\p *n is 0 then);
 * "answers" is always known, 0 when there are none.
 */
int vocd_stats_value(const struct vocd_rollup_counts *c, const char *metric, double *value, uint32_t *n);

/**
 * \brief \p f as JSON: {value, n, ci: [lo, hi], warning?} (value and ci rounded to 0.1 for % and 0.01 for
 * means); {value: null, n: 0} when unknown. The warning says the sample is under \p min_sample.
 */
cJSON *vocd_stats_figure_json(const char *metric, const struct vocd_figure *f, uint32_t min_sample);

/**
 * \brief The change from \p before to \p now as JSON: {delta, significant} (a two-sided test at 95% on
 * the difference; significant is false whenever either sample is under \p min_sample). NULL when either is
 * unknown.
 */
cJSON *vocd_stats_change_json(const char *metric, const struct vocd_figure *now, const struct vocd_figure *before,
                              uint32_t min_sample);

#endif

/* Figures with their uncertainty, from rollup counters. */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "points.h"

void vocd_stats_mean(double n, double sum, double sumsq, struct vocd_figure *f)
{
	memset(f, 0, sizeof *f);
	f->n = (uint32_t)n;
	if (n <= 0)
		return;
	f->known = 1;
	f->value = sum / n;
	double sample_var = n > 1 ? (sumsq - sum * sum / n) / (n - 1) : 0;
	f->var = (sample_var > 0 ? sample_var : 0) / n;
	f->lo = f->value - VOCD_STATS_Z * sqrt(f->var);
	f->hi = f->value + VOCD_STATS_Z * sqrt(f->var);
}

/* The mean of scores lo..hi counted in \p counts[lo..hi]. */
static void mean_of(const uint32_t *counts, int lo, int hi, struct vocd_figure *f)
{
	double n = 0, sum = 0, sq = 0;
	for (int s = lo; s <= hi; s++) {
		n += counts[s];
		sum += (double)s * counts[s];
		sq += (double)s * s * counts[s];
	}
	vocd_stats_mean(n, sum, sq, f);
}

void vocd_stats_share(double good, double n, struct vocd_figure *f)
{
	memset(f, 0, sizeof *f);
	f->n = (uint32_t)n;
	if (n <= 0)
		return;
	double p = good / n;
	f->known = 1;
	f->value = 100 * good / n; /* not 100 * p: the same double as the rules have always compared */
	f->var = 100 * 100 * p * (1 - p) / n;
	f->lo = 100 * vocd_wilson_lower(good, n, VOCD_STATS_Z);
	f->hi = 100 * (1 - vocd_wilson_lower(n - good, n, VOCD_STATS_Z));
}

int vocd_stats_figure(const struct vocd_rollup_counts *c, const char *metric, struct vocd_figure *f)
{
	memset(f, 0, sizeof *f);
	if (strcmp(metric, "answers") == 0) {
		f->known = 1;
		f->n = c->answers;
		f->value = f->lo = f->hi = c->answers;
		return 0;
	}
	if (strcmp(metric, "csat_mean") == 0) {
		mean_of(c->csat, 1, 5, f);
		return 0;
	}
	if (strcmp(metric, "nps_mean") == 0) {
		mean_of(c->nps, 0, 10, f);
		return 0;
	}
	if (strcmp(metric, "ces_mean") == 0) {
		mean_of(c->ces, 1, 7, f);
		return 0;
	}
	if (strcmp(metric, "csat") == 0) { /* the share of 4 and 5 */
		double n = 0;
		for (int s = 1; s <= 5; s++)
			n += c->csat[s];
		vocd_stats_share((double)c->csat[4] + c->csat[5], n, f);
		return 0;
	}
	if (strcmp(metric, "nps") == 0) {
		/* Each answer is +1 (9-10), 0 (7-8) or -1 (0-6); NPS is 100 times their mean. */
		double n = 0, promoters = (double)c->nps[9] + c->nps[10], detractors = 0;
		for (int s = 0; s <= 10; s++) {
			n += c->nps[s];
			if (s <= 6)
				detractors += c->nps[s];
		}
		f->n = (uint32_t)n;
		if (n <= 0)
			return 0;
		double pp = promoters / n, pd = detractors / n, d = pp - pd;
		f->known = 1;
		f->value = 100 * (promoters - detractors) / n; /* exact where 100 * d is not (7 in 100 is 7, not 7.000…1) */
		f->var = 100 * 100 * ((pp + pd) - d * d) / n;
		f->lo = f->value - VOCD_STATS_Z * sqrt(f->var);
		f->hi = f->value + VOCD_STATS_Z * sqrt(f->var);
		if (f->lo < -100)
			f->lo = -100;
		if (f->hi > 100)
			f->hi = 100;
		return 0;
	}
	return -1;
}

int vocd_stats_value(const struct vocd_rollup_counts *c, const char *metric, double *value, uint32_t *n)
{
	struct vocd_figure f;
	int rc = vocd_rollup_metric_valid(metric) ? vocd_stats_figure(c, metric, &f) : -1;
	*value = rc == 0 ? f.value : 0;
	*n = rc == 0 ? f.n : 0;
	return rc == 0 && f.known ? 0 : -1;
}

static int is_share(const char *metric)
{
	return strcmp(metric, "csat") == 0 || strcmp(metric, "nps") == 0 || strcmp(metric, "response_rate") == 0;
}

static double rounded(double v, int share)
{
	double unit = share ? 10 : 100;
	return round(v * unit) / unit;
}

cJSON *vocd_stats_figure_json(const char *metric, const struct vocd_figure *f, uint32_t min_sample)
{
	cJSON *o = cJSON_CreateObject();
	int share = is_share(metric);
	if (!f->known) {
		cJSON_AddNullToObject(o, "value");
		cJSON_AddNumberToObject(o, "n", 0);
		return o;
	}
	cJSON_AddNumberToObject(o, "value", strcmp(metric, "answers") == 0 ? f->value : rounded(f->value, share));
	cJSON_AddNumberToObject(o, "n", f->n);
	if (strcmp(metric, "answers") == 0)
		return o;
	cJSON *ci = cJSON_AddArrayToObject(o, "ci");
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(rounded(f->lo, share)));
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(rounded(f->hi, share)));
	if (f->n < min_sample) {
		char w[120];
		snprintf(w, sizeof w, "only %u answers (fewer than %u): too few to compare", f->n, min_sample);
		cJSON_AddStringToObject(o, "warning", w);
	}
	return o;
}

cJSON *vocd_stats_change_json(const char *metric, const struct vocd_figure *now, const struct vocd_figure *before,
                              uint32_t min_sample)
{
	if (!now->known || !before->known)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	double delta = now->value - before->value;
	int share = is_share(metric);
	cJSON_AddNumberToObject(o, "delta", strcmp(metric, "answers") == 0 ? delta : rounded(delta, share));
	if (strcmp(metric, "answers") == 0)
		return o;
	double se = sqrt(now->var + before->var);
	int significant = now->n >= min_sample && before->n >= min_sample &&
	                  (se > 0 ? fabs(delta) / se > VOCD_STATS_Z : delta != 0);
	cJSON_AddBoolToObject(o, "significant", significant);
	return o;
}

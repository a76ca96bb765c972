/* Per day and dimension counters of answers, kept with each evaluation. */
#include "rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "rollup_dims.h"

#define MAX_VALUE 96
#define MAX_WORDS 256 /* the largest kind of counters, in 32-bit words (a record is at most 1 KiB) */

const char *const vocd_rollup_dimensions[] = {"agent",   "team",         "store", "dealer", "region",
                                              "product_line", "channel", "service_type", "tier", NULL};
static const char *const metrics[] = {"answers", "csat", "csat_mean", "nps", "nps_mean", "ces_mean", NULL};

int vocd_rollup_dimension_valid(const char *dim)
{
	if (!dim)
		return 0;
	if (strcmp(dim, VOCD_ROLLUP_ALL) == 0)
		return 1;
	for (const char *const *d = vocd_rollup_dimensions; *d; d++)
		if (strcmp(*d, dim) == 0)
			return 1;
	return 0;
}

const char *vocd_rollup_value_of(const cJSON *rec, const char *dim)
{
	if (strcmp(dim, "channel") == 0 || strcmp(dim, "service_type") == 0)
		return vocd_json_str(rec, dim);
	if (strcmp(dim, "tier") == 0)
		return vocd_json_str(rec, "customer_tier");
	const char *v = vocd_json_str(cJSON_GetObjectItemCaseSensitive(rec, "context"), dim);
	/* Else the unit above the context's in the organisation tree, as it was recorded (organisation.h). */
	return v ? v : vocd_json_str(cJSON_GetObjectItemCaseSensitive(rec, "org"), dim);
}

int vocd_rollup_metric_valid(const char *metric)
{
	for (const char *const *m = metrics; metric && *m; m++)
		if (strcmp(*m, metric) == 0)
			return 1;
	return 0;
}

/*
 * "<dim> US <value> US" (US = the byte 0x1f): it sorts before every byte a value is written with, so the
 * days of "d" come before any key of "d:2026" or "d5" and a scan of one value never meets another. Long
 * values, and values holding control bytes, are written as "#" and a 64-bit hash.
 */
static size_t prefix(const char *dim, const char *value, char out[128])
{
	size_t dl = strlen(dim), vl = strlen(value);
	int plain = vl <= MAX_VALUE && dl < 16;
	for (const unsigned char *p = (const unsigned char *)value; plain && *p; p++)
		plain = *p >= 0x20;
	if (!plain) {
		uint64_t h = 14695981039346656037ull;
		for (const unsigned char *p = (const unsigned char *)value; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		return (size_t)snprintf(out, 128, "%.16s\x1f#%016llx\x1f", dim, (unsigned long long)h);
	}
	memcpy(out, dim, dl);
	out[dl] = 0x1f;
	memcpy(out + dl + 1, value, vl);
	out[dl + 1 + vl] = 0x1f;
	out[dl + 2 + vl] = '\0';
	return dl + 2 + vl;
}

/* YYYYMMDD after the prefix, without printf: every evaluation writes several. */
static void put_day(char *at, int32_t day)
{
	for (int i = 7; i >= 0; i--, day /= 10)
		at[i] = (char)('0' + day % 10);
	at[8] = '\0';
}

/* The scores of one evaluation, read once for all of its dimensions; 0 where there is none. */
struct change {
	int csat, nps, ces; /* nps is stored + 1, so that 0 means "none" */
	int sign;
};

/* Counters never go below zero, even for a record counted before rollups existed. */
static void add(uint32_t *field, int sign)
{
	*field = sign > 0 ? *field + 1 : *field > 0 ? *field - 1 : 0;
}

static void apply(void *data, int found, void *arg)
{
	const struct change *ch = arg;
	struct vocd_rollup_counts c;
	memcpy(&c, data, sizeof c); /* stored values are not aligned for use in place */
	c.version = 1;
	add(&c.answers, ch->sign);
	if (ch->csat)
		add(&c.csat[ch->csat], ch->sign);
	if (ch->nps)
		add(&c.nps[ch->nps - 1], ch->sign);
	if (ch->ces)
		add(&c.ces[ch->ces], ch->sign);
	memcpy(data, &c, sizeof c);
	(void)found;
}

/* A kind of counters: its record type, size and how one record is changed. */
struct counter {
	const char *type;
	size_t size;
	void (*apply)(void *data, int found, void *arg);
};

static void apply_invitation(void *data, int found, void *arg)
{
	const int *answered = arg;
	struct vocd_invitation_counts c;
	memcpy(&c, data, sizeof c);
	c.version = 1;
	add(*answered ? &c.answered : &c.sent, +1);
	memcpy(data, &c, sizeof c);
	(void)found;
}

/* Counts \p rec into its local day \p day, for everyone and for each dimension value it has. */
static int count_record(vocd_txn *txn, const char *tenant, const struct counter *k, void *arg, const cJSON *rec,
                        int32_t day)
{
	char id[140];
	put_day(id + prefix(VOCD_ROLLUP_ALL, "*", id), day);
	int rc = vocd_rec_modify(txn, tenant, k->type, id, k->size, k->apply, arg);
	for (const char *const *d = vocd_rollup_dimensions; rc == 0 && *d; d++) {
		const char *v = vocd_rollup_value_of(rec, *d);
		if (v && *v) {
			put_day(id + prefix(*d, v, id), day);
			rc = vocd_rec_modify(txn, tenant, k->type, id, k->size, k->apply, arg);
		}
	}
	return rc;
}

static int32_t day_of_record(const struct vocd_calendar *cal, const cJSON *rec)
{
	return vocd_calendar_day_of(cal, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created_at")));
}

int vocd_rollup_count_invitation(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                                 const cJSON *invitation, int answered)
{
	static const struct counter k = {VOCD_ROLLUP_INVITATIONS_TYPE, sizeof(struct vocd_invitation_counts),
	                                 apply_invitation};
	return count_record(txn, tenant, &k, &answered, invitation, day_of_record(cal, invitation));
}

static int score(const cJSON *scores, const char *metric, int lo, int hi, int offset)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(scores, metric);
	return cJSON_IsNumber(v) && v->valueint >= lo && v->valueint <= hi ? v->valueint + offset : 0;
}

static struct change change_of(const cJSON *evaluation, int sign)
{
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(evaluation, "scores");
	return (struct change){score(scores, "csat", 1, 5, 0), score(scores, "nps", 0, 10, 1), score(scores, "ces", 1, 7, 0),
	                       sign};
}

void vocd_rollup_add_evaluation(struct vocd_rollup_counts *c, const cJSON *evaluation)
{
	struct change ch = change_of(evaluation, +1);
	apply(c, 1, &ch);
}

static int count_into(vocd_txn *txn, const char *tenant, const char *type, const struct vocd_calendar *cal,
                      const cJSON *evaluation, int sign)
{
	struct change ch = change_of(evaluation, sign);
	const struct counter k = {type, sizeof(struct vocd_rollup_counts), apply};
	return count_record(txn, tenant, &k, &ch, evaluation, day_of_record(cal, evaluation));
}

int vocd_rollup_count(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal, const cJSON *evaluation,
                      int sign)
{
	int rc = count_into(txn, tenant, VOCD_ROLLUP_TYPE, cal, evaluation, sign);
	return rc != 0 ? rc : vocd_rollup_dims_count(txn, tenant, cal, evaluation, sign, 0);
}

int vocd_rollup_count_suspect(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                              const cJSON *evaluation, int sign)
{
	int rc = count_into(txn, tenant, VOCD_ROLLUP_SUSPECT_TYPE, cal, evaluation, sign);
	return rc != 0 ? rc : vocd_rollup_dims_count(txn, tenant, cal, evaluation, sign, 1);
}

struct sum_ctx {
	char prefix[128];
	size_t plen;
	int32_t to_day;
	uint32_t *out;   /* the counters, version first */
	size_t words;    /* how many */
};

static int add_day(const char *id, const void *data, size_t len, void *arg)
{
	struct sum_ctx *s = arg;
	if (strncmp(id, s->prefix, s->plen) != 0)
		return 1; /* past this dimension value */
	if (atoi(id + s->plen) > s->to_day)
		return 1;
	/* Stored values are not aligned for reading in place. */
	uint32_t in[MAX_WORDS];
	if (len != s->words * sizeof(uint32_t) || len > sizeof in)
		return 0;
	memcpy(in, data, len);
	for (size_t i = 1; i < s->words; i++)
		s->out[i] += in[i];
	return 0;
}

/* Adds up the counters (\p words of them, version first) of dim = value from \p from_day to \p to_day. */
static int sum_days(vocd_txn *txn, const char *tenant, const char *type, const char *dim, const char *value,
                    int32_t from_day, int32_t to_day, uint32_t *out, size_t words)
{
	memset(out, 0, words * sizeof *out);
	out[0] = 1;
	struct sum_ctx s;
	s.plen = prefix(dim, value, s.prefix);
	s.to_day = to_day;
	s.out = out;
	s.words = words;
	char from[140];
	memcpy(from, s.prefix, s.plen);
	put_day(from + s.plen, from_day);
	int rc = vocd_rec_scan(txn, tenant, type, from, add_day, &s);
	return rc < 0 ? rc : 0;
}

static int sum_of(vocd_txn *txn, const char *tenant, const char *type, const char *dim, const char *value,
                  int32_t from_day, int32_t to_day, struct vocd_rollup_counts *out)
{
	return sum_days(txn, tenant, type, dim, value, from_day, to_day, (uint32_t *)out, sizeof *out / sizeof(uint32_t));
}

int vocd_rollup_count_kind(vocd_txn *txn, const char *tenant, const struct vocd_rollup_kind *k, void *arg,
                           const cJSON *rec, int32_t day)
{
	const struct counter c = {k->type, k->size, k->apply};
	return count_record(txn, tenant, &c, arg, rec, day);
}

int vocd_rollup_sum_kind(vocd_txn *txn, const char *tenant, const struct vocd_rollup_kind *k, const char *dim,
                         const char *value, int32_t from_day, int32_t to_day, void *out)
{
	return sum_days(txn, tenant, k->type, dim, value, from_day, to_day, out, k->size / sizeof(uint32_t));
}

int vocd_rollup_sum_invitations(vocd_txn *txn, const char *tenant, const char *dim, const char *value,
                                int32_t from_day, int32_t to_day, struct vocd_invitation_counts *out)
{
	return sum_days(txn, tenant, VOCD_ROLLUP_INVITATIONS_TYPE, dim, value, from_day, to_day, (uint32_t *)out,
	                sizeof *out / sizeof(uint32_t));
}

int vocd_rollup_sum(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                    int32_t to_day, struct vocd_rollup_counts *out)
{
	return sum_of(txn, tenant, VOCD_ROLLUP_TYPE, dim, value, from_day, to_day, out);
}

int vocd_rollup_sum_suspect(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                            int32_t to_day, struct vocd_rollup_counts *out)
{
	return sum_of(txn, tenant, VOCD_ROLLUP_SUSPECT_TYPE, dim, value, from_day, to_day, out);
}

int vocd_rollup_sum_clean(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                          int32_t to_day, struct vocd_rollup_counts *out)
{
	struct vocd_rollup_counts suspect;
	int rc = vocd_rollup_sum(txn, tenant, dim, value, from_day, to_day, out);
	if (rc == 0)
		rc = vocd_rollup_sum_suspect(txn, tenant, dim, value, from_day, to_day, &suspect);
	if (rc == 0)
		vocd_rollup_subtract(out, &suspect);
	return rc;
}

void vocd_rollup_subtract(struct vocd_rollup_counts *c, const struct vocd_rollup_counts *sub)
{
	uint32_t *all = (uint32_t *)c;
	const uint32_t *less = (const uint32_t *)sub;
	for (size_t i = 1; i < sizeof *c / sizeof(uint32_t); i++)
		all[i] = all[i] > less[i] ? all[i] - less[i] : 0;
}

int vocd_rollup_metric(const struct vocd_rollup_counts *c, const char *metric, double *value, uint32_t *n)
{
	double sum = 0, count = 0, top = 0, bottom = 0;
	*value = 0;
	*n = 0;
	if (!vocd_rollup_metric_valid(metric))
		return -1;
	if (strcmp(metric, "answers") == 0) {
		*value = c->answers;
		*n = c->answers;
		return 0;
	}
	if (strncmp(metric, "csat", 4) == 0) {
		for (int i = 1; i <= 5; i++)
			sum += (double)i * c->csat[i], count += c->csat[i];
		top = (double)c->csat[4] + c->csat[5];
		if (count > 0)
			*value = strcmp(metric, "csat") == 0 ? 100.0 * top / count : sum / count;
	} else if (strncmp(metric, "nps", 3) == 0) {
		for (int i = 0; i <= 10; i++)
			sum += (double)i * c->nps[i], count += c->nps[i];
		top = (double)c->nps[9] + c->nps[10];
		for (int i = 0; i <= 6; i++)
			bottom += c->nps[i];
		if (count > 0)
			*value = strcmp(metric, "nps") == 0 ? 100.0 * (top - bottom) / count : sum / count;
	} else {
		for (int i = 1; i <= 7; i++)
			sum += (double)i * c->ces[i], count += c->ces[i];
		if (count > 0)
			*value = sum / count;
	}
	*n = (uint32_t)count;
	return count > 0 ? 0 : -1;
}

/* ---- The values of a dimension ------------------------------------------------------------------- */

/* Rollup ids are sorted by value, then day ("agent 0x1f a-17 0x1f 20261101"): one seek finds a value, the
 * next one seeks past all of its days. */
struct next_value {
	const char *prefix;
	size_t plen;
	char value[MAX_VALUE + 32];
	int found;
};

static int first_value(const char *id, const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	struct next_value *n = arg;
	const char *value = id + n->plen, *end = strncmp(id, n->prefix, n->plen) == 0 ? strchr(value, 0x1f) : NULL;
	if (end) {
		snprintf(n->value, sizeof n->value, "%.*s", (int)(end - value), value);
		n->found = 1;
	}
	return 1;
}

int vocd_rollup_values(vocd_txn *txn, const char *tenant, const char *dim, int max, cJSON *out)
{
	char prefix[40], from[200];
	size_t plen = (size_t)snprintf(prefix, sizeof prefix, "%.16s\x1f", dim);
	snprintf(from, sizeof from, "%s", prefix);
	for (int n = 0; n < max;) {
		struct next_value nv = {prefix, plen, "", 0};
		int rc = vocd_rec_scan(txn, tenant, VOCD_ROLLUP_TYPE, from, first_value, &nv);
		if (rc < 0)
			return rc;
		if (!nv.found)
			return 0;
		if (nv.value[0] != '#') { /* a hashed value cannot be named */
			cJSON_AddItemToArray(out, cJSON_CreateString(nv.value));
			n++;
		}
		snprintf(from, sizeof from, "%s%s\x1f\xff", prefix, nv.value);
	}
	return 0;
}

/* Per day and dimension counters of answers, kept with each evaluation. */
#include "rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "rollup_dims.h"

#define MAX_VALUE 96

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

/* YYYYMMDD (\p digits 8) or YYYYMM (6) after the prefix, without printf: every evaluation writes several. */
static void put_digits(char *at, int32_t n, int digits)
{
	for (int i = digits - 1; i >= 0; i--, n /= 10)
		at[i] = (char)('0' + n % 10);
	at[digits] = '\0';
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

/*
 * A kind of counters: kept by local day and, with the same change in the same write job, by month, so that
 * a year is read as 12 records and not 365. Its records begin with a version word.
 */
struct counter {
	const char *type;       /* the day counters, ids "<prefix><YYYYMMDD>" */
	const char *month_type; /* the month counters, ids "<prefix><YYYYMM>": another type, so that a scan of
	                           one value's days never meets its months, whose ids sort among them */
	size_t size;            /* bytes of one record: 32-bit counters after the version, added word by word */
	void (*apply)(void *data, int found, void *arg);
};

#define MAX_SIZE 128
_Static_assert(sizeof(struct vocd_rollup_counts) <= MAX_SIZE && sizeof(struct vocd_invitation_counts) <= MAX_SIZE,
               "a kind kept before months fits the buffers of fill_months");

static const struct counter answers = {VOCD_ROLLUP_TYPE, VOCD_ROLLUP_MONTH_TYPE, sizeof(struct vocd_rollup_counts),
                                       apply};
static const struct counter suspect = {VOCD_ROLLUP_SUSPECT_TYPE, VOCD_ROLLUP_SUSPECT_MONTH_TYPE,
                                       sizeof(struct vocd_rollup_counts), apply};
static const struct counter invitations = {VOCD_ROLLUP_INVITATIONS_TYPE, VOCD_ROLLUP_INVITATIONS_MONTH_TYPE,
                                           sizeof(struct vocd_invitation_counts), apply_invitation};
/* The kinds kept by day before there were months (fill_months); the survey dimensions' came with months. */
static const struct counter *const kinds[] = {&answers, &suspect, &invitations, NULL};

const char *const vocd_rollup_types[] = {VOCD_ROLLUP_TYPE,
                                         VOCD_ROLLUP_MONTH_TYPE,
                                         VOCD_ROLLUP_SUSPECT_TYPE,
                                         VOCD_ROLLUP_SUSPECT_MONTH_TYPE,
                                         VOCD_ROLLUP_INVITATIONS_TYPE,
                                         VOCD_ROLLUP_INVITATIONS_MONTH_TYPE,
                                         VOCD_ROLLUP_DIMS_TYPE,
                                         VOCD_ROLLUP_DIMS_MONTH_TYPE,
                                         NULL};

static void add_words(void *into, const void *rec, size_t size)
{
	uint32_t *sum = into, in;
	for (size_t i = 1; i < size / sizeof in; i++) {
		memcpy(&in, (const char *)rec + i * sizeof in, sizeof in);
		sum[i] += in;
	}
}

static void merge(const struct counter *k, void *into, const void *rec)
{
	add_words(into, rec, k->size);
}

/* One dimension value's counters of \p day and of its month. */
static int count_value(vocd_txn *txn, const char *tenant, const struct counter *k, void *arg, const char *dim,
                       const char *value, int32_t day)
{
	char id[140];
	size_t plen = prefix(dim, value, id);
	put_digits(id + plen, day, 8);
	int rc = vocd_rec_modify(txn, tenant, k->type, id, k->size, k->apply, arg);
	if (rc == 0) {
		put_digits(id + plen, day / 100, 6);
		rc = vocd_rec_modify(txn, tenant, k->month_type, id, k->size, k->apply, arg);
	}
	return rc;
}

/* Counts \p rec into its local day \p day and its month, for everyone and for each dimension value it has. */
static int count_record(vocd_txn *txn, const char *tenant, const struct counter *k, void *arg, const cJSON *rec,
                        int32_t day)
{
	int rc = count_value(txn, tenant, k, arg, VOCD_ROLLUP_ALL, "*", day);
	for (const char *const *d = vocd_rollup_dimensions; rc == 0 && *d; d++) {
		const char *v = vocd_rollup_value_of(rec, *d);
		if (v && *v)
			rc = count_value(txn, tenant, k, arg, *d, v, day);
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
	return count_record(txn, tenant, &invitations, &answered, invitation, day_of_record(cal, invitation));
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

static int count_into(vocd_txn *txn, const char *tenant, const struct counter *k, const struct vocd_calendar *cal,
                      const cJSON *evaluation, int sign)
{
	struct change ch = change_of(evaluation, sign);
	return count_record(txn, tenant, k, &ch, evaluation, day_of_record(cal, evaluation));
}

int vocd_rollup_count(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal, const cJSON *evaluation,
                      int sign)
{
	int rc = count_into(txn, tenant, &answers, cal, evaluation, sign);
	return rc != 0 ? rc : vocd_rollup_dims_count(txn, tenant, cal, evaluation, sign, 0);
}

int vocd_rollup_count_suspect(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                              const cJSON *evaluation, int sign)
{
	int rc = count_into(txn, tenant, &suspect, cal, evaluation, sign);
	return rc != 0 ? rc : vocd_rollup_dims_count(txn, tenant, cal, evaluation, sign, 1);
}

/* ---- Sums ---------------------------------------------------------------------------------------- */

struct sum_ctx {
	const struct counter *k;
	char prefix[128];
	size_t plen;
	int32_t to;  /* the last day (or month) of the scan, as its ids write it */
	void *out;
};

static int add_record(const char *id, const void *data, size_t len, void *arg)
{
	struct sum_ctx *s = arg;
	if (strncmp(id, s->prefix, s->plen) != 0 || atoi(id + s->plen) > s->to)
		return 1; /* past this dimension value, or past the range */
	if (len == s->k->size)
		merge(s->k, s->out, data);
	return 0;
}

/* Adds the records of \p type from \p from to \p to (days, or months with \p digits 6) into the sum. */
static int scan_range(vocd_txn *txn, const char *tenant, const char *type, struct sum_ctx *s, int32_t from, int32_t to,
                      int digits)
{
	char id[140];
	memcpy(id, s->prefix, s->plen);
	put_digits(id + s->plen, from, digits);
	s->to = to;
	int rc = vocd_rec_scan(txn, tenant, type, id, add_record, s);
	return rc < 0 ? rc : 0;
}

static int32_t next_month(int32_t m)
{
	return m % 100 == 12 ? (m / 100 + 1) * 100 + 1 : m + 1;
}

static int32_t previous_month(int32_t m)
{
	return m % 100 == 1 ? (m / 100 - 1) * 100 + 12 : m - 1;
}

/* True if \p day (a date) is the last of its month. */
static int ends_month(int32_t day)
{
	return vocd_calendar_date(vocd_calendar_day_number(day) + 1) % 100 == 1;
}

/*
 * Sums kind \p k of dim = value from \p from_day to \p to_day into \p out (zeroed first, version 1): the
 * whole months between them from the month counters, the days of a month cut by either end from the day
 * counters. The same sum as of every day, in at most three scans of about 12 + 2 × 30 records for a year.
 */
static int sum_days(vocd_txn *txn, const char *tenant, const struct counter *k, const char *dim, const char *value,
                    int32_t from_day, int32_t to_day, void *out)
{
	memset(out, 0, k->size);
	*(uint32_t *)out = 1;
	struct sum_ctx s = {.k = k, .out = out};
	s.plen = prefix(dim, value, s.prefix);
	if (from_day > to_day)
		return 0;
	if (vocd_calendar_day_number(from_day) < 0 || vocd_calendar_day_number(to_day) < 0)
		return scan_range(txn, tenant, k->type, &s, from_day, to_day, 8); /* not dates: as the ids sort */
	int32_t first = from_day % 100 == 1 ? from_day / 100 : next_month(from_day / 100);
	int32_t last = ends_month(to_day) ? to_day / 100 : previous_month(to_day / 100);
	if (first > last) /* no whole month */
		return scan_range(txn, tenant, k->type, &s, from_day, to_day, 8);
	int rc = scan_range(txn, tenant, k->month_type, &s, first, last, 6);
	if (rc == 0 && from_day / 100 < first) /* the days of from_day's month, from it (no day is past 31) */
		rc = scan_range(txn, tenant, k->type, &s, from_day, from_day / 100 * 100 + 31, 8);
	if (rc == 0 && to_day / 100 > last) /* the days of to_day's month, up to it */
		rc = scan_range(txn, tenant, k->type, &s, to_day / 100 * 100 + 1, to_day, 8);
	return rc;
}

/* Another module's kind (rollup_dims.h), counted and summed as these are: word by word. */
static struct counter counter_of(const struct vocd_rollup_kind *k)
{
	return (struct counter){k->type, k->month_type, k->size, k->apply};
}

int vocd_rollup_count_kind(vocd_txn *txn, const char *tenant, const struct vocd_rollup_kind *k, void *arg,
                           const cJSON *rec, int32_t day)
{
	const struct counter c = counter_of(k);
	return count_record(txn, tenant, &c, arg, rec, day);
}

int vocd_rollup_sum_kind(vocd_txn *txn, const char *tenant, const struct vocd_rollup_kind *k, const char *dim,
                         const char *value, int32_t from_day, int32_t to_day, void *out)
{
	const struct counter c = counter_of(k);
	return sum_days(txn, tenant, &c, dim, value, from_day, to_day, out);
}

int vocd_rollup_sum_invitations(vocd_txn *txn, const char *tenant, const char *dim, const char *value,
                                int32_t from_day, int32_t to_day, struct vocd_invitation_counts *out)
{
	return sum_days(txn, tenant, &invitations, dim, value, from_day, to_day, out);
}

int vocd_rollup_sum(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                    int32_t to_day, struct vocd_rollup_counts *out)
{
	return sum_days(txn, tenant, &answers, dim, value, from_day, to_day, out);
}

int vocd_rollup_sum_suspect(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                            int32_t to_day, struct vocd_rollup_counts *out)
{
	return sum_days(txn, tenant, &suspect, dim, value, from_day, to_day, out);
}

int vocd_rollup_sum_clean(vocd_txn *txn, const char *tenant, const char *dim, const char *value, int32_t from_day,
                          int32_t to_day, struct vocd_rollup_counts *out)
{
	struct vocd_rollup_counts suspect_counts;
	int rc = vocd_rollup_sum(txn, tenant, dim, value, from_day, to_day, out);
	if (rc == 0)
		rc = vocd_rollup_sum_suspect(txn, tenant, dim, value, from_day, to_day, &suspect_counts);
	if (rc == 0)
		vocd_rollup_subtract(out, &suspect_counts);
	return rc;
}

void vocd_rollup_subtract(struct vocd_rollup_counts *c, const struct vocd_rollup_counts *sub)
{
	uint32_t *all = (uint32_t *)c;
	const uint32_t *less = (const uint32_t *)sub;
	for (size_t i = 1; i < sizeof *c / sizeof(uint32_t); i++)
		all[i] = all[i] > less[i] ? all[i] - less[i] : 0;
}

/* ---- Month counters of days kept before there were any ------------------------------------------------ */

#define BATCH 512

struct pending {
	char id[140];
	unsigned char data[MAX_SIZE];
};

/* Day counters read a batch at a time and added into their months after the scan: a cursor must not walk
 * the records its own transaction is writing. */
struct fill {
	const struct counter *k;
	struct pending *batch;
	int n;
	char after[140]; /* the last day id of the previous batch, skipped */
};

static int take_day(const char *id, const void *data, size_t len, void *arg)
{
	struct fill *f = arg;
	size_t idl = strlen(id);
	if (f->after[0] && strcmp(id, f->after) == 0)
		return 0;
	if (f->n == BATCH)
		return 1;
	if (len != f->k->size || idl < 8 || idl >= sizeof f->batch->id)
		return 0; /* not a day counter this kind wrote */
	memcpy(f->batch[f->n].id, id, idl + 1);
	memcpy(f->batch[f->n].data, data, len);
	f->n++;
	return 0;
}

struct month_of {
	const struct counter *k;
	const void *day;
};

static void add_day(void *data, int found, void *arg)
{
	const struct month_of *m = arg;
	uint32_t sum[MAX_SIZE / sizeof(uint32_t)]; /* aligned for the merge */
	memcpy(sum, data, m->k->size);             /* zeros when there is none yet */
	if (!found)
		memcpy(sum, m->day, sizeof *sum); /* the day's version */
	merge(m->k, sum, m->day);
	memcpy(data, sum, m->k->size);
}

/* Kind \p k's month counters of \p tenant, summed from its day counters. */
static int fill_tenant(vocd_txn *txn, const char *tenant, const struct counter *k)
{
	struct fill f = {k, malloc(BATCH * sizeof(struct pending)), 0, ""};
	if (!f.batch)
		return VOCD_ENOMEM;
	int rc;
	do {
		f.n = 0;
		rc = vocd_rec_scan(txn, tenant, k->type, f.after[0] ? f.after : NULL, take_day, &f);
		for (int i = 0; rc >= 0 && i < f.n; i++) {
			char month[140];
			size_t idl = strlen(f.batch[i].id);
			memcpy(month, f.batch[i].id, idl - 2); /* YYYYMMDD -> YYYYMM */
			month[idl - 2] = '\0';
			struct month_of m = {k, f.batch[i].data};
			rc = vocd_rec_modify(txn, tenant, k->month_type, month, k->size, add_day, &m);
		}
		if (f.n > 0)
			memcpy(f.after, f.batch[f.n - 1].id, strlen(f.batch[f.n - 1].id) + 1);
	} while (rc >= 0 && f.n == BATCH);
	free(f.batch);
	return rc < 0 ? rc : 0;
}

static int collect_tenant(const char *id, const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	cJSON_AddItemToArray(arg, cJSON_CreateString(id));
	return 0;
}

static int any_record(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	(void)data;
	(void)len;
	*(int *)arg = 1;
	return 1;
}

int vocd_rollup_fill_months(vocd_txn *txn, int *filled)
{
	int rc = 0;
	*filled = 0;
	for (const struct counter *const *k = kinds; rc == 0 && *k; k++) {
		cJSON *tenants = cJSON_CreateArray(), *t;
		if (!tenants)
			return VOCD_ENOMEM;
		rc = vocd_tenant_scan(txn, (*k)->type, collect_tenant, tenants);
		cJSON_ArrayForEach(t, tenants) {
			int months = 0;
			if (rc >= 0)
				rc = vocd_rec_scan(txn, t->valuestring, (*k)->month_type, NULL, any_record, &months);
			if (rc >= 0 && !months) {
				rc = fill_tenant(txn, t->valuestring, *k);
				(*filled)++;
			}
		}
		cJSON_Delete(tenants);
		rc = rc < 0 ? rc : 0;
	}
	return rc;
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

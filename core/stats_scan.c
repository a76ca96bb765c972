/* Figures' counters counted from the records, for combinations the rollups do not keep. */
#include "stats_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "evaluation.h"
#include "invitation.h"
#include "record.h"
#include "review.h"

#define MAX_VALUE 129

/* The counters of one grouping value on one day. */
struct entry {
	char value[MAX_VALUE];
	int32_t day;
	struct vocd_scan_counts c;
};

struct vocd_scan_table {
	struct entry *e;
	size_t n, cap;
	uint32_t *slot;   /* open addressing: index + 1 of the entry, 0 = free */
	size_t nslots;    /* a power of two, at least twice n */
};

/* Filled by the scan. */
struct pass {
	vocd_txn *txn;
	const char *tenant;
	const struct vocd_calendar *cal;
	const struct vocd_scan_filter *filters;
	int nfilters;
	const char *group_by;
	int32_t from, to;
	int dims;
	struct vocd_scan_table *t;
};

static uint64_t hash_of(const char *value, int32_t day)
{
	uint64_t h = 14695981039346656037ull ^ (uint32_t)day;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h ^ (h >> 29);
}

static int grow_slots(struct vocd_scan_table *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *s = calloc(n, sizeof *s);
	if (!s)
		return VOCD_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = hash_of(t->e[i].value, t->e[i].day) & (n - 1);
		while (s[k])
			k = (k + 1) & (n - 1);
		s[k] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = s;
	t->nslots = n;
	return 0;
}

/* The counters of \p value on \p day, made when there are none yet; NULL when memory runs out. */
static struct vocd_scan_counts *counts_of(struct vocd_scan_table *t, const char *value, int32_t day)
{
	if ((t->n + 1) * 2 > t->nslots && grow_slots(t) != 0)
		return NULL;
	size_t k = hash_of(value, day) & (t->nslots - 1);
	for (; t->slot[k]; k = (k + 1) & (t->nslots - 1)) {
		struct entry *e = &t->e[t->slot[k] - 1];
		if (e->day == day && strcmp(e->value, value) == 0)
			return &e->c;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct entry *grown = realloc(t->e, cap * sizeof *grown);
		if (!grown)
			return NULL;
		t->e = grown;
		t->cap = cap;
	}
	struct entry *e = &t->e[t->n];
	memset(e, 0, sizeof *e);
	snprintf(e->value, sizeof e->value, "%s", value);
	e->day = day;
	e->c.all.version = e->c.suspect.version = e->c.inv.version = e->c.dims.version = 1;
	t->slot[k] = (uint32_t)++t->n;
	return &e->c;
}

/* The grouping value of \p rec if it passes every filter and falls in the period; NULL otherwise. */
static const char *placed(const struct pass *p, const cJSON *rec, int32_t *day)
{
	*day = vocd_calendar_day_of(p->cal, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created_at")));
	if (*day < p->from || *day > p->to)
		return NULL;
	for (int i = 0; i < p->nfilters; i++) {
		const char *v = vocd_rollup_value_of(rec, p->filters[i].dim);
		if (!v || strcmp(v, p->filters[i].value) != 0)
			return NULL;
	}
	if (!p->group_by)
		return "*";
	const char *v = vocd_rollup_value_of(rec, p->group_by);
	return v && *v && strlen(v) < MAX_VALUE ? v : NULL; /* a longer one is not grouped, as in the rollups */
}

/* The survey dimensions \p ev answered, into \p d's counters of all answers or of the suspect ones. */
static void count_dims(const struct pass *p, const cJSON *ev, int suspect, struct vocd_rollup_dim_counts *d)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(ev, "dimensions")) {
		int slot = cJSON_IsNumber(a) && a->valueint >= 1 && a->valueint <= 10
		               ? vocd_rollup_dim_slot(p->txn, p->tenant, a->string) : -1;
		if (slot < 0)
			continue;
		struct vocd_dim_sums *s = suspect ? &d->suspect[slot] : &d->all[slot];
		s->n++;
		s->sum += (uint32_t)a->valueint;
		s->sumsq += (uint32_t)(a->valueint * a->valueint);
	}
}

static int visit_evaluation(const char *id, const void *data, size_t len, void *arg)
{
	struct pass *p = arg;
	cJSON *ev = cJSON_ParseWithLength(data, len);
	if (!ev)
		return VOCD_ENOMEM;
	int32_t day;
	const char *value = placed(p, ev, &day);
	int rc = 0;
	if (value && !vocd_evaluation_superseded(p->txn, p->tenant, id)) {
		struct vocd_scan_counts *c = counts_of(p->t, value, day);
		int suspect = vocd_review_counted_suspect(p->txn, p->tenant, ev);
		if (!c) {
			rc = VOCD_ENOMEM;
		} else {
			vocd_rollup_add_evaluation(&c->all, ev);
			if (suspect)
				vocd_rollup_add_evaluation(&c->suspect, ev);
			if (p->dims) {
				count_dims(p, ev, 0, &c->dims);
				if (suspect)
					count_dims(p, ev, 1, &c->dims);
			}
		}
	}
	cJSON_Delete(ev);
	return rc;
}

static int visit_invitation(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	struct pass *p = arg;
	cJSON *inv = cJSON_ParseWithLength(data, len);
	if (!inv)
		return VOCD_ENOMEM;
	int32_t day;
	const char *value = placed(p, inv, &day);
	int rc = 0;
	if (value) {
		struct vocd_scan_counts *c = counts_of(p->t, value, day);
		if (!c) {
			rc = VOCD_ENOMEM;
		} else {
			c->inv.sent++;
			c->inv.answered += cJSON_GetObjectItemCaseSensitive(inv, "answered_at") != NULL;
		}
	}
	cJSON_Delete(inv);
	return rc;
}

static int by_value_and_day(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->value, y->value);
	return c ? c : (x->day > y->day) - (x->day < y->day);
}

int vocd_stats_scan(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal,
                    const struct vocd_scan_filter *filters, int nfilters, const char *group_by, int32_t from,
                    int32_t to, int invitations, int dims, struct vocd_scan_table **out)
{
	struct vocd_scan_table *t = calloc(1, sizeof *t);
	if (!t)
		return VOCD_ENOMEM;
	struct pass p = {txn, tenant, cal, filters, nfilters, group_by, from, to, dims, t};
	int rc = vocd_rec_scan(txn, tenant, VOCD_EVALUATION_TYPE, NULL, visit_evaluation, &p);
	if (rc >= 0 && invitations)
		rc = vocd_rec_scan(txn, tenant, VOCD_INVITATION_TYPE, NULL, visit_invitation, &p);
	if (rc < 0) {
		vocd_scan_free(t);
		return rc;
	}
	/* Sorted, for the sums: a value's days are then together and in order. */
	if (t->n)
		qsort(t->e, t->n, sizeof *t->e, by_value_and_day);
	free(t->slot);
	t->slot = NULL;
	*out = t;
	return 0;
}

static void add_words(void *into, const void *from, size_t size)
{
	uint32_t *o = into;
	const uint32_t *f = from;
	for (size_t i = 1; i < size / sizeof(uint32_t); i++) /* [0] is the version */
		o[i] += f[i];
}

void vocd_scan_sum(const struct vocd_scan_table *t, const char *value, int32_t from, int32_t to,
                   struct vocd_scan_counts *out)
{
	memset(out, 0, sizeof *out);
	out->all.version = out->suspect.version = out->inv.version = out->dims.version = 1;
	/* The first entry of value at or after day from. */
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->e[mid].value, value);
		if (c < 0 || (c == 0 && t->e[mid].day < from))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < t->n && t->e[i].day <= to && strcmp(t->e[i].value, value) == 0; i++) {
		const struct vocd_scan_counts *c = &t->e[i].c;
		add_words(&out->all, &c->all, sizeof c->all);
		add_words(&out->suspect, &c->suspect, sizeof c->suspect);
		add_words(&out->inv, &c->inv, sizeof c->inv);
		add_words(&out->dims, &c->dims, sizeof c->dims);
	}
}

void vocd_scan_values(const struct vocd_scan_table *t, int max, cJSON *out)
{
	int n = 0;
	for (size_t i = 0; i < t->n && n < max; i++)
		if (i == 0 || strcmp(t->e[i].value, t->e[i - 1].value) != 0) {
			cJSON_AddItemToArray(out, cJSON_CreateString(t->e[i].value));
			n++;
		}
}

void vocd_scan_free(struct vocd_scan_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->slot);
	free(t);
}

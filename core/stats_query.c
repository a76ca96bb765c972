/* The figures query (stats_query.h; docs/http-api.md, "Figures"): CSAT, NPS, CES and each survey
 * dimension's mean over a period, in buckets of a day, week or month, for the tenant, for filters, or for
 * each value of a dimension; with and without suspect answers; compared with the period before; every
 * figure with its sample size and interval. Read from the rollups (a 12-month trend is a few hundred
 * records whatever the number of answers), except for filters together or a filter with a grouping of
 * another dimension, counted from the records (stats_scan.h). Tickets (classes, states, deadlines met,
 * unhappy customers won back) are counted from the tickets themselves.
 *
 * Each reader sees their scope: an agent their own figures, a supervisor those of their unit and of the
 * people and units within it. */
#include "stats_query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"
#include "ids.h"
#include "people.h"
#include "rollup.h"
#include "rollup_dims.h"
#include "scope.h"
#include "stats.h"
#include "stats_scan.h"
#include "ticket.h"
#include "ticket_conf.h"

#define MAX_BUCKETS 800
#define MAX_SPAN_DAYS 731
#define MAX_GROUPS 2000
#define MAX_METRICS (8 + VOCD_ROLLUP_DIM_SLOTS)

static const char *const default_metrics[] = {"answers", "csat", "csat_mean", "nps", "nps_mean", "ces_mean",
                                              "response_rate", NULL};

struct query {
	struct vocd_stats_scope s; /* period, filters, suspect choice */
	char interval[8];          /* none, day, week, month */
	const char *metrics[MAX_METRICS];
	int slot[MAX_METRICS];     /* a survey dimension's counter slot (rollup_dims.h); -1: a score's metric, or never answered */
	int nmetrics, tickets;
	int dims;                  /* a survey dimension's mean asked for: its counters are read too */
	char dim_metric[VOCD_ROLLUP_DIM_SLOTS][40]; /* "<id>_mean" of the tenant's dimensions, for the default list */
	int invitations;           /* response_rate asked for: the invitation counters are read too */
	const char *group_by;      /* a dimension, or NULL */
	struct vocd_scan_table *scan; /* counted from the records: a combination the rollups do not keep */
	int compare;
	uint32_t min_sample;
	const struct vocd_tenant_conf *conf;
	const struct vocd_token_info *who;
	const struct vocd_stats_params *params;
	struct vocd_stats_error *err;
};

/* The query refused: \return -1. */
static int fail(struct query *q, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct query *q, int status, const char *code, const char *fmt, ...)
{
	q->err->status = status;
	snprintf(q->err->code, sizeof q->err->code, "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->err->message, sizeof q->err->message, fmt, ap);
	va_end(ap);
	return -1;
}

static cJSON *store_failed(struct query *q, int rc)
{
	q->err->status = 0;
	q->err->store_rc = rc;
	return NULL;
}

/* Parameter \p name ("" when absent); a value too long is refused, not cut short. */
static int get(struct query *q, const char *name, char *out, size_t outlen)
{
	if (q->params->get(q->params->ctx, name, out, outlen) == 0)
		return 0;
	out[0] = '\0';
	return fail(q, 400, "invalid_parameter", "%s: at most %zu bytes", name, outlen - 1);
}

/* A whole parameter "2026-11-01" as 20261101. */
static int parse_day(const char *s, int32_t *day)
{
	const char *end;
	*day = vocd_calendar_parse_day(s, &end);
	return *day < 0 || *end ? -1 : 0;
}

static int32_t add_days(int32_t day, int64_t n)
{
	return vocd_calendar_date(vocd_calendar_day_number(day) + n);
}

/* A dimension a figure may be grouped or filtered by ("all" is the figure itself). */
static int known_dimension(const char *d)
{
	return strcmp(d, VOCD_ROLLUP_ALL) != 0 && vocd_rollup_dimension_valid(d);
}

/* Reads and checks the query; answers the error itself (-1). */
static int parse_query(struct query *q)
{
	char text[160];
	int32_t today = vocd_calendar_day_of(&q->conf->calendar.cal, vocd_now_ms());
	q->s.to = today;
	if (get(q, "to", text, sizeof text) != 0)
		return -1;
	if (text[0] && parse_day(text, &q->s.to) != 0)
		goto bad_day;
	q->s.from = add_days(q->s.to, -29);
	if (get(q, "from", text, sizeof text) != 0)
		return -1;
	if (text[0] && parse_day(text, &q->s.from) != 0)
		goto bad_day;
	int64_t span = vocd_calendar_day_number(q->s.to) - vocd_calendar_day_number(q->s.from);
	if (span < 0 || span >= MAX_SPAN_DAYS) {
		fail(q, 400, "invalid_parameter", "from, to: from must not be after to, and at most %d days apart",
		                MAX_SPAN_DAYS);
		return -1;
	}
	if (get(q, "interval", q->interval, sizeof q->interval) != 0)
		return -1;
	if (!q->interval[0])
		snprintf(q->interval, sizeof q->interval, "none");
	if (strcmp(q->interval, "none") && strcmp(q->interval, "day") && strcmp(q->interval, "week") &&
	    strcmp(q->interval, "month")) {
		fail(q, 400, "invalid_parameter", "interval: expected none, day, week or month");
		return -1;
	}
	if (get(q, "suspect", q->s.suspect, sizeof q->s.suspect) != 0)
		return -1;
	if (!q->s.suspect[0])
		snprintf(q->s.suspect, sizeof q->s.suspect, "exclude");
	if (strcmp(q->s.suspect, "exclude") && strcmp(q->s.suspect, "include") && strcmp(q->s.suspect, "only")) {
		fail(q, 400, "invalid_parameter", "suspect: expected exclude (the default), include or only");
		return -1;
	}
	if (get(q, "compare", text, sizeof text) != 0)
		return -1;
	if (text[0] && strcmp(text, "previous") != 0) {
		fail(q, 400, "invalid_parameter", "compare: expected previous (the period just before)");
		return -1;
	}
	q->compare = text[0] != '\0';
	q->min_sample = 30;
	if (get(q, "min_sample", text, sizeof text) != 0)
		return -1;
	if (text[0]) {
		char *end;
		long m = strtol(text, &end, 10);
		if (*end || m < 1 || m > 100000) {
			fail(q, 400, "invalid_parameter", "min_sample: expected 1 to 100000");
			return -1;
		}
		q->min_sample = (uint32_t)m;
	}
	return 0;
bad_day:
	fail(q, 400, "invalid_parameter", "from, to: expected a date such as 2026-11-01, got \"%s\"", text);
	return -1;
}

/* The survey dimension of metric "<id>_mean", when the tenant's surveys ask it; else NULL. */
static const struct vocd_survey_item *dimension_item(const struct query *q, const char *metric)
{
	size_t len = strlen(metric);
	if (len <= 5 || strcmp(metric + len - 5, "_mean") != 0 || vocd_rollup_metric_valid(metric))
		return NULL;
	const struct vocd_surveys *sv = &q->conf->surveys;
	for (size_t i = 0; i < sv->n; i++)
		for (size_t d = 0; d < sv->list[i].ndimensions; d++) {
			const struct vocd_survey_item *it = &sv->list[i].dimensions[d];
			if (strlen(it->id) == len - 5 && strncmp(it->id, metric, len - 5) == 0)
				return it;
		}
	return NULL;
}

static const char *dimension_of(const struct query *q, const char *metric)
{
	const struct vocd_survey_item *it = dimension_item(q, metric);
	return it ? it->id : NULL;
}

/* The default metrics: the scores', the response rate, and each survey dimension's mean (each once). */
static void default_list(struct query *q)
{
	for (const char *const *m = default_metrics; *m; m++)
		q->metrics[q->nmetrics++] = *m;
	const struct vocd_surveys *sv = &q->conf->surveys;
	int ndims = 0;
	for (size_t i = 0; i < sv->n; i++)
		for (size_t d = 0; d < sv->list[i].ndimensions && ndims < VOCD_ROLLUP_DIM_SLOTS; d++) {
			char *name = q->dim_metric[ndims];
			snprintf(name, sizeof q->dim_metric[0], "%s_mean", sv->list[i].dimensions[d].id);
			int dup = 0;
			for (int k = 0; k < q->nmetrics; k++)
				dup |= strcmp(q->metrics[k], name) == 0;
			if (!dup) {
				q->metrics[q->nmetrics++] = name;
				ndims++;
			}
		}
}

/* metrics=csat,nps,speed_mean,tickets: each known, none twice. */
static int parse_metrics(struct query *q, char *list, size_t len)
{
	if (get(q, "metrics", list, len) != 0)
		return -1;
	if (!list[0]) {
		default_list(q);
	} else {
		for (char *save = NULL, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			if (strcmp(m, "tickets") == 0) {
				q->tickets = 1;
				continue;
			}
			int dup = 0;
			for (int i = 0; i < q->nmetrics; i++)
				dup |= strcmp(q->metrics[i], m) == 0;
			if ((!vocd_rollup_metric_valid(m) && strcmp(m, "response_rate") != 0 && !dimension_of(q, m)) || dup ||
			    q->nmetrics == MAX_METRICS)
				return fail(q, 400, "invalid_parameter", "metrics: \"%s\": expected a list of answers, csat, "
				            "csat_mean, nps, nps_mean, ces_mean, response_rate, tickets and <dimension>_mean for "
				            "each dimension of the tenant's surveys (speed_mean), each once", m);
			q->metrics[q->nmetrics++] = m;
		}
	}
	for (int i = 0; i < q->nmetrics; i++) {
		q->invitations |= strcmp(q->metrics[i], "response_rate") == 0;
		q->dims |= dimension_of(q, q->metrics[i]) != NULL;
		q->slot[i] = -1;
	}
	return 0;
}

/* Dimensions of the organisation: a scoped reader may ask for the part within their scope. Channel, service
 * type and tier cut across it. */
static int organisational(const char *dim)
{
	return strcmp(dim, "channel") != 0 && strcmp(dim, "service_type") != 0 && strcmp(dim, "tier") != 0;
}

static int add_filter(struct query *q, const char *dim, const char *value)
{
	if (q->s.nfilters == VOCD_STATS_MAX_FILTERS)
		return fail(q, 400, "invalid_parameter", "at most %d filters", VOCD_STATS_MAX_FILTERS);
	q->s.filter_dim[q->s.nfilters] = dim;
	snprintf(q->s.filter_value[q->s.nfilters], sizeof q->s.filter_value[0], "%s", value);
	q->s.nfilters++;
	return 0;
}

/* The index of the filter on \p dim, or -1. */
static int filter_on(const struct query *q, const char *dim)
{
	for (int i = 0; i < q->s.nfilters; i++)
		if (strcmp(q->s.filter_dim[i], dim) == 0)
			return i;
	return -1;
}

/* A scoped supervisor asking nothing within their scope gets their unit ("team:care") as a filter. */
static int add_unit(struct query *q)
{
	const struct vocd_person *p = vocd_people_find(&q->conf->people, q->who->person);
	const char *scope = p ? p->scope : NULL, *colon = scope ? strchr(scope, ':') : NULL;
	if (!colon)
		return fail(q, 403, "forbidden", "these figures cover the whole organisation: ask an admin");
	for (const char *const *d = vocd_rollup_dimensions; *d; d++)
		if (strlen(*d) == (size_t)(colon - scope) && strncmp(*d, scope, (size_t)(colon - scope)) == 0)
			return add_filter(q, *d, colon + 1);
	return fail(q, 403, "forbidden", "figures for a %.*s are not kept yet: ask with a filter within it (team=…, "
	            "store=…)", (int)(colon - scope), scope);
}

/* group_by and the filters (one per dimension), within the reader's scope. */
static int parse_grouping(struct query *q, char group[32])
{
	if (get(q, "group_by", group, 32) != 0)
		return -1;
	if (group[0] && !known_dimension(group))
		return fail(q, 400, "invalid_parameter", "group_by: expected one of agent, team, store, dealer, region, "
		            "product_line, channel, service_type, tier");
	q->group_by = group[0] ? group : NULL;
	char value[129];
	for (const char *const *d = vocd_rollup_dimensions; *d; d++) {
		if (get(q, *d, value, sizeof value) != 0)
			return -1;
		if (value[0] && add_filter(q, *d, value) != 0)
			return -1;
	}
	if (vocd_scope_whole_tenant(q->conf, q->who))
		return 0;
	/* An agent: their own figures, cut by anything else they like. */
	if (q->who->role == VOCD_ROLE_AGENT) {
		int mine = filter_on(q, "agent");
		if (q->group_by || (mine >= 0 && strcmp(q->s.filter_value[mine], q->who->person) != 0))
			return fail(q, 403, "forbidden", "an agent sees their own figures only (agent=%s)", q->who->person);
		return mine >= 0 ? 0 : add_filter(q, "agent", q->who->person);
	}
	/* A supervisor with a scope: each part of the organisation they name is within it; with none named
	 * (nor grouped by), their unit. */
	int named = 0;
	for (int i = 0; i < q->s.nfilters; i++) {
		if (!organisational(q->s.filter_dim[i]))
			continue;
		if (!vocd_scope_sees_value(q->conf, q->who, q->s.filter_dim[i], q->s.filter_value[i]))
			return fail(q, 403, "forbidden", "%s=%s is outside what you see", q->s.filter_dim[i], q->s.filter_value[i]);
		named = 1;
	}
	if (!named && !(q->group_by && organisational(q->group_by)))
		return add_unit(q);
	return 0;
}

/* True if the rollups hold the figures asked: none or one filter, grouped by nothing else. */
static int kept_in_rollups(const struct query *q)
{
	return q->s.nfilters == 0 || (q->s.nfilters == 1 && (!q->group_by || strcmp(q->group_by, q->s.filter_dim[0]) == 0));
}

int vocd_stats_scope_meets(const struct vocd_stats_scope *s, const cJSON *rec)
{
	for (int i = 0; i < s->nfilters; i++) {
		const char *v = vocd_rollup_value_of(rec, s->filter_dim[i]);
		if (!v || strcmp(v, s->filter_value[i]) != 0)
			return 0;
	}
	return 1;
}

void vocd_stats_scope_filter_json(const struct vocd_stats_scope *s, cJSON *body)
{
	if (!s->nfilters)
		return;
	cJSON *filter = cJSON_AddObjectToObject(body, "filter");
	for (int i = 0; i < s->nfilters; i++)
		cJSON_AddStringToObject(filter, s->filter_dim[i], s->filter_value[i]);
}

/* What a figure is made of: the answers' counters, and the invitations sent in the period. */
struct source {
	struct vocd_rollup_counts c;
	struct vocd_invitation_counts inv;
	struct vocd_rollup_dim_counts d; /* read only when a dimension's mean is asked for */
};

/* The answers' counters: with, without or only the suspect ones. */
static int answers(vocd_txn *txn, const char *tenant, const struct query *q, const char *dim, const char *value,
                   int32_t from, int32_t to, struct vocd_rollup_counts *c, uint32_t *suspect)
{
	struct vocd_rollup_counts s;
	int rc = vocd_rollup_sum_suspect(txn, tenant, dim, value, from, to, &s);
	if (rc != 0)
		return rc;
	*suspect = s.answers;
	if (strcmp(q->s.suspect, "only") == 0) {
		*c = s;
		return 0;
	}
	if ((rc = vocd_rollup_sum(txn, tenant, dim, value, from, to, c)) != 0 || strcmp(q->s.suspect, "include") == 0)
		return rc;
	vocd_rollup_subtract(c, &s); /* without them: the suspect counters read once, above */
	return 0;
}

/* The answers' counters summed from the scan's table, with, without or only the suspect ones. */
static void from_scan(const struct query *q, const char *value, int32_t from, int32_t to, struct source *src,
                      uint32_t *suspect)
{
	struct vocd_scan_counts sc;
	vocd_scan_sum(q->scan, value, from, to, &sc);
	*suspect = sc.suspect.answers;
	src->c = strcmp(q->s.suspect, "only") == 0 ? sc.suspect : sc.all;
	if (strcmp(q->s.suspect, "exclude") == 0)
		vocd_rollup_subtract(&src->c, &sc.suspect);
	src->inv = sc.inv;
	src->d = sc.dims;
}

/* The counters of \p dim = \p value over the days: the answers', the invitations' and the dimensions'. */
static int counts(vocd_txn *txn, const char *tenant, const struct query *q, const char *dim, const char *value,
                  int32_t from, int32_t to, struct source *src, uint32_t *suspect)
{
	if (q->scan) {
		from_scan(q, value, from, to, src, suspect);
		return 0;
	}
	int rc = answers(txn, tenant, q, dim, value, from, to, &src->c, suspect);
	memset(&src->inv, 0, sizeof src->inv);
	memset(&src->d, 0, sizeof src->d);
	if (rc == 0 && q->invitations)
		rc = vocd_rollup_sum_invitations(txn, tenant, dim, value, from, to, &src->inv);
	if (rc == 0 && q->dims)
		rc = vocd_rollup_dims_sum(txn, tenant, dim, value, from, to, &src->d);
	return rc;
}

/* A survey dimension's mean, with, without or only the suspect answers. */
static void dimension_figure(const struct query *q, const struct source *src, int slot, struct vocd_figure *f)
{
	const struct vocd_dim_sums *all = &src->d.all[slot], *sus = &src->d.suspect[slot];
	double n = all->n, sum = all->sum, sq = all->sumsq;
	if (strcmp(q->s.suspect, "only") == 0)
		n = sus->n, sum = sus->sum, sq = sus->sumsq;
	else if (strcmp(q->s.suspect, "exclude") == 0)
		n -= sus->n, sum -= sus->sum, sq -= sus->sumsq;
	vocd_stats_mean(n, sum, sq, f);
}

/* Metric \p i of the query. */
static void figure_of(const struct query *q, const struct source *src, int i, struct vocd_figure *f)
{
	const char *metric = q->metrics[i];
	if (q->slot[i] >= 0)
		dimension_figure(q, src, q->slot[i], f);
	else if (dimension_of(q, metric)) /* asked in no answer yet */
		vocd_stats_mean(0, 0, 0, f);
	else if (strcmp(metric, "response_rate") == 0) /* of the invitations sent in the period, answered since */
		vocd_stats_share(src->inv.answered, src->inv.sent, f);
	else
		vocd_stats_figure(&src->c, metric, f);
}

static cJSON *figures_json(const struct query *q, const struct source *src)
{
	cJSON *o = cJSON_CreateObject();
	for (int i = 0; i < q->nmetrics; i++) {
		struct vocd_figure f;
		figure_of(q, src, i, &f);
		cJSON_AddItemToObject(o, q->metrics[i], vocd_stats_figure_json(q->metrics[i], &f, q->min_sample));
	}
	return o;
}

/* The end of the bucket that starts on \p day: the day itself, its week's Sunday or its month's last day,
 * never past \p to. */
static int32_t bucket_end(const char *interval, int32_t day, int32_t to)
{
	int32_t end = day;
	if (strcmp(interval, "week") == 0) {
		int64_t n = vocd_calendar_day_number(day); /* 1970-01-01 was a Thursday: Monday is n % 7 == 4 */
		end = vocd_calendar_date(n + (10 - n % 7) % 7);
	} else if (strcmp(interval, "month") == 0) {
		int32_t next = (day / 100 % 100) == 12 ? (day / 10000 + 1) * 10000 + 101 : (day / 100 + 1) * 100 + 1;
		end = add_days(next, -1);
	}
	return end > to ? to : end;
}

/* One row: the figures of dim = value over the period, its buckets and its comparison. */
static int group_json(vocd_txn *txn, const char *tenant, const struct query *q, const char *dim, const char *value,
                      cJSON **out)
{
	struct source c;
	uint32_t suspect;
	int rc = counts(txn, tenant, q, dim, value, q->s.from, q->s.to, &c, &suspect);
	if (rc != 0)
		return rc;
	cJSON *g = cJSON_CreateObject();
	if (strcmp(dim, VOCD_ROLLUP_ALL) != 0) {
		cJSON_AddStringToObject(g, "dimension", dim);
		cJSON_AddStringToObject(g, "value", value);
	}
	cJSON_AddItemToObject(g, "total", figures_json(q, &c));
	cJSON_AddNumberToObject(g, "suspect_answers", suspect);
	if (q->compare) {
		int64_t len = vocd_calendar_day_number(q->s.to) - vocd_calendar_day_number(q->s.from) + 1;
		int32_t pfrom = add_days(q->s.from, -len), pto = add_days(q->s.from, -1);
		struct source p;
		uint32_t ps;
		if ((rc = counts(txn, tenant, q, dim, value, pfrom, pto, &p, &ps)) != 0) {
			cJSON_Delete(g);
			return rc;
		}
		char f[16], t[16];
		vocd_calendar_day_text(pfrom, f);
		vocd_calendar_day_text(pto, t);
		cJSON *prev = cJSON_AddObjectToObject(g, "previous");
		cJSON_AddStringToObject(prev, "from", f);
		cJSON_AddStringToObject(prev, "to", t);
		cJSON_AddItemToObject(prev, "figures", figures_json(q, &p));
		cJSON *change = cJSON_AddObjectToObject(g, "change");
		for (int i = 0; i < q->nmetrics; i++) {
			struct vocd_figure now, before;
			figure_of(q, &c, i, &now);
			figure_of(q, &p, i, &before);
			cJSON *ch = vocd_stats_change_json(q->metrics[i], &now, &before, q->min_sample);
			if (ch)
				cJSON_AddItemToObject(change, q->metrics[i], ch);
		}
	}
	if (strcmp(q->interval, "none") != 0) {
		cJSON *buckets = cJSON_AddArrayToObject(g, "buckets");
		for (int32_t day = q->s.from; rc == 0 && day <= q->s.to;) {
			int32_t end = bucket_end(q->interval, day, q->s.to);
			struct source b;
			uint32_t bs;
			if ((rc = counts(txn, tenant, q, dim, value, day, end, &b, &bs)) != 0)
				break;
			char f[16], t[16];
			vocd_calendar_day_text(day, f);
			vocd_calendar_day_text(end, t);
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "from", f);
			cJSON_AddStringToObject(o, "to", t);
			cJSON_AddItemToObject(o, "figures", figures_json(q, &b));
			cJSON_AddItemToArray(buckets, o);
			day = add_days(end, 1);
		}
		if (rc != 0) {
			cJSON_Delete(g);
			return rc;
		}
	}
	*out = g;
	return 0;
}

/* ---- Tickets ------------------------------------------------------------------------------------ */

struct ticket_counts {
	const struct query *q;
	int opened, detractors, recovered;
	int by_class[VOCD_CLASS_COUNT];
	int by_state[VOCD_TICKET_STATE_COUNT];
	int finished[VOCD_STAGE_COUNT], met[VOCD_STAGE_COUNT];
};

static int count_ticket(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	struct ticket_counts *t = arg;
	const struct query *q = t->q;
	cJSON *tk = cJSON_ParseWithLength(data, len);
	if (!tk)
		return VOCD_ENOMEM;
	int32_t day = vocd_calendar_day_of(&q->conf->calendar.cal,
	                                   (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tk, "created_at")));
	int keep = day >= q->s.from && day <= q->s.to && vocd_stats_scope_meets(&q->s, tk) &&
	           vocd_scope_sees(q->conf, q->who, tk);
	if (keep) {
		t->opened++;
		int k = vocd_ticket_class_parse(vocd_json_str(tk, "class"));
		int s = vocd_ticket_state_parse(vocd_json_str(tk, "state"));
		if (k >= 0)
			t->by_class[k]++;
		if (s >= 0)
			t->by_state[s]++;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tk, "detractor"))) {
			t->detractors++;
			t->recovered += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tk, "recovered"));
		}
		const cJSON *r;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(tk, "sla_results")) {
			for (int st = 0; st < VOCD_STAGE_COUNT; st++)
				if (vocd_json_str(r, "stage") && strcmp(vocd_json_str(r, "stage"), vocd_sla_stage_name(st)) == 0) {
					t->finished[st]++;
					t->met[st] += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "met"));
				}
		}
	}
	cJSON_Delete(tk);
	return 0;
}

/* A share with its Wilson interval, in %. */
static cJSON *share_json(int good, int n, uint32_t min_sample)
{
	struct vocd_figure f;
	vocd_stats_share(good, n, &f);
	return vocd_stats_figure_json("response_rate", &f, min_sample);
}

static int tickets_json(vocd_txn *txn, const char *tenant, const struct query *q, cJSON **out)
{
	struct ticket_counts t;
	memset(&t, 0, sizeof t);
	t.q = q;
	int rc = vocd_rec_scan(txn, tenant, VOCD_TICKET_TYPE, NULL, count_ticket, &t);
	if (rc < 0)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "opened", t.opened);
	cJSON *k = cJSON_AddObjectToObject(o, "by_class"), *s = cJSON_AddObjectToObject(o, "by_state");
	for (int i = 0; i < VOCD_CLASS_COUNT; i++)
		cJSON_AddNumberToObject(k, vocd_ticket_class_name(i), t.by_class[i]);
	for (int i = 0; i < VOCD_TICKET_STATE_COUNT; i++)
		cJSON_AddNumberToObject(s, vocd_ticket_state_name(i), t.by_state[i]);
	cJSON *sla = cJSON_AddObjectToObject(o, "sla");
	for (int i = 0; i < VOCD_STAGE_COUNT; i++) {
		cJSON *st = share_json(t.met[i], t.finished[i], q->min_sample);
		cJSON_AddNumberToObject(st, "met", t.met[i]);
		cJSON_AddItemToObject(sla, vocd_sla_stage_name(i), st);
	}
	cJSON *rec = share_json(t.recovered, t.detractors, q->min_sample);
	cJSON_AddNumberToObject(rec, "recovered", t.recovered);
	cJSON_AddItemToObject(o, "recovery", rec);
	*out = o;
	return 0;
}

/* ---- The query ---------------------------------------------------------------------------------- */

/* The figures asked for, or NULL with q->err filled. */
static cJSON *figures_body(vocd_store *st, const char *tenant, struct query *q)
{
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return store_failed(q, rc);
	for (int i = 0; i < q->nmetrics; i++) {
		const char *id = dimension_of(q, q->metrics[i]);
		q->slot[i] = id ? vocd_rollup_dim_slot(txn, tenant, id) : -1;
	}
	cJSON *groups = cJSON_CreateArray(), *g = NULL;
	if (!kept_in_rollups(q)) {
		/* From the records: the whole span asked, the period before included when compared. */
		int64_t len = vocd_calendar_day_number(q->s.to) - vocd_calendar_day_number(q->s.from) + 1;
		struct vocd_scan_filter f[VOCD_STATS_MAX_FILTERS];
		for (int i = 0; i < q->s.nfilters; i++)
			f[i] = (struct vocd_scan_filter){q->s.filter_dim[i], q->s.filter_value[i]};
		rc = vocd_stats_scan(txn, tenant, &q->conf->calendar.cal, f, q->s.nfilters, q->group_by,
		                     q->compare ? add_days(q->s.from, -len) : q->s.from, q->s.to, q->invitations, q->dims,
		                     &q->scan);
	}
	if (rc == 0 && q->group_by) {
		cJSON *values = cJSON_CreateArray();
		if (q->scan)
			vocd_scan_values(q->scan, MAX_GROUPS, values);
		else
			rc = vocd_rollup_values(txn, tenant, q->group_by, MAX_GROUPS, values);
		int only = filter_on(q, q->group_by); /* group_by=agent&agent=a-17: that row alone */
		const cJSON *value;
		cJSON_ArrayForEach(value, values) {
			if (rc != 0)
				break;
			if ((only >= 0 && strcmp(value->valuestring, q->s.filter_value[only]) != 0) ||
			    (organisational(q->group_by) && /* else the scope is a filter already */
			     !vocd_scope_sees_value(q->conf, q->who, q->group_by, value->valuestring)))
				continue;
			if ((rc = group_json(txn, tenant, q, q->group_by, value->valuestring, &g)) == 0)
				cJSON_AddItemToArray(groups, g);
		}
		cJSON_Delete(values);
	} else if (rc == 0) {
		int one = q->s.nfilters == 1 && !q->scan; /* the filter's own rollups */
		if ((rc = group_json(txn, tenant, q, one ? q->s.filter_dim[0] : VOCD_ROLLUP_ALL,
		                     one ? q->s.filter_value[0] : "*", &g)) == 0)
			cJSON_AddItemToArray(groups, g);
	}
	vocd_scan_free(q->scan);
	q->scan = NULL;
	cJSON *tickets = NULL;
	if (rc == 0 && q->tickets)
		rc = tickets_json(txn, tenant, q, &tickets);
	vocd_txn_end(txn);
	if (rc != 0) {
		cJSON_Delete(groups);
		return store_failed(q, rc);
	}
	char f[16], t[16];
	vocd_calendar_day_text(q->s.from, f);
	vocd_calendar_day_text(q->s.to, t);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "from", f);
	cJSON_AddStringToObject(body, "to", t);
	cJSON_AddStringToObject(body, "interval", q->interval);
	cJSON_AddStringToObject(body, "suspect", q->s.suspect);
	cJSON_AddNumberToObject(body, "min_sample", q->min_sample);
	if (q->group_by)
		cJSON_AddStringToObject(body, "group_by", q->group_by);
	vocd_stats_scope_filter_json(&q->s, body);
	cJSON *labels = NULL; /* what each survey dimension is called, for people reading the figures */
	for (int i = 0; i < q->nmetrics; i++) {
		const struct vocd_survey_item *it = dimension_item(q, q->metrics[i]);
		if (!it)
			continue;
		if (!labels)
			labels = cJSON_AddObjectToObject(body, "labels");
		cJSON *l = cJSON_AddObjectToObject(labels, q->metrics[i]);
		cJSON_AddStringToObject(l, "zh-CN", it->label.zh ? it->label.zh : it->id);
		cJSON_AddStringToObject(l, "en", it->label.en ? it->label.en : it->id);
	}
	cJSON_AddItemToObject(body, "groups", groups);
	if (tickets)
		cJSON_AddItemToObject(body, "tickets", tickets);
	return body;
}

static void start(struct query *q, const struct vocd_tenant_conf *conf, const struct vocd_token_info *who,
                  const struct vocd_stats_params *params, struct vocd_stats_error *err)
{
	memset(q, 0, sizeof *q);
	memset(err, 0, sizeof *err);
	q->conf = conf;
	q->who = who;
	q->params = params;
	q->err = err;
}

int vocd_stats_query_scope(const struct vocd_tenant_conf *conf, const struct vocd_token_info *who,
                           const struct vocd_stats_params *params, struct vocd_stats_scope *out,
                           struct vocd_stats_error *err)
{
	struct query q;
	start(&q, conf, who, params, err);
	char group[32];
	if (parse_query(&q) != 0 || parse_grouping(&q, group) != 0)
		return -1;
	if (q.group_by)
		return fail(&q, 400, "invalid_parameter", "group_by: not here: filters only");
	*out = q.s;
	return 0;
}

int vocd_stats_query_check(const struct vocd_tenant_conf *conf, const struct vocd_token_info *who,
                           const struct vocd_stats_params *params, struct vocd_stats_error *err)
{
	struct query q;
	start(&q, conf, who, params, err);
	char list[200], group[32];
	return parse_query(&q) != 0 || parse_metrics(&q, list, sizeof list) != 0 || parse_grouping(&q, group) != 0 ? -1 : 0;
}

cJSON *vocd_stats_query(vocd_store *st, const char *tenant, const struct vocd_tenant_conf *conf,
                        const struct vocd_token_info *who, const struct vocd_stats_params *params,
                        struct vocd_stats_error *err)
{
	struct query q;
	start(&q, conf, who, params, err);
	char list[200], group[32];
	if (parse_query(&q) != 0 || parse_metrics(&q, list, sizeof list) != 0 || parse_grouping(&q, group) != 0)
		return NULL;
	return figures_body(st, tenant, &q);
}

int vocd_stats_params_json(void *object, const char *name, char *out, size_t outlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive((const cJSON *)object, name);
	int n = 0;
	if (cJSON_IsString(v))
		n = snprintf(out, outlen, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		n = snprintf(out, outlen, "%.15g", v->valuedouble);
	else
		out[0] = '\0';
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* Authenticity signals of one answer, decided in its write job from small per-tenant records: a few
 * reads and writes per answer, never a scan of evaluations. */
#include "authenticity.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"
#include "ids.h"
#include "record.h"
#include "rollup.h"
#include "simhash.h"

#define RECENT_TYPE "authenticity.recent"   /* "<window start ms, 14 digits> US <i ip | d device>" -> struct recent */
#define TEXTS_TYPE "authenticity.texts"     /* "head" -> uint64 texts seen; "page<n>" -> struct text_page */
#define HISTORY_TYPE "authenticity.history" /* customer id -> struct history */
#define TOP_TYPE "authenticity.top"         /* "<period's first day> US <agent>" -> uint32 top ratings */

#define TEXT_PAGES 4
#define PAGE_TEXTS 64 /* 4 x 64 = the last 256 texts; a page is 1024 bytes, vocd_rec_modify's most */
#define HOURS_FROM 1577836800000LL /* 2020-01-01: a text's time is kept in hours since then */
#define PRUNE_STEP 4  /* stale records removed per answer: enough to keep up, cheap enough not to notice */
#define MINUTE_MS 60000LL
#define DAY_MS 86400000LL

struct signals {
	cJSON *list;
};

/* \p code is a literal and the keys constant: referenced, not copied, so a signal costs three
 * allocations (object, reason node, reason text) instead of six. */
static void add_signal(struct signals *s, const char *code, const char *reason)
{
	cJSON *sig = cJSON_CreateObject();
	cJSON_AddItemToObjectCS(sig, "code", cJSON_CreateStringReference(code));
	cJSON_AddItemToObjectCS(sig, "reason", cJSON_CreateString(reason));
	cJSON_AddItemToArray(s->list, sig);
}

/* A device: the SHA-256 of its address and user agent, so neither is kept in another clear copy. */
static int device_id(const char *ip, const char *user_agent, char out[65])
{
	size_t il = strlen(ip), ul = user_agent ? strlen(user_agent) : 0;
	char small[1024];
	char *both = il + ul + 2 <= sizeof small ? small : malloc(il + ul + 2); /* every answer has one */
	if (!both)
		return VOCD_ENOMEM;
	memcpy(both, ip, il);
	both[il] = '\n';
	if (ul)
		memcpy(both + il + 1, user_agent, ul);
	unsigned char digest[32];
	vocd_sha256(both, il + 1 + ul, digest);
	if (both != small)
		free(both);
	vocd_hex(digest, sizeof digest, out);
	return 0;
}

/* ---- Bursts from one address or device ---------------------------------------------------------------- */

/* The answers of one address in one window: \p total counts them all, \p at keeps the times of the latest
 * (ms after the window's start: a window is at most a day), enough to tell whether more than the largest
 * limit fall within a sliding window. 252 bytes, written on every answer. */
struct recent {
	uint32_t total, n;
	uint32_t at[VOCD_BURST_MAX + 1];
};

struct noted {
	uint32_t offset;  /* ms after the window's start */
	uint32_t total;   /* out: the window's answers, this one included */
	int created;      /* out: the first of its window */
};

static void note_answer(void *data, int found, void *arg)
{
	struct noted *a = arg;
	struct recent r;
	memcpy(&r, data, sizeof r);
	if (r.n == VOCD_BURST_MAX + 1) {
		memmove(r.at, r.at + 1, sizeof r.at - sizeof r.at[0]);
		r.n--;
	}
	r.at[r.n++] = a->offset;
	a->total = ++r.total;
	a->created = !found;
	memcpy(data, &r, sizeof r);
}

static void window_id(char *out, size_t len, int64_t start, char kind, const char *key)
{
	snprintf(out, len, "%014" PRId64 "\x1f%c%s", start, kind, key);
}

struct prune {
	const char *stop;     /* ids sorting before this are stale */
	size_t stop_len;
	char ids[PRUNE_STEP][140];
	int n;
};

static int collect_stale(const char *id, const void *data, size_t len, void *arg)
{
	struct prune *p = arg;
	(void)data, (void)len;
	if (p->n == PRUNE_STEP || strncmp(id, p->stop, p->stop_len) >= 0)
		return 1;
	snprintf(p->ids[p->n++], sizeof p->ids[0], "%s", id);
	return 0;
}

/* Removes a few records of \p type whose id sorts before \p stop (ids start with a time or a date). */
static int prune(vocd_txn *txn, const char *tenant, const char *type, const char *stop)
{
	struct prune p = {stop, strlen(stop), {{0}}, 0};
	int rc = vocd_rec_scan(txn, tenant, type, NULL, collect_stale, &p);
	for (int i = 0; rc >= 0 && i < p.n; i++)
		rc = vocd_rec_del(txn, tenant, type, p.ids[i]);
	return rc < 0 ? rc : 0;
}

/* Counts this answer into its window and returns how many answers of \p key the last window_ms saw. */
static int burst_count(vocd_txn *txn, const char *tenant, char kind, const char *key, int64_t now, int64_t window,
                       uint32_t *count, int *created)
{
	char id[140];
	int64_t start = now / window * window;
	window_id(id, sizeof id, start, kind, key);
	struct noted a = {(uint32_t)(now - start), 0, 0};
	int rc = vocd_rec_modify(txn, tenant, RECENT_TYPE, id, sizeof(struct recent), note_answer, &a);
	if (rc != 0)
		return rc;
	*count = a.total;
	*created |= a.created;
	const void *data;
	size_t len;
	struct recent r;
	/* The previous window's answers that are still within window_ms of now. */
	window_id(id, sizeof id, start - window, kind, key);
	if (vocd_rec_get(txn, tenant, RECENT_TYPE, id, &data, &len) == 0 && len == sizeof r) {
		memcpy(&r, data, sizeof r);
		for (uint32_t i = 0; i < r.n; i++)
			*count += start - window + r.at[i] > now - window;
	}
	return 0;
}

static int bursts(vocd_txn *txn, const char *tenant, const struct vocd_authenticity_conf *c, const cJSON *source,
                  const char *device, int64_t now, struct signals *s)
{
	const char *ip = vocd_json_str(source, "ip"), *ua = vocd_json_str(source, "user_agent");
	if (!ip || !*ip || vocd_authenticity_trusted(c, ip) || (!c->burst_per_ip && !c->burst_per_device))
		return 0;
	int64_t window = (int64_t)c->burst_minutes * MINUTE_MS;
	char reason[300];
	uint32_t n;
	int rc = 0, created = 0;
	if (c->burst_per_ip && strlen(ip) <= 64) {
		if ((rc = burst_count(txn, tenant, 'i', ip, now, window, &n, &created)) != 0)
			return rc;
		if (n > c->burst_per_ip) {
			snprintf(reason, sizeof reason, "%" PRIu32 " answers from address %s within %u minutes (limit %u)", n, ip,
			         c->burst_minutes, c->burst_per_ip);
			add_signal(s, "ip_burst", reason);
		}
	}
	if (c->burst_per_device && ua && *ua) {
		if ((rc = burst_count(txn, tenant, 'd', device, now, window, &n, &created)) != 0)
			return rc;
		if (n > c->burst_per_device) {
			snprintf(reason, sizeof reason, "%" PRIu32 " answers from one device (address %s, same browser) within %u "
			         "minutes (limit %u)", n, ip, c->burst_minutes, c->burst_per_device);
			add_signal(s, "device_burst", reason);
		}
	}
	/* Each record made is followed by the removal of a few stale ones, so their number stays bounded. */
	if (!created)
		return 0;
	char stop[20];
	snprintf(stop, sizeof stop, "%014" PRId64, now / window * window - window);
	return prune(txn, tenant, RECENT_TYPE, stop);
}

/* ---- Near-duplicate text ------------------------------------------------------------------------------- */

/* 16 bytes, so that 256 texts are four records of 1 KiB: the evaluation's sequence number (its id as a
 * number; 0 for an empty slot) in the high 42 bits of \p meta, hours since HOURS_FROM in the low 22 (478
 * years). */
struct text_entry {
	uint64_t hash;
	uint64_t meta;
};

#define ENTRY_SEQ(m) ((m) >> 22)
#define ENTRY_HOURS(m) ((int64_t)((m) & 0x3fffff))

static uint64_t hours_of(int64_t ms)
{
	return ms > HOURS_FROM ? (uint64_t)((ms - HOURS_FROM) / 3600000) & 0x3fffff : 0;
}

struct text_page {
	struct text_entry e[PAGE_TEXTS];
};

struct slot_write {
	uint64_t slot;
	struct text_entry entry;
};

static void next_slot(void *data, int found, void *arg)
{
	uint64_t n;
	memcpy(&n, data, sizeof n);
	((struct slot_write *)arg)->slot = n;
	n++;
	memcpy(data, &n, sizeof n);
	(void)found;
}

static void put_entry(void *data, int found, void *arg)
{
	const struct slot_write *w = arg;
	memcpy((char *)data + (w->slot % PAGE_TEXTS) * sizeof(struct text_entry), &w->entry, sizeof w->entry);
	(void)found;
}

struct compare {
	uint64_t hash;
	int64_t since;       /* hours: older texts are not compared */
	uint64_t corrected;  /* the evaluation this one corrects, 0 if none */
	int distance;        /* the most bits apart that still count */
	unsigned matches;    /* out */
	int best;            /* out: the fewest bits apart */
	uint64_t closest;    /* out: the latest of the closest */
};

static int compare_page(const char *id, const void *data, size_t len, void *arg)
{
	struct compare *m = arg;
	if (strncmp(id, "page", 4) != 0)
		return 1; /* past the pages */
	if (len != sizeof(struct text_page))
		return 0;
	struct text_page page;
	memcpy(&page, data, sizeof page); /* stored values are not aligned for reading in place */
	for (int i = 0; i < PAGE_TEXTS; i++) {
		const struct text_entry *e = &page.e[i];
		uint64_t seq = ENTRY_SEQ(e->meta);
		if (!seq || ENTRY_HOURS(e->meta) < m->since || seq == m->corrected)
			continue;
		int d = vocd_simhash_distance(m->hash, e->hash);
		if (d > m->distance)
			continue;
		m->matches++;
		if (d < m->best || (d == m->best && seq > m->closest))
			m->best = d, m->closest = seq;
	}
	return 0;
}

static int near_duplicates(vocd_txn *txn, const char *tenant, const struct vocd_authenticity_conf *c,
                           const cJSON *evaluation, int64_t now, struct signals *s)
{
	const char *text = vocd_json_str(evaluation, "text"), *id = vocd_json_str(evaluation, "id");
	const char *previous = vocd_json_str(evaluation, "previous");
	uint64_t corrected = previous ? strtoull(previous, NULL, 10) : 0; /* a correction resembles what it corrects */
	unsigned features;
	if (!c->duplicate_distance || !text || !id)
		return 0;
	uint64_t hash = vocd_simhash(text, strlen(text), &features);
	if (features < c->duplicate_min_features)
		return 0;
	struct compare cmp = {hash, (int64_t)hours_of(now - (int64_t)c->duplicate_days * DAY_MS), corrected,
	                      (int)c->duplicate_distance, 0, 65, 0};
	/* The pages are adjacent keys ("page0" to "page3", after "head"): one descent and a walk, not four. */
	int rc = vocd_rec_scan(txn, tenant, TEXTS_TYPE, "page", compare_page, &cmp);
	if (rc < 0)
		return rc;
	unsigned matches = cmp.matches;
	int best = cmp.best;
	uint64_t closest = cmp.closest;
	if (matches) {
		char reason[300];
		snprintf(reason, sizeof reason, "text nearly identical to %u of the last answers with text (closest: evaluation "
		         "%016" PRIu64 ", %d of 64 bits apart; limit %u)", matches, closest, best, c->duplicate_distance);
		add_signal(s, "near_duplicate", reason);
	}
	struct slot_write w = {0, {hash, (strtoull(id, NULL, 10) << 22) | hours_of(now)}};
	rc = vocd_rec_modify(txn, tenant, TEXTS_TYPE, "head", sizeof(uint64_t), next_slot, &w);
	if (rc == 0) {
		char page_id[16];
		snprintf(page_id, sizeof page_id, "page%d", (int)(w.slot / PAGE_TEXTS % TEXT_PAGES));
		rc = vocd_rec_modify(txn, tenant, TEXTS_TYPE, page_id, sizeof(struct text_page), put_entry, &w);
	}
	return rc;
}

/* ---- Reading time ---------------------------------------------------------------------------------------- */

unsigned vocd_authenticity_questions(const struct vocd_survey *sv)
{
	if (!sv)
		return 0;
	unsigned n = (unsigned)(sv->nmetrics + sv->ndimensions) + (sv->ntags > 0);
	if ((sv->question.zh && *sv->question.zh) || (sv->question.en && *sv->question.en))
		n++;
	return n;
}

int vocd_authenticity_too_fast(int64_t seconds, unsigned questions, unsigned per_question, char *reason, size_t len)
{
	uint64_t least = (uint64_t)questions * per_question;
	if (seconds < 0 || !per_question || !questions || (uint64_t)seconds >= least)
		return 0;
	snprintf(reason, len, "submitted %" PRId64 " s after the survey was opened; its %u questions take at least %" PRIu64
	         " s to read (%u s each)", seconds, questions, least, per_question);
	return 1;
}

/* ---- Staff devices --------------------------------------------------------------------------------------- */

int vocd_authenticity_staff_device(vocd_txn *txn, const char *tenant, const char *ip, const char *user_agent,
                                   const char *person)
{
	if (!ip || !*ip || !person || !*person)
		return VOCD_EINVAL;
	char id[65];
	int rc = device_id(ip, user_agent, id);
	if (rc != 0)
		return rc;
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "person", person);
	cJSON_AddNumberToObject(rec, "at", (double)vocd_now_ms());
	char *text = cJSON_PrintUnformatted(rec);
	cJSON_Delete(rec);
	if (!text)
		return VOCD_ENOMEM;
	rc = vocd_rec_put(txn, tenant, VOCD_STAFF_DEVICE_TYPE, id, text, strlen(text), NULL, 0);
	free(text);
	return rc;
}

static int staff_device(vocd_txn *txn, const char *tenant, const cJSON *evaluation, const char *device,
                        struct signals *s)
{
	const char *ip = vocd_json_str(cJSON_GetObjectItemCaseSensitive(evaluation, "source"), "ip");
	cJSON *dev = NULL;
	if (!ip || !*ip || vocd_record_get(txn, tenant, VOCD_STAFF_DEVICE_TYPE, device, &dev) != 0)
		return 0;
	const char *person = vocd_json_str(dev, "person");
	const char *agent = vocd_json_str(cJSON_GetObjectItemCaseSensitive(evaluation, "context"), "agent");
	char reason[400];
	if (person && agent && strcmp(person, agent) == 0)
		snprintf(reason, sizeof reason, "answered from a device (address %s, same browser) that %s, the agent whose "
		         "service is evaluated, signed in from", ip, person);
	else
		snprintf(reason, sizeof reason, "answered from a device (address %s, same browser) that staff member %s signed "
		         "in from", ip, person ? person : "?");
	add_signal(s, "staff_device", reason);
	cJSON_Delete(dev);
	return 0;
}

/* ---- The customer's history ------------------------------------------------------------------------------ */

struct history {
	uint32_t n[VOCD_METRIC_COUNT];
	uint32_t unused;
	double sum[VOCD_METRIC_COUNT];
};

int vocd_authenticity_unlike_history(enum vocd_metric metric, int score, uint32_t n, double sum, unsigned min_answers,
                                     double gap, char *reason, size_t len)
{
	int lo, hi;
	vocd_metric_range(metric, &lo, &hi);
	if (!min_answers || n < min_answers || n == 0)
		return 0;
	double mean = sum / n, limit = gap * (hi - lo), off = fabs(score - mean);
	if (off + 1e-9 < limit)
		return 0;
	char name[8];
	const char *m = vocd_metric_name(metric);
	size_t i = 0;
	for (; m[i] && i < sizeof name - 1; i++)
		name[i] = (char)(m[i] >= 'a' && m[i] <= 'z' ? m[i] - 32 : m[i]);
	name[i] = '\0';
	snprintf(reason, len, "%s %d, while this customer's %" PRIu32 " earlier answers average %.1f (%.1f apart; limit "
	         "%.1f, %.0f%% of the %d-%d scale)", name, score, n, mean, off, limit, gap * 100, lo, hi);
	return 1;
}

struct history_change {
	int score[VOCD_METRIC_COUNT]; /* -1: not in this answer */
	struct history before;
};

static void add_history(void *data, int found, void *arg)
{
	struct history_change *ch = arg;
	struct history h;
	memcpy(&h, data, sizeof h);
	ch->before = h;
	for (int m = 0; m < VOCD_METRIC_COUNT; m++)
		if (ch->score[m] >= 0)
			h.n[m]++, h.sum[m] += ch->score[m];
	memcpy(data, &h, sizeof h);
	(void)found;
}

static int history(vocd_txn *txn, const char *tenant, const struct vocd_authenticity_conf *c, const cJSON *evaluation,
                   struct signals *s)
{
	const char *customer = vocd_json_str(evaluation, "customer");
	if (!c->history_min_answers || !customer || !*customer || strlen(customer) > 128)
		return 0;
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(evaluation, "scores");
	struct history_change ch;
	int any = 0;
	for (int m = 0; m < VOCD_METRIC_COUNT; m++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(scores, vocd_metric_name((enum vocd_metric)m));
		ch.score[m] = cJSON_IsNumber(v) ? v->valueint : -1;
		any |= ch.score[m] >= 0;
	}
	if (!any)
		return 0;
	int rc = vocd_rec_modify(txn, tenant, HISTORY_TYPE, customer, sizeof(struct history), add_history, &ch);
	for (int m = 0; rc == 0 && m < VOCD_METRIC_COUNT; m++) {
		char reason[300];
		if (ch.score[m] >= 0 &&
		    vocd_authenticity_unlike_history((enum vocd_metric)m, ch.score[m], ch.before.n[m], ch.before.sum[m],
		                                     c->history_min_answers, c->history_gap, reason, sizeof reason))
			add_signal(s, "unlike_history", reason);
	}
	return rc;
}

/* ---- Top ratings at the end of an incentive period ------------------------------------------------------- */

int vocd_authenticity_period_left(int32_t day, enum vocd_incentive_period period, int32_t *start, int32_t *last)
{
	int y = day / 10000, m = day / 100 % 100;
	int first = period == VOCD_PERIOD_QUARTER ? (m - 1) / 3 * 3 + 1 : m;
	int next = first + (period == VOCD_PERIOD_QUARTER ? 3 : 1), ny = y;
	if (next > 12)
		next -= 12, ny++;
	int64_t end = vocd_calendar_day_number(ny * 10000 + next * 100 + 1);
	*start = y * 10000 + first * 100 + 1;
	*last = vocd_calendar_date(end - 1);
	return (int)(end - vocd_calendar_day_number(day));
}

static void count_top(void *data, int found, void *arg)
{
	uint32_t n;
	memcpy(&n, data, sizeof n);
	n++;
	memcpy(data, &n, sizeof n);
	*(uint32_t *)arg = n;
	(void)found;
}

/*
 * The agent's own usual number of top ratings for the last days of a period: their top ratings per day over
 * the BASELINE_DAYS before those days (from the rollups; an answer with CSAT 5 and NPS 9 counts once, so the
 * larger of the two counts is taken), times the last days, times SPIKE_FACTOR. A busy agent's ordinary day
 * is not a spike; a quiet one's is still bounded by the tenant's top_ratings.
 */
#define BASELINE_DAYS 28
#define SPIKE_FACTOR 2.0

static int top_limit(vocd_txn *txn, const char *tenant, const struct vocd_authenticity_conf *c, const char *agent,
                     int32_t last, uint32_t *limit)
{
	int64_t window = vocd_calendar_day_number(last) - (int64_t)c->last_days + 1;
	struct vocd_rollup_counts before;
	int rc = vocd_rollup_sum(txn, tenant, "agent", agent, vocd_calendar_date(window - BASELINE_DAYS),
	                         vocd_calendar_date(window - 1), &before);
	if (rc != 0)
		return rc;
	uint32_t csat = before.csat[5], nps = before.nps[9] + before.nps[10];
	double usual = (double)(csat > nps ? csat : nps) / BASELINE_DAYS * c->last_days;
	*limit = (uint32_t)ceil(SPIKE_FACTOR * usual);
	return 0;
}

static int incentive_spike(vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *t, const cJSON *evaluation,
                           int64_t now, struct signals *s)
{
	const struct vocd_authenticity_conf *c = &t->authenticity;
	const char *agent = vocd_json_str(cJSON_GetObjectItemCaseSensitive(evaluation, "context"), "agent");
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(evaluation, "scores");
	const cJSON *csat = cJSON_GetObjectItemCaseSensitive(scores, "csat"), *nps = cJSON_GetObjectItemCaseSensitive(scores, "nps");
	int top = (cJSON_IsNumber(csat) && csat->valueint == 5) || (cJSON_IsNumber(nps) && nps->valueint >= 9);
	if (!c->incentive || !agent || !*agent || !top)
		return 0;
	int32_t start, last;
	int left = vocd_authenticity_period_left(vocd_calendar_day_of(&t->calendar.cal, now), c->period, &start, &last);
	if (left > (int)c->last_days)
		return 0;
	char id[140], stop[12];
	if (strlen(agent) <= 100) {
		snprintf(id, sizeof id, "%08" PRId32 "\x1f%s", start, agent);
	} else { /* long ids by a hash, as rollups do */
		unsigned char digest[32];
		char hex[65];
		vocd_sha256(agent, strlen(agent), digest);
		vocd_hex(digest, 16, hex);
		snprintf(id, sizeof id, "%08" PRId32 "\x1f#%s", start, hex);
	}
	uint32_t n = 0, limit = 0;
	int rc = vocd_rec_modify(txn, tenant, TOP_TYPE, id, sizeof n, count_top, &n);
	if (rc == 0 && n > c->top_ratings) /* over the floor: is it over the agent's own rate too? */
		rc = top_limit(txn, tenant, c, agent, last, &limit);
	if (rc == 0 && n > c->top_ratings && n > limit) {
		char reason[400];
		snprintf(reason, sizeof reason, "top rating number %" PRIu32 " for agent %s in the last %u days of the %s ending "
		         "%04d-%02d-%02d (limit %u)", n, agent, c->last_days, c->period == VOCD_PERIOD_QUARTER ? "quarter" : "month",
		         (int)(last / 10000), (int)(last / 100 % 100), (int)(last % 100), limit > c->top_ratings ? limit : c->top_ratings);
		add_signal(s, "incentive_spike", reason);
	}
	snprintf(stop, sizeof stop, "%08" PRId32, start);
	return rc == 0 ? prune(txn, tenant, TOP_TYPE, stop) : rc;
}

/* ---- All of them ------------------------------------------------------------------------------------------- */

int vocd_authenticity_assess(vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *t,
                             const struct vocd_survey *sv, cJSON *evaluation, int64_t now_ms, unsigned flags)
{
	const struct vocd_authenticity_conf *c = &t->authenticity;
	const cJSON *source = cJSON_GetObjectItemCaseSensitive(evaluation, "source");
	struct signals s = {cJSON_CreateArray()};
	char reason[300];
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(source, "seconds_to_submit");
	if (cJSON_IsNumber(secs) &&
	    vocd_authenticity_too_fast((int64_t)secs->valuedouble, vocd_authenticity_questions(sv), c->seconds_per_question,
	                               reason, sizeof reason))
		add_signal(&s, "too_fast", reason);
	/* The device (address and browser) is hashed once, for bursts and for staff sign-ins. */
	const char *ip = vocd_json_str(source, "ip");
	char device[65] = "";
	int relayed = (flags & VOCD_AUTH_RELAYED) != 0, rc = 0;
	if (!relayed && ip && *ip)
		rc = device_id(ip, vocd_json_str(source, "user_agent"), device);
	if (rc == 0 && !relayed)
		rc = bursts(txn, tenant, c, source, device, now_ms, &s);
	if (rc == 0)
		rc = near_duplicates(txn, tenant, c, evaluation, now_ms, &s);
	if (rc == 0 && c->staff_devices && device[0])
		rc = staff_device(txn, tenant, evaluation, device, &s);
	if (rc == 0)
		rc = history(txn, tenant, c, evaluation, &s);
	if (rc == 0)
		rc = incentive_spike(txn, tenant, t, evaluation, now_ms, &s);
	cJSON_AddBoolToObject(evaluation, "suspect", cJSON_GetArraySize(s.list) > 0);
	cJSON_AddItemToObject(evaluation, "signals", s.list);
	return rc;
}

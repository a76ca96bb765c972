/* GET /api/v1/topics (docs/http-api.md, "Topics"): what customers wrote about over a period: how many texts
 * read positive, neutral or negative (the tenant's lexicon, sentiment.h), the tags chosen, the most frequent
 * keywords (keywords.h), and the topics rising above their own baseline (the same period's length, repeated
 * `baseline` times before it). Read from the evaluations of the periods, in one pass in id (= time) order;
 * the same period, filter, scope and suspect choice as GET /api/v1/stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "calendar.h"
#include "error.h"
#include "evaluation.h"
#include "keywords.h"
#include "review.h"
#include "sentiment.h"

#define MAX_TOP 100
#define MAX_BASELINE 12

struct pass {
	const struct vocd_stats_scope *scope;
	const struct vocd_tenant_conf *conf;
	const struct vocd_lexicon *lexicon;
	const char *tenant;
	vocd_txn *txn;
	int64_t first_day;               /* day number of the first baseline day */
	int64_t len;                     /* days per period */
	int periods;                     /* baseline periods */
	struct vocd_keyword_counter *words[MAX_BASELINE + 1]; /* [0]: the period asked for */
	struct vocd_keyword_counter *tags;
	unsigned answers, texts, sentiment[3];
	int failed;
};

/* One stored evaluation: counted in its period when it is current, matches the filter and the suspect
 * choice. Evaluations come in time order: past the period, the pass stops. */
static int visit(const char *id, const void *data, size_t len, void *arg)
{
	struct pass *p = arg;
	cJSON *ev = cJSON_ParseWithLength(data, len);
	if (!ev)
		return VOCD_ENOMEM;
	int64_t day = vocd_calendar_day_number(vocd_calendar_day_of(
	    &p->conf->calendar.cal, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ev, "created_at"))));
	int64_t k = day < p->first_day ? -1 : (day - p->first_day) / p->len; /* 0 .. periods-1 baseline, periods current */
	int rc = 0;
	if (k > p->periods) {
		rc = 1;
		goto out;
	}
	if (k < 0)
		goto out;
	const struct vocd_stats_scope *s = p->scope;
	if (!vocd_stats_scope_meets(s, ev) || vocd_evaluation_superseded(p->txn, p->tenant, id))
		goto out;
	int suspect = vocd_review_counted_suspect(p->txn, p->tenant, ev);
	if ((suspect && strcmp(s->suspect, "exclude") == 0) || (!suspect && strcmp(s->suspect, "only") == 0))
		goto out;
	const char *text = vocd_json_str(ev, "text");
	int current = k == p->periods;
	struct vocd_keyword_counter *words = p->words[current ? 0 : k + 1];
	if (text && *text && vocd_keyword_counter_add_text(words, text, strlen(text)) != 0)
		p->failed = 1;
	if (!current)
		goto out;
	p->answers++;
	if (text && *text) {
		struct vocd_sentiment sent;
		p->texts++;
		if (vocd_sentiment(p->lexicon, text, strlen(text), &sent) == 0)
			p->sentiment[sent.label + 1]++;
	}
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(ev, "tags")) if (cJSON_IsString(tag) &&
	                                                                          vocd_keyword_counter_add(p->tags, tag->valuestring, strlen(tag->valuestring), 1) != 0)
		p->failed = 1;
out:
	cJSON_Delete(ev);
	return rc;
}

static cJSON *counts_json(const struct vocd_keyword_counter *c, size_t top, const char *name)
{
	cJSON *list = cJSON_CreateArray();
	struct vocd_keyword_count *got = calloc(top ? top : 1, sizeof *got);
	size_t n = 0;
	if (got && vocd_keyword_counter_top(c, top, got, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			char key[256];
			snprintf(key, sizeof key, "%.*s", (int)got[i].len, got[i].key);
			cJSON_AddStringToObject(o, name, key);
			cJSON_AddNumberToObject(o, "count", (double)got[i].count);
			cJSON_AddItemToArray(list, o);
		}
	free(got);
	return list;
}

static cJSON *rising_json(struct pass *p, size_t top, uint64_t min_count)
{
	cJSON *list = cJSON_CreateArray();
	struct vocd_rising_topic *got = calloc(top, sizeof *got);
	struct vocd_rising_rule rule = VOCD_RISING_RULE_DEFAULT;
	rule.min_count = min_count;
	size_t found = 0;
	if (got && vocd_topics_rising(p->words[0], (const struct vocd_keyword_counter *const *)(p->words + 1),
	                              (size_t)p->periods, &rule, got, top, &found) == 0)
		for (size_t i = 0; i < found && i < top; i++) {
			cJSON *o = cJSON_CreateObject();
			char key[256];
			snprintf(key, sizeof key, "%.*s", (int)got[i].len, got[i].key);
			cJSON_AddStringToObject(o, "topic", key);
			cJSON_AddNumberToObject(o, "count", (double)got[i].current);
			cJSON_AddNumberToObject(o, "baseline_mean", got[i].mean);
			cJSON_AddNumberToObject(o, "z", got[i].z);
			cJSON_AddItemToArray(list, o);
		}
	free(got);
	return list;
}

static int number_param(struct vocd_req *req, const char *name, long lo, long hi, long def, long *out)
{
	char text[16];
	*out = def;
	if (vocd_http_filter(req, name, text, sizeof text) != 0)
		return -1;
	if (!text[0])
		return 0;
	char *end;
	long v = strtol(text, &end, 10);
	if (*end || v < lo || v > hi) {
		vocd_http_error(req, 400, "invalid_parameter", "%s: expected %ld to %ld", name, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int vocd_api_topics(struct vocd_req *req)
{
	struct vocd_stats_scope scope;
	long top, baseline, min_count;
	if (vocd_api_stats_scope(req, &scope) != 0 || number_param(req, "top", 1, MAX_TOP, 20, &top) != 0 ||
	    number_param(req, "baseline", 1, MAX_BASELINE, 3, &baseline) != 0 ||
	    number_param(req, "min_count", 1, 1000000, 20, &min_count) != 0)
		return 0;
	struct pass p;
	memset(&p, 0, sizeof p);
	p.scope = &scope;
	p.conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	p.tenant = req->auth.tenant;
	p.len = vocd_calendar_day_number(scope.to) - vocd_calendar_day_number(scope.from) + 1;
	p.periods = (int)baseline;
	p.first_day = vocd_calendar_day_number(scope.from) - p.len * baseline;
	struct vocd_lexicon *lx = NULL;
	int rc = vocd_lexicon_new(&p.conf->analysis, &lx);
	for (int i = 0; rc == 0 && i <= p.periods; i++)
		rc = vocd_keyword_counter_new(0, &p.words[i]);
	if (rc == 0)
		rc = vocd_keyword_counter_new(0, &p.tags);
	p.lexicon = lx;
	if (rc == 0 && (rc = vocd_store_read(req->srv->store, &p.txn)) == 0) {
		rc = vocd_rec_scan(p.txn, p.tenant, VOCD_EVALUATION_TYPE, NULL, visit, &p);
		rc = rc < 0 ? rc : p.failed ? VOCD_ENOMEM : 0;
		vocd_txn_end(p.txn);
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		char f[16], t[16];
		vocd_calendar_day_text(scope.from, f);
		vocd_calendar_day_text(scope.to, t);
		cJSON *body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "from", f);
		cJSON_AddStringToObject(body, "to", t);
		vocd_stats_scope_filter_json(&scope, body);
		cJSON_AddNumberToObject(body, "answers", p.answers);
		cJSON_AddNumberToObject(body, "texts", p.texts);
		cJSON *sent = cJSON_AddObjectToObject(body, "sentiment");
		cJSON_AddNumberToObject(sent, "negative", p.sentiment[0]);
		cJSON_AddNumberToObject(sent, "neutral", p.sentiment[1]);
		cJSON_AddNumberToObject(sent, "positive", p.sentiment[2]);
		cJSON_AddItemToObject(body, "tags", counts_json(p.tags, (size_t)top, "tag"));
		cJSON_AddItemToObject(body, "keywords", counts_json(p.words[0], (size_t)top, "keyword"));
		cJSON_AddNumberToObject(body, "baseline_periods", (double)baseline);
		cJSON_AddItemToObject(body, "rising", rising_json(&p, (size_t)top, (uint64_t)min_count));
		vocd_http_json(req, 200, body);
		cJSON_Delete(body);
	}
	for (int i = 0; i <= MAX_BASELINE; i++)
		vocd_keyword_counter_free(p.words[i]);
	vocd_keyword_counter_free(p.tags);
	vocd_lexicon_free(lx);
	return 0;
}

/* Replaying stored history through workflow rules, in short read snapshots, writing nothing. */
#include "dryrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "invitation.h"
#include "record.h"
#include "rule_actions.h"
#include "ticket.h"
#include "workflow.h"

#define CHUNK 2000      /* records per read snapshot: old pages are not pinned for the whole replay */
#define DAY_MS 86400000LL

enum source { SRC_EVALUATION, SRC_CORRECTION, SRC_TICKET, SRC_BREACH, SRC_EXPIRED };

static const struct {
	const char *topic, *type;
	enum source src;
} sources[] = {
	{"evaluation.created", VOCD_EVALUATION_TYPE, SRC_EVALUATION},
	{"evaluation.corrected", VOCD_EVALUATION_TYPE, SRC_CORRECTION},
	{"ticket.opened", VOCD_TICKET_TYPE, SRC_TICKET},
	{"ticket.sla_breached", VOCD_TICKET_TYPE, SRC_BREACH},
	{"invitation.expired", VOCD_INVITATION_TYPE, SRC_EXPIRED},
};

/* The times a rule fired, per once_per key: a replay keeps quiet where the live rule would. */
struct once {
	char key[128];
	int64_t at;
};

struct replay {
	const char *tenant;
	const struct vocd_tenant_conf *t;
	const struct vocd_rule *rule;
	enum source src;
	const struct vocd_dryrun_opts *opts;
	vocd_txn *txn;
	int64_t now;
	long examined, fired;
	int listed, seen;
	char last[130];
	cJSON *hits;
	struct once *once;
	size_t nonce, cap;
	int rc;
};

static int quiet(struct replay *r, const struct vocd_facts *f, int64_t at)
{
	char value[128];
	int days = vocd_workflow_once_id(r->rule, f, value);
	if (!days)
		return 0;
	for (size_t i = 0; i < r->nonce; i++)
		if (strcmp(r->once[i].key, value) == 0) {
			if (at < r->once[i].at + (int64_t)days * DAY_MS)
				return 1;
			r->once[i].at = at;
			return 0;
		}
	if (r->nonce == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct once *o = realloc(r->once, cap * sizeof *o);
		if (!o)
			return 0;
		r->once = o;
		r->cap = cap;
	}
	snprintf(r->once[r->nonce].key, sizeof r->once[r->nonce].key, "%s", value);
	r->once[r->nonce++].at = at;
	return 0;
}

/* One event as the live rule would have seen it. */
static int replay_one(struct replay *r, const char *type, const char *id, const cJSON *data, int64_t at)
{
	if (at < r->opts->from_ms || at >= r->opts->to_ms)
		return 0;
	r->examined++;
	struct vocd_facts f;
	int rc = vocd_facts_build(&f, r->txn, r->tenant, r->t, vocd_rule_on(r->rule), 0, data, at);
	if (rc != 0)
		return rc;
	cJSON *why = cJSON_CreateArray();
	if (vocd_rule_eval(r->rule, &f, why) && !quiet(r, &f, at)) {
		r->fired++;
		if (r->listed < r->opts->max_hits) {
			cJSON *hit = cJSON_CreateObject();
			cJSON_AddStringToObject(hit, type, id);
			cJSON_AddNumberToObject(hit, "at", (double)at);
			cJSON_AddItemToObject(hit, "why", why);
			why = NULL;
			struct vocd_rule_run run = {r->tenant, r->t, r->rule, &f, NULL, 0, 1, cJSON_AddArrayToObject(hit, "would")};
			rc = vocd_rule_act_in(NULL, &run);
			cJSON_AddItemToArray(r->hits, hit);
			r->listed++;
		}
	}
	cJSON_Delete(why);
	vocd_facts_free(&f);
	return rc;
}

static int64_t num(const cJSON *o, const char *key)
{
	return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int visit(const char *id, const void *data, size_t len, void *arg)
{
	struct replay *r = arg;
	if (r->seen++ == CHUNK)
		return 1;
	snprintf(r->last, sizeof r->last, "%s", id);
	cJSON *rec = cJSON_ParseWithLength(data, len);
	if (!rec)
		return 0;
	int rc = 0;
	switch (r->src) {
	case SRC_EVALUATION:
	case SRC_CORRECTION:
		if ((num(rec, "version") > 1) == (r->src == SRC_CORRECTION))
			rc = replay_one(r, "evaluation", id, rec, num(rec, "created_at"));
		break;
	case SRC_TICKET:
		rc = replay_one(r, "ticket", id, rec, num(rec, "created_at"));
		break;
	case SRC_BREACH: {
		/* One event per missed deadline, as "ticket.sla_breached" carries it. */
		const cJSON *clock;
		cJSON_ArrayForEach(clock, cJSON_GetObjectItemCaseSensitive(rec, "sla"))
		{
			if (rc != 0 || !cJSON_GetObjectItemCaseSensitive(clock, "breached_at"))
				continue;
			cJSON *ev = cJSON_Duplicate(rec, 1);
			cJSON *b = cJSON_AddObjectToObject(ev, "breach");
			cJSON_AddStringToObject(b, "stage", clock->string);
			cJSON_AddNumberToObject(b, "due_at", (double)num(clock, "due_at"));
			rc = replay_one(r, "ticket", id, ev, num(clock, "breached_at"));
			cJSON_Delete(ev);
		}
		break;
	}
	case SRC_EXPIRED:
		if (vocd_invitation_lapsed(rec, r->now))
			rc = replay_one(r, "invitation", id, rec, num(rec, "expires_at"));
		break;
	}
	cJSON_Delete(rec);
	r->rc = rc;
	return rc != 0 ? -1 : 0;
}

static int replay_rule(vocd_store *st, struct replay *r, const char *type)
{
	r->last[0] = '\0';
	for (;;) {
		r->seen = 0;
		int rc = vocd_store_read(st, &r->txn);
		if (rc != 0)
			return rc;
		/* Each snapshot starts just after the last record of the one before. */
		char from[140];
		snprintf(from, sizeof from, "%s%s", r->last, r->last[0] ? "\x01" : "");
		rc = vocd_rec_scan(r->txn, r->tenant, type, r->last[0] ? from : NULL, visit, r);
		vocd_txn_end(r->txn);
		r->txn = NULL;
		if (rc < 0)
			return r->rc ? r->rc : rc;
		if (r->seen <= CHUNK)
			return 0;
	}
}

int vocd_dryrun(vocd_store *st, const struct vocd_tenant_conf *t, struct vocd_rule *const *rules, size_t n,
                const struct vocd_dryrun_opts *opts, cJSON **out, char *why, size_t why_len)
{
	*out = NULL;
	struct vocd_dryrun_opts o = *opts;
	if (o.max_hits <= 0)
		o.max_hits = 100;
	cJSON *report = cJSON_CreateObject();
	cJSON_AddStringToObject(report, "tenant", t->id);
	if (o.from_ms > 0)
		cJSON_AddNumberToObject(report, "from", (double)o.from_ms);
	if (o.to_ms < INT64_MAX)
		cJSON_AddNumberToObject(report, "to", (double)o.to_ms);
	cJSON *list = cJSON_AddArrayToObject(report, "rules");
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *on = vocd_rule_on(rules[i]);
		size_t k = 0;
		while (k < sizeof sources / sizeof sources[0] && strcmp(sources[k].topic, on) != 0)
			k++;
		if (k == sizeof sources / sizeof sources[0]) {
			snprintf(why, why_len, "%s listens to %s: a dry run replays evaluation.created, evaluation.corrected, "
			         "ticket.opened, ticket.sla_breached and invitation.expired", vocd_rule_label(rules[i]), on);
			rc = VOCD_EINVAL;
			break;
		}
		struct replay r;
		memset(&r, 0, sizeof r);
		r.tenant = t->id;
		r.t = t;
		r.rule = rules[i];
		r.src = sources[k].src;
		r.opts = &o;
		r.now = vocd_now_ms();
		r.hits = cJSON_CreateArray();
		rc = replay_rule(st, &r, sources[k].type);
		cJSON *item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "rule", vocd_rule_label(rules[i]));
		cJSON_AddStringToObject(item, "name", vocd_rule_title(rules[i], "zh-CN"));
		cJSON_AddStringToObject(item, "name_en", vocd_rule_title(rules[i], "en"));
		cJSON_AddStringToObject(item, "on", on);
		cJSON_AddNumberToObject(item, "examined", (double)r.examined);
		cJSON_AddNumberToObject(item, "fired", (double)r.fired);
		cJSON_AddNumberToObject(item, "listed", r.listed);
		cJSON_AddItemToObject(item, "hits", r.hits);
		cJSON_AddItemToArray(list, item);
		free(r.once);
	}
	if (rc != 0) {
		cJSON_Delete(report);
		return rc;
	}
	*out = report;
	return 0;
}

int vocd_dryrun_time(const struct vocd_tenant_conf *t, const char *s, int end, int64_t *ms)
{
	const char *after;
	int32_t date = vocd_calendar_parse_day(s, &after);
	if (date >= 0 && !*after) {
		int64_t day = vocd_calendar_day_number(date);
		*ms = (day + (end ? 1 : 0)) * DAY_MS - (int64_t)t->calendar.cal.utc_offset_min * 60000;
		return 0;
	}
	char *stop;
	long long v = strtoll(s, &stop, 10);
	if (stop == s || *stop || v < 0)
		return -1;
	*ms = v;
	return 0;
}

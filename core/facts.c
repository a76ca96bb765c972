/* The facts workflow rules read, built per event; the computed figures are read from the store when a
 * rule first asks for them, and kept for the other rules of the same event. */
#include "facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "invitation.h"
#include "record.h"
#include "stats.h"
#include "ticket.h"

#define DAY_MS 86400000LL

static cJSON *customer_facts(vocd_txn *txn, const char *tenant, const char *id)
{
	cJSON *c = cJSON_CreateObject();
	if (!id)
		return c;
	cJSON_AddStringToObject(c, "id", id);
	cJSON *rec = NULL;
	/* Only what is not personal data: the tier, whether they withdrew consent. */
	if (txn && vocd_record_get(txn, tenant, VOCD_CUSTOMER_TYPE, id, &rec) == 0) {
		const char *tier = vocd_json_str(rec, "tier");
		if (tier)
			cJSON_AddStringToObject(c, "tier", tier);
		if (cJSON_GetObjectItemCaseSensitive(rec, "consent_withdrawn_at"))
			cJSON_AddBoolToObject(c, "consent_withdrawn", 1);
	}
	cJSON_Delete(rec);
	return c;
}

int vocd_facts_build(struct vocd_facts *f, vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *conf,
                     const char *topic, uint64_t event_id, const cJSON *data, int64_t at)
{
	memset(f, 0, sizeof *f);
	f->tenant = tenant;
	f->conf = conf;
	f->topic = topic;
	f->event_id = event_id;
	f->at = at;
	f->txn = txn;
	f->unanswered = -1;
	f->root = cJSON_CreateObject();
	if (!f->root)
		return VOCD_ENOMEM;
	const char *main = strncmp(topic, "evaluation.", 11) == 0 ? "evaluation"
	                   : strncmp(topic, "ticket.", 7) == 0     ? "ticket"
	                   : strncmp(topic, "invitation.", 11) == 0 ? "invitation"
	                                                            : "event";
	cJSON *rec = NULL;
	if (strcmp(main, "invitation") == 0 && txn && vocd_json_str(data, "id"))
		vocd_record_get(txn, tenant, VOCD_INVITATION_TYPE, vocd_json_str(data, "id"), &rec);
	if (!rec)
		rec = cJSON_Duplicate(data, 1);
	if (!rec)
		rec = cJSON_CreateObject();
	/* A survey link is a credential: it never reaches a rule or a message made from one. */
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "url");
	cJSON *ctx = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "context"), 1);
	cJSON_AddItemToObject(f->root, "context", ctx ? ctx : cJSON_CreateObject());
	cJSON_AddItemToObject(f->root, "customer", customer_facts(txn, tenant, vocd_json_str(rec, "customer")));
	cJSON_AddItemToObject(f->root, main, rec);
	return 0;
}

void vocd_facts_set_root(struct vocd_facts *f, cJSON *root)
{
	cJSON_Delete(f->root);
	f->root = root;
	/* Both caches point into the old tree (its values, its items). */
	for (int i = 0; i < f->nfolded; i++)
		free(f->folded[i].text);
	f->nfolded = 0;
	f->nstats = 0;
	f->unanswered = -1;
}

void vocd_facts_free(struct vocd_facts *f)
{
	vocd_facts_set_root(f, NULL);
}

const cJSON *vocd_facts_lookup(const struct vocd_facts *f, char *const *segs, int nsegs)
{
	const cJSON *v = f->root;
	for (int i = 0; v && i < nsegs; i++)
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, segs[i]) : NULL;
	return v;
}

int vocd_facts_text(const cJSON *root, const char *path, char *out, size_t outlen)
{
	const cJSON *v = root;
	char copy[256], *save = NULL;
	snprintf(copy, sizeof copy, "%s", path);
	for (char *s = strtok_r(copy, ".", &save); v && s; s = strtok_r(NULL, ".", &save))
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, s) : NULL;
	if (cJSON_IsString(v))
		snprintf(out, outlen, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, outlen, "%g", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(out, outlen, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else
		return -1;
	return 0;
}

/* The main record of the event (the evaluation, ticket or invitation). */
static const cJSON *subject_record(const struct vocd_facts *f)
{
	for (const cJSON *c = f->root->child; c; c = c->next)
		if (strcmp(c->string, "context") && strcmp(c->string, "customer"))
			return c;
	return NULL;
}

int vocd_facts_stat(struct vocd_facts *f, const char *metric, const char *of, int days, double *value, uint32_t *n,
                    const char **subject)
{
	*value = 0;
	*n = 0;
	*subject = "";
	/* The rules of one event ask for a few figures many times: each (dimension, period) is read once. */
	struct vocd_facts_stat *c = NULL, local;
	for (int i = 0; i < f->nstats && !c; i++)
		if (f->stats[i].days == days && strncmp(f->stats[i].of, of, sizeof f->stats[i].of) == 0)
			c = &f->stats[i];
	if (!c) {
		c = f->nstats < VOCD_FACTS_CACHE ? &f->stats[f->nstats++] : &local;
		memset(c, 0, sizeof *c);
		snprintf(c->of, sizeof c->of, "%s", of);
		c->days = days;
		const cJSON *rec = subject_record(f);
		/* The value the rollups were kept under (the customer's tier, a unit above the context's, …); else the
		 * event's context, which facts given by hand (a rule's cases, a dry run) carry beside the record. */
		const char *v = strcmp(of, VOCD_ROLLUP_ALL) == 0 ? "*" : vocd_rollup_value_of(rec, of);
		if (!v)
			v = vocd_rollup_value_of(f->root, of);
		if (v && f->txn) {
			int32_t to = vocd_calendar_day_of(&f->conf->calendar.cal, f->at);
			int32_t from = days > 0 ? vocd_calendar_date(vocd_calendar_day_number(to) - (days - 1)) : (to / 100) * 100 + 1;
			c->subject = v;
			c->known = vocd_rollup_sum(f->txn, f->tenant, of, v, from, to, &c->counts) == 0;
		}
	}
	if (!c->known)
		return -1;
	*subject = c->subject;
	return vocd_stats_value(&c->counts, metric, value, n);
}

const char *vocd_facts_folded(struct vocd_facts *f, const cJSON *item)
{
	for (int i = 0; i < f->nfolded; i++)
		if (f->folded[i].item == item)
			return f->folded[i].text;
	char *t = strdup(item->valuestring);
	if (!t)
		return NULL;
	for (char *p = t; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (f->nfolded == VOCD_FACTS_FOLDED) { /* rare: more texts than kept; the oldest goes */
		free(f->folded[0].text);
		memmove(f->folded, f->folded + 1, sizeof f->folded[0] * (VOCD_FACTS_FOLDED - 1));
		f->nfolded--;
	}
	f->folded[f->nfolded++] = (struct vocd_facts_folded){item, t};
	return t;
}

struct streak {
	int64_t at;
	int count;
};

/* Invitations come in creation order: an answer ends the streak, an expired one adds to it, one still
 * open neither. */
static int note_invitation(const char *id, const void *data, size_t len, void *arg)
{
	struct streak *s = arg;
	cJSON *inv = cJSON_ParseWithLength(data, len);
	if (!inv)
		return 0;
	const char *state = vocd_json_str(inv, "state");
	double created = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "created_at"));
	if (created <= (double)s->at) {
		if (state && strcmp(state, "answered") == 0)
			s->count = 0;
		else if (vocd_invitation_lapsed(inv, s->at))
			s->count++;
	}
	cJSON_Delete(inv);
	return 0;
}

int vocd_facts_unanswered_in_row(struct vocd_facts *f)
{
	if (f->unanswered >= 0)
		return f->unanswered;
	const char *cid = vocd_json_str(cJSON_GetObjectItemCaseSensitive(f->root, "customer"), "id");
	if (!cid || !f->txn)
		return -1;
	struct streak s = {f->at, 0};
	if (vocd_index_scan(f->txn, f->tenant, VOCD_INVITATION_TYPE, "by_customer", cid, strlen(cid) + 1, note_invitation,
	                    &s) < 0)
		return -1;
	return f->unanswered = s.count;
}

struct ticket_count {
	const char *category, *self;
	int64_t since, until;
	int count;
};

static int note_ticket(const char *id, const void *data, size_t len, void *arg)
{
	struct ticket_count *t = arg;
	if (t->self && strcmp(id, t->self) == 0)
		return 0;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	if (!rec)
		return 0;
	double created = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created_at"));
	const char *cat = vocd_json_str(rec, "category");
	if (created >= (double)t->since && created <= (double)t->until &&
	    (!t->category || (cat && strcmp(cat, t->category) == 0)))
		t->count++;
	cJSON_Delete(rec);
	return 0;
}

int vocd_facts_customer_tickets(struct vocd_facts *f, const char *category, int days)
{
	const char *cid = vocd_json_str(cJSON_GetObjectItemCaseSensitive(f->root, "customer"), "id");
	if (!cid || !f->txn)
		return -1;
	const cJSON *ticket = cJSON_GetObjectItemCaseSensitive(f->root, "ticket");
	if (category && strcmp(category, "same") == 0)
		category = vocd_json_str(ticket, "category");
	struct ticket_count t = {category, vocd_json_str(ticket, "id"), f->at - (int64_t)days * DAY_MS, f->at, 0};
	if (vocd_index_scan(f->txn, f->tenant, VOCD_TICKET_TYPE, "by_customer", cid, strlen(cid) + 1, note_ticket, &t) < 0)
		return -1;
	return t.count;
}

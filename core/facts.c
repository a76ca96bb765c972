/* The facts workflow rules read, built per event; the computed figures are read from the store when a
 * rule first asks for them, and kept for the other rules of the same event. */
#include "facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "invitation.h"
#include "record.h"
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

void vocd_facts_free(struct vocd_facts *f)
{
	cJSON_Delete(f->root);
	f->root = NULL;
}

const cJSON *vocd_facts_lookup(const struct vocd_facts *f, char *const *segs, int nsegs)
{
	const cJSON *v = f->root;
	for (int i = 0; v && i < nsegs; i++)
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, segs[i]) : NULL;
	return v;
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
	const cJSON *rec = subject_record(f);
	const char *v = strcmp(of, VOCD_ROLLUP_ALL) == 0 ? "*"
	                : strcmp(of, "channel") == 0 || strcmp(of, "service_type") == 0
	                    ? vocd_json_str(rec, of)
	                    : vocd_json_str(cJSON_GetObjectItemCaseSensitive(f->root, "context"), of);
	if (!v || !f->txn)
		return -1;
	*subject = v;
	int32_t to = vocd_rollup_day(&f->conf->calendar.cal, f->at), from;
	int64_t n_to = vocd_calendar_day_number(to);
	from = days > 0 ? vocd_calendar_date(n_to - (days - 1)) : (to / 100) * 100 + 1;
	char key[200];
	snprintf(key, sizeof key, "%s\x1f%.128s\x1f%d", of, v, (int)from);
	const struct vocd_rollup_counts *c = NULL;
	for (int i = 0; i < f->nstats && !c; i++)
		if (strcmp(f->stats[i].key, key) == 0)
			c = &f->stats[i].counts;
	struct vocd_rollup_counts local;
	if (!c) {
		if (vocd_rollup_sum(f->txn, f->tenant, of, v, from, to, &local) != 0)
			return -1;
		if (f->nstats < VOCD_FACTS_CACHE) {
			snprintf(f->stats[f->nstats].key, sizeof f->stats[f->nstats].key, "%s", key);
			f->stats[f->nstats].counts = local;
			c = &f->stats[f->nstats++].counts;
		} else {
			c = &local;
		}
	}
	return vocd_rollup_metric(c, metric, value, n);
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
	double expires = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at"));
	double created = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "created_at"));
	if (created <= (double)s->at) {
		if (state && strcmp(state, "answered") == 0)
			s->count = 0;
		else if ((state && strcmp(state, "expired") == 0) || expires <= (double)s->at)
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

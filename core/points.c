/* The points ledger: grants (with the core's limits), reversals, sums and the period figures that
 * incentive policies rank people by. */
#include "points.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "calendar.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "invitation.h"
#include "json_text.h"
#include "people.h"
#include "review.h"
#include "rollup.h"
#include "ticket.h"

#define HOLDER_MAX 160

/* ---- Lookups by index ------------------------------------------------------------------------------ */

static int first_id(const char *id, const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	snprintf(arg, 24, "%s", id);
	return 1;
}

/* The id of the entry whose index \p index is exactly \p value; "" when none. */
static int find_by(vocd_txn *txn, const char *tenant, const char *index, const char *value, char id[24])
{
	id[0] = '\0';
	return vocd_index_scan(txn, tenant, VOCD_POINTS_TYPE, index, value, strlen(value) + 1, first_id, id);
}

static void holder_value(const char *holder, int customer, char out[HOLDER_MAX])
{
	snprintf(out, HOLDER_MAX, "%s:%s", customer ? "c" : "p", holder);
}

int vocd_points_get(vocd_txn *txn, const char *tenant, const char *id, cJSON **out)
{
	return vocd_record_get(txn, tenant, VOCD_POINTS_TYPE, id, out);
}

int vocd_points_reversed(vocd_txn *txn, const char *tenant, const char *id, char by[24])
{
	char found[24];
	if (find_by(txn, tenant, "by_reverses", id, found) != 0 || !found[0])
		return 0;
	if (by)
		snprintf(by, 24, "%s", found);
	return 1;
}

/* ---- Writing an entry -------------------------------------------------------------------------------- */

/* Stores \p e (its id set here) with its indexes and audit entry; a customer's reward is announced. */
static int append(vocd_txn *txn, const char *tenant, cJSON *e, const char *key_value, const char *action,
                  const struct vocd_actor *who, char id[24])
{
	int rc = vocd_seq_id(txn, tenant, VOCD_POINTS_TYPE, id);
	if (rc != 0)
		return rc;
	cJSON_AddStringToObject(e, "id", id);
	const char *person = vocd_json_str(e, "person"), *customer = vocd_json_str(e, "customer");
	char holder[HOLDER_MAX];
	holder_value(person ? person : customer, person == NULL, holder);
	struct vocd_index_value idx[3];
	size_t n = 0;
	idx[n++] = (struct vocd_index_value){"by_holder", holder, strlen(holder) + 1};
	if (key_value)
		idx[n++] = (struct vocd_index_value){"by_key", key_value, strlen(key_value) + 1};
	const char *reverses = vocd_json_str(e, "reverses");
	if (reverses)
		idx[n++] = (struct vocd_index_value){"by_reverses", reverses, strlen(reverses) + 1};
	char *text = NULL;
	rc = vocd_record_put(txn, tenant, VOCD_POINTS_TYPE, id, e, idx, n, action, who, customer ? &text : NULL);
	if (rc == 0 && customer && !reverses)
		rc = vocd_bus_publish(txn, tenant, VOCD_REWARD_TOPIC, text, strlen(text));
	free(text);
	return rc;
}

/* A coupon code: 10 characters of an alphabet without look-alikes (0/O, 1/I/L). */
static int coupon_code(char out[11])
{
	static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
	unsigned char r[10];
	if (vocd_random_bytes(r, sizeof r) != 0)
		return VOCD_EIO;
	for (int i = 0; i < 10; i++)
		out[i] = alphabet[r[i] % (sizeof alphabet - 1)];
	out[10] = '\0';
	return 0;
}

/* A customer is rewarded for their own answer, or for the answer of a customer they referred. */
static int reward_customer_valid(vocd_txn *txn, struct vocd_points_grant *g, const cJSON *ev)
{
	const char *answered = ev ? vocd_json_str(ev, "customer") : NULL;
	if (answered && strcmp(answered, g->customer) == 0)
		return 0;
	cJSON *c = NULL;
	int referred = answered && vocd_record_get(txn, g->tenant, VOCD_CUSTOMER_TYPE, answered, &c) == 0 &&
	               vocd_json_str(c, "referred_by") && strcmp(vocd_json_str(c, "referred_by"), g->customer) == 0;
	cJSON_Delete(c);
	if (referred)
		return 0;
	snprintf(g->message, sizeof g->message, "customer: \"%s\" is neither the customer who answered evaluation %s "
	         "nor the one who referred them", g->customer, g->evaluation ? g->evaluation : "(none)");
	return VOCD_EINVAL;
}

/* The core's limits on a grant: sets g->refused, or returns VOCD_ENOTFOUND when what it names is missing. */
static int check_grant(vocd_txn *txn, struct vocd_points_grant *g)
{
	cJSON *ev = NULL, *ticket = NULL;
	int rc = 0;
	if (g->ticket) {
		if (vocd_record_get(txn, g->tenant, VOCD_TICKET_TYPE, g->ticket, &ticket) != 0) {
			snprintf(g->message, sizeof g->message, "ticket: no ticket %s", g->ticket);
			return VOCD_ENOTFOUND;
		}
	}
	/* The evaluation named, or the one that opened the ticket. */
	const char *eid = g->evaluation ? g->evaluation : ticket ? vocd_json_str(ticket, "evaluation") : NULL;
	g->held_for[0] = '\0';
	if (eid && vocd_record_get(txn, g->tenant, VOCD_EVALUATION_TYPE, eid, &ev) != 0) {
		snprintf(g->message, sizeof g->message, "evaluation: no evaluation %s", eid);
		rc = VOCD_ENOTFOUND;
		goto out;
	}
	if (g->customer && (rc = reward_customer_valid(txn, g, ev)) != 0)
		goto out;
	if (g->points < 0 && !(ticket && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ticket, "confirmed")))) {
		g->refused = "not confirmed";
	} else if (ev && vocd_review_counted_suspect(txn, g->tenant, ev)) {
		g->refused = "suspect";
		/* Not decided yet: held, for the auditor's decision (vocd_points_release). */
		cJSON *review = NULL;
		if (vocd_review_get(txn, g->tenant, eid, &review) == VOCD_ENOTFOUND)
			snprintf(g->held_for, sizeof g->held_for, "%s", eid);
		cJSON_Delete(review);
	}
out:
	cJSON_Delete(ev);
	cJSON_Delete(ticket);
	return rc;
}

/* Makes entry \p e now: its day and time, its audit entry as the grant it is. */
static int grant_now(vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *conf, cJSON *e,
                     const char *key_value, const struct vocd_actor *who, char id[24])
{
	int64_t now = vocd_now_ms();
	vocd_json_set_num(e, "day", vocd_calendar_day_of(&conf->calendar.cal, now));
	vocd_json_set_num(e, "at", (double)now);
	return append(txn, tenant, e, key_value, vocd_json_str(e, "person") ? "points.grant" : "points.reward", who, id);
}

/* Keeps what a policy asked for a suspect answer not yet decided, once per key: made when an auditor
 * clears the answer, dropped when they confirm it. */
static int hold(vocd_txn *txn, struct vocd_points_grant *g, const cJSON *e, const char *key_value)
{
	char id[24];
	int rc = vocd_index_scan(txn, g->tenant, VOCD_POINTS_HELD_TYPE, "by_key", key_value, strlen(key_value) + 1,
	                         first_id, (id[0] = '\0', id));
	if (rc != 0 || id[0])
		return rc;
	if ((rc = vocd_seq_id(txn, g->tenant, VOCD_POINTS_HELD_TYPE, id)) != 0)
		return rc;
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "evaluation", g->held_for);
	cJSON_AddStringToObject(h, "key", key_value);
	cJSON_AddStringToObject(h, "actor", g->who.actor.id);
	cJSON_AddItemToObject(h, "entry", cJSON_Duplicate(e, 1));
	char *text = vocd_json_print(h, NULL);
	cJSON_Delete(h);
	if (!text)
		return VOCD_ENOMEM;
	struct vocd_index_value idx[2] = {{"by_evaluation", g->held_for, strlen(g->held_for) + 1},
	                                  {"by_key", key_value, strlen(key_value) + 1}};
	rc = vocd_rec_put(txn, g->tenant, VOCD_POINTS_HELD_TYPE, id, text, strlen(text), idx, 2);
	free(text);
	return rc;
}

static int grant_job(vocd_txn *txn, void *arg)
{
	struct vocd_points_grant *g = arg;
	char key_value[300];
	snprintf(key_value, sizeof key_value, "%s\x1f%s", g->policy, g->key);
	int rc = find_by(txn, g->tenant, "by_key", key_value, g->id);
	if (rc != 0 || g->id[0]) {
		g->existed = g->id[0] != '\0';
		return rc;
	}
	if ((rc = check_grant(txn, g)) != 0 || (g->refused && !g->held_for[0]))
		return rc;
	cJSON *e = cJSON_CreateObject();
	if (g->person) {
		cJSON_AddStringToObject(e, "holder", "person");
		cJSON_AddStringToObject(e, "person", g->person);
	} else {
		cJSON_AddStringToObject(e, "holder", "customer");
		cJSON_AddStringToObject(e, "customer", g->customer);
	}
	cJSON_AddNumberToObject(e, "points", (double)g->points);
	if (g->coupon) {
		char code[11];
		if ((rc = coupon_code(code)) != 0) {
			cJSON_Delete(e);
			return rc;
		}
		cJSON *c = cJSON_AddObjectToObject(e, "coupon");
		cJSON_AddStringToObject(c, "code", code);
		cJSON_AddNumberToObject(c, "value", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(g->coupon, "value")));
		const char *currency = vocd_json_str(g->coupon, "currency");
		cJSON_AddStringToObject(c, "currency", currency ? currency : "CNY");
	}
	cJSON_AddItemToObject(e, "reason", cJSON_Duplicate(g->reason, 1));
	cJSON_AddStringToObject(e, "policy", g->policy);
	if (g->policy_version)
		cJSON_AddStringToObject(e, "policy_version", g->policy_version);
	if (g->evaluation)
		cJSON_AddStringToObject(e, "evaluation", g->evaluation);
	if (g->ticket)
		cJSON_AddStringToObject(e, "ticket", g->ticket);
	if (g->award)
		cJSON_AddStringToObject(e, "award", g->award);
	cJSON_AddStringToObject(e, "key", g->key);
	if (g->channel)
		cJSON_AddStringToObject(e, "channel", g->channel);
	if (g->customer && g->evaluation) {
		/* The language the customer answered in, for the channel's message. */
		cJSON *ev = NULL;
		if (vocd_record_get(txn, g->tenant, VOCD_EVALUATION_TYPE, g->evaluation, &ev) == 0 && vocd_json_str(ev, "lang"))
			cJSON_AddStringToObject(e, "lang", vocd_json_str(ev, "lang"));
		cJSON_Delete(ev);
	}
	rc = g->held_for[0] ? hold(txn, g, e, key_value) : grant_now(txn, g->tenant, g->conf, e, key_value, &g->who, g->id);
	cJSON_Delete(e);
	return rc;
}

int vocd_points_grant(vocd_store *st, struct vocd_points_grant *g)
{
	g->id[0] = g->message[0] = '\0';
	g->existed = 0;
	g->refused = NULL;
	return vocd_store_write(st, grant_job, g);
}

struct release_job {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	const char *evaluation;
	int cleared;
	int released;
};

/* One held grant: made (once per key; a deduction only if its ticket is still a confirmed complaint), or
 * dropped; the held record goes either way. */
static int release_one(vocd_txn *txn, struct release_job *j, const char *id, cJSON *h)
{
	cJSON *e = cJSON_GetObjectItemCaseSensitive(h, "entry");
	const char *key = vocd_json_str(h, "key");
	char found[24] = "", entry[24];
	int rc = 0;
	if (j->cleared && cJSON_IsObject(e) && key && (rc = find_by(txn, j->tenant, "by_key", key, found)) == 0 && !found[0]) {
		cJSON *ticket = NULL;
		const char *tid = vocd_json_str(e, "ticket");
		int confirmed = !tid || (vocd_record_get(txn, j->tenant, VOCD_TICKET_TYPE, tid, &ticket) == 0 &&
		                         cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ticket, "confirmed")));
		cJSON_Delete(ticket);
		if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "points")) >= 0 || confirmed) {
			struct vocd_actor who = {{VOCD_AUDIT_ACTOR_SYSTEM, vocd_json_str(h, "actor"), NULL}, {NULL, "plugin", NULL, NULL}};
			cJSON_AddStringToObject(e, "held_until_cleared", j->evaluation);
			if ((rc = grant_now(txn, j->tenant, j->conf, e, key, &who, entry)) == 0)
				j->released++;
		}
	}
	return rc == 0 ? vocd_rec_del(txn, j->tenant, VOCD_POINTS_HELD_TYPE, id) : rc;
}

static int collect_held(const char *id, const void *data, size_t len, void *arg)
{
	cJSON *h = cJSON_ParseWithLength(data, len);
	if (!h)
		return VOCD_ENOMEM;
	cJSON_AddStringToObject(h, "_id", id);
	cJSON_AddItemToArray(arg, h);
	return 0;
}

static int release_job(vocd_txn *txn, void *arg)
{
	struct release_job *j = arg;
	cJSON *held = cJSON_CreateArray(), *h;
	j->released = 0;
	int rc = vocd_index_scan(txn, j->tenant, VOCD_POINTS_HELD_TYPE, "by_evaluation", j->evaluation,
	                         strlen(j->evaluation) + 1, collect_held, held);
	cJSON_ArrayForEach(h, held) {
		if (rc != 0)
			break;
		char id[24];
		snprintf(id, sizeof id, "%s", vocd_json_str(h, "_id"));
		rc = release_one(txn, j, id, h);
	}
	cJSON_Delete(held);
	return rc;
}

int vocd_points_release(vocd_store *st, const char *tenant, const struct vocd_tenant_conf *conf,
                        const char *evaluation, int cleared, int *released)
{
	struct release_job j = {tenant, conf, evaluation, cleared, 0};
	int rc = vocd_store_write(st, release_job, &j);
	if (released)
		*released = rc == 0 ? j.released : 0;
	return rc;
}

static int reverse_job(vocd_txn *txn, void *arg)
{
	struct vocd_points_reversal *r = arg;
	cJSON *orig = NULL;
	cJSON_Delete(r->entry);
	r->entry = NULL;
	if (vocd_points_get(txn, r->tenant, r->id, &orig) != 0) {
		snprintf(r->message, sizeof r->message, "no points entry %s", r->id);
		return VOCD_ENOTFOUND;
	}
	int rc = VOCD_EEXIST;
	char by[24];
	if (vocd_json_str(orig, "reverses")) {
		snprintf(r->message, sizeof r->message, "entry %s is itself a reversal (of %s): it cannot be reversed", r->id,
		         vocd_json_str(orig, "reverses"));
		goto out;
	}
	if (vocd_points_reversed(txn, r->tenant, r->id, by)) {
		snprintf(r->message, sizeof r->message, "entry %s has already been reversed by entry %s", r->id, by);
		goto out;
	}
	int64_t now = vocd_now_ms();
	cJSON *e = cJSON_CreateObject();
	for (const char *const *k = (const char *const[]){"holder", "person", "customer", "policy", NULL}; *k; k++)
		if (vocd_json_str(orig, *k))
			cJSON_AddStringToObject(e, *k, vocd_json_str(orig, *k));
	cJSON_AddNumberToObject(e, "points", -cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(orig, "points")));
	cJSON *reason = cJSON_AddObjectToObject(e, "reason");
	cJSON_AddStringToObject(reason, "zh-CN", "撤销积分（见说明）");
	cJSON_AddStringToObject(reason, "en", "Points reversed (see the note)");
	cJSON_AddStringToObject(e, "reverses", r->id);
	cJSON_AddStringToObject(e, "note", r->note);
	cJSON *who = cJSON_AddObjectToObject(e, "by");
	cJSON_AddStringToObject(who, "id", r->who.actor.id);
	if (r->who.actor.role)
		cJSON_AddStringToObject(who, "role", r->who.actor.role);
	if (r->person && *r->person)
		cJSON_AddStringToObject(who, "person", r->person);
	cJSON_AddNumberToObject(e, "day", vocd_calendar_day_of(&r->conf->calendar.cal, now));
	cJSON_AddNumberToObject(e, "at", (double)now);
	char id[24];
	rc = append(txn, r->tenant, e, NULL, "points.reverse", &r->who, id);
	if (rc == 0)
		r->entry = e;
	else
		cJSON_Delete(e);
out:
	cJSON_Delete(orig);
	return rc;
}

int vocd_points_reverse(vocd_store *st, struct vocd_points_reversal *r)
{
	r->entry = NULL;
	r->message[0] = '\0';
	if (!r->note || !*r->note) {
		snprintf(r->message, sizeof r->message, "note: required: say why the entry is reversed");
		return VOCD_EINVAL;
	}
	int rc = vocd_store_write(st, reverse_job, r);
	if (rc != 0) {
		cJSON_Delete(r->entry);
		r->entry = NULL;
	}
	return rc;
}

/* ---- Sums and figures -------------------------------------------------------------------------------- */

struct sum_arg {
	int32_t from, to;
	long long total;
};

static int add_entry(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	struct sum_arg *s = arg;
	cJSON *e = cJSON_ParseWithLength(data, len);
	if (!e)
		return VOCD_ENOMEM;
	int32_t day = (int32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "day"));
	if (day >= s->from && day <= s->to)
		s->total += (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "points"));
	cJSON_Delete(e);
	return 0;
}

int vocd_points_sum(vocd_txn *txn, const char *tenant, const char *holder, int customer, int32_t from_day,
                    int32_t to_day, long long *out)
{
	char value[HOLDER_MAX];
	holder_value(holder, customer, value);
	struct sum_arg s = {from_day, to_day, 0};
	int rc = vocd_index_scan(txn, tenant, VOCD_POINTS_TYPE, "by_holder", value, strlen(value) + 1, add_entry, &s);
	*out = s.total;
	return rc;
}

static int cmp_person(const void *a, const void *b)
{
	return strcmp(vocd_json_str(*(cJSON *const *)a, "person"), vocd_json_str(*(cJSON *const *)b, "person"));
}

static int figures_row(vocd_txn *txn, const char *tenant, const struct vocd_person *p, const char *id,
                       int32_t from_day, int32_t to_day, cJSON **out)
{
	struct vocd_rollup_counts c;
	long long points = 0;
	int rc = vocd_rollup_sum_clean(txn, tenant, "agent", id, from_day, to_day, &c);
	if (rc == 0)
		rc = vocd_points_sum(txn, tenant, id, 0, from_day, to_day, &points);
	if (rc != 0)
		return rc;
	uint32_t csat_n = 0, good = c.csat[4] + c.csat[5], nps_n = 0, promoters = c.nps[9] + c.nps[10], detractors = 0;
	double csat_sum = 0;
	for (int s = 1; s <= 5; s++) {
		csat_n += c.csat[s];
		csat_sum += (double)s * c.csat[s];
	}
	for (int s = 0; s <= 10; s++) {
		nps_n += c.nps[s];
		if (s <= 6)
			detractors += c.nps[s];
	}
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "person", id);
	if (p && p->name)
		cJSON_AddStringToObject(r, "name", p->name);
	if (p && p->team)
		cJSON_AddStringToObject(r, "team", p->team);
	cJSON_AddNumberToObject(r, "answers", c.answers);
	cJSON_AddNumberToObject(r, "csat_answers", csat_n);
	cJSON_AddNumberToObject(r, "csat_good", good);
	if (csat_n)
		cJSON_AddNumberToObject(r, "csat_mean", round(csat_sum / csat_n * 10000) / 10000);
	cJSON_AddNumberToObject(r, "nps_answers", nps_n);
	cJSON_AddNumberToObject(r, "promoters", promoters);
	cJSON_AddNumberToObject(r, "detractors", detractors);
	cJSON_AddNumberToObject(r, "points", (double)points);
	*out = r;
	return 0;
}

int vocd_points_figures(vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *conf, int32_t from_day,
                        int32_t to_day, cJSON **out)
{
	*out = NULL;
	/* The people, and the agents the rollups name who are not among them. */
	cJSON *agents = cJSON_CreateArray();
	int rc = vocd_rollup_values(txn, tenant, "agent", 100000, agents);
	cJSON *rows = cJSON_CreateArray();
	for (size_t i = 0; rc == 0 && i < conf->people.n; i++) {
		const struct vocd_person *p = &conf->people.list[i];
		cJSON *r = NULL;
		if ((rc = figures_row(txn, tenant, p, p->id, from_day, to_day, &r)) == 0)
			cJSON_AddItemToArray(rows, r);
	}
	const cJSON *o;
	cJSON_ArrayForEach(o, agents) {
		cJSON *r = NULL;
		if (vocd_people_find(&conf->people, o->valuestring))
			continue;
		if (rc != 0 || (rc = figures_row(txn, tenant, NULL, o->valuestring, from_day, to_day, &r)) != 0)
			break;
		if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "answers")) > 0)
			cJSON_AddItemToArray(rows, r);
		else
			cJSON_Delete(r);
	}
	cJSON_Delete(agents);
	if (rc != 0) {
		cJSON_Delete(rows);
		return rc;
	}
	/* By person id, whoever they are. */
	int n = cJSON_GetArraySize(rows);
	cJSON **items = n ? malloc((size_t)n * sizeof *items) : NULL;
	if (n && !items) {
		cJSON_Delete(rows);
		return VOCD_ENOMEM;
	}
	for (int i = 0; i < n; i++)
		items[i] = cJSON_DetachItemFromArray(rows, 0);
	qsort(items, (size_t)n, sizeof *items, cmp_person);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(rows, items[i]);
	free(items);
	*out = rows;
	return 0;
}

/* ---- The Wilson bound -------------------------------------------------------------------- */

double vocd_wilson_lower(double good, double n, double z)
{
	if (n <= 0)
		return 0;
	double p = good / n, z2 = z * z;
	double centre = p + z2 / (2 * n), spread = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	double lower = (centre - spread) / (1 + z2 / n);
	return lower < 0 ? 0 : lower;
}

/* Tickets: opening (with repeat detection, merging and assignment), the state machine with its roles,
 * notes and evidence, and the history kept in each ticket. */
#include "ticket.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "ids.h"
#include "invitation.h"
#include "json_text.h"
#include "sla.h"
#include "ticket_assign.h"
#include "token.h"

#define DAY_MS 86400000LL

static const char *const state_names[VOCD_TICKET_STATE_COUNT] = {
	"received", "acknowledged", "investigating", "waiting_customer", "resolved", "revisiting", "closed", "reopened"};
static const char *const priority_names[] = {"low", "normal", "high", "highest"};

#define B(s) (1u << (s))
#define WORKING (B(VOCD_TICKET_ACKNOWLEDGED) | B(VOCD_TICKET_INVESTIGATING) | B(VOCD_TICKET_WAITING_CUSTOMER) | \
                 B(VOCD_TICKET_RESOLVED) | B(VOCD_TICKET_CLOSED))

/* Where each state may go. Closing an unresolved ticket (a duplicate, not a complaint) is for supervisors. */
static const unsigned next_states[VOCD_TICKET_STATE_COUNT] = {
	[VOCD_TICKET_RECEIVED] = WORKING,
	[VOCD_TICKET_ACKNOWLEDGED] = WORKING & ~B(VOCD_TICKET_ACKNOWLEDGED),
	[VOCD_TICKET_INVESTIGATING] = WORKING & ~(B(VOCD_TICKET_ACKNOWLEDGED) | B(VOCD_TICKET_INVESTIGATING)),
	[VOCD_TICKET_WAITING_CUSTOMER] = WORKING & ~B(VOCD_TICKET_WAITING_CUSTOMER),
	[VOCD_TICKET_RESOLVED] = B(VOCD_TICKET_REVISITING) | B(VOCD_TICKET_CLOSED) | B(VOCD_TICKET_REOPENED),
	[VOCD_TICKET_REVISITING] = B(VOCD_TICKET_CLOSED) | B(VOCD_TICKET_REOPENED),
	[VOCD_TICKET_CLOSED] = B(VOCD_TICKET_REOPENED),
	[VOCD_TICKET_REOPENED] = WORKING,
};

/* States an agent may move their own ticket to; the rest is for supervisors, admins and the system. */
#define AGENT_STATES (B(VOCD_TICKET_ACKNOWLEDGED) | B(VOCD_TICKET_INVESTIGATING) | B(VOCD_TICKET_WAITING_CUSTOMER) | \
                      B(VOCD_TICKET_RESOLVED))

const char *vocd_ticket_state_name(int s)
{
	return s >= 0 && s < VOCD_TICKET_STATE_COUNT ? state_names[s] : "?";
}

int vocd_ticket_state_parse(const char *s)
{
	for (int i = 0; s && i < VOCD_TICKET_STATE_COUNT; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

int vocd_ticket_priority_parse(const char *s)
{
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, priority_names[i]) == 0)
			return i;
	return -1;
}

const char *vocd_ticket_priority_name(int p)
{
	return p >= 0 && p < 4 ? priority_names[p] : "?";
}

int vocd_ticket_state_open(int state)
{
	return state != VOCD_TICKET_CLOSED;
}

/* How severe a class is when two rules open a ticket for one evaluation: the more severe one wins. */
static int severity(int klass)
{
	static const int rank[VOCD_CLASS_COUNT] = {0, 1, 3, 2};
	return klass >= 0 && klass < VOCD_CLASS_COUNT ? rank[klass] : 0;
}

static int default_priority(int klass)
{
	return klass == VOCD_CLASS_URGENT ? 3 : klass == VOCD_CLASS_GENERAL ? 1 : 2;
}

/* ---- Storing ------------------------------------------------------------------------------------- */

static int64_t num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* The ticket with its index entries: by customer (and time), by evaluation, and open tickets by assignee
 * (counted for "fewest open"). */
int vocd_ticket_put(vocd_txn *txn, const char *tenant, cJSON *t, const char *action, const struct vocd_actor *who,
                    char **text_out)
{
	struct vocd_index_value idx[3];
	size_t n = 0;
	unsigned char ckey[160];
	char ekey[40], akey[130];
	const char *customer = vocd_json_str(t, "customer"), *evaluation = vocd_json_str(t, "evaluation");
	const char *assignee = vocd_json_str(t, "assignee");
	if (customer)
		idx[n++] = (struct vocd_index_value){"by_customer", ckey, vocd_invitation_index_key(customer, num(t, "created_at"), ckey)};
	if (evaluation) {
		snprintf(ekey, sizeof ekey, "%s", evaluation);
		idx[n++] = (struct vocd_index_value){"by_evaluation", ekey, strlen(ekey) + 1};
	}
	if (assignee && vocd_ticket_state_open(vocd_ticket_state_parse(vocd_json_str(t, "state"))))
		idx[n++] = (struct vocd_index_value){"open_by_assignee", akey, vocd_assign_open_key(assignee, akey)};
	vocd_json_set_num(t, "updated_at", (double)vocd_now_ms());
	return vocd_record_put(txn, tenant, VOCD_TICKET_TYPE, vocd_json_str(t, "id"), t, idx, n, action, who, text_out);
}

static void add_by(cJSON *entry, const struct vocd_ticket_actor *by)
{
	cJSON *o = cJSON_AddObjectToObject(entry, "by");
	cJSON_AddStringToObject(o, "kind", vocd_audit_actor_kind_name(by->who->actor.kind));
	cJSON_AddStringToObject(o, "id", by->who->actor.id);
	if (by->who->actor.role)
		cJSON_AddStringToObject(o, "role", by->who->actor.role);
	if (by->person)
		cJSON_AddStringToObject(o, "person", by->person);
}

cJSON *vocd_ticket_history(cJSON *t, const char *action, const struct vocd_ticket_actor *by, const char *note)
{
	cJSON *h = cJSON_GetObjectItemCaseSensitive(t, "history");
	if (!h)
		h = cJSON_AddArrayToObject(t, "history");
	cJSON *e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "at", (double)vocd_now_ms());
	cJSON_AddStringToObject(e, "action", action);
	add_by(e, by);
	if (note)
		cJSON_AddStringToObject(e, "note", note);
	cJSON_AddItemToArray(h, e);
	return e;
}

/* Stores the ticket (its audit entry for \p action) and publishes it on \p topic as stored, with \p key set to
 * \p extra when given: what changed, or which deadline was missed. */
int vocd_ticket_save(vocd_txn *txn, const char *tenant, cJSON *t, const char *action, const struct vocd_actor *who,
                     const char *topic, const char *key, const cJSON *extra)
{
	char *stored = NULL;
	int rc = vocd_ticket_put(txn, tenant, t, action, who, &stored);
	if (rc != 0)
		return rc;
	if (!extra) {
		rc = vocd_bus_publish(txn, tenant, topic, stored, strlen(stored));
		free(stored);
		return rc;
	}
	cJSON *ev = cJSON_Parse(stored);
	free(stored);
	if (!ev)
		return VOCD_ENOMEM;
	cJSON_AddItemToObject(ev, key, cJSON_Duplicate(extra, 1));
	char *text = vocd_json_print(ev, NULL);
	cJSON_Delete(ev);
	if (!text)
		return VOCD_ENOMEM;
	rc = vocd_bus_publish(txn, tenant, topic, text, strlen(text));
	free(text);
	return rc;
}

static int assign(vocd_txn *txn, const struct vocd_tenant_conf *conf, cJSON *t, const cJSON *spec)
{
	char person[129], queue[129];
	int rc = vocd_assign_resolve(txn, conf, spec, t, person, queue);
	if (rc != 0)
		return rc;
	vocd_json_set_str(t, "assignee", person[0] ? person : NULL);
	vocd_json_set_str(t, "queue", queue[0] ? queue : NULL);
	return 0;
}

/* ---- Opening ------------------------------------------------------------------------------------- */

struct find_ctx {
	const char *category, *not_id;
	int64_t since;
	char found[24];
	int64_t found_at;
	int open_only;
};

/* The customer's latest ticket of that category since \p since (repeat detection). */
static int note_repeat(const char *id, const void *data, size_t len, void *arg)
{
	struct find_ctx *f = arg;
	cJSON *t = cJSON_ParseWithLength(data, len);
	if (!t)
		return 0;
	const char *cat = vocd_json_str(t, "category");
	int64_t at = num(t, "created_at");
	if (cat && strcmp(cat, f->category) == 0 && at >= f->since && at >= f->found_at) {
		snprintf(f->found, sizeof f->found, "%s", id);
		f->found_at = at;
	}
	cJSON_Delete(t);
	return 0;
}

/* The open ticket of an evaluation, if there is one. */
static int note_open(const char *id, const void *data, size_t len, void *arg)
{
	struct find_ctx *f = arg;
	cJSON *t = cJSON_ParseWithLength(data, len);
	if (t && vocd_ticket_state_open(vocd_ticket_state_parse(vocd_json_str(t, "state"))))
		snprintf(f->found, sizeof f->found, "%s", id);
	cJSON_Delete(t);
	return f->found[0] ? 1 : 0;
}

static void add_rule(cJSON *t, const char *rule)
{
	if (!rule)
		return;
	cJSON *rules = cJSON_GetObjectItemCaseSensitive(t, "rules");
	if (!rules)
		rules = cJSON_AddArrayToObject(t, "rules");
	const cJSON *r;
	cJSON_ArrayForEach(r, rules) if (cJSON_IsString(r) && strcmp(r->valuestring, rule) == 0) return;
	cJSON_AddItemToArray(rules, cJSON_CreateString(rule));
}

/* A second rule fired for an evaluation whose ticket is open: the ticket takes the more severe class and
 * the higher priority; a more severe class is reassigned as that rule says. */
static int raise_ticket(vocd_txn *txn, struct vocd_ticket_open *o, const char *id)
{
	cJSON *t = NULL;
	int rc = vocd_record_get(txn, o->tenant, VOCD_TICKET_TYPE, id, &t);
	if (rc != 0)
		return rc;
	snprintf(o->id, sizeof o->id, "%s", id);
	o->merged = 1;
	int old = vocd_ticket_class_parse(vocd_json_str(t, "class"));
	int oldp = vocd_ticket_priority_parse(vocd_json_str(t, "priority"));
	int prio = o->priority >= 0 ? o->priority : default_priority(o->klass);
	struct vocd_ticket_actor by = {o->who, -1, NULL};
	cJSON *e = vocd_ticket_history(t, "raise", &by, NULL);
	if (o->rule)
		cJSON_AddStringToObject(e, "rule", o->rule);
	add_rule(t, o->rule);
	if (severity(o->klass) > severity(old)) {
		vocd_json_set_str(t, "class", vocd_ticket_class_name(o->klass));
		cJSON_AddStringToObject(e, "class", vocd_ticket_class_name(o->klass));
		if ((rc = vocd_sla_reclassify(txn, o->conf, t, vocd_now_ms())) == 0 && o->assign)
			rc = assign(txn, o->conf, t, o->assign);
	}
	if (rc == 0 && prio > oldp) {
		vocd_json_set_str(t, "priority", vocd_ticket_priority_name(prio));
		cJSON_AddStringToObject(e, "priority", vocd_ticket_priority_name(prio));
	}
	if (rc == 0)
		rc = vocd_ticket_save(txn, o->tenant, t, "ticket.raise", o->who, "ticket.changed", "change", e);
	cJSON_Delete(t);
	return rc;
}

int vocd_ticket_open_in(vocd_txn *txn, struct vocd_ticket_open *o)
{
	o->id[0] = '\0';
	o->merged = 0;
	int rc;
	if (o->evaluation) {
		struct find_ctx f = {0};
		char key[40];
		snprintf(key, sizeof key, "%s", o->evaluation);
		rc = vocd_index_scan(txn, o->tenant, VOCD_TICKET_TYPE, "by_evaluation", key, strlen(key) + 1, note_open, &f);
		if (rc < 0)
			return rc;
		if (f.found[0])
			return raise_ticket(txn, o, f.found);
	}
	int64_t now = vocd_now_ms();
	const char *category = o->category ? o->category : o->evaluation ? "evaluation" : "complaint";
	int klass = o->klass >= 0 && o->klass < VOCD_CLASS_COUNT ? o->klass : VOCD_CLASS_GENERAL;
	char repeat_of[24] = "";
	if (o->customer && o->conf->tickets.repeat_within_days > 0) {
		struct find_ctx f = {category, NULL, now - (int64_t)o->conf->tickets.repeat_within_days * DAY_MS, "", 0, 0};
		rc = vocd_index_scan(txn, o->tenant, VOCD_TICKET_TYPE, "by_customer", o->customer, strlen(o->customer) + 1,
		                     note_repeat, &f);
		if (rc < 0)
			return rc;
		snprintf(repeat_of, sizeof repeat_of, "%s", f.found);
		if (repeat_of[0] && klass != VOCD_CLASS_URGENT)
			klass = VOCD_CLASS_REPEAT;
	}
	if ((rc = vocd_seq_id(txn, o->tenant, VOCD_TICKET_TYPE, o->id)) != 0)
		return rc;
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", o->id);
	cJSON_AddStringToObject(t, "class", vocd_ticket_class_name(klass));
	cJSON_AddStringToObject(t, "priority", vocd_ticket_priority_name(o->priority >= 0 ? o->priority : default_priority(klass)));
	cJSON_AddStringToObject(t, "state", "received");
	cJSON_AddStringToObject(t, "category", category);
	if (o->customer)
		cJSON_AddStringToObject(t, "customer", o->customer);
	if (o->evaluation)
		cJSON_AddStringToObject(t, "evaluation", o->evaluation);
	if (o->channel)
		cJSON_AddStringToObject(t, "channel", o->channel);
	if (o->lang)
		cJSON_AddStringToObject(t, "lang", o->lang);
	if (o->summary)
		cJSON_AddStringToObject(t, "summary", o->summary);
	if (o->text)
		cJSON_AddStringToObject(t, "text", o->text);
	cJSON_AddItemToObject(t, "context", o->context ? cJSON_Duplicate(o->context, 1) : cJSON_CreateObject());
	cJSON *above = vocd_org_above(&o->conf->org, o->context);
	if (above) /* a unit's ticket figures count its subtree's, as its answers' do */
		cJSON_AddItemToObject(t, "org", above);
	if (repeat_of[0])
		cJSON_AddStringToObject(t, "repeat_of", repeat_of);
	cJSON_AddBoolToObject(t, "detractor", o->detractor);
	add_rule(t, o->rule);
	cJSON_AddNumberToObject(t, "created_at", (double)now);
	struct vocd_ticket_actor by = {o->who, -1, NULL};
	cJSON *e = vocd_ticket_history(t, "open", &by, NULL);
	if (o->rule)
		cJSON_AddStringToObject(e, "rule", o->rule);
	if (repeat_of[0])
		cJSON_AddStringToObject(e, "repeat_of", repeat_of);
	rc = assign(txn, o->conf, t, o->assign);
	for (int s = VOCD_STAGE_ACKNOWLEDGE; rc == 0 && s <= VOCD_STAGE_RESOLVE; s++)
		rc = vocd_sla_start(txn, o->conf, t, s, now);
	if (rc == 0)
		rc = vocd_ticket_save(txn, o->tenant, t, "ticket.open", o->who, "ticket.opened", NULL, NULL);
	cJSON_Delete(t);
	return rc;
}

static int open_job(vocd_txn *txn, void *arg)
{
	return vocd_ticket_open_in(txn, arg);
}

int vocd_ticket_open(vocd_store *st, struct vocd_ticket_open *o)
{
	return vocd_store_write(st, open_job, o);
}

/* ---- Changing ------------------------------------------------------------------------------------ */

static int refuse(struct vocd_ticket_change *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(struct vocd_ticket_change *c, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
	return code;
}

/* May this actor touch this ticket at all? Agents act only on the tickets assigned to them. */
static int may_act(struct vocd_ticket_change *c, const cJSON *t)
{
	int role = c->by.role;
	if (role < 0 || role == VOCD_ROLE_ADMIN || role == VOCD_ROLE_SUPERVISOR)
		return 0;
	if (role != VOCD_ROLE_AGENT)
		return refuse(c, VOCD_EDENIED, "the role '%s' may not change tickets", vocd_role_name(role));
	const char *assignee = vocd_json_str(t, "assignee");
	if (!c->by.person)
		return refuse(c, VOCD_EDENIED, "this agent token is not bound to a person (vocd token create --person ID)");
	if (!assignee || strcmp(assignee, c->by.person) != 0)
		return refuse(c, VOCD_EDENIED, "ticket %s is not assigned to %s", vocd_json_str(t, "id"), c->by.person);
	return 0;
}

/* Whether the tenant sends through a channel plugin of this name. */
static int channel_enabled(const struct vocd_tenant_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->nplugins; i++)
		if (strcmp(conf->plugins[i].kind, "channel") == 0 && strcmp(conf->plugins[i].name, name) == 0)
			return 1;
	return 0;
}

/* The channel the revisit goes through: the tenant's choice; else the ticket's own channel when a plugin
 * sends through it; else SMS or email, whichever the tenant sends through and the customer can be reached
 * by. NULL: nothing reaches them (a web form, a walk-in): the revisit is made by hand. */
static const char *revisit_channel(vocd_txn *txn, const struct vocd_ticket_change *c, const cJSON *t)
{
	if (c->conf->tickets.revisit_channel)
		return c->conf->tickets.revisit_channel;
	const char *own = vocd_json_str(t, "channel");
	if (own && channel_enabled(c->conf, own))
		return own;
	static const char *const reach[][2] = {{"sms", "phone"}, {"email", "email"}};
	cJSON *customer = NULL;
	const char *found = NULL;
	if (vocd_record_get(txn, c->tenant, VOCD_CUSTOMER_TYPE, vocd_json_str(t, "customer"), &customer) == 0)
		for (size_t i = 0; !found && i < sizeof reach / sizeof reach[0]; i++)
			if (channel_enabled(c->conf, reach[i][0]) && vocd_json_str(customer, reach[i][1]))
				found = reach[i][0];
	cJSON_Delete(customer);
	return found;
}

/* The revisit: the customer is invited again through the collection path, linked to the ticket. */
static int invite_again(vocd_txn *txn, struct vocd_ticket_change *c, cJSON *t, const char *channel)
{
	unsigned char key[32];
	int rc = vocd_pii_derive_key(c->pii, "invitation", c->tenant, key);
	if (rc != 0)
		return rc;
	cJSON *customer = cJSON_CreateObject();
	cJSON_AddStringToObject(customer, "external_id", vocd_json_str(t, "customer"));
	cJSON *context = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "context"), 1);
	if (!context)
		context = cJSON_CreateObject();
	vocd_json_set_str(context, "type", "revisit");
	struct vocd_invitation_new n;
	memset(&n, 0, sizeof n);
	n.tenant = c->tenant;
	n.conf = c->conf;
	n.pii = c->pii;
	n.customer = customer;
	n.context = context;
	n.channel = channel;
	n.lang = vocd_json_str(t, "lang") ? vocd_json_str(t, "lang") : "zh-CN";
	n.base_url = c->base_url;
	n.key = key;
	n.ticket = vocd_json_str(t, "id");
	n.skip_spacing = 1;
	n.who = *c->by.who;
	rc = vocd_invitation_create_in(txn, &n);
	memset(key, 0, sizeof key);
	cJSON_Delete(customer);
	cJSON_Delete(context);
	if (rc != 0)
		return rc;
	snprintf(c->invitation, sizeof c->invitation, "%s", n.id);
	/* A ticket reopened and resolved again asks again: only the latest revisit is awaited. */
	cJSON_DeleteItemFromObjectCaseSensitive(t, "revisit");
	cJSON *r = cJSON_AddObjectToObject(t, "revisit");
	cJSON_AddStringToObject(r, "invitation", n.id);
	cJSON_AddStringToObject(r, "channel", n.channel);
	cJSON_AddNumberToObject(r, "sent_at", (double)vocd_now_ms());
	return 0;
}

/* The revisit's answer, and whether an unhappy customer was won back (the recovery rate). */
static void revisit_answered(struct vocd_ticket_change *c, cJSON *t, cJSON *entry, int64_t now)
{
	cJSON *r = cJSON_GetObjectItemCaseSensitive(t, "revisit");
	if (!r)
		r = cJSON_AddObjectToObject(t, "revisit");
	vocd_json_set_str(r, "evaluation", c->revisit_evaluation);
	vocd_json_set_num(r, "answered_at", (double)now);
	cJSON_DeleteItemFromObjectCaseSensitive(r, "satisfied");
	if (c->revisit_satisfied >= 0)
		cJSON_AddBoolToObject(r, "satisfied", c->revisit_satisfied);
	cJSON_AddStringToObject(entry, "evaluation", c->revisit_evaluation);
	cJSON_DeleteItemFromObjectCaseSensitive(t, "recovered");
	if (c->revisit_satisfied >= 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "detractor")))
		cJSON_AddBoolToObject(t, "recovered", c->revisit_satisfied);
}

/* Clocks and fields of entering state \p to from \p from. */
static int enter_state(vocd_txn *txn, struct vocd_ticket_change *c, cJSON *t, int from, int to, int64_t now)
{
	const struct vocd_tenant_conf *conf = c->conf;
	int rc = 0;
	if (from == VOCD_TICKET_WAITING_CUSTOMER)
		rc = vocd_sla_resume(txn, conf, t, now);
	if (rc == 0) /* anything done with a received ticket acknowledges it */
		rc = vocd_sla_finish(txn, c->tenant, t, VOCD_STAGE_ACKNOWLEDGE, now);
	if (rc == 0 && (to == VOCD_TICKET_INVESTIGATING || to == VOCD_TICKET_RESOLVED || to == VOCD_TICKET_CLOSED))
		rc = vocd_sla_finish(txn, c->tenant, t, VOCD_STAGE_PLAN, now);
	if (rc == 0 && (to == VOCD_TICKET_RESOLVED || to == VOCD_TICKET_CLOSED))
		rc = vocd_sla_finish(txn, c->tenant, t, VOCD_STAGE_RESOLVE, now);
	if (rc != 0)
		return rc;
	switch (to) {
	case VOCD_TICKET_WAITING_CUSTOMER:
		return vocd_sla_pause(txn, conf, t, now);
	case VOCD_TICKET_RESOLVED:
		if (c->resolution)
			vocd_json_set_str(t, "resolution", c->resolution);
		if (c->root_cause)
			vocd_json_set_str(t, "root_cause", c->root_cause);
		cJSON_DeleteItemFromObjectCaseSensitive(t, "confirmed");
		if (c->confirmed)
			cJSON_AddBoolToObject(t, "confirmed", c->confirmed == VOCD_COMPLAINT_FOUNDED);
		if (c->compensation) {
			cJSON_DeleteItemFromObjectCaseSensitive(t, "compensation");
			cJSON_AddItemToObject(t, "compensation", cJSON_Duplicate(c->compensation, 1));
		}
		vocd_json_set_num(t, "resolved_at", (double)now);
		return vocd_sla_start(txn, conf, t, VOCD_STAGE_REVISIT, now);
	case VOCD_TICKET_CLOSED:
		vocd_json_set_num(t, "closed_at", (double)now);
		return vocd_sla_finish(txn, c->tenant, t, VOCD_STAGE_REVISIT, now);
	case VOCD_TICKET_REOPENED:
		vocd_json_set_num(t, "reopen_count", (double)(num(t, "reopen_count") + 1));
		cJSON_DeleteItemFromObjectCaseSensitive(t, "closed_at");
		if ((rc = vocd_sla_finish(txn, c->tenant, t, VOCD_STAGE_REVISIT, now)) != 0)
			return rc;
		return vocd_sla_start(txn, conf, t, VOCD_STAGE_RESOLVE, now);
	default:
		return 0;
	}
}

static int change_state(vocd_txn *txn, struct vocd_ticket_change *c, cJSON *t, cJSON *entry, int64_t now)
{
	int from = vocd_ticket_state_parse(vocd_json_str(t, "state"));
	int to = vocd_ticket_state_parse(c->to);
	if (to < 0)
		return refuse(c, VOCD_EUNPROC, "to: \"%s\" is not a state (received, acknowledged, investigating, "
		              "waiting_customer, resolved, revisiting, closed, reopened)", c->to);
	if (from < 0 || !(next_states[from] & B(to)))
		return refuse(c, VOCD_EEXIST, "a ticket that is %s cannot become %s", vocd_ticket_state_name(from), c->to);
	if (c->by.role == VOCD_ROLE_AGENT && !(AGENT_STATES & B(to)))
		return refuse(c, VOCD_EDENIED, "an agent may not make a ticket %s", c->to);
	int manual_close = to == VOCD_TICKET_CLOSED && from != VOCD_TICKET_REVISITING && from != VOCD_TICKET_RESOLVED;
	if ((to == VOCD_TICKET_REOPENED || manual_close) && !c->note)
		return refuse(c, VOCD_EUNPROC, "note: required to make a ticket %s (say why)", c->to);
	if (to == VOCD_TICKET_RESOLVED && !c->resolution)
		return refuse(c, VOCD_EUNPROC, "resolution: required: what was done for the customer");
	if (to == VOCD_TICKET_RESOLVED && !c->root_cause && strcmp(vocd_json_str(t, "class"), "repeat") == 0)
		return refuse(c, VOCD_EUNPROC, "root_cause: required for a repeat complaint: why it happened again");
	cJSON_AddStringToObject(entry, "from", vocd_ticket_state_name(from));
	cJSON_AddStringToObject(entry, "to", c->to);
	if (c->revisit_evaluation)
		revisit_answered(c, t, entry, now);
	int rc = enter_state(txn, c, t, from, to, now);
	vocd_json_set_str(t, "state", c->to);
	/* Resolved with a customer to ask: the revisit goes out now and the ticket waits for the answer. */
	if (rc == 0 && to == VOCD_TICKET_RESOLVED && c->conf->tickets.revisit && c->pii && vocd_json_str(t, "customer")) {
		const char *channel = revisit_channel(txn, c, t);
		if (!channel) {
			cJSON_AddStringToObject(entry, "revisit", "by hand: no channel reaches the customer");
		} else if ((rc = invite_again(txn, c, t, channel)) == 0) {
			vocd_json_set_str(t, "state", "revisiting");
			cJSON_AddStringToObject(entry, "then", "revisiting");
			cJSON_AddStringToObject(entry, "invitation", c->invitation);
		}
	}
	return rc;
}

int vocd_ticket_change_in(vocd_txn *txn, struct vocd_ticket_change *c)
{
	c->error[0] = c->invitation[0] = '\0';
	cJSON *t = NULL;
	int rc = vocd_record_get(txn, c->tenant, VOCD_TICKET_TYPE, c->id, &t);
	if (rc != 0)
		return rc;
	if ((rc = may_act(c, t)) != 0)
		goto out;
	int64_t now = vocd_now_ms();
	const char *action = c->to ? "transition" : c->assign ? "assign" : "reclassify";
	if (!c->to && c->by.role == VOCD_ROLE_AGENT) {
		rc = refuse(c, VOCD_EDENIED, "an agent may not %s a ticket", action);
		goto out;
	}
	if (!c->to && c->by.role >= 0 && !c->note) {
		rc = refuse(c, VOCD_EUNPROC, "note: required to %s a ticket (say why)", action);
		goto out;
	}
	cJSON *entry = vocd_ticket_history(t, action, &c->by, c->note);
	if (c->rule)
		cJSON_AddStringToObject(entry, "rule", c->rule);
	const char *before = vocd_json_str(t, "assignee");
	char was[129];
	snprintf(was, sizeof was, "%s", before ? before : "");
	if (c->to) {
		rc = change_state(txn, c, t, entry, now);
	} else {
		if (c->klass >= 0 && c->klass != vocd_ticket_class_parse(vocd_json_str(t, "class"))) {
			vocd_json_set_str(t, "class", vocd_ticket_class_name(c->klass));
			cJSON_AddStringToObject(entry, "class", vocd_ticket_class_name(c->klass));
			rc = vocd_sla_reclassify(txn, c->conf, t, now);
		}
		if (rc == 0 && c->priority >= 0) {
			vocd_json_set_str(t, "priority", vocd_ticket_priority_name(c->priority));
			cJSON_AddStringToObject(entry, "priority", vocd_ticket_priority_name(c->priority));
		}
		if (rc == 0 && c->assign && (rc = assign(txn, c->conf, t, c->assign)) == 0) {
			const char *a = vocd_json_str(t, "assignee");
			cJSON_AddStringToObject(entry, "assignee", a ? a : "");
			if (was[0])
				cJSON_AddStringToObject(entry, "previous", was);
		}
	}
	if (rc != 0)
		goto out;
	char action_name[40];
	snprintf(action_name, sizeof action_name, "ticket.%s", action);
	rc = vocd_ticket_save(txn, c->tenant, t, action_name, c->by.who, "ticket.changed", "change", entry);
out:
	cJSON_Delete(t);
	return rc;
}

static int change_job(vocd_txn *txn, void *arg)
{
	return vocd_ticket_change_in(txn, arg);
}

int vocd_ticket_change(vocd_store *st, struct vocd_ticket_change *c)
{
	return vocd_store_write(st, change_job, c);
}

/* ---- Notes and reading --------------------------------------------------------------------------- */

struct note_job {
	const char *tenant, *ticket, *kind, *text;
	const struct vocd_ticket_actor *by;
	char id[24];
	char error[256];
};

static int note_job(vocd_txn *txn, void *arg)
{
	struct note_job *j = arg;
	cJSON *t = NULL;
	int rc = vocd_record_get(txn, j->tenant, VOCD_TICKET_TYPE, j->ticket, &t);
	if (rc != 0)
		return rc;
	struct vocd_ticket_change c = {.by = *j->by};
	rc = may_act(&c, t);
	cJSON_Delete(t);
	if (rc != 0) {
		snprintf(j->error, sizeof j->error, "%s", c.error);
		return rc;
	}
	if ((rc = vocd_seq_id(txn, j->tenant, VOCD_TICKET_NOTE_TYPE, j->id)) != 0)
		return rc;
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", j->id);
	cJSON_AddStringToObject(rec, "ticket", j->ticket);
	cJSON_AddStringToObject(rec, "kind", j->kind);
	cJSON_AddStringToObject(rec, "text", j->text);
	add_by(rec, j->by);
	cJSON_AddNumberToObject(rec, "at", (double)vocd_now_ms());
	struct vocd_index_value idx = {"by_ticket", j->ticket, strlen(j->ticket) + 1};
	rc = vocd_record_put(txn, j->tenant, VOCD_TICKET_NOTE_TYPE, j->id, rec, &idx, 1, "ticket.note", j->by->who, NULL);
	cJSON_Delete(rec);
	return rc;
}

int vocd_ticket_note(vocd_store *st, const char *tenant, const char *ticket, const char *kind, const char *text,
                     const struct vocd_ticket_actor *by, char id[24], char *error, size_t errlen)
{
	struct note_job j = {tenant, ticket, kind, text, by, "", ""};
	int rc = vocd_store_write(st, note_job, &j);
	snprintf(id, 24, "%s", j.id);
	snprintf(error, errlen, "%s", j.error);
	return rc;
}

int vocd_ticket_get(vocd_store *st, const char *tenant, const char *id, cJSON **out)
{
	return vocd_record_read(st, tenant, VOCD_TICKET_TYPE, id, out);
}

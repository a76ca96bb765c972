/* The actions of fired workflow rules, carried out in the job that records the rule's firing. */
#include "rule_actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "error.h"
#include "ids.h"
#include "notify.h"
#include "record.h"
#include "ticket.h"
#include "ticket_assign.h"

struct act {
	vocd_txn *txn;
	struct vocd_rule_run *run;
	struct vocd_actor who;
	char ticket[24]; /* the event's ticket, or the one this rule just opened */
	char alert[24];
};

static const cJSON *record_of(const struct vocd_facts *f, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(f->root, name);
}

/* An evaluation is a detractor's when its CSAT is 1-2 or its NPS score 0-6 (for the recovery rate). */
static int detractor(const cJSON *evaluation)
{
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(evaluation, "scores");
	const cJSON *csat = cJSON_GetObjectItemCaseSensitive(scores, "csat"), *nps = cJSON_GetObjectItemCaseSensitive(scores, "nps");
	return (cJSON_IsNumber(csat) && csat->valuedouble <= 2) || (cJSON_IsNumber(nps) && nps->valuedouble <= 6);
}

static int open_ticket(struct act *x, const cJSON *a, cJSON *d)
{
	const struct vocd_facts *f = x->run->facts;
	const cJSON *ev = record_of(f, "evaluation"), *tk = record_of(f, "ticket"), *inv = record_of(f, "invitation");
	const cJSON *subject = ev ? ev : tk ? tk : inv;
	const char *klass = vocd_json_str(a, "class"), *prio = vocd_json_str(a, "priority");
	const cJSON *assign = cJSON_GetObjectItemCaseSensitive(a, "assign");
	cJSON_AddStringToObject(d, "class", klass ? klass : "general");
	if (prio)
		cJSON_AddStringToObject(d, "priority", prio);
	if (vocd_json_str(a, "category"))
		cJSON_AddStringToObject(d, "category", vocd_json_str(a, "category"));
	if (assign)
		cJSON_AddItemToObject(d, "assign", cJSON_Duplicate(assign, 1));
	/* The answer to a ticket's revisit has its ticket already: an unhappy one reopens it (ticket_events.c),
	 * and another ticket would only count the same complaint twice. The next actions speak of that one. */
	const char *revisited = vocd_json_str(ev, "ticket");
	if (revisited) {
		snprintf(x->ticket, sizeof x->ticket, "%s", revisited);
		cJSON_AddStringToObject(d, "ticket", revisited);
		cJSON_AddStringToObject(d, "skipped", "the evaluation answers this ticket's revisit");
		return 0;
	}
	/* A ticket a rule opened opens no other: two rules opening tickets on each other's tickets would never
	 * stop (one complaint may still open one linked ticket, whose own events then open nothing). */
	if (!ev && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tk, "rules")) > 0) {
		cJSON_AddStringToObject(d, "skipped", "a ticket opened by a rule opens no other");
		return 0;
	}
	if (x->run->dry)
		return 0;
	struct vocd_notice n = {vocd_rule_label(x->run->rule), vocd_rule_title(x->run->rule, "zh-CN"), NULL, NULL,
	                        vocd_json_str(ev, "id"), cJSON_GetObjectItemCaseSensitive(a, "summary"), f->root,
	                        NULL, NULL};
	char *summary = vocd_notice_text(&n, "zh-CN");
	struct vocd_ticket_open o;
	memset(&o, 0, sizeof o);
	o.tenant = x->run->tenant;
	o.conf = x->run->conf;
	o.klass = klass ? vocd_ticket_class_parse(klass) : VOCD_CLASS_GENERAL;
	o.priority = prio ? vocd_ticket_priority_parse(prio) : -1;
	o.category = vocd_json_str(a, "category");
	o.customer = vocd_json_str(cJSON_GetObjectItemCaseSensitive(f->root, "customer"), "id");
	o.evaluation = vocd_json_str(ev, "id");
	o.channel = vocd_json_str(subject, "channel");
	o.lang = vocd_json_str(subject, "lang");
	o.summary = cJSON_GetObjectItemCaseSensitive(a, "summary") ? summary : vocd_rule_title(x->run->rule, "zh-CN");
	o.text = ev ? vocd_json_str(ev, "text") : vocd_json_str(tk, "text");
	o.context = cJSON_GetObjectItemCaseSensitive(f->root, "context");
	o.assign = assign;
	o.rule = vocd_rule_label(x->run->rule);
	o.detractor = ev ? detractor(ev) : 1;
	o.who = &x->who;
	int rc = vocd_ticket_open_in(x->txn, &o);
	free(summary);
	if (rc != 0)
		return rc;
	snprintf(x->ticket, sizeof x->ticket, "%s", o.id);
	cJSON_AddStringToObject(d, "ticket", o.id);
	if (o.merged)
		cJSON_AddBoolToObject(d, "merged", 1);
	return 0;
}

/* The actions after a change see the ticket as it is now: "notify the assignee" after an escalation tells
 * the new one. */
static int refresh_ticket(struct act *x)
{
	cJSON *now = NULL, *facts = cJSON_GetObjectItemCaseSensitive(x->run->facts->root, "ticket");
	int rc = vocd_record_get(x->txn, x->run->tenant, VOCD_TICKET_TYPE, x->ticket, &now);
	if (rc != 0)
		return rc == VOCD_ENOTFOUND ? 0 : rc;
	for (const char *const *k = (const char *const[]){"assignee", "queue", "class", "priority", "state", NULL}; facts && *k; k++) {
		cJSON_DeleteItemFromObjectCaseSensitive(facts, *k);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(now, *k);
		if (v)
			cJSON_AddItemToObject(facts, *k, cJSON_Duplicate(v, 1));
	}
	cJSON_Delete(now);
	return 0;
}

/* A dry run changes nothing, but the actions after an assignment should still speak of the new assignee:
 * a named person or a manager is known without the store (a role or a team needs the ticket counts). */
static void dry_assign(struct act *x, const cJSON *to)
{
	cJSON *tk = cJSON_GetObjectItemCaseSensitive(x->run->facts->root, "ticket");
	const char *person = vocd_json_str(to, "person"), *m = vocd_json_str(to, "manager_of");
	const struct vocd_person *who = NULL;
	if (person)
		who = vocd_people_find(&x->run->conf->people, person);
	else if (m)
		who = vocd_assign_manager(&x->run->conf->people, m, tk,
		                          cJSON_GetObjectItemCaseSensitive(x->run->facts->root, "context"));
	if (tk && who)
		vocd_json_set_str(tk, "assignee", who->id);
}

static int change_ticket(struct act *x, const char *kind, const cJSON *a, cJSON *d)
{
	const char *klass = vocd_json_str(a, "class"), *prio = vocd_json_str(a, "priority");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(a, "to");
	cJSON *fallback = NULL;
	int escalate = strcmp(kind, "escalate") == 0;
	if (escalate && !to)
		to = fallback = cJSON_Parse("{\"manager_of\":\"assignee\"}");
	if (escalate && !prio)
		prio = "highest";
	if (to)
		cJSON_AddItemToObject(d, "to", cJSON_Duplicate(to, 1));
	if (klass)
		cJSON_AddStringToObject(d, "class", klass);
	if (prio)
		cJSON_AddStringToObject(d, "priority", prio);
	int rc = 0;
	if (!x->run->dry && x->ticket[0]) {
		/* Escalating to "the assignee's manager" when there is none keeps the assignee. */
		const cJSON *tk = record_of(x->run->facts, "ticket");
		const char *m = vocd_json_str(to, "manager_of");
		if (m && strcmp(m, "assignee") == 0 && !vocd_assign_manager(&x->run->conf->people, m, tk, NULL)) {
			cJSON_AddStringToObject(d, "note", "the assignee has no manager in people: not reassigned");
			to = NULL;
		}
		struct vocd_ticket_change c;
		memset(&c, 0, sizeof c);
		c.tenant = x->run->tenant;
		c.conf = x->run->conf;
		c.id = x->ticket;
		c.by = (struct vocd_ticket_actor){&x->who, -1, NULL};
		c.assign = strcmp(kind, "set_class") == 0 ? NULL : to;
		c.klass = klass ? vocd_ticket_class_parse(klass) : -1;
		c.priority = prio ? vocd_ticket_priority_parse(prio) : -1;
		c.note = vocd_rule_title(x->run->rule, "zh-CN");
		c.rule = vocd_rule_label(x->run->rule);
		if (c.assign || c.klass >= 0 || c.priority >= 0)
			rc = vocd_ticket_change_in(x->txn, &c);
		if (rc == VOCD_ENOTFOUND)
			rc = 0;
		if (rc == 0)
			rc = refresh_ticket(x);
		cJSON_AddStringToObject(d, "ticket", x->ticket);
	}
	if (x->run->dry)
		dry_assign(x, strcmp(kind, "set_class") == 0 ? NULL : to);
	cJSON_Delete(fallback);
	return rc;
}

static int tell(struct act *x, const char *kind, const cJSON *a, cJSON *d)
{
	const struct vocd_facts *f = x->run->facts;
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(a, "to"), *channel = cJSON_GetObjectItemCaseSensitive(a, "channel");
	/* Everyone the rule names is told, however large the role or team: room for all of the people. */
	int max = (int)x->run->conf->people.n + 1;
	const char **people = malloc(sizeof *people * (size_t)max);
	if (!people)
		return VOCD_ENOMEM;
	int n = vocd_notify_recipients(x->run->conf, to, f->root, people, max);
	cJSON_AddItemToObject(d, "to", cJSON_Duplicate(to, 1));
	cJSON_AddItemToObject(d, "channel", cJSON_Duplicate(channel, 1));
	cJSON *people_json = cJSON_AddArrayToObject(d, "people");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(people_json, cJSON_CreateString(people[i]));
	int rc = 0;
	int alert = strcmp(kind, "alert") == 0;
	if (x->run->dry)
		goto out;
	if (alert) {
		struct vocd_alert_new an = {x->run->tenant, vocd_rule_label(x->run->rule), vocd_rule_title(x->run->rule, "zh-CN"),
		                            f->topic, x->run->event_id, f->root, x->run->why, x->ticket[0] ? x->ticket : NULL,
		                            &x->who, ""};
		if ((rc = vocd_alert_raise_in(x->txn, &an)) != 0)
			goto out;
		snprintf(x->alert, sizeof x->alert, "%s", an.id);
		cJSON_AddStringToObject(d, "alert", an.id);
	}
	struct vocd_notice notice = {vocd_rule_label(x->run->rule), vocd_rule_title(x->run->rule, "zh-CN"),
	                             alert ? x->alert : NULL, x->ticket[0] ? x->ticket : NULL,
	                             vocd_json_str(record_of(f, "evaluation"), "id"), cJSON_GetObjectItemCaseSensitive(a, "message"),
	                             f->root, NULL, NULL};
	cJSON *told = cJSON_CreateArray();
	rc = vocd_notify_in(x->txn, x->run->conf, people, n, channel, &notice, told);
	if (rc == 0 && alert)
		rc = vocd_alert_told_in(x->txn, x->run->tenant, x->alert, told, &x->who);
	cJSON_AddItemToObject(d, "told", told);
out:
	free(people);
	return rc;
}

/* A tag on what the event is about (the evaluation, ticket or invitation), kept beside it. */
static int tag(struct act *x, const cJSON *a, cJSON *d)
{
	const char *label = vocd_json_str(a, "tag");
	const struct vocd_facts *f = x->run->facts;
	const char *type = record_of(f, "evaluation") ? "evaluation" : record_of(f, "ticket") ? "ticket" : "invitation";
	const char *id = vocd_json_str(record_of(f, type), "id");
	cJSON_AddStringToObject(d, "tag", label);
	if (x->run->dry || !id)
		return 0;
	char key[64];
	snprintf(key, sizeof key, "%s:%s", type, id);
	cJSON *rec = NULL;
	int rc = vocd_record_get(x->txn, x->run->tenant, VOCD_LABELS_TYPE, key, &rec);
	if (rc == VOCD_ENOTFOUND) {
		rec = cJSON_CreateObject();
		cJSON *s = cJSON_AddObjectToObject(rec, "subject");
		cJSON_AddStringToObject(s, "type", type);
		cJSON_AddStringToObject(s, "id", id);
		cJSON_AddArrayToObject(rec, "labels");
		rc = 0;
	}
	if (rc != 0)
		return rc;
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(rec, "labels");
	const cJSON *l;
	int have = 0;
	cJSON_ArrayForEach(l, labels) have |= cJSON_IsString(l) && strcmp(l->valuestring, label) == 0;
	if (!have) {
		cJSON_AddItemToArray(labels, cJSON_CreateString(label));
		rc = vocd_record_put(x->txn, x->run->tenant, VOCD_LABELS_TYPE, key, rec, NULL, 0, "label.add", &x->who, NULL);
	}
	cJSON_Delete(rec);
	return rc;
}

int vocd_rule_act_in(vocd_txn *txn, struct vocd_rule_run *run)
{
	struct act x;
	memset(&x, 0, sizeof x);
	x.txn = txn;
	x.run = run;
	char actor[160];
	snprintf(actor, sizeof actor, "rule:%s", vocd_rule_label(run->rule));
	x.who.actor.kind = VOCD_AUDIT_ACTOR_SYSTEM;
	x.who.actor.id = actor;
	x.who.source.channel = "workflow";
	const char *own = vocd_json_str(record_of(run->facts, "ticket"), "id");
	if (own)
		snprintf(x.ticket, sizeof x.ticket, "%s", own);
	int rc = 0;
	const cJSON *a;
	cJSON_ArrayForEach(a, vocd_rule_actions(run->rule))
	{
		const char *kind = vocd_json_str(a, "do");
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "do", kind);
		if (strcmp(kind, "open_ticket") == 0)
			rc = open_ticket(&x, a, d);
		else if (strcmp(kind, "assign") == 0 || strcmp(kind, "escalate") == 0 || strcmp(kind, "set_class") == 0)
			rc = change_ticket(&x, kind, a, d);
		else if (strcmp(kind, "alert") == 0 || strcmp(kind, "notify") == 0)
			rc = tell(&x, kind, a, d);
		else if (strcmp(kind, "tag") == 0)
			rc = tag(&x, a, d);
		cJSON_AddItemToArray(run->done, d);
		if (rc != 0)
			break;
	}
	return rc;
}

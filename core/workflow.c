/* Workflow rules run on the bus: evaluate on a read snapshot, act in one write job. */
#include "workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "facts.h"
#include "ids.h"
#include "log.h"
#include "record.h"
#include "rule_actions.h"
#include "rules.h"

#define DAY_MS 86400000LL

struct fired {
	const struct vocd_rule *rule;
	cJSON *why;
	char once[128]; /* the once_per record id, "" when the rule has none */
	int once_days;  /* ... and its window */
};

struct wf {
	struct vocd_server *srv;
	const struct vocd_event *ev;
	const struct vocd_tenant_conf *conf;
	struct vocd_facts facts;
	cJSON *pristine; /* the facts as evaluated: a replayed job starts again from them */
	struct fired *fired;
	int nfired;
	cJSON *record; /* what the job stored, for the log */
};

/* The plugin of a rule's label: "workflows/keyword_alert" of "workflows/keyword_alert/complaint". */
static size_t plugin_part(const char *label)
{
	const char *slash = strchr(label, '/');
	const char *second = slash ? strchr(slash + 1, '/') : NULL;
	return second ? (size_t)(second - label) : strlen(label);
}

/* A rule does not react to a ticket that it, or another rule of its plugin, opened. */
static int opened_by(const struct vocd_rule *r, const cJSON *data)
{
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(data, "history"), 0);
	const char *rule = vocd_json_str(first, "rule"), *own = vocd_rule_label(r);
	size_t n = plugin_part(own);
	return rule && plugin_part(rule) == n && strncmp(rule, own, n) == 0;
}

int vocd_workflow_once_id(const struct vocd_rule *r, const struct vocd_facts *f, char out[128])
{
	const char *key;
	int days;
	out[0] = '\0';
	if (!vocd_rule_once_per(r, &key, &days))
		return 0;
	char value[256];
	if (vocd_facts_text(f->root, key, value, sizeof value) != 0)
		snprintf(value, sizeof value, "-");
	if (strlen(vocd_rule_label(r)) + strlen(value) + 1 < 128) {
		snprintf(out, 128, "%s|%s", vocd_rule_label(r), value);
	} else { /* a hash no one can aim at: a made-up value must not quieten the rule for another */
		unsigned char d[32];
		char hex[65];
		vocd_sha256(value, strlen(value), d);
		vocd_hex(d, sizeof d, hex);
		snprintf(out, 128, "%.90s|#%.32s", vocd_rule_label(r), hex);
	}
	return days;
}

/* True while a once_per window of the rule is still open for this key. */
static int quiet(vocd_txn *txn, const char *tenant, const char *id, int days, int64_t now)
{
	cJSON *rec = NULL;
	if (!id[0] || vocd_record_get(txn, tenant, VOCD_ONCE_TYPE, id, &rec) != 0)
		return 0;
	double at = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "at"));
	cJSON_Delete(rec);
	return (double)now < at + (double)days * DAY_MS;
}

static int fire_job(vocd_txn *txn, void *arg)
{
	struct wf *w = arg;
	char id[24];
	snprintf(id, sizeof id, "%020llu", (unsigned long long)w->ev->id);
	cJSON_Delete(w->record);
	w->record = NULL;
	/* Actions update the facts (a reassigned ticket); a replay of this job must not see that. */
	cJSON *fresh = cJSON_Duplicate(w->pristine, 1);
	if (!fresh)
		return VOCD_ENOMEM;
	vocd_facts_set_root(&w->facts, fresh);
	const void *data;
	size_t len;
	if (vocd_rec_get(txn, w->ev->tenant, VOCD_FIRED_TYPE, id, &data, &len) == 0)
		return 0; /* this event was handled before a crash or a retry */
	int64_t now = vocd_now_ms();
	cJSON *rec = cJSON_CreateObject();
	w->record = rec;
	cJSON_AddStringToObject(rec, "topic", w->ev->topic);
	cJSON_AddNumberToObject(rec, "event", (double)w->ev->id);
	cJSON_AddNumberToObject(rec, "at", (double)now);
	cJSON *list = cJSON_AddArrayToObject(rec, "rules");
	int rc = 0;
	for (int i = 0; i < w->nfired && rc == 0; i++) {
		struct fired *f = &w->fired[i];
		if (f->once[0] && quiet(txn, w->ev->tenant, f->once, f->once_days, now))
			continue;
		cJSON *item = cJSON_CreateObject();
		cJSON_AddItemToArray(list, item);
		cJSON_AddStringToObject(item, "rule", vocd_rule_label(f->rule));
		cJSON_AddItemToObject(item, "why", cJSON_Duplicate(f->why, 1));
		struct vocd_rule_run run = {w->ev->tenant, w->conf, f->rule, &w->facts, f->why, w->ev->id, 0,
		                            cJSON_AddArrayToObject(item, "done")};
		rc = vocd_rule_act_in(txn, &run);
		if (rc == 0 && f->once[0]) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "at", (double)now);
			char *text = cJSON_PrintUnformatted(o);
			cJSON_Delete(o);
			rc = text ? vocd_rec_put(txn, w->ev->tenant, VOCD_ONCE_TYPE, f->once, text, strlen(text), NULL, 0) : VOCD_ENOMEM;
			free(text);
		}
	}
	if (rc != 0 || cJSON_GetArraySize(list) == 0)
		return rc;
	struct vocd_actor who = {{VOCD_AUDIT_ACTOR_SYSTEM, "workflow", NULL}, {NULL, "workflow", NULL, NULL}};
	return vocd_record_put(txn, w->ev->tenant, VOCD_FIRED_TYPE, id, rec, NULL, 0, "rule.fire", &who, NULL);
}

static int run_rules(const struct vocd_rule *const *rules, size_t n, void *arg)
{
	struct wf *w = arg;
	const struct vocd_event *ev = w->ev;
	size_t listening = 0;
	for (size_t i = 0; i < n; i++)
		listening += vocd_rule_listens(rules[i], ev->topic) != 0;
	if (listening == 0)
		return 0;
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len);
	if (!data)
		return 0; /* nothing a rule could read */
	/* Changes that rules made to tickets set off no further rules: no two rules can feed each other. */
	const cJSON *change = cJSON_GetObjectItemCaseSensitive(data, "change");
	if (strcmp(ev->topic, "ticket.changed") == 0 && vocd_json_str(change, "rule")) {
		cJSON_Delete(data);
		return 0;
	}
	vocd_txn *txn;
	int rc = vocd_store_read(w->srv->store, &txn);
	if (rc != 0) {
		cJSON_Delete(data);
		return rc;
	}
	rc = vocd_facts_build(&w->facts, txn, ev->tenant, w->conf, ev->topic, ev->id, data, ev->time_ms);
	w->fired = rc == 0 ? calloc(listening, sizeof *w->fired) : NULL;
	if (rc == 0 && !w->fired)
		rc = VOCD_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct vocd_rule *r = rules[i];
		if (!vocd_rule_listens(r, ev->topic) || (strcmp(ev->topic, "ticket.opened") == 0 && opened_by(r, data)))
			continue;
		cJSON *why = cJSON_CreateArray();
		if (!vocd_rule_eval(r, &w->facts, why)) {
			cJSON_Delete(why);
			continue;
		}
		struct fired *f = &w->fired[w->nfired++];
		f->rule = r;
		f->why = why;
		f->once_days = vocd_workflow_once_id(r, &w->facts, f->once);
		if (f->once_days && quiet(txn, ev->tenant, f->once, f->once_days, vocd_now_ms())) {
			cJSON_Delete(why);
			w->nfired--;
		}
	}
	vocd_txn_end(txn);
	w->facts.txn = NULL; /* the actions read the facts as they are; figures are not computed again */
	if (rc == 0 && w->nfired > 0 && !(w->pristine = cJSON_Duplicate(w->facts.root, 1)))
		rc = VOCD_ENOMEM;
	if (rc == 0 && w->nfired > 0) {
		rc = vocd_store_write(w->srv->store, fire_job, w);
		cJSON *list = cJSON_GetObjectItemCaseSensitive(w->record, "rules");
		const cJSON *item;
		cJSON_ArrayForEach(item, list)
			vocd_info("tenant %s: rule %s fired on %s %llu", ev->tenant, vocd_json_str(item, "rule"), ev->topic,
			          (unsigned long long)ev->id);
	}
	for (int i = 0; i < w->nfired; i++)
		cJSON_Delete(w->fired[i].why);
	free(w->fired);
	cJSON_Delete(w->pristine);
	cJSON_Delete(w->record);
	vocd_facts_free(&w->facts);
	cJSON_Delete(data);
	return rc;
}

int vocd_workflow_on_event(const struct vocd_event *ev, struct vocd_server *srv)
{
	/* Notifications are the rules' own doing; timer topics are the core's. */
	if (strncmp(ev->topic, "notification.", 13) == 0 || strcmp(ev->topic, "ticket.sla_due") == 0 ||
	    strcmp(ev->topic, "invitation.reminder_due") == 0 || strcmp(ev->topic, "invitation.expire_due") == 0)
		return 0;
	const struct vocd_tenant_conf *conf = vocd_config_tenant(vocd_server_config(srv), ev->tenant);
	if (!conf)
		return 0;
	struct wf w;
	memset(&w, 0, sizeof w);
	w.srv = srv;
	w.ev = ev;
	w.conf = conf;
	int rc = vocd_plugins_rules(srv->plugins, ev->tenant, run_rules, &w);
	if (rc != 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "workflow rules on %s: %s", ev->topic, vocd_strerror(rc));
		vocd_bus_set_error(msg);
	}
	return rc ? 1 : 0;
}

/* Notifications to staff through channel plugins, with retries, dead letters and a record of each. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "buf.h"
#include "error.h"
#include "facts.h"
#include "ids.h"
#include "json_text.h"
#include "log.h"
#include "record.h"
#include "report_schedule.h"
#include "ticket_assign.h"

/* ---- Who ----------------------------------------------------------------------------------------- */

static int add_unique(const char **out, int n, int max, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(out[i], id) == 0)
			return n;
	if (n < max)
		out[n++] = id;
	return n;
}

int vocd_notify_recipients(const struct vocd_tenant_conf *t, const cJSON *to, const cJSON *root, const char **out,
                           int max)
{
	const struct vocd_people *pp = &t->people;
	const cJSON *ticket = cJSON_GetObjectItemCaseSensitive(root, "ticket");
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(root, "context");
	const char *v;
	int n = 0;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(to, "assignee"))) {
		const struct vocd_person *p = vocd_people_find(pp, vocd_json_str(ticket, "assignee"));
		return p ? add_unique(out, 0, max, p->id) : 0;
	}
	if ((v = vocd_json_str(to, "person"))) {
		const struct vocd_person *p = vocd_people_find(pp, v);
		return p ? add_unique(out, 0, max, p->id) : 0;
	}
	if ((v = vocd_json_str(to, "manager_of"))) {
		const struct vocd_person *m = vocd_assign_manager(pp, v, ticket, ctx);
		return m ? add_unique(out, 0, max, m->id) : 0;
	}
	const char *role = vocd_json_str(to, "role"), *team = vocd_json_str(to, "team");
	for (size_t i = 0; i < pp->n; i++) {
		const struct vocd_person *p = &pp->list[i];
		if ((role && vocd_person_has_role(p, role)) || (team && p->team && strcmp(p->team, team) == 0))
			n = add_unique(out, n, max, p->id);
	}
	return n;
}

/* ---- What ---------------------------------------------------------------------------------------- */

/* Fills "{evaluation.scores.csat}" and the like; "{rule}" is the rule's name, "{ticket}" the ticket. */
static void fill(struct vocd_buf *b, const char *text, const struct vocd_notice *n)
{
	for (const char *p = text; *p;) {
		const char *close = p[0] == '{' ? strchr(p + 1, '}') : NULL;
		if (!close || close - p > 120) {
			vocd_buf_add(b, p, 1);
			p++;
			continue;
		}
		char path[128], value[512] = "";
		snprintf(path, sizeof path, "%.*s", (int)(close - p - 1), p + 1);
		if (strcmp(path, "rule") == 0)
			snprintf(value, sizeof value, "%s", n->title ? n->title : n->rule);
		else if (strcmp(path, "ticket") == 0)
			snprintf(value, sizeof value, "%s", n->ticket ? n->ticket : "-");
		else if (strcmp(path, "alert") == 0)
			snprintf(value, sizeof value, "%s", n->alert ? n->alert : "-");
		else if (vocd_facts_text(n->root, path, value, sizeof value) != 0)
			snprintf(value, sizeof value, "-"); /* the facts are the rule's; a missing one is shown as "-" */
		vocd_buf_add(b, value, strlen(value));
		p = close + 1;
	}
}

/* \p message (text, or {zh-CN, en}) in \p lang, the other language when it lacks that one; NULL when none. */
static const char *in_lang(const cJSON *message, const char *lang)
{
	int en = lang && strcmp(lang, "en") == 0;
	const char *text = NULL;
	if (cJSON_IsString(message))
		text = message->valuestring;
	else if (message)
		text = vocd_json_str(message, en ? "en" : "zh-CN");
	if (!text && message)
		text = vocd_json_str(message, en ? "zh-CN" : "en");
	return text;
}

static char *filled(const struct vocd_notice *n, const char *text)
{
	struct vocd_buf b = {0};
	fill(&b, text, n);
	if (b.oom) {
		vocd_buf_free(&b);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

char *vocd_notice_text(const struct vocd_notice *n, const char *lang)
{
	const char *text = in_lang(n->message, lang);
	if (!text)
		text = lang && strcmp(lang, "en") == 0
		           ? "{rule}: ticket {ticket}, evaluation {evaluation.id}, customer {customer.id}"
		           : "{rule}：工单 {ticket}，评价 {evaluation.id}，客户 {customer.id}";
	return filled(n, text);
}

/* The subject line in \p lang: the notice's own subject, or its title. */
static char *notice_subject(const struct vocd_notice *n, const char *lang)
{
	const char *subject = in_lang(n->subject, lang);
	return subject ? filled(n, subject) : strdup(n->title ? n->title : n->rule);
}

int vocd_notify_in(vocd_txn *txn, const struct vocd_tenant_conf *t, const char *const *people, int npeople,
                   const cJSON *channels, const struct vocd_notice *n, cJSON *told)
{
	int nch = cJSON_IsArray(channels) ? cJSON_GetArraySize(channels) : 1;
	for (int i = 0; i < npeople; i++) {
		const struct vocd_person *p = vocd_people_find(&t->people, people[i]);
		const char *lang = p && p->lang ? p->lang : "zh-CN";
		char *text = vocd_notice_text(n, lang), *subject = notice_subject(n, lang);
		if (!text || !subject) {
			free(text);
			free(subject);
			return VOCD_ENOMEM;
		}
		for (int c = 0; c < nch; c++) {
			const char *channel = cJSON_IsArray(channels) ? cJSON_GetStringValue(cJSON_GetArrayItem(channels, c))
			                                              : cJSON_GetStringValue(channels);
			char id[17];
			int rc = vocd_random_id(id);
			cJSON *ev = cJSON_CreateObject();
			cJSON_AddStringToObject(ev, "id", id);
			cJSON_AddStringToObject(ev, "person", people[i]);
			cJSON_AddStringToObject(ev, "channel", channel);
			cJSON_AddStringToObject(ev, "lang", lang);
			cJSON_AddStringToObject(ev, "subject", subject);
			cJSON_AddStringToObject(ev, "text", text);
			cJSON_AddStringToObject(ev, "rule", n->rule);
			if (n->alert)
				cJSON_AddStringToObject(ev, "alert", n->alert);
			if (n->ticket)
				cJSON_AddStringToObject(ev, "ticket", n->ticket);
			if (n->evaluation)
				cJSON_AddStringToObject(ev, "evaluation", n->evaluation);
			if (n->report_run)
				cJSON_AddStringToObject(ev, "report_run", n->report_run);
			size_t len;
			char *json = rc == 0 ? vocd_json_print(ev, &len) : NULL;
			cJSON_Delete(ev);
			if (rc == 0 && !json)
				rc = VOCD_ENOMEM;
			if (rc == 0)
				rc = vocd_bus_publish(txn, t->id, VOCD_NOTIFY_TOPIC, json, len);
			free(json);
			if (rc != 0) {
				free(text);
				free(subject);
				return rc;
			}
			cJSON *item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "person", people[i]);
			cJSON_AddStringToObject(item, "channel", channel);
			cJSON_AddStringToObject(item, "notification", id);
			cJSON_AddItemToArray(told, item);
		}
		free(text);
		free(subject);
	}
	return 0;
}

/* ---- Sending ------------------------------------------------------------------------------------- */

struct record_job {
	const char *tenant;
	const cJSON *request;
	const char *status, *reason;
};

static int record_job(vocd_txn *txn, void *arg)
{
	struct record_job *j = arg;
	const char *id = vocd_json_str(j->request, "id");
	const void *data;
	size_t len;
	if (vocd_rec_get(txn, j->tenant, VOCD_NOTIFICATION_TYPE, id, &data, &len) == 0)
		return 0; /* delivered again after a crash: recorded already */
	cJSON *rec = cJSON_CreateObject();
	for (const char *const *k = (const char *const[]){"id", "person", "channel", "rule", "alert", "ticket", "evaluation",
	                                                  "report_run", NULL};
	     *k; k++)
		if (vocd_json_str(j->request, *k))
			cJSON_AddStringToObject(rec, *k, vocd_json_str(j->request, *k));
	cJSON_AddStringToObject(rec, "status", j->status);
	if (j->reason)
		cJSON_AddStringToObject(rec, "reason", j->reason);
	cJSON_AddNumberToObject(rec, "at", (double)vocd_now_ms());
	struct vocd_index_value idx[2];
	size_t n = 0;
	char akey[40], tkey[40];
	if (vocd_json_str(j->request, "alert")) {
		snprintf(akey, sizeof akey, "%s", vocd_json_str(j->request, "alert"));
		idx[n++] = (struct vocd_index_value){"by_alert", akey, strlen(akey) + 1};
	}
	if (vocd_json_str(j->request, "ticket")) {
		snprintf(tkey, sizeof tkey, "%s", vocd_json_str(j->request, "ticket"));
		idx[n++] = (struct vocd_index_value){"by_ticket", tkey, strlen(tkey) + 1};
	}
	struct vocd_actor who = {{VOCD_AUDIT_ACTOR_SYSTEM, "notify", NULL}, {NULL, vocd_json_str(j->request, "channel"), NULL, NULL}};
	int rc = vocd_record_put(txn, j->tenant, VOCD_NOTIFICATION_TYPE, id, rec, idx, n,
	                         strcmp(j->status, "sent") == 0 ? "notification.send" : "notification.fail", &who, NULL);
	cJSON_Delete(rec);
	return rc;
}

static int on_request(const struct vocd_event *ev, void *ud)
{
	struct vocd_server *srv = ud;
	cJSON *req = cJSON_ParseWithLength(ev->data, ev->len);
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(srv), ev->tenant);
	const char *channel = vocd_json_str(req, "channel"), *person = vocd_json_str(req, "person");
	cJSON *result = NULL;
	int rc = 0;
	if (!req || !t || !channel || !person || !vocd_json_str(req, "id"))
		goto out; /* nothing that can be sent */
	const struct vocd_person *p = vocd_people_find(&t->people, person);
	struct record_job j = {ev->tenant, req, "sent", NULL};
	char err[512] = "", label[80];
	if (!p) {
		j.status = "failed";
		j.reason = "no such person any more in the tenant's people";
	} else {
		/* The contact is read now, from the tenant file, and only handed to the plugin. */
		cJSON *arg = cJSON_Duplicate(req, 1);
		cJSON *to = cJSON_AddObjectToObject(arg, "to");
		cJSON_AddStringToObject(to, "person", p->id);
		if (p->name)
			cJSON_AddStringToObject(to, "name", p->name);
		if (p->phone)
			cJSON_AddStringToObject(to, "phone", p->phone);
		if (p->email)
			cJSON_AddStringToObject(to, "email", p->email);
		cJSON_DeleteItemFromObjectCaseSensitive(arg, "person");
		cJSON_DeleteItemFromObjectCaseSensitive(arg, "report_run");
		const char *run = vocd_json_str(req, "report_run");
		cJSON *attachment = NULL;
		if (run && (rc = vocd_report_attachment(srv->store, ev->tenant, run, &attachment)) != 0) {
			cJSON_Delete(arg);
			if (rc != VOCD_ENOTFOUND) {
				vocd_bus_set_error(vocd_strerror(rc));
				goto out; /* retried */
			}
			rc = 0;
			j.status = "failed";
			j.reason = "the report's file is not stored";
			goto record;
		}
		if (attachment)
			cJSON_AddItemToObject(arg, "attachment", attachment);
		snprintf(label, sizeof label, "channels/%s", channel);
		rc = vocd_plugins_call(srv->plugins, ev->tenant, label, "notify", arg, &result, err, sizeof err);
		cJSON_Delete(arg);
		if (rc == VOCD_ENOTFOUND) {
			j.status = "failed";
			j.reason = err[0] ? err : "no such channel plugin";
			rc = 0;
		} else if (rc != 0) {
			vocd_bus_set_error(err);
			goto out; /* retried by the bus, then a dead letter */
		} else if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(result, "sent"))) {
			/* The plugin says it can never be sent (no phone for this person): recorded, not retried. */
			j.status = "failed";
			j.reason = vocd_json_str(result, "reason") ? vocd_json_str(result, "reason") : "refused by the channel plugin";
		}
	}
record:
	rc = vocd_store_write(srv->store, record_job, &j);
	if (rc == 0 && strcmp(j.status, "sent") != 0)
		vocd_warn("tenant %s: notification %s to %s through %s not sent: %s", ev->tenant, vocd_json_str(req, "id"),
		          person, channel, j.reason);
out:
	cJSON_Delete(result);
	cJSON_Delete(req);
	return rc ? 1 : 0;
}

int vocd_notify_start(struct vocd_server *srv)
{
	return vocd_bus_subscribe(srv->bus, "core:notify", VOCD_NOTIFY_TOPIC, on_request, srv);
}

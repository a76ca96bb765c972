/* Tickets over the API: the queue with its filters, one ticket with its notes, and the changes people
 * make: state transitions, reassignment, a new class or priority, notes and evidence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "ids.h"
#include "sla.h"
#include "ticket.h"
#include "ticket_assign.h"
#include "validate.h"

#define MAX_NOTE 8000

static struct vocd_ticket_actor actor_of(struct vocd_req *req, struct vocd_actor *who)
{
	vocd_http_actor(req, "api", NULL, who);
	return (struct vocd_ticket_actor){who, req->auth.role, req->auth.person[0] ? req->auth.person : NULL};
}

/* A ticket record: whether it is overdue now added, the customer masked. */
static void answer_ticket(struct vocd_req *req, int status, cJSON *t)
{
	cJSON_AddBoolToObject(t, "overdue", vocd_sla_overdue(t, vocd_now_ms()));
	vocd_api_mask_customer(req, t);
	vocd_http_json(req, status, t);
}

void vocd_api_ticket_answer_stored(struct vocd_req *req, int status, const char *id, const char *invitation)
{
	cJSON *t = NULL;
	int rc = vocd_ticket_get(req->srv->store, req->auth.tenant, id, &t);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return;
	}
	if (invitation && invitation[0])
		cJSON_AddStringToObject(t, "revisit_invitation", invitation);
	answer_ticket(req, status, t);
	cJSON_Delete(t);
}

static void answer_change(struct vocd_req *req, int rc, const struct vocd_ticket_change *c)
{
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no ticket %s", req->params[0]);
	else if (rc == VOCD_EEXIST)
		vocd_http_error(req, 409, "invalid_transition", "%s", c->error);
	else if (rc == VOCD_EDENIED)
		vocd_http_error(req, 403, "forbidden", "%s", c->error);
	else if (rc == VOCD_EUNPROC)
		vocd_http_error(req, 422, "invalid_field", "%s", c->error);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else
		vocd_api_ticket_answer_stored(req, 200, c->id, c->invitation);
}

/* Changes, like reads, only to a ticket the caller sees (scope.h); else answered 404. */
static int in_sight(struct vocd_req *req)
{
	cJSON *t = NULL;
	int rc = vocd_ticket_get(req->srv->store, req->auth.tenant, req->params[0], &t);
	int seen = rc == 0 && vocd_api_sees(req, t, "ticket");
	cJSON_Delete(t);
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no ticket %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	return seen;
}

static void init_change(struct vocd_req *req, struct vocd_ticket_change *c, struct vocd_actor *who)
{
	memset(c, 0, sizeof *c);
	c->tenant = req->auth.tenant;
	c->conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	c->id = req->params[0];
	c->by = actor_of(req, who);
	c->klass = c->priority = -1;
}

/* {kind, amount?, currency?, note?}: what the customer was given. */
static int check_compensation(const cJSON *v, struct vocd_field_error *fe)
{
	static const char *const keys[] = {"kind", "amount", "currency", "note", NULL};
	if (!v)
		return 0;
	const cJSON *amount = cJSON_GetObjectItemCaseSensitive(v, "amount");
	if (!cJSON_IsObject(v) || vocd_check_known(v, "compensation", keys, fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(v, "kind"), "compensation.kind", 64, 1, fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(v, "currency"), "compensation.currency", 8, 0, fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(v, "note"), "compensation.note", 2000, 0, fe) != 0) {
		if (!cJSON_IsObject(v)) {
			fe->status = 422;
			fe->code = "invalid_field";
			snprintf(fe->message, sizeof fe->message,
			         "compensation: expected {\"kind\": \"coupon\", \"amount\": 50, \"currency\": \"CNY\", \"note\": \"…\"}");
		}
		return -1;
	}
	if (amount && (!cJSON_IsNumber(amount) || amount->valuedouble < 0 || amount->valuedouble > 1e9)) {
		fe->status = 422;
		fe->code = "invalid_field";
		snprintf(fe->message, sizeof fe->message, "compensation.amount: expected a number from 0");
		return -1;
	}
	return 0;
}

int vocd_api_ticket_transition(struct vocd_req *req)
{
	static const char *const keys[] = {"to", "note", "resolution", "root_cause", "compensation", "confirmed", NULL};
	if (!in_sight(req))
		return 0;
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(body, "to");
	if (vocd_check_known(body, "", keys, &fe) != 0 || vocd_check_string(to, "to", 32, 1, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "note"), "note", MAX_NOTE, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "resolution"), "resolution", MAX_NOTE, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "root_cause"), "root_cause", MAX_NOTE, 0, &fe) != 0 ||
	    check_compensation(cJSON_GetObjectItemCaseSensitive(body, "compensation"), &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	const cJSON *confirmed = cJSON_GetObjectItemCaseSensitive(body, "confirmed");
	if (confirmed && (!cJSON_IsBool(confirmed) || strcmp(to->valuestring, "resolved") != 0)) {
		vocd_http_error(req, 422, "invalid_field", "confirmed: true or false, and only when the ticket is resolved "
		                "(was the complaint founded?)");
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_actor who;
	struct vocd_ticket_change c;
	init_change(req, &c, &who);
	c.to = to->valuestring;
	if (confirmed)
		c.confirmed = cJSON_IsTrue(confirmed) ? VOCD_COMPLAINT_FOUNDED : VOCD_COMPLAINT_UNFOUNDED;
	c.note = vocd_json_str(body, "note");
	c.resolution = vocd_json_str(body, "resolution");
	c.root_cause = vocd_json_str(body, "root_cause");
	c.compensation = cJSON_GetObjectItemCaseSensitive(body, "compensation");
	c.pii = req->srv->pii;
	c.base_url = req->srv->listen_url;
	int rc = vocd_ticket_change(req->srv->store, &c);
	answer_change(req, rc, &c);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_ticket_assign(struct vocd_req *req)
{
	static const char *const keys[] = {"to", "note", NULL};
	if (!in_sight(req))
		return 0;
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	struct vocd_actor who;
	struct vocd_ticket_change c;
	init_change(req, &c, &who);
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(body, "to");
	char why[256];
	if (vocd_check_known(body, "", keys, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "note"), "note", MAX_NOTE, 1, &fe) != 0) {
		vocd_http_field_error(req, &fe);
	} else if (vocd_assign_check(to, &c.conf->people, why, sizeof why) != 0) {
		vocd_http_error(req, 422, "invalid_field", "to: %s", why);
	} else {
		c.assign = to;
		c.note = vocd_json_str(body, "note");
		answer_change(req, vocd_ticket_change(req->srv->store, &c), &c);
	}
	cJSON_Delete(body);
	return 0;
}

int vocd_api_ticket_reclassify(struct vocd_req *req)
{
	static const char *const keys[] = {"class", "priority", "note", NULL};
	if (!in_sight(req))
		return 0;
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	struct vocd_actor who;
	struct vocd_ticket_change c;
	init_change(req, &c, &who);
	const char *klass = vocd_json_str(body, "class"), *prio = vocd_json_str(body, "priority");
	if (vocd_check_known(body, "", keys, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "class"), "class", 16, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "priority"), "priority", 16, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "note"), "note", MAX_NOTE, 1, &fe) != 0) {
		vocd_http_field_error(req, &fe);
	} else if ((klass && (c.klass = vocd_ticket_class_parse(klass)) < 0) || (!klass && !prio)) {
		vocd_http_error(req, 422, "invalid_field", "class: expected general, important, urgent or repeat");
	} else if (prio && (c.priority = vocd_ticket_priority_parse(prio)) < 0) {
		vocd_http_error(req, 422, "invalid_field", "priority: expected low, normal, high or highest");
	} else {
		c.note = vocd_json_str(body, "note");
		answer_change(req, vocd_ticket_change(req->srv->store, &c), &c);
	}
	cJSON_Delete(body);
	return 0;
}

int vocd_api_ticket_note(struct vocd_req *req)
{
	static const char *const keys[] = {"kind", "text", NULL};
	if (!in_sight(req))
		return 0;
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const char *kind = vocd_json_str(body, "kind");
	if (vocd_check_known(body, "", keys, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "kind"), "kind", 16, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "text"), "text", MAX_NOTE, 1, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	if (kind && strcmp(kind, "note") && strcmp(kind, "evidence")) {
		vocd_http_error(req, 422, "invalid_field", "kind: expected note or evidence");
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_actor who;
	struct vocd_ticket_actor by = actor_of(req, &who);
	char id[24], why[256];
	int rc = vocd_ticket_note(req->srv->store, req->auth.tenant, req->params[0], kind ? kind : "note",
	                          vocd_json_str(body, "text"), &by, id, why, sizeof why);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no ticket %s", req->params[0]);
	} else if (rc == VOCD_EDENIED) {
		vocd_http_error(req, 403, "forbidden", "%s", why);
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *answer = cJSON_CreateObject();
		cJSON_AddStringToObject(answer, "id", id);
		vocd_http_json(req, 201, answer);
		cJSON_Delete(answer);
	}
	cJSON_Delete(body);
	return 0;
}

int vocd_api_ticket_get(struct vocd_req *req)
{
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *t = NULL;
	rc = vocd_record_get(txn, req->auth.tenant, VOCD_TICKET_TYPE, req->params[0], &t);
	if (rc == 0) {
		cJSON *notes = cJSON_AddArrayToObject(t, "notes");
		rc = vocd_index_scan(txn, req->auth.tenant, VOCD_TICKET_NOTE_TYPE, "by_ticket", req->params[0],
		                     strlen(req->params[0]) + 1, vocd_record_collect, notes);
		rc = rc < 0 ? rc : 0;
		vocd_api_add_labels(txn, req->auth.tenant, "ticket", t);
	}
	vocd_txn_end(txn);
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no ticket %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else if (vocd_api_sees(req, t, "ticket"))
		answer_ticket(req, 200, t);
	cJSON_Delete(t);
	return 0;
}

/* ?state=&class=&priority=&assignee=&queue=&team=&category=&customer=&overdue=true|false&open=true|false */
struct ticket_filter {
	char state[33], klass[17], priority[17], assignee[129], queue[129], team[129], category[65], customer[129];
	int overdue, open; /* -1: either */
	int64_t now;
};

static int differs(const char *want, const char *have)
{
	return want[0] && (!have || strcmp(want, have) != 0);
}

static int keep_ticket(vocd_txn *txn, const char *tenant, const cJSON *t, void *arg)
{
	const struct ticket_filter *f = arg;
	const char *state = vocd_json_str(t, "state");
	if (differs(f->state, state) || differs(f->klass, vocd_json_str(t, "class")) ||
	    differs(f->priority, vocd_json_str(t, "priority")) || differs(f->assignee, vocd_json_str(t, "assignee")) ||
	    differs(f->queue, vocd_json_str(t, "queue")) || differs(f->category, vocd_json_str(t, "category")) ||
	    differs(f->customer, vocd_json_str(t, "customer")) ||
	    differs(f->team, vocd_json_str(cJSON_GetObjectItemCaseSensitive(t, "context"), "team")))
		return 0;
	if (f->open >= 0 && vocd_ticket_state_open(vocd_ticket_state_parse(state)) != f->open)
		return 0;
	return f->overdue < 0 || vocd_sla_overdue(t, f->now) == f->overdue;
}

static int bool_param(struct vocd_req *req, const char *name, int *out)
{
	char v[8];
	*out = -1;
	if (vocd_http_filter(req, name, v, sizeof v) != 0)
		return -1;
	if (!v[0] && vocd_http_query(req, name, v, sizeof v) != 0)
		return 0; /* absent: either */
	if (strcmp(v, "true") && strcmp(v, "false")) {
		vocd_http_error(req, 400, "invalid_parameter", "%s: expected true or false", name);
		return -1;
	}
	*out = strcmp(v, "true") == 0;
	return 0;
}

int vocd_api_ticket_list(struct vocd_req *req)
{
	struct ticket_filter f;
	memset(&f, 0, sizeof f);
	f.now = vocd_now_ms();
	if (vocd_http_filter(req, "state", f.state, sizeof f.state) || vocd_http_filter(req, "class", f.klass, sizeof f.klass) ||
	    vocd_http_filter(req, "priority", f.priority, sizeof f.priority) ||
	    vocd_http_filter(req, "assignee", f.assignee, sizeof f.assignee) ||
	    vocd_http_filter(req, "queue", f.queue, sizeof f.queue) || vocd_http_filter(req, "team", f.team, sizeof f.team) ||
	    vocd_http_filter(req, "category", f.category, sizeof f.category) ||
	    vocd_http_filter(req, "customer", f.customer, sizeof f.customer))
		return 0;
	if (f.state[0] && vocd_ticket_state_parse(f.state) < 0) {
		vocd_http_error(req, 400, "invalid_parameter", "state: expected received, acknowledged, investigating, "
		                "waiting_customer, resolved, revisiting, closed or reopened");
		return 0;
	}
	if (f.klass[0] && vocd_ticket_class_parse(f.klass) < 0) {
		vocd_http_error(req, 400, "invalid_parameter", "class: expected general, important, urgent or repeat");
		return 0;
	}
	if (bool_param(req, "overdue", &f.overdue) != 0 || bool_param(req, "open", &f.open) != 0)
		return 0;
	return vocd_api_list_filtered(req, VOCD_TICKET_TYPE, keep_ticket, &f);
}

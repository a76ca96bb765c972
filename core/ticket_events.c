/* SLA breaches and revisit answers, acting on the bus for every tenant. */
#include "ticket_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "log.h"
#include "sla.h"
#include "ticket.h"

static struct vocd_actor system_actor(const char *id)
{
	return (struct vocd_actor){{VOCD_AUDIT_ACTOR_SYSTEM, id, NULL}, {NULL, NULL, NULL, NULL}};
}

/* ---- SLA breaches -------------------------------------------------------------------------------- */

struct breach_job {
	const char *tenant, *ticket;
	int stage;
	int64_t due;
	int breached; /* out */
};

static int breach_job(vocd_txn *txn, void *arg)
{
	struct breach_job *j = arg;
	j->breached = 0;
	cJSON *t = NULL;
	int rc = vocd_record_get(txn, j->tenant, VOCD_TICKET_TYPE, j->ticket, &t);
	if (rc == VOCD_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	int64_t now = vocd_now_ms();
	if (!vocd_sla_breach(t, j->stage, j->due, now)) {
		cJSON_Delete(t);
		return 0;
	}
	struct vocd_actor who = system_actor("sla");
	struct vocd_ticket_actor by = {&who, -1, NULL};
	cJSON *e = vocd_ticket_history(t, "sla_breach", &by, NULL);
	cJSON_AddStringToObject(e, "stage", vocd_sla_stage_name(j->stage));
	cJSON_AddNumberToObject(e, "due_at", (double)j->due);
	cJSON *breach = cJSON_CreateObject();
	cJSON_AddStringToObject(breach, "stage", vocd_sla_stage_name(j->stage));
	cJSON_AddNumberToObject(breach, "due_at", (double)j->due);
	rc = vocd_ticket_save(txn, j->tenant, t, "ticket.sla_breach", &who, "ticket.sla_breached", "breach", breach);
	j->breached = rc == 0;
	cJSON_Delete(breach);
	cJSON_Delete(t);
	return rc;
}

int vocd_ticket_events_on_sla_due(const struct vocd_event *ev, struct vocd_server *srv)
{
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len);
	const char *ticket = vocd_json_str(data, "ticket");
	int stage = vocd_sla_stage_parse(vocd_json_str(data, "stage"));
	int rc = 0;
	if (ticket && stage >= 0) {
		struct breach_job j = {ev->tenant, ticket, stage,
		                       (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(data, "due_at")), 0};
		rc = vocd_store_write(srv->store, breach_job, &j);
		if (rc == 0 && j.breached)
			vocd_info("tenant %s: ticket %s missed its %s deadline", ev->tenant, ticket, vocd_sla_stage_name(stage));
	}
	cJSON_Delete(data);
	return rc;
}

/* ---- Revisits ------------------------------------------------------------------------------------ */

int vocd_revisit_satisfied(const struct vocd_tenant_conf *t, const cJSON *evaluation)
{
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(evaluation, "scores");
	const cJSON *csat = cJSON_GetObjectItemCaseSensitive(scores, "csat");
	const cJSON *nps = cJSON_GetObjectItemCaseSensitive(scores, "nps");
	if (cJSON_IsNumber(csat))
		return csat->valuedouble >= t->tickets.satisfied_csat;
	if (cJSON_IsNumber(nps))
		return nps->valuedouble >= t->tickets.satisfied_nps;
	return -1;
}

struct revisit_job {
	struct vocd_ticket_change c;
	const cJSON *evaluation;
	int satisfied;
	int done; /* out: the ticket took the answer */
};

static int revisit_job(vocd_txn *txn, void *arg)
{
	struct revisit_job *j = arg;
	j->done = 0;
	cJSON *t = NULL;
	int rc = vocd_record_get(txn, j->c.tenant, VOCD_TICKET_TYPE, j->c.id, &t);
	if (rc == VOCD_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	const char *state = vocd_json_str(t, "state");
	cJSON *revisit = cJSON_GetObjectItemCaseSensitive(t, "revisit");
	const char *eid = vocd_json_str(j->evaluation, "id");
	const char *inv = vocd_json_str(j->evaluation, "invitation");
	/* Only the answer to the ticket's latest revisit, once, while the ticket waits for it. */
	int waiting = state && strcmp(state, "revisiting") == 0 && revisit &&
	              strcmp(vocd_json_str(revisit, "invitation") ? vocd_json_str(revisit, "invitation") : "", inv) == 0 &&
	              !vocd_json_str(revisit, "evaluation");
	cJSON_Delete(t);
	if (!waiting)
		return 0;
	j->c.to = j->satisfied != 0 ? "closed" : "reopened";
	char note[160];
	snprintf(note, sizeof note, "revisit answered (evaluation %s): %s", eid,
	         j->satisfied > 0 ? "satisfied" : j->satisfied == 0 ? "not satisfied" : "no CSAT or NPS score");
	j->c.note = note;
	j->c.revisit_evaluation = eid;
	j->c.revisit_satisfied = j->satisfied;
	rc = vocd_ticket_change_in(txn, &j->c);
	j->done = rc == 0;
	return rc;
}

int vocd_ticket_events_on_evaluation(const struct vocd_event *ev, struct vocd_server *srv)
{
	/* Only a revisit's answer carries its ticket (evaluation.c): every other evaluation is passed unread. */
	static const char mark[] = "\"ticket\":\"";
	if (!memmem(ev->data, ev->len, mark, sizeof mark - 1))
		return 0;
	/* The answer is judged as stored, never as the event tells it: only its id is taken from the event. */
	cJSON *told = cJSON_ParseWithLength(ev->data, ev->len);
	cJSON *e = NULL;
	const char *eid = vocd_json_str(told, "id");
	int got = eid ? vocd_evaluation_get(srv->store, ev->tenant, eid, &e) : VOCD_ENOTFOUND;
	cJSON_Delete(told);
	if (got != 0)
		return got == VOCD_ENOTFOUND ? 0 : got;
	const char *inv_id = vocd_json_str(e, "invitation");
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(srv), ev->tenant);
	cJSON *inv = NULL;
	int rc = 0;
	if (!inv_id || !t || vocd_invitation_get(srv->store, ev->tenant, inv_id, &inv) != 0 || !vocd_json_str(inv, "ticket"))
		goto out; /* not a revisit */
	struct vocd_actor who = system_actor("revisit");
	struct revisit_job j;
	memset(&j, 0, sizeof j);
	j.c.tenant = ev->tenant;
	j.c.conf = t;
	j.c.id = vocd_json_str(inv, "ticket");
	j.c.by = (struct vocd_ticket_actor){&who, -1, NULL};
	j.c.klass = j.c.priority = -1;
	j.evaluation = e;
	/* Neither CSAT nor NPS to judge by (-1): the loop is closed, with nothing said of satisfaction. */
	j.satisfied = vocd_revisit_satisfied(t, e);
	rc = vocd_store_write(srv->store, revisit_job, &j);
	if (rc == 0 && j.done)
		vocd_info("tenant %s: ticket %s %s after its revisit", ev->tenant, j.c.id, j.c.to);
out:
	cJSON_Delete(inv);
	cJSON_Delete(e);
	return rc;
}

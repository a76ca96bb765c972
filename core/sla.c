/* SLA clocks of tickets, on the tenant's business calendar, with durable timers. */
#include "sla.h"

#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "record.h"

static const char *const kind_names[] = {"none", "working", "working_days", "elapsed"};

static int kind_parse(const char *s)
{
	for (int i = 1; s && i < 4; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return VOCD_DURATION_NONE;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int64_t inum(const cJSON *o, const char *key)
{
	return (int64_t)num(o, key);
}

/* Ticket ids are 16 digits: the key and the event fit with room to spare. */
static void timer_key(const cJSON *ticket, int stage, char out[64])
{
	snprintf(out, 64, "sla:%.24s:%s", vocd_json_str(ticket, "id"), vocd_sla_stage_name(stage));
}

static int set_timer(vocd_txn *txn, const char *tenant, const cJSON *ticket, int stage, int64_t due)
{
	char key[64], data[160];
	timer_key(ticket, stage, key);
	int len = snprintf(data, sizeof data, "{\"ticket\":\"%.24s\",\"stage\":\"%s\",\"due_at\":%lld}",
	                   vocd_json_str(ticket, "id"), vocd_sla_stage_name(stage), (long long)due);
	return vocd_bus_timer_set(txn, tenant, key, VOCD_SLA_DUE_TOPIC, data, (size_t)len, due);
}

static int cancel_timer(vocd_txn *txn, const char *tenant, const cJSON *ticket, int stage)
{
	char key[64];
	timer_key(ticket, stage, key);
	int rc = vocd_bus_timer_cancel(txn, tenant, key);
	return rc == VOCD_ENOTFOUND ? 0 : rc;
}

static cJSON *clocks(cJSON *ticket)
{
	cJSON *sla = cJSON_GetObjectItemCaseSensitive(ticket, "sla");
	return sla ? sla : cJSON_AddObjectToObject(ticket, "sla");
}

/* A clock that has started and is neither done nor breached. */
static cJSON *running(cJSON *ticket, int stage)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ticket, "sla"), vocd_sla_stage_name(stage));
	if (!c || cJSON_GetObjectItemCaseSensitive(c, "done_at") || cJSON_GetObjectItemCaseSensitive(c, "breached_at"))
		return NULL;
	return c;
}

/* The limit text as an admin wrote it, for people reading the ticket ("7 working days"). */
static void limit_text(const struct vocd_duration *d, char *out, size_t n)
{
	if (d->kind == VOCD_DURATION_WORKING_DAYS)
		snprintf(out, n, "%lld working days", (long long)d->amount);
	else if (d->amount % 3600000 == 0)
		snprintf(out, n, "%lldh%s", (long long)(d->amount / 3600000), d->kind == VOCD_DURATION_ELAPSED ? " elapsed" : "");
	else if (d->amount % 60000 == 0)
		snprintf(out, n, "%lldm%s", (long long)(d->amount / 60000), d->kind == VOCD_DURATION_ELAPSED ? " elapsed" : "");
	else
		snprintf(out, n, "%llds%s", (long long)(d->amount / 1000), d->kind == VOCD_DURATION_ELAPSED ? " elapsed" : "");
}

static const struct vocd_duration *limit_of(const struct vocd_tenant_conf *t, const cJSON *ticket, int stage)
{
	int k = vocd_ticket_class_parse(vocd_json_str(ticket, "class"));
	return k < 0 ? NULL : &t->tickets.sla[k][stage];
}

int vocd_sla_start(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int stage, int64_t from_ms)
{
	const struct vocd_duration *d = limit_of(t, ticket, stage);
	cJSON *sla = clocks(ticket);
	const char *name = vocd_sla_stage_name(stage);
	int rc = cancel_timer(txn, t->id, ticket, stage);
	cJSON_DeleteItemFromObjectCaseSensitive(sla, name);
	if (rc != 0 || !d || d->kind == VOCD_DURATION_NONE)
		return rc;
	int64_t due;
	if ((rc = vocd_duration_due(d, &t->calendar.cal, from_ms, &due)) != 0)
		return rc;
	char text[48];
	limit_text(d, text, sizeof text);
	cJSON *c = cJSON_AddObjectToObject(sla, name);
	cJSON_AddNumberToObject(c, "start", (double)from_ms);
	cJSON_AddStringToObject(c, "limit", text);
	cJSON_AddStringToObject(c, "kind", kind_names[d->kind]);
	cJSON_AddNumberToObject(c, "due_at", (double)due);
	cJSON_AddNumberToObject(c, "paused_ms", 0);
	return set_timer(txn, t->id, ticket, stage, due);
}

int vocd_sla_finish(vocd_txn *txn, const char *tenant, cJSON *ticket, int stage, int64_t now)
{
	cJSON *sla = cJSON_GetObjectItemCaseSensitive(ticket, "sla");
	cJSON *c = cJSON_GetObjectItemCaseSensitive(sla, vocd_sla_stage_name(stage));
	if (!c || cJSON_GetObjectItemCaseSensitive(c, "done_at"))
		return 0;
	/* A paused clock is done in time if it still had time left when it was paused. */
	const cJSON *left = cJSON_GetObjectItemCaseSensitive(c, "remaining_ms");
	int met = !cJSON_GetObjectItemCaseSensitive(c, "breached_at") &&
	          (left ? cJSON_GetNumberValue(left) > 0 : inum(c, "due_at") >= now);
	cJSON_AddNumberToObject(c, "done_at", (double)now);
	cJSON_AddBoolToObject(c, "met", met);
	cJSON *results = cJSON_GetObjectItemCaseSensitive(ticket, "sla_results");
	if (!results)
		results = cJSON_AddArrayToObject(ticket, "sla_results");
	int round = 1;
	const cJSON *r;
	cJSON_ArrayForEach(r, results)
		round += strcmp(vocd_json_str(r, "stage") ? vocd_json_str(r, "stage") : "", vocd_sla_stage_name(stage)) == 0;
	cJSON *res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "stage", vocd_sla_stage_name(stage));
	cJSON_AddStringToObject(res, "class", vocd_json_str(ticket, "class"));
	if (num(c, "due_at") >= 0)
		cJSON_AddNumberToObject(res, "due_at", num(c, "due_at"));
	cJSON_AddNumberToObject(res, "done_at", (double)now);
	cJSON_AddBoolToObject(res, "met", met);
	cJSON_AddNumberToObject(res, "round", round);
	cJSON_AddItemToArray(results, res);
	return cancel_timer(txn, tenant, ticket, stage);
}

/* The time of clock \p c between two instants: working time on the calendar, or all of it (elapsed). */
static int64_t span(const struct vocd_tenant_conf *t, const cJSON *c, int64_t from, int64_t to)
{
	if (kind_parse(vocd_json_str(c, "kind")) == VOCD_DURATION_ELAPSED)
		return to > from ? to - from : 0;
	return vocd_calendar_between(&t->calendar.cal, from, to);
}

/* The due time \p left of working (or elapsed) time after \p from. */
static int due_after(const struct vocd_tenant_conf *t, const cJSON *c, int64_t from, int64_t left, int64_t *due)
{
	if (kind_parse(vocd_json_str(c, "kind")) == VOCD_DURATION_ELAPSED) {
		*due = from + left;
		return 0;
	}
	return vocd_calendar_add(&t->calendar.cal, from, left, due);
}

int vocd_sla_pause(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int64_t now)
{
	for (int s = 0; s < VOCD_STAGE_COUNT; s++) {
		cJSON *c = running(ticket, s);
		if (!c || cJSON_GetObjectItemCaseSensitive(c, "remaining_ms"))
			continue;
		int64_t left = span(t, c, now, inum(c, "due_at"));
		cJSON_AddNumberToObject(c, "remaining_ms", (double)left);
		cJSON_AddNumberToObject(c, "paused_at", (double)now);
		cJSON_DeleteItemFromObjectCaseSensitive(c, "due_at");
		int rc = cancel_timer(txn, t->id, ticket, s);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int vocd_sla_resume(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int64_t now)
{
	for (int s = 0; s < VOCD_STAGE_COUNT; s++) {
		cJSON *c = running(ticket, s);
		if (!c || !cJSON_GetObjectItemCaseSensitive(c, "remaining_ms"))
			continue;
		int64_t left = inum(c, "remaining_ms"), paused_at = inum(c, "paused_at"), due;
		int64_t waited = span(t, c, paused_at, now);
		int rc = due_after(t, c, now, left, &due);
		if (rc != 0)
			return rc;
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "paused_ms"), (double)(inum(c, "paused_ms") + waited));
		cJSON_DeleteItemFromObjectCaseSensitive(c, "remaining_ms");
		cJSON_DeleteItemFromObjectCaseSensitive(c, "paused_at");
		cJSON_AddNumberToObject(c, "due_at", (double)due);
		if ((rc = set_timer(txn, t->id, ticket, s, due)) != 0)
			return rc;
	}
	return 0;
}

int vocd_sla_reclassify(vocd_txn *txn, const struct vocd_tenant_conf *t, cJSON *ticket, int64_t now)
{
	for (int s = 0; s < VOCD_STAGE_COUNT; s++) {
		cJSON *c = running(ticket, s);
		if (!c)
			continue;
		int64_t start = inum(c, "start"), paused = inum(c, "paused_ms"), paused_at = inum(c, "paused_at");
		int was_paused = cJSON_GetObjectItemCaseSensitive(c, "remaining_ms") != NULL;
		int rc = vocd_sla_start(txn, t, ticket, s, start);
		if (rc != 0)
			return rc;
		if (!(c = running(ticket, s)))
			continue; /* no limit for this stage in the new class */
		/* The time it already waited on the customer does not count under the new limit either. */
		int64_t due = inum(c, "due_at");
		if (paused > 0 && (rc = due_after(t, c, due, paused, &due)) != 0)
			return rc;
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "paused_ms"), (double)paused);
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "due_at"), (double)due);
		if (was_paused) { /* still waiting: keep what is left under the new limit, no timer */
			cJSON_AddNumberToObject(c, "remaining_ms", (double)span(t, c, paused_at, due));
			cJSON_AddNumberToObject(c, "paused_at", (double)paused_at);
			cJSON_DeleteItemFromObjectCaseSensitive(c, "due_at");
			rc = cancel_timer(txn, t->id, ticket, s);
		} else {
			rc = set_timer(txn, t->id, ticket, s, due);
		}
		if (rc != 0)
			return rc;
	}
	(void)now;
	return 0;
}

int vocd_sla_breach(cJSON *ticket, int stage, int64_t due_ms, int64_t now)
{
	cJSON *c = running(ticket, stage);
	if (!c || cJSON_GetObjectItemCaseSensitive(c, "remaining_ms") || inum(c, "due_at") != due_ms || due_ms > now)
		return 0;
	cJSON_AddNumberToObject(c, "breached_at", (double)now);
	return 1;
}

int vocd_sla_overdue(const cJSON *ticket, int64_t now)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(ticket, "sla"))
	{
		if (cJSON_GetObjectItemCaseSensitive(c, "done_at"))
			continue;
		if (cJSON_GetObjectItemCaseSensitive(c, "breached_at"))
			return 1;
		double due = num(c, "due_at");
		if (due >= 0 && due < (double)now)
			return 1;
	}
	return 0;
}

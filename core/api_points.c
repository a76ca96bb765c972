/* The points ledger over the API (docs/http-api.md, "Points"):
 *   GET  /api/v1/points              entries in id order (?person=, ?customer=, ?month=YYYY-MM, ?policy=)
 *   GET  /api/v1/points/balances     each person's balance, and their points of ?month=
 *   GET  /api/v1/points/leaderboard  ?month=YYYY-MM: the leaderboard the tenant's staff policy makes
 *   POST /api/v1/points/awards       {quarter}: the award policy's winners, recorded once
 *   GET  /api/v1/points/<id>         one entry, with the entry that reversed it
 *   POST /api/v1/points/<id>/reverse {note}: a reversing entry
 * Each reader sees the entries of the people in their scope (an agent their own); customers' rewards are
 * seen by those who see the whole tenant. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "calendar.h"
#include "error.h"
#include "ids.h"
#include "people.h"
#include "points.h"
#include "scope.h"
#include "validate.h"

static const struct vocd_tenant_conf *conf_of(struct vocd_req *req)
{
	return vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
}

/* An entry as listed: with the context scope reads (the person and their team) and its reversal. */
static cJSON *with_context(vocd_txn *txn, const char *tenant, const char *id, cJSON *e,
                           const struct vocd_tenant_conf *conf)
{
	cJSON *ctx = cJSON_AddObjectToObject(e, "context");
	const char *person = vocd_json_str(e, "person");
	if (person)
		vocd_scope_context_of(conf, ctx, "agent", person);
	char by[24];
	if (vocd_points_reversed(txn, tenant, id, by))
		cJSON_AddStringToObject(e, "reversed_by", by);
	return e;
}

struct list_filter {
	const struct vocd_tenant_conf *conf;
	char person[129], customer[129], policy[160];
	int32_t from, to;
};

static cJSON *entry_item(vocd_txn *txn, const char *tenant, const char *id, cJSON *e, void *arg)
{
	const struct list_filter *f = arg;
	return with_context(txn, tenant, id, e, f->conf);
}

static int keep_entry(vocd_txn *txn, const char *tenant, const cJSON *e, void *arg)
{
	(void)txn;
	(void)tenant;
	const struct list_filter *f = arg;
	const char *person = vocd_json_str(e, "person"), *customer = vocd_json_str(e, "customer");
	int32_t day = (int32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "day"));
	return (!f->person[0] || (person && strcmp(person, f->person) == 0)) &&
	       (!f->customer[0] || (customer && strcmp(customer, f->customer) == 0)) &&
	       (!f->policy[0] || strcmp(vocd_json_str(e, "policy") ? vocd_json_str(e, "policy") : "", f->policy) == 0) &&
	       day >= f->from && day <= f->to;
}

/* ?month=YYYY-MM (or ?quarter=YYYY-Qn where \p name says so) as local days; everything when absent. */
static int period_param(struct vocd_req *req, const char *name, int required, char text[16], int32_t *from,
                        int32_t *to)
{
	*from = 0;
	*to = 99991231;
	if (vocd_http_filter(req, name, text, 16) != 0)
		return -1;
	if (!text[0] && !required)
		return 0;
	if (vocd_calendar_period(text, from, to) != 0 || (strcmp(name, "month") == 0) != (strchr(text, 'Q') == NULL)) {
		vocd_http_error(req, 400, "invalid_parameter", "%s: expected %s", name,
		                strcmp(name, "month") == 0 ? "a month such as 2026-11" : "a quarter such as 2026-Q3");
		return -1;
	}
	return 0;
}

int vocd_api_points_list(struct vocd_req *req)
{
	struct list_filter f = {.conf = conf_of(req)};
	char month[16];
	if (vocd_http_filter(req, "person", f.person, sizeof f.person) != 0 ||
	    vocd_http_filter(req, "customer", f.customer, sizeof f.customer) != 0 ||
	    vocd_http_filter(req, "policy", f.policy, sizeof f.policy) != 0 ||
	    period_param(req, "month", 0, month, &f.from, &f.to) != 0)
		return 0;
	return vocd_api_list_with(req, VOCD_POINTS_TYPE, keep_entry, entry_item, &f);
}

int vocd_api_points_get(struct vocd_req *req)
{
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *e = NULL;
	rc = vocd_points_get(txn, req->auth.tenant, req->params[0], &e);
	if (rc == 0)
		e = with_context(txn, req->auth.tenant, req->params[0], e, conf_of(req));
	vocd_txn_end(txn);
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no points entry %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else if (vocd_api_sees(req, e, "points entry"))
		vocd_http_json(req, 200, e);
	cJSON_Delete(e);
	return 0;
}

int vocd_api_points_balances(struct vocd_req *req)
{
	const struct vocd_tenant_conf *conf = conf_of(req);
	char month[16];
	int32_t from, to;
	if (period_param(req, "month", 0, month, &from, &to) != 0)
		return 0;
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; rc == 0 && i < conf->people.n; i++) {
		const struct vocd_person *p = &conf->people.list[i];
		long long all = 0, period = 0;
		if (!vocd_scope_sees_value(conf, &req->auth, "agent", p->id))
			continue;
		if ((rc = vocd_points_sum(txn, req->auth.tenant, p->id, 0, 0, 99991231, &all)) == 0 && month[0])
			rc = vocd_points_sum(txn, req->auth.tenant, p->id, 0, from, to, &period);
		cJSON *row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "person", p->id);
		if (p->name)
			cJSON_AddStringToObject(row, "name", p->name);
		if (p->team)
			cJSON_AddStringToObject(row, "team", p->team);
		cJSON_AddNumberToObject(row, "balance", (double)all);
		if (month[0])
			cJSON_AddNumberToObject(row, "month_points", (double)period);
		cJSON_AddItemToArray(items, row);
	}
	vocd_txn_end(txn);
	if (rc != 0) {
		cJSON_Delete(items);
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *body = cJSON_CreateObject();
	if (month[0])
		cJSON_AddStringToObject(body, "month", month);
	cJSON_AddItemToObject(body, "items", items);
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	return 0;
}

/* Runs handler \p hook of the tenant's staff policy that has one with the period's figures; the result in
 * \p *out, the policy's label in \p label. Answers errors itself (-1). */
static int run_policy(struct vocd_req *req, const char *hook, const char *period, int32_t from, int32_t to,
                      cJSON **out, char label[200])
{
	*out = NULL;
	if (vocd_plugins_find_handler(req->srv->plugins, req->auth.tenant, "incentive", hook, label, 200) != 0) {
		vocd_http_error(req, 404, "no_policy", "no incentive policy of this tenant has a %s (enable one, such as "
		                "incentives/%s)", hook, strcmp(hook, "award") == 0 ? "voice_of_customer_award" : "monthly_leaderboard");
		return -1;
	}
	vocd_txn *txn;
	cJSON *figures = NULL;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc == 0) {
		rc = vocd_points_figures(txn, req->auth.tenant, conf_of(req), from, to, &figures);
		vocd_txn_end(txn);
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return -1;
	}
	char from_text[16], to_text[16], err[1024];
	vocd_calendar_day_text(from, from_text);
	vocd_calendar_day_text(to, to_text);
	cJSON *q = cJSON_CreateObject();
	cJSON_AddStringToObject(q, "period", period);
	cJSON_AddStringToObject(q, "from", from_text);
	cJSON_AddStringToObject(q, "to", to_text);
	cJSON_AddItemToObject(q, "figures", figures);
	rc = vocd_plugins_call(req->srv->plugins, req->auth.tenant, label, hook, q, out, err, sizeof err);
	cJSON_Delete(q);
	if (rc != 0) {
		vocd_http_error(req, 502, "plugin_failed", "%s: %s", label, err);
		return -1;
	}
	return 0;
}

int vocd_api_points_leaderboard(struct vocd_req *req)
{
	char month[16], label[200];
	int32_t from, to;
	if (period_param(req, "month", 1, month, &from, &to) != 0)
		return 0;
	cJSON *result = NULL;
	if (run_policy(req, "leaderboard", month, from, to, &result, label) != 0)
		return 0;
	const struct vocd_tenant_conf *conf = conf_of(req);
	cJSON *rows = cJSON_GetObjectItemCaseSensitive(result, "rows");
	if (!cJSON_IsArray(rows) && !(cJSON_IsObject(rows) && !rows->child)) { /* {}: an empty Lua table */
		vocd_http_error(req, 502, "plugin_failed", "%s: leaderboard: expected {rows = { … }}", label);
		cJSON_Delete(result);
		return 0;
	}
	/* Each reader sees the rows of the people in their scope. */
	cJSON *seen = cJSON_CreateArray(), *row;
	while ((row = cJSON_DetachItemFromArray(rows, 0)) != NULL) {
		const char *person = vocd_json_str(row, "person");
		if (person && vocd_scope_sees_value(conf, &req->auth, "agent", person))
			cJSON_AddItemToArray(seen, row);
		else
			cJSON_Delete(row);
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "month", month);
	cJSON_AddStringToObject(body, "policy", label);
	cJSON_AddItemToObject(body, "rows", seen);
	vocd_http_json(req, 200, body);
	cJSON_Delete(body);
	cJSON_Delete(result);
	return 0;
}

/* A winner as the award policy gave it: a person of the tenant, whole points, a reason. */
static int winner_valid(const struct vocd_tenant_conf *conf, const cJSON *w, char *why, size_t len)
{
	const char *person = vocd_json_str(w, "person");
	const cJSON *points = cJSON_GetObjectItemCaseSensitive(w, "points");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(w, "reason");
	if (!person || !vocd_people_find(&conf->people, person))
		snprintf(why, len, "winner %s: not one of the people", person ? person : "(no person)");
	else if (!cJSON_IsNumber(points) || points->valuedouble != (double)(long long)points->valuedouble ||
	         points->valuedouble < 1 || points->valuedouble > VOCD_POINTS_MAX)
		snprintf(why, len, "winner %s: points: expected a whole number from 1 to %d", person, VOCD_POINTS_MAX);
	else if (!cJSON_IsString(reason) && !cJSON_IsObject(reason))
		snprintf(why, len, "winner %s: reason: expected a text or {[\"zh-CN\"] = …, en = …}", person);
	else
		return 1;
	return 0;
}

int vocd_api_points_award(struct vocd_req *req)
{
	static const char *const keys[] = {"quarter", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *quarter = cJSON_GetObjectItemCaseSensitive(body, "quarter");
	int32_t from, to;
	if (vocd_check_known(body, "", keys, &fe) != 0 || vocd_check_string(quarter, "quarter", 7, 1, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	if (vocd_calendar_period(quarter->valuestring, &from, &to) != 0 || !strchr(quarter->valuestring, 'Q')) {
		vocd_http_error(req, 422, "invalid_field", "quarter: expected a quarter such as \"2026-Q3\"");
		cJSON_Delete(body);
		return 0;
	}
	const struct vocd_tenant_conf *conf = conf_of(req);
	if (vocd_calendar_day_of(&conf->calendar.cal, vocd_now_ms()) <= to) {
		vocd_http_error(req, 409, "period_not_over", "quarter %s is not over yet: its figures are not final",
		                quarter->valuestring);
		cJSON_Delete(body);
		return 0;
	}
	char label[200], why[200], key[64];
	cJSON *result = NULL;
	if (run_policy(req, "award", quarter->valuestring, from, to, &result, label) != 0) {
		cJSON_Delete(body);
		return 0;
	}
	cJSON *winners = cJSON_GetObjectItemCaseSensitive(result, "winners"), *w;
	/* An empty Lua table comes as {}: no winners. */
	int rc = cJSON_IsArray(winners) || (cJSON_IsObject(winners) && !winners->child) ? 0 : VOCD_EINVAL;
	snprintf(why, sizeof why, "award: expected {winners = { {person, points, reason}, … }}");
	cJSON_ArrayForEach(w, winners) if (rc == 0 && !winner_valid(conf, w, why, sizeof why)) rc = VOCD_EINVAL;
	if (rc != 0) {
		vocd_http_error(req, 502, "plugin_failed", "%s: %s", label, why);
		goto out;
	}
	cJSON *entries = cJSON_CreateArray();
	int made = 0;
	cJSON_ArrayForEach(w, winners) {
		struct vocd_points_grant g = {.tenant = req->auth.tenant, .conf = conf, .policy = label};
		g.person = vocd_json_str(w, "person");
		g.points = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(w, "points"));
		g.reason = cJSON_GetObjectItemCaseSensitive(w, "reason");
		g.award = quarter->valuestring;
		snprintf(key, sizeof key, "award:%s:%s", quarter->valuestring, g.person);
		g.key = key;
		vocd_http_actor(req, "api", NULL, &g.who);
		if ((rc = vocd_points_grant(req->srv->store, &g)) != 0)
			break;
		made += !g.existed;
		vocd_txn *txn;
		cJSON *e = NULL;
		if (vocd_store_read(req->srv->store, &txn) == 0) {
			vocd_points_get(txn, req->auth.tenant, g.id, &e);
			vocd_txn_end(txn);
		}
		if (e)
			cJSON_AddItemToArray(entries, e);
	}
	if (rc != 0) {
		cJSON_Delete(entries);
		vocd_http_fail(req, rc, NULL);
		goto out;
	}
	cJSON *answer = cJSON_CreateObject();
	cJSON_AddStringToObject(answer, "quarter", quarter->valuestring);
	cJSON_AddStringToObject(answer, "policy", label);
	cJSON_AddItemToObject(answer, "winners", entries);
	vocd_http_json(req, made ? 201 : 200, answer);
	cJSON_Delete(answer);
out:
	cJSON_Delete(result);
	cJSON_Delete(body);
	return 0;
}

int vocd_api_points_reverse(struct vocd_req *req)
{
	static const char *const keys[] = {"note", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	if (vocd_check_known(body, "", keys, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "note"), "note", 2000, 1, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	const struct vocd_tenant_conf *conf = conf_of(req);
	/* A supervisor reverses the entries of the people they see; the entry is read first for that. */
	vocd_txn *txn;
	cJSON *e = NULL;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc == 0) {
		rc = vocd_points_get(txn, req->auth.tenant, req->params[0], &e);
		if (rc == 0)
			e = with_context(txn, req->auth.tenant, req->params[0], e, conf);
		vocd_txn_end(txn);
	}
	if (rc == VOCD_ENOTFOUND || (rc == 0 && !vocd_scope_sees(conf, &req->auth, e))) {
		vocd_http_error(req, 404, "not_found", "no points entry %s", req->params[0]);
		goto out;
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		goto out;
	}
	struct vocd_points_reversal r = {.tenant = req->auth.tenant, .conf = conf, .id = req->params[0],
	                                 .note = vocd_json_str(body, "note"), .person = req->auth.person};
	vocd_http_actor(req, "api", NULL, &r.who);
	rc = vocd_points_reverse(req->srv->store, &r);
	if (rc == VOCD_EEXIST)
		vocd_http_error(req, 409, "already_reversed", "%s", r.message);
	else if (rc == VOCD_EINVAL)
		vocd_http_error(req, 422, "invalid_field", "%s", r.message);
	else if (rc != 0)
		vocd_http_fail(req, rc, r.message[0] ? r.message : NULL);
	else
		vocd_http_json(req, 201, r.entry);
	cJSON_Delete(r.entry);
out:
	cJSON_Delete(e);
	cJSON_Delete(body);
	return 0;
}

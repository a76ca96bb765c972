/* The part of the `vocd` table for incentive policies (docs/plugin-api.md, "Incentive policies"):
 * vocd.points.award / figures and vocd.people for staff policies, vocd.points.reward for customer
 * policies, vocd.wilson_lower for anyone. The tenant always comes from the instance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "calendar.h"
#include "error.h"
#include "plugin_api.h"
#include "points.h"

#define REASON_MAX 200 /* characters of each language of a reason */

static const struct vocd_plugin_ctx *ctx_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* The instance may call \p fn: an incentive policy of \p audience, with storage. */
static const struct vocd_plugin_ctx *need(lua_State *L, const char *fn, int audience)
{
	const struct vocd_plugin_ctx *c = ctx_of(L);
	if (strcmp(c->kind, "incentive") != 0)
		luaL_error(L, "%s: only incentive policies may grant points", fn);
	if (c->audience == VOCD_AUDIENCE_NONE)
		luaL_error(L, "%s: not while the plugin loads: call it from a hook or a handler", fn);
	if (c->audience != audience)
		luaL_error(L, "%s: only %s policies may call it (this one has audience = \"%s\")", fn,
		           audience == VOCD_AUDIENCE_STAFF ? "staff" : "customer",
		           c->audience == VOCD_AUDIENCE_STAFF ? "staff" : "customers");
	if (c->store == NULL || c->conf == NULL)
		luaL_error(L, "%s: storage unavailable", fn);
	return c;
}

/* Field \p name of the argument table as a string of 1..max bytes, or NULL when absent and optional. */
static const char *opt_string(lua_State *L, const char *fn, const char *name, size_t max, int required)
{
	lua_pushstring(L, name);
	int type = lua_rawget(L, 1);
	const char *s = NULL;
	size_t len = 0;
	if (type == LUA_TSTRING)
		s = lua_tolstring(L, -1, &len);
	if ((type == LUA_TNIL && required) || (type != LUA_TNIL && (!s || len == 0 || len > max || strlen(s) != len)))
		luaL_error(L, "%s: %s: expected a string of 1 to %d bytes%s", fn, name, (int)max,
		           type == LUA_TNIL ? " (required)" : "");
	lua_pop(L, 1); /* the string stays alive in the argument table */
	return s;
}

static long long opt_integer(lua_State *L, const char *fn, const char *name, long long min, long long max, int *present)
{
	lua_pushstring(L, name);
	int type = lua_rawget(L, 1);
	*present = type != LUA_TNIL;
	if (!*present) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < min || lua_tointeger(L, -1) > max || lua_tointeger(L, -1) == 0)
		luaL_error(L, "%s: %s: expected a whole number from %lld to %lld, not 0", fn, name, min, max);
	long long v = lua_tointeger(L, -1);
	lua_pop(L, 1);
	return v;
}

/* A reason: a string, or {["zh-CN"] = ..., en = ...} with string values only, each 1..REASON_MAX characters. */
static void check_reason(lua_State *L, const char *fn)
{
	lua_pushliteral(L, "reason");
	int type = lua_rawget(L, 1);
	int ok = type == LUA_TSTRING || type == LUA_TTABLE;
	if (type == LUA_TSTRING)
		ok = lua_rawlen(L, -1) > 0 && lua_rawlen(L, -1) <= REASON_MAX * 4;
	if (type == LUA_TTABLE) {
		int n = 0;
		lua_pushnil(L);
		while (ok && lua_next(L, -2)) {
			ok = lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -1) > 0 &&
			     lua_rawlen(L, -1) <= REASON_MAX * 4;
			lua_pop(L, 1);
			n++;
		}
		ok = ok && n > 0;
	}
	if (!ok)
		luaL_error(L, "%s: reason: expected a text, or {[\"zh-CN\"] = \"…\", en = \"…\"}, of 1 to %d characters",
		           fn, REASON_MAX);
	lua_pop(L, 1);
}

/* Converts field \p name (checked already) to JSON; raises on a conversion failure. Call last: nothing may
 * raise between this and the free of the result. */
static cJSON *field_json(lua_State *L, const char *name)
{
	lua_pushstring(L, name);
	if (lua_rawget(L, 1) == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	char err[160];
	cJSON *j = NULL;
	if (vocd_lua_to_json(L, -1, &j, err, sizeof err) != 0)
		luaL_error(L, "%s: %s", name, err);
	lua_pop(L, 1);
	return j;
}

/* After the grant: the entry's id, or nil and why the core refused it; raises on errors. */
static int grant_result(lua_State *L, const char *fn, struct vocd_points_grant *g, int rc)
{
	if (rc == VOCD_ENOTFOUND || rc == VOCD_EINVAL)
		return luaL_error(L, "%s: %s", fn, g->message);
	if (rc != 0)
		return luaL_error(L, "%s: %s", fn, vocd_strerror(rc));
	if (g->refused) {
		lua_pushnil(L);
		lua_pushstring(L, g->refused);
		return 2;
	}
	lua_pushstring(L, g->id);
	return 1;
}

static void grant_who(const struct vocd_plugin_ctx *c, struct vocd_points_grant *g, char actor[160])
{
	snprintf(actor, 160, "plugin:%ss/%s", c->kind, c->name);
	g->who.actor.kind = VOCD_AUDIT_ACTOR_SYSTEM;
	g->who.actor.id = actor;
	g->who.source.channel = "plugin";
}

/* vocd.points.award{person, points, reason, evaluation or ticket, key} */
static int api_award(lua_State *L)
{
	static const char fn[] = "vocd.points.award";
	const struct vocd_plugin_ctx *c = need(L, fn, VOCD_AUDIENCE_STAFF);
	luaL_checktype(L, 1, LUA_TTABLE);
	char policy[160], actor[160];
	snprintf(policy, sizeof policy, "%ss/%s", c->kind, c->name);
	struct vocd_points_grant g = {.tenant = c->tenant, .conf = c->conf, .policy = policy, .policy_version = c->version};
	g.person = opt_string(L, fn, "person", 128, 1);
	if (!vocd_people_find(&c->conf->people, g.person))
		return luaL_error(L, "%s: person: \"%s\" is not one of the people of tenant %s", fn, g.person, c->tenant);
	int present;
	g.points = opt_integer(L, fn, "points", -VOCD_POINTS_MAX, VOCD_POINTS_MAX, &present);
	if (!present)
		return luaL_error(L, "%s: points: required (a whole number, not 0)", fn);
	g.evaluation = opt_string(L, fn, "evaluation", 64, 0);
	g.ticket = opt_string(L, fn, "ticket", 64, 0);
	if (!g.evaluation == !g.ticket)
		return luaL_error(L, "%s: expected exactly one of evaluation and ticket: what the points come from", fn);
	g.key = opt_string(L, fn, "key", 128, 1);
	check_reason(L, fn);
	grant_who(c, &g, actor);
	cJSON *reason = field_json(L, "reason");
	g.reason = reason;
	int rc = vocd_points_grant(c->store, &g);
	cJSON_Delete(reason);
	return grant_result(L, fn, &g, rc);
}

/* vocd.points.reward{customer, points or coupon, reason, evaluation, key, channel} */
static int api_reward(lua_State *L)
{
	static const char fn[] = "vocd.points.reward";
	const struct vocd_plugin_ctx *c = need(L, fn, VOCD_AUDIENCE_CUSTOMERS);
	luaL_checktype(L, 1, LUA_TTABLE);
	char policy[160], actor[160];
	snprintf(policy, sizeof policy, "%ss/%s", c->kind, c->name);
	struct vocd_points_grant g = {.tenant = c->tenant, .conf = c->conf, .policy = policy, .policy_version = c->version};
	g.customer = opt_string(L, fn, "customer", 128, 1);
	int has_points;
	g.points = opt_integer(L, fn, "points", 1, VOCD_POINTS_MAX, &has_points);
	lua_pushliteral(L, "coupon");
	int coupon = lua_rawget(L, 1);
	if (coupon != LUA_TNIL) {
		int ok = coupon == LUA_TTABLE;
		if (ok) {
			lua_pushliteral(L, "value");
			ok = lua_rawget(L, -2) == LUA_TNUMBER && lua_tonumber(L, -1) > 0 && lua_tonumber(L, -1) <= 1e6;
			lua_pushliteral(L, "currency");
			int ct = lua_rawget(L, -3);
			size_t cl = 0;
			const char *cur = ct == LUA_TSTRING ? lua_tolstring(L, -1, &cl) : NULL;
			ok = ok && (ct == LUA_TNIL || (cur && cl == 3 && cur[0] >= 'A' && cur[0] <= 'Z' && cur[1] >= 'A' &&
			                                cur[1] <= 'Z' && cur[2] >= 'A' && cur[2] <= 'Z'));
			lua_pop(L, 2);
		}
		if (!ok)
			return luaL_error(L, "%s: coupon: expected {value = a number above 0, currency = \"CNY\"}", fn);
	}
	lua_pop(L, 1);
	if (has_points == (coupon != LUA_TNIL))
		return luaL_error(L, "%s: expected exactly one of points and coupon", fn);
	g.evaluation = opt_string(L, fn, "evaluation", 64, 1);
	g.key = opt_string(L, fn, "key", 128, 1);
	g.channel = opt_string(L, fn, "channel", 64, 1);
	check_reason(L, fn);
	grant_who(c, &g, actor);
	cJSON *reason = field_json(L, "reason");
	cJSON *coupon_json = NULL;
	if (coupon != LUA_TNIL) {
		lua_pushliteral(L, "coupon");
		lua_rawget(L, 1);
		char err[160];
		if (vocd_lua_to_json(L, -1, &coupon_json, err, sizeof err) != 0) {
			cJSON_Delete(reason);
			return luaL_error(L, "%s: coupon: %s", fn, err);
		}
		lua_pop(L, 1);
	}
	g.reason = reason;
	g.coupon = coupon_json;
	int rc = vocd_points_grant(c->store, &g);
	cJSON_Delete(reason);
	cJSON_Delete(coupon_json);
	return grant_result(L, fn, &g, rc);
}

/* A "YYYY-MM-DD" field of the argument as YYYYMMDD. */
static int32_t day_field(lua_State *L, const char *fn, const char *name)
{
	const char *s = opt_string(L, fn, name, 10, 1), *end;
	int32_t day = vocd_calendar_parse_day(s, &end);
	if (day < 0 || *end)
		luaL_error(L, "%s: %s: expected a date \"2026-10-01\", got \"%s\"", fn, name, s);
	return day;
}

static int push_rows_fn(lua_State *L)
{
	vocd_lua_push_json(L, lua_touserdata(L, 1));
	return 1;
}

/* vocd.points.figures{from, to} */
static int api_figures(lua_State *L)
{
	static const char fn[] = "vocd.points.figures";
	const struct vocd_plugin_ctx *c = need(L, fn, VOCD_AUDIENCE_STAFF);
	luaL_checktype(L, 1, LUA_TTABLE);
	int32_t from = day_field(L, fn, "from"), to = day_field(L, fn, "to");
	int64_t span = vocd_calendar_day_number(to) - vocd_calendar_day_number(from);
	if (span < 0 || span > 365)
		return luaL_error(L, "%s: from .. to: expected at most 366 days, from before to", fn);
	vocd_txn *txn;
	int rc = vocd_store_read(c->store, &txn);
	if (rc != 0)
		return luaL_error(L, "%s: %s", fn, vocd_strerror(rc));
	cJSON *rows = NULL;
	rc = vocd_points_figures(txn, c->tenant, c->conf, from, to, &rows);
	vocd_txn_end(txn);
	if (rc != 0)
		return luaL_error(L, "%s: %s", fn, vocd_strerror(rc));
	/* Pushed in a protected call, so that a memory error does not leak the rows. */
	lua_pushcfunction(L, push_rows_fn);
	lua_pushlightuserdata(L, rows);
	int prc = lua_pcall(L, 1, 1, 0);
	cJSON_Delete(rows);
	if (prc != LUA_OK)
		return lua_error(L);
	return 1;
}

/* vocd.people(): who the tenant's people are, without how to reach them. */
static int api_people(lua_State *L)
{
	const struct vocd_plugin_ctx *c = need(L, "vocd.people", VOCD_AUDIENCE_STAFF);
	lua_createtable(L, (int)c->conf->people.n, 0);
	for (size_t i = 0; i < c->conf->people.n; i++) {
		const struct vocd_person *p = &c->conf->people.list[i];
		lua_createtable(L, 0, 4);
		lua_pushstring(L, p->id);
		lua_setfield(L, -2, "id");
		if (p->name) {
			lua_pushstring(L, p->name);
			lua_setfield(L, -2, "name");
		}
		if (p->team) {
			lua_pushstring(L, p->team);
			lua_setfield(L, -2, "team");
		}
		if (p->manager) {
			lua_pushstring(L, p->manager);
			lua_setfield(L, -2, "manager");
		}
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int api_wilson_lower(lua_State *L)
{
	lua_Number good = luaL_checknumber(L, 1), n = luaL_checknumber(L, 2), z = luaL_optnumber(L, 3, 1.96);
	if (good < 0 || n < 0 || good > n || z <= 0)
		return luaL_error(L, "vocd.wilson_lower: expected 0 <= good <= n and z > 0");
	lua_pushnumber(L, vocd_wilson_lower(good, n, z));
	return 1;
}

void vocd_plugin_points_open(lua_State *L, int t, const struct vocd_plugin_ctx *c)
{
	static const luaL_Reg points[] = {{"award", api_award}, {"reward", api_reward}, {"figures", api_figures},
	                                  {NULL, NULL}};
	lua_newtable(L);
	lua_pushlightuserdata(L, (void *)c);
	luaL_setfuncs(L, points, 1);
	lua_setfield(L, t, "points");
	lua_pushlightuserdata(L, (void *)c);
	lua_pushcclosure(L, api_people, 1);
	lua_setfield(L, t, "people");
	lua_pushcfunction(L, api_wilson_lower);
	lua_setfield(L, t, "wilson_lower");
}

/* ---- The answer handed to customer policies ------------------------------------------------------ */

static int guard_index(lua_State *L)
{
	static const char *const hidden[] = {"scores", "csat", "nps", "ces", "dimensions", "text", NULL};
	const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
	for (const char *const *h = hidden; k && *h; h++)
		if (strcmp(k, *h) == 0)
			return luaL_error(L, "answer.%s: customer reward policies are not given scores or text (no inducement)",
			                  k);
	return 0;
}

void vocd_plugin_points_guard(lua_State *L)
{
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, guard_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
}

/* The `vocd` table of plugin states: registration, settings, logging, time, JSON, HMAC, tenant-scoped
 * storage, events and timers. Every function that touches data takes the tenant from the instance's
 * context, never from an argument, so a plugin can only reach its own tenant. */
#include "plugin_api.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <mbedtls/md.h>

#include "bus.h"
#include "error.h"
#include "log.h"
#include "lua_budget.h"

#define JSON_MAX_DEPTH 64
#define KEY_MAX 128
#define TOPIC_MAX 128

static const char HOOKS_KEY[] = "vocd.hooks";
static const char HANDLES_KEY[] = "vocd.handles";

static const struct vocd_plugin_ctx *ctx_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* ---- JSON conversion ---------------------------------------------------------------------------- */

static void push_json_depth(lua_State *L, const cJSON *j, int depth)
{
	luaL_checkstack(L, 4, "JSON nesting");
	if (j == NULL) {
		lua_pushnil(L);
	} else if (cJSON_IsNull(j)) {
		lua_pushlightuserdata(L, NULL);
	} else if (cJSON_IsBool(j)) {
		lua_pushboolean(L, cJSON_IsTrue(j));
	} else if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;
		if (d == floor(d) && fabs(d) <= 9007199254740992.0)
			lua_pushinteger(L, (lua_Integer)d);
		else
			lua_pushnumber(L, d);
	} else if (cJSON_IsString(j)) {
		lua_pushstring(L, j->valuestring);
	} else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
		int arr = cJSON_IsArray(j);
		lua_createtable(L, arr ? cJSON_GetArraySize(j) : 0, arr ? 0 : cJSON_GetArraySize(j));
		if (depth >= JSON_MAX_DEPTH)
			return;
		lua_Integer i = 1;
		for (const cJSON *c = j->child; c != NULL; c = c->next) {
			push_json_depth(L, c, depth + 1);
			if (arr)
				lua_rawseti(L, -2, i++);
			else
				lua_setfield(L, -2, c->string);
		}
	} else {
		lua_pushnil(L);
	}
}

void vocd_lua_push_json(lua_State *L, const cJSON *j)
{
	push_json_depth(L, j, 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int to_json_depth(lua_State *L, int idx, cJSON **out, char *err, size_t errlen, int depth);

static int table_to_json(lua_State *L, int idx, cJSON **out, char *err, size_t errlen, int depth)
{
	if (vocd_luahost_readonly_target(L, idx)) {
		int rc = table_to_json(L, lua_gettop(L), out, err, errlen, depth);
		lua_pop(L, 1);
		return rc;
	}
	luaL_checkstack(L, 6, "JSON nesting");
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
	int is_array = n > 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		count++;
		if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > n)
			is_array = 0;
		lua_pop(L, 1);
	}
	if (count != n)
		is_array = 0;
	cJSON *j = is_array ? cJSON_CreateArray() : cJSON_CreateObject();
	if (j == NULL)
		return VOCD_ENOMEM;
	if (is_array) {
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, idx, i);
			cJSON *c;
			int rc = to_json_depth(L, lua_gettop(L), &c, err, errlen, depth + 1);
			lua_pop(L, 1);
			if (rc != 0) {
				cJSON_Delete(j);
				return rc;
			}
			cJSON_AddItemToArray(j, c);
		}
		*out = j;
		return 0;
	}
	/* Objects: keys sorted, so that output and messages do not depend on hash order. */
	const char **keys = count > 0 ? calloc((size_t)count, sizeof *keys) : NULL;
	if (count > 0 && keys == NULL) {
		cJSON_Delete(j);
		return VOCD_ENOMEM;
	}
	lua_newtable(L); /* keeps converted key strings alive */
	int anchor = lua_gettop(L);
	size_t nk = 0;
	int rc = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		int kt = lua_type(L, -1);
		if (kt == LUA_TSTRING || (kt == LUA_TNUMBER && lua_isinteger(L, -1))) {
			lua_pushvalue(L, -1);
			const char *k = lua_tostring(L, -1); /* converts the copy, not the key lua_next needs */
			lua_pushvalue(L, -1);
			lua_rawseti(L, anchor, (lua_Integer)nk + 1);
			lua_pop(L, 1);
			keys[nk++] = k;
		} else {
			snprintf(err, errlen, "cannot encode a table key of type %s", luaL_typename(L, -1));
			rc = VOCD_EINVAL;
			lua_pop(L, 1);
			break;
		}
	}
	if (rc == 0) {
		if (nk > 1)
			qsort(keys, nk, sizeof *keys, cmp_str);
		for (size_t i = 0; i < nk && rc == 0; i++) {
			lua_pushstring(L, keys[i]);
			if (lua_rawget(L, idx) == LUA_TNIL) { /* was an integer key */
				lua_pop(L, 1);
				char *end;
				long long v = strtoll(keys[i], &end, 10);
				lua_rawgeti(L, idx, (lua_Integer)v);
			}
			cJSON *c;
			rc = to_json_depth(L, lua_gettop(L), &c, err, errlen, depth + 1);
			lua_pop(L, 1);
			if (rc == 0)
				cJSON_AddItemToObject(j, keys[i], c);
		}
	}
	lua_settop(L, anchor - 1);
	free(keys);
	if (rc != 0) {
		cJSON_Delete(j);
		return rc;
	}
	*out = j;
	return 0;
}

static int to_json_depth(lua_State *L, int idx, cJSON **out, char *err, size_t errlen, int depth)
{
	*out = NULL;
	if (depth > JSON_MAX_DEPTH) {
		snprintf(err, errlen, "cannot encode: nested deeper than %d levels (or a cycle)", JSON_MAX_DEPTH);
		return VOCD_EINVAL;
	}
	idx = lua_absindex(L, idx);
	cJSON *j = NULL;
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		j = cJSON_CreateNull();
		break;
	case LUA_TLIGHTUSERDATA:
		if (lua_touserdata(L, idx) != NULL)
			goto bad;
		j = cJSON_CreateNull();
		break;
	case LUA_TBOOLEAN:
		j = cJSON_CreateBool(lua_toboolean(L, idx));
		break;
	case LUA_TNUMBER: {
		double d = lua_isinteger(L, idx) ? (double)lua_tointeger(L, idx) : lua_tonumber(L, idx);
		if (!isfinite(d)) {
			snprintf(err, errlen, "cannot encode %s", lua_tostring(L, idx));
			return VOCD_EINVAL;
		}
		j = cJSON_CreateNumber(d);
		break;
	}
	case LUA_TSTRING:
		j = cJSON_CreateString(lua_tostring(L, idx));
		break;
	case LUA_TTABLE:
		return table_to_json(L, idx, out, err, errlen, depth);
	default:
	bad:
		snprintf(err, errlen, "cannot encode a %s value", luaL_typename(L, idx));
		return VOCD_EINVAL;
	}
	if (j == NULL)
		return VOCD_ENOMEM;
	*out = j;
	return 0;
}

int vocd_lua_to_json(lua_State *L, int idx, cJSON **out, char *err, size_t errlen)
{
	return to_json_depth(L, idx, out, err, errlen, 0);
}

/* Converts argument \p idx to JSON text; raises on failure. The text is left on the stack (owned by
 * Lua), so that no C memory leaks when a later call raises. */
static const char *arg_json(lua_State *L, int idx, size_t *len)
{
	cJSON *j;
	char msg[256];
	int rc = vocd_lua_to_json(L, idx, &j, msg, sizeof msg);
	if (rc != 0)
		return luaL_error(L, "%s", rc == VOCD_ENOMEM ? "out of memory" : msg), NULL;
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (text == NULL)
		return luaL_error(L, "out of memory"), NULL;
	lua_pushstring(L, text);
	free(text);
	return lua_tolstring(L, -1, len);
}

/* ---- Registration -------------------------------------------------------------------------------- */

static int valid_name(const char *s, size_t len, int allow_star)
{
	if (len == 0 || len > TOPIC_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-' || (allow_star && c == '*')))
			return 0;
	}
	return 1;
}

static int do_register(lua_State *L, const char *what, const void *key, int allow_star)
{
	size_t len;
	const char *name = luaL_checklstring(L, 1, &len);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (!vocd_luahost_loading(L))
		return luaL_error(L, "vocd.%s('%s'): registration is only allowed while the plugin loads", what,
		                  name);
	if (!valid_name(name, len, allow_star))
		return luaL_error(L, "vocd.%s: invalid name '%s' (letters, digits, '.', '_', '-')", what, name);
	lua_rawgetp(L, LUA_REGISTRYINDEX, key);
	if (lua_getfield(L, -1, name) != LUA_TNIL)
		return luaL_error(L, "vocd.%s('%s'): already registered", what, name);
	lua_pop(L, 1);
	lua_pushvalue(L, 2);
	lua_setfield(L, -2, name);
	return 0;
}

static int api_hook(lua_State *L)
{
	return do_register(L, "hook", HOOKS_KEY, 1);
}

static int api_handle(lua_State *L)
{
	return do_register(L, "handle", HANDLES_KEY, 0);
}

static int push_registered(lua_State *L, const void *key, const char *name)
{
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) != LUA_TTABLE) {
		lua_pop(L, 1);
		return 0;
	}
	if (lua_getfield(L, -1, name) != LUA_TFUNCTION) {
		lua_pop(L, 2);
		return 0;
	}
	lua_remove(L, -2);
	return 1;
}

int vocd_plugin_api_push_hook(lua_State *L, const char *topic)
{
	return push_registered(L, HOOKS_KEY, topic);
}

int vocd_plugin_api_push_handle(lua_State *L, const char *name)
{
	return push_registered(L, HANDLES_KEY, name);
}

cJSON *vocd_plugin_api_names(lua_State *L, int handles)
{
	cJSON *arr = cJSON_CreateArray();
	if (arr == NULL)
		return NULL;
	lua_rawgetp(L, LUA_REGISTRYINDEX, handles ? HANDLES_KEY : HOOKS_KEY);
	if (lua_type(L, -1) == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			lua_pop(L, 1);
			if (lua_type(L, -1) == LUA_TSTRING)
				cJSON_AddItemToArray(arr, cJSON_CreateString(lua_tostring(L, -1)));
		}
	}
	lua_pop(L, 1);
	/* Sort: a small insertion sort over the linked list's strings. */
	int n = cJSON_GetArraySize(arr);
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0; k--) {
			cJSON *a = cJSON_GetArrayItem(arr, k - 1), *b = cJSON_GetArrayItem(arr, k);
			if (strcmp(a->valuestring, b->valuestring) <= 0)
				break;
			char *t = a->valuestring;
			a->valuestring = b->valuestring;
			b->valuestring = t;
		}
	return arr;
}

/* ---- Logging, time, JSON, HMAC, i18n ------------------------------------------------------------- */

static int api_log(lua_State *L, enum vocd_log_level level)
{
	const struct vocd_plugin_ctx *c = ctx_of(L);
	luaL_Buffer b;
	int n = lua_gettop(L);
	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, ' ');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	vocd_log(level, "plugin %ss/%s (tenant %s): %s", c->kind, c->name, c->tenant, lua_tostring(L, -1));
	return 0;
}

static int api_log_info(lua_State *L)
{
	return api_log(L, VOCD_LOG_INFO);
}

static int api_log_warn(lua_State *L)
{
	return api_log(L, VOCD_LOG_WARN);
}

static int api_log_error(lua_State *L)
{
	return api_log(L, VOCD_LOG_ERROR);
}

static int api_time(lua_State *L)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	lua_pushinteger(L, (lua_Integer)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	return 1;
}

static int api_json_encode(lua_State *L)
{
	luaL_checkany(L, 1);
	size_t len;
	arg_json(L, 1, &len);
	return 1;
}

static int api_json_decode(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	cJSON *j = cJSON_ParseWithLength(s, len);
	if (j == NULL) {
		luaL_pushfail(L);
		lua_pushliteral(L, "invalid JSON");
		return 2;
	}
	push_json_depth(L, j, 0);
	cJSON_Delete(j);
	return 1;
}

static int api_hmac_sha256(lua_State *L)
{
	size_t klen, mlen;
	const char *key = luaL_checklstring(L, 1, &klen);
	const char *msg = luaL_checklstring(L, 2, &mlen);
	vocd_lua_charge(L, 1 + mlen / 64);
	unsigned char mac[32];
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	if (md == NULL || mbedtls_md_hmac(md, (const unsigned char *)key, klen, (const unsigned char *)msg, mlen,
	                                  mac) != 0)
		return luaL_error(L, "vocd.hmac_sha256: failed");
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	lua_pushlstring(L, hex, 64);
	return 1;
}

/* vocd.i18n(t, lang): t[lang], then the language without region ("zh" for "zh-TW" finds "zh-CN"), then
 * English, then Chinese, then any text. A string is returned as it is. */
static int api_i18n(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TSTRING) {
		lua_settop(L, 1);
		return 1;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	const char *lang = luaL_optstring(L, 2, "zh-CN");
	if (vocd_luahost_readonly_target(L, 1))
		lua_replace(L, 1);
	if (lua_getfield(L, 1, lang) == LUA_TSTRING)
		return 1;
	lua_pop(L, 1);
	size_t plen = strcspn(lang, "-_");
	const char *tries[] = {strncmp(lang, "zh", 2) == 0 && plen == 2 ? "zh-CN" : NULL, "en", "zh-CN", "zh"};
	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		if (tries[i] == NULL)
			continue;
		if (lua_getfield(L, 1, tries[i]) == LUA_TSTRING)
			return 1;
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		if (lua_type(L, -1) == LUA_TSTRING)
			return 1;
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	return 1;
}

/* ---- Storage, events, timers --------------------------------------------------------------------- */

static const struct vocd_plugin_ctx *need_store(lua_State *L, const char *fn)
{
	const struct vocd_plugin_ctx *c = ctx_of(L);
	if (c->store == NULL)
		luaL_error(L, "%s: storage unavailable", fn);
	return c;
}

static const char *check_key(lua_State *L, int idx, const char *fn)
{
	size_t len;
	const char *k = luaL_checklstring(L, idx, &len);
	if (len == 0 || len > KEY_MAX || strlen(k) != len)
		luaL_error(L, "%s: key must be 1 to %d bytes without NUL", fn, KEY_MAX);
	return k;
}

static int store_error(lua_State *L, const char *fn, int rc)
{
	return luaL_error(L, "%s: %s", fn, vocd_strerror(rc));
}

static int api_store_get(lua_State *L)
{
	const struct vocd_plugin_ctx *c = need_store(L, "vocd.store.get");
	const char *key = check_key(L, 1, "vocd.store.get");
	vocd_txn *txn;
	int rc = vocd_store_read(c->store, &txn);
	if (rc != 0)
		return store_error(L, "vocd.store.get", rc);
	const void *data;
	size_t len;
	rc = vocd_rec_get(txn, c->tenant, c->rec_type, key, &data, &len);
	cJSON *j = rc == 0 ? cJSON_ParseWithLength(data, len) : NULL;
	vocd_txn_end(txn);
	if (rc == VOCD_ENOTFOUND) {
		lua_pushnil(L);
		return 1;
	}
	if (rc != 0)
		return store_error(L, "vocd.store.get", rc);
	if (j == NULL)
		return luaL_error(L, "vocd.store.get: stored value is not JSON");
	push_json_depth(L, j, 0);
	cJSON_Delete(j);
	return 1;
}

struct put_job {
	const struct vocd_plugin_ctx *c;
	const char *key, *topic, *data;
	size_t len;
	int64_t due_ms;
};

static int put_fn(vocd_txn *txn, void *arg)
{
	struct put_job *j = arg;
	return vocd_rec_put(txn, j->c->tenant, j->c->rec_type, j->key, j->data, j->len, NULL, 0);
}

static int publish_fn(vocd_txn *txn, void *arg)
{
	struct put_job *j = arg;
	return vocd_bus_publish(txn, j->c->tenant, j->topic, j->data, j->len);
}

static int timer_fn(vocd_txn *txn, void *arg)
{
	struct put_job *j = arg;
	return vocd_bus_timer_set(txn, j->c->tenant, j->key, j->topic, j->data, j->len, j->due_ms);
}

static int run_job(lua_State *L, const char *fn, vocd_write_fn job, struct put_job *j)
{
	int rc = vocd_store_write(j->c->store, job, j);
	if (rc != 0)
		return store_error(L, fn, rc);
	lua_pushboolean(L, 1);
	return 1;
}

static int api_store_put(lua_State *L)
{
	struct put_job j = {.c = need_store(L, "vocd.store.put")};
	j.key = check_key(L, 1, "vocd.store.put");
	luaL_checkany(L, 2);
	j.data = arg_json(L, 2, &j.len);
	return run_job(L, "vocd.store.put", put_fn, &j);
}

static const char *check_topic(lua_State *L, int idx, const char *fn)
{
	size_t len;
	const char *t = luaL_checklstring(L, idx, &len);
	if (!valid_name(t, len, 0))
		luaL_error(L, "%s: invalid topic '%s'", fn, t);
	return t;
}

static int api_publish(lua_State *L)
{
	struct put_job j = {.c = need_store(L, "vocd.publish")};
	j.topic = check_topic(L, 1, "vocd.publish");
	luaL_checktype(L, 2, LUA_TTABLE);
	j.data = arg_json(L, 2, &j.len);
	return run_job(L, "vocd.publish", publish_fn, &j);
}

static int api_timer(lua_State *L)
{
	struct put_job j = {.c = need_store(L, "vocd.timer")};
	const char *key = check_key(L, 1, "vocd.timer");
	j.due_ms = (int64_t)luaL_checkinteger(L, 2);
	j.topic = check_topic(L, 3, "vocd.timer");
	luaL_checktype(L, 4, LUA_TTABLE);
	/* Timer keys are per tenant in the bus: prefix them with the plugin so plugins cannot collide. */
	j.key = lua_pushfstring(L, "%ss/%s:%s", j.c->kind, j.c->name, key);
	j.data = arg_json(L, 4, &j.len);
	return run_job(L, "vocd.timer", timer_fn, &j);
}

/* ---- The table ----------------------------------------------------------------------------------- */

static int open_api(lua_State *L)
{
	const struct vocd_plugin_ctx *c = lua_touserdata(L, 1);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, HOOKS_KEY);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, HANDLES_KEY);

	static const luaL_Reg top[] = {{"hook", api_hook},   {"handle", api_handle}, {"time", api_time},
	                               {"hmac_sha256", api_hmac_sha256},          {"i18n", api_i18n},
	                               {"publish", api_publish}, {"timer", api_timer}, {NULL, NULL}};
	static const luaL_Reg log[] = {{"info", api_log_info}, {"warn", api_log_warn}, {"error", api_log_error},
	                               {NULL, NULL}};
	static const luaL_Reg json[] = {{"encode", api_json_encode}, {"decode", api_json_decode}, {NULL, NULL}};
	static const luaL_Reg store[] = {{"get", api_store_get}, {"put", api_store_put}, {NULL, NULL}};

	lua_newtable(L);
	int t = lua_gettop(L);
	lua_pushlightuserdata(L, (void *)c);
	luaL_setfuncs(L, top, 1);
	lua_newtable(L);
	lua_pushlightuserdata(L, (void *)c);
	luaL_setfuncs(L, log, 1);
	lua_setfield(L, t, "log");
	lua_newtable(L);
	lua_pushlightuserdata(L, (void *)c);
	luaL_setfuncs(L, json, 1);
	lua_pushlightuserdata(L, NULL);
	lua_setfield(L, -2, "null");
	lua_setfield(L, t, "json");
	lua_newtable(L);
	lua_pushlightuserdata(L, (void *)c);
	luaL_setfuncs(L, store, 1);
	lua_setfield(L, t, "store");
	lua_pushstring(L, c->tenant);
	lua_setfield(L, t, "tenant");
	lua_pushstring(L, c->name);
	lua_setfield(L, t, "plugin");
	lua_pushinteger(L, VOCD_PLUGIN_API_VERSION);
	lua_setfield(L, t, "api_version");
	vocd_lua_push_json(L, c->settings);
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	lua_setfield(L, t, "settings");
	vocd_luahost_push_readonly(L, t);
	return 1;
}

int vocd_plugin_api_open(vocd_luahost *h, const struct vocd_plugin_ctx *ctx)
{
	lua_State *L = vocd_luahost_state(h);
	lua_pushcfunction(L, open_api);
	lua_pushlightuserdata(L, (void *)ctx);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		lua_pop(L, 1);
		return VOCD_ENOMEM;
	}
	vocd_luahost_set_global(h, "vocd");
	return 0;
}

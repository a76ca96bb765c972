/* The `vocd` table of plugin states: registration, settings, logging, time, JSON, HMAC, tenant-scoped
 * storage, events, timers, and for channel plugins the contact details they send to. Every function that touches data takes the tenant from the instance's
 * context, never from an argument, so a plugin can only reach its own tenant. */
#include "plugin_api.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <mbedtls/md.h>

#include "audit.h"
#include "bus.h"
#include "error.h"
#include "http_client.h"
#include "ids.h"
#include "log.h"
#include "lua_budget.h"
#include "privacy_access.h"

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

/*
 * Lua -> JSON text. Everything is built in memory of the state (a userdata buffer) and charged to the
 * run's budget: a table shared many times over (t = {t, t} repeated) is followed once per reference,
 * so its output can be exponential in its size, and this keeps it inside the memory cap, the
 * instruction budget and a size cap. Nothing is malloc'd, so a memory error or a kill raised in the
 * middle leaves nothing behind. Must run inside a protected call.
 */
#define JSON_TEXT_DEFAULT_MAX (4u << 20)

struct enc {
	lua_State *L;
	int box; /* stack index of the userdata holding the buffer */
	char *p;
	size_t len, cap, max;
	const void *path[JSON_MAX_DEPTH + 1]; /* the tables being encoded, outermost first */
	int depth;
	char *err;
	size_t errlen;
};

struct jkey {
	const char *s;
	size_t len;
	lua_Integer i;
	int is_int;
	char num[24];
};

static int enc_fail(struct enc *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int enc_fail(struct enc *e, int rc, const char *fmt, ...)
{
	if (e->err != NULL && e->errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->err, e->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Makes room for \p n more bytes. May raise (memory). */
static int enc_room(struct enc *e, size_t n)
{
	if (n > e->max - e->len)
		return enc_fail(e, VOCD_ETOOBIG, "cannot encode: the JSON text would be longer than %zu bytes", e->max);
	if (e->len + n <= e->cap)
		return 0;
	size_t cap = e->cap;
	while (cap < e->len + n)
		cap = cap <= e->max / 2 ? cap * 2 : e->max;
	char *np = lua_newuserdatauv(e->L, cap, 0);
	memcpy(np, e->p, e->len);
	lua_replace(e->L, e->box);
	e->p = np;
	e->cap = cap;
	return 0;
}

static int enc_put(struct enc *e, const char *s, size_t n)
{
	int rc = enc_room(e, n);
	if (rc == 0) {
		memcpy(e->p + e->len, s, n);
		e->len += n;
	}
	return rc;
}

static int enc_string(struct enc *e, const char *s, size_t n)
{
	vocd_lua_charge(e->L, 1 + n / 64);
	size_t need = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		need += c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 2
		        : c < 0x20                                                                            ? 6
		                                                                                              : 1;
	}
	int rc = enc_room(e, need);
	if (rc != 0)
		return rc;
	char *o = e->p + e->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
		                : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
		if (esc != NULL) {
			*o++ = esc[0];
			*o++ = esc[1];
		} else if (c < 0x20) {
			snprintf(o, 7, "\\u%04x", c);
			o += 6;
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	e->len = (size_t)(o - e->p);
	return 0;
}

static int enc_value(struct enc *e, int idx);

static int cmp_key(const void *a, const void *b)
{
	const struct jkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	/* An integer key's text is in the struct itself, which qsort moves. */
	int c = memcmp(x->is_int ? x->num : x->s, y->is_int ? y->num : y->s, n);
	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static int enc_table(struct enc *e, int idx)
{
	lua_State *L = e->L;
	int top = lua_gettop(L);
	luaL_checkstack(L, 8, "JSON nesting");
	if (vocd_luahost_readonly_target(L, idx))
		idx = lua_gettop(L);
	const void *self = lua_topointer(L, idx);
	for (int i = 0; i < e->depth; i++)
		if (e->path[i] == self) {
			lua_settop(L, top);
			return enc_fail(e, VOCD_EINVAL, "cannot encode: a table contains itself (a cycle)");
		}
	if (e->depth >= JSON_MAX_DEPTH) {
		lua_settop(L, top);
		return enc_fail(e, VOCD_EINVAL, "cannot encode: nested deeper than %d levels", JSON_MAX_DEPTH);
	}
	e->path[e->depth++] = self;

	lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
	int is_array = n > 0, rc = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		count++;
		if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > n)
			is_array = 0;
		lua_pop(L, 1);
	}
	vocd_lua_charge(L, 1 + (uint64_t)count / 8);
	if (count != n)
		is_array = 0;
	if (is_array) {
		rc = enc_put(e, "[", 1);
		for (lua_Integer i = 1; i <= n && rc == 0; i++) {
			if (i > 1)
				rc = enc_put(e, ",", 1);
			lua_rawgeti(L, idx, i);
			if (rc == 0)
				rc = enc_value(e, lua_gettop(L));
			lua_pop(L, 1);
		}
		if (rc == 0)
			rc = enc_put(e, "]", 1);
		e->depth--;
		lua_settop(L, top);
		return rc;
	}
	/* Objects: keys sorted, so that output and messages do not depend on hash order. The key array
	 * lives in the state (a userdata), like the output. */
	if ((uint64_t)count > SIZE_MAX / sizeof(struct jkey)) {
		e->depth--;
		lua_settop(L, top);
		return enc_fail(e, VOCD_ETOOBIG, "cannot encode: too many keys");
	}
	struct jkey *keys = count > 0 ? lua_newuserdatauv(L, (size_t)count * sizeof *keys, 0) : NULL;
	size_t nk = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		struct jkey *k = &keys[nk];
		if (lua_type(L, -1) == LUA_TSTRING) {
			/* Points into the key, kept alive by the table, which nothing modifies meanwhile. */
			k->s = lua_tolstring(L, -1, &k->len);
			k->is_int = 0;
		} else if (lua_isinteger(L, -1)) {
			k->i = lua_tointeger(L, -1);
			k->is_int = 1;
			k->len = (size_t)snprintf(k->num, sizeof k->num, "%lld", (long long)k->i);
			k->s = k->num;
		} else {
			rc = enc_fail(e, VOCD_EINVAL, "cannot encode a table key of type %s", luaL_typename(L, -1));
			lua_pop(L, 1);
			break;
		}
		nk++;
	}
	if (rc == 0) {
		if (nk > 1)
			qsort(keys, nk, sizeof *keys, cmp_key);
		for (size_t i = 0; i < nk; i++)
			if (keys[i].is_int)
				keys[i].s = keys[i].num;
		rc = enc_put(e, "{", 1);
		for (size_t i = 0; i < nk && rc == 0; i++) {
			if (i > 0)
				rc = enc_put(e, ",", 1);
			if (rc == 0)
				rc = enc_string(e, keys[i].s, keys[i].len);
			if (rc == 0)
				rc = enc_put(e, ":", 1);
			if (rc != 0)
				break;
			if (keys[i].is_int) {
				lua_rawgeti(L, idx, keys[i].i);
			} else {
				lua_pushlstring(L, keys[i].s, keys[i].len);
				lua_rawget(L, idx);
			}
			rc = enc_value(e, lua_gettop(L));
			lua_pop(L, 1);
		}
		if (rc == 0)
			rc = enc_put(e, "}", 1);
	}
	e->depth--;
	lua_settop(L, top);
	return rc;
}

static int enc_value(struct enc *e, int idx)
{
	lua_State *L = e->L;
	char num[40];
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		vocd_lua_charge(L, 1);
		return enc_put(e, "null", 4);
	case LUA_TLIGHTUSERDATA:
		if (lua_touserdata(L, idx) != NULL)
			break;
		vocd_lua_charge(L, 1);
		return enc_put(e, "null", 4);
	case LUA_TBOOLEAN:
		vocd_lua_charge(L, 1);
		return lua_toboolean(L, idx) ? enc_put(e, "true", 4) : enc_put(e, "false", 5);
	case LUA_TNUMBER: {
		vocd_lua_charge(L, 1);
		int n;
		if (lua_isinteger(L, idx)) {
			n = snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, idx));
		} else {
			double d = (double)lua_tonumber(L, idx);
			if (!isfinite(d))
				return enc_fail(e, VOCD_EINVAL, "cannot encode %s", d != d ? "NaN" : d > 0 ? "inf" : "-inf");
			/* The shortest of 15 or 17 digits that reads back as the same number. */
			n = snprintf(num, sizeof num, "%.15g", d);
			if (strtod(num, NULL) != d)
				n = snprintf(num, sizeof num, "%.17g", d);
		}
		return enc_put(e, num, (size_t)n);
	}
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		return enc_string(e, s, n);
	}
	case LUA_TTABLE:
		return enc_table(e, idx);
	default:
		break;
	}
	return enc_fail(e, VOCD_EINVAL, "cannot encode a %s value", luaL_typename(L, idx));
}

int vocd_lua_to_json_text(lua_State *L, int idx, char *err, size_t errlen)
{
	idx = lua_absindex(L, idx);
	const struct vocd_lua_budget *b = vocd_lua_budget_of(L);
	struct enc e = {.L = L, .err = err, .errlen = errlen};
	e.max = b != NULL && b->max_string > 0 ? b->max_string : JSON_TEXT_DEFAULT_MAX;
	e.cap = e.max < 256 ? e.max : 256;
	e.p = lua_newuserdatauv(L, e.cap, 0);
	e.box = lua_gettop(L);
	int rc = enc_value(&e, idx);
	if (rc == 0)
		lua_pushlstring(L, e.p, e.len);
	lua_remove(L, e.box);
	return rc;
}

int vocd_lua_to_json(lua_State *L, int idx, cJSON **out, char *err, size_t errlen)
{
	*out = NULL;
	int rc = vocd_lua_to_json_text(L, idx, err, errlen);
	if (rc != 0)
		return rc;
	size_t len;
	const char *text = lua_tolstring(L, -1, &len);
	*out = cJSON_ParseWithLength(text, len);
	lua_pop(L, 1);
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return VOCD_ENOMEM;
	}
	return 0;
}

/* Converts argument \p idx to JSON text; raises on failure. The text is left on the stack (owned by
 * Lua), so that no C memory leaks when a later call raises. */
static const char *arg_json(lua_State *L, int idx, size_t *len)
{
	char msg[256];
	if (vocd_lua_to_json_text(L, idx, msg, sizeof msg) != 0)
		return luaL_error(L, "%s", msg), NULL;
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

int vocd_plugin_topic_pattern_valid(const char *t)
{
	size_t n = t != NULL ? strlen(t) : 0;
	if (n == 0 || n > TOPIC_MAX)
		return 0;
	const char *star = strchr(t, '*');
	if (star == NULL || n == 1)
		return star == NULL || t[0] == '*';
	/* Only a trailing ".*" after a non-empty prefix: the rule of vocd_bus_subscribe(). */
	return star == t + n - 1 && n >= 3 && t[n - 2] == '.';
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
	if (allow_star && !vocd_plugin_topic_pattern_valid(name))
		return luaL_error(L, "vocd.%s: topic \"%s\": expected an exact topic, \"prefix.*\" or \"*\"", what, name);
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
	lua_pushinteger(L, (lua_Integer)vocd_now_ms());
	return 1;
}

static int api_json_encode(lua_State *L)
{
	luaL_checkany(L, 1);
	size_t len;
	arg_json(L, 1, &len);
	return 1;
}

/* True if a number in \p j does not fit a double: cJSON reads 1e999 as infinity, which no JSON text can
 * stand for, so vocd.json.encode and the hook's result would refuse it later, as a plugin error. */
static int has_infinite(const cJSON *j)
{
	if (cJSON_IsNumber(j) && !isfinite(j->valuedouble))
		return 1;
	for (const cJSON *c = j->child; c; c = c->next)
		if (has_infinite(c))
			return 1;
	return 0;
}

static int api_json_decode(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	cJSON *j = cJSON_ParseWithLength(s, len);
	if (j == NULL || has_infinite(j)) {
		luaL_pushfail(L);
		if (j != NULL)
			lua_pushliteral(L, "invalid JSON: a number too large for a double");
		else
			lua_pushliteral(L, "invalid JSON");
		cJSON_Delete(j);
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

/* vocd.i18n(t, lang): t[lang]; for a Chinese lang ("zh", "zh-TW", "zh_HK") t["zh-CN"]; then t.en,
 * t["zh-CN"], t.zh; then any string value (in table order). A string is returned as it is. */
/* vocd.secure_equal(a, b): compares two strings in time that does not depend on where they differ, for
 * checking signatures. */
static int api_secure_equal(lua_State *L)
{
	size_t la, lb;
	const char *a = luaL_optlstring(L, 1, NULL, &la), *b = luaL_optlstring(L, 2, NULL, &lb);
	if (!a || !b || la != lb) {
		lua_pushboolean(L, 0);
		return 1;
	}
	unsigned diff = 0;
	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	lua_pushboolean(L, diff == 0);
	return 1;
}

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

/* The core's own events: the core and the workflow rules trust what they say (an answer, a ticket, a
 * notification to send), so a plugin may hook them but never publish one. */
static const char *const reserved_topics[] = {"evaluation.", "invitation.", "ticket.", "notification.",
                                              "service_event.", "reply.", "reward.", "points.", NULL};

static const char *check_topic(lua_State *L, int idx, const char *fn)
{
	size_t len;
	const char *t = luaL_checklstring(L, idx, &len);
	if (!valid_name(t, len, 0))
		luaL_error(L, "%s: invalid topic '%s'", fn, t);
	for (const char *const *r = reserved_topics; *r; r++)
		if (strncmp(t, *r, strlen(*r)) == 0)
			luaL_error(L, "%s: '%s' is the core's own kind of event (%s*): a plugin may hook it, not publish it",
			           fn, t, *r);
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

/* ---- Personal data for channel plugins -------------------------------------------------------------- */

struct contact_job {
	const struct vocd_plugin_ctx *c;
	const char *customer, *field, *purpose;
};

/* Every unmasked read is recorded: who (the plugin), whose data, which field, and why. */
static int contact_audit_fn(vocd_txn *txn, void *arg)
{
	struct contact_job *j = arg;
	char actor[160], change[256];
	snprintf(actor, sizeof actor, "plugin:%ss/%s", j->c->kind, j->c->name);
	int n = snprintf(change, sizeof change, "{\"field\":\"%s\",\"purpose\":\"%s\"}", j->field, j->purpose);
	struct vocd_audit_entry e = {{VOCD_AUDIT_ACTOR_SYSTEM, actor, NULL}, {NULL, j->c->name, NULL, NULL}, 0,
	                             "pii.read", "customer", j->customer, change, (size_t)(n < 0 ? 0 : n)};
	int rc = vocd_audit_append(txn, j->c->tenant, &e, NULL);
	/* And in the access log, beside the reads of people: the purpose is the plugin's reason. */
	const char *fields[] = {j->field, NULL};
	struct vocd_actor who = {e.actor, e.source};
	struct vocd_privacy_access a = {"read", j->customer, j->purpose, "vocd.contact", NULL, fields, 1, 1};
	return rc != 0 ? rc : vocd_privacy_access_log_in(txn, j->c->tenant, &a, &who, NULL);
}

static int push_cstring_fn(lua_State *L)
{
	lua_pushstring(L, lua_touserdata(L, 1));
	return 1;
}

/* vocd.contact(customer, field, purpose): a channel plugin reads the phone, email or name it needs to
 * reach the customer; nil when there is none (never given, or consent withdrawn). */
static int api_contact(lua_State *L)
{
	const struct vocd_plugin_ctx *c = need_store(L, "vocd.contact");
	vocd_pii *pii = c->pii ? *c->pii : NULL;
	if (strcmp(c->kind, "channel") != 0)
		return luaL_error(L, "vocd.contact: only channel plugins may read contact details");
	if (!pii)
		return luaL_error(L, "vocd.contact: personal data unavailable");
	struct contact_job j = {c, luaL_checkstring(L, 1), luaL_checkstring(L, 2), luaL_checkstring(L, 3)};
	if (strcmp(j.field, "phone") && strcmp(j.field, "email") && strcmp(j.field, "name"))
		return luaL_error(L, "vocd.contact: field must be \"phone\", \"email\" or \"name\"");
	size_t plen = strlen(j.purpose);
	if (plen == 0 || plen > 64 || strpbrk(j.purpose, "\"\\"))
		return luaL_error(L, "vocd.contact: purpose must be 1 to 64 characters saying why (\"send invitation\")");
	vocd_txn *txn;
	int rc = vocd_store_read(c->store, &txn);
	if (rc != 0)
		return store_error(L, "vocd.contact", rc);
	const void *data;
	size_t len;
	cJSON *rec = NULL;
	if (vocd_rec_get(txn, c->tenant, "customer", j.customer, &data, &len) == 0)
		rec = cJSON_ParseWithLength(data, len);
	const char *sealed = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, j.field));
	char *plain = NULL;
	rc = sealed ? vocd_pii_open_field(pii, txn, c->tenant, j.customer, j.field, sealed, &plain) : VOCD_ENOTFOUND;
	vocd_txn_end(txn);
	cJSON_Delete(rec);
	if (rc != 0) {
		lua_pushnil(L);
		return 1;
	}
	rc = vocd_store_write(c->store, contact_audit_fn, &j);
	if (rc != 0) {
		vocd_pii_free(plain);
		return store_error(L, "vocd.contact", rc);
	}
	/* Pushed in a protected call so that, should the state be out of memory, the plaintext is still wiped. */
	lua_pushcfunction(L, push_cstring_fn);
	lua_pushlightuserdata(L, plain);
	int prc = lua_pcall(L, 1, 1, 0);
	vocd_pii_free(plain);
	if (prc != LUA_OK)
		return lua_error(L);
	return 1;
}

/* ---- Outbound HTTP for channel plugins ------------------------------------------------------------- */

#define HTTP_MAX_HEADERS 32

/* Pushes {status, headers = {lower-case name = value}, body} for the response given as argument 1. */
static int push_response_fn(lua_State *L)
{
	struct vocd_http_response *rs = lua_touserdata(L, 1);
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, rs->status);
	lua_setfield(L, -2, "status");
	lua_pushlstring(L, rs->body, rs->body_len);
	lua_setfield(L, -2, "body");
	lua_newtable(L);
	for (char *line = rs->headers; line && *line;) {
		char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *colon = memchr(line, ':', len);
		if (colon) {
			for (char *k = line; k < colon; k++)
				*k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
			const char *v = colon + 1;
			while (v < line + len && *v == ' ')
				v++;
			lua_pushlstring(L, line, (size_t)(colon - line));
			lua_pushlstring(L, v, (size_t)(line + len - v));
			lua_rawset(L, -3);
		}
		line += len + (end ? 2 : 0);
	}
	lua_setfield(L, -2, "headers");
	return 1;
}

/* vocd.http.request{method, url, headers = {name = value}, body, timeout_ms} ->
 * {status, headers = {lower-case name = value}, body}. Raises on a network failure or a timeout, so that a
 * send failing in an event hook is retried by the bus. */
static int api_http_request(lua_State *L)
{
	const struct vocd_plugin_ctx *c = ctx_of(L);
	if (strcmp(c->kind, "channel") != 0)
		return luaL_error(L, "vocd.http.request: only channel plugins may send requests");
	luaL_checktype(L, 1, LUA_TTABLE);
	struct vocd_http_request rq;
	memset(&rq, 0, sizeof rq);
	lua_getfield(L, 1, "method");
	rq.method = lua_isnil(L, -1) ? "GET" : luaL_checkstring(L, -1);
	lua_getfield(L, 1, "url");
	rq.url = luaL_checkstring(L, -1);
	lua_getfield(L, 1, "body");
	rq.body = lua_isnil(L, -1) ? NULL : luaL_checklstring(L, -1, &rq.body_len);
	lua_getfield(L, 1, "timeout_ms");
	lua_Integer timeout = lua_isnil(L, -1) ? 10000 : luaL_checkinteger(L, -1);
	if (timeout < 1 || timeout > 30000)
		return luaL_error(L, "vocd.http.request: timeout_ms must be 1 to 30000");
	rq.timeout_ms = (unsigned)timeout;
	const char *headers[HTTP_MAX_HEADERS + 1];
	int nh = 0;
	if (lua_getfield(L, 1, "headers") == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (nh == HTTP_MAX_HEADERS)
				return luaL_error(L, "vocd.http.request: at most %d headers", HTTP_MAX_HEADERS);
			if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
				return luaL_error(L, "vocd.http.request: headers are name = \"value\" strings");
			headers[nh++] = lua_pushfstring(L, "%s: %s", lua_tostring(L, -2), lua_tostring(L, -1));
			lua_insert(L, 2); /* keep the string alive below the iteration */
			lua_pop(L, 1);
		}
	}
	headers[nh] = NULL;
	rq.headers = headers;
	/* Blocking I/O is no Lua work: charge it a share of the budget so a loop of requests ends too. */
	vocd_lua_charge(L, 100000);
	struct vocd_http_response rs;
	int rc = vocd_http_request(&rq, &rs);
	if (rc != 0)
		return luaL_error(L, "vocd.http.request: %s %s: %s", rq.method, rq.url,
		                  rc == VOCD_ELIMIT ? "no answer in time" : rc == VOCD_ETOOBIG ? "answer too large"
		                  : rc == VOCD_EINVAL ? "bad request (method, url or headers)" : "connection failed");
	/* Built in a protected call, so that the response is freed even when the state runs out of memory. */
	lua_pushcfunction(L, push_response_fn);
	lua_pushlightuserdata(L, &rs);
	int prc = lua_pcall(L, 1, 1, 0);
	vocd_http_response_free(&rs);
	if (prc != LUA_OK)
		return lua_error(L);
	return 1;
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
	                               {"secure_equal", api_secure_equal},
	                               {"publish", api_publish}, {"timer", api_timer}, {"contact", api_contact},
	                               {NULL, NULL}};
	static const luaL_Reg log[] = {{"info", api_log_info}, {"warn", api_log_warn}, {"error", api_log_error},
	                               {NULL, NULL}};
	static const luaL_Reg json[] = {{"encode", api_json_encode}, {"decode", api_json_decode}, {NULL, NULL}};
	static const luaL_Reg store[] = {{"get", api_store_get}, {"put", api_store_put}, {NULL, NULL}};
	static const luaL_Reg http[] = {{"request", api_http_request}, {NULL, NULL}};

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
	lua_newtable(L);
	lua_pushlightuserdata(L, (void *)c);
	luaL_setfuncs(L, http, 1);
	lua_setfield(L, t, "http");
	vocd_plugin_points_open(L, t, c);
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

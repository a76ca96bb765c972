/* Tests of core/luahost.c: the sandbox (escape attempts), the limits (instructions, memory, patterns,
 * the pcall-swallow attempt), the fresh environment per run, the separate load budget, the read-only
 * views' iterator, memory errors while building arguments, and the bounded Lua -> JSON conversion. The fixture
 * plugins in tests/plugins/fixtures are run through the plugin host, without storage or bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "error.h"
#include "luahost.h"
#include "plugin.h"

#define FIXTURES VOCD_SOURCE_DIR "/tests/plugins/fixtures"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A config with one tenant "demo" enabling the given workflow fixtures (no settings). */
struct tconf {
	struct vocd_config cfg;
	struct vocd_tenant_conf tenant;
	struct vocd_plugin_ref refs[8];
};

static void tconf_init(struct tconf *t, const char *const *names, size_t n)
{
	memset(t, 0, sizeof *t);
	t->cfg.plugins_dir = (char *)FIXTURES;
	t->cfg.limits.lua_memory = 4u << 20;
	t->cfg.limits.lua_instructions = 1000000;
	t->cfg.limits.lua_load_instructions = 5000000;
	t->cfg.limits.lua_max_string = 1u << 20;
	t->tenant.id = (char *)"demo";
	t->tenant.file = (char *)"conf/tenants/demo.lua";
	t->tenant.plugins = t->refs;
	t->tenant.nplugins = n;
	for (size_t i = 0; i < n; i++) {
		t->refs[i].kind = (char *)"workflow";
		t->refs[i].name = (char *)names[i];
		t->refs[i].settings = cJSON_Parse(strcmp(names[i], "good") == 0 ? "{\"threshold\": 2}" : "{}");
		t->refs[i].where = (char *)"conf/tenants/demo.lua:7";
	}
	t->cfg.tenants = &t->tenant;
	t->cfg.ntenants = 1;
}

static void tconf_free(struct tconf *t)
{
	for (size_t i = 0; i < t->tenant.nplugins; i++)
		cJSON_Delete(t->refs[i].settings);
}

static vocd_plugins *host_for(struct tconf *t, const char *name)
{
	const char *names[] = {name};
	tconf_init(t, names, 1);
	vocd_plugins *p = NULL;
	char err[2048];
	int rc = vocd_plugins_create(&p, &t->cfg, NULL, NULL, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "create failed: %s\n", err);
	assert_int_equal(rc, 0);
	return p;
}

/* Calls a handler; returns its code; the result, if any, as compact JSON in \p out (may be NULL). */
static int call(vocd_plugins *p, const char *plugin, const char *hook, char *out, size_t outlen, char *err,
                size_t errlen)
{
	cJSON *res = NULL;
	int rc = vocd_plugins_call(p, "demo", plugin, hook, NULL, &res, err, errlen);
	if (out != NULL) {
		out[0] = '\0';
		if (res != NULL) {
			char *s = cJSON_PrintUnformatted(res);
			snprintf(out, outlen, "%s", s);
			free(s);
		}
	}
	cJSON_Delete(res);
	return rc;
}

static void test_escape_attempts_fail(void **state)
{
	struct tconf t;
	vocd_plugins *p = host_for(&t, "escape");
	static const char *const attempts[] = {"io",          "os_execute",  "os_getenv",     "os_exit",
	                                       "require",     "package",     "debug",         "dofile",
	                                       "loadfile",    "string_dump", "method_dump",   "load_binary",
	                                       "load_global", "string_meta", "string_lib",    "string_rawset",
	                                       "setmetatable_string", "gc",  "collectgarbage", "global_env"};
	char out[256], err[1024];
	for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
		int rc = call(p, "escape", attempts[i], out, sizeof out, err, sizeof err);
		if (rc != VOCD_EPLUGIN)
			fprintf(stderr, "escape attempt %s: rc %d, result %s\n", attempts[i], rc, out);
		assert_int_equal(rc, VOCD_EPLUGIN);
		assert_true(strstr(err, "escape/plugin.lua:") != NULL);
	}
	/* String methods were not changed by the attempts, and the metatable stays hidden. */
	assert_int_equal(call(p, "escape", "upper", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "\"ABCD\"");
	assert_int_equal(call(p, "escape", "meta", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "\"false\"");
	assert_int_equal(vocd_plugins_error_count(p), sizeof attempts / sizeof attempts[0]);
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

/* Each handler must be stopped with VOCD_ELIMIT within 2 s, and the plugin must answer afterwards. */
static void expect_killed(const char *plugin, const char *const *hooks, size_t n, const char *ok_hook)
{
	struct tconf t;
	vocd_plugins *p = host_for(&t, plugin);
	char out[256], err[1024];
	for (size_t i = 0; i < n; i++) {
		double t0 = now_s();
		int rc = call(p, plugin, hooks[i], out, sizeof out, err, sizeof err);
		double dt = now_s() - t0;
		if (rc != VOCD_ELIMIT || dt >= 2.0)
			fprintf(stderr, "%s.%s: rc %d after %.2f s: %s\n", plugin, hooks[i], rc, dt, err);
		assert_int_equal(rc, VOCD_ELIMIT);
		assert_true(dt < 2.0);
		if (ok_hook != NULL)
			assert_int_equal(call(p, plugin, ok_hook, out, sizeof out, err, sizeof err), 0);
	}
	cJSON *st;
	assert_int_equal(vocd_plugins_status(p, "demo", &st), 0);
	cJSON *le = cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0), "last_error");
	assert_non_null(le);
	assert_string_equal(cJSON_GetObjectItem(le, "hook")->valuestring, hooks[n - 1]);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0), "errors")->valueint, (int)n);
	cJSON_Delete(st);
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

static void test_infinite_loop_stopped(void **state)
{
	const char *hooks[] = {"run", "run"};
	expect_killed("loop", hooks, 2, "ok");
}

static void test_pcall_cannot_swallow_kill(void **state)
{
	const char *hooks[] = {"run", "nested", "xpcall", "coroutine"};
	expect_killed("pcallloop", hooks, 4, "ok");
}

static void test_catastrophic_pattern_stopped(void **state)
{
	const char *hooks[] = {"run", "method"};
	expect_killed("pattern", hooks, 2, NULL);
}

static void test_unbounded_allocation_stopped(void **state)
{
	const char *hooks[] = {"run", "run"};
	expect_killed("alloc", hooks, 2, NULL);
	/* After a memory kill the state is rebuilt from the code: module state starts over. */
	struct tconf t;
	vocd_plugins *p = host_for(&t, "alloc");
	char out[64], err[512];
	assert_int_equal(call(p, "alloc", "run", out, sizeof out, err, sizeof err), VOCD_ELIMIT);
	assert_true(strstr(err, "memory") != NULL);
	assert_int_equal(call(p, "alloc", "ok", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "0");
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

static void test_fresh_env_per_run(void **state)
{
	struct tconf t;
	vocd_plugins *p = host_for(&t, "good");
	cJSON *arg = cJSON_Parse("{\"value\": \"secret\"}"), *res = NULL;
	char err[512];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(vocd_plugins_call(p, "demo", "good", "leak", arg, &res, err, sizeof err), 0);
		/* The global written by the previous run is not visible: {before = nil} encodes as {}. */
		assert_null(cJSON_GetObjectItem(res, "before"));
		cJSON_Delete(res);
	}
	/* Module-level locals persist (plugin state); globals do not. */
	char out[64];
	assert_int_equal(call(p, "good", "count", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "1");
	assert_int_equal(call(p, "good", "count", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "2");
	/* Settings are read-only, even through rawset. */
	assert_int_equal(call(p, "good", "settings_write", out, sizeof out, err, sizeof err), VOCD_EPLUGIN);
	assert_true(strstr(err, "read-only") != NULL);
	assert_int_equal(call(p, "good", "settings_rawset", out, sizeof out, err, sizeof err), VOCD_EPLUGIN);
	assert_true(strstr(err, "read-only") != NULL);
	cJSON_Delete(arg);
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

static void test_load_budget_separate(void **state)
{
	struct tconf t;
	const char *names[] = {"heavyload"};
	tconf_init(&t, names, 1);
	t.cfg.limits.lua_instructions = 200000;  /* less than the loop needs */
	t.cfg.limits.lua_load_instructions = 20000000;
	vocd_plugins *p = NULL;
	char err[1024], out[64];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(call(p, "heavyload", "at_load", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "45000150000");
	assert_int_equal(call(p, "heavyload", "run", out, sizeof out, err, sizeof err), VOCD_ELIMIT);
	vocd_plugins_destroy(p);

	/* With a load budget below what loading needs, loading fails and says so. */
	t.cfg.limits.lua_load_instructions = 200000;
	p = NULL;
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, NULL, NULL, err, sizeof err), VOCD_ECONFIG);
	assert_null(p);
	assert_true(strstr(err, "heavyload/plugin.lua:") != NULL);
	assert_true(strstr(err, "while loading") != NULL);
	tconf_free(&t);
}

/* ---- The host directly --------------------------------------------------------------------------- */

static void test_memory_cap(void **state)
{
	struct vocd_luahost_limits lim = {.memory = 1u << 20, .instructions = 100000000};
	vocd_luahost *h;
	assert_int_equal(vocd_luahost_new(&h, &lim), 0);
	static const char code[] = "local function grow() local t = {} for i = 1, 1e9 do t[i] = {i} end end\n"
	                           "return grow\n";
	assert_int_equal(vocd_luahost_load(h, code, sizeof code - 1, "grow.lua"), 0);
	lua_State *L = vocd_luahost_state(h);
	assert_int_equal(lua_type(L, -1), LUA_TFUNCTION);
	double t0 = now_s();
	assert_int_equal(vocd_luahost_run(h, 0, 0), VOCD_ELIMIT);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(vocd_luahost_last_error(h)->kind, VOCD_LUAHOST_MEMORY);
	assert_true(vocd_luahost_memory(h) <= lim.memory);
	assert_int_equal(lua_gettop(L), 0);
	vocd_luahost_free(h);
}

static void test_errors_have_file_and_line(void **state)
{
	vocd_luahost *h;
	assert_int_equal(vocd_luahost_new(&h, NULL), 0);
	static const char bad[] = "local x = 1\nlocal y = = 2\n";
	assert_int_equal(vocd_luahost_load(h, bad, sizeof bad - 1, "plugins/x/plugin.lua"), VOCD_EPLUGIN);
	const struct vocd_luahost_error *e = vocd_luahost_last_error(h);
	assert_string_equal(e->file, "plugins/x/plugin.lua");
	assert_int_equal(e->line, 2);

	static const char code[] = "return function(a)\n  local t = nil\n  return t.x + a\nend\n";
	assert_int_equal(vocd_luahost_load(h, code, sizeof code - 1, "a/very/long/path/that/lua/would/shorten/"
	                                                                  "in/its/messages/plugin.lua"), 0);
	lua_pushinteger(vocd_luahost_state(h), 1);
	assert_int_equal(vocd_luahost_run(h, 1, 1), VOCD_EPLUGIN);
	e = vocd_luahost_last_error(h);
	assert_int_equal(e->kind, VOCD_LUAHOST_ERROR);
	assert_string_equal(e->file, "a/very/long/path/that/lua/would/shorten/in/its/messages/plugin.lua");
	assert_int_equal(e->line, 3);
	assert_true(strstr(e->message, "attempt to index") != NULL);
	assert_true(strstr(e->traceback, "stack traceback") != NULL);
	vocd_luahost_free(h);
}

static void test_no_bytecode_and_locked_strings(void **state)
{
	vocd_luahost *h;
	assert_int_equal(vocd_luahost_new(&h, NULL), 0);
	/* Binary chunks are refused at the top level too. */
	static const char bin[] = "\x1bLua\x54\x00";
	assert_int_equal(vocd_luahost_load(h, bin, sizeof bin - 1, "bin.lua"), VOCD_EPLUGIN);
	static const char code[] = "return getmetatable(''), string.dump, io, os.execute, debug, os.time ~= nil\n";
	assert_int_equal(vocd_luahost_load(h, code, sizeof code - 1, "c.lua"), 0);
	/* Only the first result is kept by load; run the chunk's logic again as a function. */
	lua_State *L = vocd_luahost_state(h);
	assert_int_equal(lua_toboolean(L, -1), 0);
	lua_pop(L, 1);
	static const char fn[] = "return function() return select('#', getmetatable(''), string.dump, io, "
	                         "os.execute, debug), getmetatable(''), string.dump == nil and io == nil and "
	                         "os.execute == nil and debug == nil and os.time ~= nil end\n";
	assert_int_equal(vocd_luahost_load(h, fn, sizeof fn - 1, "d.lua"), 0);
	assert_int_equal(vocd_luahost_run(h, 0, 3), 0);
	assert_int_equal(lua_toboolean(L, -1), 1);
	assert_int_equal(lua_type(L, -2), LUA_TBOOLEAN);
	assert_int_equal(lua_toboolean(L, -2), 0);
	lua_settop(L, 0);
	vocd_luahost_free(h);
}

/* ---- Read-only views: the iterator pairs() hands out ---------------------------------------------- */

static void test_readonly_iterator_checks_its_argument(void **state)
{
	struct tconf t;
	vocd_plugins *p = host_for(&t, "ronext");
	static const char *const bad[] = {"number", "string", "func",  "table_index", "plain",
	                                  "nothing", "nil",   "number_arg", "other_view", "lib_view"};
	char out[512], err[1024];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = call(p, "ronext", bad[i], out, sizeof out, err, sizeof err);
		if (rc != VOCD_EPLUGIN || strstr(err, "expected the read-only table this iterator belongs to") == NULL)
			fprintf(stderr, "ronext.%s: rc %d, result %s, error %s\n", bad[i], rc, out, err);
		assert_int_equal(rc, VOCD_EPLUGIN);
		assert_non_null(strstr(err, "ronext/plugin.lua:"));
		assert_non_null(strstr(err, "expected the read-only table this iterator belongs to"));
	}
	/* A key that is not in the view is Lua's own clean error. */
	assert_int_equal(call(p, "ronext", "bad_key", out, sizeof out, err, sizeof err), VOCD_EPLUGIN);
	assert_non_null(strstr(err, "invalid key to 'next'"));
	/* The views still iterate, index and measure. */
	assert_int_equal(call(p, "ronext", "ok", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "{\"first\":[1,\"a\"],\"has_upper\":true,\"keys\":[\"level\",\"tags\"],\"len\":2,"
	                         "\"tags\":[\"a\",\"b\"]}");
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

/* ---- Memory errors while building arguments ------------------------------------------------------- */

/* "[[],[],...]" with \p n empty arrays: small as text, large as Lua tables. */
static cJSON *many_arrays(size_t n)
{
	size_t len = 3 * n + 2;
	char *text = malloc(len + 1), *o = text;
	assert_non_null(text);
	*o++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		*o++ = '[';
		*o++ = ']';
	}
	*o++ = ']';
	*o = '\0';
	cJSON *j = cJSON_Parse(text);
	free(text);
	assert_non_null(j);
	return j;
}

static void test_memory_error_in_arguments_is_a_clean_limit(void **state)
{
	struct tconf t;
	vocd_plugins *p = host_for(&t, "cachearg"); /* 4 MiB cap */
	char out[64], err[1024];
	/* 300,000 tables do not fit at all: twice, without aborting the process. */
	cJSON *huge = many_arrays(300000), *res = NULL;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(vocd_plugins_call(p, "demo", "cachearg", "keep", huge, &res, err, sizeof err), VOCD_ELIMIT);
		assert_null(res);
		assert_non_null(strstr(err, "memory limit reached"));
	}
	cJSON_Delete(huge);
	assert_int_equal(call(p, "cachearg", "ok", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "\"fine\"");

	/* Arguments that fit one at a time, kept by the plugin: the cap is reached in the argument
	 * conversion of a later call, which ends cleanly and leaves a fresh state. */
	cJSON *big = many_arrays(15000);
	int rc = 0, calls = 0;
	while (calls < 40) {
		calls++;
		rc = vocd_plugins_call(p, "demo", "cachearg", "keep", big, &res, err, sizeof err);
		if (rc != 0)
			break;
		assert_int_equal(res->valueint, calls);
		cJSON_Delete(res);
		res = NULL;
	}
	assert_int_equal(rc, VOCD_ELIMIT);
	assert_true(calls > 1);
	assert_non_null(strstr(err, "memory limit reached"));
	assert_int_equal(vocd_plugins_call(p, "demo", "cachearg", "keep", big, &res, err, sizeof err), 0);
	assert_int_equal(res->valueint, 1); /* the state was rebuilt: the cache starts over */
	cJSON_Delete(res);
	cJSON_Delete(big);
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

static int alloc_huge(lua_State *L)
{
	lua_newtable(L);
	for (int i = 1; i <= 1000000; i++) {
		lua_createtable(L, 1000, 0);
		lua_rawseti(L, -2, i);
	}
	return 0;
}

static int raise_plain(lua_State *L)
{
	return luaL_error(L, "refused by %s", (const char *)lua_touserdata(L, 1));
}

static int add_args(lua_State *L)
{
	lua_pushinteger(L, lua_tointeger(L, 2) + lua_tointeger(L, 3));
	return 1;
}

static void test_pcall_protects_c_steps(void **state)
{
	struct vocd_luahost_limits lim = {.memory = 1u << 20};
	vocd_luahost *h;
	assert_int_equal(vocd_luahost_new(&h, &lim), 0);
	lua_State *L = vocd_luahost_state(h);
	assert_int_equal(vocd_luahost_pcall(h, alloc_huge, NULL, 0, 0), VOCD_ELIMIT);
	assert_int_equal(vocd_luahost_last_error(h)->kind, VOCD_LUAHOST_MEMORY);
	assert_int_equal(lua_gettop(L), 0);
	/* The garbage of the killed step is still there (the plugin host rebuilds such a state). */
	lua_gc(L, LUA_GCCOLLECT);
	assert_int_equal(vocd_luahost_pcall(h, raise_plain, (void *)"the test", 0, 0), VOCD_EPLUGIN);
	assert_int_equal(vocd_luahost_last_error(h)->kind, VOCD_LUAHOST_ERROR);
	assert_string_equal(vocd_luahost_last_error(h)->message, "refused by the test");
	lua_pushinteger(L, 40);
	lua_pushinteger(L, 2);
	assert_int_equal(vocd_luahost_pcall(h, add_args, NULL, 2, 1), 0);
	assert_int_equal(lua_gettop(L), 1);
	assert_int_equal(lua_tointeger(L, 1), 42);
	lua_settop(L, 0);
	vocd_luahost_free(h);
}

/* ---- Lua -> JSON --------------------------------------------------------------------------------- */

static void expect_refused(vocd_plugins *p, const char *hook, const char *msg)
{
	char out[256], err[1024];
	double t0 = now_s();
	int rc = call(p, "jsonbomb", hook, out, sizeof out, err, sizeof err);
	double dt = now_s() - t0;
	if (rc != VOCD_EPLUGIN || strstr(err, msg) == NULL || dt >= 1.0)
		fprintf(stderr, "jsonbomb.%s: rc %d after %.2f s: %s\n", hook, rc, dt, err);
	assert_int_equal(rc, VOCD_EPLUGIN);
	assert_non_null(strstr(err, msg));
	assert_true(dt < 1.0);
}

static void test_json_conversion_is_bounded(void **state)
{
	struct tconf t;
	vocd_plugins *p = host_for(&t, "jsonbomb"); /* lua_max_string 1 MiB */
	expect_refused(p, "double", "cannot be JSON: cannot encode: the JSON text would be longer than 1048576 bytes");
	expect_refused(p, "double30", "longer than 1048576 bytes");
	expect_refused(p, "double_encode", "longer than 1048576 bytes");
	expect_refused(p, "cycle", "a table contains itself");
	expect_refused(p, "cycle_encode", "a table contains itself");
	expect_refused(p, "deep", "nested deeper than 64 levels");
	expect_refused(p, "function", "cannot encode a function value");
	/* Without storage the writers refuse before converting. */
	expect_refused(p, "double_put", "storage unavailable");

	char out[512], err[1024];
	assert_int_equal(call(p, "jsonbomb", "caught", out, sizeof out, err, sizeof err), 0);
	assert_non_null(strstr(out, "\"ok\":false"));
	assert_non_null(strstr(out, "a table contains itself"));
	/* Shared subtables without a cycle are fine. */
	assert_int_equal(call(p, "jsonbomb", "shared", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "[[1],[1],[[1]]]");
	assert_int_equal(call(p, "jsonbomb", "encode", out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "\"{\\\"3\\\":false,\\\"a\\\":[1,2,\\\"x\\\"],\\\"b\\\":1,\\\"c\\\":0.1,\\\"s\\\":\\\"\\\\t\\\"}\"");

	cJSON *res = NULL;
	assert_int_equal(vocd_plugins_call(p, "demo", "jsonbomb", "normal", NULL, &res, err, sizeof err), 0);
	char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(res, "list"));
	assert_string_equal(text, "[1,2,3]");
	free(text);
	assert_string_equal(cJSON_GetObjectItem(res, "text")->valuestring, "a\n\"b\"\\\1");
	assert_true(cJSON_GetObjectItem(res, "num")->valuedouble == 1.5);
	assert_true(cJSON_GetObjectItem(res, "neg")->valuedouble == -0.25);
	assert_true(cJSON_GetObjectItem(res, "int")->valuedouble == 9007199254740992.0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(res, "null")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(res, "yes")));
	assert_true(cJSON_IsObject(cJSON_GetObjectItem(res, "empty")));
	assert_string_equal(cJSON_GetObjectItem(res, "7")->valuestring, "seven");
	assert_true(cJSON_IsObject(cJSON_GetObjectItem(res, "settings")));
	cJSON_Delete(res);
	/* Refusals are the plugin's errors, counted like others; the state keeps working. */
	assert_int_equal(vocd_plugins_error_count(p), 8);
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_attempts_fail),
	    cmocka_unit_test(test_infinite_loop_stopped),
	    cmocka_unit_test(test_pcall_cannot_swallow_kill),
	    cmocka_unit_test(test_catastrophic_pattern_stopped),
	    cmocka_unit_test(test_unbounded_allocation_stopped),
	    cmocka_unit_test(test_fresh_env_per_run),
	    cmocka_unit_test(test_load_budget_separate),
	    cmocka_unit_test(test_memory_cap),
	    cmocka_unit_test(test_errors_have_file_and_line),
	    cmocka_unit_test(test_no_bytecode_and_locked_strings),
	    cmocka_unit_test(test_readonly_iterator_checks_its_argument),
	    cmocka_unit_test(test_memory_error_in_arguments_is_a_clean_limit),
	    cmocka_unit_test(test_pcall_protects_c_steps),
	    cmocka_unit_test(test_json_conversion_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

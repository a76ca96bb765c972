/* Sandboxed Lua states for plugins. See luahost.h.
 *
 * Layout of a state: the real globals (registry) are never visible to plugin code. `base` holds the
 * safe functions and read-only library tables; the module environment `M` (metatable __index = base)
 * receives the globals a plugin defines while loading; each run gets a fresh table R (__index = M)
 * swapped into the main chunk's _ENV upvalue, which every function of the chunk shares.
 *
 * Nothing allocates in a state outside a protected call: near the memory cap the allocator fails, and an
 * unprotected error would reach Lua's panic handler, which aborts the process. Loads, runs and the
 * embedder's steps around a run (vocd_luahost_pcall) all go through protected_run(); the code that runs
 * after a failure (classifying it, restoring the environment) only reads. */
#include "luahost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "error.h"
#include "log.h"
#include "lua_budget.h"
#include "lua_pattern.h"

/* Instructions between two budget checks; after a kill the hook fires on every instruction. */
#define HOOK_STEP 1000
#define RO_MAX_DEPTH 32

struct vocd_luahost {
	lua_State *L;
	struct vocd_luahost_limits lim;
	size_t used;
	int mem_hit;
	int loading;
	int active; /* a load or run is in progress: allocation failures kill it */
	int base_ref, env_ref, chunk_ref, run_mt_ref, ro_ref;
	void *ud;
	struct vocd_lua_budget budget;
	struct vocd_luahost_error err;
	char msg[1024];
	char file[512];
	char tb[4096];
};

static const char HOST_KEY[] = "vocd.luahost";

static int on_panic(lua_State *L);

/* ---- Memory ------------------------------------------------------------------------------------- */

static void *host_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	vocd_luahost *h = ud;
	size_t old = ptr != NULL ? osize : 0;
	if (nsize == 0) {
		free(ptr);
		h->used -= old;
		return NULL;
	}
	if (nsize > old && h->used - old + nsize > h->lim.memory) {
		h->mem_hit = 1;
		if (h->active && !h->budget.killed) {
			/* Sticks: the count hook raises again even if the plugin catches this error. */
			h->budget.killed = 1;
			h->budget.reason = "memory limit reached";
		}
		return NULL;
	}
	void *p = realloc(ptr, nsize);
	if (p == NULL)
		return NULL;
	h->used = h->used - old + nsize;
	return p;
}

/* ---- Instruction budget ------------------------------------------------------------------------- */

static void count_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	struct vocd_lua_budget *b = vocd_lua_budget_of(L);
	if (b != NULL && (b->killed || b->steps_left <= HOOK_STEP)) {
		/* From now on check every instruction, in this thread and in the main one (coroutines made
		 * later inherit it), so an enclosing pcall cannot run on for another HOOK_STEP. */
		vocd_luahost *h = vocd_luahost_of(L);
		lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
		if (h != NULL && h->L != L)
			lua_sethook(h->L, count_hook, LUA_MASKCOUNT, 1);
	}
	vocd_lua_charge(L, HOOK_STEP);
}

static void budget_idle(vocd_luahost *h)
{
	h->budget.steps_left = 0;
	h->budget.killed = 1;
	h->budget.reason = "no run in progress";
	h->active = 0;
}

static void budget_start(vocd_luahost *h, uint64_t steps)
{
	h->budget.steps_left = steps;
	h->budget.max_string = h->lim.max_string;
	h->budget.killed = 0;
	h->budget.reason = NULL;
	h->mem_hit = 0;
	h->active = 1;
	lua_sethook(h->L, count_hook, LUA_MASKCOUNT, HOOK_STEP);
}

/* ---- Read-only views ---------------------------------------------------------------------------- */

static int ro_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to modify a read-only table");
}

static int is_readonly(lua_State *L, int idx)
{
	vocd_luahost *h = vocd_luahost_of(L);
	if (h == NULL || h->ro_ref == LUA_NOREF || lua_type(L, idx) != LUA_TTABLE)
		return 0;
	idx = lua_absindex(L, idx);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->ro_ref);
	lua_pushvalue(L, idx);
	int ro = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	return ro;
}

/* The metamethods of a view are closures over the table behind it (upvalue 1), so they never trust
 * their arguments: `pairs(view)` hands the iterator to plugin code, which may call it with anything. */
static int ro_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
	return 1;
}

static int ro_next(lua_State *L)
{
	/* Only the view this iterator was made for: the table behind another view, or any other value,
	 * would be a different iteration than the caller asked for. */
	if (!vocd_luahost_readonly_target(L, 1))
		return luaL_error(L, "next: expected the read-only table this iterator belongs to, got %s",
		                  luaL_typename(L, 1));
	int mine = lua_rawequal(L, -1, lua_upvalueindex(1));
	lua_pop(L, 1);
	if (!mine)
		return luaL_error(L, "next: expected the read-only table this iterator belongs to");
	lua_settop(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 2);
	if (lua_next(L, 2))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int ro_pairs(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(2));
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

int vocd_luahost_readonly_target(lua_State *L, int idx)
{
	if (!is_readonly(L, idx) || !lua_getmetatable(L, idx))
		return 0;
	lua_getfield(L, -1, "__index");
	lua_remove(L, -2);
	return 1;
}

static void push_readonly_depth(lua_State *L, int idx, int depth)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 8, "read-only view");
	lua_newtable(L); /* the copy, holding read-only views of nested tables */
	int copy = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -1) == LUA_TTABLE && depth < RO_MAX_DEPTH && !is_readonly(L, -1)) {
			push_readonly_depth(L, -1, depth + 1);
			lua_remove(L, -2);
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, copy);
	}
	lua_newtable(L); /* the view */
	lua_createtable(L, 0, 5);
	lua_pushvalue(L, copy);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, ro_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushvalue(L, copy);
	lua_pushcclosure(L, ro_len, 1);
	lua_setfield(L, -2, "__len");
	lua_pushvalue(L, copy);
	lua_pushvalue(L, copy);
	lua_pushcclosure(L, ro_next, 1);
	lua_pushcclosure(L, ro_pairs, 2);
	lua_setfield(L, -2, "__pairs");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_remove(L, copy);
	/* Remember it, so that rawset cannot write into the view. */
	vocd_luahost *h = vocd_luahost_of(L);
	if (h != NULL && h->ro_ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, h->ro_ref);
		lua_pushvalue(L, -2);
		lua_pushboolean(L, 1);
		lua_rawset(L, -3);
		lua_pop(L, 1);
	}
}

void vocd_luahost_push_readonly(lua_State *L, int idx)
{
	push_readonly_depth(L, idx, 0);
}

/* ---- Replacements for unsafe base functions ------------------------------------------------------ */

static int sb_rawset(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	if (is_readonly(L, 1))
		return luaL_error(L, "attempt to modify a read-only table");
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 1;
}

static int sb_setmetatable(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	int t = lua_type(L, 2);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	if (t == LUA_TTABLE) {
		/* Finalizers would run plugin code outside any run's budget (during a collection). */
		if (lua_getfield(L, 2, "__gc") != LUA_TNIL)
			return luaL_error(L, "setmetatable: __gc is not allowed in plugins");
		lua_pop(L, 1);
	}
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

static int sb_load(lua_State *L)
{
	size_t len;
	const char *code = luaL_checklstring(L, 1, &len);
	const char *name = luaL_optstring(L, 2, "=(load)");
	const char *mode = luaL_optstring(L, 3, "t");
	if (strchr(mode, 't') == NULL) {
		luaL_pushfail(L);
		lua_pushliteral(L, "load: only text chunks are allowed");
		return 2;
	}
	int has_env = !lua_isnone(L, 4);
	if (luaL_loadbufferx(L, code, len, name, "t") != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (has_env)
		lua_pushvalue(L, 4);
	else {
		/* Never the real globals: a fresh table seeing the safe base functions. */
		vocd_luahost *h = vocd_luahost_of(L);
		lua_newtable(L);
		lua_createtable(L, 0, 2);
		lua_rawgeti(L, LUA_REGISTRYINDEX, h->base_ref);
		lua_setfield(L, -2, "__index");
		lua_setmetatable(L, -2);
	}
	if (lua_setupvalue(L, -2, 1) == NULL)
		lua_pop(L, 1);
	return 1;
}

/* xpcall whose message handler does not run once the run is killed: a kill raised inside the count
 * hook calls the handler with hooks disabled, so a looping handler could never be stopped. */
static int xpcall_msgh(lua_State *L)
{
	struct vocd_lua_budget *b = vocd_lua_budget_of(L);
	if (b != NULL && b->killed)
		return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int xpcall_done(lua_State *L, int status, lua_KContext extra)
{
	if (status != LUA_OK && status != LUA_YIELD) {
		lua_pushboolean(L, 0);
		lua_pushvalue(L, -2);
		return 2;
	}
	return lua_gettop(L) - (int)extra;
}

static int sb_xpcall(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushboolean(L, 1);
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2); /* f, h, true, f, args... */
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, xpcall_msgh, 1);
	lua_replace(L, 2);
	int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, xpcall_done);
	return xpcall_done(L, status, 2);
}

static int sb_collectgarbage(lua_State *L)
{
	const char *opt = luaL_optstring(L, 1, "collect");
	if (strcmp(opt, "count") == 0) {
		int kb = lua_gc(L, LUA_GCCOUNT);
		int rem = lua_gc(L, LUA_GCCOUNTB);
		lua_pushnumber(L, (lua_Number)kb + (lua_Number)rem / 1024.0);
		return 1;
	}
	if (strcmp(opt, "collect") == 0 || strcmp(opt, "step") == 0) {
		vocd_lua_charge(L, 10000);
		lua_gc(L, LUA_GCCOLLECT);
		lua_pushinteger(L, 0);
		return 1;
	}
	return luaL_error(L, "collectgarbage: option '%s' is not allowed", opt);
}

static int sb_print(lua_State *L)
{
	luaL_Buffer b;
	int n = lua_gettop(L);
	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	vocd_info("lua: %s", lua_tostring(L, -1));
	return 0;
}

/* ---- Creation ------------------------------------------------------------------------------------ */

vocd_luahost *vocd_luahost_of(lua_State *L)
{
	vocd_luahost *h = NULL;
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, HOST_KEY) == LUA_TLIGHTUSERDATA)
		h = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return h;
}

static void copy_fields(lua_State *L, int from, int to, const char *const *names)
{
	for (; *names != NULL; names++) {
		lua_getfield(L, from, *names);
		lua_setfield(L, to, *names);
	}
}

/* Pushes a read-only view of the global library \p lib holding only \p names (NULL: everything). */
static void push_lib_view(lua_State *L, const char *lib, const char *const *names)
{
	lua_getglobal(L, lib);
	if (names != NULL) {
		int src = lua_gettop(L);
		lua_newtable(L);
		copy_fields(L, src, lua_gettop(L), names);
		lua_remove(L, src);
	}
	vocd_luahost_push_readonly(L, -1);
	lua_remove(L, -2);
}

static int setup(lua_State *L)
{
	vocd_luahost *h = lua_touserdata(L, 1);
	lua_pushlightuserdata(L, h);
	lua_rawsetp(L, LUA_REGISTRYINDEX, HOST_KEY);

	static const luaL_Reg libs[] = {
	    {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
	    {LUA_MATHLIBNAME, luaopen_math},  {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_COLIBNAME, luaopen_coroutine},
	    {LUA_OSLIBNAME, luaopen_os},      {NULL, NULL}};
	for (const luaL_Reg *l = libs; l->name != NULL; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	if (vocd_lua_open_bounded_string(L) != 0)
		return luaL_error(L, "bounded string functions unavailable");
	lua_settop(L, 1);

	/* string.dump is removed from the real table, so that ("").dump is gone too; and the string
	 * metatable is locked: getmetatable("") gives false. */
	lua_getglobal(L, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);

	lua_newtable(L); /* read-only views, weak keys */
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	h->ro_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	lua_newtable(L);
	int base = lua_gettop(L);
	lua_pushglobaltable(L);
	static const char *const safe[] = {"assert", "error",  "ipairs", "next",     "pairs",    "pcall",
	                                   "select", "tonumber", "tostring", "type",    "rawequal",
	                                   "rawget", "rawlen", "getmetatable", "_VERSION", NULL};
	copy_fields(L, lua_gettop(L), base, safe);
	lua_pop(L, 1);
	static const luaL_Reg repl[] = {{"rawset", sb_rawset},   {"setmetatable", sb_setmetatable},
	                                {"load", sb_load},       {"collectgarbage", sb_collectgarbage},
	                                {"xpcall", sb_xpcall},
	                                {"print", sb_print},     {NULL, NULL}};
	luaL_setfuncs(L, repl, 0);
	static const char *const os_safe[] = {"time", "clock", "date", "difftime", NULL};
	static const struct {
		const char *name;
		const char *const *fields;
	} views[] = {{"string", NULL}, {"table", NULL}, {"math", NULL}, {"utf8", NULL}, {"coroutine", NULL},
	             {"os", os_safe}};
	for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
		push_lib_view(L, views[i].name, views[i].fields);
		lua_setfield(L, base, views[i].name);
	}
	lua_pushvalue(L, base);
	h->base_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	lua_newtable(L); /* module environment */
	lua_createtable(L, 0, 2);
	lua_pushvalue(L, base);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	h->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	lua_createtable(L, 0, 2); /* metatable of each run's fresh globals */
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	h->run_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

int vocd_luahost_new(vocd_luahost **out, const struct vocd_luahost_limits *lim)
{
	*out = NULL;
	vocd_luahost *h = calloc(1, sizeof *h);
	if (h == NULL)
		return VOCD_ENOMEM;
	if (lim != NULL)
		h->lim = *lim;
	if (h->lim.memory == 0)
		h->lim.memory = 32u << 20;
	if (h->lim.instructions == 0)
		h->lim.instructions = 10000000;
	if (h->lim.load_instructions == 0)
		h->lim.load_instructions = 50000000;
	if (h->lim.max_string == 0)
		h->lim.max_string = 4u << 20;
	h->base_ref = h->env_ref = h->chunk_ref = h->run_mt_ref = h->ro_ref = LUA_NOREF;
	h->L = lua_newstate(host_alloc, h);
	if (h->L == NULL) {
		free(h);
		return VOCD_ENOMEM;
	}
	lua_atpanic(h->L, on_panic);
	vocd_lua_budget_attach(h->L, &h->budget);
	budget_idle(h);
	lua_pushcfunction(h->L, setup);
	lua_pushlightuserdata(h->L, h);
	if (lua_pcall(h->L, 1, 0, 0) != LUA_OK) {
		vocd_error("lua: cannot set up a plugin state: %s", lua_tostring(h->L, -1));
		vocd_luahost_free(h);
		return VOCD_ENOMEM;
	}
	/* vocd_lua_open_bounded_string() resets the budget to none: attach ours after it. */
	vocd_lua_budget_attach(h->L, &h->budget);
	*out = h;
	return 0;
}

void vocd_luahost_free(vocd_luahost *h)
{
	if (h == NULL)
		return;
	if (h->L != NULL)
		lua_close(h->L);
	free(h);
}

lua_State *vocd_luahost_state(vocd_luahost *h)
{
	return h->L;
}

static int set_global_tramp(lua_State *L)
{
	vocd_luahost *h = vocd_luahost_of(L);
	const char *name = lua_touserdata(L, 2);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->base_ref);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, name); /* may allocate the key: protected */
	return 0;
}

void vocd_luahost_set_global(vocd_luahost *h, const char *name)
{
	lua_State *L = h->L;
	lua_pushcfunction(L, set_global_tramp);
	lua_insert(L, -2);
	lua_pushlightuserdata(L, (void *)name);
	if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
		vocd_error("lua: cannot set the global %s: %s", name,
		           lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error");
		lua_pop(L, 1);
	}
}

void vocd_luahost_set_userdata(vocd_luahost *h, void *ud)
{
	h->ud = ud;
}

void *vocd_luahost_userdata(lua_State *L)
{
	vocd_luahost *h = vocd_luahost_of(L);
	return h != NULL ? h->ud : NULL;
}

int vocd_luahost_loading(lua_State *L)
{
	vocd_luahost *h = vocd_luahost_of(L);
	return h != NULL && h->loading;
}

size_t vocd_luahost_memory(vocd_luahost *h)
{
	return h->used;
}

const struct vocd_luahost_error *vocd_luahost_last_error(vocd_luahost *h)
{
	return &h->err;
}

/* ---- Errors -------------------------------------------------------------------------------------- */

/* "src:123: rest" -> src, line, rest. Returns 0 when \p msg has no such prefix. */
static int split_position(const char *msg, size_t *srclen, int *line, const char **rest)
{
	for (const char *p = msg; *p != '\0' && *p != '\n' && p - msg < 600; p++) {
		if (*p != ':' || p[1] < '0' || p[1] > '9')
			continue;
		const char *q = p + 1;
		long n = 0;
		while (*q >= '0' && *q <= '9' && n < 100000000)
			n = n * 10 + (*q++ - '0');
		if (q[0] == ':' && q[1] == ' ' && p > msg) {
			*srclen = (size_t)(p - msg);
			*line = (int)n;
			*rest = q + 2;
			return 1;
		}
	}
	return 0;
}

/*
 * Records the error object at \p idx (message, file, line) in the host. Runs no Lua code. Allocates
 * nothing in the state unless \p in_handler (then it also reads a table's "message" and records the
 * traceback): outside a message handler an allocation failure would have no protected call to go to.
 */
static void record_error(lua_State *L, vocd_luahost *h, int idx, int in_handler)
{
	idx = lua_absindex(L, idx);
	const char *msg = NULL;
	int t = lua_type(L, idx);
	if (t == LUA_TSTRING) {
		msg = lua_tostring(L, idx);
	} else if (t == LUA_TNUMBER) {
		if (lua_isinteger(L, idx))
			snprintf(h->msg, sizeof h->msg, "%lld", (long long)lua_tointeger(L, idx));
		else
			snprintf(h->msg, sizeof h->msg, "%.14g", (double)lua_tonumber(L, idx));
		msg = h->msg;
	} else {
		if (t == LUA_TTABLE && in_handler) {
			lua_pushliteral(L, "message");
			if (lua_rawget(L, idx) == LUA_TSTRING)
				msg = lua_tostring(L, -1);
		}
		if (msg == NULL) {
			snprintf(h->msg, sizeof h->msg, "(error object is a %s value)", luaL_typename(L, idx));
			msg = h->msg;
		}
	}
	const char *file = "";
	int line = 0;
	lua_Debug ar;
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && ar.source[0] == '@') {
			file = ar.source + 1;
			line = ar.currentline;
			break;
		}
	}
	size_t srclen;
	int pline;
	const char *rest;
	int file_from_msg = 0;
	if (split_position(msg, &srclen, &pline, &rest)) {
		/* Lua's prefix may be shortened ("...tail"); the frame's source is the full name. */
		const char *src = msg;
		size_t full = srclen, flen = strlen(file);
		if (srclen > 3 && strncmp(src, "...", 3) == 0) {
			src += 3;
			srclen -= 3;
		}
		if (!(flen >= srclen && memcmp(file + flen - srclen, src, srclen) == 0)) {
			snprintf(h->file, sizeof h->file, "%.*s", (int)(full < sizeof h->file ? full : sizeof h->file - 1),
			         msg);
			file_from_msg = 1;
		}
		line = pline;
		msg = rest;
	}
	if (msg != h->msg)
		snprintf(h->msg, sizeof h->msg, "%s", msg);
	if (!file_from_msg)
		snprintf(h->file, sizeof h->file, "%s", file);
	h->err.line = line;
	if (in_handler) {
		luaL_traceback(L, L, NULL, 1);
		snprintf(h->tb, sizeof h->tb, "%s", lua_tostring(L, -1));
	}
}

static int msgh(lua_State *L)
{
	vocd_luahost *h = vocd_luahost_of(L);
	int top = lua_gettop(L);
	if (h != NULL)
		record_error(L, h, 1, 1);
	lua_settop(L, top);
	return 1;
}

/* Reached only by a Lua error outside any protected call, which is a bug of ours: Lua aborts next. */
static int on_panic(lua_State *L)
{
	const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(not a string)";
	vocd_error("lua: PANIC: an error escaped every protected call in a plugin state; the process aborts: %s",
	           m);
	return 0;
}

static void error_reset(vocd_luahost *h)
{
	h->msg[0] = h->file[0] = h->tb[0] = '\0';
	h->err.kind = VOCD_LUAHOST_OK;
	h->err.message = h->msg;
	h->err.file = h->file;
	h->err.traceback = h->tb;
	h->err.line = 0;
}

/* Classifies a failed pcall (error object on top) and fills h->err; empties the stack down to \p base.
 * Runs outside any protected call, so it allocates nothing in the state. */
static int failed(vocd_luahost *h, int status, int killed, const char *reason, int base)
{
	lua_State *L = h->L;
	if (h->mem_hit || status == LUA_ERRMEM) {
		h->err.kind = VOCD_LUAHOST_MEMORY;
		snprintf(h->msg, sizeof h->msg, "memory limit reached (%zu bytes)", h->lim.memory);
		h->file[0] = '\0';
		h->err.line = 0;
	} else if (killed) {
		h->err.kind = VOCD_LUAHOST_BUDGET;
		snprintf(h->msg, sizeof h->msg, "%s", reason != NULL ? reason : "budget exhausted");
	} else {
		h->err.kind = VOCD_LUAHOST_ERROR;
		if (h->msg[0] == '\0') /* failures of the handler itself */
			record_error(L, h, -1, 0);
		if (h->msg[0] == '\0')
			snprintf(h->msg, sizeof h->msg, "error");
	}
	lua_settop(L, base);
	return h->err.kind == VOCD_LUAHOST_ERROR ? VOCD_EPLUGIN : VOCD_ELIMIT;
}

/* ---- Loading and running ------------------------------------------------------------------------- */

/* Puts the module environment back into the chunk's _ENV (after a run, whichever way it ended).
 * Allocates nothing. */
static void env_restore(vocd_luahost *h)
{
	if (h->chunk_ref == LUA_NOREF)
		return;
	lua_State *L = h->L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->chunk_ref);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->env_ref);
	lua_setupvalue(L, -2, 1);
	lua_pop(L, 1);
}

/*
 * Calls \p fn(ud, args...) with the \p nargs values on top of the stack under a budget of \p steps, in
 * protected mode with the recording message handler. Every step of a load or run goes through here,
 * so that no allocation in the state happens outside a protected call.
 */
static int protected_run(vocd_luahost *h, lua_CFunction fn, void *ud, int nargs, int nres, uint64_t steps)
{
	lua_State *L = h->L;
	error_reset(h);
	int base = lua_gettop(L) - nargs;
	if (!lua_checkstack(L, 4)) {
		lua_settop(L, base);
		h->err.kind = VOCD_LUAHOST_MEMORY;
		snprintf(h->msg, sizeof h->msg, "memory limit reached (%zu bytes)", h->lim.memory);
		return VOCD_ELIMIT;
	}
	/* Pushing C functions and light userdata allocates nothing. */
	lua_pushcfunction(L, msgh);
	lua_pushcfunction(L, fn);
	lua_pushlightuserdata(L, ud);
	lua_rotate(L, base + 1, 3);
	int mh = base + 1;
	budget_start(h, steps);
	int status = lua_pcall(L, nargs + 1, nres, mh);
	int killed = h->budget.killed;
	const char *reason = h->budget.reason;
	budget_idle(h);
	env_restore(h);
	if (status != LUA_OK)
		return failed(h, status, killed, reason, base);
	lua_remove(L, mh);
	return 0;
}

void vocd_luahost_call(lua_State *L, int nargs, int nres)
{
	vocd_luahost *h = vocd_luahost_of(L);
	if (h != NULL && h->chunk_ref != LUA_NOREF) {
		/* A fresh global table for this run, seeing the module environment for missing names. */
		lua_rawgeti(L, LUA_REGISTRYINDEX, h->chunk_ref);
		lua_newtable(L);
		lua_rawgeti(L, LUA_REGISTRYINDEX, h->run_mt_ref);
		lua_setmetatable(L, -2);
		lua_setupvalue(L, -2, 1);
		lua_pop(L, 1);
	}
	lua_call(L, nargs, nres);
	if (h != NULL)
		env_restore(h);
}

struct load_job {
	vocd_luahost *h;
	const char *code;
	size_t len;
	const char *name;
};

static int load_tramp(lua_State *L)
{
	struct load_job *j = lua_touserdata(L, 1);
	vocd_luahost *h = j->h;
	if (luaL_loadbufferx(L, j->code, j->len, j->name, "t") != LUA_OK)
		return lua_error(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->env_ref);
	lua_setupvalue(L, -2, 1);
	lua_pushvalue(L, -1);
	luaL_unref(L, LUA_REGISTRYINDEX, h->chunk_ref);
	h->chunk_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_call(L, 0, 1);
	return 1;
}

int vocd_luahost_load(vocd_luahost *h, const char *code, size_t len, const char *chunkname)
{
	lua_settop(h->L, 0);
	char name[600];
	snprintf(name, sizeof name, "@%s", chunkname);
	struct load_job j = {h, code, len, name};
	h->loading = 1;
	int rc = protected_run(h, load_tramp, &j, 0, 1, h->lim.load_instructions);
	h->loading = 0;
	return rc;
}

static int run_tramp(lua_State *L)
{
	int nres = *(const int *)lua_touserdata(L, 1);
	lua_remove(L, 1);
	vocd_luahost_call(L, lua_gettop(L) - 1, nres);
	return lua_gettop(L);
}

int vocd_luahost_run(vocd_luahost *h, int nargs, int nres)
{
	/* The function and its arguments become the arguments of the trampoline. */
	return protected_run(h, run_tramp, &nres, nargs + 1, nres, h->lim.instructions);
}

int vocd_luahost_pcall(vocd_luahost *h, lua_CFunction fn, void *ud, int nargs, int nres)
{
	return protected_run(h, fn, ud, nargs, nres, h->lim.instructions);
}

/* The budget of one Lua run: where it is stored (the extra space of the state's main thread) and how
 * work is charged to it. See lua_budget.h. */
#include "lua_budget.h"

#include <string.h>

#include <lauxlib.h>

_Static_assert(LUA_EXTRASPACE >= sizeof(struct vocd_lua_budget *), "LUA_EXTRASPACE too small for a pointer");

/* The main thread holds the pointer. A coroutine copies its creator's extra space when it is created,
 * so a coroutine made before the budget was attached (or detached) would otherwise keep a stale
 * pointer; reading the main thread's copy keeps every thread of the state in agreement. */
static lua_State *main_thread(lua_State *L)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
	lua_State *m = lua_tothread(L, -1);
	lua_pop(L, 1);
	return m != NULL ? m : L;
}

void vocd_lua_budget_attach(lua_State *L, struct vocd_lua_budget *b)
{
	lua_State *m = main_thread(L);
	memcpy(lua_getextraspace(m), &b, sizeof b);
	if (m != L)
		memcpy(lua_getextraspace(L), &b, sizeof b);
}

struct vocd_lua_budget *vocd_lua_budget_of(lua_State *L)
{
	struct vocd_lua_budget *b;
	memcpy(&b, lua_getextraspace(main_thread(L)), sizeof b);
	return b;
}

static int raise_killed(lua_State *L, const struct vocd_lua_budget *b)
{
	return luaL_error(L, "budget exhausted: %s", b->reason != NULL ? b->reason : "run killed");
}

void vocd_lua_charge(lua_State *L, uint64_t n)
{
	struct vocd_lua_budget *b = vocd_lua_budget_of(L);
	if (b == NULL)
		return;
	if (b->killed)
		raise_killed(L, b);
	if (n > b->steps_left) {
		b->steps_left = 0;
		vocd_lua_kill(L, "instruction budget exhausted");
	}
	b->steps_left -= n;
}

int vocd_lua_kill(lua_State *L, const char *reason)
{
	struct vocd_lua_budget *b = vocd_lua_budget_of(L);
	if (b == NULL)
		return luaL_error(L, "budget exhausted: %s", reason != NULL ? reason : "run killed");
	/* The first reason is the one worth reporting; later kills only repeat it. */
	if (!b->killed) {
		b->killed = 1;
		b->reason = reason;
	}
	return raise_killed(L, b);
}

/* The budget of one Lua run, shared by the instruction-count hook and by the C functions that can do
 * unbounded work without executing Lua instructions (pattern matching, string.rep). Once the budget is
 * spent the run is killed, and the kill sticks: every later charge raises again, so a pcall inside the
 * plugin cannot swallow it. */
#ifndef VOCD_LUA_BUDGET_H
#define VOCD_LUA_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

struct vocd_lua_budget {
	uint64_t steps_left; /**< instructions and C work units still allowed in this run */
	size_t max_string;   /**< longest string string.rep may build; pattern subjects are not limited by it */
	int killed;          /**< set once the budget ran out (or the memory cap was hit); sticky */
	const char *reason;  /**< static text: why it was killed */
};

/**
 * \brief Attaches \p b to \p L (stored in lua_getextraspace(L), so coroutines of L share it).
 * NULL detaches: the state then runs unlimited (loading config files, tests).
 */
void vocd_lua_budget_attach(lua_State *L, struct vocd_lua_budget *b);

/** \brief The budget attached to \p L, or NULL. */
struct vocd_lua_budget *vocd_lua_budget_of(lua_State *L);

/**
 * \brief Charges \p n work units to L's budget (no-op without one). Raises a Lua error and does not
 * return when the budget is spent or was already killed.
 */
void vocd_lua_charge(lua_State *L, uint64_t n);

/**
 * \brief Marks the budget killed with \p reason (static string) and raises a Lua error. Does not return.
 */
int vocd_lua_kill(lua_State *L, const char *reason);

#endif

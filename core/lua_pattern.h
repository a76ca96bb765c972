/* Bounded replacements for Lua's string.find, string.match, string.gmatch, string.gsub and string.rep,
 * for sandboxed plugin states. Lua's count hook does not fire inside C functions, so the stock versions
 * can run for minutes (backtracking patterns) or allocate gigabytes (string.rep) in one call; these
 * versions charge their work to the run's budget (lua_budget.h) and bound their recursion. */
#ifndef VOCD_LUA_PATTERN_H
#define VOCD_LUA_PATTERN_H

#include <lua.h>

/** Deepest nesting of the matcher (captures, quantifiers); beyond it: "pattern too complex". */
#define VOCD_PATTERN_MAX_DEPTH 200
/** Most captures one pattern may hold. */
#define VOCD_PATTERN_MAX_CAPTURES 32
/** Bytes of output (gsub, string.rep) charged as one work unit. */
#define VOCD_PATTERN_BYTES_PER_UNIT 64

/**
 * \brief Replaces string.find, string.match, string.gmatch, string.gsub and string.rep in \p L with
 * bounded versions that follow Lua 5.4's semantics (patterns as in the reference manual §6.4.1, matched
 * byte by byte with C-locale classes).
 *
 * Every matching step (one pattern item tried at one position, one backtrack) costs one unit and every
 * VOCD_PATTERN_BYTES_PER_UNIT bytes of gsub/rep output cost one unit, charged with vocd_lua_charge (so
 * the call raises once the budget attached to \p L is spent; without a budget the work is unlimited but
 * the recursion stays bounded by VOCD_PATTERN_MAX_DEPTH). string.rep refuses, with a Lua error, a result
 * longer than the attached budget's max_string.
 *
 * Cost, measured on the 2-core build machine: one unit is about 3 ns of matching (6-7 ns under ASan);
 * trimming a 100 KB string with '^%s*(.-)%s*$' costs about 430 000 units, gsub('%s+', ' ') over it about
 * 230 000, so a budget of 50 million units allows roughly 10 MB of such work. Speed is within about
 * 0.7-1.3x of the stock functions.
 *
 * Caveats: the standard string library must already be open in \p L. This also detaches any budget
 * (vocd_lua_budget_attach(L, NULL)), because Lua leaves a new state's extra space uninitialised: call
 * it when setting the state up, and attach each run's budget afterwards. The functions are replaced in the
 * table package.loaded.string (the global `string`) and in the string metatable's __index (the same
 * table in a stock state), so ("x"):find(...) is covered too. Call this before copying the string table
 * into a sandbox environment: copies made earlier keep the stock functions.
 *
 * \return 0, or VOCD_EINVAL when \p L has no string library.
 */
int vocd_lua_open_bounded_string(lua_State *L);

#endif

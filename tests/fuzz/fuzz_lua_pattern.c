/* The bounded string.find/match/gmatch/gsub of lua_pattern.c, which plugins run on what customers and
 * gateways send (a CSV file, an SMS text), against Lua 5.4's own: for any pattern and subject both give
 * the same results, or both raise. The bounded side runs under a budget; when the budget stops it, the
 * case is not compared (the stock side could run for minutes, which is the point of the bounded one).
 *
 * Input: the pattern, a NUL byte, the subject (which may hold further NULs). */
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "fuzz_util.h"
#include "lua_budget.h"
#include "lua_pattern.h"

/* The same in both states; uses no pattern function of its own. */
static const char OPS[] =
	"local function ser(...)\n"
	"  local out = {}\n"
	"  for i = 1, select('#', ...) do out[#out + 1] = type((select(i, ...))) .. ':' .. tostring((select(i, ...))) end\n"
	"  return table.concat(out, ',')\n"
	"end\n"
	"local function try(f, ...)\n"
	"  local r = table.pack(pcall(f, ...))\n"
	"  if not r[1] then return 'ERR' end\n"
	"  return ser(table.unpack(r, 2, r.n))\n"
	"end\n"
	"local function gm(s, p)\n"
	"  local acc = {}\n"
	"  for a, b in string.gmatch(s, p) do\n"
	"    acc[#acc + 1] = ser(a, b)\n"
	"    if #acc >= 50 then break end\n"
	"  end\n"
	"  return table.concat(acc, ';')\n"
	"end\n"
	"local function fn(a, b) if a == '' then return false end return b or a end\n"
	"return function(s, p)\n"
	"  return table.concat({try(string.find, s, p), try(string.find, s, p, 2), try(string.match, s, p),\n"
	"                       try(gm, s, p), try(string.gsub, s, p, '<%0>'), try(string.gsub, s, p, '%1', 3),\n"
	"                       try(string.gsub, s, p, fn), try(string.gsub, s, p, {a = 'A'})}, '\\n')\n"
	"end\n";

static lua_State *bounded, *stock;

static lua_State *state(int with_bounds)
{
	lua_State *L = luaL_newstate();
	FUZZ_ASSERT(L);
	luaL_openlibs(L);
	if (with_bounds)
		FUZZ_ASSERT(vocd_lua_open_bounded_string(L) == 0);
	FUZZ_ASSERT(luaL_loadstring(L, OPS) == LUA_OK && lua_pcall(L, 0, 1, 0) == LUA_OK);
	lua_setglobal(L, "ops");
	return L;
}

/* ops(s, p) in L, as a malloc'd string. */
static char *run(lua_State *L, const char *p, size_t lp, const char *s, size_t ls)
{
	lua_getglobal(L, "ops");
	lua_pushlstring(L, s, ls);
	lua_pushlstring(L, p, lp);
	int rc = lua_pcall(L, 2, 1, 0);
	size_t n = 0;
	const char *r = lua_tolstring(L, -1, &n);
	char *out = malloc(n + 16);
	FUZZ_ASSERT(out);
	if (rc != LUA_OK) {
		snprintf(out, n + 16, "RAISED %s", r ? r : "?");
	} else {
		memcpy(out, r, n);
		out[n] = '\0';
	}
	lua_settop(L, 0);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!bounded) {
		bounded = state(1);
		stock = state(0);
	}
	const char *nul = memchr(data, '\0', size);
	if (!nul)
		return 0;
	const char *p = (const char *)data, *s = nul + 1;
	size_t lp = (size_t)(nul - p), ls = size - lp - 1;
	struct vocd_lua_budget b = {.steps_left = 300000, .max_string = 1u << 20};
	vocd_lua_budget_attach(bounded, &b);
	char *ours = run(bounded, p, lp, s, ls);
	vocd_lua_budget_attach(bounded, NULL);
	if (!b.killed) {
		char *theirs = run(stock, p, lp, s, ls);
		if (strcmp(ours, theirs) != 0) {
			fprintf(stderr, "pattern %.*s\nbounded:\n%s\nstock:\n%s\n", (int)lp, p, ours, theirs);
			FUZZ_ASSERT(!"the bounded functions give what Lua's own give");
		}
		free(theirs);
	}
	free(ours);
	return 0;
}

/* Tests of core/lua_pattern.c and core/lua_budget.c: the bounded string functions give the same results
 * as Lua's own (compared against an untouched state, so expected values are computed, not written by
 * hand), charge their work to the budget, and stop a catastrophic pattern well within a second. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>

#include "lua_budget.h"
#include "lua_pattern.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* Helpers loaded in both states. They use no pattern function, so they behave the same in both. */
static const char PRELUDE[] =
	"function ser(...)\n"
	"  local out = {}\n"
	"  for i = 1, select('#', ...) do\n"
	"    local v = select(i, ...)\n"
	"    local t = type(v)\n"
	"    if t == 'string' then out[i] = string.format('%q', v)\n"
	"    elseif t == 'number' then out[i] = math.type(v) .. ':' .. tostring(v)\n"
	"    else out[i] = t == 'nil' and 'nil' or tostring(v) end\n"
	"  end\n"
	"  return '(' .. table.concat(out, ',') .. ')'\n"
	"end\n"
	"function try(f, ...)\n"
	"  local r = table.pack(pcall(f, ...))\n"
	"  if not r[1] then return 'ERR' end\n"
	"  return ser(table.unpack(r, 2, r.n))\n"
	"end\n"
	"local function gm(s, p, init)\n"
	"  local acc, it = {}, string.gmatch(s, p, init)\n"
	"  while #acc < 200 do\n"
	"    local r = table.pack(it())\n"
	"    if r[1] == nil then break end\n"
	"    acc[#acc + 1] = ser(table.unpack(r, 1, r.n))\n"
	"  end\n"
	"  return table.concat(acc, ';')\n"
	"end\n"
	"local function repl(...)\n"
	"  local n, a = select('#', ...), ...\n"
	"  if a == 'a' then return 42 end\n"
	"  if a == 'b' then return false end\n"
	"  if n % 2 == 0 then return ser(...) end\n"
	"  return nil\n"
	"end\n"
	"local tab = {a = 'X', ab = 'Y', [''] = 'E', [1] = 'one', [2] = 2, b = false, ['\\228\\189\\160'] = 'ni'}\n"
	"function all_ops(s, p, init, n)\n"
	"  return table.concat({\n"
	"    'find ' .. try(string.find, s, p, init),\n"
	"    'findp ' .. try(string.find, s, p, init, true),\n"
	"    'match ' .. try(string.match, s, p, init),\n"
	"    'gmatch ' .. try(gm, s, p, init),\n"
	"    'gsubs ' .. try(string.gsub, s, p, '<%0|%1>', n),\n"
	"    'gsubq ' .. try(string.gsub, s, p, '%%', n),\n"
	"    'gsubf ' .. try(string.gsub, s, p, repl, n),\n"
	"    'gsubt ' .. try(string.gsub, s, p, tab, n),\n"
	"  }, '\\n')\n"
	"end\n";

static lua_State *new_state(int bounded)
{
	lua_State *L = luaL_newstate();
	assert_non_null(L);
	luaL_openlibs(L);
	if (bounded)
		assert_int_equal(vocd_lua_open_bounded_string(L), 0);
	if (luaL_dostring(L, PRELUDE) != LUA_OK)
		fail_msg("prelude: %s", lua_tostring(L, -1));
	return L;
}

/* Runs \p code in L; returns its string result (malloc'd), or "LOADERR ..." / "RUNERR ...". */
static char *eval(lua_State *L, const char *code)
{
	const char *res;
	if (luaL_loadstring(L, code) != LUA_OK)
		res = lua_pushfstring(L, "LOADERR %s", lua_tostring(L, -1));
	else if (lua_pcall(L, 0, 1, 0) != LUA_OK)
		res = lua_pushfstring(L, "RUNERR %s", lua_tostring(L, -1));
	else
		res = lua_tostring(L, -1);
	char *out = strdup(res != NULL ? res : "(no string)");
	lua_settop(L, 0);
	return out;
}

struct pair {
	lua_State *bounded;
	lua_State *stock;
	int mismatches;
	int compared;
};

static void pair_open(struct pair *p)
{
	p->bounded = new_state(1);
	p->stock = new_state(0);
	p->mismatches = 0;
	p->compared = 0;
}

static void pair_close(struct pair *p)
{
	lua_close(p->bounded);
	lua_close(p->stock);
}

static void set_case(lua_State *L, const char *s, size_t ls, const char *pat, size_t lp, int has_init,
                     long init, int has_n, long n)
{
	lua_pushlstring(L, s, ls);
	lua_setglobal(L, "S");
	lua_pushlstring(L, pat, lp);
	lua_setglobal(L, "P");
	if (has_init)
		lua_pushinteger(L, init);
	else
		lua_pushnil(L);
	lua_setglobal(L, "I");
	if (has_n)
		lua_pushinteger(L, n);
	else
		lua_pushnil(L);
	lua_setglobal(L, "N");
}

/* Evaluates code in both states and records a mismatch (printing the first few). */
static void compare(struct pair *p, const char *code, const char *what)
{
	char *a = eval(p->bounded, code);
	char *b = eval(p->stock, code);
	p->compared++;
	if (strcmp(a, b) != 0) {
		if (p->mismatches < 10)
			print_message("MISMATCH %s\n--- bounded:\n%s\n--- stock:\n%s\n", what, a, b);
		p->mismatches++;
	}
	free(a);
	free(b);
}

static void compare_case(struct pair *p, const char *s, size_t ls, const char *pat, size_t lp, int has_init,
                         long init, int has_n, long n)
{
	char what[512];
	snprintf(what, sizeof what, "subject=\"%.*s\" pattern=\"%.*s\" init=%ld%s n=%ld%s", (int)ls, s, (int)lp,
	         pat, init, has_init ? "" : "(nil)", n, has_n ? "" : "(nil)");
	set_case(p->bounded, s, ls, pat, lp, has_init, init, has_n, n);
	set_case(p->stock, s, ls, pat, lp, has_init, init, has_n, n);
	compare(p, "return all_ops(S, P, I, N)", what);
}

#define NOINIT (-999)

static const struct {
	const char *s, *p;
	long init;
} cases[] = {
	{"hello world", "o", NOINIT},
	{"hello world", "o", 6},
	{"hello world", "o", -3},
	{"hello world", "o", -100},
	{"hello world", "o", 0},
	{"hello world", "o", 12},
	{"hello world", "o", 13},
	{"hello world", "l+", NOINIT},
	{"hello world", "l*", NOINIT},
	{"hello world", "l-", NOINIT},
	{"hello world", "l-o", NOINIT},
	{"hello world", "x?", NOINIT},
	{"hello world", "^h", NOINIT},
	{"hello world", "^e", NOINIT},
	{"hello world", "^e", 2},
	{"hello world", "d$", NOINIT},
	{"hello world", "o$", NOINIT},
	{"hello$world", "o$w", NOINIT},
	{"a^b", "a^b", NOINIT},
	{"^a^b", "^.", NOINIT},
	{"hello world", "(o)(.)", NOINIT},
	{"hello world", "()o()", NOINIT},
	{"hello world", "()", NOINIT},
	{"hello world", "(h)(e)(l)(l)(o)", NOINIT},
	{"hello world", "((l)(l))", NOINIT},
	{"hello world", "(l)%1", NOINIT},
	{"abcabc", "(abc)%1", NOINIT},
	{"abab", "(a)(b)%1%2", NOINIT},
	{"xaax", "(a*)%1", NOINIT},
	{"  trim me  ", "^%s*(.-)%s*$", NOINIT},
	{"key = value", "(%w+)%s*=%s*(%w+)", NOINIT},
	{"THE (quick) fox", "%((%a+)%)", NOINIT},
	{"THE (quick) fox", "%f[%a]%a+", NOINIT},
	{"THE (quick) fox", "%f[%A]", NOINIT},
	{"THE (quick) fox", "%f[%l]%a", NOINIT},
	{"hello", "%f[%z]", NOINIT},
	{"hello", "%f[^%z]", NOINIT},
	{"f(a(b)c) (d)", "%b()", NOINIT},
	{"f(a(b)c) (d", "%b()", NOINIT},
	{"[[x]] [y]", "%b[]", NOINIT},
	{"'a' 'b'", "%b''", NOINIT},
	{"x = 1, y = 22, z = 333", "(%a)%s*=%s*(%d+)", NOINIT},
	{"x = 1, y = 22, z = 333", "%d+", 8},
	{"x = 1, y = 22, z = 333", "%d+", -3},
	{"0x1F 0xzz 0xAb", "0x(%x+)", NOINIT},
	{"tab\there\nnew\rline\v\f", "%s+", NOINIT},
	{"tab\there\nnew", "%S+", NOINIT},
	{"a1!B2@c3#", "%p", NOINIT},
	{"a1!B2@c3#", "%P+", NOINIT},
	{"a1!B2@c3#", "%u", NOINIT},
	{"a1!B2@c3#", "%l%d", NOINIT},
	{"a1!B2@c3#", "%W", NOINIT},
	{"a1!B2@c3#", "%D+", NOINIT},
	{"ctl\001\002\177x", "%c+", NOINIT},
	{"ctl\001\002\177x", "%C+", NOINIT},
	{"vis ible", "%g+", NOINIT},
	{"vis ible", "%G", NOINIT},
	{"a.b.c", "%.", NOINIT},
	{"a.b.c", ".", NOINIT},
	{"a%b", "%%", NOINIT},
	{"a-b-c", "%-", NOINIT},
	{"a-b-c", "[-]", NOINIT},
	{"a-b-c", "[a-]", NOINIT},
	{"a-b-c", "[%a-]+", NOINIT},
	{"abc]def", "[]]", NOINIT},
	{"abc]def", "[^]]+", NOINIT},
	{"abc]def", "[^%]]+", NOINIT},
	{"abc^def", "[%^]", NOINIT},
	/* found by tests/fuzz: a range ending in '%' before "%]" ("]" is in the set, '%' is not) */
	{"a%b]c", "[2-%%]", NOINIT},
	{"a%b]c", "%f[2-%%]", NOINIT},
	{"1%2]3", "[^0-%%]+", NOINIT},
	{"abc^def", "[b^]+", NOINIT},
	{"2024-11-23", "(%d+)-(%d+)-(%d+)", NOINIT},
	{"2024-11-23", "[0-9]+", NOINIT},
	{"2024-11-23", "[^0-9]", NOINIT},
	{"ABCxyz", "[A-Cx]+", NOINIT},
	{"ABCxyz", "[%u]+", NOINIT},
	{"ABCxyz", "[%U]+", NOINIT},
	{"hello", "", NOINIT},
	{"hello", "", 3},
	{"hello", "", 6},
	{"hello", "", 7},
	{"", "", NOINIT},
	{"", "a*", NOINIT},
	{"", "^$", NOINIT},
	{"", "$", NOINIT},
	{"abc", "%w*", NOINIT},
	{"abc def", "%w*", NOINIT},
	{"abc", ".-", NOINIT},
	{"abc", "a?", NOINIT},
	{"aaa", "^a", NOINIT},
	{"aaa", "^a-", NOINIT},
	{"one two  three", "(%w+)", NOINIT},
	{"one two  three", "%s*", NOINIT},
	{"a,b,,c", "([^,]*)", NOINIT},
	{"a,b,,c", "[^,]*", NOINIT},
	{"ab", "(a)(()b)", NOINIT},
	{"a+b", "a+b", NOINIT},
	{"a+b", "a%+b", NOINIT},
	{"a.b", "a.b", NOINIT},
	{"a.b", "a.b", 2},
	{"(x)", "(", NOINIT},
	/* UTF-8 Chinese text: matched byte by byte, passed through unchanged */
	{"你好，世界", "好", NOINIT},
	{"你好，世界", "世(.)", NOINIT},
	{"你好，世界", "(.)", NOINIT},
	{"你好，世界", "[\xe4-\xe9][\x80-\xbf]*", NOINIT},
	{"你好，世界", "%a", NOINIT},
	{"客服 评分: 95 分", "(%d+)", NOINIT},
	{"客服 评分: 95 分", "^(%S+)%s+(.-):%s*(%d+)", NOINIT},
	{"客服 评分: 95 分", "%s", -5},
	{"你a好b", "%w", NOINIT},
	{"你a好b", "[^%w]+", NOINIT},
	{"你好", "\xe4\xbd\xa0", NOINIT},
	/* patterns that are malformed only when the matcher reaches the bad part */
	{"abc", "a[", NOINIT},
	{"xyz", "a[", NOINIT},
	{"abc", "%", NOINIT},
	{"abc", "b%", NOINIT},
	{"abc", "[a", NOINIT},
	{"abc", "[^", NOINIT},
	{"abc", "[%", NOINIT},
	{"abc", "(a", NOINIT},
	{"abc", "a)", NOINIT},
	{"abc", "%1", NOINIT},
	{"abc", "(a)%2", NOINIT},
	{"abc", "(a%1)", NOINIT},
	{"abc", "%0", NOINIT},
	{"abc", "%b", NOINIT},
	{"abc", "%ba", NOINIT},
	{"abc", "%f", NOINIT},
	{"abc", "%fa", NOINIT},
	{"abc", "%f[a", NOINIT},
	{"abc", "()%1", NOINIT},
};

static void test_compat_table(void **state)
{
	(void)state;
	struct pair p;
	pair_open(&p);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int has_init = cases[i].init != NOINIT;
		compare_case(&p, cases[i].s, strlen(cases[i].s), cases[i].p, strlen(cases[i].p), has_init,
		             has_init ? cases[i].init : 0, 0, 0);
		for (long n = 0; n <= 2; n++)
			compare_case(&p, cases[i].s, strlen(cases[i].s), cases[i].p, strlen(cases[i].p), has_init,
			             has_init ? cases[i].init : 0, 1, n);
	}
	print_message("compat table: %d comparisons, %d mismatches\n", p.compared, p.mismatches);
	assert_int_equal(p.mismatches, 0);
	pair_close(&p);
}

/* Whole snippets (function bodies) run in both states. */
static const char *const snippets[] = {
	"return string.rep('ab', 3, ',')",
	"return string.rep('ab', 0), string.rep('ab', -1, 'x'), string.rep('', 5, '-'), string.rep('x', 1, ',')",
	"return string.rep('x', 3, ''), string.rep('', 3), string.rep(7, 2, 0)",
	"return ('hello world'):find('o w')",
	"return ('a.b'):find('.', 1, true), ('a.b'):find('.', 3, true), ('a.b'):find('', 4, true)",
	"return ('a.b'):find('.', -1, true), ('a%b'):find('%', 1, true), ('a(b'):find('(', 1, 1)",
	"return ('abc'):find('', 10), ('abc'):find('', 4), ('abc'):match('', 4), ('abc'):match('()', 4)",
	"return string.find('abc', 'b', math.mininteger), string.find('abc', 'b', math.maxinteger)",
	"return string.match('abc', '.', math.mininteger), string.match('abc', '.', math.maxinteger)",
	"return string.gsub('hello world', 'o', '0', 1)",
	"return string.gsub('hello world', 'o', '0', 0)",
	"return string.gsub('hello world', 'o', '0', -1)",
	"return string.gsub('hello world', 'o', '0', 2.0)",
	"return string.gsub('abc', '', '-')",
	"return string.gsub('abc', '%w*', '-')",
	"return string.gsub('abc d', '%w*', '-')",
	"return string.gsub('hello', 'l+', function(x) return nil end)",
	"return string.gsub('hello', 'l', false)",
	"return string.gsub('hello', 'l')",
	"return string.gsub('hello', '(l)', {l = 1.5})",
	"return string.gsub('hello', '(l)', {l = {}})",
	"return string.gsub('hello', '(l)', function() return {} end)",
	"return string.gsub('hello', 'l', setmetatable({}, {__index = function(t, k) return k:upper() end}))",
	"return string.gsub('abc', '%w', '%2')",
	"return string.gsub('abc', '%w', 'x%')",
	"return string.gsub('abc', '%w', '%x')",
	"return string.gsub('abc', '(%w)', '%1%1%%')",
	"return string.gsub('abc', '()', '%1')",
	"return string.gsub('abc', '()(b)', '%2%1')",
	"return string.gsub(12345, 3, 9)",
	"return string.find(12345, 34), string.match(3.5, '%d')",
	"return string.gsub('hello world', '(o)', '[%0]', 1)",
	"return string.gsub('hello world', '^h', 'H')",
	"return string.gsub('hello world', '^', '>')",
	"return string.gsub('hello world', '$', '<')",
	"return string.gsub('hello', '.', {h = 'H', e = false, l = 'L'})",
	"return string.gsub('你好，世界', '世界', 'world')",
	"return string.gsub('你好，世界', '[\\128-\\255]+', '#')",
	"local t = {} for w in ('one two three'):gmatch('%a+', 5) do t[#t + 1] = w end "
	"return table.concat(t, ',')",
	"local t = {} for w in ('one two three'):gmatch('%a+', -5) do t[#t + 1] = w end "
	"return table.concat(t, ',')",
	"local t = {} for w in ('one two three'):gmatch('%a+', 100) do t[#t + 1] = w end "
	"return table.concat(t, ',')",
	"local t = {} for w in ('^a^b'):gmatch('^.') do t[#t + 1] = w end return table.concat(t, ',')",
	"local t = {} for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end "
	"return table.concat(t, ',')",
	"local t = {} for k in ('abc'):gmatch('%w*') do t[#t + 1] = '[' .. k .. ']' end "
	"return table.concat(t, ',')",
	"local t = {} for k in ('abc'):gmatch('') do t[#t + 1] = '[' .. k .. ']' end "
	"return table.concat(t, ',')",
	"local t = {} for a, b in ('abc'):gmatch('()(.)') do t[#t + 1] = a .. b end "
	"return table.concat(t, ',')",
	"local it = ('ab'):gmatch('.') return it(), it(), it(), it()",
	"return string.find('a\\0b', '\\0'), string.find('a\\0b', '%z'), string.match('a\\0b', '.%z?.')",
	"return string.find('a\\0b', '[\\0]'), string.find('a\\0b', '%\\0'), string.gsub('a\\0b\\0', '%Z', 'x')",
	"return string.find('a\\0b', 'b', 1, true), string.find('a\\0b\\0c', '\\0c', 1, true)",
	"return string.match('  trim me  ', '^%s*(.-)%s*$')",
	"return string.match(string.rep('a', 250), string.rep('a?', 250))",
	"return string.match(string.rep('a', 150), string.rep('a?', 150))",
	"return string.match(string.rep('a', 40), string.rep('(a)', 40))",
	"return string.match(string.rep('a', 40), string.rep('(a)', 32))",
	"return string.match(string.rep('a', 1000), string.rep('a', 999) .. '.')",
	"return string.find(string.rep('a', 1000), string.rep('.', 1000))",
	"return string.find(string.rep('ab', 500), string.rep('a.', 500) .. '$')",
	"return string.find('x', 'x', 1, nil), string.find('x.', '.', 1, false)",
	"return string.find(nil, 'x')",
	"return string.find('x', {})",
	"return string.gmatch('x')",
	"return string.rep('x')",
	"return string.rep('x', 2.5)",
};

static void test_compat_snippets(void **state)
{
	(void)state;
	struct pair p;
	pair_open(&p);
	for (size_t i = 0; i < sizeof snippets / sizeof snippets[0]; i++) {
		char code[2048];
		snprintf(code, sizeof code, "return try(function() %s end)", snippets[i]);
		compare(&p, code, snippets[i]);
	}
	print_message("snippets: %d comparisons, %d mismatches\n", p.compared, p.mismatches);
	assert_int_equal(p.mismatches, 0);
	pair_close(&p);
}

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void test_random_differential(void **state)
{
	(void)state;
	static const char subject_chars[] = "aaabbbc  ()[]%.-^$1\n";
	static const char *const atoms[] = {
		"a", "b", "c", ".", " ", "%a", "%s", "%d", "%w", "%A", "%S", "[ab]", "[^a]", "[a-c]", "[%s]",
		"[]]", "[^%]]", "%(", "%.", "1", "$", "^", "-",
	};
	static const char *const others[] = {
		"(", ")", "()", "%1", "%2", "%b()", "%bab", "%f[a]", "%f[%w]", "%f[^a]", "%", "[", "]",
	};
	static const char *const quants[] = {"*", "+", "-", "?"};
	struct pair p;
	pair_open(&p);
	int errors = 0;
	const int ncases = 5000;
	for (int i = 0; i < ncases; i++) {
		char s[32], pat[128];
		size_t ls = rnd(13);
		for (size_t k = 0; k < ls; k++)
			s[k] = subject_chars[rnd(sizeof subject_chars - 1)];
		size_t lp = 0;
		int ntok = 1 + (int)rnd(6);
		for (int t = 0; t < ntok; t++) {
			const char *tok;
			uint32_t r = rnd(10);
			if (r < 6)
				tok = atoms[rnd(sizeof atoms / sizeof atoms[0])];
			else if (r < 8)
				tok = quants[rnd(4)];
			else
				tok = others[rnd(sizeof others / sizeof others[0])];
			size_t lt = strlen(tok);
			memcpy(pat + lp, tok, lt);
			lp += lt;
			if (r < 6 && rnd(3) == 0) { /* often quantify an atom */
				pat[lp++] = quants[rnd(4)][0];
			}
		}
		int has_init = rnd(3) == 0;
		long init = (long)rnd(31) - 16;
		int has_n = rnd(4) == 0;
		long n = (long)rnd(4);
		compare_case(&p, s, ls, pat, lp, has_init, init, has_n, n);
		/* count cases raising in the stock library, to make sure errors are exercised */
		char *r = eval(p.stock, "return all_ops(S, P, I, N)");
		if (strstr(r, "ERR") != NULL)
			errors++;
		free(r);
	}
	print_message("random: %d cases (%d with errors), %d mismatches\n", ncases, errors, p.mismatches);
	assert_int_equal(p.mismatches, 0);
	assert_true(errors > ncases / 20);
	pair_close(&p);
}

/* Evaluates code in L and expects it to raise an error containing \p needle. */
static void expect_error(lua_State *L, const char *code, const char *needle)
{
	char *r = eval(L, code);
	if (strncmp(r, "RUNERR ", 7) != 0 || strstr(r, needle) == NULL)
		fail_msg("%s: expected an error with \"%s\", got: %s", code, needle, r);
	free(r);
}

static void expect_result(lua_State *L, const char *code, const char *want)
{
	char *r = eval(L, code);
	if (strcmp(r, want) != 0)
		fail_msg("%s: expected %s, got: %s", code, want, r);
	free(r);
}

static void test_malformed_patterns(void **state)
{
	(void)state;
	lua_State *L = new_state(1);
	expect_error(L, "return string.find('abc', 'b%')", "malformed pattern (ends with '%')");
	expect_error(L, "return string.find('abc', '[a')", "missing ']'");
	expect_error(L, "return string.find('abc', '[^')", "missing ']'");
	expect_error(L, "return string.find('abc', '[]')", "missing ']'");
	expect_error(L, "return string.match('abc', '%1')", "invalid capture index");
	expect_error(L, "return string.match('abc', '(a)%2')", "invalid capture index");
	expect_error(L, "return string.match('abc', '(a%1)')", "invalid capture index");
	expect_error(L, "return string.match('abc', 'a)')", "invalid pattern capture");
	expect_error(L, "return string.match('abc', '(a')", "unfinished capture");
	expect_error(L, "return string.find('abc', '%b')", "missing arguments to '%b'");
	expect_error(L, "return string.find('abc', '%f')", "missing '[' after '%f'");
	expect_error(L, "return string.match(string.rep('a', 300), string.rep('a?', 300))",
	             "pattern too complex");
	expect_error(L, "return string.match('aaaa', string.rep('()', 33))", "too many captures");
	expect_error(L, "return string.gsub('abc', 'b', '%2')", "invalid capture index");
	expect_error(L, "return string.gsub('abc', 'b', '%')", "invalid use of '%'");
	expect_error(L, "return string.gsub('abc', 'b', true)", "string/function/table");
	expect_error(L, "return string.gsub('abc', 'b', {b = {}})", "invalid replacement value (a table)");
	expect_error(L, "for x in ('abc'):gmatch('[') do end", "missing ']'");
	/* the same calls work once the pattern is fixed */
	expect_result(L, "return ser(string.find('abc', 'b%%'))", "(nil)");
	expect_result(L, "return ser(string.match('aab', '(a)%1(b)'))", "(\"a\",\"b\")");
	lua_close(L);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_catastrophic_pattern_is_stopped(void **state)
{
	(void)state;
	lua_State *L = new_state(1);
	struct vocd_lua_budget b = {.steps_left = 10 * 1000 * 1000, .max_string = 1 << 20};
	vocd_lua_budget_attach(L, &b);
	assert_ptr_equal(vocd_lua_budget_of(L), &b);

	double t0 = now();
	char *r = eval(L, "local ok, err = pcall(string.find, string.rep('a', 500), '.-.-.-b')\n"
	                  "return tostring(ok) .. ' ' .. tostring(err)");
	double elapsed = now() - t0;
	print_message("catastrophic find stopped after %.3f s (%.1f ns a unit): %s\n", elapsed,
	              elapsed * 1e9 / 1e7, r);
	assert_non_null(strstr(r, "false"));
	assert_non_null(strstr(r, "budget exhausted: instruction budget exhausted"));
	free(r);
	assert_true(elapsed < 1.0);
	assert_int_equal(b.killed, 1);
	assert_string_equal(b.reason, "instruction budget exhausted");
	assert_int_equal(b.steps_left, 0);

	/* The kill sticks: catching it with pcall does not let the plugin go on matching. */
	expect_error(L, "pcall(string.find, string.rep('a', 500), '.-.-.-b') return string.find('abc', 'b')",
	             "budget exhausted");
	expect_error(L, "return ('abc'):match('b')", "budget exhausted");
	expect_error(L, "return string.rep('x', 3)", "budget exhausted");
	expect_error(L, "for w in ('a b'):gmatch('%a') do end", "budget exhausted");
	expect_error(L, "return ('abc'):gsub('b', 'c')", "budget exhausted");
	expect_error(L, "return ('abc'):find('b', 1, true)", "budget exhausted");
	assert_int_equal(b.killed, 1);

	/* Detached: unlimited again (the same state serves the next run). */
	vocd_lua_budget_attach(L, NULL);
	assert_null(vocd_lua_budget_of(L));
	expect_result(L, "return ser(string.find('abc', 'b'))", "(integer:2,integer:2)");
	lua_close(L);
}

static void test_coroutines_share_the_budget(void **state)
{
	(void)state;
	lua_State *L = new_state(1);
	/* a coroutine created before the budget is attached must still see it */
	assert_int_equal(luaL_dostring(L, "co = coroutine.wrap(function() coroutine.yield(1) "
	                                  "return string.find(string.rep('a', 300), '.-.-b') end) co()"),
	                 LUA_OK);
	struct vocd_lua_budget b = {.steps_left = 100000, .max_string = 1000};
	vocd_lua_budget_attach(L, &b);
	expect_error(L, "return co()", "budget exhausted");
	assert_int_equal(b.killed, 1);
	lua_close(L);
}

static int charge_one(lua_State *L)
{
	vocd_lua_charge(L, (uint64_t)lua_tointeger(L, 1));
	return 0;
}

static int kill_now(lua_State *L)
{
	return vocd_lua_kill(L, lua_tostring(L, lua_upvalueindex(1)));
}

static void test_budget_functions(void **state)
{
	(void)state;
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	struct vocd_lua_budget b = {.steps_left = 10, .max_string = 10};
	/* Lua leaves the extra space uninitialised: a state starts by detaching */
	vocd_lua_budget_attach(L, NULL);
	assert_null(vocd_lua_budget_of(L));
	/* without a budget charging is a no-op */
	lua_pushcfunction(L, charge_one);
	lua_pushinteger(L, LUA_MAXINTEGER);
	assert_int_equal(lua_pcall(L, 1, 0, 0), LUA_OK);

	vocd_lua_budget_attach(L, &b);
	lua_pushcfunction(L, charge_one);
	lua_setglobal(L, "charge");
	expect_result(L, "charge(4) return 'ok'", "ok");
	assert_int_equal(b.steps_left, 6);
	expect_result(L, "charge(6) return 'ok'", "ok");
	assert_int_equal(b.steps_left, 0);
	assert_int_equal(b.killed, 0);
	expect_error(L, "charge(1)", "budget exhausted: instruction budget exhausted");
	assert_int_equal(b.killed, 1);
	expect_error(L, "charge(0)", "budget exhausted"); /* sticky, even for nothing */

	/* vocd_lua_kill keeps the first reason */
	struct vocd_lua_budget b2 = {.steps_left = 1000, .max_string = 10};
	vocd_lua_budget_attach(L, &b2);
	lua_pushliteral(L, "memory limit exceeded");
	lua_pushcclosure(L, kill_now, 1);
	lua_setglobal(L, "kill");
	expect_error(L, "kill()", "budget exhausted: memory limit exceeded");
	assert_int_equal(b2.killed, 1);
	expect_error(L, "charge(1)", "budget exhausted: memory limit exceeded");
	assert_int_equal(b2.steps_left, 1000);
	lua_close(L);
}

static void test_rep_limits(void **state)
{
	(void)state;
	lua_State *L = new_state(1);
	struct vocd_lua_budget b = {.steps_left = 1000000, .max_string = 1000};
	vocd_lua_budget_attach(L, &b);
	expect_result(L, "return #string.rep('ab', 500)", "1000");
	expect_error(L, "return string.rep('ab', 501)", "string.rep: result too large (1002 bytes, limit 1000)");
	expect_result(L, "return #string.rep('ab', 333, ',')", "998");
	expect_error(L, "return string.rep('ab', 334, ',')", "result too large (1001 bytes");
	expect_error(L, "return ('x'):rep(1001)", "result too large");
	expect_error(L, "return string.rep('x', math.maxinteger, 'yy')", "result too large");
	expect_error(L, "return string.rep('', math.maxinteger, 'y')", "result too large");
	expect_result(L, "return string.rep('', math.maxinteger)", "");
	expect_result(L, "return string.rep('ab', 3, '--')", "ab--ab--ab");
	/* refusing a big string is an error for the call, not a kill of the run */
	assert_int_equal(b.killed, 0);

	/* the output is charged: 64 bytes a unit */
	uint64_t before = b.steps_left;
	expect_result(L, "return #string.rep('x', 640)", "640");
	assert_int_equal(before - b.steps_left, 11);

	/* no budget: no max_string, overflow still refused */
	vocd_lua_budget_attach(L, NULL);
	expect_result(L, "return #string.rep('ab', 5000, ',')", "14999");
	expect_error(L, "return string.rep('xx', math.maxinteger)", "result too large");
	lua_close(L);
}

/* A 100 KB text of words, spaces and some Chinese, with whitespace around it. */
static const char MAKE_TEXT[] =
	"local parts = {}\n"
	"for i = 1, 12000 do parts[i] = (i % 7 == 0) and '客服评分' or ('word' .. i) end\n"
	"TEXT = '  \\t' .. table.concat(parts, ' '):sub(1, 100000) .. ' \\n '\n";

static void test_realistic_work_fits_budget(void **state)
{
	(void)state;
	struct pair p;
	pair_open(&p);
	assert_int_equal(luaL_dostring(p.bounded, MAKE_TEXT), LUA_OK);
	assert_int_equal(luaL_dostring(p.stock, MAKE_TEXT), LUA_OK);
	struct vocd_lua_budget b = {.steps_left = 50 * 1000 * 1000, .max_string = 1 << 20};
	vocd_lua_budget_attach(p.bounded, &b);

	static const char *const work[] = {
		"return #TEXT",
		"local t = TEXT:match('^%s*(.-)%s*$') return #t .. t:sub(1, 20) .. t:sub(-20)",
		"local r, n = TEXT:gsub('%s+', ' ') return #r .. ' ' .. n",
		"local r, n = TEXT:gsub('(%a+)(%d+)', '%2%1') return #r .. ' ' .. n .. r:sub(1, 40)",
		"local r, n = TEXT:gsub('%w+', function(w) return #w end) return #r .. ' ' .. n",
		"local c = 0 for w in TEXT:gmatch('%S+') do c = c + #w end return c",
		"return ser(TEXT:find('word3999', 1, true))",
		"return ser(TEXT:find('客服评分%s+word(%d+)', 50000))",
	};
	for (size_t i = 0; i < sizeof work / sizeof work[0]; i++) {
		uint64_t before = b.steps_left;
		double t0 = now();
		char *a = eval(p.bounded, work[i]);
		double t1 = now();
		char *s = eval(p.stock, work[i]);
		double t2 = now();
		print_message("%-80.80s %9llu units, %.2f ms (stock %.2f ms)\n", work[i],
		              (unsigned long long)(before - b.steps_left), (t1 - t0) * 1e3, (t2 - t1) * 1e3);
		assert_string_equal(a, s);
		free(a);
		free(s);
	}
	uint64_t used = 50ULL * 1000 * 1000 - b.steps_left;
	print_message("100 KB workload: %llu units in total\n", (unsigned long long)used);
	assert_int_equal(b.killed, 0);
	/* charged at all, and not absurdly: a handful of units per subject byte and operation */
	assert_true(used > 100000);
	assert_true(used < 20 * 1000 * 1000);
	pair_close(&p);
}

static void test_no_budget_is_unlimited_but_recursion_bounded(void **state)
{
	(void)state;
	lua_State *L = new_state(1);
	assert_null(vocd_lua_budget_of(L));
	/* about 10 million steps (n^3/6), far more than the budget below allows */
	expect_result(L, "return ser(string.find(string.rep('a', 400), '.-.-b'))", "(nil)");
	struct vocd_lua_budget b = {.steps_left = 100000, .max_string = 1 << 20};
	vocd_lua_budget_attach(L, &b);
	expect_error(L, "return ser(string.find(string.rep('a', 400), '.-.-b'))", "budget exhausted");
	vocd_lua_budget_attach(L, NULL);
	expect_error(L, "return string.match(string.rep('a', 300), string.rep('a?', 300))",
	             "pattern too complex");
	expect_error(L, "return string.match(string.rep('(', 300) .. 'x', string.rep('%(?', 300))",
	             "pattern too complex");
	lua_close(L);
}

/* Workloads timed against the stock functions (no budget attached). */
static void test_speed_relative_to_stock(void **state)
{
	(void)state;
	struct pair p;
	pair_open(&p);
	assert_int_equal(luaL_dostring(p.bounded, MAKE_TEXT), LUA_OK);
	assert_int_equal(luaL_dostring(p.stock, MAKE_TEXT), LUA_OK);
	static const char *const work[] = {
		"for i = 1, 20 do TEXT:gsub('%s+', ' ') end return 'ok'",
		"for i = 1, 20 do for w in TEXT:gmatch('%a+') do end end return 'ok'",
		"for i = 1, 20 do TEXT:gsub('(%a+)(%d+)', '%2%1') end return 'ok'",
		"for i = 1, 20 do TEXT:gsub('%w+', {word1 = 'x'}) end return 'ok'",
		"for i = 1, 20 do TEXT:match('^%s*(.-)%s*$') end return 'ok'",
		"return ser(string.find(string.rep('a', 300), '.-.-b'))",
		"for i = 1, 20000 do ('key = value'):match('^(%w+)%s*=%s*(%w+)$') end return 'ok'",
	};
	double worst = 0;
	for (size_t i = 0; i < sizeof work / sizeof work[0]; i++) {
		double best_a = 1e9, best_s = 1e9;
		for (int rep = 0; rep < 3; rep++) {
			double t0 = now();
			char *a = eval(p.bounded, work[i]);
			double t1 = now();
			char *s = eval(p.stock, work[i]);
			double t2 = now();
			assert_string_equal(a, s);
			free(a);
			free(s);
			if (t1 - t0 < best_a)
				best_a = t1 - t0;
			if (t2 - t1 < best_s)
				best_s = t2 - t1;
		}
		double ratio = best_a / best_s;
		if (ratio > worst)
			worst = ratio;
		print_message("%-70.70s bounded %.2f ms, stock %.2f ms, ratio %.2f\n", work[i], best_a * 1e3,
		              best_s * 1e3, ratio);
	}
	/* Only meaningful without sanitizers (the stock library is not instrumented); generous for a noisy
	 * shared machine. */
	if (!SANITIZED)
		assert_true(worst < 4.0);
	pair_close(&p);
}

static void test_open_replaces_metatable_index(void **state)
{
	(void)state;
	lua_State *L = luaL_newstate();
	vocd_lua_budget_attach(L, NULL);
	/* no string library: refused */
	assert_int_equal(vocd_lua_open_bounded_string(L), -1);
	luaL_openlibs(L);
	assert_int_equal(vocd_lua_open_bounded_string(L), 0);
	assert_int_equal(luaL_dostring(L, "return string.find == getmetatable('').__index.find and "
	                                  "string.rep == package.loaded.string.rep"),
	                 LUA_OK);
	assert_true(lua_toboolean(L, -1));
	lua_settop(L, 0);
	struct vocd_lua_budget b = {.steps_left = 1000, .max_string = 10};
	vocd_lua_budget_attach(L, &b);
	luaL_dostring(L, "return ('x'):rep(11)");
	assert_non_null(strstr(lua_tostring(L, -1), "result too large"));
	lua_close(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_functions),
		cmocka_unit_test(test_open_replaces_metatable_index),
		cmocka_unit_test(test_compat_table),
		cmocka_unit_test(test_compat_snippets),
		cmocka_unit_test(test_random_differential),
		cmocka_unit_test(test_malformed_patterns),
		cmocka_unit_test(test_catastrophic_pattern_is_stopped),
		cmocka_unit_test(test_coroutines_share_the_budget),
		cmocka_unit_test(test_rep_limits),
		cmocka_unit_test(test_realistic_work_fits_budget),
		cmocka_unit_test(test_no_budget_is_unlimited_but_recursion_bounded),
		cmocka_unit_test(test_speed_relative_to_stock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

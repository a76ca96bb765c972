/* Bounded string.find/match/gmatch/gsub/rep for sandboxed Lua states: our own backtracking matcher for
 * Lua 5.4 patterns (reference manual §6.4.1) that charges every step to the run's budget and bounds its
 * recursion, so a plugin cannot escape its deadline inside a C call. */
#include "lua_pattern.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "error.h"
#include "lua_budget.h"

/* Steps are counted locally and charged in chunks: one vocd_lua_charge per step would cost more than
 * the step itself. */
#define STEP_CHUNK 1024

#define CAP_OPEN (-1) /* capture opened, not closed yet */
#define CAP_POS (-2)  /* position capture "()" */

struct capture {
	const char *start;
	ptrdiff_t len; /* length, or CAP_OPEN / CAP_POS */
};

struct matcher {
	lua_State *L;
	const char *subj;     /* the whole subject: position captures and %f look at it, not at init */
	const char *subj_end;
	const char *pat_end;
	int depth;            /* nested match() calls */
	int ncap;
	uint64_t steps;       /* counted but not charged yet */
	struct capture cap[VOCD_PATTERN_MAX_CAPTURES];
};

static void matcher_init(struct matcher *m, lua_State *L, const char *s, size_t ls, const char *pend)
{
	m->L = L;
	m->subj = s;
	m->subj_end = s + ls;
	m->pat_end = pend;
	m->depth = 0;
	m->ncap = 0;
	m->steps = 0;
}

static void flush_steps(struct matcher *m)
{
	uint64_t n = m->steps;
	m->steps = 0; /* before charging: the charge may not return */
	if (n > 0)
		vocd_lua_charge(m->L, n);
}

static inline void step(struct matcher *m)
{
	if (++m->steps >= STEP_CHUNK)
		flush_steps(m);
}

static void charge_bytes(struct matcher *m, size_t n)
{
	m->steps += n / VOCD_PATTERN_BYTES_PER_UNIT;
	step(m);
}

/* Character classes, fixed to the C locale whatever setlocale says: bytes >= 0x80 (UTF-8 text) belong
 * to no class. */
static int is_upper(unsigned c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(unsigned c) { return c >= 'a' && c <= 'z'; }
static int is_alpha(unsigned c) { return is_upper(c) || is_lower(c); }
static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }
static int is_alnum(unsigned c) { return is_alpha(c) || is_digit(c); }
static int is_graph(unsigned c) { return c > 0x20 && c < 0x7f; }

static int class_matches(unsigned cl, unsigned c)
{
	int r;
	switch (is_upper(cl) ? cl + ('a' - 'A') : cl) {
	case 'a': r = is_alpha(c); break;
	case 'c': r = c < 0x20 || c == 0x7f; break;
	case 'd': r = is_digit(c); break;
	case 'g': r = is_graph(c); break;
	case 'l': r = is_lower(c); break;
	case 'p': r = is_graph(c) && !is_alnum(c); break;
	case 's': r = c == ' ' || (c >= '\t' && c <= '\r'); break;
	case 'u': r = is_upper(c); break;
	case 'w': r = is_alnum(c); break;
	case 'x': r = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); break;
	case 'z': r = c == 0; break; /* gone from the 5.4 manual, still accepted by Lua 5.4 */
	default: return cl == c; /* %. %% %( ... stand for the character itself */
	}
	return is_upper(cl) ? !r : r;
}

/* Does byte c belong to the set that opens at p ('[') and closes at close (']')? */
static int set_matches(unsigned c, const char *p, const char *close)
{
	int negated = 0;
	p++;
	if (*p == '^') {
		negated = 1;
		p++;
	}
	while (p < close) {
		/* A '%' just before the close (after a range that ended in '%', "[2-%%]") escapes the ']' itself,
		 * as in Lua's matchbracketclass: the set holds ']', not '%'. */
		if (*p == '%') {
			if (class_matches((unsigned char)p[1], c))
				return !negated;
			p += 2;
		} else if (p + 2 < close && p[1] == '-') {
			if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
				return !negated;
			p += 3;
		} else {
			if ((unsigned char)*p == c)
				return !negated;
			p++;
		}
	}
	return negated;
}

/* End of the single-character item at p (a character, '.', %x or a set). Raises on a malformed item. */
static const char *item_end(struct matcher *m, const char *p)
{
	const char *end = m->pat_end;
	char c = *p++;
	if (c == '%') {
		if (p >= end)
			luaL_error(m->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (c == '[') {
		if (p < end && *p == '^')
			p++;
		/* The first member is taken literally, so "[]]" and "[^]]" are sets containing ']'. */
		do {
			if (p >= end)
				luaL_error(m->L, "malformed pattern (missing ']')");
			if (*p++ == '%' && p < end)
				p++;
		} while (p >= end || *p != ']');
		return p + 1;
	}
	return p;
}

/* Does the item [p, ep) match the byte at s? One step. */
static int item_matches(struct matcher *m, const char *s, const char *p, const char *ep)
{
	step(m);
	if (s >= m->subj_end)
		return 0;
	unsigned c = (unsigned char)*s;
	switch (*p) {
	case '.': return 1;
	case '%': return class_matches((unsigned char)p[1], c);
	case '[': return set_matches(c, p, ep - 1);
	default: return (unsigned char)*p == c;
	}
}

static const char *match_here(struct matcher *m, const char *s, const char *p);

/* Matches the pattern rest p at s; the end of the match or NULL. Every call is a step and one level of
 * the bounded recursion. */
static const char *match(struct matcher *m, const char *s, const char *p)
{
	if (++m->depth > VOCD_PATTERN_MAX_DEPTH)
		luaL_error(m->L, "pattern too complex");
	step(m);
	const char *r = match_here(m, s, p);
	m->depth--;
	return r;
}

/* Greedy: the item [p, ep) matched every byte in [base, from); extend as far as possible, then give
 * bytes back one by one until the rest of the pattern matches. */
static const char *expand_max(struct matcher *m, const char *base, const char *from, const char *p,
                              const char *ep)
{
	const char *t = from;
	while (item_matches(m, t, p, ep))
		t++;
	for (;;) {
		const char *r = match(m, t, ep + 1);
		if (r != NULL)
			return r;
		if (t == base)
			return NULL;
		t--;
	}
}

/* Lazy: try the rest first, take one more byte only when it fails. */
static const char *expand_min(struct matcher *m, const char *s, const char *p, const char *ep)
{
	for (;;) {
		const char *r = match(m, s, ep + 1);
		if (r != NULL)
			return r;
		if (!item_matches(m, s, p, ep))
			return NULL;
		s++;
	}
}

static const char *open_capture(struct matcher *m, const char *s, const char *p, ptrdiff_t kind)
{
	if (m->ncap >= VOCD_PATTERN_MAX_CAPTURES)
		luaL_error(m->L, "too many captures");
	m->cap[m->ncap].start = s;
	m->cap[m->ncap].len = kind;
	m->ncap++;
	const char *r = match(m, s, p);
	if (r == NULL)
		m->ncap--;
	return r;
}

static const char *close_capture(struct matcher *m, const char *s, const char *p)
{
	int i = m->ncap - 1;
	while (i >= 0 && m->cap[i].len != CAP_OPEN)
		i--;
	if (i < 0)
		luaL_error(m->L, "invalid pattern capture");
	m->cap[i].len = s - m->cap[i].start;
	const char *r = match(m, s, p);
	if (r == NULL)
		m->cap[i].len = CAP_OPEN;
	return r;
}

/* %bxy at s; p points at x. */
static const char *match_balanced(struct matcher *m, const char *s, const char *p)
{
	if (p + 1 >= m->pat_end)
		luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
	step(m);
	if (s >= m->subj_end || *s != p[0])
		return NULL;
	char open = p[0], close = p[1];
	int level = 1;
	while (++s < m->subj_end) {
		step(m);
		if (*s == close) {
			if (--level == 0)
				return s + 1;
		} else if (*s == open) {
			level++;
		}
	}
	return NULL;
}

/* %1-%9 at s: the text of an earlier, closed capture. */
static const char *match_backref(struct matcher *m, const char *s, char digit)
{
	int i = digit - '1';
	if (i < 0 || i >= m->ncap || m->cap[i].len == CAP_OPEN)
		luaL_error(m->L, "invalid capture index %%%d in pattern", i + 1);
	if (m->cap[i].len == CAP_POS) /* a position is no text: never matches */
		return NULL;
	size_t len = (size_t)m->cap[i].len;
	charge_bytes(m, len);
	if ((size_t)(m->subj_end - s) >= len && memcmp(m->cap[i].start, s, len) == 0)
		return s + len;
	return NULL;
}

static const char *match_here(struct matcher *m, const char *s, const char *p)
{
	const char *end = m->pat_end;
	for (;;) {
		if (p >= end)
			return s;
		switch (*p) {
		case '(':
			if (p + 1 < end && p[1] == ')')
				return open_capture(m, s, p + 2, CAP_POS);
			return open_capture(m, s, p + 1, CAP_OPEN);
		case ')':
			return close_capture(m, s, p + 1);
		case '$':
			if (p + 1 == end)
				return s == m->subj_end ? s : NULL;
			break; /* a '$' elsewhere is a plain character */
		case '%':
			if (p + 1 >= end)
				break; /* item_end reports it */
			if (p[1] == 'b') {
				s = match_balanced(m, s, p + 2);
				if (s == NULL)
					return NULL;
				p += 4;
				continue;
			}
			if (p[1] == 'f') {
				p += 2;
				if (p >= end || *p != '[')
					luaL_error(m->L, "missing '[' after '%%f' in pattern");
				const char *ep = item_end(m, p);
				/* The subject's edges count as '\0'. */
				unsigned prev = s == m->subj ? 0 : (unsigned char)s[-1];
				unsigned cur = s < m->subj_end ? (unsigned char)*s : 0;
				step(m);
				if (set_matches(prev, p, ep - 1) || !set_matches(cur, p, ep - 1))
					return NULL;
				p = ep;
				continue;
			}
			if (is_digit((unsigned char)p[1])) {
				s = match_backref(m, s, p[1]);
				if (s == NULL)
					return NULL;
				p += 2;
				continue;
			}
			break;
		default:
			break;
		}

		/* A single-character item, maybe with a quantifier. */
		const char *ep = item_end(m, p);
		int ok = item_matches(m, s, p, ep);
		char q = ep < end ? *ep : '\0';
		switch (q) {
		case '?':
			if (ok) {
				const char *r = match(m, s + 1, ep + 1);
				if (r != NULL)
					return r;
			}
			p = ep + 1;
			continue;
		case '*':
			if (!ok) {
				p = ep + 1;
				continue;
			}
			return expand_max(m, s, s + 1, p, ep);
		case '+':
			return ok ? expand_max(m, s + 1, s + 1, p, ep) : NULL;
		case '-':
			if (!ok) {
				p = ep + 1;
				continue;
			}
			return expand_min(m, s, p, ep);
		default:
			if (!ok)
				return NULL;
			s++;
			p = ep;
			continue;
		}
	}
}

/* Pushes capture i of the match [s, e); with no captures, "capture 0" is the whole match. */
static void push_capture(struct matcher *m, int i, const char *s, const char *e)
{
	if (i >= m->ncap) {
		if (i != 0)
			luaL_error(m->L, "invalid capture index %%%d", i + 1);
		lua_pushlstring(m->L, s, (size_t)(e - s));
		return;
	}
	ptrdiff_t len = m->cap[i].len;
	if (len == CAP_OPEN)
		luaL_error(m->L, "unfinished capture");
	if (len == CAP_POS)
		lua_pushinteger(m->L, (lua_Integer)(m->cap[i].start - m->subj) + 1);
	else
		lua_pushlstring(m->L, m->cap[i].start, (size_t)len);
}

/* Pushes every capture (or the whole match when there is none and s is not NULL); returns how many. */
static int push_captures(struct matcher *m, const char *s, const char *e)
{
	int n = (m->ncap == 0 && s != NULL) ? 1 : m->ncap;
	luaL_checkstack(m->L, n, "too many captures");
	for (int i = 0; i < n; i++)
		push_capture(m, i, s, e);
	return n;
}

/* 0-based start offset from Lua's 1-based init, where negative counts from the end; may exceed len. */
static size_t start_offset(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t)pos - 1;
	if (pos == 0 || pos < -(lua_Integer)len)
		return 0;
	return (size_t)((lua_Integer)len + pos);
}

static int has_specials(const char *p, size_t lp)
{
	for (size_t i = 0; i < lp; i++)
		if (p[i] != '\0' && strchr("^$*+?.([%-", p[i]) != NULL)
			return 1;
	return 0;
}

static int find_or_match(lua_State *L, int find)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
	if (init > ls) {
		luaL_pushfail(L);
		return 1;
	}
	if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
		/* memmem is linear in what it scans: up to the hit, or the whole rest when there is none */
		const char *hit = memmem(s + init, ls - init, p, lp);
		size_t scanned = hit ? (size_t)(hit - (s + init)) + lp : ls - init;
		vocd_lua_charge(L, scanned / VOCD_PATTERN_BYTES_PER_UNIT + 1);
		if (hit == NULL) {
			luaL_pushfail(L);
			return 1;
		}
		lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
		lua_pushinteger(L, (lua_Integer)(hit - s + lp));
		return 2;
	}
	int anchored = lp > 0 && *p == '^';
	if (anchored) {
		p++;
		lp--;
	}
	struct matcher m;
	matcher_init(&m, L, s, ls, p + lp);
	const char *start = s + init;
	for (;;) {
		m.ncap = 0;
		m.depth = 0;
		const char *e = match(&m, start, p);
		if (e != NULL) {
			flush_steps(&m);
			if (!find)
				return push_captures(&m, start, e);
			lua_pushinteger(L, (lua_Integer)(start - s) + 1);
			lua_pushinteger(L, (lua_Integer)(e - s));
			return push_captures(&m, NULL, NULL) + 2;
		}
		if (anchored || start >= m.subj_end)
			break;
		start++;
	}
	flush_steps(&m);
	luaL_pushfail(L);
	return 1;
}

static int bounded_find(lua_State *L) { return find_or_match(L, 1); }
static int bounded_match(lua_State *L) { return find_or_match(L, 0); }

/* gmatch's iterator state; the subject and the pattern are upvalues 1 and 2. */
struct gmatch_state {
	size_t pos;     /* where the next search starts */
	size_t last;    /* end of the previous match: an empty match there is skipped */
	int have_last;
};

static int gmatch_next(lua_State *L)
{
	size_t ls, lp;
	const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
	const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
	struct gmatch_state *g = lua_touserdata(L, lua_upvalueindex(3));
	struct matcher m;
	matcher_init(&m, L, s, ls, p + lp);
	for (size_t pos = g->pos; pos <= ls; pos++) {
		m.ncap = 0;
		m.depth = 0;
		const char *e = match(&m, s + pos, p);
		if (e != NULL && !(g->have_last && (size_t)(e - s) == g->last)) {
			g->pos = g->last = (size_t)(e - s);
			g->have_last = 1;
			flush_steps(&m);
			return push_captures(&m, s + pos, e);
		}
	}
	g->pos = ls + 1;
	flush_steps(&m);
	return 0;
}

static int bounded_gmatch(lua_State *L)
{
	size_t ls, lp;
	luaL_checklstring(L, 1, &ls);
	luaL_checklstring(L, 2, &lp);
	size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
	if (init > ls)
		init = ls + 1;
	lua_settop(L, 2); /* the closure keeps both strings alive */
	struct gmatch_state *g = lua_newuserdatauv(L, sizeof *g, 0);
	g->pos = init;
	g->last = 0;
	g->have_last = 0;
	lua_pushcclosure(L, gmatch_next, 3);
	return 1;
}

/* Appends the replacement string (argument 3) for the match [s, e), expanding %0-%9 and %%. */
static void add_template(struct matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
	lua_State *L = m->L;
	size_t l;
	const char *t = lua_tolstring(L, 3, &l);
	const char *tend = t + l;
	while (t < tend) {
		const char *pct = memchr(t, '%', (size_t)(tend - t));
		if (pct == NULL) {
			luaL_addlstring(b, t, (size_t)(tend - t));
			return;
		}
		luaL_addlstring(b, t, (size_t)(pct - t));
		pct++;
		char d = pct < tend ? *pct : '\0';
		if (d == '%') {
			luaL_addchar(b, '%');
		} else if (d == '0') {
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if (d >= '1' && d <= '9') {
			int i = d - '1';
			if (i < m->ncap && m->cap[i].len >= 0) { /* text: copied straight from the subject */
				luaL_addlstring(b, m->cap[i].start, (size_t)m->cap[i].len);
			} else { /* the whole match, a position (as its number), or an error */
				push_capture(m, i, s, e);
				luaL_tolstring(L, -1, NULL);
				lua_remove(L, -2);
				luaL_addvalue(b);
			}
		} else {
			luaL_error(L, "invalid use of '%%' in replacement string");
		}
		t = pct + 1;
	}
}

/* Appends the replacement for the match [s, e); returns whether it differs from the match. */
static int add_replacement(struct matcher *m, luaL_Buffer *b, const char *s, const char *e, int type)
{
	lua_State *L = m->L;
	size_t before = luaL_bufflen(b);
	if (type == LUA_TFUNCTION) {
		lua_pushvalue(L, 3);
		int n = push_captures(m, s, e);
		lua_call(L, n, 1);
	} else if (type == LUA_TTABLE) {
		push_capture(m, 0, s, e);
		lua_gettable(L, 3);
	} else {
		add_template(m, b, s, e);
		charge_bytes(m, luaL_bufflen(b) - before);
		return 1;
	}
	if (!lua_toboolean(L, -1)) { /* nil or false: keep the match */
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));
		return 0;
	}
	if (!lua_isstring(L, -1))
		return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
	charge_bytes(m, luaL_bufflen(b) - before);
	return 1;
}

static int bounded_gsub(lua_State *L)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	int type = lua_type(L, 3);
	lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
	luaL_argexpected(L, type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TFUNCTION ||
	                        type == LUA_TTABLE, 3, "string/function/table");
	int anchored = lp > 0 && *p == '^';
	if (anchored) {
		p++;
		lp--;
	}
	struct matcher m;
	matcher_init(&m, L, s, ls, p + lp);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	const char *cur = s, *last = NULL;
	lua_Integer n = 0;
	int changed = 0;
	while (n < max_n) {
		m.ncap = 0;
		m.depth = 0;
		const char *e = match(&m, cur, p);
		if (e != NULL && e != last) { /* an empty match right after a match does not count */
			n++;
			changed |= add_replacement(&m, &b, cur, e, type);
			cur = last = e;
		} else if (cur < m.subj_end) {
			luaL_addchar(&b, *cur++);
		} else {
			break;
		}
		if (anchored)
			break;
	}
	flush_steps(&m);
	if (!changed) {
		lua_pushvalue(L, 1);
	} else {
		luaL_addlstring(&b, cur, (size_t)(m.subj_end - cur));
		luaL_pushresult(&b);
	}
	lua_pushinteger(L, n);
	return 2;
}

static int bounded_rep(lua_State *L)
{
	size_t l, lsep;
	const char *s = luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	const char *sep = luaL_optlstring(L, 3, "", &lsep);
	if (n <= 0 || (l == 0 && lsep == 0)) {
		lua_pushliteral(L, "");
		return 1;
	}
	const struct vocd_lua_budget *bud = vocd_lua_budget_of(L);
	size_t limit = bud != NULL ? bud->max_string : (size_t)LUA_MAXINTEGER;
	size_t count = (size_t)n;
	size_t unit = l + lsep;
	/* total = count * l + (count - 1) * lsep = count * unit - lsep, unless it overflows */
	if (unit < l || count > (SIZE_MAX - lsep) / unit || count * unit - lsep > limit) {
		char msg[128];
		double want = (double)n * (double)l + ((double)n - 1) * (double)lsep;
		snprintf(msg, sizeof msg, "string.rep: result too large (%.0f bytes, limit %zu)", want, limit);
		return luaL_error(L, "%s", msg);
	}
	size_t total = count * unit - lsep;
	vocd_lua_charge(L, total / VOCD_PATTERN_BYTES_PER_UNIT + 1);
	luaL_Buffer b;
	char *out = luaL_buffinitsize(L, &b, total);
	for (size_t i = 0; i < count; i++) {
		memcpy(out, s, l);
		out += l;
		if (i + 1 < count && lsep > 0) {
			memcpy(out, sep, lsep);
			out += lsep;
		}
	}
	luaL_pushresultsize(&b, total);
	return 1;
}

static const luaL_Reg bounded_fns[] = {
	{"find", bounded_find},   {"match", bounded_match}, {"gmatch", bounded_gmatch},
	{"gsub", bounded_gsub},   {"rep", bounded_rep},     {NULL, NULL},
};

/* Replaces the functions in the table at the top of the stack, if it is one; pops it. */
static int patch_table(lua_State *L)
{
	int ok = lua_istable(L, -1);
	if (ok)
		luaL_setfuncs(L, bounded_fns, 0);
	lua_pop(L, 1);
	return ok;
}

int vocd_lua_open_bounded_string(lua_State *L)
{
	int top = lua_gettop(L);
	/* Lua leaves the main thread's extra space uninitialised: make "no budget" explicit. */
	vocd_lua_budget_attach(L, NULL);
	int patched = 0;
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "string");
		patched += patch_table(L);
	}
	lua_settop(L, top);
	lua_getglobal(L, "string");
	patched += patch_table(L);
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_getfield(L, -1, "__index");
		patched += patch_table(L);
	}
	lua_settop(L, top);
	return patched > 0 ? 0 : VOCD_EINVAL;
}

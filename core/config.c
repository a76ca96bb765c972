/* Configuration loading. Each file runs in its own small Lua state with an empty environment: plain
 * `name = value` settings only, no functions. Every assignment remembers its line, so that validation can
 * say "conf/vocd.lua:12: limits.max_body: expected a size such as \"1MiB\", got boolean". */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "embedded.h"
#include "error.h"

#ifndef VOCD_SOURCE_DIR
#define VOCD_SOURCE_DIR "."
#endif

#define LOAD_INSTRUCTION_LIMIT 10000000

/* Problems found while loading; all of them are reported, one per line. */
struct problems {
	char *buf;
	size_t len, cap;
	int count;
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct problems *p, const char *fmt, ...)
{
	p->count++;
	if (p->cap == 0 || p->len + 1 >= p->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p->buf + p->len, p->cap - p->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	p->len += (size_t)n;
	if (p->len + 1 >= p->cap) {
		p->len = p->cap - 1;
		return;
	}
	p->buf[p->len++] = '\n';
	p->buf[p->len] = '\0';
}

/* ---- Running one file ------------------------------------------------------------------------------ */

static const char *const LINES_KEY = "vocd.config.lines";

/* __newindex of the environment: store the value and remember the line of the assignment. */
static int env_newindex(lua_State *L)
{
	lua_Debug ar;
	int line = 0;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
		line = ar.currentline;
	lua_getfield(L, LUA_REGISTRYINDEX, LINES_KEY);
	lua_pushvalue(L, 2);
	lua_pushinteger(L, line);
	lua_rawset(L, -3);
	lua_pop(L, 1);
	lua_rawset(L, 1);
	return 0;
}

/* __index of the environment: a bare word that is not a setting is almost always missing quotes. */
static int env_index(lua_State *L)
{
	const char *name = lua_tostring(L, 2);
	return luaL_error(L, "'%s' is not defined: if it is text, put it in quotes (\"%s\")", name ? name : "?",
	                  name ? name : "?");
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	luaL_error(L, "the file takes too long to run (a loop?)");
}

/* Runs \p text; on success leaves the environment table on top of the stack. */
static int run_file(lua_State *L, const char *display, const char *text, size_t len, struct problems *p)
{
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LINES_KEY);
	char chunkname[PATH_MAX + 2];
	snprintf(chunkname, sizeof chunkname, "=%s", display);
	if (luaL_loadbufferx(L, text, len, chunkname, "t") != LUA_OK) {
		problem(p, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return VOCD_ECONFIG;
	}
	lua_newtable(L); /* the environment */
	lua_newtable(L); /* its metatable */
	lua_pushcfunction(L, env_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, env_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_insert(L, -3); /* env, chunk, env */
	lua_setupvalue(L, -2, 1);
	lua_sethook(L, count_hook, LUA_MASKCOUNT, LOAD_INSTRUCTION_LIMIT);
	int rc = lua_pcall(L, 0, 0, 0);
	lua_sethook(L, NULL, 0, 0);
	if (rc != LUA_OK) {
		problem(p, "%s", lua_tostring(L, -1));
		lua_pop(L, 2);
		return VOCD_ECONFIG;
	}
	return 0;
}

/* The text of the file being read, to point messages at the line where a key is written. */
static __thread const char *current_text;

/* First line at or after \p from that starts with `key =` (spaces allowed), or 0. */
static int text_line(int from, const char *key)
{
	size_t klen = strlen(key);
	int line = 1;
	for (const char *p = current_text; p && *p; line++) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (line >= from && strncmp(q, key, klen) == 0) {
			const char *r = q + klen;
			while (*r == ' ' || *r == '\t')
				r++;
			if (*r == '=' && r[1] != '=')
				return line;
		}
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Line where the top-level setting \p key was written: as found in the text, else where Lua assigned it. */
static int line_of(lua_State *L, const char *key)
{
	int found = text_line(1, key);
	if (found)
		return found;
	lua_getfield(L, LUA_REGISTRYINDEX, LINES_KEY);
	lua_getfield(L, -1, key);
	int line = (int)lua_tointeger(L, -1);
	lua_pop(L, 2);
	return line;
}

/* Line of a key inside a table setting that starts at \p table_line. */
static int nested_line(int table_line, const char *key)
{
	int found = table_line ? text_line(table_line, key) : 0;
	return found ? found : table_line;
}

/* ---- Values ---------------------------------------------------------------------------------------- */

struct ctx {
	lua_State *L;
	const char *file;
	struct problems *p;
	int env; /* stack index of the environment table */
};

static const char *kind_name(lua_State *L, int idx)
{
	return lua_typename(L, lua_type(L, idx));
}

/* Pushes env[key] (or table[key] for a nested path) without triggering __index. */
static void get_setting(struct ctx *c, int table, const char *key)
{
	lua_pushstring(c->L, key);
	lua_rawget(c->L, table);
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno != 0 || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	double mul = 1;
	if (*end == '\0' || strcmp(end, "B") == 0)
		mul = 1;
	else if (strcmp(end, "KiB") == 0 || strcmp(end, "KB") == 0 || strcmp(end, "K") == 0)
		mul = 1024.0;
	else if (strcmp(end, "MiB") == 0 || strcmp(end, "MB") == 0 || strcmp(end, "M") == 0)
		mul = 1024.0 * 1024;
	else if (strcmp(end, "GiB") == 0 || strcmp(end, "GB") == 0 || strcmp(end, "G") == 0)
		mul = 1024.0 * 1024 * 1024;
	else
		return -1;
	v *= mul;
	if (v > (double)SIZE_MAX / 2)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Reads an optional size (bytes as a number, or "16KiB", "1MiB", "2GiB"); keeps *out if unset. */
static void opt_size(struct ctx *c, int table, const char *path, const char *key, int line, size_t min,
                     size_t *out)
{
	if (table != c->env)
		line = nested_line(line, key);
	get_setting(c, table, key);
	lua_State *L = c->L;
	size_t v = 0;
	int ok = 0;
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0) {
		v = (size_t)lua_tointeger(L, -1);
		ok = 1;
	} else if (lua_type(L, -1) == LUA_TSTRING) {
		ok = parse_size(lua_tostring(L, -1), &v) == 0;
	}
	if (!ok)
		problem(c->p, "%s:%d: %s: expected a size such as 1048576 or \"1MiB\", got %s%s%s%s", c->file, line,
		        path, kind_name(L, -1), lua_type(L, -1) == LUA_TSTRING ? " \"" : "",
		        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "",
		        lua_type(L, -1) == LUA_TSTRING ? "\"" : "");
	else if (v < min)
		problem(c->p, "%s:%d: %s: expected at least %zu bytes, got %zu", c->file, line, path, min, v);
	else
		*out = v;
	lua_pop(L, 1);
}

static void opt_uint(struct ctx *c, int table, const char *path, const char *key, int line, uint64_t min,
                     uint64_t max, uint64_t *out)
{
	if (table != c->env)
		line = nested_line(line, key);
	lua_State *L = c->L;
	get_setting(c, table, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_isinteger(L, -1))
		problem(c->p, "%s:%d: %s: expected a whole number, got %s", c->file, line, path, kind_name(L, -1));
	else if (lua_tointeger(L, -1) < (lua_Integer)min || (uint64_t)lua_tointeger(L, -1) > max)
		problem(c->p, "%s:%d: %s: expected a number from %llu to %llu, got %lld", c->file, line, path,
		        (unsigned long long)min, (unsigned long long)max, (long long)lua_tointeger(L, -1));
	else
		*out = (uint64_t)lua_tointeger(L, -1);
	lua_pop(L, 1);
}

static void opt_bool(struct ctx *c, int table, const char *path, const char *key, int line, int *out)
{
	if (table != c->env)
		line = nested_line(line, key);
	lua_State *L = c->L;
	get_setting(c, table, key);
	if (!lua_isnil(L, -1)) {
		if (!lua_isboolean(L, -1))
			problem(c->p, "%s:%d: %s: expected true or false, got %s", c->file, line, path,
			        kind_name(L, -1));
		else
			*out = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
}

/* A string setting; \p allow_false lets `false` mean "none" (*out becomes NULL). */
static void opt_string(struct ctx *c, int table, const char *path, const char *key, int line, int allow_false,
                       char **out)
{
	if (table != c->env)
		line = nested_line(line, key);
	lua_State *L = c->L;
	get_setting(c, table, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (allow_false && lua_isboolean(L, -1) && !lua_toboolean(L, -1)) {
		free(*out);
		*out = NULL;
	} else if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) == 0) {
		problem(c->p, "%s:%d: %s: expected %s, got %s", c->file, line, path,
		        allow_false ? "text in quotes or false" : "text in quotes", kind_name(L, -1));
	} else {
		free(*out);
		*out = strdup(lua_tostring(L, -1));
	}
	lua_pop(L, 1);
}

/* Reports every key of the table at \p table that is not in \p known (NULL-terminated). */
static void unknown_keys(struct ctx *c, int table, const char *prefix, const char *const *known, int line)
{
	lua_State *L = c->L;
	lua_pushnil(L);
	while (lua_next(L, table)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			problem(c->p, "%s:%d: %s: unexpected entry with a %s key", c->file, line, prefix[0] ? prefix : "file",
			        kind_name(L, -1));
			continue;
		}
		const char *k = lua_tostring(L, -1);
		int found = 0;
		for (const char *const *kk = known; *kk; kk++)
			found |= strcmp(*kk, k) == 0;
		if (!found) {
			int l = prefix[0] ? nested_line(line, k) : line_of(L, k);
			char list[512] = "";
			for (const char *const *kk = known; *kk; kk++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", kk == known ? "" : ", ", *kk);
			problem(c->p, "%s:%d: unknown setting '%s%s%s' (known: %s)", c->file, l, prefix, prefix[0] ? "." : "",
			        k, list);
		}
	}
}

/* A nested table setting such as limits = {...}: pushes it (or nil), returns 1 if it is a table. */
static int open_table(struct ctx *c, const char *key, int *line)
{
	lua_State *L = c->L;
	*line = line_of(L, key);
	get_setting(c, c->env, key);
	if (lua_isnil(L, -1))
		return 0;
	if (!lua_istable(L, -1)) {
		problem(c->p, "%s:%d: %s: expected a table { ... }, got %s", c->file, *line, key, kind_name(L, -1));
		return 0;
	}
	return 1;
}

/* ---- Lua values to JSON (plugin settings) ------------------------------------------------------------ */

static cJSON *to_json(struct ctx *c, int idx, const char *path, int line, int depth);

static int is_sequence(lua_State *L, int idx, size_t *n)
{
	size_t count = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1)) {
			lua_pop(L, 1);
			return 0;
		}
		count++;
	}
	*n = count;
	return count == lua_rawlen(L, idx);
}

static cJSON *to_json(struct ctx *c, int idx, const char *path, int line, int depth)
{
	lua_State *L = c->L;
	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		return cJSON_CreateBool(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		return cJSON_CreateNumber(lua_tonumber(L, idx));
	case LUA_TSTRING:
		return cJSON_CreateString(lua_tostring(L, idx));
	case LUA_TTABLE: {
		if (depth > 16) {
			problem(c->p, "%s:%d: %s: nested too deeply", c->file, line, path);
			return NULL;
		}
		size_t n;
		if (is_sequence(L, idx, &n) && n > 0) {
			cJSON *arr = cJSON_CreateArray();
			for (size_t i = 1; i <= n; i++) {
				char sub[256];
				snprintf(sub, sizeof sub, "%s[%zu]", path, i);
				lua_rawgeti(L, idx, (lua_Integer)i);
				cJSON *item = to_json(c, -1, sub, line, depth + 1);
				lua_pop(L, 1);
				if (item)
					cJSON_AddItemToArray(arr, item);
			}
			return arr;
		}
		cJSON *obj = cJSON_CreateObject();
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			if (lua_type(L, -2) != LUA_TSTRING) {
				problem(c->p, "%s:%d: %s: mixes a list with named entries (keys must all be names, or the "
				        "table a plain list)", c->file, line, path);
				lua_pop(L, 1);
				continue;
			}
			const char *k = lua_tostring(L, -2);
			char sub[256];
			snprintf(sub, sizeof sub, "%s.%s", path, k);
			cJSON *item = to_json(c, -1, sub, line, depth + 1);
			if (item)
				cJSON_AddItemToObject(obj, k, item);
			lua_pop(L, 1);
		}
		return obj;
	}
	default:
		problem(c->p, "%s:%d: %s: expected text, a number, true/false or a table, got %s", c->file, line, path,
		        kind_name(L, idx));
		return NULL;
	}
}

/* ---- The server file --------------------------------------------------------------------------------- */

static const char *const server_keys[] = {"listen", "tls_certificate", "key_file", "plain_http", "data_dir", "plugins_dir",
                                          "tenants_dir", "access_log", "threads", "limits", NULL};
static const char *const thread_keys[] = {"http", "bus", NULL};
static const char *const limit_keys[] = {"max_body", "max_header", "request_timeout", "db_max_size",
                                         "lua_memory", "lua_instructions", "lua_load_instructions",
                                         "lua_max_string", NULL};

static void set_defaults(struct vocd_config *cfg)
{
	cfg->listen = strdup("127.0.0.1:8443");
	cfg->data_dir = strdup("data");
	cfg->key_file = strdup("keys/master.key");
	cfg->plugins_dir = strdup(VOCD_SOURCE_DIR "/plugins");
	cfg->access_log = strdup("access.log");
	cfg->http_threads = 16;
	cfg->bus_threads = 2;
	cfg->limits.max_body = 1024 * 1024;
	cfg->limits.max_header = 16 * 1024;
	cfg->limits.request_timeout_ms = 30000;
	cfg->limits.db_max_size = (size_t)16 << 30;
	cfg->limits.lua_memory = 32 << 20;
	cfg->limits.lua_instructions = 10000000;
	cfg->limits.lua_load_instructions = 50000000;
	cfg->limits.lua_max_string = 4 << 20;
}

int vocd_listen_valid(const char *listen)
{
	const char *colon = listen ? strrchr(listen, ':') : NULL;
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	return colon && colon != listen && colon[1] != '\0' && *end == '\0' && port >= 0 && port <= 65535;
}

static void valid_listen(struct ctx *c, const char *listen, int line)
{
	if (!vocd_listen_valid(listen))
		problem(c->p, "%s:%d: listen: expected \"HOST:PORT\" such as \"127.0.0.1:8443\", got \"%s\"", c->file,
		        line, listen);
}

static void read_server(struct ctx *c, struct vocd_config *cfg)
{
	lua_State *L = c->L;
	unknown_keys(c, c->env, "", server_keys, 0);
	opt_string(c, c->env, "listen", "listen", line_of(L, "listen"), 0, &cfg->listen);
	valid_listen(c, cfg->listen, line_of(L, "listen"));
	opt_string(c, c->env, "tls_certificate", "tls_certificate", line_of(L, "tls_certificate"), 1, &cfg->tls_cert);
	opt_string(c, c->env, "key_file", "key_file", line_of(L, "key_file"), 0, &cfg->key_file);
	opt_bool(c, c->env, "plain_http", "plain_http", line_of(L, "plain_http"), &cfg->plain_http);
	opt_string(c, c->env, "data_dir", "data_dir", line_of(L, "data_dir"), 0, &cfg->data_dir);
	opt_string(c, c->env, "plugins_dir", "plugins_dir", line_of(L, "plugins_dir"), 0, &cfg->plugins_dir);
	opt_string(c, c->env, "tenants_dir", "tenants_dir", line_of(L, "tenants_dir"), 0, &cfg->tenants_dir);
	opt_string(c, c->env, "access_log", "access_log", line_of(L, "access_log"), 1, &cfg->access_log);

	int line;
	if (open_table(c, "threads", &line)) {
		int t = lua_gettop(L);
		uint64_t v;
		unknown_keys(c, t, "threads", thread_keys, line);
		v = cfg->http_threads;
		opt_uint(c, t, "threads.http", "http", line, 2, 1024, &v);
		cfg->http_threads = (unsigned)v;
		v = cfg->bus_threads;
		opt_uint(c, t, "threads.bus", "bus", line, 1, 64, &v);
		cfg->bus_threads = (unsigned)v;
	}
	lua_settop(L, c->env);
	if (open_table(c, "limits", &line)) {
		int t = lua_gettop(L);
		struct vocd_limits *lim = &cfg->limits;
		uint64_t v;
		unknown_keys(c, t, "limits", limit_keys, line);
		opt_size(c, t, "limits.max_body", "max_body", line, 1024, &lim->max_body);
		opt_size(c, t, "limits.max_header", "max_header", line, 1024, &lim->max_header);
		v = lim->request_timeout_ms / 1000;
		opt_uint(c, t, "limits.request_timeout", "request_timeout", line, 1, 3600, &v);
		lim->request_timeout_ms = (unsigned)v * 1000;
		opt_size(c, t, "limits.db_max_size", "db_max_size", line, 1 << 20, &lim->db_max_size);
		opt_size(c, t, "limits.lua_memory", "lua_memory", line, 256 * 1024, &lim->lua_memory);
		opt_uint(c, t, "limits.lua_instructions", "lua_instructions", line, 1000, UINT64_C(1) << 40,
		         &lim->lua_instructions);
		opt_uint(c, t, "limits.lua_load_instructions", "lua_load_instructions", line, 1000,
		         UINT64_C(1) << 40, &lim->lua_load_instructions);
		opt_size(c, t, "limits.lua_max_string", "lua_max_string", line, 1024, &lim->lua_max_string);
	}
	lua_settop(L, c->env);
}

/* ---- Tenant files -------------------------------------------------------------------------------------- */

static const char *const kinds[] = {"channel", "workflow", "incentive", "report", NULL};

/* "channels/web" -> kind "channel", name "web". */
static int split_plugin_name(const char *full, char **kind, char **name)
{
	const char *slash = strchr(full, '/');
	if (!slash || slash == full || slash[1] == '\0' || strchr(slash + 1, '/'))
		return -1;
	size_t klen = (size_t)(slash - full);
	if (full[klen - 1] != 's')
		return -1;
	for (const char *const *k = kinds; *k; k++) {
		if (strlen(*k) == klen - 1 && strncmp(*k, full, klen - 1) == 0) {
			for (const char *s = slash + 1; *s; s++)
				if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') && *s != '_' && *s != '-')
					return -1;
			*kind = strdup(*k);
			*name = strdup(slash + 1);
			return 0;
		}
	}
	return -1;
}

/* Settings of a tenant file; each later capability adds its own (survey, calendar, ...). */
static const char *const tenant_keys[] = {"name",   "plugins", "survey",       "invitations", "calendar",
                                          "people", "tickets", "organisation", "privacy",     "authenticity",
                                          "analysis", "reports", NULL};
static const char *const invitation_keys[] = {"expires_days", "expires_after", "min_days_between", "survey_url",
                                              "remind_after", "remind_channel", "correction_hours", NULL};

/* "72h", "30m", "45s", "2d" -> milliseconds; -1 when it is not such a duration. */
static int64_t parse_duration(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v <= 0 || v > 366 * 24 * 3600)
		return -1;
	static const struct { char unit; int64_t ms; } units[] = {{'s', 1000}, {'m', 60000}, {'h', 3600000}, {'d', 86400000}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (end[0] == units[i].unit && end[1] == '\0')
			return (int64_t)v * units[i].ms;
	return -1;
}

/* A setting that a module of its own reads from JSON (calendar_conf.c, people.c, ticket_conf.c); a problem is
 * reported at the line of the part its message names ("calendar.holidays[2]: ..." at `holidays =`). */
typedef int (*setting_reader)(const cJSON *setting, void *out, char *why, size_t why_len);

static void read_setting(struct ctx *c, const char *key, setting_reader read, void *out)
{
	int line = line_of(c->L, key);
	get_setting(c, c->env, key);
	cJSON *setting = lua_isnil(c->L, -1) ? NULL : to_json(c, -1, key, line, 0);
	lua_pop(c->L, 1);
	char why[400], fmt[32], part[130] = "";
	if (read(setting, out, why, sizeof why) != 0) {
		snprintf(fmt, sizeof fmt, "%s.%%129[A-Za-z0-9_.-]", key);
		sscanf(why, fmt, part);
		char *dot = strchr(part, '.');
		if (dot)
			*dot = '\0';
		problem(c->p, "%s:%d: %s", c->file, part[0] ? nested_line(line, part) : line, why);
	}
	cJSON_Delete(setting);
}

static int read_calendar(const cJSON *s, void *out, char *why, size_t wl)
{
	return vocd_calendar_parse(s, out, why, wl);
}

static int read_organisation(const cJSON *s, void *out, char *why, size_t wl)
{
	return vocd_org_parse(s, out, why, wl);
}

/* People after the organisation: a person's scope must be one of its units. */
static int read_people(const cJSON *s, void *out, char *why, size_t wl)
{
	struct vocd_tenant_conf *t = out;
	int rc = vocd_people_parse(s, &t->people, why, wl);
	for (size_t i = 0; rc == 0 && i < t->people.n; i++) {
		const struct vocd_person *p = &t->people.list[i];
		if (p->scope && vocd_org_find(&t->org, p->scope) < 0)
			rc = vocd_config_error(why, wl, "people.%s.scope: \"%s\" is not a unit of the organisation tree "
			                       "(organisation = { … })", p->id, p->scope);
	}
	return rc;
}

static int read_tickets(const cJSON *s, void *out, char *why, size_t wl)
{
	return vocd_tickets_conf_parse(s, out, why, wl);
}

static int read_privacy(const cJSON *s, void *out, char *why, size_t wl)
{
	return vocd_privacy_conf_parse(s, out, why, wl);
}

static int read_authenticity(const cJSON *s, void *out, char *why, size_t wl)
{
	return vocd_authenticity_conf_parse(s, out, why, wl);
}

static int read_analysis(const cJSON *s, void *out, char *why, size_t wl)
{
	return vocd_analysis_conf_parse(s, out, why, wl);
}

/* Scheduled reports after the plugins: the format and channel they name must be enabled. */
static int read_reports(const cJSON *s, void *out, char *why, size_t wl)
{
	struct vocd_tenant_conf *t = out;
	return vocd_report_schedules_parse(s, t, &t->reports, why, wl);
}

static void read_plugins(struct ctx *c, struct vocd_tenant_conf *t);

static void read_tenant(struct ctx *c, struct vocd_tenant_conf *t)
{
	lua_State *L = c->L;
	t->settings = cJSON_CreateObject();
	unknown_keys(c, c->env, "", tenant_keys, 0);

	int survey_line = line_of(L, "survey");
	get_setting(c, c->env, "survey");
	cJSON *survey = lua_isnil(L, -1) ? NULL : to_json(c, -1, "survey", survey_line, 0);
	lua_pop(L, 1);
	char survey_at[PATH_MAX + 16];
	snprintf(survey_at, sizeof survey_at, "%s:%d", c->file, survey_line);
	if (vocd_surveys_parse(survey, survey_at, &t->surveys, c->p->buf, c->p->cap) != 0) {
		c->p->count++;
		c->p->len = c->p->cap ? strlen(c->p->buf) : 0;
	}
	cJSON_Delete(survey);

	t->invitations.expires_days = 7;
	t->invitations.min_days_between = 0;
	t->invitations.correction_hours = 24;
	int inv_line;
	if (open_table(c, "invitations", &inv_line)) {
		int it = lua_gettop(L);
		uint64_t v;
		unknown_keys(c, it, "invitations", invitation_keys, inv_line);
		v = t->invitations.expires_days;
		opt_uint(c, it, "invitations.expires_days", "expires_days", inv_line, 1, 365, &v);
		t->invitations.expires_days = (unsigned)v;
		v = t->invitations.min_days_between;
		opt_uint(c, it, "invitations.min_days_between", "min_days_between", inv_line, 0, 365, &v);
		t->invitations.min_days_between = (unsigned)v;
		opt_string(c, it, "invitations.survey_url", "survey_url", inv_line, 0, &t->invitations.base_url);
		char *after = NULL;
		opt_string(c, it, "invitations.expires_after", "expires_after", inv_line, 0, &after);
		if (after && (t->invitations.expires_after_ms = parse_duration(after)) < 0)
			problem(c->p, "%s:%d: invitations.expires_after: expected a duration such as \"48h\" or \"2d\", got \"%s\"",
			        c->file, nested_line(inv_line, "expires_after"), after);
		get_setting(c, it, "expires_days");
		if (after && !lua_isnil(L, -1))
			problem(c->p, "%s:%d: invitations: give expires_days or expires_after, not both", c->file,
			        nested_line(inv_line, "expires_after"));
		lua_pop(L, 1);
		free(after);
		after = NULL;
		opt_string(c, it, "invitations.remind_after", "remind_after", inv_line, 0, &after);
		if (after && (t->invitations.remind_after_ms = parse_duration(after)) < 0)
			problem(c->p, "%s:%d: invitations.remind_after: expected a duration such as \"72h\", \"30m\" or \"2d\", got \"%s\"",
			        c->file, nested_line(inv_line, "remind_after"), after);
		free(after);
		opt_string(c, it, "invitations.remind_channel", "remind_channel", inv_line, 0, &t->invitations.remind_channel);
		v = t->invitations.correction_hours;
		opt_uint(c, it, "invitations.correction_hours", "correction_hours", inv_line, 0, 24 * 30, &v);
		t->invitations.correction_hours = (unsigned)v;
		const char *u = t->invitations.base_url;
		if (u && strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
			problem(c->p, "%s:%d: invitations.survey_url: expected an address starting with https://, got \"%s\"",
			        c->file, nested_line(inv_line, "survey_url"), u);
	}
	lua_settop(L, c->env);
	read_setting(c, "calendar", read_calendar, &t->calendar);
	read_setting(c, "organisation", read_organisation, &t->org);
	read_setting(c, "people", read_people, t);
	read_setting(c, "tickets", read_tickets, &t->tickets);
	read_setting(c, "privacy", read_privacy, &t->privacy);
	read_setting(c, "authenticity", read_authenticity, &t->authenticity);
	read_setting(c, "analysis", read_analysis, &t->analysis);

	opt_string(c, c->env, "name", "name", line_of(L, "name"), 0, &t->name);
	if (!t->name)
		t->name = strdup(t->id);
	read_plugins(c, t);
	read_setting(c, "reports", read_reports, t);
}

static void read_plugins(struct ctx *c, struct vocd_tenant_conf *t)
{
	lua_State *L = c->L;
	int line;
	if (!open_table(c, "plugins", &line)) {
		lua_settop(L, c->env);
		return;
	}
	int pt = lua_gettop(L);
	size_t n = 0;
	lua_pushnil(L);
	while (lua_next(L, pt)) {
		lua_pop(L, 1);
		n++;
	}
	t->plugins = calloc(n ? n : 1, sizeof *t->plugins);
	lua_pushnil(L);
	while (lua_next(L, pt)) {
		char where[PATH_MAX + 16];
		snprintf(where, sizeof where, "%s:%d", c->file, line);
		if (lua_type(L, -2) == LUA_TSTRING) {
			char written[200];
			snprintf(written, sizeof written, "[\"%s\"]", lua_tostring(L, -2));
			snprintf(where, sizeof where, "%s:%d", c->file, nested_line(line, written));
		}
		if (lua_type(L, -2) != LUA_TSTRING) {
			problem(c->p, "%s: plugins: each entry is [\"channels/NAME\"] = { settings }; got an entry "
			        "without a name (did you write a list?)", where);
			lua_pop(L, 1);
			continue;
		}
		const char *full = lua_tostring(L, -2);
		struct vocd_plugin_ref *ref = &t->plugins[t->nplugins];
		if (split_plugin_name(full, &ref->kind, &ref->name) != 0) {
			problem(c->p, "%s: plugins: \"%s\" is not a plugin name: expected \"channels/NAME\", "
			        "\"workflows/NAME\", \"incentives/NAME\" or \"reports/NAME\"", where, full);
			lua_pop(L, 1);
			continue;
		}
		char path[300];
		snprintf(path, sizeof path, "plugins[\"%s\"]", full);
		if (lua_isboolean(L, -1) && lua_toboolean(L, -1)) {
			ref->settings = cJSON_CreateObject();
		} else if (lua_istable(L, -1)) {
			ref->settings = to_json(c, -1, path, line, 0);
			if (ref->settings && cJSON_IsArray(ref->settings)) {
				problem(c->p, "%s: %s: expected named settings { key = value }, got a list", where, path);
				cJSON_Delete(ref->settings);
				ref->settings = NULL;
			}
		} else {
			problem(c->p, "%s: %s: expected a table of settings or true, got %s", where, path, kind_name(L, -1));
		}
		if (!ref->settings) {
			free(ref->kind);
			free(ref->name);
			ref->kind = ref->name = NULL;
			lua_pop(L, 1);
			continue;
		}
		ref->where = strdup(where);
		t->nplugins++;
		lua_pop(L, 1);
	}
	lua_settop(L, c->env);
}

/* ---- Loading ------------------------------------------------------------------------------------------- */

static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return -1;
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* Loads one tenant from text; adds it to cfg on success. */
static void load_tenant(struct vocd_config *cfg, const char *id, const char *display, const char *text, size_t len,
                        struct problems *p)
{
	if (!vocd_tenant_id_valid(id)) {
		problem(p, "%s: the file name is the tenant id, and \"%s\" is not a valid one: use 1-64 lower-case "
		        "letters, digits, '-' or '_'", display, id);
		return;
	}
	lua_State *L = luaL_newstate();
	if (!L) {
		problem(p, "%s: out of memory", display);
		return;
	}
	current_text = text;
	if (run_file(L, display, text, len, p) == 0) {
		struct ctx c = {L, display, p, lua_gettop(L)};
		struct vocd_tenant_conf *nt = realloc(cfg->tenants, (cfg->ntenants + 1) * sizeof *nt);
		if (nt) {
			cfg->tenants = nt;
			struct vocd_tenant_conf *t = &nt[cfg->ntenants];
			memset(t, 0, sizeof *t);
			t->id = strdup(id);
			t->file = strdup(display);
			t->text = strndup(text, len);
			read_tenant(&c, t);
			cfg->ntenants++;
		}
	}
	current_text = NULL;
	lua_close(L);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_tenants_dir(struct vocd_config *cfg, const char *dir, struct problems *p)
{
	DIR *d = opendir(dir);
	if (!d) {
		problem(p, "%s: cannot read the tenants directory: %s", dir, strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".lua") == 0 && e->d_name[0] != '.') {
			char **nn = realloc(names, (n + 1) * sizeof *names);
			if (!nn)
				break;
			names = nn;
			names[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		char *text;
		size_t len;
		if (read_file(path, &text, &len) != 0) {
			problem(p, "%s: cannot read: %s", path, strerror(errno));
		} else {
			names[i][strlen(names[i]) - 4] = '\0';
			load_tenant(cfg, names[i], path, text, len, p);
			free(text);
		}
		free(names[i]);
	}
	free(names);
	if (cfg->ntenants == 0 && p->count == 0)
		problem(p, "%s: no tenant files (<id>.lua) found", dir);
}

static int load_server(struct vocd_config *cfg, const char *display, const char *text, size_t len, struct problems *p)
{
	lua_State *L = luaL_newstate();
	if (!L)
		return VOCD_ENOMEM;
	current_text = text;
	if (run_file(L, display, text, len, p) == 0) {
		struct ctx c = {L, display, p, lua_gettop(L)};
		read_server(&c, cfg);
	}
	current_text = NULL;
	lua_close(L);
	return 0;
}

int vocd_config_load(struct vocd_config **out, const char *file, char *err, size_t errlen)
{
	struct problems p = {err, 0, errlen, 0};
	if (errlen)
		err[0] = '\0';
	struct vocd_config *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return VOCD_ENOMEM;
	set_defaults(cfg);

	if (file == NULL) {
		cfg->file = strdup("(embedded) conf/vocd.lua");
		for (const struct vocd_embedded_file *f = vocd_embedded_files; f->path; f++) {
			char display[256];
			snprintf(display, sizeof display, "(embedded) %s", f->path);
			if (strcmp(f->path, "conf/vocd.lua") == 0) {
				load_server(cfg, display, f->text, f->len, &p);
			} else if (strncmp(f->path, "conf/tenants/", 13) == 0) {
				char id[128];
				snprintf(id, sizeof id, "%s", f->path + 13);
				char *dot = strrchr(id, '.');
				if (dot)
					*dot = '\0';
				load_tenant(cfg, id, display, f->text, f->len, &p);
			}
		}
	} else {
		cfg->file = strdup(file);
		char *text;
		size_t len;
		if (read_file(file, &text, &len) != 0) {
			problem(&p, "%s: cannot read: %s", file, strerror(errno));
		} else {
			load_server(cfg, file, text, len, &p);
			free(text);
			if (!cfg->tenants_dir) {
				char dir[PATH_MAX];
				snprintf(dir, sizeof dir, "%s", file);
				char *slash = strrchr(dir, '/');
				if (slash)
					snprintf(slash + 1, sizeof dir - (size_t)(slash + 1 - dir), "tenants");
				else
					snprintf(dir, sizeof dir, "tenants");
				cfg->tenants_dir = strdup(dir);
			}
			/* Tenants are read even when the server file has problems: all mistakes in one report. */
			load_tenants_dir(cfg, cfg->tenants_dir, &p);
		}
	}
	if (p.count > 0) {
		vocd_config_free(cfg);
		return VOCD_ECONFIG;
	}
	*out = cfg;
	return 0;
}

void vocd_config_free(struct vocd_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->ntenants; i++) {
		struct vocd_tenant_conf *t = &cfg->tenants[i];
		for (size_t j = 0; j < t->nplugins; j++) {
			free(t->plugins[j].kind);
			free(t->plugins[j].name);
			free(t->plugins[j].where);
			cJSON_Delete(t->plugins[j].settings);
		}
		free(t->plugins);
		free(t->id);
		free(t->name);
		free(t->file);
		free(t->text);
		cJSON_Delete(t->settings);
		vocd_surveys_free(&t->surveys);
		vocd_calendar_conf_free(&t->calendar);
		vocd_people_free(&t->people);
		vocd_org_free(&t->org);
		vocd_tickets_conf_free(&t->tickets);
		vocd_authenticity_conf_free(&t->authenticity);
		vocd_analysis_conf_free(&t->analysis);
		vocd_report_schedules_free(&t->reports);
		free(t->invitations.base_url);
		free(t->invitations.remind_channel);
	}
	free(cfg->tenants);
	free(cfg->file);
	free(cfg->listen);
	free(cfg->tls_cert);
	free(cfg->key_file);
	free(cfg->data_dir);
	free(cfg->plugins_dir);
	free(cfg->tenants_dir);
	free(cfg->access_log);
	free(cfg);
}

const struct vocd_tenant_conf *vocd_config_tenant(const struct vocd_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->ntenants; i++)
		if (strcmp(cfg->tenants[i].id, id) == 0)
			return &cfg->tenants[i];
	return NULL;
}

int vocd_tenant_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > 64 || id[0] == '-' || id[0] == '_')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(id[i] >= 'a' && id[i] <= 'z') && !(id[i] >= '0' && id[i] <= '9') && id[i] != '-' && id[i] != '_')
			return 0;
	return 1;
}

/* Plugin host: loads plugins/<kind>s/<name>/ for each tenant that enables it, validates the tenant's
 * settings, runs hooks in one sandboxed state per (tenant, plugin), and swaps whole plugin sets on
 * reload.
 *
 * Concurrency: each instance (tenant, plugin) owns one Lua state guarded by its own mutex, so calls to
 * one tenant's plugin are serialised while other tenants and plugins run in parallel. The active set is
 * reference-counted: callers take a reference under the host mutex, reload swaps the pointer and the
 * old set is freed by whoever drops its last reference. */
#include "plugin.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "error.h"
#include "ids.h"
#include "log.h"
#include "luahost.h"
#include "plugin_api.h"
#include "plugin_schema.h"
#include "rules.h"
#include "validate.h"

#define FILE_MAX (1u << 20)

struct pdef {
	char *kind, *name, *label; /* "workflow", "escalate", "workflows/escalate" */
	char *code_file, *schema_file;
	char *code;
	size_t codelen;
	cJSON *schema;
	char version[32];
};

struct pinst;

struct sub {
	struct pinst *in;
	char *topic;
	char *name;
	int active;
};

struct last_error {
	int set;
	char hook[128];
	char file[512];
	int line;
	char message[1024];
	int64_t time;
};

struct pinst {
	pthread_mutex_t mu;      /* guards the state */
	pthread_mutex_t stat_mu; /* guards errors and last (status must not wait for a running hook) */
	struct pdef *def;
	vocd_plugins *host;      /* NULL when only checking */
	char *tenant, *rec_type, *where;
	cJSON *settings;
	struct vocd_plugin_ctx ctx;
	struct vocd_luahost_limits lim;
	vocd_luahost *lh;
	cJSON *hooks, *handles;
	cJSON *rule_spec;        /* a workflow plugin's `rule` (or `rules`), as a JSON list */
	struct vocd_rule **rules; /* ... compiled for its tenant */
	size_t nrules;
	struct sub *subs;
	size_t nsubs;
	unsigned long errors;
	struct last_error last;
};

/* The workflow rules of one tenant, by label: what the core's workflow subscriber runs per event. */
struct tenant_rules {
	const char *tenant;
	const struct vocd_rule **rules;
	size_t n;
};

struct pset {
	int refs;
	struct pdef **defs;
	size_t ndefs;
	struct pinst **insts;
	size_t ninsts;
	struct tenant_rules *rules; /* sorted by tenant */
	size_t nrules;
};

struct vocd_plugins {
	pthread_mutex_t mu;        /* guards cur and the sets' refs */
	pthread_mutex_t reload_mu; /* one reload at a time */
	struct pset *cur;
	vocd_store *st;
	vocd_bus *bus;
	vocd_pii *pii;             /* for channel plugins' vocd.contact; set once before serving */
	atomic_ulong errors;
};

/* ---- Messages ------------------------------------------------------------------------------------ */

struct ebuf {
	char *buf;
	size_t len, used;
	int n;
};

static void eadd(struct ebuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void eadd(struct ebuf *e, const char *fmt, ...)
{
	e->n++;
	if (e->buf == NULL || e->len == 0 || e->used + 1 >= e->len)
		return;
	if (e->used > 0)
		e->buf[e->used++] = '\n';
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->buf + e->used, e->len - e->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		e->used += (size_t)n < e->len - e->used ? (size_t)n : e->len - e->used - 1;
	e->buf[e->used] = '\0';
}

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *dupf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* ---- Plugin definitions (code and schema, shared by the tenants of one set) ---------------------- */

static int read_file(const char *path, char **out, size_t *len)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return VOCD_ENOTFOUND;
	char *buf = malloc(FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return VOCD_ENOMEM;
	}
	size_t n = fread(buf, 1, FILE_MAX + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || n > FILE_MAX) {
		free(buf);
		return bad ? VOCD_EIO : VOCD_ETOOBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void def_free(struct pdef *d)
{
	if (d == NULL)
		return;
	free(d->kind);
	free(d->name);
	free(d->label);
	free(d->code_file);
	free(d->schema_file);
	free(d->code);
	cJSON_Delete(d->schema);
	free(d);
}

static int valid_kind(const char *k)
{
	static const char *const kinds[] = {"channel", "workflow", "incentive", "report", NULL};
	for (const char *const *p = kinds; k != NULL && *p != NULL; p++)
		if (strcmp(k, *p) == 0)
			return 1;
	return 0;
}

struct data_job {
	cJSON **out;
	int rc;
	char msg[256];
};

/* Converts the value the file returned (argument 2), inside a protected call. */
static int data_tramp(lua_State *L)
{
	struct data_job *j = lua_touserdata(L, 1);
	j->rc = vocd_lua_to_json(L, 2, j->out, j->msg, sizeof j->msg);
	return 0;
}

int vocd_plugins_data_file(const char *path, const struct vocd_luahost_limits *lim, cJSON **out, char *err,
                           size_t errlen)
{
	char *text;
	size_t len;
	*out = NULL;
	int rc = read_file(path, &text, &len);
	if (rc != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, vocd_strerror(rc));
		return rc == VOCD_ENOMEM ? rc : VOCD_ECONFIG;
	}
	vocd_luahost *h;
	rc = vocd_luahost_new(&h, lim);
	if (rc != 0) {
		free(text);
		return rc;
	}
	rc = vocd_luahost_load(h, text, len, path);
	free(text);
	if (rc != 0) {
		const struct vocd_luahost_error *le = vocd_luahost_last_error(h);
		snprintf(err, errlen, "%s:%d: %s", le->file[0] ? le->file : path, le->line, le->message);
		vocd_luahost_free(h);
		return VOCD_ECONFIG;
	}
	struct data_job j = {out, 0, ""};
	rc = vocd_luahost_pcall(h, data_tramp, &j, 1, 0);
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, vocd_luahost_last_error(h)->message);
	vocd_luahost_free(h);
	if (rc != 0)
		return VOCD_ECONFIG;
	if (j.rc != 0) {
		snprintf(err, errlen, "%s: %s", path, j.msg);
		return j.rc == VOCD_ENOMEM ? j.rc : VOCD_ECONFIG;
	}
	return 0;
}

/* Runs schema.lua in a scratch sandbox and checks the table it returns. */
static int load_schema(struct pdef *d, const struct vocd_luahost_limits *lim, struct ebuf *e)
{
	char err[2048];
	int rc = vocd_plugins_data_file(d->schema_file, lim, &d->schema, err, sizeof err);
	if (rc != 0) {
		eadd(e, "plugin %s: %s", d->label, err);
		return rc;
	}
	rc = vocd_schema_check(d->schema, d->schema_file, err, sizeof err);
	if (rc != 0) {
		eadd(e, "plugin %s: %s", d->label, err);
		return VOCD_ECONFIG;
	}
	return 0;
}

static int def_load(const struct vocd_config *cfg, const char *kind, const char *name,
                    const struct vocd_luahost_limits *lim, struct pdef **out, struct ebuf *e)
{
	*out = NULL;
	struct pdef *d = calloc(1, sizeof *d);
	if (d == NULL)
		return VOCD_ENOMEM;
	const char *dir = cfg->plugins_dir != NULL ? cfg->plugins_dir : "plugins";
	d->kind = strdup(kind);
	d->name = strdup(name);
	d->label = dupf("%ss/%s", kind, name);
	d->code_file = dupf("%s/%ss/%s/plugin.lua", dir, kind, name);
	d->schema_file = dupf("%s/%ss/%s/schema.lua", dir, kind, name);
	if (!d->kind || !d->name || !d->label || !d->code_file || !d->schema_file) {
		def_free(d);
		return VOCD_ENOMEM;
	}
	int rc = read_file(d->code_file, &d->code, &d->codelen);
	if (rc != 0) {
		eadd(e, "plugin %s: cannot read %s: %s", d->label, d->code_file, vocd_strerror(rc));
		def_free(d);
		return rc == VOCD_ENOMEM ? rc : VOCD_ECONFIG;
	}
	rc = load_schema(d, lim, e);
	if (rc != 0) {
		def_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* ---- Instances ----------------------------------------------------------------------------------- */

static int version_valid(const char *v)
{
	int parts = 0;
	while (*v) {
		if (*v < '0' || *v > '9')
			return 0;
		while (*v >= '0' && *v <= '9')
			v++;
		parts++;
		if (*v == '.' && parts < 3)
			v++;
		else if (*v != '\0')
			return 0;
	}
	return parts == 3;
}

struct shape_job {
	struct pdef *d;
	char *msg;
	size_t msglen;
	int rc;
	cJSON **rule; /* where a workflow plugin's `rule` goes as JSON (NULL: not wanted) */
	int audience; /* an incentive plugin's `audience` (enum vocd_audience) */
};

static int shape_tramp(lua_State *L)
{
	struct shape_job *j = lua_touserdata(L, 1);
	struct pdef *d = j->d;
	if (lua_type(L, 2) != LUA_TTABLE) {
		snprintf(j->msg, j->msglen, "%s: expected the file to return a table {version = \"x.y.z\", api = %d}, got %s",
		         d->code_file, VOCD_PLUGIN_API_VERSION, luaL_typename(L, 2));
		return 0;
	}
	lua_pushliteral(L, "version");
	if (lua_rawget(L, 2) != LUA_TSTRING || !version_valid(lua_tostring(L, -1))) {
		snprintf(j->msg, j->msglen, "%s: version: expected a string \"x.y.z\" (like \"1.0.0\"), got %s",
		         d->code_file, lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
		return 0;
	}
	snprintf(d->version, sizeof d->version, "%s", lua_tostring(L, -1));
	lua_pushliteral(L, "api");
	if (lua_rawget(L, 2) != LUA_TNUMBER || !lua_isinteger(L, -1))
		snprintf(j->msg, j->msglen, "%s: api: expected the plugin API version it was written for (%d), got %s",
		         d->code_file, VOCD_PLUGIN_API_VERSION, luaL_typename(L, -1));
	else if (lua_tointeger(L, -1) != VOCD_PLUGIN_API_VERSION)
		snprintf(j->msg, j->msglen, "%s: api: written for plugin API %lld, this vocd provides API %d",
		         d->code_file, (long long)lua_tointeger(L, -1), VOCD_PLUGIN_API_VERSION);
	else
		j->rc = 0;
	if (j->rc == 0 && strcmp(d->kind, "incentive") == 0) {
		/* Whom it rewards decides what the core hands it: customer policies never see a score. */
		lua_pushliteral(L, "audience");
		const char *a = lua_rawget(L, 2) == LUA_TSTRING ? lua_tostring(L, -1) : "";
		j->audience = strcmp(a, "staff") == 0 ? VOCD_AUDIENCE_STAFF
		              : strcmp(a, "customers") == 0 ? VOCD_AUDIENCE_CUSTOMERS : VOCD_AUDIENCE_NONE;
		if (j->audience == VOCD_AUDIENCE_NONE) {
			snprintf(j->msg, j->msglen, "%s: audience: expected \"staff\" or \"customers\" (whom the policy rewards)",
			         d->code_file);
			j->rc = VOCD_ECONFIG;
		}
		return 0;
	}
	if (j->rc != 0 || !j->rule || strcmp(d->kind, "workflow") != 0)
		return 0;
	/* `rule = { … }`, or `rules = { { id = "…", … }, … }` for several: kept as a list. */
	lua_pushliteral(L, "rule");
	int one = lua_rawget(L, 2) != LUA_TNIL;
	lua_pushliteral(L, "rules");
	int many = lua_rawget(L, 2) != LUA_TNIL;
	if (!one && !many)
		return 0;
	if (one && many) {
		snprintf(j->msg, j->msglen, "%s: returns both rule and rules: write one rule = { … } or a list rules = { … }",
		         d->code_file);
		j->rc = VOCD_ECONFIG;
		return 0;
	}
	char why[256];
	cJSON *spec = NULL;
	int rc = vocd_lua_to_json(L, one ? -2 : -1, &spec, why, sizeof why);
	if (rc == 0 && one) {
		cJSON *list = cJSON_CreateArray();
		cJSON_AddItemToArray(list, spec);
		spec = list;
	}
	if (rc == 0 && !cJSON_IsArray(spec)) {
		snprintf(why, sizeof why, "expected a list of rules { { id = \"…\", on = …, when = …, actions = … }, … }");
		cJSON_Delete(spec);
		rc = VOCD_EINVAL;
	}
	if (rc != 0) {
		snprintf(j->msg, j->msglen, "%s: %s: %s (a rule is made of text, numbers, true/false and tables)",
		         d->code_file, one ? "rule" : "rules", why);
		j->rc = rc == VOCD_ENOMEM ? rc : VOCD_ECONFIG;
		return 0;
	}
	*j->rule = spec;
	return 0;
}

/* Creates the instance's state and runs plugin.lua in it. On failure the message is in \p msg. */
static int inst_open_state(struct pinst *in, char *msg, size_t msglen)
{
	struct pdef *d = in->def;
	vocd_luahost *h;
	int rc = vocd_luahost_new(&h, &in->lim);
	if (rc != 0) {
		snprintf(msg, msglen, "cannot create a Lua state: %s", vocd_strerror(rc));
		return rc;
	}
	vocd_luahost_set_userdata(h, in);
	rc = vocd_plugin_api_open(h, &in->ctx);
	if (rc != 0) {
		snprintf(msg, msglen, "cannot set up the plugin API: %s", vocd_strerror(rc));
		vocd_luahost_free(h);
		return rc;
	}
	rc = vocd_luahost_load(h, d->code, d->codelen, d->code_file);
	if (rc != 0) {
		const struct vocd_luahost_error *le = vocd_luahost_last_error(h);
		snprintf(msg, msglen, "%s:%d: %s%s", le->file[0] ? le->file : d->code_file, le->line,
		         rc == VOCD_ELIMIT ? "while loading: " : "", le->message);
		vocd_luahost_free(h);
		return VOCD_ECONFIG;
	}
	/* The shape: plugin.lua returns {version = "x.y.z", api = N}. Read raw, in a protected call. */
	struct shape_job j = {d, msg, msglen, VOCD_ECONFIG, in->rule_spec ? NULL : &in->rule_spec, VOCD_AUDIENCE_NONE};
	rc = vocd_luahost_pcall(h, shape_tramp, &j, 1, 0);
	if (rc != 0) {
		snprintf(msg, msglen, "%s: checking what the file returned: %s", d->code_file,
		         vocd_luahost_last_error(h)->message);
		vocd_luahost_free(h);
		return VOCD_ECONFIG;
	}
	cJSON *hooks = j.audience == VOCD_AUDIENCE_CUSTOMERS ? vocd_plugin_api_names(vocd_luahost_state(h), 0) : NULL;
	int hooked = cJSON_GetArraySize(hooks) > 0;
	cJSON_Delete(hooks);
	if (j.rc == 0 && hooked) {
		snprintf(msg, msglen, "%s: a customer reward policy may not hook events (vocd.hook): the core calls its "
		         "\"answer\" handler with each answer, without the scores (no inducement)", d->code_file);
		j.rc = VOCD_ECONFIG;
	}
	if (j.rc != 0) {
		vocd_luahost_free(h);
		return j.rc;
	}
	in->ctx.audience = j.audience;
	in->lh = h;
	return 0;
}

static void inst_free(struct pinst *in)
{
	if (in == NULL)
		return;
	vocd_luahost_free(in->lh);
	for (size_t i = 0; i < in->nsubs; i++) {
		free(in->subs[i].topic);
		free(in->subs[i].name);
	}
	free(in->subs);
	cJSON_Delete(in->hooks);
	cJSON_Delete(in->handles);
	cJSON_Delete(in->rule_spec);
	vocd_rules_free(in->rules, in->nrules);
	cJSON_Delete(in->settings);
	free(in->tenant);
	free(in->rec_type);
	free(in->where);
	pthread_mutex_destroy(&in->mu);
	pthread_mutex_destroy(&in->stat_mu);
	free(in);
}

/* The bus's longest subscriber name (a store id). */
#define SUB_NAME_MAX 128

/*
 * The bus subscriber name of a hook: "lua:<tenant>:<kind>s/<name>:<topic>". The bus stores the delivery
 * position under it, so it must be the same at every start. When it is too long for the bus (a 64-byte
 * tenant and a long topic), its head is kept and the rest replaced by "~" and a 64-bit FNV-1a hash of
 * the whole name, which is just as stable.
 */
static char *sub_name(const char *tenant, const char *label, const char *topic)
{
	char *full = dupf("lua:%s:%s:%s", tenant, label, topic);
	if (full == NULL || strlen(full) <= SUB_NAME_MAX)
		return full;
	uint64_t h = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)full; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ull;
	snprintf(full + SUB_NAME_MAX - 17, 18, "~%016llx", (unsigned long long)h);
	return full;
}

/* A workflow plugin's rules, compiled for its tenant: "workflows/<name>", or "workflows/<name>/<id>" for each
 * of a list. */
static int compile_rules(struct pinst *in, const struct vocd_tenant_conf *t, const char *prefix, struct ebuf *e)
{
	int n = cJSON_GetArraySize(in->rule_spec);
	in->rules = calloc(n > 0 ? (size_t)n : 1, sizeof *in->rules);
	if (!in->rules)
		return VOCD_ENOMEM;
	int i = 0;
	for (const cJSON *spec = in->rule_spec->child; spec; spec = spec->next, i++) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "id"));
		char label[200], why[1024];
		if (n > 1 && (!id || !vocd_name_valid(id))) {
			eadd(e, "%s%s: rules[%d].id: each rule of a list needs an id of a-z, 0-9, '_', '-' (\"agent\")", prefix,
			     in->def->code_file, i + 1);
			return VOCD_ECONFIG;
		}
		for (size_t k = 0; id && k < in->nrules; k++)
			if (strcmp(vocd_rule_label(in->rules[k]) + strlen(in->def->label) + 1, id) == 0) {
				eadd(e, "%s%s: rules[%d].id: \"%s\" is given twice", prefix, in->def->code_file, i + 1, id);
				return VOCD_ECONFIG;
			}
		if (id && n > 1)
			snprintf(label, sizeof label, "%s/%s", in->def->label, id);
		else
			snprintf(label, sizeof label, "%s", in->def->label);
		int rc = vocd_rule_compile(spec, label, t, &in->rules[in->nrules], why, sizeof why);
		if (rc != 0) {
			if (rc == VOCD_ECONFIG)
				eadd(e, "%s%s: %s%s", prefix, in->def->code_file, n > 1 ? "rules: " : "", why);
			return rc;
		}
		in->nrules++;
	}
	return 0;
}

static int inst_create(vocd_plugins *host, const struct vocd_config *cfg, const struct vocd_tenant_conf *t,
                       const struct vocd_plugin_ref *ref, struct pdef *d, struct pinst **out, struct ebuf *e)
{
	*out = NULL;
	struct pinst *in = calloc(1, sizeof *in);
	if (in == NULL)
		return VOCD_ENOMEM;
	pthread_mutex_init(&in->mu, NULL);
	pthread_mutex_init(&in->stat_mu, NULL);
	in->def = d;
	in->host = host;
	in->tenant = strdup(t->id);
	/* Kind and name: a channel and a workflow of the same name keep separate storage. */
	in->rec_type = dupf("plugin.%s", d->label);
	in->where = strdup(ref->where != NULL ? ref->where : (t->file != NULL ? t->file : t->id));
	if (!in->tenant || !in->rec_type || !in->where) {
		inst_free(in);
		return VOCD_ENOMEM;
	}
	in->lim = (struct vocd_luahost_limits){cfg->limits.lua_memory, cfg->limits.lua_instructions,
	                                       cfg->limits.lua_load_instructions, cfg->limits.lua_max_string};
	char prefix[256], err[4096];
	snprintf(prefix, sizeof prefix, "tenant %s, plugin %s: ", t->id, d->label);
	int rc = vocd_schema_validate(d->schema, ref->settings, prefix, in->where, &in->settings, err, sizeof err);
	if (rc != 0) {
		if (rc == VOCD_ECONFIG)
			eadd(e, "%s", err);
		inst_free(in);
		return rc;
	}
	in->ctx = (struct vocd_plugin_ctx){in->tenant, d->kind, d->name, in->rec_type, in->settings,
	                                   host != NULL ? host->st : NULL, host != NULL ? &host->pii : NULL,
	                                   t, d->version, VOCD_AUDIENCE_NONE};
	rc = inst_open_state(in, err, sizeof err);
	if (rc != 0) {
		eadd(e, "%s%s", prefix, err);
		inst_free(in);
		return rc == VOCD_ENOMEM ? rc : VOCD_ECONFIG;
	}
	lua_State *L = vocd_luahost_state(in->lh);
	in->hooks = vocd_plugin_api_names(L, 0);
	in->handles = vocd_plugin_api_names(L, 1);
	if (in->rule_spec) {
		rc = compile_rules(in, t, prefix, e);
		if (rc != 0) {
			inst_free(in);
			return rc;
		}
		/* A declarative rule is evaluated by the core: its state is not needed until something calls it. */
		if (cJSON_GetArraySize(in->hooks) == 0 && cJSON_GetArraySize(in->handles) == 0) {
			vocd_luahost_free(in->lh);
			in->lh = NULL;
		}
	}
	int n = cJSON_GetArraySize(in->hooks);
	in->subs = n > 0 ? calloc((size_t)n, sizeof *in->subs) : NULL;
	if (in->hooks == NULL || in->handles == NULL || (n > 0 && in->subs == NULL)) {
		inst_free(in);
		return VOCD_ENOMEM;
	}
	const cJSON *topic;
	cJSON_ArrayForEach(topic, in->hooks)
	{
		struct sub *s = &in->subs[in->nsubs++];
		s->in = in;
		s->topic = strdup(topic->valuestring);
		s->name = sub_name(in->tenant, d->label, topic->valuestring);
		if (s->topic == NULL || s->name == NULL) {
			inst_free(in);
			return VOCD_ENOMEM;
		}
	}
	*out = in;
	return 0;
}

static void note_failure(struct pinst *in, const char *hook, const char *file, int line, const char *message)
{
	pthread_mutex_lock(&in->stat_mu);
	in->errors++;
	in->last.set = 1;
	snprintf(in->last.hook, sizeof in->last.hook, "%s", hook);
	snprintf(in->last.file, sizeof in->last.file, "%s", file);
	in->last.line = line;
	snprintf(in->last.message, sizeof in->last.message, "%s", message);
	in->last.time = vocd_now_ms();
	pthread_mutex_unlock(&in->stat_mu);
	if (in->host != NULL)
		atomic_fetch_add(&in->host->errors, 1);
	vocd_error("plugin %s (tenant %s), hook %s: %s:%d: %s", in->def->label, in->tenant, hook, file, line,
	           message);
}

struct call_job {
	const char *hook;
	int event;
	const cJSON *arg, *meta;
	cJSON **result;
	int found, conv_rc;
	char msg[512];
	int guard; /* a customer policy's argument: reading a score raises */
};

/* Inside the protected call: everything that allocates in the state (the arguments, the fresh globals,
 * the result's conversion, charged to the run's budget) happens here, so that hitting the memory cap
 * ends as a clean memory kill instead of a Lua panic. */
static int call_tramp(lua_State *L)
{
	struct call_job *j = lua_touserdata(L, 1);
	if (!(j->event ? vocd_plugin_api_push_hook(L, j->hook) : vocd_plugin_api_push_handle(L, j->hook)))
		return 0;
	j->found = 1;
	vocd_lua_push_json(L, j->arg);
	if (j->guard && lua_type(L, -1) == LUA_TTABLE)
		vocd_plugin_points_guard(L);
	int nargs = 1;
	if (j->meta != NULL) {
		vocd_lua_push_json(L, j->meta);
		nargs++;
	}
	vocd_luahost_call(L, nargs, 1);
	/* Nothing raises after the conversion: the tree it returns would leak. */
	if (!lua_isnil(L, -1) && j->result != NULL)
		j->conv_rc = vocd_lua_to_json(L, -1, j->result, j->msg, sizeof j->msg);
	return 0;
}

/*
 * Runs hook \p hook (a vocd.handle name, or a vocd.hook topic when \p event) of \p in with up to two
 * JSON arguments. Called with in->mu held.
 */
static int invoke_locked(struct pinst *in, const char *hook, int event, const cJSON *arg, const cJSON *meta,
                         cJSON **result, char *err, size_t errlen)
{
	char msg[1024];
	if (result != NULL)
		*result = NULL;
	if (in->lh == NULL) {
		/* The state was dropped after hitting its memory cap and could not be rebuilt then. */
		int rc = inst_open_state(in, msg, sizeof msg);
		if (rc != 0) {
			note_failure(in, hook, in->def->code_file, 0, msg);
			snprintf(err, errlen, "%s", msg);
			return VOCD_EPLUGIN;
		}
	}
	lua_State *L = vocd_luahost_state(in->lh);
	lua_settop(L, 0);
	struct call_job j = {hook, event, arg, meta, result, 0, 0, "", in->ctx.audience == VOCD_AUDIENCE_CUSTOMERS};
	int rc = vocd_luahost_pcall(in->lh, call_tramp, &j, 0, 0);
	if (rc == 0 && !j.found) {
		snprintf(err, errlen, "plugin %s has no %s '%s'", in->def->label, event ? "hook" : "handler", hook);
		return VOCD_ENOTFOUND;
	}
	if (rc != 0) {
		const struct vocd_luahost_error *le = vocd_luahost_last_error(in->lh);
		const char *file = le->file[0] ? le->file : in->def->code_file;
		snprintf(err, errlen, "%s:%d: %s", file, le->line, le->message);
		note_failure(in, hook, file, le->line, le->message);
		if (le->kind == VOCD_LUAHOST_MEMORY) {
			/* A state that hit its cap may hold anything: start over from the plugin's code. */
			vocd_luahost_free(in->lh);
			in->lh = NULL;
			if (inst_open_state(in, msg, sizeof msg) != 0)
				vocd_error("plugin %s (tenant %s): cannot rebuild its state: %s", in->def->label, in->tenant,
				           msg);
		}
		return rc;
	}
	if (j.conv_rc != 0) {
		snprintf(err, errlen, "%s: hook %s returned a value that cannot be JSON: %s", in->def->code_file, hook,
		         j.msg);
		note_failure(in, hook, in->def->code_file, 0, err);
		return j.conv_rc == VOCD_ENOMEM ? j.conv_rc : VOCD_EPLUGIN;
	}
	return 0;
}

static int invoke(struct pinst *in, const char *hook, int event, const cJSON *arg, const cJSON *meta,
                  cJSON **result, char *err, size_t errlen)
{
	pthread_mutex_lock(&in->mu);
	int rc = invoke_locked(in, hook, event, arg, meta, result, err, errlen);
	pthread_mutex_unlock(&in->mu);
	return rc;
}

/* A bus delivery to a plugin's event hook: fn(data, {id, topic, time, attempt, tenant}). */
static int on_event(const struct vocd_event *ev, void *ud)
{
	struct sub *s = ud;
	struct pinst *in = s->in;
	if (strcmp(ev->tenant, in->tenant) != 0)
		return 0; /* never another tenant's events */
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len);
	cJSON *meta = cJSON_CreateObject();
	if (meta == NULL) {
		cJSON_Delete(data);
		return 1;
	}
	cJSON_AddNumberToObject(meta, "id", (double)ev->id);
	cJSON_AddStringToObject(meta, "topic", ev->topic);
	cJSON_AddStringToObject(meta, "tenant", ev->tenant);
	cJSON_AddNumberToObject(meta, "time", (double)ev->time_ms);
	cJSON_AddNumberToObject(meta, "attempt", ev->attempt);
	char err[1024];
	int rc = invoke(in, s->topic, 1, data, meta, NULL, err, sizeof err);
	cJSON_Delete(data);
	cJSON_Delete(meta);
	if (rc != 0) {
		vocd_bus_set_error(err);
		return 1;
	}
	return 0;
}

/* ---- Sets ---------------------------------------------------------------------------------------- */

static void set_free(struct pset *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ninsts; i++)
		inst_free(s->insts[i]);
	for (size_t i = 0; i < s->ndefs; i++)
		def_free(s->defs[i]);
	for (size_t i = 0; i < s->nrules; i++)
		free(s->rules[i].rules);
	free(s->rules);
	free(s->insts);
	free(s->defs);
	free(s);
}

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(vocd_rule_label(*(const struct vocd_rule *const *)a), vocd_rule_label(*(const struct vocd_rule *const *)b));
}

static int cmp_tenant_rules(const void *a, const void *b)
{
	return strcmp(((const struct tenant_rules *)a)->tenant, ((const struct tenant_rules *)b)->tenant);
}

/* Groups the compiled rules by tenant, each tenant's by label (the order they run in). */
static int set_index_rules(struct pset *s)
{
	s->rules = calloc(s->ninsts + 1, sizeof *s->rules);
	if (!s->rules)
		return VOCD_ENOMEM;
	for (size_t i = 0; i < s->ninsts; i++) {
		struct pinst *in = s->insts[i];
		if (in->nrules == 0)
			continue;
		struct tenant_rules *tr = NULL;
		for (size_t k = 0; k < s->nrules && !tr; k++)
			if (strcmp(s->rules[k].tenant, in->tenant) == 0)
				tr = &s->rules[k];
		if (!tr) {
			tr = &s->rules[s->nrules++];
			tr->tenant = in->tenant;
			size_t total = 0;
			for (size_t k = 0; k < s->ninsts; k++)
				total += strcmp(s->insts[k]->tenant, in->tenant) == 0 ? s->insts[k]->nrules : 0;
			tr->rules = calloc(total, sizeof *tr->rules);
			if (!tr->rules)
				return VOCD_ENOMEM;
		}
		for (size_t k = 0; k < in->nrules; k++)
			tr->rules[tr->n++] = in->rules[k];
	}
	for (size_t k = 0; k < s->nrules; k++)
		qsort(s->rules[k].rules, s->rules[k].n, sizeof *s->rules[k].rules, cmp_rule);
	qsort(s->rules, s->nrules, sizeof *s->rules, cmp_tenant_rules);
	return 0;
}

static struct pdef *set_find_def(struct pset *s, const char *kind, const char *name)
{
	for (size_t i = 0; i < s->ndefs; i++)
		if (strcmp(s->defs[i]->kind, kind) == 0 && strcmp(s->defs[i]->name, name) == 0)
			return s->defs[i];
	return NULL;
}

/* Loads and validates everything \p cfg enables; reports every problem, one per line. */
static int set_build(vocd_plugins *host, const struct vocd_config *cfg, struct pset **out, char *err,
                     size_t errlen)
{
	*out = NULL;
	struct ebuf e = {err, errlen, 0, 0};
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	struct pset *s = calloc(1, sizeof *s);
	size_t total = 0;
	for (size_t t = 0; t < cfg->ntenants; t++)
		total += cfg->tenants[t].nplugins;
	if (s == NULL)
		return VOCD_ENOMEM;
	s->refs = 1;
	s->defs = calloc(total + 1, sizeof *s->defs);
	s->insts = calloc(total + 1, sizeof *s->insts);
	if (s->defs == NULL || s->insts == NULL) {
		set_free(s);
		return VOCD_ENOMEM;
	}
	struct vocd_luahost_limits lim = {cfg->limits.lua_memory, cfg->limits.lua_instructions,
	                                  cfg->limits.lua_load_instructions, cfg->limits.lua_max_string};
	int rc = 0;
	for (size_t t = 0; t < cfg->ntenants && rc != VOCD_ENOMEM; t++) {
		const struct vocd_tenant_conf *tc = &cfg->tenants[t];
		for (size_t i = 0; i < tc->nplugins && rc != VOCD_ENOMEM; i++) {
			const struct vocd_plugin_ref *ref = &tc->plugins[i];
			const char *where = ref->where != NULL ? ref->where : tc->file;
			if (!valid_kind(ref->kind) || !vocd_name_valid(ref->name)) {
				eadd(&e, "%s: tenant %s: plugin %ss/%s: expected a kind (channel, workflow, incentive, report) "
				         "and a name of a-z, 0-9, '_', '-'",
				     where, tc->id, ref->kind ? ref->kind : "?", ref->name ? ref->name : "?");
				continue;
			}
			int dup = 0;
			for (size_t k = 0; k < i; k++)
				dup |= strcmp(tc->plugins[k].kind, ref->kind) == 0 && strcmp(tc->plugins[k].name, ref->name) == 0;
			if (dup) {
				eadd(&e, "%s: tenant %s: plugin %ss/%s is enabled twice", where, tc->id, ref->kind, ref->name);
				continue;
			}
			struct pdef *d = set_find_def(s, ref->kind, ref->name);
			if (d == NULL) {
				int r = def_load(cfg, ref->kind, ref->name, &lim, &d, &e);
				if (r != 0) {
					rc = r == VOCD_ENOMEM ? r : rc;
					/* Remember the failure so that other tenants do not report it again. */
					continue;
				}
				s->defs[s->ndefs++] = d;
			}
			struct pinst *in;
			int r = inst_create(host, cfg, tc, ref, d, &in, &e);
			if (r == VOCD_ENOMEM)
				rc = r;
			else if (r == 0)
				s->insts[s->ninsts++] = in;
		}
	}
	if (rc == 0 && e.n > 0)
		rc = VOCD_ECONFIG;
	if (rc == 0)
		rc = set_index_rules(s);
	if (rc != 0) {
		if (rc == VOCD_ENOMEM && e.n == 0)
			eadd(&e, "out of memory while loading plugins");
		set_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void set_unsubscribe(struct pset *s, vocd_bus *bus);

/* Subscribes every hook of \p s. A failure is a load error: whatever was subscribed is undone and the
 * message names the tenant, plugin and topic. */
static int set_subscribe(struct pset *s, vocd_bus *bus, char *err, size_t errlen)
{
	if (bus == NULL)
		return 0;
	for (size_t i = 0; i < s->ninsts; i++) {
		struct pinst *in = s->insts[i];
		for (size_t k = 0; k < in->nsubs; k++) {
			struct sub *sb = &in->subs[k];
			int rc = vocd_bus_subscribe_tenant(bus, sb->name, in->tenant, sb->topic, on_event, sb);
			if (rc != 0) {
				if (err != NULL && errlen > 0)
					snprintf(err, errlen, "tenant %s, plugin %s: vocd.hook(\"%s\"): cannot subscribe to the bus: %s",
					         in->tenant, in->def->label, sb->topic, vocd_strerror(rc));
				vocd_error("plugin %s (tenant %s): cannot subscribe to %s: %s", in->def->label, in->tenant,
				           sb->topic, vocd_strerror(rc));
				set_unsubscribe(s, bus);
				return rc == VOCD_EINVAL || rc == VOCD_EEXIST ? VOCD_ECONFIG : rc;
			}
			sb->active = 1;
		}
	}
	return 0;
}

static void set_unsubscribe(struct pset *s, vocd_bus *bus)
{
	if (bus == NULL || s == NULL)
		return;
	for (size_t i = 0; i < s->ninsts; i++)
		for (size_t k = 0; k < s->insts[i]->nsubs; k++) {
			struct sub *sb = &s->insts[i]->subs[k];
			if (sb->active)
				vocd_bus_unsubscribe(bus, sb->name);
			sb->active = 0;
		}
}

static struct pset *acquire(vocd_plugins *p)
{
	pthread_mutex_lock(&p->mu);
	struct pset *s = p->cur;
	if (s != NULL)
		s->refs++;
	pthread_mutex_unlock(&p->mu);
	return s;
}

static void release(vocd_plugins *p, struct pset *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	int last = --s->refs == 0;
	pthread_mutex_unlock(&p->mu);
	if (last)
		set_free(s);
}

static struct pinst *find_inst(struct pset *s, const char *tenant, const char *name)
{
	for (size_t i = 0; s != NULL && i < s->ninsts; i++) {
		struct pinst *in = s->insts[i];
		if (strcmp(in->tenant, tenant) == 0 &&
		    (strcmp(in->def->name, name) == 0 || strcmp(in->def->label, name) == 0))
			return in;
	}
	return NULL;
}

/* ---- Public -------------------------------------------------------------------------------------- */

void vocd_plugins_set_pii(vocd_plugins *p, vocd_pii *pii)
{
	p->pii = pii;
}

int vocd_plugins_create(vocd_plugins **out, const struct vocd_config *cfg, vocd_store *st, vocd_bus *bus,
                        char *err, size_t errlen)
{
	*out = NULL;
	vocd_plugins *p = calloc(1, sizeof *p);
	if (p == NULL)
		return VOCD_ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->reload_mu, NULL);
	p->st = st;
	p->bus = bus;
	atomic_init(&p->errors, 0);
	int rc = set_build(p, cfg, &p->cur, err, errlen);
	if (rc != 0) {
		vocd_plugins_destroy(p);
		return rc;
	}
	rc = set_subscribe(p->cur, bus, err, errlen);
	if (rc != 0) {
		vocd_plugins_destroy(p);
		return rc;
	}
	*out = p;
	return 0;
}

int vocd_plugins_reload(vocd_plugins *p, const struct vocd_config *cfg, char *err, size_t errlen)
{
	pthread_mutex_lock(&p->reload_mu);
	struct pset *next;
	int rc = set_build(p, cfg, &next, err, errlen);
	if (rc != 0) {
		pthread_mutex_unlock(&p->reload_mu);
		vocd_error("plugins: reload failed, keeping the running version: %s", err != NULL ? err : "");
		return rc;
	}
	/* The bus keeps each subscriber's position while it is unsubscribed: events published between
	 * these two steps reach the new version. */
	pthread_mutex_lock(&p->mu);
	struct pset *old = p->cur;
	pthread_mutex_unlock(&p->mu);
	set_unsubscribe(old, p->bus);
	rc = set_subscribe(next, p->bus, err, errlen);
	if (rc != 0) {
		/* The running version keeps its hooks: unsubscribing only parked their names and positions. */
		if (set_subscribe(old, p->bus, NULL, 0) != 0)
			vocd_error("plugins: reload failed and the running version could not subscribe again");
		release(p, next);
		pthread_mutex_unlock(&p->reload_mu);
		vocd_error("plugins: reload failed, keeping the running version: %s", err != NULL ? err : "");
		return rc;
	}
	pthread_mutex_lock(&p->mu);
	p->cur = next;
	pthread_mutex_unlock(&p->mu);
	release(p, old);
	pthread_mutex_unlock(&p->reload_mu);
	return 0;
}

int vocd_plugins_check(const struct vocd_config *cfg, char *err, size_t errlen)
{
	struct pset *s;
	int rc = set_build(NULL, cfg, &s, err, errlen);
	set_free(s);
	return rc;
}

int vocd_plugins_call(vocd_plugins *p, const char *tenant, const char *name, const char *hook,
                      const cJSON *arg, cJSON **result, char *err, size_t errlen)
{
	char dummy[8];
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (result != NULL)
		*result = NULL;
	if (p == NULL || tenant == NULL || name == NULL || hook == NULL)
		return VOCD_EINVAL;
	struct pset *s = acquire(p);
	struct pinst *in = find_inst(s, tenant, name);
	int rc;
	if (in == NULL) {
		snprintf(err, errlen, "plugin %s is not enabled for tenant %s", name, tenant);
		rc = VOCD_ENOTFOUND;
	} else {
		rc = invoke(in, hook, 0, arg, NULL, result, err, errlen);
	}
	release(p, s);
	return rc;
}

static int has_handle(const struct pinst *in, const char *hook)
{
	const cJSON *h;
	cJSON_ArrayForEach(h, in->handles) if (strcmp(h->valuestring, hook) == 0) return 1;
	return 0;
}

int vocd_plugins_call_audience(vocd_plugins *p, const char *tenant, int audience, const char *hook,
                               const cJSON *arg, char *err, size_t errlen)
{
	err[0] = '\0';
	struct pset *s = acquire(p);
	int first = 0;
	for (size_t i = 0; s != NULL && i < s->ninsts; i++) {
		struct pinst *in = s->insts[i];
		if (strcmp(in->tenant, tenant) != 0 || strcmp(in->def->kind, "incentive") != 0 ||
		    in->ctx.audience != audience || !has_handle(in, hook))
			continue;
		char msg[1024];
		int rc = invoke(in, hook, 0, arg, NULL, NULL, msg, sizeof msg);
		if (rc != 0 && first == 0) {
			first = rc;
			snprintf(err, errlen, "%s", msg);
		}
	}
	release(p, s);
	return first;
}

int vocd_plugins_find_handler(vocd_plugins *p, const char *tenant, const char *kind, const char *hook, char *label,
                              size_t label_len)
{
	struct pset *s = acquire(p);
	int rc = VOCD_ENOTFOUND;
	for (size_t i = 0; s != NULL && i < s->ninsts && rc != 0; i++) {
		struct pinst *in = s->insts[i];
		if (strcmp(in->tenant, tenant) == 0 && strcmp(in->def->kind, kind) == 0 && has_handle(in, hook)) {
			snprintf(label, label_len, "%s", in->def->label);
			rc = 0;
		}
	}
	release(p, s);
	return rc;
}

int vocd_plugins_is_kind(vocd_plugins *p, const char *tenant, const char *name, const char *kind)
{
	struct pset *s = acquire(p);
	struct pinst *in = find_inst(s, tenant, name);
	int is = in != NULL && strcmp(in->def->kind, kind) == 0;
	release(p, s);
	return is;
}

int vocd_plugins_rules(vocd_plugins *p, const char *tenant, vocd_rules_fn fn, void *arg)
{
	struct pset *s = acquire(p);
	struct tenant_rules key = {tenant, NULL, 0};
	const struct tenant_rules *tr = s ? bsearch(&key, s->rules, s->nrules, sizeof *s->rules, cmp_tenant_rules) : NULL;
	int rc = tr ? fn(tr->rules, tr->n, arg) : fn(NULL, 0, arg);
	release(p, s);
	return rc;
}

int vocd_plugins_rule_file(const struct vocd_config *cfg, const char *tenant, const char *code_file,
                           const cJSON *settings, struct vocd_rule ***out, size_t *nout, char *err, size_t errlen)
{
	*out = NULL;
	*nout = 0;
	struct ebuf e = {err, errlen, 0, 0};
	if (err && errlen)
		err[0] = '\0';
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, tenant);
	if (!t) {
		eadd(&e, "no tenant '%s'", tenant);
		return VOCD_ENOTFOUND;
	}
	/* plugins/workflows/<name>/plugin.lua: the folder names the plugin, its schema.lua is beside it. */
	char dir[4096], name[128] = "";
	snprintf(dir, sizeof dir, "%s", code_file);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	const char *base = strrchr(dir, '/');
	snprintf(name, sizeof name, "%.127s", base ? base + 1 : dir);
	if (!vocd_name_valid(name)) {
		eadd(&e, "%s: a rule file is the plugin.lua of a folder plugins/workflows/<name>/, with its schema.lua beside "
		     "it; \"%s\" is not a plugin name (a-z, 0-9, '_', '-')", code_file, name);
		return VOCD_ECONFIG;
	}
	struct vocd_luahost_limits lim = {cfg->limits.lua_memory, cfg->limits.lua_instructions,
	                                  cfg->limits.lua_load_instructions, cfg->limits.lua_max_string};
	struct pdef *d = calloc(1, sizeof *d);
	if (!d)
		return VOCD_ENOMEM;
	d->kind = strdup("workflow");
	d->name = strdup(name);
	d->label = dupf("workflows/%s", name);
	d->code_file = strdup(code_file);
	d->schema_file = dupf("%s/schema.lua", dir);
	int rc = !d->kind || !d->name || !d->label || !d->code_file || !d->schema_file ? VOCD_ENOMEM : 0;
	if (rc == 0 && (rc = read_file(d->code_file, &d->code, &d->codelen)) != 0) {
		eadd(&e, "cannot read %s: %s", code_file, vocd_strerror(rc));
		rc = rc == VOCD_ENOMEM ? rc : VOCD_ECONFIG;
	}
	if (rc == 0)
		rc = load_schema(d, &lim, &e);
	/* The settings tried: those given, else the tenant's for this plugin, else the schema's defaults. */
	struct vocd_plugin_ref ref = {"workflow", d->name, NULL, (char *)code_file};
	for (size_t i = 0; rc == 0 && !settings && i < t->nplugins; i++)
		if (strcmp(t->plugins[i].kind, "workflow") == 0 && strcmp(t->plugins[i].name, name) == 0)
			ref.settings = t->plugins[i].settings, ref.where = t->plugins[i].where;
	cJSON *empty = cJSON_CreateObject();
	ref.settings = settings ? (cJSON *)settings : ref.settings ? ref.settings : empty;
	struct pinst *in = NULL;
	if (rc == 0)
		rc = inst_create(NULL, cfg, t, &ref, d, &in, &e);
	if (rc == 0 && in->nrules == 0) {
		eadd(&e, "%s: returns no rule = { on = …, when = { … }, actions = { … } }", code_file);
		rc = VOCD_ECONFIG;
	}
	if (rc == 0) {
		*out = in->rules;
		*nout = in->nrules;
		in->rules = NULL;
		in->nrules = 0;
	}
	inst_free(in);
	def_free(d);
	cJSON_Delete(empty);
	return rc;
}

int vocd_plugins_status(vocd_plugins *p, const char *tenant, cJSON **out)
{
	*out = NULL;
	cJSON *arr = cJSON_CreateArray();
	if (arr == NULL)
		return VOCD_ENOMEM;
	struct pset *s = acquire(p);
	int rc = 0;
	for (size_t i = 0; s != NULL && i < s->ninsts && rc == 0; i++) {
		struct pinst *in = s->insts[i];
		if (strcmp(in->tenant, tenant) != 0)
			continue;
		cJSON *o = cJSON_CreateObject();
		if (o == NULL) {
			rc = VOCD_ENOMEM;
			break;
		}
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name", in->def->name);
		cJSON_AddStringToObject(o, "kind", in->def->kind);
		cJSON_AddStringToObject(o, "version", in->def->version);
		cJSON_AddItemToObject(o, "hooks", cJSON_Duplicate(in->hooks, 1));
		cJSON_AddItemToObject(o, "handles", cJSON_Duplicate(in->handles, 1));
		pthread_mutex_lock(&in->stat_mu);
		cJSON_AddNumberToObject(o, "errors", (double)in->errors);
		if (in->last.set) {
			cJSON *le = cJSON_AddObjectToObject(o, "last_error");
			if (le != NULL) {
				cJSON_AddStringToObject(le, "hook", in->last.hook);
				cJSON_AddStringToObject(le, "file", in->last.file);
				cJSON_AddNumberToObject(le, "line", in->last.line);
				cJSON_AddStringToObject(le, "message", in->last.message);
				cJSON_AddNumberToObject(le, "time", (double)in->last.time);
			}
		} else {
			cJSON_AddNullToObject(o, "last_error");
		}
		pthread_mutex_unlock(&in->stat_mu);
	}
	release(p, s);
	if (rc != 0) {
		cJSON_Delete(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

unsigned long vocd_plugins_error_count(vocd_plugins *p)
{
	return p != NULL ? atomic_load(&p->errors) : 0;
}

void vocd_plugins_destroy(vocd_plugins *p)
{
	if (p == NULL)
		return;
	set_unsubscribe(p->cur, p->bus);
	release(p, p->cur);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->reload_mu);
	free(p);
}

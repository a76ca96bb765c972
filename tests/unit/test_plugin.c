/* Tests of core/plugin.c, core/plugin_schema.c and core/plugin_api.c: schema messages and defaults,
 * settings rejected with file:line, handlers by name, bus hook delivery, status, reload, two tenants
 * kept apart (states and stored data), hook topics checked at load, subscriber names that fit the bus
 * and stay stable, subscription failures as load errors, and oversized values refused by the writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "error.h"
#include "plugin.h"
#include "plugin_schema.h"
#include "store.h"

#define FIXTURES VOCD_SOURCE_DIR "/tests/plugins/fixtures"

/* ---- Config built by hand ------------------------------------------------------------------------ */

struct tconf {
	struct vocd_config cfg;
	struct vocd_tenant_conf tenants[2];
	struct vocd_plugin_ref refs[2][4];
};

static void tconf_init(struct tconf *t, const char *dir)
{
	memset(t, 0, sizeof *t);
	t->cfg.plugins_dir = (char *)dir;
	t->cfg.limits.lua_memory = 8u << 20;
	t->cfg.limits.lua_instructions = 1000000;
	t->cfg.limits.lua_load_instructions = 5000000;
	t->cfg.limits.lua_max_string = 1u << 20;
	t->cfg.tenants = t->tenants;
}

static void tconf_add(struct tconf *t, const char *tenant, const char *name, const char *settings, const char *where)
{
	size_t ti;
	for (ti = 0; ti < t->cfg.ntenants; ti++)
		if (strcmp(t->tenants[ti].id, tenant) == 0)
			break;
	if (ti == t->cfg.ntenants) {
		t->tenants[ti].id = (char *)tenant;
		t->tenants[ti].file = (char *)"conf/tenants/x.lua";
		t->tenants[ti].plugins = t->refs[ti];
		t->cfg.ntenants++;
	}
	struct vocd_plugin_ref *r = &t->refs[ti][t->tenants[ti].nplugins++];
	r->kind = (char *)"workflow";
	r->name = (char *)name;
	r->settings = cJSON_Parse(settings);
	assert_non_null(r->settings);
	r->where = (char *)where;
}

static void tconf_free(struct tconf *t)
{
	for (size_t i = 0; i < t->cfg.ntenants; i++)
		for (size_t k = 0; k < t->tenants[i].nplugins; k++)
			cJSON_Delete(t->refs[i][k].settings);
}

static cJSON *good_schema(void)
{
	/* What schema.lua of the good fixture converts to. */
	return cJSON_Parse("{\"fields\": {"
	                   "\"threshold\": {\"type\": \"number\", \"required\": true, \"min\": 0, \"max\": 5,"
	                   "  \"description\": \"score at or below which an evaluation is negative\"},"
	                   "\"channel\": {\"type\": \"enum\", \"values\": [\"sms\", \"mail\"], \"default\": \"sms\"},"
	                   "\"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"default\": {}, \"max\": 5},"
	                   "\"retries\": {\"type\": \"integer\", \"default\": 3, \"min\": 0},"
	                   "\"warn_at\": {\"type\": \"number\"}, \"alert_at\": {\"type\": \"number\"}},"
	                   "\"checks\": [{\"less_than\": [\"warn_at\", \"alert_at\"]}, {\"requires\": [\"alert_at\", \"warn_at\"]}]}");
}

/* ---- Schema -------------------------------------------------------------------------------------- */

static void expect_invalid(const cJSON *schema, const char *settings, const char *msg)
{
	cJSON *s = cJSON_Parse(settings), *out = (cJSON *)1;
	char err[2048];
	assert_int_equal(vocd_schema_validate(schema, s, "", "conf/tenants/demo.lua:12", &out, err, sizeof err),
	                 VOCD_ECONFIG);
	assert_null(out);
	if (strstr(err, msg) == NULL)
		fprintf(stderr, "expected \"%s\" in:\n%s\n", msg, err);
	assert_non_null(strstr(err, msg));
	cJSON_Delete(s);
}

static void test_schema_messages(void **state)
{
	cJSON *schema = good_schema();
	char err[2048];
	assert_int_equal(vocd_schema_check(schema, "schema.lua", err, sizeof err), 0);
	expect_invalid(schema, "{\"threshold\": \"high\"}",
	               "settings.threshold: expected number, got string (conf/tenants/demo.lua:12)");
	expect_invalid(schema, "{}", "settings.threshold: required setting missing (expected number: score at or below");
	expect_invalid(schema, "{\"threshold\": 7}", "settings.threshold: expected at most 5, got 7");
	expect_invalid(schema, "{\"threshold\": 1, \"channel\": \"fax\"}",
	               "settings.channel: expected one of \"sms\", \"mail\", got \"fax\"");
	expect_invalid(schema, "{\"threshold\": 1, \"tags\": [\"a\", 2]}", "settings.tags[2]: expected string, got number");
	expect_invalid(schema, "{\"threshold\": 1, \"retries\": 1.5}", "settings.retries: expected integer, got 1.5");
	expect_invalid(schema, "{\"threshold\": 1, \"treshold\": 1}", "settings.treshold: unknown setting (expected one of:");
	expect_invalid(schema, "{\"threshold\": 1, \"warn_at\": 5, \"alert_at\": 3}",
	               "settings.warn_at: expected less than settings.alert_at (3), got 5");
	expect_invalid(schema, "{\"threshold\": 1, \"alert_at\": 3}", "settings.warn_at: required when alert_at is set");
	/* Every problem is reported, one per line. */
	cJSON *s = cJSON_Parse("{\"threshold\": \"x\", \"channel\": 1}"), *out;
	assert_int_equal(vocd_schema_validate(schema, s, "", NULL, &out, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strchr(err, '\n'));
	cJSON_Delete(s);

	/* Defaults are filled in; given values kept. */
	s = cJSON_Parse("{\"threshold\": 2, \"channel\": \"mail\"}");
	assert_int_equal(vocd_schema_validate(schema, s, "", NULL, &out, err, sizeof err), 0);
	char *text = cJSON_PrintUnformatted(out);
	assert_string_equal(text, "{\"threshold\":2,\"channel\":\"mail\",\"tags\":[],\"retries\":3}");
	free(text);
	cJSON_Delete(out);
	cJSON_Delete(s);
	cJSON_Delete(schema);
}

static void test_schema_shape_checked(void **state)
{
	char err[2048];
	cJSON *bad = cJSON_Parse("{\"fields\": {\"a\": {\"type\": \"float\"}, \"b\": {\"type\": \"string\", "
	                         "\"requried\": true}, \"c\": {\"type\": \"enum\"}, \"d\": {\"type\": \"number\", "
	                         "\"default\": \"x\"}}}");
	assert_int_equal(vocd_schema_check(bad, "p/schema.lua", err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "p/schema.lua: fields.a.type: expected one of"));
	assert_non_null(strstr(err, "fields.b.requried: unknown key"));
	assert_non_null(strstr(err, "fields.c.values: expected a non-empty list"));
	cJSON_Delete(bad);
	bad = cJSON_Parse("{\"fields\": {\"d\": {\"type\": \"number\", \"default\": \"x\"}}, "
	                  "\"checks\": [{\"at_least_one_of\": [\"d\", \"e\"]}]}");
	assert_int_equal(vocd_schema_check(bad, "p/schema.lua", err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "fields.d.default: expected number, got string"));
	assert_non_null(strstr(err, "e is not a field of the schema"));
	cJSON_Delete(bad);
}

/* ---- Loading -------------------------------------------------------------------------------------- */

static void test_settings_rejected_with_file_line(void **state)
{
	struct tconf t;
	tconf_init(&t, FIXTURES);
	tconf_add(&t, "demo", "good", "{\"threshold\": \"high\"}", "conf/tenants/demo.lua:12");
	vocd_plugins *p = NULL;
	char err[2048];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, NULL, NULL, err, sizeof err), VOCD_ECONFIG);
	assert_null(p);
	assert_non_null(strstr(err, "tenant demo, plugin workflows/good: settings.threshold: expected number, got "
	                            "string (conf/tenants/demo.lua:12)"));
	assert_int_equal(vocd_plugins_check(&t.cfg, err, sizeof err), VOCD_ECONFIG);
	tconf_free(&t);

	/* A plugin that fails while loading, a missing one, and one registering late. */
	tconf_init(&t, FIXTURES);
	tconf_add(&t, "demo", "badload", "{}", "conf/tenants/demo.lua:3");
	tconf_add(&t, "demo", "nosuch", "{}", "conf/tenants/demo.lua:4");
	assert_int_equal(vocd_plugins_check(&t.cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "badload/plugin.lua:3: cannot load this plugin"));
	assert_non_null(strstr(err, "nosuch/plugin.lua"));
	tconf_free(&t);
}

static void test_hooks_by_name(void **state)
{
	struct tconf t;
	tconf_init(&t, FIXTURES);
	tconf_add(&t, "demo", "good", "{\"threshold\": 2, \"tags\": [\"vip\"]}", "demo.lua:1");
	tconf_add(&t, "demo", "latehook", "{}", "demo.lua:2");
	vocd_plugins *p = NULL;
	char err[1024];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, NULL, NULL, err, sizeof err), 0);
	cJSON *arg = cJSON_Parse("{\"x\": [1, 2.5, \"s\", null, true]}"), *res;
	assert_int_equal(vocd_plugins_call(p, "demo", "good", "echo", arg, &res, err, sizeof err), 0);
	char *text = cJSON_PrintUnformatted(res);
	assert_string_equal(text, "{\"arg\":{\"x\":[1,2.5,\"s\",null,true]},\"channel\":\"sms\",\"tags\":[\"vip\"],"
	                          "\"tenant\":\"demo\",\"threshold\":2}");
	free(text);
	cJSON_Delete(res);
	cJSON_Delete(arg);

	assert_int_equal(vocd_plugins_call(p, "demo", "workflows/good", "api", NULL, &res, err, sizeof err), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(res, "time_ok")));
	assert_string_equal(cJSON_GetObjectItem(res, "json")->valuestring, "{\"a\":[1,2,\"x\"],\"b\":1}");
	assert_string_equal(cJSON_GetObjectItem(res, "hmac")->valuestring,
	                    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
	assert_string_equal(cJSON_GetObjectItem(res, "zh")->valuestring, "你好");
	assert_string_equal(cJSON_GetObjectItem(res, "en")->valuestring, "hello");
	assert_string_equal(cJSON_GetObjectItem(res, "fallback")->valuestring, "hello");
	assert_string_equal(cJSON_GetObjectItem(res, "zh_tw")->valuestring, "你好");
	text = cJSON_PrintUnformatted(cJSON_GetObjectItem(res, "decoded"));
	assert_string_equal(text, "{\"k\":[true,false],\"n\":1.5}");
	free(text);
	cJSON_Delete(res);

	assert_int_equal(vocd_plugins_call(p, "demo", "good", "nosuch", NULL, &res, err, sizeof err), VOCD_ENOTFOUND);
	assert_int_equal(vocd_plugins_call(p, "demo", "other", "echo", NULL, &res, err, sizeof err), VOCD_ENOTFOUND);
	assert_int_equal(vocd_plugins_call(p, "acme", "good", "echo", NULL, &res, err, sizeof err), VOCD_ENOTFOUND);
	/* Without storage, vocd.store raises instead of crashing. */
	arg = cJSON_Parse("{\"key\": \"k\"}");
	assert_int_equal(vocd_plugins_call(p, "demo", "good", "get", arg, &res, err, sizeof err), VOCD_EPLUGIN);
	assert_non_null(strstr(err, "vocd.store.get: storage unavailable"));
	cJSON_Delete(arg);
	/* Registering after load is an error. */
	assert_int_equal(vocd_plugins_call(p, "demo", "latehook", "run", NULL, &res, err, sizeof err), VOCD_EPLUGIN);
	assert_non_null(strstr(err, "only allowed while the plugin loads"));
	assert_int_equal(vocd_plugins_call(p, "demo", "latehook", "handle", NULL, &res, err, sizeof err), VOCD_EPLUGIN);
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

static void test_status_reports_last_error(void **state)
{
	struct tconf t;
	tconf_init(&t, FIXTURES);
	tconf_add(&t, "demo", "raises", "{}", "demo.lua:1");
	vocd_plugins *p = NULL;
	char err[1024];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, NULL, NULL, err, sizeof err), 0);
	cJSON *st;
	assert_int_equal(vocd_plugins_status(p, "demo", &st), 0);
	cJSON *o = cJSON_GetArrayItem(st, 0);
	assert_string_equal(cJSON_GetObjectItem(o, "version")->valuestring, "1.0.0");
	assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "workflow");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "last_error")));
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "hooks"), 0)->valuestring, "review.posted");
	cJSON_Delete(st);

	assert_int_equal(vocd_plugins_call(p, "demo", "raises", "run", NULL, NULL, err, sizeof err), VOCD_EPLUGIN);
	assert_non_null(strstr(err, "raises/plugin.lua:4: boom 1"));
	assert_int_equal(vocd_plugins_call(p, "demo", "raises", "index_nil", NULL, NULL, err, sizeof err), VOCD_EPLUGIN);
	assert_non_null(strstr(err, "raises/plugin.lua:7: attempt to index"));
	assert_int_equal(vocd_plugins_call(p, "demo", "raises", "table_error", NULL, NULL, err, sizeof err), VOCD_EPLUGIN);
	assert_non_null(strstr(err, "raises/plugin.lua:10: structured failure"));
	assert_int_equal(vocd_plugins_call(p, "demo", "raises", "run", NULL, NULL, err, sizeof err), VOCD_EPLUGIN);
	/* The state stays usable. */
	cJSON *res;
	assert_int_equal(vocd_plugins_call(p, "demo", "raises", "ok", NULL, &res, err, sizeof err), 0);
	assert_string_equal(res->valuestring, "still fine");
	cJSON_Delete(res);

	assert_int_equal(vocd_plugins_status(p, "demo", &st), 0);
	o = cJSON_GetArrayItem(st, 0);
	assert_int_equal(cJSON_GetObjectItem(o, "errors")->valueint, 4);
	cJSON *le = cJSON_GetObjectItem(o, "last_error");
	assert_string_equal(cJSON_GetObjectItem(le, "hook")->valuestring, "run");
	const char *file = cJSON_GetObjectItem(le, "file")->valuestring;
	assert_string_equal(file + strlen(file) - strlen("workflows/raises/plugin.lua"), "workflows/raises/plugin.lua");
	assert_int_equal(cJSON_GetObjectItem(le, "line")->valueint, 4);
	assert_string_equal(cJSON_GetObjectItem(le, "message")->valuestring, "boom 1");
	assert_true(cJSON_GetObjectItem(le, "time")->valuedouble > 1.6e12);
	cJSON_Delete(st);
	assert_int_equal(vocd_plugins_error_count(p), 4);
	/* Another tenant sees nothing. */
	assert_int_equal(vocd_plugins_status(p, "acme", &st), 0);
	assert_int_equal(cJSON_GetArraySize(st), 0);
	cJSON_Delete(st);
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

/* ---- Reload -------------------------------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void write_version(const char *dir, const char *version, const char *extra)
{
	char path[512], code[1024];
	snprintf(path, sizeof path, "%s/workflows/ver/plugin.lua", dir);
	snprintf(code, sizeof code,
	         "%s\nvocd.handle('version', function() return '%s' end)\nreturn {version = '%s', api = 1}\n", extra,
	         version, version);
	write_file(path, code);
}

static void test_reload(void **state)
{
	char dir[] = "/tmp/vocd-plugin-test-XXXXXX", path[512];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/workflows", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/workflows/ver", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/workflows/ver/schema.lua", dir);
	write_file(path, "return { fields = {} }\n");
	write_version(dir, "1.0.0", "");

	struct tconf t;
	tconf_init(&t, dir);
	tconf_add(&t, "demo", "ver", "{}", "demo.lua:1");
	vocd_plugins *p = NULL;
	char err[1024];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, NULL, NULL, err, sizeof err), 0);
	cJSON *res;

	/* A broken version (syntax error): the reload fails and says where; the old version answers. */
	write_version(dir, "2.0.0", "local x = = 1");
	assert_int_equal(vocd_plugins_reload(p, &t.cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "workflows/ver/plugin.lua:1:"));
	assert_int_equal(vocd_plugins_call(p, "demo", "ver", "version", NULL, &res, err, sizeof err), 0);
	assert_string_equal(res->valuestring, "1.0.0");
	cJSON_Delete(res);
	/* A version with a bad shape is refused too. */
	write_version(dir, "2.0", "");
	assert_int_equal(vocd_plugins_reload(p, &t.cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "version: expected a string \"x.y.z\""));

	/* A good version swaps in. */
	write_version(dir, "2.0.0", "");
	assert_int_equal(vocd_plugins_reload(p, &t.cfg, err, sizeof err), 0);
	assert_int_equal(vocd_plugins_call(p, "demo", "ver", "version", NULL, &res, err, sizeof err), 0);
	assert_string_equal(res->valuestring, "2.0.0");
	cJSON_Delete(res);
	cJSON *st;
	assert_int_equal(vocd_plugins_status(p, "demo", &st), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0), "version")->valuestring, "2.0.0");
	cJSON_Delete(st);
	vocd_plugins_destroy(p);
	tconf_free(&t);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

struct caller {
	vocd_plugins *p;
	atomic_int *stop;
	atomic_int calls;
	int failures;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;
	char err[512];
	while (!atomic_load(c->stop)) {
		cJSON *res = NULL;
		if (vocd_plugins_call(c->p, "demo", "good", "count", NULL, &res, err, sizeof err) != 0 || !cJSON_IsNumber(res))
			c->failures++;
		cJSON_Delete(res);
		atomic_fetch_add(&c->calls, 1);
	}
	return NULL;
}

static void test_reload_while_calls_run(void **state)
{
	struct tconf t;
	tconf_init(&t, FIXTURES);
	tconf_add(&t, "demo", "good", "{\"threshold\": 1}", "demo.lua:1");
	vocd_plugins *p = NULL;
	char err[1024];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, NULL, NULL, err, sizeof err), 0);
	atomic_int stop = 0;
	struct caller c[2] = {{p, &stop, 0, 0}, {p, &stop, 0, 0}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, caller_main, &c[i]), 0);
	/* At least 10 reloads, and on until both callers have run a while among them (a loaded machine may
	 * not schedule them at once); 20 s at most. */
	time_t give_up = time(NULL) + 20;
	for (int i = 0; i < 10 || ((atomic_load(&c[0].calls) < 50 || atomic_load(&c[1].calls) < 50) && time(NULL) < give_up);
	     i++)
		assert_int_equal(vocd_plugins_reload(p, &t.cfg, err, sizeof err), 0);
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(c[i].failures, 0);
		assert_true(atomic_load(&c[i].calls) > 0);
	}
	vocd_plugins_destroy(p);
	tconf_free(&t);
}

/* ---- With storage and bus ------------------------------------------------------------------------ */

struct env {
	char dir[64];
	vocd_store *st;
	vocd_bus *bus;
};

static void env_open(struct env *e)
{
	snprintf(e->dir, sizeof e->dir, "/tmp/vocd-plugin-db-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	struct vocd_store_opts so = {.no_sync = 1, .max_map_size = 256u << 20};
	assert_int_equal(vocd_store_open(&e->st, e->dir, &so), 0);
	struct vocd_bus_opts bo = {.workers = 2, .backoff_ms = 20, .max_attempts = 2, .timer_poll_ms = 20};
	assert_int_equal(vocd_bus_create(&e->bus, e->st, &bo), 0);
}

static void env_close(struct env *e)
{
	vocd_bus_destroy(e->bus);
	vocd_store_close(e->st);
	nftw(e->dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

static cJSON *call_json(vocd_plugins *p, const char *tenant, const char *hook, const char *arg)
{
	cJSON *a = arg ? cJSON_Parse(arg) : NULL, *res = NULL;
	char err[1024];
	int rc = vocd_plugins_call(p, tenant, "good", hook, a, &res, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", hook, err);
	assert_int_equal(rc, 0);
	cJSON_Delete(a);
	return res;
}

static void test_tenants_apart_and_bus_hooks(void **state)
{
	struct env e;
	env_open(&e);
	struct tconf t;
	tconf_init(&t, FIXTURES);
	tconf_add(&t, "demo", "good", "{\"threshold\": 1}", "demo.lua:1");
	tconf_add(&t, "acme", "good", "{\"threshold\": 4}", "acme.lua:1");
	vocd_plugins *p = NULL;
	char err[1024];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, e.st, e.bus, err, sizeof err), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	/* States apart: module state and settings. */
	cJSON *r = call_json(p, "demo", "count", NULL);
	assert_int_equal(r->valueint, 1);
	cJSON_Delete(r);
	r = call_json(p, "demo", "count", NULL);
	assert_int_equal(r->valueint, 2);
	cJSON_Delete(r);
	r = call_json(p, "acme", "count", NULL);
	assert_int_equal(r->valueint, 1);
	cJSON_Delete(r);
	r = call_json(p, "acme", "echo", NULL);
	assert_int_equal(cJSON_GetObjectItem(r, "threshold")->valueint, 4);
	cJSON_Delete(r);

	/* Stored data apart. */
	cJSON_Delete(call_json(p, "demo", "put", "{\"key\": \"k\", \"value\": {\"who\": \"demo\"}}"));
	r = call_json(p, "demo", "get", "{\"key\": \"k\"}");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "value"), "who")->valuestring, "demo");
	cJSON_Delete(r);
	r = call_json(p, "acme", "get", "{\"key\": \"k\"}");
	assert_null(cJSON_GetObjectItem(r, "value"));
	cJSON_Delete(r);

	/* Bus hooks: an event published by demo's plugin reaches demo's hook only, once. */
	cJSON_Delete(call_json(p, "demo", "publish", "{\"topic\": \"review.posted\", \"data\": {\"id\": \"e1\"}}"));
	cJSON *seen = NULL;
	for (int i = 0; i < 500; i++) {
		r = call_json(p, "demo", "get", "{\"key\": \"seen\"}");
		seen = cJSON_DetachItemFromObject(r, "value");
		cJSON_Delete(r);
		if (seen != NULL)
			break;
		usleep(10000);
	}
	assert_non_null(seen);
	usleep(100000);
	cJSON_Delete(seen);
	r = call_json(p, "demo", "get", "{\"key\": \"seen\"}");
	seen = cJSON_GetObjectItem(r, "value");
	assert_int_equal(cJSON_GetObjectItem(seen, "n")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(seen, "last_id")->valuestring, "e1");
	assert_string_equal(cJSON_GetObjectItem(seen, "topic")->valuestring, "review.posted");
	cJSON_Delete(r);
	r = call_json(p, "acme", "get", "{\"key\": \"seen\"}");
	assert_null(cJSON_GetObjectItem(r, "value"));
	cJSON_Delete(r);

	/* A failing hook is recorded in the status with its hook name. */
	cJSON_Delete(call_json(p, "demo", "publish",
	                       "{\"topic\": \"review.posted\", \"data\": {\"id\": \"e2\", \"fail\": true}}"));
	int found = 0;
	for (int i = 0; i < 500 && !found; i++) {
		cJSON *st;
		assert_int_equal(vocd_plugins_status(p, "demo", &st), 0);
		cJSON *le = cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0), "last_error");
		found = cJSON_IsObject(le) && strcmp(cJSON_GetObjectItem(le, "hook")->valuestring, "review.posted") == 0 &&
		        strstr(cJSON_GetObjectItem(le, "message")->valuestring, "event asked to fail") != NULL;
		cJSON_Delete(st);
		if (!found)
			usleep(10000);
	}
	assert_true(found);

	/* Reload with the same config: hooks move to the new set and keep working. */
	assert_int_equal(vocd_plugins_reload(p, &t.cfg, err, sizeof err), 0);
	cJSON_Delete(call_json(p, "demo", "publish", "{\"topic\": \"review.posted\", \"data\": {\"id\": \"e3\"}}"));
	found = 0;
	for (int i = 0; i < 500 && !found; i++) {
		r = call_json(p, "demo", "get", "{\"key\": \"seen\"}");
		cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "value"), "last_id");
		found = cJSON_IsString(v) && strcmp(v->valuestring, "e3") == 0;
		cJSON_Delete(r);
		if (!found)
			usleep(10000);
	}
	assert_true(found);

	vocd_plugins_destroy(p);
	env_close(&e);
	tconf_free(&t);
}

/* ---- Hook topics and bus subscriptions ----------------------------------------------------------- */

/* Writes <dir>/workflows/<name>/{plugin,schema}.lua. */
static void write_plugin(const char *dir, const char *name, const char *code)
{
	char path[512];
	snprintf(path, sizeof path, "%s/workflows", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/workflows/%s", dir, name);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/workflows/%s/schema.lua", dir, name);
	write_file(path, "return { fields = {} }\n");
	snprintf(path, sizeof path, "%s/workflows/%s/plugin.lua", dir, name);
	write_file(path, code);
}

static void test_hook_topics_checked_at_load(void **state)
{
	char dir[] = "/tmp/vocd-plugin-topic-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct tconf t;
	tconf_init(&t, dir);
	tconf_add(&t, "demo", "topic", "{}", "demo.lua:1");
	char code[512], err[2048], want[256];
	/* Everything the bus would refuse to subscribe is refused when the plugin loads. */
	static const char *const bad[] = {"ticket*", "*.created", "ticket.*.closed", "ticket.**", ".*", "**", "a*b"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(code, sizeof code, "vocd.hook(\"%s\", function() end)\nreturn {version = '1.0.0', api = 1}\n",
		         bad[i]);
		write_plugin(dir, "topic", code);
		assert_int_equal(vocd_plugins_check(&t.cfg, err, sizeof err), VOCD_ECONFIG);
		snprintf(want, sizeof want, "topic/plugin.lua:1: vocd.hook: topic \"%s\": expected an exact topic, "
		                            "\"prefix.*\" or \"*\"", bad[i]);
		if (strstr(err, want) == NULL)
			fprintf(stderr, "expected \"%s\" in:\n%s\n", want, err);
		assert_non_null(strstr(err, want));
	}
	static const char *const good[] = {"*", "ticket.*", "ticket.created", "a.b-c_d.*"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(code, sizeof code, "vocd.hook(\"%s\", function() end)\nreturn {version = '1.0.0', api = 1}\n",
		         good[i]);
		write_plugin(dir, "topic", code);
		assert_int_equal(vocd_plugins_check(&t.cfg, err, sizeof err), 0);
	}
	tconf_free(&t);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

struct pub_job {
	const char *tenant, *topic, *data;
};

static int pub_fn(vocd_txn *txn, void *arg)
{
	struct pub_job *j = arg;
	return vocd_bus_publish(txn, j->tenant, j->topic, j->data, strlen(j->data));
}

/* Waits until handler "seen" of plugin \p name answers {n = n}; returns the answer's "last". */
static char *wait_seen(vocd_plugins *p, const char *tenant, const char *name, const char *key, int n)
{
	char err[1024], *last = NULL;
	cJSON *arg = cJSON_CreateObject();
	cJSON_AddStringToObject(arg, "key", key);
	for (int i = 0; i < 500 && last == NULL; i++) {
		cJSON *res = NULL;
		assert_int_equal(vocd_plugins_call(p, tenant, name, "seen", arg, &res, err, sizeof err), 0);
		cJSON *jn = cJSON_GetObjectItem(res, "n"), *jl = cJSON_GetObjectItem(res, "last");
		assert_true(cJSON_IsNumber(jn) && jn->valueint <= n);
		if (jn->valueint == n && cJSON_IsString(jl))
			last = strdup(jl->valuestring);
		cJSON_Delete(res);
		if (last == NULL)
			usleep(10000);
	}
	cJSON_Delete(arg);
	assert_non_null(last);
	return last;
}

static void test_long_hook_names_deliver_and_stay_stable(void **state)
{
	struct env e;
	env_open(&e);
	char dir[] = "/tmp/vocd-plugin-long-XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* A 64-byte tenant and two 120-byte topics that differ only in their last byte: the names
	 * "lua:<tenant>:workflows/longhook:<topic>" are over the bus's 128 bytes and share their head. */
	char tenant[65], topic1[121], topic2[121], code[2048];
	memset(tenant, 'a', 64);
	tenant[0] = 't';
	tenant[64] = '\0';
	snprintf(topic1, sizeof topic1, "evt.%0116d", 0);
	memcpy(topic2, topic1, sizeof topic1);
	topic2[119] = '1';
	snprintf(code, sizeof code,
	         "local function seen(ev, meta)\n"
	         "  local key = 'seen' .. meta.topic:sub(-1)\n"
	         "  local s = vocd.store.get(key) or { n = 0 }\n"
	         "  s.n = s.n + 1\n"
	         "  s.last = ev.id\n"
	         "  vocd.store.put(key, s)\n"
	         "end\n"
	         "vocd.hook('%s', seen)\n"
	         "vocd.hook('%s', seen)\n"
	         "vocd.handle('publish', function(a) return vocd.publish(a.topic, { id = a.id }) end)\n"
	         "vocd.handle('seen', function(a) return vocd.store.get(a.key) or { n = 0 } end)\n"
	         "return { version = '1.0.0', api = 1 }\n",
	         topic1, topic2);
	write_plugin(dir, "longhook", code);
	struct tconf t;
	tconf_init(&t, dir);
	tconf_add(&t, tenant, "longhook", "{}", "long.lua:1");
	vocd_plugins *p = NULL;
	char err[2048];
	if (vocd_plugins_create(&p, &t.cfg, e.st, e.bus, err, sizeof err) != 0)
		fprintf(stderr, "%s\n", err);
	assert_non_null(p);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	char arg[512];
	cJSON *a, *res;
	snprintf(arg, sizeof arg, "{\"topic\": \"%s\", \"id\": \"e1\"}", topic1);
	a = cJSON_Parse(arg);
	assert_int_equal(vocd_plugins_call(p, tenant, "longhook", "publish", a, &res, err, sizeof err), 0);
	cJSON_Delete(a);
	cJSON_Delete(res);
	snprintf(arg, sizeof arg, "{\"topic\": \"%s\", \"id\": \"f1\"}", topic2);
	a = cJSON_Parse(arg);
	assert_int_equal(vocd_plugins_call(p, tenant, "longhook", "publish", a, &res, err, sizeof err), 0);
	cJSON_Delete(a);
	cJSON_Delete(res);
	char *last = wait_seen(p, tenant, "longhook", "seen0", 1);
	assert_string_equal(last, "e1");
	free(last);
	last = wait_seen(p, tenant, "longhook", "seen1", 1);
	assert_string_equal(last, "f1");
	free(last);

	/* Stopped, an event published meanwhile, started again: the bus kept the position under the same
	 * name, so the event is delivered (a new name would start after it). */
	vocd_plugins_destroy(p);
	struct pub_job job = {tenant, topic1, "{\"id\": \"e2\"}"};
	assert_int_equal(vocd_store_write(e.st, pub_fn, &job), 0);
	p = NULL;
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, e.st, e.bus, err, sizeof err), 0);
	last = wait_seen(p, tenant, "longhook", "seen0", 2);
	assert_string_equal(last, "e2");
	free(last);
	vocd_plugins_destroy(p);
	env_close(&e);
	tconf_free(&t);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

static int dummy_event(const struct vocd_event *ev, void *ud)
{
	return 0;
}

static void test_subscription_failure_is_a_load_error(void **state)
{
	struct env e;
	env_open(&e);
	/* Someone else holds the name the raises fixture's hook would subscribe under. */
	assert_int_equal(vocd_bus_subscribe_tenant(e.bus, "lua:demo:workflows/raises:review.posted", "demo",
	                                           "review.posted", dummy_event, NULL),
	                 0);
	struct tconf one, two;
	tconf_init(&one, FIXTURES);
	tconf_add(&one, "demo", "good", "{\"threshold\": 1}", "demo.lua:1");
	tconf_init(&two, FIXTURES);
	tconf_add(&two, "demo", "good", "{\"threshold\": 1}", "demo.lua:1");
	tconf_add(&two, "demo", "raises", "{}", "demo.lua:2");
	vocd_plugins *p = (vocd_plugins *)1;
	char err[2048];
	assert_int_equal(vocd_plugins_create(&p, &two.cfg, e.st, e.bus, err, sizeof err), VOCD_ECONFIG);
	assert_null(p);
	assert_non_null(strstr(err, "tenant demo, plugin workflows/raises: vocd.hook(\"review.posted\"): "
	                            "cannot subscribe to the bus"));

	assert_int_equal(vocd_plugins_create(&p, &one.cfg, e.st, e.bus, err, sizeof err), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);
	err[0] = '\0';
	assert_int_equal(vocd_plugins_reload(p, &two.cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "plugin workflows/raises: vocd.hook(\"review.posted\"): cannot subscribe"));
	/* The running version stays, with its hooks still delivered. */
	cJSON *st;
	assert_int_equal(vocd_plugins_status(p, "demo", &st), 0);
	assert_int_equal(cJSON_GetArraySize(st), 1);
	cJSON_Delete(st);
	cJSON_Delete(call_json(p, "demo", "publish", "{\"topic\": \"review.posted\", \"data\": {\"id\": \"s1\"}}"));
	int found = 0;
	for (int i = 0; i < 500 && !found; i++) {
		cJSON *r = call_json(p, "demo", "get", "{\"key\": \"seen\"}");
		cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "value"), "last_id");
		found = cJSON_IsString(v) && strcmp(v->valuestring, "s1") == 0;
		cJSON_Delete(r);
		if (!found)
			usleep(10000);
	}
	assert_true(found);
	vocd_plugins_destroy(p);
	env_close(&e);
	tconf_free(&one);
	tconf_free(&two);
}

static void test_json_bombs_refused_by_writers(void **state)
{
	struct env e;
	env_open(&e);
	struct tconf t;
	tconf_init(&t, FIXTURES);
	tconf_add(&t, "demo", "jsonbomb", "{}", "demo.lua:1");
	vocd_plugins *p = NULL;
	char err[1024];
	assert_int_equal(vocd_plugins_create(&p, &t.cfg, e.st, e.bus, err, sizeof err), 0);
	static const char *const hooks[] = {"double_put", "double_publish", "double_timer"};
	for (size_t i = 0; i < 3; i++) {
		cJSON *res = NULL;
		assert_int_equal(vocd_plugins_call(p, "demo", "jsonbomb", hooks[i], NULL, &res, err, sizeof err),
		                 VOCD_EPLUGIN);
		assert_null(res);
		assert_non_null(strstr(err, "cannot encode: the JSON text would be longer than 1048576 bytes"));
	}
	vocd_plugins_destroy(p);
	env_close(&e);
	tconf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_messages),
	    cmocka_unit_test(test_schema_shape_checked),
	    cmocka_unit_test(test_settings_rejected_with_file_line),
	    cmocka_unit_test(test_hooks_by_name),
	    cmocka_unit_test(test_status_reports_last_error),
	    cmocka_unit_test(test_reload),
	    cmocka_unit_test(test_reload_while_calls_run),
	    cmocka_unit_test(test_tenants_apart_and_bus_hooks),
	    cmocka_unit_test(test_hook_topics_checked_at_load),
	    cmocka_unit_test(test_long_hook_names_deliver_and_stay_stable),
	    cmocka_unit_test(test_subscription_failure_is_a_load_error),
	    cmocka_unit_test(test_json_bombs_refused_by_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

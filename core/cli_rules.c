/* `vocd rules dry-run`: an admin tries a workflow rule on the stored history before switching it on, and
 * reads what it would have done and why, in the tenant's own time. */
#include "cli_rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dryrun.h"
#include "facts.h"
#include "ids.h"
#include "luahost.h"
#include "rule_actions.h"
#include "error.h"
#include "plugin.h"
#include "server.h"

#define ERRBUF 16384

static void print_time(const struct vocd_tenant_conf *t, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000) + (time_t)t->calendar.cal.utc_offset_min * 60;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char text[32];
	strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
	fputs(text, stdout);
}

static void print_value(const cJSON *v)
{
	char *text = v ? cJSON_PrintUnformatted(v) : NULL;
	fputs(text ? text : "(none)", stdout);
	free(text);
}

/* "evaluation.scores.csat = 2 (< 3) yes" for each condition looked at. */
static void print_why(const cJSON *why)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, why)
	{
		printf("      %s ", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "ok")) ? "✓" : "✗");
		fputs(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "fact")), stdout);
		const char *of = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "of"));
		if (of)
			printf(" of %s %s over %s (%g answers)", of,
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "subject")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "period")),
			       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "answers")));
		fputs(" = ", stdout);
		print_value(cJSON_GetObjectItemCaseSensitive(c, "value"));
		printf("  (%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "op")));
		if (cJSON_GetObjectItemCaseSensitive(c, "expected")) {
			fputc(' ', stdout);
			print_value(cJSON_GetObjectItemCaseSensitive(c, "expected"));
		}
		fputs(")\n", stdout);
	}
}

static void print_would(const cJSON *would)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, would)
	{
		cJSON *copy = cJSON_Duplicate(a, 1);
		const char *what = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "do"));
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "do");
		char *rest = cJSON_PrintUnformatted(copy);
		printf("      → %s %s\n", what ? what : "?", rest ? rest : "");
		free(rest);
		cJSON_Delete(copy);
	}
}

static void print_report(const struct vocd_tenant_conf *t, const cJSON *report)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(report, "rules"))
	{
		printf("%s  %s / %s  (on %s)\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "rule")),
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "name")),
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "name_en")),
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "on")));
		double fired = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "fired"));
		double listed = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "listed"));
		printf("  examined %g, would fire %g time(s) / 检查 %g 条，会触发 %g 次%s\n",
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "examined")), fired,
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "examined")), fired,
		       listed < fired ? " (the first ones listed / 仅列出前几条)" : "");
		const cJSON *h;
		cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(r, "hits"))
		{
			const cJSON *id = h->child; /* {"<type>": id, "at", ...}: the type comes first */
			printf("  %s %s  ", id->string, cJSON_GetStringValue(id));
			print_time(t, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(h, "at")));
			fputc('\n', stdout);
			print_why(cJSON_GetObjectItemCaseSensitive(h, "why"));
			print_would(cJSON_GetObjectItemCaseSensitive(h, "would"));
		}
	}
}

int vocd_cli_rules_dry_run(const struct vocd_cli_dry_run *a)
{
	char *err = malloc(ERRBUF);
	struct vocd_config *cfg = NULL;
	if (!err)
		return 1;
	if (vocd_config_load(&cfg, a->config, err, ERRBUF) != 0) {
		fprintf(stderr, "%s", err);
		free(err);
		return 1;
	}
	int status = 1;
	struct vocd_rule **rules = NULL;
	size_t n = 0;
	vocd_store *st = NULL;
	cJSON *settings = NULL, *report = NULL;
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, a->tenant);
	struct vocd_dryrun_opts o = {0, INT64_MAX, a->limit};
	if (!t) {
		fprintf(stderr, "vocd: no tenant '%s' in %s\n", a->tenant, cfg->file);
		goto out;
	}
	if ((a->from && vocd_dryrun_time(t, a->from, 0, &o.from_ms) != 0) ||
	    (a->to && vocd_dryrun_time(t, a->to, 1, &o.to_ms) != 0)) {
		fprintf(stderr, "vocd: --from and --to take a day such as 2026-11-01 (in the tenant's time) or Unix ms\n");
		goto out;
	}
	if (a->settings && !cJSON_IsObject(settings = cJSON_Parse(a->settings))) {
		fprintf(stderr, "vocd: --settings takes a JSON object such as '{\"csat_below\": 2}'\n");
		goto out;
	}
	if (vocd_plugins_rule_file(cfg, a->tenant, a->rule, settings, &rules, &n, err, ERRBUF) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (vocd_server_open_store(a->data ? a->data : cfg->data_dir, cfg, &st) != 0)
		goto out;
	int rc = vocd_dryrun(st, t, rules, n, &o, &report, err, ERRBUF);
	if (rc != 0) {
		fprintf(stderr, "vocd: %s\n", rc == VOCD_EINVAL ? err : vocd_strerror(rc));
		goto out;
	}
	if (a->json) {
		char *text = cJSON_Print(report);
		puts(text ? text : "");
		free(text);
	} else {
		print_report(t, report);
	}
	status = 0;
out:
	cJSON_Delete(report);
	cJSON_Delete(settings);
	vocd_rules_free(rules, n);
	vocd_store_close(st);
	vocd_config_free(cfg);
	free(err);
	return status;
}

/* ---- vocd rules test ------------------------------------------------------------------------------ */

/* The rule a case is about: the only one, or the one whose label ends with its `rule`. */
static struct vocd_rule *case_rule(struct vocd_rule **rules, size_t n, const char *which)
{
	if (!which)
		return n == 1 ? rules[0] : NULL;
	for (size_t i = 0; i < n; i++) {
		const char *label = vocd_rule_label(rules[i]);
		size_t ll = strlen(label), wl = strlen(which);
		if (strcmp(label, which) == 0 || (ll > wl && label[ll - wl - 1] == '/' && strcmp(label + ll - wl, which) == 0))
			return rules[i];
	}
	return NULL;
}

/* "" when \p got matches what the case lists (in order), else what differs. */
static void compare_list(const cJSON *want, const cJSON *got, const char *what, char *out, size_t outlen)
{
	/* Lua's {} arrives as an empty object: the empty list. */
	char *w = cJSON_IsObject(want) && !want->child ? strdup("[]") : cJSON_PrintUnformatted(want);
	char *g = cJSON_PrintUnformatted(got);
	out[0] = '\0';
	if (w && g && strcmp(w, g) != 0)
		snprintf(out, outlen, "%s: expected %s, got %s", what, w, g);
	free(w);
	free(g);
}

/* Runs one case; "" in \p why when it passed. */
static void run_case(const struct vocd_config *cfg, const struct vocd_tenant_conf *t, const char *file, const cJSON *c,
                     char *why, size_t wl)
{
	struct vocd_rule **rules = NULL;
	size_t n = 0;
	char err[2048];
	why[0] = '\0';
	const cJSON *settings = cJSON_GetObjectItemCaseSensitive(c, "settings");
	if (vocd_plugins_rule_file(cfg, t->id, file, settings, &rules, &n, err, sizeof err) != 0) {
		snprintf(why, wl, "%.2000s", err);
		return;
	}
	struct vocd_rule *r = case_rule(rules, n, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "rule")));
	struct vocd_facts f;
	memset(&f, 0, sizeof f);
	if (!r) {
		snprintf(why, wl, "rule: the file has %zu rules: name the one this case is about (rule = \"<id>\")", n);
		goto out;
	}
	f.tenant = t->id;
	f.conf = t;
	f.topic = vocd_rule_on(r);
	f.at = vocd_now_ms();
	f.unanswered = -1;
	f.given = cJSON_GetObjectItemCaseSensitive(c, "given");
	f.root = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "facts"), 1);
	if (!cJSON_IsObject(f.root)) {
		snprintf(why, wl, "facts: expected { evaluation = { … }, customer = { … }, context = { … } }");
		goto out;
	}
	for (const char *const *k = (const char *const[]){"customer", "context", NULL}; *k; k++)
		if (!cJSON_GetObjectItemCaseSensitive(f.root, *k))
			cJSON_AddObjectToObject(f.root, *k);
	cJSON *held = cJSON_CreateArray();
	int fired = vocd_rule_eval(r, &f, held);
	int want = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "fires"));
	if (fired != want) {
		char *text = cJSON_PrintUnformatted(held);
		snprintf(why, wl, "expected it %s, it did %s; the conditions: %s", want ? "to fire" : "not to fire",
		         fired ? "fire" : "not", text ? text : "");
		free(text);
	} else if (fired) {
		struct vocd_rule_run run = {t->id, t, r, &f, held, 0, 1, cJSON_CreateArray()};
		vocd_rule_act_in(NULL, &run);
		cJSON *kinds = cJSON_CreateArray(), *people = cJSON_CreateArray();
		const cJSON *a, *p;
		cJSON_ArrayForEach(a, run.done)
		{
			cJSON_AddItemToArray(kinds, cJSON_CreateString(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "do"))));
			cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(a, "people"))
				cJSON_AddItemToArray(people, cJSON_Duplicate(p, 1));
		}
		if (cJSON_GetObjectItemCaseSensitive(c, "actions"))
			compare_list(cJSON_GetObjectItemCaseSensitive(c, "actions"), kinds, "actions", why, wl);
		if (!why[0] && cJSON_GetObjectItemCaseSensitive(c, "people"))
			compare_list(cJSON_GetObjectItemCaseSensitive(c, "people"), people, "people told", why, wl);
		cJSON_Delete(kinds);
		cJSON_Delete(people);
		cJSON_Delete(run.done);
	}
	cJSON_Delete(held);
out:
	vocd_facts_free(&f);
	vocd_rules_free(rules, n);
}

int vocd_cli_rules_test(const char *config, const char *tenant, const char *rule, const char *cases)
{
	char *err = malloc(ERRBUF), path[4200];
	struct vocd_config *cfg = NULL;
	cJSON *list = NULL;
	int failed = 0, total = 0;
	if (!err)
		return 1;
	if (vocd_config_load(&cfg, config, err, ERRBUF) != 0) {
		fprintf(stderr, "%s", err);
		free(err);
		return 1;
	}
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, tenant);
	if (!cases) {
		snprintf(path, sizeof path, "%s", rule);
		char *slash = strrchr(path, '/');
		snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "spec/cases.lua");
		cases = path;
	}
	struct vocd_luahost_limits lim = {cfg->limits.lua_memory, cfg->limits.lua_instructions,
	                                  cfg->limits.lua_load_instructions, cfg->limits.lua_max_string};
	if (!t) {
		fprintf(stderr, "vocd: no tenant '%s' in %s\n", tenant, cfg->file);
		failed = 1;
	} else if (vocd_plugins_data_file(cases, &lim, &list, err, ERRBUF) != 0 || !cJSON_IsArray(list)) {
		fprintf(stderr, "vocd: %s\n", list ? "the cases file must return a list of cases { { name = …, … }, … }" : err);
		failed = 1;
	} else {
		printf("%s: %d case(s) from %s\n", rule, cJSON_GetArraySize(list), cases);
		const cJSON *c;
		cJSON_ArrayForEach(c, list)
		{
			char why[2048];
			run_case(cfg, t, rule, c, why, sizeof why);
			const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
			printf("  %s  %s%s%s\n", why[0] ? "FAIL" : "ok  ", name ? name : "(a case without a name)",
			       why[0] ? ": " : "", why);
			failed += why[0] != 0;
			total++;
		}
		printf("%d case(s), %d passed, %d failed\n", total, total - failed, failed);
	}
	cJSON_Delete(list);
	vocd_config_free(cfg);
	free(err);
	return failed ? 1 : 0;
}

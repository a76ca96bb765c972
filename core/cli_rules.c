/* `vocd rules dry-run`: an admin tries a workflow rule on the stored history before switching it on, and
 * reads what it would have done and why, in the tenant's own time. */
#include "cli_rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dryrun.h"
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
	for (size_t i = 0; i < n; i++)
		vocd_rule_free(rules[i]);
	free(rules);
	vocd_store_close(st);
	vocd_config_free(cfg);
	free(err);
	return status;
}

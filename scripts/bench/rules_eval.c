/* Benchmark helper for scripts/bench-rules: the tenant's workflow rules, compiled by the plugin host as the
 * server does, evaluated on one evaluation event many times, with the figures of its agent, team and
 * dealer read from a store holding a month of rollups. Prints one line of key=value figures.
 *
 * usage: rules_eval CONFIG TENANT DATA_DIR EVENTS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "error.h"
#include "facts.h"
#include "ids.h"
#include "plugin.h"
#include "rollup.h"
#include "rules.h"
#include "server.h"

static const char event[] =
	"{\"id\":\"0000000000001234\",\"version\":1,\"customer\":\"c-42\",\"service_type\":\"repair\","
	"\"context\":{\"agent\":\"a-17\",\"team\":\"care\",\"dealer\":\"d-01\",\"store\":\"s-9\",\"region\":\"east\"},"
	"\"scores\":{\"csat\":3,\"nps\":6},\"dimensions\":{\"speed\":2,\"solved\":3,\"attitude\":4},"
	"\"tags\":[\"slow\",\"friendly\"],\"text\":\"维修师傅态度不错，但是等了三天才上门，希望以后能快一点。\","
	"\"channel\":\"sms\",\"lang\":\"zh-CN\",\"source\":{\"ip\":\"10.0.0.1\"},\"created_at\":1796280000000}";

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct bench {
	const struct vocd_tenant_conf *t;
	vocd_store *st;
	long events;
};

/* A month of answers for the agent, team and dealer of the event, so that stats.* figures are read. */
static int seed_job(vocd_txn *txn, void *arg)
{
	struct bench *b = arg;
	cJSON *e = cJSON_Parse(event);
	int rc = 0;
	for (int day = 0; day < 30 && rc == 0; day++) {
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "created_at"), 1796280000000.0 - day * 86400000.0);
		for (int i = 0; i < 20 && rc == 0; i++)
			rc = vocd_rollup_count(txn, b->t->id, &b->t->calendar.cal, e, +1);
	}
	cJSON_Delete(e);
	return rc;
}

static int run(const struct vocd_rule *const *rules, size_t n, void *arg)
{
	struct bench *b = arg;
	vocd_txn *txn;
	if (vocd_store_read(b->st, &txn) != 0)
		return VOCD_EIO;
	long fired = 0;
	/* Evaluation only, on facts built once (the stats figures are read once and kept, as in the server). */
	cJSON *data = cJSON_Parse(event);
	struct vocd_facts f;
	vocd_facts_build(&f, txn, b->t->id, b->t, "evaluation.created", 1, data, 1796280000000);
	double t0 = now_ns();
	for (long k = 0; k < b->events; k++)
		for (size_t i = 0; i < n; i++)
			fired += vocd_rule_listens(rules[i], "evaluation.created") && vocd_rule_eval(rules[i], &f, NULL);
	double eval_ns = (now_ns() - t0) / (double)b->events;
	vocd_facts_free(&f);
	/* Per event as the server does it: parse the event, build its facts (the customer read, the figures
	 * computed afresh), evaluate every rule. */
	t0 = now_ns();
	for (long k = 0; k < b->events; k++) {
		cJSON *d = cJSON_Parse(event);
		struct vocd_facts g;
		vocd_facts_build(&g, txn, b->t->id, b->t, "evaluation.created", 1, d, 1796280000000);
		for (size_t i = 0; i < n; i++)
			if (vocd_rule_listens(rules[i], "evaluation.created"))
				vocd_rule_eval(rules[i], &g, NULL);
		vocd_facts_free(&g);
		cJSON_Delete(d);
	}
	double full_ns = (now_ns() - t0) / (double)b->events;
	/* The reference: parsing the event's JSON, which any subscriber of the bus pays. */
	t0 = now_ns();
	for (long k = 0; k < b->events; k++)
		cJSON_Delete(cJSON_Parse(event));
	double parse_ns = (now_ns() - t0) / (double)b->events;
	vocd_txn_end(txn);
	cJSON_Delete(data);
	printf("rules=%zu fired_per_event=%.1f eval_us=%.2f per_rule_ns=%.0f full_us=%.2f parse_us=%.2f\n", n,
	       (double)fired / (double)b->events, eval_ns / 1000, eval_ns / (double)(n ? n : 1), full_ns / 1000,
	       parse_ns / 1000);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: rules_eval CONFIG TENANT DATA_DIR EVENTS\n");
		return 2;
	}
	static char err[65536];
	struct vocd_config *cfg;
	if (vocd_config_load(&cfg, argv[1], err, sizeof err) != 0) {
		fprintf(stderr, "%s", err);
		return 1;
	}
	struct bench b = {vocd_config_tenant(cfg, argv[2]), NULL, atol(argv[4])};
	vocd_plugins *p;
	if (!b.t || vocd_server_open_store(argv[3], cfg, &b.st) != 0 ||
	    vocd_plugins_create(&p, cfg, NULL, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "rules_eval: cannot set up: %s\n", err);
		return 1;
	}
	int rc = vocd_store_write(b.st, seed_job, &b);
	if (rc == 0)
		rc = vocd_plugins_rules(p, b.t->id, run, &b);
	vocd_plugins_destroy(p);
	vocd_store_close(b.st);
	vocd_config_free(cfg);
	if (rc != 0)
		fprintf(stderr, "rules_eval: %s\n", vocd_strerror(rc));
	return rc ? 1 : 0;
}

/* The vocd command line: serve, check, token, backup, restore. Exit status 0 on success, 1 when the
 * command failed, 2 for a usage mistake. */
#include "cli.h"
#include "cli_config.h"
#include "cli_privacy.h"
#include "cli_rollups.h"
#include "cli_rules.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "config.h"
#include "audit.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "session.h"
#include "pii.h"
#include "record.h"
#include "plugin.h"
#include "server.h"
#include "store.h"
#include "token.h"

#define ERRBUF 16384

static const char usage_text[] =
	"usage: vocd <command> [options]\n"
	"\n"
	"  init    [--config FILE]            create the master key for personal data (once, before serve)\n"
	"  serve   [--config FILE] [--data DIR] [--listen HOST:PORT]\n"
	"          run the server (no --config: the embedded default with a demo tenant)\n"
	"  check   [--config FILE]            validate the configuration and plugins without starting\n"
	"  token create --tenant T --role R [--label TEXT] [--person ID] [--data DIR] [--config FILE]\n"
	"          print a new API token once (roles: admin supervisor agent auditor integrator);\n"
	"          --person: the token acts as that one of the tenant's people (agents: their own tickets)\n"
	"  token list --tenant T [--data DIR] [--config FILE]\n"
	"  token revoke --tenant T --id ID [--data DIR] [--config FILE]\n"
	"  user password --tenant T --person ID [--data DIR] [--config FILE]\n"
	"          set the sign-in password of one of the tenant's people (one with `access`), read from\n"
	"          standard input; also lifts a lock-out after wrong passwords\n"
	"  backup DIR [--data DIR] [--config FILE]   online, consistent copy of the database into DIR\n"
	"  restore DIR [--data DIR] [--config FILE]  put a backup in place (server stopped, empty data dir)\n"
	"  audit verify [--tenant T] [--data DIR] [--config FILE]  check the audit chains end to end\n"
	"  config versions --tenant T [--data DIR] [--config FILE]   versions kept of the tenant's file\n"
	"  config rollback --tenant T --version N [--data DIR] [--key FILE] [--config FILE]\n"
	"          write version N back over the tenant's file (the current one is kept as .before-rollback);\n"
	"          --key: the master key file, when the configuration has errors and cannot tell\n"
	"  rules dry-run --tenant T --rule FILE [--from DAY] [--to DAY] [--settings JSON] [--limit N] [--json]\n"
	"          [--data DIR] [--config FILE]\n"
	"          replay stored history through a workflow rule (FILE: plugins/workflows/NAME/plugin.lua) and\n"
	"          show what it would have done and why; nothing is written. DAY: 2026-11-01 (tenant time)\n"
	"  rules test --tenant T --rule FILE [--cases FILE] [--config FILE]\n"
	"          run a rule on the made-up events of its test cases (default: spec/cases.lua beside FILE)\n"
	"  privacy export --tenant T --customer ID [--reason TEXT] [--data DIR] [--config FILE]\n"
	"          print everything stored about a customer as JSON, personal data in clear (access-logged)\n"
	"  privacy erase --tenant T --customer ID --reason TEXT [--data DIR] [--config FILE]\n"
	"          anonymise a customer: their key is destroyed, personal data gone, scores kept\n"
	"  privacy retention --tenant T [--data DIR] [--config FILE]\n"
	"          run the tenant's retention now (customers past privacy.retention_days anonymised)\n"
	"  privacy access-log --tenant T [--after ID] [--limit N] [--json] [--data DIR] [--config FILE]\n"
	"          who read or exported personal data, when, why and how much\n"
	"  rollups rebuild --tenant T [--data DIR] [--config FILE]\n"
	"          count the tenant's period figures again from its evaluations (safe while serving)\n"
	"  routes                            every HTTP route and the roles that may call it, as JSON\n"
	"  version\n";

struct args {
	const char *config, *data, *listen, *tenant, *role, *label, *id, *person;
	const char *rule, *settings, *from, *to, *limit, *version, *cases, *key;
	const char *customer, *reason, *after;
	int json;
	const char *positional[4];
	int npositional;
};

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"data", required_argument, 0, 'd'},
		{"listen", required_argument, 0, 'l'}, {"tenant", required_argument, 0, 't'},
		{"role", required_argument, 0, 'r'},   {"label", required_argument, 0, 'L'},
		{"id", required_argument, 0, 'i'},     {"help", no_argument, 0, 'h'},
		{"person", required_argument, 0, 'p'}, {"rule", required_argument, 0, 'R'},
		{"settings", required_argument, 0, 'S'}, {"from", required_argument, 0, 'F'},
		{"to", required_argument, 0, 'T'},       {"limit", required_argument, 0, 'N'},
		{"json", no_argument, 0, 'J'},          {"version", required_argument, 0, 'V'},
		{"cases", required_argument, 0, 'C'},   {"key", required_argument, 0, 'K'},
		{"customer", required_argument, 0, 'U'}, {"reason", required_argument, 0, 'W'},
		{"after", required_argument, 0, 'A'},
		{0, 0, 0, 0},
	};
	memset(a, 0, sizeof *a);
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "c:d:l:t:r:L:i:p:R:S:F:T:N:JV:C:K:U:W:A:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'd': a->data = optarg; break;
		case 'l': a->listen = optarg; break;
		case 't': a->tenant = optarg; break;
		case 'r': a->role = optarg; break;
		case 'L': a->label = optarg; break;
		case 'i': a->id = optarg; break;
		case 'p': a->person = optarg; break;
		case 'R': a->rule = optarg; break;
		case 'S': a->settings = optarg; break;
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'N': a->limit = optarg; break;
		case 'J': a->json = 1; break;
		case 'V': a->version = optarg; break;
		case 'C': a->cases = optarg; break;
		case 'K': a->key = optarg; break;
		case 'U': a->customer = optarg; break;
		case 'W': a->reason = optarg; break;
		case 'A': a->after = optarg; break;
		default: return -1;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (a->npositional == 4)
			return -1;
		a->positional[a->npositional++] = argv[i];
	}
	return 0;
}

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

static struct vocd_config *load_config(const char *file)
{
	char *err = malloc(ERRBUF);
	struct vocd_config *cfg = NULL;
	if (err && vocd_config_load(&cfg, file, err, ERRBUF) != 0)
		fprintf(stderr, "%s", err);
	free(err);
	return cfg;
}

static int cmd_serve(const struct args *a)
{
	if (a->npositional)
		return usage();
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread starts, so only sigwait below sees them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit makes writes fail with EFBIG, which storage answers as "full"; not a crash. */
	signal(SIGXFSZ, SIG_IGN);

	struct vocd_serve_opts so = {a->config, a->data, a->listen};
	struct vocd_server *srv;
	if (vocd_server_start(&srv, &so) != 0) {
		fprintf(stderr, "vocd: not started (see the messages above)\n");
		return 1;
	}
	printf("vocd: serving %s\n", srv->listen_url);
	fflush(stdout);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* Who sent the signal is not known: the versions it activates say "signal". */
			struct vocd_actor who = {{VOCD_AUDIT_ACTOR_SYSTEM, "signal", NULL}, {NULL, "signal", NULL, NULL}};
			char *err = malloc(ERRBUF);
			if (err)
				vocd_server_reload(srv, &who, err, ERRBUF);
			free(err);
			continue;
		}
		vocd_info("signal %d: stopping", sig);
		break;
	}
	vocd_server_stop(srv);
	return 0;
}

static int cmd_init(const struct args *a)
{
	if (a->npositional)
		return usage();
	struct vocd_config *cfg = load_config(a->config);
	if (!cfg)
		return 1;
	int rc = vocd_pii_init_key(cfg->key_file);
	if (rc == 0)
		printf("master key created at %s: back it up apart from the data, and keep it secret\n", cfg->key_file);
	else if (rc == VOCD_EEXIST)
		printf("master key already at %s: left as it is\n", cfg->key_file);
	else
		fprintf(stderr, "vocd: cannot create the master key at %s: %s\n", cfg->key_file, vocd_strerror(rc));
	vocd_config_free(cfg);
	return rc == 0 || rc == VOCD_EEXIST ? 0 : 1;
}

static int cmd_check(const struct args *a)
{
	if (a->npositional)
		return usage();
	struct vocd_config *cfg = load_config(a->config);
	if (!cfg)
		return 1;
	char *err = malloc(ERRBUF);
	int rc = err ? vocd_plugins_check(cfg, err, ERRBUF) : VOCD_ENOMEM;
	if (rc != 0) {
		size_t n = err ? strlen(err) : 0;
		fprintf(stderr, "%s%s", err ? err : "out of memory", n == 0 || err[n - 1] != '\n' ? "\n" : "");
	} else {
		size_t nplugins = 0;
		for (size_t i = 0; i < cfg->ntenants; i++)
			nplugins += cfg->tenants[i].nplugins;
		printf("%s: ok (%zu tenant(s), %zu plugin setting(s))\n", cfg->file, cfg->ntenants, nplugins);
	}
	free(err);
	vocd_config_free(cfg);
	return rc == 0 ? 0 : 1;
}

/* The store of the data directory named by --data or the configuration. */
static int open_store(const struct args *a, struct vocd_config **cfg, vocd_store **st)
{
	*cfg = load_config(a->config);
	if (!*cfg)
		return 1;
	if (vocd_server_open_store(a->data ? a->data : (*cfg)->data_dir, *cfg, st) != 0) {
		vocd_config_free(*cfg);
		return 1;
	}
	return 0;
}

static int cmd_token(const struct args *a)
{
	if (a->npositional != 1 || !a->tenant)
		return usage();
	const char *sub = a->positional[0];
	struct vocd_config *cfg;
	vocd_store *st;
	if (open_store(a, &cfg, &st) != 0)
		return 1;
	int rc = 1;
	if (!vocd_config_tenant(cfg, a->tenant)) {
		fprintf(stderr, "vocd: no tenant '%s' in %s\n", a->tenant, cfg->file);
	} else if (strcmp(sub, "create") == 0) {
		int role = vocd_role_parse(a->role);
		char token[VOCD_TOKEN_MAX];
		struct vocd_token_info info;
		if (role < 0) {
			fprintf(stderr, "vocd: --role must be one of admin, supervisor, agent, auditor, integrator\n");
		} else if (a->person && !vocd_people_find(&vocd_config_tenant(cfg, a->tenant)->people, a->person)) {
			fprintf(stderr, "vocd: --person %s is not one of the people of tenant %s (people = { ... } in its file)\n",
			        a->person, a->tenant);
		} else if (vocd_token_create_for(st, a->tenant, role, a->label, a->person, token, &info) != 0) {
			fprintf(stderr, "vocd: the token could not be stored\n");
		} else {
			printf("%s\n", token);
			fprintf(stderr, "token %s for tenant %s, role %s%s%s: shown once, keep it safe\n", info.id, a->tenant,
			        vocd_role_name(role), a->person ? ", person " : "", a->person ? a->person : "");
			rc = 0;
		}
	} else if (strcmp(sub, "list") == 0) {
		cJSON *list;
		if (vocd_token_list(st, a->tenant, &list) == 0) {
			cJSON *item;
			cJSON_ArrayForEach(item, list) {
				printf("%s  %-10s  %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(item, "id")),
				       cJSON_GetStringValue(cJSON_GetObjectItem(item, "role")),
				       cJSON_GetStringValue(cJSON_GetObjectItem(item, "label")));
			}
			cJSON_Delete(list);
			rc = 0;
		}
	} else if (strcmp(sub, "revoke") == 0 && a->id) {
		int r = vocd_token_revoke(st, a->tenant, a->id);
		if (r == 0)
			rc = 0;
		else
			fprintf(stderr, "vocd: %s\n", r == VOCD_ENOTFOUND ? "no such token" : vocd_strerror(r));
	} else {
		rc = usage();
	}
	vocd_store_close(st);
	vocd_config_free(cfg);
	return rc;
}

/* One line of standard input, not echoed when it is a terminal. */
static int read_secret_line(const char *prompt, char *out, size_t cap)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fprintf(stderr, "%s", prompt);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	int ok = fgets(out, (int)cap, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int cmd_user(const struct args *a)
{
	if (a->npositional != 1 || strcmp(a->positional[0], "password") != 0 || !a->tenant || !a->person)
		return usage();
	struct vocd_config *cfg;
	vocd_store *st;
	if (open_store(a, &cfg, &st) != 0)
		return 1;
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, a->tenant);
	const struct vocd_person *p = t ? vocd_people_find(&t->people, a->person) : NULL;
	char password[VOCD_PASSWORD_MAX_LEN + 2];
	int rc = 1;
	if (!t) {
		fprintf(stderr, "vocd: no tenant '%s' in %s\n", a->tenant, cfg->file);
	} else if (!p || p->access < 0) {
		fprintf(stderr, "vocd: %s is not one of the people of tenant %s with `access = \"...\"` in its file: only they "
		        "sign in\n", a->person, a->tenant);
	} else if (read_secret_line("password: ", password, sizeof password) != 0) {
		fprintf(stderr, "vocd: no password on standard input\n");
	} else if (vocd_password_unusable(password)) {
		fprintf(stderr, "vocd: %s\n", vocd_password_unusable(password));
	} else {
		struct vocd_actor who;
		vocd_actor_operator(&who);
		int r = vocd_password_set(st, a->tenant, a->person, password, &who);
		if (r == 0) {
			fprintf(stderr, "password of %s (tenant %s, access %s) set\n", a->person, a->tenant,
			        vocd_role_name(p->access));
			rc = 0;
		} else {
			fprintf(stderr, "vocd: the password could not be stored: %s\n", vocd_strerror(r));
		}
	}
	memset(password, 0, sizeof password);
	vocd_store_close(st);
	vocd_config_free(cfg);
	return rc;
}

static int verify_one(vocd_store *st, const char *tenant)
{
	struct vocd_audit_report r;
	int rc = vocd_audit_verify(st, tenant, &r);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot verify: %s\n", tenant, vocd_strerror(rc));
		return 1;
	}
	if (r.ok)
		printf("%s: ok, %llu entries, head %s\n", tenant, (unsigned long long)r.checked, r.head_hash[0] ? r.head_hash : "-");
	else
		printf("%s: FAILED after %llu good entries: %s\n", tenant, (unsigned long long)r.checked, r.reason);
	return r.ok ? 0 : 1;
}

static int cmd_audit(const struct args *a)
{
	if (a->npositional != 1 || strcmp(a->positional[0], "verify") != 0)
		return usage();
	struct vocd_config *cfg;
	vocd_store *st;
	if (open_store(a, &cfg, &st) != 0)
		return 1;
	int failed = 0;
	if (a->tenant) {
		failed = verify_one(st, a->tenant);
	} else {
		/* Every tenant with an audit trail in the database, configured now or not. */
		cJSON *list = NULL;
		if (vocd_audit_tenants(st, &list) != 0) {
			fprintf(stderr, "vocd: cannot list the tenants\n");
			failed = 1;
		}
		cJSON *t;
		cJSON_ArrayForEach(t, list)
			failed |= verify_one(st, cJSON_GetStringValue(t));
		cJSON_Delete(list);
	}
	vocd_store_close(st);
	vocd_config_free(cfg);
	return failed ? 1 : 0;
}

static int cmd_backup(const struct args *a)
{
	if (a->npositional != 1)
		return usage();
	struct vocd_config *cfg;
	vocd_store *st;
	if (open_store(a, &cfg, &st) != 0)
		return 1;
	int rc = vocd_store_backup(st, a->positional[0]);
	if (rc != 0)
		fprintf(stderr, "vocd: backup failed: %s\n", vocd_strerror(rc));
	else
		printf("backup written to %s\n", a->positional[0]);
	vocd_store_close(st);
	vocd_config_free(cfg);
	return rc == 0 ? 0 : 1;
}

static int cmd_restore(const struct args *a)
{
	if (a->npositional != 1)
		return usage();
	struct vocd_config *cfg = load_config(a->config);
	if (!cfg)
		return 1;
	const char *data = a->data ? a->data : cfg->data_dir;
	int rc = vocd_store_restore(a->positional[0], data);
	if (rc != 0)
		fprintf(stderr, "vocd: restore failed: %s (the data directory must hold no database; stop the server "
		        "and move the old data directory aside first)\n", vocd_strerror(rc));
	else
		printf("restored %s into %s\n", a->positional[0], data);
	vocd_config_free(cfg);
	return rc == 0 ? 0 : 1;
}

static int cmd_rules(const struct args *a)
{
	if (a->npositional == 1 && strcmp(a->positional[0], "test") == 0 && a->tenant && a->rule)
		return vocd_cli_rules_test(a->config, a->tenant, a->rule, a->cases);
	if (a->npositional != 1 || strcmp(a->positional[0], "dry-run") != 0 || !a->tenant || !a->rule)
		return usage();
	char *end = NULL;
	long limit = a->limit ? strtol(a->limit, &end, 10) : 0;
	if (a->limit && (*end || limit < 1 || limit > 100000)) {
		fprintf(stderr, "vocd: --limit takes a number from 1 to 100000\n");
		return 2;
	}
	struct vocd_cli_dry_run d = {a->config, a->data, a->tenant, a->rule, a->settings, a->from, a->to, (int)limit, a->json};
	return vocd_cli_rules_dry_run(&d);
}

static int cmd_config(const struct args *a)
{
	if (a->npositional != 1 || !a->tenant)
		return usage();
	if (strcmp(a->positional[0], "versions") == 0)
		return vocd_cli_config_versions(a->config, a->data, a->tenant);
	if (strcmp(a->positional[0], "rollback") == 0 && a->version)
		return vocd_cli_config_rollback(a->config, a->data, a->key, a->tenant, a->version);
	return usage();
}

static int cmd_privacy(const struct args *a)
{
	if (a->npositional != 1)
		return usage();
	char *end = NULL;
	long limit = a->limit ? strtol(a->limit, &end, 10) : 0;
	if (a->limit && (*end || limit < 1 || limit > 1000)) {
		fprintf(stderr, "vocd: --limit takes a number from 1 to 1000\n");
		return 2;
	}
	struct vocd_cli_privacy p = {a->config, a->data, a->tenant, a->customer, a->reason, a->after, (int)limit, a->json};
	int rc = vocd_cli_privacy(a->positional[0], &p);
	return rc == 2 ? usage() : rc;
}

int vocd_cli_main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	struct args a;
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("vocd %s\n", VOCD_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (parse(argc - 1, argv + 1, &a) != 0)
		return usage();
	if (strcmp(cmd, "init") == 0)
		return cmd_init(&a);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&a);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(&a);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(&a);
	if (strcmp(cmd, "token") == 0)
		return cmd_token(&a);
	if (strcmp(cmd, "user") == 0)
		return cmd_user(&a);
	if (strcmp(cmd, "routes") == 0) {
		cJSON *routes = vocd_http_routes();
		char *text = cJSON_Print(routes);
		printf("%s\n", text ? text : "[]");
		free(text);
		cJSON_Delete(routes);
		return text ? 0 : 1;
	}
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(&a);
	if (strcmp(cmd, "restore") == 0)
		return cmd_restore(&a);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(&a);
	if (strcmp(cmd, "config") == 0)
		return cmd_config(&a);
	if (strcmp(cmd, "privacy") == 0)
		return cmd_privacy(&a);
	if (strcmp(cmd, "rollups") == 0) {
		int rc = a.npositional == 1 ? vocd_cli_rollups(a.positional[0], a.config, a.data, a.tenant) : 2;
		return rc == 2 ? usage() : rc;
	}
	fprintf(stderr, "vocd: unknown command '%s'\n", cmd);
	return usage();
}

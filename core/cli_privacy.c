/* `vocd privacy export | erase | retention | access-log`: privacy requests handled by an operator on the
 * server, with the same functions, audit entries and access log as the API's. */
#include "cli_privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "ids.h"
#include "privacy.h"
#include "privacy_access.h"
#include "retention.h"
#include "server.h"

#define ERRBUF 16384

struct session {
	struct vocd_config *cfg;
	vocd_store *st;
	vocd_pii *pii;
	const struct vocd_tenant_conf *t;
};

static void close_session(struct session *s)
{
	vocd_pii_close(s->pii);
	vocd_store_close(s->st);
	vocd_config_free(s->cfg);
}

/* The configuration, its tenant, the store and (when \p key) the master key. */
static int open_session(const struct vocd_cli_privacy *a, int key, struct session *s)
{
	memset(s, 0, sizeof *s);
	char *err = malloc(ERRBUF);
	if (!err || vocd_config_load(&s->cfg, a->config, err, ERRBUF) != 0) {
		fprintf(stderr, "%s", err ? err : "vocd: out of memory\n");
		free(err);
		return 1;
	}
	free(err);
	if (!(s->t = vocd_config_tenant(s->cfg, a->tenant))) {
		fprintf(stderr, "vocd: no tenant '%s' in %s\n", a->tenant, s->cfg->file);
		close_session(s);
		return 1;
	}
	if (vocd_server_open_store(a->data ? a->data : s->cfg->data_dir, s->cfg, &s->st) != 0 ||
	    (key && vocd_pii_open(&s->pii, s->cfg->key_file) != 0)) {
		fprintf(stderr, "vocd: cannot open the data directory or the master key (see above)\n");
		close_session(s);
		return 1;
	}
	return 0;
}

static int cmd_export(const struct vocd_cli_privacy *a, struct session *s)
{
	static const char *const fields[] = {"name", "phone", "email", NULL};
	cJSON *e = NULL;
	size_t records = 0;
	int nfields = 0;
	int rc = vocd_privacy_export(s->st, s->pii, a->tenant, a->customer, &e, &records, &nfields);
	if (rc == 0) {
		struct vocd_actor who;
		vocd_actor_operator(&who);
		struct vocd_privacy_access acc = {"export", a->customer, a->reason, "cli privacy export", NULL, fields,
		                                  records, nfields};
		rc = vocd_privacy_access_log(s->st, a->tenant, &acc, &who, NULL);
		if (rc != 0)
			fprintf(stderr, "vocd: the export could not be logged (%s), so it is not shown\n", vocd_strerror(rc));
	} else if (rc == VOCD_ENOTFOUND) {
		fprintf(stderr, "vocd: tenant %s has no customer %s\n", a->tenant, a->customer);
	} else {
		fprintf(stderr, "vocd: export failed: %s\n", vocd_strerror(rc));
	}
	char *text = rc == 0 ? cJSON_Print(e) : NULL;
	if (text)
		printf("%s\n", text);
	else if (rc == 0)
		rc = VOCD_ENOMEM;
	cJSON_free(text);
	cJSON_Delete(e);
	return rc == 0 ? 0 : 1;
}

static int cmd_erase(const struct vocd_cli_privacy *a, struct session *s)
{
	struct vocd_actor who;
	vocd_actor_operator(&who);
	int already = 0;
	int rc = vocd_customer_erase(s->st, a->tenant, a->customer, a->reason, &who, &already);
	if (rc == VOCD_ENOTFOUND)
		fprintf(stderr, "vocd: tenant %s has no customer %s\n", a->tenant, a->customer);
	else if (rc == VOCD_EINVAL)
		fprintf(stderr, "vocd: --reason: 1 to %d bytes saying why (kept with the erasure)\n", VOCD_PRIVACY_REASON_MAX);
	else if (rc != 0)
		fprintf(stderr, "vocd: erase failed: %s\n", vocd_strerror(rc));
	else if (already)
		printf("customer %s of tenant %s: already erased, nothing left to erase\n", a->customer, a->tenant);
	else
		printf("customer %s of tenant %s: personal data erased (key destroyed); evaluations and scores kept\n",
		       a->customer, a->tenant);
	return rc == 0 ? 0 : 1;
}

static int cmd_retention(const struct vocd_cli_privacy *a, struct session *s)
{
	if (s->t->privacy.retention_ms <= 0) {
		fprintf(stderr, "vocd: tenant %s has no retention limit (privacy = { retention_days = N } in its file)\n",
		        a->tenant);
		return 1;
	}
	struct vocd_actor who;
	vocd_actor_operator(&who);
	size_t count = 0;
	int rc = vocd_retention_run(s->st, a->tenant, s->t->privacy.retention_ms, &who, 0, &count);
	if (rc != 0)
		fprintf(stderr, "vocd: retention failed after %zu customer(s): %s\n", count, vocd_strerror(rc));
	else
		printf("tenant %s: %zu customer(s) past the retention limit anonymised\n", a->tenant, count);
	return rc == 0 ? 0 : 1;
}

static const char *str(const cJSON *o, const char *path1, const char *path2)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, path1);
	if (path2)
		v = cJSON_GetObjectItemCaseSensitive(v, path2);
	const char *s = cJSON_GetStringValue(v);
	return s ? s : "-";
}

static int cmd_access_log(const struct vocd_cli_privacy *a, struct session *s)
{
	cJSON *list = NULL;
	char next[24];
	int rc = vocd_privacy_access_list(s->st, a->tenant, a->after, a->limit, &list, next);
	if (rc != 0) {
		fprintf(stderr, "vocd: cannot read the access log: %s\n", vocd_strerror(rc));
		return 1;
	}
	if (a->json) {
		char *text = cJSON_Print(list);
		printf("%s\n", text ? text : "[]");
		cJSON_free(text);
	} else {
		const cJSON *e;
		cJSON_ArrayForEach(e, list)
		{
			char when[32];
			vocd_utc_text(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "time")), when);
			const cJSON *much = cJSON_GetObjectItemCaseSensitive(e, "how_much");
			printf("%s  %s  %-6s  customer %s  %g record(s), %g field(s)  by %s %s/%s  why: %s\n", str(e, "id", NULL),
			       when, str(e, "action", NULL), str(e, "what", "customer"),
			       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(much, "records")),
			       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(much, "fields")), str(e, "who", "kind"),
			       str(e, "who", "id"), str(e, "who", "role"), str(e, "why", NULL));
		}
		if (next[0])
			printf("more: --after %s\n", next);
	}
	cJSON_Delete(list);
	return 0;
}

int vocd_cli_privacy(const char *sub, const struct vocd_cli_privacy *a)
{
	int needs_customer = strcmp(sub, "export") == 0 || strcmp(sub, "erase") == 0;
	if (!a->tenant || (needs_customer && !a->customer) ||
	    (!needs_customer && strcmp(sub, "retention") != 0 && strcmp(sub, "access-log") != 0))
		return 2;
	if (strcmp(sub, "erase") == 0 && (!a->reason || !*a->reason)) {
		fprintf(stderr, "vocd: privacy erase needs --reason TEXT (why: the customer's request, a ticket number...)\n");
		return 2;
	}
	if (a->reason && strlen(a->reason) > VOCD_PRIVACY_REASON_MAX) {
		fprintf(stderr, "vocd: --reason: at most %d bytes\n", VOCD_PRIVACY_REASON_MAX);
		return 2;
	}
	struct session s;
	if (open_session(a, strcmp(sub, "export") == 0, &s) != 0)
		return 1;
	int rc;
	if (strcmp(sub, "export") == 0)
		rc = cmd_export(a, &s);
	else if (strcmp(sub, "erase") == 0)
		rc = cmd_erase(a, &s);
	else if (strcmp(sub, "retention") == 0)
		rc = cmd_retention(a, &s);
	else
		rc = cmd_access_log(a, &s);
	close_session(&s);
	return rc;
}

/* The personal-data access log, one audited record per unmasked read or export. */
#include "privacy_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ids.h"

struct log_job {
	const char *tenant;
	const struct vocd_privacy_access *a;
	const struct vocd_actor *who;
	char id[24];
};

static cJSON *entry(const struct log_job *j)
{
	const struct vocd_privacy_access *a = j->a;
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "id", j->id);
	cJSON_AddNumberToObject(e, "time", (double)vocd_now_ms());
	cJSON *who = cJSON_AddObjectToObject(e, "who");
	cJSON_AddStringToObject(who, "kind", vocd_audit_actor_kind_name(j->who->actor.kind));
	cJSON_AddStringToObject(who, "id", j->who->actor.id);
	if (j->who->actor.role)
		cJSON_AddStringToObject(who, "role", j->who->actor.role);
	if (a->person && *a->person)
		cJSON_AddStringToObject(who, "person", a->person);
	if (a->reason && *a->reason)
		cJSON_AddStringToObject(e, "why", a->reason);
	else
		cJSON_AddNullToObject(e, "why");
	cJSON_AddStringToObject(e, "action", a->action);
	cJSON *what = cJSON_AddObjectToObject(e, "what");
	cJSON_AddStringToObject(what, "customer", a->customer);
	cJSON *fields = cJSON_AddArrayToObject(what, "fields");
	for (const char *const *f = a->fields; f && *f; f++)
		cJSON_AddItemToArray(fields, cJSON_CreateString(*f));
	cJSON *much = cJSON_AddObjectToObject(e, "how_much");
	cJSON_AddNumberToObject(much, "records", (double)a->records);
	cJSON_AddNumberToObject(much, "fields", a->nfields);
	if (a->route)
		cJSON_AddStringToObject(e, "route", a->route);
	cJSON *src = cJSON_AddObjectToObject(e, "source");
	if (j->who->source.ip)
		cJSON_AddStringToObject(src, "ip", j->who->source.ip);
	if (j->who->source.channel)
		cJSON_AddStringToObject(src, "channel", j->who->source.channel);
	return e;
}

static int valid(const struct vocd_privacy_access *a, const struct vocd_actor *who)
{
	return a && a->action && (strcmp(a->action, "read") == 0 || strcmp(a->action, "export") == 0) && a->customer &&
	       *a->customer && who && who->actor.id;
}

int vocd_privacy_access_log_in(vocd_txn *txn, const char *tenant, const struct vocd_privacy_access *a,
                               const struct vocd_actor *who, char id_out[24])
{
	if (!valid(a, who))
		return VOCD_EINVAL;
	struct log_job j = {tenant, a, who, ""};
	int rc = vocd_seq_id(txn, j.tenant, VOCD_PRIVACY_ACCESS_TYPE, j.id);
	if (rc != 0)
		return rc;
	cJSON *e = entry(&j);
	rc = vocd_record_put(txn, j.tenant, VOCD_PRIVACY_ACCESS_TYPE, j.id, e, NULL, 0,
	                     strcmp(a->action, "export") == 0 ? "privacy.export" : "privacy.read", who, NULL);
	cJSON_Delete(e);
	if (rc == 0 && id_out)
		memcpy(id_out, j.id, sizeof j.id);
	return rc;
}

static int log_job(vocd_txn *txn, void *arg)
{
	struct log_job *j = arg;
	return vocd_privacy_access_log_in(txn, j->tenant, j->a, j->who, j->id);
}

int vocd_privacy_access_log(vocd_store *st, const char *tenant, const struct vocd_privacy_access *a,
                            const struct vocd_actor *who, char id_out[24])
{
	if (!valid(a, who))
		return VOCD_EINVAL;
	struct log_job j = {tenant, a, who, ""};
	int rc = vocd_store_write(st, log_job, &j);
	if (rc == 0 && id_out)
		memcpy(id_out, j.id, sizeof j.id);
	return rc;
}

int vocd_privacy_access_list(vocd_store *st, const char *tenant, const char *after, int limit, cJSON **out,
                             char next_after[24])
{
	*out = NULL;
	char from[24] = ""; /* copied first: \p after may be the caller's \p next_after of the page before */
	if (after)
		snprintf(from, sizeof from, "%s", after);
	next_after[0] = '\0';
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	cJSON *items = cJSON_CreateArray();
	char next[130];
	rc = vocd_record_page(txn, tenant, VOCD_PRIVACY_ACCESS_TYPE, from, limit > 0 ? limit : 100, NULL, NULL, items, next);
	vocd_txn_end(txn);
	if (rc < 0) {
		cJSON_Delete(items);
		return rc;
	}
	snprintf(next_after, 24, "%.23s", next); /* ids here are 16 digits */
	*out = items;
	return 0;
}

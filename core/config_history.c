/* Tenant configuration versions, kept on activation. */
#include "config_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ids.h"
#include "pii.h"

#define HEAD_TYPE "config.head"
/* The texts are sealed: a tenant file holds channel secrets and its staff's phones and emails. */
#define SEAL_PURPOSE "config"

static void sha_hex(const char *text, char out[65])
{
	unsigned char d[32];
	vocd_sha256(text, strlen(text), d);
	vocd_hex(d, sizeof d, out);
}

struct record_job {
	const struct vocd_config *cfg;
	vocd_pii *pii;
	const struct vocd_actor *who;
};

static int record_one(vocd_txn *txn, const struct vocd_tenant_conf *t, vocd_pii *pii, const struct vocd_actor *who)
{
	char sha[65];
	sha_hex(t->text, sha);
	cJSON *head = NULL;
	int rc = vocd_record_get(txn, t->id, HEAD_TYPE, "head", &head);
	if (rc != 0 && rc != VOCD_ENOTFOUND)
		return rc;
	const char *last = vocd_json_str(head, "sha256");
	int same = last && strcmp(last, sha) == 0;
	cJSON_Delete(head);
	if (same)
		return 0;
	char id[24], *sealed = NULL;
	if ((rc = vocd_pii_seal_text(pii, SEAL_PURPOSE, t->id, t->text, &sealed)) != 0)
		return rc;
	if ((rc = vocd_seq_id(txn, t->id, VOCD_CONFIG_VERSION_TYPE, id)) != 0) {
		free(sealed);
		return rc;
	}
	unsigned long long n = strtoull(id, NULL, 10);
	cJSON *v = cJSON_CreateObject();
	cJSON_AddNumberToObject(v, "version", (double)n);
	cJSON_AddNumberToObject(v, "at", (double)vocd_now_ms());
	cJSON_AddStringToObject(v, "file", t->file);
	cJSON_AddStringToObject(v, "sha256", sha);
	cJSON *by = cJSON_AddObjectToObject(v, "by");
	cJSON_AddStringToObject(by, "kind", vocd_audit_actor_kind_name(who->actor.kind));
	cJSON_AddStringToObject(by, "id", who->actor.id);
	if (who->actor.role)
		cJSON_AddStringToObject(by, "role", who->actor.role);
	cJSON_AddStringToObject(v, "sealed", sealed);
	free(sealed);
	rc = vocd_record_put(txn, t->id, VOCD_CONFIG_VERSION_TYPE, id, v, NULL, 0, "config.activate", who, NULL);
	cJSON_Delete(v);
	if (rc != 0)
		return rc;
	cJSON *h = cJSON_CreateObject();
	cJSON_AddNumberToObject(h, "version", (double)n);
	cJSON_AddStringToObject(h, "sha256", sha);
	char *text = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	rc = text ? vocd_rec_put(txn, t->id, HEAD_TYPE, "head", text, strlen(text), NULL, 0) : VOCD_ENOMEM;
	free(text);
	return rc;
}

static int record_job(vocd_txn *txn, void *arg)
{
	struct record_job *j = arg;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j->cfg->ntenants; i++)
		if (j->cfg->tenants[i].text)
			rc = record_one(txn, &j->cfg->tenants[i], j->pii, j->who);
	return rc;
}

int vocd_config_history_record(vocd_store *st, const struct vocd_config *cfg, vocd_pii *pii,
                                const struct vocd_actor *who)
{
	struct record_job j = {cfg, pii, who};
	return vocd_store_write(st, record_job, &j);
}

static int add_version(const char *id, const void *data, size_t len, void *arg)
{
	cJSON *v = cJSON_ParseWithLength(data, len);
	if (v) {
		cJSON_DeleteItemFromObjectCaseSensitive(v, "sealed");
		cJSON_AddItemToArray(arg, v);
	}
	return 0;
}

int vocd_config_history_list(vocd_store *st, const char *tenant, cJSON **out)
{
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	cJSON *list = cJSON_CreateArray();
	rc = vocd_rec_scan(txn, tenant, VOCD_CONFIG_VERSION_TYPE, NULL, add_version, list);
	vocd_txn_end(txn);
	if (rc < 0) {
		cJSON_Delete(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vocd_config_history_get(vocd_store *st, vocd_pii *pii, const char *tenant, unsigned version, cJSON **out)
{
	char id[24];
	snprintf(id, sizeof id, "%016u", version);
	cJSON *v = NULL;
	int rc = vocd_record_read(st, tenant, VOCD_CONFIG_VERSION_TYPE, id, &v);
	char *text = NULL;
	if (rc == 0)
		rc = vocd_pii_open_text(pii, SEAL_PURPOSE, tenant, vocd_json_str(v, "sealed"), &text);
	if (rc == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(v, "sealed");
		cJSON_AddStringToObject(v, "text", text);
		vocd_pii_free(text);
		*out = v;
		return 0;
	}
	cJSON_Delete(v);
	return rc;
}

/* API tokens. The secret is 32 random bytes; the stored record holds only SHA-256 of the whole token
 * text, compared in constant time. */
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "ids.h"
#include "json_text.h"
#include "record.h"
#include "validate.h"

#define TOKEN_TYPE "auth.token"

static const char *const role_names[] = {"admin", "supervisor", "agent", "auditor", "integrator"};

int vocd_role_parse(const char *name)
{
	for (int i = 0; name && i < (int)(sizeof role_names / sizeof role_names[0]); i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}

const char *vocd_role_name(int role)
{
	return role >= 0 && role < (int)(sizeof role_names / sizeof role_names[0]) ? role_names[role] : "?";
}

static void token_hash(const char *token, char out[65])
{
	unsigned char digest[32];
	vocd_sha256(token, strlen(token), digest);
	vocd_hex(digest, sizeof digest, out);
}

int vocd_token_split(const char *text, const char *prefix, char tenant[65], char id[17])
{
	size_t pl = strlen(prefix);
	if (!text || strncmp(text, prefix, pl) != 0 || strlen(text) >= VOCD_TOKEN_MAX)
		return VOCD_EAUTH;
	const char *t = text + pl;
	const char *dot1 = strchr(t, '.');
	if (!dot1 || dot1 - t > 64)
		return VOCD_EAUTH;
	const char *dot2 = strchr(dot1 + 1, '.');
	if (!dot2 || dot2 - dot1 - 1 != 16 || strlen(dot2 + 1) != 43)
		return VOCD_EAUTH;
	memcpy(tenant, t, (size_t)(dot1 - t));
	tenant[dot1 - t] = '\0';
	memcpy(id, dot1 + 1, 16);
	id[16] = '\0';
	return vocd_tenant_id_valid(tenant) ? 0 : VOCD_EAUTH;
}

int vocd_token_mint(const char *prefix, const char *tenant, char out[VOCD_TOKEN_MAX], char id[17], char hash[65])
{
	unsigned char id_bytes[8], secret[32];
	char secret_text[48];
	int rc = vocd_random_bytes(id_bytes, sizeof id_bytes);
	if (rc == 0)
		rc = vocd_random_bytes(secret, sizeof secret);
	if (rc != 0)
		return rc;
	vocd_hex(id_bytes, sizeof id_bytes, id);
	vocd_base64url(secret, sizeof secret, secret_text);
	snprintf(out, VOCD_TOKEN_MAX, "%s%s.%s.%s", prefix, tenant, id, secret_text);
	token_hash(out, hash);
	return 0;
}

int vocd_token_hash_matches(const char *stored_hex, const char *text)
{
	char hash[65];
	token_hash(text, hash);
	return stored_hex && vocd_same_secret(stored_hex, hash);
}

struct put_job {
	const char *tenant, *id;
	const char *json;
};

static int audit(vocd_txn *txn, const char *tenant, const char *id, const char *action, const char *change)
{
	struct vocd_actor who;
	vocd_actor_operator(&who); /* tokens are made and revoked on the command line */
	struct vocd_audit_entry e = {who.actor, who.source, 0, action, TOKEN_TYPE, id, change, strlen(change)};
	return vocd_audit_append(txn, tenant, &e, NULL);
}

static int put_token(vocd_txn *txn, void *arg)
{
	struct put_job *j = arg;
	int rc = vocd_rec_put(txn, j->tenant, TOKEN_TYPE, j->id, j->json, strlen(j->json), NULL, 0);
	return rc ? rc : audit(txn, j->tenant, j->id, "token.create", j->json);
}

int vocd_token_create(vocd_store *st, const char *tenant, int role, const char *label, char *out,
                      struct vocd_token_info *info)
{
	return vocd_token_create_for(st, tenant, role, label, NULL, out, info);
}

int vocd_token_create_for(vocd_store *st, const char *tenant, int role, const char *label, const char *person,
                          char *out, struct vocd_token_info *info)
{
	if (!vocd_tenant_id_valid(tenant) || role < 0 || role > VOCD_ROLE_INTEGRATOR ||
	    (person && !vocd_external_id_valid(person)))
		return VOCD_EINVAL;
	char id[17], hash[65];
	int rc = vocd_token_mint("vt1.", tenant, out, id, hash);
	if (rc != 0)
		return rc;

	int64_t created = vocd_now_ms();
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "hash", hash);
	cJSON_AddStringToObject(rec, "role", vocd_role_name(role));
	cJSON_AddStringToObject(rec, "label", label ? label : "");
	if (person)
		cJSON_AddStringToObject(rec, "person", person);
	cJSON_AddNumberToObject(rec, "created", (double)created);
	char *json = vocd_json_print(rec, NULL);
	cJSON_Delete(rec);
	if (!json)
		return VOCD_ENOMEM;
	struct put_job job = {tenant, id, json};
	rc = vocd_store_write(st, put_token, &job);
	free(json);
	if (rc != 0) {
		memset(out, 0, VOCD_TOKEN_MAX);
		return rc;
	}
	if (info) {
		snprintf(info->tenant, sizeof info->tenant, "%s", tenant);
		memcpy(info->id, id, sizeof info->id);
		info->role = role;
		info->created_ms = created;
		snprintf(info->person, sizeof info->person, "%s", person ? person : "");
	}
	return 0;
}

int vocd_token_verify(vocd_store *st, const char *token, struct vocd_token_info *info)
{
	char tenant[65], id[17];
	if (vocd_token_split(token, "vt1.", tenant, id) != 0)
		return VOCD_EAUTH;

	vocd_txn *txn;
	if (vocd_store_read(st, &txn) != 0)
		return VOCD_EAUTH;
	const void *data;
	size_t len;
	cJSON *rec = NULL;
	if (vocd_rec_get(txn, tenant, TOKEN_TYPE, id, &data, &len) == 0)
		rec = cJSON_ParseWithLength(data, len);
	vocd_txn_end(txn);
	if (!rec)
		return VOCD_EAUTH;

	int role = vocd_role_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "role")));
	if (!vocd_token_hash_matches(vocd_json_str(rec, "hash"), token) || role < 0) {
		cJSON_Delete(rec);
		return VOCD_EAUTH;
	}
	snprintf(info->tenant, sizeof info->tenant, "%s", tenant);
	memcpy(info->id, id, sizeof info->id);
	info->role = role;
	info->created_ms = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created"));
	info->session = 0;
	const char *person = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "person"));
	snprintf(info->person, sizeof info->person, "%s", person ? person : "");
	cJSON_Delete(rec);
	return 0;
}

struct del_job {
	const char *tenant, *id;
};

static int del_token(vocd_txn *txn, void *arg)
{
	struct del_job *j = arg;
	int rc = vocd_rec_del(txn, j->tenant, TOKEN_TYPE, j->id);
	return rc ? rc : audit(txn, j->tenant, j->id, "token.revoke", j->id);
}

int vocd_token_revoke(vocd_store *st, const char *tenant, const char *id)
{
	struct del_job job = {tenant, id};
	return vocd_store_write(st, del_token, &job);
}

static int list_one(const char *id, const void *data, size_t len, void *arg)
{
	cJSON *arr = arg;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	if (!rec)
		return 0;
	cJSON *item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "id", id);
	cJSON_AddStringToObject(item, "role", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "role")));
	cJSON_AddStringToObject(item, "label", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "label")));
	const char *person = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "person"));
	if (person)
		cJSON_AddStringToObject(item, "person", person);
	cJSON_AddNumberToObject(item, "created",
	                        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created")));
	cJSON_AddItemToArray(arr, item);
	cJSON_Delete(rec);
	return 0;
}

int vocd_token_list(vocd_store *st, const char *tenant, cJSON **out)
{
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	cJSON *arr = cJSON_CreateArray();
	rc = vocd_rec_scan(txn, tenant, TOKEN_TYPE, NULL, list_one, arr);
	vocd_txn_end(txn);
	if (rc < 0) {
		cJSON_Delete(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

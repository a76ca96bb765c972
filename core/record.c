/* JSON records written together with their audit entry. */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_text.h"

int vocd_record_get(vocd_txn *txn, const char *tenant, const char *type, const char *id, cJSON **out)
{
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, tenant, type, id, &data, &len);
	if (rc != 0)
		return rc == VOCD_EINVAL ? VOCD_ENOTFOUND : rc;
	*out = cJSON_ParseWithLength(data, len);
	return *out ? 0 : VOCD_EINTERNAL;
}

int vocd_record_read(vocd_store *st, const char *tenant, const char *type, const char *id, cJSON **out)
{
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	rc = vocd_record_get(txn, tenant, type, id, out);
	vocd_txn_end(txn);
	return rc;
}

int vocd_record_collect(const char *id, const void *data, size_t len, void *array)
{
	(void)id;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	if (rec)
		cJSON_AddItemToArray(array, rec);
	return 0;
}

int vocd_record_put(vocd_txn *txn, const char *tenant, const char *type, const char *id, const cJSON *rec,
                    const struct vocd_index_value *idx, size_t nidx, const char *action,
                    const struct vocd_actor *who, char **text_out)
{
	size_t len;
	char *text = vocd_json_print(rec, &len);
	if (!text)
		return VOCD_ENOMEM;
	int rc = vocd_rec_put(txn, tenant, type, id, text, len, idx, nidx);
	if (rc == 0) {
		struct vocd_audit_entry e = {who->actor, who->source, 0, action, type, id, text, len};
		rc = vocd_audit_append(txn, tenant, &e, NULL);
	}
	if (text_out && rc == 0)
		*text_out = text;
	else
		free(text);
	return rc;
}

const char *vocd_json_str(const cJSON *obj, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

void vocd_json_set_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	if (value)
		cJSON_AddStringToObject(obj, key, value);
}

void vocd_json_set_num(cJSON *obj, const char *key, double value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddNumberToObject(obj, key, value);
}

void vocd_actor_operator(struct vocd_actor *who)
{
	const char *name = getenv("SUDO_USER");
	if (!name || !*name)
		name = getenv("USER");
	memset(who, 0, sizeof *who);
	who->actor.kind = VOCD_AUDIT_ACTOR_USER;
	who->actor.id = name && *name && strlen(name) <= 64 ? name : "operator";
	who->source.channel = "cli";
}

struct page {
	vocd_txn *txn;
	const char *after;
	int limit, count;
	vocd_page_item_fn item;
	void *arg;
	cJSON *items;
	char last[130];
};

static int page_one(const char *id, const void *data, size_t len, void *arg)
{
	struct page *p = arg;
	if (p->after && strcmp(id, p->after) <= 0)
		return 0;
	if (p->count == p->limit)
		return 1;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	if (rec && p->item)
		rec = p->item(p->txn, id, rec, p->arg);
	if (!rec)
		return 0;
	cJSON_AddItemToArray(p->items, rec);
	snprintf(p->last, sizeof p->last, "%s", id);
	p->count++;
	return 0;
}

int vocd_record_page(vocd_txn *txn, const char *tenant, const char *type, const char *after, int limit,
                     vocd_page_item_fn item, void *arg, cJSON *items, char next_after[130])
{
	struct page p = {txn, after && after[0] ? after : NULL, limit, 0, item, arg, items, ""};
	int rc = vocd_rec_scan(txn, tenant, type, p.after, page_one, &p);
	snprintf(next_after, 130, "%s", rc >= 0 && p.count == limit ? p.last : "");
	return rc < 0 ? rc : 0;
}

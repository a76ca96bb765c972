/* Rollups counted again from the evaluations. */
#include "rollup_rebuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "evaluation.h"
#include "invitation.h"
#include "record.h"
#include "review.h"
#include "rollup.h"

struct job {
	const char *tenant;
	const struct vocd_calendar *cal;
	struct vocd_rollup_rebuild *out;
	vocd_txn *txn;
};

static int collect_id(const char *id, const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	cJSON_AddItemToArray(arg, cJSON_CreateString(id));
	return 0;
}

/* Every record of \p type removed; ids collected first, as a cursor must not walk what it deletes. */
static int remove_all(struct job *j, const char *type)
{
	cJSON *ids = cJSON_CreateArray(), *id;
	int rc = vocd_rec_scan(j->txn, j->tenant, type, NULL, collect_id, ids);
	cJSON_ArrayForEach(id, ids) {
		if (rc != 0)
			break;
		if ((rc = vocd_rec_del(j->txn, j->tenant, type, id->valuestring)) == 0)
			j->out->removed++;
	}
	cJSON_Delete(ids);
	return rc < 0 ? rc : 0;
}

#define BATCH 512

struct batch {
	const char *after; /* the last id of the previous batch, skipped */
	cJSON *items;
	int n;
};

/* Evaluations are read a batch at a time and counted after the scan: a cursor must not walk the records
 * its own transaction is writing. */
static int take(const char *id, const void *data, size_t len, void *arg)
{
	struct batch *b = arg;
	if (b->after && strcmp(id, b->after) == 0)
		return 0;
	if (b->n == BATCH)
		return 1;
	cJSON *ev = cJSON_ParseWithLength(data, len);
	if (!ev)
		return VOCD_ENOMEM;
	cJSON_AddStringToObject(ev, "_id", id);
	cJSON_AddItemToArray(b->items, ev);
	b->n++;
	return 0;
}

/* One invitation: sent, and answered when it was. */
static int count_invitation(struct job *j, const cJSON *inv)
{
	int rc = vocd_rollup_count_invitation(j->txn, j->tenant, j->cal, inv, 0);
	if (rc == 0 && cJSON_GetObjectItemCaseSensitive(inv, "answered_at"))
		rc = vocd_rollup_count_invitation(j->txn, j->tenant, j->cal, inv, 1);
	j->out->invitations++;
	return rc;
}

/* One evaluation: counted if it is the current version, and as suspect if it still is. */
static int count_one(struct job *j, const cJSON *ev)
{
	if (vocd_evaluation_superseded(j->txn, j->tenant, vocd_json_str(ev, "_id")))
		return 0;
	int rc = vocd_rollup_count(j->txn, j->tenant, j->cal, ev, +1);
	if (rc == 0 && vocd_review_counted_suspect(j->txn, j->tenant, ev)) {
		rc = vocd_rollup_count_suspect(j->txn, j->tenant, j->cal, ev, +1);
		j->out->suspect++;
	}
	j->out->evaluations++;
	return rc;
}

/* Every record of \p type through \p count, a batch at a time. */
static int count_all(struct job *j, const char *type, int (*count)(struct job *, const cJSON *))
{
	char last[130] = "";
	for (;;) {
		struct batch b = {last[0] ? last : NULL, cJSON_CreateArray(), 0};
		int rc = vocd_rec_scan(j->txn, j->tenant, type, b.after, take, &b);
		const cJSON *ev;
		cJSON_ArrayForEach(ev, b.items) {
			if (rc < 0)
				break;
			rc = count(j, ev);
			snprintf(last, sizeof last, "%s", vocd_json_str(ev, "_id"));
		}
		cJSON_Delete(b.items);
		if (rc < 0 || b.n < BATCH)
			return rc < 0 ? rc : 0;
	}
}

static int rebuild_job(vocd_txn *txn, void *arg)
{
	struct job *j = arg;
	j->txn = txn;
	memset(j->out, 0, sizeof *j->out);
	int rc = 0;
	for (const char *const *type = vocd_rollup_types; rc == 0 && *type; type++)
		rc = remove_all(j, *type); /* by day and by month: counting writes both again */
	if (rc == 0)
		rc = count_all(j, VOCD_EVALUATION_TYPE, count_one);
	if (rc == 0)
		rc = count_all(j, VOCD_INVITATION_TYPE, count_invitation);
	return rc < 0 ? rc : 0;
}

int vocd_rollup_rebuild(vocd_store *st, const char *tenant, const struct vocd_calendar *cal,
                        struct vocd_rollup_rebuild *out)
{
	struct job j = {tenant, cal, out, NULL};
	return vocd_store_write(st, rebuild_job, &j);
}

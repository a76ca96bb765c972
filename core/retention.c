/* The daily retention run: customers past the tenant's limit anonymised in short write jobs, then one
 * audited record of the run. */
#include "retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ids.h"
#include "invitation.h"
#include "log.h"
#include "privacy.h"

#define DAY_MS 86400000LL
#define BATCH 100
#define LISTED_MAX 1000 /* customer ids named in a run's record; the count is always complete */
#define TIMER_KEY "privacy:retention"

static int64_t last_contact(const cJSON *rec)
{
	double created = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created_at"));
	double updated = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "updated_at"));
	double last = created > 0 ? created : 0;
	if (updated > last)
		last = updated;
	return (int64_t)last;
}

static int past_limit(const cJSON *rec, int64_t cutoff)
{
	return rec && vocd_customer_has_personal_data(rec) && last_contact(rec) < cutoff;
}

struct candidates {
	char (*id)[129];
	size_t n, cap;
	int64_t cutoff;
};

static int note_candidate(const char *id, const void *data, size_t len, void *arg)
{
	struct candidates *c = arg;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	int take = past_limit(rec, c->cutoff);
	cJSON_Delete(rec);
	if (!take)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void *grown = realloc(c->id, cap * sizeof *c->id);
		if (!grown)
			return VOCD_ENOMEM;
		c->id = grown;
		c->cap = cap;
	}
	snprintf(c->id[c->n++], sizeof c->id[0], "%s", id);
	return 0;
}

struct batch_job {
	const char *tenant;
	char (*id)[129];
	size_t n;
	int64_t cutoff;
	const struct vocd_actor *who;
	unsigned char *done; /* out: which of them were anonymised */
};

/* Each candidate is looked at again inside the write: a customer invited since the scan is kept. */
static int batch_job(vocd_txn *txn, void *arg)
{
	struct batch_job *j = arg;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j->n; i++) {
		j->done[i] = 0;
		cJSON *rec = NULL;
		rc = vocd_record_get(txn, j->tenant, VOCD_CUSTOMER_TYPE, j->id[i], &rec);
		if (rc == VOCD_ENOTFOUND) {
			rc = 0;
			continue;
		}
		int already = 0;
		if (rc == 0 && past_limit(rec, j->cutoff)) {
			rc = vocd_customer_erase_in(txn, j->tenant, j->id[i], rec, "retention", j->who, &already);
			j->done[i] = rc == 0 && !already;
		}
		cJSON_Delete(rec);
	}
	return rc;
}

struct summary_job {
	const char *tenant;
	const cJSON *run;
	const struct vocd_actor *who;
	int64_t rearm_ms;
};

static int summary_job(vocd_txn *txn, void *arg)
{
	struct summary_job *j = arg;
	char id[24];
	int rc = vocd_seq_id(txn, j->tenant, VOCD_RETENTION_TYPE, id);
	if (rc != 0)
		return rc;
	cJSON *run = cJSON_Duplicate(j->run, 1);
	if (!run)
		return VOCD_ENOMEM;
	cJSON_AddStringToObject(run, "id", id);
	rc = vocd_record_put(txn, j->tenant, VOCD_RETENTION_TYPE, id, run, NULL, 0, "privacy.retention", j->who, NULL);
	cJSON_Delete(run);
	if (rc == 0 && j->rearm_ms > 0)
		rc = vocd_bus_timer_set(txn, j->tenant, TIMER_KEY, VOCD_RETENTION_DUE, "{}", 2, j->rearm_ms);
	return rc;
}

int vocd_retention_run(vocd_store *st, const char *tenant, int64_t retention_ms, const struct vocd_actor *who,
                       int64_t rearm_ms, size_t *count)
{
	*count = 0;
	if (retention_ms <= 0)
		return VOCD_EINVAL;
	int64_t now = vocd_now_ms();
	struct candidates c = {NULL, 0, 0, now - retention_ms};
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	rc = vocd_rec_scan(txn, tenant, VOCD_CUSTOMER_TYPE, NULL, note_candidate, &c);
	vocd_txn_end(txn);
	rc = rc < 0 ? rc : 0;

	cJSON *run = cJSON_CreateObject();
	cJSON_AddNumberToObject(run, "time", (double)now);
	cJSON_AddNumberToObject(run, "cutoff", (double)c.cutoff);
	cJSON_AddNumberToObject(run, "retention_ms", (double)retention_ms);
	cJSON *listed = cJSON_AddArrayToObject(run, "customers");
	unsigned char done[BATCH];
	for (size_t from = 0; rc == 0 && from < c.n; from += BATCH) {
		size_t n = c.n - from < BATCH ? c.n - from : BATCH;
		struct batch_job j = {tenant, c.id + from, n, c.cutoff, who, done};
		rc = vocd_store_write(st, batch_job, &j);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (!done[i])
				continue;
			if (*count < LISTED_MAX)
				cJSON_AddItemToArray(listed, cJSON_CreateString(c.id[from + i]));
			(*count)++;
		}
	}
	free(c.id);
	cJSON_AddNumberToObject(run, "anonymised", (double)*count);
	if (rc == 0) {
		struct summary_job s = {tenant, run, who, rearm_ms};
		rc = vocd_store_write(st, summary_job, &s);
	}
	cJSON_Delete(run);
	return rc;
}

struct arm_job {
	const struct vocd_config *cfg;
	int64_t due;
};

static int arm_job(vocd_txn *txn, void *arg)
{
	struct arm_job *j = arg;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j->cfg->ntenants; i++)
		if (j->cfg->tenants[i].privacy.retention_ms > 0)
			rc = vocd_bus_timer_set(txn, j->cfg->tenants[i].id, TIMER_KEY, VOCD_RETENTION_DUE, "{}", 2, j->due);
	return rc;
}

int vocd_retention_arm(struct vocd_server *srv)
{
	struct arm_job j = {vocd_server_config(srv), vocd_now_ms()};
	return vocd_store_write(srv->store, arm_job, &j);
}

int vocd_retention_on_due(const struct vocd_event *ev, struct vocd_server *srv)
{
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(srv), ev->tenant);
	if (!t || t->privacy.retention_ms <= 0)
		return 0; /* no limit (any more): no run, and no next timer */
	struct vocd_actor who = {{VOCD_AUDIT_ACTOR_SYSTEM, "retention", NULL}, {NULL, NULL, NULL, NULL}};
	size_t count = 0;
	int rc = vocd_retention_run(srv->store, ev->tenant, t->privacy.retention_ms, &who, vocd_now_ms() + DAY_MS, &count);
	if (rc == 0 && count > 0)
		vocd_info("retention: %zu customer(s) of tenant %s anonymised", count, ev->tenant);
	else if (rc != 0)
		vocd_warn("retention of tenant %s: %s (tried again)", ev->tenant, vocd_strerror(rc));
	return rc;
}

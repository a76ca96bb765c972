/* Review queue entries and auditors' decisions on them. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bus.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "json_text.h"
#include "rollup.h"

int vocd_review_enqueue(vocd_txn *txn, const char *tenant, const struct vocd_calendar *cal, const cJSON *evaluation)
{
	const char *id = vocd_json_str(evaluation, "id");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(evaluation, "suspect")) || !id)
		return 0;
	/* The codes only: the reasons are on the evaluation, covered by its audit entry. Written straight into
	 * one buffer (as vocd_json_print would print it): most answers of a burst take this path. */
	struct vocd_buf b = {0};
	const cJSON *s;
	vocd_buf_add(&b, "{\"evaluation\":", 14);
	vocd_json_put_string(&b, id);
	vocd_buf_add(&b, ",\"at\":", 6);
	vocd_json_put_number(&b, cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(evaluation, "created_at")));
	vocd_buf_add(&b, ",\"codes\":[", 10);
	int first = 1;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(evaluation, "signals")) {
		if (!first)
			vocd_buf_add(&b, ",", 1);
		vocd_json_put_string(&b, vocd_json_str(s, "code"));
		first = 0;
	}
	vocd_buf_add(&b, "]}", 2);
	if (b.oom || !b.p) {
		vocd_buf_free(&b);
		return VOCD_ENOMEM;
	}
	int rc = vocd_rec_put(txn, tenant, VOCD_REVIEW_FLAG_TYPE, id, b.p, b.len, NULL, 0);
	vocd_buf_free(&b);
	return rc == 0 ? vocd_rollup_count_suspect(txn, tenant, cal, evaluation, +1) : rc;
}

int vocd_review_get(vocd_txn *txn, const char *tenant, const char *id, cJSON **out)
{
	return vocd_record_get(txn, tenant, VOCD_REVIEW_TYPE, id, out);
}

int vocd_review_counted_suspect(vocd_txn *txn, const char *tenant, const cJSON *evaluation)
{
	const char *id = vocd_json_str(evaluation, "id");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(evaluation, "suspect")) || !id)
		return 0;
	cJSON *review = NULL;
	if (vocd_review_get(txn, tenant, id, &review) != 0)
		return 1;
	const char *decision = vocd_json_str(review, "decision");
	int cleared = decision && strcmp(decision, "cleared") == 0;
	cJSON_Delete(review);
	return !cleared;
}

static int decide_job(vocd_txn *txn, void *arg)
{
	struct vocd_review_decision *d = arg;
	cJSON *ev = NULL;
	const void *data;
	size_t len;
	cJSON_Delete(d->review);
	d->review = NULL;
	if (vocd_record_get(txn, d->tenant, VOCD_EVALUATION_TYPE, d->evaluation, &ev) != 0) {
		snprintf(d->message, sizeof d->message, "no evaluation %s", d->evaluation);
		return VOCD_ENOTFOUND;
	}
	int rc = 0;
	if (vocd_rec_get(txn, d->tenant, VOCD_REVIEW_FLAG_TYPE, d->evaluation, &data, &len) != 0) {
		snprintf(d->message, sizeof d->message, "evaluation %s was not flagged: it is not in the review queue", d->evaluation);
		rc = VOCD_ENOTFOUND;
		goto out;
	}
	if (vocd_rec_get(txn, d->tenant, VOCD_REVIEW_TYPE, d->evaluation, &data, &len) == 0) {
		snprintf(d->message, sizeof d->message, "evaluation %s has already been reviewed", d->evaluation);
		rc = VOCD_EEXIST;
		goto out;
	}
	int clear = strcmp(d->decision, "clear") == 0;
	d->review = cJSON_CreateObject();
	cJSON_AddStringToObject(d->review, "evaluation", d->evaluation);
	cJSON_AddStringToObject(d->review, "decision", clear ? "cleared" : "confirmed");
	cJSON_AddStringToObject(d->review, "note", d->note);
	cJSON_AddStringToObject(d->review, "by", d->who.actor.id);
	if (d->who.actor.role)
		cJSON_AddStringToObject(d->review, "role", d->who.actor.role);
	if (d->person && *d->person)
		cJSON_AddStringToObject(d->review, "person", d->person);
	cJSON_AddNumberToObject(d->review, "at", (double)vocd_now_ms());
	char *text = NULL;
	rc = vocd_record_put(txn, d->tenant, VOCD_REVIEW_TYPE, d->evaluation, d->review, NULL, 0,
	                     clear ? "review.clear" : "review.confirm", &d->who, &text);
	/* Announced, so that an incentive policy holding back points for a suspect answer learns the outcome. */
	if (rc == 0)
		rc = vocd_bus_publish(txn, d->tenant, VOCD_REVIEW_TOPIC, text, strlen(text));
	free(text);
	/* Cleared: the answer counts again without suspect answers; unless a correction replaced it, which
	 * already took it out of every count. */
	if (rc == 0 && clear && !vocd_evaluation_superseded(txn, d->tenant, d->evaluation))
		rc = vocd_rollup_count_suspect(txn, d->tenant, d->cal, ev, -1);
out:
	cJSON_Delete(ev);
	return rc;
}

int vocd_review_decide(vocd_store *st, struct vocd_review_decision *d)
{
	d->review = NULL;
	d->message[0] = '\0';
	if (!d->decision || (strcmp(d->decision, "confirm") != 0 && strcmp(d->decision, "clear") != 0)) {
		snprintf(d->message, sizeof d->message, "decision: expected \"confirm\" or \"clear\"");
		return VOCD_EINVAL;
	}
	if (!d->note || !*d->note) {
		snprintf(d->message, sizeof d->message, "note: required: say why, for the next auditor");
		return VOCD_EINVAL;
	}
	int rc = vocd_store_write(st, decide_job, d);
	if (rc != 0) {
		cJSON_Delete(d->review);
		d->review = NULL;
	}
	return rc;
}

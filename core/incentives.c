/* The core's incentive tasks: held points released, answers handed to customer policies without what was said. */
#include "incentives.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "evaluation.h"
#include "invitation.h"
#include "plugin_api.h"
#include "points.h"
#include "review.h"
#include "simhash.h"

cJSON *vocd_rewards_answer(const cJSON *evaluation, int first, const char *referred_by)
{
	cJSON *a = cJSON_CreateObject();
	for (const char *const *k = (const char *const[]){"id", "customer", "channel", "lang", NULL}; *k; k++)
		if (vocd_json_str(evaluation, *k))
			cJSON_AddStringToObject(a, strcmp(*k, "id") == 0 ? "evaluation" : *k, vocd_json_str(evaluation, *k));
	cJSON_AddNumberToObject(a, "answered_at",
	                        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(evaluation, "created_at")));
	const char *text = vocd_json_str(evaluation, "text");
	cJSON_AddNumberToObject(a, "useful_chars", text ? (double)vocd_text_useful_chars(text, strlen(text)) : 0);
	cJSON_AddNumberToObject(a, "tags", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(evaluation, "tags")));
	cJSON_AddBoolToObject(a, "first", first);
	if (first && referred_by)
		cJSON_AddStringToObject(a, "referred_by", referred_by);
	return a;
}

struct first_job {
	const char *tenant, *customer, *evaluation;
	int first;
	char referred_by[130];
};

/* Whether this is the customer's first answer: the first one seen is kept (and stays first when the event
 * comes again); who referred them is read from the customer record. */
static int first_fn(vocd_txn *txn, void *arg)
{
	struct first_job *j = arg;
	cJSON *seen = NULL, *customer = NULL;
	int rc = vocd_record_get(txn, j->tenant, VOCD_REWARD_FIRST_TYPE, j->customer, &seen);
	if (rc == VOCD_ENOTFOUND) {
		char text[160];
		int n = snprintf(text, sizeof text, "{\"evaluation\":\"%s\"}", j->evaluation);
		rc = vocd_rec_put(txn, j->tenant, VOCD_REWARD_FIRST_TYPE, j->customer, text, (size_t)n, NULL, 0);
		j->first = 1;
	} else if (rc == 0) {
		j->first = vocd_json_str(seen, "evaluation") && strcmp(vocd_json_str(seen, "evaluation"), j->evaluation) == 0;
	}
	cJSON_Delete(seen);
	j->referred_by[0] = '\0';
	if (rc == 0 && j->first && vocd_record_get(txn, j->tenant, VOCD_CUSTOMER_TYPE, j->customer, &customer) == 0 &&
	    vocd_json_str(customer, "referred_by"))
		snprintf(j->referred_by, sizeof j->referred_by, "%s", vocd_json_str(customer, "referred_by"));
	cJSON_Delete(customer);
	return rc;
}

/* The evaluation an event is about, when it is one to reward now: a new answer that is not suspect, or a
 * suspect one an auditor cleared. NULL otherwise. */
static cJSON *answer_of(struct vocd_server *srv, const struct vocd_event *ev)
{
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len), *e = NULL;
	if (!data)
		return NULL;
	if (strcmp(ev->topic, "evaluation.created") == 0) {
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(data, "suspect")))
			return data;
	} else if (strcmp(ev->topic, VOCD_REVIEW_TOPIC) == 0 && vocd_json_str(data, "decision") &&
	           strcmp(vocd_json_str(data, "decision"), "cleared") == 0 && vocd_json_str(data, "evaluation")) {
		vocd_evaluation_get(srv->store, ev->tenant, vocd_json_str(data, "evaluation"), &e);
	}
	cJSON_Delete(data);
	return e;
}

/* An auditor decided on a suspect answer: what staff policies asked for it is made or dropped. */
static int release_held(struct vocd_server *srv, const struct vocd_event *ev)
{
	cJSON *data = cJSON_ParseWithLength(ev->data, ev->len);
	const char *evaluation = vocd_json_str(data, "evaluation"), *decision = vocd_json_str(data, "decision");
	const struct vocd_tenant_conf *conf = vocd_config_tenant(vocd_server_config(srv), ev->tenant);
	int rc = 0;
	if (evaluation && decision && conf)
		rc = vocd_points_release(srv->store, ev->tenant, conf, evaluation, strcmp(decision, "cleared") == 0, NULL);
	cJSON_Delete(data);
	return rc;
}

/* A customer's answer to the customer policies, when there are any. */
static int thank_customer(struct vocd_server *srv, const struct vocd_event *ev)
{
	char label[200], err[1024];
	if (vocd_plugins_find_handler(srv->plugins, ev->tenant, "incentive", "answer", label, sizeof label) != 0)
		return 0; /* no customer policy: nothing to do, nothing stored */
	cJSON *e = answer_of(srv, ev);
	const char *customer = vocd_json_str(e, "customer"), *id = vocd_json_str(e, "id");
	if (!e || !customer || !id) { /* an anonymous answer: nobody to thank */
		cJSON_Delete(e);
		return 0;
	}
	struct first_job j = {ev->tenant, customer, id, 0, ""};
	int rc = vocd_store_write(srv->store, first_fn, &j);
	if (rc == 0) {
		cJSON *a = vocd_rewards_answer(e, j.first, j.referred_by[0] ? j.referred_by : NULL);
		rc = vocd_plugins_call_audience(srv->plugins, ev->tenant, VOCD_AUDIENCE_CUSTOMERS, "answer", a, err,
		                                sizeof err);
		cJSON_Delete(a);
		if (rc != 0)
			vocd_bus_set_error(err); /* retried, then a dead letter; the policies' keys make a retry harmless */
	}
	cJSON_Delete(e);
	return rc;
}

static int on_review(const struct vocd_event *ev, void *ud)
{
	return release_held(ud, ev) != 0;
}

static int on_answer(const struct vocd_event *ev, void *ud)
{
	return thank_customer(ud, ev) != 0;
}

int vocd_incentives_start(struct vocd_server *srv)
{
	int rc = vocd_bus_subscribe(srv->bus, "core:held-points", VOCD_REVIEW_TOPIC, on_review, srv);
	return rc != 0 ? rc : vocd_bus_subscribe(srv->bus, "core:rewards", "evaluation.*", on_answer, srv);
}

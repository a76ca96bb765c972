/* Complaints (投诉) from any channel: a call centre, a counter, an app, a letter. Each opens a ticket in
 * one write job with the customer (personal data sealed); the workflow rules see it as "ticket.opened". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "invitation.h"
#include "ticket.h"
#include "validate.h"

#define MAX_TEXT 8000

static const char *const body_keys[] = {"customer", "category", "class", "priority", "channel", "summary", "text",
                                        "context", "lang", NULL};

struct complaint_job {
	struct vocd_ticket_open o;
	const cJSON *customer;
	struct vocd_pii *pii;
};

static int complaint_job(vocd_txn *txn, void *arg)
{
	struct complaint_job *j = arg;
	int rc = j->customer ? vocd_customer_upsert_in(txn, j->o.tenant, j->pii, j->customer, j->o.who) : 0;
	return rc ? rc : vocd_ticket_open_in(txn, &j->o);
}

int vocd_api_complaint_create(struct vocd_req *req)
{
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *customer = cJSON_GetObjectItemCaseSensitive(body, "customer");
	const char *category = vocd_json_str(body, "category"), *klass = vocd_json_str(body, "class");
	const char *prio = vocd_json_str(body, "priority"), *lang = vocd_json_str(body, "lang");
	int k = -1, p = -1;
	if (vocd_check_known(body, "", body_keys, &fe) != 0 || (customer && vocd_customer_check(customer, &fe) != 0) ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "category"), "category", 64, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "class"), "class", 16, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "priority"), "priority", 16, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "channel"), "channel", 32, 1, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "summary"), "summary", 400, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "text"), "text", MAX_TEXT, 1, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "lang"), "lang", 8, 0, &fe) != 0 ||
	    vocd_check_string_object(cJSON_GetObjectItemCaseSensitive(body, "context"), "context", vocd_context_keys, 1,
	                             &fe) != 0) {
		vocd_http_field_error(req, &fe);
	} else if (category && !vocd_name_valid(category)) {
		vocd_http_error(req, 422, "invalid_field", "category: expected 1-64 of a-z, 0-9, _ and - (\"billing\")");
	} else if (klass && (k = vocd_ticket_class_parse(klass)) < 0) {
		vocd_http_error(req, 422, "invalid_field", "class: expected general, important, urgent or repeat");
	} else if (prio && (p = vocd_ticket_priority_parse(prio)) < 0) {
		vocd_http_error(req, 422, "invalid_field", "priority: expected low, normal, high or highest");
	} else if (lang && strcmp(lang, "zh-CN") && strcmp(lang, "en")) {
		vocd_http_error(req, 422, "invalid_field", "lang: expected \"zh-CN\" or \"en\"");
	} else {
		struct vocd_actor who;
		const char *channel = vocd_json_str(body, "channel");
		vocd_http_actor(req, channel, NULL, &who);
		struct complaint_job j;
		memset(&j, 0, sizeof j);
		j.customer = customer;
		j.pii = req->srv->pii;
		j.o.tenant = req->auth.tenant;
		j.o.conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
		j.o.klass = k;
		j.o.priority = p;
		j.o.category = category;
		j.o.customer = customer ? vocd_json_str(customer, "external_id") : NULL;
		j.o.channel = channel;
		j.o.lang = lang;
		j.o.summary = vocd_json_str(body, "summary");
		j.o.text = vocd_json_str(body, "text");
		j.o.context = cJSON_GetObjectItemCaseSensitive(body, "context");
		j.o.detractor = 1; /* someone who complains was unhappy: their revisit counts for the recovery rate */
		j.o.who = &who;
		int rc = vocd_store_write(req->srv->store, complaint_job, &j);
		if (rc != 0)
			vocd_http_fail(req, rc, NULL);
		else
			vocd_api_ticket_answer_stored(req, 201, j.o.id, NULL);
	}
	cJSON_Delete(body);
	return 0;
}

/* Alerts over the API: the list (open first or all), one alert with the notifications sent for it, and
 * the acknowledgement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "api.h"
#include "error.h"
#include "notify.h"
#include "validate.h"

struct alert_filter {
	char rule[130];
	int open; /* -1: either */
};

static int keep_alert(vocd_txn *txn, const char *tenant, const cJSON *a, void *arg)
{
	const struct alert_filter *f = arg;
	const char *rule = vocd_json_str(a, "rule");
	if (f->rule[0] && (!rule || strcmp(rule, f->rule) != 0))
		return 0;
	return f->open < 0 || (cJSON_GetObjectItemCaseSensitive(a, "acked") == NULL) == f->open;
}

int vocd_api_alert_list(struct vocd_req *req)
{
	struct alert_filter f = {"", -1};
	char state[16];
	if (vocd_http_filter(req, "rule", f.rule, sizeof f.rule) || vocd_http_filter(req, "state", state, sizeof state))
		return 0;
	if (state[0] || vocd_http_query(req, "state", state, sizeof state) == 0) {
		if (strcmp(state, "open") && strcmp(state, "acked")) {
			vocd_http_error(req, 400, "invalid_parameter", "state: expected open or acked");
			return 0;
		}
		f.open = strcmp(state, "open") == 0;
	}
	return vocd_api_list_filtered(req, VOCD_ALERT_TYPE, keep_alert, &f);
}

int vocd_api_alert_get(struct vocd_req *req)
{
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *a = NULL;
	rc = vocd_record_get(txn, req->auth.tenant, VOCD_ALERT_TYPE, req->params[0], &a);
	if (rc == 0) {
		/* What became of each notification: sent, or refused for good (a failing one is a dead letter). */
		cJSON *sent = cJSON_AddArrayToObject(a, "notifications");
		int r = vocd_index_scan(txn, req->auth.tenant, VOCD_NOTIFICATION_TYPE, "by_alert", req->params[0],
		                        strlen(req->params[0]) + 1, vocd_record_collect, sent);
		rc = r < 0 ? r : 0;
	}
	vocd_txn_end(txn);
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no alert %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else if (vocd_api_sees(req, a, "alert"))
		vocd_http_json(req, 200, a);
	cJSON_Delete(a);
	return 0;
}

int vocd_api_alert_ack(struct vocd_req *req)
{
	static const char *const keys[] = {"note", NULL};
	cJSON *body = req->body_len ? vocd_http_body_object(req) : cJSON_CreateObject();
	if (!body)
		return 0;
	struct vocd_field_error fe;
	if (vocd_check_known(body, "", keys, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "note"), "note", 2000, 0, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	int rc = vocd_alert_ack(req->srv->store, req->auth.tenant, req->params[0], vocd_json_str(body, "note"),
	                        req->auth.person[0] ? req->auth.person : NULL, &who);
	cJSON_Delete(body);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no alert %s", req->params[0]);
	} else if (rc == VOCD_EEXIST) {
		vocd_http_error(req, 409, "already_acknowledged", "alert %s was acknowledged already", req->params[0]);
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *a = NULL;
		if (vocd_record_read(req->srv->store, req->auth.tenant, VOCD_ALERT_TYPE, req->params[0], &a) == 0)
			vocd_http_json(req, 200, a);
		else
			vocd_http_fail(req, VOCD_EINTERNAL, NULL);
		cJSON_Delete(a);
	}
	return 0;
}

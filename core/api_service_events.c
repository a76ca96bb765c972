/* Service events: what happened to a customer (a ticket solved, an order delivered, a visit), pushed by
 * the organisation's systems. Each is stored durably before the answer, never changed afterwards, and
 * announced on the bus as "service_event.created" in the same transaction, for workflows and channels.
 *
 * Personal data (name, phone, email) is not accepted here: it arrives with invitations, where consent is
 * recorded and it is encrypted. A customer is referred to by the organisation's own id. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>

#include "api.h"
#include "bus.h"
#include "error.h"
#include "ids.h"
#include "validate.h"

#define TYPE "service_event"

static const char *const context_keys[] = {"agent", "team", "product_line", "region", "store", "dealer",
                                           "channel", "service_id", NULL};
static const char *const customer_keys[] = {"external_id", "tier", NULL};
static const char *const top_keys[] = {"type", "external_id", "occurred_at", "customer", "context", NULL};
static int valid_type(const char *s)
{
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return 0;
	return 1;
}

/* "2026-11-23T10:00:00Z", with optional fraction and offset. */
static int valid_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return 0;
	if (*rest == '.') {
		rest++;
		if (!isdigit((unsigned char)*rest))
			return 0;
		while (isdigit((unsigned char)*rest))
			rest++;
	}
	if (*rest == 'Z')
		return rest[1] == '\0';
	if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 && isdigit((unsigned char)rest[1]) &&
	    isdigit((unsigned char)rest[2]) && rest[3] == ':' && isdigit((unsigned char)rest[4]) &&
	    isdigit((unsigned char)rest[5]))
		return 1;
	return 0;
}

static int validate(struct vocd_req *req, const cJSON *body)
{
	struct vocd_field_error e;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(body, "type");
	const cJSON *when = cJSON_GetObjectItemCaseSensitive(body, "occurred_at");
	if (vocd_check_known(body, "", top_keys, &e) != 0 || vocd_check_string(type, "type", 64, 1, &e) != 0)
		goto bad;
	if (!valid_type(type->valuestring)) {
		vocd_http_error(req, 422, "invalid_field", "type: expected lower-case letters, digits, '_', '.' or '-'");
		return -1;
	}
	if (vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "external_id"), "external_id", 128, 0, &e) != 0 ||
	    vocd_check_string(when, "occurred_at", 40, 0, &e) != 0)
		goto bad;
	if (when && !valid_time(when->valuestring)) {
		vocd_http_error(req, 422, "invalid_field", "occurred_at: expected a time such as \"2026-11-23T10:00:00Z\"");
		return -1;
	}
	if (vocd_check_string_object(cJSON_GetObjectItemCaseSensitive(body, "customer"), "customer", customer_keys, 1,
	                             &e) != 0 ||
	    vocd_check_string_object(cJSON_GetObjectItemCaseSensitive(body, "context"), "context", context_keys, 1, &e) != 0)
		goto bad;
	return 0;
bad:
	vocd_http_field_error(req, &e);
	return -1;
}

struct create_job {
	const char *tenant;
	cJSON *record;          /* without id; the job adds it */
	const char *external_id;
	const struct vocd_actor *who;
	char id[24];            /* out */
	int existing;           /* out: the external id was already stored */
};

static int first_id(const char *id, const void *data, size_t len, void *arg)
{
	snprintf(arg, 24, "%s", id);
	return 1;
}

static int create(vocd_txn *txn, void *arg)
{
	struct create_job *j = arg;
	j->existing = 0;
	j->id[0] = '\0';
	if (j->external_id) {
		int rc = vocd_index_scan(txn, j->tenant, TYPE, "by_external_id", j->external_id, strlen(j->external_id) + 1,
		                         first_id, j->id);
		if (rc < 0)
			return rc;
		if (j->id[0]) {
			j->existing = 1;
			return 0;
		}
	}
	int rc = vocd_seq_id(txn, j->tenant, TYPE, j->id);
	if (rc != 0)
		return rc;
	cJSON_DeleteItemFromObjectCaseSensitive(j->record, "id");
	cJSON_AddStringToObject(j->record, "id", j->id);
	/* The index value includes the terminating NUL so that "a" does not find "ab". */
	struct vocd_index_value idx = {"by_external_id", j->external_id, j->external_id ? strlen(j->external_id) + 1 : 0};
	rc = vocd_record_put(txn, j->tenant, TYPE, j->id, j->record, &idx, j->external_id ? 1 : 0,
	                     "service_event.create", j->who, NULL);
	if (rc != 0)
		return rc;
	char event[160];
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j->record, "type");
	int n = snprintf(event, sizeof event, "{\"id\":\"%s\",\"type\":\"%s\"}", j->id, type->valuestring);
	return vocd_bus_publish(txn, j->tenant, "service_event.created", event, (size_t)n);
}

int vocd_api_service_event_create(struct vocd_req *req)
{
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	if (validate(req, body) != 0) {
		cJSON_Delete(body);
		return 0;
	}
	cJSON_AddNumberToObject(body, "received_at", (double)vocd_now_ms());
	cJSON *source = cJSON_AddObjectToObject(body, "source");
	cJSON_AddStringToObject(source, "token", req->auth.id);
	cJSON_AddStringToObject(source, "role", vocd_role_name(req->auth.role));
	cJSON_AddStringToObject(source, "ip", req->ri->remote_addr);

	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	struct create_job job = {req->auth.tenant, body,
	                         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "external_id")), &who, "", 0};
	int rc = vocd_store_write(req->srv->store, create, &job);
	cJSON_Delete(body);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *answer = cJSON_CreateObject();
	cJSON_AddStringToObject(answer, "id", job.id);
	cJSON_AddBoolToObject(answer, "duplicate", job.existing);
	vocd_http_json(req, job.existing ? 200 : 201, answer);
	cJSON_Delete(answer);
	return 0;
}

int vocd_api_service_event_get(struct vocd_req *req)
{
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	const void *data;
	size_t len;
	rc = vocd_rec_get(txn, req->auth.tenant, TYPE, req->params[0], &data, &len);
	if (rc == 0) {
		cJSON *rec = cJSON_ParseWithLength(data, len);
		if (rec && vocd_api_sees(req, rec, "service event"))
			vocd_http_text(req, 200, "application/json; charset=utf-8", data, len);
		else if (!rec)
			vocd_http_fail(req, VOCD_EINTERNAL, "a stored service event could not be read");
		cJSON_Delete(rec);
	}
	vocd_txn_end(txn);
	if (rc == VOCD_ENOTFOUND || rc == VOCD_EINVAL)
		vocd_http_error(req, 404, "not_found", "no service event %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	return 0;
}

int vocd_api_service_event_list(struct vocd_req *req)
{
	return vocd_api_list(req, TYPE);
}

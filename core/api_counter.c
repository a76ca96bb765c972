/* Counter codes (web channel): a QR code printed for a store's counter or a receipt. Each scan opens a new
 * invitation for an anonymous walk-in customer and sends the browser to its survey page; scans are rate
 * limited per code, since anyone can scan a printed code again and again.
 *   POST /api/v1/counter-codes {store, type}   -> {id, url}   (admin, supervisor)
 *   GET  /api/v1/counter-codes/<id>/qr          -> the code as PNG or SVG
 *   GET  /q/<token>                             -> 303 to a fresh /s/<token>, or 429 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "api.h"
#include "error.h"
#include "ids.h"
#include "invitation.h"
#include "ratelimit.h"
#include "validate.h"

#define COUNTER_TYPE "counter_code"
#define COUNTER_YEARS 10
#define SCANS_PER_MINUTE 30

static int counter_url(struct vocd_req *req, const char *tenant, const char *id, int64_t expires_ms, char *out,
                       size_t outlen)
{
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(req->srv), tenant);
	unsigned char key[32];
	int rc = t ? vocd_pii_derive_key(req->srv->pii, "counter", tenant, key) : VOCD_ENOTFOUND;
	if (rc == 0)
		rc = vocd_signed_link(t, req->srv->listen_url, key, "q", id, expires_ms, out, outlen);
	memset(key, 0, sizeof key);
	return rc;
}

struct code_job {
	const char *tenant;
	cJSON *rec;
	const struct vocd_actor *who;
};

static int code_job(vocd_txn *txn, void *arg)
{
	struct code_job *j = arg;
	return vocd_record_put(txn, j->tenant, COUNTER_TYPE, vocd_json_str(j->rec, "id"), j->rec, NULL, 0,
	                       "counter_code.create", j->who, NULL);
}

int vocd_api_counter_create(struct vocd_req *req)
{
	static const char *const keys[] = {"store", "type", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	if (vocd_check_known(body, "", keys, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "store"), "store", 128, 1, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "type"), "type", 32, 0, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	char id[17];
	int64_t now = vocd_now_ms(), expires = now + (int64_t)COUNTER_YEARS * 365 * 86400000;
	int rc = vocd_random_id(id);
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddNumberToObject(body, "created_at", (double)now);
	cJSON_AddNumberToObject(body, "expires_at", (double)expires);
	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	struct code_job j = {req->auth.tenant, body, &who};
	if (rc == 0)
		rc = vocd_store_write(req->srv->store, code_job, &j);
	char url[512];
	if (rc == 0)
		rc = counter_url(req, req->auth.tenant, id, expires, url, sizeof url);
	cJSON_Delete(body);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *answer = cJSON_CreateObject();
	cJSON_AddStringToObject(answer, "id", id);
	cJSON_AddStringToObject(answer, "url", url);
	vocd_http_json(req, 201, answer);
	cJSON_Delete(answer);
	return 0;
}

static int load_code(vocd_store *st, const char *tenant, const char *id, cJSON **out)
{
	return vocd_record_read(st, tenant, COUNTER_TYPE, id, out);
}

int vocd_api_counter_qr(struct vocd_req *req)
{
	cJSON *rec = NULL;
	int rc = load_code(req->srv->store, req->auth.tenant, req->params[0], &rec);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no counter code %s", req->params[0]);
		return 0;
	}
	char url[512];
	if (rc == 0)
		rc = counter_url(req, req->auth.tenant, req->params[0],
		                 (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "expires_at")), url,
		                 sizeof url);
	cJSON_Delete(rec);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	return vocd_api_qr_answer(req, url);
}

static void page(struct vocd_req *req, int status, const char *zh, const char *en)
{
	const char *al = mg_get_header(req->conn, "Accept-Language");
	const char *text = al && strncasecmp(al, "en", 2) == 0 ? en : zh;
	char html[512];
	int n = snprintf(html, sizeof html, "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	                 "content=\"width=device-width, initial-scale=1\"></head><body><p>%s</p></body></html>\n", text);
	vocd_http_text(req, status, "text/html; charset=utf-8", html, (size_t)n);
}

int vocd_api_counter_scan(struct vocd_req *req)
{
	struct vocd_invite_claims c;
	const struct vocd_tenant_conf *t = NULL;
	unsigned char key[32];
	int rc = vocd_invite_token_peek(req->params[0], &c);
	if (rc == 0 && !(t = vocd_config_tenant(vocd_server_config(req->srv), c.tenant)))
		rc = VOCD_ENOTFOUND;
	if (rc == 0)
		rc = vocd_pii_derive_key(req->srv->pii, "counter", c.tenant, key);
	if (rc == 0)
		rc = vocd_invite_token_check(key, req->params[0], vocd_now_ms(), &c);
	memset(key, 0, sizeof key);
	cJSON *code = NULL;
	if (rc == 0)
		rc = load_code(req->srv->store, c.tenant, c.invitation, &code);
	if (rc != 0) {
		page(req, 404, "这个二维码无效。", "This code is not valid.");
		return 0;
	}
	if (strcmp(req->method, "HEAD") == 0) { /* link checkers: no invitation */
		cJSON_Delete(code);
		page(req, 200, "", "");
		return 0;
	}
	char limit_key[128];
	snprintf(limit_key, sizeof limit_key, "counter:%s:%s", c.tenant, c.invitation);
	if (!vocd_ratelimit_allow(limit_key, SCANS_PER_MINUTE, vocd_now_ms())) {
		cJSON_Delete(code);
		page(req, 429, "扫码的人太多了，请稍候一分钟再试。", "Too many scans just now: please try again in a minute.");
		return 0;
	}
	/* A walk-in customer: no personal data, an id of their own. */
	char walkin[32], rid[17];
	vocd_random_id(rid);
	snprintf(walkin, sizeof walkin, "walkin-%s", rid);
	cJSON *customer = cJSON_CreateObject();
	cJSON_AddStringToObject(customer, "external_id", walkin);
	cJSON *context = cJSON_CreateObject();
	cJSON_AddStringToObject(context, "store", vocd_json_str(code, "store"));
	if (vocd_json_str(code, "type"))
		cJSON_AddStringToObject(context, "type", vocd_json_str(code, "type"));
	cJSON_Delete(code);
	const char *al = mg_get_header(req->conn, "Accept-Language");

	struct vocd_invitation_new n;
	memset(&n, 0, sizeof n);
	n.tenant = c.tenant;
	n.conf = t;
	n.pii = req->srv->pii;
	n.customer = customer;
	n.context = context;
	n.channel = "counter";
	n.lang = al && strncasecmp(al, "en", 2) == 0 ? "en" : "zh-CN";
	n.base_url = req->srv->listen_url;
	n.key = key;
	vocd_http_actor(req, "counter", c.invitation, &n.who);
	rc = vocd_pii_derive_key(req->srv->pii, "invitation", c.tenant, key);
	if (rc == 0)
		rc = vocd_invitation_create(req->srv->store, &n);
	memset(key, 0, sizeof key);
	cJSON_Delete(customer);
	cJSON_Delete(context);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	req->status = 303;
	mg_printf(req->conn, "HTTP/1.1 303 See Other\r\nLocation: %s\r\nContent-Length: 0\r\nCache-Control: no-store\r\n\r\n",
	          n.url);
	return 0;
}

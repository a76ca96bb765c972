/* Customers: GET /api/v1/customers/<id> (personal data masked; ?unmasked=1 is api_privacy.c's) and
 * POST /api/v1/customers/<id>/withdraw-consent (a withdrawal received by phone, mail or at a counter);
 * and the masked customer that records referring to one are answered with. */
#include <string.h>

#include "api.h"
#include "error.h"
#include "invitation.h"

int vocd_api_customer_get(struct vocd_req *req)
{
	char unmask[8];
	if (vocd_http_query(req, "unmasked", unmask, sizeof unmask) == 0 && (!strcmp(unmask, "1") || !strcmp(unmask, "true")))
		return vocd_api_customer_unmasked(req); /* api_privacy.c: role, reason and the access log */
	cJSON *c = NULL;
	int rc = vocd_customer_masked(req->srv->store, req->srv->pii, req->auth.tenant, req->params[0], &c);
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no customer %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else
		vocd_http_json(req, 200, c);
	cJSON_Delete(c);
	return 0;
}

int vocd_api_customer_withdraw(struct vocd_req *req)
{
	struct vocd_actor who;
	vocd_http_actor(req, "api", NULL, &who);
	int rc = vocd_customer_withdraw(req->srv->store, req->auth.tenant, req->params[0], "api", &who);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no customer %s", req->params[0]);
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *body = cJSON_CreateObject();
		cJSON_AddBoolToObject(body, "withdrawn", 1);
		vocd_http_json(req, 200, body);
		cJSON_Delete(body);
	}
	return 0;
}

void vocd_api_mask_customer(struct vocd_req *req, cJSON *rec)
{
	cJSON *customer = NULL;
	const char *cid = vocd_json_str(rec, "customer");
	if (cid && vocd_customer_masked(req->srv->store, req->srv->pii, req->auth.tenant, cid, &customer) == 0)
		cJSON_ReplaceItemInObjectCaseSensitive(rec, "customer", customer);
}

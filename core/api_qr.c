/* GET /api/v1/invitations/<id>/qr?format=png|svg: the QR code of an invitation's survey link, to print or
 * show at a counter. The link is remade from the record (tokens are deterministic); an answered or expired
 * invitation still gets its code, and the survey page then tells the customer so. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "error.h"
#include "invitation.h"
#include "qr.h"

/* Whether the query names \p name at all (vocd_http_query fails alike when it is absent and too long). */
static int query_has(const char *query, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == '=' || p[n] == '&' || p[n] == '\0'))
			return 1;
	return 0;
}

/* ?format=png (the default) or svg; answers 400 itself and returns -1 for anything else. */
static int qr_format(struct vocd_req *req, char format[16])
{
	if (vocd_http_query(req, "format", format, 16) != 0)
		strcpy(format, query_has(req->query, "format") ? "" : "png");
	if (strcmp(format, "png") != 0 && strcmp(format, "svg") != 0) {
		vocd_http_error(req, 400, "bad_format", "format: expected \"png\" or \"svg\"");
		return -1;
	}
	return 0;
}

int vocd_api_qr_answer(struct vocd_req *req, const char *url)
{
	char format[16];
	if (qr_format(req, format) != 0)
		return 0;
	int rc;
	if (strcmp(format, "svg") == 0) {
		struct vocd_buf svg = {0};
		rc = vocd_qr_svg(url, &svg);
		if (rc == 0)
			vocd_http_text(req, 200, "image/svg+xml; charset=utf-8", svg.p, svg.len);
		vocd_buf_free(&svg);
	} else {
		unsigned char *png = NULL;
		size_t len = 0;
		rc = vocd_qr_png(url, &png, &len);
		if (rc == 0)
			vocd_http_text(req, 200, "image/png", (const char *)png, len);
		free(png);
	}
	/* EINVAL here means the link itself was unusable (too long): our fault, not the caller's. */
	if (rc != 0)
		vocd_http_fail(req, rc == VOCD_EINVAL ? VOCD_EINTERNAL : rc, NULL);
	return 0;
}

int vocd_api_invitation_qr(struct vocd_req *req)
{
	char format[16];
	if (qr_format(req, format) != 0)
		return 0;
	cJSON *rec = NULL;
	int rc = vocd_invitation_get(req->srv->store, req->auth.tenant, req->params[0], &rec);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no invitation %s", req->params[0]);
		return 0;
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	/* A revisit asks the customer how their complaint was handled: its link goes to them alone, never
	 * through the staff who handled it (an agent could otherwise answer for the customer). */
	if (vocd_json_str(rec, "ticket")) {
		vocd_http_error(req, 403, "forbidden", "invitation %s is a ticket's revisit: its link is sent to the customer only",
		                req->params[0]);
		cJSON_Delete(rec);
		return 0;
	}
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(rec, "expires_at");
	if (!cJSON_IsNumber(exp)) {
		cJSON_Delete(rec);
		vocd_http_fail(req, VOCD_EINTERNAL, "the invitation record has no expiry");
		return 0;
	}
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	unsigned char key[32];
	char url[1024];
	rc = vocd_pii_derive_key(req->srv->pii, "invitation", req->auth.tenant, key);
	if (rc == 0)
		rc = vocd_invitation_url(t, req->srv->listen_url, key, req->params[0], (int64_t)exp->valuedouble, url,
		                         sizeof url);
	memset(key, 0, sizeof key);
	cJSON_Delete(rec);
	if (rc != 0) {
		vocd_http_fail(req, rc == VOCD_EINVAL ? VOCD_EINTERNAL : rc, NULL);
		return 0;
	}
	return vocd_api_qr_answer(req, url);
}

/* The customer's side: GET and POST /s/<token>. No account: the signed token is the key. A GET never
 * records an answer (mail scanners open links); it only marks the invitation opened. The consent step
 * comes before any question, and the answer goes down the same ingest path as the API's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "api.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "survey_page.h"

struct visit {
	struct vocd_req *req;
	const struct vocd_tenant_conf *tenant;
	struct vocd_invite_claims claims;
	cJSON *inv;
	enum vocd_page_lang lang;
	char path[VOCD_INVITE_TOKEN_MAX + 8];
	struct vocd_actor who;
};

static void send_page(struct vocd_req *req, int status, struct vocd_buf *b)
{
	if (b->oom || !b->p)
		vocd_http_fail(req, VOCD_ENOMEM, NULL);
	else
		vocd_http_text(req, status, "text/html; charset=utf-8", b->p, b->len);
	vocd_buf_free(b);
}

static void notice(struct visit *v, int status, enum vocd_page_notice what)
{
	struct vocd_buf b = {0};
	/* Only a checked link offers anything: after an answer, withdrawing consent, and correcting the answer
	 * while the tenant's correction window is open. */
	unsigned offers = 0;
	if (v->inv && what == VOCD_PAGE_THANKS)
		offers = VOCD_OFFER_WITHDRAW | (v->tenant->invitations.correction_hours ? VOCD_OFFER_CORRECT : 0);
	else if (v->inv && what == VOCD_PAGE_ANSWERED)
		offers = VOCD_OFFER_WITHDRAW |
		         (vocd_evaluation_correctable(v->tenant, v->inv, vocd_now_ms()) ? VOCD_OFFER_CORRECT : 0);
	vocd_page_notice(&b, v->lang, v->tenant ? v->tenant->name : "vocd", v->inv ? v->path : NULL, what, offers);
	send_page(v->req, status, &b);
}

/* ?lang=, then the form's lang, then Accept-Language, then the invitation's language. */
static enum vocd_page_lang pick_lang(struct vocd_req *req, const char *form, const cJSON *inv)
{
	char q[16];
	if (vocd_http_query(req, "lang", q, sizeof q) == 0 || (form && (snprintf(q, sizeof q, "%s", form), 1)))
		return strncasecmp(q, "en", 2) == 0 ? VOCD_LANG_EN : VOCD_LANG_ZH;
	const char *al = mg_get_header(req->conn, "Accept-Language");
	if (al && strncasecmp(al, "en", 2) == 0)
		return VOCD_LANG_EN;
	if (al && strncasecmp(al, "zh", 2) == 0)
		return VOCD_LANG_ZH;
	const char *l = vocd_json_str(inv, "lang");
	return l && strcmp(l, "en") == 0 ? VOCD_LANG_EN : VOCD_LANG_ZH;
}

static void end(struct visit *v)
{
	cJSON_Delete(v->inv);
	v->inv = NULL;
}

/* Checks the token and loads the invitation; answers the page itself and returns -1 when it cannot go on.
 * An answered invitation goes on only with \p answered_ok (withdrawing consent after answering). */
static int begin(struct visit *v, struct vocd_req *req, const char *form_lang, int answered_ok)
{
	memset(v, 0, sizeof *v);
	v->req = req;
	v->lang = pick_lang(req, form_lang, NULL);
	const char *token = req->params[0];
	snprintf(v->path, sizeof v->path, "/s/%s", token);
	if (vocd_invite_token_peek(token, &v->claims) != 0 ||
	    !(v->tenant = vocd_config_tenant(vocd_server_config(req->srv), v->claims.tenant))) {
		notice(v, 404, VOCD_PAGE_INVALID);
		return -1;
	}
	unsigned char key[32];
	int rc = vocd_pii_derive_key(req->srv->pii, "invitation", v->claims.tenant, key);
	if (rc == 0)
		rc = vocd_invite_token_check(key, token, vocd_now_ms(), &v->claims);
	if (rc == VOCD_ENOTFOUND) {
		notice(v, 410, VOCD_PAGE_EXPIRED);
		return -1;
	}
	if (rc != 0 || vocd_invitation_get(req->srv->store, v->claims.tenant, v->claims.invitation, &v->inv) != 0) {
		notice(v, 404, VOCD_PAGE_INVALID);
		return -1;
	}
	v->lang = pick_lang(req, form_lang, v->inv);
	const char *state = vocd_json_str(v->inv, "state");
	if (state && strcmp(state, "answered") == 0 && !answered_ok) {
		notice(v, 409, VOCD_PAGE_ANSWERED);
		end(v);
		return -1;
	}
	/* The customer is known by the invitation, never by personal data, in the audit trail. */
	vocd_http_actor(req, vocd_json_str(v->inv, "channel"), v->claims.invitation, &v->who);
	return 0;
}

static const struct vocd_survey *survey_of(struct visit *v)
{
	return vocd_surveys_pick(&v->tenant->surveys, vocd_json_str(v->inv, "service_type"));
}

static void questions(struct visit *v, int status, int preset, const char *error, int correction)
{
	struct vocd_buf b = {0};
	vocd_page_questions(&b, v->lang, v->tenant->name, v->path, survey_of(v), preset, error, correction);
	send_page(v->req, status, &b);
}

int vocd_api_survey_page(struct vocd_req *req)
{
	struct visit v;
	if (begin(&v, req, NULL, 0) != 0)
		return 0;
	int rc = 0;
	/* A HEAD (link checkers) shows nothing and so opens nothing. */
	if (strcmp(vocd_json_str(v.inv, "state"), "sent") == 0 && strcmp(req->method, "GET") == 0)
		rc = vocd_invitation_opened(req->srv->store, v.claims.tenant, v.claims.invitation, &v.who);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else if (!vocd_json_str(v.inv, "consent")) {
		struct vocd_buf b = {0};
		vocd_page_consent(&b, v.lang, v.tenant->name, v.path, survey_of(&v));
		send_page(req, 200, &b);
	} else {
		/* A one-click rating in an email (?score=5) only pre-selects: the customer still submits. */
		char score[8];
		int preset = -1;
		if (vocd_http_query(req, "score", score, sizeof score) == 0)
			preset = atoi(score);
		questions(&v, 200, preset, NULL, 0);
	}
	end(&v);
	return 0;
}

/* A form score as JSON: a number when the field is a plain whole number, else the text as sent, so that the
 * survey check names the field ("expected a whole number ..., got text") instead of storing a 0. */
static cJSON *form_score(const char *value)
{
	char *end;
	long v = strtol(value, &end, 10);
	if (value[0] && !*end && v > -1000 && v < 1000)
		return cJSON_CreateNumber((double)v);
	return cJSON_CreateString(value);
}

/* The form's fields as an answer: {scores, dimensions, tags, text}. \p value is a buffer as large as the
 * body, so no field can be cut short (a decoded value is never longer than its encoding). */
static cJSON *answer_from_form(const char *body, size_t len, const struct vocd_survey *sv, char *value)
{
	cJSON *a = cJSON_CreateObject();
	cJSON *scores = cJSON_AddObjectToObject(a, "scores");
	size_t cap = len + 1;
	for (size_t i = 0; i < sv->nmetrics; i++) {
		const char *name = vocd_metric_name(sv->metrics[i]);
		if (mg_get_var(body, len, name, value, cap) >= 0)
			cJSON_AddItemToObject(scores, name, form_score(value));
	}
	cJSON *dims = cJSON_CreateObject();
	for (size_t i = 0; i < sv->ndimensions; i++) {
		char name[48];
		snprintf(name, sizeof name, "dim_%s", sv->dimensions[i].id);
		if (mg_get_var(body, len, name, value, cap) >= 0)
			cJSON_AddItemToObject(dims, sv->dimensions[i].id, form_score(value));
	}
	if (dims->child)
		cJSON_AddItemToObject(a, "dimensions", dims);
	else
		cJSON_Delete(dims);
	cJSON *tags = cJSON_CreateArray();
	for (int k = 0; k < 64 && mg_get_var2(body, len, "tag", value, cap, (size_t)k) >= 0; k++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(value));
	if (tags->child)
		cJSON_AddItemToObject(a, "tags", tags);
	else
		cJSON_Delete(tags);
	if (mg_get_var(body, len, "text", value, cap) > 0)
		cJSON_AddStringToObject(a, "text", value);
	return a;
}

cJSON *vocd_api_survey_answer_from_form(const char *body, size_t len, const struct vocd_survey *sv)
{
	char *value = malloc(len + 1);
	if (!value)
		return NULL;
	cJSON *a = answer_from_form(body, len, sv, value);
	free(value);
	return a;
}

static void answer(struct visit *v, int correction)
{
	struct vocd_req *req = v->req;
	if (!vocd_json_str(v->inv, "consent")) {
		struct vocd_buf b = {0};
		vocd_page_consent(&b, v->lang, v->tenant->name, v->path, survey_of(v));
		send_page(req, 400, &b);
		return;
	}
	cJSON *a = vocd_api_survey_answer_from_form(req->body, req->body_len, survey_of(v));
	if (!a) {
		vocd_http_fail(req, VOCD_ENOMEM, NULL);
		return;
	}
	struct vocd_evaluation_new n;
	memset(&n, 0, sizeof n);
	n.tenant = v->claims.tenant;
	n.conf = v->tenant;
	n.invitation = v->claims.invitation;
	n.answer = a;
	n.lang = vocd_page_lang_code(v->lang);
	double opened = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v->inv, "opened_at"));
	n.seconds_to_submit = opened > 0 ? (vocd_now_ms() - (int64_t)opened) / 1000 : -1;
	n.who = v->who;
	n.correction = correction;
	int rc = vocd_evaluation_create(req->srv->store, &n);
	cJSON_Delete(a);
	if (rc == 0)
		notice(v, 200, VOCD_PAGE_THANKS);
	else if (rc == VOCD_EEXIST)
		notice(v, 409, VOCD_PAGE_ANSWERED);
	else if (rc == VOCD_EGONE)
		notice(v, 410, VOCD_PAGE_EXPIRED);
	else if (rc == VOCD_EUNPROC && strcmp(n.field, "consent") == 0) { /* withdrawn since: ask again */
		struct vocd_buf b = {0};
		vocd_page_consent(&b, v->lang, v->tenant->name, v->path, survey_of(v));
		send_page(req, 400, &b);
	} else if (rc == VOCD_EINVAL || rc == VOCD_EUNPROC) {
		char error[400];
		snprintf(error, sizeof error, "%s: %s", n.field, n.message);
		questions(v, 422, -1, error, correction);
	} else
		vocd_http_fail(req, rc, NULL);
}

int vocd_api_survey_post(struct vocd_req *req)
{
	char step[16] = "", agree[8] = "", lang[8] = "";
	mg_get_var(req->body, req->body_len, "step", step, sizeof step);
	mg_get_var(req->body, req->body_len, "agree", agree, sizeof agree);
	mg_get_var(req->body, req->body_len, "lang", lang, sizeof lang);
	struct visit v;
	int after_answer = !strcmp(step, "withdraw") || !strcmp(step, "edit") || !strcmp(step, "correct");
	if (begin(&v, req, lang[0] ? lang : NULL, after_answer) != 0)
		return 0;
	if (strcmp(step, "withdraw") == 0) {
		int rc = vocd_customer_withdraw(req->srv->store, v.claims.tenant, vocd_json_str(v.inv, "customer"), "web",
		                                &v.who);
		if (rc != 0)
			vocd_http_fail(req, rc, NULL);
		else {
			cJSON_Delete(v.inv);
			v.inv = NULL; /* no further form on this page */
			notice(&v, 200, VOCD_PAGE_WITHDRAWN);
		}
	} else if (strcmp(step, "consent") == 0 && strcmp(agree, "yes") == 0) {
		char consent[24];
		const struct vocd_survey *sv = survey_of(&v);
		int rc = vocd_invitation_consent(req->srv->store, v.claims.tenant, v.claims.invitation, sv->notice_version,
		                                 &v.who, consent);
		if (rc == VOCD_EEXIST)
			notice(&v, 409, VOCD_PAGE_ANSWERED);
		else if (rc != 0)
			vocd_http_fail(req, rc, NULL);
		else
			questions(&v, 200, -1, NULL, 0);
	} else if (strcmp(step, "consent") == 0) {
		notice(&v, 200, VOCD_PAGE_DECLINED);
	} else if (strcmp(step, "answer") == 0) {
		answer(&v, 0);
	} else if (strcmp(step, "edit") == 0 || strcmp(step, "correct") == 0) {
		if (!vocd_evaluation_correctable(v.tenant, v.inv, vocd_now_ms()))
			notice(&v, 409, VOCD_PAGE_ANSWERED);
		else if (strcmp(step, "edit") == 0)
			questions(&v, 200, -1, NULL, 1);
		else
			answer(&v, 1);
	} else {
		vocd_http_error(req, 400, "bad_request", "step: expected consent, answer, edit, correct or withdraw");
	}
	end(&v);
	return 0;
}

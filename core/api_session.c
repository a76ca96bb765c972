/* Signing in and out: POST/DELETE /api/v1/session for scripts and pages that speak JSON, and the plain
 * HTML form at /signin (zh-CN or en) for people. A successful sign-in sets the session cookie; each
 * attempt counts against the caller's address (the password check is deliberately slow, and must not be
 * a way to keep the server busy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "api.h"
#include "buf.h"
#include "error.h"
#include "ids.h"
#include "ratelimit.h"
#include "session.h"
#include "validate.h"

#define SIGNINS_PER_MINUTE 20
#define PASSWORD_FIELD 260 /* the longest password and a little: longer is cut and fails */

enum outcome { SIGNED_IN, WRONG, LOCKED, BUSY, BROKEN };

struct attempt {
	struct vocd_session_new s;
	char cookie_header[VOCD_TOKEN_MAX + 128];
};

static enum outcome sign_in(struct vocd_req *req, const char *tenant, const char *person, const char *password,
                            struct attempt *a)
{
	char key[96];
	snprintf(key, sizeof key, "signin:%s", req->ri->remote_addr);
	if (!vocd_ratelimit_allow(key, SIGNINS_PER_MINUTE, vocd_now_ms()))
		return BUSY;
	const struct vocd_tenant_conf *t = tenant ? vocd_config_tenant(vocd_server_config(req->srv), tenant) : NULL;
	if (!t || !person || !password || !vocd_external_id_valid(person))
		return WRONG;
	struct vocd_actor who;
	vocd_http_actor(req, "web", person, &who);
	who.actor.kind = VOCD_AUDIT_ACTOR_USER; /* the person signing in, whatever the outcome */
	int rc = vocd_session_signin(req->srv->store, t, person, password, &who, &a->s);
	if (rc == VOCD_EAUTH)
		return WRONG;
	if (rc == VOCD_ERATE)
		return LOCKED;
	if (rc != 0)
		return BROKEN;
	snprintf(a->cookie_header, sizeof a->cookie_header,
	         "Set-Cookie: " VOCD_SESSION_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s\r\n",
	         a->s.cookie, VOCD_SESSION_MS / 1000, vocd_server_config(req->srv)->plain_http ? "" : "; Secure");
	return SIGNED_IN;
}

static const char clear_cookie[] =
	"Set-Cookie: " VOCD_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\r\n";

static void answer_outcome(struct vocd_req *req, enum outcome o, const struct attempt *a)
{
	if (o == WRONG)
		vocd_http_error(req, 401, "unauthorized", "wrong organisation, person or password");
	else if (o == LOCKED)
		vocd_http_error(req, 429, "locked", "too many wrong passwords: signing in is locked for %lld more minutes",
		                (long long)(a->s.retry_after_ms + 59999) / 60000);
	else if (o == BUSY)
		vocd_http_error(req, 429, "rate_limited", "too many sign-in attempts from this address: wait a minute");
	else
		vocd_http_fail(req, VOCD_EINTERNAL, "signing in failed");
}

int vocd_api_session_create(struct vocd_req *req)
{
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct attempt a;
	enum outcome o = sign_in(req, vocd_json_str(body, "tenant"), vocd_json_str(body, "person"),
	                         vocd_json_str(body, "password"), &a);
	cJSON_Delete(body);
	if (o != SIGNED_IN) {
		answer_outcome(req, o, &a);
		return 0;
	}
	cJSON *answer = cJSON_CreateObject();
	cJSON_AddStringToObject(answer, "tenant", a.s.info.tenant);
	cJSON_AddStringToObject(answer, "person", a.s.info.person);
	cJSON_AddStringToObject(answer, "role", vocd_role_name(a.s.info.role));
	cJSON_AddStringToObject(answer, "csrf", a.s.csrf);
	cJSON_AddNumberToObject(answer, "expires_at", (double)a.s.expires_ms);
	char *text = cJSON_PrintUnformatted(answer);
	cJSON_Delete(answer);
	if (!text) {
		vocd_http_fail(req, VOCD_ENOMEM, NULL);
		return 0;
	}
	vocd_http_text_with(req, 201, "application/json; charset=utf-8", a.cookie_header, text, strlen(text));
	free(text);
	return 0;
}

int vocd_api_session_delete(struct vocd_req *req)
{
	if (!req->auth.session) {
		vocd_http_error(req, 400, "not_a_session", "this is an API token, not a session: revoke tokens with "
		                "`vocd token revoke`");
		return 0;
	}
	struct vocd_actor who;
	vocd_http_actor(req, "web", NULL, &who);
	int rc = vocd_session_end(req->srv->store, req->auth.tenant, req->auth.id, &who);
	if (rc != 0 && rc != VOCD_ENOTFOUND) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	static const char done[] = "{\"signed_out\":true}";
	vocd_http_text_with(req, 200, "application/json; charset=utf-8", clear_cookie, done, sizeof done - 1);
	return 0;
}

/* ---- The HTML form ----------------------------------------------------------------------------------- */

static int wants_english(struct vocd_req *req)
{
	char q[8];
	if (vocd_http_query(req, "lang", q, sizeof q) == 0)
		return strcmp(q, "en") == 0;
	const char *al = mg_get_header(req->conn, "Accept-Language");
	return al && strncmp(al, "en", 2) == 0;
}

static void page(struct vocd_req *req, int status, const char *headers, const char *tenant, const char *message)
{
	int en = wants_english(req);
	struct vocd_buf b = {0};
	vocd_buf_printf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
	                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title>"
	                "<style>body{font-family:sans-serif;max-width:24rem;margin:2rem auto;padding:0 1rem}"
	                "label,input,button{display:block;width:100%%;margin:.4rem 0;font-size:1rem}"
	                "p.msg{color:#a40000}</style></head><body><h1>%s</h1>",
	                en ? "en" : "zh-CN", en ? "Sign in" : "登录", en ? "Sign in" : "登录");
	if (message) {
		vocd_buf_puts(&b, "<p class=\"msg\" role=\"alert\">");
		vocd_buf_html(&b, message);
		vocd_buf_puts(&b, "</p>");
	}
	vocd_buf_printf(&b, "<form method=\"post\" action=\"/signin%s\"><label>%s<input name=\"tenant\" required value=\"",
	                en ? "?lang=en" : "", en ? "Organisation" : "组织");
	vocd_buf_html(&b, tenant ? tenant : "");
	vocd_buf_printf(&b, "\"></label><label>%s<input name=\"person\" required autocomplete=\"username\"></label>"
	                "<label>%s<input name=\"password\" type=\"password\" required autocomplete=\"current-password\">"
	                "</label><button>%s</button></form></body></html>",
	                en ? "Your id" : "工号", en ? "Password" : "密码", en ? "Sign in" : "登录");
	vocd_http_text_with(req, status, "text/html; charset=utf-8", headers, b.p ? b.p : "", b.len);
	vocd_buf_free(&b);
}

static void signed_in_page(struct vocd_req *req, const char *headers, const struct vocd_token_info *who)
{
	int en = wants_english(req);
	struct vocd_buf b = {0};
	vocd_buf_printf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
	                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title></head>"
	                "<body><p>%s <strong>", en ? "en" : "zh-CN", en ? "Signed in" : "已登录", en ? "Signed in as" : "已登录：");
	vocd_buf_html(&b, who->person);
	vocd_buf_printf(&b, "</strong> (%s)</p><form method=\"post\" action=\"/signout%s\"><button>%s</button></form>"
	                "</body></html>", vocd_role_name(who->role), en ? "?lang=en" : "", en ? "Sign out" : "退出登录");
	vocd_http_text_with(req, 200, "text/html; charset=utf-8", headers, b.p ? b.p : "", b.len);
	vocd_buf_free(&b);
}

int vocd_api_signin_page(struct vocd_req *req)
{
	char tenant[65] = "", cookie[VOCD_TOKEN_MAX], csrf[VOCD_CSRF_LEN + 1];
	struct vocd_token_info who;
	if (vocd_http_session_cookie(req, cookie, sizeof cookie) == 0 &&
	    vocd_session_verify(req->srv->store, cookie, &who, csrf) == 0) {
		signed_in_page(req, "", &who);
		return 0;
	}
	vocd_http_query(req, "tenant", tenant, sizeof tenant);
	page(req, 200, "", tenant, NULL);
	return 0;
}

/* The form's field \p name, or NULL (\p out is a buffer of \p cap bytes). */
static const char *field(struct vocd_req *req, const char *name, char *out, size_t cap)
{
	return mg_get_var(req->body, req->body_len, name, out, cap) > 0 ? out : NULL;
}

int vocd_api_signin_form(struct vocd_req *req)
{
	char tenant[65], person[129], password[PASSWORD_FIELD];
	const char *t = field(req, "tenant", tenant, sizeof tenant);
	struct attempt a;
	enum outcome o = sign_in(req, t, field(req, "person", person, sizeof person),
	                         field(req, "password", password, sizeof password), &a);
	memset(password, 0, sizeof password);
	int en = wants_english(req);
	if (o == SIGNED_IN)
		signed_in_page(req, a.cookie_header, &a.s.info);
	else if (o == WRONG)
		page(req, 401, "", t, en ? "Wrong organisation, id or password." : "组织、工号或密码不正确。");
	else if (o == LOCKED)
		page(req, 429, "", t, en ? "Too many wrong passwords: signing in is locked for 15 minutes."
		                         : "密码错误次数过多，登录已锁定 15 分钟。");
	else if (o == BUSY)
		page(req, 429, "", t, en ? "Too many attempts from this address: wait a minute." : "尝试过于频繁，请一分钟后再试。");
	else
		page(req, 500, "", t, en ? "Signing in failed; try again." : "登录失败，请重试。");
	return 0;
}

/* Signing out through the form needs no anti-forgery value: the cookie is SameSite=Strict, and the worst
 * a forged sign-out does is sign someone out. */
int vocd_api_signout_form(struct vocd_req *req)
{
	char cookie[VOCD_TOKEN_MAX], csrf[VOCD_CSRF_LEN + 1];
	if (vocd_http_session_cookie(req, cookie, sizeof cookie) == 0 &&
	    vocd_session_verify(req->srv->store, cookie, &req->auth, csrf) == 0) {
		struct vocd_actor actor;
		vocd_http_actor(req, "web", NULL, &actor);
		vocd_session_end(req->srv->store, req->auth.tenant, req->auth.id, &actor);
	}
	page(req, 200, clear_cookie, NULL, wants_english(req) ? "Signed out." : "已退出登录。");
	return 0;
}

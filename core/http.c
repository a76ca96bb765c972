/* HTTP(S) front on civetweb: one request handler for every path, which reads the body within its cap,
 * finds the route, checks the bearer token (or session) and role, calls the handler, then counts and logs.
 * The route table is the one place that says what each role may call; what each caller then sees of the
 * records is scope.c's. civetweb serves no files (built with NO_FILES) and its own error pages are
 * replaced by JSON ones. */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>

#include "api.h"
#include "error.h"
#include "ids.h"
#include "json_text.h"
#include "log.h"
#include "metrics.h"
#include "session.h"
#include "validate.h"

#define ROLE(r) (1u << (r))
#define ANY_ROLE 0x1fu
#define WRITERS (ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR) | ROLE(VOCD_ROLE_AGENT) | ROLE(VOCD_ROLE_INTEGRATOR))
#define ADMIN ROLE(VOCD_ROLE_ADMIN)
/* The people of the organisation, as against an integrator's machine account: they read the closed loop
 * (tickets and alerts), which a channel has no business with. */
#define STAFF (ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR) | ROLE(VOCD_ROLE_AGENT) | ROLE(VOCD_ROLE_AUDITOR))
/* Who works tickets: agents on their own (ticket.c checks), supervisors and admins on any. */
#define HANDLERS (ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR) | ROLE(VOCD_ROLE_AGENT))

/* Who handles privacy requests (export, erasure, the access log), and who may also read consents. */
#define PRIVACY_OFFICERS (ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_AUDITOR))
#define PRIVACY_READERS (PRIVACY_OFFICERS | ROLE(VOCD_ROLE_SUPERVISOR))

struct route {
	const char *method;
	const char *pattern; /* '*' matches one path segment */
	unsigned roles;      /* 0 = no token needed */
	vocd_handler fn;
};

static const struct route routes[] = {
	{"GET", "/healthz", 0, vocd_api_healthz},
	{"GET", "/metrics", 0, vocd_api_metrics},
	{"GET", "/api/v1/whoami", ANY_ROLE, vocd_api_whoami},
	{"POST", "/api/v1/session", 0, vocd_api_session_create},
	{"DELETE", "/api/v1/session", ANY_ROLE, vocd_api_session_delete},
	{"GET", "/signin", 0, vocd_api_signin_page},
	{"POST", "/signin", 0, vocd_api_signin_form},
	{"POST", "/signout", 0, vocd_api_signout_form},
	{"POST", "/api/v1/service-events", WRITERS, vocd_api_service_event_create},
	{"GET", "/api/v1/service-events", ANY_ROLE, vocd_api_service_event_list},
	{"GET", "/api/v1/service-events/*", ANY_ROLE, vocd_api_service_event_get},
	{"POST", "/api/v1/invitations", WRITERS, vocd_api_invitation_create},
	{"GET", "/api/v1/invitations/*", ANY_ROLE, vocd_api_invitation_get},
	{"GET", "/api/v1/invitations/*/qr", ANY_ROLE, vocd_api_invitation_qr},
	{"GET", "/api/v1/customers/*", ANY_ROLE, vocd_api_customer_get},
	{"POST", "/api/v1/customers/*/withdraw-consent", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR),
	 vocd_api_customer_withdraw},
	/* Privacy requests (api_privacy.c); ?unmasked=1 on the customer is checked there: admin, supervisor, auditor. */
	{"GET", "/api/v1/customers/*/consents", PRIVACY_READERS, vocd_api_customer_consents},
	{"GET", "/api/v1/customers/*/export", PRIVACY_OFFICERS, vocd_api_customer_export},
	{"POST", "/api/v1/customers/*/erase", PRIVACY_OFFICERS, vocd_api_customer_erase},
	{"GET", "/api/v1/privacy/access-log", PRIVACY_OFFICERS, vocd_api_privacy_access_log},
	{"GET", "/api/v1/privacy/retention", PRIVACY_OFFICERS, vocd_api_privacy_retention_runs},
	{"POST", "/api/v1/evaluations", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_INTEGRATOR), vocd_api_evaluation_create},
	{"GET", "/api/v1/evaluations", ANY_ROLE, vocd_api_evaluation_list},
	{"GET", "/api/v1/evaluations/*", ANY_ROLE, vocd_api_evaluation_get},
	{"DELETE", "/api/v1/evaluations/*", ANY_ROLE, vocd_api_evaluation_delete},
	{"POST", "/api/v1/evaluations/*/replies", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR), vocd_api_reply_create},
	{"POST", "/api/v1/evaluations/*/hide", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR) | ROLE(VOCD_ROLE_AUDITOR),
	 vocd_api_evaluation_hide},
	{"POST", "/api/v1/evaluations/*/hide/decide", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_AUDITOR),
	 vocd_api_evaluation_hide_decide},
	{"POST", "/api/v1/complaints", WRITERS, vocd_api_complaint_create},
	{"GET", "/api/v1/tickets", STAFF, vocd_api_ticket_list},
	{"GET", "/api/v1/tickets/*", STAFF, vocd_api_ticket_get},
	{"POST", "/api/v1/tickets/*/transitions", HANDLERS, vocd_api_ticket_transition},
	{"POST", "/api/v1/tickets/*/notes", HANDLERS, vocd_api_ticket_note},
	{"POST", "/api/v1/tickets/*/assign", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR), vocd_api_ticket_assign},
	{"POST", "/api/v1/tickets/*/class", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR), vocd_api_ticket_reclassify},
	{"POST", "/api/v1/rules/dry-run", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR), vocd_api_rules_dry_run},
	{"GET", "/api/v1/alerts", STAFF, vocd_api_alert_list},
	{"GET", "/api/v1/alerts/*", STAFF, vocd_api_alert_get},
	{"POST", "/api/v1/alerts/*/ack", HANDLERS, vocd_api_alert_ack},
	{"GET", "/api/v1/review-queue", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR) | ROLE(VOCD_ROLE_AUDITOR),
	 vocd_api_review_queue},
	{"POST", "/api/v1/review-queue/*", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_AUDITOR), vocd_api_review_decide},
	{"GET", "/api/v1/stats", STAFF, vocd_api_stats},
	{"GET", "/api/v1/topics", STAFF, vocd_api_topics},
	{"GET", "/dashboard", 0, vocd_web_dashboard},
	{"GET", "/assets/*", 0, vocd_web_asset},
	{"GET", "/wall/*", 0, vocd_api_wall_page},
	{"POST", "/api/v1/evaluations/*/wall", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR), vocd_api_wall_pick},
	{"GET", "/api/v1/reports/*", STAFF, vocd_api_report},
	{"GET", "/api/v1/report-runs", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_AUDITOR), vocd_api_report_runs},
	{"POST", "/api/v1/report-runs", ADMIN, vocd_api_report_run_now},
	{"GET", "/api/v1/report-runs/*/file", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_AUDITOR), vocd_api_report_run_file},
	/* The points ledger (api_points.c): scope decides whose entries; reversals by supervisors and admins. */
	{"GET", "/api/v1/points", STAFF, vocd_api_points_list},
	{"GET", "/api/v1/points/balances", STAFF, vocd_api_points_balances},
	{"GET", "/api/v1/points/leaderboard", STAFF, vocd_api_points_leaderboard},
	{"POST", "/api/v1/points/awards", ADMIN, vocd_api_points_award},
	{"GET", "/api/v1/points/*", STAFF, vocd_api_points_get},
	{"POST", "/api/v1/points/*/reverse", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR), vocd_api_points_reverse},
	{"GET", "/api/v1/audit/verify", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_AUDITOR), vocd_api_audit_verify},
	{"GET", "/api/v1/audit", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_AUDITOR), vocd_api_audit_list},
	{"POST", "/api/v1/counter-codes", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_SUPERVISOR), vocd_api_counter_create},
	{"GET", "/api/v1/counter-codes/*/qr", ANY_ROLE, vocd_api_counter_qr},
	{"GET", "/q/*", 0, vocd_api_counter_scan},
	{"POST", "/channels/*/inbound", 0, vocd_api_channel_inbound},
	{"GET", "/s/*", 0, vocd_api_survey_page},
	{"POST", "/s/*", 0, vocd_api_survey_post},
	{"POST", "/api/v1/plugins/*/call/*", ROLE(VOCD_ROLE_ADMIN) | ROLE(VOCD_ROLE_INTEGRATOR), vocd_api_plugin_call},
	{"POST", "/api/v1/admin/reload", ADMIN, vocd_api_admin_reload},
	{"GET", "/api/v1/admin/plugins", ADMIN, vocd_api_admin_plugins},
	{"GET", "/api/v1/admin/dead-letters", ADMIN, vocd_api_admin_dead_letters},
	{"POST", "/api/v1/admin/dead-letters/*/replay", ADMIN, vocd_api_admin_replay},
};

cJSON *vocd_http_routes(void)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "method", routes[i].method);
		cJSON_AddStringToObject(r, "path", routes[i].pattern);
		cJSON *roles = cJSON_AddArrayToObject(r, "roles");
		for (int role = VOCD_ROLE_ADMIN; role <= VOCD_ROLE_INTEGRATOR; role++)
			if (routes[i].roles & ROLE(role))
				cJSON_AddItemToArray(roles, cJSON_CreateString(vocd_role_name(role)));
		cJSON_AddBoolToObject(r, "public", routes[i].roles == 0);
		cJSON_AddItemToArray(list, r);
	}
	return list;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Matches \p path against \p pattern, capturing the '*' segments. */
static int match(const char *pattern, const char *path, struct vocd_req *req)
{
	int n = 0;
	while (*pattern && *path) {
		if (*pattern == '*') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0 || len > 128 || n >= VOCD_MAX_PARAMS)
				return 0;
			if (req) {
				memcpy(req->params[n], path, len);
				req->params[n][len] = '\0';
			}
			n++;
			pattern++;
			path += len;
		} else if (*pattern++ != *path++) {
			return 0;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

/* ---- Answers ----------------------------------------------------------------------------------------- */

static const char *reason(int status)
{
	const char *r = mg_get_response_code_text(NULL, status);
	return r ? r : "";
}

void vocd_http_text(struct vocd_req *req, int status, const char *content_type, const char *text, size_t len)
{
	vocd_http_text_with(req, status, content_type, "", text, len);
}

void vocd_http_text_with(struct vocd_req *req, int status, const char *content_type, const char *headers,
                         const char *text, size_t len)
{
	req->status = status;
	char head[1024];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d %s\r\n"
	                 "Content-Type: %s\r\n"
	                 "Content-Length: %zu\r\n"
	                 "Cache-Control: no-store\r\n"
	                 "X-Content-Type-Options: nosniff\r\n"
	                 "%s%s"
	                 "\r\n",
	                 status, reason(status), content_type, len,
	                 status == 401 ? "WWW-Authenticate: Bearer realm=\"vocd\"\r\n" : "", headers);
	if (n < 0 || (size_t)n >= sizeof head) { /* a content type that does not fit: never send a cut head */
		static const char oops[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
		req->status = 500;
		mg_write(req->conn, oops, sizeof oops - 1);
		return;
	}
	if (strcmp(req->method, "HEAD") == 0)
		len = 0;
	/* Head and body in one write: one TLS record, one TCP segment for small answers. */
	char small[8192];
	if ((size_t)n + len <= sizeof small) {
		memcpy(small, head, (size_t)n);
		memcpy(small + n, text, len);
		mg_write(req->conn, small, (size_t)n + len);
	} else {
		mg_write(req->conn, head, (size_t)n);
		mg_write(req->conn, text, len);
	}
}

void vocd_http_json(struct vocd_req *req, int status, const cJSON *body)
{
	size_t len;
	char *text = vocd_json_print(body, &len);
	if (!text) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
		vocd_http_text(req, 500, "application/json", oom, sizeof oom - 1);
		return;
	}
	vocd_http_text(req, status, "application/json; charset=utf-8", text, len);
	free(text);
}

static void error_body(struct vocd_req *req, int status, const char *code, const char *message)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	vocd_http_json(req, status, root);
	cJSON_Delete(root);
}

void vocd_http_error(struct vocd_req *req, int status, const char *code, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	error_body(req, status, code, message);
}

void vocd_http_fail(struct vocd_req *req, int err, const char *message)
{
	error_body(req, vocd_error_http_status(err), vocd_error_code(err), message ? message : vocd_strerror(err));
}

void vocd_http_field_error(struct vocd_req *req, const struct vocd_field_error *e)
{
	error_body(req, e->status, e->code, e->message);
}

void vocd_http_actor(const struct vocd_req *req, const char *channel, const char *customer_ref, struct vocd_actor *who)
{
	memset(who, 0, sizeof *who);
	if (req->auth.id[0]) { /* a signed-in person acts as themselves; the session id is where from */
		who->actor.kind = req->auth.session ? VOCD_AUDIT_ACTOR_USER : VOCD_AUDIT_ACTOR_TOKEN;
		who->actor.id = req->auth.session ? req->auth.person : req->auth.id;
		who->actor.role = vocd_role_name(req->auth.role);
		who->source.token = req->auth.id;
	} else {
		who->actor.kind = VOCD_AUDIT_ACTOR_CUSTOMER;
		who->actor.id = customer_ref ? customer_ref : "anonymous";
	}
	who->source.ip = req->ri->remote_addr;
	who->source.user_agent = mg_get_header(req->conn, "User-Agent");
	who->source.channel = channel;
}

int vocd_http_query(const struct vocd_req *req, const char *name, char *out, size_t outlen)
{
	if (!req->query)
		return -1;
	return mg_get_var(req->query, strlen(req->query), name, out, outlen) >= 0 ? 0 : -1;
}

int vocd_http_filter(struct vocd_req *req, const char *name, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!req->query || mg_get_var(req->query, strlen(req->query), name, out, outlen) != -2)
		return 0;
	out[0] = '\0';
	vocd_http_error(req, 400, "invalid_parameter", "%s: at most %zu bytes", name, outlen - 1);
	return -1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define MAX_NESTING 64

/* True if \p j holds objects or arrays nested deeper than MAX_NESTING. No request needs that many, and the
 * checks below walk a body by recursion. */
static int too_deep(const cJSON *j, int depth)
{
	if (depth > MAX_NESTING)
		return 1;
	for (const cJSON *m = j->child; m; m = m->next)
		if ((cJSON_IsObject(m) || cJSON_IsArray(m)) && too_deep(m, depth + 1))
			return 1;
	return 0;
}

/* The first member name that appears twice in an object anywhere in \p j, or NULL. cJSON keeps both, and
 * a check that reads the first could be passed while the second is stored, so a body with one is refused. */
static const char *duplicate_name(const cJSON *j, int depth)
{
	if (depth > MAX_NESTING) /* refused before: too_deep */
		return NULL;
	size_t n = 0;
	for (const cJSON *m = j->child; m; m = m->next) {
		n++;
		const char *d = cJSON_IsObject(m) || cJSON_IsArray(m) ? duplicate_name(m, depth + 1) : NULL;
		if (d)
			return d;
	}
	if (!cJSON_IsObject(j) || n < 2)
		return NULL;
	const char **names = malloc(n * sizeof *names);
	if (!names)
		return "(out of memory)";
	size_t i = 0;
	for (const cJSON *m = j->child; m; m = m->next)
		names[i++] = m->string;
	qsort(names, n, sizeof *names, cmp_names);
	const char *dup = NULL;
	for (i = 1; i < n && !dup; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			dup = names[i];
	free(names);
	return dup;
}

cJSON *vocd_http_body_object(struct vocd_req *req)
{
	const char *end = NULL;
	cJSON *obj = cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, 0);
	if (!obj) {
		size_t at = end && end >= req->body ? (size_t)(end - req->body) : 0;
		vocd_http_error(req, 400, "bad_json", "the body is not valid JSON (near byte %zu)", at);
		return NULL;
	}
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		vocd_http_error(req, 400, "bad_json", "the body must be a JSON object");
		return NULL;
	}
	if (too_deep(obj, 0)) {
		vocd_http_error(req, 400, "bad_json", "the body nests objects or arrays more than %d deep", MAX_NESTING);
		cJSON_Delete(obj);
		return NULL;
	}
	const char *dup = duplicate_name(obj, 0);
	if (dup) {
		vocd_http_error(req, 400, "duplicate_field", "%.100s: given twice in one object", dup);
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/* ---- Serving a request ------------------------------------------------------------------------------- */

/* Reads the body within the cap. \return 0, or an HTTP status already answered. */
static int read_body(struct vocd_req *req)
{
	size_t cap = vocd_server_config(req->srv)->limits.max_body;
	long long declared = req->ri->content_length;
	if (declared > (long long)cap) {
		vocd_http_error(req, 413, "too_large", "the body is larger than the %zu bytes allowed", cap);
		return 413;
	}
	size_t size = declared > 0 ? (size_t)declared : 0;
	size_t alloc = declared >= 0 ? size + 1 : 4096;
	req->body = malloc(alloc);
	if (!req->body) {
		vocd_http_fail(req, VOCD_ENOMEM, NULL);
		return 500;
	}
	size_t got = 0;
	for (;;) {
		if (declared >= 0 && got == size)
			break; /* all of it: no need to grow the buffer for a read that can only return 0 */
		if (got + 1 >= alloc) {
			if (alloc > cap + 1) {
				vocd_http_error(req, 413, "too_large", "the body is larger than the %zu bytes allowed", cap);
				return 413;
			}
			char *nb = realloc(req->body, alloc * 2);
			if (!nb) {
				vocd_http_fail(req, VOCD_ENOMEM, NULL);
				return 500;
			}
			req->body = nb;
			alloc *= 2;
		}
		int n = mg_read(req->conn, req->body + got, alloc - got - 1);
		if (n < 0) {
			vocd_http_error(req, 400, "bad_request", "the body could not be read");
			return 400;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > cap) {
			vocd_http_error(req, 413, "too_large", "the body is larger than the %zu bytes allowed", cap);
			return 413;
		}
	}
	if (declared >= 0 && got != size) {
		vocd_http_error(req, 400, "bad_request", "the body ended before its Content-Length");
		return 400;
	}
	req->body[got] = '\0';
	req->body_len = got;
	return 0;
}

/* civetweb keeps a connection open after the handler unless the client asked otherwise: marking the request
 * "Connection: close" is the one lever the handler has to have it closed once this answer is sent. */
static void close_after_answer(struct vocd_req *req)
{
	struct mg_request_info *ri = (struct mg_request_info *)req->ri;
	for (int i = 0; i < ri->num_headers; i++)
		if (strcasecmp(ri->http_headers[i].name, "Connection") == 0) {
			ri->http_headers[i].value = "close";
			return;
		}
	if (ri->num_headers < (int)(sizeof ri->http_headers / sizeof ri->http_headers[0])) {
		ri->http_headers[ri->num_headers].name = "Connection";
		ri->http_headers[ri->num_headers].value = "close";
		ri->num_headers++;
	}
}

/* A body framed two ways (Content-Length and Transfer-Encoding, or two Content-Lengths) is read differently
 * by a proxy in front and by civetweb, which 1.15 does not refuse itself: the bytes one takes for the next
 * request the other takes for this body (request smuggling). Refused, and the connection closed. */
static int ambiguous_framing(struct vocd_req *req)
{
	int lengths = 0, encodings = 0;
	for (int i = 0; i < req->ri->num_headers; i++) {
		lengths += strcasecmp(req->ri->http_headers[i].name, "Content-Length") == 0;
		encodings += strcasecmp(req->ri->http_headers[i].name, "Transfer-Encoding") == 0;
	}
	if (lengths + encodings <= 1)
		return 0;
	close_after_answer(req);
	vocd_http_error(req, 400, "bad_request",
	                "the body's length is given more than once (Content-Length with Transfer-Encoding, or twice)");
	return 400;
}

int vocd_http_session_cookie(const struct vocd_req *req, char *out, size_t outlen)
{
	const char *cookies = mg_get_header(req->conn, "Cookie");
	return cookies && mg_get_cookie(cookies, VOCD_SESSION_COOKIE, out, outlen) > 0 ? 0 : -1;
}

static int safe_method(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* A signed-in person: the session, then the person as the tenant file has them now (someone taken out of
 * it, or given another access, is so at the next request, not at the end of the session). */
static int authenticate_session(struct vocd_req *req, const char *cookie)
{
	char csrf[VOCD_CSRF_LEN + 1];
	if (vocd_session_verify(req->srv->store, cookie, &req->auth, csrf) != 0) {
		vocd_http_error(req, 401, "unauthorized", "the session has ended: sign in again");
		return 401;
	}
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	const struct vocd_person *p = t ? vocd_people_find(&t->people, req->auth.person) : NULL;
	if (!p || p->access < 0) {
		vocd_http_error(req, 401, "unauthorized", "this person may no longer sign in");
		return 401;
	}
	req->auth.role = p->access;
	/* A page of another site can make the browser send the cookie (SameSite aside), but cannot read the
	 * value a change must carry. */
	const char *sent = mg_get_header(req->conn, "X-CSRF-Token");
	if (!safe_method(req->method) && (!sent || strlen(sent) != VOCD_CSRF_LEN || !vocd_same_secret(sent, csrf))) {
		vocd_http_error(req, 403, "csrf", "a change made through a session must carry its X-CSRF-Token header");
		return 403;
	}
	return 0;
}

static int authenticate(struct vocd_req *req, unsigned roles)
{
	const char *h = mg_get_header(req->conn, "Authorization");
	char cookie[VOCD_TOKEN_MAX];
	if (!h && vocd_http_session_cookie(req, cookie, sizeof cookie) == 0) {
		int rc = authenticate_session(req, cookie);
		if (rc != 0)
			return rc;
	} else if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		vocd_http_error(req, 401, "unauthorized", "send an API token: Authorization: Bearer <token>, or sign in");
		return 401;
	} else if (vocd_token_verify(req->srv->store, h + 7, &req->auth) != 0) {
		vocd_http_error(req, 401, "unauthorized", "the API token is not valid");
		return 401;
	}
	if (!vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant)) {
		vocd_http_error(req, 401, "unauthorized", "the API token's tenant is not configured on this server");
		return 401;
	}
	if (!(roles & ROLE(req->auth.role))) {
		vocd_http_error(req, 403, "forbidden", "the role '%s' may not do this", vocd_role_name(req->auth.role));
		return 403;
	}
	return 0;
}

/* The path for the log: control characters escaped (a decoded "%0a" must not start a forged line), and
 * the secret part of a survey link left out (it is a bearer credential). */
static void loggable_path(const char *path, char *out, size_t outlen)
{
	size_t o = 0;
	int survey = strncmp(path, "/s/", 3) == 0;
	for (const char *p = path; *p && o + 5 < outlen; p++) {
		unsigned char c = (unsigned char)*p;
		if (survey && p - path == 3) {
			/* keep "<tenant>.<invitation>" and drop the expiry and MAC */
			const char *d1 = strchr(p, '.');
			const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
			const char *stop = d2 ? d2 : p + strlen(p);
			for (; p < stop && o + 5 < outlen; p++)
				o += (size_t)snprintf(out + o, outlen - o, (unsigned char)*p < 0x20 || *p == 0x7f ? "\\x%02x" : "%c",
				                      (unsigned char)*p);
			snprintf(out + o, outlen - o, ".…");
			return;
		}
		if (c < 0x20 || c == 0x7f || c == ' ')
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void access_log(struct vocd_req *req, double seconds)
{
	FILE *f = req->srv->access_log;
	if (!f)
		return;
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	char path[512];
	loggable_path(req->path, path, sizeof path);
	pthread_mutex_lock(&req->srv->log_lock);
	fprintf(f, "%s %s %s %s %d %zu %.3fms tenant=%s token=%s\n", when, req->ri->remote_addr, req->method,
	        path, req->status, req->body_len, seconds * 1000, req->auth.tenant[0] ? req->auth.tenant : "-",
	        req->auth.id[0] ? req->auth.id : "-");
	fflush(f);
	pthread_mutex_unlock(&req->srv->log_lock);
}

static void serve(struct vocd_req *req)
{
	if (ambiguous_framing(req) != 0)
		return;
	const struct route *found = NULL;
	char allow[64] = "";
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!match(routes[i].pattern, req->path, NULL))
			continue;
		if (strcmp(routes[i].method, req->method) == 0 ||
		    (strcmp(req->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			found = &routes[i];
			break;
		}
		snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s", allow[0] ? ", " : "",
		         routes[i].method);
	}
	if (!found && allow[0]) {
		vocd_http_error(req, 405, "method_not_allowed", "%s is not allowed here (allowed: %s)", req->method, allow);
		return;
	}
	if (!found) {
		vocd_http_error(req, 404, "not_found", "no such resource");
		return;
	}
	match(found->pattern, req->path, req);
	if (read_body(req) != 0)
		return;
	if (found->roles && authenticate(req, found->roles) != 0)
		return;
	found->fn(req);
	if (req->status == 0)
		vocd_http_fail(req, VOCD_EINTERNAL, "the handler gave no answer");
}

static int handle(struct mg_connection *conn, void *cbdata)
{
	struct vocd_req req;
	memset(&req, 0, sizeof req);
	double start = now_s();
	req.conn = conn;
	req.ri = mg_get_request_info(conn);
	req.srv = cbdata;
	req.method = req.ri->request_method;
	req.path = req.ri->local_uri ? req.ri->local_uri : "/";
	req.query = req.ri->query_string;
	serve(&req);
	double elapsed = now_s() - start;
	vocd_metrics_request(req.status, elapsed);
	access_log(&req, elapsed);
	free(req.body);
	return req.status;
}

/* civetweb's own errors (malformed request, headers too large, timeouts) answered as JSON too. */
static int http_error(struct mg_connection *conn, int status, const char *msg)
{
	char body[512];
	char esc[256];
	size_t j = 0;
	for (size_t i = 0; msg && msg[i] && j < sizeof esc - 2; i++)
		if (msg[i] != '"' && msg[i] != '\\' && (unsigned char)msg[i] >= 0x20)
			esc[j++] = msg[i];
	esc[j] = '\0';
	int n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
	                 status == 413 || status == 431 ? "too_large" : status >= 500 ? "internal" : "bad_request",
	                 j ? esc : reason(status));
	mg_printf(conn,
	          "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
	          status, reason(status), n, body);
	vocd_metrics_request(status, 0);
	return 0;
}

static int log_message(const struct mg_connection *conn, const char *message)
{
	vocd_warn("http: %s", message);
	return 1;
}

int vocd_http_start(struct vocd_server *srv, const char *cert_file)
{
	const struct vocd_config *cfg = srv->cfg;
	char ports[160], threads[16], timeout[16], header[24];
	snprintf(ports, sizeof ports, "%s%s", cfg->listen, cfg->plain_http ? "" : "s");
	snprintf(threads, sizeof threads, "%u", cfg->http_threads);
	snprintf(timeout, sizeof timeout, "%u", cfg->limits.request_timeout_ms);
	snprintf(header, sizeof header, "%zu", cfg->limits.max_header);
	const char *options[32];
	int n = 0;
	options[n++] = "listening_ports";
	options[n++] = ports;
	options[n++] = "num_threads";
	options[n++] = threads;
	options[n++] = "request_timeout_ms";
	options[n++] = timeout;
	options[n++] = "max_request_size";
	options[n++] = header;
	options[n++] = "enable_keep_alive";
	options[n++] = "yes";
	options[n++] = "keep_alive_timeout_ms";
	options[n++] = "30000";
	options[n++] = "tcp_nodelay";
	options[n++] = "1";
	options[n++] = "enable_directory_listing";
	options[n++] = "no";
	if (!cfg->plain_http) {
		options[n++] = "ssl_certificate";
		options[n++] = cert_file;
	}
	options[n] = NULL;

	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.http_error = http_error;
	cb.log_message = log_message;

	mg_init_library(cfg->plain_http ? 0 : MG_FEATURES_TLS);
	char errtext[256] = "";
	struct mg_init_data init = {&cb, srv, options};
	unsigned errcode = 0;
	struct mg_error_data errdata = {&errcode, errtext, sizeof errtext};
	srv->http = mg_start2(&init, &errdata);
	if (!srv->http) {
		vocd_error("cannot listen on %s: %s", cfg->listen, errtext[0] ? errtext : "civetweb failed to start");
		mg_exit_library();
		return VOCD_EIO;
	}
	mg_set_request_handler(srv->http, "/", handle, srv);

	struct mg_server_port sp[4];
	int np = mg_get_server_ports(srv->http, 4, sp);
	const char *host = cfg->listen;
	const char *colon = strrchr(host, ':');
	if (np > 0)
		snprintf(srv->listen_url, sizeof srv->listen_url, "%s://%.*s:%d", sp[0].is_ssl ? "https" : "http",
		         (int)(colon - host), host, sp[0].port);
	return 0;
}

void vocd_http_stop(struct vocd_server *srv)
{
	if (srv->http) {
		mg_stop(srv->http);
		srv->http = NULL;
		mg_exit_library();
	}
}

/* HTTP(S) front: civetweb set-up, request reading with caps, routing, JSON answers and errors, the
 * access log. Route handlers live in api_*.c. */
#ifndef VOCD_HTTP_H
#define VOCD_HTTP_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "record.h"
#include "server.h"
#include "token.h"

struct mg_connection;
struct mg_request_info;

#define VOCD_MAX_PARAMS 3

/** One request being served. Everything it points to lives until the handler returns. */
struct vocd_req {
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	struct vocd_server *srv;
	const char *method;
	const char *path;                  /**< decoded, without the query */
	const char *query;                 /**< raw query string or NULL */
	char *body;                        /**< NUL-terminated request body (may be empty) */
	size_t body_len;
	struct vocd_token_info auth;       /**< the caller, when the route requires a token */
	char params[VOCD_MAX_PARAMS][129]; /**< the path segments matched by '*' in the route */
	int status;                        /**< what was answered */
};

/** A route handler: answers through vocd_http_json / vocd_http_error and returns 0. */
typedef int (*vocd_handler)(struct vocd_req *req);

/**
 * \brief The route table: [{method, path ('*' for one segment), roles [...], public}], what each role may
 * call (`vocd routes`; docs/http-api.md lists the same). Caller frees.
 */
cJSON *vocd_http_routes(void);

/** \brief Starts civetweb on srv->cfg (listen, TLS, threads, limits) with \p cert_file for HTTPS. */
int vocd_http_start(struct vocd_server *srv, const char *cert_file);

/** \brief Stops civetweb; returns when every request has been answered. */
void vocd_http_stop(struct vocd_server *srv);

/** \brief Answers with \p status and the JSON \p body (not freed). */
void vocd_http_json(struct vocd_req *req, int status, const cJSON *body);

/** \brief Answers {"error": {"code": code, "message": message}} with \p status. */
void vocd_http_error(struct vocd_req *req, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** \brief Answers the error that a vocd error code stands for, with \p message (NULL: the code's text). */
void vocd_http_fail(struct vocd_req *req, int err, const char *message);

/** \brief Answers plain text with a content type. */
void vocd_http_text(struct vocd_req *req, int status, const char *content_type, const char *text, size_t len);
/** \brief vocd_http_text with more header lines, each ending in "\r\n" (Set-Cookie, Location). */
void vocd_http_text_with(struct vocd_req *req, int status, const char *content_type, const char *headers,
                         const char *text, size_t len);

/** \brief Value of a query parameter (decoded into \p out); 0 if present, -1 if not. */
int vocd_http_query(const struct vocd_req *req, const char *name, char *out, size_t outlen);

/**
 * \brief A query parameter that filters a list: "" in \p out when absent. Too long for \p outlen, it is
 * answered 400 here and -1 returned: a filter cut short or dropped would list what was not asked for.
 */
int vocd_http_filter(struct vocd_req *req, const char *name, char *out, size_t outlen);

struct vocd_field_error;

/** \brief Answers a body check's error (see validate.h). */
void vocd_http_field_error(struct vocd_req *req, const struct vocd_field_error *e);

/**
 * \brief Who is asking, for the audit trail: the token (kind, id, role) when the route needs one, else a
 * customer identified by \p customer_ref; source ip, user agent, token id and \p channel. Points into
 * \p req: valid while the request is served.
 */
void vocd_http_actor(const struct vocd_req *req, const char *channel, const char *customer_ref, struct vocd_actor *who);

/** \brief The session cookie's value in \p out, when the request carries one: 0, else -1. */
int vocd_http_session_cookie(const struct vocd_req *req, char *out, size_t outlen);

/** \brief Parses the request body as a JSON object, answering 400 itself when it is not one. */
cJSON *vocd_http_body_object(struct vocd_req *req);

#endif

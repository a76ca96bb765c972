/* Outbound HTTP and HTTPS requests, for channel plugins that reach an SMS gateway, a mail relay or a
 * webhook. One request per connection (Connection: close), TLS on mbedTLS with certificate and hostname
 * checks, one deadline for the whole request. Safe to call from several threads at once. */
#ifndef VOCD_HTTP_CLIENT_H
#define VOCD_HTTP_CLIENT_H

#include <stddef.h>

/** Defaults for the fields left at 0 / NULL. */
#define VOCD_HTTP_TIMEOUT_MS 10000
#define VOCD_HTTP_MAX_RESPONSE (1024 * 1024)
#define VOCD_HTTP_MAX_HEADERS (64 * 1024)
#define VOCD_HTTP_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

struct vocd_http_request {
	const char *method;         /**< "GET", "POST", "PUT", "PATCH" or "DELETE" */
	const char *url;            /**< http://host[:port]/path?query or https://...; host may be [v6] */
	const char *const *headers; /**< NULL-terminated "Name: value" strings, may be NULL */
	const void *body;           /**< may be NULL when body_len is 0 */
	size_t body_len;
	unsigned timeout_ms;   /**< whole request: DNS + connect + TLS + send + receive; 0 = VOCD_HTTP_TIMEOUT_MS */
	size_t max_response;   /**< bytes of body kept; 0 = VOCD_HTTP_MAX_RESPONSE; larger -> VOCD_ETOOBIG */
	const char *ca_file;   /**< PEM bundle of trusted CAs; NULL = VOCD_HTTP_CA_FILE */
	int insecure_loopback; /**< tests only: no certificate checks when the host is 127.0.0.1, ::1 or localhost */
};

struct vocd_http_response {
	int status;      /**< the final status code (1xx interim answers are skipped) */
	char *headers;   /**< header lines after the status line, "Name: value\r\n" each, NUL-terminated */
	char *body;      /**< the body (de-chunked), with a NUL after body_len bytes; never NULL on success */
	size_t body_len;
};

/**
 * \brief Sends \p rq and reads the whole answer into \p rs.
 *
 * The request carries Host, User-Agent: vocd (unless \p rq->headers has one), Connection: close, and
 * Content-Length when there is a body or the method is POST/PUT/PATCH. Headers that would contradict
 * ours (Host, Content-Length, Transfer-Encoding, Connection) are refused. The body of the answer may be
 * delimited by Content-Length, chunked encoding or the end of the connection.
 *
 * HTTPS: TLS 1.2 at least, SNI, the server's certificate checked against \p rq->ca_file and the host name.
 *
 * \param rq the request; only read, nothing is kept after the call.
 * \param rs filled on success; the caller frees it with vocd_http_response_free(). On failure it is
 *           zeroed and holds nothing to free (freeing it anyway is harmless).
 * \return 0 whatever the HTTP status (a 404 or 503 is a successful exchange), or
 *   VOCD_EINVAL  bad URL, method or header, CR/LF/NUL in any of them (header injection);
 *   VOCD_EIO     DNS failure, connection refused or reset, TLS or certificate failure, malformed answer
 *                (the reason is logged with vocd_warn);
 *   VOCD_ELIMIT  the deadline passed, at whichever step;
 *   VOCD_ETOOBIG the body is larger than max_response, or the headers larger than VOCD_HTTP_MAX_HEADERS;
 *   VOCD_ENOMEM, VOCD_EINTERNAL (mbedTLS setup failed; logged).
 *
 * Caveats: IP-literal hosts cannot pass certificate checks with mbedTLS 2.28, which compares the host
 * against DNS names only: use a host name for HTTPS. A DNS lookup that outlives the deadline is left to
 * finish in a detached thread. No redirects are followed, no keep-alive, no proxies.
 */
int vocd_http_request(const struct vocd_http_request *rq, struct vocd_http_response *rs);

/** \brief Frees what vocd_http_request() put in \p rs and zeroes it; accepts NULL. */
void vocd_http_response_free(struct vocd_http_response *rs);

/**
 * \brief The value of the first response header named \p name (case-insensitive), without surrounding
 * blanks, copied into \p out (NUL-terminated, truncated to \p size - 1 bytes).
 * \return its full length, or VOCD_ENOTFOUND.
 */
int vocd_http_response_header(const struct vocd_http_response *rs, const char *name, char *out, size_t size);

#endif

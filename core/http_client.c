/* Outbound HTTP(S) client for channel plugins: strict URL and header checks, one deadline over DNS,
 * connect, TLS, send and receive, capped answers. civetweb 1.15's client cannot do TLS with mbedTLS.
 *
 * Every wait is a poll() bounded by the deadline: the socket is non-blocking, and under TLS our own bio
 * callbacks poll before each send and receive, so mbedTLS never sees "want read/write". That matters
 * because the build wraps mbedtls_ssl_handshake (core/tls.c): the wrapper would otherwise poll up to a
 * second on its own, past our deadline. The wrapper reads the fd as *(int *)ssl->p_bio; our bio context
 * starts with the fd, so it is right even if it ever gets to poll. */
#include "http_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "buf.h"
#include "error.h"
#include "log.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- URL and request checks ---- */

struct url {
	int tls;
	char host[256];     /* without brackets */
	char port[6];
	int v6;             /* host is an IPv6 literal */
	int explicit_port;
	const char *target; /* path and query, up to an optional '#'; empty means "/" */
	size_t target_len;
};

static int host_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
	       ch == '.' || ch == '_';
}

static int parse_url(const char *s, struct url *u)
{
	memset(u, 0, sizeof *u);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f) /* controls (CR/LF), blanks, non-ASCII: not in a URL we send */
			return VOCD_EINVAL;
	if (strncmp(s, "https://", 8) == 0) {
		u->tls = 1;
		s += 8;
	} else if (strncmp(s, "http://", 7) == 0) {
		s += 7;
	} else {
		return VOCD_EINVAL;
	}
	size_t auth_len = strcspn(s, "/?#");
	const char *end = s + auth_len, *hend;
	if (memchr(s, '@', auth_len)) /* credentials in the URL: refused, they would end up in logs */
		return VOCD_EINVAL;
	const char *p = s;
	if (*p == '[') {
		const char *close = memchr(p, ']', auth_len);
		if (!close || close - p - 1 <= 0 || (size_t)(close - p - 1) >= sizeof u->host)
			return VOCD_EINVAL;
		memcpy(u->host, p + 1, (size_t)(close - p - 1));
		struct in6_addr a6;
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return VOCD_EINVAL;
		u->v6 = 1;
		hend = close + 1;
	} else {
		hend = p;
		while (hend < end && *hend != ':')
			hend++;
		size_t n = (size_t)(hend - p);
		if (n == 0 || n > 253)
			return VOCD_EINVAL;
		for (size_t i = 0; i < n; i++)
			if (!host_char((unsigned char)p[i]))
				return VOCD_EINVAL;
		memcpy(u->host, p, n);
	}
	if (hend < end) {
		if (*hend != ':')
			return VOCD_EINVAL;
		size_t n = (size_t)(end - hend - 1);
		if (n == 0 || n > 5)
			return VOCD_EINVAL;
		long port = 0;
		for (size_t i = 0; i < n; i++) {
			if (hend[1 + i] < '0' || hend[1 + i] > '9')
				return VOCD_EINVAL;
			port = port * 10 + (hend[1 + i] - '0');
		}
		if (port < 1 || port > 65535)
			return VOCD_EINVAL;
		snprintf(u->port, sizeof u->port, "%ld", port);
		u->explicit_port = 1;
	} else {
		strcpy(u->port, u->tls ? "443" : "80");
	}
	u->target = end;
	u->target_len = strcspn(end, "#");
	return 0;
}

static int tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Names we set ourselves: a second Host or a Content-Length/Transfer-Encoding of the caller's would make
 * the request mean something else to the server than to us. */
static const char *const reserved_headers[] = {"host", "content-length", "transfer-encoding", "connection", NULL};

static int check_header(const char *h, int *has_user_agent)
{
	size_t n = 0;
	while (tchar((unsigned char)h[n]))
		n++;
	if (n == 0 || h[n] != ':')
		return VOCD_EINVAL;
	for (const unsigned char *v = (const unsigned char *)h + n + 1; *v; v++)
		if ((*v < 0x20 && *v != '\t') || *v == 0x7f) /* CR, LF and other controls */
			return VOCD_EINVAL;
	for (int i = 0; reserved_headers[i]; i++)
		if (strlen(reserved_headers[i]) == n && strncasecmp(h, reserved_headers[i], n) == 0)
			return VOCD_EINVAL;
	if (n == 10 && strncasecmp(h, "user-agent", 10) == 0)
		*has_user_agent = 1;
	return 0;
}

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};

/* ---- DNS with a deadline: getaddrinfo() has none, so it runs in a thread we can stop waiting for ---- */

struct dns_job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs, done, rc;
	char host[256], port[6];
	struct addrinfo *res;
};

static void dns_job_unref(struct dns_job *j)
{
	pthread_mutex_lock(&j->mu);
	int left = --j->refs;
	pthread_mutex_unlock(&j->mu);
	if (left)
		return;
	if (j->res)
		freeaddrinfo(j->res);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

static void *dns_thread(void *arg)
{
	struct dns_job *j = arg;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(j->host, j->port, &hints, &res);
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->res = res;
	j->done = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	dns_job_unref(j);
	return NULL;
}

static int resolve(const struct url *u, int64_t deadline, struct addrinfo **out)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	if (getaddrinfo(u->host, u->port, &hints, out) == 0) /* a literal address: no lookup, no thread */
		return 0;

	struct dns_job *j = calloc(1, sizeof *j);
	if (!j)
		return VOCD_ENOMEM;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	j->refs = 2;
	strcpy(j->host, u->host);
	strcpy(j->port, u->port);
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int trc = pthread_create(&t, &attr, dns_thread, j);
	pthread_attr_destroy(&attr);
	if (trc != 0) {
		j->refs = 1;
		dns_job_unref(j);
		vocd_warn("http client: cannot start a DNS thread: %s", strerror(trc));
		return VOCD_EINTERNAL;
	}
	struct timespec until = {(time_t)(deadline / 1000), (long)(deadline % 1000) * 1000000};
	pthread_mutex_lock(&j->mu);
	while (!j->done && pthread_cond_timedwait(&j->cv, &j->mu, &until) != ETIMEDOUT)
		;
	int done = j->done, rc = j->rc;
	if (done) {
		*out = j->res;
		j->res = NULL;
	}
	pthread_mutex_unlock(&j->mu);
	dns_job_unref(j);
	if (!done)
		return VOCD_ELIMIT;
	if (rc != 0) {
		vocd_warn("http client: cannot resolve %s: %s", u->host, gai_strerror(rc));
		return VOCD_EIO;
	}
	return 0;
}

/* ---- the connection ---- */

struct conn {
	int fd; /* first: tls.c's handshake wrapper reads *(int *)ssl->p_bio */
	int timed_out;
	int64_t deadline;
	mbedtls_ssl_context *ssl; /* NULL for plain HTTP */
	const struct url *url;
};
_Static_assert(offsetof(struct conn, fd) == 0, "the handshake wrapper reads the fd at the start of p_bio");

/* 0 when the socket is ready, VOCD_ELIMIT at the deadline. */
static int wait_fd(struct conn *c, short events)
{
	for (;;) {
		int64_t left = c->deadline - now_ms();
		if (left <= 0) {
			c->timed_out = 1;
			return VOCD_ELIMIT;
		}
		struct pollfd p = {c->fd, events, 0};
		int n = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return VOCD_EIO;
	}
}

static int do_connect(const struct url *u, struct addrinfo *ai, int64_t deadline, int *fd_out)
{
	int err = 0;
	for (; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			*fd_out = fd;
			return 0;
		}
		err = errno;
		if (err == EINPROGRESS) {
			struct conn c = {.fd = fd, .deadline = deadline};
			if (wait_fd(&c, POLLOUT) != 0) {
				close(fd);
				return VOCD_ELIMIT;
			}
			socklen_t len = sizeof err;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
			if (err == 0) {
				*fd_out = fd;
				return 0;
			}
		}
		close(fd);
	}
	vocd_warn("http client: cannot connect to %s:%s: %s", u->host, u->port, strerror(err ? err : ECONNREFUSED));
	return VOCD_EIO;
}

static int sock_send(struct conn *c, const void *buf, size_t len)
{
	for (;;) {
		if (now_ms() >= c->deadline) {
			c->timed_out = 1;
			return VOCD_ELIMIT;
		}
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return VOCD_EIO;
		int rc = wait_fd(c, POLLOUT);
		if (rc)
			return rc;
	}
}

/* Bytes read, 0 at the end of the stream, or a negative vocd code. A peer that keeps sending still
 * meets the deadline: it is checked before every read, not only when waiting. */
static int sock_recv(struct conn *c, void *buf, size_t len)
{
	for (;;) {
		if (now_ms() >= c->deadline) {
			c->timed_out = 1;
			return VOCD_ELIMIT;
		}
		ssize_t n = recv(c->fd, buf, len, 0);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return VOCD_EIO;
		int rc = wait_fd(c, POLLIN);
		if (rc)
			return rc;
	}
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	int rc = sock_send(ctx, buf, len > INT32_MAX ? INT32_MAX : len);
	if (rc >= 0)
		return rc;
	return rc == VOCD_ELIMIT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len, uint32_t timeout_unused)
{
	int rc = sock_recv(ctx, buf, len > INT32_MAX ? INT32_MAX : len);
	if (rc >= 0)
		return rc;
	return rc == VOCD_ELIMIT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_RECV_FAILED;
}

static int tls_fail(struct conn *c, const char *what, int mrc)
{
	if (c->timed_out)
		return VOCD_ELIMIT;
	char msg[160];
	mbedtls_strerror(mrc, msg, sizeof msg);
	vocd_warn("http client: %s:%s: TLS %s failed: %s", c->url->host, c->url->port, what, msg);
	return VOCD_EIO;
}

static int conn_write(struct conn *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len > 0) {
		size_t n = len > 16384 ? 16384 : len;
		int rc;
		if (c->ssl) {
			rc = mbedtls_ssl_write(c->ssl, p, n);
			if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
				continue;
			if (rc < 0)
				return tls_fail(c, "write", rc);
		} else {
			rc = sock_send(c, p, n);
			if (rc < 0) {
				if (rc == VOCD_EIO)
					vocd_warn("http client: %s:%s: send failed: %m", c->url->host, c->url->port);
				return rc;
			}
		}
		p += rc;
		len -= (size_t)rc;
	}
	return 0;
}

static int conn_read(struct conn *c, void *buf, size_t len)
{
	if (!c->ssl) {
		int rc = sock_recv(c, buf, len);
		if (rc == VOCD_EIO)
			vocd_warn("http client: %s:%s: receive failed: %m", c->url->host, c->url->port);
		return rc;
	}
	for (;;) {
		int rc = mbedtls_ssl_read(c->ssl, buf, len);
		if (rc >= 0)
			return rc;
		if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF)
			return 0;
		if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		return tls_fail(c, "read", rc);
	}
}

/* ---- reading the answer ---- */

struct reader {
	struct conn *c;
	char *buf;
	size_t pos, len, cap;
};

static int malformed(struct reader *r, const char *what)
{
	vocd_warn("http client: %s:%s: %s", r->c->url->host, r->c->url->port, what);
	return VOCD_EIO;
}

/* Appends what the peer sends next: bytes added, 0 at the end of the stream, or a vocd code. */
static int rd_more(struct reader *r)
{
	if (r->pos == r->len)
		r->pos = r->len = 0;
	if (r->cap - r->len < 4096) {
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if (r->cap - r->len < 4096) {
			size_t cap = r->cap ? r->cap * 2 : 16384;
			char *b = realloc(r->buf, cap);
			if (!b)
				return VOCD_ENOMEM;
			r->buf = b;
			r->cap = cap;
		}
	}
	int n = conn_read(r->c, r->buf + r->len, r->cap - r->len - 1);
	if (n > 0) {
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
	}
	return n;
}

/* The next line without its end (LF or CRLF), at most \p max bytes; *line points into the buffer and
 * stays valid until the next read. */
static int rd_line(struct reader *r, size_t max, const char **line, size_t *len)
{
	size_t scanned = 0;
	for (;;) {
		char *nl = r->len > r->pos + scanned ? memchr(r->buf + r->pos + scanned, '\n', r->len - r->pos - scanned)
		                                     : NULL;
		if (nl) {
			*line = r->buf + r->pos;
			*len = (size_t)(nl - *line);
			r->pos += *len + 1;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			return 0;
		}
		scanned = r->len - r->pos;
		if (scanned > max)
			return VOCD_ETOOBIG;
		int rc = rd_more(r);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return malformed(r, "connection closed in the middle of the answer");
	}
}

struct body {
	char *p;
	size_t len, cap, max;
};

static int too_big(struct reader *r, const struct body *b)
{
	vocd_warn("http client: %s:%s: body over the %zu bytes allowed", r->c->url->host, r->c->url->port, b->max);
	return VOCD_ETOOBIG;
}

static int body_add(struct body *b, const char *data, size_t n)
{
	if (n > b->max - b->len)
		return VOCD_ETOOBIG;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return VOCD_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Moves up to \p n body bytes (all that remain until the end of the stream when \p until_eof) from the
 * connection to the body. */
static int read_body_bytes(struct reader *r, struct body *b, uint64_t n, int until_eof)
{
	while (until_eof || n > 0) {
		if (r->pos == r->len) {
			int rc = rd_more(r);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return until_eof ? 0 : malformed(r, "connection closed before the end of the body");
		}
		size_t avail = r->len - r->pos;
		size_t take = !until_eof && n < avail ? (size_t)n : avail;
		int rc = body_add(b, r->buf + r->pos, take);
		if (rc)
			return rc == VOCD_ETOOBIG ? too_big(r, b) : rc;
		r->pos += take;
		n -= until_eof ? 0 : take;
	}
	return 0;
}

static int read_chunked(struct reader *r, struct body *b)
{
	const char *line;
	size_t len;
	int rc;
	for (;;) {
		if ((rc = rd_line(r, 4096, &line, &len)) != 0)
			return rc == VOCD_ETOOBIG ? malformed(r, "chunk size line too long") : rc;
		uint64_t size = 0;
		size_t i = 0;
		for (; i < len; i++) {
			char ch = line[i];
			int d = ch >= '0' && ch <= '9' ? ch - '0'
			      : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			      : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
			                               : -1;
			if (d < 0)
				break;
			if (size > (UINT64_MAX >> 4))
				return too_big(r, b);
			size = size << 4 | (uint64_t)d;
		}
		if (i == 0 || (i < len && line[i] != ';' && line[i] != ' ' && line[i] != '\t'))
			return malformed(r, "malformed chunk size");
		if (size == 0)
			break;
		if (size > b->max - b->len)
			return too_big(r, b);
		if ((rc = read_body_bytes(r, b, size, 0)) != 0)
			return rc;
		if ((rc = rd_line(r, 2, &line, &len)) != 0 || len != 0)
			return rc == VOCD_ETOOBIG || rc == 0 ? malformed(r, "chunk not followed by CRLF") : rc;
	}
	/* Trailer fields, ignored, up to the empty line. */
	size_t total = 0;
	do {
		if ((rc = rd_line(r, VOCD_HTTP_MAX_HEADERS, &line, &len)) != 0)
			return rc;
		total += len + 2;
		if (total > VOCD_HTTP_MAX_HEADERS)
			return VOCD_ETOOBIG;
	} while (len > 0);
	return 0;
}

static int lower_eq(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

static void trim(const char **v, size_t *n)
{
	while (*n && (**v == ' ' || **v == '\t'))
		(*v)++, (*n)--;
	while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
		(*n)--;
}

/* Reads one answer: status line, headers, body. */
static int read_response(struct reader *r, struct body *b, struct vocd_http_response *rs)
{
	const char *line;
	size_t len;
	int rc, status;
	struct vocd_buf hdrs = {0};
	for (;;) { /* 1xx interim answers come before the real one */
		/* the headers of an interim answer are not kept (they used to leak when the next line was bad) */
		vocd_buf_free(&hdrs);
		if ((rc = rd_line(r, 1024, &line, &len)) != 0)
			return rc == VOCD_ETOOBIG ? malformed(r, "status line too long") : rc;
		if (len < 12 || strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
		    line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' ||
		    line[11] < '0' || line[11] > '9' || (len > 12 && line[12] != ' '))
			return malformed(r, "malformed status line");
		status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
		size_t total = 0;
		for (;;) {
			if ((rc = rd_line(r, VOCD_HTTP_MAX_HEADERS, &line, &len)) != 0) {
				vocd_buf_free(&hdrs);
				return rc;
			}
			total += len + 2;
			if (total > VOCD_HTTP_MAX_HEADERS) {
				vocd_warn("http client: %s:%s: headers over %d bytes", r->c->url->host, r->c->url->port,
				          VOCD_HTTP_MAX_HEADERS);
				vocd_buf_free(&hdrs);
				return VOCD_ETOOBIG;
			}
			if (len == 0)
				break;
			vocd_buf_printf(&hdrs, "%.*s\r\n", (int)len, line);
		}
		if (status == 101) {
			vocd_buf_free(&hdrs);
			return malformed(r, "unexpected 101 Switching Protocols");
		}
		if (status >= 200)
			break;
	}
	if (hdrs.oom) {
		vocd_buf_free(&hdrs);
		return VOCD_ENOMEM;
	}
	rs->status = status;
	rs->headers = hdrs.p ? hdrs.p : strdup("");
	if (!rs->headers)
		return VOCD_ENOMEM;

	/* How the body ends. */
	int chunked = 0, has_length = 0;
	uint64_t length = 0;
	for (const char *h = rs->headers; *h;) {
		const char *eol = strstr(h, "\r\n");
		const char *colon = memchr(h, ':', (size_t)(eol - h));
		if (!colon || colon == h)
			return malformed(r, "malformed header line");
		const char *v = colon + 1;
		size_t vn = (size_t)(eol - v);
		trim(&v, &vn);
		if (lower_eq(h, (size_t)(colon - h), "transfer-encoding")) {
			if (!lower_eq(v, vn, "chunked")) {
				vocd_warn("http client: %s:%s: unsupported transfer encoding %.*s", r->c->url->host,
				          r->c->url->port, (int)vn, v);
				return VOCD_EIO;
			}
			chunked = 1;
		} else if (lower_eq(h, (size_t)(colon - h), "content-length")) {
			uint64_t n = 0;
			if (vn == 0 || vn > 18)
				return malformed(r, "bad Content-Length");
			for (size_t i = 0; i < vn; i++) {
				if (v[i] < '0' || v[i] > '9')
					return malformed(r, "bad Content-Length");
				n = n * 10 + (uint64_t)(v[i] - '0');
			}
			if (has_length && n != length) /* two lengths: which one the server meant is anyone's guess */
				return malformed(r, "conflicting Content-Length headers");
			has_length = 1;
			length = n;
		}
		h = eol + 2;
	}
	if (status == 204 || status == 304)
		return 0;
	if (chunked)
		return read_chunked(r, b);
	if (has_length) {
		if (length > b->max)
			return too_big(r, b);
		return read_body_bytes(r, b, length, 0);
	}
	return read_body_bytes(r, b, 0, 1);
}

/* ---- TLS ---- */

struct tls {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg; /* one per request: no lock shared between bus threads */
	mbedtls_x509_crt ca;
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
};

static int is_loopback(const struct url *u)
{
	return strcmp(u->host, "127.0.0.1") == 0 || strcmp(u->host, "::1") == 0 || strcasecmp(u->host, "localhost") == 0;
}

static int tls_start(struct tls *t, struct conn *c, const struct vocd_http_request *rq)
{
	const struct url *u = c->url;
	int mrc;
	char msg[160];
	const char *ca_file = rq->ca_file ? rq->ca_file : VOCD_HTTP_CA_FILE;
	int verify = !(rq->insecure_loopback && is_loopback(u));

	if ((mrc = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
	                                 (const unsigned char *)"vocd-http-client", 16)) != 0)
		goto internal;
	if (verify) {
		mrc = mbedtls_x509_crt_parse_file(&t->ca, ca_file);
		if (mrc < 0 || t->ca.version == 0) { /* > 0: some certificates skipped, the rest is usable */
			mbedtls_strerror(mrc, msg, sizeof msg);
			vocd_warn("http client: cannot load the CA bundle %s: %s", ca_file, mrc < 0 ? msg : "no certificate");
			return VOCD_EIO;
		}
	}
	/* Wrapped at link time (core/tls.c): TLS 1.2 minimum, AEAD suites, no renegotiation. The minimum is
	 * set again here so that the client does not depend on the wrap. */
	if ((mrc = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
	                                       MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
		goto internal;
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_authmode(&t->conf, verify ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
	if (verify)
		mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	if ((mrc = mbedtls_ssl_setup(&t->ssl, &t->conf)) != 0 || (mrc = mbedtls_ssl_set_hostname(&t->ssl, u->host)) != 0)
		goto internal;
	mbedtls_ssl_set_bio(&t->ssl, c, bio_send, NULL, bio_recv);
	c->ssl = &t->ssl;

	while ((mrc = mbedtls_ssl_handshake(&t->ssl)) != 0) {
		if (mrc == MBEDTLS_ERR_SSL_WANT_READ || mrc == MBEDTLS_ERR_SSL_WANT_WRITE) {
			if (now_ms() >= c->deadline) {
				c->timed_out = 1;
				break;
			}
			continue;
		}
		break;
	}
	if (mrc == 0)
		return 0;
	if (mrc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		char info[256];
		mbedtls_x509_crt_verify_info(info, sizeof info, "", mbedtls_ssl_get_verify_result(&t->ssl));
		info[strcspn(info, "\n")] = '\0';
		vocd_warn("http client: %s:%s: server certificate refused: %s", u->host, u->port, info);
		return VOCD_EIO;
	}
	return tls_fail(c, "handshake", mrc);
internal:
	mbedtls_strerror(mrc, msg, sizeof msg);
	vocd_warn("http client: TLS setup failed: %s", msg);
	return VOCD_EINTERNAL;
}

/* ---- the request ---- */

static int build_head(const struct vocd_http_request *rq, const struct url *u, struct vocd_buf *out)
{
	int has_ua = 0;
	if (!rq->method || !rq->url || (rq->body_len && !rq->body))
		return VOCD_EINVAL;
	int known = 0;
	for (int i = 0; methods[i]; i++)
		known |= strcmp(rq->method, methods[i]) == 0;
	if (!known)
		return VOCD_EINVAL;
	if (rq->headers)
		for (const char *const *h = rq->headers; *h; h++)
			if (check_header(*h, &has_ua) != 0)
				return VOCD_EINVAL;

	const char *target = u->target_len ? u->target : "/";
	size_t target_len = u->target_len ? u->target_len : 1;
	vocd_buf_printf(out, "%s %s%.*s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", rq->method, target[0] == '?' ? "/" : "",
	                (int)target_len, target, u->v6 ? "[" : "", u->host, u->v6 ? "]" : "",
	                u->explicit_port ? ":" : "", u->explicit_port ? u->port : "");
	if (!has_ua)
		vocd_buf_puts(out, "User-Agent: vocd\r\n");
	vocd_buf_puts(out, "Connection: close\r\n");
	if (rq->body_len || strcmp(rq->method, "POST") == 0 || strcmp(rq->method, "PUT") == 0 ||
	    strcmp(rq->method, "PATCH") == 0)
		vocd_buf_printf(out, "Content-Length: %zu\r\n", rq->body_len);
	if (rq->headers)
		for (const char *const *h = rq->headers; *h; h++)
			vocd_buf_printf(out, "%s\r\n", *h);
	vocd_buf_puts(out, "\r\n");
	return out->oom ? VOCD_ENOMEM : 0;
}

int vocd_http_request(const struct vocd_http_request *rq, struct vocd_http_response *rs)
{
	if (!rs)
		return VOCD_EINVAL;
	memset(rs, 0, sizeof *rs);
	if (!rq || !rq->url)
		return VOCD_EINVAL;
	int64_t deadline = now_ms() + (rq->timeout_ms ? rq->timeout_ms : VOCD_HTTP_TIMEOUT_MS);
	struct url u;
	struct vocd_buf head = {0};
	int rc;
	if ((rc = parse_url(rq->url, &u)) != 0 || (rc = build_head(rq, &u, &head)) != 0) {
		vocd_buf_free(&head);
		return rc;
	}

	struct addrinfo *ai = NULL;
	struct conn c = {.fd = -1, .deadline = deadline, .url = &u};
	struct tls *t = NULL;
	struct reader r = {.c = &c};
	struct body b = {.max = rq->max_response ? rq->max_response : VOCD_HTTP_MAX_RESPONSE};

	const char *step = "DNS lookup";
	if ((rc = resolve(&u, deadline, &ai)) != 0)
		goto out;
	step = "connect";
	if ((rc = do_connect(&u, ai, deadline, &c.fd)) != 0)
		goto out;
	step = "TLS handshake";
	if (u.tls) {
		if (!(t = malloc(sizeof *t))) {
			rc = VOCD_ENOMEM;
			goto out;
		}
		mbedtls_entropy_init(&t->entropy);
		mbedtls_ctr_drbg_init(&t->drbg);
		mbedtls_x509_crt_init(&t->ca);
		mbedtls_ssl_config_init(&t->conf);
		mbedtls_ssl_init(&t->ssl);
		if ((rc = tls_start(t, &c, rq)) != 0)
			goto out;
	}
	step = "sending the request";
	if ((rc = conn_write(&c, head.p, head.len)) != 0 || (rc = conn_write(&c, rq->body, rq->body_len)) != 0)
		goto out;
	step = "reading the answer";
	rc = read_response(&r, &b, rs);
	if (rc == VOCD_EIO && c.timed_out)
		rc = VOCD_ELIMIT;
	if (rc == 0 && c.ssl && !c.timed_out)
		mbedtls_ssl_close_notify(c.ssl); /* courtesy only; its failure changes nothing */
out:
	if (rc == VOCD_ELIMIT)
		vocd_warn("http client: %s:%s: deadline of %u ms passed (%s)", u.host, u.port,
		          rq->timeout_ms ? rq->timeout_ms : VOCD_HTTP_TIMEOUT_MS, step);
	if (t) {
		mbedtls_ssl_free(&t->ssl);
		mbedtls_ssl_config_free(&t->conf);
		mbedtls_x509_crt_free(&t->ca);
		mbedtls_ctr_drbg_free(&t->drbg);
		mbedtls_entropy_free(&t->entropy);
		free(t);
	}
	if (c.fd >= 0)
		close(c.fd);
	if (ai)
		freeaddrinfo(ai);
	free(r.buf);
	vocd_buf_free(&head);
	if (rc == 0) {
		if (!b.p && (b.p = calloc(1, 1)) == NULL)
			rc = VOCD_ENOMEM;
		rs->body = b.p;
		rs->body_len = b.len;
	} else {
		free(b.p);
		vocd_http_response_free(rs);
	}
	return rc;
}

void vocd_http_response_free(struct vocd_http_response *rs)
{
	if (!rs)
		return;
	free(rs->headers);
	free(rs->body);
	memset(rs, 0, sizeof *rs);
}

int vocd_http_response_header(const struct vocd_http_response *rs, const char *name, char *out, size_t size)
{
	if (!rs || !rs->headers || !name)
		return VOCD_ENOTFOUND;
	size_t nlen = strlen(name);
	for (const char *h = rs->headers; *h;) {
		const char *eol = strstr(h, "\r\n");
		if (!eol)
			break;
		const char *colon = memchr(h, ':', (size_t)(eol - h));
		if (colon && lower_eq(h, (size_t)(colon - h), name) && (size_t)(colon - h) == nlen) {
			const char *v = colon + 1;
			size_t vn = (size_t)(eol - v);
			trim(&v, &vn);
			if (size) {
				size_t n = vn < size - 1 ? vn : size - 1;
				memcpy(out, v, n);
				out[n] = '\0';
			}
			return vn > INT32_MAX ? INT32_MAX : (int)vn;
		}
		h = eol + 2;
	}
	return VOCD_ENOTFOUND;
}

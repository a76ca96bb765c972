/* Answers of the gateways, mail relays and webhooks that channel plugins call (vocd.http.request over
 * core/http_client.c): status line, headers, Content-Length, chunked encoding, interim 1xx answers, an
 * answer cut short. A loopback server thread of the target's own sends the input as the whole answer to
 * one plain-HTTP request; the client must read it or refuse it with one of its documented errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "fuzz_util.h"
#include "http_client.h"

static int listener = -1;
static char url[64];
/* The answer the server sends next; set before each request, read by the server thread during it. The
 * request ends when the client is done, which may be before the server is (a bad status line): each
 * run waits for `served` so that the next input never meets a server still writing the last one. */
static const uint8_t *answer;
static size_t answer_len;
static sem_t served;

static void *serve(void *arg)
{
	for (;;) {
		int fd = accept(listener, NULL, NULL);
		if (fd < 0)
			continue;
		/* Read the request head first: closing with it unread would reset the connection. */
		char buf[4096];
		size_t got = 0;
		while (got < sizeof buf) {
			ssize_t n = read(fd, buf + got, sizeof buf - got);
			if (n <= 0)
				break;
			got += (size_t)n;
			if (memmem(buf, got, "\r\n\r\n", 4))
				break;
		}
		for (size_t off = 0; off < answer_len;) {
			ssize_t n = write(fd, answer + off, answer_len - off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		shutdown(fd, SHUT_WR);
		while (read(fd, buf, sizeof buf) > 0) /* until the client is done */
			;
		close(fd);
		sem_post(&served);
	}
	return NULL;
}

static void setup(void)
{
	listener = socket(AF_INET, SOCK_STREAM, 0);
	FUZZ_ASSERT(listener >= 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	FUZZ_ASSERT(bind(listener, (struct sockaddr *)&a, sizeof a) == 0 && listen(listener, 16) == 0);
	FUZZ_ASSERT(getsockname(listener, (struct sockaddr *)&a, &alen) == 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/sms", ntohs(a.sin_port));
	FUZZ_ASSERT(sem_init(&served, 0, 0) == 0);
	pthread_t t;
	FUZZ_ASSERT(pthread_create(&t, NULL, serve, NULL) == 0);
	pthread_detach(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (listener < 0)
		setup();
	answer = data;
	answer_len = size;
	static const char *const headers[] = {"Content-Type: application/json", NULL};
	struct vocd_http_request rq = {.method = "GET", .url = url, .headers = headers, .timeout_ms = 5000,
	                               .max_response = 64 * 1024};
	struct vocd_http_response rs;
	int rc = vocd_http_request(&rq, &rs);
	/* The client always connects (loopback, a listening socket), so the server always posts; libFuzzer's
	 * timer signal may interrupt the wait. */
	while (sem_wait(&served) != 0)
		FUZZ_ASSERT(errno == EINTR);
	FUZZ_ASSERT(rc == 0 || rc == VOCD_EIO || rc == VOCD_ETOOBIG || rc == VOCD_ENOMEM);
	if (rc == 0) {
		FUZZ_ASSERT(rs.status >= 100 && rs.status <= 999);
		FUZZ_ASSERT(rs.body && rs.body[rs.body_len] == '\0' && rs.body_len <= rq.max_response);
		FUZZ_ASSERT(rs.headers);
		char value[64];
		int n = vocd_http_response_header(&rs, "content-type", value, sizeof value);
		FUZZ_ASSERT(n == VOCD_ENOTFOUND || (n >= 0 && strlen(value) == ((size_t)n < sizeof value ? (size_t)n : sizeof value - 1)));
	}
	vocd_http_response_free(&rs);
	return 0;
}

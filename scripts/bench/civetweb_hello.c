/* The ceiling for scripts/bench-core: a bare civetweb + mbedTLS server that reads each request body and
 * answers with a tiny JSON document, nothing else (no routing, no token, no JSON parsing, no storage).
 *
 * It is built by scripts/bench-core against the same build/libcivetweb.a as vocd, with the civetweb
 * options vocd uses (keep-alive, thread count, timeouts, header limit, TCP_NODELAY), and linked with
 * build/libvocd_core.a for the TLS policy (core/tls.c wraps mbedtls_ssl_config_defaults) and the
 * development certificate, so the only difference from vocd is the work vocd does per request.
 *
 * usage: civetweb_hello LISTEN THREADS CERT_PEM [split] [nagle]
 *   LISTEN    e.g. 127.0.0.1:9443 (HTTPS)
 *   THREADS   civetweb worker threads (connections served at once)
 *   CERT_PEM  key + certificate; created (self-signed, localhost) when the file does not exist
 *   split     answer in two writes (header block, then body), as vocd did before 979b939
 *   nagle     leave civetweb's tcp_nodelay option off (vocd sets it); with split, every answer then
 *             waits for the client's delayed ACK
 * Runs until SIGINT or SIGTERM. Not part of vocd: a benchmark helper only. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <civetweb.h>

#include "tls.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int split_writes; /* answer in two writes: header block, then body */

/* Answers every request. The body is read to the end so the connection stays usable for the next
 * request. One write per answer, as vocd does: with two small writes and no TCP_NODELAY, the second one
 * waits for the client's delayed ACK (Nagle), about 40 ms on Linux. */
static int hello(struct mg_connection *conn, void *data)
{
	(void)data;
	char buf[4096];
	while (mg_read(conn, buf, sizeof buf) > 0)
		;
	static const char body[] = "{\"ok\":true}";
	const struct mg_request_info *ri = mg_get_request_info(conn);
	int status = strcmp(ri->request_method, "POST") == 0 ? 201 : 200;
	int n = snprintf(buf, sizeof buf,
	                 "HTTP/1.1 %d %s\r\n"
	                 "Content-Type: application/json; charset=utf-8\r\n"
	                 "Content-Length: %zu\r\n"
	                 "Cache-Control: no-store\r\n"
	                 "\r\n%s",
	                 status, status == 201 ? "Created" : "OK", sizeof body - 1, split_writes ? "" : body);
	mg_write(conn, buf, (size_t)n);
	if (split_writes)
		mg_write(conn, body, sizeof body - 1);
	return status;
}

int main(int argc, char **argv)
{
	int nodelay = 1;
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "split") == 0)
			split_writes = 1;
		else if (strcmp(argv[i], "nagle") == 0)
			nodelay = 0;
		else
			argc = 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: %s LISTEN THREADS CERT_PEM [split] [nagle]\n", argv[0]);
		return 2;
	}
	const char *cert = argv[3];
	if (access(cert, R_OK) != 0 && vocd_tls_make_dev_cert(cert) != 0) {
		fprintf(stderr, "civetweb_hello: cannot create %s\n", cert);
		return 1;
	}

	char ports[160];
	snprintf(ports, sizeof ports, "%ss", argv[1]);
	const char *options[] = {
		"listening_ports", ports,
		"num_threads", argv[2],
		"request_timeout_ms", "30000",
		"max_request_size", "16384",
		"enable_keep_alive", "yes",
		"keep_alive_timeout_ms", "30000",
		"enable_directory_listing", "no",
		"ssl_certificate", cert,
		"tcp_nodelay", nodelay ? "1" : "0",
		NULL,
	};
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);

	/* Signals stay blocked everywhere (civetweb's threads inherit the mask) except in sigsuspend below,
	 * so a signal cannot arrive between the check of `stop` and the wait. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	mg_init_library(MG_FEATURES_TLS);
	char errtext[256] = "";
	unsigned errcode = 0;
	struct mg_init_data init = {&cb, NULL, options};
	struct mg_error_data errdata = {&errcode, errtext, sizeof errtext};
	struct mg_context *ctx = mg_start2(&init, &errdata);
	if (!ctx) {
		fprintf(stderr, "civetweb_hello: cannot listen on %s: %s\n", argv[1], errtext);
		mg_exit_library();
		return 1;
	}
	mg_set_request_handler(ctx, "/", hello, NULL);
	fprintf(stderr, "civetweb_hello: listening on https://%s with %s threads\n", argv[1], argv[2]);
	while (!stop)
		sigsuspend(&old);
	mg_stop(ctx);
	mg_exit_library();
	return 0;
}

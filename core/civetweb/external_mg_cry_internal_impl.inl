/* Included by civetweb.c, built with NO_FILESYSTEMS (CMakeLists.txt): civetweb's error messages go to the
 * server's log_message callback (http.c), or to stderr before the server has one; never to a file. */
static void mg_cry_internal_impl(const struct mg_connection *conn, const char *func, unsigned line,
                                 const char *fmt, va_list ap)
{
	char buf[MG_BUF_LEN];
	(void)func;
	(void)line;
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (conn != NULL && conn->phys_ctx != NULL && conn->phys_ctx->callbacks.log_message != NULL &&
	    conn->phys_ctx->callbacks.log_message(conn, buf) != 0)
		return;
	fprintf(stderr, "%s\n", buf);
}

/* Included by civetweb.c, built with NO_FILESYSTEMS (CMakeLists.txt): vocd writes its own access log
 * (http.c), so civetweb's is not kept. */
static void log_access(const struct mg_connection *conn)
{
	(void)conn;
}

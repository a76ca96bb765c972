/* Compiled into civetweb itself (CMake maps its fprintf here): civetweb 1.15 prints "SSL read failed" or
 * "SSL write failed" on stderr whenever a client closes a TLS connection, which is ordinary and would
 * flood the server log. Those two are dropped; everything else civetweb prints goes through unchanged. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int vocd_civetweb_fprintf(FILE *stream, const char *fmt, ...);

int vocd_civetweb_fprintf(FILE *stream, const char *fmt, ...)
{
	if (stream == stderr && (strncmp(fmt, "SSL read failed", 15) == 0 || strncmp(fmt, "SSL write failed", 16) == 0))
		return 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(stream, fmt, ap);
	va_end(ap);
	return n;
}

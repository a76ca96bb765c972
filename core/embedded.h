/* Files compiled into the binary (generated at build time): the default configuration, the dashboard. */
#ifndef VOCD_EMBEDDED_H
#define VOCD_EMBEDDED_H
#include <stddef.h>

struct vocd_embedded_file {
	const char *path; /**< as in the source tree, e.g. "conf/tenants/demo.lua" */
	const char *text; /**< NUL-terminated */
	size_t len;
};

/** The default configuration; terminated by an entry whose path is NULL. */
extern const struct vocd_embedded_file vocd_embedded_files[];

/** The dashboard's files and its charting package (web/), served as /assets/<name>; the same ending. */
extern const struct vocd_embedded_file vocd_web_files[];

#endif

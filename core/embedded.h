/* The default configuration compiled into the binary (generated from conf/ at build time). */
#ifndef VOCD_EMBEDDED_H
#define VOCD_EMBEDDED_H
#include <stddef.h>

struct vocd_embedded_file {
	const char *path; /**< as in the source tree, e.g. "conf/tenants/demo.lua" */
	const char *text; /**< NUL-terminated */
	size_t len;
};

/** Terminated by an entry whose path is NULL. */
extern const struct vocd_embedded_file vocd_embedded_files[];

#endif

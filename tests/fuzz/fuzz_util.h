/* Helpers shared by the fuzz targets: the input as a C string, and a check that aborts (so that libFuzzer
 * keeps the input) when a property of the code under test does not hold. */
#ifndef VOCD_FUZZ_UTIL_H
#define VOCD_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* The input as a NUL-terminated copy (the network hands us text; an embedded NUL ends it, as it would
 * for the C string the server passes on). Caller frees. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* True if an object anywhere in \p j names a member twice. cJSON keeps both; the settings the core reads
 * come from Lua tables and request bodies are refused with one (http.c), so the targets that stand for
 * those skip such inputs instead of reporting what cannot reach the code. */
static inline int fuzz_duplicate_names(const cJSON *j)
{
	for (const cJSON *m = j ? j->child : NULL; m; m = m->next) {
		if (fuzz_duplicate_names(m))
			return 1;
		if (cJSON_IsObject(j))
			for (const cJSON *o = m->next; o; o = o->next)
				if (strcmp(m->string, o->string) == 0)
					return 1;
	}
	return 0;
}

#define FUZZ_ASSERT(cond)                                                                              \
	do {                                                                                                \
		if (!(cond)) {                                                                                  \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);                \
			abort();                                                                                    \
		}                                                                                               \
	} while (0)

#endif

/* Helpers shared by the fuzz targets: the input as a C string, and a check that aborts (so that libFuzzer
 * keeps the input) when a property of the code under test does not hold. */
#ifndef VOCD_FUZZ_UTIL_H
#define VOCD_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define FUZZ_ASSERT(cond)                                                                              \
	do {                                                                                                \
		if (!(cond)) {                                                                                  \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);                \
			abort();                                                                                    \
		}                                                                                               \
	} while (0)

#endif

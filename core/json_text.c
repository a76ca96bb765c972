/* Compact JSON text from a cJSON tree. cJSON's own printer formats every number with snprintf and
 * checks it with sscanf, and measures its output with strlen as it goes; records, audit entries and
 * answers are printed once per request, so this one writes whole numbers digit by digit and keeps the
 * length. The output is what cJSON_PrintUnformatted prints (the unit tests compare the two). */
#include "json_text.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Whole numbers up to 2^53 are exact doubles: written as integers, as cJSON writes them ("%1.15g"
 * prints them without exponent only up to 15 digits, so the limit is that). */
#define WHOLE_MAX 1e15

void vocd_json_put_number(struct vocd_buf *b, double d)
{
	char tmp[32];
	if (isnan(d) || isinf(d)) {
		vocd_buf_add(b, "null", 4);
		return;
	}
	if (d == floor(d) && fabs(d) < WHOLE_MAX) {
		int64_t v = (int64_t)d;
		uint64_t u = v < 0 ? (uint64_t)(-v) : (uint64_t)v;
		char *p = tmp + sizeof tmp;
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0 || signbit(d)) /* cJSON keeps the sign of -0 */
			*--p = '-';
		vocd_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
		return;
	}
	/* cJSON's rule: 15 significant digits when they read back as (nearly) the same double, else 17. */
	int n = snprintf(tmp, sizeof tmp, "%1.15g", d);
	double back = strtod(tmp, NULL);
	if (fabs(back - d) > fmax(fabs(back), fabs(d)) * DBL_EPSILON)
		n = snprintf(tmp, sizeof tmp, "%1.17g", d);
	vocd_buf_add(b, tmp, (size_t)n);
}

/* A missing string prints as "", as in cJSON. Room for the longest escaping (6 bytes a byte) is made
 * once, then the bytes are written in place. */
void vocd_json_put_string(struct vocd_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!s)
		s = "";
	size_t n = strlen(s);
	if (vocd_buf_reserve(b, 6 * n + 2) != 0)
		return;
	char *o = b->p + b->len;
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s, *end = p + n; p < end; p++) {
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u', *o++ = '0', *o++ = '0', *o++ = hex[c >> 4], *o++ = hex[c & 15];
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->p);
}

/* Returns 0, or -1 for a tree cJSON would not print either. */
static int put_item(struct vocd_buf *b, const cJSON *item, int depth)
{
	if (depth > CJSON_NESTING_LIMIT)
		return -1;
	switch (item->type & 0xFF) {
	case cJSON_NULL: vocd_buf_add(b, "null", 4); return 0;
	case cJSON_False: vocd_buf_add(b, "false", 5); return 0;
	case cJSON_True: vocd_buf_add(b, "true", 4); return 0;
	case cJSON_Number: vocd_json_put_number(b, item->valuedouble); return 0;
	case cJSON_Raw:
		if (!item->valuestring)
			return -1;
		vocd_buf_puts(b, item->valuestring);
		return 0;
	case cJSON_String:
		vocd_json_put_string(b, item->valuestring);
		return 0;
	case cJSON_Array:
	case cJSON_Object: {
		int object = (item->type & 0xFF) == cJSON_Object;
		vocd_buf_add(b, object ? "{" : "[", 1);
		for (const cJSON *c = item->child; c; c = c->next) {
			if (c != item->child)
				vocd_buf_add(b, ",", 1);
			if (object) {
				vocd_json_put_string(b, c->string);
				vocd_buf_add(b, ":", 1);
			}
			if (put_item(b, c, depth + 1) != 0)
				return -1;
		}
		vocd_buf_add(b, object ? "}" : "]", 1);
		return 0;
	}
	default:
		return -1;
	}
}

char *vocd_json_print(const cJSON *item, size_t *len)
{
	if (!item)
		return NULL;
	struct vocd_buf b = {0};
	if (put_item(&b, item, 0) != 0 || b.oom) {
		vocd_buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.p;
}

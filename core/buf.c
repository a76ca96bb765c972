/* Growable text buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vocd_buf_reserve(struct vocd_buf *b, size_t more)
{
	if (b->oom)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void vocd_buf_printf(struct vocd_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || vocd_buf_reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void vocd_buf_add(struct vocd_buf *b, const void *p, size_t n)
{
	if (vocd_buf_reserve(b, n) != 0)
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void vocd_buf_puts(struct vocd_buf *b, const char *s)
{
	vocd_buf_add(b, s, strlen(s));
}

void vocd_buf_html(struct vocd_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': vocd_buf_puts(b, "&amp;"); break;
		case '<': vocd_buf_puts(b, "&lt;"); break;
		case '>': vocd_buf_puts(b, "&gt;"); break;
		case '"': vocd_buf_puts(b, "&quot;"); break;
		case '\'': vocd_buf_puts(b, "&#39;"); break;
		default:
			if (vocd_buf_reserve(b, 1) == 0) {
				b->p[b->len++] = *s;
				b->p[b->len] = '\0';
			}
		}
	}
}

void vocd_buf_free(struct vocd_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

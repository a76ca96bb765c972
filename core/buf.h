/* A growable text buffer for building answers (HTML pages, metrics), with HTML escaping. A failed
 * allocation is remembered and reported once at the end, so building code needs no checks per call. */
#ifndef VOCD_BUF_H
#define VOCD_BUF_H

#include <stddef.h>

struct vocd_buf {
	char *p;    /**< NUL-terminated text, malloc'd; NULL until the first write */
	size_t len;
	size_t cap;
	int oom;    /**< set when an allocation failed: the text is incomplete */
};

/** \brief Appends formatted text. */
void vocd_buf_printf(struct vocd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** \brief Appends \p s as is. */
void vocd_buf_puts(struct vocd_buf *b, const char *s);

/**
 * \brief Makes room for \p more bytes (and the NUL) after the text, for a writer that fills b->p + b->len
 * itself and then adds to b->len. \return 0, or -1 when out of memory (b->oom is set).
 */
int vocd_buf_reserve(struct vocd_buf *b, size_t more);

/** \brief Appends \p n bytes at \p p as they are (the text stays NUL-terminated). */
void vocd_buf_add(struct vocd_buf *b, const void *p, size_t n);

/** \brief Appends \p s with & < > " ' escaped, safe in HTML text and quoted attribute values. */
void vocd_buf_html(struct vocd_buf *b, const char *s);

/** \brief Frees the text. Accepts a buffer never written to. */
void vocd_buf_free(struct vocd_buf *b);

#endif

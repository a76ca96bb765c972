/* The characters free text is made of, shared by the text analyses (simhash.c, sentiment.c, keywords.c):
 * decoding one UTF-8 character, and telling Chinese (and other CJK) characters and the letters and digits
 * of words from everything else. Inline, because every analysis calls them once per character. */
#ifndef VOCD_TEXTCHARS_H
#define VOCD_TEXTCHARS_H

#include <stddef.h>

/**
 * \brief Decodes one UTF-8 character at \p p (before \p end, which must be after \p p).
 * \param used receives the bytes it takes: 1 for an invalid sequence, so that a caller always advances.
 * \return its code point, or -1 for an invalid sequence.
 */
static inline long vocd_utf8_next(const unsigned char *p, const unsigned char *end, size_t *used)
{
	*used = 1;
	if (p[0] < 0x80)
		return p[0];
	int n = p[0] >= 0xf0 && p[0] < 0xf5 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 0;
	if (n == 0 || end - p < n)
		return -1;
	long cp = p[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*used = (size_t)n;
	return cp;
}

/** \brief True for a CJK character: unified ideographs (with extension A, B-G and compatibility), kana. */
static inline int vocd_char_is_cjk(long cp)
{
	return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x20000 && cp <= 0x3134f);
}

/** \brief True for a letter of a Latin script (ASCII, and the accented letters of U+00C0 to U+024F). */
static inline int vocd_char_is_letter(long cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7);
}

/** \brief True for the letters and digits of words. */
static inline int vocd_char_is_word(long cp)
{
	return (cp >= '0' && cp <= '9') || vocd_char_is_letter(cp);
}

#endif

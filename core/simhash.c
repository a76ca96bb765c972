/* A 64-bit simhash of Chinese and English text: each feature's hash votes +1 or -1 on every bit, and the
 * fingerprint keeps the bits with a positive total. */
#include "simhash.h"

/* FNV-1a over the feature's bytes, then a finaliser that spreads every input bit over all 64 bits (FNV
 * alone leaves the high bits of short inputs poorly mixed, and simhash needs each bit to be a fair coin). */
static uint64_t feature_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* Decodes one UTF-8 character at \p p; its code point, or -1 for an invalid sequence (one byte consumed). */
static long next_char(const unsigned char *p, const unsigned char *end, size_t *used)
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

static int is_cjk(long cp)
{
	return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x20000 && cp <= 0x3134f);
}

/* Letters and digits of words: ASCII, and the accented letters of Latin scripts (kept as their bytes). */
static int is_word(long cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	       (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7);
}

struct votes {
	int bit[64];
	unsigned features;
};

static void vote(struct votes *v, const unsigned char *p, size_t n)
{
	uint64_t h = feature_hash(p, n);
	for (int i = 0; i < 64; i++)
		v->bit[i] += (h >> i) & 1 ? 1 : -1;
	v->features++;
}

#define MAX_WORD 64

uint64_t vocd_simhash(const char *text, size_t len, unsigned *features)
{
	struct votes v = {{0}, 0};
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	unsigned char word[MAX_WORD];
	size_t wlen = 0;
	const unsigned char *prev_cjk = NULL; /* the CJK character just before, in the current run */
	size_t prev_len = 0;
	int run = 0;                          /* CJK characters in the current run */
	while (p < end) {
		size_t used;
		long cp = next_char(p, end, &used);
		if (is_word(cp)) {
			/* A word longer than MAX_WORD bytes counts by its first MAX_WORD. */
			for (size_t i = 0; i < used && wlen < MAX_WORD; i++)
				word[wlen++] = cp < 0x80 && p[i] >= 'A' && p[i] <= 'Z' ? (unsigned char)(p[i] + 32) : p[i];
		} else if (wlen) {
			vote(&v, word, wlen);
			wlen = 0;
		}
		if (is_cjk(cp)) {
			if (prev_cjk) { /* the pair: the previous character's bytes and this one's, contiguous */
				vote(&v, prev_cjk, prev_len + used);
			}
			prev_cjk = p;
			prev_len = used;
			run++;
		} else {
			if (run == 1)
				vote(&v, prev_cjk, prev_len);
			prev_cjk = NULL;
			run = 0;
		}
		p += used;
	}
	if (wlen)
		vote(&v, word, wlen);
	if (run == 1)
		vote(&v, prev_cjk, prev_len);
	uint64_t h = 0;
	for (int i = 0; i < 64; i++)
		if (v.bit[i] > 0)
			h |= 1ull << i;
	if (features)
		*features = v.features;
	return v.features ? h : 0;
}

int vocd_simhash_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

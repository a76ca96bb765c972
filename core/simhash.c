/* A 64-bit simhash of Chinese and English text: each feature's hash votes for or against every bit, and
 * the fingerprint keeps the bits most features voted for. */
#include "simhash.h"

#include "textchars.h"

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

/* The votes of every bit at once: plane k holds bit k of each of the 64 counts of features whose hash
 * has that bit set (a vertical counter). Adding a hash ripples a carry through the planes, two steps on
 * average, where a loop over the 64 bits with a branch each cost more than everything else on ingest. */
#define PLANES 32

struct votes {
	uint64_t plane[PLANES];
	unsigned features;
};

static void vote(struct votes *v, const unsigned char *p, size_t n)
{
	uint64_t carry = feature_hash(p, n);
	for (int k = 0; carry && k < PLANES; k++) {
		uint64_t sum = v->plane[k] ^ carry;
		carry &= v->plane[k];
		v->plane[k] = sum;
	}
	v->features++;
}

/* The bits more than half of the features voted for: the 64 counts compared with half the features at
 * once, plane by plane from the highest (a bit-sliced comparison). */
static uint64_t majority(const struct votes *v)
{
	uint64_t half = v->features / 2, greater = 0, equal = ~0ull;
	for (int k = PLANES - 1; k >= 0; k--) {
		if ((half >> k) & 1) {
			equal &= v->plane[k];
		} else {
			greater |= equal & v->plane[k];
			equal &= ~v->plane[k];
		}
	}
	return greater;
}

#define MAX_WORD 64

uint64_t vocd_simhash(const char *text, size_t len, unsigned *features)
{
	struct votes v = {{0}, 0};
	if (len > UINT32_MAX / 2) /* the counters hold 2^32 votes; texts are far shorter */
		len = UINT32_MAX / 2;
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	unsigned char word[MAX_WORD];
	size_t wlen = 0;
	const unsigned char *prev_cjk = NULL; /* the CJK character just before, in the current run */
	size_t prev_len = 0;
	int run = 0;                          /* CJK characters in the current run */
	while (p < end) {
		size_t used;
		long cp = vocd_utf8_next(p, end, &used);
		if (vocd_char_is_word(cp)) {
			/* A word longer than MAX_WORD bytes counts by its first MAX_WORD. */
			for (size_t i = 0; i < used && wlen < MAX_WORD; i++)
				word[wlen++] = cp < 0x80 && p[i] >= 'A' && p[i] <= 'Z' ? (unsigned char)(p[i] + 32) : p[i];
		} else if (wlen) {
			vote(&v, word, wlen);
			wlen = 0;
		}
		if (vocd_char_is_cjk(cp)) {
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
	if (features)
		*features = v.features;
	return v.features ? majority(&v) : 0;
}

int vocd_simhash_distance(uint64_t a, uint64_t b)
{
	/* Counted in parallel within the word: without -mpopcnt, __builtin_popcountll is a library call, and
	 * ingest compares every answer's text with up to 256 others. */
	uint64_t x = a ^ b;
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((x * 0x0101010101010101ull) >> 56);
}

size_t vocd_text_useful_chars(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	size_t n = 0;
	long last = -1;
	int run = 0;
	while (p < end) {
		size_t used;
		long cp = vocd_utf8_next(p, end, &used);
		p += used;
		run = cp == last ? run + 1 : 1;
		last = cp;
		if (cp >= 0 && (vocd_char_is_cjk(cp) || vocd_char_is_word(cp)) && run <= 2)
			n++;
	}
	return n;
}

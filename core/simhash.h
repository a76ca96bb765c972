/* Text fingerprints for near-duplicate answers: a 64-bit simhash over the text's features, so that two
 * answers that differ by a character or a word have fingerprints a few bits apart, and unrelated answers
 * about half of the bits apart. Features: in runs of Chinese (and other CJK) characters, each pair of
 * neighbouring characters (a lone character counts alone); elsewhere, each word of letters and digits,
 * lower-cased. Punctuation, spaces and emoji only separate features. */
#ifndef VOCD_SIMHASH_H
#define VOCD_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

/**
 * \brief The fingerprint of \p len bytes of UTF-8 text at \p text (invalid bytes separate features).
 * \param features receives how many features were counted (may be NULL): a fingerprint of very few
 *        features says little, and callers should not compare it.
 * \return the fingerprint; 0 when there is no feature at all.
 */
uint64_t vocd_simhash(const char *text, size_t len, unsigned *features);

/** \brief The number of bits in which \p a and \p b differ (0 to 64): the Hamming distance. */
int vocd_simhash_distance(uint64_t a, uint64_t b);

/**
 * \brief How much there is to read in \p len bytes of UTF-8 \p text: the characters features are made of
 * (CJK characters, letters and digits), a run of one character counted at most twice ("好好好好" is 2),
 * so that padding does not make feedback "detailed".
 */
size_t vocd_text_useful_chars(const char *text, size_t len);

#endif

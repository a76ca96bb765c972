/* The sentiment of one piece of free text (positive, neutral or negative), read with a lexicon of words and
 * phrases in Chinese and English: pure functions, no storage. The lexicon is built once per tenant, from the
 * built-in words and the tenant's `analysis = { ... }` setting (analysis_conf.h), and is read-only after.
 *
 * How a text is read (docs/analysis.md says it for admins):
 * - The text is cut into tokens: each Chinese (CJK) character, each word of Latin letters and digits (case
 *   does not matter; "don't" is one word), and clause breaks (， 。 ！ ？ ； : , . ! ? ; and new lines).
 *   Other characters (spaces, emoji, quotes, dashes) only separate words.
 * - At each token, the longest lexicon entry that starts there is taken ("不满意" before "满意", "not bad"
 *   before "bad", "快递" is not "快"). An entry never spans a clause break.
 * - A negation (不, 没有, 并不, not, never, no, any word ending in n't, ...) turns the next sentiment word
 *   around if it comes within 4 tokens in the same clause: "不是很满意" and "not very helpful" are negative,
 *   "并不差" and "not bad" positive. Two negations cancel out.
 * - An intensifier (很, 非常, very, ...) multiplies the next sentiment word by 1.5, a diminisher (有点, a bit,
 *   ...) by 0.5, within 3 tokens.
 * - A contrast (但是, 不过, but, however, ...) halves the weight of everything before it, and what follows
 *   counts 1.5 times: "服务很好，但是等太久了" is negative.
 * - The score is the sum of the signed weights; the label is positive at 0.5 or more, negative at -0.5 or
 *   less, neutral otherwise (also when no sentiment word is found).
 *
 * Caveats: it reads words, not meaning. Sarcasm ("好极了，又等了两个小时"), sentiment implied without a
 * sentiment word ("等了两个小时才有人接"), and words the lexicon lacks are misread; tenants add their
 * words. */
#ifndef VOCD_SENTIMENT_H
#define VOCD_SENTIMENT_H

#include <stddef.h>

#include "analysis_conf.h"

enum vocd_sentiment_label { VOCD_SENTIMENT_NEGATIVE = -1, VOCD_SENTIMENT_NEUTRAL = 0, VOCD_SENTIMENT_POSITIVE = 1 };

#define VOCD_SENTIMENT_MATCHES_MAX 16 /**< the sentiment words reported with a result (all of them count) */

/** One sentiment word or phrase found in the text. */
struct vocd_sentiment_match {
	size_t offset;   /**< where it starts in the text, in bytes */
	size_t len;      /**< its length in the text, in bytes */
	double weight;   /**< what it added to the score: negative for a negative word, after negation etc. */
	int negated;     /**< true if a negation turned it around */
};

struct vocd_sentiment {
	enum vocd_sentiment_label label;
	double score;       /**< the sum of the weights (before a contrast halved, after it 1.5 times) */
	unsigned matches;   /**< how many sentiment words were found */
	struct vocd_sentiment_match match[VOCD_SENTIMENT_MATCHES_MAX]; /**< the first of them */
};

struct vocd_lexicon;

/**
 * \brief Builds a lexicon: the built-in zh-CN and English words, with the tenant's words added (a tenant
 * word already in the built-in lists takes the tenant's side), or instead of the built-in positive, negative
 * and negation words when \p tenant->replace. The grammar words (intensifiers, diminishers, contrasts, and
 * phrases that only look like sentiment: 快递, 不好意思, 差不多) always stay.
 * \param tenant the tenant's setting, or NULL for the built-in lexicon; not kept after the call.
 * \param out receives the lexicon, owned by the caller (vocd_lexicon_free); read-only, so threads may share it.
 * \return 0, or VOCD_ENOMEM.
 */
int vocd_lexicon_new(const struct vocd_analysis_conf *tenant, struct vocd_lexicon **out);

/** \brief Frees a lexicon. Accepts NULL. */
void vocd_lexicon_free(struct vocd_lexicon *lx);

/** \brief How many entries \p lx holds (sentiment, negation and grammar words). */
size_t vocd_lexicon_size(const struct vocd_lexicon *lx);

/**
 * \brief Reads the sentiment of \p len bytes of UTF-8 \p text (invalid bytes only separate words).
 * \param out receives the label, the score and the words found; offsets point into \p text.
 * \return 0, or VOCD_EINVAL when \p lx or \p out is NULL, or \p text is NULL with a length.
 */
int vocd_sentiment(const struct vocd_lexicon *lx, const char *text, size_t len, struct vocd_sentiment *out);

/** \brief "positive", "neutral" or "negative" (static). */
const char *vocd_sentiment_label_name(enum vocd_sentiment_label label);

#endif

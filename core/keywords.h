/* Keywords of Chinese and English free text, their counts over many texts, and the topics that rise above
 * their own baseline ("the same issue keeps coming back": 200 complaints a month about a dim fitting-room
 * mirror after ten a month). Pure functions, no storage; the caller keeps one counter per period.
 *
 * The keywords of a text (no Chinese segmentation library is packaged in Debian 12, so n-grams):
 * - in runs of CJK characters, each pair of neighbouring characters ("试衣间镜子太暗": 试衣, 衣间, 间镜, 镜子),
 *   except pairs with a function character (的, 了, 是, 我, 很, 太, 不, ...) and common pairs that say
 *   nothing of a topic (可以, 但是, 已经, 问题, ...). A lone character is not a keyword.
 * - elsewhere, each word of Latin letters of 2 or more, lower-cased, except English stop words (the, was,
 *   very, don, ...). Digits only separate words; a word longer than 64 bytes is left out.
 * Phrases longer than two characters are not put back together: 试衣间 is seen as 试衣 and 衣间. */
#ifndef VOCD_KEYWORDS_H
#define VOCD_KEYWORDS_H

#include <stddef.h>
#include <stdint.h>

#define VOCD_KEYWORD_MAX 64          /**< the longest keyword, in bytes */
#define VOCD_KEYWORDS_MAX_KEYS 50000 /**< a counter's default cap on distinct keywords (about 6 MB) */

/**
 * \brief Called with each keyword of a text, in order, repeats included; \p kw is lower-cased, not
 * NUL-terminated, and valid only during the call. A nonzero return stops the walk.
 */
typedef int (*vocd_keyword_fn)(const char *kw, size_t len, void *arg);

/**
 * \brief The keywords of \p len bytes of UTF-8 \p text (invalid bytes only separate words).
 * \return 0, or what \p fn returned to stop.
 */
int vocd_keywords(const char *text, size_t len, vocd_keyword_fn fn, void *arg);

struct vocd_keyword_counter;

/**
 * \brief A counter of keywords (and of tags: any short key) with bounded memory.
 * \param max_keys the most distinct keys it holds (0: VOCD_KEYWORDS_MAX_KEYS, at least 16). When a new key
 *        finds it full, the rarest keys are dropped (those counted at most once, then at most twice, ... until
 *        a quarter of the room is free): counts of frequent keys stay exact, a key dropped and seen again
 *        starts again from 0, so any count may be short by at most vocd_keyword_counter_floor().
 * \param out receives the counter, owned by the caller (vocd_keyword_counter_free). Not thread-safe.
 * \return 0, or VOCD_ENOMEM.
 */
int vocd_keyword_counter_new(size_t max_keys, struct vocd_keyword_counter **out);

/** \brief Frees a counter. Accepts NULL. */
void vocd_keyword_counter_free(struct vocd_keyword_counter *c);

/**
 * \brief Counts the keywords of one text, each distinct keyword once: the counts are of texts that mention
 * a keyword, so that one long complaint does not outweigh ten short ones.
 * \return 0, or VOCD_ENOMEM (the counts then hold part of the text).
 */
int vocd_keyword_counter_add_text(struct vocd_keyword_counter *c, const char *text, size_t len);

/**
 * \brief Adds \p n to the count of the key \p key (1 to VOCD_KEYWORD_MAX bytes, taken as given): a tag of an
 * evaluation, or a count kept elsewhere.
 * \return 0, VOCD_EINVAL for an empty or too long key, or VOCD_ENOMEM.
 */
int vocd_keyword_counter_add(struct vocd_keyword_counter *c, const char *key, size_t len, uint64_t n);

/** \brief The count of \p key (0 when not held). */
uint64_t vocd_keyword_counter_get(const struct vocd_keyword_counter *c, const char *key, size_t len);

/** \brief The number of distinct keys held. */
size_t vocd_keyword_counter_size(const struct vocd_keyword_counter *c);

/** \brief The most any count may be short by, because rare keys were dropped (0 while nothing was). */
uint64_t vocd_keyword_counter_floor(const struct vocd_keyword_counter *c);

/** A key and its count; \p key points into the counter, valid until it is next changed or freed. */
struct vocd_keyword_count {
	const char *key; /**< not NUL-terminated */
	size_t len;
	uint64_t count;
};

/**
 * \brief The \p n most frequent keys, most frequent first (equal counts in byte order of the keys).
 * \param out room for \p n counts; \p got receives how many were written (fewer when fewer are held).
 * \return 0, or VOCD_ENOMEM.
 */
int vocd_keyword_counter_top(const struct vocd_keyword_counter *c, size_t n, struct vocd_keyword_count *out,
                             size_t *got);

/**
 * When a topic is rising. With mean and sd the mean and standard deviation of the topic's counts in the
 * earlier periods, and s = the largest of sd, √mean and 1 (a count varies by about √mean on its own, so a
 * flat baseline does not make a small rise significant), a topic rises when all three hold:
 *   current ≥ min_count,  current > mean + z·s,  current ≥ factor·mean.
 * A topic absent from the baseline (mean 0) rises once it reaches min_count (and z).
 */
struct vocd_rising_rule {
	uint64_t min_count; /**< fewer mentions are never reported (default 20) */
	double z;           /**< how many deviations above the mean (default 3) */
	double factor;      /**< how many times the mean, at least (default 2) */
};

#define VOCD_RISING_RULE_DEFAULT ((struct vocd_rising_rule){20, 3.0, 2.0})

/** A rising topic; \p key points into the current period's counter. */
struct vocd_rising_topic {
	const char *key; /**< not NUL-terminated */
	size_t len;
	uint64_t current; /**< its count in the current period */
	double mean;      /**< its mean count in the earlier periods */
	double sd;        /**< their standard deviation */
	double z;         /**< (current - mean) / s: how far above its baseline */
};

/**
 * \brief The topics of \p current that rise above their own baseline, the counts of the same keys in
 * \p periods earlier counters (each the same length of time as the current one).
 * \param rule the thresholds (NULL: VOCD_RISING_RULE_DEFAULT).
 * \param out room for \p cap topics, which receive the steepest rises (highest z first); \p found receives
 *        how many rose in all (may be more than \p cap).
 * \return 0, VOCD_EINVAL (no current counter, or earlier periods missing), or VOCD_ENOMEM.
 */
int vocd_topics_rising(const struct vocd_keyword_counter *current, const struct vocd_keyword_counter *const *baseline,
                       size_t periods, const struct vocd_rising_rule *rule, struct vocd_rising_topic *out, size_t cap,
                       size_t *found);

#endif

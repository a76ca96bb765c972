/* A tenant's `analysis = { ... }` setting: the words the sentiment of free text is read with (sentiment.c),
 * added to the built-in zh-CN and English lexicon, or replacing it.
 *
 *   analysis = {
 *     positive  = { "秒回", "贴心", "life saver" },     -- words and phrases that say the customer is pleased
 *     negative  = { "踢皮球", "镜子太暗", "run around" }, -- ... displeased
 *     negations = { "未曾" },                           -- words that turn the next sentiment word around
 *     replace = false,  -- true: these lists instead of the built-in ones (the grammar words stay)
 *   } */
#ifndef VOCD_ANALYSIS_CONF_H
#define VOCD_ANALYSIS_CONF_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define VOCD_ANALYSIS_WORD_MAX 32    /**< the longest word or phrase, in characters */
#define VOCD_ANALYSIS_WORDS_MAX 2000 /**< the most words in one list */

struct vocd_analysis_conf {
	char **positive;  /**< NULL-terminated; NULL when none */
	char **negative;  /**< NULL-terminated; NULL when none */
	char **negations; /**< NULL-terminated; NULL when none */
	int replace;      /**< the lists replace the built-in positive, negative and negation words (false) */
};

/**
 * \brief Reads the setting (NULL: no words of the tenant's own, the built-in lexicon).
 * \return 0, or VOCD_ECONFIG with the problem in \p why, naming the field ("analysis.positive[3]: expected a
 *         word of 1 to 32 characters"). \p out is freed on failure.
 * \note A word must hold a letter or a Chinese character; case does not matter ("Rude" is "rude"). A word
 *       may not be both positive and negative. With replace = true, both positive and negative are needed.
 */
int vocd_analysis_conf_parse(const cJSON *setting, struct vocd_analysis_conf *out, char *why, size_t why_len);

/** \brief Frees what the setting holds. Accepts NULL. */
void vocd_analysis_conf_free(struct vocd_analysis_conf *c);

#endif

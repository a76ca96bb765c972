/* The customer's survey pages (/s/<token>): consent, questions, thanks, and the pages for a link that is
 * answered, expired or not valid. Plain HTML forms that work without JavaScript, mobile first, zh-CN or
 * en; every piece of text from configuration or the customer is escaped. */
#ifndef VOCD_SURVEY_PAGE_H
#define VOCD_SURVEY_PAGE_H

#include "buf.h"
#include "survey.h"

enum vocd_page_lang { VOCD_LANG_ZH, VOCD_LANG_EN };

enum vocd_page_notice {
	VOCD_PAGE_THANKS,    /**< the answer is stored */
	VOCD_PAGE_ANSWERED,  /**< 409: answered before */
	VOCD_PAGE_EXPIRED,   /**< 410 */
	VOCD_PAGE_INVALID,   /**< 404: forged, altered or unknown link */
	VOCD_PAGE_DECLINED,  /**< the customer did not consent: nothing is kept */
	VOCD_PAGE_WITHDRAWN, /**< consent withdrawn: personal data erased, scores kept */
};

/** \brief "zh-CN" / "en". */
const char *vocd_page_lang_code(enum vocd_page_lang lang);

/** \brief The consent step: the tenant's privacy notice and agree / decline buttons. */
void vocd_page_consent(struct vocd_buf *b, enum vocd_page_lang lang, const char *tenant_name, const char *path,
                       const struct vocd_survey *sv);

/**
 * \brief The questions. \p preset_score (-1 for none) pre-selects the main metric (one-click rating links);
 * \p error (may be NULL) is shown above the form, e.g. after a refused answer. With \p correction the form
 * says so and posts step=correct.
 */
void vocd_page_questions(struct vocd_buf *b, enum vocd_page_lang lang, const char *tenant_name, const char *path,
                         const struct vocd_survey *sv, int preset_score, const char *error, int correction);

/** What a notice page offers besides its text (posting back to \p path). */
enum vocd_page_offer { VOCD_OFFER_WITHDRAW = 1, VOCD_OFFER_CORRECT = 2 };

/**
 * \brief A page that only tells the customer something (thanks, answered, expired, invalid, declined,
 * withdrawn), with the buttons \p offers (VOCD_OFFER_*) when \p path is given.
 */
void vocd_page_notice(struct vocd_buf *b, enum vocd_page_lang lang, const char *tenant_name, const char *path,
                      enum vocd_page_notice what, unsigned offers);

#endif

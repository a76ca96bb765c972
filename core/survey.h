/* Surveys: what a tenant asks its customers (metrics, dimensions, tags, an open question, the privacy
 * notice), read from the tenant file's `survey = { ... }` and checked at load; and the check of an answer
 * against it, with errors that name the field. */
#ifndef VOCD_SURVEY_H
#define VOCD_SURVEY_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum vocd_metric { VOCD_METRIC_CSAT, VOCD_METRIC_NPS, VOCD_METRIC_CES, VOCD_METRIC_COUNT };

/** Text in both languages the product speaks. */
struct vocd_text {
	char *zh; /**< zh-CN */
	char *en;
};

struct vocd_survey_item {
	char *id;               /**< [a-z0-9_]{1,32} */
	struct vocd_text label;
	int scale;              /**< dimensions: answers 1..scale; tags: 0 */
};

struct vocd_survey {
	char *service_type;          /**< NULL for the tenant's default survey */
	enum vocd_metric metrics[VOCD_METRIC_COUNT];
	size_t nmetrics;             /**< the first is the main one, and required in an answer */
	struct vocd_survey_item *dimensions;
	size_t ndimensions;
	struct vocd_survey_item *tags;
	size_t ntags;
	struct vocd_text question;   /**< the open question; empty strings when there is none */
	struct vocd_text notice;     /**< the privacy notice shown before any question */
	char *notice_version;
	int max_text;                /**< characters of free text accepted */
};

/** A tenant's surveys: the default one and one per service type. */
struct vocd_surveys {
	struct vocd_survey *list; /**< [0] is the default */
	size_t n;
};

/** Different dimension ids a tenant's surveys may ask in all: each has a mean kept in the figures
 * (rollup_dims.h VOCD_ROLLUP_DIM_SLOTS). */
#define VOCD_SURVEY_MAX_DIMENSION_IDS 16

/** \brief "csat" / "nps" / "ces"; the range of its scores. */
const char *vocd_metric_name(enum vocd_metric m);
void vocd_metric_range(enum vocd_metric m, int *lo, int *hi);

/**
 * \brief Reads a tenant's `survey` setting (JSON as config.c made it; NULL gives the built-in default
 * survey: CSAT with a generic notice). Problems are appended to \p err, one per line, each starting with
 * \p where ("conf/tenants/acme.lua:12"), e.g. "survey.dimensions[2].scale: expected a whole number from 2
 * to 10, got 11".
 * \return 0 or VOCD_ECONFIG.
 */
int vocd_surveys_parse(const cJSON *setting, const char *where, struct vocd_surveys *out, char *err,
                       size_t errlen);

void vocd_surveys_free(struct vocd_surveys *s);

/** \brief The survey for a service type (the default when there is none for it). Never NULL. */
const struct vocd_survey *vocd_surveys_pick(const struct vocd_surveys *s, const char *service_type);

/**
 * \brief Checks an answer against \p sv:
 * {"scores": {"csat": 4, ...}, "dimensions": {"speed": 5}, "tags": ["slow"], "text": "..."}.
 * On failure writes the first problem to \p field ("scores.csat") and \p message ("expected a whole number
 * from 1 to 5, got 7") and returns VOCD_EUNPROC (422) for a value out of range, or VOCD_EINVAL (400) for
 * an unknown field or a wrong type.
 */
int vocd_survey_check_answer(const struct vocd_survey *sv, const cJSON *answer, char *field, size_t fieldlen,
                             char *message, size_t msglen);

#endif

/* A figures query (docs/http-api.md, "Figures"): its parameters read and checked, the reader's scope
 * applied, and the figures built from the rollups. The parameters come from wherever the asker keeps them:
 * GET /api/v1/stats's query string (api_stats.c), a scheduled report's query in the tenant file. */
#ifndef VOCD_STATS_QUERY_H
#define VOCD_STATS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"
#include "token.h"

/** Where the parameters come from. */
struct vocd_stats_params {
	/** Writes parameter \p name's value into \p out ("" when absent). \return 0, or -1 when the value does not fit. */
	int (*get)(void *ctx, const char *name, char *out, size_t outlen);
	void *ctx;
};

/** Why a query was refused: an HTTP status, an error code and a message for the asker; or a store error. */
struct vocd_stats_error {
	int status;       /**< 400, 403; 0 with store_rc for a store error */
	int store_rc;     /**< a vocd error code (error.h) when status is 0 */
	char code[32];    /**< "invalid_parameter", "forbidden" */
	char message[400];
};

#define VOCD_STATS_MAX_FILTERS 9 /**< one per dimension */

/** The period, filters and suspect choice of a figures query, the reader's scope applied. */
struct vocd_stats_scope {
	int32_t from, to;                                /**< local days, both included */
	int nfilters;
	const char *filter_dim[VOCD_STATS_MAX_FILTERS];   /**< agent, team, ...: each dimension = value to be met */
	char filter_value[VOCD_STATS_MAX_FILTERS][129];
	char suspect[8];                                 /**< exclude, include, only */
};

/** \brief True if \p rec (an evaluation, invitation or ticket) meets every filter of \p s. */
int vocd_stats_scope_meets(const struct vocd_stats_scope *s, const cJSON *rec);

/** \brief Adds "filter": {dimension: value, ...} to \p body when \p s has filters. */
void vocd_stats_scope_filter_json(const struct vocd_stats_scope *s, cJSON *body);

/**
 * \brief The figures of \p tenant asked for by \p params, as \p who may see them: the body of GET
 * /api/v1/stats. \return the body, or NULL with \p err filled.
 */
cJSON *vocd_stats_query(vocd_store *st, const char *tenant, const struct vocd_tenant_conf *conf,
                        const struct vocd_token_info *who, const struct vocd_stats_params *params,
                        struct vocd_stats_error *err);

/** \brief Checks every parameter as vocd_stats_query does, reading nothing: a scheduled report's query at
 * load. \return 0, or -1 with \p err filled. */
int vocd_stats_query_check(const struct vocd_tenant_conf *conf, const struct vocd_token_info *who,
                           const struct vocd_stats_params *params, struct vocd_stats_error *err);

/**
 * \brief Reads only from, to, the filters and suspect (no grouping), as vocd_stats_query does: for readers
 * of the same period and scope (the topics). \return 0, or -1 with \p err filled.
 */
int vocd_stats_query_scope(const struct vocd_tenant_conf *conf, const struct vocd_token_info *who,
                           const struct vocd_stats_params *params, struct vocd_stats_scope *out,
                           struct vocd_stats_error *err);

/** \brief Parameters read from a JSON object of strings (numbers are written out): {"interval": "month"}. */
int vocd_stats_params_json(void *object, const char *name, char *out, size_t outlen);

#endif

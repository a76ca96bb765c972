/* Plugin host: finds plugins/<kind>s/<name>/, validates each tenant's settings against the plugin's
 * schema, runs the plugins' hooks in sandboxed Lua states, and swaps in new versions on reload. */
#ifndef VOCD_PLUGIN_H
#define VOCD_PLUGIN_H

#include <cjson/cJSON.h>

#include "bus.h"
#include "config.h"
#include "store.h"

typedef struct vocd_plugins vocd_plugins;

/**
 * \brief Loads and validates every plugin that \p cfg enables for any tenant, and subscribes their
 * event hooks to \p bus. \p cfg must outlive the host (until the next successful reload).
 * \param err receives every problem, one per line, with tenant, plugin, file and line.
 * \return 0, VOCD_ECONFIG, VOCD_ENOMEM.
 */
int vocd_plugins_create(vocd_plugins **out, const struct vocd_config *cfg, vocd_store *st, vocd_bus *bus,
                        char *err, size_t errlen);

/**
 * \brief Gives channel plugins' vocd.contact the personal-data handle (read at each call, so it may be set
 * after vocd_plugins_create, before serving).
 */
struct vocd_pii;
void vocd_plugins_set_pii(vocd_plugins *p, struct vocd_pii *pii);

/**
 * \brief Builds the plugins of \p cfg aside and swaps them in atomically. On any error the running
 * version is kept and the error returned in \p err. Safe while requests and events are being served.
 */
int vocd_plugins_reload(vocd_plugins *p, const struct vocd_config *cfg, char *err, size_t errlen);

/** \brief Validates \p cfg's plugins without activating anything (for `vocd check`). */
int vocd_plugins_check(const struct vocd_config *cfg, char *err, size_t errlen);

/**
 * \brief Runs hook \p hook of the tenant's plugin \p name with \p arg (may be NULL) and returns its
 * result as JSON in \p *result (caller frees; NULL if the hook returned nothing).
 * \return 0, VOCD_ENOTFOUND (no such plugin enabled for the tenant, or no such hook), VOCD_ELIMIT
 *         (budget ran out), VOCD_EPLUGIN (the hook raised: message in \p err).
 */
int vocd_plugins_call(vocd_plugins *p, const char *tenant, const char *name, const char *hook,
                      const cJSON *arg, cJSON **result, char *err, size_t errlen);

/**
 * \brief Runs handler \p hook of every incentive plugin of \p tenant whose audience is \p audience (enum
 * vocd_audience) and that has one; a customer policy's argument raises when a score is read.
 * \return 0 (also when none has it), or the first failure (the others still run; message in \p err).
 */
int vocd_plugins_call_audience(vocd_plugins *p, const char *tenant, int audience, const char *hook,
                               const cJSON *arg, char *err, size_t errlen);

/**
 * \brief The label ("incentives/monthly_leaderboard") of the first enabled plugin of \p tenant of kind
 * \p kind that has handler \p hook, in \p label. \return 0, VOCD_ENOTFOUND.
 */
int vocd_plugins_find_handler(vocd_plugins *p, const char *tenant, const char *kind, const char *hook, char *label,
                              size_t label_len);

/** \brief True if the tenant's enabled plugin \p name (or label) is of kind \p kind. */
int vocd_plugins_is_kind(vocd_plugins *p, const char *tenant, const char *name, const char *kind);

/**
 * \brief Runs the Lua file \p path in a fresh sandbox under \p lim and converts the value it returns to JSON
 * (a schema, a rule's test cases). \p *out is the caller's.
 * \return 0, VOCD_ECONFIG (the reason, with file and line, in \p err), VOCD_ENOMEM.
 */
struct vocd_luahost_limits;
int vocd_plugins_data_file(const char *path, const struct vocd_luahost_limits *lim, cJSON **out, char *err,
                           size_t errlen);

struct vocd_rule;

/** Receives a tenant's workflow rules, ordered by label; they stay valid during the call only. */
typedef int (*vocd_rules_fn)(const struct vocd_rule *const *rules, size_t n, void *arg);

/**
 * \brief Calls \p fn with the compiled rules of the tenant's enabled workflow plugins (none: n is 0), while
 * the plugin set they belong to is held, so that a reload meanwhile cannot free them. \return what \p fn did.
 */
int vocd_plugins_rules(vocd_plugins *p, const char *tenant, vocd_rules_fn fn, void *arg);

/**
 * \brief Loads the rules of the workflow plugin whose plugin.lua is \p code_file (its schema.lua beside it)
 * for \p tenant, without enabling anything: for a dry run. Settings: \p settings, else the tenant's for
 * that plugin, else the schema's defaults. \p *out (\p *nout rules) is the caller's: vocd_rule_free each,
 * then free the array.
 * \return 0, VOCD_ENOTFOUND (no such tenant), VOCD_ECONFIG (every problem in \p err, with file and line),
 *         VOCD_ENOMEM.
 */
int vocd_plugins_rule_file(const struct vocd_config *cfg, const char *tenant, const char *code_file,
                           const cJSON *settings, struct vocd_rule ***out, size_t *nout, char *err, size_t errlen);

/**
 * \brief The tenant's plugins as JSON: [{name, kind, version, hooks, errors, last_error:{hook, file,
 * line, message, time}}]. Caller frees.
 */
int vocd_plugins_status(vocd_plugins *p, const char *tenant, cJSON **out);

/** \brief Total hook failures (errors and budget kills) since start, for /metrics. */
unsigned long vocd_plugins_error_count(vocd_plugins *p);

void vocd_plugins_destroy(vocd_plugins *p);

#endif

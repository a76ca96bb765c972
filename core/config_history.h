/* Versions of each tenant's configuration file: whenever a configuration is activated (at start and on
 * every reload that succeeds), a tenant file whose text changed is kept in the store as a new version,
 * with who activated it, when, and its SHA-256, and audited as "config.activate". An admin can list
 * them and put an earlier one back (`vocd config versions`, `vocd config rollback`).
 *
 * Storage (per tenant): "config.version" records, id = 16-digit version number -> {version, at, file,
 * sha256, by {kind, id, role?}, sealed}; "config.head" "head" -> {version, sha256} of the latest. The text
 * is sealed with a key derived from the master key (vocd_pii_seal_text, purpose "config"): a tenant file
 * holds channel secrets and staff contacts, which never lie in the database in clear. */
#ifndef VOCD_CONFIG_HISTORY_H
#define VOCD_CONFIG_HISTORY_H

#include <cjson/cJSON.h>

#include "config.h"
#include "pii.h"
#include "record.h"
#include "store.h"

#define VOCD_CONFIG_VERSION_TYPE "config.version"

/**
 * \brief Keeps a new version of every tenant file of \p cfg whose text differs from its latest version,
 * in one write job, its text sealed with \p pii, with audit entries for \p who. \return 0, store errors.
 */
int vocd_config_history_record(vocd_store *st, const struct vocd_config *cfg, vocd_pii *pii,
                               const struct vocd_actor *who);

/** \brief The tenant's versions, oldest first, as [{version, at, file, sha256, by}] (no text). Caller frees. */
int vocd_config_history_list(vocd_store *st, const char *tenant, cJSON **out);

/** \brief One version with its text opened with \p pii (caller frees). \return 0, VOCD_ENOTFOUND,
 * VOCD_EAUTH (another master key, or altered), store errors. */
int vocd_config_history_get(vocd_store *st, vocd_pii *pii, const char *tenant, unsigned version, cJSON **out);

#endif

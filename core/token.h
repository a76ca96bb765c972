/* API tokens: "vt1.<tenant>.<id>.<secret>", shown once at creation, stored only as a SHA-256 hash under
 * the tenant's own keys, so a token can only ever resolve to the tenant whose keys hold its hash. */
#ifndef VOCD_TOKEN_H
#define VOCD_TOKEN_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

enum vocd_role { VOCD_ROLE_ADMIN, VOCD_ROLE_SUPERVISOR, VOCD_ROLE_AGENT, VOCD_ROLE_AUDITOR, VOCD_ROLE_INTEGRATOR };

/** \brief "admin" -> VOCD_ROLE_ADMIN ...; -1 for an unknown name. */
int vocd_role_parse(const char *name);

/** \brief The role's name (static), "?" for an unknown value. */
const char *vocd_role_name(int role);

#define VOCD_TOKEN_MAX 160

struct vocd_token_info {
	char tenant[65];
	char id[17];    /**< public id of the token (for listing, revocation, audit) */
	int role;
	int64_t created_ms;
	char person[129]; /**< the person the token acts as (people of the tenant file); "" when none */
	int session;      /**< 1: a signed-in person's session (session.c), not an API token */
};

/**
 * \brief Splits "<prefix><tenant>.<id>.<secret>" (API tokens "vt1.", sessions "vs1."): fills \p tenant and
 * \p id. \return 0 or VOCD_EAUTH when it is not of that form.
 */
int vocd_token_split(const char *text, const char *prefix, char tenant[65], char id[17]);

/**
 * \brief A new credential "<prefix><tenant>.<id>.<secret>" in \p out: 64 random bits of public id, 256 of
 * secret; \p hash receives the hex SHA-256 of the whole text, which is all that is stored. \return 0 or
 * VOCD_EINTERNAL.
 */
int vocd_token_mint(const char *prefix, const char *tenant, char out[VOCD_TOKEN_MAX], char id[17], char hash[65]);

/** \brief True if \p stored_hex is the SHA-256 of \p text (compared in constant time). */
int vocd_token_hash_matches(const char *stored_hex, const char *text);

/**
 * \brief Creates a token for \p tenant with \p role, stores its hash durably, and writes the token text
 * to \p out (at least VOCD_TOKEN_MAX bytes). The text cannot be recovered later.
 * \return 0, VOCD_EINVAL (bad tenant id or role), store errors.
 */
int vocd_token_create(vocd_store *st, const char *tenant, int role, const char *label, char *out,
                      struct vocd_token_info *info);

/**
 * \brief vocd_token_create for a token that acts as one person of the tenant's people (an agent's token:
 * the agent works on the tickets assigned to that person). \p person NULL: none.
 */
int vocd_token_create_for(vocd_store *st, const char *tenant, int role, const char *label, const char *person,
                          char *out, struct vocd_token_info *info);

/**
 * \brief Checks a presented token. \return 0 and fills \p info, or VOCD_EAUTH (malformed, unknown, revoked:
 * the caller cannot tell which).
 */
int vocd_token_verify(vocd_store *st, const char *token, struct vocd_token_info *info);

/** \brief Revokes token \p id of \p tenant. \return 0 or VOCD_ENOTFOUND. */
int vocd_token_revoke(vocd_store *st, const char *tenant, const char *id);

/** \brief The tenant's tokens as a JSON array of {id, role, label, person?, created} (no secrets). Caller frees. */
int vocd_token_list(vocd_store *st, const char *tenant, cJSON **out);

#endif

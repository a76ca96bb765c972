/* Invitation tokens: the one-time link a customer opens, "<tenant>.<invitation id>.<expiry>.<mac>". The MAC
 * is HMAC-SHA256 (truncated to 128 bits) under a key of the tenant's own, so a token cannot be forged,
 * moved to another tenant or given a later expiry; the invitation's state (answered) makes it one-time. */
#ifndef VOCD_INVITE_TOKEN_H
#define VOCD_INVITE_TOKEN_H

#include <stdint.h>

#define VOCD_INVITE_TOKEN_MAX 200

struct vocd_invite_claims {
	char tenant[65];
	char invitation[33];
	int64_t expires_ms; /**< Unix ms */
};

/**
 * \brief Writes the token for \p c, signed with \p key, to \p out (VOCD_INVITE_TOKEN_MAX bytes).
 * \return 0 or VOCD_EINVAL (bad tenant or invitation id).
 */
int vocd_invite_token_make(const unsigned char key[32], const struct vocd_invite_claims *c, char *out);

/**
 * \brief Reads the claims of a token without checking it (to find the tenant, and so its key).
 * \return 0 or VOCD_EINVAL (not a token).
 */
int vocd_invite_token_peek(const char *token, struct vocd_invite_claims *c);

/**
 * \brief Checks a token's MAC with \p key (constant time) and its expiry against \p now_ms.
 * \return 0, VOCD_EAUTH (forged, altered, other tenant's key), VOCD_ENOTFOUND (expired: the caller answers
 *         410), VOCD_EINVAL (not a token).
 */
int vocd_invite_token_check(const unsigned char key[32], const char *token, int64_t now_ms,
                            struct vocd_invite_claims *c);

#endif

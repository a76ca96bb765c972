/* Signing in to the web pages: people of the tenant file with an `access` role and a password set by
 * `vocd user password` sign in and get a session, carried in a cookie (Secure, HttpOnly, SameSite=Strict)
 * and accepted wherever an API token is, with the role and scope of that person. Five wrong passwords in a
 * row lock the person out for 15 minutes. Sessions last 8 hours or until signed out. */
#ifndef VOCD_SESSION_H
#define VOCD_SESSION_H

#include <stdint.h>

#include "config.h"
#include "record.h"
#include "token.h"

#define VOCD_SESSION_COOKIE "vocd_session"
#define VOCD_SESSION_MS (8 * 3600 * 1000LL)
#define VOCD_SIGNIN_MAX_FAILURES 5
#define VOCD_SIGNIN_LOCK_MS (15 * 60 * 1000LL)
#define VOCD_CSRF_LEN 43 /**< the session's anti-forgery value: base64url of 32 random bytes */

/**
 * \brief Sets (or replaces) \p person's password, kept as a PBKDF2 hash; audited as "auth.password_set".
 * \return 0; VOCD_EUNPROC (vocd_password_unusable says why); store errors.
 */
int vocd_password_set(vocd_store *st, const char *tenant, const char *person, const char *password,
                      const struct vocd_actor *who);

struct vocd_session_new {
	char cookie[VOCD_TOKEN_MAX];  /**< the cookie's value: shown to the browser only */
	char csrf[VOCD_CSRF_LEN + 1]; /**< sent back in X-CSRF-Token with every change made through the session */
	int64_t expires_ms;
	int64_t retry_after_ms;       /**< on VOCD_ERATE: how long the lock still holds */
	struct vocd_token_info info;
};

/**
 * \brief Signs \p person of tenant \p t in with \p password; audited ("auth.signin", "auth.signin_failed",
 * "auth.lockout"). \return 0 (\p out filled); VOCD_EAUTH for an unknown person, one without access or
 * password, or a wrong password (the caller cannot tell which); VOCD_ERATE when locked out.
 */
int vocd_session_signin(vocd_store *st, const struct vocd_tenant_conf *t, const char *person, const char *password,
                        const struct vocd_actor *who, struct vocd_session_new *out);

/**
 * \brief Checks a session cookie's value. \return 0 and fills \p info (session = 1) and \p csrf, or
 * VOCD_EAUTH (malformed, unknown, signed out or expired).
 */
int vocd_session_verify(vocd_store *st, const char *cookie, struct vocd_token_info *info, char csrf[VOCD_CSRF_LEN + 1]);

/** \brief Signs session \p id of \p tenant out (audited "auth.signout"). \return 0 or VOCD_ENOTFOUND. */
int vocd_session_end(vocd_store *st, const char *tenant, const char *id, const struct vocd_actor *who);

#endif

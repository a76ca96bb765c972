/* Staff passwords for signing in to the web pages: PBKDF2-HMAC-SHA256 (mbedTLS) with a random salt per
 * password, the iteration count kept with each hash so that it can be raised without breaking old ones. */
#ifndef VOCD_PASSWORD_H
#define VOCD_PASSWORD_H

#include <stddef.h>

#include <cjson/cJSON.h>

/** Iterations for new hashes: about 0.4 s of one core of the 2-core reference machine; sign-in is
 * rate-limited per address so that this cost cannot be turned against the server. */
#define VOCD_PASSWORD_ITERATIONS 310000u
#define VOCD_PASSWORD_MIN_LEN 12
#define VOCD_PASSWORD_MAX_LEN 256

/**
 * \brief Why \p password cannot be used (static text), or NULL when it can: 12 to 256 bytes, no control
 * characters (any language, spaces allowed: a phrase is a good password).
 */
const char *vocd_password_unusable(const char *password);

/** \brief A new hash of \p password as {scheme, iterations, salt, hash} (caller frees); NULL when out of memory. */
cJSON *vocd_password_hash(const char *password);

/**
 * \brief True if \p password matches \p stored (a vocd_password_hash record). With \p stored NULL the same
 * work is done against a fixed salt and 0 returned, so that an unknown person takes as long as a known one.
 */
int vocd_password_matches(const cJSON *stored, const char *password);

#endif

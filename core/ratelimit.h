/* A small in-memory rate limit: bursts of up to N events per key, then N per minute. Kept in
 * memory only: a restart starts every count afresh, which is fine for what it guards (scans of a printed
 * code), not for anything that must hold across restarts. */
#ifndef VOCD_RATELIMIT_H
#define VOCD_RATELIMIT_H

#include <stdint.h>

/**
 * \brief Counts one event for \p key at \p now_ms. \return 1 if allowed, 0 if over the limit.
 * Thread-safe. Keys longer than 95 bytes are cut. A key's bucket is forgotten only once it has refilled
 * completely; when too many keys are busy at once, a new key is refused (fails closed).
 */
int vocd_ratelimit_allow(const char *key, unsigned per_minute, int64_t now_ms);

#endif

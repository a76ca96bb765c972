/* Small shared helpers for identifiers and time: random bytes from the kernel, hex and base64url text,
 * SHA-256 digests, the wall clock in Unix milliseconds. */
#ifndef VOCD_IDS_H
#define VOCD_IDS_H

#include <stddef.h>
#include <stdint.h>

/** \brief Fills \p buf with \p n random bytes (getrandom). \return 0 or VOCD_EINTERNAL. */
int vocd_random_bytes(void *buf, size_t n);

/** \brief Lower-case hex of \p n bytes into \p out (2n+1 bytes). */
void vocd_hex(const void *in, size_t n, char *out);

/** \brief base64url without padding of \p n bytes into \p out (4*ceil(n/3)+1 bytes). */
void vocd_base64url(const void *in, size_t n, char *out);

/** \brief A random id of 16 hex digits (64 bits) into \p out (17 bytes). \return 0 or VOCD_EINTERNAL. */
int vocd_random_id(char out[17]);

/** \brief SHA-256 of \p n bytes at \p in (Nettle: the CPU's SHA instructions where there are some). */
void vocd_sha256(const void *in, size_t n, unsigned char out[32]);

/** \brief True if the secrets \p a and \p b are the same text, compared in time that does not depend on where
 * they differ. */
int vocd_same_secret(const char *a, const char *b);

/** \brief Unix milliseconds \p ms as "2026-12-03 12:00:00 UTC" in \p out, for people reading a listing. */
void vocd_utc_text(double ms, char out[32]);

/** \brief The wall clock, Unix milliseconds. */
int64_t vocd_now_ms(void);

#endif

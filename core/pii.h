/* Personal data (names, phones, emails): encrypted at rest with a key per customer, wrapped by a master
 * key that lives in a file outside the data directory; blind indexes for look-ups without plaintext;
 * normalising and masking for output. Erasing a customer = deleting their wrapped key. */
#ifndef VOCD_PII_H
#define VOCD_PII_H

#include <stddef.h>

#include "store.h"

typedef struct vocd_pii vocd_pii;

/** Length of the master key file, bytes (raw random bytes, nothing else). */
#define VOCD_PII_KEY_LEN 32

/** Record type holding the wrapped per-customer keys: (tenant, "pii.key", customer id) -> 69 bytes. */
#define VOCD_PII_KEY_TYPE "pii.key"

/** Longest plaintext vocd_pii_seal() accepts, bytes. */
#define VOCD_PII_MAX_PLAINTEXT 4096

/* ---- Master key ----------------------------------------------------------------------------------- */

/**
 * \brief Creates a new master key file at \p path: 32 random bytes, mode 0600, synced. Missing parent
 * directories are created with mode 0700.
 * \return 0, VOCD_EEXIST (a file is already there: it is never overwritten, since that would make all
 *         sealed data unreadable), VOCD_EINVAL (NULL/empty path), VOCD_EIO (message logged).
 * Caveats: \p path must be outside the data directory (and outside its backups); the caller checks that.
 */
int vocd_pii_init_key(const char *path);

/**
 * \brief Loads the master key file \p key_path.
 * \return 0 and a handle in \p *out, VOCD_ENOTFOUND (no such file), VOCD_ECONFIG (readable or writable
 *         by group or others, not a regular file, or not exactly 32 bytes), VOCD_EIO, VOCD_ENOMEM.
 *         Every refusal is logged with its reason and the fix.
 * The handle is immutable and may be used from any number of threads at once.
 */
int vocd_pii_open(vocd_pii **out, const char *key_path);

/** \brief Zeroes the key material and frees the handle. Accepts NULL. */
void vocd_pii_close(vocd_pii *p);

/* ---- Sealing fields --------------------------------------------------------------------------------
 * tenant: a valid tenant id; customer: the customer's external id, 1-128 bytes with no control characters
 * (it is stored in clear as the key record's id, so it must not itself be personal data); field: 1-64
 * characters of [a-z0-9_.-], e.g. "phone", "email", "name".
 *
 * A token is "pii1:" followed by base64url (no padding) of key id (8) | nonce (12) | ciphertext | tag (16).
 * AES-256-GCM with the customer's data key; additional data binds tenant, customer, field and key id, so a
 * token cannot be opened as another field, another customer or in another tenant. */

/**
 * \brief Encrypts \p plaintext (NUL-terminated, at most VOCD_PII_MAX_PLAINTEXT bytes) for (tenant,
 * customer, field). Creates the customer's data key on first use, so \p txn must then be a write
 * transaction (call it inside a vocd_store_write() job); with a read transaction and no key yet it fails
 * with VOCD_EINVAL. Two seals of the same plaintext differ (random nonce).
 * \return 0 and a malloc'd token in \p *out (caller frees; it holds no secret), VOCD_EINVAL (bad names or
 *         NULL), VOCD_ETOOBIG, VOCD_EAUTH (the stored key record does not authenticate: tampered or the
 *         wrong master key), store errors (VOCD_EFULL), VOCD_ENOMEM, VOCD_EINTERNAL. On error \p *out is NULL.
 */
int vocd_pii_seal(vocd_pii *p, vocd_txn *txn, const char *tenant, const char *customer, const char *field,
                  const char *plaintext, char **out);

/**
 * \brief Decrypts a token made by vocd_pii_seal() for the same (tenant, customer, field). Any transaction.
 * \return 0 and the malloc'd plaintext in \p *out (free it with vocd_pii_free(), which wipes it);
 *         VOCD_EINVAL (bad names, or \p token is not a well-formed token: wrong prefix, bad base64,
 *         too short, truncated);
 *         VOCD_ENOTFOUND (the key that sealed it is not there: the customer was forgotten, or the token
 *         belongs to another customer or tenant, or its key id was altered);
 *         VOCD_EAUTH (the key is there but the token does not authenticate: altered, or sealed for another
 *         field; also when the stored key record itself was altered);
 *         VOCD_ENOMEM, VOCD_EINTERNAL. On error \p *out is NULL.
 */
int vocd_pii_open_field(vocd_pii *p, vocd_txn *txn, const char *tenant, const char *customer,
                        const char *field, const char *token, char **out);

/** \brief Wipes and frees a string returned by vocd_pii_open_field() or the normalise/mask functions.
 * Accepts NULL. */
void vocd_pii_free(char *s);

/**
 * \brief Destroys the customer's data key (write transaction): afterwards none of their tokens can be
 * opened (VOCD_ENOTFOUND); everything else, other customers' keys included, stays. A later seal for the
 * same customer creates a new, unrelated key.
 * \return 0, VOCD_ENOTFOUND (the customer had no key), VOCD_EINVAL, store errors.
 * Caveats: LMDB leaves the deleted record's bytes in free pages until they are reused, and older backups
 * keep it; both are encrypted with the master key. A compacted backup (vocd_store_backup) has no free pages.
 */
int vocd_pii_forget(vocd_txn *txn, const char *tenant, const char *customer);

/**
 * \brief Blind index of a normalised value: hex HMAC-SHA256 of (field, value) under a key derived from
 * the master key and \p tenant. Stable for the same input; different per tenant and per field; reveals
 * nothing without the master key. Store it as an index value to find "the customer with this phone".
 * Pass values through vocd_pii_normalize_*() first so that spellings of one value meet.
 * \return 0 and 64 hex digits + NUL in \p out, VOCD_EINVAL, VOCD_EINTERNAL.
 */
int vocd_pii_blind_index(vocd_pii *p, const char *tenant, const char *field, const char *normalized_value,
                         char out[65]);

/**
 * \brief A 32-byte key for \p purpose ("invitation": signing survey links) and \p tenant, derived from the
 * master key: stable across restarts, different per tenant and purpose, never stored.
 * \return 0, VOCD_EINVAL (purpose not [a-z0-9_.-]{1,64}, bad tenant), VOCD_EINTERNAL.
 */
int vocd_pii_derive_key(vocd_pii *p, const char *purpose, const char *tenant, unsigned char out[32]);

/* ---- Sealing a tenant's texts ----------------------------------------------------------------------
 * For texts of a tenant that hold personal data or secrets but belong to no one customer (the versions of
 * its configuration file: staff phones, channel secrets). "sealed1:" followed by base64url (no padding) of
 * nonce (12) | ciphertext | tag (16); AES-256-GCM under a key derived for (purpose, tenant); the additional
 * data binds both, so a sealed text cannot be opened for another tenant or purpose. */

/**
 * \brief Encrypts \p plaintext (NUL-terminated) for \p purpose ([a-z0-9_.-], 1 to 57 characters) and \p tenant.
 * \return 0 and a malloc'd sealed text in \p *out (caller frees), VOCD_EINVAL, VOCD_ENOMEM, VOCD_EINTERNAL.
 */
int vocd_pii_seal_text(vocd_pii *p, const char *purpose, const char *tenant, const char *plaintext, char **out);

/**
 * \brief Decrypts a text made by vocd_pii_seal_text() for the same purpose and tenant.
 * \return 0 and the malloc'd plaintext in \p *out (free it with vocd_pii_free()), VOCD_EINVAL (not a
 *         sealed text), VOCD_EAUTH (altered, another tenant's or purpose's, or another master key),
 *         VOCD_ENOMEM, VOCD_EINTERNAL.
 */
int vocd_pii_open_text(vocd_pii *p, const char *purpose, const char *tenant, const char *sealed, char **out);

/* ---- Normalising and masking (pure; UTF-8; each returns 0 and a malloc'd string in *out, or
 * VOCD_EINVAL / VOCD_ENOMEM with *out = NULL and nothing allocated) ------------------------------------
 *
 * Phone. Accepted: ASCII or full-width digits, one optional '+' (or '＋') before the first digit, or the
 * international prefix "00", and the separators space, tab, U+3000, '-', '－', '.', '/' and ASCII or
 * full-width parentheses ("(+86) 138.1234.5678" is fine). At most 128 bytes. The result is E.164 digits
 * without '+':
 *   - with '+' or "00": the digits as written ("+44 20 7946 0958" -> "442079460958");
 *   - otherwise the number is taken as mainland Chinese: an 11-digit number starting with 1 (mobile) or a
 *     number starting with the trunk prefix 0 (landline, 0 dropped) gets "86" in front
 *     ("138-1234-5678" and "+86 138 1234 5678" -> "8613812345678"; "010-1234-5678" -> "861012345678");
 *     any other national form is refused.
 *   The result must have 8-15 digits.
 * Masked phone: a mainland mobile (86 + 11 digits starting with 1) shows its national first 3 and last 4
 * digits, "138****5678"; any other number shows '+', its first 2 and last 2 digits, and one '*' per hidden
 * digit ("+44********58").
 *
 * Email. Surrounding whitespace is trimmed; exactly one '@'; a non-empty local part of printable ASCII
 * (no space or "(),:;<>[\]) or UTF-8; a domain of dot-separated labels of letters, digits, '-' or UTF-8,
 * at least two labels; at most 254 bytes. Normalised = ASCII lower-cased as a whole ("Alice.W@Example.com"
 * -> "alice.w@example.com"). Masked = first character of the local part (lower-cased) + "****" + '@' +
 * domain, whatever the local part's length: "a****@example.com".
 *
 * Name. Normalised = trimmed, runs of whitespace (ASCII, U+3000) turned into one ASCII space; control
 * characters refused; at most 256 bytes. Masked: the name is split into parts at whitespace, '·' (U+00B7),
 * '・' (U+30FB), '-' and '.'; separators are kept; in each part the first character (code point) stays and
 * every further one becomes '*'; a one-character part gets one '*' after it, so a masked name never
 * reveals more than the first character of each part (a name already of that shape, "9*" or "-", masks to
 * itself, which reveals nothing more): "张三丰" -> "张**",
 * "Alice Smith" -> "A**** S****", "欧阳·娜娜" -> "欧*·娜*", "李" -> "李*".
 */
int vocd_pii_normalize_phone(const char *in, char **out);
int vocd_pii_normalize_email(const char *in, char **out);
int vocd_pii_normalize_name(const char *in, char **out);
int vocd_pii_mask_phone(const char *in, char **out);
int vocd_pii_mask_email(const char *in, char **out);
int vocd_pii_mask_name(const char *in, char **out);

/** \brief Masks by field name: "phone", "email", "name"; any other field masks as a name.
 * \return as the mask functions. */
int vocd_pii_mask(const char *field, const char *in, char **out);

#endif

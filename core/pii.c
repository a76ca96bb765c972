/* Personal data at rest. The master key file is never used directly: two subkeys are derived from it with
 * HMAC-SHA256 (one wraps the per-customer data keys, one roots the blind indexes), so the same bytes never
 * serve two purposes. Each customer's data key is 32 random bytes stored AES-256-GCM-wrapped in a
 * "pii.key" record with a random key id; tokens carry that key id, so a token whose key was destroyed is
 * told apart (VOCD_ENOTFOUND) from a token that was altered (VOCD_EAUTH). Nothing is cached: unwrapping
 * a key is one small GCM operation, and no cache can then outlive a vocd_pii_forget(). */
#include "pii.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "config.h"
#include "error.h"
#include "ids.h"
#include "log.h"

#define TOKEN_PREFIX "pii1:"
#define KID_LEN 8
#define NONCE_LEN 12
#define TAG_LEN 16
#define KEYREC_VERSION 1
#define KEYREC_LEN (1 + KID_LEN + NONCE_LEN + VOCD_PII_KEY_LEN + TAG_LEN)
#define CUSTOMER_MAX 128
#define FIELD_MAX 64
/* Additional data: a label and up to three length-prefixed names plus the key id. */
#define AD_MAX (32 + 4 + 64 + 4 + CUSTOMER_MAX + 4 + FIELD_MAX + KID_LEN)

struct vocd_pii {
	unsigned char wrap_key[32];  /**< wraps the per-customer data keys */
	unsigned char blind_root[32]; /**< the blind-index key of a tenant is derived from this */
	unsigned char derive_root[32]; /**< other per-tenant keys (invitation links) are derived from this */
};

/* ---- Small helpers ------------------------------------------------------------------------------ */

/* HMAC-SHA256 over up to two pieces. */
static int hmac2(const unsigned char *key, size_t klen, const void *a, size_t alen, const void *b, size_t blen,
                 unsigned char out[32])
{
	mbedtls_md_context_t md;
	mbedtls_md_init(&md);
	int rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (rc == 0)
		rc = mbedtls_md_hmac_starts(&md, key, klen);
	if (rc == 0 && alen)
		rc = mbedtls_md_hmac_update(&md, a, alen);
	if (rc == 0 && blen)
		rc = mbedtls_md_hmac_update(&md, b, blen);
	if (rc == 0)
		rc = mbedtls_md_hmac_finish(&md, out);
	mbedtls_md_free(&md); /* zeroizes its context */
	return rc == 0 ? 0 : VOCD_EINTERNAL;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Strict decoder: only the canonical encoding is accepted (unused low bits must be zero), so each
 * token has exactly one spelling and any changed character changes the bytes. Returns bytes or -1. */
static long b64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	if (n % 4 == 1)
		return -1;
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return -1;
	return (long)o;
}

static int customer_valid(const char *c)
{
	size_t n = c ? strlen(c) : 0;
	if (n == 0 || n > CUSTOMER_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
			return 0;
	return 1;
}

static int field_valid(const char *f)
{
	size_t n = f ? strlen(f) : 0;
	if (n == 0 || n > FIELD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(f[i] >= 'a' && f[i] <= 'z') && !(f[i] >= '0' && f[i] <= '9') && f[i] != '_' && f[i] != '.' &&
		    f[i] != '-')
			return 0;
	return 1;
}

static size_t ad_put(unsigned char *ad, size_t o, const char *s)
{
	size_t n = strlen(s);
	ad[o] = (unsigned char)(n >> 24);
	ad[o + 1] = (unsigned char)(n >> 16);
	ad[o + 2] = (unsigned char)(n >> 8);
	ad[o + 3] = (unsigned char)n;
	memcpy(ad + o + 4, s, n);
	return o + 4 + n;
}

/* Unambiguous additional data: label, length-prefixed names (field may be NULL), key id. */
static size_t build_ad(unsigned char ad[AD_MAX], const char *label, const char *tenant, const char *customer,
                       const char *field, const unsigned char kid[KID_LEN])
{
	size_t o = strlen(label) + 1;
	memcpy(ad, label, o);
	o = ad_put(ad, o, tenant);
	o = ad_put(ad, o, customer);
	if (field)
		o = ad_put(ad, o, field);
	memcpy(ad + o, kid, KID_LEN);
	return o + KID_LEN;
}

static int gcm_encrypt(const unsigned char key[32], const unsigned char *nonce, const unsigned char *ad, size_t adlen,
                       const unsigned char *in, size_t n, unsigned char *out, unsigned char tag[TAG_LEN])
{
	mbedtls_gcm_context g;
	mbedtls_gcm_init(&g);
	int rc = mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 256);
	if (rc == 0)
		rc = mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, nonce, NONCE_LEN, ad, adlen, in, out, TAG_LEN, tag);
	mbedtls_gcm_free(&g);
	return rc == 0 ? 0 : VOCD_EINTERNAL;
}

static int gcm_decrypt(const unsigned char key[32], const unsigned char *nonce, const unsigned char *ad, size_t adlen,
                       const unsigned char *in, size_t n, const unsigned char *tag, unsigned char *out)
{
	mbedtls_gcm_context g;
	mbedtls_gcm_init(&g);
	int rc = mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 256);
	if (rc == 0)
		rc = mbedtls_gcm_auth_decrypt(&g, n, nonce, NONCE_LEN, ad, adlen, tag, TAG_LEN, in, out);
	mbedtls_gcm_free(&g);
	if (rc == MBEDTLS_ERR_GCM_AUTH_FAILED) {
		mbedtls_platform_zeroize(out, n);
		return VOCD_EAUTH;
	}
	return rc == 0 ? 0 : VOCD_EINTERNAL;
}

/* ---- Master key file ---------------------------------------------------------------------------- */

/* mkdir -p of the parent directories of path, mode 0700 for the ones created. */
static int make_parents(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return VOCD_ENOMEM;
	int rc = 0;
	for (char *s = dir + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			vocd_error("pii: cannot create directory %s for the master key: %s", dir, strerror(errno));
			rc = VOCD_EIO;
		}
		*s = '/';
	}
	free(dir);
	return rc;
}

static int sync_parent(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return VOCD_ENOMEM;
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 && fsync(fd) == 0 ? 0 : VOCD_EIO;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int vocd_pii_init_key(const char *path)
{
	if (!path || !*path)
		return VOCD_EINVAL;
	int rc = make_parents(path);
	if (rc != 0)
		return rc;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST) {
			vocd_error("pii: master key file %s already exists; it is never overwritten (that would make "
			           "all encrypted personal data unreadable)", path);
			return VOCD_EEXIST;
		}
		vocd_error("pii: cannot create master key file %s: %s", path, strerror(errno));
		return VOCD_EIO;
	}
	unsigned char key[VOCD_PII_KEY_LEN];
	rc = vocd_random_bytes(key, sizeof key);
	if (rc == 0 && fchmod(fd, 0600) != 0) /* whatever the umask did */
		rc = VOCD_EIO;
	size_t done = 0;
	while (rc == 0 && done < sizeof key) {
		ssize_t w = write(fd, key + done, sizeof key - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = VOCD_EIO;
		else
			done += (size_t)w;
	}
	mbedtls_platform_zeroize(key, sizeof key);
	if (rc == 0 && fsync(fd) != 0)
		rc = VOCD_EIO;
	if (close(fd) != 0 && rc == 0)
		rc = VOCD_EIO;
	if (rc == 0)
		rc = sync_parent(path);
	if (rc != 0) {
		vocd_error("pii: writing master key file %s failed: %s", path, strerror(errno));
		unlink(path);
	}
	return rc;
}

int vocd_pii_open(vocd_pii **out, const char *key_path)
{
	*out = NULL;
	if (!key_path || !*key_path)
		return VOCD_EINVAL;
	int fd = open(key_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			vocd_error("pii: master key file %s does not exist (vocd init creates it)", key_path);
			return VOCD_ENOTFOUND;
		}
		vocd_error("pii: cannot open master key file %s: %s", key_path, strerror(errno));
		return VOCD_EIO;
	}
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) != 0) {
		vocd_error("pii: cannot stat master key file %s: %s", key_path, strerror(errno));
		rc = VOCD_EIO;
	} else if (!S_ISREG(sb.st_mode)) {
		vocd_error("pii: master key file %s is not a regular file", key_path);
		rc = VOCD_ECONFIG;
	} else if (sb.st_mode & 077) {
		vocd_error("pii: master key file %s has mode %03o: group or others may access it; refusing to use "
		           "it (chmod 600 %s, and consider the key exposed)", key_path, (unsigned)(sb.st_mode & 0777),
		           key_path);
		rc = VOCD_ECONFIG;
	} else if (sb.st_size != VOCD_PII_KEY_LEN) {
		vocd_error("pii: master key file %s has %lld bytes, expected exactly %d: not a vocd master key",
		           key_path, (long long)sb.st_size, VOCD_PII_KEY_LEN);
		rc = VOCD_ECONFIG;
	}
	unsigned char master[VOCD_PII_KEY_LEN];
	size_t got = 0;
	while (rc == 0 && got < sizeof master) {
		ssize_t r = read(fd, master + got, sizeof master - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			vocd_error("pii: cannot read master key file %s", key_path);
			rc = VOCD_EIO;
		} else {
			got += (size_t)r;
		}
	}
	close(fd);
	vocd_pii *p = NULL;
	if (rc == 0 && !(p = calloc(1, sizeof *p)))
		rc = VOCD_ENOMEM;
	if (rc == 0) {
		/* Best effort: keep the derived keys out of swap and core dumps. */
		(void)mlock(p, sizeof *p);
		static const char wrap_label[] = "vocd pii wrap v1", blind_label[] = "vocd pii blind index v1",
		                  derive_label[] = "vocd tenant keys v1";
		rc = hmac2(master, sizeof master, wrap_label, sizeof wrap_label, NULL, 0, p->wrap_key);
		if (rc == 0)
			rc = hmac2(master, sizeof master, blind_label, sizeof blind_label, NULL, 0, p->blind_root);
		if (rc == 0)
			rc = hmac2(master, sizeof master, derive_label, sizeof derive_label, NULL, 0, p->derive_root);
		if (rc != 0) {
			vocd_pii_close(p);
			p = NULL;
		}
	}
	mbedtls_platform_zeroize(master, sizeof master);
	*out = p;
	return rc;
}

void vocd_pii_close(vocd_pii *p)
{
	if (!p)
		return;
	mbedtls_platform_zeroize(p, sizeof *p);
	munlock(p, sizeof *p);
	free(p);
}

/* ---- Data keys ---------------------------------------------------------------------------------- */

static const char keyrec_label[] = "vocd pii data key v1";
static const char field_label[] = "vocd pii field v1";

/* The customer's data key and key id. With create, a missing key is made and stored. */
static int data_key(vocd_pii *p, vocd_txn *txn, const char *tenant, const char *customer, int create,
                    unsigned char kid[KID_LEN], unsigned char key[VOCD_PII_KEY_LEN])
{
	unsigned char ad[AD_MAX];
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, tenant, VOCD_PII_KEY_TYPE, customer, &data, &len);
	if (rc == 0) {
		const unsigned char *r = data;
		if (len != KEYREC_LEN || r[0] != KEYREC_VERSION) {
			vocd_error("pii: key record of customer %s in tenant %s is malformed", customer, tenant);
			return VOCD_EAUTH;
		}
		memcpy(kid, r + 1, KID_LEN);
		size_t adlen = build_ad(ad, keyrec_label, tenant, customer, NULL, kid);
		rc = gcm_decrypt(p->wrap_key, r + 1 + KID_LEN, ad, adlen, r + 1 + KID_LEN + NONCE_LEN, VOCD_PII_KEY_LEN,
		                 r + 1 + KID_LEN + NONCE_LEN + VOCD_PII_KEY_LEN, key);
		if (rc == VOCD_EAUTH)
			vocd_error("pii: key record of customer %s in tenant %s does not authenticate (altered, moved, "
			           "or another master key)", customer, tenant);
		return rc;
	}
	if (rc != VOCD_ENOTFOUND || !create)
		return rc;

	unsigned char rec[KEYREC_LEN];
	rec[0] = KEYREC_VERSION;
	rc = vocd_random_bytes(rec + 1, KID_LEN + NONCE_LEN);
	if (rc == 0)
		rc = vocd_random_bytes(key, VOCD_PII_KEY_LEN);
	if (rc == 0) {
		memcpy(kid, rec + 1, KID_LEN);
		size_t adlen = build_ad(ad, keyrec_label, tenant, customer, NULL, kid);
		rc = gcm_encrypt(p->wrap_key, rec + 1 + KID_LEN, ad, adlen, key, VOCD_PII_KEY_LEN,
		                 rec + 1 + KID_LEN + NONCE_LEN, rec + 1 + KID_LEN + NONCE_LEN + VOCD_PII_KEY_LEN);
	}
	if (rc == 0)
		rc = vocd_rec_put(txn, tenant, VOCD_PII_KEY_TYPE, customer, rec, sizeof rec, NULL, 0);
	if (rc != 0)
		mbedtls_platform_zeroize(key, VOCD_PII_KEY_LEN);
	return rc;
}

int vocd_pii_forget(vocd_txn *txn, const char *tenant, const char *customer)
{
	if (!txn || !vocd_tenant_id_valid(tenant) || !customer_valid(customer))
		return VOCD_EINVAL;
	return vocd_rec_del(txn, tenant, VOCD_PII_KEY_TYPE, customer);
}

/* ---- Sealing ------------------------------------------------------------------------------------ */

int vocd_pii_seal(vocd_pii *p, vocd_txn *txn, const char *tenant, const char *customer, const char *field,
                  const char *plaintext, char **out)
{
	*out = NULL;
	if (!p || !txn || !plaintext || !vocd_tenant_id_valid(tenant) || !customer_valid(customer) ||
	    !field_valid(field))
		return VOCD_EINVAL;
	size_t n = strlen(plaintext);
	if (n > VOCD_PII_MAX_PLAINTEXT)
		return VOCD_ETOOBIG;

	unsigned char kid[KID_LEN], key[VOCD_PII_KEY_LEN];
	int rc = data_key(p, txn, tenant, customer, 1, kid, key);
	if (rc != 0)
		return rc;
	size_t blen = KID_LEN + NONCE_LEN + n + TAG_LEN;
	unsigned char *bin = malloc(blen);
	char *tok = malloc(sizeof TOKEN_PREFIX + (blen + 2) / 3 * 4);
	if (!bin || !tok) {
		rc = VOCD_ENOMEM;
	} else {
		memcpy(bin, kid, KID_LEN);
		rc = vocd_random_bytes(bin + KID_LEN, NONCE_LEN);
	}
	if (rc == 0) {
		unsigned char ad[AD_MAX];
		size_t adlen = build_ad(ad, field_label, tenant, customer, field, kid);
		rc = gcm_encrypt(key, bin + KID_LEN, ad, adlen, (const unsigned char *)plaintext, n,
		                 bin + KID_LEN + NONCE_LEN, bin + KID_LEN + NONCE_LEN + n);
	}
	mbedtls_platform_zeroize(key, sizeof key);
	if (rc == 0) {
		memcpy(tok, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
		vocd_base64url(bin, blen, tok + sizeof TOKEN_PREFIX - 1);
		*out = tok;
		tok = NULL;
	}
	free(bin); /* ciphertext only: nothing to wipe */
	free(tok);
	return rc;
}

int vocd_pii_open_field(vocd_pii *p, vocd_txn *txn, const char *tenant, const char *customer,
                        const char *field, const char *token, char **out)
{
	*out = NULL;
	if (!p || !txn || !token || !vocd_tenant_id_valid(tenant) || !customer_valid(customer) || !field_valid(field))
		return VOCD_EINVAL;
	size_t plen = sizeof TOKEN_PREFIX - 1;
	if (strncmp(token, TOKEN_PREFIX, plen) != 0)
		return VOCD_EINVAL;
	size_t tlen = strlen(token + plen);
	size_t cap = KID_LEN + NONCE_LEN + VOCD_PII_MAX_PLAINTEXT + TAG_LEN;
	if (tlen > (cap + 2) / 3 * 4)
		return VOCD_EINVAL;
	unsigned char *bin = malloc(cap);
	if (!bin)
		return VOCD_ENOMEM;
	long blen = b64_decode(token + plen, tlen, bin, cap);
	if (blen < KID_LEN + NONCE_LEN + TAG_LEN) {
		free(bin);
		return VOCD_EINVAL;
	}
	size_t n = (size_t)blen - KID_LEN - NONCE_LEN - TAG_LEN;

	unsigned char kid[KID_LEN], key[VOCD_PII_KEY_LEN];
	int rc = data_key(p, txn, tenant, customer, 0, kid, key);
	if (rc == 0 && memcmp(kid, bin, KID_LEN) != 0)
		rc = VOCD_ENOTFOUND; /* sealed under a key this customer no longer has (or never had) */
	char *text = NULL;
	if (rc == 0 && !(text = malloc(n + 1)))
		rc = VOCD_ENOMEM;
	if (rc == 0) {
		unsigned char ad[AD_MAX];
		size_t adlen = build_ad(ad, field_label, tenant, customer, field, kid);
		rc = gcm_decrypt(key, bin + KID_LEN, ad, adlen, bin + KID_LEN + NONCE_LEN, n, bin + KID_LEN + NONCE_LEN + n,
		                 (unsigned char *)text);
	}
	mbedtls_platform_zeroize(key, sizeof key);
	free(bin);
	if (rc != 0) {
		free(text); /* gcm_decrypt wiped it on failure */
		return rc;
	}
	text[n] = '\0';
	if (memchr(text, '\0', n)) { /* authentic but not from vocd_pii_seal(): refuse rather than truncate */
		vocd_pii_free(text);
		return VOCD_EAUTH;
	}
	*out = text;
	return 0;
}

void vocd_pii_free(char *s)
{
	if (!s)
		return;
	mbedtls_platform_zeroize(s, strlen(s));
	free(s);
}

int vocd_pii_blind_index(vocd_pii *p, const char *tenant, const char *field, const char *normalized_value,
                         char out[65])
{
	out[0] = '\0';
	if (!p || !normalized_value || !vocd_tenant_id_valid(tenant) || !field_valid(field))
		return VOCD_EINVAL;
	unsigned char tkey[32], mac[32];
	int rc = hmac2(p->blind_root, sizeof p->blind_root, tenant, strlen(tenant), NULL, 0, tkey);
	if (rc == 0) /* field is [a-z0-9_.-], so "field NUL value" is unambiguous */
		rc = hmac2(tkey, sizeof tkey, field, strlen(field) + 1, normalized_value, strlen(normalized_value), mac);
	mbedtls_platform_zeroize(tkey, sizeof tkey);
	if (rc == 0)
		vocd_hex(mac, sizeof mac, out);
	return rc;
}

int vocd_pii_derive_key(vocd_pii *p, const char *purpose, const char *tenant, unsigned char out[32])
{
	if (!p || !field_valid(purpose) || !vocd_tenant_id_valid(tenant))
		return VOCD_EINVAL;
	/* purpose is [a-z0-9_.-], so "purpose NUL tenant" is unambiguous */
	return hmac2(p->derive_root, sizeof p->derive_root, purpose, strlen(purpose) + 1, tenant, strlen(tenant), out);
}

/* ---- Sealing a tenant's texts ------------------------------------------------------------------- */

#define TEXT_PREFIX "sealed1:"
static const char text_label[] = "vocd sealed text v1";

/* The key of (purpose, tenant) and the additional data binding both. "sealed." keeps these keys apart
 * from vocd_pii_derive_key()'s other purposes. */
static int text_key(vocd_pii *p, const char *purpose, const char *tenant, unsigned char key[32],
                    unsigned char ad[AD_MAX], size_t *adlen)
{
	char what[FIELD_MAX + 1];
	if (!p || !purpose || strlen(purpose) > FIELD_MAX - 7 || !vocd_tenant_id_valid(tenant))
		return VOCD_EINVAL;
	snprintf(what, sizeof what, "sealed.%s", purpose);
	int rc = vocd_pii_derive_key(p, what, tenant, key);
	if (rc != 0)
		return rc;
	size_t o = sizeof text_label;
	memcpy(ad, text_label, o);
	o = ad_put(ad, o, tenant);
	*adlen = ad_put(ad, o, purpose);
	return 0;
}

int vocd_pii_seal_text(vocd_pii *p, const char *purpose, const char *tenant, const char *plaintext, char **out)
{
	*out = NULL;
	unsigned char key[32], ad[AD_MAX];
	size_t adlen = 0;
	int rc = plaintext ? text_key(p, purpose, tenant, key, ad, &adlen) : VOCD_EINVAL;
	if (rc != 0)
		return rc;
	size_t n = strlen(plaintext), blen = NONCE_LEN + n + TAG_LEN;
	unsigned char *bin = malloc(blen);
	char *sealed = malloc(sizeof TEXT_PREFIX + (blen + 2) / 3 * 4);
	if (!bin || !sealed)
		rc = VOCD_ENOMEM;
	if (rc == 0)
		rc = vocd_random_bytes(bin, NONCE_LEN);
	if (rc == 0)
		rc = gcm_encrypt(key, bin, ad, adlen, (const unsigned char *)plaintext, n, bin + NONCE_LEN, bin + NONCE_LEN + n);
	mbedtls_platform_zeroize(key, sizeof key);
	if (rc == 0) {
		memcpy(sealed, TEXT_PREFIX, sizeof TEXT_PREFIX - 1);
		vocd_base64url(bin, blen, sealed + sizeof TEXT_PREFIX - 1);
		*out = sealed;
		sealed = NULL;
	}
	free(bin);
	free(sealed);
	return rc;
}

int vocd_pii_open_text(vocd_pii *p, const char *purpose, const char *tenant, const char *sealed, char **out)
{
	*out = NULL;
	size_t plen = sizeof TEXT_PREFIX - 1;
	if (!sealed || strncmp(sealed, TEXT_PREFIX, plen) != 0)
		return VOCD_EINVAL;
	unsigned char key[32], ad[AD_MAX];
	size_t adlen = 0;
	int rc = text_key(p, purpose, tenant, key, ad, &adlen);
	if (rc != 0)
		return rc;
	size_t tlen = strlen(sealed + plen), cap = tlen / 4 * 3 + 3;
	unsigned char *bin = malloc(cap);
	char *text = NULL;
	long blen = bin ? b64_decode(sealed + plen, tlen, bin, cap) : -1;
	if (!bin)
		rc = VOCD_ENOMEM;
	else if (blen < NONCE_LEN + TAG_LEN)
		rc = VOCD_EINVAL;
	size_t n = rc == 0 ? (size_t)blen - NONCE_LEN - TAG_LEN : 0;
	if (rc == 0 && !(text = malloc(n + 1)))
		rc = VOCD_ENOMEM;
	if (rc == 0)
		rc = gcm_decrypt(key, bin, ad, adlen, bin + NONCE_LEN, n, bin + NONCE_LEN + n, (unsigned char *)text);
	mbedtls_platform_zeroize(key, sizeof key);
	free(bin);
	if (rc != 0) {
		free(text);
		return rc;
	}
	text[n] = '\0';
	if (memchr(text, '\0', n)) { /* authentic but not a text: refuse rather than truncate */
		vocd_pii_free(text);
		return VOCD_EAUTH;
	}
	*out = text;
	return 0;
}

/* ---- Normalising and masking -------------------------------------------------------------------- */

/* Decodes one UTF-8 code point at s (strict: no overlong forms, surrogates or values past U+10FFFF).
 * Returns its length in bytes, 0 on invalid input. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n;
	unsigned c, min;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int is_space_cp(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xa0;
}

static int is_control_cp(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

#define PHONE_IN_MAX 128

int vocd_pii_normalize_phone(const char *in, char **out)
{
	*out = NULL;
	if (!in || strlen(in) > PHONE_IN_MAX)
		return VOCD_EINVAL;
	char d[PHONE_IN_MAX + 1];
	size_t nd = 0;
	int plus = 0;
	const unsigned char *s = (const unsigned char *)in;
	while (*s) {
		unsigned cp;
		size_t l = utf8_next(s, &cp);
		if (l == 0)
			return VOCD_EINVAL;
		s += l;
		if (cp >= 0xff10 && cp <= 0xff19) /* full-width digits */
			cp = '0' + (cp - 0xff10);
		if (cp >= '0' && cp <= '9') {
			d[nd++] = (char)cp;
		} else if (cp == '+' || cp == 0xff0b) {
			if (plus || nd > 0)
				return VOCD_EINVAL;
			plus = 1;
		} else if (!(cp == ' ' || cp == 0x3000 || cp == '\t' || cp == '-' || cp == 0xff0d || cp == '.' ||
		             cp == '(' || cp == ')' || cp == 0xff08 || cp == 0xff09 || cp == '/')) {
			return VOCD_EINVAL;
		}
	}
	d[nd] = '\0';
	char res[PHONE_IN_MAX + 3];
	if (plus) {
		snprintf(res, sizeof res, "%s", d);
	} else if (nd > 2 && d[0] == '0' && d[1] == '0') {
		snprintf(res, sizeof res, "%s", d + 2);
	} else if (nd == 11 && d[0] == '1') {
		snprintf(res, sizeof res, "86%s", d);
	} else if (nd > 1 && d[0] == '0') {
		snprintf(res, sizeof res, "86%s", d + 1);
	} else {
		return VOCD_EINVAL;
	}
	size_t n = strlen(res);
	if (n < 8 || n > 15 || res[0] == '0')
		return VOCD_EINVAL;
	*out = strdup(res);
	mbedtls_platform_zeroize(d, sizeof d);
	mbedtls_platform_zeroize(res, sizeof res);
	return *out ? 0 : VOCD_ENOMEM;
}

int vocd_pii_mask_phone(const char *in, char **out)
{
	*out = NULL;
	char *norm;
	int rc = vocd_pii_normalize_phone(in, &norm);
	if (rc != 0)
		return rc;
	size_t n = strlen(norm);
	char m[32];
	if (n == 13 && norm[0] == '8' && norm[1] == '6' && norm[2] == '1') {
		snprintf(m, sizeof m, "%.3s****%.4s", norm + 2, norm + 9);
	} else {
		size_t o = 0;
		m[o++] = '+';
		m[o++] = norm[0];
		m[o++] = norm[1];
		for (size_t i = 2; i < n - 2; i++)
			m[o++] = '*';
		m[o++] = norm[n - 2];
		m[o++] = norm[n - 1];
		m[o] = '\0';
	}
	vocd_pii_free(norm);
	*out = strdup(m);
	return *out ? 0 : VOCD_ENOMEM;
}

#define EMAIL_MAX 254

static int email_local_char(unsigned cp)
{
	if (cp >= 0x80)
		return 1;
	return cp > 0x20 && cp < 0x7f && !strchr("\"(),:;<>[\\]@", (int)cp);
}

static int email_domain_char(unsigned cp)
{
	return cp >= 0x80 || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
	       cp == '-';
}

int vocd_pii_normalize_email(const char *in, char **out)
{
	*out = NULL;
	if (!in)
		return VOCD_EINVAL;
	while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
		in++;
	size_t n = strlen(in);
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' || in[n - 1] == '\n'))
		n--;
	if (n == 0 || n > EMAIL_MAX)
		return VOCD_EINVAL;
	char buf[EMAIL_MAX + 1];
	memcpy(buf, in, n);
	buf[n] = '\0';
	const char *at = strchr(buf, '@');
	int ok = at && at != buf && !strchr(at + 1, '@');
	/* local part */
	const unsigned char *s = (const unsigned char *)buf;
	while (ok && s < (const unsigned char *)at) {
		unsigned cp;
		size_t l = utf8_next(s, &cp);
		ok = l > 0 && email_local_char(cp) && s + l <= (const unsigned char *)at;
		s += l ? l : 1;
	}
	/* domain: labels separated by single dots, at least two */
	int labels = 0, label_len = 0;
	if (ok)
		s = (const unsigned char *)at + 1;
	while (ok && *s) {
		unsigned cp;
		size_t l = utf8_next(s, &cp);
		if (l == 0) {
			ok = 0;
		} else if (cp == '.') {
			ok = label_len > 0;
			labels++;
			label_len = 0;
		} else {
			ok = email_domain_char(cp);
			label_len++;
		}
		s += l ? l : 1;
	}
	ok = ok && label_len > 0 && labels + 1 >= 2;
	if (!ok) {
		mbedtls_platform_zeroize(buf, sizeof buf);
		return VOCD_EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] - 'A' + 'a');
	*out = strdup(buf);
	mbedtls_platform_zeroize(buf, sizeof buf);
	return *out ? 0 : VOCD_ENOMEM;
}

int vocd_pii_mask_email(const char *in, char **out)
{
	*out = NULL;
	char *norm;
	int rc = vocd_pii_normalize_email(in, &norm);
	if (rc != 0)
		return rc;
	unsigned cp;
	size_t first = utf8_next((const unsigned char *)norm, &cp); /* valid: checked by the normaliser */
	const char *at = strchr(norm, '@');
	size_t n = first + 4 + strlen(at) + 1;
	*out = malloc(n);
	if (*out)
		snprintf(*out, n, "%.*s****%s", (int)first, norm, at);
	vocd_pii_free(norm);
	return *out ? 0 : VOCD_ENOMEM;
}

#define NAME_IN_MAX 1024
#define NAME_MAX_LEN 256

int vocd_pii_normalize_name(const char *in, char **out)
{
	*out = NULL;
	size_t n = in ? strlen(in) : 0;
	if (n == 0 || n > NAME_IN_MAX)
		return VOCD_EINVAL;
	char *buf = malloc(n + 1);
	if (!buf)
		return VOCD_ENOMEM;
	size_t o = 0;
	int pending_space = 0, rc = 0;
	const unsigned char *s = (const unsigned char *)in;
	while (*s && rc == 0) {
		unsigned cp;
		size_t l = utf8_next(s, &cp);
		if (l == 0) {
			rc = VOCD_EINVAL;
		} else if (is_space_cp(cp)) {
			pending_space = o > 0;
		} else if (is_control_cp(cp)) {
			rc = VOCD_EINVAL;
		} else {
			if (pending_space)
				buf[o++] = ' ';
			pending_space = 0;
			memcpy(buf + o, s, l);
			o += l;
		}
		s += l;
	}
	if (rc == 0 && (o == 0 || o > NAME_MAX_LEN))
		rc = VOCD_EINVAL;
	buf[o] = '\0';
	if (rc != 0) {
		mbedtls_platform_zeroize(buf, n + 1);
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

static int name_separator(unsigned cp)
{
	return cp == ' ' || cp == 0xb7 || cp == 0x30fb || cp == '-' || cp == '.';
}

int vocd_pii_mask_name(const char *in, char **out)
{
	*out = NULL;
	char *norm;
	int rc = vocd_pii_normalize_name(in, &norm);
	if (rc != 0)
		return rc;
	size_t n = strlen(norm);
	char *m = malloc(2 * n + 2); /* each part grows by at most one '*' over its byte length */
	if (!m) {
		vocd_pii_free(norm);
		return VOCD_ENOMEM;
	}
	size_t o = 0, in_part = 0; /* code points seen in the current part */
	const unsigned char *s = (const unsigned char *)norm;
	while (1) {
		unsigned cp = 0;
		size_t l = *s ? utf8_next(s, &cp) : 0;
		if (!*s || name_separator(cp)) {
			if (in_part == 1)
				m[o++] = '*';
			in_part = 0;
			if (!*s)
				break;
			memcpy(m + o, s, l);
			o += l;
		} else {
			if (in_part == 0) {
				memcpy(m + o, s, l);
				o += l;
			} else {
				m[o++] = '*';
			}
			in_part++;
		}
		s += l;
	}
	m[o] = '\0';
	vocd_pii_free(norm);
	*out = m;
	return 0;
}

int vocd_pii_mask(const char *field, const char *in, char **out)
{
	if (field && strcmp(field, "phone") == 0)
		return vocd_pii_mask_phone(in, out);
	if (field && strcmp(field, "email") == 0)
		return vocd_pii_mask_email(in, out);
	return vocd_pii_mask_name(in, out);
}

/* Password hashing for staff sign-in. PBKDF2 is what mbedTLS offers for the job; the cost comes from the
 * iteration count, and the comparison runs in constant time. */
#include "password.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>

#include "ids.h"
#include "record.h"

#define SCHEME "pbkdf2-sha256"
#define SALT_LEN 16
#define HASH_LEN 32

const char *vocd_password_unusable(const char *password)
{
	size_t n = password ? strlen(password) : 0;
	if (n < VOCD_PASSWORD_MIN_LEN)
		return "a password has at least 12 characters";
	if (n > VOCD_PASSWORD_MAX_LEN)
		return "a password has at most 256 bytes";
	for (const unsigned char *p = (const unsigned char *)password; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "a password has no control characters";
	return NULL;
}

static int derive(const char *password, const unsigned char *salt, size_t salt_len, unsigned iterations,
                  unsigned char out[HASH_LEN])
{
	mbedtls_md_context_t md;
	mbedtls_md_init(&md);
	int rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (rc == 0)
		rc = mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)password, strlen(password), salt, salt_len,
		                               iterations, HASH_LEN, out);
	mbedtls_md_free(&md);
	return rc;
}

cJSON *vocd_password_hash(const char *password)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salt_hex[2 * SALT_LEN + 1], hash_hex[2 * HASH_LEN + 1];
	if (vocd_random_bytes(salt, sizeof salt) != 0 || derive(password, salt, sizeof salt, VOCD_PASSWORD_ITERATIONS, hash))
		return NULL;
	vocd_hex(salt, sizeof salt, salt_hex);
	vocd_hex(hash, sizeof hash, hash_hex);
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "scheme", SCHEME);
	cJSON_AddNumberToObject(rec, "iterations", VOCD_PASSWORD_ITERATIONS);
	cJSON_AddStringToObject(rec, "salt", salt_hex);
	cJSON_AddStringToObject(rec, "hash", hash_hex);
	return rec;
}

static int unhex(const char *hex, unsigned char *out, size_t n)
{
	if (!hex || strlen(hex) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

int vocd_password_matches(const cJSON *stored, const char *password)
{
	unsigned char salt[SALT_LEN] = {0}, want[HASH_LEN] = {0}, got[HASH_LEN];
	double iterations = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(stored, "iterations"));
	int usable = stored && vocd_json_str(stored, "scheme") && strcmp(vocd_json_str(stored, "scheme"), SCHEME) == 0 &&
	             iterations >= 1 && iterations <= 100000000 && unhex(vocd_json_str(stored, "salt"), salt, SALT_LEN) == 0 &&
	             unhex(vocd_json_str(stored, "hash"), want, HASH_LEN) == 0;
	if (derive(password ? password : "", salt, SALT_LEN, usable ? (unsigned)iterations : VOCD_PASSWORD_ITERATIONS, got))
		return 0;
	unsigned diff = 0;
	for (size_t i = 0; i < HASH_LEN; i++)
		diff |= (unsigned)(got[i] ^ want[i]);
	return usable && diff == 0;
}

/* Invitation tokens: text "<tenant>.<id>.<expiry in Unix seconds>.<base64url MAC>", short enough for an
 * SMS link. The MAC covers the three fields before it, with the separators. */
#include "invite_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "config.h"
#include "error.h"
#include "ids.h"

#define MAC_BYTES 16

static int valid_invitation_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32)
		return 0;
	for (; *s; s++)
		if (!(*s >= '0' && *s <= '9') && !(*s >= 'a' && *s <= 'z'))
			return 0;
	return 1;
}

static int mac(const unsigned char key[32], const char *signed_part, size_t len, char out[32])
{
	unsigned char digest[32];
	if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, 32, (const unsigned char *)signed_part,
	                    len, digest) != 0)
		return VOCD_EINTERNAL;
	vocd_base64url(digest, MAC_BYTES, out);
	return 0;
}

int vocd_invite_token_make(const unsigned char key[32], const struct vocd_invite_claims *c, char *out)
{
	if (!vocd_tenant_id_valid(c->tenant) || !valid_invitation_id(c->invitation) || c->expires_ms < 0)
		return VOCD_EINVAL;
	int n = snprintf(out, VOCD_INVITE_TOKEN_MAX, "%s.%s.%lld.", c->tenant, c->invitation,
	                 (long long)(c->expires_ms / 1000));
	char m[32];
	int rc = mac(key, out, (size_t)n - 1, m);
	if (rc != 0)
		return rc;
	snprintf(out + n, VOCD_INVITE_TOKEN_MAX - (size_t)n, "%s", m);
	return 0;
}

int vocd_invite_token_peek(const char *token, struct vocd_invite_claims *c)
{
	if (!token || strlen(token) >= VOCD_INVITE_TOKEN_MAX)
		return VOCD_EINVAL;
	const char *d1 = strchr(token, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	const char *d3 = d2 ? strchr(d2 + 1, '.') : NULL;
	if (!d3 || strchr(d3 + 1, '.') || d1 - token > 64 || d2 - d1 - 1 > 32 || d3 - d2 - 1 > 12 || d3 - d2 - 1 < 1)
		return VOCD_EINVAL;
	memcpy(c->tenant, token, (size_t)(d1 - token));
	c->tenant[d1 - token] = '\0';
	memcpy(c->invitation, d1 + 1, (size_t)(d2 - d1 - 1));
	c->invitation[d2 - d1 - 1] = '\0';
	long long secs = 0;
	for (const char *p = d2 + 1; p < d3; p++) {
		if (*p < '0' || *p > '9')
			return VOCD_EINVAL;
		secs = secs * 10 + (*p - '0');
	}
	c->expires_ms = (int64_t)secs * 1000;
	if (!vocd_tenant_id_valid(c->tenant) || !valid_invitation_id(c->invitation))
		return VOCD_EINVAL;
	return 0;
}

int vocd_invite_token_check(const unsigned char key[32], const char *token, int64_t now_ms,
                            struct vocd_invite_claims *c)
{
	int rc = vocd_invite_token_peek(token, c);
	if (rc != 0)
		return rc;
	const char *last = strrchr(token, '.');
	char want[32];
	if ((rc = mac(key, token, (size_t)(last - token), want)) != 0)
		return rc;
	const char *got = last + 1;
	size_t wl = strlen(want);
	if (strlen(got) != wl) /* the length is public: only the content is compared in constant time */
		return VOCD_EAUTH;
	unsigned diff = 0;
	for (size_t i = 0; i < wl; i++)
		diff |= (unsigned char)(want[i] ^ got[i]);
	if (diff)
		return VOCD_EAUTH;
	return now_ms >= c->expires_ms ? VOCD_ENOTFOUND : 0;
}

/* Invitation tokens as they arrive in /s/<token>: peek (to find the tenant) and check (MAC, expiry) must
 * refuse anything malformed without reading past it, and a token made from claims that peek accepted
 * must read back as the same claims and check under the same key. */
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "fuzz_util.h"
#include "invite_token.h"

static const unsigned char key[32] = "fuzz key: thirty-two bytes long";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *token = fuzz_string(data, size);
	struct vocd_invite_claims c, back;
	memset(&c, 0x5a, sizeof c); /* garbage first: peek must not rely on a cleared struct */
	int rc = vocd_invite_token_peek(token, &c);
	int checked = vocd_invite_token_check(key, token, 0, &back);
	FUZZ_ASSERT(checked == 0 || checked == VOCD_EINVAL || checked == VOCD_EAUTH || checked == VOCD_ENOTFOUND);
	FUZZ_ASSERT((rc == 0) == (checked != VOCD_EINVAL));
	if (rc == 0) {
		FUZZ_ASSERT(strlen(c.tenant) <= 64 && strlen(c.invitation) <= 32);
		char made[VOCD_INVITE_TOKEN_MAX];
		FUZZ_ASSERT(vocd_invite_token_make(key, &c, made) == 0);
		FUZZ_ASSERT(strlen(made) < VOCD_INVITE_TOKEN_MAX);
		FUZZ_ASSERT(vocd_invite_token_check(key, made, c.expires_ms - 1, &back) == 0);
		FUZZ_ASSERT(strcmp(back.tenant, c.tenant) == 0 && strcmp(back.invitation, c.invitation) == 0);
		FUZZ_ASSERT(back.expires_ms == c.expires_ms);
		FUZZ_ASSERT(vocd_invite_token_check(key, made, c.expires_ms, &back) == VOCD_ENOTFOUND);
	}
	free(token);
	return 0;
}

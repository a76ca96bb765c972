/* Invitation tokens: signed, expiring, bound to their tenant and invitation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "invite_token.h"

static const unsigned char key_a[32] = {1, 2, 3};
static const unsigned char key_b[32] = {9, 9, 9};
static const int64_t now = 1795000000000;

static void make(const char *tenant, const char *id, int64_t exp, char *out)
{
	struct vocd_invite_claims c = {0};
	snprintf(c.tenant, sizeof c.tenant, "%s", tenant);
	snprintf(c.invitation, sizeof c.invitation, "%s", id);
	c.expires_ms = exp;
	assert_int_equal(vocd_invite_token_make(key_a, &c, out), 0);
}

static void round_trip(void **state)
{
	char t[VOCD_INVITE_TOKEN_MAX];
	make("acme", "00000000000000a1", now + 3600000, t);
	struct vocd_invite_claims c;
	assert_int_equal(vocd_invite_token_check(key_a, t, now, &c), 0);
	assert_string_equal(c.tenant, "acme");
	assert_string_equal(c.invitation, "00000000000000a1");
	assert_int_equal(c.expires_ms, (now + 3600000) / 1000 * 1000);
	assert_true(strlen(t) < 80); /* fits an SMS link */
	assert_int_equal(vocd_invite_token_peek(t, &c), 0);
	assert_string_equal(c.tenant, "acme");
}

static void expired_token_is_told_apart(void **state)
{
	char t[VOCD_INVITE_TOKEN_MAX];
	make("acme", "1", now - 1000, t);
	struct vocd_invite_claims c;
	assert_int_equal(vocd_invite_token_check(key_a, t, now, &c), VOCD_ENOTFOUND);
}

static void forged_tokens_are_refused(void **state)
{
	char t[VOCD_INVITE_TOKEN_MAX], forged[VOCD_INVITE_TOKEN_MAX + 8];
	make("acme", "17", now + 3600000, t);
	struct vocd_invite_claims c;
	/* Another tenant's key. */
	assert_int_equal(vocd_invite_token_check(key_b, t, now, &c), VOCD_EAUTH);
	/* Each field changed in turn: tenant, invitation, expiry, MAC. */
	const char *rest = strchr(t, '.');
	snprintf(forged, sizeof forged, "globex%s", rest);
	assert_int_equal(vocd_invite_token_check(key_a, forged, now, &c), VOCD_EAUTH);
	snprintf(forged, sizeof forged, "%s", t);
	forged[strlen("acme.")] = '8';
	assert_int_equal(vocd_invite_token_check(key_a, forged, now, &c), VOCD_EAUTH);
	snprintf(forged, sizeof forged, "%s", t);
	char *exp = strchr(strchr(forged, '.') + 1, '.') + 1;
	exp[0] = exp[0] == '9' ? '8' : '9';
	assert_int_equal(vocd_invite_token_check(key_a, forged, now, &c), VOCD_EAUTH);
	snprintf(forged, sizeof forged, "%s", t);
	forged[strlen(forged) - 1] ^= 1;
	assert_int_equal(vocd_invite_token_check(key_a, forged, now, &c), VOCD_EAUTH);
	snprintf(forged, sizeof forged, "%sA", t);
	assert_int_equal(vocd_invite_token_check(key_a, forged, now, &c), VOCD_EAUTH);
	snprintf(forged, sizeof forged, "%.*s", (int)strlen(t) - 1, t);
	assert_int_equal(vocd_invite_token_check(key_a, forged, now, &c), VOCD_EAUTH);
}

static void garbage_is_not_a_token(void **state)
{
	const char *bad[] = {"", "a", "a.b.c", "acme.1.x.mac", "ACME.1.100.mac", "acme..100.mac", "acme.1.100.mac.x",
	                     "acme.ABC.100.mac", "acme.1..mac", "acme.1.1234567890123.mac", NULL};
	struct vocd_invite_claims c;
	for (const char **b = bad; *b; b++)
		assert_int_equal(vocd_invite_token_check(key_a, *b, now, &c), VOCD_EINVAL);
	assert_int_equal(vocd_invite_token_check(key_a, NULL, now, &c), VOCD_EINVAL);
	char longer[400];
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(vocd_invite_token_check(key_a, longer, now, &c), VOCD_EINVAL);
	struct vocd_invite_claims bad_claims = {"Not Valid", "1", now};
	char out[VOCD_INVITE_TOKEN_MAX];
	assert_int_equal(vocd_invite_token_make(key_a, &bad_claims, out), VOCD_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(expired_token_is_told_apart),
		cmocka_unit_test(forged_tokens_are_refused),
		cmocka_unit_test(garbage_is_not_a_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* API tokens: shown once, stored hashed under their tenant, refused when altered or revoked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store.h"
#include "token.h"

struct fixture {
	char dir[64];
	vocd_store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/vocd-test-token-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	struct vocd_store_opts o = {0};
	o.no_sync = 1;
	assert_int_equal(vocd_store_open(&f->st, f->dir, &o), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vocd_store_close(f->st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc;
}

static void roles_by_name(void **state)
{
	assert_int_equal(vocd_role_parse("admin"), VOCD_ROLE_ADMIN);
	assert_int_equal(vocd_role_parse("integrator"), VOCD_ROLE_INTEGRATOR);
	assert_int_equal(vocd_role_parse("root"), -1);
	assert_int_equal(vocd_role_parse(NULL), -1);
	assert_string_equal(vocd_role_name(VOCD_ROLE_AUDITOR), "auditor");
	assert_string_equal(vocd_role_name(42), "?");
}

static void created_token_verifies_to_its_tenant_and_role(void **state)
{
	struct fixture *f = *state;
	char token[VOCD_TOKEN_MAX];
	struct vocd_token_info made, seen;
	assert_int_equal(vocd_token_create(f->st, "acme", VOCD_ROLE_SUPERVISOR, "desk", token, &made), 0);
	assert_true(strncmp(token, "vt1.acme.", 9) == 0);
	assert_int_equal(vocd_token_verify(f->st, token, &seen), 0);
	assert_string_equal(seen.tenant, "acme");
	assert_string_equal(seen.id, made.id);
	assert_int_equal(seen.role, VOCD_ROLE_SUPERVISOR);

	/* Two tokens never share a secret. */
	char other[VOCD_TOKEN_MAX];
	assert_int_equal(vocd_token_create(f->st, "acme", VOCD_ROLE_SUPERVISOR, NULL, other, NULL), 0);
	assert_string_not_equal(token, other);
}

static void stored_record_holds_no_secret(void **state)
{
	struct fixture *f = *state;
	char token[VOCD_TOKEN_MAX];
	struct vocd_token_info made;
	assert_int_equal(vocd_token_create(f->st, "acme", VOCD_ROLE_ADMIN, NULL, token, &made), 0);
	const char *secret = strrchr(token, '.') + 1;
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	const void *data;
	size_t len;
	assert_int_equal(vocd_rec_get(txn, "acme", "auth.token", made.id, &data, &len), 0);
	char *copy = strndup(data, len);
	vocd_txn_end(txn);
	assert_null(strstr(copy, secret));
	assert_null(strstr(copy, token));
	free(copy);
}

static void altered_tokens_are_refused(void **state)
{
	struct fixture *f = *state;
	char a[VOCD_TOKEN_MAX], b[VOCD_TOKEN_MAX], forged[VOCD_TOKEN_MAX * 2];
	struct vocd_token_info ia, ib, seen;
	assert_int_equal(vocd_token_create(f->st, "acme", VOCD_ROLE_ADMIN, NULL, a, &ia), 0);
	assert_int_equal(vocd_token_create(f->st, "globex", VOCD_ROLE_ADMIN, NULL, b, &ib), 0);

	/* acme's id and secret presented as globex's. */
	snprintf(forged, sizeof forged, "vt1.globex.%s", a + strlen("vt1.acme."));
	assert_int_equal(vocd_token_verify(f->st, forged, &seen), VOCD_EAUTH);
	/* globex's id with acme's secret. */
	snprintf(forged, sizeof forged, "vt1.globex.%s.%s", ib.id, strrchr(a, '.') + 1);
	assert_int_equal(vocd_token_verify(f->st, forged, &seen), VOCD_EAUTH);
	/* One character of the secret changed. */
	snprintf(forged, sizeof forged, "%s", a);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(vocd_token_verify(f->st, forged, &seen), VOCD_EAUTH);
	const char *bad[] = {"", "vt1.", "vt1.acme", "vt2.acme.0123456789abcdef.x", "vt1.ACME.0123456789abcdef.x",
	                     "vt1.acme.0123456789abcdef.tooshort", NULL};
	for (const char **p = bad; *p; p++)
		assert_int_equal(vocd_token_verify(f->st, *p, &seen), VOCD_EAUTH);
	assert_int_equal(vocd_token_verify(f->st, NULL, &seen), VOCD_EAUTH);
}

static void revoked_token_is_refused_and_listing_shows_no_secret(void **state)
{
	struct fixture *f = *state;
	char token[VOCD_TOKEN_MAX];
	struct vocd_token_info made, seen;
	assert_int_equal(vocd_token_create(f->st, "acme", VOCD_ROLE_AGENT, "phone desk", token, &made), 0);
	cJSON *list;
	assert_int_equal(vocd_token_list(f->st, "acme", &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	char *text = cJSON_PrintUnformatted(list);
	assert_non_null(strstr(text, made.id));
	assert_non_null(strstr(text, "phone desk"));
	assert_null(strstr(text, strrchr(token, '.') + 1));
	free(text);
	cJSON_Delete(list);
	assert_int_equal(vocd_token_list(f->st, "globex", &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);

	assert_int_equal(vocd_token_revoke(f->st, "globex", made.id), VOCD_ENOTFOUND);
	assert_int_equal(vocd_token_verify(f->st, token, &seen), 0);
	assert_int_equal(vocd_token_revoke(f->st, "acme", made.id), 0);
	assert_int_equal(vocd_token_verify(f->st, token, &seen), VOCD_EAUTH);
}

static void bad_tenant_or_role_is_refused(void **state)
{
	struct fixture *f = *state;
	char token[VOCD_TOKEN_MAX];
	assert_int_equal(vocd_token_create(f->st, "Bad Tenant", VOCD_ROLE_ADMIN, NULL, token, NULL), VOCD_EINVAL);
	assert_int_equal(vocd_token_create(f->st, "acme", 17, NULL, token, NULL), VOCD_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_by_name),
		cmocka_unit_test_setup_teardown(created_token_verifies_to_its_tenant_and_role, setup, teardown),
		cmocka_unit_test_setup_teardown(stored_record_holds_no_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(altered_tokens_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(revoked_token_is_refused_and_listing_shows_no_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_tenant_or_role_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of core/organisation.c and core/scope.c (who sees which record) and core/password.c: the tree read
 * from its setting with the refusals an admin sees, subtrees, each role's view, and password hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "organisation.h"
#include "password.h"
#include "scope.h"

static const char tree[] = "{\"brand:lumen\": {"
                           "  \"region:east\": {\"store:s-1\": [\"team:care\"], \"dealer:d-01\": {}},"
                           "  \"region:west\": {\"store:s-9\": {}}},"
                           " \"group:other\": [\"team:night\"]}";

static int parse_org(const char *json, struct vocd_organisation *org, char *why, size_t wl)
{
	cJSON *setting = cJSON_Parse(json);
	if (!setting)
		fail_msg("test JSON does not parse: %s", json);
	int rc = vocd_org_parse(setting, org, why, wl);
	cJSON_Delete(setting);
	return rc;
}

static cJSON *context(const char *json)
{
	cJSON *c = cJSON_Parse(json);
	if (!c)
		fail_msg("test JSON does not parse: %s", json);
	return c;
}

static int within(const struct vocd_organisation *org, const char *unit, const char *ctx_json)
{
	cJSON *c = context(ctx_json);
	int r = vocd_org_context_within(org, vocd_org_find(org, unit), c);
	cJSON_Delete(c);
	return r;
}

static void subtrees(void **state)
{
	(void)state;
	struct vocd_organisation org;
	char why[256];
	assert_int_equal(parse_org(tree, &org, why, sizeof why), 0);
	assert_int_equal(org.n, 9);
	assert_true(within(&org, "region:east", "{\"team\": \"care\"}"));
	assert_true(within(&org, "region:east", "{\"dealer\": \"d-01\", \"agent\": \"a-1\"}"));
	assert_true(within(&org, "brand:lumen", "{\"store\": \"s-9\"}"));
	assert_true(within(&org, "store:s-1", "{\"store\": \"s-1\"}"));
	assert_false(within(&org, "region:west", "{\"team\": \"care\"}"));
	assert_false(within(&org, "store:s-1", "{\"region\": \"east\"}")); /* above the unit is not in it */
	assert_false(within(&org, "brand:lumen", "{\"team\": \"night\"}"));
	assert_false(within(&org, "brand:lumen", "{\"store\": \"unknown\"}"));
	assert_false(within(&org, "brand:lumen", "{}"));
	assert_int_equal(vocd_org_find(&org, "store:nowhere"), -1);
	vocd_org_free(&org);
}

/* The units above a context's, as recorded with an answer: \p want is the JSON expected, or NULL. */
static void assert_above(const struct vocd_organisation *org, const char *ctx_json, const char *want)
{
	cJSON *c = context(ctx_json), *got = vocd_org_above(org, c);
	char *text = got ? cJSON_PrintUnformatted(got) : NULL;
	if (want ? !text || strcmp(text, want) != 0 : text != NULL)
		fail_msg("above %s: got %s, expected %s", ctx_json, text ? text : "NULL", want ? want : "NULL");
	free(text);
	cJSON_Delete(got);
	cJSON_Delete(c);
}

static void units_above_a_context(void **state)
{
	(void)state;
	struct vocd_organisation org;
	char why[256];
	assert_int_equal(parse_org(tree, &org, why, sizeof why), 0);
	assert_above(&org, "{\"team\": \"care\"}", "{\"store\":\"s-1\",\"region\":\"east\",\"brand\":\"lumen\"}");
	/* What the context names stays as it is, even where the tree would say otherwise. */
	assert_above(&org, "{\"team\": \"care\", \"store\": \"s-2\"}", "{\"region\":\"east\",\"brand\":\"lumen\"}");
	assert_above(&org, "{\"dealer\": \"d-01\", \"agent\": \"a-1\"}", "{\"region\":\"east\",\"brand\":\"lumen\"}");
	assert_above(&org, "{\"team\": \"night\"}", "{\"group\":\"other\"}");
	assert_above(&org, "{\"brand\": \"lumen\"}", NULL); /* nothing above the top */
	assert_above(&org, "{\"team\": \"unknown\"}", NULL);
	assert_above(&org, "{}", NULL);
	assert_above(NULL, "{\"team\": \"care\"}", NULL);
	vocd_org_free(&org);
}

static void refusals(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"{\"shop:s-1\": {}}", "\"shop:s-1\" is not a unit"},
		{"{\"store:\": {}}", "is not a unit"},
		{"{\"team:a\": {\"store:b\": {}}}", "a store cannot be inside team:a"},
		{"{\"region:a\": {\"region:b\": {}}}", "a region cannot be inside region:a"},
		{"{\"region:a\": [\"store:x\"], \"region:b\": [\"store:x\"]}", "\"store:x\" appears twice"},
		{"{\"region:a\": [5]}", "organisation.region:a[1]: expected a unit"},
		{"{\"region:a\": \"store:x\"}", "organisation.region:a: expected"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_organisation org;
		char why[256] = "";
		assert_int_equal(parse_org(cases[i].json, &org, why, sizeof why), VOCD_ECONFIG);
		if (!strstr(why, cases[i].want))
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].json, why, cases[i].want);
		assert_int_equal(org.n, 0);
	}
}

/* A tenant with the tree above and one person of each kind. */
static void tenant_with(struct vocd_tenant_conf *t)
{
	memset(t, 0, sizeof *t);
	char why[256];
	assert_int_equal(parse_org(tree, &t->org, why, sizeof why), 0);
	cJSON *people = cJSON_Parse("{\"east\": {\"access\": \"supervisor\", \"scope\": \"region:east\"},"
	                            " \"all\": {\"access\": \"supervisor\"},"
	                            " \"a-1\": {\"access\": \"agent\"}}");
	assert_int_equal(vocd_people_parse(people, &t->people, why, sizeof why), 0);
	cJSON_Delete(people);
}

static int sees(const struct vocd_tenant_conf *t, int role, const char *person, const char *rec_json)
{
	struct vocd_token_info who;
	memset(&who, 0, sizeof who);
	who.role = role;
	snprintf(who.person, sizeof who.person, "%s", person);
	cJSON *rec = context(rec_json);
	int r = vocd_scope_sees(t, &who, rec);
	cJSON_Delete(rec);
	return r;
}

static void each_role_sees_its_part(void **state)
{
	(void)state;
	struct vocd_tenant_conf t;
	tenant_with(&t);
	const char *s1 = "{\"context\": {\"store\": \"s-1\", \"agent\": \"a-1\"}}";
	const char *s9 = "{\"context\": {\"store\": \"s-9\", \"agent\": \"a-2\"}, \"assignee\": \"east\"}";
	const char *none = "{\"context\": {}}";
	for (int role = VOCD_ROLE_ADMIN; role <= VOCD_ROLE_INTEGRATOR; role++) {
		if (role == VOCD_ROLE_SUPERVISOR || role == VOCD_ROLE_AGENT)
			continue;
		assert_true(sees(&t, role, "", s1) && sees(&t, role, "", s9) && sees(&t, role, "", none));
	}
	assert_true(sees(&t, VOCD_ROLE_SUPERVISOR, "east", s1));
	assert_true(sees(&t, VOCD_ROLE_SUPERVISOR, "east", s9)); /* assigned to them */
	assert_false(sees(&t, VOCD_ROLE_SUPERVISOR, "east", none));
	assert_true(sees(&t, VOCD_ROLE_SUPERVISOR, "all", none));
	assert_true(sees(&t, VOCD_ROLE_SUPERVISOR, "", none));      /* a supervisor token bound to no one */
	assert_false(sees(&t, VOCD_ROLE_SUPERVISOR, "gone", s1));   /* bound to someone no longer in the file */
	assert_true(sees(&t, VOCD_ROLE_AGENT, "a-1", s1));
	assert_false(sees(&t, VOCD_ROLE_AGENT, "a-1", s9));
	assert_false(sees(&t, VOCD_ROLE_AGENT, "", s1));
	/* An alert a rule told them of, out of their part of the tree. */
	assert_true(sees(&t, VOCD_ROLE_SUPERVISOR, "east", "{\"context\": {\"store\": \"s-9\"}, \"told\": [{\"person\": \"east\"}]}"));
	assert_false(sees(&t, VOCD_ROLE_SUPERVISOR, "east", "{\"context\": {\"store\": \"s-9\"}, \"told\": [{\"person\": \"x\"}]}"));
	vocd_org_free(&t.org);
	vocd_people_free(&t.people);
}

static void passwords(void **state)
{
	(void)state;
	assert_non_null(vocd_password_unusable("short"));
	assert_non_null(vocd_password_unusable("twelve chars\n"));
	assert_null(vocd_password_unusable("十二个字符的中文密码短语"));
	cJSON *h = vocd_password_hash("correct horse battery");
	assert_non_null(h);
	assert_true(vocd_password_matches(h, "correct horse battery"));
	assert_false(vocd_password_matches(h, "correct horse batterx"));
	assert_false(vocd_password_matches(NULL, "correct horse battery"));
	/* A second hash of the same password differs (its own salt). */
	cJSON *h2 = vocd_password_hash("correct horse battery");
	assert_string_not_equal(cJSON_GetStringValue(cJSON_GetObjectItem(h, "hash")),
	                        cJSON_GetStringValue(cJSON_GetObjectItem(h2, "hash")));
	/* A tampered record matches nothing. */
	cJSON_ReplaceItemInObject(h2, "salt", cJSON_CreateString("00"));
	assert_false(vocd_password_matches(h2, "correct horse battery"));
	cJSON_Delete(h);
	cJSON_Delete(h2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subtrees),
		cmocka_unit_test(units_above_a_context),
		cmocka_unit_test(refusals),
		cmocka_unit_test(each_role_sees_its_part),
		cmocka_unit_test(passwords),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

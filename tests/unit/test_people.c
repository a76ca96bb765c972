/* Tests of core/people.c: the tenant's people directory read from its setting, every refusal with the
 * message an admin sees, lookups by id and role, and who manages an agent, team, store or dealer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "people.h"

/* ---- Helpers ------------------------------------------------------------------------------------ */

/* Parses \p json (the setting as config.c hands it over) into \p out; returns the vocd code, the
 * message in \p why. */
static int parse(const char *json, struct vocd_people *out, char *why, size_t wl)
{
	cJSON *setting = json ? cJSON_Parse(json) : NULL;
	if (json && !setting)
		fail_msg("test JSON does not parse: %s", json);
	snprintf(why, wl, "(untouched)");
	int rc = vocd_people_parse(setting, out, why, wl);
	cJSON_Delete(setting);
	return rc;
}

/* A directory like the header's, with two managers of the same store (the first by id wins), a team nobody
 * is named for ("sales", whose members report to wu) and one whose members have no manager ("night"). */
static const char directory[] =
    "{"
    "\"zhou\": {\"name\": \"周敏\", \"roles\": [\"service_director\"], \"phone\": \"13800000001\"},"
    "\"li\": {\"name\": \"李强\", \"roles\": [\"supervisor\", \"qa_lead\"], \"manager\": \"zhou\","
    "         \"manages\": [\"team:care\", \"dealer:d-01\"], \"email\": \"Li.Qiang@Example.COM\", \"lang\": \"en\"},"
    "\"a-17\": {\"name\": \"王芳\", \"team\": \"care\", \"manager\": \"li\"},"
    "\"wu\": {\"roles\": \"account_manager\", \"manages\": \"store:s-1\", \"phone\": \"+44 20 7946 0958\"},"
    "\"b.boss\": {\"manages\": [\"store:s-1\", \"region:east\", \"product_line:suv\"], \"roles\": {}},"
    "\"a-18\": {\"team\": \"sales\", \"manager\": \"wu\"},"
    "\"a-19\": {\"team\": \"sales\", \"manager\": \"wu\"},"
    "\"n-1\": {\"team\": \"night\"}"
    "}";

static int setup_directory(void **state)
{
	struct vocd_people *p = calloc(1, sizeof *p);
	char why[256];
	if (!p || parse(directory, p, why, sizeof why) != 0) {
		fprintf(stderr, "directory refused: %s\n", why);
		free(p);
		return -1;
	}
	*state = p;
	return 0;
}

static int teardown_directory(void **state)
{
	vocd_people_free(*state);
	free(*state);
	return 0;
}

/* ---- Reading the setting ------------------------------------------------------------------------ */

static void a_directory_is_read_sorted_and_normalised(void **state)
{
	const struct vocd_people *p = *state;
	assert_int_equal(p->n, 8);
	/* Sorted by id (byte order), whatever order the file lists them in. */
	static const char *const ids[] = {"a-17", "a-18", "a-19", "b.boss", "li", "n-1", "wu", "zhou"};
	for (size_t i = 0; i < p->n; i++)
		assert_string_equal(p->list[i].id, ids[i]);

	const struct vocd_person *li = vocd_people_find(p, "li");
	assert_non_null(li);
	assert_string_equal(li->name, "李强");
	assert_int_equal(li->nroles, 2);
	assert_string_equal(li->roles[0], "supervisor");
	assert_string_equal(li->roles[1], "qa_lead");
	assert_string_equal(li->manager, "zhou");
	assert_int_equal(li->nmanages, 2);
	assert_string_equal(li->manages[0], "team:care");
	assert_string_equal(li->manages[1], "dealer:d-01");
	assert_string_equal(li->email, "li.qiang@example.com");
	assert_null(li->phone);
	assert_null(li->team);
	assert_string_equal(li->lang, "en");

	/* Phones in international form with a '+', whatever way they were written. */
	assert_string_equal(vocd_people_find(p, "zhou")->phone, "+8613800000001");
	assert_string_equal(vocd_people_find(p, "wu")->phone, "+442079460958");
	assert_null(vocd_people_find(p, "zhou")->email);
	assert_null(vocd_people_find(p, "zhou")->manager);

	/* One role without braces is a list of one; an empty Lua table is no roles. */
	const struct vocd_person *wu = vocd_people_find(p, "wu");
	assert_int_equal(wu->nroles, 1);
	assert_string_equal(wu->roles[0], "account_manager");
	assert_int_equal(wu->nmanages, 1);
	assert_string_equal(wu->manages[0], "store:s-1");
	assert_int_equal(vocd_people_find(p, "b.boss")->nroles, 0);

	const struct vocd_person *a17 = vocd_people_find(p, "a-17");
	assert_string_equal(a17->team, "care");
	assert_null(a17->email);
	assert_null(a17->phone);
	assert_int_equal(a17->nroles, 0);
	assert_int_equal(a17->nmanages, 0);
}

static void no_setting_is_nobody(void **state)
{
	(void)state;
	static const char *const nobody[] = {NULL, "{}"};
	for (size_t i = 0; i < sizeof nobody / sizeof nobody[0]; i++) {
		struct vocd_people p;
		char why[64];
		memset(&p, 0xff, sizeof p); /* parse must set it, not rely on the caller */
		assert_int_equal(parse(nobody[i], &p, why, sizeof why), 0);
		assert_int_equal(p.n, 0);
		assert_null(vocd_people_find(&p, "zhou"));
		assert_null(vocd_people_manager_of(&p, "team", "care"));
		vocd_people_free(&p);
	}
	/* Free and lookups accept NULL. */
	vocd_people_free(NULL);
	assert_null(vocd_people_find(NULL, "zhou"));
	assert_null(vocd_people_manager_of(NULL, "agent", "a-17"));
	assert_false(vocd_person_has_role(NULL, "supervisor"));
}

static void mistakes_are_refused_with_what_was_expected(void **state)
{
	(void)state;
	static const struct {
		const char *json, *why;
	} cases[] = {
	    {"[\"zhou\"]", "people: expected { id = { name = \"…\", roles = { … } }, … }"},
	    {"\"zhou\"", "people: expected { id = { name = \"…\", roles = { … } }, … }"},
	    {"{\"zhou\": \"周敏\"}", "people.zhou: expected { name = \"…\", roles = { … }, team = \"…\", manager = \"…\" }"},
	    /* unknown key */
	    {"{\"li\": {\"nmae\": \"李强\"}}",
	     "people.li: unknown setting 'nmae' (known: name, roles, team, manager, manages, phone, email, lang, access, scope)"},
	    /* ids: a phone number is personal data, not an id; spaces and other signs are not id bytes */
	    {"{\"13800000001\": {}}",
	     "people.13800000001: a person's id is 1-128 of letters, digits and _ . : - (the id an agent has in the "
	     "service context), and not a phone number"},
	    {"{\"+86 138 0000 0001\": {}}",
	     "people.+86 138 0000 0001: a person's id is 1-128 of letters, digits and _ . : - (the id an agent has in "
	     "the service context), and not a phone number"},
	    {"{\"zhou min\": {}}",
	     "people.zhou min: a person's id is 1-128 of letters, digits and _ . : - (the id an agent has in the service "
	     "context), and not a phone number"},
	    {"{\"\": {}}",
	     "people.: a person's id is 1-128 of letters, digits and _ . : - (the id an agent has in the service "
	     "context), and not a phone number"},
	    /* managers */
	    {"{\"zhou\": {}, \"li\": {\"manager\": \"zhuo\"}}", "people.li.manager: \"zhuo\" is not one of the people"},
	    {"{\"li\": {\"manager\": \"li\"}}", "people.li.manager: a person cannot be their own manager"},
	    {"{\"li\": {\"manager\": 3}}", "people.li.manager: expected text of 1 to 128 bytes"},
	    /* roles */
	    {"{\"li\": {\"roles\": [\"Service-Director\"]}}",
	     "people.li.roles[1]: expected role names of a-z, 0-9, _ and - (\"service_director\"), got \"Service-Director\""},
	    {"{\"li\": {\"roles\": [\"supervisor\", 3]}}",
	     "people.li.roles[2]: expected role names of a-z, 0-9, _ and - (\"service_director\")"},
	    {"{\"li\": {\"roles\": [\"\"]}}",
	     "people.li.roles[1]: expected role names of a-z, 0-9, _ and - (\"service_director\"), got \"\""},
	    {"{\"li\": {\"roles\": 5}}",
	     "people.li.roles: expected a list such as { role names of a-z, 0-9, _ and - (\"service_director\") }"},
	    {"{\"li\": {\"roles\": {\"main\": \"supervisor\"}}}",
	     "people.li.roles: expected a list such as { role names of a-z, 0-9, _ and - (\"service_director\") }"},
	    /* manages */
	    {"{\"li\": {\"manages\": [\"team:care\", \"city:shanghai\"]}}",
	     "people.li.manages[2]: expected \"team:NAME\", \"store:ID\", \"dealer:ID\", \"region:NAME\" or "
	     "\"product_line:NAME\", got \"city:shanghai\""},
	    {"{\"li\": {\"manages\": \"care\"}}",
	     "people.li.manages[1]: expected \"team:NAME\", \"store:ID\", \"dealer:ID\", \"region:NAME\" or "
	     "\"product_line:NAME\", got \"care\""},
	    {"{\"li\": {\"manages\": [\"team:\"]}}",
	     "people.li.manages[1]: expected \"team:NAME\", \"store:ID\", \"dealer:ID\", \"region:NAME\" or "
	     "\"product_line:NAME\", got \"team:\""},
	    {"{\"li\": {\"manages\": [\":care\"]}}",
	     "people.li.manages[1]: expected \"team:NAME\", \"store:ID\", \"dealer:ID\", \"region:NAME\" or "
	     "\"product_line:NAME\", got \":care\""},
	    {"{\"li\": {\"manages\": [\"agent:a-17\"]}}",
	     "people.li.manages[1]: expected \"team:NAME\", \"store:ID\", \"dealer:ID\", \"region:NAME\" or "
	     "\"product_line:NAME\", got \"agent:a-17\""},
	    /* contacts */
	    {"{\"li\": {\"phone\": \"12345\"}}",
	     "people.li.phone: not a valid phone number (e.g. 13812345678 or +44 20 7946 0958)"},
	    {"{\"li\": {\"phone\": 13800000001}}", "people.li.phone: expected text of 1 to 40 bytes"},
	    {"{\"li\": {\"email\": \"li@\"}}", "people.li.email: not a valid email address"},
	    {"{\"li\": {\"email\": \"\"}}", "people.li.email: expected text of 1 to 254 bytes"},
	    /* lang */
	    {"{\"li\": {\"lang\": \"fr\"}}", "people.li.lang: expected \"zh-CN\" or \"en\", got \"fr\""},
	    {"{\"li\": {\"lang\": \"zh\"}}", "people.li.lang: expected \"zh-CN\" or \"en\", got \"zh\""},
	    {"{\"li\": {\"lang\": \"english-uk\"}}", "people.li.lang: expected text of 1 to 8 bytes"},
	    /* access: the role they sign in with */
	    {"{\"li\": {\"access\": \"boss\"}}", "people.li.access: expected \"admin\", \"supervisor\", \"agent\", \"auditor\" or \"integrator\" "
	                                            "(what they may do when they sign in)"},
	    {"{\"li\": {\"access\": 1}}", "people.li.access: expected text of 1 to 32 bytes"},
	    /* other texts */
	    {"{\"li\": {\"name\": \"\"}}", "people.li.name: expected text of 1 to 256 bytes"},
	    {"{\"li\": {\"team\": [\"care\"]}}", "people.li.team: expected text of 1 to 128 bytes"},
	};
	int wrong = 0; /* every case is tried, so that one mistake does not hide another */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_people p;
		char why[512];
		int rc = parse(cases[i].json, &p, why, sizeof why);
		if (rc != VOCD_ECONFIG || strcmp(why, cases[i].why) != 0) {
			print_error("%s\n  expected ECONFIG \"%s\"\n  got %d \"%s\"\n", cases[i].json, cases[i].why, rc, why);
			wrong++;
		}
		/* A refused directory is empty, not half-filled. */
		if (rc != 0 && (p.n != 0 || p.list != NULL)) {
			print_error("%s: refused but not empty\n", cases[i].json);
			wrong++;
		}
		if (rc == 0)
			vocd_people_free(&p);
	}
	assert_int_equal(wrong, 0);
}

/* ---- Lookups ------------------------------------------------------------------------------------ */

static void people_are_found_by_id(void **state)
{
	const struct vocd_people *p = *state;
	for (size_t i = 0; i < p->n; i++)
		assert_ptr_equal(vocd_people_find(p, p->list[i].id), &p->list[i]);
	/* Ids compare exactly: no case folding, no prefixes. */
	assert_null(vocd_people_find(p, "Zhou"));
	assert_null(vocd_people_find(p, "zho"));
	assert_null(vocd_people_find(p, "zhou "));
	assert_null(vocd_people_find(p, ""));
	assert_null(vocd_people_find(p, NULL));
}

static void roles(void **state)
{
	const struct vocd_people *p = *state;
	const struct vocd_person *li = vocd_people_find(p, "li");
	assert_true(vocd_person_has_role(li, "supervisor"));
	assert_true(vocd_person_has_role(li, "qa_lead"));
	assert_false(vocd_person_has_role(li, "service_director"));
	assert_false(vocd_person_has_role(li, "super"));
	assert_false(vocd_person_has_role(li, NULL));
	assert_true(vocd_person_has_role(vocd_people_find(p, "zhou"), "service_director"));
	assert_false(vocd_person_has_role(vocd_people_find(p, "a-17"), "supervisor"));
}

static void who_manages_what(void **state)
{
	const struct vocd_people *p = *state;
	static const struct {
		const char *dim, *value, *manager; /* NULL: nobody */
	} cases[] = {
	    /* an agent or person: their own manager */
	    {"agent", "a-17", "li"},
	    {"person", "a-17", "li"},
	    {"agent", "li", "zhou"},
	    {"agent", "zhou", NULL},    /* the top has no manager */
	    {"agent", "a-99", NULL},    /* not one of the people */
	    /* named in `manages` */
	    {"team", "care", "li"},
	    {"dealer", "d-01", "li"},
	    {"dealer", "d-02", NULL},
	    {"store", "s-1", "b.boss"}, /* two name it: the first by id */
	    {"region", "east", "b.boss"},
	    {"product_line", "suv", "b.boss"},
	    {"region", "west", NULL},
	    /* a team nobody is named for: whoever its members report to */
	    {"team", "sales", "wu"},
	    {"team", "night", NULL},    /* its members report to nobody */
	    {"team", "ghosts", NULL},   /* nobody is in it */
	    /* the fallback through members is for teams only */
	    {"dealer", "sales", NULL},
	    /* a value of one dimension does not answer for another */
	    {"store", "care", NULL},
	    {"team", "d-01", NULL},
	    {"team", "care:x", NULL},
	    {"customer", "c-1", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct vocd_person *m = vocd_people_manager_of(p, cases[i].dim, cases[i].value);
		const char *got = m ? m->id : NULL;
		if ((got == NULL) != (cases[i].manager == NULL) || (got && strcmp(got, cases[i].manager) != 0))
			fail_msg("manager_of(%s, %s): expected %s, got %s", cases[i].dim, cases[i].value,
			         cases[i].manager ? cases[i].manager : "nobody", got ? got : "nobody");
	}
	assert_null(vocd_people_manager_of(p, NULL, "care"));
	assert_null(vocd_people_manager_of(p, "team", NULL));
}

static void dimensions_people_can_manage(void **state)
{
	(void)state;
	static const char *const yes[] = {"team", "store", "dealer", "region", "product_line"};
	static const char *const no[] = {"agent", "person", "channel", "Team", "team ", "", NULL};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(vocd_people_dimension_valid(yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_false(vocd_people_dimension_valid(no[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(a_directory_is_read_sorted_and_normalised, setup_directory, teardown_directory),
	    cmocka_unit_test(no_setting_is_nobody),
	    cmocka_unit_test(mistakes_are_refused_with_what_was_expected),
	    cmocka_unit_test_setup_teardown(people_are_found_by_id, setup_directory, teardown_directory),
	    cmocka_unit_test_setup_teardown(roles, setup_directory, teardown_directory),
	    cmocka_unit_test_setup_teardown(who_manages_what, setup_directory, teardown_directory),
	    cmocka_unit_test(dimensions_people_can_manage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

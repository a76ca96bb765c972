/* Tests of core/points.c in a real store: a grant is made once per policy and key, held for a suspect
 * answer until an auditor decides (made when cleared, dropped when confirmed), a deduction only from a
 * ticket that confirmed the complaint, a reversal once and never of a reversal, sums by period, figures
 * without suspect answers; and the Wilson bound and the useful characters of a text (simhash.c) that
 * policies rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "points.h"
#include "review.h"
#include "rollup.h"
#include "simhash.h"
#include "store.h"
#include "ticket.h"

#define TENANT "acme"

struct env {
	char dir[64];
	vocd_store *st;
	struct vocd_tenant_conf conf;
	struct vocd_person people[2];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/vocd-test-points-XXXXXX");
	if (!e || !mkdtemp(e->dir))
		return -1;
	struct vocd_store_opts so = {.no_sync = 1};
	if (vocd_store_open(&e->st, e->dir, &so) != 0)
		return -1;
	e->conf.id = TENANT;
	e->conf.calendar.cal.utc_offset_min = 480;
	e->people[0] = (struct vocd_person){.id = "a-17", .name = "王芳", .team = "care", .access = -1};
	e->people[1] = (struct vocd_person){.id = "b-02", .name = "Lee", .team = "care", .access = -1};
	e->conf.people.list = e->people;
	e->conf.people.n = 2;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	vocd_store_close(e->st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", e->dir);
	int rc = system(cmd);
	free(e);
	return rc;
}

struct put {
	const char *type, *id, *json;
};

static int put_fn(vocd_txn *txn, void *arg)
{
	const struct put *p = arg;
	return vocd_rec_put(txn, TENANT, p->type, p->id, p->json, strlen(p->json), NULL, 0);
}

static void put(struct env *e, const char *type, const char *id, const char *json)
{
	struct put p = {type, id, json};
	assert_int_equal(vocd_store_write(e->st, put_fn, &p), 0);
}

static struct vocd_points_grant grant(struct env *e, const char *person, long long points, const char *evaluation,
                                      const char *ticket, const char *key)
{
	static cJSON *reason;
	if (!reason)
		reason = cJSON_CreateString("test");
	struct vocd_points_grant g = {.tenant = TENANT, .conf = &e->conf, .policy = "incentives/test",
	                              .policy_version = "1.0.0", .person = person, .points = points, .reason = reason,
	                              .evaluation = evaluation, .ticket = ticket, .key = key};
	g.who.actor = (struct vocd_audit_actor){VOCD_AUDIT_ACTOR_SYSTEM, "plugin:incentives/test", NULL};
	return g;
}

static void test_grant_once_per_key(void **state)
{
	struct env *e = *state;
	put(e, VOCD_EVALUATION_TYPE, "e1", "{\"id\":\"e1\",\"scores\":{\"csat\":5}}");
	struct vocd_points_grant g = grant(e, "a-17", 2, "e1", NULL, "good:e1");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_null(g.refused);
	assert_false(g.existed);
	char first[24];
	snprintf(first, sizeof first, "%s", g.id);
	g = grant(e, "a-17", 2, "e1", NULL, "good:e1");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_true(g.existed);
	assert_string_equal(g.id, first);
	/* Another policy may use the same key. */
	g = grant(e, "a-17", 3, "e1", NULL, "good:e1");
	g.policy = "incentives/other";
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_false(g.existed);
	vocd_txn *txn;
	long long sum = 0;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_points_sum(txn, TENANT, "a-17", 0, 0, 99991231, &sum), 0);
	assert_int_equal(sum, 5);
	assert_int_equal(vocd_points_sum(txn, TENANT, "b-02", 0, 0, 99991231, &sum), 0);
	assert_int_equal(sum, 0);
	vocd_txn_end(txn);
}

static int released(struct env *e, const char *evaluation, int cleared)
{
	int n = -1;
	assert_int_equal(vocd_points_release(e->st, TENANT, &e->conf, evaluation, cleared, &n), 0);
	return n;
}

static long long balance(struct env *e, const char *person)
{
	vocd_txn *txn;
	long long sum = 0;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_points_sum(txn, TENANT, person, 0, 0, 99991231, &sum), 0);
	vocd_txn_end(txn);
	return sum;
}

static void test_suspect_answers_are_held_until_an_auditor_decides(void **state)
{
	struct env *e = *state;
	put(e, VOCD_EVALUATION_TYPE, "e2", "{\"id\":\"e2\",\"suspect\":true}");
	struct vocd_points_grant g = grant(e, "a-17", 2, "e2", NULL, "good:e2");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_string_equal(g.refused, "suspect");
	assert_string_equal(g.held_for, "e2");
	assert_string_equal(g.id, "");
	g = grant(e, "a-17", 2, "e2", NULL, "good:e2"); /* the event again: held once */
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_int_equal(balance(e, "a-17"), 0);
	/* Cleared: made as asked, once. */
	put(e, VOCD_REVIEW_TYPE, "e2", "{\"evaluation\":\"e2\",\"decision\":\"cleared\"}");
	assert_int_equal(released(e, "e2", 1), 1);
	assert_int_equal(released(e, "e2", 1), 0);
	assert_int_equal(balance(e, "a-17"), 2);
	/* Asked after the clearing: granted at once, and not twice. */
	g = grant(e, "a-17", 2, "e2", NULL, "good:e2");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_true(g.existed);
	assert_int_equal(balance(e, "a-17"), 2);

	/* Confirmed as fake: what was held is dropped, and nothing is held any more. */
	put(e, VOCD_EVALUATION_TYPE, "e3", "{\"id\":\"e3\",\"suspect\":true}");
	g = grant(e, "a-17", 2, "e3", NULL, "good:e3");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_string_equal(g.held_for, "e3");
	put(e, VOCD_REVIEW_TYPE, "e3", "{\"evaluation\":\"e3\",\"decision\":\"confirmed\"}");
	assert_int_equal(released(e, "e3", 0), 0);
	assert_int_equal(released(e, "e3", 1), 0);
	g = grant(e, "a-17", 2, "e3", NULL, "good:e3");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_string_equal(g.refused, "suspect");
	assert_string_equal(g.held_for, "");
	/* Nor through the ticket a suspect answer opened. */
	put(e, VOCD_TICKET_TYPE, "t3", "{\"id\":\"t3\",\"evaluation\":\"e3\",\"confirmed\":true}");
	g = grant(e, "a-17", -3, NULL, "t3", "complaint:t3");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_string_equal(g.refused, "suspect");
	assert_int_equal(balance(e, "a-17"), 2);

	/* A held deduction is made only if its ticket is still a confirmed complaint when the answer is cleared. */
	put(e, VOCD_EVALUATION_TYPE, "e7", "{\"id\":\"e7\",\"suspect\":true}");
	put(e, VOCD_TICKET_TYPE, "t7", "{\"id\":\"t7\",\"evaluation\":\"e7\",\"confirmed\":true}");
	g = grant(e, "a-17", -3, NULL, "t7", "complaint:t7");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_string_equal(g.held_for, "e7");
	put(e, VOCD_TICKET_TYPE, "t7", "{\"id\":\"t7\",\"evaluation\":\"e7\",\"confirmed\":false}");
	assert_int_equal(released(e, "e7", 1), 0);
	assert_int_equal(balance(e, "a-17"), 2);
}

static void test_deduction_only_for_a_confirmed_complaint(void **state)
{
	struct env *e = *state;
	put(e, VOCD_EVALUATION_TYPE, "e4", "{\"id\":\"e4\",\"scores\":{\"csat\":1}}");
	struct vocd_points_grant g = grant(e, "a-17", -3, "e4", NULL, "bad:e4");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_string_equal(g.refused, "not confirmed"); /* a bad score alone costs nothing */
	put(e, VOCD_TICKET_TYPE, "t4", "{\"id\":\"t4\",\"evaluation\":\"e4\",\"state\":\"resolved\",\"confirmed\":false}");
	g = grant(e, "a-17", -3, NULL, "t4", "complaint:t4");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_string_equal(g.refused, "not confirmed");
	put(e, VOCD_TICKET_TYPE, "t4", "{\"id\":\"t4\",\"evaluation\":\"e4\",\"state\":\"resolved\",\"confirmed\":true}");
	g = grant(e, "a-17", -3, NULL, "t4", "complaint:t4");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	assert_null(g.refused);
	/* What it names must exist. */
	g = grant(e, "a-17", 1, NULL, "t-none", "x");
	assert_int_equal(vocd_points_grant(e->st, &g), VOCD_ENOTFOUND);
	assert_non_null(strstr(g.message, "t-none"));
}

static void test_reversal_once_and_never_of_a_reversal(void **state)
{
	struct env *e = *state;
	put(e, VOCD_EVALUATION_TYPE, "e5", "{\"id\":\"e5\"}");
	struct vocd_points_grant g = grant(e, "b-02", 4, "e5", NULL, "good:e5");
	assert_int_equal(vocd_points_grant(e->st, &g), 0);
	struct vocd_points_reversal r = {.tenant = TENANT, .conf = &e->conf, .id = g.id, .note = ""};
	r.who.actor = (struct vocd_audit_actor){VOCD_AUDIT_ACTOR_TOKEN, "tok1", "supervisor"};
	assert_int_equal(vocd_points_reverse(e->st, &r), VOCD_EINVAL); /* a note is required */
	r.note = "the customer named the wrong agent";
	assert_int_equal(vocd_points_reverse(e->st, &r), 0);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r.entry, "points")), -4);
	assert_string_equal(vocd_json_str(r.entry, "reverses"), g.id);
	assert_string_equal(vocd_json_str(r.entry, "note"), "the customer named the wrong agent");
	char reversal[24];
	snprintf(reversal, sizeof reversal, "%s", vocd_json_str(r.entry, "id"));
	cJSON_Delete(r.entry);
	assert_int_equal(vocd_points_reverse(e->st, &r), VOCD_EEXIST);
	assert_non_null(strstr(r.message, "already been reversed"));
	r.id = reversal;
	assert_int_equal(vocd_points_reverse(e->st, &r), VOCD_EEXIST);
	assert_non_null(strstr(r.message, "itself a reversal"));
	vocd_txn *txn;
	long long sum = -1;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	assert_int_equal(vocd_points_sum(txn, TENANT, "b-02", 0, 0, 99991231, &sum), 0);
	assert_int_equal(sum, 0);
	/* The original entry is unchanged: it is still there with its points. */
	cJSON *orig = NULL;
	assert_int_equal(vocd_points_get(txn, TENANT, g.id, &orig), 0);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(orig, "points")), 4);
	cJSON_Delete(orig);
	vocd_txn_end(txn);
}

struct count {
	const struct vocd_calendar *cal;
	cJSON *ev;
	int suspect;
};

static int count_fn(vocd_txn *txn, void *arg)
{
	struct count *c = arg;
	int rc = vocd_rollup_count(txn, TENANT, c->cal, c->ev, +1);
	return rc == 0 && c->suspect ? vocd_rollup_count_suspect(txn, TENANT, c->cal, c->ev, +1) : rc;
}

static void answer(struct env *e, const char *agent, int csat, int64_t at, int suspect)
{
	char text[256];
	snprintf(text, sizeof text, "{\"scores\":{\"csat\":%d},\"context\":{\"agent\":\"%s\"},\"channel\":\"web\","
	         "\"created_at\":%lld}", csat, agent, (long long)at);
	struct count c = {&e->conf.calendar.cal, cJSON_Parse(text), suspect};
	assert_int_equal(vocd_store_write(e->st, count_fn, &c), 0);
	cJSON_Delete(c.ev);
}

static const cJSON *row_of(const cJSON *rows, const char *person)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, rows) if (strcmp(vocd_json_str(r, "person"), person) == 0) return r;
	return NULL;
}

static double num(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void test_figures_leave_suspect_answers_out(void **state)
{
	struct env *e = *state;
	int64_t nov = 1793808000000LL; /* 2026-11-04 00:00 Beijing is after this instant */
	answer(e, "a-17", 5, nov, 0);
	answer(e, "a-17", 4, nov, 0);
	answer(e, "a-17", 2, nov, 0);
	answer(e, "a-17", 5, nov, 1); /* suspect: not counted */
	answer(e, "x-99", 5, nov, 0); /* an agent who is not among the people */
	vocd_txn *txn;
	cJSON *rows = NULL;
	assert_int_equal(vocd_store_read(e->st, &txn), 0);
	int32_t day = vocd_calendar_day_of(&e->conf.calendar.cal, nov);
	assert_int_equal(vocd_points_figures(txn, TENANT, &e->conf, day, day, &rows), 0);
	vocd_txn_end(txn);
	assert_int_equal(cJSON_GetArraySize(rows), 3);
	const cJSON *a = row_of(rows, "a-17");
	assert_non_null(a);
	assert_int_equal(num(a, "answers"), 3);
	assert_int_equal(num(a, "csat_answers"), 3);
	assert_int_equal(num(a, "csat_good"), 2);
	assert_true(fabs(num(a, "csat_mean") - 11.0 / 3) < 1e-3);
	assert_string_equal(vocd_json_str(a, "team"), "care");
	assert_int_equal(num(row_of(rows, "x-99"), "answers"), 1);
	assert_int_equal(num(row_of(rows, "b-02"), "answers"), 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(row_of(rows, "b-02"), "csat_mean"));
	/* By person id. */
	assert_string_equal(vocd_json_str(cJSON_GetArrayItem(rows, 0), "person"), "a-17");
	assert_string_equal(vocd_json_str(cJSON_GetArrayItem(rows, 2), "person"), "x-99");
	cJSON_Delete(rows);
}

static void test_wilson_lower_bound(void **state)
{
	(void)state;
	assert_true(vocd_wilson_lower(0, 0, 1.96) == 0);
	/* 3 of 3 (0.439) ranks below 290 of 300 (0.940): the point of using the bound. */
	assert_true(fabs(vocd_wilson_lower(3, 3, 1.96) - 0.4385) < 1e-3);
	assert_true(fabs(vocd_wilson_lower(290, 300, 1.96) - 0.9396) < 1e-3);
	assert_true(vocd_wilson_lower(0, 10, 1.96) == 0);
	assert_true(fabs(vocd_wilson_lower(50, 100, 1.96) - 0.4038) < 1e-3);
}

static void test_useful_chars(void **state)
{
	(void)state;
	const struct {
		const char *text;
		size_t n;
	} cases[] = {
		{"", 0},
		{"好好好好好", 2},                    /* padding counts twice at most */
		{"服务很好，谢谢！", 6},              /* punctuation does not count */
		{"Fast and kind.", 11},
		{"aaaaaaaa bbb", 4},
		{"😀😀😀 !!! ...", 0},
		{"退款 3 天到账", 6},
		{"\xff\xfe", 0},                      /* invalid bytes are nothing */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_int_equal(vocd_text_useful_chars(cases[i].text, strlen(cases[i].text)), cases[i].n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grant_once_per_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suspect_answers_are_held_until_an_auditor_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deduction_only_for_a_confirmed_complaint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reversal_once_and_never_of_a_reversal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_figures_leave_suspect_answers_out, setup, teardown),
		cmocka_unit_test(test_wilson_lower_bound),
		cmocka_unit_test(test_useful_chars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

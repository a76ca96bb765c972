/* Privacy rights: anonymising destroys the customer's data key (their sealed values stop opening, the key
 * record is gone), drops personal fields and blind indexes, keeps other records; erasure is idempotent;
 * retention takes only customers past the limit; the access log keeps what it is given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "ids.h"
#include "invitation.h"
#include "pii.h"
#include "privacy.h"
#include "privacy_access.h"
#include "privacy_conf.h"
#include "retention.h"
#include "store.h"

struct fixture {
	char dir[64], data[96], key[128];
	vocd_store *st;
	vocd_pii *p;
};

static const struct vocd_actor tester = {{VOCD_AUDIT_ACTOR_USER, "tester", "admin"}, {NULL, "cli", NULL, NULL}};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/vocd-test-privacy-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->data, sizeof f->data, "%s/data", f->dir);
	snprintf(f->key, sizeof f->key, "%s/keys/master.key", f->dir);
	assert_int_equal(mkdir(f->data, 0700), 0);
	struct vocd_store_opts o = {0};
	o.no_sync = 1;
	assert_int_equal(vocd_store_open(&f->st, f->data, &o), 0);
	assert_int_equal(vocd_pii_init_key(f->key), 0);
	assert_int_equal(vocd_pii_open(&f->p, f->key), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vocd_store_close(f->st);
	vocd_pii_close(f->p);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc;
}

struct upsert_job {
	vocd_pii *p;
	cJSON *customer;
	double created_at; /* > 0: made to look that old */
};

static int upsert_fn(vocd_txn *txn, void *arg)
{
	struct upsert_job *j = arg;
	int rc = vocd_customer_upsert_in(txn, "acme", j->p, j->customer, &tester);
	if (rc != 0 || j->created_at <= 0)
		return rc;
	const char *id = vocd_json_str(j->customer, "external_id");
	cJSON *rec = NULL;
	if ((rc = vocd_record_get(txn, "acme", VOCD_CUSTOMER_TYPE, id, &rec)) != 0)
		return rc;
	vocd_json_set_num(rec, "created_at", j->created_at);
	vocd_json_set_num(rec, "updated_at", j->created_at);
	/* Stored as vocd_customer_upsert_in would, indexes included, only older. */
	char *norm = NULL, bi[65];
	rc = vocd_pii_normalize_phone(vocd_json_str(j->customer, "phone"), &norm);
	if (rc == 0)
		rc = vocd_pii_blind_index(j->p, "acme", "phone", norm, bi);
	vocd_pii_free(norm);
	struct vocd_index_value idx = {"by_phone", bi, 64};
	if (rc == 0)
		rc = vocd_record_put(txn, "acme", VOCD_CUSTOMER_TYPE, id, rec, &idx, 1, "customer.update", &tester, NULL);
	cJSON_Delete(rec);
	return rc;
}

static void add_customer(struct fixture *f, const char *id, const char *phone, double created_at)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "external_id", id);
	cJSON_AddStringToObject(c, "name", "张三丰");
	cJSON_AddStringToObject(c, "phone", phone);
	struct upsert_job j = {f->p, c, created_at};
	assert_int_equal(vocd_store_write(f->st, upsert_fn, &j), 0);
	cJSON_Delete(c);
}

static cJSON *stored(struct fixture *f, const char *id)
{
	cJSON *rec = NULL;
	assert_int_equal(vocd_record_read(f->st, "acme", VOCD_CUSTOMER_TYPE, id, &rec), 0);
	return rec;
}

static int has_key_record(struct fixture *f, const char *id)
{
	vocd_txn *txn;
	const void *data;
	size_t len;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	int rc = vocd_rec_get(txn, "acme", VOCD_PII_KEY_TYPE, id, &data, &len);
	vocd_txn_end(txn);
	return rc == 0;
}

static int opens(struct fixture *f, const char *id, const char *field, const char *token)
{
	vocd_txn *txn;
	char *plain = NULL;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	int rc = vocd_pii_open_field(f->p, txn, "acme", id, field, token, &plain);
	vocd_txn_end(txn);
	vocd_pii_free(plain);
	return rc;
}

static int count_hit(const char *id, const void *data, size_t len, void *arg)
{
	(void)id, (void)data, (void)len;
	(*(int *)arg)++;
	return 0;
}

static int phone_index_hits(struct fixture *f, const char *phone)
{
	char *norm = NULL, bi[65];
	assert_int_equal(vocd_pii_normalize_phone(phone, &norm), 0);
	assert_int_equal(vocd_pii_blind_index(f->p, "acme", "phone", norm, bi), 0);
	vocd_pii_free(norm);
	vocd_txn *txn;
	int hits = 0;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	assert_true(vocd_index_scan(txn, "acme", VOCD_CUSTOMER_TYPE, "by_phone", bi, 64, count_hit, &hits) >= 0);
	vocd_txn_end(txn);
	return hits;
}

static void erasure_destroys_the_key_and_keeps_the_rest(void **state)
{
	struct fixture *f = *state;
	add_customer(f, "c1", "13812345678", 0);
	add_customer(f, "c2", "13987654321", 0);
	cJSON *before = stored(f, "c1");
	char *phone = strdup(vocd_json_str(before, "phone")), *name = strdup(vocd_json_str(before, "name"));
	cJSON_Delete(before);
	assert_int_equal(opens(f, "c1", "phone", phone), 0);
	assert_true(has_key_record(f, "c1"));
	assert_int_equal(phone_index_hits(f, "13812345678"), 1);

	int already = -1;
	assert_int_equal(vocd_customer_erase(f->st, "acme", "c1", "", &tester, &already), VOCD_EINVAL);
	assert_int_equal(vocd_customer_erase(f->st, "acme", "c1", "request 7", &tester, &already), 0);
	assert_int_equal(already, 0);
	/* The key record is gone: the old sealed values no longer open, even with the same master key. */
	assert_false(has_key_record(f, "c1"));
	assert_int_equal(opens(f, "c1", "phone", phone), VOCD_ENOTFOUND);
	assert_int_equal(opens(f, "c1", "name", name), VOCD_ENOTFOUND);
	/* The record keeps no personal field, and the phone finds nobody any more. */
	cJSON *after = stored(f, "c1");
	assert_false(vocd_customer_has_personal_data(after));
	assert_string_equal(vocd_json_str(after, "erase_reason"), "request 7");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(after, "created_at"));
	cJSON_Delete(after);
	assert_int_equal(phone_index_hits(f, "13812345678"), 0);
	/* The other customer is untouched. */
	assert_true(has_key_record(f, "c2"));
	assert_int_equal(phone_index_hits(f, "13987654321"), 1);
	cJSON *u = NULL;
	int n = 0;
	assert_int_equal(vocd_customer_unmasked(f->st, f->p, "acme", "c2", &u, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(vocd_json_str(u, "phone"), "+8613987654321");
	cJSON_Delete(u);
	/* Again: nothing left to erase. */
	assert_int_equal(vocd_customer_erase(f->st, "acme", "c1", "again", &tester, &already), 0);
	assert_int_equal(already, 1);
	after = stored(f, "c1");
	assert_string_equal(vocd_json_str(after, "erase_reason"), "request 7");
	cJSON_Delete(after);
	assert_int_equal(vocd_customer_erase(f->st, "acme", "nobody", "x", &tester, &already), VOCD_ENOTFOUND);
	/* New data after an erasure gets a new key, and can be erased in turn. */
	add_customer(f, "c1", "13800000000", 0);
	assert_true(has_key_record(f, "c1"));
	assert_int_equal(opens(f, "c1", "phone", phone), VOCD_ENOTFOUND);
	assert_int_equal(vocd_customer_erase(f->st, "acme", "c1", "request 8", &tester, &already), 0);
	assert_int_equal(already, 0);
	assert_false(has_key_record(f, "c1"));
	free(phone);
	free(name);
}

static void withdrawal_anonymises_the_same_way(void **state)
{
	struct fixture *f = *state;
	add_customer(f, "c3", "13811110000", 0);
	assert_int_equal(vocd_customer_withdraw(f->st, "acme", "c3", "web", &tester), 0);
	assert_false(has_key_record(f, "c3"));
	assert_int_equal(phone_index_hits(f, "13811110000"), 0);
	cJSON *rec = stored(f, "c3");
	assert_false(vocd_customer_has_personal_data(rec));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(rec, "consent_withdrawn_at"));
	cJSON_Delete(rec);
	cJSON *list = NULL;
	assert_int_equal(vocd_customer_consents(f->st, "acme", "c3", &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(vocd_json_str(cJSON_GetArrayItem(list, 0), "action"), "withdraw");
	cJSON_Delete(list);
	assert_int_equal(vocd_customer_consents(f->st, "acme", "nobody", &list), VOCD_ENOTFOUND);
}

static void retention_takes_only_customers_past_the_limit(void **state)
{
	struct fixture *f = *state;
	double day = 86400000.0, now = (double)vocd_now_ms();
	add_customer(f, "old", "13822220000", now - 40 * day);
	add_customer(f, "recent", "13822221111", now - 10 * day);
	add_customer(f, "fresh", "13822222222", 0);
	size_t count = 99;
	assert_int_equal(vocd_retention_run(f->st, "acme", 0, &tester, 0, &count), VOCD_EINVAL);
	assert_int_equal(vocd_retention_run(f->st, "acme", (int64_t)(30 * day), &tester, 0, &count), 0);
	assert_int_equal(count, 1);
	assert_false(has_key_record(f, "old"));
	assert_true(has_key_record(f, "recent"));
	assert_true(has_key_record(f, "fresh"));
	cJSON *rec = stored(f, "old");
	assert_string_equal(vocd_json_str(rec, "erase_reason"), "retention");
	cJSON_Delete(rec);
	/* Run again: nothing more; each run is kept. */
	assert_int_equal(vocd_retention_run(f->st, "acme", (int64_t)(30 * day), &tester, 0, &count), 0);
	assert_int_equal(count, 0);
	cJSON *run = NULL;
	assert_int_equal(vocd_record_read(f->st, "acme", VOCD_RETENTION_TYPE, "0000000000000001", &run), 0);
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(run, "anonymised")), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(run, "customers"), 0)),
	                    "old");
	cJSON_Delete(run);
	assert_int_equal(vocd_retention_run(f->st, "acme", (int64_t)(5 * day), &tester, 0, &count), 0);
	assert_int_equal(count, 1);
	assert_false(has_key_record(f, "recent"));
	assert_true(has_key_record(f, "fresh"));
}

static void access_log_keeps_who_why_and_how_much(void **state)
{
	struct fixture *f = *state;
	static const char *const fields[] = {"phone", NULL};
	struct vocd_privacy_access a = {"read", "c9", "complaint 12", "GET /api/v1/customers/c9", "zhou", fields, 1, 1};
	char id[24];
	assert_int_equal(vocd_privacy_access_log(f->st, "acme", &a, &tester, id), 0);
	a.action = "export";
	a.reason = NULL;
	a.records = 7;
	assert_int_equal(vocd_privacy_access_log(f->st, "acme", &a, &tester, NULL), 0);
	a.action = "delete";
	assert_int_equal(vocd_privacy_access_log(f->st, "acme", &a, &tester, NULL), VOCD_EINVAL);
	cJSON *list = NULL;
	char next[24];
	assert_int_equal(vocd_privacy_access_list(f->st, "acme", NULL, 1, &list, next), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(next, id);
	const cJSON *e = cJSON_GetArrayItem(list, 0);
	assert_string_equal(vocd_json_str(e, "why"), "complaint 12");
	assert_string_equal(vocd_json_str(cJSON_GetObjectItemCaseSensitive(e, "who"), "person"), "zhou");
	assert_string_equal(vocd_json_str(cJSON_GetObjectItemCaseSensitive(e, "who"), "id"), "tester");
	cJSON_Delete(list);
	assert_int_equal(vocd_privacy_access_list(f->st, "acme", next, 10, &list, next), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	e = cJSON_GetArrayItem(list, 0);
	assert_string_equal(vocd_json_str(e, "action"), "export");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "why")));
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
	                     cJSON_GetObjectItemCaseSensitive(e, "how_much"), "records")), 7);
	assert_string_equal(next, "");
	cJSON_Delete(list);
	/* Other tenants' logs are their own. */
	assert_int_equal(vocd_privacy_access_list(f->st, "globex", NULL, 10, &list, next), 0);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
}

static int conf(const char *json, struct vocd_privacy_conf *out, char *why)
{
	cJSON *setting = json ? cJSON_Parse(json) : NULL;
	int rc = vocd_privacy_conf_parse(setting, out, why, 400);
	cJSON_Delete(setting);
	return rc;
}

static void retention_setting_is_checked(void **state)
{
	(void)state;
	struct vocd_privacy_conf c;
	char why[400] = "";
	assert_int_equal(conf(NULL, &c, why), 0);
	assert_int_equal(c.retention_ms, 0);
	assert_int_equal(conf("{\"retention_days\": 365}", &c, why), 0);
	assert_true(c.retention_ms == 365LL * 86400000);
	assert_int_equal(conf("{\"retention\": \"36h elapsed\"}", &c, why), 0);
	assert_true(c.retention_ms == 36LL * 3600000);
	assert_int_equal(conf("{\"retention_days\": \"a year\"}", &c, why), VOCD_ECONFIG);
	assert_non_null(strstr(why, "privacy.retention_days: expected a whole number of days from 1 to 3660, got \"a year\""));
	assert_int_equal(conf("{\"retention_days\": 0}", &c, why), VOCD_ECONFIG);
	assert_int_equal(conf("{\"retention_days\": 1.5}", &c, why), VOCD_ECONFIG);
	/* Working hours would stop the clock at night: retention counts day and night. */
	assert_int_equal(conf("{\"retention\": \"2h\"}", &c, why), VOCD_ECONFIG);
	assert_non_null(strstr(why, "privacy.retention: expected an elapsed time"));
	assert_int_equal(conf("{\"retention\": \"30 days\", \"retention_days\": 30}", &c, why), VOCD_ECONFIG);
	assert_non_null(strstr(why, "not both"));
	assert_int_equal(conf("{\"keep\": 1}", &c, why), VOCD_ECONFIG);
	assert_non_null(strstr(why, "keep"));
	assert_int_equal(conf("[1]", &c, why), VOCD_ECONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(erasure_destroys_the_key_and_keeps_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(withdrawal_anonymises_the_same_way, setup, teardown),
		cmocka_unit_test_setup_teardown(retention_takes_only_customers_past_the_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(access_log_keeps_who_why_and_how_much, setup, teardown),
		cmocka_unit_test(retention_setting_is_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

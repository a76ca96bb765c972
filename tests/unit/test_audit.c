/* Audit trail: entries appended in write jobs form a hash chain; changing, removing, swapping or adding
 * entries in the LMDB file itself is found by verification, at the entry concerned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mbedtls/sha256.h>

#include "audit.h"
#include "error.h"
#include "store.h"

struct fixture {
	char dir[64];
	vocd_store *st;
};

static void open_store(struct fixture *f)
{
	struct vocd_store_opts o = {0};
	o.no_sync = 1;
	assert_int_equal(vocd_store_open(&f->st, f->dir, &o), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/vocd-test-audit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	open_store(f);
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

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this thread (verification runs in it): the machine's load does not count. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- Appending through write jobs ----------------------------------------------------------------- */

struct job {
	const char *tenant;
	int first, n;   /* entries first .. first+n-1 (numbers used in actor and record ids) */
	int fail_rc;    /* non-zero: the job fails with this code after appending */
	uint64_t *seqs; /* optional: the seqs handed out */
	int64_t time_ms;
	const char *user_agent;
};

static int append_job(vocd_txn *txn, void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < j->n; i++) {
		int k = j->first + i;
		char actor[32], rec[32], change[96];
		snprintf(actor, sizeof actor, "tok-%06d", k);
		snprintf(rec, sizeof rec, "%016d", k);
		snprintf(change, sizeof change, "{\"id\":\"%s\",\"score\":%d}", rec, k % 5 + 1);
		struct vocd_audit_entry e = {
		    .actor = {VOCD_AUDIT_ACTOR_TOKEN, actor, "integrator"},
		    .source = {"203.0.113.7", "api", j->user_agent ? j->user_agent : "curl/8.0", "a1b2c3d4e5f60718"},
		    .time_ms = j->time_ms,
		    .action = "service_event.create",
		    .record_type = "service_event",
		    .record_id = rec,
		    .change = change,
		    .change_len = strlen(change),
		};
		uint64_t seq;
		int rc = vocd_audit_append(txn, j->tenant, &e, &seq);
		if (rc != 0)
			return rc;
		if (j->seqs)
			j->seqs[i] = seq;
	}
	return j->fail_rc;
}

static void append_n(vocd_store *st, const char *tenant, int first, int n)
{
	/* Jobs of up to 1000 entries, so big chains do not make one huge transaction. */
	for (int done = 0; done < n;) {
		struct job j = {.tenant = tenant, .first = first + done, .n = n - done < 1000 ? n - done : 1000};
		assert_int_equal(vocd_store_write(st, append_job, &j), 0);
		done += j.n;
	}
}

static struct vocd_audit_report verify(vocd_store *st, const char *tenant)
{
	struct vocd_audit_report r;
	assert_int_equal(vocd_audit_verify(st, tenant, &r), 0);
	if (!r.ok)
		printf("    verify %s: %s\n", tenant, r.reason);
	return r;
}

static void assert_ok(vocd_store *st, const char *tenant, uint64_t entries)
{
	struct vocd_audit_report r = verify(st, tenant);
	assert_true(r.ok);
	assert_int_equal(r.checked, entries);
	assert_int_equal(r.head_seq, entries);
	assert_string_equal(r.reason, "");
}

static void assert_bad(vocd_store *st, const char *tenant, uint64_t bad_seq, const char *reason)
{
	struct vocd_audit_report r = verify(st, tenant);
	assert_false(r.ok);
	assert_int_equal(r.bad_seq, bad_seq);
	assert_string_equal(r.reason, reason);
}

/* ---- Raw LMDB access, as someone holding the data file would do it ----------------------------------
 * store.c's layout: named database "rec", key tenant \0 type \0 id, value u32 hlen, index header, bytes. */

struct raw {
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
};

static void raw_open(struct fixture *f, struct raw *r)
{
	vocd_store_close(f->st);
	f->st = NULL;
	assert_int_equal(mdb_env_create(&r->env), 0);
	assert_int_equal(mdb_env_set_maxdbs(r->env, 8), 0);
	assert_int_equal(mdb_env_open(r->env, f->dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(r->env, NULL, 0, &r->txn), 0);
	assert_int_equal(mdb_dbi_open(r->txn, "rec", 0, &r->dbi), 0);
}

static void raw_close(struct fixture *f, struct raw *r)
{
	assert_int_equal(mdb_txn_commit(r->txn), 0);
	mdb_env_close(r->env);
	open_store(f);
}

static MDB_val raw_key(char *buf, size_t cap, const char *tenant, const char *type, const char *id)
{
	size_t tl = strlen(tenant), yl = strlen(type), dl = strlen(id);
	assert_true(tl + yl + dl + 2 <= cap);
	memcpy(buf, tenant, tl + 1);
	memcpy(buf + tl + 1, type, yl + 1);
	memcpy(buf + tl + yl + 2, id, dl);
	MDB_val k = {tl + yl + 2 + dl, buf};
	return k;
}

static void entry_id(char id[21], uint64_t seq)
{
	snprintf(id, 21, "%020llu", (unsigned long long)seq);
}

/* A copy of the stored value (with store.c's header); caller frees. */
static unsigned char *raw_get(struct raw *r, const char *tenant, const char *type, const char *id, size_t *len)
{
	char kb[256];
	MDB_val k = raw_key(kb, sizeof kb, tenant, type, id), v;
	assert_int_equal(mdb_get(r->txn, r->dbi, &k, &v), 0);
	unsigned char *copy = malloc(v.mv_size + 1);
	memcpy(copy, v.mv_data, v.mv_size);
	copy[v.mv_size] = 0;
	*len = v.mv_size;
	return copy;
}

static void raw_put(struct raw *r, const char *tenant, const char *type, const char *id, const void *data,
                    size_t len)
{
	char kb[256];
	MDB_val k = raw_key(kb, sizeof kb, tenant, type, id), v = {len, (void *)data};
	assert_int_equal(mdb_put(r->txn, r->dbi, &k, &v, 0), 0);
}

static void raw_del(struct raw *r, const char *tenant, const char *type, const char *id)
{
	char kb[256];
	MDB_val k = raw_key(kb, sizeof kb, tenant, type, id);
	assert_int_equal(mdb_del(r->txn, r->dbi, &k, NULL), 0);
}

/* The entry JSON inside a stored value: after the u32 header length (0: audit records have no index). */
static char *value_json(unsigned char *val, size_t len)
{
	uint32_t h;
	memcpy(&h, val, 4);
	assert_int_equal(h, 0);
	assert_true(len > 4);
	return (char *)val + 4;
}

/* Changes one byte of an entry's value in the file: the first byte of \p needle in it. */
static void raw_flip(struct fixture *f, const char *tenant, uint64_t seq, const char *needle, char to)
{
	struct raw r;
	char id[21];
	raw_open(f, &r);
	entry_id(id, seq);
	size_t len;
	unsigned char *val = raw_get(&r, tenant, "audit", id, &len);
	char *p = memmem(val, len, needle, strlen(needle));
	assert_non_null(p);
	*p = to;
	raw_put(&r, tenant, "audit", id, val, len);
	free(val);
	raw_close(f, &r);
}

/* ---- The documented hash encoding, written again from audit.h's description ----------------------- */

static void sha_str(mbedtls_sha256_context *c, const cJSON *obj, const char *name)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, name);
	const char *v = cJSON_IsString(s) ? s->valuestring : "";
	size_t n = strlen(v);
	unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	                        (unsigned char)n};
	mbedtls_sha256_update_ret(c, len, 4);
	mbedtls_sha256_update_ret(c, (const unsigned char *)v, n);
}

static void sha_u64(mbedtls_sha256_context *c, uint64_t v)
{
	unsigned char b[8];
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)v;
	mbedtls_sha256_update_ret(c, b, 8);
}

static void sha_hex(mbedtls_sha256_context *c, const cJSON *obj, const char *name)
{
	const char *h = cJSON_GetObjectItemCaseSensitive(obj, name)->valuestring;
	unsigned char b[32];
	assert_int_equal(strlen(h), 64);
	for (int i = 0; i < 32; i++) {
		unsigned v;
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		b[i] = (unsigned char)v;
	}
	mbedtls_sha256_update_ret(c, b, 32);
}

/* Hex hash of an entry JSON, per audit.h. */
static void documented_hash(const char *tenant, const cJSON *e, char out[65])
{
	mbedtls_sha256_context c;
	unsigned char h[32];
	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	mbedtls_sha256_update_ret(&c, (const unsigned char *)"vocd.audit.v1", 13);
	sha_u64(&c, (uint64_t)cJSON_GetObjectItemCaseSensitive(e, "seq")->valuedouble);
	sha_hex(&c, e, "prev");
	sha_u64(&c, (uint64_t)cJSON_GetObjectItemCaseSensitive(e, "time")->valuedouble);
	size_t n = strlen(tenant);
	unsigned char len[4] = {0, 0, 0, (unsigned char)n};
	mbedtls_sha256_update_ret(&c, len, 4);
	mbedtls_sha256_update_ret(&c, (const unsigned char *)tenant, n);
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const cJSON *source = cJSON_GetObjectItemCaseSensitive(e, "source");
	const cJSON *record = cJSON_GetObjectItemCaseSensitive(e, "record");
	sha_str(&c, actor, "kind");
	sha_str(&c, actor, "id");
	sha_str(&c, actor, "role");
	sha_str(&c, source, "ip");
	sha_str(&c, source, "channel");
	sha_str(&c, source, "user_agent");
	sha_str(&c, source, "token");
	sha_str(&c, e, "action");
	sha_str(&c, record, "type");
	sha_str(&c, record, "id");
	sha_hex(&c, e, "digest");
	mbedtls_sha256_finish_ret(&c, h);
	mbedtls_sha256_free(&c);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* ---- Tests -------------------------------------------------------------------------------------------- */

static void actor_kinds_by_name(void **state)
{
	assert_string_equal(vocd_audit_actor_kind_name(VOCD_AUDIT_ACTOR_CUSTOMER), "customer");
	assert_int_equal(vocd_audit_actor_kind_parse("system"), VOCD_AUDIT_ACTOR_SYSTEM);
	assert_int_equal(vocd_audit_actor_kind_parse("user"), VOCD_AUDIT_ACTOR_USER);
	assert_int_equal(vocd_audit_actor_kind_parse("root"), -1);
	assert_int_equal(vocd_audit_actor_kind_parse(NULL), -1);
	assert_string_equal(vocd_audit_actor_kind_name(9), "?");
}

static void empty_tenant_verifies_with_no_entries(void **state)
{
	struct fixture *f = *state;
	assert_ok(f->st, "acme", 0);
	uint64_t seq = 7;
	char hash[65] = "x";
	assert_int_equal(vocd_audit_head(f->st, "acme", &seq, hash), 0);
	assert_int_equal(seq, 0);
	assert_string_equal(hash, "");
	cJSON *arr;
	assert_int_equal(vocd_audit_list(f->st, "acme", 0, 10, &arr), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 0);
	cJSON_Delete(arr);
	assert_int_equal(vocd_audit_tenants(f->st, &arr), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 0);
	cJSON_Delete(arr);
}

static int append_one(vocd_txn *txn, void *arg)
{
	return vocd_audit_append(txn, "acme", arg, NULL);
}

static void invalid_entries_are_refused(void **state)
{
	struct fixture *f = *state;
	const struct vocd_audit_entry good = {.actor = {VOCD_AUDIT_ACTOR_SYSTEM, "retention", NULL},
	                                      .action = "evaluation.anonymise",
	                                      .record_type = "evaluation",
	                                      .record_id = "e1"};
	char long_id[200];
	memset(long_id, 'x', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = 0;
	struct vocd_audit_entry bad[9];
	for (int i = 0; i < 9; i++)
		bad[i] = good;
	bad[0].actor.kind = 42;
	bad[1].actor.id = NULL;
	bad[2].actor.id = "";
	bad[3].action = NULL;
	bad[4].action = "Evaluation Create"; /* upper case and a space */
	bad[5].record_type = NULL;
	bad[6].record_id = long_id;
	bad[7].change_len = 3; /* with change NULL */
	bad[8].time_ms = -1;
	for (int i = 0; i < 9; i++)
		assert_int_equal(vocd_store_write(f->st, append_one, &bad[i]), VOCD_EINVAL);
	assert_ok(f->st, "acme", 0);
	struct vocd_audit_entry e = good;
	assert_int_equal(vocd_store_write(f->st, append_one, &e), 0);
	assert_ok(f->st, "acme", 1);

	/* Not in a read transaction. */
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	assert_int_equal(vocd_audit_append(txn, "acme", &e, NULL), VOCD_EINVAL);
	vocd_txn_end(txn);
	struct vocd_audit_report r;
	assert_int_equal(vocd_audit_verify(f->st, "", &r), VOCD_EINVAL);
	assert_int_equal(vocd_audit_verify(NULL, "acme", &r), VOCD_EINVAL);
}

static void entries_from_jobs_form_a_verified_chain(void **state)
{
	struct fixture *f = *state;
	uint64_t seqs[10];
	struct job a = {.tenant = "acme", .first = 1, .n = 3, .seqs = seqs, .time_ms = 1700000000123};
	assert_int_equal(vocd_store_write(f->st, append_job, &a), 0);
	struct job b = {.tenant = "acme", .first = 4, .n = 7, .seqs = seqs + 3};
	assert_int_equal(vocd_store_write(f->st, append_job, &b), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(seqs[i], i + 1);
	assert_ok(f->st, "acme", 10);

	uint64_t head;
	char head_hash[65];
	assert_int_equal(vocd_audit_head(f->st, "acme", &head, head_hash), 0);
	assert_int_equal(head, 10);

	cJSON *arr;
	assert_int_equal(vocd_audit_list(f->st, "acme", 0, 0, &arr), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 10);
	char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
	for (int i = 0; i < 10; i++) {
		const cJSON *e = cJSON_GetArrayItem(arr, i);
		assert_int_equal(cJSON_GetObjectItem(e, "seq")->valuedouble, i + 1);
		assert_string_equal(cJSON_GetObjectItem(e, "prev")->valuestring, prev);
		/* The stored hash is the documented encoding's hash. */
		char h[65];
		documented_hash("acme", e, h);
		assert_string_equal(cJSON_GetObjectItem(e, "hash")->valuestring, h);
		strcpy(prev, h);
	}
	assert_string_equal(prev, head_hash);

	/* Every field is kept. */
	const cJSON *e = cJSON_GetArrayItem(arr, 0);
	assert_int_equal(cJSON_GetObjectItem(e, "time")->valuedouble, 1700000000123.0);
	const cJSON *actor = cJSON_GetObjectItem(e, "actor"), *src = cJSON_GetObjectItem(e, "source");
	assert_string_equal(cJSON_GetObjectItem(actor, "kind")->valuestring, "token");
	assert_string_equal(cJSON_GetObjectItem(actor, "id")->valuestring, "tok-000001");
	assert_string_equal(cJSON_GetObjectItem(actor, "role")->valuestring, "integrator");
	assert_string_equal(cJSON_GetObjectItem(src, "ip")->valuestring, "203.0.113.7");
	assert_string_equal(cJSON_GetObjectItem(src, "channel")->valuestring, "api");
	assert_string_equal(cJSON_GetObjectItem(src, "user_agent")->valuestring, "curl/8.0");
	assert_string_equal(cJSON_GetObjectItem(src, "token")->valuestring, "a1b2c3d4e5f60718");
	assert_string_equal(cJSON_GetObjectItem(e, "action")->valuestring, "service_event.create");
	const cJSON *rec = cJSON_GetObjectItem(e, "record");
	assert_string_equal(cJSON_GetObjectItem(rec, "type")->valuestring, "service_event");
	assert_string_equal(cJSON_GetObjectItem(rec, "id")->valuestring, "0000000000000001");
	const char *change = "{\"id\":\"0000000000000001\",\"score\":2}";
	unsigned char d[32];
	char dhex[65];
	mbedtls_sha256_ret((const unsigned char *)change, strlen(change), d, 0);
	for (int i = 0; i < 32; i++)
		snprintf(dhex + 2 * i, 3, "%02x", d[i]);
	assert_string_equal(cJSON_GetObjectItem(e, "digest")->valuestring, dhex);
	/* Entries without a time get the current time. */
	double t = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 5), "time")->valuedouble;
	assert_true(t > (double)time(NULL) * 1000 - 60000 && t < (double)time(NULL) * 1000 + 60000);
	cJSON_Delete(arr);

	/* Paging: after 7, at most 2. */
	assert_int_equal(vocd_audit_list(f->st, "acme", 7, 2, &arr), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "seq")->valuedouble, 8);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 1), "seq")->valuedouble, 9);
	cJSON_Delete(arr);
	assert_int_equal(vocd_audit_list(f->st, "acme", 10, 5, &arr), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 0);
	cJSON_Delete(arr);
	assert_int_equal(vocd_audit_list(f->st, "acme", 0, 1001, &arr), VOCD_EINVAL);
}

static void untrusted_user_agent_is_cleaned(void **state)
{
	struct fixture *f = *state;
	char ua[1200];
	strcpy(ua, "Mozilla\x01\n/5.0 \xff\xfe \xe4\xb8\xad\xe6\x96\x87 \xc0\xaf ");
	size_t n = strlen(ua);
	while (n < sizeof ua - 1)
		ua[n++] = 'a';
	ua[n] = 0;
	struct job j = {.tenant = "acme", .first = 1, .n = 1, .user_agent = ua};
	assert_int_equal(vocd_store_write(f->st, append_job, &j), 0);
	assert_ok(f->st, "acme", 1);
	cJSON *arr;
	assert_int_equal(vocd_audit_list(f->st, "acme", 0, 1, &arr), 0);
	const char *got =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "source"), "user_agent")->valuestring;
	assert_int_equal(strlen(got), 512);
	/* Control bytes and invalid UTF-8 (stray bytes, an overlong "/") become '?'; Chinese text stays. */
	assert_memory_equal(got, "Mozilla??" "/5.0 ?? \xe4\xb8\xad\xe6\x96\x87 ?? a", 28);
	cJSON_Delete(arr);
}

static void failed_job_leaves_no_entry(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 5);
	uint64_t head_before;
	char hash_before[65], hash_after[65];
	assert_int_equal(vocd_audit_head(f->st, "acme", &head_before, hash_before), 0);

	struct job bad = {.tenant = "acme", .first = 6, .n = 3, .fail_rc = VOCD_EUNPROC};
	assert_int_equal(vocd_store_write(f->st, append_job, &bad), VOCD_EUNPROC);
	assert_ok(f->st, "acme", 5);
	uint64_t head_after;
	assert_int_equal(vocd_audit_head(f->st, "acme", &head_after, hash_after), 0);
	assert_int_equal(head_after, head_before);
	assert_string_equal(hash_after, hash_before);

	/* The counter was rolled back with it: the next entry is 6, with no gap. */
	uint64_t seq;
	struct job good = {.tenant = "acme", .first = 6, .n = 1, .seqs = &seq};
	assert_int_equal(vocd_store_write(f->st, append_job, &good), 0);
	assert_int_equal(seq, 6);
	assert_ok(f->st, "acme", 6);
}

#define THREADS 4
#define PER_THREAD 150

struct worker {
	vocd_store *st;
	int id;
	uint64_t seqs[PER_THREAD];
	int rc;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < PER_THREAD && w->rc == 0; i++) {
		struct job j = {.tenant = "acme", .first = w->id * PER_THREAD + i, .n = 1, .seqs = &w->seqs[i]};
		w->rc = vocd_store_write(w->st, append_job, &j);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void concurrent_writers_and_a_verifier(void **state)
{
	struct fixture *f = *state;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.st = f->st, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	/* Verifying while they append: every snapshot is a valid chain. */
	int rounds = 0;
	double deadline = now_s() + 60;
	for (;;) {
		assert_true(now_s() < deadline);
		struct vocd_audit_report r = verify(f->st, "acme");
		assert_true(r.ok);
		assert_int_equal(r.checked, r.head_seq);
		rounds++;
		if (r.checked == THREADS * PER_THREAD)
			break;
	}
	static uint64_t all[THREADS * PER_THREAD];
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].rc, 0);
		/* Each thread's entries got strictly increasing seqs. */
		for (int k = 1; k < PER_THREAD; k++)
			assert_true(w[i].seqs[k] > w[i].seqs[k - 1]);
		memcpy(all + i * PER_THREAD, w[i].seqs, sizeof w[i].seqs);
	}
	qsort(all, THREADS * PER_THREAD, sizeof all[0], cmp_u64);
	for (int i = 0; i < THREADS * PER_THREAD; i++)
		assert_int_equal(all[i], i + 1);
	assert_ok(f->st, "acme", THREADS * PER_THREAD);
	printf("    %d verifications ran while %d threads appended\n", rounds, THREADS);
}

static void tenants_have_independent_chains(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 20);
	append_n(f->st, "beta", 1, 5);
	assert_ok(f->st, "acme", 20);
	assert_ok(f->st, "beta", 5);
	cJSON *arr;
	assert_int_equal(vocd_audit_tenants(f->st, &arr), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	assert_string_equal(cJSON_GetArrayItem(arr, 0)->valuestring, "acme");
	assert_string_equal(cJSON_GetArrayItem(arr, 1)->valuestring, "beta");
	cJSON_Delete(arr);

	raw_flip(f, "acme", 3, "tok-000003", 'T');
	assert_bad(f->st, "acme", 3, "entry 3: hash does not match its content");
	assert_ok(f->st, "beta", 5);

	/* Copying beta's entry 2 over acme's entry 2 (same seq, another tenant) is found too. */
	struct raw r;
	raw_open(f, &r);
	size_t len;
	unsigned char *v = raw_get(&r, "beta", "audit", "00000000000000000002", &len);
	raw_put(&r, "acme", "audit", "00000000000000000002", v, len);
	free(v);
	raw_close(f, &r);
	assert_bad(f->st, "acme", 2, "entry 2: hash does not match its content");
	assert_ok(f->st, "beta", 5);
}

static void changed_byte_in_file_found_at_that_entry(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 25);
	assert_ok(f->st, "acme", 25);
	raw_flip(f, "acme", 17, "tok-000017", 'X'); /* the actor id */
	struct vocd_audit_report r = verify(f->st, "acme");
	assert_false(r.ok);
	assert_int_equal(r.checked, 16);
	assert_int_equal(r.bad_seq, 17);
	assert_string_equal(r.reason, "entry 17: hash does not match its content");

	cJSON *j;
	assert_int_equal(vocd_audit_report_json("acme", &r, &j), 0);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
	assert_int_equal(cJSON_GetObjectItem(j, "bad_seq")->valuedouble, 17);
	assert_string_equal(cJSON_GetObjectItem(j, "reason")->valuestring, r.reason);
	cJSON_Delete(j);
}

static void other_fields_and_forms_are_covered(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 12);
	/* time, source ip, the action, the digest: each is under the hash. */
	raw_flip(f, "acme", 2, "203.0.113.7", '1');
	assert_bad(f->st, "acme", 2, "entry 2: hash does not match its content");
	struct raw r;
	append_n(f->st, "t2", 1, 12);
	raw_flip(f, "t2", 4, "service_event.create", 'S');
	assert_bad(f->st, "t2", 4, "entry 4: hash does not match its content");

	append_n(f->st, "t3", 1, 12);
	raw_flip(f, "t3", 5, "\"digest\":\"", '\'');
	assert_bad(f->st, "t3", 5, "entry 5: unreadable (not valid JSON)");

	/* A field added to an entry is not covered by the hash: refused as malformed. */
	append_n(f->st, "t4", 1, 12);
	raw_open(f, &r);
	size_t len;
	unsigned char *v = raw_get(&r, "t4", "audit", "00000000000000000006", &len);
	char *json = value_json(v, len);
	cJSON *e = cJSON_Parse(json);
	cJSON_AddStringToObject(e, "note", "approved by the boss");
	char *text = cJSON_PrintUnformatted(e);
	unsigned char *nv = malloc(4 + strlen(text));
	memset(nv, 0, 4);
	memcpy(nv + 4, text, strlen(text));
	raw_put(&r, "t4", "audit", "00000000000000000006", nv, 4 + strlen(text));
	free(nv);
	free(text);
	cJSON_Delete(e);
	free(v);
	raw_close(f, &r);
	assert_bad(f->st, "t4", 6, "entry 6: unreadable (unexpected field \"note\")");

	/* The store's own header damaged: the record cannot even be split into header and entry. */
	append_n(f->st, "t5", 1, 12);
	raw_open(f, &r);
	v = raw_get(&r, "t5", "audit", "00000000000000000009", &len);
	v[1] = 0xff;
	raw_put(&r, "t5", "audit", "00000000000000000009", v, len);
	free(v);
	raw_close(f, &r);
	assert_bad(f->st, "t5", 9, "entry 9 (or a record after entry 8): the stored value is corrupt");
}

static void rewritten_entry_breaks_the_next_link(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 30);
	/* Someone changes entry 20 and recomputes its hash with the documented encoding. */
	struct raw r;
	raw_open(f, &r);
	size_t len;
	unsigned char *v = raw_get(&r, "acme", "audit", "00000000000000000020", &len);
	cJSON *e = cJSON_Parse(value_json(v, len));
	cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "actor"), "id"), "someone-else");
	char h[65];
	documented_hash("acme", e, h);
	cJSON_SetValuestring(cJSON_GetObjectItem(e, "hash"), h);
	char *text = cJSON_PrintUnformatted(e);
	unsigned char *nv = calloc(1, 4 + strlen(text));
	memcpy(nv + 4, text, strlen(text));
	raw_put(&r, "acme", "audit", "00000000000000000020", nv, 4 + strlen(text));
	free(nv);
	free(text);
	cJSON_Delete(e);
	free(v);
	raw_close(f, &r);
	struct vocd_audit_report rep = verify(f->st, "acme");
	assert_false(rep.ok);
	assert_int_equal(rep.checked, 20);
	assert_int_equal(rep.bad_seq, 21);
	assert_string_equal(rep.reason, "entry 21: previous hash does not match entry 20");
}

static void removed_entries_are_gaps(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 25);
	struct raw r;
	raw_open(f, &r);
	raw_del(&r, "acme", "audit", "00000000000000000018");
	raw_close(f, &r);
	assert_bad(f->st, "acme", 18, "entry 18 missing: the sequence jumps from 17 to 19");

	append_n(f->st, "t2", 1, 5);
	raw_open(f, &r);
	raw_del(&r, "t2", "audit", "00000000000000000001");
	raw_close(f, &r);
	assert_bad(f->st, "t2", 1, "entry 1 missing: the sequence starts at 2");

	/* Removing the last entry leaves a valid-looking chain: the head tells. */
	append_n(f->st, "t3", 1, 25);
	raw_open(f, &r);
	raw_del(&r, "t3", "audit", "00000000000000000025");
	raw_close(f, &r);
	assert_bad(f->st, "t3", 25, "head says 25 entries, found 24");

	/* Removing every entry: the head is still there, and the tenant is still listed. */
	append_n(f->st, "t4", 1, 3);
	raw_open(f, &r);
	for (int i = 1; i <= 3; i++) {
		char id[21];
		entry_id(id, (uint64_t)i);
		raw_del(&r, "t4", "audit", id);
	}
	raw_close(f, &r);
	assert_bad(f->st, "t4", 1, "head says 3 entries, found 0");
	cJSON *arr;
	assert_int_equal(vocd_audit_tenants(f->st, &arr), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 4);
	assert_string_equal(cJSON_GetArrayItem(arr, 3)->valuestring, "t4");
	cJSON_Delete(arr);

	/* An entry added past the head (or with a stray id) is found as well. */
	append_n(f->st, "t5", 1, 4);
	raw_open(f, &r);
	size_t len;
	unsigned char *v = raw_get(&r, "t5", "audit", "00000000000000000004", &len);
	raw_put(&r, "t5", "audit", "00000000000000000005", v, len);
	raw_put(&r, "t5", "audit", "000000000000000000035", v, len);
	free(v);
	raw_close(f, &r);
	assert_bad(f->st, "t5", 4, "a record with the unexpected id \"000000000000000000035\" follows entry 3");
	raw_open(f, &r);
	raw_del(&r, "t5", "audit", "000000000000000000035");
	raw_close(f, &r);
	assert_bad(f->st, "t5", 5, "entry 5: its content is that of entry 4 (moved or swapped)");
}

static void changed_head_is_found_and_stops_appends(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 10);
	struct raw r;
	size_t len;
	raw_open(f, &r);
	unsigned char *head = raw_get(&r, "acme", "audit.head", "head", &len);
	assert_int_equal(len, 4 + 40);
	unsigned char orig[44];
	memcpy(orig, head, 44);
	head[4 + 8 + 5] ^= 1; /* a bit of the hash */
	raw_put(&r, "acme", "audit.head", "head", head, len);
	raw_close(f, &r);
	assert_bad(f->st, "acme", 0, "chain head hash does not match entry 10");

	raw_open(f, &r);
	memcpy(head, orig, 44);
	head[4 + 7] = 12; /* seq 10 -> 12 */
	raw_put(&r, "acme", "audit.head", "head", head, len);
	raw_close(f, &r);
	assert_bad(f->st, "acme", 11, "head says 12 entries, found 10");
	/* The chain is not extended past a head that does not follow the counter. */
	struct job j = {.tenant = "acme", .first = 11, .n = 1};
	assert_int_equal(vocd_store_write(f->st, append_job, &j), VOCD_EINTERNAL);

	raw_open(f, &r);
	raw_del(&r, "acme", "audit.head", "head");
	raw_close(f, &r);
	assert_bad(f->st, "acme", 0, "chain head missing, found 10 entries");
	assert_int_equal(vocd_store_write(f->st, append_job, &j), VOCD_EINTERNAL);

	raw_open(f, &r);
	raw_put(&r, "acme", "audit.head", "head", orig, 20);
	raw_close(f, &r);
	assert_bad(f->st, "acme", 0, "chain head unreadable (not 40 bytes)");

	/* Put back as it was: all is well again, and appending resumes. */
	raw_open(f, &r);
	raw_put(&r, "acme", "audit.head", "head", orig, 44);
	raw_close(f, &r);
	assert_ok(f->st, "acme", 10);
	assert_int_equal(vocd_store_write(f->st, append_job, &j), 0);
	assert_ok(f->st, "acme", 11);
	free(head);
}

static void swapped_entries_are_found(void **state)
{
	struct fixture *f = *state;
	append_n(f->st, "acme", 1, 10);
	struct raw r;
	size_t l5, l6;
	raw_open(f, &r);
	unsigned char *v5 = raw_get(&r, "acme", "audit", "00000000000000000005", &l5);
	unsigned char *v6 = raw_get(&r, "acme", "audit", "00000000000000000006", &l6);
	raw_put(&r, "acme", "audit", "00000000000000000005", v6, l6);
	raw_put(&r, "acme", "audit", "00000000000000000006", v5, l5);
	raw_close(f, &r);
	assert_bad(f->st, "acme", 5, "entry 5: its content is that of entry 6 (moved or swapped)");

	/* Swapping the contents but keeping each seq number is a hash mismatch. */
	raw_open(f, &r);
	raw_put(&r, "acme", "audit", "00000000000000000005", v5, l5);
	raw_put(&r, "acme", "audit", "00000000000000000006", v6, l6);
	raw_close(f, &r);
	assert_ok(f->st, "acme", 10);
	free(v5);
	free(v6);
	raw_open(f, &r);
	v5 = raw_get(&r, "acme", "audit", "00000000000000000005", &l5);
	v6 = raw_get(&r, "acme", "audit", "00000000000000000006", &l6);
	/* Swap the action-and-record parts: the record ids of 5 and 6 trade places. */
	char *a = memmem(v5, l5, "0000000000000005", 16), *b = memmem(v6, l6, "0000000000000006", 16);
	assert_non_null(a);
	assert_non_null(b);
	a[15] = '6';
	b[15] = '5';
	raw_put(&r, "acme", "audit", "00000000000000000005", v5, l5);
	raw_put(&r, "acme", "audit", "00000000000000000006", v6, l6);
	free(v5);
	free(v6);
	raw_close(f, &r);
	assert_bad(f->st, "acme", 5, "entry 5: hash does not match its content");
}

/* 100,000 entries take ~30 s under ASan on this machine: fewer there. */
#ifdef __SANITIZE_ADDRESS__
#define BIG 20000
#else
#define BIG 100000
#endif

static void long_chain_verifies_and_is_timed(void **state)
{
	struct fixture *f = *state;
	double t0 = now_s();
	append_n(f->st, "acme", 1, BIG);
	double t1 = now_s(), c1 = cpu_s();
	assert_ok(f->st, "acme", BIG);
	double t2 = now_s(), c2 = cpu_s();
	printf("    appended %d entries in %.2f s (%.0f/s, 1000 per job); verified in %.3f s (%.0f entries/s; "
	       "%.3f s of CPU, %.0f entries/s)\n",
	       BIG, t1 - t0, BIG / (t1 - t0), t2 - t1, BIG / (t2 - t1), c2 - c1, BIG / (c2 - c1));

	/* Tampering deep in the chain, past several verification snapshots, is found there. */
	char needle[16];
	snprintf(needle, sizeof needle, "tok-%06d", BIG - 10);
	raw_flip(f, "acme", BIG - 10, needle, 'Z');
	struct vocd_audit_report r = verify(f->st, "acme");
	assert_false(r.ok);
	assert_int_equal(r.bad_seq, BIG - 10);
	assert_int_equal(r.checked, BIG - 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(actor_kinds_by_name),
	    cmocka_unit_test_setup_teardown(empty_tenant_verifies_with_no_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(invalid_entries_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(entries_from_jobs_form_a_verified_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(untrusted_user_agent_is_cleaned, setup, teardown),
	    cmocka_unit_test_setup_teardown(failed_job_leaves_no_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(concurrent_writers_and_a_verifier, setup, teardown),
	    cmocka_unit_test_setup_teardown(tenants_have_independent_chains, setup, teardown),
	    cmocka_unit_test_setup_teardown(changed_byte_in_file_found_at_that_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(other_fields_and_forms_are_covered, setup, teardown),
	    cmocka_unit_test_setup_teardown(rewritten_entry_breaks_the_next_link, setup, teardown),
	    cmocka_unit_test_setup_teardown(removed_entries_are_gaps, setup, teardown),
	    cmocka_unit_test_setup_teardown(changed_head_is_found_and_stops_appends, setup, teardown),
	    cmocka_unit_test_setup_teardown(swapped_entries_are_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(long_chain_verifies_and_is_timed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of core/store.c: records, indexes, tenants, group commit, map growth, full map and disk,
 * stale readers, backup and restore, sync failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <lmdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "store.h"

/* LMDB calls fdatasync() at commit; defining it here takes its place, so a test can make it fail. */
static atomic_int fail_sync;

int fdatasync(int fd)
{
	if (atomic_load(&fail_sync)) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fdatasync, fd);
}

/* ---- Helpers ---------------------------------------------------------------------------------- */

struct fx {
	char dir[64];
	char path[128];
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	strcpy(fx->dir, "/tmp/vocd-test-store-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* "<fixture dir>/<name>" in fx->path. */
static const char *sub(struct fx *fx, const char *name)
{
	snprintf(fx->path, sizeof fx->path, "%s/%s", fx->dir, name);
	return fx->path;
}

static vocd_store *open_store(const char *dir, size_t initial, size_t max, int no_sync)
{
	struct vocd_store_opts o = {.initial_map_size = initial, .max_map_size = max, .no_sync = no_sync};
	vocd_store *st = NULL;
	assert_int_equal(vocd_store_open(&st, dir, &o), 0);
	assert_non_null(st);
	return st;
}

struct put_arg {
	const char *tenant, *type, *id;
	const void *data;
	size_t len;
	const struct vocd_index_value *idx;
	size_t nidx;
	int fail_after; /* return this after writing (0: succeed) */
	int runs;
};

static int job_put(vocd_txn *txn, void *a)
{
	struct put_arg *p = a;
	p->runs++;
	int rc = vocd_rec_put(txn, p->tenant, p->type, p->id, p->data, p->len, p->idx, p->nidx);
	return rc != 0 ? rc : p->fail_after;
}

static int put(vocd_store *st, const char *tenant, const char *type, const char *id, const char *data)
{
	struct put_arg p = {tenant, type, id, data, strlen(data), NULL, 0, 0, 0};
	return vocd_store_write(st, job_put, &p);
}

static int put_idx(vocd_store *st, const char *tenant, const char *type, const char *id, const char *data,
                   const struct vocd_index_value *idx, size_t nidx)
{
	struct put_arg p = {tenant, type, id, data, strlen(data), idx, nidx, 0, 0};
	return vocd_store_write(st, job_put, &p);
}

struct del_arg {
	const char *tenant, *type, *id;
};

static int job_del(vocd_txn *txn, void *a)
{
	struct del_arg *d = a;
	return vocd_rec_del(txn, d->tenant, d->type, d->id);
}

static int del(vocd_store *st, const char *tenant, const char *type, const char *id)
{
	struct del_arg d = {tenant, type, id};
	return vocd_store_write(st, job_del, &d);
}

/* Reads a record as a string into \p buf; returns the vocd code. */
static int get(vocd_store *st, const char *tenant, const char *type, const char *id, char *buf, size_t size)
{
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	assert_int_equal(rc, 0);
	const void *data;
	size_t len;
	rc = vocd_rec_get(txn, tenant, type, id, &data, &len);
	if (rc == 0) {
		assert_true(len < size);
		memcpy(buf, data, len);
		buf[len] = 0;
	}
	vocd_txn_end(txn);
	return rc;
}

static void assert_rec(vocd_store *st, const char *tenant, const char *type, const char *id, const char *want)
{
	char buf[256];
	assert_int_equal(get(st, tenant, type, id, buf, sizeof buf), 0);
	assert_string_equal(buf, want);
}

static void assert_no_rec(vocd_store *st, const char *tenant, const char *type, const char *id)
{
	char buf[256];
	assert_int_equal(get(st, tenant, type, id, buf, sizeof buf), VOCD_ENOTFOUND);
}

/* Visitor collecting "id=data;" (data cut at 32 bytes). */
struct collect {
	char out[2048];
	int n;
	int stop_after;
	int fail_with;
};

static int collect_fn(const char *id, const void *data, size_t len, void *arg)
{
	struct collect *c = arg;
	size_t used = strlen(c->out);
	snprintf(c->out + used, sizeof c->out - used, "%s=%.*s;", id, (int)(len > 32 ? 32 : len),
	         data ? (const char *)data : "");
	c->n++;
	if (c->fail_with != 0)
		return c->fail_with;
	return c->stop_after > 0 && c->n >= c->stop_after ? 1 : 0;
}

static const char *scan(vocd_store *st, const char *tenant, const char *type, const char *from,
                        struct collect *c)
{
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_rec_scan(txn, tenant, type, from, collect_fn, c), 0);
	vocd_txn_end(txn);
	return c->out;
}

static const char *iscan(vocd_store *st, const char *tenant, const char *type, const char *index,
                         const void *prefix, size_t plen, struct collect *c)
{
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_index_scan(txn, tenant, type, index, prefix, plen, collect_fn, c), 0);
	vocd_txn_end(txn);
	return c->out;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- Records, indexes, scans ------------------------------------------------------------------ */

static void test_put_get_replace_del(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	assert_no_rec(st, "t1", "eval", "e1");
	assert_int_equal(put(st, "t1", "eval", "e1", "first"), 0);
	assert_rec(st, "t1", "eval", "e1", "first");
	assert_int_equal(put(st, "t1", "eval", "e1", "second"), 0);
	assert_rec(st, "t1", "eval", "e1", "second");
	assert_int_equal(put(st, "t1", "eval", "e2", ""), 0);
	assert_rec(st, "t1", "eval", "e2", "");
	assert_int_equal(del(st, "t1", "eval", "e1"), 0);
	assert_no_rec(st, "t1", "eval", "e1");
	assert_int_equal(del(st, "t1", "eval", "e1"), VOCD_ENOTFOUND);
	assert_rec(st, "t1", "eval", "e2", "");
	vocd_store_close(st);

	st = open_store(fx->dir, 0, 0, 1); /* survives a reopen */
	assert_rec(st, "t1", "eval", "e2", "");
	assert_no_rec(st, "t1", "eval", "e1");
	vocd_store_close(st);
}

/* A counter changed in place: "ab" turned into "bc" (each byte + 1); the found flag seen is kept. */
struct modify_arg {
	const char *tenant, *id;
	size_t len;
	int found;
};

static void next_bytes(void *data, int found, void *arg)
{
	struct modify_arg *m = arg;
	m->found = found;
	unsigned char *b = data;
	for (size_t i = 0; i < m->len; i++)
		b[i] = found ? (unsigned char)(b[i] + 1) : (unsigned char)('a' + i);
}

static int job_modify(vocd_txn *txn, void *a)
{
	struct modify_arg *m = a;
	return vocd_rec_modify(txn, m->tenant, "count", m->id, m->len, next_bytes, m);
}

static void test_modify_in_place(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	struct modify_arg m = {"t1", "c1", 2, -1};
	assert_int_equal(vocd_store_write(st, job_modify, &m), 0);
	assert_int_equal(m.found, 0);
	assert_rec(st, "t1", "count", "c1", "ab");
	assert_int_equal(vocd_store_write(st, job_modify, &m), 0);
	assert_int_equal(m.found, 1);
	assert_rec(st, "t1", "count", "c1", "bc");
	assert_no_rec(st, "t2", "count", "c1"); /* tenants apart */
	/* A record of another size, or with index entries, is not changed. */
	m.len = 3;
	assert_int_equal(vocd_store_write(st, job_modify, &m), VOCD_EINVAL);
	assert_rec(st, "t1", "count", "c1", "bc");
	struct vocd_index_value idx = {"by", "x", 1};
	struct put_arg p = {"t1", "count", "c2", "xy", 2, &idx, 1, 0, 0};
	assert_int_equal(vocd_store_write(st, job_put, &p), 0);
	m = (struct modify_arg){"t1", "c2", 2, -1};
	assert_int_equal(vocd_store_write(st, job_modify, &m), VOCD_EINVAL);
	assert_rec(st, "t1", "count", "c2", "xy");
	/* Only in a write job, and within 1024 bytes. */
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_rec_modify(txn, "t1", "count", "c1", 2, next_bytes, &m), VOCD_EINVAL);
	vocd_txn_end(txn);
	m = (struct modify_arg){"t1", "c3", 1025, -1};
	assert_int_equal(vocd_store_write(st, job_modify, &m), VOCD_EINVAL);
	vocd_store_close(st);
}

static void test_index_scan(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	struct vocd_index_value alice = {"by_cust", "alice", 5}, bob = {"by_cust", "bob", 3};
	assert_int_equal(put_idx(st, "t", "eval", "r1", "one", &alice, 1), 0);
	assert_int_equal(put_idx(st, "t", "eval", "r2", "two", &bob, 1), 0);
	assert_int_equal(put_idx(st, "t", "eval", "r3", "three", &alice, 1), 0);

	struct collect c = {0};
	assert_string_equal(iscan(st, "t", "eval", "by_cust", "alice", 5, &c), "r1=one;r3=three;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "eval", "by_cust", "al", 2, &c), "r1=one;r3=three;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "eval", "by_cust", NULL, 0, &c), "r1=one;r3=three;r2=two;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "eval", "by_other", NULL, 0, &c), "");

	/* Replacing a record replaces its index entries. */
	assert_int_equal(put_idx(st, "t", "eval", "r1", "one-b", &bob, 1), 0);
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "eval", "by_cust", "alice", 5, &c), "r3=three;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "eval", "by_cust", "bob", 3, &c), "r1=one-b;r2=two;");
	assert_int_equal(put_idx(st, "t", "eval", "r3", "three-b", NULL, 0), 0);
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "eval", "by_cust", "alice", 5, &c), "");

	/* Deleting removes them. */
	assert_int_equal(del(st, "t", "eval", "r2"), 0);
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "eval", "by_cust", NULL, 0, &c), "r1=one-b;");

	/* Binary values: zero bytes, big-endian numbers sort numerically, two indexes per record. */
	static const unsigned char n2[] = {0, 0, 0, 2}, n10[] = {0, 0, 0, 10}, n256[] = {0, 0, 1, 0};
	struct vocd_index_value v1[2] = {{"by_num", n256, 4}, {"by_bin", "a", 1}};
	struct vocd_index_value v2[2] = {{"by_num", n2, 4}, {"by_bin", "a\0b", 3}};
	struct vocd_index_value v3[1] = {{"by_num", n10, 4}};
	assert_int_equal(put_idx(st, "t", "num", "x", "256", v1, 2), 0);
	assert_int_equal(put_idx(st, "t", "num", "y", "2", v2, 2), 0);
	assert_int_equal(put_idx(st, "t", "num", "z", "10", v3, 1), 0);
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "num", "by_num", NULL, 0, &c), "y=2;z=10;x=256;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "num", "by_num", n2, 3, &c), "y=2;z=10;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "num", "by_bin", "a", 1, &c), "x=256;y=2;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "t", "num", "by_bin", "a\0", 2, &c), "y=2;");

	/* Visitor stops. */
	memset(&c, 0, sizeof c);
	c.stop_after = 1;
	assert_string_equal(iscan(st, "t", "num", "by_num", NULL, 0, &c), "y=2;");
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	memset(&c, 0, sizeof c);
	c.fail_with = VOCD_EUNPROC;
	assert_int_equal(vocd_index_scan(txn, "t", "num", "by_num", NULL, 0, collect_fn, &c), VOCD_EUNPROC);
	assert_int_equal(c.n, 1);
	vocd_txn_end(txn);
	vocd_store_close(st);
}

static void test_scan_order_and_from(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	const char *ids[] = {"b", "a", "c", "aa"};
	for (int i = 0; i < 4; i++)
		assert_int_equal(put(st, "t", "k", ids[i], ids[i]), 0);
	assert_int_equal(put(st, "t", "j", "a", "other type"), 0);
	assert_int_equal(put(st, "t", "ka", "a", "other type"), 0);
	struct collect c = {0};
	assert_string_equal(scan(st, "t", "k", NULL, &c), "a=a;aa=aa;b=b;c=c;");
	memset(&c, 0, sizeof c);
	assert_string_equal(scan(st, "t", "k", "aa", &c), "aa=aa;b=b;c=c;");
	memset(&c, 0, sizeof c);
	assert_string_equal(scan(st, "t", "k", "ab", &c), "b=b;c=c;");
	memset(&c, 0, sizeof c);
	assert_string_equal(scan(st, "t", "k", "d", &c), "");
	char longfrom[301]; /* longer than any id: still compared bytewise */
	memset(longfrom, 'a', 300);
	longfrom[300] = 0;
	memset(&c, 0, sizeof c);
	assert_string_equal(scan(st, "t", "k", longfrom, &c), "b=b;c=c;");
	memset(&c, 0, sizeof c);
	c.stop_after = 2;
	assert_string_equal(scan(st, "t", "k", NULL, &c), "a=a;aa=aa;");

	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	memset(&c, 0, sizeof c);
	c.fail_with = VOCD_EUNPROC;
	assert_int_equal(vocd_rec_scan(txn, "t", "k", NULL, collect_fn, &c), VOCD_EUNPROC);
	assert_int_equal(c.n, 1);
	vocd_txn_end(txn);
	vocd_store_close(st);
}

static void test_tenants_apart(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	struct vocd_index_value v = {"by_agent", "ag1", 3};
	assert_int_equal(put_idx(st, "a", "eval", "x", "of a", &v, 1), 0);
	assert_int_equal(put_idx(st, "ab", "eval", "x", "of ab", &v, 1), 0);
	assert_int_equal(put_idx(st, "ab", "eval", "y", "of ab too", &v, 1), 0);
	assert_rec(st, "a", "eval", "x", "of a");
	assert_rec(st, "ab", "eval", "x", "of ab");
	assert_no_rec(st, "a", "eval", "y");
	assert_no_rec(st, "b", "eval", "x");

	struct collect c = {0};
	assert_string_equal(scan(st, "a", "eval", NULL, &c), "x=of a;");
	memset(&c, 0, sizeof c);
	assert_string_equal(scan(st, "ab", "eval", NULL, &c), "x=of ab;y=of ab too;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "a", "eval", "by_agent", "ag", 2, &c), "x=of a;");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "ab", "eval", "by_agent", NULL, 0, &c), "x=of ab;y=of ab too;");

	/* Deleting in one tenant leaves the other alone. */
	assert_int_equal(del(st, "ab", "eval", "x"), 0);
	assert_rec(st, "a", "eval", "x", "of a");
	memset(&c, 0, sizeof c);
	assert_string_equal(iscan(st, "a", "eval", "by_agent", NULL, 0, &c), "x=of a;");

	/* Tenants holding a type. */
	assert_int_equal(put(st, "c", "token", "k", "tok"), 0);
	assert_int_equal(put(st, "a", "zzz", "k", "v"), 0);
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(vocd_tenant_scan(txn, "eval", collect_fn, &c), 0);
	assert_string_equal(c.out, "a=;ab=;");
	memset(&c, 0, sizeof c);
	assert_int_equal(vocd_tenant_scan(txn, "token", collect_fn, &c), 0);
	assert_string_equal(c.out, "c=;");
	memset(&c, 0, sizeof c);
	assert_int_equal(vocd_tenant_scan(txn, "none", collect_fn, &c), 0);
	assert_string_equal(c.out, "");
	vocd_txn_end(txn);
	vocd_store_close(st);
}

struct seq_arg {
	const char *tenant, *name;
	uint64_t got[3];
};

static int job_seq(vocd_txn *txn, void *a)
{
	struct seq_arg *s = a;
	for (int i = 0; i < 3; i++) {
		int rc = vocd_seq_next(txn, s->tenant, s->name, &s->got[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void test_seq_per_tenant(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	struct seq_arg a = {"a", "ticket"}, ab = {"ab", "ticket"}, other = {"a", "invite"};
	assert_int_equal(vocd_store_write(st, job_seq, &a), 0);
	assert_int_equal(a.got[0], 1);
	assert_int_equal(a.got[2], 3);
	assert_int_equal(vocd_store_write(st, job_seq, &ab), 0);
	assert_int_equal(ab.got[0], 1);
	assert_int_equal(vocd_store_write(st, job_seq, &other), 0);
	assert_int_equal(other.got[0], 1);
	vocd_store_close(st);
	st = open_store(fx->dir, 0, 0, 1);
	assert_int_equal(vocd_store_write(st, job_seq, &a), 0);
	assert_int_equal(a.got[0], 4);
	assert_int_equal(a.got[2], 6);
	vocd_store_close(st);
}

static void test_bad_names(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	char id128[129], id129[130];
	memset(id128, 'i', 128);
	id128[128] = 0;
	memset(id129, 'i', 129);
	id129[129] = 0;
	assert_int_equal(put(st, "", "eval", "x", "v"), VOCD_EINVAL);
	assert_int_equal(put(st, NULL, "eval", "x", "v"), VOCD_EINVAL);
	assert_int_equal(put(st, "t", "", "x", "v"), VOCD_EINVAL);
	assert_int_equal(put(st, "t", "eval", "", "v"), VOCD_EINVAL);
	assert_int_equal(put(st, "t", "eval", id129, "v"), VOCD_EINVAL);
	assert_int_equal(put(st, "t", "eval", id128, "v"), 0);
	assert_rec(st, "t", "eval", id128, "v");
	char buf[8];
	assert_int_equal(get(st, "t", "eval", id129, buf, sizeof buf), VOCD_EINVAL);
	assert_int_equal(get(st, "t", "", "x", buf, sizeof buf), VOCD_EINVAL);

	struct vocd_index_value noname = {"", "v", 1};
	assert_int_equal(put_idx(st, "t", "eval", "y", "v", &noname, 1), VOCD_EINVAL);
	char big[600];
	memset(big, 'v', sizeof big);
	struct vocd_index_value too_long = {"by_x", big, sizeof big};
	assert_int_equal(put_idx(st, "t", "eval", "y", "v", &too_long, 1), VOCD_EINVAL);
	assert_no_rec(st, "t", "eval", "y");
	vocd_store_close(st);
}

static void test_read_txn_cannot_write(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	assert_int_equal(put(st, "t", "eval", "x", "v"), 0);
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_rec_put(txn, "t", "eval", "y", "v", 1, NULL, 0), VOCD_EINVAL);
	assert_int_equal(vocd_rec_del(txn, "t", "eval", "x"), VOCD_EINVAL);
	uint64_t n;
	assert_int_equal(vocd_seq_next(txn, "t", "s", &n), VOCD_EINVAL);
	vocd_txn_end(txn);
	assert_rec(st, "t", "eval", "x", "v");
	assert_no_rec(st, "t", "eval", "y");
	vocd_txn_end(NULL);
	vocd_store_close(NULL);
	vocd_store_close(st);
}

/* ---- Group commit ----------------------------------------------------------------------------- */

struct gate {
	atomic_int entered, release;
};

static int job_block(vocd_txn *txn, void *a)
{
	struct gate *g = a;
	atomic_store(&g->entered, 1);
	while (!atomic_load(&g->release))
		sleep_ms(2);
	return vocd_rec_put(txn, "t", "eval", "blocker", "b", 1, NULL, 0);
}

struct writer {
	pthread_t th;
	vocd_store *st;
	vocd_write_fn fn;
	void *arg;
	int rc;
};

static void *writer_thread(void *p)
{
	struct writer *w = p;
	w->rc = vocd_store_write(w->st, w->fn, w->arg);
	return NULL;
}

/* Runs w[1..n-1] as one batch: w[0] (a job_block on \p g) holds the writer while the others queue up
 * behind it. */
static void run_as_one_batch(struct writer *w, int n, struct gate *g)
{
	pthread_create(&w[0].th, NULL, writer_thread, &w[0]);
	while (!atomic_load(&g->entered))
		sleep_ms(1);
	for (int i = 1; i < n; i++)
		pthread_create(&w[i].th, NULL, writer_thread, &w[i]);
	sleep_ms(300);
	atomic_store(&g->release, 1);
	for (int i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
}

static void test_failing_job_rolls_back_alone(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	struct gate g = {0};
	struct vocd_index_value v = {"by_x", "x", 1};
	struct put_arg ok1 = {"t", "eval", "ok1", "1", 1, &v, 1, 0, 0};
	struct put_arg bad = {"t", "eval", "bad", "2", 1, &v, 1, VOCD_EUNPROC, 0};
	struct put_arg ok2 = {"t", "eval", "ok2", "3", 1, &v, 1, 0, 0};
	struct writer w[4] = {{.st = st, .fn = job_block, .arg = &g},
	                      {.st = st, .fn = job_put, .arg = &ok1},
	                      {.st = st, .fn = job_put, .arg = &bad},
	                      {.st = st, .fn = job_put, .arg = &ok2}};
	run_as_one_batch(w, 4, &g);

	assert_int_equal(w[0].rc, 0);
	assert_int_equal(w[1].rc, 0);
	assert_int_equal(w[2].rc, VOCD_EUNPROC);
	assert_int_equal(w[3].rc, 0);
	/* Straight in the batch's transaction up to the failure, then again each in a nested one (the
	 * jobs queued in any order: those after the failing one ran only nested). */
	assert_int_equal(bad.runs, 2);
	assert_in_range(ok1.runs, 1, 2);
	assert_in_range(ok2.runs, 1, 2);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.commits, 2);
	assert_int_equal(s.batch_max, 3);
	assert_int_equal(s.jobs, 4);
	assert_rec(st, "t", "eval", "ok1", "1");
	assert_rec(st, "t", "eval", "ok2", "3");
	assert_no_rec(st, "t", "eval", "bad");
	struct collect c = {0};
	assert_string_equal(iscan(st, "t", "eval", "by_x", NULL, 0, &c), "ok1=1;ok2=3;");
	vocd_store_close(st);
}

static void test_batch_of_good_jobs_runs_each_once(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	struct gate g = {0};
	struct put_arg a = {"t", "eval", "a", "1", 1, NULL, 0, 0, 0};
	struct put_arg b = {"t", "eval", "b", "2", 1, NULL, 0, 0, 0};
	struct writer w[3] = {{.st = st, .fn = job_block, .arg = &g},
	                      {.st = st, .fn = job_put, .arg = &a},
	                      {.st = st, .fn = job_put, .arg = &b}};
	run_as_one_batch(w, 3, &g);
	assert_int_equal(w[1].rc, 0);
	assert_int_equal(w[2].rc, 0);
	assert_int_equal(a.runs, 1);
	assert_int_equal(b.runs, 1);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.batch_max, 2);
	assert_rec(st, "t", "eval", "a", "1");
	assert_rec(st, "t", "eval", "b", "2");
	vocd_store_close(st);
}

struct many {
	vocd_store *st;
	int thread;
	int count;
	int failures;
};

static void *many_writes(void *p)
{
	struct many *m = p;
	for (int i = 0; i < m->count; i++) {
		char id[32], val[32];
		snprintf(id, sizeof id, "w%d-%d", m->thread, i);
		snprintf(val, sizeof val, "v%d", i);
		struct vocd_index_value v = {"by_thread", &m->thread, sizeof m->thread};
		if (put_idx(m->st, "t", "eval", id, val, &v, 1) != 0)
			m->failures++;
	}
	return NULL;
}

static void run_writers(vocd_store *st, int nthreads, int count)
{
	pthread_t th[8];
	struct many m[8];
	for (int t = 0; t < nthreads; t++) {
		m[t] = (struct many){st, t, count, 0};
		pthread_create(&th[t], NULL, many_writes, &m[t]);
	}
	for (int t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(m[t].failures, 0);
	}
}

static int count_fn(const char *id, const void *data, size_t len, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int count_recs(vocd_store *st, const char *tenant, const char *type)
{
	vocd_txn *txn;
	int n = 0;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_rec_scan(txn, tenant, type, NULL, count_fn, &n), 0);
	vocd_txn_end(txn);
	return n;
}

static void test_group_commit(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 0); /* durable: real fsyncs */
	run_writers(st, 8, 200);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.jobs, 1600);
	assert_true(s.batch_max > 1);
	assert_true(s.commits < s.jobs);
	uint64_t hist = 0;
	for (int i = 0; i < 8; i++)
		hist += s.batch_hist[i];
	assert_int_equal(hist, s.commits);
	assert_true(s.batch_hist[0] < s.commits); /* some batches held more than one job */
	vocd_store_close(st);

	st = open_store(fx->dir, 0, 0, 0);
	assert_int_equal(count_recs(st, "t", "eval"), 1600);
	assert_rec(st, "t", "eval", "w7-199", "v199");
	int three = 3, n = 0;
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_index_scan(txn, "t", "eval", "by_thread", &three, sizeof three, count_fn, &n), 0);
	vocd_txn_end(txn);
	assert_int_equal(n, 200);
	vocd_store_close(st);
}

static void test_sync_per_write(void **state)
{
	struct fx *fx = *state;
	struct vocd_store_opts o = {.sync_per_write = 1};
	vocd_store *st;
	assert_int_equal(vocd_store_open(&st, fx->dir, &o), 0);
	run_writers(st, 4, 25);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.jobs, 100);
	assert_int_equal(s.commits, 100);
	assert_int_equal(s.batch_max, 1);
	assert_int_equal(s.batch_hist[0], 100);
	assert_int_equal(count_recs(st, "t", "eval"), 100);
	vocd_store_close(st);
}

static int job_nested_write(vocd_txn *txn, void *a)
{
	return vocd_store_write(a, job_put, NULL);
}

struct commit_probe {
	vocd_store *st;
	int calls;
	int saw_record;
};

static void on_commit(void *a)
{
	struct commit_probe *p = a;
	char buf[16];
	p->calls++;
	if (get(p->st, "t", "eval", "c", buf, sizeof buf) == 0)
		p->saw_record++;
}

static void test_on_commit_and_misuse(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	struct commit_probe p = {st, 0, 0};
	vocd_store_on_commit(st, on_commit, &p);
	assert_int_equal(put(st, "t", "eval", "c", "v"), 0);
	assert_int_equal(put(st, "t", "eval", "c", "w"), 0);
	assert_int_equal(p.calls, 2);
	assert_int_equal(p.saw_record, 2); /* the commit is visible when the callback runs */
	/* Writing from inside a job would wait for itself: refused. */
	assert_int_equal(vocd_store_write(st, job_nested_write, st), VOCD_EINTERNAL);
	assert_int_equal(p.calls, 3);
	vocd_store_on_commit(st, NULL, NULL);
	assert_int_equal(put(st, "t", "eval", "c", "x"), 0);
	assert_int_equal(p.calls, 3);
	vocd_store_close(st);
}

/* ---- Map growth and full storage ------------------------------------------------------------- */

/* LMDB's own tools walk every page of every database: exit status 0 means the file is sound. */
static void assert_db_sound(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "mdb_dump -a '%s' > /dev/null", dir);
	assert_int_equal(system(cmd), 0);
}

static void make_value(char *buf, size_t len, int i)
{
	memset(buf, 'a' + i % 26, len);
	snprintf(buf, len, "%d:", i);
	buf[strlen(buf)] = '.'; /* keep the whole length */
	buf[len - 1] = 0;
}

static int put_big(vocd_store *st, const char *id, int i, size_t len)
{
	char *buf = malloc(len);
	make_value(buf, len, i);
	struct put_arg p = {"t", "blob", id, buf, len, NULL, 0, 0, 0};
	int rc = vocd_store_write(st, job_put, &p);
	free(buf);
	return rc;
}

static void check_big(vocd_store *st, const char *id, int i, size_t len)
{
	char *want = malloc(len);
	make_value(want, len, i);
	vocd_txn *txn;
	const void *data;
	size_t got;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_rec_get(txn, "t", "blob", id, &data, &got), 0);
	assert_int_equal(got, len);
	assert_memory_equal(data, want, len);
	vocd_txn_end(txn);
	free(want);
}

struct bulk_arg {
	int n;
	size_t len;
	int runs;
};

static int job_bulk(vocd_txn *txn, void *a)
{
	struct bulk_arg *b = a;
	b->runs++;
	char *buf = malloc(b->len);
	int rc = 0;
	for (int i = 0; i < b->n && rc == 0; i++) {
		char id[16];
		snprintf(id, sizeof id, "bulk%04d", i);
		make_value(buf, b->len, i);
		rc = vocd_rec_put(txn, "t", "blob", id, buf, b->len, NULL, 0);
	}
	free(buf);
	return rc;
}

static void test_map_grows(void **state)
{
	struct fx *fx = *state;
	size_t mib = (size_t)1 << 20;
	vocd_store *st = open_store(fx->dir, mib, 0, 1);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.map_size, mib);
	for (int i = 0; i < 3000; i++) {
		char id[16];
		snprintf(id, sizeof id, "r%05d", i);
		assert_int_equal(put_big(st, id, i, 1000), 0);
	}
	vocd_store_get_stats(st, &s);
	assert_true(s.map_size >= 4 * mib);
	assert_true(s.used_size > 3 * mib);
	assert_true(s.used_size <= s.map_size);
	assert_int_equal(s.full_errors, 0);

	/* One job larger than the map: the batch fails with MDB_MAP_FULL, the map grows, it is replayed. */
	size_t map_before = s.map_size;
	struct bulk_arg b = {(int)(map_before / 20000) + 50, 20000, 0};
	assert_int_equal(vocd_store_write(st, job_bulk, &b), 0);
	assert_true(b.runs > 1);
	vocd_store_get_stats(st, &s);
	assert_true(s.map_size > map_before);
	assert_int_equal(s.full_errors, 0);
	vocd_store_close(st);

	st = open_store(fx->dir, mib, 0, 1);
	check_big(st, "r00000", 0, 1000);
	check_big(st, "r02999", 2999, 1000);
	check_big(st, "bulk0000", 0, 20000);
	char last[16];
	snprintf(last, sizeof last, "bulk%04d", b.n - 1);
	check_big(st, last, b.n - 1, 20000);
	assert_int_equal(count_recs(st, "t", "blob"), 3000 + b.n);
	vocd_store_close(st);
}

static void test_map_max_full(void **state)
{
	struct fx *fx = *state;
	size_t mib = (size_t)1 << 20;
	vocd_store *st = open_store(fx->dir, mib, 2 * mib, 1);
	int i, rc = 0;
	for (i = 0; i < 1000; i++) {
		char id[16];
		snprintf(id, sizeof id, "r%05d", i);
		rc = put_big(st, id, i, 8000);
		if (rc != 0)
			break;
	}
	assert_int_equal(rc, VOCD_EFULL);
	assert_true(i > 50);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.map_size, 2 * mib);
	assert_true(s.full_errors >= 1);
	/* Another big write is refused too; nothing of it is stored. */
	assert_int_equal(put_big(st, "late", 0, 50000), VOCD_EFULL);
	vocd_txn *txn;
	const void *data;
	size_t len;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_int_equal(vocd_rec_get(txn, "t", "blob", "late", &data, &len), VOCD_ENOTFOUND);
	vocd_txn_end(txn);
	vocd_store_close(st);

	/* Every earlier record is intact after a reopen. */
	assert_db_sound(fx->dir);
	st = open_store(fx->dir, mib, 2 * mib, 1);
	assert_int_equal(count_recs(st, "t", "blob"), i);
	for (int j = 0; j < i; j++) {
		char id[16];
		snprintf(id, sizeof id, "r%05d", j);
		check_big(st, id, j, 8000);
	}
	vocd_store_close(st);
}

static int fatal_calls;

static void fatal_recorder(const char *msg)
{
	fatal_calls++;
}

static void test_disk_full(void **state)
{
	struct fx *fx = *state;
	vocd_store_set_fatal_handler(fatal_recorder);
	fatal_calls = 0;
	vocd_store *st = open_store(fx->dir, 0, 0, 0);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof id, "r%02d", i);
		assert_int_equal(put_big(st, id, i, 1000), 0);
	}
	/* The file may not grow any more: LMDB's write past its end fails with EFBIG. Then a little room:
	 * LMDB's write is cut short, which it reports as EIO; that must not be taken for a failed sync. */
	struct stat sb;
	assert_int_equal(stat(sub(fx, "data.mdb"), &sb), 0);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc1 = put_big(st, "huge", 1, 512 * 1024);
	lim.rlim_cur = (rlim_t)sb.st_size + 8192;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc2 = put_big(st, "huge2", 2, 300 * 1024);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	assert_int_equal(rc1, VOCD_EFULL);
	assert_int_equal(rc2, VOCD_EFULL);
	assert_int_equal(fatal_calls, 0);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.full_errors, 2);
	assert_int_equal(stat(sub(fx, "data.mdb"), &sb), 0);
	assert_true(sb.st_size <= (off_t)lim.rlim_cur);

	/* With room again, writes succeed and nothing earlier was lost. */
	assert_int_equal(put_big(st, "huge", 1, 512 * 1024), 0);
	vocd_store_close(st);
	vocd_store_set_fatal_handler(NULL);
	assert_db_sound(fx->dir);
	st = open_store(fx->dir, 0, 0, 0);
	check_big(st, "huge", 1, 512 * 1024);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof id, "r%02d", i);
		check_big(st, id, i, 1000);
	}
	assert_int_equal(count_recs(st, "t", "blob"), 21);
	vocd_store_close(st);
}

/* ---- Failed sync ------------------------------------------------------------------------------ */

static void test_sync_failure_is_fatal(void **state)
{
	struct fx *fx = *state;
	vocd_store_set_fatal_handler(fatal_recorder);
	fatal_calls = 0;
	vocd_store *st = open_store(fx->dir, 0, 0, 0);
	assert_int_equal(put(st, "t", "eval", "a", "kept"), 0);
	assert_int_equal(fatal_calls, 0);
	atomic_store(&fail_sync, 1);
	int rc = put(st, "t", "eval", "b", "lost");
	atomic_store(&fail_sync, 0);
	assert_int_equal(fatal_calls, 1);
	assert_int_equal(rc, VOCD_EIO); /* only because the handler returned */
	assert_no_rec(st, "t", "eval", "b");
	vocd_store_close(st);
	vocd_store_set_fatal_handler(NULL);
	st = open_store(fx->dir, 0, 0, 0);
	assert_rec(st, "t", "eval", "a", "kept");
	vocd_store_close(st);
}

/* ---- Stale readers ---------------------------------------------------------------------------- */

/* In a child process: opens the environment, begins \p n read transactions, dies without ending them. */
static void child_leaves_readers(const char *dir, int n, int wait_fd)
{
	MDB_env *env;
	MDB_txn *txn;
	if (mdb_env_create(&env) != 0 || mdb_env_set_maxreaders(env, 4) != 0 ||
	    mdb_env_open(env, dir, MDB_NOTLS | MDB_RDONLY, 0600) != 0)
		_exit(10);
	for (int i = 0; i < n; i++)
		if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
			_exit(11);
	if (wait_fd >= 0) { /* hold the environment open until the parent closes the pipe */
		char c;
		if (write(wait_fd + 1, "r", 1) != 1)
			_exit(12);
		while (read(wait_fd, &c, 1) > 0)
			;
	}
	_exit(0);
}

static void wait_child(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_stale_readers_when_table_full(void **state)
{
	struct fx *fx = *state;
	struct vocd_store_opts o = {.max_readers = 4, .no_sync = 1};
	vocd_store *st;
	assert_int_equal(vocd_store_open(&st, fx->dir, &o), 0);
	assert_int_equal(put(st, "t", "eval", "x", "v"), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_leaves_readers(fx->dir, 4, -1);
	wait_child(pid);
	/* Every slot belongs to a dead process: the read finds the table full, clears it and retries. */
	assert_rec(st, "t", "eval", "x", "v");
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.stale_readers, 4);
	vocd_store_close(st);
}

static void test_stale_reader_cleared_at_open(void **state)
{
	struct fx *fx = *state;
	vocd_store *st = open_store(fx->dir, 0, 0, 1);
	assert_int_equal(put(st, "t", "eval", "x", "v"), 0);
	vocd_store_close(st);

	/* Child A keeps the environment open (so its lock table survives); child B dies holding a reader. */
	int fds[4]; /* fds[0], fds[1]: parent -> A ("go"); fds[2], fds[3]: A -> parent ("ready") */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pipe(fds + 2), 0);
	pid_t a = fork();
	assert_true(a >= 0);
	if (a == 0) {
		close(fds[1]);
		close(fds[2]);
		/* child_leaves_readers writes to wait_fd + 1: give it a pair (go-read, ready-write). */
		int pair[2] = {fds[0], fds[3]};
		if (dup2(pair[0], 100) < 0 || dup2(pair[1], 101) < 0)
			_exit(13);
		child_leaves_readers(fx->dir, 0, 100);
	}
	close(fds[0]);
	close(fds[3]);
	char c;
	assert_int_equal(read(fds[2], &c, 1), 1);
	pid_t b = fork();
	assert_true(b >= 0);
	if (b == 0)
		child_leaves_readers(fx->dir, 1, -1);
	wait_child(b);

	st = open_store(fx->dir, 0, 0, 1);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_int_equal(s.stale_readers, 1);
	assert_rec(st, "t", "eval", "x", "v");
	close(fds[1]);
	close(fds[2]);
	wait_child(a);
	vocd_store_close(st);
}

/* Another process (as `vocd backup` beside the server) commits with a bigger map than ours. */
static void test_map_resized_by_other_process(void **state)
{
	struct fx *fx = *state;
	size_t mib = (size_t)1 << 20;
	vocd_store *st = open_store(fx->dir, mib, 0, 1);
	assert_int_equal(put(st, "t", "eval", "x", "v"), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		MDB_env *env;
		MDB_txn *txn;
		MDB_dbi dbi;
		if (mdb_env_create(&env) != 0 || mdb_env_set_mapsize(env, 64 * mib) != 0 ||
		    mdb_env_set_maxdbs(env, 4) != 0 || mdb_env_open(env, fx->dir, MDB_NOTLS | MDB_NOSYNC, 0600) != 0 ||
		    mdb_txn_begin(env, NULL, 0, &txn) != 0 || mdb_dbi_open(txn, "pad", MDB_CREATE, &dbi) != 0)
			_exit(10);
		static char pad[2000];
		for (int i = 0; i < 2000; i++) {
			MDB_val k = {sizeof i, &i}, v = {sizeof pad, pad};
			if (mdb_put(txn, dbi, &k, &v, 0) != 0)
				_exit(11);
		}
		_exit(mdb_txn_commit(txn) == 0 ? 0 : 12);
	}
	wait_child(pid);
	assert_rec(st, "t", "eval", "x", "v"); /* the read adopts the bigger map */
	assert_int_equal(put(st, "t", "eval", "y", "w"), 0);
	struct vocd_store_stats s;
	vocd_store_get_stats(st, &s);
	assert_true(s.map_size >= 64 * mib);
	vocd_store_close(st);
	assert_db_sound(fx->dir);
	st = open_store(fx->dir, mib, 0, 1);
	assert_rec(st, "t", "eval", "y", "w");
	vocd_store_close(st);
}

/* ---- Backup and restore ----------------------------------------------------------------------- */

struct pair_arg {
	int i;
};

static int job_pair(vocd_txn *txn, void *a)
{
	struct pair_arg *p = a;
	char id[16];
	snprintf(id, sizeof id, "%06d", p->i);
	int rc = vocd_rec_put(txn, "t", "p", id, "p", 1, NULL, 0);
	return rc != 0 ? rc : vocd_rec_put(txn, "t", "q", id, "q", 1, NULL, 0);
}

struct pair_writer {
	vocd_store *st;
	atomic_int next;
	atomic_int stop;
	int failures;
};

static void *pair_writer(void *p)
{
	struct pair_writer *w = p;
	while (!atomic_load(&w->stop)) {
		struct pair_arg a = {atomic_load(&w->next)};
		if (vocd_store_write(w->st, job_pair, &a) != 0)
			w->failures++;
		atomic_fetch_add(&w->next, 1);
	}
	return NULL;
}

struct pair_check {
	vocd_txn *txn;
	int n;
	int missing;
};

static int check_pair(const char *id, const void *data, size_t len, void *arg)
{
	struct pair_check *c = arg;
	const void *d;
	size_t l;
	c->n++;
	if (vocd_rec_get(c->txn, "t", "q", id, &d, &l) != 0)
		c->missing++;
	return 0;
}

static void test_backup_while_writing_and_restore(void **state)
{
	struct fx *fx = *state;
	char data[128], backup[128], restored[128];
	snprintf(data, sizeof data, "%s/data", fx->dir);
	snprintf(backup, sizeof backup, "%s/backup", fx->dir);
	snprintf(restored, sizeof restored, "%s/restored", fx->dir);
	vocd_store *st = open_store(data, 0, 0, 1);
	for (int i = 0; i < 300; i++) {
		struct pair_arg a = {i};
		assert_int_equal(vocd_store_write(st, job_pair, &a), 0);
	}
	struct pair_writer w = {.st = st};
	atomic_store(&w.next, 300);
	pthread_t th;
	pthread_create(&th, NULL, pair_writer, &w);
	while (atomic_load(&w.next) < 400)
		sleep_ms(1);
	int rc = vocd_store_backup(st, backup);
	int during = atomic_load(&w.next);
	sleep_ms(20);
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(w.failures, 0);
	/* A second backup into the same (now non-empty) directory is refused. */
	assert_int_equal(vocd_store_backup(st, backup), VOCD_EEXIST);
	vocd_store_close(st);

	assert_int_equal(vocd_store_restore(backup, restored), 0);
	st = open_store(restored, 0, 0, 1);
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	struct pair_check c = {txn, 0, 0};
	assert_int_equal(vocd_rec_scan(txn, "t", "p", NULL, check_pair, &c), 0);
	vocd_txn_end(txn);
	assert_true(c.n >= 400);  /* everything written before the backup began */
	assert_true(c.n <= during + 1);
	assert_int_equal(c.missing, 0); /* a snapshot: each pair whole */
	assert_int_equal(count_recs(st, "t", "q"), c.n);
	assert_rec(st, "t", "p", "000000", "p");
	assert_rec(st, "t", "q", "000399", "q");
	/* The restored database takes writes. */
	assert_int_equal(put(st, "t", "eval", "new", "v"), 0);
	vocd_store_close(st);
}

static void test_restore_refuses_existing_database(void **state)
{
	struct fx *fx = *state;
	char data[128], backup[128], other[128];
	snprintf(data, sizeof data, "%s/data", fx->dir);
	snprintf(backup, sizeof backup, "%s/backup", fx->dir);
	snprintf(other, sizeof other, "%s/other", fx->dir);
	vocd_store *st = open_store(data, 0, 0, 1);
	assert_int_equal(put(st, "t", "eval", "x", "original"), 0);
	assert_int_equal(vocd_store_backup(st, backup), 0);
	assert_int_equal(put(st, "t", "eval", "x", "changed"), 0);
	vocd_store_close(st);

	assert_int_equal(vocd_store_restore(backup, data), VOCD_EEXIST);
	st = open_store(data, 0, 0, 1);
	assert_rec(st, "t", "eval", "x", "changed");
	vocd_store_close(st);

	assert_int_equal(vocd_store_restore(other, sub(fx, "x")), VOCD_ENOTFOUND);
	/* Not a database: refused, and nothing appears in the target. */
	assert_int_equal(mkdir(other, 0700), 0);
	FILE *f = fopen(sub(fx, "other/data.mdb"), "w");
	assert_non_null(f);
	fputs("not a database", f);
	fclose(f);
	assert_int_equal(vocd_store_restore(other, sub(fx, "target")), VOCD_EINVAL);
	struct stat sb;
	assert_int_not_equal(stat(sub(fx, "target/data.mdb"), &sb), 0);

	assert_int_equal(vocd_store_restore(backup, sub(fx, "target")), 0);
	st = open_store(sub(fx, "target"), 0, 0, 1);
	assert_rec(st, "t", "eval", "x", "original");
	vocd_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get_replace_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modify_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_order_and_from, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenants_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_per_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_txn_cannot_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_job_rolls_back_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_of_good_jobs_runs_each_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_per_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_on_commit_and_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_max_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_failure_is_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_readers_when_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_reader_cleared_at_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_resized_by_other_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_while_writing_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_refuses_existing_database, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Storage on LMDB: tenant-scoped records with secondary indexes and counters, written by one writer
 * thread that groups concurrent callers' jobs into one durable transaction (group commit). The map
 * grows before it fills; a full map or a full disk becomes VOCD_EFULL, a failed sync stops the process.
 *
 * Layout (named databases):
 *   "rec": tenant \0 type \0 id                                  -> u32 hlen, index header, value
 *   "idx": tenant \0 type \0 index \0 esc(value) \0 \1 id         -> (empty)
 *   "seq": tenant \0 name                                         -> u64 (native order)
 * The index header lists the record's index entries (u16 name length, name, u32 value length, value)
 * so that a put or a delete can remove them. esc() doubles a zero byte into \0\xff, so that the value
 * ends at the first \0\1 and values still sort bytewise. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "log.h"

#define NAME_MAX_LEN 128
#define KEY_BUF 512
#define GROW_WAIT_SHORT_MS 50     /* growing after a commit: give up quickly, retry next time */
#define GROW_WAIT_LONG_MS 10000   /* growing because the map is full: the batch waits for it */

struct job {
	vocd_write_fn fn;
	void *arg;
	int rc;
	sem_t done; /* posted by the writer once rc is final: its last touch of the job */
	struct job *next;
};

struct vocd_txn {
	vocd_store *st;
	MDB_txn *txn;
	int write;
	/* Sticky: the first LMDB failure of a write. LMDB cannot go on with the transaction, so the
	 * writer aborts the whole batch and decides (grow and replay, EFULL, stop). */
	int env_err;
};

/* Shared/exclusive lock on the map: every transaction holds it shared, a resize exclusive (LMDB's
 * mdb_env_set_mapsize needs no transaction open in the process). Own implementation rather than a
 * pthread rwlock because a read transaction may end on another thread than the one that began it. */
struct maplock {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned users;
	unsigned exclusive_wanted; /* threads waiting to resize; new users wait, so they are not starved */
	int exclusive;
};

struct vocd_store {
	MDB_env *env;
	MDB_dbi rec_dbi, idx_dbi, seq_dbi;
	unsigned max_key;
	size_t max_map_size;
	unsigned max_batch;
	int sync_per_write;
	struct maplock ml;

	pthread_mutex_t mu; /* queue, stopping flag, stats, on_commit */
	pthread_cond_t work_cv;
	struct job *head, *tail;
	int stopping;
	int writer_running;
	pthread_t writer;
	struct job **batch;
	void (*on_commit)(void *);
	void *on_commit_arg;
	struct vocd_store_stats stats;
};

/* ---- Fatal errors ---------------------------------------------------------------------------- */

static void default_fatal(const char *msg)
{
	vocd_error("storage: %s; stopping now, the state of the data on disk is unknown", msg);
	abort();
}

static void (*fatal_handler)(const char *msg) = default_fatal;

void vocd_store_set_fatal_handler(void (*fn)(const char *msg))
{
	fatal_handler = fn != NULL ? fn : default_fatal;
}

/* ---- Map lock --------------------------------------------------------------------------------- */

static void maplock_shared(struct maplock *ml)
{
	pthread_mutex_lock(&ml->mu);
	while (ml->exclusive || ml->exclusive_wanted)
		pthread_cond_wait(&ml->cv, &ml->mu);
	ml->users++;
	pthread_mutex_unlock(&ml->mu);
}

static void maplock_shared_end(struct maplock *ml)
{
	pthread_mutex_lock(&ml->mu);
	if (--ml->users == 0)
		pthread_cond_broadcast(&ml->cv);
	pthread_mutex_unlock(&ml->mu);
}

/* Returns 0 with the lock held exclusively, or -1 if users did not leave within \p ms. */
static int maplock_exclusive(struct maplock *ml, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&ml->mu);
	ml->exclusive_wanted++;
	int rc = 0;
	while ((ml->users > 0 || ml->exclusive) && rc == 0)
		rc = pthread_cond_timedwait(&ml->cv, &ml->mu, &until);
	ml->exclusive_wanted--;
	if (ml->users > 0 || ml->exclusive) {
		pthread_cond_broadcast(&ml->cv); /* let the waiting users in again */
		pthread_mutex_unlock(&ml->mu);
		return -1;
	}
	ml->exclusive = 1;
	pthread_mutex_unlock(&ml->mu);
	return 0;
}

static void maplock_exclusive_end(struct maplock *ml)
{
	pthread_mutex_lock(&ml->mu);
	ml->exclusive = 0;
	pthread_cond_broadcast(&ml->cv);
	pthread_mutex_unlock(&ml->mu);
}

static int maplock_init(struct maplock *ml)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&ml->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		return -1;
	if (pthread_mutex_init(&ml->mu, NULL) != 0) {
		pthread_cond_destroy(&ml->cv);
		return -1;
	}
	return 0;
}

/* Another process (`vocd backup` next to the server) committed with a bigger map: adopt its size. */
static int adopt_map_size(vocd_store *st)
{
	if (maplock_exclusive(&st->ml, GROW_WAIT_LONG_MS) != 0)
		return MDB_MAP_RESIZED;
	int mrc = mdb_env_set_mapsize(st->env, 0);
	MDB_envinfo info;
	mdb_env_info(st->env, &info);
	maplock_exclusive_end(&st->ml);
	pthread_mutex_lock(&st->mu);
	st->stats.map_size = info.me_mapsize;
	pthread_mutex_unlock(&st->mu);
	return mrc;
}

/* ---- Errors and names ------------------------------------------------------------------------- */

static int from_mdb(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_NOTFOUND:
		return VOCD_ENOTFOUND;
	case MDB_MAP_FULL:
	case ENOSPC:
	case EFBIG:
	case EDQUOT:
		return VOCD_EFULL;
	case ENOMEM:
		return VOCD_ENOMEM;
	case EIO:
		return VOCD_EIO;
	case MDB_READERS_FULL:
		return VOCD_ELIMIT;
	default:
		return VOCD_EINTERNAL;
	}
}

/* Records an LMDB failure in a write transaction (the batch will be aborted) and maps it. */
static int txn_failed(vocd_txn *t, int rc)
{
	if (t->write && t->env_err == 0)
		t->env_err = rc;
	return from_mdb(rc);
}

static size_t name_len(const char *s)
{
	if (s == NULL)
		return 0;
	size_t n = strnlen(s, NAME_MAX_LEN + 1);
	return n <= NAME_MAX_LEN ? n : 0;
}

/* ---- Keys ------------------------------------------------------------------------------------- */

struct kbuf {
	unsigned char b[KEY_BUF];
	size_t n;
	int overflow;
};

static void kb_add(struct kbuf *k, const void *p, size_t n)
{
	if (k->overflow || n > sizeof k->b - k->n) {
		k->overflow = 1;
		return;
	}
	if (n > 0)
		memcpy(k->b + k->n, p, n);
	k->n += n;
}

/* Adds a name with its terminating NUL. */
static void kb_name(struct kbuf *k, const char *s, size_t n)
{
	kb_add(k, s, n);
	kb_add(k, "", 1);
}

static void kb_escaped(struct kbuf *k, const void *v, size_t len)
{
	static const unsigned char zero[2] = {0, 0xff};
	const unsigned char *p = v;
	for (size_t i = 0; i < len && !k->overflow; i++) {
		if (p[i] == 0)
			kb_add(k, zero, 2);
		else
			kb_add(k, p + i, 1);
	}
}

static int kb_ok(const vocd_store *st, const struct kbuf *k)
{
	return !k->overflow && k->n <= st->max_key;
}

static MDB_val kb_val(struct kbuf *k)
{
	MDB_val v = {k->n, k->b};
	return v;
}

static void idx_prefix(struct kbuf *k, const char *tenant, size_t tl, const char *type, size_t yl,
                       const char *index, size_t il)
{
	k->n = 0;
	k->overflow = 0;
	kb_name(k, tenant, tl);
	kb_name(k, type, yl);
	kb_name(k, index, il);
}

static void idx_key(struct kbuf *k, const char *tenant, size_t tl, const char *type, size_t yl,
                    const char *index, size_t il, const void *val, size_t vl, const char *id, size_t dl)
{
	static const unsigned char end[2] = {0, 1};
	idx_prefix(k, tenant, tl, type, yl, index, il);
	kb_escaped(k, val, vl);
	kb_add(k, end, 2);
	kb_add(k, id, dl);
}

static void rec_key(struct kbuf *k, const char *tenant, size_t tl, const char *type, size_t yl,
                    const char *id, size_t dl)
{
	k->n = 0;
	k->overflow = 0;
	kb_name(k, tenant, tl);
	kb_name(k, type, yl);
	kb_add(k, id, dl);
}

/* ---- Record header ---------------------------------------------------------------------------- */

/* Splits a stored record into its index header and the caller's bytes. */
static int rec_split(const MDB_val *v, const unsigned char **hdr, size_t *hlen, const void **data,
                     size_t *len)
{
	uint32_t h;
	if (v->mv_size < sizeof h)
		return VOCD_EINTERNAL;
	memcpy(&h, v->mv_data, sizeof h);
	if (h > v->mv_size - sizeof h)
		return VOCD_EINTERNAL;
	*hdr = (const unsigned char *)v->mv_data + sizeof h;
	*hlen = h;
	*data = *hdr + h;
	*len = v->mv_size - sizeof h - h;
	return 0;
}

struct hdr_entry {
	const char *name;
	size_t name_len;
	const void *value;
	size_t value_len;
};

/* Reads the entry at \p *pos; returns 1 with an entry, 0 at the end, <0 if the header is damaged. */
static int hdr_next(const unsigned char *h, size_t hlen, size_t *pos, struct hdr_entry *e)
{
	uint16_t nl;
	uint32_t vl;
	if (*pos == hlen)
		return 0;
	if (hlen - *pos < sizeof nl)
		return VOCD_EINTERNAL;
	memcpy(&nl, h + *pos, sizeof nl);
	*pos += sizeof nl;
	if (hlen - *pos < (size_t)nl + sizeof vl)
		return VOCD_EINTERNAL;
	e->name = (const char *)h + *pos;
	e->name_len = nl;
	*pos += nl;
	memcpy(&vl, h + *pos, sizeof vl);
	*pos += sizeof vl;
	if (hlen - *pos < vl)
		return VOCD_EINTERNAL;
	e->value = h + *pos;
	e->value_len = vl;
	*pos += vl;
	return 1;
}

/* Deletes the index entries listed in a record's header (a private copy: deleting moves pages). */
static int idx_remove(vocd_txn *t, const char *tenant, size_t tl, const char *type, size_t yl,
                      const char *id, size_t dl, const unsigned char *hdr, size_t hlen)
{
	struct kbuf k;
	struct hdr_entry e;
	size_t pos = 0;
	int rc;
	while ((rc = hdr_next(hdr, hlen, &pos, &e)) == 1) {
		idx_key(&k, tenant, tl, type, yl, e.name, e.name_len, e.value, e.value_len, id, dl);
		if (k.overflow)
			return VOCD_EINTERNAL;
		MDB_val key = kb_val(&k);
		int mrc = mdb_del(t->txn, t->st->idx_dbi, &key, NULL);
		if (mrc != 0 && mrc != MDB_NOTFOUND)
			return txn_failed(t, mrc);
	}
	return rc;
}

/* Removes the index entries of the stored record at \p key, if there is one. */
static int idx_remove_old(vocd_txn *t, MDB_val *key, const char *tenant, size_t tl, const char *type,
                          size_t yl, const char *id, size_t dl)
{
	MDB_val old;
	int mrc = mdb_get(t->txn, t->st->rec_dbi, key, &old);
	if (mrc == MDB_NOTFOUND)
		return VOCD_ENOTFOUND;
	if (mrc != 0)
		return txn_failed(t, mrc);
	const unsigned char *hdr;
	size_t hlen, dlen;
	const void *data;
	int rc = rec_split(&old, &hdr, &hlen, &data, &dlen);
	if (rc != 0 || hlen == 0)
		return rc;
	unsigned char *copy = malloc(hlen);
	if (copy == NULL)
		return VOCD_ENOMEM;
	memcpy(copy, hdr, hlen);
	rc = idx_remove(t, tenant, tl, type, yl, id, dl, copy, hlen);
	free(copy);
	return rc;
}

/* ---- Records ---------------------------------------------------------------------------------- */

int vocd_rec_put(vocd_txn *txn, const char *tenant, const char *type, const char *id, const void *data,
                 size_t len, const struct vocd_index_value *index, size_t nindex)
{
	if (txn == NULL || !txn->write)
		return VOCD_EINVAL;
	if (txn->env_err != 0)
		return from_mdb(txn->env_err);
	size_t tl = name_len(tenant), yl = name_len(type), dl = name_len(id);
	if (tl == 0 || yl == 0 || dl == 0 || (len > 0 && data == NULL) || (nindex > 0 && index == NULL))
		return VOCD_EINVAL;
	struct kbuf k;
	size_t hlen = 0;
	for (size_t i = 0; i < nindex; i++) {
		size_t il = name_len(index[i].name);
		if (il == 0 || (index[i].len > 0 && index[i].value == NULL) || index[i].len > UINT32_MAX)
			return VOCD_EINVAL;
		idx_key(&k, tenant, tl, type, yl, index[i].name, il, index[i].value, index[i].len, id, dl);
		if (!kb_ok(txn->st, &k))
			return VOCD_EINVAL;
		hlen += sizeof(uint16_t) + il + sizeof(uint32_t) + index[i].len;
	}
	if (hlen > UINT32_MAX || len > SIZE_MAX - hlen - sizeof(uint32_t))
		return VOCD_EINVAL;
	rec_key(&k, tenant, tl, type, yl, id, dl);
	if (!kb_ok(txn->st, &k))
		return VOCD_EINVAL;

	/* Built in our own buffer: data and index values may point into this very transaction's pages. */
	size_t total = sizeof(uint32_t) + hlen + len;
	unsigned char *buf = malloc(total);
	if (buf == NULL)
		return VOCD_ENOMEM;
	uint32_t h32 = (uint32_t)hlen;
	memcpy(buf, &h32, sizeof h32);
	size_t pos = sizeof h32;
	for (size_t i = 0; i < nindex; i++) {
		uint16_t nl = (uint16_t)strlen(index[i].name);
		uint32_t vl = (uint32_t)index[i].len;
		memcpy(buf + pos, &nl, sizeof nl);
		pos += sizeof nl;
		memcpy(buf + pos, index[i].name, nl);
		pos += nl;
		memcpy(buf + pos, &vl, sizeof vl);
		pos += sizeof vl;
		if (vl > 0)
			memcpy(buf + pos, index[i].value, vl);
		pos += vl;
	}
	if (len > 0)
		memcpy(buf + pos, data, len);

	MDB_val key = kb_val(&k);
	int rc = idx_remove_old(txn, &key, tenant, tl, type, yl, id, dl);
	if (rc == VOCD_ENOTFOUND)
		rc = 0;
	if (rc == 0) {
		MDB_val val = {total, buf};
		int mrc = mdb_put(txn->txn, txn->st->rec_dbi, &key, &val, 0);
		if (mrc != 0)
			rc = txn_failed(txn, mrc);
	}
	struct hdr_entry e;
	size_t hp = 0;
	const unsigned char *hdr = buf + sizeof h32;
	while (rc == 0 && hdr_next(hdr, hlen, &hp, &e) == 1) {
		struct kbuf ik;
		idx_key(&ik, tenant, tl, type, yl, e.name, e.name_len, e.value, e.value_len, id, dl);
		MDB_val ikey = kb_val(&ik), empty = {0, NULL};
		int mrc = mdb_put(txn->txn, txn->st->idx_dbi, &ikey, &empty, 0);
		if (mrc != 0)
			rc = txn_failed(txn, mrc);
	}
	free(buf);
	return rc;
}

int vocd_rec_modify(vocd_txn *txn, const char *tenant, const char *type, const char *id, size_t len,
                    void (*fn)(void *data, int found, void *arg), void *arg)
{
	if (txn == NULL || !txn->write || len == 0 || len > 1024 || fn == NULL)
		return VOCD_EINVAL;
	if (txn->env_err != 0)
		return from_mdb(txn->env_err);
	size_t tl = name_len(tenant), yl = name_len(type), dl = name_len(id);
	if (tl == 0 || yl == 0 || dl == 0)
		return VOCD_EINVAL;
	struct kbuf k;
	rec_key(&k, tenant, tl, type, yl, id, dl);
	if (!kb_ok(txn->st, &k))
		return VOCD_EINVAL;
	/* One descent: the cursor finds the record and replaces it where it is. */
	MDB_cursor *c;
	int mrc = mdb_cursor_open(txn->txn, txn->st->rec_dbi, &c);
	if (mrc != 0)
		return txn_failed(txn, mrc);
	MDB_val key = kb_val(&k), val;
	unsigned char buf[sizeof(uint32_t) + 1024];
	size_t total = sizeof(uint32_t) + len;
	int rc = 0;
	mrc = mdb_cursor_get(c, &key, &val, MDB_SET_KEY);
	int found = mrc == 0;
	if (found && (val.mv_size != total || memcmp(val.mv_data, "\0\0\0\0", sizeof(uint32_t)) != 0))
		rc = VOCD_EINVAL; /* a record of another shape, or with index entries: not for this function */
	else if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = txn_failed(txn, mrc);
	if (rc == 0) {
		if (found)
			memcpy(buf, val.mv_data, total);
		else
			memset(buf, 0, total);
		fn(buf + sizeof(uint32_t), found, arg);
		MDB_val nv = {total, buf};
		mrc = mdb_cursor_put(c, &key, &nv, found ? MDB_CURRENT : 0);
		if (mrc != 0)
			rc = txn_failed(txn, mrc);
	}
	mdb_cursor_close(c);
	return rc;
}

int vocd_rec_get(vocd_txn *txn, const char *tenant, const char *type, const char *id, const void **data,
                 size_t *len)
{
	size_t tl = name_len(tenant), yl = name_len(type), dl = name_len(id);
	if (txn == NULL || tl == 0 || yl == 0 || dl == 0 || data == NULL || len == NULL)
		return VOCD_EINVAL;
	struct kbuf k;
	rec_key(&k, tenant, tl, type, yl, id, dl);
	if (!kb_ok(txn->st, &k))
		return VOCD_EINVAL;
	MDB_val key = kb_val(&k), val;
	int mrc = mdb_get(txn->txn, txn->st->rec_dbi, &key, &val);
	if (mrc != 0)
		return mrc == MDB_NOTFOUND ? VOCD_ENOTFOUND : txn_failed(txn, mrc);
	const unsigned char *hdr;
	size_t hlen;
	return rec_split(&val, &hdr, &hlen, data, len);
}

int vocd_rec_del(vocd_txn *txn, const char *tenant, const char *type, const char *id)
{
	if (txn == NULL || !txn->write)
		return VOCD_EINVAL;
	if (txn->env_err != 0)
		return from_mdb(txn->env_err);
	size_t tl = name_len(tenant), yl = name_len(type), dl = name_len(id);
	if (tl == 0 || yl == 0 || dl == 0)
		return VOCD_EINVAL;
	struct kbuf k;
	rec_key(&k, tenant, tl, type, yl, id, dl);
	if (!kb_ok(txn->st, &k))
		return VOCD_EINVAL;
	MDB_val key = kb_val(&k);
	int rc = idx_remove_old(txn, &key, tenant, tl, type, yl, id, dl);
	if (rc != 0)
		return rc;
	int mrc = mdb_del(txn->txn, txn->st->rec_dbi, &key, NULL);
	return mrc == 0 ? 0 : txn_failed(txn, mrc);
}

/* Walks keys of \p dbi that start with \p prefix, from \p start (>= prefix). */
typedef int (*key_visit_fn)(vocd_txn *txn, const MDB_val *key, const MDB_val *val, size_t prefix_len,
                            void *ctx);

static int walk_prefix(vocd_txn *txn, MDB_dbi dbi, const struct kbuf *prefix, struct kbuf *start,
                       key_visit_fn fn, void *ctx)
{
	MDB_cursor *cur;
	int mrc = mdb_cursor_open(txn->txn, dbi, &cur);
	if (mrc != 0)
		return txn_failed(txn, mrc);
	MDB_val key = kb_val(start), val;
	int rc = 0;
	mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (mrc == 0) {
		if (key.mv_size < prefix->n || memcmp(key.mv_data, prefix->b, prefix->n) != 0)
			break;
		rc = fn(txn, &key, &val, prefix->n, ctx);
		if (rc != 0)
			break;
		mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return rc;
	return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : txn_failed(txn, mrc);
}

struct scan_ctx {
	vocd_rec_visit_fn fn;
	void *arg;
	const char *tenant, *type;
};

static int scan_rec(vocd_txn *txn, const MDB_val *key, const MDB_val *val, size_t plen, void *p)
{
	struct scan_ctx *c = p;
	char id[NAME_MAX_LEN + 1];
	size_t dl = key->mv_size - plen;
	if (dl == 0 || dl > NAME_MAX_LEN)
		return VOCD_EINTERNAL;
	memcpy(id, (const char *)key->mv_data + plen, dl);
	id[dl] = 0;
	const unsigned char *hdr;
	size_t hlen, len;
	const void *data;
	int rc = rec_split(val, &hdr, &hlen, &data, &len);
	return rc != 0 ? rc : c->fn(id, data, len, c->arg);
}

int vocd_rec_scan(vocd_txn *txn, const char *tenant, const char *type, const char *from,
                  vocd_rec_visit_fn fn, void *arg)
{
	size_t tl = name_len(tenant), yl = name_len(type);
	if (txn == NULL || tl == 0 || yl == 0 || fn == NULL)
		return VOCD_EINVAL;
	struct kbuf prefix, start;
	rec_key(&prefix, tenant, tl, type, yl, "", 0);
	start = prefix;
	/* Ids have at most NAME_MAX_LEN bytes, so the first NAME_MAX_LEN + 1 bytes of from decide. */
	if (from != NULL)
		kb_add(&start, from, strnlen(from, NAME_MAX_LEN + 1));
	if (!kb_ok(txn->st, &prefix) || start.overflow)
		return VOCD_EINVAL;
	struct scan_ctx c = {fn, arg, tenant, type};
	return walk_prefix(txn, txn->st->rec_dbi, &prefix, &start, scan_rec, &c);
}

static int scan_idx(vocd_txn *txn, const MDB_val *key, const MDB_val *val, size_t plen, void *p)
{
	struct scan_ctx *c = p;
	const unsigned char *k = key->mv_data;
	size_t i = plen; /* inside the escaped value: find its end marker \0\1 */
	while (i + 1 < key->mv_size && !(k[i] == 0 && k[i + 1] == 1))
		i += k[i] == 0 ? 2 : 1;
	if (i + 1 >= key->mv_size)
		return VOCD_EINTERNAL;
	char id[NAME_MAX_LEN + 1];
	size_t dl = key->mv_size - i - 2;
	if (dl == 0 || dl > NAME_MAX_LEN)
		return VOCD_EINTERNAL;
	memcpy(id, k + i + 2, dl);
	id[dl] = 0;
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, c->tenant, c->type, id, &data, &len);
	if (rc == VOCD_ENOTFOUND) {
		vocd_warn("storage: index entry without its record (%s/%s/%s)", c->tenant, c->type, id);
		return 0;
	}
	return rc != 0 ? rc : c->fn(id, data, len, c->arg);
}

int vocd_index_scan(vocd_txn *txn, const char *tenant, const char *type, const char *index,
                    const void *prefix, size_t prefix_len, vocd_rec_visit_fn fn, void *arg)
{
	size_t tl = name_len(tenant), yl = name_len(type), il = name_len(index);
	if (txn == NULL || tl == 0 || yl == 0 || il == 0 || fn == NULL || (prefix_len > 0 && prefix == NULL))
		return VOCD_EINVAL;
	struct kbuf k;
	idx_prefix(&k, tenant, tl, type, yl, index, il);
	kb_escaped(&k, prefix, prefix_len);
	if (!kb_ok(txn->st, &k))
		return VOCD_EINVAL;
	struct scan_ctx c = {fn, arg, tenant, type};
	struct kbuf start = k;
	return walk_prefix(txn, txn->st->idx_dbi, &k, &start, scan_idx, &c);
}

int vocd_seq_next(vocd_txn *txn, const char *tenant, const char *name, uint64_t *out)
{
	if (txn == NULL || !txn->write || out == NULL)
		return VOCD_EINVAL;
	if (txn->env_err != 0)
		return from_mdb(txn->env_err);
	size_t tl = name_len(tenant), nl = name_len(name);
	if (tl == 0 || nl == 0)
		return VOCD_EINVAL;
	struct kbuf k = {.n = 0};
	kb_name(&k, tenant, tl);
	kb_add(&k, name, nl);
	if (!kb_ok(txn->st, &k))
		return VOCD_EINVAL;
	MDB_val key = kb_val(&k), val;
	uint64_t n = 0;
	int mrc = mdb_get(txn->txn, txn->st->seq_dbi, &key, &val);
	if (mrc == 0 && val.mv_size == sizeof n)
		memcpy(&n, val.mv_data, sizeof n);
	else if (mrc == 0)
		return VOCD_EINTERNAL;
	else if (mrc != MDB_NOTFOUND)
		return txn_failed(txn, mrc);
	n++;
	val.mv_size = sizeof n;
	val.mv_data = &n;
	mrc = mdb_put(txn->txn, txn->st->seq_dbi, &key, &val, 0);
	if (mrc != 0)
		return txn_failed(txn, mrc);
	*out = n;
	return 0;
}

int vocd_seq_id(vocd_txn *txn, const char *tenant, const char *name, char out[24])
{
	uint64_t n;
	int rc = vocd_seq_next(txn, tenant, name, &n);
	if (rc == 0)
		snprintf(out, 24, "%016llu", (unsigned long long)n);
	return rc;
}

int vocd_tenant_scan(vocd_txn *txn, const char *type, vocd_rec_visit_fn fn, void *arg)
{
	size_t yl = name_len(type);
	if (txn == NULL || yl == 0 || fn == NULL)
		return VOCD_EINVAL;
	MDB_cursor *cur;
	int mrc = mdb_cursor_open(txn->txn, txn->st->rec_dbi, &cur);
	if (mrc != 0)
		return txn_failed(txn, mrc);
	MDB_val key, val;
	int rc = 0;
	mrc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
	while (mrc == 0 && rc == 0) {
		char tenant[NAME_MAX_LEN + 1];
		const char *kd = key.mv_data;
		size_t tl = strnlen(kd, key.mv_size);
		if (tl == 0 || tl > NAME_MAX_LEN || tl == key.mv_size) {
			rc = VOCD_EINTERNAL;
			break;
		}
		memcpy(tenant, kd, tl);
		tenant[tl] = 0;
		/* Does this tenant have a record of the type? */
		struct kbuf k;
		rec_key(&k, tenant, tl, type, yl, "", 0);
		if (k.overflow)
			break;
		MDB_val probe = kb_val(&k);
		mrc = mdb_cursor_get(cur, &probe, &val, MDB_SET_RANGE);
		if (mrc == 0 && probe.mv_size >= k.n && memcmp(probe.mv_data, k.b, k.n) == 0)
			rc = fn(tenant, NULL, 0, arg);
		if (mrc != 0 && mrc != MDB_NOTFOUND)
			break;
		/* Next tenant: the first key after every "tenant\0..." is "tenant\1". */
		k.n = 0;
		kb_add(&k, tenant, tl);
		kb_add(&k, "\1", 1);
		key = kb_val(&k);
		mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	}
	mdb_cursor_close(cur);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return rc;
	return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : txn_failed(txn, mrc);
}

/* ---- Read transactions ------------------------------------------------------------------------ */

static void count_stale(vocd_store *st, int dead)
{
	if (dead <= 0)
		return;
	vocd_warn("storage: cleared %d stale reader slot(s) left by dead processes", dead);
	pthread_mutex_lock(&st->mu);
	st->stats.stale_readers += (unsigned)dead;
	pthread_mutex_unlock(&st->mu);
}

int vocd_store_read(vocd_store *st, vocd_txn **out)
{
	if (st == NULL || out == NULL)
		return VOCD_EINVAL;
	vocd_txn *t = calloc(1, sizeof *t);
	if (t == NULL)
		return VOCD_ENOMEM;
	t->st = st;
	maplock_shared(&st->ml);
	int mrc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
	if (mrc == MDB_READERS_FULL) {
		int dead = 0;
		mdb_reader_check(st->env, &dead);
		count_stale(st, dead);
		mrc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
	}
	if (mrc == MDB_MAP_RESIZED) {
		maplock_shared_end(&st->ml);
		mrc = adopt_map_size(st);
		maplock_shared(&st->ml);
		if (mrc == 0)
			mrc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t->txn);
	}
	if (mrc != 0) {
		maplock_shared_end(&st->ml);
		free(t);
		vocd_error("storage: cannot begin a read transaction: %s", mdb_strerror(mrc));
		return from_mdb(mrc);
	}
	*out = t;
	return 0;
}

void vocd_txn_end(vocd_txn *txn)
{
	if (txn == NULL || txn->write)
		return;
	mdb_txn_abort(txn->txn);
	maplock_shared_end(&txn->st->ml);
	free(txn);
}

/* ---- The writer ------------------------------------------------------------------------------- */

enum outcome { OUT_OK, OUT_MAP_FULL, OUT_MAP_RESIZED, OUT_DISK_FULL, OUT_FATAL, OUT_OTHER };

/* After an EIO from LMDB: was it a short write because the disk (or the file size limit) is full?
 * LMDB reports a short write as EIO. Writes a page past the end of the data file and cuts it off
 * again: LMDB never reads past its last committed page. */
static int disk_exhausted(vocd_store *st)
{
	static const char page[4096];
	int fd;
	struct stat sb;
	if (mdb_env_get_fd(st->env, &fd) != 0 || fstat(fd, &sb) != 0)
		return 0;
	ssize_t w = pwrite(fd, page, sizeof page, sb.st_size);
	int err = errno;
	if (w > 0 && ftruncate(fd, sb.st_size) != 0)
		vocd_warn("storage: cannot cut the data file back: %s", strerror(errno));
	if (w == (ssize_t)sizeof page)
		return 0;
	return w >= 0 || err == ENOSPC || err == EFBIG || err == EDQUOT;
}

static enum outcome classify(vocd_store *st, int mrc)
{
	switch (mrc) {
	case 0:
		return OUT_OK;
	case MDB_MAP_FULL:
		return OUT_MAP_FULL;
	case MDB_MAP_RESIZED:
		return OUT_MAP_RESIZED;
	case ENOSPC:
	case EFBIG:
	case EDQUOT:
		return OUT_DISK_FULL;
	case EIO:
		return disk_exhausted(st) ? OUT_DISK_FULL : OUT_FATAL;
	case MDB_PANIC:
		return OUT_FATAL;
	default:
		return OUT_OTHER;
	}
}

/* A job of a batch run without nested transactions failed and left its changes in the batch's
 * transaction: the batch is run again, each job in a nested transaction of its own. */
#define BATCH_REPLAY_NESTED (-30000)

/* Runs every job in one transaction; returns LMDB's verdict, or BATCH_REPLAY_NESTED.
 * With \p nested, each job runs in a nested transaction, so that a failing job's changes are rolled back
 * alone. Without, jobs run straight in the batch's transaction: nested transactions cost LMDB a
 * dirty-page list of its own and a copy of every page the job touches that the batch already changed,
 * which is most of what a small job writes; jobs rarely fail, and the first failure replays the batch
 * nested (jobs may run more than once). A batch of one job needs no nesting at all. */
static int batch_attempt(vocd_store *st, struct job **jobs, size_t n, int nested)
{
	MDB_txn *txn = NULL;
	maplock_shared(&st->ml);
	int mrc = mdb_txn_begin(st->env, NULL, 0, &txn);
	for (size_t i = 0; i < n && mrc == 0; i++) {
		vocd_txn vt = {st, txn, 1, 0};
		if (nested && (mrc = mdb_txn_begin(st->env, txn, 0, &vt.txn)) != 0)
			break;
		int rc = jobs[i]->fn(&vt, jobs[i]->arg);
		jobs[i]->rc = rc;
		if (vt.env_err != 0) {
			if (nested)
				mdb_txn_abort(vt.txn);
			mrc = vt.env_err;
		} else if (!nested) {
			if (rc != 0 && n > 1)
				mrc = BATCH_REPLAY_NESTED;
			else if (rc != 0)
				break; /* the only job failed: nothing to commit */
		} else if (rc == 0) {
			mrc = mdb_txn_commit(vt.txn);
		} else {
			mdb_txn_abort(vt.txn);
		}
	}
	if (mrc == 0 && !nested && n == 1 && jobs[0]->rc != 0)
		mdb_txn_abort(txn);
	else if (mrc == 0)
		mrc = mdb_txn_commit(txn);
	else if (txn != NULL)
		mdb_txn_abort(txn);
	maplock_shared_end(&st->ml);
	return mrc;
}

static size_t current_used(vocd_store *st, size_t *map)
{
	MDB_envinfo info;
	MDB_stat stat;
	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &stat);
	*map = info.me_mapsize;
	return (info.me_last_pgno + 1) * (size_t)stat.ms_psize;
}

/* Doubles the map (up to max_map_size). Returns 0, VOCD_EFULL at the maximum, VOCD_ELIMIT if
 * transactions did not end within \p wait_ms. Only the writer thread calls it, outside a batch. */
static int grow_map(vocd_store *st, long wait_ms)
{
	size_t map;
	current_used(st, &map);
	if (map >= st->max_map_size)
		return VOCD_EFULL;
	size_t want = map > st->max_map_size / 2 ? st->max_map_size : map * 2;
	if (maplock_exclusive(&st->ml, wait_ms) != 0) {
		vocd_warn("storage: cannot grow the map now: transactions stay open");
		return VOCD_ELIMIT;
	}
	int mrc = mdb_env_set_mapsize(st->env, want);
	maplock_exclusive_end(&st->ml);
	if (mrc != 0) {
		vocd_error("storage: cannot grow the map to %zu bytes: %s", want, mdb_strerror(mrc));
		return from_mdb(mrc);
	}
	size_t used = current_used(st, &map);
	vocd_info("storage: map grown to %zu bytes (%zu in use)", map, used);
	pthread_mutex_lock(&st->mu);
	st->stats.map_size = map;
	pthread_mutex_unlock(&st->mu);
	return 0;
}

/* Grows ahead of need: when more than three quarters of the map are used. */
static void grow_if_needed(vocd_store *st, long wait_ms)
{
	size_t map, used = current_used(st, &map);
	pthread_mutex_lock(&st->mu);
	st->stats.used_size = used;
	st->stats.map_size = map;
	pthread_mutex_unlock(&st->mu);
	if (used / 3 > map / 4 && map < st->max_map_size)
		grow_map(st, wait_ms);
}

static unsigned hist_bucket(size_t n)
{
	unsigned b = 0;
	while (n > 1 && b < 7) {
		n >>= 1;
		b++;
	}
	return b;
}

/* Wakes the callers of \p jobs; \p rc overrides their own codes unless it is 0. After a commit, the
 * on_commit callback runs first, so that a caller returning from vocd_store_write knows it ran. */
static void answer(vocd_store *st, struct job **jobs, size_t n, int rc, int committed)
{
	pthread_mutex_lock(&st->mu);
	if (committed) {
		st->stats.commits++;
		st->stats.jobs += n;
		if (n > st->stats.batch_max)
			st->stats.batch_max = n;
		st->stats.batch_hist[hist_bucket(n)]++;
		void (*cb)(void *) = st->on_commit;
		void *cb_arg = st->on_commit_arg;
		if (cb != NULL) {
			pthread_mutex_unlock(&st->mu);
			cb(cb_arg);
			pthread_mutex_lock(&st->mu);
		}
	}
	if (rc == VOCD_EFULL)
		st->stats.full_errors += n;
	pthread_mutex_unlock(&st->mu);
	/* Woken outside the lock, each through its own semaphore: a caller wakes once and returns, instead
	 * of waking to wait again for the mutex that the writer holds while it wakes the others. */
	for (size_t i = 0; i < n; i++) {
		if (rc != 0)
			jobs[i]->rc = rc;
		sem_post(&jobs[i]->done); /* the job lives on its caller's stack: last touch */
	}
}

static void run_batch(vocd_store *st, struct job **jobs, size_t n)
{
	int nested = 0;
	for (;;) {
		int mrc = batch_attempt(st, jobs, n, nested);
		if (mrc == BATCH_REPLAY_NESTED) {
			nested = 1;
			continue;
		}
		switch (classify(st, mrc)) {
		case OUT_OK:
			answer(st, jobs, n, 0, 1);
			grow_if_needed(st, GROW_WAIT_SHORT_MS);
			return;
		case OUT_MAP_FULL:
			if (grow_map(st, GROW_WAIT_LONG_MS) == 0)
				continue; /* replay the batch in the bigger map */
			if (n > 1)
				break; /* maybe only some jobs do not fit: try each alone */
			vocd_warn("storage: the map is full at its maximum size");
			answer(st, jobs, n, VOCD_EFULL, 0);
			return;
		case OUT_MAP_RESIZED:
			if (adopt_map_size(st) == 0)
				continue;
			answer(st, jobs, n, VOCD_EINTERNAL, 0);
			return;
		case OUT_DISK_FULL:
			vocd_error("storage: the disk is full (%s): writes fail until space is freed",
			           mdb_strerror(mrc));
			answer(st, jobs, n, VOCD_EFULL, 0);
			return;
		case OUT_FATAL: {
			char msg[160];
			snprintf(msg, sizeof msg, "writing the database failed: %s", mdb_strerror(mrc));
			fatal_handler(msg);
			answer(st, jobs, n, VOCD_EIO, 0); /* only when a test replaced the handler */
			return;
		}
		case OUT_OTHER:
			if (n > 1)
				break;
			vocd_error("storage: write transaction failed: %s", mdb_strerror(mrc));
			answer(st, jobs, n, from_mdb(mrc) == VOCD_ENOMEM ? VOCD_ENOMEM : VOCD_EINTERNAL, 0);
			return;
		}
		for (size_t i = 0; i < n; i++)
			run_batch(st, jobs + i, 1);
		return;
	}
}

static void *writer_main(void *p)
{
	vocd_store *st = p;
	size_t limit = st->sync_per_write ? 1 : st->max_batch;
	pthread_mutex_lock(&st->mu);
	for (;;) {
		while (st->head == NULL && !st->stopping)
			pthread_cond_wait(&st->work_cv, &st->mu);
		if (st->head == NULL)
			break; /* stopping, and every queued job is done */
		size_t n = 0;
		while (st->head != NULL && n < limit) {
			st->batch[n++] = st->head;
			st->head = st->head->next;
		}
		if (st->head == NULL)
			st->tail = NULL;
		pthread_mutex_unlock(&st->mu);
		run_batch(st, st->batch, n);
		pthread_mutex_lock(&st->mu);
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

int vocd_store_write(vocd_store *st, vocd_write_fn fn, void *arg)
{
	if (st == NULL || fn == NULL)
		return VOCD_EINVAL;
	struct job job = {.fn = fn, .arg = arg};
	if (sem_init(&job.done, 0, 0) != 0)
		return VOCD_ENOMEM;
	pthread_mutex_lock(&st->mu);
	if (st->stopping || !st->writer_running) {
		pthread_mutex_unlock(&st->mu);
		sem_destroy(&job.done);
		return VOCD_ESHUTDOWN;
	}
	if (pthread_equal(pthread_self(), st->writer)) {
		pthread_mutex_unlock(&st->mu);
		sem_destroy(&job.done);
		vocd_error("storage: vocd_store_write called from inside a write job");
		return VOCD_EINTERNAL;
	}
	if (st->tail != NULL)
		st->tail->next = &job;
	else
		st->head = &job;
	st->tail = &job;
	pthread_cond_signal(&st->work_cv);
	pthread_mutex_unlock(&st->mu);
	while (sem_wait(&job.done) != 0)
		; /* EINTR: a signal handler ran; the job is still the writer's */
	sem_destroy(&job.done);
	return job.rc;
}

void vocd_store_on_commit(vocd_store *st, void (*fn)(void *arg), void *arg)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&st->mu);
	st->on_commit = fn;
	st->on_commit_arg = arg;
	pthread_mutex_unlock(&st->mu);
}

/* ---- Open and close --------------------------------------------------------------------------- */

/* Creates \p dir and its missing parents. */
static int make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof path)
		return -1;
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != 0)
			continue;
		char c = path[i];
		path[i] = 0;
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -1;
		path[i] = c;
	}
	struct stat sb;
	return stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

static int open_dbis(vocd_store *st)
{
	MDB_txn *txn;
	int mrc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (mrc != 0)
		return mrc;
	if ((mrc = mdb_dbi_open(txn, "rec", MDB_CREATE, &st->rec_dbi)) != 0 ||
	    (mrc = mdb_dbi_open(txn, "idx", MDB_CREATE, &st->idx_dbi)) != 0 ||
	    (mrc = mdb_dbi_open(txn, "seq", MDB_CREATE, &st->seq_dbi)) != 0) {
		mdb_txn_abort(txn);
		return mrc;
	}
	return mdb_txn_commit(txn);
}

int vocd_store_open(vocd_store **out, const char *dir, const struct vocd_store_opts *opts)
{
	static const struct vocd_store_opts defaults;
	if (out == NULL || dir == NULL)
		return VOCD_EINVAL;
	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t initial = round_up(opts->initial_map_size ? opts->initial_map_size : (size_t)64 << 20, pg);
	size_t max = round_up(opts->max_map_size ? opts->max_map_size : (size_t)64 << 30, pg);
	if (max < initial)
		max = initial;

	vocd_store *st = calloc(1, sizeof *st);
	if (st == NULL)
		return VOCD_ENOMEM;
	st->max_map_size = max;
	st->max_batch = opts->max_batch ? opts->max_batch : 1024;
	st->sync_per_write = opts->sync_per_write;
	st->batch = calloc(st->max_batch, sizeof *st->batch);
	if (st->batch == NULL || maplock_init(&st->ml) != 0) {
		free(st->batch);
		free(st);
		return VOCD_ENOMEM;
	}
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->work_cv, NULL);

	int mrc;
	const char *step = "create";
	if (make_dirs(dir) != 0) {
		vocd_error("storage: cannot create directory %s: %s", dir, strerror(errno));
		goto fail_env;
	}
	if ((mrc = mdb_env_create(&st->env)) != 0)
		goto fail_mdb;
	step = "configure";
	if ((mrc = mdb_env_set_maxreaders(st->env, opts->max_readers ? opts->max_readers : 256)) != 0 ||
	    (mrc = mdb_env_set_maxdbs(st->env, 4)) != 0 || (mrc = mdb_env_set_mapsize(st->env, initial)) != 0)
		goto fail_mdb;
	step = "open";
	/* MDB_NOTLS: civetweb's pooled threads may begin and end read transactions on different threads. */
	unsigned flags = MDB_NOTLS | (opts->no_sync ? MDB_NOSYNC : 0);
	if ((mrc = mdb_env_open(st->env, dir, flags, 0600)) != 0)
		goto fail_mdb;
	int dead = 0;
	mdb_reader_check(st->env, &dead);
	count_stale(st, dead);
	step = "open the databases of";
	if ((mrc = open_dbis(st)) != 0)
		goto fail_mdb;
	st->max_key = (unsigned)mdb_env_get_maxkeysize(st->env);
	grow_if_needed(st, GROW_WAIT_SHORT_MS);

	st->writer_running = 1;
	if (pthread_create(&st->writer, NULL, writer_main, st) != 0) {
		st->writer_running = 0;
		vocd_error("storage: cannot start the writer thread");
		mdb_env_close(st->env);
		st->env = NULL;
		goto fail_env;
	}
	*out = st;
	return 0;

fail_mdb:
	vocd_error("storage: cannot %s the database in %s: %s", step, dir, mdb_strerror(mrc));
	if (st->env != NULL)
		mdb_env_close(st->env);
	st->env = NULL;
fail_env:
	vocd_store_close(st);
	return VOCD_EIO;
}

void vocd_store_close(vocd_store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&st->mu);
	st->stopping = 1;
	pthread_cond_broadcast(&st->work_cv);
	int running = st->writer_running;
	pthread_mutex_unlock(&st->mu);
	if (running)
		pthread_join(st->writer, NULL);
	if (st->env != NULL)
		mdb_env_close(st->env);
	pthread_cond_destroy(&st->work_cv);
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->ml.cv);
	pthread_mutex_destroy(&st->ml.mu);
	free(st->batch);
	free(st);
}

/* ---- Operations ------------------------------------------------------------------------------- */

void vocd_store_get_stats(vocd_store *st, struct vocd_store_stats *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	if (st == NULL)
		return;
	pthread_mutex_lock(&st->mu);
	*out = st->stats;
	pthread_mutex_unlock(&st->mu);
}

static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return 0;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int join_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int vocd_store_backup(vocd_store *st, const char *dir)
{
	char file[PATH_MAX];
	if (st == NULL || dir == NULL || join_path(file, sizeof file, dir, "data.mdb") != 0)
		return VOCD_EINVAL;
	if (make_dirs(dir) != 0) {
		vocd_error("storage: cannot create backup directory %s: %s", dir, strerror(errno));
		return VOCD_EIO;
	}
	if (!dir_is_empty(dir)) {
		vocd_error("storage: backup directory %s is not empty", dir);
		return VOCD_EEXIST;
	}
	/* The copy runs in a read transaction: a consistent snapshot while writes go on. */
	maplock_shared(&st->ml);
	int mrc = mdb_env_copy2(st->env, dir, MDB_CP_COMPACT);
	maplock_shared_end(&st->ml);
	if (mrc == MDB_MAP_RESIZED && unlink(file) == 0 && adopt_map_size(st) == 0) {
		maplock_shared(&st->ml);
		mrc = mdb_env_copy2(st->env, dir, MDB_CP_COMPACT);
		maplock_shared_end(&st->ml);
	}
	if (mrc == 0 && (sync_path(file, O_RDONLY) != 0 || sync_path(dir, O_RDONLY | O_DIRECTORY) != 0))
		mrc = errno;
	if (mrc != 0) {
		vocd_error("storage: backup into %s failed: %s", dir, mdb_strerror(mrc));
		int rc = from_mdb(mrc);
		return rc == VOCD_EFULL ? rc : VOCD_EIO;
	}
	vocd_info("storage: backup written to %s", dir);
	return 0;
}

/* Is \p path an LMDB file we can read? Opened without a lock file, read-only. */
static int check_lmdb_file(const char *path)
{
	MDB_env *env;
	MDB_txn *txn;
	if (mdb_env_create(&env) != 0)
		return -1;
	mdb_env_set_maxdbs(env, 4);
	int mrc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK, 0600);
	if (mrc == 0 && (mrc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) == 0) {
		MDB_dbi dbi;
		mrc = mdb_dbi_open(txn, "rec", 0, &dbi);
		mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return mrc == 0 ? 0 : -1;
}

static int copy_file(int in, int out)
{
	char buf[1 << 16];
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		for (ssize_t done = 0; done < r;) {
			ssize_t w = write(out, buf + done, (size_t)(r - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			done += w;
		}
	}
}

int vocd_store_restore(const char *backup_dir, const char *data_dir)
{
	char src[PATH_MAX], dst[PATH_MAX], tmp[PATH_MAX];
	if (backup_dir == NULL || data_dir == NULL || join_path(src, sizeof src, backup_dir, "data.mdb") != 0 ||
	    join_path(dst, sizeof dst, data_dir, "data.mdb") != 0 ||
	    join_path(tmp, sizeof tmp, data_dir, "data.mdb.restoring") != 0)
		return VOCD_EINVAL;
	struct stat sb;
	if (stat(src, &sb) != 0) {
		vocd_error("storage: no backup at %s: %s", src, strerror(errno));
		return errno == ENOENT ? VOCD_ENOTFOUND : VOCD_EIO;
	}
	if (check_lmdb_file(src) != 0) {
		vocd_error("storage: %s is not a vocd database", src);
		return VOCD_EINVAL;
	}
	if (make_dirs(data_dir) != 0) {
		vocd_error("storage: cannot create %s: %s", data_dir, strerror(errno));
		return VOCD_EIO;
	}
	if (lstat(dst, &sb) == 0) {
		vocd_error("storage: %s already holds a database: refusing to overwrite it", data_dir);
		return VOCD_EEXIST;
	}
	int in = open(src, O_RDONLY | O_CLOEXEC);
	unlink(tmp); /* left by an interrupted restore */
	int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ok = in >= 0 && out >= 0 && copy_file(in, out) == 0 && fsync(out) == 0;
	int err = errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && ok) {
		ok = 0;
		err = errno;
	}
	/* link() rather than rename(): it fails if a database appeared meanwhile. */
	if (ok && link(tmp, dst) != 0) {
		ok = 0;
		err = errno;
	}
	unlink(tmp);
	if (!ok) {
		vocd_error("storage: restoring %s into %s failed: %s", backup_dir, data_dir, strerror(err));
		return err == EEXIST ? VOCD_EEXIST : err == ENOSPC || err == EDQUOT || err == EFBIG ? VOCD_EFULL
		                                                                                       : VOCD_EIO;
	}
	sync_path(data_dir, O_RDONLY | O_DIRECTORY);
	vocd_info("storage: restored %s into %s", backup_dir, data_dir);
	return 0;
}

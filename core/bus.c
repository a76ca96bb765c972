/* Event bus: a per-tenant outbox written in the publisher's transaction, stored per-subscriber cursors,
 * worker threads that deliver (at least once, in order per tenant and subscriber) with retries, backoff
 * and dead letters, and durable timers kept in the store with a due-time index. */
#include "bus.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "ids.h"
#include "json_text.h"
#include "log.h"

/* Internal record types. Outbox rows and dead letters are keyed by a zero-padded sequence number so
 * that id order is publish order; cursors are keyed by subscriber name, timers by the timer's key. */
#define T_OUTBOX "bus.outbox"
#define T_CURSOR "bus.cursor"
#define T_DEAD "bus.dead"
#define T_TIMER "bus.timer"
#define T_SUB "bus.sub"
/* Bus-wide records (the registry of subscriber names) live under a name that vocd_tenant_id_valid
 * rejects, so it can never be a real tenant. */
#define BUS_TENANT "_bus"
#define IDX_DUE "due"

#define ID_LEN 21         /* 20 digits and the NUL */
#define NAME_MAX_LEN 128  /* store ids are at most 128 bytes */
#define TOPIC_MAX_LEN 255
#define ERR_MAX_LEN 256
#define BATCH 128         /* events read per (tenant, pass) */
#define GC_MAX 1024       /* outbox rows deleted per write job */
#define TIMER_BATCH 64    /* timers fired per (tenant, write job) */
/* An unsubscribed name still holds back outbox clean-up for a while, so that a plugin reload
 * (unsubscribe, then subscribe the same name) loses nothing in between. */
#define PARK_MS 60000

enum sub_state { SUB_PENDING, SUB_ACTIVE, SUB_PARKED };

struct sub {
	struct sub *next;
	char *name;
	char *tenant; /* NULL: every tenant */
	char *topic;
	vocd_event_fn fn;
	void *ud;
	/* Fields below are guarded by bus->mu; the ones above never change. */
	enum sub_state state;
	int64_t parked_until; /* monotonic ms */
	unsigned busy;        /* deliveries running */
	unsigned refs;        /* the list holds one, each worker snapshot one */
};

/* A (tenant, subscriber) whose head event failed: later events wait until it succeeds or dies. */
struct retry {
	struct retry *next;
	char *tenant;
	char *name;
	uint64_t event_id;
	unsigned attempts;
	int64_t retry_at; /* monotonic ms */
};

struct replay_req {
	struct replay_req *next;
	const char *tenant;
	uint64_t id;
	int done;
	int rc;
};

struct worker {
	vocd_bus *bus;
	unsigned index;
	pthread_t thread;
	struct retry *retries;      /* only touched by this worker's thread */
	struct replay_req *replays; /* guarded by bus->mu */
	int64_t last_timer_scan;
};

struct vocd_bus {
	vocd_store *st;
	struct vocd_bus_opts o;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* workers: a commit, a replay request, stop */
	pthread_cond_t idle; /* a delivery or a replay finished */
	struct sub *subs;
	uint64_t gen; /* bumped on every commit and subscription */
	int started, stop;
	int64_t started_at; /* monotonic ms */
	struct worker *workers;
	unsigned nworkers, nthreads;
	_Atomic uint64_t delivered, retries, dead_letters, timers_fired;
};

int64_t (*vocd_bus_now_ms)(void) = vocd_now_ms;

/* Backoff runs on the monotonic clock, so tests that freeze vocd_bus_now_ms still see retries. */
static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static _Thread_local char tls_err[ERR_MAX_LEN];
static _Thread_local struct sub *tls_current; /* the subscriber whose handler runs on this thread */

void vocd_bus_set_error(const char *msg)
{
	snprintf(tls_err, sizeof tls_err, "%s", msg ? msg : "");
}

/* ---- Encoding ----------------------------------------------------------------------------------- */

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void fmt_id(char *buf, uint64_t id) { snprintf(buf, ID_LEN, "%020" PRIu64, id); }

static int parse_id(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (s == NULL || *s == '\0' || strlen(s) > 20)
		return VOCD_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return VOCD_EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Outbox rows and timers share one layout: be64 time, be16 topic length, topic, data. */
static int encode_msg(int64_t t, const char *topic, const char *data, size_t len, unsigned char **out,
                      size_t *outlen)
{
	size_t tl = strlen(topic);
	unsigned char *p = malloc(10 + tl + len);
	if (p == NULL)
		return VOCD_ENOMEM;
	put_be64(p, (uint64_t)t);
	p[8] = (unsigned char)(tl >> 8);
	p[9] = (unsigned char)tl;
	memcpy(p + 10, topic, tl);
	if (len)
		memcpy(p + 10 + tl, data, len);
	*out = p;
	*outlen = 10 + tl + len;
	return 0;
}

struct msg {
	int64_t time;
	const char *topic; /* not NUL-terminated */
	size_t topic_len;
	const char *data;
	size_t len;
};

static int decode_msg(const void *buf, size_t len, struct msg *m)
{
	const unsigned char *p = buf;
	if (len < 10)
		return VOCD_EINTERNAL;
	m->time = (int64_t)get_be64(p);
	m->topic_len = (size_t)p[8] << 8 | p[9];
	if (10 + m->topic_len > len)
		return VOCD_EINTERNAL;
	m->topic = (const char *)p + 10;
	m->data = m->topic + m->topic_len;
	m->len = len - 10 - m->topic_len;
	return 0;
}

static int topic_valid(const char *topic)
{
	size_t n = topic ? strlen(topic) : 0;
	return n > 0 && n <= TOPIC_MAX_LEN && strchr(topic, '*') == NULL;
}

static int pattern_valid(const char *p)
{
	size_t n = p ? strlen(p) : 0;
	if (n == 0 || n > TOPIC_MAX_LEN)
		return 0;
	if (strcmp(p, "*") == 0)
		return 1;
	char *star = strchr(p, '*');
	if (star == NULL)
		return 1;
	/* Only a trailing ".*" after a non-empty prefix. */
	return star == p + n - 1 && n >= 3 && p[n - 2] == '.';
}

static int topic_matches(const char *pattern, const char *topic, size_t topic_len)
{
	size_t n = strlen(pattern);
	if (n == 1 && pattern[0] == '*')
		return 1;
	if (n >= 2 && pattern[n - 1] == '*')
		return topic_len >= n && memcmp(topic, pattern, n - 1) == 0;
	return topic_len == n && memcmp(topic, pattern, n) == 0;
}

static unsigned tenant_worker(const vocd_bus *bus, const char *tenant)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)tenant; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % bus->nworkers;
}

static int sub_applies(const struct sub *s, const char *tenant)
{
	return s->tenant == NULL || strcmp(s->tenant, tenant) == 0;
}

/* Holds back outbox clean-up: subscribed, being subscribed, or recently unsubscribed. */
static int sub_counts(const struct sub *s, int64_t now)
{
	return s->state != SUB_PARKED || s->parked_until > now;
}

/* ---- Publishing and timers (inside write jobs) -------------------------------------------------- */

int vocd_bus_publish(vocd_txn *txn, const char *tenant, const char *topic, const char *data, size_t len)
{
	if (txn == NULL || tenant == NULL || *tenant == '\0' || !topic_valid(topic) || (data == NULL && len))
		return VOCD_EINVAL;
	uint64_t seq;
	int rc = vocd_seq_next(txn, tenant, T_OUTBOX, &seq);
	if (rc)
		return rc;
	unsigned char *row;
	size_t rowlen;
	if ((rc = encode_msg(vocd_bus_now_ms(), topic, data, len, &row, &rowlen)))
		return rc;
	char id[ID_LEN];
	fmt_id(id, seq);
	rc = vocd_rec_put(txn, tenant, T_OUTBOX, id, row, rowlen, NULL, 0);
	free(row);
	return rc;
}

int vocd_bus_timer_set(vocd_txn *txn, const char *tenant, const char *key, const char *topic,
                       const char *data, size_t len, int64_t due_ms)
{
	if (txn == NULL || tenant == NULL || *tenant == '\0' || key == NULL || *key == '\0' ||
	    strlen(key) > NAME_MAX_LEN || !topic_valid(topic) || (data == NULL && len))
		return VOCD_EINVAL;
	if (due_ms < 0)
		due_ms = 0;
	unsigned char *row;
	size_t rowlen;
	int rc = encode_msg(due_ms, topic, data, len, &row, &rowlen);
	if (rc)
		return rc;
	unsigned char due[8];
	put_be64(due, (uint64_t)due_ms);
	struct vocd_index_value idx = {IDX_DUE, due, sizeof due};
	rc = vocd_rec_put(txn, tenant, T_TIMER, key, row, rowlen, &idx, 1);
	free(row);
	return rc;
}

int vocd_bus_timer_cancel(vocd_txn *txn, const char *tenant, const char *key)
{
	if (txn == NULL || tenant == NULL || key == NULL)
		return VOCD_EINVAL;
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, tenant, T_TIMER, key, &data, &len);
	if (rc)
		return rc;
	return vocd_rec_del(txn, tenant, T_TIMER, key);
}

/* ---- Subscribers -------------------------------------------------------------------------------- */

static void sub_unref_locked(struct sub *s)
{
	if (--s->refs)
		return;
	free(s->name);
	free(s->tenant);
	free(s->topic);
	free(s);
}

static void unlink_sub_locked(vocd_bus *bus, struct sub *s)
{
	for (struct sub **pp = &bus->subs; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			sub_unref_locked(s);
			return;
		}
}

static struct sub *find_sub_locked(vocd_bus *bus, const char *name)
{
	for (struct sub *s = bus->subs; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static int read_cursor(vocd_txn *txn, const char *tenant, const char *name, uint64_t *out)
{
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, tenant, T_CURSOR, name, &data, &len);
	if (rc == VOCD_ENOTFOUND) {
		*out = 0; /* nothing passed yet: every row still in the outbox is for it */
		return 0;
	}
	if (rc)
		return rc;
	if (len != 8)
		return VOCD_EINTERNAL;
	*out = get_be64(data);
	return 0;
}

static int write_cursor(vocd_txn *txn, const char *tenant, const char *name, uint64_t cursor)
{
	unsigned char v[8];
	put_be64(v, cursor);
	return vocd_rec_put(txn, tenant, T_CURSOR, name, v, sizeof v, NULL, 0);
}

struct name_list {
	char **v;
	size_t n, cap;
};

static int name_list_add(struct name_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof *v);
		if (v == NULL)
			return VOCD_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return VOCD_ENOMEM;
	l->n++;
	return 0;
}

static void name_list_free(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int collect_name(const char *id, const void *data, size_t len, void *arg)
{
	return name_list_add(arg, id);
}

/* A name seen for the first time starts after every event already in the outbox; a known name keeps
 * its stored positions (a missing one means it has passed nothing in that tenant yet). */
struct register_job {
	const struct sub *sub;
};

static int register_fn(vocd_txn *txn, void *arg)
{
	const struct sub *s = ((struct register_job *)arg)->sub;
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, BUS_TENANT, T_SUB, s->name, &data, &len);
	if (rc != VOCD_ENOTFOUND)
		return rc;
	unsigned char now[8];
	put_be64(now, (uint64_t)vocd_bus_now_ms());
	if ((rc = vocd_rec_put(txn, BUS_TENANT, T_SUB, s->name, now, sizeof now, NULL, 0)))
		return rc;
	struct name_list tenants = {0};
	if (s->tenant)
		rc = name_list_add(&tenants, s->tenant);
	else
		rc = vocd_tenant_scan(txn, T_OUTBOX, collect_name, &tenants);
	for (size_t i = 0; rc == 0 && i < tenants.n; i++) {
		uint64_t next;
		/* Taking a number leaves a gap in the ids, which is harmless, and is above every row. */
		rc = vocd_seq_next(txn, tenants.v[i], T_OUTBOX, &next);
		if (rc == 0)
			rc = write_cursor(txn, tenants.v[i], s->name, next);
	}
	name_list_free(&tenants);
	return rc;
}

int vocd_bus_subscribe_tenant(vocd_bus *bus, const char *name, const char *tenant, const char *topic,
                              vocd_event_fn fn, void *ud)
{
	if (bus == NULL || name == NULL || *name == '\0' || strlen(name) > NAME_MAX_LEN || fn == NULL ||
	    !pattern_valid(topic) || (tenant && *tenant == '\0'))
		return VOCD_EINVAL;
	struct sub *s = calloc(1, sizeof *s);
	if (s == NULL)
		return VOCD_ENOMEM;
	s->name = strdup(name);
	s->topic = strdup(topic);
	s->tenant = tenant ? strdup(tenant) : NULL;
	s->fn = fn;
	s->ud = ud;
	s->state = SUB_PENDING;
	s->refs = 1;
	if (s->name == NULL || s->topic == NULL || (tenant && s->tenant == NULL)) {
		sub_unref_locked(s); /* not shared yet */
		return VOCD_ENOMEM;
	}

	pthread_mutex_lock(&bus->mu);
	struct sub *old = find_sub_locked(bus, name);
	if (old && old->state != SUB_PARKED) {
		sub_unref_locked(s);
		pthread_mutex_unlock(&bus->mu);
		return VOCD_EEXIST;
	}
	if (old)
		unlink_sub_locked(bus, old);
	/* Listed but pending: it holds back clean-up, gets nothing yet, and its name is taken. */
	s->next = bus->subs;
	bus->subs = s;
	pthread_mutex_unlock(&bus->mu);

	struct register_job job = {s};
	int rc = vocd_store_write(bus->st, register_fn, &job);

	pthread_mutex_lock(&bus->mu);
	if (rc)
		unlink_sub_locked(bus, s);
	else
		s->state = SUB_ACTIVE;
	bus->gen++;
	pthread_cond_broadcast(&bus->wake);
	pthread_mutex_unlock(&bus->mu);
	if (rc)
		vocd_error("bus: cannot subscribe %s: %s", name, vocd_strerror(rc));
	return rc;
}

int vocd_bus_subscribe(vocd_bus *bus, const char *name, const char *topic, vocd_event_fn fn, void *ud)
{
	return vocd_bus_subscribe_tenant(bus, name, NULL, topic, fn, ud);
}

int vocd_bus_unsubscribe(vocd_bus *bus, const char *name)
{
	if (bus == NULL || name == NULL)
		return VOCD_EINVAL;
	pthread_mutex_lock(&bus->mu);
	struct sub *s = find_sub_locked(bus, name);
	if (s == NULL || s->state != SUB_ACTIVE) {
		pthread_mutex_unlock(&bus->mu);
		return VOCD_ENOTFOUND;
	}
	s->state = SUB_PARKED;
	s->parked_until = mono_ms() + PARK_MS;
	/* A handler unsubscribing itself would wait for itself forever. */
	while (s->busy && tls_current != s)
		pthread_cond_wait(&bus->idle, &bus->mu);
	pthread_mutex_unlock(&bus->mu);
	return 0;
}

/* Calls the handler unless the subscriber was removed meanwhile. \return 1 if skipped. */
static int deliver(vocd_bus *bus, struct sub *s, const struct vocd_event *ev, int *result)
{
	pthread_mutex_lock(&bus->mu);
	if (s->state != SUB_ACTIVE) {
		pthread_mutex_unlock(&bus->mu);
		return 1;
	}
	s->busy++;
	pthread_mutex_unlock(&bus->mu);

	tls_err[0] = '\0';
	tls_current = s;
	int rc = s->fn(ev, s->ud);
	tls_current = NULL;
	if (rc && tls_err[0] == '\0')
		snprintf(tls_err, sizeof tls_err, "handler returned %d", rc);

	pthread_mutex_lock(&bus->mu);
	if (--s->busy == 0)
		pthread_cond_broadcast(&bus->idle);
	pthread_mutex_unlock(&bus->mu);
	*result = rc;
	return 0;
}

/* Every listed subscriber, each with a reference the caller drops with release_subs(). */
static struct sub **snapshot_subs(vocd_bus *bus, size_t *n)
{
	pthread_mutex_lock(&bus->mu);
	int64_t now = mono_ms();
	size_t count = 0;
	for (struct sub **pp = &bus->subs; *pp;) {
		struct sub *s = *pp;
		if (!sub_counts(s, now)) {
			*pp = s->next;
			sub_unref_locked(s);
			continue;
		}
		count++;
		pp = &s->next;
	}
	struct sub **v = calloc(count ? count : 1, sizeof *v);
	if (v) {
		size_t i = 0;
		for (struct sub *s = bus->subs; s; s = s->next, i++) {
			v[i] = s;
			s->refs++;
		}
	}
	pthread_mutex_unlock(&bus->mu);
	*n = v ? count : 0;
	return v;
}

static void release_subs(vocd_bus *bus, struct sub **v, size_t n)
{
	pthread_mutex_lock(&bus->mu);
	for (size_t i = 0; i < n; i++)
		sub_unref_locked(v[i]);
	pthread_mutex_unlock(&bus->mu);
	free(v);
}

/* ---- Delivery pass for one tenant --------------------------------------------------------------- */

struct event_copy {
	uint64_t id;
	int64_t time;
	char *topic;
	char *data; /* NUL-terminated copy */
	size_t len;
};

struct dead_copy {
	const char *name;
	const struct event_copy *ev;
	unsigned attempts;
	char error[ERR_MAX_LEN];
};

struct cursor_upd {
	const char *name;
	uint64_t cursor;
};

struct pass_job {
	vocd_bus *bus;
	const char *tenant;
	struct cursor_upd *cur;
	size_t ncur;
	struct dead_copy *dead;
	size_t ndead;
	int gc;
	uint64_t gc_limit_nosub; /* what may go when no subscriber applies */
	int64_t now;
};

static int scan_events(const char *id, const void *data, size_t len, void *arg)
{
	struct { struct event_copy *v; size_t n; } *out = arg;
	struct msg m;
	uint64_t seq;
	if (parse_id(id, &seq) || decode_msg(data, len, &m)) {
		vocd_warn("bus: skipping a malformed outbox row %s", id);
		return 0;
	}
	struct event_copy *e = &out->v[out->n];
	e->id = seq;
	e->time = m.time;
	e->topic = strndup(m.topic, m.topic_len);
	e->data = malloc(m.len + 1);
	if (e->topic == NULL || e->data == NULL) {
		free(e->topic);
		free(e->data);
		return VOCD_ENOMEM;
	}
	memcpy(e->data, m.data, m.len);
	e->data[m.len] = '\0';
	e->len = m.len;
	return ++out->n == BATCH ? 1 : 0;
}

struct id_scan {
	uint64_t limit; /* stop after this id */
	uint64_t first, last;
	size_t n, max;
	char (*ids)[ID_LEN]; /* NULL: only count */
};

static int scan_ids(const char *id, const void *data, size_t len, void *arg)
{
	struct id_scan *s = arg;
	uint64_t seq;
	if (parse_id(id, &seq))
		return 0;
	if (seq > s->limit)
		return 1;
	if (s->n == 0)
		s->first = seq;
	s->last = seq;
	if (s->ids)
		memcpy(s->ids[s->n], id, ID_LEN);
	return ++s->n == s->max ? 1 : 0;
}

static int json_dead(struct dead_copy *d, char **out)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL)
		return VOCD_ENOMEM;
	cJSON_AddStringToObject(o, "subscriber", d->name);
	cJSON_AddStringToObject(o, "topic", d->ev->topic);
	cJSON_AddNumberToObject(o, "event_id", (double)d->ev->id);
	cJSON_AddNumberToObject(o, "event_time", (double)d->ev->time);
	cJSON_AddStringToObject(o, "data", d->ev->data);
	cJSON_AddNumberToObject(o, "attempts", d->attempts);
	if (d->error[0])
		cJSON_AddStringToObject(o, "error", d->error);
	else
		cJSON_AddNullToObject(o, "error");
	cJSON_AddNumberToObject(o, "time", (double)vocd_bus_now_ms());
	*out = vocd_json_print(o, NULL);
	cJSON_Delete(o);
	return *out ? 0 : VOCD_ENOMEM;
}

static int pass_fn(vocd_txn *txn, void *arg)
{
	struct pass_job *j = arg;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j->ncur; i++)
		rc = write_cursor(txn, j->tenant, j->cur[i].name, j->cur[i].cursor);
	for (size_t i = 0; rc == 0 && i < j->ndead; i++) {
		uint64_t seq;
		char id[ID_LEN], *text;
		if ((rc = vocd_seq_next(txn, j->tenant, T_DEAD, &seq)))
			break;
		fmt_id(id, seq);
		if ((rc = json_dead(&j->dead[i], &text)))
			break;
		rc = vocd_rec_put(txn, j->tenant, T_DEAD, id, text, strlen(text), NULL, 0);
		free(text);
	}
	if (rc || !j->gc)
		return rc;

	/* Rows every subscriber that counts has passed go; positions are read in this transaction, so a
	 * subscriber that joined since the pass began is taken into account. */
	vocd_bus *bus = j->bus;
	uint64_t limit = UINT64_MAX;
	int any = 0;
	pthread_mutex_lock(&bus->mu);
	for (struct sub *s = bus->subs; rc == 0 && s; s = s->next) {
		if (!sub_applies(s, j->tenant) || !sub_counts(s, j->now))
			continue;
		uint64_t c;
		if ((rc = read_cursor(txn, j->tenant, s->name, &c)) == 0 && c < limit)
			limit = c;
		any = 1;
	}
	int started = bus->started;
	pthread_mutex_unlock(&bus->mu);
	if (rc)
		return rc;
	if (!any)
		limit = started && j->now - bus->started_at >= PARK_MS ? j->gc_limit_nosub : 0;
	if (limit == 0)
		return 0;
	struct id_scan sc = {.limit = limit, .max = GC_MAX};
	if ((sc.ids = malloc(GC_MAX * sizeof *sc.ids)) == NULL)
		return VOCD_ENOMEM;
	rc = vocd_rec_scan(txn, j->tenant, T_OUTBOX, NULL, scan_ids, &sc);
	for (size_t i = 0; rc >= 0 && i < sc.n; i++)
		rc = vocd_rec_del(txn, j->tenant, T_OUTBOX, sc.ids[i]);
	free(sc.ids);
	return rc < 0 ? rc : 0;
}

static struct retry *find_retry(struct worker *w, const char *tenant, const char *name)
{
	for (struct retry *r = w->retries; r; r = r->next)
		if (strcmp(r->tenant, tenant) == 0 && strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

static void drop_retry(struct worker *w, struct retry *r)
{
	for (struct retry **pp = &w->retries; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			free(r->tenant);
			free(r->name);
			free(r);
			return;
		}
}

static int64_t backoff_ms(const vocd_bus *bus, unsigned attempt)
{
	int64_t d = bus->o.backoff_ms;
	for (unsigned i = 1; i < attempt && d < bus->o.backoff_max_ms; i++)
		d *= 2;
	return d < bus->o.backoff_max_ms ? d : bus->o.backoff_max_ms;
}

/* Delivers what is pending in one tenant to its subscribers, then records positions, dead letters
 * and clean-up in one write job. */
static int process_tenant(struct worker *w, const char *tenant, struct sub **subs, size_t nsubs)
{
	vocd_bus *bus = w->bus;
	int64_t now = mono_ms();
	struct sub **app = calloc(nsubs ? nsubs : 1, sizeof *app);
	uint64_t *cur = calloc(nsubs ? nsubs : 1, sizeof *cur);
	struct cursor_upd *upd = calloc(nsubs ? nsubs : 1, sizeof *upd);
	struct dead_copy *dead = NULL;
	struct { struct event_copy *v; size_t n; } evs = {calloc(BATCH, sizeof(struct event_copy)), 0};
	size_t napp = 0, nupd = 0, ndead = 0;
	int rc = VOCD_ENOMEM;
	if (app == NULL || cur == NULL || upd == NULL || evs.v == NULL)
		goto out;

	pthread_mutex_lock(&bus->mu);
	for (size_t i = 0; i < nsubs; i++)
		if (sub_applies(subs[i], tenant) && sub_counts(subs[i], now))
			app[napp++] = subs[i];
	pthread_mutex_unlock(&bus->mu);

	vocd_txn *txn;
	if ((rc = vocd_store_read(bus->st, &txn)))
		goto out;
	uint64_t start = UINT64_MAX;
	for (size_t i = 0; rc == 0 && i < napp; i++) {
		if ((rc = read_cursor(txn, tenant, app[i]->name, &cur[i])))
			break;
		struct retry *r = find_retry(w, tenant, app[i]->name);
		int blocked = r && r->retry_at > now;
		if (app[i]->state == SUB_ACTIVE && !blocked && cur[i] < start)
			start = cur[i];
	}
	struct id_scan head = {.limit = UINT64_MAX, .max = napp ? 1 : GC_MAX};
	if (rc == 0)
		rc = vocd_rec_scan(txn, tenant, T_OUTBOX, NULL, scan_ids, &head);
	if (rc >= 0 && start != UINT64_MAX) {
		char from[ID_LEN];
		fmt_id(from, start + 1);
		rc = vocd_rec_scan(txn, tenant, T_OUTBOX, from, scan_events, &evs);
	}
	vocd_txn_end(txn);
	if (rc < 0)
		goto out;
	rc = 0;
	if ((dead = calloc(napp * (evs.n ? evs.n : 1) + 1, sizeof *dead)) == NULL) {
		rc = VOCD_ENOMEM;
		goto out;
	}

	for (size_t i = 0; i < napp; i++) {
		struct sub *s = app[i];
		uint64_t c = cur[i];
		if (s->state != SUB_ACTIVE) /* racy read, rechecked by deliver() */
			continue;
		/* The events read start after `start`; a subscriber behind it (one waiting to retry) must not be
		 * handed later events, or the one it waits on would be skipped. It is served on a later pass. */
		if (c < start)
			continue;
		struct retry *r = find_retry(w, tenant, s->name);
		for (size_t k = 0; k < evs.n; k++) {
			const struct event_copy *e = &evs.v[k];
			if (e->id <= c)
				continue;
			if (!topic_matches(s->topic, e->topic, strlen(e->topic))) {
				c = e->id;
				continue;
			}
			unsigned attempt = 1;
			if (r && r->event_id == e->id) {
				if (r->retry_at > mono_ms())
					break;
				attempt = r->attempts + 1;
			} else if (r) {
				drop_retry(w, r);
				r = NULL;
			}
			struct vocd_event ev = {e->id, tenant, e->topic, e->data, e->len, e->time, attempt};
			int res;
			if (deliver(bus, s, &ev, &res))
				break;
			if (res == 0) {
				c = e->id;
				atomic_fetch_add(&bus->delivered, 1);
			} else if (attempt >= bus->o.max_attempts) {
				struct dead_copy *d = &dead[ndead++];
				d->name = s->name;
				d->ev = e;
				d->attempts = attempt;
				snprintf(d->error, sizeof d->error, "%s", tls_err);
				vocd_warn("bus: %s: event %" PRIu64 " (%s) failed %u times for %s, now a dead letter: %s",
				          tenant, e->id, e->topic, attempt, s->name, tls_err);
				c = e->id;
			} else {
				if (r == NULL) {
					if ((r = calloc(1, sizeof *r)) == NULL || (r->tenant = strdup(tenant)) == NULL ||
					    (r->name = strdup(s->name)) == NULL) {
						if (r) {
							free(r->tenant);
							free(r);
						}
						r = NULL;
						break; /* tried again on the next pass */
					}
					r->next = w->retries;
					w->retries = r;
				}
				r->event_id = e->id;
				r->attempts = attempt;
				r->retry_at = mono_ms() + backoff_ms(bus, attempt);
				atomic_fetch_add(&bus->retries, 1);
				break;
			}
			if (r) {
				drop_retry(w, r);
				r = NULL;
			}
		}
		if (c != cur[i]) {
			upd[nupd].name = s->name;
			upd[nupd++].cursor = c;
			cur[i] = c;
		}
	}

	/* Clean-up is due when the oldest row is at or below every position that counts. */
	uint64_t limit = UINT64_MAX;
	for (size_t i = 0; i < napp; i++)
		if (cur[i] < limit)
			limit = cur[i];
	int gc = head.n > 0 && (napp ? head.first <= limit : now - bus->started_at >= PARK_MS);
	if (nupd || ndead || gc) {
		struct pass_job job = {bus, tenant, upd, nupd, dead, ndead, gc, head.last, now};
		rc = vocd_store_write(bus->st, pass_fn, &job);
		if (rc)
			vocd_error("bus: %s: cannot record delivery positions: %s (events will be redelivered)", tenant,
			           vocd_strerror(rc));
		else
			atomic_fetch_add(&bus->dead_letters, ndead);
	}

out:
	for (size_t k = 0; evs.v && k < evs.n; k++) {
		free(evs.v[k].topic);
		free(evs.v[k].data);
	}
	free(evs.v);
	free(dead);
	free(upd);
	free(cur);
	free(app);
	return rc;
}

/* ---- Timers ------------------------------------------------------------------------------------- */

struct due_scan {
	int64_t now;
	struct name_list keys;
};

static int scan_due(const char *id, const void *data, size_t len, void *arg)
{
	struct due_scan *d = arg;
	struct msg m;
	if (decode_msg(data, len, &m))
		return 0;
	if (m.time > d->now)
		return 1; /* in due order: the rest are later */
	int rc = name_list_add(&d->keys, id);
	if (rc)
		return rc;
	return d->keys.n == TIMER_BATCH ? 1 : 0;
}

struct fire_job {
	const char *tenant;
	struct name_list *keys;
	int64_t now;
	size_t fired;
};

/* Publish and delete in one transaction: a timer fires exactly once, even across a crash. */
static int fire_fn(vocd_txn *txn, void *arg)
{
	struct fire_job *j = arg;
	j->fired = 0;
	for (size_t i = 0; i < j->keys->n; i++) {
		const void *data;
		size_t len;
		struct msg m;
		int rc = vocd_rec_get(txn, j->tenant, T_TIMER, j->keys->v[i], &data, &len);
		if (rc == VOCD_ENOTFOUND)
			continue; /* cancelled meanwhile */
		if (rc)
			return rc;
		if (decode_msg(data, len, &m)) {
			vocd_warn("bus: %s: dropping malformed timer %s", j->tenant, j->keys->v[i]);
			if ((rc = vocd_rec_del(txn, j->tenant, T_TIMER, j->keys->v[i])))
				return rc;
			continue;
		}
		if (m.time > j->now)
			continue; /* set again, to a later time */
		char topic[TOPIC_MAX_LEN + 1];
		memcpy(topic, m.topic, m.topic_len);
		topic[m.topic_len] = '\0';
		/* Copy the data out: the record's memory may not survive the writes below. */
		char *copy = malloc(m.len + 1);
		if (copy == NULL)
			return VOCD_ENOMEM;
		memcpy(copy, m.data, m.len);
		size_t dlen = m.len;
		rc = vocd_rec_del(txn, j->tenant, T_TIMER, j->keys->v[i]);
		if (rc == 0)
			rc = vocd_bus_publish(txn, j->tenant, topic, copy, dlen);
		free(copy);
		if (rc)
			return rc;
		j->fired++;
	}
	return 0;
}

static void fire_timers(struct worker *w)
{
	vocd_bus *bus = w->bus;
	struct name_list tenants = {0};
	vocd_txn *txn;
	if (vocd_store_read(bus->st, &txn))
		return;
	struct name_list all = {0};
	int rc = vocd_tenant_scan(txn, T_TIMER, collect_name, &all);
	for (size_t i = 0; rc >= 0 && i < all.n; i++)
		if (tenant_worker(bus, all.v[i]) == w->index)
			rc = name_list_add(&tenants, all.v[i]);
	name_list_free(&all);
	int64_t now = vocd_bus_now_ms();
	struct due_scan *due = calloc(tenants.n ? tenants.n : 1, sizeof *due);
	for (size_t i = 0; due && rc >= 0 && i < tenants.n; i++) {
		due[i].now = now;
		rc = vocd_index_scan(txn, tenants.v[i], T_TIMER, IDX_DUE, NULL, 0, scan_due, &due[i]);
	}
	vocd_txn_end(txn);
	for (size_t i = 0; due && i < tenants.n; i++) {
		if (rc >= 0 && due[i].keys.n) {
			struct fire_job job = {tenants.v[i], &due[i].keys, now, 0};
			int wrc = vocd_store_write(bus->st, fire_fn, &job);
			if (wrc)
				vocd_error("bus: %s: cannot fire timers: %s", tenants.v[i], vocd_strerror(wrc));
			else
				atomic_fetch_add(&bus->timers_fired, job.fired);
		}
		name_list_free(&due[i].keys);
	}
	free(due);
	name_list_free(&tenants);
}

/* ---- Dead letters and replay -------------------------------------------------------------------- */

struct dead_update {
	const char *tenant;
	const char *id;
	const char *text; /* NULL: delete */
};

static int dead_update_fn(vocd_txn *txn, void *arg)
{
	struct dead_update *u = arg;
	if (u->text == NULL)
		return vocd_rec_del(txn, u->tenant, T_DEAD, u->id);
	return vocd_rec_put(txn, u->tenant, T_DEAD, u->id, u->text, strlen(u->text), NULL, 0);
}

static int do_replay(vocd_bus *bus, const char *tenant, uint64_t seq)
{
	char id[ID_LEN];
	fmt_id(id, seq);
	vocd_txn *txn;
	const void *data;
	size_t len;
	int rc = vocd_store_read(bus->st, &txn);
	if (rc)
		return rc;
	cJSON *o = NULL;
	if ((rc = vocd_rec_get(txn, tenant, T_DEAD, id, &data, &len)) == 0 &&
	    (o = cJSON_ParseWithLength(data, len)) == NULL)
		rc = VOCD_EINTERNAL;
	vocd_txn_end(txn);
	if (rc)
		return rc;

	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "subscriber"));
	const char *topic = cJSON_GetStringValue(cJSON_GetObjectItem(o, "topic"));
	const char *payload = cJSON_GetStringValue(cJSON_GetObjectItem(o, "data"));
	cJSON *eid = cJSON_GetObjectItem(o, "event_id"), *etime = cJSON_GetObjectItem(o, "event_time");
	if (name == NULL || topic == NULL || payload == NULL || !cJSON_IsNumber(eid)) {
		cJSON_Delete(o);
		return VOCD_EINTERNAL;
	}
	pthread_mutex_lock(&bus->mu);
	struct sub *s = find_sub_locked(bus, name);
	if (s && s->state == SUB_ACTIVE)
		s->refs++;
	else
		s = NULL;
	pthread_mutex_unlock(&bus->mu);
	if (s == NULL) {
		cJSON_Delete(o);
		return VOCD_ENOTFOUND; /* its subscriber is not subscribed now */
	}

	struct vocd_event ev = {(uint64_t)cJSON_GetNumberValue(eid), tenant, topic, payload, strlen(payload),
	                        cJSON_IsNumber(etime) ? (int64_t)cJSON_GetNumberValue(etime) : 0, 1};
	int res;
	if (deliver(bus, s, &ev, &res)) {
		rc = VOCD_ENOTFOUND;
	} else if (res == 0) {
		struct dead_update u = {tenant, id, NULL};
		rc = vocd_store_write(bus->st, dead_update_fn, &u);
		atomic_fetch_add(&bus->delivered, 1);
	} else {
		/* Still failing: the dead letter stays, with the new error and the attempt count started over. */
		cJSON_ReplaceItemInObject(o, "attempts", cJSON_CreateNumber(1));
		cJSON_ReplaceItemInObject(o, "error", cJSON_CreateString(tls_err));
		cJSON_ReplaceItemInObject(o, "time", cJSON_CreateNumber((double)vocd_bus_now_ms()));
		char *text = vocd_json_print(o, NULL);
		struct dead_update u = {tenant, id, text};
		rc = text ? vocd_store_write(bus->st, dead_update_fn, &u) : VOCD_ENOMEM;
		free(text);
		if (rc == 0)
			rc = VOCD_EPLUGIN;
	}
	pthread_mutex_lock(&bus->mu);
	sub_unref_locked(s);
	pthread_mutex_unlock(&bus->mu);
	cJSON_Delete(o);
	return rc;
}

int vocd_bus_replay(vocd_bus *bus, const char *tenant, const char *dead_letter_id)
{
	uint64_t seq;
	if (bus == NULL || tenant == NULL || *tenant == '\0')
		return VOCD_EINVAL;
	if (parse_id(dead_letter_id, &seq))
		return VOCD_ENOTFOUND; /* no dead letter can have that id */
	pthread_mutex_lock(&bus->mu);
	if (!bus->started || bus->stop) {
		pthread_mutex_unlock(&bus->mu);
		return do_replay(bus, tenant, seq);
	}
	/* The tenant's worker delivers it, so handlers always run on bus threads. */
	struct replay_req req = {.tenant = tenant, .id = seq};
	struct worker *w = &bus->workers[tenant_worker(bus, tenant)];
	req.next = w->replays;
	w->replays = &req;
	pthread_cond_broadcast(&bus->wake);
	while (!req.done)
		pthread_cond_wait(&bus->idle, &bus->mu);
	pthread_mutex_unlock(&bus->mu);
	return req.rc;
}

static int collect_dead(const char *id, const void *data, size_t len, void *arg)
{
	uint64_t seq;
	cJSON *o = cJSON_ParseWithLength(data, len);
	if (o == NULL || parse_id(id, &seq)) {
		cJSON_Delete(o);
		return 0;
	}
	char num[ID_LEN];
	snprintf(num, sizeof num, "%" PRIu64, seq);
	cJSON_AddItemToObject(o, "id", cJSON_CreateString(num));
	/* The payload is JSON text: show it as JSON when it parses. */
	const char *payload = cJSON_GetStringValue(cJSON_GetObjectItem(o, "data"));
	cJSON *parsed = payload ? cJSON_Parse(payload) : NULL;
	if (parsed)
		cJSON_ReplaceItemInObject(o, "data", parsed);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

int vocd_bus_dead_letters(vocd_bus *bus, const char *tenant, cJSON **out)
{
	if (bus == NULL || tenant == NULL || out == NULL)
		return VOCD_EINVAL;
	cJSON *arr = cJSON_CreateArray();
	if (arr == NULL)
		return VOCD_ENOMEM;
	vocd_txn *txn;
	int rc = vocd_store_read(bus->st, &txn);
	if (rc == 0) {
		rc = vocd_rec_scan(txn, tenant, T_DEAD, NULL, collect_dead, arr);
		vocd_txn_end(txn);
	}
	if (rc < 0) {
		cJSON_Delete(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

/* ---- Workers ------------------------------------------------------------------------------------ */

static void run_pass(struct worker *w)
{
	vocd_bus *bus = w->bus;
	size_t nsubs;
	struct sub **subs = snapshot_subs(bus, &nsubs);
	if (subs == NULL)
		return;
	struct name_list all = {0};
	vocd_txn *txn;
	if (vocd_store_read(bus->st, &txn) == 0) {
		vocd_tenant_scan(txn, T_OUTBOX, collect_name, &all);
		vocd_txn_end(txn);
	}
	for (size_t i = 0; i < all.n; i++)
		if (tenant_worker(bus, all.v[i]) == w->index)
			process_tenant(w, all.v[i], subs, nsubs);
	name_list_free(&all);

	/* Retry states of subscribers that are gone would only wake us for nothing. */
	for (struct retry *r = w->retries, *next; r; r = next) {
		next = r->next;
		int known = 0;
		for (size_t i = 0; i < nsubs && !known; i++)
			known = strcmp(subs[i]->name, r->name) == 0;
		if (!known)
			drop_retry(w, r);
	}
	release_subs(bus, subs, nsubs);

	int64_t now = mono_ms();
	if (now - w->last_timer_scan >= bus->o.timer_poll_ms) {
		w->last_timer_scan = now;
		fire_timers(w);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	vocd_bus *bus = w->bus;
	pthread_mutex_lock(&bus->mu);
	while (!bus->stop) {
		while (w->replays) {
			struct replay_req *req = w->replays;
			w->replays = req->next;
			pthread_mutex_unlock(&bus->mu);
			int rc = do_replay(bus, req->tenant, req->id);
			pthread_mutex_lock(&bus->mu);
			req->rc = rc;
			req->done = 1;
			pthread_cond_broadcast(&bus->idle);
		}
		uint64_t seen = bus->gen;
		pthread_mutex_unlock(&bus->mu);

		run_pass(w);

		int64_t now = mono_ms();
		int64_t wait = bus->o.timer_poll_ms - (now - w->last_timer_scan);
		for (struct retry *r = w->retries; r; r = r->next)
			if (r->retry_at - now < wait)
				wait = r->retry_at - now;
		pthread_mutex_lock(&bus->mu);
		if (bus->stop || bus->gen != seen || w->replays || wait <= 0)
			continue;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += wait / 1000;
		ts.tv_nsec += (long)(wait % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&bus->wake, &bus->mu, &ts);
	}
	/* Nobody will serve what is still queued. */
	for (struct replay_req *req; (req = w->replays);) {
		w->replays = req->next;
		req->rc = VOCD_ESHUTDOWN;
		req->done = 1;
	}
	pthread_cond_broadcast(&bus->idle);
	pthread_mutex_unlock(&bus->mu);
	return NULL;
}

static void on_commit(void *arg)
{
	vocd_bus *bus = arg;
	pthread_mutex_lock(&bus->mu);
	bus->gen++;
	pthread_cond_broadcast(&bus->wake);
	pthread_mutex_unlock(&bus->mu);
}

/* ---- Life cycle --------------------------------------------------------------------------------- */

int vocd_bus_create(vocd_bus **out, vocd_store *st, const struct vocd_bus_opts *opts)
{
	if (out == NULL || st == NULL)
		return VOCD_EINVAL;
	vocd_bus *bus = calloc(1, sizeof *bus);
	if (bus == NULL)
		return VOCD_ENOMEM;
	if (opts)
		bus->o = *opts;
	if (bus->o.workers == 0)
		bus->o.workers = 2;
	if (bus->o.max_attempts == 0)
		bus->o.max_attempts = 8;
	if (bus->o.backoff_ms == 0)
		bus->o.backoff_ms = 100;
	if (bus->o.backoff_max_ms == 0)
		bus->o.backoff_max_ms = 60000;
	if (bus->o.backoff_max_ms < bus->o.backoff_ms)
		bus->o.backoff_max_ms = bus->o.backoff_ms;
	if (bus->o.timer_poll_ms == 0)
		bus->o.timer_poll_ms = 200;
	bus->st = st;
	bus->nworkers = bus->o.workers;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&bus->mu, NULL);
	pthread_cond_init(&bus->wake, &ca);
	pthread_cond_init(&bus->idle, NULL);
	pthread_condattr_destroy(&ca);
	bus->workers = calloc(bus->nworkers, sizeof *bus->workers);
	if (bus->workers == NULL) {
		vocd_bus_destroy(bus);
		return VOCD_ENOMEM;
	}
	for (unsigned i = 0; i < bus->nworkers; i++) {
		bus->workers[i].bus = bus;
		bus->workers[i].index = i;
		bus->workers[i].last_timer_scan = INT64_MIN / 2;
	}
	vocd_store_on_commit(st, on_commit, bus);
	*out = bus;
	return 0;
}

int vocd_bus_start(vocd_bus *bus)
{
	if (bus == NULL)
		return VOCD_EINVAL;
	pthread_mutex_lock(&bus->mu);
	if (bus->started || bus->stop) {
		pthread_mutex_unlock(&bus->mu);
		return VOCD_EINVAL;
	}
	bus->started = 1;
	bus->started_at = mono_ms();
	pthread_mutex_unlock(&bus->mu);
	for (; bus->nthreads < bus->nworkers; bus->nthreads++) {
		if (pthread_create(&bus->workers[bus->nthreads].thread, NULL, worker_main,
		                   &bus->workers[bus->nthreads])) {
			vocd_error("bus: cannot start a worker thread");
			pthread_mutex_lock(&bus->mu);
			bus->stop = 1; /* the bus stays stopped; destroy joins what was started */
			pthread_cond_broadcast(&bus->wake);
			pthread_mutex_unlock(&bus->mu);
			return VOCD_EINTERNAL;
		}
	}
	return 0;
}

static int noop_fn(vocd_txn *txn, void *arg) { return 0; }

void vocd_bus_destroy(vocd_bus *bus)
{
	if (bus == NULL)
		return;
	if (bus->workers) {
		vocd_store_on_commit(bus->st, NULL, NULL);
		/* The writer may be calling on_commit right now; once a later batch is through, it is not. */
		vocd_store_write(bus->st, noop_fn, NULL);
	}
	pthread_mutex_lock(&bus->mu);
	bus->stop = 1;
	pthread_cond_broadcast(&bus->wake);
	pthread_mutex_unlock(&bus->mu);
	for (unsigned i = 0; i < bus->nthreads; i++)
		pthread_join(bus->workers[i].thread, NULL);
	for (unsigned i = 0; bus->workers && i < bus->nworkers; i++)
		while (bus->workers[i].retries)
			drop_retry(&bus->workers[i], bus->workers[i].retries);
	while (bus->subs)
		unlink_sub_locked(bus, bus->subs);
	pthread_cond_destroy(&bus->wake);
	pthread_cond_destroy(&bus->idle);
	pthread_mutex_destroy(&bus->mu);
	free(bus->workers);
	free(bus);
}

/* ---- Statistics --------------------------------------------------------------------------------- */

void vocd_bus_get_stats(vocd_bus *bus, struct vocd_bus_stats *out)
{
	memset(out, 0, sizeof *out);
	if (bus == NULL)
		return;
	out->delivered = atomic_load(&bus->delivered);
	out->retries = atomic_load(&bus->retries);
	out->dead_letters = atomic_load(&bus->dead_letters);
	out->timers_fired = atomic_load(&bus->timers_fired);

	/* Backlog: per tenant, the rows after the furthest-behind subscriber's position. */
	vocd_txn *txn;
	if (vocd_store_read(bus->st, &txn))
		return;
	struct name_list tenants = {0};
	vocd_tenant_scan(txn, T_OUTBOX, collect_name, &tenants);
	int64_t now = mono_ms();
	for (size_t i = 0; i < tenants.n; i++) {
		uint64_t limit = UINT64_MAX;
		pthread_mutex_lock(&bus->mu);
		for (struct sub *s = bus->subs; s; s = s->next) {
			uint64_t c;
			if (sub_applies(s, tenants.v[i]) && sub_counts(s, now) &&
			    read_cursor(txn, tenants.v[i], s->name, &c) == 0 && c < limit)
				limit = c;
		}
		pthread_mutex_unlock(&bus->mu);
		if (limit == UINT64_MAX)
			limit = 0;
		char from[ID_LEN];
		fmt_id(from, limit + 1);
		struct id_scan sc = {.limit = UINT64_MAX, .max = SIZE_MAX};
		vocd_rec_scan(txn, tenants.v[i], T_OUTBOX, from, scan_ids, &sc);
		out->backlog += sc.n;
	}
	name_list_free(&tenants);
	vocd_txn_end(txn);
}

/* Tests of core/bus.c: transactional publish, ordered at-least-once delivery, topic matching, retries,
 * dead letters and replay, restarts, durable timers and the backlog, against a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "error.h"
#include "store.h"

/* ---- Helpers ------------------------------------------------------------------------------------ */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct got {
	uint64_t id;
	char tenant[32];
	char topic[64];
	char data[128];
	unsigned attempt;
	int64_t at; /* monotonic ms */
	pthread_t thread;
};

/* A recording subscriber; how it answers is set by the test. */
struct rec {
	pthread_mutex_t mu;
	struct got v[512];
	int n;
	int fail_first;          /* fail this many deliveries, then succeed */
	const char *fail_topic;  /* always fail this topic (while fixed == 0) */
	atomic_int fixed;
	atomic_int hold_ms;      /* sleep in the handler */
	atomic_int in_handler, finished;
};

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
}

static int rec_count(struct rec *r)
{
	pthread_mutex_lock(&r->mu);
	int n = r->n;
	pthread_mutex_unlock(&r->mu);
	return n;
}

static int on_event(const struct vocd_event *ev, void *ud)
{
	struct rec *r = ud;
	atomic_store(&r->in_handler, 1);
	if (atomic_load(&r->hold_ms))
		sleep_ms(atomic_load(&r->hold_ms));
	pthread_mutex_lock(&r->mu);
	if (r->n == 512) { /* more than any test sends: the count assertions will fail */
		pthread_mutex_unlock(&r->mu);
		return 0;
	}
	struct got *g = &r->v[r->n++];
	g->id = ev->id;
	snprintf(g->tenant, sizeof g->tenant, "%s", ev->tenant);
	snprintf(g->topic, sizeof g->topic, "%s", ev->topic);
	snprintf(g->data, sizeof g->data, "%.*s", (int)ev->len, ev->data);
	g->attempt = ev->attempt;
	g->at = mono_ms();
	g->thread = pthread_self();
	int rc = 0;
	if (r->fail_first > 0) {
		r->fail_first--;
		rc = 1;
	}
	if (r->fail_topic && strcmp(ev->topic, r->fail_topic) == 0 && !atomic_load(&r->fixed)) {
		vocd_bus_set_error("boom");
		rc = VOCD_EPLUGIN;
	}
	pthread_mutex_unlock(&r->mu);
	atomic_store(&r->finished, 1);
	return rc;
}

/* Waits up to \p ms for the subscriber to have seen \p n events. */
static int wait_count(struct rec *r, int n, int ms)
{
	int64_t end = mono_ms() + ms;
	while (rec_count(r) < n && mono_ms() < end)
		sleep_ms(5);
	return rec_count(r);
}

static uint64_t backlog(vocd_bus *bus)
{
	struct vocd_bus_stats s;
	vocd_bus_get_stats(bus, &s);
	return s.backlog;
}

static int wait_backlog_zero(vocd_bus *bus, int ms)
{
	int64_t end = mono_ms() + ms;
	while (backlog(bus) != 0 && mono_ms() < end)
		sleep_ms(5);
	return backlog(bus) == 0;
}

struct env {
	char dir[64];
	vocd_store *st;
	vocd_bus *bus;
};

static void open_store(struct env *e)
{
	struct vocd_store_opts so = {.no_sync = 1};
	assert_int_equal(vocd_store_open(&e->st, e->dir, &so), 0);
}

static void env_setup(struct env *e, const struct vocd_bus_opts *bo)
{
	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/vocd-test-bus-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	open_store(e);
	assert_int_equal(vocd_bus_create(&e->bus, e->st, bo), 0);
}

static void env_teardown(struct env *e)
{
	vocd_bus_destroy(e->bus);
	vocd_store_close(e->st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
}

/* A write job publishing a list of (tenant, topic, data), then returning \p result. */
struct pub {
	const char *tenant, *topic, *data;
};

struct pub_job {
	const struct pub *p;
	size_t n;
	int result;
};

static int pub_fn(vocd_txn *txn, void *arg)
{
	struct pub_job *j = arg;
	for (size_t i = 0; i < j->n; i++) {
		int rc = vocd_bus_publish(txn, j->p[i].tenant, j->p[i].topic, j->p[i].data, strlen(j->p[i].data));
		if (rc)
			return rc;
	}
	return j->result;
}

static int publish(vocd_store *st, const char *tenant, const char *topic, const char *data)
{
	struct pub p = {tenant, topic, data};
	struct pub_job j = {&p, 1, 0};
	return vocd_store_write(st, pub_fn, &j);
}

static int count_rows(const char *id, const void *data, size_t len, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int outbox_rows(vocd_store *st, const char *tenant)
{
	vocd_txn *txn;
	int n = 0;
	assert_int_equal(vocd_store_read(st, &txn), 0);
	assert_true(vocd_rec_scan(txn, tenant, "bus.outbox", NULL, count_rows, &n) >= 0);
	vocd_txn_end(txn);
	return n;
}

/* ---- Tests -------------------------------------------------------------------------------------- */

static void test_failed_job_publishes_nothing(void **state)
{
	struct env e;
	struct rec r;
	rec_init(&r);
	env_setup(&e, &(struct vocd_bus_opts){.timer_poll_ms = 20});
	assert_int_equal(vocd_bus_subscribe(e.bus, "s", "*", on_event, &r), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	struct pub p[] = {{"t1", "a.rolled_back", "{\"n\":1}"}, {"t1", "a.rolled_back", "{\"n\":2}"}};
	struct pub_job j = {p, 2, VOCD_EUNPROC};
	assert_int_equal(vocd_store_write(e.st, pub_fn, &j), VOCD_EUNPROC);
	assert_int_equal(publish(e.st, "t1", "a.kept", "{\"n\":3}"), 0);

	assert_int_equal(wait_count(&r, 1, 5000), 1);
	sleep_ms(150); /* anything else would have arrived by now */
	assert_int_equal(rec_count(&r), 1);
	assert_string_equal(r.v[0].topic, "a.kept");
	assert_string_equal(r.v[0].data, "{\"n\":3}");
	assert_string_equal(r.v[0].tenant, "t1");
	assert_int_equal(r.v[0].attempt, 1);
	assert_true(wait_backlog_zero(e.bus, 5000));
	assert_int_equal(outbox_rows(e.st, "t1"), 0);

	/* Publishing outside what a topic may be is refused. */
	struct pub bad = {"t1", "a.*", "{}"};
	struct pub_job jb = {&bad, 1, 0};
	assert_int_equal(vocd_store_write(e.st, pub_fn, &jb), VOCD_EINVAL);
	env_teardown(&e);
}

static void test_order_per_tenant_two_workers(void **state)
{
	struct env e;
	struct rec r;
	rec_init(&r);
	env_setup(&e, &(struct vocd_bus_opts){.workers = 2, .timer_poll_ms = 20});
	assert_int_equal(vocd_bus_subscribe(e.bus, "s", "*", on_event, &r), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	const char *tenants[] = {"alpha", "beta", "gamma"};
	char data[3][100][16];
	for (int i = 0; i < 100; i++) {
		/* Interleaved within jobs and across jobs. */
		struct pub p[3];
		for (int t = 0; t < 3; t++) {
			snprintf(data[t][i], sizeof data[t][i], "%d", i);
			p[t] = (struct pub){tenants[t], "seq.step", data[t][i]};
		}
		struct pub_job j = {p, i % 2 ? 3 : 2, 0};
		assert_int_equal(vocd_store_write(e.st, pub_fn, &j), 0);
	}
	int want = 100 + 100 + 50;
	assert_int_equal(wait_count(&r, want, 15000), want);
	sleep_ms(100);
	assert_int_equal(rec_count(&r), want);

	pthread_t threads[3];
	for (int t = 0; t < 3; t++) {
		/* alpha and beta got every step, gamma the odd ones: each in publish order, on one thread. */
		int next = t == 2 ? 1 : 0, step = t == 2 ? 2 : 1, seen = 0;
		uint64_t last_id = 0;
		pthread_t thread = 0;
		for (int i = 0; i < r.n; i++) {
			if (strcmp(r.v[i].tenant, tenants[t]) != 0)
				continue;
			assert_int_equal(atoi(r.v[i].data), next);
			next += step;
			seen++;
			assert_true(r.v[i].id > last_id);
			last_id = r.v[i].id;
			if (seen == 1)
				thread = r.v[i].thread;
			assert_true(pthread_equal(thread, r.v[i].thread));
		}
		assert_int_equal(seen, t == 2 ? 50 : 100);
		threads[t] = thread;
	}
	/* These names hash to different workers: both served some. */
	assert_false(pthread_equal(threads[0], threads[2]) && pthread_equal(threads[1], threads[2]));
	assert_true(wait_backlog_zero(e.bus, 5000));
	env_teardown(&e);
}

static void test_topic_matching(void **state)
{
	struct env e;
	struct rec exact, prefix, all, other_tenant;
	rec_init(&exact);
	rec_init(&prefix);
	rec_init(&all);
	rec_init(&other_tenant);
	env_setup(&e, &(struct vocd_bus_opts){.timer_poll_ms = 20});
	assert_int_equal(vocd_bus_subscribe(e.bus, "exact", "ticket.created", on_event, &exact), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "prefix", "ticket.*", on_event, &prefix), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "all", "*", on_event, &all), 0);
	assert_int_equal(vocd_bus_subscribe_tenant(e.bus, "lua:t2:p:*", "t2", "*", on_event, &other_tenant), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "all", "x", on_event, &all), VOCD_EEXIST);
	assert_int_equal(vocd_bus_subscribe(e.bus, "bad1", "tick*", on_event, &all), VOCD_EINVAL);
	assert_int_equal(vocd_bus_subscribe(e.bus, "bad2", "*.created", on_event, &all), VOCD_EINVAL);
	assert_int_equal(vocd_bus_subscribe(e.bus, "bad3", "", on_event, &all), VOCD_EINVAL);
	assert_int_equal(vocd_bus_subscribe(e.bus, "", "*", on_event, &all), VOCD_EINVAL);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	const char *topics[] = {"ticket.created", "ticket.sla.breached", "ticketing.x", "ticket", "survey.sent"};
	for (int i = 0; i < 5; i++)
		assert_int_equal(publish(e.st, "t1", topics[i], "{}"), 0);
	assert_int_equal(wait_count(&all, 5, 5000), 5);
	assert_true(wait_backlog_zero(e.bus, 5000));
	for (int i = 0; i < 5; i++)
		assert_string_equal(all.v[i].topic, topics[i]);
	assert_int_equal(rec_count(&exact), 1);
	assert_string_equal(exact.v[0].topic, "ticket.created");
	assert_int_equal(rec_count(&prefix), 2);
	assert_string_equal(prefix.v[0].topic, "ticket.created");
	assert_string_equal(prefix.v[1].topic, "ticket.sla.breached");
	assert_int_equal(rec_count(&other_tenant), 0); /* t1's events are not for it */

	assert_int_equal(publish(e.st, "t2", "survey.sent", "{}"), 0);
	assert_int_equal(wait_count(&other_tenant, 1, 5000), 1);
	assert_string_equal(other_tenant.v[0].tenant, "t2");
	env_teardown(&e);
}

static void test_retry_keeps_order(void **state)
{
	struct env e;
	struct rec r, other;
	rec_init(&r);
	rec_init(&other);
	r.fail_first = 2;
	env_setup(&e, &(struct vocd_bus_opts){.backoff_ms = 20, .backoff_max_ms = 1000, .max_attempts = 5,
	                                       .timer_poll_ms = 20});
	assert_int_equal(vocd_bus_subscribe(e.bus, "flaky", "*", on_event, &r), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "other", "*", on_event, &other), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	struct pub p[] = {{"t1", "e.one", "1"}, {"t1", "e.two", "2"}, {"t1", "e.three", "3"}};
	struct pub_job j = {p, 3, 0};
	assert_int_equal(vocd_store_write(e.st, pub_fn, &j), 0);

	assert_int_equal(wait_count(&r, 5, 5000), 5);
	sleep_ms(100);
	assert_int_equal(rec_count(&r), 5);
	const char *want[] = {"e.one", "e.one", "e.one", "e.two", "e.three"};
	unsigned attempts[] = {1, 2, 3, 1, 1};
	for (int i = 0; i < 5; i++) {
		assert_string_equal(r.v[i].topic, want[i]);
		assert_int_equal(r.v[i].attempt, attempts[i]);
	}
	assert_int_equal(r.v[0].id, r.v[1].id);
	assert_int_equal(r.v[1].id, r.v[2].id);
	/* Backoff doubles: 20 ms, then 40 ms. */
	assert_true(r.v[1].at - r.v[0].at >= 20);
	assert_true(r.v[2].at - r.v[1].at >= 40);
	/* Another subscriber is not held back by the failing one. */
	assert_int_equal(wait_count(&other, 3, 5000), 3);
	assert_true(other.v[2].at <= r.v[2].at);

	struct vocd_bus_stats s;
	vocd_bus_get_stats(e.bus, &s);
	assert_int_equal(s.retries, 2);
	assert_int_equal(s.delivered, 6);
	assert_int_equal(s.dead_letters, 0);
	assert_true(wait_backlog_zero(e.bus, 5000));
	env_teardown(&e);
}

/* A subscriber waiting to retry must not be handed events published while it waits, even when another
 * subscriber of the tenant is already past the failed one. */
static void test_retry_not_skipped_by_later_events(void **state)
{
	struct env e;
	struct rec r, other;
	rec_init(&r);
	rec_init(&other);
	r.fail_first = 1;
	env_setup(&e, &(struct vocd_bus_opts){.backoff_ms = 300, .backoff_max_ms = 1000, .max_attempts = 5,
	                                       .timer_poll_ms = 20});
	assert_int_equal(vocd_bus_subscribe(e.bus, "flaky", "*", on_event, &r), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "other", "*", on_event, &other), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	struct pub first[] = {{"t1", "e.one", "1"}};
	struct pub_job j1 = {first, 1, 0};
	assert_int_equal(vocd_store_write(e.st, pub_fn, &j1), 0);
	assert_int_equal(wait_count(&other, 1, 5000), 1);
	assert_int_equal(wait_count(&r, 1, 5000), 1); /* the failed first attempt */
	/* Published while "flaky" waits for its retry. */
	struct pub later[] = {{"t1", "e.two", "2"}, {"t1", "e.three", "3"}};
	struct pub_job j2 = {later, 2, 0};
	assert_int_equal(vocd_store_write(e.st, pub_fn, &j2), 0);
	assert_int_equal(wait_count(&other, 3, 5000), 3);

	assert_int_equal(wait_count(&r, 4, 5000), 4);
	const char *want[] = {"e.one", "e.one", "e.two", "e.three"};
	for (int i = 0; i < 4; i++)
		assert_string_equal(r.v[i].topic, want[i]);
	assert_int_equal(r.v[1].attempt, 2);
	assert_true(wait_backlog_zero(e.bus, 5000));
	env_teardown(&e);
}

static int find_dead(cJSON *list, const char *topic, cJSON **out)
{
	cJSON *it;
	int n = 0;
	cJSON_ArrayForEach(it, list)
	{
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "topic")), topic) == 0) {
			*out = it;
			n++;
		}
	}
	return n;
}

static void test_dead_letter_and_replay(void **state)
{
	struct env e;
	struct rec r;
	rec_init(&r);
	r.fail_topic = "bad.thing";
	env_setup(&e, &(struct vocd_bus_opts){.backoff_ms = 5, .backoff_max_ms = 10, .max_attempts = 3,
	                                       .timer_poll_ms = 20});
	assert_int_equal(vocd_bus_subscribe(e.bus, "dl", "*", on_event, &r), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	assert_int_equal(publish(e.st, "t1", "bad.thing", "{\"x\":1}"), 0);
	assert_int_equal(publish(e.st, "t1", "good.thing", "{\"y\":2}"), 0);
	assert_int_equal(wait_count(&r, 4, 5000), 4);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(r.v[i].topic, "bad.thing");
		assert_int_equal(r.v[i].attempt, i + 1);
	}
	assert_string_equal(r.v[3].topic, "good.thing"); /* later events still delivered, after it */
	uint64_t bad_id = r.v[0].id;

	/* The dead letter is written with the positions, just after the pass delivered "good.thing". */
	assert_true(wait_backlog_zero(e.bus, 5000));
	struct vocd_bus_stats s;
	int64_t end = mono_ms() + 5000;
	do {
		vocd_bus_get_stats(e.bus, &s);
	} while (s.dead_letters == 0 && mono_ms() < end && (sleep_ms(5), 1));
	assert_int_equal(s.dead_letters, 1);
	assert_int_equal(s.retries, 2);

	cJSON *list, *d = NULL;
	assert_int_equal(vocd_bus_dead_letters(e.bus, "t1", &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_int_equal(find_dead(list, "bad.thing", &d), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(d, "subscriber")), "dl");
	assert_int_equal((uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(d, "event_id")), bad_id);
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(d, "attempts")), 3);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(d, "error")), "boom");
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(d, "time")) > 1.6e12);
	cJSON *data = cJSON_GetObjectItem(d, "data");
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(data, "x")), 1);
	char id[32];
	snprintf(id, sizeof id, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(d, "id")));
	cJSON_Delete(list);

	/* Other tenants see none. */
	assert_int_equal(vocd_bus_dead_letters(e.bus, "t2", &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);

	/* Replay while still broken: it stays. */
	assert_int_equal(vocd_bus_replay(e.bus, "t1", id), VOCD_EPLUGIN);
	assert_int_equal(rec_count(&r), 5);
	assert_int_equal(vocd_bus_dead_letters(e.bus, "t1", &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	cJSON_Delete(list);

	atomic_store(&r.fixed, 1);
	assert_int_equal(vocd_bus_replay(e.bus, "t2", id), VOCD_ENOTFOUND); /* another tenant's id space */
	assert_int_equal(vocd_bus_replay(e.bus, "t1", id), 0);
	assert_int_equal(rec_count(&r), 6);
	assert_string_equal(r.v[5].topic, "bad.thing");
	assert_string_equal(r.v[5].data, "{\"x\":1}");
	assert_int_equal(r.v[5].id, bad_id);
	assert_int_equal(r.v[5].attempt, 1);
	assert_int_equal(vocd_bus_dead_letters(e.bus, "t1", &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
	assert_int_equal(vocd_bus_replay(e.bus, "t1", id), VOCD_ENOTFOUND);
	assert_int_equal(vocd_bus_replay(e.bus, "t1", "nonsense"), VOCD_ENOTFOUND);
	env_teardown(&e);
}

static void test_restart(void **state)
{
	struct env e;
	struct rec r1, slow1;
	rec_init(&r1);
	rec_init(&slow1);
	slow1.fail_first = 1000; /* never gets anything through before the restart */
	struct vocd_bus_opts bo = {.backoff_ms = 50, .backoff_max_ms = 50, .max_attempts = 100, .timer_poll_ms = 20};
	env_setup(&e, &bo);
	assert_int_equal(vocd_bus_subscribe(e.bus, "r", "*", on_event, &r1), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "slow", "*", on_event, &slow1), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);
	assert_int_equal(publish(e.st, "t1", "e.1", "1"), 0);
	assert_int_equal(publish(e.st, "t1", "e.2", "2"), 0);
	assert_int_equal(wait_count(&r1, 2, 5000), 2);
	assert_true(wait_count(&slow1, 1, 5000) >= 1);
	vocd_bus_destroy(e.bus);
	e.bus = NULL;

	/* Published while no bus runs. */
	assert_int_equal(publish(e.st, "t1", "e.3", "3"), 0);
	assert_int_equal(publish(e.st, "t1", "e.4", "4"), 0);
	vocd_store_close(e.st);
	open_store(&e);

	struct rec r2, slow2, fresh;
	rec_init(&r2);
	rec_init(&slow2);
	rec_init(&fresh);
	assert_int_equal(vocd_bus_create(&e.bus, e.st, &bo), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "r", "*", on_event, &r2), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "slow", "*", on_event, &slow2), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "fresh", "*", on_event, &fresh), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);
	assert_int_equal(wait_count(&slow2, 4, 5000), 4);
	assert_int_equal(wait_count(&r2, 2, 5000), 2);
	assert_int_equal(publish(e.st, "t1", "e.5", "5"), 0);
	assert_int_equal(wait_count(&fresh, 1, 5000), 1);
	assert_int_equal(wait_count(&r2, 3, 5000), 3);
	sleep_ms(100);

	/* "r" had acknowledged e.1 and e.2: only what was pending, then the new one. */
	assert_int_equal(rec_count(&r2), 3);
	assert_string_equal(r2.v[0].topic, "e.3");
	assert_string_equal(r2.v[1].topic, "e.4");
	assert_string_equal(r2.v[2].topic, "e.5");
	/* "slow" had acknowledged nothing: everything, in order. */
	assert_int_equal(rec_count(&slow2), 5);
	for (int i = 0; i < 5; i++) {
		char want[16];
		snprintf(want, sizeof want, "e.%d", i + 1);
		assert_string_equal(slow2.v[i].topic, want);
	}
	/* A new name starts after what was published before it subscribed. */
	assert_int_equal(rec_count(&fresh), 1);
	assert_string_equal(fresh.v[0].topic, "e.5");
	assert_true(wait_backlog_zero(e.bus, 5000));
	assert_int_equal(outbox_rows(e.st, "t1"), 0);
	env_teardown(&e);
}

static int64_t fake_now;
static int64_t fake_clock(void) { return fake_now; }

struct timer_job {
	int op; /* 0 set, 1 cancel */
	const char *tenant, *key, *topic, *data;
	int64_t due;
};

static int timer_fn(vocd_txn *txn, void *arg)
{
	struct timer_job *j = arg;
	if (j->op == 1)
		return vocd_bus_timer_cancel(txn, j->tenant, j->key);
	return vocd_bus_timer_set(txn, j->tenant, j->key, j->topic, j->data, strlen(j->data), j->due);
}

static int timer(vocd_store *st, int op, const char *tenant, const char *key, const char *topic, const char *data,
                 int64_t due)
{
	struct timer_job j = {op, tenant, key, topic, data, due};
	return vocd_store_write(st, timer_fn, &j);
}

static void test_timers(void **state)
{
	int64_t (*saved)(void) = vocd_bus_now_ms;
	fake_now = 1700000000000;
	vocd_bus_now_ms = fake_clock;
	struct env e;
	struct rec r;
	rec_init(&r);
	struct vocd_bus_opts bo = {.timer_poll_ms = 10};
	env_setup(&e, &bo);
	assert_int_equal(vocd_bus_subscribe(e.bus, "sla", "sla.*", on_event, &r), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);

	int64_t t0 = fake_now;
	assert_int_equal(timer(e.st, 0, "t1", "ticket-1", "sla.due", "{\"t\":1}", t0 + 1000), 0);
	assert_int_equal(timer(e.st, 0, "t1", "ticket-2", "sla.due", "{\"t\":2}", t0 + 500), 0);
	assert_int_equal(timer(e.st, 0, "t1", "ticket-2", "sla.due", "{\"t\":22}", t0 + 2000), 0); /* replaces */
	assert_int_equal(timer(e.st, 0, "t1", "ticket-3", "sla.due", "{\"t\":3}", t0 + 700), 0);
	assert_int_equal(timer(e.st, 1, "t1", "ticket-3", NULL, NULL, 0), 0);
	assert_int_equal(timer(e.st, 1, "t1", "ticket-3", NULL, NULL, 0), VOCD_ENOTFOUND);
	assert_int_equal(timer(e.st, 0, "t2", "ticket-1", "sla.due", "{\"t\":4}", t0 + 3000), 0);

	sleep_ms(100);
	assert_int_equal(rec_count(&r), 0); /* not before its time */
	fake_now = t0 + 999;
	sleep_ms(100);
	assert_int_equal(rec_count(&r), 0); /* ticket-2 moved to later, ticket-3 cancelled */
	fake_now = t0 + 1000;
	assert_int_equal(wait_count(&r, 1, 5000), 1);
	assert_string_equal(r.v[0].topic, "sla.due");
	assert_string_equal(r.v[0].data, "{\"t\":1}");
	assert_string_equal(r.v[0].tenant, "t1");
	sleep_ms(100);
	assert_int_equal(rec_count(&r), 1); /* once */

	/* The rest survive a restart. */
	vocd_bus_destroy(e.bus);
	e.bus = NULL;
	vocd_store_close(e.st);
	open_store(&e);
	assert_int_equal(vocd_bus_create(&e.bus, e.st, &bo), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "sla", "sla.*", on_event, &r), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);
	sleep_ms(60);
	assert_int_equal(rec_count(&r), 1);
	fake_now = t0 + 5000;
	assert_int_equal(wait_count(&r, 3, 5000), 3);
	sleep_ms(100);
	assert_int_equal(rec_count(&r), 3);
	int seen22 = 0, seen4 = 0;
	for (int i = 1; i < 3; i++) {
		seen22 += strcmp(r.v[i].data, "{\"t\":22}") == 0 && strcmp(r.v[i].tenant, "t1") == 0;
		seen4 += strcmp(r.v[i].data, "{\"t\":4}") == 0 && strcmp(r.v[i].tenant, "t2") == 0;
	}
	assert_int_equal(seen22, 1);
	assert_int_equal(seen4, 1);
	struct vocd_bus_stats s;
	vocd_bus_get_stats(e.bus, &s);
	assert_int_equal(s.timers_fired, 2); /* since this bus was created */
	assert_int_equal(timer(e.st, 1, "t1", "ticket-1", NULL, NULL, 0), VOCD_ENOTFOUND); /* gone once fired */
	assert_true(wait_backlog_zero(e.bus, 5000));
	env_teardown(&e);
	vocd_bus_now_ms = saved;
}

static void test_backlog_and_cleanup(void **state)
{
	struct env e;
	struct rec r;
	rec_init(&r);
	r.fail_first = 1;
	/* The first delivery fails and waits 300 ms: meanwhile everything is backlog. */
	env_setup(&e, &(struct vocd_bus_opts){.backoff_ms = 300, .timer_poll_ms = 20});
	assert_int_equal(vocd_bus_subscribe(e.bus, "s", "*", on_event, &r), 0);
	assert_int_equal(vocd_bus_start(e.bus), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(publish(e.st, "t1", "e.x", "{}"), 0);
	assert_int_equal(wait_count(&r, 1, 5000), 1);
	assert_int_equal(backlog(e.bus), 5);
	assert_int_equal(wait_count(&r, 6, 5000), 6);
	assert_true(wait_backlog_zero(e.bus, 5000));
	assert_int_equal(outbox_rows(e.st, "t1"), 0); /* delivered rows are deleted */
	env_teardown(&e);
}

static void test_unsubscribe_waits(void **state)
{
	struct env e;
	struct rec r, keep;
	rec_init(&r);
	rec_init(&keep);
	atomic_store(&r.hold_ms, 200);
	env_setup(&e, &(struct vocd_bus_opts){.timer_poll_ms = 20});
	assert_int_equal(vocd_bus_start(e.bus), 0);
	/* Subscribing after start works. */
	assert_int_equal(vocd_bus_subscribe(e.bus, "lua:t1:p:e.x", "e.x", on_event, &r), 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "keep", "*", on_event, &keep), 0);
	assert_int_equal(publish(e.st, "t1", "e.x", "1"), 0);
	int64_t end = mono_ms() + 5000;
	while (!atomic_load(&r.in_handler) && mono_ms() < end)
		sleep_ms(1);
	assert_true(atomic_load(&r.in_handler));
	assert_int_equal(vocd_bus_unsubscribe(e.bus, "lua:t1:p:e.x"), 0);
	assert_true(atomic_load(&r.finished)); /* the running delivery finished first */
	assert_int_equal(vocd_bus_unsubscribe(e.bus, "lua:t1:p:e.x"), VOCD_ENOTFOUND);

	assert_int_equal(publish(e.st, "t1", "e.x", "2"), 0);
	assert_int_equal(wait_count(&keep, 2, 5000), 2);
	sleep_ms(100);
	assert_int_equal(rec_count(&r), 1);

	/* Subscribing the name again (a reload) picks up where it left off. */
	atomic_store(&r.hold_ms, 0);
	assert_int_equal(vocd_bus_subscribe(e.bus, "lua:t1:p:e.x", "e.x", on_event, &r), 0);
	assert_int_equal(wait_count(&r, 2, 5000), 2);
	assert_string_equal(r.v[1].data, "2");
	assert_true(wait_backlog_zero(e.bus, 5000));
	env_teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_job_publishes_nothing),
		cmocka_unit_test(test_order_per_tenant_two_workers),
		cmocka_unit_test(test_topic_matching),
		cmocka_unit_test(test_retry_keeps_order),
		cmocka_unit_test(test_retry_not_skipped_by_later_events),
		cmocka_unit_test(test_dead_letter_and_replay),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_backlog_and_cleanup),
		cmocka_unit_test(test_unsubscribe_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

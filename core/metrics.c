/* Prometheus text exposition. Request counters are relaxed atomics: exact totals, no lock on the path. */
#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBOUNDS (sizeof latency_bounds / sizeof latency_bounds[0])

static atomic_ulong requests_by_class[6];          /* 1xx..5xx, [0] unused */
static atomic_ulong latency_buckets[NBOUNDS + 1];  /* non-cumulative; last = above every bound */
static atomic_ulong latency_sum_us;

void vocd_metrics_request(int status, double seconds)
{
	int cls = status / 100;
	if (cls < 1 || cls > 5)
		cls = 5;
	atomic_fetch_add_explicit(&requests_by_class[cls], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBOUNDS && seconds > latency_bounds[b])
		b++;
	atomic_fetch_add_explicit(&latency_buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

struct text {
	char *buf;
	size_t len, cap;
	int oom;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	if (t->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		char *nb = realloc(t->buf, t->cap * 2);
		if (!nb) {
			t->oom = 1;
			return;
		}
		t->buf = nb;
		t->cap *= 2;
	}
}

static void metric(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *vocd_metrics_render(vocd_store *st, vocd_bus *bus, vocd_plugins *plugins)
{
	struct text t = {malloc(8192), 0, 8192, 0};
	if (!t.buf)
		return NULL;
	t.buf[0] = '\0';

	metric(&t, "vocd_http_requests_total", "counter", "HTTP requests answered, by status class.");
	for (int c = 1; c <= 5; c++)
		put(&t, "vocd_http_requests_total{code=\"%dxx\"} %lu\n", c,
		    atomic_load_explicit(&requests_by_class[c], memory_order_relaxed));

	metric(&t, "vocd_http_request_duration_seconds", "histogram", "Time from request to answer.");
	unsigned long cum = 0;
	for (size_t b = 0; b <= NBOUNDS; b++) {
		cum += atomic_load_explicit(&latency_buckets[b], memory_order_relaxed);
		if (b < NBOUNDS)
			put(&t, "vocd_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n", latency_bounds[b], cum);
		else
			put(&t, "vocd_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	}
	put(&t, "vocd_http_request_duration_seconds_sum %.6f\n",
	    (double)atomic_load_explicit(&latency_sum_us, memory_order_relaxed) / 1e6);
	put(&t, "vocd_http_request_duration_seconds_count %lu\n", cum);

	if (st) {
		struct vocd_store_stats s;
		vocd_store_get_stats(st, &s);
		metric(&t, "vocd_store_commits_total", "counter", "Durable storage transactions.");
		put(&t, "vocd_store_commits_total %llu\n", (unsigned long long)s.commits);
		metric(&t, "vocd_store_writes_total", "counter", "Write jobs acknowledged after their commit.");
		put(&t, "vocd_store_writes_total %llu\n", (unsigned long long)s.jobs);
		metric(&t, "vocd_store_batch_size", "histogram", "Write jobs per durable transaction.");
		static const char *const le[] = {"1", "3", "7", "15", "31", "63", "127", "+Inf"};
		unsigned long long bcum = 0;
		for (int i = 0; i < 8; i++) {
			bcum += s.batch_hist[i];
			put(&t, "vocd_store_batch_size_bucket{le=\"%s\"} %llu\n", le[i], bcum);
		}
		put(&t, "vocd_store_batch_size_count %llu\n", bcum);
		put(&t, "vocd_store_batch_size_sum %llu\n", (unsigned long long)s.jobs);
		metric(&t, "vocd_store_batch_max", "gauge", "Largest batch so far.");
		put(&t, "vocd_store_batch_max %llu\n", (unsigned long long)s.batch_max);
		metric(&t, "vocd_store_full_errors_total", "counter", "Writes refused because storage is full.");
		put(&t, "vocd_store_full_errors_total %llu\n", (unsigned long long)s.full_errors);
		metric(&t, "vocd_store_map_bytes", "gauge", "Size of the database map.");
		put(&t, "vocd_store_map_bytes %zu\n", s.map_size);
		metric(&t, "vocd_store_used_bytes", "gauge", "Bytes of the map in use.");
		put(&t, "vocd_store_used_bytes %zu\n", s.used_size);
		metric(&t, "vocd_store_stale_readers_cleared_total", "counter", "Reader slots of dead processes cleared.");
		put(&t, "vocd_store_stale_readers_cleared_total %u\n", s.stale_readers);
	}
	if (bus) {
		struct vocd_bus_stats b;
		vocd_bus_get_stats(bus, &b);
		metric(&t, "vocd_bus_backlog", "gauge", "Events not yet delivered to every subscriber.");
		put(&t, "vocd_bus_backlog %llu\n", (unsigned long long)b.backlog);
		metric(&t, "vocd_bus_delivered_total", "counter", "Successful deliveries.");
		put(&t, "vocd_bus_delivered_total %llu\n", (unsigned long long)b.delivered);
		metric(&t, "vocd_bus_retries_total", "counter", "Deliveries retried after a failure.");
		put(&t, "vocd_bus_retries_total %llu\n", (unsigned long long)b.retries);
		metric(&t, "vocd_bus_dead_letters_total", "counter", "Events given up on after every attempt.");
		put(&t, "vocd_bus_dead_letters_total %llu\n", (unsigned long long)b.dead_letters);
		metric(&t, "vocd_bus_timers_fired_total", "counter", "Durable timers that fired.");
		put(&t, "vocd_bus_timers_fired_total %llu\n", (unsigned long long)b.timers_fired);
	}
	if (plugins) {
		metric(&t, "vocd_plugin_errors_total", "counter", "Plugin hook runs that raised or ran out of budget.");
		put(&t, "vocd_plugin_errors_total %lu\n", vocd_plugins_error_count(plugins));
	}
	if (t.oom) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}

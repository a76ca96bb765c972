/* Rate limit as token buckets over a small hash table: a bucket holds up to N tokens and refills at N per
 * minute, so a burst of N is allowed and then one event every 60/N seconds. */
#include "ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SLOTS 4096
#define KEY_MAX 96

struct slot {
	char key[KEY_MAX];
	int64_t at;     /* when tokens was last computed, ms */
	double tokens;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

#define PROBES 8

static void refill(struct slot *s, unsigned per_minute, int64_t now_ms)
{
	if (now_ms > s->at) {
		s->tokens += (double)(now_ms - s->at) * per_minute / 60000.0;
		if (s->tokens > per_minute)
			s->tokens = per_minute;
		s->at = now_ms;
	}
}

int vocd_ratelimit_allow(const char *key, unsigned per_minute, int64_t now_ms)
{
	char k[KEY_MAX];
	snprintf(k, sizeof k, "%s", key);
	pthread_mutex_lock(&lock);
	uint32_t h = hash(k);
	struct slot *s = NULL, *idle = NULL;
	/* The key's own slot among a few probes; else an empty one, or one whose bucket has refilled completely
	 * (its key is idle, so forgetting it gives nothing away). A new key never takes over a busy bucket:
	 * with every probe busy it is refused, failing closed. */
	for (int i = 0; i < PROBES && !s; i++) {
		struct slot *c = &slots[(h + (uint32_t)i) % SLOTS];
		if (strcmp(c->key, k) == 0) {
			s = c;
		} else if (!idle) {
			if (c->key[0])
				refill(c, per_minute, now_ms);
			if (!c->key[0] || c->tokens >= per_minute)
				idle = c;
		}
	}
	if (!s && idle) {
		s = idle;
		memcpy(s->key, k, sizeof k);
		s->at = now_ms;
		s->tokens = per_minute;
	}
	int allowed = 0;
	if (s) {
		refill(s, per_minute, now_ms);
		allowed = s->tokens >= 1.0;
		if (allowed)
			s->tokens -= 1.0;
	}
	pthread_mutex_unlock(&lock);
	return allowed;
}

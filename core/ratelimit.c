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

int vocd_ratelimit_allow(const char *key, unsigned per_minute, int64_t now_ms)
{
	char k[KEY_MAX];
	snprintf(k, sizeof k, "%s", key);
	pthread_mutex_lock(&lock);
	struct slot *s = &slots[hash(k) % SLOTS];
	if (strcmp(s->key, k) != 0) {
		memcpy(s->key, k, sizeof k);
		s->at = now_ms;
		s->tokens = per_minute;
	}
	if (now_ms > s->at) {
		s->tokens += (double)(now_ms - s->at) * per_minute / 60000.0;
		if (s->tokens > per_minute)
			s->tokens = per_minute;
		s->at = now_ms;
	}
	int allowed = s->tokens >= 1.0;
	if (allowed)
		s->tokens -= 1.0;
	pthread_mutex_unlock(&lock);
	return allowed;
}

/* Event bus: events are written to an LMDB outbox in the same transaction as the change they announce,
 * then delivered at least once, in order per tenant and subscriber, by worker threads; failures are
 * retried with backoff and end in a dead-letter list; durable timers publish an event at a given time. */
#ifndef VOCD_BUS_H
#define VOCD_BUS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

typedef struct vocd_bus vocd_bus;

struct vocd_event {
	uint64_t id;        /**< unique per tenant, increasing in publish order: subscribers drop duplicates by it */
	const char *tenant;
	const char *topic;  /**< e.g. "evaluation.created" */
	const char *data;   /**< JSON text */
	size_t len;
	int64_t time_ms;    /**< when it was published (Unix ms) */
	unsigned attempt;   /**< 1 for the first delivery */
};

/** A subscriber: returns 0 when done, non-zero to have the event retried later. Runs on a bus thread. */
typedef int (*vocd_event_fn)(const struct vocd_event *ev, void *ud);

struct vocd_bus_opts {
	unsigned workers;        /**< delivery threads; 0 = 2. A tenant is always served by the same one */
	unsigned max_attempts;   /**< deliveries before a dead letter; 0 = 8 */
	unsigned backoff_ms;     /**< first retry delay, doubled each attempt; 0 = 100 */
	unsigned backoff_max_ms; /**< 0 = 60000 */
	unsigned timer_poll_ms;  /**< how often due timers are looked for at most; 0 = 200 */
};

int vocd_bus_create(vocd_bus **out, vocd_store *st, const struct vocd_bus_opts *opts);

/**
 * \brief Adds a subscriber. \p name is stable across restarts (its delivery position is stored under it);
 * a new name starts at the events published after it subscribed. \p topic is an exact topic, a prefix
 * ending in ".*" ("ticket.*"), or "*". May be called before or after vocd_bus_start.
 * \return 0, VOCD_EEXIST (name taken), VOCD_EINVAL.
 */
int vocd_bus_subscribe(vocd_bus *bus, const char *name, const char *topic, vocd_event_fn fn, void *ud);

/**
 * \brief Like vocd_bus_subscribe, for the events of one tenant only (plugin hooks): the subscriber gets
 * no position, no delivery and no say in outbox clean-up in other tenants. \p tenant NULL = every tenant.
 */
int vocd_bus_subscribe_tenant(vocd_bus *bus, const char *name, const char *tenant, const char *topic,
                              vocd_event_fn fn, void *ud);

/**
 * \brief Called by a subscriber's handler before it returns non-zero: the text (copied, up to 255 bytes)
 * goes into the dead letter's "error" if the event dies. Without it the error says what the handler
 * returned.
 */
void vocd_bus_set_error(const char *msg);

/** \brief Removes a subscriber; returns once no delivery to it is running. Its position is kept. */
int vocd_bus_unsubscribe(vocd_bus *bus, const char *name);

int vocd_bus_start(vocd_bus *bus);

/** \brief Stops the workers (deliveries in progress finish) and frees the bus. Accepts NULL. */
void vocd_bus_destroy(vocd_bus *bus);

/** \brief Inside a write job: appends an event to the tenant's outbox. \p data is JSON text. */
int vocd_bus_publish(vocd_txn *txn, const char *tenant, const char *topic, const char *data, size_t len);

/**
 * \brief Inside a write job: publish (tenant, topic, data) at \p due_ms (Unix ms). \p key names the timer
 * within the tenant: setting a key again replaces the earlier timer. Survives restarts.
 */
int vocd_bus_timer_set(vocd_txn *txn, const char *tenant, const char *key, const char *topic,
                       const char *data, size_t len, int64_t due_ms);

/** \brief Inside a write job: cancels a timer. \return 0 or VOCD_ENOTFOUND. */
int vocd_bus_timer_cancel(vocd_txn *txn, const char *tenant, const char *key);

/**
 * \brief The tenant's dead letters as a JSON array of
 * {id, subscriber, topic, event_id, data, attempts, error, time}; caller frees with cJSON_Delete.
 */
int vocd_bus_dead_letters(vocd_bus *bus, const char *tenant, cJSON **out);

/** \brief Delivers a dead letter to its subscriber again (attempts start over); removes it on success. */
int vocd_bus_replay(vocd_bus *bus, const char *tenant, const char *dead_letter_id);

struct vocd_bus_stats {
	uint64_t backlog;      /**< events published but not yet delivered to every subscriber */
	uint64_t delivered;
	uint64_t retries;
	uint64_t dead_letters; /**< total ever written */
	uint64_t timers_fired;
};

void vocd_bus_get_stats(vocd_bus *bus, struct vocd_bus_stats *out);

/** Current time in Unix ms; tests may replace it to move time forward. */
extern int64_t (*vocd_bus_now_ms)(void);

#endif

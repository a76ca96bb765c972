/* Metrics in Prometheus text format: HTTP requests and latencies counted here, storage, bus and plugin
 * figures read from their modules when /metrics is rendered. */
#ifndef VOCD_METRICS_H
#define VOCD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "plugin.h"
#include "store.h"

/** \brief Counts one answered request (thread-safe, lock-free). */
void vocd_metrics_request(int status, double seconds);

/**
 * \brief Renders every metric. Any of the pointers may be NULL (its metrics are left out).
 * \return a malloc'd NUL-terminated text (caller frees), or NULL when out of memory.
 */
char *vocd_metrics_render(vocd_store *st, vocd_bus *bus, vocd_plugins *plugins);

#endif

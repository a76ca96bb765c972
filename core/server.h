/* The running server: configuration, storage, bus, plugins and the HTTP(S) listener, started and stopped
 * together; reload swaps in new tenant configuration and plugins. */
#ifndef VOCD_SERVER_H
#define VOCD_SERVER_H

#include <pthread.h>
#include <stdio.h>

#include "bus.h"
#include "config.h"
#include "pii.h"
#include "plugin.h"
#include "store.h"

struct mg_context;
struct vocd_access_log;

struct vocd_server {
	struct vocd_config *cfg;         /**< current configuration (replaced on reload) */
	struct vocd_config **old_cfgs;   /**< earlier ones, kept until stop: plugins may still point into them */
	size_t nold;
	char *config_file;               /**< NULL = embedded default */
	vocd_store *store;
	vocd_bus *bus;
	vocd_plugins *plugins;
	vocd_pii *pii;                   /**< personal data: the master key, loaded from cfg->key_file */
	struct mg_context *http;
	FILE *access_log;
	pthread_mutex_t reload_lock;
	pthread_mutex_t log_lock;
	char listen_url[128];            /**< e.g. "https://127.0.0.1:8443" once started */
};

struct vocd_serve_opts {
	const char *config_file; /**< NULL = embedded default */
	const char *data_dir;    /**< overrides the config's */
	const char *listen;      /**< overrides the config's */
};

/**
 * \brief The current configuration. Reload swaps it while requests run; earlier ones stay valid until
 * vocd_server_stop, so a request may keep using the one it read.
 */
static inline const struct vocd_config *vocd_server_config(struct vocd_server *srv)
{
	return __atomic_load_n(&srv->cfg, __ATOMIC_ACQUIRE);
}

/**
 * \brief Loads the configuration and starts everything. Problems are logged.
 * \return 0, VOCD_ECONFIG, VOCD_EIO (data directory, certificate or port not usable).
 */
int vocd_server_start(struct vocd_server **out, const struct vocd_serve_opts *opts);

/**
 * \brief Re-reads the configuration and reloads the plugins; on any error the running version stays.
 * Tenant files that changed are kept as new versions, activated by \p who (config_history.h).
 * \param err receives the problems (one per line).
 */
struct vocd_actor;
int vocd_server_reload(struct vocd_server *srv, const struct vocd_actor *who, char *err, size_t errlen);

/** \brief Stops accepting, finishes requests and deliveries, closes storage. Accepts NULL. */
void vocd_server_stop(struct vocd_server *srv);

/** \brief Opens the store of a data directory for the offline commands (token, backup). */
int vocd_server_open_store(const char *data_dir, const struct vocd_config *cfg, vocd_store **out);

#endif

/* Server lifecycle: configuration, storage, bus, plugins, then the listener; stopped in reverse order. */
#include "server.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "http.h"
#include "log.h"
#include "reminders.h"
#include "incentives.h"
#include "report_schedule.h"
#include "retention.h"
#include "rollup.h"
#include "config_history.h"
#include "core_events.h"
#include "notify.h"
#include "tls.h"

#define ERRBUF 16384

static void log_lines(const char *what, const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);
		if (len > 0)
			vocd_error("%s: %.*s", what, len, line);
		line += len + (nl ? 1 : 0);
	}
}

static int make_dir(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0700) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int fill_months_job(vocd_txn *txn, void *arg)
{
	return vocd_rollup_fill_months(txn, arg);
}

/* Rollups kept before there were month counters get theirs from their days, once: sums read whole months
 * from them. */
static int fill_months(vocd_store *st)
{
	int filled = 0, rc = vocd_store_write(st, fill_months_job, &filled);
	if (rc != 0)
		vocd_error("the rollups' month counters could not be made from their days: %s", vocd_strerror(rc));
	else if (filled > 0)
		vocd_info("rollups: month counters made from the day counters, for %d (tenant, kind of counters)", filled);
	return rc;
}

int vocd_server_open_store(const char *data_dir, const struct vocd_config *cfg, vocd_store **out)
{
	if (make_dir(data_dir) != 0) {
		vocd_error("cannot create the data directory %s: %s", data_dir, strerror(errno));
		return VOCD_EIO;
	}
	struct vocd_store_opts so = {0};
	so.max_map_size = cfg->limits.db_max_size;
	/* The benchmark's baseline only (scripts/bench-core): one durable transaction per write. */
	const char *per_write = getenv("VOCD_SYNC_PER_WRITE");
	so.sync_per_write = per_write && strcmp(per_write, "1") == 0;
	if (so.max_map_size < ((size_t)64 << 20))
		so.initial_map_size = so.max_map_size;
	int rc = vocd_store_open(out, data_dir, &so);
	return rc == 0 ? fill_months(*out) : rc;
}

static int open_access_log(struct vocd_server *srv)
{
	const char *name = srv->cfg->access_log;
	if (!name)
		return 0;
	if (strcmp(name, "-") == 0) {
		srv->access_log = stderr;
		return 0;
	}
	char path[PATH_MAX];
	if (name[0] == '/')
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%s/%s", srv->cfg->data_dir, name);
	srv->access_log = fopen(path, "a");
	if (!srv->access_log) {
		vocd_error("cannot open the access log %s: %s", path, strerror(errno));
		return VOCD_EIO;
	}
	return 0;
}

/* The configured certificate, or the development one in the data directory, made on first use. */
static int certificate(struct vocd_server *srv, char *path, size_t len)
{
	if (srv->cfg->tls_cert) {
		snprintf(path, len, "%s", srv->cfg->tls_cert);
		if (access(path, R_OK) != 0) {
			vocd_error("cannot read tls_certificate %s: %s", path, strerror(errno));
			return VOCD_EIO;
		}
		return 0;
	}
	snprintf(path, len, "%s/dev-cert.pem", srv->cfg->data_dir);
	if (access(path, R_OK) == 0)
		return 0;
	vocd_warn("no tls_certificate configured: generating a development certificate for localhost in %s "
	          "(browsers will warn; configure a real certificate for production)", path);
	return vocd_tls_make_dev_cert(path);
}

/* True if \p key (a file) lies inside directory \p data, both resolved as they are on disk. */
static int key_inside_data(const char *key, const char *data)
{
	char kdir[PATH_MAX], kreal[PATH_MAX], dreal[PATH_MAX];
	snprintf(kdir, sizeof kdir, "%s", key);
	char *slash = strrchr(kdir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(kdir, sizeof kdir, ".");
	if (!realpath(kdir, kreal) || !realpath(data, dreal))
		return 0;
	size_t n = strlen(dreal);
	return strncmp(kreal, dreal, n) == 0 && (kreal[n] == '\0' || kreal[n] == '/');
}

static int replace(char **field, const char *value)
{
	if (!value)
		return 0;
	char *copy = strdup(value);
	if (!copy)
		return VOCD_ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

/* The configuration activated is kept, tenant file by tenant file: what changed, when, by whom. */
static void keep_versions(struct vocd_server *srv, const struct vocd_actor *who)
{
	int rc = vocd_config_history_record(srv->store, srv->cfg, srv->pii, who);
	if (rc != 0)
		vocd_warn("the configuration's versions could not be kept: %s", vocd_strerror(rc));
}

int vocd_server_start(struct vocd_server **out, const struct vocd_serve_opts *opts)
{
	struct vocd_server *srv = calloc(1, sizeof *srv);
	char *err = malloc(ERRBUF);
	if (!srv || !err) {
		free(srv);
		free(err);
		return VOCD_ENOMEM;
	}
	pthread_mutex_init(&srv->reload_lock, NULL);
	pthread_mutex_init(&srv->log_lock, NULL);
	int rc = vocd_config_load(&srv->cfg, opts->config_file, err, ERRBUF);
	if (rc != 0) {
		log_lines("configuration", err);
		goto fail;
	}
	srv->config_file = opts->config_file ? strdup(opts->config_file) : NULL;
	if (opts->listen && !vocd_listen_valid(opts->listen)) {
		vocd_error("--listen: expected HOST:PORT such as 127.0.0.1:8443, got \"%s\"", opts->listen);
		rc = VOCD_ECONFIG;
		goto fail;
	}
	if ((rc = replace(&srv->cfg->data_dir, opts->data_dir)) != 0 || (rc = replace(&srv->cfg->listen, opts->listen)) != 0)
		goto fail;

	if ((rc = vocd_server_open_store(srv->cfg->data_dir, srv->cfg, &srv->store)) != 0)
		goto fail;
	if (key_inside_data(srv->cfg->key_file, srv->cfg->data_dir)) {
		vocd_error("key_file %s is inside the data directory %s: move it out (a copy of the data would carry "
		           "the key that opens it)", srv->cfg->key_file, srv->cfg->data_dir);
		rc = VOCD_ECONFIG;
		goto fail;
	}
	if ((rc = vocd_pii_open(&srv->pii, srv->cfg->key_file)) != 0) {
		if (rc == VOCD_ENOTFOUND)
			vocd_error("no master key at %s: create it once with `vocd init` (keep it outside the data "
			           "directory and its backups)", srv->cfg->key_file);
		goto fail;
	}
	struct vocd_bus_opts bo = {0};
	bo.workers = srv->cfg->bus_threads;
	if ((rc = vocd_bus_create(&srv->bus, srv->store, &bo)) != 0)
		goto fail;
	if ((rc = vocd_plugins_create(&srv->plugins, srv->cfg, srv->store, srv->bus, err, ERRBUF)) != 0) {
		log_lines("plugins", err);
		goto fail;
	}
	vocd_plugins_set_pii(srv->plugins, srv->pii);
	if ((rc = vocd_reminders_start(srv)) != 0 || (rc = vocd_core_events_start(srv)) != 0 ||
	    (rc = vocd_notify_start(srv)) != 0 || (rc = vocd_incentives_start(srv)) != 0 ||
	    (rc = vocd_report_schedule_start(srv)) != 0)
		goto fail;
	if ((rc = vocd_bus_start(srv->bus)) != 0)
		goto fail;
	if (vocd_retention_arm(srv) != 0) /* not a reason to refuse to serve: a reload or restart sets it again */
		vocd_warn("the retention runs could not be scheduled; personal data past its limit waits for the next start");
	if (vocd_report_schedule_arm(srv) != 0)
		vocd_warn("the scheduled reports could not be armed; they wait for the next start or reload");
	char cert[PATH_MAX];
	if ((!srv->cfg->plain_http && (rc = certificate(srv, cert, sizeof cert)) != 0) || (rc = open_access_log(srv)) != 0)
		goto fail;
	if ((rc = vocd_http_start(srv, cert)) != 0)
		goto fail;
	struct vocd_actor started = {{VOCD_AUDIT_ACTOR_SYSTEM, "start", NULL}, {NULL, NULL, NULL, NULL}};
	keep_versions(srv, &started);
	vocd_info("vocd %s serving %s for %zu tenant(s), data in %s", VOCD_VERSION, srv->listen_url, srv->cfg->ntenants,
	          srv->cfg->data_dir);
	free(err);
	*out = srv;
	return 0;
fail:
	free(err);
	vocd_server_stop(srv);
	return rc;
}

int vocd_server_reload(struct vocd_server *srv, const struct vocd_actor *who, char *err, size_t errlen)
{
	pthread_mutex_lock(&srv->reload_lock);
	struct vocd_config *cfg = NULL;
	int rc = vocd_config_load(&cfg, srv->config_file, err, errlen);
	if (rc == 0) {
		/* Only tenants and plugins change on reload; where the server listens and stores stays. */
		char *keep[2] = {cfg->data_dir, cfg->listen};
		cfg->data_dir = strdup(srv->cfg->data_dir);
		cfg->listen = strdup(srv->cfg->listen);
		free(keep[0]);
		free(keep[1]);
		/* Room to keep the running config first: once the plugins are swapped there is no way back. */
		struct vocd_config **old = realloc(srv->old_cfgs, (srv->nold + 1) * sizeof *old);
		if (old)
			srv->old_cfgs = old;
		rc = old ? vocd_plugins_reload(srv->plugins, cfg, err, errlen) : VOCD_ENOMEM;
	}
	if (rc == 0) {
		srv->old_cfgs[srv->nold++] = srv->cfg;
		__atomic_store_n(&srv->cfg, cfg, __ATOMIC_RELEASE);
	}
	if (rc != 0) {
		vocd_config_free(cfg);
		log_lines("reload refused, the running version stays", err);
	} else {
		vocd_info("reloaded: %zu tenant(s)", srv->cfg->ntenants);
		if (vocd_retention_arm(srv) != 0) /* a tenant given a limit starts its daily run now */
			vocd_warn("reload: the retention runs could not be scheduled");
		if (vocd_report_schedule_arm(srv) != 0) /* entries added or moved take their new time */
			vocd_warn("reload: the scheduled reports could not be armed");
		keep_versions(srv, who);
	}
	pthread_mutex_unlock(&srv->reload_lock);
	return rc;
}

void vocd_server_stop(struct vocd_server *srv)
{
	if (!srv)
		return;
	vocd_http_stop(srv);
	vocd_plugins_destroy(srv->plugins); /* unsubscribes its hooks from the bus */
	vocd_bus_destroy(srv->bus);
	vocd_store_close(srv->store);
	vocd_pii_close(srv->pii);
	if (srv->access_log && srv->access_log != stderr)
		fclose(srv->access_log);
	vocd_config_free(srv->cfg);
	for (size_t i = 0; i < srv->nold; i++)
		vocd_config_free(srv->old_cfgs[i]);
	free(srv->old_cfgs);
	free(srv->config_file);
	pthread_mutex_destroy(&srv->reload_lock);
	pthread_mutex_destroy(&srv->log_lock);
	free(srv);
}

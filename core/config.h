/* Configuration: conf/vocd.lua for the server and one conf/tenants/<id>.lua per tenant, loaded in a
 * restricted Lua environment; mistakes are reported with file:line and what was expected. */
#ifndef VOCD_CONFIG_H
#define VOCD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "analysis_conf.h"
#include "authenticity_conf.h"
#include "calendar_conf.h"
#include "organisation.h"
#include "people.h"
#include "privacy_conf.h"
#include "report_schedule_conf.h"
#include "survey.h"
#include "ticket_conf.h"

/** A plugin enabled for a tenant, with the tenant's settings for it (validated later by the plugin host). */
struct vocd_plugin_ref {
	char *kind;        /**< "channel", "workflow", "incentive" or "report" */
	char *name;        /**< folder name under plugins/<kind>s/ */
	cJSON *settings;   /**< JSON object, never NULL */
	char *where;       /**< "conf/tenants/demo.lua:12" for messages */
};

/** How a tenant's invitations behave (`invitations = { ... }` in the tenant file). */
struct vocd_invite_conf {
	unsigned expires_days;     /**< a link stays valid this long; default 7 */
	int64_t expires_after_ms;  /**< or this long, when `expires_after = "48h"` is given instead; 0 = by days */
	unsigned min_days_between; /**< at most one invitation per customer in this many days, any channel; 0 = no limit */
	char *base_url;            /**< start of survey links ("https://feedback.example.com"); NULL = the server's address */
	int64_t remind_after_ms;   /**< an unanswered invitation is sent again this long after; 0 = never */
	char *remind_channel;      /**< through this channel; NULL = the invitation's own */
	unsigned correction_hours; /**< a customer may correct their answer this long after giving it; 0 = never */
};

struct vocd_tenant_conf {
	char *id;          /**< the file name without .lua */
	char *name;        /**< display name */
	char *file;        /**< the file it came from ("(embedded) conf/tenants/demo.lua" for the default) */
	char *text;        /**< the file's text as read (kept as a version when activated) */
	struct vocd_plugin_ref *plugins;
	size_t nplugins;
	cJSON *settings;   /**< the tenant file's other top-level settings, as JSON */
	struct vocd_surveys surveys; /**< from `survey = { ... }`, or the built-in default */
	struct vocd_invite_conf invitations;
	struct vocd_tenant_calendar calendar; /**< from `calendar = { ... }`, or Monday to Friday 09:00-18:00, UTC+8 */
	struct vocd_organisation org;         /**< from `organisation = { ... }`: units that scope what people see */
	struct vocd_people people;            /**< from `people = { ... }`: who handles tickets, gets alerts, signs in */
	struct vocd_tickets_conf tickets;     /**< from `tickets = { ... }`: SLA, repeats, revisit, assignment */
	struct vocd_privacy_conf privacy;     /**< from `privacy = { ... }`: retention of personal data */
	struct vocd_authenticity_conf authenticity; /**< from `authenticity = { ... }`: thresholds of the suspect signals */
	struct vocd_analysis_conf analysis;         /**< from `analysis = { ... }`: the tenant's sentiment words */
	struct vocd_report_schedules reports;       /**< from `reports = { schedule = { ... } }`: scheduled reports */
};

struct vocd_limits {
	size_t max_body;              /**< bytes of a request body (413 beyond) */
	size_t max_header;            /**< bytes of the request line and headers */
	unsigned request_timeout_ms;  /**< whole request, from first byte to last */
	size_t db_max_size;           /**< the LMDB map never grows beyond (507 after) */
	size_t lua_memory;            /**< bytes per Lua state */
	uint64_t lua_instructions;    /**< per hook run */
	uint64_t lua_load_instructions; /**< per plugin load */
	size_t lua_max_string;        /**< longest string string.rep may build, and pattern subject cap */
};

struct vocd_config {
	char *file;         /**< where the server config came from */
	char *listen;       /**< "127.0.0.1:8443" */
	int plain_http;     /**< 1 = no TLS (only when the config asks for it) */
	char *tls_cert;     /**< PEM with key and certificate; NULL = development certificate in data_dir */
	char *key_file;     /**< master key for personal data, outside data_dir; made by `vocd init` */
	char *data_dir;
	char *plugins_dir;
	char *tenants_dir;  /**< NULL for the embedded default */
	char *access_log;   /**< file, "-" for stderr, NULL for none */
	unsigned http_threads;
	unsigned bus_threads;
	struct vocd_limits limits;
	struct vocd_tenant_conf *tenants;
	size_t ntenants;
};

/**
 * \brief Loads the server config \p file and every tenants/<id>.lua beside it (or tenants_dir if set).
 * \p file NULL loads the embedded default (demo tenant).
 * \param err receives "file:line: what was expected" on failure (all problems found, one per line).
 * \return 0, VOCD_ECONFIG.
 */
int vocd_config_load(struct vocd_config **out, const char *file, char *err, size_t errlen);

/** \brief Frees a config. Accepts NULL. */
void vocd_config_free(struct vocd_config *cfg);

/** \brief The tenant with that id, or NULL. */
const struct vocd_tenant_conf *vocd_config_tenant(const struct vocd_config *cfg, const char *id);

/** \brief True if \p listen is "HOST:PORT" with a port from 0 to 65535. */
int vocd_listen_valid(const char *listen);

/** \brief True if \p id is a valid tenant id: 1-64 of [a-z0-9_-], starting with a letter or digit. */
int vocd_tenant_id_valid(const char *id);

#endif

/* The `vocd` table given to plugin code (documented for integrators in docs/plugin-api.md), and the
 * conversions between Lua values and JSON used at the host's boundary. */
#ifndef VOCD_PLUGIN_API_H
#define VOCD_PLUGIN_API_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <lua.h>

#include "config.h"
#include "luahost.h"
#include "pii.h"
#include "store.h"

/** The API version plugins declare with `api = 1` in the table plugin.lua returns. */
#define VOCD_PLUGIN_API_VERSION 1

/** What one plugin instance may touch. Must outlive the state it is opened in. */
struct vocd_plugin_ctx {
	const char *tenant;
	const char *kind;     /**< "workflow" */
	const char *name;     /**< "escalate" */
	const char *rec_type; /**< "plugin.workflows/escalate": the record type of vocd.store */
	const cJSON *settings;
	vocd_store *store;    /**< NULL: vocd.store, vocd.publish and vocd.timer raise "storage unavailable" */
	vocd_pii *const *pii; /**< the host's handle, read at call time; NULL or *NULL: vocd.contact raises */
	const struct vocd_tenant_conf *conf; /**< the tenant's configuration (its people), NULL when checking */
	const char *version;  /**< the plugin's version, once loaded: kept on the points it grants */
	int audience;         /**< incentive plugins: enum vocd_audience, from what plugin.lua returned */
};

/** Whom an incentive policy rewards (`audience = "staff"` or `"customers"` in what plugin.lua returns). */
enum vocd_audience { VOCD_AUDIENCE_NONE, VOCD_AUDIENCE_STAFF, VOCD_AUDIENCE_CUSTOMERS };

/** \brief Adds `vocd.points`, `vocd.people` and `vocd.wilson_lower` to the table at \p t (plugin_points.c). */
void vocd_plugin_points_open(lua_State *L, int t, const struct vocd_plugin_ctx *c);

/**
 * \brief Makes the table at the top of the stack (a customer policy's `answer`) raise when the plugin reads
 * a score or the text: the core does not hand them to customer reward policies (no inducement).
 */
void vocd_plugin_points_guard(lua_State *L);

/**
 * \brief Sets the read-only global `vocd` of \p h for \p ctx. Registrations made with vocd.hook and
 * vocd.handle while the plugin loads are kept in the state's registry.
 * \return 0, VOCD_ENOMEM.
 */
int vocd_plugin_api_open(vocd_luahost *h, const struct vocd_plugin_ctx *ctx);

/** \brief Pushes the function registered by vocd.hook(\p topic) and returns 1, or pushes nothing, 0. */
int vocd_plugin_api_push_hook(lua_State *L, const char *topic);

/** \brief Pushes the function registered by vocd.handle(\p name) and returns 1, or pushes nothing, 0. */
int vocd_plugin_api_push_handle(lua_State *L, const char *name);

/** \brief The registered topics (\p handles 0) or handler names (1), sorted, as a new JSON array. */
cJSON *vocd_plugin_api_names(lua_State *L, int handles);

/**
 * \brief Pushes \p j as a Lua value (objects and arrays as tables, null as vocd.json.null, integral
 * numbers as integers). NULL pushes nil. Allocates in the state: call it inside a protected call.
 */
void vocd_lua_push_json(lua_State *L, const cJSON *j);

/**
 * \brief Converts the value at \p idx to JSON text and pushes it as a string. Tables with keys 1..n are
 * arrays, others objects with string keys (sorted; integer keys become strings); an empty table is an
 * object. Reads raw (runs no metamethods) but sees through the host's read-only views. The text is
 * built in the state's memory (under its cap) and every value is charged to the run's budget; the text
 * may be at most the budget's max_string bytes (4 MiB without a budget).
 * \warning Only inside a protected call with a run in progress (vocd_luahost_pcall, or a C function
 * called from plugin code): it raises on memory errors and when the budget is spent.
 * \return 0 (text pushed), VOCD_EINVAL (functions, a table containing itself, nesting deeper than 64,
 * NaN or inf: reason in \p err), VOCD_ETOOBIG (longer than the cap); nothing is pushed on failure.
 */
int vocd_lua_to_json_text(lua_State *L, int idx, char *err, size_t errlen);

/**
 * \brief Like vocd_lua_to_json_text(), parsed into a cJSON tree (the same conditions apply).
 * \param out receives a new item (caller frees).
 * \return 0, VOCD_EINVAL, VOCD_ETOOBIG, VOCD_ENOMEM (malloc failed while parsing).
 */
int vocd_lua_to_json(lua_State *L, int idx, cJSON **out, char *err, size_t errlen);

/**
 * \brief True if \p topic is what vocd.hook and the bus accept as a subscription: an exact topic, a
 * prefix ending in ".*" ("ticket.*"), or "*"; at most 128 bytes.
 */
int vocd_plugin_topic_pattern_valid(const char *topic);

#endif

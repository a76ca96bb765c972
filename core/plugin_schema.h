/* Plugin settings schemas: checks a plugin's declarative schema (schema.lua, converted to JSON) and
 * validates a tenant's settings against it, filling in defaults. Messages say what was expected:
 * "settings.threshold: expected number, got string". */
#ifndef VOCD_PLUGIN_SCHEMA_H
#define VOCD_PLUGIN_SCHEMA_H

#include <stddef.h>

#include <cjson/cJSON.h>

/**
 * \brief Checks that \p schema is a well-formed schema: {fields = {name = spec...}, checks = {...}}.
 * A spec has type ("string", "number", "integer", "boolean", "enum", "array", "table"), and optionally
 * required, default, description, min, max, values (enum), items (array elements, table values),
 * fields (nested table record).
 * \param err receives one problem per line, each prefixed by \p where (the schema file).
 * \return 0, VOCD_ECONFIG.
 */
int vocd_schema_check(const cJSON *schema, const char *where, char *err, size_t errlen);

/**
 * \brief Validates \p settings against \p schema (already checked) and returns a copy with defaults
 * filled in. Every problem is reported, one per line: "<prefix>settings.x: expected ..., got ...
 * (<where>)". Unknown settings are errors (they are usually typos).
 * \param out receives the filled copy (caller frees) on success.
 * \param prefix put before each line ("tenant demo, plugin workflows/x: "), may be "".
 * \return 0, VOCD_ECONFIG, VOCD_ENOMEM.
 */
int vocd_schema_validate(const cJSON *schema, const cJSON *settings, const char *prefix, const char *where,
                         cJSON **out, char *err, size_t errlen);

#endif

/* Checks of JSON request bodies that every resource shares, with errors that name the field:
 * unknown fields (400), wrong types or values (422). */
#ifndef VOCD_VALIDATE_H
#define VOCD_VALIDATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/** The first problem found in a body. */
struct vocd_field_error {
	int status;        /**< 400 or 422 */
	const char *code;  /**< "unknown_field", "invalid_field", "personal_data" (static) */
	char message[320]; /**< starts with the field: "context.agent: expected 1 to 128 bytes, got 0" */
};

/** The members a service context may have: its type and id, and who and where served the customer. */
extern const char *const vocd_context_keys[];

/** \brief 0 if every member of \p obj is named in \p known (NULL-terminated); else 400 naming it. */
int vocd_check_known(const cJSON *obj, const char *prefix, const char *const *known, struct vocd_field_error *e);

/**
 * \brief For settings read from a configuration or a plugin: 0 if every member of the object \p obj is
 * named in \p known (members named by position, "1", "2"…, pass too when \p positional); else VOCD_ECONFIG
 * with "<path>: unknown setting 'x' (known: a, b)" in \p why.
 */
int vocd_config_known(const cJSON *obj, const char *path, const char *const *known, int positional, char *why,
                      size_t why_len);

/** \brief A string of 1 to \p max bytes; absent is fine unless \p required. */
int vocd_check_string(const cJSON *item, const char *field, size_t max, int required, struct vocd_field_error *e);

/**
 * \brief An optional object whose members are short strings (1-128 bytes) named in \p allowed. With
 * \p refuse_personal, members named like personal data (name, phone, email...) get 422 personal_data.
 */
int vocd_check_string_object(const cJSON *obj, const char *field, const char *const *allowed, int refuse_personal,
                             struct vocd_field_error *e);

/** \brief True if \p s is a name of ours: 1-64 of a-z, 0-9, _ and - (a plugin, a category, a tag, a role). */
int vocd_name_valid(const char *s);

/** \brief True if \p s is a usable external id: 1-128 bytes of letters, digits and _ . : -, and not a
 * phone number (ids are kept in clear; personal data is not an id). */
int vocd_external_id_valid(const char *s);

#endif

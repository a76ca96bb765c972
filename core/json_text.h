/* JSON text of a cJSON tree, the same as cJSON_PrintUnformatted gives but cheaper on the ingest path:
 * whole numbers are written without printf, and the length comes back with the text. */
#ifndef VOCD_JSON_TEXT_H
#define VOCD_JSON_TEXT_H

#include <cjson/cJSON.h>
#include <stddef.h>

/**
 * \brief Prints \p item as compact JSON (no spaces), keys in the tree's order, strings escaped as cJSON
 * escapes them, numbers that are not finite as null.
 * \param len if not NULL, receives the length of the text (without its NUL).
 * \return the text, malloc'd (free() it), or NULL when out of memory or \p item is malformed (a raw
 *         item without text, an invalid type, nesting deeper than cJSON's limit).
 */
char *vocd_json_print(const cJSON *item, size_t *len);

struct vocd_buf;

/** \brief Appends \p s as a JSON string, quoted and escaped as vocd_json_print does (NULL: ""). */
void vocd_json_put_string(struct vocd_buf *b, const char *s);

/** \brief Appends \p d as a JSON number, as vocd_json_print writes it. */
void vocd_json_put_number(struct vocd_buf *b, double d);

#endif

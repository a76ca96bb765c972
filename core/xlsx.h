/* XLSX files for report-format plugins, written by libxlsxwriter: a plugin describes the workbook, the core
 * writes it (a Lua plugin cannot write a zip file, and its results travel as JSON text). */
#ifndef VOCD_XLSX_H
#define VOCD_XLSX_H

#include <stddef.h>

#include <cjson/cJSON.h>

/**
 * \brief Writes \p book = {sheets: [{name, header?: [text...], rows: [[cell...]...], widths?: [n...]}]} as an
 * XLSX file. Cells: numbers as numbers, strings as text (never a formula, whatever they start with), null
 * empty. Sheet names are cut to 31 characters and made unique.
 * \param tmpdir where the file is written before it is read back (libxlsxwriter writes files only).
 * \param out receives the file's bytes (caller frees), \p len their number.
 * \return 0, VOCD_EINVAL (not such a book: \p why), VOCD_EIO, VOCD_ENOMEM.
 */
int vocd_xlsx_build(const cJSON *book, const char *tmpdir, char **out, size_t *len, char *why, size_t why_len);

#endif

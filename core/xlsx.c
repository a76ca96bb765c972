/* Workbooks described in JSON, written with libxlsxwriter into a temporary file and read back. */
#include "xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "error.h"

#define MAX_ROWS 1048575 /* Excel's limit, the header row aside */

/* A sheet name Excel accepts: at most 31 characters, none of []:*?/\ (UTF-8 cut on a character). */
static void sheet_name(const char *in, int index, char out[128])
{
	size_t o = 0, chars = 0;
	for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p && chars < 31 && o < 120;) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		if (strchr("[]:*?/\\'", *p) && n == 1)
			out[o++] = '_';
		else
			for (size_t i = 0; i < n && p[i]; i++)
				out[o++] = (char)p[i];
		p += n;
		chars++;
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, 128, "Sheet%d", index + 1);
}

static int write_sheet(lxw_workbook *wb, const cJSON *sheet, int index, lxw_format *bold, char *why, size_t why_len)
{
	char name[128];
	sheet_name(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sheet, "name")), index, name);
	lxw_worksheet *ws = workbook_add_worksheet(wb, name);
	if (!ws) { /* a duplicate name */
		snprintf(name, sizeof name, "Sheet%d", index + 1);
		ws = workbook_add_worksheet(wb, name);
	}
	if (!ws) {
		snprintf(why, why_len, "sheets[%d]: cannot add a sheet named %s", index, name);
		return VOCD_EINVAL;
	}
	lxw_row_t r = 0;
	const cJSON *header = cJSON_GetObjectItemCaseSensitive(sheet, "header"), *cell, *row;
	if (cJSON_IsArray(header)) {
		lxw_col_t c = 0;
		cJSON_ArrayForEach(cell, header) worksheet_write_string(ws, r, c++, cJSON_IsString(cell) ? cell->valuestring : "", bold);
		worksheet_freeze_panes(ws, 1, 0);
		r++;
	}
	const cJSON *widths = cJSON_GetObjectItemCaseSensitive(sheet, "widths");
	lxw_col_t c = 0;
	cJSON_ArrayForEach(cell, widths) {
		if (cJSON_IsNumber(cell) && cell->valuedouble > 0 && cell->valuedouble < 256)
			worksheet_set_column(ws, c, c, cell->valuedouble, NULL);
		c++;
	}
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(sheet, "rows")) {
		if (!cJSON_IsArray(row) || r > MAX_ROWS) {
			snprintf(why, why_len, "sheets[%d].rows: expected lists of cells, at most %d rows", index, MAX_ROWS);
			return VOCD_EINVAL;
		}
		c = 0;
		cJSON_ArrayForEach(cell, row) {
			if (cJSON_IsNumber(cell))
				worksheet_write_number(ws, r, c, cell->valuedouble, NULL);
			else if (cJSON_IsString(cell)) /* text, even "=…": strings are never formulas here */
				worksheet_write_string(ws, r, c, cell->valuestring, NULL);
			else if (cJSON_IsBool(cell))
				worksheet_write_boolean(ws, r, c, cJSON_IsTrue(cell), NULL);
			c++;
		}
		r++;
	}
	return 0;
}

static int read_all(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return VOCD_EIO;
	int rc = fseek(f, 0, SEEK_END) == 0 ? 0 : VOCD_EIO;
	long size = rc == 0 ? ftell(f) : -1;
	if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
		rc = VOCD_EIO;
	char *buf = rc == 0 ? malloc((size_t)size + 1) : NULL;
	if (rc == 0 && !buf)
		rc = VOCD_ENOMEM;
	if (rc == 0 && fread(buf, 1, (size_t)size, f) != (size_t)size)
		rc = VOCD_EIO;
	fclose(f);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = (size_t)size;
	return 0;
}

int vocd_xlsx_build(const cJSON *book, const char *tmpdir, char **out, size_t *len, char *why, size_t why_len)
{
	*out = NULL;
	*len = 0;
	const cJSON *sheets = cJSON_GetObjectItemCaseSensitive(book, "sheets"), *sheet;
	if (!cJSON_IsArray(sheets) || cJSON_GetArraySize(sheets) < 1 || cJSON_GetArraySize(sheets) > 100) {
		snprintf(why, why_len, "workbook: expected {sheets = { {name, header, rows}, … }} with 1 to 100 sheets");
		return VOCD_EINVAL;
	}
	char path[512];
	snprintf(path, sizeof path, "%s/vocd-xlsx-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(why, why_len, "cannot create a temporary file in %s", tmpdir && *tmpdir ? tmpdir : "/tmp");
		return VOCD_EIO;
	}
	close(fd);
	lxw_workbook_options opt = {.tmpdir = (char *)(tmpdir && *tmpdir ? tmpdir : "/tmp")};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	int rc = wb ? 0 : VOCD_ENOMEM;
	lxw_format *bold = wb ? workbook_add_format(wb) : NULL;
	if (bold)
		format_set_bold(bold);
	int i = 0;
	cJSON_ArrayForEach(sheet, sheets) {
		if (rc != 0)
			break;
		rc = write_sheet(wb, sheet, i++, bold, why, why_len);
	}
	if (wb && workbook_close(wb) != LXW_NO_ERROR && rc == 0) {
		snprintf(why, why_len, "the workbook could not be written");
		rc = VOCD_EIO;
	}
	if (rc == 0)
		rc = read_all(path, out, len);
	unlink(path);
	return rc;
}

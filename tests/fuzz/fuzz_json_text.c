/* vocd_json_print, the printer of every stored record and answer, promises the text cJSON_PrintUnformatted
 * gives for the same tree. Any JSON cJSON reads is printed by both and compared; the text must also read
 * back to a tree that prints the same (not cJSON_Compare: it matches duplicate names to the first one). */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "fuzz_util.h"
#include "json_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	if (!j)
		return 0;
	size_t len = 0;
	char *ours = vocd_json_print(j, &len);
	char *theirs = cJSON_PrintUnformatted(j);
	FUZZ_ASSERT(ours && theirs);
	FUZZ_ASSERT(len == strlen(ours));
	if (strcmp(ours, theirs) != 0) {
		fprintf(stderr, "vocd_json_print: %s\ncJSON:           %s\n", ours, theirs);
		FUZZ_ASSERT(!"the same text as cJSON_PrintUnformatted");
	}
	cJSON *back = cJSON_Parse(ours);
	FUZZ_ASSERT(back);
	char *again = vocd_json_print(back, NULL);
	FUZZ_ASSERT(again && strcmp(again, ours) == 0);
	free(again);
	cJSON_Delete(back);
	free(ours);
	free(theirs);
	cJSON_Delete(j);
	return 0;
}

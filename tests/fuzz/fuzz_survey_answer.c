/* An answer as the API and the channel plugins hand it in (JSON): vocd_survey_check_answer must accept
 * it or name the field it refuses, whatever the types, sizes, encodings and nesting. */
#include <stdint.h>

#include "error.h"
#include "fuzz_survey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *answer = cJSON_ParseWithLength((const char *)data, size);
	if (answer)
		fuzz_check_answer(answer);
	cJSON_Delete(answer);
	return 0;
}

/* POST /s/<token>: the survey page's form (application/x-www-form-urlencoded), decoded by civetweb's
 * mg_get_var as api_survey.c does it (the step, agree and lang fields into small buffers, the answer's
 * fields through vocd_api_survey_answer_from_form), then checked like any answer. */
#include <stdint.h>
#include <string.h>

#include <civetweb.h>

#include "api.h"
#include "error.h"
#include "fuzz_survey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_string(data, size);
	char step[16] = "", agree[8] = "", lang[8] = "";
	/* -2: too long for the buffer, which must still be a terminated string */
	int n = mg_get_var(body, size, "step", step, sizeof step);
	FUZZ_ASSERT(n >= -2 && memchr(step, '\0', sizeof step));
	mg_get_var(body, size, "agree", agree, sizeof agree);
	mg_get_var(body, size, "lang", lang, sizeof lang);
	FUZZ_ASSERT(memchr(agree, '\0', sizeof agree) && memchr(lang, '\0', sizeof lang));
	cJSON *answer = vocd_api_survey_answer_from_form(body, size, fuzz_survey());
	FUZZ_ASSERT(answer);
	fuzz_check_answer(answer);
	cJSON_Delete(answer);
	free(body);
	return 0;
}

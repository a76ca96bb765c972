/* The survey the survey fuzz targets check answers against: every metric, dimensions of two scales, two
 * tags and a short text limit, so that each branch of the answer check is reachable. */
#ifndef VOCD_FUZZ_SURVEY_H
#define VOCD_FUZZ_SURVEY_H

#include "fuzz_util.h"
#include "survey.h"

static const struct vocd_survey *fuzz_survey(void)
{
	static struct vocd_surveys surveys;
	static int loaded;
	if (!loaded) {
		cJSON *j = cJSON_Parse(
			"{\"metrics\": [\"csat\", \"nps\", \"ces\"],"
			" \"dimensions\": [{\"id\": \"speed\", \"scale\": 5, \"label\": {\"zh-CN\": \"速度\", \"en\": \"Speed\"}},"
			"                  {\"id\": \"attitude\", \"scale\": 10, \"label\": {\"zh-CN\": \"态度\", \"en\": \"Attitude\"}}],"
			" \"tags\": [{\"id\": \"slow\", \"label\": {\"zh-CN\": \"慢\", \"en\": \"Slow\"}},"
			"            {\"id\": \"rude\", \"label\": {\"zh-CN\": \"粗鲁\", \"en\": \"Rude\"}}],"
			" \"max_text\": 40}");
		char err[1024] = "";
		FUZZ_ASSERT(j && vocd_surveys_parse(j, "fuzz", &surveys, err, sizeof err) == 0);
		cJSON_Delete(j);
		loaded = 1;
	}
	return vocd_surveys_pick(&surveys, NULL);
}

/* The answer check: one of its three results, and a field and message it wrote when it refused. */
static void fuzz_check_answer(const cJSON *answer)
{
	char field[96], message[300];
	field[0] = message[0] = '\0';
	int rc = vocd_survey_check_answer(fuzz_survey(), answer, field, sizeof field, message, sizeof message);
	FUZZ_ASSERT(rc == 0 || rc == VOCD_EINVAL || rc == VOCD_EUNPROC);
	FUZZ_ASSERT(rc == 0 || (field[0] && message[0]));
}

#endif

/* A tenant's `calendar = { ... }` setting (working hours, holidays, adjusted working days) as JSON: read
 * or refused with the setting named; a calendar read is then used as the SLA clocks use it (adding working
 * time and days, measuring working time between two instants), which must end and stay in range. */
#include <stdint.h>

#include "calendar_conf.h"
#include "error.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	if (!j || fuzz_duplicate_names(j)) {
		cJSON_Delete(j);
		return 0;
	}
	struct vocd_tenant_calendar c;
	char why[512];
	why[0] = '\0';
	int rc = vocd_calendar_parse(j, &c, why, sizeof why);
	FUZZ_ASSERT(rc == 0 || (rc == VOCD_ECONFIG && why[0]));
	if (rc == 0) {
		static const int64_t from[] = {0, 1764547200000LL, 1790000000000LL};
		for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
			int64_t due = 0;
			rc = vocd_calendar_add(&c.cal, from[i], 3600000LL * 50, &due);
			FUZZ_ASSERT(rc == 0 || rc == VOCD_ELIMIT);
			if (rc == 0) {
				FUZZ_ASSERT(due >= from[i]);
				FUZZ_ASSERT(vocd_calendar_between(&c.cal, from[i], due) >= 0);
			}
			rc = vocd_calendar_add_days(&c.cal, from[i], 15, &due);
			FUZZ_ASSERT(rc == 0 || rc == VOCD_ELIMIT);
			vocd_calendar_day_of(&c.cal, from[i]);
		}
		vocd_calendar_conf_free(&c);
	}
	cJSON_Delete(j);
	return 0;
}

/* A tenant's `tickets = { ... }` setting and the durations in it ("2h", "7 working days", "7个工作日"):
 * the input is tried as a duration as written and, when it is JSON, as the whole setting (config.c hands
 * the Lua table over as JSON). A duration read is then applied on the default calendar from a few
 * instants: it must give a deadline or VOCD_ELIMIT, never overflow. */
#include <stdint.h>

#include "calendar_conf.h"
#include "error.h"
#include "fuzz_util.h"
#include "ticket_conf.h"

static const struct vocd_calendar *default_calendar(void)
{
	static struct vocd_tenant_calendar cal;
	static int loaded;
	char why[256];
	if (!loaded)
		FUZZ_ASSERT(vocd_calendar_parse(NULL, &cal, why, sizeof why) == 0);
	loaded = 1;
	return &cal.cal;
}

static void apply(const struct vocd_duration *d)
{
	static const int64_t from[] = {0, 1764547200000LL, 4102444800000LL, -86400000LL};
	if (d->kind == VOCD_DURATION_NONE)
		return; /* no limit: the SLA code never asks for its deadline */
	for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
		int64_t due = 0;
		int rc = vocd_duration_due(d, default_calendar(), from[i], &due);
		FUZZ_ASSERT(rc == 0 || rc == VOCD_ELIMIT);
		FUZZ_ASSERT(rc != 0 || due >= from[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct vocd_duration d;
	if (vocd_duration_parse(s, &d) == 0) {
		FUZZ_ASSERT(d.kind == VOCD_DURATION_NONE || d.amount >= 0);
		apply(&d);
	}
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	if (j && !fuzz_duplicate_names(j)) {
		struct vocd_tickets_conf c;
		char why[512];
		why[0] = '\0';
		int rc = vocd_tickets_conf_parse(j, &c, why, sizeof why);
		FUZZ_ASSERT(rc == 0 || (rc == VOCD_ECONFIG && why[0]));
		if (rc == 0) {
			for (int k = 0; k < VOCD_CLASS_COUNT; k++)
				for (int st = 0; st < VOCD_STAGE_COUNT; st++)
					apply(&c.sla[k][st]);
			vocd_tickets_conf_free(&c);
		}
	}
	cJSON_Delete(j);
	free(s);
	return 0;
}

/* The tenant's privacy setting: how long personal data is kept. */
#include "privacy_conf.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "ticket_conf.h"
#include "validate.h"

#define DAY_MS 86400000LL
#define MAX_DAYS 3660

static const char *const known_keys[] = {"retention_days", "retention", NULL};

static void describe(const cJSON *v, char *out, size_t n)
{
	char *text = cJSON_PrintUnformatted(v);
	snprintf(out, n, "%s", text ? text : "?");
	cJSON_free(text);
}

int vocd_privacy_conf_parse(const cJSON *setting, struct vocd_privacy_conf *out, char *why, size_t why_len)
{
	memset(out, 0, sizeof *out);
	if (!setting)
		return 0;
	if (!cJSON_IsObject(setting))
		return vocd_config_error(why, why_len, "privacy: expected { retention_days = 365 }");
	int rc = vocd_config_known(setting, "privacy", known_keys, 0, why, why_len);
	if (rc != 0)
		return rc;
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(setting, "retention_days");
	const cJSON *span = cJSON_GetObjectItemCaseSensitive(setting, "retention");
	char got[64];
	if (days && span)
		return vocd_config_error(why, why_len, "privacy.retention: give retention_days or retention, not both");
	if (days) {
		if (!cJSON_IsNumber(days) || days->valuedouble < 1 || days->valuedouble > MAX_DAYS ||
		    days->valuedouble != (double)(int)days->valuedouble) {
			describe(days, got, sizeof got);
			return vocd_config_error(why, why_len, "privacy.retention_days: expected a whole number of days from 1 "
			                         "to %d, got %s", MAX_DAYS, got);
		}
		out->retention_ms = (int64_t)days->valuedouble * DAY_MS;
	}
	if (span) {
		/* Elapsed time only: retention does not stop at weekends like an SLA in working hours. */
		struct vocd_duration d;
		if (!cJSON_IsString(span) || vocd_duration_parse(span->valuestring, &d) != 0 ||
		    d.kind != VOCD_DURATION_ELAPSED) {
			describe(span, got, sizeof got);
			return vocd_config_error(why, why_len, "privacy.retention: expected an elapsed time such as \"365 days\" "
			                         "or \"36 h elapsed\", got %s", got);
		}
		out->retention_ms = d.amount;
	}
	return 0;
}

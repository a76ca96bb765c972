/* The tenant's authenticity thresholds, each checked with an error that names it. */
#include "authenticity_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "validate.h"

static const char *const known_keys[] = {"burst_minutes", "burst_per_ip", "burst_per_device", "trusted_addresses",
                                         "duplicate_distance", "duplicate_days", "duplicate_min_features",
                                         "seconds_per_question", "staff_devices", "history_min_answers",
                                         "history_gap", "incentive", NULL};

static void defaults(struct vocd_authenticity_conf *c)
{
	memset(c, 0, sizeof *c);
	c->burst_minutes = 10;
	c->burst_per_ip = 5;
	c->burst_per_device = 3;
	c->duplicate_distance = 10;
	c->duplicate_days = 7;
	c->duplicate_min_features = 8;
	c->seconds_per_question = 2;
	c->staff_devices = 1;
	c->history_min_answers = 3;
	c->history_gap = 0.5;
	c->incentive = 1;
	c->period = VOCD_PERIOD_MONTH;
	c->last_days = 3;
	c->top_ratings = 20;
}

/* A whole number from lo to hi, when present; \p what says what it is ("a number of minutes from 1 to 1440"). */
static int whole(const cJSON *s, const char *path, const char *key, unsigned lo, unsigned hi, const char *what,
                 unsigned *out, char *why, size_t wl)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi || v->valuedouble != (double)(long)v->valuedouble) {
		char got[64];
		if (cJSON_IsNumber(v))
			snprintf(got, sizeof got, "%g", v->valuedouble);
		else
			snprintf(got, sizeof got, "%s", cJSON_IsString(v) ? "text" : cJSON_IsBool(v) ? "true/false" : "a table");
		return vocd_config_error(why, wl, "%s.%s: expected %s, got %s", path, key, what, got);
	}
	*out = (unsigned)v->valuedouble;
	return 0;
}

static int flag(const cJSON *s, const char *key, int *out, char *why, size_t wl)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
	if (v && !cJSON_IsBool(v))
		return vocd_config_error(why, wl, "authenticity.%s: expected true or false", key);
	if (v)
		*out = cJSON_IsTrue(v);
	return 0;
}

static int read_trusted(const cJSON *v, struct vocd_authenticity_conf *c, char *why, size_t wl)
{
	if (!v)
		return 0;
	int n = cJSON_GetArraySize(v);
	if (!cJSON_IsArray(v) || n > 64)
		return vocd_config_error(why, wl, "authenticity.trusted_addresses: expected a list of up to 64 addresses, such as { \"10.0.0.5\" }");
	c->trusted_addresses = calloc((size_t)n + 1, sizeof *c->trusted_addresses);
	int i = 0;
	for (const cJSON *a = v->child; a; a = a->next, i++) {
		if (!cJSON_IsString(a) || !a->valuestring[0] || strlen(a->valuestring) > 45)
			return vocd_config_error(why, wl, "authenticity.trusted_addresses[%d]: expected an IP address such as \"10.0.0.5\"", i + 1);
		c->trusted_addresses[i] = strdup(a->valuestring);
	}
	return 0;
}

static int read_incentive(const cJSON *v, struct vocd_authenticity_conf *c, char *why, size_t wl)
{
	static const char *const keys[] = {"period", "last_days", "top_ratings", NULL};
	if (!v)
		return 0;
	if (cJSON_IsBool(v)) {
		c->incentive = cJSON_IsTrue(v);
		return 0;
	}
	if (!cJSON_IsObject(v))
		return vocd_config_error(why, wl, "authenticity.incentive: expected { period = \"month\", last_days = 3, top_ratings = 20 } or false");
	int rc = vocd_config_known(v, "authenticity.incentive", keys, 0, why, wl);
	if (rc != 0)
		return rc;
	const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "period"));
	if (cJSON_GetObjectItemCaseSensitive(v, "period")) {
		if (p && strcmp(p, "month") == 0)
			c->period = VOCD_PERIOD_MONTH;
		else if (p && strcmp(p, "quarter") == 0)
			c->period = VOCD_PERIOD_QUARTER;
		else
			return vocd_config_error(why, wl, "authenticity.incentive.period: expected \"month\" or \"quarter\"");
	}
	if ((rc = whole(v, "authenticity.incentive", "last_days", 1, 31, "a number of days from 1 to 31", &c->last_days, why, wl)) != 0)
		return rc;
	return whole(v, "authenticity.incentive", "top_ratings", 1, 100000, "a number of top ratings from 1 to 100000",
	             &c->top_ratings, why, wl);
}

int vocd_authenticity_conf_parse(const cJSON *s, struct vocd_authenticity_conf *out, char *why, size_t wl)
{
	defaults(out);
	if (!s)
		return 0;
	if (!cJSON_IsObject(s))
		return vocd_config_error(why, wl, "authenticity: expected { burst_per_ip = 5, duplicate_distance = 10, … }");
	int rc = vocd_config_known(s, "authenticity", known_keys, 0, why, wl);
	const char *A = "authenticity";
	if (rc == 0)
		rc = whole(s, A, "burst_minutes", 1, 1440, "a number of minutes from 1 to 1440", &out->burst_minutes, why, wl);
	if (rc == 0)
		rc = whole(s, A, "burst_per_ip", 0, VOCD_BURST_MAX, "a whole number from 0 (not checked) to 60", &out->burst_per_ip, why, wl);
	if (rc == 0)
		rc = whole(s, A, "burst_per_device", 0, VOCD_BURST_MAX, "a whole number from 0 (not checked) to 60", &out->burst_per_device, why, wl);
	if (rc == 0)
		rc = read_trusted(cJSON_GetObjectItemCaseSensitive(s, "trusted_addresses"), out, why, wl);
	if (rc == 0)
		rc = whole(s, A, "duplicate_distance", 0, 24, "a number of bits from 0 (not checked) to 24", &out->duplicate_distance, why, wl);
	if (rc == 0)
		rc = whole(s, A, "duplicate_days", 1, 366, "a number of days from 1 to 366", &out->duplicate_days, why, wl);
	if (rc == 0)
		rc = whole(s, A, "duplicate_min_features", 1, 1000, "a number of words or character pairs from 1 to 1000", &out->duplicate_min_features, why, wl);
	if (rc == 0)
		rc = whole(s, A, "seconds_per_question", 0, 600, "a number of seconds from 0 (not checked) to 600", &out->seconds_per_question, why, wl);
	if (rc == 0)
		rc = flag(s, "staff_devices", &out->staff_devices, why, wl);
	if (rc == 0)
		rc = whole(s, A, "history_min_answers", 0, 1000, "a number of earlier answers from 0 (not checked) to 1000", &out->history_min_answers, why, wl);
	const cJSON *gap = cJSON_GetObjectItemCaseSensitive(s, "history_gap");
	if (rc == 0 && gap && (!cJSON_IsNumber(gap) || gap->valuedouble <= 0 || gap->valuedouble > 1))
		rc = vocd_config_error(why, wl, "authenticity.history_gap: expected a share of the scale above 0 and up to 1, such as 0.5");
	if (rc == 0 && gap)
		out->history_gap = gap->valuedouble;
	if (rc == 0)
		rc = read_incentive(cJSON_GetObjectItemCaseSensitive(s, "incentive"), out, why, wl);
	if (rc != 0)
		vocd_authenticity_conf_free(out);
	return rc;
}

void vocd_authenticity_conf_free(struct vocd_authenticity_conf *c)
{
	if (!c || !c->trusted_addresses)
		return;
	for (char **a = c->trusted_addresses; *a; a++)
		free(*a);
	free(c->trusted_addresses);
	c->trusted_addresses = NULL;
}

int vocd_authenticity_trusted(const struct vocd_authenticity_conf *c, const char *ip)
{
	for (char **a = c->trusted_addresses; ip && a && *a; a++)
		if (strcmp(*a, ip) == 0)
			return 1;
	return 0;
}

/* The tenant's ticket settings: SLA per class and stage, repeat detection, revisit, default assignment. */
#include "ticket_conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "validate.h"

#define MINUTE_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

static const char *const class_names[VOCD_CLASS_COUNT] = {"general", "important", "urgent", "repeat"};
static const char *const stage_names[VOCD_STAGE_COUNT] = {"acknowledge", "plan", "resolve", "revisit"};
static const char *const known_keys[] = {"sla", "repeat_within_days", "revisit", "assign", NULL};

const char *vocd_ticket_class_name(int c)
{
	return c >= 0 && c < VOCD_CLASS_COUNT ? class_names[c] : "?";
}

int vocd_ticket_class_parse(const char *s)
{
	for (int i = 0; s && i < VOCD_CLASS_COUNT; i++)
		if (strcmp(s, class_names[i]) == 0)
			return i;
	return -1;
}

const char *vocd_sla_stage_name(int s)
{
	return s >= 0 && s < VOCD_STAGE_COUNT ? stage_names[s] : "?";
}

int vocd_sla_stage_parse(const char *s)
{
	for (int i = 0; s && i < VOCD_STAGE_COUNT; i++)
		if (strcmp(s, stage_names[i]) == 0)
			return i;
	return -1;
}

/* Units after the number, spaces around them ignored. */
static const struct {
	const char *unit;
	enum vocd_duration_kind kind;
	int64_t ms; /* per unit; 1 for working days */
} units[] = {
	{"s", VOCD_DURATION_WORKING, 1000},             {"s elapsed", VOCD_DURATION_ELAPSED, 1000},
	{"m", VOCD_DURATION_WORKING, MINUTE_MS},        {"min", VOCD_DURATION_WORKING, MINUTE_MS},
	{"minutes", VOCD_DURATION_WORKING, MINUTE_MS},  {"分钟", VOCD_DURATION_WORKING, MINUTE_MS},
	{"h", VOCD_DURATION_WORKING, HOUR_MS},          {"hours", VOCD_DURATION_WORKING, HOUR_MS},
	{"hour", VOCD_DURATION_WORKING, HOUR_MS},       {"小时", VOCD_DURATION_WORKING, HOUR_MS},
	{"个小时", VOCD_DURATION_WORKING, HOUR_MS},
	{"working days", VOCD_DURATION_WORKING_DAYS, 1}, {"working day", VOCD_DURATION_WORKING_DAYS, 1},
	{"工作日", VOCD_DURATION_WORKING_DAYS, 1},       {"个工作日", VOCD_DURATION_WORKING_DAYS, 1},
	{"h elapsed", VOCD_DURATION_ELAPSED, HOUR_MS},  {"hours elapsed", VOCD_DURATION_ELAPSED, HOUR_MS},
	{"m elapsed", VOCD_DURATION_ELAPSED, MINUTE_MS},
	{"days", VOCD_DURATION_ELAPSED, DAY_MS},        {"day", VOCD_DURATION_ELAPSED, DAY_MS},
	{"天", VOCD_DURATION_ELAPSED, DAY_MS},           {"自然日", VOCD_DURATION_ELAPSED, DAY_MS},
	{"个自然日", VOCD_DURATION_ELAPSED, DAY_MS},
};

int vocd_duration_parse(const char *s, struct vocd_duration *out)
{
	if (!s)
		return -1;
	while (*s == ' ')
		s++;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v <= 0 || v > 3660)
		return -1;
	while (*end == ' ')
		end++;
	size_t len = strlen(end);
	while (len > 0 && end[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strlen(units[i].unit) == len && strncmp(end, units[i].unit, len) == 0) {
			out->kind = units[i].kind;
			out->amount = (int64_t)v * units[i].ms;
			return 0;
		}
	}
	return -1;
}

int vocd_duration_due(const struct vocd_duration *d, const struct vocd_calendar *cal, int64_t from_ms, int64_t *due_ms)
{
	switch (d->kind) {
	case VOCD_DURATION_WORKING:
		return vocd_calendar_add(cal, from_ms, d->amount, due_ms);
	case VOCD_DURATION_WORKING_DAYS:
		return vocd_calendar_add_days(cal, from_ms, (int)d->amount, due_ms);
	case VOCD_DURATION_ELAPSED:
		*due_ms = from_ms + d->amount;
		return 0;
	default:
		return VOCD_EINVAL;
	}
}

static void defaults(struct vocd_tickets_conf *c)
{
	memset(c, 0, sizeof *c);
	/* The complaint guide of the seeds (003 §2.4 and §3.1): acknowledged within 2 hours, a plan within 48,
	 * resolved within 7, 15, 2 or 10 working days for general, important, urgent and repeat complaints. */
	static const int resolve_days[VOCD_CLASS_COUNT] = {7, 15, 2, 10};
	for (int k = 0; k < VOCD_CLASS_COUNT; k++) {
		c->sla[k][VOCD_STAGE_ACKNOWLEDGE] = (struct vocd_duration){VOCD_DURATION_WORKING, 2 * HOUR_MS};
		c->sla[k][VOCD_STAGE_PLAN] = (struct vocd_duration){VOCD_DURATION_WORKING, 48 * HOUR_MS};
		c->sla[k][VOCD_STAGE_RESOLVE] = (struct vocd_duration){VOCD_DURATION_WORKING_DAYS, resolve_days[k]};
		c->sla[k][VOCD_STAGE_REVISIT] = (struct vocd_duration){VOCD_DURATION_WORKING_DAYS, 10};
	}
	c->repeat_within_days = 30;
	c->revisit = 1;
	c->satisfied_csat = 4;
	c->satisfied_nps = 7;
	c->assign_how = VOCD_ASSIGN_FEWEST_OPEN;
}

static int read_sla(const cJSON *sla, struct vocd_tickets_conf *c, char *why, size_t wl)
{
	if (!cJSON_IsObject(sla))
		return vocd_config_error(why, wl, "tickets.sla: expected { general = { acknowledge = \"2h\", resolve = \"7 working days\" }, … }");
	for (const cJSON *cls = sla->child; cls; cls = cls->next) {
		int k = vocd_ticket_class_parse(cls->string);
		if (k < 0)
			return vocd_config_error(why, wl, "tickets.sla: unknown class '%s' (known: general, important, urgent, repeat)", cls->string);
		if (!cJSON_IsObject(cls))
			return vocd_config_error(why, wl, "tickets.sla.%s: expected { acknowledge = \"2h\", plan = \"48h\", resolve = \"7 working "
			            "days\", revisit = \"10 working days\" }", cls->string);
		for (const cJSON *st = cls->child; st; st = st->next) {
			int s = vocd_sla_stage_parse(st->string);
			if (s < 0)
				return vocd_config_error(why, wl, "tickets.sla.%s: unknown stage '%s' (known: acknowledge, plan, resolve, revisit)",
				            cls->string, st->string);
			if (cJSON_IsFalse(st)) {
				c->sla[k][s].kind = VOCD_DURATION_NONE;
				continue;
			}
			if (!cJSON_IsString(st) || vocd_duration_parse(st->valuestring, &c->sla[k][s]) != 0)
				return vocd_config_error(why, wl, "tickets.sla.%s.%s: expected a duration such as \"2h\", \"30m\", \"7 working days\" "
				            "or \"3 days\" (or false for no limit), got %s%s%s", cls->string, st->string,
				            cJSON_IsString(st) ? "\"" : "", cJSON_IsString(st) ? st->valuestring : "something else",
				            cJSON_IsString(st) ? "\"" : "");
		}
	}
	return 0;
}

static int read_revisit(const cJSON *r, struct vocd_tickets_conf *c, char *why, size_t wl)
{
	static const char *const keys[] = {"enabled", "channel", "satisfied_from", "satisfied_nps_from", NULL};
	if (cJSON_IsBool(r)) {
		c->revisit = cJSON_IsTrue(r);
		return 0;
	}
	if (!cJSON_IsObject(r))
		return vocd_config_error(why, wl, "tickets.revisit: expected { channel = \"sms\", satisfied_from = 4 } or false");
	int rc = vocd_config_known(r, "tickets.revisit", keys, 0, why, wl);
	if (rc != 0)
		return rc;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "enabled");
	if (v && !cJSON_IsBool(v))
		return vocd_config_error(why, wl, "tickets.revisit.enabled: expected true or false");
	if (v)
		c->revisit = cJSON_IsTrue(v);
	v = cJSON_GetObjectItemCaseSensitive(r, "channel");
	if (v && (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > 32))
		return vocd_config_error(why, wl, "tickets.revisit.channel: expected a channel name such as \"sms\"");
	if (v)
		c->revisit_channel = strdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(r, "satisfied_from");
	if (v && (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 5 || v->valuedouble != (int)v->valuedouble))
		return vocd_config_error(why, wl, "tickets.revisit.satisfied_from: expected the lowest CSAT (1 to 5) that closes a ticket");
	if (v)
		c->satisfied_csat = (int)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(r, "satisfied_nps_from");
	if (v && (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 10 || v->valuedouble != (int)v->valuedouble))
		return vocd_config_error(why, wl, "tickets.revisit.satisfied_nps_from: expected the lowest NPS score (0 to 10) that closes a ticket");
	if (v)
		c->satisfied_nps = (int)v->valuedouble;
	return 0;
}

static int read_assign(const cJSON *a, struct vocd_tickets_conf *c, char *why, size_t wl)
{
	static const char *const keys[] = {"team", "how", NULL};
	if (!cJSON_IsObject(a))
		return vocd_config_error(why, wl, "tickets.assign: expected { team = \"care\", how = \"fewest_open\" }");
	int rc = vocd_config_known(a, "tickets.assign", keys, 0, why, wl);
	if (rc != 0)
		return rc;
	const cJSON *team = cJSON_GetObjectItemCaseSensitive(a, "team"), *how = cJSON_GetObjectItemCaseSensitive(a, "how");
	if (team && (!cJSON_IsString(team) || !team->valuestring[0] || strlen(team->valuestring) > 128))
		return vocd_config_error(why, wl, "tickets.assign.team: expected a team name");
	if (team)
		c->assign_team = strdup(team->valuestring);
	if (how) {
		const char *h = cJSON_GetStringValue(how);
		if (h && (strcmp(h, "fewest_open") == 0 || strcmp(h, "fewest open") == 0))
			c->assign_how = VOCD_ASSIGN_FEWEST_OPEN;
		else if (h && (strcmp(h, "round_robin") == 0 || strcmp(h, "round robin") == 0))
			c->assign_how = VOCD_ASSIGN_ROUND_ROBIN;
		else
			return vocd_config_error(why, wl, "tickets.assign.how: expected \"fewest_open\" or \"round_robin\"");
	}
	return 0;
}

int vocd_tickets_conf_parse(const cJSON *setting, struct vocd_tickets_conf *out, char *why, size_t why_len)
{
	defaults(out);
	if (!setting)
		return 0;
	if (!cJSON_IsObject(setting))
		return vocd_config_error(why, why_len, "tickets: expected { sla = { … }, repeat_within_days = 30, revisit = { … } }");
	int rc = vocd_config_known(setting, "tickets", known_keys, 0, why, why_len);
	const cJSON *v;
	if (rc == 0 && (v = cJSON_GetObjectItemCaseSensitive(setting, "sla")))
		rc = read_sla(v, out, why, why_len);
	if (rc == 0 && (v = cJSON_GetObjectItemCaseSensitive(setting, "repeat_within_days"))) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 3660 || v->valuedouble != (int)v->valuedouble)
			rc = vocd_config_error(why, why_len, "tickets.repeat_within_days: expected a whole number of days from 0 (no repeat "
			          "detection) to 3660");
		else
			out->repeat_within_days = (unsigned)v->valuedouble;
	}
	if (rc == 0 && (v = cJSON_GetObjectItemCaseSensitive(setting, "revisit")))
		rc = read_revisit(v, out, why, why_len);
	if (rc == 0 && (v = cJSON_GetObjectItemCaseSensitive(setting, "assign")))
		rc = read_assign(v, out, why, why_len);
	if (rc != 0)
		vocd_tickets_conf_free(out);
	return rc;
}

void vocd_tickets_conf_free(struct vocd_tickets_conf *c)
{
	if (!c)
		return;
	free(c->revisit_channel);
	free(c->assign_team);
	c->revisit_channel = c->assign_team = NULL;
}

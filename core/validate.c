/* Shared body checks. */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "pii.h"

static const char *const personal_keys[] = {"name", "phone", "email", "mobile", "address", NULL};

const char *const vocd_context_keys[] = {"type", "id", "agent", "team", "product_line", "region", "store", "dealer",
                                         NULL};

static int in_list(const char *k, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(*list, k) == 0)
			return 1;
	return 0;
}

static int fail(struct vocd_field_error *e, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct vocd_field_error *e, int status, const char *code, const char *fmt, ...)
{
	e->status = status;
	e->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return -1;
}

/* "a, b, c": the names a message lists as known. */
static void join(const char *const *known, char *out, size_t n)
{
	out[0] = '\0';
	for (const char *const *k = known; *k; k++)
		snprintf(out + strlen(out), n - strlen(out), "%s%s", k == known ? "" : ", ", *k);
}

int vocd_check_known(const cJSON *obj, const char *prefix, const char *const *known, struct vocd_field_error *e)
{
	for (const cJSON *m = obj ? obj->child : NULL; m; m = m->next) {
		if (in_list(m->string, known))
			continue;
		char list[256];
		join(known, list, sizeof list);
		/* an empty name is shown quoted: the message must still say which field it refuses */
		return fail(e, 400, "unknown_field", "%s%s%s: unknown field (known: %s)", prefix, prefix[0] ? "." : "",
		            m->string[0] ? m->string : "\"\"", list);
	}
	return 0;
}

int vocd_config_known(const cJSON *obj, const char *path, const char *const *known, int positional, char *why,
                      size_t why_len)
{
	for (const cJSON *m = cJSON_IsObject(obj) ? obj->child : NULL; m; m = m->next) {
		if (in_list(m->string, known) || (positional && m->string[0] >= '1' && m->string[0] <= '9'))
			continue;
		char list[256];
		join(known, list, sizeof list);
		return vocd_config_error(why, why_len, "%s: unknown setting '%s' (known: %s)", path, m->string, list);
	}
	return 0;
}

int vocd_check_string(const cJSON *item, const char *field, size_t max, int required, struct vocd_field_error *e)
{
	if (!item)
		return required ? fail(e, 422, "invalid_field", "%s: required", field) : 0;
	if (!cJSON_IsString(item))
		return fail(e, 422, "invalid_field", "%s: expected a string", field);
	size_t len = strlen(item->valuestring);
	if (len == 0 || len > max)
		return fail(e, 422, "invalid_field", "%s: expected 1 to %zu bytes, got %zu", field, max, len);
	return 0;
}

int vocd_check_string_object(const cJSON *obj, const char *field, const char *const *allowed, int refuse_personal,
                             struct vocd_field_error *e)
{
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return fail(e, 422, "invalid_field", "%s: expected an object", field);
	for (const cJSON *m = obj->child; m; m = m->next) {
		char name[300];
		snprintf(name, sizeof name, "%s.%s", field, m->string);
		if (refuse_personal && in_list(m->string, personal_keys))
			return fail(e, 422, "personal_data", "%s: personal data is not accepted here; send it with an "
			            "invitation, where consent is recorded", name);
	}
	if (vocd_check_known(obj, field, allowed, e) != 0)
		return -1;
	for (const cJSON *m = obj->child; m; m = m->next) {
		char name[300];
		snprintf(name, sizeof name, "%s.%s", field, m->string);
		if (vocd_check_string(m, name, 128, 1, e) != 0)
			return -1;
	}
	return 0;
}

int vocd_external_id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 128)
		return 0;
	for (const char *c = s; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') && !strchr("_.:-", *c))
			return 0;
	/* Ids are stored and shown in clear: a phone number is personal data, not an id. */
	char *phone = NULL;
	int is_phone = vocd_pii_normalize_phone(s, &phone) == 0;
	vocd_pii_free(phone);
	return !is_phone;
}

int vocd_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

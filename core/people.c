/* The tenant's people directory: read from the tenant file, checked (every manager one of the people,
 * contacts that can be reached), and looked up by id, role, team or what a person manages. */
#include "people.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pii.h"
#include "token.h"
#include "validate.h"

#define MAX_PEOPLE 10000

static const char *const person_keys[] = {"name",  "roles", "team", "manager", "manages", "phone",
                                          "email", "lang",  "access", "scope", NULL};
static const char *const dimensions[] = {"team", "store", "dealer", "region", "product_line", NULL};

int vocd_people_dimension_valid(const char *dim)
{
	for (const char *const *d = dimensions; dim && *d; d++)
		if (strcmp(*d, dim) == 0)
			return 1;
	return 0;
}

static int cmp_person(const void *a, const void *b)
{
	return strcmp(((const struct vocd_person *)a)->id, ((const struct vocd_person *)b)->id);
}

/* A list of strings (roles, manages), or one string without braces; each checked by \p ok. */
static int add_strings(const cJSON *v, const char *path, int (*ok)(const char *), const char *expected, char ***out,
                       size_t *n, char *why, size_t wl)
{
	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!cJSON_IsString(v) && !cJSON_IsArray(v) && !(cJSON_IsObject(v) && !v->child))
		return vocd_config_error(why, wl, "%s: expected a list such as { %s }", path, expected);
	int count = cJSON_IsString(v) ? 1 : cJSON_GetArraySize(v);
	*out = calloc(count > 0 ? (size_t)count : 1, sizeof **out);
	if (!*out)
		return VOCD_ENOMEM;
	const cJSON *s = cJSON_IsString(v) ? v : v->child;
	for (int i = 1; s; s = cJSON_IsString(v) ? NULL : s->next, i++) {
		if (!cJSON_IsString(s) || !ok(s->valuestring))
			return vocd_config_error(why, wl, "%s[%d]: expected %s%s%s%s", path, i, expected, cJSON_IsString(s) ? ", got \"" : "",
			            cJSON_IsString(s) ? s->valuestring : "", cJSON_IsString(s) ? "\"" : "");
		if (!((*out)[(*n)++] = strdup(s->valuestring)))
			return VOCD_ENOMEM;
	}
	return 0;
}

static int manages_valid(const char *s)
{
	const char *colon = strchr(s, ':');
	if (!colon || !colon[1] || strlen(colon + 1) > 128)
		return 0;
	char dim[16];
	size_t dl = (size_t)(colon - s);
	if (dl == 0 || dl >= sizeof dim)
		return 0;
	memcpy(dim, s, dl);
	dim[dl] = '\0';
	return vocd_people_dimension_valid(dim);
}

static int opt_text(const cJSON *obj, const char *key, const char *path, size_t max, char **out, char *why, size_t wl)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > max)
		return vocd_config_error(why, wl, "%s.%s: expected text of 1 to %zu bytes", path, key, max);
	*out = strdup(v->valuestring);
	return *out ? 0 : VOCD_ENOMEM;
}

static int read_person(const cJSON *v, struct vocd_person *p, char *why, size_t wl)
{
	char path[200];
	snprintf(path, sizeof path, "people.%s", v->string);
	if (!vocd_external_id_valid(v->string))
		return vocd_config_error(why, wl, "%s: a person's id is 1-128 of letters, digits and _ . : - (the id an agent has "
		            "in the service context), and not a phone number", path);
	p->id = strdup(v->string);
	if (!cJSON_IsObject(v))
		return vocd_config_error(why, wl, "%s: expected { name = \"…\", roles = { … }, team = \"…\", manager = \"…\" }", path);
	char sub[240];
	int rc;
	if ((rc = vocd_config_known(v, path, person_keys, 0, why, wl)) != 0 ||
	    (rc = opt_text(v, "name", path, 256, &p->name, why, wl)) != 0 ||
	    (rc = opt_text(v, "team", path, 128, &p->team, why, wl)) != 0 ||
	    (rc = opt_text(v, "manager", path, 128, &p->manager, why, wl)) != 0 ||
	    (rc = opt_text(v, "lang", path, 8, &p->lang, why, wl)) != 0 ||
	    (rc = opt_text(v, "scope", path, 160, &p->scope, why, wl)) != 0)
		return rc;
	char *access = NULL;
	if ((rc = opt_text(v, "access", path, 32, &access, why, wl)) != 0)
		return rc;
	p->access = access ? vocd_role_parse(access) : -1;
	int unknown_access = access && p->access < 0;
	free(access);
	if (unknown_access)
		return vocd_config_error(why, wl, "%s.access: expected \"admin\", \"supervisor\", \"agent\", \"auditor\" or "
		                         "\"integrator\" (what they may do when they sign in)", path);
	if (p->lang && strcmp(p->lang, "zh-CN") != 0 && strcmp(p->lang, "en") != 0)
		return vocd_config_error(why, wl, "%s.lang: expected \"zh-CN\" or \"en\", got \"%s\"", path, p->lang);
	snprintf(sub, sizeof sub, "%s.roles", path);
	if ((rc = add_strings(cJSON_GetObjectItemCaseSensitive(v, "roles"), sub, vocd_name_valid,
	                      "role names of a-z, 0-9, _ and - (\"service_director\")", &p->roles, &p->nroles, why, wl)) != 0)
		return rc;
	snprintf(sub, sizeof sub, "%s.manages", path);
	if ((rc = add_strings(cJSON_GetObjectItemCaseSensitive(v, "manages"), sub, manages_valid,
	                      "\"team:NAME\", \"store:ID\", \"dealer:ID\", \"region:NAME\" or \"product_line:NAME\"",
	                      &p->manages, &p->nmanages, why, wl)) != 0)
		return rc;
	char *text = NULL, *norm = NULL;
	if ((rc = opt_text(v, "phone", path, 40, &text, why, wl)) != 0)
		return rc;
	if (text) {
		rc = vocd_pii_normalize_phone(text, &norm);
		free(text);
		if (rc != 0)
			return vocd_config_error(why, wl, "%s.phone: not a valid phone number (e.g. 13812345678 or +44 20 7946 0958)", path);
		if (asprintf(&p->phone, "+%s", norm) < 0)
			p->phone = NULL;
		vocd_pii_free(norm);
	}
	if ((rc = opt_text(v, "email", path, 254, &text, why, wl)) != 0)
		return rc;
	if (text) {
		rc = vocd_pii_normalize_email(text, &norm);
		free(text);
		if (rc != 0)
			return vocd_config_error(why, wl, "%s.email: not a valid email address", path);
		p->email = strdup(norm);
		vocd_pii_free(norm);
	}
	return 0;
}

int vocd_people_parse(const cJSON *setting, struct vocd_people *out, char *why, size_t why_len)
{
	memset(out, 0, sizeof *out);
	if (!setting || (cJSON_IsObject(setting) && !setting->child))
		return 0;
	if (!cJSON_IsObject(setting))
		return vocd_config_error(why, why_len, "people: expected { id = { name = \"…\", roles = { … } }, … }");
	size_t n = (size_t)cJSON_GetArraySize(setting);
	if (n > MAX_PEOPLE)
		return vocd_config_error(why, why_len, "people: at most %d people", MAX_PEOPLE);
	out->list = calloc(n, sizeof *out->list);
	if (!out->list)
		return VOCD_ENOMEM;
	int rc = 0;
	for (const cJSON *v = setting->child; v && rc == 0; v = v->next)
		rc = read_person(v, &out->list[out->n++], why, why_len);
	if (rc != 0) {
		vocd_people_free(out);
		return rc;
	}
	qsort(out->list, out->n, sizeof *out->list, cmp_person);
	for (size_t i = 0; i < out->n; i++) {
		const struct vocd_person *p = &out->list[i];
		if (p->manager && !vocd_people_find(out, p->manager))
			rc = vocd_config_error(why, why_len, "people.%s.manager: \"%s\" is not one of the people", p->id, p->manager);
		else if (p->manager && strcmp(p->manager, p->id) == 0)
			rc = vocd_config_error(why, why_len, "people.%s.manager: a person cannot be their own manager", p->id);
		if (rc != 0)
			break;
	}
	if (rc != 0)
		vocd_people_free(out);
	return rc;
}

static void free_strings(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

void vocd_people_free(struct vocd_people *p)
{
	for (size_t i = 0; p && i < p->n; i++) {
		struct vocd_person *x = &p->list[i];
		free(x->id);
		free(x->name);
		free(x->team);
		free(x->manager);
		free(x->phone);
		free(x->email);
		free(x->lang);
		free(x->scope);
		free_strings(x->roles, x->nroles);
		free_strings(x->manages, x->nmanages);
	}
	if (p) {
		free(p->list);
		memset(p, 0, sizeof *p);
	}
}

const struct vocd_person *vocd_people_find(const struct vocd_people *p, const char *id)
{
	if (!p || !id || p->n == 0)
		return NULL;
	struct vocd_person key = {.id = (char *)id};
	return bsearch(&key, p->list, p->n, sizeof *p->list, cmp_person);
}

int vocd_person_has_role(const struct vocd_person *person, const char *role)
{
	for (size_t i = 0; person && role && i < person->nroles; i++)
		if (strcmp(person->roles[i], role) == 0)
			return 1;
	return 0;
}

const struct vocd_person *vocd_people_manager_of(const struct vocd_people *p, const char *dim, const char *value)
{
	if (!p || !dim || !value)
		return NULL;
	if (strcmp(dim, "agent") == 0 || strcmp(dim, "person") == 0) {
		const struct vocd_person *x = vocd_people_find(p, value);
		return x && x->manager ? vocd_people_find(p, x->manager) : NULL;
	}
	char want[160];
	snprintf(want, sizeof want, "%s:%s", dim, value);
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->list[i].nmanages; k++)
			if (strcmp(p->list[i].manages[k], want) == 0)
				return &p->list[i];
	if (strcmp(dim, "team") == 0) /* a team nobody is named for: whoever its members report to */
		for (size_t i = 0; i < p->n; i++)
			if (p->list[i].team && strcmp(p->list[i].team, value) == 0 && p->list[i].manager)
				return vocd_people_find(p, p->list[i].manager);
	return NULL;
}

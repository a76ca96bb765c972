/* The organisation tree: read from the tenant file, checked (known kinds, each below its parent's level,
 * every unit once), and asked whether a service context falls under a unit. */
#include "organisation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "validate.h"

#define MAX_UNITS 20000
#define MAX_DEPTH 8

/* Kinds from the top down; store and dealer are the same level. */
static const struct {
	const char *kind;
	int level;
} kinds[] = {{"group", 0}, {"brand", 1}, {"region", 2}, {"store", 3}, {"dealer", 3}, {"team", 4}};

/* The service-context keys a record places itself in the tree with. */
static const char *const context_keys[] = {"brand", "region", "store", "dealer", "team", NULL};

struct reading {
	struct vocd_organisation *org;
	size_t cap;
	char *why;
	size_t wl;
};

/* The level of "kind:id", or -1 when it is not a unit name. */
static int level_of(const char *name)
{
	const char *colon = strchr(name, ':');
	if (!colon || !vocd_external_id_valid(colon + 1))
		return -1;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strlen(kinds[i].kind) == (size_t)(colon - name) && strncmp(name, kinds[i].kind, (size_t)(colon - name)) == 0)
			return kinds[i].level;
	return -1;
}

static int add_unit(struct reading *r, const char *name, int parent, const char *path, int depth)
{
	struct vocd_organisation *org = r->org;
	int level = level_of(name);
	if (level < 0)
		return vocd_config_error(r->why, r->wl, "%s: \"%s\" is not a unit: expected \"kind:id\" with kind group, brand, "
		                         "region, store, dealer or team (\"store:s-1\")", path, name);
	if (parent >= 0 && level <= level_of(org->units[parent].name))
		return vocd_config_error(r->why, r->wl, "%s: a %.*s cannot be inside %s (the order is group, brand, region, "
		                         "store or dealer, team)", path, (int)(strchr(name, ':') - name), name,
		                         org->units[parent].name);
	if (depth > MAX_DEPTH || org->n >= MAX_UNITS)
		return vocd_config_error(r->why, r->wl, "%s: the tree is too large", path);
	for (size_t i = 0; i < org->n; i++)
		if (strcmp(org->units[i].name, name) == 0)
			return vocd_config_error(r->why, r->wl, "%s: \"%s\" appears twice in the tree", path, name);
	if (org->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct vocd_org_unit *u = realloc(org->units, cap * sizeof *u);
		if (!u)
			return VOCD_ENOMEM;
		org->units = u;
		r->cap = cap;
	}
	if (!(org->units[org->n].name = strdup(name)))
		return VOCD_ENOMEM;
	org->units[org->n].parent = parent;
	org->n++;
	return 0;
}

/* The children of unit \p parent: { ["kind:id"] = { ... }, ... } or a list of leaf units { "kind:id", ... }. */
static int read_children(struct reading *r, const cJSON *v, int parent, const char *path, int depth)
{
	if (cJSON_IsArray(v) || (cJSON_IsObject(v) && !v->child)) {
		int i = 1;
		for (const cJSON *c = v->child; c; c = c->next, i++) {
			if (!cJSON_IsString(c))
				return vocd_config_error(r->why, r->wl, "%s[%d]: expected a unit such as \"team:care\"", path, i);
			int rc = add_unit(r, c->valuestring, parent, path, depth);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if (!cJSON_IsObject(v))
		return vocd_config_error(r->why, r->wl, "%s: expected { [\"kind:id\"] = { … } } or a list { \"team:care\" }", path);
	for (const cJSON *c = v->child; c; c = c->next) {
		char sub[512];
		snprintf(sub, sizeof sub, "%s.%s", path, c->string);
		int rc = add_unit(r, c->string, parent, path, depth);
		if (rc == 0)
			rc = read_children(r, c, (int)r->org->n - 1, sub, depth + 1);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int vocd_org_parse(const cJSON *setting, struct vocd_organisation *out, char *why, size_t why_len)
{
	memset(out, 0, sizeof *out);
	if (!setting)
		return 0;
	struct reading r = {out, 0, why, why_len};
	int rc = read_children(&r, setting, -1, "organisation", 0);
	if (rc != 0)
		vocd_org_free(out);
	return rc;
}

void vocd_org_free(struct vocd_organisation *org)
{
	for (size_t i = 0; org && i < org->n; i++)
		free(org->units[i].name);
	if (org) {
		free(org->units);
		memset(org, 0, sizeof *org);
	}
}

int vocd_org_find(const struct vocd_organisation *org, const char *name)
{
	for (size_t i = 0; org && name && i < org->n; i++)
		if (strcmp(org->units[i].name, name) == 0)
			return (int)i;
	return -1;
}

int vocd_org_context_within(const struct vocd_organisation *org, int unit, const cJSON *context)
{
	if (!org || unit < 0 || (size_t)unit >= org->n)
		return 0;
	for (const char *const *k = context_keys; *k; k++) {
		const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(context, *k));
		if (!value || strlen(value) > 128)
			continue;
		char name[160];
		snprintf(name, sizeof name, "%s:%s", *k, value);
		for (int u = vocd_org_find(org, name), steps = 0; u >= 0 && steps <= MAX_DEPTH; u = org->units[u].parent, steps++)
			if (u == unit)
				return 1;
	}
	return 0;
}

cJSON *vocd_org_above(const struct vocd_organisation *org, const cJSON *context)
{
	cJSON *out = NULL;
	for (const char *const *k = context_keys; org && *k; k++) {
		const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(context, *k));
		if (!value || strlen(value) > 128)
			continue;
		char name[160];
		snprintf(name, sizeof name, "%s:%s", *k, value);
		int u = vocd_org_find(org, name);
		for (int steps = 0; u >= 0 && (u = org->units[u].parent) >= 0 && steps <= MAX_DEPTH; steps++) {
			const char *unit = org->units[u].name, *colon = strchr(unit, ':');
			char kind[16];
			if (!colon || (size_t)(colon - unit) >= sizeof kind)
				continue;
			snprintf(kind, sizeof kind, "%.*s", (int)(colon - unit), unit);
			/* What the context names itself stays; a kind already filled from a lower unit stays. */
			if (cJSON_GetObjectItemCaseSensitive(context, kind) || (out && cJSON_GetObjectItemCaseSensitive(out, kind)))
				continue;
			if (!out)
				out = cJSON_CreateObject();
			cJSON_AddStringToObject(out, kind, colon + 1);
		}
	}
	return out;
}

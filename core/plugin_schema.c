/* Plugin settings schemas: shape check of schema.lua and validation of tenants' settings. See
 * plugin_schema.h. Settings come from Lua config files, so messages name Lua types (table, nil). */
#include "plugin_schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

struct ctx {
	char *err;
	size_t errlen, used;
	int problems;
	int nomem;
	const char *prefix;
	const char *where; /* appended as " (where)" when not NULL */
};

static void problem(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct ctx *c, const char *fmt, ...)
{
	c->problems++;
	if (c->err == NULL || c->errlen == 0 || c->used + 1 >= c->errlen)
		return;
	char line[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	int n = snprintf(c->err + c->used, c->errlen - c->used, "%s%s%s%s%s%s", c->used > 0 ? "\n" : "",
	                 c->prefix ? c->prefix : "", line, c->where ? " (" : "", c->where ? c->where : "",
	                 c->where ? ")" : "");
	if (n > 0)
		c->used += (size_t)n < c->errlen - c->used ? (size_t)n : c->errlen - c->used - 1;
}

static const char *lua_type_of(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v))
		return "nil";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "boolean";
	return "table";
}

static const char *type_of(const cJSON *spec)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(spec, "type");
	return cJSON_IsString(t) ? t->valuestring : "";
}

/* Short text of a scalar value for messages: "\"abc\"", "7", "true", "a table". */
static void show(const cJSON *v, char *buf, size_t len)
{
	if (cJSON_IsString(v))
		snprintf(buf, len, "\"%.60s%s\"", v->valuestring, strlen(v->valuestring) > 60 ? "..." : "");
	else if (cJSON_IsNumber(v))
		snprintf(buf, len, "%.17g", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else
		snprintf(buf, len, "a %s", lua_type_of(v));
}

/* What a spec expects, for messages: "number", "one of \"a\", \"b\"", "array of string". */
static void describe(const cJSON *spec, char *buf, size_t len)
{
	const char *t = type_of(spec);
	if (strcmp(t, "enum") == 0) {
		size_t used = (size_t)snprintf(buf, len, "one of ");
		const cJSON *v;
		int first = 1;
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(spec, "values"))
		{
			char s[80];
			show(v, s, sizeof s);
			if (used < len)
				used += (size_t)snprintf(buf + used, len - used, "%s%s", first ? "" : ", ", s);
			first = 0;
		}
	} else if (strcmp(t, "array") == 0 && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(spec, "items"))) {
		char inner[200];
		describe(cJSON_GetObjectItemCaseSensitive(spec, "items"), inner, sizeof inner);
		snprintf(buf, len, "array of %s", inner);
	} else {
		snprintf(buf, len, "%s", t);
	}
}

/* ---- Validation ---------------------------------------------------------------------------------- */

static void check_record(struct ctx *c, const cJSON *spec, cJSON *obj, const char *path);

static int num_limit(const cJSON *spec, const char *name, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, name);
	if (!cJSON_IsNumber(v))
		return 0;
	*out = v->valuedouble;
	return 1;
}

static void check_size(struct ctx *c, const cJSON *spec, double n, const char *unit, const char *path)
{
	double lim;
	if (num_limit(spec, "min", &lim) && n < lim)
		problem(c, "%s: expected at least %g %s, got %g", path, lim, unit, n);
	if (num_limit(spec, "max", &lim) && n > lim)
		problem(c, "%s: expected at most %g %s, got %g", path, lim, unit, n);
}

/* An empty Lua table converts to an empty JSON object: accept it where an array is expected. */
static cJSON *as_array(cJSON *v)
{
	if (cJSON_IsObject(v) && v->child == NULL) {
		v->type = (v->type & ~0xFF) | cJSON_Array;
	}
	return v;
}

static void check_value(struct ctx *c, const cJSON *spec, cJSON *v, const char *path)
{
	const char *t = type_of(spec);
	char want[400], got[100];
	if (strcmp(t, "string") == 0) {
		if (!cJSON_IsString(v))
			goto wrong_type;
		check_size(c, spec, (double)strlen(v->valuestring), "characters", path);
	} else if (strcmp(t, "number") == 0 || strcmp(t, "integer") == 0) {
		if (!cJSON_IsNumber(v))
			goto wrong_type;
		if (t[0] == 'i' && v->valuedouble != floor(v->valuedouble)) {
			problem(c, "%s: expected integer, got %.17g", path, v->valuedouble);
			return;
		}
		double lim;
		if (num_limit(spec, "min", &lim) && v->valuedouble < lim)
			problem(c, "%s: expected at least %g, got %.17g", path, lim, v->valuedouble);
		if (num_limit(spec, "max", &lim) && v->valuedouble > lim)
			problem(c, "%s: expected at most %g, got %.17g", path, lim, v->valuedouble);
	} else if (strcmp(t, "boolean") == 0) {
		if (!cJSON_IsBool(v))
			goto wrong_type;
	} else if (strcmp(t, "enum") == 0) {
		const cJSON *opt;
		cJSON_ArrayForEach(opt, cJSON_GetObjectItemCaseSensitive(spec, "values"))
		{
			if (cJSON_Compare(opt, v, 1))
				return;
		}
		describe(spec, want, sizeof want);
		show(v, got, sizeof got);
		problem(c, "%s: expected %s, got %s", path, want, got);
	} else if (strcmp(t, "array") == 0) {
		if (!cJSON_IsArray(as_array(v)))
			goto wrong_type;
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(spec, "items");
		int i = 1;
		cJSON *e;
		cJSON_ArrayForEach(e, v)
		{
			if (cJSON_IsObject(items)) {
				char sub[512];
				snprintf(sub, sizeof sub, "%s[%d]", path, i);
				check_value(c, items, e, sub);
			}
			i++;
		}
		check_size(c, spec, (double)cJSON_GetArraySize(v), "items", path);
	} else if (strcmp(t, "table") == 0) {
		if (cJSON_IsArray(v) && v->child == NULL)
			v->type = (v->type & ~0xFF) | cJSON_Object;
		if (!cJSON_IsObject(v))
			goto wrong_type;
		if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(spec, "fields"))) {
			check_record(c, spec, v, path);
		} else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(spec, "items"))) {
			cJSON *e;
			cJSON_ArrayForEach(e, v)
			{
				char sub[512];
				snprintf(sub, sizeof sub, "%s.%s", path, e->string);
				check_value(c, cJSON_GetObjectItemCaseSensitive(spec, "items"), e, sub);
			}
		}
	}
	return;
wrong_type:
	describe(spec, want, sizeof want);
	problem(c, "%s: expected %s, got %s", path, want, lua_type_of(v));
}

static int present(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return v != NULL && !cJSON_IsNull(v);
}

static void names_list(const cJSON *arr, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	const cJSON *n;
	cJSON_ArrayForEach(n, arr)
	{
		const char *s = cJSON_IsString(n) ? n->valuestring : (n->string ? n->string : "?");
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", s);
	}
}

static void run_checks(struct ctx *c, const cJSON *checks, const cJSON *obj, const char *path)
{
	const cJSON *chk;
	cJSON_ArrayForEach(chk, checks)
	{
		const cJSON *rule = chk->child;
		if (rule == NULL)
			continue;
		char list[400];
		names_list(rule, list, sizeof list);
		int n = 0;
		const cJSON *name;
		cJSON_ArrayForEach(name, rule) n += present(obj, name->valuestring);
		if (strcmp(rule->string, "at_least_one_of") == 0 && n == 0) {
			problem(c, "%s: expected at least one of %s", path, list);
		} else if (strcmp(rule->string, "only_one_of") == 0 && n > 1) {
			problem(c, "%s: expected only one of %s, got %d of them", path, list, n);
		} else if (strcmp(rule->string, "requires") == 0 && rule->child != NULL &&
		           present(obj, rule->child->valuestring)) {
			for (const cJSON *r = rule->child->next; r != NULL; r = r->next)
				if (!present(obj, r->valuestring))
					problem(c, "%s.%s: required when %s is set", path, r->valuestring,
					        rule->child->valuestring);
		} else if (strcmp(rule->string, "less_than") == 0 && cJSON_GetArraySize(rule) == 2) {
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, rule->child->valuestring);
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, rule->child->next->valuestring);
			if (cJSON_IsNumber(a) && cJSON_IsNumber(b) && !(a->valuedouble < b->valuedouble))
				problem(c, "%s.%s: expected less than %s.%s (%.17g), got %.17g", path, a->string, path,
				        b->string, b->valuedouble, a->valuedouble);
		}
	}
}

static void check_record(struct ctx *c, const cJSON *spec, cJSON *obj, const char *path)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(spec, "fields");
	char sub[512];
	for (cJSON *v = obj->child; v != NULL; v = v->next) {
		if (cJSON_GetObjectItemCaseSensitive(fields, v->string) == NULL) {
			char known[400];
			names_list(fields, known, sizeof known);
			snprintf(sub, sizeof sub, "%s.%s", path, v->string);
			problem(c, "%s: unknown setting (expected one of: %s)", sub, known[0] ? known : "none");
		}
	}
	const cJSON *f;
	cJSON_ArrayForEach(f, fields)
	{
		snprintf(sub, sizeof sub, "%s.%s", path, f->string);
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->string);
		if (v == NULL || cJSON_IsNull(v)) {
			const cJSON *def = cJSON_GetObjectItemCaseSensitive(f, "default");
			if (def != NULL) {
				cJSON *copy = cJSON_Duplicate(def, 1);
				if (copy == NULL) {
					c->nomem = 1;
					return;
				}
				if (v != NULL)
					cJSON_ReplaceItemInObjectCaseSensitive(obj, f->string, copy);
				else
					cJSON_AddItemToObject(obj, f->string, copy);
				check_value(c, f, copy, sub); /* normalises {} to [] for arrays */
			} else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "required"))) {
				char want[400];
				describe(f, want, sizeof want);
				const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "description");
				problem(c, "%s: required setting missing (expected %s%s%s)", sub, want,
				        cJSON_IsString(d) ? ": " : "", cJSON_IsString(d) ? d->valuestring : "");
			}
			continue;
		}
		check_value(c, f, v, sub);
	}
	run_checks(c, cJSON_GetObjectItemCaseSensitive(spec, "checks"), obj, path);
}

int vocd_schema_validate(const cJSON *schema, const cJSON *settings, const char *prefix, const char *where,
                         cJSON **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	struct ctx c = {.err = err, .errlen = errlen, .prefix = prefix, .where = where};
	cJSON *copy = settings != NULL ? cJSON_Duplicate(settings, 1) : cJSON_CreateObject();
	if (copy == NULL)
		return VOCD_ENOMEM;
	if (cJSON_IsArray(copy) && copy->child == NULL)
		copy->type = (copy->type & ~0xFF) | cJSON_Object;
	if (!cJSON_IsObject(copy))
		problem(&c, "settings: expected table, got %s", lua_type_of(copy));
	else
		check_record(&c, schema, copy, "settings");
	if (c.nomem || c.problems > 0) {
		cJSON_Delete(copy);
		return c.nomem ? VOCD_ENOMEM : VOCD_ECONFIG;
	}
	*out = copy;
	return 0;
}

/* ---- Schema shape -------------------------------------------------------------------------------- */

static const char *const types[] = {"string", "number", "integer", "boolean", "enum", "array", "table", NULL};

static int one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static void check_fields(struct ctx *c, const cJSON *fields, const char *path);
static void check_checks(struct ctx *c, const cJSON *checks, const cJSON *fields, const char *path);

static void check_spec(struct ctx *c, const cJSON *spec, const char *path)
{
	static const char *const keys[] = {"type", "required", "default", "description", "min", "max",
	                                   "values", "items", "fields", "checks", NULL};
	if (!cJSON_IsObject(spec)) {
		problem(c, "%s: expected a table describing the field, got %s", path, lua_type_of(spec));
		return;
	}
	const cJSON *k;
	cJSON_ArrayForEach(k, spec)
	{
		if (!one_of(k->string, keys))
			problem(c, "%s.%s: unknown key (expected one of: type, required, default, description, min, "
			           "max, values, items, fields, checks)",
			        path, k->string);
	}
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(spec, "type");
	if (!cJSON_IsString(type) || !one_of(type->valuestring, types)) {
		problem(c, "%s.type: expected one of \"string\", \"number\", \"integer\", \"boolean\", \"enum\", "
		           "\"array\", \"table\"",
		        path);
		return;
	}
	const char *t = type->valuestring;
	char sub[512];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, "required");
	if (v != NULL && !cJSON_IsBool(v))
		problem(c, "%s.required: expected boolean, got %s", path, lua_type_of(v));
	v = cJSON_GetObjectItemCaseSensitive(spec, "description");
	if (v != NULL && !cJSON_IsString(v))
		problem(c, "%s.description: expected string, got %s", path, lua_type_of(v));
	int sized = one_of(t, (const char *const[]){"string", "number", "integer", "array", NULL});
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "max" : "min";
		v = cJSON_GetObjectItemCaseSensitive(spec, name);
		if (v != NULL && (!cJSON_IsNumber(v) || !sized))
			problem(c, "%s.%s: expected a number, for types string, number, integer and array", path, name);
	}
	double lo, hi;
	if (num_limit(spec, "min", &lo) && num_limit(spec, "max", &hi) && lo > hi)
		problem(c, "%s: min (%g) is greater than max (%g)", path, lo, hi);
	v = cJSON_GetObjectItemCaseSensitive(spec, "values");
	if (strcmp(t, "enum") == 0) {
		int ok = cJSON_IsArray(as_array((cJSON *)v)) && cJSON_GetArraySize(v) > 0;
		const cJSON *e;
		if (ok) {
			cJSON_ArrayForEach(e, v) ok = ok && (cJSON_IsString(e) || cJSON_IsNumber(e));
		}
		if (!ok)
			problem(c, "%s.values: expected a non-empty list of strings or numbers", path);
	} else if (v != NULL) {
		problem(c, "%s.values: only for type \"enum\"", path);
	}
	v = cJSON_GetObjectItemCaseSensitive(spec, "items");
	if (v != NULL) {
		snprintf(sub, sizeof sub, "%s.items", path);
		if (strcmp(t, "array") != 0 && strcmp(t, "table") != 0)
			problem(c, "%s: only for types \"array\" and \"table\"", sub);
		else
			check_spec(c, v, sub);
	}
	v = cJSON_GetObjectItemCaseSensitive(spec, "fields");
	if (v != NULL) {
		snprintf(sub, sizeof sub, "%s.fields", path);
		if (strcmp(t, "table") != 0)
			problem(c, "%s: only for type \"table\"", sub);
		else
			check_fields(c, v, sub);
	}
	v = cJSON_GetObjectItemCaseSensitive(spec, "checks");
	if (v != NULL) {
		snprintf(sub, sizeof sub, "%s.checks", path);
		const cJSON *fields = cJSON_GetObjectItemCaseSensitive(spec, "fields");
		if (strcmp(t, "table") != 0 || !cJSON_IsObject(fields))
			problem(c, "%s: only for type \"table\" with fields", sub);
		else
			check_checks(c, v, fields, sub);
	}
	v = cJSON_GetObjectItemCaseSensitive(spec, "default");
	if (v != NULL && c->problems == 0) {
		/* The default must itself be valid. */
		cJSON *copy = cJSON_Duplicate(v, 1);
		if (copy == NULL) {
			c->nomem = 1;
			return;
		}
		snprintf(sub, sizeof sub, "%s.default", path);
		check_value(c, spec, copy, sub);
		cJSON_Delete(copy);
	}
}

static void check_checks(struct ctx *c, const cJSON *checks, const cJSON *fields, const char *path)
{
	static const char *const rules[] = {"at_least_one_of", "only_one_of", "requires", "less_than", NULL};
	if (!cJSON_IsArray(as_array((cJSON *)checks))) {
		problem(c, "%s: expected a list of checks, got %s", path, lua_type_of(checks));
		return;
	}
	int i = 1;
	const cJSON *chk;
	cJSON_ArrayForEach(chk, checks)
	{
		char sub[512];
		snprintf(sub, sizeof sub, "%s[%d]", path, i++);
		const cJSON *rule = cJSON_IsObject(chk) ? chk->child : NULL;
		if (rule == NULL || rule->next != NULL || !one_of(rule->string, rules)) {
			problem(c, "%s: expected one of {at_least_one_of = {...}}, {only_one_of = {...}}, "
			           "{requires = {...}}, {less_than = {a, b}}",
			        sub);
			continue;
		}
		int n = cJSON_IsArray(rule) ? cJSON_GetArraySize(rule) : 0;
		int want = strcmp(rule->string, "less_than") == 0 ? 2 : 0;
		if (n < 2 || (want && n != want)) {
			problem(c, "%s.%s: expected a list of %s field names", sub, rule->string, want ? "two" : "two or more");
			continue;
		}
		const cJSON *name;
		cJSON_ArrayForEach(name, rule)
		{
			if (!cJSON_IsString(name) || cJSON_GetObjectItemCaseSensitive(fields, name->valuestring) == NULL)
				problem(c, "%s.%s: %s is not a field of the schema", sub, rule->string,
				        cJSON_IsString(name) ? name->valuestring : "a non-string");
		}
	}
}

static void check_fields(struct ctx *c, const cJSON *fields, const char *path)
{
	if (!cJSON_IsObject(fields)) {
		problem(c, "%s: expected a table of fields, got %s", path, lua_type_of(fields));
		return;
	}
	const cJSON *f;
	cJSON_ArrayForEach(f, fields)
	{
		char sub[512];
		snprintf(sub, sizeof sub, "%s.%s", path, f->string);
		check_spec(c, f, sub);
	}
}

int vocd_schema_check(const cJSON *schema, const char *where, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	struct ctx c = {.err = err, .errlen = errlen, .prefix = where, .where = NULL};
	char prefix[600];
	snprintf(prefix, sizeof prefix, "%s: ", where);
	c.prefix = prefix;
	if (!cJSON_IsObject(schema)) {
		problem(&c, "expected the schema to return a table {fields = {...}}, got %s", lua_type_of(schema));
		return VOCD_ECONFIG;
	}
	const cJSON *k;
	cJSON_ArrayForEach(k, schema)
	{
		if (!one_of(k->string, (const char *const[]){"fields", "checks", "description", NULL}))
			problem(&c, "%s: unknown key (expected fields, checks, description)", k->string);
	}
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(schema, "fields");
	if (fields == NULL)
		problem(&c, "fields: missing (expected a table of fields, may be empty)");
	else
		check_fields(&c, fields, "fields");
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(schema, "checks");
	if (checks != NULL && cJSON_IsObject(fields))
		check_checks(&c, checks, fields, "checks");
	if (c.nomem)
		return VOCD_ENOMEM;
	return c.problems > 0 ? VOCD_ECONFIG : 0;
}

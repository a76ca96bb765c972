/* Workflow rules: checking and compiling the declarative rule of a workflow plugin, and evaluating its
 * conditions on an event's facts with an explanation. */
#include "rules.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "ticket.h"
#include "ticket_assign.h"
#include "validate.h"

#define MAX_SEGS 8
#define MAX_DEPTH 8

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN, OP_CONTAINS, OP_NOT_CONTAINS, OP_EXISTS, OP_MISSING };

/* How an operator may be written, in English words, symbols or Chinese; the first is how it is shown. */
static const struct {
	enum op op;
	const char *names[6];
} ops[] = {
	{OP_EQ, {"is", "=", "==", "是", "等于", NULL}},
	{OP_NE, {"is not", "~=", "!=", "不是", "不等于", NULL}},
	{OP_LT, {"<", "below", "less than", "低于", "小于", NULL}},
	{OP_LE, {"<=", "at most", "不高于", "不超过", NULL}},
	{OP_GT, {">", "above", "more than", "高于", "大于", NULL}},
	{OP_GE, {">=", "at least", "不低于", "至少", NULL}},
	{OP_IN, {"in", "one of", "属于", NULL}},
	{OP_NOT_IN, {"not in", "none of", "不属于", NULL}},
	{OP_CONTAINS, {"contains any", "contains", "contains any of", "包含", "包含任一", NULL}},
	{OP_NOT_CONTAINS, {"contains none of", "does not contain", "不包含", NULL}},
	{OP_EXISTS, {"exists", "is set", "存在", NULL}},
	{OP_MISSING, {"missing", "is not set", "不存在", NULL}},
};

enum fact_kind { FACT_PLAIN, FACT_STAT, FACT_UNANSWERED, FACT_TICKETS };

struct cond {
	enum { C_LEAF, C_ALL, C_ANY, C_NONE } kind;
	struct cond *kids;
	int nkids;
	/* a leaf */
	char *fact;
	char *segs[MAX_SEGS];
	int nsegs;
	enum fact_kind computed;
	enum op op;
	cJSON *value;
	char **words; /* "contains any": the words, lower-cased where ASCII */
	int nwords;
	char *metric, *of, *category;
	int days;             /* stats: the period (0: this month); tickets: the window */
	unsigned min_answers;
	char period[32];
};

struct vocd_rule {
	char *label, *on, *name_zh, *name_en;
	struct cond when;
	cJSON *actions;
	char *once_key;
	int once_days;
};

/* ---- Messages ------------------------------------------------------------------------------------ */

/* A positional part of a condition or action: item i (1-based) of an array, or member "i" of an object. */
static const cJSON *part(const cJSON *spec, int i)
{
	if (cJSON_IsArray(spec))
		return cJSON_GetArrayItem(spec, i - 1);
	char key[8];
	snprintf(key, sizeof key, "%d", i);
	return cJSON_GetObjectItemCaseSensitive(spec, key);
}

static const cJSON *named(const cJSON *spec, const char *key)
{
	return cJSON_IsObject(spec) ? cJSON_GetObjectItemCaseSensitive(spec, key) : NULL;
}

/* ---- Conditions ---------------------------------------------------------------------------------- */

static int op_parse(const char *s, enum op *out)
{
	for (size_t i = 0; s && i < sizeof ops / sizeof ops[0]; i++)
		for (const char *const *n = ops[i].names; *n; n++)
			if (strcmp(*n, s) == 0) {
				*out = ops[i].op;
				return 0;
			}
	return -1;
}

static const char *op_name(enum op op)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (ops[i].op == op)
			return ops[i].names[0];
	return "?";
}

/* "30 days", "7 天", "this month", "本月", "today", "今天" -> days (0: the month so far). */
static int period_parse(const char *s, int *days)
{
	if (!s)
		return -1;
	if (strcmp(s, "this month") == 0 || strcmp(s, "本月") == 0) {
		*days = 0;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "今天") == 0) {
		*days = 1;
		return 0;
	}
	char *end;
	long n = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (end == s || n < 1 || n > 366 ||
	    (strcmp(end, "days") && strcmp(end, "day") && strcmp(end, "天") && strcmp(end, "日")))
		return -1;
	*days = (int)n;
	return 0;
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The facts a rule listening to \p on may read: the main record of its events, the customer, the
 * context, and the computed figures. */
static int root_allowed(const char *root, const char *on)
{
	if (strcmp(root, "customer") == 0 || strcmp(root, "context") == 0 || strcmp(root, "stats") == 0)
		return 1;
	if (strcmp(on, "*") == 0)
		return strcmp(root, "evaluation") == 0 || strcmp(root, "ticket") == 0 || strcmp(root, "invitation") == 0 ||
		       strcmp(root, "event") == 0;
	size_t n = strlen(root);
	int has_main = strcmp(root, "evaluation") == 0 || strcmp(root, "ticket") == 0 || strcmp(root, "invitation") == 0;
	if (has_main)
		return strncmp(on, root, n) == 0 && on[n] == '.';
	return strcmp(root, "event") == 0 && strncmp(on, "evaluation.", 11) && strncmp(on, "ticket.", 7) &&
	       strncmp(on, "invitation.", 11);
}

static int compile_cond(const cJSON *spec, const char *path, const char *on, int depth, struct cond *c, char *why,
                        size_t wl);

static int compile_group(const cJSON *list, const char *path, const char *on, int depth, struct cond *c, char *why,
                         size_t wl)
{
	if (depth > MAX_DEPTH)
		return vocd_config_error(why, wl, "%s: conditions nested more than %d deep", path, MAX_DEPTH);
	if (!cJSON_IsArray(list) && !(cJSON_IsObject(list) && !list->child))
		return vocd_config_error(why, wl, "%s: expected a list of conditions { { \"fact\", \"op\", value }, … }", path);
	int n = cJSON_GetArraySize(list);
	c->kids = calloc(n > 0 ? (size_t)n : 1, sizeof *c->kids);
	if (!c->kids)
		return VOCD_ENOMEM;
	int i = 0;
	for (const cJSON *k = list->child; k; k = k->next, i++) {
		char sub[256];
		snprintf(sub, sizeof sub, "%.240s[%d]", path, i + 1);
		c->nkids++;
		int rc = compile_cond(k, sub, on, depth + 1, &c->kids[i], why, wl);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int compile_leaf(const cJSON *spec, const char *path, const char *on, struct cond *c, char *why, size_t wl)
{
	static const char *const known[] = {"of", "period", "min_answers", "category", "days", NULL};
	const cJSON *fact = part(spec, 1), *opv = part(spec, 2), *value = part(spec, 3);
	if (!cJSON_IsString(fact) || !cJSON_IsString(opv))
		return vocd_config_error(why, wl, "%s: expected { \"fact\", \"operator\", value } such as { \"evaluation.scores.csat\", \"<\", 3 }",
		            path);
	int rc = vocd_config_known(spec, path, known, 1, why, wl);
	if (rc != 0)
		return rc;
	c->kind = C_LEAF;
	if (op_parse(opv->valuestring, &c->op) != 0)
		return vocd_config_error(why, wl, "%s: unknown operator \"%s\" (known: is, is not, <, <=, >, >=, in, not in, contains any, "
		            "contains none of, exists, missing)", path, opv->valuestring);
	c->fact = strdup(fact->valuestring);
	if (!c->fact)
		return VOCD_ENOMEM;
	/* The fact's path, split once. */
	char *copy = strdup(fact->valuestring), *save = NULL;
	if (!copy)
		return VOCD_ENOMEM;
	for (char *seg = strtok_r(copy, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
		if (c->nsegs == MAX_SEGS) {
			free(copy);
			return vocd_config_error(why, wl, "%s: \"%s\": at most %d parts", path, c->fact, MAX_SEGS);
		}
		c->segs[c->nsegs++] = strdup(seg);
	}
	free(copy);
	if (c->nsegs < 2 || !root_allowed(c->segs[0], on))
		return vocd_config_error(why, wl, "%s: \"%s\" is not a fact a rule on %s can read (facts start with %s, customer, context "
		            "or stats)", path, c->fact, on,
		            strncmp(on, "evaluation.", 11) == 0 ? "evaluation" : strncmp(on, "ticket.", 7) == 0 ? "ticket"
		            : strncmp(on, "invitation.", 11) == 0 ? "invitation" : "event");
	int needs_value = c->op != OP_EXISTS && c->op != OP_MISSING;
	if (needs_value && !value)
		return vocd_config_error(why, wl, "%s: \"%s\" needs a value to compare with", path, opv->valuestring);
	if (value && !(c->value = cJSON_Duplicate(value, 1)))
		return VOCD_ENOMEM;
	int numeric = c->op == OP_LT || c->op == OP_LE || c->op == OP_GT || c->op == OP_GE;
	if (numeric && !cJSON_IsNumber(value))
		return vocd_config_error(why, wl, "%s: \"%s\" compares numbers: expected a number, got %s", path, opv->valuestring,
		            cJSON_IsString(value) ? "text" : "something else");
	if ((c->op == OP_IN || c->op == OP_NOT_IN) && !cJSON_IsArray(value))
		return vocd_config_error(why, wl, "%s: \"%s\" expects a list such as { \"VIP\", \"gold\" }", path, opv->valuestring);
	if (c->op == OP_CONTAINS || c->op == OP_NOT_CONTAINS) {
		if (!cJSON_IsArray(value) && !cJSON_IsString(value))
			return vocd_config_error(why, wl, "%s: \"%s\" expects a word or a list of words such as { \"欺诈\", \"fraud\" }", path,
			            opv->valuestring);
		int n = cJSON_IsArray(value) ? cJSON_GetArraySize(value) : 1;
		c->words = calloc(n > 0 ? (size_t)n : 1, sizeof *c->words);
		if (!c->words)
			return VOCD_ENOMEM;
		const cJSON *w = cJSON_IsArray(value) ? value->child : value;
		for (; w; w = cJSON_IsArray(value) ? w->next : NULL) {
			if (!cJSON_IsString(w) || !w->valuestring[0])
				return vocd_config_error(why, wl, "%s: the words must be text, and not empty", path);
			c->words[c->nwords] = strdup(w->valuestring);
			lower_ascii(c->words[c->nwords++]);
		}
	}
	/* Figures the core computes. */
	if (strcmp(c->segs[0], "stats") == 0) {
		const char *of = cJSON_GetStringValue(named(spec, "of")), *period = cJSON_GetStringValue(named(spec, "period"));
		const cJSON *min = named(spec, "min_answers");
		c->computed = FACT_STAT;
		if (c->nsegs != 2 || !vocd_rollup_metric_valid(c->segs[1]))
			return vocd_config_error(why, wl, "%s: \"%s\": expected stats.answers, stats.csat (%% of 4 and 5), stats.csat_mean, "
			            "stats.nps, stats.nps_mean (mean 0-10 score) or stats.ces_mean", path, c->fact);
		if (!of || !vocd_rollup_dimension_valid(of))
			return vocd_config_error(why, wl, "%s: of: whose figure: expected agent, team, store, dealer, region, product_line, "
			            "channel, service_type or all", path);
		if (period_parse(period ? period : "30 days", &c->days) != 0)
			return vocd_config_error(why, wl, "%s: period: expected \"30 days\", \"7 days\", \"this month\" or \"today\", got \"%s\"",
			            path, period);
		if (min && (!cJSON_IsNumber(min) || min->valuedouble < 1 || min->valuedouble > 1e6))
			return vocd_config_error(why, wl, "%s: min_answers: expected a whole number from 1", path);
		c->min_answers = min ? (unsigned)min->valuedouble : 1;
		c->metric = strdup(c->segs[1]);
		c->of = strdup(of);
		snprintf(c->period, sizeof c->period, "%s", period ? period : "30 days");
		if (!numeric && c->op != OP_EXISTS && c->op != OP_MISSING)
			return vocd_config_error(why, wl, "%s: a figure is compared with <, <=, > or >=", path);
	} else if (strcmp(c->segs[0], "customer") == 0 && c->nsegs == 2 && strcmp(c->segs[1], "unanswered_in_row") == 0) {
		c->computed = FACT_UNANSWERED;
	} else if (strcmp(c->segs[0], "customer") == 0 && c->nsegs == 2 && strcmp(c->segs[1], "tickets") == 0) {
		const cJSON *days = named(spec, "days");
		const char *cat = cJSON_GetStringValue(named(spec, "category"));
		c->computed = FACT_TICKETS;
		if (days && (!cJSON_IsNumber(days) || days->valuedouble < 1 || days->valuedouble > 3660))
			return vocd_config_error(why, wl, "%s: days: expected a whole number of days from 1", path);
		c->days = days ? (int)days->valuedouble : 30;
		c->category = cat ? strdup(cat) : NULL;
	} else if (named(spec, "of") || named(spec, "period") || named(spec, "min_answers")) {
		return vocd_config_error(why, wl, "%s: of, period and min_answers belong to stats.* figures", path);
	}
	return 0;
}

static int compile_cond(const cJSON *spec, const char *path, const char *on, int depth, struct cond *c, char *why,
                        size_t wl)
{
	static const char *const groups[] = {"all", "any", "none"};
	for (int g = 0; g < 3; g++) {
		const cJSON *list = named(spec, groups[g]);
		if (!list)
			continue;
		if (cJSON_GetArraySize(spec) != 1)
			return vocd_config_error(why, wl, "%s: a group is written alone: { %s = { … } }", path, groups[g]);
		char sub[256];
		snprintf(sub, sizeof sub, "%.240s.%s", path, groups[g]);
		c->kind = g == 0 ? C_ALL : g == 1 ? C_ANY : C_NONE;
		return compile_group(list, sub, on, depth, c, why, wl);
	}
	if (!cJSON_IsArray(spec) && !cJSON_IsObject(spec))
		return vocd_config_error(why, wl, "%s: expected a condition { \"fact\", \"operator\", value }", path);
	return compile_leaf(spec, path, on, c, why, wl);
}

static void free_cond(struct cond *c)
{
	for (int i = 0; i < c->nkids; i++)
		free_cond(&c->kids[i]);
	free(c->kids);
	free(c->fact);
	for (int i = 0; i < c->nsegs; i++)
		free(c->segs[i]);
	cJSON_Delete(c->value);
	for (int i = 0; i < c->nwords; i++)
		free(c->words[i]);
	free(c->words);
	free(c->metric);
	free(c->of);
	free(c->category);
}

/* ---- Evaluating ---------------------------------------------------------------------------------- */

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static int same(const cJSON *fact, const cJSON *value)
{
	if (cJSON_IsArray(fact)) { /* a list (the tags) is the value when any of its items is */
		const cJSON *x;
		cJSON_ArrayForEach(x, fact) if (same(x, value)) return 1;
		return 0;
	}
	if (cJSON_IsNumber(fact) && cJSON_IsNumber(value))
		return fact->valuedouble == value->valuedouble;
	if (cJSON_IsString(fact) && cJSON_IsString(value))
		return ascii_caseeq(fact->valuestring, value->valuestring);
	if (cJSON_IsBool(fact) && cJSON_IsBool(value))
		return cJSON_IsTrue(fact) == cJSON_IsTrue(value);
	return 0;
}

/* Words are lower-cased where ASCII when the rule is compiled, the text once per event: then a plain
 * search (Chinese compares as it is). */
static int contains_any(const struct cond *c, struct vocd_facts *f, const cJSON *fact)
{
	if (cJSON_IsString(fact)) {
		const char *text = vocd_facts_folded(f, fact);
		size_t n = text ? strlen(text) : 0;
		for (int i = 0; text && i < c->nwords; i++)
			if (memmem(text, n, c->words[i], strlen(c->words[i])))
				return 1;
		return 0;
	}
	if (cJSON_IsArray(fact)) {
		const cJSON *x;
		cJSON_ArrayForEach(x, fact) if (cJSON_IsString(x)) for (int i = 0; i < c->nwords; i++) if (
			ascii_caseeq(x->valuestring, c->words[i])) return 1;
	}
	return 0;
}

static int compare(const struct cond *c, struct vocd_facts *f, const cJSON *fact)
{
	const cJSON *x;
	switch (c->op) {
	case OP_EXISTS:
		return fact && !cJSON_IsNull(fact);
	case OP_MISSING:
		return !fact || cJSON_IsNull(fact);
	case OP_EQ:
		return fact && same(fact, c->value);
	case OP_NE:
		return !fact || !same(fact, c->value);
	case OP_IN:
		cJSON_ArrayForEach(x, c->value) if (fact && same(fact, x)) return 1;
		return 0;
	case OP_NOT_IN:
		cJSON_ArrayForEach(x, c->value) if (fact && same(fact, x)) return 0;
		return 1;
	case OP_CONTAINS:
		return fact && contains_any(c, f, fact);
	case OP_NOT_CONTAINS:
		return !fact || !contains_any(c, f, fact);
	default:
		break;
	}
	if (!cJSON_IsNumber(fact))
		return 0;
	double a = fact->valuedouble, b = c->value->valuedouble;
	return c->op == OP_LT ? a < b : c->op == OP_LE ? a <= b : c->op == OP_GT ? a > b : a >= b;
}

/* A figure a rule test gives instead of the store: a number, or {value, answers}. */
static int given(const struct cond *c, const struct vocd_facts *f, double *v, uint32_t *answers, const char **subject)
{
	const cJSON *g = f->given ? cJSON_GetObjectItemCaseSensitive(f->given, c->fact) : NULL;
	if (!g)
		return 1;
	const cJSON *value = cJSON_IsObject(g) ? cJSON_GetObjectItemCaseSensitive(g, "value") : g;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(g, "answers");
	*v = cJSON_GetNumberValue(value);
	*answers = cJSON_IsNumber(n) ? (uint32_t)n->valuedouble : c->min_answers;
	if (subject && c->of)
		*subject = vocd_json_str(cJSON_GetObjectItemCaseSensitive(f->root, "context"), c->of);
	if (subject && !*subject)
		*subject = "";
	return cJSON_IsNumber(value) ? 0 : -1;
}

/* A computed figure as a JSON number (in \p tmp), with what it was computed over for the explanation. */
static const cJSON *computed(const struct cond *c, struct vocd_facts *f, cJSON *tmp, cJSON *why_item)
{
	int n = -1;
	if (c->computed == FACT_STAT) {
		double v;
		uint32_t answers;
		const char *subject;
		int rc = given(c, f, &v, &answers, &subject);
		if (rc > 0)
			rc = vocd_facts_stat(f, c->metric, c->of, c->days, &v, &answers, &subject);
		if (why_item) {
			cJSON_AddStringToObject(why_item, "of", c->of);
			cJSON_AddStringToObject(why_item, "subject", subject);
			cJSON_AddStringToObject(why_item, "period", c->period);
			cJSON_AddNumberToObject(why_item, "answers", answers);
		}
		if (rc != 0 || answers < c->min_answers) {
			if (why_item && rc == 0)
				cJSON_AddNumberToObject(why_item, "min_answers", c->min_answers);
			return NULL;
		}
		cJSON_SetNumberValue(tmp, (double)((long long)(v * 100 + (v < 0 ? -0.5 : 0.5))) / 100);
		return tmp;
	}
	double v;
	uint32_t unused;
	int rc = given(c, f, &v, &unused, NULL);
	if (rc == 0)
		n = (int)v;
	else if (rc > 0)
		n = c->computed == FACT_UNANSWERED ? vocd_facts_unanswered_in_row(f) : vocd_facts_customer_tickets(f, c->category, c->days);
	if (n < 0)
		return NULL;
	cJSON_SetNumberValue(tmp, n);
	return tmp;
}

static int eval_cond(const struct cond *c, struct vocd_facts *f, cJSON *why)
{
	if (c->kind != C_LEAF) {
		for (int i = 0; i < c->nkids; i++) {
			int ok = eval_cond(&c->kids[i], f, why);
			if (c->kind == C_ALL && !ok)
				return 0;
			if (c->kind == C_ANY && ok)
				return 1;
			if (c->kind == C_NONE && ok)
				return 0;
		}
		return c->kind != C_ANY;
	}
	cJSON *item = why ? cJSON_CreateObject() : NULL;
	cJSON tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.type = cJSON_Number;
	const cJSON *fact = c->computed == FACT_PLAIN ? vocd_facts_lookup(f, c->segs, c->nsegs) : computed(c, f, &tmp, item);
	int ok = compare(c, f, fact);
	if (item) {
		cJSON_AddStringToObject(item, "fact", c->fact);
		if (fact)
			cJSON_AddItemToObject(item, "value", cJSON_Duplicate(fact, 1));
		cJSON_AddStringToObject(item, "op", op_name(c->op));
		if (c->value)
			cJSON_AddItemToObject(item, "expected", cJSON_Duplicate(c->value, 1));
		cJSON_AddBoolToObject(item, "ok", ok);
		cJSON_AddItemToArray(why, item);
	}
	return ok;
}

int vocd_rule_eval(const struct vocd_rule *r, struct vocd_facts *f, cJSON *why)
{
	return eval_cond(&r->when, f, why);
}

/* ---- Actions ------------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	const char *aliases[5];
} action_kinds[] = {
	{"open_ticket", {"open ticket", "开工单", "创建工单", NULL}},
	{"assign", {"分配", "指派", NULL}},
	{"escalate", {"升级", NULL}},
	{"set_class", {"set class", "设为", "改为", NULL}},
	{"alert", {"预警", NULL}},
	{"notify", {"通知", NULL}},
	{"tag", {"标记", "打标签", NULL}},
};

static const char *action_kind(const char *s)
{
	for (size_t i = 0; s && i < sizeof action_kinds / sizeof action_kinds[0]; i++) {
		if (strcmp(s, action_kinds[i].name) == 0)
			return action_kinds[i].name;
		for (const char *const *a = action_kinds[i].aliases; *a; a++)
			if (strcmp(s, *a) == 0)
				return action_kinds[i].name;
	}
	return NULL;
}

/* {zh-CN = "…", en = "…"} or one text: the message of a notification, with {fact} placeholders. */
static int check_message(const cJSON *m, const char *path, char *why, size_t wl)
{
	if (!m || (cJSON_IsString(m) && m->valuestring[0]))
		return 0;
	if (!cJSON_IsObject(m) || !m->child)
		return vocd_config_error(why, wl, "%s.message: expected text, or { [\"zh-CN\"] = \"…\", en = \"…\" }", path);
	for (const cJSON *x = m->child; x; x = x->next)
		if ((strcmp(x->string, "zh-CN") && strcmp(x->string, "en")) || !cJSON_IsString(x) || strlen(x->valuestring) > 2000)
			return vocd_config_error(why, wl, "%s.message.%s: expected zh-CN and en texts of up to 2000 bytes", path, x->string);
	return 0;
}

/* Who is told: { person = … } | { role = … } | { team = … } | { manager_of = … } | { assignee = true }. */
static int check_recipients(const cJSON *to, const char *path, const struct vocd_tenant_conf *t, char *why, size_t wl)
{
	if (cJSON_IsObject(to) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(to, "assignee")) && cJSON_GetArraySize(to) == 1)
		return 0;
	char reason[256];
	if (!to)
		return vocd_config_error(why, wl, "%s.to: required: who is told ({ role = \"service_director\" }, { person = \"zhou\" }, "
		            "{ manager_of = \"agent\" }, { assignee = true })", path);
	if (vocd_assign_check(to, &t->people, reason, sizeof reason) != 0)
		return vocd_config_error(why, wl, "%s.to: %s", path, reason);
	return 0;
}

static int check_channels(const cJSON *a, const char *path, char *why, size_t wl)
{
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(a, "channel");
	if (cJSON_IsString(ch) && ch->valuestring[0] && strlen(ch->valuestring) <= 64)
		return 0;
	if (cJSON_IsArray(ch) && cJSON_GetArraySize(ch) > 0) {
		const cJSON *x;
		cJSON_ArrayForEach(x, ch) if (!cJSON_IsString(x) || !x->valuestring[0]) goto bad;
		return 0;
	}
bad:
	return vocd_config_error(why, wl, "%s.channel: required: the channel plugin that sends it (\"sms\", \"email\", \"webhook\"), or a "
	            "list of them", path);
}

/* Normalises one action into {"do": kind, ...} and checks it. */
static int compile_action(const cJSON *spec, const char *path, const char *on, const struct vocd_tenant_conf *t,
                          cJSON **out, char *why, size_t wl)
{
	const char *kind = action_kind(cJSON_GetStringValue(part(spec, 1)));
	if (!kind)
		return vocd_config_error(why, wl, "%s: expected an action such as { \"open ticket\", class = \"urgent\" }: open ticket, "
		            "assign, escalate, set class, alert, notify or tag", path);
	cJSON *a = cJSON_CreateObject();
	if (!a)
		return VOCD_ENOMEM;
	*out = a;
	cJSON_AddStringToObject(a, "do", kind);
	for (const cJSON *m = cJSON_IsObject(spec) ? spec->child : NULL; m; m = m->next)
		if (!(m->string[0] >= '1' && m->string[0] <= '9'))
			cJSON_AddItemToObject(a, m->string, cJSON_Duplicate(m, 1));
	const cJSON *second = part(spec, 2);
	int ticket_event = strncmp(on, "ticket.", 7) == 0;
	char reason[256];
	if (strcmp(kind, "tag") == 0 || strcmp(kind, "set_class") == 0) {
		const char *key = kind[0] == 't' ? "tag" : "class";
		if (second && !cJSON_GetObjectItemCaseSensitive(a, key))
			cJSON_AddItemToObject(a, key, cJSON_Duplicate(second, 1));
	} else if (second) {
		return vocd_config_error(why, wl, "%s: %s takes named settings only", path, kind);
	}
	static const char *const open_keys[] = {"class", "priority", "category", "assign", "summary", NULL};
	static const char *const assign_keys[] = {"to", NULL};
	static const char *const escalate_keys[] = {"to", "priority", "class", NULL};
	static const char *const class_keys[] = {"class", NULL};
	static const char *const tell_keys[] = {"to", "channel", "message", NULL};
	static const char *const tag_keys[] = {"tag", NULL};
	const char *const *keys = strcmp(kind, "open_ticket") == 0 ? open_keys
	                          : strcmp(kind, "assign") == 0    ? assign_keys
	                          : strcmp(kind, "escalate") == 0  ? escalate_keys
	                          : strcmp(kind, "set_class") == 0 ? class_keys
	                          : strcmp(kind, "tag") == 0       ? tag_keys
	                                                           : tell_keys;
	/* The settings as written (named ones: the positional ones were read above). */
	int rc = vocd_config_known(spec, path, keys, 1, why, wl);
	if (rc != 0)
		return rc;
	const char *klass = vocd_json_str(a, "class"), *prio = vocd_json_str(a, "priority");
	if (cJSON_GetObjectItemCaseSensitive(a, "class") && vocd_ticket_class_parse(klass) < 0)
		return vocd_config_error(why, wl, "%s.class: expected general, important, urgent or repeat", path);
	if (cJSON_GetObjectItemCaseSensitive(a, "priority") && vocd_ticket_priority_parse(prio) < 0)
		return vocd_config_error(why, wl, "%s.priority: expected low, normal, high or highest", path);
	if ((strcmp(kind, "assign") == 0 || strcmp(kind, "escalate") == 0 || strcmp(kind, "set_class") == 0) && !ticket_event)
		return vocd_config_error(why, wl, "%s: %s acts on a ticket: the rule must listen to a ticket event (ticket.opened, "
		            "ticket.changed, ticket.sla_breached)", path, kind);
	if (strcmp(kind, "open_ticket") == 0) {
		const cJSON *as = cJSON_GetObjectItemCaseSensitive(a, "assign");
		const char *cat = vocd_json_str(a, "category");
		if (as && vocd_assign_check(as, &t->people, reason, sizeof reason) != 0)
			return vocd_config_error(why, wl, "%s.assign: %s", path, reason);
		if (cJSON_GetObjectItemCaseSensitive(a, "category") && !vocd_name_valid(cat))
			return vocd_config_error(why, wl, "%s.category: expected 1-64 of a-z, 0-9, _ and - (\"billing\")", path);
		if (cJSON_GetObjectItemCaseSensitive(a, "summary") && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "summary")))
			return vocd_config_error(why, wl, "%s.summary: expected text", path);
	} else if (strcmp(kind, "assign") == 0 || strcmp(kind, "escalate") == 0) {
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(a, "to");
		if (!to && kind[0] == 'a')
			return vocd_config_error(why, wl, "%s.to: required: { person = … }, { role = … }, { team = … } or { manager_of = … }", path);
		if (to && vocd_assign_check(to, &t->people, reason, sizeof reason) != 0)
			return vocd_config_error(why, wl, "%s.to: %s", path, reason);
	} else if (strcmp(kind, "set_class") == 0) {
		if (!klass)
			return vocd_config_error(why, wl, "%s: which class: { \"set class\", \"repeat\" }", path);
	} else if (strcmp(kind, "tag") == 0) {
		if (!vocd_name_valid(vocd_json_str(a, "tag")))
			return vocd_config_error(why, wl, "%s: the tag: 1-64 of a-z, 0-9, _ and - ({ \"tag\", \"vip_unhappy\" })", path);
	} else { /* alert, notify */
		if ((rc = check_recipients(cJSON_GetObjectItemCaseSensitive(a, "to"), path, t, why, wl)) != 0 ||
		    (rc = check_channels(a, path, why, wl)) != 0 ||
		    (rc = check_message(cJSON_GetObjectItemCaseSensitive(a, "message"), path, why, wl)) != 0)
			return rc;
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(a, "to");
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(to, "assignee")) && !ticket_event)
			return vocd_config_error(why, wl, "%s.to: the assignee is a ticket's: the rule must listen to a ticket event", path);
	}
	return 0;
}

/* ---- The rule ------------------------------------------------------------------------------------ */

static int topic_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 128)
		return 0;
	if (strcmp(s, "*") == 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' ||
		         (ch == '*' && i == n - 1 && i > 0 && s[i - 1] == '.');
		if (!ok)
			return 0;
	}
	return 1;
}

int vocd_rule_compile(const cJSON *spec, const char *label, const struct vocd_tenant_conf *t, struct vocd_rule **out,
                      char *why, size_t wl)
{
	static const char *const keys[] = {"id", "name", "on", "when", "actions", "once_per", NULL};
	*out = NULL;
	if (!cJSON_IsObject(spec))
		return vocd_config_error(why, wl, "rule: expected { on = \"evaluation.created\", when = { … }, actions = { … } }");
	int rc = vocd_config_known(spec, "rule", keys, 0, why, wl);
	if (rc != 0)
		return rc;
	struct vocd_rule *r = calloc(1, sizeof *r);
	if (!r)
		return VOCD_ENOMEM;
	const char *on = vocd_json_str(spec, "on");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(spec, "name");
	r->label = strdup(label);
	r->when.kind = C_ALL;
	if (!topic_valid(on)) {
		rc = vocd_config_error(why, wl, "rule.on: expected the event it listens to, such as \"evaluation.created\", "
		          "\"ticket.opened\", \"ticket.sla_breached\", \"invitation.expired\" or \"ticket.*\"");
		goto out;
	}
	r->on = strdup(on);
	if (cJSON_IsString(name)) {
		r->name_zh = strdup(name->valuestring);
		r->name_en = strdup(name->valuestring);
	} else if (cJSON_IsObject(name)) {
		const char *zh = vocd_json_str(name, "zh-CN"), *en = vocd_json_str(name, "en");
		r->name_zh = strdup(zh ? zh : en ? en : label);
		r->name_en = strdup(en ? en : zh ? zh : label);
	} else if (name) {
		rc = vocd_config_error(why, wl, "rule.name: expected text, or { [\"zh-CN\"] = \"…\", en = \"…\" }");
		goto out;
	}
	const cJSON *when = cJSON_GetObjectItemCaseSensitive(spec, "when");
	if (!when) {
		rc = vocd_config_error(why, wl, "rule.when: required: the conditions, such as { { \"evaluation.scores.csat\", \"<\", 3 } } "
		          "(an empty list {} fires on every event)");
		goto out;
	}
	if ((rc = compile_group(when, "rule.when", r->on, 0, &r->when, why, wl)) != 0)
		goto out;
	const cJSON *actions = cJSON_GetObjectItemCaseSensitive(spec, "actions");
	if (!cJSON_IsArray(actions) || cJSON_GetArraySize(actions) == 0) {
		rc = vocd_config_error(why, wl, "rule.actions: required: a list of what to do, such as { { \"open ticket\", class = "
		          "\"urgent\" } }");
		goto out;
	}
	r->actions = cJSON_CreateArray();
	int i = 0;
	for (const cJSON *a = actions->child; a && rc == 0; a = a->next, i++) {
		char path[64];
		snprintf(path, sizeof path, "rule.actions[%d]", i + 1);
		cJSON *norm = NULL;
		rc = compile_action(a, path, r->on, t, &norm, why, wl);
		if (norm)
			cJSON_AddItemToArray(r->actions, norm);
	}
	if (rc != 0)
		goto out;
	const cJSON *once = cJSON_GetObjectItemCaseSensitive(spec, "once_per");
	if (once) {
		const char *key = vocd_json_str(once, "key");
		const cJSON *days = cJSON_GetObjectItemCaseSensitive(once, "days");
		char root[32] = "";
		if (key)
			sscanf(key, "%31[^.]", root);
		if (!key || !cJSON_IsNumber(days) || days->valuedouble < 1 || days->valuedouble > 366 ||
		    cJSON_GetArraySize(once) != 2 || !strchr(key, '.') || !root_allowed(root, r->on) ||
		    strcmp(root, "stats") == 0) {
			rc = vocd_config_error(why, wl, "rule.once_per: expected { key = \"context.dealer\", days = 7 }: fire at most once in "
			          "that many days for the same value of that fact");
			goto out;
		}
		r->once_key = strdup(key);
		r->once_days = (int)days->valuedouble;
	}
out:
	if (rc != 0) {
		vocd_rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void vocd_rule_free(struct vocd_rule *r)
{
	if (!r)
		return;
	free(r->label);
	free(r->on);
	free(r->name_zh);
	free(r->name_en);
	free_cond(&r->when);
	cJSON_Delete(r->actions);
	free(r->once_key);
	free(r);
}

void vocd_rules_free(struct vocd_rule **rules, size_t n)
{
	for (size_t i = 0; rules && i < n; i++)
		vocd_rule_free(rules[i]);
	free(rules);
}

const char *vocd_rule_label(const struct vocd_rule *r)
{
	return r->label;
}

const char *vocd_rule_on(const struct vocd_rule *r)
{
	return r->on;
}

const char *vocd_rule_title(const struct vocd_rule *r, const char *lang)
{
	const char *t = lang && strcmp(lang, "en") == 0 ? r->name_en : r->name_zh;
	return t ? t : r->label;
}

int vocd_rule_listens(const struct vocd_rule *r, const char *topic)
{
	size_t n = strlen(r->on);
	if (strcmp(r->on, "*") == 0)
		return 1;
	if (n >= 2 && r->on[n - 1] == '*')
		return strncmp(topic, r->on, n - 1) == 0;
	return strcmp(topic, r->on) == 0;
}

const cJSON *vocd_rule_actions(const struct vocd_rule *r)
{
	return r->actions;
}

int vocd_rule_once_per(const struct vocd_rule *r, const char **key, int *days)
{
	*key = r->once_key;
	*days = r->once_days;
	return r->once_key != NULL;
}

/* Surveys from the tenant file, and answers checked against them. The tenant file says, for example:
 *
 *   survey = {
 *     privacy_notice = { version = "2026-11", ["zh-CN"] = "……", en = "…" },
 *     metrics = { "csat", "nps" },
 *     dimensions = { { id = "speed", scale = 5, label = { ["zh-CN"] = "响应速度", en = "Response speed" } } },
 *     tags = { { id = "slow", label = { ["zh-CN"] = "太慢", en = "Too slow" } } },
 *     open_question = { ["zh-CN"] = "还有什么想告诉我们？", en = "Anything else?" },
 *     service_types = { delivery = { metrics = { "csat" } } },
 *   }
 *
 * A service type's survey starts from the default one and replaces the parts it names. */
#include "survey.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MAX_ITEMS 32
#define MAX_TAGS_ANSWERED 16
#define DEFAULT_MAX_TEXT 2000

static const char *const metric_names[VOCD_METRIC_COUNT] = {"csat", "nps", "ces"};
static const int metric_lo[VOCD_METRIC_COUNT] = {1, 0, 1};
static const int metric_hi[VOCD_METRIC_COUNT] = {5, 10, 7};

const char *vocd_metric_name(enum vocd_metric m)
{
	return m < VOCD_METRIC_COUNT ? metric_names[m] : "?";
}

void vocd_metric_range(enum vocd_metric m, int *lo, int *hi)
{
	*lo = metric_lo[m];
	*hi = metric_hi[m];
}

struct parse {
	const char *where;
	char *err;
	size_t len, cap;
	int problems;
};

static void problem(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct parse *p, const char *fmt, ...)
{
	p->problems++;
	if (p->len + 2 >= p->cap)
		return;
	int n = snprintf(p->err + p->len, p->cap - p->len, "%s: ", p->where);
	if (n > 0)
		p->len = p->len + (size_t)n < p->cap ? p->len + (size_t)n : p->cap - 1;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(p->err + p->len, p->cap - p->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->len = p->len + (size_t)n < p->cap - 1 ? p->len + (size_t)n : p->cap - 2;
	p->err[p->len++] = '\n';
	p->err[p->len] = '\0';
}

static const char *json_type(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "text";
	if (cJSON_IsNumber(j))
		return "number";
	if (cJSON_IsBool(j))
		return "true/false";
	if (cJSON_IsArray(j))
		return "a list";
	if (cJSON_IsObject(j))
		return "a table";
	return "nothing";
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32)
		return 0;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') && *s != '_')
			return 0;
	return 1;
}

/* { ["zh-CN"] = "...", en = "..." }; both languages required. */
static int parse_text(struct parse *p, const cJSON *j, const char *path, struct vocd_text *out, int allow_version)
{
	if (!cJSON_IsObject(j)) {
		problem(p, "%s: expected { [\"zh-CN\"] = \"…\", en = \"…\" }, got %s", path, json_type(j));
		return -1;
	}
	for (const cJSON *m = j->child; m; m = m->next) {
		if (strcmp(m->string, "zh-CN") && strcmp(m->string, "en") && !(allow_version && !strcmp(m->string, "version")))
			problem(p, "%s.%s: unknown entry (known: zh-CN, en%s)", path, m->string, allow_version ? ", version" : "");
	}
	const cJSON *zh = cJSON_GetObjectItemCaseSensitive(j, "zh-CN");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(j, "en");
	if (!cJSON_IsString(zh) || !zh->valuestring[0] || !cJSON_IsString(en) || !en->valuestring[0]) {
		problem(p, "%s: expected text in both zh-CN and en", path);
		return -1;
	}
	free(out->zh);
	free(out->en);
	out->zh = strdup(zh->valuestring);
	out->en = strdup(en->valuestring);
	return 0;
}

static void free_text(struct vocd_text *t)
{
	free(t->zh);
	free(t->en);
	t->zh = t->en = NULL;
}

static void free_items(struct vocd_survey_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].id);
		free_text(&items[i].label);
	}
	free(items);
}

/* dimensions or tags: a list of { id = "...", label = {...}, scale = N }. */
static int parse_items(struct parse *p, const cJSON *j, const char *path, int with_scale,
                       struct vocd_survey_item **out, size_t *nout)
{
	if (!cJSON_IsArray(j)) {
		problem(p, "%s: expected a list { {id = \"…\", …}, … }, got %s", path, json_type(j));
		return -1;
	}
	int n = cJSON_GetArraySize(j);
	if (n > MAX_ITEMS) {
		problem(p, "%s: at most %d entries, got %d", path, MAX_ITEMS, n);
		return -1;
	}
	struct vocd_survey_item *items = calloc((size_t)n + 1, sizeof *items);
	int before = p->problems, i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, j) {
		char at[96];
		snprintf(at, sizeof at, "%s[%d]", path, i + 1);
		struct vocd_survey_item *item = &items[i++];
		if (!cJSON_IsObject(it)) {
			problem(p, "%s: expected { id = \"…\", label = {…}%s }, got %s", at, with_scale ? ", scale = 5" : "",
			        json_type(it));
			continue;
		}
		for (const cJSON *m = it->child; m; m = m->next)
			if (strcmp(m->string, "id") && strcmp(m->string, "label") && !(with_scale && !strcmp(m->string, "scale")))
				problem(p, "%s.%s: unknown entry (known: id, label%s)", at, m->string, with_scale ? ", scale" : "");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		if (!cJSON_IsString(id) || !valid_id(id->valuestring))
			problem(p, "%s.id: expected 1-32 lower-case letters, digits or '_'", at);
		else if (with_scale && (!strcmp(id->valuestring, "csat") || !strcmp(id->valuestring, "nps") ||
		                        !strcmp(id->valuestring, "ces")))
			/* Its mean is asked for as "<id>_mean" (docs/http-api.md, "Figures"), which the metric has. */
			problem(p, "%s.id: \"%s\" is a metric's name: give the dimension another", at, id->valuestring);
		else
			item->id = strdup(id->valuestring);
		for (int k = 0; k < i - 1 && item->id; k++)
			if (items[k].id && strcmp(items[k].id, item->id) == 0)
				problem(p, "%s.id: \"%s\" is used twice", at, item->id);
		char lp[120];
		snprintf(lp, sizeof lp, "%s.label", at);
		parse_text(p, cJSON_GetObjectItemCaseSensitive(it, "label"), lp, &item->label, 0);
		if (with_scale) {
			const cJSON *scale = cJSON_GetObjectItemCaseSensitive(it, "scale");
			double v = cJSON_IsNumber(scale) ? scale->valuedouble : 5;
			if (scale && (!cJSON_IsNumber(scale) || v != floor(v) || v < 2 || v > 10))
				problem(p, "%s.scale: expected a whole number from 2 to 10, got %s", at,
				        cJSON_IsNumber(scale) ? "a number out of range" : json_type(scale));
			item->scale = (int)v;
		}
	}
	if (p->problems != before) {
		free_items(items, (size_t)n);
		return -1;
	}
	free_items(*out, *nout);
	*out = items;
	*nout = (size_t)n;
	return 0;
}

static int parse_metrics(struct parse *p, const cJSON *j, const char *path, struct vocd_survey *sv)
{
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0) {
		problem(p, "%s: expected a list such as { \"csat\", \"nps\" }, got %s", path, json_type(j));
		return -1;
	}
	size_t n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, j) {
		int found = -1;
		for (int m = 0; m < VOCD_METRIC_COUNT && cJSON_IsString(it); m++)
			if (strcmp(it->valuestring, metric_names[m]) == 0)
				found = m;
		if (found < 0) {
			problem(p, "%s[%zu]: expected \"csat\" (1-5), \"nps\" (0-10) or \"ces\" (1-7), got %s%s%s", path, n + 1,
			        cJSON_IsString(it) ? "\"" : "", cJSON_IsString(it) ? it->valuestring : json_type(it),
			        cJSON_IsString(it) ? "\"" : "");
			return -1;
		}
		for (size_t k = 0; k < n; k++)
			if ((int)sv->metrics[k] == found) {
				problem(p, "%s: \"%s\" is listed twice", path, metric_names[found]);
				return -1;
			}
		if (n == VOCD_METRIC_COUNT)
			return -1;
		sv->metrics[n++] = (enum vocd_metric)found;
	}
	sv->nmetrics = n;
	return 0;
}

static const char *const survey_keys[] = {"privacy_notice", "metrics", "dimensions", "tags", "open_question",
                                          "max_text", "service_types", NULL};

/* Applies the entries of \p j to \p sv (which holds the defaults or the tenant's default survey). */
static void parse_survey(struct parse *p, const cJSON *j, const char *path, struct vocd_survey *sv, int top)
{
	char at[128];
	for (const cJSON *m = j->child; m; m = m->next) {
		int known = 0;
		for (const char *const *k = survey_keys; *k; k++)
			known |= strcmp(*k, m->string) == 0;
		if (!known || (!top && (!strcmp(m->string, "service_types") || !strcmp(m->string, "privacy_notice"))))
			problem(p, "%s.%s: unknown entry (known: privacy_notice, metrics, dimensions, tags, open_question, "
			        "max_text%s)", path, m->string, top ? ", service_types" : "");
	}
	const cJSON *v;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "privacy_notice")) && top) {
		snprintf(at, sizeof at, "%s.privacy_notice", path);
		if (parse_text(p, v, at, &sv->notice, 1) == 0) {
			const cJSON *ver = cJSON_GetObjectItemCaseSensitive(v, "version");
			if (!cJSON_IsString(ver) || !ver->valuestring[0] || strlen(ver->valuestring) > 32) {
				problem(p, "%s.version: expected text such as \"2026-11\" (change it whenever the notice changes)", at);
			} else {
				free(sv->notice_version);
				sv->notice_version = strdup(ver->valuestring);
			}
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "metrics"))) {
		snprintf(at, sizeof at, "%s.metrics", path);
		parse_metrics(p, v, at, sv);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "dimensions"))) {
		snprintf(at, sizeof at, "%s.dimensions", path);
		parse_items(p, v, at, 1, &sv->dimensions, &sv->ndimensions);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "tags"))) {
		snprintf(at, sizeof at, "%s.tags", path);
		parse_items(p, v, at, 0, &sv->tags, &sv->ntags);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "open_question"))) {
		snprintf(at, sizeof at, "%s.open_question", path);
		parse_text(p, v, at, &sv->question, 0);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "max_text"))) {
		if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
		    v->valuedouble > 10000)
			problem(p, "%s.max_text: expected a whole number of characters from 0 to 10000", path);
		else
			sv->max_text = (int)v->valuedouble;
	}
}

static void free_survey(struct vocd_survey *sv)
{
	free(sv->service_type);
	free_items(sv->dimensions, sv->ndimensions);
	free_items(sv->tags, sv->ntags);
	free_text(&sv->question);
	free_text(&sv->notice);
	free(sv->notice_version);
	memset(sv, 0, sizeof *sv);
}

static struct vocd_survey_item *copy_items(const struct vocd_survey_item *in, size_t n)
{
	struct vocd_survey_item *out = calloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		out[i].id = strdup(in[i].id);
		out[i].label.zh = strdup(in[i].label.zh);
		out[i].label.en = strdup(in[i].label.en);
		out[i].scale = in[i].scale;
	}
	return out;
}

static void copy_survey(struct vocd_survey *dst, const struct vocd_survey *src)
{
	*dst = *src;
	dst->service_type = NULL;
	dst->dimensions = copy_items(src->dimensions, src->ndimensions);
	dst->tags = copy_items(src->tags, src->ntags);
	dst->question.zh = src->question.zh ? strdup(src->question.zh) : NULL;
	dst->question.en = src->question.en ? strdup(src->question.en) : NULL;
	dst->notice.zh = strdup(src->notice.zh);
	dst->notice.en = strdup(src->notice.en);
	dst->notice_version = strdup(src->notice_version);
}

static void set_defaults(struct vocd_survey *sv)
{
	sv->metrics[0] = VOCD_METRIC_CSAT;
	sv->nmetrics = 1;
	sv->max_text = DEFAULT_MAX_TEXT;
	sv->notice.zh = strdup("我们会使用您的评价来改进服务。您的联系方式会加密保存，仅用于回访，您可随时撤回同意。");
	sv->notice.en = strdup("We use your answers to improve our service. Your contact details are stored encrypted, "
	                       "used only to follow up, and you can withdraw your consent at any time.");
	sv->notice_version = strdup("default-1");
}

/* How many different dimension ids the surveys ask, all service types together. */
static size_t distinct_dimensions(const struct vocd_surveys *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t d = 0; d < s->list[i].ndimensions; d++) {
			int seen = 0;
			for (size_t j = 0; j <= i && !seen; j++)
				for (size_t e = 0; e < s->list[j].ndimensions && !seen; e++)
					seen = (j < i || e < d) && strcmp(s->list[j].dimensions[e].id, s->list[i].dimensions[d].id) == 0;
			n += !seen;
		}
	return n;
}

int vocd_surveys_parse(const cJSON *setting, const char *where, struct vocd_surveys *out, char *err, size_t errlen)
{
	struct parse p = {where, err, errlen ? strlen(err) : 0, errlen, 0};
	memset(out, 0, sizeof *out);
	out->list = calloc(1, sizeof *out->list);
	out->n = 1;
	set_defaults(&out->list[0]);
	if (!setting)
		return 0;
	if (!cJSON_IsObject(setting)) {
		problem(&p, "survey: expected a table { metrics = …, … }, got %s", json_type(setting));
		vocd_surveys_free(out);
		return VOCD_ECONFIG;
	}
	parse_survey(&p, setting, "survey", &out->list[0], 1);
	const cJSON *types = cJSON_GetObjectItemCaseSensitive(setting, "service_types");
	if (types && !cJSON_IsObject(types)) {
		problem(&p, "survey.service_types: expected a table { delivery = { … } }, got %s", json_type(types));
	} else if (types) {
		for (const cJSON *t = types->child; t; t = t->next) {
			char at[128];
			snprintf(at, sizeof at, "survey.service_types.%s", t->string);
			if (!valid_id(t->string)) {
				problem(&p, "%s: a service type is 1-32 lower-case letters, digits or '_'", at);
				continue;
			}
			if (!cJSON_IsObject(t)) {
				problem(&p, "%s: expected a table { metrics = …, … }, got %s", at, json_type(t));
				continue;
			}
			struct vocd_survey *nl = realloc(out->list, (out->n + 1) * sizeof *nl);
			if (!nl)
				break;
			out->list = nl;
			struct vocd_survey *sv = &out->list[out->n++];
			copy_survey(sv, &out->list[0]);
			sv->service_type = strdup(t->string);
			parse_survey(&p, t, at, sv, 0);
		}
	}
	size_t distinct = p.problems ? 0 : distinct_dimensions(out);
	if (distinct > VOCD_SURVEY_MAX_DIMENSION_IDS)
		problem(&p, "survey: at most %d different dimensions over all service types (the figures keep a mean for "
		        "each), got %zu", VOCD_SURVEY_MAX_DIMENSION_IDS, distinct);
	if (p.problems) {
		vocd_surveys_free(out);
		return VOCD_ECONFIG;
	}
	return 0;
}

void vocd_surveys_free(struct vocd_surveys *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free_survey(&s->list[i]);
	free(s->list);
	s->list = NULL;
	s->n = 0;
}

const struct vocd_survey *vocd_surveys_pick(const struct vocd_surveys *s, const char *service_type)
{
	for (size_t i = 1; service_type && i < s->n; i++)
		if (strcmp(s->list[i].service_type, service_type) == 0)
			return &s->list[i];
	return &s->list[0];
}

/* ---- Answers --------------------------------------------------------------------------------------- */

/* Characters in valid UTF-8 text, or -1 when it is not valid UTF-8. */
static long utf8_chars(const char *s)
{
	long n = 0;
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		int len = *u < 0x80 ? 1 : (*u >> 5) == 6 ? 2 : (*u >> 4) == 14 ? 3 : (*u >> 3) == 30 ? 4 : 0;
		if (len == 0)
			return -1;
		for (int i = 1; i < len; i++)
			if ((u[i] & 0xc0) != 0x80)
				return -1;
		u += len;
		n++;
	}
	return n;
}

struct answer_err {
	char *field, *msg;
	size_t fl, ml;
};

static int fail(struct answer_err *e, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct answer_err *e, int code, const char *field, const char *fmt, ...)
{
	snprintf(e->field, e->fl, "%s", field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, e->ml, fmt, ap);
	va_end(ap);
	return code;
}

static int check_score(struct answer_err *e, const cJSON *v, const char *field, int lo, int hi)
{
	if (!cJSON_IsNumber(v))
		return fail(e, VOCD_EINVAL, field, "expected a whole number from %d to %d, got %s", lo, hi, json_type(v));
	if (v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
		return fail(e, VOCD_EUNPROC, field, "expected a whole number from %d to %d, got %g", lo, hi, v->valuedouble);
	return 0;
}

int vocd_survey_check_answer(const struct vocd_survey *sv, const cJSON *answer, char *field, size_t fieldlen,
                             char *message, size_t msglen)
{
	struct answer_err e = {field, message, fieldlen, msglen};
	char at[96];
	if (!cJSON_IsObject(answer))
		return fail(&e, VOCD_EINVAL, "answer", "expected an object");
	for (const cJSON *m = answer->child; m; m = m->next)
		if (strcmp(m->string, "scores") && strcmp(m->string, "dimensions") && strcmp(m->string, "tags") &&
		    strcmp(m->string, "text"))
			/* an empty name is shown quoted: the message must still say which field it refuses */
			return fail(&e, VOCD_EINVAL, m->string[0] ? m->string : "\"\"",
			            "unknown field (known: scores, dimensions, tags, text)");

	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(answer, "scores");
	if (!cJSON_IsObject(scores))
		return fail(&e, VOCD_EUNPROC, "scores", "required: an object such as {\"%s\": …}",
		            metric_names[sv->metrics[0]]);
	for (const cJSON *m = scores->child; m; m = m->next) {
		snprintf(at, sizeof at, "scores.%s", m->string);
		size_t k = 0;
		while (k < sv->nmetrics && strcmp(metric_names[sv->metrics[k]], m->string) != 0)
			k++;
		if (k == sv->nmetrics)
			return fail(&e, VOCD_EINVAL, at, "this survey does not ask it");
		int rc = check_score(&e, m, at, metric_lo[sv->metrics[k]], metric_hi[sv->metrics[k]]);
		if (rc)
			return rc;
	}
	const char *main_metric = metric_names[sv->metrics[0]];
	if (!cJSON_GetObjectItemCaseSensitive(scores, main_metric)) {
		snprintf(at, sizeof at, "scores.%s", main_metric);
		return fail(&e, VOCD_EUNPROC, at, "required: the survey's main question");
	}

	const cJSON *dims = cJSON_GetObjectItemCaseSensitive(answer, "dimensions");
	if (dims && !cJSON_IsObject(dims))
		return fail(&e, VOCD_EINVAL, "dimensions", "expected an object, got %s", json_type(dims));
	for (const cJSON *m = dims ? dims->child : NULL; m; m = m->next) {
		snprintf(at, sizeof at, "dimensions.%s", m->string);
		size_t k = 0;
		while (k < sv->ndimensions && strcmp(sv->dimensions[k].id, m->string) != 0)
			k++;
		if (k == sv->ndimensions)
			return fail(&e, VOCD_EINVAL, at, "this survey does not ask it");
		int rc = check_score(&e, m, at, 1, sv->dimensions[k].scale);
		if (rc)
			return rc;
	}

	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(answer, "tags");
	if (tags && !cJSON_IsArray(tags))
		return fail(&e, VOCD_EINVAL, "tags", "expected a list, got %s", json_type(tags));
	int i = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, tags) {
		snprintf(at, sizeof at, "tags[%d]", i);
		if (++i > MAX_TAGS_ANSWERED)
			return fail(&e, VOCD_EUNPROC, "tags", "at most %d tags", MAX_TAGS_ANSWERED);
		if (!cJSON_IsString(t))
			return fail(&e, VOCD_EINVAL, at, "expected a tag id, got %s", json_type(t));
		size_t k = 0;
		while (k < sv->ntags && strcmp(sv->tags[k].id, t->valuestring) != 0)
			k++;
		if (k == sv->ntags)
			return fail(&e, VOCD_EUNPROC, at, "\"%.40s\" is not one of this survey's tags", t->valuestring);
		for (const cJSON *u = tags->child; u != t; u = u->next)
			if (strcmp(u->valuestring, t->valuestring) == 0)
				return fail(&e, VOCD_EUNPROC, at, "\"%s\" is given twice", t->valuestring);
	}

	const cJSON *text = cJSON_GetObjectItemCaseSensitive(answer, "text");
	if (text && !cJSON_IsString(text))
		return fail(&e, VOCD_EINVAL, "text", "expected text, got %s", json_type(text));
	if (text) {
		long n = utf8_chars(text->valuestring);
		if (n < 0)
			return fail(&e, VOCD_EINVAL, "text", "is not valid UTF-8");
		if (n > sv->max_text)
			return fail(&e, VOCD_EUNPROC, "text", "at most %d characters, got %ld", sv->max_text, n);
	}
	return 0;
}

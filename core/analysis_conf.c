/* The tenant's sentiment words, each list and each word checked with an error that names it. */
#include "analysis_conf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "textchars.h"
#include "validate.h"

static const char *const known_keys[] = {"positive", "negative", "negations", "replace", NULL};

static void free_list(char **l)
{
	for (char **w = l; w && *w; w++)
		free(*w);
	free(l);
}

/* A usable word: valid UTF-8 of 1 to VOCD_ANALYSIS_WORD_MAX characters, holding a letter or a CJK character. */
static int word_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t chars = 0;
	int useful = 0;
	while (p < end) {
		size_t used;
		long cp = vocd_utf8_next(p, end, &used);
		if (cp < 0 || cp < 0x20)
			return 0;
		useful |= vocd_char_is_cjk(cp) || vocd_char_is_letter(cp);
		chars++;
		p += used;
	}
	return useful && chars >= 1 && chars <= VOCD_ANALYSIS_WORD_MAX;
}

static int read_list(const cJSON *s, const char *key, char ***out, char *why, size_t wl)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
	if (!v || (cJSON_IsObject(v) && !v->child)) /* absent, or `{}` (an empty Lua table) */
		return 0;
	int n = cJSON_GetArraySize(v);
	if (!cJSON_IsArray(v) || n > VOCD_ANALYSIS_WORDS_MAX)
		return vocd_config_error(why, wl, "analysis.%s: expected a list of up to %d words, such as { \"满意\", \"helpful\" }",
		                         key, VOCD_ANALYSIS_WORDS_MAX);
	char **l = calloc((size_t)n + 1, sizeof *l);
	if (!l)
		return VOCD_ENOMEM;
	*out = l;
	int i = 0;
	for (const cJSON *w = v->child; w; w = w->next, i++) {
		if (!cJSON_IsString(w) || !word_ok(w->valuestring))
			return vocd_config_error(why, wl, "analysis.%s[%d]: expected a word of 1 to %d characters%s", key, i + 1,
			                         VOCD_ANALYSIS_WORD_MAX,
			                         cJSON_IsString(w) && w->valuestring[0] ? " with a letter or a Chinese character" : "");
		if (!(l[i] = strdup(w->valuestring)))
			return VOCD_ENOMEM;
	}
	return 0;
}

/* A word in both lists is a mistake the tenant should see, not a tie the reader breaks silently. */
static int check_overlap(const struct vocd_analysis_conf *c, char *why, size_t wl)
{
	int i = 0;
	for (char **n = c->negative; n && *n; n++, i++)
		for (char **p = c->positive; p && *p; p++)
			if (strcasecmp(*n, *p) == 0)
				return vocd_config_error(why, wl, "analysis.negative[%d]: \"%s\" is also in analysis.positive", i + 1, *n);
	return 0;
}

int vocd_analysis_conf_parse(const cJSON *s, struct vocd_analysis_conf *out, char *why, size_t wl)
{
	memset(out, 0, sizeof *out);
	if (!s)
		return 0;
	if (!cJSON_IsObject(s))
		return vocd_config_error(why, wl, "analysis: expected { positive = { … }, negative = { … }, negations = { … }, replace = false }");
	int rc = vocd_config_known(s, "analysis", known_keys, 0, why, wl);
	if (rc == 0)
		rc = read_list(s, "positive", &out->positive, why, wl);
	if (rc == 0)
		rc = read_list(s, "negative", &out->negative, why, wl);
	if (rc == 0)
		rc = read_list(s, "negations", &out->negations, why, wl);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "replace");
	if (rc == 0 && r && !cJSON_IsBool(r))
		rc = vocd_config_error(why, wl, "analysis.replace: expected true or false");
	if (rc == 0 && r)
		out->replace = cJSON_IsTrue(r);
	if (rc == 0 && out->replace && (!out->positive || !out->negative))
		rc = vocd_config_error(why, wl, "analysis.replace: with replace = true, give both positive and negative words "
		                                "(they replace the built-in ones)");
	if (rc == 0)
		rc = check_overlap(out, why, wl);
	if (rc != 0)
		vocd_analysis_conf_free(out);
	return rc;
}

void vocd_analysis_conf_free(struct vocd_analysis_conf *c)
{
	if (!c)
		return;
	free_list(c->positive);
	free_list(c->negative);
	free_list(c->negations);
	memset(c, 0, sizeof *c);
}

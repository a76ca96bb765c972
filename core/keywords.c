/* Keywords of free text (CJK pairs, English words, both with stop lists), a counter of them with bounded
 * memory, and rising topics (keywords.h says what each is). */
#include "keywords.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "textchars.h"

/* English words that say nothing of a topic, and the pieces contractions leave ("don" of don't). */
static const char *const stop_en[] = {
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
	"at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
	"did", "do", "does", "doing", "done", "down", "during", "each", "even", "ever", "every", "few", "for", "from",
	"further", "get", "got", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "hi", "him",
	"himself", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
	"more", "most", "much", "my", "myself", "no", "nor", "not", "now", "of", "off", "ok", "okay", "on", "once",
	"one", "only", "or", "other", "our", "ours", "out", "over", "own", "please", "really", "same", "she",
	"should", "so", "some", "still", "such", "than", "thank", "thanks", "that", "the", "their", "them", "then",
	"there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "very",
	"was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
	"you", "your", "yours", "yourself", "don", "didn", "doesn", "isn", "wasn", "weren", "won", "couldn", "wouldn",
	"shouldn", "aren", "haven", "hasn", "hadn", "ll", "ve", "re", "im", "ive", "dont", "didnt", "cant", "go",
	"went", "came", "come", "said", "say", "told", "make", "made", "let", "yes", "yet", "again", "like", "way",
	"day", "days", "time", "times", NULL};

/* A CJK pair holding one of these is no keyword: particles, pronouns, degree and negation words. */
static const char stop_zh_chars[] = "的了是我你您他她它们在也都就吗呢吧啊呀哦嗯和与及而很太还又再这那个有着把被给让从向为"
                                    "以之其或但却则才只么什怎哪谁此啦哈嘛得一不没非挺最更真已请";

/* Common pairs that say nothing of a topic. */
static const char *const stop_zh_pairs[] = {
	"所以", "因为", "然后", "虽然", "如果", "觉得", "感觉", "知道", "希望", "应该", "需要", "问题", "谢谢", "时候",
	"现在", "今天", "昨天", "明天", "自己", "大家", "其实", "而且", "或者", "以及", "之后", "之前", "以后", "以前",
	"后来", "直接", "终于", "总是", "每次", "上次", "下次", "可以", "可能", "比较", "特别", "出来", "起来", "东西",
	"事情", "情况", "一下", "这样", "那样", "怎样", "然后", "如何", "当时", "目前", "本来", "反正", "还是", "只是",
	"就是", "但是", "不过", "可是", "已经", "非常", "十分", "其他", "别人", "大概", "左右", "感谢", NULL};

static int stop_word(const char *w, size_t n)
{
	for (size_t i = 0; stop_en[i]; i++)
		if (strlen(stop_en[i]) == n && memcmp(stop_en[i], w, n) == 0)
			return 1;
	return 0;
}

static int stop_char(const unsigned char *p, size_t n)
{
	for (const char *s = stop_zh_chars; *s;) {
		size_t u;
		vocd_utf8_next((const unsigned char *)s, (const unsigned char *)s + strlen(s), &u);
		if (u == n && memcmp(s, p, n) == 0)
			return 1;
		s += u;
	}
	return 0;
}

static int stop_pair(const unsigned char *p, size_t n)
{
	for (size_t i = 0; stop_zh_pairs[i]; i++)
		if (strlen(stop_zh_pairs[i]) == n && memcmp(stop_zh_pairs[i], p, n) == 0)
			return 1;
	return 0;
}

int vocd_keywords(const char *text, size_t len, vocd_keyword_fn fn, void *arg)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	char word[VOCD_KEYWORD_MAX];
	size_t wlen = 0;
	int too_long = 0, rc = 0;
	const unsigned char *prev = NULL; /* the CJK character just before, in the current run */
	size_t prev_len = 0;
	while (p < end && rc == 0) {
		size_t used;
		long cp = vocd_utf8_next(p, end, &used);
		if (vocd_char_is_letter(cp)) {
			if (wlen + used > sizeof word)
				too_long = 1;
			for (size_t i = 0; i < used && !too_long; i++)
				word[wlen++] = (char)(cp < 0x80 && p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
		} else {
			/* a word of 2 letters or more: 2 bytes may be one accented letter, which is not enough */
			if (wlen >= 2 && !too_long && !(wlen == 2 && (unsigned char)word[0] >= 0x80) && !stop_word(word, wlen))
				rc = fn(word, wlen, arg);
			wlen = 0;
			too_long = 0;
		}
		if (vocd_char_is_cjk(cp)) {
			if (prev && !stop_char(prev, prev_len) && !stop_char(p, used) && !stop_pair(prev, prev_len + used) && rc == 0)
				rc = fn((const char *)prev, prev_len + used, arg); /* the two characters are contiguous */
			prev = p;
			prev_len = used;
		} else {
			prev = NULL;
		}
		p += used;
	}
	if (rc == 0 && wlen >= 2 && !too_long && !(wlen == 2 && (unsigned char)word[0] >= 0x80) && !stop_word(word, wlen))
		rc = fn(word, wlen, arg);
	return rc;
}

/* The counter: keys in entries, an open-addressing table of their indexes (at most half full). */
struct kentry {
	char *key;
	uint32_t len;
	uint64_t count;
};

struct vocd_keyword_counter {
	struct kentry *e;
	size_t n, max;
	uint32_t *slot; /* index + 1, 0 for empty */
	size_t nslot;
	uint64_t floor;
};

static uint32_t khash(const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

static size_t lookup(const struct vocd_keyword_counter *c, const char *key, size_t n)
{
	size_t i = khash(key, n) & (c->nslot - 1);
	while (c->slot[i]) {
		const struct kentry *e = &c->e[c->slot[i] - 1];
		if (e->len == n && memcmp(e->key, key, n) == 0)
			break;
		i = (i + 1) & (c->nslot - 1);
	}
	return i;
}

static void reindex(struct vocd_keyword_counter *c)
{
	memset(c->slot, 0, c->nslot * sizeof *c->slot);
	for (size_t j = 0; j < c->n; j++)
		c->slot[lookup(c, c->e[j].key, c->e[j].len)] = (uint32_t)j + 1;
}

int vocd_keyword_counter_new(size_t max_keys, struct vocd_keyword_counter **out)
{
	struct vocd_keyword_counter *c = calloc(1, sizeof *c);
	if (!c)
		return VOCD_ENOMEM;
	c->max = max_keys ? (max_keys < 16 ? 16 : max_keys) : VOCD_KEYWORDS_MAX_KEYS;
	c->nslot = 16;
	while (c->nslot < c->max * 2)
		c->nslot *= 2;
	c->e = malloc(c->max * sizeof *c->e);
	c->slot = calloc(c->nslot, sizeof *c->slot);
	if (!c->e || !c->slot) {
		vocd_keyword_counter_free(c);
		return VOCD_ENOMEM;
	}
	*out = c;
	return 0;
}

void vocd_keyword_counter_free(struct vocd_keyword_counter *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].key);
	free(c->e);
	free(c->slot);
	free(c);
}

/* Full: drop the keys counted at most floor+1 times, raising the floor until a quarter of the room is free. */
static void prune(struct vocd_keyword_counter *c)
{
	while (c->n > c->max - c->max / 4) {
		c->floor++;
		size_t kept = 0;
		for (size_t i = 0; i < c->n; i++) {
			if (c->e[i].count <= c->floor)
				free(c->e[i].key);
			else
				c->e[kept++] = c->e[i];
		}
		c->n = kept;
	}
	reindex(c);
}

int vocd_keyword_counter_add(struct vocd_keyword_counter *c, const char *key, size_t len, uint64_t n)
{
	if (!c || !key || len == 0 || len > VOCD_KEYWORD_MAX)
		return VOCD_EINVAL;
	size_t i = lookup(c, key, len);
	if (c->slot[i]) {
		c->e[c->slot[i] - 1].count += n;
		return 0;
	}
	if (c->n == c->max) {
		prune(c);
		i = lookup(c, key, len);
	}
	char *k = malloc(len);
	if (!k)
		return VOCD_ENOMEM;
	memcpy(k, key, len);
	c->e[c->n] = (struct kentry){k, (uint32_t)len, n};
	c->slot[i] = (uint32_t)++c->n;
	return 0;
}

/* The keywords of one text, gathered to count each once. */
struct gathered {
	char *buf;
	size_t len, cap;
	size_t (*at)[2]; /* offset and length of each keyword in buf */
	size_t n, ncap;
};

static int gather(const char *kw, size_t len, void *arg)
{
	struct gathered *g = arg;
	if (g->len + len > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 1024;
		while (cap < g->len + len)
			cap *= 2;
		char *b = realloc(g->buf, cap);
		if (!b)
			return VOCD_ENOMEM;
		g->buf = b;
		g->cap = cap;
	}
	if (g->n == g->ncap) {
		size_t cap = g->ncap ? g->ncap * 2 : 128;
		size_t(*a)[2] = realloc(g->at, cap * sizeof *a);
		if (!a)
			return VOCD_ENOMEM;
		g->at = a;
		g->ncap = cap;
	}
	memcpy(g->buf + g->len, kw, len);
	g->at[g->n][0] = g->len;
	g->at[g->n][1] = len;
	g->n++;
	g->len += len;
	return 0;
}

struct kw {
	const char *p;
	size_t len;
};

static int cmp_kw(const void *a, const void *b)
{
	const struct kw *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->p, y->p, x->len);
}

int vocd_keyword_counter_add_text(struct vocd_keyword_counter *c, const char *text, size_t len)
{
	if (!c || (!text && len))
		return VOCD_EINVAL;
	struct gathered g = {0};
	struct kw *kw = NULL;
	int rc = vocd_keywords(text, len, gather, &g);
	if (rc == 0 && g.n && !(kw = malloc(g.n * sizeof *kw)))
		rc = VOCD_ENOMEM;
	if (rc == 0 && g.n) {
		for (size_t i = 0; i < g.n; i++)
			kw[i] = (struct kw){g.buf + g.at[i][0], g.at[i][1]};
		qsort(kw, g.n, sizeof *kw, cmp_kw);
		for (size_t i = 0; rc == 0 && i < g.n; i++)
			if (i == 0 || cmp_kw(&kw[i - 1], &kw[i]) != 0)
				rc = vocd_keyword_counter_add(c, kw[i].p, kw[i].len, 1);
	}
	free(kw);
	free(g.buf);
	free(g.at);
	return rc;
}

uint64_t vocd_keyword_counter_get(const struct vocd_keyword_counter *c, const char *key, size_t len)
{
	if (!c || !key || len == 0 || len > VOCD_KEYWORD_MAX)
		return 0;
	size_t i = lookup(c, key, len);
	return c->slot[i] ? c->e[c->slot[i] - 1].count : 0;
}

size_t vocd_keyword_counter_size(const struct vocd_keyword_counter *c)
{
	return c ? c->n : 0;
}

uint64_t vocd_keyword_counter_floor(const struct vocd_keyword_counter *c)
{
	return c ? c->floor : 0;
}

static int key_order(const char *a, size_t an, const char *b, size_t bn)
{
	int d = memcmp(a, b, an < bn ? an : bn);
	return d ? d : an < bn ? -1 : an > bn;
}

static int cmp_count(const void *a, const void *b)
{
	const struct vocd_keyword_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return key_order(x->key, x->len, y->key, y->len);
}

int vocd_keyword_counter_top(const struct vocd_keyword_counter *c, size_t n, struct vocd_keyword_count *out,
                             size_t *got)
{
	*got = 0;
	if (!c || !c->n || !n)
		return 0;
	struct vocd_keyword_count *all = malloc(c->n * sizeof *all);
	if (!all)
		return VOCD_ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		all[i] = (struct vocd_keyword_count){c->e[i].key, c->e[i].len, c->e[i].count};
	qsort(all, c->n, sizeof *all, cmp_count);
	*got = n < c->n ? n : c->n;
	memcpy(out, all, *got * sizeof *out);
	free(all);
	return 0;
}

static int cmp_rising(const void *a, const void *b)
{
	const struct vocd_rising_topic *x = a, *y = b;
	if (x->z != y->z)
		return x->z > y->z ? -1 : 1;
	return key_order(x->key, x->len, y->key, y->len);
}

int vocd_topics_rising(const struct vocd_keyword_counter *current, const struct vocd_keyword_counter *const *baseline,
                       size_t periods, const struct vocd_rising_rule *rule, struct vocd_rising_topic *out, size_t cap,
                       size_t *found)
{
	*found = 0;
	if (!current || !baseline || periods == 0)
		return VOCD_EINVAL;
	for (size_t k = 0; k < periods; k++)
		if (!baseline[k])
			return VOCD_EINVAL;
	struct vocd_rising_rule r = rule ? *rule : VOCD_RISING_RULE_DEFAULT;
	struct vocd_rising_topic *all = NULL;
	size_t n = 0, room = 0;
	for (size_t i = 0; i < current->n; i++) {
		const struct kentry *e = &current->e[i];
		if (e->count < r.min_count)
			continue;
		double sum = 0, sq = 0;
		for (size_t k = 0; k < periods; k++) {
			double v = (double)vocd_keyword_counter_get(baseline[k], e->key, e->len);
			sum += v;
			sq += v * v;
		}
		double mean = sum / (double)periods, var = sq / (double)periods - mean * mean;
		double sd = var > 0 ? sqrt(var) : 0, s = sd;
		if (s < sqrt(mean))
			s = sqrt(mean);
		if (s < 1)
			s = 1;
		double cur = (double)e->count;
		if (!(cur > mean + r.z * s && cur >= r.factor * mean))
			continue;
		if (n == room) {
			room = room ? room * 2 : 64;
			struct vocd_rising_topic *a = realloc(all, room * sizeof *a);
			if (!a) {
				free(all);
				return VOCD_ENOMEM;
			}
			all = a;
		}
		all[n++] = (struct vocd_rising_topic){e->key, e->len, e->count, mean, sd, (cur - mean) / s};
	}
	if (n)
		qsort(all, n, sizeof *all, cmp_rising);
	if (n && cap)
		memcpy(out, all, (n < cap ? n : cap) * sizeof *out);
	*found = n;
	free(all);
	return 0;
}

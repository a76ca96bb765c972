/* Sentiment of free text by lexicon: longest entry first, negation within a short window, intensifiers,
 * and contrast (sentiment.h says how a text is read). */
#include "sentiment.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "textchars.h"

enum kind { K_POS, K_NEG, K_NEGATION, K_INTENS, K_DIMIN, K_CONTRAST, K_SKIP };

#define NEG_WINDOW 4   /* tokens after a negation in which a sentiment word is turned around */
#define MULT_WINDOW 3  /* ... after an intensifier or diminisher */
#define KEY_MAX 256    /* bytes of a normalised entry: 32 characters of 4 bytes, with separators */
#define SPAN_MAX (VOCD_ANALYSIS_WORD_MAX)

/* The built-in lexicon. Words weigh 1; the "mild" lists 0.4, so that alone they leave a text neutral (thanks
 * are polite as often as pleased; 一般 is lukewarm), and with another word or an intensifier they count. */
static const char *const builtin_pos[] = {
	/* zh-CN */
	"满意", "很满意", "挺满意", "好", "很好", "挺好", "不错", "还不错", "挺不错", "棒", "很棒", "赞", "点赞", "超赞",
	"优秀", "专业", "耐心", "热情", "热心", "周到", "细心", "贴心", "友好", "礼貌", "有礼貌", "及时", "迅速", "快",
	"很快", "高效", "方便", "便捷", "快捷", "顺利", "解决", "解决了", "喜欢", "推荐", "值得", "放心", "安心", "省心",
	"舒服", "舒适", "干净", "整洁", "准时", "新鲜", "实惠", "划算", "好评", "五星", "完美", "惊喜", "开心", "高兴",
	"温暖", "到位", "靠谱", "给力", "清楚", "满分", "认真", "负责", "用心", "好用", "流畅", "稳定", "一流", "表扬",
	"感动", "和蔼", "亲切", "明亮", "宽敞", "正品", "完好", "好吃", "美味", "合理", "诚信", "守时", "准确", "愉快",
	"没有问题", "没问题", "没什么问题", "没有任何问题", "没毛病", "无可挑剔", "物超所值", "超出预期", "细致", "主动",
	"积极", "用心服务", "服务好", "态度好", "效率高", "速度快", "很专业", "解释清楚", "处理得很好", "帮了大忙",
	"点个赞", "好样的", "称心", "如意", "舒心", "暖心", "完美解决", "彻底解决", "不用担心",
	/* en */
	"good", "great", "excellent", "amazing", "awesome", "fantastic", "wonderful", "perfect", "helpful", "friendly",
	"polite", "patient", "professional", "quick", "quickly", "fast", "prompt", "promptly", "efficient", "smooth",
	"smoothly", "easy", "satisfied", "happy", "pleased", "glad", "love", "loved", "recommend", "recommended",
	"appreciate", "appreciated", "kind", "courteous", "knowledgeable", "resolved", "solved", "fixed", "on time",
	"reliable", "clean", "fresh", "nice", "impressed", "impressive", "outstanding", "superb", "brilliant", "best",
	"no problem", "no problems", "no issues", "no complaints", "worth it", "delighted", "convenient", "responsive",
	"attentive", "thorough", "accurate", "comfortable", "enjoyed", "seamless", "five stars", "5 stars",
	"exceeded", "above and beyond", "pleasant", "cheerful", "welcoming", "caring", "well done", "helped",
	"well organised", "well organized", "spotless", "fair", "lovely", "top notch", "exceptional", "sorted",
	"smile", "smiling", "bright", "warm", "reasonable", "neat", "tidy", "easy to", "in good condition",
	NULL};
static const char *const builtin_pos_mild[] = {"谢谢", "感谢", "多谢", "辛苦了", "thanks", "thank", "thank you", "ok",
                                               "okay", "fine", "decent", "还行", "可以", NULL};
static const char *const builtin_neg[] = {
	/* zh-CN */
	"不满意", "不太满意", "不满", "差", "很差", "太差", "差劲", "太差劲", "糟糕", "垃圾", "失望", "很失望", "生气",
	"愤怒", "投诉", "慢", "太慢", "很慢", "好慢", "拖延", "推诿", "踢皮球", "敷衍", "冷漠", "态度差", "态度恶劣",
	"恶劣", "粗鲁", "不耐烦", "不专业", "不礼貌", "错误", "错", "坏", "坏了", "损坏", "破损", "破了", "丢失", "丢件",
	"延误", "延迟", "迟到", "晚到", "超时", "等了很久", "等太久", "贵", "太贵", "好贵", "麻烦", "难用", "卡顿",
	"故障", "骗", "欺骗", "欺诈", "虚假", "假货", "不行", "乱收费", "脏", "乱", "吵", "暗", "太暗", "臭", "难吃",
	"变质", "过期", "漏发", "错发", "发错", "少发", "没人理", "没人管", "没人接", "打不通", "无人接听", "不回复",
	"没回复", "不处理", "不解决", "拒绝", "差评", "一星", "后悔", "坑", "坑人", "忽悠", "恶心", "烦", "烦人", "好烦",
	"无语", "郁闷", "气人", "不靠谱", "不好", "不好用", "遗憾", "抱怨", "受不了", "态度不好", "不理人", "不负责",
	"联系不上", "没收到", "没有收到", "未收到", "还没到", "没到", "好差", "漏水", "漏了", "少了", "缺货", "退款难",
	"不退款", "不给退", "不给换", "扯皮", "互相推诿", "挂电话", "挂断", "态度很差", "很不专业", "不合理", "没用",
	"没有用", "白跑", "白跑一趟", "又要", "反复", "一直没", "迟迟", "再也不", "不会再来", "再也不来", "太久", "好久",
	"排了很久", "排队太久", "不准", "不干净", "有问题", "出问题", "毛病", "瑕疵", "划痕", "磨损", "不新鲜", "凉了",
	"撒了", "洒了", "压坏", "摔坏", "不好吃", "难受", "闹心", "被骗", "乱扣", "多扣", "扣费", "收费不合理", "不合格",
	"质量差", "质量不好", "服务差", "效率低", "太慢了", "无人处理", "没人处理", "没有人", "石沉大海", "不透明", "着急",
	/* en */
	"bad", "terrible", "awful", "horrible", "poor", "worst", "rude", "unhelpful", "slow", "late", "delayed", "delay",
	"broken", "damaged", "missing", "lost", "wrong", "disappointed", "disappointing", "disappointment", "angry",
	"upset", "annoyed", "frustrated", "frustrating", "unhappy", "dissatisfied", "unsatisfied", "complaint",
	"complain", "useless", "waste", "hate", "dirty", "expensive", "overpriced", "never again", "unacceptable",
	"ridiculous", "nightmare", "mess", "messy", "incompetent", "ignored", "hung up", "scam", "fraud", "cheated",
	"misleading", "confusing", "noisy", "stale", "leaking", "leak", "faulty", "defective", "failed", "failure",
	"error", "crash", "crashed", "impatient", "dismissive", "arrogant", "careless", "sloppy", "unprofessional",
	"lousy", "unresponsive", "no one", "nobody", "still waiting", "worse", "cancelled", "canceled", "charged twice",
	"difficult", "complicated", "scratched", "cracked", "spilled", "cold food", "dim", "too dark",
	"waited", "waiting", "no response", "no reply", "no answer", "nothing happened", "run around", "runaround",
	"ripped off", "rip off", "not received", "never arrived", "never came", "overcharged", "mistake", "pushy",
	"unreliable", "hard to", "hours on hold", "on hold", "gave up", "refused", "struggle", "struggled", "poorly",
	"broke", "crashing", "crashes", "stained", "smelly", "filthy", "mediocre", "annoying", "hassle", "horrendous", "shocking", "not working",
	NULL};
static const char *const builtin_neg_mild[] = {"一般", "凑合", "还行吧", "meh", "so so", "so-so", NULL};
static const char *const builtin_negation[] = {
	"不", "没", "没有", "别", "并不", "并没有", "并没", "不是", "未", "无", "从不", "从没", "毫不", "毫无", "绝不", "不太",
	"不够", "不怎么", "无法", "一点也不", "一点都不", "不算", "谈不上", "算不上", "不会", "不能", "不再",
	"not", "no", "never", "dont", "didnt", "doesnt", "isnt", "wasnt", "werent", "wont", "cant", "cannot",
	"couldnt", "wouldnt", "shouldnt", "arent", "hasnt", "havent", "hadnt", "hardly", "barely", "without",
	"nothing", "neither", "nor", "not at all", "far from", "lack", "lacked", "lacking", NULL};
static const char *const builtin_intens[] = {"很", "非常", "特别", "超", "超级", "太", "十分", "极其", "真", "真的",
                                             "相当", "格外", "巨", "最", "挺", "极", "实在", "太过", "very", "really",
                                             "extremely", "so", "super", "incredibly", "totally", "absolutely",
                                             "highly", "truly", "too", "especially", "pretty", "such", "most", NULL};
static const char *const builtin_dimin[] = {"有点", "有些", "稍微", "略", "略微", "一点", "有一点", "稍", "slightly",
                                            "somewhat", "a bit", "a little", "a little bit", "kind of", "sort of",
                                            "rather", "fairly", NULL};
static const char *const builtin_contrast[] = {"但是", "但", "不过", "可是", "然而", "只是", "却", "but", "however",
                                               NULL};
/* Phrases that hold a sentiment or negation word but say nothing of the kind. */
static const char *const builtin_skip[] = {
	"快递", "快递员", "快点", "快要", "尽快", "赶快", "不好意思", "没想到", "不管", "不仅", "不但", "不久", "不少",
	"没错", "不得不", "不用", "差不多", "好像", "只好", "还好", "好几", "好多", "最好", "正好", "差点", "不知道",
	"是不是", "有没有", "要不要", "好不好", "慢慢", "慢走", "错过", "不客气", "无论", "无需", "毫无疑问", "好的",
	"快到", "不一样", "没关系", "别的", "好奇", "差价", "不然", "无线", "好友", "问题是", "一点点",
	"麻烦您", "麻烦你", "麻烦帮", /* please, not trouble */
	"no matter", "not only", "no doubt", "good morning", "good afternoon", "good evening", "fast food",
	"no longer", "not sure", "kind regards", "best regards", "so that", "so far", NULL};

struct entry {
	char *key;
	uint16_t len;
	uint8_t kind;
	float weight;
};

struct vocd_lexicon {
	struct entry *e;
	size_t n, cap;
	uint32_t *slot; /* index + 1 into e, 0 for empty; a power of two, at most half full */
	size_t nslot;
	int maxspan;    /* tokens of the longest entry */
};

enum tk { TK_END, TK_BREAK, TK_CJK, TK_WORD };

struct tok {
	enum tk kind;
	const unsigned char *s;
	size_t len;
};

static int is_break(long cp)
{
	return cp == ',' || cp == '.' || cp == '!' || cp == '?' || cp == ';' || cp == ':' || cp == '\n' ||
	       cp == 0xff0c || cp == 0x3002 || cp == 0xff01 || cp == 0xff1f || cp == 0xff1b || cp == 0xff1a ||
	       cp == 0x3001 || cp == 0x2026 || cp == 0xff5e || cp == '~';
}

static int is_apostrophe(const unsigned char *p, const unsigned char *end, size_t *used)
{
	if (p[0] == '\'') {
		*used = 1;
		return 1;
	}
	if (end - p >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x99) { /* ’ */
		*used = 3;
		return 1;
	}
	return 0;
}

/* The token at \p p (TK_END at \p end); returns where the next one may start. */
static const unsigned char *next_tok(const unsigned char *p, const unsigned char *end, struct tok *t)
{
	while (p < end) {
		size_t used;
		long cp = vocd_utf8_next(p, end, &used);
		if (vocd_char_is_cjk(cp) || is_break(cp)) {
			t->kind = is_break(cp) ? TK_BREAK : TK_CJK;
			t->s = p;
			t->len = used;
			return p + used;
		}
		if (vocd_char_is_word(cp)) {
			const unsigned char *q = p + used;
			while (q < end) {
				size_t u, a;
				long c = vocd_utf8_next(q, end, &u);
				if (vocd_char_is_word(c)) {
					q += u;
				} else if (is_apostrophe(q, end, &a) && q + a < end &&
				           vocd_char_is_letter(vocd_utf8_next(q + a, end, &u))) {
					q += a; /* don't, it's: one word */
				} else {
					break;
				}
			}
			t->kind = TK_WORD;
			t->s = p;
			t->len = (size_t)(q - p);
			return q;
		}
		p += used;
	}
	t->kind = TK_END;
	t->s = end;
	t->len = 0;
	return end;
}

/* Appends token \p t to the key in \p key (length *klen): words lower-cased, ’ as ', a space between two
 * words. 0, or -1 when it would not fit. */
static int key_append(char *key, size_t *klen, const struct tok *t, enum tk prev)
{
	size_t n = *klen;
	if (n + t->len + 1 > KEY_MAX)
		return -1;
	if (t->kind == TK_WORD && prev == TK_WORD)
		key[n++] = ' ';
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = t->s[i];
		if (t->kind == TK_WORD && c == 0xe2 && i + 2 < t->len && t->s[i + 1] == 0x80 && t->s[i + 2] == 0x99) {
			key[n++] = '\'';
			i += 2;
		} else {
			key[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
	}
	*klen = n;
	return 0;
}

static uint32_t key_hash(const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

static const struct entry *find(const struct vocd_lexicon *lx, const char *key, size_t n)
{
	if (!lx->nslot)
		return NULL;
	for (size_t i = key_hash(key, n) & (lx->nslot - 1);; i = (i + 1) & (lx->nslot - 1)) {
		if (!lx->slot[i])
			return NULL;
		const struct entry *e = &lx->e[lx->slot[i] - 1];
		if (e->len == n && memcmp(e->key, key, n) == 0)
			return e;
	}
}

static int rehash(struct vocd_lexicon *lx, size_t nslot)
{
	uint32_t *s = calloc(nslot, sizeof *s);
	if (!s)
		return VOCD_ENOMEM;
	for (size_t j = 0; j < lx->n; j++) {
		size_t i = key_hash(lx->e[j].key, lx->e[j].len) & (nslot - 1);
		while (s[i])
			i = (i + 1) & (nslot - 1);
		s[i] = (uint32_t)j + 1;
	}
	free(lx->slot);
	lx->slot = s;
	lx->nslot = nslot;
	return 0;
}

/* Adds or overrides one entry, normalised as the text will be (so "Not  Bad" is "not bad"). */
static int add(struct vocd_lexicon *lx, const char *word, enum kind kind, float weight)
{
	char key[KEY_MAX];
	size_t klen = 0;
	int tokens = 0;
	enum tk prev = TK_END;
	const unsigned char *p = (const unsigned char *)word, *end = p + strlen(word);
	struct tok t;
	while ((p = next_tok(p, end, &t)), t.kind != TK_END) {
		if (t.kind == TK_BREAK)
			continue;
		if (key_append(key, &klen, &t, prev) != 0)
			return 0; /* too long to ever match: the tenant's words are at most 32 characters */
		prev = t.kind;
		tokens++;
	}
	if (!klen)
		return 0;
	struct entry *old = (struct entry *)find(lx, key, klen);
	if (old) {
		old->kind = (uint8_t)kind;
		old->weight = weight;
		return 0;
	}
	if (lx->n == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 512;
		struct entry *e = realloc(lx->e, cap * sizeof *e);
		if (!e)
			return VOCD_ENOMEM;
		lx->e = e;
		lx->cap = cap;
	}
	char *k = malloc(klen);
	if (!k)
		return VOCD_ENOMEM;
	memcpy(k, key, klen);
	lx->e[lx->n++] = (struct entry){k, (uint16_t)klen, (uint8_t)kind, weight};
	if (tokens > lx->maxspan)
		lx->maxspan = tokens > SPAN_MAX ? SPAN_MAX : tokens;
	if (lx->n * 2 > lx->nslot)
		return rehash(lx, lx->nslot ? lx->nslot * 2 : 1024);
	/* the new entry into the current table */
	size_t i = key_hash(k, klen) & (lx->nslot - 1);
	while (lx->slot[i])
		i = (i + 1) & (lx->nslot - 1);
	lx->slot[i] = (uint32_t)lx->n;
	return 0;
}

static int add_list(struct vocd_lexicon *lx, const char *const *words, enum kind kind, float weight)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && words && words[i]; i++)
		rc = add(lx, words[i], kind, weight);
	return rc;
}

int vocd_lexicon_new(const struct vocd_analysis_conf *tenant, struct vocd_lexicon **out)
{
	struct vocd_lexicon *lx = calloc(1, sizeof *lx);
	if (!lx)
		return VOCD_ENOMEM;
	int rc = add_list(lx, builtin_skip, K_SKIP, 0);
	if (rc == 0)
		rc = add_list(lx, builtin_intens, K_INTENS, 1.5f);
	if (rc == 0)
		rc = add_list(lx, builtin_dimin, K_DIMIN, 0.5f);
	if (rc == 0)
		rc = add_list(lx, builtin_contrast, K_CONTRAST, 0);
	if (rc == 0 && !(tenant && tenant->replace)) {
		rc = add_list(lx, builtin_negation, K_NEGATION, 0);
		if (rc == 0)
			rc = add_list(lx, builtin_pos, K_POS, 1);
		if (rc == 0)
			rc = add_list(lx, builtin_pos_mild, K_POS, 0.4f);
		if (rc == 0)
			rc = add_list(lx, builtin_neg, K_NEG, 1);
		if (rc == 0)
			rc = add_list(lx, builtin_neg_mild, K_NEG, 0.4f);
	}
	if (rc == 0 && tenant) {
		rc = add_list(lx, (const char *const *)tenant->negations, K_NEGATION, 0);
		if (rc == 0)
			rc = add_list(lx, (const char *const *)tenant->positive, K_POS, 1);
		if (rc == 0)
			rc = add_list(lx, (const char *const *)tenant->negative, K_NEG, 1);
	}
	if (rc != 0) {
		vocd_lexicon_free(lx);
		return rc;
	}
	*out = lx;
	return 0;
}

void vocd_lexicon_free(struct vocd_lexicon *lx)
{
	if (!lx)
		return;
	for (size_t i = 0; i < lx->n; i++)
		free(lx->e[i].key);
	free(lx->e);
	free(lx->slot);
	free(lx);
}

size_t vocd_lexicon_size(const struct vocd_lexicon *lx)
{
	return lx ? lx->n : 0;
}

/* The longest entry starting at \p p: its entry (NULL if none) and the tokens it takes in *ntok (1 when none);
 * the first token in *first. */
static const struct entry *longest(const struct vocd_lexicon *lx, const unsigned char *p, const unsigned char *end,
                                   struct tok *first, int *ntok, const unsigned char **next)
{
	char key[KEY_MAX];
	size_t klen = 0, lens[SPAN_MAX + 1];
	const unsigned char *after[SPAN_MAX + 1];
	enum tk prev = TK_END;
	int n = 0;
	struct tok t;
	const unsigned char *q = p;
	while (n < lx->maxspan || n == 0) {
		q = next_tok(q, end, &t);
		if (n == 0)
			*first = t;
		if (t.kind == TK_END || t.kind == TK_BREAK || key_append(key, &klen, &t, prev) != 0)
			break;
		prev = t.kind;
		lens[++n] = klen;
		after[n] = q;
		if (n == 1)
			*next = q;
	}
	*ntok = 1;
	if (n == 0) {
		*next = q;
		return NULL;
	}
	for (int k = n; k >= 1; k--) {
		const struct entry *e = find(lx, key, lens[k]);
		if (e) {
			*ntok = k;
			*next = after[k];
			return e;
		}
	}
	return NULL;
}

/* A word the lexicon lacks that ends in n't ("haven't", "won’t"). */
static int ends_nt(const struct tok *t)
{
	const unsigned char *s = t->s;
	size_t n = t->len;
	return (n >= 4 && (s[n - 3] | 0x20) == 'n' && s[n - 2] == '\'' && (s[n - 1] | 0x20) == 't') ||
	       (n >= 6 && (s[n - 5] | 0x20) == 'n' && s[n - 4] == 0xe2 && s[n - 3] == 0x80 && s[n - 2] == 0x99 &&
	        (s[n - 1] | 0x20) == 't');
}

int vocd_sentiment(const struct vocd_lexicon *lx, const char *text, size_t len, struct vocd_sentiment *out)
{
	if (!lx || !out || (!text && len))
		return VOCD_EINVAL;
	memset(out, 0, sizeof *out);
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	double score = 0, mult = 1, after_contrast = 1;
	int negated = 0, neg_left = 0, mult_left = 0;
	while (p < end) {
		struct tok first;
		int ntok;
		const unsigned char *next;
		const struct entry *e = longest(lx, p, end, &first, &ntok, &next);
		if (first.kind == TK_END)
			break;
		if (first.kind == TK_BREAK) {
			negated = neg_left = mult_left = 0;
			mult = 1;
			p = next;
			continue;
		}
		int kind = e ? e->kind : first.kind == TK_WORD && ends_nt(&first) ? K_NEGATION : K_SKIP;
		if (kind == K_POS || kind == K_NEG) {
			double w = (kind == K_POS ? 1 : -1) * e->weight * (mult_left > 0 ? mult : 1) * after_contrast;
			int flip = negated && neg_left > 0;
			if (flip)
				w = -w;
			score += w;
			if (out->matches < VOCD_SENTIMENT_MATCHES_MAX)
				out->match[out->matches] = (struct vocd_sentiment_match){
					(size_t)(first.s - (const unsigned char *)text), (size_t)(next - first.s), w, flip};
			out->matches++;
			negated = neg_left = mult_left = 0;
			mult = 1;
		} else if (kind == K_NEGATION) {
			negated = neg_left > 0 ? !negated : 1;
			neg_left = NEG_WINDOW + ntok; /* counted down below, from after the negation */
		} else if (kind == K_INTENS || kind == K_DIMIN) {
			mult = (mult_left > 0 ? mult : 1) * e->weight;
			mult_left = MULT_WINDOW + ntok;
		} else if (kind == K_CONTRAST) {
			score *= 0.5;
			after_contrast = 1.5;
			negated = neg_left = mult_left = 0;
			mult = 1;
		}
		if (kind != K_POS && kind != K_NEG) {
			neg_left = neg_left > ntok ? neg_left - ntok : 0;
			mult_left = mult_left > ntok ? mult_left - ntok : 0;
		}
		p = next;
	}
	out->score = score;
	out->label = score >= 0.5 ? VOCD_SENTIMENT_POSITIVE : score <= -0.5 ? VOCD_SENTIMENT_NEGATIVE : VOCD_SENTIMENT_NEUTRAL;
	return 0;
}

const char *vocd_sentiment_label_name(enum vocd_sentiment_label label)
{
	return label == VOCD_SENTIMENT_POSITIVE ? "positive" : label == VOCD_SENTIMENT_NEGATIVE ? "negative" : "neutral";
}

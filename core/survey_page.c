/* Survey pages. Plain forms posting back to the same /s/<token> address; CSS inline, no script. */
#include "survey_page.h"

#include <stdio.h>
#include <string.h>

static const char *const T[][2] = {
#define S_TITLE 0
	{"服务评价", "Service feedback"},
#define S_CONSENT_HEAD 1
	{"开始之前", "Before we start"},
#define S_AGREE 2
	{"同意并开始", "I agree, start"},
#define S_DECLINE 3
	{"不同意", "I do not agree"},
#define S_SUBMIT 4
	{"提交评价", "Send"},
#define S_OPTIONAL 5
	{"（选填）", "(optional)"},
#define S_TAGS 6
	{"可多选", "Tick any that apply"},
#define S_THANKS 7
	{"感谢您的评价！我们已收到，会认真对待每一条意见。", "Thank you! We have your answer and will act on it."},
#define S_ANSWERED 8
	{"这份评价已经提交过了，感谢您的参与。", "This survey has already been answered. Thank you for taking part."},
#define S_EXPIRED 9
	{"这个评价链接已过期。", "This survey link has expired."},
#define S_INVALID 10
	{"这个评价链接无效，请检查是否完整。", "This survey link is not valid. Please check that it is complete."},
#define S_DECLINED 11
	{"没关系，我们不会保存您的评价。感谢您抽出时间。", "No problem: no answer will be kept. Thank you for your time."},
#define S_CSAT 12
	{"您对本次服务满意吗？", "How satisfied are you with the service?"},
#define S_NPS 13
	{"您有多大可能向朋友推荐我们？", "How likely are you to recommend us to a friend?"},
#define S_CES 14
	{"办理这件事对您来说容易吗？", "How easy was it to get this done?"},
#define S_CSAT_LO 15
	{"很不满意", "Very dissatisfied"},
#define S_CSAT_HI 16
	{"非常满意", "Very satisfied"},
#define S_NPS_LO 17
	{"不可能", "Not at all likely"},
#define S_NPS_HI 18
	{"极有可能", "Extremely likely"},
#define S_CES_LO 19
	{"非常困难", "Very difficult"},
#define S_CES_HI 20
	{"非常容易", "Very easy"},
#define S_SWITCH 21
	{"English", "中文"},
#define S_WITHDRAWN 22
	{"已撤回同意：您的姓名和联系方式已删除，评分仅以匿名方式用于统计。",
	 "Consent withdrawn: your name and contact details are erased; your scores are kept only anonymously, for "
	 "statistics."},
#define S_WITHDRAW 23
	{"撤回同意并删除我的个人信息", "Withdraw my consent and erase my personal data"},
#define S_CORRECT 24
	{"修改我的评价", "Change my answer"},
#define S_CORRECTING 25
	{"您正在修改已提交的评价：新的回答会作为新版本保存，原回答仍会保留。",
	 "You are changing your answer: the new one is kept as a new version, and the first one stays on record."},
};

static const char *t(enum vocd_page_lang lang, int id)
{
	return T[id][lang == VOCD_LANG_EN];
}

static const char *text_of(const struct vocd_text *x, enum vocd_page_lang lang)
{
	return lang == VOCD_LANG_EN ? x->en : x->zh;
}

const char *vocd_page_lang_code(enum vocd_page_lang lang)
{
	return lang == VOCD_LANG_EN ? "en" : "zh-CN";
}

static void head(struct vocd_buf *b, enum vocd_page_lang lang, const char *tenant_name, const char *path)
{
	vocd_buf_printf(b, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	                   "<meta name=\"robots\" content=\"noindex\"><title>", vocd_page_lang_code(lang));
	vocd_buf_html(b, tenant_name);
	vocd_buf_printf(b, " · %s</title><style>"
	                   "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2129}"
	                   "main{max-width:34rem;margin:0 auto;padding:1rem}"
	                   "h1{font-size:1.2rem;margin:.5rem 0 1rem}"
	                   "fieldset{border:0;background:#fff;border-radius:.6rem;margin:0 0 .8rem;padding:.8rem}"
	                   "legend{font-weight:600;padding:0;float:left;width:100%%;margin-bottom:.5rem}"
	                   /* A grid, so that a scale that wraps (0-10 on a phone) keeps boxes of one size: a wider
	                    * box on the second row would draw the eye to its scores. */
	                   ".scale{display:grid;grid-template-columns:repeat(auto-fit,minmax(2.4rem,1fr));gap:.3rem;"
	                   "clear:both}"
	                   ".scale label{text-align:center;border:1px solid #c9cdd4;border-radius:.4rem;padding:.5rem 0}"
	                   ".scale input{display:block;margin:0 auto .2rem}"
	                   ".ends{display:flex;justify-content:space-between;font-size:.8rem;color:#4e5969;clear:both}"
	                   ".tags label{display:inline-block;margin:.2rem .4rem .2rem 0}"
	                   "textarea{width:100%%;box-sizing:border-box;min-height:5rem;font:inherit}"
	                   "button{font:inherit;padding:.7rem 1.2rem;border-radius:.5rem;border:0;background:#165dff;"
	                   "color:#fff;width:100%%;margin:.3rem 0}"
	                   "button.secondary{background:#e5e6eb;color:#1d2129}"
	                   ".error{background:#ffece8;color:#cb2634;padding:.6rem;border-radius:.4rem}"
	                   ".notice{background:#fff;border-radius:.6rem;padding:1rem;white-space:pre-line}"
	                   "nav{text-align:right;font-size:.9rem}"
	                   "</style></head><body><main>", t(lang, S_TITLE));
	if (path) {
		vocd_buf_puts(b, "<nav><a href=\"");
		vocd_buf_html(b, path);
		vocd_buf_printf(b, "?lang=%s\">%s</a></nav>", lang == VOCD_LANG_EN ? "zh-CN" : "en", t(lang, S_SWITCH));
	}
	vocd_buf_puts(b, "<h1>");
	vocd_buf_html(b, tenant_name);
	vocd_buf_printf(b, " · %s</h1>", t(lang, S_TITLE));
}

static void foot(struct vocd_buf *b)
{
	vocd_buf_puts(b, "</main></body></html>\n");
}

static void form_open(struct vocd_buf *b, const char *path, const char *step, enum vocd_page_lang lang)
{
	vocd_buf_puts(b, "<form method=\"post\" action=\"");
	vocd_buf_html(b, path);
	vocd_buf_printf(b, "\"><input type=\"hidden\" name=\"step\" value=\"%s\">"
	                   "<input type=\"hidden\" name=\"lang\" value=\"%s\">", step, vocd_page_lang_code(lang));
}

void vocd_page_consent(struct vocd_buf *b, enum vocd_page_lang lang, const char *tenant_name, const char *path,
                       const struct vocd_survey *sv)
{
	head(b, lang, tenant_name, path);
	vocd_buf_printf(b, "<h2>%s</h2><div class=\"notice\">", t(lang, S_CONSENT_HEAD));
	vocd_buf_html(b, text_of(&sv->notice, lang));
	vocd_buf_puts(b, "</div>");
	form_open(b, path, "consent", lang);
	vocd_buf_printf(b, "<button type=\"submit\" name=\"agree\" value=\"yes\">%s</button>"
	                   "<button class=\"secondary\" type=\"submit\" name=\"agree\" value=\"no\">%s</button></form>",
	                t(lang, S_AGREE), t(lang, S_DECLINE));
	foot(b);
}

/* One row of radio buttons lo..hi named \p name, with words under both ends. */
static void scale(struct vocd_buf *b, const char *name, const char *question, int lo, int hi, const char *lo_word,
                  const char *hi_word, int preset)
{
	vocd_buf_puts(b, "<fieldset><legend>");
	vocd_buf_html(b, question);
	vocd_buf_puts(b, "</legend><div class=\"scale\">");
	for (int v = lo; v <= hi; v++) {
		vocd_buf_printf(b, "<label><input type=\"radio\" name=\"");
		vocd_buf_html(b, name);
		vocd_buf_printf(b, "\" value=\"%d\"%s>%d</label>", v, v == preset ? " checked" : "", v);
	}
	vocd_buf_puts(b, "</div>");
	if (lo_word) {
		vocd_buf_puts(b, "<div class=\"ends\"><span>");
		vocd_buf_html(b, lo_word);
		vocd_buf_puts(b, "</span><span>");
		vocd_buf_html(b, hi_word);
		vocd_buf_puts(b, "</span></div>");
	}
	vocd_buf_puts(b, "</fieldset>");
}

void vocd_page_questions(struct vocd_buf *b, enum vocd_page_lang lang, const char *tenant_name, const char *path,
                         const struct vocd_survey *sv, int preset_score, const char *error, int correction)
{
	static const int question[] = {S_CSAT, S_NPS, S_CES}, low[] = {S_CSAT_LO, S_NPS_LO, S_CES_LO},
	                 high[] = {S_CSAT_HI, S_NPS_HI, S_CES_HI};
	head(b, lang, tenant_name, path);
	if (error) {
		vocd_buf_puts(b, "<p class=\"error\" role=\"alert\">");
		vocd_buf_html(b, error);
		vocd_buf_puts(b, "</p>");
	}
	if (correction)
		vocd_buf_printf(b, "<p class=\"notice\">%s</p>", t(lang, S_CORRECTING));
	form_open(b, path, correction ? "correct" : "answer", lang);
	for (size_t i = 0; i < sv->nmetrics; i++) {
		enum vocd_metric m = sv->metrics[i];
		int lo, hi;
		vocd_metric_range(m, &lo, &hi);
		scale(b, vocd_metric_name(m), t(lang, question[m]), lo, hi, t(lang, low[m]), t(lang, high[m]),
		      i == 0 ? preset_score : -1);
	}
	for (size_t i = 0; i < sv->ndimensions; i++) {
		char name[48];
		snprintf(name, sizeof name, "dim_%s", sv->dimensions[i].id);
		scale(b, name, text_of(&sv->dimensions[i].label, lang), 1, sv->dimensions[i].scale, NULL, NULL, -1);
	}
	if (sv->ntags) {
		vocd_buf_printf(b, "<fieldset class=\"tags\"><legend>%s</legend>", t(lang, S_TAGS));
		for (size_t i = 0; i < sv->ntags; i++) {
			vocd_buf_puts(b, "<label><input type=\"checkbox\" name=\"tag\" value=\"");
			vocd_buf_html(b, sv->tags[i].id);
			vocd_buf_puts(b, "\"> ");
			vocd_buf_html(b, text_of(&sv->tags[i].label, lang));
			vocd_buf_puts(b, "</label>");
		}
		vocd_buf_puts(b, "</fieldset>");
	}
	if (sv->question.zh && sv->max_text > 0) {
		vocd_buf_puts(b, "<fieldset><legend><label for=\"text\">");
		vocd_buf_html(b, text_of(&sv->question, lang));
		vocd_buf_printf(b, " %s</label></legend><textarea id=\"text\" name=\"text\" maxlength=\"%d\"></textarea>"
		                   "</fieldset>", t(lang, S_OPTIONAL), sv->max_text);
	}
	vocd_buf_printf(b, "<button type=\"submit\">%s</button></form>", t(lang, S_SUBMIT));
	foot(b);
}

void vocd_page_notice(struct vocd_buf *b, enum vocd_page_lang lang, const char *tenant_name, const char *path,
                      enum vocd_page_notice what, unsigned offers)
{
	static const int text[] = {S_THANKS, S_ANSWERED, S_EXPIRED, S_INVALID, S_DECLINED, S_WITHDRAWN};
	head(b, lang, tenant_name, path); /* the language switch too: a customer may come back on another phone */
	vocd_buf_printf(b, "<p class=\"notice\">%s</p>", t(lang, text[what]));
	if (path && (offers & VOCD_OFFER_CORRECT)) {
		form_open(b, path, "edit", lang); /* offered, not pushed: a quiet button */
		vocd_buf_printf(b, "<button class=\"secondary\" type=\"submit\">%s</button></form>", t(lang, S_CORRECT));
	}
	if (path && (offers & VOCD_OFFER_WITHDRAW)) {
		form_open(b, path, "withdraw", lang);
		vocd_buf_printf(b, "<button class=\"secondary\" type=\"submit\">%s</button></form>", t(lang, S_WITHDRAW));
	}
	foot(b);
}

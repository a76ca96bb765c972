/* The review wall (评价墙, seeds 002 §2.2): positive evaluations an admin or supervisor picked, shown to the
 * public at /wall/<tenant> with their scores, tags, words and the organisation's replies; never the
 * customer. Only a current, positive answer that is neither hidden nor suspect can be picked, and one that
 * becomes hidden or suspect later leaves the wall by itself. The page runs no script; every text on it is
 * escaped.
 *   POST /api/v1/evaluations/<id>/wall {"show": true|false}   admin, supervisor (audited "wall.show"/"wall.remove")
 *   GET  /wall/<tenant>[?lang=en]                             anyone */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "calendar.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "review.h"
#include "validate.h"

#define WALL_TYPE "wall.pick" /* evaluation id -> {evaluation, show, by {token, role, person?}, at} */
#define WALL_MAX 50

/* Why \p ev may not be on the wall now, or NULL. */
static const char *unfit(vocd_txn *txn, const char *tenant, const cJSON *ev)
{
	const char *id = vocd_json_str(ev, "id");
	const void *d;
	size_t n;
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(ev, "scores");
	double csat = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(scores, "csat"));
	double nps = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(scores, "nps"));
	if (!(csat >= 4) && !(nps >= 9))
		return "only a positive evaluation (CSAT 4-5 or NPS 9-10) goes on the wall";
	if (vocd_rec_get(txn, tenant, VOCD_HIDDEN_TYPE, id, &d, &n) == 0)
		return "a hidden evaluation does not go on the wall";
	if (vocd_evaluation_superseded(txn, tenant, id))
		return "the customer corrected this evaluation: pick the current version";
	if (vocd_review_counted_suspect(txn, tenant, ev))
		return "a suspect evaluation goes on the wall only once an auditor clears it";
	return NULL;
}

struct pick_job {
	struct vocd_req *req;
	int show;
	const char *why;
	struct vocd_actor who;
	int found;
};

static int pick_fn(vocd_txn *txn, void *arg)
{
	struct pick_job *j = arg;
	const char *tenant = j->req->auth.tenant, *id = j->req->params[0];
	cJSON *ev = NULL;
	if (vocd_record_get(txn, tenant, VOCD_EVALUATION_TYPE, id, &ev) != 0)
		return VOCD_ENOTFOUND;
	j->found = 1;
	int rc = 0;
	if (j->show && (j->why = unfit(txn, tenant, ev)) != NULL)
		goto out;
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "evaluation", id);
	cJSON_AddBoolToObject(rec, "show", j->show);
	cJSON *by = cJSON_AddObjectToObject(rec, "by");
	cJSON_AddStringToObject(by, "token", j->req->auth.id);
	cJSON_AddStringToObject(by, "role", vocd_role_name(j->req->auth.role));
	if (j->req->auth.person[0])
		cJSON_AddStringToObject(by, "person", j->req->auth.person);
	cJSON_AddNumberToObject(rec, "at", (double)vocd_now_ms());
	rc = vocd_record_put(txn, tenant, WALL_TYPE, id, rec, NULL, 0, j->show ? "wall.show" : "wall.remove", &j->who, NULL);
	cJSON_Delete(rec);
out:
	cJSON_Delete(ev);
	return rc;
}

int vocd_api_wall_pick(struct vocd_req *req)
{
	static const char *const keys[] = {"show", NULL};
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *show = cJSON_GetObjectItemCaseSensitive(body, "show");
	if (vocd_check_known(body, "", keys, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	if (!cJSON_IsBool(show)) {
		vocd_http_error(req, 422, "invalid_field", "show: true to put it on the wall, false to take it off");
		cJSON_Delete(body);
		return 0;
	}
	/* In the caller's scope first: out of sight is not found. */
	cJSON *ev = NULL;
	if (vocd_evaluation_get(req->srv->store, req->auth.tenant, req->params[0], &ev) != 0) {
		vocd_http_error(req, 404, "not_found", "no evaluation %s", req->params[0]);
		cJSON_Delete(body);
		return 0;
	}
	int seen = vocd_api_sees(req, ev, "evaluation");
	cJSON_Delete(ev);
	if (!seen) {
		cJSON_Delete(body);
		return 0;
	}
	struct pick_job j;
	memset(&j, 0, sizeof j);
	j.req = req;
	j.show = cJSON_IsTrue(show);
	vocd_http_actor(req, "api", NULL, &j.who);
	int rc = vocd_store_write(req->srv->store, pick_fn, &j);
	if (rc == VOCD_ENOTFOUND)
		vocd_http_error(req, 404, "not_found", "no evaluation %s", req->params[0]);
	else if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else if (j.why)
		vocd_http_error(req, 422, "not_for_the_wall", "%s", j.why);
	else {
		cJSON *answer = cJSON_CreateObject();
		cJSON_AddStringToObject(answer, "evaluation", req->params[0]);
		cJSON_AddBoolToObject(answer, "on_wall", j.show);
		vocd_http_json(req, 200, answer);
		cJSON_Delete(answer);
	}
	cJSON_Delete(body);
	return 0;
}

/* ---- The page -------------------------------------------------------------------------------------- */

static int collect_pick(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	cJSON *p = cJSON_ParseWithLength(data, len);
	if (!p)
		return VOCD_ENOMEM;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "show")))
		cJSON_AddItemToArray(arg, p);
	else
		cJSON_Delete(p);
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	double x = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(*(cJSON *const *)a, "at"));
	double y = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(*(cJSON *const *)b, "at"));
	return x < y ? 1 : x > y ? -1 : 0;
}

static void stars(struct vocd_buf *b, int n)
{
	for (int i = 1; i <= 5; i++)
		vocd_buf_puts(b, i <= n ? "★" : "☆");
}

static void card(struct vocd_buf *b, vocd_txn *txn, const char *tenant, const struct vocd_tenant_conf *conf,
                 const cJSON *ev, int en)
{
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(ev, "scores"), *tag, *r;
	int32_t day = vocd_calendar_day_of(&conf->calendar.cal,
	                                   (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ev, "created_at")));
	vocd_buf_printf(b, "<article><p class=\"meta\">%04d-%02d-%02d", (int)(day / 10000), (int)(day / 100 % 100),
	                (int)(day % 100));
	const cJSON *csat = cJSON_GetObjectItemCaseSensitive(scores, "csat"), *nps = cJSON_GetObjectItemCaseSensitive(scores, "nps");
	if (cJSON_IsNumber(csat)) {
		vocd_buf_printf(b, " · <span class=\"stars\" aria-label=\"CSAT %d/5\">", csat->valueint);
		stars(b, csat->valueint);
		vocd_buf_puts(b, "</span>");
	}
	if (cJSON_IsNumber(nps))
		vocd_buf_printf(b, " · %s %d/10", en ? "would recommend" : "推荐意愿", nps->valueint);
	vocd_buf_puts(b, "</p>");
	const char *text = vocd_json_str(ev, "text");
	if (text && *text) {
		vocd_buf_puts(b, "<blockquote>");
		vocd_buf_html(b, text);
		vocd_buf_puts(b, "</blockquote>");
	}
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(ev, "tags");
	if (cJSON_GetArraySize(tags) > 0) {
		vocd_buf_puts(b, "<ul class=\"tags\">");
		cJSON_ArrayForEach(tag, tags) if (cJSON_IsString(tag)) {
			vocd_buf_puts(b, "<li>");
			vocd_buf_html(b, tag->valuestring);
			vocd_buf_puts(b, "</li>");
		}
		vocd_buf_puts(b, "</ul>");
	}
	const char *id = vocd_json_str(ev, "id");
	cJSON *replies = cJSON_CreateArray();
	vocd_index_scan(txn, tenant, VOCD_REPLY_TYPE, "by_evaluation", id, strlen(id) + 1, vocd_record_collect, replies);
	cJSON_ArrayForEach(r, replies) {
		vocd_buf_puts(b, "<div class=\"reply\"><strong>");
		vocd_buf_html(b, conf->name ? conf->name : tenant);
		vocd_buf_printf(b, "</strong> %s<p>", en ? "replied" : "回复");
		vocd_buf_html(b, vocd_json_str(r, "text"));
		vocd_buf_puts(b, "</p></div>");
	}
	cJSON_Delete(replies);
	vocd_buf_puts(b, "</article>");
}

int vocd_api_wall_page(struct vocd_req *req)
{
	const char *tenant = req->params[0];
	const struct vocd_tenant_conf *conf = vocd_config_tenant(vocd_server_config(req->srv), tenant);
	if (!conf) {
		vocd_http_error(req, 404, "not_found", "no such wall");
		return 0;
	}
	char lang[8] = "";
	vocd_http_query(req, "lang", lang, sizeof lang);
	int en = strcmp(lang, "en") == 0;
	vocd_txn *txn;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	cJSON *picks = cJSON_CreateArray();
	rc = vocd_rec_scan(txn, tenant, WALL_TYPE, NULL, collect_pick, picks);
	int n = cJSON_GetArraySize(picks), shown = 0;
	cJSON **sorted = n ? calloc((size_t)n, sizeof *sorted) : NULL;
	for (int i = 0; sorted && i < n; i++)
		sorted[i] = cJSON_GetArrayItem(picks, i);
	if (sorted)
		qsort(sorted, (size_t)n, sizeof *sorted, newest_first);
	struct vocd_buf b = {0};
	vocd_buf_printf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
	                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
	                en ? "en" : "zh-CN");
	vocd_buf_html(&b, conf->name ? conf->name : tenant);
	vocd_buf_printf(&b, " · %s</title><style>body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:44rem;"
	                "margin:1rem auto;padding:0 1rem;color:#111}article{border:1px solid #e5e7eb;border-radius:.5rem;"
	                "padding:.6rem 1rem;margin:.8rem 0}.meta{color:#555;font-size:.9rem}.stars{color:#d97706}"
	                "blockquote{margin:.4rem 0;font-size:1.05rem}.tags{list-style:none;padding:0;display:flex;gap:.4rem}"
	                ".tags li{background:#eef2ff;border-radius:1rem;padding:0 .6rem;font-size:.85rem}"
	                ".reply{background:#f8fafc;border-left:3px solid #93c5fd;padding:.2rem .8rem;margin-top:.5rem}"
	                "</style></head><body><h1>", en ? "What our customers say" : "客户评价");
	vocd_buf_html(&b, conf->name ? conf->name : tenant);
	vocd_buf_printf(&b, " · %s</h1>", en ? "What our customers say" : "客户评价墙");
	for (int i = 0; rc >= 0 && sorted && i < n && shown < WALL_MAX; i++) {
		cJSON *ev = NULL;
		if (vocd_record_get(txn, tenant, VOCD_EVALUATION_TYPE, vocd_json_str(sorted[i], "evaluation"), &ev) == 0 &&
		    !unfit(txn, tenant, ev)) {
			card(&b, txn, tenant, conf, ev, en);
			shown++;
		}
		cJSON_Delete(ev);
	}
	if (!shown)
		vocd_buf_printf(&b, "<p>%s</p>", en ? "Nothing here yet." : "暂无评价。");
	vocd_buf_puts(&b, "</body></html>\n");
	vocd_txn_end(txn);
	free(sorted);
	cJSON_Delete(picks);
	if (rc < 0 || b.oom)
		vocd_http_fail(req, rc < 0 ? rc : VOCD_ENOMEM, NULL);
	else
		vocd_http_text_with(req, 200, "text/html; charset=utf-8",
		                    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'\r\n"
		                    "Cache-Control: public, max-age=60\r\n",
		                    b.p, b.len);
	vocd_buf_free(&b);
	return 0;
}

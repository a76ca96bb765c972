/* Evaluations over the API: server-to-server answers, reading them back with personal data masked, and
 * the refusal to delete one. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "evaluation.h"
#include "review.h"
#include "survey.h"
#include "validate.h"

static const char *const body_keys[] = {"invitation", "customer", "context", "channel", "lang", "answer", "consent",
                                        NULL};

/* Answers the outcome of vocd_evaluation_create. */
void vocd_api_evaluation_outcome(struct vocd_req *req, int rc, const struct vocd_evaluation_new *n)
{
	if (rc == VOCD_EINVAL || rc == VOCD_EUNPROC) {
		/* The field first, then why: "answer.scores.csat: expected a whole number from 1 to 5, got 7". */
		vocd_http_error(req, rc == VOCD_EINVAL ? 400 : 422, rc == VOCD_EINVAL ? "bad_answer" : "invalid_answer",
		                "%s%s: %s", strcmp(n->field, "consent") && strcmp(n->field, "answer") ? "answer." : "",
		                n->field, n->message[0] ? n->message : "not acceptable");
	} else if (rc == VOCD_EEXIST) {
		vocd_http_error(req, 409, "already_answered", "this invitation has already been answered");
	} else if (rc == VOCD_EGONE) {
		vocd_http_error(req, 410, "expired", "this invitation has expired");
	} else if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no such invitation");
	} else if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
	} else {
		cJSON *answer = cJSON_CreateObject();
		cJSON_AddStringToObject(answer, "id", n->id);
		vocd_http_json(req, 201, answer);
		cJSON_Delete(answer);
	}
}

int vocd_api_evaluation_create(struct vocd_req *req)
{
	cJSON *body = vocd_http_body_object(req);
	if (!body)
		return 0;
	struct vocd_field_error fe;
	const cJSON *inv = cJSON_GetObjectItemCaseSensitive(body, "invitation");
	const cJSON *customer = cJSON_GetObjectItemCaseSensitive(body, "customer");
	if (vocd_check_known(body, "", body_keys, &fe) != 0 || vocd_check_string(inv, "invitation", 32, 0, &fe) != 0 ||
	    vocd_check_string(customer, "customer", 128, 0, &fe) != 0 ||
	    vocd_check_string_object(cJSON_GetObjectItemCaseSensitive(body, "context"), "context", vocd_context_keys, 1, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "channel"), "channel", 32, 0, &fe) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(body, "lang"), "lang", 8, 0, &fe) != 0) {
		vocd_http_field_error(req, &fe);
		cJSON_Delete(body);
		return 0;
	}
	const cJSON *consent = cJSON_GetObjectItemCaseSensitive(body, "consent");
	if (consent && !cJSON_IsObject(consent)) {
		vocd_http_error(req, 422, "invalid_field", "consent: expected {\"notice_version\", \"time\", \"channel\"}");
		cJSON_Delete(body);
		return 0;
	}
	if (customer && !vocd_external_id_valid(customer->valuestring)) {
		vocd_http_error(req, 422, "invalid_field", "customer: expected your own customer id (letters, digits and _ . : -), not a phone number or email");
		cJSON_Delete(body);
		return 0;
	}
	struct vocd_evaluation_new n;
	memset(&n, 0, sizeof n);
	n.tenant = req->auth.tenant;
	n.conf = vocd_config_tenant(vocd_server_config(req->srv), req->auth.tenant);
	n.invitation = inv ? inv->valuestring : NULL;
	n.answer = cJSON_GetObjectItemCaseSensitive(body, "answer");
	n.channel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "channel"));
	n.lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "lang"));
	n.customer = customer ? customer->valuestring : NULL;
	n.context = cJSON_GetObjectItemCaseSensitive(body, "context");
	n.consent = consent;
	n.seconds_to_submit = -1;
	vocd_http_actor(req, n.channel ? n.channel : "api", NULL, &n.who);
	int rc = n.answer ? vocd_evaluation_create(req->srv->store, &n) : VOCD_EUNPROC;
	if (!n.answer)
		snprintf(n.field, sizeof n.field, "answer"), snprintf(n.message, sizeof n.message, "required");
	vocd_api_evaluation_outcome(req, rc, &n);
	cJSON_Delete(body);
	return 0;
}

/* A suspect evaluation's review: the auditor's decision, or null while it waits in the queue. */
static int add_review(struct vocd_req *req, cJSON *rec)
{
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "suspect")))
		return 0;
	vocd_txn *txn;
	cJSON *review = NULL;
	int rc = vocd_store_read(req->srv->store, &txn);
	if (rc != 0)
		return rc;
	rc = vocd_review_get(txn, req->auth.tenant, vocd_json_str(rec, "id"), &review);
	vocd_txn_end(txn);
	if (rc != 0 && rc != VOCD_ENOTFOUND)
		return rc;
	cJSON_AddItemToObject(rec, "review", review ? review : cJSON_CreateNull());
	return 0;
}

int vocd_api_evaluation_get(struct vocd_req *req)
{
	cJSON *rec = NULL;
	int rc = vocd_evaluation_get(req->srv->store, req->auth.tenant, req->params[0], &rec);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no evaluation %s", req->params[0]);
		return 0;
	}
	if (rc != 0) {
		vocd_http_fail(req, rc, NULL);
		return 0;
	}
	if (!vocd_api_sees(req, rec, "evaluation")) {
		cJSON_Delete(rec);
		return 0;
	}
	vocd_api_mask_customer(req, rec);
	if ((rc = vocd_api_evaluation_extras(req, rec)) == 0)
		rc = add_review(req, rec);
	if (rc != 0)
		vocd_http_fail(req, rc, NULL);
	else
		vocd_http_json(req, 200, rec);
	cJSON_Delete(rec);
	return 0;
}

int vocd_api_evaluation_delete(struct vocd_req *req)
{
	vocd_http_error(req, 405, "not_deletable",
	                "evaluations are never deleted or changed: the law and this server keep every answer. To take "
	                "one out of public display, hide it with a reason from the legal list: POST "
	                "/api/v1/evaluations/<id>/hide");
	return 0;
}

/* ?from=&to= (Unix ms), context fields, channel, service_type, tag, has_text, csat_min... ces_max */
struct eval_filter {
	double from, to;
	char ctx[6][129];
	char channel[33], service_type[33], tag[33];
	int has_text; /* -1: either */
	int all_versions; /* 0: only the current version of each answer */
	int suspect;      /* 0: any; 1: only suspect answers (not cleared); -1: without them */
	int lo[VOCD_METRIC_COUNT], hi[VOCD_METRIC_COUNT];
};

static const char *const filter_ctx[6] = {"agent", "team", "product_line", "region", "store", "dealer"};

static int keep_evaluation(vocd_txn *txn, const char *tenant, const cJSON *e, void *arg)
{
	const struct eval_filter *f = arg;
	if (!f->all_versions && vocd_evaluation_superseded(txn, tenant, vocd_json_str(e, "id")))
		return 0;
	double at = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "created_at"));
	if (at < f->from || at >= f->to)
		return 0;
	/* Suspect as the figures count it: flagged, and not cleared by an auditor. */
	if (f->suspect && (vocd_review_counted_suspect(txn, tenant, e) ? 1 : -1) != f->suspect)
		return 0;
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(e, "context");
	for (int i = 0; i < 6; i++) {
		const char *v = vocd_json_str(ctx, filter_ctx[i]);
		if (f->ctx[i][0] && (!v || strcmp(v, f->ctx[i]) != 0))
			return 0;
	}
	const char *ch = vocd_json_str(e, "channel"), *st = vocd_json_str(e, "service_type");
	if ((f->channel[0] && (!ch || strcmp(ch, f->channel))) || (f->service_type[0] && (!st || strcmp(st, f->service_type))))
		return 0;
	if (f->tag[0]) {
		int found = 0;
		const cJSON *t;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(e, "tags"))
			found |= cJSON_IsString(t) && strcmp(t->valuestring, f->tag) == 0;
		if (!found)
			return 0;
	}
	const char *text = vocd_json_str(e, "text");
	if (f->has_text >= 0 && (text && *text) != f->has_text)
		return 0;
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(e, "scores");
	for (int m = 0; m < VOCD_METRIC_COUNT; m++) {
		if (f->lo[m] == INT_MIN && f->hi[m] == INT_MAX)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(scores, vocd_metric_name((enum vocd_metric)m));
		if (!cJSON_IsNumber(v) || v->valuedouble < f->lo[m] || v->valuedouble > f->hi[m])
			return 0;
	}
	return 1;
}

/* Reads one query parameter as a whole number; answers 400 itself when it is not one. */
static int query_number(struct vocd_req *req, const char *name, double *out, int *bad)
{
	char text[32];
	if (vocd_http_query(req, name, text, sizeof text) != 0)
		return 0;
	char *end;
	double v = strtod(text, &end);
	if (!text[0] || *end) {
		vocd_http_error(req, 400, "invalid_parameter", "%s: expected a number", name);
		*bad = 1;
		return 0;
	}
	*out = v;
	return 1;
}

int vocd_api_evaluation_list(struct vocd_req *req)
{
	struct eval_filter f;
	memset(&f, 0, sizeof f);
	f.from = -1e300;
	f.to = 1e300;
	f.has_text = -1;
	int bad = 0;
	query_number(req, "from", &f.from, &bad);
	if (!bad)
		query_number(req, "to", &f.to, &bad);
	for (int m = 0; m < VOCD_METRIC_COUNT && !bad; m++) {
		char name[16];
		double v;
		f.lo[m] = INT_MIN;
		f.hi[m] = INT_MAX;
		snprintf(name, sizeof name, "%s_min", vocd_metric_name((enum vocd_metric)m));
		if (query_number(req, name, &v, &bad))
			f.lo[m] = (int)v;
		snprintf(name, sizeof name, "%s_max", vocd_metric_name((enum vocd_metric)m));
		if (!bad && query_number(req, name, &v, &bad))
			f.hi[m] = (int)v;
	}
	if (bad)
		return 0;
	for (int i = 0; i < 6; i++)
		vocd_http_query(req, filter_ctx[i], f.ctx[i], sizeof f.ctx[i]);
	vocd_http_query(req, "channel", f.channel, sizeof f.channel);
	vocd_http_query(req, "service_type", f.service_type, sizeof f.service_type);
	vocd_http_query(req, "tag", f.tag, sizeof f.tag);
	char versions[8];
	if (vocd_http_query(req, "versions", versions, sizeof versions) == 0) {
		if (strcmp(versions, "all") && strcmp(versions, "current")) {
			vocd_http_error(req, 400, "invalid_parameter", "versions: expected all or current");
			return 0;
		}
		f.all_versions = strcmp(versions, "all") == 0;
	}
	char suspect[16];
	if (vocd_http_filter(req, "suspect", suspect, sizeof suspect) != 0)
		return 0;
	if (suspect[0]) {
		if (strcmp(suspect, "exclude") && strcmp(suspect, "only") && strcmp(suspect, "include")) {
			vocd_http_error(req, 400, "invalid_parameter", "suspect: expected include, exclude or only");
			return 0;
		}
		f.suspect = strcmp(suspect, "only") == 0 ? 1 : strcmp(suspect, "exclude") == 0 ? -1 : 0;
	}
	char has_text[8];
	if (vocd_http_query(req, "has_text", has_text, sizeof has_text) == 0) {
		if (strcmp(has_text, "true") && strcmp(has_text, "false")) {
			vocd_http_error(req, 400, "invalid_parameter", "has_text: expected true or false");
			return 0;
		}
		f.has_text = strcmp(has_text, "true") == 0;
	}
	return vocd_api_list_filtered(req, VOCD_EVALUATION_TYPE, keep_evaluation, &f);
}

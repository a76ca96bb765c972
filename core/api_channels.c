/* POST /channels/<name>/inbound?tenant=<id>: what a gateway sends back (an SMS reply "5" or "1 太慢了", a
 * webhook from an app) goes to the tenant's channel plugin <name>, whose `inbound` handler checks the
 * gateway's signature and turns the request into normalised answers; the core stores each through the same
 * ingest path as every other answer. The tenant in the address only routes: the plugin decides whether the
 * request is genuine.
 *
 * The plugin returns {answers = {{invitation | phone, via, answer, consent, ref}, ...}, response, report}: with
 * `response` ({status, body, content_type}) that is the reply; otherwise the reply is the JSON summary
 * {accepted, rejected = [{index, ref, error}]} with the members of `report` added. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "api.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "log.h"
#include "ratelimit.h"

#define MAX_ANSWERS 1000
#define INBOUND_PER_MINUTE 600

/* The request as the plugin sees it: {method, path, query, headers{lower-case name: value}, body, ip}. */
static cJSON *request_json(struct vocd_req *req)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "method", req->method);
	cJSON_AddStringToObject(r, "path", req->path);
	cJSON_AddStringToObject(r, "query", req->query ? req->query : "");
	cJSON *h = cJSON_AddObjectToObject(r, "headers");
	for (int i = 0; i < req->ri->num_headers; i++) {
		char name[128];
		snprintf(name, sizeof name, "%s", req->ri->http_headers[i].name);
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		if (!cJSON_GetObjectItemCaseSensitive(h, name))
			cJSON_AddStringToObject(h, name, req->ri->http_headers[i].value);
	}
	cJSON_AddStringToObject(r, "body", req->body);
	cJSON_AddStringToObject(r, "ip", req->ri->remote_addr);
	return r;
}

/* Stores one normalised answer {invitation | phone, answer, consent}; on failure writes why to \p why. */
static int ingest(struct vocd_req *req, const struct vocd_tenant_conf *t, const char *channel, const cJSON *item,
                  char *why, size_t whylen)
{
	const char *inv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "invitation"));
	const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "phone"));
	const cJSON *answer = cJSON_GetObjectItemCaseSensitive(item, "answer");
	const cJSON *consent = cJSON_GetObjectItemCaseSensitive(item, "consent");
	char found[17];
	if (!cJSON_IsObject(answer)) {
		snprintf(why, whylen, "answer: required, an object {scores, dimensions, tags, text}");
		return -1;
	}
	if (!inv && phone) {
		/* A reply answers an invitation sent through this channel; `via` names another, "*" any (a call
		 * centre following up invitations of every channel). */
		const char *via = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "via"));
		int rc = vocd_invitation_find_open(req->srv->store, req->srv->pii, t->id, phone, via ? via : channel,
		                                   t->invitations.remind_channel, found);
		if (rc != 0) {
			snprintf(why, whylen, "%s", rc == VOCD_EINVAL ? "phone: not a phone number"
			                                              : "no open invitation for this phone number (the newest one "
			                                                "reached through this channel is answered or expired)");
			return -1;
		}
		inv = found;
	}
	if (!inv) {
		snprintf(why, whylen, "invitation or phone: one is required");
		return -1;
	}
	char actor[144];
	snprintf(actor, sizeof actor, "channel:%s", channel);
	struct vocd_evaluation_new n;
	memset(&n, 0, sizeof n);
	n.tenant = t->id;
	n.conf = t;
	n.invitation = inv;
	n.answer = answer;
	n.channel = channel;
	n.consent = cJSON_IsObject(consent) ? consent : NULL;
	n.seconds_to_submit = -1;
	vocd_http_actor(req, channel, NULL, &n.who);
	n.who.actor.kind = VOCD_AUDIT_ACTOR_SYSTEM;
	n.who.actor.id = actor;
	int rc = vocd_evaluation_create(req->srv->store, &n);
	if (rc == 0)
		return 0;
	if (rc == VOCD_EINVAL || rc == VOCD_EUNPROC)
		snprintf(why, whylen, "%s: %s", n.field, n.message);
	else if (rc == VOCD_EEXIST)
		snprintf(why, whylen, "the invitation was already answered");
	else if (rc == VOCD_EGONE)
		snprintf(why, whylen, "the invitation has expired");
	else if (rc == VOCD_ENOTFOUND)
		snprintf(why, whylen, "no such invitation");
	else
		snprintf(why, whylen, "%s", vocd_strerror(rc));
	return rc == VOCD_EFULL ? rc : -1;
}

int vocd_api_channel_inbound(struct vocd_req *req)
{
	char tenant[72] = "";
	vocd_http_query(req, "tenant", tenant, sizeof tenant);
	const struct vocd_tenant_conf *t = vocd_config_tenant(vocd_server_config(req->srv), tenant);
	if (!t) {
		vocd_http_error(req, 404, "not_found", "tenant: no such tenant (give ?tenant=<id>)");
		return 0;
	}
	const char *channel = req->params[0];
	/* Nobody signs in here: bound how much work one tenant's channel address can cause. */
	char limit_key[220];
	snprintf(limit_key, sizeof limit_key, "inbound:%s:%s", t->id, channel);
	if (!vocd_ratelimit_allow(limit_key, INBOUND_PER_MINUTE, vocd_now_ms())) {
		vocd_http_error(req, 429, "rate_limited", "too many callbacks for this channel: at most %d a minute",
		                INBOUND_PER_MINUTE);
		return 0;
	}
	cJSON *arg = request_json(req), *result = NULL;
	char err[1024] = "";
	char label[160];
	snprintf(label, sizeof label, "channels/%s", channel); /* a channel plugin, not a workflow of that name */
	int rc = vocd_plugins_call(req->srv->plugins, t->id, label, "inbound", arg, &result, err, sizeof err);
	cJSON_Delete(arg);
	if (rc == VOCD_ENOTFOUND) {
		vocd_http_error(req, 404, "not_found", "no channel plugin '%s' with an inbound handler for this tenant", channel);
		return 0;
	}
	if (rc != 0) {
		vocd_http_error(req, rc == VOCD_ELIMIT ? 503 : 500, rc == VOCD_ELIMIT ? "plugin_limit" : "plugin_error",
		                "the channel plugin failed: %s", err[0] ? err : vocd_strerror(rc));
		return 0;
	}
	/* A plugin that refuses the request (a bad signature) answers it itself: {response = {status = 401}}. */
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(result, "answers");
	cJSON *summary = cJSON_CreateObject();
	cJSON *rejected = cJSON_CreateArray();
	int accepted = 0, i = 0, full = 0;
	const cJSON *list = cJSON_IsArray(answers) ? answers : NULL;
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		char why[400];
		if (i >= MAX_ANSWERS) {
			snprintf(why, sizeof why, "at most %d answers in one request", MAX_ANSWERS);
			rc = -1;
		} else {
			rc = ingest(req, t, channel, item, why, sizeof why);
		}
		full |= rc == VOCD_EFULL;
		if (rc == 0) {
			accepted++;
		} else {
			cJSON *r = cJSON_CreateObject();
			cJSON_AddNumberToObject(r, "index", i);
			/* the plugin's own reference to where the answer came from (a CSV line), handed back */
			const cJSON *ref = cJSON_GetObjectItemCaseSensitive(item, "ref");
			if (ref)
				cJSON_AddItemToObject(r, "ref", cJSON_Duplicate(ref, 1));
			cJSON_AddStringToObject(r, "error", why);
			cJSON_AddItemToArray(rejected, r);
			/* Logged too: a plugin answering the gateway itself hides the summary. */
			vocd_warn("channel %s (tenant %s): answer %d refused: %s", channel, t->id, i, why);
		}
		i++;
	}
	cJSON_AddNumberToObject(summary, "accepted", accepted);
	cJSON_AddItemToObject(summary, "rejected", rejected);
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(result, "response");
	if (full) {
		vocd_http_fail(req, VOCD_EFULL, NULL); /* the gateway should retry later */
	} else if (cJSON_IsObject(resp)) {
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(resp, "status");
		const char *body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp, "body"));
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp, "content_type"));
		int code = cJSON_IsNumber(status) && status->valueint >= 200 && status->valueint <= 599 ? status->valueint : 200;
		/* The plugin's content type goes into our header: one short line, or the default. */
		if (type && (strlen(type) > 100 || strpbrk(type, "\r\n")))
			type = NULL;
		vocd_http_text(req, code, type ? type : "text/plain; charset=utf-8", body ? body : "", body ? strlen(body) : 0);
	} else {
		/* A plugin's report (e.g. rows it could not read) goes into the summary beside the core's counts. */
		const cJSON *report = cJSON_GetObjectItemCaseSensitive(result, "report");
		for (const cJSON *m = cJSON_IsObject(report) ? report->child : NULL; m; m = m->next)
			if (!cJSON_GetObjectItemCaseSensitive(summary, m->string))
				cJSON_AddItemToObject(summary, m->string, cJSON_Duplicate(m, 1));
		vocd_http_json(req, 200, summary);
	}
	cJSON_Delete(summary);
	cJSON_Delete(result);
	return 0;
}

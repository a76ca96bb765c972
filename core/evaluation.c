/* Evaluations: the ingest path. Everything an answer needs is checked and written in one write job, so
 * the customer is thanked only once the answer, its audit entry and its event are on disk. */
#include "evaluation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authenticity.h"
#include "bus.h"
#include "error.h"
#include "ids.h"
#include "review.h"
#include "rollup.h"
#include "survey.h"

static int unproc(struct vocd_evaluation_new *n, int code, const char *field, const char *message)
{
	snprintf(n->field, sizeof n->field, "%s", field);
	snprintf(n->message, sizeof n->message, "%s", message);
	return code;
}

/* A customer with personal data on record may only be evaluated with consent. */
/* What the answer needs of the customer record: whether it holds personal data, and the customer's tier
 * (copied onto the answer: the figures by tier are those of the tier the customer had when answering). */
static int customer_facts(vocd_txn *txn, const char *tenant, const char *customer, char tier[33])
{
	cJSON *c = NULL;
	tier[0] = '\0';
	if (!customer || vocd_record_get(txn, tenant, VOCD_CUSTOMER_TYPE, customer, &c) != 0)
		return 0;
	int has = vocd_json_str(c, "name") || vocd_json_str(c, "phone") || vocd_json_str(c, "email");
	if (vocd_json_str(c, "tier"))
		snprintf(tier, 33, "%s", vocd_json_str(c, "tier"));
	cJSON_Delete(c);
	return has;
}

/* False when the customer withdrew consent after \p consent_id was given. */
static int consent_still_valid(vocd_txn *txn, const char *tenant, const char *customer, const char *consent_id)
{
	cJSON *c = NULL, *given = NULL;
	if (!customer || vocd_record_get(txn, tenant, VOCD_CUSTOMER_TYPE, customer, &c) != 0)
		return 1;
	double withdrawn = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "consent_withdrawn_at"));
	cJSON_Delete(c);
	if (!(withdrawn > 0))
		return 1;
	double at = 0;
	if (vocd_record_get(txn, tenant, VOCD_CONSENT_TYPE, consent_id, &given) == 0)
		at = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(given, "time"));
	cJSON_Delete(given);
	return at > withdrawn;
}

/* Stores a consent given elsewhere (server-to-server answers) and returns its id. */
static int consent_from_body(vocd_txn *txn, struct vocd_evaluation_new *n, const char *customer, char id[24])
{
	const cJSON *c = n->consent;
	const char *version = vocd_json_str(c, "notice_version"), *channel = vocd_json_str(c, "channel");
	const cJSON *time = cJSON_GetObjectItemCaseSensitive(c, "time");
	if (!version || !channel || !cJSON_IsNumber(time))
		return unproc(n, VOCD_EUNPROC, "consent",
		              "expected {\"notice_version\": \"…\", \"time\": Unix ms, \"channel\": \"…\"}");
	int rc = vocd_seq_id(txn, n->tenant, VOCD_CONSENT_TYPE, id);
	if (rc != 0)
		return rc;
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", id);
	if (customer)
		cJSON_AddStringToObject(rec, "customer", customer);
	cJSON_AddStringToObject(rec, "notice_version", version);
	cJSON_AddStringToObject(rec, "purpose", "service_evaluation");
	cJSON_AddStringToObject(rec, "channel", channel);
	cJSON_AddNumberToObject(rec, "time", time->valuedouble);
	cJSON_AddStringToObject(rec, "recorded_by", n->who.actor.id);
	rc = vocd_record_put(txn, n->tenant, VOCD_CONSENT_TYPE, id, rec, NULL, 0, "consent.record", &n->who, NULL);
	cJSON_Delete(rec);
	return rc;
}

static int create_job(vocd_txn *txn, void *arg)
{
	struct vocd_evaluation_new *n = arg;
	int64_t now = vocd_now_ms();
	cJSON *inv = NULL, *rec = NULL, *prev = NULL;
	char consent[24] = "", previous[24] = "";
	int version = 1;
	const char *customer = n->customer;
	const cJSON *context = n->context;
	int rc = 0;
	n->id[0] = '\0';

	if (n->invitation) {
		if ((rc = vocd_record_get(txn, n->tenant, VOCD_INVITATION_TYPE, n->invitation, &inv)) != 0)
			return rc;
		const char *state = vocd_json_str(inv, "state");
		int answered = state && strcmp(state, "answered") == 0;
		if (answered && !n->correction) {
			rc = VOCD_EEXIST;
			goto out;
		}
		if (n->correction && !answered) {
			rc = unproc(n, VOCD_EINVAL, "invitation", "not answered yet: there is nothing to correct");
			goto out;
		}
		if (n->correction && !vocd_evaluation_correctable(n->conf, inv, now)) {
			rc = VOCD_EGONE;
			goto out;
		}
		if (n->correction && vocd_json_str(inv, "evaluation")) {
			snprintf(previous, sizeof previous, "%s", vocd_json_str(inv, "evaluation"));
			if ((rc = vocd_record_get(txn, n->tenant, VOCD_EVALUATION_TYPE, previous, &prev)) != 0)
				goto out;
			version = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(prev, "version")) + 1;
		}
		if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at")) <= (double)now) {
			rc = VOCD_EGONE;
			goto out;
		}
		customer = vocd_json_str(inv, "customer");
		context = cJSON_GetObjectItemCaseSensitive(inv, "context");
		if (vocd_json_str(inv, "consent"))
			snprintf(consent, sizeof consent, "%s", vocd_json_str(inv, "consent"));
	}
	/* A consent given before the customer withdrew it is no consent. */
	if (consent[0] && !consent_still_valid(txn, n->tenant, customer, consent))
		consent[0] = '\0';
	if (!consent[0] && n->consent && (rc = consent_from_body(txn, n, customer, consent)) != 0)
		goto out;
	char tier[33];
	int personal = customer_facts(txn, n->tenant, customer, tier);
	if (!consent[0] && personal) {
		rc = unproc(n, VOCD_EUNPROC, "consent", "required: the customer's personal data is on record, and an "
		            "evaluation is kept only with their consent");
		goto out;
	}

	const char *service_type = inv ? vocd_json_str(inv, "service_type") : vocd_json_str(context, "type");
	const struct vocd_survey *sv = vocd_surveys_pick(&n->conf->surveys, service_type);
	if ((rc = vocd_survey_check_answer(sv, n->answer, n->field, sizeof n->field, n->message, sizeof n->message)) != 0)
		goto out;

	if ((rc = vocd_seq_id(txn, n->tenant, VOCD_EVALUATION_TYPE, n->id)) != 0)
		goto out;
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", n->id);
	cJSON_AddNumberToObject(rec, "version", version);
	if (previous[0])
		cJSON_AddStringToObject(rec, "previous", previous);
	if (n->invitation)
		cJSON_AddStringToObject(rec, "invitation", n->invitation);
	if (inv && vocd_json_str(inv, "ticket")) /* a revisit: the answer belongs to that ticket's loop */
		cJSON_AddStringToObject(rec, "ticket", vocd_json_str(inv, "ticket"));
	if (customer)
		cJSON_AddStringToObject(rec, "customer", customer);
	if (tier[0])
		cJSON_AddStringToObject(rec, "customer_tier", tier);
	if (service_type)
		cJSON_AddStringToObject(rec, "service_type", service_type);
	/* References, not copies: the record is printed before the request's and the invitation's trees
	 * are freed, and a reference is not freed with the record. */
	if (context)
		cJSON_AddItemReferenceToObject(rec, "context", (cJSON *)context);
	else
		cJSON_AddObjectToObject(rec, "context");
	cJSON *above = vocd_org_above(&n->conf->org, context);
	if (above)
		cJSON_AddItemToObject(rec, "org", above);
	for (const char *const *k = (const char *const[]){"scores", "dimensions", "tags", "text", NULL}; *k; k++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(n->answer, *k);
		if (v)
			cJSON_AddItemReferenceToObject(rec, *k, v);
	}
	const char *channel = n->channel ? n->channel : inv ? vocd_json_str(inv, "channel") : "api";
	cJSON_AddStringToObject(rec, "channel", channel ? channel : "api");
	if (n->lang)
		cJSON_AddStringToObject(rec, "lang", n->lang);
	if (consent[0])
		cJSON_AddStringToObject(rec, "consent", consent);
	cJSON *source = cJSON_AddObjectToObject(rec, "source");
	if (n->who.source.ip)
		cJSON_AddStringToObject(source, "ip", n->who.source.ip);
	if (n->who.source.user_agent)
		cJSON_AddStringToObject(source, "user_agent", n->who.source.user_agent);
	if (n->who.source.token)
		cJSON_AddStringToObject(source, "token", n->who.source.token);
	if (n->seconds_to_submit >= 0)
		cJSON_AddNumberToObject(source, "seconds_to_submit", (double)n->seconds_to_submit);
	cJSON_AddNumberToObject(rec, "created_at", (double)now);
	/* The signals are part of the record: stored, audited and announced with the answer. */
	/* A channel's callback (the core itself as the actor) comes from the gateway's address. */
	unsigned relayed = n->who.actor.kind == VOCD_AUDIT_ACTOR_SYSTEM ? VOCD_AUTH_RELAYED : 0;
	if ((rc = vocd_authenticity_assess(txn, n->tenant, n->conf, sv, rec, now, relayed)) != 0)
		goto out;

	struct vocd_index_value idx[1];
	size_t nidx = 0;
	if (n->invitation)
		idx[nidx++] = (struct vocd_index_value){"by_invitation", n->invitation, strlen(n->invitation) + 1};
	char *text = NULL;
	if ((rc = vocd_record_put(txn, n->tenant, VOCD_EVALUATION_TYPE, n->id, rec, idx, nidx,
	                          previous[0] ? "evaluation.correct" : "evaluation.create", &n->who, &text)) != 0)
		goto out;
	rc = vocd_bus_publish(txn, n->tenant, previous[0] ? "evaluation.corrected" : "evaluation.created", text,
	                      strlen(text));
	free(text);
	/* The period figures: this answer counted, the version it corrects taken out. */
	if (rc == 0)
		rc = vocd_rollup_count(txn, n->tenant, &n->conf->calendar.cal, rec, +1);
	if (rc == 0 && prev)
		rc = vocd_rollup_count(txn, n->tenant, &n->conf->calendar.cal, prev, -1);
	/* ... and the same for the figures of suspect answers, which any figure can be given without. */
	if (rc == 0)
		rc = vocd_review_enqueue(txn, n->tenant, &n->conf->calendar.cal, rec);
	if (rc == 0 && prev && vocd_review_counted_suspect(txn, n->tenant, prev))
		rc = vocd_rollup_count_suspect(txn, n->tenant, &n->conf->calendar.cal, prev, -1);
	if (rc == 0 && previous[0]) {
		/* The previous version stays as it was; a record of its own says it was superseded, and by what. */
		cJSON *sup = cJSON_CreateObject();
		cJSON_AddStringToObject(sup, "by", n->id);
		cJSON_AddNumberToObject(sup, "at", (double)now);
		rc = vocd_record_put(txn, n->tenant, VOCD_SUPERSEDED_TYPE, previous, sup, NULL, 0, "evaluation.supersede",
		                     &n->who, NULL);
		cJSON_Delete(sup);
	}
	if (rc != 0 || !inv)
		goto out;

	vocd_json_set_str(inv, "state", "answered");
	if (!previous[0]) { /* the correction window runs from the first answer; so does the response rate */
		vocd_json_set_num(inv, "answered_at", (double)now);
		if ((rc = vocd_rollup_count_invitation(txn, n->tenant, &n->conf->calendar.cal, inv, 1)) != 0)
			goto out;
	}
	vocd_json_set_str(inv, "evaluation", n->id);
	rc = vocd_invitation_put(txn, n->tenant, inv, "invitation.answer", &n->who, NULL);
	if (rc == 0) { /* answered: no reminder */
		char timer[40];
		vocd_invitation_reminder_key(n->invitation, timer);
		int c = vocd_bus_timer_cancel(txn, n->tenant, timer);
		rc = c == VOCD_ENOTFOUND ? 0 : c;
	}
out:
	cJSON_Delete(rec);
	cJSON_Delete(prev);
	cJSON_Delete(inv);
	return rc;
}

int vocd_evaluation_correctable(const struct vocd_tenant_conf *t, const cJSON *inv, int64_t now_ms)
{
	double answered = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "answered_at"));
	double expires = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at"));
	return t->invitations.correction_hours > 0 && answered > 0 && (double)now_ms < expires &&
	       (double)now_ms < answered + (double)t->invitations.correction_hours * 3600000;
}

int vocd_evaluation_create(vocd_store *st, struct vocd_evaluation_new *n)
{
	n->field[0] = n->message[0] = '\0';
	return vocd_store_write(st, create_job, n);
}

int vocd_evaluation_superseded(vocd_txn *txn, const char *tenant, const char *id)
{
	const void *data;
	size_t len;
	return id && vocd_rec_get(txn, tenant, VOCD_SUPERSEDED_TYPE, id, &data, &len) == 0;
}

int vocd_evaluation_get(vocd_store *st, const char *tenant, const char *id, cJSON **out)
{
	return vocd_record_read(st, tenant, VOCD_EVALUATION_TYPE, id, out);
}

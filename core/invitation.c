/* Invitations, customers and consent records, each change one durable write with its audit entry. */
#include "invitation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "ids.h"
#include "json_text.h"
#include "privacy.h"
#include "rollup.h"
#include "validate.h"

static const char *const body_keys[] = {"customer", "context", "channel", "lang", NULL};
static const char *const customer_keys[] = {"external_id", "tier", "name", "phone", "email", "referred_by", NULL};
static const char *const personal_fields[] = {"name", "phone", "email", NULL};

int vocd_customer_check(const cJSON *customer, struct vocd_field_error *e)
{
	if (!cJSON_IsObject(customer)) {
		e->status = 422;
		e->code = "invalid_field";
		snprintf(e->message, sizeof e->message, "customer: required: an object with at least external_id");
		return -1;
	}
	if (vocd_check_known(customer, "customer", customer_keys, e) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(customer, "external_id"), "customer.external_id", 128, 1,
	                      e) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(customer, "tier"), "customer.tier", 32, 0, e) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(customer, "referred_by"), "customer.referred_by", 128, 0,
	                      e) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(customer, "name"), "customer.name", 256, 0, e) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(customer, "phone"), "customer.phone", 40, 0, e) != 0 ||
	    vocd_check_string(cJSON_GetObjectItemCaseSensitive(customer, "email"), "customer.email", 254, 0, e) != 0)
		return -1;
	e->status = 422;
	e->code = "invalid_field";
	if (!vocd_external_id_valid(cJSON_GetObjectItemCaseSensitive(customer, "external_id")->valuestring)) {
		snprintf(e->message, sizeof e->message,
		         "customer.external_id: expected your own customer id (letters, digits and _ . : -), not a phone number or email");
		return -1;
	}
	const cJSON *referred_by = cJSON_GetObjectItemCaseSensitive(customer, "referred_by");
	if (referred_by && !vocd_external_id_valid(referred_by->valuestring)) {
		snprintf(e->message, sizeof e->message,
		         "customer.referred_by: expected the referring customer's id (letters, digits and _ . : -)");
		return -1;
	}
	/* Personal data is checked now, so that a bad phone is a clear 422 and never half-stored. */
	for (const char *const *f = personal_fields; *f; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(customer, *f);
		char *norm = NULL;
		int rc = 0;
		if (!v)
			continue;
		if (strcmp(*f, "phone") == 0)
			rc = vocd_pii_normalize_phone(v->valuestring, &norm);
		else if (strcmp(*f, "email") == 0)
			rc = vocd_pii_normalize_email(v->valuestring, &norm);
		else
			rc = vocd_pii_normalize_name(v->valuestring, &norm);
		vocd_pii_free(norm);
		if (rc != 0) {
			snprintf(e->message, sizeof e->message, "customer.%s: not a valid %s", *f,
			         strcmp(*f, "phone") == 0 ? "phone number (e.g. 13812345678 or +44 20 7946 0958)"
			         : strcmp(*f, "email") == 0 ? "email address" : "name");
			return -1;
		}
	}
	return 0;
}

int vocd_invitation_check(const cJSON *body, struct vocd_field_error *e)
{
	const cJSON *channel = cJSON_GetObjectItemCaseSensitive(body, "channel");
	const cJSON *lang = cJSON_GetObjectItemCaseSensitive(body, "lang");
	if (vocd_check_known(body, "", body_keys, e) != 0 ||
	    vocd_customer_check(cJSON_GetObjectItemCaseSensitive(body, "customer"), e) != 0)
		return -1;
	if (vocd_check_string_object(cJSON_GetObjectItemCaseSensitive(body, "context"), "context", vocd_context_keys, 1, e) != 0 ||
	    vocd_check_string(channel, "channel", 32, 0, e) != 0 || vocd_check_string(lang, "lang", 8, 0, e) != 0)
		return -1;
	if (lang && strcmp(lang->valuestring, "zh-CN") != 0 && strcmp(lang->valuestring, "en") != 0) {
		e->status = 422;
		e->code = "invalid_field";
		snprintf(e->message, sizeof e->message, "lang: expected \"zh-CN\" or \"en\"");
		return -1;
	}
	return 0;
}

/* ---- Records ------------------------------------------------------------------------------------- */

/* Creates or updates the customer: tier in clear, personal data sealed, blind indexes for look-ups. */
int vocd_customer_upsert_in(vocd_txn *txn, const char *tenant, vocd_pii *pii, const cJSON *customer,
                            const struct vocd_actor *who)
{
	int64_t now = vocd_now_ms();
	const char *cid = cJSON_GetObjectItemCaseSensitive(customer, "external_id")->valuestring;
	cJSON *rec = NULL;
	int rc = vocd_record_get(txn, tenant, VOCD_CUSTOMER_TYPE, cid, &rec);
	if (rc == VOCD_ENOTFOUND) {
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "external_id", cid);
		cJSON_AddNumberToObject(rec, "created_at", (double)now);
		rc = 0;
	}
	if (rc != 0)
		return rc;
	const char *tier = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(customer, "tier"));
	if (tier)
		vocd_json_set_str(rec, "tier", tier);
	/* Who brought this customer (for a referral reward): the first invitation that names someone says so,
	 * for good. */
	const char *referred_by = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(customer, "referred_by"));
	if (referred_by && !vocd_json_str(rec, "referred_by") && strcmp(referred_by, cid) != 0)
		vocd_json_set_str(rec, "referred_by", referred_by);
	struct vocd_index_value idx[2];
	char bi[2][65];
	size_t nidx = 0;
	for (const char *const *f = personal_fields; rc == 0 && *f; f++) {
		const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(customer, *f));
		char *sealed = NULL, *norm = NULL;
		if (!value)
			continue;
		if (strcmp(*f, "name") == 0)
			rc = vocd_pii_normalize_name(value, &norm);
		else
			rc = strcmp(*f, "phone") == 0 ? vocd_pii_normalize_phone(value, &norm)
			                              : vocd_pii_normalize_email(value, &norm);
		/* Phones are kept as "+<E.164 digits>", a form that normalises to itself when read back. */
		char plus[48];
		if (rc == 0 && strcmp(*f, "phone") == 0)
			snprintf(plus, sizeof plus, "+%s", norm);
		if (rc == 0)
			rc = vocd_pii_seal(pii, txn, tenant, cid, *f, strcmp(*f, "phone") == 0 ? plus : norm, &sealed);
		if (rc == 0 && strcmp(*f, "name") != 0 &&
		    (rc = vocd_pii_blind_index(pii, tenant, *f, norm, bi[nidx])) == 0) {
			idx[nidx] = (struct vocd_index_value){strcmp(*f, "phone") == 0 ? "by_phone" : "by_email", bi[nidx], 64};
			nidx++;
		}
		if (rc == 0)
			vocd_json_set_str(rec, *f, sealed);
		free(sealed);
		vocd_pii_free(norm);
	}
	/* Keep the indexes of personal data given earlier and not repeated now. */
	for (const char *const *f = personal_fields + 1; rc == 0 && *f; f++) {
		const char *field = *f;
		int given = cJSON_GetObjectItemCaseSensitive(customer, field) != NULL;
		const char *kept = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, field));
		if (given || !kept)
			continue;
		char *plain = NULL, *norm = NULL;
		if ((rc = vocd_pii_open_field(pii, txn, tenant, cid, field, kept, &plain)) == 0 &&
		    (rc = strcmp(field, "phone") == 0 ? vocd_pii_normalize_phone(plain, &norm)
		                                      : vocd_pii_normalize_email(plain, &norm)) == 0 &&
		    (rc = vocd_pii_blind_index(pii, tenant, field, norm, bi[nidx])) == 0) {
			idx[nidx] = (struct vocd_index_value){strcmp(field, "phone") == 0 ? "by_phone" : "by_email", bi[nidx], 64};
			nidx++;
		}
		vocd_pii_free(plain);
		vocd_pii_free(norm);
	}
	if (rc == 0) {
		vocd_json_set_num(rec, "updated_at", (double)now);
		rc = vocd_record_put(txn, tenant, VOCD_CUSTOMER_TYPE, cid, rec, idx, nidx, "customer.update", who, NULL);
	}
	cJSON_Delete(rec);
	return rc;
}

void vocd_invitation_reminder_key(const char *id, char out[40])
{
	snprintf(out, 40, "remind:%s", id);
}

size_t vocd_invitation_index_key(const char *customer, int64_t created, unsigned char out[140])
{
	size_t n = strlen(customer) + 1;
	memcpy(out, customer, n);
	for (int i = 0; i < 8; i++)
		out[n + (size_t)i] = (unsigned char)((uint64_t)created >> (56 - 8 * i));
	return n + 8;
}

int vocd_invitation_put(vocd_txn *txn, const char *tenant, const cJSON *inv, const char *action,
                        const struct vocd_actor *who, char **text_out)
{
	const char *customer = vocd_json_str(inv, "customer");
	if (!customer || strlen(customer) > 128)
		return VOCD_EINVAL;
	unsigned char key[140];
	int64_t created = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "created_at"));
	struct vocd_index_value idx = {"by_customer", key, vocd_invitation_index_key(customer, created, key)};
	return vocd_record_put(txn, tenant, VOCD_INVITATION_TYPE, vocd_json_str(inv, "id"), inv, &idx, 1, action, who,
	                       text_out);
}

int vocd_invitation_lapsed(const cJSON *inv, int64_t at_ms)
{
	const char *state = vocd_json_str(inv, "state");
	if (!state || strcmp(state, "answered") == 0)
		return 0;
	return strcmp(state, "expired") == 0 ||
	       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inv, "expires_at")) <= (double)at_ms;
}

struct latest {
	int64_t created;
};

static int note_latest(const char *id, const void *data, size_t len, void *arg)
{
	struct latest *l = arg;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	if (rec) {
		double c = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created_at"));
		if ((int64_t)c > l->created)
			l->created = (int64_t)c;
		cJSON_Delete(rec);
	}
	return 0;
}

static int create_job(vocd_txn *txn, void *arg)
{
	return vocd_invitation_create_in(txn, arg);
}

int vocd_invitation_create_in(vocd_txn *txn, struct vocd_invitation_new *n)
{
	const char *cid = cJSON_GetObjectItemCaseSensitive(n->customer, "external_id")->valuestring;
	int64_t now = vocd_now_ms();
	n->retry_after_ms = 0;

	if (n->conf->invitations.min_days_between > 0 && !n->skip_spacing) {
		struct latest l = {0};
		int rc = vocd_index_scan(txn, n->tenant, VOCD_INVITATION_TYPE, "by_customer", cid, strlen(cid) + 1,
		                         note_latest, &l);
		if (rc < 0)
			return rc;
		int64_t next = l.created + (int64_t)n->conf->invitations.min_days_between * 86400000;
		if (l.created && next > now) {
			n->retry_after_ms = next;
			return VOCD_ERATE;
		}
	}
	int rc = vocd_customer_upsert_in(txn, n->tenant, n->pii, n->customer, &n->who);
	if (rc != 0)
		return rc;

	if ((rc = vocd_random_id(n->id)) != 0)
		return rc;
	n->expires_ms = now + (n->conf->invitations.expires_after_ms > 0 ? n->conf->invitations.expires_after_ms
	                                                                  : (int64_t)n->conf->invitations.expires_days * 86400000);
	if ((rc = vocd_invitation_url(n->conf, n->base_url, n->key, n->id, n->expires_ms, n->url, sizeof n->url)) != 0)
		return rc;
	snprintf(n->token, sizeof n->token, "%s", strrchr(n->url, '/') + 1);

	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n->context, "type"));
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", n->id);
	cJSON_AddStringToObject(rec, "customer", cid);
	if (type)
		cJSON_AddStringToObject(rec, "service_type", type);
	cJSON_AddItemToObject(rec, "context", n->context ? cJSON_Duplicate(n->context, 1) : cJSON_CreateObject());
	cJSON *above = vocd_org_above(&n->conf->org, n->context);
	if (above) /* the response rate of a unit counts its subtree's invitations */
		cJSON_AddItemToObject(rec, "org", above);
	cJSON_AddStringToObject(rec, "channel", n->channel);
	cJSON_AddStringToObject(rec, "lang", n->lang);
	cJSON_AddStringToObject(rec, "state", "sent");
	cJSON_AddNumberToObject(rec, "created_at", (double)now);
	cJSON_AddNumberToObject(rec, "expires_at", (double)n->expires_ms);
	if (n->ticket)
		cJSON_AddStringToObject(rec, "ticket", n->ticket);
	rc = vocd_invitation_put(txn, n->tenant, rec, "invitation.create", &n->who, NULL);
	if (rc == 0) /* sent: the response rate's denominator */
		rc = vocd_rollup_count_invitation(txn, n->tenant, &n->conf->calendar.cal, rec, 0);
	cJSON_Delete(rec);
	if (rc != 0)
		return rc;

	/* The event channel plugins send: everything they need to deliver the link, no personal data (they
	 * ask the core for the contact they may use). */
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "id", n->id);
	cJSON_AddStringToObject(ev, "customer", cid);
	cJSON_AddStringToObject(ev, "channel", n->channel);
	cJSON_AddStringToObject(ev, "lang", n->lang);
	cJSON_AddStringToObject(ev, "url", n->url);
	cJSON_AddNumberToObject(ev, "expires_at", (double)n->expires_ms);
	char *text = vocd_json_print(ev, NULL);
	cJSON_Delete(ev);
	if (!text)
		return VOCD_ENOMEM;
	rc = vocd_bus_publish(txn, n->tenant, "invitation.created", text, strlen(text));
	free(text);
	/* When the link expires unanswered, the rules hear of it (three unanswered in a row...). */
	if (rc == 0) {
		char timer[40], data[64];
		snprintf(timer, sizeof timer, "expire:%s", n->id);
		int len = snprintf(data, sizeof data, "{\"id\":\"%s\"}", n->id);
		rc = vocd_bus_timer_set(txn, n->tenant, timer, VOCD_EXPIRE_DUE, data, (size_t)len, n->expires_ms);
	}
	if (rc == 0 && n->conf->invitations.remind_after_ms > 0 &&
	    now + n->conf->invitations.remind_after_ms < n->expires_ms) {
		char timer[40], data[64];
		vocd_invitation_reminder_key(n->id, timer);
		int len = snprintf(data, sizeof data, "{\"id\":\"%s\"}", n->id);
		rc = vocd_bus_timer_set(txn, n->tenant, timer, VOCD_REMINDER_DUE, data, (size_t)len,
		                        now + n->conf->invitations.remind_after_ms);
	}
	return rc;
}

int vocd_invitation_create(vocd_store *st, struct vocd_invitation_new *n)
{
	return vocd_store_write(st, create_job, n);
}

int vocd_invitation_get(vocd_store *st, const char *tenant, const char *id, cJSON **out)
{
	return vocd_record_read(st, tenant, VOCD_INVITATION_TYPE, id, out);
}

/* ---- State changes ---------------------------------------------------------------------------------- */

struct state_job {
	const char *tenant, *id;
	const struct vocd_actor *who;
	const char *notice_version;
	char consent_id[24];
};

static int open_job(vocd_txn *txn, void *arg)
{
	struct state_job *j = arg;
	cJSON *rec;
	int rc = vocd_record_get(txn, j->tenant, VOCD_INVITATION_TYPE, j->id, &rec);
	if (rc != 0)
		return rc;
	if (strcmp(vocd_json_str(rec, "state"), "sent") == 0) {
		vocd_json_set_str(rec, "state", "opened");
		vocd_json_set_num(rec, "opened_at", (double)vocd_now_ms());
		rc = vocd_invitation_put(txn, j->tenant, rec, "invitation.open", j->who, NULL);
	}
	cJSON_Delete(rec);
	return rc;
}

int vocd_invitation_opened(vocd_store *st, const char *tenant, const char *id, const struct vocd_actor *who)
{
	struct state_job j = {tenant, id, who, NULL, ""};
	return vocd_store_write(st, open_job, &j);
}

static int consent_job(vocd_txn *txn, void *arg)
{
	struct state_job *j = arg;
	cJSON *inv;
	int rc = vocd_record_get(txn, j->tenant, VOCD_INVITATION_TYPE, j->id, &inv);
	if (rc != 0)
		return rc;
	if (strcmp(vocd_json_str(inv, "state"), "answered") == 0) {
		cJSON_Delete(inv);
		return VOCD_EEXIST;
	}
	/* Agreeing twice (a second tab, the back button) keeps the first consent, unless the customer withdrew
	 * consent since. */
	cJSON *cust = NULL;
	double withdrawn = 0;
	if (vocd_record_get(txn, j->tenant, VOCD_CUSTOMER_TYPE, vocd_json_str(inv, "customer"), &cust) == 0)
		withdrawn = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cust, "consent_withdrawn_at"));
	cJSON_Delete(cust);
	if (vocd_json_str(inv, "consent") && !(withdrawn > 0)) {
		snprintf(j->consent_id, sizeof j->consent_id, "%s", vocd_json_str(inv, "consent"));
		cJSON_Delete(inv);
		return 0;
	}
	if ((rc = vocd_seq_id(txn, j->tenant, VOCD_CONSENT_TYPE, j->consent_id)) != 0) {
		cJSON_Delete(inv);
		return rc;
	}
	const char *cid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "customer"));
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", j->consent_id);
	cJSON_AddStringToObject(c, "customer", cid);
	cJSON_AddStringToObject(c, "invitation", j->id);
	cJSON_AddStringToObject(c, "notice_version", j->notice_version);
	cJSON_AddStringToObject(c, "purpose", "service_evaluation");
	cJSON_AddStringToObject(c, "channel", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inv, "channel")));
	if (j->who->source.ip)
		cJSON_AddStringToObject(c, "ip", j->who->source.ip);
	cJSON_AddNumberToObject(c, "time", (double)vocd_now_ms());
	/* The value includes the NUL, so that customer "c-1" does not find "c-10"'s consents. */
	struct vocd_index_value cidx = {"by_customer", cid, strlen(cid) + 1};
	rc = vocd_record_put(txn, j->tenant, VOCD_CONSENT_TYPE, j->consent_id, c, &cidx, 1, "consent.give", j->who, NULL);
	cJSON_Delete(c);
	if (rc == 0) {
		vocd_json_set_str(inv, "consent", j->consent_id);
		rc = vocd_invitation_put(txn, j->tenant, inv, "invitation.consent", j->who, NULL);
	}
	cJSON_Delete(inv);
	return rc;
}

int vocd_invitation_consent(vocd_store *st, const char *tenant, const char *id, const char *notice_version,
                            const struct vocd_actor *who, char consent_id[24])
{
	struct state_job j = {tenant, id, who, notice_version, ""};
	int rc = vocd_store_write(st, consent_job, &j);
	if (rc == 0)
		memcpy(consent_id, j.consent_id, sizeof j.consent_id);
	return rc;
}

struct open_search {
	const char *channel, *alt_channel;
	int64_t now;
	int64_t best_created;
	char best[17];
	int best_open;
	char customer[129];
};

static int note_customer(const char *id, const void *data, size_t len, void *arg)
{
	snprintf(arg, 129, "%s", id);
	return 1;
}

/* The newest invitation reached through the channel, open or not: a reply answers that one or nothing. */
static int note_open(const char *id, const void *data, size_t len, void *arg)
{
	struct open_search *s = arg;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	if (!rec)
		return 0;
	const char *state = vocd_json_str(rec, "state"), *channel = vocd_json_str(rec, "channel");
	int64_t created = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created_at"));
	int64_t expires = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "expires_at"));
	int reached = channel && (strcmp(s->channel, "*") == 0 || strcmp(channel, s->channel) == 0 ||
	                          (s->alt_channel && strcmp(s->channel, s->alt_channel) == 0));
	if (reached && created > s->best_created) {
		s->best_created = created;
		s->best_open = state && strcmp(state, "answered") != 0 && expires > s->now;
		snprintf(s->best, sizeof s->best, "%s", id);
	}
	cJSON_Delete(rec);
	return 0;
}

int vocd_invitation_find_open(vocd_store *st, vocd_pii *pii, const char *tenant, const char *phone,
                              const char *channel, const char *remind_channel, char id[17])
{
	char *norm = NULL, bi[65];
	int rc = vocd_pii_normalize_phone(phone, &norm);
	if (rc == 0)
		rc = vocd_pii_blind_index(pii, tenant, "phone", norm, bi);
	vocd_pii_free(norm);
	if (rc != 0)
		return rc;
	vocd_txn *txn;
	if ((rc = vocd_store_read(st, &txn)) != 0)
		return rc;
	struct open_search s = {channel, remind_channel, vocd_now_ms(), -1, "", 0, ""};
	rc = vocd_index_scan(txn, tenant, VOCD_CUSTOMER_TYPE, "by_phone", bi, 64, note_customer, s.customer);
	if (rc >= 0 && s.customer[0])
		rc = vocd_index_scan(txn, tenant, VOCD_INVITATION_TYPE, "by_customer", s.customer, strlen(s.customer) + 1,
		                     note_open, &s);
	vocd_txn_end(txn);
	if (rc < 0)
		return rc;
	if (!s.best[0] || !s.best_open)
		return VOCD_ENOTFOUND;
	memcpy(id, s.best, 17);
	return 0;
}

struct withdraw_job {
	const char *tenant, *customer, *channel;
	const struct vocd_actor *who;
};

static int withdraw_job(vocd_txn *txn, void *arg)
{
	struct withdraw_job *j = arg;
	cJSON *rec;
	int rc = vocd_record_get(txn, j->tenant, VOCD_CUSTOMER_TYPE, j->customer, &rec);
	if (rc != 0)
		return rc;
	int had = 0;
	rc = vocd_customer_anonymise_in(txn, j->tenant, j->customer, rec, &had);
	int64_t now = vocd_now_ms();
	if (rc == 0) {
		vocd_json_set_num(rec, "consent_withdrawn_at", (double)now);
		/* Stored without index entries: the blind indexes of the phone and email go with them. */
		rc = vocd_record_put(txn, j->tenant, VOCD_CUSTOMER_TYPE, j->customer, rec, NULL, 0, "customer.withdraw",
		                     j->who, NULL);
	}
	cJSON_Delete(rec);
	char id[24];
	if (rc == 0 && (rc = vocd_seq_id(txn, j->tenant, VOCD_CONSENT_TYPE, id)) == 0) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", id);
		cJSON_AddStringToObject(c, "customer", j->customer);
		cJSON_AddStringToObject(c, "action", "withdraw");
		cJSON_AddStringToObject(c, "channel", j->channel);
		cJSON_AddNumberToObject(c, "time", (double)now);
		struct vocd_index_value idx = {"by_customer", j->customer, strlen(j->customer) + 1};
		rc = vocd_record_put(txn, j->tenant, VOCD_CONSENT_TYPE, id, c, &idx, 1, "consent.withdraw", j->who, NULL);
		cJSON_Delete(c);
	}
	return rc;
}

int vocd_customer_withdraw(vocd_store *st, const char *tenant, const char *customer, const char *channel,
                           const struct vocd_actor *who)
{
	struct withdraw_job j = {tenant, customer, channel, who};
	return vocd_store_write(st, withdraw_job, &j);
}

int vocd_customer_masked(vocd_store *st, vocd_pii *pii, const char *tenant, const char *customer, cJSON **out)
{
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	cJSON *rec = NULL;
	rc = vocd_record_get(txn, tenant, VOCD_CUSTOMER_TYPE, customer, &rec);
	if (rc == 0) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "external_id", customer);
		const char *tier = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "tier"));
		if (tier)
			cJSON_AddStringToObject(m, "tier", tier);
		if (cJSON_GetObjectItemCaseSensitive(rec, "consent_withdrawn_at"))
			cJSON_AddBoolToObject(m, "consent_withdrawn", 1);
		if (cJSON_GetObjectItemCaseSensitive(rec, "erased_at"))
			cJSON_AddBoolToObject(m, "erased", 1);
		for (const char *const *f = personal_fields; *f; f++) {
			const char *sealed = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, *f));
			char *plain = NULL, *masked = NULL;
			if (!sealed)
				continue;
			/* A forgotten customer's data no longer opens: shown as erased, never as an error. */
			if (vocd_pii_open_field(pii, txn, tenant, customer, *f, sealed, &plain) == 0 &&
			    vocd_pii_mask(*f, plain, &masked) == 0)
				cJSON_AddStringToObject(m, *f, masked);
			else
				cJSON_AddStringToObject(m, *f, "(erased)");
			vocd_pii_free(plain);
			vocd_pii_free(masked);
		}
		*out = m;
		cJSON_Delete(rec);
	}
	vocd_txn_end(txn);
	return rc == VOCD_EINVAL ? VOCD_ENOTFOUND : rc;
}

int vocd_signed_link(const struct vocd_tenant_conf *t, const char *server_url, const unsigned char key[32],
                     const char *kind, const char *id, int64_t expires_ms, char *out, size_t outlen)
{
	struct vocd_invite_claims c;
	memset(&c, 0, sizeof c);
	if (snprintf(c.tenant, sizeof c.tenant, "%s", t->id) >= (int)sizeof c.tenant ||
	    snprintf(c.invitation, sizeof c.invitation, "%s", id) >= (int)sizeof c.invitation)
		return VOCD_EINVAL;
	c.expires_ms = expires_ms;
	char token[VOCD_INVITE_TOKEN_MAX];
	int rc = vocd_invite_token_make(key, &c, token);
	if (rc != 0)
		return rc;
	const char *base = t->invitations.base_url ? t->invitations.base_url : server_url;
	int n = snprintf(out, outlen, "%s/%s/%s", base, kind, token);
	return n < 0 || (size_t)n >= outlen ? VOCD_EINVAL : 0;
}

int vocd_invitation_url(const struct vocd_tenant_conf *t, const char *server_url, const unsigned char key[32],
                        const char *id, int64_t expires_ms, char *out, size_t outlen)
{
	return vocd_signed_link(t, server_url, key, "s", id, expires_ms, out, outlen);
}

/* A customer's privacy rights: anonymising, the unmasked customer, their consents and the export. */
#include "privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "error.h"
#include "evaluation.h"
#include "ids.h"
#include "invitation.h"
#include "ticket.h"


static const char *const personal_fields[] = {"name", "phone", "email", NULL};

int vocd_customer_has_personal_data(const cJSON *rec)
{
	for (const char *const *f = personal_fields; *f; f++)
		if (vocd_json_str(rec, *f))
			return 1;
	return 0;
}

/* ---- Anonymising ------------------------------------------------------------------------------------ */

struct id_list {
	char (*id)[17];
	size_t n, cap;
};

static int collect_id(const char *id, const void *data, size_t len, void *arg)
{
	(void)data, (void)len;
	struct id_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *grown = realloc(l->id, cap * sizeof *l->id);
		if (!grown)
			return VOCD_ENOMEM;
		l->id = grown;
		l->cap = cap;
	}
	snprintf(l->id[l->n++], sizeof l->id[0], "%s", id);
	return 0;
}

int vocd_customer_anonymise_in(vocd_txn *txn, const char *tenant, const char *customer, cJSON *rec, int *had_data)
{
	*had_data = vocd_customer_has_personal_data(rec);
	int rc = vocd_pii_forget(txn, tenant, customer);
	if (rc == 0)
		*had_data = 1;
	else if (rc == VOCD_ENOTFOUND) /* never had personal data, or forgotten before */
		rc = 0;
	for (const char *const *f = personal_fields; rc == 0 && *f; f++)
		vocd_json_set_str(rec, *f, NULL);
	/* No more reminders to someone whose contact details are gone. */
	struct id_list ids = {0};
	if (rc == 0)
		rc = vocd_index_scan(txn, tenant, VOCD_INVITATION_TYPE, "by_customer", customer, strlen(customer) + 1,
		                     collect_id, &ids);
	rc = rc < 0 ? rc : 0;
	for (size_t i = 0; rc == 0 && i < ids.n; i++) {
		char timer[40];
		vocd_invitation_reminder_key(ids.id[i], timer);
		int c = vocd_bus_timer_cancel(txn, tenant, timer);
		rc = c == VOCD_ENOTFOUND ? 0 : c;
	}
	free(ids.id);
	return rc;
}

struct erase_job {
	const char *tenant, *customer, *reason;
	const struct vocd_actor *who;
	int already;
};

int vocd_customer_erase_in(vocd_txn *txn, const char *tenant, const char *customer, cJSON *rec, const char *reason,
                           const struct vocd_actor *who, int *already)
{
	int had = 0;
	*already = 0;
	int rc = vocd_customer_anonymise_in(txn, tenant, customer, rec, &had);
	if (rc == 0 && !had && cJSON_GetObjectItemCaseSensitive(rec, "erased_at")) {
		*already = 1; /* nothing to do: the first erasure's record and audit entry stand */
		return 0;
	}
	if (rc == 0) {
		vocd_json_set_num(rec, "erased_at", (double)vocd_now_ms());
		vocd_json_set_str(rec, "erase_reason", reason);
		/* Stored without index entries: the blind indexes of the phone and email go with them. */
		rc = vocd_record_put(txn, tenant, VOCD_CUSTOMER_TYPE, customer, rec, NULL, 0, "customer.erase", who, NULL);
	}
	return rc;
}

static int erase_job(vocd_txn *txn, void *arg)
{
	struct erase_job *j = arg;
	cJSON *rec;
	int rc = vocd_record_get(txn, j->tenant, VOCD_CUSTOMER_TYPE, j->customer, &rec);
	if (rc != 0)
		return rc;
	rc = vocd_customer_erase_in(txn, j->tenant, j->customer, rec, j->reason, j->who, &j->already);
	cJSON_Delete(rec);
	return rc;
}

int vocd_customer_erase(vocd_store *st, const char *tenant, const char *customer, const char *reason,
                        const struct vocd_actor *who, int *already)
{
	*already = 0;
	if (!reason || !*reason || strlen(reason) > VOCD_PRIVACY_REASON_MAX)
		return VOCD_EINVAL;
	struct erase_job j = {tenant, customer, reason, who, 0};
	int rc = vocd_store_write(st, erase_job, &j);
	*already = j.already;
	return rc;
}

/* ---- Reading ---------------------------------------------------------------------------------------- */

static const char *const clear_members[] = {"tier", "created_at", "updated_at", "consent_withdrawn_at", "erased_at",
                                            "erase_reason", NULL};

/* The customer record \p rec with its sealed fields opened; those that no longer open are left out. */
static cJSON *unmasked(vocd_txn *txn, vocd_pii *pii, const char *tenant, const char *customer, const cJSON *rec,
                       int *nfields)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "external_id", customer);
	*nfields = 0;
	for (const char *const *f = personal_fields; *f; f++) {
		const char *sealed = vocd_json_str(rec, *f);
		char *plain = NULL;
		if (sealed && vocd_pii_open_field(pii, txn, tenant, customer, *f, sealed, &plain) == 0) {
			cJSON_AddStringToObject(c, *f, plain);
			(*nfields)++;
		}
		vocd_pii_free(plain);
	}
	for (const char *const *m = clear_members; *m; m++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, *m);
		if (v)
			cJSON_AddItemToObject(c, *m, cJSON_Duplicate(v, 1));
	}
	return c;
}

int vocd_customer_unmasked(vocd_store *st, vocd_pii *pii, const char *tenant, const char *customer, cJSON **out,
                           int *nfields)
{
	*out = NULL;
	*nfields = 0;
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	cJSON *rec = NULL;
	rc = vocd_record_get(txn, tenant, VOCD_CUSTOMER_TYPE, customer, &rec);
	if (rc == 0)
		*out = unmasked(txn, pii, tenant, customer, rec, nfields);
	cJSON_Delete(rec);
	vocd_txn_end(txn);
	return rc;
}

static int consents_in(vocd_txn *txn, const char *tenant, const char *customer, cJSON *into)
{
	/* The index value includes the NUL, so that "c-1" does not find "c-10"'s consents. */
	int rc = vocd_index_scan(txn, tenant, VOCD_CONSENT_TYPE, "by_customer", customer, strlen(customer) + 1,
	                         vocd_record_collect, into);
	return rc < 0 ? rc : 0;
}

int vocd_customer_consents(vocd_store *st, const char *tenant, const char *customer, cJSON **out)
{
	*out = NULL;
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	const void *data;
	size_t len;
	cJSON *list = cJSON_CreateArray();
	rc = vocd_rec_get(txn, tenant, VOCD_CUSTOMER_TYPE, customer, &data, &len);
	if (rc == 0)
		rc = consents_in(txn, tenant, customer, list);
	vocd_txn_end(txn);
	if (rc != 0) {
		cJSON_Delete(list);
		return rc == VOCD_EINVAL ? VOCD_ENOTFOUND : rc;
	}
	*out = list;
	return 0;
}

/* ---- Export ----------------------------------------------------------------------------------------- */

struct customer_scan {
	char needle[160]; /* "customer":"<id>" as the stored JSON spells it */
	const char *customer;
	cJSON *into;
};

/* Evaluations of the customer: a byte search first, so that only candidates are parsed. External ids are
 * [A-Za-z0-9_.:-], which JSON writes as they are. */
static int note_evaluation(const char *id, const void *data, size_t len, void *arg)
{
	(void)id;
	struct customer_scan *s = arg;
	if (!memmem(data, len, s->needle, strlen(s->needle)))
		return 0;
	cJSON *rec = cJSON_ParseWithLength(data, len);
	const char *c = vocd_json_str(rec, "customer");
	if (c && strcmp(c, s->customer) == 0) {
		cJSON_AddItemToArray(s->into, rec);
		return 0;
	}
	cJSON_Delete(rec);
	return 0;
}

/* Every record of \p type whose index \p index has the value \p key (\p len bytes), onto \p into. */
static int by_index(vocd_txn *txn, const char *tenant, const char *type, const char *index, const void *key,
                    size_t len, cJSON *into)
{
	int rc = vocd_index_scan(txn, tenant, type, index, key, len, vocd_record_collect, into);
	return rc < 0 ? rc : 0;
}

static int export_in(vocd_txn *txn, vocd_pii *pii, const char *tenant, const char *customer, cJSON *out,
                     int *nfields)
{
	cJSON *rec = NULL;
	int rc = vocd_record_get(txn, tenant, VOCD_CUSTOMER_TYPE, customer, &rec);
	if (rc != 0)
		return rc;
	cJSON_AddItemToObject(out, "customer", unmasked(txn, pii, tenant, customer, rec, nfields));
	cJSON_Delete(rec);
	size_t klen = strlen(customer) + 1;
	cJSON *consents = cJSON_AddArrayToObject(out, "consents");
	cJSON *invitations = cJSON_AddArrayToObject(out, "invitations");
	cJSON *evaluations = cJSON_AddArrayToObject(out, "evaluations");
	cJSON *replies = cJSON_AddArrayToObject(out, "replies");
	cJSON *tickets = cJSON_AddArrayToObject(out, "tickets");
	cJSON *notes = cJSON_AddArrayToObject(out, "ticket_notes");
	if (!consents || !invitations || !evaluations || !replies || !tickets || !notes)
		return VOCD_ENOMEM;
	rc = consents_in(txn, tenant, customer, consents);
	if (rc == 0)
		rc = by_index(txn, tenant, VOCD_INVITATION_TYPE, "by_customer", customer, klen, invitations);
	if (rc == 0)
		rc = by_index(txn, tenant, VOCD_TICKET_TYPE, "by_customer", customer, klen, tickets);
	struct customer_scan s = {.customer = customer, .into = evaluations};
	snprintf(s.needle, sizeof s.needle, "\"customer\":\"%s\"", customer);
	if (rc == 0 && (rc = vocd_rec_scan(txn, tenant, VOCD_EVALUATION_TYPE, NULL, note_evaluation, &s)) > 0)
		rc = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, evaluations) {
		const char *id = vocd_json_str(item, "id");
		if (rc == 0 && id)
			rc = by_index(txn, tenant, VOCD_REPLY_TYPE, "by_evaluation", id, strlen(id) + 1, replies);
	}
	cJSON_ArrayForEach(item, tickets) {
		const char *id = vocd_json_str(item, "id");
		if (rc == 0 && id)
			rc = by_index(txn, tenant, VOCD_TICKET_NOTE_TYPE, "by_ticket", id, strlen(id) + 1, notes);
	}
	return rc;
}

int vocd_privacy_export(vocd_store *st, vocd_pii *pii, const char *tenant, const char *customer, cJSON **out,
                        size_t *records, int *nfields)
{
	*out = NULL;
	*records = 0;
	*nfields = 0;
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	cJSON *e = cJSON_CreateObject();
	if (!e) {
		vocd_txn_end(txn);
		return VOCD_ENOMEM;
	}
	cJSON_AddStringToObject(e, "tenant", tenant);
	cJSON_AddNumberToObject(e, "exported_at", (double)vocd_now_ms());
	rc = export_in(txn, pii, tenant, customer, e, nfields);
	vocd_txn_end(txn);
	if (rc != 0) {
		cJSON_Delete(e);
		return rc == VOCD_EINVAL ? VOCD_ENOTFOUND : rc;
	}
	static const char *const lists[] = {"consents", "invitations", "evaluations", "replies", "tickets",
	                                    "ticket_notes", NULL};
	*records = 1;
	for (const char *const *l = lists; *l; l++)
		*records += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, *l));
	*out = e;
	return 0;
}

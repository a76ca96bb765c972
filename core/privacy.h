/* A customer's privacy rights (PIPL art. 44-47): their personal data anonymised (consent withdrawn, an
 * erasure request, the tenant's retention limit), read unmasked, exported with everything that refers to
 * them, and their consent records. Anonymising destroys the customer's data key (pii.c), drops the sealed
 * fields and their blind indexes from the customer record, and keeps every evaluation and score. */
#ifndef VOCD_PRIVACY_H
#define VOCD_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "pii.h"
#include "record.h"
#include "store.h"

/** Longest reason an erasure, an unmasked read or an export may give, bytes. */
#define VOCD_PRIVACY_REASON_MAX 500

/**
 * \brief Inside a write job: anonymises the customer record \p rec (of \p customer, read by the caller in
 * \p txn): destroys the customer's data key, so every sealed field anywhere stops opening, removes name,
 * phone and email from \p rec, and cancels the reminders of their invitations. The caller then stores
 * \p rec without index entries (which drops the blind indexes) with its own audit action.
 * \param had_data receives 1 when there was personal data (a key or a sealed field), 0 when there was none.
 * \return 0, store errors.
 */
int vocd_customer_anonymise_in(vocd_txn *txn, const char *tenant, const char *customer, cJSON *rec, int *had_data);

/**
 * \brief vocd_customer_erase's step inside a write job, on the customer record \p rec read in \p txn (the
 * caller frees it): anonymised, marked erased_at with \p reason, stored and audited as "customer.erase".
 * \param already as for vocd_customer_erase.
 */
int vocd_customer_erase_in(vocd_txn *txn, const char *tenant, const char *customer, cJSON *rec, const char *reason,
                           const struct vocd_actor *who, int *already);

/**
 * \brief An erasure: the customer is anonymised as above, marked erased_at with \p reason, audited as
 * "customer.erase" by \p who; evaluations, scores, tickets and consent records stay.
 * \param already receives 1 when there was nothing left to erase (erased before and no personal data given
 *        since): nothing is written then.
 * \return 0, VOCD_ENOTFOUND (no such customer), VOCD_EINVAL (no reason), store errors.
 */
int vocd_customer_erase(vocd_store *st, const char *tenant, const char *customer, const char *reason,
                        const struct vocd_actor *who, int *already);

/** \brief True when the customer record \p rec holds personal data (a sealed name, phone or email). */
int vocd_customer_has_personal_data(const cJSON *rec);

/**
 * \brief The customer with personal data in clear (caller frees): {external_id, tier?, name?, phone?, email?,
 * created_at, updated_at?, consent_withdrawn_at?, erased_at?}. A field whose key was destroyed is left out.
 * \param nfields receives how many personal fields were decrypted (for the access log).
 * \return 0, VOCD_ENOTFOUND, store errors.
 * Caveats: every call is an unmasked read: the caller logs it (privacy_access.h).
 */
int vocd_customer_unmasked(vocd_store *st, vocd_pii *pii, const char *tenant, const char *customer, cJSON **out,
                           int *nfields);

/** \brief The customer's consent records, given and withdrawn, oldest first (caller frees the array).
 * \return 0, VOCD_ENOTFOUND (no such customer), store errors. */
int vocd_customer_consents(vocd_store *st, const char *tenant, const char *customer, cJSON **out);

/**
 * \brief Everything stored about one customer, for their right of access, in one read snapshot (caller
 * frees): {tenant, exported_at, customer (unmasked), consents, invitations, evaluations (every version),
 * replies, tickets (complaints included), ticket_notes}.
 * \param records receives how many records it holds, \p nfields how many personal fields were decrypted.
 * \return 0, VOCD_ENOTFOUND (no such customer), VOCD_ENOMEM, store errors.
 * Caveats: evaluations are found by their "customer" member (a scan of the tenant's evaluations, which
 * also finds answers given without an invitation); an export is rare and read-only.
 */
int vocd_privacy_export(vocd_store *st, vocd_pii *pii, const char *tenant, const char *customer, cJSON **out,
                        size_t *records, int *nfields);

#endif

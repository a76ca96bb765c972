/* Invitations (评价邀请): a one-time, expiring, signed link sent to a customer through a channel, and the
 * customer record (personal data sealed) it points to. States: sent -> opened -> answered; a link past its
 * expiry is refused (410) whatever the state.
 * Every change here is one write job with its audit entry and, for a new invitation, the bus event
 * "invitation.created" that channel plugins send. */
#ifndef VOCD_INVITATION_H
#define VOCD_INVITATION_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "config.h"
#include "invite_token.h"
#include "pii.h"
#include "record.h"
#include "store.h"

#define VOCD_INVITATION_TYPE "invitation"
#define VOCD_CUSTOMER_TYPE "customer"
#define VOCD_CONSENT_TYPE "consent"

/** Durable timer topic: an invitation's reminder is due (reminders.c acts on it). */
#define VOCD_REMINDER_DUE "invitation.reminder_due"

/** Durable timer topic: an invitation's link has expired (invitation_expiry.c marks it and tells the rules). */
#define VOCD_EXPIRE_DUE "invitation.expire_due"

/** \brief The bus timer key of invitation \p id's reminder, set with it and cancelled by its answer. */
void vocd_invitation_reminder_key(const char *id, char out[40]);

struct vocd_invitation_new {
	const char *tenant;
	const struct vocd_tenant_conf *conf;
	vocd_pii *pii;
	const cJSON *customer; /**< {external_id, tier, name, phone, email}, checked by vocd_invitation_check */
	const cJSON *context;  /**< {type, id, agent, team, product_line, region, store, dealer} */
	const char *channel;   /**< "web", "sms", ... */
	const char *lang;      /**< "zh-CN" or "en" */
	const char *base_url;  /**< the server's address: survey links start here unless the tenant has a survey_url */
	const unsigned char *key; /**< the tenant's invitation key (32 bytes) */
	const char *ticket;    /**< a revisit: the ticket whose customer is invited again (kept on the invitation) */
	int skip_spacing;      /**< a revisit is part of the closed loop: invitations.min_days_between does not apply */
	struct vocd_actor who;
	/* out */
	char id[17];
	char url[512];          /**< the survey link to send */
	char token[VOCD_INVITE_TOKEN_MAX]; /**< its token (the link's last part) */
	int64_t expires_ms;
	int64_t retry_after_ms; /**< when VOCD_ERATE: when the customer may be invited again */
};

/**
 * \brief Checks an invitation request body: {customer, context, channel, lang}. On a problem fills \p e
 * (see validate.h) and returns -1.
 */
struct vocd_field_error;
int vocd_invitation_check(const cJSON *body, struct vocd_field_error *e);

/** \brief Checks a customer object {external_id, tier, name, phone, email} the same way. */
int vocd_customer_check(const cJSON *customer, struct vocd_field_error *e);

/**
 * \brief Creates the invitation (and creates or updates the customer, personal data sealed) in one durable
 * write with its audit entry and the "invitation.created" event.
 * \return 0, VOCD_ERATE (the customer was invited less than min_days_between ago), store errors.
 */
int vocd_invitation_create(vocd_store *st, struct vocd_invitation_new *n);

/**
 * \brief Inside a write job: creates or updates a customer {external_id, tier?, name?, phone?, email?} (checked
 * as vocd_invitation_check does): tier in clear, personal data sealed under the customer's key, blind
 * indexes for look-ups by phone and email; audited as "customer.update".
 */
int vocd_customer_upsert_in(vocd_txn *txn, const char *tenant, vocd_pii *pii, const cJSON *customer,
                            const struct vocd_actor *who);

/** \brief vocd_invitation_create inside the caller's write job (a ticket's revisit). */
int vocd_invitation_create_in(vocd_txn *txn, struct vocd_invitation_new *n);

/** \brief The invitation record (caller frees), or VOCD_ENOTFOUND. */
int vocd_invitation_get(vocd_store *st, const char *tenant, const char *id, cJSON **out);

/** \brief sent -> opened (first time a customer opens the link); a no-op in any other state. */
int vocd_invitation_opened(vocd_store *st, const char *tenant, const char *id, const struct vocd_actor *who);

/**
 * \brief Records the customer's consent (notice version, purpose, time, channel) and links it to the
 * invitation. \return 0 and the consent id in \p consent_id, VOCD_EEXIST (already answered), store errors.
 */
int vocd_invitation_consent(vocd_store *st, const char *tenant, const char *id, const char *notice_version,
                            const struct vocd_actor *who, char consent_id[24]);

/** \brief The index value of an invitation under "by_customer": customer id, NUL, creation time (big-endian). */
size_t vocd_invitation_index_key(const char *customer, int64_t created_ms, unsigned char out[140]);

/**
 * \brief Inside a write job: stores the invitation \p inv with its by_customer index (from its customer and
 * created_at) and the audit entry for \p action; \p text_out as for vocd_record_put().
 */
int vocd_invitation_put(vocd_txn *txn, const char *tenant, const cJSON *inv, const char *action,
                        const struct vocd_actor *who, char **text_out);

/** \brief True if the invitation was left unanswered and its link had lapsed by \p at_ms: marked expired,
 * or past its expires_at. */
int vocd_invitation_lapsed(const cJSON *inv, int64_t at_ms);

/**
 * \brief The customer withdraws consent: their personal data is made unreadable for good (their key is
 * destroyed) and removed from their record, a withdrawal is recorded with the consents, and everything is
 * audited; their evaluations and scores stay, for statistics. \p channel says where it came from.
 * \return 0, VOCD_ENOTFOUND (no such customer), store errors.
 */
int vocd_customer_withdraw(vocd_store *st, const char *tenant, const char *customer, const char *channel,
                           const struct vocd_actor *who);

/**
 * \brief The invitation a reply by phone answers (an SMS "5"): the newest invitation of the customer with
 * that phone number among those reached through \p channel — sent on it, or reminded on it when it is the
 * tenant's \p remind_channel (may be NULL); "*" for any channel — provided it is neither answered nor expired. An older open one
 * is never taken instead, so a late or replayed reply cannot answer another service. The phone is found by
 * its blind index, never in clear.
 * \return 0 and the id in \p id, VOCD_ENOTFOUND (no such customer, or the newest is not open), VOCD_EINVAL
 *         (not a phone number), store errors.
 */
int vocd_invitation_find_open(vocd_store *st, vocd_pii *pii, const char *tenant, const char *phone,
                              const char *channel, const char *remind_channel, char id[17]);

/** \brief The customer with personal data masked (caller frees): {external_id, tier, name, phone, email},
 * consent_withdrawn / erased: true once anonymised that way (privacy.h). */
int vocd_customer_masked(vocd_store *st, vocd_pii *pii, const char *tenant, const char *customer, cJSON **out);

/**
 * \brief A signed link "<base>/<kind>/<token>": base is the tenant's invitations.survey_url or else
 * \p server_url; the token is made from \p key, \p id and \p expires_ms (deterministic, so the same link
 * every time). \p kind is "s" for an invitation's survey page, "q" for a counter code.
 * \return 0, VOCD_EINVAL (bad id, or the link does not fit in \p outlen bytes).
 */
int vocd_signed_link(const struct vocd_tenant_conf *t, const char *server_url, const unsigned char key[32],
                     const char *kind, const char *id, int64_t expires_ms, char *out, size_t outlen);

/**
 * \brief The survey link of an invitation: "<base>/s/<token>", where base is the tenant's
 * invitations.survey_url or else \p server_url, and the token is made from \p key (the tenant's invitation
 * key, see vocd_pii_derive_key), \p id and \p expires_ms. Tokens are deterministic, so this is the link the
 * invitation was created with; the record does not keep it.
 * \return 0, VOCD_EINVAL (bad id, or the link does not fit in \p outlen bytes).
 */
int vocd_invitation_url(const struct vocd_tenant_conf *t, const char *server_url, const unsigned char key[32],
                        const char *id, int64_t expires_ms, char *out, size_t outlen);

#endif

/* The personal-data access log: every unmasked read and every export of a customer's personal data, with
 * who (token or operator, role, person), when, why (the reason given), what (customer, fields) and how much
 * (records, fields), for auditors and supervisors. Each entry is a record with its own audit entry, so the
 * log is covered by the tenant's hash chain: an entry removed or altered is found by `vocd audit verify`. */
#ifndef VOCD_PRIVACY_ACCESS_H
#define VOCD_PRIVACY_ACCESS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "record.h"
#include "store.h"

/** Record type of the entries: id = 16-digit sequence number, so id order is the order they were made. */
#define VOCD_PRIVACY_ACCESS_TYPE "privacy.access"

/** One access to a customer's personal data. Strings are only read during the call. */
struct vocd_privacy_access {
	const char *action;   /**< "read" (unmasked read) or "export" */
	const char *customer; /**< the customer's external id */
	const char *reason;   /**< why, as given (may be NULL or "": none given) */
	const char *route;    /**< "GET /api/v1/customers/<id>", "cli privacy export"... */
	const char *person;   /**< the person the token acts as (NULL or "": none) */
	const char *const *fields; /**< the personal fields shown, NULL-terminated (may be NULL) */
	size_t records;       /**< how many records were handed out */
	int nfields;          /**< how many personal field values were decrypted */
};

/**
 * \brief Appends an entry {id, time, who {kind, id, role, person?}, why, action, what {customer, fields},
 * how_much {records, fields}, route, source {ip?, channel?}} in one durable write with its audit entry
 * ("privacy.read" or "privacy.export", by \p who).
 * \param id_out if not NULL, receives the entry's id.
 * \return 0, VOCD_EINVAL (bad action or customer), store errors. The caller hands out nothing unless this
 *         succeeded.
 */
int vocd_privacy_access_log(vocd_store *st, const char *tenant, const struct vocd_privacy_access *a,
                            const struct vocd_actor *who, char id_out[24]);

/** \brief vocd_privacy_access_log() inside the caller's write job (with the read it logs, or its other entries). */
int vocd_privacy_access_log_in(vocd_txn *txn, const char *tenant, const struct vocd_privacy_access *a,
                               const struct vocd_actor *who, char id_out[24]);

/**
 * \brief Entries with an id after \p after (NULL or "": from the start), at most \p limit, oldest first, as a
 * JSON array (caller frees). \p next_after receives the last id when there may be more, "" otherwise.
 * \return 0, store errors.
 */
int vocd_privacy_access_list(vocd_store *st, const char *tenant, const char *after, int limit, cJSON **out,
                             char next_after[24]);

#endif

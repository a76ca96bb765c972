/* JSON records with their audit entry: the way domain modules (invitations, evaluations...) read and write
 * what they store, so that no write can skip the audit trail. */
#ifndef VOCD_RECORD_H
#define VOCD_RECORD_H

#include <cjson/cJSON.h>

#include "audit.h"
#include "store.h"

/** Who made a change and from where (copied into the audit entry). */
struct vocd_actor {
	struct vocd_audit_actor actor;
	struct vocd_audit_source source;
};

/** \brief The operator running a command line (the login name, through sudo too; "operator" when unknown),
 * channel "cli". The strings are the environment's: valid while the process runs. */
void vocd_actor_operator(struct vocd_actor *who);

/** \brief Reads a JSON record (caller frees). \return 0, VOCD_ENOTFOUND (also for an invalid id). */
int vocd_record_get(vocd_txn *txn, const char *tenant, const char *type, const char *id, cJSON **out);

/** \brief vocd_record_get() in a read snapshot of its own, for one record outside any job. */
int vocd_record_read(vocd_store *st, const char *tenant, const char *type, const char *id, cJSON **out);

/** \brief A scan callback (vocd_rec_scan, vocd_index_scan): each record parsed onto the cJSON array \p array. */
int vocd_record_collect(const char *id, const void *data, size_t len, void *array);

/** What a page shows for a record of id \p id: \p record itself, another item in its place (freeing
 * \p record), or NULL to leave it out (freeing it). */
typedef cJSON *(*vocd_page_item_fn)(vocd_txn *txn, const char *id, cJSON *record, void *arg);

/**
 * \brief One page of \p tenant's records of \p type in id order: those after \p after (NULL: from the
 * first), at most \p limit items appended to \p items, each passed through \p item (NULL: as stored).
 * \p next_after receives the last id of a full page, "" otherwise (the list goes on only after a full one).
 * \return 0 or a store error.
 */
int vocd_record_page(vocd_txn *txn, const char *tenant, const char *type, const char *after, int limit,
                     vocd_page_item_fn item, void *arg, cJSON *items, char next_after[130]);

/**
 * \brief Inside a write job: stores \p rec with these index entries and appends the audit entry for
 * \p action, whose digest covers the stored bytes. With \p text_out, the stored text is handed back
 * (caller frees) for the event that announces it.
 */
int vocd_record_put(vocd_txn *txn, const char *tenant, const char *type, const char *id, const cJSON *rec,
                    const struct vocd_index_value *idx, size_t nidx, const char *action,
                    const struct vocd_actor *who, char **text_out);

/** \brief The string member \p key of \p obj, or NULL. */
const char *vocd_json_str(const cJSON *obj, const char *key);

/** \brief Replaces (or adds) a string / number member. A NULL string removes the member. */
void vocd_json_set_str(cJSON *obj, const char *key, const char *value);
void vocd_json_set_num(cJSON *obj, const char *key, double value);

#endif

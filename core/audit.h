/* Audit trail: every write appends, in its own write transaction, an entry saying who did what to which
 * record, from where and when; a tenant's entries form a SHA-256 hash chain that verification walks end
 * to end, so that a modified, removed, added or re-ordered entry is found.
 *
 * Storage (per tenant):
 *   record type "audit",      id = 20-digit zero-padded seq (so id order = seq order) -> entry JSON
 *   record type "audit.head", id "head" -> big-endian u64 last seq, then the 32-byte hash of that entry
 *   counter "audit" (vocd_seq_next) hands out the seqs, starting at 1.
 *
 * Entry JSON (keys as stored; absent optional strings are left out, an empty one counts as absent):
 *   {"v":1, "seq":N, "time":ms, "actor":{"kind","id","role"?},
 *    "source":{"ip"?,"channel"?,"user_agent"?,"token"?}, "action", "record":{"type","id"},
 *    "digest":hex, "prev":hex, "hash":hex}
 *
 * The hash of entry N is SHA-256 over this byte string, where str(s) = big-endian u32 length of s, then
 * the bytes of s (an absent string is a zero length), and u64 is big-endian:
 *   "vocd.audit.v1" (13 bytes, no length)
 *   u64 N, prev (32 raw bytes; 32 zero bytes for entry 1), u64 time_ms, str(tenant),
 *   str(actor kind), str(actor id), str(actor role),
 *   str(source ip), str(source channel), str(source user_agent), str(source token),
 *   str(action), str(record type), str(record id), digest (32 raw bytes)
 * Every field has a fixed place and a length, so two different entries never encode to the same bytes.
 * digest = SHA-256 of the bytes of the change the caller passes (e.g. the stored record's JSON). */
#ifndef VOCD_AUDIT_H
#define VOCD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "store.h"

#define VOCD_AUDIT_TYPE "audit"
#define VOCD_AUDIT_HEAD_TYPE "audit.head"

enum vocd_audit_actor_kind {
	VOCD_AUDIT_ACTOR_TOKEN,    /**< an API token (id: token id, role: its role) */
	VOCD_AUDIT_ACTOR_CUSTOMER, /**< a customer answering (id: invitation or customer reference) */
	VOCD_AUDIT_ACTOR_SYSTEM,   /**< vocd itself: timers, retention, plugins (id: which part) */
	VOCD_AUDIT_ACTOR_USER      /**< a named person (operator on the CLI, later a console user) */
};

/** \brief "token", "customer", "system", "user" (static); "?" for an unknown value. */
const char *vocd_audit_actor_kind_name(int kind);

/** \brief The inverse of vocd_audit_actor_kind_name(); -1 for an unknown name or NULL. */
int vocd_audit_actor_kind_parse(const char *name);

struct vocd_audit_actor {
	int kind;         /**< enum vocd_audit_actor_kind */
	const char *id;   /**< required, 1-128 bytes */
	const char *role; /**< optional, up to 64 bytes ("admin", "integrator"...) */
};

/** Where the write came from; every field optional (NULL or ""). */
struct vocd_audit_source {
	const char *ip;         /**< up to 64 bytes */
	const char *channel;    /**< up to 64 bytes ("web", "sms", "api", "cli"...) */
	const char *user_agent; /**< untrusted: cut to 512 bytes, control bytes and invalid UTF-8 become '?' */
	const char *token;      /**< token id, up to 64 bytes */
};

/** What to record. Strings are NUL-terminated and only read during the call. */
struct vocd_audit_entry {
	struct vocd_audit_actor actor;
	struct vocd_audit_source source;
	int64_t time_ms;         /**< Unix ms; 0 = now */
	const char *action;      /**< required, 1-64 bytes of [a-z0-9_.-] ("evaluation.create") */
	const char *record_type; /**< required, 1-128 bytes */
	const char *record_id;   /**< required, 1-128 bytes */
	const void *change;      /**< bytes whose SHA-256 is recorded as the digest (may be NULL if len 0) */
	size_t change_len;
};

/**
 * \brief Appends an entry to \p tenant's chain. Call it from the write job (vocd_write_fn) that makes the
 * change, so that both or neither are stored; if the job then fails, the entry is rolled back with it.
 * \param seq_out if not NULL, receives the entry's seq.
 * \return 0, VOCD_EINVAL (missing or too long field, unknown actor kind, read transaction),
 *         VOCD_EINTERNAL (the chain head does not follow the counter: the trail was altered; logged),
 *         store errors (VOCD_EFULL...).
 * Caveats: fails closed: once a tenant's head or counter has been altered, its writes fail until an
 * operator looks at `vocd audit verify`, rather than extending a chain that no longer verifies.
 */
int vocd_audit_append(vocd_txn *txn, const char *tenant, const struct vocd_audit_entry *e, uint64_t *seq_out);

struct vocd_audit_report {
	int ok;             /**< 1: every entry from 1 to the head verified */
	uint64_t checked;   /**< entries that verified (before the first problem) */
	uint64_t head_seq;  /**< last seq according to the chain head (0: no head) */
	char head_hash[65]; /**< hex hash in the chain head ("" when there is none) */
	uint64_t bad_seq;   /**< first entry found wrong or missing; 0 when ok or the problem is elsewhere */
	char reason[256];   /**< "entry 17: hash does not match its content"...; "" when ok */
};

/**
 * \brief Walks \p tenant's chain from entry 1 to the head and checks each entry's content hash, its link
 * to the previous entry, the sequence, and the head. Stops at the first problem.
 * \return 0 when the walk ran (the verdict is in \p out: ok, or bad_seq and reason), VOCD_EINVAL,
 *         VOCD_ENOMEM, store errors. A tenant with no entries and no head is ok with 0 entries.
 * Caveats: reads in short snapshots (a few thousand entries each), so it does not pin old pages while
 * it walks a long chain; entries appended meanwhile are verified too. The chain proves that nothing was
 * changed in the middle: someone able to write the database file can still rewrite every entry from
 * some point on, or remove the whole trail. Record vocd_audit_head() somewhere else (an anchor) to find
 * that.
 */
int vocd_audit_verify(vocd_store *st, const char *tenant, struct vocd_audit_report *out);

/** \brief The verdict as JSON {tenant, ok, entries, head_seq, head_hash, bad_seq?, reason?}. Caller frees. */
int vocd_audit_report_json(const char *tenant, const struct vocd_audit_report *r, cJSON **out);

/**
 * \brief The current chain head of \p tenant: last seq (0 when none) and its hash as hex (65 bytes;
 * "" when none). \return 0, VOCD_EINVAL, VOCD_EINTERNAL (the head record is malformed), store errors.
 */
int vocd_audit_head(vocd_store *st, const char *tenant, uint64_t *seq, char hash_hex[65]);

/**
 * \brief Entries of \p tenant with seq > \p after, in seq order, at most \p limit (1-1000; <= 0 means
 * 100), as a JSON array of the stored entry objects. An entry that cannot be read as JSON appears as
 * {"seq":N,"unreadable":true}. \p *out is the caller's (cJSON_Delete).
 * \return 0, VOCD_EINVAL, VOCD_ENOMEM, store errors.
 */
int vocd_audit_list(vocd_store *st, const char *tenant, uint64_t after, int limit, cJSON **out);

/**
 * \brief The tenants that have an audit trail (entries or a head), sorted, as a JSON array of strings,
 * so that `vocd audit verify` can check all of them. \p *out is the caller's.
 */
int vocd_audit_tenants(vocd_store *st, cJSON **out);

#endif

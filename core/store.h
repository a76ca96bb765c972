/* Storage: one LMDB environment, every key scoped by tenant, typed records with secondary indexes,
 * and a single writer thread that commits concurrent requests' writes together (group commit). */
#ifndef VOCD_STORE_H
#define VOCD_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct vocd_store vocd_store;
typedef struct vocd_txn vocd_txn;

struct vocd_store_opts {
	size_t initial_map_size; /**< bytes; 0 = 64 MiB */
	size_t max_map_size;     /**< bytes; the map never grows past this (then VOCD_EFULL); 0 = 64 GiB */
	unsigned max_readers;    /**< LMDB reader slots; 0 = 256 */
	unsigned max_batch;      /**< most write jobs in one transaction; 0 = 1024 */
	int no_sync;             /**< tests and the baseline benchmark only: skip fsync */
	int sync_per_write;      /**< benchmark baseline: one durable transaction per job, no grouping */
};

/**
 * \brief Opens (creating if needed) the environment in directory \p dir and starts the writer thread.
 * \return 0, VOCD_EIO (cannot open; message logged), VOCD_ENOMEM.
 */
int vocd_store_open(vocd_store **out, const char *dir, const struct vocd_store_opts *opts);

/** \brief Finishes queued writes, stops the writer, closes the environment. Accepts NULL. */
void vocd_store_close(vocd_store *st);

/* ---- Writing ------------------------------------------------------------------------------------ */

/**
 * A write job. Runs on the writer thread inside a nested transaction of the batch's transaction: if it
 * returns non-zero, only its own changes are rolled back and that code is returned to its caller.
 * It may run more than once (the batch is replayed after the map grows), so it must not have effects
 * outside \p txn other than on memory owned by \p arg that it resets on entry.
 */
typedef int (*vocd_write_fn)(vocd_txn *txn, void *arg);

/**
 * \brief Runs \p fn in the next batch and returns once the batch is durable on disk.
 * \return what \p fn returned, or VOCD_EFULL (map at max_map_size or the disk is full; nothing of the
 *         batch was written), VOCD_ESHUTDOWN.
 * Caveats: a failed fsync (EIO) is not returned: the process logs it and exits, since it can no longer
 * tell what is on disk. Must not be called from the writer thread itself (from inside a \p fn).
 */
int vocd_store_write(vocd_store *st, vocd_write_fn fn, void *arg);

/* ---- Reading ------------------------------------------------------------------------------------ */

/** \brief Begins a read-only snapshot. End it with vocd_txn_end() soon: it pins old pages. */
int vocd_store_read(vocd_store *st, vocd_txn **out);

/** \brief Ends a read transaction. Accepts NULL. (Write transactions are ended by the writer.) */
void vocd_txn_end(vocd_txn *txn);

/* ---- Records (inside any transaction) -------------------------------------------------------------
 * A record is (tenant, type, id) -> bytes. tenant, type and id are NUL-free strings (ids up to 128
 * bytes). Index entries map (tenant, type, index name, index value) -> id; values are byte strings, so
 * a big-endian integer sorts numerically. */

struct vocd_index_value {
	const char *name;  /**< index name, e.g. "by_customer" */
	const void *value; /**< index value bytes */
	size_t len;
};

/**
 * \brief Inserts or replaces a record and sets exactly these index entries for it (the record's old
 * index entries are removed).
 * \return 0, VOCD_EINVAL (bad name, or a read transaction), VOCD_EFULL.
 */
int vocd_rec_put(vocd_txn *txn, const char *tenant, const char *type, const char *id, const void *data,
                 size_t len, const struct vocd_index_value *index, size_t nindex);

/**
 * \brief Inside a write job: changes a record of exactly \p len bytes (at most 1024) and no index entries in
 * place, with one descent of the tree: \p fn gets its bytes (zeros and \p found 0 when there is none yet)
 * and changes them. For counters (rollups), written on every evaluation.
 * \return 0, VOCD_EINVAL (a record of that id exists with another size or with index entries), VOCD_EFULL.
 */
int vocd_rec_modify(vocd_txn *txn, const char *tenant, const char *type, const char *id, size_t len,
                    void (*fn)(void *data, int found, void *arg), void *arg);

/**
 * \brief Looks up a record. \p *data stays valid until the transaction ends or the next write in it.
 * \return 0 or VOCD_ENOTFOUND.
 */
int vocd_rec_get(vocd_txn *txn, const char *tenant, const char *type, const char *id, const void **data,
                 size_t *len);

/** \brief Removes a record and its index entries (for internal types only: tokens, outbox rows...). */
int vocd_rec_del(vocd_txn *txn, const char *tenant, const char *type, const char *id);

/** Visitor: return 0 to go on, 1 to stop, <0 to stop with that error. */
typedef int (*vocd_rec_visit_fn)(const char *id, const void *data, size_t len, void *arg);

/** \brief Visits a type's records in id order, starting at the first id >= \p from (NULL: the start). */
int vocd_rec_scan(vocd_txn *txn, const char *tenant, const char *type, const char *from,
                  vocd_rec_visit_fn fn, void *arg);

/**
 * \brief Visits the records whose index \p index has a value starting with \p prefix (all when
 * \p prefix_len is 0), in index-value order then id order.
 */
int vocd_index_scan(vocd_txn *txn, const char *tenant, const char *type, const char *index,
                    const void *prefix, size_t prefix_len, vocd_rec_visit_fn fn, void *arg);

/** \brief Next value of a per-tenant, per-name counter, starting at 1 (write transactions only). */
int vocd_seq_next(vocd_txn *txn, const char *tenant, const char *name, uint64_t *out);

/** \brief vocd_seq_next as a record id: 16 digits with leading zeros ("0000000000000042"), so that id
 * order is the counter's order. */
int vocd_seq_id(vocd_txn *txn, const char *tenant, const char *name, char out[24]);

/** \brief Lists the tenants that have at least one record of \p type. Visitor gets the tenant as id. */
int vocd_tenant_scan(vocd_txn *txn, const char *type, vocd_rec_visit_fn fn, void *arg);

/** \brief Calls \p fn(\p arg) on the writer thread after each durable commit (the bus wakes its workers). */
void vocd_store_on_commit(vocd_store *st, void (*fn)(void *arg), void *arg);

/* ---- Operations --------------------------------------------------------------------------------- */

struct vocd_store_stats {
	uint64_t commits;       /**< durable transactions */
	uint64_t jobs;          /**< write jobs acknowledged */
	uint64_t batch_max;     /**< largest batch so far */
	uint64_t full_errors;   /**< VOCD_EFULL answers */
	size_t map_size;        /**< current map size, bytes */
	size_t used_size;       /**< bytes in use (last page number x page size) */
	unsigned stale_readers; /**< reader slots cleared by mdb_reader_check */
	uint64_t batch_hist[8]; /**< batch sizes: 1, 2-3, 4-7, 8-15, 16-31, 32-63, 64-127, 128+ */
};

void vocd_store_get_stats(vocd_store *st, struct vocd_store_stats *out);

/** \brief Online, consistent, compacted copy of the database into directory \p dir (created, empty). */
int vocd_store_backup(vocd_store *st, const char *dir);

/** \brief Copies a backup into \p data_dir, which must hold no database (offline operation). */
int vocd_store_restore(const char *backup_dir, const char *data_dir);

/**
 * \brief Replaces what happens when a commit fails in a way that leaves the data on disk unknown (EIO
 * from the sync). The default logs \p msg and aborts the process. NULL restores the default.
 * Caveats: for tests; if the handler returns, the batch's callers get VOCD_EIO. Set it before opening.
 */
void vocd_store_set_fatal_handler(void (*fn)(const char *msg));

#endif

/* vocd's error codes: every function returns 0 or one of these (negative); one strerror for all. */
#ifndef VOCD_ERROR_H
#define VOCD_ERROR_H

enum vocd_error {
	VOCD_OK = 0,
	VOCD_EINVAL = -1,    /**< bad input (HTTP 400) */
	VOCD_ENOMEM = -2,    /**< out of memory */
	VOCD_ENOTFOUND = -3, /**< no such record (HTTP 404) */
	VOCD_EEXIST = -4,    /**< already exists (HTTP 409) */
	VOCD_EFULL = -5,     /**< storage full (HTTP 507) */
	VOCD_EIO = -6,       /**< input/output error */
	VOCD_EAUTH = -7,     /**< not authenticated (HTTP 401) */
	VOCD_EDENIED = -8,   /**< not allowed (HTTP 403) */
	VOCD_ETOOBIG = -9,   /**< too large (HTTP 413) */
	VOCD_ELIMIT = -10,   /**< a budget ran out: time, memory, instructions */
	VOCD_ECONFIG = -11,  /**< configuration error */
	VOCD_EPLUGIN = -12,  /**< a plugin raised an error */
	VOCD_ESHUTDOWN = -13,/**< the server is stopping */
	VOCD_EUNPROC = -14,  /**< well-formed but not acceptable (HTTP 422) */
	VOCD_ERATE = -15,    /**< too many requests (HTTP 429) */
	VOCD_EINTERNAL = -16,/**< a bug or an unexpected library failure */
	VOCD_EGONE = -17     /**< existed, but no longer usable: an expired invitation (HTTP 410) */
};

/** \brief Human-readable text of a vocd error code (static string). */
const char *vocd_strerror(int err);

/** \brief Short machine code of an error, as used in JSON error bodies ("storage_full"). */
const char *vocd_error_code(int err);

/** \brief The HTTP status that answers a request failing with \p err. */
int vocd_error_http_status(int err);

#include <stddef.h>

/**
 * \brief Writes a setting's problem ("tickets.sla.urgent: …") into \p why and returns VOCD_ECONFIG: what the
 * readers of settings (calendar, people, tickets, rules) answer a mistake with.
 */
int vocd_config_error(char *why, size_t why_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

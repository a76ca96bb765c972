/* A tenant's `authenticity = { ... }` setting: the thresholds of the signals that mark an answer as
 * suspect (authenticity.c). Every threshold has a default, so a tenant file without the setting gets all
 * signals; 0 (or false) switches one signal off.
 *
 *   authenticity = {
 *     burst_minutes = 10, burst_per_ip = 5, burst_per_device = 3,  -- more than 5 answers from one address
 *     trusted_addresses = { "10.0.0.5" },                           -- in 10 minutes: "ip_burst"
 *     duplicate_distance = 10, duplicate_days = 7, duplicate_min_features = 8,
 *     seconds_per_question = 2,
 *     staff_devices = true,
 *     history_min_answers = 3, history_gap = 0.5,
 *     incentive = { period = "month", last_days = 3, top_ratings = 20 },
 *   } */
#ifndef VOCD_AUTHENTICITY_CONF_H
#define VOCD_AUTHENTICITY_CONF_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define VOCD_BURST_MAX 60 /**< the largest burst limit: the recent answers of one address are kept in a fixed record */

enum vocd_incentive_period { VOCD_PERIOD_MONTH, VOCD_PERIOD_QUARTER };

struct vocd_authenticity_conf {
	unsigned burst_minutes;          /**< the window of bursts (default 10) */
	unsigned burst_per_ip;           /**< answers from one address allowed in the window (5); 0: not checked */
	unsigned burst_per_device;       /**< from one address and browser (3); 0: not checked */
	char **trusted_addresses;        /**< not counted for bursts (an integration's own servers); NULL-terminated */
	unsigned duplicate_distance;     /**< near-duplicate: fingerprints at most this many bits apart (10); 0: off */
	unsigned duplicate_days;         /**< compared with the last 256 texts of at most this age (7) */
	unsigned duplicate_min_features; /**< shorter texts are not compared (8 words or character pairs) */
	unsigned seconds_per_question;   /**< faster than this per question is too fast (2); 0: off */
	int staff_devices;               /**< flag answers from devices staff signed in from (true) */
	unsigned history_min_answers;    /**< the customer's history counts from this many earlier answers (3); 0: off */
	double history_gap;              /**< ... a score this share of the scale away from their mean (0.5) */
	int incentive;                   /**< check top ratings near the end of incentive periods (true) */
	enum vocd_incentive_period period;
	unsigned last_days;              /**< the last days of the period watched (3) */
	unsigned top_ratings;            /**< top ratings one agent may get in them (20) */
};

/**
 * \brief Reads the setting (NULL: the defaults above).
 * \return 0, or VOCD_ECONFIG with the problem in \p why, naming the field ("authenticity.burst_per_ip:
 *         expected a whole number from 0 (not checked) to 60, got 100"). \p out is freed on failure.
 */
int vocd_authenticity_conf_parse(const cJSON *setting, struct vocd_authenticity_conf *out, char *why, size_t why_len);

/** \brief Frees what the setting holds. Accepts NULL. */
void vocd_authenticity_conf_free(struct vocd_authenticity_conf *c);

/** \brief True if \p ip is one of the tenant's trusted addresses. */
int vocd_authenticity_trusted(const struct vocd_authenticity_conf *c, const char *ip);

#endif

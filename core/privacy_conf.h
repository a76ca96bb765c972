/* A tenant's `privacy = { ... }` setting (config.c hands it over as JSON):
 *
 *   privacy = {
 *     retention_days = 365,   -- personal data is anonymised this many days after the customer's last contact
 *   }
 *
 * or `retention = "90 days"` (any elapsed duration vocd_duration_parse reads: "36 h elapsed", "2s elapsed"),
 * not both. Without it, personal data is kept until the customer withdraws consent or is erased. */
#ifndef VOCD_PRIVACY_CONF_H
#define VOCD_PRIVACY_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct vocd_privacy_conf {
	int64_t retention_ms; /**< how long after the last contact personal data is kept; 0 = no limit */
};

/**
 * \brief Reads the setting (NULL: no retention limit).
 * \return 0, or VOCD_ECONFIG with the problem in \p why, naming the setting:
 *         "privacy.retention_days: expected a whole number of days from 1 to 3660, got \"a year\"".
 */
int vocd_privacy_conf_parse(const cJSON *setting, struct vocd_privacy_conf *out, char *why, size_t why_len);

#endif

/* Rebuilding a tenant's rollups (rollup.h) from its evaluations: for rollups lost, damaged, or kept since
 * before a kind of counter existed. One write transaction: the figures are never half rebuilt, and answers
 * arriving meanwhile wait for it (a million evaluations take seconds). */
#ifndef VOCD_ROLLUP_REBUILD_H
#define VOCD_ROLLUP_REBUILD_H

#include <stddef.h>

#include "calendar.h"
#include "store.h"

struct vocd_rollup_rebuild {
	size_t removed;     /**< rollup records removed (every kind, by day and by month) */
	size_t evaluations; /**< current versions counted (corrected versions are not) */
	size_t suspect;     /**< of them, counted as suspect (flagged, not cleared) */
	size_t invitations; /**< invitations counted as sent (and answered, when they were) */
};

/**
 * \brief Removes every rollup, suspect rollup and invitation rollup of \p tenant, by day and by month
 * (vocd_rollup_types), and counts each current
 * evaluation and each invitation again, on calendar \p cal, exactly as they were counted when stored,
 * corrected, reviewed, sent and answered.
 * \return 0, store errors.
 */
int vocd_rollup_rebuild(vocd_store *st, const char *tenant, const struct vocd_calendar *cal,
                        struct vocd_rollup_rebuild *out);

#endif

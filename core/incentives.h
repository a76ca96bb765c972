/* The core's incentive tasks on the bus, each with a subscriber of its own, so that a failing customer
 * policy holds back neither the other nor the rules and tickets (the bus delivers in order):
 *   - "core:held-points": an auditor's decision on a suspect answer makes or drops the points held for
 *     it (points.h);
 *   - "core:rewards": every answer that is not suspect (or is cleared) goes to the tenant's customer reward
 *     policies as what taking part looks like and nothing of what was said: no score, no text (product.md
 *     §4 item 6, no inducement). */
#ifndef VOCD_INCENTIVES_H
#define VOCD_INCENTIVES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "server.h"

#define VOCD_REWARD_FIRST_TYPE "reward.first" /**< customer id -> {evaluation}: their first answer */

/**
 * \brief What a customer policy's "answer" handler gets for \p evaluation: {evaluation, customer, channel,
 * lang?, answered_at, useful_chars, tags, first, referred_by?} (caller frees).
 */
cJSON *vocd_rewards_answer(const cJSON *evaluation, int first, const char *referred_by);

/** \brief Subscribes "core:held-points" and "core:rewards" (before vocd_bus_start). */
int vocd_incentives_start(struct vocd_server *srv);

#endif

/* Customer rewards: the core's subscriber "core:rewards" hands every answer that is not suspect (or is
 * cleared by an auditor) to the tenant's customer reward policies, as what taking part looks like and
 * nothing of what was said: no score, no text (product.md §4 item 6, no inducement). Its own subscriber,
 * so that a failing policy holds back neither the rules nor the tickets. */
#ifndef VOCD_REWARDS_H
#define VOCD_REWARDS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "server.h"

#define VOCD_REWARD_FIRST_TYPE "reward.first" /**< customer id -> {evaluation}: their first answer */

/**
 * \brief What a customer policy's "answer" handler gets for \p evaluation: {evaluation, customer, channel,
 * lang?, answered_at, useful_chars, tags, first, referred_by?} (caller frees).
 */
cJSON *vocd_rewards_answer(const cJSON *evaluation, int first, const char *referred_by);

/** \brief Subscribes "core:rewards" (before vocd_bus_start). */
int vocd_rewards_start(struct vocd_server *srv);

#endif

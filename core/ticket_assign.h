/* Who gets a ticket: a named person, whoever holds a business role, a team (by turns or to whoever has
 * the fewest open tickets), or the manager of the agent, team, store or dealer the ticket is about. */
#ifndef VOCD_TICKET_ASSIGN_H
#define VOCD_TICKET_ASSIGN_H

#include <cjson/cJSON.h>

#include "config.h"
#include "store.h"

/**
 * An assignment as rules and the API write it (JSON): {"person": "zhou"} | {"role": "service_director"} |
 * {"team": "care", "how": "round_robin" | "fewest_open"} | {"manager_of": "agent" | "team" | "store" |
 * "dealer" | "region" | "product_line" | "assignee"}.
 */

/**
 * \brief Checks an assignment against the tenant's people: the person exists, the role or team has someone,
 * the dimension is known. \return 0 or -1 with the problem in \p why ("person \"zhuo\" is not one of the
 * people of tenant acme").
 */
int vocd_assign_check(const cJSON *spec, const struct vocd_people *people, char *why, size_t why_len);

/**
 * \brief Inside a write job: who gets \p ticket under \p spec (NULL: the tenant's default, the team of the
 * ticket's context). Writes the person's id into \p person ("" when nobody could be found: the ticket
 * waits in the queue of \p queue, a role or team name, "" when none). Round robin turns are counted in
 * the store. \return 0, store errors.
 */
int vocd_assign_resolve(vocd_txn *txn, const struct vocd_tenant_conf *t, const cJSON *spec, const cJSON *ticket,
                        char person[129], char queue[129]);

/**
 * \brief The person `manager_of = dim` names: the manager of \p ticket's assignee ("assignee"), or of the
 * agent, team, store… of the service \p context. NULL when there is none (or no such assignee or member).
 */
const struct vocd_person *vocd_assign_manager(const struct vocd_people *people, const char *dim, const cJSON *ticket,
                                              const cJSON *context);

/** \brief The index value of an open ticket under "open_by_assignee": the person's id and a NUL. */
size_t vocd_assign_open_key(const char *person, char out[130]);

#endif

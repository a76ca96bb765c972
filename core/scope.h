/* What part of a tenant a caller sees. Roles decide what a caller may do (the route table in http.c);
 * scope decides which records they see doing it:
 *   - admins, auditors and integrators: the whole tenant;
 *   - a supervisor: the subtree of their `scope` unit in the organisation tree (none: the whole tenant);
 *   - an agent: the records about their own service (context.agent) and the tickets assigned to them;
 *     an agent token bound to no person sees none.
 * Anyone sees what is assigned to them, and the alerts they were told of. A record out of sight is answered as if it did not exist. */
#ifndef VOCD_SCOPE_H
#define VOCD_SCOPE_H

#include <cjson/cJSON.h>

#include "config.h"
#include "token.h"

/** \brief True if \p who (of tenant \p t) may see \p rec: a record with "context" and perhaps "assignee" or "told". */
int vocd_scope_sees(const struct vocd_tenant_conf *t, const struct vocd_token_info *who, const cJSON *rec);

/**
 * \brief Adds to \p context what scope reads about the records of \p dim = \p value: the value, and for an
 * agent who is one of the people, their team (a supervisor of the team sees that person's figures, points…).
 */
void vocd_scope_context_of(const struct vocd_tenant_conf *t, cJSON *context, const char *dim, const char *value);

/** \brief True if \p who sees the records of \p dim = \p value (their figures, an agent's points). */
int vocd_scope_sees_value(const struct vocd_tenant_conf *t, const struct vocd_token_info *who, const char *dim,
                          const char *value);

/** \brief True if \p who sees the whole tenant, so that lists need no record-by-record check. */
int vocd_scope_whole_tenant(const struct vocd_tenant_conf *t, const struct vocd_token_info *who);

#endif

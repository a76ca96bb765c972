/* The scope check: a small decision on the caller's role, their person in the tenant file and the
 * record's service context. */
#include "scope.h"

#include <string.h>

#include "record.h"

static const struct vocd_person *person_of(const struct vocd_tenant_conf *t, const struct vocd_token_info *who)
{
	return who->person[0] ? vocd_people_find(&t->people, who->person) : NULL;
}

int vocd_scope_whole_tenant(const struct vocd_tenant_conf *t, const struct vocd_token_info *who)
{
	if (who->role == VOCD_ROLE_ADMIN || who->role == VOCD_ROLE_AUDITOR || who->role == VOCD_ROLE_INTEGRATOR)
		return 1;
	if (who->role != VOCD_ROLE_SUPERVISOR)
		return 0;
	const struct vocd_person *p = person_of(t, who);
	if (who->person[0] && !p) /* bound to someone no longer in the tenant file: nothing */
		return 0;
	return !p || !p->scope;
}

int vocd_scope_sees(const struct vocd_tenant_conf *t, const struct vocd_token_info *who, const cJSON *rec)
{
	if (vocd_scope_whole_tenant(t, who))
		return 1;
	const char *assignee = vocd_json_str(rec, "assignee");
	if (who->person[0] && assignee && strcmp(assignee, who->person) == 0)
		return 1;
	const cJSON *told; /* an alert: whoever a rule told sees what they were told about */
	cJSON_ArrayForEach(told, cJSON_GetObjectItemCaseSensitive(rec, "told"))
		if (who->person[0] && vocd_json_str(told, "person") && strcmp(vocd_json_str(told, "person"), who->person) == 0)
			return 1;
	const cJSON *context = cJSON_GetObjectItemCaseSensitive(rec, "context");
	if (who->role == VOCD_ROLE_AGENT) {
		const char *agent = vocd_json_str(context, "agent");
		return who->person[0] && agent && strcmp(agent, who->person) == 0;
	}
	/* A supervisor with a scope. */
	const struct vocd_person *p = person_of(t, who);
	return p && p->scope && vocd_org_context_within(&t->org, vocd_org_find(&t->org, p->scope), context);
}

void vocd_scope_context_of(const struct vocd_tenant_conf *t, cJSON *context, const char *dim, const char *value)
{
	cJSON_AddStringToObject(context, dim, value);
	const struct vocd_person *p = strcmp(dim, "agent") == 0 ? vocd_people_find(&t->people, value) : NULL;
	if (p && p->team)
		cJSON_AddStringToObject(context, "team", p->team);
}

int vocd_scope_sees_value(const struct vocd_tenant_conf *t, const struct vocd_token_info *who, const char *dim,
                          const char *value)
{
	cJSON *rec = cJSON_CreateObject();
	vocd_scope_context_of(t, cJSON_AddObjectToObject(rec, "context"), dim, value);
	int sees = vocd_scope_sees(t, who, rec);
	cJSON_Delete(rec);
	return sees;
}

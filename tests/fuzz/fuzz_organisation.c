/* A tenant's `organisation = { ... }` tree as JSON, with a service context: read or refused with the unit
 * named; a tree read holds each unit once, each parent chain ends at the top, every unit is within itself
 * and its ancestors for a context naming it, and scope questions on any context terminate. Input:
 * {"organisation": ..., "context": {...}}. */
#include <stdint.h>

#include "error.h"
#include "fuzz_util.h"
#include "organisation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	if (!j || fuzz_duplicate_names(j)) {
		cJSON_Delete(j);
		return 0;
	}
	struct vocd_organisation org;
	char why[512];
	why[0] = '\0';
	int rc = vocd_org_parse(cJSON_GetObjectItemCaseSensitive(j, "organisation"), &org, why, sizeof why);
	FUZZ_ASSERT(rc == 0 || (rc == VOCD_ECONFIG && why[0] && org.n == 0));
	const cJSON *context = cJSON_GetObjectItemCaseSensitive(j, "context");
	for (size_t i = 0; rc == 0 && i < org.n; i++) {
		FUZZ_ASSERT(vocd_org_find(&org, org.units[i].name) == (int)i);
		size_t steps = 0;
		for (int u = org.units[i].parent; u >= 0; u = org.units[u].parent)
			FUZZ_ASSERT(++steps <= org.n && (size_t)u < org.n);
		/* A context naming the unit by its own kind and id is within it and within each ancestor. */
		const char *colon = strchr(org.units[i].name, ':');
		char kind[16];
		snprintf(kind, sizeof kind, "%.*s", (int)(colon - org.units[i].name), org.units[i].name);
		if (strcmp(kind, "group") != 0) {
			cJSON *named = cJSON_CreateObject();
			cJSON_AddStringToObject(named, kind, colon + 1);
			for (int u = (int)i; u >= 0; u = org.units[u].parent)
				FUZZ_ASSERT(vocd_org_context_within(&org, u, named));
			cJSON_Delete(named);
		}
		vocd_org_context_within(&org, (int)i, context);
	}
	if (rc == 0)
		vocd_org_free(&org);
	cJSON_Delete(j);
	return 0;
}

/* A tenant's `people = { ... }` setting as JSON (ids, roles, teams, managers, phones, emails): read or
 * refused with the person named; people read are then looked up as rules and assignment do. */
#include <stdint.h>

#include "error.h"
#include "fuzz_util.h"
#include "people.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	if (!j || fuzz_duplicate_names(j)) {
		cJSON_Delete(j);
		return 0;
	}
	struct vocd_people p;
	char why[512];
	why[0] = '\0';
	int rc = vocd_people_parse(j, &p, why, sizeof why);
	FUZZ_ASSERT(rc == 0 || (rc == VOCD_ECONFIG && why[0]));
	if (rc == 0) {
		static const char *const dims[] = {"agent", "team", "store", "dealer", "region", "product_line"};
		for (size_t i = 0; i < p.n; i++) {
			const struct vocd_person *who = &p.list[i];
			FUZZ_ASSERT(vocd_people_find(&p, who->id) == who);
			for (size_t k = 0; k < who->nroles; k++)
				FUZZ_ASSERT(vocd_person_has_role(who, who->roles[k]));
			for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
				vocd_people_manager_of(&p, dims[d], d == 0 ? who->id : who->team ? who->team : "x");
		}
		vocd_people_free(&p);
	}
	cJSON_Delete(j);
	return 0;
}

/* The organisation tree of a tenant (`organisation = { ... }` in the tenant file): group → brand → region →
 * store or dealer → team, each unit written "kind:id". A person's `scope` names one unit, and they see the
 * records whose service context falls in that unit's subtree:
 *
 *   organisation = {
 *     ["brand:lumen"] = {
 *       ["region:east"] = {
 *         ["store:s-1"] = { "team:care" },
 *         ["dealer:d-01"] = {},
 *       },
 *     },
 *   }
 *
 * A record is in unit U's subtree when one of the units its context names (brand, region, store, dealer,
 * team) is U or lies below U. Units a context names that the tree does not know are in nobody's subtree
 * but the whole tenant's. */
#ifndef VOCD_ORGANISATION_H
#define VOCD_ORGANISATION_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct vocd_org_unit {
	char *name;   /**< "store:s-1" */
	int parent;   /**< index of the parent unit, -1 at the top */
};

struct vocd_organisation {
	struct vocd_org_unit *units; /**< in the order the file lists them; a tenant's tree is small */
	size_t n;
};

/**
 * \brief Reads the setting (NULL: no tree).
 * \return 0, or VOCD_ECONFIG with the first problem in \p why ("organisation.brand:lumen.region:east: …").
 */
int vocd_org_parse(const cJSON *setting, struct vocd_organisation *out, char *why, size_t why_len);
void vocd_org_free(struct vocd_organisation *org);

/** \brief The index of unit \p name ("store:s-1"), or -1. */
int vocd_org_find(const struct vocd_organisation *org, const char *name);

/** \brief True if the service context \p context names \p unit (an index) or a unit below it. */
int vocd_org_context_within(const struct vocd_organisation *org, int unit, const cJSON *context);

/**
 * \brief The units above those \p context names, by kind, where the context names none of that kind:
 * {"store": "s-1", "region": "east", "brand": "lumen"} for a context naming only team care. Recorded with
 * each evaluation and invitation (as "org") so that a unit's figures include its subtree as the tree was
 * then. \return a new object, or NULL when there is nothing above.
 */
cJSON *vocd_org_above(const struct vocd_organisation *org, const cJSON *context);

#endif

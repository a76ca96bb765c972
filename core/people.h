/* The people of a tenant who handle tickets and receive alerts (`people = { ... }` in the tenant file):
 * their business roles ("service_director", "account_manager"), their team, their manager, what they
 * manage ("dealer:d-01", "team:care") and how to reach them. Workflow rules and ticket assignment name
 * people through it: a person, a role, a team, or "the manager of" an agent, team, store or dealer.
 *
 *   people = {
 *     zhou = { name = "周敏", roles = { "service_director" }, phone = "13800000001" },
 *     li = { name = "李强", roles = { "supervisor" }, manager = "zhou", manages = { "team:care" } },
 *     ["a-17"] = { name = "王芳", team = "care", manager = "li" },
 *   }
 *
 * A person's id is what a ticket's assignee and a service context's agent are written as. Their phone and
 * email are the organisation's own contact details for staff, kept in the tenant file and never stored.
 *
 * Who may sign in, and what they then see: `access` is their role in vocd (admin, supervisor, agent,
 * auditor, integrator: what they may read and do), `scope` a unit of the organisation tree
 * ("store:s-1": they see that unit's subtree; none: the whole tenant). A person without `access` cannot
 * sign in. Their password is set with `vocd user password` and kept only as a hash. */
#ifndef VOCD_PEOPLE_H
#define VOCD_PEOPLE_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct vocd_person {
	char *id;       /**< 1-128 of letters, digits, _ . : - */
	char *name;     /**< display name, may be NULL */
	char **roles;   /**< business roles, [a-z0-9_]{1,64} */
	size_t nroles;
	char *team;     /**< may be NULL */
	char *manager;  /**< another person's id, may be NULL */
	char **manages; /**< "team:care", "dealer:d-01", "store:s-1", "region:east", "product_line:x" */
	size_t nmanages;
	char *phone;    /**< "+8613800000001" (normalised), may be NULL */
	char *email;    /**< normalised, may be NULL */
	char *lang;     /**< "zh-CN" or "en": the language of their notifications; NULL: zh-CN */
	int access;     /**< enum vocd_role they sign in with; -1: they do not sign in */
	char *scope;    /**< a unit of the organisation tree ("store:s-1"); NULL: the whole tenant */
};

struct vocd_people {
	struct vocd_person *list; /**< sorted by id */
	size_t n;
};

/**
 * \brief Reads the setting (NULL: nobody).
 * \return 0, or VOCD_ECONFIG with the first problem in \p why, naming it: "people.li.manager: \"zhuo\" is not
 *         one of the people", "people.a-17.phone: not a valid phone number".
 */
int vocd_people_parse(const cJSON *setting, struct vocd_people *out, char *why, size_t why_len);

void vocd_people_free(struct vocd_people *p);

/** \brief The person with that id, or NULL. */
const struct vocd_person *vocd_people_find(const struct vocd_people *p, const char *id);

/** \brief True if \p person holds business role \p role. */
int vocd_person_has_role(const struct vocd_person *person, const char *role);

/**
 * \brief Who manages \p value of dimension \p dim: for "agent" (or "person"), the person's manager; for
 * "team", "store", "dealer", "region" or "product_line", the first person (by id) whose `manages` names
 * "<dim>:<value>", else for a team the manager of its members. NULL when nobody does.
 */
const struct vocd_person *vocd_people_manager_of(const struct vocd_people *p, const char *dim, const char *value);

/** \brief True if \p dim is a dimension people can manage: team, store, dealer, region, product_line. */
int vocd_people_dimension_valid(const char *dim);

#endif

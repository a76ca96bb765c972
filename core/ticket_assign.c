/* Ticket assignment: resolves a person, a role, a team or a manager to one person of the tenant. */
#include "ticket_assign.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "ids.h"
#include "record.h"

#define TICKET_TYPE "ticket"

size_t vocd_assign_open_key(const char *person, char out[130])
{
	size_t n = strlen(person);
	if (n > 128)
		n = 128;
	memcpy(out, person, n);
	out[n] = '\0';
	return n + 1;
}

static int count_one(const char *id, const void *data, size_t len, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int open_tickets(vocd_txn *txn, const char *tenant, const char *person, int *n)
{
	char key[130];
	*n = 0;
	int rc = vocd_index_scan(txn, tenant, TICKET_TYPE, "open_by_assignee", key, vocd_assign_open_key(person, key),
	                         count_one, n);
	return rc < 0 ? rc : 0;
}

typedef int (*person_filter)(const struct vocd_person *p, const char *value);

static int in_team(const struct vocd_person *p, const char *team)
{
	return p->team && strcmp(p->team, team) == 0;
}

static int has_role(const struct vocd_person *p, const char *role)
{
	return vocd_person_has_role(p, role);
}

/* Among the people \p keep accepts: the one with the fewest open tickets (ties: the first by id), or the
 * next in turn. "" when nobody matches. */
static int pick(vocd_txn *txn, const struct vocd_tenant_conf *t, person_filter keep, const char *value,
                enum vocd_assign_how how, char person[129])
{
	const struct vocd_people *pp = &t->people;
	person[0] = '\0';
	size_t count = 0;
	for (size_t i = 0; i < pp->n; i++)
		count += keep(&pp->list[i], value) != 0;
	if (count == 0)
		return 0;
	if (how == VOCD_ASSIGN_ROUND_ROBIN) {
		char name[128];
		uint64_t turn;
		/* A counter's name has at most 128 bytes: a team named longer counts under its name's hash. */
		if (strlen(value) <= sizeof name - sizeof "assign.turn.") {
			snprintf(name, sizeof name, "assign.turn.%s", value);
		} else {
			unsigned char d[32];
			char hex[65];
			vocd_sha256(value, strlen(value), d);
			vocd_hex(d, sizeof d, hex);
			snprintf(name, sizeof name, "assign.turn.sha256:%s", hex);
		}
		int rc = vocd_seq_next(txn, t->id, name, &turn);
		if (rc != 0)
			return rc;
		size_t want = (size_t)((turn - 1) % count);
		for (size_t i = 0; i < pp->n; i++)
			if (keep(&pp->list[i], value) && want-- == 0) {
				snprintf(person, 129, "%s", pp->list[i].id);
				break;
			}
		return 0;
	}
	int best = -1;
	for (size_t i = 0; i < pp->n; i++) {
		if (!keep(&pp->list[i], value))
			continue;
		int n;
		int rc = open_tickets(txn, t->id, pp->list[i].id, &n);
		if (rc != 0)
			return rc;
		if (best < 0 || n < best) {
			best = n;
			snprintf(person, 129, "%s", pp->list[i].id);
		}
	}
	return 0;
}

static enum vocd_assign_how how_of(const cJSON *spec, enum vocd_assign_how fallback)
{
	const char *h = vocd_json_str(spec, "how");
	if (!h)
		return fallback;
	return strcmp(h, "round_robin") == 0 || strcmp(h, "round robin") == 0 ? VOCD_ASSIGN_ROUND_ROBIN
	                                                                      : VOCD_ASSIGN_FEWEST_OPEN;
}

const struct vocd_person *vocd_assign_manager(const struct vocd_people *people, const char *dim, const cJSON *ticket,
                                              const cJSON *context)
{
	int assignee = strcmp(dim, "assignee") == 0;
	const char *subject = assignee ? vocd_json_str(ticket, "assignee") : vocd_json_str(context, dim);
	return subject ? vocd_people_manager_of(people, assignee ? "agent" : dim, subject) : NULL;
}

int vocd_assign_resolve(vocd_txn *txn, const struct vocd_tenant_conf *t, const cJSON *spec, const cJSON *ticket,
                        char person[129], char queue[129])
{
	person[0] = queue[0] = '\0';
	const char *v;
	if (spec && (v = vocd_json_str(spec, "person"))) {
		snprintf(person, 129, "%s", v);
		return 0;
	}
	if (spec && (v = vocd_json_str(spec, "role"))) {
		snprintf(queue, 129, "%s", v);
		return pick(txn, t, has_role, v, how_of(spec, VOCD_ASSIGN_FEWEST_OPEN), person);
	}
	if (spec && (v = vocd_json_str(spec, "manager_of"))) {
		const struct vocd_person *m =
			vocd_assign_manager(&t->people, v, ticket, cJSON_GetObjectItemCaseSensitive(ticket, "context"));
		if (m) {
			snprintf(person, 129, "%s", m->id);
			return 0;
		}
		/* Nobody manages it: the default assignment below. */
	}
	const char *team = spec ? vocd_json_str(spec, "team") : NULL;
	if (!team)
		team = t->tickets.assign_team;
	if (!team)
		team = vocd_json_str(cJSON_GetObjectItemCaseSensitive(ticket, "context"), "team");
	if (!team)
		return 0;
	snprintf(queue, 129, "%s", team);
	return pick(txn, t, in_team, team, how_of(spec, t->tickets.assign_how), person);
}

int vocd_assign_check(const cJSON *spec, const struct vocd_people *people, char *why, size_t why_len)
{
	static const char *const keys[] = {"person", "role", "team", "how", "manager_of", NULL};
	static const char *const dims[] = {"agent", "team", "store", "dealer", "region", "product_line", "assignee", NULL};
	if (!cJSON_IsObject(spec)) {
		snprintf(why, why_len, "expected { person = \"…\" }, { role = \"…\" }, { team = \"…\", how = \"round_robin\" } "
		         "or { manager_of = \"agent\" }");
		return -1;
	}
	int named = 0;
	for (const cJSON *k = spec->child; k; k = k->next) {
		int known = 0;
		for (const char *const *n = keys; *n; n++)
			known |= strcmp(*n, k->string) == 0;
		if (!known || !cJSON_IsString(k) || !k->valuestring[0]) {
			snprintf(why, why_len, "%s: %s", k->string,
			         known ? "expected text" : "unknown (known: person, role, team, how, manager_of)");
			return -1;
		}
		named += strcmp(k->string, "how") != 0;
	}
	if (named != 1) {
		snprintf(why, why_len, "name one of person, role, team or manager_of");
		return -1;
	}
	const char *v;
	if ((v = vocd_json_str(spec, "person")) && !vocd_people_find(people, v)) {
		snprintf(why, why_len, "person \"%s\" is not one of the people (people = { … } in the tenant file)", v);
		return -1;
	}
	if ((v = vocd_json_str(spec, "how")) && strcmp(v, "round_robin") && strcmp(v, "round robin") &&
	    strcmp(v, "fewest_open") && strcmp(v, "fewest open")) {
		snprintf(why, why_len, "how: expected \"round_robin\" or \"fewest_open\", got \"%s\"", v);
		return -1;
	}
	if ((v = vocd_json_str(spec, "manager_of"))) {
		int ok = 0;
		for (const char *const *d = dims; *d; d++)
			ok |= strcmp(*d, v) == 0;
		if (!ok) {
			snprintf(why, why_len, "manager_of: expected agent, team, store, dealer, region, product_line or assignee, "
			         "got \"%s\"", v);
			return -1;
		}
	}
	if ((v = vocd_json_str(spec, "team"))) {
		int found = 0;
		for (size_t i = 0; i < people->n && !found; i++)
			found = people->list[i].team && strcmp(people->list[i].team, v) == 0;
		if (!found) {
			snprintf(why, why_len, "team \"%s\": nobody in people is in it", v);
			return -1;
		}
	}
	if ((v = vocd_json_str(spec, "role"))) {
		int found = 0;
		for (size_t i = 0; i < people->n && !found; i++)
			found = vocd_person_has_role(&people->list[i], v);
		if (!found) {
			snprintf(why, why_len, "role \"%s\": nobody in people has it", v);
			return -1;
		}
	}
	return 0;
}

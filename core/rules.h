/* Workflow rules: the declarative `rule = { on, when, actions }` of a workflow plugin, checked when the
 * plugin loads and compiled into a form the core evaluates quickly (a hundred rules on one event in a
 * few microseconds each), explains (which condition held, with which value) and never runs with side
 * effects of its own: actions are carried out by the core (rule_actions.c).
 *
 *   rule = {
 *     name = { ["zh-CN"] = "VIP 客户低分", en = "VIP customer, low score" },
 *     on = "evaluation.created",
 *     when = {                                         -- all of these / 以下条件全部满足
 *       { "customer.tier", "is", "VIP" },
 *       { "evaluation.scores.csat", "<", 3 },
 *       { any = { { "evaluation.text", "contains any", { "欺诈", "fraud" } }, { ... } } },
 *       { "stats.nps_mean", "<", 7, of = "dealer", period = "30 days", min_answers = 5 },
 *     },
 *     actions = {
 *       { "open ticket", class = "urgent", assign = { role = "service_director" } },
 *       { "notify", to = { role = "service_director" }, channel = "sms", message = { … } },
 *     },
 *     once_per = { key = "context.dealer", days = 7 },  -- optional: fire at most once a week per dealer
 *   }
 *
 * The JSON form comes from the plugin's Lua table: a condition or action with named parts is an object
 * whose positional parts have the keys "1", "2", "3". */
#ifndef VOCD_RULES_H
#define VOCD_RULES_H

#include <cjson/cJSON.h>

#include "config.h"
#include "facts.h"

struct vocd_rule;

/**
 * \brief Checks and compiles a rule for a tenant (people named in assignments and notifications must be
 * among its people). \p label names the plugin ("workflows/vip_low_csat").
 * \return 0, VOCD_ENOMEM, or VOCD_ECONFIG with the first problem in \p why, naming the part:
 *         "rule.when[2]: unknown operator \"belo\" (known: is, is not, <, <=, >, >=, in, not in, contains
 *         any, exists, missing)".
 */
int vocd_rule_compile(const cJSON *spec, const char *label, const struct vocd_tenant_conf *t, struct vocd_rule **out,
                      char *why, size_t why_len);

void vocd_rule_free(struct vocd_rule *r);

/** \brief Frees \p n compiled rules and the array holding them (accepts NULL). */
void vocd_rules_free(struct vocd_rule **rules, size_t n);

const char *vocd_rule_label(const struct vocd_rule *r);
const char *vocd_rule_on(const struct vocd_rule *r);
/** \brief The rule's name in \p lang ("zh-CN" or "en"), or its label. */
const char *vocd_rule_title(const struct vocd_rule *r, const char *lang);

/** \brief True if the rule listens to \p topic (its `on` is the topic, "prefix.*" or "*"). */
int vocd_rule_listens(const struct vocd_rule *r, const char *topic);

/**
 * \brief Evaluates the rule's conditions on \p f. With \p why (a JSON array), each condition looked at is
 * appended as {fact, value?, op, expected?, ok, of?, subject?, period?, answers?} (conditions not needed
 * to decide are not looked at).
 * \return 1 (fires), 0 (does not).
 */
int vocd_rule_eval(const struct vocd_rule *r, struct vocd_facts *f, cJSON *why);

/**
 * \brief The rule's actions, normalised: [{"do": "open_ticket" | "assign" | "escalate" | "set_class" |
 * "alert" | "notify" | "tag", ...its settings}] (the rule's own; do not free).
 */
const cJSON *vocd_rule_actions(const struct vocd_rule *r);

/** \brief The rule's once_per: the fact whose value keys it and the days; 0 when it has none. */
int vocd_rule_once_per(const struct vocd_rule *r, const char **key, int *days);

#endif

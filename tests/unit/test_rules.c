/* Tests of core/rules.c: workflow rules compiled from their JSON form (with the message of each mistake),
 * evaluated on hand-built facts with every operator and group, explained condition by condition, and
 * fast enough for a hundred rules per event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "facts.h"
#include "rules.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* ---- Helpers ------------------------------------------------------------------------------------ */

/* The tenant: a director, a supervisor and an agent of team care. */
static struct vocd_tenant_conf conf;

static const char people[] = "{"
                             "\"zhou\": {\"roles\": [\"service_director\"]},"
                             "\"li\": {\"roles\": [\"supervisor\"], \"manager\": \"zhou\"},"
                             "\"a-17\": {\"team\": \"care\", \"manager\": \"li\"}"
                             "}";

/* The facts of one evaluation.created event, built by hand: no store, so computed figures are unknown. */
static const char event_facts[] =
    "{\"evaluation\": {\"id\": \"e-1\", \"scores\": {\"csat\": 2, \"nps\": 9},"
    "                  \"text\": \"The agent was RUDE and 他们涉嫌欺诈\", \"tags\": [\"vip_unhappy\", \"Refund\"],"
    "                  \"channel\": \"sms\", \"comment\": null, \"verified\": true},"
    " \"customer\": {\"id\": \"c-1\", \"tier\": \"VIP\"},"
    " \"context\": {\"agent\": \"a-17\", \"dealer\": \"d-01\"}}";

static struct vocd_facts facts;

static int group_setup(void **state)
{
	(void)state;
	char why[256];
	cJSON *p = cJSON_Parse(people);
	memset(&conf, 0, sizeof conf);
	conf.id = (char *)"acme";
	int rc = vocd_people_parse(p, &conf.people, why, sizeof why);
	cJSON_Delete(p);
	if (rc != 0) {
		fprintf(stderr, "people refused: %s\n", why);
		return -1;
	}
	memset(&facts, 0, sizeof facts);
	facts.tenant = "acme";
	facts.conf = &conf;
	facts.topic = "evaluation.created";
	facts.at = 1796205600000LL;
	facts.unanswered = -1;
	facts.txn = NULL;
	facts.root = cJSON_Parse(event_facts);
	return facts.root ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	cJSON_Delete(facts.root);
	vocd_people_free(&conf.people);
	return 0;
}

/* Compiles the rule \p json, failing the test with the message if it is refused. Caller frees. */
static struct vocd_rule *compile(const char *json)
{
	cJSON *spec = cJSON_Parse(json);
	if (!spec)
		fail_msg("test JSON does not parse: %s", json);
	struct vocd_rule *r = NULL;
	char why[512] = "";
	int rc = vocd_rule_compile(spec, "workflows/test", &conf, &r, why, sizeof why);
	cJSON_Delete(spec);
	if (rc != 0 || !r)
		fail_msg("%s\n  refused (%d): %s", json, rc, why);
	return r;
}

/* A rule on \p on with conditions \p when (JSON) and a harmless action. */
static struct vocd_rule *compile_when(const char *on, const char *when)
{
	char json[4096];
	snprintf(json, sizeof json, "{\"on\": \"%s\", \"when\": %s, \"actions\": [[\"tag\", \"t\"]]}", on, when);
	return compile(json);
}

/* Evaluates \p r on the event's facts; \p why (may be NULL) gets the explanation. */
static int eval(const struct vocd_rule *r, cJSON *why)
{
	return vocd_rule_eval(r, &facts, why);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- Compiling: mistakes ------------------------------------------------------------------------ */

#define TAG "\"actions\": [[\"tag\", \"t\"]]"
#define ON_EVAL "\"on\": \"evaluation.created\", "
#define ON_TICKET "\"on\": \"ticket.opened\", "
#define WHEN_NONE "\"when\": [], "
#define OPS "(known: is, is not, <, <=, >, >=, in, not in, contains any, contains none of, exists, missing)"
#define NOT_READABLE(fact, on, main)                                                                               \
	"rule.when[1]: \"" fact "\" is not a fact a rule on " on " can read (facts start with " main                  \
	", customer, context or stats)"
#define ONCE_WANTED                                                                                                \
	"rule.once_per: expected { key = \"context.dealer\", days = 7 }: fire at most once in that many days for the "  \
	"same value of that fact"
#define NOT_PEOPLE(who) "person \"" who "\" is not one of the people (people = { … } in the tenant file)"

static void mistakes_are_refused_with_what_was_expected(void **state)
{
	(void)state;
	static const struct {
		const char *json, *why;
	} cases[] = {
	    /* the rule itself */
	    {"[1]", "rule: expected { on = \"evaluation.created\", when = { … }, actions = { … } }"},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"priority\": 1}",
	     "rule: unknown setting 'priority' (known: id, name, on, when, actions, once_per)"},
	    {"{\"on\": \"Evaluation Created\", " WHEN_NONE TAG "}",
	     "rule.on: expected the event it listens to, such as \"evaluation.created\", \"ticket.opened\", "
	     "\"ticket.sla_breached\", \"invitation.expired\" or \"ticket.*\""},
	    {"{\"on\": \"ticket*\", " WHEN_NONE TAG "}",
	     "rule.on: expected the event it listens to, such as \"evaluation.created\", \"ticket.opened\", "
	     "\"ticket.sla_breached\", \"invitation.expired\" or \"ticket.*\""},
	    {"{" WHEN_NONE TAG "}",
	     "rule.on: expected the event it listens to, such as \"evaluation.created\", \"ticket.opened\", "
	     "\"ticket.sla_breached\", \"invitation.expired\" or \"ticket.*\""},
	    {"{" ON_EVAL "\"name\": 3, " WHEN_NONE TAG "}", "rule.name: expected text, or { [\"zh-CN\"] = \"…\", en = \"…\" }"},
	    {"{" ON_EVAL TAG "}",
	     "rule.when: required: the conditions, such as { { \"evaluation.scores.csat\", \"<\", 3 } } (an empty list {} "
	     "fires on every event)"},
	    {"{" ON_EVAL "\"when\": \"csat < 3\", " TAG "}",
	     "rule.when: expected a list of conditions { { \"fact\", \"op\", value }, … }"},
	    /* operators */
	    {"{" ON_EVAL "\"when\": [[\"evaluation.scores.csat\", \"belo\", 3]], " TAG "}",
	     "rule.when[1]: unknown operator \"belo\" " OPS},
	    {"{" ON_EVAL "\"when\": [[\"evaluation.scores.csat\", \"IS\", 3]], " TAG "}",
	     "rule.when[1]: unknown operator \"IS\" " OPS},
	    /* facts the rule's event does not have */
	    {"{" ON_EVAL "\"when\": [[\"ticket.class\", \"is\", \"urgent\"]], " TAG "}",
	     NOT_READABLE("ticket.class", "evaluation.created", "evaluation")},
	    {"{" ON_TICKET "\"when\": [[\"evaluation.scores.csat\", \"<\", 3]], " TAG "}",
	     NOT_READABLE("evaluation.scores.csat", "ticket.opened", "ticket")},
	    {"{" ON_EVAL "\"when\": [[\"event.topic\", \"is\", \"x\"]], " TAG "}",
	     NOT_READABLE("event.topic", "evaluation.created", "evaluation")},
	    {"{" ON_EVAL "\"when\": [[\"customer\", \"exists\"]], " TAG "}",
	     NOT_READABLE("customer", "evaluation.created", "evaluation")},
	    {"{" ON_EVAL "\"when\": [[\"evaluationx.scores\", \"exists\"]], " TAG "}",
	     NOT_READABLE("evaluationx.scores", "evaluation.created", "evaluation")},
	    /* values */
	    {"{" ON_EVAL "\"when\": [[\"evaluation.scores.csat\", \"<\", \"3\"]], " TAG "}",
	     "rule.when[1]: \"<\" compares numbers: expected a number, got text"},
	    {"{" ON_EVAL "\"when\": [[\"evaluation.scores.csat\", \">=\", [3]]], " TAG "}",
	     "rule.when[1]: \">=\" compares numbers: expected a number, got something else"},
	    {"{" ON_EVAL "\"when\": [[\"customer.tier\", \"in\", \"VIP\"]], " TAG "}",
	     "rule.when[1]: \"in\" expects a list such as { \"VIP\", \"gold\" }"},
	    {"{" ON_EVAL "\"when\": [[\"customer.tier\", \"not in\", \"VIP\"]], " TAG "}",
	     "rule.when[1]: \"not in\" expects a list such as { \"VIP\", \"gold\" }"},
	    {"{" ON_EVAL "\"when\": [[\"customer.tier\", \"is\"]], " TAG "}",
	     "rule.when[1]: \"is\" needs a value to compare with"},
	    {"{" ON_EVAL "\"when\": [[\"evaluation.text\", \"contains any\", 3]], " TAG "}",
	     "rule.when[1]: \"contains any\" expects a word or a list of words such as { \"欺诈\", \"fraud\" }"},
	    {"{" ON_EVAL "\"when\": [[\"evaluation.text\", \"contains any\", [\"fraud\", \"\"]]], " TAG "}",
	     "rule.when[1]: the words must be text, and not empty"},
	    {"{" ON_EVAL "\"when\": [[\"customer.tier\"]], " TAG "}",
	     "rule.when[1]: expected { \"fact\", \"operator\", value } such as { \"evaluation.scores.csat\", \"<\", 3 }"},
	    {"{" ON_EVAL "\"when\": [3], " TAG "}", "rule.when[1]: expected a condition { \"fact\", \"operator\", value }"},
	    /* where the mistake is, inside groups */
	    {"{" ON_EVAL "\"when\": [[\"customer.tier\", \"is\", \"VIP\"], {\"any\": [[\"evaluation.scores.csat\", \"<\", 3],"
	     " [\"evaluation.scores.nps\", \"<\", \"x\"]]}], " TAG "}",
	     "rule.when[2].any[2]: \"<\" compares numbers: expected a number, got text"},
	    {"{" ON_EVAL "\"when\": [{\"any\": [], \"all\": []}], " TAG "}",
	     "rule.when[1]: a group is written alone: { all = { … } }"},
	    {"{" ON_EVAL "\"when\": [{\"none\": \"x\"}], " TAG "}",
	     "rule.when[1].none: expected a list of conditions { { \"fact\", \"op\", value }, … }"},
	    /* named parts */
	    {"{" ON_EVAL "\"when\": [{\"1\": \"customer.tier\", \"2\": \"is\", \"3\": \"VIP\", \"off\": \"dealer\"}], " TAG "}",
	     "rule.when[1]: unknown setting 'off' (known: of, period, min_answers, category, days)"},
	    {"{" ON_EVAL "\"when\": [{\"1\": \"customer.tier\", \"2\": \"is\", \"3\": \"VIP\", \"of\": \"dealer\"}], " TAG "}",
	     "rule.when[1]: of, period and min_answers belong to stats.* figures"},
	    /* figures */
	    {"{" ON_EVAL "\"when\": [{\"1\": \"stats.nps_mean\", \"2\": \"<\", \"3\": 7}], " TAG "}",
	     "rule.when[1]: of: whose figure: expected agent, team, store, dealer, region, product_line, channel, "
	     "service_type or all"},
	    {"{" ON_EVAL "\"when\": [{\"1\": \"stats.nps_mean\", \"2\": \"<\", \"3\": 7, \"of\": \"customer\"}], " TAG "}",
	     "rule.when[1]: of: whose figure: expected agent, team, store, dealer, region, product_line, channel, "
	     "service_type or all"},
	    {"{" ON_EVAL "\"when\": [{\"1\": \"stats.nps_median\", \"2\": \"<\", \"3\": 7, \"of\": \"dealer\"}], " TAG "}",
	     "rule.when[1]: \"stats.nps_median\": expected stats.answers, stats.csat (% of 4 and 5), stats.csat_mean, "
	     "stats.nps, stats.nps_mean (mean 0-10 score) or stats.ces_mean"},
	    {"{" ON_EVAL "\"when\": [{\"1\": \"stats.nps_mean\", \"2\": \"<\", \"3\": 7, \"of\": \"dealer\", \"period\": "
	     "\"last week\"}], " TAG "}",
	     "rule.when[1]: period: expected \"30 days\", \"7 days\", \"this month\" or \"today\", got \"last week\""},
	    {"{" ON_EVAL "\"when\": [{\"1\": \"stats.nps_mean\", \"2\": \"<\", \"3\": 7, \"of\": \"dealer\", "
	     "\"min_answers\": 0}], " TAG "}",
	     "rule.when[1]: min_answers: expected a whole number from 1"},
	    {"{" ON_EVAL "\"when\": [{\"1\": \"stats.nps\", \"2\": \"is\", \"3\": 7, \"of\": \"dealer\"}], " TAG "}",
	     "rule.when[1]: a figure is compared with <, <=, > or >="},
	    /* actions */
	    {"{" ON_EVAL WHEN_NONE "\"actions\": []}",
	     "rule.actions: required: a list of what to do, such as { { \"open ticket\", class = \"urgent\" } }"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [[\"explode\"]]}",
	     "rule.actions[1]: expected an action such as { \"open ticket\", class = \"urgent\" }: open ticket, assign, "
	     "escalate, set class, alert, notify or tag"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [[\"tag\", \"t\"], [\"Open Ticket\"]]}",
	     "rule.actions[2]: expected an action such as { \"open ticket\", class = \"urgent\" }: open ticket, assign, "
	     "escalate, set class, alert, notify or tag"},
	    {"{" ON_TICKET WHEN_NONE "\"actions\": [{\"1\": \"assign\", \"to\": {\"person\": \"zhuo\"}}]}",
	     "rule.actions[1].to: " NOT_PEOPLE("zhuo")},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"open ticket\", \"assign\": {\"person\": \"zhuo\"}}]}",
	     "rule.actions[1].assign: " NOT_PEOPLE("zhuo")},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"notify\", \"to\": {\"person\": \"wang\"}, \"channel\": \"sms\"}]}",
	     "rule.actions[1].to: " NOT_PEOPLE("wang")},
	    {"{" ON_TICKET WHEN_NONE "\"actions\": [{\"1\": \"assign\"}]}",
	     "rule.actions[1].to: required: { person = … }, { role = … }, { team = … } or { manager_of = … }"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"notify\", \"to\": {\"role\": \"service_director\"}, "
	     "\"message\": \"hi\"}]}",
	     "rule.actions[1].channel: required: the channel plugin that sends it (\"sms\", \"email\", \"webhook\"), or a "
	     "list of them"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"notify\", \"to\": {\"role\": \"service_director\"}, "
	     "\"channel\": []}]}",
	     "rule.actions[1].channel: required: the channel plugin that sends it (\"sms\", \"email\", \"webhook\"), or a "
	     "list of them"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"notify\", \"channel\": \"sms\"}]}",
	     "rule.actions[1].to: required: who is told ({ role = \"service_director\" }, { person = \"zhou\" }, "
	     "{ manager_of = \"agent\" }, { assignee = true })"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"alert\", \"to\": {\"team\": \"sales\"}, \"channel\": \"sms\"}]}",
	     "rule.actions[1].to: team \"sales\": nobody in people is in it"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"notify\", \"to\": {\"assignee\": true}, \"channel\": \"sms\"}]}",
	     "rule.actions[1].to: the assignee is a ticket's: the rule must listen to a ticket event"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"notify\", \"to\": {\"role\": \"supervisor\"}, \"channel\": "
	     "\"sms\", \"message\": {\"fr\": \"salut\"}}]}",
	     "rule.actions[1].message.fr: expected zh-CN and en texts of up to 2000 bytes"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [[\"notify\", \"zhou\"]]}", "rule.actions[1]: notify takes named settings only"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [[\"set class\", \"urgent\"]]}",
	     "rule.actions[1]: set_class acts on a ticket: the rule must listen to a ticket event (ticket.opened, "
	     "ticket.changed, ticket.sla_breached)"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"escalate\", \"to\": {\"role\": \"supervisor\"}}]}",
	     "rule.actions[1]: escalate acts on a ticket: the rule must listen to a ticket event (ticket.opened, "
	     "ticket.changed, ticket.sla_breached)"},
	    {"{" ON_TICKET WHEN_NONE "\"actions\": [[\"set class\", \"vip\"]]}",
	     "rule.actions[1].class: expected general, important, urgent or repeat"},
	    {"{" ON_TICKET WHEN_NONE "\"actions\": [[\"set class\"]]}", "rule.actions[1]: which class: { \"set class\", \"repeat\" }"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"open ticket\", \"klass\": \"urgent\"}]}",
	     "rule.actions[1]: unknown setting 'klass' (known: class, priority, category, assign, summary)"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"open ticket\", \"priority\": \"asap\"}]}",
	     "rule.actions[1].priority: expected low, normal, high or highest"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"open ticket\", \"category\": \"Billing\"}]}",
	     "rule.actions[1].category: expected 1-64 of a-z, 0-9, _ and - (\"billing\")"},
	    {"{" ON_EVAL WHEN_NONE "\"actions\": [[\"tag\", \"VIP Unhappy\"]]}",
	     "rule.actions[1]: the tag: 1-64 of a-z, 0-9, _ and - ({ \"tag\", \"vip_unhappy\" })"},
	    /* once_per */
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": {\"key\": \"context.dealer\", \"days\": 0}}", ONCE_WANTED},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": {\"key\": \"context.dealer\", \"days\": 367}}", ONCE_WANTED},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": {\"key\": \"dealer\", \"days\": 7}}", ONCE_WANTED},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": {\"key\": \"stats.nps\", \"days\": 7}}", ONCE_WANTED},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": {\"key\": \"ticket.id\", \"days\": 7}}", ONCE_WANTED},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": {\"key\": \"context.dealer\", \"days\": 7, \"per\": 1}}", ONCE_WANTED},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": {\"days\": 7}}", ONCE_WANTED},
	    {"{" ON_EVAL WHEN_NONE TAG ", \"once_per\": \"context.dealer\"}", ONCE_WANTED},
	};
	int wrong = 0; /* every case is tried, so that one mistake does not hide another */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *spec = cJSON_Parse(cases[i].json);
		if (!spec)
			fail_msg("test JSON does not parse: %s", cases[i].json);
		static char sentinel;
		struct vocd_rule *r = (struct vocd_rule *)&sentinel; /* compile must set it to NULL */
		char why[512] = "(untouched)";
		int rc = vocd_rule_compile(spec, "workflows/test", &conf, &r, why, sizeof why);
		cJSON_Delete(spec);
		if (rc != VOCD_ECONFIG || strcmp(why, cases[i].why) != 0) {
			print_error("%s\n  expected ECONFIG \"%s\"\n  got %d \"%s\"\n", cases[i].json, cases[i].why, rc, why);
			wrong++;
		}
		if (rc != 0 && r != NULL) {
			print_error("%s: refused, but a rule was handed back\n", cases[i].json);
			wrong++;
		}
		if (rc == 0)
			vocd_rule_free(r);
	}
	assert_int_equal(wrong, 0);
}

static void an_assignment_to_a_team_nobody_is_in_is_refused(void **state)
{
	(void)state;
	/* As notify does ("team \"sales\": nobody in people is in it"): a ticket assigned to an empty team
	 * would wait in a queue nobody reads. */
	static const char *const specs[] = {
	    "{" ON_TICKET WHEN_NONE "\"actions\": [{\"1\": \"assign\", \"to\": {\"team\": \"sales\"}}]}",
	    "{" ON_EVAL WHEN_NONE "\"actions\": [{\"1\": \"open ticket\", \"assign\": {\"team\": \"sales\"}}]}",
	};
	int wrong = 0;
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		cJSON *spec = cJSON_Parse(specs[i]);
		struct vocd_rule *r = NULL;
		char why[512] = "";
		int rc = vocd_rule_compile(spec, "workflows/test", &conf, &r, why, sizeof why);
		cJSON_Delete(spec);
		vocd_rule_free(r);
		if (rc != VOCD_ECONFIG || !strstr(why, "sales")) {
			print_error("%s\n  expected ECONFIG naming team \"sales\", got %d \"%s\"\n", specs[i], rc, why);
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
	/* A team with someone in it is fine. */
	vocd_rule_free(compile("{" ON_TICKET WHEN_NONE "\"actions\": [{\"1\": \"assign\", \"to\": {\"team\": \"care\"}}]}"));
}

static void conditions_nest_at_most_eight_deep(void **state)
{
	(void)state;
	/* when = { { any = { { any = { … { "customer.tier", "is", "VIP" } } } } } } with n groups */
	char json[2048];
	for (int n = 8; n <= 9; n++) {
		size_t len = (size_t)snprintf(json, sizeof json, "{" ON_EVAL "\"when\": [");
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(json + len, sizeof json - len, "{\"any\": [");
		len += (size_t)snprintf(json + len, sizeof json - len, "[\"customer.tier\", \"is\", \"VIP\"]");
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(json + len, sizeof json - len, "]}");
		snprintf(json + len, sizeof json - len, "], " TAG "}");
		if (n == 8) {
			struct vocd_rule *r = compile(json);
			assert_int_equal(eval(r, NULL), 1);
			vocd_rule_free(r);
		} else {
			cJSON *spec = cJSON_Parse(json);
			struct vocd_rule *r = NULL;
			char why[1024] = "";
			assert_int_equal(vocd_rule_compile(spec, "workflows/test", &conf, &r, why, sizeof why), VOCD_ECONFIG);
			cJSON_Delete(spec);
			const char *tail = ": conditions nested more than 8 deep";
			assert_true(strlen(why) > strlen(tail));
			assert_string_equal(why + strlen(why) - strlen(tail), tail);
			assert_int_equal(strncmp(why, "rule.when[1].any[1].any", 23), 0);
		}
	}
}

/* ---- Compiling: what a rule keeps --------------------------------------------------------------- */

static void a_compiled_rule_keeps_its_name_actions_and_once_per(void **state)
{
	(void)state;
	struct vocd_rule *r = compile(
	    "{\"id\": \"vip_low\", \"name\": {\"zh-CN\": \"VIP 客户低分\", \"en\": \"VIP customer, low score\"},"
	    " \"on\": \"evaluation.created\", \"when\": [[\"customer.tier\", \"is\", \"VIP\"]],"
	    " \"actions\": [{\"1\": \"open ticket\", \"class\": \"urgent\", \"assign\": {\"role\": \"service_director\"}},"
	    "              {\"1\": \"通知\", \"to\": {\"manager_of\": \"agent\"}, \"channel\": [\"sms\", \"email\"],"
	    "               \"message\": {\"zh-CN\": \"{customer.tier} 低分\", \"en\": \"low score\"}},"
	    "              [\"标记\", \"vip_unhappy\"]],"
	    " \"once_per\": {\"key\": \"context.dealer\", \"days\": 7}}");
	assert_string_equal(vocd_rule_label(r), "workflows/test");
	assert_string_equal(vocd_rule_on(r), "evaluation.created");
	assert_string_equal(vocd_rule_title(r, "zh-CN"), "VIP 客户低分");
	assert_string_equal(vocd_rule_title(r, "en"), "VIP customer, low score");
	assert_string_equal(vocd_rule_title(r, NULL), "VIP 客户低分");

	/* Actions normalised: {"do": kind, ...named settings}, aliases and positional parts resolved. */
	const cJSON *a = vocd_rule_actions(r);
	assert_int_equal(cJSON_GetArraySize(a), 3);
	const cJSON *open = cJSON_GetArrayItem(a, 0), *notify = cJSON_GetArrayItem(a, 1), *tag = cJSON_GetArrayItem(a, 2);
	assert_string_equal(str(open, "do"), "open_ticket");
	assert_string_equal(str(open, "class"), "urgent");
	assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(open, "assign"), "role"), "service_director");
	assert_null(cJSON_GetObjectItemCaseSensitive(open, "1"));
	assert_string_equal(str(notify, "do"), "notify");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(notify, "channel")), 2);
	assert_string_equal(str(tag, "do"), "tag");
	assert_string_equal(str(tag, "tag"), "vip_unhappy");

	const char *key = NULL;
	int days = 0;
	assert_int_equal(vocd_rule_once_per(r, &key, &days), 1);
	assert_string_equal(key, "context.dealer");
	assert_int_equal(days, 7);
	vocd_rule_free(r);

	/* One name for both languages; none: the label. No once_per. */
	r = compile("{\"name\": \"低分\", " ON_EVAL WHEN_NONE TAG "}");
	assert_string_equal(vocd_rule_title(r, "en"), "低分");
	assert_string_equal(vocd_rule_title(r, "zh-CN"), "低分");
	vocd_rule_free(r);
	r = compile("{" ON_EVAL WHEN_NONE TAG "}");
	assert_string_equal(vocd_rule_title(r, "en"), "workflows/test");
	assert_int_equal(vocd_rule_once_per(r, &key, &days), 0);
	assert_null(key);
	vocd_rule_free(r);
	/* Only an English name: shown in Chinese too. */
	r = compile("{\"name\": {\"en\": \"Low\"}, " ON_EVAL WHEN_NONE TAG "}");
	assert_string_equal(vocd_rule_title(r, "zh-CN"), "Low");
	vocd_rule_free(r);
	vocd_rule_free(NULL);
}

static void rules_listen_to_their_topics(void **state)
{
	(void)state;
	static const struct {
		const char *on, *topic;
		int listens;
	} cases[] = {
	    {"evaluation.created", "evaluation.created", 1},
	    {"evaluation.created", "evaluation.corrected", 0},
	    {"evaluation.created", "evaluation.created.x", 0},
	    {"evaluation.created", "evaluation", 0},
	    {"ticket.*", "ticket.opened", 1},
	    {"ticket.*", "ticket.sla_breached", 1},
	    {"ticket.*", "tickets.opened", 0},
	    {"ticket.*", "ticket", 0},
	    {"ticket.*", "evaluation.created", 0},
	    {"*", "ticket.opened", 1},
	    {"*", "invitation.expired", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_rule *r = compile_when(cases[i].on, "[]");
		if (vocd_rule_listens(r, cases[i].topic) != cases[i].listens)
			fail_msg("on \"%s\", topic \"%s\": expected %d", cases[i].on, cases[i].topic, cases[i].listens);
		vocd_rule_free(r);
	}
}

/* ---- Evaluating --------------------------------------------------------------------------------- */

static void every_operator_on_the_facts(void **state)
{
	(void)state;
	static const struct {
		const char *cond;
		int ok;
	} cases[] = {
	    /* is: ASCII case-insensitive, exact otherwise; a list is the value when any item is */
	    {"[\"customer.tier\", \"is\", \"vip\"]", 1},
	    {"[\"customer.tier\", \"is\", \"VIP\"]", 1},
	    {"[\"customer.tier\", \"is\", \"VIP \"]", 0},
	    {"[\"customer.tier\", \"is\", \"gold\"]", 0},
	    {"[\"customer.tier\", \"是\", \"VIP\"]", 1},
	    {"[\"customer.tier\", \"==\", \"Vip\"]", 1},
	    {"[\"evaluation.scores.csat\", \"is\", 2]", 1},
	    {"[\"evaluation.scores.csat\", \"is\", \"2\"]", 0},
	    {"[\"evaluation.verified\", \"is\", true]", 1},
	    {"[\"evaluation.verified\", \"is\", false]", 0},
	    {"[\"evaluation.tags\", \"is\", \"refund\"]", 1},
	    {"[\"customer.segment\", \"is\", \"gold\"]", 0},
	    /* is not: a missing fact is not the value */
	    {"[\"customer.segment\", \"is not\", \"gold\"]", 1},
	    {"[\"customer.tier\", \"is not\", \"vip\"]", 0},
	    {"[\"customer.tier\", \"~=\", \"gold\"]", 1},
	    {"[\"customer.tier\", \"不是\", \"VIP\"]", 0},
	    {"[\"evaluation.comment\", \"is not\", \"x\"]", 1},
	    /* numbers */
	    {"[\"evaluation.scores.csat\", \"<\", 3]", 1},
	    {"[\"evaluation.scores.csat\", \"<\", 2]", 0},
	    {"[\"evaluation.scores.csat\", \"<\", 2.5]", 1},
	    {"[\"evaluation.scores.csat\", \"<=\", 2]", 1},
	    {"[\"evaluation.scores.csat\", \"<=\", 1]", 0},
	    {"[\"evaluation.scores.csat\", \">\", 1]", 1},
	    {"[\"evaluation.scores.csat\", \">\", 2]", 0},
	    {"[\"evaluation.scores.csat\", \">=\", 2]", 1},
	    {"[\"evaluation.scores.csat\", \">=\", 3]", 0},
	    {"[\"evaluation.scores.nps\", \"低于\", 10]", 1},
	    {"[\"evaluation.scores.nps\", \"below\", 9]", 0},
	    {"[\"evaluation.scores.nps\", \"高于\", 8]", 1},
	    {"[\"evaluation.scores.nps\", \"不低于\", 9]", 1},
	    {"[\"evaluation.scores.nps\", \"至少\", 10]", 0},
	    {"[\"evaluation.scores.nps\", \"不超过\", 9]", 1},
	    {"[\"evaluation.scores.ces\", \"<\", 3]", 0},    /* missing: unknown, not "less" */
	    {"[\"evaluation.scores.ces\", \">=\", 0]", 0},
	    {"[\"customer.tier\", \"<\", 3]", 0},            /* text is not a number */
	    {"[\"evaluation.comment\", \"<\", 3]", 0},       /* null */
	    /* in, not in */
	    {"[\"customer.tier\", \"in\", [\"gold\", \"vip\"]]", 1},
	    {"[\"customer.tier\", \"in\", [\"gold\"]]", 0},
	    {"[\"customer.tier\", \"in\", []]", 0},
	    {"[\"customer.tier\", \"属于\", [\"VIP\"]]", 1},
	    {"[\"evaluation.scores.csat\", \"in\", [1, 2]]", 1},
	    {"[\"evaluation.scores.csat\", \"in\", [\"1\", \"2\"]]", 0},
	    {"[\"evaluation.tags\", \"in\", [\"refund\", \"x\"]]", 1},
	    {"[\"customer.segment\", \"in\", [\"gold\"]]", 0},
	    {"[\"customer.tier\", \"not in\", [\"gold\"]]", 1},
	    {"[\"customer.tier\", \"not in\", [\"Vip\"]]", 0},
	    {"[\"customer.segment\", \"not in\", [\"gold\"]]", 1},
	    /* contains any: substrings of text, Chinese and English (ASCII case-insensitive); whole tags of a list */
	    {"[\"evaluation.text\", \"contains any\", [\"fraud\", \"欺诈\"]]", 1},
	    {"[\"evaluation.text\", \"contains any\", [\"rude\"]]", 1},
	    {"[\"evaluation.text\", \"contains any\", \"RUDE\"]", 1},
	    {"[\"evaluation.text\", \"contains any\", [\"the AGENT\"]]", 1},
	    {"[\"evaluation.text\", \"contains any\", [\"rude agent\"]]", 0},
	    {"[\"evaluation.text\", \"contains any\", [\"refund\", \"退款\"]]", 0},
	    {"[\"evaluation.text\", \"包含\", [\"涉嫌\"]]", 1},
	    {"[\"evaluation.text\", \"包含\", \"欺骗\"]", 0},
	    {"[\"evaluation.tags\", \"contains any\", [\"REFUND\"]]", 1},
	    {"[\"evaluation.tags\", \"contains any\", [\"vip\"]]", 0},
	    {"[\"customer.segment\", \"contains any\", [\"x\"]]", 0},
	    {"[\"evaluation.scores.csat\", \"contains any\", [\"2\"]]", 0},
	    /* contains none of */
	    {"[\"evaluation.text\", \"contains none of\", [\"refund\", \"退款\"]]", 1},
	    {"[\"evaluation.text\", \"contains none of\", [\"欺诈\"]]", 0},
	    {"[\"evaluation.tags\", \"不包含\", [\"refund\"]]", 0},
	    {"[\"evaluation.tags\", \"does not contain\", [\"vip\"]]", 1},
	    {"[\"customer.segment\", \"contains none of\", [\"x\"]]", 1},
	    /* exists, missing: null is missing */
	    {"[\"evaluation.channel\", \"exists\"]", 1},
	    {"[\"evaluation.scores\", \"exists\"]", 1},
	    {"[\"evaluation.reply\", \"exists\"]", 0},
	    {"[\"evaluation.comment\", \"exists\"]", 0},
	    {"[\"evaluation.text.x\", \"exists\"]", 0},
	    {"[\"context.store\", \"is set\"]", 0},
	    {"[\"context.dealer\", \"存在\"]", 1},
	    {"[\"evaluation.reply\", \"missing\"]", 1},
	    {"[\"evaluation.comment\", \"missing\"]", 1},
	    {"[\"customer.tier\", \"missing\"]", 0},
	    {"[\"customer.tier\", \"不存在\"]", 0},
	    /* the object form of a condition (named parts) */
	    {"{\"1\": \"customer.tier\", \"2\": \"is\", \"3\": \"VIP\"}", 1},
	    {"{\"1\": \"customer.tier\", \"2\": \"is\", \"3\": \"gold\"}", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char when[512];
		snprintf(when, sizeof when, "[%s]", cases[i].cond);
		struct vocd_rule *r = compile_when("evaluation.created", when);
		cJSON *why = cJSON_CreateArray();
		int ok = eval(r, why);
		if (ok != cases[i].ok)
			fail_msg("%s: expected %d, got %d", cases[i].cond, cases[i].ok, ok);
		/* Explained: one condition looked at, with its outcome; the same without an explanation. */
		assert_int_equal(cJSON_GetArraySize(why), 1);
		const cJSON *item = cJSON_GetArrayItem(why, 0);
		assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "ok")), ok);
		assert_non_null(str(item, "fact"));
		assert_non_null(strstr(cases[i].cond, str(item, "fact")));
		assert_int_equal(eval(r, NULL), ok);
		cJSON_Delete(why);
		vocd_rule_free(r);
	}
}

static void groups_any_all_none_nested(void **state)
{
	(void)state;
	static const struct {
		const char *when;
		int ok, looked_at; /* conditions explained: the ones needed to decide */
	} cases[] = {
	    /* no conditions: every event */
	    {"[]", 1, 0},
	    {"{}", 1, 0},
	    {"[{\"all\": []}]", 1, 0},
	    {"[{\"any\": []}]", 0, 0},
	    {"[{\"none\": []}]", 1, 0},
	    /* all (the top level): stops at the first that fails */
	    {"[[\"customer.tier\", \"is\", \"VIP\"], [\"evaluation.scores.csat\", \"<\", 3]]", 1, 2},
	    {"[[\"customer.tier\", \"is\", \"gold\"], [\"evaluation.scores.csat\", \"<\", 3]]", 0, 1},
	    /* any: stops at the first that holds */
	    {"[{\"any\": [[\"customer.tier\", \"is\", \"VIP\"], [\"evaluation.scores.csat\", \"<\", 3]]}]", 1, 1},
	    {"[{\"any\": [[\"customer.tier\", \"is\", \"gold\"], [\"evaluation.scores.csat\", \"<\", 3]]}]", 1, 2},
	    {"[{\"any\": [[\"customer.tier\", \"is\", \"gold\"], [\"evaluation.scores.csat\", \">\", 3]]}]", 0, 2},
	    /* none: holds when no condition does */
	    {"[{\"none\": [[\"customer.tier\", \"is\", \"gold\"], [\"evaluation.scores.csat\", \">\", 3]]}]", 1, 2},
	    {"[{\"none\": [[\"customer.tier\", \"is\", \"VIP\"], [\"evaluation.scores.csat\", \">\", 3]]}]", 0, 1},
	    /* nested: gold, or (csat < 3 and none of (the text thanks anyone)) */
	    {"[{\"any\": [[\"customer.tier\", \"is\", \"gold\"], {\"all\": [[\"evaluation.scores.csat\", \"<\", 3],"
	     " {\"none\": [[\"evaluation.text\", \"contains any\", [\"谢谢\", \"thanks\"]]]}]}]}]",
	     1, 3},
	    /* ... but the text speaks of fraud */
	    {"[{\"any\": [[\"customer.tier\", \"is\", \"gold\"], {\"all\": [[\"evaluation.scores.csat\", \"<\", 3],"
	     " {\"none\": [[\"evaluation.text\", \"contains any\", [\"欺诈\"]]]}]}]}]",
	     0, 3},
	    /* groups inside groups inside none */
	    {"[{\"none\": [{\"all\": [[\"customer.tier\", \"is\", \"VIP\"], {\"any\": [[\"context.agent\", \"is\", "
	     "\"a-18\"], [\"context.agent\", \"is\", \"a-17\"]]}]}]}]",
	     0, 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vocd_rule *r = compile_when("evaluation.created", cases[i].when);
		cJSON *why = cJSON_CreateArray();
		int ok = eval(r, why);
		if (ok != cases[i].ok || cJSON_GetArraySize(why) != cases[i].looked_at)
			fail_msg("%s: expected %d after %d conditions, got %d after %d", cases[i].when, cases[i].ok,
			         cases[i].looked_at, ok, cJSON_GetArraySize(why));
		cJSON_Delete(why);
		vocd_rule_free(r);
	}
}

static void the_explanation_names_fact_value_operator_and_outcome(void **state)
{
	(void)state;
	struct vocd_rule *r = compile_when("evaluation.created",
	                                   "[[\"customer.tier\", \"is\", \"vip\"], [\"evaluation.scores.csat\", \"低于\", 3],"
	                                   " [\"evaluation.reply\", \"missing\"],"
	                                   " [\"evaluation.text\", \"包含\", [\"欺诈\", \"fraud\"]],"
	                                   " [\"context.store\", \"is not\", \"s-1\"]]");
	cJSON *why = cJSON_CreateArray();
	assert_int_equal(eval(r, why), 1);
	char *text = cJSON_PrintUnformatted(why);
	/* Every member in order; operators shown by their first name; no value for a fact that is not there,
	 * no expected value for exists/missing. */
	assert_string_equal(text,
	                    "[{\"fact\":\"customer.tier\",\"value\":\"VIP\",\"op\":\"is\",\"expected\":\"vip\",\"ok\":true},"
	                    "{\"fact\":\"evaluation.scores.csat\",\"value\":2,\"op\":\"<\",\"expected\":3,\"ok\":true},"
	                    "{\"fact\":\"evaluation.reply\",\"op\":\"missing\",\"ok\":true},"
	                    "{\"fact\":\"evaluation.text\",\"value\":\"The agent was RUDE and 他们涉嫌欺诈\","
	                    "\"op\":\"contains any\",\"expected\":[\"欺诈\",\"fraud\"],\"ok\":true},"
	                    "{\"fact\":\"context.store\",\"op\":\"is not\",\"expected\":\"s-1\",\"ok\":true}]");
	free(text);
	cJSON_Delete(why);
	vocd_rule_free(r);

	/* A condition that fails says so, and is the last one looked at. */
	r = compile_when("evaluation.created", "[[\"evaluation.scores.nps\", \"<\", 7], [\"customer.tier\", \"is\", \"VIP\"]]");
	why = cJSON_CreateArray();
	assert_int_equal(eval(r, why), 0);
	text = cJSON_PrintUnformatted(why);
	assert_string_equal(text, "[{\"fact\":\"evaluation.scores.nps\",\"value\":9,\"op\":\"<\",\"expected\":7,\"ok\":false}]");
	free(text);
	cJSON_Delete(why);
	vocd_rule_free(r);
}

static void figures_without_a_snapshot_are_unknown(void **state)
{
	(void)state;
	/* facts.txn is NULL: no figure can be read, so no comparison with one holds. */
	static const struct {
		const char *cond;
	} cases[] = {
	    {"{\"1\": \"stats.nps_mean\", \"2\": \"<\", \"3\": 7, \"of\": \"dealer\"}"},
	    {"{\"1\": \"stats.nps_mean\", \"2\": \">=\", \"3\": 7, \"of\": \"dealer\"}"},
	    {"{\"1\": \"stats.csat\", \"2\": \"<\", \"3\": 101, \"of\": \"all\", \"period\": \"this month\"}"},
	    {"{\"1\": \"stats.answers\", \"2\": \"<\", \"3\": 5, \"of\": \"agent\", \"period\": \"7 days\", "
	     "\"min_answers\": 1}"},
	    {"{\"1\": \"stats.ces_mean\", \"2\": \">\", \"3\": 0, \"of\": \"channel\", \"period\": \"today\"}"},
	    {"{\"1\": \"stats.nps\", \"2\": \"<\", \"3\": 0, \"of\": \"store\"}"}, /* no store in the context */
	    {"[\"customer.unanswered_in_row\", \">=\", 0]"},
	    {"[\"customer.unanswered_in_row\", \"<\", 100]"},
	    {"{\"1\": \"customer.tickets\", \"2\": \">=\", \"3\": 0, \"days\": 30, \"category\": \"same\"}"},
	    {"[\"customer.tickets\", \"<\", 100]"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char when[512];
		snprintf(when, sizeof when, "[%s]", cases[i].cond);
		struct vocd_rule *r = compile_when("evaluation.created", when);
		cJSON *why = cJSON_CreateArray();
		if (eval(r, why) != 0)
			fail_msg("%s: held without a snapshot", cases[i].cond);
		assert_int_equal(eval(r, NULL), 0);
		const cJSON *item = cJSON_GetArrayItem(why, 0);
		assert_non_null(item);
		assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "ok")));
		assert_null(cJSON_GetObjectItemCaseSensitive(item, "value"));
		cJSON_Delete(why);
		vocd_rule_free(r);
	}

	/* The explanation of a figure says whose, over which period, and over how many answers. */
	struct vocd_rule *r = compile_when(
	    "evaluation.created", "[{\"1\": \"stats.nps_mean\", \"2\": \"<\", \"3\": 7, \"of\": \"dealer\", \"period\": \"7 days\"}]");
	cJSON *why = cJSON_CreateArray();
	assert_int_equal(eval(r, why), 0);
	const cJSON *item = cJSON_GetArrayItem(why, 0);
	assert_string_equal(str(item, "fact"), "stats.nps_mean");
	assert_string_equal(str(item, "of"), "dealer");
	assert_string_equal(str(item, "period"), "7 days");
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(item, "answers")), 0);
	assert_string_equal(str(item, "op"), "<");
	cJSON_Delete(why);
	vocd_rule_free(r);
}

static void facts_as_text(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(vocd_facts_text(facts.root, "context.dealer", out, sizeof out), 0);
	assert_string_equal(out, "d-01");
	assert_int_equal(vocd_facts_text(facts.root, "evaluation.scores.csat", out, sizeof out), 0);
	assert_string_equal(out, "2");
	assert_int_equal(vocd_facts_text(facts.root, "evaluation.verified", out, sizeof out), 0);
	assert_string_equal(out, "true");
	assert_int_equal(vocd_facts_text(facts.root, "context.store", out, sizeof out), -1);
	assert_int_equal(vocd_facts_text(facts.root, "evaluation.scores", out, sizeof out), -1); /* not a value */
	assert_int_equal(vocd_facts_text(facts.root, "evaluation.comment", out, sizeof out), -1);
}

/* ---- Speed -------------------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void a_hundred_rules_take_microseconds_per_event(void **state)
{
	(void)state;
	enum { RULES = 100, EVENTS = 10000 };
	/* Rules of the kind tenants write: a tier, a score threshold, keywords, groups. */
	static const char *const shapes[] = {
	    "[[\"customer.tier\", \"is\", \"VIP\"], [\"evaluation.scores.csat\", \"<\", %d]]",
	    "[{\"any\": [[\"evaluation.text\", \"contains any\", [\"欺诈\", \"fraud\", \"投诉%d\"]],"
	    " [\"evaluation.scores.nps\", \"<=\", 6]]}]",
	    "[[\"context.dealer\", \"in\", [\"d-0%d\", \"d-10\", \"d-11\"]], [\"evaluation.tags\", \"contains any\", "
	    "[\"refund\"]], {\"none\": [[\"evaluation.reply\", \"exists\"]]}]",
	    "[[\"evaluation.scores.nps\", \">=\", %d], [\"customer.segment\", \"is not\", \"staff\"],"
	    " [\"evaluation.text\", \"contains none of\", [\"谢谢\", \"thank you\"]]]",
	};
	struct vocd_rule *rules[RULES];
	for (int i = 0; i < RULES; i++) {
		char when[512];
		snprintf(when, sizeof when, shapes[i % 4], i % 10);
		rules[i] = compile_when("evaluation.created", when);
	}
	/* The rules that fire on this event, counted once. */
	int per_event = 0;
	for (int i = 0; i < RULES; i++)
		per_event += eval(rules[i], NULL);
	assert_true(per_event > 0 && per_event < RULES);

	long fired = 0;
	double t0 = now_s();
	for (int n = 0; n < EVENTS; n++)
		for (int i = 0; i < RULES; i++)
			fired += eval(rules[i], NULL);
	double us = (now_s() - t0) * 1e6 / EVENTS;
	assert_int_equal(fired, (long)per_event * EVENTS);
	print_message("%d rules: %.2f us per event (%.3f us per rule), %d fire%s\n", RULES, us, us / RULES, per_event,
	              SANITIZED ? " (sanitized build: not checked)" : "");
	/* Generous: the machine is shared. Meaningless under the sanitizers. */
	if (!SANITIZED)
		assert_true(us < 100.0);
	for (int i = 0; i < RULES; i++)
		vocd_rule_free(rules[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mistakes_are_refused_with_what_was_expected),
	    cmocka_unit_test(an_assignment_to_a_team_nobody_is_in_is_refused),
	    cmocka_unit_test(conditions_nest_at_most_eight_deep),
	    cmocka_unit_test(a_compiled_rule_keeps_its_name_actions_and_once_per),
	    cmocka_unit_test(rules_listen_to_their_topics),
	    cmocka_unit_test(every_operator_on_the_facts),
	    cmocka_unit_test(groups_any_all_none_nested),
	    cmocka_unit_test(the_explanation_names_fact_value_operator_and_outcome),
	    cmocka_unit_test(figures_without_a_snapshot_are_unknown),
	    cmocka_unit_test(facts_as_text),
	    cmocka_unit_test(a_hundred_rules_take_microseconds_per_event),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* Configuration loading: defaults, sizes, tenants from file names, and messages with file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "error.h"

static char dir[256];

static void write_file(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/vocd-test-config-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char sub[300];
	snprintf(sub, sizeof sub, "%s/tenants", dir);
	mkdir(sub, 0700);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static int load(const char *server, struct vocd_config **cfg, char *err, size_t errlen)
{
	write_file("vocd.lua", server);
	char path[300];
	snprintf(path, sizeof path, "%s/vocd.lua", dir);
	return vocd_config_load(cfg, path, err, errlen);
}

static void embedded_default_has_the_demo_tenant(void **state)
{
	struct vocd_config *cfg;
	char err[4096];
	assert_int_equal(vocd_config_load(&cfg, NULL, err, sizeof err), 0);
	assert_string_equal(cfg->listen, "127.0.0.1:8443");
	assert_int_equal(cfg->plain_http, 0);
	assert_null(cfg->tls_cert);
	assert_non_null(vocd_config_tenant(cfg, "demo"));
	/* The demo's commented calendar: National Day off, a Saturday worked. */
	const struct vocd_calendar *cal = &vocd_config_tenant(cfg, "demo")->calendar.cal;
	assert_int_equal(vocd_calendar_day_minutes(cal, 20261001), 0);
	assert_int_equal(vocd_calendar_day_minutes(cal, 20261010), 450);
	assert_int_equal(cfg->limits.max_body, 1024 * 1024);
	assert_int_equal(cfg->limits.db_max_size, (size_t)16 << 30);
	vocd_config_free(cfg);
}

static void settings_and_sizes_are_read(void **state)
{
	write_file("tenants/acme.lua", "name = \"Acme\"\nplugins = { [\"channels/web\"] = { greeting = \"你好\", "
	                               "retries = 3, tags = {\"a\", \"b\"} }, [\"workflows/vip\"] = true }\n");
	write_file("tenants/globex.lua", "name = \"Globex\"\n");
	struct vocd_config *cfg;
	char err[4096];
	int rc = load("listen = \"0.0.0.0:9443\"\nlimits = { max_body = \"2MiB\", max_header = 8192, "
	              "request_timeout = 5 }\nthreads = { http = 4 }\naccess_log = false\n",
	              &cfg, err, sizeof err);
	assert_int_equal(rc, 0);
	assert_string_equal(cfg->listen, "0.0.0.0:9443");
	assert_int_equal(cfg->limits.max_body, 2 * 1024 * 1024);
	assert_int_equal(cfg->limits.max_header, 8192);
	assert_int_equal(cfg->limits.request_timeout_ms, 5000);
	assert_int_equal(cfg->http_threads, 4);
	assert_int_equal(cfg->bus_threads, 2);
	assert_null(cfg->access_log);
	assert_int_equal(cfg->ntenants, 2);
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, "acme");
	assert_non_null(t);
	assert_string_equal(t->name, "Acme");
	assert_int_equal(t->nplugins, 2);
	int seen_web = 0;
	for (size_t i = 0; i < t->nplugins; i++) {
		if (strcmp(t->plugins[i].name, "web") == 0) {
			seen_web = 1;
			assert_string_equal(t->plugins[i].kind, "channel");
			char *json = cJSON_PrintUnformatted(t->plugins[i].settings);
			assert_non_null(strstr(json, "\"greeting\":\"你好\""));
			assert_non_null(strstr(json, "\"tags\":[\"a\",\"b\"]"));
			free(json);
		} else {
			assert_string_equal(t->plugins[i].kind, "workflow");
			assert_true(cJSON_IsObject(t->plugins[i].settings));
		}
	}
	assert_true(seen_web);
	vocd_config_free(cfg);
}

static void mistakes_name_file_line_and_expectation(void **state)
{
	write_file("tenants/acme.lua", "name = \"Acme\"\n");
	struct vocd_config *cfg = NULL;
	char err[4096];
	int rc = load("listen = \"127.0.0.1:8443\"\n\nlimits = {\n  max_body = true,\n}\nlisen = 1\n", &cfg, err,
	              sizeof err);
	assert_int_equal(rc, VOCD_ECONFIG);
	assert_null(cfg);
	assert_non_null(strstr(err, "vocd.lua:4: limits.max_body: expected a size"));
	assert_non_null(strstr(err, "got boolean"));
	assert_non_null(strstr(err, "vocd.lua:6: unknown setting 'lisen'"));
}

static void bare_words_suggest_quotes(void **state)
{
	write_file("tenants/acme.lua", "name = Acme\n");
	struct vocd_config *cfg = NULL;
	char err[4096];
	assert_int_equal(load("", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "acme.lua:1:"));
	assert_non_null(strstr(err, "'Acme' is not defined: if it is text, put it in quotes"));
}

static void syntax_errors_and_loops_are_reported(void **state)
{
	struct vocd_config *cfg = NULL;
	char err[4096];
	write_file("tenants/acme.lua", "name = \"A\"\n");
	assert_int_equal(load("listen = \n", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "vocd.lua:"));
	assert_int_equal(load("while true do end\n", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "too long"));
	/* No library is reachable from a config file. */
	assert_int_equal(load("x = os.execute('true')\n", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "'os' is not defined"));
}

static void bad_tenant_files_are_reported(void **state)
{
	struct vocd_config *cfg = NULL;
	char err[4096];
	write_file("tenants/Bad Name.lua", "name = \"x\"\n");
	write_file("tenants/acme.lua", "plugins = { [\"gadgets/x\"] = {} , [\"channels/sms\"] = 5 }\nsurvy = {}\n");
	assert_int_equal(load("", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "\"Bad Name\" is not a valid one"));
	assert_non_null(strstr(err, "\"gadgets/x\" is not a plugin name"));
	assert_non_null(strstr(err, "plugins[\"channels/sms\"]: expected a table of settings or true, got number"));
	assert_non_null(strstr(err, "acme.lua:2: unknown setting 'survy'"));
}

static void survey_is_read_and_checked(void **state)
{
	struct vocd_config *cfg = NULL;
	char err[4096];
	write_file("tenants/acme.lua", "name = \"Acme\"\n\nsurvey = {\n  metrics = { \"nps\", \"csat\" },\n"
	                               "  tags = { { id = \"slow\", label = { [\"zh-CN\"] = \"太慢\", en = \"Slow\" } } },\n}\n");
	write_file("tenants/globex.lua", "name = \"Globex\"\n");
	assert_int_equal(load("", &cfg, err, sizeof err), 0);
	const struct vocd_survey *sv = vocd_surveys_pick(&vocd_config_tenant(cfg, "acme")->surveys, NULL);
	assert_int_equal(sv->metrics[0], VOCD_METRIC_NPS);
	assert_int_equal(sv->ntags, 1);
	assert_string_equal(sv->tags[0].label.zh, "太慢");
	/* A tenant without a survey gets the built-in one. */
	sv = vocd_surveys_pick(&vocd_config_tenant(cfg, "globex")->surveys, "x");
	assert_int_equal(sv->metrics[0], VOCD_METRIC_CSAT);
	vocd_config_free(cfg);

	write_file("tenants/acme.lua", "name = \"Acme\"\nsurvey = { metrics = { \"joy\" } }\n");
	assert_int_equal(load("", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "acme.lua:2: survey.metrics[1]: expected \"csat\""));
}

static void invitation_settings(void **state)
{
	struct vocd_config *cfg = NULL;
	char err[4096];
	write_file("tenants/acme.lua", "invitations = { expires_days = 3, remind_after = \"72h\", remind_channel = \"sms\" }\n");
	assert_int_equal(load("", &cfg, err, sizeof err), 0);
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, "acme");
	assert_int_equal(t->invitations.expires_days, 3);
	assert_int_equal(t->invitations.remind_after_ms, 72LL * 3600 * 1000);
	assert_string_equal(t->invitations.remind_channel, "sms");
	vocd_config_free(cfg);
	write_file("tenants/acme.lua", "invitations = {\n  remind_after = \"3 days\",\n  expires_days = 0,\n}\n");
	assert_int_equal(load("", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "acme.lua:2: invitations.remind_after: expected a duration such as \"72h\""));
	assert_non_null(strstr(err, "acme.lua:3: invitations.expires_days: expected a number from 1 to 365, got 0"));
}

static void calendar_is_read_and_checked(void **state)
{
	struct vocd_config *cfg = NULL;
	char err[4096];
	/* Without a calendar: Monday to Friday 09:00-18:00 in UTC+8. */
	write_file("tenants/globex.lua", "name = \"Globex\"\n");
	write_file("tenants/acme.lua",
	           "calendar = {\n"
	           "  utc_offset = \"+08:00\",\n"
	           "  hours = { weekdays = { \"09:00-12:00\", \"13:30-18:00\" }, friday = { \"09:00-12:00\" },\n"
	           "            saturday = {} },\n"
	           "  holidays = { \"2026-10-05..2026-10-07\", \"2026-10-01\", \"2026-10-02\" },\n"
	           "  workdays = { \"2026-10-10\" },\n"
	           "}\n");
	assert_int_equal(load("", &cfg, err, sizeof err), 0);
	const struct vocd_calendar *cal = &vocd_config_tenant(cfg, "acme")->calendar.cal;
	assert_int_equal(cal->utc_offset_min, 480);
	assert_int_equal(vocd_calendar_day_minutes(cal, 20261202), 450); /* a Wednesday */
	assert_int_equal(vocd_calendar_day_minutes(cal, 20261204), 180); /* Friday: the morning only */
	assert_int_equal(vocd_calendar_day_minutes(cal, 20261205), 0);
	assert_int_equal(vocd_calendar_day_minutes(cal, 20261006), 0);   /* in the range */
	assert_int_equal(vocd_calendar_day_minutes(cal, 20261010), 450); /* worked like a Monday */
	assert_int_equal(cal->nholidays, 5);
	assert_int_equal(cal->holidays[0], 20261001); /* sorted */
	const struct vocd_calendar *plain = &vocd_config_tenant(cfg, "globex")->calendar.cal;
	assert_int_equal(plain->utc_offset_min, 480);
	assert_int_equal(vocd_calendar_day_minutes(plain, 20261202), 540);
	assert_int_equal(vocd_calendar_day_minutes(plain, 20261205), 0);
	vocd_config_free(cfg);

	/* Mistakes name the line and the part. */
	static const struct { const char *text, *want; } bad[] = {
	    {"calendar = {\n  holidays = { \"10/01\" },\n}\n",
	     "acme.lua:2: calendar.holidays[1]: expected a day such as \"2026-10-01\" or a range \"2026-10-01..2026-10-07\", got \"10/01\""},
	    {"calendar = {\n  hours = { weekdays = { \"9-18\" } },\n}\n",
	     "acme.lua:2: calendar.hours.weekdays[1]: expected hours such as \"09:00-12:00\", got \"9-18\""},
	    {"calendar = {\n  hours = { funday = { \"09:00-18:00\" } },\n}\n",
	     "acme.lua:2: calendar.hours.funday: not a day (expected weekdays, monday … sunday)"},
	    {"calendar = {\n  holidays = { \"2026-10-01\" },\n  workdays = { \"2026-10-01\" },\n}\n",
	     "acme.lua:3: calendar.workdays: 20261001 is also a holiday"},
	    {"calendar = {\n  hours = { monday = { \"13:00-18:00\", \"09:00-12:00\" } },\n}\n",
	     "acme.lua:2: calendar.hours.monday: period 2 starts before period 1 ends"},
	    {"calendar = {\n  utc_offset = 8,\n}\n", "acme.lua:2: calendar.utc_offset: expected an offset such as \"+08:00\""},
	    {"calendar = {\n  holiday = { \"2026-10-01\" },\n}\n", "acme.lua:2: calendar.holiday: unknown setting"},
	    {"calendar = {\n  holidays = { \"2026-10-07..2026-10-01\" },\n}\n",
	     "acme.lua:2: calendar.holidays[1]: a range runs forward and spans at most 366 days"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file("tenants/acme.lua", bad[i].text);
		assert_int_equal(load("", &cfg, err, sizeof err), VOCD_ECONFIG);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: got\n%s\nwanted\n%s", i, err, bad[i].want);
	}
}

static void authenticity_settings(void **state)
{
	struct vocd_config *cfg = NULL;
	char err[4096];
	/* Without the setting: every signal on, with its default. */
	write_file("tenants/acme.lua", "name = \"Acme\"\n");
	assert_int_equal(load("", &cfg, err, sizeof err), 0);
	assert_int_equal(vocd_config_tenant(cfg, "acme")->authenticity.burst_per_ip, 5);
	vocd_config_free(cfg);
	write_file("tenants/acme.lua", "authenticity = { burst_per_ip = 0, trusted_addresses = { \"10.0.0.5\" },\n"
	                               "  incentive = { period = \"quarter\" } }\n");
	assert_int_equal(load("", &cfg, err, sizeof err), 0);
	const struct vocd_authenticity_conf *a = &vocd_config_tenant(cfg, "acme")->authenticity;
	assert_int_equal(a->burst_per_ip, 0);
	assert_true(vocd_authenticity_trusted(a, "10.0.0.5"));
	assert_int_equal(a->period, VOCD_PERIOD_QUARTER);
	vocd_config_free(cfg);
	/* A mistake names the file, the line of the field and what was expected. */
	write_file("tenants/acme.lua", "authenticity = {\n  burst_minutes = 10,\n  burst_per_ip = 100,\n}\n");
	assert_int_equal(load("", &cfg, err, sizeof err), VOCD_ECONFIG);
	if (!strstr(err, "acme.lua:3: authenticity.burst_per_ip: expected a whole number from 0 (not checked) to 60, got 100"))
		fail_msg("got %s", err);
	write_file("tenants/acme.lua", "authenticity = {\n  incentive = {\n    period = \"week\" } }\n");
	assert_int_equal(load("", &cfg, err, sizeof err), VOCD_ECONFIG);
	if (!strstr(err, "authenticity.incentive.period: expected \"month\" or \"quarter\""))
		fail_msg("got %s", err);
}

static void listen_must_have_a_port(void **state)
{
	struct vocd_config *cfg = NULL;
	char err[4096];
	write_file("tenants/acme.lua", "");
	assert_int_equal(load("listen = \"localhost\"\n", &cfg, err, sizeof err), VOCD_ECONFIG);
	assert_non_null(strstr(err, "listen: expected \"HOST:PORT\""));
}

static void tenant_ids(void **state)
{
	assert_true(vocd_tenant_id_valid("acme"));
	assert_true(vocd_tenant_id_valid("shop-12_b"));
	assert_false(vocd_tenant_id_valid(""));
	assert_false(vocd_tenant_id_valid("Acme"));
	assert_false(vocd_tenant_id_valid("_sys"));
	assert_false(vocd_tenant_id_valid("a/b"));
	assert_false(vocd_tenant_id_valid("a.b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(embedded_default_has_the_demo_tenant),
		cmocka_unit_test_setup_teardown(settings_and_sizes_are_read, setup, teardown),
		cmocka_unit_test_setup_teardown(mistakes_name_file_line_and_expectation, setup, teardown),
		cmocka_unit_test_setup_teardown(bare_words_suggest_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(syntax_errors_and_loops_are_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_tenant_files_are_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(survey_is_read_and_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(invitation_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(calendar_is_read_and_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(authenticity_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(listen_must_have_a_port, setup, teardown),
		cmocka_unit_test(tenant_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

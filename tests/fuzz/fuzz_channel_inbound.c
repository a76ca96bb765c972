/* POST /channels/<name>/inbound: what a gateway or a call centre sends goes to the tenant's channel plugin
 * (sms, webhook, phone_import with its CSV reader), run by the real plugin host under a budget, and the
 * answers it returns are normalised by the core as api_channels.c does (phone numbers, the answer check).
 * The harness signs each body the way the gateway would, so the input reaches the parsers instead of
 * stopping at the signature check.
 *
 * Input: the first byte picks the plugin (and, for phone_import, ?dry_run=1); the rest is the body. A
 * plugin may refuse a body (its own 4xx answer) or run out of budget (503 plugin_limit), but must not
 * raise: a raised error is a 500 instead of a clear refusal. Storage is not fuzzed here. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>

#include "config.h"
#include "error.h"
#include "fuzz_util.h"
#include "ids.h"
#include "pii.h"
#include "plugin.h"

#define SMS_SECRET "fuzz-sms-secret-0123456789"
#define HOOK_SECRET "fuzz-webhook-secret-0123456789"
#define IMPORT_TOKEN "fuzz-import-token-0123456789"

static vocd_plugins *plugins;
static struct vocd_config cfg;
static struct vocd_tenant_conf tenant;
static struct vocd_plugin_ref refs[3];

static void add_plugin(int i, const char *name, const char *settings)
{
	refs[i].kind = (char *)"channel";
	refs[i].name = (char *)name;
	refs[i].settings = cJSON_Parse(settings);
	refs[i].where = (char *)"fuzz/demo.lua:1";
	FUZZ_ASSERT(refs[i].settings);
}

static void setup(void)
{
	cfg.plugins_dir = (char *)VOCD_SOURCE_DIR "/plugins";
	/* Small budgets: the server's are larger, and the fuzzer wants many runs a second. */
	cfg.limits.lua_memory = 16u << 20;
	cfg.limits.lua_instructions = 2000000;
	cfg.limits.lua_load_instructions = 20000000;
	cfg.limits.lua_max_string = 1u << 20;
	add_plugin(0, "sms", "{\"gateway_url\": \"http://127.0.0.1:9/sms\", \"secret\": \"" SMS_SECRET "\","
	                     " \"notice_version\": \"2026-11\"}");
	add_plugin(1, "webhook", "{\"url\": \"http://127.0.0.1:9/hook\", \"secret\": \"" HOOK_SECRET "\"}");
	add_plugin(2, "phone_import", "{\"auth\": \"token\", \"token\": \"" IMPORT_TOKEN "\", \"notice_version\": "
	                              "\"2026-11\", \"dimensions\": {\"speed\": \"响应速度\"}}");
	tenant.id = (char *)"demo";
	tenant.file = (char *)"fuzz/demo.lua";
	tenant.plugins = refs;
	tenant.nplugins = 3;
	char err[2048] = "";
	FUZZ_ASSERT(vocd_surveys_parse(NULL, "fuzz", &tenant.surveys, err, sizeof err) == 0);
	cfg.tenants = &tenant;
	cfg.ntenants = 1;
	if (vocd_plugins_create(&plugins, &cfg, NULL, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_channel_inbound: the channel plugins do not load:\n%s\n", err);
		abort();
	}
}

static void hmac_hex(const char *key, const char *msg, size_t len, char out[65])
{
	unsigned char mac[32];
	FUZZ_ASSERT(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const unsigned char *)key,
	                            strlen(key), (const unsigned char *)msg, len, mac) == 0);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* The request as api_channels.c hands it to the plugin. */
static cJSON *request(int which, const char *body, size_t len, int dry_run)
{
	static const char *const names[] = {"sms", "webhook", "phone_import"};
	char path[64], ts[24], sig[65];
	snprintf(path, sizeof path, "/channels/%s/inbound", names[which]);
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "method", "POST");
	cJSON_AddStringToObject(r, "path", path);
	cJSON_AddStringToObject(r, "query", dry_run ? "tenant=demo&dry_run=1" : "tenant=demo");
	cJSON *h = cJSON_AddObjectToObject(r, "headers");
	if (which == 0) {
		hmac_hex(SMS_SECRET, body, len, sig);
		cJSON_AddStringToObject(h, "x-signature", sig);
	} else if (which == 1) {
		snprintf(ts, sizeof ts, "%lld", (long long)(vocd_now_ms() / 1000));
		char *signed_part = malloc(strlen(ts) + 1 + len + 1);
		FUZZ_ASSERT(signed_part);
		int n = sprintf(signed_part, "%s.", ts);
		memcpy(signed_part + n, body, len);
		hmac_hex(HOOK_SECRET, signed_part, (size_t)n + len, sig);
		free(signed_part);
		cJSON_AddStringToObject(h, "x-timestamp", ts);
		cJSON_AddStringToObject(h, "x-signature", sig);
	} else {
		cJSON_AddStringToObject(h, "x-import-token", IMPORT_TOKEN);
	}
	cJSON_AddStringToObject(h, "content-type", which == 2 ? "text/csv" : "application/json");
	cJSON_AddStringToObject(r, "body", body);
	cJSON_AddStringToObject(r, "ip", "127.0.0.1");
	return r;
}

/* What the core does with the plugin's answers before storing them (api_channels.c ingest). */
static void normalise(const cJSON *result)
{
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(result, "answers");
	const cJSON *list = cJSON_IsArray(answers) ? answers : NULL;
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "phone"));
		if (phone) {
			char *norm = NULL;
			if (vocd_pii_normalize_phone(phone, &norm) == 0)
				vocd_pii_free(norm);
		}
		const cJSON *answer = cJSON_GetObjectItemCaseSensitive(item, "answer");
		if (cJSON_IsObject(answer)) {
			char field[96], message[300];
			int rc = vocd_survey_check_answer(vocd_surveys_pick(&tenant.surveys, NULL), answer, field, sizeof field,
			                                  message, sizeof message);
			FUZZ_ASSERT(rc == 0 || rc == VOCD_EINVAL || rc == VOCD_EUNPROC);
		}
	}
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(result, "response");
	if (cJSON_IsObject(resp)) {
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(resp, "status");
		FUZZ_ASSERT(!status || cJSON_IsNumber(status));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!plugins)
		setup();
	if (size == 0)
		return 0;
	int which = data[0] % 3, dry_run = (data[0] >> 2) & 1;
	/* The body is a C string to the plugin, as in api_channels.c. */
	char *body = fuzz_string(data + 1, size - 1);
	size_t len = strlen(body);
	cJSON *arg = request(which, body, len, dry_run);
	cJSON *result = NULL;
	char err[1024] = "";
	char label[64];
	snprintf(label, sizeof label, "channels/%s", which == 0 ? "sms" : which == 1 ? "webhook" : "phone_import");
	int rc = vocd_plugins_call(plugins, "demo", label, "inbound", arg, &result, err, sizeof err);
	if (rc == VOCD_EPLUGIN)
		fprintf(stderr, "%s raised: %s\n", label, err);
	FUZZ_ASSERT(rc == 0 || rc == VOCD_ELIMIT);
	if (rc == 0)
		normalise(result);
	cJSON_Delete(result);
	cJSON_Delete(arg);
	free(body);
	return 0;
}

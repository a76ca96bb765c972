/* A JSON request body as every API route reads it: vocd_http_body_object (parse, object only, duplicate
 * names refused, answered 400 itself) and then the shared checks of validate.c that the routes run on
 * it. The answer goes nowhere: a request without a connection writes nothing. */
#include <stdint.h>
#include <string.h>

#include <civetweb.h>

#include "fuzz_util.h"
#include "http.h"
#include "validate.h"

static const char *const known[] = {"invitation", "customer", "context", "answer", "consent", "channel",
                                    "service_type", "lang", NULL};

static int in_known(const char *name)
{
	for (const char *const *k = known; *k; k++)
		if (strcmp(*k, name) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The server hands the handler a NUL-terminated copy of exactly the bytes it read. */
	char *body = fuzz_string(data, size);
	struct mg_request_info ri;
	memset(&ri, 0, sizeof ri);
	ri.remote_addr[0] = '\0';
	struct vocd_req req;
	memset(&req, 0, sizeof req);
	req.ri = &ri;
	req.method = "POST";
	req.path = "/api/v1/evaluations";
	req.body = body;
	req.body_len = size;

	cJSON *obj = vocd_http_body_object(&req);
	if (!obj) {
		FUZZ_ASSERT(req.status == 400); /* refused with a clear error, never silently */
	} else {
		FUZZ_ASSERT(cJSON_IsObject(obj) && req.status == 0);
		struct vocd_field_error e;
		memset(&e, 0, sizeof e);
		/* a refusal names the field first, an empty name as "" */
		if (vocd_check_known(obj, "", known, &e) != 0) {
			const cJSON *m = obj->child;
			while (m && in_known(m->string))
				m = m->next;
			FUZZ_ASSERT(m && e.status == 400 && memchr(e.message, '\0', sizeof e.message));
			const char *name = m->string[0] ? m->string : "\"\"";
			size_t n = strlen(name) < sizeof e.message - 1 ? strlen(name) : sizeof e.message - 1;
			FUZZ_ASSERT(strncmp(e.message, name, n) == 0);
		}
		const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(obj, "context");
		if (vocd_check_string_object(ctx, "context", vocd_context_keys, 1, &e) != 0) {
			FUZZ_ASSERT(e.status == 400 || e.status == 422);
			vocd_http_field_error(&req, &e);
		}
		const cJSON *c;
		cJSON_ArrayForEach(c, obj) {
			vocd_check_string(c, c->string, 128, 0, &e);
			if (cJSON_IsString(c)) {
				vocd_name_valid(c->valuestring);
				vocd_external_id_valid(c->valuestring);
			}
		}
		cJSON_Delete(obj);
	}
	free(body);
	return 0;
}

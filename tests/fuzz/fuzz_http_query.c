/* Query strings as the routes read them (vocd_http_query, vocd_http_filter over civetweb's mg_get_var):
 * ?lang= and ?score= of the survey page, ?format= of QR codes, ?tenant= of channel callbacks and the list
 * filters, each into the buffer size its route uses. A value too long for a filter is answered 400;
 * any value read is a terminated string that fits. */
#include <stdint.h>
#include <string.h>

#include <civetweb.h>

#include "fuzz_util.h"
#include "http.h"

static const struct {
	const char *name;
	size_t size;
} params[] = {{"lang", 16}, {"score", 8}, {"format", 16}, {"tenant", 72}, {"state", 32}, {"agent", 129}, {"", 4}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *query = fuzz_string(data, size);
	struct mg_request_info ri;
	memset(&ri, 0, sizeof ri);
	struct vocd_req req;
	memset(&req, 0, sizeof req);
	req.ri = &ri;
	req.method = "GET";
	req.path = "/api/v1/tickets";
	req.query = query;
	char out[256];
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
		memset(out, 'x', sizeof out);
		if (vocd_http_query(&req, params[i].name, out, params[i].size) == 0)
			FUZZ_ASSERT(strnlen(out, params[i].size) < params[i].size);
		req.status = 0;
		memset(out, 'x', sizeof out);
		int rc = vocd_http_filter(&req, params[i].name, out, params[i].size);
		FUZZ_ASSERT(strnlen(out, params[i].size) < params[i].size);
		FUZZ_ASSERT(rc == 0 ? req.status == 0 : (rc == -1 && req.status == 400 && out[0] == '\0'));
	}
	free(query);
	return 0;
}

/* Texts, machine codes and HTTP statuses of vocd's error codes. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

struct error_info {
	int err;
	const char *code;
	const char *text;
	int status;
};

static const struct error_info errors[] = {
	{VOCD_OK, "ok", "success", 200},
	{VOCD_EINVAL, "bad_request", "invalid input", 400},
	{VOCD_ENOMEM, "internal", "out of memory", 500},
	{VOCD_ENOTFOUND, "not_found", "not found", 404},
	{VOCD_EEXIST, "conflict", "already exists", 409},
	{VOCD_EFULL, "storage_full", "storage full", 507},
	{VOCD_EIO, "internal", "input/output error", 500},
	{VOCD_EAUTH, "unauthorized", "authentication required", 401},
	{VOCD_EDENIED, "forbidden", "not allowed", 403},
	{VOCD_ETOOBIG, "too_large", "request too large", 413},
	{VOCD_ELIMIT, "limit_exceeded", "budget exceeded", 503},
	{VOCD_ECONFIG, "config", "configuration error", 500},
	{VOCD_EPLUGIN, "plugin_error", "plugin error", 500},
	{VOCD_ESHUTDOWN, "unavailable", "server is stopping", 503},
	{VOCD_EUNPROC, "unprocessable", "unprocessable input", 422},
	{VOCD_ERATE, "rate_limited", "too many requests", 429},
	{VOCD_EGONE, "gone", "no longer available", 410},
	{VOCD_EINTERNAL, "internal", "internal error", 500},
};

static const struct error_info *find(int err)
{
	for (unsigned i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].err == err)
			return &errors[i];
	return &errors[sizeof errors / sizeof errors[0] - 1];
}

const char *vocd_strerror(int err) { return find(err)->text; }
const char *vocd_error_code(int err) { return find(err)->code; }
int vocd_error_http_status(int err) { return find(err)->status; }

int vocd_config_error(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return VOCD_ECONFIG;
}

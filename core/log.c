/* Logging to stderr: "2026-11-23T17:48:40.123Z level message". */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum vocd_log_level max_level = VOCD_LOG_INFO;
static int level_from_env_done;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void vocd_log_set_level(enum vocd_log_level level)
{
	max_level = level;
	level_from_env_done = 1;
}

static void level_from_env(void)
{
	const char *env = getenv("VOCD_LOG");
	level_from_env_done = 1;
	if (env == NULL)
		return;
	for (int i = 0; i < 4; i++)
		if (strcmp(env, level_names[i]) == 0)
			max_level = (enum vocd_log_level)i;
}

void vocd_log(enum vocd_log_level level, const char *fmt, ...)
{
	if (!level_from_env_done)
		level_from_env();
	if (level > max_level)
		return;
	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
	                 level_names[level]);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

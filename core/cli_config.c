/* `vocd config versions` and `vocd config rollback`: earlier versions of a tenant's file, kept each time
 * a configuration was activated, listed and put back. Putting one back only writes the file: the admin
 * checks it and reloads, like any change. */
#include "cli_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config_history.h"
#include "error.h"
#include "ids.h"
#include "pii.h"
#include "server.h"

#define ERRBUF 16384

/* The configuration and the store of its data directory. */
static int open_both(const char *config, const char *data, struct vocd_config **cfg, vocd_store **st)
{
	char *err = malloc(ERRBUF);
	*cfg = NULL;
	*st = NULL;
	if (!err)
		return 1;
	if (vocd_config_load(cfg, config, err, ERRBUF) != 0) {
		/* A broken file is a reason to roll back: still find the data directory in the server file. */
		fprintf(stderr, "%s(the configuration has errors; versions are read from the data directory anyway)\n", err);
	}
	free(err);
	if (!*cfg && !data) {
		fprintf(stderr, "vocd: give --data DIR, since the configuration cannot be read\n");
		return 1;
	}
	struct vocd_config fallback = {0};
	fallback.limits.db_max_size = (size_t)16 << 30;
	return vocd_server_open_store(data ? data : (*cfg)->data_dir, *cfg ? *cfg : &fallback, st) != 0;
}

int vocd_cli_config_versions(const char *config, const char *data, const char *tenant)
{
	struct vocd_config *cfg;
	vocd_store *st;
	if (open_both(config, data, &cfg, &st) != 0) {
		vocd_config_free(cfg);
		return 1;
	}
	cJSON *list = NULL;
	int rc = vocd_config_history_list(st, tenant, &list);
	if (rc != 0) {
		fprintf(stderr, "vocd: cannot read the versions: %s\n", vocd_strerror(rc));
	} else if (cJSON_GetArraySize(list) == 0) {
		printf("no versions kept for tenant %s yet (one is kept each time the server starts or reloads)\n", tenant);
	} else {
		const cJSON *v;
		cJSON_ArrayForEach(v, list)
		{
			char when[32];
			vocd_utc_text(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "at")), when);
			const cJSON *by = cJSON_GetObjectItemCaseSensitive(v, "by");
			printf("%4g  %s  %.12s  %s %s%s%s  %s\n", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "version")),
			       when, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sha256")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(by, "kind")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(by, "id")),
			       cJSON_GetObjectItemCaseSensitive(by, "role") ? "/" : "",
			       cJSON_GetObjectItemCaseSensitive(by, "role") ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(by, "role")) : "",
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "file")));
		}
	}
	cJSON_Delete(list);
	vocd_store_close(st);
	vocd_config_free(cfg);
	return rc == 0 ? 0 : 1;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	size_t n = strlen(text);
	int bad = fwrite(text, 1, n, f) != n;
	bad |= fclose(f) != 0;
	return bad ? -1 : 0;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

int vocd_cli_config_rollback(const char *config, const char *data, const char *key, const char *tenant,
                             const char *version)
{
	char *end;
	long n = strtol(version, &end, 10);
	if (*end || n < 1) {
		fprintf(stderr, "vocd: --version takes a version number (see `vocd config versions`)\n");
		return 2;
	}
	struct vocd_config *cfg;
	vocd_store *st;
	if (open_both(config, data, &cfg, &st) != 0) {
		vocd_config_free(cfg);
		return 1;
	}
	int status = 1;
	cJSON *v = NULL;
	vocd_pii *pii = NULL;
	const char *key_file = key ? key : cfg ? cfg->key_file : NULL;
	int rc = key_file ? vocd_pii_open(&pii, key_file) : VOCD_ECONFIG;
	int key_opened = rc == 0;
	if (key_opened)
		rc = vocd_config_history_get(st, pii, tenant, (unsigned)n, &v);
	vocd_pii_close(pii);
	const char *file = vocd_json_str(v, "file"), *text = vocd_json_str(v, "text");
	if (!key_file) {
		fprintf(stderr, "vocd: give --key FILE (the master key), since the configuration cannot be read\n");
	} else if (!key_opened) {
		fprintf(stderr, "vocd: cannot open the master key %s: %s\n", key_file, vocd_strerror(rc));
	} else if (rc == VOCD_EAUTH) {
		fprintf(stderr, "vocd: version %ld cannot be opened with the master key %s (another key, or altered)\n", n,
		        key_file);
	} else if (rc != 0) {
		fprintf(stderr, "vocd: tenant %s has no version %ld%s\n", tenant, n, rc == VOCD_ENOTFOUND ? "" : vocd_strerror(rc));
	} else if (!file || strncmp(file, "(embedded)", 10) == 0) {
		fprintf(stderr, "vocd: version %ld is the configuration built into vocd: nothing to write back\n", n);
	} else {
		/* The file as it is now is kept beside it, so the rollback itself can be undone. */
		char aside[4200];
		snprintf(aside, sizeof aside, "%s.before-rollback", file);
		char *now = read_all(file);
		if (now && write_file(aside, now) != 0)
			fprintf(stderr, "vocd: cannot keep the current file as %s\n", aside);
		else if (write_file(file, text) != 0)
			fprintf(stderr, "vocd: cannot write %s\n", file);
		else {
			printf("wrote version %ld of tenant %s to %s%s%s\n", n, tenant, file, now ? " (the file as it was: " : "",
			       now ? aside : "");
			if (now)
				printf(")\n");
			printf("next: vocd check, then reload (kill -HUP, or POST /api/v1/admin/reload)\n"
			       "然后：运行 vocd check，再重新加载（kill -HUP 或 POST /api/v1/admin/reload）\n");
			status = 0;
		}
		free(now);
	}
	cJSON_Delete(v);
	vocd_store_close(st);
	vocd_config_free(cfg);
	return status;
}

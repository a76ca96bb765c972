/* `vocd rollups rebuild --tenant T`: safe while the server runs (one write transaction; answers arriving
 * meanwhile wait for it, then count into the rebuilt rollups). */
#include "cli_rollups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rollup_rebuild.h"
#include "server.h"

#define ERRBUF 16384

int vocd_cli_rollups(const char *sub, const char *config, const char *data, const char *tenant)
{
	if (!sub || strcmp(sub, "rebuild") != 0 || !tenant)
		return 2;
	struct vocd_config *cfg = NULL;
	char *err = malloc(ERRBUF);
	if (!err || vocd_config_load(&cfg, config, err, ERRBUF) != 0) {
		fprintf(stderr, "%s", err ? err : "vocd: out of memory\n");
		free(err);
		return 1;
	}
	free(err);
	const struct vocd_tenant_conf *t = vocd_config_tenant(cfg, tenant);
	vocd_store *st = NULL;
	int rc = 1;
	if (!t) {
		fprintf(stderr, "vocd: no tenant '%s' in %s\n", tenant, cfg->file);
	} else if (vocd_server_open_store(data ? data : cfg->data_dir, cfg, &st) != 0) {
		fprintf(stderr, "vocd: cannot open the data directory (see above)\n");
	} else {
		struct vocd_rollup_rebuild r;
		int wrc = vocd_rollup_rebuild(st, tenant, &t->calendar.cal, &r);
		if (wrc != 0)
			fprintf(stderr, "vocd: rollups of %s not rebuilt: %s\n", tenant, vocd_strerror(wrc));
		else
			printf("rollups of %s rebuilt: %zu evaluations counted (%zu of them suspect), %zu invitations, %zu old "
			       "records replaced\n", tenant, r.evaluations, r.suspect, r.invitations, r.removed);
		rc = wrc != 0;
	}
	vocd_store_close(st);
	vocd_config_free(cfg);
	return rc;
}

/* A tenant file (conf/tenants/<id>.lua) as an admin writes it, read by vocd_config_load in its restricted
 * Lua environment under the load budget, with everything read from it (survey, calendar, people, tickets,
 * invitations, plugins): loaded or refused with file:line, never a crash. The admin is trusted less than
 * the code: `vocd check` runs this on files edited by hand.
 *
 * Each input is written to tenants/fz.lua in a directory made once, beside an empty server file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "fuzz_util.h"

static char dir[] = "/tmp/vocd-fuzz-conf-XXXXXX";
static char server_file[256], tenant_file[256], tenants[256];

static void cleanup(void)
{
	unlink(tenant_file);
	unlink(server_file);
	rmdir(tenants);
	rmdir(dir);
}

static void setup(void)
{
	FUZZ_ASSERT(mkdtemp(dir));
	snprintf(server_file, sizeof server_file, "%s/vocd.lua", dir);
	snprintf(tenant_file, sizeof tenant_file, "%s/tenants/fz.lua", dir);
	snprintf(tenants, sizeof tenants, "%s/tenants", dir);
	FUZZ_ASSERT(mkdir(tenants, 0700) == 0);
	atexit(cleanup);
	FILE *f = fopen(server_file, "w");
	FUZZ_ASSERT(f);
	fputs("-- the defaults\n", f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!server_file[0])
		setup();
	FILE *f = fopen(tenant_file, "w");
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
	FUZZ_ASSERT(fclose(f) == 0);
	struct vocd_config *cfg = NULL;
	char err[4096];
	int rc = vocd_config_load(&cfg, server_file, err, sizeof err);
	FUZZ_ASSERT(rc == 0 || (rc == VOCD_ECONFIG && err[0]));
	if (rc == 0)
		FUZZ_ASSERT(vocd_config_tenant(cfg, "fz"));
	vocd_config_free(cfg);
	return 0;
}

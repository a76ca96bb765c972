/* Command-line entry (stub until the server lands). */
#include "cli.h"
#include <stdio.h>
int vocd_cli_main(int argc, char **argv)
{
	fprintf(stderr, "usage: vocd serve|check|token|backup|restore\n");
	return 2;
}

/* The vocd command: serve, check, token, backup, restore. */
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv)
{
	return vocd_cli_main(argc, argv);
}

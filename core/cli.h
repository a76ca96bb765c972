/* Command-line entry: parses the subcommand and its options, returns the process exit status. */
#ifndef VOCD_CLI_H
#define VOCD_CLI_H

int vocd_cli_main(int argc, char **argv);

#endif

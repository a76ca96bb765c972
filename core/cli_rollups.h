/* `vocd rollups rebuild`: a tenant's period figures counted again from its evaluations. */
#ifndef VOCD_CLI_ROLLUPS_H
#define VOCD_CLI_ROLLUPS_H

/**
 * \brief Runs `vocd rollups <sub>` for \p tenant ("rebuild"); \p config NULL: the embedded one, \p data NULL:
 * the config's data directory.
 * \return the exit status: 0 done, 1 failed, 2 usage mistake.
 */
int vocd_cli_rollups(const char *sub, const char *config, const char *data, const char *tenant);

#endif

/* The `vocd config` commands: the versions kept of a tenant's file, and putting an earlier one back. */
#ifndef VOCD_CLI_CONFIG_H
#define VOCD_CLI_CONFIG_H

/** \brief `vocd config versions --tenant T`: one line per version. \return the exit status. */
int vocd_cli_config_versions(const char *config, const char *data, const char *tenant);

/**
 * \brief `vocd config rollback --tenant T --version N`: writes version N's text over the tenant's file (the
 * file as it was goes to <file>.before-rollback), for the admin to check and reload. The text is opened
 * with the master key: \p key, or the configuration's key_file. \return the exit status.
 */
int vocd_cli_config_rollback(const char *config, const char *data, const char *key, const char *tenant,
                             const char *version);

#endif

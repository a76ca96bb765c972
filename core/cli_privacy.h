/* The `vocd privacy` commands: a customer's data exported or erased on request, the retention run started
 * by hand, and the personal-data access log read. */
#ifndef VOCD_CLI_PRIVACY_H
#define VOCD_CLI_PRIVACY_H

struct vocd_cli_privacy {
	const char *config, *data; /**< --config (NULL: embedded), --data (NULL: the config's) */
	const char *tenant;        /**< --tenant */
	const char *customer;      /**< --customer: the customer's external id (export, erase) */
	const char *reason;        /**< --reason: why (required for erase; kept in the access log for export) */
	const char *after;         /**< --after: access-log entries after this id */
	int limit;                 /**< --limit: access-log entries listed (0: 100) */
	int json;                  /**< --json: the access log as JSON */
};

/**
 * \brief Runs `vocd privacy <sub>`: "export" prints the customer's data as JSON on stdout (access-logged);
 * "erase" anonymises the customer; "retention" runs the tenant's retention once now; "access-log" lists
 * the log. Each is audited with the operator's login name as the actor.
 * \return the exit status: 0 done, 1 failed, 2 usage mistake.
 */
int vocd_cli_privacy(const char *sub, const struct vocd_cli_privacy *a);

#endif

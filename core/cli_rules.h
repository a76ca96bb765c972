/* The `vocd rules` commands: a dry run of workflow rules on the stored history. */
#ifndef VOCD_CLI_RULES_H
#define VOCD_CLI_RULES_H

struct vocd_cli_dry_run {
	const char *config, *data; /**< --config (NULL: embedded), --data (NULL: the config's) */
	const char *tenant;        /**< --tenant */
	const char *rule;          /**< --rule: a workflow plugin's plugin.lua */
	const char *settings;      /**< --settings: JSON object, the settings to try */
	const char *from, *to;     /**< --from, --to: days (tenant time) or Unix ms */
	int limit;                 /**< --limit: hits listed per rule (0: 100) */
	int json;                  /**< --json: the report as JSON instead of text */
};

/** \brief Runs the dry run and prints its report. \return the exit status (0 ok, 1 failed). */
int vocd_cli_rules_dry_run(const struct vocd_cli_dry_run *a);

/**
 * \brief `vocd rules test --tenant T --rule FILE [--cases FILE]`: runs a rule on the made-up events of its
 * test cases (default: spec/cases.lua beside FILE) and says for each whether it fired and did what the
 * case expects. A case: {name, settings?, rule? (the id, in a file of several), facts = {evaluation |
 * ticket | invitation, customer, context}, given? = {figure = value or {value, answers}}, fires,
 * actions? = {"open_ticket", ...}, people? = {"zhou", ...}}. \return 0 when every case passed, else 1.
 */
int vocd_cli_rules_test(const char *config, const char *tenant, const char *rule, const char *cases);

#endif

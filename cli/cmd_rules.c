/*
 * rules — `claimscrub rules check|show|test [OPTION]... [DIR...]`: tooling
 * for rule directories, a group of entries (entry.h), one file each:
 * cmd_rules_check.c loads them and prints every error at once;
 * cmd_rules_show.c prints the merged rule set in force for a payer profile
 * with the file and line of each value; cmd_rules_test.c runs the claim
 * documents of each directory's tests/ against its `# expect` headers.
 * Here: the group, and the directories they share.
 */
#include "config.h"

#include "cli/entry.h"

bool
rules_dirs(struct cli_opts *o)
{
	for (int i = 0; i < o->nargs; i++)
		if (!cli_rules_add(&o->rules, o->args[i])) {
			cli_error("rules: too many directories");
			return false;
		}
	cli_rules_default(&o->rules);
	return true;
}

static const struct cli_entry *const rules_commands[] = {
	&rules_check_entry, &rules_show_entry, &rules_test_entry, NULL};

static const struct cli_option *const options[] = {&cli_opt_help, NULL};

const struct cli_entry cmd_rules_entry = {
	.name = "rules",
	.summary = "check, show or test rule directories (check|show|test)",
	.usage = "COMMAND [OPTION]... [DIR]...",
	.about = "Check, show or test rule directories (default: the usual "
		 "discovery, see\n"
		 "README).  Directories are overlaid in the order given.\n",
	.status = "Exit status: 0 valid (check, show) or every test passed, 1 "
		  "invalid rules or\n"
		  "a failed test, 2 a usage or input error.\n",
	.options = options,
	.subs = rules_commands,
};

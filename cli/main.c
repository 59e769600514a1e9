/*
 * claimscrub — command-line front end: the program is a group entry
 * (entry.h) whose commands each live in their own file.  Only this program
 * prints and exits; the engine never does.
 */
#include "config.h"

#include "cli/entry.h"

static const struct cli_entry *const commands[] = {
	&cmd_check_entry,  &cmd_fix_entry,
	&cmd_submit_entry, &cmd_rules_entry,
	&cmd_db_entry,	   &cmd_review_entry,
	&cmd_report_entry, &cmd_resolve_entry,
	&cmd_assign_entry, &cmd_take_entry,
	&cmd_defer_entry,  &cmd_route_entry,
	&cmd_note_entry,   &cmd_export_entry,
	&cmd_import_entry, NULL,
};

static const struct cli_option *const options[] = {
	&cli_opt_help,
	&cli_opt_version,
	&cli_opt_list,
	NULL,
};

static const struct cli_entry program = {
	.name = "claimscrub",
	.usage = "COMMAND [OPTION]... [ARG]...",
	.about = "Pre-submission scrubber for drug-administration coding "
		 "(CPT 96360-96379, 96401-96417).\n",
	.status = "Exit status: 0 success (check: every claim clean), 1 "
		  "findings (check) or\n"
		  "a refusal by the database (submit, db, review and the "
		  "workflow commands),\n"
		  "2 an input, usage or connection error.\n",
	.options = options,
	.subs = commands,
};

int
main(int argc, char **argv)
{
	return cli_run_entry(&program, "", argc, argv);
}

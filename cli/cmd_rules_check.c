/*
 * rules check — `claimscrub rules check [DIR]...`: loads the rule
 * directories and prints every error of the rule set at once, in compiler
 * form.  Exit 0 valid, 1 invalid, 2 a directory cannot be read.
 */
#include "config.h"

#include <unistd.h>

#include "cli/entry.h"

static int
rules_check(struct cli_opts *o)
{
	if (!rules_dirs(o))
		return EXIT_USAGE;
	struct diag_list dl = {0};
	struct ruleset *rs = NULL;
	enum scrub_err err =
		rules_load_dirs(o->rules.dirs, o->rules.n, &rs, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	size_t n = dl.n;
	diag_list_free(&dl);
	rules_free(rs);
	if (err == SCRUB_ENOMEM) {
		cli_error("out of memory loading rules");
		return EXIT_INTERNAL;
	}
	if (err == SCRUB_EIO)
		return EXIT_USAGE;
	if (err != SCRUB_OK) {
		fprintf(stderr, "%zu error%s\n", n, n == 1 ? "" : "s");
		return EXIT_FLAGGED;
	}
	return EXIT_CLEAN;
}

static const struct cli_option *const options[] = {&cli_opt_help, NULL};

const struct cli_entry rules_check_entry = {
	.name = "check",
	.summary = "print every error of the rule set as FILE:LINE:COLUMN",
	.usage = "[DIR]...",
	.about =
		"Load the rule directories (default: the usual discovery, see "
		"README),\n"
		"overlaid in the order given, and print every error at once.\n",
	.status = "Exit status: 0 valid, 1 invalid rules, 2 a usage or input "
		  "error.\n",
	.options = options,
	.operands = CLI_ARGS_ANY,
	.run = rules_check,
};

/*
 * cli — what the claimscrub subcommands share: rule discovery, diagnostics
 * printing, and the subcommand entry points (one file each).
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "scrubber/scrubber.h"

/* Exit statuses (design.md): 0 clean, 1 findings, 2 input or usage error. */
enum { EXIT_CLEAN = 0, EXIT_FLAGGED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

#define CLI_MAX_RULE_DIRS 16

/* Rule directories given with --rules, or found by the design.md order:
 * $CLAIMSCRUB_RULES (colon-separated), the source tree's rules.d when run
 * from the build tree, else the installed directory with /etc overlaid. */
struct cli_rules {
	const char *dirs[CLI_MAX_RULE_DIRS];
	size_t n;
	char env_copy[4096];
};

/* Adds a --rules DIR; false when there are too many. */
bool cli_rules_add(struct cli_rules *r, const char *dir);

/* Fills the default directories when none were given. */
void cli_rules_default(struct cli_rules *r);

/* Loads the rule set, printing errors; NULL on failure. */
struct ruleset *cli_rules_load(struct cli_rules *r);

/* Prints each diagnostic in compiler form; with `context`, also the source
 * line and a caret under the column. */
void cli_print_diags(const struct diag_list *dl, bool context);

/* Prints "claimscrub: message" for an error of the program itself. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_check(int argc, char **argv);

/* Text rendering of one result for a person (textout.c). */
void textout_result(FILE *out, const struct result *r,
		    const struct ruleset *rs);

#endif

/*
 * claimscrub — command-line front end: a table of subcommands, each in its
 * own file.  Only this program prints and exits; the engine never does.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"check", cmd_check,
	 "scrub claim files offline and print the findings"},
	{"fix", cmd_fix,
	 "apply the findings' suggestions and write the fixed claims"},
	{"submit", cmd_submit, "send claim files to the database queue"},
	{"rules", cmd_rules,
	 "check, show or test rule directories (check|show|test)"},
	{"db", cmd_db,
	 "apply the SQL migrations (migrate) or list them (status)"},
	{"review", cmd_review, "show the review queue of open findings"},
	{"report", cmd_report,
	 "denial-risk report: text, CSV or HTML with charts"},
	{NULL, NULL, NULL},
};

static void
usage(FILE *out)
{
	fprintf(out, "Usage: claimscrub COMMAND [OPTION]... [ARG]...\n"
		     "Pre-submission scrubber for drug-administration coding "
		     "(CPT 96360-96379, 96401-96417).\n\n"
		     "Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out,
		"\nOptions:\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n\n"
		"'claimscrub COMMAND --help' describes a command.\n"
		"Exit status: 0 success (check: every claim clean), 1 "
		"findings (check) or\n"
		"a refusal by the database (submit, db), 2 an input, usage "
		"or connection error.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("claimscrub %s\n", PACKAGE_VERSION);
		return EXIT_CLEAN;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	cli_error("unknown command '%s' (try 'claimscrub --help')", argv[1]);
	return EXIT_USAGE;
}

/*
 * entry — subcommands as entries, after tmux's cmd_entry: each subcommand
 * is one const struct with its name, one-line summary, usage line, option
 * rows and run function, and one parser serves them all.  The rows are the
 * only description of the options: getopt_long's tables, the --help text
 * and the hidden --list-options table (tests/man.sh checks the manual page
 * against it) are all made from them, so they cannot drift apart.
 */
#ifndef CLI_ENTRY_H
#define CLI_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"

/* What the parser does with an option's argument. */
enum cli_opt_kind {
	CLI_OPT_HELP,	 /* no argument: print the entry's help, exit 0 */
	CLI_OPT_VERSION, /* no argument: print the version, exit 0 */
	CLI_OPT_LIST,	 /* no argument: print every entry's options, exit 0 */
	CLI_OPT_STRING,	 /* the argument as it is */
	CLI_OPT_RULES,	 /* one more rule directory (struct cli_rules) */
	CLI_OPT_CHOICE,	 /* the index of the argument in .choices (an int) */
	CLI_OPT_CONVERT, /* what .convert makes of it */
	CLI_OPT_FLAG	 /* no argument: sets a bool */
};

/* Stores what arg means into *field; NULL when arg is good, else what it
 * must be ("a date YYYY-MM-DD"): the parser then says "--NAME must be
 * WHAT, not 'ARG'" and exits 2, so every bad value names its option. */
typedef const char *cli_convert_fn(const char *arg, void *field);

/* One option row. */
struct cli_option {
	const char *name; /* long name, without the dashes */
	char letter;	  /* short option, or 0 for none */
	const char *arg;  /* the argument's name ("DIR"); NULL: takes none */
	const char *help; /* one line, wrapped to fit; NULL: hidden */
	enum cli_opt_kind kind;
	size_t field; /* where it goes: offsetof(struct cli_opts) */
	const char *const *choices; /* CLI_OPT_CHOICE: NULL-terminated */
	cli_convert_fn *convert;    /* CLI_OPT_CONVERT */
};

/* Every option's value for every command (tmux has one struct args too): a
 * command reads the fields its rows fill, the others keep their "not
 * given" values, so one parser needs no per-command code. */
struct cli_opts {
	struct cli_rules rules;	   /* --rules (rules: the DIR operands) */
	const char *payer;	   /* --payer; NULL: not given */
	const char *db;		   /* --db: libpq conninfo; NULL: defaults */
	const char *output;	   /* -o: NULL for standard output */
	const char *sql;	   /* --sql: NULL for cli_sql_dir() */
	const char *since, *until; /* report: dates, checked */
	int format;    /* --format: index into its choices; -1 not given */
	unsigned only; /* fix --only: 1u << enum severity; 0 not given */
	struct cli_date {
		int32_t day; /* days since 1970-01-01 */
		bool given;
	} date;	    /* rules show --date */
	long limit; /* review --limit, report --top; 0 not given */
	/* The review workflow (review, resolve, assign, take, defer, route,
	 * note): checked text, passed to the server as parameters as it is;
	 * NULL not given.  Numbers stay text too: the server takes them so. */
	const char *claim, *rule, *severity, *provider, *state, *assignee;
	const char *older_than, *min_amount, *reason, *note, *seen, *team;
	const char *to, *revision, *finding;
	const char *cursor, *cursor_file; /* export --since, --cursor-file */
	int sort;		/* review --sort: index; 0 (amount) default */
	bool dry_run, unassign; /* resolve --dry-run, assign --unassign */
	bool submit;		/* import --submit */
	/* import --mar FILE (repeated), --mar-format, --mar-key: indexes
	 * into their choices, 0 (the default) when not given */
	struct cli_files {
		const char *v[16];
		int n;
	} mar;
	int mar_format, mar_key;
	char **args; /* the operands, after the options */
	int nargs;
};

/* What may follow the options. */
enum cli_operands {
	CLI_ARGS_NONE, /* nothing: a word is "unexpected argument" */
	CLI_ARGS_ANY,  /* any number */
	CLI_ARGS_SOME  /* at least one: none is "no WHAT given" */
};

/* One command; a group (rules, db, the program itself) has subs and no
 * run, and its first word names one of them. */
struct cli_entry {
	const char *name;
	const char *summary; /* one line, for the group's list of commands */
	const char *usage;   /* after the name: "[OPTION]... FILE..." */
	const char *about;   /* --help: what it does, lines of < 80 columns */
	const char *status;  /* --help: the exit statuses, the same */
	const struct cli_option *const *options; /* NULL-terminated */
	enum cli_operands operands;
	const char *what; /* CLI_ARGS_SOME: the operands ("claim files") */
	int (*run)(struct cli_opts *o);
	const struct cli_entry *const *subs; /* NULL-terminated */
};

/* Runs the command argv names under entry e (whose own name is argv[0];
 * path is the words before it, "" at the top): parses its options, or
 * picks the sub-entry for a group.  Returns the exit status. */
int cli_run_entry(const struct cli_entry *e, const char *path, int argc,
		  char **argv);

/* The rows commands share: each is defined once, in entry.c. */
extern const struct cli_option cli_opt_help, cli_opt_version, cli_opt_list,
	cli_opt_rules, cli_opt_payer, cli_opt_db, cli_opt_output, cli_opt_sql;

/* A --format row; choices is a NULL-terminated array of words. */
#define CLI_OPT_FORMAT(choices_, help_) \
	{ \
		.name = "format", .letter = 'f', .arg = "FORMAT", \
		.help = (help_), .kind = CLI_OPT_CHOICE, \
		.field = offsetof(struct cli_opts, format), \
		.choices = (choices_) \
	}

/* The entries (cmd_*.c, rules_*.c); the program's own is in main.c. */
extern const struct cli_entry cmd_check_entry, cmd_fix_entry, cmd_submit_entry,
	cmd_rules_entry, cmd_db_entry, cmd_review_entry, cmd_report_entry,
	cmd_export_entry, cmd_import_entry;
extern const struct cli_entry cmd_resolve_entry, cmd_assign_entry,
	cmd_take_entry, cmd_defer_entry, cmd_route_entry, cmd_note_entry;
extern const struct cli_entry rules_check_entry, rules_show_entry,
	rules_test_entry;

/* rules_*.c: the DIR operands as the rule directories, or the usual ones
 * when there are none; false (said) when there are too many. */
bool rules_dirs(struct cli_opts *o);

#endif

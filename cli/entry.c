/*
 * entry — the one option parser, --help printer and dispatcher of the
 * claimscrub subcommands (entry.h), and the option rows they share.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"

/* More rows than any command has; make_tables() checks. */
#define CLI_MAX_OPTIONS 16

/* parse(): the options are good, run the command. */
#define CLI_RUN (-1)

/* Help text is wrapped to this many columns. */
#define HELP_COLS 79

/* ---- the shared rows ---------------------------------------------------- */

const struct cli_option cli_opt_help = {
	.name = "help",
	.letter = 'h',
	.help = "show this help and exit",
	.kind = CLI_OPT_HELP,
};

const struct cli_option cli_opt_version = {
	.name = "version",
	.letter = 'V',
	.help = "show the version and exit",
	.kind = CLI_OPT_VERSION,
};

/* Hidden (no help): the option table for tests/man.sh. */
const struct cli_option cli_opt_list = {
	.name = "list-options",
	.kind = CLI_OPT_LIST,
};

const struct cli_option cli_opt_rules = {
	.name = "rules",
	.letter = 'r',
	.arg = "DIR",
	.help = "rule directory (repeat to overlay; default: see README)",
	.kind = CLI_OPT_RULES,
	.field = offsetof(struct cli_opts, rules),
};

const struct cli_option cli_opt_payer = {
	.name = "payer",
	.letter = 'p',
	.arg = "PROFILE",
	.help = "judge every claim by this payer profile",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, payer),
};

const struct cli_option cli_opt_db = {
	.name = "db",
	.letter = 'd',
	.arg = "CONNINFO",
	.help = "libpq connection string or URI (default: libpq's defaults "
		"and the PG* environment)",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, db),
};

const struct cli_option cli_opt_output = {
	.name = "output",
	.letter = 'o',
	.arg = "FILE",
	.help = "write to FILE instead of standard output",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, output),
};

const struct cli_option cli_opt_sql = {
	.name = "sql",
	.letter = 's',
	.arg = "DIR",
	.help = "the migrations, NNN_name.sql (default: the installed ones, "
		"or the source tree's when run from the build tree)",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, sql),
};

/* ---- help --------------------------------------------------------------- */

/* "  -r, --rules DIR" into buf; its length. */
static int
row_label(const struct cli_option *r, char *buf, size_t size)
{
	char letter[8] = "    ";
	if (r->letter)
		snprintf(letter, sizeof(letter), "-%c, ", r->letter);
	return snprintf(buf, size, "  %s--%s%s%s", letter, r->name,
			r->arg ? " " : "", r->arg ? r->arg : "");
}

/* Prints text from column col, wrapped at HELP_COLS, later lines indented
 * to indent. */
static void
put_wrapped(FILE *out, const char *text, int col, int indent)
{
	for (const char *s = text; *s;) {
		int len = (int)strcspn(s, " ");
		if (col > indent && col + 1 + len > HELP_COLS) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(s, 1, (size_t)len, out);
		col += len;
		s += len;
		s += strspn(s, " ");
	}
	fputc('\n', out);
}

/* The option rows: labels in a column, help beside them. */
static void
put_rows(FILE *out, const struct cli_option *const *rows)
{
	char label[64];
	int width = 0;
	for (const struct cli_option *const *r = rows; *r; r++) {
		int len = row_label(*r, label, sizeof(label));
		if ((*r)->help && len > width)
			width = len;
	}
	for (const struct cli_option *const *r = rows; *r; r++) {
		if (!(*r)->help)
			continue;
		int len = row_label(*r, label, sizeof(label));
		fprintf(out, "%s%*s", label, width + 2 - len, "");
		put_wrapped(out, (*r)->help, width + 2, width + 2);
	}
}

/* A group's commands with their summaries. */
static void
put_subs(FILE *out, const struct cli_entry *const *subs)
{
	int width = 0;
	for (const struct cli_entry *const *s = subs; *s; s++)
		if ((int)strlen((*s)->name) > width)
			width = (int)strlen((*s)->name);
	for (const struct cli_entry *const *s = subs; *s; s++) {
		fprintf(out, "  %-*s  ", width, (*s)->name);
		put_wrapped(out, (*s)->summary, width + 4, width + 4);
	}
}

static void
print_help(const struct cli_entry *e, const char *full, FILE *out)
{
	fprintf(out, "Usage: %s %s\n", full, e->usage);
	if (e->about)
		fputs(e->about, out);
	if (e->subs) {
		fputs("\nCommands:\n", out);
		put_subs(out, e->subs);
	}
	fputs("\nOptions:\n", out);
	put_rows(out, e->options);
	if (e->subs)
		fprintf(out, "\n'%s COMMAND --help' describes a command.\n",
			full);
	if (e->status) {
		fputc('\n', out);
		fputs(e->status, out);
	}
}

/* Every entry's visible options, one a line: its full name, --long,
 * -letter and argument name, tab-separated (empty when none). */
static void
list_options(const struct cli_entry *e, const char *full, FILE *out)
{
	char sub[128], letter[4];
	for (const struct cli_option *const *r = e->options; *r; r++) {
		if (!(*r)->help)
			continue;
		letter[0] = '\0';
		if ((*r)->letter)
			snprintf(letter, sizeof(letter), "-%c", (*r)->letter);
		fprintf(out, "%s\t--%s\t%s\t%s\n", full, (*r)->name, letter,
			(*r)->arg ? (*r)->arg : "");
	}
	for (const struct cli_entry *const *s = e->subs; s && *s; s++) {
		snprintf(sub, sizeof(sub), "%s %s", full, (*s)->name);
		list_options(*s, sub, out);
	}
}

/* ---- parsing ------------------------------------------------------------ */

/* getopt_long's value for row i: its letter, else a number past them. */
static int
row_val(const struct cli_option *r, size_t i)
{
	return r->letter ? (unsigned char)r->letter : 256 + (int)i;
}

/* The row whose getopt value is val; NULL for none. */
static const struct cli_option *
find_row(const struct cli_entry *e, int val)
{
	for (size_t i = 0; e->options[i]; i++)
		if (val != 0 && row_val(e->options[i], i) == val)
			return e->options[i];
	return NULL;
}

/* getopt_long's tables from the rows.  A leading ':' reports a missing
 * argument apart from an unknown option.  False when e has more rows than
 * the tables hold: an entry to fix, not a user's error. */
static bool
make_tables(const struct cli_entry *e, struct option *longopts, char *shortopts)
{
	size_t i, n = 0;
	shortopts[n++] = ':';
	for (i = 0; e->options[i]; i++) {
		const struct cli_option *r = e->options[i];
		if (i == CLI_MAX_OPTIONS)
			return false;
		longopts[i] = (struct option){
			r->name, r->arg ? required_argument : no_argument, NULL,
			row_val(r, i)};
		if (r->letter) {
			shortopts[n++] = r->letter;
			if (r->arg)
				shortopts[n++] = ':';
		}
	}
	longopts[i] = (struct option){NULL, 0, NULL, 0};
	shortopts[n] = '\0';
	return true;
}

/* "a, b or c" from a NULL-terminated list of words. */
static const char *
choice_list(const char *const *choices, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; choices[i] && o < size; i++) {
		const char *sep = i == 0 ? "" : choices[i + 1] ? ", " : " or ";
		o += (size_t)snprintf(buf + o, size - o, "%s%s", sep,
				      choices[i]);
	}
	return buf;
}

/* The index of arg in choices into *field; NULL, else the choices as
 * words, into buf. */
static const char *
set_choice(const char *const *choices, const char *arg, int *field, char *buf,
	   size_t size)
{
	for (int i = 0; choices[i]; i++)
		if (strcmp(choices[i], arg) == 0) {
			*field = i;
			return NULL;
		}
	return choice_list(choices, buf, size);
}

/* Stores a value option's argument; CLI_RUN, or 2 after saying what is
 * wrong with it. */
static int
store(const struct cli_option *r, const char *arg, struct cli_opts *o)
{
	void *field = (char *)o + r->field;
	const char *must = NULL;
	char words[128];
	if (r->kind == CLI_OPT_STRING) {
		*(const char **)field = arg;
	} else if (r->kind == CLI_OPT_RULES) {
		if (!cli_rules_add(field, arg)) {
			cli_error("too many --%s directories (at most %d)",
				  r->name, CLI_MAX_RULE_DIRS);
			return EXIT_USAGE;
		}
	} else if (r->kind == CLI_OPT_FLAG) {
		*(bool *)field = true;
	} else if (r->kind == CLI_OPT_CHOICE) {
		must = set_choice(r->choices, arg, field, words, sizeof(words));
	} else {
		must = r->convert(arg, field);
	}
	if (!must)
		return CLI_RUN;
	cli_error("--%s must be %s, not '%s'", r->name, must, arg);
	return EXIT_USAGE;
}

/* The command words after "claimscrub" in full ("rules show"), and ": "
 * after them, for messages; "" for the program itself. */
static const char *
cmd_of(const char *full, const char **sep)
{
	const char *sp = strchr(full, ' ');
	*sep = sp ? ": " : "";
	return sp ? sp + 1 : "";
}

/* getopt_long returned '?' or ':' (opterr is off): says which option was
 * wrong and how.  Returns 2. */
static int
bad_option(const struct cli_entry *e, const char *full, int ch, char **argv)
{
	const char *sep, *cmd = cmd_of(full, &sep);
	const struct cli_option *r = find_row(e, optopt);
	const char *what = argv[optind - 1]; /* an unknown long option */
	char opt[8];
	if (optopt) {
		snprintf(opt, sizeof(opt), "-%c", optopt);
		what = opt;
	}
	if (ch == ':' && r)
		cli_error("%s%s--%s needs an argument (%s)", cmd, sep, r->name,
			  r->arg);
	else if (r) /* "--help=x": the value of an option that takes none */
		cli_error("%s%s--%s takes no argument", cmd, sep, r->name);
	else
		cli_error("%s%sunknown option '%s' (try '%s --help')", cmd, sep,
			  what, full);
	return EXIT_USAGE;
}

/* One option: acts on the terminal ones (--help...), stores the others. */
static int
act(const struct cli_entry *e, const char *full, const struct cli_option *r,
    struct cli_opts *o)
{
	switch (r->kind) {
	case CLI_OPT_HELP:
		print_help(e, full, stdout);
		return EXIT_CLEAN;
	case CLI_OPT_VERSION:
		printf("%s %s\n", full, PACKAGE_VERSION);
		return EXIT_CLEAN;
	case CLI_OPT_LIST:
		list_options(e, full, stdout);
		return EXIT_CLEAN;
	default:
		return store(r, optarg, o);
	}
}

/* The operands, as e->operands allows. */
static int
take_operands(const struct cli_entry *e, const char *full, int argc,
	      char **argv, struct cli_opts *o)
{
	const char *sep, *cmd = cmd_of(full, &sep);
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (e->operands == CLI_ARGS_NONE && o->nargs > 0) {
		cli_error("%s%sunexpected argument '%s'", cmd, sep, o->args[0]);
		return EXIT_USAGE;
	}
	if (e->operands == CLI_ARGS_SOME && o->nargs == 0) {
		cli_error("%s%sno %s given (try '%s --help')", cmd, sep,
			  e->what, full);
		return EXIT_USAGE;
	}
	return CLI_RUN;
}

/* Parses argv (argv[0]: the command's name) into o; CLI_RUN, or the exit
 * status after --help, --version or an error. */
static int
parse(const struct cli_entry *e, const char *full, int argc, char **argv,
      struct cli_opts *o)
{
	struct option longopts[CLI_MAX_OPTIONS + 1];
	char shortopts[3 * CLI_MAX_OPTIONS + 2];
	int ch, rc = CLI_RUN;
	if (!make_tables(e, longopts, shortopts)) {
		cli_error("%s: more than %d options", full, CLI_MAX_OPTIONS);
		return EXIT_INTERNAL;
	}
	opterr = 0; /* bad_option() says it, naming the command */
	optind = 1;
	while (rc == CLI_RUN && (ch = getopt_long(argc, argv, shortopts,
						  longopts, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			return bad_option(e, full, ch, argv);
		rc = act(e, full, find_row(e, ch), o);
	}
	return rc == CLI_RUN ? take_operands(e, full, argc, argv, o) : rc;
}

/* ---- dispatch ------------------------------------------------------------ */

/* A group: its own options (--help...) when argv[1] is one, else the
 * sub-entry argv[1] names. */
static int
run_group(const struct cli_entry *e, const char *full, int argc, char **argv)
{
	const char *sep, *cmd = cmd_of(full, &sep);
	if (argc >= 2 && argv[1][0] == '-' && argv[1][1]) {
		struct cli_opts o = {.format = -1};
		int rc = parse(e, full, argc, argv, &o);
		if (rc != CLI_RUN)
			return rc;
	} else if (argc >= 2) {
		for (const struct cli_entry *const *s = e->subs; *s; s++)
			if (strcmp(argv[1], (*s)->name) == 0)
				return cli_run_entry(*s, full, argc - 1,
						     argv + 1);
		cli_error("%s%sunknown command '%s' (try '%s --help')", cmd,
			  sep, argv[1], full);
		return EXIT_USAGE;
	}
	print_help(e, full, stderr);
	return EXIT_USAGE;
}

int
cli_run_entry(const struct cli_entry *e, const char *path, int argc,
	      char **argv)
{
	char full[128];
	snprintf(full, sizeof(full), "%s%s%s", path, *path ? " " : "", e->name);
	if (e->subs)
		return run_group(e, full, argc, argv);
	struct cli_opts o = {.format = -1};
	int rc = parse(e, full, argc, argv, &o);
	return rc == CLI_RUN ? e->run(&o) : rc;
}

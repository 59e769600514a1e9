/*
 * check — `claimscrub check [--rules DIR]... [--payer P] [--format F] FILE...`:
 * scrub claim documents offline.  JSON Lines or text on standard output, one
 * claim per document in input order; input errors on standard error in
 * compiler form.  Exit 0 all clean, 1 any flagged or invalid, 2 input errors.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

enum format { FORMAT_TEXT, FORMAT_JSON };

struct check_opts {
	struct cli_rules rules;
	const char *payer;
	enum format format;
};

struct check_state {
	const struct check_opts *o;
	const struct ruleset *rs;
	struct strbuf out;
	bool flagged, input_error;
};

static void
check_usage(FILE *out)
{
	fprintf(out,
		"Usage: claimscrub check [OPTION]... FILE...\n"
		"Scrub claim documents (YAML or JSON; several per file, '-' "
		"for standard\n"
		"input) and print, per claim, the codes the documentation "
		"supports and the\n"
		"findings against the billed lines.\n\n"
		"  -r, --rules DIR      rule directory (repeat to overlay; "
		"default: see README)\n"
		"  -p, --payer PROFILE  judge every claim by this payer "
		"profile\n"
		"  -f, --format FORMAT  text (default on a terminal) or json "
		"(JSON Lines)\n"
		"  -h, --help           show this help and exit\n\n"
		"Exit status: 0 every claim clean, 1 a claim flagged or "
		"invalid,\n"
		"2 an input or usage error (errors name FILE:LINE:COLUMN).\n");
}

static int
parse_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"payer", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	o->format = isatty(STDOUT_FILENO) ? FORMAT_TEXT : FORMAT_JSON;
	while ((ch = getopt_long(argc, argv, "r:p:f:h", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'r':
			if (!cli_rules_add(&o->rules, optarg)) {
				cli_error("too many --rules directories");
				return EXIT_USAGE;
			}
			break;
		case 'p':
			o->payer = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = FORMAT_JSON;
			else {
				cli_error("--format must be text or json, not "
					  "'%s'",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			check_usage(stdout);
			return -1;
		default:
			check_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("check: no claim files given (try 'claimscrub check "
			  "--help')");
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

static void
emit_result(struct check_state *st, const struct claim *claim)
{
	struct claim judged;
	struct result *r;
	if (cli_scrub(st->rs, claim, st->o->payer, &judged, &r) != SCRUB_OK) {
		cli_error("out of memory scrubbing claim '%s'", claim->ref);
		exit(EXIT_INTERNAL);
	}
	st->flagged |= r->verdict != VERDICT_CLEAN;
	if (st->o->format == FORMAT_JSON) {
		strbuf_reset(&st->out);
		result_json(r, &st->out);
		strbuf_putc(&st->out, '\n');
		fwrite(strbuf_str(&st->out), 1, st->out.len, stdout);
	} else {
		textout_result(stdout, r, st->rs);
	}
	result_free(r);
}

/* Scrubs one good document (cli_each_claim); results go out as they come. */
static bool
check_one(void *arg, const char *path, const struct claim *claim)
{
	(void)path;
	emit_result(arg, claim);
	fflush(stdout);
	return true;
}

int
cmd_check(int argc, char **argv)
{
	struct check_opts o = {0};
	int rc = parse_opts(argc, argv, &o);
	if (rc != EXIT_CLEAN)
		return rc < 0 ? EXIT_CLEAN : rc;
	struct ruleset *rs = cli_rules_load_payer(&o.rules, o.payer);
	if (!rs)
		return EXIT_USAGE;
	struct check_state st = {.o = &o, .rs = rs, .out = STRBUF_INIT};
	for (int i = optind; i < argc; i++)
		st.input_error |= cli_each_claim(argv[i], check_one, &st);
	strbuf_free(&st.out);
	rules_free(rs);
	if (st.input_error)
		return EXIT_USAGE;
	return st.flagged ? EXIT_FLAGGED : EXIT_CLEAN;
}

/*
 * check — `claimscrub check [--rules DIR]... [--payer P] [--format F] FILE...`:
 * scrub claim documents offline.  JSON Lines or text on standard output, one
 * claim per document in input order; input errors on standard error in
 * compiler form.  Exit 0 all clean, 1 any flagged or invalid, 2 input errors.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/entry.h"

/* --format, in the order of the row's choices */
enum format { FORMAT_TEXT, FORMAT_JSON };

struct check_state {
	const struct cli_opts *o;
	const struct ruleset *rs;
	enum format format;
	struct strbuf out;
	bool flagged, input_error;
};

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
	if (st->format == FORMAT_JSON) {
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

static int
check_run(struct cli_opts *o)
{
	struct ruleset *rs = cli_rules_load_payer(&o->rules, o->payer);
	if (!rs)
		return EXIT_USAGE;
	struct check_state st = {.o = o, .rs = rs, .out = STRBUF_INIT};
	st.format = o->format >= 0	    ? (enum format)o->format
		    : isatty(STDOUT_FILENO) ? FORMAT_TEXT
					    : FORMAT_JSON;
	for (int i = 0; i < o->nargs; i++)
		st.input_error |= cli_each_claim(o->args[i], check_one, &st);
	strbuf_free(&st.out);
	rules_free(rs);
	if (st.input_error)
		return EXIT_USAGE;
	return st.flagged ? EXIT_FLAGGED : EXIT_CLEAN;
}

static const char *const formats[] = {"text", "json", NULL};

static const struct cli_option format_row = CLI_OPT_FORMAT(
	formats, "text (default on a terminal) or json (JSON Lines)");

static const struct cli_option *const options[] = {
	&cli_opt_rules, &cli_opt_payer, &format_row, &cli_opt_help, NULL};

const struct cli_entry cmd_check_entry = {
	.name = "check",
	.summary = "scrub claim files offline and print the findings",
	.usage = "[OPTION]... FILE...",
	.about = "Scrub claim documents (YAML or JSON; several per file, '-' "
		 "for standard\n"
		 "input) and print, per claim, the codes the documentation "
		 "supports and the\n"
		 "findings against the billed lines.\n",
	.status = "Exit status: 0 every claim clean, 1 a claim flagged or "
		  "invalid,\n"
		  "2 an input or usage error (errors name FILE:LINE:COLUMN).\n",
	.options = options,
	.operands = CLI_ARGS_SOME,
	.what = "claim files",
	.run = check_run,
};

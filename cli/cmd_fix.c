/*
 * fix — `claimscrub fix [--only SEVERITIES] [-o FILE] [--rules DIR]...
 * [--payer P] FILE...`: each claim document with the suggestions of its
 * findings applied (scrubber/fix.h), written in the format it came in: a
 * document in flow style (JSON) as canonical JSON on one line, any other as
 * canonical YAML; documents separated by `---` so the output is a claim file
 * again.  The fixed claim is scrubbed once more: every finding it still has
 * (document, review, a severity not asked for) is listed on standard error
 * in compiler form, and decides the exit status: 0 every fixed claim clean,
 * 1 one is not, 2 an input, usage or write error.
 *
 * With -o the output goes to FILE.tmp, renamed over FILE only when every
 * input was read and written: FILE is never half written, never loses the
 * documents of a bad input, and may be one of the inputs (each input is
 * read whole before its documents are fixed).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/entry.h"
#include "cli/termsafe.h"

struct fix_state {
	const struct cli_opts *o;
	unsigned only; /* severities applied: bits 1u << enum severity */
	const struct ruleset *rs;
	FILE *out;
	char *tmp_path; /* -o: FILE.tmp, written first */
	struct strbuf buf;
	size_t ndocs; /* documents written */
	bool unclean, input_error;
	int fatal; /* exit status of an error that stops the run, or 0 */
};

/* ---- output ------------------------------------------------------------ */

/* Where the documents go, for messages. */
static const char *
out_name(const struct fix_state *st)
{
	return st->tmp_path ? st->tmp_path : "standard output";
}

static bool
open_output(struct fix_state *st)
{
	struct stat sb;
	if (!st->o->output) {
		st->out = stdout;
		return true;
	}
	/* renaming over a device or a directory is never what was meant */
	if (stat(st->o->output, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		cli_error("fix: '%s' is not a regular file", st->o->output);
		return false;
	}
	struct strbuf path = STRBUF_INIT;
	strbuf_printf(&path, "%s.tmp", st->o->output);
	if (path.failed) {
		cli_error("out of memory");
		strbuf_free(&path);
		return false;
	}
	st->tmp_path = path.data; /* owned by st from here */
	st->out = fopen(st->tmp_path, "w");
	if (!st->out) {
		cli_error("fix: cannot write '%s'", st->tmp_path);
		return false;
	}
	return true;
}

/* Flushes the output; with -o, renames FILE.tmp over FILE when keep (and
 * the data reached the disk), else removes it.  False after an error,
 * which it reports unless an earlier one stopped the run. */
static bool
close_output(struct fix_state *st, bool keep)
{
	bool ok = fflush(st->out) == 0 && !ferror(st->out);
	if (st->out != stdout) {
		/* on the disk before it takes FILE's name */
		ok &= fsync(fileno(st->out)) == 0;
		ok &= fclose(st->out) == 0;
		st->out = NULL;
	}
	if (!ok && !st->fatal)
		cli_error("fix: write error on '%s'", out_name(st));
	if (!st->tmp_path)
		return ok;
	if (keep && ok && rename(st->tmp_path, st->o->output) != 0) {
		cli_error("fix: cannot rename '%s' to '%s'", st->tmp_path,
			  st->o->output);
		ok = false;
	}
	if (!keep || !ok)
		unlink(st->tmp_path);
	return ok;
}

/* Writes one fixed claim: JSON on one line, or YAML under a comment saying
 * what was done; `---` before every document but the first. */
static bool
write_doc(struct fix_state *st, const struct claim *c, bool json,
	  const struct fix_stats *stats, int left)
{
	struct strbuf *b = &st->buf;
	strbuf_reset(b);
	if (st->ndocs++ > 0)
		strbuf_lit(b, "---\n");
	if (json) {
		claimjson_write(c, b);
		strbuf_putc(b, '\n');
	} else {
		strbuf_printf(b,
			      "# fixed by claimscrub fix: %d suggestion(s) "
			      "applied, %d finding(s) left\n",
			      stats->applied, left);
		claimyaml_write(c, b);
	}
	if (b->failed) {
		cli_error("out of memory writing claim '%s'", c->ref);
		st->fatal = EXIT_INTERNAL;
		return false;
	}
	if (fwrite(strbuf_str(b), 1, b->len, st->out) != b->len ||
	    (st->out == stdout && fflush(stdout) != 0)) {
		cli_error("fix: write error on '%s'", out_name(st));
		st->fatal = EXIT_USAGE;
		return false;
	}
	return true;
}

/* ---- fixing ------------------------------------------------------------ */

/* One line per finding the fixed claim still has: what a person must do.
 * Line numbers are those of the claim as written out. */
static void
list_left(const char *path, const struct result *r)
{
	for (int i = 0; i < r->nfindings; i++) {
		const struct result_finding *f = &r->findings[i];
		/* claim text reaches a terminal escaped (cli/termsafe.h) */
		termsafe_put(stderr, path);
		fputs(": claim ", stderr);
		termsafe_put(stderr, r->claim->ref);
		fputs(": ", stderr);
		if (f->line > 0)
			fprintf(stderr, "line %d: ", f->line);
		fprintf(stderr, "%s: ", finding_names[f->id]);
		termsafe_put(stderr, f->message ? f->message : "");
		fputc('\n', stderr);
	}
}

/* Scrubs claim, applies the wanted suggestions into *fixed (lines in a)
 * and scrubs the result again into *again.  False when out of memory. */
static bool
fix_claim(const struct fix_state *st, const struct claim *claim,
	  struct arena *a, struct claim *fixed, struct fix_stats *stats,
	  struct result **again)
{
	struct claim judged;
	struct result *r = NULL;
	bool ok =
		a &&
		cli_scrub(st->rs, claim, st->o->payer, &judged, &r) ==
			SCRUB_OK &&
		fix_apply(&judged, r, st->only, a, fixed, stats) == SCRUB_OK &&
		scrub_claim(st->rs, fixed, again) == SCRUB_OK;
	result_free(r);
	return ok;
}

/* Fixes one good document (cli_each_doc) and writes it out. */
static bool
fix_one(void *arg, const char *path, const struct claim *claim,
	const struct ynode *doc)
{
	struct fix_state *st = arg;
	struct arena *a = arena_new();
	struct result *again = NULL;
	struct claim fixed;
	struct fix_stats stats = {0};
	bool ok = fix_claim(st, claim, a, &fixed, &stats, &again);
	if (ok) {
		list_left(path, again);
		st->unclean |= again->verdict != VERDICT_CLEAN;
		/* --payer only judges: the document keeps its own payer */
		fixed.payer = claim->payer;
		ok = write_doc(st, &fixed, doc->flow, &stats, again->nfindings);
	} else {
		cli_error("out of memory fixing claim '%s'", claim->ref);
		st->fatal = EXIT_INTERNAL;
	}
	result_free(again);
	arena_free(a);
	return ok;
}

static int
fix_files(struct fix_state *st)
{
	if (!open_output(st))
		return EXIT_USAGE;
	for (int i = 0; i < st->o->nargs && !st->fatal; i++)
		st->input_error |= cli_each_doc(st->o->args[i], fix_one, st);
	bool keep = !st->fatal && !st->input_error;
	if (!close_output(st, keep) && !st->fatal)
		st->fatal = EXIT_USAGE;
	if (st->o->output && !keep)
		cli_error("fix: '%s' left as it was: %s", st->o->output,
			  st->fatal ? "the run failed" : "an input had errors");
	if (st->fatal)
		return st->fatal;
	if (st->input_error)
		return EXIT_USAGE;
	return st->unclean ? EXIT_FLAGGED : EXIT_CLEAN;
}

static int
fix_run(struct cli_opts *o)
{
	struct ruleset *rs = cli_rules_load_payer(&o->rules, o->payer);
	if (!rs)
		return EXIT_USAGE;
	struct fix_state st = {.o = o, .rs = rs, .buf = STRBUF_INIT};
	st.only = o->only ? o->only : FIX_ALL;
	int rc = fix_files(&st);
	strbuf_free(&st.buf);
	free(st.tmp_path);
	rules_free(rs);
	return rc;
}

/* --only "error,warning" into severity bits (*field, an unsigned); an
 * unknown or empty name is refused. */
static const char *
parse_only(const char *list, void *field)
{
	unsigned *out = field;
	*out = 0;
	for (const char *s = list;; s++) {
		size_t len = strcspn(s, ",");
		int sev = severity_lookup(s, len);
		if (sev < 0)
			return "a comma-separated list of error, warning, info";
		*out |= 1u << sev;
		s += len;
		if (!*s)
			return NULL;
	}
}

static const struct cli_option only_row = {
	.name = "only",
	.arg = "LIST",
	.help = "apply the findings of these severities only: a "
		"comma-separated list of error, warning, info (default: all)",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, only),
	.convert = parse_only,
};

static const struct cli_option *const options[] = {
	&only_row,	&cli_opt_output, &cli_opt_rules,
	&cli_opt_payer, &cli_opt_help,	 NULL};

const struct cli_entry cmd_fix_entry = {
	.name = "fix",
	.summary = "apply the findings' suggestions and write the fixed claims",
	.usage = "[OPTION]... FILE...",
	.about = "Apply the suggestions of each claim's findings and write the "
		 "fixed claim\n"
		 "documents, in the format they came in (YAML or JSON; '-' for "
		 "standard input).\n"
		 "What needs a person is listed on standard error.  With -o, "
		 "FILE is replaced\n"
		 "only when every input was read and written.\n",
	.status = "Exit status: 0 every fixed claim clean, 1 a fixed claim "
		  "still flagged or\n"
		  "invalid, 2 an input, usage or write error (input errors "
		  "name FILE:LINE:COLUMN).\n",
	.options = options,
	.operands = CLI_ARGS_SOME,
	.what = "claim files",
	.run = fix_run,
};

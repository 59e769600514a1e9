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

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/termsafe.h"

struct fix_opts {
	struct cli_rules rules;
	const char *payer;
	const char *output; /* -o FILE; NULL: standard output */
	unsigned only;	    /* severities applied: bits 1u << enum severity */
};

struct fix_state {
	const struct fix_opts *o;
	const struct ruleset *rs;
	FILE *out;
	char *tmp_path; /* -o: FILE.tmp, written first */
	struct strbuf buf;
	size_t ndocs; /* documents written */
	bool unclean, input_error;
	int fatal; /* exit status of an error that stops the run, or 0 */
};

static void
fix_usage(FILE *out)
{
	fprintf(out,
		"Usage: claimscrub fix [OPTION]... FILE...\n"
		"Apply the suggestions of each claim's findings and write the "
		"fixed claim\n"
		"documents, in the format they came in (YAML or JSON; '-' for "
		"standard input).\n"
		"What needs a person is listed on standard error.\n\n"
		"      --only LIST      apply the findings of these "
		"severities only: a comma-\n"
		"                       separated list of error, warning, "
		"info (default: all)\n"
		"  -o, --output FILE    write to FILE (replaced when all is "
		"done) instead of\n"
		"                       standard output\n"
		"  -r, --rules DIR      rule directory (repeat to overlay; "
		"default: see README)\n"
		"  -p, --payer PROFILE  judge every claim by this payer "
		"profile\n"
		"  -h, --help           show this help and exit\n\n"
		"Exit status: 0 every fixed claim clean, 1 a fixed claim "
		"still flagged or\n"
		"invalid, 2 an input, usage or write error (input errors "
		"name FILE:LINE:COLUMN).\n");
}

/* "error,warning" into severity bits; false for an unknown or empty name. */
static bool
parse_only(const char *list, unsigned *out)
{
	*out = 0;
	for (const char *s = list;; s++) {
		size_t len = strcspn(s, ",");
		int sev = severity_lookup(s, len);
		if (sev < 0)
			return false;
		*out |= 1u << sev;
		s += len;
		if (!*s)
			return true;
	}
}

static int
parse_opts(int argc, char **argv, struct fix_opts *o)
{
	static const struct option longopts[] = {
		{"only", required_argument, NULL, 'O'},
		{"output", required_argument, NULL, 'o'},
		{"rules", required_argument, NULL, 'r'},
		{"payer", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	o->only = FIX_ALL;
	while ((ch = getopt_long(argc, argv, "o:r:p:h", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'O':
			if (!parse_only(optarg, &o->only)) {
				cli_error("--only takes a comma-separated list "
					  "of error, warning, info, not '%s'",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'r':
			if (!cli_rules_add(&o->rules, optarg)) {
				cli_error("too many --rules directories");
				return EXIT_USAGE;
			}
			break;
		case 'p':
			o->payer = optarg;
			break;
		case 'h':
			fix_usage(stdout);
			return -1;
		default:
			fix_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("fix: no claim files given (try 'claimscrub fix "
			  "--help')");
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

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
	bool ok = a &&
		  cli_scrub(st->rs, claim, st->o->payer, &judged, &r) ==
			  SCRUB_OK &&
		  fix_apply(&judged, r, st->o->only, a, fixed, stats) ==
			  SCRUB_OK &&
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
fix_files(struct fix_state *st, int argc, char **argv)
{
	if (!open_output(st))
		return EXIT_USAGE;
	for (int i = optind; i < argc && !st->fatal; i++)
		st->input_error |= cli_each_doc(argv[i], fix_one, st);
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

int
cmd_fix(int argc, char **argv)
{
	struct fix_opts o = {0};
	int rc = parse_opts(argc, argv, &o);
	if (rc != EXIT_CLEAN)
		return rc < 0 ? EXIT_CLEAN : rc;
	struct ruleset *rs = cli_rules_load_payer(&o.rules, o.payer);
	if (!rs)
		return EXIT_USAGE;
	struct fix_state st = {.o = &o, .rs = rs, .buf = STRBUF_INIT};
	rc = fix_files(&st, argc, argv);
	strbuf_free(&st.buf);
	free(st.tmp_path);
	rules_free(rs);
	return rc;
}

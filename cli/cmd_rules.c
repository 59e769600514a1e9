/*
 * rules — `claimscrub rules check|show|test [OPTION]... [DIR...]`: tooling
 * for rule directories.  check loads them and prints every error at once;
 * show prints the merged rule set in force for a payer profile with the
 * file and line of each value; test runs the claim documents of each
 * directory's tests/ against its `# expect` headers.  Exit 0 valid or all
 * passed, 1 invalid or a test failed, 2 usage or input error.
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/expect.h"

enum show_format { SHOW_YAML, SHOW_JSON };

struct rules_opts {
	struct cli_rules rules;
	const char *payer;
	enum show_format format;
	int32_t day; /* show: the date whose rules are shown */
};

struct rules_command {
	const char *name;
	int (*run)(struct rules_opts *o);
};

static void
rules_usage(FILE *out)
{
	fprintf(out,
		"Usage: claimscrub rules check [DIR]...\n"
		"       claimscrub rules show [--payer P] [--date YYYY-MM-DD] "
		"[--format yaml|json]\n"
		"                             [DIR]...\n"
		"       claimscrub rules test [DIR]...\n"
		"Check, show or test rule directories (default: the usual "
		"discovery, see\n"
		"README).  Directories are overlaid in the order given.\n\n"
		"  check                print every error of the rule set as "
		"FILE:LINE:COLUMN\n"
		"  show                 print the merged rule set, each value "
		"with its source\n"
		"  test                 run each directory's tests/*.yaml "
		"claim documents\n"
		"                       against their '# expect' headers\n"
		"  -p, --payer PROFILE  show: the payer profile (default: "
		"default)\n"
		"  -d, --date DATE      show: the rules in force on DATE "
		"(default: today)\n"
		"  -f, --format FORMAT  show: yaml (default) or json\n"
		"  -h, --help           show this help and exit\n\n"
		"Exit status: 0 valid (check, show) or every test passed, 1 "
		"invalid rules or\n"
		"a failed test, 2 a usage or input error.\n");
}

static int
parse_format(const char *arg, enum show_format *out)
{
	if (strcmp(arg, "yaml") == 0)
		*out = SHOW_YAML;
	else if (strcmp(arg, "json") == 0)
		*out = SHOW_JSON;
	else {
		cli_error("--format must be yaml or json, not '%s'", arg);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

/* Today's local date, as days since 1970-01-01. */
static int32_t
today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[16];
	int32_t day = 0;
	if (localtime_r(&now, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d", &tm) == 10)
		isotime_parse_date(buf, 10, &day);
	return day;
}

static int
parse_date(const char *arg, int32_t *out)
{
	if (!isotime_parse_date(arg, strlen(arg), out)) {
		cli_error("--date must be a date YYYY-MM-DD, not '%s'", arg);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

/* Options after the subcommand word; the remaining words are directories. */
static int
parse_opts(int argc, char **argv, struct rules_opts *o)
{
	static const struct option longopts[] = {
		{"payer", required_argument, NULL, 'p'},
		{"date", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	o->day = today();
	while ((ch = getopt_long(argc, argv, "p:d:f:h", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'p':
			o->payer = optarg;
			break;
		case 'd':
			if (parse_date(optarg, &o->day) != EXIT_CLEAN)
				return EXIT_USAGE;
			break;
		case 'f':
			if (parse_format(optarg, &o->format) != EXIT_CLEAN)
				return EXIT_USAGE;
			break;
		case 'h':
			rules_usage(stdout);
			return -1;
		default:
			rules_usage(stderr);
			return EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		if (!cli_rules_add(&o->rules, argv[i])) {
			cli_error("rules: too many directories");
			return EXIT_USAGE;
		}
	cli_rules_default(&o->rules);
	return EXIT_CLEAN;
}

/* ---- check ------------------------------------------------------------ */

static int
rules_check(struct rules_opts *o)
{
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

/* ---- show ------------------------------------------------------------- */

struct show_state {
	struct strbuf out;
	enum show_format format;
	bool first; /* JSON: no comma before the next member */
};

/* A plain scalar JSON can hold as itself: an integer or a boolean. */
static bool
json_bare(const struct rules_visit *v)
{
	const char *s = v->value;
	if (!v->plain || !*s)
		return false;
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return true;
	if (*s == '-')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 16;
}

static void
show_json(void *arg, const struct rules_visit *v)
{
	struct show_state *st = arg;
	struct strbuf *sb = &st->out;
	bool end = v->event == RULES_VISIT_MAP_END ||
		   v->event == RULES_VISIT_SEQ_END;
	if (end) {
		strbuf_putc(sb, v->event == RULES_VISIT_MAP_END ? '}' : ']');
		st->first = false;
		return;
	}
	if (!st->first)
		strbuf_putc(sb, ',');
	st->first = false;
	if (v->key) {
		strbuf_json_str(sb, v->key);
		strbuf_putc(sb, ':');
	}
	if (v->event != RULES_VISIT_SCALAR) {
		strbuf_putc(sb, v->event == RULES_VISIT_MAP_BEGIN ? '{' : '[');
		st->first = true;
		return;
	}
	strbuf_puts(sb, "{\"value\":");
	if (json_bare(v))
		strbuf_puts(sb, v->value);
	else
		strbuf_json_str(sb, v->value);
	strbuf_puts(sb, ",\"source\":");
	struct strbuf src = STRBUF_INIT;
	strbuf_printf(&src, "%s:%u", v->file, v->line);
	strbuf_json_str(sb, strbuf_str(&src));
	strbuf_free(&src);
	strbuf_putc(sb, '}');
}

/* A scalar as YAML: quoted unless it is plain and safe. */
static void
yaml_scalar(struct strbuf *sb, const char *s, bool plain)
{
	if (plain && *s && strcspn(s, ":#{}[],&*!|>'\"%@`") == strlen(s) &&
	    s[0] != '-' && s[0] != ' ') {
		strbuf_puts(sb, s);
		return;
	}
	strbuf_json_str(sb, s);
}

static void
show_yaml(void *arg, const struct rules_visit *v)
{
	struct show_state *st = arg;
	struct strbuf *sb = &st->out;
	if (v->event == RULES_VISIT_MAP_END || v->event == RULES_VISIT_SEQ_END)
		return;
	for (int i = 0; i < v->depth; i++)
		strbuf_puts(sb, "  ");
	if (v->key) {
		/* a key like 96360 must stay a string */
		bool number = strspn(v->key, "0123456789") == strlen(v->key);
		yaml_scalar(sb, v->key, !number);
		strbuf_putc(sb, ':');
	} else {
		strbuf_putc(sb, '-');
	}
	if (v->event == RULES_VISIT_SCALAR) {
		strbuf_putc(sb, ' ');
		yaml_scalar(sb, v->value, v->plain);
	}
	strbuf_printf(sb, "  # %s:%u\n", v->file, v->line);
}

static void
period_text(const struct ruleset *p, char *buf, size_t size)
{
	char f[16], t[16];
	int32_t from, to;
	rules_days(p, &from, &to);
	isotime_format_date(from, f, sizeof(f));
	isotime_format_date(to, t, sizeof(t));
	if (from == INT32_MIN && to == INT32_MAX)
		snprintf(buf, size, "all dates");
	else if (from == INT32_MIN)
		snprintf(buf, size, "through %s", t);
	else if (to == INT32_MAX)
		snprintf(buf, size, "from %s", f);
	else
		snprintf(buf, size, "%s through %s", f, t);
}

/* YAML comments: which rule set, profile and date, and its periods. */
static void
show_header(const struct ruleset *rs, const struct rules_opts *o, FILE *out)
{
	char d[16], span[48];
	isotime_format_date(o->day, d, sizeof(d));
	period_text(rules_at(rs, o->day), span, sizeof(span));
	fprintf(out,
		"# rule set %s, payer profile %s, in force on %s "
		"(period: %s)\n",
		rules_version(rs), o->payer ? o->payer : "default", d, span);
	for (int i = 0; rules_nperiods(rs) > 1 && i < rules_nperiods(rs); i++) {
		period_text(rules_period(rs, i, NULL, NULL), span,
			    sizeof(span));
		fprintf(out, "#   period %d: %s\n", i + 1, span);
	}
}

static int
rules_show(struct rules_opts *o)
{
	struct diag_list dl = {0};
	struct ruleset *rs = NULL;
	struct show_state st = {STRBUF_INIT, o->format, true};
	struct rules_builder *b = rules_builder_new();
	if (!b) {
		cli_error("out of memory loading rules");
		return EXIT_INTERNAL;
	}
	enum scrub_err err =
		rules_builder_add_dirs(b, o->rules.dirs, o->rules.n, &dl);
	if (o->format == SHOW_JSON)
		strbuf_putc(&st.out, '{');
	if (rules_builder_visit_at(b, o->payer, o->day,
				   o->format == SHOW_JSON ? show_json
							  : show_yaml,
				   &st) != SCRUB_OK &&
	    err == SCRUB_OK)
		err = SCRUB_ENOMEM;
	if (o->format == SHOW_JSON)
		strbuf_puts(&st.out, "}\n");
	if (err == SCRUB_OK)
		err = rules_builder_finish(b, &rs, &dl);
	rules_builder_free(b);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	int rc = err == SCRUB_OK    ? EXIT_CLEAN
		 : err == SCRUB_EIO ? EXIT_USAGE
				    : EXIT_FLAGGED;
	if (rc == EXIT_CLEAN &&
	    !cli_payer_known(rules_at(rs, o->day), o->payer))
		rc = EXIT_USAGE;
	if (rc == EXIT_CLEAN) {
		if (o->format == SHOW_YAML)
			show_header(rs, o, stdout);
		fwrite(strbuf_str(&st.out), 1, st.out.len, stdout);
	}
	strbuf_free(&st.out);
	rules_free(rs);
	return rc;
}

/* ---- test ------------------------------------------------------------- */

struct test_state {
	const struct ruleset *rs;
	int passed, failed;
};

/* expect_run's report: one `ok` or `FAIL` line per document. */
static void
test_report(void *ctx, const char *file, int doc, const char *ref, bool ok,
	    const char *why)
{
	struct test_state *st = ctx;
	char what[128] = "";
	if (ref)
		snprintf(what, sizeof(what), " (%s)", ref);
	else if (ok)
		snprintf(what, sizeof(what), ": the expected error");
	if (ok) {
		printf("ok   %s doc %d%s\n", file, doc + 1, what);
		st->passed++;
	} else if (doc < 0) {
		printf("FAIL %s: %s\n", file, why);
		st->failed++;
	} else {
		printf("FAIL %s doc %d%s: %s\n", file, doc + 1, what, why);
		st->failed++;
	}
}

/* Runs one test file; false on an input error (unreadable, no documents). */
static bool
test_file(struct test_state *st, const char *path)
{
	char *buf;
	size_t len;
	int judged = 0, failed = st->failed;
	struct diag_list dl = {0};
	if (fileio_read(path, FILEIO_MAX_BYTES, &buf, &len, &dl) != SCRUB_OK) {
		cli_print_diags(&dl, false);
		diag_list_free(&dl);
		return false;
	}
	if (expect_run(st->rs, path, buf, len, test_report, st, &judged) !=
	    SCRUB_OK) {
		cli_error("out of memory testing '%s'", path);
		exit(EXIT_INTERNAL);
	}
	/* Headers that cannot be read failed above: a test, not an input,
	 * error. */
	bool good = judged > 0 || st->failed > failed;
	if (!good)
		cli_error("%s: no claim document with '# expect' headers",
			  path);
	free(buf);
	return good;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The tests/ *.yaml files of dir, in lexical order; false on an input error. */
static bool
test_dir(struct test_state *st, const char *dir)
{
	char tdir[4096], path[8192];
	char **list = NULL;
	size_t n = 0, cap = 0;
	bool good = true;
	snprintf(tdir, sizeof(tdir), "%s/tests", dir);
	DIR *d = opendir(tdir);
	if (!d)
		return true; /* a directory without tests */
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 ||
		    strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			list = realloc(list, cap * sizeof(*list));
			if (!list) {
				cli_error("out of memory");
				exit(EXIT_INTERNAL);
			}
		}
		list[n] = strdup(e->d_name);
		if (!list[n++]) {
			cli_error("out of memory");
			exit(EXIT_INTERNAL);
		}
	}
	closedir(d);
	qsort(list, n, sizeof(*list), name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", tdir, list[i]);
		good &= test_file(st, path);
		free(list[i]);
	}
	free(list);
	return good;
}

static int
rules_test(struct rules_opts *o)
{
	struct ruleset *rs = cli_rules_load(&o->rules);
	if (!rs)
		return EXIT_FLAGGED;
	struct test_state st = {rs, 0, 0};
	bool good = true;
	for (size_t i = 0; i < o->rules.n; i++)
		good &= test_dir(&st, o->rules.dirs[i]);
	printf("%d passed, %d failed\n", st.passed, st.failed);
	rules_free(rs);
	if (!good)
		return EXIT_USAGE;
	return st.failed ? EXIT_FLAGGED : EXIT_CLEAN;
}

/* ---- dispatch --------------------------------------------------------- */

static const struct rules_command rules_commands[] = {
	{"check", rules_check},
	{"show", rules_show},
	{"test", rules_test},
	{NULL, NULL},
};

int
cmd_rules(int argc, char **argv)
{
	struct rules_opts o = {0};
	if (argc < 2) {
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		rules_usage(stdout);
		return EXIT_CLEAN;
	}
	for (const struct rules_command *c = rules_commands; c->name; c++) {
		if (strcmp(argv[1], c->name) != 0)
			continue;
		int rc = parse_opts(argc - 1, argv + 1, &o);
		if (rc != EXIT_CLEAN)
			return rc < 0 ? EXIT_CLEAN : rc;
		return c->run(&o);
	}
	cli_error("rules: unknown subcommand '%s' (check, show or test)",
		  argv[1]);
	return EXIT_USAGE;
}

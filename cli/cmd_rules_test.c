/*
 * rules test — `claimscrub rules test [DIR]...`: runs the claim documents
 * of each directory's tests/NAME.yaml against their `# expect` headers
 * (expect.h), one `ok` or `FAIL` line per document.  Exit 0 every test
 * passed, 1 invalid rules or a failed test, 2 a usage or input error.
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "cli/expect.h"

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
rules_test(struct cli_opts *o)
{
	if (!rules_dirs(o))
		return EXIT_USAGE;
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

static const struct cli_option *const options[] = {&cli_opt_help, NULL};

const struct cli_entry rules_test_entry = {
	.name = "test",
	.summary = "run each directory's tests/*.yaml against their '# expect' "
		   "headers",
	.usage = "[DIR]...",
	.about =
		"Run the claim documents of each rule directory's tests/*.yaml "
		"(default: the\n"
		"usual discovery, see README; overlaid in the order given) "
		"against their\n"
		"'# expect' headers, printing ok or FAIL per claim.\n",
	.status = "Exit status: 0 every test passed, 1 invalid rules or a "
		  "failed test, 2 a\n"
		  "usage or input error.\n",
	.options = options,
	.operands = CLI_ARGS_ANY,
	.run = rules_test,
};

/*
 * test_golden — every golden case's hand-written expectations, checked
 * against the engine.  tests/golden.sh compares the CLI's bytes with the
 * stored .json; this test makes sure the stored bytes say what a coder
 * derived from infusion-rules.md (`# expect verdict/codes/findings/error`).
 * The headers are read and matched by cli/expect.c, as `claimscrub rules
 * test` reads them.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/expect.h"
#include "tests/lib/scrubtest.h"

static void
check_claim(const char *name, int doc, const struct claim *c,
	    const struct expect *ex, int *checked)
{
	struct result *r = NULL;
	char codes[1024], findings[2048];
	cr_assert_eq(scrub_claim(st_rules(), c, &r), SCRUB_OK);
	expect_codes(r, codes, sizeof(codes));
	expect_findings(r, findings, sizeof(findings));
	cr_expect(ex->verdict[0] && ex->codes[0] && ex->findings[0],
		  "%s doc %d: missing '# expect' lines", name, doc);
	if (ex->verdict[0])
		cr_expect_str_eq(verdict_names[r->verdict], ex->verdict,
				 "%s doc %d (%s): verdict %s, expected %s",
				 name, doc, c->ref, verdict_names[r->verdict],
				 ex->verdict);
	if (ex->codes[0])
		cr_expect_str_eq(codes, ex->codes,
				 "%s doc %d (%s): codes [%s], expected [%s]",
				 name, doc, c->ref, codes, ex->codes);
	if (ex->findings[0])
		cr_expect(expect_findings_match(r, ex->findings),
			  "%s doc %d (%s): findings [%s], expected [%s]", name,
			  doc, c->ref, findings, ex->findings);
	(*checked)++;
	result_free(r);
}

/* A bad document must fail at the line:column its header names. */
static void
check_error(const char *name, const struct diag_list *dl, const char *want,
	    int *checked)
{
	unsigned line = 0, col = 0;
	if (sscanf(want, "%u:%u", &line, &col) != 2)
		return;
	bool found = false;
	for (size_t i = 0; i < dl->n && !found; i++)
		found = dl->items[i].line == line && dl->items[i].column == col;
	cr_expect(found, "%s: expected an error at %u:%u (%s); got %s%s", name,
		  line, col, want, dl->n ? "first at " : "none",
		  dl->n ? dl->items[0].message : "");
	(*checked)++;
}

static void
check_file(const char *dir, const char *name, int *checked)
{
	char path[8192];
	char *buf;
	size_t len;
	struct diag_list dl = {0};
	struct claimdoc *cd = NULL;
	static struct expect ex[EXPECT_MAX_DOCS];

	cr_assert_lt((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name),
		     sizeof(path));
	cr_assert_eq(fileio_read(path, FILEIO_MAX_BYTES, &buf, &len, &dl),
		     SCRUB_OK);
	memset(ex, 0, sizeof(ex));
	int nchunks = memchr(buf, '\0', len)
			      ? 0
			      : expect_split(buf, ex, EXPECT_MAX_DOCS);
	claimdoc_parse(name, buf, len, &cd, &dl);
	for (int i = 0; i < nchunks; i++) {
		if (ex[i].error[0]) {
			check_error(name, &dl, ex[i].error, checked);
			continue;
		}
		const struct claim *c = claimdoc_claim(cd, (size_t)i);
		if (c)
			check_claim(name, i, c, &ex[i], checked);
	}
	claimdoc_free(cd);
	diag_list_free(&dl);
	free(buf);
}

Test(golden, hand_expectations)
{
	char dir[4096];
	int checked = 0, files = 0;
	snprintf(dir, sizeof(dir), "%s/tests/cases", st_srcdir());
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		check_file(dir, e->d_name, &checked);
		files++;
	}
	closedir(d);
	cr_log_info("%d case files, %d documents checked against their "
		    "expectations",
		    files, checked);
	cr_expect_geq(files, 80, "the corpus must hold at least 80 cases");
}

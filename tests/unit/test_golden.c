/*
 * test_golden — every golden case's hand-written expectations, checked
 * against the engine.  tests/golden.sh compares the CLI's bytes with the
 * stored .json; this test makes sure the stored bytes say what a coder
 * derived from infusion-rules.md (`# expect verdict/codes/findings/fix/
 * evidence/error`, tests/cases/README.md).  The headers are read and
 * matched by cli/expect.c, as `claimscrub rules test` reads them.
 *
 * The checker is strict, and the tests below prove it: golden_check_buffer
 * and golden_check_dir run on small fixtures that must be rejected (a
 * document that does not parse, headers hidden behind a NUL byte, an error
 * header that is not `LINE:COL message` or names another message), through
 * the same code the corpus test uses.  The corpus test also counts the
 * header blocks itself, apart from cli/expect.c, and requires every one of
 * them to have been judged: a case can fail, never silently check nothing.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/expect.h"
#include "tests/lib/scrubtest.h"

/* The corpus had 293 header blocks when this floor was set; cases are
 * added, not removed, so fewer means headers stopped being found. */
#define GOLDEN_MIN_BLOCKS 290

/* What checking some case files gave. */
struct golden {
	int files;
	int blocks;	   /* `# expect` header blocks, counted here */
	int checked;	   /* documents cli/expect.c judged */
	int failed;	   /* judgements (and files) that failed */
	struct strbuf log; /* one line per failure */
	bool quiet;	   /* a fixture meant to fail: log as info */
};

/* expect_run's report: keeps every failure. */
static void
note(void *ctx, const char *file, int doc, const char *ref, bool ok,
     const char *why)
{
	struct golden *g = ctx;
	if (ok)
		return;
	g->failed++;
	size_t start = g->log.len;
	if (doc < 0)
		strbuf_printf(&g->log, "%s: %s\n", file, why);
	else
		strbuf_printf(&g->log, "%s doc %d%s%s%s: %s\n", file, doc + 1,
			      ref ? " (" : "", ref ? ref : "", ref ? ")" : "",
			      why);
	cr_log(g->quiet ? CR_LOG_INFO : CR_LOG_ERROR, "%s",
	       strbuf_str(&g->log) + start);
}

/* True when line (n bytes) is YAML, not blank or a comment. */
static bool
yaml_line(const char *line, size_t n)
{
	size_t i = strspn(line, " \t\r");
	return i < n && line[i] != '#' && line[i] != '\n';
}

/*
 * Counts the header blocks of buf: `---`-separated chunks holding a line
 * that starts `# expect `, a chunk of comments only lending its headers to
 * the next one.  It reads every byte, NULs included, and shares no code
 * with cli/expect.c, so headers that reader skips are still counted.
 */
static int
count_blocks(const char *buf, size_t len)
{
	int blocks = 0;
	bool headers = false, content = false;
	for (size_t i = 0; i < len;) {
		const char *line = buf + i, *eol = memchr(line, '\n', len - i);
		size_t n = eol ? (size_t)(eol - line) : len - i;
		bool binary = memchr(line, '\0', n) != NULL;
		if (n >= 3 && memcmp(line, "---", 3) == 0 && !binary) {
			if (content) {
				blocks += headers;
				headers = false;
			}
			content = yaml_line(line + 3, n - 3);
		} else if (n >= 9 && memcmp(line, "# expect ", 9) == 0) {
			headers = true;
		} else {
			content |= binary || yaml_line(line, n);
		}
		i += n + 1;
	}
	return blocks + headers;
}

/* Checks one case file's text, as it would be read from name. */
static void
golden_check_buffer(struct golden *g, const char *name, const char *buf,
		    size_t len)
{
	int judged = 0, failed = g->failed;
	g->files++;
	g->blocks += count_blocks(buf, len);
	cr_assert_eq(expect_run(st_rules(), name, buf, len, note, g, &judged),
		     SCRUB_OK, "%s: out of memory", name);
	g->checked += judged;
	if (judged == 0 && g->failed == failed)
		note(g, name, -1, NULL, false,
		     "no document with '# expect' headers");
}

/* Checks every *.yaml file of dir. */
static void
golden_check_dir(struct golden *g, const char *dir)
{
	char path[8192];
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		char *buf = NULL;
		size_t len = 0;
		struct diag_list dl = {0};
		cr_assert_lt((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
					      e->d_name),
			     sizeof(path));
		cr_assert_eq(
			fileio_read(path, FILEIO_MAX_BYTES, &buf, &len, &dl),
			SCRUB_OK, "cannot read %s", path);
		golden_check_buffer(g, e->d_name, buf, len);
		free(buf);
	}
	closedir(d);
}

/* Every block found was judged, and every judgement passed. */
static bool
golden_passed(const struct golden *g)
{
	return g->failed == 0 && g->checked == g->blocks;
}

Test(golden, hand_expectations)
{
	char dir[4096];
	struct golden g = {.log = STRBUF_INIT};
	snprintf(dir, sizeof(dir), "%s/tests/cases", st_srcdir());
	golden_check_dir(&g, dir);
	cr_log_info("%d case files: %d header blocks found, %d checked, %d "
		    "failed",
		    g.files, g.blocks, g.checked, g.failed);
	cr_expect_eq(g.failed, 0, "%d header blocks failed (listed above)",
		     g.failed);
	cr_expect_eq(g.checked, g.blocks,
		     "%d header blocks in the corpus, but %d checked", g.blocks,
		     g.checked);
	cr_expect_geq(g.blocks, GOLDEN_MIN_BLOCKS,
		      "only %d header blocks found", g.blocks);
	cr_expect_geq(g.files, 80, "the corpus must hold at least 80 cases");
	strbuf_free(&g.log);
}

/* ---- the checker rejects what it must ------------------------------------ */

/* Checks text as a case file; true when the checker accepted it.  why
 * receives the failures, one a line. */
static bool
check_text(const char *text, size_t len, char *why, size_t size)
{
	struct golden g = {.log = STRBUF_INIT, .quiet = true};
	golden_check_buffer(&g, "fixture.yaml", text, len);
	snprintf(why, size, "%s", strbuf_str(&g.log));
	strbuf_free(&g.log);
	return golden_passed(&g);
}

/* The fixture must be rejected, with `because` in the reason. */
static void
rejects(const char *text, size_t len, const char *because)
{
	char why[4096];
	cr_assert_not(check_text(text, len, why, sizeof(why)), "accepted:\n%s",
		      text);
	cr_expect_not_null(strstr(why, because), "rejected, but for '%s'", why);
}

/* The fixture must be accepted: the control that shows a rejection above
 * it is for the reason it names. */
static void
accepts(const char *text, size_t len)
{
	char why[4096];
	cr_expect(check_text(text, len, why, sizeof(why)), "rejected: %s", why);
}

#define CLAIM_HEADERS \
	"# expect verdict: clean\n# expect codes: 96365\n" \
	"# expect findings: none\n"

/* A document with headers that is not a claim (an unknown key), without
 * `# expect error:`, fails instead of being skipped. */
Test(golden_strict, unparsable_document_fails)
{
	const char *doc = CLAIM_HEADERS
		"claim: X-1\nsetting: facility\nlines: [{code: \"96365\"}]\n"
		"dose: 2\n";
	rejects(doc, strlen(doc), "does not parse as a claim");
}

/* The same for a YAML syntax error. */
Test(golden_strict, syntax_error_fails)
{
	const char *doc = CLAIM_HEADERS "claim: [\n";
	rejects(doc, strlen(doc), "does not parse as a claim");
}

/* Headers after a NUL byte cannot be read: the file fails, and the blocks
 * counted are more than the blocks checked. */
Test(golden_strict, headers_after_nul_fail)
{
	char dir[] = "/tmp/test_golden.XXXXXX", path[64], why[4096];
	const char text[] = "# expect error: 2:1 invalid leading UTF-8 octet\n"
			    "\377\000\n---\n" CLAIM_HEADERS "claim: X-2\n";
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nul.yaml", dir);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	cr_assert_eq(fclose(f), 0);
	struct golden g = {.log = STRBUF_INIT, .quiet = true};
	golden_check_dir(&g, dir);
	snprintf(why, sizeof(why), "%s", strbuf_str(&g.log));
	unlink(path);
	rmdir(dir);
	cr_expect_not(golden_passed(&g), "a file with hidden headers passed");
	cr_expect_eq(g.blocks, 2, "both blocks are counted");
	cr_expect_eq(g.checked, 0, "none can be checked");
	cr_expect_not_null(strstr(why, "after the NUL byte"), "%s", why);
	strbuf_free(&g.log);
}

/* Headers before the NUL are read and compared (tests/cases/b-binary.yaml
 * is such a file): right message accepted, wrong one rejected. */
Test(golden_strict, headers_before_nul_are_checked)
{
	const char good[] = "# expect error: 2:1 invalid leading UTF-8 octet\n"
			    "\377\000\001PNG\n";
	const char wrong[] = "# expect error: 2:1 invalid UTF-8\n"
			     "\377\000\001PNG\n";
	accepts(good, sizeof(good) - 1);
	rejects(wrong, sizeof(wrong) - 1, "is 'invalid leading UTF-8 octet'");
}

/* tests/cases/b-duplicate-key.yaml's document, under a header. */
#define DUPLICATE_KEY(header) \
	"# expect error: " header "\n" \
	"claim: B-1\nsetting: facility\nprovider: NPI-1234567893\n" \
	"lines:\n  - code: \"96365\"\nadministrations:\n  - id: A1\n" \
	"    substance: vancomycin\n    kind: therapeutic\n" \
	"    route: infusion\n    route: push\n"

/* An `# expect error:` value that is not `LINE:COL message` fails. */
Test(golden_strict, error_value_must_be_line_col_message)
{
	static const char *const bad[] = {
		DUPLICATE_KEY("duplicate key 'route'"),
		DUPLICATE_KEY("12:5"),
		DUPLICATE_KEY("12:5:"),
		DUPLICATE_KEY("12 duplicate key 'route'"),
		DUPLICATE_KEY("0:5 duplicate key 'route'"),
		DUPLICATE_KEY("12:x duplicate key 'route'"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rejects(bad[i], strlen(bad[i]), "is not 'LINE:COL message'");
}

/* The message after LINE:COL is compared with the diagnostic's. */
Test(golden_strict, error_message_is_compared)
{
	const char *right = DUPLICATE_KEY("12:5 duplicate key 'route'");
	const char *other = DUPLICATE_KEY("12:5 duplicate key 'site'");
	const char *where = DUPLICATE_KEY("12:6 duplicate key 'route'");
	accepts(right, strlen(right));
	rejects(other, strlen(other), "expected 'duplicate key 'site''");
	rejects(where, strlen(where), "expected an error at 12:6");
}

/* A header that cannot be read fails its document. */
Test(golden_strict, unreadable_headers_fail)
{
	/* one header line more: the error is at 13:5 */
	const char *twice = DUPLICATE_KEY(
		"13:5 duplicate key 'route'\n# expect error: 1:1 x");
	const char *unknown = DUPLICATE_KEY(
		"13:5 duplicate key 'route'\n# expect verdikt: clean");
	const char *nokey =
		DUPLICATE_KEY("13:5 duplicate key 'route'\n# expect nothing");
	rejects(twice, strlen(twice), "given twice");
	rejects(unknown, strlen(unknown), "unknown header '# expect verdikt:'");
	rejects(nokey, strlen(nokey), "is not '# expect KEY: value'");
}

/* ---- reading the headers ------------------------------------------------- */

Test(expect, header_values)
{
	const char *text =
		"# expect verdict: flagged   # a comment, as in YAML\n"
		"# expect codes: 96365\n# expect findings: none\n"
		"# expect fix: 1 set-units 2 ;add 96375 x1\n"
		"# expect evidence: infusion-under-16 code=96365 minutes=12\n"
		"# expect evidence: manual-review@2 note=#2\n"
		"claim: X\n";
	struct expect ex[2];
	char why[256];
	cr_assert_eq(expect_split(text, strlen(text), ex, 2, why, sizeof(why)),
		     1);
	cr_expect_str_eq(ex[0].bad, "");
	cr_expect_str_eq(ex[0].verdict, "flagged");
	cr_expect_str_eq(ex[0].codes, "96365");
	cr_expect_str_eq(ex[0].findings, "none");
	cr_expect_str_eq(ex[0].fix, "1 set-units 2 ;add 96375 x1");
	cr_expect_str_eq(ex[0].error, "");
	cr_expect_eq(ex[0].nevidence, 2);
	cr_expect_str_eq(ex[0].evidence[0],
			 "infusion-under-16 code=96365 minutes=12");
	cr_expect_str_eq(ex[0].evidence[1], "manual-review@2 note=#2");
	cr_expect_eq(ex[0].nheaders, 6);
}

Test(expect, evidence_lines_are_limited)
{
	struct strbuf text = STRBUF_INIT;
	struct expect ex[1];
	char why[256];
	for (int i = 0; i <= EXPECT_MAX_EVIDENCE; i++)
		strbuf_lit(&text, "# expect evidence: manual-review x=1\n");
	strbuf_lit(&text, "claim: X\n");
	cr_assert_eq(expect_split(strbuf_str(&text), text.len, ex, 1, why,
				  sizeof(why)),
		     1);
	cr_expect_eq(ex[0].nevidence, EXPECT_MAX_EVIDENCE);
	cr_expect_not_null(strstr(ex[0].bad, "more than 8"), "%s", ex[0].bad);
	strbuf_free(&text);
}

Test(expect, headers_lend_and_trail)
{
	const char *text =
		"# expect verdict: clean\n---\n# expect codes: none\n"
		"claim: A\n---\nclaim: B\n---\n# expect error: 1:1 x\n";
	struct expect ex[4];
	char why[256];
	cr_assert_eq(expect_split(text, strlen(text), ex, 4, why, sizeof(why)),
		     3);
	cr_expect_str_eq(ex[0].verdict, "clean");
	cr_expect_str_eq(ex[0].codes, "none");
	cr_expect_eq(ex[1].nheaders, 0);
	cr_expect_str_eq(ex[2].error, "1:1 x");
	cr_expect_eq(expect_split(text, strlen(text), ex, 2, why, sizeof(why)),
		     -1);
	cr_expect_not_null(strstr(why, "more than 2 documents"), "%s", why);
}

/* ---- fixes and evidence -------------------------------------------------- */

/* A result of hand-made findings: the renderers need no engine. */
static struct result_finding findings[] = {
	{.id = F_UNITS_MISMATCH,
	 .line = 1,
	 .suggest = {.action = SUGGEST_SET_UNITS, .take = 1, .units = 2}},
	{.id = F_DUPLICATE_INITIAL,
	 .line = 2,
	 .suggest = {.action = SUGGEST_REPLACE,
		     .take = 1,
		     .code = "96365",
		     .units = 1,
		     .modifiers = {"XS", "25"},
		     .nmodifiers = 2}},
	{.id = F_UNBILLED_SERVICE,
	 .suggest = {.action = SUGGEST_ADD, .code = "96375", .units = 1}},
	{.id = F_IV_START_BUNDLED,
	 .line = 4,
	 .suggest = {.action = SUGGEST_REMOVE, .take = 2}},
	{.id = F_MODIFIER_CONFLICT,
	 .line = 2,
	 .suggest = {.action = SUGGEST_REMOVE_MODIFIER, .modifier = "59"}},
	{.id = F_EM_NEEDS_MODIFIER_25,
	 .line = 5,
	 .suggest = {.action = SUGGEST_ADD_MODIFIER, .modifier = "25"}},
	{.id = F_MISSING_STOP_TIME,
	 .line = 3,
	 .suggest = {.action = SUGGEST_DOCUMENT},
	 .evidence = {{"administration", "A2", 0}},
	 .nevidence = 1},
	{.id = F_MANUAL_REVIEW, .suggest = {.action = SUGGEST_REVIEW}},
	{.id = F_INFUSION_UNDER_16,
	 .line = 1,
	 .evidence = {{"code", "96365", 0}, {"minutes", NULL, 12}},
	 .nevidence = 2},
};
static const struct result result = {
	.findings = findings,
	.nfindings = sizeof(findings) / sizeof(findings[0]),
};

Test(expect, fixes_render)
{
	char buf[1024];
	expect_fixes(&result, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1 set-units 2; 2 replace 1 96365 x1-XS-25; "
			      "add 96375 x1; 4 remove 2; "
			      "2 remove-modifier 59; 5 add-modifier 25; "
			      "3 document; review");
	struct result none = {.findings = findings + 8, .nfindings = 1};
	expect_fixes(&none, buf, sizeof(buf));
	cr_expect_str_eq(buf, "none");
}

Test(expect, fixes_match_as_a_multiset)
{
	cr_expect(expect_fixes_match(
		&result, "review;3 document ; 5 add-modifier 25;"
			 "2 remove-modifier  59; 4 remove 2; add 96375 x1; "
			 "2 replace 1 96365 x1-XS-25; 1 set-units 2"));
	cr_expect_not(expect_fixes_match(&result, "none"));
	cr_expect_not(expect_fixes_match(&result, "1 set-units 2"),
		      "items left over");
	cr_expect_not(
		expect_fixes_match(
			&result,
			"1 set-units 2; 1 set-units 2; 2 replace 1 96365 "
			"x1-XS-25; add 96375 x1; 4 remove 2; 2 "
			"remove-modifier 59; 5 add-modifier 25; 3 document; "
			"review"),
		"an item twice");
	struct result none = {.findings = findings + 8, .nfindings = 1};
	cr_expect(expect_fixes_match(&none, "none"));
	cr_expect_not(expect_fixes_match(&none, "review"));
}

Test(expect, evidence_match)
{
	cr_expect(expect_evidence_match(&result, "infusion-under-16 "
						 "minutes=12 code=96365"));
	cr_expect(expect_evidence_match(&result, "infusion-under-16@1 "
						 "minutes=12"));
	cr_expect(expect_evidence_match(&result, "missing-stop-time "
						 "administration=\"A2\""));
	cr_expect_not(expect_evidence_match(&result, "infusion-under-16 "
						     "minutes=13"));
	cr_expect_not(expect_evidence_match(&result, "infusion-under-16@2 "
						     "minutes=12"));
	cr_expect_not(expect_evidence_match(&result, "infusion-under-16 "
						     "units=1"));
	cr_expect_not(expect_evidence_match(&result, "infusion-under-16"),
		      "no KEY=VALUE");
	cr_expect_not(expect_evidence_match(&result, "infusion-under-16 x"));
}

Test(expect, check_reports_fix_and_evidence)
{
	struct expect ex = {.verdict = "clean",
			    .codes = "none",
			    .findings = "units-mismatch@1 duplicate-initial@2 "
					"unbilled-service iv-start-bundled@4 "
					"modifier-conflict@2 "
					"em-needs-modifier-25@5 "
					"missing-stop-time@3 manual-review "
					"infusion-under-16@1",
			    .fix = "review",
			    .evidence = {"infusion-under-16 minutes=13"},
			    .nevidence = 1};
	char why[4096];
	cr_assert_not(expect_check(&result, &ex, why, sizeof(why)));
	cr_expect_str_eq(why,
			 "fix [1 set-units 2; 2 replace 1 96365 x1-XS-25; add "
			 "96375 x1; 4 remove 2; 2 remove-modifier 59; 5 "
			 "add-modifier 25; 3 document; review], expected "
			 "[review]; evidence [infusion-under-16 minutes=13] "
			 "not found: infusion-under-16@1{code=96365 "
			 "minutes=12}");
	ex.fix[0] = '\0'; /* the fix header is optional */
	ex.nevidence = 0;
	cr_expect(expect_check(&result, &ex, why, sizeof(why)), "%s", why);
}

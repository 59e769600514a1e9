/*
 * expect — the hand-written expectations of a claim document (`# expect
 * verdict/codes/findings/fix/evidence/error:` comments before its `claim:`
 * key, tests/cases/README.md) and how a result is judged against them.
 * Shared by tests/unit/test_golden and `claimscrub rules test`, so a case
 * means the same to both.
 *
 * Reading is strict: a header that cannot be read (an unknown key, a key
 * given twice, a value too long for its field, headers after a NUL byte) is
 * a failure of its document, never silently skipped.
 */
#ifndef CLI_EXPECT_H
#define CLI_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "scrubber/scrubber.h"

#define EXPECT_MAX_DOCS 64
#define EXPECT_MAX_EVIDENCE 8 /* `# expect evidence:` lines per document */

struct expect {
	/* The value of each header, "" when the document has none. */
	char verdict[32], codes[512], findings[1024], fix[1024];
	char error[256]; /* `LINE:COL message` of a document that must be bad */
	/* `RULE[@LINE] KEY=VALUE...`, one per `# expect evidence:` line */
	char evidence[EXPECT_MAX_EVIDENCE][256];
	int nevidence;
	int nheaders;  /* how many `# expect` lines the document has */
	char bad[256]; /* why a header could not be read; "" when all were */
};

/*
 * Reads the `# expect` headers of buf (len bytes), split at `---` lines
 * into one entry per document, in order: a chunk of comments only lends
 * its headers to the next document, and headers after the last document
 * make an entry of their own (a file that must fail without a document).
 * Reading stops at the first NUL byte: the headers come before any binary
 * data.  Fills at most max entries of ex and returns how many; returns -1,
 * with the reason in why, when some headers cannot be read at all (more
 * than max documents, or `# expect` after a NUL byte).
 */
int expect_split(const char *buf, size_t len, struct expect *ex, int max,
		 char *why, size_t size);

/* The result's codes as `CODE[xUNITS][-MOD]` words, or "none". */
void expect_codes(const struct result *r, char *buf, size_t size);

/* The result's findings as `rule[@LINE]` words, or "none". */
void expect_findings(const struct result *r, char *buf, size_t size);

/* The result's suggestions as `# expect fix:` items (`1 set-units 2`,
 * `add 96375 x1`, `2 replace 1 96365 x1-XS`, ...), joined by "; " in
 * finding order, or "none" when no finding suggests anything. */
void expect_fixes(const struct result *r, char *buf, size_t size);

/* True when every expected `rule[@LINE]` matches a distinct finding and no
 * finding is left over ("none": no finding at all). */
bool expect_findings_match(const struct result *r, const char *want);

/* True when the `;`-separated items of want are, as a multiset, the
 * result's suggestions ("none": no finding suggests anything). */
bool expect_fixes_match(const struct result *r, const char *want);

/* True when some finding matching `RULE[@LINE]` carries every `KEY=VALUE`
 * of want (a `# expect evidence:` value; integers compare as decimal
 * text, `KEY="a b"` quotes a value with spaces). */
bool expect_evidence_match(const struct result *r, const char *want);

/* Compares the result of a claim document with ex; on a difference writes
 * what differs ("verdict flagged, expected clean; ...") into why and
 * returns false.  Missing verdict/codes/findings headers, an unreadable
 * header and an `# expect error:` are differences too. */
bool expect_check(const struct result *r, const struct expect *ex, char *why,
		  size_t size);

/* Checks that the diagnostics of a bad document hold the error its
 * `# expect error: LINE:COL message` names: one at that line and column
 * with exactly that message.  On a difference (or a value that is not
 * `LINE:COL message`) writes why and returns false. */
bool expect_error_check(const struct diag_list *dl, const struct expect *ex,
			char *why, size_t size);

/* Called by expect_run once per document judged (doc 0-based; ref the
 * claim's id, or NULL), and once with doc -1 when the file's headers
 * cannot be read; why says what differs when !ok. */
typedef void expect_report_fn(void *ctx, const char *file, int doc,
			      const char *ref, bool ok, const char *why);

/*
 * Judges every document of buf (len bytes; file names it) against its
 * headers under the rules rs: a document with `# expect error:` must be
 * bad with that diagnostic, any other must parse as a claim and scrub as
 * its headers say.  Calls report once per document judged and sets *judged
 * to how many; when the file's headers cannot be read, report is called
 * once with doc -1 and nothing is judged.  Returns SCRUB_OK, or
 * SCRUB_ENOMEM (the verdicts so far were reported).
 */
enum scrub_err expect_run(const struct ruleset *rs, const char *file,
			  const char *buf, size_t len, expect_report_fn *report,
			  void *ctx, int *judged);

#endif

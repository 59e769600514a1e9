/*
 * scrubtest — helpers shared by the unit tests: the shipped rule set,
 * claims from inline YAML, claims compared field by field and written back
 * as documents (the round trip of claimjson and claimyaml), and compact
 * renderings of results.
 */
#ifndef TESTS_SCRUBTEST_H
#define TESTS_SCRUBTEST_H

#include <stddef.h>
#include <stdint.h>

#include "cli/expect.h" /* expect_codes(), expect_findings() */
#include "scrubber/scrubber.h"

/* The source tree (CLAIMSCRUB_SRCDIR, else "."). */
const char *st_srcdir(void);

/* The shipped rules plus the golden cases' test profiles; aborts the test
 * on failure.  Cached for the process. */
const struct ruleset *st_rules(void);

/* Logs each diagnostic as a test error (FILE:LINE:COLUMN: message). */
void st_log_diags(const struct diag_list *dl);

/* The shipped rules.d plus a local file's text (NULL: none, else read as
 * 90-local.yaml); *dl gets the errors, and the rule set is NULL when there
 * were any.  The caller frees it. */
struct ruleset *st_rules_local(const char *local, struct diag_list *dl);

/* The same, failing the test on any error. */
struct ruleset *st_rules_local_ok(const char *local);

/* YYYY-MM-DD as days since 1970-01-01; fails the test when not a date. */
int32_t st_day(const char *s);

/* Parses one claim document; the claimdoc must be freed by the caller. */
struct claimdoc *st_parse(const char *yaml, struct diag_list *dl);

/* The single, well-formed claim of document doc, read as file; fails the
 * test (printing the diagnostics and the document) otherwise.  The claim
 * lives in *cd, which the caller frees. */
const struct claim *st_parse_one(const char *file, const char *doc,
				 struct claimdoc **cd);

/* Fails the test unless a and b hold the same values, field by field:
 * strings, numbers, enums, and each time's state, text and value. */
void st_assert_same_claim(const struct claim *a, const struct claim *b);

/* A writer of claims as claim documents: claimjson_write, claimyaml_write. */
typedef void st_claim_writer(const struct claim *c, struct strbuf *out);

/*
 * The round trip of a writer, on the claim of document doc (case `name`):
 * written, read back (as out_file) into the same claim; written again, the
 * same bytes (a fixed point); read again, still the same claim.
 */
void st_round_trip(const char *name, const char *doc, st_claim_writer *write,
		   const char *out_file);

/* Scrubs the single claim of a YAML document; caller frees both. */
struct result *st_scrub(const char *yaml, struct claimdoc **cd);

/* Count of findings with this id. */
int st_count(const struct result *r, enum finding_id id);

/* The first finding with this id, or NULL. */
const struct result_finding *st_find(const struct result *r,
				     enum finding_id id);

#endif

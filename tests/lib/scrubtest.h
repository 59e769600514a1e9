/*
 * scrubtest — helpers shared by the unit tests: the shipped rule set,
 * claims from inline YAML, and compact renderings of results.
 */
#ifndef TESTS_SCRUBTEST_H
#define TESTS_SCRUBTEST_H

#include <stddef.h>

#include "cli/expect.h" /* expect_codes(), expect_findings() */
#include "scrubber/scrubber.h"

/* The source tree (CLAIMSCRUB_SRCDIR, else "."). */
const char *st_srcdir(void);

/* The shipped rules plus the golden cases' test profiles; aborts the test
 * on failure.  Cached for the process. */
const struct ruleset *st_rules(void);

/* Parses one claim document; the claimdoc must be freed by the caller. */
struct claimdoc *st_parse(const char *yaml, struct diag_list *dl);

/* Scrubs the single claim of a YAML document; caller frees both. */
struct result *st_scrub(const char *yaml, struct claimdoc **cd);

/* Count of findings with this id. */
int st_count(const struct result *r, enum finding_id id);

/* The first finding with this id, or NULL. */
const struct result_finding *st_find(const struct result *r,
				     enum finding_id id);

#endif

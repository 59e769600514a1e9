/*
 * compare — billed lines against the derived codes: the findings that explain
 * every difference, the companion-line rules, and the lines no rule judged.
 * Internal to the library; the order of its passes is SEMANTICS.md's.
 */
#ifndef SCRUBBER_COMPARE_H
#define SCRUBBER_COMPARE_H

#include "derive.h"

enum scrub_err compare(const struct ruleset *rs, const struct claim *c,
		       const struct derivation *d, struct result *r);

#endif

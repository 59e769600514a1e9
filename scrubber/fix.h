/*
 * fix — a result's suggestions applied to the claim it judged: what
 * `claimscrub fix` writes, and what the closure test scrubs again.
 *
 * Each suggestion edits the billed lines as result.h documents its action.
 * Line numbers in suggestions are those of the claim as billed, so the edits
 * are applied together: units taken or set per original line, new lines of a
 * `replace` in place of (after) the line they came from, `add` lines at the
 * end, and lines left with no units dropped.  `document` and `review` change
 * nothing: they need a person.
 */
#ifndef SCRUBBER_FIX_H
#define SCRUBBER_FIX_H

#include "arena.h"
#include "diag.h"
#include "claim.h"
#include "result.h"

/* Which findings' suggestions to apply: bits (1u << enum severity); every
 * severity's bit, so a new severity is fixed by default too. */
#define FIX_ALL ((1u << SEV_COUNT) - 1u)

struct fix_stats {
	int applied; /* suggestions applied */
	int person;  /* document / review suggestions: left for a person */
	int skipped; /* findings of a severity not asked for */
};

/*
 * Fills *out with claim c (as judged by r) with the suggestions of r's
 * findings whose severity is in `severities` applied.  out shares every
 * string and the administrations with c; its lines live in arena a.
 * Fails only for lack of memory (SCRUB_ENOMEM).
 */
enum scrub_err fix_apply(const struct claim *c, const struct result *r,
			 unsigned severities, struct arena *a,
			 struct claim *out, struct fix_stats *stats);

#endif

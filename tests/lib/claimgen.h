/*
 * claimgen — random but realistic claims for the property test
 * (tests/unit/test_property.c), and the mistakes coders make billing them.
 *
 * Everything is driven by a small seeded generator (splitmix64), never by
 * rand(): the same seed gives the same claims on every platform, so a
 * failure printed by CI can be reproduced from its seed alone.
 *
 * A claim is built in three steps: claimgen_claim() writes the
 * documentation (administrations, payer, setting) with no lines;
 * claimgen_bill_expected() bills it exactly as a result's `expected`
 * codes; claimgen_coder_error() turns those correct lines into wrong ones.
 * Strings live in the arena (or are static); claims share administrations.
 */
#ifndef TESTS_CLAIMGEN_H
#define TESTS_CLAIMGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "scrubber/scrubber.h"

struct cg_rng {
	uint64_t state;
};

/* The generator for claim number `index` of a run seeded with `seed`:
 * each claim has its own stream, so one can be replayed alone. */
void cg_seed(struct cg_rng *g, uint64_t seed, uint64_t index);

/*
 * Writes the documentation of a random claim into *out (no lines): 1-6
 * administrations of a few substances (repeats are common), kinds and
 * routes mixed, 1-3 sites spelt several ways, payers and both settings,
 * durations near the thresholds, seconds, midnight, some bad times.
 * False when out of memory.
 */
bool claimgen_claim(struct cg_rng *g, struct arena *a, long index,
		    struct claim *out);

/* Bills c exactly as r's expected codes (code, units, modifier), plus one
 * drug line so drug-line-missing does not fire; the order of the lines is
 * g's choice.  False when out of memory. */
bool claimgen_bill_expected(struct cg_rng *g, const struct result *r,
			    struct arena *a, struct claim *c);

/* The coder errors; each turns correct lines into wrong ones. */
enum coder_error {
	CE_SIBLING,	     /* a code of the same family instead */
	CE_UNITS_PLUS,	     /* one unit too many on one line */
	CE_UNITS_MINUS,	     /* one unit too few on one line */
	CE_DROP,	     /* a line left out */
	CE_DUP_INITIAL,	     /* an initial billed twice, no modifier */
	CE_DUP_59,	     /* ... the second with 59 */
	CE_DUP_XS,	     /* ... with XS */
	CE_DUP_XP,	     /* ... with XP (not a distinct-site modifier) */
	CE_SPLIT,	     /* a line's units over two lines (not wrong) */
	CE_MOD_ADD_INITIAL,  /* 59 or XS added to an initial's line */
	CE_MOD_ADD_ADDON,    /* 59 or XS added to an add-on's line */
	CE_MOD_REMOVE,	     /* a modifier taken off the line */
	CE_EACH_OWN_INITIAL, /* each administration its service's initial */
	CE_EACH_DOCUMENTED,  /* ... the initial of its route as documented */
	CE_COUNT
};
extern const char *const coder_error_names[CE_COUNT];

/* The simple single-edit errors: each must give exactly one finding. */
bool coder_error_single(enum coder_error e);

/* What an error did, for the checks and for people. */
struct coder_edit {
	int line;	  /* 1-based line now holding the error, 0: none */
	const char *code; /* the code whose units are now wrong */
	char key[16];	  /* to count failures by: "96365>96374", "96366" */
	char what[96];	  /* "96365 -> 96374 on line 1" */
};

/*
 * Writes into *out claim c (billed correctly, by claimgen_bill_expected)
 * with error e made on its lines; r is c's result.  out shares c's
 * administrations; its lines live in a.  False when e does not apply to
 * this claim (no line of the kind it needs) or out of memory.
 */
bool claimgen_coder_error(struct cg_rng *g, enum coder_error e,
			  const struct claim *c, const struct result *r,
			  struct arena *a, struct claim *out,
			  struct coder_edit *ed);

#endif

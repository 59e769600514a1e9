/*
 * rules_int — what the rule modules (rules.c, rules_decode.c, fees.c, payers.c,
 * rules_dated.c, ruleset.c, marmap.c, setmap.c) share.  Not for other modules.
 */
#ifndef SCRUBBER_RULES_INT_H
#define SCRUBBER_RULES_INT_H

#include <stdint.h>

#include "ruleset.h"
#include "ynode.h"

/* Checks the merged tree `top` and fills rs; reports every error it finds. */
enum scrub_err rules__decode(struct yctx *c, const struct ynode *top,
			     struct ruleset *rs);

/* The optional `fees:` section (fees.c), after the profiles, codes and
 * companions are decoded: they name what a fee may be for. */
enum scrub_err rules__decode_fees(struct yctx *c, const struct ynode *top,
				  struct ruleset *rs);

/* The optional `payers:` section (payers.c), after the profiles: payer ids
 * and names each profile judges besides its own name. */
enum scrub_err rules__decode_payers(struct yctx *c, const struct ynode *top,
				    struct ruleset *rs);

/* The optional `mar_map:` section (marmap.c): the MAR mapping tables. */
enum scrub_err rules__decode_marmap(struct yctx *c, const struct ynode *top,
				    struct ruleset *rs);

/* The optional `setting_map:` section (setmap.c): CLM05-1 to setting. */
enum scrub_err rules__decode_setmap(struct yctx *c, const struct ynode *top,
				    struct ruleset *rs);

/* Indexes every code the rules name (ruleset.c), once a period's rule set
 * is decoded: rules_code and rules_companion read the index. */
void rules__index_codes(struct ruleset *rs);

/* True for a dated value: a mapping with 'effective_from' or 'effective_to',
 * or a sequence of them (rules_dated.c).  Merging replaces such a value
 * whole instead of merging it key by key. */
bool rules__is_dated(const struct ynode *n);

/* Checks every dated value under top and fills days[] (at most max) with
 * the sorted, distinct first days of the periods they cut time into: n
 * dates make n + 1 periods. */
enum scrub_err rules__dated_bounds(struct yctx *c, const struct ynode *top,
				   int32_t *days, int max, int *n);

/* The tree as in force on day: each dated value replaced by the value of
 * its period, or left out.  Unchanged subtrees are shared with top. */
enum scrub_err rules__dated_resolve(struct arena *a, const struct ynode *top,
				    int32_t day, const struct ynode **out);

#endif

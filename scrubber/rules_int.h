/*
 * rules_int — what rules.c and rules_decode.c share.  Not for other modules.
 */
#ifndef SCRUBBER_RULES_INT_H
#define SCRUBBER_RULES_INT_H

#include "ruleset.h"
#include "ynode.h"

/* Checks the merged tree `top` and fills rs; reports every error it finds. */
enum scrub_err rules__decode(struct yctx *c, const struct ynode *top,
			     struct ruleset *rs);

#endif

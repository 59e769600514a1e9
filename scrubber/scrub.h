/*
 * scrub — the engine's entry point: one claim, one rule set, one result.
 * Pure: no I/O, no clock, no globals; the same claim and rule set give the
 * same result, byte for byte.  Safe to call from many threads at once with
 * one shared rule set.
 */
#ifndef SCRUBBER_SCRUB_H
#define SCRUBBER_SCRUB_H

#include "arena.h"
#include "claim.h"
#include "diag.h"
#include "marrec.h"
#include "result.h"
#include "rules.h"

/*
 * Derives the codes the documentation of `c` supports under the rules in
 * force on its date of service (else its first documented time; an undated
 * claim takes the latest rules) and the payer profile its `payer` selects,
 * compares them with its billed lines and returns the
 * findings in *out (caller frees with result_free).  Fails only for lack of
 * memory (SCRUB_ENOMEM); a claim too large to judge gives an `invalid` result.
 */
enum scrub_err scrub_claim(const struct ruleset *rs, const struct claim *c,
			   struct result **out);

/*
 * Scrubs claim c whose administrations are the n MAR records of its
 * encounter (claimscrubd: claim_batch returns them for a claim with an
 * encounter and no administrations of its own).  The records are paired
 * under the mapping tables in force on c's date of service (marpair.h)
 * into the administrations of a copy of c, in arena a, which must outlive
 * *out; then scrub_claim.  A record whose drug or route no mar_map row has
 * is an unmapped-drug or unmapped-route finding naming the record and the
 * value, once per value, and the claim is judged no further: a kind or a
 * route would be a guess.  Records that cannot be paired otherwise (too
 * many, two runs of one id) give an invalid result saying why.  With no
 * records, c is scrubbed as it is (mar-missing, when it has an encounter).
 */
enum scrub_err scrub_records(const struct ruleset *rs, struct arena *a,
			     const struct claim *c,
			     const struct mar_record *const *recs, size_t n,
			     struct result **out);

/*
 * A result for a claim that cannot be scrubbed at all (its stored rows do not
 * form a valid claim, or it failed to scrub too often): verdict `invalid`,
 * one `invalid-data` finding per reason.  reasons[i] are copied.
 */
enum scrub_err scrub_invalid(const struct ruleset *rs, const char *claim_ref,
			     const char *payer, const char *const *reasons,
			     int nreasons, struct result **out);

#endif

/*
 * derive — from documented administrations to the codes they support
 * (infusion-rules.md; the open points settled in SEMANTICS.md).
 *
 * Internal to the library: scrub_claim() runs derive, then compare.  The
 * derivation lives in the result's arena and keeps what compare needs to
 * explain billed lines (which runs were converted, held, overlapped).
 */
#ifndef SCRUBBER_DERIVE_H
#define SCRUBBER_DERIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "result_int.h"
#include "ruleset.h"

#define RUN_MAX_PRODUCED 4

/* A stretch of clock time [a, b), in seconds. */
struct span {
	int64_t a, b;
};

struct run {
	int *segs; /* admin indices, in clock order */
	int nsegs, segcap;
	int first; /* the lowest admin index: document order */
	const struct rule_classify *cls;
	int service;	/* after the short-run rule */
	bool converted; /* ran too short (or no time, push fallback) */
	bool fallback;	/* converted because a time was missing */
	bool hydration;
	bool has_start, has_stop;
	int64_t start, stop; /* instants in seconds, first start / last stop */
	int minutes;	     /* running minutes: the union of the segments */
	int net;	     /* hydration: minutes left after overlap */
	int32_t day;	     /* date of the first start */
	bool reportable;
	bool initial;
	bool coded;	      /* already coded (processing order) */
	bool concurrent;      /* coded as the concurrent infusion */
	bool primary;	      /* holds an administration marked primary */
	const char *modifier; /* distinct-site modifier of a second initial */
	int produced[RUN_MAX_PRODUCED]; /* code indices it was coded with */
	int nproduced;
};

struct derivation {
	const struct rule_settings *s;
	struct run *runs;
	int nruns;
	bool *held;		/* per admin: no code for lack of valid times */
	int main_initial;	/* code index of the IV hierarchy's unmodified
			      initial, -1 */
	int initial_units;	/* expected unmodified initial units */
	int concurrent_allowed; /* how many concurrent codes the claim may carry */
	long steps;		/* comparisons made */
	bool over_budget;	/* more than max_derive_steps: not judged */
};

/* Fills d and the expected codes and documentation findings of r. */
enum scrub_err derive(const struct ruleset *rs, const struct rule_settings *s,
		      const struct claim *c, struct result *r,
		      struct derivation *d);

#endif

/*
 * admindex — a claim's administrations indexed once, so that the engine
 * never compares every administration with every other (issue 14, item
 * 10: 1,000 administrations on separate sites took seconds when each site
 * name was compared with every other).
 *
 * Each administration gets its access (infusion-rules.md, ruling 1) and
 * its substance as small integers — equal integers, same access or same
 * substance — and the administrations of each access and each substance
 * are listed in document order.
 */
#ifndef SCRUBBER_ADMINDEX_H
#define SCRUBBER_ADMINDEX_H

#include <stdbool.h>

#include "arena.h"
#include "claim.h"
#include "scrubber.h"

/* Members of group g: items[start[g]] .. items[start[g + 1] - 1]. */
struct admindex_groups {
	int n;
	int *start; /* n + 1 */
	int *items; /* admin indices, ascending within a group */
};

struct admindex {
	/* per admin: its access.  0 is the main access (every site that
	 * documents no need for a separate one, ruling 1); then one per site
	 * that does, then one per subcutaneous site. */
	int *access;
	/* per admin: its site documents the need for a separate one */
	bool *separate;
	/* per admin: its substance, case ignored */
	int *substance;
	struct admindex_groups by_access, by_substance;
};

/* Indexes c's administrations, allocating from a. */
enum scrub_err admindex_build(struct admindex *ix, const struct claim *c,
			      struct arena *a);

/* Groups 0..ngroups-1 from id[i], each item i's group (n items), members
 * in ascending order. */
enum scrub_err admindex_group(struct admindex_groups *g, const int *id, int n,
			      int ngroups, struct arena *a);

/* qsort, but an insertion sort for the few elements (size at most 64
 * bytes) most claims have, where qsort's setup costs more than the sort. */
void admindex_sort(void *base, size_t n, size_t size,
		   int (*cmp)(const void *, const void *));

/* Site names compare without regard to case, spaces, '-' and '_'
 * ("R-forearm" = "r forearm"); <0, 0 or >0 like strcmp. */
int admindex_site_cmp(const char *a, const char *b);

#endif

/*
 * dashcache — the dashboard's reports, kept a while: the report's queries
 * take seconds over a million findings, and a page must not.  One entry a
 * filter set (its key: the filters as a query string), at most
 * DCACHE_MAX, the one shown longest ago dropped first.  An entry younger
 * than the configured age is shown as it is; an older one is shown with
 * its time while one refresh of it runs (the caller's); a filter set with
 * none runs the report and waits for it.  Every figure of an entry comes
 * from one snapshot, and the page says when that was.
 */
#ifndef WEB_DASHCACHE_H
#define WEB_DASHCACHE_H

#include <stdbool.h>
#include <time.h>

#include "report/report.h"

#define DCACHE_MAX 16

struct dcache;

/* max_age seconds; 0 keeps nothing (every page runs the report). */
struct dcache *dcache_new(long max_age);
void dcache_free(struct dcache *c);

/* The report kept for key, or NULL; *made when its snapshot was taken,
 * *stale whether it is older than max_age.  Valid until the next
 * dcache_put or dcache_free. */
const struct report *dcache_find(struct dcache *c, const char *key, time_t now,
				 time_t *made, bool *stale);

/* Whether a report is kept for key (no effect on which goes first). */
bool dcache_kept(const struct dcache *c, const char *key);

/* Whether the caller should refresh key's entry: true once until
 * dcache_put or dcache_drop_refresh for it. */
bool dcache_claim_refresh(struct dcache *c, const char *key);
void dcache_drop_refresh(struct dcache *c, const char *key);

/* Keeps *rep (made at made) under key, in place of any entry, and takes
 * it over: its filters are copied and *rep is left empty.  False (rep
 * left as it was) when nothing is kept (max_age 0, or out of memory). */
bool dcache_put(struct dcache *c, const char *key, struct report *rep,
		time_t made);

#endif

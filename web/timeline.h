/*
 * timeline — a claim's administration record as one inline SVG for the
 * reviewer's claim page: a lane per administration on a shared UTC clock,
 * so the reviewer sees at a glance what the coding rules see
 * (infusion-rules.md, Time):
 *
 *  - each administration's bar from start to stop (class tl-bar), filled by
 *    its IV site (a colour and texture per distinct site, with a legend);
 *    one without a documented stop is a point at its start (tl-point);
 *  - stretches where two or more administrations run at once (tl-overlap);
 *  - on each hydration lane the minutes under a drug administration, which
 *    are not counted (tl-subtracted), and the minutes left in its label;
 *  - the thresholds: start + 15 min on drug lanes, where an infusion stops
 *    being a push (push_max_minutes), start + 31 min on hydration lanes,
 *    where hydration becomes reportable (hydration_min_minutes).
 *
 * The numbers in data-* attributes are minutes (since the epoch for times),
 * so a test or a script can read the drawing back.  Every text goes out
 * through html_text/html_attr; there is no script, no style attribute and
 * nothing loaded from elsewhere.  The element ids (timeline, tl-site-N,
 * tl-sub, tl-clip) are fixed: one timeline per page.
 */
#ifndef WEB_TIMELINE_H
#define WEB_TIMELINE_H

#include <stddef.h>
#include <stdio.h>

#define TL_MAX_ADMINS 64
/* The latest minute drawn: 9999-12-31 23:59 UTC. */
#define TL_MAX_MINUTE 4223371679LL
/* The rules' default thresholds (infusion-rules.md, Time). */
#define TL_PUSH_MAX_MINUTES 15
#define TL_HYDRATION_MIN_MINUTES 31

struct tl_admin {
	const char *id;	       /* the administration's reference, e.g. "A1" */
	const char *substance; /* may be NULL */
	const char *kind;      /* "chemotherapy", "therapeutic", "hydration"
				  ...; may be NULL */
	const char *route; /* "infusion", "push", "subcutaneous", ...; may be
			      NULL */
	const char *site;  /* the IV site, e.g. "left forearm"; may be NULL */
	long start, stop;  /* minutes since the epoch (UTC); start < 0: none
			      documented (a lane with a note), stop < 0: none
			      documented (a point at start) */
};

/*
 * Writes the timeline of a[0..n) to out: <svg id="timeline" ...>, lanes in
 * the given order.  With no administration that has a start (n may be 0) it
 * writes a short <p id="timeline"> saying so instead.
 *
 * Sites compare as the rules compare them, ignoring case, spaces, '-' and
 * '_' ("R-forearm" is "r forearm"); the legend shows each site once, as
 * first spelled.  A hydration lane's minutes are taken out where it runs
 * beside a non-hydration administration with a start and a stop, except a
 * subcutaneous one, which is on an access of its own (rule 1).  A stop at
 * or before its start is drawn as a point, like a missing one.
 *
 * Returns 0, or -1 with nothing written on bad input: out NULL, n >
 * TL_MAX_ADMINS, a NULL with n > 0, or a time after TL_MAX_MINUTE.  Write
 * errors are the stream's (ferror).
 */
int tl_write(FILE *out, const struct tl_admin *a, size_t n);

#endif

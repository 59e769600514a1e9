#ifndef CLAIMSCRUB_HISTO_H
#define CLAIMSCRUB_HISTO_H

#include "scrubber/strbuf.h"

/* A Prometheus histogram over fixed upper bounds: what was observed, counted
 * per bucket (the last one +Inf), and its sum.  Zeroed, it is empty. */
#define HISTO_MAX 16
struct histo {
	long long counts[HISTO_MAX + 1];
	double sum;
};

/* A histogram's upper bounds (seconds), ascending; at most HISTO_MAX. */
struct histo_bounds {
	const double *le;
	int n;
};

/* How long a batch takes, claim to commit; how long a claim waits,
 * enqueued to written. */
extern const struct histo_bounds histo_batch, histo_wait;

void histo_observe(struct histo *h, const struct histo_bounds *b, double v);

/* NAME_bucket{le=...} (cumulative), NAME_sum and NAME_count. */
void histo_render(const struct histo *h, const struct histo_bounds *b,
		  const char *name, struct strbuf *out);

#endif

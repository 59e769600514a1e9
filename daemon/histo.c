/*
 * histo.c — the daemon's histograms (batch durations, claims' waits), kept
 * as counts per bucket and written in Prometheus's cumulative form.
 */
#include "config.h"

#include "daemon/histo.h"

static const double batch_le[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				  0.5,	 1,    2.5,   5,    10};
static const double wait_le[] = {0.01, 0.05, 0.1, 0.25, 0.5, 1,	  2.5,
				 5,    10,   30,  60,	300, 900, 3600};

#define NLE(a) ((int)(sizeof(a) / sizeof((a)[0])))
const struct histo_bounds histo_batch = {batch_le, NLE(batch_le)};
const struct histo_bounds histo_wait = {wait_le, NLE(wait_le)};

void
histo_observe(struct histo *h, const struct histo_bounds *b, double v)
{
	int i = 0;
	while (i < b->n && v > b->le[i])
		i++;
	h->counts[i]++;
	h->sum += v;
}

void
histo_render(const struct histo *h, const struct histo_bounds *b,
	     const char *name, struct strbuf *out)
{
	long long cum = 0;
	for (int i = 0; i < b->n; i++) {
		cum += h->counts[i];
		strbuf_printf(out, "%s_bucket{le=\"%g\"} %lld\n", name,
			      b->le[i], cum);
	}
	cum += h->counts[b->n];
	strbuf_printf(out, "%s_bucket{le=\"+Inf\"} %lld\n", name, cum);
	strbuf_printf(out, "%s_sum %.6f\n", name, h->sum);
	strbuf_printf(out, "%s_count %lld\n", name, cum);
}

/*
 * logsum — see logsum.h.
 */
#include "config.h"

#include "daemon/dlog.h"
#include "daemon/logsum.h"

void
logsum_start(struct logsum *s, const struct queue_stats *now, double at)
{
	s->last = *now;
	s->at = at;
}

void
logsum_tick(struct logsum *s, const struct queue_stats *now, double at)
{
	const struct queue_stats *b = &s->last;
	long long claims = now->claims - b->claims;
	double secs = at - s->at;
	bool pending = now->depth_known && now->depth > 0;
	if (claims > 0 || pending || now->batch_failures > b->batch_failures)
		dlog(DLOG_INFO, "summary",
		     "seconds=%.0f claims=%lld per_min=%.1f clean=%lld "
		     "flagged=%lld invalid=%lld stale=%lld batches=%lld "
		     "batch_failures=%lld pending=%lld oldest_pending_s=%.1f",
		     secs, claims,
		     secs > 0 ? (double)claims * 60.0 / secs : 0.0,
		     now->clean - b->clean, now->flagged - b->flagged,
		     now->invalid - b->invalid, now->stale - b->stale,
		     now->batches - b->batches,
		     now->batch_failures - b->batch_failures,
		     now->depth_known ? now->depth : 0,
		     now->depth_known ? now->oldest_pending_s : 0.0);
	logsum_start(s, now, at);
}

/*
 * logsum — the daemon's summary at info every log_summary_seconds: what it
 * did since the last one (claims and their verdicts, claims a minute,
 * batches, failed batches) and how far behind the queue is (pending,
 * the oldest pending's age), one line, so that a trickle of claims (a
 * batch line each, at debug) reads as a line a minute.  Nothing done and
 * nothing pending: no line.
 */
#ifndef DAEMON_LOGSUM_H
#define DAEMON_LOGSUM_H

#include "daemon/queue.h"

struct logsum {
	struct queue_stats last; /* the totals at the last summary */
	double at;		 /* its wall-clock time */
};

void logsum_start(struct logsum *s, const struct queue_stats *now, double at);

/* Logs the summary since the last one, and starts the next period. */
void logsum_tick(struct logsum *s, const struct queue_stats *now, double at);

#endif

/*
 * queue — drains the claim queue over one connection, a batch at a time.
 *
 * A batch: (1) claim up to batch_size pending claims with FOR UPDATE SKIP
 * LOCKED in a MATERIALIZED CTE and count the attempt — committed at once, so
 * the count survives a crash; (2) BEGIN, lock them again and read each as a
 * claim document; (3) scrub; (4) write results, findings and statuses with
 * one call and COMMIT.  If the batch's SQL fails it is rolled back and its
 * claims are retried one by one, so one bad claim cannot stall the queue; a
 * claim that still fails alone, or that failed max_attempts times, becomes
 * `invalid` with the reason.
 */
#ifndef DAEMON_QUEUE_H
#define DAEMON_QUEUE_H

#include <stdbool.h>

#include "daemon/conn.h"
#include "scrubber/scrubber.h"

struct queue;

/* Upper bounds (seconds) of the batch-duration histogram's buckets. */
#define QUEUE_BUCKETS 11
extern const double queue_bucket_bounds[QUEUE_BUCKETS];

struct queue_stats {
	long long claims, clean, flagged, invalid;
	long long stale; /* of claims: changed while scrubbed, not written */
	long long batches, batch_failures;
	long long findings[F_COUNT][3]; /* by finding id and severity */
	long long batch_buckets[QUEUE_BUCKETS + 1]; /* per bucket, last: +Inf */
	double batch_seconds;			    /* sum of batch durations */
	/* sampled with the claim step, at most once a second */
	bool depth_known;
	long long depth;	 /* claims pending */
	double oldest_pending_s; /* age of the oldest pending claim */
};

/* idle(arg, empty) is called whenever a drain ends: nothing more could be
 * claimed (empty: nothing is pending at all; else the rest is leased by other
 * daemons), or the queue was told to stop and its batch is done. */
struct queue *queue_new(struct conn *c, void (*idle)(void *arg, bool empty),
			void *arg);

/* The rule set and limits for the next batches (borrowed; swap only
 * between callbacks, which is always the case in one event loop). */
void queue_configure(struct queue *q, const struct ruleset *rs, long batch_size,
		     long max_attempts, long lease_ms);

/* Starts draining if no batch is in flight and the connection is idle. */
void queue_kick(struct queue *q);

/* True while a batch is in flight. */
bool queue_busy(const struct queue *q);

/* Finish the batch in flight, start no other, then call idle. */
void queue_stop(struct queue *q);

/* The connection was lost: the server rolled the batch back. */
void queue_reset(struct queue *q);

const struct queue_stats *queue_stats(const struct queue *q);

void queue_free(struct queue *q);

#endif

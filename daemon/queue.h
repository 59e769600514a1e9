/*
 * queue — drains the claim queue over one connection, a batch at a time.
 *
 * A batch: (1) claim up to batch_size pending claims with FOR UPDATE SKIP
 * LOCKED in a MATERIALIZED CTE and count the attempt — committed at once, so
 * the count survives a crash; (2) BEGIN, lock them again and read each as a
 * claim document; (3) scrub; (4) write results, findings and statuses with
 * one call and COMMIT, leaving claims another transaction holds pending
 * for a later batch (sql/008_queue_locks.sql).  If the batch's SQL fails it
 * is rolled back and its claims are retried one by one, so one bad claim
 * cannot stall the queue; a claim that still fails alone, or that failed
 * max_attempts times, becomes `invalid` with the reason.
 *
 * An error that says the database is out of resources (SQLSTATE class 53:
 * disk full, out of memory, too many connections) or failing (class 58: an
 * I/O error) says nothing about the claims: in any step, the batch is
 * rolled back, its lease ended (so no attempt is counted), no claim is made
 * invalid, and the queue rests for a backoff (100 ms doubling to the cap)
 * before it claims again.  It is "degraded" from that error until a batch
 * commits or nothing is left to claim.
 */
#ifndef DAEMON_QUEUE_H
#define DAEMON_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

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
	/* steps rolled back for the database's resources (SQLSTATE class 53)
	 * or a system error (class 58), and retried after a backoff */
	long long resource_errors, system_errors;
	bool degraded;			/* backing off after one of them */
	long long findings[F_COUNT][3]; /* by finding id and severity */
	long long batch_buckets[QUEUE_BUCKETS + 1]; /* per bucket, last: +Inf */
	double batch_seconds;			    /* sum of batch durations */
	/* sampled with the claim step, at most once a second */
	bool depth_known;
	long long depth;	 /* claims pending */
	double oldest_pending_s; /* age of the oldest pending claim */
};

/* idle(arg, empty) is called whenever a drain ends, whichever way: nothing
 * more could be claimed (empty: nothing is pending at all; else the rest is
 * leased by other daemons), every claim of a batch was held by another
 * transaction, a step failed (the poll timer, a NOTIFY or the backoff timer
 * on base tries again), or the queue was told to stop and its batch is
 * done.  NULL when out of memory. */
struct queue *queue_new(struct event_base *base, struct conn *c,
			void (*idle)(void *arg, bool empty), void *arg);

/* The rule set and limits for the next batches (borrowed; swap only
 * between callbacks, which is always the case in one event loop);
 * backoff_max_ms caps the rest after an out-of-resources error. */
void queue_configure(struct queue *q, const struct ruleset *rs, long batch_size,
		     long max_attempts, long lease_ms, long backoff_max_ms);

/* Starts draining if no batch is in flight, the connection is idle and the
 * queue is not resting after an out-of-resources error. */
void queue_kick(struct queue *q);

/* True while a batch is in flight. */
bool queue_busy(const struct queue *q);

/* Finish the batch in flight, start no other, then call idle. */
void queue_stop(struct queue *q);

/* The connection was lost: the server rolled the batch back. */
void queue_reset(struct queue *q);

const struct queue_stats *queue_stats(const struct queue *q);

/* True while degraded (see above); why then says so for /healthz and
 * STATUS=: "degraded: database out of resources (53100), retrying in 400
 * ms: <the server's message>", cut to size. */
bool queue_degraded(const struct queue *q, char *why, size_t size);

void queue_free(struct queue *q);

#endif

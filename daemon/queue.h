/*
 * queue — drains the claim queue over one connection, a batch at a time.
 *
 * A batch (sql/006_batch.sql, 008_queue_locks.sql): (1) claim_batch()
 * takes up to batch_size pending claims no other daemon holds, records them
 * as this connection's lease and returns their rows, committed at once (a
 * daemon that dies has an attempt counted against them when the lease runs
 * out); (2) the rows are scrubbed a slice at a time (about 10 ms), the
 * event loop running between slices, so /healthz and signals are answered
 * whatever the batch; (3) write_batch() writes results, findings and
 * statuses and end_batch() drops the lease, in one transaction, leaving
 * claims another transaction holds pending for a later batch.  If the
 * write fails it is rolled back and its claims are retried one by one, so
 * one bad claim cannot stall the queue; a claim that still fails alone, or
 * that failed max_attempts times, becomes `invalid` with the reason.
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
	bool degraded; /* backing off after one of them */
	long long findings[F_COUNT][SEV_COUNT]; /* by finding id and severity */
	long long batch_buckets[QUEUE_BUCKETS + 1]; /* per bucket, last: +Inf */
	double batch_seconds;			    /* sum of batch durations */
	/* claim steps that failed (rolled back whole; the drain ended) */
	long long claim_failures;
	long long slices; /* scrubbing slices, at least one a batch */
	/* sampled by a statement of its own in the claim step's pipeline,
	 * ahead of the claim, at most once a second */
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

/* True when the queue is stalled (issue 14, item 15), with the reason in
 * why ("stalled: writing for 75 s", "stalled: no claim step has succeeded
 * for 61 s: 55P03 canceling statement due to lock timeout"): a step in
 * flight longer than stall_s, or claim steps failing for longer than that
 * while claims are pending (or their number is not known). */
bool queue_stalled(const struct queue *q, long stall_s, char *why, size_t size);

/* Seconds since the queue last made progress (a claim step succeeded, a
 * batch committed, or the queue started), and how long the step in flight
 * has run (0 when idle). */
void queue_ages(const struct queue *q, double *since_progress, double *step);

/* The step in flight: "idle", "claiming", "scrubbing", "writing", ... */
const char *queue_step(const struct queue *q);

/* True while degraded (see above); why then says so for /healthz and
 * STATUS=: "degraded: database out of resources (53100), retrying in 400
 * ms: <the server's message>", cut to size. */
bool queue_degraded(const struct queue *q, char *why, size_t size);

void queue_free(struct queue *q);

#endif

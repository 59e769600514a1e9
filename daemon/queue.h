/*
 * queue — drains the claim queue over one connection, a batch at a time.
 *
 * A batch (sql/api/040_batch.sql): (1) claim_batch()
 * takes up to batch_size pending claims no other daemon holds, records them
 * as this daemon's lease (its own id, queue_owner: never a backend's pid,
 * which a transaction pooler shares) and returns their rows, committed at once (a
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
#include "daemon/histo.h"
#include "scrubber/scrubber.h"

/* The size of the daemon's owner id, "host:pid:random", with its NUL. */
#define QUEUE_OWNER_MAX 128

struct queue;

/*
 * The queue's counters, one row each: X(field, metric, label, value, help).
 * A row makes the long long field of struct queue_stats and its sample in
 * /metrics (daemon/metrics.c): `metric{label="value"}`, label NULL for
 * none; the rows of one family follow each other and only the first has
 * the family's help.  A metric NULL is kept for the log and STATUS= only.
 *
 * QUEUE_BATCH_COUNTERS are counted in the batch while it is scrubbed and
 * added to the totals when it commits (on_written), as a rolled-back batch
 * is scrubbed again; QUEUE_COUNTERS go straight into the totals.
 */
#define QUEUE_BATCH_COUNTERS(X) \
	X(claims, NULL, NULL, NULL, NULL) \
	X(clean, "claimscrub_claims_scrubbed_total", "verdict", "clean", \
	  "Claims scrubbed and written, by verdict.") \
	X(flagged, "claimscrub_claims_scrubbed_total", "verdict", "flagged", \
	  NULL) \
	X(invalid, "claimscrub_claims_scrubbed_total", "verdict", "invalid", \
	  NULL) \
	/* of claims: changed while scrubbed, not written */ \
	X(stale, "claimscrub_claims_stale_total", NULL, NULL, \
	  "Claims scrubbed but not written: they changed meanwhile and are " \
	  "scrubbed again.") \
	/* of claims: a payer no profile's name matches */ \
	X(unmapped_payers, "claimscrub_unmapped_payers_total", NULL, NULL, \
	  "Claims scrubbed whose payer matches no payer profile of the " \
	  "rules: judged by the default profile.")

#define QUEUE_COUNTERS(X) \
	X(batches, "claimscrub_batches_total", NULL, NULL, \
	  "Batches committed.") \
	X(batch_failures, "claimscrub_batch_failures_total", NULL, NULL, \
	  "Batches rolled back and retried claim by claim.") \
	/* claim steps that failed (rolled back whole; the drain ended) */ \
	X(claim_failures, "claimscrub_claim_step_failures_total", NULL, NULL, \
	  "Claim steps that failed and were rolled back whole (a lock not " \
	  "granted in time, a function refused); no attempt counted.") \
	X(slices, "claimscrub_scrub_slices_total", NULL, NULL, \
	  "Slices batches were scrubbed in, the event loop running between " \
	  "them (at least one a batch).") \
	/* steps rolled back for the database's resources (SQLSTATE class \
	 * 53) or a system error (class 58), and retried after a backoff */ \
	X(resource_errors, "claimscrub_database_resource_errors_total", \
	  "class", "53", \
	  "Steps rolled back because the database was out of resources " \
	  "(SQLSTATE class 53) or failing (class 58), by class; retried " \
	  "after a backoff, no claim made invalid.") \
	X(system_errors, "claimscrub_database_resource_errors_total", "class", \
	  "58", NULL)

#define QUEUE_FIELD_(field, metric, label, value, help) long long field;

struct queue_stats {
	QUEUE_BATCH_COUNTERS(QUEUE_FIELD_)
	QUEUE_COUNTERS(QUEUE_FIELD_)
	bool degraded; /* backing off after a resource or system error */
	long long findings[F_COUNT][SEV_COUNT]; /* by finding id and severity */
	struct histo batch_time; /* claimed to committed (histo_batch) */
	struct histo claim_wait; /* enqueued to written (histo_wait) */
	double last_batch_at;	 /* Unix time of the last commit; 0: none yet */
	/* sampled by a statement of its own in the claim step's pipeline,
	 * ahead of the claim, at most once a second */
	bool depth_known;
	long long depth;	 /* claims pending */
	double oldest_pending_s; /* age of the oldest pending claim */
	long long waiting;	 /* claims waiting for their MAR record */
};
#undef QUEUE_FIELD_

/* idle(arg, empty) is called whenever a drain ends, whichever way: nothing
 * more could be claimed (empty: nothing is pending at all; else the rest is
 * leased by other daemons), every claim of a batch was held by another
 * transaction, a step failed (the poll timer, a NOTIFY or the backoff timer
 * on base tries again), or the queue was told to stop and its batch is
 * done.  NULL when out of memory. */
struct queue *queue_new(struct event_base *base, struct conn *c,
			void (*idle)(void *arg, bool empty), void *arg);
/* The id that owns this daemon's batches (claimscrub.batch.owner). */
const char *queue_owner(const struct queue *q);

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

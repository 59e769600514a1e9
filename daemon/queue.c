/*
 * queue — the batch state machine; see queue.h.  Every step is one pipeline
 * (one round trip) and its completion callback decides the next step.
 * Every way back to Q_IDLE but queue_reset (the owner's own doing) goes
 * through go_idle, which tells the owner: a stop asked for during a step is
 * honoured when that step ends, however it ends — committed, failed,
 * released for later, backing off, out of memory or cut off.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "daemon/claimrows.h"
#include "daemon/dlog.h"
#include "daemon/queue.h"
#include "daemon/wallclock.h"

/* Takes up to $1 claims no other daemon holds as the batch of $5 (this
 * daemon's own id: queue_owner) and returns their rows, at most $3 + 1 lines and $4 + 1 administrations
 * a claim; the batch (the lease, $2 ms) commits at once, so a crash is
 * counted against its claims.  See sql/api/040_batch.sql (the columns,
 * by name: daemon/claimrows.h). */
static const char SQL_CLAIM[] =
	"SELECT * FROM claimscrub.claim_batch($1::integer, $2::double "
	"precision, $3::integer, $4::integer, $5::text)";
/* A backstop for every statement of the session: a lock wait the
 * functions do not bound themselves (sql/api/040_batch.sql) ends after
 * 30 s unless the session has a lock_timeout already (ALTER ROLE ... SET,
 * the conninfo's options), so no lock can hold the daemon for good. */
static const char SQL_BACKSTOP[] =
	"SELECT set_config('lock_timeout', '30s', false) "
	"WHERE current_setting('lock_timeout') = '0'";
/* The queue's depth and the age of its oldest claim, and the claims
 * waiting for their MAR record (021_mar_wait.sql), for the metrics. */
static const char SQL_DEPTH[] =
	"SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() -"
	" min(enqueued_at)), 0), (SELECT count(*) FROM claimscrub.claim"
	" WHERE status = 'waiting') FROM claimscrub.claim WHERE status = "
	"'pending'";
/* Whether anything is pending at all (leased by others included). */
static const char SQL_PENDING[] = "SELECT EXISTS (SELECT 1 FROM "
				  "claimscrub.claim WHERE status = 'pending')";
/* The rows of claims already leased, if still pending (a retried claim),
 * as claim_batch cuts them. */
static const char SQL_READ[] = "SELECT * FROM claimscrub.read_claims("
			       "$1::bigint[], $2::integer, $3::integer)";
/* Results, findings and statuses of claims still pending at the version
 * read and not locked by another transaction; returns how many were
 * written, and how many were left because locked.  Also writes the invalid
 * result of a claim that failed alone, its finding row too. */
static const char SQL_WRITE[] =
	"SELECT * FROM claimscrub.write_batch($1::jsonb)";
/* The batch is written: its lease ($1: queue_owner) goes with the same
 * commit. */
static const char SQL_END[] = "SELECT claimscrub.end_batch($1::text)";
/* ... and when not even that can be stored: the status and result alone
 * ($3: the version read, if any); true when the claim was marked, false
 * when it was no longer pending or another transaction held it
 * (sql/api/040_batch.sql). */
static const char SQL_MARK[] =
	"SELECT claimscrub.mark_invalid($1::bigint, $2::jsonb, $3::integer)";
enum qstate {
	Q_IDLE,
	Q_CLAIMING,
	Q_CHECKING,
	Q_READING,
	Q_SCRUBBING,
	Q_WRITING,
	Q_ROLLING_BACK,
	Q_MARKING
};

struct queue {
	/* owns this daemon's batch: host, pid and 64 random bits, never a
	 * backend's pid (a transaction pooler shares backends) */
	char owner[QUEUE_OWNER_MAX];
	struct conn *conn;
	void (*idle)(void *arg, bool empty);
	void *arg;
	const struct ruleset *rs;
	long batch_size, max_attempts, lease_ms, backoff_max_ms;
	enum qstate state;
	bool stopping;
	/* after an out-of-resources error: resting while rest_timer is
	 * pending */
	struct event *rest_timer;
	long backoff_ms;	   /* the current rest, 0 when not degraded */
	char degraded_state[6];	   /* the error's SQLSTATE */
	char degraded_reason[512]; /* and message, for /healthz */
	struct timespec started;
	struct timespec depth_at; /* when the depth was last sampled */
	/* stalls (queue_stalled): when the step in flight started, and when
	 * the queue last made progress (a claim step that succeeded, or a
	 * batch committed) */
	struct timespec step_at, progress_at;
	bool claim_failing; /* the last claim step failed */
	char claim_error[256];
	/* the batch's rows, scrubbed a slice at a time (scrub_slice) */
	PGresult *rows;
	struct claimrows cols; /* its columns, by name */
	int row;
	struct event *slice;
	/* the batch in flight */
	struct strbuf ids; /* "{1,2,3}" */
	struct strbuf out; /* results JSON for write_batch */
	int nclaims;
	struct queue_stats pending; /* counts of the batch, added on commit */
	/* claims to retry one by one after a failed batch */
	long long *retry;
	int nretry, retry_pos;
	bool single;		 /* this batch is one retried claim */
	char single_ref[80];	 /* its claim id, once read */
	char single_version[16]; /* and its version */
	char fail_reason[512];
	char fail_state[6]; /* the failure's SQLSTATE, "" if not the server's */
	struct queue_stats stats;
};

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void step_claim(struct queue *q);
static void step_read(struct queue *q);
static void step_rollback(struct queue *q, const char *why,
			  const char *sqlstate);
static void fail_batch(struct queue *q, const char *why, const char *sqlstate,
		       bool in_txn);
static void scrub_batch(struct queue *q, PGresult *r);
static void on_rest_over(evutil_socket_t fd, short what, void *arg);
static void on_slice(evutil_socket_t fd, short what, void *arg);
static void claim_failed(struct queue *q, const char *error);

/* "host:pid:random": unique among the daemons of a database, and says
 * where one runs (claimscrub.batch.owner). */
static void
make_owner(char *buf, size_t size)
{
	char host[65] = "";
	uint64_t r = 0;
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	for (char *p = host; *p; p++) /* letters, digits, - . only */
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			*p = '_';
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		r = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 20);
	}
	snprintf(buf, size, "%s:%ld:%016llx", host[0] ? host : "host",
		 (long)getpid(), (unsigned long long)r);
}

const char *
queue_owner(const struct queue *q)
{
	return q->owner;
}

struct queue *
queue_new(struct event_base *base, struct conn *c,
	  void (*idle)(void *arg, bool empty), void *arg)
{
	struct queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->rest_timer = evtimer_new(base, on_rest_over, q);
	q->slice = evtimer_new(base, on_slice, q);
	if (!q->rest_timer || !q->slice) {
		if (q->rest_timer)
			event_free(q->rest_timer);
		free(q);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &q->progress_at);
	make_owner(q->owner, sizeof(q->owner));
	q->conn = c;
	q->idle = idle;
	q->arg = arg;
	q->batch_size = 500;
	q->max_attempts = 5;
	q->lease_ms = 10000;
	q->backoff_max_ms = 30000;
	q->ids = (struct strbuf)STRBUF_INIT;
	q->out = (struct strbuf)STRBUF_INIT;
	return q;
}

void
queue_configure(struct queue *q, const struct ruleset *rs, long batch_size,
		long max_attempts, long lease_ms, long backoff_max_ms)
{
	q->rs = rs;
	q->batch_size = batch_size;
	q->max_attempts = max_attempts;
	q->lease_ms = lease_ms;
	q->backoff_max_ms = backoff_max_ms;
}

bool
queue_busy(const struct queue *q)
{
	return q->state != Q_IDLE;
}

const struct queue_stats *
queue_stats(const struct queue *q)
{
	return &q->stats;
}

bool
queue_degraded(const struct queue *q, char *why, size_t size)
{
	if (!q->stats.degraded)
		return false;
	snprintf(why, size,
		 "degraded: database %s (%s), retrying in %ld ms: %s",
		 q->degraded_state[1] == '3' ? "out of resources"
					     : "system error",
		 q->degraded_state, q->backoff_ms, q->degraded_reason);
	return true;
}

static double
seconds_since(const struct timespec *t0)
{
	return elapsed_ms(t0) / 1000.0;
}

static const char *const state_names[] = {
	"idle",	     "claiming", "checking",	 "reading",
	"scrubbing", "writing",	 "rolling back", "marking invalid",
};

bool
queue_stalled(const struct queue *q, long stall_s, char *why, size_t size)
{
	double step = seconds_since(&q->step_at),
	       quiet = seconds_since(&q->progress_at);
	if (q->state != Q_IDLE && step > stall_s) {
		snprintf(why, size, "stalled: %s for %.0f s",
			 state_names[q->state], step);
		return true;
	}
	bool pending = !q->stats.depth_known || q->stats.depth > 0;
	if (q->claim_failing && pending && quiet > stall_s) {
		snprintf(why, size,
			 "stalled: no claim step has succeeded for %.0f s: %s",
			 quiet, q->claim_error);
		return true;
	}
	return false;
}

void
queue_ages(const struct queue *q, double *since_progress, double *step)
{
	*since_progress = seconds_since(&q->progress_at);
	*step = q->state == Q_IDLE ? 0 : seconds_since(&q->step_at);
}

const char *
queue_step(const struct queue *q)
{
	return state_names[q->state];
}

/* empty: nothing is pending at all (not merely leased by other daemons) */
static void
go_idle(struct queue *q, bool empty)
{
	q->state = Q_IDLE;
	if (q->idle)
		q->idle(q->arg, empty);
}

/* A batch ended (written, or given up): the next, unless told to stop. */
static void
next_batch(struct queue *q)
{
	q->state = Q_IDLE;
	if (q->stopping)
		go_idle(q, true);
	else
		queue_kick(q);
}

void
queue_stop(struct queue *q)
{
	q->stopping = true;
	if (q->state == Q_IDLE)
		go_idle(q, true);
}

/* The batch's rows, scrubbed or abandoned. */
static void
drop_rows(struct queue *q)
{
	evtimer_del(q->slice);
	PQclear(q->rows);
	q->rows = NULL;
}

void
queue_reset(struct queue *q)
{
	drop_rows(q);
	q->state = Q_IDLE;
	q->single = false;
}

void
queue_kick(struct queue *q)
{
	if (q->state != Q_IDLE || q->stopping ||
	    evtimer_pending(q->rest_timer, NULL) || !q->rs ||
	    !conn_idle(q->conn))
		return;
	clock_gettime(CLOCK_MONOTONIC, &q->started);
	q->single_ref[0] = q->single_version[0] = '\0';
	if (q->retry_pos < q->nretry) {
		strbuf_reset(&q->ids);
		strbuf_printf(&q->ids, "{%lld}", q->retry[q->retry_pos++]);
		q->single = true;
		step_read(q);
		return;
	}
	q->single = false;
	step_claim(q);
}

void
queue_free(struct queue *q)
{
	if (!q)
		return;
	drop_rows(q);
	event_free(q->slice);
	event_free(q->rest_timer);
	strbuf_free(&q->ids);
	strbuf_free(&q->out);
	free(q->retry);
	free(q);
}

/* Runs a pipeline or, when the connection is not idle (it just went down:
 * the server rolls the batch back), ends the drain. */
static void
run(struct queue *q, enum qstate next, const struct conn_query *qs, int n,
    conn_done_fn done)
{
	q->state = next;
	clock_gettime(CLOCK_MONOTONIC, &q->step_at);
	if (!conn_pipeline(q->conn, qs, n, done, q))
		go_idle(q, false);
}

/* Errors that say the database is in trouble, not the claims (SQLSTATE
 * classes): 53, insufficient resources (53100 disk full, 53200 out of
 * memory, 53300 too many connections, 53400 configuration limit exceeded),
 * and 58, system error (58030 I/O error, 58P01 undefined file). */
static bool
resource(const char *sqlstate)
{
	return strncmp(sqlstate, "53", 2) == 0 ||
	       strncmp(sqlstate, "58", 2) == 0;
}

/* The database works again (a batch committed, or nothing was left to
 * claim): the next out-of-resources error starts the backoff afresh. */
static void
recovered(struct queue *q)
{
	q->backoff_ms = 0;
	if (!q->stats.degraded)
		return;
	q->stats.degraded = false;
	dlog(DLOG_INFO, "recovered", "sqlstate=%s", q->degraded_state);
}

/* ---- 1. claim ------------------------------------------------------------ */

static void
on_checked(void *arg, PGresult *const *res, int n, const char *error)
{
	struct queue *q = arg;
	(void)n;
	/* the check is the claim step's last statement: its failure (a lock
	 * not granted, a cancel) is the claim step's, logged and counted */
	if (error || !res[0]) {
		claim_failed(q, error);
		return;
	}
	bool empty = strcmp(PQgetvalue(res[0], 0, 0), "f") == 0;
	if (empty) {
		q->stats.depth = 0;
		q->stats.oldest_pending_s = 0;
		q->stats.depth_known = true;
	}
	go_idle(q, empty);
}

/* Nothing to claim: is anything pending at all, or only leased elsewhere? */
static void
step_check(struct queue *q)
{
	struct conn_query qs[] = {{SQL_PENDING, 0, {NULL}}};
	run(q, Q_CHECKING, qs, 1, on_checked);
}

/* The rules' largest claim (rules_size_limits), as text: claim_batch()
 * and read_claims() return at most one line and one administration more
 * a claim, so a raw claim of a million rows costs the daemon no more than
 * one the rules judge (sql/api/040_batch.sql). */
static void
size_limits(const struct queue *q, char lines[24], char admins[24])
{
	long l, a;
	rules_size_limits(q->rs, &l, &a);
	snprintf(lines, 24, "%ld", l);
	snprintf(admins, 24, "%ld", a);
}

/* The claim step's pipeline: the backstop, the depth when sampled, then
 * the batch.  The depth is a statement of its own ahead of the batch, so a
 * claim step that fails (a lock not granted, a function refused) still
 * tells how many claims wait (issue 14, item 15). */
enum { CLAIM_RES_DEPTH = 1 };

static void
read_depth(struct queue *q, const PGresult *r)
{
	if (!r || PQntuples(r) != 1)
		return;
	q->stats.depth = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	q->stats.oldest_pending_s = strtod(PQgetvalue(r, 0, 1), NULL);
	q->stats.waiting = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	q->stats.depth_known = true;
}

/* A claim step failed (55P03 too: the daemons' turn not granted in
 * lock_timeout) and was rolled back whole: no batch, no attempt counted,
 * nothing invalid.  It is logged once, counted, and the drain ends. */
static void
claim_failed(struct queue *q, const char *error)
{
	const char *st = conn_sqlstate(q->conn);
	char e[300];
	if (resource(st)) {
		fail_batch(q, error ? error : "claiming failed", st, false);
		return;
	}
	q->stats.claim_failures++;
	q->claim_failing = true;
	snprintf(q->claim_error, sizeof(q->claim_error), "%s%s%s",
		 st[0] ? st : "", st[0] ? " " : "",
		 error ? error : "claiming failed");
	dlog(DLOG_WARNING, "claim-failed", "sqlstate=%s error=%s",
	     st[0] ? st : "none", dlog_quote(error, e, sizeof(e)));
	/* the poll timer, a NOTIFY or the reconnect tries again */
	go_idle(q, false);
}

static void
on_claimed(void *arg, PGresult *const *res, int n, const char *error)
{
	struct queue *q = arg;
	bool depth = n == CLAIM_RES_DEPTH + 2;
	int batch = depth ? CLAIM_RES_DEPTH + 1 : CLAIM_RES_DEPTH;
	if (depth)
		read_depth(q, res[CLAIM_RES_DEPTH]);
	if (error || !res[batch]) {
		claim_failed(q, error);
		return;
	}
	q->claim_failing = false;
	clock_gettime(CLOCK_MONOTONIC, &q->progress_at);
	if (PQntuples(res[batch]) == 0) {
		recovered(q);
		step_check(q);
		return;
	}
	scrub_batch(q, conn_take(q->conn, batch));
}

/* A queue longer than this is counted every 5 s, not every second. */
#define QUEUE_DEPTH_LONG 10000

static void
step_claim(struct queue *q)
{
	char limit[24], lease[24], lines[24], admins[24];
	snprintf(limit, sizeof(limit), "%ld", q->batch_size);
	snprintf(lease, sizeof(lease), "%ld", q->lease_ms);
	size_limits(q, lines, admins);
	struct conn_query qs[] = {
		{SQL_BACKSTOP, 0, {NULL}},
		{SQL_DEPTH, 0, {NULL}},
		{SQL_CLAIM, 5, {limit, lease, lines, admins, q->owner}}};
	/* the depth is sampled at most once a second, and every 5 s while
	 * the queue is long: it counts the queue (60-90 ms at 200,000
	 * pending, most of the drain's time spent counting otherwise) */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long every = q->stats.depth > QUEUE_DEPTH_LONG ? 5 : 1;
	bool depth = now.tv_sec - q->depth_at.tv_sec >= every ||
		     !q->stats.depth_known;
	if (depth)
		q->depth_at = now;
	else
		qs[CLAIM_RES_DEPTH] = qs[CLAIM_RES_DEPTH + 1];
	run(q, Q_CLAIMING, qs, depth ? 3 : 2, on_claimed);
}

/* ---- 2. scrub ------------------------------------------------------------ */

/* The reasons a stored claim is not a valid claim document. */
static int
reasons_of(const struct claimrows_claim *rc, const struct diag_list *dl,
	   struct arena *a, const char **reasons, int max)
{
	int n = 0;
	char buf[600];
	for (size_t i = 0; i < dl->n && n < max; i++) {
		const char *r =
			claimrows_reason(rc, &dl->items[i], buf, sizeof(buf));
		char *copy = r == buf ? arena_alloc(a, strlen(r) + 1) : NULL;
		reasons[n++] = copy ? strcpy(copy, r) : dl->items[i].message;
	}
	if (n == 0)
		reasons[n++] = "the claim could not be read";
	return n;
}

/* The result for one claim read back from its rows (in a). */
static struct result *
claim_result(struct queue *q, const struct claimrows_claim *rc, struct arena *a)
{
	long tries = strtol(rc->tries, NULL, 10);
	const char *reasons[16];
	char tried[96];
	struct diag_list dl = {0};
	struct claim *c = arena_alloc(a, sizeof(*c));
	struct result *res = NULL;

	if (tries > q->max_attempts) {
		snprintf(tried, sizeof(tried), "scrubbing it failed %ld times",
			 tries - 1);
		reasons[0] = tried;
		scrub_invalid(q->rs, rc->ref, rc->payer, reasons, 1, &res);
		return res;
	}
	if (rc->over) { /* only part of its rows were read: not judged */
		reasons[0] = rc->over;
		scrub_invalid(q->rs, rc->ref, rc->payer, reasons, 1, &res);
		return res;
	}
	const struct mar_record **recs = NULL;
	size_t nrecs = 0;
	enum scrub_err err =
		c ? claimrows_read(&q->cols, rc, a, c, &dl) : SCRUB_ENOMEM;
	if (err == SCRUB_OK && rc->mar_n > 0)
		err = claimrows_mar(&q->cols, rc, a, &recs, &nrecs, &dl);
	if (err == SCRUB_OK) /* its encounter's MAR, paired, when it has one */
		scrub_records(q->rs, a, c, recs, nrecs, &res);
	else if (err != SCRUB_ENOMEM)
		scrub_invalid(q->rs, rc->ref, rc->payer, reasons,
			      reasons_of(rc, &dl, a, reasons, 16), &res);
	diag_list_free(&dl);
	return res;
}

/* Scrubs the claim at *row of q->rows into the batch's results, notes its id;
 * returns its verdict, or -1 when out of memory (the claim stays pending
 * and is tried again).  Returns -2 when no claim is left. */
static int
scrub_next(struct queue *q, int *row)
{
	struct claimrows_claim rc;
	struct arena *a = arena_new();
	if (!a) { /* the rest of the batch stays pending, for the next one */
		dlog(DLOG_ERROR, "out-of-memory", "step=scrub");
		return -2;
	}
	if (!claimrows_next(&q->cols, row, a, &rc)) {
		arena_free(a);
		return -2;
	}
	strbuf_puts(&q->ids, q->ids.len > 1 ? "," : "");
	strbuf_puts(&q->ids, rc.id);
	if (q->single) {
		snprintf(q->single_ref, sizeof(q->single_ref), "%s", rc.ref);
		snprintf(q->single_version, sizeof(q->single_version), "%s",
			 rc.version);
	}
	struct result *res = rc.failed ? NULL : claim_result(q, &rc, a);
	int verdict = res ? (int)res->verdict : -1;
	if (res && !rules_payer_mapped(q->rs, rc.payer))
		q->pending.unmapped_payers++;
	if (res) {
		strbuf_printf(&q->out,
			      "%s{\"id\":%s,\"version\":%s,\"status\":\"%s\","
			      "\"rules\":\"%s\",\"result\":",
			      q->nclaims ? "," : "", rc.id, rc.version,
			      verdict_names[res->verdict],
			      rules_version(q->rs));
		result_json(res, &q->out);
		strbuf_putc(&q->out, '}');
	}
	for (int i = 0; res && i < res->nfindings; i++)
		q->pending.findings[res->findings[i].id]
				   [res->findings[i].severity]++;
	result_free(res);
	arena_free(a);
	return verdict;
}

static void step_write(struct queue *q);

static void
count(struct queue_stats *s, enum verdict v)
{
	s->claims++;
	s->clean += v == VERDICT_CLEAN;
	s->flagged += v == VERDICT_FLAGGED;
	s->invalid += v == VERDICT_INVALID;
}

/* A slice of the batch is scrubbed at most this long (or one claim, if
 * longer: the engine's budget bounds it) before the event loop runs again,
 * so /healthz, /metrics, signals and the watchdog are answered within
 * about that while a batch of big claims is scrubbed (issue 14, item 10). */
#define QUEUE_SLICE_MS 10

/* Scrubs claims of q->rows until the slice is used up, then yields to the
 * event loop (a timer of 0 s runs after the sockets that are ready); the
 * last slice writes. */
static void
scrub_slice(struct queue *q)
{
	struct timespec t0;
	int verdict;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((verdict = scrub_next(q, &q->row)) != -2) {
		if (verdict < 0) {
			dlog(DLOG_ERROR, "out-of-memory", "step=scrub");
			continue;
		}
		count(&q->pending, (enum verdict)verdict);
		q->nclaims++;
		if (elapsed_ms(&t0) >= QUEUE_SLICE_MS) {
			struct timeval now = {0, 0};
			q->stats.slices++;
			if (evtimer_add(q->slice, &now) == 0)
				return;
		}
	}
	q->stats.slices++;
	drop_rows(q);
	strbuf_putc(&q->ids, '}');
	strbuf_putc(&q->out, ']');
	step_write(q);
}

static void
on_slice(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	scrub_slice(arg);
}

/* Scrubs the claims of r (claim_batch's or read_claims' rows, now the
 * queue's) into q->out and notes their ids in q->ids ("{1,2,3}"), a slice
 * at a time, then writes. */
static void
scrub_batch(struct queue *q, PGresult *r)
{
	strbuf_reset(&q->ids);
	strbuf_putc(&q->ids, '{');
	strbuf_reset(&q->out);
	strbuf_putc(&q->out, '[');
	q->nclaims = 0;
	memset(&q->pending, 0, sizeof(q->pending));
	if (!r) {
		fail_batch(q, "out of memory keeping the batch's rows", "",
			   false);
		return;
	}
	char why[128];
	if (!claimrows_open(&q->cols, r, why, sizeof(why))) {
		PQclear(r);
		fail_batch(q, why, "", false);
		return;
	}
	q->rows = r;
	q->row = 0;
	q->state = Q_SCRUBBING;
	clock_gettime(CLOCK_MONOTONIC, &q->step_at);
	scrub_slice(q);
}

static void
on_read(void *arg, PGresult *const *res, int n, const char *error)
{
	struct queue *q = arg;
	(void)n;
	if (error || !res[0]) {
		fail_batch(q, error ? error : "reading the claim failed",
			   conn_sqlstate(q->conn), false);
		return;
	}
	scrub_batch(q, conn_take(q->conn, 0));
}

/* A claim retried alone (q->ids) is read again; it is still leased. */
static void
step_read(struct queue *q)
{
	char lines[24], admins[24];
	size_limits(q, lines, admins);
	struct conn_query qs[] = {
		{SQL_READ, 3, {strbuf_str(&q->ids), lines, admins}}};
	run(q, Q_READING, qs, 1, on_read);
}

/* ---- 4. write and commit ---------------------------------------------- */

/* write_batch()'s one row (the pipeline's second result), or NULL. */
static const PGresult *
written_row(PGresult *const *res, int n)
{
	const PGresult *r = n > 1 ? res[1] : NULL;
	return r && PQntuples(r) == 1 ? r : NULL;
}

/* write_batch()'s counts: the claims written, and the claims left because
 * another transaction held them (sql/api/040_batch.sql); every claim
 * written when the result says nothing. */
static void
write_counts(const struct queue *q, const PGresult *r, long long *written,
	     long long *locked)
{
	bool known = r && PQnfields(r) >= 2;
	*written = known ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
			 : q->pending.claims;
	*locked = known ? strtoll(PQgetvalue(r, 0, 1), NULL, 10) : 0;
}

/* write_batch()'s third column: how long each claim written waited,
 * enqueued to written, in seconds ("{0.52,1.3}"); a schema without it
 * says nothing. */
static void
observe_waits(struct queue_stats *s, const PGresult *r)
{
	if (!r || PQnfields(r) < 3 || PQgetisnull(r, 0, 2))
		return;
	const char *p = PQgetvalue(r, 0, 2);
	if (*p == '{')
		p++;
	while (*p && *p != '}') {
		char *end;
		double v = strtod(p, &end);
		if (end == p)
			return; /* not a number: the rest is not read */
		histo_observe(&s->claim_wait, &histo_wait, v < 0 ? 0 : v);
		p = *end == ',' ? end + 1 : end;
	}
}

/* A batch is written: the next, unless every claim of it was left because
 * another transaction holds it (a client's open submit(), say).
 * claim_batch() would hand the same claims straight back, so the drain
 * ends instead (not empty): the poll timer, or the NOTIFY of the client's
 * commit, tries again, and the daemon does not spin meanwhile. */
static void
after_write(struct queue *q, long long written, long long locked)
{
	if (locked > 0 && written == 0 && locked >= q->pending.claims)
		go_idle(q, false);
	else
		next_batch(q);
}

static void
on_written(void *arg, PGresult *const *res, int n, const char *error)
{
	struct queue *q = arg;
	if (error) {
		step_rollback(q, error, conn_sqlstate(q->conn));
		return;
	}
	struct queue_stats *s = &q->stats, *p = &q->pending;
	/* claims that changed while scrubbed (a new version, or written by
	 * another daemon) were left alone, and so were claims another
	 * transaction holds: they are scrubbed again as they are then, so
	 * their results count as stale, not as written */
	long long written, locked;
	char held[40] = "";
	write_counts(q, written_row(res, n), &written, &locked);
	if (locked > 0)
		snprintf(held, sizeof(held), " locked=%lld", locked);
	p->stale = p->claims > written ? p->claims - written : 0;
#define QUEUE_ADD_(field, metric, label, value, help) s->field += p->field;
	QUEUE_BATCH_COUNTERS(QUEUE_ADD_)
#undef QUEUE_ADD_
	s->batches++;
	s->last_batch_at = wallclock_now();
	for (int i = 0; i < F_COUNT; i++)
		for (int k = 0; k < SEV_COUNT; k++)
			s->findings[i][k] += p->findings[i][k];
	long ms = elapsed_ms(&q->started);
	histo_observe(&s->batch_time, &histo_batch, ms / 1000.0);
	observe_waits(s, written_row(res, n));
	/* (debug: a trickle of claims is a line each; the summary says it) */
	dlog(DLOG_DEBUG, "batch",
	     "claims=%lld clean=%lld flagged=%lld invalid=%lld stale=%lld "
	     "ms=%ld%s%s",
	     p->claims, p->clean, p->flagged, p->invalid, p->stale, ms,
	     q->single ? " retry=single" : "", held);
	recovered(q);
	clock_gettime(CLOCK_MONOTONIC, &q->progress_at);
	after_write(q, written, locked);
}

static void
step_write(struct queue *q)
{
	if (q->out.failed || q->ids.failed) {
		fail_batch(q, "out of memory building the results", "", false);
		return;
	}
	/* a claim retried alone keeps the lease on the others of its batch
	 * (the next claim_batch ends it) */
	struct conn_query qs[] = {{"BEGIN", 0, {NULL}},
				  {SQL_WRITE, 1, {strbuf_str(&q->out)}},
				  {SQL_END, 1, {q->owner}},
				  {"COMMIT", 0, {NULL}}};
	if (q->single)
		qs[2] = qs[3];
	run(q, Q_WRITING, qs, q->single ? 3 : 4, on_written);
}

/* ---- failures -------------------------------------------------------- */

/* Queues the ids of the failed batch ("{1,2,3}") to be retried one by one. */
static void
retry_singly(struct queue *q)
{
	const char *s = strbuf_str(&q->ids);
	int n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	long long *v = realloc(q->retry, (size_t)n * sizeof(*v));
	if (!v)
		return;
	q->retry = v;
	q->nretry = q->retry_pos = 0;
	for (const char *p = s + 1; *p && *p != '}';) {
		char *end;
		v[q->nretry++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
	}
}

/* Errors of the moment that say nothing about the claims (SQLSTATE
 * prefixes): a lost or refused connection, a serialization failure or
 * deadlock, a lock not granted in lock_timeout, a statement cancelled
 * (statement_timeout) or the server shutting down.  A claim that fails
 * alone with one of them is retried later and never made invalid. */
static bool
transient(const char *sqlstate)
{
	static const char *const states[] = {"08", "40001", "40P01", "55P03",
					     "57"};
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (sqlstate[0] &&
		    strncmp(sqlstate, states[i], strlen(states[i])) == 0)
			return true;
	return false;
}

static void
on_marked(void *arg, PGresult *const *res, int n, const char *error)
{
	struct queue *q = arg;
	char e[300];
	if (error && resource(conn_sqlstate(q->conn))) {
		fail_batch(q, error, conn_sqlstate(q->conn), false);
		return;
	}
	if (error)
		dlog(DLOG_ERROR, "mark-invalid-failed", "claims=%s error=%s",
		     strbuf_str(&q->ids), dlog_quote(error, e, sizeof(e)));
	else if (n > 0 && res[0] && PQntuples(res[0]) == 1 &&
		 strcmp(PQgetvalue(res[0], 0, 0), "t") == 0) {
		q->stats.invalid++;
		q->stats.claims++;
	}
	next_batch(q);
}

/* q->out: the invalid result of the claim being retried alone, for reason
 * why; framed as a batch for write_batch when framed. */
static bool
invalid_result(struct queue *q, const char *idtext, const char *why,
	       bool framed)
{
	struct result *r = NULL;
	const char *reasons[] = {why};
	const char *ref = q->single_ref[0] ? q->single_ref : idtext;
	if (scrub_invalid(q->rs, ref, NULL, reasons, 1, &r) != SCRUB_OK)
		return false;
	strbuf_reset(&q->out);
	if (framed)
		strbuf_printf(&q->out,
			      "[{\"id\":%s,\"version\":%s,\"status\":"
			      "\"invalid\",\"rules\":\"%s\",\"result\":",
			      idtext, q->single_version, rules_version(q->rs));
	result_json(r, &q->out);
	if (framed)
		strbuf_puts(&q->out, "}]");
	result_free(r);
	return !q->out.failed;
}

/* Not even the invalid result's finding row could be stored: its status
 * and result alone, the result saying why its finding row is missing. */
static void
mark_bare(struct queue *q, const char *why)
{
	long long id = strtoll(strbuf_str(&q->ids) + 1, NULL, 10);
	char idtext[24];
	snprintf(idtext, sizeof(idtext), "%lld", id);
	if (!invalid_result(q, idtext, why, false)) {
		go_idle(q, false); /* out of memory: the claim is tried again */
		return;
	}
	const char *version = q->single_version[0] ? q->single_version : NULL;
	struct conn_query qs[] = {
		{SQL_MARK, 3, {idtext, strbuf_str(&q->out), version}}};
	run(q, Q_MARKING, qs, 1, on_marked);
}

static void release(struct queue *q);

static void
on_marked_whole(void *arg, PGresult *const *res, int n, const char *error)
{
	struct queue *q = arg;
	char why[1200], e[300];
	if (!error) {
		/* 0: the claim was no longer pending, nothing written */
		if (n > 0 && res[0] && PQntuples(res[0]) == 1 &&
		    strcmp(PQgetvalue(res[0], 0, 0), "0") != 0)
			on_marked(arg, res, n, NULL);
		else
			next_batch(q);
		return;
	}
	if (resource(conn_sqlstate(q->conn))) {
		fail_batch(q, error, conn_sqlstate(q->conn), false);
		return;
	}
	q->state = Q_IDLE;
	if (!conn_idle(q->conn)) {
		go_idle(q, false); /* the connection is lost: on_down says so */
		return;
	}
	if (transient(conn_sqlstate(q->conn))) {
		snprintf(q->fail_reason, sizeof(q->fail_reason), "%s", error);
		release(q);
		return;
	}
	dlog(DLOG_WARNING, "finding-not-stored", "claims=%s error=%s",
	     strbuf_str(&q->ids), dlog_quote(error, e, sizeof(e)));
	snprintf(why, sizeof(why),
		 "writing its results failed: %s; storing this finding failed "
		 "too: %s",
		 q->fail_reason, error);
	mark_bare(q, why);
}

/* A claim that fails even alone, not for a reason of the moment: invalid,
 * with the server's reason, so the queue moves on.  The invalid result is
 * written like any other, finding row included; when that fails too (the
 * finding rows may be what fails), mark_bare. */
static void
mark_invalid(struct queue *q)
{
	long long id = strtoll(strbuf_str(&q->ids) + 1, NULL, 10);
	char idtext[24], why[600], e[300];
	snprintf(idtext, sizeof(idtext), "%lld", id);
	dlog(DLOG_WARNING, "claim-invalid", "claim_id=%lld reason=%s", id,
	     dlog_quote(q->fail_reason, e, sizeof(e)));
	snprintf(why, sizeof(why), "writing its results failed: %s",
		 q->fail_reason);
	if (!q->single_version[0]) {
		mark_bare(q, why);
		return;
	}
	if (!invalid_result(q, idtext, why, true)) {
		go_idle(q, false); /* out of memory: the claim is tried again */
		return;
	}
	struct conn_query qs[] = {{SQL_WRITE, 1, {strbuf_str(&q->out)}}};
	run(q, Q_MARKING, qs, 1, on_marked_whole);
}

/* A claim that failed alone for a reason of the moment: not its fault, and
 * no attempt is counted (attempts count crashes).  It stays pending; the
 * daemon rests until the poll timer or a NOTIFY, as the cause may not be
 * over, and the claim is taken again with the next batch. */
static void
release(struct queue *q)
{
	char e[300];
	dlog(DLOG_WARNING, "claim-retry-later", "claims=%s error=%s",
	     strbuf_str(&q->ids), dlog_quote(q->fail_reason, e, sizeof(e)));
	go_idle(q, false);
}

/* The rest is over: claim again (the poll timer and NOTIFYs are ignored
 * while resting, so the backoff holds). */
static void
on_rest_over(evutil_socket_t fd, short what, void *arg)
{
	struct queue *q = arg;
	(void)fd;
	(void)what;
	queue_kick(q);
}

/* The database is out of resources (q->fail_state, q->fail_reason): the
 * batch is rolled back and its lease ended; nothing is marked and no claim
 * is retried alone, as that would fail the same way.  Rest, then claim
 * again: the same claims come first, as a batch. */
static void
back_off(struct queue *q)
{
	char e[300];
	if (q->fail_state[1] == '3')
		q->stats.resource_errors++;
	else
		q->stats.system_errors++;
	/* doubling with each such error in a row, as the reconnects do */
	q->backoff_ms = conn_backoff(q->backoff_ms, q->backoff_max_ms);
	q->stats.degraded = true;
	snprintf(q->degraded_state, sizeof(q->degraded_state), "%s",
		 q->fail_state);
	snprintf(q->degraded_reason, sizeof(q->degraded_reason), "%s",
		 q->fail_reason);
	q->nretry = q->retry_pos = 0;
	q->single = false;
	dlog(DLOG_WARNING, "degraded", "sqlstate=%s retry_ms=%ld error=%s",
	     q->fail_state, q->backoff_ms,
	     dlog_quote(q->fail_reason, e, sizeof(e)));
	struct timeval tv = {q->backoff_ms / 1000,
			     (q->backoff_ms % 1000) * 1000};
	if (!q->stopping && event_add(q->rest_timer, &tv) != 0)
		/* the poll timer tries again */
		dlog(DLOG_ERROR, "backoff-timer-failed", "retry=poll");
	go_idle(q, false);
}

static void
on_rolled_back(void *arg, PGresult *const *res, int n, const char *error)
{
	struct queue *q = arg;
	(void)res;
	(void)n;
	(void)error;
	q->state = Q_IDLE;
	if (resource(q->fail_state)) {
		back_off(q);
		return;
	}
	if (q->single) {
		if (transient(q->fail_state))
			release(q);
		else
			mark_invalid(q);
		return;
	}
	q->stats.batch_failures++;
	retry_singly(q);
	next_batch(q);
}

/* After an out-of-resources error: the transaction rolled back (in_txn)
 * and the lease ended, so that no daemon counts an attempt against these
 * claims while this one rests (attempts count daemons that died).  If even
 * ending the lease fails, it runs out as a dead daemon's would. */
static void
end_lease(struct queue *q, bool in_txn)
{
	const struct conn_query qs[] = {{"ROLLBACK", 0, {NULL}},
					{SQL_END, 1, {q->owner}}};
	run(q, Q_ROLLING_BACK, in_txn ? qs : qs + 1, in_txn ? 2 : 1,
	    on_rolled_back);
}

/* What happens next to the claims of a failed step, for the log. */
static const char *
retry_of(const struct queue *q, const char *sqlstate)
{
	if (resource(sqlstate))
		return "backoff";
	if (!q->single)
		return "single";
	return transient(sqlstate) ? "later" : "no";
}

/* The batch failed (in_txn: its transaction is open and must be rolled
 * back; else nothing is open). */
static void
fail_batch(struct queue *q, const char *why, const char *sqlstate, bool in_txn)
{
	char e[300];
	/* a lost connection: the server rolled back; on_down says so */
	if (!conn_idle(q->conn)) {
		go_idle(q, false);
		return;
	}
	snprintf(q->fail_reason, sizeof(q->fail_reason), "%s", why);
	snprintf(q->fail_state, sizeof(q->fail_state), "%s", sqlstate);
	dlog(DLOG_WARNING, "batch-failed",
	     "claims=%s retry=%s sqlstate=%s error=%s",
	     q->single ? strbuf_str(&q->ids) : "batch", retry_of(q, sqlstate),
	     sqlstate[0] ? sqlstate : "none", dlog_quote(why, e, sizeof(e)));
	if (resource(sqlstate)) {
		end_lease(q, in_txn);
		return;
	}
	if (!in_txn) {
		on_rolled_back(q, NULL, 0, NULL);
		return;
	}
	struct conn_query qs[] = {{"ROLLBACK", 0, {NULL}}};
	run(q, Q_ROLLING_BACK, qs, 1, on_rolled_back);
}

static void
step_rollback(struct queue *q, const char *why, const char *sqlstate)
{
	fail_batch(q, why, sqlstate, true);
}

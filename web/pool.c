/*
 * pool — see pool.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/dlog.h"
#include "web/pool.h"

#define POOL_MAX_CONNS 64
#define POOL_RECONNECT_MAX_MS 30000
#define POOL_ROLE_SQL \
	"SELECT set_config('role', $1, true), " \
	"set_config('statement_timeout', $2, true)"
/* A page's statements are quick; a report's aggregations take seconds at
 * a million findings. */
#define POOL_TIMEOUT "10s"
#define POOL_SNAPSHOT_TIMEOUT "120s"
#define POOL_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
/* The channel nobody notifies: conn.h LISTENs once connected. */
#define POOL_CHANNEL "claimscrub_web"

/* A request: its queries copied (params too), until a connection sends. */
struct job {
	struct job *next;
	int n;	       /* the caller's queries */
	int first;     /* q[first] is the caller's first */
	bool snapshot; /* q[0] BEGIN, q[first + n] COMMIT */
	struct conn_query q[CONN_MAX_QUERIES];
	char *owned[CONN_MAX_QUERIES][CONN_MAX_PARAMS];
	pool_done_fn done;
	void *arg;
};

struct member {
	struct pool *p;
	struct conn *c;
	struct event *retry;
	long backoff_ms;
	bool up;
	struct job *job; /* in flight */
	bool aborted;	 /* a snapshot's transaction failed: ROLLBACK first */
};

struct pool {
	struct event_base *base;
	char *conninfo;
	int n, waiting;
	struct job *head, **tail;
	struct member m[POOL_MAX_CONNS];
	void (*up_fn)(void *arg); /* pool_on_up */
	void *up_arg;
};

static void
job_free(struct job *j)
{
	for (int i = 0; i < CONN_MAX_QUERIES; i++)
		for (int k = 0; k < CONN_MAX_PARAMS; k++)
			free(j->owned[i][k]);
	free(j);
}

static void dispatch(struct pool *p);

static void
on_done(void *arg, PGresult *const *res, int n, const char *error)
{
	struct member *m = arg;
	struct job *j = m->job;
	m->job = NULL;
	const char *state = conn_sqlstate(m->c);
	/* the person's role refused (no such role, not granted to us) */
	if (error && *state && n > j->first - 1 && !res[j->first - 1]) {
		error = POOL_ROLE_REFUSED;
		state = POOL_ROLE_REFUSED_STATE;
	}
	/* an explicit transaction stays open, aborted, after an error */
	m->aborted = error && j->snapshot;
	int k = n >= j->first + j->n ? j->n : 0;
	j->done(j->arg, k ? res + j->first : res, k, error, state ? state : "");
	job_free(j);
	dispatch(m->p);
}

static void
on_rolled_back(void *arg, PGresult *const *res, int n, const char *error)
{
	struct member *m = arg;
	(void)res, (void)n, (void)error; /* a failure drops the connection */
	m->aborted = false;
	dispatch(m->p);
}

/* A report (a snapshot job) takes seconds at a million findings: reports
 * run on at most half the connections (one when there is one), so that a
 * few managers opening dashboards never hold up every reviewer's page. */
static bool
report_may_start(const struct pool *p)
{
	int running = 0, limit = p->n / 2 > 0 ? p->n / 2 : 1;
	for (int i = 0; i < p->n; i++)
		running += p->m[i].job && p->m[i].job->snapshot;
	return running < limit;
}

/* The first waiting job that may start now, taken out of the line; NULL
 * when none may (only reports wait, and enough of them run). */
static struct job *
next_job(struct pool *p)
{
	bool reports = report_may_start(p);
	for (struct job **at = &p->head; *at; at = &(*at)->next) {
		struct job *j = *at;
		if (j->snapshot && !reports)
			continue;
		if (!(*at = j->next))
			p->tail = at;
		p->waiting--;
		return j;
	}
	return NULL;
}

/* Hands waiting jobs to idle connections. */
static void
dispatch(struct pool *p)
{
	for (int i = 0; i < p->n && p->head; i++) {
		struct member *m = &p->m[i];
		if (!m->up || m->job || !conn_idle(m->c))
			continue;
		if (m->aborted) {
			static const struct conn_query rollback = {
				"ROLLBACK", 0, {NULL}};
			if (!conn_pipeline(m->c, &rollback, 1, on_rolled_back,
					   m))
				m->aborted = false;
			continue;
		}
		struct job *j = next_job(p);
		if (!j)
			return;
		m->job = j;
		int total = j->first + j->n + (j->snapshot ? 1 : 0);
		if (!conn_pipeline(m->c, j->q, total, on_done, m)) {
			m->job = NULL;
			j->done(j->arg, NULL, 0,
				"the database connection is busy", "");
			job_free(j);
		}
	}
}

static void
on_up(void *arg)
{
	struct member *m = arg;
	m->up = true;
	m->backoff_ms = 0;
	dlog(DLOG_INFO, "connected", "connection=%d", (int)(m - m->p->m));
	/* before the jobs waiting are dispatched: what it runs goes first */
	if (m->p->up_fn)
		m->p->up_fn(m->p->up_arg);
	dispatch(m->p);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct member *m = arg;
	(void)fd, (void)what;
	struct conn_target t = {m->p->conninfo, NULL, NULL, "claimscrub-web",
				POOL_CHANNEL};
	conn_start_as(m->c, &t);
}

static void
on_down(void *arg, const char *why)
{
	struct member *m = arg;
	char q[512];
	m->up = false;
	m->aborted = false; /* the server rolled the transaction back */
	m->backoff_ms = conn_backoff(m->backoff_ms, POOL_RECONNECT_MAX_MS);
	dlog(DLOG_WARNING, "disconnected", "connection=%d retry_ms=%ld why=%s",
	     (int)(m - m->p->m), m->backoff_ms, dlog_quote(why, q, sizeof(q)));
	struct timeval tv = {m->backoff_ms / 1000,
			     (m->backoff_ms % 1000) * 1000};
	event_add(m->retry, &tv);
}

static void
on_notify(void *arg)
{
	(void)arg;
}

struct pool *
pool_new(struct event_base *base, const char *conninfo, int n)
{
	struct pool *p = calloc(1, sizeof(*p));
	if (!p || n < 1 || n > POOL_MAX_CONNS)
		goto fail;
	p->base = base;
	p->tail = &p->head;
	if (conninfo && !(p->conninfo = strdup(conninfo)))
		goto fail;
	for (int i = 0; i < n; i++, p->n++) {
		struct member *m = &p->m[i];
		struct conn_callbacks cb = {on_up, on_down, on_notify, m};
		m->p = p;
		if (!(m->c = conn_new(base, &cb)) ||
		    !(m->retry = evtimer_new(base, on_retry, m)))
			goto fail;
		on_retry(-1, 0, m);
	}
	return p;
fail:
	pool_free(p);
	return NULL;
}

/* The job's queries: [BEGIN] role, the caller's, [COMMIT]; every
 * parameter copied. */
static bool
copy_job(struct job *j, const char *person, const struct conn_query *q, int n,
	 bool snapshot)
{
	static const struct conn_query begin = {POOL_BEGIN, 0, {NULL}},
				       commit = {"COMMIT", 0, {NULL}};
	int at = 0;
	j->n = n;
	j->snapshot = snapshot;
	if (snapshot)
		j->q[at++] = begin;
	j->q[at] = (struct conn_query){
		POOL_ROLE_SQL,
		2,
		{person, snapshot ? POOL_SNAPSHOT_TIMEOUT : POOL_TIMEOUT}};
	j->first = ++at;
	for (int i = 0; i < n; i++)
		j->q[at + i] = q[i];
	if (snapshot)
		j->q[at + n] = commit;
	for (int i = 0; i < at + n; i++)
		for (int k = 0; k < j->q[i].nparams; k++) {
			if (!j->q[i].params[k])
				continue;
			if (!(j->owned[i][k] = strdup(j->q[i].params[k])))
				return false;
			j->q[i].params[k] = j->owned[i][k];
		}
	return true;
}

static bool
run(struct pool *p, const char *person, const struct conn_query *q, int n,
    bool snapshot, pool_done_fn done, void *arg)
{
	if (n < 1 || n + 3 > CONN_MAX_QUERIES || pool_up(p) == 0 ||
	    p->waiting >= POOL_MAX_WAITING)
		return false;
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return false;
	if (!copy_job(j, person, q, n, snapshot)) {
		job_free(j);
		return false;
	}
	j->done = done;
	j->arg = arg;
	*p->tail = j;
	p->tail = &j->next;
	p->waiting++;
	dispatch(p);
	return true;
}

bool
pool_run(struct pool *p, const char *person, const struct conn_query *q, int n,
	 pool_done_fn done, void *arg)
{
	return run(p, person, q, n, false, done, arg);
}

bool
pool_run_snapshot(struct pool *p, const char *person,
		  const struct conn_query *q, int n, pool_done_fn done,
		  void *arg)
{
	return run(p, person, q, n, true, done, arg);
}

void
pool_on_up(struct pool *p, void (*fn)(void *arg), void *arg)
{
	p->up_fn = fn;
	p->up_arg = arg;
}

int
pool_up(const struct pool *p)
{
	int up = 0;
	for (int i = 0; i < p->n; i++)
		up += p->m[i].up;
	return up;
}

void
pool_free(struct pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++) {
		struct member *m = &p->m[i];
		if (m->job) {
			m->job->done(m->job->arg, NULL, 0, "shutting down", "");
			job_free(m->job);
		}
		if (m->c)
			conn_free(m->c);
		if (m->retry)
			event_free(m->retry);
	}
	for (struct job *j = p->head, *nx; j; j = nx) {
		nx = j->next;
		j->done(j->arg, NULL, 0, "shutting down", "");
		job_free(j);
	}
	free(p->conninfo);
	free(p);
}

/*
 * pool — the workbench's database connections: a few of claimscrubd's
 * non-blocking connections (daemon/conn.h) to its own login, reconnected
 * with a backoff, and a bounded line of requests waiting for one.  Every
 * pipeline runs as a person: the pool puts
 *   SELECT set_config('role', $person, true), set_config('statement_timeout', ...)
 * in front of it, so the statements after run in one transaction as that
 * role (what the audit records) and end with it; a person's role the login
 * was not granted is refused by the server, not by us.
 */
#ifndef WEB_POOL_H
#define WEB_POOL_H

#include <stdbool.h>

#include <event2/event.h>

#include "daemon/conn.h"

#define POOL_MAX_WAITING 256
/* What done is given when the database refused the person's role. */
#define POOL_ROLE_REFUSED \
	"the database does not let the workbench act as this role"
#define POOL_ROLE_REFUSED_STATE "28000"

/* A finished pipeline: res[i] the result of the caller's query i (NULL
 * when it failed or was skipped); error the first error, redacted, or
 * NULL; sqlstate its SQLSTATE or "". */
typedef void (*pool_done_fn)(void *arg, PGresult *const *res, int n,
			     const char *error, const char *sqlstate);

struct pool;

struct pool *pool_new(struct event_base *base, const char *conninfo, int n);
void pool_free(struct pool *p);

/* Runs q[0..n) (n + 1 < CONN_MAX_QUERIES) as role person; done is called
 * exactly once, later.  False (nothing called) when no connection is up
 * or POOL_MAX_WAITING requests wait already. */
bool pool_run(struct pool *p, const char *person, const struct conn_query *q,
	      int n, pool_done_fn done, void *arg);

/* pool_run in one read-only REPEATABLE READ transaction (every statement
 * sees the same snapshot: a report's figures add up), with a longer
 * statement timeout; n + 3 <= CONN_MAX_QUERIES.  These run on at most
 * half the connections (one when there is one): the others stay for
 * pool_run's quick pages. */
bool pool_run_snapshot(struct pool *p, const char *person,
		       const struct conn_query *q, int n, pool_done_fn done,
		       void *arg);

/* Connections up now. */
int pool_up(const struct pool *p);

/* fn(arg) is called each time a connection comes up, before any job waits
 * for it: what fn runs (pool_run) is the first job on it.  One at a time;
 * NULL: none. */
void pool_on_up(struct pool *p, void (*fn)(void *arg), void *arg);

#endif

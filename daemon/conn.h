/*
 * conn — one PostgreSQL connection driven by libevent without ever blocking:
 * PQconnectStartParams/PQconnectPoll to connect, LISTEN for wake-ups, then
 * pipeline mode for everything else.  A "pipeline" is a list of
 * parameterised statements sent together with one sync: one round trip.
 *
 * The owner is told by callbacks: the connection came up (ready for
 * pipelines), went down (the owner schedules the reconnect), a NOTIFY
 * arrived, a pipeline finished.  Server notices go to the log.  Every
 * message handed out (down's `why`, a pipeline's `error`, a notice) has been
 * through dconf_redact with the conninfo: it holds no password.
 */
#ifndef DAEMON_CONN_H
#define DAEMON_CONN_H

#include <stdbool.h>

#include <event2/event.h>
#include <libpq-fe.h>

#define CONN_MAX_QUERIES 12
#define CONN_MAX_PARAMS 12

struct conn;

struct conn_query {
	const char *sql; /* static text; data only in params */
	int nparams;
	const char *params[CONN_MAX_PARAMS]; /* text format; borrowed */
};

struct conn_callbacks {
	void (*up)(void *arg); /* connected, listening, idle */
	void (*down)(void *arg, const char *why); /* lost or failed */
	void (*notify)(void *arg);		  /* a NOTIFY on the channel */
	void *arg;
};

/*
 * A finished pipeline: results[i] is the result of query i (NULL when it
 * failed or was skipped); error is the first error message or NULL.  The
 * results are freed after the callback returns.
 */
typedef void (*conn_done_fn)(void *arg, PGresult *const *results, int n,
			     const char *error);

/* A connection object (not yet connected); NULL when out of memory. */
struct conn *conn_new(struct event_base *base, const struct conn_callbacks *cb);

/* Where conn_start_as connects: conninfo (NULL: PG* environment), with
 * user and password (each NULL: the conninfo's) overriding its own, as
 * application app; then LISTENs on channel. */
struct conn_target {
	const char *conninfo, *user, *password, *app, *channel;
};
void conn_start_as(struct conn *c, const struct conn_target *t);
/* Starts connecting with conninfo (NULL: PG* environment; its secrets are
 * kept, to redact messages with), then LISTENs on channel (NULL: none).
 * Progress is reported through the callbacks. */
void conn_start(struct conn *c, const char *conninfo, const char *channel);

/* True when connected and no pipeline is in flight. */
bool conn_idle(const struct conn *c);

/* Sends queries as one pipeline; done is called exactly once, also when the
 * connection is lost meanwhile.  Returns false (and calls nothing) when the
 * connection is not idle. */
bool conn_pipeline(struct conn *c, const struct conn_query *q, int n,
		   conn_done_fn done, void *arg);

/* Takes result i of the pipeline whose done callback is running: it is the
 * caller's to PQclear, and the connection no longer frees it.  NULL when
 * there is none.  (The queue scrubs a batch's rows in slices, between
 * other events, after its callback has returned.) */
PGresult *conn_take(struct conn *c, int i);

/* The SQLSTATE of the first error of the pipeline that just finished (read
 * it in its done callback), or "" when it had no error or the error was not
 * the server's (a lost connection). */
const char *conn_sqlstate(const struct conn *c);

/* The wait after a failure, given the last one (0: none yet): 100 ms, then
 * twice the last, at most max.  The reconnects pace themselves so, and so
 * does the queue after an out-of-resources error. */
long conn_backoff(long last_ms, long max_ms);

/* Closes the connection (the server rolls back an open transaction). */
void conn_close(struct conn *c);

void conn_free(struct conn *c);

#endif

/*
 * conn — non-blocking libpq on libevent; see conn.h.
 *
 * States: DOWN -> CONNECTING (PQconnectPoll wants read or write) ->
 * LISTENING (LISTEN sent) -> IDLE (pipeline mode) <-> BUSY (a pipeline in
 * flight) -> DOWN on any failure.  The socket can change while connecting,
 * so it is re-read after every PQconnectPoll and the events follow it.
 * After every PQconsumeInput the notifications are drained.
 *
 * libpq's messages may quote the conninfo, password and all (a dbname that
 * is a URI comes back in "database ... does not exist"): every message this
 * module hands out — down's reason, a pipeline's error, a server notice —
 * goes through dconf_redact first, before anything cuts it short, with the
 * conninfo's secrets worked out once, by conn_start.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conn.h"
#include "daemon/dconf.h"
#include "daemon/dlog.h"

/* The first wait of a backoff (conn_backoff). */
#define BACKOFF_MIN_MS 100

enum conn_state { C_DOWN, C_CONNECTING, C_LISTENING, C_IDLE, C_BUSY };

struct conn {
	struct event_base *base;
	struct conn_callbacks cb;
	PGconn *pg;
	struct dconf_secrets *secrets; /* of the conninfo, for dconf_redact */
	enum conn_state state;
	int sock;
	struct event *rd, *wr; /* for sock */
	char listen_sql[128];
	/* the pipeline in flight */
	int nq, cur;
	PGresult *res[CONN_MAX_QUERIES];
	PGresult *
		*handed; /* the results a done callback is given (conn_take) */
	char err[512];
	char sqlstate
		[6]; /* of the first error, "" if none or not the server's */
	conn_done_fn done;
	void *done_arg;
};

static void on_socket(evutil_socket_t fd, short what, void *arg);

struct conn *
conn_new(struct event_base *base, const struct conn_callbacks *cb)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->base = base;
	c->cb = *cb;
	c->sock = -1;
	return c;
}

static void
drop_events(struct conn *c)
{
	if (c->rd)
		event_free(c->rd);
	if (c->wr)
		event_free(c->wr);
	c->rd = c->wr = NULL;
	c->sock = -1;
}

/* Follows the connection's socket; rd persists once connected. */
static bool
watch(struct conn *c, bool want_read, bool want_write)
{
	int sock = PQsocket(c->pg);
	if (sock != c->sock) {
		drop_events(c);
		if (sock < 0)
			return false;
		c->sock = sock;
		short rdflags =
			EV_READ | (c->state >= C_LISTENING ? EV_PERSIST : 0);
		c->rd = event_new(c->base, sock, rdflags, on_socket, c);
		c->wr = event_new(c->base, sock, EV_WRITE, on_socket, c);
		if (!c->rd || !c->wr)
			return false;
	}
	if (want_read && event_add(c->rd, NULL) != 0)
		return false;
	if (want_write && event_add(c->wr, NULL) != 0)
		return false;
	return true;
}

static void
clear_results(struct conn *c)
{
	for (int i = 0; i < CONN_MAX_QUERIES; i++) {
		PQclear(c->res[i]);
		c->res[i] = NULL;
	}
}

/* Ends a pipeline: hands the results over, then frees them.  The slots are
 * emptied first, because the callback may start the next pipeline. */
static void
finish_pipeline(struct conn *c, const char *error)
{
	PGresult *res[CONN_MAX_QUERIES];
	char err[sizeof(c->err)];
	conn_done_fn done = c->done;
	void *arg = c->done_arg;
	int n = c->nq;

	memcpy(res, c->res, sizeof(res));
	memset(c->res, 0, sizeof(c->res));
	snprintf(err, sizeof(err), "%s", error ? error : "");
	c->done = NULL;
	if (c->state == C_BUSY)
		c->state = C_IDLE;
	c->handed = res;
	if (done)
		done(arg, res, n, error ? err : NULL);
	c->handed = NULL;
	for (int i = 0; i < CONN_MAX_QUERIES; i++)
		PQclear(res[i]);
}

PGresult *
conn_take(struct conn *c, int i)
{
	if (!c->handed || i < 0 || i >= CONN_MAX_QUERIES)
		return NULL;
	PGresult *r = c->handed[i];
	c->handed[i] = NULL;
	return r;
}

static void
go_down(struct conn *c, const char *why)
{
	char msg[512];
	dconf_redact(why && *why ? why : "connection lost", c->secrets, msg,
		     sizeof(msg));
	msg[strcspn(msg, "\n")] = '\0';
	enum conn_state old = c->state;
	c->state = C_DOWN;
	drop_events(c);
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
	if (old == C_BUSY && c->done)
		finish_pipeline(c, msg);
	if (c->cb.down)
		c->cb.down(c->cb.arg, msg);
}

static void
notice(void *arg, const char *message)
{
	const struct conn *c = arg;
	char m[400], q[400];
	dconf_redact(message, c->secrets, m, sizeof(m));
	dlog(DLOG_INFO, "server-notice", "message=%s",
	     dlog_quote(m, q, sizeof(q)));
}

/* ---- connecting -------------------------------------------------------- */

void
conn_start(struct conn *c, const char *conninfo, const char *channel)
{
	struct conn_target t = {conninfo, NULL, NULL, "claimscrubd", channel};
	conn_start_as(c, &t);
}

void
conn_start_as(struct conn *c, const struct conn_target *t)
{
	/* user and password after dbname: they override the conninfo's */
	const char *keys[] = {"fallback_application_name",
			      "keepalives",
			      "keepalives_idle",
			      "keepalives_interval",
			      "keepalives_count",
			      "connect_timeout",
			      "dbname",
			      t->user ? "user" : NULL,
			      "password",
			      NULL};
	const char *vals[] = {t->app,
			      "1",
			      "30",
			      "10",
			      "3",
			      "10",
			      t->conninfo && *t->conninfo ? t->conninfo : NULL,
			      t->user,
			      t->password,
			      NULL};
	const char *channel = t->channel;
	if (!t->password)
		keys[8] = NULL;

	/* (no channel: no LISTEN, when another connection listens) */
	snprintf(c->listen_sql, sizeof(c->listen_sql), "%s%s",
		 channel ? "LISTEN " : "", channel ? channel : "");
	/* worked out once per connection, not once per message */
	dconf_secrets_free(c->secrets);
	c->secrets = dconf_secrets_new(vals[6]);
	if (!c->secrets) {
		go_down(c, "out of memory");
		return;
	}
	c->pg = PQconnectStartParams(keys, vals, 1);
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
		go_down(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		return;
	}
	PQsetNoticeProcessor(c->pg, notice, c);
	c->state = C_CONNECTING;
	if (!watch(c, false, true))
		go_down(c, "cannot watch the connection socket");
}

/* Listening (or not asked to): into pipeline mode, idle, and said up. */
static void
now_up(struct conn *c)
{
	if (!PQenterPipelineMode(c->pg)) {
		go_down(c, PQerrorMessage(c->pg));
		return;
	}
	c->state = C_IDLE;
	if (c->cb.up)
		c->cb.up(c->cb.arg);
}

static void
connect_step(struct conn *c)
{
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		if (!watch(c, true, false))
			go_down(c, "cannot watch the connection socket");
		return;
	case PGRES_POLLING_WRITING:
		if (!watch(c, false, true))
			go_down(c, "cannot watch the connection socket");
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		go_down(c, PQerrorMessage(c->pg));
		return;
	}
	/* connected: from now on the read event persists */
	c->state = C_LISTENING;
	drop_events(c);
	if (!c->listen_sql[0]) {
		if (PQsetnonblocking(c->pg, 1) != 0 || !watch(c, true, false))
			go_down(c, PQerrorMessage(c->pg));
		else
			now_up(c);
		return;
	}
	if (PQsetnonblocking(c->pg, 1) != 0 ||
	    !PQsendQuery(c->pg, c->listen_sql) || PQflush(c->pg) < 0 ||
	    !watch(c, true, false))
		go_down(c, PQerrorMessage(c->pg));
}

/* ---- results ----------------------------------------------------------- */

static void
drain_notifies(struct conn *c)
{
	PGnotify *n;
	bool any = false;
	while ((n = PQnotifies(c->pg)) != NULL) {
		PQfreemem(n);
		any = true;
	}
	if (any && c->cb.notify)
		c->cb.notify(c->cb.arg);
}

static void
listen_results(struct conn *c)
{
	while (c->state == C_LISTENING && !PQisBusy(c->pg)) {
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			now_up(c);
			return;
		}
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			dconf_redact(PQresultErrorMessage(r), c->secrets,
				     c->err, sizeof(c->err));
		PQclear(r);
		if (!ok) {
			go_down(c, c->err);
			return;
		}
	}
}

static void
keep_result(struct conn *c, PGresult *r)
{
	switch (PQresultStatus(r)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		if (c->cur < c->nq && !c->res[c->cur]) {
			c->res[c->cur] = r;
			return;
		}
		break;
	case PGRES_PIPELINE_ABORTED:
		break;
	default:
		/* the primary message, without "ERROR:  " and context */
		if (!c->err[0]) {
			const char *m =
				PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
			const char *st =
				PQresultErrorField(r, PG_DIAG_SQLSTATE);
			dconf_redact(m ? m : PQresultErrorMessage(r),
				     c->secrets, c->err, sizeof(c->err));
			snprintf(c->sqlstate, sizeof(c->sqlstate), "%s",
				 st ? st : "");
		}
		break;
	}
	PQclear(r);
}

/* Collects what has arrived of the pipeline; finishes it at its sync. */
static void
pipeline_results(struct conn *c)
{
	while (c->state == C_BUSY && !PQisBusy(c->pg)) {
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			if (c->cur >= c->nq)
				return; /* only the sync is still to come */
			c->cur++;
			continue;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			c->err[strcspn(c->err, "\n")] = '\0';
			finish_pipeline(c, c->err[0] ? c->err : NULL);
			return;
		}
		keep_result(c, r);
	}
}

static void
on_readable(struct conn *c)
{
	if (!PQconsumeInput(c->pg)) {
		go_down(c, PQerrorMessage(c->pg));
		return;
	}
	drain_notifies(c);
	if (c->state == C_LISTENING)
		listen_results(c);
	else if (c->state == C_BUSY)
		pipeline_results(c);
	else if (PQstatus(c->pg) == CONNECTION_BAD)
		go_down(c, PQerrorMessage(c->pg));
	/* again: libpq parses a NOTIFY that came behind a result only as the
	 * result is taken, and the backend sends one held during a
	 * transaction with that transaction's results, in the same read; left
	 * in libpq's queue it waited for the next packet (the poll timer,
	 * minutes away for an idle daemon) */
	if (c->state != C_DOWN && c->state != C_CONNECTING)
		drain_notifies(c);
}

/* Pushes buffered output; waits for writability while some is left. */
static void
flush(struct conn *c)
{
	int r = PQflush(c->pg);
	if (r < 0)
		go_down(c, PQerrorMessage(c->pg));
	else if (r > 0 && !watch(c, false, true))
		go_down(c, "cannot watch the connection socket");
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	(void)fd;
	if (c->state == C_CONNECTING) {
		connect_step(c);
		return;
	}
	if (c->state == C_DOWN)
		return;
	if (what & EV_WRITE)
		flush(c);
	if ((what & EV_READ) && c->state != C_DOWN)
		on_readable(c);
}

/* ---- pipelines --------------------------------------------------------- */

bool
conn_idle(const struct conn *c)
{
	return c->state == C_IDLE;
}

const char *
conn_sqlstate(const struct conn *c)
{
	return c->sqlstate;
}

long
conn_backoff(long last_ms, long max_ms)
{
	long ms = last_ms ? last_ms * 2 : BACKOFF_MIN_MS;
	return ms > max_ms ? max_ms : ms;
}

bool
conn_pipeline(struct conn *c, const struct conn_query *q, int n,
	      conn_done_fn done, void *arg)
{
	if (c->state != C_IDLE || n > CONN_MAX_QUERIES)
		return false;
	c->state = C_BUSY;
	c->nq = n;
	c->cur = 0;
	c->err[0] = '\0';
	c->sqlstate[0] = '\0';
	c->done = done;
	c->done_arg = arg;
	for (int i = 0; i < n; i++) {
		if (!PQsendQueryParams(c->pg, q[i].sql, q[i].nparams, NULL,
				       q[i].params, NULL, NULL, 0)) {
			go_down(c, PQerrorMessage(c->pg));
			return true;
		}
	}
	if (!PQpipelineSync(c->pg)) {
		go_down(c, PQerrorMessage(c->pg));
		return true;
	}
	flush(c);
	return true;
}

void
conn_close(struct conn *c)
{
	if (c->pg) {
		drop_events(c);
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->state = C_DOWN;
	clear_results(c);
}

void
conn_free(struct conn *c)
{
	if (!c)
		return;
	conn_close(c);
	dconf_secrets_free(c->secrets);
	free(c);
}

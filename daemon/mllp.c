/*
 * mllp — the HL7 v2 listener over MLLP; see mllp.h.
 *
 * Each connection reads frames in order, one at a time: while a message's
 * records are with the database the connection reads no further (what it
 * sent since waits in its buffer, at most MLLP_MAX_FRAME and a little,
 * then in the kernel's), so its ACKs go out in the order of its messages.
 * Connections waiting for the database are served first come, first
 * served, one statement at a time on the listener's own connection.
 *
 * What a client can hold is bounded:
 *  - a frame's message at MLLP_MAX_FRAME bytes: past it, AR and close;
 *  - bytes outside frames (before a start block) at MLLP_MAX_JUNK in a
 *    row: past it, closed (a sender of something else than MLLP);
 *  - a frame must end within mllp_frame_seconds of its start block,
 *    however it trickles; a connection idle mllp_idle_seconds, or whose ACK
 *    cannot be
 *    written within MLLP_WRITE_S, is closed;
 *  - at most mllp_max_connections connections: at the cap the listener is
 *    disabled and new ones wait in the kernel's backlog; an accept error
 *    (EMFILE...) rests the listener MLLP_REST_MS instead of spinning.
 * Every close and every ACK is logged (mllp-*), with the client's number,
 * the message's control id and never a field of the message.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "daemon/conn.h"
#include "daemon/dlog.h"
#include "daemon/mllp.h"
#include "daemon/netlisten.h"
#include "scrubber/scrubber.h"

#define MLLP_SB '\x0b'	 /* start block */
#define MLLP_EB "\x1c\r" /* end block, carriage return */
#define MLLP_BACKLOG 128
#define MLLP_MAX_JUNK 4096
#define MLLP_WRITE_S 30
#define MLLP_REST_MS 1000
#define MLLP_LINGER_S 5
#define MLLP_LINGER_BYTES ((size_t)8 << 20)
/* MSH-10 is at most 199 characters (HL7 v2.5.1, ST); escaped, five times
 * that at most.  An error's text in MSA-3 is cut to MLLP_MAX_TEXT. */
#define MLLP_MAX_ID 199
#define MLLP_MAX_TEXT 200
/* Our delimiters, those of the ACK: field, component, repetition, escape,
 * subcomponent. */
#define MLLP_DELIMS "|^~\\&"
#define STORE_SQL "SELECT claimscrub.mar_store('hl7', $1::jsonb)"

struct mllp;

struct client {
	struct mllp *m;
	struct client *next;
	struct bufferevent *bev;
	unsigned long id;   /* for the log */
	bool in_frame;	    /* a start block was read */
	double frame_at;    /* then (monotonic seconds) */
	size_t junk;	    /* bytes outside frames, in a row */
	size_t scanned;	    /* bytes of the frame searched for its end */
	bool waiting;	    /* json holds a message for the database */
	bool closing;	    /* closed once its output is written */
	bool lingering;	    /* written and shut down: reading to EOF */
	size_t discarded;   /* bytes read since */
	size_t nrecs;	    /* of the message waiting */
	struct strbuf json; /* its records, a JSON array */
	char ctrl[MLLP_MAX_ID * 4 + 1]; /* its MSH-10, escaped */
	char app[MLLP_MAX_ID * 4 + 1];	/* its MSH-3, escaped */
	char fac[MLLP_MAX_ID * 4 + 1];	/* its MSH-4, escaped */
};

struct mllp {
	struct event_base *base;
	struct evconnlistener *lev;
	struct conn *db;
	struct event *retry, *rest, *sweep, *pump;
	char *conninfo;
	long reconnect_max_ms, backoff_ms;
	long max_conns, frame_s, idle_s; /* the configuration's bounds */
	bool db_up, listening, resting;
	struct client *clients; /* in the order they are served */
	int nclients;
	struct client *inflight; /* whose message the database has */
	unsigned long next_client, next_ack;
	struct mllp_stats stats;
};

static double
mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- connections --------------------------------------------------------- */

/* Enables the listener below the cap and outside a rest, else disables
 * it, so connections wait in the backlog. */
static void
listener_update(struct mllp *m)
{
	bool want = m->nclients < m->max_conns && !m->resting;
	if (want == m->listening)
		return;
	int r = want ? evconnlistener_enable(m->lev)
		     : evconnlistener_disable(m->lev);
	if (r == 0)
		m->listening = want;
}

static void
unlink_client(struct client *cl)
{
	struct client **p = &cl->m->clients;
	while (*p && *p != cl)
		p = &(*p)->next;
	if (*p)
		*p = cl->next;
	cl->next = NULL;
}

static void
client_free(struct client *cl, const char *why)
{
	struct mllp *m = cl->m;
	dlog(DLOG_INFO, "mllp-closed", "client=%lu reason=%s partial=%s",
	     cl->id, why, cl->in_frame ? "yes" : "no");
	unlink_client(cl);
	if (m->inflight == cl)
		m->inflight = NULL;
	m->nclients--;
	bufferevent_free(cl->bev);
	strbuf_free(&cl->json);
	free(cl);
	listener_update(m);
}

/* Served: to the end of the line, behind those waiting. */
static void
to_tail(struct client *cl)
{
	struct client **p = &cl->m->clients;
	unlink_client(cl);
	while (*p)
		p = &(*p)->next;
	*p = cl;
}

/* Written: the sending side shut down, and what the client still sends
 * read and dropped (at most MLLP_LINGER_BYTES, for MLLP_LINGER_S) until it
 * closes: closing at once with its bytes unread would reset the
 * connection, and a reset can lose the AR before the client reads it. */
static void
linger(struct client *cl)
{
	struct timeval tv = {MLLP_LINGER_S, 0};
	cl->lingering = true;
	shutdown(bufferevent_getfd(cl->bev), SHUT_WR);
	bufferevent_set_timeouts(cl->bev, &tv, &tv);
	bufferevent_setwatermark(cl->bev, EV_READ, 0, 0);
	bufferevent_enable(cl->bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(cl->bev),
		       evbuffer_get_length(bufferevent_get_input(cl->bev)));
}

/* Closes cl once what it has been sent is written (never at once: the
 * caller may still hold it). */
static void
close_after_write(struct client *cl)
{
	cl->closing = true;
	bufferevent_disable(cl->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0)
		linger(cl);
}

/* ---- the acknowledgement ------------------------------------------------- */

/* Appends src[0..len) to dst (size bytes, kept NUL-terminated) as HL7 text
 * under MLLP_DELIMS: raw, when the message's own delimiters are ours and
 * so its escapes mean the same, else with each delimiter escaped (\F\,
 * \S\, \R\, \E\, \T\); control characters are left out. */
static void
escape_to(char *dst, size_t size, const char *src, size_t len, bool raw)
{
	static const char *const esc[] = {"\\F\\", "\\S\\", "\\R\\", "\\E\\",
					  "\\T\\"};
	size_t at = strlen(dst);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)src[i];
		const char *d = strchr(MLLP_DELIMS, ch);
		const char *put = (const char *)&src[i];
		size_t n = 1;
		if (ch < 0x20 || ch == 0x7f)
			continue;
		if (d && ch && !raw) {
			put = esc[d - MLLP_DELIMS];
			n = 3;
		}
		if (at + n >= size)
			break;
		memcpy(dst + at, put, n);
		at += n;
		dst[at] = '\0';
	}
}

/* Sends the ACK^O17 of the message whose escaped MSH-10, -3, -4 cl holds:
 * code AA, AE or AR, with text (raw; escaped here) or NULL. */
static void
reply(struct client *cl, const char *code, const char *text)
{
	struct mllp *m = cl->m;
	char ts[32], msa3[MLLP_MAX_TEXT * 3 + 1] = "";
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y%m%d%H%M%S+0000", &tm);
	if (text)
		escape_to(msa3, sizeof(msa3), text,
			  strnlen(text, MLLP_MAX_TEXT), false);
	m->next_ack++;
	bufferevent_write(cl->bev, "\x0b", 1);
	evbuffer_add_printf(bufferevent_get_output(cl->bev),
			    "MSH|^~\\&|claimscrub||%s|%s|%s||ACK^O17^ACK|"
			    "CS%ld.%lu|P|2.5.1\rMSA|%s|%s%s%s\r",
			    cl->app, cl->fac, ts, (long)getpid(), m->next_ack,
			    code, cl->ctrl, text ? "|" : "", msa3);
	bufferevent_write(cl->bev, MLLP_EB, 2);
	if (code[1] == 'A')
		m->stats.accepted++;
	else
		m->stats.rejected++;
	char q[MLLP_MAX_ID * 4 + 8];
	dlog(code[1] == 'A' ? DLOG_DEBUG : DLOG_INFO, "mllp-ack",
	     "client=%lu ack=%s control_id=%s records=%zu", cl->id, code,
	     dlog_quote(cl->ctrl, q, sizeof(q)), cl->nrecs);
}

/* Reads MSH-3, -4 and -10 of msg (escaped for the ACK) into cl; false when
 * msg does not open with an MSH segment and its delimiters. */
static bool
read_msh(struct client *cl, const char *msg, size_t len)
{
	cl->ctrl[0] = cl->app[0] = cl->fac[0] = '\0';
	while (len && (*msg == '\r' || *msg == '\n')) {
		msg++;
		len--;
	}
	if (len < 8 || memcmp(msg, "MSH", 3) != 0)
		return false;
	char fs = msg[3];
	const char *p = msg + 4, *seg_end = msg + 4;
	while (seg_end < msg + len && *seg_end != '\r' && *seg_end != '\n')
		seg_end++;
	bool raw = fs == '|' && memcmp(p, "^~\\&", 4) == 0;
	/* p is at MSH-2: field k starts after the (k-1)th separator */
	for (int k = 2; p <= seg_end && k <= 10; k++) {
		const char *f = memchr(p, fs, (size_t)(seg_end - p));
		const char *fe = f ? f : seg_end;
		size_t n = (size_t)(fe - p);
		n = n > MLLP_MAX_ID ? MLLP_MAX_ID : n;
		char *dst = k == 3 ? cl->app : k == 4 ? cl->fac : cl->ctrl;
		if (k == 3 || k == 4 || k == 10)
			escape_to(dst, sizeof(cl->ctrl), p, n, raw);
		if (!f)
			break;
		p = f + 1;
	}
	return true;
}

/* ---- messages ------------------------------------------------------------ */

static void on_read(struct bufferevent *bev, void *arg);

/* The first error of dl as MSA-3's text: "line L column C: message". */
static void
first_error(const struct diag_list *dl, char *buf, size_t size)
{
	if (dl->n == 0) {
		snprintf(buf, size, "the message cannot be read");
		return;
	}
	snprintf(buf, size, "line %u column %u: %s", dl->items[0].line,
		 dl->items[0].column, dl->items[0].message);
}

/* Reads a frame's message with hl7_read; its records wait for the
 * database, or it is answered at once (AE, AR). */
static void
handle_message(struct client *cl, const char *msg, size_t len)
{
	struct diag_list dl = {0};
	struct hl7_counts counts = {0};
	struct mar_record *recs = NULL;
	size_t n = 0;
	char text[512];
	cl->nrecs = 0;
	if (!read_msh(cl, msg, len)) {
		reply(cl, "AR", "not an HL7 v2 message: no MSH segment first");
		return;
	}
	struct arena *a = arena_new();
	enum scrub_err err =
		a ? hl7_read(a, "mllp", msg, len, &recs, &n, &counts, &dl)
		  : SCRUB_ENOMEM;
	if (err == SCRUB_ENOMEM) {
		dlog(DLOG_ERROR, "mllp-out-of-memory", "client=%lu", cl->id);
		reply(cl, "AR", "out of memory");
		close_after_write(cl);
	} else if (counts.messages != 1) {
		snprintf(text, sizeof(text),
			 "a frame holds one message, not %zu", counts.messages);
		reply(cl, "AR", text);
	} else if (err == SCRUB_EINPUT) {
		first_error(&dl, text, sizeof(text));
		reply(cl, "AE", text);
	} else if (err != SCRUB_OK) {
		first_error(&dl, text, sizeof(text));
		reply(cl, "AR", text);
	} else if (counts.skipped) {
		reply(cl, "AR", "only RAS^O17 messages are read here");
	} else if (n == 0) {
		reply(cl, "AA", NULL);
	} else {
		strbuf_reset(&cl->json);
		strbuf_putc(&cl->json, '[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				strbuf_putc(&cl->json, ',');
			marrec_json_write(&recs[i], &cl->json);
		}
		strbuf_putc(&cl->json, ']');
		cl->nrecs = n;
		cl->waiting = !cl->json.failed;
		if (cl->json.failed) {
			reply(cl, "AR", "out of memory");
			close_after_write(cl);
		}
	}
	diag_list_free(&dl);
	arena_free(a);
	/* at the loop's next turn: a failure to send would free cl */
	if (cl->waiting)
		event_active(cl->m->pump, EV_TIMEOUT, 1);
}

/* Drops what comes before a start block; false when there is none yet,
 * or when too much came (closed). */
static bool
find_start(struct client *cl, struct evbuffer *in)
{
	struct evbuffer_ptr at = evbuffer_search(in, "\x0b", 1, NULL);
	size_t skip = at.pos < 0 ? evbuffer_get_length(in) : (size_t)at.pos;
	cl->junk += skip;
	evbuffer_drain(in, skip);
	if (cl->junk > MLLP_MAX_JUNK) {
		dlog(DLOG_WARNING, "mllp-junk", "client=%lu bytes=%zu", cl->id,
		     cl->junk);
		client_free(cl, "junk");
		return false;
	}
	if (at.pos < 0)
		return false;
	evbuffer_drain(in, 1);
	cl->in_frame = true;
	cl->frame_at = mono_s();
	cl->junk = 0;
	cl->scanned = 0;
	return true;
}

/* Handles the next whole frame of cl's input; false when there is none
 * (or cl was closed). */
static bool
next_frame(struct client *cl, struct evbuffer *in)
{
	if (!cl->in_frame && !find_start(cl, in))
		return false;
	/* from where the last search stopped, less a byte (0x1C) */
	struct evbuffer_ptr from, end;
	evbuffer_ptr_set(in, &from, cl->scanned ? cl->scanned - 1 : 0,
			 EVBUFFER_PTR_SET);
	end = evbuffer_search(in, MLLP_EB, 2, &from);
	size_t len = end.pos < 0 ? evbuffer_get_length(in) : (size_t)end.pos;
	cl->scanned = len;
	if (len > MLLP_MAX_FRAME) {
		size_t head = len < 4096 ? len : 4096;
		const char *h =
			(const char *)evbuffer_pullup(in, (ev_ssize_t)head);
		dlog(DLOG_WARNING, "mllp-frame-too-large",
		     "client=%lu bytes=%zu max=%zu", cl->id, len,
		     MLLP_MAX_FRAME);
		if (!h || !read_msh(cl, h, head))
			cl->ctrl[0] = cl->app[0] = cl->fac[0] = '\0';
		cl->nrecs = 0;
		cl->in_frame = false;
		reply(cl, "AR", "frame larger than 1048576 bytes");
		close_after_write(cl);
		return false;
	}
	if (end.pos < 0)
		return false;
	const char *msg = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
	cl->in_frame = false;
	handle_message(cl, msg ? msg : "", msg ? len : 0);
	evbuffer_drain(in, len + 2);
	return true;
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	if (cl->lingering) {
		cl->discarded += evbuffer_get_length(in);
		evbuffer_drain(in, evbuffer_get_length(in));
		if (cl->discarded > MLLP_LINGER_BYTES)
			client_free(cl, "rejected");
		return;
	}
	while (!cl->waiting && !cl->closing && next_frame(cl, in))
		;
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	(void)bev;
	if (cl->closing && !cl->lingering)
		linger(cl);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct client *cl = arg;
	(void)bev;
	const char *why = cl->lingering		     ? "rejected"
			  : what & BEV_EVENT_EOF     ? "eof"
			  : what & BEV_EVENT_TIMEOUT ? "timeout"
						     : "error";
	client_free(cl, why);
}

/* ---- the database ---------------------------------------------------------- */

static void pump(struct mllp *m);

/* The database refused the records themselves (SQLSTATE class 22, data
 * exception, as mar_store's checks raise, or 54, a limit passed): sending
 * them again cannot help, so the message is answered AE rather than left
 * to be resent for ever. */
static bool
refused_data(const struct mllp *m)
{
	const char *st = conn_sqlstate(m->db);
	return strncmp(st, "22", 2) == 0 || strncmp(st, "54", 2) == 0;
}

/* Stored: AA.  Refused for its data: AE.  Else (down, no privilege...) no
 * ACK and the connection closed, for the sender to send it again. */
static void
on_stored(void *arg, PGresult *const *res, int n, const char *error)
{
	struct mllp *m = arg;
	struct client *cl = m->inflight;
	(void)n;
	m->inflight = NULL;
	long stored = !error && res[0] && PQntuples(res[0]) == 1
			      ? strtol(PQgetvalue(res[0], 0, 0), NULL, 10)
			      : -1;
	if (stored >= 0)
		m->stats.records += stored;
	if (stored < 0 && cl && refused_data(m)) {
		char text[MLLP_MAX_TEXT + 1];
		snprintf(text, sizeof(text), "%s", error ? error : "refused");
		cl->waiting = false;
		reply(cl, "AE", text);
		to_tail(cl);
		on_read(cl->bev, cl);
		pump(m);
		return;
	}
	if (stored < 0) {
		char q[400];
		dlog(DLOG_WARNING, "mllp-store-failed",
		     "client=%lu error=%s hint=\"no ACK: the sender sends "
		     "again\"",
		     cl ? cl->id : 0,
		     dlog_quote(error ? error : "no result", q, sizeof(q)));
	}
	if (cl && stored < 0) {
		client_free(cl, "database");
	} else if (cl) {
		cl->waiting = false;
		reply(cl, "AA", NULL);
		to_tail(cl);
		on_read(cl->bev, cl);
	}
	pump(m);
}

/* The database is not there: the messages waiting get no ACK (their
 * senders send again) and their connections are closed. */
static void
close_waiting(struct mllp *m)
{
	for (struct client *cl = m->clients, *next; cl; cl = next) {
		next = cl->next;
		if (cl->waiting)
			client_free(cl, "database");
	}
}

/* Sends the first waiting message to the database, when it is free; with
 * no database, closes the connections waiting. */
static void
pump(struct mllp *m)
{
	struct client *cl = m->clients;
	if (!m->db_up) {
		close_waiting(m);
		return;
	}
	if (m->inflight || !conn_idle(m->db))
		return;
	while (cl && !cl->waiting)
		cl = cl->next;
	if (!cl)
		return;
	struct conn_query q = {STORE_SQL, 1, {strbuf_str(&cl->json)}};
	m->inflight = cl;
	if (!conn_pipeline(m->db, &q, 1, on_stored, m))
		m->inflight = NULL;
}

static void
on_db_up(void *arg)
{
	struct mllp *m = arg;
	m->db_up = true;
	m->backoff_ms = 0;
	dlog(DLOG_INFO, "mllp-db-connected", "clients=%d", m->nclients);
	pump(m);
}

/* Down: the messages waiting get no ACK (their senders send again). */
static void
on_db_down(void *arg, const char *why)
{
	struct mllp *m = arg;
	char q[400];
	m->db_up = false;
	m->backoff_ms = conn_backoff(m->backoff_ms, m->reconnect_max_ms);
	dlog(DLOG_WARNING, "mllp-db-disconnected", "retry_ms=%ld error=%s",
	     m->backoff_ms, dlog_quote(why, q, sizeof(q)));
	close_waiting(m);
	struct timeval tv = {m->backoff_ms / 1000,
			     (m->backoff_ms % 1000) * 1000};
	if (event_add(m->retry, &tv) != 0)
		dlog(DLOG_ERROR, "mllp-retry-failed", "retry_ms=%ld",
		     m->backoff_ms);
}

static void
db_start(struct mllp *m)
{
	struct conn_target t = {m->conninfo, NULL, NULL, "claimscrubd-mllp",
				NULL};
	conn_close(m->db);
	conn_start_as(m->db, &t);
}

static void
on_pump(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	db_start(arg);
}

/* ---- listening --------------------------------------------------------------- */

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *addr,
	  int socklen, void *arg)
{
	struct mllp *m = arg;
	struct client *cl = calloc(1, sizeof(*cl));
	struct timeval rd = {m->idle_s, 0}, wr = {MLLP_WRITE_S, 0};
	(void)lev;
	(void)addr;
	(void)socklen;
	if (cl)
		cl->bev = bufferevent_socket_new(m->base, fd,
						 BEV_OPT_CLOSE_ON_FREE);
	if (!cl || !cl->bev) {
		dlog(DLOG_ERROR, "mllp-out-of-memory", "client=0");
		free(cl);
		evutil_closesocket(fd);
		return;
	}
	cl->m = m;
	cl->id = ++m->next_client;
	cl->json = (struct strbuf)STRBUF_INIT;
	m->nclients++;
	to_tail(cl);
	bufferevent_setcb(cl->bev, on_read, on_write, on_event, cl);
	/* past a frame and its blocks, reading stops until it is handled */
	bufferevent_setwatermark(cl->bev, EV_READ, 0, MLLP_MAX_FRAME + 4096);
	bufferevent_set_timeouts(cl->bev, &rd, &wr);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
	dlog(DLOG_DEBUG, "mllp-accepted", "client=%lu open=%d", cl->id,
	     m->nclients);
	listener_update(m);
}

static void
on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct mllp *m = arg;
	char q[128];
	struct timeval tv = {MLLP_REST_MS / 1000, (MLLP_REST_MS % 1000) * 1000};
	(void)lev;
	dlog(DLOG_WARNING, "mllp-accept-failed", "error=%s retry_ms=%d open=%d",
	     dlog_quote(evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()), q,
			sizeof(q)),
	     MLLP_REST_MS, m->nclients);
	m->resting = true;
	listener_update(m);
	evtimer_add(m->rest, &tv);
}

static void
on_rest(evutil_socket_t fd, short what, void *arg)
{
	struct mllp *m = arg;
	(void)fd;
	(void)what;
	m->resting = false;
	listener_update(m);
}

/* Every second: a frame begun frame_s ago and not ended is closed. */
static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct mllp *m = arg;
	double now = mono_s();
	(void)fd;
	(void)what;
	for (struct client *cl = m->clients, *next; cl; cl = next) {
		next = cl->next;
		if (cl->in_frame && now - cl->frame_at >= m->frame_s)
			client_free(cl, "slow-frame");
	}
}

struct mllp *
mllp_start(struct event_base *base, const struct mllp_config *c, char *err,
	   size_t errsize)
{
	struct conn_callbacks cb = {on_db_up, on_db_down, NULL, NULL};
	struct timeval second = {1, 0};
	struct mllp *m = calloc(1, sizeof(*m));
	snprintf(err, errsize, "out of memory");
	if (!m)
		return NULL;
	m->base = base;
	m->reconnect_max_ms = c->reconnect_max_ms;
	m->max_conns = c->max_conns;
	m->frame_s = c->frame_s;
	m->idle_s = c->idle_s;
	cb.arg = m;
	m->db = conn_new(base, &cb);
	m->retry = evtimer_new(base, on_retry, m);
	m->rest = evtimer_new(base, on_rest, m);
	m->sweep = event_new(base, -1, EV_PERSIST, on_sweep, m);
	m->pump = event_new(base, -1, 0, on_pump, m);
	m->conninfo = c->conninfo ? strdup(c->conninfo) : NULL;
	if (!m->db || !m->retry || !m->rest || !m->sweep || !m->pump ||
	    (c->conninfo && !m->conninfo) || event_add(m->sweep, &second)) {
		mllp_free(m);
		return NULL;
	}
	if (!(m->lev = netlisten_tcp(m->base, on_accept, m, c->address, c->port,
				     MLLP_BACKLOG, err, errsize))) {
		mllp_free(m);
		return NULL;
	}
	evconnlistener_set_error_cb(m->lev, on_accept_error);
	m->listening = true;
	db_start(m);
	return m;
}

const struct mllp_stats *
mllp_stats(const struct mllp *m)
{
	return &m->stats;
}

void
mllp_free(struct mllp *m)
{
	if (!m)
		return;
	while (m->clients)
		client_free(m->clients, "stopping");
	if (m->lev)
		evconnlistener_free(m->lev);
	conn_free(m->db);
	struct event *evs[] = {m->retry, m->rest, m->sweep, m->pump};
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
	free(m->conninfo);
	free(m);
}

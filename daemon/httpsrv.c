/*
 * httpsrv — a bounded evhttp server; see httpsrv.h.
 *
 * evhttp bounds headers and bodies (the limits' sizes) and drops a
 * connection idle for the limits' timeout_s, but its timeout restarts with every byte read, so a client
 * sending one byte a second (slowloris) would keep a connection forever, and
 * it accepts any number of connections (libevent 2.1 has no
 * evhttp_set_max_connections).  So the listening socket is ours
 * (evconnlistener, handed to evhttp_bind_listener) and every connection's
 * bufferevent is made here (evhttp_set_bevcb) and held in a slot:
 *
 *  - at most HTTP_MAX_CONNS are open: at the cap the listener is disabled
 *    and new connections wait in the kernel's backlog, never accepted and
 *    dropped; it is enabled again when one closes.  A connection counts
 *    until its socket is closed (the loop iteration after evhttp frees it,
 *    which its close callback tells), so the cap is one of descriptors;
 *  - at the cap (or while accept fails), the oldest connection is closed
 *    once it has lived HTTP_EVICT_MS, so a flood of slow clients cannot
 *    lock out a health check for long, while one just accepted, still to be
 *    served, is never the one closed;
 *  - a connection older than the limits' max_life_s is closed, however it trickles;
 *  - an accept error (EMFILE, ENFILE, ENOBUFS...) disables the listener for
 *    a backoff (HTTP_BACKOFF_MIN_MS doubling to HTTP_BACKOFF_MAX_MS, reset
 *    by an accept that works) instead of retrying at once in a loop, and is
 *    logged at most once per HTTP_LOG_EVERY_S.
 *
 * Answers to HEAD carry GET's headers, Content-Length included, and no body
 * (libevent 2.1 sends the body and no Content-Length).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "daemon/dlog.h"
#include "daemon/httpsrv.h"
#include "daemon/netlisten.h"

#define HTTP_MAX_CONNS 128
#define HTTP_BACKLOG 1024
#define HTTP_EVICT_MS 500
#define HTTP_BACKOFF_MIN_MS 10
#define HTTP_BACKOFF_MAX_MS 1000
#define HTTP_LOG_EVERY_S 60

struct httpsrv;

struct httpsrv_slot {
	struct httpsrv *h;
	struct bufferevent *bev; /* our reference; NULL: free or draining */
	/* its connection, once its close callback is set; NULL before */
	struct evhttp_connection *evcon;
	double born; /* monotonic seconds */
	bool adopted;
	/* let go, but counted until the next loop iteration: the socket is
	 * closed when the bufferevent is finalized, later in this one */
	bool draining;
};

struct httpsrv {
	struct evhttp *ev;
	struct evconnlistener *lev; /* evhttp's once bound; freed with it */
	struct httpsrv_limits lim;
	struct event *sweep_ev; /* every second: lifetimes */
	struct event *adopt_ev; /* right after accepting: close callbacks */
	struct event *evict_ev; /* under pressure: when the oldest may go */
	struct event *retry_ev; /* the end of an accept backoff */
	struct event *drain_ev; /* the next loop iteration: draining slots */
	int open;		/* slots in use */
	bool listening;		/* the listener is enabled */
	bool resting;		/* an accept backoff is running */
	bool failing;		/* accept failed since it last worked */
	bool closing;		/* http_free: evhttp has freed the listener */
	int backoff_ms;
	long failures;	      /* failed accepts not logged yet */
	double logged;	      /* when the last accept failure was logged */
	struct httpsrv *next; /* in servers */
	struct httpsrv_slot slots[HTTP_MAX_CONNS];
};

/* The servers running: a listener's callbacks get evhttp's argument, so
 * its error callback finds its server here, by listener. */
static struct httpsrv *servers;

static double
mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct timeval
tv_ms(long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	return tv;
}

/* Enables the listener below the cap, outside a backoff; else disables it,
 * so connections wait in the backlog. */
static void
listener_update(struct httpsrv *h)
{
	if (h->closing)
		return;
	bool want = h->open < HTTP_MAX_CONNS && !h->resting;
	if (want == h->listening)
		return;
	int r = want ? evconnlistener_enable(h->lev)
		     : evconnlistener_disable(h->lev);
	if (r == 0)
		h->listening = want;
}

/* True while evhttp still uses bev: it clears the callbacks when it frees
 * a connection (bufferevent_free), and sets at least one while it lives. */
static bool
slot_in_use(const struct httpsrv_slot *s)
{
	bufferevent_data_cb rd, wr;
	bufferevent_event_cb ev;
	bufferevent_getcb(s->bev, &rd, &wr, &ev, NULL);
	return rd || wr || ev;
}

/* evhttp is done with the slot's connection: our reference goes, and
 * the place is free once the socket is closed.  That happens when the
 * bufferevent is finalized, in a callback queued now and run before the
 * loop polls again; a timer due at once runs after that poll, so until
 * then the slot still counts and the listener cannot take its place
 * while the socket is open. */
static void
slot_release(struct httpsrv_slot *s)
{
	static const struct timeval now = {0, 0};
	bufferevent_decref(s->bev);
	s->bev = NULL;
	s->evcon = NULL;
	s->draining = true;
	evtimer_add(s->h->drain_ev, &now);
}

static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct httpsrv *h = arg;
	(void)fd;
	(void)what;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		if (h->slots[i].draining) {
			h->slots[i].draining = false;
			h->open--;
		}
	}
	listener_update(h);
}

/* evhttp is freeing a connection: its close callback. */
static void
on_close(struct evhttp_connection *evcon, void *arg)
{
	struct httpsrv_slot *s = arg;
	if (s->h->lim.closing)
		s->h->lim.closing(evcon, s->h->lim.closing_arg);
	if (s->bev && s->evcon == evcon)
		slot_release(s);
}

/* Closes a slot's connection: freed at once when it is known (its close
 * callback releases the slot), else shut down so evhttp reads end-of-file
 * and frees it. */
static void
slot_close(struct httpsrv_slot *s)
{
	if (!slot_in_use(s)) {
		slot_release(s); /* evhttp freed it already */
		return;
	}
	if (s->evcon) {
		evhttp_connection_free(s->evcon);
		return;
	}
	evutil_socket_t fd = bufferevent_getfd(s->bev);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

/* Sets the close callback of the connections accepted since the last
 * call, so a slot is released the moment evhttp frees its connection.
 * evhttp makes a connection after asking for its bufferevent and gives
 * the connection as the bufferevent's callback argument; this runs right
 * after the accepts, before any of them can be read. */
static void
on_adopt(evutil_socket_t fd, short what, void *arg)
{
	struct httpsrv *h = arg;
	(void)fd;
	(void)what;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct httpsrv_slot *s = &h->slots[i];
		void *cbarg = NULL;
		if (!s->bev || s->adopted)
			continue;
		s->adopted = true;
		if (!slot_in_use(s)) {
			slot_release(s); /* evhttp gave up on it already */
			continue;
		}
		bufferevent_getcb(s->bev, NULL, NULL, NULL, &cbarg);
		if (cbarg &&
		    evhttp_connection_get_bufferevent(cbarg) == s->bev) {
			s->evcon = cbarg;
			evhttp_connection_set_closecb(s->evcon, on_close, s);
		}
	}
	event_active(h->evict_ev, EV_TIMEOUT, 1);
}

/* Under pressure (at the cap, or while accept fails) closes the oldest
 * connection once it has lived HTTP_EVICT_MS, making room for one waiting
 * in the backlog; one younger is left to finish, and looked at again when
 * it is old enough.  A draining slot is room already on its way. */
static void
on_evict(evutil_socket_t fd, short what, void *arg)
{
	struct httpsrv *h = arg;
	struct httpsrv_slot *old = NULL;
	(void)fd;
	(void)what;
	if (h->open < HTTP_MAX_CONNS && !h->failing)
		return;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct httpsrv_slot *s = &h->slots[i];
		if (s->draining)
			return;
		if (s->bev && (!old || s->born < old->born))
			old = s;
	}
	if (!old)
		return;
	long age_ms = (long)((mono_s() - old->born) * 1000);
	if (age_ms >= HTTP_EVICT_MS) {
		slot_close(old);
		return;
	}
	struct timeval tv = tv_ms(HTTP_EVICT_MS - age_ms);
	evtimer_add(h->evict_ev, &tv);
}

/* Every second: closes connections past their lifetime, and releases any
 * slot whose connection evhttp freed without its close callback. */
static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct httpsrv *h = arg;
	double now = mono_s();
	(void)fd;
	(void)what;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct httpsrv_slot *s = &h->slots[i];
		if (!s->bev || !s->adopted)
			continue;
		if (!slot_in_use(s))
			slot_release(s);
		else if (now - s->born >= h->lim.max_life_s)
			slot_close(s);
	}
}

/* evhttp's new connection: its bufferevent, in a free slot; the listener
 * stops at the last one. */
static struct bufferevent *
on_new_conn(struct event_base *base, void *arg)
{
	struct httpsrv *h = arg;
	struct httpsrv_slot *s = NULL;
	h->failing = false;
	h->backoff_ms = 0;
	for (size_t i = 0; i < HTTP_MAX_CONNS && !s; i++)
		if (!h->slots[i].bev && !h->slots[i].draining)
			s = &h->slots[i];
	if (!s) /* cannot happen: the listener is disabled at the cap */
		return NULL;
	struct bufferevent *bev =
		bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		return NULL;
	bufferevent_incref(bev);
	*s = (struct httpsrv_slot){.h = h, .bev = bev, .born = mono_s()};
	h->open++;
	listener_update(h);
	event_active(h->adopt_ev, EV_TIMEOUT, 1);
	return bev;
}

/* accept failed (EMFILE, ENFILE, ENOBUFS, ENOMEM...): the connection stays
 * in the backlog and the socket readable, so retrying at once would spin;
 * the listener rests instead, and the failure is logged now and then. */
static void
on_accept_error(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	double now = mono_s();
	struct httpsrv *h = servers;
	(void)arg; /* the evhttp */
	while (h && h->lev != lev)
		h = h->next;
	if (!h) { /* cannot happen; still, never a busy loop */
		evconnlistener_disable(lev);
		return;
	}
	h->backoff_ms = h->backoff_ms ? h->backoff_ms * 2 : HTTP_BACKOFF_MIN_MS;
	if (h->backoff_ms > HTTP_BACKOFF_MAX_MS)
		h->backoff_ms = HTTP_BACKOFF_MAX_MS;
	h->failures++;
	if (!h->logged || now - h->logged >= HTTP_LOG_EVERY_S) {
		char q[128];
		dlog(DLOG_WARNING, "http-accept-failed",
		     "error=%s failures=%ld retry_ms=%d open=%d",
		     dlog_quote(evutil_socket_error_to_string(err), q,
				sizeof(q)),
		     h->failures, h->backoff_ms, h->open);
		h->failures = 0;
		h->logged = now;
	}
	h->failing = true;
	h->resting = true;
	listener_update(h);
	struct timeval tv = tv_ms(h->backoff_ms);
	evtimer_add(h->retry_ev, &tv);
	event_active(h->evict_ev, EV_TIMEOUT, 1);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct httpsrv *h = arg;
	(void)fd;
	(void)what;
	h->resting = false;
	listener_update(h);
}

/* Sends an answer; to HEAD, GET's headers (Content-Length too) without
 * the body, which evhttp would send, unannounced. */
void
httpsrv_reply(struct evhttp_request *req, int code, const char *reason,
	      const char *type, const char *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", len);
		evhttp_add_header(h, "Content-Length", n);
		evhttp_send_reply(req, code, reason, NULL);
		return;
	}
	struct evbuffer *buf = evbuffer_new();
	if (!buf || evbuffer_add(buf, body, len) != 0) {
		if (buf)
			evbuffer_free(buf);
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	evhttp_send_reply(req, code, reason, buf);
	evbuffer_free(buf);
}

/* The listening socket on address:port (the first address it resolves to
 * that can be bound), with a backlog where connections wait at the cap;
 * NULL with a message in err on failure. */
static struct evconnlistener *
listen_unix(struct event_base *base, const char *path, char *err,
	    size_t errsize)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errsize,
			 "cannot listen on unix:%s: path too long", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	unlink(path); /* a socket left by a process that died */
	/* group rw only: the proxy in the socket's group may connect */
	mode_t old = umask(0117);
	struct evconnlistener *lev = evconnlistener_new_bind(
		base, NULL, NULL, LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE,
		HTTP_BACKLOG, (struct sockaddr *)&sun, (int)sizeof(sun));
	umask(old);
	if (!lev)
		snprintf(err, errsize, "cannot listen on unix:%s: %s", path,
			 strerror(errno));
	return lev;
}

static struct evconnlistener *
listen_on(struct event_base *base, const char *address, int port, char *err,
	  size_t errsize)
{
	if (strncmp(address, "unix:", 5) == 0)
		return listen_unix(base, address + 5, err, errsize);
	return netlisten_tcp(base, NULL, NULL, address, port, HTTP_BACKLOG, err,
			     errsize);
}

/* The timers and the deferred adoption; false when one cannot be made. */
static bool
make_events(struct httpsrv *h, struct event_base *base)
{
	struct timeval second = {1, 0};
	h->sweep_ev = event_new(base, -1, EV_PERSIST, on_sweep, h);
	h->adopt_ev = event_new(base, -1, 0, on_adopt, h);
	h->evict_ev = evtimer_new(base, on_evict, h);
	h->retry_ev = evtimer_new(base, on_retry, h);
	h->drain_ev = evtimer_new(base, on_drain, h);
	return h->sweep_ev && h->adopt_ev && h->evict_ev && h->retry_ev &&
	       h->drain_ev && event_add(h->sweep_ev, &second) == 0;
}

static void
configure(struct httpsrv *h)
{
	evhttp_set_bevcb(h->ev, on_new_conn, h);
	evhttp_set_max_headers_size(h->ev, h->lim.max_headers);
	evhttp_set_max_body_size(h->ev, h->lim.max_body);
	evhttp_set_timeout(h->ev, h->lim.timeout_s);
	evhttp_set_allowed_methods(
		h->ev, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
			       EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
			       EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
}

struct httpsrv *
httpsrv_start(struct event_base *base, const char *address, int port,
	      const struct httpsrv_limits *lim, char *err, size_t errsize)
{
	struct httpsrv *h = calloc(1, sizeof(*h));
	if (!h || !(h->ev = evhttp_new(base))) {
		snprintf(err, errsize, "out of memory");
		free(h);
		return NULL;
	}
	h->lim = *lim;
	if (!make_events(h, base))
		goto fail;
	configure(h);
	if (!(h->lev = listen_on(base, address, port, err, errsize)))
		goto fail;
	evconnlistener_set_error_cb(h->lev, on_accept_error);
	if (!evhttp_bind_listener(h->ev, h->lev)) {
		evconnlistener_free(h->lev);
		goto fail;
	}
	h->listening = true; /* evhttp_bind_listener set its callback */
	h->next = servers;
	servers = h;
	return h;
fail:
	if (!err[0])
		snprintf(err, errsize, "cannot set up the HTTP server");
	httpsrv_free(h);
	return NULL;
}

struct evhttp *
httpsrv_evhttp(struct httpsrv *h)
{
	return h->ev;
}

void
httpsrv_free(struct httpsrv *h)
{
	if (!h)
		return;
	for (struct httpsrv **p = &servers; *p; p = &(*p)->next) {
		if (*p == h) {
			*p = h->next;
			break;
		}
	}
	/* evhttp frees the listener, then its connections: their close
	 * callbacks release the slots but must leave the listener alone */
	h->closing = true;
	if (h->ev)
		evhttp_free(h->ev);
	/* ours are the last references of any slot left */
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		if (h->slots[i].bev)
			bufferevent_decref(h->slots[i].bev);
	struct event *evs[] = {h->sweep_ev, h->adopt_ev, h->evict_ev,
			       h->retry_ev, h->drain_ev};
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
	free(h);
}

/*
 * http — /healthz and /metrics on evhttp; see http.h.
 *
 * evhttp bounds headers and bodies and drops a connection idle for
 * HTTP_TIMEOUT_S, but its timeout restarts with every byte read, so a client
 * sending one byte a second (slowloris) would keep a connection forever, and
 * it accepts any number of connections.  So every connection's bufferevent
 * is made here (evhttp_set_bevcb) and held in a slot, with a reference of
 * our own: a connection older than HTTP_MAX_LIFE_S is shut down, at most
 * HTTP_MAX_CONNS are open (a new one evicts the oldest, so a flood of slow
 * clients cannot lock out a health check), and a slot whose bufferevent
 * evhttp has freed (its callbacks cleared) is released by the sweep, which
 * runs on every new connection and once a second.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include "daemon/http.h"

#define HTTP_MAX_HEADERS 8192
#define HTTP_MAX_BODY 1024
#define HTTP_TIMEOUT_S 5
#define HTTP_MAX_LIFE_S 10
#define HTTP_MAX_CONNS 128

struct http_slot {
	struct bufferevent *bev; /* our reference; NULL: free */
	double born;		 /* monotonic seconds */
};

struct http {
	struct evhttp *ev;
	struct http_source src;
	struct event *sweep_ev;
	struct http_slot slots[HTTP_MAX_CONNS];
};

static double
mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* True while evhttp still uses bev: it clears the callbacks when it frees
 * a connection (bufferevent_free), and sets at least one while it lives. */
static bool
slot_in_use(const struct http_slot *s)
{
	bufferevent_data_cb rd, wr;
	bufferevent_event_cb ev;
	bufferevent_getcb(s->bev, &rd, &wr, &ev, NULL);
	return rd || wr || ev;
}

/* Drops our reference; a connection evhttp still uses is shut down first,
 * so evhttp reads end-of-file, frees it and the socket is closed. */
static void
slot_release(struct http_slot *s, bool shut)
{
	if (shut) {
		evutil_socket_t fd = bufferevent_getfd(s->bev);
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
	}
	bufferevent_decref(s->bev);
	s->bev = NULL;
}

/* Releases the slots evhttp is done with and shuts down connections past
 * their lifetime; returns a free slot, else NULL. */
static struct http_slot *
sweep(struct http *h, double now)
{
	struct http_slot *free_slot = NULL;
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++) {
		struct http_slot *s = &h->slots[i];
		if (s->bev && !slot_in_use(s))
			slot_release(s, false);
		else if (s->bev && now - s->born >= HTTP_MAX_LIFE_S)
			slot_release(s, true);
		if (!s->bev && !free_slot)
			free_slot = s;
	}
	return free_slot;
}

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sweep(arg, mono_s());
}

/* evhttp's new connection: its bufferevent, tracked in a slot (the oldest
 * connection is shut down when every slot is taken). */
static struct bufferevent *
on_new_conn(struct event_base *base, void *arg)
{
	struct http *h = arg;
	double now = mono_s();
	struct bufferevent *bev =
		bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		return NULL;
	struct http_slot *s = sweep(h, now);
	if (!s) {
		s = &h->slots[0];
		for (size_t i = 1; i < HTTP_MAX_CONNS; i++)
			if (h->slots[i].born < s->born)
				s = &h->slots[i];
		slot_release(s, true);
	}
	bufferevent_incref(bev);
	s->bev = bev;
	s->born = now;
	return bev;
}

static void
reply(struct evhttp_request *req, int code, const char *reason,
      const char *type, const char *body, size_t len)
{
	struct evbuffer *buf = evbuffer_new();
	if (!buf) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	evbuffer_add(buf, body, len);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, buf);
	evbuffer_free(buf);
}

static bool
allowed(struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD)
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  "GET, HEAD");
	evhttp_send_error(req, 405, "Method Not Allowed");
	return false;
}

static void
on_health(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	char why[256] = "";
	if (!allowed(req))
		return;
	if (h->src.health(h->src.arg, why, sizeof(why))) {
		reply(req, 200, "OK", "text/plain; charset=utf-8", "ok\n", 3);
		return;
	}
	char body[300];
	int n = snprintf(body, sizeof(body), "unhealthy: %s\n", why);
	reply(req, 503, "Service Unavailable", "text/plain; charset=utf-8",
	      body, (size_t)n < sizeof(body) ? (size_t)n : sizeof(body) - 1);
}

static void
on_metrics(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	struct strbuf out = STRBUF_INIT;
	if (!allowed(req))
		return;
	h->src.metrics(h->src.arg, &out);
	if (out.failed)
		evhttp_send_error(req, 500, "out of memory");
	else
		reply(req, 200, "OK",
		      "text/plain; version=0.0.4; charset=utf-8",
		      strbuf_str(&out), out.len);
	strbuf_free(&out);
}

static void
on_other(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, 404, "Not Found");
}

struct http *
http_start(struct event_base *base, const char *address, int port,
	   const struct http_source *src, char *err, size_t errsize)
{
	struct http *h = calloc(1, sizeof(*h));
	if (!h || !(h->ev = evhttp_new(base))) {
		snprintf(err, errsize, "out of memory");
		free(h);
		return NULL;
	}
	h->src = *src;
	struct timeval second = {1, 0};
	h->sweep_ev = event_new(base, -1, EV_PERSIST, on_sweep, h);
	if (!h->sweep_ev || event_add(h->sweep_ev, &second) != 0)
		goto fail;
	evhttp_set_bevcb(h->ev, on_new_conn, h);
	evhttp_set_max_headers_size(h->ev, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->ev, HTTP_MAX_BODY);
	evhttp_set_timeout(h->ev, HTTP_TIMEOUT_S);
	evhttp_set_allowed_methods(
		h->ev, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
			       EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
			       EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	if (evhttp_set_cb(h->ev, "/healthz", on_health, h) != 0 ||
	    evhttp_set_cb(h->ev, "/metrics", on_metrics, h) != 0)
		goto fail;
	evhttp_set_gencb(h->ev, on_other, h);
	if (!evhttp_bind_socket_with_handle(h->ev, address,
					    (ev_uint16_t)port)) {
		snprintf(err, errsize, "cannot listen on %s:%d", address, port);
		goto fail;
	}
	return h;
fail:
	if (!err[0])
		snprintf(err, errsize, "cannot set up the HTTP server");
	http_free(h);
	return NULL;
}

void
http_free(struct http *h)
{
	if (!h)
		return;
	if (h->ev)
		evhttp_free(h->ev);
	/* evhttp has freed its connections: ours are the last references */
	for (size_t i = 0; i < HTTP_MAX_CONNS; i++)
		if (h->slots[i].bev)
			slot_release(&h->slots[i], false);
	if (h->sweep_ev)
		event_free(h->sweep_ev);
	free(h);
}

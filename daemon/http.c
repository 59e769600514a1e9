/*
 * http — /healthz and /metrics on evhttp; see http.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "daemon/http.h"

#define HTTP_MAX_HEADERS 8192
#define HTTP_MAX_BODY 1024
#define HTTP_TIMEOUT_S 5

struct http {
	struct evhttp *ev;
	struct http_source src;
};

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
	free(h);
}

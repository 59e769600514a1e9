/*
 * http — /healthz and /metrics on an httpsrv; see http.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "daemon/http.h"
#include "daemon/httpsrv.h"

/* A scrape or a health check: small requests, answered at once. */
static const struct httpsrv_limits limits = {.max_headers = 8192,
					     .max_body = 1024,
					     .timeout_s = 5,
					     .max_life_s = 10};

struct http {
	struct httpsrv *srv;
	struct http_source src;
};

#define reply httpsrv_reply
#define TEXT "text/plain; charset=utf-8"

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
	   const char *body)
{
	reply(req, code, reason, TEXT, body, strlen(body));
}

static bool
allowed(struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD)
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  "GET, HEAD");
	reply_text(req, 405, "Method Not Allowed", "method not allowed\n");
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
		reply_text(req, 200, "OK", "ok\n");
		return;
	}
	char body[300];
	int n = snprintf(body, sizeof(body), "unhealthy: %s\n", why);
	reply(req, 503, "Service Unavailable", TEXT, body,
	      (size_t)n < sizeof(body) ? (size_t)n : sizeof(body) - 1);
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
	reply_text(req, 404, "Not Found", "not found\n");
}

struct http *
http_start(struct event_base *base, const char *address, int port,
	   const struct http_source *src, char *err, size_t errsize)
{
	struct http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	h->src = *src;
	if (!(h->srv = httpsrv_start(base, address, port, &limits, err,
				     errsize)))
		goto fail;
	struct evhttp *ev = httpsrv_evhttp(h->srv);
	evhttp_set_gencb(ev, on_other, h);
	if (evhttp_set_cb(ev, "/healthz", on_health, h) != 0 ||
	    evhttp_set_cb(ev, "/metrics", on_metrics, h) != 0) {
		snprintf(err, errsize, "cannot set up the HTTP server");
		goto fail;
	}
	return h;
fail:
	http_free(h);
	return NULL;
}

void
http_free(struct http *h)
{
	if (!h)
		return;
	httpsrv_free(h->srv);
	free(h);
}

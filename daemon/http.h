/*
 * http — the daemon's health and metrics endpoint (libevent evhttp) on the
 * daemon's own event loop, so it answers while a batch waits on the
 * database.  Two paths: GET /healthz (200 "ok", or 503 with the reason) and
 * GET /metrics (Prometheus text format), and HEAD of either (the same
 * headers, no body).  Anything else is 404, other methods 405; headers and
 * bodies are bounded, slow clients time out, at most 128 connections are
 * open (more wait in the listen backlog) and a failing accept (out of
 * descriptors) is retried after a backoff, never in a busy loop.
 */
#ifndef DAEMON_HTTP_H
#define DAEMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "scrubber/strbuf.h"

struct http_source {
	/* true when healthy; else writes the reason into why */
	bool (*health)(void *arg, char *why, size_t size);
	/* appends the metrics exposition */
	void (*metrics)(void *arg, struct strbuf *out);
	void *arg;
};

struct http;

/* Listens on address:port; NULL with a message in err on failure. */
struct http *http_start(struct event_base *base, const char *address, int port,
			const struct http_source *src, char *err,
			size_t errsize);

void http_free(struct http *h);

#endif

/*
 * httpsrv — an evhttp server that bounds what a client can hold: header
 * and body sizes, an idle timeout, a connection's whole life (however it
 * trickles), the number of connections open (more wait in the kernel's
 * backlog, the oldest is evicted under pressure) and accept failures
 * (retried after a backoff, never in a busy loop).  The caller adds its
 * routes to httpsrv_evhttp(); the daemon's /healthz and /metrics (http.c)
 * and claimscrub-web's pages use it.
 */
#ifndef DAEMON_HTTPSRV_H
#define DAEMON_HTTPSRV_H

#include <stddef.h>

#include <event2/event.h>
#include <event2/http.h>

struct httpsrv_limits {
	size_t max_headers; /* bytes of the request line and headers */
	size_t max_body;    /* bytes of a request body */
	int timeout_s;	    /* idle: no byte read or written */
	int max_life_s;	    /* a connection is closed this old */
	/* NULL, or told when evhttp frees a connection: a request of it that
	 * is still attached (evhttp_request_get_connection) is freed too,
	 * and must not be answered */
	void (*closing)(struct evhttp_connection *evcon, void *arg);
	void *closing_arg;
};

struct httpsrv;

/* Listens on address:port (address "unix:/path": a Unix socket there, made
 * 0660); NULL with a message in err on failure. */
struct httpsrv *httpsrv_start(struct event_base *base, const char *address,
			      int port, const struct httpsrv_limits *lim,
			      char *err, size_t errsize);

/* The evhttp to add routes to (evhttp_set_cb, evhttp_set_gencb). */
struct evhttp *httpsrv_evhttp(struct httpsrv *h);

/* Sends an answer; to HEAD, GET's headers (Content-Length too) without the
 * body, which evhttp would send, unannounced. */
void httpsrv_reply(struct evhttp_request *req, int code, const char *reason,
		   const char *type, const char *body, size_t len);

void httpsrv_free(struct httpsrv *h);

#endif

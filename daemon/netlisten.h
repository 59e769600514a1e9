/*
 * netlisten — a listening TCP socket for libevent, resolved as
 * evhttp_bind_socket resolves an address (any family, passive, the first
 * address that binds): shared by the HTTP endpoints (httpsrv.c) and the
 * MLLP listener (mllp.c).
 */
#ifndef DAEMON_NETLISTEN_H
#define DAEMON_NETLISTEN_H

#include <stddef.h>

#include <event2/listener.h>

/* Listens on address:port with backlog, accepting into cb (arg; NULL cb:
 * the caller sets one later, as evhttp does); NULL with a message in err
 * on failure. */
struct evconnlistener *netlisten_tcp(struct event_base *base,
				     evconnlistener_cb cb, void *arg,
				     const char *address, int port, int backlog,
				     char *err, size_t errsize);

#endif

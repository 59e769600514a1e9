#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <event2/util.h>

#include "daemon/netlisten.h"

struct evconnlistener *
netlisten_tcp(struct event_base *base, evconnlistener_cb cb, void *arg,
	      const char *address, int port, int backlog, char *err,
	      size_t errsize)
{
	struct evutil_addrinfo hints = {.ai_family = AF_UNSPEC,
					.ai_socktype = SOCK_STREAM,
					.ai_flags = EVUTIL_AI_PASSIVE |
						    EVUTIL_AI_ADDRCONFIG};
	struct evutil_addrinfo *ai = NULL;
	struct evconnlistener *lev = NULL;
	char service[16];
	snprintf(service, sizeof(service), "%d", port);
	int rc = evutil_getaddrinfo(address, service, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errsize, "cannot listen on %s:%d: %s", address,
			 port, evutil_gai_strerror(rc));
		return NULL;
	}
	for (struct evutil_addrinfo *a = ai; a && !lev; a = a->ai_next)
		lev = evconnlistener_new_bind(
			base, cb, arg,
			LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE |
				LEV_OPT_CLOSE_ON_FREE,
			backlog, a->ai_addr, (int)a->ai_addrlen);
	if (!lev)
		snprintf(err, errsize, "cannot listen on %s:%d: %s", address,
			 port, strerror(errno));
	evutil_freeaddrinfo(ai);
	return lev;
}

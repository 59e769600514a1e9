/*
 * wconf — claimscrub-web.yaml: where the workbench listens, how people sign
 * in, which database login it uses and its bounds.  One table row per key
 * (wconf.c), read through the engine's key tables with file:line:column
 * errors, as claimscrubd.yaml is.
 */
#ifndef WEB_WCONF_H
#define WEB_WCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "scrubber/diag.h"
#include "scrubber/scrub.h"

enum wconf_auth { WCONF_AUTH_DATABASE, WCONF_AUTH_PROXY };

struct wconf {
	struct arena *arena;
	const char *path;     /* NULL: defaults only */
	const char *database; /* the workbench's own login; NULL: PG* */
	const char *listen;   /* an address, or unix:/path */
	long port;
	int auth;		   /* enum wconf_auth */
	const char *user_header;   /* auth proxy: the person's role name */
	const char *proxy_sources; /* auth proxy: addresses trusted, "unix" */
	long session_idle_minutes;
	long session_max_hours;
	long max_sessions;
	long db_connections;
	long client_timeout_seconds;	/* a connection with nothing sent */
	long dashboard_max_age_seconds; /* a kept report, then refreshed */
	long dashboard_warm_seconds;	/* the unfiltered one made ahead */
	long login_max_failures;	/* failed sign-ins of a role in a row */
	long login_lockout_seconds;	/* ... then it waits this long */
	long connection_max_seconds;	/* a connection's whole life */
	bool cookie_secure;
	int log_level;
	int log_format; /* enum dlog_format */
};

/* Reads path (NULL or, with optional, a missing file: the defaults). */
enum scrub_err wconf_load(const char *path, bool optional, struct wconf **out,
			  struct diag_list *dl);
void wconf_free(struct wconf *c);

/* The name of key i (0, 1, ...), NULL past the last: what the manual page
 * and the example file are held to (claimscrub-web --list-keys). */
const char *wconf_key_name(size_t i);

/* Whether addr (a numeric address, or "unix" for a Unix socket peer) is
 * one of proxy_sources. */
bool wconf_trusted(const struct wconf *c, const char *addr);

#endif

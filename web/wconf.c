/*
 * wconf — see wconf.h.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/dlog.h"
#include "scrubber/arena.h"
#include "scrubber/keytab.h"
#include "scrubber/ynode.h"
#include "web/wconf.h"

#define WCONF_MAX_BYTES (64 * 1024)

static const char *const auth_names[] = {"database", "proxy", NULL};

#define W_LONG(name, lo, hi, d) \
	{ \
		.key = #name, .type = KT_INT, .wide = true, .min = lo, \
		.max = hi, .def = d, .offset = offsetof(struct wconf, name) \
	}
#define W_TEXT(name, n, d) \
	{ \
		.key = #name, .type = KT_TEXT, .max = n, .dflt = d, \
		.offset = offsetof(struct wconf, name) \
	}

/* Every key, its bounds and default, in one row (claimscrub-web.yaml(5)). */
static const struct keytab_key wkeys[] = {
	W_TEXT(database, 4096, NULL),
	W_TEXT(listen, 255, "127.0.0.1"),
	W_LONG(port, 0, 65535, 8470),
	{.key = "auth",
	 .type = KT_ENUM,
	 .names = auth_names,
	 .def = WCONF_AUTH_DATABASE,
	 .offset = offsetof(struct wconf, auth)},
	W_TEXT(user_header, 64, "X-Remote-User"),
	W_TEXT(proxy_sources, 1024, NULL),
	W_LONG(session_idle_minutes, 1, 1440, 30),
	W_LONG(session_max_hours, 1, 168, 12),
	W_LONG(max_sessions, 1, 100000, 2000),
	W_LONG(db_connections, 1, 64, 4),
	W_LONG(client_timeout_seconds, 1, 3600, 30),
	W_LONG(connection_max_seconds, 1, 86400, 120),
	W_LONG(dashboard_max_age_seconds, 0, 86400, 60),
	W_LONG(dashboard_warm_seconds, 0, 86400, 300),
	W_LONG(login_max_failures, 1, 1000, 5),
	W_LONG(login_lockout_seconds, 1, 86400, 300),
	{.key = "cookie_secure",
	 .type = KT_BOOL,
	 .offset = offsetof(struct wconf, cookie_secure)},
	{.key = "log_level",
	 .type = KT_ENUM,
	 .offset = offsetof(struct wconf, log_level),
	 .names = dlog_level_names,
	 .def = DLOG_INFO},
	{.key = "log_format",
	 .type = KT_ENUM,
	 .offset = offsetof(struct wconf, log_format),
	 .names = dlog_format_names,
	 .def = DLOG_LOGFMT},
	{.key = NULL},
};

/* What the keys alone cannot say: the proxy mode's trusted sources. */
static enum scrub_err
check(struct wconf *c, const struct ynode *map, struct diag_list *dl)
{
	struct yctx y = {c->arena, dl};
	if (c->auth == WCONF_AUTH_PROXY && !c->proxy_sources)
		return ynode_error(&y, map,
				   "auth: proxy needs proxy_sources (the "
				   "addresses of the proxy, or unix)");
	return SCRUB_OK;
}

enum scrub_err
wconf_load(const char *path, bool optional, struct wconf **out,
	   struct diag_list *dl)
{
	struct wconf *c = calloc(1, sizeof(*c));
	const struct ynode *map;
	struct stat st;

	*out = NULL;
	if (!c || !(c->arena = arena_new())) {
		free(c);
		return SCRUB_ENOMEM;
	}
	keytab_defaults(wkeys, c);
	enum scrub_err err = SCRUB_OK;
	if (path && !(optional && stat(path, &st) != 0 && errno == ENOENT)) {
		c->path = arena_strdup(c->arena, path);
		err = keytab_read_file(c->arena, path, WCONF_MAX_BYTES, wkeys,
				       c, &map, dl);
		if (err == SCRUB_OK && map)
			err = check(c, map, dl);
	}
	if (err != SCRUB_OK) {
		wconf_free(c);
		return err;
	}
	*out = c;
	return SCRUB_OK;
}

void
wconf_free(struct wconf *c)
{
	if (!c)
		return;
	arena_free(c->arena);
	free(c);
}

const char *
wconf_key_name(size_t i)
{
	return i < sizeof(wkeys) / sizeof(*wkeys) - 1 ? wkeys[i].key : NULL;
}

bool
wconf_trusted(const struct wconf *c, const char *addr)
{
	size_t n = strlen(addr);
	for (const char *p = c->proxy_sources; p && *p;) {
		p += strspn(p, " ,");
		size_t w = strcspn(p, " ,");
		if (w == n && w && memcmp(p, addr, n) == 0)
			return true;
		p += w;
	}
	return false;
}

/*
 * dconf — claimscrubd's configuration file (YAML), read strictly through a
 * key table: unknown keys, wrong types and out-of-range values are errors
 * with file:line:column.  A loaded configuration is immutable; reload builds
 * a new one and swaps it only when it is valid.
 */
#ifndef DAEMON_DCONF_H
#define DAEMON_DCONF_H

#include "scrubber/scrubber.h"

#define DCONF_MAX_RULE_DIRS 16

struct dconf {
	struct arena *arena;
	const char *path;     /* file read, or NULL for defaults */
	const char *database; /* libpq conninfo; NULL: PG* environment */
	/* LISTEN's own connection, past a transaction pooler; NULL: database */
	const char *listen_database;
	const char *rules[DCONF_MAX_RULE_DIRS];
	int nrules; /* 0: default discovery */
	long batch_size;
	long poll_interval_ms;
	long max_attempts;
	long reconnect_max_ms;
	long claim_lease_ms;
	long stall_seconds;	  /* /healthz says "stalled" after this */
	const char *http_address; /* default 127.0.0.1 */
	long http_port;		  /* 0: no HTTP endpoint */
	const char *mllp_address; /* default 127.0.0.1 */
	long mllp_port;		  /* 0: no MLLP listener (the default) */
	long mllp_max_connections, mllp_frame_seconds, mllp_idle_seconds;
	int log_level;		  /* enum dlog_level */
	int log_format;		  /* enum dlog_format */
	long log_summary_seconds; /* an info summary this often; 0: none */
};

/*
 * Reads path (NULL: defaults only).  With `optional`, a missing file means
 * defaults.  `database` must be a connection string libpq can parse, and a
 * file whose `database` holds a password must give group and others no
 * access (mode 0600 or 0400).  *out is freed with dconf_free.  Errors go to
 * dl, never quoting `database`; returns SCRUB_EINPUT, SCRUB_EIO or
 * SCRUB_ENOMEM on failure.
 */
enum scrub_err dconf_load(const char *path, bool optional, struct dconf **out,
			  struct diag_list *dl);

void dconf_free(struct dconf *c);

/*
 * The keys of the file, from dconf.c's one key table, for the reload log
 * and tests/lists.sh: the name of key i (NULL when i is past the last),
 * whether two configurations differ in it, and when a change of it made
 * by SIGHUP takes effect: "reconnect", "restart", or NULL for at once.
 */
const char *dconf_key_name(size_t i);
bool dconf_key_changed(size_t i, const struct dconf *a, const struct dconf *b);
const char *dconf_key_later(size_t i);

/*
 * The secrets of conninfo (the configured `database`; may be NULL), worked
 * out once so that redacting a message does not parse it again: the whole
 * string, its password= and sslpassword= values, and a dbname= that is
 * itself a connection string (also as the server cuts it, to 63 bytes).
 * NULL when out of memory (or libpq cannot parse conninfo, which dconf_load
 * refuses).  Freed with dconf_secrets_free (NULL: no-op).
 */
struct dconf_secrets;
struct dconf_secrets *dconf_secrets_new(const char *conninfo);
void dconf_secrets_free(struct dconf_secrets *s);

/*
 * Copies msg (a libpq or server message) into buf, cut to size, with every
 * secret of `secrets` (may be NULL) replaced by "***"; and, from any source,
 * the value of password= or sslpassword= and a URI's user:password@.
 * libpq quotes what it could not use, so every libpq message goes through
 * this before it reaches the log, /healthz or STATUS=.  Returns buf.
 */
const char *dconf_redact(const char *msg, const struct dconf_secrets *secrets,
			 char *buf, size_t size);

#endif

/*
 * dconf — configuration through a key table (scrubber/keytab.h); see
 * dconf.h.
 *
 * `database` is parsed by libpq when the file is loaded, so a string libpq
 * cannot read is refused with a fixed message instead of failing at every
 * connection with libpq's error, which quotes it, password and all.  A file
 * whose `database` holds a secret must be private (no group or other
 * access, as libpq demands of a password file); it is refused naming the
 * file and its mode, never the conninfo.  The same list of what counts as
 * a secret drives dconf_redact, through which every libpq message passes.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>

#include "daemon/dconf.h"
#include "daemon/dlog.h"
#include "scrubber/keytab.h"
#include "scrubber/ynode.h"

#define DCONF_MAX_BYTES ((size_t)1 << 20)
/* The server cuts database and user names to NAMEDATALEN - 1 bytes before
 * quoting them back ("database \"...\" does not exist"). */
#define PG_NAME_MAX 63
#define REDACTED "***"

/* ---- the key table --------------------------------------------------- */

/* When a change made by SIGHUP takes effect (a row's reload), named as
 * the reload log names it (`later=database@reconnect`); DK_NOW: at once. */
enum dkey_reload { DK_NOW, DK_RECONNECT, DK_RESTART };
static const char *const dkey_reload_names[] = {NULL, "reconnect", "restart"};

/* Custom: a list, which no type of the key table holds. */
static enum scrub_err
set_rules(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	  void *obj)
{
	struct dconf *conf = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, k->key);
	if (err != SCRUB_OK)
		return err;
	if (v->n > DCONF_MAX_RULE_DIRS)
		return ynode_error(c, v, "'rules' names at most %d directories",
				   DCONF_MAX_RULE_DIRS);
	for (size_t i = 0; i < v->n && err == SCRUB_OK; i++)
		err = ynode_str(c, v->items[i], k->key, 4096, &conf->rules[i]);
	if (err == SCRUB_OK)
		conf->nrules = (int)v->n;
	return err;
}

static bool
str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static bool
rules_differ(const struct keytab_key *k, const void *pa, const void *pb)
{
	(void)k;
	const struct dconf *a = pa, *b = pb;
	if (a->nrules != b->nrules)
		return true;
	for (int i = 0; i < a->nrules; i++)
		if (str_differ(a->rules[i], b->rules[i]))
			return true;
	return false;
}

#define DK_LONG_(field, lo, hi, dflt, when) \
	{ \
		.key = #field, .type = KT_INT, .wide = true, \
		.offset = offsetof(struct dconf, field), .min = lo, .max = hi, \
		.def = dflt, .reload = when \
	}

/* Each key's reading (dconf_parse), default (dconf_load) and, for the
 * reload log, comparison and when a change takes effect, in one row.
 * `database` is read as a string here; that libpq can parse it, and that
 * a password in it is kept private, are checked of the whole file after
 * (check_database, dconf_check_secret), as their errors point at the key
 * or the file, never at the value.  `rules` is first because the reload
 * log has always named a change of the rules first. */
static const struct keytab_key dkeys[] = {
	{.key = "rules",
	 .type = KT_CUSTOM,
	 .set = set_rules,
	 .differs = rules_differ},
	{.key = "database",
	 .type = KT_TEXT,
	 .offset = offsetof(struct dconf, database),
	 .max = 4096,
	 .reload = DK_RECONNECT},
	{.key = "listen_database",
	 .type = KT_TEXT,
	 .offset = offsetof(struct dconf, listen_database),
	 .max = 4096,
	 .reload = DK_RESTART},
	DK_LONG_(batch_size, 1, 10000, 500, DK_NOW),
	DK_LONG_(poll_interval_ms, 10, 3600000, 5000, DK_NOW),
	DK_LONG_(max_attempts, 1, 1000, 5, DK_NOW),
	DK_LONG_(reconnect_max_ms, 10, 3600000, 30000, DK_NOW),
	DK_LONG_(claim_lease_ms, 100, 3600000, 10000, DK_NOW),
	DK_LONG_(stall_seconds, 1, 86400, 60, DK_NOW),
	{.key = "http_address",
	 .type = KT_TEXT,
	 .offset = offsetof(struct dconf, http_address),
	 .max = 255,
	 .dflt = "127.0.0.1",
	 .reload = DK_RESTART},
	DK_LONG_(http_port, 0, 65535, 9471, DK_RESTART),
	{.key = "mllp_address",
	 .type = KT_TEXT,
	 .offset = offsetof(struct dconf, mllp_address),
	 .max = 255,
	 .dflt = "127.0.0.1",
	 .reload = DK_RESTART},
	DK_LONG_(mllp_port, 0, 65535, 0, DK_RESTART),
	DK_LONG_(mllp_max_connections, 1, 10000, 64, DK_RESTART),
	DK_LONG_(mllp_frame_seconds, 1, 3600, 60, DK_RESTART),
	DK_LONG_(mllp_idle_seconds, 1, 86400, 300, DK_RESTART),
	{.key = "log_level",
	 .type = KT_ENUM,
	 .offset = offsetof(struct dconf, log_level),
	 .names = dlog_level_names,
	 .def = DLOG_INFO},
	{.key = "log_format",
	 .type = KT_ENUM,
	 .offset = offsetof(struct dconf, log_format),
	 .names = dlog_format_names,
	 .def = DLOG_LOGFMT},
	DK_LONG_(log_summary_seconds, 0, 86400, 60, DK_RESTART),
	{.key = NULL},
};

#define NKEYS (sizeof(dkeys) / sizeof(dkeys[0]) - 1)

const char *
dconf_key_name(size_t i)
{
	return i < NKEYS ? dkeys[i].key : NULL;
}

bool
dconf_key_changed(size_t i, const struct dconf *a, const struct dconf *b)
{
	return keytab_differs(&dkeys[i], a, b);
}

const char *
dconf_key_later(size_t i)
{
	return dkey_reload_names[dkeys[i].reload];
}

/* True when libpq reads s as a connection string (a URI or key=value)
 * rather than as a database name. */
static bool
is_conninfo(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 ||
	       strncmp(s, "postgres://", 11) == 0 || strchr(s, '=') != NULL;
}

static bool
is_secret_keyword(const char *keyword)
{
	return strcmp(keyword, "password") == 0 ||
	       strcmp(keyword, "sslpassword") == 0;
}

/* A dbname that is itself a connection string: libpq does not expand it a
 * second time, so it reaches the server as a name, whole, and the server
 * quotes it back in its errors. */
static bool
is_nested_conninfo(const PQconninfoOption *o)
{
	return strcmp(o->keyword, "dbname") == 0 && is_conninfo(o->val);
}

/* True when the conninfo sets a non-empty password or sslpassword (a URI's
 * user:password@ and ?password= land in password), also inside a dbname
 * that is itself a connection string.  A string libpq cannot parse is
 * judged by its text, erring on the side of "holds a password". */
static bool
conninfo_has_password(const char *conninfo)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
	if (!opts) {
		PQfreemem(errmsg); /* it may quote the conninfo: never shown */
		return strstr(conninfo, "password") != NULL ||
		       (strstr(conninfo, "://") && strchr(conninfo, '@'));
	}
	bool has = false;
	for (const PQconninfoOption *o = opts; o->keyword && !has; o++) {
		if (!o->val || !*o->val)
			continue;
		/* a nested string is shorter than its parent: this ends */
		has = is_secret_keyword(o->keyword) ||
		      (is_nested_conninfo(o) && conninfo_has_password(o->val));
	}
	PQconninfoFree(opts);
	return has;
}

/* The key node `name` of mapping map (for an error that points at the key,
 * not at the value it must not show), or map itself. */
static const struct ynode *
map_key(const struct ynode *map, const char *name)
{
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->str, name) == 0)
			return map->keys[i];
	return map;
}

/* The keys that are connection strings, and their values in c. */
static const char *
conninfo_key(const struct dconf *c, int i, const char **value)
{
	static const char *const keys[] = {"database", "listen_database"};
	if (i >= 2)
		return NULL;
	*value = i == 0 ? c->database : c->listen_database;
	return keys[i];
}

/* Refuses a `database` (or `listen_database`) libpq cannot parse.
 * libpq's own message quotes the string, so the message here is fixed. */
static enum scrub_err
check_database(struct yctx *y, const struct ynode *map, const struct dconf *c)
{
	const char *key, *value;
	for (int i = 0; (key = conninfo_key(c, i, &value)) != NULL; i++) {
		char *errmsg = NULL;
		if (!value || !is_conninfo(value))
			continue;
		PQconninfoOption *opts = PQconninfoParse(value, &errmsg);
		if (opts) {
			PQconninfoFree(opts);
			continue;
		}
		if (!errmsg)
			return SCRUB_ENOMEM; /* libpq's way of saying so */
		PQfreemem(errmsg);
		return ynode_error(y, map_key(map, key),
				   "%s: not a valid connection string "
				   "(key=value ... or a postgresql:// URI)",
				   key);
	}
	return SCRUB_OK;
}

/* Refuses a file that holds a password unless only its owner has access:
 * libpq's rule for password files (0600 or 0400), so that a group-readable
 * file does not pass where libpq's own would not. */
static enum scrub_err
dconf_check_secret(const struct dconf *c, struct diag_list *dl)
{
	struct stat st;
	const char *key, *value, *holder = NULL;
	for (int i = 0; !holder && (key = conninfo_key(c, i, &value)); i++)
		if (value && conninfo_has_password(value))
			holder = key;
	if (!holder)
		return SCRUB_OK;
	if (stat(c->path, &st) != 0) {
		diag_add(dl, c->path, 0, 0, "cannot stat: %s", strerror(errno));
		return SCRUB_EIO;
	}
	if (!(st.st_mode & (S_IRWXG | S_IRWXO)))
		return SCRUB_OK;
	diag_add(dl, c->path, 0, 0,
		 "the configuration holds a password in '%s' but its "
		 "mode is %04o (group or others have access); chmod 600 %s",
		 holder, (unsigned)(st.st_mode & 07777), c->path);
	return SCRUB_EINPUT;
}

enum scrub_err
dconf_load(const char *path, bool optional, struct dconf **out,
	   struct diag_list *dl)
{
	struct dconf *c = calloc(1, sizeof(*c));
	const struct ynode *map;
	struct stat st;

	*out = NULL;
	if (!c || !(c->arena = arena_new())) {
		free(c);
		return SCRUB_ENOMEM;
	}
	keytab_defaults(dkeys, c); /* rules: the zeroes of calloc, not set */
	enum scrub_err err = SCRUB_OK;
	if (path && !(optional && stat(path, &st) != 0 && errno == ENOENT)) {
		c->path = arena_strdup(c->arena, path);
		err = keytab_read_file(c->arena, path, DCONF_MAX_BYTES, dkeys,
				       c, &map, dl);
		if (err == SCRUB_OK && map) {
			struct yctx y = {c->arena, dl};
			err = check_database(&y, map, c);
		}
		if (err == SCRUB_OK)
			err = dconf_check_secret(c, dl);
	}
	if (err != SCRUB_OK) {
		dconf_free(c);
		return err;
	}
	*out = c;
	return SCRUB_OK;
}

void
dconf_free(struct dconf *c)
{
	if (!c)
		return;
	arena_free(c->arena);
	free(c);
}

/* ---- keeping secrets out of messages ------------------------------------ */

/* Replaces w[at, at + len) by REDACTED, cutting what no longer fits in cap
 * bytes; returns the index just past the replacement. */
static size_t
splice(char *w, size_t cap, size_t at, size_t len)
{
	size_t rl = strlen(REDACTED), tail = strlen(w + at + len);
	if (at + rl >= cap) {
		rl = cap - 1 - at;
		tail = 0;
	} else if (at + rl + tail >= cap) {
		tail = cap - 1 - at - rl;
	}
	memmove(w + at + rl, w + at + len, tail);
	memcpy(w + at, REDACTED, rl);
	w[at + rl + tail] = '\0';
	return at + rl;
}

/* Every occurrence of secret in w becomes REDACTED. */
static void
redact_text(char *w, size_t cap, const char *secret)
{
	size_t at = 0, len = strlen(secret);
	char *p;
	if (len == 0)
		return;
	while ((p = strstr(w + at, secret)) != NULL)
		at = splice(w, cap, (size_t)(p - w), len);
}

/* The secrets of one conninfo, each to be replaced wherever it appears. */
struct dconf_secrets {
	size_t n;
	char *s[];
};

/* Appends the first len bytes of v to s (room made by dconf_secrets_new). */
static bool
secrets_add(struct dconf_secrets *s, const char *v, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return false;
	memcpy(copy, v, len);
	copy[len] = '\0';
	s->s[s->n++] = copy;
	return true;
}

/* The values libpq parses out of opts that are secrets: password=,
 * sslpassword= (a URI's user:password@ lands there), and a dbname that is
 * itself a connection string, whole and as the server cuts it. */
static bool
secrets_add_parsed(struct dconf_secrets *s, const PQconninfoOption *opts)
{
	for (const PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val ||
		    !(is_secret_keyword(o->keyword) || is_nested_conninfo(o)))
			continue;
		size_t len = strlen(o->val);
		if (!secrets_add(s, o->val, len) ||
		    (len > PG_NAME_MAX && !secrets_add(s, o->val, PG_NAME_MAX)))
			return false;
	}
	return true;
}

struct dconf_secrets *
dconf_secrets_new(const char *conninfo)
{
	PQconninfoOption *opts = NULL;
	size_t max = 0;
	if (conninfo && is_conninfo(conninfo)) {
		/* dconf_load refused a string libpq cannot parse: out of memory */
		opts = PQconninfoParse(conninfo, NULL);
		if (!opts)
			return NULL;
		size_t nopts = 0;
		while (opts[nopts].keyword)
			nopts++;
		/* the whole string; a value, and perhaps its first bytes, each */
		max = 1 + 2 * nopts;
	}
	struct dconf_secrets *s = calloc(1, sizeof(*s) + max * sizeof(char *));
	bool ok = s && (!opts || (secrets_add(s, conninfo, strlen(conninfo)) &&
				  secrets_add_parsed(s, opts)));
	PQconninfoFree(opts);
	if (!ok) {
		dconf_secrets_free(s);
		return NULL;
	}
	return s;
}

void
dconf_secrets_free(struct dconf_secrets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->s[i]);
	free(s);
}

/* Length of the value at v as libpq reads key=value text: quoted with
 * backslash escapes, or up to white space. */
static size_t
value_len(const char *v)
{
	size_t i = 1;
	if (*v != '\'')
		return strcspn(v, " \t\r\n");
	for (; v[i] && v[i] != '\''; i++)
		if (v[i] == '\\' && v[i + 1])
			i++;
	return v[i] ? i + 1 : i;
}

/* In any text: the value of password= and sslpassword= (which ends in
 * "password"), as key=value or a URI's query parameter. */
static void
redact_keywords(char *w, size_t cap)
{
	size_t at = 0;
	char *p;
	while ((p = strstr(w + at, "password")) != NULL) {
		char *v = p + strlen("password");
		v += strspn(v, " \t");
		at = (size_t)(v - w);
		if (*v != '=')
			continue;
		v++;
		v += strspn(v, " \t");
		at = (size_t)(v - w);
		size_t len = value_len(v);
		if (len)
			at = splice(w, cap, at, len);
	}
}

/* In any text: a URI's user:password@.  The user information runs from
 * "://" to an '@' before the first '/'; the last such '@', not libpq's
 * first, so that an un-encoded '@' in a password does not leave its end
 * behind. */
static void
redact_userinfo(char *w, size_t cap)
{
	size_t at = 0;
	char *p;
	while ((p = strstr(w + at, "://")) != NULL) {
		at = (size_t)(p - w) + 3;
		size_t len = strcspn(w + at, "/");
		while (len > 0 && w[at + len - 1] != '@')
			len--;
		if (len > 0 && memchr(w + at, ':', len - 1))
			at = splice(w, cap, at, len - 1);
	}
}

const char *
dconf_redact(const char *msg, const struct dconf_secrets *secrets, char *buf,
	     size_t size)
{
	/* a replacement can be longer than what it replaces: room for that */
	size_t cap = 3 * strlen(msg) + sizeof(REDACTED);
	char *w = malloc(cap);
	if (!w) {
		snprintf(buf, size, "(message withheld: out of memory)");
		return buf;
	}
	snprintf(w, cap, "%s", msg);
	for (size_t i = 0; secrets && i < secrets->n; i++)
		redact_text(w, cap, secrets->s[i]);
	redact_keywords(w, cap);
	redact_userinfo(w, cap);
	snprintf(buf, size, "%s", w);
	free(w);
	return buf;
}

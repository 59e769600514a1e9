/*
 * dconf — configuration through a key table; see dconf.h.
 *
 * A file whose `database` conninfo holds a password must not be readable by
 * others: such a file is refused, naming the file and never the conninfo.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>

#include "daemon/dconf.h"
#include "daemon/dlog.h"
#include "scrubber/ynode.h"

#define DCONF_MAX_BYTES ((size_t)1 << 20)

static enum scrub_err
set_database(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_str(c, v, "database", 4096,
			 &((struct dconf *)obj)->database);
}

static enum scrub_err
set_rules(struct yctx *c, const struct ynode *v, void *obj)
{
	struct dconf *conf = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, "rules");
	if (err != SCRUB_OK)
		return err;
	if (v->n > DCONF_MAX_RULE_DIRS)
		return ynode_error(c, v, "'rules' names at most %d directories",
				   DCONF_MAX_RULE_DIRS);
	for (size_t i = 0; i < v->n && err == SCRUB_OK; i++)
		err = ynode_str(c, v->items[i], "rules", 4096, &conf->rules[i]);
	if (err == SCRUB_OK)
		conf->nrules = (int)v->n;
	return err;
}

#define DCONF_LONG(field, lo, hi) \
	static enum scrub_err set_##field(struct yctx *c, \
					  const struct ynode *v, void *obj) \
	{ \
		return ynode_int(c, v, #field, lo, hi, \
				 &((struct dconf *)obj)->field); \
	}
DCONF_LONG(batch_size, 1, 10000)
DCONF_LONG(poll_interval_ms, 10, 3600000)
DCONF_LONG(max_attempts, 1, 1000)
DCONF_LONG(reconnect_max_ms, 10, 3600000)
DCONF_LONG(claim_lease_ms, 100, 3600000)
DCONF_LONG(http_port, 0, 65535)

static enum scrub_err
set_http_address(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_str(c, v, "http_address", 255,
			 &((struct dconf *)obj)->http_address);
}

static enum scrub_err
set_log_level(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_enum(c, v, "log_level", dlog_level_names,
			  &((struct dconf *)obj)->log_level);
}

static const struct ykey dconf_keys[] = {
	{"database", false, set_database},
	{"rules", false, set_rules},
	{"batch_size", false, set_batch_size},
	{"poll_interval_ms", false, set_poll_interval_ms},
	{"max_attempts", false, set_max_attempts},
	{"reconnect_max_ms", false, set_reconnect_max_ms},
	{"claim_lease_ms", false, set_claim_lease_ms},
	{"http_address", false, set_http_address},
	{"http_port", false, set_http_port},
	{"log_level", false, set_log_level},
	{NULL, false, NULL},
};

static void
dconf_defaults(struct dconf *c)
{
	c->batch_size = 500;
	c->poll_interval_ms = 5000;
	c->max_attempts = 5;
	c->reconnect_max_ms = 30000;
	c->claim_lease_ms = 10000;
	c->http_address = "127.0.0.1";
	c->http_port = 9471;
	c->log_level = DLOG_INFO;
}

/* Parses buf into c; the file may hold one mapping or nothing at all. */
static enum scrub_err
dconf_parse(struct dconf *c, const char *path, const char *buf, size_t len,
	    struct diag_list *dl)
{
	struct ynode **docs;
	size_t ndocs;
	struct yctx y = {c->arena, dl};
	enum scrub_err err =
		ynode_parse(c->arena, path, buf, len, &docs, &ndocs, dl);
	if (err != SCRUB_OK || ndocs == 0 || ynode_is_null(docs[0]))
		return err;
	if (ndocs > 1)
		return ynode_error(&y, docs[1],
				   "the configuration is one document");
	return ymap_walk(&y, docs[0], "configuration", dconf_keys, c);
}

/* True when the conninfo (keyword/value or URI) sets a non-empty password.
 * libpq parses it; a string libpq cannot parse is judged by its text, erring
 * on the side of "holds a password". */
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
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			has = true;
	PQconninfoFree(opts);
	return has;
}

/* Refuses a file that others can read when it holds a password. */
static enum scrub_err
dconf_check_secret(const struct dconf *c, struct diag_list *dl)
{
	struct stat st;
	if (!c->database || !conninfo_has_password(c->database))
		return SCRUB_OK;
	if (stat(c->path, &st) != 0) {
		diag_add(dl, c->path, 0, 0, "cannot stat: %s", strerror(errno));
		return SCRUB_EIO;
	}
	if (!(st.st_mode & S_IROTH))
		return SCRUB_OK;
	diag_add(dl, c->path, 0, 0,
		 "the configuration is readable by others and holds a "
		 "password in 'database'; chmod o-r %s",
		 c->path);
	return SCRUB_EINPUT;
}

enum scrub_err
dconf_load(const char *path, bool optional, struct dconf **out,
	   struct diag_list *dl)
{
	struct dconf *c = calloc(1, sizeof(*c));
	char *buf = NULL;
	size_t len;
	struct stat st;

	*out = NULL;
	if (!c || !(c->arena = arena_new())) {
		free(c);
		return SCRUB_ENOMEM;
	}
	dconf_defaults(c);
	enum scrub_err err = SCRUB_OK;
	if (path && !(optional && stat(path, &st) != 0 && errno == ENOENT)) {
		c->path = arena_strdup(c->arena, path);
		err = fileio_read(path, DCONF_MAX_BYTES, &buf, &len, dl);
		if (err == SCRUB_OK)
			err = dconf_parse(c, path, buf, len, dl);
		if (err == SCRUB_OK)
			err = dconf_check_secret(c, dl);
		free(buf);
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

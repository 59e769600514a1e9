/*
 * keytab — key tables and their validators; see keytab.h.
 *
 * The messages are the ones the three tables this replaces always gave
 * (claim documents, rule files, claimscrubd.yaml): results, golden files
 * and tests hold them byte for byte.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "fileio.h"
#include "isotime.h"
#include "keytab.h"

/* The longest text a code or a date is looked at in: enough to say what
 * is wrong with it, and bounded. */
#define KEYTAB_CODE_MAX 64
#define KEYTAB_DATE_MAX 16

#define AT(obj, k, T) ((T *)(void *)((char *)(obj) + (k)->offset))
#define PRESENT(obj, k, T) ((T *)(void *)((char *)(obj) + (k)->present))

/* ---- the validators, one a type ----------------------------------------- */

static enum scrub_err
set_text(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	 void *obj)
{
	enum scrub_err err = ynode_str(c, v, k->key, (size_t)k->max,
				       AT(obj, k, const char *));
	if (err == SCRUB_OK && k->len && v->len != k->len)
		err = ynode_error(c, v, "'%s' must be a %zu-character %s",
				  k->key, k->len, k->item);
	return err;
}

/* Upper-case letters and digits only, exactly len characters. */
static enum scrub_err
want_code(struct yctx *c, const struct ynode *v, const char *what, size_t len,
	  const char **out)
{
	const char *s;
	enum scrub_err err = ynode_str(c, v, what, KEYTAB_CODE_MAX, &s);
	if (err != SCRUB_OK)
		return err;
	bool ok = v->len == len;
	for (size_t i = 0; ok && i < v->len; i++)
		ok = isdigit((unsigned char)s[i]) ||
		     isupper((unsigned char)s[i]);
	if (!ok) {
		char q[80];
		ynode_quote(v, q, sizeof(q));
		return ynode_error(
			c, v,
			"'%s' must be %zu upper-case letters or digits, not %s",
			what, len, q);
	}
	*out = s;
	return SCRUB_OK;
}

static enum scrub_err
set_int(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	void *obj)
{
	long n;
	enum scrub_err err = ynode_int(c, v, k->key, k->min, k->max, &n);
	if (err != SCRUB_OK)
		return err;
	if (k->wide)
		*AT(obj, k, long) = n;
	else
		*AT(obj, k, int) = (int)n;
	return SCRUB_OK;
}

static enum scrub_err
set_date(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	 void *obj)
{
	const char *s;
	enum scrub_err err = ynode_str(c, v, k->key, KEYTAB_DATE_MAX, &s);
	if (err != SCRUB_OK)
		return err;
	if (!isotime_parse_date(s, v->len, AT(obj, k, int32_t))) {
		char q[64];
		ynode_quote(v, q, sizeof(q));
		return ynode_error(c, v,
				   "'%s' must be a date YYYY-MM-DD, not %s",
				   k->key, q);
	}
	if (k->present)
		*PRESENT(obj, k, bool) = true;
	return SCRUB_OK;
}

/* The length is checked before any item, so a long list costs nothing. */
static enum scrub_err
set_codes(struct yctx *c, const struct keytab_key *k, const char *in,
	  const struct ynode *v, void *obj)
{
	const char **items = AT(obj, k, const char *);
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, k->key);
	if (err != SCRUB_OK)
		return err;
	if (v->n > (size_t)k->max)
		return ynode_error(c, v->items[k->max],
				   "a %s has at most %ld %s, not %zu", in,
				   k->max, k->key, v->n);
	for (size_t i = 0; i < v->n; i++) {
		err = want_code(c, v->items[i], k->item, k->len, &items[i]);
		if (err != SCRUB_OK)
			return err;
	}
	*PRESENT(obj, k, int) = (int)v->n;
	return SCRUB_OK;
}

enum scrub_err
keytab_set(struct yctx *c, const struct keytab_key *k, const char *in,
	   const struct ynode *v, void *obj)
{
	switch (k->type) {
	case KT_TEXT:
		return set_text(c, k, v, obj);
	case KT_CODE:
		return want_code(c, v, k->key, k->len,
				 AT(obj, k, const char *));
	case KT_INT:
		return set_int(c, k, v, obj);
	case KT_BOOL:
		return ynode_bool(c, v, k->key, AT(obj, k, bool));
	case KT_ENUM:
		return ynode_enum(c, v, k->key, k->names, AT(obj, k, int));
	case KT_DATE:
		return set_date(c, k, v, obj);
	case KT_CUSTOM:
		return k->set(c, k, v, obj);
	case KT_CODES:
		return set_codes(c, k, in, v, obj);
	case KT_LIST:
		break;
	}
	return ynode_error(c, v, "'%s' cannot be read here", k->key);
}

/* ---- defaults and comparison --------------------------------------------- */

void
keytab_default(const struct keytab_key *k, void *obj)
{
	if (k->type == KT_INT && k->wide)
		*AT(obj, k, long) = k->def;
	else if (k->type == KT_INT || k->type == KT_ENUM)
		*AT(obj, k, int) = (int)k->def;
	else if (k->type == KT_TEXT && k->dflt)
		*AT(obj, k, const char *) = k->dflt;
}

void
keytab_defaults(const struct keytab_key *keys, void *obj)
{
	for (const struct keytab_key *k = keys; k->key; k++)
		keytab_default(k, obj);
}

static bool
str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

bool
keytab_differs(const struct keytab_key *k, const void *a, const void *b)
{
	const void *pa = (const char *)a + k->offset;
	const void *pb = (const char *)b + k->offset;
	switch (k->type) {
	case KT_TEXT:
	case KT_CODE:
		return str_differ(*(const char *const *)pa,
				  *(const char *const *)pb);
	case KT_INT:
		if (k->wide)
			return *(const long *)pa != *(const long *)pb;
		return *(const int *)pa != *(const int *)pb;
	case KT_ENUM:
		return *(const int *)pa != *(const int *)pb;
	case KT_BOOL:
		return *(const bool *)pa != *(const bool *)pb;
	case KT_DATE:
		return *(const int32_t *)pa != *(const int32_t *)pb;
	case KT_CUSTOM:
		return k->differs && k->differs(k, a, b);
	case KT_CODES:
	case KT_LIST:
		break;
	}
	return false; /* not compared: no reloaded table holds one */
}

/* ---- mappings ---------------------------------------------------------- */

const struct keytab_key *
keytab_find(const struct keytab_key *keys, const struct ynode *k)
{
	for (const struct keytab_key *r = keys; r->key; r++)
		if (strlen(r->key) == k->len &&
		    memcmp(r->key, k->str, k->len) == 0)
			return r;
	return NULL;
}

enum scrub_err
keytab_unknown(struct yctx *c, const struct ynode *k, const char *what)
{
	char q[80];
	ynode_quote(k, q, sizeof(q));
	return ynode_error(c, k, "unknown key %s in %s", q, what);
}

enum scrub_err
keytab_missing(struct yctx *c, const struct ynode *map, const char *what,
	       const char *key)
{
	return ynode_error(c, map, "%s is missing required key '%s'", what,
			   key);
}

enum scrub_err
keytab_walk(struct yctx *c, const struct ynode *map, const char *what,
	    const struct keytab_key *keys, void *obj)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, what);
	if (err != SCRUB_OK)
		return err;
	for (size_t i = 0; i < map->n; i++) {
		const struct keytab_key *k = keytab_find(keys, map->keys[i]);
		enum scrub_err e =
			k ? keytab_set(c, k, what, map->items[i], obj)
			  : keytab_unknown(c, map->keys[i], what);
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	for (const struct keytab_key *k = keys; k->key; k++) {
		if (!k->required || ymap_get(map, k->key))
			continue;
		enum scrub_err e = keytab_missing(c, map, what, k->key);
		if (e == SCRUB_ENOMEM)
			return e;
		err = e;
	}
	return err;
}

enum scrub_err
keytab_read_file(struct arena *a, const char *path, size_t max_bytes,
		 const struct keytab_key *keys, void *obj,
		 const struct ynode **map, struct diag_list *dl)
{
	struct ynode **docs = NULL;
	size_t ndocs = 0, len;
	char *buf = NULL;
	struct yctx y = {a, dl};
	if (map)
		*map = NULL;
	enum scrub_err err = fileio_read(path, max_bytes, &buf, &len, dl);
	if (err == SCRUB_OK) /* (the nodes' strings are copies in a) */
		err = ynode_parse(a, path, buf, len, &docs, &ndocs, dl);
	free(buf);
	if (err != SCRUB_OK || ndocs == 0 || ynode_is_null(docs[0]))
		return err;
	if (ndocs > 1)
		return ynode_error(&y, docs[1],
				   "the configuration is one document");
	if (map)
		*map = docs[0];
	return keytab_walk(&y, docs[0], "configuration", keys, obj);
}

/*
 * claimdoc — claim documents through key tables; see claimdoc.h.
 *
 * Each mapping of the document format is read through the claim field table
 * (claimfield.h): a key finds its field, the field's type its validator,
 * which converts strictly and reports at the value's position.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "claimdoc.h"
#include "claimfield.h"

struct claimdoc {
	struct arena *arena;
	const struct ynode **nodes;
	struct claim **claims; /* NULL entries for bad documents */
	size_t n;
};

/* ---- mappings through the field table --------------------------------- */

static enum scrub_err read_list(struct yctx *c, const struct claim_field *f,
				const struct ynode *v, void *obj);

/* The value of one key of a mapping of level: a list to read_list, the
 * rest to their validator; an unknown key is reported. */
static enum scrub_err
read_key(struct yctx *c, enum claimfield_level level, const struct ynode *k,
	 const struct ynode *v, void *obj, uint64_t *seen)
{
	const struct claim_field *f = claimfield_find(level, k->str, k->len);
	if (!f)
		return keytab_unknown(c, k, claimfield_level_names[level]);
	*seen |= claimfield_bit(f);
	return f->type == CF_LIST ? read_list(c, f, v, obj)
				  : claimfield_read(c, f, v, obj);
}

/* Walks mapping map of level into obj through the field table, as
 * keytab_walk walks a key table (the table holds three levels, and a list
 * is read here, so not by keytab_walk itself): every error collected, then
 * the required keys missing.  *seen gets the fields the mapping has. */
static enum scrub_err
walk(struct yctx *c, const struct ynode *map, enum claimfield_level level,
     void *obj, uint64_t *seen)
{
	const char *what = claimfield_level_names[level];
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, what);
	*seen = 0;
	if (err != SCRUB_OK)
		return err;
	for (size_t i = 0; i < map->n; i++) {
		enum scrub_err e = read_key(c, level, map->keys[i],
					    map->items[i], obj, seen);
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	for (const struct claim_field *f = claim_fields; f->key; f++) {
		if (f->level != level || !f->required ||
		    (*seen & claimfield_bit(f)))
			continue;
		enum scrub_err e = keytab_missing(c, map, what, f->key);
		if (e == SCRUB_ENOMEM)
			return e;
		err = e;
	}
	return err;
}

/* One item of list f: its defaults, its keys, then what is checked of it
 * as a whole. */
static enum scrub_err
read_item(struct yctx *c, const struct claim_field *f, const struct ynode *v,
	  void *item)
{
	uint64_t seen;
	claimfield_defaults(f->child, item);
	enum scrub_err err = walk(c, v, f->child, item, &seen);
	if (err != SCRUB_OK)
		return err;
	return claimfield_check_item(c, f->child, v, item, seen);
}

static const struct ynode *
id_node(const void *seq, size_t i)
{
	const struct ynode *item = ((const struct ynode *)seq)->items[i];
	return ymap_get(item, "id");
}

/* List f (the lines, the administrations) into the claim at obj: its
 * length checked before any item is read, every item read and its errors
 * collected; administration ids checked once all were good. */
static enum scrub_err
read_list(struct yctx *c, const struct claim_field *f, const struct ynode *v,
	  void *obj)
{
	struct claim *cl = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, f->key);
	if (err == SCRUB_OK)
		err = claimfield_list_len(c, f, v, v->n);
	if (err != SCRUB_OK)
		return err;
	char *items = arena_calloc(c->arena, v->n ? v->n : 1, f->size);
	if (!items)
		return SCRUB_ENOMEM;
	void *p = items; /* the member is a struct pointer: same bytes */
	memcpy((char *)obj + f->offset, &p, sizeof(p));
	for (size_t i = 0; i < v->n; i++) {
		enum scrub_err e =
			read_item(c, f, v->items[i], items + i * f->size);
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	*(size_t *)(void *)((char *)obj + f->present) = v->n;
	if (err != SCRUB_OK || f->child != CF_ADMIN)
		return err;
	return claimfield_check_ids(c, cl, id_node, v);
}

/* Reads one claim from a parsed document node into *out, in c's arena. */
static enum scrub_err
claimdoc_from_node(struct yctx *c, const struct ynode *doc, struct claim *out)
{
	memset(out, 0, sizeof(*out));
	if (doc->type != YNODE_MAP)
		return ynode_error(c, doc,
				   "a claim document must be a mapping, not %s",
				   ynode_type_name(doc->type));
	uint64_t seen;
	return walk(c, doc, CF_CLAIM, out, &seen);
}

/* ---- the stream ------------------------------------------------------ */

static enum scrub_err
claimdoc_read_all(struct claimdoc *cd, struct ynode **docs, size_t ndocs,
		  struct diag_list *dl)
{
	enum scrub_err result = SCRUB_OK;
	for (size_t i = 0; i < ndocs; i++) {
		struct diag_list local = {0};
		struct yctx c = {cd->arena, &local};
		struct claim *cl = arena_alloc(cd->arena, sizeof(*cl));
		if (!cl)
			return SCRUB_ENOMEM;
		enum scrub_err err = claimdoc_from_node(&c, docs[i], cl);
		cd->nodes[i] = docs[i];
		cd->claims[i] = err == SCRUB_OK ? cl : NULL;
		if (diag_move(dl, &local, (int)i) != SCRUB_OK) {
			diag_list_free(&local);
			return SCRUB_ENOMEM;
		}
		if (err == SCRUB_ENOMEM)
			return err;
		if (err != SCRUB_OK)
			result = SCRUB_EINPUT;
	}
	return result;
}

enum scrub_err
claimdoc_parse(const char *file, const char *buf, size_t len,
	       struct claimdoc **out, struct diag_list *dl)
{
	struct claimdoc *cd = calloc(1, sizeof(*cd));
	struct ynode **docs;
	size_t ndocs;
	struct diag_list syntax = {0};

	*out = NULL;
	if (!cd || !(cd->arena = arena_new())) {
		free(cd);
		return SCRUB_ENOMEM;
	}
	enum scrub_err perr =
		ynode_parse(cd->arena, file, buf, len, &docs, &ndocs, &syntax);
	if (perr == SCRUB_ENOMEM)
		goto nomem;
	cd->nodes = arena_calloc(cd->arena, ndocs + 1, sizeof(*cd->nodes));
	cd->claims = arena_calloc(cd->arena, ndocs + 1, sizeof(*cd->claims));
	if (!cd->nodes || !cd->claims)
		goto nomem;
	cd->n = ndocs;
	enum scrub_err err = claimdoc_read_all(cd, docs, ndocs, dl);
	/* a claim file holds a claim: one that is empty (or comments only) is
	 * an input error, at its start */
	if (err == SCRUB_OK && perr == SCRUB_OK && ndocs == 0) {
		err = diag_add(dl, file, 1, 1, "no claim document in the file");
		if (err == SCRUB_OK)
			err = SCRUB_EINPUT;
	}
	if (err == SCRUB_ENOMEM)
		goto nomem;
	/* a syntax error belongs to the document after the last one read */
	if (diag_move(dl, &syntax, (int)ndocs) != SCRUB_OK)
		goto nomem;
	*out = cd;
	return perr != SCRUB_OK ? perr : err;
nomem:
	diag_list_free(&syntax);
	claimdoc_free(cd);
	return SCRUB_ENOMEM;
}

size_t
claimdoc_count(const struct claimdoc *cd)
{
	return cd->n;
}

const struct claim *
claimdoc_claim(const struct claimdoc *cd, size_t i)
{
	return i < cd->n ? cd->claims[i] : NULL;
}

const struct ynode *
claimdoc_node(const struct claimdoc *cd, size_t i)
{
	return i < cd->n ? cd->nodes[i] : NULL;
}

void
claimdoc_free(struct claimdoc *cd)
{
	if (!cd)
		return;
	arena_free(cd->arena);
	free(cd);
}

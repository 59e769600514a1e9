/*
 * rules — build a rule set from rule files; see rules.h.
 *
 * Two stages.  Merge: every file is parsed into a located YAML tree and
 * folded into one tree (mappings merge key by key, anything else is replaced),
 * so a local file overrides only what it names.  Decode: the merged tree is
 * checked and converted in dependency order (services before the codes and
 * rows that name them; base settings before the profiles that override them).
 * Nodes keep their own file and position, so errors point at the file that
 * wrote the offending value.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"
#include "ruleset.h"
#include "ynode.h"

const char *const role_names[ROLE_COUNT + 1] = {
	"initial",    "additional-hour", "subsequent",
	"concurrent", "same-drug",	 NULL,
};

struct rules_builder {
	struct arena *arena;
	struct ynode *merged; /* NULL until the first file */
	bool failed;	      /* a file had a syntax error */
	uint64_t hash;	      /* FNV-1a over names and contents */
};

/* ---- merge ------------------------------------------------------------ */

static void
hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		*h ^= s[i];
		*h *= 0x100000001b3ULL;
	}
}

struct rules_builder *
rules_builder_new(void)
{
	struct rules_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->arena = arena_new();
	if (!b->arena) {
		free(b);
		return NULL;
	}
	b->hash = 0xcbf29ce484222325ULL;
	return b;
}

void
rules_builder_free(struct rules_builder *b)
{
	if (!b)
		return;
	arena_free(b->arena);
	free(b);
}

static long
key_index(const struct ynode *map, const struct ynode *key)
{
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == key->len &&
		    memcmp(map->keys[i]->str, key->str, key->len) == 0)
			return (long)i;
	return -1;
}

/* Folds src into dst (both mappings); dst's arrays are regrown in the arena. */
static enum scrub_err
merge_map(struct arena *a, struct ynode *dst, const struct ynode *src)
{
	for (size_t i = 0; i < src->n; i++) {
		long k = key_index(dst, src->keys[i]);
		struct ynode *sv = src->items[i];
		if (k >= 0) {
			struct ynode *dv = dst->items[k];
			if (dv->type == YNODE_MAP && sv->type == YNODE_MAP) {
				enum scrub_err err = merge_map(a, dv, sv);
				if (err != SCRUB_OK)
					return err;
			} else {
				dst->keys[k] = src->keys[i];
				dst->items[k] = sv;
			}
			continue;
		}
		struct ynode **keys =
			arena_calloc(a, dst->n + 1, sizeof(*keys));
		struct ynode **items =
			arena_calloc(a, dst->n + 1, sizeof(*items));
		if (!keys || !items)
			return SCRUB_ENOMEM;
		if (dst->n) {
			memcpy(keys, dst->keys, dst->n * sizeof(*keys));
			memcpy(items, dst->items, dst->n * sizeof(*items));
		}
		keys[dst->n] = src->keys[i];
		items[dst->n] = sv;
		dst->keys = keys;
		dst->items = items;
		dst->n++;
	}
	return SCRUB_OK;
}

enum scrub_err
rules_builder_add(struct rules_builder *b, const char *file, const char *buf,
		  size_t len, struct diag_list *dl)
{
	struct ynode **docs;
	size_t ndocs;
	struct yctx c = {b->arena, dl};

	hash_bytes(&b->hash, file, strlen(file) + 1);
	hash_bytes(&b->hash, buf, len);
	enum scrub_err err =
		ynode_parse(b->arena, file, buf, len, &docs, &ndocs, dl);
	if (err != SCRUB_OK) {
		b->failed = true;
		return err;
	}
	if (ndocs == 0 || (ndocs == 1 && ynode_is_null(docs[0])))
		return SCRUB_OK; /* an empty file, or only comments */
	if (ndocs > 1 || docs[0]->type != YNODE_MAP) {
		b->failed = true;
		return ynode_error(&c, ndocs > 1 ? docs[1] : docs[0],
				   "a rule file must be one mapping");
	}
	if (!b->merged) {
		b->merged = arena_alloc(b->arena, sizeof(*b->merged));
		if (!b->merged)
			return SCRUB_ENOMEM;
		*b->merged = (struct ynode){.type = YNODE_MAP,
					    .file = docs[0]->file,
					    .line = 1,
					    .column = 1};
	}
	return merge_map(b->arena, b->merged, docs[0]);
}

bool
rules_list_has(const struct rule_list *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

/* ---- the merged tree, walked (rules show) ------------------------------ */

static void visit_node(const struct ynode *n, int depth, const char *key,
		       const struct ynode *over, rules_visit_fn *fn, void *arg);

static void
visit_event(enum rules_visit_event ev, const struct ynode *n, int depth,
	    const char *key, rules_visit_fn *fn, void *arg)
{
	struct rules_visit v = {ev,	  depth,   key,	   NULL,
				n->plain, n->file, n->line};
	if (ev == RULES_VISIT_SCALAR)
		v.value = n->str;
	fn(arg, &v);
}

/* A mapping's entries; `over` (a mapping or NULL) replaces same-named
 * entries, as a profile's settings replace the base ones. */
static void
visit_map(const struct ynode *n, int depth, const struct ynode *over,
	  rules_visit_fn *fn, void *arg)
{
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		const struct ynode *v = n->items[i];
		const struct ynode *o = over ? ymap_get(over, k) : NULL;
		visit_node(o ? o : v, depth, k, NULL, fn, arg);
	}
}

static void
visit_node(const struct ynode *n, int depth, const char *key,
	   const struct ynode *over, rules_visit_fn *fn, void *arg)
{
	switch (n->type) {
	case YNODE_SCALAR:
		visit_event(RULES_VISIT_SCALAR, n, depth, key, fn, arg);
		return;
	case YNODE_SEQ:
		visit_event(RULES_VISIT_SEQ_BEGIN, n, depth, key, fn, arg);
		for (size_t i = 0; i < n->n; i++)
			visit_node(n->items[i], depth + 1, NULL, NULL, fn, arg);
		visit_event(RULES_VISIT_SEQ_END, n, depth, key, fn, arg);
		return;
	case YNODE_MAP:
		visit_event(RULES_VISIT_MAP_BEGIN, n, depth, key, fn, arg);
		visit_map(n, depth + 1, over, fn, arg);
		visit_event(RULES_VISIT_MAP_END, n, depth, key, fn, arg);
		return;
	}
}

/* The payer profile's settings mapping, or NULL. */
static const struct ynode *
profile_settings(const struct ynode *top, const char *payer)
{
	const struct ynode *p = ymap_get(top, "profiles");
	if (p && p->type == YNODE_MAP)
		p = ymap_get(p, payer ? payer : "default");
	if (p && p->type == YNODE_MAP)
		p = ymap_get(p, "settings");
	return p && p->type == YNODE_MAP ? p : NULL;
}

void
rules_builder_visit(const struct rules_builder *b, const char *payer,
		    rules_visit_fn *fn, void *arg)
{
	const struct ynode *top = b->merged;
	if (!top)
		return;
	const struct ynode *over = profile_settings(top, payer);
	for (size_t i = 0; i < top->n; i++) {
		const char *k = top->keys[i]->str;
		if (strcmp(k, "profiles") == 0)
			continue;
		bool settings = strcmp(k, "settings") == 0 &&
				top->items[i]->type == YNODE_MAP;
		visit_node(top->items[i], 0, k, settings ? over : NULL, fn,
			   arg);
	}
}

enum scrub_err
rules_builder_finish(struct rules_builder *b, struct ruleset **out,
		     struct diag_list *dl)
{
	*out = NULL;
	struct ruleset *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return SCRUB_ENOMEM;
	/* the rule set takes over the arena: its strings point into the tree */
	rs->arena = b->arena;
	b->arena = NULL;
	snprintf(rs->version, sizeof(rs->version), "%016llx",
		 (unsigned long long)b->hash);
	struct ynode empty = {.type = YNODE_MAP, .file = "rules", .line = 0};
	struct yctx c = {rs->arena, dl};
	enum scrub_err err =
		rules__decode(&c, b->merged ? b->merged : &empty, rs);
	/* a file with a syntax error still lets the others be checked */
	if (err != SCRUB_OK || b->failed) {
		rules_free(rs);
		return err == SCRUB_ENOMEM ? err : SCRUB_EINPUT;
	}
	*out = rs;
	return SCRUB_OK;
}

void
rules_free(struct ruleset *rs)
{
	if (!rs)
		return;
	arena_free(rs->arena);
	free(rs);
}

const char *
rules_version(const struct ruleset *rs)
{
	return rs->version;
}

const struct rule_code *
rules_code(const struct ruleset *rs, const char *code)
{
	for (int i = 0; i < rs->ncodes; i++)
		if (strcmp(rs->codes[i].code, code) == 0)
			return &rs->codes[i];
	return NULL;
}

int
rules_has_profile(const struct ruleset *rs, const char *name)
{
	for (int i = 0; i < rs->nprofiles; i++)
		if (strcmp(rs->profiles[i].name, name) == 0)
			return 1;
	return 0;
}

const struct rule_profile *
rules_profile(const struct ruleset *rs, const char *payer)
{
	for (int i = 0; payer && i < rs->nprofiles; i++)
		if (strcmp(rs->profiles[i].name, payer) == 0)
			return &rs->profiles[i];
	return &rs->profiles[rs->default_profile];
}

const struct rule_classify *
rules_classify(const struct ruleset *rs, int kind, int route)
{
	for (int i = 0; i < rs->nclassify; i++) {
		const struct rule_classify *r = &rs->classify[i];
		if (r->kind == kind && (r->route < 0 || r->route == route))
			return r;
	}
	return NULL;
}

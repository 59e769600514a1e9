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

#include "isotime.h"
#include "rules_int.h"
#include "ruleset.h"
#include "ynode.h"

struct rules_builder {
	struct arena *arena;
	struct ynode *merged; /* NULL until the first file */
	bool failed;	      /* a file had a syntax error */
	uint64_t hash;	      /* FNV-1a over names and contents */
};

/* ---- merge ------------------------------------------------------------ */

static enum scrub_err merge_map(struct arena *a, struct ynode *dst,
				const struct ynode *src);

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

/* A mapping key with its position, sorted for binary search. */
struct keypos {
	const struct ynode *key;
	size_t pos;
};

static int
keypos_cmp(const void *a, const void *b)
{
	const struct ynode *x = ((const struct keypos *)a)->key;
	const struct ynode *y = ((const struct keypos *)b)->key;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->str, y->str, x->len);
}

/* The position of key among dst's first n keys (sorted in kp), or -1. */
static long
key_find(const struct keypos *kp, size_t n, const struct ynode *key)
{
	struct keypos k = {key, 0};
	const struct keypos *hit =
		n ? bsearch(&k, kp, n, sizeof(*kp), keypos_cmp) : NULL;
	return hit ? (long)hit->pos : -1;
}

/* Replaces or merges one entry; a dated value is replaced whole. */
static enum scrub_err
merge_entry(struct arena *a, struct ynode *dst, size_t k,
	    const struct ynode *key, struct ynode *sv)
{
	struct ynode *dv = dst->items[k];
	if (dv->type == YNODE_MAP && sv->type == YNODE_MAP &&
	    !rules__is_dated(dv) && !rules__is_dated(sv))
		return merge_map(a, dv, sv);
	dst->keys[k] = (struct ynode *)key;
	dst->items[k] = sv;
	return SCRUB_OK;
}

/*
 * Folds src into dst (both mappings).  dst's arrays grow once per call and
 * its keys are found by binary search: a local file that adds many keys
 * costs O(n log n), where growing per key and scanning cost O(n^2) time and
 * arena memory (16,000 keys once took 8 s and 2 GB).  src's own keys are
 * distinct (ynode refuses duplicates), so only dst's first keys need
 * searching.
 */
static enum scrub_err
merge_map(struct arena *a, struct ynode *dst, const struct ynode *src)
{
	size_t n0 = dst->n, cap = dst->n + src->n;
	struct ynode **keys = arena_calloc(a, cap, sizeof(*keys));
	struct ynode **items = arena_calloc(a, cap, sizeof(*items));
	struct keypos *kp = malloc((n0 ? n0 : 1) * sizeof(*kp));
	if (!keys || !items || !kp) {
		free(kp);
		return SCRUB_ENOMEM;
	}
	for (size_t i = 0; i < n0; i++)
		kp[i] = (struct keypos){dst->keys[i], i};
	qsort(kp, n0, sizeof(*kp), keypos_cmp);
	if (n0) {
		memcpy(keys, dst->keys, n0 * sizeof(*keys));
		memcpy(items, dst->items, n0 * sizeof(*items));
	}
	dst->keys = keys;
	dst->items = items;
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; i < src->n && err == SCRUB_OK; i++) {
		long k = key_find(kp, n0, src->keys[i]);
		if (k >= 0) {
			err = merge_entry(a, dst, (size_t)k, src->keys[i],
					  src->items[i]);
			continue;
		}
		keys[dst->n] = src->keys[i];
		items[dst->n] = src->items[i];
		dst->n++;
	}
	free(kp);
	return err;
}

enum scrub_err
rules_builder_add(struct rules_builder *b, const char *file, const char *buf,
		  size_t len, struct diag_list *dl)
{
	struct ynode **docs;
	size_t ndocs;
	struct yctx c = {b->arena, dl};

	/* the version names what the rules say, not where they were read
	 * from: the same files give the same version in any directory */
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	hash_bytes(&b->hash, base, strlen(base) + 1);
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

static void
visit_tree(const struct ynode *top, const char *payer, rules_visit_fn *fn,
	   void *arg)
{
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

void
rules_builder_visit(const struct rules_builder *b, const char *payer,
		    rules_visit_fn *fn, void *arg)
{
	if (b->merged)
		visit_tree(b->merged, payer, fn, arg);
}

enum scrub_err
rules_builder_visit_at(const struct rules_builder *b, const char *payer,
		       int32_t day, rules_visit_fn *fn, void *arg)
{
	const struct ynode *top;
	if (!b->merged)
		return SCRUB_OK;
	enum scrub_err err =
		rules__dated_resolve(b->arena, b->merged, day, &top);
	if (err == SCRUB_OK)
		visit_tree(top, payer, fn, arg);
	return err;
}

/* ---- finish: one rule set per period ----------------------------------- */

/* The rule sets for n periods, the last one owning the others and the arena
 * (its strings point into the tree). */
static struct ruleset *
periods_new(struct rules_builder *b, int n)
{
	struct ruleset *last = calloc(1, sizeof(*last));
	if (!last)
		return NULL;
	last->periods = calloc((size_t)n, sizeof(*last->periods));
	last->nperiods = n;
	last->arena = b->arena;
	b->arena = NULL;
	for (int i = 0; last->periods && i < n; i++) {
		struct ruleset *p = i == n - 1 ? last : calloc(1, sizeof(*p));
		if (!p)
			break;
		p->arena = last->arena;
		snprintf(p->version, sizeof(p->version), "%016llx",
			 (unsigned long long)b->hash);
		last->periods[i] = p;
	}
	if (!last->periods || !last->periods[n - 1]) {
		rules_free(last);
		return NULL;
	}
	return last;
}

/* "dated 2027-01-01 or later": the claims period p judges. */
static void
span_text(const struct ruleset *p, char *buf, size_t size)
{
	char span[48];
	isotime_format_span(p->from, p->to, ISOTIME_OR_LATER, span,
			    sizeof(span));
	snprintf(buf, size, "dated %s", span);
}

static bool
diag_same(const struct diag *a, const struct diag *b)
{
	return a->line == b->line && a->column == b->column &&
	       strcmp(a->file, b->file) == 0 &&
	       strcmp(a->message, b->message) == 0;
}

static int
diag_periods(const struct diag_list *pd, int np, const struct diag *d)
{
	int count = 0;
	for (int p = 0; p < np; p++)
		for (size_t i = 0; i < pd[p].n; i++)
			if (diag_same(&pd[p].items[i], d)) {
				count++;
				break;
			}
	return count;
}

/* A rule set reports at most this many errors: a file with 100,000 bad
 * entries gets a readable answer, and the merge below stays cheap. */
#define RULES_MAX_DIAGS 1000

static void
diags_merge_periods(struct diag_list *dl, struct diag_list *pd,
		    struct ruleset *const *periods, int np, enum scrub_err *err)
{
	for (int p = 0; p < np; p++)
		for (size_t i = 0; i < pd[p].n; i++) {
			const struct diag *d = &pd[p].items[i];
			if (diag_periods(pd, p, d))
				continue; /* said for an earlier period */
			char span[64] = "";
			if (diag_periods(pd, np, d) < np)
				span_text(periods[p], span, sizeof(span));
			if (diag_add(dl, d->file, d->line, d->column,
				     "%s%s%s%s", d->message,
				     *span ? " (for claims " : "", span,
				     *span ? ")" : "") != SCRUB_OK)
				*err = SCRUB_ENOMEM;
		}
}

/* Moves each period's diagnostics into dl once; one that holds only for
 * some periods names the first of them. */
static enum scrub_err
diags_merge(struct diag_list *dl, struct diag_list *pd,
	    struct ruleset *const *periods, int np)
{
	enum scrub_err err = SCRUB_OK;
	size_t more = 0;
	for (int p = 0; p < np; p++)
		if (pd[p].n > RULES_MAX_DIAGS) {
			if (pd[p].n - RULES_MAX_DIAGS > more)
				more = pd[p].n - RULES_MAX_DIAGS;
			diag_list_truncate(&pd[p], RULES_MAX_DIAGS);
		}
	if (np == 1)
		err = diag_move(dl, &pd[0], -1);
	else
		diags_merge_periods(dl, pd, periods, np, &err);
	if (more && dl->n &&
	    diag_add(dl, dl->items[dl->n - 1].file, 0, 0,
		     "%zu more errors not shown", more) != SCRUB_OK)
		err = SCRUB_ENOMEM;
	for (int p = 0; p < np; p++)
		diag_list_free(&pd[p]);
	return err;
}

/* Resolves the tree for each period and decodes it into that period's set. */
static enum scrub_err
decode_periods(const struct ynode *top, struct ruleset *last,
	       const int32_t *days, struct diag_list *dl)
{
	struct diag_list pd[RULES_MAX_PERIODS] = {{0}};
	enum scrub_err err = SCRUB_OK;
	int np = last->nperiods;
	for (int p = 0; p < np && err != SCRUB_ENOMEM; p++) {
		struct ruleset *rs = last->periods[p];
		rs->from = p ? days[p - 1] : INT32_MIN;
		rs->to = p < np - 1 ? days[p] - 1 : INT32_MAX;
		struct yctx c = {rs->arena, &pd[p]};
		const struct ynode *tree;
		enum scrub_err e =
			rules__dated_resolve(rs->arena, top, rs->from, &tree);
		if (e == SCRUB_OK)
			e = rules__decode(&c, tree, rs);
		if (e != SCRUB_OK)
			err = e;
		else
			rules__index_codes(rs);
	}
	if (diags_merge(dl, pd, last->periods, np) != SCRUB_OK)
		err = SCRUB_ENOMEM;
	return err;
}

enum scrub_err
rules_builder_finish(struct rules_builder *b, struct ruleset **out,
		     struct diag_list *dl)
{
	*out = NULL;
	struct ynode empty = {.type = YNODE_MAP, .file = "rules", .line = 0};
	const struct ynode *top = b->merged ? b->merged : &empty;
	struct yctx c = {b->arena, dl};
	int32_t days[RULES_MAX_PERIODS - 1];
	int ndays = 0;
	enum scrub_err dated = rules__dated_bounds(
		&c, top, days, RULES_MAX_PERIODS - 1, &ndays);
	if (dated == SCRUB_ENOMEM)
		return dated;
	struct ruleset *rs = periods_new(b, ndays + 1);
	if (!rs)
		return SCRUB_ENOMEM;
	enum scrub_err err = decode_periods(top, rs, days, dl);
	/* a file with a syntax error still lets the others be checked */
	if (err != SCRUB_OK || dated != SCRUB_OK || b->failed) {
		rules_free(rs);
		return err == SCRUB_ENOMEM ? err : SCRUB_EINPUT;
	}
	*out = rs;
	return SCRUB_OK;
}

/*
 * marmap — the optional `mar_map:` section of the rule files: the tables
 * that turn a MAR record's drug and route (marrec.h) into the kind and the
 * route of an administration (claim.h), kept as data so a site adds a drug
 * by adding a row, never by changing code.
 *
 *   mar_map:
 *     push_words: [push, IVP, bolus]
 *     drugs:
 *       ceftriaxone:              # the substance its administrations get
 *         kind: therapeutic       # chemotherapy | therapeutic | hydration
 *         hcpcs: [J0696]          # the billed drug line's code
 *         ndc: ["0000-1111-22"]   # as the MAR writes it
 *         rxnorm: ["1665005"]
 *         names: [ceftriaxone]    # a drug text, matched whole
 *     routes:
 *       intravenous:
 *         way: intravenous        # intravenous | push | injection |
 *                                 # subcutaneous
 *         v2_0162: [IV]           # HL7 table 0162
 *         snomed: ["47625008"]
 *         names: [intravenous]    # a route text, matched whole
 *
 * One row per drug and per route; a code or name may belong to one row
 * only (of its key), so a lookup never has two answers.  Codes and names
 * compare without regard to case.  Values may be dated like any rule value
 * (rules_dated.c): this decoder sees each period's tables.  Every error
 * names FILE:LINE:COLUMN.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keytab.h"
#include "rules_int.h"

const char *const mar_way_names[] = {"intravenous", "push", "injection",
				     "subcutaneous", NULL};

/* Bytes of a code or a name in the tables (FHIR's code and text bounds are
 * larger, but no drug or route is named longer). */
#define MARMAP_TEXT_MAX 256

#define AT(obj, k, T) ((T *)(void *)((char *)(obj) + (k)->offset))

/* Custom: a list of texts into a struct rule_texts, in the arena. */
static enum scrub_err
set_texts(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	  void *obj)
{
	struct rule_texts *t = AT(obj, k, struct rule_texts);
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, k->key);
	if (err != SCRUB_OK)
		return err;
	t->v = arena_calloc(c->arena, v->n + 1, sizeof(*t->v));
	t->at = arena_calloc(c->arena, v->n + 1, sizeof(*t->at));
	if (!t->v || !t->at)
		return SCRUB_ENOMEM;
	t->n = 0;
	for (size_t i = 0; i < v->n; i++) {
		enum scrub_err e = ynode_str(c, v->items[i], k->key,
					     MARMAP_TEXT_MAX, &t->v[t->n]);
		if (e == SCRUB_OK)
			t->at[t->n++] = v->items[i];
		err = e != SCRUB_OK ? e : err;
	}
	return err;
}

#define TEXTS(key_, T, m) \
	{ \
		.key = key_, .type = KT_CUSTOM, .set = set_texts, \
		.offset = offsetof(T, m) \
	}

static const struct keytab_key drug_keys[] = {
	{.key = "kind",
	 .type = KT_ENUM,
	 .required = true,
	 .names = admin_kind_names,
	 .offset = offsetof(struct rule_mar_drug, kind)},
	TEXTS("hcpcs", struct rule_mar_drug, hcpcs),
	TEXTS("ndc", struct rule_mar_drug, ndc),
	TEXTS("rxnorm", struct rule_mar_drug, rxnorm),
	TEXTS("names", struct rule_mar_drug, names),
	{.key = NULL},
};

static const struct keytab_key route_keys[] = {
	{.key = "way",
	 .type = KT_ENUM,
	 .required = true,
	 .names = mar_way_names,
	 .offset = offsetof(struct rule_mar_route, way)},
	TEXTS("v2_0162", struct rule_mar_route, v2_0162),
	TEXTS("snomed", struct rule_mar_route, snomed),
	TEXTS("names", struct rule_mar_route, names),
	{.key = NULL},
};

/* A text of one table's key, and the row it belongs to: what the
 * duplicate check sorts. */
struct owned {
	const char *text;
	const struct ynode *at;
	const char *row;
};

static int
owned_cmp(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;
	int d = strcasecmp(x->text, y->text);
	if (d)
		return d;
	/* the one written first is the one kept: report the later */
	if (strcmp(x->at->file, y->at->file))
		return strcmp(x->at->file, y->at->file);
	if (x->at->line != y->at->line)
		return x->at->line < y->at->line ? -1 : 1;
	return x->at->column < y->at->column ? -1 : 1;
}

/* Every text of a key (`what`) across the rows belongs to one row only:
 * sorted, so a table of thousands of NDCs is checked in n log n. */
static enum scrub_err
check_unique(struct yctx *c, const char *what, const struct rule_texts *t,
	     const char *const *rows, int nrows, size_t stride)
{
	size_t n = 0;
	for (int r = 0; r < nrows; r++)
		n += (size_t)((const struct rule_texts
				       *)(const void *)((const char *)t +
							r * stride))
			     ->n;
	struct owned *o = malloc((n ? n : 1) * sizeof(*o));
	if (!o)
		return SCRUB_ENOMEM;
	size_t k = 0;
	for (int r = 0; r < nrows; r++) {
		const struct rule_texts *rt =
			(const void *)((const char *)t + r * stride);
		for (int i = 0; i < rt->n; i++)
			o[k++] = (struct owned){rt->v[i], rt->at[i], rows[r]};
	}
	qsort(o, n, sizeof(*o), owned_cmp);
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 1; i < n && err != SCRUB_ENOMEM; i++)
		if (strcasecmp(o[i - 1].text, o[i].text) == 0)
			err = ynode_error(c, o[i].at,
					  "mar_map: %s '%s' is already %s's "
					  "(%s:%u:%u)",
					  what, o[i].text, o[i - 1].row,
					  o[i - 1].at->file, o[i - 1].at->line,
					  o[i - 1].at->column);
	free(o);
	return err;
}

static enum scrub_err
worst(enum scrub_err a, enum scrub_err b)
{
	if (a == SCRUB_ENOMEM || b == SCRUB_ENOMEM)
		return SCRUB_ENOMEM;
	return a != SCRUB_OK ? a : b;
}

/* The row names, for check_unique's messages. */
static const char **
row_names(struct yctx *c, const struct ynode *map)
{
	const char **v = arena_calloc(c->arena, map->n + 1, sizeof(*v));
	for (size_t i = 0; v && i < map->n; i++)
		v[i] = map->keys[i]->str;
	return v;
}

static enum scrub_err
decode_drugs(struct yctx *c, const struct ynode *map, struct rule_marmap *m)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, "drugs");
	if (err != SCRUB_OK)
		return err;
	m->drugs = arena_calloc(c->arena, map->n + 1, sizeof(*m->drugs));
	const char **rows = row_names(c, map);
	if (!m->drugs || !rows)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < map->n && err != SCRUB_ENOMEM; i++) {
		struct rule_mar_drug *d = &m->drugs[i];
		enum scrub_err e =
			ynode_str(c, map->keys[i], "drug", 64, &d->name);
		err = worst(err, e);
		err = worst(err, keytab_walk(c, map->items[i], "drug",
					     drug_keys, d));
	}
	m->ndrugs = (int)map->n;
	if (err != SCRUB_OK)
		return err;
	size_t z = sizeof(struct rule_mar_drug);
	err = worst(err, check_unique(c, "hcpcs", &m->drugs[0].hcpcs, rows,
				      m->ndrugs, z));
	err = worst(err, check_unique(c, "ndc", &m->drugs[0].ndc, rows,
				      m->ndrugs, z));
	err = worst(err, check_unique(c, "rxnorm", &m->drugs[0].rxnorm, rows,
				      m->ndrugs, z));
	return worst(err, check_unique(c, "name", &m->drugs[0].names, rows,
				       m->ndrugs, z));
}

static enum scrub_err
decode_routes(struct yctx *c, const struct ynode *map, struct rule_marmap *m)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, "routes");
	if (err != SCRUB_OK)
		return err;
	m->routes = arena_calloc(c->arena, map->n + 1, sizeof(*m->routes));
	const char **rows = row_names(c, map);
	if (!m->routes || !rows)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < map->n && err != SCRUB_ENOMEM; i++) {
		struct rule_mar_route *r = &m->routes[i];
		err = worst(err,
			    ynode_str(c, map->keys[i], "route", 64, &r->name));
		err = worst(err, keytab_walk(c, map->items[i], "route",
					     route_keys, r));
	}
	m->nroutes = (int)map->n;
	if (err != SCRUB_OK)
		return err;
	size_t z = sizeof(struct rule_mar_route);
	err = worst(err, check_unique(c, "v2_0162", &m->routes[0].v2_0162, rows,
				      m->nroutes, z));
	err = worst(err, check_unique(c, "snomed", &m->routes[0].snomed, rows,
				      m->nroutes, z));
	return worst(err, check_unique(c, "route name", &m->routes[0].names,
				       rows, m->nroutes, z));
}

/* Custom: the drugs and routes tables, each a mapping of rows. */
static enum scrub_err
set_drugs(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	  void *obj)
{
	(void)k;
	return decode_drugs(c, v, obj);
}

static enum scrub_err
set_routes(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	   void *obj)
{
	(void)k;
	return decode_routes(c, v, obj);
}

static const struct keytab_key marmap_keys[] = {
	TEXTS("push_words", struct rule_marmap, push_words),
	{.key = "drugs", .type = KT_CUSTOM, .set = set_drugs},
	{.key = "routes", .type = KT_CUSTOM, .set = set_routes},
	{.key = NULL},
};

enum scrub_err
rules__decode_marmap(struct yctx *c, const struct ynode *top,
		     struct ruleset *rs)
{
	return keytab_walk(c, top, "mar_map", marmap_keys, &rs->marmap);
}

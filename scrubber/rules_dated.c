/*
 * rules_dated — effective dating of rule values; see rules_int.h.
 *
 * Any value in a rule file may be written as a dated value,
 *
 *     push_max_minutes: {value: 15, effective_to: 2026-12-31}
 *
 * or as a list of them, one per period:
 *
 *     concurrent_min_overlap_minutes:
 *       - {value: 16, effective_to: 2026-12-31}
 *       - {value: 31, effective_from: 2027-01-01}
 *
 * Dates are whole days, both ends inclusive, as payers publish them
 * ("effective January 1 through December 31").  Outside every period the
 * value is absent.  The builder cuts time at every date named, resolves the
 * merged tree once per period and decodes each resolved tree as an ordinary
 * rule set, so the engine never sees a date: a claim takes the rule set of
 * the period its date of service falls in.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "rules_int.h"

#define DATED_MAX_ITEMS 64

struct dated_item {
	int32_t from, to; /* inclusive; INT32_MIN / INT32_MAX when open */
	const struct ynode *value;
	const struct ynode *node;
};

static bool
is_dated_map(const struct ynode *n)
{
	return n->type == YNODE_MAP &&
	       (ymap_get(n, "effective_from") || ymap_get(n, "effective_to"));
}

bool
rules__is_dated(const struct ynode *n)
{
	if (n->type == YNODE_SEQ)
		return n->n > 0 && is_dated_map(n->items[0]);
	return is_dated_map(n);
}

/* ---- reading one dated value ------------------------------------------ */

static enum scrub_err
item_date(struct yctx *c, const struct ynode *n, const char *key, int32_t *out)
{
	const char *s;
	if (ynode_str(c, n, key, 16, &s) != SCRUB_OK)
		return SCRUB_EINPUT;
	if (!isotime_parse_date(s, n->len, out)) {
		char q[40];
		ynode_quote(n, q, sizeof(q));
		return ynode_error(
			c, n, "'%s' must be a date YYYY-MM-DD, not %s", key, q);
	}
	return SCRUB_OK;
}

static enum scrub_err
item_key(struct yctx *c, const struct ynode *k, const struct ynode *v,
	 struct dated_item *it)
{
	if (strcmp(k->str, "value") == 0) {
		it->value = v;
		return SCRUB_OK;
	}
	if (strcmp(k->str, "effective_from") == 0)
		return item_date(c, v, "effective_from", &it->from);
	if (strcmp(k->str, "effective_to") == 0)
		return item_date(c, v, "effective_to", &it->to);
	return ynode_error(c, k,
			   "unknown key '%s' in a dated value (value, "
			   "effective_from, effective_to)",
			   k->str);
}

/* Reads and checks one {value, effective_from, effective_to} mapping. */
static enum scrub_err
item_read(struct yctx *c, const struct ynode *n, struct dated_item *it)
{
	*it = (struct dated_item){INT32_MIN, INT32_MAX, NULL, n};
	if (!is_dated_map(n))
		return ynode_error(c, n,
				   "every item of a dated list must be a "
				   "mapping with 'value' and 'effective_from' "
				   "or 'effective_to'");
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; i < n->n; i++)
		if (item_key(c, n->keys[i], n->items[i], it) != SCRUB_OK)
			err = SCRUB_EINPUT;
	if (err != SCRUB_OK)
		return err;
	if (!it->value)
		return ynode_error(c, n, "a dated value needs 'value'");
	if (it->from > it->to) {
		char f[16], t[16];
		isotime_format_date(it->from, f, sizeof(f));
		isotime_format_date(it->to, t, sizeof(t));
		return ynode_error(c, ymap_get(n, "effective_to"),
				   "'effective_to' %s is before "
				   "'effective_from' %s",
				   t, f);
	}
	return SCRUB_OK;
}

/* The same without diagnostics, for a tree already checked. */
static void
item_get(const struct ynode *n, struct dated_item *it)
{
	*it = (struct dated_item){INT32_MIN, INT32_MAX, NULL, n};
	const struct ynode *v;
	if ((v = ymap_get(n, "effective_from")))
		isotime_parse_date(v->str, v->len, &it->from);
	if ((v = ymap_get(n, "effective_to")))
		isotime_parse_date(v->str, v->len, &it->to);
	it->value = ymap_get(n, "value");
}

/* ---- checking the tree and collecting the dates ------------------------ */

struct bounds {
	int32_t *days; /* sorted, distinct */
	int n, max;
};

/* Adds a period boundary (the first day of a new period). */
static enum scrub_err
bound_add(struct yctx *c, const struct ynode *at, struct bounds *b, int32_t day)
{
	int i = 0;
	while (i < b->n && b->days[i] < day)
		i++;
	if (i < b->n && b->days[i] == day)
		return SCRUB_OK;
	if (b->n == b->max)
		return ynode_error(c, at,
				   "too many effective dates: the rule set "
				   "may name at most %d distinct ones",
				   b->max);
	memmove(&b->days[i + 1], &b->days[i], (size_t)(b->n - i) * 4);
	b->days[i] = day;
	b->n++;
	return SCRUB_OK;
}

static enum scrub_err collect(struct yctx *c, const struct ynode *n,
			      struct bounds *b);

static enum scrub_err
collect_item(struct yctx *c, const struct dated_item *it, struct bounds *b)
{
	enum scrub_err err = SCRUB_OK;
	if (it->from != INT32_MIN)
		err = bound_add(c, it->node, b, it->from);
	if (err == SCRUB_OK && it->to != INT32_MAX)
		err = bound_add(c, it->node, b, it->to + 1);
	if (err == SCRUB_OK)
		err = collect(c, it->value, b);
	return err;
}

static enum scrub_err
overlap_error(struct yctx *c, const struct dated_item *a,
	      const struct dated_item *b)
{
	char sa[48], sb[48];
	isotime_format_span(a->from, a->to, ISOTIME_FROM, sa, sizeof(sa));
	isotime_format_span(b->from, b->to, ISOTIME_FROM, sb, sizeof(sb));
	return ynode_error(c, b->node,
			   "dated value (%s) overlaps the one at %s:%u:%u "
			   "(%s)",
			   sb, a->node->file, a->node->line, a->node->column,
			   sa);
}

static enum scrub_err
collect_list(struct yctx *c, const struct ynode *n, struct bounds *b)
{
	struct dated_item it[DATED_MAX_ITEMS];
	if (n->n > DATED_MAX_ITEMS)
		return ynode_error(c, n,
				   "a dated list may hold at most %d "
				   "periods",
				   DATED_MAX_ITEMS);
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; i < n->n; i++) {
		if (item_read(c, n->items[i], &it[i]) != SCRUB_OK) {
			err = SCRUB_EINPUT;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (it[j].value && it[i].from <= it[j].to &&
			    it[j].from <= it[i].to) {
				err = overlap_error(c, &it[j], &it[i]);
				break;
			}
		if (collect_item(c, &it[i], b) != SCRUB_OK)
			err = SCRUB_EINPUT;
	}
	return err;
}

static enum scrub_err
collect(struct yctx *c, const struct ynode *n, struct bounds *b)
{
	if (n->type == YNODE_SCALAR)
		return SCRUB_OK;
	if (n->type == YNODE_SEQ && rules__is_dated(n))
		return collect_list(c, n, b);
	if (is_dated_map(n)) {
		struct dated_item it;
		if (item_read(c, n, &it) != SCRUB_OK)
			return SCRUB_EINPUT;
		return collect_item(c, &it, b);
	}
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; i < n->n; i++)
		if (collect(c, n->items[i], b) != SCRUB_OK)
			err = SCRUB_EINPUT;
	return err;
}

enum scrub_err
rules__dated_bounds(struct yctx *c, const struct ynode *top, int32_t *days,
		    int max, int *n)
{
	struct bounds b = {days, 0, max};
	enum scrub_err err = collect(c, top, &b);
	*n = b.n;
	return err;
}

/* ---- resolving the tree for one day ----------------------------------- */

static bool
in_force(const struct dated_item *it, int32_t day)
{
	return it->from <= day && day <= it->to;
}

/* The value of dated node n in force on day, or NULL. */
static const struct ynode *
dated_pick(const struct ynode *n, int32_t day)
{
	struct dated_item it;
	if (n->type != YNODE_SEQ) {
		item_get(n, &it);
		return in_force(&it, day) ? it.value : NULL;
	}
	for (size_t i = 0; i < n->n; i++) {
		item_get(n->items[i], &it);
		if (in_force(&it, day))
			return it.value;
	}
	return NULL;
}

static enum scrub_err resolve(struct arena *a, const struct ynode *n,
			      int32_t day, const struct ynode **out);

/* A container whose children were resolved: n itself when none changed. */
static enum scrub_err
resolve_children(struct arena *a, const struct ynode *n, int32_t day,
		 const struct ynode **out)
{
	const struct ynode **items = arena_calloc(a, n->n + 1, sizeof(*items));
	struct ynode **keys = arena_calloc(a, n->n + 1, sizeof(*keys));
	if (!items || !keys)
		return SCRUB_ENOMEM;
	size_t m = 0;
	bool same = true;
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *r;
		enum scrub_err err = resolve(a, n->items[i], day, &r);
		if (err != SCRUB_OK)
			return err;
		same = same && r == n->items[i];
		if (!r)
			continue;
		if (n->type == YNODE_MAP)
			keys[m] = n->keys[i];
		items[m++] = r;
	}
	if (same) {
		*out = n;
		return SCRUB_OK;
	}
	struct ynode *copy = arena_alloc(a, sizeof(*copy));
	if (!copy)
		return SCRUB_ENOMEM;
	*copy = *n;
	copy->n = m;
	copy->items = (struct ynode **)items;
	copy->keys = n->type == YNODE_MAP ? keys : NULL;
	*out = copy;
	return SCRUB_OK;
}

static enum scrub_err
resolve(struct arena *a, const struct ynode *n, int32_t day,
	const struct ynode **out)
{
	if (n->type == YNODE_SCALAR) {
		*out = n;
		return SCRUB_OK;
	}
	if (rules__is_dated(n)) {
		const struct ynode *v = dated_pick(n, day);
		if (!v) {
			*out = NULL;
			return SCRUB_OK;
		}
		return resolve(a, v, day, out);
	}
	return resolve_children(a, n, day, out);
}

enum scrub_err
rules__dated_resolve(struct arena *a, const struct ynode *top, int32_t day,
		     const struct ynode **out)
{
	enum scrub_err err = resolve(a, top, day, out);
	if (err == SCRUB_OK && !*out) {
		/* a dated top level out of force: an empty rule tree */
		struct ynode *e = arena_alloc(a, sizeof(*e));
		if (!e)
			return SCRUB_ENOMEM;
		*e = (struct ynode){.type = YNODE_MAP,
				    .file = top->file,
				    .line = top->line,
				    .column = top->column};
		*out = e;
	}
	return err;
}

/*
 * admindex — see admindex.h.  Sorting does the grouping: O(n log n) for
 * n administrations, where pairwise comparison was O(n^2).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admindex.h"

struct keyed {
	const char *key;
	int i;
};

static bool
site_blank(char ch)
{
	return ch == ' ' || ch == '-' || ch == '_';
}

int
admindex_site_cmp(const char *a, const char *b)
{
	for (;;) {
		while (site_blank(*a))
			a++;
		while (site_blank(*b))
			b++;
		int ca = tolower((unsigned char)*a),
		    cb = tolower((unsigned char)*b);
		if (ca != cb || ca == 0)
			return ca - cb;
		a++, b++;
	}
}

void
admindex_sort(void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *))
{
	char tmp[64], *v = base;
	if (n > 12 || size > sizeof(tmp)) {
		qsort(base, n, size, cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		size_t k = i;
		memcpy(tmp, v + i * size, size);
		while (k > 0 && cmp(v + (k - 1) * size, tmp) > 0)
			k--;
		if (k == i)
			continue;
		memmove(v + (k + 1) * size, v + k * size, (i - k) * size);
		memcpy(v + k * size, tmp, size);
	}
}

/* Ties go by document order, so that groups list their members in it. */
static int
site_order(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int d = admindex_site_cmp(a->key, b->key);
	return d ? d : a->i - b->i;
}

static int
substance_order(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int d = strcasecmp(a->key, b->key);
	return d ? d : a->i - b->i;
}

/* Sorts v (n entries) and numbers its distinct keys from 0 into id[]
 * (per admin); returns how many there are. */
static int
number_keys(struct keyed *v, int n, int (*order)(const void *, const void *),
	    int *id)
{
	int next = -1;
	admindex_sort(v, (size_t)n, sizeof(*v), order);
	for (int k = 0; k < n; k++) {
		struct keyed a = {v[k].key, 0}, b = {k ? v[k - 1].key : "", 0};
		if (k == 0 || order(&a, &b) != 0)
			next++;
		id[v[k].i] = next;
	}
	return next + 1;
}

enum scrub_err
admindex_group(struct admindex_groups *g, const int *id, int n, int ngroups,
	       struct arena *a)
{
	g->n = ngroups;
	g->start = arena_calloc(a, (size_t)ngroups + 1, sizeof(int));
	g->items = arena_alloc_raw(a, ((size_t)n + 1) * sizeof(int));
	if (!g->start || !g->items)
		return SCRUB_ENOMEM;
	for (int i = 0; i < n; i++)
		g->start[id[i] + 1]++;
	for (int k = 0; k < ngroups; k++)
		g->start[k + 1] += g->start[k];
	/* each group's start serves as its fill pointer, then moves back */
	for (int i = 0; i < n; i++)
		g->items[g->start[id[i]]++] = i;
	for (int k = ngroups; k > 0; k--)
		g->start[k] = g->start[k - 1];
	g->start[0] = 0;
	return SCRUB_OK;
}

/* Same access (ruling 1): the same site, or two sites neither of which
 * documents the need for a separate one (a restart after an infiltration);
 * a subcutaneous site is an access of its own.  That is an equivalence, so
 * it can be a number: 0 for the main access, 1 + site for a site that
 * documents its need, 1 + nsites + site for a subcutaneous one. */
static void
number_access(struct admindex *ix, const struct claim *c, const int *site,
	      int nsites, bool *site_separate)
{
	int n = (int)c->nadmins;
	for (int i = 0; i < n; i++)
		site_separate[site[i]] |= c->admins[i].separate_site_required;
	for (int i = 0; i < n; i++) {
		ix->separate[i] = site_separate[site[i]];
		if (c->admins[i].route == ROUTE_SUBCUTANEOUS)
			ix->access[i] = 1 + nsites + site[i];
		else
			ix->access[i] = ix->separate[i] ? 1 + site[i] : 0;
	}
}

enum scrub_err
admindex_build(struct admindex *ix, const struct claim *c, struct arena *a)
{
	int n = (int)c->nadmins;
	size_t m = (size_t)n + 1;
	struct keyed *v = arena_alloc_raw(a, m * sizeof(*v));
	int *ints = arena_alloc_raw(a, 3 * m * sizeof(int));
	ix->separate = arena_alloc_raw(a, m * sizeof(bool));
	if (!v || !ints || !ix->separate)
		return SCRUB_ENOMEM;
	int *site = ints;
	ix->access = ints + m;
	ix->substance = ints + 2 * m;
	for (int i = 0; i < n; i++)
		v[i] = (struct keyed){c->admins[i].site, i};
	int nsites = number_keys(v, n, site_order, site);
	bool *site_separate = arena_calloc(a, (size_t)nsites + 1, sizeof(bool));
	if (!site_separate)
		return SCRUB_ENOMEM;
	number_access(ix, c, site, nsites, site_separate);
	for (int i = 0; i < n; i++)
		v[i] = (struct keyed){c->admins[i].substance, i};
	int nsubst = number_keys(v, n, substance_order, ix->substance);
	enum scrub_err err = admindex_group(&ix->by_access, ix->access, n,
					    1 + 2 * nsites, a);
	if (err == SCRUB_OK)
		err = admindex_group(&ix->by_substance, ix->substance, n,
				     nsubst, a);
	return err;
}

/*
 * dashcache — see dashcache.h.  A small array searched by key: there are
 * at most DCACHE_MAX filter sets, and a page renders thousands of rows
 * after the search.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "web/dashcache.h"

struct dentry {
	char *key;
	struct report rep;
	/* the report's filters, its own (rep points at them) */
	char *since, *until, *payer, *provider;
	time_t made, shown;
	bool refreshing;
};

struct dcache {
	long max_age;
	int n;
	struct dentry e[DCACHE_MAX];
};

struct dcache *
dcache_new(long max_age)
{
	struct dcache *c = calloc(1, sizeof(*c));
	if (c)
		c->max_age = max_age;
	return c;
}

static void
entry_clear(struct dentry *e)
{
	rpt_free(&e->rep);
	free(e->key);
	free(e->since);
	free(e->until);
	free(e->payer);
	free(e->provider);
	*e = (struct dentry){0};
}

void
dcache_free(struct dcache *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++)
		entry_clear(&c->e[i]);
	free(c);
}

static struct dentry *
find(struct dcache *c, const char *key)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->e[i].key, key) == 0)
			return &c->e[i];
	return NULL;
}

const struct report *
dcache_find(struct dcache *c, const char *key, time_t now, time_t *made,
	    bool *stale)
{
	struct dentry *e = c ? find(c, key) : NULL;
	if (!e)
		return NULL;
	e->shown = now;
	*made = e->made;
	*stale = now - e->made >= c->max_age;
	return &e->rep;
}

bool
dcache_kept(const struct dcache *c, const char *key)
{
	for (int i = 0; c && i < c->n; i++)
		if (strcmp(c->e[i].key, key) == 0)
			return true;
	return false;
}

bool
dcache_claim_refresh(struct dcache *c, const char *key)
{
	struct dentry *e = c ? find(c, key) : NULL;
	if (!e || e->refreshing)
		return false;
	e->refreshing = true;
	return true;
}

void
dcache_drop_refresh(struct dcache *c, const char *key)
{
	struct dentry *e = c ? find(c, key) : NULL;
	if (e)
		e->refreshing = false;
}

/* A copy of s, or NULL for NULL; false when out of memory. */
static bool
dup(char **to, const char *s)
{
	*to = s ? strdup(s) : NULL;
	return !s || *to;
}

/* The entry to fill for key: its own, a free one, or the one shown
 * longest ago, emptied. */
static struct dentry *
slot(struct dcache *c, const char *key)
{
	struct dentry *e = find(c, key);
	if (!e && c->n < DCACHE_MAX)
		return &c->e[c->n++];
	if (!e) {
		e = &c->e[0];
		for (int i = 1; i < c->n; i++)
			if (c->e[i].shown < e->shown)
				e = &c->e[i];
	}
	entry_clear(e);
	return e;
}

bool
dcache_put(struct dcache *c, const char *key, struct report *rep, time_t made)
{
	if (!c || c->max_age <= 0)
		return false;
	struct dentry n = {.made = made, .shown = made};
	if (!dup(&n.key, key) || !dup(&n.since, rep->since) ||
	    !dup(&n.until, rep->until) || !dup(&n.payer, rep->payer) ||
	    !dup(&n.provider, rep->provider)) {
		entry_clear(&n);
		return false;
	}
	n.rep = *rep;
	n.rep.since = n.since;
	n.rep.until = n.until;
	n.rep.payer = n.payer;
	n.rep.provider = n.provider;
	struct dentry *e = slot(c, key);
	*e = n;
	*rep = (struct report){0};
	return true;
}

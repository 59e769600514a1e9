/*
 * claimrows — claim document trees from the rows of claim_batch(); see
 * claimrows.h.  Keys come in jsonb's order (shorter keys first, then
 * bytewise), the order claim_document() gave them, so the reader meets a
 * bad row's problems in the order it always did.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/claimrows.h"
#include "scrubber/claimdoc.h"

/* Result columns: id, kind, seq, then f1..f9. */
enum { COL_ID, COL_KIND, COL_SEQ, COL_F1 };
enum { KIND_CLAIM = '0', KIND_LINE = '1', KIND_ADMIN = '2' };
/* Nesting of a modifiers array literal (PostgreSQL allows 6 dimensions). */
enum { MAX_DIMS = 6 };

struct tree {
	struct arena *a;
	const char *file; /* the claim_ref, for the reader's diagnostics */
	bool failed;	  /* out of memory */
	char *over;	  /* claimrows_claim.over, NULL when within */
};

static struct ynode *
node(struct tree *t, enum ynode_type type, size_t cap)
{
	struct ynode *n = arena_alloc(t->a, sizeof(*n));
	if (n && cap > 0) {
		n->items = arena_calloc(t->a, cap, sizeof(*n->items));
		if (type == YNODE_MAP)
			n->keys = arena_calloc(t->a, cap, sizeof(*n->keys));
		if (!n->items || (type == YNODE_MAP && !n->keys))
			n = NULL;
	}
	if (!n) {
		t->failed = true;
		return NULL;
	}
	n->type = type;
	n->file = t->file;
	n->line = n->column = 1;
	return n;
}

/* A scalar of len bytes at s (borrowed, NUL-terminated). */
static struct ynode *
scalar(struct tree *t, const char *s, size_t len, bool plain)
{
	struct ynode *n = node(t, YNODE_SCALAR, 0);
	if (n) {
		n->str = s;
		n->len = len;
		n->plain = plain;
	}
	return n;
}

/* A column's value: NULL as JSON null, else quoted (a string) or plain. */
static struct ynode *
value(struct tree *t, const PGresult *r, int row, int f, bool plain)
{
	int col = COL_F1 + f - 1;
	if (PQgetisnull(r, row, col))
		return scalar(t, "null", 4, true);
	return scalar(t, PQgetvalue(r, row, col),
		      (size_t)PQgetlength(r, row, col), plain);
}

static void
put(struct ynode *map, struct tree *t, const char *key, struct ynode *v)
{
	struct ynode *k = scalar(t, key, strlen(key), false);
	if (!map || !k || !v)
		return;
	map->keys[map->n] = k;
	map->items[map->n++] = v;
}

/* Only when the column is not NULL (jsonb_strip_nulls). */
static void
put_opt(struct ynode *map, struct tree *t, const char *key, const PGresult *r,
	int row, int f, bool plain)
{
	if (!PQgetisnull(r, row, COL_F1 + f - 1))
		put(map, t, key, value(t, r, row, f, plain));
}

/* true or false from PostgreSQL's t or f, as a plain scalar. */
static void
put_opt_bool(struct ynode *map, struct tree *t, const char *key,
	     const PGresult *r, int row, int f)
{
	int col = COL_F1 + f - 1;
	if (PQgetisnull(r, row, col))
		return;
	bool v = PQgetvalue(r, row, col)[0] == 't';
	put(map, t, key, scalar(t, v ? "true" : "false", v ? 4 : 5, true));
}

/* ---- modifiers: a text[] literal, {59,XS} or {"a b",NULL} or {{..},{..}} */

static struct ynode *array_lit(struct tree *t, const char **p, int depth);

/* A quoted element ("...", backslash escapes) at *p, unescaped. */
static struct ynode *
quoted(struct tree *t, const char **p)
{
	const char *s = *p + 1, *end = s;
	while (*end && *end != '"')
		end += end[0] == '\\' && end[1] ? 2 : 1;
	char *out = arena_alloc(t->a, (size_t)(end - s) + 1);
	size_t n = 0;
	if (!out) {
		t->failed = true;
		return NULL;
	}
	for (; s < end; s++) {
		if (*s == '\\' && s + 1 < end)
			s++;
		out[n++] = *s;
	}
	out[n] = '\0';
	*p = *end ? end + 1 : end;
	return scalar(t, out, n, false);
}

/* An element at *p: a nested array, NULL, or a string. */
static struct ynode *
element(struct tree *t, const char **p, int depth)
{
	if (**p == '{')
		return array_lit(t, p, depth + 1);
	if (**p == '"')
		return quoted(t, p);
	size_t n = strcspn(*p, ",}");
	const char *s = *p;
	*p += n;
	if (n == 4 && memcmp(s, "NULL", 4) == 0)
		return scalar(t, "null", 4, true);
	char *copy = arena_strndup(t->a, s, n);
	if (!copy) {
		t->failed = true;
		return NULL;
	}
	return scalar(t, copy, n, false);
}

/* The array at *p ("{" ... "}") as a sequence; past its end on return.
 * Malformed text (PostgreSQL never writes it) ends the array early. */
/* The number of elements of the array at s ("{"), at most: its commas
 * outside quotes and nested arrays, plus one.  Scans the array only. */
static size_t
width(const char *s)
{
	size_t n = 1;
	int depth = 0;
	for (bool quote = false; *s; s++) {
		if (quote) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				quote = false;
		} else if (*s == '"') {
			quote = true;
		} else if (*s == '{') {
			depth++;
		} else if (*s == '}') {
			if (--depth == 0)
				break;
		} else if (*s == ',' && depth == 1) {
			n++;
		}
	}
	return n;
}

static struct ynode *
array_lit(struct tree *t, const char **p, int depth)
{
	const char *s = *p;
	if (depth > MAX_DIMS || *s != '{')
		return node(t, YNODE_SEQ, 0);
	size_t cap = width(s);
	struct ynode *seq = node(t, YNODE_SEQ, cap);
	if (!seq)
		return NULL;
	s++;
	while (*s && *s != '}' && seq->n < cap) {
		struct ynode *e = element(t, &s, depth);
		if (!e)
			return NULL;
		seq->items[seq->n++] = e;
		if (*s == ',')
			s++;
		else if (*s != '}')
			break;
	}
	*p = *s == '}' ? s + 1 : s;
	return seq;
}

/* The modifiers column (text[] output); a lower bound ("[2:3]={...}") is
 * dropped, as array_to_json() dropped it. */
static struct ynode *
modifiers(struct tree *t, const char *text)
{
	const char *p = text;
	if (*p == '[' && strchr(p, '='))
		p = strchr(p, '=') + 1;
	return array_lit(t, &p, 1);
}

/* ---- the document ------------------------------------------------------ */

static char
kind_of(const PGresult *r, int row)
{
	return PQgetvalue(r, row, COL_KIND)[0];
}

/* The number of rows of one kind of claim id from row on. */
static int
run_of(const PGresult *r, int row, const char *id, char kind)
{
	int n = 0, rows = PQntuples(r);
	while (row + n < rows && kind_of(r, row + n) == kind &&
	       strcmp(PQgetvalue(r, row + n, COL_ID), id) == 0)
		n++;
	return n;
}

/* f1 code, f2 units, f3 modifiers (NULL when none). */
static struct ynode *
line(struct tree *t, const PGresult *r, int row)
{
	struct ynode *m = node(t, YNODE_MAP, 3);
	put(m, t, "code", value(t, r, row, 1, false));
	put(m, t, "units", value(t, r, row, 2, true));
	if (!PQgetisnull(r, row, COL_F1 + 2))
		put(m, t, "modifiers",
		    modifiers(t, PQgetvalue(r, row, COL_F1 + 2)));
	return m;
}

/* f1 admin_ref, f2 substance, f3 kind, f4 route, f5 site, f6 start,
 * f7 stop, f8 primary, f9 separate_site_required. */
static struct ynode *
admin(struct tree *t, const PGresult *r, int row)
{
	struct ynode *m = node(t, YNODE_MAP, 9);
	put(m, t, "id", value(t, r, row, 1, false));
	put(m, t, "kind", value(t, r, row, 3, false));
	put_opt(m, t, "site", r, row, 5, false);
	put_opt(m, t, "stop", r, row, 7, false);
	put_opt(m, t, "route", r, row, 4, false);
	put_opt(m, t, "start", r, row, 6, false);
	put_opt_bool(m, t, "primary", r, row, 8);
	put(m, t, "substance", value(t, r, row, 2, false));
	put_opt_bool(m, t, "separate_site_required", r, row, 9);
	return m;
}

/* The limit the claim's rows of a kind were cut at (its row's f8, f9), or
 * -1 when they were not (rows without one, as in 006 and 007). */
static long
cut_at(const PGresult *r, int own, char kind)
{
	int col = COL_F1 + (kind == KIND_LINE ? 8 : 9) - 1;
	if (PQgetisnull(r, own, col))
		return -1;
	return strtol(PQgetvalue(r, own, col), NULL, 10);
}

/* Notes in t->over that the list of a kind is longer than cut: only the
 * first cut + 1 rows were read, so the rest is unknown. */
static void
note_over(struct tree *t, char kind, long cut)
{
	enum { SIZE = 160 };
	if (!t->over) {
		t->over = arena_alloc(t->a, SIZE);
		if (!t->over) {
			t->failed = true;
			return;
		}
		t->over[0] = '\0';
	}
	size_t len = strlen(t->over);
	snprintf(t->over + len, SIZE - len,
		 "%sit has more than %ld %s, more than the rules judge (%s: "
		 "%ld)",
		 len ? "; " : "", cut,
		 kind == KIND_LINE ? "lines" : "administrations",
		 kind == KIND_LINE ? "max_lines" : "max_administrations", cut);
}

/* The claim's lines or administrations from *row on, as a sequence.  Past
 * the reader's limit, or the limit the rows were cut at (cut, -1 for
 * none), only the count is kept: the reader refuses the list by its length
 * before it looks at any item, and a claim over the cut is refused before
 * it is read at all. */
static struct ynode *
list(struct tree *t, const PGresult *r, int *row, const char *id, char kind,
     long cut)
{
	int n = run_of(r, *row, id, kind);
	int limit =
		kind == KIND_LINE ? CLAIMDOC_MAX_LINES : CLAIMDOC_MAX_ADMINS;
	if (cut >= 0 && n > cut) {
		note_over(t, kind, cut);
		limit = -1;
	}
	struct ynode *seq = node(t, YNODE_SEQ, n > limit ? 0 : (size_t)n);
	if (seq && n > limit) {
		seq->n = (size_t)n;
		*row += n;
		return seq;
	}
	for (int i = 0; seq && i < n; i++) {
		struct ynode *item = kind == KIND_LINE ? line(t, r, *row + i)
						       : admin(t, r, *row + i);
		if (item)
			seq->items[seq->n++] = item;
	}
	*row += n;
	return seq;
}

/* f1 version, f2 tries, f3 claim_ref, f4 payer, f5 setting, f6 provider,
 * f7 date_of_service, f8 and f9 the limits the lines and administrations
 * were cut at (NULL: not cut); then the claim's lines and
 * administrations. */
static struct ynode *
document(struct tree *t, const PGresult *r, int *row, const char *id)
{
	int own = (*row)++;
	struct ynode *m = node(t, YNODE_MAP, 7);
	put(m, t, "claim", value(t, r, own, 3, false));
	put(m, t, "lines",
	    list(t, r, row, id, KIND_LINE, cut_at(r, own, KIND_LINE)));
	put_opt(m, t, "payer", r, own, 4, false);
	put(m, t, "setting", value(t, r, own, 5, false));
	put_opt(m, t, "provider", r, own, 6, false);
	put(m, t, "administrations",
	    list(t, r, row, id, KIND_ADMIN, cut_at(r, own, KIND_ADMIN)));
	put_opt(m, t, "date_of_service", r, own, 7, false);
	return m;
}

bool
claimrows_next(const PGresult *r, int *row, struct arena *a,
	       struct claimrows_claim *c, struct ynode **doc)
{
	int n = PQntuples(r);
	while (*row < n && kind_of(r, *row) != KIND_CLAIM)
		++*row;
	*doc = NULL;
	if (*row >= n)
		return false;
	c->id = PQgetvalue(r, *row, COL_ID);
	c->version = PQgetvalue(r, *row, COL_F1);
	c->tries = PQgetvalue(r, *row, COL_F1 + 1);
	c->ref = PQgetvalue(r, *row, COL_F1 + 2);
	c->payer = PQgetisnull(r, *row, COL_F1 + 3)
			   ? NULL
			   : PQgetvalue(r, *row, COL_F1 + 3);
	struct tree t = {a, c->ref, false, NULL};
	struct ynode *d = document(&t, r, row, c->id);
	c->over = t.over;
	*doc = t.failed ? NULL : d;
	return true;
}

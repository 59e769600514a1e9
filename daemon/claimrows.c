/*
 * claimrows — claims read from the rows of claim_batch(); see claimrows.h.
 * A column's value is handed to the engine's validator for its field
 * (claimfield_read) as the scalar a claim document would hold: quoted text,
 * a plain number, a plain true or false, and for a NULL in a required
 * column (or one with a default, which submit() always stores) a plain
 * null, refused with the validator's own message; a NULL in any other
 * column is the key left out.  Fields are read in the table's order, so a
 * claim's problems are listed as its canonical document lists them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/claimrows.h"
#include "scrubber/claimdoc.h"

enum { KIND_CLAIM = '0' };
/* Nesting of a modifiers array literal (PostgreSQL allows 6 dimensions). */
enum { MAX_DIMS = 6 };
/* The longest column name: a prefix and a key. */
enum { NAME_MAX_LEN = 96 };

/* What the array literal parser builds in: the value nodes of one column. */
struct tree {
	struct arena *a;
	const char *file; /* the claim_ref, for the reader's diagnostics */
	bool failed;	  /* out of memory */
};

static struct ynode *
node(struct tree *t, enum ynode_type type, size_t cap)
{
	struct ynode *n = arena_calloc(t->a, 1, sizeof(*n));
	if (n && cap > 0) {
		n->items = arena_calloc(t->a, cap, sizeof(*n->items));
		if (!n->items)
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

/* ---- a text[] literal (modifiers): {59,XS} or {"a b",NULL} or {{..},{..}} */

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

/* A text[] column as a sequence; a lower bound ("[2:3]={...}") is dropped,
 * as array_to_json() dropped it. */
static struct ynode *
array_col(struct tree *t, const char *text)
{
	const char *p = text;
	if (*p == '[' && strchr(p, '='))
		p = strchr(p, '=') + 1;
	return array_lit(t, &p, 1);
}

/* ---- columns by name ----------------------------------------------------- */

static const char *const level_prefix[CF_LEVELS] = {"", "line_", "admin_"};

static bool
find(const PGresult *r, const char *a, const char *b, int *col, char *why,
     size_t size)
{
	char name[NAME_MAX_LEN];
	snprintf(name, sizeof(name), "%s%s", a, b);
	*col = PQfnumber(r, name);
	if (*col < 0)
		snprintf(why, size, "the claim rows have no column %s", name);
	return *col >= 0;
}

bool
claimrows_open(struct claimrows *rs, const PGresult *r, char *why, size_t size)
{
	bool ok = find(r, "", "id", &rs->id, why, size) &&
		  find(r, "", "kind", &rs->kind, why, size) &&
		  find(r, "", "version", &rs->version, why, size) &&
		  find(r, "", "tries", &rs->tries, why, size) &&
		  find(r, "", "mar_record", &rs->mar, why, size) &&
		  find(r, "", "cut_mar", &rs->cut_mar, why, size);
	rs->r = r;
	for (const struct claim_field *f = claim_fields; ok && f->key; f++) {
		size_t i = (size_t)(f - claim_fields);
		if (i >= CLAIMFIELD_MAX) {
			snprintf(why, size, "more than %d claim fields",
				 CLAIMFIELD_MAX);
			return false;
		}
		rs->cut[i] = rs->col[i] = -1;
		if (f->type == CF_LIST)
			ok = find(r, "cut_", f->key, &rs->cut[i], why, size);
		else
			ok = find(r, level_prefix[f->level], f->key,
				  &rs->col[i], why, size);
	}
	return ok;
}

/* ---- a claim's rows ------------------------------------------------------- */

static char
kind_of(const struct claimrows *rs, int row)
{
	return PQgetvalue(rs->r, row, rs->kind)[0];
}

/* The number of rows of one kind of claim id from row on. */
static int
run_of(const struct claimrows *rs, int row, const char *id, char kind)
{
	int n = 0, rows = PQntuples(rs->r);
	while (row + n < rows && kind_of(rs, row + n) == kind &&
	       strcmp(PQgetvalue(rs->r, row + n, rs->id), id) == 0)
		n++;
	return n;
}

/* The limit a list's rows were cut at (cut_KEY of the claim's row), or -1
 * when they were not. */
static long
cut_at(const struct claimrows *rs, int own, const struct claim_field *f)
{
	int col = rs->cut[f - claim_fields];
	if (PQgetisnull(rs->r, own, col))
		return -1;
	return strtol(PQgetvalue(rs->r, own, col), NULL, 10);
}

/* Notes in c->over that list f is longer than cut: only the first cut + 1
 * rows were read, so the rest is unknown. */
static void
note_over(struct claimrows_claim *c, struct arena *a,
	  const struct claim_field *f, long cut)
{
	enum { SIZE = 160 };
	char *over = (char *)c->over;
	if (!over) {
		over = arena_alloc(a, SIZE);
		if (!over) {
			c->failed = true;
			return;
		}
		over[0] = '\0';
		c->over = over;
	}
	size_t len = strlen(over);
	snprintf(over + len, SIZE - len,
		 "%sit has more than %ld %s, more than the rules judge "
		 "(max_%s: %ld)",
		 len ? "; " : "", cut, f->key, f->key, cut);
}

/* The same for its MAR records: at most 8 an administration are paired
 * (cut_mar). */
static void
note_over_mar(struct claimrows_claim *c, struct arena *a, long cut)
{
	char buf[200];
	snprintf(buf, sizeof(buf),
		 "%s%sits encounter has more than %ld MAR records, more than "
		 "the rules judge (8 an administration of max_administrations)",
		 c->over ? c->over : "", c->over ? "; " : "", cut);
	char *over = arena_alloc(a, strlen(buf) + 1);
	if (!over)
		c->failed = true;
	else
		c->over = strcpy(over, buf);
}

/* The column of the claim's field key. */
static int
column(const struct claimrows *rs, const char *key)
{
	const struct claim_field *f =
		claimfield_find(CF_CLAIM, key, strlen(key));
	return rs->col[f - claim_fields];
}

bool
claimrows_next(const struct claimrows *rs, int *row, struct arena *a,
	       struct claimrows_claim *c)
{
	const PGresult *r = rs->r;
	int n = PQntuples(r);
	while (*row < n && kind_of(rs, *row) != KIND_CLAIM)
		++*row;
	if (*row >= n)
		return false;
	memset(c, 0, sizeof(*c));
	c->own = (*row)++;
	c->id = PQgetvalue(r, c->own, rs->id);
	c->version = PQgetvalue(r, c->own, rs->version);
	c->tries = PQgetvalue(r, c->own, rs->tries);
	c->ref = PQgetvalue(r, c->own, column(rs, "claim"));
	c->payer = PQgetisnull(r, c->own, column(rs, "payer"))
			   ? NULL
			   : PQgetvalue(r, c->own, column(rs, "payer"));
	for (const struct claim_field *f = claim_fields; f->key; f++) {
		if (f->type != CF_LIST)
			continue;
		int k = run_of(rs, *row, c->id, (char)('0' + f->child));
		long cut = cut_at(rs, c->own, f);
		c->first[f->child] = *row;
		c->n[f->child] = k;
		if (cut >= 0 && k > cut)
			note_over(c, a, f, cut);
		*row += k;
	}
	int k = run_of(rs, *row, c->id, '3');
	long cut =
		PQgetisnull(r, c->own, rs->cut_mar)
			? -1
			: strtol(PQgetvalue(r, c->own, rs->cut_mar), NULL, 10);
	c->mar_first = *row;
	c->mar_n = k;
	if (cut >= 0 && k > cut)
		note_over_mar(c, a, cut);
	*row += k;
	return true;
}

/* ---- a claim's fields ------------------------------------------------------ */

struct reader {
	const struct claimrows *rs;
	const struct claimrows_claim *c;
	struct yctx ctx;
	struct ynode at; /* where a problem of the claim is reported */
	/* the item being read: its list ("lines") and 1-based index; NULL
	 * for the claim itself */
	const char *list;
	size_t item;
};

/* Puts the field path of f in the item being read, as a document's reader
 * names it ("lines[2].units", "payer"), as the file of the diagnostics
 * from index n0 on: they were made at the value's node, which carries the
 * claim ref, and claimrows_reason names the value by it.  Only a bad
 * value pays for the path, not every cell read. */
static void
name_field(struct reader *rd, const struct claim_field *f, size_t n0)
{
	char buf[160];
	if (rd->list)
		snprintf(buf, sizeof(buf), "%s[%zu].%s", rd->list, rd->item,
			 f->key);
	else
		snprintf(buf, sizeof(buf), "%s", f->key);
	for (size_t i = n0; i < rd->ctx.dl->n; i++) {
		char *path = strdup(buf);
		if (!path)
			return; /* the reason keeps the claim ref */
		free(rd->ctx.dl->items[i].file);
		rd->ctx.dl->items[i].file = path;
	}
}

/* A NULL column is the key left out, but for a required field and one with
 * a default (submit() stores it): there the value is null, refused. */
static bool
null_is_absent(const struct claim_field *f)
{
	return !f->required && f->type != CF_INT;
}

/* The value of field f in row as a document would hold it, in *v (or a
 * node in the arena, for an array), into *out; NULL when the key is left
 * out. */
static enum scrub_err
cell(struct reader *rd, int row, const struct claim_field *f, struct ynode *v,
     const struct ynode **out)
{
	const PGresult *r = rd->rs->r;
	int col = rd->rs->col[f - claim_fields];
	*v = rd->at;
	v->type = YNODE_SCALAR;
	*out = v;
	if (PQgetisnull(r, row, col)) {
		v->str = "null";
		v->len = 4;
		v->plain = true;
		*out = null_is_absent(f) ? NULL : v;
		return SCRUB_OK;
	}
	const char *s = PQgetvalue(r, row, col);
	if (f->type == CF_CODES) {
		struct tree t = {rd->ctx.arena, rd->c->ref, false};
		*out = array_col(&t, s);
		return t.failed ? SCRUB_ENOMEM : SCRUB_OK;
	}
	v->plain = f->type == CF_BOOL || f->type == CF_INT;
	v->str = s;
	v->len = (size_t)PQgetlength(r, row, col);
	if (f->type == CF_BOOL) {
		v->str = s[0] == 't' ? "true" : "false";
		v->len = strlen(v->str);
	}
	return SCRUB_OK;
}

static enum scrub_err read_list(struct reader *rd, const struct claim_field *f,
				void *obj);

/* The fields of level in row into obj, in the table's order, every error
 * collected; *seen gets the fields the row has. */
static enum scrub_err
read_fields(struct reader *rd, enum claimfield_level level, int row, void *obj,
	    uint64_t *seen)
{
	enum scrub_err err = SCRUB_OK;
	*seen = 0;
	for (const struct claim_field *f = claim_fields; f->key; f++) {
		struct ynode v;
		const struct ynode *val = NULL;
		enum scrub_err e = SCRUB_OK;
		if (f->level != level)
			continue;
		if (f->type == CF_LIST)
			e = read_list(rd, f, obj);
		else if ((e = cell(rd, row, f, &v, &val)) == SCRUB_OK && val) {
			size_t n0 = rd->ctx.dl->n;
			e = claimfield_read(&rd->ctx, f, val, obj);
			if (e == SCRUB_EINPUT)
				name_field(rd, f, n0);
		}
		*seen |= val ? claimfield_bit(f) : 0;
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	return err;
}

/* Where a repeated administration id is reported: the id of item i (from
 * 0) of the list being read, "administrations[2].id", as the document's
 * reader reports it. */
static const struct ynode *
at_item_id(const void *arg, size_t i)
{
	const struct reader *rd = arg;
	struct ynode *n = arena_alloc(rd->ctx.arena, sizeof(*n));
	char buf[96];
	snprintf(buf, sizeof(buf), "%s[%zu].id", rd->list, i + 1);
	char *path = n ? arena_alloc(rd->ctx.arena, strlen(buf) + 1) : NULL;
	if (!path)
		return &rd->at;
	*n = rd->at;
	n->file = strcpy(path, buf);
	return n;
}

/* List f's rows into the claim at obj: refused by its length before any
 * item is read, every item read, administration ids checked once all were
 * good; as claimdoc reads a list. */
static enum scrub_err
read_list(struct reader *rd, const struct claim_field *f, void *obj)
{
	size_t n = (size_t)rd->c->n[f->child];
	int first = rd->c->first[f->child];
	enum scrub_err err = claimfield_list_len(&rd->ctx, f, &rd->at, n);
	if (err != SCRUB_OK)
		return err;
	char *items = arena_calloc(rd->ctx.arena, n ? n : 1, f->size);
	if (!items)
		return SCRUB_ENOMEM;
	void *p = items; /* the member is a struct pointer: same bytes */
	memcpy((char *)obj + f->offset, &p, sizeof(p));
	for (size_t i = 0; i < n; i++) {
		void *item = items + i * f->size;
		uint64_t seen;
		claimfield_defaults(f->child, item);
		rd->list = f->key;
		rd->item = i + 1;
		enum scrub_err e =
			read_fields(rd, f->child, first + (int)i, item, &seen);
		rd->list = NULL;
		if (e == SCRUB_OK)
			e = claimfield_check_item(&rd->ctx, f->child, &rd->at,
						  item, seen);
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	memcpy((char *)obj + f->present, &n, sizeof(n));
	if (err != SCRUB_OK || f->child != CF_ADMIN)
		return err;
	rd->list = f->key;
	err = claimfield_check_ids(&rd->ctx, obj, at_item_id, rd);
	rd->list = NULL;
	return err;
}

enum scrub_err
claimrows_read(const struct claimrows *rs, const struct claimrows_claim *c,
	       struct arena *a, struct claim *out, struct diag_list *dl)
{
	struct reader rd = {rs, c, {a, dl}, {0}, NULL, 0};
	uint64_t seen;
	rd.at.type = YNODE_MAP;
	rd.at.file = c->ref;
	rd.at.line = rd.at.column = 1;
	memset(out, 0, sizeof(*out));
	return read_fields(&rd, CF_CLAIM, c->own, out, &seen);
}

enum scrub_err
claimrows_mar(const struct claimrows *rs, const struct claimrows_claim *c,
	      struct arena *a, const struct mar_record ***recs, size_t *n,
	      struct diag_list *dl)
{
	size_t m = (size_t)c->mar_n;
	struct mar_record *v = arena_calloc(a, m ? m : 1, sizeof(*v));
	const struct mar_record **p = arena_calloc(a, m ? m : 1, sizeof(*p));
	*recs = NULL;
	*n = 0;
	if (!v || !p)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < m; i++) {
		int row = c->mar_first + (int)i;
		size_t n0 = dl->n;
		enum scrub_err err = marrec_json_read(
			a, PQgetvalue(rs->r, row, rs->mar),
			(size_t)PQgetlength(rs->r, row, rs->mar), &v[i], dl);
		if (err == SCRUB_EINPUT && dl->n > n0) {
			char place[40];
			snprintf(place, sizeof(place), "mar_record %zu", i + 1);
			free(dl->items[n0].file);
			dl->items[n0].file = strdup(place);
		}
		if (err != SCRUB_OK)
			return err;
		p[i] = &v[i];
	}
	*recs = p;
	*n = m;
	return SCRUB_OK;
}

const char *
claimrows_reason(const struct claimrows_claim *c, const struct diag *d,
		 char *buf, size_t size)
{
	if (!d->file || strcmp(d->file, c->ref) == 0)
		return d->message;
	snprintf(buf, size, "%s: %s", d->file, d->message);
	return buf;
}

/*
 * x12_int — what the 837 reader's two files share (see x12.h): the
 * reader's state, a segment cut into elements, the element helpers
 * (static inline: small and hot), and the cross-file calls (x12__): the
 * diagnostics and the envelope in x12.c, the loops of a claim in
 * x12_claim.c.  Not for any other module.
 */
#ifndef SCRUBBER_X12_INT_H
#define SCRUBBER_X12_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "arena.h"
#include "x12.h"

struct span {
	const char *p;
	size_t len;
};

struct seg {
	char id[4];
	struct span el[X12_MAX_ELEMENTS + 1]; /* el[0]: the id */
	size_t off[X12_MAX_ELEMENTS + 1];     /* each element's byte offset */
	size_t end;			      /* the terminator's offset */
	int n;				      /* elements after the id */
	unsigned number;		      /* 1-based in the file */
};

/* Where the transaction set is: which loop the next segment belongs to. */
enum ctx { C_HEADER, C_HL20, C_HL22, C_HL23, C_CLAIM, C_LINE };

/* The claim being read, and its current line. */
struct wip {
	struct x12_claim *c; /* NULL: none open */
	struct claim_line *lines;
	struct x12_line *xl;
	size_t cap;
	bool want_sv, has_sv, has_date, has_ndc; /* the current line's */
	struct seg lx;				 /* the current line's LX */
	struct seg clm;
	int32_t first_day; /* the earliest date of the claim */
	bool has_day;
};

struct rd {
	const char *file, *buf;
	size_t len, pos;
	char es, rs, cs, st; /* element, repetition, component, terminator */
	struct diag_list *dl;
	unsigned ndiags;
	bool stop, limit, nomem;
	struct arena *arena;
	struct x12 *x;
	size_t cur_off, cur_start; /* position cursor: offset of a line */
	unsigned cur_line;
	unsigned segno;
	/* envelope */
	struct span isa13, gs06, gs08, st02;
	bool in_gs, in_st, done;
	unsigned ngs, nst, st_first;
	enum x12_kind kind;
	/* hierarchy */
	enum ctx ctx;	/* the loop being read */
	enum ctx level; /* the HL level above it (C_HEADER before one) */
	unsigned nhl, hl20, hl22;
	const char *billing_npi, *payer_id, *payer_name;
	struct wip w;
};

struct x12 {
	struct arena *arena;
	struct x12_claim *claims;
	size_t n, cap;
};

/* ---- elements ----------------------------------------------------------- */

static inline struct span
el(const struct seg *s, int e)
{
	return e <= s->n ? s->el[e] : (struct span){"", 0};
}

/* Component k (1-based) of element v; empty when absent. */
static inline struct span
comp(const struct rd *r, struct span v, int k)
{
	const char *p = v.p, *end = v.p + v.len;
	for (int i = 1; i < k; i++) {
		const char *q = memchr(p, r->cs, (size_t)(end - p));
		if (!q)
			return (struct span){"", 0};
		p = q + 1;
	}
	const char *q = memchr(p, r->cs, (size_t)(end - p));
	return (struct span){p, q ? (size_t)(q - p) : (size_t)(end - p)};
}

static inline bool
is(struct span v, const char *lit)
{
	return v.len == strlen(lit) && memcmp(v.p, lit, v.len) == 0;
}

/* (An empty span may have a NULL pointer, which memcmp must not get.) */
static inline bool
spans_equal(struct span a, struct span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool
all_digits(struct span v)
{
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
	return v.len > 0;
}

/* n upper-case letters or digits: a HCPCS/CPT code (5), a modifier (2). */
static inline bool
code_shape(struct span v, size_t n)
{
	if (v.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = v.p[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return false;
	}
	return true;
}

/* A number of at most 9 digits, as control numbers and counts are. */
static inline bool
small_number(struct span v, unsigned long *out)
{
	if (!all_digits(v) || v.len > 9)
		return false;
	unsigned long n = 0;
	for (size_t i = 0; i < v.len; i++)
		n = n * 10 + (unsigned long)(v.p[i] - '0');
	*out = n;
	return true;
}

static inline const char *
dup(struct rd *r, struct span v)
{
	const char *s = arena_strndup(r->arena, v.p, v.len);
	if (!s) {
		r->nomem = true;
		r->stop = true;
	}
	return s;
}

/* At most 60 bytes of v for a message, in quotes by the caller (the
 * bytes are printable: the tokenizer refused the others). */
static inline int
shown(struct span v)
{
	return v.len > 60 ? 60 : (int)v.len;
}

#define SHOW(v) shown(v), (v).p

/* ---- cross-file calls ------------------------------------------------ */

/* An error of element e (0: the segment), component c (0: the whole
 * element) of s, named "CLM05-3: ... (segment 14, CLM)" (x12.c). */
void x12__bad(struct rd *r, const struct seg *s, int e, int c, const char *fmt,
	      ...) __attribute__((format(printf, 5, 6)));

/* Line and column (1-based) of element e of s (x12.c). */
void x12__where(struct rd *r, const struct seg *s, int e, unsigned *line,
		unsigned *col);

/* Element e of s as a number into *n; false (reported) when not one. */
bool x12__want_number(struct rd *r, const struct seg *s, int e,
		      unsigned long *n);

/* Ends the open claim, if any, checks it whole and keeps it
 * (x12_claim.c). */
void x12__finish_claim(struct rd *r);

/* The transaction set's segments that the reader reads (x12_claim.c);
 * the dispatch table of x12.c names them. */
void x12__on_hl(struct rd *r, const struct seg *s);
void x12__on_nm1(struct rd *r, const struct seg *s);
void x12__on_clm(struct rd *r, const struct seg *s);
void x12__on_dtp(struct rd *r, const struct seg *s);
void x12__on_lx(struct rd *r, const struct seg *s);
void x12__on_sv(struct rd *r, const struct seg *s);
void x12__on_lin(struct rd *r, const struct seg *s);
void x12__on_ref(struct rd *r, const struct seg *s);

#endif

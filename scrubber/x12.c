/*
 * x12 — the strict 837 reader; see x12.h.  This file: the diagnostics,
 * the tokenizer, the ISA and the envelope, the dispatch and the public
 * calls; the loops of a claim are in x12_claim.c.
 *
 * Three layers, each one pass, no recursion: the tokenizer cuts the buffer
 * into segments at the terminator and into elements at the element
 * separator, checking the syntax of every segment (id, byte set, element
 * and component counts); the envelope checks ISA/GS/ST against IEA/GE/SE;
 * the transaction layer is a state machine over the loops (where we are:
 * under which HL level, in a claim, in a line) whose segment handlers are
 * rows of a table.  A claim is kept only once its loop ends (a new CLM,
 * HL or SE) and its whole is checked (lines, dates, the charge balance).
 *
 * Offsets are kept per element; a diagnostic's line and column are found
 * from the offset only when one is reported, by a cursor that moves
 * forward through the buffer, so a good file costs no line counting.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x12_int.h"

/* The ISA segment is fixed-width: its element widths (ISA01..ISA16). */
static const unsigned char isa_widths[16] = {2, 10, 2, 10, 2, 15, 2, 15,
					     6, 4,  1, 5,  9, 1,  1, 1};
/* "ISA", 16 separators and the widths above, then the terminator. */
#define ISA_LEN 106

/* ---- diagnostics -------------------------------------------------------- */

/* Line and column (1-based) of byte offset off. */
static void
where(struct rd *r, size_t off, unsigned *line, unsigned *col)
{
	if (off < r->cur_start) { /* rare: back to the top */
		r->cur_off = r->cur_start = 0;
		r->cur_line = 1;
	}
	for (; r->cur_off < off && r->cur_off < r->len; r->cur_off++)
		if (r->buf[r->cur_off] == '\n') {
			r->cur_line++;
			r->cur_start = r->cur_off + 1;
		}
	*line = r->cur_line;
	*col = (unsigned)(off - r->cur_start + 1);
}

/* Reports at byte offset off; after X12_MAX_DIAGS, says so once and stops
 * the reading. */
static void vreport(struct rd *r, size_t off, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void
vreport(struct rd *r, size_t off, const char *fmt, va_list ap)
{
	char msg[400];
	unsigned line, col;
	if (r->ndiags > X12_MAX_DIAGS)
		return;
	where(r, off, &line, &col);
	if (r->ndiags++ == X12_MAX_DIAGS) {
		r->stop = true;
		snprintf(msg, sizeof(msg),
			 "more than %u errors; reading stopped", X12_MAX_DIAGS);
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
	}
	if (diag_add(r->dl, r->file, line, col, "%s", msg) != SCRUB_OK) {
		r->nomem = true;
		r->stop = true;
	}
}

static void report_at(struct rd *r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report_at(struct rd *r, size_t off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(r, off, fmt, ap);
	va_end(ap);
}

/* Where component k (1-based) of v starts within it; v's length when
 * v has fewer. */
static size_t
comp_offset(const struct rd *r, struct span v, int k)
{
	size_t i = 0;
	for (int n = 1; n < k; n++) {
		const char *q = memchr(v.p + i, r->cs, v.len - i);
		if (!q)
			return v.len;
		i = (size_t)(q - v.p) + 1;
	}
	return i;
}

void
x12__where(struct rd *r, const struct seg *s, int e, unsigned *line,
	   unsigned *col)
{
	where(r, e <= s->n ? s->off[e] : s->end, line, col);
}

/* An error of element e (0: the segment), component c (0: the whole
 * element) of s: at the element, or at the terminator when it is absent;
 * named "CLM05-3: ... (segment 14, CLM)". */
void
x12__bad(struct rd *r, const struct seg *s, int e, int c, const char *fmt, ...)
{
	char msg[320], ref[32] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t off = e <= s->n ? s->off[e] : s->end;
	if (e <= s->n && c > 1) /* at the component, when it is there */
		off += comp_offset(r, s->el[e], c);
	if (e > 0 && c > 0)
		snprintf(ref, sizeof(ref), "%s%02d-%d: ", s->id, e, c);
	else if (e > 0)
		snprintf(ref, sizeof(ref), "%s%02d: ", s->id, e);
	report_at(r, off, "%s%s (segment %u, %s)", ref, msg, s->number, s->id);
}

/* ---- the tokenizer ------------------------------------------------------ */

/* Checks the bytes and shape of one element (e > 0) of s. */
static void
check_element(struct rd *r, const struct seg *s, int e)
{
	struct span v = s->el[e];
	unsigned ncomp = 1;
	if (v.len > X12_MAX_ELEMENT_BYTES) {
		x12__bad(r, s, e, 0, "%zu bytes; an element holds at most %d",
			 v.len, X12_MAX_ELEMENT_BYTES);
		return;
	}
	for (size_t i = 0; i < v.len; i++) {
		unsigned char ch = (unsigned char)v.p[i];
		if (ch < 0x20 || ch > 0x7e) {
			report_at(r, s->off[e] + i,
				  "%s%02d: byte 0x%02x is not a printable "
				  "character (segment %u, %s)",
				  s->id, e, ch, s->number, s->id);
			return;
		}
		ncomp += v.p[i] == r->cs;
	}
	if (ncomp > X12_MAX_COMPONENTS)
		x12__bad(r, s, e, 0,
			 "%u components; a composite has at most %d", ncomp,
			 X12_MAX_COMPONENTS);
}

/* Splits the segment at [start, end) into s; false (reported) when its
 * id or element count is bad, so it is not read further. */
static bool
split(struct rd *r, size_t start, size_t end, struct seg *s)
{
	const char *p = r->buf + start, *stop = r->buf + end;
	s->n = -1;
	s->end = end;
	s->number = r->segno;
	for (;;) {
		const char *q = memchr(p, r->es, (size_t)(stop - p));
		const char *e = q ? q : stop;
		if (s->n == X12_MAX_ELEMENTS) {
			report_at(r, start,
				  "more than %d elements (segment %u)",
				  X12_MAX_ELEMENTS, s->number);
			return false;
		}
		s->n++;
		s->el[s->n] = (struct span){p, (size_t)(e - p)};
		s->off[s->n] = (size_t)(p - r->buf);
		if (!q)
			break;
		p = q + 1;
	}
	struct span id = s->el[0];
	if ((id.len != 2 && id.len != 3) || !code_shape(id, id.len)) {
		report_at(r, start, "'%.*s' is not a segment id (segment %u)",
			  SHOW(id), s->number);
		return false;
	}
	memcpy(s->id, id.p, id.len);
	s->id[id.len] = '\0';
	return true;
}

/* Skips the line breaks allowed after a terminator. */
static void
skip_breaks(struct rd *r)
{
	while (r->pos < r->len &&
	       (r->buf[r->pos] == '\r' || r->buf[r->pos] == '\n'))
		r->pos++;
}

/* The next segment into s: 1, or 0 at the end of the input, or -1 when
 * the input ends without a terminator (reported).  A segment whose
 * syntax is bad is reported and skipped (counted all the same). */
static int
next_seg(struct rd *r, struct seg *s)
{
	for (;;) {
		skip_breaks(r);
		if (r->pos == r->len || r->stop)
			return 0;
		size_t start = r->pos;
		const char *t = memchr(r->buf + start, r->st, r->len - start);
		if (!t) {
			report_at(r, r->len,
				  "the file ends inside segment %u, with no "
				  "segment terminator '%c'",
				  r->segno + 1, r->st);
			return -1;
		}
		size_t end = (size_t)(t - r->buf);
		r->pos = end + 1;
		if (++r->segno > X12_MAX_SEGMENTS) {
			report_at(r, start,
				  "more than %u segments; the file is refused",
				  X12_MAX_SEGMENTS);
			r->limit = r->stop = true;
			return 0;
		}
		if (!split(r, start, end, s))
			continue;
		for (int e = 1; e <= s->n; e++)
			check_element(r, s, e);
		return 1;
	}
}

/* ---- ISA: the delimiters ------------------------------------------------ */

static bool
delimiter_ok(char ch)
{
	unsigned char c = (unsigned char)ch;
	return c > 0x20 && c < 0x7f && !(c >= '0' && c <= '9') &&
	       !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z');
}

/* The delimiters must be distinct punctuation (the terminator may be a
 * newline) and the terminator must not occur inside the ISA. */
static bool
delimiters_ok(struct rd *r)
{
	char d[4] = {r->es, r->rs, r->cs, r->st};
	for (int i = 0; i < 4; i++) {
		if (!delimiter_ok(d[i]) && !(i == 3 && d[i] == '\n'))
			return false;
		for (int j = i + 1; j < 4; j++)
			if (d[i] == d[j])
				return false;
	}
	return memchr(r->buf, r->st, ISA_LEN - 1) == NULL;
}

/* Takes the delimiters from the fixed-width ISA: the element separator
 * is its 4th byte, the repetition separator ISA11, the component
 * separator ISA16, the terminator the byte after it.  False (reported)
 * when the file does not open with a well-formed ISA. */
static bool
read_delimiters(struct rd *r)
{
	if (r->len < 3 || memcmp(r->buf, "ISA", 3) != 0 || r->len < ISA_LEN) {
		report_at(r, 0,
			  "an 837 file opens with the %d-byte ISA segment; "
			  "this one %s (segment 1, ISA)",
			  ISA_LEN,
			  r->len >= 3 && memcmp(r->buf, "ISA", 3) == 0
				  ? "is cut short"
				  : "does not");
		return false;
	}
	r->es = r->buf[3];
	for (size_t i = 1, at = 3; i < 16; i++) {
		at += 1 + isa_widths[i - 1];
		if (r->buf[at] == r->es)
			continue;
		report_at(r, at,
			  "ISA%02zu: not %u bytes wide; the ISA segment has "
			  "fixed widths (segment 1, ISA)",
			  i, isa_widths[i - 1]);
		return false;
	}
	r->rs = r->buf[82];
	r->cs = r->buf[104];
	r->st = r->buf[105];
	if (delimiters_ok(r))
		return true;
	report_at(r, 3,
		  "ISA: the delimiters (element separator, ISA11, ISA16 and "
		  "the terminator after it) must be distinct punctuation, "
		  "the terminator found nowhere inside the ISA (segment 1, "
		  "ISA)");
	return false;
}

/* ---- the envelope ------------------------------------------------------- */

/* Element e of s must be a number; false (reported) when not. */
bool
x12__want_number(struct rd *r, const struct seg *s, int e, unsigned long *n)
{
	if (small_number(el(s, e), n))
		return true;
	x12__bad(r, s, e, 0, "'%.*s' is not a number", SHOW(el(s, e)));
	return false;
}

static void
on_isa(struct rd *r, const struct seg *s)
{
	if (s->number != 1) {
		x12__bad(r, s, 0, 0,
			 "an interchange has one ISA, at its start");
		return;
	}
	r->isa13 = el(s, 13);
	if (s->n != 16) {
		x12__bad(r, s, 0, 0,
			 "%d elements, not 16: a separator inside one", s->n);
		return;
	}
	if (!is(el(s, 12), "00501"))
		x12__bad(r, s, 12, 0, "version '%.*s' is not 00501",
			 SHOW(el(s, 12)));
	if (!all_digits(el(s, 13)))
		x12__bad(r, s, 13, 0, "control number '%.*s' is not 9 digits",
			 SHOW(el(s, 13)));
	if (!all_digits(el(s, 9)) || !all_digits(el(s, 10)))
		x12__bad(r, s, 9, 0,
			 "the date YYMMDD and time HHMM must be digits");
	if (!is(el(s, 14), "0") && !is(el(s, 14), "1"))
		x12__bad(r, s, 14, 0,
			 "acknowledgment requested must be 0 or 1");
	if (!is(el(s, 15), "P") && !is(el(s, 15), "T"))
		x12__bad(r, s, 15, 0, "usage indicator must be P or T");
}

static void
on_gs(struct rd *r, const struct seg *s)
{
	unsigned long n;
	if (r->in_gs || r->done) {
		x12__bad(r, s, 0, 0,
			 "GS inside a functional group, or after IEA");
		return;
	}
	r->in_gs = true;
	r->ngs++;
	r->nst = 0;
	r->gs06 = el(s, 6);
	r->gs08 = el(s, 8);
	if (!is(el(s, 1), "HC"))
		x12__bad(r, s, 1, 0, "functional id '%.*s' is not HC (claims)",
			 SHOW(el(s, 1)));
	x12__want_number(r, s, 6, &n);
	if (is(el(s, 8), "005010X222A1"))
		r->kind = X12_837P;
	else if (is(el(s, 8), "005010X223A2"))
		r->kind = X12_837I;
	else
		x12__bad(r, s, 8, 0,
			 "version '%.*s' is not 005010X222A1 (837P) or "
			 "005010X223A2 (837I)",
			 SHOW(el(s, 8)));
}

static void
on_st(struct rd *r, const struct seg *s)
{
	if (!r->in_gs || r->in_st) {
		x12__bad(r, s, 0, 0,
			 "ST outside a functional group, or inside a "
			 "transaction set");
		return;
	}
	r->in_st = true;
	r->nst++;
	r->st_first = s->number;
	r->st02 = el(s, 2);
	r->ctx = r->level = C_HEADER;
	r->nhl = r->hl20 = r->hl22 = 0;
	r->billing_npi = r->payer_id = r->payer_name = NULL;
	if (!is(el(s, 1), "837"))
		x12__bad(r, s, 1, 0, "transaction set '%.*s' is not 837",
			 SHOW(el(s, 1)));
	if (el(s, 2).len < 4 || el(s, 2).len > 9 || !all_digits(el(s, 2)))
		x12__bad(r, s, 2, 0,
			 "control number '%.*s' is not 4 to 9 digits",
			 SHOW(el(s, 2)));
	if (!spans_equal(el(s, 3), r->gs08))
		x12__bad(r, s, 3, 0, "version '%.*s' is not GS08's '%.*s'",
			 SHOW(el(s, 3)), SHOW(r->gs08));
}

/* A trailer's two checks: element 1 counts the `what` its envelope holds
 * (want of them), element 2 repeats the header's control number (header
 * names it). */
static void
check_trailer(struct rd *r, const struct seg *s, unsigned want,
	      const char *what, const char *envelope, struct span control,
	      const char *header)
{
	unsigned long n;
	if (x12__want_number(r, s, 1, &n) && n != want)
		x12__bad(r, s, 1, 0, "%lu %s counted; the %s has %u", n, what,
			 envelope, want);
	if (!spans_equal(el(s, 2), control))
		x12__bad(r, s, 2, 0, "control number '%.*s' is not %s's '%.*s'",
			 SHOW(el(s, 2)), header, SHOW(control));
}

static void
on_se(struct rd *r, const struct seg *s)
{
	if (!r->in_st) {
		x12__bad(r, s, 0, 0, "SE outside a transaction set");
		return;
	}
	x12__finish_claim(r);
	r->in_st = false;
	check_trailer(r, s, s->number - r->st_first + 1, "segments",
		      "transaction set (ST to SE)", r->st02, "ST02");
}

static void
on_ge(struct rd *r, const struct seg *s)
{
	if (!r->in_gs || r->in_st) {
		x12__bad(r, s, 0, 0,
			 "GE outside a functional group, or before SE");
		return;
	}
	r->in_gs = false;
	check_trailer(r, s, r->nst, "transaction sets", "group", r->gs06,
		      "GS06");
}

static void
on_iea(struct rd *r, const struct seg *s)
{
	if (r->in_gs) {
		x12__bad(r, s, 0, 0, "IEA before GE");
		return;
	}
	r->done = true;
	check_trailer(r, s, r->ngs, "functional groups", "interchange",
		      r->isa13, "ISA13");
}

/* ---- dispatch ------------------------------------------------------------ */

typedef void seg_fn(struct rd *r, const struct seg *s);

static const struct {
	const char *id;
	seg_fn *fn;
	bool envelope; /* allowed outside ST..SE */
} handlers[] = {
	{"ISA", on_isa, true},	     {"GS", on_gs, true},
	{"ST", on_st, true},	     {"SE", on_se, false},
	{"GE", on_ge, true},	     {"IEA", on_iea, true},
	{"HL", x12__on_hl, false},   {"NM1", x12__on_nm1, false},
	{"CLM", x12__on_clm, false}, {"DTP", x12__on_dtp, false},
	{"LX", x12__on_lx, false},   {"SV1", x12__on_sv, false},
	{"SV2", x12__on_sv, false},  {"LIN", x12__on_lin, false},
	{"REF", x12__on_ref, false},
};

static void
dispatch(struct rd *r, const struct seg *s)
{
	struct wip *w = &r->w;
	if (r->ctx == C_LINE && w->want_sv &&
	    strcmp(s->id, r->kind == X12_837P ? "SV1" : "SV2") != 0) {
		x12__bad(r, s, 0, 0,
			 "service line %zu (LX) has no %s: %s follows it",
			 w->c->claim.nlines,
			 r->kind == X12_837P ? "SV1" : "SV2", s->id);
		w->want_sv = false;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(*handlers); i++)
		if (strcmp(s->id, handlers[i].id) == 0) {
			if (!handlers[i].envelope && !r->in_st)
				break;
			handlers[i].fn(r, s);
			return;
		}
	if (!r->in_st)
		x12__bad(r, s, 0, 0,
			 "segment outside a transaction set (ST..SE)");
}

/* Reads every segment; the envelope must end with IEA. */
static void
read_all(struct rd *r)
{
	struct seg s;
	int got = 0;
	while (!r->stop && !r->done && (got = next_seg(r, &s)) == 1)
		dispatch(r, &s);
	skip_breaks(r);
	if (r->done && r->pos < r->len && !r->stop) {
		report_at(r, r->pos,
			  "data after IEA, the end of the interchange "
			  "(segment %u); a file holds one interchange",
			  r->segno);
		return;
	}
	if (!r->stop && got == 0 && !r->done)
		report_at(r, r->len,
			  "the file ends before IEA, the end of the "
			  "interchange (after segment %u)",
			  r->segno);
}

/* ---- the reader ------------------------------------------------------- */

static enum scrub_err
outcome(struct rd *r, enum scrub_err *err)
{
	if (r->nomem)
		return *err = SCRUB_ENOMEM;
	if (r->limit)
		return *err = SCRUB_ELIMIT;
	return *err = r->ndiags ? SCRUB_EINPUT : SCRUB_OK;
}

enum scrub_err
x12_parse(const char *file, const char *buf, size_t len, struct x12 **out,
	  struct diag_list *dl)
{
	enum scrub_err err;
	*out = NULL;
	if (len > X12_MAX_BYTES) {
		if (diag_add(dl, file, 1, 1,
			     "the file is %zu bytes; an 837 file may hold at "
			     "most %zu",
			     len, X12_MAX_BYTES) != SCRUB_OK)
			return SCRUB_ENOMEM;
		return SCRUB_ELIMIT;
	}
	struct x12 *x = calloc(1, sizeof(*x));
	if (!x || !(x->arena = arena_new())) {
		free(x);
		return SCRUB_ENOMEM;
	}
	struct rd r = {.file = file,
		       .buf = buf,
		       .len = len,
		       .dl = dl,
		       .arena = x->arena,
		       .x = x,
		       .cur_line = 1};
	if (read_delimiters(&r))
		read_all(&r);
	if (outcome(&r, &err) != SCRUB_OK) {
		x12_free(x);
		return err;
	}
	*out = x;
	return SCRUB_OK;
}

size_t
x12_count(const struct x12 *x)
{
	return x->n;
}

const struct x12_claim *
x12_claim(const struct x12 *x, size_t i)
{
	return i < x->n ? &x->claims[i] : NULL;
}

void
x12_free(struct x12 *x)
{
	if (!x)
		return;
	arena_free(x->arena);
	free(x);
}

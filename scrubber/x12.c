/*
 * x12 — the strict 837 reader; see x12.h.
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

#include "arena.h"
#include "isotime.h"
#include "x12.h"

/* The ISA segment is fixed-width: its element widths (ISA01..ISA16). */
static const unsigned char isa_widths[16] = {2, 10, 2, 10, 2, 15, 2, 15,
					     6, 4,  1, 5,  9, 1,  1, 1};
/* "ISA", 16 separators and the widths above, then the terminator. */
#define ISA_LEN 106

/* A claim id (CLM01) is at most 38 bytes in the guides. */
#define X12_CLAIM_ID_MAX 38
/* Amounts: at most this many digits before the decimal point (CLM02 is
 * R 1/18; ten digits is over a billion dollars). */
#define X12_AMOUNT_DIGITS 10

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

static void bad(struct rd *r, const struct seg *s, int e, int c,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* An error of element e (0: the segment), component c (0: the whole
 * element) of s: at the element, or at the terminator when it is absent;
 * named "CLM05-3: ... (segment 14, CLM)". */
static void
bad(struct rd *r, const struct seg *s, int e, int c, const char *fmt, ...)
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

/* ---- elements ----------------------------------------------------------- */

static struct span
el(const struct seg *s, int e)
{
	return e <= s->n ? s->el[e] : (struct span){"", 0};
}

/* Component k (1-based) of element v; empty when absent. */
static struct span
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

static bool
is(struct span v, const char *lit)
{
	return v.len == strlen(lit) && memcmp(v.p, lit, v.len) == 0;
}

/* (An empty span may have a NULL pointer, which memcmp must not get.) */
static bool
spans_equal(struct span a, struct span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static bool
all_digits(struct span v)
{
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
	return v.len > 0;
}

/* n upper-case letters or digits: a HCPCS/CPT code (5), a modifier (2). */
static bool
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
static bool
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

static const char *
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
static int
shown(struct span v)
{
	return v.len > 60 ? 60 : (int)v.len;
}

#define SHOW(v) shown(v), (v).p

/* ---- values ------------------------------------------------------------- */

bool
x12_npi_valid(const char *s, size_t len)
{
	if (len != 10 || !all_digits((struct span){s, len}))
		return false;
	/* Luhn over 80840 + the first nine digits: the prefix's doubled
	 * digits add up to 24 (the NPI standard's shortcut). */
	int sum = 24;
	for (int i = 8; i >= 0; i--) {
		int d = s[i] - '0';
		if ((8 - i) % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (10 - sum % 10) % 10 == s[9] - '0';
}

void
x12_format_amount(int64_t cents, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%02lld", (long long)(cents / 100),
		 (long long)(cents % 100));
}

/* An amount: digits, at most two decimals, not negative; in cents. */
static bool
parse_amount(struct span v, int64_t *cents)
{
	size_t i = 0, whole = 0, frac = 0;
	int64_t n = 0;
	for (; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++, whole++)
		if (whole < X12_AMOUNT_DIGITS)
			n = n * 10 + (v.p[i] - '0');
	if (whole > X12_AMOUNT_DIGITS)
		return false;
	n *= 100;
	if (i < v.len && v.p[i] == '.') {
		for (i++; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			if (++frac <= 2)
				n += (v.p[i] - '0') * (frac == 1 ? 10 : 1);
		if (frac == 0)
			return false;
	}
	*cents = n;
	return i == v.len && whole + frac > 0 && frac <= 2;
}

/* A unit count: 1..CLAIM_UNITS_MAX, whole ("2" or "2.0"); *fractional
 * when it is a number with a fraction. */
static bool
parse_units(struct span v, int *units, bool *fractional)
{
	size_t i = 0;
	long n = 0;
	*fractional = false;
	for (; i < v.len && v.p[i] >= '0' && v.p[i] <= '9' && i < 9; i++)
		n = n * 10 + (v.p[i] - '0');
	if (i == 0)
		return false;
	if (i < v.len && v.p[i] == '.') {
		size_t dot = i++;
		for (; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			*fractional |= v.p[i] != '0';
		if (i == dot + 1)
			return false;
	}
	*units = (int)n;
	return i == v.len && !*fractional && n >= 1 && n <= CLAIM_UNITS_MAX;
}

/* CCYYMMDD, a real date 1900..2999, in days since 1970-01-01. */
static bool
parse_d8(struct span v, int32_t *days)
{
	char iso[10];
	if (v.len != 8 || !all_digits(v) || v.p[0] < '1' || v.p[0] > '2' ||
	    (v.p[0] == '1' && v.p[1] != '9'))
		return false;
	memcpy(iso, v.p, 4);
	iso[4] = '-';
	memcpy(iso + 5, v.p + 4, 2);
	iso[7] = '-';
	memcpy(iso + 8, v.p + 6, 2);
	return isotime_parse_date(iso, sizeof(iso), days);
}

/* The NPI of element e of s; reported when it is not one (then the
 * text, or NULL when absent). */
static const char *
npi(struct rd *r, const struct seg *s, int e)
{
	struct span v = el(s, e);
	if (v.len == 0) {
		bad(r, s, e, 0, "NPI missing");
		return NULL;
	}
	if (!x12_npi_valid(v.p, v.len))
		bad(r, s, e, 0,
		    "'%.*s' is not an NPI: 10 digits whose last is the "
		    "check digit",
		    SHOW(v));
	return dup(r, v); /* even when bad: said once, not at each claim */
}

/* ---- the tokenizer ------------------------------------------------------ */

/* Checks the bytes and shape of one element (e > 0) of s. */
static void
check_element(struct rd *r, const struct seg *s, int e)
{
	struct span v = s->el[e];
	unsigned ncomp = 1;
	if (v.len > X12_MAX_ELEMENT_BYTES) {
		bad(r, s, e, 0, "%zu bytes; an element holds at most %d", v.len,
		    X12_MAX_ELEMENT_BYTES);
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
		bad(r, s, e, 0, "%u components; a composite has at most %d",
		    ncomp, X12_MAX_COMPONENTS);
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
static bool
want_number(struct rd *r, const struct seg *s, int e, unsigned long *n)
{
	if (small_number(el(s, e), n))
		return true;
	bad(r, s, e, 0, "'%.*s' is not a number", SHOW(el(s, e)));
	return false;
}

static void
on_isa(struct rd *r, const struct seg *s)
{
	if (s->number != 1) {
		bad(r, s, 0, 0, "an interchange has one ISA, at its start");
		return;
	}
	r->isa13 = el(s, 13);
	if (s->n != 16) {
		bad(r, s, 0, 0, "%d elements, not 16: a separator inside one",
		    s->n);
		return;
	}
	if (!is(el(s, 12), "00501"))
		bad(r, s, 12, 0, "version '%.*s' is not 00501",
		    SHOW(el(s, 12)));
	if (!all_digits(el(s, 13)))
		bad(r, s, 13, 0, "control number '%.*s' is not 9 digits",
		    SHOW(el(s, 13)));
	if (!all_digits(el(s, 9)) || !all_digits(el(s, 10)))
		bad(r, s, 9, 0, "the date YYMMDD and time HHMM must be digits");
	if (!is(el(s, 14), "0") && !is(el(s, 14), "1"))
		bad(r, s, 14, 0, "acknowledgment requested must be 0 or 1");
	if (!is(el(s, 15), "P") && !is(el(s, 15), "T"))
		bad(r, s, 15, 0, "usage indicator must be P or T");
}

static void
on_gs(struct rd *r, const struct seg *s)
{
	unsigned long n;
	if (r->in_gs || r->done) {
		bad(r, s, 0, 0, "GS inside a functional group, or after IEA");
		return;
	}
	r->in_gs = true;
	r->ngs++;
	r->nst = 0;
	r->gs06 = el(s, 6);
	r->gs08 = el(s, 8);
	if (!is(el(s, 1), "HC"))
		bad(r, s, 1, 0, "functional id '%.*s' is not HC (claims)",
		    SHOW(el(s, 1)));
	want_number(r, s, 6, &n);
	if (is(el(s, 8), "005010X222A1"))
		r->kind = X12_837P;
	else if (is(el(s, 8), "005010X223A2"))
		r->kind = X12_837I;
	else
		bad(r, s, 8, 0,
		    "version '%.*s' is not 005010X222A1 (837P) or "
		    "005010X223A2 (837I)",
		    SHOW(el(s, 8)));
}

static void
on_st(struct rd *r, const struct seg *s)
{
	if (!r->in_gs || r->in_st) {
		bad(r, s, 0, 0,
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
		bad(r, s, 1, 0, "transaction set '%.*s' is not 837",
		    SHOW(el(s, 1)));
	if (el(s, 2).len < 4 || el(s, 2).len > 9 || !all_digits(el(s, 2)))
		bad(r, s, 2, 0, "control number '%.*s' is not 4 to 9 digits",
		    SHOW(el(s, 2)));
	if (!spans_equal(el(s, 3), r->gs08))
		bad(r, s, 3, 0, "version '%.*s' is not GS08's '%.*s'",
		    SHOW(el(s, 3)), SHOW(r->gs08));
}

static void finish_claim(struct rd *r);

static void
on_se(struct rd *r, const struct seg *s)
{
	unsigned long n;
	if (!r->in_st) {
		bad(r, s, 0, 0, "SE outside a transaction set");
		return;
	}
	finish_claim(r);
	r->in_st = false;
	unsigned count = s->number - r->st_first + 1;
	if (want_number(r, s, 1, &n) && n != count)
		bad(r, s, 1, 0,
		    "segment count %lu is not the %u segments of the "
		    "transaction set (ST to SE)",
		    n, count);
	if (!spans_equal(el(s, 2), r->st02))
		bad(r, s, 2, 0, "control number '%.*s' is not ST02's '%.*s'",
		    SHOW(el(s, 2)), SHOW(r->st02));
}

static void
on_ge(struct rd *r, const struct seg *s)
{
	unsigned long n;
	if (!r->in_gs || r->in_st) {
		bad(r, s, 0, 0, "GE outside a functional group, or before SE");
		return;
	}
	r->in_gs = false;
	if (want_number(r, s, 1, &n) && n != r->nst)
		bad(r, s, 1, 0,
		    "%lu transaction sets counted; the group has %u", n,
		    r->nst);
	if (!spans_equal(el(s, 2), r->gs06))
		bad(r, s, 2, 0, "control number '%.*s' is not GS06's '%.*s'",
		    SHOW(el(s, 2)), SHOW(r->gs06));
}

static void
on_iea(struct rd *r, const struct seg *s)
{
	unsigned long n;
	if (r->in_gs) {
		bad(r, s, 0, 0, "IEA before GE");
		return;
	}
	r->done = true;
	if (want_number(r, s, 1, &n) && n != r->ngs)
		bad(r, s, 1, 0,
		    "%lu functional groups counted; the interchange has %u", n,
		    r->ngs);
	if (!spans_equal(el(s, 2), r->isa13))
		bad(r, s, 2, 0, "control number '%.*s' is not ISA13's '%.*s'",
		    SHOW(el(s, 2)), SHOW(r->isa13));
}

/* ---- claims: the loops --------------------------------------------------- */

/* Grows the open claim's lines to hold one more; false when out of
 * memory. */
static bool
grow_lines(struct rd *r)
{
	struct wip *w = &r->w;
	if (w->c->claim.nlines < w->cap)
		return true;
	size_t cap = w->cap ? w->cap * 2 : 8;
	struct claim_line *l = arena_calloc(r->arena, cap, sizeof(*l));
	struct x12_line *x = arena_calloc(r->arena, cap, sizeof(*x));
	if (!l || !x) {
		r->nomem = r->stop = true;
		return false;
	}
	if (w->c->claim.nlines) {
		memcpy(l, w->lines, w->c->claim.nlines * sizeof(*l));
		memcpy(x, w->xl, w->c->claim.nlines * sizeof(*x));
	}
	w->lines = l;
	w->xl = x;
	w->cap = cap;
	return true;
}

static void
note_day(struct wip *w, int32_t day)
{
	if (!w->has_day || day < w->first_day)
		w->first_day = day;
	w->has_day = true;
}

/* The current line is complete: an 837P line needs its DTP*472. */
static void
finish_line(struct rd *r)
{
	struct wip *w = &r->w;
	if (!w->c || r->ctx != C_LINE)
		return;
	if (w->want_sv || !w->has_sv)
		return; /* reported when the next segment was not SV1/SV2 */
	if (r->kind == X12_837P && !w->has_date)
		bad(r, &w->lx, 0, 0,
		    "service line %zu has no DTP*472 service date",
		    w->c->claim.nlines);
}

/* The whole claim's checks: lines, the statement dates, the balance. */
static void
check_claim(struct rd *r)
{
	struct wip *w = &r->w;
	struct x12_claim *c = w->c;
	int64_t sum = 0;
	for (size_t i = 0; i < c->claim.nlines; i++)
		sum += w->xl[i].charge;
	if (c->claim.nlines == 0)
		bad(r, &w->clm, 0, 0, "claim '%s' has no service line (LX)",
		    c->claim.ref);
	else if (sum != c->total_charge) {
		char a[32], b[32];
		x12_format_amount(c->total_charge, a, sizeof(a));
		x12_format_amount(sum, b, sizeof(b));
		bad(r, &w->clm, 2, 0,
		    "total charge %s is not the sum of the line charges, %s", a,
		    b);
	}
	if (c->kind == X12_837I && !c->has_statement)
		bad(r, &w->clm, 0, 0,
		    "claim '%s' has no DTP*434 statement dates", c->claim.ref);
}

/* Ends the open claim (at a CLM, HL or SE) and keeps it. */
static void
finish_claim(struct rd *r)
{
	struct wip *w = &r->w;
	if (!w->c || r->nomem)
		return;
	finish_line(r);
	check_claim(r);
	w->c->claim.provider =
		w->c->rendering_npi ? w->c->rendering_npi : w->c->billing_npi;
	w->c->claim.lines = w->lines;
	w->c->lines = w->xl;
	w->c->claim.has_date_of_service = w->has_day;
	w->c->claim.date_of_service = w->first_day;
	struct x12 *x = r->x;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		struct x12_claim *v = arena_calloc(r->arena, cap, sizeof(*v));
		if (!v) {
			r->nomem = r->stop = true;
			return;
		}
		if (x->n)
			memcpy(v, x->claims, x->n * sizeof(*v));
		x->claims = v;
		x->cap = cap;
	}
	x->claims[x->n++] = *w->c;
	*w = (struct wip){0};
	r->ctx = r->level;
}

/* HL: a new level; its parent must be the level just above it, read last
 * (the guides nest the levels depth first). */
static void
on_hl(struct rd *r, const struct seg *s)
{
	unsigned long id, parent = 0;
	finish_claim(r);
	struct span lvl = el(s, 3);
	if (!want_number(r, s, 1, &id))
		return;
	if (id != r->nhl + 1)
		bad(r, s, 1, 0, "HL id %lu is not the next, %u", id,
		    r->nhl + 1);
	r->nhl = (unsigned)id;
	bool has_parent = el(s, 2).len > 0;
	if (has_parent && !want_number(r, s, 2, &parent))
		return;
	unsigned want = is(lvl, "20") ? 0 : is(lvl, "22") ? r->hl20 : r->hl22;
	if (!is(lvl, "20") && !is(lvl, "22") && !is(lvl, "23")) {
		bad(r, s, 3, 0,
		    "level '%.*s' is not 20 (billing provider), 22 "
		    "(subscriber) or 23 (patient)",
		    SHOW(lvl));
		return;
	}
	if (parent != want || (want == 0 && !is(lvl, "20")))
		bad(r, s, 2, 0, "parent '%.*s' is not the level above, HL %u",
		    SHOW(el(s, 2)), want);
	if (is(lvl, "20")) {
		r->ctx = r->level = C_HL20;
		r->hl20 = (unsigned)id;
		r->billing_npi = r->payer_id = r->payer_name = NULL;
	} else if (is(lvl, "22")) {
		r->ctx = r->level = C_HL22;
		r->hl22 = (unsigned)id;
		r->payer_id = r->payer_name = NULL;
	} else {
		r->ctx = r->level = C_HL23;
	}
}

/* 2010BB: the payer's name (NM103) and id (NM109, when NM108 is PI or
 * XV). */
static void
payer(struct rd *r, const struct seg *s)
{
	struct span name = el(s, 3), id = el(s, 9);
	if (name.len == 0 || name.len > CLAIM_REF_MAX) {
		bad(r, s, 3, 0, "payer name must be 1 to %d bytes",
		    CLAIM_REF_MAX);
		r->payer_name = ""; /* said once, not at each claim */
		return;
	}
	r->payer_name = dup(r, name);
	if (id.len == 0)
		return;
	if (!is(el(s, 8), "PI") && !is(el(s, 8), "XV"))
		bad(r, s, 8, 0, "payer id qualifier '%.*s' is not PI or XV",
		    SHOW(el(s, 8)));
	else if (id.len > CLAIM_REF_MAX)
		bad(r, s, 9, 0, "payer id is over %d bytes", CLAIM_REF_MAX);
	else
		r->payer_id = dup(r, id);
}

/* NM1: every NPI (NM108 XX) is checked; those of the billing provider
 * (85, 2010AA), the payer (PR, 2010BB) and the claim's rendering (82,
 * 837P) or attending (71, 837I) provider are kept. */
static void
on_nm1(struct rd *r, const struct seg *s)
{
	struct span who = el(s, 1);
	bool xx = is(el(s, 8), "XX");
	if (r->ctx == C_HL20 && is(who, "85")) {
		if (!xx)
			bad(r, s, 8, 0,
			    "the billing provider's id must be "
			    "an NPI (XX)");
		r->billing_npi = xx ? npi(r, s, 9) : "";
		return;
	}
	if (r->ctx == C_HL22 && is(who, "PR")) {
		payer(r, s);
		return;
	}
	if (!xx)
		return;
	const char *n = npi(r, s, 9);
	bool rendering = is(who, r->kind == X12_837P ? "82" : "71");
	if (n && r->ctx == C_CLAIM && rendering)
		r->w.c->rendering_npi = n;
}

/* CLM05: facility code, its qualifier (B in an 837P, A in an 837I) and
 * the claim frequency. */
static void
clm05(struct rd *r, const struct seg *s, struct x12_claim *c)
{
	struct span v = el(s, 5), fac = comp(r, v, 1), q = comp(r, v, 2),
		    f = comp(r, v, 3);
	const char *want = r->kind == X12_837P ? "B" : "A";
	if (fac.len != 2 || !all_digits(fac))
		bad(r, s, 5, 1, "facility code '%.*s' is not 2 digits",
		    SHOW(fac));
	if (!is(q, want))
		bad(r, s, 5, 2, "qualifier '%.*s' is not %s", SHOW(q), want);
	if (f.len != 1 || (f.p[0] != '1' && f.p[0] != '7' && f.p[0] != '8'))
		bad(r, s, 5, 3, "claim frequency '%.*s' is not 1, 7 or 8",
		    SHOW(f));
	else
		c->frequency = (enum x12_frequency)f.p[0];
	c->facility_code = dup(r, fac);
}

/* The claim model's part of a new claim, from the levels above it. */
static void
claim_head(struct rd *r, struct x12_claim *c)
{
	c->kind = r->kind;
	c->billing_npi = r->billing_npi;
	c->payer_id = r->payer_id;
	c->payer_name = r->payer_name;
	c->claim.payer = r->payer_id ? r->payer_id : r->payer_name;
	c->claim.setting =
		r->kind == X12_837I ? SETTING_FACILITY : SETTING_PROFESSIONAL;
	c->claim.admins = NULL;
	c->claim.nadmins = 0;
}

/* A claim's place: under a subscriber or patient level, with a billing
 * provider and a payer.  Said, not refused: the claim is read all the
 * same, so its lines do not each report being outside a claim. */
static void
clm_place(struct rd *r, const struct seg *s)
{
	if (r->level != C_HL22 && r->level != C_HL23)
		bad(r, s, 0, 0,
		    "a claim belongs under a subscriber or patient "
		    "level (HL 22 or 23)");
	else if (!r->billing_npi || !r->payer_name)
		bad(r, s, 0, 0,
		    "no billing provider NPI (NM1*85) or payer "
		    "(NM1*PR) before this claim");
}

static void
on_clm(struct rd *r, const struct seg *s)
{
	finish_claim(r);
	clm_place(r, s);
	if (r->x->n >= X12_MAX_CLAIMS) {
		bad(r, s, 0, 0, "more than %u claims; the file is refused",
		    X12_MAX_CLAIMS);
		r->limit = r->stop = true;
		return;
	}
	struct x12_claim *c = arena_alloc(r->arena, sizeof(*c));
	if (!c) {
		r->nomem = r->stop = true;
		return;
	}
	struct span id = el(s, 1);
	if (id.len == 0 || id.len > X12_CLAIM_ID_MAX)
		bad(r, s, 1, 0, "claim id must be 1 to %d bytes",
		    X12_CLAIM_ID_MAX);
	if (!parse_amount(el(s, 2), &c->total_charge))
		bad(r, s, 2, 0, "total charge '%.*s' is not an amount",
		    SHOW(el(s, 2)));
	claim_head(r, c);
	clm05(r, s, c);
	c->claim.ref = dup(r, id);
	c->segment = s->number;
	r->w = (struct wip){.c = c, .clm = *s};
	r->ctx = C_CLAIM;
}

/* DTP: every D8 and RD8 date is checked; the claim's statement dates
 * (434, 837I) and a line's service date (472) are kept. */
static void
on_dtp(struct rd *r, const struct seg *s)
{
	struct span fmt = el(s, 2), v = el(s, 3);
	int32_t from, to;
	bool d8 = is(fmt, "D8"), rd8 = is(fmt, "RD8");
	if (!d8 && !rd8)
		return;
	if (d8 ? !parse_d8(v, &from)
	       : v.len != 17 || v.p[8] != '-' ||
			    !parse_d8((struct span){v.p, 8}, &from) ||
			    !parse_d8((struct span){v.p + 9, 8}, &to) ||
			    to < from) {
		bad(r, s, 3, 0, "'%.*s' is not a %s", SHOW(v),
		    d8 ? "date CCYYMMDD"
		       : "range CCYYMMDD-CCYYMMDD of real dates, in order");
		return;
	}
	if (d8)
		to = from;
	struct wip *w = &r->w;
	if (r->ctx == C_CLAIM && is(el(s, 1), "434")) {
		w->c->has_statement = true;
		w->c->statement_from = from;
		w->c->statement_to = to;
		note_day(w, from);
	} else if (r->ctx == C_LINE && is(el(s, 1), "472") && w->has_sv) {
		struct claim_line *l = &w->lines[w->c->claim.nlines - 1];
		l->has_service_date = true;
		l->service_date = from;
		w->has_date = true;
		note_day(w, from);
	}
}

static void
on_lx(struct rd *r, const struct seg *s)
{
	unsigned long n;
	struct wip *w = &r->w;
	if (r->ctx != C_CLAIM && r->ctx != C_LINE) {
		bad(r, s, 0, 0, "a service line (LX) outside a claim");
		return;
	}
	finish_line(r);
	unsigned max = r->kind == X12_837P ? X12_MAX_LINES_P : X12_MAX_LINES_I;
	if (w->c->claim.nlines >= max) {
		bad(r, s, 0, 0, "more than %u service lines in claim '%s'", max,
		    w->c->claim.ref);
		r->limit = r->stop = true;
		return;
	}
	if (want_number(r, s, 1, &n) && n != w->c->claim.nlines + 1)
		bad(r, s, 1, 0, "line number %lu is not the next, %zu", n,
		    w->c->claim.nlines + 1);
	if (!grow_lines(r))
		return;
	w->c->claim.nlines++;
	w->want_sv = true;
	w->has_sv = w->has_date = w->has_ndc = false;
	w->lx = *s;
	r->ctx = C_LINE;
}

/* The procedure composite (SV101, SV202): HC, the code, up to four
 * modifiers. */
static void
procedure(struct rd *r, const struct seg *s, int e, struct claim_line *l)
{
	struct span v = el(s, e), q = comp(r, v, 1), code = comp(r, v, 2);
	if (!is(q, "HC")) {
		bad(r, s, e, 1, "qualifier '%.*s' is not HC (HCPCS/CPT)",
		    SHOW(q));
		return;
	}
	if (!code_shape(code, 5)) {
		bad(r, s, e, 2,
		    "procedure code '%.*s' is not 5 upper-case letters or "
		    "digits",
		    SHOW(code));
		return;
	}
	l->code = dup(r, code);
	for (int k = 0; k < CLAIM_MAX_MODIFIERS; k++) {
		struct span m = comp(r, v, 3 + k);
		if (m.len == 0)
			continue;
		if (!code_shape(m, 2))
			bad(r, s, e, 3 + k,
			    "modifier '%.*s' is not 2 upper-case letters or "
			    "digits",
			    SHOW(m));
		else
			l->modifiers[l->nmodifiers++] = dup(r, m);
	}
}

/* Charge, unit basis and units: elements e, e+1, e+2 of SV1 or SV2. */
static void
charge_units(struct rd *r, const struct seg *s, int e, struct claim_line *l,
	     struct x12_line *x)
{
	struct span basis = el(s, e + 1), u = el(s, e + 2);
	bool fractional;
	if (!parse_amount(el(s, e), &x->charge))
		bad(r, s, e, 0, "line charge '%.*s' is not an amount",
		    SHOW(el(s, e)));
	if (!is(basis, "UN") && !(r->kind == X12_837P && is(basis, "MJ")))
		bad(r, s, e + 1, 0, "unit basis '%.*s' is not %s", SHOW(basis),
		    r->kind == X12_837P ? "UN or MJ" : "UN");
	else
		x->unit_basis = is(basis, "UN") ? "UN" : "MJ";
	if (parse_units(u, &l->units, &fractional))
		return;
	bad(r, s, e + 2, 0, "unit count '%.*s' is %s", SHOW(u),
	    fractional ? "fractional; a claim bills whole units"
		       : "not a whole number 1..999");
}

/* SV1 (837P) or SV2 (837I): the line's service, right after its LX. */
static void
on_sv(struct rd *r, const struct seg *s)
{
	struct wip *w = &r->w;
	bool sv1 = s->id[2] == '1';
	if (sv1 != (r->kind == X12_837P)) {
		bad(r, s, 0, 0, "%s is not a segment of an %s", s->id,
		    r->kind == X12_837P ? "837P" : "837I");
		return;
	}
	if (r->ctx != C_LINE || !w->want_sv) {
		bad(r, s, 0, 0, "%s belongs right after LX", s->id);
		return;
	}
	w->want_sv = false;
	w->has_sv = true;
	struct claim_line *l = &w->lines[w->c->claim.nlines - 1];
	struct x12_line *x = &w->xl[w->c->claim.nlines - 1];
	if (sv1) {
		procedure(r, s, 1, l);
		charge_units(r, s, 2, l, x);
		return;
	}
	if (el(s, 1).len != 4 || !all_digits(el(s, 1)))
		bad(r, s, 1, 0, "revenue code '%.*s' is not 4 digits",
		    SHOW(el(s, 1)));
	else
		x->revenue_code = dup(r, el(s, 1));
	procedure(r, s, 2, l);
	charge_units(r, s, 3, l, x);
}

/* LIN (2410): the line's drug as an 11-digit NDC (N4). */
static void
on_lin(struct rd *r, const struct seg *s)
{
	struct wip *w = &r->w;
	if (r->ctx != C_LINE || !w->has_sv) {
		bad(r, s, 0, 0,
		    "drug identification (LIN) outside a service "
		    "line");
		return;
	}
	if (w->has_ndc) {
		bad(r, s, 0, 0, "a second LIN in service line %zu",
		    w->c->claim.nlines);
		return;
	}
	w->has_ndc = true;
	if (!is(el(s, 2), "N4"))
		bad(r, s, 2, 0, "qualifier '%.*s' is not N4 (NDC)",
		    SHOW(el(s, 2)));
	else if (el(s, 3).len != 11 || !all_digits(el(s, 3)))
		bad(r, s, 3, 0, "NDC '%.*s' is not 11 digits (5-4-2)",
		    SHOW(el(s, 3)));
	else
		w->xl[w->c->claim.nlines - 1].ndc = dup(r, el(s, 3));
}

/* ---- dispatch ------------------------------------------------------------ */

typedef void seg_fn(struct rd *r, const struct seg *s);

static const struct {
	const char *id;
	seg_fn *fn;
	bool envelope; /* allowed outside ST..SE */
} handlers[] = {
	{"ISA", on_isa, true},	{"GS", on_gs, true},	{"ST", on_st, true},
	{"SE", on_se, false},	{"GE", on_ge, true},	{"IEA", on_iea, true},
	{"HL", on_hl, false},	{"NM1", on_nm1, false}, {"CLM", on_clm, false},
	{"DTP", on_dtp, false}, {"LX", on_lx, false},	{"SV1", on_sv, false},
	{"SV2", on_sv, false},	{"LIN", on_lin, false},
};

static void
dispatch(struct rd *r, const struct seg *s)
{
	struct wip *w = &r->w;
	if (r->ctx == C_LINE && w->want_sv &&
	    strcmp(s->id, r->kind == X12_837P ? "SV1" : "SV2") != 0) {
		bad(r, s, 0, 0,
		    "service line %zu (LX) has no %s: %s follows it",
		    w->c->claim.nlines, r->kind == X12_837P ? "SV1" : "SV2",
		    s->id);
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
		bad(r, s, 0, 0, "segment outside a transaction set (ST..SE)");
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

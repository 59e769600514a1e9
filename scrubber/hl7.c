/*
 * hl7 — HL7 v2 RAS^O17 into MAR records; see hl7.h.
 *
 * One pass over the bytes: each segment is found (up to CR or LF), split
 * into fields (offsets into the input, nothing copied) while its limits
 * are checked, and handed to its row of the segment table.  Only the
 * components read are decoded and copied, into the caller's arena.  A
 * record is made at its RXA, completed by the RXR after the run of RXAs,
 * and kept when its message ends without an error; a message with one has
 * its records dropped (the message is the unit, hl7.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7.h"

/* Fields kept per segment: the last one read is RXA-21.  Fields past it
 * are still split and checked against the limits. */
#define SEG_FIELDS 24

struct span {
	size_t off, len; /* from the segment's first byte */
};

struct seg {
	const char *p; /* its name (after an MLLP 0x0B) */
	size_t len;
	unsigned line, col; /* where p is */
	char name[4];
	unsigned nf; /* fields present, the name counting as field 0 */
	struct span f[SEG_FIELDS];
};

struct delims {
	char field, comp, rep, esc, sub;
};

enum where { OUTSIDE, IN_MESSAGE, SKIPPING };

/* The RXA runs of an order group: none yet (an RXR belongs to the order),
 * RXAs waiting for their RXR, or the RXR given. */
enum admin { ADM_NONE, ADM_OPEN, ADM_CLOSED };

/* The message being read, reset at each MSH. */
struct msg {
	enum where where;
	struct delims d;
	bool bad;     /* an error: its records are dropped */
	size_t first; /* its first record in the reader's recs */
	unsigned nseg;
	bool has_pv1, said_no_visit;
	const char *encounter; /* PV1-19.1; NULL when not given */
	/* the order group (ORC) */
	bool in_order, on_hold;
	const char *group, *order;
	enum admin adm;
	size_t adm_first; /* the first record of the open RXA run */
	unsigned adm_line, adm_col;
};

struct reader {
	struct arena *out; /* the caller's: records and their strings */
	const char *file;  /* in out */
	struct diag_list *dl;
	struct marrec_list recs; /* copied to out at the end */
	struct hl7_counts counts;
	enum scrub_err fatal; /* ENOMEM or ELIMIT: stop reading */
	struct msg m;
};

/* ---- diagnostics -------------------------------------------------------- */

static void at_error(struct reader *r, unsigned line, unsigned col,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error at line:col; it refuses the message being read. */
static void
at_error(struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->m.bad = true;
	if (diag_add(r->dl, r->file, line, col, "%s", msg) != SCRUB_OK)
		r->fatal = SCRUB_ENOMEM;
}

/* The column of field n of s, or just past the segment when it has none. */
static unsigned
field_col(const struct seg *s, unsigned n)
{
	if (n < s->nf && n < SEG_FIELDS)
		return s->col + (unsigned)s->f[n].off;
	return s->col + (unsigned)s->len;
}

static void seg_error(struct reader *r, const struct seg *s, unsigned n,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error in field n of s, "SEG-N: ..." ("SEG: ..." for n 0). */
static void
seg_error(struct reader *r, const struct seg *s, unsigned n, const char *fmt,
	  ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n == 0)
		at_error(r, s->line, s->col, "%s: %s", s->name, msg);
	else
		at_error(r, s->line, field_col(s, n), "%s-%u: %s", s->name, n,
			 msg);
}

/* ---- fields and components ---------------------------------------------- */

/* Closes field n of s, bytes [from, to) holding reps repetition
 * separators; false (said) when over a limit. */
static bool
close_field(struct reader *r, struct seg *s, unsigned n, size_t from, size_t to,
	    size_t reps)
{
	if (n < SEG_FIELDS)
		s->f[n] = (struct span){.off = from, .len = to - from};
	s->nf = n + 1;
	if (to - from > HL7_MAX_FIELD) {
		at_error(r, s->line, s->col + (unsigned)from,
			 "%s-%u: %zu bytes, more than %d", s->name, n,
			 to - from, HL7_MAX_FIELD);
		return false;
	}
	if (reps >= HL7_MAX_REPETITIONS) {
		at_error(r, s->line, s->col + (unsigned)from,
			 "%s-%u: %zu repetitions, more than %d", s->name, n,
			 reps + 1, HL7_MAX_REPETITIONS);
		return false;
	}
	return true;
}

/* Splits s at its field separators from byte `at`, which starts field n;
 * false (said) at a control character or a field over a limit. */
static bool
split(struct reader *r, struct seg *s, unsigned n, size_t at)
{
	const unsigned char fs = (unsigned char)r->m.d.field;
	const unsigned char rep = (unsigned char)r->m.d.rep;
	size_t from = at, reps = 0;
	for (; at < s->len; at++) {
		unsigned char c = (unsigned char)s->p[at];
		if (c == fs) {
			if (!close_field(r, s, n++, from, at, reps))
				return false;
			from = at + 1;
			reps = 0;
		} else if (c == rep) {
			reps++;
		} else if (c < 0x20 || c == 0x7F) {
			at_error(r, s->line, s->col + (unsigned)at,
				 "%s-%u: a control character (0x%02X) in the "
				 "field",
				 s->name, n, c);
			return false;
		}
	}
	return close_field(r, s, n, from, at, reps);
}

/* The first `max` components of the first repetition of field n, as
 * written, into c[0..max) (len 0 when absent): one pass for every
 * component a CWE gives.  Escapes cannot hide a delimiter (\F\ \S\ ...
 * stand for them), so the raw bytes can be cut. */
static void
components(const struct reader *r, const struct seg *s, unsigned n,
	   struct span *c, unsigned max)
{
	memset(c, 0, max * sizeof(*c));
	if (n >= s->nf || n >= SEG_FIELDS)
		return;
	const char *p = s->p + s->f[n].off;
	size_t len = s->f[n].len, from = 0;
	for (size_t i = 0, k = 0; k < max; i++) {
		bool end = i == len || p[i] == r->m.d.rep;
		if (!end && p[i] != r->m.d.comp)
			continue;
		c[k++] = (struct span){s->f[n].off + from, i - from};
		if (end)
			return;
		from = i + 1;
	}
}

/* The value of hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The escape sequence e[0..n) (between escape characters) onto out at
 * *o; false when it is not one read here. */
static bool
unescape_one(const struct delims *d, const char *e, size_t n, char *out,
	     size_t *o)
{
	static const char names[] = "FSTRE";
	const char map[] = {d->field, d->comp, d->sub, d->rep, d->esc};
	if (n == 1 && (e[0] == 'H' || e[0] == 'N'))
		return true; /* highlighting on, off: formatting, dropped */
	if (n == 1 && e[0] && strchr(names, e[0])) {
		out[(*o)++] = map[strchr(names, e[0]) - names];
		return true;
	}
	if (n < 3 || e[0] != 'X' || (n - 1) % 2 != 0)
		return false;
	for (size_t i = 1; i < n; i += 2) {
		int hi = hexval(e[i]), lo = hexval(e[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[(*o)++] = (char)(hi * 16 + lo);
	}
	return true;
}

/* Decodes p[0..len) into out (len + 1 bytes), NUL-terminated, its length
 * in *n; NULL, or why not with *bad the offset of the fault.  The runs
 * between escapes are copied whole; only a \Xhh\ can bring a control
 * character (split refused the raw ones), so only then is it looked for. */
static const char *
unescape(const struct delims *d, const char *p, size_t len, char *out,
	 size_t *n, size_t *bad)
{
	size_t o = 0, i = 0;
	bool hex = false;
	while (i < len) {
		const char *e = memchr(p + i, d->esc, len - i);
		size_t run = e ? (size_t)(e - (p + i)) : len - i;
		memcpy(out + o, p + i, run);
		o += run;
		i += run;
		if (!e)
			break;
		const char *end = memchr(e + 1, d->esc, len - i - 1);
		*bad = i;
		if (!end)
			return "an escape sequence has no closing escape "
			       "character";
		size_t elen = (size_t)(end - (e + 1));
		if (!unescape_one(d, e + 1, elen, out, &o))
			return "an unknown escape sequence (read here: \\F\\ "
			       "\\S\\ \\T\\ \\R\\ \\E\\ \\Xhh\\ \\H\\ \\N\\)";
		hex |= e[1] == 'X';
		i += elen + 2;
	}
	out[o] = '\0';
	*n = o;
	for (size_t k = 0; hex && k < o; k++)
		if ((unsigned char)out[k] < 0x20 || out[k] == 0x7F) {
			*bad = 0;
			return "an escape decodes to a control character";
		}
	return NULL;
}

/* The text of component k of field n, written at c, decoded into the
 * caller's arena (*out NULL when empty or ""); false (said) when it
 * cannot be read. */
static bool
take_span(struct reader *r, const struct seg *s, unsigned n, unsigned k,
	  struct span c, size_t max, const char **out)
{
	const char *p = s->p + c.off;
	size_t len, bad = 0;
	*out = NULL;
	if (c.len == 0 || (c.len == 2 && p[0] == '"' && p[1] == '"'))
		return true;
	unsigned col = s->col + (unsigned)c.off;
	if (memchr(p, r->m.d.sub, c.len)) {
		at_error(r, s->line, col,
			 "%s-%u: component %u has subcomponents (%c): one "
			 "value is read there",
			 s->name, n, k, r->m.d.sub);
		return false;
	}
	char *v = arena_alloc_raw(r->out, c.len + 1);
	if (!v) {
		r->fatal = SCRUB_ENOMEM;
		return false;
	}
	const char *why = unescape(&r->m.d, p, c.len, v, &len, &bad);
	if (why) {
		at_error(r, s->line, col + (unsigned)bad,
			 "%s-%u: component %u: %s", s->name, n, k, why);
		return false;
	}
	if (len > max) {
		at_error(r, s->line, col,
			 "%s-%u: component %u is %zu bytes, "
			 "more than %zu",
			 s->name, n, k, len, max);
		return false;
	}
	*out = len ? v : NULL;
	return true;
}

/* take_span of component k of field n. */
static bool
take(struct reader *r, const struct seg *s, unsigned n, unsigned k, size_t max,
     const char **out)
{
	struct span c[9];
	components(r, s, n, c, k);
	return take_span(r, s, n, k, c[k - 1], max, out);
}

/* ---- times -------------------------------------------------------------- */

static bool
all_digits(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* HL7 time s of nd digits (12 or 14), its offset +/-ZZZZ at s[off], as
 * the ISO 8601 isotime reads (without printf: this runs twice a record);
 * false when it is not a valid date and time. */
static bool
ts_convert(const char *s, size_t nd, size_t off, struct isotime *t)
{
	char iso[32];
	size_t n = 16;
	memcpy(iso, s, 4);
	iso[4] = '-';
	memcpy(iso + 5, s + 4, 2);
	iso[7] = '-';
	memcpy(iso + 8, s + 6, 2);
	iso[10] = 'T';
	memcpy(iso + 11, s + 8, 2);
	iso[13] = ':';
	memcpy(iso + 14, s + 10, 2);
	if (nd == 14) {
		iso[n++] = ':';
		memcpy(iso + n, s + 12, 2);
		n += 2;
	}
	iso[n++] = s[off];
	memcpy(iso + n, s + off + 1, 2);
	iso[n + 2] = ':';
	memcpy(iso + n + 3, s + off + 3, 2);
	return isotime_parse(iso, n + 5, t);
}

/* Why HL7 TS text s cannot time an administration, or NULL when it can
 * (*t set): YYYYMMDDHHMM[SS[.S[S[S[S]]]]] and +/-ZZZZ; the fraction is
 * dropped, as fhir.c drops FHIR's. */
static const char *
ts_problem(const char *s, size_t len, struct isotime *t)
{
	size_t nd = 0, i;
	while (nd < len && s[nd] >= '0' && s[nd] <= '9')
		nd++;
	if (nd >= 8 && nd < 12 && (nd == len || s[nd] == '+' || s[nd] == '-'))
		return "has no hours and minutes: an administration needs the "
		       "time it was given";
	if (nd != 12 && nd != 14)
		return "is not an HL7 time (YYYYMMDDHHMM[SS[.S]] and an "
		       "offset +/-ZZZZ)";
	i = nd;
	if (nd == 14 && i < len && s[i] == '.') {
		size_t f = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f || i - f > 4)
			return "has a malformed fraction of a second (1 to 4 "
			       "digits)";
	}
	if (i == len)
		return "has no offset (+/-ZZZZ): without one HL7 means the "
		       "sender's local time, which the reader cannot know";
	if ((s[i] != '+' && s[i] != '-') || len - i != 5 ||
	    !all_digits(s, i + 1, len))
		return "has a malformed offset (+/-ZZZZ)";
	if (!ts_convert(s, nd, i, t))
		return "is not a valid date and time";
	return NULL;
}

/* TS field n (its component 1) into *t, *has whether it is given; false
 * (said) when it is given but cannot be read. */
static bool
read_ts(struct reader *r, const struct seg *s, unsigned n, struct isotime *t,
	bool *has)
{
	const char *v;
	*has = false;
	if (!take(r, s, n, 1, HL7_MAX_CODE, &v))
		return false;
	if (!v)
		return true;
	const char *why = ts_problem(v, strlen(v), t);
	if (why) {
		seg_error(r, s, n, "'%.40s' %s", v, why);
		return false;
	}
	*has = true;
	return true;
}

/* ---- codes -------------------------------------------------------------- */

/* The code systems recognised, by their HL7 table 0396 name. */
static const struct {
	const char *name;
	enum mar_system system;
} systems[] = {
	{.name = "RXNORM", .system = MAR_RXNORM},
	{.name = "NDC", .system = MAR_NDC},
	{.name = "HCPCS", .system = MAR_HCPCS},
	{.name = "HPC", .system = MAR_HCPCS},
	{.name = "SCT", .system = MAR_SNOMED},
	{.name = "HL70162", .system = MAR_V2_0162},
};

/* A HCPCS Level II code, the billed drug line's kind (J9045): a letter
 * and four digits.  Level I (CPT) codes sent as HCPCS are not. */
static bool
is_level2(const char *code)
{
	return code[0] >= 'A' && code[0] <= 'V' && strlen(code) == 5 &&
	       all_digits(code, 1, 5);
}

/* The system of coding c, named `name` (NULL: none given; a route's is
 * then table 0162, the table RXR-1 is drawn from). */
static void
classify(struct mar_code *c, const char *name, bool route)
{
	c->system = name || !route ? MAR_OTHER : MAR_V2_0162;
	c->uri = name;
	for (size_t i = 0; name && i < sizeof(systems) / sizeof(systems[0]);
	     i++) {
		if (strcmp(name, systems[i].name) != 0)
			continue;
		if (systems[i].system == MAR_HCPCS && !is_level2(c->code))
			return;
		c->system = systems[i].system;
		c->uri = NULL;
		return;
	}
}

/* A CWE read: its codings (identifier, alternate identifier), its
 * original text (CWE-9), and a text sent without an identifier. */
struct concept {
	struct mar_code codes[2];
	size_t n;
	const char *text, *bare;
};

/* CWE field n of s into c; false (said) after an error. */
static bool
read_cwe(struct reader *r, const struct seg *s, unsigned n, bool route,
	 struct concept *c)
{
	struct span w[9];
	*c = (struct concept){0};
	components(r, s, n, w, 9);
	bool ok = take_span(r, s, n, 9, w[8], HL7_MAX_TEXT, &c->text);
	for (unsigned k = 1; k <= 4; k += 3) {
		struct mar_code m = {0};
		const char *sys;
		ok = take_span(r, s, n, k, w[k - 1], HL7_MAX_CODE, &m.code) &&
		     ok;
		ok = take_span(r, s, n, k + 1, w[k], HL7_MAX_TEXT,
			       &m.display) &&
		     ok;
		ok = take_span(r, s, n, k + 2, w[k + 1], HL7_MAX_CODE, &sys) &&
		     ok;
		if (m.code) {
			classify(&m, sys, route);
			c->codes[c->n++] = m;
		} else if (m.display && !c->bare) {
			c->bare = m.display;
		}
	}
	return ok;
}

/* The words of a concept for a person: its original text, else the first
 * coding's text, else its code, else a text without a code. */
static const char *
concept_words(const struct concept *c)
{
	if (c->text)
		return c->text;
	if (c->n)
		return c->codes[0].display ? c->codes[0].display
					   : c->codes[0].code;
	return c->bare;
}

/* ---- records ------------------------------------------------------------ */

/* a, b and c concatenated, in the caller's arena. */
static const char *
concat(struct reader *r, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *v = arena_alloc_raw(r->out, la + lb + lc + 1);
	if (!v) {
		r->fatal = SCRUB_ENOMEM;
		return NULL;
	}
	memcpy(v, a, la);
	memcpy(v + la, b, lb);
	memcpy(v + la + lb, c, lc + 1);
	return v;
}

/* RXA-2, the administration sub-ID counter: with the order number, the
 * record's id. */
static void
read_sub_id(struct reader *r, const struct seg *s, struct mar_record *rec)
{
	const char *v;
	if (!take(r, s, 2, 1, HL7_MAX_CODE, &v))
		return;
	if (!v || strlen(v) > 9 || !all_digits(v, 0, strlen(v)) ||
	    strspn(v, "0") == strlen(v)) {
		seg_error(r, s, 2,
			  "the administration sub-ID counter '%.40s' is not "
			  "a number from 1",
			  v ? v : "");
		return;
	}
	if (r->m.order)
		rec->id = concat(r, r->m.order, "/", v);
}

/* RXA-3 and RXA-4: start, and stop when charted; equal, an instant. */
static void
read_times(struct reader *r, const struct seg *s, struct mar_record *rec)
{
	bool start_ok = read_ts(r, s, 3, &rec->start, &rec->has_start);
	bool stop_ok = read_ts(r, s, 4, &rec->stop, &rec->has_stop);
	if (start_ok && !rec->has_start)
		seg_error(r, s, 3,
			  "the start of the administration is "
			  "required");
	if (!start_ok || !stop_ok || !rec->has_start || !rec->has_stop)
		return;
	int64_t d = isotime_diff(&rec->start, &rec->stop);
	if (d < 0)
		seg_error(r, s, 4, "the end is before the start (RXA-3)");
	if (d == 0) {
		rec->stop = rec->start;
		rec->instant = true;
	}
}

/* RXA-5, the administered code: at least an identifier or a text. */
static void
read_drug(struct reader *r, const struct seg *s, struct mar_record *rec)
{
	struct concept c;
	if (!read_cwe(r, s, 5, false, &c))
		return;
	if (c.n == 0 && !c.text && !c.bare) {
		seg_error(r, s, 5,
			  "the administered code has neither an identifier "
			  "nor a text");
		return;
	}
	memcpy(rec->drug, c.codes, c.n * sizeof(c.codes[0]));
	rec->ndrug = c.n;
	rec->drug_text = c.text ? c.text : c.bare;
}

/* RXA-20 completion status (table 0322), empty meaning complete. */
static const struct {
	const char *code;
	enum mar_status status;
} completion[] = {
	{.code = "CP", .status = MAR_COMPLETED}, /* complete */
	{.code = "PA", .status = MAR_STOPPED},	 /* partially administered */
	{.code = "RE", .status = MAR_NOT_DONE},	 /* refused */
	{.code = "NA", .status = MAR_NOT_DONE},	 /* not administered */
};

/* RXA-20, then RXA-21 (table 0323: A add, U update, D delete). */
static void
read_status(struct reader *r, const struct seg *s, struct mar_record *rec)
{
	const char *cs, *action;
	size_t i = 0;
	rec->status = MAR_COMPLETED;
	if (take(r, s, 20, 1, HL7_MAX_CODE, &cs) && cs) {
		while (i < sizeof(completion) / sizeof(completion[0]) &&
		       strcmp(cs, completion[i].code) != 0)
			i++;
		if (i == sizeof(completion) / sizeof(completion[0]))
			seg_error(r, s, 20,
				  "completion status '%.40s' is not one of CP, "
				  "PA, RE, NA",
				  cs);
		else
			rec->status = completion[i].status;
	}
	if (rec->status == MAR_STOPPED && r->m.on_hold)
		rec->status = MAR_ON_HOLD;
	if (!take(r, s, 21, 1, HL7_MAX_CODE, &action) || !action)
		return;
	if (strcmp(action, "D") == 0)
		rec->status = MAR_ENTERED_IN_ERROR;
	else if (strcmp(action, "A") != 0 && strcmp(action, "U") != 0)
		seg_error(r, s, 21, "action code '%.40s' is not one of A, U, D",
			  action);
}

/* ---- segments ----------------------------------------------------------- */

/* PV1-19, the visit number (CX: its ID, component 1). */
static void
on_pv1(struct reader *r, const struct seg *s)
{
	if (r->m.has_pv1) {
		seg_error(r, s, 0, "a second PV1 in one message");
		return;
	}
	r->m.has_pv1 = true;
	r->m.said_no_visit = true; /* what is wrong with PV1-19 is said here */
	if (!take(r, s, 19, 1, HL7_MAX_CODE, &r->m.encounter))
		return;
	if (!r->m.encounter) {
		seg_error(r, s, 19,
			  "the visit number is empty: the administrations "
			  "cannot be joined to a claim");
	}
}

/* The end of an order group: a run of RXAs must have had its RXR. */
static void
close_order(struct reader *r)
{
	if (r->m.adm == ADM_OPEN)
		at_error(r, r->m.adm_line, r->m.adm_col,
			 "RXA: no RXR after the administration: RAS^O17 has "
			 "one after each run of RXA segments");
	r->m.in_order = false;
	r->m.adm = ADM_NONE;
}

/* ORC: a new order group, its number from ORC-2 (placer), else ORC-3
 * (filler), its hold from ORC-5. */
static void
on_orc(struct reader *r, const struct seg *s)
{
	const char *placer, *filler, *status;
	close_order(r);
	r->m.in_order = true;
	r->m.group = r->m.order = NULL;
	bool ok = take(r, s, 2, 1, HL7_MAX_CODE, &placer);
	ok = take(r, s, 3, 1, HL7_MAX_CODE, &filler) && ok;
	ok = take(r, s, 5, 1, HL7_MAX_CODE, &status) && ok;
	r->m.on_hold = status && strcmp(status, "HD") == 0;
	if (ok && !placer && !filler)
		seg_error(r, s, 2,
			  "neither a placer (ORC-2) nor a filler order number "
			  "(ORC-3): the administrations cannot be grouped");
	if (!placer && !filler)
		return;
	r->m.order = placer ? placer : filler;
	r->m.group = concat(r, placer ? "ORC-2/" : "ORC-3/", r->m.order, "");
}

/* RXO, RXE: the order's own segments come before its administrations. */
static void
on_order_seg(struct reader *r, const struct seg *s)
{
	if (r->m.adm != ADM_NONE)
		seg_error(r, s, 0,
			  "an order segment after the administrations of its "
			  "order group");
}

/* Without PV1-19 the message's events cannot be joined: said once. */
static void
need_visit(struct reader *r, const struct seg *s)
{
	if (r->m.encounter || r->m.said_no_visit)
		return;
	r->m.said_no_visit = true;
	at_error(r, s->line, s->col,
		 "PV1-19: no visit number before the administration: it "
		 "cannot be joined to a claim");
}

/* RXA: one administration, one record, its route still to come. */
static void
on_rxa(struct reader *r, const struct seg *s)
{
	if (!r->m.in_order) {
		seg_error(r, s, 0,
			  "an administration outside an order group: RXA "
			  "must follow an ORC");
		return;
	}
	if (r->m.adm != ADM_OPEN) {
		r->m.adm = ADM_OPEN;
		r->m.adm_first = r->recs.n;
		r->m.adm_line = s->line;
		r->m.adm_col = s->col;
	}
	struct mar_record rec = {.file = r->file,
				 .line = s->line,
				 .column = s->col,
				 .encounter = r->m.encounter,
				 .group = r->m.group};
	need_visit(r, s);
	read_sub_id(r, s, &rec);
	read_times(r, s, &rec);
	read_drug(r, s, &rec);
	read_status(r, s, &rec);
	if (marrec_list_push(&r->recs, &rec) != SCRUB_OK)
		r->fatal = SCRUB_ENOMEM;
}

/* The route coding of a concept: the first of a recognised system, else
 * the first (as fhir.c picks). */
static void
take_route(struct mar_record *rec, const struct concept *c)
{
	size_t pick = 0;
	while (pick < c->n && c->codes[pick].system == MAR_OTHER)
		pick++;
	rec->has_route = c->n > 0;
	if (c->n)
		rec->route = c->codes[pick < c->n ? pick : 0];
	rec->route_text = c->text ? c->text : c->bare;
}

/* RXR after a run of RXAs: route (required), site and method of each. */
static void
on_rxr(struct reader *r, const struct seg *s)
{
	struct concept route, site, method;
	if (!r->m.in_order || r->m.adm == ADM_NONE)
		return; /* the order's route (RXO, RXE), or not in an order */
	if (r->m.adm == ADM_CLOSED) {
		seg_error(r, s, 0,
			  "a second RXR after a run of RXA segments: RAS^O17 "
			  "has one");
		return;
	}
	r->m.adm = ADM_CLOSED;
	bool ok = read_cwe(r, s, 1, true, &route);
	ok = read_cwe(r, s, 2, false, &site) && ok;
	ok = read_cwe(r, s, 4, false, &method) && ok;
	if (ok && route.n == 0 && !route.text && !route.bare)
		seg_error(r, s, 1, "the route is required");
	for (size_t i = r->m.adm_first; ok && i < r->recs.n; i++) {
		take_route(&r->recs.v[i], &route);
		r->recs.v[i].site = concept_words(&site);
		r->recs.v[i].method_text = concept_words(&method);
	}
}

/* The segments read, one row each; any other is ignored. */
static const struct {
	char name[4];
	void (*read)(struct reader *r, const struct seg *s);
} readers[] = {
	{.name = "PV1", .read = on_pv1},
	{.name = "ORC", .read = on_orc},
	{.name = "RXO", .read = on_order_seg},
	{.name = "RXE", .read = on_order_seg},
	{.name = "RXA", .read = on_rxa},
	{.name = "RXR", .read = on_rxr},
};

/* ---- messages ----------------------------------------------------------- */

/* The message read so far ends: its records kept, or dropped after an
 * error. */
static void
end_message(struct reader *r)
{
	if (r->m.where == OUTSIDE)
		return;
	if (r->m.where == IN_MESSAGE)
		close_order(r);
	size_t n = r->recs.n - r->m.first;
	if (r->m.bad) {
		r->counts.refused += n;
		r->recs.n = r->m.first;
	} else {
		r->counts.records += n;
	}
	r->m.where = OUTSIDE;
}

/* A delimiter: printable ASCII, not a letter, digit or space. */
static bool
delim_ok(char c)
{
	return c > 0x20 && c < 0x7F && !(c >= '0' && c <= '9') &&
	       !((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* MSH-1 and MSH-2 into the message's delimiters; false (said) when they
 * cannot be read, and the message with them. */
static bool
read_delims(struct reader *r, struct seg *s)
{
	const char *p = s->p;
	size_t end = 4;
	s->nf = 2;
	s->f[1] = (struct span){3, s->len > 3};
	if (s->len < 4 || !delim_ok(p[3])) {
		seg_error(r, s, 1,
			  "no field separator: MSH-1 is a printable character "
			  "other than a letter, digit or space");
		return false;
	}
	while (end < s->len && p[end] != p[3])
		end++;
	s->f[2] = (struct span){4, end - 4};
	s->nf = 3;
	bool ok = end - 4 == 4;
	for (size_t i = 3; ok && i < 8; i++)
		ok = delim_ok(p[i]) && !memchr(p + i + 1, p[i], 7 - i);
	if (!ok) {
		seg_error(r, s, 2,
			  "the encoding characters are not four distinct "
			  "delimiters, other than MSH-1: component, "
			  "repetition, escape, subcomponent (^~\\&)");
		return false;
	}
	r->m.d = (struct delims){p[3], p[4], p[5], p[6], p[7]};
	return true;
}

/* The versions whose fields read here sit where 2.5.1 has them. */
static const char *const versions[] = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1"};

/* MSH-9 (RAS^O17 is read, any other type skipped) and MSH-12. */
static void
read_header(struct reader *r, const struct seg *s)
{
	const char *code, *trigger, *version;
	size_t i = 0;
	if (!take(r, s, 9, 1, HL7_MAX_CODE, &code) ||
	    !take(r, s, 9, 2, HL7_MAX_CODE, &trigger))
		return;
	if (!code) {
		seg_error(r, s, 9, "the message type is required");
		return;
	}
	if (strcmp(code, "RAS") != 0 || !trigger ||
	    strcmp(trigger, "O17") != 0) {
		r->counts.skipped++;
		r->m.where = SKIPPING;
		return;
	}
	if (!take(r, s, 12, 1, HL7_MAX_CODE, &version))
		return;
	while (version && i < sizeof(versions) / sizeof(versions[0]) &&
	       strcmp(version, versions[i]) != 0)
		i++;
	if (!version || i == sizeof(versions) / sizeof(versions[0]))
		seg_error(r, s, 12,
			  "version '%.40s' is not read: this reader knows 2.3 "
			  "to 2.5.1",
			  version ? version : "");
}

/* MSH: the message before it ends, this one begins. */
static void
on_msh(struct reader *r, struct seg *s)
{
	end_message(r);
	if (++r->counts.messages > HL7_MAX_MESSAGES) {
		at_error(r, s->line, s->col,
			 "more than %d messages in one file", HL7_MAX_MESSAGES);
		r->fatal = SCRUB_ELIMIT;
		return;
	}
	r->m = (struct msg){.where = IN_MESSAGE, .first = r->recs.n, .nseg = 1};
	if (!read_delims(r, s) || (s->len > 8 && !split(r, s, 3, 9))) {
		r->m.where = SKIPPING;
		return;
	}
	read_header(r, s);
	if (r->m.bad)
		r->m.where = SKIPPING;
}

/* Three of A-Z 0-9, a letter first (Z-segments included). */
static bool
name_ok(const char *p, size_t len)
{
	if (len < 3 || !(p[0] >= 'A' && p[0] <= 'Z'))
		return false;
	for (int i = 1; i < 3; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9')))
			return false;
	return true;
}

/* A segment inside a message read: split, then read by its row. */
static void
in_message(struct reader *r, struct seg *s)
{
	if (++r->m.nseg > HL7_MAX_SEGMENTS) {
		seg_error(r, s, 0, "more than %d segments in one message",
			  HL7_MAX_SEGMENTS);
		r->m.where = SKIPPING;
		return;
	}
	if (s->len > 3 && s->p[3] != r->m.d.field) {
		seg_error(r, s, 0,
			  "the segment name is not followed by the field "
			  "separator '%c'",
			  r->m.d.field);
		return;
	}
	s->nf = 1;
	s->f[0] = (struct span){0, 3};
	if (s->len > 3 && !split(r, s, 1, 4))
		return;
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (memcmp(s->p, readers[i].name, 3) == 0) {
			readers[i].read(r, s);
			return;
		}
}

/* One segment (a line) of the file, p[0..len) at `line`. */
static void
segment(struct reader *r, const char *p, size_t len, unsigned line)
{
	struct seg s = {.p = p, .len = len, .line = line, .col = 1};
	if (len && p[0] == 0x0B) { /* MLLP start block */
		s.p++;
		s.len--;
		s.col++;
	}
	if (s.len == 0 || (s.len == 1 && s.p[0] == 0x1C)) /* blank, MLLP end */
		return;
	if (!name_ok(s.p, s.len)) {
		at_error(r, line, s.col,
			 "'%.*s' is not a segment name (three of A-Z 0-9, a "
			 "letter first)",
			 s.len < 3 ? (int)s.len : 3, s.p);
		return;
	}
	memcpy(s.name, s.p, 3);
	if (memcmp(s.name, "MSH", 3) == 0)
		on_msh(r, &s);
	else if ((s.name[0] == 'F' || s.name[0] == 'B') &&
		 strstr("FHS BHS BTS FTS", s.name))
		end_message(r); /* batch wrappers: between messages */
	else if (r->m.where == OUTSIDE)
		seg_error(r, &s, 0,
			  "a segment outside a message (a message starts with "
			  "MSH)");
	else if (r->m.where == IN_MESSAGE)
		in_message(r, &s);
}

/* The first c at or after buf[at], or len. */
static size_t
next_of(const char *buf, size_t at, size_t len, char c)
{
	const char *p = memchr(buf + at, c, len - at);
	return p ? (size_t)(p - buf) : len;
}

/* Each segment of buf, up to CR, LF or CR LF (one line each).  The next
 * CR and the next LF are each found once with memchr and kept until
 * passed, so a file of either ending costs one pass. */
static void
read_all(struct reader *r, const char *buf, size_t len)
{
	size_t at = 0, cr = 0, lf = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		at = 3;
	cr = next_of(buf, at, len, '\r');
	lf = next_of(buf, at, len, '\n');
	for (unsigned line = 1; at < len && r->fatal == SCRUB_OK; line++) {
		if (cr < at)
			cr = next_of(buf, at, len, '\r');
		if (lf < at)
			lf = next_of(buf, at, len, '\n');
		size_t end = cr < lf ? cr : lf;
		segment(r, buf + at, end - at, line);
		if (end == cr && lf == cr + 1)
			end++;
		at = end + 1;
	}
	end_message(r);
}

enum scrub_err
hl7_read(struct arena *a, const char *file, const char *buf, size_t len,
	 struct mar_record **recs, size_t *nrecs, struct hl7_counts *counts,
	 struct diag_list *dl)
{
	struct reader r = {.out = a, .dl = dl};
	size_t n0 = dl->n;
	*recs = NULL;
	*nrecs = 0;
	if (counts)
		*counts = (struct hl7_counts){0};
	if (len > HL7_MAX_BYTES)
		return diag_add(dl, file, 0, 0,
				"input is %zu bytes, more than %zu", len,
				HL7_MAX_BYTES) == SCRUB_OK
			       ? SCRUB_ELIMIT
			       : SCRUB_ENOMEM;
	if (!(r.file = arena_strdup(a, file)))
		return SCRUB_ENOMEM;
	read_all(&r, buf, len);
	enum scrub_err err = marrec_list_finish(&r.recs, a, recs, nrecs);
	if (counts)
		*counts = r.counts;
	if (err != SCRUB_OK || r.fatal != SCRUB_OK)
		return err != SCRUB_OK ? err : r.fatal;
	return dl->n > n0 ? SCRUB_EINPUT : SCRUB_OK;
}

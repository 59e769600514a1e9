/*
 * x12_claim — the 837 reader's loops of a claim (see x12.h, x12_int.h):
 * the HL levels above a claim (billing provider, subscriber, patient), the
 * claim (CLM, its dates and providers), its service lines (LX, SV1 or
 * SV2, DTP*472, LIN), and the values they hold, each converted strictly
 * and reported at its element.  A claim is kept by x12__finish_claim,
 * once its loop ends and its whole is checked.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "x12_int.h"

/* A claim id (CLM01) is at most 38 bytes in the guides. */
#define X12_CLAIM_ID_MAX 38
/* Amounts: at most this many digits before the decimal point (CLM02 is
 * R 1/18; ten digits is over a billion dollars). */
#define X12_AMOUNT_DIGITS 10

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
		x12__bad(r, s, e, 0, "NPI missing");
		return NULL;
	}
	if (!x12_npi_valid(v.p, v.len))
		x12__bad(r, s, e, 0,
			 "'%.*s' is not an NPI: 10 digits whose last is the "
			 "check digit",
			 SHOW(v));
	return dup(r, v); /* even when bad: said once, not at each claim */
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
		x12__bad(r, &w->lx, 0, 0,
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
		x12__bad(r, &w->clm, 0, 0,
			 "claim '%s' has no service line (LX)", c->claim.ref);
	else if (sum != c->total_charge) {
		char a[32], b[32];
		x12_format_amount(c->total_charge, a, sizeof(a));
		x12_format_amount(sum, b, sizeof(b));
		x12__bad(r, &w->clm, 2, 0,
			 "total charge %s is not the sum of the line charges, "
			 "%s",
			 a, b);
	}
	if (c->kind == X12_837I && !c->has_statement)
		x12__bad(r, &w->clm, 0, 0,
			 "claim '%s' has no DTP*434 statement dates",
			 c->claim.ref);
}

/* Ends the open claim (at a CLM, HL or SE) and keeps it. */
void
x12__finish_claim(struct rd *r)
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
void
x12__on_hl(struct rd *r, const struct seg *s)
{
	unsigned long id, parent = 0;
	x12__finish_claim(r);
	struct span lvl = el(s, 3);
	if (!x12__want_number(r, s, 1, &id))
		return;
	if (id != r->nhl + 1)
		x12__bad(r, s, 1, 0, "HL id %lu is not the next, %u", id,
			 r->nhl + 1);
	r->nhl = (unsigned)id;
	bool has_parent = el(s, 2).len > 0;
	if (has_parent && !x12__want_number(r, s, 2, &parent))
		return;
	unsigned want = is(lvl, "20") ? 0 : is(lvl, "22") ? r->hl20 : r->hl22;
	if (!is(lvl, "20") && !is(lvl, "22") && !is(lvl, "23")) {
		x12__bad(r, s, 3, 0,
			 "level '%.*s' is not 20 (billing provider), 22 "
			 "(subscriber) or 23 (patient)",
			 SHOW(lvl));
		return;
	}
	if (parent != want || (want == 0 && !is(lvl, "20")))
		x12__bad(r, s, 2, 0,
			 "parent '%.*s' is not the level above, HL %u",
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
		x12__bad(r, s, 3, 0, "payer name must be 1 to %d bytes",
			 CLAIM_REF_MAX);
		r->payer_name = ""; /* said once, not at each claim */
		return;
	}
	r->payer_name = dup(r, name);
	if (id.len == 0)
		return;
	if (!is(el(s, 8), "PI") && !is(el(s, 8), "XV"))
		x12__bad(r, s, 8, 0,
			 "payer id qualifier '%.*s' is not PI or XV",
			 SHOW(el(s, 8)));
	else if (id.len > CLAIM_REF_MAX)
		x12__bad(r, s, 9, 0, "payer id is over %d bytes",
			 CLAIM_REF_MAX);
	else
		r->payer_id = dup(r, id);
}

/* NM1: every NPI (NM108 XX) is checked; those of the billing provider
 * (85, 2010AA), the payer (PR, 2010BB) and the claim's rendering (82,
 * 837P) or attending (71, 837I) provider are kept. */
void
x12__on_nm1(struct rd *r, const struct seg *s)
{
	struct span who = el(s, 1);
	bool xx = is(el(s, 8), "XX");
	if (r->ctx == C_HL20 && is(who, "85")) {
		if (!xx)
			x12__bad(r, s, 8, 0,
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
		x12__bad(r, s, 5, 1, "facility code '%.*s' is not 2 digits",
			 SHOW(fac));
	if (!is(q, want))
		x12__bad(r, s, 5, 2, "qualifier '%.*s' is not %s", SHOW(q),
			 want);
	if (f.len != 1 || (f.p[0] != '1' && f.p[0] != '7' && f.p[0] != '8'))
		x12__bad(r, s, 5, 3, "claim frequency '%.*s' is not 1, 7 or 8",
			 SHOW(f));
	else
		c->frequency = (enum x12_frequency)f.p[0];
	c->facility_code = dup(r, fac);
	x12__where(r, s, 5, &c->facility_line, &c->facility_column);
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
	/* the form's; import maps CLM05-1 under the rules (setmap.h) */
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
		x12__bad(r, s, 0, 0,
			 "a claim belongs under a subscriber or patient "
			 "level (HL 22 or 23)");
	else if (!r->billing_npi || !r->payer_name)
		x12__bad(r, s, 0, 0,
			 "no billing provider NPI (NM1*85) or payer "
			 "(NM1*PR) before this claim");
}

void
x12__on_clm(struct rd *r, const struct seg *s)
{
	x12__finish_claim(r);
	clm_place(r, s);
	if (r->x->n >= X12_MAX_CLAIMS) {
		x12__bad(r, s, 0, 0, "more than %u claims; the file is refused",
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
		x12__bad(r, s, 1, 0, "claim id must be 1 to %d bytes",
			 X12_CLAIM_ID_MAX);
	if (!parse_amount(el(s, 2), &c->total_charge))
		x12__bad(r, s, 2, 0, "total charge '%.*s' is not an amount",
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
void
x12__on_dtp(struct rd *r, const struct seg *s)
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
		x12__bad(
			r, s, 3, 0, "'%.*s' is not a %s", SHOW(v),
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

void
x12__on_lx(struct rd *r, const struct seg *s)
{
	unsigned long n;
	struct wip *w = &r->w;
	if (r->ctx != C_CLAIM && r->ctx != C_LINE) {
		x12__bad(r, s, 0, 0, "a service line (LX) outside a claim");
		return;
	}
	finish_line(r);
	unsigned max = r->kind == X12_837P ? X12_MAX_LINES_P : X12_MAX_LINES_I;
	if (w->c->claim.nlines >= max) {
		x12__bad(r, s, 0, 0, "more than %u service lines in claim '%s'",
			 max, w->c->claim.ref);
		r->limit = r->stop = true;
		return;
	}
	if (x12__want_number(r, s, 1, &n) && n != w->c->claim.nlines + 1)
		x12__bad(r, s, 1, 0, "line number %lu is not the next, %zu", n,
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
		x12__bad(r, s, e, 1, "qualifier '%.*s' is not HC (HCPCS/CPT)",
			 SHOW(q));
		return;
	}
	if (!code_shape(code, 5)) {
		x12__bad(r, s, e, 2,
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
			x12__bad(r, s, e, 3 + k,
				 "modifier '%.*s' is not 2 upper-case letters "
				 "or "
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
		x12__bad(r, s, e, 0, "line charge '%.*s' is not an amount",
			 SHOW(el(s, e)));
	if (!is(basis, "UN") && !(r->kind == X12_837P && is(basis, "MJ")))
		x12__bad(r, s, e + 1, 0, "unit basis '%.*s' is not %s",
			 SHOW(basis), r->kind == X12_837P ? "UN or MJ" : "UN");
	else
		x->unit_basis = is(basis, "UN") ? "UN" : "MJ";
	if (parse_units(u, &l->units, &fractional))
		return;
	x12__bad(r, s, e + 2, 0, "unit count '%.*s' is %s", SHOW(u),
		 fractional ? "fractional; a claim bills whole units"
			    : "not a whole number 1..999");
}

/* SV1 (837P) or SV2 (837I): the line's service, right after its LX. */
void
x12__on_sv(struct rd *r, const struct seg *s)
{
	struct wip *w = &r->w;
	bool sv1 = s->id[2] == '1';
	if (sv1 != (r->kind == X12_837P)) {
		x12__bad(r, s, 0, 0, "%s is not a segment of an %s", s->id,
			 r->kind == X12_837P ? "837P" : "837I");
		return;
	}
	if (r->ctx != C_LINE || !w->want_sv) {
		x12__bad(r, s, 0, 0, "%s belongs right after LX", s->id);
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
		x12__bad(r, s, 1, 0, "revenue code '%.*s' is not 4 digits",
			 SHOW(el(s, 1)));
	else
		x->revenue_code = dup(r, el(s, 1));
	procedure(r, s, 2, l);
	charge_units(r, s, 3, l, x);
}

/* LIN (2410): the line's drug as an 11-digit NDC (N4). */
void
x12__on_lin(struct rd *r, const struct seg *s)
{
	struct wip *w = &r->w;
	if (r->ctx != C_LINE || !w->has_sv) {
		x12__bad(r, s, 0, 0,
			 "drug identification (LIN) outside a service "
			 "line");
		return;
	}
	if (w->has_ndc) {
		x12__bad(r, s, 0, 0, "a second LIN in service line %zu",
			 w->c->claim.nlines);
		return;
	}
	w->has_ndc = true;
	if (!is(el(s, 2), "N4"))
		x12__bad(r, s, 2, 0, "qualifier '%.*s' is not N4 (NDC)",
			 SHOW(el(s, 2)));
	else if (el(s, 3).len != 11 || !all_digits(el(s, 3)))
		x12__bad(r, s, 3, 0, "NDC '%.*s' is not 11 digits (5-4-2)",
			 SHOW(el(s, 3)));
	else
		w->xl[w->c->claim.nlines - 1].ndc = dup(r, el(s, 3));
}

/* REF in loop 2300: EA, the medical record number, is what `import --mar
 * --mar-key ea` joins MAR records on; the other qualifiers are not read. */
void
x12__on_ref(struct rd *r, const struct seg *s)
{
	struct wip *w = &r->w;
	if (r->ctx != C_CLAIM || !is(el(s, 1), "EA"))
		return;
	if (w->c->medical_record)
		x12__bad(r, s, 1, 0, "a second REF*EA in claim '%s'",
			 w->c->claim.ref);
	else if (el(s, 2).len == 0 || el(s, 2).len > 50)
		x12__bad(r, s, 2, 0,
			 "medical record number of %zu bytes; 1 to 50 "
			 "are allowed",
			 el(s, 2).len);
	else
		w->c->medical_record = dup(r, el(s, 2));
}

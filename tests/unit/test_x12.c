/*
 * test_x12 — the 837 reader (scrubber/x12.h): the samples of examples/x12/
 * read to exactly the values their text holds, and each refusal names its
 * element, its segment and where it is.  A refusal is made from a sample
 * by replacing one piece of its text, so everything else in it stays
 * good.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/fileio.h"
#include "scrubber/isotime.h"
#include "scrubber/x12.h"
#include "tests/lib/scrubtest.h"

#define P_SAMPLE "examples/x12/837p-sample.837"
#define I_SAMPLE "examples/x12/837i-sample.837"

/* The text of a sample (malloc'd, NUL-terminated). */
static char *
sample(const char *name, size_t *len)
{
	char path[4096];
	char *buf = NULL;
	struct diag_list dl = {0};
	snprintf(path, sizeof(path), "%s/%s", st_srcdir(), name);
	cr_assert_eq(fileio_read(path, X12_MAX_BYTES, &buf, len, &dl), SCRUB_OK,
		     "cannot read %s", path);
	diag_list_free(&dl);
	return buf;
}

/* The sample with the first occurrence of from replaced by to. */
static char *
edited(const char *name, const char *from, const char *to, size_t *len)
{
	size_t n;
	char *s = sample(name, &n);
	char *at = strstr(s, from);
	cr_assert_not_null(at, "'%s' is not in %s", from, name);
	size_t head = (size_t)(at - s), fl = strlen(from), tl = strlen(to);
	char *out = malloc(n - fl + tl + 1);
	cr_assert_not_null(out);
	memcpy(out, s, head);
	memcpy(out + head, to, tl);
	memcpy(out + head + tl, at + fl, n - head - fl + 1);
	*len = n - fl + tl;
	free(s);
	return out;
}

static int32_t
day(const char *iso)
{
	int32_t d;
	cr_assert(isotime_parse_date(iso, strlen(iso), &d));
	return d;
}

/* A sample that must read without error. */
static struct x12 *
read_good(const char *name)
{
	size_t len;
	char *buf = sample(name, &len);
	struct diag_list dl = {0};
	struct x12 *x = NULL;
	enum scrub_err err = x12_parse(name, buf, len, &x, &dl);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%u:%u: %s", dl.items[i].line, dl.items[i].column,
			     dl.items[i].message);
	cr_assert_eq(err, SCRUB_OK);
	cr_assert_eq(dl.n, 0);
	cr_assert_not_null(x);
	free(buf); /* the claims must not borrow from the input */
	return x;
}

/* buf must be refused with err and a diagnostic at line:col whose message
 * holds want; nothing is handed back. */
static void
refused(char *buf, size_t len, enum scrub_err want_err, unsigned line,
	unsigned col, const char *want)
{
	struct diag_list dl = {0};
	struct x12 *x = (struct x12 *)1;
	enum scrub_err err = x12_parse("claims.837", buf, len, &x, &dl);
	bool found = false;
	for (size_t i = 0; i < dl.n; i++) {
		const struct diag *d = &dl.items[i];
		cr_log_info("%s:%u:%u: %s", d->file, d->line, d->column,
			    d->message);
		if (strstr(d->message, want) && d->line == line &&
		    d->column == col && strcmp(d->file, "claims.837") == 0)
			found = true;
	}
	cr_assert_eq(err, want_err);
	cr_assert_null(x, "a refused file hands back no claim");
	cr_assert(found, "no diagnostic at %u:%u holding '%s'", line, col,
		  want);
	diag_list_free(&dl);
	free(buf);
}

static void
edit_refused(const char *name, const char *from, const char *to, unsigned line,
	     unsigned col, const char *want)
{
	size_t len;
	char *buf = edited(name, from, to, &len);
	refused(buf, len, SCRUB_EINPUT, line, col, want);
}

static void
line_is(const struct claim_line *l, const char *code, int units,
	const char *mod1, const char *mod2, const char *date)
{
	cr_assert_str_eq(l->code, code);
	cr_assert_eq(l->units, units, "%s: units %d", code, l->units);
	cr_assert_eq(l->nmodifiers, (mod1 != NULL) + (mod2 != NULL), "%s",
		     code);
	if (mod1)
		cr_assert_str_eq(l->modifiers[0], mod1);
	if (mod2)
		cr_assert_str_eq(l->modifiers[1], mod2);
	cr_assert(l->has_service_date);
	cr_assert_eq(l->service_date, day(date), "%s", code);
}

/* ---- the samples ---------------------------------------------------- */

Test(x12, professional_first_claim)
{
	struct x12 *x = read_good(P_SAMPLE);
	cr_assert_eq(x12_count(x), 2);
	const struct x12_claim *c = x12_claim(x, 0);
	cr_assert_str_eq(c->claim.ref, "PC-2026-0301");
	cr_assert_str_eq(c->claim.payer, "00430");
	cr_assert_str_eq(c->payer_name, "MEDICARE PART B");
	cr_assert_str_eq(c->claim.provider, "1987654328"); /* rendering */
	cr_assert_str_eq(c->billing_npi, "1234567893");
	cr_assert_eq(c->claim.setting, SETTING_PROFESSIONAL);
	cr_assert_eq(c->kind, X12_837P);
	cr_assert_eq(c->frequency, X12_ORIGINAL);
	cr_assert_eq(c->total_charge, 41000);
	cr_assert_str_eq(c->facility_code, "11");
	/* CLM*PC-2026-0301*410***11:B:1 on line 20: CLM05 at column 24 */
	cr_assert_eq(c->facility_line, 20);
	cr_assert_eq(c->facility_column, 24);
	cr_assert(c->claim.has_date_of_service);
	cr_assert_eq(c->claim.date_of_service, day("2026-03-02"));
	cr_assert_eq(c->claim.nadmins, 0);
	cr_assert_eq(c->claim.nlines, 4);
	line_is(&c->claim.lines[0], "96413", 1, NULL, NULL, "2026-03-02");
	line_is(&c->claim.lines[1], "96415", 1, NULL, NULL, "2026-03-02");
	line_is(&c->claim.lines[2], "J9045", 2, NULL, NULL, "2026-03-02");
	line_is(&c->claim.lines[3], "96375", 1, "59", NULL, "2026-03-02");
	cr_assert_eq(c->lines[0].charge, 26000);
	cr_assert_eq(c->lines[3].charge, 2000);
	cr_assert_str_eq(c->lines[2].ndc, "00015321430");
	cr_assert_null(c->lines[0].ndc);
	cr_assert_null(c->lines[0].revenue_code);
	cr_assert_str_eq(c->lines[0].unit_basis, "UN");
	x12_free(x);
}

Test(x12, professional_replacement_under_a_patient_level)
{
	struct x12 *x = read_good(P_SAMPLE);
	const struct x12_claim *c = x12_claim(x, 1);
	cr_assert_str_eq(c->claim.ref, "PC-2026-0302");
	cr_assert_str_eq(c->claim.payer, "LHP01");
	cr_assert_str_eq(c->claim.provider, "1234567893"); /* billing */
	cr_assert_null(c->rendering_npi);
	cr_assert_eq(c->frequency, X12_REPLACEMENT);
	cr_assert_eq(c->total_charge, 24550);
	cr_assert_eq(c->segment, 48);
	cr_assert_eq(c->claim.nlines, 3);
	line_is(&c->claim.lines[0], "99213", 1, "25", NULL, "2026-03-03");
	line_is(&c->claim.lines[1], "96360", 1, NULL, NULL, "2026-03-03");
	line_is(&c->claim.lines[2], "96361", 2, "XS", "GA", "2026-03-03");
	cr_assert_eq(c->lines[1].charge, 9550);
	cr_assert_null(x12_claim(x, 2));
	x12_free(x);
}

Test(x12, institutional_claims)
{
	struct x12 *x = read_good(I_SAMPLE);
	cr_assert_eq(x12_count(x), 2);
	const struct x12_claim *c = x12_claim(x, 0);
	cr_assert_str_eq(c->claim.ref, "IC-2026-0307");
	cr_assert_str_eq(c->claim.payer, "00431");
	cr_assert_str_eq(c->claim.provider, "1543210987"); /* attending */
	cr_assert_eq(c->claim.setting, SETTING_FACILITY);
	cr_assert_eq(c->kind, X12_837I);
	cr_assert_str_eq(c->facility_code, "13");
	/* CLM*IC-2026-0307*1150***13:A:1 on line 20: CLM05 at column 25 */
	cr_assert_eq(c->facility_line, 20);
	cr_assert_eq(c->facility_column, 25);
	cr_assert(c->has_statement);
	cr_assert_eq(c->statement_from, day("2026-03-07"));
	cr_assert_eq(c->statement_to, day("2026-03-08"));
	cr_assert_eq(c->claim.date_of_service, day("2026-03-07"));
	cr_assert_eq(c->total_charge, 115000);
	cr_assert_eq(c->claim.nlines, 4);
	line_is(&c->claim.lines[0], "96365", 1, NULL, NULL, "2026-03-07");
	line_is(&c->claim.lines[1], "96367", 1, NULL, NULL, "2026-03-07");
	line_is(&c->claim.lines[2], "J3370", 2, NULL, NULL, "2026-03-07");
	line_is(&c->claim.lines[3], "J0692", 4, "JW", NULL, "2026-03-07");
	cr_assert_str_eq(c->lines[0].revenue_code, "0260");
	cr_assert_str_eq(c->lines[2].revenue_code, "0636");
	cr_assert_str_eq(c->lines[2].ndc, "00409433201");
	cr_assert_str_eq(c->lines[3].ndc, "25021012210");
	cr_assert_eq(c->lines[3].charge, 20000);
	const struct x12_claim *v = x12_claim(x, 1);
	cr_assert_str_eq(v->claim.ref, "IC-2026-0299");
	cr_assert_eq(v->frequency, X12_VOID);
	cr_assert_eq(v->claim.date_of_service, day("2026-02-28"));
	cr_assert_str_eq(v->claim.lines[0].code, "96374");
	cr_assert_str_eq(v->lines[0].revenue_code, "0450");
	x12_free(x);
}

Test(x12, without_line_breaks)
{
	size_t len, o = 0;
	char *buf = sample(P_SAMPLE, &len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\n')
			buf[o++] = buf[i];
	struct diag_list dl = {0};
	struct x12 *x = NULL;
	cr_assert_eq(x12_parse("one.837", buf, o, &x, &dl), SCRUB_OK);
	cr_assert_eq(x12_count(x), 2);
	x12_free(x);
	/* an error is then on line 1, at its byte offset plus one */
	char *at = strstr(buf, "11:B:1");
	at[5] = '9';
	refused(buf, o, SCRUB_EINPUT, 1, (unsigned)(at - buf) + 6,
		"CLM05-3: claim frequency '9' is not 1, 7 or 8 (segment 20, "
		"CLM)");
}

Test(x12, npi_check_digit)
{
	cr_assert(x12_npi_valid("1234567893", 10));
	cr_assert_not(x12_npi_valid("1234567894", 10));
	cr_assert_not(x12_npi_valid("123456789", 9));
	cr_assert_not(x12_npi_valid("12345678X3", 10));
}

/* ---- refusals --------------------------------------------------------- */

Test(x12, isa_element_width)
{
	/* ISA02 one space short: the separator after it is a byte early */
	edit_refused(P_SAMPLE, "*00*          *00*", "*00*         *00*", 1, 18,
		     "ISA02: not 10 bytes wide");
}

Test(x12, isa_delimiters_distinct)
{
	edit_refused(P_SAMPLE, "*T*:~", "*T***~", 1, 4,
		     "delimiters (element separator, ISA11, ISA16");
}

/* found by fuzz_x12: an ISA of 17 elements, then an IEA to compare with
 * its control number, which the reader never took */
Test(x12, isa_element_count)
{
	edit_refused(P_SAMPLE, "*00*          *ZZ*", "*00*     *    *ZZ*", 1, 1,
		     "17 elements, not 16: a separator inside one "
		     "(segment 1, ISA)");
}

Test(x12, isa_too_short)
{
	char *buf = strdup("ISA*00*~");
	refused(buf, strlen(buf), SCRUB_EINPUT, 1, 1, "is cut short");
	buf = strdup("GS*HC~");
	refused(buf, strlen(buf), SCRUB_EINPUT, 1, 1,
		"opens with the 106-byte ISA segment; this one does not");
}

Test(x12, se_count)
{
	edit_refused(P_SAMPLE, "SE*58*0001", "SE*57*0001", 60, 4,
		     "SE01: 57 segments counted; the transaction set (ST to "
		     "SE) has 58 (segment 60, SE)");
}

Test(x12, ge_and_iea_counts)
{
	edit_refused(P_SAMPLE, "GE*1*101", "GE*2*101", 61, 4,
		     "GE01: 2 transaction sets counted; the group has 1 "
		     "(segment 61, GE)");
	edit_refused(P_SAMPLE, "IEA*1*000000101", "IEA*3*000000101", 62, 5,
		     "IEA01: 3 functional groups counted; the interchange has "
		     "1 (segment 62, IEA)");
}

Test(x12, control_numbers)
{
	edit_refused(P_SAMPLE, "IEA*1*000000101", "IEA*1*000000109", 62, 7,
		     "IEA02: control number '000000109' is not ISA13's "
		     "'000000101' (segment 62, IEA)");
	edit_refused(P_SAMPLE, "GE*1*101", "GE*1*103", 61, 6,
		     "GE02: control number '103' is not GS06's '101'");
	edit_refused(P_SAMPLE, "SE*58*0001", "SE*58*0002", 60, 7,
		     "SE02: control number '0002' is not ST02's '0001'");
}

Test(x12, claim_frequency)
{
	edit_refused(P_SAMPLE, "11:B:1", "11:B:9", 20, 29,
		     "CLM05-3: claim frequency '9' is not 1, 7 or 8 "
		     "(segment 20, CLM)");
}

Test(x12, npi_refused)
{
	edit_refused(P_SAMPLE, "XX*1234567893", "XX*1234567894", 9, 43,
		     "NM109: '1234567894' is not an NPI: 10 digits whose last "
		     "is the check digit (segment 9, NM1)");
}

Test(x12, impossible_date)
{
	edit_refused(P_SAMPLE, "DTP*472*D8*20260302", "DTP*472*D8*20260230", 26,
		     12,
		     "DTP03: '20260230' is not a date CCYYMMDD (segment 26, "
		     "DTP)");
}

Test(x12, fractional_units)
{
	edit_refused(P_SAMPLE, "J9045*50*UN*2*", "J9045*50*UN*1.5*", 31, 20,
		     "SV104: unit count '1.5' is fractional; a claim bills "
		     "whole units (segment 31, SV1)");
}

Test(x12, missing_sv1)
{
	edit_refused(P_SAMPLE, "SV1*HC:96415*80*UN*1***1", "NTE*ADD*NO SERVICE",
		     28, 1,
		     "service line 2 (LX) has no SV1: NTE follows it (segment "
		     "28, NTE)");
}

Test(x12, charges_balance)
{
	edit_refused(P_SAMPLE, "0301*410*", "0301*410.01*", 20, 18,
		     "CLM02: total charge 410.01 is not the sum of the line "
		     "charges, 410.00 (segment 20, CLM)");
}

Test(x12, amount_places)
{
	edit_refused(P_SAMPLE, "96413*260*", "96413*260.001*", 25, 14,
		     "SV102: line charge '260.001' is not an amount");
}

Test(x12, revenue_code)
{
	edit_refused(I_SAMPLE, "SV2*0260*HC:96365", "SV2*260*HC:96365", 26, 5,
		     "SV201: revenue code '260' is not 4 digits (segment 26, "
		     "SV2)");
}

Test(x12, procedure_code_and_modifier)
{
	edit_refused(P_SAMPLE, "HC:96375:59", "HC:96375:5", 36, 14,
		     "SV101-3: modifier '5' is not 2 upper-case letters");
	edit_refused(P_SAMPLE, "HC:96413*", "HC:9641*", 25, 8,
		     "SV101-2: procedure code '9641' is not 5 upper-case");
}

Test(x12, hierarchy_parent)
{
	edit_refused(P_SAMPLE, "HL*4*3*23*0", "HL*4*2*23*0", 42, 6,
		     "HL02: parent '2' is not the level above, HL 3");
}

Test(x12, statement_dates_required)
{
	edit_refused(I_SAMPLE, "DTP*434*RD8*20260307-20260308",
		     "DTP*999*RD8*20260307-20260308", 20, 1,
		     "claim 'IC-2026-0307' has no DTP*434 statement dates");
	edit_refused(I_SAMPLE, "20260307-20260308", "20260308-20260307", 21, 13,
		     "DTP03: '20260308-20260307' is not a range");
}

Test(x12, oversize)
{
	size_t len = X12_MAX_BYTES + 1;
	char *buf = malloc(len);
	cr_assert_not_null(buf);
	memset(buf, '~', len);
	refused(buf, len, SCRUB_ELIMIT, 1, 1, "an 837 file may hold at most");
}

Test(x12, truncated)
{
	size_t len;
	char *buf = sample(P_SAMPLE, &len);
	char *at = strstr(buf, "CLM*PC-2026-0302");
	refused(buf, (size_t)(at - buf) + 10, SCRUB_EINPUT, 48, 11,
		"the file ends inside segment 48, with no segment terminator");
	buf = sample(P_SAMPLE, &len);
	at = strstr(buf, "SE*58");
	refused(buf, (size_t)(at - buf), SCRUB_EINPUT, 60, 1,
		"the file ends before IEA");
}

Test(x12, trailing_garbage)
{
	size_t len;
	char *buf = sample(P_SAMPLE, &len);
	char *more = realloc(buf, len + 8);
	cr_assert_not_null(more);
	memcpy(more + len, "\r\nXYZ~\n", 7);
	refused(more, len + 7, SCRUB_EINPUT, 64, 1, "data after IEA");
}

Test(x12, control_bytes)
{
	edit_refused(P_SAMPLE, "N3*100 MAIN", "N3*100\tMAIN", 10, 7,
		     "N301: byte 0x09 is not a printable character (segment "
		     "10, N3)");
}

Test(x12, errors_capped)
{
	/* every NTE bad: the reading stops after X12_MAX_DIAGS */
	size_t len;
	char *s = sample(P_SAMPLE, &len);
	char *buf = malloc(len + 300 * 8);
	cr_assert_not_null(buf);
	char *se = strstr(s, "SE*58");
	size_t head = (size_t)(se - s), o = head;
	memcpy(buf, s, head);
	for (int i = 0; i < 300; i++, o += 7)
		memcpy(buf + o, "NTE*\x01~\n", 7);
	memcpy(buf + o, se, len - head);
	struct diag_list dl = {0};
	struct x12 *x = NULL;
	cr_assert_eq(x12_parse("many.837", buf, o + len - head, &x, &dl),
		     SCRUB_EINPUT);
	cr_assert_eq(dl.n, X12_MAX_DIAGS + 1);
	cr_assert(strstr(dl.items[X12_MAX_DIAGS].message, "reading stopped"));
	diag_list_free(&dl);
	free(s);
	free(buf);
}

/* ---- limits ------------------------------------------------------------ */

/* A minimal 837P of one claim with n lines (of 1.00 each), one segment a
 * line: LX i is on line 10 + 3 (i - 1). */
static char *
many_lines(int n, size_t *len)
{
	size_t cap = 1024 + (size_t)n * 64, o = 0;
	char *buf = malloc(cap);
	cr_assert_not_null(buf);
#define PUT(...) o += (size_t)snprintf(buf + o, cap - o, __VA_ARGS__)
	PUT("ISA*00*          *00*          *ZZ*%-15s*ZZ*%-15s*260314*1200*^*"
	    "00501*000000001*0*T*:~\n",
	    "A", "B");
	PUT("GS*HC*A*B*20260314*1200*1*X*005010X222A1~\n");
	PUT("ST*837*0001*005010X222A1~\nBHT*0019*00*1*20260314*1200*CH~\n");
	PUT("HL*1**20*1~\nNM1*85*2*C*****XX*1234567893~\n");
	PUT("HL*2*1*22*0~\nNM1*PR*2*P*****PI*P1~\n");
	PUT("CLM*C1*%d***11:B:1~\n", n);
	for (int i = 1; i <= n; i++)
		PUT("LX*%d~\nSV1*HC:96365*1*UN*1~\nDTP*472*D8*20260302~\n", i);
	PUT("SE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n", 8 + 3 * n);
#undef PUT
	cr_assert_lt(o, cap);
	*len = o;
	return buf;
}

Test(x12, lines_up_to_the_cap)
{
	size_t len;
	char *buf = many_lines(X12_MAX_LINES_P, &len);
	struct diag_list dl = {0};
	struct x12 *x = NULL;
	cr_assert_eq(x12_parse("cap.837", buf, len, &x, &dl), SCRUB_OK);
	cr_assert_eq(x12_claim(x, 0)->claim.nlines, X12_MAX_LINES_P);
	cr_assert_eq(x12_claim(x, 0)->total_charge, 100 * X12_MAX_LINES_P);
	x12_free(x);
	free(buf);
}

Test(x12, lines_past_the_cap)
{
	size_t len;
	char *buf = many_lines(X12_MAX_LINES_P + 1, &len);
	refused(buf, len, SCRUB_ELIMIT, 10 + 3 * X12_MAX_LINES_P, 1,
		"more than 50 service lines in claim 'C1' (segment 160, LX)");
}

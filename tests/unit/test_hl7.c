/*
 * test_hl7 — the HL7 v2 RAS^O17 reader (scrubber/hl7.h): the sample of
 * examples/hl7/ read to the values written in it, and to the same records
 * as the FHIR sample of the same five administrations; delimiters other
 * than |^~\&, escapes, repetitions, CR, LF and CR LF, batches and MLLP
 * frames; one case per refusal checking its SEG-N, line and column; the
 * limits.  Expectations are written from HL7 v2.5.1 and the samples' text.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/arena.h"
#include "scrubber/diag.h"
#include "scrubber/fhir.h"
#include "scrubber/fileio.h"
#include "scrubber/hl7.h"
#include "scrubber/isotime.h"

/* One read: the arena, the records, the counts and the diagnostics. */
struct read {
	struct arena *a;
	struct mar_record *recs;
	size_t n;
	struct hl7_counts counts;
	struct diag_list dl;
	enum scrub_err err;
};

static void
read_buf(struct read *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->a = arena_new();
	cr_assert_not_null(r->a);
	r->err = hl7_read(r->a, "t.hl7", buf, len, &r->recs, &r->n, &r->counts,
			  &r->dl);
	for (size_t i = 0; i < r->dl.n; i++) {
		char msg[700];
		diag_format(&r->dl.items[i], msg, sizeof(msg));
		cr_log_info("%s", msg);
	}
}

static void
read_str(struct read *r, const char *text)
{
	read_buf(r, text, strlen(text));
}

static void
read_free(struct read *r)
{
	diag_list_free(&r->dl);
	arena_free(r->a);
}

/* examples/NAME, read whole into a malloc'd buffer. */
static char *
sample(const char *name, size_t *len)
{
	const char *src = getenv("CLAIMSCRUB_SRCDIR");
	char path[4096];
	char *buf;
	struct diag_list dl = {0};
	snprintf(path, sizeof(path), "%s/examples/%s", src && *src ? src : ".",
		 name);
	cr_assert_eq(fileio_read(path, HL7_MAX_BYTES, &buf, len, &dl), SCRUB_OK,
		     "cannot read %s", path);
	diag_list_free(&dl);
	return buf;
}

/* A time as marrec_json_write prints it: wall clock and offset. */
static void
fmt_time(const struct isotime *t, char *buf, size_t size)
{
	char w[32];
	isotime_format(t, w, sizeof(w));
	snprintf(buf, size, "%s%c%02d:%02d", w, t->offset < 0 ? '-' : '+',
		 abs(t->offset) / 60, abs(t->offset) % 60);
}

static void
assert_time(const struct isotime *t, const char *want)
{
	char got[48];
	fmt_time(t, got, sizeof(got));
	cr_assert(t->has_offset);
	cr_assert_str_eq(got, want);
}

static void
assert_code(const struct mar_code *c, enum mar_system sys, const char *code,
	    const char *display)
{
	cr_assert_eq(c->system, sys, "system %s, expected %s",
		     mar_system_names[c->system], mar_system_names[sys]);
	cr_assert_str_eq(c->code, code);
	if (display)
		cr_assert_str_eq(c->display, display);
	else
		cr_assert_null(c->display);
}

/* ---- the sample --------------------------------------------------------- */

Test(hl7, sample_records)
{
	size_t len;
	char *buf = sample("hl7/ras-sample.hl7", &len);
	struct read r;
	read_buf(&r, buf, len);
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 5);
	cr_assert_eq(r.counts.messages, 5);
	cr_assert_eq(r.counts.records, 5);
	cr_assert_eq(r.counts.refused + r.counts.skipped, 0);
	for (size_t i = 0; i < r.n; i++)
		cr_assert_str_eq(r.recs[i].encounter, "PC-2026-0301");

	const struct mar_record *m = &r.recs[0];
	cr_assert_str_eq(m->id, "mr-1/1");
	cr_assert_str_eq(m->group, "ORC-2/mr-1");
	cr_assert_eq(m->line, 5);
	cr_assert_eq(m->column, 1);
	cr_assert_eq(m->status, MAR_COMPLETED);
	assert_time(&m->start, "2026-03-02T09:10-05:00");
	assert_time(&m->stop, "2026-03-02T09:40-05:00");
	cr_assert(!m->instant);
	cr_assert_eq(m->ndrug, 1);
	assert_code(&m->drug[0], MAR_RXNORM, "1665005",
		    "ceftriaxone 1000 MG Injection");
	cr_assert_str_eq(m->drug_text, "Ceftriaxone 1 g in 100 mL NS");
	assert_code(&m->route, MAR_SNOMED, "47625008", "Intravenous route");
	cr_assert_str_eq(m->site, "left forearm");
	cr_assert_str_eq(m->method_text, "IV infusion");

	m = &r.recs[1]; /* a push: RXA-4 = RXA-3 */
	cr_assert(m->instant && m->has_stop);
	assert_time(&m->stop, "2026-03-02T09:45-05:00");
	cr_assert_eq(m->ndrug, 2);
	assert_code(&m->drug[1], MAR_NDC, "0000-1111-22", NULL);
	cr_assert_null(m->drug_text);
	assert_code(&m->route, MAR_V2_0162, "IV", "Intravenous");
	cr_assert_str_eq(m->site, "Right upper arm");
	cr_assert_str_eq(m->method_text, "IV push over 2 minutes");

	cr_assert_eq(r.recs[2].status, MAR_ON_HOLD); /* PA under ORC-5 HD */
	cr_assert_str_eq(r.recs[2].drug_text,
			 "Normal saline 1000 mL\xE2\x80\x93"
			 "bag 0.9%/NaCl");
	cr_assert_str_eq(r.recs[3].id, "mr-3/2");
	cr_assert_str_eq(r.recs[3].group, r.recs[2].group);
	cr_assert_null(r.recs[3].method_text);

	m = &r.recs[4];
	assert_code(&m->drug[0], MAR_HCPCS, "J9045",
		    "Injection, carboplatin, 50 mg");
	assert_code(&m->drug[1], MAR_RXNORM, "597195",
		    "carboplatin 10 MG/ML Injectable Solution");
	cr_assert_str_eq(m->site, "right chest port");
	read_free(&r);
	free(buf);
}

static void
assert_same_code(const struct mar_code *a, const struct mar_code *b)
{
	cr_assert_eq(a->system, b->system);
	cr_assert_str_eq(a->code, b->code);
	cr_assert_eq(!a->display, !b->display);
	if (a->display)
		cr_assert_str_eq(a->display, b->display);
}

static void
assert_same_str(const char *a, const char *b)
{
	cr_assert_eq(!a, !b, "'%s' against '%s'", a ? a : "(null)",
		     b ? b : "(null)");
	if (a)
		cr_assert_str_eq(a, b);
}

/* The two readers over the two samples of the same five events give the
 * same records but for id, group and place. */
Test(hl7, sample_equals_the_fhir_sample)
{
	size_t hlen, flen;
	char *hbuf = sample("hl7/ras-sample.hl7", &hlen);
	char *fbuf = sample("fhir/mar.ndjson", &flen);
	struct read h;
	struct diag_list dl = {0};
	struct mar_record *f;
	size_t nf;
	read_buf(&h, hbuf, hlen);
	cr_assert_eq(
		fhir_read(h.a, "mar.ndjson", fbuf, flen, &f, &nf, NULL, &dl),
		SCRUB_OK);
	cr_assert_eq(h.n, 5);
	cr_assert_eq(nf, 5);
	for (size_t i = 0; i < 5; i++) {
		const struct mar_record *a = &h.recs[i], *b = &f[i];
		cr_assert_str_eq(a->encounter, b->encounter);
		cr_assert_eq(a->status, b->status, "record %zu", i);
		cr_assert_eq(a->has_start, b->has_start);
		cr_assert_eq(isotime_diff(&a->start, &b->start), 0);
		cr_assert_eq(a->start.offset, b->start.offset);
		cr_assert_eq(a->has_stop, b->has_stop);
		cr_assert_eq(isotime_diff(&a->stop, &b->stop), 0);
		cr_assert_eq(a->instant, b->instant);
		cr_assert_eq(a->ndrug, b->ndrug, "record %zu", i);
		for (size_t k = 0; k < a->ndrug; k++)
			assert_same_code(&a->drug[k], &b->drug[k]);
		assert_same_str(a->drug_text, b->drug_text);
		cr_assert_eq(a->has_route, b->has_route);
		assert_same_code(&a->route, &b->route);
		assert_same_str(a->route_text, b->route_text);
		assert_same_str(a->method_text, b->method_text);
		assert_same_str(a->site, b->site);
	}
	diag_list_free(&dl);
	read_free(&h);
	free(hbuf);
	free(fbuf);
}

/* ---- messages built here ------------------------------------------------ */

#define MSH "MSH|^~\\&|MAR|4W|CS|BILL|20260302094100-0500||RAS^O17|m1|P|2.5.1"
/* PV1-19 after 18 fields */
#define PV1 "PV1|1|O|||||||||||||||||enc-9"
#define ORC "ORC|RE|mr-9^MAR|ph-9^PHARM||IP"
/* RXA-6, -7, then 12 empty fields to RXA-20 */
#define MID "|1|g|||||||||||||"
#define RXA \
	"RXA|0|1|202603020910-0500|202603020940-0500|1665005^cef^RXNORM" MID \
	"CP|A"
#define RXR "RXR|IV^^HL70162|^left forearm"
#define GOOD MSH "\r" PV1 "\r" ORC "\r" RXA "\r" RXR "\r"

Test(hl7, segments_end_in_cr_lf_or_cr_lf)
{
	static const char *const texts[] = {
		MSH "\r" PV1 "\r" ORC "\r" RXA "\r" RXR "\r",
		MSH "\n" PV1 "\n" ORC "\n" RXA "\n" RXR "\n",
		MSH "\r\n" PV1 "\r\n" ORC "\r\n" RXA "\r\n" RXR,
		"\r\n" MSH "\r" PV1 "\r\n" ORC "\n\n" RXA "\r" RXR "\r\n\r\n",
	};
	static const unsigned rxa_line[] = {4, 4, 4, 6};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct read r;
		read_str(&r, texts[i]);
		cr_assert_eq(r.err, SCRUB_OK, "text %zu", i);
		cr_assert_eq(r.n, 1);
		cr_assert_str_eq(r.recs[0].encounter, "enc-9");
		cr_assert_str_eq(r.recs[0].id, "mr-9/1");
		cr_assert_str_eq(r.recs[0].site, "left forearm");
		cr_assert_eq(r.recs[0].line, rxa_line[i], "text %zu: line %u",
			     i, r.recs[0].line);
		read_free(&r);
	}
}

Test(hl7, other_delimiters)
{
	/* field #, component @, repetition *, escape !, subcomponent % */
	struct read r;
	read_str(&r, "MSH#@*!%#MAR#4W#CS#BILL#20260302094100-0500##RAS@O17#m1#"
		     "P#2.5.1\r"
		     "PV1#1#O#################enc-7*enc-8\r"
		     "ORC#RE#mr-1@MAR\r"
		     "RXA#0#3#202603020945-0500#202603020945-0500#312086@"
		     "ondansetron !F! 2 mg@RXNORM#4#mg#############RE\r"
		     "RXR#IV@Intravenous#@right arm\r");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	const struct mar_record *m = &r.recs[0];
	cr_assert_str_eq(m->encounter, "enc-7"); /* the first repetition */
	cr_assert_str_eq(m->id, "mr-1/3");
	cr_assert_eq(m->status, MAR_NOT_DONE);
	cr_assert(m->instant);
	assert_code(&m->drug[0], MAR_RXNORM, "312086", "ondansetron # 2 mg");
	assert_code(&m->route, MAR_V2_0162, "IV", "Intravenous");
	cr_assert_str_eq(m->site, "right arm");
	read_free(&r);
}

Test(hl7, escapes)
{
	struct read r;
	read_str(&r, MSH "\r" PV1 "\r" ORC "\r"
			 "RXA|0|1|202603020910-0500||1^^^^^^^^"
			 "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X41\\\\H\\g\\N\\"
			 "\\Xc3a9\\" MID "\r" RXR "\r");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_str_eq(r.recs[0].drug_text, "a|b^c&d~e\\fAg\xC3\xA9");
	cr_assert(!r.recs[0].has_stop); /* RXA-4 empty: a stop not charted */
	cr_assert(!r.recs[0].instant);
	cr_assert_eq(r.recs[0].status, MAR_COMPLETED); /* RXA-20 empty */
	read_free(&r);
}

Test(hl7, repetitions_give_the_first)
{
	struct read r;
	read_str(&r, MSH "\r" PV1 "~enc-10\r" ORC "~x\r" RXA "\r"
			 "RXR|IV~PO|^left forearm~^right arm\r");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_str_eq(r.recs[0].encounter, "enc-9");
	cr_assert_str_eq(r.recs[0].group, "ORC-2/mr-9");
	cr_assert_str_eq(r.recs[0].route.code, "IV");
	cr_assert_str_eq(r.recs[0].site, "left forearm");
	read_free(&r);
}

Test(hl7, codes_statuses_and_actions)
{
	struct read r;
	read_str(&r,
		 MSH "\r" PV1 "\r"
		     "ORC|RE||ph-4||IP\r"
		     "RXA|0|1|20260302091000.25+0100|202603020940+0000|"
		     "96365^infusion^C4^99213^x^HCPCS" MID "PA|U\r"
		     "RXA|0|2|202603020950-0500||J1100^dexa^HCPCS" MID "CP|D\r"
		     "RXR|IV\r");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 2);
	const struct mar_record *m = &r.recs[0];
	cr_assert_str_eq(m->group, "ORC-3/ph-4");
	cr_assert_str_eq(m->id, "ph-4/1");
	cr_assert_eq(m->status, MAR_STOPPED); /* PA without ORC-5 HD */
	assert_time(&m->start, "2026-03-02T09:10+01:00");
	cr_assert_eq(isotime_diff(&m->start, &m->stop), 90 * 60);
	assert_code(&m->drug[0], MAR_OTHER, "96365", "infusion");
	cr_assert_str_eq(m->drug[0].uri, "C4");
	assert_code(&m->drug[1], MAR_OTHER, "99213", "x"); /* not Level II */
	cr_assert_str_eq(m->drug[1].uri, "HCPCS");
	assert_code(&m->route, MAR_V2_0162, "IV", NULL); /* table 0162 */
	m = &r.recs[1];
	cr_assert_eq(m->status, MAR_ENTERED_IN_ERROR);
	assert_code(&m->drug[0], MAR_HCPCS, "J1100", "dexa");
	cr_assert_null(m->drug[0].uri);
	cr_assert_str_eq(m->route.code, "IV"); /* one RXR for the run */
	read_free(&r);
}

Test(hl7, batches_mllp_and_other_messages)
{
	struct read r;
	read_str(&r, "FHS|^~\\&\rBHS|^~\\&\r" GOOD
		     "MSH|^~\\&|||||||ACK^O17|a1|P|2.5.1\rMSA|AA|m0\r"
		     "MSH|^~\\&|||||||RDS^O13|d1|P|2.5.1\rRXD|1\r"
		     "BTS|3\rFTS|1\r"
		     "\x0b" GOOD "\x1c\r\x0b" GOOD "\x1c\r");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 3);
	cr_assert_eq(r.counts.messages, 5);
	cr_assert_eq(r.counts.skipped, 2);
	cr_assert_eq(r.counts.records, 3);
	cr_assert_eq(r.recs[1].column, 1);
	read_free(&r);
}

/* A bad message drops its own records only, and reading goes on. */
Test(hl7, bad_message_does_not_stop_the_others)
{
	struct read r;
	read_str(&r, GOOD MSH "\r" PV1 "\r" ORC "\r"
			      "RXA|0|1|202603020910" MID "\r" RXR "\r" GOOD);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.n, 2);
	cr_assert_eq(r.recs[1].line, 14);
	cr_assert_eq(r.counts.refused, 1);
	cr_assert_eq(r.counts.records, 2);
	cr_assert_eq(r.dl.n, 2); /* RXA-3 without an offset, RXA-4 "1" */
	read_free(&r);
}

/* A visit number that cannot be read is said once, at PV1-19, not again
 * at each RXA as a missing one. */
Test(hl7, bad_visit_number_said_once)
{
	struct read r;
	read_str(&r, MSH "\rPV1|1|O|||||||||||||||||e\\Q\\\r" ORC "\r" RXA
			 "\r" RXA "\r" RXR "\r");
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.dl.n, 1);
	cr_assert_eq(r.dl.items[0].line, 2);
	cr_assert_eq(strncmp(r.dl.items[0].message, "PV1-19: ", 8), 0);
	cr_assert_eq(r.counts.refused, 2);
	read_free(&r);
}

/* ---- each refusal: SEG-N, line, column ---------------------------------- */

/* Arrays, not pointers: Criterion hands parameters to a worker process
 * in which the pointers of this one would not hold. */
struct refusal {
	char text[512];
	unsigned line;
	char at[16];   /* its first place in that line is the column */
	char head[16]; /* the message starts with it */
	char has[48];  /* and holds it */
};

/* Where `at` is in text's line `line` (segments counted by CR). */
static unsigned
col_in_line(const char *text, unsigned line, const char *at)
{
	const char *p = text;
	for (unsigned l = 1; l < line; l++)
		p = strchr(p, '\r') + 1;
	const char *q = strstr(p, at);
	cr_assert_not_null(q, "'%s' not on line %u", at, line);
	return (unsigned)(q - p) + 1;
}

ParameterizedTestParameters(hl7, refusals)
{
	static struct refusal cases[] = {
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|202603020910|" MID "\r" RXR,
		 4, "202603020910|", "RXA-3: ", "has no offset"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|20260302-0500||1" MID
		     "\r" RXR,
		 4, "20260302-", "RXA-3: ", "has no hours and minutes"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1||||1" MID "\r" RXR, 4, "|||1",
		 "RXA-3: ", "is required"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|202602300910-0500||1" MID
		     "\r" RXR,
		 4, "2026", "RXA-3: ", "not a valid date"},
		{MSH "\r" PV1 "\r" ORC
		     "\rRXA|0|1|202603020910-0500|202603020909-0500|1" MID
		     "\r" RXR,
		 4, "202603020909", "RXA-4: ", "before the start"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|202603020910-0500||" MID
		     "\r" RXR,
		 4, "|1|g", "RXA-5: ", "neither an identifier nor a text"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|0|202603020910-0500||1" MID
		     "\r" RXR,
		 4, "0|2026", "RXA-2: ", "not a number from 1"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|202603020910-0500||1" MID
		     "XX\r" RXR,
		 4, "XX", "RXA-20: ", "not one of CP, PA, RE, NA"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|202603020910-0500||1" MID
		     "CP|Z\r" RXR,
		 4, "Z", "RXA-21: ", "not one of A, U, D"},
		{MSH "\r" PV1 "\r" ORC
		     "\rRXA|0|1|202603020910-0500||1^a\\Q\\b" MID "\r" RXR,
		 4, "\\Q", "RXA-5: ", "unknown escape sequence"},
		{MSH "\r" PV1 "\r" ORC
		     "\rRXA|0|1|202603020910-0500||1^a\\Xb" MID "\r" RXR,
		 4, "\\X", "RXA-5: ", "no closing escape"},
		{MSH "\r" PV1 "\r" ORC
		     "\rRXA|0|1|202603020910-0500||1^a\\X0A\\" MID "\r" RXR,
		 4, "a\\X", "RXA-5: ", "control character"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|202603020910-0500||1&2" MID
		     "\r" RXR,
		 4, "1&2", "RXA-5: ", "subcomponents"},
		{MSH "\r" PV1 "\r" ORC "\rRXA|0|1|202603020910-0500||a\tb" MID
		     "\r" RXR,
		 4, "\t", "RXA-5: ", "control character (0x09)"},
		{MSH "\rPV1|1\r" ORC "\r" RXA "\r" RXR, 2, "\r",
		 "PV1-19: ", "the visit number is empty"},
		{MSH "\r" ORC "\r" RXA "\r" RXR, 3, "RXA",
		 "PV1-19: ", "no visit number"},
		{MSH "\r" PV1 "\rORC|RE|||\r" RXA "\r" RXR, 3, "||\r",
		 "ORC-2: ", "neither a placer"},
		{MSH "\r" PV1 "\r" RXA "\r" RXR, 3, "RXA",
		 "RXA: ", "must follow an ORC"},
		{MSH "\r" PV1 "\r" ORC "\r" RXA "\r" ORC "\r" RXA "\r" RXR, 4,
		 "RXA", "RXA: ", "no RXR after the administration"},
		{GOOD RXR, 6, "RXR", "RXR: ", "a second RXR"},
		{MSH "\r" PV1 "\r" ORC "\r" RXA "\rRXR||^arm", 5, "|^arm",
		 "RXR-1: ", "the route is required"},
		{MSH "\r" PV1 "\r" ORC "\r" RXA "\rRXE|1\r" RXR, 5, "RXE",
		 "RXE: ", "after the administrations"},
		{"MSH|^~\\|MAR\r" PV1, 1, "^~", "MSH-2: ", "not four distinct"},
		{"MSH|^~^&|MAR\r" PV1, 1, "^~", "MSH-2: ", "not four distinct"},
		{"MSHA^~\\&|MAR\r" PV1, 1, "A^",
		 "MSH-1: ", "no field separator"},
		{"MSH|^~\\&|||||||RAS^O17|m1|P|2.7\r", 1, "2.7",
		 "MSH-12: ", "knows 2.3 to 2.5.1"},
		{"MSH|^~\\&|||||||\r", 1, "\r", "MSH-9: ", "type is required"},
		{MSH "\rpv1|1\r", 2, "pv1", "'pv1' ", "not a segment name"},
		{PV1 "\r", 1, "PV1", "PV1: ", "outside a message"},
		{MSH "\rPV1^1\r", 2, "PV1",
		 "PV1: ", "not followed by the field"},
	};
	return cr_make_param_array(struct refusal, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct refusal *c, hl7, refusals)
{
	struct read r;
	read_str(&r, c->text);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.n, 0, "a record of a refused message");
	cr_assert_geq(r.dl.n, 1);
	const struct diag *d = &r.dl.items[0];
	cr_assert_eq(strncmp(d->message, c->head, strlen(c->head)), 0,
		     "'%s' does not start '%s'", d->message, c->head);
	cr_assert_not_null(strstr(d->message, c->has), "'%s' lacks '%s'",
			   d->message, c->has);
	cr_assert_eq(d->line, c->line, "line %u, expected %u (%s)", d->line,
		     c->line, d->message);
	unsigned col = col_in_line(c->text, c->line, c->at);
	cr_assert_eq(d->column, col, "column %u, expected %u (%s)", d->column,
		     col, d->message);
	cr_assert_str_eq(d->file, "t.hl7");
	read_free(&r);
}

/* ---- limits ------------------------------------------------------------- */

Test(hl7, oversize_input)
{
	static const char small[] = "MSH|";
	struct read r;
	read_buf(&r, small, HL7_MAX_BYTES + 1);
	cr_assert_eq(r.err, SCRUB_ELIMIT);
	cr_assert_eq(r.dl.n, 1);
	cr_assert_not_null(strstr(r.dl.items[0].message, "more than"));
	read_free(&r);
}

/* text with `n` copies of `rep` put where "@" is. */
static char *
grow(const char *text, const char *rep, size_t n)
{
	const char *at = strchr(text, '@');
	size_t head = (size_t)(at - text), rl = strlen(rep);
	char *s = malloc(strlen(text) + n * rl + 1);
	cr_assert_not_null(s);
	memcpy(s, text, head);
	for (size_t i = 0; i < n; i++)
		memcpy(s + head + i * rl, rep, rl);
	memcpy(s + head + n * rl, at + 1, strlen(at + 1) + 1);
	return s;
}

Test(hl7, field_longer_than_its_limit)
{
	const char *text = MSH "\r" PV1 "\r" ORC "\rNTE|1||@\r" RXA "\r" RXR;
	char *s = grow(text, "x", HL7_MAX_FIELD + 1);
	struct read r;
	read_str(&r, s);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.dl.items[0].message,
			 "NTE-3: 65537 bytes, more than 65536");
	cr_assert_eq(r.dl.items[0].column, 8);
	read_free(&r);
	free(s);
	s = grow(text, "x", HL7_MAX_FIELD); /* the limit itself */
	read_str(&r, s);
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	read_free(&r);
	free(s);
}

Test(hl7, repetitions_over_their_limit)
{
	const char *text = MSH "\r" PV1 "@\r" ORC "\r" RXA "\r" RXR;
	char *s = grow(text, "~e", HL7_MAX_REPETITIONS);
	struct read r;
	read_str(&r, s);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_str_eq(r.dl.items[0].message,
			 "PV1-19: 101 repetitions, more than 100");
	read_free(&r);
	free(s);
	s = grow(text, "~e", HL7_MAX_REPETITIONS - 1); /* 100 */
	read_str(&r, s);
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_str_eq(r.recs[0].encounter, "enc-9");
	read_free(&r);
	free(s);
}

Test(hl7, segments_over_their_limit)
{
	/* MSH, PV1, ORC and 9,998 NTEs: the last NTE is one too many */
	char *s = grow(MSH "\r" PV1 "\r" ORC "\r@" RXA "\r" RXR "\r" GOOD,
		       "NTE|1\r", HL7_MAX_SEGMENTS - 2);
	struct read r;
	read_str(&r, s);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.n, 1); /* the message after it */
	cr_assert_eq(r.dl.n, 1);
	cr_assert_str_eq(r.dl.items[0].message,
			 "NTE: more than 10000 segments in one message");
	cr_assert_eq(r.dl.items[0].line, HL7_MAX_SEGMENTS + 1);
	read_free(&r);
	free(s);
}

Test(hl7, messages_over_their_limit)
{
	char *s = grow("@", "MSH|^~\\&|||||||ACK\r", HL7_MAX_MESSAGES + 1);
	struct read r;
	read_str(&r, s);
	cr_assert_eq(r.err, SCRUB_ELIMIT);
	cr_assert_eq(r.dl.n, 1);
	cr_assert_str_eq(r.dl.items[0].message,
			 "more than 1000000 messages in one file");
	cr_assert_eq(r.counts.skipped, HL7_MAX_MESSAGES);
	read_free(&r);
	free(s);
}

/*
 * test_fhir — the FHIR R4 MedicationAdministration reader (scrubber/fhir.h):
 * the samples of examples/fhir/ read to the values written in them (a
 * Bundle, and the same events as NDJSON), one test per refusal checking its
 * message and its file:line:column, and what the JSON parser (json.h) makes
 * of the JSON that FHIR servers write, including what libyaml got wrong.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/arena.h"
#include "scrubber/diag.h"
#include "scrubber/fhir.h"
#include "scrubber/fileio.h"
#include "scrubber/isotime.h"
#include "scrubber/ynode.h"

/* One read: the arena, the records, the counts and the diagnostics. */
struct read {
	struct arena *a;
	struct mar_record *recs;
	size_t n;
	struct fhir_counts counts;
	struct diag_list dl;
	enum scrub_err err;
};

static void
read_buf(struct read *r, const char *file, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->a = arena_new();
	cr_assert_not_null(r->a);
	r->err = fhir_read(r->a, file, buf, len, &r->recs, &r->n, &r->counts,
			   &r->dl);
	for (size_t i = 0; i < r->dl.n; i++) {
		char msg[600];
		diag_format(&r->dl.items[i], msg, sizeof(msg));
		cr_log_info("%s", msg);
	}
}

static void
read_str(struct read *r, const char *text)
{
	read_buf(r, "mar.ndjson", text, strlen(text));
}

static void
read_sample(struct read *r, const char *name)
{
	const char *src = getenv("CLAIMSCRUB_SRCDIR");
	char path[4096];
	char *buf;
	size_t len;
	struct diag_list dl = {0};
	snprintf(path, sizeof(path), "%s/examples/fhir/%s",
		 src && *src ? src : ".", name);
	cr_assert_eq(fileio_read(path, FHIR_MAX_BYTES, &buf, &len, &dl),
		     SCRUB_OK, "cannot read %s", path);
	read_buf(r, name, buf, len);
	free(buf);
	diag_list_free(&dl);
}

static void
read_free(struct read *r)
{
	diag_list_free(&r->dl);
	arena_free(r->a);
}

/* The 1-based column of the first `what` in text's line holding it. */
static unsigned
col_of(const char *text, const char *what)
{
	const char *p = strstr(text, what);
	cr_assert_not_null(p, "'%s' not in the test's text", what);
	const char *bol = p;
	while (bol > text && bol[-1] != '\n')
		bol--;
	return (unsigned)(p - bol) + 1;
}

/* Exactly one error, at line:column, reading exactly `message`. */
static void
assert_error(const struct read *r, unsigned line, unsigned column,
	     const char *message)
{
	cr_assert_eq(r->dl.n, 1, "expected one error, got %zu", r->dl.n);
	const struct diag *d = &r->dl.items[0];
	cr_assert_str_eq(d->message, message);
	cr_assert_eq(d->line, line, "line %u, expected %u", d->line, line);
	cr_assert_eq(d->column, column, "column %u, expected %u", d->column,
		     column);
}

/* Exactly one error, at line:column, whose message holds `has`. */
static void
assert_error_has(const struct read *r, unsigned line, unsigned column,
		 const char *has)
{
	cr_assert_eq(r->dl.n, 1, "expected one error, got %zu", r->dl.n);
	const struct diag *d = &r->dl.items[0];
	cr_assert_not_null(strstr(d->message, has), "'%s' lacks '%s'",
			   d->message, has);
	cr_assert_eq(d->line, line, "line %u, expected %u (%s)", d->line, line,
		     d->message);
	cr_assert_eq(d->column, column, "column %u, expected %u (%s)",
		     d->column, column, d->message);
}

static const struct mar_record *
by_id(const struct read *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->recs[i].id && strcmp(r->recs[i].id, id) == 0)
			return &r->recs[i];
	cr_assert_fail("no record '%s'", id);
	return NULL;
}

static void
assert_time(const struct isotime *t, const char *wall, int offset)
{
	char buf[32];
	isotime_format(t, buf, sizeof(buf));
	cr_assert_str_eq(buf, wall);
	cr_assert(t->has_offset);
	cr_assert_eq(t->offset, offset);
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

/* A MedicationAdministration line around `members` (JSON members, each
 * followed by a comma), complete but for what a test leaves out. */
#define MA(members) \
	"{\"resourceType\":\"MedicationAdministration\",\"id\":\"ma-" \
	"7\"," members "\"subject\":{\"reference\":\"Patient/p1\"}}\n"
#define STATUS "\"status\":\"completed\","
#define DRUG \
	"\"medicationCodeableConcept\":{\"coding\":[{\"system\":" \
	"\"http://www.nlm.nih.gov/research/umls/" \
	"rxnorm\",\"code\":\"1665005\"}]},"
#define CONTEXT "\"context\":{\"reference\":\"Encounter/e1\"},"
#define WHEN "\"effectiveDateTime\":\"2026-03-02T09:45:00Z\","
#define GOOD MA(STATUS DRUG CONTEXT WHEN)

/* ---- the samples -------------------------------------------------------- */

Test(fhir, bundle_sample)
{
	struct read r;
	read_sample(&r, "bundle.json");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.dl.n, 0);
	cr_assert_eq(r.n, 5);
	cr_assert_eq(r.counts.resources, 7);
	cr_assert_eq(r.counts.records, 5);
	cr_assert_eq(r.counts.skipped, 2, "Encounter and Patient are skipped");
	cr_assert_eq(r.counts.refused, 0);
	read_free(&r);
}

Test(fhir, bundle_infusion)
{
	struct read r;
	read_sample(&r, "bundle.json");
	cr_assert_eq(r.err, SCRUB_OK);
	/* ceftriaxone: an infusion of 30 minutes, RxNorm, SNOMED route */
	const struct mar_record *m = by_id(&r, "ma-1");
	cr_assert_str_eq(m->file, "bundle.json");
	cr_assert_eq(m->line, 29);
	cr_assert_eq(m->column, 19);
	cr_assert_str_eq(m->encounter, "PC-2026-0301");
	cr_assert_str_eq(m->group, "MedicationRequest/mr-1");
	cr_assert_eq(m->status, MAR_COMPLETED);
	cr_assert(m->has_start && m->has_stop && !m->instant);
	assert_time(&m->start, "2026-03-02T09:10", -300);
	assert_time(&m->stop, "2026-03-02T09:40", -300);
	cr_assert_eq(isotime_diff(&m->start, &m->stop), 1800);
	cr_assert_eq(m->ndrug, 1);
	assert_code(&m->drug[0], MAR_RXNORM, "1665005",
		    "ceftriaxone 1000 MG Injection");
	cr_assert_str_eq(m->drug_text, "Ceftriaxone 1 g in 100 mL NS");
	cr_assert(m->has_route);
	assert_code(&m->route, MAR_SNOMED, "47625008", "Intravenous route");
	cr_assert_null(m->route_text);
	cr_assert_str_eq(m->method_text, "IV infusion");
	cr_assert_str_eq(m->site, "left forearm");
	read_free(&r);
}

Test(fhir, bundle_push)
{
	struct read r;
	read_sample(&r, "bundle.json");
	cr_assert_eq(r.err, SCRUB_OK);
	/* ondansetron: an instant, its encounter found by the Bundle's
	 * urn:uuid fullUrl, a v2-0162 route, the site by its display */
	const struct mar_record *m = by_id(&r, "ma-2");
	cr_assert_eq(m->line, 76);
	cr_assert_str_eq(m->encounter, "PC-2026-0301");
	cr_assert_null(m->group);
	cr_assert(m->has_start && m->has_stop && m->instant);
	assert_time(&m->start, "2026-03-02T09:45", -300);
	cr_assert_eq(isotime_diff(&m->start, &m->stop), 0);
	cr_assert_eq(m->ndrug, 2);
	assert_code(&m->drug[0], MAR_RXNORM, "312086",
		    "ondansetron 2 MG/ML Injectable Solution");
	assert_code(&m->drug[1], MAR_NDC, "0000-1111-22", NULL);
	cr_assert_null(m->drug_text);
	assert_code(&m->route, MAR_V2_0162, "IV", "Intravenous");
	cr_assert_str_eq(m->method_text, "IV push over 2 minutes");
	cr_assert_str_eq(m->site, "Right upper arm");
	read_free(&r);
}

Test(fhir, bundle_paused_bag)
{
	struct read r;
	read_sample(&r, "bundle.json");
	cr_assert_eq(r.err, SCRUB_OK);
	/* the saline bag, paused, then restarted as part of the first */
	const struct mar_record *m = by_id(&r, "ma-3");
	cr_assert_eq(m->status, MAR_ON_HOLD);
	cr_assert_null(m->group);
	cr_assert_eq(isotime_diff(&m->start, &m->stop), 2400);
	cr_assert_str_eq(m->method_text, "IV infusion, hydration");
	m = by_id(&r, "ma-4");
	cr_assert_eq(m->status, MAR_COMPLETED);
	cr_assert_str_eq(m->group, "MedicationAdministration/ma-3");
	assert_time(&m->start, "2026-03-02T10:55", -300);
	assert_time(&m->stop, "2026-03-02T11:35", -300);
	cr_assert_null(m->method_text);
	read_free(&r);
}

Test(fhir, bundle_chemotherapy)
{
	struct read r;
	read_sample(&r, "bundle.json");
	cr_assert_eq(r.err, SCRUB_OK);
	/* carboplatin: a contained Medication, HCPCS J-code first */
	const struct mar_record *m = by_id(&r, "ma-5");
	cr_assert_eq(m->ndrug, 2);
	assert_code(&m->drug[0], MAR_HCPCS, "J9045",
		    "Injection, carboplatin, 50 mg");
	assert_code(&m->drug[1], MAR_RXNORM, "597195",
		    "carboplatin 10 MG/ML Injectable Solution");
	cr_assert_str_eq(m->drug_text, "Carboplatin 400 mg in 250 mL D5W");
	cr_assert_str_eq(m->group, "MedicationRequest/mr-5");
	cr_assert_eq(isotime_diff(&m->start, &m->stop), 70 * 60);
	cr_assert_str_eq(m->site, "right chest port");
	read_free(&r);
}

Test(fhir, ndjson_sample)
{
	struct read r;
	read_sample(&r, "mar.ndjson");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.dl.n, 0);
	cr_assert_eq(r.n, 5);
	cr_assert_eq(r.counts.resources, 7);
	cr_assert_eq(r.counts.skipped, 2);
	for (size_t i = 0; i < r.n; i++) {
		cr_assert_eq(r.recs[i].line, 3 + i, "records in input order");
		cr_assert_eq(r.recs[i].column, 1);
		cr_assert_str_eq(r.recs[i].encounter, "PC-2026-0301");
	}
	/* by an absolute, versioned reference; by identifier */
	cr_assert_str_eq(by_id(&r, "ma-2")->encounter, "PC-2026-0301");
	cr_assert_str_eq(by_id(&r, "ma-4")->encounter, "PC-2026-0301");
	/* \u2013 and \/ escapes, decoded */
	cr_assert_str_eq(by_id(&r, "ma-3")->drug_text,
			 "Normal saline 1000 mL\xe2\x80\x93"
			 "bag 0.9%/NaCl");
	const struct mar_record *m = by_id(&r, "ma-5");
	assert_code(&m->drug[0], MAR_HCPCS, "J9045",
		    "Injection, carboplatin, 50 mg");
	assert_time(&m->stop, "2026-03-02T12:50", -300);
	read_free(&r);
}

/* ---- refusals, one each ------------------------------------------------- */

Test(fhir, other_resource_types_skipped)
{
	struct read r;
	read_str(&r, "{\"resourceType\":\"Observation\",\"id\":\"o1\"}\n" GOOD
		     "{\"resourceType\":\"Encounter\",\"id\":\"e1\"}\n");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.recs[0].line, 2);
	cr_assert_eq(r.counts.skipped, 2);
	cr_assert_eq(r.counts.resources, 3);
	read_free(&r);
}

Test(fhir, missing_resource_type)
{
	struct read r;
	read_str(&r, GOOD "{\"id\":\"x\",\"status\":\"completed\"}\n");
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 2, 1, "a resource needs resourceType, a string");
	cr_assert_eq(r.n, 1);
	read_free(&r);
}

Test(fhir, missing_status)
{
	struct read r;
	read_str(&r, MA(DRUG CONTEXT WHEN));
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 1, 1,
		     "MedicationAdministration 'ma-7': status is missing");
	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.counts.refused, 1);
	read_free(&r);
}

Test(fhir, bad_status_code)
{
	const char *t = MA("\"status\":\"given\"," DRUG CONTEXT WHEN);
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "\"given\""),
		     "MedicationAdministration 'ma-7': status 'given' is not "
		     "one of in-progress, not-done, on-hold, completed, "
		     "entered-in-error, stopped, unknown");
	read_free(&r);
}

Test(fhir, status_of_wrong_json_type)
{
	const char *t = MA("\"status\":3," DRUG CONTEXT WHEN);
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "3,"),
		     "MedicationAdministration 'ma-7': status must be a "
		     "string, not a number");
	read_free(&r);
}

Test(fhir, end_before_start)
{
	const char *t =
		MA(STATUS DRUG CONTEXT "\"effectivePeriod\":{\"start\":"
				       "\"2026-03-02T09:10:00Z\",\"end\":"
				       "\"2026-03-02T09:05:00Z\"},");
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 1, col_of(t, "\"2026-03-02T09:05"),
		     "MedicationAdministration 'ma-7': effectivePeriod.end "
		     "2026-03-02T09:05:00Z is before its start "
		     "2026-03-02T09:10:00Z");
	char msg[400];
	diag_format(&r.dl.items[0], msg, sizeof(msg));
	cr_assert_str_eq(msg,
			 "mar.ndjson:1:287: error: MedicationAdministration "
			 "'ma-7': effectivePeriod.end 2026-03-02T09:05:00Z is "
			 "before its start 2026-03-02T09:10:00Z");
	read_free(&r);
}

Test(fhir, end_before_start_across_offsets)
{
	/* 09:30-05:00 is 14:30Z: after 14:00Z, so the period is good */
	struct read r;
	read_str(&r,
		 MA(STATUS DRUG CONTEXT
		    "\"effectivePeriod\":{\"start\":\"2026-03-02T14:00:00Z\","
		    "\"end\":\"2026-03-02T09:30:00.250-05:00\"},"));
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(isotime_diff(&r.recs[0].start, &r.recs[0].stop), 1800);
	read_free(&r);
}

Test(fhir, date_only_time)
{
	const char *t =
		MA(STATUS DRUG CONTEXT "\"effectiveDateTime\":\"2026-03-02\",");
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "\"2026-03-02\""),
		     "MedicationAdministration 'ma-7': effectiveDateTime "
		     "'2026-03-02' is a date without a time: an administration "
		     "needs the time it was given");
	read_free(&r);
}

Test(fhir, time_without_zone)
{
	const char *t = MA(STATUS DRUG CONTEXT
			   "\"effectiveDateTime\":\"2026-03-02T09:45:00\",");
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "\"2026-03-02T"),
		     "MedicationAdministration 'ma-7': effectiveDateTime "
		     "'2026-03-02T09:45:00' has no time zone: FHIR requires Z "
		     "or an offset with a time");
	read_free(&r);
}

Test(fhir, missing_effective)
{
	struct read r;
	read_str(&r, MA(STATUS DRUG CONTEXT));
	assert_error(&r, 1, 1,
		     "MedicationAdministration 'ma-7': effective[x] is "
		     "missing: effectiveDateTime or effectivePeriod is "
		     "required");
	read_free(&r);
}

Test(fhir, missing_context)
{
	struct read r;
	read_str(&r, GOOD GOOD MA(STATUS DRUG WHEN));
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 3, 1,
		     "MedicationAdministration 'ma-7': context is missing: "
		     "without an encounter the administration cannot be "
		     "joined to a claim");
	cr_assert_eq(r.n, 2, "the good resources are still read");
	read_free(&r);
}

Test(fhir, context_not_an_encounter)
{
	const char *t = MA(STATUS DRUG WHEN
			   "\"context\":{\"reference\":\"EpisodeOfCare/9\"},");
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "\"EpisodeOfCare"),
		     "MedicationAdministration 'ma-7': context.reference "
		     "'EpisodeOfCare/9' is not an Encounter: the "
		     "administration cannot be joined to a visit");
	read_free(&r);
}

/* Reported even when an earlier member already refused the resource. */
Test(fhir, context_without_reference_or_identifier)
{
	const char *t = MA("\"status\":\"x\"," DRUG WHEN
			   "\"context\":{\"display\":\"visit\"},");
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.dl.n, 2);
	cr_assert_str_eq(r.dl.items[1].message,
			 "MedicationAdministration 'ma-7': context has neither "
			 "a reference nor an identifier.value: the "
			 "administration cannot be joined to a claim");
	cr_assert_eq(r.dl.items[1].column, col_of(t, "{\"display"));
	read_free(&r);
}

Test(fhir, medication_reference_not_contained)
{
	const char *t =
		MA(STATUS CONTEXT WHEN "\"medicationReference\":{\"reference\":"
				       "\"Medication/med-9\"},");
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "{\"reference\":\"Medication/"),
		     "MedicationAdministration 'ma-7': medicationReference "
		     "'Medication/med-9' is not resolved: only a Medication "
		     "contained in the resource is read, references outside "
		     "the resource are not");
	read_free(&r);
}

Test(fhir, missing_medication)
{
	struct read r;
	read_str(&r, MA(STATUS CONTEXT WHEN));
	assert_error_has(&r, 1, 1, "medication[x] is missing");
	read_free(&r);
}

Test(fhir, errors_without_id_and_all_of_them)
{
	struct read r;
	read_str(&r, "{\"resourceType\":\"MedicationAdministration\"}\n");
	cr_assert_eq(r.dl.n, 4, "status, effective, context, medication");
	cr_assert_str_eq(r.dl.items[0].message,
			 "MedicationAdministration without an id: status is "
			 "missing");
	read_free(&r);
}

Test(fhir, oversize_input)
{
	/* refused on its length, before a byte is read */
	static const char small[] = "{}";
	struct read r;
	read_buf(&r, "big.ndjson", small, FHIR_MAX_BYTES + 1);
	cr_assert_eq(r.err, SCRUB_ELIMIT);
	cr_assert_eq(r.dl.n, 1);
	cr_assert_str_eq(r.dl.items[0].message,
			 "input is 536870913 bytes, more than 536870912");
	read_free(&r);
}

Test(fhir, oversize_line)
{
	size_t n = strlen(GOOD) + FHIR_MAX_LINE_BYTES + 2;
	char *t = malloc(n + 1);
	cr_assert_not_null(t);
	memset(t, ' ', n);
	memcpy(t, GOOD, strlen(GOOD));
	t[strlen(GOOD)] = '{';
	t[n - 1] = '}';
	t[n] = '\0';
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_ELIMIT);
	assert_error(&r, 2, 1, "line is longer than 1048576 bytes");
	cr_assert_eq(r.n, 1);
	read_free(&r);
	free(t);
}

Test(fhir, json_syntax_error)
{
	struct read r;
	read_str(&r, "{\n  \"resourceType\": \"Bundle\",\n  \"entry\": [\n"
		     "    {\"resource\": {\"resourceType\": \"Patient\"}\n"
		     "  ]\n}\n");
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 5, 3,
		     "expected ',' or '}' after a member of the object that "
		     "started at 4:5, found ']'");
	read_free(&r);
}

Test(fhir, json_syntax_error_ndjson_line)
{
	const char *bad = "{\"resourceType\":\"Patient\" \"id\":\"p1\"}\n";
	char t[2048];
	snprintf(t, sizeof(t), "%s%s%s", GOOD, bad, GOOD);
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 2, 27,
		     "expected ',' or '}' after a member of the object that "
		     "started at 2:1, found '\"'");
	cr_assert_eq(r.n, 2, "the lines after it are still read");
	read_free(&r);
}

/* "status": with no value is a syntax error (libyaml read it as YAML's
 * null), and the line is not read. */
Test(fhir, empty_value_is_a_syntax_error)
{
	const char *t = MA("\"status\":," DRUG CONTEXT WHEN);
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 1, col_of(t, ":,") + 1, "expected a value, found ','");
	cr_assert_eq(r.n, 0);
	read_free(&r);
}

Test(fhir, duplicate_key)
{
	const char *t = MA(STATUS DRUG CONTEXT WHEN "\"status\":\"stopped\",");
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 1, col_of(t, "\"status\":\"stopped"),
		     "duplicate key 'status'");
	cr_assert_eq(r.n, 0);
	read_free(&r);
}

Test(fhir, ndjson_line_not_an_object)
{
	struct read r;
	read_str(&r, GOOD "[1, 2]\n" GOOD);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 2, 1, "the line is not a JSON object");
	cr_assert_eq(r.n, 2);
	read_free(&r);
}

Test(fhir, member_names_must_be_strings)
{
	struct read r;
	const char *t = "{\"resourceType\":\"MedicationAdministration\","
			"status: \"completed\"}\n";
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "status:"),
		     "expected a member name (a string), found 's'");
	read_free(&r);
}

/* \u0000 is JSON (json.h keeps the NUL); a FHIR string the reader uses
 * must not hold one. */
Test(fhir, nul_escape_in_a_string_is_refused)
{
	const char *t =
		MA("\"status\":\"compl\\u0000eted\"," DRUG CONTEXT WHEN);
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "\"compl"),
		     "MedicationAdministration 'ma-7': status contains a "
		     "control character");
	read_free(&r);
}

Test(fhir, too_many_codings)
{
	char t[4096];
	size_t o = (size_t)snprintf(
		t, sizeof(t), "%s",
		"{\"resourceType\":\"MedicationAdministration\","
		"\"id\":\"ma-7\"," STATUS CONTEXT WHEN
		"\"medicationCodeableConcept\":{"
		"\"coding\":[");
	for (int i = 0; i <= FHIR_MAX_CODINGS; i++)
		o += (size_t)snprintf(t + o, sizeof(t) - o,
				      "%s{\"code\":\"%d\"}", i ? "," : "", i);
	snprintf(t + o, sizeof(t) - o, "]}}\n");
	struct read r;
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "[{\"code\""),
		     "MedicationAdministration 'ma-7': "
		     "medicationCodeableConcept.coding has 9 codings, more "
		     "than 8");
	read_free(&r);
}

/* ---- what the parser makes of the JSON FHIR servers write --------------- */

Test(fhir_json, escapes_tabs_numbers_and_a_long_line)
{
	/* \/, \u00e9, tabs between tokens and before the object, a number
	 * past any machine type, and a 200,000-byte extension on the line */
	size_t pad = 200000;
	char *t = malloc(pad + 1024);
	cr_assert_not_null(t);
	int o = snprintf(
		t, 1024,
		"\t{\t\"resourceType\"\t:\t\"MedicationAdministration\","
		"\"id\":\"ma-7\"," STATUS CONTEXT WHEN
		"\"medicationCodeableConcept\":{\"text\":"
		"\"caf\\u00e9 1\\/2 vial\"},"
		"\"dosage\":{\"dose\":{\"value\":"
		"123456789012345678901234567890.5e300}},"
		"\"extension\":[{\"valueString\":\"");
	memset(t + o, 'x', pad);
	memcpy(t + o + pad, "\"}]}\n", 6);
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.recs[0].drug_text, "caf\xc3\xa9 1/2 vial");
	cr_assert_eq(r.recs[0].column, 2, "after the tab");
	read_free(&r);
	free(t);
}

Test(fhir_json, deep_extension_is_an_error)
{
	char t[4096];
	size_t o = (size_t)snprintf(
		t, sizeof(t), "%s",
		"{\"resourceType\":\"MedicationAdministration\","
		"\"id\":\"ma-7\"," STATUS CONTEXT WHEN DRUG "\"x\":");
	for (int i = 0; i < YNODE_MAX_DEPTH + 6; i++)
		o += (size_t)snprintf(t + o, sizeof(t) - o, "{\"extension\":");
	o += (size_t)snprintf(t + o, sizeof(t) - o, "1");
	for (int i = 0; i < YNODE_MAX_DEPTH + 7; i++)
		t[o++] = '}';
	t[o] = '\0';
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.dl.n, 1);
	cr_assert_str_eq(r.dl.items[0].message, "nesting too deep");
	read_free(&r);
}

/* Valid JSON that libyaml 0.2.5 refused: a character outside the Basic
 * Multilingual Plane written as a UTF-16 surrogate pair escape, as
 * serializers that escape all non-ASCII write an emoji in a free-text
 * note (RFC 8259, section 7).  It is read as the one character, the same
 * as written raw (UTF-8). */
Test(fhir_json, surrogate_pair_escape_is_read)
{
	struct read r;
	read_str(&r, MA(STATUS CONTEXT WHEN
			"\"medicationCodeableConcept\":{\"text\":"
			"\"pt \\ud83d\\ude00\"},"));
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.recs[0].drug_text, "pt \xf0\x9f\x98\x80");
	read_free(&r);

	read_str(&r, MA(STATUS DRUG CONTEXT WHEN
			"\"note\":[{\"text\":\"pt \xf0\x9f\x98\x80\"}],"));
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	read_free(&r);
}

/* Also valid JSON that libyaml refused: DEL (0x7f) unescaped inside a
 * string.  The reader takes it where it does not look (a note) and refuses
 * it, as any control character, in a member it reads. */
Test(fhir_json, raw_del_in_a_string)
{
	struct read r;
	read_str(&r, MA(STATUS DRUG CONTEXT WHEN "\"note\":[{\"text\":\"a\x7f"
						 "b\"}],"));
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	read_free(&r);

	const char *t = MA("\"status\":\"stop\x7fped\"," DRUG CONTEXT WHEN);
	read_str(&r, t);
	assert_error(&r, 1, col_of(t, "\"stop"),
		     "MedicationAdministration 'ma-7': status contains a "
		     "control character");
	read_free(&r);
}

/* A lone surrogate escape is not a character: a syntax error at it. */
Test(fhir_json, lone_surrogate_is_an_error)
{
	const char *t = MA(STATUS DRUG CONTEXT WHEN
			   "\"note\":[{\"text\":\"pt \\ud83d.\"}],");
	struct read r;
	read_str(&r, t);
	cr_assert_eq(r.err, SCRUB_EINPUT);
	assert_error(&r, 1, col_of(t, "\\ud83d"),
		     "lone surrogate \\ud83d: a high surrogate must be "
		     "followed by a \\u escape of a low one");
	cr_assert_eq(r.n, 0);
	read_free(&r);
}

/* A Bundle saved by a Windows tool starts with a byte order mark; it is
 * not counted as a column. */
Test(fhir_json, byte_order_mark_skipped)
{
	struct read r;
	read_str(&r, "\xEF\xBB\xBF" GOOD);
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.recs[0].column, 1);
	read_free(&r);
}

Test(fhir_json, single_resource_pretty_printed)
{
	struct read r;
	read_str(&r,
		 "{\n  \"resourceType\": \"MedicationAdministration\",\n"
		 "  \"id\": \"ma-7\",\n  \"status\": \"stopped\",\n"
		 "  \"medicationCodeableConcept\": {\"text\": \"saline\"},\n"
		 "  \"context\": {\"reference\": \"Encounter/e1\"},\n"
		 "  \"effectivePeriod\": {\"start\": "
		 "\"2026-03-02T09:10:00+01:00\"}\n}\n");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.recs[0].status, MAR_STOPPED);
	cr_assert(r.recs[0].has_start && !r.recs[0].has_stop);
	cr_assert_eq(r.recs[0].ndrug, 0);
	cr_assert_str_eq(r.recs[0].drug_text, "saline");
	read_free(&r);
}

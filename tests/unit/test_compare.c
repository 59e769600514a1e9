/*
 * test_compare — billed lines against derived codes (SEMANTICS.md,
 * "Comparison with the billed lines"): one test per finding id, each with a
 * minimal claim on which the finding fires — on the right line, about the
 * right administration, suggesting the right change — and a near miss on
 * which it does not; then the unchecked lines and the verdict.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/claimyaml.h"
#include "tests/lib/scrubtest.h"

#define HEAD(setting) "claim: C-1\nsetting: " setting "\nlines:\n"
#define MEDICARE(setting) \
	"claim: C-1\npayer: medicare\nsetting: " setting "\nlines:\n"
#define LINE(code) "  - code: \"" code "\"\n"
#define LINE_U(code, units) "  - code: \"" code "\"\n    units: " #units "\n"
#define LINE_M(code, mods) "  - code: \"" code "\"\n    modifiers: " mods "\n"
#define ADMINS "administrations:\n"
#define GIVEN(id, substance, route, site, start) \
	"  - id: " id "\n    substance: " substance "\n    kind: therapeutic" \
	"\n    route: " route "\n    site: " site \
	"\n    start: 2026-03-14T" start "\n"

/* vancomycin 10:00-11:00 at R-forearm: 96365 */
#define VANC INFUSION("A1", "vancomycin", "R-forearm", "10:00", "11:00")
/* a documented second site: 96365 + 96365-XS (medicare) */
#define TWO_SITES \
	VANC INFUSION("A2", "ceftriaxone", "L-forearm", "10:15", "10:45") \
		SEPARATE

struct scrubbed {
	struct claimdoc *cd;
	struct result *r;
	char findings[512];
};

static void
scrub(struct scrubbed *s, const char *yaml)
{
	s->r = st_scrub(yaml, &s->cd);
	expect_findings(s->r, s->findings, sizeof(s->findings));
}

static void
done(struct scrubbed *s)
{
	result_free(s->r);
	claimdoc_free(s->cd);
}

/* The claim gives exactly these findings ("rule@line ..." in result order). */
static void
assert_findings(const char *yaml, const char *want)
{
	struct scrubbed s;
	scrub(&s, yaml);
	cr_assert_str_eq(s.findings, want, "findings [%s], expected [%s]",
			 s.findings, want);
	done(&s);
}

/* Exactly one finding `id`, about `line` and `admin`, suggesting this change;
 * returns it for further checks. */
static const struct result_finding *
assert_one(const struct scrubbed *s, enum finding_id id, int line, int admin,
	   enum suggest_action action, const char *code, int units,
	   const char *modifier)
{
	const char *name = finding_names[id];
	cr_assert_eq(st_count(s->r, id), 1, "%s fires once in [%s]", name,
		     s->findings);
	const struct result_finding *f = st_find(s->r, id);
	cr_assert_eq(f->line, line, "%s: line %d, expected %d", name, f->line,
		     line);
	cr_assert_eq(f->admin, admin, "%s: administration %d, expected %d",
		     name, f->admin, admin);
	cr_assert_eq(f->suggest.action, action, "%s: suggest %s, expected %s",
		     name, suggest_action_names[f->suggest.action],
		     suggest_action_names[action]);
	if (code)
		cr_assert_str_eq(f->suggest.code, code, "%s: suggested code",
				 name);
	else
		cr_assert_null(f->suggest.code, "%s: no suggested code", name);
	cr_assert_eq(f->suggest.units, units, "%s: suggested units", name);
	if (modifier)
		cr_assert_str_eq(f->suggest.modifier, modifier,
				 "%s: suggested modifier", name);
	else
		cr_assert_null(f->suggest.modifier, "%s: no suggested modifier",
			       name);
	cr_assert_not_null(f->message);
	cr_assert_null(strchr(f->message, '{'), "%s: message rendered: %s",
		       name, f->message);
	return f;
}

/* An evidence value of f, as a long. */
static long
evidence_int(const struct result_finding *f, const char *key)
{
	for (int i = 0; i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, key) == 0 && !f->evidence[i].str)
			return f->evidence[i].ival;
	cr_assert_fail("no evidence '%s'", key);
	return 0;
}

static const char *
evidence_str(const struct result_finding *f, const char *key)
{
	for (int i = 0; i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, key) == 0 && f->evidence[i].str)
			return f->evidence[i].str;
	cr_assert_fail("no evidence '%s'", key);
	return NULL;
}

/* ---- times --------------------------------------------------------------- */

Test(compare, missing_start_time)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J3370", 2) ADMINS
	      "  - id: A1\n    substance: vancomycin\n    kind: therapeutic\n"
	      "    route: infusion\n    site: R\n    stop: 2026-03-14T11:00\n");
	cr_assert_str_eq(s.findings, "missing-start-time@1");
	assert_one(&s, F_MISSING_START_TIME, 1, 0, SUGGEST_DOCUMENT, NULL, 0,
		   NULL);
	cr_assert_eq(s.r->ncodes, 0, "held: no code");
	cr_assert(s.r->admins[0].held);
	cr_assert_eq(s.r->verdict, VERDICT_FLAGGED);
	done(&s);
	assert_findings(HEAD("facility") LINE("96365") LINE_U("J3370", 2)
				ADMINS VANC,
			"none");
}

Test(compare, missing_stop_time)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J3370", 2)
			  ADMINS GIVEN("A1", "vancomycin", "infusion", "R",
				       "10:00"));
	cr_assert_str_eq(s.findings, "missing-stop-time@1");
	assert_one(&s, F_MISSING_STOP_TIME, 1, 0, SUGGEST_DOCUMENT, NULL, 0,
		   NULL);
	done(&s);
	/* a push needs only a start */
	assert_findings(
		HEAD("facility") LINE("96374") LINE_U("J2405", 4)
			ADMINS GIVEN("A1", "ondansetron", "push", "L", "10:00"),
		"none");
}

Test(compare, invalid_time)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J0696", 4)
			  ADMINS INFUSION("A1", "ceftriaxone", "R", "10:00",
					  "09:40"));
	cr_assert_str_eq(s.findings, "invalid-time@1");
	const struct result_finding *f = assert_one(
		&s, F_INVALID_TIME, 1, 0, SUGGEST_DOCUMENT, NULL, 0, NULL);
	cr_assert_not_null(strstr(evidence_str(f, "reason"), "not after"));
	done(&s);

	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J0696", 4) ADMINS
	      "  - id: A1\n    substance: ceftriaxone\n    kind: therapeutic\n"
	      "    route: infusion\n    site: R\n    start: \"10:00\"\n"
	      "    stop: 2026-03-14T10:30\n");
	assert_one(&s, F_INVALID_TIME, 1, 0, SUGGEST_DOCUMENT, NULL, 0, NULL);
	done(&s);

	/* near miss: across midnight is a valid 180-minute run */
	assert_findings(
		HEAD("facility") LINE("96360") LINE_U("96361", 2) LINE("J7030")
			ADMINS
		"  - id: H1\n    substance: saline\n    kind: hydration\n"
		"    site: L\n    start: 2026-03-14T23:00\n"
		"    stop: 2026-03-15T02:00\n",
		"none");
}

/* ---- leftover billed units ----------------------------------------------- */

Test(compare, infusion_under_16)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J0696", 4)
			  ADMINS INFUSION("A1", "ceftriaxone", "R", "10:00",
					  "10:15"));
	cr_assert_str_eq(s.findings, "infusion-under-16@1");
	const struct result_finding *f =
		assert_one(&s, F_INFUSION_UNDER_16, 1, 0, SUGGEST_REPLACE,
			   "96374", 1, NULL);
	cr_assert_eq(evidence_int(f, "minutes"), 15);
	cr_assert_not_null(strstr(f->message, "the record supports 96374 x1"),
			   "%s", f->message);
	done(&s);
	assert_findings(HEAD("facility") LINE("96365") LINE_U("J0696", 4)
				ADMINS INFUSION("A1", "ceftriaxone", "R",
						"10:00", "10:16"),
			"none");
}

Test(compare, hydration_under_31)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96360") LINE("J7030")
			  ADMINS HYDRATION("H1", "L", "10:00", "10:30"));
	cr_assert_str_eq(s.findings, "hydration-under-31@1");
	const struct result_finding *f = assert_one(
		&s, F_HYDRATION_UNDER_31, 1, 0, SUGGEST_REMOVE, NULL, 0, NULL);
	cr_assert_eq(evidence_int(f, "minutes"), 30);
	done(&s);
	assert_findings(HEAD("facility") LINE("96360") LINE("J7030")
				ADMINS HYDRATION("H1", "L", "10:00", "10:31"),
			"none");
}

Test(compare, additional_hour_unsupported)
{
	struct scrubbed s;
	/* 90 minutes support no additional hour */
	scrub(&s,
	      HEAD("facility") LINE("96365") LINE("96366") LINE_U("J1569", 60)
		      ADMINS INFUSION("A1", "IVIG", "L", "08:00", "09:30"));
	cr_assert_str_eq(s.findings, "additional-hour-unsupported@2");
	assert_one(&s, F_ADDITIONAL_HOUR_UNSUPPORTED, 2, -1, SUGGEST_REMOVE,
		   NULL, 0, NULL);
	done(&s);
	/* 120 minutes support one unit, two billed */
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("96366",
							2) LINE_U("J1569", 60)
			  ADMINS INFUSION("A1", "IVIG", "L", "08:00", "10:00"));
	const struct result_finding *f =
		assert_one(&s, F_ADDITIONAL_HOUR_UNSUPPORTED, 2, 0,
			   SUGGEST_SET_UNITS, "96366", 1, NULL);
	cr_assert_eq(evidence_int(f, "billed"), 2);
	cr_assert_eq(evidence_int(f, "expected"), 1);
	done(&s);
	/* near miss: 91 minutes */
	assert_findings(
		HEAD("facility") LINE("96365") LINE("96366") LINE_U("J1569", 60)
			ADMINS INFUSION("A1", "IVIG", "L", "08:00", "09:31"),
		"none");
}

Test(compare, additional_hour_missed)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J1569", 60)
			  ADMINS INFUSION("A1", "IVIG", "L", "08:00", "10:00"));
	cr_assert_str_eq(s.findings, "additional-hour-missed");
	const struct result_finding *f =
		assert_one(&s, F_ADDITIONAL_HOUR_MISSED, 0, 0, SUGGEST_ADD,
			   "96366", 1, NULL);
	cr_assert_eq(f->severity, SEV_INFO);
	cr_assert_eq(s.r->verdict, VERDICT_CLEAN,
		     "revenue missed is not a flag");
	done(&s);
	assert_findings(
		HEAD("facility") LINE("96365") LINE_U("J1569", 60)
			ADMINS INFUSION("A1", "IVIG", "L", "08:00", "09:30"),
		"none");
}

Test(compare, duplicate_initial)
{
	struct scrubbed s;
	/* one infusion billed twice: the second unit goes */
	scrub(&s, HEAD("facility") LINE("96365") LINE("96365")
			  LINE_U("J3370", 2) ADMINS VANC);
	cr_assert_str_eq(s.findings, "duplicate-initial@2");
	assert_one(&s, F_DUPLICATE_INITIAL, 2, -1, SUGGEST_REMOVE, NULL, 0,
		   NULL);
	done(&s);
	/* a documented second site billed without the modifier: add it */
	scrub(&s, MEDICARE("facility") LINE("96365") LINE("96365") LINE_U(
			  "J3370", 2) LINE_U("J0696", 4) ADMINS TWO_SITES);
	cr_assert_str_eq(s.findings, "duplicate-initial@2");
	assert_one(&s, F_DUPLICATE_INITIAL, 2, 1, SUGGEST_ADD_MODIFIER, NULL, 0,
		   "XS");
	done(&s);
	/* a sequential infusion billed as a second initial: bill 96367 instead */
	scrub(&s, HEAD("facility") LINE("96365") LINE("96365")
			  LINE_U("J3370", 2) LINE_U("J0696", 4)
				  ADMINS VANC INFUSION("A2", "ceftriaxone", "L",
						       "11:15", "11:45"));
	cr_assert_str_eq(s.findings, "duplicate-initial@2");
	assert_one(&s, F_DUPLICATE_INITIAL, 2, -1, SUGGEST_REPLACE, "96367", 1,
		   NULL);
	done(&s);
	/* near miss: the second site with XS */
	assert_findings(MEDICARE("facility") LINE("96365")
				LINE_M("96365", "[XS]") LINE_U("J3370", 2)
					LINE_U("J0696", 4) ADMINS TWO_SITES,
			"none");
}

Test(compare, distinct_site_unsupported)
{
	struct scrubbed s;
	scrub(&s, MEDICARE("facility") LINE("96365") LINE_M("96365", "[XS]")
			  LINE_U("J3370", 2) ADMINS VANC);
	cr_assert_str_eq(s.findings, "distinct-site-unsupported@2");
	const struct result_finding *f =
		assert_one(&s, F_DISTINCT_SITE_UNSUPPORTED, 2, -1,
			   SUGGEST_REMOVE, NULL, 0, NULL);
	cr_assert_str_eq(evidence_str(f, "modifier"), "XS");
	cr_assert_eq(f->severity, SEV_WARNING);
	done(&s);
	/* near miss: the need for the second site is documented (59 is accepted) */
	assert_findings(HEAD("facility") LINE("96365")
				LINE_M("96365", "[\"59\"]") LINE_U("J3370", 2)
					LINE_U("J0696", 4) ADMINS TWO_SITES,
			"none");
}

/* ondansetron 09:00-10:00 then paclitaxel 10:00-11:00: 96413 + 96367 */
#define PREMED_CHEMO \
	ADMINS INFUSION("A1", "ondansetron", "port", "09:00", "10:00") \
		CHEMO("A2", "paclitaxel", "port", "10:00", "11:00")

Test(compare, wrong_initial)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE("96367")
			  LINE_U("J2405", 8) LINE_U("J9267", 315) PREMED_CHEMO);
	cr_assert_str_eq(s.findings, "wrong-initial@1");
	assert_one(&s, F_WRONG_INITIAL, 1, 1, SUGGEST_REPLACE, "96413", 1,
		   NULL);
	done(&s);
	assert_findings(HEAD("facility") LINE("96413") LINE("96367")
				LINE_U("J2405", 8) LINE_U("J9267", 315)
					PREMED_CHEMO,
			"none");
}

Test(compare, addon_without_primary)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96366") LINE_U("J1569", 60)
			  ADMINS INFUSION("A1", "IVIG", "L", "08:00", "10:00"));
	/* one cause, one finding: the missing primary is the fix */
	cr_assert_str_eq(s.findings, "addon-without-primary@1");
	assert_one(&s, F_ADDON_WITHOUT_PRIMARY, 1, 0, SUGGEST_ADD, "96365", 1,
		   NULL);
	done(&s);
	/* an add-on billed for the primary the record supports is that
	 * primary: one finding replacing it */
	scrub(&s,
	      HEAD("facility") LINE("96366") LINE_U("J1569", 60)
		      ADMINS GIVEN("A1", "ondansetron", "push", "L", "08:00"));
	cr_assert_str_eq(s.findings, "addon-without-primary@1");
	assert_one(&s, F_ADDON_WITHOUT_PRIMARY, 1, 0, SUGGEST_REPLACE, "96374",
		   1, NULL);
	done(&s);
	/* near miss: the add-on of another family beside a primary */
	assert_findings(HEAD("facility") LINE("96365") LINE("96361")
				LINE_U("J3370", 2) LINE("J7030")
					ADMINS VANC HYDRATION("H1", "R-forearm",
							      "11:00", "12:00"),
			"none");
}

/* vancomycin with cefepime in its own bag, 30 min together: 96365 + 96368 */
#define CONCURRENT \
	ADMINS VANC INFUSION("A2", "cefepime", "R-forearm", "10:00", "10:30")

Test(compare, concurrent_units)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("96368", 2)
			  LINE_U("J3370", 2) LINE_U("J0692", 4) CONCURRENT);
	cr_assert_str_eq(s.findings, "concurrent-units@2");
	const struct result_finding *f =
		assert_one(&s, F_CONCURRENT_UNITS, 2, 1, SUGGEST_SET_UNITS,
			   "96368", 1, NULL);
	cr_assert_eq(evidence_int(f, "billed"), 2);
	cr_assert_eq(evidence_int(f, "limit"), 1);
	done(&s);
	assert_findings(HEAD("facility") LINE("96365") LINE("96368")
				LINE_U("J3370", 2) LINE_U("J0692", 4)
					CONCURRENT,
			"none");
}

/* saline 16:00-19:00, vancomycin 17:00-18:00, same line: 96365 + 96361 x2 */
#define SALINE_AROUND_VANC \
	ADMINS HYDRATION("H1", "R-forearm", "16:00", "19:00") \
		INFUSION("A2", "vancomycin", "R-forearm", "17:00", "18:00")

Test(compare, hydration_concurrent)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("96361", 3) LINE_U(
			  "J3370", 2) LINE_U("J7030", 3) SALINE_AROUND_VANC);
	cr_assert_str_eq(s.findings, "hydration-concurrent@2");
	const struct result_finding *f =
		assert_one(&s, F_HYDRATION_CONCURRENT, 2, 0, SUGGEST_SET_UNITS,
			   "96361", 2, NULL);
	cr_assert_eq(evidence_int(f, "overlap"), 60);
	done(&s);
	assert_findings(HEAD("facility") LINE("96365") LINE_U("96361", 2)
				LINE_U("J3370", 2) LINE_U("J7030", 3)
					SALINE_AROUND_VANC,
			"none");
}

Test(compare, undocumented_service)
{
	struct scrubbed s;
	/* a push billed that nobody charted */
	scrub(&s, HEAD("facility") LINE("96365") LINE("96375")
			  LINE_U("J3370", 2) ADMINS VANC);
	cr_assert_str_eq(s.findings, "undocumented-service@2");
	assert_one(&s, F_UNDOCUMENTED_SERVICE, 2, -1, SUGGEST_REMOVE, NULL, 0,
		   NULL);
	done(&s);
	/* a concurrent code where the record supports a sequential one: substitute */
	scrub(&s,
	      HEAD("facility") LINE("96365") LINE("96368") LINE_U("J3370", 2)
		      LINE_U("J0692", 4) ADMINS VANC INFUSION(
			      "A2", "cefepime", "R-forearm", "10:45", "11:15"));
	cr_assert_str_eq(s.findings, "undocumented-service@2");
	assert_one(&s, F_UNDOCUMENTED_SERVICE, 2, 1, SUGGEST_REPLACE, "96367",
		   1, NULL);
	done(&s);
	/* near miss: the push is charted */
	assert_findings(HEAD("facility") LINE("96365") LINE("96375") LINE_U(
				"J3370", 2) LINE_U("J2405", 4)
				ADMINS VANC GIVEN("A2", "ondansetron", "push",
						  "R-forearm", "11:10"),
			"none");
}

Test(compare, unbilled_service)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J3370", 2)
			  LINE_U("J2405", 4)
				  ADMINS VANC GIVEN("A2", "ondansetron", "push",
						    "R-forearm", "11:10"));
	cr_assert_str_eq(s.findings, "unbilled-service");
	const struct result_finding *f = assert_one(
		&s, F_UNBILLED_SERVICE, 0, 1, SUGGEST_ADD, "96375", 1, NULL);
	cr_assert_eq(f->severity, SEV_INFO);
	cr_assert_eq(s.r->verdict, VERDICT_CLEAN);
	done(&s);
	/* near miss: the same drug pushed again within 30 minutes supports nothing */
	assert_findings(
		HEAD("facility") LINE("96374") LINE_U("J2270", 2)
			ADMINS GIVEN("A1", "morphine", "push", "L", "10:00")
				GIVEN("A2", "morphine", "push", "L", "10:30"),
		"none");
}

/* two IM injections: 96372 x2 */
#define TWO_INJECTIONS \
	ADMINS GIVEN("A1", "cyanocobalamin", "injection", "L-deltoid", \
		     "10:00") \
		GIVEN("A2", "ketorolac", "injection", "R-gluteal", "10:05")

Test(compare, units_mismatch)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96372") LINE("J3420")
			  LINE_U("J1885", 2) TWO_INJECTIONS);
	cr_assert_str_eq(s.findings, "units-mismatch@1");
	const struct result_finding *f =
		assert_one(&s, F_UNITS_MISMATCH, 1, 0, SUGGEST_SET_UNITS,
			   "96372", 2, NULL);
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert_eq(evidence_int(f, "billed"), 1);
	cr_assert_eq(evidence_int(f, "expected"), 2);
	done(&s);
	assert_findings(HEAD("facility") LINE_U("96372", 2) LINE("J3420")
				LINE_U("J1885", 2) TWO_INJECTIONS,
			"none");
}

/* ---- modifiers and companion lines --------------------------------------- */

Test(compare, modifier_conflict)
{
	struct scrubbed s;
	scrub(&s,
	      MEDICARE("facility") LINE("96365") LINE_M("96365", "[\"59\", XS]")
		      LINE_U("J3370", 2) LINE_U("J0696", 4) ADMINS TWO_SITES);
	cr_assert_str_eq(s.findings, "modifier-conflict@2");
	const struct result_finding *f =
		assert_one(&s, F_MODIFIER_CONFLICT, 2, -1,
			   SUGGEST_REMOVE_MODIFIER, NULL, 0, "59");
	cr_assert_str_eq(evidence_str(f, "modifier"), "XS");
	done(&s);
	assert_findings(MEDICARE("facility") LINE("96365")
				LINE_M("96365", "[XS]") LINE_M("J3370", "[JZ]")
					LINE_U("J0696", 4) ADMINS TWO_SITES,
			"none");
}

Test(compare, iv_start_bundled)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE("36000")
			  LINE_U("J3370", 2) ADMINS VANC);
	cr_assert_str_eq(s.findings, "iv-start-bundled@2");
	assert_one(&s, F_IV_START_BUNDLED, 2, -1, SUGGEST_REMOVE, NULL, 0,
		   NULL);
	cr_assert_eq(s.r->nunchecked, 0,
		     "a companion line is judged, not unchecked");
	done(&s);
	/* near miss: an IV start with no drug administration billed */
	assert_findings(HEAD("facility") LINE("36000")
				LINE_U("Q9967", 100) "administrations: []\n",
			"none");
}

Test(compare, nurse_visit_bundled)
{
	struct scrubbed s;
	scrub(&s, HEAD("professional") LINE("99211") LINE("96372") LINE("J3420")
			  ADMINS GIVEN("A1", "cyanocobalamin", "injection",
				       "L-deltoid", "10:00"));
	cr_assert_str_eq(s.findings, "nurse-visit-bundled@1");
	assert_one(&s, F_NURSE_VISIT_BUNDLED, 1, -1, SUGGEST_REMOVE, NULL, 0,
		   NULL);
	done(&s);
	assert_findings(HEAD("professional")
				LINE("99211") "administrations: []\n",
			"none");
}

Test(compare, em_needs_modifier_25)
{
	struct scrubbed s;
	scrub(&s, HEAD("professional") LINE("99213") LINE("96365")
			  LINE_U("J3370", 2) ADMINS VANC);
	cr_assert_str_eq(s.findings, "em-needs-modifier-25@1");
	assert_one(&s, F_EM_NEEDS_MODIFIER_25, 1, -1, SUGGEST_ADD_MODIFIER,
		   NULL, 0, "25");
	done(&s);
	assert_findings(HEAD("professional") LINE_M("99213", "[\"25\"]")
				LINE("96365") LINE_U("J3370", 2) ADMINS VANC,
			"none");
}

Test(compare, drug_line_missing)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") ADMINS VANC);
	cr_assert_str_eq(s.findings, "drug-line-missing");
	const struct result_finding *f = assert_one(
		&s, F_DRUG_LINE_MISSING, 0, -1, SUGGEST_REVIEW, NULL, 0, NULL);
	cr_assert_eq(f->severity, SEV_WARNING);
	done(&s);
	/* a Q code is a drug line too */
	assert_findings(HEAD("facility") LINE("96365") LINE_U("Q0138", 510)
				ADMINS VANC,
			"none");
}

/* ---- manual review ------------------------------------------------------- */

Test(compare, manual_review)
{
	struct scrubbed s;
	/* two chemo drugs overlapping 30 minutes: no concurrent chemo code */
	scrub(&s, HEAD("facility") LINE("96413") LINE_U("96415", 2)
			  LINE("96417") LINE_U("J9267", 315) LINE_U("J9045", 9)
				  ADMINS CHEMO("A1", "paclitaxel", "port",
					       "10:00", "13:00")
					  CHEMO("A2", "carboplatin", "port",
						"12:30", "13:30"));
	cr_assert_str_eq(s.findings, "manual-review");
	const struct result_finding *f = assert_one(
		&s, F_MANUAL_REVIEW, 0, 1, SUGGEST_REVIEW, NULL, 0, NULL);
	cr_assert_eq(f->severity, SEV_WARNING);
	cr_assert_not_null(strstr(evidence_str(f, "reason"), "concurrent"));
	cr_assert_eq(s.r->verdict, VERDICT_FLAGGED);
	done(&s);
	/* near miss: 15 minutes of overlap is simply sequential */
	assert_findings(
		HEAD("facility") LINE("96413") LINE_U("96415", 2) LINE("96417")
			LINE_U("J9267", 315) LINE_U("J9045", 9) ADMINS CHEMO(
				"A1", "paclitaxel", "port", "10:00", "13:00")
				CHEMO("A2", "carboplatin", "port", "12:45",
				      "13:45"),
		"none");
}

/* ---- every finding id is covered ----------------------------------------- */

/* invalid-data comes from scrub_invalid(), which the daemon uses for stored
 * rows that are not a valid claim: verdict invalid, one finding per reason. */
Test(compare, invalid_data)
{
	const char *reasons[] = {
		"'units' must be an integer from 1 to 999, not '0'",
		"line is missing required key 'code'"};
	struct result *r = NULL;
	cr_assert_eq(
		scrub_invalid(st_rules(), "C-9", "medicare", reasons, 2, &r),
		SCRUB_OK);
	cr_assert_eq(r->verdict, VERDICT_INVALID);
	cr_assert_str_eq(r->profile, "medicare");
	cr_assert_eq(r->nfindings, 2);
	cr_assert_eq(r->findings[0].id, F_INVALID_DATA);
	cr_assert_eq(r->findings[0].severity, SEV_ERROR);
	cr_assert_not_null(
		strstr(r->findings[1].message, "missing required key 'code'"),
		"%s", r->findings[1].message);
	struct strbuf sb = STRBUF_INIT;
	result_json(r, &sb);
	cr_assert_not_null(strstr(strbuf_str(&sb), "\"verdict\":\"invalid\""));
	cr_assert_not_null(strstr(strbuf_str(&sb), "\"claim\":\"C-9\""));
	strbuf_free(&sb);
	result_free(r);
}

Test(compare, every_finding_id_has_a_test)
{
	/* the tests above, by finding id; a new id must get its own test */
	static const enum finding_id tested[] = {
		F_MISSING_START_TIME,
		F_MISSING_STOP_TIME,
		F_INVALID_TIME,
		F_INFUSION_UNDER_16,
		F_HYDRATION_UNDER_31,
		F_ADDITIONAL_HOUR_UNSUPPORTED,
		F_ADDITIONAL_HOUR_MISSED,
		F_DUPLICATE_INITIAL,
		F_DISTINCT_SITE_UNSUPPORTED,
		F_WRONG_INITIAL,
		F_ADDON_WITHOUT_PRIMARY,
		F_CONCURRENT_UNITS,
		F_HYDRATION_CONCURRENT,
		F_UNDOCUMENTED_SERVICE,
		F_UNBILLED_SERVICE,
		F_UNITS_MISMATCH,
		F_MODIFIER_CONFLICT,
		F_IV_START_BUNDLED,
		F_NURSE_VISIT_BUNDLED,
		F_EM_NEEDS_MODIFIER_25,
		F_DRUG_LINE_MISSING,
		F_MANUAL_REVIEW,
		F_INVALID_DATA,
		/* from the MAR pairing, not the engine: test_marpair */
		F_UNMAPPED_DRUG,
		F_UNMAPPED_ROUTE,
		/* from the 837 import: test_setmap */
		F_UNMAPPED_SETTING,
		/* a claim whose MAR has not come: test_marpair (scrubmar) */
		F_MAR_MISSING,
	};
	bool seen[F_COUNT] = {false};
	for (size_t i = 0; i < sizeof(tested) / sizeof(tested[0]); i++)
		seen[tested[i]] = true;
	for (int i = 0; i < F_COUNT; i++)
		cr_assert(seen[i], "finding %s has no test", finding_names[i]);
	cr_assert_eq(sizeof(tested) / sizeof(tested[0]), (size_t)F_COUNT);
}

/* ---- unchecked lines and the verdict ------------------------------------- */

Test(compare, unchecked_lines)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J3370", 2) LINE(
			  "85025") LINE("36000") LINE("80053") ADMINS VANC);
	cr_assert_eq(s.r->nunchecked, 2);
	cr_assert_eq(s.r->unchecked[0], 3, "85025 is on line 3");
	cr_assert_eq(s.r->unchecked[1], 5, "80053 is on line 5");
	cr_assert_str_eq(s.findings, "iv-start-bundled@4",
			 "unchecked lines make no finding");
	done(&s);

	scrub(&s, HEAD("facility") LINE("96365") LINE_U("J3370", 2)
			  LINE("85025") ADMINS VANC);
	cr_assert_eq(s.r->nunchecked, 1);
	cr_assert_eq(s.r->unchecked[0], 3);
	cr_assert_str_eq(s.findings, "none");
	cr_assert_eq(s.r->verdict, VERDICT_CLEAN,
		     "an unchecked line is not a flag");
	struct strbuf sb = STRBUF_INIT;
	result_json(s.r, &sb);
	cr_assert_not_null(strstr(strbuf_str(&sb), "\"unchecked\":[3]"), "%s",
			   strbuf_str(&sb));
	strbuf_free(&sb);
	done(&s);
}

Test(compare, verdict_clean_without_findings)
{
	struct scrubbed s;
	scrub(&s,
	      HEAD("facility") LINE("96365") LINE_U("J3370", 2) ADMINS VANC);
	cr_assert_str_eq(s.findings, "none");
	cr_assert_eq(s.r->verdict, VERDICT_CLEAN);
	done(&s);
}

Test(compare, verdict_info_only_is_clean)
{
	struct scrubbed s;
	/* additional-hour-missed and unbilled-service, both info */
	scrub(&s,
	      HEAD("facility") LINE("96365") LINE_U("J1569", 60)
		      LINE_U("J2405", 4) ADMINS INFUSION("A1", "IVIG", "L",
							 "08:00", "10:00")
			      GIVEN("A2", "ondansetron", "push", "L", "10:30"));
	cr_assert_str_eq(s.findings, "additional-hour-missed unbilled-service");
	for (int i = 0; i < s.r->nfindings; i++)
		cr_assert_eq(s.r->findings[i].severity, SEV_INFO);
	cr_assert_eq(s.r->verdict, VERDICT_CLEAN);
	done(&s);
}

Test(compare, verdict_warning_or_error_is_flagged)
{
	struct scrubbed s;
	scrub(&s, HEAD("facility") LINE("96372") LINE("J3420")
			  LINE_U("J1885", 2) TWO_INJECTIONS);
	cr_assert_eq(s.r->findings[0].severity, SEV_WARNING);
	cr_assert_eq(s.r->verdict, VERDICT_FLAGGED,
		     "a warning flags the claim");
	done(&s);
	scrub(&s, HEAD("facility") LINE("96365") LINE("36000")
			  LINE_U("J3370", 2) ADMINS VANC);
	cr_assert_eq(s.r->findings[0].severity, SEV_ERROR);
	cr_assert_eq(s.r->verdict, VERDICT_FLAGGED, "an error flags the claim");
	done(&s);
}

Test(compare, findings_are_ordered_by_severity)
{
	struct scrubbed s;
	/* additional-hour-missed (info) is made before iv-start-bundled */
	scrub(&s,
	      HEAD("facility") LINE("96365") LINE("36000") LINE_U("J1569", 60)
		      ADMINS INFUSION("A1", "IVIG", "L", "08:00", "10:00"));
	cr_assert_eq(s.r->nfindings, 2);
	cr_assert_eq(s.r->findings[0].severity, SEV_ERROR);
	cr_assert_eq(s.r->findings[1].severity, SEV_INFO);
	done(&s);
}

Test(compare, verdict_invalid_over_max_lines)
{
	/* max_lines is 1000: 1001 lines are not judged */
	static const char head[] = "claim: BIG\nsetting: facility\nlines:\n";
	static const char row[] = "  - code: \"96365\"\n";
	size_t n = 1001, len = sizeof(head) - 1 + n * (sizeof(row) - 1);
	char *yaml = malloc(len + 1);
	cr_assert_not_null(yaml);
	memcpy(yaml, head, sizeof(head) - 1);
	for (size_t i = 0; i < n; i++)
		memcpy(yaml + sizeof(head) - 1 + i * (sizeof(row) - 1), row,
		       sizeof(row) - 1);
	yaml[len] = '\0';
	struct scrubbed s;
	scrub(&s, yaml);
	cr_assert_eq(s.r->verdict, VERDICT_INVALID);
	cr_assert_str_eq(s.findings, "manual-review");
	cr_assert_eq(s.r->ncodes, 0);
	done(&s);

	/* 1000 lines are judged */
	yaml[len - (sizeof(row) - 1)] = '\0';
	scrub(&s, yaml);
	cr_assert_neq(s.r->verdict, VERDICT_INVALID);
	cr_assert_geq(st_count(s.r, F_DUPLICATE_INITIAL), 1);
	done(&s);
	free(yaml);
}

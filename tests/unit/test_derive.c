/*
 * test_derive — from documented administrations to the codes they support
 * (infusion-rules.md; SEMANTICS.md "Runs", "The initial", "Everything else"),
 * through st_scrub() on small inline claims with no billed lines: only the
 * expected codes matter here, compare has its own tests.
 *
 * Criterion runs each parameterized case in a fresh process of this (PIE)
 * program, so parameter structs hold their text inline, never as pointers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tests/lib/claimyaml.h"
#include "tests/lib/scrubtest.h"

#define HEAD(setting) "claim: D-1\nsetting: " setting "\nadministrations:\n"
#define HEAD_PAYER(setting, payer) \
	"claim: D-1\npayer: " payer "\nsetting: " setting "\nadministrations:" \
	"\n"
#define GIVEN(id, substance, kind, route, site, start) \
	"  - id: " id "\n    substance: " substance "\n    kind: " kind \
	"\n    route: " route "\n    site: " site \
	"\n    start: 2026-03-14T" start "\n"
#define PUSH(id, substance, site, start) \
	GIVEN(id, substance, "therapeutic", "push", site, start)
#define PRIMARY "    primary: true\n"

/* Scrubs a claim built from a printf format. */
static struct result *scrubf(struct claimdoc **cd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct result *
scrubf(struct claimdoc **cd, const char *fmt, ...)
{
	char yaml[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(yaml, sizeof(yaml), fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof(yaml));
	return st_scrub(yaml, cd);
}

/* "HH:MM" of a number of minutes after midnight (same day). */
static void
hhmm(int minutes, char *buf, size_t size)
{
	cr_assert(minutes >= 0 && minutes < 24 * 60);
	snprintf(buf, size, "%02d:%02d", minutes / 60, minutes % 60);
}

static void
assert_codes(const struct result *r, const char *want)
{
	char got[512];
	expect_codes(r, got, sizeof(got));
	cr_assert_str_eq(got, want, "codes [%s], expected [%s]", got, want);
}

/* Units of code (any modifier), 0 when not expected. */
static int
units_of(const struct result *r, const char *code)
{
	int n = 0;
	for (int i = 0; i < r->ncodes; i++)
		if (strcmp(r->codes[i].code, code) == 0)
			n += r->codes[i].units;
	return n;
}

static const struct result_code *
code_of(const struct result *r, const char *code)
{
	for (int i = 0; i < r->ncodes; i++)
		if (strcmp(r->codes[i].code, code) == 0)
			return &r->codes[i];
	cr_assert_fail("code %s is not expected", code);
	return NULL;
}

static void
done(struct result *r, struct claimdoc *cd)
{
	result_free(r);
	claimdoc_free(cd);
}

/* ---- additional hours ---------------------------------------------------- */

struct units_case {
	int minutes;
	int units;
};

ParameterizedTestParameters(derive, additional_hours_96366)
{
	static struct units_case cases[] = {
		{30, 0},  {31, 0},  {60, 0},  {90, 0},	{91, 1},
		{150, 1}, {151, 2}, {210, 2}, {211, 3},
	};
	return cr_make_param_array(struct units_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

/* One infusion from 08:00 for T minutes: 96365 + 96366 x floor((T-31)/60). */
ParameterizedTest(struct units_case *c, derive, additional_hours_96366)
{
	char stop[8];
	struct claimdoc *cd;
	hhmm(8 * 60 + c->minutes, stop, sizeof(stop));
	struct result *r = scrubf(
		&cd,
		HEAD("facility") INFUSION("A1", "IVIG", "R", "08:00", "%s"),
		stop);
	cr_assert_eq(r->admins[0].minutes, c->minutes);
	cr_assert_eq(units_of(r, "96365"), 1);
	cr_assert_eq(units_of(r, "96366"), c->units,
		     "%d minutes: 96366 x%d, expected x%d", c->minutes,
		     units_of(r, "96366"), c->units);
	cr_assert_eq(r->ncodes, c->units ? 2 : 1);
	done(r, cd);
}

ParameterizedTestParameters(derive, additional_hours_96415)
{
	static struct units_case cases[] = {
		{90, 0}, {91, 1}, {150, 1}, {151, 2}, {211, 3},
	};
	return cr_make_param_array(struct units_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct units_case *c, derive, additional_hours_96415)
{
	char stop[8];
	struct claimdoc *cd;
	hhmm(8 * 60 + c->minutes, stop, sizeof(stop));
	struct result *r = scrubf(&cd,
				  HEAD("facility") CHEMO("A1", "paclitaxel",
							 "port", "08:00", "%s"),
				  stop);
	cr_assert_eq(units_of(r, "96413"), 1);
	cr_assert_eq(units_of(r, "96415"), c->units, "%d minutes", c->minutes);
	done(r, cd);
}

ParameterizedTestParameters(derive, hydration_initial)
{
	static struct units_case cases[] = {
		{30, -1}, {31, 0}, {90, 0}, {91, 1}, {180, 2}, {1440, 23},
	};
	return cr_make_param_array(struct units_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

/* Hydration alone: 96360 + 96361 x floor((T-31)/60); 30 minutes: nothing. */
ParameterizedTest(struct units_case *c, derive, hydration_initial)
{
	struct claimdoc *cd;
	struct result *r = scrubf(
		&cd,
		HEAD("facility") "  - id: H1\n    substance: saline\n    kind: "
				 "hydration\n"
				 "    site: L\n    start: 2026-03-14T00:00\n"
				 "    stop: 2026-03-%02dT%02d:%02d\n",
		14 + c->minutes / 1440, c->minutes % 1440 / 60,
		c->minutes % 60);
	cr_assert_eq(r->admins[0].minutes, c->minutes);
	if (c->units < 0) {
		assert_codes(r, "none");
		cr_assert_not(r->admins[0].reportable);
	} else {
		cr_assert_eq(units_of(r, "96360"), 1);
		cr_assert_eq(units_of(r, "96361"), c->units, "%d minutes",
			     c->minutes);
	}
	done(r, cd);
}

ParameterizedTestParameters(derive, secondary_hydration_96361)
{
	static struct units_case cases[] = {
		{30, 0},  {31, 1},  {90, 1},  {91, 2},
		{102, 2}, {150, 2}, {151, 3}, {175, 3},
	};
	return cr_make_param_array(struct units_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

/* Hydration after a drug: 96361 x (1 + floor((T-31)/60)) for T >= 31. */
ParameterizedTest(struct units_case *c, derive, secondary_hydration_96361)
{
	char stop[8];
	struct claimdoc *cd;
	hhmm(9 * 60 + c->minutes, stop, sizeof(stop));
	struct result *r =
		scrubf(&cd,
		       HEAD("facility") INFUSION("A1", "vancomycin", "R",
						 "08:00", "09:00")
			       HYDRATION("H1", "R", "09:00", "%s"),
		       stop);
	cr_assert_eq(units_of(r, "96365"), 1, "the drug is the initial");
	cr_assert_eq(units_of(r, "96360"), 0,
		     "hydration is never the initial here");
	cr_assert_eq(units_of(r, "96361"), c->units,
		     "%d minutes: 96361 x%d, expected x%d", c->minutes,
		     units_of(r, "96361"), c->units);
	done(r, cd);
}

/* ---- the push threshold -------------------------------------------------- */

struct short_case {
	char kind[16], route[16];
	int minutes;
	char codes[32];
	bool converted;
};

ParameterizedTestParameters(derive, push_threshold)
{
	static struct short_case cases[] = {
		{"therapeutic", "infusion", 15, "96374", true},
		{"therapeutic", "infusion", 16, "96365", false},
		{"therapeutic", "infusion", 1, "96374", true},
		{"chemotherapy", "infusion", 15, "96409", true},
		{"chemotherapy", "infusion", 16, "96413", false},
		{"therapeutic", "subcutaneous", 15, "96372", true},
		{"therapeutic", "subcutaneous", 16, "96369", false},
	};
	return cr_make_param_array(struct short_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct short_case *c, derive, push_threshold)
{
	char stop[8];
	struct claimdoc *cd;
	hhmm(10 * 60 + c->minutes, stop, sizeof(stop));
	struct result *r = scrubf(
		&cd,
		HEAD("facility") "  - id: A1\n    substance: drug\n"
				 "    kind: %s\n    route: %s\n    site: R\n"
				 "    start: 2026-03-14T10:00\n"
				 "    stop: 2026-03-14T%s\n",
		c->kind, c->route, stop);
	assert_codes(r, c->codes);
	cr_assert_eq(r->admins[0].converted, c->converted, "%s %s %d minutes",
		     c->kind, c->route, c->minutes);
	done(r, cd);
}

/* ---- the initial --------------------------------------------------------- */

struct order_case {
	char first[200], second[200];
	int chemo; /* document index of the chemotherapy */
};

ParameterizedTestParameters(derive, chemo_beats_therapeutic)
{
	static struct order_case cases[] = {
		{INFUSION("T1", "ondansetron", "port", "08:00", "09:00"),
		 CHEMO("C1", "paclitaxel", "port", "09:00", "10:00"), 1},
		{CHEMO("C1", "paclitaxel", "port", "09:00", "10:00"),
		 INFUSION("T1", "ondansetron", "port", "08:00", "09:00"), 0},
		{CHEMO("C1", "paclitaxel", "port", "08:00", "09:00"),
		 INFUSION("T1", "ondansetron", "port", "09:00", "10:00"), 0},
		{INFUSION("T1", "ondansetron", "port", "09:00", "10:00"),
		 CHEMO("C1", "paclitaxel", "port", "08:00", "09:00"), 1},
		/* a shorter chemo still wins */
		{INFUSION("T1", "ondansetron", "port", "08:00", "10:00"),
		 CHEMO("C1", "paclitaxel", "port", "10:00", "10:30"), 1},
	};
	return cr_make_param_array(struct order_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct order_case *c, derive, chemo_beats_therapeutic)
{
	struct claimdoc *cd;
	struct result *r =
		scrubf(&cd, HEAD("facility") "%s%s", c->first, c->second);
	cr_assert_eq(units_of(r, "96413"), 1);
	cr_assert_eq(units_of(r, "96365"), 0,
		     "the therapeutic infusion is not an initial");
	cr_assert_eq(units_of(r, "96367"), 1, "it is a sequential infusion");
	const struct result_code *init = code_of(r, "96413");
	cr_assert(init->initial);
	cr_assert_eq(init->admins[0], c->chemo);
	cr_assert_str_eq(r->codes[0].code, "96413", "the initial comes first");
	done(r, cd);
}

Test(derive, chemo_push_beats_therapeutic_infusion)
{
	struct claimdoc *cd;
	struct result *r =
		scrubf(&cd, "%s",
		       HEAD("facility") INFUSION("T1", "hydroxyzine", "port",
						 "08:00", "09:00")
			       GIVEN("C1", "vincristine", "chemotherapy",
				     "push", "port", "09:30"));
	assert_codes(r, "96409 96367");
	done(r, cd);
}

Test(derive, equal_rank_longer_run_wins)
{
	struct claimdoc *cd;
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") INFUSION("A1", "vancomycin", "R", "08:00",
					  "08:40")
			INFUSION("A2", "cefepime", "R", "09:00", "10:10"));
	assert_codes(r, "96365 96367");
	cr_assert_eq(code_of(r, "96365")->admins[0], 1,
		     "the 70-minute run is the initial");
	cr_assert_eq(code_of(r, "96367")->admins[0], 0);
	done(r, cd);
}

Test(derive, equal_rank_and_length_earlier_start_wins)
{
	struct claimdoc *cd;
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") INFUSION("A1", "vancomycin", "R", "10:00",
					  "11:00")
			INFUSION("A2", "cefepime", "R", "08:00", "09:00"));
	assert_codes(r, "96365 96367");
	cr_assert_eq(code_of(r, "96365")->admins[0], 1,
		     "08:00 starts before 10:00");
	done(r, cd);
}

Test(derive, all_equal_document_order_wins)
{
	struct claimdoc *cd;
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") INFUSION("A1", "vancomycin", "R", "10:00",
					  "11:00")
			INFUSION("A2", "cefepime", "R", "10:00", "11:00"));
	assert_codes(r, "96365 96368");
	cr_assert_eq(code_of(r, "96365")->admins[0], 0);
	cr_assert_eq(code_of(r, "96368")->admins[0], 1);
	done(r, cd);
}

Test(derive, professional_primary_is_the_initial)
{
	struct claimdoc *cd;
	/* professional, push marked primary: the push is the initial */
	struct result *r =
		scrubf(&cd, "%s",
		       HEAD("professional") INFUSION("A1", "vancomycin", "R",
						     "08:00", "09:00")
			       PUSH("A2", "ondansetron", "R", "09:30") PRIMARY);
	assert_codes(r, "96374 96367");
	cr_assert_eq(code_of(r, "96374")->admins[0], 1);
	done(r, cd);

	/* facility: the mark is ignored */
	r = scrubf(&cd, "%s",
		   HEAD("facility") INFUSION("A1", "vancomycin", "R", "08:00",
					     "09:00")
			   PUSH("A2", "ondansetron", "R", "09:30") PRIMARY);
	assert_codes(r, "96365 96375");
	done(r, cd);

	/* professional, nothing marked: the facility order */
	r = scrubf(&cd, "%s",
		   HEAD("professional")
			   INFUSION("A1", "vancomycin", "R", "08:00", "09:00")
				   PUSH("A2", "ondansetron", "R", "09:30"));
	assert_codes(r, "96365 96375");
	done(r, cd);

	/* professional_primary: hierarchy ignores the mark */
	r = scrubf(&cd, "%s",
		   HEAD_PAYER("professional", "t-professional-hierarchy")
			   INFUSION("A1", "vancomycin", "R", "08:00", "09:00")
				   PUSH("A2", "ondansetron", "R", "09:30")
					   PRIMARY);
	assert_codes(r, "96365 96375");
	done(r, cd);
}

Test(derive, injection_is_never_the_initial_beside_something_else)
{
	struct claimdoc *cd;
	/* a chemo injection outranks a therapeutic infusion, but is no initial */
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") GIVEN("C1", "leuprolide", "chemotherapy",
				       "injection", "L-deltoid", "08:00")
			INFUSION("A1", "ceftriaxone", "R", "09:00", "10:00"));
	assert_codes(r, "96365 96401");
	cr_assert(code_of(r, "96365")->initial);
	cr_assert_not(code_of(r, "96401")->initial);
	done(r, cd);

	/* beside a push */
	r = scrubf(&cd, "%s",
		   HEAD("facility") GIVEN("I1", "ceftriaxone", "therapeutic",
					  "injection", "L-gluteal", "08:00")
			   PUSH("P1", "ondansetron", "R", "09:00"));
	assert_codes(r, "96374 96372");
	cr_assert_not(code_of(r, "96372")->initial);
	done(r, cd);

	/* alone: the injection is the initial, one code per injection */
	r = scrubf(&cd, "%s",
		   HEAD("facility") GIVEN("I1", "cyanocobalamin", "therapeutic",
					  "injection", "L-deltoid", "10:00")
			   GIVEN("I2", "ketorolac", "therapeutic", "injection",
				 "R-gluteal", "10:05"));
	assert_codes(r, "96372x2");
	cr_assert(code_of(r, "96372")->initial);
	done(r, cd);
}

/* ---- separate sites ------------------------------------------------------ */

#define TWO_SITES(extra) \
	INFUSION("A1", "vancomycin", "R-forearm", "10:00", "11:00") \
	INFUSION("A2", "ceftriaxone", "L-forearm", "10:15", "10:45") extra

Test(derive, separate_site_default_profile_59)
{
	struct claimdoc *cd;
	struct result *r =
		scrubf(&cd, "%s", HEAD("facility") TWO_SITES(SEPARATE));
	assert_codes(r, "96365 96365-59");
	cr_assert_eq(r->codes[1].admins[0], 1,
		     "the shorter run carries the modifier");
	done(r, cd);
}

Test(derive, separate_site_medicare_XS)
{
	struct claimdoc *cd;
	struct result *r =
		scrubf(&cd, "%s",
		       HEAD_PAYER("facility", "medicare") TWO_SITES(SEPARATE));
	assert_codes(r, "96365 96365-XS");
	done(r, cd);
}

/* Ruling 1: two sites with no documented need are one access, so the
 * overlapping ceftriaxone is concurrent, not a second initial. */
Test(derive, second_site_without_documented_need_is_no_initial)
{
	struct claimdoc *cd;
	struct result *r = scrubf(
		&cd, "%s", HEAD_PAYER("facility", "medicare") TWO_SITES(""));
	assert_codes(r, "96365 96368");
	done(r, cd);
}

/* ---- runs ---------------------------------------------------------------- */

Test(derive, same_drug_segments_are_summed)
{
	struct claimdoc *cd;
	/* 60 + 35 = 95 minutes: one run with an additional hour */
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") INFUSION("A1", "vancomycin", "R", "08:00",
					  "09:00")
			INFUSION("A2", "Vancomycin", "R", "09:30", "10:05"));
	assert_codes(r, "96365 96366");
	cr_assert_eq(code_of(r, "96365")->nadmins, 2,
		     "both segments are behind it");
	done(r, cd);

	/* separate: each segment is its own run */
	r = scrubf(&cd, "%s",
		   HEAD_PAYER("facility", "t-segments-separate") INFUSION(
			   "A1", "vancomycin", "R", "08:00", "09:00")
			   INFUSION("A2", "Vancomycin", "R", "09:30", "10:05"));
	assert_codes(r, "96365 96367");
	done(r, cd);
}

Test(derive, push_threshold_applies_to_the_sum)
{
	struct claimdoc *cd;
	/* two 10-minute segments: 20 minutes, an infusion */
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") INFUSION("A1", "ceftriaxone", "R", "08:00",
					  "08:10")
			INFUSION("A2", "ceftriaxone", "R", "08:20", "08:30"));
	assert_codes(r, "96365");
	cr_assert_not(r->admins[0].converted);
	done(r, cd);
}

Test(derive, restart_at_a_new_site_after_infiltration_continues_the_run)
{
	struct claimdoc *cd;
	/* 60 + 55 = 115 minutes on one access: no second initial */
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") INFUSION("A1", "vancomycin", "R", "08:00",
					  "09:00")
			INFUSION("A2", "vancomycin", "L", "09:10", "10:05"));
	assert_codes(r, "96365 96366");
	done(r, cd);
}

Test(derive, hydration_overlap_is_subtracted)
{
	struct claimdoc *cd;
	/* saline 08:00-10:00 with a drug 08:30-09:30 on the same site: 60 left */
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") HYDRATION("H1", "R", "08:00", "10:00")
			INFUSION("A1", "vancomycin", "R", "08:30", "09:30"));
	assert_codes(r, "96365 96361");
	cr_assert_eq(r->admins[0].minutes, 120);
	cr_assert_eq(r->admins[0].net_minutes, 60);
	done(r, cd);

	/* the drug on another site with no documented need: the same access
	 * (ruling 1), so subtracted too */
	r = scrubf(&cd, "%s",
		   HEAD("facility") HYDRATION("H1", "R", "08:00", "10:00")
			   INFUSION("A1", "vancomycin", "L", "08:30", "09:30"));
	assert_codes(r, "96365 96361");
	cr_assert_eq(r->admins[0].net_minutes, 60);
	done(r, cd);

	/* a documented separate site: nothing subtracted, and the hydration's
	 * own access has its own initial: 96360-59 + 1 x floor(89/60) */
	r = scrubf(&cd, "%s",
		   HEAD("facility") HYDRATION("H1", "R", "08:00", "10:00")
			   INFUSION("A1", "vancomycin", "L", "08:30", "09:30")
				   SEPARATE);
	assert_codes(r, "96365 96360-59 96361");
	cr_assert_eq(r->admins[0].net_minutes, 120);
	done(r, cd);

	/* overlapping drugs are counted once: 08:30-09:45 covered, 45 left */
	r = scrubf(&cd, "%s",
		   HEAD("facility") HYDRATION("H1", "R", "08:00", "10:00")
			   INFUSION("A1", "vancomycin", "R", "08:30", "09:30")
				   INFUSION("A2", "cefepime", "R", "09:00",
					    "09:45"));
	cr_assert_eq(r->admins[0].net_minutes, 45);
	cr_assert_eq(units_of(r, "96361"), 1);
	done(r, cd);

	/* hydration wholly inside a drug run is not reportable */
	r = scrubf(&cd, "%s",
		   HEAD("facility")
			   INFUSION("A1", "vancomycin", "R", "08:00", "10:00")
				   HYDRATION("H1", "R", "08:30", "09:30"));
	assert_codes(r, "96365 96366");
	cr_assert_eq(r->admins[1].net_minutes, 0);
	cr_assert_not(r->admins[1].reportable);
	done(r, cd);
}

Test(derive, concurrent_once_per_encounter)
{
	struct claimdoc *cd;
	struct result *r =
		scrubf(&cd, "%s",
		       HEAD("facility") INFUSION("A1", "vancomycin", "R",
						 "10:00", "12:00")
			       INFUSION("A2", "cefepime", "R", "10:00", "11:00")
				       INFUSION("A3", "metronidazole", "R",
						"10:30", "11:30"));
	/* A1 initial (longest) with its hour, A2 concurrent, A3 sequential */
	assert_codes(r, "96365 96366 96367 96368");
	cr_assert_eq(units_of(r, "96368"), 1);
	cr_assert_eq(code_of(r, "96368")->admins[0], 1);
	cr_assert_eq(code_of(r, "96367")->admins[0], 2);
	done(r, cd);
}

Test(derive, concurrent_needs_16_minutes_of_overlap)
{
	struct claimdoc *cd;
	struct result *r = scrubf(
		&cd, "%s",
		HEAD("facility") INFUSION("A1", "vancomycin", "R", "10:00",
					  "11:00")
			INFUSION("A2", "cefepime", "R", "10:44", "11:14"));
	assert_codes(r, "96365 96368");
	done(r, cd);
	r = scrubf(&cd, "%s",
		   HEAD("facility") INFUSION("A1", "vancomycin", "R", "10:00",
					     "11:00")
			   INFUSION("A2", "cefepime", "R", "10:45", "11:15"));
	assert_codes(r, "96365 96367");
	done(r, cd);
}

struct window_case {
	char second[8];
	char setting[16];
	char codes[32];
};

ParameterizedTestParameters(derive, same_drug_push_window)
{
	static struct window_case cases[] = {
		{"10:30", "facility", "96374"},
		{"10:31", "facility", "96374 96376"},
		{"10:15", "facility", "96374"},
		{"12:00", "facility", "96374 96376"},
		{"10:31", "professional", "96374"},
	};
	return cr_make_param_array(struct window_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

/* morphine pushed at 10:00 and again: within 30 minutes, one service */
ParameterizedTest(struct window_case *c, derive, same_drug_push_window)
{
	struct claimdoc *cd;
	struct result *r =
		scrubf(&cd,
		       "claim: W\nsetting: %s\nadministrations:\n" PUSH(
			       "P1", "morphine", "L", "10:00")
			       PUSH("P2", "morphine", "L", "%s"),
		       c->setting, c->second);
	assert_codes(r, c->codes);
	done(r, cd);
}

Test(derive, same_drug_window_counts_from_the_end_of_an_infusion)
{
	struct claimdoc *cd;
	/* ondansetron infused 08:00-09:00, pushed 09:30 (30 after its stop) */
	struct result *r =
		scrubf(&cd, "%s",
		       HEAD("facility") INFUSION("A1", "ondansetron", "R",
						 "08:00", "09:00")
			       PUSH("P1", "ondansetron", "R", "09:30"));
	assert_codes(r, "96365");
	done(r, cd);
	r = scrubf(&cd, "%s",
		   HEAD("facility")
			   INFUSION("A1", "ondansetron", "R", "08:00", "09:00")
				   PUSH("P1", "ondansetron", "R", "09:31"));
	assert_codes(r, "96365 96376");
	done(r, cd);
}

/* ---- determinism --------------------------------------------------------- */

Test(derive, same_claim_gives_the_same_bytes)
{
	static const char yaml[] = HEAD("facility") HYDRATION("H1", "R",
							      "07:00", "12:00")
		INFUSION("A1", "vancomycin", "R", "08:00", "10:00")
			INFUSION("A2", "cefepime", "R", "08:30", "09:30")
				PUSH("P1", "ondansetron", "R", "10:30")
					PUSH("P2", "ondansetron", "R", "11:30")
						CHEMO("C1", "paclitaxel", "L",
						      "09:00", "09:10");
	struct claimdoc *cd1, *cd2;
	struct result *r1 = st_scrub(yaml, &cd1);
	struct result *r2 = st_scrub(yaml, &cd2);
	struct result *r3 = NULL;
	cr_assert_eq(scrub_claim(st_rules(), claimdoc_claim(cd1, 0), &r3),
		     SCRUB_OK);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
	result_json(r1, &a);
	result_json(r2, &b);
	result_json(r3, &c);
	cr_assert_not(a.failed || b.failed || c.failed);
	cr_assert_gt(a.len, 100);
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(a.len, c.len);
	cr_assert_eq(memcmp(a.data, b.data, a.len), 0,
		     "two parses, one result");
	cr_assert_eq(memcmp(a.data, c.data, a.len), 0,
		     "two scrubs, one result");
	cr_assert_str_eq(strbuf_str(&a), strbuf_str(&c));
	strbuf_free(&a);
	strbuf_free(&b);
	strbuf_free(&c);
	result_free(r3);
	done(r1, cd1);
	done(r2, cd2);
}

/* ---- the derivation budget (issue 14, item 10) ---------------------------- */

/* A claim for profile t-small-budget (max_derive_steps 20,000) of n
 * administrations, one a minute from 08:00: pushes of one drug at one site
 * when same, else infusions of n drugs on n sites that each document the
 * need for their own. */
static struct result *
scrub_many(int n, bool same, struct claimdoc **cd)
{
	struct strbuf y = STRBUF_INIT;
	strbuf_puts(&y, HEAD_PAYER("facility", "t-small-budget"));
	for (int i = 0; i < n; i++) {
		int t = 8 * 60 + i % 600;
		strbuf_printf(&y,
			      "  - id: A%d\n    substance: %s%d\n"
			      "    kind: therapeutic\n    route: %s\n"
			      "    site: S%d\n    separate_site_required: %s\n"
			      "    start: 2026-03-14T%02d:%02d\n",
			      i, same ? "ondansetron" : "drug", same ? 0 : i,
			      same ? "push" : "infusion", same ? 0 : i,
			      same ? "false" : "true", t / 60, t % 60);
		if (!same)
			strbuf_printf(&y, "    stop: 2026-03-14T%02d:%02d\n",
				      (t + 45) / 60, (t + 45) % 60);
	}
	cr_assert_not(y.failed);
	struct result *r = st_scrub(strbuf_str(&y), cd);
	strbuf_free(&y);
	return r;
}

static long
evidence_int(const struct result_finding *f, const char *key)
{
	for (int i = 0; i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, key) == 0)
			return f->evidence[i].ival;
	cr_assert_fail("no evidence %s", key);
	return -1;
}

/* 200 pushes of one drug: each is measured against the other 199 (ruling
 * 4), 40,000 comparisons; the claim is not judged, and says why. */
Test(derive, over_the_budget_is_invalid_with_the_reason)
{
	struct claimdoc *cd;
	struct result *r = scrub_many(200, true, &cd);
	cr_assert_eq(r->verdict, VERDICT_INVALID);
	cr_assert_eq(r->ncodes, 0, "no codes are derived");
	cr_assert_eq(r->nfindings, 1);
	const struct result_finding *f = st_find(r, F_MANUAL_REVIEW);
	cr_assert_not_null(f);
	cr_assert_eq(evidence_int(f, "max_derive_steps"), 20000);
	cr_assert_gt(evidence_int(f, "steps"), 20000);
	done(r, cd);
}

/* 20 pushes of one drug are 400 comparisons: judged as usual. */
Test(derive, within_the_budget_is_judged)
{
	struct claimdoc *cd;
	struct result *r = scrub_many(20, true, &cd);
	cr_assert_neq(r->verdict, VERDICT_INVALID);
	cr_assert_eq(st_count(r, F_MANUAL_REVIEW), 0);
	cr_assert_gt(r->ncodes, 0);
	done(r, cd);
}

/* 1,000 infusions on 1,000 separate sites: nothing shares an access, so
 * the work is linear (the engine once compared every site with every
 * other, 4.7 s), well within 20,000 steps; every one is its own initial. */
Test(derive, separate_sites_are_linear)
{
	struct claimdoc *cd;
	struct result *r = scrub_many(1000, false, &cd);
	cr_assert_neq(r->verdict, VERDICT_INVALID);
	cr_assert_eq(st_count(r, F_MANUAL_REVIEW), 0);
	int initials = 0;
	for (int i = 0; i < r->ncodes; i++)
		if (strcmp(r->codes[i].code, "96365") == 0)
			initials += r->codes[i].units;
	cr_assert_eq(initials, 1000, "each site has its own initial");
	done(r, cd);
}

/*
 * test_setmap — the setting_map tables (rules.d/71-setting-map.yaml and
 * local files) and an 837 claim's setting from them.  Expected values are
 * written by hand from the table's rows, never recorded from the program.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/diag.h"
#include "scrubber/fileio.h"
#include "scrubber/isotime.h"
#include "scrubber/rules.h"
#include "scrubber/setmap.h"
#include "scrubber/x12.h"
#include "tests/lib/scrubtest.h"

/* ---- the shipped rows ------------------------------------------------ */

/* Arrays, not pointers: Criterion runs each case in a process of its own. */
struct lookup_case {
	enum x12_kind kind;
	char code[4];
	int setting; /* enum claim_setting, -1: unmapped */
};

ParameterizedTestParameters(setmap, shipped_rows)
{
	static struct lookup_case cases[] = {
		/* 837P place of service: every row professional */
		{X12_837P, "11", SETTING_PROFESSIONAL}, /* office */
		{X12_837P, "19", SETTING_PROFESSIONAL},
		{X12_837P, "22", SETTING_PROFESSIONAL},
		{X12_837P, "49", SETTING_PROFESSIONAL},
		{X12_837P, "21", -1}, /* inpatient: left out */
		{X12_837P, "23", -1}, /* emergency room */
		{X12_837P, "12", -1}, /* home */
		/* a type of bill's code is not a place of service: POS 13 is
		 * assisted living, in no row */
		{X12_837P, "13", -1},
		/* 837I type of bill, first two digits */
		{X12_837I, "13", SETTING_FACILITY}, /* TOB 131 */
		{X12_837I, "85", SETTING_FACILITY}, /* TOB 851 */
		{X12_837I, "11", -1},		    /* inpatient */
		{X12_837I, "71", -1},		    /* rural health clinic */
		/* and a place of service is not a type of bill */
		{X12_837I, "22", -1},
	};
	return cr_make_param_array(struct lookup_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct lookup_case *c, setmap, shipped_rows)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	enum claim_setting s = (enum claim_setting) - 1;
	bool found = setmap_lookup(rules_at(rs, st_day("2026-03-02")), c->kind,
				   c->code, &s);
	cr_assert_eq(found, c->setting >= 0, "%s %s", c->code,
		     setmap_table_names[c->kind]);
	if (found)
		cr_assert_eq((int)s, c->setting, "%s", c->code);
	rules_free(rs);
}

/* ---- dated and local rows ------------------------------------------- */

/* A home row from a date; the office row made a facility one for a
 * quarter (a site's choice, to show a dated change of value); a TOB
 * added plainly. */
static const char dated[] =
	"setting_map:\n"
	"  place_of_service:\n"
	"    \"12\": {value: professional, effective_from: 2026-07-01}\n"
	"    \"11\":\n"
	"      - {value: professional, effective_to: 2026-03-31}\n"
	"      - {value: facility, effective_from: 2026-04-01, "
	"effective_to: 2026-06-30}\n"
	"      - {value: professional, effective_from: 2026-07-01}\n"
	"  type_of_bill:\n"
	"    \"12\": facility\n";

Test(setmap, dated_rows)
{
	struct ruleset *rs = st_rules_local_ok(dated);
	enum claim_setting s;
	cr_assert_not(setmap_lookup(rules_at(rs, st_day("2026-06-30")),
				    X12_837P, "12", &s),
		      "the day before its first");
	cr_assert(setmap_lookup(rules_at(rs, st_day("2026-07-01")), X12_837P,
				"12", &s));
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	cr_assert(setmap_lookup(rules_at(rs, st_day("2026-03-31")), X12_837P,
				"11", &s));
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	cr_assert(setmap_lookup(rules_at(rs, st_day("2026-04-01")), X12_837P,
				"11", &s));
	cr_assert_eq(s, SETTING_FACILITY);
	cr_assert(setmap_lookup(rules_at(rs, st_day("2026-07-01")), X12_837P,
				"11", &s));
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	/* merged by code: the shipped rows beside the local ones */
	cr_assert(setmap_lookup(rules_at(rs, st_day("2026-03-02")), X12_837I,
				"12", &s));
	cr_assert_eq(s, SETTING_FACILITY);
	cr_assert(setmap_lookup(rules_at(rs, st_day("2026-03-02")), X12_837I,
				"13", &s));
	cr_assert_eq(s, SETTING_FACILITY);
	cr_assert(setmap_lookup(rules_at(rs, st_day("2026-03-02")), X12_837P,
				"22", &s));
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	rules_free(rs);
}

/* ---- a claim's setting -------------------------------------------------- */

/* The sample 837 at st_srcdir()/name with the first `from` replaced by `to`
 * (NULL: as it is), read. */
static struct x12 *
read_837(const char *name, const char *from, const char *to)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;
	struct diag_list dl = {0};
	snprintf(path, sizeof(path), "%s/examples/x12/%s", st_srcdir(), name);
	cr_assert_eq(fileio_read(path, X12_MAX_BYTES, &buf, &len, &dl),
		     SCRUB_OK);
	char *at = from ? strstr(buf, from) : NULL;
	cr_assert(!from || at, "'%s' is not in %s", from, name);
	if (at) /* same length: the rest of the file stays where it was */
		memcpy(at, to, strlen(to));
	struct x12 *x = NULL;
	cr_assert_eq(x12_parse(name, buf, len, &x, &dl), SCRUB_OK);
	st_log_diags(&dl);
	diag_list_free(&dl);
	free(buf);
	return x;
}

/* The claims of an 837 sample and the setting each gets, by hand from
 * the rows: 837P POS 11, 837I TOB 131. */
Test(setmap, sample_claims)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct diag_list dl = {0};
	enum claim_setting s = (enum claim_setting) - 1;
	struct x12 *p = read_837("837p-sample.837", NULL, NULL);
	cr_assert_eq(setmap_claim(rs, "p.837", x12_claim(p, 0), &s, &dl),
		     SCRUB_OK);
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	struct x12 *i = read_837("837i-sample.837", NULL, NULL);
	s = SETTING_PROFESSIONAL;
	cr_assert_eq(setmap_claim(rs, "i.837", x12_claim(i, 0), &s, &dl),
		     SCRUB_OK);
	cr_assert_eq(s, SETTING_FACILITY);
	cr_assert_eq(dl.n, 0);
	x12_free(p);
	x12_free(i);
	rules_free(rs);
}

/* An 837I whose type of bill says facility, though a local row makes it
 * professional: the table decides, not the form. */
Test(setmap, table_over_form)
{
	struct ruleset *rs = st_rules_local_ok("setting_map:\n"
					       "  type_of_bill:\n"
					       "    \"13\": professional\n");
	struct diag_list dl = {0};
	enum claim_setting s = SETTING_FACILITY;
	struct x12 *i = read_837("837i-sample.837", NULL, NULL);
	cr_assert_eq(x12_claim(i, 0)->claim.setting, SETTING_FACILITY);
	cr_assert_eq(setmap_claim(rs, "i.837", x12_claim(i, 0), &s, &dl),
		     SCRUB_OK);
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	x12_free(i);
	rules_free(rs);
}

/* A place of service no row has (21, inpatient): named at its CLM05-1
 * with the claim, the table and the date; never guessed. */
Test(setmap, unmapped_named)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct diag_list dl = {0};
	enum claim_setting s = (enum claim_setting) - 1;
	struct x12 *p = read_837("837p-sample.837", "***11:B:1", "***21:B:1");
	const struct x12_claim *c = x12_claim(p, 0);
	cr_assert_eq(setmap_claim(rs, "p.837", c, &s, &dl), SCRUB_EINPUT);
	cr_assert_eq((int)s, -1, "untouched");
	cr_assert_eq(dl.n, 1);
	cr_assert_str_eq(dl.items[0].file, "p.837");
	/* CLM*PC-2026-0301*410***21:B:1 on line 20: CLM05 at column 24 */
	cr_assert_eq(dl.items[0].line, 20);
	cr_assert_eq(dl.items[0].column, 24);
	cr_assert_str_eq(dl.items[0].message,
			 "unmapped-setting: claim 'PC-2026-0301': no "
			 "setting_map place_of_service row has '21' (837P "
			 "CLM05-1, date of service 2026-03-02)");
	/* the other claim of the file, POS 11, is mapped */
	cr_assert_eq(setmap_claim(rs, "p.837", x12_claim(p, 1), &s, &dl),
		     SCRUB_OK);
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	cr_assert_eq(dl.n, 1);
	diag_list_free(&dl);
	x12_free(p);
	rules_free(rs);
}

/* An 837I inpatient bill (TOB 111): type_of_bill has no "11". */
Test(setmap, unmapped_type_of_bill)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct diag_list dl = {0};
	enum claim_setting s;
	struct x12 *i = read_837("837i-sample.837", "***13:A:1", "***11:A:1");
	cr_assert_eq(setmap_claim(rs, "i.837", x12_claim(i, 0), &s, &dl),
		     SCRUB_EINPUT);
	cr_assert_eq(dl.n, 1);
	cr_assert_eq(dl.items[0].line, 20);
	cr_assert_eq(dl.items[0].column, 25);
	cr_assert_str_eq(dl.items[0].message,
			 "unmapped-setting: claim 'IC-2026-0307': no "
			 "setting_map type_of_bill row has '11' (837I "
			 "CLM05-1, date of service 2026-03-07)");
	diag_list_free(&dl);
	x12_free(i);
	rules_free(rs);
}

/* A dated row: the same claim is held before the row's first day and
 * mapped from it, by its own date of service. */
Test(setmap, claim_by_its_date)
{
	struct ruleset *early =
		st_rules_local_ok("setting_map:\n"
				  "  place_of_service:\n"
				  "    \"21\": {value: professional, "
				  "effective_from: 2026-03-01}\n");
	struct ruleset *late =
		st_rules_local_ok("setting_map:\n"
				  "  place_of_service:\n"
				  "    \"21\": {value: professional, "
				  "effective_from: 2026-03-03}\n");
	struct diag_list dl = {0};
	enum claim_setting s;
	/* PC-2026-0301's date of service is 2026-03-02 */
	struct x12 *p = read_837("837p-sample.837", "***11:B:1", "***21:B:1");
	cr_assert_eq(setmap_claim(early, "p.837", x12_claim(p, 0), &s, &dl),
		     SCRUB_OK);
	cr_assert_eq(s, SETTING_PROFESSIONAL);
	cr_assert_eq(setmap_claim(late, "p.837", x12_claim(p, 0), &s, &dl),
		     SCRUB_EINPUT);
	cr_assert_eq(dl.n, 1);
	diag_list_free(&dl);
	x12_free(p);
	rules_free(early);
	rules_free(late);
}

/* ---- the section's errors --------------------------------------------- */

struct bad_case {
	char text[120];
	unsigned line, column;
	char message[64]; /* the start of it */
};

ParameterizedTestParameters(setmap, section_errors)
{
	static struct bad_case cases[] = {
		{"setting_map:\n  pos: {}\n", 2, 3, "unknown key 'pos'"},
		{"setting_map:\n  place_of_service: [\"11\"]\n", 2, 21,
		 "'place_of_service' must be a mapping"},
		{"setting_map:\n  place_of_service:\n    \"111\": facility\n",
		 3, 5, "place_of_service: '111' is not 2 digits"},
		{"setting_map:\n  type_of_bill:\n    \"1A\": facility\n", 3, 5,
		 "type_of_bill: '1A' is not 2 digits"},
		{"setting_map:\n  type_of_bill:\n    \"13\": hospital\n", 3, 11,
		 "'setting' must be one of"},
		{"setting_map:\n  place_of_service:\n    \"11\":\n      value: "
		 "professional\n      effective_from: 2026-02-30\n",
		 5, 23, "'effective_from' must be a date"},
	};
	return cr_make_param_array(struct bad_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, setmap, section_errors)
{
	struct diag_list dl = {0};
	struct ruleset *rs = st_rules_local(c->text, &dl);
	cr_assert_null(rs);
	bool seen = false;
	for (size_t i = 0; i < dl.n && !seen; i++)
		seen = strcmp(dl.items[i].file, "90-local.yaml") == 0 &&
		       dl.items[i].line == c->line &&
		       dl.items[i].column == c->column &&
		       strncmp(dl.items[i].message, c->message,
			       strlen(c->message)) == 0;
	if (!seen)
		st_log_diags(&dl);
	cr_assert(seen, "%u:%u: %s", c->line, c->column, c->message);
	diag_list_free(&dl);
}

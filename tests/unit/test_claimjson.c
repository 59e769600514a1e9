/*
 * test_claimjson — the claim model back into a claim document
 * (scrubber/claimjson.h): YAML -> claim -> JSON -> claimdoc_parse gives the
 * same claim, field by field; the JSON is canonical (fixed key order,
 * defaults written, absent values left out) and a fixed point (writing the
 * re-read claim gives the same bytes); text that needs escaping survives.
 * The round trip is st_round_trip (tests/lib/scrubtest.c), which
 * test_claimyaml runs on its writer too.
 *
 * Criterion runs each parameterized case in a fresh process of this (PIE)
 * program, so parameter structs hold their text inline, never as pointers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "scrubber/claimdoc.h"
#include "scrubber/claimjson.h"
#include "tests/lib/scrubtest.h"

/* ---- round trips --------------------------------------------------------- */

struct trip_case {
	char name[32];
	char yaml[1024];
};

ParameterizedTestParameters(claimjson, round_trip)
{
	static struct trip_case cases[] = {
		{"full facility claim",
		 "claim: C-1001\npayer: medicare\nsetting: facility\n"
		 "provider: NPI-1234567890\ndate_of_service: 2026-03-14\n"
		 "lines:\n"
		 "  - {code: \"96365\", units: 1, modifiers: [XS]}\n"
		 "  - {code: \"96366\", units: 2, modifiers: [\"59\", XU, "
		 "\"25\", GA]}\n"
		 "  - {code: J3370}\n"
		 "administrations:\n"
		 "  - id: A1\n    substance: vancomycin\n"
		 "    kind: therapeutic\n    route: infusion\n"
		 "    site: R-forearm\n    start: 2026-03-14T10:00\n"
		 "    stop: 2026-03-14T11:00:30-05:00\n"
		 "    separate_site_required: true\n"
		 "  - id: A2\n    substance: ondansetron\n"
		 "    kind: chemotherapy\n    route: push\n"
		 "    start: \"2026-03-14T12:00Z\"\n"},
		{"minimal claim", "claim: X\nsetting: professional\n"},
		{"line service dates",
		 "claim: S-1\nsetting: facility\nlines:\n"
		 "  - {code: \"96365\", service_date: 2026-03-14}\n"
		 "  - {code: J3370, units: 2, service_date: \"2026-03-15\"}\n"
		 "  - {code: \"96366\"}\n"},
		{"empty lists", "claim: X\nsetting: facility\nlines: []\n"
				"administrations: []\n"},
		{"hydration without route",
		 "claim: H-1\nsetting: facility\nadministrations:\n"
		 "  - {id: H1, substance: normal saline, kind: hydration,\n"
		 "     start: 2026-03-14T09:00, stop: 2026-03-14T10:00}\n"},
		{"professional primary",
		 "claim: P-1\nsetting: professional\nadministrations:\n"
		 "  - {id: A1, substance: ceftriaxone, kind: therapeutic,\n"
		 "     route: injection, primary: true}\n"
		 "  - {id: A2, substance: insulin, kind: therapeutic,\n"
		 "     route: subcutaneous, primary: false}\n"},
		{"times kept as documented",
		 "claim: T-1\nsetting: facility\nadministrations:\n"
		 "  - {id: A1, substance: x, kind: therapeutic, route: "
		 "infusion,\n"
		 "     start: yesterday, stop: \"1030\"}\n"
		 "  - {id: A2, substance: y, kind: therapeutic, route: "
		 "infusion,\n"
		 "     start: 2026-02-29T10:00, stop: ~}\n"
		 "  - {id: A3, substance: z, kind: hydration, route: push}\n"},
		{"text that needs escaping",
		 "claim: 'Q \"1\" \\ #2'\nsetting: facility\n"
		 "payer: \"caf\\u00e9 \\u2014 \\U0001F489\"\n"
		 "administrations:\n"
		 "  - id: \"a: b\"\n    substance: \"{[,]} & *x !y |z\"\n"
		 "    kind: therapeutic\n    route: push\n"
		 "    site: \"'single' \\\\ back\"\n"},
	};
	return cr_make_param_array(struct trip_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct trip_case *tc, claimjson, round_trip)
{
	st_round_trip(tc->name, tc->yaml, claimjson_write, "out.json");
}

/* ---- the canonical form -------------------------------------------------- */

Test(claimjson, canonical_bytes)
{
	static const char yaml[] =
		"administrations:\n"
		"  - separate_site_required: false\n    primary: false\n"
		"    stop: 2026-03-14T10:20\n    start: 2026-03-14T10:00\n"
		"    kind: hydration\n    substance: saline\n    id: H1\n"
		"lines:\n  - {units: +002, code: \"96361\"}\n"
		"date_of_service: 2026-03-14\nprovider: N\nsetting: facility\n"
		"payer: p\nclaim: K\n";
	static const char want[] =
		"{\"claim\":\"K\",\"payer\":\"p\",\"setting\":\"facility\","
		"\"provider\":\"N\",\"date_of_service\":\"2026-03-14\","
		"\"lines\":[{\"code\":\"96361\",\"units\":2,\"modifiers\":[]}],"
		"\"administrations\":[{\"id\":\"H1\",\"substance\":\"saline\","
		"\"kind\":\"hydration\",\"route\":\"infusion\","
		"\"start\":\"2026-03-14T10:00\",\"stop\":\"2026-03-14T10:20\"}]"
		"}";
	struct claimdoc *cd;
	struct strbuf json = STRBUF_INIT;
	claimjson_write(st_parse_one("in.yaml", yaml, &cd), &json);
	cr_assert_str_eq(strbuf_str(&json), want);
	strbuf_free(&json);
	claimdoc_free(cd);
}

Test(claimjson, appends_to_the_buffer)
{
	struct claimdoc *cd;
	struct strbuf json = STRBUF_INIT;
	strbuf_puts(&json, "x=");
	claimjson_write(
		st_parse_one("in.yaml", "claim: A\nsetting: facility\n", &cd),
		&json);
	cr_assert_str_eq(strbuf_str(&json),
			 "x={\"claim\":\"A\",\"setting\":\"facility\","
			 "\"lines\":[],\"administrations\":[]}");
	strbuf_free(&json);
	claimdoc_free(cd);
}

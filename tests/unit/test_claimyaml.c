/*
 * test_claimyaml — the claim model back into a YAML claim document
 * (scrubber/claimyaml.h): document -> claim -> YAML -> claimdoc_parse gives
 * the same claim, hostile text included (quotes, colons, '#', a leading '-',
 * `yes`/`no`/`null`/`~`, numbers, dates and times as strings, line
 * separators and byte order marks that only a JSON escape can bring in);
 * the YAML is canonical (fixed key order, every string quoted) and a fixed
 * point; claimyaml_str escapes exactly what libyaml cannot read back raw.
 *
 * "The same claim" is compared field by field, and the round trip is the
 * one test_claimjson runs on its writer (st_round_trip,
 * tests/lib/scrubtest.c).
 *
 * Criterion runs each parameterized case in a fresh process of this (PIE)
 * program, so parameter structs hold their text inline, never as pointers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "scrubber/claimdoc.h"
#include "scrubber/claimyaml.h"
#include "scrubber/ynode.h"
#include "tests/lib/scrubtest.h"

/* ---- round trips --------------------------------------------------------- */

struct trip_case {
	char name[40];
	char doc[1536];
};

ParameterizedTestParameters(claimyaml, round_trip)
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
		 "    start: \"2026-03-14T12:00Z\"\n    primary: true\n"},
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
		{"times kept as documented",
		 "claim: T-1\nsetting: facility\nadministrations:\n"
		 "  - {id: A1, substance: x, kind: therapeutic, route: "
		 "infusion,\n"
		 "     start: yesterday, stop: \"1030\"}\n"
		 "  - {id: A2, substance: y, kind: therapeutic, route: "
		 "infusion,\n"
		 "     start: '12:30', stop: ~}\n"
		 "  - {id: A3, substance: z, kind: therapeutic, route: push,\n"
		 "     start: 'no', stop: '2026-03-14'}\n"},
		{"YAML words and numbers as strings",
		 "claim: 'yes'\npayer: 'null'\nsetting: facility\n"
		 "provider: '~'\nlines:\n"
		 "  - {code: \"1E100\", modifiers: [\"NO\", \"ON\", \"59\"]}\n"
		 "  - {code: \"00010\", units: 999, modifiers: [\"0X\"]}\n"
		 "administrations:\n"
		 "  - {id: 'no', substance: 'true', kind: therapeutic,\n"
		 "     route: push, site: '0x1F'}\n"
		 "  - {id: '1.5e3', substance: '.inf', kind: therapeutic,\n"
		 "     route: push, site: '-1'}\n"
		 "  - {id: 'Off', substance: '0o17', kind: therapeutic,\n"
		 "     route: push, site: '<<'}\n"},
		{"structure characters",
		 "claim: 'Q \"1\" \\ #2'\nsetting: facility\n"
		 "payer: '- leading dash'\nprovider: 'a: b # c'\n"
		 "administrations:\n"
		 "  - id: \"a: b\"\n    substance: \"{[,]} & *x !y |z >w\"\n"
		 "    kind: therapeutic\n    route: push\n"
		 "    site: \"'single' \\\\ back\"\n"
		 "  - id: '--- '\n    substance: '...'\n"
		 "    kind: therapeutic\n    route: push\n"
		 "    site: ' spaced  '\n"
		 "  - id: '%TAG'\n    substance: '@at `tick` ?q'\n"
		 "    kind: therapeutic\n    route: push\n"
		 "    site: '#'\n"},
		{"unicode",
		 "claim: \"caf\\u00e9 \\u2014 \\U0001F489\"\nsetting: "
		 "facility\n"
		 "payer: \"\\u00a0nbsp\\u00a0\"\n"
		 "administrations:\n"
		 "  - id: \"\\u65e5\\u672c\"\n    substance: \"na\\u00efve\"\n"
		 "    kind: therapeutic\n    route: push\n"},
		{"line breaks and marks from JSON escapes",
		 "{\"claim\": \"a\\u2028b\\u2029c\", \"setting\": "
		 "\"facility\",\n"
		 " \"payer\": \"\\u0085nel\", \"provider\": \"\\ufeffbom\",\n"
		 " \"administrations\": [{\"id\": \"\\u0080\\u009f\",\n"
		 "   \"substance\": \"\\ufffe\\uffff\", \"kind\": "
		 "\"therapeutic\",\n"
		 "   \"route\": \"push\", \"site\": \"\\\"\\\\\"}]}\n"},
	};
	return cr_make_param_array(struct trip_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct trip_case *tc, claimyaml, round_trip)
{
	st_round_trip(tc->name, tc->doc, claimyaml_write, "out.yaml");
}

/* Documents written one after another, separated by `---` as
 * `claimscrub fix` does, read back as as many claims. */
Test(claimyaml, several_documents)
{
	static const char *const docs[] = {
		"claim: A\nsetting: facility\n",
		"claim: '---'\nsetting: professional\nlines: [{code: J0696}]\n",
		"claim: '...'\nsetting: facility\n",
	};
	struct strbuf out = STRBUF_INIT;
	struct claimdoc *cd[3], *all;
	for (size_t i = 0; i < 3; i++) {
		strbuf_puts(&out, i ? "---\n" : "");
		claimyaml_write(st_parse_one("in.yaml", docs[i], &cd[i]), &out);
	}
	struct diag_list dl = {0};
	cr_assert_eq(claimdoc_parse("all.yaml", strbuf_str(&out), out.len, &all,
				    &dl),
		     SCRUB_OK, "%s", strbuf_str(&out));
	cr_assert_eq(claimdoc_count(all), 3);
	for (size_t i = 0; i < 3; i++) {
		st_assert_same_claim(claimdoc_claim(cd[i], 0),
				     claimdoc_claim(all, i));
		claimdoc_free(cd[i]);
	}
	claimdoc_free(all);
	strbuf_free(&out);
}

/* ---- the canonical form -------------------------------------------------- */

Test(claimyaml, canonical_bytes)
{
	static const char doc[] =
		"administrations:\n"
		"  - separate_site_required: true\n    primary: false\n"
		"    stop: 2026-03-14T10:20\n    start: 2026-03-14T10:00\n"
		"    kind: hydration\n    substance: saline\n    id: H1\n"
		"  - {id: A2, kind: therapeutic, route: push, substance: "
		"\"no\", primary: true, site: R-hand}\n"
		"lines:\n  - {units: +002, code: \"96361\"}\n"
		"  - {modifiers: [XS, \"59\"], code: J3370}\n"
		"date_of_service: 2026-03-14\nprovider: N\nsetting: facility\n"
		"payer: p\nclaim: K\n";
	static const char want[] = "claim: \"K\"\n"
				   "payer: \"p\"\n"
				   "setting: facility\n"
				   "provider: \"N\"\n"
				   "date_of_service: \"2026-03-14\"\n"
				   "lines:\n"
				   "  - code: \"96361\"\n"
				   "    units: 2\n"
				   "    modifiers: []\n"
				   "  - code: \"J3370\"\n"
				   "    units: 1\n"
				   "    modifiers: [\"XS\", \"59\"]\n"
				   "administrations:\n"
				   "  - id: \"H1\"\n"
				   "    substance: \"saline\"\n"
				   "    kind: hydration\n"
				   "    route: infusion\n"
				   "    start: \"2026-03-14T10:00\"\n"
				   "    stop: \"2026-03-14T10:20\"\n"
				   "    separate_site_required: true\n"
				   "  - id: \"A2\"\n"
				   "    substance: \"no\"\n"
				   "    kind: therapeutic\n"
				   "    route: push\n"
				   "    site: \"R-hand\"\n"
				   "    primary: true\n";
	struct claimdoc *cd;
	struct strbuf yaml = STRBUF_INIT;
	claimyaml_write(st_parse_one("in.yaml", doc, &cd), &yaml);
	cr_assert_str_eq(strbuf_str(&yaml), want);
	strbuf_free(&yaml);
	claimdoc_free(cd);
}

Test(claimyaml, empty_lists_and_appending)
{
	struct claimdoc *cd;
	struct strbuf yaml = STRBUF_INIT;
	strbuf_puts(&yaml, "# head\n");
	claimyaml_write(
		st_parse_one("in.yaml", "claim: A\nsetting: facility\n", &cd),
		&yaml);
	cr_assert_str_eq(strbuf_str(&yaml), "# head\nclaim: \"A\"\n"
					    "setting: facility\n"
					    "lines: []\nadministrations: []\n");
	strbuf_free(&yaml);
	claimdoc_free(cd);
}

/* ---- quoting ------------------------------------------------------------- */

struct str_case {
	char in[32];
	char want[64];
};

ParameterizedTestParameters(claimyaml, str_escapes)
{
	static struct str_case cases[] = {
		{"plain", "\"plain\""},
		{"", "\"\""},
		{"say \"hi\"", "\"say \\\"hi\\\"\""},
		{"back\\slash", "\"back\\\\slash\""},
		{"a: b #c", "\"a: b #c\""},
		{"tab\tnl\ncr\r", "\"tab\\x09nl\\x0Acr\\x0D\""},
		{"\x01\x1f\x7f", "\"\\x01\\x1F\\x7F\""},
		{"caf\xc3\xa9 \xe2\x80\x94", "\"caf\xc3\xa9 \xe2\x80\x94\""},
		{"\xf0\x9f\x92\x89", "\"\xf0\x9f\x92\x89\""},
		{"\xc2\x80\xc2\x85\xc2\x9f\xc2\xa0",
		 "\"\\x80\\x85\\x9F\xc2\xa0\""},
		{"\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\""},
		{"\xef\xbb\xbf\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd",
		 "\"\\uFEFF\\uFFFE\\uFFFF\xef\xbf\xbd\""},
		/* invalid UTF-8: a stray byte, an overlong '/', a surrogate,
		 * past U+10FFFF, a cut sequence */
		{"\xff", "\"\\uFFFD\""},
		{"\xc0\xaf", "\"\\uFFFD\\uFFFD\""},
		{"\xed\xa0\x80", "\"\\uFFFD\\uFFFD\\uFFFD\""},
		{"\xf4\x90\x80\x80", "\"\\uFFFD\\uFFFD\\uFFFD\\uFFFD\""},
		{"x\xe2\x80", "\"x\\uFFFD\\uFFFD\""},
	};
	return cr_make_param_array(struct str_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct str_case *tc, claimyaml, str_escapes)
{
	struct strbuf sb = STRBUF_INIT;
	claimyaml_str(&sb, tc->in);
	cr_assert_str_eq(strbuf_str(&sb), tc->want);
	strbuf_free(&sb);
}

/* Encodes cp (not a surrogate) as UTF-8 into u; returns its length. */
static size_t
utf8_encode(long cp, char u[4])
{
	static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
	size_t n = 4;
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800)
		n = 2;
	else if (cp < 0x10000)
		n = 3;
	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		u[i] = (char)(0x80 | (cp & 0x3F));
	u[0] = (char)(lead[n] | cp);
	return n;
}

/* Every character from U+0001 to U+10FFFF but the surrogates, written as a
 * double-quoted scalar and read back by libyaml (through ynode), is itself. */
Test(claimyaml, every_code_point_reads_back)
{
	struct strbuf in = STRBUF_INIT, doc = STRBUF_INIT;
	for (long cp = 1; cp <= 0x10FFFF; cp++) {
		char u[4];
		if (cp < 0xD800 || cp > 0xDFFF)
			strbuf_append(&in, u, utf8_encode(cp, u));
	}
	strbuf_lit(&doc, "k: ");
	claimyaml_str(&doc, strbuf_str(&in));
	strbuf_putc(&doc, '\n');
	cr_assert_not(in.failed || doc.failed);

	struct arena *a = arena_new();
	struct ynode **docs;
	size_t ndocs;
	struct diag_list dl = {0};
	enum scrub_err err = ynode_parse(a, "k.yaml", strbuf_str(&doc), doc.len,
					 &docs, &ndocs, &dl);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%u:%u: %s", dl.items[i].line, dl.items[i].column,
			     dl.items[i].message);
	cr_assert_eq(err, SCRUB_OK);
	cr_assert_eq(ndocs, 1);
	const struct ynode *v = ymap_get(docs[0], "k");
	cr_assert_not_null(v);
	cr_assert_eq(v->len, in.len);
	cr_assert(memcmp(v->str, strbuf_str(&in), in.len) == 0);
	diag_list_free(&dl);
	arena_free(a);
	strbuf_free(&in);
	strbuf_free(&doc);
}

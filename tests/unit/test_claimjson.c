/*
 * test_claimjson — the claim model back into a claim document
 * (scrubber/claimjson.h): YAML -> claim -> JSON -> claimdoc_parse gives the
 * same claim, field by field; the JSON is canonical (fixed key order,
 * defaults written, absent values left out) and a fixed point (writing the
 * re-read claim gives the same bytes); text that needs escaping survives.
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

/* A well-formed single claim; fails the test otherwise. */
static const struct claim *
parse_one(const char *file, const char *buf, struct claimdoc **cd)
{
	struct diag_list dl = {0};
	enum scrub_err err = claimdoc_parse(file, buf, strlen(buf), cd, &dl);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%s:%u:%u: %s", file, dl.items[i].line,
			     dl.items[i].column, dl.items[i].message);
	cr_assert_eq(err, SCRUB_OK, "%s: not read", file);
	diag_list_free(&dl);
	cr_assert_eq(claimdoc_count(*cd), 1);
	const struct claim *c = claimdoc_claim(*cd, 0);
	cr_assert_not_null(c);
	return c;
}

/* Both strings NULL, or both equal. */
static void
assert_opt_str(const char *a, const char *b, const char *what)
{
	if (!a || !b) {
		cr_assert_eq(a, b, "%s: '%s' against '%s'", what,
			     a ? a : "NULL", b ? b : "NULL");
		return;
	}
	cr_assert_str_eq(a, b, "%s", what);
}

static void
assert_same_time(const struct claim_time *a, const struct claim_time *b,
		 const char *what)
{
	cr_assert_eq(a->state, b->state, "%s: state", what);
	assert_opt_str(a->text, b->text, what);
	if (a->state != TIME_OK)
		return;
	cr_assert_eq(a->t.wall, b->t.wall, "%s: wall", what);
	cr_assert_eq(a->t.has_offset, b->t.has_offset, "%s: offset", what);
	cr_assert_eq(a->t.offset, b->t.offset, "%s: offset", what);
}

static void
assert_same_line(const struct claim_line *a, const struct claim_line *b)
{
	cr_assert_str_eq(a->code, b->code);
	cr_assert_eq(a->units, b->units, "%s: units", a->code);
	cr_assert_eq(a->nmodifiers, b->nmodifiers, "%s: modifiers", a->code);
	for (int m = 0; m < a->nmodifiers; m++)
		cr_assert_str_eq(a->modifiers[m], b->modifiers[m]);
}

static void
assert_same_admin(const struct administration *a,
		  const struct administration *b)
{
	cr_assert_str_eq(a->id, b->id);
	cr_assert_str_eq(a->substance, b->substance, "%s: substance", a->id);
	cr_assert_str_eq(a->site, b->site, "%s: site", a->id);
	cr_assert_eq(a->kind, b->kind, "%s: kind", a->id);
	cr_assert_eq(a->route, b->route, "%s: route", a->id);
	assert_same_time(&a->start, &b->start, "start");
	assert_same_time(&a->stop, &b->stop, "stop");
	cr_assert_eq(a->primary, b->primary, "%s: primary", a->id);
	cr_assert_eq(a->separate_site_required, b->separate_site_required,
		     "%s: separate_site_required", a->id);
}

static void
assert_same_claim(const struct claim *a, const struct claim *b)
{
	cr_assert_str_eq(a->ref, b->ref);
	assert_opt_str(a->payer, b->payer, "payer");
	assert_opt_str(a->provider, b->provider, "provider");
	cr_assert_eq(a->setting, b->setting);
	cr_assert_eq(a->has_date_of_service, b->has_date_of_service);
	if (a->has_date_of_service)
		cr_assert_eq(a->date_of_service, b->date_of_service);
	cr_assert_eq(a->nlines, b->nlines);
	for (size_t i = 0; i < a->nlines; i++)
		assert_same_line(&a->lines[i], &b->lines[i]);
	cr_assert_eq(a->nadmins, b->nadmins);
	for (size_t i = 0; i < a->nadmins; i++)
		assert_same_admin(&a->admins[i], &b->admins[i]);
}

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
	struct claimdoc *from_yaml, *from_json, *again;
	struct strbuf json = STRBUF_INIT, json2 = STRBUF_INIT;
	const struct claim *a = parse_one("in.yaml", tc->yaml, &from_yaml);

	claimjson_write(a, &json);
	cr_assert_not(json.failed);
	cr_log_info("%s: %s", tc->name, strbuf_str(&json));
	const struct claim *b =
		parse_one("out.json", strbuf_str(&json), &from_json);
	assert_same_claim(a, b);

	/* a fixed point: the re-read claim writes the same bytes */
	claimjson_write(b, &json2);
	cr_assert_str_eq(strbuf_str(&json2), strbuf_str(&json), "%s", tc->name);
	const struct claim *c =
		parse_one("again.json", strbuf_str(&json2), &again);
	assert_same_claim(a, c);

	strbuf_free(&json);
	strbuf_free(&json2);
	claimdoc_free(from_yaml);
	claimdoc_free(from_json);
	claimdoc_free(again);
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
	claimjson_write(parse_one("in.yaml", yaml, &cd), &json);
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
		parse_one("in.yaml", "claim: A\nsetting: facility\n", &cd),
		&json);
	cr_assert_str_eq(strbuf_str(&json),
			 "x={\"claim\":\"A\",\"setting\":\"facility\","
			 "\"lines\":[],\"administrations\":[]}");
	strbuf_free(&json);
	claimdoc_free(cd);
}

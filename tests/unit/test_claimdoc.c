/*
 * test_claimdoc — claim documents into the claim model (scrubber/claimdoc.h):
 * every field and default, JSON as YAML's flow style, times kept as
 * documentation (never an input error), the bounds that keep a hostile
 * document cheap, and located diagnostics that leave the other documents of
 * a stream readable.
 *
 * Criterion runs each parameterized case in a fresh process of this (PIE)
 * program, so parameter structs hold their text inline, never as pointers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/claimdoc.h"
#include "scrubber/isotime.h"

#define FILE_NAME "claims.yaml"
#define D_2026_03_14 20526

static struct claimdoc *
parse_len(const char *buf, size_t len, struct diag_list *dl,
	  enum scrub_err *err)
{
	struct claimdoc *cd = NULL;
	*err = claimdoc_parse(FILE_NAME, buf, len, &cd, dl);
	cr_assert_neq(*err, SCRUB_ENOMEM);
	cr_assert_not_null(
		cd, "claimdoc_parse returns the documents even on errors");
	return cd;
}

static struct claimdoc *
parse(const char *buf, struct diag_list *dl, enum scrub_err *err)
{
	return parse_len(buf, strlen(buf), dl, err);
}

/* A well-formed single claim; fails the test otherwise. */
static const struct claim *
parse_one(const char *buf, struct claimdoc **cd)
{
	struct diag_list dl = {0};
	enum scrub_err err;
	*cd = parse(buf, &dl, &err);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%u:%u: %s", dl.items[i].line, dl.items[i].column,
			     dl.items[i].message);
	cr_assert_eq(err, SCRUB_OK);
	cr_assert_eq(dl.n, 0);
	diag_list_free(&dl);
	cr_assert_eq(claimdoc_count(*cd), 1);
	const struct claim *c = claimdoc_claim(*cd, 0);
	cr_assert_not_null(c);
	return c;
}

/* Every diagnostic names the file and a 1-based position. */
static void
assert_located(const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];
		cr_assert_str_eq(d->file, FILE_NAME, "diagnostic %zu: file", i);
		cr_assert_geq(d->line, 1, "diagnostic %zu (%s): line", i,
			      d->message);
		cr_assert_geq(d->column, 1, "diagnostic %zu (%s): column", i,
			      d->message);
	}
}

/* ---- the model ----------------------------------------------------------- */

static const char full_doc[] = "claim: C-0001\n"
			       "payer: medicare\n"
			       "setting: professional\n"
			       "provider: NPI-1234567893\n"
			       "date_of_service: 2026-03-14\n"
			       "lines:\n"
			       "  - code: \"96365\"\n"
			       "    units: 3\n"
			       "    modifiers: [\"59\", XS]\n"
			       "  - code: J3370\n"
			       "administrations:\n"
			       "  - id: A1\n"
			       "    substance: vancomycin\n"
			       "    kind: therapeutic\n"
			       "    route: infusion\n"
			       "    site: R-forearm\n"
			       "    start: 2026-03-14T10:00\n"
			       "    stop: 2026-03-14T11:00:30-05:00\n"
			       "    primary: true\n"
			       "    separate_site_required: true\n"
			       "  - id: A2\n"
			       "    substance: normal saline\n"
			       "    kind: hydration\n"
			       "    start: 2026-03-14T09:00\n";

Test(claimdoc, full_document)
{
	struct claimdoc *cd;
	const struct claim *c = parse_one(full_doc, &cd);

	cr_assert_str_eq(c->ref, "C-0001");
	cr_assert_str_eq(c->payer, "medicare");
	cr_assert_str_eq(c->provider, "NPI-1234567893");
	cr_assert_eq(c->setting, SETTING_PROFESSIONAL);
	cr_assert(c->has_date_of_service);
	cr_assert_eq(c->date_of_service, D_2026_03_14);

	cr_assert_eq(c->nlines, 2);
	cr_assert_str_eq(c->lines[0].code, "96365");
	cr_assert_eq(c->lines[0].units, 3);
	cr_assert_eq(c->lines[0].nmodifiers, 2);
	cr_assert_str_eq(c->lines[0].modifiers[0], "59");
	cr_assert_str_eq(c->lines[0].modifiers[1], "XS");
	cr_assert(claim_line_has_modifier(&c->lines[0], "XS"));
	cr_assert_not(claim_line_has_modifier(&c->lines[0], "XU"));
	cr_assert_str_eq(c->lines[1].code, "J3370");
	cr_assert_eq(c->lines[1].units, 1, "units default to 1");
	cr_assert_eq(c->lines[1].nmodifiers, 0, "no modifiers by default");
	cr_assert_null(c->lines[1].modifiers[0]);

	cr_assert_eq(c->nadmins, 2);
	const struct administration *a = &c->admins[0];
	cr_assert_str_eq(a->id, "A1");
	cr_assert_str_eq(a->substance, "vancomycin");
	cr_assert_eq(a->kind, KIND_THERAPEUTIC);
	cr_assert_eq(a->route, ROUTE_INFUSION);
	cr_assert_str_eq(a->site, "R-forearm");
	cr_assert_eq(a->start.state, TIME_OK);
	cr_assert_str_eq(a->start.text, "2026-03-14T10:00");
	cr_assert_eq(a->start.t.wall, D_2026_03_14 * 86400LL + 36000);
	cr_assert_not(a->start.t.has_offset);
	cr_assert_eq(a->stop.state, TIME_OK);
	cr_assert_eq(a->stop.t.wall, D_2026_03_14 * 86400LL + 39630);
	cr_assert(a->stop.t.has_offset);
	cr_assert_eq(a->stop.t.offset, -300);
	cr_assert(a->primary);
	cr_assert(a->separate_site_required);

	const struct administration *h = &c->admins[1];
	cr_assert_str_eq(h->id, "A2");
	cr_assert_eq(h->kind, KIND_HYDRATION);
	cr_assert_str_eq(h->site, "", "site defaults to \"\"");
	cr_assert_eq(h->stop.state, TIME_ABSENT);
	cr_assert_null(h->stop.text);
	cr_assert_not(h->primary);
	cr_assert_not(h->separate_site_required);

	cr_assert_not_null(claimdoc_node(cd, 0));
	cr_assert_eq(claimdoc_node(cd, 0)->type, YNODE_MAP);
	cr_assert_null(claimdoc_claim(cd, 1), "no second document");
	cr_assert_null(claimdoc_node(cd, 1));
	claimdoc_free(cd);
}

Test(claimdoc, minimal_document_defaults)
{
	struct claimdoc *cd;
	const struct claim *c = parse_one("claim: X\nsetting: facility\n", &cd);
	cr_assert_str_eq(c->ref, "X");
	cr_assert_eq(c->setting, SETTING_FACILITY);
	cr_assert_null(c->payer);
	cr_assert_null(c->provider);
	cr_assert_not(c->has_date_of_service);
	cr_assert_eq(c->nlines, 0);
	cr_assert_eq(c->nadmins, 0);
	claimdoc_free(cd);
}

Test(claimdoc, json_input)
{
	static const char json[] =
		"{\"claim\": \"J-1\", \"setting\": \"facility\", \"payer\": "
		"\"medicare\",\n"
		" \"lines\": [{\"code\": \"96365\", \"units\": 2, "
		"\"modifiers\": [\"XS\"]}],\n"
		" \"administrations\": [{\"id\": \"A1\", \"substance\": "
		"\"cefepime\",\n"
		"   \"kind\": \"therapeutic\", \"route\": \"push\", "
		"\"primary\": true,\n"
		"   \"start\": \"2026-03-14T10:00Z\", \"stop\": null}]}\n";
	struct claimdoc *cd;
	const struct claim *c = parse_one(json, &cd);
	cr_assert_str_eq(c->ref, "J-1");
	cr_assert_str_eq(c->payer, "medicare");
	cr_assert_eq(c->nlines, 1);
	cr_assert_str_eq(c->lines[0].code, "96365");
	cr_assert_eq(c->lines[0].units, 2);
	cr_assert_str_eq(c->lines[0].modifiers[0], "XS");
	cr_assert_eq(c->nadmins, 1);
	cr_assert_eq(c->admins[0].route, ROUTE_PUSH);
	cr_assert(c->admins[0].primary);
	cr_assert_eq(c->admins[0].start.state, TIME_OK);
	cr_assert(c->admins[0].start.t.has_offset);
	cr_assert_eq(c->admins[0].stop.state, TIME_ABSENT);
	claimdoc_free(cd);
}

Test(claimdoc, json_stream_of_several_claims)
{
	static const char json[] =
		"{\"claim\": \"J-1\", \"setting\": \"facility\"}\n"
		"---\n"
		"{\"claim\": \"J-2\", \"setting\": \"professional\"}\n";
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse(json, &dl, &err);
	cr_assert_eq(err, SCRUB_OK);
	cr_assert_eq(claimdoc_count(cd), 2);
	cr_assert_str_eq(claimdoc_claim(cd, 0)->ref, "J-1");
	cr_assert_str_eq(claimdoc_claim(cd, 1)->ref, "J-2");
	cr_assert_eq(claimdoc_claim(cd, 1)->setting, SETTING_PROFESSIONAL);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

/* ---- times are documentation, never input errors ------------------------- */

struct time_case {
	char value[40]; /* as written after "start: " */
	enum time_state state;
	char text[40]; /* the text kept ("" when absent) */
};

ParameterizedTestParameters(claimdoc, time_states)
{
	static struct time_case cases[] = {
		{"2026-03-14T10:00", TIME_OK, "2026-03-14T10:00"},
		{"2026-03-14T10:00:59+01:00", TIME_OK,
		 "2026-03-14T10:00:59+01:00"},
		{"\"2026-03-14T10:00Z\"", TIME_OK, "2026-03-14T10:00Z"},
		{"", TIME_ABSENT, ""},
		{"~", TIME_ABSENT, ""},
		{"null", TIME_ABSENT, ""},
		{"\"10:00\"", TIME_BAD, "10:00"},
		{"2026-03-14T24:00", TIME_BAD, "2026-03-14T24:00"},
		{"2026-02-29T10:00", TIME_BAD, "2026-02-29T10:00"},
		{"2026-03-14", TIME_BAD, "2026-03-14"},
		{"yesterday", TIME_BAD, "yesterday"},
		{"1030", TIME_BAD, "1030"},
		{"2026-3-14T10:00", TIME_BAD, "2026-3-14T10:00"},
	};
	return cr_make_param_array(struct time_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct time_case *tc, claimdoc, time_states)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
		 "claim: T\nsetting: facility\nadministrations:\n"
		 "  - id: A1\n    substance: x\n    kind: therapeutic\n"
		 "    route: infusion\n    start: %s\n    stop: %s\n",
		 tc->value, tc->value);
	struct claimdoc *cd;
	const struct claim *c = parse_one(doc, &cd);
	const struct administration *a = &c->admins[0];
	cr_assert_eq(a->start.state, tc->state,
		     "start '%s': state %d, expected %d", tc->value,
		     a->start.state, tc->state);
	cr_assert_eq(a->stop.state, tc->state, "stop '%s'", tc->value);
	if (tc->state == TIME_ABSENT)
		cr_assert_null(a->start.text);
	else
		cr_assert_str_eq(a->start.text, tc->text);
	claimdoc_free(cd);
}

/* ---- route --------------------------------------------------------------- */

Test(claimdoc, route_is_optional_for_hydration_only)
{
	static const char doc[] = "claim: R\n"
				  "setting: facility\n"
				  "administrations:\n"
				  "  - id: H1\n"
				  "    substance: saline\n"
				  "    kind: hydration\n"
				  "  - id: A1\n"
				  "    substance: ondansetron\n"
				  "    kind: therapeutic\n";
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse(doc, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT);
	cr_assert_null(claimdoc_claim(cd, 0));
	cr_assert_eq(dl.n, 1,
		     "only the therapeutic administration lacks a route");
	cr_assert_eq(dl.items[0].line, 7);
	cr_assert_eq(dl.items[0].column, 5);
	cr_assert_not_null(strstr(dl.items[0].message, "'route'"), "%s",
			   dl.items[0].message);
	assert_located(&dl);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

Test(claimdoc, hydration_without_route_is_well_formed)
{
	struct claimdoc *cd;
	const struct claim *c =
		parse_one("claim: R\nsetting: facility\n"
			  "administrations:\n  - id: H1\n"
			  "    substance: saline\n    kind: hydration\n",
			  &cd);
	cr_assert_eq(c->nadmins, 1);
	cr_assert_eq(c->admins[0].kind, KIND_HYDRATION);
	claimdoc_free(cd);
}

/* ---- document errors ----------------------------------------------------- */

Test(claimdoc, duplicate_administration_id)
{
	static const char doc[] = "claim: D\n"
				  "setting: facility\n"
				  "administrations:\n"
				  "  - id: A1\n"
				  "    substance: x\n"
				  "    kind: hydration\n"
				  "  - id: A2\n"
				  "    substance: y\n"
				  "    kind: hydration\n"
				  "  - substance: z\n"
				  "    kind: hydration\n"
				  "    id: A1\n";
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse(doc, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT);
	cr_assert_null(claimdoc_claim(cd, 0));
	cr_assert_eq(dl.n, 1);
	cr_assert_eq(dl.items[0].line, 12, "reported at the second use");
	cr_assert_eq(dl.items[0].column, 9);
	cr_assert_not_null(strstr(dl.items[0].message, "'A1'"), "%s",
			   dl.items[0].message);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

/* A claim with n lines "  - {code: \"96365\"}" (malloc'd). */
static char *
claim_with_lines(size_t n)
{
	static const char head[] = "claim: L\nsetting: facility\nlines:\n";
	static const char row[] = "  - {code: \"96365\"}\n";
	size_t len = sizeof(head) - 1 + n * (sizeof(row) - 1);
	char *s = malloc(len + 1);
	cr_assert_not_null(s);
	memcpy(s, head, sizeof(head) - 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + sizeof(head) - 1 + i * (sizeof(row) - 1), row,
		       sizeof(row) - 1);
	s[len] = '\0';
	return s;
}

Test(claimdoc, ten_thousand_lines_are_the_limit)
{
	struct diag_list dl = {0};
	enum scrub_err err;
	char *s = claim_with_lines(10000);
	struct claimdoc *cd = parse(s, &dl, &err);
	cr_assert_eq(err, SCRUB_OK, "10,000 lines are read");
	cr_assert_eq(claimdoc_claim(cd, 0)->nlines, 10000);
	claimdoc_free(cd);
	free(s);

	s = claim_with_lines(10001);
	cd = parse(s, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT, "10,001 lines are refused");
	cr_assert_null(claimdoc_claim(cd, 0));
	cr_assert_eq(dl.n, 1);
	cr_assert_eq(dl.items[0].line, 4, "at the lines sequence");
	cr_assert_eq(dl.items[0].column, 3);
	cr_assert_not_null(strstr(dl.items[0].message, "10000"), "%s",
			   dl.items[0].message);
	claimdoc_free(cd);
	free(s);
	diag_list_free(&dl);
}

Test(claimdoc, ten_megabyte_string_is_a_located_error)
{
	static const char head[] = "claim: S\n"
				   "setting: facility\n"
				   "administrations:\n"
				   "  - id: A1\n"
				   "    substance: \"";
	static const char tail[] = "\"\n    kind: hydration\n";
	size_t big = (size_t)10 << 20;
	size_t len = sizeof(head) - 1 + big + sizeof(tail) - 1;
	char *s = malloc(len + 1);
	cr_assert_not_null(s);
	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, 'x', big);
	memcpy(s + sizeof(head) - 1 + big, tail, sizeof(tail));

	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse_len(s, len, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT);
	cr_assert_null(claimdoc_claim(cd, 0));
	cr_assert_eq(dl.n, 1);
	cr_assert_str_eq(dl.items[0].file, FILE_NAME);
	cr_assert_eq(dl.items[0].line, 5);
	cr_assert_eq(dl.items[0].column, 16);
	cr_assert_not_null(strstr(dl.items[0].message, "too long"), "%s",
			   dl.items[0].message);
	claimdoc_free(cd);
	diag_list_free(&dl);
	free(s);
}

Test(claimdoc, binary_bytes_are_an_error_not_a_crash)
{
	static const char buf[] =
		"claim: B\nsetting: facility\npayer: ab\x00\xff\xfe\n";
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse_len(buf, sizeof(buf) - 1, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT);
	cr_assert_null(claimdoc_claim(cd, 0));
	cr_assert_geq(dl.n, 1);
	cr_assert_eq(dl.items[0].line, 3);
	cr_assert_eq(dl.items[0].column, 10, "at the NUL");
	assert_located(&dl);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

Test(claimdoc, invalid_utf8_is_an_error_not_a_crash)
{
	static const char buf[] = "claim: B\nsetting: \xff\xfe\xfd\n";
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse_len(buf, sizeof(buf) - 1, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT);
	cr_assert_null(claimdoc_claim(cd, 0));
	cr_assert_geq(dl.n, 1);
	cr_assert_eq(dl.items[0].line, 2);
	assert_located(&dl);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

Test(claimdoc, bad_middle_document_leaves_the_others_readable)
{
	static const char buf[] =
		"claim: M-1\nsetting: facility\n"
		"---\n"
		"claim: M-2\nsetting: facility\nsevrity: high\n"
		"---\n"
		"claim: M-3\nsetting: professional\n";
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse(buf, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT);
	cr_assert_eq(claimdoc_count(cd), 3);
	cr_assert_str_eq(claimdoc_claim(cd, 0)->ref, "M-1");
	cr_assert_null(claimdoc_claim(cd, 1));
	cr_assert_not_null(claimdoc_node(cd, 1),
			   "the bad document's tree is kept");
	cr_assert_str_eq(claimdoc_claim(cd, 2)->ref, "M-3");
	cr_assert_eq(dl.n, 1);
	cr_assert_eq(dl.items[0].doc, 1, "the diagnostic names its document");
	cr_assert_eq(dl.items[0].line, 6);
	cr_assert_eq(dl.items[0].column, 1);
	cr_assert_not_null(strstr(dl.items[0].message, "'sevrity'"), "%s",
			   dl.items[0].message);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

Test(claimdoc, syntax_error_keeps_earlier_documents)
{
	static const char buf[] = "claim: S-1\nsetting: facility\n"
				  "---\n"
				  "claim: S-2\nsetting: facility\n"
				  "---\n"
				  "claim: \"S-3\nsetting: facility\n";
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse(buf, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT);
	cr_assert_eq(claimdoc_count(cd), 2);
	cr_assert_str_eq(claimdoc_claim(cd, 0)->ref, "S-1");
	cr_assert_str_eq(claimdoc_claim(cd, 1)->ref, "S-2");
	cr_assert_eq(dl.n, 1);
	cr_assert_eq(dl.items[0].doc, 2,
		     "the syntax error belongs to the third document");
	assert_located(&dl);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

/* ---- every diagnostic is located ----------------------------------------- */

struct bad_case {
	char yaml[200];
	unsigned line, column; /* of the first diagnostic */
	char has[48];
};

#define ADMIN_HEAD "claim: E\nsetting: facility\nadministrations:\n  - id: A1\n"

ParameterizedTestParameters(claimdoc, bad_documents)
{
	static struct bad_case cases[] = {
		{"setting: facility\n", 1, 1, "missing required key 'claim'"},
		{"claim: E\nsetting: clinic\n", 2, 10,
		 "'setting' must be one of"},
		{"claim: E\nsetting: facility\nunits: 3\n", 3, 1,
		 "unknown key 'units'"},
		{"- claim: E\n", 1, 1, "must be a mapping"},
		{"claim: E\nsetting: facility\ndate_of_service: 2026-02-30\n",
		 3, 18, "'date_of_service' must be a date"},
		{"claim: E\nsetting: facility\nlines:\n  - units: 2\n", 4, 5,
		 "missing required key 'code'"},
		{"claim: E\nsetting: facility\nlines:\n  - code: \"9636\"\n", 4,
		 11, "'code' must be 5"},
		{"claim: E\nsetting: facility\nlines:\n  - code: \"96365\"\n   "
		 " units: 0\n",
		 5, 12, "'units' must be an integer from 1 to 999"},
		{"claim: E\nsetting: facility\nlines:\n  - code: \"96365\"\n   "
		 " units: 1000\n",
		 5, 12, "'units' must be an integer"},
		{"claim: E\nsetting: facility\nlines:\n  - code: \"96365\"\n   "
		 " units: \"2\"\n",
		 5, 12, "'units' must be an integer"},
		{"claim: E\nsetting: facility\nlines:\n  - code: \"96365\"\n"
		 "    modifiers: [XS, XE, XU, XP, \"59\"]\n",
		 5, 33, "at most 4 modifiers"},
		{"claim: E\nsetting: facility\nlines:\n  - code: \"96365\"\n   "
		 " modifiers: [X]\n",
		 5, 17, "'modifier' must be 2"},
		{ADMIN_HEAD
		 "    substance: x\n    kind: drug\n    route: push\n",
		 6, 11, "'kind' must be one of"},
		{ADMIN_HEAD
		 "    substance: x\n    kind: therapeutic\n    route: iv\n",
		 7, 12, "'route' must be one of"},
		{ADMIN_HEAD
		 "    substance: x\n    kind: hydration\n    primary: yes\n",
		 7, 14, "'primary' must be true or false"},
		{ADMIN_HEAD "    kind: hydration\n", 4, 5,
		 "missing required key 'substance'"},
		{"claim: E\nsetting: facility\nadministrations:\n  - "
		 "substance: x\n"
		 "    kind: hydration\n",
		 4, 5, "missing required key 'id'"},
		{"claim: E\nsetting: facility\nclaim: F\n", 3, 1,
		 "duplicate key 'claim'"},
		{"claim: &a E\nsetting: facility\n", 1, 8,
		 "anchors are not allowed"},
		{"claim: E\nsetting: facility\n  bad: indent\n", 3, 6, ""},
	};
	return cr_make_param_array(struct bad_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *bc, claimdoc, bad_documents)
{
	struct diag_list dl = {0};
	enum scrub_err err;
	struct claimdoc *cd = parse(bc->yaml, &dl, &err);
	cr_assert_eq(err, SCRUB_EINPUT, "'%s' must be an input error",
		     bc->yaml);
	cr_assert_null(claimdoc_claim(cd, 0));
	cr_assert_geq(dl.n, 1);
	assert_located(&dl);
	const struct diag *d = &dl.items[0];
	cr_assert_eq(d->line, bc->line, "'%s': line %u, expected %u (%s)",
		     bc->yaml, d->line, bc->line, d->message);
	cr_assert_eq(d->column, bc->column, "'%s': column %u, expected %u (%s)",
		     bc->yaml, d->column, bc->column, d->message);
	cr_assert_not_null(strstr(d->message, bc->has),
			   "message '%s' lacks '%s'", d->message, bc->has);
	claimdoc_free(cd);
	diag_list_free(&dl);
}

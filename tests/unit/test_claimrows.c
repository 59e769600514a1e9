/*
 * test_claimrows — the daemon's claim trees (daemon/claimrows.c) read as
 * the claim documents 003's claim_document() built for the same rows.
 *
 * Each case is a claim's rows as claim_batch() returns them, in a PGresult
 * made here (PQmakeEmptyPGresult, no server).  The same rows are also
 * written out as the JSON claim_document() gave: keys in jsonb's order,
 * required columns as null, optional ones left out.  Both go through the
 * reader; the scrub results (or the reasons a claim is invalid) must be
 * equal byte for byte.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>

#include "daemon/claimrows.h"
#include "scrubber/claimdoc.h"
#include "scrubber/strbuf.h"
#include "tests/lib/scrubtest.h"

enum { NCOLS = 12 };
#define N NULL /* a NULL column */

/* A row: id, kind, seq, f1..f9 (NULL entries are SQL NULLs). */
struct row {
	const char *v[NCOLS];
};

static PGresult *
result_of(const struct row *rows, int n)
{
	static const char *names[NCOLS] = {"id", "kind", "seq", "f1",
					   "f2", "f3",	 "f4",	"f5",
					   "f6", "f7",	 "f8",	"f9"};
	PGresAttDesc att[NCOLS];
	memset(att, 0, sizeof(att));
	for (int i = 0; i < NCOLS; i++) {
		att[i].name = (char *)names[i];
		att[i].format = 0;
		att[i].typid = 25;
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	cr_assert(r && PQsetResultAttrs(r, NCOLS, att));
	for (int i = 0; i < n; i++)
		for (int c = 0; c < NCOLS; c++) {
			const char *v = rows[i].v[c];
			cr_assert(PQsetvalue(r, i, c, (char *)v,
					     v ? (int)strlen(v) : -1));
		}
	return r;
}

/* ---- the JSON claim_document() built, from the same rows ---------------- */

static const char *
col(const struct row *r, int f)
{
	return r->v[2 + f];
}

static void
key(struct strbuf *sb, bool *first, const char *k)
{
	if (!*first)
		strbuf_lit(sb, ", ");
	*first = false;
	strbuf_json_str(sb, k);
	strbuf_lit(sb, ": ");
}

static void
str(struct strbuf *sb, bool *first, const char *k, const char *v, bool opt)
{
	if (opt && !v)
		return;
	key(sb, first, k);
	if (v)
		strbuf_json_str(sb, v);
	else
		strbuf_lit(sb, "null");
}

static void
raw(struct strbuf *sb, bool *first, const char *k, const char *v, bool opt)
{
	if (opt && !v)
		return;
	key(sb, first, k);
	strbuf_puts(sb, v ? v : "null");
}

static const char *
boolean(const char *v)
{
	return !v ? NULL : v[0] == 't' ? "true" : "false";
}

/* modifiers: the test's cases give them as text[] output and as JSON */
static void
json_rows(struct strbuf *sb, const struct row *rows, int n, const char *kind,
	  const char *const *mods_json)
{
	bool first = true;
	strbuf_putc(sb, '[');
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (strcmp(r->v[1], kind) != 0)
			continue;
		if (!first)
			strbuf_lit(sb, ", ");
		first = false;
		bool f = true;
		strbuf_putc(sb, '{');
		if (kind[0] == '1') {
			str(sb, &f, "code", col(r, 1), false);
			raw(sb, &f, "units", col(r, 2), false);
			raw(sb, &f, "modifiers", mods_json[i], true);
		} else {
			str(sb, &f, "id", col(r, 1), false);
			str(sb, &f, "kind", col(r, 3), false);
			str(sb, &f, "site", col(r, 5), true);
			str(sb, &f, "stop", col(r, 7), true);
			str(sb, &f, "route", col(r, 4), true);
			str(sb, &f, "start", col(r, 6), true);
			raw(sb, &f, "primary", boolean(col(r, 8)), true);
			str(sb, &f, "substance", col(r, 2), false);
			raw(sb, &f, "separate_site_required",
			    boolean(col(r, 9)), true);
		}
		strbuf_putc(sb, '}');
	}
	strbuf_putc(sb, ']');
}

/* rows[0] is the claim's row; mods_json[i]: row i's modifiers as JSON */
static void
json_doc(struct strbuf *sb, const struct row *rows, int n,
	 const char *const *mods_json)
{
	const struct row *c = &rows[0];
	bool f = true;
	strbuf_putc(sb, '{');
	str(sb, &f, "claim", col(c, 3), false);
	key(sb, &f, "lines");
	json_rows(sb, rows, n, "1", mods_json);
	str(sb, &f, "payer", col(c, 4), true);
	str(sb, &f, "setting", col(c, 5), false);
	str(sb, &f, "provider", col(c, 6), true);
	key(sb, &f, "administrations");
	json_rows(sb, rows, n, "2", mods_json);
	str(sb, &f, "date_of_service", col(c, 7), true);
	strbuf_putc(sb, '}');
}

/* ---- both paths to a comparable text -------------------------------------- */

/* The scrub result's JSON, or "invalid:" and the reasons. */
static void
outcome(const struct claim *c, const struct diag_list *dl, struct strbuf *out)
{
	strbuf_reset(out);
	if (!c) {
		strbuf_lit(out, "invalid:");
		for (size_t i = 0; i < dl->n; i++) {
			strbuf_puts(out, dl->items[i].message);
			strbuf_putc(out, '|');
		}
		return;
	}
	struct result *res = NULL;
	cr_assert_eq(scrub_claim(st_rules(), c, &res), SCRUB_OK);
	result_json(res, out);
	result_free(res);
}

static void
via_tree(const struct row *rows, int n, struct strbuf *out)
{
	PGresult *r = result_of(rows, n);
	struct arena *a = arena_new();
	struct claimrows_claim rc;
	struct ynode *doc;
	int row = 0;
	cr_assert(claimrows_next(r, &row, a, &rc, &doc));
	cr_assert_not_null(doc);
	cr_assert_eq(row, n, "the claim's rows were all read");
	struct diag_list dl = {0};
	struct yctx ctx = {a, &dl};
	struct claim *c = arena_alloc(a, sizeof(*c));
	enum scrub_err err = claimdoc_from_node(&ctx, doc, c);
	outcome(err == SCRUB_OK ? c : NULL, &dl, out);
	diag_list_free(&dl);
	arena_free(a);
	PQclear(r);
}

static void
via_json(const struct row *rows, int n, const char *const *mods,
	 struct strbuf *out)
{
	struct strbuf doc = STRBUF_INIT;
	json_doc(&doc, rows, n, mods);
	struct claimdoc *cd = NULL;
	struct diag_list dl = {0};
	enum scrub_err err = claimdoc_parse(col(&rows[0], 3), strbuf_str(&doc),
					    doc.len, &cd, &dl);
	cr_assert_neq(err, SCRUB_ENOMEM);
	const struct claim *c = cd ? claimdoc_claim(cd, 0) : NULL;
	outcome(err == SCRUB_OK ? c : NULL, &dl, out);
	diag_list_free(&dl);
	claimdoc_free(cd);
	strbuf_free(&doc);
}

static void
same(const struct row *rows, int n, const char *const *mods, const char *expect)
{
	struct strbuf t = STRBUF_INIT, j = STRBUF_INIT;
	via_tree(rows, n, &t);
	via_json(rows, n, mods, &j);
	cr_assert_str_eq(strbuf_str(&t), strbuf_str(&j));
	if (expect)
		cr_assert(strstr(strbuf_str(&t), expect), "%s not in %s",
			  expect, strbuf_str(&t));
	strbuf_free(&t);
	strbuf_free(&j);
}

#define CLAIM(ref, payer, setting, provider, dos) \
	{ \
		{ \
			"7", "0", "0", "1", "1", ref, payer, setting, \
				provider, dos, N, N \
		} \
	}
#define LINE(no, code, units, mods) \
	{ \
		{ \
			"7", "1", no, code, units, mods, N, N, N, N, N, N \
		} \
	}
#define ADMIN(seq, id, subst, kind, route, site, start, stop, prim, sep) \
	{ \
		{ \
			"7", "2", seq, id, subst, kind, route, site, start, \
				stop, prim, sep \
		} \
	}

static const char *const no_mods[16];

Test(claimrows, a_good_claim_scrubs_the_same)
{
	struct row rows[] = {
		CLAIM("C-1", "medicare", "facility", "NPI-1", "2026-03-02"),
		LINE("1", "96365", "1", N),
		LINE("2", "96366", "1", N),
		LINE("3", "J0696", "4", N),
		ADMIN("1", "A1", "ceftriaxone", "therapeutic", "infusion",
		      "L-forearm", "2026-03-02T09:00", "2026-03-02T11:10", "t",
		      N),
		ADMIN("2", "A2", "saline", "hydration", N, "L-forearm",
		      "2026-03-02T11:10", "2026-03-02T12:00", N, "f"),
	};
	same(rows, 6, no_mods, "\"verdict\"");
}

Test(claimrows, nulls_are_reported_as_in_a_document)
{
	struct row rows[] = {
		CLAIM("C-2", N, N, N, N),
		LINE("1", N, N, N),
		ADMIN("1", N, N, N, N, N, N, N, N, N),
	};
	same(rows, 3, no_mods, "invalid:");
}

Test(claimrows, bad_values_are_reported_in_the_same_order)
{
	struct row rows[] = {
		CLAIM("C-3", "medicare", "hospital", N, "2026-03-02"),
		LINE("1", "96365", "0", N),
		LINE("2", "ZZZZZ", "-3", N),
		ADMIN("1", "A1", "x\x01y", "banana", "intravenous-ish", N,
		      "yesterday", N, N, N),
		ADMIN("2", "A1", "cef", "therapeutic", "infusion", N, N, N, N,
		      N),
	};
	same(rows, 5, no_mods, "invalid:");
}

Test(claimrows, modifiers_from_an_array_literal)
{
	struct row rows[] = {
		CLAIM("C-4", "aetna", "facility", N, "2026-03-02"),
		LINE("1", "96365", "1", "{59}"),
		LINE("2", "96365", "1", "{XS,\"a b\"}"),
		LINE("3", "96366", "1", "{\"x\\\"y\\\\z\",NULL,\"\"}"),
		LINE("4", "96367", "1", "[0:1]={59,XS}"),
	};
	const char *const mods[] = {N, "[\"59\"]", "[\"XS\", \"a b\"]",
				    "[\"x\\\"y\\\\z\", null, \"\"]",
				    "[\"59\", \"XS\"]"};
	same(rows, 5, mods, "invalid:");
}

Test(claimrows, nested_and_long_modifier_arrays)
{
	struct row rows[] = {
		CLAIM("C-5", "aetna", "facility", N, N),
		LINE("1", "96365", "1", "{{59,XS},{a,b}}"),
		LINE("2", "96365", "1", "{59,XS,XU,XP,25}"),
	};
	const char *const mods[] = {N, "[[\"59\", \"XS\"], [\"a\", \"b\"]]",
				    "[\"59\", \"XS\", \"XU\", \"XP\", \"25\"]"};
	same(rows, 3, mods, "invalid:");
}

Test(claimrows, hostile_text_stays_text)
{
	struct row rows[] = {
		CLAIM("C-6 '); DROP TABLE x; --", "%s%n", "facility",
		      "\"quoted\" \\ back", N),
		LINE("1", "96372", "1", N),
		ADMIN("1", "A\"1", "caf\xc3\xa9 \xe2\x80\x94 drug",
		      "therapeutic", "injection", "{brace}", "2026-03-02T09:00",
		      N, N, N),
	};
	same(rows, 3, no_mods, "DROP TABLE x; --");
}

Test(claimrows, past_the_line_limit_only_the_count_is_kept)
{
	int n = CLAIMDOC_MAX_LINES + 2;
	struct row *rows = calloc((size_t)n, sizeof(*rows));
	const char **mods = calloc((size_t)n, sizeof(*mods));
	cr_assert(rows && mods);
	rows[0] = (struct row)CLAIM("C-7", N, "facility", N, N);
	for (int i = 1; i < n; i++)
		rows[i] = (struct row)LINE("1", "96372", "1", N);
	same(rows, n, mods, "at most 10000 lines");
	free(rows);
	free(mods);
}

Test(claimrows, claims_follow_one_another_and_stray_rows_are_skipped)
{
	struct row rows[] = {
		{{"1", "1", "1", "96365", "1", N, N, N, N, N, N,
		  N}}, /* stray */
		{{"5", "0", "0", "1", "3", "C-8", N, "facility", N, N, N, N}},
		{{"6", "0", "0", "2", "1", "C-9", "cigna", "facility", N, N, N,
		  N}},
		{{"6", "1", "1", "96372", "1", N, N, N, N, N, N, N}},
	};
	PGresult *r = result_of(rows, 4);
	struct arena *a = arena_new();
	struct claimrows_claim rc;
	struct ynode *doc;
	int row = 0;
	cr_assert(claimrows_next(r, &row, a, &rc, &doc));
	cr_assert_str_eq(rc.id, "5");
	cr_assert_str_eq(rc.tries, "3");
	cr_assert_null(rc.payer);
	cr_assert_eq(ymap_get(doc, "lines")->n, 0);
	cr_assert(claimrows_next(r, &row, a, &rc, &doc));
	cr_assert_str_eq(rc.id, "6");
	cr_assert_str_eq(rc.version, "2");
	cr_assert_str_eq(rc.payer, "cigna");
	cr_assert_eq(ymap_get(doc, "lines")->n, 1);
	cr_assert_not(claimrows_next(r, &row, a, &rc, &doc));
	arena_free(a);
	PQclear(r);
}

/* read_claims() cut the lists at max_lines and max_administrations + 1
 * rows (sql/008_queue_locks.sql; the limits in the claim row's f8, f9): a
 * list longer than its limit is only counted, and the claim says why it
 * is over; a list at its limit is read as ever. */
Test(claimrows, past_the_cut_the_claim_is_over_the_limit)
{
	struct row rows[] = {
		{{"7", "0", "0", "1", "1", "C-10", N, "facility", N, N, "2",
		  "1"}},
		LINE("1", "96365", "1", N),
		LINE("2", "96365", "1", N),
		LINE("3", N, N, "{not,read}"),
		ADMIN("1", "A1", "saline", "hydration", N, N, N, N, N, N),
		ADMIN("2", "A2", "saline", "hydration", N, N, N, N, N, N),
		{{"8", "0", "0", "1", "1", "C-11", N, "facility", N, N, "2",
		  "1"}},
		LINE("1", "96365", "1", N),
		LINE("2", "96365", "1", N),
		ADMIN("1", "A1", "saline", "hydration", N, N, N, N, N, N),
	};
	rows[7].v[0] = rows[8].v[0] = rows[9].v[0] = "8";
	PGresult *r = result_of(rows, 10);
	struct arena *a = arena_new();
	struct claimrows_claim rc;
	struct ynode *doc;
	int row = 0;
	cr_assert(claimrows_next(r, &row, a, &rc, &doc));
	cr_assert_eq(row, 6, "every row of the claim is passed");
	cr_assert_str_eq(rc.over,
			 "it has more than 2 lines, more than the rules judge "
			 "(max_lines: 2); it has more than 1 administrations, "
			 "more than the rules judge (max_administrations: 1)");
	cr_assert_eq(ymap_get(doc, "lines")->n, 3);
	cr_assert_null(ymap_get(doc, "lines")->items, "only counted");
	cr_assert(claimrows_next(r, &row, a, &rc, &doc));
	cr_assert_str_eq(rc.ref, "C-11");
	cr_assert_null(rc.over, "at the limit: read as ever");
	cr_assert_eq(ymap_get(doc, "lines")->n, 2);
	cr_assert_not_null(ymap_get(doc, "lines")->items[1]);
	cr_assert_not(claimrows_next(r, &row, a, &rc, &doc));
	arena_free(a);
	PQclear(r);
}

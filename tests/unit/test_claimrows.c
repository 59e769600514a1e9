/*
 * test_claimrows — the daemon's row reader (daemon/claimrows.c) reads the
 * rows of claim_batch() as the document reader reads the claim's
 * canonical document.
 *
 * Each case is a claim's rows as claim_batch() returns them
 * (sql/009_claim_rows.sql), in a PGresult made here (PQmakeEmptyPGresult,
 * no server) whose columns are named from the engine's field table, so a
 * new field is a new column here too.  The same values are also written
 * out as the claim's document, keys in the table's (canonical) order, a
 * required column's NULL as null and an optional one's left out.  Both go
 * through their reader; the scrub results (or the reasons a claim is
 * invalid, in order) must be equal byte for byte.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>

#include "daemon/claimrows.h"
#include "scrubber/claimdoc.h"
#include "scrubber/claimjson.h"
#include "scrubber/strbuf.h"
#include "tests/lib/scrubtest.h"

#define N NULL /* a NULL column */
enum { MAX_CELLS = 16, MAX_COLS = 64, NAME_LEN = 64 };

/* A row: the columns it has a value in, by name; the rest are NULL. */
struct cell {
	const char *name, *value;
};
struct row {
	struct cell c[MAX_CELLS];
};

static const char *const meta_cols[] = {"id",
					"kind",
					"seq",
					"version",
					"tries",
					"cut_lines",
					"cut_administrations",
					"cut_mar",
					"mar_record"};
static const char *const prefix[CF_LEVELS] = {"", "line_", "admin_"};

/* The column names of claim_batch(): the meta columns, then a column a
 * field of the table. */
static int
columns(char names[MAX_COLS][NAME_LEN])
{
	int n = 0;
	for (size_t i = 0; i < sizeof(meta_cols) / sizeof(*meta_cols); i++)
		snprintf(names[n++], NAME_LEN, "%s", meta_cols[i]);
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->type != CF_LIST)
			snprintf(names[n++], NAME_LEN, "%s%s", prefix[f->level],
				 f->key);
	return n;
}

static const char *
value_of(const struct row *r, const char *name)
{
	for (int i = 0; i < MAX_CELLS && r->c[i].name; i++)
		if (strcmp(r->c[i].name, name) == 0)
			return r->c[i].value;
	return NULL;
}

/* The rows as a PGresult; reversed: the columns in the opposite order (the
 * reader finds them by name); drop: a column left out, or NULL. */
static PGresult *
result_of(const struct row *rows, int n, bool reversed, const char *drop)
{
	static char names[MAX_COLS][NAME_LEN];
	int ncols = columns(names), k = 0;
	const char *order[MAX_COLS];
	for (int i = 0; i < ncols; i++) {
		const char *name = names[reversed ? ncols - 1 - i : i];
		if (!drop || strcmp(name, drop) != 0)
			order[k++] = name;
	}
	PGresAttDesc att[MAX_COLS];
	memset(att, 0, sizeof(att));
	for (int i = 0; i < k; i++) {
		att[i].name = (char *)order[i];
		att[i].typid = 25;
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	cr_assert(r && PQsetResultAttrs(r, k, att));
	for (int i = 0; i < n; i++)
		for (int c = 0; c < k; c++) {
			const char *v = value_of(&rows[i], order[c]);
			cr_assert(PQsetvalue(r, i, c, (char *)v,
					     v ? (int)strlen(v) : -1));
		}
	return r;
}

/* ---- the same values as a canonical claim document ------------------------ */

static void json_item(struct strbuf *sb, const struct row *rows, int n, int at,
		      enum claimfield_level level, const char *const *mods);

static void
key(struct strbuf *sb, bool *first, const char *k)
{
	strbuf_puts(sb, *first ? "" : ", ");
	*first = false;
	strbuf_json_str(sb, k);
	strbuf_lit(sb, ": ");
}

/* The items of list f: the rows of its kind. */
static void
json_list(struct strbuf *sb, const struct row *rows, int n,
	  const struct claim_field *f, const char *const *mods)
{
	char kind[2] = {(char)('0' + f->child), '\0'};
	bool first = true;
	strbuf_putc(sb, '[');
	for (int i = 0; i < n; i++) {
		if (strcmp(value_of(&rows[i], "kind"), kind) != 0)
			continue;
		strbuf_puts(sb, first ? "" : ", ");
		first = false;
		json_item(sb, rows, n, i, f->child, mods);
	}
	strbuf_putc(sb, ']');
}

/* Field f of row at; a NULL as the row reader takes it (claimrows.c). */
static void
json_field(struct strbuf *sb, bool *first, const struct row *rows, int n,
	   int at, const struct claim_field *f, const char *const *mods)
{
	char name[NAME_LEN];
	snprintf(name, sizeof(name), "%s%s", prefix[f->level], f->key);
	const char *v = value_of(&rows[at], name);
	if (f->type == CF_LIST) {
		key(sb, first, f->key);
		json_list(sb, rows, n, f, mods);
		return;
	}
	if (!v && !f->required && f->type != CF_INT)
		return;
	key(sb, first, f->key);
	if (!v)
		strbuf_lit(sb, "null");
	else if (f->type == CF_INT)
		strbuf_puts(sb, v);
	else if (f->type == CF_BOOL)
		strbuf_puts(sb, v[0] == 't' ? "true" : "false");
	else if (f->type == CF_CODES)
		strbuf_puts(sb, mods[at]);
	else
		strbuf_json_str(sb, v);
}

static void
json_item(struct strbuf *sb, const struct row *rows, int n, int at,
	  enum claimfield_level level, const char *const *mods)
{
	bool first = true;
	strbuf_putc(sb, '{');
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->level == level)
			json_field(sb, &first, rows, n, at, f, mods);
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

/* The claim of the rows, read by the row reader; its canonical JSON in
 * canon when it reads. */
static void
via_rows(const struct row *rows, int n, bool reversed, struct strbuf *out,
	 struct strbuf *canon)
{
	PGresult *r = result_of(rows, n, reversed, NULL);
	struct arena *a = arena_new();
	struct claimrows rs;
	struct claimrows_claim rc;
	char why[128];
	int row = 0;
	cr_assert(claimrows_open(&rs, r, why, sizeof(why)), "%s", why);
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_eq(row, n, "the claim's rows were all read");
	cr_assert_null(rc.over);
	struct diag_list dl = {0};
	struct claim c;
	enum scrub_err err = claimrows_read(&rs, &rc, a, &c, &dl);
	cr_assert_neq(err, SCRUB_ENOMEM);
	outcome(err == SCRUB_OK ? &c : NULL, &dl, out);
	if (err == SCRUB_OK && canon)
		claimjson_write(&c, canon);
	diag_list_free(&dl);
	arena_free(a);
	PQclear(r);
}

static void
via_json(const struct row *rows, int n, const char *const *mods,
	 struct strbuf *out)
{
	struct strbuf doc = STRBUF_INIT;
	json_item(&doc, rows, n, 0, CF_CLAIM, mods);
	struct claimdoc *cd = NULL;
	struct diag_list dl = {0};
	enum scrub_err err =
		claimdoc_parse(value_of(&rows[0], "claim"), strbuf_str(&doc),
			       doc.len, &cd, &dl);
	cr_assert_neq(err, SCRUB_ENOMEM);
	const struct claim *c = cd ? claimdoc_claim(cd, 0) : NULL;
	outcome(err == SCRUB_OK ? c : NULL, &dl, out);
	diag_list_free(&dl);
	claimdoc_free(cd);
	strbuf_free(&doc);
}

/* Rows and document read the same, the columns in either order. */
static void
same(const struct row *rows, int n, const char *const *mods, const char *expect)
{
	struct strbuf t = STRBUF_INIT, b = STRBUF_INIT, j = STRBUF_INIT;
	via_rows(rows, n, false, &t, NULL);
	via_rows(rows, n, true, &b, NULL);
	via_json(rows, n, mods, &j);
	cr_assert_str_eq(strbuf_str(&t), strbuf_str(&j));
	cr_assert_str_eq(strbuf_str(&b), strbuf_str(&j));
	if (expect)
		cr_assert(strstr(strbuf_str(&t), expect), "%s not in %s",
			  expect, strbuf_str(&t));
	strbuf_free(&t);
	strbuf_free(&b);
	strbuf_free(&j);
}

#define CLAIM(ref, payer, setting, provider, dos) \
	{ \
		{ \
			{"id", "7"}, {"kind", "0"}, {"seq", "0"}, \
				{"version", "1"}, {"tries", "1"}, \
				{"claim", ref}, {"payer", payer}, \
				{"setting", setting}, {"provider", provider}, \
				{"date_of_service", dos}, \
		} \
	}
#define LINE_D(no, code, units, mods, day) \
	{ \
		{ \
			{"id", "7"}, {"kind", "1"}, {"seq", no}, \
				{"line_code", code}, {"line_units", units}, \
				{"line_modifiers", mods}, \
				{"line_service_date", day}, \
		} \
	}
#define LINE(no, code, units, mods) LINE_D(no, code, units, mods, N)
#define ADMIN(seq, id, subst, kind, route, site, start, stop, prim, sep) \
	{ \
		{ \
			{"id", "7"}, {"kind", "2"}, {"seq", seq}, \
				{"admin_id", id}, {"admin_substance", subst}, \
				{"admin_kind", kind}, {"admin_route", route}, \
				{"admin_site", site}, {"admin_start", start}, \
				{"admin_stop", stop}, {"admin_primary", prim}, \
				{"admin_separate_site_required", sep}, \
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
	same(rows, 3, no_mods, "invalid:'setting' must be one of");
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
	same(rows, 5, no_mods,
	     "invalid:'setting' must be one of facility, professional, not "
	     "'hospital'|'units' must be an integer from 1 to 999, not '0'|");
}

Test(claimrows, a_repeated_administration_id)
{
	struct row rows[] = {
		CLAIM("C-3b", "medicare", "facility", N, N),
		ADMIN("1", "A1", "cef", "therapeutic", "infusion", N, N, N, N,
		      N),
		ADMIN("2", "A1", "cef", "therapeutic", "push", N, N, N, N, N),
		ADMIN("3", "A2", "saline", "hydration", N, N, N, N, N, N),
		ADMIN("4", "A3", "cef", "therapeutic", N, N, N, N, N, N),
	};
	same(rows, 5, no_mods,
	     "invalid:administration is missing required key 'route'|");
	rows[4] = (struct row)ADMIN("4", "A2", "cef", "therapeutic", "push", N,
				    N, N, N, N);
	same(rows, 5, no_mods, "invalid:administration id 'A1' is used twice|");
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
	same(rows, 3, mods, "a line has at most 4 modifiers, not 5");
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

/* The field added through the table alone (README, "Adding a claim
 * field"): read from its column, refused as the document reader refuses
 * it, written back by the canonical writer. */
Test(claimrows, a_line_service_date)
{
	struct row rows[] = {
		CLAIM("C-12", "medicare", "facility", N, "2026-03-02"),
		LINE_D("1", "96372", "1", N, "2026-03-01"),
		LINE("2", "J0696", "1", N),
		ADMIN("1", "A1", "ceftriaxone", "therapeutic", "injection", N,
		      "2026-03-02T09:00", N, N, N),
	};
	struct strbuf out = STRBUF_INIT, canon = STRBUF_INIT;
	same(rows, 4, no_mods, "\"verdict\"");
	via_rows(rows, 4, false, &out, &canon);
	cr_assert(strstr(strbuf_str(&canon),
			 "{\"code\":\"96372\",\"units\":1,\"modifiers\":[],"
			 "\"service_date\":\"2026-03-01\"},{\"code\":\"J0696\","
			 "\"units\":1,\"modifiers\":[]}"),
		  "%s", strbuf_str(&canon));
	rows[1] = (struct row)LINE_D("1", "96372", "1", N, "1899-12-31");
	same(rows, 4, no_mods,
	     "invalid:'service_date' must be a date YYYY-MM-DD, not "
	     "'1899-12-31'|");
	strbuf_free(&out);
	strbuf_free(&canon);
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

Test(claimrows, a_missing_column_is_named)
{
	struct row rows[] = {CLAIM("C-13", N, "facility", N, N)};
	PGresult *r = result_of(rows, 1, false, "line_service_date");
	struct claimrows rs;
	char why[128];
	cr_assert_not(claimrows_open(&rs, r, why, sizeof(why)));
	cr_assert_str_eq(why,
			 "the claim rows have no column line_service_date");
	PQclear(r);
}

Test(claimrows, claims_follow_one_another_and_stray_rows_are_skipped)
{
	struct row rows[] = {
		{{{"id", "1"}, {"kind", "1"}, {"seq", "1"}}}, /* stray */
		{{{"id", "5"},
		  {"kind", "0"},
		  {"version", "1"},
		  {"tries", "3"},
		  {"claim", "C-8"},
		  {"setting", "facility"}}},
		{{{"id", "6"},
		  {"kind", "0"},
		  {"version", "2"},
		  {"tries", "1"},
		  {"claim", "C-9"},
		  {"payer", "cigna"},
		  {"setting", "facility"}}},
		{{{"id", "6"}, {"kind", "1"}, {"line_code", "96372"}}},
	};
	PGresult *r = result_of(rows, 4, false, NULL);
	struct arena *a = arena_new();
	struct claimrows rs;
	struct claimrows_claim rc;
	char why[128];
	int row = 0;
	cr_assert(claimrows_open(&rs, r, why, sizeof(why)));
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_str_eq(rc.id, "5");
	cr_assert_str_eq(rc.tries, "3");
	cr_assert_null(rc.payer);
	cr_assert_eq(rc.n[CF_LINE], 0);
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_str_eq(rc.id, "6");
	cr_assert_str_eq(rc.version, "2");
	cr_assert_str_eq(rc.payer, "cigna");
	cr_assert_eq(rc.n[CF_LINE], 1);
	cr_assert_eq(rc.first[CF_LINE], 3);
	cr_assert_not(claimrows_next(&rs, &row, a, &rc));
	arena_free(a);
	PQclear(r);
}

/* read_claims() cut the lists at max_lines and max_administrations + 1
 * rows (sql/008_queue_locks.sql; the limits in the claim row's cut_lines,
 * cut_administrations): a list longer than its limit is only counted, and
 * the claim says why it is over; a list at its limit is read as ever. */
Test(claimrows, past_the_cut_the_claim_is_over_the_limit)
{
	struct row rows[] = {
		CLAIM("C-10", N, "facility", N, N),
		LINE("1", "96365", "1", N),
		LINE("2", "96365", "1", N),
		LINE("3", N, N, "{not,read}"),
		ADMIN("1", "A1", "saline", "hydration", N, N, N, N, N, N),
		ADMIN("2", "A2", "saline", "hydration", N, N, N, N, N, N),
		CLAIM("C-11", N, "facility", N, N),
		LINE("1", "96365", "1", N),
		LINE("2", "96365", "1", N),
		ADMIN("1", "A1", "saline", "hydration", N, N, N, N, N, N),
	};
	for (int i = 0; i < 10; i += 6) {
		rows[i].c[10] = (struct cell){"cut_lines", "2"};
		rows[i].c[11] = (struct cell){"cut_administrations", "1"};
	}
	rows[6].c[0].value = rows[7].c[0].value = "8";
	rows[8].c[0].value = rows[9].c[0].value = "8";
	PGresult *r = result_of(rows, 10, false, NULL);
	struct arena *a = arena_new();
	struct claimrows rs;
	struct claimrows_claim rc;
	struct claim c;
	struct diag_list dl = {0};
	char why[128];
	int row = 0;
	cr_assert(claimrows_open(&rs, r, why, sizeof(why)));
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_eq(row, 6, "every row of the claim is passed");
	cr_assert_str_eq(rc.over,
			 "it has more than 2 lines, more than the rules judge "
			 "(max_lines: 2); it has more than 1 administrations, "
			 "more than the rules judge (max_administrations: 1)");
	cr_assert_eq(rc.n[CF_LINE], 3);
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_str_eq(rc.ref, "C-11");
	cr_assert_null(rc.over, "at the limit: read as ever");
	cr_assert_eq(claimrows_read(&rs, &rc, a, &c, &dl), SCRUB_OK);
	cr_assert_eq(c.nlines, 2);
	cr_assert_str_eq(c.lines[1].code, "96365");
	cr_assert_not(claimrows_next(&rs, &row, a, &rc));
	diag_list_free(&dl);
	arena_free(a);
	PQclear(r);
}

/* The table fits the masks and column maps (CLAIMFIELD_MAX), and no key is
 * used twice at one level (the reader would never reach the second). */
Test(claimrows, the_field_table_is_well_formed)
{
	int n = 0;
	for (const struct claim_field *f = claim_fields; f->key; f++, n++)
		cr_assert_eq(claimfield_find(f->level, f->key, strlen(f->key)),
			     f, "%s", f->key);
	cr_assert(n > 0 && n <= CLAIMFIELD_MAX, "%d fields", n);
}

/* A claim with an encounter and its MAR records (kind 3 rows, mar_record:
 * claim_batch returns them for such a claim): read back as records, a bad
 * one named by its place; more than cut_mar only counted, the claim over
 * the limit (read_claims returns cut_mar + 1 at most). */
#define MAR(seq, json) \
	{ \
		{ \
			{"id", "7"}, {"kind", "3"}, {"seq", seq}, \
				{"mar_record", json}, \
		} \
	}
#define REC(id) \
	"{\"id\":\"" id "\",\"encounter\":\"E-1\",\"status\":\"completed\"," \
	"\"start\":\"2026-03-02T09:10:00-05:00\",\"stop\":" \
	"\"2026-03-02T09:40:00-05:00\",\"drug\":[],\"drug_text\":" \
	"\"ceftriaxone\"," \
	"\"at\":\"mar.ndjson:3:1\"}"

Test(claimrows, mar_records_read_back)
{
	struct row rows[] = {
		CLAIM("C-20", N, "facility", N, N),
		LINE("1", "96365", "1", N),
		MAR("1", REC("ma-1")),
		MAR("2", REC("ma-2")),
		CLAIM("C-21", N, "facility", N, N),
		MAR("1", "{\"encounter\":\"E-1\",\"dose\":1}"),
		CLAIM("C-22", N, "facility", N, N),
		MAR("1", REC("ma-1")),
		MAR("2", REC("ma-2")),
		MAR("3", REC("ma-3")),
	};
	for (int i = 0; i < 10; i++)
		if (i == 0 || i == 4 || i == 6) {
			rows[i].c[10] = (struct cell){"cut_mar", "2"};
			rows[i].c[11] = (struct cell){"encounter", "E-1"};
		}
	rows[4].c[0].value = rows[5].c[0].value = "8";
	for (int i = 6; i < 10; i++)
		rows[i].c[0].value = "9";
	PGresult *r = result_of(rows, 10, false, NULL);
	struct arena *a = arena_new();
	struct claimrows rs;
	struct claimrows_claim rc;
	struct claim c;
	struct diag_list dl = {0};
	const struct mar_record **recs;
	size_t n;
	char why[128];
	int row = 0;
	cr_assert(claimrows_open(&rs, r, why, sizeof(why)), "%s", why);
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_eq(rc.mar_n, 2);
	cr_assert_eq(rc.mar_first, 2);
	cr_assert_eq(claimrows_read(&rs, &rc, a, &c, &dl), SCRUB_OK);
	cr_assert_str_eq(c.encounter, "E-1");
	cr_assert_eq(claimrows_mar(&rs, &rc, a, &recs, &n, &dl), SCRUB_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(recs[1]->id, "ma-2");
	cr_assert_str_eq(recs[0]->drug_text, "ceftriaxone");
	cr_assert_str_eq(recs[0]->file, "mar.ndjson");
	cr_assert_eq(recs[0]->line, 3);
	/* a record that is not one: named by its place */
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_eq(claimrows_mar(&rs, &rc, a, &recs, &n, &dl), SCRUB_EINPUT);
	cr_assert_eq(dl.n, 1);
	char buf[600];
	cr_assert_str_eq(claimrows_reason(&rc, &dl.items[0], buf, sizeof(buf)),
			 "mar_record 1: unknown member 'dose'");
	/* past the cut */
	cr_assert(claimrows_next(&rs, &row, a, &rc));
	cr_assert_eq(row, 10);
	cr_assert_str_eq(rc.over,
			 "its encounter has more than 2 MAR records, more than "
			 "the rules judge (8 an administration of "
			 "max_administrations)");
	diag_list_free(&dl);
	arena_free(a);
	PQclear(r);
}

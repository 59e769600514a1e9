/*
 * review_detail — `claimscrub review --claim REF`: one claim's record,
 * read once with claimscrub.claim_detail() (each call is a logged PHI
 * read, so the text view never reads twice).  JSON prints the document as
 * the server made it.  The text view takes it apart with SQL on the
 * document alone ($1, no table: the reviewer role reads none) — the
 * header, the work item, the expected codes beside the billed lines, the
 * administrations as a timeline, every finding (current version first)
 * with its evidence, fix and decision, the notes and the trail — and
 * every value goes out through termsafe.
 */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/review.h"
#include "cli/termsafe.h"
#include "cli/work.h"
#include "scrubber/isotime.h"

#define DETAIL_SQL "SELECT claimscrub.claim_detail($1)::text"

/* Each text section's query yields its lines in order: one text column. */
#define DOC "FROM (SELECT $1::jsonb AS d) doc"

#define HEADER_SQL \
	"SELECT line " DOC ", LATERAL (SELECT d->'work' AS w) x," \
	" LATERAL (VALUES (1, format('== %s  version %s  %s  %s  profile %s'," \
	"  d->>'claim', d->>'version', d->>'status', d->>'setting'," \
	"  coalesce(d->>'profile', '-')))," \
	" (2, format('   payer %s  provider %s  date of service %s  " \
	"scrubbed %s', coalesce(d->>'payer', '-'), coalesce(d->>'provider'," \
	" '-'), coalesce(d->>'date_of_service', '-'), coalesce(" \
	"d->>'scrubbed_at', '-')))," \
	" (3, CASE WHEN jsonb_typeof(w) = 'object' THEN format('work item: " \
	"%s%s%s  assignee %s  worst open %s  open %s of %s  at risk %s  " \
	"revision %s', w->>'state', ' until ' || (w->>'deferred_until')," \
	" ' from ' || (w->>'department'), coalesce(w->>'assignee', '-')," \
	" coalesce(w->>'severity', '-'), w->>'open_findings', w->>'findings'," \
	" coalesce(w->>'amount_at_risk', '-'), w->>'revision')" \
	" ELSE 'work item: none (no findings)' END)," \
	" (4, CASE WHEN jsonb_typeof(w) = 'object' THEN format('   updated " \
	"%s by %s%s', w->>'updated_at', coalesce(w->>'updated_by', '-')," \
	" '  released ' || (w->>'released_at')) END)) v(k, line)" \
	" WHERE line IS NOT NULL ORDER BY k"

/* x's modifiers (a JSON array) as "-25-XS", '' for none; and whether
 * one of them marks a distinct site. */
#define MODS_OF_X \
	"(SELECT coalesce(string_agg('-' || m, ''), '') FROM" \
	" jsonb_array_elements_text(CASE jsonb_typeof(x->'modifiers') WHEN" \
	" 'array' THEN x->'modifiers' END) m)"
#define DISTINCT_SITE_OF_X \
	"(SELECT count(*) > 0 FROM jsonb_array_elements_text(CASE" \
	" jsonb_typeof(x->'modifiers') WHEN 'array' THEN x->'modifiers' END)" \
	" m WHERE m IN ('59', 'XE', 'XP', 'XS', 'XU'))"

/* An expected row is billed by the lines of its code whose distinct-site
 * modifier (59, X{E,P,S,U}) is there exactly when the row has a modifier:
 * a second initial at another site is its own row, as check shows it.
 * The lines no row takes (the drug, a visit, a code the record does not
 * support) follow under "other billed lines", as in check, with no
 * expected figure: "(not expected)" beside a drug line read as "remove
 * it", and the derivation never judges drug lines. */
#define OTHER_LINES \
	"SELECT * FROM l WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.line =" \
	" l.line)"
#define CODES_SQL \
	"WITH e AS (SELECT x->>'code' AS code, x->>'units' AS units," \
	" " MODS_OF_X " AS mods, coalesce((SELECT string_agg(a, ',') FROM" \
	" jsonb_array_elements_text(x->'administrations') a), '') AS admins," \
	" o " DOC ", jsonb_array_elements(d->'expected')" \
	" WITH ORDINALITY t(x, o))," \
	" l AS (SELECT (x->>'line')::int AS line, x->>'code' AS code," \
	" (x->>'units')::int AS units, " MODS_OF_X " AS mods," \
	" " DISTINCT_SITE_OF_X " AS ds " DOC "," \
	" jsonb_array_elements(d->'lines') x)," \
	" m AS (SELECT e.o, l.* FROM e JOIN l ON l.code = e.code" \
	" AND l.ds = (e.mods <> ''))" \
	" SELECT line FROM (SELECT 1 AS k, e.o, format('%-12s x%-3s %-12s " \
	"%s', e.code || e.mods, e.units, e.admins," \
	" coalesce((SELECT 'billed x' || sum(m.units) || ' on line' ||" \
	" CASE WHEN count(*) > 1 THEN 's ' ELSE ' ' END ||" \
	" string_agg(m.line::text, ','" \
	" ORDER BY m.line) || CASE WHEN sum(m.units)::text <> e.units THEN" \
	" '  <- differs' ELSE '' END FROM m WHERE m.o = e.o HAVING count(*)" \
	" > 0), 'not billed')) AS line FROM e" \
	" UNION ALL SELECT 1, 0, 'none' WHERE NOT EXISTS (SELECT 1 FROM e)" \
	" UNION ALL SELECT 2, 0, 'other billed lines' WHERE EXISTS " \
	"(" OTHER_LINES ")" \
	" UNION ALL SELECT 3, l.line, format('  %-10s %-17s billed x%s on" \
	" line %s', l.code || l.mods, '', l.units, l.line) FROM (" OTHER_LINES \
	") l) s ORDER BY k, o"

#define ADMINS_SQL \
	"SELECT x->>'id', coalesce(x->>'start', ''), coalesce(x->>'stop', " \
	"'')," \
	" coalesce(x->>'site', '-'), coalesce(x->>'kind', '-')," \
	" coalesce(x->>'route', '-'), coalesce(x->>'substance', '')," \
	" CASE WHEN x->>'primary' = 'true' THEN '  (primary)' ELSE '' " \
	"END " DOC \
	", jsonb_array_elements(d->'administrations') WITH ORDINALITY a(x, o)" \
	" ORDER BY x->>'start' NULLS LAST, o"

/* A claim with an encounter: its MAR records, one a line, in arrival
 * order: id, status, times, drug, route, site (what pairing read). */
#define MAR_SQL \
	"SELECT CASE WHEN d->'encounter' IS NULL OR d->>'encounter' IS NULL" \
	" THEN 'none: the claim documents its own administrations'" \
	" WHEN jsonb_typeof(d->'mar') <> 'array' OR jsonb_array_length(" \
	"d->'mar') = 0 THEN format('none of encounter %s has come'," \
	" d->>'encounter') END " DOC \
	" WHERE coalesce(jsonb_array_length(CASE jsonb_typeof(d->'mar') WHEN" \
	" 'array' THEN d->'mar' END), 0) = 0" \
	" UNION ALL SELECT * FROM (SELECT format('%s  %s  %s%s  %s  route %s" \
	"  site %s', coalesce(x->>'id', '-'), x->>'status', coalesce(" \
	"x->>'start', '-'), ' to ' || (x->>'stop'), coalesce(x->>'drug_text'," \
	" x->'drug'->0->>'code', '-'), coalesce(x->>'route_text'," \
	" x->'route'->>'code', '-'), coalesce(x->>'site', '-')) " DOC \
	", jsonb_array_elements(CASE jsonb_typeof(d->'mar') WHEN 'array'" \
	" THEN d->'mar' END) WITH ORDINALITY m(x, o) ORDER BY o) r"

/* The fix in words, as check's text says it. */
#define FIX(s, ln) \
	"CASE " s "->>'action'" \
	" WHEN 'replace' THEN format('bill %s x%s in place of %s unit(s) of " \
	"line %s', " s "->>'code', " s "->>'units', " s "->>'take', " ln ")" \
	" WHEN 'set-units' THEN format('bill %s x%s on line %s', " s \
	"->>'code', " s "->>'units', " ln ")" \
	" WHEN 'add' THEN format('add %s x%s', " s "->>'code', " s \
	"->>'units')" \
	" WHEN 'remove' THEN format('take %s unit(s) off line %s', " s \
	"->>'take', " ln ")" \
	" WHEN 'add-modifier' THEN format('add modifier %s to line %s', " s \
	"->>'modifier', " ln ")" \
	" WHEN 'remove-modifier' THEN format('remove modifier %s from line " \
	"%s', " s "->>'modifier', " ln ")" \
	" WHEN 'document' THEN CASE x->>'rule' WHEN 'mar-missing' THEN" \
	" 'send the encounter''s MAR records; the claim is re-scrubbed when" \
	" they arrive' ELSE 'complete the documented times, then re-scrub'" \
	" END" \
	" WHEN 'review' THEN 'needs a coder''s review' END"

#define FINDINGS_SQL \
	"SELECT line " DOC ", jsonb_array_elements(d->'findings')" \
	" WITH ORDINALITY f(x, o), LATERAL (SELECT CASE jsonb_typeof(" \
	"x->'decision') WHEN 'object' THEN x->'decision' END AS c) y," \
	" LATERAL (VALUES (1, format('#%s  %s %s  version %s%s%s%s%s'," \
	" x->>'id', rpad(x->>'severity', 7), x->>'rule', x->>'version'," \
	" CASE WHEN x->>'version' = d->>'version' THEN '' ELSE ' (earlier)'" \
	" END, '  line ' || (x->>'line'), '  administration ' ||" \
	" (x->>'administration'), CASE WHEN c IS NULL THEN '  [open]' END))," \
	" (2, '    ' || (x->>'message'))," \
	" (3, '    evidence: ' ||" \
	" (SELECT string_agg(key || '=' || value, ' ') FROM " \
	"jsonb_each_text(CASE jsonb_typeof(x->'evidence') WHEN 'object'" \
	" THEN x->'evidence' END)))," \
	" (4, '    fix: ' || " FIX( \
		"(x->'suggest')", \
		"(x->>'line')") ")," \
				" (5, format('    decided: %s (%s) by %s at " \
				"%s%s%s', c->>'resolution'," \
				" c->>'reason', c->>'by', c->>'at', ': ' || " \
				"(c->>'note')," \
				" '  [carried from #' || " \
				"(c->>'carried_from') || ']'))) v(k, line)" \
				" WHERE line IS NOT NULL AND (k <> 5 OR c IS " \
				"NOT NULL) ORDER BY o, k"

#define NOTES_SQL \
	"SELECT format('%s  %s%s: %s', x->>'at', x->>'author', ' on finding " \
	"#'" \
	" || (x->>'finding'), x->>'note') " DOC ", jsonb_array_elements(" \
	"d->'notes') WITH ORDINALITY n(x, o) ORDER BY o"

#define TRAIL_SQL \
	"SELECT format('%s  %s  %s%s%s', x->>'at', x->>'actor', x->>'action'," \
	" ' finding #' || (x->>'finding'), '  ' || (x->'detail')::text) " DOC \
	", jsonb_array_elements(d->'audit') WITH ORDINALITY t(x, o)" \
	" ORDER BY o"

/* The columns of ADMINS_SQL. */
enum { AD_ID, AD_START, AD_STOP, AD_SITE, AD_KIND, AD_ROUTE, AD_WHAT, AD_PRI };

/* A stored time as the engine's claim_time: absent, good or bad. */
static struct claim_time
stored_time(const char *s)
{
	struct claim_time t = {.state = TIME_ABSENT, .text = s};
	if (*s)
		t.state =
			isotime_parse(s, strlen(s), &t.t) ? TIME_OK : TIME_BAD;
	return t;
}

/* Earliest start and latest good time of the rows; false for none. */
static bool
admin_span(const PGresult *res, int64_t *lo, int64_t *hi)
{
	bool any = false;
	for (int i = 0; i < PQntuples(res); i++)
		for (int c = AD_START; c <= AD_STOP; c++) {
			struct claim_time t =
				stored_time(PQgetvalue(res, i, c));
			if (t.state != TIME_OK)
				continue;
			if (!any || t.t.wall < *lo)
				*lo = t.t.wall;
			if (!any || t.t.wall > *hi)
				*hi = t.t.wall;
			any = true;
		}
	return any;
}

/* One administration: times, minutes and bar as check draws them
 * (textout.c), then where and how it ran. */
static void
put_admin(FILE *out, const PGresult *res, int i, bool span, int64_t lo,
	  int64_t hi)
{
	struct claim_time start = stored_time(PQgetvalue(res, i, AD_START));
	struct claim_time stop = stored_time(PQgetvalue(res, i, AD_STOP));
	fputs("    ", out);
	termsafe_put_cols(out, PQgetvalue(res, i, AD_ID), 5, 6);
	textout_time(out, &start);
	textout_time(out, &stop);
	if (start.state == TIME_OK && stop.state == TIME_OK &&
	    isotime_diff(&start.t, &stop.t) >= 0)
		fprintf(out, "%4lld min ",
			(long long)(isotime_diff(&start.t, &stop.t) / 60));
	else
		fputs("         ", out);
	if (span)
		textout_bar(out, &start, &stop, lo, hi);
	for (int c = AD_SITE; c <= AD_PRI; c++) {
		fputs(c == AD_SITE ? "  site " : c == AD_PRI ? "" : "  ", out);
		termsafe_put(out, PQgetvalue(res, i, c));
	}
	fputc('\n', out);
}

static void
put_admins(FILE *out, const PGresult *res)
{
	int64_t lo = 0, hi = 0;
	bool span = admin_span(res, &lo, &hi);
	for (int i = 0; i < PQntuples(res); i++)
		put_admin(out, res, i, span, lo, hi);
}

/* A section whose query makes its lines: each escaped, indented under
 * its title (the header has none). */
static void
put_indented(FILE *out, const PGresult *res, const char *indent)
{
	for (int i = 0; i < PQntuples(res); i++) {
		fputs(indent, out);
		termsafe_put(out, PQgetvalue(res, i, 0));
		fputc('\n', out);
	}
}

static void
put_header(FILE *out, const PGresult *res)
{
	put_indented(out, res, "");
}

static void
put_lines(FILE *out, const PGresult *res)
{
	put_indented(out, res, "  ");
}

static const struct section {
	const char *title; /* NULL: none (the header) */
	const char *sql;
	void (*put)(FILE *out, const PGresult *res);
} sections[] = {
	{NULL, HEADER_SQL, put_header},
	{"expected codes and billed lines", CODES_SQL, put_lines},
	{"administrations", ADMINS_SQL, put_admins},
	{"MAR records of its encounter", MAR_SQL, put_lines},
	{"findings (current version first; resolve takes the #id)",
	 FINDINGS_SQL, put_lines},
	{"notes", NOTES_SQL, put_lines},
	{"trail", TRAIL_SQL, put_lines},
};

/* The text view of document doc. */
static int
put_text(PGconn *conn, const char *doc, FILE *out)
{
	char msg[1024];
	int rc = EXIT_CLEAN;
	const char *params[1] = {doc};
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		const struct section *sec = &sections[s];
		PGresult *res = work_call(conn, sec->sql, 1, params, &rc, msg,
					  sizeof(msg));
		if (!res) {
			cli_error("review: %s: %s",
				  sec->title ? sec->title : "header", msg);
			return rc;
		}
		if (sec->title)
			fprintf(out, "\n%s%s\n", sec->title,
				PQntuples(res) ? "" : ": none");
		sec->put(out, res);
		PQclear(res);
	}
	return EXIT_CLEAN;
}

int
review_claim(PGconn *conn, const char *ref, bool json, FILE *out)
{
	char msg[1024], safe[256];
	int rc = EXIT_CLEAN;
	const char *params[1] = {ref};
	PGresult *res =
		work_call(conn, DETAIL_SQL, 1, params, &rc, msg, sizeof(msg));
	if (!res) {
		cli_error("review: claim %s: %s",
			  termsafe_copy(safe, sizeof(safe), ref), msg);
		return rc;
	}
	if (json)
		fprintf(out, "%s\n", PQgetvalue(res, 0, 0));
	else
		rc = put_text(conn, PQgetvalue(res, 0, 0), out);
	PQclear(res);
	return rc;
}

/*
 * report_load — see report_load.h.  The big two queries are one pass each
 * with GROUPING SETS: claims and their money per day, payer and provider
 * (claimscrub.claim_net_in(): claim_net priced for the report's scope
 * only), findings per day, rule, payer and provider
 * (claimscrub.finding_detail); then every day of the period (days without
 * claims too) and, with since, the days just before it (for the prior
 * weeks and months rpt_periods() adds up), and the payers no payer_profile
 * row maps.  A claimscrub_reviewer can run them all.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_load.h"

/* $1 since, $2 until, $3 payer, $4 provider: NULL for none */
#define REPORT_WHERE \
	" WHERE ($1::date IS NULL OR day >= $1::date)" \
	"   AND ($2::date IS NULL OR day <= $2::date)" \
	"   AND ($3::text IS NULL OR payer = $3::text)" \
	"   AND ($4::text IS NULL OR provider = $4::text)"

/* GROUPING(day, payer, provider): 3 day, 5 payer, 6 provider, 7 total */
#define REPORT_CLAIMS_SQL \
	"SELECT GROUPING(day, payer, provider), day::text, payer, provider," \
	" count(*), count(*) FILTER (WHERE status = 'flagged')," \
	" count(*) FILTER (WHERE status = 'invalid')," \
	" coalesce(sum(net_change), 0)" \
	" FROM claimscrub.claim_net_in($1::date, $2::date," \
	" $3::text, $4::text)" \
	" GROUP BY GROUPING SETS ((), (day), (payer), (provider))"

/* GROUPING(day, rule, payer, provider): 7 day, 11 rule, 13 payer,
 * 14 provider, 15 total */
#define REPORT_FINDINGS_SQL \
	"SELECT GROUPING(day, rule, payer, provider), day::text, rule, payer," \
	" provider, count(*), count(*) FILTER (WHERE resolution IS NULL)," \
	" count(*) FILTER (WHERE resolution = 'corrected')," \
	" count(*) FILTER (WHERE resolution = 'accepted-risk')," \
	" count(*) FILTER (WHERE resolution = 'false-positive')," \
	" coalesce(sum(revenue_at_risk), 0), coalesce(sum(revenue_missed), 0)" \
	" FROM claimscrub.finding_detail" REPORT_WHERE \
	" GROUP BY GROUPING SETS ((), (day), (rule), (payer), (provider))"

#define REPORT_FLAGS_SQL \
	"SELECT EXISTS (SELECT 1 FROM claimscrub.fee_schedule)," \
	" EXISTS (SELECT 1 FROM claimscrub.payer_profile)"

/* The period's days: --since and --until, else the first and last date of
 * service; a span of more than ten years shrinks to the claims' own (so a
 * --since 1900-01-01 draws no 45,000-day axis), and one still longer has
 * no axis of days without claims, and so no weeks or months (fit). */
#define REPORT_SPAN \
	"WITH span0 AS (SELECT coalesce($1::date, min(day)) AS lo," \
	" coalesce($2::date, max(day)) AS hi," \
	" min(day) AS dlo, max(day) AS dhi" \
	" FROM claimscrub.scrubbed_claim" REPORT_WHERE ")," \
	" span AS (SELECT CASE WHEN hi - lo > 3660 THEN greatest(lo, dlo)" \
	" ELSE lo END AS lo, CASE WHEN hi - lo > 3660 THEN least(hi, dhi)" \
	" ELSE hi END AS hi FROM span0)," \
	" fit AS (SELECT lo, hi FROM span WHERE hi - lo <= 3660)"

/* every day of the period, with claims or not */
#define REPORT_DAYS \
	" SELECT g::date::text FROM fit, generate_series(" \
	"fit.lo::timestamp, fit.hi::timestamp, interval '1 day') g"
#define REPORT_AXIS_SQL REPORT_SPAN REPORT_DAYS

/* The days just before --since that a week or month of the period is
 * compared with (62 days: the month before its first month): claims,
 * flagged and net change, then at risk and missed.  ($2 only keeps the
 * parameters typed: an until before since has no period.) */
#define REPORT_BEFORE \
	" WHERE ($3::text IS NULL OR payer = $3::text)" \
	" AND ($4::text IS NULL OR provider = $4::text)" \
	" AND day BETWEEN $1::date - 62 AND $1::date - 1" \
	" AND ($2::date IS NULL OR $2::date >= $1::date) GROUP BY day"
#define REPORT_BEFORE_CLAIMS_SQL \
	"SELECT day::text, count(*)," \
	" count(*) FILTER (WHERE status = 'flagged')," \
	" coalesce(sum(net_change), 0) FROM claimscrub.claim_net_in(" \
	"$1::date - 62, $1::date - 1, $3::text, $4::text)" REPORT_BEFORE
#define REPORT_BEFORE_FINDINGS_SQL \
	"SELECT day::text, coalesce(sum(revenue_at_risk), 0)," \
	" coalesce(sum(revenue_missed), 0)" \
	" FROM claimscrub.finding_detail" REPORT_BEFORE

/* Payers (lower case) of the period's claims that no payer_profile row
 * maps, most claims first; claims without a payer need no mapping. */
#define REPORT_UNMAPPED_SQL \
	"SELECT lower(payer), count(*)" \
	" FROM claimscrub.scrubbed_claim s" REPORT_WHERE \
	" AND payer <> '(none)' AND NOT EXISTS (SELECT 1" \
	" FROM claimscrub.payer_profile p WHERE p.payer = lower(s.payer))" \
	" GROUP BY 1 ORDER BY 2 DESC, 1"

/* The filters as $1..$3 (none when r is NULL). */
void
rpt_params(const struct report *r, const char *params[RPT_NPARAMS])
{
	params[0] = r ? r->since : NULL;
	params[1] = r ? r->until : NULL;
	params[2] = r ? r->payer : NULL;
	params[3] = r ? r->provider : NULL;
}

static long
num(const PGresult *res, int row, int col)
{
	return strtol(PQgetvalue(res, row, col), NULL, 10);
}

/* A numeric(,2) column in cents; 0 when NULL (no fee table). */
static long long
cents(const PGresult *res, int row, int col)
{
	long long v;
	return rpt_parse_cents(PQgetvalue(res, row, col), &v) ? v : 0;
}

/* The row a result row adds to: the total, or a section's row. */
static struct rpt_row *
target(struct report *r, const PGresult *res, int row, const int sets[RPT_NSEC],
       const int cols[RPT_NSEC])
{
	long g = num(res, row, 0);
	for (int s = 0; s < RPT_NSEC; s++)
		if (sets[s] == g)
			return rpt_row_get(r, (enum rpt_section)s,
					   PQgetvalue(res, row, cols[s]));
	return &r->total;
}

static bool
fill_flags(struct report *r, const PGresult *res)
{
	r->money = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	r->payer_map = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	return true;
}

static bool
fill_claims(struct report *r, const PGresult *res)
{
	static const int sets[RPT_NSEC] = {3, -1, -1, -1, 5, 6},
			 cols[RPT_NSEC] = {1, 0, 0, 0, 2, 3};
	for (int i = 0; i < PQntuples(res); i++) {
		struct rpt_row *row = target(r, res, i, sets, cols);
		if (!row)
			return false;
		row->claims = num(res, i, 4);
		row->flagged = num(res, i, 5);
		row->invalid = num(res, i, 6);
		row->net = cents(res, i, 7);
	}
	rpt_sort_keys(r); /* the findings' rows find theirs by key */
	return true;
}

static bool
fill_findings(struct report *r, const PGresult *res)
{
	static const int sets[RPT_NSEC] = {7, -1, -1, 11, 13, 14},
			 cols[RPT_NSEC] = {1, 0, 0, 2, 3, 4};
	for (int i = 0; i < PQntuples(res); i++) {
		struct rpt_row *row = target(r, res, i, sets, cols);
		if (!row)
			return false;
		row->findings = num(res, i, 5);
		row->open = num(res, i, 6);
		row->corrected = num(res, i, 7);
		row->accepted = num(res, i, 8);
		row->fp = num(res, i, 9);
		row->at_risk = cents(res, i, 10);
		row->missed = cents(res, i, 11);
	}
	return true;
}

/* every day of the period a row, zeros where it has no claims */
static bool
fill_axis(struct report *r, const PGresult *res)
{
	size_t n = (size_t)PQntuples(res);
	const char **keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys)
		return false;
	for (size_t i = 0; i < n; i++)
		keys[i] = PQgetvalue(res, (int)i, 0);
	bool ok = rpt_add_keys(&r->sec[RPT_DAY], keys, n);
	free(keys);
	r->axis = n > 0;
	return ok;
}

static bool
fill_before_claims(struct report *r, const PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct rpt_row *row =
			rpt_table_get(&r->before, PQgetvalue(res, i, 0));
		if (!row)
			return false;
		row->claims = num(res, i, 1);
		row->flagged = num(res, i, 2);
		row->net = cents(res, i, 3);
	}
	return true;
}

static bool
fill_before_findings(struct report *r, const PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct rpt_row *row =
			rpt_table_get(&r->before, PQgetvalue(res, i, 0));
		if (!row)
			return false;
		row->at_risk = cents(res, i, 1);
		row->missed = cents(res, i, 2);
	}
	return true;
}

static bool
fill_unmapped(struct report *r, const PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct rpt_row *row =
			rpt_table_get(&r->unmapped, PQgetvalue(res, i, 0));
		if (!row)
			return false;
		row->claims = num(res, i, 1);
		r->unmapped_claims += row->claims;
	}
	return true;
}

const struct rpt_query rpt_queries[RPT_NQUERIES] = {
	[RPT_Q_FLAGS] = {REPORT_FLAGS_SQL, true, fill_flags},
	[RPT_Q_CLAIMS] = {REPORT_CLAIMS_SQL, false, fill_claims},
	[RPT_Q_FINDINGS] = {REPORT_FINDINGS_SQL, false, fill_findings},
	[RPT_Q_AXIS] = {REPORT_AXIS_SQL, false, fill_axis},
	[RPT_Q_BEFORE_CLAIMS] = {REPORT_BEFORE_CLAIMS_SQL, false,
				 fill_before_claims},
	[RPT_Q_BEFORE_FINDINGS] = {REPORT_BEFORE_FINDINGS_SQL, false,
				   fill_before_findings},
	[RPT_Q_UNMAPPED] = {REPORT_UNMAPPED_SQL, false, fill_unmapped},
};

bool
rpt_wanted(const struct report *r, enum rpt_query_id q)
{
	if (q == RPT_Q_BEFORE_CLAIMS || q == RPT_Q_BEFORE_FINDINGS)
		return r->since != NULL;
	if (q == RPT_Q_UNMAPPED)
		return r->payer_map;
	return true;
}

bool
rpt_finish(struct report *r)
{
	if (r->axis && !rpt_periods(r))
		return false;
	rpt_sort(r);
	snprintf(r->total.key, sizeof(r->total.key), "all");
	return true;
}

/*
 * report — `claimscrub report [--since DATE] [--until DATE] [--payer P]
 * [--top N] [--format text|csv|html] [-o FILE] [--db CONNINFO]`: the
 * denial-risk report.  Queries (with parameters) over the views of
 * sql/api/050_review.sql, the big two one pass each with GROUPING SETS:
 * claims and their money per day, payer and provider
 * (claimscrub.claim_net), findings per day, rule, payer and provider
 * (claimscrub.finding_detail); then every day of the period (days without
 * claims too) and, with --since, the days just before it (for the prior
 * weeks and months rpt_periods() adds up), and the payers no
 * payer_profile row maps.  The rows fill the model of
 * report.h and a renderer prints it.  A claimscrub_reviewer can run it.
 * Exit 0 done, 1 the database refused a query, 2 a usage, file or
 * connection error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "cli/report.h"

/* $1 since, $2 until, $3 payer: NULL for none */
#define REPORT_WHERE \
	" WHERE ($1::date IS NULL OR day >= $1::date)" \
	"   AND ($2::date IS NULL OR day <= $2::date)" \
	"   AND ($3::text IS NULL OR payer = $3::text)"

/* GROUPING(day, payer, provider): 3 day, 5 payer, 6 provider, 7 total */
#define REPORT_CLAIMS_SQL \
	"SELECT GROUPING(day, payer, provider), day::text, payer, provider," \
	" count(*), count(*) FILTER (WHERE status = 'flagged')," \
	" count(*) FILTER (WHERE status = 'invalid')," \
	" coalesce(sum(net_change), 0)" \
	" FROM claimscrub.claim_net" REPORT_WHERE \
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
	" AND day BETWEEN $1::date - 62 AND $1::date - 1" \
	" AND ($2::date IS NULL OR $2::date >= $1::date) GROUP BY day"
#define REPORT_BEFORE_CLAIMS_SQL \
	"SELECT day::text, count(*)," \
	" count(*) FILTER (WHERE status = 'flagged')," \
	" coalesce(sum(net_change), 0) FROM " \
	"claimscrub.claim_net" REPORT_BEFORE
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

/* --format: the choices, and their renderers in the same order */
static const char *const formats[] = {"text", "csv", "html", NULL};
static void (*const renderers[])(FILE *out, const struct report *r) = {
	report_text, report_csv, report_html};

/* A date YYYY-MM-DD with a month and day in range (the server checks the
 * rest, February 30 and the like). */
static bool
valid_date(const char *s)
{
	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	return s[10] == '\0' && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* --since and --until: a date into *field, a const char *. */
static const char *
parse_date(const char *arg, void *field)
{
	if (!valid_date(arg))
		return "a date YYYY-MM-DD";
	*(const char **)field = arg;
	return NULL;
}

/* --payer: a payer, as claimscrub.submit() takes them. */
static const char *
parse_payer(const char *arg, void *field)
{
	if (strlen(arg) == 0 || strlen(arg) > 64)
		return "1 to 64 characters";
	*(const char **)field = arg;
	return NULL;
}

/* --top N: 1 to 1000 into *field, a long. */
static const char *
parse_top(const char *arg, void *field)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || n < 1 || n > 1000)
		return "a number from 1 to 1000";
	*(long *)field = n;
	return NULL;
}

/* ---- the queries ------------------------------------------------------- */

/* The filters as $1..$3 (none when r is NULL). */
static void
report_params(const struct report *r, const char *params[3])
{
	params[0] = r ? r->since : NULL;
	params[1] = r ? r->until : NULL;
	params[2] = r ? r->payer : NULL;
}

/* res when it holds rows; else says why (and frees it) and returns NULL. */
static PGresult *
checked(PGconn *conn, PGresult *res)
{
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	char msg[1024];
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	bool no_schema = state && (strcmp(state, "42P01") == 0 ||
				   strcmp(state, "3F000") == 0);
	cli_error("report: %s%s", cli_db_message(conn, res, msg, sizeof(msg)),
		  no_schema ? " (has 'claimscrub db migrate' run on this "
			      "database?)"
			    : "");
	PQclear(res);
	return NULL;
}

/* Runs sql with the filters as $1..$3 (none when r is NULL). */
static PGresult *
run_query(PGconn *conn, const char *sql, const struct report *r)
{
	const char *params[3];
	report_params(r, params);
	return checked(conn, PQexecParams(conn, sql, r ? 3 : 0, NULL, params,
					  NULL, NULL, 0));
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

/* Fills r with the rows of res (NULL: the query failed); an exit status. */
static int
fill_from(PGresult *res, struct report *r,
	  bool (*fill)(struct report *, const PGresult *))
{
	if (!res)
		return EXIT_REJECTED;
	bool ok = fill(r, res);
	PQclear(res);
	return ok ? EXIT_CLEAN : EXIT_INTERNAL;
}

/* Runs sql (with the filters unless bare) and fills r with its rows; an
 * exit status. */
static int
step(PGconn *conn, const char *sql, bool bare, struct report *r,
     bool (*fill)(struct report *, const PGresult *))
{
	return fill_from(run_query(conn, sql, bare ? NULL : r), r, fill);
}

/* One read-only snapshot for every query (REPORT_TXN, and the second
 * connection's imported); big aggregations get room to hash in memory, and
 * no JIT compile (it costs more than it saves on queries this short). */
#define REPORT_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
#define REPORT_SETTINGS "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"
#define REPORT_TXN REPORT_BEGIN "; " REPORT_SETTINGS

static bool
command_ok(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok;
}

/* A second connection in the first one's snapshot with the findings'
 * aggregation sent on it, the report's other big query: the two run side
 * by side, and the report takes the longer, not their sum.  NULL when
 * that cannot be (a connection limit, a server that cannot export a
 * snapshot): the caller runs it after the other, on the first. */
static PGconn *
findings_aside(PGconn *conn, const char *conninfo, const struct report *r)
{
	char why[640], sql[160] = "";
	PGresult *res = PQexec(conn, "SELECT pg_export_snapshot()");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		const char *id =
			PQgetvalue(res, 0, 0); /* as 00000003-0000001B-1 */
		if (strspn(id, "0123456789ABCDEFabcdef-") == strlen(id))
			snprintf(sql, sizeof(sql),
				 "SET TRANSACTION SNAPSHOT '%.64s'", id);
	}
	PQclear(res);
	if (!sql[0]) { /* a failed export ended the transaction: again */
		if (command_ok(conn, "ROLLBACK"))
			command_ok(conn, REPORT_TXN);
		return NULL;
	}
	PGconn *aside = cli_db_open(conninfo, why, sizeof(why));
	const char *params[3];
	report_params(r, params);
	/* (why it could not connect goes unsaid: the first connection
	 * does the work then) */
	if (aside && command_ok(aside, REPORT_BEGIN) &&
	    command_ok(aside, sql) && command_ok(aside, REPORT_SETTINGS) &&
	    PQsendQueryParams(aside, REPORT_FINDINGS_SQL, 3, NULL, params, NULL,
			      NULL, 0))
		return aside;
	PQfinish(aside);
	return NULL;
}

/* The findings' rows from the second connection: its one result. */
static PGresult *
aside_result(PGconn *aside)
{
	PGresult *res = PQgetResult(aside), *more;
	while ((more = PQgetResult(aside)))
		PQclear(more);
	return checked(aside, res);
}

/* Runs the queries into r; an exit status. */
static int
load(PGconn *conn, const char *conninfo, struct report *r)
{
	if (!command_ok(conn, REPORT_TXN)) {
		char msg[1024];
		cli_error("report: %s",
			  cli_db_message(conn, NULL, msg, sizeof(msg)));
		return EXIT_REJECTED;
	}
	PGconn *aside = findings_aside(conn, conninfo, r);
	int rc = step(conn, REPORT_FLAGS_SQL, true, r, fill_flags);
	if (rc == EXIT_CLEAN)
		rc = step(conn, REPORT_CLAIMS_SQL, false, r, fill_claims);
	if (rc == EXIT_CLEAN) {
		rpt_sort_keys(r);
		rc = aside ? fill_from(aside_result(aside), r, fill_findings)
			   : step(conn, REPORT_FINDINGS_SQL, false, r,
				  fill_findings);
	}
	PQfinish(aside);
	if (rc == EXIT_CLEAN)
		rc = step(conn, REPORT_AXIS_SQL, false, r, fill_axis);
	r->before.by_key = true;
	if (rc == EXIT_CLEAN && r->since)
		rc = step(conn, REPORT_BEFORE_CLAIMS_SQL, false, r,
			  fill_before_claims);
	if (rc == EXIT_CLEAN && r->since)
		rc = step(conn, REPORT_BEFORE_FINDINGS_SQL, false, r,
			  fill_before_findings);
	if (rc == EXIT_CLEAN && r->payer_map)
		rc = step(conn, REPORT_UNMAPPED_SQL, false, r, fill_unmapped);
	if (rc != EXIT_CLEAN)
		return rc;
	if (r->axis && !rpt_periods(r))
		return EXIT_INTERNAL;
	rpt_sort(r);
	snprintf(r->total.key, sizeof(r->total.key), "all");
	return EXIT_CLEAN;
}

static int
write_report(const struct cli_opts *o, const struct report *r)
{
	FILE *out = o->output ? fopen(o->output, "w") : stdout;
	if (!out) {
		cli_error("report: cannot write '%s'", o->output);
		return EXIT_USAGE;
	}
	renderers[o->format >= 0 ? o->format : 0](out, r);
	bool failed = ferror(out) != 0;
	if (out != stdout)
		failed |= fclose(out) != 0;
	else
		failed |= fflush(out) != 0;
	if (failed) {
		cli_error("report: write error on '%s'",
			  o->output ? o->output : "standard output");
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

static int
report_run(struct cli_opts *o)
{
	struct report r = {.since = o->since,
			   .until = o->until,
			   .payer = o->payer,
			   .top = o->limit > 0 ? (size_t)o->limit
					       : RPT_TOP_DEFAULT};
	PGconn *conn = cli_db_connect(o->db);
	if (!conn)
		return EXIT_USAGE;
	int rc = load(conn, o->db, &r);
	PQfinish(conn);
	if (rc == EXIT_INTERNAL)
		cli_error("out of memory");
	if (rc == EXIT_CLEAN)
		rc = write_report(o, &r);
	rpt_free(&r);
	return rc;
}

static const struct cli_option since_row = {
	.name = "since",
	.letter = 's',
	.arg = "DATE",
	.help = "first date of service (YYYY-MM-DD)",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, since),
	.convert = parse_date,
};

static const struct cli_option until_row = {
	.name = "until",
	.letter = 'u',
	.arg = "DATE",
	.help = "last date of service (YYYY-MM-DD)",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, until),
	.convert = parse_date,
};

/* not cli_opt_payer: a filter on the claims' payer, not a profile */
static const struct cli_option payer_row = {
	.name = "payer",
	.letter = 'p',
	.arg = "PAYER",
	.help = "only this payer's claims",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, payer),
	.convert = parse_payer,
};

/* (the field review --limit fills: the two never meet) */
static const struct cli_option top_row = {
	.name = "top",
	.letter = 't',
	.arg = "N",
	.help = "payers and providers shown in text and HTML (default 10; "
		"CSV has all)",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, limit),
	.convert = parse_top,
};

static const struct cli_option format_row = CLI_OPT_FORMAT(
	formats, "text (default), csv or html (one self-contained file)");

static const struct cli_option *const options[] = {
	&since_row,	 &until_row,  &payer_row,    &top_row, &format_row,
	&cli_opt_output, &cli_opt_db, &cli_opt_help, NULL};

const struct cli_entry cmd_report_entry = {
	.name = "report",
	.summary = "denial-risk report: text, CSV or HTML with charts",
	.usage = "[OPTION]...",
	.about = "The denial-risk report of the scrubbed claims: flagged rate "
		 "per day, findings\n"
		 "by rule, payer and provider, week and month roll-ups with "
		 "the period before,\n"
		 "rule precision, and money (with a fee table, see "
		 "'claimscrub db fees'):\n"
		 "revenue at risk (gross), net change if fixed and revenue "
		 "missed.\n",
	.status = "Exit status: 0 done, 1 the database refused a query, 2 a "
		  "usage, file or\n"
		  "connection error.\n",
	.options = options,
	.operands = CLI_ARGS_NONE,
	.run = report_run,
};

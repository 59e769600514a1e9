/*
 * report — `claimscrub report [--since DATE] [--until DATE] [--payer P]
 * [--format text|csv|html] [-o FILE] [--db CONNINFO]`: the denial-risk
 * report.  Two queries (with parameters) over the views of
 * sql/005_review.sql, each one pass with GROUPING SETS: claims per day,
 * payer and provider (claimscrub.scrubbed_claim), and findings per day,
 * rule, payer and provider (claimscrub.finding_detail); the rows fill the
 * model of report.h and a renderer prints it.  A claimscrub_reviewer can
 * run it.  Exit 0 done, 1 the database refused a query, 2 a usage, file or
 * connection error.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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
	" count(*) FILTER (WHERE status = 'invalid')" \
	" FROM claimscrub.scrubbed_claim" REPORT_WHERE \
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

#define REPORT_FEES_SQL "SELECT EXISTS (SELECT 1 FROM claimscrub.fee_schedule)"

struct report_opts {
	const char *conninfo, *out_path;
	void (*render)(FILE *out, const struct report *r);
};

static const struct report_format {
	const char *name;
	void (*render)(FILE *out, const struct report *r);
} report_formats[] = {
	{"text", report_text},
	{"csv", report_csv},
	{"html", report_html},
	{NULL, NULL},
};

static void
report_usage(FILE *out)
{
	fprintf(out,
		"Usage: claimscrub report [OPTION]...\n"
		"The denial-risk report of the scrubbed claims: flagged rate "
		"per day, findings\n"
		"by rule, payer and provider, reviewer decisions, revenue at "
		"risk and missed\n"
		"(with a fee table, see 'claimscrub db fees').\n\n"
		"  -s, --since DATE     first date of service (YYYY-MM-DD)\n"
		"  -u, --until DATE     last date of service (YYYY-MM-DD)\n"
		"  -p, --payer PAYER    only this payer's claims\n"
		"  -f, --format FORMAT  text (default), csv or html (one "
		"self-contained file)\n"
		"  -o, --output FILE    write to FILE instead of standard "
		"output\n"
		"  -d, --db CONNINFO    libpq connection string or URI\n"
		"  -h, --help           show this help and exit\n\n"
		"Exit status: 0 done, 1 the database refused a query, 2 a "
		"usage, file or\n"
		"connection error.\n");
}

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

static int
set_format(struct report_opts *o, const char *name)
{
	for (const struct report_format *f = report_formats; f->name; f++)
		if (strcmp(f->name, name) == 0) {
			o->render = f->render;
			return EXIT_CLEAN;
		}
	cli_error("report: unknown format '%s' (text, csv or html)", name);
	return EXIT_USAGE;
}

static int
check_filters(const struct report *r)
{
	const char *dates[2] = {r->since, r->until};
	for (int i = 0; i < 2; i++)
		if (dates[i] && !valid_date(dates[i])) {
			cli_error("report: '%s' is not a date YYYY-MM-DD",
				  dates[i]);
			return EXIT_USAGE;
		}
	if (r->payer && (strlen(r->payer) == 0 || strlen(r->payer) > 64)) {
		cli_error("report: a payer is 1 to 64 characters");
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

static int
parse_opts(int argc, char **argv, struct report_opts *o, struct report *r)
{
	static const struct option longopts[] = {
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"payer", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch, rc = EXIT_CLEAN;
	while (rc == EXIT_CLEAN &&
	       (ch = getopt_long(argc, argv, "s:u:p:f:o:d:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 's':
			r->since = optarg;
			break;
		case 'u':
			r->until = optarg;
			break;
		case 'p':
			r->payer = optarg;
			break;
		case 'f':
			rc = set_format(o, optarg);
			break;
		case 'o':
			o->out_path = optarg;
			break;
		case 'd':
			o->conninfo = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return -1;
		default:
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (rc == EXIT_CLEAN && optind < argc) {
		cli_error("report: unexpected argument '%s'", argv[optind]);
		rc = EXIT_USAGE;
	}
	return rc == EXIT_CLEAN ? check_filters(r) : rc;
}

/* ---- the queries ------------------------------------------------------- */

/* Runs sql with the filters as $1..$3 (none when r is NULL). */
static PGresult *
run_query(PGconn *conn, const char *sql, const struct report *r)
{
	const char *params[3] = {r ? r->since : NULL, r ? r->until : NULL,
				 r ? r->payer : NULL};
	PGresult *res =
		PQexecParams(conn, sql, r ? 3 : 0, NULL, params, NULL, NULL, 0);
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

static long
num(const PGresult *res, int row, int col)
{
	return strtol(PQgetvalue(res, row, col), NULL, 10);
}

/* The row a result row adds to: the total, or a section's row. */
static struct rpt_row *
target(struct report *r, const PGresult *res, int row, const int sets[4],
       const int cols[4])
{
	long g = num(res, row, 0);
	for (int s = 0; s < RPT_NSEC; s++)
		if (sets[s] == g)
			return rpt_row_get(r, (enum rpt_section)s,
					   PQgetvalue(res, row, cols[s]));
	return &r->total;
}

static bool
fill_claims(struct report *r, const PGresult *res)
{
	static const int sets[RPT_NSEC] = {3, -1, 5, 6},
			 cols[RPT_NSEC] = {1, 0, 2, 3};
	for (int i = 0; i < PQntuples(res); i++) {
		struct rpt_row *row = target(r, res, i, sets, cols);
		if (!row)
			return false;
		row->claims = num(res, i, 4);
		row->flagged = num(res, i, 5);
		row->invalid = num(res, i, 6);
	}
	return true;
}

static bool
fill_findings(struct report *r, const PGresult *res)
{
	static const int sets[RPT_NSEC] = {7, 11, 13, 14},
			 cols[RPT_NSEC] = {1, 2, 3, 4};
	for (int i = 0; i < PQntuples(res); i++) {
		struct rpt_row *row = target(r, res, i, sets, cols);
		if (!row)
			return false;
		row->findings = num(res, i, 5);
		row->open = num(res, i, 6);
		row->corrected = num(res, i, 7);
		row->accepted = num(res, i, 8);
		row->fp = num(res, i, 9);
		if (!rpt_parse_cents(PQgetvalue(res, i, 10), &row->at_risk) ||
		    !rpt_parse_cents(PQgetvalue(res, i, 11), &row->missed))
			row->at_risk = row->missed = 0;
	}
	return true;
}

/* Runs the three queries into r; an exit status. */
static int
load(PGconn *conn, struct report *r)
{
	/* Two big aggregations: room to hash in memory, and no JIT compile
	 * (it costs more than it saves on queries this short). */
	PQclear(PQexec(conn, "SET work_mem = '64MB'; SET jit = off"));
	PGresult *res = run_query(conn, REPORT_FEES_SQL, NULL);
	if (!res)
		return EXIT_REJECTED;
	r->money = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	bool ok = (res = run_query(conn, REPORT_CLAIMS_SQL, r)) &&
		  fill_claims(r, res);
	PQclear(res);
	if (ok) {
		rpt_sort_keys(r);
		ok = (res = run_query(conn, REPORT_FINDINGS_SQL, r)) &&
		     fill_findings(r, res);
		PQclear(res);
	}
	if (!ok)
		return res ? EXIT_INTERNAL : EXIT_REJECTED;
	rpt_sort(r);
	snprintf(r->total.key, sizeof(r->total.key), "all");
	return EXIT_CLEAN;
}

static int
write_report(const struct report_opts *o, const struct report *r)
{
	FILE *out = o->out_path ? fopen(o->out_path, "w") : stdout;
	if (!out) {
		cli_error("report: cannot write '%s'", o->out_path);
		return EXIT_USAGE;
	}
	o->render(out, r);
	bool failed = ferror(out) != 0;
	if (out != stdout)
		failed |= fclose(out) != 0;
	else
		failed |= fflush(out) != 0;
	if (failed) {
		cli_error("report: write error on '%s'",
			  o->out_path ? o->out_path : "standard output");
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

int
cmd_report(int argc, char **argv)
{
	struct report_opts o = {.render = report_text};
	struct report r = {0};
	int rc = parse_opts(argc, argv, &o, &r);
	if (rc != EXIT_CLEAN)
		return rc < 0 ? EXIT_CLEAN : rc;
	PGconn *conn = cli_db_connect(o.conninfo);
	if (!conn)
		return EXIT_USAGE;
	rc = load(conn, &r);
	PQfinish(conn);
	if (rc == EXIT_INTERNAL)
		cli_error("out of memory");
	if (rc == EXIT_CLEAN)
		rc = write_report(&o, &r);
	rpt_free(&r);
	return rc;
}

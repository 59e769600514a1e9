/*
 * report — `claimscrub report [--since DATE] [--until DATE] [--payer P]
 * [--top N] [--format text|csv|html] [-o FILE] [--db CONNINFO]`: the
 * denial-risk report.  The queries of report/report_load.c (with
 * parameters, over the views of sql/api/050_review.sql) fill the model of
 * report/report.h in one read-only snapshot, the findings' aggregation on
 * a second connection beside the rest, and a renderer prints it.
 * Exit 0 done, 1 the database refused a query, 2 a usage, file or
 * connection error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "report/report.h"
#include "report/report_load.h"

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

/* --payer, --provider: a payer or provider, as claimscrub.submit() takes
 * them. */
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
	const char *params[RPT_NPARAMS];
	rpt_params(r, params);
	return checked(conn, PQexecParams(conn, sql, r ? RPT_NPARAMS : 0, NULL,
					  params, NULL, NULL, 0));
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

/* One read-only snapshot for every query (and the second connection's
 * imported). */
#define REPORT_TXN RPT_BEGIN "; " RPT_SETTINGS

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
	const char *params[RPT_NPARAMS];
	rpt_params(r, params);
	/* (why it could not connect goes unsaid: the first connection
	 * does the work then) */
	if (aside && command_ok(aside, RPT_BEGIN) && command_ok(aside, sql) &&
	    command_ok(aside, RPT_SETTINGS) &&
	    PQsendQueryParams(aside, rpt_queries[RPT_Q_FINDINGS].sql,
			      RPT_NPARAMS, NULL, params, NULL, NULL, 0))
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
	int rc = EXIT_CLEAN;
	r->before.by_key = true;
	for (int q = 0; q < RPT_NQUERIES && rc == EXIT_CLEAN; q++) {
		const struct rpt_query *x = &rpt_queries[q];
		if (!rpt_wanted(r, (enum rpt_query_id)q))
			continue;
		if (q == RPT_Q_FINDINGS && aside)
			rc = fill_from(aside_result(aside), r, x->fill);
		else
			rc = step(conn, x->sql, x->bare, r, x->fill);
	}
	PQfinish(aside);
	if (rc != EXIT_CLEAN)
		return rc;
	if (!rpt_finish(r))
		return EXIT_INTERNAL;
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
			   .provider = o->provider,
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

static const struct cli_option provider_row = {
	.name = "provider",
	.arg = "PROVIDER",
	.help = "only this provider's claims",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, provider),
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
	&since_row,  &until_row,      &payer_row,  &provider_row, &top_row,
	&format_row, &cli_opt_output, &cli_opt_db, &cli_opt_help, NULL};

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

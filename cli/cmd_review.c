/*
 * review — `claimscrub review [FILTER]... [--sort amount|age|dos] [--limit
 * N] [--format text|json] [--db CONNINFO]`: the work list of the review
 * workflow (claimscrub.work_list(), sql/api/060_workflow.sql), one claim
 * a line: its state, assignee, worst open severity, open rules, open
 * findings, money at risk, date of service, payer, provider and the
 * revision the other commands take with --revision.  `review --claim REF`
 * is one claim's whole record (review_detail.c).  JSON: JSON Lines, one
 * compact object a line, "format": 1 first, the other keys in byte order.
 * Exit 0 done, 1 the database refused the query, 2 a usage or connection
 * error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "cli/review.h"
#include "cli/termsafe.h"
#include "cli/work.h"

#define REVIEW_DEFAULT_LIMIT 20
#define REVIEW_MAX_LIMIT 1000 /* work_list()'s largest page */
/* the limits in the help and errors, as text */
#define REVIEW_STR_(x) #x
#define REVIEW_STR(x) REVIEW_STR_(x)

/* The filters as $1..$8, the order $9, the page $10. */
#define REVIEW_LIST \
	" FROM claimscrub.work_list($1, $2, $3, $4, $5, $6, $7::integer," \
	" $8::numeric, $9, $10::integer, 0)"

/* One line per item, every value text; '-' for none. */
#define REVIEW_TEXT_SQL \
	"SELECT claim_ref, state, coalesce(' until ' || deferred_until, ''" \
	"), coalesce(' from ' || department, ''), coalesce(severity, '-')," \
	" coalesce(nullif(array_to_string(rules, ','), ''), '-')," \
	" open_findings, findings, coalesce(amount_at_risk::text, '-')," \
	" coalesce(date_of_service::text, '-'), payer, provider," \
	" coalesce(assignee, '-'), revision" REVIEW_LIST

/* row_to_json: compact, its keys in the select list's order. */
#define REVIEW_JSON_SQL \
	"SELECT row_to_json(t)::text FROM (SELECT 1 AS format," \
	" amount_at_risk, assignee, claim_ref AS claim, date_of_service," \
	" deferred_until, department, findings, open_findings, opened_at," \
	" payer, provider, released_at, revision, rules, severity, state," \
	" updated_at, updated_by, claim_version AS version" REVIEW_LIST ") t"

/* --format and --sort, in the order of their rows' choices */
enum { REVIEW_TEXT, REVIEW_JSON };
static const char *const formats[] = {"text", "json", NULL};
static const char *const sorts[] = {"amount", "age", "dos", NULL};

/* --limit N: a number from 1 to REVIEW_MAX_LIMIT into *field, a long. */
static const char *
parse_limit(const char *s, void *field)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || n < 1 || n > REVIEW_MAX_LIMIT)
		return "a number from 1 to " REVIEW_STR(REVIEW_MAX_LIMIT);
	*(long *)field = n;
	return NULL;
}

/* ---- text ------------------------------------------------------------------------ */

/* One work item: every value is database text, so each goes out through
 * termsafe; the labels keep the line readable without a header. */
static void
put_item(FILE *out, const PGresult *res, int i)
{
	/* what goes before each column of REVIEW_TEXT_SQL */
	static const char *const fmt[] = {
		"",	       /* claim */
		"  ",	       /* state */
		"",	       /* " until DAY" */
		"",	       /* " from DEPARTMENT" */
		"  ",	       /* severity */
		"  rules ",    /* rules */
		"  open ",     /* open findings */
		" of ",	       /* findings */
		"  at risk ",  /* amount */
		"  dos ",      /* date of service */
		"  payer ",    /* payer */
		"  provider ", /* provider */
		"  assignee ", /* assignee */
		"  rev ",      /* revision */
	};
	for (int c = 0; c < (int)(sizeof(fmt) / sizeof(fmt[0])); c++) {
		fputs(fmt[c], out);
		termsafe_put(out, PQgetvalue(res, i, c));
	}
	fputc('\n', out);
}

static void
print_text(FILE *out, const PGresult *res, long limit)
{
	int n = PQntuples(res);
	if (n == 0) {
		fputs("no work items match\n", out);
		return;
	}
	for (int i = 0; i < n; i++)
		put_item(out, res, i);
	fprintf(out, "\n%d work item%s shown%s\n", n, n == 1 ? "" : "s",
		n == limit ? " (the limit: there may be more)" : "");
}

/* ---- the list --------------------------------------------------------------------------- */

static int
list_run(const struct cli_opts *o, PGconn *conn)
{
	char limit[24], msg[1024];
	long lim = o->limit ? o->limit : REVIEW_DEFAULT_LIMIT;
	bool json = o->format == REVIEW_JSON;
	int rc = EXIT_CLEAN;
	snprintf(limit, sizeof(limit), "%ld", lim);
	const char *params[10] = {o->state,	 o->rule,	o->severity,
				  o->payer,	 o->provider,	o->assignee,
				  o->older_than, o->min_amount, sorts[o->sort],
				  limit};
	PGresult *res =
		work_call(conn, json ? REVIEW_JSON_SQL : REVIEW_TEXT_SQL, 10,
			  params, &rc, msg, sizeof(msg));
	if (!res) {
		cli_error("review: %s", msg);
		return rc;
	}
	if (json)
		for (int i = 0; i < PQntuples(res); i++)
			printf("%s\n", PQgetvalue(res, i, 0));
	else
		print_text(stdout, res, lim);
	PQclear(res);
	return EXIT_CLEAN;
}

/* --claim shows one claim whole: the list's options make no sense
 * with it, and are refused rather than silently ignored. */
static bool
list_options_given(const struct cli_opts *o)
{
	return o->state || o->rule || o->severity || o->payer || o->provider ||
	       o->assignee || o->older_than || o->min_amount || o->sort ||
	       o->limit;
}

static int
review_run(struct cli_opts *o)
{
	if (o->claim && list_options_given(o)) {
		cli_error("review: --claim shows one claim: no filter, --sort "
			  "or --limit with it");
		return EXIT_USAGE;
	}
	PGconn *conn = cli_db_connect(o->db);
	if (!conn)
		return EXIT_USAGE;
	int rc = o->claim ? review_claim(conn, o->claim,
					 o->format == REVIEW_JSON, stdout)
			  : list_run(o, conn);
	PQfinish(conn);
	return rc;
}

/* ---- the option rows ------------------------------------------------------------------------ */

#define ROW(name_, arg_, help_, field_, conv_) \
	{ \
		.name = (name_), .arg = (arg_), .help = (help_), \
		.kind = CLI_OPT_CONVERT, \
		.field = offsetof(struct cli_opts, field_), .convert = (conv_) \
	}

static const struct cli_option limit_row = {
	.name = "limit",
	.letter = 'n',
	.arg = "N",
	.help = "at most N claims, 1 to " REVIEW_STR(
		REVIEW_MAX_LIMIT) " (default " REVIEW_STR(REVIEW_DEFAULT_LIMIT) ")",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, limit),
	.convert = parse_limit,
};

static const struct cli_option format_row = CLI_OPT_FORMAT(
	formats, "text (default) or json (JSON Lines, one object a line)");

static const struct cli_option sort_row = {
	.name = "sort",
	.arg = "ORDER",
	.help = "amount (the most money at risk first, the default), age "
		"(open longest first) or dos (oldest date of service first)",
	.kind = CLI_OPT_CHOICE,
	.field = offsetof(struct cli_opts, sort),
	.choices = sorts,
};

static const struct cli_option claim_row =
	ROW("claim", "REF",
	    "one claim's record: lines, administrations, every finding with "
	    "its decision, notes and trail",
	    claim, work_parse_name);
static const struct cli_option state_row = ROW(
	"state", "STATE",
	"open, in-progress, deferred, waiting-documentation, resolved or all "
	"(default: all but resolved)",
	state, work_parse_state);
static const struct cli_option rule_row =
	ROW("rule", "RULE", "only claims with an open finding of RULE", rule,
	    work_parse_name);
static const struct cli_option severity_row =
	ROW("severity", "SEVERITY",
	    "only claims whose worst open finding is SEVERITY", severity,
	    work_parse_severity);
static const struct cli_option payer_row =
	ROW("payer", "PAYER", "only this payer's claims ((none): no payer)",
	    payer, work_parse_name);
static const struct cli_option provider_row =
	ROW("provider", "PROVIDER", "only this provider's claims", provider,
	    work_parse_name);
static const struct cli_option assignee_row =
	ROW("assignee", "WHO", "only the claims assigned to WHO", assignee,
	    work_parse_name);
static const struct cli_option older_row =
	ROW("older-than", "DAYS", "only the claims open more than DAYS days",
	    older_than, work_parse_count);
static const struct cli_option amount_row = ROW(
	"min-amount", "AMOUNT", "only the claims with at least AMOUNT at risk",
	min_amount, work_parse_amount);

static const struct cli_option *const options[] = {
	&claim_row,    &state_row,    &rule_row,   &severity_row, &payer_row,
	&provider_row, &assignee_row, &older_row,  &amount_row,	  &sort_row,
	&limit_row,    &format_row,   &cli_opt_db, &cli_opt_help, NULL};

const struct cli_entry cmd_review_entry = {
	.name = "review",
	.summary = "the review work list, or one claim's record (--claim)",
	.usage = "[OPTION]...",
	.about = "The work list: one line per claim with findings to review "
		 "(its state,\n"
		 "assignee, worst severity, open rules, money at risk, date of "
		 "service, payer,\n"
		 "provider, revision), the most money at risk first.  --claim "
		 "REF prints one\n"
		 "claim's record with each finding's id for 'claimscrub "
		 "resolve'.\n",
	.status = "Exit status: 0 done, 1 the database refused the query (no "
		  "such claim), 2 a\nusage or connection error.\n",
	.options = options,
	.operands = CLI_ARGS_NONE,
	.run = review_run,
};

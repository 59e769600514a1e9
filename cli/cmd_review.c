/*
 * review — `claimscrub review [--limit N] [--format text|json] [--db
 * CONNINFO]`: the review queue (claimscrub.review_queue) for a person: the
 * claims with open findings, oldest date of service first, each finding
 * with its severity, message, evidence, the fix, and the decision taken so
 * far.  Decisions are recorded with claimscrub.resolve_finding(id,
 * resolution, note); the finding ids printed here are its first argument.
 * JSON: one object per claim (JSON Lines).  Exit 0 done, 1 the database
 * refused the query, 2 a usage or connection error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "cli/termsafe.h"

#define REVIEW_DEFAULT_LIMIT 20
#define REVIEW_MAX_LIMIT 100000
/* the limits in the help and errors, as text */
#define REVIEW_STR_(x) #x
#define REVIEW_STR(x) REVIEW_STR_(x)

/* The first $1 claims of the queue, in its order. */
#define REVIEW_CLAIMS \
	"WITH q AS (SELECT claim_id, min(date_of_service) AS d," \
	" min(enqueued_at) AS e FROM claimscrub.review_queue" \
	" GROUP BY claim_id ORDER BY 2, 3, 1 LIMIT $1::integer) "

#define REVIEW_TEXT_SQL \
	REVIEW_CLAIMS \
	"SELECT r.claim_ref, r.payer, r.provider, r.date_of_service::text," \
	" r.status, r.profile, r.finding_id, r.severity, r.rule," \
	" coalesce(r.line_no::text, ''), coalesce(r.line_code, ''), " \
	" coalesce(r.line_units::text, ''), coalesce(r.administration_ref, " \
	"'')," \
	" r.message, coalesce((SELECT string_agg(key || '=' || value, ' ')" \
	"  FROM jsonb_each_text(CASE jsonb_typeof(r.evidence) WHEN 'object'" \
	"  THEN r.evidence END)), ''), coalesce(r.suggest->>'action', '')," \
	" coalesce(r.suggest->>'code', ''), coalesce(r.suggest->>'units', " \
	"'')," \
	" coalesce(r.suggest->>'modifier', ''), coalesce(r.suggest->>'take', " \
	"''), coalesce(r.resolution, '')," \
	" coalesce(r.resolved_by, ''), coalesce(r.note, '')," \
	" (SELECT count(DISTINCT claim_id) FROM claimscrub.review_queue)" \
	" FROM claimscrub.review_queue r JOIN q USING (claim_id)" \
	" ORDER BY q.d, q.e, q.claim_id, r.ordinal"

#define REVIEW_JSON_SQL \
	REVIEW_CLAIMS \
	"SELECT json_build_object('claim', r.claim_ref, 'payer', r.payer," \
	" 'provider', r.provider, 'date_of_service', r.date_of_service," \
	" 'status', r.status, 'profile', r.profile, 'findings'," \
	" json_agg(json_build_object('id', r.finding_id, 'rule', r.rule," \
	" 'severity', r.severity, 'line', r.line_no, 'code', r.line_code," \
	" 'units', r.line_units, 'administration', r.administration_ref," \
	" 'message', r.message, 'evidence', r.evidence, 'suggest', r.suggest," \
	" 'resolution', r.resolution, 'resolved_by', r.resolved_by," \
	" 'resolved_at', r.resolved_at, 'note', r.note) ORDER BY r.ordinal))" \
	"::text FROM claimscrub.review_queue r JOIN q USING (claim_id)" \
	" GROUP BY q.d, q.e, q.claim_id, r.claim_ref, r.payer, r.provider," \
	" r.date_of_service, r.status, r.profile ORDER BY q.d, q.e, " \
	"q.claim_id"

/* --format, in the order of the row's choices */
enum { REVIEW_TEXT, REVIEW_JSON };

/* text columns */
enum {
	RV_REF,
	RV_PAYER,
	RV_PROVIDER,
	RV_DATE,
	RV_STATUS,
	RV_PROFILE,
	RV_ID,
	RV_SEVERITY,
	RV_RULE,
	RV_LINE,
	RV_CODE,
	RV_UNITS,
	RV_ADMIN,
	RV_MESSAGE,
	RV_EVIDENCE,
	RV_ACTION,
	RV_SCODE,
	RV_SUNITS,
	RV_MODIFIER,
	RV_TAKE,
	RV_RESOLUTION,
	RV_BY,
	RV_NOTE,
	RV_TOTAL
};

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

/* ---- text -------------------------------------------------------------------- */
/* Every value of a row is claim text or may be (rows can be written around
 * submit()): each goes out through termsafe. */

/* The fix in words, as `claimscrub check` says it. */
static void
put_fix(FILE *out, const PGresult *res, int i)
{
	enum { NONE, CODE_UNITS, MODIFIER, TAKE };
	static const struct {
		const char *action, *words, *after;
		int what;
	} fixes[] = {
		{"replace", "bill ", " in place of units of this line",
		 CODE_UNITS},
		{"set-units", "bill ", " on this line", CODE_UNITS},
		{"add", "add ", "", CODE_UNITS},
		{"remove", "take off this line: ", " unit(s)", TAKE},
		{"add-modifier", "add modifier ", "", MODIFIER},
		{"remove-modifier", "remove modifier ", "", MODIFIER},
		{"document", "complete the documented times, then re-scrub", "",
		 NONE},
		{"review", "needs a coder's review", "", NONE},
	};
	const char *action = PQgetvalue(res, i, RV_ACTION);
	for (size_t k = 0; k < sizeof(fixes) / sizeof(fixes[0]); k++) {
		if (strcmp(action, fixes[k].action) != 0)
			continue;
		fprintf(out, "        fix: %s", fixes[k].words);
		if (fixes[k].what == CODE_UNITS) {
			termsafe_put(out, PQgetvalue(res, i, RV_SCODE));
			fputs(" x", out);
			termsafe_put(out, PQgetvalue(res, i, RV_SUNITS));
		} else if (fixes[k].what == MODIFIER) {
			termsafe_put(out, PQgetvalue(res, i, RV_MODIFIER));
		} else if (fixes[k].what == TAKE) {
			termsafe_put(out, PQgetvalue(res, i, RV_TAKE));
		}
		fprintf(out, "%s\n", fixes[k].after);
		return;
	}
}

static void
put_claim(FILE *out, const PGresult *res, int i)
{
	fputs("\n== ", out);
	termsafe_put(out, PQgetvalue(res, i, RV_REF));
	static const struct {
		int col;
		const char *label;
	} f[] = {{RV_DATE, "date"},
		 {RV_PAYER, "payer"},
		 {RV_PROVIDER, "provider"},
		 {RV_PROFILE, "profile"},
		 {RV_STATUS, "status"}};
	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		fprintf(out, "  %s ", f[k].label);
		termsafe_put(out, PQgetvalue(res, i, f[k].col));
	}
	fputc('\n', out);
}

static void
put_finding(FILE *out, const PGresult *res, int i)
{
	const char *v[RV_TOTAL + 1];
	for (int c = 0; c <= RV_TOTAL; c++)
		v[c] = PQgetvalue(res, i, c);
	fprintf(out, "  #%-7s ", v[RV_ID]);
	termsafe_put_cols(out, v[RV_SEVERITY], -1, 7);
	fputc(' ', out);
	termsafe_put(out, v[RV_RULE]);
	if (*v[RV_LINE]) {
		fprintf(out, "  line %s (", v[RV_LINE]);
		termsafe_put(out, v[RV_CODE]);
		fprintf(out, " x%s)", v[RV_UNITS]);
	}
	if (*v[RV_ADMIN]) {
		fputs("  administration ", out);
		termsafe_put(out, v[RV_ADMIN]);
	}
	fputs(*v[RV_RESOLUTION] ? "\n        decided: " : "  [open]\n", out);
	if (*v[RV_RESOLUTION]) {
		termsafe_put(out, v[RV_RESOLUTION]);
		fputs(" by ", out);
		termsafe_put(out, v[RV_BY]);
		fputs(*v[RV_NOTE] ? ": " : "", out);
		termsafe_put(out, v[RV_NOTE]);
		fputc('\n', out);
	}
	fputs("        ", out);
	termsafe_put(out, v[RV_MESSAGE]);
	fputs(*v[RV_EVIDENCE] ? "\n        evidence: " : "", out);
	termsafe_put(out, v[RV_EVIDENCE]);
	fputc('\n', out);
	put_fix(out, res, i);
}

static void
print_text(FILE *out, const PGresult *res)
{
	int n = PQntuples(res);
	if (n == 0) {
		fputs("the review queue is empty\n", out);
		return;
	}
	long shown = 0;
	for (int i = 0; i < n; i++) {
		if (i == 0 || strcmp(PQgetvalue(res, i, RV_REF),
				     PQgetvalue(res, i - 1, RV_REF)) != 0) {
			put_claim(out, res, i);
			shown++;
		}
		put_finding(out, res, i);
	}
	fprintf(out, "\n%ld of %s claims in the review queue shown\n", shown,
		PQgetvalue(res, 0, RV_TOTAL));
}

static int
review_run(struct cli_opts *o)
{
	char limit[24];
	bool json = o->format == REVIEW_JSON;
	int rc = EXIT_CLEAN;
	snprintf(limit, sizeof(limit), "%ld",
		 o->limit ? o->limit : REVIEW_DEFAULT_LIMIT);
	PGconn *conn = cli_db_connect(o->db);
	if (!conn)
		return EXIT_USAGE;
	const char *params[1] = {limit};
	PGresult *res =
		PQexecParams(conn, json ? REVIEW_JSON_SQL : REVIEW_TEXT_SQL, 1,
			     NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char msg[1024];
		cli_error("review: %s",
			  cli_db_message(conn, res, msg, sizeof(msg)));
		rc = PQstatus(conn) == CONNECTION_BAD ? EXIT_USAGE
						      : EXIT_REJECTED;
	} else if (json) {
		for (int i = 0; i < PQntuples(res); i++)
			printf("%s\n", PQgetvalue(res, i, 0));
	} else {
		print_text(stdout, res);
	}
	PQclear(res);
	PQfinish(conn);
	return rc;
}

static const char *const formats[] = {"text", "json", NULL};

static const struct cli_option limit_row = {
	.name = "limit",
	.letter = 'n',
	.arg = "N",
	.help = "at most N claims (default " REVIEW_STR(
		REVIEW_DEFAULT_LIMIT) ")",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, limit),
	.convert = parse_limit,
};

static const struct cli_option format_row = CLI_OPT_FORMAT(
	formats, "text (default) or json (JSON Lines, one claim a line)");

static const struct cli_option *const options[] = {
	&limit_row, &format_row, &cli_opt_db, &cli_opt_help, NULL};

const struct cli_entry cmd_review_entry = {
	.name = "review",
	.summary = "show the review queue of open findings",
	.usage = "[OPTION]...",
	.about = "The review queue: claims with open findings, oldest date of "
		 "service first,\n"
		 "each finding with its evidence and fix.  Record a decision "
		 "with\n"
		 "  SELECT claimscrub.resolve_finding(ID, 'corrected' | "
		 "'accepted-risk' |\n"
		 "                                    'false-positive', "
		 "'note');\n",
	.status = "Exit status: 0 done, 1 the database refused the query, 2 a "
		  "usage or\nconnection error.\n",
	.options = options,
	.operands = CLI_ARGS_NONE,
	.run = review_run,
};

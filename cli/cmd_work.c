/*
 * work commands — the reviewer's actions on the review workflow, one SQL
 * API call each (sql/api/060_workflow.sql), so the server decides what is
 * allowed and records who did it:
 *
 *   claimscrub resolve ID... --as REASON [--note T] [--seen TIME]
 *   claimscrub resolve --rule R --as REASON [--payer P] [--provider V]
 *                      [--severity S] [--note T] [--dry-run]
 *   claimscrub assign REF --to WHO | --unassign [--revision N]
 *   claimscrub take [--team T]
 *   claimscrub defer REF --until YYYY-MM-DD [--note T] [--revision N]
 *   claimscrub route REF --to DEPARTMENT [--note T] [--revision N]
 *   claimscrub note REF TEXT [--finding ID]
 *
 * Exit 0 done, 1 the database refused (a conflict, no such claim or
 * finding; the message names it and says the server's reason), 2 a usage
 * or connection error.  Values go to the server only as parameters.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "cli/termsafe.h"
#include "cli/work.h"

/* The server's messages and the values printed back, escaped. */
#define MSG_MAX 1024

/* ---- shared -------------------------------------------------------------------- */

/* Runs sql on conn and copies its one value into val ("" for NULL);
 * EXIT_CLEAN, else the exit status after saying "CMD: WHAT: why". */
static int
call_one(PGconn *conn, const char *sql, int n, const char *const *params,
	 const char *cmd, const char *what, char *val, size_t size)
{
	char msg[MSG_MAX];
	int rc = EXIT_CLEAN;
	PGresult *res = work_call(conn, sql, n, params, &rc, msg, sizeof(msg));
	if (!res) {
		cli_error("%s: %s: %s", cmd, what, msg);
		return rc;
	}
	termsafe_copy(val, size, PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return EXIT_CLEAN;
}

/* Connects and makes the one call of a command on a claim; the value it
 * returns into val. */
static int
run_call(const struct cli_opts *o, const char *sql, int n,
	 const char *const *params, const char *cmd, const char *what,
	 char *val, size_t size)
{
	PGconn *conn = cli_db_connect(o->db);
	if (!conn)
		return EXIT_USAGE;
	int rc = call_one(conn, sql, n, params, cmd, what, val, size);
	PQfinish(conn);
	return rc;
}

/* The one claim operand of a command; NULL (said) when there are more. */
static const char *
one_claim(const struct cli_opts *o, const char *cmd, int want)
{
	if (o->nargs == want)
		return o->args[0];
	cli_error("%s: expected %s, not %d argument(s) (try 'claimscrub %s "
		  "--help')",
		  cmd, want == 1 ? "one claim" : "a claim and a note", o->nargs,
		  cmd);
	return NULL;
}

/* Says that option opt goes with other only; returns EXIT_USAGE. */
static int
misplaced(const char *cmd, const char *opt, const char *other)
{
	cli_error("%s: %s goes with %s only", cmd, opt, other);
	return EXIT_USAGE;
}

/* What a claim's value looks like in a message: "claim REF", escaped. */
static const char *
claim_what(const char *ref, char *buf, size_t size)
{
	char safe[256];
	snprintf(buf, size, "claim %s", termsafe_copy(safe, sizeof(safe), ref));
	return buf;
}

/* ---- resolve --------------------------------------------------------------------- */

#define DECIDE_SQL \
	"SELECT claimscrub.decide($1::bigint, $2, $3, $4::timestamptz)::text"
#define DECIDE_BULK_SQL \
	"SELECT claimscrub.decide_bulk($1, $2, $3, $4, $5, $6, $7::boolean)"

/* Decides each finding; a refusal (a conflict names who decided it and
 * when) does not stop the others, a lost connection does. */
static int
resolve_each(PGconn *conn, const struct cli_opts *o)
{
	int worst = EXIT_CLEAN;
	for (int i = 0; i < o->nargs && worst != EXIT_USAGE; i++) {
		char what[64], at[64];
		const char *params[4] = {o->args[i], o->reason, o->note,
					 o->seen};
		snprintf(what, sizeof(what), "finding %s", o->args[i]);
		int rc = call_one(conn, DECIDE_SQL, 4, params, "resolve", what,
				  at, sizeof(at));
		if (rc == EXIT_CLEAN)
			printf("finding %s: %s at %s\n", o->args[i], o->reason,
			       at);
		else if (rc > worst)
			worst = rc;
	}
	return worst;
}

/* resolve --rule: counts (--dry-run) or decides the open findings. */
static int
resolve_bulk(PGconn *conn, const struct cli_opts *o)
{
	char n[32], what[128], safe[96];
	const char *params[7] = {o->rule,
				 o->reason,
				 o->note,
				 o->payer,
				 o->provider,
				 o->severity,
				 o->dry_run ? "true" : "false"};
	snprintf(what, sizeof(what), "rule %s",
		 termsafe_copy(safe, sizeof(safe), o->rule));
	int rc = call_one(conn, DECIDE_BULK_SQL, 7, params, "resolve", what, n,
			  sizeof(n));
	if (rc == EXIT_CLEAN)
		printf("%s finding%s %s\n", n, strcmp(n, "1") == 0 ? "" : "s",
		       o->dry_run ? "would be decided" : "decided");
	return rc;
}

/* The options that make sense together, before connecting. */
static int
resolve_check(const struct cli_opts *o)
{
	if (!o->reason) {
		cli_error("resolve: --as REASON is required (the codes: "
			  "SELECT code FROM claimscrub.reason)");
		return EXIT_USAGE;
	}
	if (o->rule) {
		if (o->nargs > 0) {
			cli_error("resolve: finding ids or --rule, not both");
			return EXIT_USAGE;
		}
		return o->seen ? misplaced("resolve", "--seen", "finding ids")
			       : EXIT_CLEAN;
	}
	if (o->nargs == 0) {
		cli_error("resolve: no finding ids given, nor --rule (try "
			  "'claimscrub resolve --help')");
		return EXIT_USAGE;
	}
	if (o->payer || o->provider || o->severity || o->dry_run)
		return misplaced(
			"resolve",
			"--payer, --provider, --severity and --dry-run",
			"--rule");
	for (int i = 0; i < o->nargs; i++)
		if (!work_is_id(o->args[i])) {
			cli_error("resolve: '%s' is not a finding id",
				  o->args[i]);
			return EXIT_USAGE;
		}
	return EXIT_CLEAN;
}

static int
resolve_run(struct cli_opts *o)
{
	int rc = resolve_check(o);
	if (rc != EXIT_CLEAN)
		return rc;
	PGconn *conn = cli_db_connect(o->db);
	if (!conn)
		return EXIT_USAGE;
	rc = o->rule ? resolve_bulk(conn, o) : resolve_each(conn, o);
	PQfinish(conn);
	return rc;
}

/* ---- assign, take -------------------------------------------------------------------- */

static int
assign_run(struct cli_opts *o)
{
	const char *ref = one_claim(o, "assign", 1);
	char rev[32], what[300];
	if (!ref)
		return EXIT_USAGE;
	if (!o->to == !o->unassign) {
		cli_error("assign: --to WHO or --unassign, one of them");
		return EXIT_USAGE;
	}
	const char *params[3] = {ref, o->to, o->revision};
	int rc = run_call(
		o, "SELECT claimscrub.work_assign($1, $2, $3::integer)", 3,
		params, "assign", claim_what(ref, what, sizeof(what)), rev,
		sizeof(rev));
	if (rc != EXIT_CLEAN)
		return rc;
	termsafe_put(stdout, ref);
	fputs(o->to ? ": assigned to " : ": unassigned", stdout);
	termsafe_put(stdout, o->to ? o->to : "");
	printf(" (revision %s)\n", rev);
	return EXIT_CLEAN;
}

static int
take_run(struct cli_opts *o)
{
	char ref[256];
	const char *params[1] = {o->team};
	int rc = run_call(o, "SELECT claimscrub.work_take($1)", 1, params,
			  "take", "the next work item", ref, sizeof(ref));
	if (rc != EXIT_CLEAN)
		return rc;
	if (!*ref) {
		cli_error("take: no open work item to take");
		return EXIT_REJECTED;
	}
	printf("%s\n", ref);
	return EXIT_CLEAN;
}

/* ---- defer, route, note ------------------------------------------------------------------ */

static int
defer_run(struct cli_opts *o)
{
	const char *ref = one_claim(o, "defer", 1);
	char rev[32], what[300];
	if (!ref)
		return EXIT_USAGE;
	if (!o->until) {
		cli_error("defer: --until YYYY-MM-DD is required");
		return EXIT_USAGE;
	}
	const char *params[4] = {ref, o->until, o->note, o->revision};
	int rc =
		run_call(o,
			 "SELECT claimscrub.work_defer($1, $2::date, $3, "
			 "$4::integer)",
			 4, params, "defer",
			 claim_what(ref, what, sizeof(what)), rev, sizeof(rev));
	if (rc != EXIT_CLEAN)
		return rc;
	termsafe_put(stdout, ref);
	printf(": deferred until %s (revision %s)\n", o->until, rev);
	return EXIT_CLEAN;
}

static int
route_run(struct cli_opts *o)
{
	const char *ref = one_claim(o, "route", 1);
	char rev[32], what[300];
	if (!ref)
		return EXIT_USAGE;
	if (!o->to) {
		cli_error("route: --to DEPARTMENT is required");
		return EXIT_USAGE;
	}
	const char *params[4] = {ref, o->to, o->note, o->revision};
	int rc =
		run_call(o,
			 "SELECT claimscrub.work_route($1, $2, $3, "
			 "$4::integer)",
			 4, params, "route",
			 claim_what(ref, what, sizeof(what)), rev, sizeof(rev));
	if (rc != EXIT_CLEAN)
		return rc;
	termsafe_put(stdout, ref);
	fputs(": waiting for documentation from ", stdout);
	termsafe_put(stdout, o->to);
	printf(" (revision %s)\n", rev);
	return EXIT_CLEAN;
}

static int
note_run(struct cli_opts *o)
{
	const char *ref = one_claim(o, "note", 2);
	char id[32], what[300];
	if (!ref)
		return EXIT_USAGE;
	const char *text = o->args[1];
	if (!*text || strlen(text) > 2000) {
		cli_error("note: a note is 1 to 2000 characters");
		return EXIT_USAGE;
	}
	const char *params[3] = {ref, text, o->finding};
	int rc = run_call(o, "SELECT claimscrub.work_note($1, $2, $3::bigint)",
			  3, params, "note",
			  claim_what(ref, what, sizeof(what)), id, sizeof(id));
	if (rc != EXIT_CLEAN)
		return rc;
	termsafe_put(stdout, ref);
	printf(": note %s added\n", id);
	return EXIT_CLEAN;
}

/* ---- the option rows ------------------------------------------------------------------------ */

#define ROW(name_, arg_, help_, field_, conv_) \
	{ \
		.name = (name_), .arg = (arg_), .help = (help_), \
		.kind = CLI_OPT_CONVERT, \
		.field = offsetof(struct cli_opts, field_), .convert = (conv_) \
	}
#define FLAG(name_, help_, field_) \
	{ \
		.name = (name_), .help = (help_), .kind = CLI_OPT_FLAG, \
		.field = offsetof(struct cli_opts, field_) \
	}

static const struct cli_option as_row = ROW(
	"as", "REASON", "the reason code (SELECT code FROM claimscrub.reason)",
	reason, work_parse_name);
static const struct cli_option note_row =
	ROW("note", "TEXT", "a note with it (up to 2000 characters)", note,
	    work_parse_note);
static const struct cli_option seen_row = ROW(
	"seen", "TIME",
	"the decision time you read (review --claim); decide over it only if "
	"it is still that",
	seen, work_parse_note);
static const struct cli_option rule_row =
	ROW("rule", "RULE", "bulk: every open finding of this rule", rule,
	    work_parse_name);
static const struct cli_option payer_row =
	ROW("payer", "PAYER", "bulk: only this payer's claims", payer,
	    work_parse_name);
static const struct cli_option provider_row =
	ROW("provider", "PROVIDER", "bulk: only this provider's claims",
	    provider, work_parse_name);
static const struct cli_option severity_row =
	ROW("severity", "SEVERITY", "bulk: only findings of this severity",
	    severity, work_parse_severity);
static const struct cli_option dry_run_row =
	FLAG("dry-run", "bulk: count the findings, decide none", dry_run);
static const struct cli_option revision_row =
	ROW("revision", "N",
	    "refuse if the work item changed since you read revision N",
	    revision, work_parse_id);
static const struct cli_option assign_to_row =
	ROW("to", "WHO", "the reviewer (a role name) to assign it to", to,
	    work_parse_name);
static const struct cli_option unassign_row =
	FLAG("unassign", "take the assignee off", unassign);
static const struct cli_option team_row = ROW(
	"team", "TEAM", "only this team's work items", team, work_parse_name);
static const struct cli_option until_row = ROW(
	"until", "DATE", "the day it is due again (YYYY-MM-DD, after today)",
	until, work_parse_date);
static const struct cli_option route_to_row =
	ROW("to", "DEPARTMENT", "the department that owes the documentation",
	    to, work_parse_name);
static const struct cli_option finding_row =
	ROW("finding", "ID", "the note is about this finding of the claim",
	    finding, work_parse_id);

#define WORK_STATUS \
	"Exit status: 0 done, 1 the database refused it (changed since you " \
	"read it,\nno such claim or finding), 2 a usage or connection " \
	"error.\n"

static const struct cli_option *const resolve_options[] = {
	&as_row,     &note_row,	    &seen_row,	   &rule_row,
	&payer_row,  &provider_row, &severity_row, &dry_run_row,
	&cli_opt_db, &cli_opt_help, NULL};

const struct cli_entry cmd_resolve_entry = {
	.name = "resolve",
	.summary = "decide findings: by id, or every open one of a rule",
	.usage = "ID... --as REASON [OPTION]...\n"
		 "   or: claimscrub resolve --rule RULE --as REASON "
		 "[OPTION]...",
	.about = "Decides each finding ID (the #ids of 'claimscrub review "
		 "--claim') for REASON.\n"
		 "A finding decided by someone else since you read it is "
		 "refused, naming who\n"
		 "and when; the others are still decided.  With --rule: every "
		 "open finding of\n"
		 "RULE on unresolved work items (counted only with "
		 "--dry-run).\n",
	.status = WORK_STATUS,
	.options = resolve_options,
	.operands = CLI_ARGS_ANY,
	.run = resolve_run,
};

static const struct cli_option *const assign_options[] = {
	&assign_to_row, &unassign_row, &revision_row,
	&cli_opt_db,	&cli_opt_help, NULL};

const struct cli_entry cmd_assign_entry = {
	.name = "assign",
	.summary = "assign a claim's work item to a reviewer",
	.usage = "REF --to WHO | --unassign [OPTION]...",
	.about = "Assigns the work item of claim REF to WHO (an open item is "
		 "then in progress),\n"
		 "or takes its assignee off.\n",
	.status = WORK_STATUS,
	.options = assign_options,
	.operands = CLI_ARGS_SOME,
	.what = "claim",
	.run = assign_run,
};

static const struct cli_option *const take_options[] = {&team_row, &cli_opt_db,
							&cli_opt_help, NULL};

const struct cli_entry cmd_take_entry = {
	.name = "take",
	.summary = "take the next work item: the most money at risk first",
	.usage = "[OPTION]...",
	.about = "Assigns you the open, unassigned work item with the most "
		 "money at risk (then\n"
		 "the oldest date of service) and prints its claim; one "
		 "reviewer gets each.\n",
	.status = "Exit status: 0 taken, 1 none to take or the database "
		  "refused it, 2 a usage or\nconnection error.\n",
	.options = take_options,
	.operands = CLI_ARGS_NONE,
	.run = take_run,
};

static const struct cli_option *const defer_options[] = {
	&until_row, &note_row, &revision_row, &cli_opt_db, &cli_opt_help, NULL};

const struct cli_entry cmd_defer_entry = {
	.name = "defer",
	.summary = "put a claim's work item off until a day",
	.usage = "REF --until DATE [OPTION]...",
	.about =
		"Defers the work item of claim REF until DATE; it can be taken "
		"again from then.\n",
	.status = WORK_STATUS,
	.options = defer_options,
	.operands = CLI_ARGS_SOME,
	.what = "claim",
	.run = defer_run,
};

static const struct cli_option *const route_options[] = {
	&route_to_row, &note_row,     &revision_row,
	&cli_opt_db,   &cli_opt_help, NULL};

const struct cli_entry cmd_route_entry = {
	.name = "route",
	.summary =
		"route a claim's work item to a department for documentation",
	.usage = "REF --to DEPARTMENT [OPTION]...",
	.about =
		"Marks the work item of claim REF as waiting for documentation "
		"from\n"
		"DEPARTMENT; the claim's next version reopens it.\n",
	.status = WORK_STATUS,
	.options = route_options,
	.operands = CLI_ARGS_SOME,
	.what = "claim",
	.run = route_run,
};

static const struct cli_option *const note_options[] = {
	&finding_row, &cli_opt_db, &cli_opt_help, NULL};

const struct cli_entry cmd_note_entry = {
	.name = "note",
	.summary = "add a note to a claim or one of its findings",
	.usage = "REF TEXT [OPTION]...",
	.about = "Adds note TEXT (up to 2000 characters) to claim REF, or to "
		 "one "
		 "of its findings.\n",
	.status = WORK_STATUS,
	.options = note_options,
	.operands = CLI_ARGS_SOME,
	.what = "claim and note",
	.run = note_run,
};

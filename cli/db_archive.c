/*
 * db_archive — `claimscrub db archive --before DATE [--dry-run] [--db
 * CONNINFO]`: claimscrub.archive() (sql/api/080_archive.sql) until nothing
 * is left to move, ARCHIVE_BATCH claims a transaction (so that no
 * transaction holds a day's claims locked), each batch said as it
 * commits.  Moves claims released for billing whose date of service is
 * before DATE, with every row of theirs, into claimscrub_archive; the
 * owner's to run.  Exit 0 done, 1 the database refused, 2 a usage or
 * connection error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/db_archive.h"
#include "cli/work.h"

#define ARCHIVE_BATCH "10000"

static int
archive_run(struct cli_opts *o)
{
	if (!o->until) {
		cli_error("db archive: --before DATE is required");
		return EXIT_USAGE;
	}
	PGconn *conn = cli_db_connect(o->db);
	if (!conn)
		return EXIT_USAGE;
	const char *params[3] = {o->until, ARCHIVE_BATCH,
				 o->dry_run ? "true" : "false"};
	long long claims = 0, findings = 0, audit = 0;
	int rc = EXIT_CLEAN;
	for (;;) {
		char msg[1024];
		PGresult *res =
			work_call(conn,
				  "SELECT claims, findings, audit_rows FROM "
				  "claimscrub.archive($1::date, $2::integer, "
				  "$3::boolean)",
				  3, params, &rc, msg, sizeof(msg));
		if (!res) {
			cli_error("db archive: %s", msg);
			break;
		}
		long long c = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		claims += c;
		findings += strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		audit += strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		PQclear(res);
		if (c > 0 && !o->dry_run)
			printf("archived %lld claims\n", c);
		if (c == 0 || o->dry_run)
			break;
	}
	if (rc == EXIT_CLEAN)
		printf("%s %lld claims released before %s, %lld findings, %lld "
		       "audit rows\n",
		       o->dry_run ? "would archive" : "archived", claims,
		       o->until, findings, audit);
	PQfinish(conn);
	return rc;
}

static const struct cli_option before_row = {
	.name = "before",
	.letter = 'b',
	.arg = "DATE",
	.help = "the claims whose date of service is before DATE (YYYY-MM-DD)",
	.kind = CLI_OPT_CONVERT,
	.field = offsetof(struct cli_opts, until),
	.convert = work_parse_date,
};

static const struct cli_option dry_run_row = {
	.name = "dry-run",
	.letter = 'n',
	.help = "count what would move, and move nothing",
	.kind = CLI_OPT_FLAG,
	.field = offsetof(struct cli_opts, dry_run),
};

static const struct cli_option *const options[] = {
	&before_row, &dry_run_row, &cli_opt_db, &cli_opt_help, NULL};

const struct cli_entry db_archive_entry = {
	.name = "archive",
	.summary = "move claims released before a date into claimscrub_archive",
	.usage = "--before DATE [OPTION]...",
	.about = "Move the claims released for billing (clean, or flagged with "
		 "every error and\n"
		 "warning decided) whose date of service is before DATE, with "
		 "their lines,\n"
		 "administrations, findings, notes, billing events and audit "
		 "trails, into the\n"
		 "schema claimscrub_archive, " ARCHIVE_BATCH
		 " claims a transaction.  Held, invalid and\n"
		 "pending claims stay.  The database's owner runs it.\n",
	.status = "Exit status: 0 done, 1 the database refused, 2 a usage or "
		  "connection error.\n",
	.options = options,
	.operands = CLI_ARGS_NONE,
	.run = archive_run,
};

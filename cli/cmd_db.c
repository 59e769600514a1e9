/*
 * db — `claimscrub db migrate|status [--db CONNINFO] [--sql DIR]`, a group
 * of entries (entry.h) with `db fees` (db_fees.c): the SQL migrations,
 * sql/NNN_name.sql, applied in lexical order.  The database
 * says which are in: each file records its number in
 * claimscrub.schema_migrations in its own transaction, so a file is applied
 * whole or not at all, and running migrate again applies only what is
 * missing.  Exit 0 done (status: all applied), 1 a migration failed
 * (status: some not applied), 2 usage, file or connection errors.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "cli/db_fees.h"

/* Three digits number the migrations: 000 to 999. */
#define DB_MAX_MIGRATIONS 1000
#define DB_NAME_PATTERN "[0-9][0-9][0-9]_*.sql"

/* Held while migrating, so that two `db migrate` (ExecStartPre of several
 * daemons, say) apply each file once: "claimscr" as a big-endian bigint. */
#define DB_LOCK_SQL "SELECT pg_advisory_lock(7164208212675355506)"

struct migration {
	char *name; /* "001_schema.sql" */
	int version;
	bool applied;
};

struct migrations {
	const char *dir;
	struct migration items[DB_MAX_MIGRATIONS];
	size_t n;
};

/* ---- the files ------------------------------------------------------- */

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct migration *)a)->name,
		      ((const struct migration *)b)->name);
}

/* Collects dir's migrations into ms, in lexical order. */
static int
list_migrations(struct migrations *ms)
{
	DIR *d = opendir(ms->dir);
	if (!d) {
		cli_error("db: cannot read '%s': %s", ms->dir, strerror(errno));
		return EXIT_USAGE;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (fnmatch(DB_NAME_PATTERN, e->d_name, 0) != 0)
			continue;
		struct migration *m = &ms->items[ms->n++];
		m->version = (int)strtol(e->d_name, NULL, 10);
		if (!(m->name = strdup(e->d_name))) {
			cli_error("out of memory");
			exit(EXIT_INTERNAL);
		}
		if (ms->n == DB_MAX_MIGRATIONS)
			break; /* 1000 names of three digits: no more can come */
	}
	closedir(d);
	qsort(ms->items, ms->n, sizeof(ms->items[0]), by_name);
	for (size_t i = 1; i < ms->n; i++) {
		if (ms->items[i].version != ms->items[i - 1].version)
			continue;
		cli_error("db: '%s': %s and %s share the number %03d", ms->dir,
			  ms->items[i - 1].name, ms->items[i].name,
			  ms->items[i].version);
		return EXIT_USAGE;
	}
	if (ms->n == 0) {
		cli_error("db: no migrations (%s) in '%s'", DB_NAME_PATTERN,
			  ms->dir);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

/* ---- the database ---------------------------------------------------- */

/* Runs a query of ours that must succeed; NULL after saying why. */
static PGresult *
db_query(PGconn *conn, const char *sql)
{
	char msg[1024];
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	cli_error("db: cannot read the migration record: %s",
		  cli_db_message(conn, res, msg, sizeof(msg)));
	PQclear(res);
	return NULL;
}

/* Marks the migrations the database has recorded; a database without the
 * record table has none. */
static int
read_applied(PGconn *conn, struct migrations *ms)
{
	PGresult *res = db_query(
		conn, "SELECT to_regclass('claimscrub.schema_migrations') "
		      "IS NOT NULL");
	if (!res)
		return EXIT_USAGE;
	bool has_table = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!has_table)
		return EXIT_CLEAN;
	res = db_query(conn,
		       "SELECT version FROM claimscrub.schema_migrations");
	if (!res)
		return EXIT_USAGE;
	for (int r = 0; r < PQntuples(res); r++) {
		long v = strtol(PQgetvalue(res, r, 0), NULL, 10);
		for (size_t i = 0; i < ms->n; i++)
			ms->items[i].applied |= ms->items[i].version == v;
	}
	PQclear(res);
	return EXIT_CLEAN;
}

/* The 1-based line of the character at 1-based position pos of sql (the
 * server counts characters, not bytes). */
static unsigned
line_at(const char *sql, long pos)
{
	unsigned line = 1;
	for (long chars = 0; *sql; sql++) {
		if (((unsigned char)*sql & 0xC0) == 0x80)
			continue; /* a UTF-8 continuation byte */
		if (++chars >= pos)
			break;
		line += *sql == '\n';
	}
	return line;
}

/* Says why file path (text sql) failed: FILE:LINE: when the server points
 * into the file, else FILE:. */
static void
report_failure(PGconn *conn, const PGresult *res, const char *path,
	       const char *sql)
{
	char msg[1024];
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	cli_db_message(conn, res, msg, sizeof(msg));
	if (pos)
		fprintf(stderr, "%s:%u: error: %s\n", path,
			line_at(sql, strtol(pos, NULL, 10)), msg);
	else
		fprintf(stderr, "%s: error: %s\n", path, msg);
}

/* Applies one file.  The simple query protocol runs a multi-statement
 * string as one transaction unless the text opens its own, and stops at
 * the first error: a failed file leaves nothing behind. */
static int
apply_one(PGconn *conn, const struct migrations *ms, const char *name)
{
	struct diag_list dl = {0};
	char path[4096], *sql;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", ms->dir, name);
	if (fileio_read(path, FILEIO_MAX_BYTES, &sql, &len, &dl) != SCRUB_OK) {
		cli_print_diags(&dl, false);
		diag_list_free(&dl);
		return EXIT_USAGE;
	}
	if (strlen(sql) != len) {
		cli_error("db: %s: contains a NUL byte", path);
		free(sql);
		return EXIT_USAGE;
	}
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = EXIT_CLEAN;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		printf("applied %s\n", name);
		fflush(stdout);
	} else {
		report_failure(conn, res, path, sql);
		rc = PQstatus(conn) == CONNECTION_BAD ? EXIT_USAGE
						      : EXIT_REJECTED;
	}
	PQclear(res);
	free(sql);
	/* a file that opened its own transaction is left in it, aborted */
	if (rc != EXIT_CLEAN && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	return rc;
}

static int
db_migrate(PGconn *conn, struct migrations *ms)
{
	PGresult *res = db_query(conn, DB_LOCK_SQL);
	if (!res)
		return EXIT_USAGE;
	PQclear(res);
	int rc = read_applied(conn, ms);
	bool any = false;
	for (size_t i = 0; rc == EXIT_CLEAN && i < ms->n; i++) {
		if (ms->items[i].applied)
			continue;
		/* later files build on earlier ones: stop at the first failure */
		rc = apply_one(conn, ms, ms->items[i].name);
		any = true;
	}
	if (rc == EXIT_CLEAN && !any)
		printf("up to date\n");
	return rc;
}

static int
db_status(PGconn *conn, struct migrations *ms)
{
	int rc = read_applied(conn, ms);
	if (rc != EXIT_CLEAN)
		return rc;
	int width = 0;
	for (size_t i = 0; i < ms->n; i++)
		if ((int)strlen(ms->items[i].name) > width)
			width = (int)strlen(ms->items[i].name);
	for (size_t i = 0; i < ms->n; i++) {
		printf("%-*s  %s\n", width, ms->items[i].name,
		       ms->items[i].applied ? "applied" : "not applied");
		if (!ms->items[i].applied)
			rc = EXIT_REJECTED;
	}
	return rc;
}

/* ---- the commands ------------------------------------------------------ */

/* Lists the migrations of --sql, connects and runs fn. */
static int
with_migrations(const struct cli_opts *o,
		int (*fn)(PGconn *conn, struct migrations *ms))
{
	struct migrations *ms = calloc(1, sizeof(*ms));
	if (!ms) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	ms->dir = o->sql ? o->sql : cli_sql_dir();
	int rc = list_migrations(ms);
	if (rc == EXIT_CLEAN) {
		PGconn *conn = cli_db_connect(o->db);
		rc = conn ? fn(conn, ms) : EXIT_USAGE;
		PQfinish(conn);
	}
	for (size_t i = 0; i < ms->n; i++)
		free(ms->items[i].name);
	free(ms);
	return rc;
}

static int
migrate_run(struct cli_opts *o)
{
	return with_migrations(o, db_migrate);
}

static int
status_run(struct cli_opts *o)
{
	return with_migrations(o, db_status);
}

/* The fee schedule of the rules into claimscrub.fee (db_fees.c); it needs
 * no migration files, only the database they made. */
static int
fees_run(struct cli_opts *o)
{
	PGconn *conn = cli_db_connect(o->db);
	int rc = conn ? db_fees_load(conn, &o->rules) : EXIT_USAGE;
	PQfinish(conn);
	return rc;
}

static const struct cli_option *const migrations_options[] = {
	&cli_opt_db, &cli_opt_sql, &cli_opt_help, NULL};

static const struct cli_option *const fees_options[] = {
	&cli_opt_db, &cli_opt_rules, &cli_opt_help, NULL};

static const char migrations_status[] =
	"Exit status: 0 done (status: every migration applied), 1 a "
	"migration failed\n"
	"(status: one is not applied), 2 a usage, file or connection "
	"error.\n";

static const struct cli_entry migrate_entry = {
	.name = "migrate",
	.summary = "apply the SQL migrations the database lacks, in order",
	.usage = "[OPTION]...",
	.about = "Apply, in lexical order, the migrations whose number the "
		 "database has not\n"
		 "recorded, each in its own transaction; stop at the first "
		 "that fails.\n",
	.status = migrations_status,
	.options = migrations_options,
	.run = migrate_run,
};

static const struct cli_entry status_entry = {
	.name = "status",
	.summary = "list the migrations and whether each is applied",
	.usage = "[OPTION]...",
	.about = "List every migration as applied or not applied.\n",
	.status = migrations_status,
	.options = migrations_options,
	.run = status_run,
};

static const struct cli_entry fees_entry = {
	.name = "fees",
	.summary = "replace claimscrub.fee with the rules' fees (for reports)",
	.usage = "[OPTION]...",
	.about = "Replace the rows of claimscrub.fee with the fees: section of "
		 "the rule set,\n"
		 "in one transaction.\n",
	.status = "Exit status: 0 done, 1 the database refused, 2 bad rules, "
		  "a usage or\n"
		  "connection error.\n",
	.options = fees_options,
	.run = fees_run,
};

static const struct cli_entry *const db_commands[] = {
	&migrate_entry, &status_entry, &fees_entry, NULL};

static const struct cli_option *const db_options[] = {&cli_opt_help, NULL};

const struct cli_entry cmd_db_entry = {
	.name = "db",
	.summary = "apply or list the SQL migrations, load the fees "
		   "(migrate|status|fees)",
	.usage = "COMMAND [OPTION]...",
	.status = migrations_status,
	.options = db_options,
	.subs = db_commands,
};

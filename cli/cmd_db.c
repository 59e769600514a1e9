/*
 * db — `claimscrub db migrate|status [--db CONNINFO] [--sql DIR]`, a group
 * of entries (entry.h) with `db fees` (db_fees.c).  DIR holds two kinds of
 * SQL (sql/README.md):
 *
 *   migrations/NNN_name.sql  tables, columns, indexes; applied once each,
 *       in lexical order, each recording its number in
 *       claimscrub.schema_migrations in its own transaction, so a file is
 *       applied whole or not at all and migrate applies only what is
 *       missing;
 *   api/NNN_name.sql  functions, triggers, views, roles, privileges,
 *       written to be applied again (CREATE OR REPLACE); after the
 *       migrations, when any file's SHA-256 differs from the one recorded
 *       in claimscrub.schema_api, every api file is applied again, in
 *       order, in one transaction, and the checksums recorded.
 *
 * Each migration's SHA-256 is recorded once applied (017): one edited
 * since is reported by both commands.  The definitions the api makes are
 * checked as a whole (db_drift.h): changed outside `db migrate`, they are
 * named by `status` and made again by `migrate`.  `migrate --dry-run`
 * says what it would do and does nothing.
 *
 * Exit 0 done (status: everything applied and current), 1 a file failed or
 * a migration was edited (status: something not applied, changed, edited
 * or drifted), 2 usage, file or connection errors.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cli/db_archive.h"
#include "cli/db_drift.h"
#include "cli/db_fees.h"
#include "cli/entry.h"

/* Three digits number the files of a kind: 000 to 999. */
#define DB_MAX_FILES 1000
#define DB_MAX_ORPHANS 16 /* recorded migrations without a file, named */
#define DB_NAME_PATTERN "[0-9][0-9][0-9]_*.sql"

/* Held while migrating, so that two `db migrate` (ExecStartPre of several
 * daemons, say) apply each file once: "claimscr" as a big-endian bigint. */
#define DB_LOCK_SQL "SELECT pg_advisory_lock(7164208212675355506)"

struct sqlfile {
	char *name; /* "001_schema.sql" */
	int version;
	bool applied; /* migrations: recorded; api: recorded and current */
	bool known;   /* a checksum is recorded (api: changed unless applied) */
	bool edited;  /* migrations: the file is not the one applied */
	char *text;   /* api: the file, read once */
	size_t len;
};

struct sqlfiles {
	char dir[4096];	  /* DIR/migrations or DIR/api */
	const char *kind; /* "migrations", "api" */
	struct sqlfile items[DB_MAX_FILES];
	size_t n;
	/* migrations: versions recorded that no file has (a newer release's) */
	int orphan[DB_MAX_ORPHANS];
	size_t norphans;
};

struct migrations {
	struct sqlfiles mig, api;
	bool dry_run; /* migrate --dry-run */
};

/* ---- the files ------------------------------------------------------- */

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct sqlfile *)a)->name,
		      ((const struct sqlfile *)b)->name);
}

/* Collects fs->dir's files into fs, in lexical order; two of one number
 * are refused. */
static int
list_files(struct sqlfiles *fs)
{
	DIR *d = opendir(fs->dir);
	if (!d) {
		cli_error("db: cannot read '%s': %s", fs->dir, strerror(errno));
		return EXIT_USAGE;
	}
	for (struct dirent *e; fs->n < DB_MAX_FILES && (e = readdir(d));) {
		if (fnmatch(DB_NAME_PATTERN, e->d_name, 0) != 0)
			continue;
		struct sqlfile *m = &fs->items[fs->n++];
		m->version = (int)strtol(e->d_name, NULL, 10);
		if (!(m->name = strdup(e->d_name))) {
			cli_error("out of memory");
			exit(EXIT_INTERNAL);
		}
	}
	closedir(d);
	qsort(fs->items, fs->n, sizeof(fs->items[0]), by_name);
	for (size_t i = 1; i < fs->n; i++) {
		if (fs->items[i].version != fs->items[i - 1].version)
			continue;
		cli_error("db: '%s': %s and %s share the number %03d", fs->dir,
			  fs->items[i - 1].name, fs->items[i].name,
			  fs->items[i].version);
		return EXIT_USAGE;
	}
	if (fs->n == 0) {
		cli_error("db: no %s (%s) in '%s'", fs->kind, DB_NAME_PATTERN,
			  fs->dir);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

/* Reads file f of fs (its text stays in f); a NUL byte is refused, as the
 * server would cut the text there. */
static int
read_file(const struct sqlfiles *fs, struct sqlfile *f, char *path, size_t size)
{
	struct diag_list dl = {0};
	snprintf(path, size, "%s/%s", fs->dir, f->name);
	if (f->text)
		return EXIT_CLEAN;
	if (fileio_read(path, FILEIO_MAX_BYTES, &f->text, &f->len, &dl) !=
	    SCRUB_OK) {
		cli_print_diags(&dl, false);
		diag_list_free(&dl);
		return EXIT_USAGE;
	}
	if (strlen(f->text) != f->len) {
		cli_error("db: %s: contains a NUL byte", path);
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

/* Whether table claimscrub.name exists: -1 when that cannot be read. */
static int
has_table(PGconn *conn, const char *name)
{
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "SELECT to_regclass('claimscrub.%s') IS NOT NULL", name);
	PGresult *res = db_query(conn, sql);
	if (!res)
		return -1;
	int has = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return has;
}

/* Whether file f's SHA-256 (the database computes it) is sum; -1 when it
 * cannot be read (said). */
static int
same_sum(PGconn *conn, const struct sqlfiles *fs, struct sqlfile *f,
	 const char *sum)
{
	char path[4200], msg[1024];
	if (read_file(fs, f, path, sizeof(path)) != EXIT_CLEAN)
		return -1;
	const char *vals[2] = {f->text, sum};
	int lens[2] = {(int)f->len, 0}, fmts[2] = {1, 0};
	PGresult *res = PQexecParams(
		conn, "SELECT encode(sha256($1::bytea), 'hex') = $2", 2, NULL,
		vals, lens, fmts, 0);
	int same = PQresultStatus(res) == PGRES_TUPLES_OK
			   ? strcmp(PQgetvalue(res, 0, 0), "t") == 0
			   : -1;
	if (same < 0)
		cli_error("db: cannot check %s: %s", path,
			  cli_db_message(conn, res, msg, sizeof(msg)));
	PQclear(res);
	return same;
}

/* The file of version v, or NULL. */
static struct sqlfile *
file_of(struct sqlfiles *fs, long v)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->items[i].version == v)
			return &fs->items[i];
	return NULL;
}

/* Marks the migrations the database has recorded, and checks each file
 * against the checksum recorded with it (none before 017: to_jsonb reads
 * a column that may not be there); a database without the record table
 * has none. */
static int
read_applied(PGconn *conn, struct sqlfiles *fs)
{
	int has = has_table(conn, "schema_migrations");
	if (has <= 0)
		return has < 0 ? EXIT_USAGE : EXIT_CLEAN;
	PGresult *res =
		db_query(conn, "SELECT version, to_jsonb(m)->>'checksum'"
			       " FROM claimscrub.schema_migrations m"
			       " ORDER BY version");
	if (!res)
		return EXIT_USAGE;
	int rc = EXIT_CLEAN;
	for (int r = 0; rc == EXIT_CLEAN && r < PQntuples(res); r++) {
		long v = strtol(PQgetvalue(res, r, 0), NULL, 10);
		struct sqlfile *f = file_of(fs, v);
		if (!f) {
			/* below the last file: a number retired when its
			 * content moved to api/ (002-004, 010); above: a newer
			 * release's */
			if (v > fs->items[fs->n - 1].version &&
			    fs->norphans < DB_MAX_ORPHANS)
				fs->orphan[fs->norphans++] = (int)v;
			continue;
		}
		f->applied = true;
		if (PQgetisnull(res, r, 1))
			continue;
		f->known = true;
		int same = same_sum(conn, fs, f, PQgetvalue(res, r, 1));
		f->edited = same == 0;
		rc = same < 0 ? EXIT_USAGE : EXIT_CLEAN;
	}
	PQclear(res);
	return rc;
}

/* Records the checksum of every applied migration that has none (applied
 * before 017, or just now), once the column is there. */
static int
record_checksums(PGconn *conn, struct sqlfiles *fs)
{
	PGresult *res = db_query(
		conn, "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid ="
		      " to_regclass('claimscrub.schema_migrations')"
		      " AND attname = 'checksum' AND NOT attisdropped)");
	if (!res)
		return EXIT_USAGE;
	bool column = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	for (size_t i = 0; column && i < fs->n; i++) {
		struct sqlfile *f = &fs->items[i];
		char path[4200], version[16], msg[1024];
		if (!f->applied || f->known)
			continue;
		if (read_file(fs, f, path, sizeof(path)) != EXIT_CLEAN)
			return EXIT_USAGE;
		snprintf(version, sizeof(version), "%d", f->version);
		const char *vals[2] = {version, f->text};
		int lens[2] = {0, (int)f->len}, fmts[2] = {0, 1};
		res = PQexecParams(
			conn,
			"UPDATE claimscrub.schema_migrations SET checksum ="
			" encode(sha256($2::bytea), 'hex')"
			" WHERE version = $1::integer AND checksum IS NULL",
			2, NULL, vals, lens, fmts, 0);
		bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			cli_error("db: cannot record %s's checksum: %s",
				  f->name,
				  cli_db_message(conn, res, msg, sizeof(msg)));
		PQclear(res);
		if (!ok)
			return EXIT_REJECTED;
		f->known = true;
	}
	return EXIT_CLEAN;
}

/* Says which applied migrations were edited since; how many. */
static int
report_edited(const struct sqlfiles *fs)
{
	int n = 0;
	for (size_t i = 0; i < fs->n; i++) {
		if (!fs->items[i].edited)
			continue;
		cli_error("db: %s/%s was edited after it was applied (its "
			  "SHA-256 is not the one recorded): restore the file "
			  "as released; a change is a new migration",
			  fs->dir, fs->items[i].name);
		n++;
	}
	return n;
}

/* Marks the api files whose recorded checksum is that of the file as it is
 * now (known: one is recorded at all). */
static int
read_api_record(PGconn *conn, struct sqlfiles *fs)
{
	int has = has_table(conn, "schema_api");
	if (has <= 0)
		return has < 0 ? EXIT_USAGE : EXIT_CLEAN;
	for (size_t i = 0; i < fs->n; i++) {
		struct sqlfile *f = &fs->items[i];
		char path[4200], msg[1024];
		if (read_file(fs, f, path, sizeof(path)) != EXIT_CLEAN)
			return EXIT_USAGE;
		const char *vals[2] = {f->name, f->text};
		int lens[2] = {0, (int)f->len}, fmts[2] = {0, 1};
		PGresult *res = PQexecParams(
			conn,
			"SELECT a.checksum = encode(sha256($2::bytea), 'hex') "
			"FROM claimscrub.schema_api a WHERE a.name = $1",
			2, NULL, vals, lens, fmts, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			cli_error("db: cannot read the api record: %s",
				  cli_db_message(conn, res, msg, sizeof(msg)));
			PQclear(res);
			return EXIT_USAGE;
		}
		f->known = PQntuples(res) == 1;
		f->applied =
			f->known && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
	}
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

/* Runs file f of fs.  The simple query protocol runs a multi-statement
 * string as one transaction unless the text opens its own (or one is
 * open), and stops at the first error. */
static int
run_file(PGconn *conn, struct sqlfiles *fs, struct sqlfile *f)
{
	char path[4200];
	int rc = read_file(fs, f, path, sizeof(path));
	if (rc != EXIT_CLEAN)
		return rc;
	PGresult *res = PQexec(conn, f->text);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		printf("applied %s/%s\n", fs->kind, f->name);
		fflush(stdout);
	} else {
		report_failure(conn, res, path, f->text);
		rc = PQstatus(conn) == CONNECTION_BAD ? EXIT_USAGE
						      : EXIT_REJECTED;
	}
	PQclear(res);
	return rc;
}

/* Applies the migrations the database lacks (read_applied first); a
 * failed one leaves nothing behind (a file that opened its own
 * transaction is left in it, aborted, and rolled back here). */
static int
apply_migrations(PGconn *conn, struct sqlfiles *fs, bool *any)
{
	int rc = EXIT_CLEAN;
	for (size_t i = 0; rc == EXIT_CLEAN && i < fs->n; i++) {
		if (fs->items[i].applied)
			continue;
		/* later files build on earlier ones: stop at the first failure */
		rc = run_file(conn, fs, &fs->items[i]);
		if (rc != EXIT_CLEAN &&
		    PQtransactionStatus(conn) != PQTRANS_IDLE)
			PQclear(PQexec(conn, "ROLLBACK"));
		fs->items[i].applied = rc == EXIT_CLEAN;
		*any = true;
	}
	return rc;
}

/* Records file f's checksum, in the api transaction. */
static int
record_api(PGconn *conn, const struct sqlfile *f)
{
	char msg[1024];
	const char *vals[2] = {f->name, f->text};
	int lens[2] = {0, (int)f->len}, fmts[2] = {0, 1};
	PGresult *res = PQexecParams(
		conn,
		"INSERT INTO claimscrub.schema_api (name, checksum) "
		"VALUES ($1, encode(sha256($2::bytea), 'hex')) "
		"ON CONFLICT (name) DO UPDATE SET checksum = "
		"EXCLUDED.checksum, "
		"applied_at = now()",
		2, NULL, vals, lens, fmts, 0);
	int rc = EXIT_CLEAN;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		cli_error("db: cannot record %s: %s", f->name,
			  cli_db_message(conn, res, msg, sizeof(msg)));
		rc = EXIT_REJECTED;
	}
	PQclear(res);
	return rc;
}

/* Every api file again, in order, in one transaction, when one is new or
 * changed: a file builds on the ones before it (roles before privileges),
 * and the last (privileges) converges on its sets whatever the others
 * made again.  A file may not end the transaction itself. */
static int
apply_api(PGconn *conn, struct sqlfiles *fs, bool force, bool *any)
{
	int rc = read_api_record(conn, fs);
	bool stale = force;
	for (size_t i = 0; i < fs->n; i++)
		stale |= !fs->items[i].applied;
	if (rc != EXIT_CLEAN || !stale)
		return rc;
	PGresult *res = db_query(conn, "BEGIN");
	if (!res)
		return EXIT_USAGE;
	PQclear(res);
	for (size_t i = 0; rc == EXIT_CLEAN && i < fs->n; i++) {
		rc = run_file(conn, fs, &fs->items[i]);
		if (rc == EXIT_CLEAN &&
		    PQtransactionStatus(conn) != PQTRANS_INTRANS) {
			cli_error("db: %s/%s: an api file may not end the "
				  "transaction (BEGIN, COMMIT, ROLLBACK)",
				  fs->dir, fs->items[i].name);
			rc = EXIT_REJECTED;
		}
		if (rc == EXIT_CLEAN)
			rc = record_api(conn, &fs->items[i]);
	}
	*any = true;
	res = PQexec(conn, rc == EXIT_CLEAN ? "COMMIT" : "ROLLBACK");
	if (rc == EXIT_CLEAN && PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = EXIT_REJECTED;
	PQclear(res);
	return rc;
}

/* What migrate would do, and nothing. */
static int
dry_run(PGconn *conn, struct migrations *ms)
{
	int rc = read_api_record(conn, &ms->api), n = 0;
	char now[65];
	enum db_drift d = db_drift_check(conn, now);
	if (rc != EXIT_CLEAN || d == DB_DRIFT_ERROR)
		return EXIT_USAGE;
	for (size_t i = 0; i < ms->mig.n; i++)
		if (!ms->mig.items[i].applied && ++n)
			printf("would apply migrations/%s\n",
			       ms->mig.items[i].name);
	for (size_t i = 0; i < ms->api.n; i++)
		if (!ms->api.items[i].applied && ++n)
			printf("would apply the api: api/%s is %s\n",
			       ms->api.items[i].name,
			       ms->api.items[i].known ? "changed" : "new");
	if (d == DB_DRIFT_CHANGED && ++n)
		printf("would apply the api: the definitions were changed "
		       "outside db migrate\n");
	if (n == 0)
		printf("up to date\n");
	return report_edited(&ms->mig) ? EXIT_REJECTED : EXIT_CLEAN;
}

/* After migrating: the definitions as they are now are the ones to hold
 * the schema to. */
static int
record_definitions(PGconn *conn)
{
	char now[65];
	enum db_drift d = db_drift_check(conn, now);
	if (d == DB_DRIFT_ERROR)
		return EXIT_USAGE;
	return d == DB_DRIFT_NONE || db_drift_record(conn, now) ? EXIT_CLEAN
								: EXIT_REJECTED;
}

static int
db_migrate(PGconn *conn, struct migrations *ms)
{
	int rc = read_applied(conn, &ms->mig);
	if (rc != EXIT_CLEAN || ms->dry_run)
		return rc != EXIT_CLEAN ? rc : dry_run(conn, ms);
	PGresult *res = db_query(conn, DB_LOCK_SQL);
	if (!res)
		return EXIT_USAGE;
	PQclear(res);
	bool any = false;
	char now[65];
	/* (the drift before any file runs: what migrating changes is not) */
	enum db_drift d = db_drift_check(conn, now);
	if (d == DB_DRIFT_ERROR)
		return EXIT_USAGE;
	if (d == DB_DRIFT_CHANGED)
		printf("the definitions were changed outside db migrate: "
		       "applying the api again\n");
	rc = apply_migrations(conn, &ms->mig, &any);
	if (rc == EXIT_CLEAN)
		rc = record_checksums(conn, &ms->mig);
	if (rc == EXIT_CLEAN)
		rc = apply_api(conn, &ms->api, d == DB_DRIFT_CHANGED, &any);
	if (rc == EXIT_CLEAN)
		rc = record_definitions(conn);
	if (rc == EXIT_CLEAN && !any)
		printf("up to date\n");
	if (report_edited(&ms->mig) && rc == EXIT_CLEAN)
		rc = EXIT_REJECTED;
	return rc;
}

static int
db_status(PGconn *conn, struct migrations *ms)
{
	int rc = read_applied(conn, &ms->mig);
	if (rc == EXIT_CLEAN)
		rc = read_api_record(conn, &ms->api);
	char now[65];
	enum db_drift d =
		rc == EXIT_CLEAN ? db_drift_check(conn, now) : DB_DRIFT_ERROR;
	if (d == DB_DRIFT_ERROR)
		return rc != EXIT_CLEAN ? rc : EXIT_USAGE;
	struct sqlfiles *both[] = {&ms->mig, &ms->api};
	int width = (int)strlen("definitions");
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < both[k]->n; i++) {
			int w = (int)(strlen(both[k]->kind) + 1 +
				      strlen(both[k]->items[i].name));
			width = w > width ? w : width;
		}
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < both[k]->n; i++) {
			const struct sqlfile *f = &both[k]->items[i];
			const char *state =
				f->edited    ? "edited since it was applied"
				: f->applied ? "applied"
				: f->known   ? "changed"
					     : "not applied";
			int w = width - (int)strlen(both[k]->kind) - 1;
			printf("%s/%-*s  %s\n", both[k]->kind, w, f->name,
			       state);
			if (!f->applied || f->edited)
				rc = EXIT_REJECTED;
		}
	for (size_t i = 0; i < ms->mig.norphans; i++) {
		printf("migrations/%03d%*s  recorded, no file (a newer "
		       "release's?)\n",
		       ms->mig.orphan[i], width - (int)strlen("migrations/000"),
		       "");
		rc = EXIT_REJECTED;
	}
	printf("%-*s  %s\n", width, "definitions",
	       d == DB_DRIFT_NONE      ? "as db migrate left them"
	       : d == DB_DRIFT_CHANGED ? "changed outside db migrate"
				       : "not recorded");
	return d == DB_DRIFT_NONE ? rc : EXIT_REJECTED;
}

/* ---- the commands ------------------------------------------------------ */

/* Lists the files of --sql, connects and runs fn. */
static int
with_migrations(const struct cli_opts *o,
		int (*fn)(PGconn *conn, struct migrations *ms))
{
	struct migrations *ms = calloc(1, sizeof(*ms));
	if (!ms) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	ms->dry_run = o->dry_run;
	const char *dir = o->sql ? o->sql : cli_sql_dir();
	struct sqlfiles *both[] = {&ms->mig, &ms->api};
	const char *kinds[] = {"migrations", "api"};
	int rc = EXIT_CLEAN;
	for (size_t k = 0; rc == EXIT_CLEAN && k < 2; k++) {
		both[k]->kind = kinds[k];
		snprintf(both[k]->dir, sizeof(both[k]->dir), "%s/%s", dir,
			 kinds[k]);
		rc = list_files(both[k]);
	}
	if (rc == EXIT_CLEAN) {
		PGconn *conn = cli_db_connect(o->db);
		rc = conn ? fn(conn, ms) : EXIT_USAGE;
		PQfinish(conn);
	}
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < both[k]->n; i++) {
			free(both[k]->items[i].name);
			free(both[k]->items[i].text);
		}
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

static const struct cli_option dry_run_row = {
	.name = "dry-run",
	.letter = 'n',
	.help = "say what would be applied, and apply nothing",
	.kind = CLI_OPT_FLAG,
	.field = offsetof(struct cli_opts, dry_run),
};

static const struct cli_option *const migrate_options[] = {
	&dry_run_row, &cli_opt_db, &cli_opt_sql, &cli_opt_help, NULL};
static const struct cli_option *const migrations_options[] = {
	&cli_opt_db, &cli_opt_sql, &cli_opt_help, NULL};

static const struct cli_option *const fees_options[] = {
	&cli_opt_db, &cli_opt_rules, &cli_opt_help, NULL};

static const char migrations_status[] =
	"Exit status: 0 done (status: every file applied and current), 1 a "
	"file failed\n"
	"(status: one is not applied or changed), 2 a usage, file or "
	"connection error.\n";

static const struct cli_entry migrate_entry = {
	.name = "migrate",
	.summary = "apply the SQL migrations the database lacks, then the api",
	.usage = "[OPTION]...",
	.about = "Apply, in lexical order, the migrations whose number the "
		 "database has not\n"
		 "recorded, each in its own transaction; stop at the first "
		 "that fails.  Then,\n"
		 "if an api file is new or changed, or the definitions were "
		 "changed outside\n"
		 "db migrate, apply every api file again in one transaction "
		 "and record their\n"
		 "checksums.  An applied migration edited since is reported "
		 "(exit 1).\n",
	.status = migrations_status,
	.options = migrate_options,
	.run = migrate_run,
};

static const struct cli_entry status_entry = {
	.name = "status",
	.summary = "list the migrations and whether each is applied",
	.usage = "[OPTION]...",
	.about = "List every migration as applied, edited since it was "
		 "applied or not\n"
		 "applied (and one recorded with no file), every api file as "
		 "applied, changed\n"
		 "or not applied, and whether the definitions are as db "
		 "migrate left them.\n",
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
		 "and those of claimscrub.payer_profile with its profile names "
		 "and payers:\n"
		 "lists, in one transaction.\n",
	.status = "Exit status: 0 done, 1 the database refused, 2 bad rules, "
		  "a usage or\n"
		  "connection error.\n",
	.options = fees_options,
	.run = fees_run,
};

static const struct cli_entry *const db_commands[] = {
	&migrate_entry, &status_entry, &fees_entry, &db_archive_entry, NULL};

static const struct cli_option *const db_options[] = {&cli_opt_help, NULL};

const struct cli_entry cmd_db_entry = {
	.name = "db",
	.summary = "apply or list the SQL migrations, load the fees, archive "
		   "(migrate|status|fees|archive)",
	.usage = "COMMAND [OPTION]...",
	.status = migrations_status,
	.options = db_options,
	.subs = db_commands,
};

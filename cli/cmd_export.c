/*
 * export — `claimscrub export [--since CURSOR | --cursor-file FILE]
 * [--format jsonl|csv] [-o FILE] [--db CONNINFO]`: the results for
 * billing (claimscrub.results_since(), sql/api/070_results.sql) since a
 * cursor, for billing systems that take files.  One REPEATABLE READ
 * snapshot gives both the rows and the next cursor, read through a server
 * cursor 1,000 rows at a time (a first export of years is not held in
 * memory).  With --cursor-file the cursor is read from FILE (missing or
 * empty: from the start) and replaced, atomically, only once every row is
 * written and synced: an export that fails is simply run again.  Times in
 * UTC.  Exit 0 done, 1 the database refused (a bad cursor) or the output
 * could not be written, 2 a usage or connection error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/entry.h"
#include "report/report.h"

#define EXPORT_FETCH 1000
#define EXPORT_STR_(x) #x
#define EXPORT_STR(x) EXPORT_STR_(x)
#define EXPORT_MAX_CURSOR 65536 /* a snapshot's text, with many xips */

/* $1 the cursor.  JSON Lines: "format": 1 first, the other keys in byte
 * order, as review --format json (row_to_json: the select list's order). */
#define EXPORT_JSONL_SQL \
	"DECLARE export NO SCROLL CURSOR FOR SELECT row_to_json(t)::text" \
	" FROM (SELECT 1 AS format, at, claim_ref AS claim, event, findings," \
	" state, version FROM claimscrub.results_since($1)) t"
/* CSV: a row an event; its findings as counts and rules */
#define EXPORT_CSV_SQL \
	"DECLARE export NO SCROLL CURSOR FOR SELECT event::text, claim_ref," \
	" version::text, state, to_json(at)#>>'{}'," \
	" jsonb_array_length(findings)::text," \
	" (SELECT count(*) FROM jsonb_array_elements(findings) f" \
	"   WHERE NOT f ? 'resolution'" \
	"     AND f->>'severity' IN ('error', 'warning'))::text," \
	" coalesce((SELECT string_agg(DISTINCT f->>'rule', ';')" \
	"   FROM jsonb_array_elements(findings) f), '')" \
	" FROM claimscrub.results_since($1)"
static const char *const csv_head[] = {
	"event", "claim", "version", "state", "at", "findings", "open", "rules",
};
#define CSV_COLUMNS (int)(sizeof(csv_head) / sizeof(*csv_head))

enum { EXPORT_JSONL, EXPORT_CSV };
static const char *const formats[] = {"jsonl", "csv", NULL};

/* A statement that returns no rows; false (msg filled) when it failed. */
static bool
command(PGconn *conn, const char *sql, const char *param, char *msg,
	size_t size)
{
	PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, &param,
				     NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		cli_db_message(conn, res, msg, size);
	PQclear(res);
	return ok;
}

static PGresult *
query(PGconn *conn, const char *sql, char *msg, size_t size)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	cli_db_message(conn, res, msg, size);
	PQclear(res);
	return NULL;
}

static void
put_rows(FILE *out, const PGresult *res, bool csv)
{
	for (int i = 0; i < PQntuples(res); i++) {
		if (!csv) {
			fputs(PQgetvalue(res, i, 0), out);
			fputc('\n', out);
			continue;
		}
		for (int c = 0; c < CSV_COLUMNS; c++) {
			if (c)
				fputc(',', out);
			rpt_csv_field(out, PQgetvalue(res, i, c));
		}
		fputs("\r\n", out);
	}
}

/* The rows after cursor into out, the snapshot's cursor into next
 * (malloc'd); counts them into *n.  false: msg says why. */
static bool
export_rows(PGconn *conn, const char *cursor, bool csv, FILE *out, char **next,
	    long *n, char *msg, size_t size)
{
	PGresult *res;
	if (!command(conn, "SET TIME ZONE 'UTC'", NULL, msg, size) ||
	    !command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		     NULL, msg, size))
		return false;
	if (!(res = query(conn, "SELECT claimscrub.results_cursor()", msg,
			  size)))
		return false;
	*next = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!*next) {
		snprintf(msg, size, "out of memory");
		return false;
	}
	if (!command(conn, csv ? EXPORT_CSV_SQL : EXPORT_JSONL_SQL, cursor, msg,
		     size))
		return false;
	if (csv) {
		for (int c = 0; c < CSV_COLUMNS; c++)
			fprintf(out, "%s%s", c ? "," : "", csv_head[c]);
		fputs("\r\n", out);
	}
	for (;;) {
		res = query(conn,
			    "FETCH " EXPORT_STR(EXPORT_FETCH) " FROM export",
			    msg, size);
		if (!res)
			return false;
		int got = PQntuples(res);
		put_rows(out, res, csv);
		*n += got;
		PQclear(res);
		if (got < EXPORT_FETCH)
			break;
	}
	return command(conn, "COMMIT", NULL, msg, size);
}

/* The cursor in path: "" when the file does not exist; NULL (said) when
 * it cannot be read or is too long. */
static char *
read_cursor(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f && errno == ENOENT)
		return strdup("");
	char *buf = f ? malloc(EXPORT_MAX_CURSOR + 1) : NULL;
	size_t len = buf ? fread(buf, 1, EXPORT_MAX_CURSOR + 1, f) : 0;
	bool bad = !f || !buf || ferror(f) || len > EXPORT_MAX_CURSOR;
	if (f)
		fclose(f);
	if (bad) {
		cli_error("export: %s: %s", path,
			  len > EXPORT_MAX_CURSOR
				  ? "longer than a cursor can be"
				  : strerror(errno ? errno : EIO));
		free(buf);
		return NULL;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

/* Replaces path with cursor: a new file synced, then renamed over it. */
static bool
write_cursor(const char *path, const char *cursor)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		cli_error("export: %s: the name is too long", path);
		return false;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(cursor);
	bool ok = fd >= 0 && write(fd, cursor, len) == (ssize_t)len &&
		  write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0) {
		cli_error("export: %s: %s", ok ? path : tmp, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return false;
	}
	return true;
}

/* Flushes and, for a file, syncs and closes out; false (said) on error. */
static bool
finish_output(FILE *out, const char *name)
{
	bool ok = fflush(out) == 0 && !ferror(out);
	if (ok && out != stdout && fsync(fileno(out)) != 0)
		ok = false;
	if (out != stdout && fclose(out) != 0)
		ok = false;
	if (!ok)
		cli_error("export: cannot write %s: %s",
			  name ? name : "standard output", strerror(errno));
	return ok;
}

static int
export_run(struct cli_opts *o)
{
	if (o->cursor && o->cursor_file) {
		cli_error("export: --since or --cursor-file, not both");
		return EXIT_USAGE;
	}
	char *cursor = o->cursor_file ? read_cursor(o->cursor_file)
				      : strdup(o->cursor ? o->cursor : "");
	if (!cursor)
		return EXIT_USAGE;
	PGconn *conn = cli_db_connect(o->db);
	FILE *out = !conn ? NULL : o->output ? fopen(o->output, "w") : stdout;
	if (conn && !out)
		cli_error("export: cannot write '%s': %s", o->output,
			  strerror(errno));
	char msg[1024], *next = NULL;
	long n = 0;
	int rc = !conn || !out ? EXIT_USAGE : EXIT_CLEAN;
	if (rc == EXIT_CLEAN &&
	    !export_rows(conn, cursor, o->format == EXPORT_CSV, out, &next, &n,
			 msg, sizeof(msg))) {
		cli_error("export: %s", msg);
		rc = PQstatus(conn) == CONNECTION_BAD ? EXIT_USAGE
						      : EXIT_REJECTED;
	}
	if (out && !finish_output(out, o->output) && rc == EXIT_CLEAN)
		rc = EXIT_REJECTED;
	if (rc == EXIT_CLEAN && o->cursor_file &&
	    !write_cursor(o->cursor_file, next))
		rc = EXIT_REJECTED;
	if (rc == EXIT_CLEAN)
		fprintf(stderr, "export: %ld event%s; next cursor: %s\n", n,
			n == 1 ? "" : "s", next);
	free(next);
	free(cursor);
	if (conn)
		PQfinish(conn);
	return rc;
}

static const struct cli_option since_row = {
	.name = "since",
	.letter = 's',
	.arg = "CURSOR",
	.help = "the events after CURSOR (the 'next cursor' an earlier "
		"export printed; default: every event)",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, cursor),
};

static const struct cli_option cursor_file_row = {
	.name = "cursor-file",
	.letter = 'c',
	.arg = "FILE",
	.help = "read the cursor from FILE (missing: every event) and, once "
		"the events are written, replace it with the next",
	.kind = CLI_OPT_STRING,
	.field = offsetof(struct cli_opts, cursor_file),
};

static const struct cli_option format_row = CLI_OPT_FORMAT(
	formats, "jsonl (default: an object a line, with the findings) or csv "
		 "(a row an event, the findings counted)");

static const struct cli_option *const options[] = {
	&since_row,  &cursor_file_row, &format_row, &cli_opt_output,
	&cli_opt_db, &cli_opt_help,    NULL};

const struct cli_entry cmd_export_entry = {
	.name = "export",
	.summary = "the results for billing since a cursor, as JSON Lines or "
		   "CSV",
	.usage = "[OPTION]...",
	.about = "Each change of a claim's outcome for billing since the "
		 "cursor, oldest first:\n"
		 "released (may go to the payer), held (flagged: waiting for "
		 "review), clean\n"
		 "(when clean claims are not released at once), invalid or "
		 "void (voided by\n"
		 "billing), with that version's findings.  The next cursor "
		 "goes to standard\n"
		 "error, or into --cursor-file.\n"
		 "Needs the claimscrub_reader role.\n",
	.status = "Exit status: 0 done, 1 the database refused (a bad cursor) "
		  "or the output\ncould not be written, 2 a usage or "
		  "connection error.\n",
	.options = options,
	.operands = CLI_ARGS_NONE,
	.run = export_run,
};

/*
 * common — rule and migration discovery, diagnostics printing and the
 * database connection, shared by subcommands.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("claimscrub: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool
cli_rules_add(struct cli_rules *r, const char *dir)
{
	if (r->n == CLI_MAX_RULE_DIRS)
		return false;
	r->dirs[r->n++] = dir;
	return true;
}

void
cli_rules_default(struct cli_rules *r)
{
	if (r->n == 0)
		r->n = rules_default_dirs(r->dirs, CLI_MAX_RULE_DIRS,
					  r->env_copy, sizeof(r->env_copy));
}

const char *
cli_sql_dir(void)
{
	struct stat st;
	if (rules_from_build_tree() && stat(CLAIMSCRUB_SRC_SQL, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return CLAIMSCRUB_SRC_SQL;
	return CLAIMSCRUB_DATA_SQL;
}

struct ruleset *
cli_rules_load(struct cli_rules *r)
{
	struct diag_list dl = {0};
	struct ruleset *rs = NULL;
	cli_rules_default(r);
	enum scrub_err err = rules_load_dirs(r->dirs, r->n, &rs, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	if (err == SCRUB_ENOMEM)
		cli_error("out of memory loading rules");
	return rs;
}

/* The text of line `line` (1-based) of buf, into out (escaped, cut). */
static bool
source_line(const char *buf, size_t len, unsigned line, char *out, size_t size)
{
	size_t i = 0;
	for (unsigned l = 1; l < line && i < len; i++)
		if (buf[i] == '\n')
			l++;
	if (i >= len && line > 1)
		return false;
	size_t o = 0;
	for (; i < len && buf[i] != '\n' && o + 1 < size; i++)
		out[o++] = (unsigned char)buf[i] < 0x20 && buf[i] != '\t'
				   ? '?'
				   : buf[i];
	out[o] = '\0';
	return true;
}

static void
print_context(const struct diag *d)
{
	char *buf;
	size_t len;
	char text[160];
	struct diag_list ignore = {0};
	if (!d->line || fileio_read(d->file, FILEIO_MAX_BYTES, &buf, &len,
				    &ignore) != SCRUB_OK) {
		diag_list_free(&ignore);
		return;
	}
	if (source_line(buf, len, d->line, text, sizeof(text))) {
		fprintf(stderr, "  %s\n  ", text);
		for (unsigned c = 1; c < d->column && c < sizeof(text); c++)
			fputc(text[c - 1] == '\t' ? '\t' : ' ', stderr);
		fputs("^\n", stderr);
	}
	free(buf);
}

void
cli_print_diags(const struct diag_list *dl, bool context)
{
	char line[1024];
	for (size_t i = 0; i < dl->n; i++) {
		diag_format(&dl->items[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
		if (context && strcmp(dl->items[i].file, "-") != 0)
			print_context(&dl->items[i]);
	}
}

/* ---- claim files --------------------------------------------------- */

/* Prints the diagnostics tagged with document doc, in order. */
static void
print_doc_diags(const struct diag_list *dl, int doc)
{
	struct diag_list one = {0};
	for (size_t i = 0; i < dl->n; i++) {
		if (dl->items[i].doc != doc)
			continue;
		one.items = &dl->items[i];
		one.n = 1;
		cli_print_diags(&one, isatty(STDERR_FILENO));
	}
}

/* Diagnostics of no document read: file errors, and a syntax error that
 * stopped the reading (tagged with the index after the last document). */
static void
print_trailing_diags(const struct diag_list *dl, size_t ndocs)
{
	struct diag_list one = {0};
	for (size_t i = 0; i < dl->n; i++) {
		if (dl->items[i].doc >= 0 && (size_t)dl->items[i].doc < ndocs)
			continue;
		one.items = &dl->items[i];
		one.n = 1;
		cli_print_diags(&one, isatty(STDERR_FILENO));
	}
}

bool
cli_each_doc(const char *path, cli_doc_fn *each, void *arg)
{
	struct diag_list dl = {0};
	struct claimdoc *cd = NULL;
	char *buf;
	size_t len;
	bool go_on = true;

	if (fileio_read(path, FILEIO_MAX_BYTES, &buf, &len, &dl) == SCRUB_OK) {
		enum scrub_err err = claimdoc_parse(path, buf, len, &cd, &dl);
		if (err == SCRUB_ENOMEM) {
			cli_error("out of memory reading '%s'", path);
			exit(EXIT_INTERNAL);
		}
		free(buf);
	}
	if (cd && claimdoc_count(cd) == 0 && dl.n == 0)
		diag_add(&dl, path, 1, 1, "no claim document in the file");
	for (size_t i = 0; go_on && cd && i < claimdoc_count(cd); i++) {
		print_doc_diags(&dl, (int)i);
		if (claimdoc_claim(cd, i))
			go_on = each(arg, path, claimdoc_claim(cd, i),
				     claimdoc_node(cd, i));
	}
	if (go_on)
		print_trailing_diags(&dl, cd ? claimdoc_count(cd) : 0);
	bool input_error = dl.n > 0;
	diag_list_free(&dl);
	claimdoc_free(cd);
	return input_error;
}

struct each_claim {
	cli_claim_fn *each;
	void *arg;
};

static bool
each_claim_doc(void *arg, const char *path, const struct claim *c,
	       const struct ynode *doc)
{
	const struct each_claim *ec = arg;
	(void)doc;
	return ec->each(ec->arg, path, c);
}

bool
cli_each_claim(const char *path, cli_claim_fn *each, void *arg)
{
	struct each_claim ec = {each, arg};
	return cli_each_doc(path, each_claim_doc, &ec);
}

/* ---- the database -------------------------------------------------- */

/* Copies s into buf with every run of control characters and spaces made
 * one space, trimmed: server messages may span lines ("\n\tIs the server
 * running ..."), and ours are one line each. */
static void
one_line(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	bool space = false;
	for (; *s && o + 1 < size; s++) {
		if ((unsigned char)*s <= ' ' || *s == 0x7F) {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < size)
			buf[o++] = ' ';
		space = false;
		buf[o++] = *s;
	}
	buf[o] = '\0';
}

const char *
cli_db_message(const PGconn *conn, const PGresult *res, char *buf, size_t size)
{
	const char *m = NULL;
	if (res)
		m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if ((!m || !*m) && res)
		m = PQresultErrorMessage(res);
	if ((!m || !*m) && conn)
		m = PQerrorMessage(conn);
	one_line(m && *m ? m : "unknown error", buf, size);
	return buf;
}

/* Server WARNINGs reach the user; the NOTICEs of idempotent DDL ("already
 * exists, skipping") would only be noise. */
static void
db_notice(void *arg, const PGresult *res)
{
	char msg[512];
	const char *sev =
		PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	(void)arg;
	if (sev && strcmp(sev, "WARNING") == 0)
		cli_error("database warning: %s",
			  cli_db_message(NULL, res, msg, sizeof(msg)));
}

/* True when libpq would read conninfo as a connection string (key=value
 * or URI) rather than as a database name. */
static bool
is_conninfo(const char *conninfo)
{
	return strchr(conninfo, '=') ||
	       strncmp(conninfo, "postgresql://", 13) == 0 ||
	       strncmp(conninfo, "postgres://", 11) == 0;
}

PGconn *
cli_db_connect(const char *conninfo)
{
	static const char *const keys[] = {"dbname",
					   "fallback_application_name", NULL};
	const char *values[] = {conninfo ? conninfo : "", "claimscrub", NULL};
	char *err = NULL, msg[512];

	/* libpq's own parse errors quote the string, password and all */
	if (is_conninfo(values[0])) {
		PQconninfoOption *opts = PQconninfoParse(values[0], &err);
		PQconninfoFree(opts);
		PQfreemem(err);
		if (!opts) {
			cli_error("--db: not a valid connection string "
				  "(key=value ... or a postgresql:// URI)");
			return NULL;
		}
	}
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		cli_error("cannot connect to the database: %s",
			  cli_db_message(conn, NULL, msg, sizeof(msg)));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn, db_notice, NULL);
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		cli_error("cannot set the client encoding to UTF8: %s",
			  cli_db_message(conn, NULL, msg, sizeof(msg)));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

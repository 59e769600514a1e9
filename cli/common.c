/*
 * common — rule and migration discovery, diagnostics printing (escaped,
 * linear in the file, capped per claim file) and the database connection,
 * shared by subcommands.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/termsafe.h"

/* Escaped as a whole: messages quote claim ids, paths and server text.
 * Longer than 4 kB is cut (a 1 MB claim id, say). */
void
cli_error(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("claimscrub: ", stderr);
	termsafe_put(stderr, msg);
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

bool
cli_payer_known(const struct ruleset *rs, const char *payer)
{
	if (!payer || rules_has_profile(rs, payer))
		return true;
	cli_error("--payer: no payer profile '%s' in the rules", payer);
	return false;
}

struct ruleset *
cli_rules_load_payer(struct cli_rules *r, const char *payer)
{
	struct ruleset *rs = cli_rules_load(r);
	if (rs && !cli_payer_known(rs, payer)) {
		rules_free(rs);
		return NULL;
	}
	return rs;
}

enum scrub_err
cli_scrub(const struct ruleset *rs, const struct claim *c, const char *payer,
	  struct claim *judged, struct result **out)
{
	*judged = *c;
	if (payer)
		judged->payer = payer;
	return scrub_claim(rs, judged, out);
}

/* ---- diagnostics --------------------------------------------------- */

/* At most this many errors are printed per claim file, then one line saying
 * how many more, as for a rule set (RULES_MAX_DIAGS, scrubber/rules.c): a
 * file of 100,000 bad documents still gets a readable answer. */
#define CLI_MAX_DIAGS 1000

/* A source line under a diagnostic is cut to this many columns. */
#define CONTEXT_COLS 150

/* The text of the file a diagnostic names, with a cursor at the start of a
 * line.  Diagnostics come in file order, so moving the cursor from one to
 * the next reads each file once: reading it again and counting its lines
 * from the top for every diagnostic made a file of 80,000 bad documents
 * take minutes on a terminal (issue 14, item 13). */
struct src_view {
	const char *file; /* whose text buf is (borrowed); NULL: none yet */
	const char *buf;  /* NUL-terminated; NULL: the file cannot be read */
	char *owned;	  /* buf, when src_load read it */
	size_t len, pos;  /* pos: where line `line` starts */
	unsigned line;
};

static void
src_set(struct src_view *sv, const char *file, const char *buf, size_t len)
{
	free(sv->owned);
	*sv = (struct src_view){
		.file = file, .buf = buf, .len = len, .line = 1};
}

/* The text of file in sv, read unless sv holds it already (standard input
 * cannot be read twice); false when there is none. */
static bool
src_load(struct src_view *sv, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	struct diag_list ignore = {0};
	if (sv->file && strcmp(sv->file, file) == 0)
		return sv->buf != NULL;
	if (strcmp(file, "-") != 0 && fileio_read(file, FILEIO_MAX_BYTES, &buf,
						  &len, &ignore) != SCRUB_OK)
		buf = NULL;
	diag_list_free(&ignore);
	src_set(sv, file, buf, len);
	sv->owned = buf;
	return buf != NULL;
}

/* Moves the cursor to the start of line (1-based), back or forth; false
 * when the file has no such line. */
static bool
src_seek(struct src_view *sv, unsigned line)
{
	for (; sv->line > line; sv->line--) {
		size_t p = sv->pos - 1; /* the newline ending the line before */
		while (p > 0 && sv->buf[p - 1] != '\n')
			p--;
		sv->pos = p;
	}
	for (; sv->line < line; sv->line++) {
		const char *nl =
			memchr(sv->buf + sv->pos, '\n', sv->len - sv->pos);
		if (!nl)
			return false;
		sv->pos = (size_t)(nl - sv->buf) + 1;
	}
	return sv->pos < sv->len || line == 1;
}

/* The line at the cursor, escaped (tabs kept, so the caret lines up), and a
 * caret under column (libyaml's: characters, not bytes). */
static void
print_source(const struct src_view *sv, unsigned column)
{
	char caret[CONTEXT_COLS + 1], esc[TERMSAFE_ESC_MAX];
	size_t nc = 0;
	int cols = 0;
	fputs("  ", stderr);
	for (size_t i = sv->pos, ch = 1; i < sv->len && sv->buf[i] != '\n';
	     ch++) {
		size_t n = termsafe_next(sv->buf + i, esc);
		bool raw = !*esc || sv->buf[i] == '\t';
		int w = raw ? 1 : (int)strlen(esc);
		if (cols + w > CONTEXT_COLS)
			break;
		if (raw)
			fwrite(sv->buf + i, 1, n, stderr);
		else
			fputs(esc, stderr);
		for (int k = 0; k < w && ch < column; k++)
			caret[nc++] = sv->buf[i] == '\t' ? '\t' : ' ';
		cols += w;
		i += n;
	}
	caret[nc] = '\0';
	fprintf(stderr, "\n  %s^\n", caret);
}

/* One diagnostic in compiler form, escaped: messages quote documents.  With
 * sv, the source line and a caret under it. */
static void
print_diag(const struct diag *d, struct src_view *sv)
{
	char line[1024];
	diag_format(d, line, sizeof(line));
	termsafe_put(stderr, line);
	fputc('\n', stderr);
	if (sv && d->line && src_load(sv, d->file) && src_seek(sv, d->line))
		print_source(sv, d->column);
}

void
cli_print_diags(const struct diag_list *dl, bool context)
{
	struct src_view sv = {0};
	for (size_t i = 0; i < dl->n; i++)
		print_diag(&dl->items[i], context ? &sv : NULL);
	src_set(&sv, NULL, NULL, 0);
}

/* ---- claim files --------------------------------------------------- */

/* A claim file's diagnostics, grouped by document in one pass so each
 * prints in its document's place (scanning the whole list for every
 * document was quadratic: issue 14, item 13).  Group d < ndocs holds
 * document d's, group ndocs the rest: file errors, and a syntax error that
 * stopped the reading (tagged with the index after the last document). */
struct file_diags {
	const struct diag_list *dl;
	size_t *first; /* ndocs + 2: group g is idx[first[g] .. first[g + 1]) */
	size_t *idx;   /* into dl, in list order within a group */
	struct src_view src;
	bool context;
	size_t shown, more; /* printed, and held back by CLI_MAX_DIAGS */
};

static size_t
group_of(const struct diag *d, size_t ndocs)
{
	return d->doc >= 0 && (size_t)d->doc < ndocs ? (size_t)d->doc : ndocs;
}

/* Groups dl (a counting sort, stable); false when out of memory. */
static bool
file_diags_init(struct file_diags *fd, const struct diag_list *dl, size_t ndocs)
{
	*fd = (struct file_diags){.dl = dl};
	fd->first = calloc(ndocs + 2, sizeof(*fd->first));
	fd->idx = calloc(dl->n + 1, sizeof(*fd->idx));
	size_t *next = calloc(ndocs + 1, sizeof(*next));
	bool ok = fd->first && fd->idx && next;
	if (ok) {
		for (size_t i = 0; i < dl->n; i++)
			fd->first[group_of(&dl->items[i], ndocs) + 1]++;
		for (size_t g = 0; g <= ndocs; g++)
			fd->first[g + 1] += fd->first[g];
		memcpy(next, fd->first, (ndocs + 1) * sizeof(*next));
		for (size_t i = 0; i < dl->n; i++)
			fd->idx[next[group_of(&dl->items[i], ndocs)]++] = i;
	}
	free(next);
	return ok;
}

static void
file_diags_print(struct file_diags *fd, size_t group)
{
	for (size_t k = fd->first[group]; k < fd->first[group + 1]; k++) {
		if (fd->shown == CLI_MAX_DIAGS) {
			fd->more++;
			continue;
		}
		fd->shown++;
		print_diag(&fd->dl->items[fd->idx[k]],
			   fd->context ? &fd->src : NULL);
	}
}

/* Says how many errors the cap held back, and frees fd. */
static void
file_diags_done(struct file_diags *fd, const char *path)
{
	if (fd->more) {
		termsafe_put(stderr, path);
		fprintf(stderr, ": error: %zu more errors not shown\n",
			fd->more);
	}
	src_set(&fd->src, NULL, NULL, 0);
	free(fd->first);
	free(fd->idx);
}

static void
out_of_memory(const char *path)
{
	cli_error("out of memory reading '%s'", path);
	exit(EXIT_INTERNAL);
}

bool
cli_each_doc(const char *path, cli_doc_fn *each, void *arg)
{
	struct diag_list dl = {0};
	struct claimdoc *cd = NULL;
	struct file_diags fd;
	char *buf;
	size_t len;
	bool go_on = true, context = isatty(STDERR_FILENO);

	if (fileio_read(path, FILEIO_MAX_BYTES, &buf, &len, &dl) == SCRUB_OK &&
	    claimdoc_parse(path, buf, len, &cd, &dl) == SCRUB_ENOMEM)
		out_of_memory(path);
	size_t ndocs = cd ? claimdoc_count(cd) : 0;
	if (!file_diags_init(&fd, &dl, ndocs))
		out_of_memory(path);
	/* the text stays only for the source lines under the errors */
	if (context) {
		fd.context = true;
		src_set(&fd.src, path, buf, len);
		fd.src.owned = buf;
	} else {
		free(buf);
	}
	for (size_t i = 0; go_on && i < ndocs; i++) {
		const struct claim *c = claimdoc_claim(cd, i);
		file_diags_print(&fd, i);
		if (c)
			go_on = each(arg, path, c, claimdoc_node(cd, i));
	}
	if (go_on)
		file_diags_print(&fd, ndocs);
	file_diags_done(&fd, path);
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
	/* a refusal may quote the claim's text, bidi controls and all */
	char flat[1024];
	one_line(m && *m ? m : "unknown error", flat, sizeof(flat));
	return termsafe_copy(buf, size, flat);
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
cli_db_open(const char *conninfo, char *why, size_t size)
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
			snprintf(why, size,
				 "--db: not a valid connection string "
				 "(key=value ... or a postgresql:// URI)");
			return NULL;
		}
	}
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		snprintf(why, size, "cannot connect to the database: %s",
			 cli_db_message(conn, NULL, msg, sizeof(msg)));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn, db_notice, NULL);
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		snprintf(why, size,
			 "cannot set the client encoding to UTF8: %s",
			 cli_db_message(conn, NULL, msg, sizeof(msg)));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

PGconn *
cli_db_connect(const char *conninfo)
{
	char why[640];
	PGconn *conn = cli_db_open(conninfo, why, sizeof(why));
	if (!conn)
		cli_error("%s", why);
	return conn;
}

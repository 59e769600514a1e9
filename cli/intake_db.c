/*
 * intake_db — `claimscrub import --submit`: the claims of one 837 file into
 * the database queue, in one transaction, so a file is in the queue whole
 * or not at all (as `import` writes a file's documents whole or not at
 * all).  A claim's frequency (CLM05-3) says what to do with it:
 *
 *   1 original, 7 replacement  claimscrub.submit_many(), the claims between
 *                              two voids in one call: a claim already in the
 *                              queue gets a new version and is scrubbed
 *                              again (a rebill; decisions carry over by
 *                              fingerprint, 060_workflow.sql)
 *   8 void                     claimscrub.void_claim(): out of the queue
 *                              as 'void', a billing event 'void'
 *
 * in file order, so a file that holds a claim and then its void leaves it
 * void.  A void of a claim the queue never had is said, not an error: a
 * billing system voids claims it sent before claimscrub was there.
 *
 * MAR records (import --submit --format fhir|hl7) go in as one JSON array
 * through claimscrub.mar_store(), one statement: a file whole or not at
 * all, a record resent replacing its row (sql/api/035_mar.sql).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/intake.h"
#include "cli/termsafe.h"

#define SUBMIT_SQL "SELECT claimscrub.submit($1::jsonb)"
#define SUBMIT_MANY_SQL "SELECT claimscrub.submit_many($1::jsonb)"
#define VOID_SQL "SELECT claimscrub.void_claim($1::text)"
#define MAR_SQL "SELECT claimscrub.mar_store($1::text, $2::jsonb)"

/* Runs a statement without parameters (BEGIN, COMMIT, ROLLBACK). */
static bool
exec_plain(PGconn *conn, const char *sql, char *why, size_t size)
{
	PGresult *res = PQexec(conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		cli_db_message(conn, res, why, size);
	PQclear(res);
	return ok;
}

/* Says "import: PATH: claim REF (segment N): " and then what. */
static void
say_claim(const char *path, const struct x12_claim *c, const char *what)
{
	fputs("import: ", stderr);
	termsafe_put(stderr, path);
	fputs(": claim ", stderr);
	termsafe_put(stderr, c->claim.ref);
	fprintf(stderr, " (segment %u): %s\n", c->segment, what);
}

/* One statement with one parameter; its result when it returned one row,
 * else NULL with why filled. */
static PGresult *
exec_one(PGconn *conn, const char *sql, const char *param, char *why,
	 size_t size)
{
	PGresult *res = PQexecParams(conn, sql, 1, NULL, &param, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		return res;
	cli_db_message(conn, res, why, size);
	PQclear(res);
	return NULL;
}

/* A void; false (why filled) when the database refused it. */
static bool
send_void(PGconn *conn, const char *path, const struct x12_claim *c,
	  struct intake_counts *n, char *why, size_t size)
{
	PGresult *res = exec_one(conn, VOID_SQL, c->claim.ref, why, size);
	if (!res)
		return false;
	if (PQgetvalue(res, 0, 0)[0] == 't') {
		n->voided++;
	} else {
		n->void_unknown++;
		say_claim(path, c,
			  "void (8) of a claim the queue does not hold, or "
			  "holds void already: nothing to do");
	}
	PQclear(res);
	return true;
}

/* The documents of the kept claims of [from, to) (none a void) as one
 * JSON array in json; false when out of memory. */
static bool
run_json(const bool *keep, const struct claim *docs, size_t from, size_t to,
	 struct strbuf *json)
{
	bool first = true;
	strbuf_reset(json);
	strbuf_putc(json, '[');
	for (size_t i = from; i < to; i++) {
		if (!keep[i])
			continue;
		if (!first)
			strbuf_putc(json, ',');
		first = false;
		claimjson_write(&docs[i], json);
	}
	strbuf_putc(json, ']');
	return !json->failed;
}

/* A file's claims, in the transaction the caller opened. */
struct file_run {
	PGconn *conn;
	const char *path;
	const struct x12 *x;
	const bool *keep;
	const struct claim *docs;
	struct strbuf *json;
	struct intake_counts n;
	char why[1024];
	size_t failed_at; /* the void refused, or the first of the run */
	bool failed_run;  /* a run was refused: failed_at..run_end */
	size_t run_end;
};

/* The kept claims of [from, to), none a void, in one submit_many(). */
static bool
send_run(struct file_run *f, size_t from, size_t to)
{
	if (!run_json(f->keep, f->docs, from, to, f->json)) {
		snprintf(f->why, sizeof(f->why), "out of memory");
		return false;
	}
	PGresult *res = exec_one(f->conn, SUBMIT_MANY_SQL, strbuf_str(f->json),
				 f->why, sizeof(f->why));
	if (!res)
		return false;
	f->n.submitted += strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	for (size_t i = from; i < to; i++)
		f->n.replacements +=
			f->keep[i] &&
			x12_claim(f->x, i)->frequency == X12_REPLACEMENT;
	PQclear(res);
	return true;
}

/* Every kept claim in file order: each run between voids in one
 * submit_many(), each void by itself. */
static bool
send_all(struct file_run *f)
{
	size_t count = x12_count(f->x), i = 0;
	while (i < count) {
		if (!f->keep[i]) {
			i++;
			continue;
		}
		f->failed_at = i;
		if (x12_claim(f->x, i)->frequency == X12_VOID) {
			if (!send_void(f->conn, f->path, x12_claim(f->x, i),
				       &f->n, f->why, sizeof(f->why)))
				return false;
			i++;
			continue;
		}
		size_t j = i;
		while (j < count && (!f->keep[j] ||
				     x12_claim(f->x, j)->frequency != X12_VOID))
			j++;
		if (!send_run(f, i, j)) {
			f->failed_run = true;
			f->run_end = j;
			return false;
		}
		i = j;
	}
	return true;
}

/* After a run was refused (and rolled back): which claim, by submitting
 * them one by one in a transaction rolled back again; failed_at and why
 * name it.  When none is refused alone (the run failed for another reason)
 * the run's first claim and the run's error stay. */
static void
find_refused(struct file_run *f)
{
	char why[1024], ignored[256];
	if (!exec_plain(f->conn, "BEGIN", ignored, sizeof(ignored)))
		return;
	for (size_t i = f->failed_at; i < f->run_end; i++) {
		if (!f->keep[i])
			continue;
		strbuf_reset(f->json);
		claimjson_write(&f->docs[i], f->json);
		if (f->json->failed)
			break;
		PGresult *res = exec_one(f->conn, SUBMIT_SQL,
					 strbuf_str(f->json), why, sizeof(why));
		if (!res) {
			f->failed_at = i;
			snprintf(f->why, sizeof(f->why), "%s", why);
			break;
		}
		PQclear(res);
	}
	exec_plain(f->conn, "ROLLBACK", ignored, sizeof(ignored));
}

bool
intake_submit(PGconn *conn, const char *path, const struct x12 *x,
	      const bool *keep, const struct claim *docs, struct strbuf *json,
	      struct intake_counts *n)
{
	struct file_run f = {.conn = conn,
			     .path = path,
			     .x = x,
			     .keep = keep,
			     .docs = docs,
			     .json = json};
	bool ok = exec_plain(conn, "BEGIN", f.why, sizeof(f.why)) &&
		  send_all(&f) &&
		  exec_plain(conn, "COMMIT", f.why, sizeof(f.why));
	if (ok) {
		*n = f.n;
		return true;
	}
	char ignored[256];
	if (PQstatus(conn) == CONNECTION_OK) {
		exec_plain(conn, "ROLLBACK", ignored, sizeof(ignored));
		if (f.failed_run)
			find_refused(&f);
	}
	fputs("import: ", stderr);
	termsafe_put(stderr, path);
	if (f.failed_at < x12_count(x)) {
		fputs(": claim ", stderr);
		termsafe_put(stderr, x12_claim(x, f.failed_at)->claim.ref);
		fprintf(stderr, " (segment %u)",
			x12_claim(x, f.failed_at)->segment);
	}
	/* why is escaped by cli_db_message */
	fprintf(stderr, ": error: %s; nothing of the file was submitted\n",
		f.why);
	return false;
}

/* The records as one JSON array in json; false when out of memory. */
static bool
mar_array(const struct mar_record *recs, size_t n, struct strbuf *json)
{
	strbuf_reset(json);
	strbuf_putc(json, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_putc(json, ',');
		marrec_json_write(&recs[i], json);
	}
	strbuf_putc(json, ']');
	return !json->failed;
}

bool
intake_mar_store(PGconn *conn, const char *path, const char *source,
		 const struct mar_record *recs, size_t n, struct strbuf *json,
		 long *stored)
{
	char why[1024] = "out of memory";
	bool ok = mar_array(recs, n, json);
	if (ok) {
		const char *params[2] = {source, strbuf_str(json)};
		PGresult *res = PQexecParams(conn, MAR_SQL, 2, NULL, params,
					     NULL, NULL, 0);
		ok = PQresultStatus(res) == PGRES_TUPLES_OK &&
		     PQntuples(res) == 1;
		if (ok)
			*stored = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		else
			cli_db_message(conn, res, why, sizeof(why));
		PQclear(res);
	}
	if (ok)
		return true;
	fputs("import: ", stderr);
	termsafe_put(stderr, path);
	/* why is escaped by cli_db_message */
	fprintf(stderr, ": error: %s; nothing of the file was stored\n", why);
	return false;
}

/*
 * intake_db — `claimscrub import --submit`: the claims of one 837 file into
 * the database queue, in one transaction, so a file is in the queue whole
 * or not at all (as `import` writes a file's documents whole or not at
 * all).  A claim's frequency (CLM05-3) says what to do with it:
 *
 *   1 original, 7 replacement  claimscrub.submit(): a claim already in the
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

/* Sends one claim; false (why filled) when the database refused it. */
static bool
send_claim(PGconn *conn, const char *path, const struct x12_claim *c,
	   const struct claim *doc, struct strbuf *json,
	   struct intake_counts *n, char *why, size_t size)
{
	bool is_void = c->frequency == X12_VOID;
	const char *param = c->claim.ref;
	if (!is_void) {
		strbuf_reset(json);
		claimjson_write(doc, json);
		if (json->failed) {
			snprintf(why, size, "out of memory");
			return false;
		}
		param = strbuf_str(json);
	}
	PGresult *res = PQexecParams(conn, is_void ? VOID_SQL : SUBMIT_SQL, 1,
				     NULL, &param, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (!ok) {
		cli_db_message(conn, res, why, size);
	} else if (!is_void) {
		n->submitted++;
		n->replacements += c->frequency == X12_REPLACEMENT;
	} else if (PQgetvalue(res, 0, 0)[0] == 't') {
		n->voided++;
	} else {
		n->void_unknown++;
		say_claim(path, c,
			  "void (8) of a claim the queue does not hold, or "
			  "holds void already: nothing to do");
	}
	PQclear(res);
	return ok;
}

bool
intake_submit(PGconn *conn, const char *path, const struct x12 *x,
	      const bool *keep, const struct claim *docs, struct strbuf *json,
	      struct intake_counts *n)
{
	char why[1024] = "";
	struct intake_counts got = {0};
	size_t failed_at = 0, count = x12_count(x);
	bool ok = exec_plain(conn, "BEGIN", why, sizeof(why));
	for (size_t i = 0; ok && i < count; i++) {
		if (!keep[i])
			continue;
		failed_at = i;
		ok = send_claim(conn, path, x12_claim(x, i), &docs[i], json,
				&got, why, sizeof(why));
	}
	if (ok)
		ok = exec_plain(conn, "COMMIT", why, sizeof(why));
	if (ok) {
		*n = got;
		return true;
	}
	char ignored[256];
	if (PQstatus(conn) == CONNECTION_OK)
		exec_plain(conn, "ROLLBACK", ignored, sizeof(ignored));
	fputs("import: ", stderr);
	termsafe_put(stderr, path);
	if (count > 0 && failed_at < count) {
		fputs(": claim ", stderr);
		termsafe_put(stderr, x12_claim(x, failed_at)->claim.ref);
		fprintf(stderr, " (segment %u)",
			x12_claim(x, failed_at)->segment);
	}
	/* why is escaped by cli_db_message */
	fprintf(stderr, ": error: %s; nothing of the file was submitted\n",
		why);
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

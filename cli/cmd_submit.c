/*
 * submit — `claimscrub submit [--db CONNINFO] FILE...`: puts claim documents
 * in the database queue through claimscrub.submit(jsonb).  Documents are
 * read as `check` reads them, and a bad one is reported in the same
 * FILE:LINE:COLUMN form and never sent.  Each good one goes as canonical JSON
 * (claimjson), as a query parameter, in a statement of its own: one
 * transaction per document, so a document the database rejects leaves the
 * others in.  Exit 0 all submitted, 1 any rejected, 2 input, usage or
 * connection errors.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/entry.h"
#include "cli/termsafe.h"

/* Autocommit: the statement is the document's transaction. */
#define SUBMIT_SQL "SELECT claimscrub.submit($1::jsonb)"

struct submit_state {
	const char *conninfo;
	PGconn *conn; /* opened at the first good document */
	struct strbuf json;
	bool rejected;	  /* the database refused a document */
	bool input_error; /* a document was not well formed */
	bool fatal;	  /* no database to go on with */
};

/* True when res says the database lacks our schema, not that it refused
 * this document: undefined function, undefined schema. */
static bool
is_setup_error(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return state &&
	       (strcmp(state, "42883") == 0 || strcmp(state, "3F000") == 0);
}

/* Reports a failed submit; false when the next document cannot go either. */
static bool
report_failure(struct submit_state *st, const char *path, const struct claim *c,
	       const PGresult *res)
{
	char msg[1024];
	cli_db_message(st->conn, res, msg, sizeof(msg));
	if (PQstatus(st->conn) == CONNECTION_BAD) {
		cli_error("submit: lost the database connection while sending "
			  "claim %s (it may not be stored): %s",
			  c->ref, msg);
		return false;
	}
	if (is_setup_error(res)) {
		cli_error("submit: %s (has 'claimscrub db migrate' run on "
			  "this database?)",
			  msg);
		return false;
	}
	termsafe_put(stderr, path);
	fputs(": claim ", stderr);
	termsafe_put(stderr, c->ref);
	fprintf(stderr, ": error: %s\n", msg); /* escaped by cli_db_message */
	st->rejected = true;
	return true;
}

/* Sends one good document (cli_each_claim). */
static bool
submit_one(void *arg, const char *path, const struct claim *c)
{
	struct submit_state *st = arg;
	if (!st->conn && !(st->conn = cli_db_connect(st->conninfo))) {
		st->fatal = true;
		return false;
	}
	strbuf_reset(&st->json);
	claimjson_write(c, &st->json);
	if (st->json.failed) {
		cli_error("out of memory writing claim %s", c->ref);
		exit(EXIT_INTERNAL);
	}
	const char *params[1] = {strbuf_str(&st->json)};
	PGresult *res = PQexecParams(st->conn, SUBMIT_SQL, 1, NULL, params,
				     NULL, NULL, 0);
	bool go_on = true;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		termsafe_put(stdout, c->ref);
		printf(" submitted (id %s)\n", PQgetvalue(res, 0, 0));
		fflush(stdout);
	} else {
		go_on = report_failure(st, path, c, res);
		st->fatal |= !go_on;
	}
	PQclear(res);
	return go_on;
}

static int
submit_run(struct cli_opts *o)
{
	struct submit_state st = {.conninfo = o->db, .json = STRBUF_INIT};
	for (int i = 0; i < o->nargs && !st.fatal; i++)
		st.input_error |= cli_each_claim(o->args[i], submit_one, &st);
	PQfinish(st.conn);
	strbuf_free(&st.json);
	if (st.fatal || st.input_error)
		return EXIT_USAGE;
	return st.rejected ? EXIT_REJECTED : EXIT_CLEAN;
}

static const struct cli_option *const options[] = {&cli_opt_db, &cli_opt_help,
						   NULL};

const struct cli_entry cmd_submit_entry = {
	.name = "submit",
	.summary = "send claim files to the database queue",
	.usage = "[OPTION]... FILE...",
	.about = "Send claim documents (YAML or JSON; several per file, '-' "
		 "for standard\n"
		 "input) to the database queue with claimscrub.submit(), each "
		 "in its own\n"
		 "transaction; a claim already there is replaced by its new "
		 "version.\n",
	.status = "Exit status: 0 every claim submitted, 1 the database "
		  "rejected a claim,\n"
		  "2 an input, usage or connection error (document errors name "
		  "FILE:LINE:COLUMN\n"
		  "and the document is not sent).\n",
	.options = options,
	.operands = CLI_ARGS_SOME,
	.what = "claim files",
	.run = submit_run,
};

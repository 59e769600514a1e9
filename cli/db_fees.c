/*
 * db_fees — `claimscrub db fees [--rules DIR]...`: replaces the rows of
 * claimscrub.fee with the `fees:` of the rule set, and
 * claimscrub.payer_profile with its profile names and `payers:` lists, in
 * one transaction (a report never sees half a schedule), with
 * parameterized INSERTs.  One row
 * per profile, code and period of the effective-dated rule set; adjacent
 * periods with the same amount become one row.  A rule set without fees
 * empties the table: reports then show counts only.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/db_fees.h"
#include "scrubber/ruleset.h"

#define FEES_INSERT_SQL \
	"INSERT INTO claimscrub.fee (profile, code, amount, effective_from," \
	" effective_to) VALUES ($1, $2, $3::numeric, $4::date, $5::date)"

/* lower(): the reports match a claim's payer lower-cased; a name the
 * server lower-cases like another is one row */
#define PAYER_INSERT_SQL \
	"INSERT INTO claimscrub.payer_profile (payer, profile)" \
	" VALUES (lower($1), $2) ON CONFLICT (payer) DO NOTHING"

struct fee_row {
	const char *profile, *code; /* borrowed from the rule set */
	long cents;
	int32_t from, to; /* INT32_MIN / INT32_MAX: open */
};

struct fee_rows {
	struct fee_row *items;
	size_t n, cap;
};

/* Adds a fee of a period, extending the row of the period before when it
 * has the same amount. */
static bool
rows_add(struct fee_rows *r, const struct rule_fee *f, int32_t from, int32_t to)
{
	for (size_t i = r->n; i-- > 0;) {
		struct fee_row *x = &r->items[i];
		if (strcmp(x->profile, f->profile) == 0 &&
		    strcmp(x->code, f->code) == 0 && x->cents == f->cents &&
		    x->to != INT32_MAX && x->to + 1 == from) {
			x->to = to;
			return true;
		}
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 128;
		struct fee_row *items = realloc(r->items, cap * sizeof(*items));
		if (!items)
			return false;
		r->items = items;
		r->cap = cap;
	}
	r->items[r->n++] =
		(struct fee_row){f->profile, f->code, f->cents, from, to};
	return true;
}

static bool
collect(const struct ruleset *rs, struct fee_rows *rows)
{
	for (int p = 0; p < rules_nperiods(rs); p++) {
		int32_t from, to;
		const struct ruleset *ps = rules_period(rs, p, &from, &to);
		for (int i = 0; i < ps->fees.n; i++)
			if (!rows_add(rows, &ps->fees.items[i], from, to))
				return false;
	}
	return true;
}

static bool
exec_ok(PGconn *conn, PGresult *res, const char *what)
{
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok) {
		char msg[1024];
		cli_error("db fees: %s: %s", what,
			  cli_db_message(conn, res, msg, sizeof(msg)));
	}
	PQclear(res);
	return ok;
}

static bool
insert_row(PGconn *conn, const struct fee_row *f)
{
	char amount[32], from[16], to[16];
	snprintf(amount, sizeof(amount), "%ld.%02ld", f->cents / 100,
		 f->cents % 100);
	isotime_format_date(f->from, from, sizeof(from));
	isotime_format_date(f->to, to, sizeof(to));
	const char *params[5] = {f->profile, f->code, amount,
				 f->from == INT32_MIN ? NULL : from,
				 f->to == INT32_MAX ? NULL : to};
	return exec_ok(conn,
		       PQexecParams(conn, FEES_INSERT_SQL, 5, NULL, params,
				    NULL, NULL, 0),
		       "inserting a fee");
}

static bool
insert_payer(PGconn *conn, const char *payer, const char *profile)
{
	const char *params[2] = {payer, profile};
	return exec_ok(conn,
		       PQexecParams(conn, PAYER_INSERT_SQL, 2, NULL, params,
				    NULL, NULL, 0),
		       "inserting a payer");
}

/* claimscrub.payer_profile: every profile's own name and the names of its
 * payers: list, for the reports' unmapped payers; *n: how many. */
static bool
store_payers(PGconn *conn, const struct ruleset *rs, int *n)
{
	bool ok = exec_ok(conn,
			  PQexec(conn, "DELETE FROM claimscrub.payer_profile"),
			  "emptying claimscrub.payer_profile");
	for (int i = 0; ok && i < rs->nprofiles; i++)
		ok = insert_payer(conn, rs->profiles[i].name,
				  rs->profiles[i].name);
	for (int i = 0; ok && i < rs->payers.n; i++)
		ok = insert_payer(
			conn, rs->payers.items[i].payer,
			rs->profiles[rs->payers.items[i].profile].name);
	*n = rs->payers.n;
	return ok;
}

/* The transaction: empty the tables, insert every row, commit. */
static int
store(PGconn *conn, const struct ruleset *rs, const struct fee_rows *rows,
      int *npayers)
{
	bool ok = exec_ok(conn, PQexec(conn, "BEGIN"), "BEGIN") &&
		  exec_ok(conn, PQexec(conn, "DELETE FROM claimscrub.fee"),
			  "emptying claimscrub.fee (has 'claimscrub db "
			  "migrate' run?)");
	for (size_t i = 0; ok && i < rows->n; i++)
		ok = insert_row(conn, &rows->items[i]);
	ok = ok && store_payers(conn, rs, npayers);
	ok = ok && exec_ok(conn, PQexec(conn, "COMMIT"), "COMMIT");
	if (!ok) {
		if (PQtransactionStatus(conn) != PQTRANS_IDLE)
			PQclear(PQexec(conn, "ROLLBACK"));
		return PQstatus(conn) == CONNECTION_BAD ? EXIT_USAGE
							: EXIT_REJECTED;
	}
	return EXIT_CLEAN;
}

int
db_fees_load(PGconn *conn, struct cli_rules *rules)
{
	struct ruleset *rs = cli_rules_load(rules);
	if (!rs)
		return EXIT_USAGE;
	struct fee_rows rows = {0};
	int rc = EXIT_INTERNAL, npayers = 0;
	if (collect(rs, &rows))
		rc = store(conn, rs, &rows, &npayers);
	else
		cli_error("out of memory");
	if (rc == EXIT_CLEAN && rows.n == 0)
		printf("loaded 0 fees: the rules have no fees: section, "
		       "reports show counts only\n");
	else if (rc == EXIT_CLEAN)
		printf("loaded %zu fees from %d rule period%s\n", rows.n,
		       rules_nperiods(rs), rules_nperiods(rs) == 1 ? "" : "s");
	if (rc == EXIT_CLEAN && npayers > 0)
		printf("loaded %d payer name%s of the payers: section\n",
		       npayers, npayers == 1 ? "" : "s");
	free(rows.items);
	rules_free(rs);
	return rc;
}

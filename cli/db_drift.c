/*
 * db_drift — see db_drift.h.  Every part is text the catalog gives for a
 * definition, sorted, so the checksum depends on what is defined and not
 * on object ids or the order things were made in.
 */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/db_drift.h"

#define DRIFT_SQL \
	"SELECT encode(sha256(convert_to(coalesce(string_agg(d, E'\\n' ORDER " \
	"BY d), ''), 'UTF8')), 'hex') FROM (" /* functions and procedures, with who may run them */ \
	" SELECT 'function ' || p.oid::regprocedure || ' ' ||" \
	"  pg_get_functiondef(p.oid) || ' ' || coalesce(p.proacl::text, '')" \
	"  AS d FROM pg_proc p" \
	"  WHERE p.pronamespace = to_regnamespace('claimscrub')" \
	"    AND p.prokind IN ('f', 'p')" /* views' text, and every relation's privileges */ \
	" UNION ALL SELECT 'relation ' || c.oid::regclass || ' ' ||" \
	"  coalesce(CASE WHEN c.relkind IN ('v', 'm')" \
	"   THEN pg_get_viewdef(c.oid) END, '') || ' ' ||" \
	"  coalesce(c.relacl::text, '') || ' ' || c.relrowsecurity" \
	"  FROM pg_class c WHERE c.relnamespace = " \
	"to_regnamespace('claimscrub')" \
	"   AND c.relkind IN ('r', 'v', 'm', 'p', 'S')" /* column privileges */ \
	" UNION ALL SELECT 'column ' || a.attrelid::regclass || '.' ||" \
	"  a.attname || ' ' || a.attacl::text FROM pg_attribute a" \
	"  JOIN pg_class c ON c.oid = a.attrelid" \
	"  WHERE c.relnamespace = to_regnamespace('claimscrub')" \
	"    AND a.attacl IS NOT NULL AND NOT a.attisdropped" /* triggers */ \
	" UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid)" \
	"  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid" \
	"  WHERE c.relnamespace = to_regnamespace('claimscrub')" \
	"    AND NOT t.tgisinternal" /* row-level policies */ \
	" UNION ALL SELECT 'policy ' || tablename || '.' || policyname || ' '" \
	"  || cmd || ' ' || array_to_string(roles, ',') || ' ' ||" \
	"  coalesce(qual, '') || ' ' || coalesce(with_check, '')" \
	"  FROM pg_policies WHERE schemaname = 'claimscrub') x"

#define RECORDED_SQL \
	"SELECT (SELECT checksum FROM claimscrub.schema_definitions)"

static PGresult *
rows(PGconn *conn, const char *sql, const char *what)
{
	char msg[1024];
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		return res;
	cli_error("db: cannot read %s: %s", what,
		  cli_db_message(conn, res, msg, sizeof(msg)));
	PQclear(res);
	return NULL;
}

enum db_drift
db_drift_check(PGconn *conn, char now[65])
{
	/* (the table first: without it, RECORDED_SQL's subquery fails) */
	PGresult *res =
		rows(conn,
		     "SELECT to_regclass('claimscrub.schema_definitions')"
		     " IS NOT NULL",
		     "the schema");
	if (!res)
		return DB_DRIFT_ERROR;
	bool table = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!(res = rows(conn, DRIFT_SQL, "the schema's definitions")))
		return DB_DRIFT_ERROR;
	snprintf(now, 65, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!table)
		return DB_DRIFT_UNKNOWN;
	if (!(res = rows(conn, RECORDED_SQL, "the recorded definitions")))
		return DB_DRIFT_ERROR;
	enum db_drift d = PQgetisnull(res, 0, 0) ? DB_DRIFT_UNKNOWN
			  : strcmp(PQgetvalue(res, 0, 0), now) == 0
				  ? DB_DRIFT_NONE
				  : DB_DRIFT_CHANGED;
	PQclear(res);
	return d;
}

bool
db_drift_record(PGconn *conn, const char *now)
{
	char msg[1024];
	PGresult *res = PQexecParams(
		conn,
		"INSERT INTO claimscrub.schema_definitions (checksum) VALUES "
		"($1)"
		" ON CONFLICT (one) DO UPDATE SET checksum = EXCLUDED.checksum,"
		" recorded_at = now()",
		1, NULL, &now, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		cli_error("db: cannot record the definitions: %s",
			  cli_db_message(conn, res, msg, sizeof(msg)));
	PQclear(res);
	return ok;
}

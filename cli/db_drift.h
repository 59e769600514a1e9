/*
 * db_drift — the definitions the api files make (functions, views,
 * triggers, row-level policies, and the privileges on them and on the
 * tables), as one SHA-256 the database computes, against the one `db
 * migrate` recorded in claimscrub.schema_definitions (017): a change made
 * outside it (a function replaced by hand, a GRANT) is drift.
 */
#ifndef CLI_DB_DRIFT_H
#define CLI_DB_DRIFT_H

#include <stdbool.h>

#include <libpq-fe.h>

enum db_drift {
	DB_DRIFT_NONE,	  /* as db migrate left them */
	DB_DRIFT_CHANGED, /* changed since */
	DB_DRIFT_UNKNOWN, /* nothing recorded (before 017, or never migrated) */
	DB_DRIFT_ERROR	  /* could not be read (said) */
};

/* The definitions' state; their checksum now into now (65 bytes). */
enum db_drift db_drift_check(PGconn *conn, char now[65]);

/* Records checksum now as the definitions db migrate left; false (said)
 * when it cannot. */
bool db_drift_record(PGconn *conn, const char *now);

#endif

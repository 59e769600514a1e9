/*
 * db_fees — `claimscrub db fees`: the rule set's fee schedule into
 * claimscrub.fee (sql/migrations/005_review.sql).
 */
#ifndef CLI_DB_FEES_H
#define CLI_DB_FEES_H

#include "cli/cli.h"

/* Loads the rules (the directories of rules, or the default ones) and
 * replaces the rows of claimscrub.fee with their fees, one transaction;
 * prints what it loaded.  Returns an exit status: 0 done, 1 the database
 * refused, 2 bad rules or a lost connection. */
int db_fees_load(PGconn *conn, struct cli_rules *rules);

#endif

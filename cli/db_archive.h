/*
 * db_archive — `claimscrub db archive` (db_archive.c), an entry of the db
 * group (cmd_db.c).
 */
#ifndef CLI_DB_ARCHIVE_H
#define CLI_DB_ARCHIVE_H

#include "cli/entry.h"

extern const struct cli_entry db_archive_entry;

#endif

/*
 * intake — what `claimscrub import` does with what it read beyond writing
 * it out: the claims of an 837 file into the database queue
 * (intake_db.c).
 */
#ifndef CLI_INTAKE_H
#define CLI_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"

/* What a file's claims did to the queue. */
struct intake_counts {
	size_t submitted;    /* originals and replacements, through submit() */
	size_t replacements; /* of them, frequency 7 */
	size_t voided;	     /* voids applied */
	size_t void_unknown; /* voids of claims the queue did not hold */
};

/*
 * Puts x's claims (read from path) into the queue over conn in one
 * transaction, in file order: originals and replacements through
 * claimscrub.submit(), voids through claimscrub.void_claim().  json is
 * scratch for the documents.  True, with *n filled, when the file
 * committed; false when the database refused a claim or the connection
 * failed: said on standard error naming the claim, and nothing of the file
 * is in the queue.
 */
bool intake_submit(PGconn *conn, const char *path, const struct x12 *x,
		   struct strbuf *json, struct intake_counts *n);

#endif

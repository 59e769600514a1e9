/*
 * intake — what `claimscrub import` does with what it read beyond writing
 * it out: the claims of an 837 file into the database queue, the MAR
 * records of a FHIR or HL7 v2 file into claimscrub.mar_event
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
 * Puts the claims of x (read from path) that keep marks into the queue
 * over conn in one transaction, in file order: originals and replacements
 * as their documents docs[i] (the 837's claim, with administrations when
 * joined to MAR records) through claimscrub.submit(), voids by their id
 * through claimscrub.void_claim().  json is scratch for the documents.
 * True, with *n filled, when the file committed; false when the database
 * refused a claim or the connection failed: said on standard error naming
 * the claim, and nothing of the file is in the queue.
 */
bool intake_submit(PGconn *conn, const char *path, const struct x12 *x,
		   const bool *keep, const struct claim *docs,
		   struct strbuf *json, struct intake_counts *n);

/*
 * Stores the n records of recs (read from path) in claimscrub.mar_event
 * over conn through claimscrub.mar_store(source, ...), source "fhir" or
 * "hl7": one statement, so all of them or none.  json is scratch for the
 * records' array.  True, with *stored the rows inserted or replaced (an
 * identical resend is not counted), when it committed; false when the
 * database refused them or the connection failed: said on standard error,
 * and nothing of the file is stored.
 */
bool intake_mar_store(PGconn *conn, const char *path, const char *source,
		      const struct mar_record *recs, size_t n,
		      struct strbuf *json, long *stored);

#endif

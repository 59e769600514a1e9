/*
 * review — `claimscrub review --claim REF` (review_detail.c): one claim's
 * record from claimscrub.claim_detail(), each call a logged PHI read.
 */
#ifndef CLI_REVIEW_H
#define CLI_REVIEW_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

/* Prints claim ref's record to out: the document as it is (json), or for
 * a person.  Returns the exit status after saying what failed. */
int review_claim(PGconn *conn, const char *ref, bool json, FILE *out);

#endif

/*
 * claimrows — the rows of claimscrub.claim_batch() and read_claims()
 * (sql/006_batch.sql) turned back into claim documents, one a claim, for
 * the strict reader of `claimscrub check` (claimdoc_from_node).
 *
 * A document is built as the node tree the reader would have made of 003's
 * claim_document(): the same keys in the same order, JSON null where a
 * required column is NULL, optional ones left out, strings quoted, numbers
 * and booleans plain.  So a bad row is reported exactly as it was when the
 * server built the document, without the cost of writing JSON and parsing
 * it again.
 */
#ifndef DAEMON_CLAIMROWS_H
#define DAEMON_CLAIMROWS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "scrubber/arena.h"
#include "scrubber/ynode.h"

/* A claim's own row; the strings are borrowed from the PGresult. */
struct claimrows_claim {
	const char *id, *version, *tries, *ref;
	const char *payer; /* NULL when the row has none */
	/* NULL, or why the claim is larger than the rules judge: it has more
	 * line or administration rows than the limits its rows were cut at
	 * (kind 0, f8 and f9: sql/008_queue_locks.sql), "it has more than
	 * 1000 lines, more than the rules judge (max_lines: 1000)"; in the
	 * arena.  Such a list is kept as its count only. */
	const char *over;
};

/*
 * Reads the claim at *row: fills *c, builds its document in arena a (the
 * tree borrows strings from r; *doc NULL when out of memory) and moves *row
 * past the claim's lines and administrations.  Rows of no claim before the
 * next claim row are skipped.  Returns false when no claim is left.  A
 * claim with c->over set is invalid for that reason, whatever its document
 * says.
 */
bool claimrows_next(const PGresult *r, int *row, struct arena *a,
		    struct claimrows_claim *c, struct ynode **doc);

#endif

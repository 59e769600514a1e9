/*
 * claimdoc — reads claim documents (YAML, or JSON as YAML's flow style; one
 * claim per document, several documents per buffer) into the claim model.
 *
 * A document that is not well formed is an input error with file:line:column
 * diagnostics; the other documents of the buffer are still read.  Problems
 * of documentation (missing or impossible times) are not input errors: they
 * are kept in the model for the engine to report as findings.
 */
#ifndef SCRUBBER_CLAIMDOC_H
#define SCRUBBER_CLAIMDOC_H

#include <stddef.h>

#include "claim.h"
#include "diag.h"
#include "ynode.h"

struct claimdoc;

/* A claim has at most this many lines and administrations; a document with
 * more is refused before any of them is read. */
#define CLAIMDOC_MAX_LINES 10000
#define CLAIMDOC_MAX_ADMINS 10000

/*
 * Reads every document of buf (len bytes; file names it in diagnostics).
 * *out receives the documents read — a syntax error stops the reading, and
 * the documents before it are kept — and must be freed with claimdoc_free.
 * Returns SCRUB_EINPUT when any document was bad (diagnostics in dl, each
 * tagged with its document index) or there was none (`no claim document in
 * the file`, at 1:1), SCRUB_ENOMEM, or SCRUB_OK.
 */
enum scrub_err claimdoc_parse(const char *file, const char *buf, size_t len,
			      struct claimdoc **out, struct diag_list *dl);

/* Number of documents read (good and bad). */
size_t claimdoc_count(const struct claimdoc *cd);

/* The i-th document's claim, or NULL when that document was bad. */
const struct claim *claimdoc_claim(const struct claimdoc *cd, size_t i);

/* The i-th document's parsed tree (for converting it to JSON). */
const struct ynode *claimdoc_node(const struct claimdoc *cd, size_t i);

void claimdoc_free(struct claimdoc *cd);

#endif

/*
 * claimrows — the rows of claimscrub.claim_batch() and read_claims()
 * (sql/api/040_batch.sql) read straight into struct claim, one claim at a
 * time, through the engine's claim field table (scrubber/claimfield.h):
 * each field's column is found by name, its value goes through the same
 * validator as in a claim document, so a bad row is reported with the
 * same message `claimscrub check` gives for the same value in a file.
 *
 * The columns: id, kind (0 the claim, 1 a line, 2 an administration),
 * seq; on the claim's row version, tries, and for each list field KEY of
 * the table (lines, administrations) cut_KEY, the limit its rows were cut
 * at (NULL: not cut); then a column a field, named by its key, prefixed
 * "line_" for a line's field and "admin_" for an administration's
 * (claim, payer, ..., line_code, line_units, ..., admin_id, ...); and the
 * claim's MAR records, kind 3, each a mar_record (JSON), cut at cut_mar.  Every
 * value is text as PostgreSQL writes it: booleans t and f, a text[] as its
 * array literal.
 */
#ifndef DAEMON_CLAIMROWS_H
#define DAEMON_CLAIMROWS_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "scrubber/arena.h"
#include "scrubber/claimfield.h"
#include "scrubber/diag.h"
#include "scrubber/marrec.h"

/* A result's columns, found once by name. */
struct claimrows {
	const PGresult *r;
	int id, kind, version, tries;
	int mar, cut_mar;	 /* mar_record, and where its rows were cut */
	int cut[CLAIMFIELD_MAX]; /* a list field's cut_KEY, by table index */
	int col[CLAIMFIELD_MAX]; /* any other field's column, by index */
};

/*
 * Finds the columns of r.  Fails, naming the first column missing in why
 * (size bytes), when r lacks one: a schema whose claim_batch() does not
 * return a field the engine reads.
 */
bool claimrows_open(struct claimrows *rs, const PGresult *r, char *why,
		    size_t size);

/* A claim's own row and where its lines and administrations are; the
 * strings are borrowed from the PGresult. */
struct claimrows_claim {
	const char *id, *version, *tries, *ref;
	const char *payer; /* NULL when the row has none */
	/* NULL, or why the claim is larger than the rules judge: it has more
	 * line or administration rows than the limits its rows were cut at
	 * (cut_lines, cut_administrations: sql/api/040_batch.sql), "it has
	 * more than 1000 lines, more than the rules judge (max_lines: 1000)";
	 * in the arena.  Such a claim is not read. */
	const char *over;
	bool failed;	      /* out of memory writing over */
	int own;	      /* the claim's row */
	int first[CF_LEVELS]; /* the first row of its lines, admins */
	int n[CF_LEVELS];     /* and how many there are */
	int mar_first, mar_n; /* its encounter's MAR records (kind 3) */
};

/*
 * Finds the claim at *row (rows of no claim before the next claim row are
 * skipped), fills *c (c->over in arena a) and moves *row past the claim's
 * lines and administrations.  Returns false when no claim is left.
 */
bool claimrows_next(const struct claimrows *rs, int *row, struct arena *a,
		    struct claimrows_claim *c);

/*
 * The MAR records of claim c (mar_record, kind 3 rows) read back
 * (marrec_json_read) into *recs, pointers in arena a, *n of them.  Returns
 * SCRUB_OK, SCRUB_EINPUT (a record that is not one, the reason in dl naming
 * its place, "mar_record 3") or SCRUB_ENOMEM.
 */
enum scrub_err claimrows_mar(const struct claimrows *rs,
			     const struct claimrows_claim *c, struct arena *a,
			     const struct mar_record ***recs, size_t *n,
			     struct diag_list *dl);

/*
 * Reads claim c (not over) into *out, strings borrowed from the PGresult
 * or in arena a.  Returns SCRUB_OK, SCRUB_EINPUT (the reasons in dl, each
 * at line 1, column 1 of the value's field path, "lines[2].units", or of
 * the claim id when about the claim as a whole) or SCRUB_ENOMEM.
 */
enum scrub_err claimrows_read(const struct claimrows *rs,
			      const struct claimrows_claim *c, struct arena *a,
			      struct claim *out, struct diag_list *dl);

/* A reason of claimrows_read's for the claim's invalid result: the
 * diagnostic's message after its field path ("lines[2].units: 'units'
 * must be ..."), formatted in buf, or the message alone when it is about
 * the claim as a whole. */
const char *claimrows_reason(const struct claimrows_claim *c,
			     const struct diag *d, char *buf, size_t size);

#endif

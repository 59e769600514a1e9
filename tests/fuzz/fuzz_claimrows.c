/*
 * fuzz_claimrows — libFuzzer target for the daemon's claim trees
 * (daemon/claimrows.c): the rows of claim_batch() (sql/006_batch.sql) as
 * the daemon's queue.c reads them, into claim documents, through the
 * strict reader, then scrubbed (or reported invalid) into result JSON.
 *
 * The input is a table of text, as a PGresult made here without a server
 * (PQmakeEmptyPGresult, PQsetResultAttrs, PQsetvalue):
 *   '\n'    ends a row (a last row needs none);
 *   '\t'    ends a field; a row has 12: id, kind, seq, f1..f9, and the
 *           fields it lacks are NULL (fields past the 12th are dropped);
 *   0x01    makes its field SQL NULL;
 *   0x1b    takes the next byte as it is (a tab, newline or 0x01 in text);
 *   0x00    is dropped (text from PostgreSQL holds no NUL).
 * So "1\t0\t0\t1\t1\tREF\tmedicare\tfacility" is a claim's row.
 *
 * Each claim is read into a fresh arena, as queue.c does.  What must hold
 * (else __builtin_trap, and libFuzzer keeps the input): *row moves forward
 * on every claim and stays within the rows; a claim's strings come from its
 * own row, the first row of kind 0 at or after where the call started, and
 * the rows after it up to *row are its lines and administrations (same id,
 * kind 1 then 2); the tree has no NULL node, scalars are NUL-terminated at
 * their length, nesting is bounded, and its memory is linear in the input.
 *
 * The rule set is the shipped rules.d, loaded once at start-up.
 * Seeds: written by tests/fuzz/run.sh in the encoding above.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "daemon/claimrows.h"
#include "scrubber/scrubber.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NCOLS = 12, COL_ID = 0, COL_KIND = 1, COL_F1 = 3 };
enum { MARK_NULL = 0x01, MARK_ESC = 0x1b };
/* Deeper than any tree claimrows builds: document, lines, line, modifiers
 * and PostgreSQL's 6 array dimensions. */
enum { MAX_TREE_DEPTH = 12 };
/* A claim's tree takes memory linear in the input: at most about 180
 * bytes of nodes a byte of rows (10001 administration rows of "1\t2\n"),
 * about 120 a byte of a modifiers literal.  Much more means a cost that
 * grows faster than the rows: sizing each nested array by the rest of the
 * text took 800 MB for a literal of 36 KB. */
enum { TREE_BYTES_PER_BYTE = 1024, TREE_BYTES_SLACK = 4096 };

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_claimrows: %s:%d: %s\n", \
				__FILE__, __LINE__, #cond); \
			__builtin_trap(); \
		} \
	} while (0)

static struct ruleset *rules;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = {CLAIMSCRUB_SRC_RULES};
	struct diag_list dl = {0};
	(void)argc;
	(void)argv;
	if (rules_load_dirs(dirs, 1, &rules, &dl) != SCRUB_OK) {
		char msg[512];
		for (size_t i = 0; i < dl.n; i++) {
			diag_format(&dl.items[i], msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
		}
		fprintf(stderr, "fuzz_claimrows: cannot load the rules\n");
		exit(1);
	}
	diag_list_free(&dl);
	return 0;
}

/* ---- the input as a PGresult ------------------------------------------ */

struct decoder {
	PGresult *r;
	char *buf; /* the field being read */
	size_t len;
	bool null; /* an unescaped MARK_NULL was seen in it */
	int row, col;
	bool ok; /* false once libpq failed (out of memory) */
};

static void
end_field(struct decoder *d)
{
	if (d->ok && d->col < NCOLS) {
		d->buf[d->len] = '\0';
		if (!PQsetvalue(d->r, d->row, d->col, d->null ? NULL : d->buf,
				d->null ? -1 : (int)d->len))
			d->ok = false;
	}
	d->col++;
	d->len = 0;
	d->null = false;
}

static void
end_row(struct decoder *d)
{
	end_field(d);
	d->row++;
	d->col = 0;
}

static PGresult *
new_result(void)
{
	static const char *const names[NCOLS] = {"id", "kind", "seq", "f1",
						 "f2", "f3",   "f4",  "f5",
						 "f6", "f7",   "f8",  "f9"};
	PGresAttDesc att[NCOLS];
	memset(att, 0, sizeof(att));
	for (int i = 0; i < NCOLS; i++) {
		att[i].name = (char *)names[i];
		att[i].typid = 25; /* text */
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (r && !PQsetResultAttrs(r, NCOLS, att)) {
		PQclear(r);
		r = NULL;
	}
	return r;
}

/* The rows encoded in data (see the top of the file); NULL when out of
 * memory. */
static PGresult *
decode(const uint8_t *data, size_t size)
{
	struct decoder d = {new_result(), malloc(size + 1), 0, false, 0, 0,
			    true};
	for (size_t i = 0; d.r && d.buf && d.ok && i < size; i++) {
		uint8_t b = data[i];
		if (b == '\n')
			end_row(&d);
		else if (b == '\t')
			end_field(&d);
		else if (b == MARK_NULL)
			d.null = true;
		else if (b == MARK_ESC && i + 1 < size && data[i + 1] != 0)
			d.buf[d.len++] = (char)data[++i];
		else if (b != 0)
			d.buf[d.len++] = (char)b;
	}
	if (d.r && d.buf && d.ok && (d.col > 0 || d.len > 0 || d.null))
		end_row(&d);
	free(d.buf);
	if (!d.buf || !d.ok) {
		PQclear(d.r);
		return NULL;
	}
	return d.r;
}

/* ---- what claimrows_next() promises ------------------------------------ */

/* The rows from..to-1 that one call consumed for claim c: rows of no claim,
 * the claim's own row, then its lines and administrations. */
static void
check_rows(const PGresult *r, int from, int to, const struct claimrows_claim *c)
{
	int own = from;
	while (own < to && PQgetvalue(r, own, COL_KIND)[0] != '0')
		own++;
	CHECK(own < to);
	CHECK(c->id == PQgetvalue(r, own, COL_ID));
	CHECK(c->version == PQgetvalue(r, own, COL_F1));
	CHECK(c->tries == PQgetvalue(r, own, COL_F1 + 1));
	CHECK(c->ref == PQgetvalue(r, own, COL_F1 + 2));
	CHECK(PQgetisnull(r, own, COL_F1 + 3)
		      ? c->payer == NULL
		      : c->payer == PQgetvalue(r, own, COL_F1 + 3));
	char last = '1';
	for (int k = own + 1; k < to; k++) {
		char kind = PQgetvalue(r, k, COL_KIND)[0];
		CHECK(kind == '1' || kind == '2');
		CHECK(kind >= last);
		CHECK(strcmp(PQgetvalue(r, k, COL_ID), c->id) == 0);
		last = kind;
	}
}

/* The tree is whole: no NULL nodes (but for a list past the reader's
 * limit, or past the limit its rows were cut at when the claim says so,
 * over: either keeps only its length), scalars NUL-terminated at len. */
static void
check_tree(const struct ynode *n, int depth, bool over)
{
	CHECK(n && depth <= MAX_TREE_DEPTH && n->file);
	if (n->type == YNODE_SCALAR) {
		CHECK(n->str && n->str[n->len] == '\0');
		return;
	}
	CHECK(n->type == YNODE_SEQ || n->type == YNODE_MAP);
	if (n->type == YNODE_SEQ && (n->n > CLAIMDOC_MAX_LINES || over) &&
	    !n->items)
		return;
	CHECK(n->n == 0 || n->items);
	for (size_t i = 0; i < n->n; i++) {
		if (n->type == YNODE_MAP)
			CHECK(n->keys && n->keys[i] &&
			      n->keys[i]->type == YNODE_SCALAR);
		check_tree(n->items[i], depth + 1, over);
	}
}

/* ---- the daemon's path from here on (queue.c, claim_result) ------------- */

static struct result *
invalid(const struct claimrows_claim *rc, const struct diag_list *dl)
{
	const char *reasons[16];
	char msg[512];
	int n = 0;
	struct result *res = NULL;
	for (size_t i = 0; i < dl->n; i++) {
		diag_format(&dl->items[i], msg, sizeof(msg));
		if (n < 16)
			reasons[n++] = dl->items[i].message;
	}
	if (n == 0)
		reasons[n++] = "the claim could not be read";
	scrub_invalid(rules, rc->ref, rc->payer, reasons, n, &res);
	return res;
}

static void
scrub_doc(struct arena *a, const struct claimrows_claim *rc,
	  const struct ynode *doc)
{
	struct diag_list dl = {0};
	struct yctx ctx = {a, &dl};
	struct claim *c = arena_alloc(a, sizeof(*c));
	struct result *res = NULL;
	enum scrub_err err = rc->over ? SCRUB_EINPUT
			     : c      ? claimdoc_from_node(&ctx, doc, c)
				      : SCRUB_ENOMEM;
	if (rc->over) /* only part of its rows were read: not judged */
		scrub_invalid(rules, rc->ref, rc->payer, &rc->over, 1, &res);
	else if (err == SCRUB_OK)
		scrub_claim(rules, c, &res);
	else if (err != SCRUB_ENOMEM)
		res = invalid(rc, &dl);
	if (res) {
		struct strbuf sb = STRBUF_INIT;
		result_json(res, &sb);
		strbuf_free(&sb);
	}
	result_free(res);
	diag_list_free(&dl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PGresult *r = decode(data, size);
	if (!r)
		return 0;
	int n = PQntuples(r), row = 0;
	for (;;) {
		struct claimrows_claim c;
		struct ynode *doc = NULL;
		struct arena *a = arena_new();
		int before = row;
		if (!a)
			break;
		bool more = claimrows_next(r, &row, a, &c, &doc);
		CHECK(row <= n && row >= before);
		if (!more) {
			CHECK(row == n && doc == NULL);
			arena_free(a);
			break;
		}
		CHECK(row > before);
		CHECK(arena_used(a) <=
		      TREE_BYTES_PER_BYTE * size + TREE_BYTES_SLACK);
		CHECK(c.id && c.version && c.tries && c.ref);
		check_rows(r, before, row, &c);
		if (doc) {
			CHECK(doc->type == YNODE_MAP);
			CHECK(!c.over || strlen(c.over) > 0);
			check_tree(doc, 0, c.over != NULL);
			scrub_doc(a, &c, doc);
		}
		arena_free(a);
	}
	PQclear(r);
	return 0;
}

/*
 * fuzz_claimrows — libFuzzer target for the daemon's row reader
 * (daemon/claimrows.c): the rows of claim_batch() (sql/009_claim_rows.sql)
 * as the daemon's queue.c reads them, by column name, straight into
 * struct claim through the engine's field table, then scrubbed (or
 * reported invalid) into result JSON.
 *
 * The input is a table of text, as a PGresult made here without a server
 * (PQmakeEmptyPGresult, PQsetResultAttrs, PQsetvalue), its columns named as
 * claim_batch() names them (built from the field table, so a new field is
 * fuzzed too):
 *   '\n'    ends a row (a last row needs none);
 *   '\t'    ends a field.  A row's fields are id, kind, seq, then by its
 *           kind: 0 (and any unknown kind) version, tries, the claim's
 *           fields in the table's order, cut_lines, cut_administrations;
 *           1 a line's fields (line_code, line_units, line_modifiers,
 *           line_service_date); 2 an administration's (admin_id ...
 *           admin_separate_site_required) — 008's f1..f9, so its seeds
 *           still read; 3 a MAR record of the claim's encounter
 *           (mar_record, JSON as mar_event keeps it), paired and judged as
 *           queue.c does (scrub_records).  The claim's row ends with
 *           cut_mar.  The columns a row gives no field are NULL
 *           (fields past the last are dropped);
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
 * kind 1 then 2); a claim read without error holds only values its fields
 * allow (strings NUL-terminated, codes of their length, numbers in range,
 * lists within their limits); its memory is linear in the input.
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

enum { MAX_COLS = 64, MAX_FIELDS = 32, NAME_LEN = 64 };
enum { COL_ID, COL_KIND, COL_SEQ, NMETA = 3 };
enum { MARK_NULL = 0x01, MARK_ESC = 0x1b };
/* A claim read takes memory linear in the input: about 60 bytes of lines
 * a byte of rows ("1\t1\n"), 120 of administrations, 120 of nodes a byte
 * of a modifiers literal.  Much more means a cost that grows faster than
 * the rows: sizing each nested array by the rest of the text took 800 MB
 * for a literal of 36 KB. */
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

static void make_layout(void);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = {CLAIMSCRUB_SRC_RULES};
	struct diag_list dl = {0};
	(void)argc;
	(void)argv;
	make_layout();
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

/* The columns, and for each kind the column of its k-th field after the
 * row's id, kind and seq. */
static char names[MAX_COLS][NAME_LEN];
static int ncols;
static int layout[CF_LEVELS][MAX_FIELDS], nlayout[CF_LEVELS];
static int mar_col; /* a kind 3 row's one field */

static int
add_col(const char *a, const char *b)
{
	snprintf(names[ncols], NAME_LEN, "%s%s", a, b);
	return ncols++;
}

/* claim_batch()'s columns (sql/009_claim_rows.sql), from the field table. */
static void
make_layout(void)
{
	static const char *const prefix[CF_LEVELS] = {"", "line_", "admin_"};
	add_col("", "id");
	add_col("", "kind");
	add_col("", "seq");
	layout[CF_CLAIM][nlayout[CF_CLAIM]++] = add_col("", "version");
	layout[CF_CLAIM][nlayout[CF_CLAIM]++] = add_col("", "tries");
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->type != CF_LIST)
			layout[f->level][nlayout[f->level]++] =
				add_col(prefix[f->level], f->key);
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->type == CF_LIST)
			layout[CF_CLAIM][nlayout[CF_CLAIM]++] =
				add_col("cut_", f->key);
	layout[CF_CLAIM][nlayout[CF_CLAIM]++] = add_col("cut_", "mar");
	mar_col = add_col("", "mar_record");
}

struct decoder {
	PGresult *r;
	char *buf; /* the fields of the row being read, NUL-separated */
	size_t len;
	size_t start[MAX_FIELDS]; /* where each field begins in buf */
	bool null[MAX_FIELDS];
	int row, nf;
	bool ok; /* false once libpq failed (out of memory) */
};

/* The column of the row's field k, or -1 (dropped). */
static int
column_of(const struct decoder *d, int k)
{
	if (k < NMETA)
		return k;
	const char *kind = d->null[COL_KIND] ? "" : d->buf + d->start[COL_KIND];
	if (strcmp(kind, "3") == 0)
		return k == NMETA ? mar_col : -1;
	int level = strcmp(kind, "1") == 0   ? CF_LINE
		    : strcmp(kind, "2") == 0 ? CF_ADMIN
					     : CF_CLAIM;
	return k - NMETA < nlayout[level] ? layout[level][k - NMETA] : -1;
}

static void
end_field(struct decoder *d)
{
	d->buf[d->len++] = '\0';
	if (d->nf + 1 < MAX_FIELDS) {
		d->nf++;
		d->start[d->nf] = d->len;
		d->null[d->nf] = false;
	}
}

static void
end_row(struct decoder *d)
{
	end_field(d);
	for (int k = 0; d->ok && k < d->nf; k++) {
		int col = column_of(d, k);
		const char *v = d->null[k] ? NULL : d->buf + d->start[k];
		if (col >= 0 && !PQsetvalue(d->r, d->row, col, (char *)v,
					    v ? (int)strlen(v) : -1))
			d->ok = false;
	}
	d->row++;
	d->nf = 0;
	d->len = 0;
	d->start[0] = 0;
	d->null[0] = false;
}

static PGresult *
new_result(void)
{
	PGresAttDesc att[MAX_COLS];
	memset(att, 0, sizeof(att));
	for (int i = 0; i < ncols; i++) {
		att[i].name = names[i];
		att[i].typid = 25; /* text */
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (r && !PQsetResultAttrs(r, ncols, att)) {
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
	struct decoder d = {new_result(),
			    malloc(size + MAX_FIELDS + 1),
			    0,
			    {0},
			    {false},
			    0,
			    0,
			    true};
	for (size_t i = 0; d.r && d.buf && d.ok && i < size; i++) {
		uint8_t b = data[i];
		if (b == '\n')
			end_row(&d);
		else if (b == '\t')
			end_field(&d);
		else if (b == MARK_NULL)
			d.null[d.nf] = true;
		else if (b == MARK_ESC && i + 1 < size && data[i + 1] != 0)
			d.buf[d.len++] = (char)data[++i];
		else if (b != 0)
			d.buf[d.len++] = (char)b;
	}
	if (d.r && d.buf && d.ok && (d.nf > 0 || d.len > 0 || d.null[0]))
		end_row(&d);
	free(d.buf);
	if (!d.buf || !d.ok) {
		PQclear(d.r);
		return NULL;
	}
	return d.r;
}

/* ---- what claimrows_next() and claimrows_read() promise ------------------ */

/* The rows from..to-1 that one call consumed for claim c: rows of no claim,
 * the claim's own row, then its lines and administrations. */
static void
check_rows(const struct claimrows *rs, int from, int to,
	   const struct claimrows_claim *c)
{
	const PGresult *r = rs->r;
	int own = from;
	while (own < to && PQgetvalue(r, own, COL_KIND)[0] != '0')
		own++;
	CHECK(own < to && own == c->own);
	CHECK(c->id == PQgetvalue(r, own, COL_ID));
	CHECK(c->version == PQgetvalue(r, own, rs->version));
	CHECK(c->tries == PQgetvalue(r, own, rs->tries));
	CHECK(c->n[CF_LINE] + c->n[CF_ADMIN] + c->mar_n == to - own - 1);
	CHECK(c->mar_first == own + 1 + c->n[CF_LINE] + c->n[CF_ADMIN]);
	CHECK(c->first[CF_LINE] == own + 1);
	CHECK(c->first[CF_ADMIN] == own + 1 + c->n[CF_LINE]);
	char last = '1';
	for (int k = own + 1; k < to; k++) {
		char kind = PQgetvalue(r, k, COL_KIND)[0];
		CHECK(kind == '1' || kind == '2' || kind == '3');
		CHECK(kind >= last);
		CHECK(strcmp(PQgetvalue(r, k, COL_ID), c->id) == 0);
		last = kind;
	}
}

static void check_item(const void *obj, enum claimfield_level level);

/* A value of field f in obj, read without error, is one the field allows. */
static void
check_value(const struct claim_field *f, const void *obj)
{
	const char *at = (const char *)obj + f->offset;
	const char *s;
	int n;
	switch (f->type) {
	case CF_TEXT:
	case CF_CODE:
		memcpy(&s, at, sizeof(s));
		CHECK(!f->required || s);
		CHECK(!s || strlen(s) <= (f->type == CF_CODE ? f->len
							     : (size_t)f->max));
		break;
	case CF_INT:
		memcpy(&n, at, sizeof(n));
		CHECK(n >= f->min && n <= f->max);
		break;
	case CF_CODES:
		memcpy(&n, (const char *)obj + f->present, sizeof(n));
		CHECK(n >= 0 && n <= f->max);
		for (int i = 0; i < n; i++) {
			memcpy(&s, at + (size_t)i * sizeof(s), sizeof(s));
			CHECK(s && strlen(s) == f->len);
		}
		break;
	case CF_LIST: {
		const char *items;
		size_t k;
		memcpy(&items, at, sizeof(items));
		memcpy(&k, (const char *)obj + f->present, sizeof(k));
		CHECK(k <= (size_t)f->max && (k == 0 || items));
		for (size_t i = 0; i < k; i++)
			check_item(items + i * f->size, f->child);
		break;
	}
	case CF_BOOL:
	case CF_ENUM:
	case CF_DATE:
	case CF_TIME:
		break;
	}
}

static void
check_item(const void *obj, enum claimfield_level level)
{
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->level == level)
			check_value(f, obj);
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
scrub_rows(const struct claimrows *rs, struct arena *a,
	   const struct claimrows_claim *rc)
{
	struct diag_list dl = {0};
	struct claim c;
	struct result *res = NULL;
	enum scrub_err err =
		rc->over ? SCRUB_EINPUT : claimrows_read(rs, rc, a, &c, &dl);
	CHECK(err == SCRUB_OK || rc->over || dl.n > 0 || err == SCRUB_ENOMEM);
	if (rc->over) { /* only part of its rows were read: not judged */
		scrub_invalid(rules, rc->ref, rc->payer, &rc->over, 1, &res);
	} else if (err == SCRUB_OK) {
		check_item(&c, CF_CLAIM);
		CHECK(strcmp(c.ref, rc->ref) == 0);
		const struct mar_record **recs = NULL;
		size_t n = 0;
		if (rc->mar_n > 0)
			err = claimrows_mar(rs, rc, a, &recs, &n, &dl);
		CHECK(err != SCRUB_EINPUT || dl.n > 0);
		if (err == SCRUB_OK)
			scrub_records(rules, a, &c, recs, n, &res);
		else if (err != SCRUB_ENOMEM)
			res = invalid(rc, &dl);
	} else if (err != SCRUB_ENOMEM) {
		res = invalid(rc, &dl);
	}
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
	struct claimrows rs;
	char why[128];
	if (!r)
		return 0;
	CHECK(claimrows_open(&rs, r, why, sizeof(why)));
	int n = PQntuples(r), row = 0;
	for (;;) {
		struct claimrows_claim c;
		struct arena *a = arena_new();
		int before = row;
		if (!a)
			break;
		bool more = claimrows_next(&rs, &row, a, &c);
		CHECK(row <= n && row >= before);
		if (!more) {
			CHECK(row == n);
			arena_free(a);
			break;
		}
		CHECK(row > before);
		CHECK(c.id && c.version && c.tries && c.ref);
		CHECK(!c.over || strlen(c.over) > 0);
		check_rows(&rs, before, row, &c);
		if (!c.failed)
			scrub_rows(&rs, a, &c);
		CHECK(arena_used(a) <=
		      TREE_BYTES_PER_BYTE * size + TREE_BYTES_SLACK);
		arena_free(a);
	}
	PQclear(r);
	return 0;
}

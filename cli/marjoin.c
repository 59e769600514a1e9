/*
 * marjoin — see marjoin.h.  The records of every file are kept in one
 * arena and indexed by encounter (sorted pointers, found by binary
 * search), so each claim finds its records in log n however many files
 * and encounters were read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/marjoin.h"
#include "scrubber/ruleset.h"

const char *const marjoin_keys[] = {"clm01", "ea", NULL};

struct marjoin {
	struct arena *arena;
	char **bufs; /* the files' bytes, which the records borrow */
	int nbufs;
	const struct mar_record **byenc; /* sorted by encounter, then input */
	bool *used;			 /* parallel to byenc */
	size_t n;
};

void
marjoin_free(struct marjoin *j)
{
	if (!j)
		return;
	for (int i = 0; i < j->nbufs; i++)
		free(j->bufs[i]);
	free(j->bufs);
	free(j->byenc);
	free(j->used);
	arena_free(j->arena);
	free(j);
}

/* One file's records appended to *all; false (said) on any error. */
static bool
load_file(struct marjoin *j, const char *path, marjoin_read_fn *read,
	  size_t max_bytes, struct mar_record ***all, size_t *nall)
{
	struct diag_list dl = {0};
	struct mar_record *recs = NULL;
	size_t n = 0, len = 0;
	char *buf = NULL;
	size_t skipped;
	enum scrub_err err = fileio_read(path, max_bytes, &buf, &len, &dl);
	if (err == SCRUB_OK)
		err = read(j->arena, path, buf, len, &recs, &n, &skipped, &dl);
	j->bufs[j->nbufs++] = buf;
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	struct mar_record **v =
		err == SCRUB_OK ? realloc(*all, (*nall + n + 1) * sizeof(*v))
				: NULL;
	if (err == SCRUB_ENOMEM || (err == SCRUB_OK && !v))
		cli_error("import: %s: out of memory", path);
	if (!v)
		return false;
	for (size_t i = 0; i < n; i++)
		v[*nall + i] = &recs[i];
	*all = v;
	*nall += n;
	return true;
}

/* Encounter, then input order (pointers into one array per file, files
 * in order: the index says which came first within an encounter only
 * through this stable key). */
struct keyed {
	const struct mar_record *r;
	size_t order;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int d = strcmp(x->r->encounter, y->r->encounter);
	return d ? d : (x->order > y->order) - (x->order < y->order);
}

static bool
index_records(struct marjoin *j, struct mar_record **all, size_t n)
{
	struct keyed *k = malloc((n + 1) * sizeof(*k));
	j->byenc = malloc((n + 1) * sizeof(*j->byenc));
	j->used = calloc(n + 1, sizeof(*j->used));
	if (!k || !j->byenc || !j->used) {
		free(k);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){all[i], i};
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (size_t i = 0; i < n; i++)
		j->byenc[i] = k[i].r;
	j->n = n;
	free(k);
	return true;
}

struct marjoin *
marjoin_load(const char *const *files, int nfiles, marjoin_read_fn *read,
	     size_t max_bytes)
{
	struct marjoin *j = calloc(1, sizeof(*j));
	struct mar_record **all = NULL;
	size_t n = 0;
	bool ok = j && (j->arena = arena_new()) &&
		  (j->bufs = calloc((size_t)nfiles + 1, sizeof(*j->bufs)));
	if (!ok)
		cli_error("import: out of memory");
	for (int i = 0; ok && i < nfiles; i++)
		ok = load_file(j, files[i], read, max_bytes, &all, &n);
	if (ok && !index_records(j, all, n)) {
		cli_error("import: out of memory");
		ok = false;
	}
	free(all);
	if (!ok) {
		marjoin_free(j);
		return NULL;
	}
	return j;
}

/* The first index of encounter key in byenc, and how many share it. */
static size_t
find_range(const struct marjoin *j, const char *key, size_t *count)
{
	size_t lo = 0, hi = j->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(j->byenc[mid]->encounter, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t e = lo;
	while (e < j->n && strcmp(j->byenc[e]->encounter, key) == 0)
		e++;
	*count = e - lo;
	return lo;
}

/* The claim's day for the tables: its date of service, else the first
 * record's start, else the latest rules (an undated claim's, scrub.h). */
static int32_t
claim_day(const struct claim *c, const struct mar_record *const *recs, size_t n)
{
	if (c->has_date_of_service)
		return c->date_of_service;
	for (size_t i = 0; i < n; i++)
		if (recs[i]->has_start)
			return isotime_day(&recs[i]->start);
	return INT32_MAX;
}

const char *
marjoin_key_of(const struct x12_claim *xc, enum marjoin_key key)
{
	return key == MARJOIN_EA ? xc->medical_record : xc->claim.ref;
}

enum marjoin_outcome
marjoin_claim(struct marjoin *j, const struct ruleset *rs,
	      const struct x12_claim *xc, enum marjoin_key key,
	      struct claim *out, const char **key_value)
{
	*out = xc->claim;
	const char *k = marjoin_key_of(xc, key);
	*key_value = k;
	size_t n = 0, first = k ? find_range(j, k, &n) : 0;
	if (n == 0)
		return MARJOIN_NONE;
	const struct mar_record *const *recs = &j->byenc[first];
	for (size_t i = 0; i < n; i++)
		j->used[first + i] = true;
	struct diag_list dl = {0};
	struct marpair_counts counts;
	enum scrub_err err =
		marpair_pair(j->arena, rs, claim_day(&xc->claim, recs, n), recs,
			     n, &out->admins, &out->nadmins, &counts, &dl);
	cli_print_diags(&dl, isatty(STDERR_FILENO));
	diag_list_free(&dl);
	if (err == SCRUB_ENOMEM)
		return MARJOIN_NOMEM;
	return err == SCRUB_OK ? MARJOIN_JOINED : MARJOIN_HELD;
}

const char *
marjoin_administration_code(const struct ruleset *rs, const struct claim *c)
{
	const struct ruleset *in =
		c->has_date_of_service ? rules_at(rs, c->date_of_service) : rs;
	for (size_t i = 0; i < c->nlines; i++)
		if (rules_code(in, c->lines[i].code))
			return c->lines[i].code;
	return NULL;
}

void
marjoin_unused(const struct marjoin *j, size_t *records, size_t *encounters)
{
	*records = *encounters = 0;
	for (size_t i = 0; i < j->n; i++) {
		if (j->used[i])
			continue;
		(*records)++;
		*encounters += i == 0 || j->used[i - 1] ||
			       strcmp(j->byenc[i - 1]->encounter,
				      j->byenc[i]->encounter) != 0;
	}
}

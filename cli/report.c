/*
 * report — the report model: rows per section, their order, and the number
 * formats every renderer shares (so text, CSV and HTML print the same
 * figures).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/report.h"

static const char *const section_names[RPT_NSEC] = {"day", "rule", "payer",
						    "provider"};

const char *
rpt_section_name(enum rpt_section s)
{
	return section_names[s];
}

static int
by_key(const void *a, const void *b)
{
	return strcmp(((const struct rpt_row *)a)->key,
		      ((const struct rpt_row *)b)->key);
}

struct rpt_row *
rpt_row_get(struct report *r, enum rpt_section s, const char *key)
{
	struct rpt_table *t = &r->sec[s];
	struct rpt_row probe;
	snprintf(probe.key, sizeof(probe.key), "%s", key);
	if (r->sec[s].by_key && t->n > 0) {
		struct rpt_row *hit = bsearch(&probe, t->rows, t->n,
					      sizeof(*t->rows), by_key);
		if (hit)
			return hit;
	} else if (!r->sec[s].by_key) {
		for (size_t i = 0; i < t->n; i++)
			if (strcmp(t->rows[i].key, probe.key) == 0)
				return &t->rows[i];
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct rpt_row *rows = realloc(t->rows, cap * sizeof(*rows));
		if (!rows)
			return NULL;
		t->rows = rows;
		t->cap = cap;
	}
	struct rpt_row *row = &t->rows[t->n++];
	memset(row, 0, sizeof(*row));
	memcpy(row->key, probe.key, sizeof(row->key));
	if (r->sec[s].by_key)
		qsort(t->rows, t->n, sizeof(*t->rows), by_key);
	return r->sec[s].by_key ? rpt_row_get(r, s, key) : row;
}

/* Descending by a count, ties by key. */
static int
cmp_counts(long a, long b, const struct rpt_row *x, const struct rpt_row *y)
{
	if (a != b)
		return a > b ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
by_findings(const void *a, const void *b)
{
	const struct rpt_row *x = a, *y = b;
	return cmp_counts(x->findings, y->findings, x, y);
}

static int
by_claims(const void *a, const void *b)
{
	const struct rpt_row *x = a, *y = b;
	return cmp_counts(x->claims, y->claims, x, y);
}

static int
by_flagged(const void *a, const void *b)
{
	const struct rpt_row *x = a, *y = b;
	if (x->flagged != y->flagged)
		return x->flagged > y->flagged ? -1 : 1;
	return cmp_counts(x->findings, y->findings, x, y);
}

void
rpt_sort_keys(struct report *r)
{
	for (int s = 0; s < RPT_NSEC; s++) {
		if (r->sec[s].n > 0) /* (rows is NULL while empty) */
			qsort(r->sec[s].rows, r->sec[s].n,
			      sizeof(struct rpt_row), by_key);
		r->sec[s].by_key = true;
	}
}

void
rpt_sort(struct report *r)
{
	static int (*const order[RPT_NSEC])(const void *, const void *) = {
		by_key, by_findings, by_claims, by_flagged};
	for (int s = 0; s < RPT_NSEC; s++) {
		if (r->sec[s].n > 0)
			qsort(r->sec[s].rows, r->sec[s].n,
			      sizeof(struct rpt_row), order[s]);
		r->sec[s].by_key = s == RPT_DAY;
	}
}

void
rpt_free(struct report *r)
{
	for (int s = 0; s < RPT_NSEC; s++) {
		free(r->sec[s].rows);
		r->sec[s] = (struct rpt_table){0};
		r->sec[s].by_key = false;
	}
}

double
rpt_flagged_rate(const struct rpt_row *row)
{
	return row->claims > 0 ? (double)row->flagged / (double)row->claims
			       : -1;
}

double
rpt_fp_share(const struct rpt_row *row)
{
	long decided = row->corrected + row->accepted + row->fp;
	return decided > 0 ? (double)row->fp / (double)decided : -1;
}

const char *
rpt_pct(char *buf, size_t size, double rate)
{
	if (rate < 0)
		snprintf(buf, size, "%s", "");
	else /* (rounded half up at one decimal, as the tests count) */
		snprintf(buf, size, "%.1f",
			 (double)(long)(rate * 1000 + 0.5) / 10);
	return buf;
}

const char *
rpt_cents(char *buf, size_t size, long long cents, bool pretty)
{
	unsigned long long v = cents < 0 ? 0ULL - (unsigned long long)cents
					 : (unsigned long long)cents;
	char digits[32], grouped[48];
	snprintf(digits, sizeof(digits), "%llu", v / 100);
	size_t n = strlen(digits), o = 0;
	for (size_t i = 0; i < n; i++) {
		if (pretty && i > 0 && (n - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	snprintf(buf, size, "%s%s%s.%02llu", cents < 0 ? "-" : "",
		 pretty ? "$" : "", grouped, v % 100);
	return buf;
}

bool
rpt_parse_cents(const char *s, long long *cents)
{
	bool neg = *s == '-';
	s += neg;
	long long whole = 0, frac = 0;
	int places = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (whole > 1000000000000000LL)
			return false;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && places < 2; s++, places++)
			frac = frac * 10 + (*s - '0');
	if (*s != '\0')
		return false;
	frac *= places == 1 ? 10 : places == 0 ? 100 : 1;
	*cents = (whole * 100 + frac) * (neg ? -1 : 1);
	return true;
}

/*
 * report — the report model: rows per section, their order, and the number
 * formats every renderer shares (so text, CSV and HTML print the same
 * figures).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *const section_names[RPT_NSEC] = {
	"day", "week", "month", "rule", "payer", "provider"};

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
rpt_table_get(struct rpt_table *t, const char *key)
{
	struct rpt_row probe;
	snprintf(probe.key, sizeof(probe.key), "%s", key);
	if (t->by_key && t->n > 0) {
		struct rpt_row *hit = bsearch(&probe, t->rows, t->n,
					      sizeof(*t->rows), by_key);
		if (hit)
			return hit;
	} else if (!t->by_key) {
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
	if (t->by_key)
		qsort(t->rows, t->n, sizeof(*t->rows), by_key);
	return t->by_key ? rpt_table_get(t, key) : row;
}

bool
rpt_add_keys(struct rpt_table *t, const char *const *keys, size_t n)
{
	size_t had = t->n;
	for (size_t i = 0; i < n; i++) {
		struct rpt_row probe;
		snprintf(probe.key, sizeof(probe.key), "%s", keys[i]);
		if (had &&
		    bsearch(&probe, t->rows, had, sizeof(*t->rows), by_key))
			continue;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 64;
			struct rpt_row *rows =
				realloc(t->rows, cap * sizeof(*rows));
			if (!rows)
				return false;
			t->rows = rows;
			t->cap = cap;
		}
		t->rows[t->n] = (struct rpt_row){0};
		memcpy(t->rows[t->n++].key, probe.key, sizeof(probe.key));
	}
	if (t->n > had)
		qsort(t->rows, t->n, sizeof(*t->rows), by_key);
	return true;
}

struct rpt_row *
rpt_row_get(struct report *r, enum rpt_section s, const char *key)
{
	return rpt_table_get(&r->sec[s], key);
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

/* Payers and providers: the amount at risk, then claims, descending. */
static int
by_amount(const void *a, const void *b)
{
	const struct rpt_row *x = a, *y = b;
	if (x->at_risk != y->at_risk)
		return x->at_risk > y->at_risk ? -1 : 1;
	return cmp_counts(x->claims, y->claims, x, y);
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
		by_key, by_key, by_key, by_findings, by_amount, by_amount};
	for (int s = 0; s < RPT_NSEC; s++) {
		if (r->sec[s].n > 0)
			qsort(r->sec[s].rows, r->sec[s].n,
			      sizeof(struct rpt_row), order[s]);
		r->sec[s].by_key = order[s] == by_key;
	}
}

size_t
rpt_shown(const struct report *r, enum rpt_section s)
{
	size_t n = r->sec[s].n;
	if ((s == RPT_PAYER || s == RPT_PROVIDER) && n > r->top)
		return r->top;
	return n;
}

void
rpt_free(struct report *r)
{
	for (int s = 0; s < RPT_NSEC; s++) {
		free(r->sec[s].rows);
		r->sec[s] = (struct rpt_table){0};
	}
	free(r->unmapped.rows);
	r->unmapped = (struct rpt_table){0};
	free(r->before.rows);
	r->before = (struct rpt_table){0};
}

double
rpt_flagged_rate(const struct rpt_row *row)
{
	return row->claims > 0 ? (double)row->flagged / (double)row->claims
			       : -1;
}

long
rpt_decided(const struct rpt_row *row)
{
	return row->corrected + row->accepted + row->fp;
}

double
rpt_precision(const struct rpt_row *row)
{
	long decided = rpt_decided(row);
	return decided > 0 ? (double)(decided - row->fp) / (double)decided : -1;
}

const char *
rpt_precision_text(char *buf, size_t size, const struct rpt_row *row,
		   bool pretty)
{
	char pct[16], n[32];
	if (rpt_decided(row) == 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s%% (n=%s)",
			 rpt_pct(pct, sizeof(pct), rpt_precision(row)),
			 rpt_count(n, sizeof(n), rpt_decided(row), pretty));
	return buf;
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

/* v's digits into out, a comma between each group of three when pretty. */
static void
group_digits(char *out, size_t size, unsigned long long v, bool pretty)
{
	char digits[24], grouped[28];
	snprintf(digits, sizeof(digits), "%llu", v);
	size_t n = strlen(digits), o = 0;
	for (size_t i = 0; i < n; i++) {
		if (pretty && i > 0 && (n - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	snprintf(out, size, "%s", grouped);
}

static unsigned long long
magnitude(long long v)
{
	return v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
}

const char *
rpt_count(char *buf, size_t size, long n, bool pretty)
{
	char grouped[28];
	group_digits(grouped, sizeof(grouped), magnitude(n), pretty);
	snprintf(buf, size, "%s%s", n < 0 ? "-" : "", grouped);
	return buf;
}

const char *
rpt_cents(char *buf, size_t size, long long cents, bool pretty)
{
	unsigned long long v = magnitude(cents);
	char grouped[28];
	group_digits(grouped, sizeof(grouped), v / 100, pretty);
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

/* ---- weeks and months ------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's days_from_civil and civil_from_days). */
static long
days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void
civil_from_days(long z, long *y, long *m, long *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* "2026-03-02" to its day number (the axis' keys are such dates) */
static long
day_of(const char *key)
{
	long y = 0, m = 1, d = 1;
	sscanf(key, "%ld-%ld-%ld", &y, &m, &d);
	return days_from_civil(y, m, d);
}

static void
day_text(char *buf, size_t size, long z)
{
	long y, m, d;
	civil_from_days(z, &y, &m, &d);
	snprintf(buf, size, "%04ld-%02ld-%02ld", y, m, d);
}

/* The first day of z's month, and of the next one. */
static long
month_start(long z, int ahead)
{
	long y, m, d;
	civil_from_days(z, &y, &m, &d);
	m += ahead;
	y += m > 12 ? 1 : 0;
	m = m > 12 ? m - 12 : m;
	return days_from_civil(y, m, 1);
}

/* z one month earlier, the day clamped to that month's length (as
 * PostgreSQL's date - interval '1 month': 03-31 is 02-28) */
static long
month_back(long z)
{
	long prev = month_start(month_start(z, 0) - 1, 0);
	long len = month_start(z, 0) - prev, day = z - month_start(z, 0);
	return prev + (day < len ? day : len - 1);
}

/* The ISO week (Monday first) or month of day z: its key and days. */
static void
period_of(enum rpt_section s, long z, char *key, size_t size, long *start,
	  long *end)
{
	if (s == RPT_MONTH) {
		long y, m, d;
		civil_from_days(z, &y, &m, &d);
		snprintf(key, size, "%04ld-%02ld", y, m);
		*start = month_start(z, 0);
		*end = month_start(z, 1) - 1;
		return;
	}
	long wd = ((z % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday */
	long thursday = z - wd + 3, y, m, d;
	civil_from_days(thursday, &y, &m, &d);
	snprintf(key, size, "%04ld-W%02ld", y,
		 (thursday - days_from_civil(y, 1, 1)) / 7 + 1);
	*start = z - wd;
	*end = *start + 6;
}

static void
add_figures(struct rpt_row *to, const struct rpt_row *day)
{
	to->claims += day->claims;
	to->flagged += day->flagged;
	to->invalid += day->invalid;
	to->findings += day->findings;
	to->open += day->open;
	to->corrected += day->corrected;
	to->accepted += day->accepted;
	to->fp += day->fp;
	to->at_risk += day->at_risk;
	to->net += day->net;
	to->missed += day->missed;
}

/* The prior figures: the rows of t whose day is in [from, to]. */
static void
add_prior(struct rpt_prior *p, const struct rpt_table *t, const char *from,
	  const char *to)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *d = &t->rows[i];
		if (strcmp(d->key, from) < 0 || strcmp(d->key, to) > 0)
			continue;
		p->claims += d->claims;
		p->flagged += d->flagged;
		p->at_risk += d->at_risk;
		p->net += d->net;
		p->missed += d->missed;
	}
}

/* A week's prior: the same days a week earlier; a month's: a month
 * earlier, to the end of the month before when it runs to its month's end
 * (so a whole month is compared with the whole month before). */
static void
prior_of(const struct report *r, enum rpt_section s, struct rpt_row *p)
{
	long from = day_of(p->from), to = day_of(p->to), pf, pt;
	if (s == RPT_WEEK) {
		pf = from - 7;
		pt = to - 7;
	} else {
		pf = month_back(from);
		pt = to == month_start(to, 1) - 1 ? month_start(to, 0) - 1
						  : month_back(to);
	}
	char a[64], b[64];
	day_text(a, sizeof(a), pf);
	day_text(b, sizeof(b), pt);
	add_prior(&p->prior, &r->sec[RPT_DAY], a, b);
	add_prior(&p->prior, &r->before, a, b);
}

bool
rpt_periods(struct report *r)
{
	const struct rpt_table *days = &r->sec[RPT_DAY];
	if (days->n == 0)
		return true;
	long lo = day_of(days->rows[0].key);
	long hi = day_of(days->rows[days->n - 1].key);
	for (int s = RPT_WEEK; s <= RPT_MONTH; s++) {
		for (size_t i = 0; i < days->n; i++) {
			char key[64], from[64], to[64];
			long z = day_of(days->rows[i].key), start, end;
			period_of((enum rpt_section)s, z, key, sizeof(key),
				  &start, &end);
			struct rpt_row *p =
				rpt_row_get(r, (enum rpt_section)s, key);
			if (!p)
				return false;
			if (!p->from[0]) { /* clipped to the period */
				day_text(from, sizeof(from),
					 start > lo ? start : lo);
				day_text(to, sizeof(to), end < hi ? end : hi);
				snprintf(p->from, sizeof(p->from), "%.10s",
					 from);
				snprintf(p->to, sizeof(p->to), "%.10s", to);
			}
			add_figures(p, &days->rows[i]);
		}
		for (size_t i = 0; i < r->sec[s].n; i++)
			prior_of(r, (enum rpt_section)s, &r->sec[s].rows[i]);
	}
	return true;
}

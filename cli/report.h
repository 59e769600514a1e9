/*
 * report — the denial-risk report of `claimscrub report`: the model the
 * database query fills (report.c: rows, sorting, number formatting) and the
 * renderers that print it, one module each (report_text.c, report_csv.c,
 * report_html.c with svg.c).  Renderers only read the model.
 *
 * Money is integer cents; a rate is a share in [0, 1], or negative when it
 * is undefined (no claims, no decided findings).
 */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

/* One line of a section (a day, rule, payer or provider) or the total. */
struct rpt_row {
	char key[96];
	long claims, flagged, invalid;
	long findings, open, corrected, accepted, fp;
	long long at_risk, missed; /* cents; 0 without a fee table */
};

enum rpt_section { RPT_DAY, RPT_RULE, RPT_PAYER, RPT_PROVIDER, RPT_NSEC };

struct rpt_table {
	struct rpt_row *rows;
	size_t n, cap;
	bool by_key; /* rows are in key order (binary search) */
};

struct report {
	const char *since, *until, *payer; /* the filters; NULL: none */
	bool money;			   /* a fee table is loaded */
	struct rpt_row total;
	struct rpt_table sec[RPT_NSEC];
};

/* How many providers the text and HTML reports show (CSV has them all). */
#define RPT_TOP_PROVIDERS 10

/* The section's name in CSV and HTML: "day", "rule", "payer", "provider". */
const char *rpt_section_name(enum rpt_section s);

/* The row of section s with key, added (zeroed) when missing; NULL when out
 * of memory.  Linear until rpt_sort(), a binary search after it. */
struct rpt_row *rpt_row_get(struct report *r, enum rpt_section s,
			    const char *key);

/* Puts each section in its reading order: days ascending; rules by
 * findings, payers by claims, providers by flagged claims (then findings),
 * each descending, ties by key.  rpt_sort_keys() orders by key only (for
 * merging). */
void rpt_sort(struct report *r);
void rpt_sort_keys(struct report *r);

void rpt_free(struct report *r);

/* flagged / claims; -1 when there are no claims. */
double rpt_flagged_rate(const struct rpt_row *row);
/* false positives / decided findings; -1 when none is decided. */
double rpt_fp_share(const struct rpt_row *row);

/* "55.6" (one decimal, of a share as a percentage) or "" when rate < 0. */
const char *rpt_pct(char *buf, size_t size, double rate);
/* "1234.50" (plain) or "$1,234.50" (grouped, with the dollar sign). */
const char *rpt_cents(char *buf, size_t size, long long cents, bool pretty);
/* Parses a numeric(,2) text ("-12.5", "1234.50") into cents; false when it
 * is not one. */
bool rpt_parse_cents(const char *s, long long *cents);

void report_text(FILE *out, const struct report *r);
void report_csv(FILE *out, const struct report *r);
void report_html(FILE *out, const struct report *r);

#endif

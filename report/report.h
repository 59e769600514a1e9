/*
 * report — the denial-risk report of `claimscrub report`: the model the
 * database query fills (report.c: rows, sorting, number formatting) and the
 * renderers that print it, one module each (report_text.c, report_csv.c,
 * report_html.c with svg.c).  Renderers only read the model.
 *
 * Money is integer cents; a rate is a share in [0, 1], or negative when it
 * is undefined (no claims, no decided findings).
 */
#ifndef REPORT_REPORT_H
#define REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

/* The figures of the period just before a week or month (the same days
 * one week or one month earlier; a whole month's is the whole month
 * before). */
struct rpt_prior {
	long claims, flagged;
	long long at_risk, net, missed; /* cents */
};

/* One line of a section (a day, week, month, rule, payer or provider) or
 * the total.  Money in cents, 0 without a fee table: at_risk counts each
 * billed line once (a rule's row: the lines whose first error finding is
 * the rule's), net is the expected reimbursement after the fix less the
 * claims' as billed (not per rule), missed the services not billed. */
struct rpt_row {
	char key[96];
	char from[11], to[11]; /* a week's or month's first and last day */
	long claims, flagged, invalid;
	long findings, open, corrected, accepted, fp;
	long long at_risk, missed, net;
	struct rpt_prior prior; /* weeks and months only */
};

enum rpt_section {
	RPT_DAY,
	RPT_WEEK,
	RPT_MONTH,
	RPT_RULE,
	RPT_PAYER,
	RPT_PROVIDER,
	RPT_NSEC
};

struct rpt_table {
	struct rpt_row *rows;
	size_t n, cap;
	bool by_key; /* rows are in key order (binary search) */
};

struct report {
	const char *since, *until, *payer,
		*provider; /* the filters; NULL: none */
	size_t top;	   /* payers and providers in text and HTML */
	bool money;	   /* a fee table is loaded */
	bool payer_map;	   /* claimscrub.payer_profile has rows */
	struct rpt_row total;
	struct rpt_table sec[RPT_NSEC];
	/* payers (lower case) of claims with no payer_profile row: key and
	 * claims only, most claims first; unmapped_claims their sum */
	struct rpt_table unmapped;
	long unmapped_claims;
	bool axis; /* sec[RPT_DAY] has every day of the period */
	/* the days before --since a prior period reaches (claims, flagged,
	 * at_risk, net, missed), by key */
	struct rpt_table before;
};

/* --top's default: payers and providers the text and HTML reports show
 * (CSV has them all). */
#define RPT_TOP_DEFAULT 10

/* The section's name in CSV and HTML: "day", "rule", "payer", "provider". */
const char *rpt_section_name(enum rpt_section s);

/* The row of section s with key, added (zeroed) when missing; NULL when out
 * of memory.  Linear until rpt_sort(), a binary search after it.
 * rpt_table_get() is the same on any table. */
struct rpt_row *rpt_row_get(struct report *r, enum rpt_section s,
			    const char *key);
struct rpt_row *rpt_table_get(struct rpt_table *t, const char *key);

/* Adds a zeroed row to t (in key order) for each of keys[0..n) it lacks,
 * sorting once: thousands of days cost no sort each.  false: out of
 * memory. */
bool rpt_add_keys(struct rpt_table *t, const char *const *keys, size_t n);

/* Adds up the ISO weeks and months of the period from its days (r->axis:
 * every day a row, in key order), each with the prior period's figures
 * from the days and r->before.  false: out of memory. */
bool rpt_periods(struct report *r);

/* Puts each section in its reading order: days, weeks and months
 * ascending; rules by findings; payers and providers by amount at risk,
 * then claims, each descending, ties by key.  rpt_sort_keys() orders by key
 * only (for merging). */
void rpt_sort(struct report *r);
void rpt_sort_keys(struct report *r);

/* How many rows of section s the text and HTML reports show: all but
 * payers and providers, of which the top r->top. */
size_t rpt_shown(const struct report *r, enum rpt_section s);

void rpt_free(struct report *r);

/* flagged / claims; -1 when there are no claims. */
double rpt_flagged_rate(const struct rpt_row *row);
/* Decided findings: corrected + accepted-risk + false-positive (the n of
 * precision). */
long rpt_decided(const struct rpt_row *row);
/* (decided - false positives) / decided; -1 when none is decided. */
double rpt_precision(const struct rpt_row *row);
/* "92.0% (n=25)", or "-" when none is decided; pretty groups n. */
const char *rpt_precision_text(char *buf, size_t size,
			       const struct rpt_row *row, bool pretty);

/* "55.6" (one decimal, of a share as a percentage) or "" when rate < 0. */
const char *rpt_pct(char *buf, size_t size, double rate);
/* "1234567" (plain) or "1,234,567" (grouped). */
const char *rpt_count(char *buf, size_t size, long n, bool pretty);
/* "1234.50" (plain) or "$1,234.50" (grouped, with the dollar sign). */
const char *rpt_cents(char *buf, size_t size, long long cents, bool pretty);
/* Parses a numeric(,2) text ("-12.5", "1234.50") into cents; false when it
 * is not one. */
bool rpt_parse_cents(const char *s, long long *cents);

void report_text(FILE *out, const struct report *r);
void report_csv(FILE *out, const struct report *r);
void report_html(FILE *out, const struct report *r);

/* How the HTML report sits in a page of its own (the workbench's
 * dashboard); report_html() is report_html_with() with none of it. */
struct rpt_html {
	/* NULL: the style sheet inline; else a <link> to it (a page whose
	 * Content-Security-Policy forbids inline style) */
	const char *stylesheet;
	/* NULL, or writes what comes first in the <body> (navigation, the
	 * filters' form) */
	void (*header)(FILE *out, void *arg);
	/* NULL, or writes into buf where the row of section s with key
	 * drills down to (its bar and its table cell link there) and
	 * returns true; false: it links nowhere.  row: the row when known
	 * (a table's: a week's or month's from and to), else NULL */
	bool (*link)(void *arg, enum rpt_section s, const char *key,
		     const struct rpt_row *row, char *buf, size_t size);
	void *arg;
};
void report_html_with(FILE *out, const struct report *r,
		      const struct rpt_html *h);
/* The HTML report's style sheet. */
extern const char rpt_html_css[];

/* One CSV field, quoted when it holds a comma, quote or line break; a
 * leading = + - @ is prefixed with ' so a spreadsheet never runs it as a
 * formula (report_csv.c, and claimscrub export). */
void rpt_csv_field(FILE *out, const char *s);

#endif

/*
 * report_html — the report as one self-contained HTML file: inline CSS,
 * inline SVG charts (svg.c), the tables of the text report; no script,
 * font, image or link to anything outside the file.  Charts: flagged rate
 * per day, findings by rule, findings by payer, revenue at risk against
 * revenue missed by payer, the top providers, and rule precision.  Laid out
 * in two columns on a wide screen, one on a narrow one and on paper.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/report.h"
#include "cli/svg.h"

#define C_BAR "#1d4ed8"	 /* blue */
#define C_RATE "#c2410c" /* orange */
#define C_RISK "#b91c1c" /* red */
#define C_MISS "#047857" /* green */
#define C_FP "#6d28d9"	 /* violet */

static const char html_css[] =
	"*{box-sizing:border-box}\n"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
	"Helvetica,Arial,sans-serif;color:#111827;background:#f3f4f6;"
	"margin:0;padding:24px}\n"
	"main{max-width:1400px;margin:0 auto}\n"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px}\n"
	".scope{color:#374151;margin:0}.note{font-weight:600;color:#92400e;"
	"background:#fef3c7;border:1px solid #f59e0b;padding:6px 10px;"
	"border-radius:6px;display:inline-block;margin:8px 0 0}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fit,"
	"minmax(170px,1fr));gap:12px;margin:18px 0}\n"
	".card{background:#fff;border:1px solid #d1d5db;border-radius:8px;"
	"padding:12px 14px}.card b{display:block;font-size:24px}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,"
	"minmax(560px,1fr));gap:16px}\n"
	"figure{margin:0;background:#fff;border:1px solid #d1d5db;"
	"border-radius:8px;padding:14px;break-inside:avoid}\n"
	"figure p{margin:0 0 6px;color:#4b5563;font-size:13px}\n"
	"svg.chart{width:100%;height:auto;display:block}\n"
	"svg text{font-family:inherit;fill:#111827;font-size:13px}\n"
	"svg .tick{font-size:11px;fill:#374151}svg .small{font-size:10px}\n"
	"svg .axis-label{font-size:12px;font-weight:600}\n"
	"svg .axis{stroke:#111827;stroke-width:1}svg .grid{stroke:#e5e7eb;"
	"stroke-width:1}\n"
	"table{border-collapse:collapse;width:100%;background:#fff;"
	"font-size:13px;margin:0 0 18px}\n"
	"th,td{border:1px solid #d1d5db;padding:4px 8px;text-align:right}"
	"th:first-child,td:first-child{text-align:left}\n"
	"th{background:#e5e7eb}.tables h2{margin-top:22px}\n"
	"footer{color:#4b5563;font-size:12px;margin-top:18px}\n"
	"@media print{body{background:#fff;padding:0;font-size:11pt}"
	".charts{display:block}figure{border:1px solid #9ca3af;"
	"margin:0 0 12px;page-break-inside:avoid}.card{border-color:#9ca3af}"
	"table{page-break-inside:auto}tr{page-break-inside:avoid}}\n";

static void
html_text(FILE *out, const char *tag, const char *attrs, const char *s)
{
	fprintf(out, "<%s%s>", tag, attrs);
	svg_escape(out, s);
	fprintf(out, "</%s>\n", tag);
}

static void
html_head(FILE *out, const struct report *r)
{
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
		"content=\"width=device-width, initial-scale=1\">\n"
		"<title>claimscrub denial-risk report</title>\n<style>\n"
		"%s</style>\n</head>\n<body>\n<main>\n<header>\n"
		"<h1>Denial-risk report</h1>\n<p class=\"scope\">",
		html_css);
	if (r->since || r->until) {
		fputs("Dates of service ", out);
		svg_escape(out, r->since ? r->since : "(start)");
		fputs(" to ", out);
		svg_escape(out, r->until ? r->until : "(end)");
	} else {
		fputs("All dates of service", out);
	}
	fputs(r->payer ? ", payer " : ", all payers", out);
	svg_escape(out, r->payer ? r->payer : "");
	fputs("</p>\n", out);
	if (!r->money)
		fputs("<p class=\"note\">No fee table loaded: counts only "
		      "(load one with claimscrub db fees)</p>\n",
		      out);
	fputs("</header>\n", out);
}

static void
card(FILE *out, const char *value, const char *what)
{
	fputs("<div class=\"card\"><b>", out);
	svg_escape(out, value);
	fputs("</b>", out);
	svg_escape(out, what);
	fputs("</div>\n", out);
}

static void
html_cards(FILE *out, const struct report *r)
{
	const struct rpt_row *t = &r->total;
	char b[48], pct[16];
	fputs("<section class=\"cards\">\n", out);
	snprintf(b, sizeof(b), "%ld", t->claims);
	card(out, b, "claims scrubbed");
	snprintf(b, sizeof(b), "%ld (%s%%)", t->flagged,
		 rpt_pct(pct, sizeof(pct), rpt_flagged_rate(t)));
	card(out, b, "claims flagged");
	snprintf(b, sizeof(b), "%ld of %ld", t->open, t->findings);
	card(out, b, "findings open");
	snprintf(b, sizeof(b), "%ld / %ld / %ld", t->corrected, t->accepted,
		 t->fp);
	card(out, b, "corrected / accepted-risk / false-positive");
	if (r->money) {
		card(out, rpt_cents(b, sizeof(b), t->at_risk, true),
		     "revenue at risk");
		card(out, rpt_cents(b, sizeof(b), t->missed, true),
		     "revenue missed");
	}
	fputs("</section>\n", out);
}

/* ---- charts -------------------------------------------------------------- */

static void
bar_count(struct svg_bar *b, const char *key, long v)
{
	memset(b, 0, sizeof(*b));
	b->key = key;
	b->value = (double)v;
	snprintf(b->data, sizeof(b->data), "%ld", v);
	snprintf(b->text, sizeof(b->text), "%ld", v);
}

static void
bar_pct(struct svg_bar *b, const char *key, double rate)
{
	memset(b, 0, sizeof(*b));
	b->key = key;
	rpt_pct(b->data, sizeof(b->data), rate);
	b->value = strtod(b->data, NULL);
	snprintf(b->text, sizeof(b->text), "%s%%", b->data);
}

static void
figure(FILE *out, const struct svg_chart *c, const char *what,
       void (*draw)(FILE *, const struct svg_chart *, const struct svg_bar *,
		    size_t),
       const struct svg_bar *b, size_t n)
{
	fprintf(out, "<figure id=\"chart-%s\">\n", c->id);
	html_text(out, "h2", "", c->title);
	html_text(out, "p", "", what);
	if (n)
		draw(out, c, b, n);
	else
		html_text(out, "p", "", "(nothing in this period)");
	fputs("</figure>\n", out);
}

static void
chart_days(FILE *out, const struct report *r, struct svg_bar *b)
{
	const struct rpt_table *t = &r->sec[RPT_DAY];
	for (size_t i = 0; i < t->n; i++)
		bar_pct(&b[i], t->rows[i].key, rpt_flagged_rate(&t->rows[i]));
	struct svg_chart c = {"day-rate",
			      "Flagged rate per day",
			      "flagged claims (%)",
			      C_RATE,
			      NULL,
			      NULL,
			      NULL,
			      100};
	figure(out, &c,
	       "Share of the day's claims with an error or warning "
	       "finding, by date of service.",
	       svg_columns, b, t->n);
}

/* findings per rule or per payer; flagged claims per top provider */
static void
chart_counts(FILE *out, const struct report *r, struct svg_bar *b,
	     enum rpt_section s)
{
	const struct rpt_table *t = &r->sec[s];
	size_t n = s == RPT_PROVIDER && t->n > RPT_TOP_PROVIDERS
			   ? RPT_TOP_PROVIDERS
			   : t->n;
	for (size_t i = 0; i < n; i++)
		bar_count(&b[i], t->rows[i].key,
			  s == RPT_PROVIDER ? t->rows[i].flagged
					    : t->rows[i].findings);
	static const struct svg_chart charts[RPT_NSEC] = {
		{0},
		{"rule", "Findings by rule", "findings (count)", C_BAR, NULL,
		 NULL, NULL, 0},
		{"payer", "Findings by payer", "findings (count)", C_BAR, NULL,
		 NULL, NULL, 0},
		{"provider", "Top providers by flagged claims",
		 "flagged claims (count)", C_RISK, NULL, NULL, NULL, 0},
	};
	static const char *const what[RPT_NSEC] = {
		"", "Every finding of the current versions, open or decided.",
		"Findings of each payer's claims.",
		"The providers with the most flagged claims (at most 10)."};
	figure(out, &charts[s], what[s], svg_hbars, b, n);
}

static void
chart_money(FILE *out, const struct report *r, struct svg_bar *b)
{
	const struct rpt_table *t = &r->sec[RPT_PAYER];
	struct svg_chart c = {
		"money",	  "Revenue at risk vs revenue missed, by payer",
		"US dollars ($)", C_RISK,
		C_MISS,		  "revenue at risk",
		"revenue missed", 0};
	if (!r->money) {
		fprintf(out, "<figure id=\"chart-money\">\n");
		html_text(out, "h2", "", c.title);
		html_text(out, "p", " class=\"note\"",
			  "No fee table loaded: counts only.");
		fputs("</figure>\n", out);
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *row = &t->rows[i];
		memset(&b[i], 0, sizeof(b[i]));
		b[i].key = row->key;
		b[i].value = (double)row->at_risk / 100;
		b[i].value2 = (double)row->missed / 100;
		rpt_cents(b[i].data, sizeof(b[i].data), row->at_risk, false);
		rpt_cents(b[i].text, sizeof(b[i].text), row->at_risk, true);
		rpt_cents(b[i].data2, sizeof(b[i].data2), row->missed, false);
		rpt_cents(b[i].text2, sizeof(b[i].text2), row->missed, true);
	}
	figure(out, &c,
	       "At risk: the billed lines of error findings at their "
	       "fee; missed: services documented but not billed.",
	       svg_hbars2, b, t->n);
}

static void
chart_precision(FILE *out, const struct report *r, struct svg_bar *b)
{
	const struct rpt_table *t = &r->sec[RPT_RULE];
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (rpt_fp_share(&t->rows[i]) >= 0)
			bar_pct(&b[n++], t->rows[i].key,
				rpt_fp_share(&t->rows[i]));
	struct svg_chart c = {
		"precision",
		"Rule precision: false-positive share",
		"false positives (% of the rule's decided findings)",
		C_FP,
		NULL,
		NULL,
		NULL,
		100};
	figure(out, &c,
	       "Of each rule's findings a reviewer decided, the share "
	       "marked false-positive (lower is better).",
	       svg_hbars, b, n);
}

static bool
html_charts(FILE *out, const struct report *r)
{
	size_t most = 1;
	for (int s = 0; s < RPT_NSEC; s++)
		most = r->sec[s].n > most ? r->sec[s].n : most;
	struct svg_bar *b = calloc(most, sizeof(*b));
	if (!b)
		return false;
	fputs("<section class=\"charts\">\n", out);
	chart_days(out, r, b);
	chart_counts(out, r, b, RPT_RULE);
	chart_counts(out, r, b, RPT_PAYER);
	chart_money(out, r, b);
	chart_counts(out, r, b, RPT_PROVIDER);
	chart_precision(out, r, b);
	fputs("</section>\n", out);
	free(b);
	return true;
}

/* ---- tables ----------------------------------------------------------------- */

static void cells(FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
cells(FILE *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

static void
money_cells(FILE *out, const struct report *r, const struct rpt_row *row)
{
	char a[40], m[40];
	if (r->money)
		cells(out, "<td>%s</td><td>%s</td>",
		      rpt_cents(a, sizeof(a), row->at_risk, true),
		      rpt_cents(m, sizeof(m), row->missed, true));
	fputs("</tr>\n", out);
}

static void
table_claims(FILE *out, const struct report *r, enum rpt_section s,
	     const char *title, size_t limit)
{
	const struct rpt_table *t = &r->sec[s];
	char pct[16];
	html_text(out, "h2", "", title);
	cells(out,
	      "<table data-table=\"%s\"><tr><th>%s</th><th>claims</th>"
	      "<th>flagged</th><th>rate</th><th>findings</th><th>open</th>",
	      rpt_section_name(s), rpt_section_name(s));
	fputs(r->money ? "<th>at risk</th><th>missed</th></tr>\n" : "</tr>\n",
	      out);
	for (size_t i = 0; i < t->n && (limit == 0 || i < limit); i++) {
		const struct rpt_row *row = &t->rows[i];
		fputs("<tr><td>", out);
		svg_escape(out, row->key);
		fputs("</td>", out);
		cells(out,
		      "<td>%ld</td><td>%ld</td><td>%s%%</td><td>%ld</td>"
		      "<td>%ld</td>",
		      row->claims, row->flagged,
		      rpt_pct(pct, sizeof(pct), rpt_flagged_rate(row)),
		      row->findings, row->open);
		money_cells(out, r, row);
	}
	fputs("</table>\n", out);
}

static void
table_rules(FILE *out, const struct report *r)
{
	const struct rpt_table *t = &r->sec[RPT_RULE];
	char pct[16];
	html_text(out, "h2", "", "Findings by rule");
	fputs("<table data-table=\"rule\"><tr><th>rule</th><th>findings</th>"
	      "<th>open</th><th>corrected</th><th>accepted-risk</th>"
	      "<th>false-positive</th><th>fp share</th>",
	      out);
	fputs(r->money ? "<th>at risk</th><th>missed</th></tr>\n" : "</tr>\n",
	      out);
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *row = &t->rows[i];
		rpt_pct(pct, sizeof(pct), rpt_fp_share(row));
		fputs("<tr><td>", out);
		svg_escape(out, row->key);
		fputs("</td>", out);
		cells(out,
		      "<td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td>"
		      "<td>%ld</td><td>%s%s</td>",
		      row->findings, row->open, row->corrected, row->accepted,
		      row->fp, *pct ? pct : "-", *pct ? "%" : "");
		money_cells(out, r, row);
	}
	fputs("</table>\n", out);
}

void
report_html(FILE *out, const struct report *r)
{
	html_head(out, r);
	html_cards(out, r);
	if (!html_charts(out, r))
		fputs("<p class=\"note\">out of memory drawing the "
		      "charts</p>\n",
		      out);
	fputs("<section class=\"tables\">\n", out);
	table_claims(out, r, RPT_DAY, "Per day", 0);
	table_rules(out, r);
	table_claims(out, r, RPT_PAYER, "By payer", 0);
	table_claims(out, r, RPT_PROVIDER, "Top providers", RPT_TOP_PROVIDERS);
	fputs("</section>\n<footer>claimscrub " PACKAGE_VERSION
	      ": findings of each claim's current version; money from the "
	      "fee table loaded with claimscrub db fees.</footer>\n"
	      "</main>\n</body>\n</html>\n",
	      out);
}

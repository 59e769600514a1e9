/*
 * report_html — the report as one self-contained HTML file: inline CSS,
 * inline SVG charts (svg.c), the tables of the text report; no script,
 * font, image or link to anything outside the file.  Charts: flagged rate
 * per day (every day of the period), findings by rule, findings by payer,
 * revenue at risk against revenue missed by payer, the top providers, and
 * rule precision with n.  Tables per day, ISO week and month (with the
 * period before), rule, payer and provider, counts and money with
 * thousands separators, and notes that define every figure.  Laid out in
 * two columns on a wide screen, one on a narrow one and on paper.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/svg.h"

#define C_BAR "#1d4ed8"	 /* blue */
#define C_RATE "#c2410c" /* orange */
#define C_RISK "#b91c1c" /* red */
#define C_MISS "#047857" /* green */
#define C_FP "#6d28d9"	 /* violet */

const char rpt_html_css[] =
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

/* the payers no payer_profile row maps, or that no map is loaded */
static void
html_unmapped(FILE *out, const struct report *r)
{
	char n[32];
	fputs("<p class=\"scope\" id=\"unmapped\">", out);
	if (!r->payer_map) {
		fputs("No payer map loaded (claimscrub db fees): unmapped "
		      "payers not counted.</p>\n",
		      out);
		return;
	}
	fprintf(out,
		"Unmapped payers (judged by the default profile): %s claims",
		rpt_count(n, sizeof(n), r->unmapped_claims, true));
	for (size_t i = 0; i < r->unmapped.n && i < 10; i++) {
		fputs(i == 0 ? " (" : ", ", out);
		svg_escape(out, r->unmapped.rows[i].key);
	}
	if (r->unmapped.n > 10)
		fprintf(out, ", ... %zu more", r->unmapped.n - 10);
	fputs(r->unmapped.n ? ").</p>\n" : ".</p>\n", out);
}

static void
html_head(FILE *out, const struct report *r, const struct rpt_html *h)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	      "content=\"width=device-width, initial-scale=1\">\n"
	      "<title>claimscrub denial-risk report</title>\n",
	      out);
	if (h->stylesheet) {
		fputs("<link rel=\"stylesheet\" href=\"", out);
		svg_escape(out, h->stylesheet);
		fputs("\">\n", out);
	} else {
		fprintf(out, "<style>\n%s</style>\n", rpt_html_css);
	}
	fputs("</head>\n<body>\n", out);
	if (h->header)
		h->header(out, h->arg);
	fputs("<main>\n<header>\n<h1>Denial-risk report</h1>\n"
	      "<p class=\"scope\">",
	      out);
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
	if (r->provider) {
		fputs(", provider ", out);
		svg_escape(out, r->provider);
	}
	fputs("</p>\n", out);
	if (!r->money)
		fputs("<p class=\"note\">No fee table loaded: counts only "
		      "(load one with claimscrub db fees)</p>\n",
		      out);
	html_unmapped(out, r);
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
	char b[96], pct[16], c[3][32];
	fputs("<section class=\"cards\">\n", out);
	card(out, rpt_count(b, sizeof(b), t->claims, true), "claims scrubbed");
	snprintf(b, sizeof(b), "%s (%s%%)",
		 rpt_count(c[0], sizeof(c[0]), t->flagged, true),
		 rpt_pct(pct, sizeof(pct), rpt_flagged_rate(t)));
	card(out, b, "claims flagged");
	snprintf(b, sizeof(b), "%s of %s",
		 rpt_count(c[0], sizeof(c[0]), t->open, true),
		 rpt_count(c[1], sizeof(c[1]), t->findings, true));
	card(out, b, "findings open");
	snprintf(b, sizeof(b), "%s / %s / %s",
		 rpt_count(c[0], sizeof(c[0]), t->corrected, true),
		 rpt_count(c[1], sizeof(c[1]), t->accepted, true),
		 rpt_count(c[2], sizeof(c[2]), t->fp, true));
	card(out, b, "corrected / accepted-risk / false-positive");
	card(out, rpt_precision_text(b, sizeof(b), t, true),
	     "precision (n = decided findings)");
	if (r->money) {
		card(out, rpt_cents(b, sizeof(b), t->at_risk, true),
		     "revenue at risk (gross)");
		card(out, rpt_cents(b, sizeof(b), t->net, true),
		     "net change if fixed");
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

/* A chart's bars link where the section's rows do (struct rpt_html). */
struct chart_link {
	const struct rpt_html *h;
	enum rpt_section s;
};

static bool
chart_href(void *arg, const char *key, char *buf, size_t size)
{
	const struct chart_link *l = arg;
	return l->h->link(l->h->arg, l->s, key, NULL, buf, size);
}

static void
linked(struct svg_chart *c, struct chart_link *l, const struct rpt_html *h,
       enum rpt_section s)
{
	*l = (struct chart_link){h, s};
	if (h->link) {
		c->href = chart_href;
		c->href_arg = l;
	}
}

static void
chart_days(FILE *out, const struct report *r, struct svg_bar *b,
	   const struct rpt_html *h)
{
	struct chart_link l;
	const struct rpt_table *t = &r->sec[RPT_DAY];
	for (size_t i = 0; i < t->n; i++)
		bar_pct(&b[i], t->rows[i].key, rpt_flagged_rate(&t->rows[i]));
	struct svg_chart c = {.id = "day-rate",
			      .title = "Flagged rate per day",
			      .axis = "flagged claims (%)",
			      .color = C_RATE,
			      .max = 100};
	linked(&c, &l, h, RPT_DAY);
	figure(out, &c,
	       "Share of the day's claims with an error or warning "
	       "finding, by date of service.",
	       svg_columns, b, t->n);
}

/* findings per rule or per payer; flagged claims per top provider */
static void
chart_counts(FILE *out, const struct report *r, struct svg_bar *b,
	     enum rpt_section s, const struct rpt_html *h)
{
	struct chart_link l;
	const struct rpt_table *t = &r->sec[s];
	size_t n = rpt_shown(r, s);
	for (size_t i = 0; i < n; i++)
		bar_count(&b[i], t->rows[i].key,
			  s == RPT_PROVIDER ? t->rows[i].flagged
					    : t->rows[i].findings);
	static const struct svg_chart charts[RPT_NSEC] = {
		[RPT_RULE] = {.id = "rule",
			      .title = "Findings by rule",
			      .axis = "findings (count)",
			      .color = C_BAR},
		[RPT_PAYER] = {.id = "payer",
			       .title = "Findings by payer",
			       .axis = "findings (count)",
			       .color = C_BAR},
		[RPT_PROVIDER] = {.id = "provider",
				  .title = "Top providers: flagged claims",
				  .axis = "flagged claims (count)",
				  .color = C_RISK},
	};
	static const char *const what[RPT_NSEC] = {
		[RPT_RULE] = "Every finding of the current versions, open or "
			     "decided.",
		[RPT_PAYER] = "Findings of the top payers' claims (by amount "
			      "at risk).",
		[RPT_PROVIDER] = "Flagged claims of the top providers (by "
				 "amount at risk)."};
	struct svg_chart c = charts[s];
	linked(&c, &l, h, s);
	figure(out, &c, what[s], svg_hbars, b, n);
}

static void
chart_money(FILE *out, const struct report *r, struct svg_bar *b,
	    const struct rpt_html *h)
{
	struct chart_link l;
	const struct rpt_table *t = &r->sec[RPT_PAYER];
	struct svg_chart c = {
		.id = "money",
		.title = "Revenue at risk vs revenue missed, by payer",
		.axis = "US dollars ($)",
		.color = C_RISK,
		.color2 = C_MISS,
		.legend = "revenue at risk",
		.legend2 = "revenue missed"};
	if (!r->money) {
		fprintf(out, "<figure id=\"chart-money\">\n");
		html_text(out, "h2", "", c.title);
		html_text(out, "p", " class=\"note\"",
			  "No fee table loaded: counts only.");
		fputs("</figure>\n", out);
		return;
	}
	for (size_t i = 0; i < rpt_shown(r, RPT_PAYER); i++) {
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
	linked(&c, &l, h, RPT_PAYER);
	figure(out, &c,
	       "At risk (gross): each billed line with an error finding at "
	       "its fee, once; missed: services documented but not billed. "
	       "The top payers by amount at risk.",
	       svg_hbars2, b, rpt_shown(r, RPT_PAYER));
}

static void
chart_precision(FILE *out, const struct report *r, struct svg_bar *b,
		const struct rpt_html *h)
{
	struct chart_link l;
	const struct rpt_table *t = &r->sec[RPT_RULE];
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (rpt_decided(&t->rows[i]) == 0)
			continue;
		bar_pct(&b[n], t->rows[i].key, rpt_precision(&t->rows[i]));
		rpt_precision_text(b[n].text, sizeof(b[n].text), &t->rows[i],
				   true);
		n++;
	}
	struct svg_chart c = {
		.id = "precision",
		.title = "Rule precision",
		.axis = "precision (% of the rule's decided findings)",
		.color = C_FP,
		.max = 100};
	linked(&c, &l, h, RPT_RULE);
	figure(out, &c,
	       "Of each rule's findings a reviewer decided (n), the share not "
	       "marked false-positive (higher is better).",
	       svg_hbars, b, n);
}

static bool
html_charts(FILE *out, const struct report *r, const struct rpt_html *h)
{
	size_t most = 1;
	for (int s = 0; s < RPT_NSEC; s++)
		most = r->sec[s].n > most ? r->sec[s].n : most;
	struct svg_bar *b = calloc(most, sizeof(*b));
	if (!b)
		return false;
	fputs("<section class=\"charts\">\n", out);
	chart_days(out, r, b, h);
	chart_counts(out, r, b, RPT_RULE, h);
	chart_counts(out, r, b, RPT_PAYER, h);
	chart_money(out, r, b, h);
	chart_counts(out, r, b, RPT_PROVIDER, h);
	chart_precision(out, r, b, h);
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

/* "<td>1,234</td>" per count */
static void
count_cells(FILE *out, const long *v, size_t n)
{
	char c[32];
	for (size_t i = 0; i < n; i++)
		cells(out, "<td>%s</td>", rpt_count(c, sizeof(c), v[i], true));
}

static void
money_cells(FILE *out, const struct report *r, const struct rpt_row *row,
	    bool net)
{
	char a[40], n[40] = "", m[40];
	if (net)
		rpt_cents(n, sizeof(n), row->net, true);
	if (r->money)
		cells(out, "<td>%s</td>%s%s%s<td>%s</td>",
		      rpt_cents(a, sizeof(a), row->at_risk, true),
		      net ? "<td>" : "", n, net ? "</td>" : "",
		      rpt_cents(m, sizeof(m), row->missed, true));
	fputs("</tr>\n", out);
}

static void
key_cell(FILE *out, const struct rpt_html *h, enum rpt_section s,
	 const struct rpt_row *row)
{
	char url[512];
	const char *key = row->key;
	fputs("<tr><td>", out);
	if (h->link && h->link(h->arg, s, key, row, url, sizeof(url))) {
		fputs("<a href=\"", out);
		svg_escape(out, url);
		fputs("\">", out);
		svg_escape(out, key);
		fputs("</a></td>", out);
		return;
	}
	svg_escape(out, key);
	fputs("</td>", out);
}

static void
table_claims(FILE *out, const struct report *r, enum rpt_section s,
	     const char *title, const struct rpt_html *h)
{
	const struct rpt_table *t = &r->sec[s];
	char pct[16], head[160];
	snprintf(head, sizeof(head), "%s%s", title,
		 rpt_shown(r, s) < t->n ? " (top)" : "");
	html_text(out, "h2", "", head);
	cells(out,
	      "<table data-table=\"%s\" aria-label=\"%s\"><tr><th "
	      "scope=\"col\">%s</th><th scope=\"col\">claims</th>"
	      "<th scope=\"col\">flagged</th><th scope=\"col\">rate</th><th "
	      "scope=\"col\">findings</th><th scope=\"col\">open</th>",
	      rpt_section_name(s), head, rpt_section_name(s));
	fputs(r->money ? "<th scope=\"col\">at risk</th><th scope=\"col\">net "
			 "change if fixed</th>"
			 "<th scope=\"col\">missed</th></tr>\n"
		       : "</tr>\n",
	      out);
	for (size_t i = 0; i < rpt_shown(r, s); i++) {
		const struct rpt_row *row = &t->rows[i];
		key_cell(out, h, s, row);
		count_cells(out, (long[]){row->claims, row->flagged}, 2);
		rpt_pct(pct, sizeof(pct), rpt_flagged_rate(row));
		cells(out, "<td>%s%s</td>", *pct ? pct : "-", *pct ? "%" : "");
		count_cells(out, (long[]){row->findings, row->open}, 2);
		money_cells(out, r, row, true);
	}
	fputs("</table>\n", out);
}

/* "<td>1,234 (1,000)</td>": a figure and the prior period's */
static void
pair_cell(FILE *out, long long now, long long prior, bool money)
{
	char a[40], b[40];
	if (money)
		cells(out, "<td>%s (%s)</td>",
		      rpt_cents(a, sizeof(a), now, true),
		      rpt_cents(b, sizeof(b), prior, true));
	else
		cells(out, "<td>%s (%s)</td>",
		      rpt_count(a, sizeof(a), (long)now, true),
		      rpt_count(b, sizeof(b), (long)prior, true));
}

static void
table_periods(FILE *out, const struct report *r, enum rpt_section s,
	      const char *title, const struct rpt_html *h)
{
	const struct rpt_table *t = &r->sec[s];
	html_text(out, "h2", "", title);
	cells(out,
	      "<table data-table=\"%s\" aria-label=\"%s\"><tr><th "
	      "scope=\"col\">%s</th><th scope=\"col\">days</th>"
	      "<th scope=\"col\">claims (prior)</th><th scope=\"col\">flagged "
	      "(prior)</th>",
	      rpt_section_name(s), title, rpt_section_name(s));
	fputs(r->money ? "<th scope=\"col\">at risk (prior)</th><th "
			 "scope=\"col\">net change if fixed "
			 "(prior)</th><th scope=\"col\">missed "
			 "(prior)</th></tr>\n"
		       : "</tr>\n",
	      out);
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *row = &t->rows[i];
		key_cell(out, h, s, row);
		cells(out, "<td>%s to %s</td>", row->from, row->to);
		pair_cell(out, row->claims, row->prior.claims, false);
		pair_cell(out, row->flagged, row->prior.flagged, false);
		if (r->money) {
			pair_cell(out, row->at_risk, row->prior.at_risk, true);
			pair_cell(out, row->net, row->prior.net, true);
			pair_cell(out, row->missed, row->prior.missed, true);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
table_rules(FILE *out, const struct report *r, const struct rpt_html *h)
{
	const struct rpt_table *t = &r->sec[RPT_RULE];
	char prec[48];
	html_text(out, "h2", "", "Findings by rule");
	fputs("<table data-table=\"rule\" aria-label=\"Findings by "
	      "rule\"><tr><th scope=\"col\">rule</th><th "
	      "scope=\"col\">findings</th>"
	      "<th scope=\"col\">open</th><th scope=\"col\">corrected</th><th "
	      "scope=\"col\">accepted-risk</th>"
	      "<th scope=\"col\">false-positive</th><th "
	      "scope=\"col\">precision</th>",
	      out);
	fputs(r->money ? "<th scope=\"col\">at risk</th><th "
			 "scope=\"col\">missed</th></tr>\n"
		       : "</tr>\n",
	      out);
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *row = &t->rows[i];
		key_cell(out, h, RPT_RULE, row);
		count_cells(out,
			    (long[]){row->findings, row->open, row->corrected,
				     row->accepted, row->fp},
			    5);
		cells(out, "<td>%s</td>",
		      rpt_precision_text(prec, sizeof(prec), row, true));
		money_cells(out, r, row, false);
	}
	fputs("</table>\n", out);
}

/* what every figure means */
static void
html_notes(FILE *out)
{
	fputs("<section class=\"notes\" id=\"definitions\">\n"
	      "<h2>Definitions</h2>\n<ul>\n"
	      "<li><b>Revenue at risk (gross)</b>: each billed line with an "
	      "error finding not decided false-positive, at its fee (the "
	      "claim's payer profile, its date of service) &times; units, "
	      "counted once however many findings hit it; by rule, the line "
	      "counts for its first such finding (lowest ordinal).</li>\n"
	      "<li><b>Net change if fixed</b>: the fees of the codes the "
	      "record supports &times; units, less the fees of the billed "
	      "lines &times; units (codes without a fee count on neither "
	      "side); negative when the fix pays less (96365 billed where "
	      "96374 is supported); only claims whose result has expected "
	      "codes.</li>\n"
	      "<li><b>Revenue missed</b>: services documented but not billed "
	      "(additional-hour-missed, unbilled-service).</li>\n"
	      "<li><b>Precision</b>: (decided &minus; false-positive) / "
	      "decided, n = decided (corrected + accepted-risk + "
	      "false-positive); findings of each claim's current version "
	      "only, so a decision carried to a new version counts "
	      "once.</li>\n"
	      "<li><b>Prior</b>: the same days one week (or month) earlier; "
	      "a whole month's is the whole month before.</li>\n"
	      "</ul>\n</section>\n",
	      out);
}

void
report_html_with(FILE *out, const struct report *r, const struct rpt_html *h)
{
	html_head(out, r, h);
	html_cards(out, r);
	if (!html_charts(out, r, h))
		fputs("<p class=\"note\">out of memory drawing the "
		      "charts</p>\n",
		      out);
	fputs("<section class=\"tables\">\n", out);
	table_claims(out, r, RPT_DAY, "Per day", h);
	table_periods(out, r, RPT_WEEK, "Per ISO week (prior: the week before)",
		      h);
	table_periods(out, r, RPT_MONTH, "Per month (prior: the month before)",
		      h);
	table_rules(out, r, h);
	table_claims(out, r, RPT_PAYER, "Payers by amount at risk", h);
	table_claims(out, r, RPT_PROVIDER, "Providers by amount at risk", h);
	fputs("</section>\n", out);
	html_notes(out);
	fputs("<footer>claimscrub " PACKAGE_VERSION
	      ": findings of each claim's current version; money from the "
	      "fee table loaded with claimscrub db fees.</footer>\n"
	      "</main>\n</body>\n</html>\n",
	      out);
}

void
report_html(FILE *out, const struct report *r)
{
	static const struct rpt_html none = {0};
	report_html_with(out, r, &none);
}

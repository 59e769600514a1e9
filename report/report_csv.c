/*
 * report_csv — the report for spreadsheets (RFC 4180): one header and one
 * row per total, day (every day of the period), ISO week, month, rule,
 * payer and provider (every payer and provider), with a `section` column,
 * then one unmapped_payer row per payer no payer_profile row maps (its
 * claims in `claims`).  Rates are percentages with one decimal, money
 * plain dollars with cents, no thousands separators; a figure is empty when
 * undefined (a rate without claims, precision without decided findings,
 * net change of a rule) or without a fee table.  Weeks and months fill
 * from, to and the prior_ columns (the period before); the text and HTML
 * reports define every figure.
 */
#include "config.h"

#include <string.h>

#include "report/report.h"

void
rpt_csv_field(FILE *out, const char *s)
{
	bool formula = strchr("=+-@", *s) && *s;
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* cents as plain dollars, or "" when shown is false */
static const char *
csv_cents(char *buf, size_t size, long long cents, bool shown)
{
	if (!shown)
		return buf[0] = '\0', buf;
	return rpt_cents(buf, size, cents, false);
}

/* s: the row's section, RPT_NSEC for the total */
static void
csv_row(FILE *out, const struct report *r, enum rpt_section s,
	const struct rpt_row *row)
{
	char rate[16], prec[16], a[40], n[40], m[40];
	char pa[40] = "", pn[40] = "", pm[40] = "", pc[64] = "";
	bool period = s == RPT_WEEK || s == RPT_MONTH;
	fprintf(out, "%s,", s == RPT_NSEC ? "total" : rpt_section_name(s));
	rpt_csv_field(out, row->key);
	fprintf(out, ",%ld,%ld,%ld,%s,%ld,%ld,%ld,%ld,%ld,%ld,%s,%s,%s,%s,",
		row->claims, row->flagged, row->invalid,
		rpt_pct(rate, sizeof(rate), rpt_flagged_rate(row)),
		row->findings, row->open, row->corrected, row->accepted,
		row->fp, rpt_decided(row),
		rpt_pct(prec, sizeof(prec), rpt_precision(row)),
		csv_cents(a, sizeof(a), row->at_risk, r->money),
		csv_cents(n, sizeof(n), row->net, r->money && s != RPT_RULE),
		csv_cents(m, sizeof(m), row->missed, r->money));
	if (period) {
		snprintf(pc, sizeof(pc), "%ld,%ld", row->prior.claims,
			 row->prior.flagged);
		csv_cents(pa, sizeof(pa), row->prior.at_risk, r->money);
		csv_cents(pn, sizeof(pn), row->prior.net, r->money);
		csv_cents(pm, sizeof(pm), row->prior.missed, r->money);
	} else {
		snprintf(pc, sizeof(pc), ",");
	}
	fprintf(out, "%s,%s,%s,%s,%s,%s\r\n", row->from, row->to, pc, pa, pn,
		pm);
}

void
report_csv(FILE *out, const struct report *r)
{
	fputs("section,key,claims,flagged,invalid,flagged_rate_pct,findings,"
	      "open,corrected,accepted_risk,false_positive,decided,"
	      "precision_pct,revenue_at_risk,net_change_if_fixed,"
	      "revenue_missed,from,to,prior_claims,prior_flagged,"
	      "prior_revenue_at_risk,prior_net_change_if_fixed,"
	      "prior_revenue_missed\r\n",
	      out);
	csv_row(out, r, RPT_NSEC, &r->total);
	for (int s = 0; s < RPT_NSEC; s++)
		for (size_t i = 0; i < r->sec[s].n; i++)
			csv_row(out, r, (enum rpt_section)s,
				&r->sec[s].rows[i]);
	for (size_t i = 0; i < r->unmapped.n; i++) {
		fputs("unmapped_payer,", out);
		rpt_csv_field(out, r->unmapped.rows[i].key);
		fprintf(out, ",%ld,,,,,,,,,,,,,,,,,,,,\r\n",
			r->unmapped.rows[i].claims);
	}
}

/*
 * report_csv — the report for spreadsheets (RFC 4180): one header and one
 * row per total, day, rule, payer and provider (every provider), with a
 * `section` column.  Rates are percentages with one decimal, money plain
 * dollars with cents, both empty when undefined or without a fee table.
 */
#include "config.h"

#include <string.h>

#include "cli/report.h"

/* A field, quoted when it holds a comma, quote or line break; a leading
 * = + - @ is prefixed with ' so a spreadsheet never runs it as a formula. */
static void
csv_field(FILE *out, const char *s)
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

static void
csv_row(FILE *out, const struct report *r, const char *section,
	const struct rpt_row *row)
{
	char rate[16], fps[16], a[40] = "", m[40] = "";
	if (r->money) {
		rpt_cents(a, sizeof(a), row->at_risk, false);
		rpt_cents(m, sizeof(m), row->missed, false);
	}
	fprintf(out, "%s,", section);
	csv_field(out, row->key);
	fprintf(out, ",%ld,%ld,%ld,%s,%ld,%ld,%ld,%ld,%ld,%s,%s,%s\r\n",
		row->claims, row->flagged, row->invalid,
		rpt_pct(rate, sizeof(rate), rpt_flagged_rate(row)),
		row->findings, row->open, row->corrected, row->accepted,
		row->fp, rpt_pct(fps, sizeof(fps), rpt_fp_share(row)), a, m);
}

void
report_csv(FILE *out, const struct report *r)
{
	fputs("section,key,claims,flagged,invalid,flagged_rate_pct,findings,"
	      "open,corrected,accepted_risk,false_positive,"
	      "false_positive_share_pct,revenue_at_risk,revenue_missed\r\n",
	      out);
	csv_row(out, r, "total", &r->total);
	for (int s = 0; s < RPT_NSEC; s++)
		for (size_t i = 0; i < r->sec[s].n; i++)
			csv_row(out, r, rpt_section_name((enum rpt_section)s),
				&r->sec[s].rows[i]);
}

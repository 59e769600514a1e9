/*
 * report_text — the report for a terminal: a summary, then one table per
 * section (days, rules, payers, the top providers), money columns only
 * when a fee table is loaded.  Keys are claim text (payers, providers) and
 * go through termsafe: a claim cannot write to the reader's terminal.
 */
#include "config.h"

#include "cli/report.h"
#include "cli/termsafe.h"

/* "dates of service 2026-03-01 to 2026-03-31, payer medicare" */
static void
text_scope(FILE *out, const struct report *r)
{
	fprintf(out, "claimscrub report: ");
	if (r->since || r->until)
		fprintf(out, "dates of service %s to %s",
			r->since ? r->since : "(start)",
			r->until ? r->until : "(end)");
	else
		fprintf(out, "all dates of service");
	fputs(r->payer ? ", payer " : ", all payers", out);
	termsafe_put(out, r->payer ? r->payer : "");
	fputc('\n', out);
	if (!r->money)
		fprintf(out, "no fee table loaded: counts only\n");
}

static void
text_summary(FILE *out, const struct report *r)
{
	const struct rpt_row *t = &r->total;
	char pct[16], a[40], m[40];
	fprintf(out,
		"\nSummary\n"
		"  claims scrubbed  %ld   flagged %ld (%s%%)   invalid %ld\n"
		"  findings         %ld   open %ld   corrected %ld   "
		"accepted-risk %ld   false-positive %ld\n",
		t->claims, t->flagged,
		rpt_pct(pct, sizeof(pct), rpt_flagged_rate(t)), t->invalid,
		t->findings, t->open, t->corrected, t->accepted, t->fp);
	if (r->money)
		fprintf(out, "  revenue at risk  %s   revenue missed %s\n",
			rpt_cents(a, sizeof(a), t->at_risk, true),
			rpt_cents(m, sizeof(m), t->missed, true));
}

static void
text_money(FILE *out, const struct report *r, const struct rpt_row *row)
{
	char a[40], m[40];
	if (r->money)
		fprintf(out, "  %13s  %13s",
			rpt_cents(a, sizeof(a), row->at_risk, true),
			rpt_cents(m, sizeof(m), row->missed, true));
	fputc('\n', out);
}

/* A day, payer or provider table; at most limit rows (0: all). */
static void
text_claims_table(FILE *out, const struct report *r, enum rpt_section s,
		  const char *title, size_t limit)
{
	const struct rpt_table *t = &r->sec[s];
	char pct[16];
	fprintf(out, "\n%s\n  %-24s %7s %8s %7s %9s %6s", title,
		rpt_section_name(s), "claims", "flagged", "rate", "findings",
		"open");
	if (r->money)
		fprintf(out, "  %13s  %13s", "at risk", "missed");
	fputc('\n', out);
	for (size_t i = 0; i < t->n && (limit == 0 || i < limit); i++) {
		const struct rpt_row *row = &t->rows[i];
		fputs("  ", out);
		termsafe_put_cols(out, row->key, -1, 24);
		fprintf(out, " %7ld %8ld %6s%% %9ld %6ld", row->claims,
			row->flagged,
			rpt_pct(pct, sizeof(pct), rpt_flagged_rate(row)),
			row->findings, row->open);
		text_money(out, r, row);
	}
	if (t->n == 0)
		fprintf(out, "  (none)\n");
}

static void
text_rules_table(FILE *out, const struct report *r)
{
	const struct rpt_table *t = &r->sec[RPT_RULE];
	char pct[16];
	fprintf(out,
		"\nFindings by rule (fp share: false positives of the "
		"decided findings)\n  %-28s %8s %6s %9s %8s %9s %8s",
		"rule", "findings", "open", "corrected", "accepted",
		"false-pos", "fp share");
	if (r->money)
		fprintf(out, "  %13s  %13s", "at risk", "missed");
	fputc('\n', out);
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *row = &t->rows[i];
		rpt_pct(pct, sizeof(pct), rpt_fp_share(row));
		fputs("  ", out);
		termsafe_put_cols(out, row->key, -1, 28);
		fprintf(out, " %8ld %6ld %9ld %8ld %9ld %7s%s", row->findings,
			row->open, row->corrected, row->accepted, row->fp,
			*pct ? pct : "-", *pct ? "%" : " ");
		text_money(out, r, row);
	}
	if (t->n == 0)
		fprintf(out, "  (none)\n");
}

void
report_text(FILE *out, const struct report *r)
{
	text_scope(out, r);
	text_summary(out, r);
	text_claims_table(out, r, RPT_DAY, "Flagged rate per day", 0);
	text_rules_table(out, r);
	text_claims_table(out, r, RPT_PAYER, "By payer", 0);
	text_claims_table(out, r, RPT_PROVIDER,
			  "Top providers (by flagged claims)",
			  RPT_TOP_PROVIDERS);
}

/*
 * report_text — the report for a terminal: a summary, then one table per
 * section (days, ISO weeks and months with the period before, rules, the
 * top payers and providers), money columns only when a fee table is
 * loaded, and a footer that defines the figures.  Counts and money have
 * thousands separators.  Keys are claim text (payers, providers) and go
 * through termsafe: a claim cannot write to the reader's terminal.
 */
#include "config.h"

#include "report/report.h"
#include "cli/termsafe.h"

/* what a money figure means, printed under the tables (and in README) */
static const char *const definitions[] = {
	"revenue at risk (gross): each billed line with an error finding not "
	"decided false-positive,",
	"  at its fee (the claim's payer profile, its date of service) x "
	"units, counted once however",
	"  many findings hit it; by rule, the line counts for its first such "
	"finding (lowest ordinal)",
	"net change if fixed: the fees of the codes the record supports x "
	"units, less the fees of the",
	"  billed lines x units (codes without a fee count on neither side); "
	"negative when the fix",
	"  pays less; only claims whose result has expected codes (not "
	"invalid, not held back)",
	"revenue missed: services documented but not billed "
	"(additional-hour-missed, unbilled-service)",
	"precision: (decided - false-positive) / decided, n = decided "
	"(corrected + accepted-risk +",
	"  false-positive), findings of each claim's current version only (a "
	"carried decision counts once)",
	"prior: the same days one week (or month) earlier; a whole month's is "
	"the whole month before",
	NULL};

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
	if (r->provider) {
		fputs(", provider ", out);
		termsafe_put(out, r->provider);
	}
	fputc('\n', out);
	if (!r->money)
		fprintf(out, "no fee table loaded: counts only\n");
}

/* "unmapped payers: 5 claims (aetna, bcbs)" or why there is no such line */
static void
text_unmapped(FILE *out, const struct report *r)
{
	char n[32];
	if (!r->payer_map) {
		fputs("  no payer map loaded (claimscrub db fees): unmapped "
		      "payers not counted\n",
		      out);
		return;
	}
	fprintf(out, "  unmapped payers: %s claims",
		rpt_count(n, sizeof(n), r->unmapped_claims, true));
	for (size_t i = 0; i < r->unmapped.n; i++) {
		fputs(i == 0 ? " (" : ", ", out);
		if (i == 10) {
			fprintf(out, "... %zu more", r->unmapped.n - i);
			break;
		}
		termsafe_put(out, r->unmapped.rows[i].key);
	}
	fputs(r->unmapped.n ? ")\n" : "\n", out);
}

static void
text_summary(FILE *out, const struct report *r)
{
	const struct rpt_row *t = &r->total;
	char pct[16], c[6][32], a[40], m[40], net[40], prec[48];
	fprintf(out,
		"\nSummary\n"
		"  claims scrubbed  %s   flagged %s (%s%%)   invalid %s\n"
		"  findings         %s   open %s   corrected %s   "
		"accepted-risk %s   false-positive %ld\n"
		"  precision        %s\n",
		rpt_count(c[0], sizeof(c[0]), t->claims, true),
		rpt_count(c[1], sizeof(c[1]), t->flagged, true),
		rpt_pct(pct, sizeof(pct), rpt_flagged_rate(t)),
		rpt_count(c[2], sizeof(c[2]), t->invalid, true),
		rpt_count(c[3], sizeof(c[3]), t->findings, true),
		rpt_count(c[4], sizeof(c[4]), t->open, true),
		rpt_count(c[5], sizeof(c[5]), t->corrected, true),
		rpt_count(a, sizeof(a), t->accepted, true), t->fp,
		rpt_precision_text(prec, sizeof(prec), t, true));
	if (r->money)
		fprintf(out,
			"  revenue at risk (gross) %s   net change if fixed "
			"%s   revenue missed %s\n",
			rpt_cents(a, sizeof(a), t->at_risk, true),
			rpt_cents(net, sizeof(net), t->net, true),
			rpt_cents(m, sizeof(m), t->missed, true));
	text_unmapped(out, r);
}

/* the money columns of a row: at risk, net change (unless a rule's), missed
 */
static void
text_money(FILE *out, const struct report *r, const struct rpt_row *row,
	   bool net)
{
	char a[40], n[40] = "", m[40];
	if (net)
		rpt_cents(n, sizeof(n), row->net, true);
	if (r->money)
		fprintf(out, "  %13s  %13s  %13s",
			rpt_cents(a, sizeof(a), row->at_risk, true), n,
			rpt_cents(m, sizeof(m), row->missed, true));
	fputc('\n', out);
}

static void
text_money_head(FILE *out, const struct report *r)
{
	if (r->money)
		fprintf(out, "  %13s  %13s  %13s", "at risk", "net change",
			"missed");
	fputc('\n', out);
}

/* A day, payer or provider table: the rows rpt_shown() says. */
static void
text_claims_table(FILE *out, const struct report *r, enum rpt_section s,
		  const char *title)
{
	const struct rpt_table *t = &r->sec[s];
	size_t shown = rpt_shown(r, s);
	char pct[16], c[4][32];
	fprintf(out, "\n%s", title);
	if (shown < t->n)
		fprintf(out, " (top %zu of %zu)", shown, t->n);
	fprintf(out, "\n  %-24s %7s %8s %7s %9s %6s", rpt_section_name(s),
		"claims", "flagged", "rate", "findings", "open");
	text_money_head(out, r);
	for (size_t i = 0; i < shown; i++) {
		const struct rpt_row *row = &t->rows[i];
		rpt_pct(pct, sizeof(pct), rpt_flagged_rate(row));
		fputs("  ", out);
		termsafe_put_cols(out, row->key, -1, 24);
		fprintf(out, " %7s %8s %6s%s %9s %6s",
			rpt_count(c[0], sizeof(c[0]), row->claims, true),
			rpt_count(c[1], sizeof(c[1]), row->flagged, true),
			*pct ? pct : "-", *pct ? "%" : " ",
			rpt_count(c[2], sizeof(c[2]), row->findings, true),
			rpt_count(c[3], sizeof(c[3]), row->open, true));
		text_money(out, r, row, true);
	}
	if (t->n == 0)
		fprintf(out, "  (none)\n");
}

/* "now (prior)" into buf, counts or cents */
static const char *
text_pair(char *buf, size_t size, long long now, long long prior, bool money)
{
	char a[40], b[40];
	if (money)
		snprintf(buf, size, "%s (%s)",
			 rpt_cents(a, sizeof(a), now, true),
			 rpt_cents(b, sizeof(b), prior, true));
	else
		snprintf(buf, size, "%s (%s)",
			 rpt_count(a, sizeof(a), (long)now, true),
			 rpt_count(b, sizeof(b), (long)prior, true));
	return buf;
}

/* A week or month table: each figure with the prior period's beside it. */
static void
text_period_table(FILE *out, const struct report *r, enum rpt_section s,
		  const char *title)
{
	const struct rpt_table *t = &r->sec[s];
	char p[5][96];
	fprintf(out, "\n%s\n  %-8s %-23s %17s %17s", title, rpt_section_name(s),
		"days", "claims (prior)", "flagged (prior)");
	if (r->money)
		fprintf(out, "  %25s  %25s  %25s", "at risk (prior)",
			"net change (prior)", "missed (prior)");
	fputc('\n', out);
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *row = &t->rows[i];
		fprintf(out, "  %-8s %s to %s %17s %17s", row->key, row->from,
			row->to,
			text_pair(p[0], sizeof(p[0]), row->claims,
				  row->prior.claims, false),
			text_pair(p[1], sizeof(p[1]), row->flagged,
				  row->prior.flagged, false));
		if (r->money)
			fprintf(out, "  %25s  %25s  %25s",
				text_pair(p[2], sizeof(p[2]), row->at_risk,
					  row->prior.at_risk, true),
				text_pair(p[3], sizeof(p[3]), row->net,
					  row->prior.net, true),
				text_pair(p[4], sizeof(p[4]), row->missed,
					  row->prior.missed, true));
		fputc('\n', out);
	}
	if (t->n == 0)
		fprintf(out, "  (none)\n");
}

static void
text_rules_table(FILE *out, const struct report *r)
{
	const struct rpt_table *t = &r->sec[RPT_RULE];
	char prec[48], c[5][32];
	fprintf(out, "\nFindings by rule\n  %-28s %8s %6s %9s %8s %9s %16s",
		"rule", "findings", "open", "corrected", "accepted",
		"false-pos", "precision");
	if (r->money)
		fprintf(out, "  %13s  %13s", "at risk", "missed");
	fputc('\n', out);
	for (size_t i = 0; i < t->n; i++) {
		const struct rpt_row *row = &t->rows[i];
		char a[40], m[40];
		fputs("  ", out);
		termsafe_put_cols(out, row->key, -1, 28);
		fprintf(out, " %8s %6s %9s %8s %9s %16s",
			rpt_count(c[0], sizeof(c[0]), row->findings, true),
			rpt_count(c[1], sizeof(c[1]), row->open, true),
			rpt_count(c[2], sizeof(c[2]), row->corrected, true),
			rpt_count(c[3], sizeof(c[3]), row->accepted, true),
			rpt_count(c[4], sizeof(c[4]), row->fp, true),
			rpt_precision_text(prec, sizeof(prec), row, true));
		if (r->money)
			fprintf(out, "  %13s  %13s",
				rpt_cents(a, sizeof(a), row->at_risk, true),
				rpt_cents(m, sizeof(m), row->missed, true));
		fputc('\n', out);
	}
	if (t->n == 0)
		fprintf(out, "  (none)\n");
}

static void
text_definitions(FILE *out, const struct report *r)
{
	fputs("\nDefinitions\n", out);
	for (size_t i = r->money ? 0 : 7; definitions[i]; i++)
		fprintf(out, "  %s\n", definitions[i]);
}

void
report_text(FILE *out, const struct report *r)
{
	text_scope(out, r);
	text_summary(out, r);
	text_claims_table(out, r, RPT_DAY, "Per day (flagged rate)");
	text_period_table(out, r, RPT_WEEK,
			  "Per ISO week (prior: the week before)");
	text_period_table(out, r, RPT_MONTH,
			  "Per month (prior: the month before)");
	text_rules_table(out, r);
	text_claims_table(out, r, RPT_PAYER, "Payers by amount at risk");
	text_claims_table(out, r, RPT_PROVIDER, "Providers by amount at risk");
	text_definitions(out, r);
}

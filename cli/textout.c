/*
 * textout — a result for a person: header, a minute timeline of the
 * administrations, expected codes against billed lines, and each finding
 * with its evidence and fix.  Plain ASCII so it reads the same in any
 * terminal, log or e-mail.  Claim text goes through termsafe: a document
 * cannot send control sequences or bidi overrides to the reader's terminal.
 */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/termsafe.h"

#define BAR_WIDTH 40

static void
print_header(FILE *out, const struct result *r)
{
	const struct claim *c = r->claim;
	static const char *const label[] = {"CLEAN", "FLAGGED", "INVALID"};
	fputs("== ", out);
	termsafe_put(out, c->ref);
	fprintf(out, "  %s  profile %s", claim_setting_names[c->setting],
		r->profile);
	if (c->payer) {
		fputs("  payer ", out);
		termsafe_put(out, c->payer);
	}
	if (c->provider) {
		fputs("  provider ", out);
		termsafe_put(out, c->provider);
	}
	fprintf(out, "  -> %s\n", label[r->verdict]);
}

/* Earliest start and latest stop over all valid times. */
static bool
time_span(const struct claim *c, int64_t *lo, int64_t *hi)
{
	bool any = false;
	for (size_t i = 0; i < c->nadmins; i++) {
		const struct claim_time *ts[2] = {&c->admins[i].start,
						  &c->admins[i].stop};
		for (int k = 0; k < 2; k++) {
			if (ts[k]->state != TIME_OK)
				continue;
			int64_t t = ts[k]->t.wall;
			if (!any || t < *lo)
				*lo = t;
			if (!any || t > *hi)
				*hi = t;
			any = true;
		}
	}
	return any;
}

void
textout_bar(FILE *out, const struct claim_time *start,
	    const struct claim_time *stop, int64_t lo, int64_t hi)
{
	char bar[BAR_WIDTH + 1];
	memset(bar, ' ', BAR_WIDTH);
	bar[BAR_WIDTH] = '\0';
	double scale =
		(double)(BAR_WIDTH - 1) / (double)(hi > lo ? hi - lo : 1);
	if (start->state == TIME_OK) {
		int s = (int)((double)(start->t.wall - lo) * scale);
		int e = s;
		if (stop->state == TIME_OK && stop->t.wall > start->t.wall)
			e = (int)((double)(stop->t.wall - lo) * scale);
		for (int k = s; k <= e && k < BAR_WIDTH; k++)
			bar[k] = s == e ? '^'
					: (k == s ? '[' : (k == e ? ']' : '='));
	}
	fprintf(out, "|%s|", bar);
}

void
textout_time(FILE *out, const struct claim_time *t)
{
	char buf[40];
	if (t->state == TIME_OK) {
		isotime_format(&t->t, buf, sizeof(buf));
		fprintf(out, "%-16s", buf + 5); /* MM-DDTHH:MM */
	} else if (t->state == TIME_BAD) {
		fputs("(bad time)      ", out);
	} else {
		fputs("-               ", out);
	}
}

/* The width of the administrations' id column: their longest id, at least
 * 5 and at most 24 columns (a longer id is cut there), so that ids such as
 * an HL7 order's "mr-3/1" and "mr-3/2" are never cut to the same text. */
static int
id_width(const struct claim *c)
{
	size_t w = 5;
	for (size_t i = 0; i < c->nadmins; i++) {
		size_t n = strlen(c->admins[i].id);
		if (n > w)
			w = n < 24 ? n : 24;
	}
	return (int)w;
}

static void
print_timeline(FILE *out, const struct result *r)
{
	const struct claim *c = r->claim;
	int64_t lo = 0, hi = 0;
	bool span = time_span(c, &lo, &hi);
	int idw = id_width(c);
	fputs("  administrations\n", out);
	for (size_t i = 0; i < c->nadmins; i++) {
		const struct administration *a = &c->admins[i];
		const struct result_admin *ra = &r->admins[i];
		fputs("    ", out);
		termsafe_put_cols(out, a->id, idw, idw);
		fputc(' ', out);
		termsafe_put_cols(out, a->substance, 16, 16);
		fprintf(out, " %-12s ", admin_route_names[a->route]);
		textout_time(out, &a->start);
		textout_time(out, &a->stop);
		if (ra->minutes >= 0)
			fprintf(out, "%4d min ", ra->minutes);
		else
			fputs("         ", out);
		if (span)
			textout_bar(out, &a->start, &a->stop, lo, hi);
		if (ra->held)
			fputs(" no code", out);
		else if (ra->service)
			fprintf(out, " %s%s%s", ra->service,
				ra->converted ? " (short)" : "",
				ra->reportable ? "" : " (not reportable)");
		fputc('\n', out);
	}
}

/* True for the modifiers that mark a second initial at a separate site. */
static bool
distinct_site(const struct claim_line *l)
{
	static const char *const mods[] = {"59", "XE", "XP", "XS", "XU", NULL};
	for (int i = 0; mods[i]; i++)
		if (claim_line_has_modifier(l, mods[i]))
			return true;
	return false;
}

/* Units billed for an expected code (lines with a distinct-site modifier
 * count for the modified row only), and which lines: "2", "1,2" (cut with
 * "..." when they do not fit in size). */
static int
billed_units(const struct claim *c, const struct result_code *rc, char *lines,
	     size_t size)
{
	int units = 0;
	size_t at = 0;
	bool cut = false;
	lines[0] = '\0';
	for (size_t i = 0; i < c->nlines; i++) {
		const struct claim_line *l = &c->lines[i];
		if (strcmp(l->code, rc->code) != 0 ||
		    (rc->initial && distinct_site(l) != (rc->modifier != NULL)))
			continue;
		units += l->units;
		if (cut)
			continue;
		int n = snprintf(lines + at, size - at, "%s%zu", at ? "," : "",
				 i + 1);
		/* each number leaves room for a "..." after it */
		if (n < 0 || at + (size_t)n + 4 > size) {
			snprintf(lines + at, size - at, "...");
			cut = true;
		} else {
			at += (size_t)n;
		}
	}
	return units;
}

static bool
is_unchecked(const struct result *r, int line)
{
	for (int i = 0; i < r->nunchecked; i++)
		if (r->unchecked[i] == line)
			return true;
	return false;
}

static const char *
line_note(const struct result *r, int line)
{
	if (is_unchecked(r, line))
		return "  (not checked)";
	for (int i = 0; i < r->nfindings; i++)
		if (r->findings[i].line == line &&
		    r->findings[i].severity != SEV_INFO)
			return "  <- see findings";
	return "";
}

/* Whether line i bills a code of the expected list. */
static bool
line_expected(const struct result *r, size_t i)
{
	for (int k = 0; k < r->ncodes; k++)
		if (strcmp(r->codes[k].code, r->claim->lines[i].code) == 0)
			return true;
	return false;
}

/* The billed lines whose code is not among the expected ones, under a
 * heading of their own: the drug, the E/M and any administration code the
 * record does not support.  They have no expected figure: an "x0" there
 * read as "the record supports none of this drug", and the derivation
 * never judges drug units at all. */
static void
print_other_lines(FILE *out, const struct result *r, int idw)
{
	const struct claim *c = r->claim;
	bool headed = false;
	for (size_t i = 0; i < c->nlines; i++) {
		if (line_expected(r, i))
			continue;
		if (!headed)
			fputs("  other billed lines\n", out);
		headed = true;
		fprintf(out, "    %-9s      %*s  x%-3d line %zu%s\n",
			c->lines[i].code, 3 * (idw + 1), "", c->lines[i].units,
			i + 1, line_note(r, (int)i + 1));
	}
}

/* Expected codes beside what was billed for them, then the other lines. */
static void
print_codes(FILE *out, const struct result *r)
{
	const struct claim *c = r->claim;
	int idw = id_width(c);
	fputs("  expected", out);
	fprintf(out, "%*s", 3 * (idw + 1) + 2, "");
	fputs("billed\n", out);
	if (r->ncodes == 0)
		fputs("    none\n", out);
	for (int i = 0; i < r->ncodes; i++) {
		const struct result_code *rc = &r->codes[i];
		char lines[48];
		int units = billed_units(c, rc, lines, sizeof(lines));
		char code[16];
		snprintf(code, sizeof(code), "%s%s%s", rc->code,
			 rc->modifier ? "-" : "",
			 rc->modifier ? rc->modifier : "");
		fprintf(out, "    %-9s x%-3d ", code, rc->units);
		for (int k = 0; k < rc->nadmins && k < 3; k++) {
			termsafe_put_cols(out, c->admins[rc->admins[k]].id, idw,
					  idw);
			fputc(' ', out);
		}
		for (int k = rc->nadmins; k < 3; k++)
			fprintf(out, "%*s", idw + 1, "");
		if (units)
			fprintf(out, "  x%-3d line%s %s%s\n", units,
				strchr(lines, ',') ? "s" : "", lines,
				units == rc->units ? "" : "  <- differs");
		else
			fputs("  not billed\n", out);
	}
	print_other_lines(out, r, idw);
}

static void
print_evidence(FILE *out, const struct result_finding *f)
{
	if (!f->nevidence)
		return;
	fputs("        evidence:", out);
	for (int i = 0; i < f->nevidence; i++) {
		fprintf(out, " %s=", f->evidence[i].key);
		if (f->evidence[i].str)
			termsafe_put_cols(out, f->evidence[i].str, 64, 0);
		else
			fprintf(out, "%ld", f->evidence[i].ival);
	}
	fputc('\n', out);
}

static void
print_code(FILE *out, const struct suggest *s)
{
	fprintf(out, "%s x%d", s->code, s->units);
	for (int i = 0; i < s->nmodifiers; i++)
		fprintf(out, "-%s", s->modifiers[i]);
}

/* The units billed on finding f's line; 0 when it names none. */
static int
line_units(const struct result *r, const struct result_finding *f)
{
	return f->line > 0 && (size_t)f->line <= r->claim->nlines
		       ? r->claim->lines[f->line - 1].units
		       : 0;
}

/* The suggestion as the exact edit `claimscrub fix` makes. */
static void
print_fix(FILE *out, const struct result *r, const struct result_finding *f)
{
	const struct suggest *s = &f->suggest;
	if (s->action != SUGGEST_NONE)
		fputs("        fix: ", out);
	switch (s->action) {
	case SUGGEST_NONE:
		return;
	case SUGGEST_REPLACE:
		fputs("bill ", out);
		print_code(out, s);
		fprintf(out, " in place of %d unit(s) of line %d\n", s->take,
			f->line);
		return;
	case SUGGEST_SET_UNITS:
		fprintf(out, "bill %s x%d on line %d\n", s->code, s->units,
			f->line);
		return;
	case SUGGEST_ADD:
		fputs("add ", out);
		print_code(out, s);
		fputc('\n', out);
		return;
	case SUGGEST_REMOVE:
		if (s->take >= line_units(r, f))
			fprintf(out, "remove line %d\n", f->line);
		else
			fprintf(out, "take %d unit(s) off line %d\n", s->take,
				f->line);
		return;
	case SUGGEST_ADD_MODIFIER:
		fprintf(out, "add modifier %s to line %d\n", s->modifier,
			f->line);
		return;
	case SUGGEST_REMOVE_MODIFIER:
		fprintf(out, "remove modifier %s from line %d\n", s->modifier,
			f->line);
		return;
	case SUGGEST_DOCUMENT: /* the record is missing, or part of it */
		fputs(f->id == F_MAR_MISSING ? "send the encounter's MAR "
					       "records; the claim is "
					       "re-scrubbed when they arrive\n"
					     : "complete the documented times, "
					       "then re-scrub\n",
		      out);
		return;
	case SUGGEST_REVIEW:
		fputs("needs a coder's review\n", out);
		return;
	}
}

static void
print_findings(FILE *out, const struct result *r)
{
	if (!r->nfindings) {
		fputs("  no findings\n", out);
		return;
	}
	fputs("  findings\n", out);
	for (int i = 0; i < r->nfindings; i++) {
		const struct result_finding *f = &r->findings[i];
		fprintf(out, "    %-7s %s", severity_names[f->severity],
			finding_names[f->id]);
		if (f->line)
			fprintf(out, " (line %d)", f->line);
		fputs(": ", out);
		termsafe_put(out, f->message);
		fputc('\n', out);
		print_evidence(out, f);
		print_fix(out, r, f);
	}
}

void
textout_result(FILE *out, const struct result *r, const struct ruleset *rs)
{
	(void)rs;
	print_header(out, r);
	if (r->claim->nadmins)
		print_timeline(out, r);
	print_codes(out, r);
	if (r->nunchecked)
		fprintf(out, "  %d line(s) not checked by any rule\n",
			r->nunchecked);
	print_findings(out, r);
	fputc('\n', out);
}

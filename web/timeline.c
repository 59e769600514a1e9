/*
 * timeline — see timeline.h.
 *
 * Geometry is integer arithmetic in tenths of a viewBox unit, printed with
 * %.1f, so one input gives the same bytes everywhere.  All working state is
 * fixed arrays of TL_MAX_ADMINS (at most two boundaries per lane): nothing
 * is allocated and every loop is bounded by the lanes or by MAX_TICKS.
 * One element per line, so the output diffs and greps well.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "report/html.h"
#include "web/timeline.h"

#define W 760	       /* viewBox width */
#define PX0 236	       /* the plot's left edge: labels to its left */
#define PX1 740	       /* its right edge: room for a point's marker */
#define TOP 8	       /* above the first lane */
#define LANE 46	       /* a lane: three lines of label */
#define BAR 16	       /* a bar's height, centred in its lane */
#define AXIS 24	       /* tick marks and labels under the lanes */
#define LEG_ROW 20     /* a legend row */
#define LEG_COLS 3     /* sites per legend row */
#define LEG_COLW 248   /* a legend column */
#define MIN_SPAN 10    /* minutes: a lone push still gets an axis */
#define MAX_TICKS 12   /* tick labels are ~40 units wide */
#define CLIP_ID 10     /* characters of an id in a label */
#define CLIP_NAME 26   /* of a substance, so most fit on one line */
#define CLIP_MAX 40    /* the most text_clipped() keeps */
#define MIN_WIDTH 10   /* tenths: the thinnest bar still seen */
#define GREY "#bbbbbb" /* the fill of bars with no site */

struct ival {
	long a, b; /* minutes [a, b) */
};

struct lane {
	long s, e;    /* s < 0: no start; e < 0: a point (no valid stop) */
	bool hyd;     /* kind hydration */
	bool drug;    /* an interval that hydration's minutes are taken from */
	int site;     /* index into tl.site; -1: none documented */
	long counted; /* hydration: its minutes less those under a drug */
};

struct tl {
	FILE *out;
	const struct tl_admin *a;
	size_t n;
	struct lane ln[TL_MAX_ADMINS];
	const char *site[TL_MAX_ADMINS]; /* distinct sites, first spelling */
	size_t nsites;
	bool nosite;	   /* some timed lane has no site */
	long t0, t1, step; /* the drawn span and the tick step, minutes */
	int h;		   /* viewBox height */
};

/* Colour-blind-safe fills (Okabe & Ito) and the ink of their texture. */
static const struct {
	const char *fill, *ink;
} palette[] = {
	{"#0072B2", "#ffffff"}, {"#E69F00", "#000000"}, {"#009E73", "#ffffff"},
	{"#CC79A7", "#000000"}, {"#56B4E9", "#000000"}, {"#D55E00", "#ffffff"},
	{"#F0E442", "#000000"}, {"#000000", "#ffffff"},
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* ---- small helpers ------------------------------------------------- */

static double
fx(long long tenths)
{
	return (double)tenths / 10.0;
}

/* s equals w, ASCII case ignored ("Hydration" is hydration). */
static bool
word_eq(const char *s, const char *w)
{
	if (!s)
		return false;
	size_t i = 0;
	for (; s[i] && w[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != w[i])
			return false;
	}
	return s[i] == w[i];
}

/* The next byte of a site name that counts, in lower case; 0 at the end.
 * Case, spaces, '-' and '_' do not count (infusion-rules.md, ruling 1). */
static unsigned char
site_next(const char **p)
{
	while (**p) {
		unsigned char c = (unsigned char)*(*p)++;
		if (c == ' ' || c == '\t' || c == '-' || c == '_')
			continue;
		return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a')
					    : c;
	}
	return 0;
}

static bool
site_eq(const char *x, const char *y)
{
	unsigned char c, d;
	do {
		c = site_next(&x);
		d = site_next(&y);
	} while (c && c == d);
	return c == d;
}

/* Writes s as element content cut to max characters (whole UTF-8
 * sequences) with "..." when cut, so a long name stays in its column. */
static void
text_clipped(FILE *out, const char *s, size_t max)
{
	char buf[4 * CLIP_MAX + 8];
	size_t i = 0, chars = 0;
	if (!s)
		return;
	max = max < CLIP_MAX ? max : CLIP_MAX;
	while (s[i] && i < sizeof(buf) - 4) {
		bool lead = ((unsigned char)s[i] & 0xC0) != 0x80;
		if (lead && chars == max)
			break;
		chars += lead;
		i++;
	}
	memcpy(buf, s, i);
	memcpy(buf + i, s[i] ? "..." : "", s[i] ? 4 : 1);
	html_text(out, buf);
}

/* y-m-d of a day since 1970-01-01 (H. Hinnant's civil_from_days): no
 * time_t, no locale, no time zone. */
static void
civil(long long z, long long *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void
put_date(FILE *out, long t)
{
	long long y;
	int m, d;
	civil(t / 1440, &y, &m, &d);
	fprintf(out, "%04lld-%02d-%02d", y, m, d);
}

static void
put_hhmm(FILE *out, long t)
{
	fprintf(out, "%02ld:%02ld", t % 1440 / 60, t % 60);
}

/* "10:30 to 11:00 (30 min)" */
static void
put_range(FILE *out, long a, long b)
{
	put_hhmm(out, a);
	fputs(" to ", out);
	put_hhmm(out, b);
	fprintf(out, " (%ld min)", b - a);
}

/* ---- intervals ----------------------------------------------------- */

/* Sorts v by start and merges what overlaps or touches; returns the count
 * left, so summing them never counts a minute twice. */
static size_t
ival_union(struct ival *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && v[j - 1].a > v[j].a; j--) {
			struct ival tmp = v[j];
			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && v[i].a <= v[m - 1].b) {
			if (v[i].b > v[m - 1].b)
				v[m - 1].b = v[i].b;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

/* The parts of hydration lane h under a drug administration, merged: the
 * minutes that are not counted (infusion-rules.md, Time). */
static size_t
hyd_pieces(const struct tl *t, size_t h, struct ival *v)
{
	const struct lane *l = &t->ln[h];
	size_t k = 0;
	for (size_t j = 0; j < t->n; j++) {
		const struct lane *d = &t->ln[j];
		if (!d->drug)
			continue;
		long a = d->s > l->s ? d->s : l->s;
		long b = d->e < l->e ? d->e : l->e;
		if (a < b)
			v[k++] = (struct ival){a, b};
	}
	return ival_union(v, k);
}

/* The lanes with a bar running through all of [a, b), one bit each. */
static uint64_t
active(const struct tl *t, long a, long b)
{
	uint64_t m = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct lane *l = &t->ln[i];
		if (l->e >= 0 && l->s <= a && l->e >= b)
			m |= (uint64_t)1 << i;
	}
	return m;
}

/* The smallest of 5/10/15/30/60... minutes that keeps ticks to MAX_TICKS;
 * past a day, whole days. */
static long
tick_step(long span)
{
	static const long steps[] = {5, 10, 15, 30, 60, 120, 180, 360, 720};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (span <= (MAX_TICKS - 1) * steps[i])
			return steps[i];
	}
	long day = (MAX_TICKS - 1) * 1440L;
	return (span + day - 1) / day * 1440;
}

/* ---- preparing ----------------------------------------------------- */

/* The index of site s in t->site, added if new; -1 for none. */
static int
site_index(struct tl *t, const char *s)
{
	const char *p = s;
	if (!s || !site_next(&p)) {
		t->nosite = true;
		return -1;
	}
	for (size_t k = 0; k < t->nsites; k++) {
		if (site_eq(t->site[k], s))
			return (int)k;
	}
	t->site[t->nsites] = s;
	return (int)t->nsites++;
}

static void
lane_init(struct tl *t, size_t i)
{
	const struct tl_admin *a = &t->a[i];
	struct lane *l = &t->ln[i];
	l->s = a->start < 0 ? -1 : a->start;
	l->e = l->s >= 0 && a->stop > a->start ? a->stop : -1;
	l->hyd = word_eq(a->kind, "hydration");
	/* subcutaneous: an access of its own, never hydration's (ruling 1) */
	l->drug = !l->hyd && l->e >= 0 && !word_eq(a->route, "subcutaneous");
	l->site = -1;
	if (l->s < 0)
		return;
	l->site = site_index(t, a->site);
	long end = l->e >= 0 ? l->e : l->s;
	if (t->t0 < 0 || l->s < t->t0)
		t->t0 = l->s;
	if (end > t->t1)
		t->t1 = end;
}

/* Fills t; -1 on bad input. */
static int
prepare(struct tl *t, FILE *out, const struct tl_admin *a, size_t n)
{
	if (!out || n > TL_MAX_ADMINS || (!a && n > 0))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (a[i].start > TL_MAX_MINUTE || a[i].stop > TL_MAX_MINUTE)
			return -1;
	}
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->a = a;
	t->n = n;
	t->t0 = -1;
	for (size_t i = 0; i < n; i++)
		lane_init(t, i);
	if (t->t0 < 0)
		return 0;
	if (t->t1 - t->t0 < MIN_SPAN)
		t->t1 = t->t0 + MIN_SPAN;
	t->step = tick_step(t->t1 - t->t0);
	for (size_t i = 0; i < n; i++) {
		struct lane *l = &t->ln[i];
		struct ival v[TL_MAX_ADMINS];
		if (!l->hyd || l->e < 0)
			continue;
		l->counted = l->e - l->s;
		size_t k = hyd_pieces(t, i, v);
		for (size_t j = 0; j < k; j++)
			l->counted -= v[j].b - v[j].a;
	}
	size_t entries = t->nsites + t->nosite;
	size_t rows = (entries + LEG_COLS - 1) / LEG_COLS + 1;
	t->h = TOP + (int)n * LANE + AXIS + (int)rows * LEG_ROW + 2;
	return 0;
}

/* ---- geometry ------------------------------------------------------ */

/* The x of minute m (within the span), in tenths, rounded. */
static long long
xt(const struct tl *t, long m)
{
	long long span = t->t1 - t->t0;
	return PX0 * 10LL +
	       ((long long)(m - t->t0) * (PX1 - PX0) * 10 + span / 2) / span;
}

static long long
lane_top(size_t i)
{
	return (TOP + (long long)i * LANE) * 10;
}

static long long
bar_top(size_t i)
{
	return lane_top(i) + (LANE - BAR) * 5;
}

static void
put_fill(FILE *out, int site)
{
	if (site < 0)
		fputs(" fill=\"url(#tl-site-none)\"", out);
	else
		fprintf(out, " fill=\"url(#tl-site-%d)\"", site);
}

/* ---- drawing ------------------------------------------------------- */

static void
put_name(const struct tl *t)
{
	FILE *out = t->out;
	fprintf(out, "Administration timeline: %zu administration%s, ", t->n,
		t->n == 1 ? "" : "s");
	put_date(out, t->t0);
	fputc(' ', out);
	put_hhmm(out, t->t0);
	fputs(" to ", out);
	if (t->t1 / 1440 != t->t0 / 1440) {
		put_date(out, t->t1);
		fputc(' ', out);
	}
	put_hhmm(out, t->t1);
	fputs(" UTC", out);
}

static void
head(const struct tl *t)
{
	fprintf(t->out,
		"<svg id=\"timeline\" class=\"tl\" "
		"xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		"width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
		"role=\"img\" aria-label=\"",
		W, t->h, W, t->h);
	put_name(t);
	fputs("\">\n<title>", t->out);
	put_name(t);
	fputs("</title>\n", t->out);
}

/* Site k's fill: a colour and, so print and colour-blind readers can
 * still tell sites apart, a texture; the pairs repeat after 32 sites. */
static void
site_pattern(FILE *out, size_t k)
{
	const char *fill = palette[k % NPALETTE].fill;
	const char *ink = palette[k % NPALETTE].ink;
	fprintf(out,
		"<pattern id=\"tl-site-%zu\" patternUnits=\"userSpaceOnUse\" "
		"width=\"6\" height=\"6\"><rect width=\"6\" height=\"6\" "
		"fill=\"%s\"/>",
		k, fill);
	switch ((k + k / NPALETTE) % 4) {
	case 1:
		fprintf(out,
			"<path d=\"M-1 1L1 -1M0 6L6 0M5 7L7 5\" stroke=\"%s\" "
			"stroke-width=\"1.2\"/>",
			ink);
		break;
	case 2:
		fprintf(out,
			"<circle cx=\"3\" cy=\"3\" r=\"1.2\" fill=\"%s\"/>",
			ink);
		break;
	case 3:
		fprintf(out,
			"<path d=\"M0 3H6\" stroke=\"%s\" "
			"stroke-width=\"1.2\"/>",
			ink);
		break;
	default:
		break;
	}
	fputs("</pattern>\n", out);
}

static void
defs(const struct tl *t)
{
	FILE *out = t->out;
	fputs("<defs>\n", out);
	for (size_t k = 0; k < t->nsites; k++)
		site_pattern(out, k);
	fputs("<pattern id=\"tl-site-none\" patternUnits=\"userSpaceOnUse\" "
	      "width=\"6\" height=\"6\"><rect width=\"6\" height=\"6\" "
	      "fill=\"" GREY "\"/></pattern>\n",
	      out);
	/* hydration minutes not counted: a cross-hatch over the bar */
	fputs("<pattern id=\"tl-sub\" patternUnits=\"userSpaceOnUse\" "
	      "width=\"6\" height=\"6\"><rect width=\"6\" height=\"6\" "
	      "fill=\"#ffffff\" fill-opacity=\"0.7\"/><path d=\"M0 0L6 6M6 "
	      "0L0 6\" stroke=\"#000000\" stroke-width=\"0.8\"/></pattern>\n",
	      out);
	/* a label wider than its column is cut, not drawn over the bars */
	fprintf(out,
		"<clipPath id=\"tl-clip\"><rect width=\"%d\" "
		"height=\"%d\"/></clipPath>\n</defs>\n",
		PX0 - 4, t->h);
}

/* "10:00 to 11:30 (90 min)", or why there is no bar. */
static void
put_when(const struct tl *t, size_t i)
{
	const struct lane *l = &t->ln[i];
	FILE *out = t->out;
	if (l->s < 0) {
		fputs("no start documented", out);
	} else if (l->e < 0) {
		put_hhmm(out, l->s);
		fputs(t->a[i].stop < 0 ? ", no stop documented"
				       : ", stop not after start",
		      out);
	} else {
		put_range(out, l->s, l->e);
		if (l->hyd)
			fprintf(out, ", counted %ld min", l->counted);
	}
}

/* The whole description, unclipped: a lane's and a bar's tooltip. */
static void
put_about(const struct tl *t, size_t i)
{
	const struct tl_admin *a = &t->a[i];
	const char *parts[] = {a->substance, a->route, a->kind, a->site};
	FILE *out = t->out;
	html_text(out, a->id);
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
		if (!parts[k] || !*parts[k])
			continue;
		fputs(k ? ", " : " ", out);
		html_text(out, parts[k]);
	}
	fputs(": ", out);
	put_when(t, i);
}

/* The lane's label, three lines: id and substance; route and kind; its
 * minutes, for hydration "(counted N min)". */
static void
lane_label(const struct tl *t, size_t i)
{
	const struct tl_admin *a = &t->a[i];
	const struct lane *l = &t->ln[i];
	FILE *out = t->out;
	long long y = lane_top(i);
	fprintf(out, "<text x=\"8\" y=\"%.1f\" font-size=\"12\">", fx(y + 150));
	fputs("<tspan font-weight=\"bold\">", out);
	text_clipped(out, a->id, CLIP_ID);
	fputs("</tspan> ", out);
	text_clipped(out, a->substance, CLIP_NAME);
	fprintf(out, "</text>\n<text x=\"8\" y=\"%.1f\" font-size=\"11\">",
		fx(y + 280));
	text_clipped(out, a->route ? a->route : "route not documented", 16);
	if (a->kind && *a->kind)
		fputs(", ", out);
	text_clipped(out, a->kind, 16);
	fprintf(out, "</text>\n<text x=\"8\" y=\"%.1f\" font-size=\"11\">",
		fx(y + 410));
	if (l->s >= 0 && l->e >= 0 && l->hyd)
		fprintf(out, "%ld min (counted %ld min)", l->e - l->s,
			l->counted);
	else if (l->s >= 0 && l->e >= 0)
		fprintf(out, "%ld min", l->e - l->s);
	else
		put_when(t, i);
	fputs("</text>\n", out);
}

static void
lane(const struct tl *t, size_t i)
{
	const struct lane *l = &t->ln[i];
	FILE *out = t->out;
	fputs("<g class=\"tl-lane\" data-admin=\"", out);
	html_attr(out, t->a[i].id);
	fputs("\" data-kind=\"", out);
	html_attr(out, t->a[i].kind);
	if (l->hyd && l->e >= 0)
		fprintf(out, "\" data-counted=\"%ld", l->counted);
	fputs("\">\n<title>", out);
	put_about(t, i);
	fprintf(out,
		"</title>\n<rect x=\"0\" y=\"%.1f\" width=\"%d\" "
		"height=\"%d\" fill=\"%s\"/>\n",
		fx(lane_top(i)), W, LANE, i % 2 ? "#f4f4f4" : "#ffffff");
	fputs("<g clip-path=\"url(#tl-clip)\">\n", out);
	lane_label(t, i);
	fputs("</g>\n</g>\n", out);
}

/* Grid lines behind the lanes' bars, ticks and HH:MM under them, and the
 * date(s) of the span on the left. */
static void
axis(const struct tl *t)
{
	FILE *out = t->out;
	long long y = lane_top(t->n), top = lane_top(0);
	fprintf(out,
		"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"#000000\"/>\n",
		PX0, fx(y), PX1, fx(y));
	long m = (t->t0 + t->step - 1) / t->step * t->step;
	for (int k = 0; k < MAX_TICKS && m <= t->t1; k++, m += t->step) {
		double x = fx(xt(t, m));
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"#cccccc\"/>\n"
			"<text class=\"tl-tick\" data-at=\"%ld\" x=\"%.1f\" "
			"y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">",
			x, fx(top), x, fx(y + 50), m, x, fx(y + 170));
		if (t->step >= 1440)
			put_date(out, m);
		else
			put_hhmm(out, m);
		fputs("</text>\n", out);
	}
	fprintf(out,
		"<text class=\"tl-date\" x=\"8\" y=\"%.1f\" "
		"font-size=\"11\">",
		fx(y + 170));
	put_date(out, t->t0);
	if (t->t1 / 1440 != t->t0 / 1440) {
		fputs(" to ", out);
		put_date(out, t->t1);
	}
	fputs(" UTC</text>\n", out);
}

/* One stretch when the lanes in mask run at once, shaded on each. */
static void
overlap(const struct tl *t, uint64_t mask, long from, long to)
{
	FILE *out = t->out;
	fprintf(out,
		"<g class=\"tl-overlap\" data-from=\"%ld\" data-to=\"%ld\" "
		"data-minutes=\"%ld\" data-admins=\"",
		from, to, to - from);
	const char *sep = "";
	for (size_t i = 0; i < t->n; i++) {
		if (!(mask >> i & 1))
			continue;
		fputs(sep, out);
		html_attr(out, t->a[i].id);
		sep = " ";
	}
	fputs("\">\n<title>Overlap ", out);
	put_range(out, from, to);
	fputs("</title>\n", out);
	for (size_t i = 0; i < t->n; i++) {
		if (!(mask >> i & 1))
			continue;
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%d\" fill=\"#000000\" "
			"fill-opacity=\"0.15\"/>\n",
			fx(xt(t, from)), fx(lane_top(i) + 30),
			fx(xt(t, to) - xt(t, from)), LANE - 6);
	}
	fputs("</g>\n", out);
}

/* Sorts the bars' starts and stops and drops repeats, into b. */
static size_t
boundaries(const struct tl *t, long *b)
{
	size_t nb = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (t->ln[i].e < 0)
			continue;
		b[nb++] = t->ln[i].s;
		b[nb++] = t->ln[i].e;
	}
	for (size_t i = 1; i < nb; i++) {
		for (size_t j = i; j > 0 && b[j - 1] > b[j]; j--) {
			long tmp = b[j];
			b[j] = b[j - 1];
			b[j - 1] = tmp;
		}
	}
	size_t m = 0;
	for (size_t i = 0; i < nb; i++) {
		if (m == 0 || b[i] != b[m - 1])
			b[m++] = b[i];
	}
	return m;
}

/* Between consecutive boundaries the set of running lanes is fixed; a
 * stretch ends where the set changes, so three bags overlapping in steps
 * give one stretch per set. */
static void
overlaps(const struct tl *t)
{
	long b[2 * TL_MAX_ADMINS];
	size_t nb = boundaries(t, b);
	uint64_t prev = 0;
	long from = 0;
	for (size_t k = 0; k + 1 < nb; k++) {
		uint64_t m = active(t, b[k], b[k + 1]);
		if (m == prev)
			continue;
		if (prev & (prev - 1)) /* two or more */
			overlap(t, prev, from, b[k]);
		prev = m;
		from = b[k];
	}
	if (prev & (prev - 1))
		overlap(t, prev, from, b[nb - 1]);
}

static void
put_ids(const struct tl *t, size_t i)
{
	fputs(" data-admin=\"", t->out);
	html_attr(t->out, t->a[i].id);
	fputs("\" data-site=\"", t->out);
	html_attr(t->out, t->a[i].site);
	fputc('"', t->out);
}

static void
bar(const struct tl *t, size_t i)
{
	const struct lane *l = &t->ln[i];
	FILE *out = t->out;
	long long x0 = xt(t, l->s), x1 = xt(t, l->e);
	if (x1 - x0 < MIN_WIDTH)
		x1 = x0 + MIN_WIDTH;
	fputs("<rect class=\"tl-bar\"", out);
	put_ids(t, i);
	fprintf(out,
		" data-start=\"%ld\" data-stop=\"%ld\" data-minutes=\"%ld\" "
		"x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\"",
		l->s, l->e, l->e - l->s, fx(x0), fx(bar_top(i)), fx(x1 - x0),
		BAR);
	put_fill(out, l->site);
	fputs(" stroke=\"#333333\" stroke-width=\"0.5\"><title>", out);
	put_about(t, i);
	fputs("</title></rect>\n", out);
}

/* No stop: a diamond at the start, so it is not read as a short bar. */
static void
point(const struct tl *t, size_t i)
{
	const struct lane *l = &t->ln[i];
	FILE *out = t->out;
	long long x = xt(t, l->s), y = bar_top(i) + BAR * 5;
	fputs("<path class=\"tl-point\"", out);
	put_ids(t, i);
	fprintf(out,
		" data-start=\"%ld\" d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f "
		"%.1fZ\"",
		l->s, fx(x), fx(y - 70), fx(x + 70), fx(y), fx(x), fx(y + 70),
		fx(x - 70), fx(y));
	put_fill(out, l->site);
	fputs(" stroke=\"#000000\"><title>", out);
	put_about(t, i);
	fputs("</title></path>\n", out);
}

/* Hydration lane i's minutes under a drug, cross-hatched. */
static void
subtracted(const struct tl *t, size_t i)
{
	struct ival v[TL_MAX_ADMINS];
	size_t k = hyd_pieces(t, i, v);
	FILE *out = t->out;
	for (size_t j = 0; j < k; j++) {
		long long x0 = xt(t, v[j].a), x1 = xt(t, v[j].b);
		fputs("<rect class=\"tl-subtracted\" data-admin=\"", out);
		html_attr(out, t->a[i].id);
		fprintf(out,
			"\" data-from=\"%ld\" data-to=\"%ld\" "
			"data-minutes=\"%ld\" x=\"%.1f\" y=\"%.1f\" "
			"width=\"%.1f\" height=\"%d\" fill=\"url(#tl-sub)\" "
			"stroke=\"#000000\" stroke-width=\"0.5\"><title>Not "
			"counted, under a drug: ",
			v[j].a, v[j].b, v[j].b - v[j].a, fx(x0), fx(bar_top(i)),
			fx(x1 - x0), BAR);
		put_range(out, v[j].a, v[j].b);
		fputs("</title></rect>\n", out);
	}
}

/* The threshold that decides the lane's code, if it is in the drawing:
 * 15 minutes (an infusion up to it is a push) or, for hydration, 31
 * (less is not reportable) — infusion-rules.md, Time. */
static void
mark(const struct tl *t, size_t i)
{
	const struct lane *l = &t->ln[i];
	int after = l->hyd ? TL_HYDRATION_MIN_MINUTES : TL_PUSH_MAX_MINUTES;
	long m = l->s + after;
	if (m > t->t1)
		return;
	double x = fx(xt(t, m));
	fprintf(t->out, "<line class=\"tl-mark-%d\"", after);
	put_ids(t, i);
	fprintf(t->out,
		" data-at=\"%ld\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		"y2=\"%.1f\" stroke=\"#000000\" stroke-width=\"1.5\" "
		"stroke-dasharray=\"3 2\"><title>%d min after the start: %s"
		"</title></line>\n",
		m, x, fx(bar_top(i) - 40), x, fx(bar_top(i) + BAR * 10 + 40),
		after,
		l->hyd ? "hydration this long is reportable"
		       : "an infusion longer than this is not a push");
}

/* A legend entry: where, which swatch, what it says. */
static void
legend_site(const struct tl *t, size_t slot, int site, long long y0)
{
	FILE *out = t->out;
	long long x = 80 + (long long)(slot % LEG_COLS) * LEG_COLW * 10;
	long long y = y0 + (long long)(slot / LEG_COLS) * LEG_ROW * 10;
	const char *name = site >= 0 ? t->site[site] : NULL;
	fputs("<g class=\"tl-legend-site\" data-site=\"", out);
	html_attr(out, name);
	fprintf(out,
		"\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\"",
		fx(x), fx(y));
	put_fill(out, site);
	fprintf(out,
		" stroke=\"#333333\" stroke-width=\"0.5\"/>\n<text "
		"x=\"%.1f\" y=\"%.1f\" font-size=\"11\">",
		fx(x + 200), fx(y + 115));
	text_clipped(out, name ? name : "no site documented", 34);
	fputs("</text>\n</g>\n", out);
}

/* The key to the shading and marks, one row under the sites. */
static void
legend_key(const struct tl *t, long long y)
{
	fprintf(t->out,
		"<g class=\"tl-legend-key\" font-size=\"11\">\n"
		"<rect x=\"8\" y=\"%.1f\" width=\"14\" height=\"14\" "
		"fill=\"#000000\" fill-opacity=\"0.15\"/>\n"
		"<text x=\"28\" y=\"%.1f\">running at once</text>\n"
		"<rect x=\"196\" y=\"%.1f\" width=\"14\" height=\"14\" "
		"fill=\"url(#tl-sub)\" stroke=\"#000000\" "
		"stroke-width=\"0.5\"/>\n"
		"<text x=\"216\" y=\"%.1f\">hydration not counted</text>\n"
		"<line x1=\"391\" y1=\"%.1f\" x2=\"391\" y2=\"%.1f\" "
		"stroke=\"#000000\" stroke-width=\"1.5\" "
		"stroke-dasharray=\"3 2\"/>\n"
		"<text x=\"402\" y=\"%.1f\">15 min (push), 31 min "
		"(hydration)</text>\n"
		"<path d=\"M620 %.1fL627 %.1fL620 %.1fL613 %.1fZ\" "
		"fill=\"" GREY "\" stroke=\"#000000\"/>\n"
		"<text x=\"634\" y=\"%.1f\">no stop</text>\n</g>\n",
		fx(y), fx(y + 115), fx(y), fx(y + 115), fx(y - 20), fx(y + 160),
		fx(y + 115), fx(y), fx(y + 70), fx(y + 140), fx(y + 70),
		fx(y + 115));
}

static void
legend(const struct tl *t)
{
	long long y = lane_top(t->n) + AXIS * 10;
	size_t slot = 0;
	for (size_t k = 0; k < t->nsites; k++)
		legend_site(t, slot++, (int)k, y);
	if (t->nosite)
		legend_site(t, slot++, -1, y);
	y += (long long)((slot + LEG_COLS - 1) / LEG_COLS) * LEG_ROW * 10;
	legend_key(t, y);
}

int
tl_write(FILE *out, const struct tl_admin *a, size_t n)
{
	struct tl t;
	if (prepare(&t, out, a, n) < 0)
		return -1;
	if (t.t0 < 0) {
		fputs("<p id=\"timeline\" class=\"tl-empty\">No timed "
		      "administration to show.</p>\n",
		      out);
		return 0;
	}
	head(&t);
	defs(&t);
	for (size_t i = 0; i < n; i++)
		lane(&t, i);
	axis(&t);
	overlaps(&t);
	for (size_t i = 0; i < n; i++) {
		if (t.ln[i].s >= 0 && t.ln[i].e >= 0)
			bar(&t, i);
		else if (t.ln[i].s >= 0)
			point(&t, i);
	}
	for (size_t i = 0; i < n; i++) {
		if (t.ln[i].hyd && t.ln[i].e >= 0)
			subtracted(&t, i);
	}
	for (size_t i = 0; i < n; i++) {
		if (t.ln[i].s >= 0)
			mark(&t, i);
	}
	legend(&t);
	fputs("</svg>\n", out);
	return 0;
}

/*
 * svg — the report's bar charts as inline SVG (see svg.h).  Fixed viewBox
 * sizes scaled by CSS (width 100%), so a chart reads the same on a laptop
 * screen and on paper; one element per line so the output diffs and greps
 * well.
 */
#include "config.h"

#include <string.h>

#include "report/html.h"
#include "report/svg.h"

#define HB_W 660  /* horizontal charts: width */
#define HB_X0 210 /* where the bars start (keys on the left) */
#define HB_PW 330 /* the bars' full length */
#define HB_ROW 26 /* one item */
#define HB_TOP 8
#define HB_AXIS 48 /* axis, tick labels and axis label below */
#define COL_W 760  /* column charts */
#define COL_H 300
#define COL_X0 60
#define COL_X1 744
#define COL_Y0 24
#define COL_Y1 226

void
svg_escape(FILE *out, const char *s)
{
	html_text(out, s);
}

/* The axis maximum: c->max, else 1, 2, 2.5 or 5 times a power of ten at
 * or above the largest value. */
static double
axis_max(const struct svg_chart *c, const struct svg_bar *b, size_t n,
	 int pairs)
{
	if (c->max > 0)
		return c->max;
	double m = 0;
	for (size_t i = 0; i < n; i++) {
		m = b[i].value > m ? b[i].value : m;
		m = pairs && b[i].value2 > m ? b[i].value2 : m;
	}
	if (m <= 0)
		return 1;
	double p = 1; /* the power of ten at or below m */
	while (p * 10 <= m)
		p *= 10;
	while (p > m)
		p /= 10;
	static const double steps[] = {1, 2, 2.5, 5, 10};
	size_t i = 0;
	while (steps[i] * p < m)
		i++;
	/* small counts: four whole-number ticks rather than 0.5 steps */
	return steps[i] * p < 4 && m == (double)(long)m ? 4 : steps[i] * p;
}

static void
open_svg(FILE *out, const struct svg_chart *c, int w, int h)
{
	fprintf(out,
		"<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"",
		w, h);
	svg_escape(out, c->title);
	fprintf(out, "\" data-chart=\"%s\">\n<title>", c->id);
	svg_escape(out, c->title);
	fputs("</title>\n", out);
}

static void
bar_rect(FILE *out, const struct svg_chart *c, const char *key,
	 const char *data, const char *text, const char *color, double x,
	 double y, double w, double h)
{
	char url[512];
	bool link = c->href && c->href(c->href_arg, key, url, sizeof(url));
	if (link) {
		fputs("<a href=\"", out);
		svg_escape(out, url);
		fputs("\">", out);
	}
	fprintf(out, "<rect class=\"bar\" data-chart=\"%s\" data-key=\"",
		c->id);
	svg_escape(out, key);
	fprintf(out,
		"\" data-value=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.1f\" fill=\"%s\"><title>",
		data, x, y, w, h, color);
	svg_escape(out, key);
	fputs(": ", out);
	svg_escape(out, text);
	fputs(link ? "</title></rect></a>\n" : "</title></rect>\n", out);
}

/* The value axis under horizontal bars: line, five ticks, label. */
static void
hb_axis(FILE *out, const struct svg_chart *c, double max, int y)
{
	fprintf(out,
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		"y2=\"%d\"/>\n",
		HB_X0, y, HB_X0 + HB_PW, y);
	for (int t = 0; t <= 4; t++) {
		double x = HB_X0 + HB_PW * t / 4.0;
		fprintf(out,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" "
			"x2=\"%.1f\" "
			"y2=\"%d\"/>\n<text class=\"tick\" x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">%g</text>\n",
			x, HB_TOP, x, y + 4, x, y + 17, max * t / 4);
	}
	fprintf(out,
		"<text class=\"axis-label\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"middle\">",
		HB_X0 + HB_PW / 2, y + 38);
	svg_escape(out, c->axis);
	fputs("</text>\n", out);
}

static void
hb_key(FILE *out, const char *key, double y)
{
	fprintf(out,
		"<text class=\"key\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
		HB_X0 - 8, y);
	svg_escape(out, key);
	fputs("</text>\n", out);
}

static void
hb_label(FILE *out, const char *text, double x, double y)
{
	fprintf(out, "<text class=\"value\" x=\"%.1f\" y=\"%.1f\">", x + 5, y);
	svg_escape(out, text);
	fputs("</text>\n", out);
}

void
svg_hbars(FILE *out, const struct svg_chart *c, const struct svg_bar *b,
	  size_t n)
{
	double max = axis_max(c, b, n, 0);
	int h = HB_TOP + (int)n * HB_ROW + HB_AXIS;
	open_svg(out, c, HB_W, h);
	hb_axis(out, c, max, HB_TOP + (int)n * HB_ROW);
	for (size_t i = 0; i < n; i++) {
		double y = HB_TOP + (double)i * HB_ROW;
		double w = HB_PW * (b[i].value > 0 ? b[i].value / max : 0);
		hb_key(out, b[i].key, y + 17);
		bar_rect(out, c, b[i].key, b[i].data, b[i].text, c->color,
			 HB_X0, y + 4, w, HB_ROW - 8);
		hb_label(out, b[i].text, HB_X0 + w, y + 17);
	}
	fputs("</svg>\n", out);
}

static void
legend(FILE *out, const struct svg_chart *c, int y)
{
	const char *names[2] = {c->legend, c->legend2};
	const char *colors[2] = {c->color, c->color2};
	for (int i = 0; i < 2; i++) {
		int x = HB_X0 + i * 170;
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
			"fill=\"%s\"/>\n<text class=\"key\" x=\"%d\" y=\"%d\">",
			x, y, colors[i], x + 20, y + 12);
		svg_escape(out, names[i]);
		fputs("</text>\n", out);
	}
}

void
svg_hbars2(FILE *out, const struct svg_chart *c, const struct svg_bar *b,
	   size_t n)
{
	double max = axis_max(c, b, n, 1);
	int row = HB_ROW + 14, top = HB_TOP + 24;
	int h = top + (int)n * row + HB_AXIS;
	open_svg(out, c, HB_W, h);
	legend(out, c, HB_TOP);
	fprintf(out, "<g transform=\"translate(0 %d)\">\n", top - HB_TOP);
	hb_axis(out, c, max, HB_TOP + (int)n * row);
	fputs("</g>\n", out);
	for (size_t i = 0; i < n; i++) {
		double y = top + (double)i * row;
		double w1 = HB_PW * (b[i].value > 0 ? b[i].value / max : 0);
		double w2 = HB_PW * (b[i].value2 > 0 ? b[i].value2 / max : 0);
		hb_key(out, b[i].key, y + 22);
		bar_rect(out, c, b[i].key, b[i].data, b[i].text, c->color,
			 HB_X0, y + 4, w1, 15);
		hb_label(out, b[i].text, HB_X0 + w1, y + 16);
		struct svg_chart c2 = *c;
		char id2[64];
		snprintf(id2, sizeof(id2), "%s-2", c->id);
		c2.id = id2;
		bar_rect(out, &c2, b[i].key, b[i].data2, b[i].text2, c->color2,
			 HB_X0, y + 20, w2, 15);
		hb_label(out, b[i].text2, HB_X0 + w2, y + 32);
	}
	fputs("</svg>\n", out);
}

/* The value axis of a column chart: gridlines and ticks, rotated label. */
static void
col_axis(FILE *out, const struct svg_chart *c, double max)
{
	for (int t = 0; t <= 4; t++) {
		double y = COL_Y1 - (COL_Y1 - COL_Y0) * t / 4.0;
		fprintf(out,
			"<line class=\"%s\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
			"y2=\"%.1f\"/>\n<text class=\"tick\" x=\"%d\" "
			"y=\"%.1f\" "
			"text-anchor=\"end\">%g</text>\n",
			t ? "grid" : "axis", COL_X0, y, COL_X1, y, COL_X0 - 6,
			y + 4, max * t / 4);
	}
	fprintf(out,
		"<text class=\"axis-label\" transform=\"translate(16 %d) "
		"rotate(-90)\" text-anchor=\"middle\">",
		(COL_Y0 + COL_Y1) / 2);
	svg_escape(out, c->axis);
	fputs("</text>\n", out);
}

/* The key under column i: every step-th one, dates as MM-DD. */
static void
col_key(FILE *out, const char *key, double x)
{
	const char *shown = strlen(key) == 10 && key[4] == '-' ? key + 5 : key;
	fprintf(out,
		"<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
		"transform=\"rotate(-45 %.1f %d)\">",
		x, COL_Y1 + 14, x, COL_Y1 + 14);
	svg_escape(out, shown);
	fputs("</text>\n", out);
}

void
svg_columns(FILE *out, const struct svg_chart *c, const struct svg_bar *b,
	    size_t n)
{
	double max = axis_max(c, b, n, 0);
	double slot = n ? (double)(COL_X1 - COL_X0) / (double)n : 0;
	size_t step = n / 16 + 1;
	open_svg(out, c, COL_W, COL_H);
	col_axis(out, c, max);
	for (size_t i = 0; i < n; i++) {
		double v = b[i].value > 0 ? b[i].value / max : 0;
		double h = (COL_Y1 - COL_Y0) * (v > 1 ? 1 : v);
		double x = COL_X0 + slot * (double)i + slot * 0.15;
		bar_rect(out, c, b[i].key, b[i].data, b[i].text, c->color, x,
			 COL_Y1 - h, slot * 0.7, h);
		if (n <= 31) {
			fprintf(out,
				"<text class=\"value small\" x=\"%.1f\" "
				"y=\"%.1f\" text-anchor=\"middle\">",
				x + slot * 0.35, COL_Y1 - h - 4);
			svg_escape(out, b[i].text);
			fputs("</text>\n", out);
		}
		if (i % step == 0)
			col_key(out, b[i].key, x + slot * 0.35);
	}
	fputs("</svg>\n", out);
}

/*
 * svg — small inline SVG bar charts for the HTML report: horizontal bars,
 * paired horizontal bars and vertical columns, each with a title, axes with
 * units, and every bar's number both visible and in a data-value attribute
 * (the report's own figure, as text and CSV print it), so a test can
 * compare the drawing with the numbers.  Text is escaped; nothing is
 * loaded from anywhere.
 */
#ifndef REPORT_SVG_H
#define REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct svg_bar {
	const char *key; /* the category: "2026-03-05", a rule, a payer */
	double value;	 /* for the geometry */
	char data[32];	 /* data-value: "55.6", "3", "1234.50" */
	char text[40];	 /* the visible label: "55.6%", "$1,234.50" */
	double value2;	 /* paired charts: the second bar */
	char data2[32];
	char text2[40];
};

struct svg_chart {
	const char *id;	   /* data-chart of every bar: "rule", "day-rate" */
	const char *title; /* the heading, also the SVG's accessible name */
	const char *axis;  /* the value axis label, with its unit */
	const char *color, *color2;
	const char *legend, *legend2; /* paired charts */
	double max;		      /* the axis maximum; 0: from the data */
	/* NULL, or writes into buf the URL a bar of key links to (a
	 * drill-down) and returns true; false: that bar links nowhere */
	bool (*href)(void *arg, const char *key, char *buf, size_t size);
	void *href_arg;
};

/* Writes s with & < > " ' escaped and control characters dropped
 * (html_text). */
void svg_escape(FILE *out, const char *s);

/* One horizontal bar per item, keys on the left. */
void svg_hbars(FILE *out, const struct svg_chart *c, const struct svg_bar *b,
	       size_t n);
/* Two bars per item (value, value2), with a legend. */
void svg_hbars2(FILE *out, const struct svg_chart *c, const struct svg_bar *b,
		size_t n);
/* One column per item left to right (days), keys under the axis. */
void svg_columns(FILE *out, const struct svg_chart *c, const struct svg_bar *b,
		 size_t n);

#endif

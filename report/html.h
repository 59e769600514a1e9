/*
 * html — writing HTML safely, for the report's HTML and SVG (svg_escape)
 * and every page of the workbench: every value from the database or a
 * request goes out through html_text (element content) or html_attr (a
 * quoted attribute value), never printed raw.  Both escape & < > " ' and drop
 * control characters other than tab and newline, so a claim field holding
 * markup or a terminal escape is shown as text.
 */
#ifndef REPORT_HTML_H
#define REPORT_HTML_H

#include <stdio.h>

/* s as element content; NULL writes nothing. */
void html_text(FILE *out, const char *s);
/* s as the value of an attribute written in double quotes. */
void html_attr(FILE *out, const char *s);
/* s as one component of a URL path or query (percent-encoded). */
void html_url(FILE *out, const char *s);

#endif

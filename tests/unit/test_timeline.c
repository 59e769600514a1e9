/*
 * test_timeline — the claim page's administration timeline (web/timeline.h):
 * the minutes it shows are the rules' minutes (infusion-rules.md, Time:
 * hydration under a drug is not counted, 15 and 31 minutes), what it
 * shades is what overlaps, every text is escaped, and the output is
 * well-formed XML with only the elements and attributes a static SVG needs.
 * Expected numbers are worked out by hand from the rules, not read back
 * from the code.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/timeline.h"

#define DAY0 29544480L /* 2026-03-05 00:00 UTC in minutes since the epoch */
#define AT(h, m) (DAY0 + (h)*60L + (m))

/* ---- reading the output back --------------------------------------- */

static size_t
count(const char *s, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	for (const char *p = strstr(s, needle); p; p = strstr(p + len, needle))
		n++;
	return n;
}

/* The value of attr in the nth (from 0) element carrying class cls, into
 * buf; false if there is no such element or attribute. */
static bool
attr_of(const char *s, const char *cls, size_t nth, const char *attr, char *buf,
	size_t size)
{
	char key[64], want[64];
	snprintf(key, sizeof(key), "class=\"%s\"", cls);
	snprintf(want, sizeof(want), " %s=\"", attr);
	const char *p = strstr(s, key);
	for (size_t k = 0; p && k < nth; k++)
		p = strstr(p + 1, key);
	if (!p)
		return false;
	const char *start = p, *end = strchr(p, '>');
	while (start > s && *start != '<')
		start--;
	const char *v = strstr(start, want);
	if (!v || !end || v > end)
		return false;
	v += strlen(want);
	size_t len = (size_t)(strchr(v, '"') - v);
	cr_assert_lt(len, size);
	memcpy(buf, v, len);
	buf[len] = '\0';
	return true;
}

static void
assert_attr(const char *s, const char *cls, size_t nth, const char *attr,
	    const char *want)
{
	char got[256];
	cr_assert(attr_of(s, cls, nth, attr, got, sizeof(got)),
		  "no %s on %s #%zu", attr, cls, nth);
	cr_assert_str_eq(got, want, "%s of %s #%zu", attr, cls, nth);
}

static void
assert_attr_l(const char *s, const char *cls, size_t nth, const char *attr,
	      long want)
{
	char w[32];
	snprintf(w, sizeof(w), "%ld", want);
	assert_attr(s, cls, nth, attr, w);
}

static bool
allowed_element(const char *name, size_t len)
{
	static const char *const ok[] = {
		"svg",	"title",  "defs",     "pattern", "rect",
		"path", "circle", "g",	      "text",	 "tspan",
		"line", "p",	  "clipPath", NULL};
	for (size_t i = 0; ok[i]; i++) {
		if (strlen(ok[i]) == len && !memcmp(ok[i], name, len))
			return true;
	}
	return false;
}

/* One start tag's attributes: name="value", no event handler, no style,
 * no markup in a value.  Returns the '>' that ends the tag. */
static const char *
check_attrs(const char *p, bool *selfclose)
{
	for (;;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (*p == '/' || *p == '>') {
			*selfclose = *p == '/';
			cr_assert(*p == '>' || p[1] == '>', "bad tag end");
			return *p == '>' ? p : p + 1;
		}
		const char *name = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9') || *p == '-' || *p == ':')
			p++;
		cr_assert(p > name && p[0] == '=' && p[1] == '"',
			  "bad attribute at %.20s", name);
		cr_assert(strncmp(name, "on", 2) && strncmp(name, "style", 5),
			  "attribute %.*s", (int)(p - name), name);
		const char *end = strchr(p + 2, '"');
		cr_assert_not_null(end);
		cr_assert_null(memchr(p + 2, '<', (size_t)(end - p - 2)));
		p = end + 1;
	}
}

/* Tags balance, only the expected elements appear, and every '&' starts
 * one of html_text's entities: a stand-in for an XML parser. */
static void
assert_well_formed(const char *s)
{
	const char *stack[32];
	size_t lens[32], depth = 0;
	for (const char *p = strchr(s, '&'); p; p = strchr(p + 1, '&'))
		cr_assert(!strncmp(p, "&amp;", 5) || !strncmp(p, "&lt;", 4) ||
				  !strncmp(p, "&gt;", 4) ||
				  !strncmp(p, "&quot;", 6) ||
				  !strncmp(p, "&#39;", 5),
			  "stray & at %.20s", p);
	for (const char *p = strchr(s, '<'); p; p = strchr(p, '<')) {
		bool closing = p[1] == '/', selfclose = false;
		const char *name = p + 1 + closing, *e = name;
		while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z'))
			e++;
		size_t len = (size_t)(e - name);
		cr_assert(allowed_element(name, len), "element %.*s", (int)len,
			  name);
		if (closing) {
			cr_assert(depth > 0 && lens[depth - 1] == len &&
					  !memcmp(stack[depth - 1], name, len),
				  "</%.*s> closes nothing open", (int)len,
				  name);
			depth--;
			cr_assert_eq(*e, '>');
			p = e + 1;
			continue;
		}
		p = check_attrs(e, &selfclose) + 1;
		if (selfclose)
			continue;
		cr_assert_lt(depth, 32);
		stack[depth] = name;
		lens[depth++] = len;
	}
	cr_assert_eq(depth, 0, "%zu elements left open", depth);
}

/* tl_write's output, checked well-formed; the caller frees it. */
static char *
render(const struct tl_admin *a, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	cr_assert_eq(tl_write(f, a, n), 0);
	cr_assert_eq(fclose(f), 0);
	assert_well_formed(buf);
	return buf;
}

/* ---- the rules' minutes -------------------------------------------- */

Test(timeline, hydration_under_a_drug_is_not_counted)
{
	struct tl_admin a[] = {
		{"H1", "normal saline", "hydration", "infusion", "left forearm",
		 AT(10, 0), AT(11, 30)},
		{"A1", "ceftriaxone", "therapeutic", "infusion", "left forearm",
		 AT(10, 30), AT(11, 0)},
	};
	char *s = render(a, 2);
	cr_assert_eq(count(s, "class=\"tl-subtracted\""), 1);
	assert_attr(s, "tl-subtracted", 0, "data-admin", "H1");
	assert_attr(s, "tl-subtracted", 0, "data-minutes", "30");
	assert_attr_l(s, "tl-subtracted", 0, "data-from", AT(10, 30));
	assert_attr_l(s, "tl-subtracted", 0, "data-to", AT(11, 0));
	cr_assert_not_null(strstr(s, "90 min (counted 60 min)"));
	assert_attr(s, "tl-lane", 0, "data-counted", "60");
	/* the drug lane's own minutes are not reduced */
	cr_assert_null(strstr(s, "data-admin=\"A1\" data-kind=\"therapeutic\" "
				 "data-counted"));
	assert_attr(s, "tl-bar", 0, "data-minutes", "90");
	assert_attr(s, "tl-bar", 1, "data-minutes", "30");
	free(s);
}

Test(timeline, rules_saline_example_leaves_120_minutes)
{
	/* infusion-rules.md, Time: saline 16:00-19:00 with a drug
	 * 17:00-18:00 leaves 120 hydration minutes */
	struct tl_admin a[] = {
		{"A1", "saline", "hydration", "infusion", "R arm", AT(16, 0),
		 AT(19, 0)},
		{"A2", "drug", "therapeutic", "infusion", "R arm", AT(17, 0),
		 AT(18, 0)},
	};
	char *s = render(a, 2);
	cr_assert_not_null(strstr(s, "(counted 120 min)"));
	assert_attr(s, "tl-subtracted", 0, "data-minutes", "60");
	free(s);
}

Test(timeline, overlapping_drugs_are_subtracted_once)
{
	/* drugs 10:30-11:15 and 11:00-11:30 cover 10:30-11:30 of the
	 * hydration: 60 minutes, not 45 + 30 */
	struct tl_admin a[] = {
		{"H1", "LR", "hydration", "infusion", NULL, AT(10, 0),
		 AT(12, 0)},
		{"A1", "x", "therapeutic", "infusion", NULL, AT(10, 30),
		 AT(11, 15)},
		{"A2", "y", "chemotherapy", "infusion", NULL, AT(11, 0),
		 AT(11, 30)},
	};
	char *s = render(a, 3);
	cr_assert_eq(count(s, "class=\"tl-subtracted\""), 1);
	assert_attr(s, "tl-subtracted", 0, "data-minutes", "60");
	cr_assert_not_null(strstr(s, "120 min (counted 60 min)"));
	free(s);
}

Test(timeline, separate_stretches_under_drugs_each_shaded)
{
	struct tl_admin a[] = {
		{"H1", "NS", "hydration", "infusion", NULL, AT(9, 0),
		 AT(12, 0)},
		{"A1", "x", "therapeutic", "push", NULL, AT(9, 10), AT(9, 20)},
		{"A2", "y", "therapeutic", "infusion", NULL, AT(10, 0),
		 AT(11, 0)},
	};
	char *s = render(a, 3);
	cr_assert_eq(count(s, "class=\"tl-subtracted\""), 2);
	assert_attr(s, "tl-subtracted", 0, "data-minutes", "10");
	assert_attr(s, "tl-subtracted", 1, "data-minutes", "60");
	cr_assert_not_null(strstr(s, "180 min (counted 110 min)"));
	free(s);
}

Test(timeline, subcutaneous_and_hydration_do_not_share_an_access)
{
	/* infusion-rules.md ruling 1: subcutaneous is an access of its own */
	struct tl_admin a[] = {
		{"H1", "NS", "hydration", "infusion", "L hand", AT(10, 0),
		 AT(11, 0)},
		{"A1", "IG", "therapeutic", "subcutaneous", "abdomen",
		 AT(10, 0), AT(12, 0)},
	};
	char *s = render(a, 2);
	cr_assert_eq(count(s, "tl-subtracted"), 0);
	cr_assert_not_null(strstr(s, "60 min (counted 60 min)"));
	/* they still run at once */
	cr_assert_eq(count(s, "class=\"tl-overlap\""), 1);
	free(s);
}

Test(timeline, two_hydrations_do_not_subtract_from_each_other)
{
	struct tl_admin a[] = {
		{"H1", "NS", "hydration", "infusion", NULL, AT(10, 0),
		 AT(12, 0)},
		{"H2", "LR", "Hydration", "infusion", NULL, AT(11, 0),
		 AT(13, 0)},
	};
	char *s = render(a, 2);
	cr_assert_eq(count(s, "tl-subtracted"), 0);
	cr_assert_eq(count(s, "(counted 120 min)"), 2);
	cr_assert_eq(count(s, "class=\"tl-mark-31\""), 2);
	free(s);
}

/* ---- overlaps ------------------------------------------------------- */

Test(timeline, two_overlapping_infusions_show_their_overlap)
{
	struct tl_admin a[] = {
		{"A1", "vancomycin", "therapeutic", "infusion", "L arm",
		 AT(10, 0), AT(11, 0)},
		{"A2", "pip-tazo", "therapeutic", "infusion", "L arm",
		 AT(10, 40), AT(11, 30)},
	};
	char *s = render(a, 2);
	cr_assert_eq(count(s, "class=\"tl-overlap\""), 1);
	assert_attr_l(s, "tl-overlap", 0, "data-from", AT(10, 40));
	assert_attr_l(s, "tl-overlap", 0, "data-to", AT(11, 0));
	assert_attr(s, "tl-overlap", 0, "data-minutes", "20");
	assert_attr(s, "tl-overlap", 0, "data-admins", "A1 A2");
	cr_assert_eq(count(s, "tl-subtracted"), 0);
	cr_assert_eq(count(s, "class=\"tl-mark-15\""), 2);
	cr_assert_eq(count(s, "tl-mark-31"), 0);
	free(s);
}

Test(timeline, overlap_stretches_follow_who_is_running)
{
	/* 10:30-10:45 A1 A2; 10:45-11:00 all three; 11:00-11:15 A2 A3 */
	struct tl_admin a[] = {
		{"A1", "x", "therapeutic", "infusion", NULL, AT(10, 0),
		 AT(11, 0)},
		{"A2", "y", "therapeutic", "infusion", NULL, AT(10, 30),
		 AT(11, 30)},
		{"A3", "z", "therapeutic", "infusion", NULL, AT(10, 45),
		 AT(11, 15)},
	};
	char *s = render(a, 3);
	cr_assert_eq(count(s, "class=\"tl-overlap\""), 3);
	const long want[3][2] = {{AT(10, 30), AT(10, 45)},
				 {AT(10, 45), AT(11, 0)},
				 {AT(11, 0), AT(11, 15)}};
	const char *who[3] = {"A1 A2", "A1 A2 A3", "A2 A3"};
	for (size_t k = 0; k < 3; k++) {
		assert_attr_l(s, "tl-overlap", k, "data-from", want[k][0]);
		assert_attr_l(s, "tl-overlap", k, "data-to", want[k][1]);
		assert_attr(s, "tl-overlap", k, "data-admins", who[k]);
	}
	free(s);
}

Test(timeline, back_to_back_is_not_an_overlap)
{
	struct tl_admin a[] = {
		{"A1", "cipro", "therapeutic", "infusion", NULL, AT(14, 0),
		 AT(14, 50)},
		{"A2", "metro", "therapeutic", "infusion", NULL, AT(14, 50),
		 AT(15, 30)},
	};
	char *s = render(a, 2);
	cr_assert_eq(count(s, "tl-overlap"), 0);
	free(s);
}

/* ---- pushes, points, thresholds ------------------------------------- */

Test(timeline, ten_minute_push_has_no_31_mark)
{
	struct tl_admin a[] = {
		{"P1", "ondansetron", "therapeutic", "push", "R hand", AT(9, 0),
		 AT(9, 10)},
	};
	char *s = render(a, 1);
	cr_assert_eq(count(s, "class=\"tl-bar\"") + count(s, "tl-point"), 1);
	assert_attr(s, "tl-bar", 0, "data-minutes", "10");
	cr_assert_eq(count(s, "tl-mark-31"), 0);
	/* 09:15 is past the drawing's end (09:10) */
	cr_assert_eq(count(s, "tl-mark-15"), 0);
	free(s);
}

Test(timeline, marks_sit_at_15_and_31_minutes)
{
	struct tl_admin a[] = {
		{"A1", "iron", "therapeutic", "infusion", NULL, AT(10, 0),
		 AT(10, 45)},
		{"H1", "NS", "hydration", NULL, NULL, AT(10, 0), AT(10, 25)},
	};
	char *s = render(a, 2);
	cr_assert_eq(count(s, "class=\"tl-mark-15\""), 1);
	cr_assert_eq(count(s, "class=\"tl-mark-31\""), 1);
	assert_attr(s, "tl-mark-15", 0, "data-admin", "A1");
	assert_attr_l(s, "tl-mark-15", 0, "data-at", AT(10, 15));
	assert_attr(s, "tl-mark-31", 0, "data-admin", "H1");
	assert_attr_l(s, "tl-mark-31", 0, "data-at", AT(10, 31));
	/* 10:15 of a 45-minute span starting 10:00: a third of 504 */
	assert_attr(s, "tl-mark-15", 0, "x1", "404.0");
	free(s);
}

Test(timeline, no_stop_is_a_point)
{
	struct tl_admin a[] = {
		{"P1", "morphine", "therapeutic", "push", NULL, AT(8, 0), -1},
		{"A1", "vanc", "therapeutic", "infusion", NULL, AT(8, 30),
		 AT(9, 30)},
		/* a stop at its start is not a run either (invalid-time) */
		{"P2", "morphine", "therapeutic", "push", NULL, AT(9, 0),
		 AT(9, 0)},
	};
	char *s = render(a, 3);
	cr_assert_eq(count(s, "class=\"tl-point\""), 2);
	cr_assert_eq(count(s, "class=\"tl-bar\""), 1);
	assert_attr(s, "tl-point", 0, "data-admin", "P1");
	assert_attr_l(s, "tl-point", 0, "data-start", AT(8, 0));
	assert_attr(s, "tl-point", 1, "data-admin", "P2");
	cr_assert_not_null(strstr(s, "no stop documented"));
	cr_assert_not_null(strstr(s, "stop not after start"));
	free(s);
}

Test(timeline, a_lone_point_still_gets_an_axis)
{
	struct tl_admin a[] = {
		{"P1", "ketorolac", "therapeutic", "push", NULL, AT(12, 0), -1},
	};
	char *s = render(a, 1);
	cr_assert_eq(count(s, "class=\"tl-point\""), 1);
	cr_assert_geq(count(s, "class=\"tl-tick\""), 2);
	free(s);
}

Test(timeline, no_start_is_a_lane_without_a_bar)
{
	struct tl_admin a[] = {
		{"A1", "vanc", "therapeutic", "infusion", NULL, -1, AT(11, 0)},
		{"A2", "cefazolin", "therapeutic", "infusion", NULL, AT(10, 0),
		 AT(10, 30)},
	};
	char *s = render(a, 2);
	cr_assert_eq(count(s, "class=\"tl-lane\""), 2);
	cr_assert_eq(count(s, "class=\"tl-bar\""), 1);
	cr_assert_eq(count(s, "tl-point"), 0);
	cr_assert_not_null(strstr(s, "no start documented"));
	assert_attr(s, "tl-bar", 0, "data-admin", "A2");
	free(s);
}

/* ---- sites ----------------------------------------------------------- */

Test(timeline, legend_lists_each_site_once)
{
	/* "left forearm" and "Left-Forearm" are one site (ruling 1) */
	struct tl_admin a[] = {
		{"A1", "x", "therapeutic", "infusion", "left forearm",
		 AT(10, 0), AT(11, 0)},
		{"A2", "y", "therapeutic", "infusion", "right hand", AT(10, 0),
		 AT(11, 0)},
		{"A3", "z", "therapeutic", "infusion", "Left-Forearm",
		 AT(11, 0), AT(12, 0)},
		{"A4", "w", "therapeutic", "push", NULL, AT(11, 0), AT(11, 5)},
	};
	char *s = render(a, 4);
	cr_assert_eq(count(s, "class=\"tl-legend-site\""), 3);
	cr_assert_eq(count(s, "class=\"tl-legend-site\" data-site=\"left "
			      "forearm\""),
		     1);
	cr_assert_eq(count(s, "class=\"tl-legend-site\" data-site=\"right "
			      "hand\""),
		     1);
	cr_assert_eq(count(s, "class=\"tl-legend-site\" data-site=\"\""), 1);
	cr_assert_null(strstr(s, "tl-legend-site\" data-site=\"Left-Forearm"));
	cr_assert_not_null(strstr(s, "no site documented"));
	/* bars of one site share its fill, the other site's differs */
	char f1[64], f2[64], f3[64], f4[64];
	cr_assert(attr_of(s, "tl-bar", 0, "fill", f1, sizeof(f1)));
	cr_assert(attr_of(s, "tl-bar", 1, "fill", f2, sizeof(f2)));
	cr_assert(attr_of(s, "tl-bar", 2, "fill", f3, sizeof(f3)));
	cr_assert(attr_of(s, "tl-bar", 3, "fill", f4, sizeof(f4)));
	cr_assert_str_eq(f1, f3);
	cr_assert_str_neq(f1, f2);
	cr_assert_str_neq(f4, f1);
	cr_assert_str_neq(f4, f2);
	assert_attr(s, "tl-bar", 2, "data-site", "Left-Forearm");
	/* every fill used is defined */
	for (size_t i = 0; i < 4; i++) {
		char id[80];
		cr_assert(attr_of(s, "tl-bar", i, "fill", f1, sizeof(f1)));
		snprintf(id, sizeof(id), "<pattern id=\"%.*s\"",
			 (int)(strlen(f1) - 6), f1 + 5);
		cr_assert_eq(count(s, id), 1, "%s", id);
	}
	free(s);
}

/* ---- escaping -------------------------------------------------------- */

Test(timeline, markup_in_fields_is_only_shown_escaped)
{
	struct tl_admin a[] = {
		{"<b>A1</b>", "<script>alert(1)</script>", "hydration",
		 "infusion\"><svg onload=alert(1)>", "\"onload=\"x", AT(10, 0),
		 AT(11, 0)},
		{"A'2", "x&y", "<i>k</i>", "push", "\"onload=\"x", AT(10, 0),
		 AT(10, 50)},
	};
	char *s = render(a, 2);
	cr_assert_null(strstr(s, "<script"));
	cr_assert_null(strstr(s, "<b>"));
	cr_assert_null(strstr(s, "<i>"));
	cr_assert_null(strstr(s, "\"onload=\""));
	cr_assert_null(strstr(s, "<svg onload"));
	cr_assert_not_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_assert_not_null(strstr(s, "data-site=\"&quot;onload=&quot;x\""));
	cr_assert_not_null(strstr(s, "data-admin=\"A&#39;2\""));
	cr_assert_not_null(strstr(s, "x&amp;y"));
	/* one site, however often it is named */
	cr_assert_eq(count(s, "class=\"tl-legend-site\""), 1);
	free(s);
}

Test(timeline, long_names_are_cut_in_labels_not_in_tooltips)
{
	const char *name = "a very long substance name that would run into "
			   "the plot area";
	struct tl_admin a[] = {
		{"A1", name, "therapeutic", "infusion", NULL, AT(10, 0),
		 AT(11, 0)},
	};
	char *s = render(a, 1);
	cr_assert_not_null(strstr(s, "a very long substance name..."));
	cr_assert_not_null(strstr(s, name));
	free(s);
}

Test(timeline, no_script_no_style_no_external_reference)
{
	struct tl_admin a[] = {
		{"A1", "x", "therapeutic", "infusion", "s", AT(10, 0),
		 AT(11, 0)},
	};
	char *s = render(a, 1);
	cr_assert_null(strstr(s, "style="));
	cr_assert_null(strstr(s, "href"));
	cr_assert_null(strstr(s, "<script"));
	cr_assert_null(strstr(s, "url(http"));
	cr_assert_eq(count(s, "<svg "), 1);
	cr_assert_not_null(strstr(s, "<svg id=\"timeline\""));
	cr_assert_not_null(strstr(s, "viewBox=\"0 0 760 "));
	cr_assert_not_null(strstr(s, "role=\"img\""));
	cr_assert_not_null(strstr(s, "aria-label=\"Administration timeline: "
				     "1 administration, 2026-03-05 10:00 to "
				     "11:00 UTC\""));
	cr_assert_not_null(strstr(s, "<title>Administration timeline"));
	free(s);
}

/* ---- axis ------------------------------------------------------------ */

Test(timeline, ticks_stay_few_and_on_round_minutes)
{
	static const struct {
		long span, step;
	} cases[] = {{10, 5},	 {55, 5},     {56, 10},	   {90, 10},
		     {111, 15},	 {165, 15},   {180, 30},   {600, 60},
		     {900, 120}, {1440, 180}, {3000, 360}, {20000, 2880}};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct tl_admin a[] = {
			{"A1", "x", "therapeutic", "infusion", NULL, AT(10, 3),
			 AT(10, 3) + cases[c].span},
		};
		char *s = render(a, 1);
		size_t n = count(s, "class=\"tl-tick\"");
		cr_assert(n >= 1 && n <= 12, "span %ld: %zu ticks",
			  cases[c].span, n);
		char at0[32], at1[32];
		cr_assert(attr_of(s, "tl-tick", 0, "data-at", at0, 32));
		cr_assert(attr_of(s, "tl-tick", 1, "data-at", at1, 32) ||
			  n == 1);
		long first = strtol(at0, NULL, 10);
		cr_assert_eq(first % cases[c].step, 0, "span %ld",
			     cases[c].span);
		if (n > 1)
			cr_assert_eq(strtol(at1, NULL, 10) - first,
				     cases[c].step, "span %ld", cases[c].span);
		free(s);
	}
}

Test(timeline, ticks_read_utc_clock_time_across_midnight)
{
	struct tl_admin a[] = {
		{"A1", "morphine", "therapeutic", "infusion", NULL, AT(23, 30),
		 AT(24, 30)},
	};
	char *s = render(a, 1);
	/* 60 minutes: 10-minute ticks 23:30 ... 00:30 */
	cr_assert_eq(count(s, "class=\"tl-tick\""), 7);
	cr_assert_not_null(strstr(s, ">23:30</text>"));
	cr_assert_not_null(strstr(s, ">00:00</text>"));
	cr_assert_not_null(strstr(s, ">00:30</text>"));
	cr_assert_not_null(strstr(s, "2026-03-05 to 2026-03-06 UTC"));
	/* the one bar spans the plot: x 236 to 740 */
	assert_attr(s, "tl-bar", 0, "x", "236.0");
	assert_attr(s, "tl-bar", 0, "width", "504.0");
	free(s);
}

/* ---- bounds and bad input --------------------------------------------- */

Test(timeline, nothing_timed_is_a_paragraph)
{
	char *s = render(NULL, 0);
	cr_assert_not_null(strstr(s, "<p id=\"timeline\""));
	cr_assert_not_null(strstr(s, "No timed administration"));
	cr_assert_null(strstr(s, "<svg"));
	free(s);
	struct tl_admin a[] = {
		{"A1", "x", "therapeutic", "push", NULL, -1, -1},
	};
	s = render(a, 1);
	cr_assert_not_null(strstr(s, "No timed administration"));
	free(s);
}

Test(timeline, bad_input_is_refused_with_nothing_written)
{
	static struct tl_admin many[TL_MAX_ADMINS + 1];
	struct tl_admin late[] = {
		{"A1", "x", "therapeutic", "push", NULL, AT(1, 0),
		 TL_MAX_MINUTE + 1},
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	cr_assert_eq(tl_write(f, many, TL_MAX_ADMINS + 1), -1);
	cr_assert_eq(tl_write(f, NULL, 1), -1);
	cr_assert_eq(tl_write(f, late, 1), -1);
	cr_assert_eq(tl_write(NULL, late, 0), -1);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(len, 0);
	free(buf);
}

Test(timeline, sixty_four_lanes_fit)
{
	static struct tl_admin a[TL_MAX_ADMINS];
	static char ids[TL_MAX_ADMINS][8], sites[TL_MAX_ADMINS][16];
	for (size_t i = 0; i < TL_MAX_ADMINS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "A%zu", i);
		snprintf(sites[i], sizeof(sites[i]), "site %zu", i);
		a[i] = (struct tl_admin){ids[i],	"x",
					 "therapeutic", "infusion",
					 sites[i],	AT(8, (long)i),
					 AT(9, (long)i)};
	}
	char *s = render(a, TL_MAX_ADMINS);
	cr_assert_eq(count(s, "class=\"tl-bar\""), TL_MAX_ADMINS);
	cr_assert_eq(count(s, "class=\"tl-legend-site\""), TL_MAX_ADMINS);
	/* starts 08:00..09:03, stops 09:00..10:03: 124 boundaries, and the
	 * running set changes at each; all but the first and last of the 123
	 * stretches have two or more lanes */
	cr_assert_eq(count(s, "class=\"tl-overlap\""), 121);
	free(s);
}

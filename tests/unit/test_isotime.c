/*
 * test_isotime — the date-times of claim documents (scrubber/isotime.h):
 * the one accepted form YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM] and nothing
 * else, differences as instants or wall-clock times, calendar days, and
 * formatting.  Day numbers below are days since 1970-01-01 (2026-03-14 is
 * day 20526).
 *
 * Criterion runs each parameterized case in a fresh process of this (PIE)
 * program, so parameter structs hold their text inline, never as pointers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scrubber/isotime.h"

#define DAY 86400LL
#define D_2026_03_14 20526LL
#define D_2028_02_29 21243LL
#define D_2026_12_31 20818LL
#define D_2027_01_01 20819LL
#define D_2000_02_29 11016LL

static struct isotime
parse_ok(const char *s)
{
	struct isotime t;
	cr_assert(isotime_parse(s, strlen(s), &t), "'%s' must parse", s);
	return t;
}

/* ---- valid forms --------------------------------------------------------- */

struct valid_case {
	char text[40];
	int64_t wall;
	bool has_offset;
	int offset;
};

ParameterizedTestParameters(isotime, parse_valid)
{
	static struct valid_case cases[] = {
		{"2026-03-14T10:00", D_2026_03_14 * DAY + 36000, false, 0},
		{"2026-03-14T00:00", D_2026_03_14 * DAY, false, 0},
		{"2026-03-14T23:59", D_2026_03_14 * DAY + 86340, false, 0},
		{"2026-03-14T10:00:30", D_2026_03_14 * DAY + 36030, false, 0},
		{"2026-03-14T23:59:59", D_2026_03_14 * DAY + 86399, false, 0},
		{"2026-03-14T10:00Z", D_2026_03_14 * DAY + 36000, true, 0},
		{"2026-03-14T10:00:05Z", D_2026_03_14 * DAY + 36005, true, 0},
		{"2026-03-14T10:00+05:30", D_2026_03_14 * DAY + 36000, true,
		 330},
		{"2026-03-14T10:00-04:00", D_2026_03_14 * DAY + 36000, true,
		 -240},
		{"2026-03-14T10:00:59-00:30", D_2026_03_14 * DAY + 36059, true,
		 -30},
		{"2026-03-14T10:00+00:00", D_2026_03_14 * DAY + 36000, true, 0},
		{"2028-02-29T12:00", D_2028_02_29 * DAY + 43200, false, 0},
		{"2000-02-29T00:00", D_2000_02_29 * DAY, false, 0},
		{"1970-01-01T00:00", 0, false, 0},
	};
	return cr_make_param_array(struct valid_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct valid_case *c, isotime, parse_valid)
{
	struct isotime t = {
		.wall = -1, .offset = 999, .has_offset = !c->has_offset};
	cr_assert(isotime_parse(c->text, strlen(c->text), &t),
		  "'%s' must parse", c->text);
	cr_assert_eq(t.wall, c->wall, "'%s': wall %lld, expected %lld", c->text,
		     (long long)t.wall, (long long)c->wall);
	cr_assert_eq(t.has_offset, c->has_offset, "'%s': has_offset", c->text);
	if (c->has_offset)
		cr_assert_eq(t.offset, c->offset,
			     "'%s': offset %d, expected %d", c->text, t.offset,
			     c->offset);
}

/* ---- invalid forms ------------------------------------------------------- */

struct invalid_case {
	char text[40];
	char why[48];
};

ParameterizedTestParameters(isotime, parse_invalid)
{
	static struct invalid_case cases[] = {
		{"10:00", "no date"},
		{"T10:00", "no date"},
		{"2026-03-14", "no time"},
		{"2026-03-14T", "no time"},
		{"2026-03-14T10", "no minutes"},
		{"2026-03-14T24:00", "hour 24"},
		{"2026-03-14T10:60", "minute 60"},
		{"2026-03-14T10:00:60", "second 60"},
		{"2026-02-29T10:00", "February 29 in a non-leap year"},
		{"1900-02-29T10:00", "1900 is not a leap year"},
		{"2026-02-30T10:00", "February 30"},
		{"2026-04-31T10:00", "April 31"},
		{"2026-13-01T10:00", "month 13"},
		{"2026-00-10T10:00", "month 0"},
		{"2026-03-00T10:00", "day 0"},
		{"2026-03-14T10:00x", "trailing garbage"},
		{"2026-03-14T10:00 ", "trailing space"},
		{"2026-03-14T10:00Zjunk", "garbage after Z"},
		{"2026-03-14T10:00+05:30x", "garbage after an offset"},
		{"", "empty"},
		{"2026-3-14T10:00", "one-digit month"},
		{"2026-03-4T10:00", "one-digit day"},
		{"2026-03-14T9:00", "one-digit hour"},
		{"2026-03-14 10:00", "space instead of T"},
		{"2026-03-14t10:00", "lower-case t"},
		{"2026/03/14T10:00", "slashes"},
		{"2026-03-14T10:00+0530", "offset without a colon"},
		{"2026-03-14T10:00+05", "offset without minutes"},
		{"2026-03-14T10:00+15:00", "offset past 14 hours"},
		{"2026-03-14T10:00+05:60", "offset minute 60"},
		{"2026-03-14T10:00z", "lower-case z"},
		{"+2026-03-14T10:00", "leading sign"},
		{" 2026-03-14T10:00", "leading space"},
	};
	return cr_make_param_array(struct invalid_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct invalid_case *c, isotime, parse_invalid)
{
	struct isotime t;
	cr_assert_not(isotime_parse(c->text, strlen(c->text), &t),
		      "'%s' (%s) must not parse", c->text, c->why);
}

Test(isotime, parse_reads_exactly_len_bytes)
{
	static const char s[] = "2026-03-14T10:00junk";
	struct isotime t;
	cr_assert(isotime_parse(s, 16, &t),
		  "the first 16 bytes are a valid time");
	cr_assert_eq(t.wall, D_2026_03_14 * DAY + 36000);
	cr_assert_not(isotime_parse(s, 15, &t), "15 bytes cut the minutes");
	cr_assert_not(isotime_parse(s, sizeof(s) - 1, &t), "the junk counts");
}

Test(isotime, parse_rejects_embedded_nul)
{
	static const char s[] = "2026-03-14T10:00\0Z";
	struct isotime t;
	cr_assert_not(isotime_parse(s, sizeof(s) - 1, &t));
}

Test(isotime, leap_years)
{
	struct isotime t;
	cr_assert_not(isotime_parse("2026-02-29T00:00", 16, &t));
	cr_assert(isotime_parse("2028-02-29T00:00", 16, &t));
	cr_assert_eq(isotime_day(&t), D_2028_02_29);
	cr_assert(isotime_parse("2000-02-29T00:00", 16, &t),
		  "2000 is divisible by 400");
	cr_assert_not(isotime_parse("2100-02-29T00:00", 16, &t), "2100 is not");
}

/* ---- differences --------------------------------------------------------- */

struct diff_case {
	char a[32], b[32];
	int64_t seconds;
	char what[64];
};

ParameterizedTestParameters(isotime, diff)
{
	static struct diff_case cases[] = {
		{"2026-03-14T10:00", "2026-03-14T11:00", 3600, "one hour"},
		{"2026-03-14T11:00", "2026-03-14T10:00", -3600, "negative"},
		{"2026-03-14T10:00", "2026-03-14T10:00", 0, "same time"},
		{"2026-03-14T10:00:10", "2026-03-14T10:01:09", 59, "seconds"},
		{"2026-03-14T23:30", "2026-03-15T00:45", 4500,
		 "across midnight"},
		{"2026-03-14T23:00", "2026-03-15T02:00", 10800,
		 "hydration 23:00-02:00"},
		{"2026-12-31T23:00", "2027-01-01T01:00", 7200,
		 "across the year end"},
		{"2028-02-28T23:00", "2028-03-01T01:00", 26 * 3600,
		 "across Feb 29"},
		{"2026-02-28T23:00", "2026-03-01T01:00", 2 * 3600,
		 "no Feb 29 in 2026"},
		/* both with offsets: instants */
		{"2026-03-14T10:00+01:00", "2026-03-14T10:00Z", 3600,
		 "same wall time, one hour apart as instants"},
		{"2026-03-08T01:30-05:00", "2026-03-08T03:30-04:00", 3600,
		 "DST change: two wall hours, one real hour"},
		{"2026-11-01T01:30-04:00", "2026-11-01T01:30-05:00", 3600,
		 "DST end: same wall time, one hour later"},
		{"2026-03-14T23:30-05:00", "2026-03-15T06:00+01:00", 30 * 60,
		 "instants across midnight and offsets"},
		/* one offset missing: wall clock */
		{"2026-03-14T10:00+01:00", "2026-03-14T10:30", 1800,
		 "only a has an offset: wall clock"},
		{"2026-03-14T10:00", "2026-03-14T10:30-05:00", 1800,
		 "only b has an offset: wall clock"},
		{"2026-03-08T01:30", "2026-03-08T03:30", 7200,
		 "no offsets: wall clock"},
	};
	return cr_make_param_array(struct diff_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct diff_case *c, isotime, diff)
{
	struct isotime a = parse_ok(c->a), b = parse_ok(c->b);
	int64_t d = isotime_diff(&a, &b);
	cr_assert_eq(d, c->seconds, "%s: %s -> %s is %lld s, expected %lld",
		     c->what, c->a, c->b, (long long)d, (long long)c->seconds);
}

/* ---- days ---------------------------------------------------------------- */

Test(isotime, day_is_the_wall_clock_date)
{
	struct isotime t = parse_ok("2026-03-14T00:00");
	cr_assert_eq(isotime_day(&t), D_2026_03_14);
	t = parse_ok("2026-03-14T23:59:59");
	cr_assert_eq(isotime_day(&t), D_2026_03_14);
	t = parse_ok("2026-03-15T00:00");
	cr_assert_eq(isotime_day(&t), D_2026_03_14 + 1);
	/* 23:30 at -05:00 is the next day in UTC, but the date is the wall date */
	t = parse_ok("2026-03-14T23:30-05:00");
	cr_assert_eq(isotime_day(&t), D_2026_03_14);
	t = parse_ok("2026-12-31T23:59");
	cr_assert_eq(isotime_day(&t), D_2026_12_31);
	t = parse_ok("2027-01-01T00:01");
	cr_assert_eq(isotime_day(&t), D_2027_01_01);
	t = parse_ok("1970-01-01T12:00");
	cr_assert_eq(isotime_day(&t), 0);
	t = parse_ok("1969-12-31T23:00");
	cr_assert_eq(isotime_day(&t), -1, "before 1970 the day rounds down");
}

/* ---- formatting ---------------------------------------------------------- */

struct format_case {
	char in[32], out[32];
};

ParameterizedTestParameters(isotime, format_round_trip)
{
	static struct format_case cases[] = {
		{"2026-03-14T10:00", "2026-03-14T10:00"},
		{"2026-03-14T10:00:05", "2026-03-14T10:00:05"},
		{"2026-03-14T10:00:00", "2026-03-14T10:00"},
		{"2026-03-14T00:00", "2026-03-14T00:00"},
		{"2026-12-31T23:59:59", "2026-12-31T23:59:59"},
		{"2028-02-29T07:08", "2028-02-29T07:08"},
		{"1969-12-31T23:00", "1969-12-31T23:00"},
		{"2026-03-14T10:00+05:30", "2026-03-14T10:00"},
		{"2026-03-14T10:00Z", "2026-03-14T10:00"},
	};
	return cr_make_param_array(struct format_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct format_case *c, isotime, format_round_trip)
{
	char buf[32];
	struct isotime t = parse_ok(c->in);
	isotime_format(&t, buf, sizeof(buf));
	cr_assert_str_eq(buf, c->out, "format of '%s'", c->in);
	struct isotime back = parse_ok(buf);
	cr_assert_eq(back.wall, t.wall, "'%s' must parse back to the same time",
		     buf);
}

Test(isotime, format_date)
{
	char buf[16];
	isotime_format_date((int32_t)D_2026_03_14, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2026-03-14");
	isotime_format_date(0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1970-01-01");
	isotime_format_date((int32_t)D_2028_02_29, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2028-02-29");
	isotime_format_date(-1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1969-12-31");
}

/* Spans of rule periods and dated values, as their messages name them. */
struct span_case {
	int32_t from, to;
	enum isotime_open_end end;
	char out[48];
};

ParameterizedTestParameters(isotime, format_span)
{
	static struct span_case cases[] = {
		{(int32_t)D_2026_03_14, (int32_t)D_2026_12_31, ISOTIME_FROM,
		 "2026-03-14 through 2026-12-31"},
		{(int32_t)D_2026_03_14, (int32_t)D_2026_12_31, ISOTIME_OR_LATER,
		 "2026-03-14 through 2026-12-31"},
		{(int32_t)D_2027_01_01, (int32_t)D_2027_01_01, ISOTIME_FROM,
		 "2027-01-01 through 2027-01-01"},
		{INT32_MIN, (int32_t)D_2026_12_31, ISOTIME_FROM,
		 "through 2026-12-31"},
		{INT32_MIN, (int32_t)D_2026_12_31, ISOTIME_OR_LATER,
		 "through 2026-12-31"},
		{(int32_t)D_2027_01_01, INT32_MAX, ISOTIME_FROM,
		 "from 2027-01-01"},
		{(int32_t)D_2027_01_01, INT32_MAX, ISOTIME_OR_LATER,
		 "2027-01-01 or later"},
		{INT32_MIN, INT32_MAX, ISOTIME_FROM, "all dates"},
		{INT32_MIN, INT32_MAX, ISOTIME_OR_LATER, "all dates"},
		{-1, 0, ISOTIME_FROM, "1969-12-31 through 1970-01-01"},
	};
	return cr_make_param_array(struct span_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct span_case *c, isotime, format_span)
{
	char buf[48];
	isotime_format_span(c->from, c->to, c->end, buf, sizeof(buf));
	cr_assert_str_eq(buf, c->out, "span %d..%d", (int)c->from, (int)c->to);
}

Test(isotime, format_span_widest_fits)
{
	/* the longest dates an int32_t day can be (seven-digit years, one
	 * negative) still fit the documented 48 bytes, uncut */
	char buf[48], f[16], t[16], want[64];
	isotime_format_date(INT32_MIN + 1, f, sizeof(f));
	isotime_format_date(INT32_MAX - 1, t, sizeof(t));
	snprintf(want, sizeof(want), "%s through %s", f, t);
	isotime_format_span(INT32_MIN + 1, INT32_MAX - 1, ISOTIME_FROM, buf,
			    sizeof(buf));
	cr_assert_str_eq(buf, want);
	cr_assert_gt(strlen(f), 10, "'%s' must be a long year", f);
}

/* ---- dates --------------------------------------------------------------- */

Test(isotime, parse_date)
{
	int32_t d = -12345;
	cr_assert(isotime_parse_date("2026-03-14", 10, &d));
	cr_assert_eq(d, D_2026_03_14);
	cr_assert(isotime_parse_date("1970-01-01", 10, &d));
	cr_assert_eq(d, 0);
	cr_assert(isotime_parse_date("2028-02-29", 10, &d));
	cr_assert_eq(d, D_2028_02_29);
	cr_assert(isotime_parse_date("2027-01-01", 10, &d));
	cr_assert_eq(d, D_2027_01_01);
}

ParameterizedTestParameters(isotime, parse_date_invalid)
{
	static struct invalid_case cases[] = {
		{"", "empty"},
		{"2026-02-29", "February 29 in a non-leap year"},
		{"2026-13-01", "month 13"},
		{"2026-04-31", "April 31"},
		{"2026-3-14", "one-digit month"},
		{"2026-03-14T10:00", "a date-time, not a date"},
		{"2026-03-14 ", "trailing space"},
		{"26-03-14", "two-digit year"},
		{"20260314", "no dashes"},
	};
	return cr_make_param_array(struct invalid_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct invalid_case *c, isotime, parse_date_invalid)
{
	int32_t d;
	cr_assert_not(isotime_parse_date(c->text, strlen(c->text), &d),
		      "'%s' (%s) must not parse as a date", c->text, c->why);
}

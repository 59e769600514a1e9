/*
 * isotime — strict ISO 8601 parsing and calendar arithmetic; see isotime.h.
 * Day numbers use the proleptic Gregorian calendar (H. Hinnant's algorithm).
 */
#include "config.h"

#include <stdio.h>

#include "isotime.h"

static int64_t
days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe =
		(doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Reads n digits at s[*i]; false if any is not a digit. */
static bool
digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;
	for (int k = 0; k < n; k++, (*i)++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return false;
		v = v * 10 + (s[*i] - '0');
	}
	*out = v;
	return true;
}

static bool
expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
valid_date(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

/* YYYY-MM-DD at s[*i]. */
static bool
parse_ymd(const char *s, size_t len, size_t *i, int64_t *days)
{
	int y, m, d;
	if (!digits(s, len, i, 4, &y) || !expect(s, len, i, '-') ||
	    !digits(s, len, i, 2, &m) || !expect(s, len, i, '-') ||
	    !digits(s, len, i, 2, &d) || !valid_date(y, m, d))
		return false;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

static bool
parse_offset(const char *s, size_t len, size_t *i, struct isotime *out)
{
	if (*i == len)
		return true;
	if (s[*i] == 'Z') {
		(*i)++;
		out->has_offset = true;
		return *i == len;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return false;
	int sign = s[(*i)++] == '-' ? -1 : 1, oh, om;
	if (!digits(s, len, i, 2, &oh) || !expect(s, len, i, ':') ||
	    !digits(s, len, i, 2, &om) || oh > 14 || om > 59)
		return false;
	out->has_offset = true;
	out->offset = sign * (oh * 60 + om);
	return *i == len;
}

bool
isotime_parse(const char *s, size_t len, struct isotime *out)
{
	size_t i = 0;
	int64_t days;
	int hh, mm, ss = 0;

	*out = (struct isotime){0};
	if (!parse_ymd(s, len, &i, &days) || !expect(s, len, &i, 'T') ||
	    !digits(s, len, &i, 2, &hh) || !expect(s, len, &i, ':') ||
	    !digits(s, len, &i, 2, &mm) || hh > 23 || mm > 59)
		return false;
	if (i < len && s[i] == ':') {
		i++;
		if (!digits(s, len, &i, 2, &ss) || ss > 59)
			return false;
	}
	if (!parse_offset(s, len, &i, out))
		return false;
	out->wall = days * 86400 + hh * 3600 + mm * 60 + ss;
	return true;
}

bool
isotime_parse_date(const char *s, size_t len, int32_t *days)
{
	size_t i = 0;
	int64_t d;
	if (!parse_ymd(s, len, &i, &d) || i != len)
		return false;
	*days = (int32_t)d;
	return true;
}

int64_t
isotime_diff(const struct isotime *a, const struct isotime *b)
{
	int64_t d = b->wall - a->wall;
	if (a->has_offset && b->has_offset)
		d -= (int64_t)(b->offset - a->offset) * 60;
	return d;
}

int32_t
isotime_day(const struct isotime *t)
{
	int64_t w = t->wall;
	return (int32_t)((w >= 0 ? w : w - 86399) / 86400);
}

void
isotime_format(const struct isotime *t, char *buf, size_t size)
{
	int y;
	unsigned m, d;
	int64_t day = isotime_day(t);
	int64_t sec = t->wall - day * 86400;
	civil_from_days(day, &y, &m, &d);
	if (sec % 60)
		snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d", y, m, d,
			 (int)(sec / 3600), (int)(sec / 60 % 60),
			 (int)(sec % 60));
	else
		snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d", y, m, d,
			 (int)(sec / 3600), (int)(sec / 60 % 60));
}

void
isotime_format_date(int32_t days, char *buf, size_t size)
{
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04d-%02u-%02u", y, m, d);
}

void
isotime_format_span(int32_t from, int32_t to, enum isotime_open_end end,
		    char *buf, size_t size)
{
	char f[16], t[16];
	isotime_format_date(from, f, sizeof(f));
	isotime_format_date(to, t, sizeof(t));
	if (from == INT32_MIN && to == INT32_MAX)
		snprintf(buf, size, "all dates");
	else if (from == INT32_MIN)
		snprintf(buf, size, "through %s", t);
	else if (to == INT32_MAX && end == ISOTIME_OR_LATER)
		snprintf(buf, size, "%s or later", f);
	else if (to == INT32_MAX)
		snprintf(buf, size, "from %s", f);
	else
		snprintf(buf, size, "%s through %s", f, t);
}

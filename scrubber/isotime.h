/*
 * isotime — the ISO 8601 date-times of claim documents:
 * YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM].  No time zone database, no locale,
 * no clock: pure arithmetic on the civil calendar.
 */
#ifndef SCRUBBER_ISOTIME_H
#define SCRUBBER_ISOTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct isotime {
	int64_t wall; /* seconds from 1970-01-01T00:00 to the wall-clock time */
	int offset;   /* minutes east of UTC when has_offset */
	bool has_offset;
};

/* Parses exactly len bytes of s; false when it is not a valid date-time
 * (bad form, month 13, February 30, hour 24 ...). */
bool isotime_parse(const char *s, size_t len, struct isotime *out);

/* Parses a date YYYY-MM-DD into days since 1970-01-01; false when invalid. */
bool isotime_parse_date(const char *s, size_t len, int32_t *days);

/* Seconds from a to b: as instants when both carry an offset, else as
 * wall-clock times. */
int64_t isotime_diff(const struct isotime *a, const struct isotime *b);

/* Days since 1970-01-01 of the wall-clock date. */
int32_t isotime_day(const struct isotime *t);

/* "YYYY-MM-DDTHH:MM" (":SS" when not zero) into buf of at least 32 bytes. */
void isotime_format(const struct isotime *t, char *buf, size_t size);

/* "YYYY-MM-DD" for a day number, into buf of at least 16 bytes. */
void isotime_format_date(int32_t days, char *buf, size_t size);

/* How a span open at its end reads: "from 2027-01-01" in a list of periods,
 * "2027-01-01 or later" after "dated" in a sentence. */
enum isotime_open_end { ISOTIME_FROM, ISOTIME_OR_LATER };

/* The days from..to, inclusive, INT32_MIN / INT32_MAX for an open end (as
 * rule periods and dated rule values keep them): "2027-01-01 through
 * 2027-06-30", "through 2026-12-31", "from 2027-01-01" (or "2027-01-01 or
 * later") and, open at both ends, "all dates"; into buf of at least 48
 * bytes.  The one wording of a span for every message that names one. */
void isotime_format_span(int32_t from, int32_t to, enum isotime_open_end end,
			 char *buf, size_t size);

#endif

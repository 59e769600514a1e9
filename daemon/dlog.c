/*
 * dlog — key=value event log on stderr; see dlog.h.  JSON is made from the
 * same key=value text: a bare value that is a number stays one, any other
 * becomes a string, and a quoted one (dlog_quote's escapes: \" \\ \xNN)
 * is unescaped into JSON's.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/dlog.h"

const char *const dlog_level_names[] = {"debug", "info", "warning", "error",
					NULL};
const char *const dlog_format_names[] = {"logfmt", "json", NULL};

static enum dlog_level min_level = DLOG_INFO;
static enum dlog_format format = DLOG_LOGFMT;
static int journal;

void
dlog_init(enum dlog_level min, enum dlog_format fmt)
{
	min_level = min;
	format = fmt;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

/* The wall clock as 2026-12-06T21:05:17.123Z into buf (25 bytes). */
static void
timestamp(char buf[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Whether s (n bytes) is a number as JSON writes one: -?(0|[1-9]d*)(.d+)? */
static bool
number(const char *s, size_t n)
{
	size_t i = s[0] == '-', digits = 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++, digits++;
	if (digits == 0 || (digits > 1 && s[s[0] == '-'] == '0'))
		return false;
	if (i < n && s[i] == '.') {
		size_t frac = ++i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == frac)
			return false;
	}
	return i == n;
}

/* s (n bytes) inside a JSON string: " and \ escaped (control characters
 * are gone already). */
static void
json_raw(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fputc('\\', out);
		fputc(s[i], out);
	}
}

/* One value at *p (bare or quoted) as JSON; moves *p past it. */
static void
json_value(FILE *out, const char **p)
{
	const char *s = *p;
	if (*s != '"') {
		size_t n = strcspn(s, " ");
		if (n && number(s, n)) {
			fprintf(out, "%.*s", (int)n, s);
		} else {
			fputc('"', out);
			json_raw(out, s, n);
			fputc('"', out);
		}
		*p = s + n;
		return;
	}
	fputc('"', out);
	for (s++; *s && *s != '"'; s++) {
		if (*s != '\\') {
			fputc(*s, out);
		} else if (!s[1]) { /* cut short after a backslash */
			fputs("\\\\", out);
		} else if (s[1] == 'x' && isxdigit((unsigned char)s[2]) &&
			   isxdigit((unsigned char)s[3])) {
			fprintf(out, "\\u00%c%c", s[2], s[3]);
			s += 3;
		} else {
			fputc('\\', out);
			fputc(*++s, out);
		}
	}
	fputc('"', out);
	*p = *s ? s + 1 : s;
}

/* The fields of line (key=value ...) as JSON members. */
static void
json_fields(FILE *out, const char *line)
{
	for (const char *p = line; *p;) {
		while (*p == ' ')
			p++;
		size_t k = strcspn(p, "= ");
		if (!*p || p[k] != '=') { /* not key=value: kept as text */
			if (*p) {
				fputs(",\"text\":\"", out);
				json_raw(out, p, strlen(p));
				fputc('"', out);
			}
			return;
		}
		fprintf(out, ",\"%.*s\":", (int)k, p);
		p += k + 1;
		json_value(out, &p);
	}
}

void
dlog(enum dlog_level level, const char *event, const char *fmt, ...)
{
	/* syslog priorities for the journal: debug 7, info 6, warning 4, err 3 */
	static const int prio[] = {7, 6, 4, 3};
	char line[1024], ts[32] = "";
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* a value someone forgot to quote still cannot start a line of its own
	 * or move the terminal: control characters become '?' */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = '?';
	if (journal)
		fprintf(stderr, "<%d>", prio[level]);
	else
		timestamp(ts);
	if (format == DLOG_JSON) {
		fputc('{', stderr);
		if (ts[0])
			fprintf(stderr, "\"ts\":\"%s\",", ts);
		fprintf(stderr, "\"level\":\"%s\",\"event\":\"%s\"",
			dlog_level_names[level], event);
		json_fields(stderr, line);
		fputs("}\n", stderr);
		return;
	}
	fprintf(stderr, "%s%s%slevel=%s event=%s%s%s\n", ts[0] ? "ts=" : "", ts,
		ts[0] ? " " : "", dlog_level_names[level], event,
		line[0] ? " " : "", line);
}

const char *
dlog_quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	if (size < 8)
		return "";
	buf[o++] = '"';
	for (; s && *s && o + 6 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7F) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

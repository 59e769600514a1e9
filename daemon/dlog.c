/*
 * dlog — key=value event log on stderr; see dlog.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/dlog.h"

const char *const dlog_level_names[] = {"debug", "info", "warning", "error",
					NULL};

static enum dlog_level min_level = DLOG_INFO;
static int journal;

void
dlog_init(enum dlog_level min)
{
	min_level = min;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

void
dlog(enum dlog_level level, const char *event, const char *fmt, ...)
{
	/* syslog priorities for the journal: debug 7, info 6, warning 4, err 3 */
	static const int prio[] = {7, 6, 4, 3};
	char line[1024];
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
	fprintf(stderr, "level=%s event=%s%s%s\n", dlog_level_names[level],
		event, line[0] ? " " : "", line);
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

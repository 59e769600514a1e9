/*
 * dlog — the daemon's log: one line per event on stderr,
 * `level=info event=batch claims=500 ms=12`, with a journald priority prefix
 * (<6>) when stderr is the journal.  Values from outside (claim ids, server
 * messages) go through dlog_quote so a log line is always one line; dlog
 * also turns any control character left in a line into '?'.
 */
#ifndef DAEMON_DLOG_H
#define DAEMON_DLOG_H

#include <stddef.h>

enum dlog_level { DLOG_DEBUG, DLOG_INFO, DLOG_WARNING, DLOG_ERROR };

extern const char *const dlog_level_names[];

/* Sets the lowest level printed; reads JOURNAL_STREAM for the prefix. */
void dlog_init(enum dlog_level min);

/* Logs `event` with printf-formatted key=value fields. */
void dlog(enum dlog_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s as a quoted, escaped log value ("a b" -> "\"a b\""), cut to fit buf. */
const char *dlog_quote(const char *s, char *buf, size_t size);

#endif

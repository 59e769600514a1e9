/*
 * dlog — the daemon's (and the workbench's) log: one line per event on
 * stderr.  logfmt, `ts=2026-12-06T21:05:17.123Z level=info event=batch
 * claims=500 ms=12`, or JSON Lines, `{"ts":"...","level":"info",
 * "event":"batch","claims":500,"ms":12}`.  Under journald (JOURNAL_STREAM)
 * there is no ts (the journal stamps each line) and each line starts with
 * its priority (<6>).  Values from outside (claim ids, server messages) go
 * through dlog_quote so a log line is always one line; dlog also turns any
 * control character left in a line into '?'.
 */
#ifndef DAEMON_DLOG_H
#define DAEMON_DLOG_H

#include <stddef.h>

enum dlog_level { DLOG_DEBUG, DLOG_INFO, DLOG_WARNING, DLOG_ERROR };
enum dlog_format { DLOG_LOGFMT, DLOG_JSON };

extern const char *const dlog_level_names[];
extern const char *const dlog_format_names[]; /* "logfmt", "json" */

/* Sets the lowest level printed and the format; reads JOURNAL_STREAM. */
void dlog_init(enum dlog_level min, enum dlog_format format);

/* Logs `event` with printf-formatted key=value fields (values bare, or
 * quoted with dlog_quote). */
void dlog(enum dlog_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s as a quoted, escaped log value ("a b" -> "\"a b\""), cut to fit buf. */
const char *dlog_quote(const char *s, char *buf, size_t size);

#endif

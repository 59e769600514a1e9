/*
 * notify — the sd_notify datagram protocol, spoken directly (no libsystemd):
 * one "KEY=VALUE\n..." datagram per call to the Unix socket named by
 * NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).  Without
 * NOTIFY_SOCKET every call is a no-op; a failed send is ignored, since the
 * daemon works the same without a supervisor.
 */
#ifndef DAEMON_NOTIFY_H
#define DAEMON_NOTIFY_H

/* READY=1, with STATUS=status when status is not NULL. */
void notify_ready(const char *status);

/* STATUS= with a printf-formatted line (newlines become spaces). */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* RELOADING=1: a reload has begun; READY=1 (notify_ready) ends it. */
void notify_reloading(void);

/* STOPPING=1: shutdown has begun. */
void notify_stopping(void);

/* WATCHDOG=1: the service is alive. */
void notify_watchdog(void);

/* The watchdog interval in microseconds from WATCHDOG_USEC, or 0 when there
 * is none, it is malformed, or WATCHDOG_PID names another process. */
long notify_watchdog_usec(void);

#endif

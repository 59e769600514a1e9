/*
 * notify — sd_notify(3) without libsystemd.  Each call opens a datagram
 * socket, sends one message to $NOTIFY_SOCKET and closes it: messages are
 * rare (readiness, a status line every few seconds, watchdog pings), and no
 * descriptor is held across fork or reload.  Errors are never fatal.
 */
#include "config.h"

#include "daemon/notify.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Sends msg to $NOTIFY_SOCKET; false (ignored by callers) on any failure. */
static bool
send_msg(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len;

	if (!path || !*path || (path[0] != '/' && path[0] != '@'))
		return false;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract: no trailing NUL counted */
	else
		len++;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ssize_t n;
	do {
		n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
			   (const struct sockaddr *)&sa,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				       len));
	} while (n < 0 && errno == EINTR);
	close(fd);
	return n >= 0;
}

/* msg = prefix + "STATUS=" + status with newlines flattened. */
static void
send_with_status(const char *prefix, const char *status)
{
	char msg[1024];
	int off = snprintf(msg, sizeof(msg), "%sSTATUS=", prefix);
	if (off < 0 || (size_t)off >= sizeof(msg))
		return;
	snprintf(msg + off, sizeof(msg) - (size_t)off, "%s", status);
	for (char *p = msg + off; *p; p++)
		if (*p == '\n')
			*p = ' ';
	send_msg(msg);
}

void
notify_ready(const char *status)
{
	if (status)
		send_with_status("READY=1\n", status);
	else
		send_msg("READY=1");
}

void
notify_status(const char *fmt, ...)
{
	char status[900];
	va_list ap;
	if (!getenv("NOTIFY_SOCKET"))
		return;
	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	send_with_status("", status);
}

void
notify_reloading(void)
{
	send_msg("RELOADING=1");
}

void
notify_stopping(void)
{
	send_msg("STOPPING=1");
}

void
notify_watchdog(void)
{
	send_msg("WATCHDOG=1");
}

/* A decimal number that fills s, > 0; else 0. */
static long
parse_positive(const char *s)
{
	char *end;
	if (!s || !*s)
		return 0;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0 || v > LONG_MAX)
		return 0;
	return (long)v;
}

long
notify_watchdog_usec(void)
{
	const char *pid = getenv("WATCHDOG_PID");
	if (pid && parse_positive(pid) != (long)getpid())
		return 0;
	return parse_positive(getenv("WATCHDOG_USEC"));
}

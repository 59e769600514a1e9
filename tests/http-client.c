/*
 * http-client — a hostile HTTP client for tests/pg/http-hostile.sh, so the
 * test needs neither python nor netcat.  Two modes, both against
 * 127.0.0.1:PORT:
 *
 *   http-client send PORT FILE
 *       sends FILE's bytes as they are (NULs, garbage, several requests),
 *       then reads until the server closes or 5 s pass, and prints every
 *       status line of the answer ("HTTP/1.1 400 Bad Request"), or "closed"
 *       when the server closed without a status line, or "no answer" when
 *       it neither answered nor closed.  Exit 0 once connected, 1 when the
 *       connection was refused.
 *
 *   http-client slow PORT N SECONDS [silent]
 *       opens N connections at once, then for SECONDS sends on each still
 *       open one byte a second of an endless header (slowloris), or nothing
 *       at all with `silent`.  Prints one line:
 *       "opened=N dropped=M max_life_ms=L still_open=K": M connections the
 *       server closed, L the longest any lived before it was closed, K those
 *       still open at the end.
 *
 *   http-client churn PORT SECONDS
 *       for SECONDS (or until SIGTERM) opens connections in bursts of 256
 *       and closes them at once, as fast as it can: a quarter closed
 *       plainly, a quarter reset, half after sending a request (closed or
 *       reset) without reading the answer.  They come from 127.0.0.2-9,
 *       so their ports (and TIME_WAITs) are not the checker's.  Prints
 *       "connections=N failed=M".
 *
 *   http-client check PORT N [PAUSE_MS [SECONDS]]
 *       N sequential GET /healthz, each on a fresh connection with
 *       "Connection: close", PAUSE_MS (default 0) apart, as a monitor
 *       spaces its checks; one fails unless it is a well-formed 200 with
 *       its whole body within 10 s.  With SECONDS, no check starts after
 *       that long (a slow machine makes fewer checks, never a longer
 *       test).  Prints "requests=R failures=F p50_ms=.. p90_ms=..
 *       p99_ms=.. max_ms=..", R the checks made, and each failure's
 *       reason on standard error.
 *
 *   http-client pair PORT PATH
 *       sends "HEAD PATH" and "GET PATH" (Connection: close) on one
 *       connection, reads until the server closes, and parses what came as
 *       two responses, the first without a body.  Prints "head=S/L get=S/L
 *       body=B extra=E" (status, Content-Length, -1 when absent, the GET
 *       body's length, bytes after the second response), or "malformed:
 *       ..." with the bytes that did not parse.
 *
 *   http-client fdpeak PID SECONDS
 *       counts PID's open descriptors every millisecond for SECONDS (or
 *       until it exits, or SIGTERM) and prints "peak=N".
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOW_MAX 1000

static long long
now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* churn and fdpeak stop early on SIGTERM, and still print their line */
static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* True until the deadline passes or SIGTERM comes. */
static bool
going(long long end)
{
	return !stop && now_ms() < end;
}

static int
dial(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Prints the status lines in the answer; the rest is body or headers. */
static void
print_status_lines(const char *buf, size_t len)
{
	int seen = 0;
	for (size_t i = 0; i + 5 <= len; i++) {
		if ((i == 0 || buf[i - 1] == '\n') &&
		    memcmp(buf + i, "HTTP/", 5) == 0) {
			size_t e = i;
			while (e < len && buf[e] != '\r' && buf[e] != '\n')
				e++;
			printf("%.*s\n", (int)(e - i), buf + i);
			seen++;
		}
	}
	if (!seen)
		printf("closed\n");
}

static int
do_send(int port, const char *path)
{
	static char in[1 << 20], out[1 << 16];
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 2;
	}
	size_t n = fread(in, 1, sizeof(in), f);
	fclose(f);
	int fd = dial(port);
	if (fd < 0) {
		printf("refused\n");
		return 1;
	}
	/* the server may close before taking it all: that is an answer too */
	for (size_t off = 0; off < n;) {
		ssize_t w = send(fd, in + off, n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	size_t got = 0;
	long long deadline = now_ms() + 5000;
	bool closed = false;
	while (!closed && got < sizeof(out) && now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			break;
		ssize_t r = recv(fd, out + got, sizeof(out) - got, 0);
		if (r <= 0)
			closed = true;
		else
			got += (size_t)r;
	}
	close(fd);
	if (got == 0 && !closed)
		printf("no answer\n");
	else
		print_status_lines(out, got);
	return 0;
}

struct slow_conn {
	int fd;
	long long opened, closed_at;
};

/* One second of the slow clients: a byte each (unless silent), then notes
 * every connection the server closed. */
static void
slow_tick(struct slow_conn *c, int n, bool silent, long long *max_life)
{
	static const char header[] = "GET /healthz HTTP/1.1\r\nX-Slow: ";
	for (int i = 0; i < n; i++) {
		if (c[i].fd < 0)
			continue;
		char buf[512];
		ssize_t r = recv(c[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
		bool gone = r == 0 ||
			    (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
		if (!gone && !silent) {
			long long k = (now_ms() - c[i].opened) / 1000;
			char ch = k < (long long)sizeof(header) - 1 ? header[k]
								    : 'a';
			gone = send(c[i].fd, &ch, 1, MSG_NOSIGNAL) < 0;
		}
		if (gone) {
			c[i].closed_at = now_ms();
			if (c[i].closed_at - c[i].opened > *max_life)
				*max_life = c[i].closed_at - c[i].opened;
			close(c[i].fd);
			c[i].fd = -1;
		}
	}
}

static int
do_slow(int port, int n, int seconds, bool silent)
{
	static struct slow_conn c[SLOW_MAX];
	int opened = 0, dropped = 0, open_now = 0;
	long long max_life = 0;
	for (int i = 0; i < n; i++) {
		c[i].fd = dial(port);
		c[i].opened = now_ms();
		opened += c[i].fd >= 0;
	}
	long long end = now_ms() + (long long)seconds * 1000;
	while (now_ms() < end) {
		slow_tick(c, n, silent, &max_life);
		usleep(1000 * 1000);
	}
	slow_tick(c, n, true, &max_life);
	for (int i = 0; i < n; i++) {
		if (c[i].fd >= 0) {
			open_now++;
			close(c[i].fd);
		} else if (c[i].closed_at) {
			dropped++;
		}
	}
	printf("opened=%d dropped=%d max_life_ms=%lld still_open=%d\n", opened,
	       dropped, max_life, open_now);
	return 0;
}

#define CHURN_BURST 256

/* A non-blocking connection to 127.0.0.1:port from 127.0.0.src, begun;
 * -1 when it cannot even be begun. */
static int
dial_nb(int port, int src)
{
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in from = {.sin_family = AF_INET,
				   .sin_addr.s_addr =
					   htonl(0x7f000000u | (unsigned)src)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* the port is chosen by connect, for this destination: bind alone
	 * would take it from a much smaller pool */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0 ||
	    (connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits until fd is readable (POLLIN) or writable (POLLOUT) or the
 * deadline passes; false on the deadline. */
static bool
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

/* Waits until the n connections are made, or the deadline. */
static void
wait_all(const int *fd, int n, long long deadline)
{
	static struct pollfd p[CHURN_BURST];
	int left = n;
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = fd[i], .events = POLLOUT};
	while (left > 0 && now_ms() < deadline) {
		if (poll(p, (nfds_t)n, (int)(deadline - now_ms())) <= 0)
			break;
		for (int i = 0; i < n; i++) {
			if (p[i].fd >= 0 && p[i].revents) {
				p[i].fd = -1; /* poll skips it from now on */
				left--;
			}
		}
	}
}

/* Closes one churn connection in one of four ways, by k. */
static void
churn_close(int fd, unsigned k)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	struct linger rst = {1, 0};
	if (k % 4 == 1 || k % 4 == 2)
		(void)!send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
	if (k % 4 >= 2)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(fd);
}

static int
do_churn(int port, int seconds)
{
	static int fd[CHURN_BURST];
	long long end = now_ms() + (long long)seconds * 1000;
	long long conns = 0, failed = 0;
	unsigned k = 0;
	for (int round = 0; going(end); round++) {
		int n = 0;
		for (int i = 0; i < CHURN_BURST; i++) {
			int f = dial_nb(port, 2 + round % 8);
			if (f < 0)
				failed++;
			else
				fd[n++] = f;
		}
		/* a connection the backlog has not taken is closed unfinished:
		 * waiting longer would let the server set the pace */
		wait_all(fd, n, now_ms() + 20);
		for (int i = 0; i < n; i++)
			churn_close(fd[i], k++);
		conns += n;
	}
	printf("connections=%lld failed=%lld\n", conns, failed);
	return 0;
}

struct resp {
	int status;
	long long length; /* Content-Length; -1: none */
	size_t size;	  /* status line, headers and body */
};

/* The value of header name (with its colon) in the header block
 * [buf, end), as a number; -1 when absent. */
static long long
header_num(const char *buf, const char *end, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = buf; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		p = nl + 1;
		if ((size_t)(end - p) > n && strncasecmp(p, name, n) == 0)
			return strtoll(p + n, NULL, 10);
	}
	return -1;
}

/* Parses the response at buf: false unless it is a status line and headers
 * and, but for a HEAD answer, a body of exactly Content-Length bytes. */
static bool
parse_response(const char *buf, size_t len, bool head, struct resp *r)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || !end)
		return false;
	r->status = atoi(buf + 9);
	r->length = header_num(buf, end, "Content-Length:");
	size_t size = (size_t)(end + 4 - buf);
	if (!head) {
		if (r->length < 0 || (size_t)r->length > len - size)
			return false;
		size += (size_t)r->length;
	}
	r->size = size;
	return true;
}

/* Reads from fd until the server closes or the deadline; the bytes read.
 * *closed tells whether it closed. */
static size_t
read_all(int fd, char *buf, size_t size, long long deadline, bool *closed)
{
	size_t got = 0;
	*closed = false;
	while (got < size && wait_fd(fd, POLLIN, deadline)) {
		ssize_t r = recv(fd, buf + got, size - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			*closed = true;
			break;
		}
		got += (size_t)r;
	}
	return got;
}

/* One GET /healthz on a fresh connection: NULL when it was a well-formed
 * 200 with its body, else why not. */
static const char *
check_once(int port)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";
	static char buf[8192];
	long long deadline = now_ms() + 10000;
	int err = 0;
	socklen_t el = sizeof(err);
	int fd = dial_nb(port, 1);
	if (fd < 0)
		return "cannot connect";
	const char *why = NULL;
	bool closed;
	struct resp r;
	if (!wait_fd(fd, POLLOUT, deadline))
		why = "connect timed out";
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err)
		why = "connect failed";
	else if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) !=
		 (ssize_t)sizeof(req) - 1)
		why = "send failed";
	if (!why) {
		size_t got = read_all(fd, buf, sizeof(buf), deadline, &closed);
		if (got == 0)
			why = closed ? "closed without an answer" : "no answer";
		else if (!parse_response(buf, got, false, &r))
			why = "malformed or cut short";
		else if (r.status != 200)
			why = "not 200";
		else if (r.size != got)
			why = "bytes after the answer";
	}
	close(fd);
	return why;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static int
do_check(int port, int n, int pause_ms, int seconds)
{
	long long *us = calloc((size_t)n, sizeof(*us));
	long long end = seconds > 0 ? now_ms() + seconds * 1000LL : 0;
	int failures = 0, i;
	if (!us)
		return 2;
	for (i = 0; i < n && (i == 0 || !end || now_ms() < end); i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		const char *why = check_once(port);
		clock_gettime(CLOCK_MONOTONIC, &b);
		us[i] = (b.tv_sec - a.tv_sec) * 1000000LL +
			(b.tv_nsec - a.tv_nsec) / 1000;
		if (why) {
			failures++;
			fprintf(stderr, "request %d: %s after %lld ms\n", i + 1,
				why, us[i] / 1000);
		}
		if (pause_ms > 0)
			usleep((useconds_t)pause_ms * 1000);
	}
	n = i; /* the checks made */
	qsort(us, (size_t)n, sizeof(*us), cmp_ll);
	printf("requests=%d failures=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f "
	       "max_ms=%.1f\n",
	       n, failures, us[n / 2] / 1e3, us[n * 9 / 10] / 1e3,
	       us[n * 99 / 100] / 1e3, us[n - 1] / 1e3);
	free(us);
	return 0;
}

/* Prints up to 60 bytes from p, control bytes escaped. */
static void
print_bytes(const char *p, size_t len)
{
	for (size_t i = 0; i < len && i < 60; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('\n');
}

static int
do_pair(int port, const char *path)
{
	static char req[2048], buf[1 << 16];
	int n = snprintf(
		req, sizeof(req),
		"HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n"
		"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		path, path);
	if (n < 0 || (size_t)n >= sizeof(req))
		return 2;
	int fd = dial(port);
	if (fd < 0) {
		printf("refused\n");
		return 1;
	}
	(void)!send(fd, req, (size_t)n, MSG_NOSIGNAL);
	bool closed;
	size_t got = read_all(fd, buf, sizeof(buf), now_ms() + 5000, &closed);
	close(fd);
	struct resp h, g;
	if (!parse_response(buf, got, true, &h)) {
		printf("malformed: ");
		print_bytes(buf, got);
	} else if (!parse_response(buf + h.size, got - h.size, false, &g)) {
		printf("malformed: ");
		print_bytes(buf + h.size, got - h.size);
	} else {
		printf("head=%d/%lld get=%d/%lld body=%lld extra=%zu\n",
		       h.status, h.length, g.status, g.length, g.length,
		       got - h.size - g.size);
	}
	return 0;
}

/* Open descriptors of /proc/PID; -1 once it is gone. */
static int
count_fds(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
do_fdpeak(const char *pid, int seconds)
{
	char dir[64];
	int peak = 0;
	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	long long end = now_ms() + (long long)seconds * 1000;
	while (going(end)) {
		int n = count_fds(dir);
		if (n < 0)
			break;
		if (n > peak)
			peak = n;
		usleep(1000);
	}
	printf("peak=%d\n", peak);
	return 0;
}

static int
num(const char *s)
{
	long v = strtol(s, NULL, 10);
	return v < 0 || v > 65535 ? 0 : (int)v;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "send") == 0)
		return do_send(num(argv[2]), argv[3]);
	if ((argc == 5 || (argc == 6 && strcmp(argv[5], "silent") == 0)) &&
	    strcmp(argv[1], "slow") == 0) {
		int n = num(argv[3]);
		if (n < 1 || n > SLOW_MAX)
			n = SLOW_MAX;
		return do_slow(num(argv[2]), n, num(argv[4]), argc == 6);
	}
	signal(SIGTERM, on_term);
	if (argc == 4 && strcmp(argv[1], "churn") == 0)
		return do_churn(num(argv[2]), num(argv[3]));
	if (argc >= 4 && argc <= 6 && strcmp(argv[1], "check") == 0 &&
	    num(argv[3]) > 0)
		return do_check(num(argv[2]), num(argv[3]),
				argc >= 5 ? num(argv[4]) : 0,
				argc == 6 ? num(argv[5]) : 0);
	if (argc == 4 && strcmp(argv[1], "pair") == 0)
		return do_pair(num(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "fdpeak") == 0)
		return do_fdpeak(argv[2], num(argv[3]));
	fprintf(stderr, "usage: http-client send PORT FILE\n"
			"       http-client slow PORT N SECONDS [silent]\n"
			"       http-client churn PORT SECONDS\n"
			"       http-client check PORT N [PAUSE_MS [SECONDS]]\n"
			"       http-client pair PORT PATH\n"
			"       http-client fdpeak PID SECONDS\n");
	return 2;
}

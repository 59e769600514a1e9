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
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	fprintf(stderr, "usage: http-client send PORT FILE\n"
			"       http-client slow PORT N SECONDS [silent]\n");
	return 2;
}

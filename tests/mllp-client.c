/*
 * mllp-client — an HL7 v2 sender over MLLP for tests/pg/mllp.sh, so the
 * test needs neither python nor netcat.  Against 127.0.0.1:PORT:
 *
 *   mllp-client each PORT FILE
 *       sends each message of FILE (a message starts at a segment "MSH";
 *       LF and CR LF line ends become CR) in its frame, on one connection,
 *       and waits for its ACK before the next.  Prints each ACK's segments,
 *       one a line, or "closed" when the server closed without one (and
 *       sends no more), or "timeout" after 30 s.
 *
 *   mllp-client whole PORT FILE
 *       FILE's bytes as they are in one frame; then as `each`.
 *
 *   mllp-client raw PORT FILE
 *       FILE's bytes as they are, no frame; then as `each`.
 *
 *   mllp-client half PORT FILE
 *       a start block and the first half of FILE's bytes, then closes
 *       without reading.
 *
 *   mllp-client open PORT FILE
 *       a start block and the first half of FILE's bytes, then waits: prints
 *       "closed" when the server closes (a frame that never ends), or
 *       "timeout" after 30 s.
 *
 *   mllp-client idle PORT FILE
 *       sends nothing and waits, as `open` (FILE is not read from).
 *
 * Exit 0 once connected, 1 when the connection failed, 2 usage.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#define ACK_MAX 65536
#define WAIT_MS 30000

static int
connect_to(const char *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char *end;
	long p = strtol(port, &end, 10);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || *end || p <= 0 || p > 65535)
		return -1;
	sa.sin_port = htons((unsigned short)p);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	if (!f)
		return NULL;
	do {
		if (n + 65536 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 65536);
			if (!b)
				break;
			buf = b;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

/* Prints an ACK frame's segments, one a line. */
static void
print_ack(const char *ack, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = ack[i];
		if (c == '\x0b' || c == '\x1c')
			continue;
		putchar(c == '\r' ? '\n' : c);
	}
	fflush(stdout);
}

/* Sends buf (len) while reading what comes back, then reads until a whole
 * ACK frame, EOF or WAIT_MS; prints it.  False when there was no ACK. */
static int
exchange(int fd, const char *buf, size_t len)
{
	char ack[ACK_MAX];
	size_t sent = 0, got = 0;
	int waited = 0;
	while (waited < WAIT_MS) {
		struct pollfd p = {fd, POLLIN | (sent < len ? POLLOUT : 0), 0};
		if (poll(&p, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		if ((p.revents & POLLOUT) && sent < len) {
			ssize_t w = send(fd, buf + sent, len - sent,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				sent += (size_t)w;
			else if (w < 0 && errno != EAGAIN)
				sent = len; /* closed: read what came */
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t r = recv(fd, ack + got, sizeof(ack) - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got >= 2 && memcmp(ack + got - 2, "\x1c\r", 2) == 0) {
			print_ack(ack, got);
			return 1;
		}
	}
	puts(waited >= WAIT_MS ? "timeout" : "closed");
	fflush(stdout);
	return 0;
}

/* buf framed: 0x0B, buf, 0x1C 0x0D; NULL when out of memory. */
static char *
frame(const char *buf, size_t len, size_t *flen)
{
	char *f = malloc(len + 3);
	if (!f)
		return NULL;
	f[0] = '\x0b';
	memcpy(f + 1, buf, len);
	memcpy(f + 1 + len, "\x1c\r", 2);
	*flen = len + 3;
	return f;
}

/* FILE's messages with CR segment ends, one after the other. */
static int
send_each(int fd, char *buf, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' && n && buf[n - 1] == '\r')
			continue;
		buf[n++] = buf[i] == '\n' ? '\r' : buf[i];
	}
	for (size_t start = 0; start < n;) {
		size_t end = start + 3;
		while (end < n && !(buf[end - 1] == '\r' && n - end >= 3 &&
				    memcmp(buf + end, "MSH", 3) == 0))
			end++;
		if (end > n)
			end = n;
		size_t flen;
		char *f = frame(buf + start, end - start, &flen);
		int ok = f && exchange(fd, f, flen);
		free(f);
		if (!ok)
			return 0;
		start = end;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	size_t len = 0, flen;
	if (argc != 4) {
		fputs("usage: mllp-client each|whole|raw|half|open|idle PORT "
		      "FILE\n",
		      stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char *buf = read_file(argv[3], &len);
	if (!buf) {
		perror(argv[3]);
		return 2;
	}
	int fd = connect_to(argv[2]);
	if (fd < 0) {
		perror("connect");
		free(buf);
		return 1;
	}
	const char *mode = argv[1];
	char *f = NULL;
	if (strcmp(mode, "each") == 0) {
		send_each(fd, buf, len);
	} else if (strcmp(mode, "whole") == 0 &&
		   (f = frame(buf, len, &flen)) != NULL) {
		exchange(fd, f, flen);
	} else if (strcmp(mode, "raw") == 0) {
		exchange(fd, buf, len);
	} else if (strcmp(mode, "half") == 0 || strcmp(mode, "open") == 0) {
		if (send(fd, "\x0b", 1, MSG_NOSIGNAL) != 1 ||
		    send(fd, buf, len / 2, MSG_NOSIGNAL) != (ssize_t)(len / 2))
			perror("send");
		if (strcmp(mode, "open") == 0)
			exchange(fd, "", 0);
	} else if (strcmp(mode, "idle") == 0) {
		exchange(fd, "", 0);
	} else {
		fputs("mllp-client: unknown mode\n", stderr);
	}
	free(f);
	free(buf);
	close(fd);
	return 0;
}

/*
 * notify-listen — a stand-in for systemd's notification socket in the
 * tests: binds a Unix datagram socket at PATH and prints every message
 * received as one line, "MILLISECONDS KEY=VALUE KEY=VALUE" (the message's
 * newlines become spaces; milliseconds on CLOCK_MONOTONIC since the start),
 * flushing each line, until it is killed.  Usage: notify-listen PATH
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long
now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[4096];

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr,
			"usage: notify-listen PATH (at most %zu bytes)\n",
			sizeof(sa.sun_path) - 1);
		return 2;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "notify-listen: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	long long start = now_ms();
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "notify-listen: %s\n", strerror(errno));
			return 1;
		}
		buf[n] = '\0';
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		printf("%lld %s\n", now_ms() - start, buf);
		fflush(stdout);
	}
}

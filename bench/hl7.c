/*
 * bench/hl7 — records/s of hl7_read() over a file of RAS^O17 messages, on
 * one thread, against a floor measured in the same run over the same
 * bytes:
 *
 *   segments  finding the segments (the CR at the end of each, memchr):
 *             what any reader must do
 *   hl7       hl7_read() itself, records copied out
 *
 * Each is the best of PASSES runs (default 3).  Prints one line per stage:
 * "STAGE seconds S per_s R MB_per_s M" (segments, or records).
 *
 *   hl7 FILE [PASSES]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrubber/fileio.h"
#include "scrubber/hl7.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
segments(const char *buf, size_t len)
{
	size_t at = 0, n = 0;
	while (at < len) {
		const char *cr = memchr(buf + at, '\r', len - at);
		at = cr ? (size_t)(cr - buf) + 1 : len;
		n++;
	}
	return n;
}

/* One run of stage s over buf; returns its seconds, *n what it counted. */
static double
run(const char *s, const char *buf, size_t len, size_t *n)
{
	double t0 = now();
	if (strcmp(s, "segments") == 0) {
		*n = segments(buf, len);
		return now() - t0;
	}
	struct arena *a = arena_new();
	struct diag_list dl = {0};
	struct mar_record *r;
	if (!a ||
	    hl7_read(a, "bench.hl7", buf, len, &r, n, NULL, &dl) != SCRUB_OK) {
		fprintf(stderr, "hl7: the input has errors\n");
		exit(2);
	}
	double t = now() - t0;
	arena_free(a);
	return t;
}

int
main(int argc, char **argv)
{
	static const char *const stages[] = {"segments", "hl7"};
	struct diag_list dl = {0};
	char *buf;
	size_t len;
	if (argc < 2) {
		fprintf(stderr, "usage: hl7 FILE [PASSES]\n");
		return 2;
	}
	int passes = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
	if (fileio_read(argv[1], HL7_MAX_BYTES, &buf, &len, &dl) != SCRUB_OK) {
		fprintf(stderr, "hl7: cannot read %s\n", argv[1]);
		return 2;
	}
	for (size_t s = 0; s < sizeof(stages) / sizeof(stages[0]); s++) {
		double best = 0;
		size_t n = 0;
		for (int p = 0; p < (passes > 0 ? passes : 1); p++) {
			double t = run(stages[s], buf, len, &n);
			best = p == 0 || t < best ? t : best;
		}
		printf("%s seconds %.3f per_s %.0f MB_per_s %.1f\n", stages[s],
		       best, (double)n / best, (double)len / best / 1e6);
	}
	free(buf);
	return 0;
}

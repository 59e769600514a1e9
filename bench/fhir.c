/*
 * bench/fhir — records/s of fhir_read() over an NDJSON file of
 * MedicationAdministration resources, on one thread, against floors
 * measured in the same run over the same bytes:
 *
 *   lines    finding the lines (memchr): what any reader must do
 *   events   libyaml's events for each line, nothing kept: the YAML parser
 *            alone, what the reader was held to before json.c
 *   trees    ynode trees through libyaml for each line, in an arena per
 *            line: the reader's parse before json.c
 *   json     json.c's trees for each line, in an arena per line, not read:
 *            everything fhir_read does before it looks at a member
 *   fhir     fhir_read() itself, records copied out
 *
 * Each is the best of PASSES runs (default 3).  Prints one line per stage:
 * "STAGE seconds S lines_per_s R MB_per_s M".
 *
 *   fhir FILE [PASSES]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "scrubber/fhir.h"
#include "scrubber/fileio.h"
#include "scrubber/json.h"
#include "scrubber/ynode.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Calls fn(p, n) for each line of buf; returns the lines. */
static size_t
each_line(const char *buf, size_t len, void (*fn)(const char *, size_t))
{
	size_t at = 0, lines = 0;
	while (at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
		if (fn)
			fn(buf + at, n);
		lines++;
		at += n + 1;
	}
	return lines;
}

static void
events(const char *p, size_t n)
{
	yaml_parser_t y;
	yaml_event_t ev;
	if (!yaml_parser_initialize(&y))
		exit(2);
	yaml_parser_set_input_string(&y, (const unsigned char *)p, n);
	for (int done = 0; !done;) {
		if (!yaml_parser_parse(&y, &ev))
			exit(3);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&y);
}

static void
trees(const char *p, size_t n)
{
	struct arena *a = arena_new();
	struct diag_list dl = {0};
	struct ynode **docs;
	size_t ndocs;
	if (!a || ynode_parse(a, "b", p, n, &docs, &ndocs, &dl) != SCRUB_OK)
		exit(3);
	arena_free(a);
}

static void
json_trees(const char *p, size_t n)
{
	struct arena *a = arena_new();
	struct diag_list dl = {0};
	struct ynode *root;
	if (!a || json_parse(a, "b", 1, p, n, &root, &dl) != SCRUB_OK)
		exit(3);
	arena_free(a);
}

/* One run of stage s over buf; returns its seconds, *recs the records. */
static double
run(const char *s, const char *buf, size_t len, size_t *recs)
{
	double t0 = now();
	if (strcmp(s, "lines") == 0) {
		*recs = each_line(buf, len, NULL);
	} else if (strcmp(s, "events") == 0) {
		*recs = each_line(buf, len, events);
	} else if (strcmp(s, "trees") == 0) {
		*recs = each_line(buf, len, trees);
	} else if (strcmp(s, "json") == 0) {
		*recs = each_line(buf, len, json_trees);
	} else {
		struct arena *a = arena_new();
		struct diag_list dl = {0};
		struct mar_record *r;
		if (!a || fhir_read(a, "bench.ndjson", buf, len, &r, recs, NULL,
				    &dl) != SCRUB_OK) {
			fprintf(stderr, "fhir: the input has errors\n");
			exit(2);
		}
		double t = now() - t0;
		arena_free(a);
		return t;
	}
	return now() - t0;
}

int
main(int argc, char **argv)
{
	static const char *const stages[] = {"lines", "events", "trees", "json",
					     "fhir"};
	struct diag_list dl = {0};
	char *buf;
	size_t len;
	if (argc < 2) {
		fprintf(stderr, "usage: fhir FILE [PASSES]\n");
		return 2;
	}
	int passes = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
	if (fileio_read(argv[1], FHIR_MAX_BYTES, &buf, &len, &dl) != SCRUB_OK) {
		fprintf(stderr, "fhir: cannot read %s\n", argv[1]);
		return 2;
	}
	for (size_t s = 0; s < sizeof(stages) / sizeof(stages[0]); s++) {
		double best = 0;
		size_t n = 0;
		for (int p = 0; p < (passes > 0 ? passes : 1); p++) {
			double t = run(stages[s], buf, len, &n);
			best = p == 0 || t < best ? t : best;
		}
		printf("%s seconds %.3f lines_per_s %.0f MB_per_s %.1f\n",
		       stages[s], best, (double)n / best,
		       (double)len / best / 1e6);
	}
	free(buf);
	return 0;
}

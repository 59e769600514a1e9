/*
 * bench/engine — engine-only throughput: parses the claim documents of FILE
 * once, then times scrub_claim + result_json over them in a loop, on one
 * thread.  Prints "claims N seconds S claims_per_s R".
 *
 *   engine RULES_DIR FILE [SECONDS]      run for at least SECONDS (default 3)
 *   engine RULES_DIR FILE -p PASSES      exactly PASSES passes (for callgrind)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrubber/claimdoc.h"
#include "scrubber/result.h"
#include "scrubber/rules.h"
#include "scrubber/scrub.h"
#include "scrubber/strbuf.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* One pass over every claim; returns the bytes of JSON produced. */
static size_t
pass(const struct ruleset *rs, const struct claim *const *claims, size_t n,
     struct strbuf *out)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++) {
		struct result *res = NULL;
		if (scrub_claim(rs, claims[i], &res) != SCRUB_OK) {
			fprintf(stderr, "engine: scrub_claim failed\n");
			exit(2);
		}
		strbuf_reset(out);
		result_json(res, out);
		bytes += strlen(strbuf_str(out));
		result_free(res);
	}
	return bytes;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
			"usage: engine RULES_DIR FILE [SECONDS | -p PASSES]\n");
		return 2;
	}
	double seconds = 3;
	long passes = 0;
	if (argc > 4 && strcmp(argv[3], "-p") == 0)
		passes = strtol(argv[4], NULL, 10);
	else if (argc > 3)
		seconds = strtod(argv[3], NULL);

	struct diag_list dl = {0};
	struct ruleset *rs = NULL;
	const char *dirs[] = {argv[1]};
	if (rules_load_dirs(dirs, 1, &rs, &dl) != SCRUB_OK) {
		fprintf(stderr, "engine: cannot load the rules in %s\n",
			argv[1]);
		return 2;
	}
	size_t len = 0;
	char *buf = slurp(argv[2], &len);
	if (!buf) {
		fprintf(stderr, "engine: cannot read %s\n", argv[2]);
		return 2;
	}
	struct claimdoc *cd = NULL;
	if (claimdoc_parse(argv[2], buf, len, &cd, &dl) != SCRUB_OK || !cd) {
		fprintf(stderr, "engine: %s has bad documents\n", argv[2]);
		return 2;
	}
	size_t n = claimdoc_count(cd);
	const struct claim **claims = malloc(n * sizeof(*claims));
	if (!claims)
		return 2;
	for (size_t i = 0; i < n; i++)
		claims[i] = claimdoc_claim(cd, i);

	struct strbuf out = STRBUF_INIT;
	size_t done = 0, bytes = 0;
	double t0 = now(), t = t0;
	if (passes > 0) {
		for (long p = 0; p < passes; p++, done += n)
			bytes += pass(rs, claims, n, &out);
		t = now();
	} else {
		pass(rs, claims, n, &out); /* warm up */
		t0 = now();
		do {
			bytes += pass(rs, claims, n, &out);
			done += n;
			t = now();
		} while (t - t0 < seconds);
	}
	printf("claims %zu seconds %.3f claims_per_s %.0f json_bytes %zu\n",
	       done, t - t0, (double)done / (t - t0), bytes);
	strbuf_free(&out);
	free(claims);
	claimdoc_free(cd);
	free(buf);
	rules_free(rs);
	diag_list_free(&dl);
	return 0;
}

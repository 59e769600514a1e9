/*
 * fuzz_check — libFuzzer target for the whole check path, as
 * `claimscrub check --format json` runs it: claim text -> claimdoc_parse()
 * (from a heap copy freed right after, as the CLI frees its file buffer)
 * -> scrub_claim() -> result_json() -> result_free().
 *
 * The rule set is loaded once, at start-up: the shipped rules.d overlaid by
 * the golden cases' test profiles (tests/cases/rules, payers `t-...`), so
 * the seeds' payers select the profiles they were written for.  Each claim
 * is scrubbed twice and the two results must be the same bytes (the engine
 * is pure); a difference aborts, so libFuzzer keeps the input.
 *
 * Seeds: the golden cases (tests/cases) and the examples (tests/fuzz/run.sh).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/scrubber.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ruleset *rules;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = {
		CLAIMSCRUB_SRC_RULES,
		CLAIMSCRUB_SRC_RULES "/../tests/cases/rules",
	};
	struct diag_list dl = {0};
	(void)argc;
	(void)argv;
	if (rules_load_dirs(dirs, 2, &rules, &dl) != SCRUB_OK) {
		char msg[512];
		for (size_t i = 0; i < dl.n; i++) {
			diag_format(&dl.items[i], msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
		}
		fprintf(stderr, "fuzz_check: cannot load the rules\n");
		exit(1);
	}
	diag_list_free(&dl);
	return 0;
}

/* Scrubs c and appends its result JSON to out; false when out of memory. */
static int
scrub_json(const struct claim *c, struct strbuf *out)
{
	struct result *r = NULL;
	if (scrub_claim(rules, c, &r) != SCRUB_OK)
		return 0;
	result_json(r, out);
	result_free(r);
	return !out->failed;
}

static void
check_claim(const struct claim *c)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	if (scrub_json(c, &a) && scrub_json(c, &b) &&
	    (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)) {
		fprintf(stderr, "fuzz_check: two scrubs differ\n%s\n%s\n",
			strbuf_str(&a), strbuf_str(&b));
		abort();
	}
	strbuf_free(&a);
	strbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = {0};
	struct claimdoc *cd = NULL;
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	claimdoc_parse("fuzz.yaml", copy, size, &cd, &dl);
	free(copy);
	for (size_t i = 0; cd && i < claimdoc_count(cd); i++)
		if (claimdoc_claim(cd, i))
			check_claim(claimdoc_claim(cd, i));
	claimdoc_free(cd);
	diag_list_free(&dl);
	return 0;
}

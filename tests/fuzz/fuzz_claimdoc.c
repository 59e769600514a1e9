/*
 * fuzz_claimdoc — libFuzzer target for the claim document reader.
 *
 * Feeds the input to claimdoc_parse() as a claim file, the way
 * `claimscrub check` reads one: from a heap copy that is freed right after
 * parsing (the claims must not borrow from it), then walks every claim read,
 * formats every diagnostic, and checks the round trip that `claimscrub
 * submit` relies on: a claim written by claimjson_write() reads back as one
 * good document and writes the same bytes again.  A difference aborts, so
 * libFuzzer keeps the input.
 *
 * Seeds: the golden cases (tests/cases) and the examples (tests/fuzz/run.sh).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/scrubber.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message: a crash for libFuzzer, with the input saved. */
static void
fail(const char *what, const struct strbuf *a, const struct strbuf *b)
{
	fprintf(stderr, "fuzz_claimdoc: %s\n  first:  %s\n  second: %s\n", what,
		strbuf_str(a), b ? strbuf_str(b) : "");
	abort();
}

/* claimjson_write(c) must read back as exactly one good claim that writes
 * the same JSON again. */
static void
check_round_trip(const struct claim *c)
{
	struct strbuf first = STRBUF_INIT, second = STRBUF_INIT;
	struct diag_list dl = {0};
	struct claimdoc *cd = NULL;

	claimjson_write(c, &first);
	if (first.failed)
		goto out; /* out of memory: nothing to compare */
	enum scrub_err err = claimdoc_parse("round-trip.json", first.data,
					    first.len, &cd, &dl);
	if (err == SCRUB_ENOMEM)
		goto out;
	if (err != SCRUB_OK || dl.n != 0 || claimdoc_count(cd) != 1 ||
	    !claimdoc_claim(cd, 0))
		fail("claimjson output does not read back", &first, NULL);
	claimjson_write(claimdoc_claim(cd, 0), &second);
	if (!second.failed && (first.len != second.len ||
			       memcmp(first.data, second.data, first.len) != 0))
		fail("claimjson output changes when read back", &first,
		     &second);
out:
	claimdoc_free(cd);
	diag_list_free(&dl);
	strbuf_free(&first);
	strbuf_free(&second);
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

	char msg[512];
	for (size_t i = 0; i < dl.n; i++)
		diag_format(&dl.items[i], msg, sizeof(msg));
	for (size_t i = 0; cd && i < claimdoc_count(cd); i++) {
		const struct claim *c = claimdoc_claim(cd, i);
		(void)claimdoc_node(cd, i);
		if (c)
			check_round_trip(c);
	}
	claimdoc_free(cd);
	diag_list_free(&dl);
	return 0;
}

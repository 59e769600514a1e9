/*
 * fuzz_x12 — libFuzzer target for the 837 reader (scrubber/x12.h).
 *
 * Feeds the input to x12_parse() as an 837 file, the way `claimscrub
 * import` reads one: from a heap copy freed right after parsing (the
 * claims must not borrow from it).  Every diagnostic is formatted.  A file
 * read must hold only what the reader promises — lines within the caps,
 * codes of five characters, whole units 1..999, a frequency of 1, 7 or 8
 * — and each claim, written by claimjson_write() as import writes it,
 * must read back with claimdoc_parse() as one good claim document, or
 * `claimscrub check` would refuse what import wrote.  A broken promise
 * aborts, so libFuzzer keeps the input.
 *
 * Seeds: the samples of examples/x12/, with and without line breaks
 * (tests/fuzz/run.sh); dictionary tests/fuzz/x12.dict.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/scrubber.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const struct x12_claim *c)
{
	fprintf(stderr, "fuzz_x12: claim '%s': %s\n", c->claim.ref, what);
	abort();
}

/* What the reader promises of every claim it hands back. */
static void
check_claim(const struct x12_claim *c)
{
	size_t max = c->kind == X12_837P ? X12_MAX_LINES_P : X12_MAX_LINES_I;
	if (c->claim.nlines == 0 || c->claim.nlines > max)
		fail("line count out of bounds", c);
	if (c->frequency != X12_ORIGINAL && c->frequency != X12_REPLACEMENT &&
	    c->frequency != X12_VOID)
		fail("frequency not 1, 7 or 8", c);
	for (size_t i = 0; i < c->claim.nlines; i++) {
		const struct claim_line *l = &c->claim.lines[i];
		if (!l->code || strlen(l->code) != 5)
			fail("a line code is not 5 characters", c);
		if (l->units < 1 || l->units > CLAIM_UNITS_MAX)
			fail("units out of range", c);
		if (l->nmodifiers < 0 || l->nmodifiers > CLAIM_MAX_MODIFIERS)
			fail("modifier count out of range", c);
		if (c->lines[i].charge < 0)
			fail("a negative charge", c);
	}
}

/* claimjson_write(c) must read back as exactly one good claim. */
static void
check_document(const struct x12_claim *c)
{
	struct strbuf json = STRBUF_INIT;
	struct diag_list dl = {0};
	struct claimdoc *cd = NULL;
	claimjson_write(&c->claim, &json);
	if (json.failed)
		goto out;
	enum scrub_err err =
		claimdoc_parse("import.json", json.data, json.len, &cd, &dl);
	if (err == SCRUB_ENOMEM)
		goto out;
	if (err != SCRUB_OK || dl.n != 0 || claimdoc_count(cd) != 1 ||
	    !claimdoc_claim(cd, 0)) {
		fprintf(stderr, "fuzz_x12: %s\n  %s\n", strbuf_str(&json),
			dl.n ? dl.items[0].message : "");
		fail("its claim document does not read back", c);
	}
out:
	claimdoc_free(cd);
	diag_list_free(&dl);
	strbuf_free(&json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = {0};
	struct x12 *x = NULL;
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	enum scrub_err err = x12_parse("fuzz.837", copy, size, &x, &dl);
	free(copy);

	char msg[512];
	for (size_t i = 0; i < dl.n; i++)
		diag_format(&dl.items[i], msg, sizeof(msg));
	if ((err == SCRUB_OK) != (x != NULL) || (err == SCRUB_OK && dl.n))
		abort(); /* all or nothing */
	for (size_t i = 0; x && i < x12_count(x); i++) {
		check_claim(x12_claim(x, i));
		check_document(x12_claim(x, i));
	}
	x12_free(x);
	diag_list_free(&dl);
	return 0;
}

/*
 * fuzz_hl7 — libFuzzer target for the HL7 v2 RAS^O17 reader: the input goes to hl7_read() as a file, from a heap copy freed
 * right after (records must not borrow from the input), then every
 * diagnostic is formatted and every record checked against what marrec.h
 * promises: an encounter, coded drugs with a code, a start with an offset,
 * a stop not before the start, an instant that is start and stop, and
 * counts that add up; and what hl7.h adds: every record has an id and a
 * group (the order number).  A broken promise aborts, so libFuzzer keeps the
 * input.
 *
 * Seeds: examples/hl7, its line-end variants and messages written by
 * tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/scrubber.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const struct mar_record *m, const char *what)
{
	fprintf(stderr, "fuzz_hl7: record %s at %u:%u: %s\n",
		m->id ? m->id : "(no id)", m->line, m->column, what);
	abort();
}

static void
check_record(const struct mar_record *m)
{
	if (!m->encounter || !*m->encounter)
		fail(m, "no encounter");
	if (!m->id || !m->group)
		fail(m, "no id or no group");
	if (m->line == 0 || m->column == 0 || !m->file)
		fail(m, "no location");
	if (m->ndrug > MAR_MAX_CODES || (m->ndrug == 0 && !m->drug_text))
		fail(m, "no drug");
	for (size_t i = 0; i < m->ndrug; i++)
		if (!m->drug[i].code || !*m->drug[i].code)
			fail(m, "a drug coding without a code");
	if (m->has_route && !m->route.code)
		fail(m, "a route without a code");
	if (!m->has_start || !m->start.has_offset)
		fail(m, "no start with an offset");
	if (m->has_stop &&
	    (!m->stop.has_offset || isotime_diff(&m->start, &m->stop) < 0))
		fail(m, "a stop without an offset, or before the start");
	if (m->instant && (!m->has_stop || m->start.wall != m->stop.wall))
		fail(m, "an instant that is not start and stop");
	if ((unsigned)m->status > MAR_UNKNOWN)
		fail(m, "a status out of range");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = {0};
	struct hl7_counts counts;
	struct mar_record *recs;
	size_t n;
	struct arena *a = arena_new();
	char *copy = malloc(size ? size : 1);
	if (!a || !copy) {
		free(copy);
		arena_free(a);
		return 0;
	}
	memcpy(copy, data, size);
	enum scrub_err err =
		hl7_read(a, "fuzz.hl7", copy, size, &recs, &n, &counts, &dl);
	free(copy);

	char msg[700];
	for (size_t i = 0; i < dl.n; i++)
		diag_format(&dl.items[i], msg, sizeof(msg));
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		check_record(&recs[i]);
		/* what `import --format hl7` prints: one object, one line */
		strbuf_reset(&sb);
		marrec_json_write(&recs[i], &sb);
		if (!sb.failed && (sb.len < 2 || sb.data[0] != '{' ||
				   sb.data[sb.len - 1] != '}' ||
				   memchr(sb.data, '\n', sb.len)))
			fail(&recs[i],
			     "its JSON line is not one object on one line");
	}
	strbuf_free(&sb);
	if (err != SCRUB_ENOMEM &&
	    (counts.records != n || counts.skipped > counts.messages ||
	     (err == SCRUB_OK) != (dl.n == 0))) {
		fprintf(stderr, "fuzz_hl7: counts do not add up\n");
		abort();
	}
	diag_list_free(&dl);
	arena_free(a);
	return 0;
}

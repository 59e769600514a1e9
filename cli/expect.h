/*
 * expect — the hand-written expectations of a claim document
 * (`# expect verdict/codes/findings/error:` comments before its `claim:`
 * key, tests/cases/README.md) and how a result is judged against them.
 */
#ifndef CLI_EXPECT_H
#define CLI_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "scrubber/scrubber.h"

#define EXPECT_MAX_DOCS 64

struct expect {
	char verdict[32], codes[512], findings[1024], error[64];
};

/* Splits buf (NUL-terminated) at `---` lines into the expectations of each
 * document, in order; a chunk of comments only lends them to the next
 * document.  Fills at most max entries of ex and returns how many. */
int expect_split(const char *buf, struct expect *ex, int max);

/* The result's codes as `CODE[xUNITS][-MOD]` words, or "none". */
void expect_codes(const struct result *r, char *buf, size_t size);

/* The result's findings as `rule[@LINE]` words, or "none". */
void expect_findings(const struct result *r, char *buf, size_t size);

/* True when every expected `rule[@LINE]` matches a distinct finding and no
 * finding is left over ("none": no finding at all). */
bool expect_findings_match(const struct result *r, const char *want);

/* Compares r with ex; on a difference writes what differs ("verdict
 * flagged, expected clean; ...") into why and returns false.  Missing
 * `# expect` lines are a difference too. */
bool expect_check(const struct result *r, const struct expect *ex, char *why,
		  size_t size);

#endif

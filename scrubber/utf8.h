/*
 * utf8 — what well-formed UTF-8 is (RFC 3629), decided in one place for
 * every writer that escapes the rest: strbuf's JSON strings, claimyaml's
 * double-quoted scalars and the CLI's terminal escaper (cli/termsafe.c).
 */
#ifndef SCRUBBER_UTF8_H
#define SCRUBBER_UTF8_H

#include <stddef.h>

/*
 * The well-formed sequence at s: its length (1 to 4; 1 for an ASCII byte,
 * NUL included) and its code point in *cp; 0 when s starts none (a stray
 * continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF, a sequence cut short).  Stops at the first byte that does not
 * fit, so never reads past a NUL.
 */
size_t utf8_decode(const char *s, unsigned *cp);

#endif

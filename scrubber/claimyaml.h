/*
 * claimyaml — a claim as its claim document in canonical YAML: what
 * `claimscrub fix` writes for a YAML input, readable again by claimdoc.
 *
 * Canonical as claimjson is: keys in the order of design.md, defaults
 * written out (units, modifiers, route), optional values absent from the
 * model left out, so the same claim always gives the same bytes.  Every
 * string the document holds (ids, codes, names, times, the date) is written
 * double-quoted, so no YAML reader takes "96365" for a number, `no` for a
 * boolean, `~` for null or "a: b #c" for structure; only the keywords of
 * the format (setting, kind, route), numbers and `true` are plain.
 */
#ifndef SCRUBBER_CLAIMYAML_H
#define SCRUBBER_CLAIMYAML_H

#include "claim.h"
#include "strbuf.h"

/*
 * Appends claim c to out as one YAML document: block style, two-space
 * indentation, each line ended by a newline, no `---` (the caller separates
 * documents).  Times are written as documented, unparseable ones included,
 * as claimjson does.  Fails only by marking out failed (out of memory);
 * check out->failed once at the end.
 */
void claimyaml_write(const struct claim *c, struct strbuf *out);

/*
 * Appends s as a YAML double-quoted scalar, quotes included.  Escaped: the
 * quote, the backslash, and every character libyaml would refuse raw or
 * read as a line break (C0 and C1 controls, DEL, U+2028, U+2029, U+FEFF,
 * U+FFFE, U+FFFF); invalid UTF-8 bytes become U+FFFD.
 */
void claimyaml_str(struct strbuf *out, const char *s);

#endif

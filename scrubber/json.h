/*
 * json — a strict RFC 8259 JSON parser into the located trees of ynode.h,
 * for the FHIR reader (libyaml reads JSON as YAML: it accepts what is not
 * JSON and refuses some of what is).
 *
 * The tree is the one ynode_parse() builds, so the same walkers and
 * conversions apply: an object is a YNODE_MAP and an array a YNODE_SEQ,
 * both with flow set; a string is a YNODE_SCALAR with plain false, its
 * escapes decoded (a surrogate pair into one code point, \u0000 into a NUL
 * byte that len counts); a number, true, false or null is a YNODE_SCALAR
 * with plain true and its text as written, as libyaml gives a plain scalar.
 *
 * Exactly RFC 8259: no comments, trailing commas, single quotes, NaN or
 * Infinity, leading zeros or raw control characters in strings; a lone
 * surrogate escape is an error; the text must be UTF-8; duplicate member
 * names are an error (RFC 8259 allows them, meaning nothing sure); one
 * value per text.  A byte order mark at the start of the text is skipped
 * (RFC 8259, section 8.1: parsers MAY ignore one), anywhere else it is an
 * error.  Nesting deeper than YNODE_MAX_DEPTH and more than YNODE_MAX_NODES
 * nodes (member names counted) are errors.
 */
#ifndef SCRUBBER_JSON_H
#define SCRUBBER_JSON_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "ynode.h"

/*
 * Parses the one JSON text in buf (len bytes; no NUL needed) into *root,
 * allocated in a with its strings and a copy of file.  `line` is the line
 * buf starts on: 1 for a whole file, the file's line for an NDJSON line
 * parsed alone.  Lines end at LF; columns count characters (UTF-8 code
 * points, a tab as one) from 1, as ynode's do.
 *
 * Returns SCRUB_OK; SCRUB_EINPUT after adding one diagnostic at the
 * file:line:column of the first error (*root NULL); SCRUB_ENOMEM.
 */
enum scrub_err json_parse(struct arena *a, const char *file, unsigned line,
			  const char *buf, size_t len, struct ynode **root,
			  struct diag_list *dl);

#endif

/*
 * claimjson — a claim as its claim document in canonical JSON: the input of
 * claimscrub.submit(jsonb), and readable again by claimdoc (JSON is YAML).
 *
 * Canonical: keys in the order of design.md, defaults written out (units,
 * modifiers, route), optional values absent from the model left out, so the
 * same claim always gives the same bytes.  Every value the model holds was
 * checked by claimdoc, and the database checks the same bounds, so any claim
 * that `claimscrub check` reads is accepted by claimscrub.submit().
 */
#ifndef SCRUBBER_CLAIMJSON_H
#define SCRUBBER_CLAIMJSON_H

#include "claim.h"
#include "strbuf.h"

/*
 * Appends claim c to out as one JSON object (no newline).  Times are written
 * as the text documented, unparseable ones included: they are findings for
 * the engine, not errors of the document.  Fails only by marking out failed
 * (out of memory); check out->failed once at the end.
 */
void claimjson_write(const struct claim *c, struct strbuf *out);

#endif

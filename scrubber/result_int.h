/*
 * result_int — building a result inside the engine (derive, compare, scrub).
 */
#ifndef SCRUBBER_RESULT_INT_H
#define SCRUBBER_RESULT_INT_H

#include "arena.h"
#include "result.h"
#include "ruleset.h"

/* A new result for claim c, judged by profile of rule set rs, with room for
 * its findings; NULL on ENOMEM. */
struct result *result__new(const struct claim *c, const struct ruleset *rs,
			   const char *profile);

/* Appends a finding (line 1-based or 0, admin index or -1); NULL when the
 * rule is disabled in the rule set (callers just skip filling it) or full. */
struct result_finding *result__finding(struct result *r,
				       const struct ruleset *rs,
				       enum finding_id id, int line, int admin);

void result__ev_int(struct result_finding *f, const char *key, long v);
void result__ev_str(struct result_finding *f, const char *key, const char *s);
/* Sets f's suggestion and returns it for the rest (take, modifiers); NULL
 * when f is. */
struct suggest *result__suggest(struct result_finding *f, enum suggest_action a,
				const char *code, int units,
				const char *modifier);

/* Adds units of code (with modifier, from admin) to the expected codes. */
enum scrub_err result__expect(struct result *r, const char *code, int units,
			      const char *modifier, bool initial, int admin);

/* Orders codes and findings, renders messages, sets the verdict. */
enum scrub_err result__finish(struct result *r, const struct ruleset *rs);

#endif

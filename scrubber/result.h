/*
 * result — what scrubbing a claim found: the codes the documentation
 * supports, the findings, the lines no rule judged, and per administration
 * what the engine made of it (for timelines).  Serialised as the result JSON
 * of design.md by result_json().
 *
 * A result is owned by its caller (result_free) and borrows the claim it
 * was made from: keep the claim alive while the result is used.
 */
#ifndef SCRUBBER_RESULT_H
#define SCRUBBER_RESULT_H

#include <stdbool.h>

#include "claim.h"
#include "finding.h"
#include "strbuf.h"

enum verdict { VERDICT_CLEAN, VERDICT_FLAGGED, VERDICT_INVALID };
extern const char *const verdict_names[];

struct result_code {
	const char *code;
	int units;
	const char *modifier; /* distinct-site modifier, or NULL */
	bool initial;	      /* an initial service (ordering) */
	int *admins;	      /* indices into claim->admins, ascending */
	int nadmins, cap;
};

#define RESULT_MAX_EVIDENCE 8

struct evidence {
	const char *key; /* a message placeholder name */
	const char *str; /* string value, or NULL for ival */
	long ival;
};

/*
 * A suggestion is an exact edit of the billed lines (README, "Findings"):
 *
 *   replace          take `take` units off the finding's line (the line goes
 *                    when none is left) and bill code x units with modifiers
 *                    in their place
 *   set-units        the finding's line bills `units` (take: how many fewer)
 *   add              a new line: code x units with modifiers
 *   remove           take `take` units off the finding's line
 *   add-modifier     the finding's line carries `modifier` too
 *   remove-modifier  the finding's line no longer carries `modifier`
 *   document         complete the documentation (a person)
 *   review           a person must decide
 *
 * Applying every suggestion of a result (scrubber/fix.h) gives the lines of
 * `expected`, companion lines aside.
 */
enum suggest_action {
	SUGGEST_NONE,
	SUGGEST_REPLACE,
	SUGGEST_SET_UNITS,
	SUGGEST_ADD,
	SUGGEST_REMOVE,
	SUGGEST_ADD_MODIFIER,
	SUGGEST_REMOVE_MODIFIER,
	SUGGEST_DOCUMENT,
	SUGGEST_REVIEW,
};
extern const char *const suggest_action_names[];

struct suggest {
	enum suggest_action action;
	int take;	  /* units of the line it takes (replace, remove,
			     set-units), 0 otherwise */
	const char *code; /* the code that results (replace, add), or NULL */
	int units;	  /* replace, add: of the new line; set-units: the
			     line's new units; 0 otherwise */
	const char *modifiers[CLAIM_MAX_MODIFIERS]; /* replace, add: of the
						       new line */
	int nmodifiers;
	const char *modifier; /* add-modifier, remove-modifier */
};

struct result_finding {
	enum finding_id id;
	enum severity severity;
	int line;	     /* 1-based billed line, 0 when none */
	int admin;	     /* index into claim->admins, -1 when none */
	const char *message; /* rendered from the rule's template */
	struct evidence evidence[RESULT_MAX_EVIDENCE];
	int nevidence;
	struct suggest suggest;
};

/* What the engine made of one administration. */
struct result_admin {
	int minutes;	     /* running minutes, -1 when not known */
	int net_minutes;     /* hydration: after overlap; else = minutes */
	const char *service; /* the service it became, NULL when held */
	bool held;	     /* no code for it: missing or invalid time */
	bool converted;	     /* ran too short for its route: coded as push */
	bool reportable;     /* gave or shares a code */
};

struct result {
	struct arena *arena;
	const struct claim *claim; /* borrowed */
	const char *profile;	   /* the payer profile that judged it */
	const char *rules_version; /* the rule set's content hash */
	enum verdict verdict;
	struct result_code *codes;
	int ncodes;
	struct result_finding *findings;
	int nfindings;
	int *unchecked; /* 1-based line numbers */
	int nunchecked;
	struct result_admin *admins; /* claim->nadmins entries */
};

/* Appends the result as one line of JSON (no newline). */
void result_json(const struct result *r, struct strbuf *out);

void result_free(struct result *r);

#endif

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
	int nadmins;
};

#define RESULT_MAX_EVIDENCE 8

struct evidence {
	const char *key; /* a message placeholder name */
	const char *str; /* string value, or NULL for ival */
	long ival;
};

enum suggest_action {
	SUGGEST_NONE,
	SUGGEST_REPLACE,      /* bill code x units instead of this line */
	SUGGEST_SET_UNITS,    /* keep the code, bill units */
	SUGGEST_ADD,	      /* add a line: code x units */
	SUGGEST_REMOVE,	      /* remove the line */
	SUGGEST_ADD_MODIFIER, /* add modifier to the line */
	SUGGEST_REMOVE_MODIFIER,
	SUGGEST_DOCUMENT, /* complete the documentation */
	SUGGEST_REVIEW,	  /* a person must decide */
};
extern const char *const suggest_action_names[];

struct suggest {
	enum suggest_action action;
	const char *code;     /* or NULL */
	int units;	      /* 0: not part of the suggestion */
	const char *modifier; /* or NULL */
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

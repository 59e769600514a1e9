/*
 * rules — the rule set: code catalogue, services and hierarchy, settings,
 * payer profiles, findings and companion codes, read from rules.d/.
 *
 * A rule set is immutable once built and may be shared by any number of
 * scrubs at once.  Files are merged in order — a later file overrides the
 * keys it names, mappings merging key by key — and the merged tree is then
 * validated as a whole: unknown keys, wrong types, out-of-range numbers,
 * references to unknown services, codes or findings are all reported, each
 * at the file:line:column where the offending value was written.
 */
#ifndef SCRUBBER_RULES_H
#define SCRUBBER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct ruleset;
struct rules_builder;

/* A builder to which rule files are added in order; NULL when out of memory. */
struct rules_builder *rules_builder_new(void);

/* Adds one file's text (file names it in diagnostics).  Syntax errors are
 * reported here; the builder stays usable. */
enum scrub_err rules_builder_add(struct rules_builder *b, const char *file,
				 const char *buf, size_t len,
				 struct diag_list *dl);

/* Validates the merged files and builds the rule set (*out, caller frees
 * with rules_free).  Any error earlier or now: SCRUB_EINPUT, *out NULL. */
enum scrub_err rules_builder_finish(struct rules_builder *b,
				    struct ruleset **out, struct diag_list *dl);

void rules_builder_free(struct rules_builder *b);

/*
 * Loads every `*.yaml` file of each directory, directories in the order
 * given and files in lexical order within each.  Errors name the files.
 */
enum scrub_err rules_load_dirs(const char *const *dirs, size_t ndirs,
			       struct ruleset **out, struct diag_list *dl);

/* Adds every `*.yaml` file of each directory to b, as rules_load_dirs
 * does; syntax errors are reported and the builder stays usable. */
enum scrub_err rules_builder_add_dirs(struct rules_builder *b,
				      const char *const *dirs, size_t ndirs,
				      struct diag_list *dl);

/* One step of a walk over the merged rule tree (rules_builder_visit). */
enum rules_visit_event {
	RULES_VISIT_SCALAR,
	RULES_VISIT_MAP_BEGIN,
	RULES_VISIT_MAP_END,
	RULES_VISIT_SEQ_BEGIN,
	RULES_VISIT_SEQ_END,
};

struct rules_visit {
	enum rules_visit_event event;
	int depth;	   /* 0 for the top-level sections */
	const char *key;   /* the mapping key, or NULL for a sequence item */
	const char *value; /* a scalar's text (SCALAR only) */
	bool plain;	   /* the scalar was written without quotes */
	const char *file;  /* where the value was written */
	unsigned line;
};

typedef void rules_visit_fn(void *arg, const struct rules_visit *v);

/*
 * Walks the tree merged so far, depth first in file order, as the rule set
 * in force for payer profile `payer` (NULL: "default"): the `profiles`
 * section is left out and each of the profile's settings replaces the base
 * one, keeping the file and line that wrote it.  Calls fn for every node.
 * Dated values appear as written, with all their periods.
 * Borrowed strings live until the builder is finished or freed.
 */
void rules_builder_visit(const struct rules_builder *b, const char *payer,
			 rules_visit_fn *fn, void *arg);

/* The same for the rule set in force on day (days since 1970-01-01): each
 * dated value is replaced by the one in force, or left out.  Fails only for
 * lack of memory. */
enum scrub_err rules_builder_visit_at(const struct rules_builder *b,
				      const char *payer, int32_t day,
				      rules_visit_fn *fn, void *arg);

/*
 * The rule directories to use when none is named (design.md): the
 * colon-separated $CLAIMSCRUB_RULES; else the source tree's rules.d when the
 * running program is the one built in the build tree; else the installed
 * rules.d overlaid by /etc/claimscrub/rules.d when that exists.  Fills at
 * most max entries of dirs (pointing into scratch or static strings) and
 * returns how many.
 */
size_t rules_default_dirs(const char **dirs, size_t max, char *scratch,
			  size_t scratch_size);

/* True when the running program is the one built in this build tree, so
 * the source tree's data (rules.d, sql/) applies without being named. */
bool rules_from_build_tree(void);

void rules_free(struct ruleset *rs);

/* True when the rule set defines a profile of that name. */
int rules_has_profile(const struct ruleset *rs, const char *name);

/* Whether payer (NULL or empty: none) is judged by a profile of its own
 * name (matched without regard to case) rather than by "default" for want
 * of one: a payer none matches is counted
 * (claimscrub_unmapped_payers_total), never silently judged. */
bool rules_payer_mapped(const struct ruleset *rs, const char *payer);

/*
 * Effective dating.  Rule values may carry effective_from/effective_to
 * dates (rules_dated.c); the dates cut time into periods, each with its own
 * complete rule set.  A rule set without dates has one period.  Days count
 * from 1970-01-01; an open end is INT32_MIN or INT32_MAX.
 */
int rules_nperiods(const struct ruleset *rs);

/* The i-th period's rule set (0 <= i < rules_nperiods) and its days,
 * inclusive; from and to may be NULL.  Owned by rs. */
const struct ruleset *rules_period(const struct ruleset *rs, int i,
				   int32_t *from, int32_t *to);

/* The days a period's rule set is in force, inclusive. */
void rules_days(const struct ruleset *rs, int32_t *from, int32_t *to);

/* The rule set in force on a day.  Owned by rs. */
const struct ruleset *rules_at(const struct ruleset *rs, int32_t day);

/* The largest claim any period's base settings or payer profile judges:
 * the largest max_lines and max_administrations of them all.  A claim
 * with more is larger than the rules judge, whatever its payer and date;
 * a reader may stop counting past them (the daemon's claim_batch()). */
void rules_size_limits(const struct ruleset *rs, long *max_lines,
		       long *max_administrations);

/* A hex digest of the files' names and contents: the rule-set version. */
const char *rules_version(const struct ruleset *rs);

/* The severities finding id (enum finding_id) has in some period, as bits
 * (1u << enum severity); 0 when it is off in every one, or no finding. */
unsigned rules_finding_severities(const struct ruleset *rs, int id);

/* The name of setting i (0, 1, ...) of those the `settings:` section must
 * give, NULL past the last: what tests/lists.sh holds README.md and
 * rules.d/20-settings.yaml to. */
const char *rules_setting_name(size_t i);

#endif

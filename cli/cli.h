/*
 * cli — what the claimscrub subcommands share: rule discovery, diagnostics
 * printing and the database connection.  The subcommands themselves are
 * entries (entry.h), one file each.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "scrubber/scrubber.h"

/* Exit statuses (design.md): 0 clean, 1 findings, 2 input or usage error.
 * submit and db: 1 when the database refused a claim or a migration, 2 also
 * for a database that cannot be reached. */
enum {
	EXIT_CLEAN = 0,
	EXIT_FLAGGED = 1,
	EXIT_REJECTED = 1,
	EXIT_USAGE = 2,
	EXIT_INTERNAL = 3
};

#define CLI_MAX_RULE_DIRS 16

/* Rule directories given with --rules, or found by the design.md order:
 * $CLAIMSCRUB_RULES (colon-separated), the source tree's rules.d when run
 * from the build tree, else the installed directory with /etc overlaid. */
struct cli_rules {
	const char *dirs[CLI_MAX_RULE_DIRS];
	size_t n;
	char env_copy[4096];
};

/* Adds a --rules DIR; false when there are too many. */
bool cli_rules_add(struct cli_rules *r, const char *dir);

/* Fills the default directories when none were given. */
void cli_rules_default(struct cli_rules *r);

/* Loads the rule set, printing errors; NULL on failure. */
struct ruleset *cli_rules_load(struct cli_rules *r);

/* True when payer (a --payer argument; NULL: none given) names a payer
 * profile of rs; else says so and returns false. */
bool cli_payer_known(const struct ruleset *rs, const char *payer);

/* cli_rules_load, then cli_payer_known: the rule set that --rules and
 * --payer ask for, or NULL (nothing to free) after saying what is wrong. */
struct ruleset *cli_rules_load_payer(struct cli_rules *r, const char *payer);

/* Scrubs claim c as --payer asks: by profile payer when not NULL, else by
 * its own.  *judged receives the claim scrubbed, a shallow copy of c with
 * the payer replaced (c keeps its own), and must outlive *out, which
 * points to it.  Fails only for lack of memory (SCRUB_ENOMEM). */
enum scrub_err cli_scrub(const struct ruleset *rs, const struct claim *c,
			 const char *payer, struct claim *judged,
			 struct result **out);

/* Prints each diagnostic in compiler form, escaped (termsafe.h: messages
 * quote documents); with `context`, also the source line, escaped, and a
 * caret under the column.  Each file named is read once. */
void cli_print_diags(const struct diag_list *dl, bool context);

/* Called for each good claim document of a file, in order; returns false
 * to stop reading (the database is gone, say). */
typedef bool cli_claim_fn(void *arg, const char *path, const struct claim *c);

/* Reads the claim documents of path ('-': standard input) and calls each()
 * for every good one; a bad document's errors are printed in its place, in
 * compiler form (with the source lines when standard error is a terminal),
 * and the file's other documents still run.  At most 1,000 errors are
 * printed per file, then `path: error: N more errors not shown`; the cost
 * is linear in the file.  Returns true when the file had any input error. */
bool cli_each_claim(const char *path, cli_claim_fn *each, void *arg);

/* The same, for callers that need the document too: doc is its parsed tree
 * (doc->flow: written in flow style, i.e. as JSON). */
typedef bool cli_doc_fn(void *arg, const char *path, const struct claim *c,
			const struct ynode *doc);
bool cli_each_doc(const char *path, cli_doc_fn *each, void *arg);

/* Prints "claimscrub: message" for an error of the program itself; the
 * message is escaped (termsafe.h), as it may quote claim text. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The migrations directory when --sql is not given: the source tree's sql/
 * when run from the build tree, else the installed $(pkgdatadir)/sql. */
const char *cli_sql_dir(void);

/* Connects with conninfo (a key=value string or a URI; NULL or "" for
 * libpq's defaults and the PG* environment) and speaks UTF-8, as claim
 * documents do.  On failure prints why — never the conninfo, which may hold
 * a password — and returns NULL.  The caller PQfinish()es the connection. */
PGconn *cli_db_connect(const char *conninfo);

/* cli_db_connect() that prints nothing: on failure why says why (never the
 * conninfo) and NULL is returned. */
PGconn *cli_db_open(const char *conninfo, char *why, size_t size);

/* The server's primary message for failed result res (or the connection's
 * error when res has none), on one line and escaped (termsafe.h: it may
 * quote claim text), into buf; returns buf. */
const char *cli_db_message(const PGconn *conn, const PGresult *res, char *buf,
			   size_t size);

/* Text rendering of one result for a person (textout.c). */
void textout_result(FILE *out, const struct result *r,
		    const struct ruleset *rs);

/* One administration's minute bar: |  [====]  |, the run from start to
 * stop scaled to the span lo..hi (wall-clock seconds); a '^' for a start
 * with no usable stop, blank without a start.  Shared with `review
 * --claim`, which draws the stored administrations the same way. */
void textout_bar(FILE *out, const struct claim_time *start,
		 const struct claim_time *stop, int64_t lo, int64_t hi);

/* A time as MM-DDTHH:MM in 16 columns, "(bad time)" or "-". */
void textout_time(FILE *out, const struct claim_time *t);

#endif

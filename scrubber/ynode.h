/*
 * ynode — strict YAML: a buffer becomes a tree of nodes that remember where
 * they came from, and key tables turn mappings into structs.
 *
 * Stricter than libyaml alone: aliases, anchors and tags are refused
 * (no billion laughs, no surprises), duplicate keys and non-scalar keys are
 * errors, nesting and node counts are bounded, and scalars are converted
 * by type with range checks.  Every error carries file:line:column.
 */
#ifndef SCRUBBER_YNODE_H
#define SCRUBBER_YNODE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"

#define YNODE_MAX_DEPTH 64
#define YNODE_MAX_NODES 2000000

enum ynode_type { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_type type;
	const char *file;      /* borrowed; lives in the arena */
	unsigned line, column; /* 1-based */
	bool plain;	       /* scalar written without quotes */
	bool flow;	       /* seq, map written in flow style: [..], {..} */
	const char *str;       /* scalar: NUL-terminated text */
	size_t len;	       /* scalar: bytes in str (may hold NULs) */
	size_t n;	       /* seq: items; map: pairs */
	struct ynode **items;  /* seq items, or map values */
	struct ynode **keys;   /* map keys (scalars), parallel to items */
};

/*
 * Parses every document in buf.  On return *docs holds the documents read
 * before any syntax error (allocated in a) and *ndocs their number; *doc_lines
 * (if not NULL) the 1-based line each starts on.  A syntax error adds one
 * diagnostic and returns SCRUB_EINPUT; documents before it stay usable.
 */
enum scrub_err ynode_parse(struct arena *a, const char *file, const char *buf,
			   size_t len, struct ynode ***docs, size_t *ndocs,
			   struct diag_list *dl);

/* True for a plain scalar that YAML reads as null: "", "~", "null". */
bool ynode_is_null(const struct ynode *n);

/* Writes a short, escaped rendering of a scalar for messages. */
void ynode_quote(const struct ynode *n, char *buf, size_t size);

/* Name of a node type for messages: "a mapping", "a sequence", "a scalar". */
const char *ynode_type_name(enum ynode_type t);

/* Context for conversions: where strings go and where errors go. */
struct yctx {
	struct arena *arena;
	struct diag_list *dl;
};

/* Adds a diagnostic at node n; always returns SCRUB_EINPUT (or ENOMEM). */
enum scrub_err ynode_error(struct yctx *c, const struct ynode *n,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fails unless n has type t ("'what' must be a mapping, not a scalar"). */
enum scrub_err ynode_want(struct yctx *c, const struct ynode *n,
			  enum ynode_type t, const char *what);

/* A string scalar of 1..maxlen bytes with no NUL and no control characters. */
enum scrub_err ynode_str(struct yctx *c, const struct ynode *n,
			 const char *what, size_t maxlen, const char **out);

/* A plain decimal integer in [min, max]. */
enum scrub_err ynode_int(struct yctx *c, const struct ynode *n,
			 const char *what, long min, long max, long *out);

/* true or false. */
enum scrub_err ynode_bool(struct yctx *c, const struct ynode *n,
			  const char *what, bool *out);

/* One of names[] (NULL-terminated); *out is its index. */
enum scrub_err ynode_enum(struct yctx *c, const struct ynode *n,
			  const char *what, const char *const names[],
			  int *out);

/* A row of a key table: how one mapping key is handled. */
struct ykey {
	const char *name;
	bool required;
	/* Converts the value into obj; returns SCRUB_EINPUT after reporting. */
	enum scrub_err (*set)(struct yctx *c, const struct ynode *value,
			      void *obj);
};

/*
 * Walks mapping `map` through `keys` (ended by a row with name NULL): each key
 * goes to its handler, unknown keys and missing required keys are reported.
 * All errors are collected; returns SCRUB_EINPUT if there was any.
 * `what` names the mapping in messages ("administration").
 */
enum scrub_err ymap_walk(struct yctx *c, const struct ynode *map,
			 const char *what, const struct ykey *keys, void *obj);

/* The value for key `name` in mapping map, or NULL. */
const struct ynode *ymap_get(const struct ynode *map, const char *name);

#endif

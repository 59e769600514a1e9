/*
 * keytab — one key-table type for every mapping the engine and the daemon
 * read into a struct: claim documents (claimfield.h), rule sections
 * (rules_decode.c) and claimscrubd.yaml (daemon/dconf.c).
 *
 * A row says everything about one key: its name, the type of its value,
 * the bounds, whether it is required, its default, where in the struct the
 * value goes, and (for a configuration that is reloaded) when a change
 * takes effect.  One validator per type converts a value from a struct
 * ynode strictly, reporting at the value, so a type's messages are the
 * same wherever it is used.  A value that really needs code (a time, a
 * service looked up in the rule set) is KT_CUSTOM and has its own set().
 */
#ifndef SCRUBBER_KEYTAB_H
#define SCRUBBER_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>

#include "ynode.h"

enum keytab_type {
	KT_TEXT,   /* 1..max bytes, no control characters: const char *; with
		      len, exactly len bytes ("a <len>-character <item>") */
	KT_CODE,   /* exactly len upper-case letters or digits: const char * */
	KT_INT,	   /* a plain integer min..max: an int, or with wide a long */
	KT_BOOL,   /* true or false: bool */
	KT_ENUM,   /* one of names[]: its index, an int */
	KT_DATE,   /* YYYY-MM-DD: int32_t days; a bool at present, if set */
	KT_CUSTOM, /* set() reads it; differs() compares two of it */
	KT_CODES,  /* at most max codes of len characters: const char *[],
		      the count (int) at present */
	KT_LIST,   /* at most max items of size bytes, each a mapping of a
		      table of its own: the caller reads it, not keytab_set */
};

struct keytab_key;

/* KT_CUSTOM: converts v into obj; returns SCRUB_EINPUT after reporting. */
typedef enum scrub_err keytab_set_fn(struct yctx *c, const struct keytab_key *k,
				     const struct ynode *v, void *obj);
/* KT_CUSTOM: whether the values of k in a and b differ (for a reload). */
typedef bool keytab_differs_fn(const struct keytab_key *k, const void *a,
			       const void *b);

/*
 * The members of a row, as a list, so that a table with columns of its own
 * (struct claim_field) can hold a row under these same names (see
 * KEYTAB_KEY_UNION); everywhere else, use struct keytab_key.
 *
 *   key       the mapping key
 *   type      how the value is read (enum keytab_type)
 *   required  a mapping without the key is an error
 *   wide      KT_INT: stored in a long, not an int
 *   min, max  see the types
 *   len       KT_TEXT, KT_CODE, KT_CODES: see the types
 *   def       KT_INT, KT_ENUM: the value when absent (keytab_default)
 *   dflt      KT_TEXT: the value when absent; NULL: none
 *   names     KT_ENUM: the names, NULL-terminated
 *   item      KT_TEXT with len, KT_CODES: what one item is, in messages
 *   offset    where the value is in the struct
 *   present   KT_DATE (0: none), KT_CODES, KT_LIST: see the types
 *   size      KT_LIST: bytes of one item
 *   reload    for the caller (dconf): when a change takes effect
 *   set       KT_CUSTOM: reads the value
 *   differs   KT_CUSTOM: compares two of it (keytab_differs); may be NULL
 *             where nothing is compared
 */
#define KEYTAB_KEY_MEMBERS \
	const char *key; \
	enum keytab_type type; \
	bool required; \
	bool wide; \
	long min, max; \
	size_t len; \
	long def; \
	const char *dflt; \
	const char *const *names; \
	const char *item; \
	size_t offset; \
	size_t present; \
	size_t size; \
	int reload; \
	keytab_set_fn *set; \
	keytab_differs_fn *differs

/* A row; a table is an array of them ended by a row whose key is NULL. */
struct keytab_key {
	KEYTAB_KEY_MEMBERS;
};

/*
 * A row as the first member of a larger row: reachable whole as `kt` (for
 * the functions here) and member by member (r->key), as Linux's
 * struct_group does; the two are one union, so they cannot drift apart.
 */
#define KEYTAB_KEY_UNION \
	union { \
		struct keytab_key kt; \
		struct { \
			KEYTAB_KEY_MEMBERS; \
		}; \
	}

/*
 * Converts value v of key k into obj (at k->offset) through k's type's
 * validator; a bad value is reported at v and SCRUB_EINPUT returned.
 * `in` names the mapping in messages that say what it holds ("a line has
 * at most 4 modifiers").
 */
enum scrub_err keytab_set(struct yctx *c, const struct keytab_key *k,
			  const char *in, const struct ynode *v, void *obj);

/* Stores k's default in obj (KT_INT, KT_ENUM, KT_TEXT with a dflt). */
void keytab_default(const struct keytab_key *k, void *obj);

/* The same for every row of table keys. */
void keytab_defaults(const struct keytab_key *keys, void *obj);

/* The row of keys for mapping key node k, or NULL. */
const struct keytab_key *keytab_find(const struct keytab_key *keys,
				     const struct ynode *k);

/* Whether a and b (structs of the table) differ in k's value. */
bool keytab_differs(const struct keytab_key *k, const void *a, const void *b);

/* The messages of a walk, for a caller that walks a table of its own:
 * "unknown key 'k' in <what>" at key node k, and "<what> is missing
 * required key '<key>'" at map. */
enum scrub_err keytab_unknown(struct yctx *c, const struct ynode *k,
			      const char *what);
enum scrub_err keytab_missing(struct yctx *c, const struct ynode *map,
			      const char *what, const char *key);

/*
 * Reads mapping map (named `what` in messages) into obj through table
 * keys: each key through keytab_set, unknown keys and then missing
 * required keys reported.  Every error is collected; returns SCRUB_EINPUT
 * if there was any (SCRUB_ENOMEM at once).  Defaults are not set here:
 * keytab_defaults first, where the table has them.
 */
enum scrub_err keytab_walk(struct yctx *c, const struct ynode *map,
			   const char *what, const struct keytab_key *keys,
			   void *obj);

/*
 * Reads the configuration file at path (at most max_bytes) into obj
 * through table keys: one YAML mapping, or nothing at all (an empty file:
 * nothing set); *map (when not NULL) is the mapping read, for checks of
 * the whole file, or NULL when there was none.  Errors at file:line:column
 * in dl.  Strings live in arena a.
 */
enum scrub_err keytab_read_file(struct arena *a, const char *path,
				size_t max_bytes, const struct keytab_key *keys,
				void *obj, const struct ynode **map,
				struct diag_list *dl);

#endif

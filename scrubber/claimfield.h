/*
 * claimfield — the claim model's one field table: every key a claim
 * document may hold, at which level (the claim, a line, an
 * administration), of which type, within which bounds, and where its value
 * lives in struct claim, struct claim_line or struct administration.
 *
 * The table drives the document reader (claimdoc.c), both canonical
 * writers (claimjson.c, claimyaml.c) and the daemon's row reader
 * (daemon/claimrows.c, which finds a field's column by a name made from its
 * key).  A value, from a document or from a row, goes through one
 * validator per type (claimfield_read), so a bad value has the same message
 * whichever way it came.  Adding a field: README.md, "Adding a claim field".
 */
#ifndef SCRUBBER_CLAIMFIELD_H
#define SCRUBBER_CLAIMFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "claim.h"
#include "ynode.h"

enum claimfield_level { CF_CLAIM, CF_LINE, CF_ADMIN, CF_LEVELS };

enum claimfield_type {
	CF_TEXT,  /* 1..max bytes, no control characters: const char * */
	CF_CODE,  /* exactly len upper-case letters or digits: const char * */
	CF_INT,	  /* a plain integer min..max, def when absent: int */
	CF_BOOL,  /* true or false, false when absent: bool */
	CF_ENUM,  /* one of names[]: the enum, an int */
	CF_DATE,  /* YYYY-MM-DD, 1900..2999: int32_t days, bool at present */
	CF_TIME,  /* kept as documented, parsed if it can be: claim_time */
	CF_CODES, /* at most max codes of len characters: const char *[],
		     the count (int) at present */
	CF_LIST,  /* at most max items of level child, size bytes each: a
		     pointer to them, the count (size_t) at present */
};

struct claim_field {
	const char *key;
	enum claimfield_level level;
	enum claimfield_type type;
	bool required;
	long min, max;		     /* see the types */
	size_t len;		     /* CF_CODE, CF_CODES: a code's length */
	long def;		     /* CF_INT: the value when absent */
	const char *dflt;	     /* CF_TEXT: the value when absent */
	const char *const *names;    /* CF_ENUM */
	const char *item;	     /* CF_CODES: one item, in messages */
	size_t offset;		     /* of the value in its level's struct */
	size_t present;		     /* CF_DATE, CF_CODES, CF_LIST: see above */
	enum claimfield_level child; /* CF_LIST */
	size_t size;		     /* CF_LIST: sizeof one item */
};

/* The table, in canonical key order (the order the writers use); ended by
 * a row whose key is NULL. */
extern const struct claim_field claim_fields[];

/* The fields of a level are at most this many (a bit each in a mask). */
#define CLAIMFIELD_MAX 64

/* A level's name in messages: "claim document", "line", "administration". */
extern const char *const claimfield_level_names[CF_LEVELS];

/* The field of level with key k (klen bytes), or NULL. */
const struct claim_field *claimfield_find(enum claimfield_level level,
					  const char *k, size_t klen);

/* The field's bit in a mask of the fields seen (its index in the table). */
uint64_t claimfield_bit(const struct claim_field *f);

/* Where field f's value is in obj, the struct of its level. */
const void *claimfield_at(const struct claim_field *f, const void *obj);

/*
 * For the writers: whether field f of obj is written (a text only when
 * set and not empty, a date or time only when present, a flag only when
 * true; the rest always), and, for a field written as a string (texts,
 * codes, enum names, dates, times), its text (a date formatted into buf,
 * of size bytes), else NULL.
 */
bool claimfield_written(const struct claim_field *f, const void *obj);
const char *claimfield_text(const struct claim_field *f, const void *obj,
			    char *buf, size_t size);

/* Sets the defaults of an item of level (obj zeroed before). */
void claimfield_defaults(enum claimfield_level level, void *obj);

/*
 * Converts value v of field f (not CF_LIST) into obj, the struct of f's
 * level; a bad value is reported at v and SCRUB_EINPUT returned.  The one
 * validator per type, for documents and rows alike.
 */
enum scrub_err claimfield_read(struct yctx *c, const struct claim_field *f,
			       const struct ynode *v, void *obj);

/* Checks a list's length n against list field f, reporting at v. */
enum scrub_err claimfield_list_len(struct yctx *c, const struct claim_field *f,
				   const struct ynode *v, size_t n);

/*
 * What is checked of a whole item once its fields were read without error
 * (seen: the mask of the fields it had), reported at v: an
 * administration's route is required but for hydration.
 */
enum scrub_err claimfield_check_item(struct yctx *c,
				     enum claimfield_level level,
				     const struct ynode *v, const void *obj,
				     uint64_t seen);

/*
 * Checks that no administration id of cl is used twice, reporting a
 * repeat at its earliest second occurrence, at where(arg, i) (i: the
 * administration's index).
 */
enum scrub_err claimfield_check_ids(struct yctx *c, const struct claim *cl,
				    const struct ynode *(*where)(const void *,
								 size_t),
				    const void *arg);

#endif

/*
 * claimfield — the claim model's one field table: every key a claim
 * document may hold, at which level (the claim, a line, an
 * administration), of which type, within which bounds, and where its value
 * lives in struct claim, struct claim_line or struct administration.
 *
 * The table drives the document reader (claimdoc.c), both canonical
 * writers (claimjson.c, claimyaml.c) and the daemon's row reader
 * (daemon/claimrows.c, which finds a field's column by a name made from its
 * key).  Each row is a key-table row (keytab.h) with its level; a value,
 * from a document or from a row, goes through the key table's validator
 * for its type (claimfield_read), so a bad value has the same message
 * whichever way it came.  Adding a field: README.md, "Adding a claim field".
 */
#ifndef SCRUBBER_CLAIMFIELD_H
#define SCRUBBER_CLAIMFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "claim.h"
#include "keytab.h"
#include "ynode.h"

enum claimfield_level { CF_CLAIM, CF_LINE, CF_ADMIN, CF_LEVELS };

/* The claim model's names for the key table's types (keytab.h), as the
 * writers, the row reader and their tests name them; macros, not an enum
 * of their own, since gcc warns when f->type (an enum keytab_type) is
 * compared with another enum's constant. */
#define CF_TEXT KT_TEXT /* 1..max bytes, no control characters */
#define CF_CODE KT_CODE /* exactly len upper-case letters or digits */
#define CF_INT KT_INT	/* a plain integer min..max, def when absent: int */
#define CF_BOOL KT_BOOL /* true or false, false when absent: bool */
#define CF_ENUM KT_ENUM /* one of names[]: the enum, an int */
/* YYYY-MM-DD, 1900..2999: int32_t days, bool at present */
#define CF_DATE KT_DATE
/* Kept as documented, parsed if it can be: claim_time; the table's one
 * custom type */
#define CF_TIME KT_CUSTOM
/* At most max codes of len characters: const char *[], the count (int) at
 * present */
#define CF_CODES KT_CODES
/* At most max items of level child, size bytes each: a pointer to them,
 * the count (size_t) at present */
#define CF_LIST KT_LIST

/* A key-table row (f->key, f->type, ...; f->kt whole) and its level. */
struct claim_field {
	KEYTAB_KEY_UNION;
	enum claimfield_level level;
	enum claimfield_level child; /* CF_LIST */
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

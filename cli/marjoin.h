/*
 * marjoin — `claimscrub import --mar`: the MAR records of the files named,
 * joined to 837 claims on the encounter key and paired into each claim's
 * administrations (scrubber/marpair.h).
 */
#ifndef CLI_MARJOIN_H
#define CLI_MARJOIN_H

#include <stdbool.h>

#include "scrubber/scrubber.h"

/* What joins a claim to MAR records: the claim's value that equals the
 * records' encounter (FHIR context), indexed by --mar-key's choices. */
enum marjoin_key {
	MARJOIN_CLM01, /* CLM01, the patient control (account) number */
	MARJOIN_EA,    /* 2300 REF*EA, the medical record number */
};
extern const char *const marjoin_keys[];

struct marjoin;

/* Claim xc's value of key (its CLM01, or its REF*EA: NULL when it has
 * none): the encounter its MAR records are kept under. */
const char *marjoin_key_of(const struct x12_claim *xc, enum marjoin_key key);

/* A reader of MAR records (fhir_read, hl7_read), its counts reduced to what
 * it skipped: the rows of cmd_import.c's table of MAR formats. */
typedef enum scrub_err marjoin_read_fn(struct arena *a, const char *path,
				       const char *buf, size_t len,
				       struct mar_record **recs, size_t *n,
				       size_t *skipped, struct diag_list *dl);

/* Reads every MAR file with read (files of at most max_bytes), printing
 * errors in compiler form; NULL (said) when any file had an error or
 * memory ran out: a claim must not be judged on part of its record. */
struct marjoin *marjoin_load(const char *const *files, int nfiles,
			     marjoin_read_fn *read, size_t max_bytes);

/* What marjoin_claim did with a claim. */
enum marjoin_outcome {
	MARJOIN_NONE,	/* no records for its key: no administrations */
	MARJOIN_JOINED, /* administrations from its records */
	MARJOIN_HELD,	/* its records cannot be paired (said): not written */
	MARJOIN_NOMEM,
};

/*
 * Sets out->admins (in j's arena) from the records whose encounter is the
 * claim's `key` value, paired under rs's tables in force on the claim's
 * date of service; out is a copy of the claim.  Diagnostics are printed.
 * *key_value gets the key's value (NULL when the claim has none).
 */
enum marjoin_outcome marjoin_claim(struct marjoin *j, const struct ruleset *rs,
				   const struct x12_claim *xc,
				   enum marjoin_key key, struct claim *out,
				   const char **key_value);

/* The first code of claim c that is a drug-administration service of the
 * rules in force on its date of service (the catalogue), or NULL: a claim
 * billing one cannot be judged without its administration record. */
const char *marjoin_administration_code(const struct ruleset *rs,
					const struct claim *c);

/* Records and encounters read that no claim took (for a closing note). */
void marjoin_unused(const struct marjoin *j, size_t *records,
		    size_t *encounters);

/* NULL is a no-op. */
void marjoin_free(struct marjoin *j);

#endif

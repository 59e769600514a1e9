/*
 * fhir — a strict reader of FHIR R4 MedicationAdministration resources
 * into MAR records (marrec.h), from a Bundle or from NDJSON (one resource
 * per line, as a Bulk Data $export writes it).
 *
 * JSON is read by json.h, a strict RFC 8259 parser into ynode trees.
 * libyaml, which reads claim documents, did not fit: it refused valid JSON
 * (surrogate pair escapes, a raw DEL, names over 1024 characters), accepted
 * what is not JSON (a member without a value, comments, trailing commas)
 * and held the reader to a quarter of its target speed.
 *
 * Members the reader uses are checked for their JSON type and value;
 * members it does not use are ignored, since FHIR allows extensions
 * everywhere.  Other resource types (Encounter, Patient ...) are skipped
 * and counted.  Every
 * error names file:line:column of the JSON node (for NDJSON the line is the
 * file's line) and the resource's id when it has one.  A bad resource does
 * not stop the others from being checked: the caller gets the good records
 * and every error, and decides whether one error refuses the file.
 */
#ifndef SCRUBBER_FHIR_H
#define SCRUBBER_FHIR_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "marrec.h"

/* A larger input is refused whole: 512 MiB holds a Bulk Data file of some
 * 600,000 MedicationAdministration resources. */
#define FHIR_MAX_BYTES ((size_t)512 << 20)
/* Resources per file (Bundle entries, or NDJSON lines), read or skipped. */
#define FHIR_MAX_RESOURCES 1000000
/* One NDJSON line, or one pretty-printed Bundle, bounded further by
 * the parser's node count and nesting depth (YNODE_MAX_NODES, _DEPTH). */
#define FHIR_MAX_LINE_BYTES ((size_t)1 << 20)
/* Codings in one CodeableConcept (drug, route, method, site): more than
 * MAR_MAX_CODES is an error, never a silent cut. */
#define FHIR_MAX_CODINGS MAR_MAX_CODES
/* Contained resources searched for a medicationReference. */
#define FHIR_MAX_CONTAINED 64
/* Bytes of an id (FHIR's own limit), a code, a reference or a URI, and of
 * free text (display, text). */
#define FHIR_MAX_ID 64
#define FHIR_MAX_CODE 256
#define FHIR_MAX_TEXT 1024

/* What a read went through; the records are those read without error. */
struct fhir_counts {
	size_t resources; /* resources seen, of every type */
	size_t records;	  /* MedicationAdministration read into records */
	size_t refused;	  /* MedicationAdministration with an error */
	size_t skipped;	  /* resources of other types, not read */
};

/*
 * Reads buf (len bytes, from `file`, named in messages).  NDJSON when the
 * first line that is not blank is a whole JSON object on its own ("{...}"),
 * else one JSON document: a Bundle or a single resource.  In NDJSON a line
 * may hold a Bundle too; blank lines are skipped.
 *
 * *recs (allocated in a, with every string it points to) gets the records
 * of the resources read without error, in input order, and *nrecs their
 * number; counts (may be NULL) what was seen.  Returns SCRUB_OK, or
 * SCRUB_EINPUT when any resource or line had an error (every error in dl;
 * the records read are still returned), SCRUB_ELIMIT when an input limit
 * was passed (one diagnostic), SCRUB_ENOMEM.
 */
enum scrub_err fhir_read(struct arena *a, const char *file, const char *buf,
			 size_t len, struct mar_record **recs, size_t *nrecs,
			 struct fhir_counts *counts, struct diag_list *dl);

#endif

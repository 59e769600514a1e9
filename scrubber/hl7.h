/*
 * hl7 — a strict reader of HL7 v2 pharmacy administration messages,
 * RAS^O17 (versions 2.3 to 2.5.1, whose fields read here sit in the same
 * places), into MAR records (marrec.h): the same records as fhir_read.
 *
 * The input is a file of messages, each starting with MSH, optionally
 * inside FHS/BHS ... BTS/FTS batch wrappers (accepted, not checked) and
 * MLLP frames (a 0x0B before MSH, 0x1C alone on the line after the last
 * segment; accepted, their pairing not checked).  Segments end in CR as
 * the standard says; LF and CR LF are accepted too, as files are often
 * written, and each ending counts one line in messages.  Blank lines are
 * skipped.  Delimiters come from each message's MSH-1 and MSH-2 (exactly
 * four encoding characters: component, repetition, escape, subcomponent).
 *
 * What is read:
 *   PV1-19.1        the visit number: the record's encounter
 *   ORC-2.1/ORC-3.1 the placer (else filler) order number: the group
 *                   "ORC-2/NUMBER" (or "ORC-3/NUMBER"), and with RXA-2 the
 *                   id "NUMBER/RXA-2", stable across resends of an event
 *   ORC-5           HD (order on hold) makes a partial administration
 *                   on-hold rather than stopped
 *   RXA-3, RXA-4    start and end, YYYYMMDDHHMM[SS[.S...]] with an offset
 *                   +/-ZZZZ required (without one HL7 means the sender's
 *                   local time, which the reader cannot know; FHIR
 *                   requires a zone too).  RXA-4 equal to RXA-3 is an
 *                   instant (start and stop, as FHIR effectiveDateTime).
 *                   An empty RXA-4 is read as a stop not charted, not as
 *                   the standard's "same as RXA-3": that default would
 *                   turn an infusion charted without its end into a push.
 *   RXA-5           the drug (CWE): identifier and alternate identifier
 *                   are its codings, CWE-9 original text its text (else
 *                   a text sent without an identifier)
 *   RXA-20, RXA-21  status: CP completed, PA stopped (on-hold under ORC-5
 *                   HD), RE and NA not-done, empty completed (HL7's
 *                   default); action D (delete) is entered-in-error
 *   RXR-1, -2, -4   route (a table 0162 code when no system is named),
 *                   site and method: CWE-9 original text, else CWE-2
 *                   text, else the code.  The RXR after a run of RXA
 *                   segments applies to each of them (RAS^O17's
 *                   {RXA} RXR); RXRs before the first RXA belong to the
 *                   order (RXO, RXE) and are not read.
 * Code systems are HL7 table 0396 names: RXNORM, NDC, HCPCS and HPC
 * (MAR_HCPCS when the code is Level II, a letter and four digits), SCT,
 * HL70162; any other is MAR_OTHER with its name as the uri.  A field that
 * repeats gives its first repetition.  "" (HL7's explicit null) reads as
 * empty.  Escapes \F\ \S\ \T\ \R\ \E\ \Xhh...\ are decoded, \H\ and \N\
 * (highlighting) dropped, any other escape is an error, as is a control
 * character in a field read.  Other message types (ACK, ADT, and RDS^O13,
 * whose RXD segments are dispenses, not doses given) are skipped and
 * counted; other segments (PID, OBX, NTE, Z-segments ...) are ignored.
 *
 * Errors name FILE:LINE:COLUMN of the field and "SEG-N: " first.  A
 * message is the unit refused, as an HL7 acknowledgement rejects a message
 * whole: one error drops every record of its message, and reading goes on
 * with the next MSH.
 */
#ifndef SCRUBBER_HL7_H
#define SCRUBBER_HL7_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "marrec.h"

/* A larger input is refused whole, as FHIR_MAX_BYTES. */
#define HL7_MAX_BYTES ((size_t)512 << 20)
/* Messages per file. */
#define HL7_MAX_MESSAGES 1000000
/* Segments per message: a day's administrations of one order fit many
 * times over. */
#define HL7_MAX_SEGMENTS 10000
/* Bytes of one field as written, and its repetitions. */
#define HL7_MAX_FIELD 65536
#define HL7_MAX_REPETITIONS 100
/* Bytes of a value read, once decoded: an identifier, code or time, and
 * free text (as FHIR_MAX_CODE, FHIR_MAX_TEXT). */
#define HL7_MAX_CODE 256
#define HL7_MAX_TEXT 1024

/* What a read went through; the records are those read without error. */
struct hl7_counts {
	size_t messages; /* MSH segments seen */
	size_t records;	 /* RXA segments read into records */
	size_t refused;	 /* RXA segments of messages with an error */
	size_t skipped;	 /* messages of other types, not read */
};

/*
 * Reads buf (len bytes, from `file`, named in messages).  *recs (allocated
 * in a, with every string it points to) gets the records of the messages
 * read without error, in input order, and *nrecs their number; counts (may
 * be NULL) what was seen.  Returns SCRUB_OK, or SCRUB_EINPUT when any
 * message had an error (every error in dl; the records of the other
 * messages are still returned), SCRUB_ELIMIT when the input's size or its
 * number of messages passed a limit (one diagnostic), SCRUB_ENOMEM.
 */
enum scrub_err hl7_read(struct arena *a, const char *file, const char *buf,
			size_t len, struct mar_record **recs, size_t *nrecs,
			struct hl7_counts *counts, struct diag_list *dl);

#endif

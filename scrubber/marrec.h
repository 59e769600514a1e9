/*
 * marrec — one event of a medication administration record (MAR), as the
 * intake readers give it: neutral between its sources (FHIR R4
 * MedicationAdministration, fhir.h; HL7 v2 RAS^O17, hl7.h), before events are
 * paired into runs (struct administration, claim.h) and joined to claims.
 *
 * A record says what was documented and nothing more: codes are kept as
 * their system and text, not yet mapped to a kind or a route of the claim
 * model (that needs the effective-dated mapping tables), and times are kept
 * as written.  Every string is borrowed from the arena the reader was given.
 */
#ifndef SCRUBBER_MARREC_H
#define SCRUBBER_MARREC_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "isotime.h"
#include "strbuf.h"

/* Codings kept per drug concept: a MAR drug is coded a few times over
 * (RxNorm, NDC, a HCPCS J-code); a reader refuses more than this rather
 * than dropping one silently. */
#define MAR_MAX_CODES 8

/* Where the event stands, the FHIR R4 MedicationAdministration status
 * codes (v2 readers map their action codes onto these): pairing needs to
 * know a paused bag (on-hold) from a finished one, and must drop events
 * entered in error and doses not given. */
enum mar_status {
	MAR_IN_PROGRESS,
	MAR_NOT_DONE,
	MAR_ON_HOLD,
	MAR_COMPLETED,
	MAR_ENTERED_IN_ERROR,
	MAR_STOPPED,
	MAR_UNKNOWN,
};

/* The FHIR codes, indexed by enum mar_status, NULL-terminated. */
extern const char *const mar_status_names[];

/* The code systems the mapping tables will key on, recognised by their
 * URI (FHIR) or table name (v2); anything else is MAR_OTHER with its URI
 * kept, so an unmapped code can be reported as written. */
enum mar_system {
	MAR_RXNORM,  /* http://www.nlm.nih.gov/research/umls/rxnorm */
	MAR_NDC,     /* http://hl7.org/fhir/sid/ndc */
	MAR_HCPCS,   /* CMS HCPCS Level II (J-codes): the billed drug line */
	MAR_SNOMED,  /* http://snomed.info/sct: routes, sites */
	MAR_V2_0162, /* HL7 table 0162, route of administration */
	MAR_OTHER,   /* any other system, or none */
};

/* The names used in messages and dumps, indexed by enum mar_system;
 * NULL-terminated (a record read back looks its system up by name). */
extern const char *const mar_system_names[];

/* One coding as written. */
struct mar_code {
	enum mar_system system;
	const char *uri;     /* MAR_OTHER: the system as written, NULL if none;
				else NULL (the enum says it) */
	const char *code;    /* never NULL in a record */
	const char *display; /* NULL when not given */
};

struct mar_record {
	/* Where the event came from, for messages about it after pairing
	 * (the start of the resource, or of the v2 segment). */
	const char *file;
	unsigned line, column;

	/* The source's id of the event (FHIR resource id; v2: the order
	 * number and RXA-2, "NUMBER/N"), NULL if none: what a later event's
	 * partOf points at, and what reviewers see. */
	const char *id;

	/* The visit the event belongs to: the key joining it to a claim.
	 * FHIR: the ID of context.reference "Encounter/ID", else
	 * context.identifier.value.  v2: PV1-19.  Never NULL in a record. */
	const char *encounter;

	/* What ties the events of one bag or order together, as the source
	 * wrote it: FHIR partOf[0].reference, else request.reference
	 * ("MedicationAdministration/ma-3", "MedicationRequest/mr-9"; v2:
	 * the order, "ORC-2/PLACER" or "ORC-3/FILLER"); NULL
	 * when neither is given (the event stands alone, or starts a run
	 * that later events name by its id). */
	const char *group;

	enum mar_status status;

	/* When.  A Period gives start and, when documented, stop (has_stop
	 * false: still running, or the stop was not charted).  A single
	 * instant (FHIR effectiveDateTime) is a push or an injection: it is
	 * start and stop both, and instant says it was one moment, so pairing
	 * never takes it for an infusion left open.  Times carry an offset. */
	bool has_start, has_stop, instant;
	struct isotime start, stop;

	/* The drug: its codings in document order, and its text. */
	struct mar_code drug[MAR_MAX_CODES];
	size_t ndrug;
	const char *drug_text; /* NULL when not given */

	/* How it was given: the route coding when has_route (the first of a
	 * recognised system, else the first), its text, and the method text,
	 * which is often the only place a MAR says "IV push" against "IV
	 * infusion". */
	bool has_route;
	struct mar_code route;
	const char *route_text;	 /* NULL when not given */
	const char *method_text; /* method text, else its first display */

	/* The body site (text, else the first coding's display, else code):
	 * a second vascular access site can justify a second initial code. */
	const char *site;
};

/* The records a reader gathers as it goes (fhir.c, hl7.c): malloc'd and
 * doubled as needed, then copied into the caller's arena at the end. */
struct marrec_list {
	struct mar_record *v;
	size_t n, cap;
};

/* Appends a copy of rec; SCRUB_ENOMEM when the list cannot grow. */
enum scrub_err marrec_list_push(struct marrec_list *l,
				const struct mar_record *rec);

/* Copies the records into a (*recs, *n; left NULL and 0 when there are
 * none) and frees the list, whatever it returns (SCRUB_ENOMEM when a
 * cannot hold them). */
enum scrub_err marrec_list_finish(struct marrec_list *l, struct arena *a,
				  struct mar_record **recs, size_t *n);

/*
 * Appends r as one compact JSON object, members in a fixed order and absent
 * values left out: {"id", "encounter", "group", "status", "start", "stop"
 * (times as written, with their offset), "instant", "drug": [{"system",
 * "uri", "code", "display"}], "drug_text", "route": {...}, "route_text",
 * "method_text", "site", "at": "FILE:LINE:COLUMN"} — what `claimscrub
 * import --format fhir` (or hl7) prints, one record a line.
 */
void marrec_json_write(const struct mar_record *r, struct strbuf *sb);

/*
 * Reads a record back from the len bytes of JSON at text, an object as
 * marrec_json_write gives it (claimscrub.mar_event keeps them: the daemon
 * pairs an encounter's records at scrub time).  Strings live in a; file,
 * line and column come from its "at".  Returns SCRUB_OK, SCRUB_EINPUT
 * with a diagnostic (a member unknown or of the wrong type, a time
 * without its offset, no encounter) or SCRUB_ENOMEM.
 */
enum scrub_err marrec_json_read(struct arena *a, const char *text, size_t len,
				struct mar_record *r, struct diag_list *dl);

#endif

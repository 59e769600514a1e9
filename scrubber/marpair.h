/*
 * marpair — the MAR records of one encounter (marrec.h) into the
 * administrations the engine judges (claim.h): each record's drug and
 * route looked up in the rule set's `mar_map:` tables (marmap.c), then the
 * events of one bag or order paired into runs.
 *
 * Events of one bag are those of one group: a record's group (FHIR partOf,
 * else request) names another record by its id ("MedicationAdministration/
 * ma-3" or "ma-3"), whose group it joins, or else any key its records
 * share; a record without a group is a group of its own.  Within a group,
 * in clock order, each record is
 *   - a period (start and stop): a segment of running time;
 *   - an opening (a start, no stop): a segment begins, unless one of the
 *     same drug is open already (a rate change: it goes on);
 *   - an instant: when a segment of its drug is open, on-hold (a pause),
 *     completed or stopped ends it at that time, in-progress is a rate
 *     change; otherwise a dose given at one moment, a push or injection.
 * Every segment is one administration.  A pause therefore leaves two
 * administrations of the same drug at the same site; the engine adds their
 * minutes (same_drug_segments: sum, infusion-rules.md: "the same drug
 * stopped and restarted on the same access is one run"), or keeps them
 * apart under `separate`, so the payer profile decides, not the pairing.
 * A segment still open at the end has no stop: the engine's
 * missing-stop-time says so; no stop is ever made up.  A push has a start
 * and no stop: a stop equal to its start would be an invalid time.
 * Records entered in error and doses not given are dropped and counted.
 *
 * Kind and substance come from the drug row (the row's name, so every
 * event of a drug is one substance for the engine's same-drug rules, as
 * MAR texts vary); route from the route row's way, the record's time and
 * its method text (marpair_route); site from the record; id the record's
 * (that of the record opening a segment).  primary and
 * separate_site_required stay false: a MAR does not say them.
 */
#ifndef SCRUBBER_MARPAIR_H
#define SCRUBBER_MARPAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "claim.h"
#include "diag.h"
#include "marrec.h"
#include "rules.h"
#include "strbuf.h"

/* Records of one encounter paired at once; more is refused (an encounter
 * of a week's stay charts a few hundred events). */
#define MARPAIR_MAX_RECORDS 10000

/* What a pairing went through. */
struct marpair_counts {
	size_t records;	  /* records given */
	size_t in_error;  /* dropped: entered in error */
	size_t not_done;  /* dropped: not given */
	size_t unmapped;  /* records whose drug or route has no row */
	size_t continued; /* rate changes of an open segment */
	size_t closed;	  /* instants that ended an open segment */
	size_t administrations;
};

/* The drug row a record names, by its codings in document order (HCPCS,
 * NDC, RxNorm), else its drug text matched whole; rs is a period's rule
 * set (rules_at).  False when none does: the record's drug is unmapped. */
bool marpair_drug(const struct ruleset *rs, const struct mar_record *r,
		  const char **substance, enum admin_kind *kind);

/* The administration route of record r: its route coding (HL7 0162,
 * SNOMED) or route text picks a route row; the row's way decides, with the
 * record's time and method: intravenous is a push for an instant or a
 * method text holding one of push_words (a whole word), else an infusion
 * (which the engine makes a push at 15 minutes or less, push_max_minutes);
 * subcutaneous is an injection for an instant, else a subcutaneous
 * infusion.  False when no row has the route: it is unmapped. */
bool marpair_route(const struct ruleset *rs, const struct mar_record *r,
		   enum admin_route *route);

/* What record r says of its drug (its codings, then its text), or of its
 * route, for a message naming an unmapped value: "rxnorm 1665005
 * 'ceftriaxone', text 'Ceftriaxone 1 g'"; "no route documented". */
void marpair_say_drug(const struct mar_record *r, struct strbuf *sb);
void marpair_say_route(const struct mar_record *r, struct strbuf *sb);

/*
 * Pairs the n records (all of one encounter; pointers, in input order)
 * into administrations, under the tables of rs in force on day (days
 * since 1970-01-01: the claim's date of service).  *out (in a) gets them
 * in the order of the records that open them, *nout their number.
 * Returns SCRUB_OK; SCRUB_EINPUT when a record's drug or route is unmapped
 * or two segments would share an id (a diagnostic each, at the record's
 * file:line:column, naming `unmapped-drug` or `unmapped-route` and the
 * value; the others are still paired); SCRUB_ELIMIT over
 * MARPAIR_MAX_RECORDS; SCRUB_ENOMEM.
 */
enum scrub_err marpair_pair(struct arena *a, const struct ruleset *rs,
			    int32_t day, const struct mar_record *const *recs,
			    size_t n, struct administration **out, size_t *nout,
			    struct marpair_counts *counts,
			    struct diag_list *dl);

#endif

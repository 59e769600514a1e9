/*
 * finding — the stable finding ids (design.md, "Finding rules").  The engine
 * emits these; severities, switches and messages are data in rules.d.
 */
#ifndef SCRUBBER_FINDING_H
#define SCRUBBER_FINDING_H

/*
 * Every finding id, one row each: the enum constant, its name and its
 * explanation.  The enum, finding_names, finding_explanations and every
 * per-finding table derive from this one list (as memcached.h does with
 * its X-macros), so a new id cannot be missed by one of them; tests/lists.sh holds rules.d/30-findings.yaml and README.md's
 * findings table to it.  A new id is one new row; per-finding output (the
 * daemon's metrics) lists ids in this order.
 */
#define FINDING_LIST(X) \
	X(F_MISSING_START_TIME, "missing-start-time", \
	  "A timed administration (an infusion, a subcutaneous " \
	  "infusion or any hydration) needs its start and its stop " \
	  "to be coded, and a push or injection needs its start, " \
	  "the time it was given. Without it no time-based code can " \
	  "be derived, so none is expected (missing_time: hold) and " \
	  "a payer or auditor would deny a code billed for it. Fix: " \
	  "document the time in the record; the finding is cleared " \
	  "when the claim is scrubbed again.") \
	X(F_MISSING_STOP_TIME, "missing-stop-time", \
	  "A timed administration (an infusion, a subcutaneous " \
	  "infusion or any hydration) needs a stop time: its " \
	  "minutes decide between a push and an infusion, whether " \
	  "hydration is reportable and how many additional hours it " \
	  "supports. Without it no time-based code is derived for " \
	  "it (missing_time: hold). Fix: document the stop time in " \
	  "the record; the finding is cleared when the claim is " \
	  "scrubbed again.") \
	X(F_INVALID_TIME, "invalid-time", \
	  "A time that cannot be read, a stop at or before its " \
	  "start, or a run of more than 24 hours cannot be the " \
	  "basis of a code. Minutes are whole minutes from start to " \
	  "stop, and a run across midnight needs both dates. Fix: " \
	  "correct the time in the record.") \
	X(F_INFUSION_UNDER_16, "infusion-under-16", \
	  "An infusion of 15 minutes or less is coded as a push " \
	  "(push_max_minutes: 15), so an infusion code billed for " \
	  "such a run is not supported by the record. Fix: replace " \
	  "the line by the push code the run supports (the initial " \
	  "push, a new drug's push or a same-drug push), as the " \
	  "finding says.") \
	X(F_HYDRATION_UNDER_31, "hydration-under-31", \
	  "Hydration of 30 minutes or less is not reportable " \
	  "(hydration_min_minutes: 31); hydration minutes that ran " \
	  "beside a drug on the same access are subtracted first. " \
	  "Fix: remove the hydration line, or, when it was billed " \
	  "as the primary, replace it by the initial the record " \
	  "supports.") \
	X(F_ADDITIONAL_HOUR_UNSUPPORTED, "additional-hour-unsupported", \
	  "An additional hour counts only for a part-hour of more " \
	  "than 30 minutes past the last full hour: after a first " \
	  "hour coded as an initial or sequential service, add-on " \
	  "units are (minutes - 31) / 60 rounded down (90 minutes: " \
	  "none, 91: one). The line bills more units than that. " \
	  "Fix: set the units to what the time supports, or remove " \
	  "the line.") \
	X(F_ADDITIONAL_HOUR_MISSED, "additional-hour-missed", \
	  "The record supports more additional hours than billed " \
	  "(more than 30 minutes past the last full hour each): " \
	  "revenue the claim leaves unbilled. Fix: set the add-on " \
	  "line's units, or add the line, as the finding says.") \
	X(F_DUPLICATE_INITIAL, "duplicate-initial", \
	  "A claim has one initial service per encounter, and a " \
	  "second one only for a second access site whose need is " \
	  "documented (separate_site_required), with the payer " \
	  "profile's distinct-site modifier. Every other service is " \
	  "subsequent, even the first of its kind. Fix: add the " \
	  "distinct-site modifier when the second site is " \
	  "documented; else replace the line by the subsequent code " \
	  "the record supports, or set its units, or remove it.") \
	X(F_DISTINCT_SITE_UNSUPPORTED, "distinct-site-unsupported", \
	  "The line carries a distinct-site modifier (59, XS, XU, " \
	  "XE) but the record documents no need for a second access " \
	  "site, so the second initial it claims is not supported. " \
	  "On the claim's only initial the modifier alone is wrong. " \
	  "Fix: remove the modifier, or replace or remove the line, " \
	  "as the finding says.") \
	X(F_WRONG_INITIAL, "wrong-initial", \
	  "In the facility setting the initial is the " \
	  "highest-ranked service given (chemotherapy infusion " \
	  "first, hydration last), whatever the clock order; among " \
	  "equal ranks the longest run, then the earliest start. A " \
	  "lower-ranked service is billed as the initial. Fix: " \
	  "replace the line by the initial the record supports.") \
	X(F_ADDON_WITHOUT_PRIMARY, "addon-without-primary", \
	  "An add-on code (an additional hour, a sequential, " \
	  "concurrent or subsequent service) is reported only with " \
	  "a primary service on the same claim, and none is billed. " \
	  "Fix: add the primary the record supports, or have a " \
	  "person review the claim when the record supports none.") \
	X(F_CONCURRENT_UNITS, "concurrent-units", \
	  "A concurrent infusion is reported at most once per " \
	  "encounter (concurrent_limit), and only for an overlap of " \
	  "at least 16 minutes on the same access; beyond that a " \
	  "drug running beside another is coded as sequential. Fix: " \
	  "replace the surplus by the sequential code, or set the " \
	  "units, or remove the line.") \
	X(F_HYDRATION_CONCURRENT, "hydration-concurrent", \
	  "Hydration is never concurrent: minutes of hydration that " \
	  "ran beside a drug infusion or push on the same access " \
	  "are subtracted before hydration is coded. The line bills " \
	  "hydration time that overlapped a drug. Fix: set the " \
	  "units to what the remaining minutes support, or remove " \
	  "the line.") \
	X(F_UNDOCUMENTED_SERVICE, "undocumented-service", \
	  "Every billed administration code must be supported by a " \
	  "documented administration; this one is supported by " \
	  "none. Fix: replace the line by the code the record " \
	  "supports in its place, or remove it.") \
	X(F_UNBILLED_SERVICE, "unbilled-service", \
	  "The record supports an administration service that is " \
	  "not billed: revenue the claim leaves unbilled. Fix: add " \
	  "the line as the finding gives it (with the distinct-site " \
	  "modifier for a documented second initial).") \
	X(F_UNITS_MISMATCH, "units-mismatch", \
	  "The code is billed with other units than the record " \
	  "supports. Fix: set the line's units to the supported " \
	  "number, or remove the line when it supports none.") \
	X(F_MODIFIER_CONFLICT, "modifier-conflict", \
	  "59 and an X modifier (XE, XP, XS, XU) on one line say " \
	  "the same thing twice; payers that take the X modifiers " \
	  "(CMS prefers them) deny the pair. Fix: remove the " \
	  "modifier the payer profile does not prefer.") \
	X(F_IV_START_BUNDLED, "iv-start-bundled", \
	  "Starting the IV (36000, 36410), local anesthesia, " \
	  "flushes and supplies are part of the drug-administration " \
	  "service and are not paid beside it. Fix: remove the " \
	  "line.") \
	X(F_NURSE_VISIT_BUNDLED, "nurse-visit-bundled", \
	  "A minimal nurse visit (99211) billed on the same claim " \
	  "as a drug administration is not paid separately (CMS CR " \
	  "3631). Fix: remove the line.") \
	X(F_EM_NEEDS_MODIFIER_25, "em-needs-modifier-25", \
	  "Another office or outpatient visit billed with a drug " \
	  "administration is paid only as a separately identifiable " \
	  "service, marked with modifier 25. Fix: add modifier 25 " \
	  "when the record documents such a service; else the visit " \
	  "is part of the administration.") \
	X(F_DRUG_LINE_MISSING, "drug-line-missing", \
	  "The drug given is billed on its own line with a HCPCS " \
	  "Level II code (a J or Q code); administration codes with " \
	  "no drug line at all are usually a missing charge. Fix: a " \
	  "person reviews the claim and adds the drug line.") \
	X(F_MANUAL_REVIEW, "manual-review", \
	  "The claim is outside what the rules judge with " \
	  "confidence (for example two chemotherapy drugs " \
	  "overlapping, for which no concurrent code exists), so " \
	  "the engine says so instead of guessing. Fix: a person " \
	  "codes this part from the record.") \
	X(F_INVALID_DATA, "invalid-data", \
	  "The daemon could not scrub the claim: its stored rows " \
	  "are not a valid claim, or its result could not be " \
	  "written. The reason names the value or the error. Fix: " \
	  "correct the claim at its source and submit it again.") \
	X(F_UNMAPPED_DRUG, "unmapped-drug", \
	  "A medication administration record names a drug that no " \
	  "row of the mar_map tables has, by HCPCS, NDC or RxNorm " \
	  "code or by its name, so whether it was chemotherapy, " \
	  "a therapeutic drug or hydration is not known and is " \
	  "never guessed. The claim is held. Fix: add the drug's " \
	  "row to mar_map.drugs in a local rule file, or correct " \
	  "the record's coding.") \
	X(F_UNMAPPED_ROUTE, "unmapped-route", \
	  "A medication administration record gives a route (an HL7 " \
	  "table 0162 or SNOMED code, or a text) that no row of " \
	  "mar_map.routes has, or none at all, so push, infusion, " \
	  "injection and subcutaneous cannot be told apart and are " \
	  "never guessed. The claim is held. Fix: add the route to " \
	  "mar_map.routes in a local rule file, or document it in " \
	  "the record.") \
	X(F_UNMAPPED_SETTING, "unmapped-setting", \
	  "An 837 claim's place of service (837P) or type of bill " \
	  "(837I) is in no row of the setting_map tables in force " \
	  "on its date of service, so whether the facility or the " \
	  "professional rules judge it is not known and is never " \
	  "guessed. The claim is held. Fix: add the code's row to " \
	  "setting_map in a local rule file, or correct the " \
	  "claim's CLM05-1.") \
	X(F_MAR_MISSING, "mar-missing", \
	  "The claim's administrations come from the medication " \
	  "administration record (MAR) of its encounter, and none " \
	  "came within mar_wait_minutes of the claim. Without it " \
	  "no billed administration code can be judged, and every " \
	  "such line would look unsupported, so the claim is held " \
	  "on this one finding instead. Fix: send the encounter's " \
	  "MAR records (FHIR or HL7 v2); the claim is scrubbed " \
	  "again when they arrive.")

/* The severities, most severe first: results sort by it, and a claim is
 * flagged by any but SEV_INFO. */
#define SEVERITY_LIST(X) \
	X(SEV_ERROR, "error") \
	X(SEV_WARNING, "warning") \
	X(SEV_INFO, "info")

#define FINDING_ENUM_(id, ...) id,
enum finding_id { FINDING_LIST(FINDING_ENUM_) F_COUNT };
enum severity { SEVERITY_LIST(FINDING_ENUM_) SEV_COUNT };
#undef FINDING_ENUM_

/* "missing-start-time" ... indexed by enum finding_id. */
extern const char *const finding_names[F_COUNT + 1];
/* What each finding checks, why and what its fix does, in our words (the
 * rules' basis in docs, never CPT's descriptors): a reviewer's "why is
 * this wrong", indexed by enum finding_id. */
extern const char *const finding_explanations[F_COUNT + 1];
/* "error", "warning", "info", indexed by enum severity. */
extern const char *const severity_names[SEV_COUNT + 1];

/* The id for a name (len bytes), or -1. */
int finding_lookup(const char *name, size_t len);

/* The enum severity for a name (len bytes), or -1. */
int severity_lookup(const char *name, size_t len);

/* The placeholders a message template may use, NULL-terminated. */
extern const char *const finding_placeholders[];

#endif

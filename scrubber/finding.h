/*
 * finding — the stable finding ids (design.md, "Finding rules").  The engine
 * emits these; severities, switches and messages are data in rules.d.
 */
#ifndef SCRUBBER_FINDING_H
#define SCRUBBER_FINDING_H

/*
 * Every finding id, one row each: the enum constant and its name.  The enum,
 * finding_names and every per-finding table derive from this one list (as
 * memcached.h does with its X-macros), so a new id cannot be missed by one
 * of them; tests/lists.sh holds rules.d/30-findings.yaml and README.md's
 * findings table to it.  A new id is one new row; per-finding output (the
 * daemon's metrics) lists ids in this order.
 */
#define FINDING_LIST(X) \
	X(F_MISSING_START_TIME, "missing-start-time") \
	X(F_MISSING_STOP_TIME, "missing-stop-time") \
	X(F_INVALID_TIME, "invalid-time") \
	X(F_INFUSION_UNDER_16, "infusion-under-16") \
	X(F_HYDRATION_UNDER_31, "hydration-under-31") \
	X(F_ADDITIONAL_HOUR_UNSUPPORTED, "additional-hour-unsupported") \
	X(F_ADDITIONAL_HOUR_MISSED, "additional-hour-missed") \
	X(F_DUPLICATE_INITIAL, "duplicate-initial") \
	X(F_DISTINCT_SITE_UNSUPPORTED, "distinct-site-unsupported") \
	X(F_WRONG_INITIAL, "wrong-initial") \
	X(F_ADDON_WITHOUT_PRIMARY, "addon-without-primary") \
	X(F_CONCURRENT_UNITS, "concurrent-units") \
	X(F_HYDRATION_CONCURRENT, "hydration-concurrent") \
	X(F_UNDOCUMENTED_SERVICE, "undocumented-service") \
	X(F_UNBILLED_SERVICE, "unbilled-service") \
	X(F_UNITS_MISMATCH, "units-mismatch") \
	X(F_MODIFIER_CONFLICT, "modifier-conflict") \
	X(F_IV_START_BUNDLED, "iv-start-bundled") \
	X(F_NURSE_VISIT_BUNDLED, "nurse-visit-bundled") \
	X(F_EM_NEEDS_MODIFIER_25, "em-needs-modifier-25") \
	X(F_DRUG_LINE_MISSING, "drug-line-missing") \
	X(F_MANUAL_REVIEW, "manual-review") \
	X(F_INVALID_DATA, "invalid-data")

/* The severities, most severe first: results sort by it, and a claim is
 * flagged by any but SEV_INFO. */
#define SEVERITY_LIST(X) \
	X(SEV_ERROR, "error") \
	X(SEV_WARNING, "warning") \
	X(SEV_INFO, "info")

#define FINDING_ENUM_(id, name) id,
enum finding_id { FINDING_LIST(FINDING_ENUM_) F_COUNT };
enum severity { SEVERITY_LIST(FINDING_ENUM_) SEV_COUNT };
#undef FINDING_ENUM_

/* "missing-start-time" ... indexed by enum finding_id. */
extern const char *const finding_names[F_COUNT + 1];
/* "error", "warning", "info", indexed by enum severity. */
extern const char *const severity_names[SEV_COUNT + 1];

/* The id for a name (len bytes), or -1. */
int finding_lookup(const char *name, size_t len);

/* The enum severity for a name (len bytes), or -1. */
int severity_lookup(const char *name, size_t len);

/* The placeholders a message template may use, NULL-terminated. */
extern const char *const finding_placeholders[];

#endif

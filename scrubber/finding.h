/*
 * finding — the stable finding ids (design.md, "Finding rules").  The engine
 * emits these; severities, switches and messages are data in rules.d.
 */
#ifndef SCRUBBER_FINDING_H
#define SCRUBBER_FINDING_H

enum finding_id {
	F_MISSING_START_TIME,
	F_MISSING_STOP_TIME,
	F_INVALID_TIME,
	F_INFUSION_UNDER_16,
	F_HYDRATION_UNDER_31,
	F_ADDITIONAL_HOUR_UNSUPPORTED,
	F_ADDITIONAL_HOUR_MISSED,
	F_DUPLICATE_INITIAL,
	F_DISTINCT_SITE_UNSUPPORTED,
	F_WRONG_INITIAL,
	F_ADDON_WITHOUT_PRIMARY,
	F_CONCURRENT_UNITS,
	F_HYDRATION_CONCURRENT,
	F_UNDOCUMENTED_SERVICE,
	F_UNBILLED_SERVICE,
	F_UNITS_MISMATCH,
	F_MODIFIER_CONFLICT,
	F_IV_START_BUNDLED,
	F_NURSE_VISIT_BUNDLED,
	F_EM_NEEDS_MODIFIER_25,
	F_DRUG_LINE_MISSING,
	F_MANUAL_REVIEW,
	F_INVALID_DATA,
	F_COUNT
};

enum severity { SEV_ERROR, SEV_WARNING, SEV_INFO };

/* "missing-start-time" ... indexed by enum finding_id. */
extern const char *const finding_names[F_COUNT + 1];
/* "error", "warning", "info". */
extern const char *const severity_names[4];

/* The id for a name (len bytes), or -1. */
int finding_lookup(const char *name, size_t len);

/* The enum severity for a name (len bytes), or -1. */
int severity_lookup(const char *name, size_t len);

/* The placeholders a message template may use, NULL-terminated. */
extern const char *const finding_placeholders[];

#endif

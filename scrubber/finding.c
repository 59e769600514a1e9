/*
 * finding — names of the finding ids and message placeholders.
 */
#include "config.h"

#include <string.h>

#include "finding.h"

const char *const finding_names[F_COUNT + 1] = {
	[F_MISSING_START_TIME] = "missing-start-time",
	[F_MISSING_STOP_TIME] = "missing-stop-time",
	[F_INVALID_TIME] = "invalid-time",
	[F_INFUSION_UNDER_16] = "infusion-under-16",
	[F_HYDRATION_UNDER_31] = "hydration-under-31",
	[F_ADDITIONAL_HOUR_UNSUPPORTED] = "additional-hour-unsupported",
	[F_ADDITIONAL_HOUR_MISSED] = "additional-hour-missed",
	[F_DUPLICATE_INITIAL] = "duplicate-initial",
	[F_DISTINCT_SITE_UNSUPPORTED] = "distinct-site-unsupported",
	[F_WRONG_INITIAL] = "wrong-initial",
	[F_ADDON_WITHOUT_PRIMARY] = "addon-without-primary",
	[F_CONCURRENT_UNITS] = "concurrent-units",
	[F_HYDRATION_CONCURRENT] = "hydration-concurrent",
	[F_UNDOCUMENTED_SERVICE] = "undocumented-service",
	[F_UNBILLED_SERVICE] = "unbilled-service",
	[F_UNITS_MISMATCH] = "units-mismatch",
	[F_MODIFIER_CONFLICT] = "modifier-conflict",
	[F_IV_START_BUNDLED] = "iv-start-bundled",
	[F_NURSE_VISIT_BUNDLED] = "nurse-visit-bundled",
	[F_EM_NEEDS_MODIFIER_25] = "em-needs-modifier-25",
	[F_DRUG_LINE_MISSING] = "drug-line-missing",
	[F_MANUAL_REVIEW] = "manual-review",
	[F_INVALID_DATA] = "invalid-data",
	[F_COUNT] = NULL,
};

const char *const severity_names[4] = {"error", "warning", "info", NULL};

const char *const finding_placeholders[] = {
	"line",	   "code",     "units",	 "admin",   "substance",
	"minutes", "expected", "billed", "suggest", "modifier",
	"site",	   "overlap",  "reason", "limit",   NULL,
};

/* The index of name (len bytes) in names (NULL-terminated), or -1. */
static int
lookup(const char *const names[], const char *name, size_t len)
{
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return i;
	return -1;
}

int
finding_lookup(const char *name, size_t len)
{
	return lookup(finding_names, name, len);
}

int
severity_lookup(const char *name, size_t len)
{
	return lookup(severity_names, name, len);
}

/*
 * marrec — the names of a MAR record's enums; see marrec.h.
 */
#include "config.h"

#include <stddef.h>

#include "marrec.h"

const char *const mar_status_names[] = {
	[MAR_IN_PROGRESS] = "in-progress",
	[MAR_NOT_DONE] = "not-done",
	[MAR_ON_HOLD] = "on-hold",
	[MAR_COMPLETED] = "completed",
	[MAR_ENTERED_IN_ERROR] = "entered-in-error",
	[MAR_STOPPED] = "stopped",
	[MAR_UNKNOWN] = "unknown",
	NULL,
};

const char *const mar_system_names[] = {
	[MAR_RXNORM] = "rxnorm",   [MAR_NDC] = "ndc",
	[MAR_HCPCS] = "hcpcs",	   [MAR_SNOMED] = "snomed",
	[MAR_V2_0162] = "v2-0162", [MAR_OTHER] = "other",
};

/*
 * claim — the claim model: what a claim document says, as plain values.
 * Built by claimdoc (from YAML/JSON) or by the daemon (from database rows)
 * through the field table (claimfield.h); read by the engine.  All strings
 * are borrowed from the arena that built the claim.
 */
#ifndef SCRUBBER_CLAIM_H
#define SCRUBBER_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isotime.h"

#define CLAIM_REF_MAX 64
#define CLAIM_TEXT_MAX 256
#define CLAIM_MAX_MODIFIERS 4
#define CLAIM_UNITS_MAX 999

enum claim_setting { SETTING_FACILITY, SETTING_PROFESSIONAL };
enum admin_kind { KIND_THERAPEUTIC, KIND_CHEMOTHERAPY, KIND_HYDRATION };
enum admin_route {
	ROUTE_INFUSION,
	ROUTE_PUSH,
	ROUTE_INJECTION,
	ROUTE_SUBCUTANEOUS
};

/* The names used in documents, indexed by the enums above. */
extern const char *const claim_setting_names[];
extern const char *const admin_kind_names[];
extern const char *const admin_route_names[];

struct claim_line {
	const char *code;			    /* 5 characters */
	int units;				    /* 1..999 */
	const char *modifiers[CLAIM_MAX_MODIFIERS]; /* 2 characters each */
	int nmodifiers;
	bool has_service_date;
	int32_t service_date; /* days since 1970-01-01 */
};

enum time_state { TIME_ABSENT, TIME_OK, TIME_BAD };

struct claim_time {
	enum time_state state;
	struct isotime t; /* when TIME_OK */
	const char *text; /* as written; NULL when absent */
};

struct administration {
	const char *id;
	const char *substance;
	const char *site; /* "" when not documented */
	enum admin_kind kind;
	enum admin_route route;
	struct claim_time start, stop;
	bool primary;
	bool separate_site_required;
};

struct claim {
	const char *ref;      /* the billing system's claim id */
	const char *payer;    /* NULL when absent */
	const char *provider; /* NULL when absent */
	enum claim_setting setting;
	bool has_date_of_service;
	int32_t date_of_service; /* days since 1970-01-01 */
	/* The visit whose medication administration record (MAR) gives the
	 * claim's administrations (an 837's CLM01 or REF*EA); NULL when the
	 * claim documents its own.  With none documented, the record has not
	 * come: scrub.h, mar-missing. */
	const char *encounter;
	struct claim_line *lines;
	size_t nlines;
	struct administration *admins;
	size_t nadmins;
};

/* True for a modifier in the line's list. */
bool claim_line_has_modifier(const struct claim_line *l, const char *mod);

#endif

/*
 * ruleset — the rule set as the engine reads it.  Internal to the library
 * (derive, compare, rules); programs use rules.h.  Every field is filled and
 * cross-checked by rules_builder_finish, so the engine can index freely.
 */
#ifndef SCRUBBER_RULESET_H
#define SCRUBBER_RULESET_H

#include <stdbool.h>
#include <stdint.h>

#include "claim.h"
#include "finding.h"
#include "rules.h"

#define RULES_MAX_SERVICES 32
#define RULES_MAX_CODES 256
#define RULES_CODE_SLOTS 1024 /* a power of two, > 2 x every code named */
#define RULES_MAX_CLASSIFY 64
#define RULES_MAX_PROFILES 64
#define RULES_MAX_LIST 64
#define RULES_MAX_PERIODS 64

enum code_role {
	ROLE_INITIAL,
	ROLE_ADDITIONAL_HOUR,
	ROLE_SUBSEQUENT,
	ROLE_CONCURRENT,
	ROLE_SAME_DRUG,
	ROLE_COUNT
};
extern const char *const role_names[ROLE_COUNT + 1];

struct rule_code {
	const char *code;
	int service;
	unsigned roles; /* bit (1u << enum code_role) */
	bool addon;
};

enum service_type { SVC_INFUSION, SVC_PUSH, SVC_INJECTION };

struct rule_service {
	const char *name;
	int rank;
	int type; /* enum service_type */
	/* code index for each role, or -1: filled from the catalogue */
	int code_for[ROLE_COUNT];
};

struct rule_classify {
	int kind;  /* enum admin_kind */
	int route; /* enum admin_route, or -1 for any */
	int service;
	int short_as; /* service, or -1 */
	bool timed;
};

enum concurrent_limit { CONCURRENT_PER_ENCOUNTER, CONCURRENT_PER_DATE };
enum segments { SEGMENTS_SUM, SEGMENTS_SEPARATE };
enum initial_per { INITIAL_PER_ENCOUNTER, INITIAL_PER_DATE };
enum missing_time { MISSING_HOLD, MISSING_PUSH };
enum same_drug_push {
	SAME_DRUG_FACILITY_ONLY,
	SAME_DRUG_ALWAYS,
	SAME_DRUG_NEVER
};
enum professional_primary { PRIMARY_MARKED, PRIMARY_HIERARCHY };
enum subcutaneous_initial { SC_INITIAL_SEPARATE, SC_INITIAL_HIERARCHY };

struct rule_list {
	const char *items[RULES_MAX_LIST];
	int n;
};

struct rule_settings {
	long push_max_minutes;
	long hydration_min_minutes;
	long addon_threshold_minutes;
	long hour_minutes;
	long max_run_minutes;
	long same_drug_push_window_minutes;
	long concurrent_min_overlap_minutes;
	long max_lines;
	long max_administrations;
	long max_derive_steps;
	int concurrent_limit;
	int same_drug_segments;
	int initial_per;
	int missing_time;
	int same_drug_push;
	int professional_primary;
	int subcutaneous_initial;
	const char *distinct_site_modifier;
	struct rule_list distinct_site_accepted;
};

struct rule_profile {
	const char *name;
	struct rule_settings settings;
};

struct rule_finding {
	int severity; /* enum severity */
	bool enabled;
	const char *message; /* template with {placeholders} */
};

struct rule_companions {
	struct rule_list iv_start;
	struct rule_list nurse_visit;
	struct rule_list em_visit;
	const char *em_modifier;
	struct rule_list drug_line_prefixes;
};

/* The optional fee schedule (fees.c): a code's fee for a payer profile, in
 * cents, for reports; the scrub never reads it. */
struct rule_fee {
	const char *profile, *code;
	long cents;
};

struct rule_fees {
	struct rule_fee *items; /* in the arena */
	int n;
};

/* The optional payer names of each profile (payers.c), besides its own
 * name: what rules_profile matches a claim's payer against. */
struct rule_payer {
	const char *payer;
	int profile; /* index into profiles[] */
};

struct rule_payers {
	struct rule_payer *items; /* in the arena */
	int n;
};

/* The optional MAR mapping tables (marmap.c): how a MAR record's drug and
 * route become an administration's kind and route (marpair.h). */
enum mar_way {
	WAY_INTRAVENOUS,  /* push or infusion, by its time and method */
	WAY_PUSH,	  /* always a push */
	WAY_INJECTION,	  /* always an injection (intramuscular) */
	WAY_SUBCUTANEOUS, /* a subcutaneous infusion, or an injection */
};
extern const char *const mar_way_names[];

struct ynode;

/* Texts of one key of a table row, with where each was written. */
struct rule_texts {
	const char **v;
	const struct ynode **at;
	int n;
};

struct rule_mar_drug {
	const char *name; /* the substance every administration of it gets */
	int kind;	  /* enum admin_kind */
	struct rule_texts hcpcs, ndc, rxnorm, names;
};

struct rule_mar_route {
	const char *name;
	int way; /* enum mar_way */
	struct rule_texts v2_0162, snomed, names;
};

struct rule_marmap {
	struct rule_mar_drug *drugs; /* in the arena */
	int ndrugs;
	struct rule_mar_route *routes; /* in the arena */
	int nroutes;
	struct rule_texts push_words;
};

/* The optional setting map (setmap.c): an 837 claim's CLM05-1 to the
 * setting it is judged in (setmap.h).  One row per code; a code no row has
 * is unmapped, never guessed. */
struct rule_setting_row {
	const char *code; /* 2 digits, as CLM05-1 holds them */
	int setting;	  /* enum claim_setting */
};

struct rule_setmap {
	struct rule_setting_row *pos; /* 837P place of service; in the arena */
	int npos;
	struct rule_setting_row *tob; /* 837I type of bill's first two
					 digits; in the arena */
	int ntob;
};

struct ruleset {
	struct arena *arena;
	struct rule_service services[RULES_MAX_SERVICES];
	int nservices;
	struct rule_code codes[RULES_MAX_CODES];
	int ncodes;
	/* open-addressing index of every code the rules name (rules_code,
	 * rules_companion); a slot with code NULL is empty */
	struct rule_code_slot {
		const char *code;
		short index;		 /* into codes[], or -1 */
		unsigned char companion; /* enum companion_kind */
	} code_index[RULES_CODE_SLOTS];
	struct rule_classify classify[RULES_MAX_CLASSIFY];
	int nclassify;
	struct rule_settings settings; /* the base, before any profile */
	struct rule_profile profiles[RULES_MAX_PROFILES];
	int nprofiles;
	int default_profile; /* index of "default" */
	struct rule_finding findings[F_COUNT];
	struct rule_companions companions;
	struct rule_fees fees;	   /* empty without a `fees:` section */
	struct rule_payers payers; /* empty without a `payers:` section */
	struct rule_marmap marmap; /* empty without a `mar_map:` section */
	struct rule_setmap setmap; /* empty without a `setting_map:` section */
	char version[24];
	/* Effective dating: the days this rule set is in force (inclusive;
	 * INT32_MIN / INT32_MAX when open).  The rule set rules_builder_finish
	 * returns is the last period and owns the others, in date order. */
	int32_t from, to;
	struct ruleset **periods;
	int nperiods;
};

enum companion_kind {
	COMPANION_NONE,
	COMPANION_IV_START,
	COMPANION_NURSE_VISIT,
	COMPANION_EM_VISIT
};

/* The companion list a code is in (the first, in this order), or NONE. */
enum companion_kind rules_companion(const struct ruleset *rs, const char *code);

/* The code entry for a code, or NULL when outside the catalogue. */
const struct rule_code *rules_code(const struct ruleset *rs, const char *code);

/* The profile for a payer: the one of its name, matched without regard to
 * case ("Medicare" is medicare's), else "default". */
const struct rule_profile *rules_profile(const struct ruleset *rs,
					 const char *payer);

/* The classification row for an administration, or NULL. */
const struct rule_classify *rules_classify(const struct ruleset *rs, int kind,
					   int route);

/* True when s is in the list. */
bool rules_list_has(const struct rule_list *l, const char *s);

/* The fee of code for payer profile `profile` in this rule set (a period's,
 * see rules_period) into *cents; false when the fee table has none. */
bool rules_fee(const struct ruleset *rs, const char *profile, const char *code,
	       long *cents);

#endif

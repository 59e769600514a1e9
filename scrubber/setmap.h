/*
 * setmap — an 837 claim's setting from the rule set's `setting_map:`
 * tables (rules.d/71-setting-map.yaml), not from the claim's form alone.
 *
 * CLM05-1 is a place of service in an 837P and the first two digits of the
 * type of bill (facility type, bill classification) in an 837I; each has
 * its own table, so "13" is an outpatient hospital bill in an 837I and an
 * assisted living facility in an 837P.  The tables in force on the claim's
 * date of service decide; a code no row has is named (unmapped-setting),
 * never guessed: the claim cannot be judged until a row says which rules
 * apply to it.
 */
#ifndef SCRUBBER_SETMAP_H
#define SCRUBBER_SETMAP_H

#include <stdbool.h>

#include "claim.h"
#include "diag.h"
#include "rules.h"
#include "x12.h"

/* The table rows of setting_map, indexed by enum x12_kind. */
extern const char *const setmap_table_names[];

/* The setting of code (CLM05-1) of a claim of kind in rs, a period's rule
 * set (rules_at); false when no row has it: it is unmapped. */
bool setmap_lookup(const struct ruleset *rs, enum x12_kind kind,
		   const char *code, enum claim_setting *out);

/*
 * The setting of claim xc of file `file` under the tables of rs in force
 * on its date of service (the latest, for a claim without one) into *out.
 * Returns SCRUB_OK; SCRUB_EINPUT when unmapped, with a diagnostic at its
 * CLM05-1 naming `unmapped-setting`, the claim, the table and the code
 * (*out untouched); SCRUB_ENOMEM.
 */
enum scrub_err setmap_claim(const struct ruleset *rs, const char *file,
			    const struct x12_claim *xc, enum claim_setting *out,
			    struct diag_list *dl);

#endif

/*
 * claim — names of the document enums and small helpers on the model.
 */
#include "config.h"

#include <string.h>

#include "claim.h"

const char *const claim_setting_names[] = {"facility", "professional", NULL};
const char *const admin_kind_names[] = {"therapeutic", "chemotherapy",
					"hydration", NULL};
const char *const admin_route_names[] = {"infusion", "push", "injection",
					 "subcutaneous", NULL};

bool
claim_line_has_modifier(const struct claim_line *l, const char *mod)
{
	for (int i = 0; i < l->nmodifiers; i++)
		if (strcmp(l->modifiers[i], mod) == 0)
			return true;
	return false;
}

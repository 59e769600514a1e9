/*
 * finding — names of the finding ids and message placeholders.
 */
#include "config.h"

#include <string.h>

#include "finding.h"

/* Designated from the one list (finding.h), so a name cannot slip to the
 * wrong id.  The element past the last, left out, is NULL: it ends
 * lookup()'s search. */
#define NAME_(id, name, ...) [id] = name,
#define EXPLAIN_(id, name, why) [id] = why,
const char *const finding_names[F_COUNT + 1] = {FINDING_LIST(NAME_)};
const char *const finding_explanations[F_COUNT + 1] = {FINDING_LIST(EXPLAIN_)};
const char *const severity_names[SEV_COUNT + 1] = {SEVERITY_LIST(NAME_)};
#undef EXPLAIN_
#undef NAME_

const char *const finding_placeholders[] = {
	"line",	    "code",   "units",	   "admin",    "substance", "minutes",
	"expected", "billed", "suggest",   "modifier", "site",	    "overlap",
	"reason",   "limit",  "encounter", NULL,
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

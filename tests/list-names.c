/*
 * list-names — prints the engine's own lists, one `KIND NAME` a line:
 * every finding id and severity (FINDING_LIST, SEVERITY_LIST in
 * scrubber/finding.h) and every setting (scrubber/rules_decode.c).
 * tests/lists.sh holds the YAML and the documentation, which cannot include
 * C, to them; the program prints rather than checks so that a failure shows
 * the list it was held to.
 */
#include "config.h"

#include <stdio.h>

#include "scrubber/finding.h"
#include "scrubber/rules.h"

int
main(void)
{
	for (int i = 0; i < F_COUNT; i++)
		printf("finding %s\n", finding_names[i]);
	for (int i = 0; i < SEV_COUNT; i++)
		printf("severity %s\n", severity_names[i]);
	for (size_t i = 0; rules_setting_name(i); i++)
		printf("setting %s\n", rules_setting_name(i));
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

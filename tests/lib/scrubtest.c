/*
 * scrubtest — shared test helpers; see scrubtest.h.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/scrubtest.h"

const char *
st_srcdir(void)
{
	const char *s = getenv("CLAIMSCRUB_SRCDIR");
	return s && *s ? s : ".";
}

const struct ruleset *
st_rules(void)
{
	static struct ruleset *rs;
	static char d1[4096], d2[4096];
	if (rs)
		return rs;
	snprintf(d1, sizeof(d1), "%s/rules.d", st_srcdir());
	snprintf(d2, sizeof(d2), "%s/tests/cases/rules", st_srcdir());
	const char *dirs[] = {d1, d2};
	struct diag_list dl = {0};
	enum scrub_err err = rules_load_dirs(dirs, 2, &rs, &dl);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%s:%u:%u: %s", dl.items[i].file, dl.items[i].line,
			     dl.items[i].column, dl.items[i].message);
	diag_list_free(&dl);
	cr_assert_eq(err, SCRUB_OK, "the shipped rules must load");
	return rs;
}

struct claimdoc *
st_parse(const char *yaml, struct diag_list *dl)
{
	struct claimdoc *cd = NULL;
	enum scrub_err err =
		claimdoc_parse("test.yaml", yaml, strlen(yaml), &cd, dl);
	cr_assert_neq(err, SCRUB_ENOMEM);
	cr_assert_not_null(cd);
	return cd;
}

struct result *
st_scrub(const char *yaml, struct claimdoc **cd)
{
	struct diag_list dl = {0};
	*cd = st_parse(yaml, &dl);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%u:%u: %s", dl.items[i].line, dl.items[i].column,
			     dl.items[i].message);
	cr_assert_eq(dl.n, 0, "the test document must be well formed");
	diag_list_free(&dl);
	cr_assert_eq(claimdoc_count(*cd), 1);
	struct result *r = NULL;
	cr_assert_eq(scrub_claim(st_rules(), claimdoc_claim(*cd, 0), &r),
		     SCRUB_OK);
	return r;
}

int
st_count(const struct result *r, enum finding_id id)
{
	int n = 0;
	for (int i = 0; i < r->nfindings; i++)
		n += r->findings[i].id == id;
	return n;
}

const struct result_finding *
st_find(const struct result *r, enum finding_id id)
{
	for (int i = 0; i < r->nfindings; i++)
		if (r->findings[i].id == id)
			return &r->findings[i];
	return NULL;
}

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

const struct claim *
st_parse_one(const char *file, const char *doc, struct claimdoc **cd)
{
	struct diag_list dl = {0};
	*cd = NULL;
	enum scrub_err err = claimdoc_parse(file, doc, strlen(doc), cd, &dl);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%s:%u:%u: %s", file, dl.items[i].line,
			     dl.items[i].column, dl.items[i].message);
	cr_assert_eq(err, SCRUB_OK, "%s: not read:\n%s", file, doc);
	cr_assert_eq(dl.n, 0, "%s: must be well formed:\n%s", file, doc);
	diag_list_free(&dl);
	cr_assert_eq(claimdoc_count(*cd), 1, "%s: one claim", file);
	const struct claim *c = claimdoc_claim(*cd, 0);
	cr_assert_not_null(c);
	return c;
}

/* Both strings NULL, or both equal. */
static void
assert_opt_str(const char *a, const char *b, const char *what)
{
	if (!a || !b) {
		cr_assert_eq(a, b, "%s: '%s' against '%s'", what,
			     a ? a : "NULL", b ? b : "NULL");
		return;
	}
	cr_assert_str_eq(a, b, "%s", what);
}

static void
assert_same_time(const struct claim_time *a, const struct claim_time *b,
		 const char *what)
{
	cr_assert_eq(a->state, b->state, "%s: state", what);
	assert_opt_str(a->text, b->text, what);
	if (a->state != TIME_OK)
		return;
	cr_assert_eq(a->t.wall, b->t.wall, "%s: wall", what);
	cr_assert_eq(a->t.has_offset, b->t.has_offset, "%s: offset", what);
	cr_assert_eq(a->t.offset, b->t.offset, "%s: offset", what);
}

static void
assert_same_line(const struct claim_line *a, const struct claim_line *b)
{
	cr_assert_str_eq(a->code, b->code);
	cr_assert_eq(a->units, b->units, "%s: units", a->code);
	cr_assert_eq(a->nmodifiers, b->nmodifiers, "%s: modifiers", a->code);
	for (int m = 0; m < a->nmodifiers; m++)
		cr_assert_str_eq(a->modifiers[m], b->modifiers[m]);
}

static void
assert_same_admin(const struct administration *a,
		  const struct administration *b)
{
	cr_assert_str_eq(a->id, b->id);
	cr_assert_str_eq(a->substance, b->substance, "%s: substance", a->id);
	cr_assert_str_eq(a->site, b->site, "%s: site", a->id);
	cr_assert_eq(a->kind, b->kind, "%s: kind", a->id);
	cr_assert_eq(a->route, b->route, "%s: route", a->id);
	assert_same_time(&a->start, &b->start, "start");
	assert_same_time(&a->stop, &b->stop, "stop");
	cr_assert_eq(a->primary, b->primary, "%s: primary", a->id);
	cr_assert_eq(a->separate_site_required, b->separate_site_required,
		     "%s: separate_site_required", a->id);
}

void
st_assert_same_claim(const struct claim *a, const struct claim *b)
{
	cr_assert_str_eq(a->ref, b->ref);
	assert_opt_str(a->payer, b->payer, "payer");
	assert_opt_str(a->provider, b->provider, "provider");
	cr_assert_eq(a->setting, b->setting);
	cr_assert_eq(a->has_date_of_service, b->has_date_of_service);
	if (a->has_date_of_service)
		cr_assert_eq(a->date_of_service, b->date_of_service);
	cr_assert_eq(a->nlines, b->nlines);
	for (size_t i = 0; i < a->nlines; i++)
		assert_same_line(&a->lines[i], &b->lines[i]);
	cr_assert_eq(a->nadmins, b->nadmins);
	for (size_t i = 0; i < a->nadmins; i++)
		assert_same_admin(&a->admins[i], &b->admins[i]);
	/* and every field of the table, one added later too (a line's
	 * service_date), through the canonical writer */
	struct strbuf ja = STRBUF_INIT, jb = STRBUF_INIT;
	claimjson_write(a, &ja);
	claimjson_write(b, &jb);
	cr_assert_str_eq(strbuf_str(&ja), strbuf_str(&jb));
	strbuf_free(&ja);
	strbuf_free(&jb);
}

void
st_round_trip(const char *name, const char *doc, st_claim_writer *write,
	      const char *out_file)
{
	struct claimdoc *from_doc, *from_out, *again;
	struct strbuf out = STRBUF_INIT, out2 = STRBUF_INIT;
	const struct claim *a = st_parse_one("in.yaml", doc, &from_doc);

	write(a, &out);
	cr_assert_not(out.failed);
	cr_log_info("%s:\n%s", name, strbuf_str(&out));
	const struct claim *b =
		st_parse_one(out_file, strbuf_str(&out), &from_out);
	st_assert_same_claim(a, b);

	/* a fixed point: the re-read claim writes the same bytes */
	write(b, &out2);
	cr_assert_str_eq(strbuf_str(&out2), strbuf_str(&out), "%s", name);
	const struct claim *c =
		st_parse_one(out_file, strbuf_str(&out2), &again);
	st_assert_same_claim(a, c);

	strbuf_free(&out);
	strbuf_free(&out2);
	claimdoc_free(from_doc);
	claimdoc_free(from_out);
	claimdoc_free(again);
}

struct result *
st_scrub(const char *yaml, struct claimdoc **cd)
{
	struct result *r = NULL;
	const struct claim *c = st_parse_one("test.yaml", yaml, cd);
	cr_assert_eq(scrub_claim(st_rules(), c, &r), SCRUB_OK);
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

void
st_log_diags(const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		cr_log_error("%s:%u:%u: %s", dl->items[i].file,
			     dl->items[i].line, dl->items[i].column,
			     dl->items[i].message);
}

struct ruleset *
st_rules_local(const char *local, struct diag_list *dl)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/rules.d", st_srcdir());
	const char *dirs[] = {dir};
	struct rules_builder *b = rules_builder_new();
	struct ruleset *rs = NULL;
	cr_assert_not_null(b);
	cr_assert_eq(rules_builder_add_dirs(b, dirs, 1, dl), SCRUB_OK);
	if (local)
		rules_builder_add(b, "90-local.yaml", local, strlen(local), dl);
	rules_builder_finish(b, &rs, dl);
	rules_builder_free(b);
	return rs;
}

struct ruleset *
st_rules_local_ok(const char *local)
{
	struct diag_list dl = {0};
	struct ruleset *rs = st_rules_local(local, &dl);
	st_log_diags(&dl);
	cr_assert_not_null(rs);
	cr_assert_eq(dl.n, 0);
	diag_list_free(&dl);
	return rs;
}

int32_t
st_day(const char *s)
{
	int32_t d;
	cr_assert(isotime_parse_date(s, strlen(s), &d));
	return d;
}

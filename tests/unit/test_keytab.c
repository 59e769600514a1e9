/*
 * test_keytab — the shared key table (scrubber/keytab.h): each type's
 * validator stores at its offset or reports at the value, defaults come
 * from the table, a walk collects unknown and missing keys, custom rows
 * run their own code, and keytab_differs compares what a reload compares.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "scrubber/arena.h"
#include "scrubber/diag.h"
#include "scrubber/keytab.h"
#include "scrubber/ynode.h"

struct widget {
	int count;
	long big;
	bool flag;
	int colour;
	const char *name;
	const char *code;
	const char *part;
	int32_t day;
	bool has_day;
	const char *mods[3];
	int nmods;
	int custom_calls;
};

static const char *const colours[] = {"red", "green", "blue", NULL};

/* Custom: counts its calls and refuses "no". */
static enum scrub_err
set_custom(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	   void *obj)
{
	((struct widget *)obj)->custom_calls++;
	if (v->type == YNODE_SCALAR && strcmp(v->str, "no") == 0)
		return ynode_error(c, v, "'%s' said no", k->key);
	return SCRUB_OK;
}

#define AT(m) .offset = offsetof(struct widget, m)

static const struct keytab_key keys[] = {
	{.key = "count",
	 .type = KT_INT,
	 .required = true,
	 .min = 1,
	 .max = 9,
	 .def = 3,
	 AT(count)},
	{.key = "big",
	 .type = KT_INT,
	 .wide = true,
	 .min = 0,
	 .max = 5000000000L,
	 .def = 4000000000L,
	 AT(big)},
	{.key = "flag", .type = KT_BOOL, AT(flag)},
	{.key = "colour",
	 .type = KT_ENUM,
	 .names = colours,
	 .def = 2,
	 AT(colour)},
	{.key = "name", .type = KT_TEXT, .max = 5, .dflt = "anon", AT(name)},
	{.key = "code", .type = KT_CODE, .len = 3, AT(code)},
	{.key = "part",
	 .type = KT_TEXT,
	 .max = 2,
	 .len = 2,
	 .item = "part",
	 AT(part)},
	{.key = "day",
	 .type = KT_DATE,
	 AT(day),
	 .present = offsetof(struct widget, has_day)},
	{.key = "mods",
	 .type = KT_CODES,
	 .max = 3,
	 .len = 2,
	 .item = "mod",
	 AT(mods),
	 .present = offsetof(struct widget, nmods)},
	{.key = "custom", .type = KT_CUSTOM, .set = set_custom},
	{.key = NULL},
};

struct run {
	struct arena *a;
	struct diag_list dl;
	struct widget w;
	enum scrub_err err;
};

/* Parses text and walks its one document through keys into r->w. */
static void
walk(struct run *r, const char *text)
{
	struct ynode **docs;
	size_t ndocs;
	memset(r, 0, sizeof(*r));
	r->a = arena_new();
	cr_assert_not_null(r->a);
	cr_assert_eq(ynode_parse(r->a, "w.yaml", text, strlen(text), &docs,
				 &ndocs, &r->dl),
		     SCRUB_OK);
	cr_assert_eq(ndocs, 1);
	struct yctx c = {r->a, &r->dl};
	keytab_defaults(keys, &r->w);
	r->err = keytab_walk(&c, docs[0], "widget", keys, &r->w);
}

static void
done(struct run *r)
{
	diag_list_free(&r->dl);
	arena_free(r->a);
}

static void
assert_diag(const struct run *r, size_t i, unsigned line, unsigned column,
	    const char *message)
{
	cr_assert_gt(r->dl.n, i, "diagnostic %zu of %zu", i, r->dl.n);
	const struct diag *d = &r->dl.items[i];
	cr_assert_str_eq(d->message, message);
	cr_assert_eq(d->line, line, "%s: line %u", message, d->line);
	cr_assert_eq(d->column, column, "%s: column %u", message, d->column);
}

Test(keytab, every_type_stores_at_its_offset)
{
	struct run r;
	walk(&r, "count: 7\nbig: 4999999999\nflag: true\ncolour: red\n"
		 "name: abc\ncode: A1Z\npart: XS\nday: 1970-01-02\n"
		 "mods: [AA, B2]\ncustom: yes\n");
	cr_assert_eq(r.err, SCRUB_OK, "%s",
		     r.dl.n ? r.dl.items[0].message : "");
	cr_assert_eq(r.w.count, 7);
	cr_assert_eq(r.w.big, 4999999999L);
	cr_assert(r.w.flag);
	cr_assert_eq(r.w.colour, 0);
	cr_assert_str_eq(r.w.name, "abc");
	cr_assert_str_eq(r.w.code, "A1Z");
	cr_assert_str_eq(r.w.part, "XS");
	cr_assert_eq(r.w.day, 1);
	cr_assert(r.w.has_day);
	cr_assert_eq(r.w.nmods, 2);
	cr_assert_str_eq(r.w.mods[1], "B2");
	cr_assert_eq(r.w.custom_calls, 1);
	done(&r);
}

Test(keytab, defaults_come_from_the_table)
{
	struct run r;
	walk(&r, "count: 1\n");
	cr_assert_eq(r.err, SCRUB_OK);
	cr_assert_eq(r.w.big, 4000000000L);
	cr_assert_eq(r.w.colour, 2);
	cr_assert_str_eq(r.w.name, "anon");
	cr_assert_not(r.w.flag);
	cr_assert_not(r.w.has_day);
	cr_assert_null(r.w.code);
	cr_assert_eq(r.w.custom_calls, 0);
	done(&r);
}

Test(keytab, bad_values_are_reported_at_the_value)
{
	struct run r;
	walk(&r, "count: 10\nflag: yes\ncolour: pink\nname: abcdef\n"
		 "code: a1z\npart: X\nday: 2026-02-30\n");
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.dl.n, 7);
	assert_diag(&r, 0, 1, 8,
		    "'count' must be an integer from 1 to 9, "
		    "not '10'");
	assert_diag(&r, 1, 2, 7, "'flag' must be true or false, not 'yes'");
	assert_diag(&r, 2, 3, 9,
		    "'colour' must be one of red, green, blue, "
		    "not 'pink'");
	assert_diag(&r, 3, 4, 7, "'name' is too long (6 bytes, at most 5)");
	assert_diag(&r, 4, 5, 7,
		    "'code' must be 3 upper-case letters or "
		    "digits, not 'a1z'");
	assert_diag(&r, 5, 6, 7, "'part' must be a 2-character part");
	assert_diag(&r, 6, 7, 6,
		    "'day' must be a date YYYY-MM-DD, not "
		    "'2026-02-30'");
	done(&r);
}

Test(keytab, a_code_list_names_the_mapping_and_its_items)
{
	struct run r;
	walk(&r, "count: 1\nmods: [AA, BB, CC, DD]\n");
	/* at the first item past the limit */
	assert_diag(&r, 0, 2, 20, "a widget has at most 3 mods, not 4");
	done(&r);
	walk(&r, "count: 1\nmods: [AA, b]\n");
	assert_diag(&r, 0, 2, 12,
		    "'mod' must be 2 upper-case letters or "
		    "digits, not 'b'");
	cr_assert_eq(r.w.nmods, 0, "no count for a bad list");
	done(&r);
}

Test(keytab, a_walk_collects_unknown_then_missing_keys)
{
	struct run r;
	walk(&r, "size: 3\ncustom: no\n");
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.dl.n, 3);
	assert_diag(&r, 0, 1, 1, "unknown key 'size' in widget");
	assert_diag(&r, 1, 2, 9, "'custom' said no");
	assert_diag(&r, 2, 1, 1, "widget is missing required key 'count'");
	cr_assert_eq(r.w.custom_calls, 1);
	done(&r);
}

Test(keytab, a_walk_wants_a_mapping)
{
	struct run r;
	walk(&r, "- count\n");
	cr_assert_eq(r.err, SCRUB_EINPUT);
	cr_assert_eq(r.dl.n, 1);
	assert_diag(&r, 0, 1, 1, "'widget' must be a mapping, not a sequence");
	done(&r);
}

Test(keytab, find_matches_whole_keys_only)
{
	struct run r;
	walk(&r, "coun: 1\ncounts: 1\n");
	cr_assert_eq(r.dl.n, 3);
	assert_diag(&r, 0, 1, 1, "unknown key 'coun' in widget");
	assert_diag(&r, 1, 2, 1, "unknown key 'counts' in widget");
	done(&r);
}

static bool
always_differs(const struct keytab_key *k, const void *a, const void *b)
{
	(void)k, (void)a, (void)b;
	return true;
}

Test(keytab, differs_compares_by_type)
{
	struct widget a = {.count = 1, .big = 5, .name = "x", .colour = 1};
	struct widget b = a;
	for (const struct keytab_key *k = keys; k->key; k++)
		cr_assert_not(keytab_differs(k, &a, &b), "%s", k->key);
	b.big = 6;
	cr_assert(keytab_differs(&keys[1], &a, &b));
	char other[] = "x";
	b.name = other; /* equal text elsewhere: the same */
	cr_assert_not(keytab_differs(&keys[4], &a, &b));
	b.name = NULL;
	cr_assert(keytab_differs(&keys[4], &a, &b));
	struct keytab_key custom = {
		.key = "c", .type = KT_CUSTOM, .differs = always_differs};
	cr_assert(keytab_differs(&custom, &a, &a));
}

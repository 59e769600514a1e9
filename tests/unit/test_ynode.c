/*
 * test_ynode — strict YAML (scrubber/ynode.h): documents, 1-based marks,
 * what is refused (duplicate keys, anchors, aliases, tags, deep nesting),
 * keeping the documents before a syntax error, the scalar conversions, and
 * key-table walks that collect every error.
 *
 * Criterion runs each parameterized case in a fresh process of this (PIE)
 * program, so parameter structs hold their text inline, never as pointers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/arena.h"
#include "scrubber/diag.h"
#include "scrubber/ynode.h"

#define FILE_NAME "t.yaml"

/* One parse: the arena, the documents and the diagnostics. */
struct parsed {
	struct arena *a;
	struct ynode **docs;
	size_t ndocs;
	struct diag_list dl;
	enum scrub_err err;
};

static void
parse_len(struct parsed *p, const char *buf, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->a = arena_new();
	cr_assert_not_null(p->a);
	p->err = ynode_parse(p->a, FILE_NAME, buf, len, &p->docs, &p->ndocs,
			     &p->dl);
	cr_assert_neq(p->err, SCRUB_ENOMEM);
}

static void
parse(struct parsed *p, const char *buf)
{
	parse_len(p, buf, strlen(buf));
}

static void
parsed_free(struct parsed *p)
{
	diag_list_free(&p->dl);
	arena_free(p->a);
}

/* Asserts exactly one diagnostic, at line:column, whose message holds `has`. */
static void
assert_one_diag(const struct diag_list *dl, unsigned line, unsigned column,
		const char *has)
{
	cr_assert_eq(dl->n, 1, "expected one diagnostic, got %zu", dl->n);
	const struct diag *d = &dl->items[0];
	cr_assert_str_eq(d->file, FILE_NAME);
	cr_assert_eq(d->line, line, "line %u, expected %u (%s)", d->line, line,
		     d->message);
	cr_assert_eq(d->column, column, "column %u, expected %u (%s)",
		     d->column, column, d->message);
	cr_assert_not_null(strstr(d->message, has), "message '%s' lacks '%s'",
			   d->message, has);
}

/* ---- documents and marks ------------------------------------------------- */

Test(ynode, several_documents)
{
	struct parsed p;
	parse(&p, "a: 1\n---\nb: 2\n---\n- x\n- y\n---\nplain\n");
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.dl.n, 0);
	cr_assert_eq(p.ndocs, 4);
	cr_assert_eq(p.docs[0]->type, YNODE_MAP);
	cr_assert_eq(p.docs[1]->type, YNODE_MAP);
	cr_assert_eq(p.docs[2]->type, YNODE_SEQ);
	cr_assert_eq(p.docs[2]->n, 2);
	cr_assert_str_eq(p.docs[2]->items[1]->str, "y");
	cr_assert_eq(p.docs[3]->type, YNODE_SCALAR);
	cr_assert_str_eq(p.docs[3]->str, "plain");
	cr_assert_str_eq(ymap_get(p.docs[1], "b")->str, "2");
	cr_assert_null(ymap_get(p.docs[1], "a"));
	cr_assert_eq(p.docs[1]->line, 3);
	cr_assert_eq(p.docs[2]->line, 5);
	parsed_free(&p);
}

Test(ynode, empty_buffer_has_no_documents)
{
	struct parsed p;
	parse(&p, "");
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.ndocs, 0);
	cr_assert_eq(p.dl.n, 0);
	parsed_free(&p);
}

Test(ynode, marks_are_one_based)
{
	struct parsed p;
	parse(&p, "top:\n  nested: value\n  list:\n    - \"quoted\"\n");
	cr_assert_eq(p.err, SCRUB_OK);
	const struct ynode *root = p.docs[0];
	cr_assert_eq(root->line, 1);
	cr_assert_eq(root->column, 1);
	cr_assert_eq(root->keys[0]->line, 1);
	cr_assert_eq(root->keys[0]->column, 1);
	const struct ynode *top = ymap_get(root, "top");
	cr_assert_eq(top->type, YNODE_MAP);
	cr_assert_eq(top->line, 2);
	cr_assert_eq(top->column, 3);
	const struct ynode *value = ymap_get(top, "nested");
	cr_assert_eq(value->line, 2);
	cr_assert_eq(value->column, 11);
	cr_assert(value->plain);
	const struct ynode *list = ymap_get(top, "list");
	cr_assert_eq(list->type, YNODE_SEQ);
	cr_assert_eq(list->items[0]->line, 4);
	cr_assert_eq(list->items[0]->column, 7);
	cr_assert_not(list->items[0]->plain, "a quoted scalar is not plain");
	cr_assert_str_eq(list->items[0]->str, "quoted");
	cr_assert_str_eq(list->items[0]->file, FILE_NAME);
	parsed_free(&p);
}

Test(ynode, scalar_may_hold_nul)
{
	struct parsed p;
	parse(&p, "k: \"a\\0b\"\n");
	cr_assert_eq(p.err, SCRUB_OK);
	const struct ynode *v = ymap_get(p.docs[0], "k");
	cr_assert_eq(v->len, 3);
	cr_assert_eq(v->str[1], '\0');
	parsed_free(&p);
}

/* ---- what is refused ----------------------------------------------------- */

struct refused_case {
	char yaml[160];
	unsigned line, column;
	char has[40];
};

ParameterizedTestParameters(ynode, refused)
{
	static struct refused_case cases[] = {
		/* the second key is the one reported */
		{"a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a'"},
		{"outer:\n  x: 1\n  y: 2\n  x: 3\n", 4, 3, "duplicate key 'x'"},
		{"{k: 1, k: 2}\n", 1, 8, "duplicate key 'k'"},
		{"\"a\": 1\n'a': 2\n", 2, 1, "duplicate key 'a'"},
		{"a: &x 1\nb: 2\n", 1, 4, "anchors are not allowed"},
		{"a: &m {k: 1}\n", 1, 4, "anchors are not allowed"},
		{"a: 1\nb: *x\n", 2, 4, "aliases are not allowed"},
		{"a: !!str 5\n", 1, 4, "explicit tags are not allowed"},
		{"a: !custom x\n", 1, 4, "explicit tags are not allowed"},
		{"a: !!map {k: 1}\n", 1, 4, "explicit tags are not allowed"},
		{"a: !!seq [1]\n", 1, 4, "explicit tags are not allowed"},
		{"? [1, 2]\n: v\n", 1, 3, "mapping keys must be scalars"},
	};
	return cr_make_param_array(struct refused_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct refused_case *c, ynode, refused)
{
	struct parsed p;
	parse(&p, c->yaml);
	cr_assert_eq(p.err, SCRUB_EINPUT, "'%s' must be refused", c->yaml);
	cr_assert_eq(p.ndocs, 0, "the bad document is not kept");
	assert_one_diag(&p.dl, c->line, c->column, c->has);
	parsed_free(&p);
}

/* depth nested flow sequences: "[[[...]]]" */
static char *
nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 2);
	cr_assert_not_null(s);
	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth * 2 - 1 - i] = ']';
	}
	s[depth * 2] = '\n';
	s[depth * 2 + 1] = '\0';
	return s;
}

Test(ynode, nesting_at_the_limit_is_accepted)
{
	struct parsed p;
	char *s = nested(YNODE_MAX_DEPTH);
	parse(&p, s);
	cr_assert_eq(p.err, SCRUB_OK, "%d levels are allowed", YNODE_MAX_DEPTH);
	cr_assert_eq(p.ndocs, 1);
	const struct ynode *n = p.docs[0];
	int depth = 1;
	while (n->n == 1) {
		n = n->items[0];
		depth++;
	}
	cr_assert_eq(depth, YNODE_MAX_DEPTH);
	free(s);
	parsed_free(&p);
}

Test(ynode, nesting_deeper_than_the_limit_is_refused)
{
	struct parsed p;
	char *s = nested(YNODE_MAX_DEPTH + 1);
	parse(&p, s);
	cr_assert_eq(p.err, SCRUB_EINPUT);
	cr_assert_eq(p.ndocs, 0);
	/* the collection that opens one level too many */
	assert_one_diag(&p.dl, 1, YNODE_MAX_DEPTH + 1, "nesting too deep");
	free(s);
	parsed_free(&p);
}

Test(ynode, much_deeper_nesting_is_refused_without_crashing)
{
	struct parsed p;
	char *s = nested(100000);
	parse(&p, s);
	cr_assert_eq(p.err, SCRUB_EINPUT);
	cr_assert_eq(p.ndocs, 0);
	cr_assert_geq(p.dl.n, 1);
	free(s);
	parsed_free(&p);
}

Test(ynode, syntax_error_keeps_the_documents_before_it)
{
	struct parsed p;
	parse(&p, "a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 4\n");
	cr_assert_eq(p.err, SCRUB_EINPUT);
	cr_assert_eq(p.ndocs, 2, "the two good documents are kept");
	cr_assert_str_eq(ymap_get(p.docs[0], "a")->str, "1");
	cr_assert_str_eq(ymap_get(p.docs[1], "b")->str, "2");
	cr_assert_eq(p.dl.n, 1);
	cr_assert_str_eq(p.dl.items[0].file, FILE_NAME);
	cr_assert_geq(p.dl.items[0].line, 5,
		      "the error is in the third document");
	cr_assert_geq(p.dl.items[0].column, 1);
	parsed_free(&p);
}

Test(ynode, refused_document_after_good_ones_keeps_them)
{
	struct parsed p;
	parse(&p, "a: 1\n---\nb: 2\n---\nc: 1\nc: 2\n");
	cr_assert_eq(p.err, SCRUB_EINPUT);
	cr_assert_eq(p.ndocs, 2);
	assert_one_diag(&p.dl, 6, 1, "duplicate key");
	parsed_free(&p);
}

Test(ynode, binary_bytes_are_a_located_error)
{
	static const char buf[] = "a: 1\nb: x\x00y\xff\n";
	struct parsed p;
	parse_len(&p, buf, sizeof(buf) - 1);
	cr_assert_eq(p.err, SCRUB_EINPUT);
	cr_assert_eq(p.dl.n, 1);
	cr_assert_eq(p.dl.items[0].line, 2);
	cr_assert_eq(p.dl.items[0].column, 5,
		     "the NUL is the 5th character of line 2");
	parsed_free(&p);
}

/* ---- conversions --------------------------------------------------------- */

/* The value of key "v" in a one-document buffer. */
static const struct ynode *
value_of(struct parsed *p, const char *yaml)
{
	parse(p, yaml);
	cr_assert_eq(p->err, SCRUB_OK, "'%s' must parse", yaml);
	const struct ynode *v = ymap_get(p->docs[0], "v");
	cr_assert_not_null(v);
	return v;
}

struct int_case {
	char yaml[64];
	long min, max;
	bool ok;
	long value;
};

ParameterizedTestParameters(ynode, int_conversion)
{
	static struct int_case cases[] = {
		{"v: 5", 1, 10, true, 5},
		{"v: 1", 1, 10, true, 1},
		{"v: 10", 1, 10, true, 10},
		{"v: +5", 1, 10, true, 5},
		{"v: -5", -10, 10, true, -5},
		{"v: 007", 0, 10, true, 7},
		{"v: 0", 1, 10, false, 0},
		{"v: 11", 1, 10, false, 0},
		{"v: -1", 0, 10, false, 0},
		{"v: 99999999999999999999", 0, 2147483647, false, 0},
		{"v: 123456789012345678901234567890", 0, 2147483647, false, 0},
		{"v: 9223372036854775807", 0, 100, false, 0},
		{"v: \"5\"", 1, 10, false, 0},
		{"v: '5'", 1, 10, false, 0},
		{"v: 5.0", 1, 10, false, 0},
		{"v: 0x10", 0, 100, false, 0},
		{"v: 1_000", 0, 10000, false, 0},
		{"v: 1e3", 0, 10000, false, 0},
		{"v: +", 0, 10, false, 0},
		{"v: ++5", 0, 10, false, 0},
		{"v: five", 0, 10, false, 0},
		{"v:", 0, 10, false, 0},
		{"v: [5]", 0, 10, false, 0},
		{"v: {n: 5}", 0, 10, false, 0},
	};
	return cr_make_param_array(struct int_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct int_case *c, ynode, int_conversion)
{
	struct parsed p;
	const struct ynode *v = value_of(&p, c->yaml);
	struct yctx ctx = {p.a, &p.dl};
	long out = -4242;
	enum scrub_err err = ynode_int(&ctx, v, "units", c->min, c->max, &out);
	if (c->ok) {
		cr_assert_eq(err, SCRUB_OK, "'%s' must convert", c->yaml);
		cr_assert_eq(out, c->value);
		cr_assert_eq(p.dl.n, 0);
	} else {
		cr_assert_eq(err, SCRUB_EINPUT, "'%s' must be refused",
			     c->yaml);
		cr_assert_eq(out, -4242,
			     "a refused value leaves the output alone");
		assert_one_diag(&p.dl, 1, v->column,
				"'units' must be an integer");
	}
	parsed_free(&p);
}

struct bool_case {
	char yaml[32];
	bool ok, value;
};

ParameterizedTestParameters(ynode, bool_conversion)
{
	static struct bool_case cases[] = {
		{"v: true", true, true},       {"v: false", true, false},
		{"v: True", false, false},     {"v: yes", false, false},
		{"v: on", false, false},       {"v: 1", false, false},
		{"v: \"true\"", false, false}, {"v:", false, false},
		{"v: [true]", false, false},
	};
	return cr_make_param_array(struct bool_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bool_case *c, ynode, bool_conversion)
{
	struct parsed p;
	const struct ynode *v = value_of(&p, c->yaml);
	struct yctx ctx = {p.a, &p.dl};
	bool out = !c->value;
	enum scrub_err err = ynode_bool(&ctx, v, "primary", &out);
	if (c->ok) {
		cr_assert_eq(err, SCRUB_OK, "'%s'", c->yaml);
		cr_assert_eq(out, c->value);
	} else {
		cr_assert_eq(err, SCRUB_EINPUT, "'%s' must be refused",
			     c->yaml);
		assert_one_diag(&p.dl, 1, v->column,
				"'primary' must be true or false");
	}
	parsed_free(&p);
}

struct str_case {
	char yaml[48];
	size_t maxlen;
	bool ok;
	char value[16];
	char has[40];
};

ParameterizedTestParameters(ynode, str_conversion)
{
	static struct str_case cases[] = {
		{"v: abc", 5, true, "abc", ""},
		{"v: abcde", 5, true, "abcde", ""},
		{"v: 'a b'", 5, true, "a b", ""},
		{"v: '~'", 5, true, "~", ""},
		{"v: 123", 5, true, "123", ""},
		{"v: abcdef", 5, false, "", "is too long (6 bytes, at most 5)"},
		{"v: \"a\\tb\"", 5, false, "", "contains a control character"},
		{"v: \"a\\x7fb\"", 5, false, "",
		 "contains a control character"},
		{"v: \"a\\0b\"", 5, false, "", "contains a control character"},
		{"v: \"a\\nb\"", 5, false, "", "contains a control character"},
		{"v: ''", 5, false, "", "must not be empty"},
		{"v: \"\"", 5, false, "", "must not be empty"},
		{"v:", 5, false, "", "must not be empty"},
		{"v: ~", 5, false, "", "must not be empty"},
		{"v: null", 5, false, "", "must not be empty"},
		{"v: [a]", 5, false, "", "must be a scalar, not a sequence"},
		{"v: {a: b}", 5, false, "", "must be a scalar, not a mapping"},
	};
	return cr_make_param_array(struct str_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct str_case *c, ynode, str_conversion)
{
	struct parsed p;
	const struct ynode *v = value_of(&p, c->yaml);
	struct yctx ctx = {p.a, &p.dl};
	const char *out = NULL;
	enum scrub_err err = ynode_str(&ctx, v, "site", c->maxlen, &out);
	if (c->ok) {
		cr_assert_eq(err, SCRUB_OK, "'%s'", c->yaml);
		cr_assert_str_eq(out, c->value);
		cr_assert_eq(p.dl.n, 0);
	} else {
		cr_assert_eq(err, SCRUB_EINPUT, "'%s' must be refused",
			     c->yaml);
		cr_assert_null(out);
		assert_one_diag(&p.dl, 1, v->column, c->has);
		cr_assert_not_null(strstr(p.dl.items[0].message, "'site'"));
	}
	parsed_free(&p);
}

static const char *const route_names[] = {"infusion", "push", "injection",
					  NULL};

struct enum_case {
	char yaml[32];
	int index; /* -1: refused */
};

ParameterizedTestParameters(ynode, enum_conversion)
{
	static struct enum_case cases[] = {
		{"v: infusion", 0}, {"v: push", 1},	    {"v: injection", 2},
		{"v: 'push'", 1},   {"v: Push", -1},	    {"v: pus", -1},
		{"v: pushx", -1},   {"v: \"push\\0\"", -1}, {"v:", -1},
		{"v: [push]", -1},
	};
	return cr_make_param_array(struct enum_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct enum_case *c, ynode, enum_conversion)
{
	struct parsed p;
	const struct ynode *v = value_of(&p, c->yaml);
	struct yctx ctx = {p.a, &p.dl};
	int out = -7;
	enum scrub_err err = ynode_enum(&ctx, v, "route", route_names, &out);
	if (c->index >= 0) {
		cr_assert_eq(err, SCRUB_OK, "'%s'", c->yaml);
		cr_assert_eq(out, c->index);
	} else {
		cr_assert_eq(err, SCRUB_EINPUT, "'%s' must be refused",
			     c->yaml);
		cr_assert_eq(out, -7);
		assert_one_diag(
			&p.dl, 1, v->column,
			"'route' must be one of infusion, push, injection");
	}
	parsed_free(&p);
}

/* ---- key tables ---------------------------------------------------------- */

struct walked {
	long count;
	bool flag;
	int calls;
};

static enum scrub_err
set_count(struct yctx *c, const struct ynode *v, void *obj)
{
	struct walked *w = obj;
	w->calls++;
	return ynode_int(c, v, "count", 0, 100, &w->count);
}

static enum scrub_err
set_flag(struct yctx *c, const struct ynode *v, void *obj)
{
	struct walked *w = obj;
	w->calls++;
	return ynode_bool(c, v, "flag", &w->flag);
}

static const struct ykey walk_keys[] = {
	{"count", true, set_count},
	{"flag", true, set_flag},
	{"note", false, set_flag},
	{NULL, false, NULL},
};

Test(ynode, walk_fills_the_object)
{
	struct parsed p;
	parse(&p, "count: 7\nflag: true\n");
	cr_assert_eq(p.err, SCRUB_OK);
	struct yctx ctx = {p.a, &p.dl};
	struct walked w = {0};
	cr_assert_eq(ymap_walk(&ctx, p.docs[0], "widget", walk_keys, &w),
		     SCRUB_OK);
	cr_assert_eq(w.count, 7);
	cr_assert(w.flag);
	cr_assert_eq(w.calls, 2);
	cr_assert_eq(p.dl.n, 0);
	parsed_free(&p);
}

Test(ynode, walk_collects_every_error)
{
	struct parsed p;
	/* unknown key, a bad value and a missing required key, in one call */
	parse(&p, "count: many\nsize: 3\n");
	cr_assert_eq(p.err, SCRUB_OK);
	struct yctx ctx = {p.a, &p.dl};
	struct walked w = {0};
	cr_assert_eq(ymap_walk(&ctx, p.docs[0], "widget", walk_keys, &w),
		     SCRUB_EINPUT);
	cr_assert_eq(p.dl.n, 3, "three errors, all reported (got %zu)", p.dl.n);
	cr_assert_eq(w.calls, 1, "the known key's handler still ran");

	const struct diag *d = &p.dl.items[0];
	cr_assert_eq(d->line, 1);
	cr_assert_eq(d->column, 8);
	cr_assert_not_null(strstr(d->message, "'count' must be an integer"),
			   "%s", d->message);
	d = &p.dl.items[1];
	cr_assert_eq(d->line, 2);
	cr_assert_eq(d->column, 1);
	cr_assert_str_eq(d->message, "unknown key 'size' in widget");
	d = &p.dl.items[2];
	cr_assert_eq(d->line, 1, "a missing key is reported at the mapping");
	cr_assert_eq(d->column, 1);
	cr_assert_str_eq(d->message, "widget is missing required key 'flag'");
	for (size_t i = 0; i < p.dl.n; i++)
		cr_assert_str_eq(p.dl.items[i].file, FILE_NAME);
	parsed_free(&p);
}

Test(ynode, walk_reports_unknown_and_missing_keys_together)
{
	struct parsed p;
	parse(&p, "outer:\n  count: 1\n  colour: red\n");
	cr_assert_eq(p.err, SCRUB_OK);
	struct yctx ctx = {p.a, &p.dl};
	struct walked w = {0};
	const struct ynode *m = ymap_get(p.docs[0], "outer");
	cr_assert_eq(ymap_walk(&ctx, m, "widget", walk_keys, &w), SCRUB_EINPUT);
	cr_assert_eq(p.dl.n, 2);
	cr_assert_str_eq(p.dl.items[0].message,
			 "unknown key 'colour' in widget");
	cr_assert_eq(p.dl.items[0].line, 3);
	cr_assert_eq(p.dl.items[0].column, 3);
	cr_assert_str_eq(p.dl.items[1].message,
			 "widget is missing required key 'flag'");
	cr_assert_eq(p.dl.items[1].line, 2);
	cr_assert_eq(p.dl.items[1].column, 3);
	cr_assert_eq(w.count, 1);
	parsed_free(&p);
}

Test(ynode, walk_refuses_a_non_mapping)
{
	struct parsed p;
	parse(&p, "- count\n- flag\n");
	cr_assert_eq(p.err, SCRUB_OK);
	struct yctx ctx = {p.a, &p.dl};
	struct walked w = {0};
	cr_assert_eq(ymap_walk(&ctx, p.docs[0], "widget", walk_keys, &w),
		     SCRUB_EINPUT);
	assert_one_diag(&p.dl, 1, 1,
			"'widget' must be a mapping, not a sequence");
	cr_assert_eq(w.calls, 0);
	parsed_free(&p);
}

Test(ynode, is_null)
{
	struct parsed p;
	parse(&p, "a:\nb: ~\nc: null\nd: '~'\ne: \"\"\nf: x\n");
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert(ynode_is_null(ymap_get(p.docs[0], "a")));
	cr_assert(ynode_is_null(ymap_get(p.docs[0], "b")));
	cr_assert(ynode_is_null(ymap_get(p.docs[0], "c")));
	cr_assert_not(ynode_is_null(ymap_get(p.docs[0], "d")),
		      "quoted ~ is text");
	cr_assert_not(ynode_is_null(ymap_get(p.docs[0], "e")),
		      "quoted empty is text");
	cr_assert_not(ynode_is_null(ymap_get(p.docs[0], "f")));
	parsed_free(&p);
}

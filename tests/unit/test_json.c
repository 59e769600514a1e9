/*
 * test_json — the strict RFC 8259 parser (scrubber/json.h): the trees it
 * builds (the node types, plain and flow that ynode's walkers and
 * conversions rely on, decoded escapes, places), the JSON libyaml got
 * wrong, and one row per refusal with its message and line:column.
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
#include "scrubber/json.h"
#include "scrubber/ynode.h"

/* One parse: its arena, tree, diagnostics and result. */
struct parse {
	struct arena *a;
	struct ynode *root;
	struct diag_list dl;
	enum scrub_err err;
};

static void
parse_len(struct parse *p, unsigned line, const char *text, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->a = arena_new();
	cr_assert_not_null(p->a);
	p->err = json_parse(p->a, "t.json", line, text, len, &p->root, &p->dl);
	for (size_t i = 0; i < p->dl.n; i++)
		cr_log_info("%u:%u: %s", p->dl.items[i].line,
			    p->dl.items[i].column, p->dl.items[i].message);
}

static void
parse(struct parse *p, const char *text)
{
	parse_len(p, 1, text, strlen(text));
}

static void
parse_free(struct parse *p)
{
	diag_list_free(&p->dl);
	arena_free(p->a);
}

/* Parses text, which must be good, and returns its root. */
static const struct ynode *
good(struct parse *p, const char *text)
{
	parse(p, text);
	cr_assert_eq(p->err, SCRUB_OK, "refused: %s",
		     p->dl.n ? p->dl.items[0].message : "(no message)");
	cr_assert_eq(p->dl.n, 0);
	cr_assert_not_null(p->root);
	return p->root;
}

/* Exactly one error, at line:column, reading exactly message. */
static void
assert_error(const struct parse *p, unsigned line, unsigned column,
	     const char *message)
{
	cr_assert_eq(p->err, SCRUB_EINPUT);
	cr_assert_null(p->root);
	cr_assert_eq(p->dl.n, 1, "expected one error, got %zu", p->dl.n);
	const struct diag *d = &p->dl.items[0];
	cr_assert_str_eq(d->message, message);
	cr_assert_str_eq(d->file, "t.json");
	cr_assert_eq(d->line, line, "line %u, expected %u", d->line, line);
	cr_assert_eq(d->column, column, "column %u, expected %u", d->column,
		     column);
}

static void
assert_scalar(const struct ynode *n, bool plain, const char *str, size_t len)
{
	cr_assert_eq(n->type, YNODE_SCALAR);
	cr_assert_eq(n->plain, plain, "plain %d for '%s'", n->plain, str);
	cr_assert_eq(n->len, len, "len %zu, expected %zu", n->len, len);
	cr_assert_eq(memcmp(n->str, str, len), 0);
	cr_assert_eq(n->str[len], '\0', "NUL-terminated");
}

/* ---- trees -------------------------------------------------------------- */

Test(json, scalars_plain_as_libyaml_gives_them)
{
	struct parse p;
	const struct ynode *r =
		good(&p, "[\"s\", -1.5e+300, 0, true, false, null, \"null\"]");
	cr_assert_eq(r->type, YNODE_SEQ);
	cr_assert(r->flow);
	cr_assert_eq(r->n, 7);
	assert_scalar(r->items[0], false, "s", 1);
	assert_scalar(r->items[1], true, "-1.5e+300", 9);
	assert_scalar(r->items[2], true, "0", 1);
	assert_scalar(r->items[3], true, "true", 4);
	assert_scalar(r->items[4], true, "false", 5);
	assert_scalar(r->items[5], true, "null", 4);
	cr_assert(ynode_is_null(r->items[5]));
	cr_assert_not(ynode_is_null(r->items[6]), "a string is not null");
	parse_free(&p);
}

Test(json, conversions_work_on_the_tree)
{
	struct parse p;
	const struct ynode *r =
		good(&p, "{\"n\": 42, \"b\": true, \"s\": \"42\"}");
	struct yctx c = {.arena = p.a, .dl = &p.dl};
	long v = 0;
	bool b = false;
	cr_assert_eq(ynode_int(&c, ymap_get(r, "n"), "n", 0, 100, &v),
		     SCRUB_OK);
	cr_assert_eq(v, 42);
	cr_assert_eq(ynode_bool(&c, ymap_get(r, "b"), "b", &b), SCRUB_OK);
	cr_assert(b);
	cr_assert_eq(ynode_int(&c, ymap_get(r, "s"), "s", 0, 100, &v),
		     SCRUB_EINPUT, "a string is not an integer");
	parse_free(&p);
}

Test(json, objects_keep_their_order)
{
	struct parse p;
	const struct ynode *r =
		good(&p, "{\"b\": {}, \"a\": [], \"c\": {\"d\": "
			 "[1, {\"e\": null}]}}");
	cr_assert_eq(r->type, YNODE_MAP);
	cr_assert(r->flow);
	cr_assert_eq(r->n, 3);
	assert_scalar(r->keys[0], false, "b", 1);
	assert_scalar(r->keys[1], false, "a", 1);
	assert_scalar(r->keys[2], false, "c", 1);
	cr_assert_eq(r->items[0]->type, YNODE_MAP);
	cr_assert_eq(r->items[0]->n, 0);
	cr_assert_eq(r->items[1]->type, YNODE_SEQ);
	cr_assert_eq(r->items[1]->n, 0);
	const struct ynode *d = ymap_get(r->items[2], "d");
	cr_assert_eq(d->n, 2);
	cr_assert(ynode_is_null(ymap_get(d->items[1], "e")));
	parse_free(&p);
}

Test(json, every_escape_decoded)
{
	struct parse p;
	const struct ynode *r = good(
		&p, "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20AC\"");
	static const char want[] =
		"\" \\ / \b \f \n \r \t \xc3\xa9 \xe2\x82\xac";
	assert_scalar(r, false, want, sizeof(want) - 1);
	parse_free(&p);
}

/* libyaml refused this: one code point, four bytes of UTF-8 */
Test(json, surrogate_pair_joined)
{
	struct parse p;
	assert_scalar(good(&p, "\"a\\ud83d\\ude00b\""), false,
		      "a\xf0\x9f\x98\x80"
		      "b",
		      6);
	parse_free(&p);
	/* the highest code point, U+10FFFF */
	assert_scalar(good(&p, "\"\\udbff\\udfff\""), false, "\xf4\x8f\xbf\xbf",
		      4);
	parse_free(&p);
}

/* \u0000 is JSON: kept as a NUL that len counts */
Test(json, nul_escape_kept)
{
	struct parse p;
	assert_scalar(good(&p, "\"a\\u0000b\""), false, "a\0b", 3);
	parse_free(&p);
}

/* libyaml refused DEL raw in a string; JSON allows it */
Test(json, raw_del_accepted)
{
	struct parse p;
	assert_scalar(good(&p, "{\"a\x7f\": \"b\x7f\"}")->items[0], false,
		      "b\x7f", 2);
	parse_free(&p);
}

/* libyaml refused a key over 1024 characters */
Test(json, long_key_accepted)
{
	char t[2100];
	t[0] = '{';
	t[1] = '"';
	memset(t + 2, 'k', 2000);
	memcpy(t + 2002, "\": 1}", 6);
	struct parse p;
	const struct ynode *r = good(&p, t);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->keys[0]->len, 2000);
	assert_scalar(r->items[0], true, "1", 1);
	parse_free(&p);
}

Test(json, raw_utf8_accepted)
{
	struct parse p;
	assert_scalar(good(&p, "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""), false,
		      "caf\xc3\xa9 \xf0\x9f\x98\x80", 10);
	parse_free(&p);
}

Test(json, places_of_nodes)
{
	/* a tab counts one column; é (two bytes) one character */
	struct parse p;
	const struct ynode *r = good(&p, "{\n\t\"a\": [1,\n   \"\xc3\xa9\", "
					 "true],\n  \"b\" :null }");
	cr_assert_eq(r->line, 1);
	cr_assert_eq(r->column, 1);
	cr_assert_str_eq(r->file, "t.json");
	cr_assert_eq(r->keys[0]->line, 2);
	cr_assert_eq(r->keys[0]->column, 2);
	const struct ynode *a = r->items[0];
	cr_assert_eq(a->line, 2);
	cr_assert_eq(a->column, 7);
	cr_assert_eq(a->items[0]->column, 8);
	cr_assert_eq(a->items[1]->line, 3);
	cr_assert_eq(a->items[1]->column, 4);
	cr_assert_eq(a->items[2]->line, 3);
	cr_assert_eq(a->items[2]->column, 9, "after a two-byte character");
	cr_assert_eq(r->keys[1]->line, 4);
	cr_assert_eq(r->keys[1]->column, 3);
	cr_assert_eq(r->items[1]->column, 8);
	parse_free(&p);
}

/* An NDJSON line parsed alone names the file's line. */
Test(json, first_line_given)
{
	struct parse p;
	parse_len(&p, 7, "{\"a\": [1, 2]}", 13);
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.root->line, 7);
	cr_assert_eq(p.root->items[0]->items[1]->line, 7);
	cr_assert_eq(p.root->items[0]->items[1]->column, 11);
	parse_free(&p);
	parse_len(&p, 7, "{\"a\": [1 2]}", 12);
	assert_error(&p, 7, 10,
		     "expected ',' or ']' after an item of the array that "
		     "started at 7:7, found '2'");
	parse_free(&p);
}

/* RFC 8259, section 8.1: a parser MAY ignore a byte order mark; it is
 * not a character of the text, so columns start after it. */
Test(json, byte_order_mark_at_the_start_skipped)
{
	struct parse p;
	const struct ynode *r = good(&p, "\xEF\xBB\xBF[1]");
	cr_assert_eq(r->column, 1);
	cr_assert_eq(r->items[0]->column, 2);
	parse_free(&p);
	parse(&p, "[\xEF\xBB\xBF"
		  "1]");
	assert_error(&p, 1, 2, "expected a value, found byte 0xef");
	parse_free(&p);
}

/* ---- bounds ------------------------------------------------------------- */

static char *
nested(int depth)
{
	char *t = malloc((size_t)depth * 2 + 1);
	cr_assert_not_null(t);
	memset(t, '[', (size_t)depth);
	memset(t + depth, ']', (size_t)depth);
	t[depth * 2] = '\0';
	return t;
}

Test(json, depth_bound)
{
	struct parse p;
	char *t = nested(YNODE_MAX_DEPTH);
	good(&p, t);
	parse_free(&p);
	free(t);
	t = nested(YNODE_MAX_DEPTH + 1);
	parse(&p, t);
	assert_error(&p, 1, YNODE_MAX_DEPTH + 1, "nesting too deep");
	parse_free(&p);
	free(t);
}

/* "[0,0,...]" of n items: n + 1 nodes */
static char *
wide(size_t n)
{
	char *t = malloc(2 * n + 2);
	cr_assert_not_null(t);
	t[0] = '[';
	for (size_t i = 0; i < n; i++) {
		t[1 + 2 * i] = '0';
		t[2 + 2 * i] = ',';
	}
	t[2 * n] = ']';
	t[2 * n + 1] = '\0';
	return t;
}

Test(json, node_bound, .timeout = 60)
{
	struct parse p;
	char *t = wide(YNODE_MAX_NODES - 1);
	cr_assert_eq(good(&p, t)->n, YNODE_MAX_NODES - 1);
	parse_free(&p);
	free(t);
	/* the last item is one too many: it is item MAX-1, at column 2MAX */
	t = wide(YNODE_MAX_NODES);
	parse(&p, t);
	assert_error(&p, 1, 2 * YNODE_MAX_NODES, "too many nodes in document");
	parse_free(&p);
	free(t);
}

/* ---- duplicate names ---------------------------------------------------- */

Test(json, duplicate_name)
{
	struct parse p;
	parse(&p, "{\"a\": 1, \"b\": {\"a\": 2}, \"a\": 3}");
	assert_error(&p, 1, 25, "duplicate key 'a'");
	parse_free(&p);
}

Test(json, duplicate_name_written_with_an_escape)
{
	struct parse p;
	parse(&p, "{\"a\": 1, \"\\u0061\": 2}");
	assert_error(&p, 1, 10, "duplicate key 'a'");
	parse_free(&p);
}

/* Past JSON_PAIRWISE_MAX members the names are sorted: the first repeat in
 * the text is still the one named. */
Test(json, duplicate_name_in_a_large_object)
{
	char t[1024];
	size_t o = 0, at22 = 0;
	t[o++] = '{';
	for (int i = 0; i < 30; i++) {
		at22 = i == 22 ? o : at22;
		o += (size_t)snprintf(t + o, sizeof(t) - o, "\"k%02d\":%d,",
				      i == 25	? 7
				      : i == 22 ? 9
						: i,
				      i);
	}
	t[o - 1] = '}';
	t[o] = '\0';
	struct parse p;
	parse(&p, t);
	/* member 22 (named k09) comes before member 25 (k07) */
	assert_error(&p, 1, (unsigned)at22 + 1, "duplicate key 'k09'");
	parse_free(&p);
	good(&p, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,"
		 "\"h\":8,\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,\"n\":14,"
		 "\"o\":15,\"p\":16,\"q\":17,\"r\":18}");
	parse_free(&p);
}

/* ---- refusals, one row each --------------------------------------------- */

/* Arrays, not pointers: Criterion hands each row to a new process. */
struct bad {
	char name[48];
	char text[48];
	size_t len; /* 0: strlen(text) */
	unsigned line, column;
	char message[128];
};

ParameterizedTestParameters(json, refused)
{
	static struct bad rows[] = {
		/* what libyaml read as YAML */
		{"member without a value", "{\"id\":}", 0, 1, 7,
		 "expected a value, found '}'"},
		{"trailing comma in an object", "{\"a\":1,}", 0, 1, 8,
		 "expected a member name after ',', found '}' (JSON has no "
		 "trailing commas)"},
		{"trailing comma in an array", "[1,\n ]", 0, 2, 2,
		 "expected a value after ',', found ']' (JSON has no "
		 "trailing commas)"},
		{"line comment", "// note\n{}", 0, 1, 1,
		 "expected a value, found '/' (JSON has no comments)"},
		{"block comment", "{\"a\":1 /* c */}", 0, 1, 8,
		 "expected ',' or '}' after a member of the object that "
		 "started at 1:1, found '/' (JSON has no comments)"},
		{"hash comment", "[1] # c", 0, 1, 5,
		 "expected the end of the input after the JSON value, found "
		 "'#'"},
		{"single-quoted name", "{'a':1}", 0, 1, 2,
		 "expected a member name (a string), found ''' (JSON strings "
		 "take double quotes)"},
		{"single-quoted value", "['a']", 0, 1, 2,
		 "expected a value, found ''' (JSON strings take double "
		 "quotes)"},
		{"bare name", "{a: 1}", 0, 1, 2,
		 "expected a member name (a string), found 'a'"},
		{"number as a name", "{1: 2}", 0, 1, 2,
		 "expected a member name (a string), found '1'"},
		{"no colon", "{\"a\" 1}", 0, 1, 6,
		 "expected ':' after the member name, found '1'"},
		{"NaN", "NaN", 0, 1, 1, "expected a value, found 'NaN'"},
		{"Infinity", "[Infinity]", 0, 1, 2,
		 "expected a value, found 'Infinity'"},
		{"minus Infinity", "-Infinity", 0, 1, 2,
		 "expected a digit after '-', found 'I'"},
		{"capital True", "True", 0, 1, 1,
		 "expected a value, found 'True'"},
		{"YAML's yes", "[yes]", 0, 1, 2,
		 "expected a value, found 'yes'"},
		{"long word cut", "[abcdefghijklmnopqrstuvwxyz]", 0, 1, 2,
		 "expected a value, found 'abcdefghijklmnopqrstuvwx'..."},
		/* numbers */
		{"leading zero", "[01]", 0, 1, 2,
		 "a number must not start with a leading zero"},
		{"negative leading zero", "-00.5", 0, 1, 1,
		 "a number must not start with a leading zero"},
		{"plus sign", "+1", 0, 1, 1, "expected a value, found '+'"},
		{"bare fraction", ".5", 0, 1, 1, "expected a value, found '.'"},
		{"dot without digits", "1.", 0, 1, 3,
		 "expected a digit after '.', found the end of the input"},
		{"dot then exponent", "1.e5", 0, 1, 3,
		 "expected a digit after '.', found 'e'"},
		{"exponent without digits", "1e+", 0, 1, 4,
		 "expected a digit in the exponent, found the end of the "
		 "input"},
		{"hex", "0x10", 0, 1, 2,
		 "expected the end of the input after the JSON value, found "
		 "'x'"},
		/* strings */
		{"raw tab in a string", "\"a\tb\"", 0, 1, 3,
		 "control character 0x09 in a string: JSON needs it escaped"},
		{"raw line break in a string", "[\"a\nb\"]", 0, 1, 4,
		 "control character 0x0a in a string: JSON needs it escaped"},
		{"raw NUL in a string", "\"a\0b\"", 5, 1, 3,
		 "control character 0x00 in a string: JSON needs it escaped"},
		{"unclosed string", "[1, \"abc", 0, 1, 5,
		 "string not closed before the end of the input"},
		{"backslash at the end", "\"ab\\", 0, 1, 4,
		 "string not closed before the end of the input"},
		{"unknown escape", "\"a\\x41\"", 0, 1, 3,
		 "invalid escape: '\\' followed by 'x'"},
		{"escaped single quote", "\"\\'\"", 0, 1, 2,
		 "invalid escape: '\\' followed by '''"},
		{"short \\u", "\"\\u12\"", 0, 1, 2,
		 "\\u must be followed by four hex digits"},
		{"\\u not hex", "\"\\u12g4\"", 0, 1, 2,
		 "\\u must be followed by four hex digits"},
		{"lone high surrogate", "\"\\ud83d\"", 0, 1, 2,
		 "lone surrogate \\ud83d: a high surrogate must be followed by "
		 "a \\u escape of a low one"},
		{"high surrogate then a letter", "\"\\ud83d\\u0041\"", 0, 1, 2,
		 "lone surrogate \\ud83d: a high surrogate must be followed by "
		 "a \\u escape of a low one"},
		{"high surrogate then two", "\"\\ud83d\\ud83d\"", 0, 1, 2,
		 "lone surrogate \\ud83d: a high surrogate must be followed by "
		 "a \\u escape of a low one"},
		{"lone low surrogate", "\"x\\uDE00\"", 0, 1, 3,
		 "lone surrogate \\uDE00: a low surrogate must follow a high "
		 "one"},
		/* UTF-8 */
		{"invalid byte", "\"a\xff\"", 0, 1, 3,
		 "invalid UTF-8 in a string (byte 0xff)"},
		{"overlong slash", "\"\xc0\xaf\"", 0, 1, 2,
		 "invalid UTF-8 in a string (byte 0xc0)"},
		{"encoded surrogate", "\"\xed\xa0\x80\"", 0, 1, 2,
		 "invalid UTF-8 in a string (byte 0xed)"},
		{"stray continuation", "\"\x80\"", 0, 1, 2,
		 "invalid UTF-8 in a string (byte 0x80)"},
		{"sequence cut by the end", "\"\xe2\x82", 0, 1, 2,
		 "invalid UTF-8 in a string (byte 0xe2)"},
		{"Latin-1 outside a string", "[\xe9]", 0, 1, 2,
		 "expected a value, found byte 0xe9"},
		/* one value */
		{"empty", "", 0, 1, 1,
		 "expected a value, found the end of the input"},
		{"only whitespace", " \n\t ", 0, 2, 3,
		 "expected a value, found the end of the input"},
		{"two values", "{} {}", 0, 1, 4,
		 "expected the end of the input after the JSON value, found "
		 "'{'"},
		{"NUL after the value", "{}\0", 3, 1, 3,
		 "expected the end of the input after the JSON value, found "
		 "byte 0x00"},
		{"unclosed object", "{\"a\": 1", 0, 1, 8,
		 "expected ',' or '}' after a member of the object that "
		 "started at 1:1, found the end of the input"},
		{"unclosed array", "[[1]", 0, 1, 5,
		 "expected ',' or ']' after an item of the array that started "
		 "at 1:1, found the end of the input"},
		{"mismatched bracket", "{\"a\": [1}", 0, 1, 9,
		 "expected ',' or ']' after an item of the array that started "
		 "at 1:7, found '}'"},
		/* places: lines, and columns in characters */
		{"error on a later line", "{\n  \"a\": [1,\n    2 3]\n}", 0, 3,
		 7,
		 "expected ',' or ']' after an item of the array that started "
		 "at 2:8, found '3'"},
		{"column after a multi-byte character", "[\"\xc3\xa9\", x]", 0,
		 1, 7, "expected a value, found 'x'"},
		{"column after a surrogate pair", "[\"\\ud83d\\ude00\" x]", 0,
		 1, 17,
		 "expected ',' or ']' after an item of the array that started "
		 "at 1:1, found 'x'"},
		{"error inside a string after UTF-8",
		 "[\"\xc3\xa9\xc3\xa9\\q\"]", 0, 1, 5,
		 "invalid escape: '\\' followed by 'q'"},
		{"unclosed string after UTF-8", "[\"\xc3\xa9", 0, 1, 2,
		 "string not closed before the end of the input"},
	};
	return cr_make_param_array(struct bad, rows,
				   sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(struct bad *b, json, refused)
{
	struct parse p;
	cr_log_info("%s", b->name);
	parse_len(&p, 1, b->text, b->len ? b->len : strlen(b->text));
	assert_error(&p, b->line, b->column, b->message);
	parse_free(&p);
}

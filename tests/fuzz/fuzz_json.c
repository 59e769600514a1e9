/*
 * fuzz_json — libFuzzer target for the strict JSON parser (json.h): the
 * input is parsed from a heap copy of exactly its bytes (so a read past
 * the end is caught), then held to what json.h promises.  A refusal is one
 * diagnostic with a place; a tree has every string well-formed UTF-8
 * (escapes decoded, surrogates joined), names that are strings, numbers
 * and literals that are plain, collections in flow style, no deeper than
 * YNODE_MAX_DEPTH.  And the tree, written back by the small writer below,
 * parses to the same tree.  A broken promise aborts, so libFuzzer keeps
 * the input.
 *
 * Seeds: examples/fhir, the JSON claims of tests/cases and texts written by
 * tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/json.h"
#include "scrubber/strbuf.h"
#include "scrubber/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const struct ynode *n, const char *what)
{
	fprintf(stderr, "fuzz_json: node at %u:%u: %s\n", n ? n->line : 0,
		n ? n->column : 0, what);
	abort();
}

static bool
valid_utf8(const char *s, size_t len)
{
	unsigned cp;
	for (size_t i = 0; i < len;) {
		/* str is NUL-terminated, so the decoder stops there */
		size_t n = utf8_decode(s + i, &cp);
		if (n == 0 || n > len - i)
			return false;
		i += n;
	}
	return true;
}

static void
check_scalar(const struct ynode *n)
{
	if (!n->str || n->str[n->len] != '\0')
		fail(n, "a scalar not NUL-terminated");
	if (!n->plain && !valid_utf8(n->str, n->len))
		fail(n, "a string that is not UTF-8");
	if (n->plain && (n->len == 0 || memchr(n->str, '\0', n->len)))
		fail(n, "a plain scalar empty or holding a NUL");
}

static void
check_tree(const struct ynode *n, int depth)
{
	if (n->line == 0 || n->column == 0 || !n->file)
		fail(n, "no place");
	if (n->type == YNODE_SCALAR) {
		check_scalar(n);
		return;
	}
	if (!n->flow || depth >= YNODE_MAX_DEPTH)
		fail(n, "a collection not in flow style, or too deep");
	for (size_t i = 0; i < n->n; i++) {
		if (n->type == YNODE_MAP) {
			if (n->keys[i]->type != YNODE_SCALAR ||
			    n->keys[i]->plain)
				fail(n->keys[i], "a member name not a string");
			check_scalar(n->keys[i]);
		}
		check_tree(n->items[i], depth + 1);
	}
}

/* The smallest JSON for the tree: strings escaped only where JSON needs
 * it, plain scalars as they were written. */
static void
write_string(struct strbuf *sb, const struct ynode *n)
{
	strbuf_putc(sb, '"');
	for (size_t i = 0; i < n->len; i++) {
		unsigned char c = (unsigned char)n->str[i];
		if (c == '"' || c == '\\') {
			strbuf_putc(sb, '\\');
			strbuf_putc(sb, (char)c);
		} else if (c < 0x20) {
			strbuf_printf(sb, "\\u%04x", c);
		} else {
			strbuf_putc(sb, (char)c);
		}
	}
	strbuf_putc(sb, '"');
}

static void
write_tree(struct strbuf *sb, const struct ynode *n)
{
	if (n->type == YNODE_SCALAR) {
		if (n->plain)
			strbuf_append(sb, n->str, n->len);
		else
			write_string(sb, n);
		return;
	}
	strbuf_putc(sb, n->type == YNODE_MAP ? '{' : '[');
	for (size_t i = 0; i < n->n; i++) {
		if (i)
			strbuf_putc(sb, ',');
		if (n->type == YNODE_MAP) {
			write_string(sb, n->keys[i]);
			strbuf_putc(sb, ':');
		}
		write_tree(sb, n->items[i]);
	}
	strbuf_putc(sb, n->type == YNODE_MAP ? '}' : ']');
}

static bool
same_tree(const struct ynode *a, const struct ynode *b)
{
	if (a->type != b->type || a->plain != b->plain || a->n != b->n)
		return false;
	if (a->type == YNODE_SCALAR)
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	for (size_t i = 0; i < a->n; i++) {
		if (a->type == YNODE_MAP && !same_tree(a->keys[i], b->keys[i]))
			return false;
		if (!same_tree(a->items[i], b->items[i]))
			return false;
	}
	return true;
}

static void
round_trip(const struct ynode *root)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = {0};
	struct ynode *again;
	struct arena *a = arena_new();
	write_tree(&sb, root);
	if (!a || sb.failed) {
		strbuf_free(&sb);
		arena_free(a);
		return;
	}
	enum scrub_err err =
		json_parse(a, "again.json", 1, sb.data, sb.len, &again, &dl);
	if (err == SCRUB_EINPUT) {
		fprintf(stderr, "fuzz_json: written back: %s\n",
			dl.items[0].message);
		fail(root, "the tree written back does not parse");
	}
	if (err == SCRUB_OK && !same_tree(root, again))
		fail(root, "the tree written back parses to another tree");
	diag_list_free(&dl);
	strbuf_free(&sb);
	arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = {0};
	struct ynode *root;
	struct arena *a = arena_new();
	char *copy = malloc(size ? size : 1);
	if (!a || !copy) {
		free(copy);
		arena_free(a);
		return 0;
	}
	memcpy(copy, data, size);
	enum scrub_err err =
		json_parse(a, "fuzz.json", 1, copy, size, &root, &dl);
	free(copy);
	if (err == SCRUB_EINPUT &&
	    (dl.n != 1 || root || dl.items[0].line == 0 ||
	     dl.items[0].column == 0 || dl.items[0].column > size + 1))
		fail(NULL, "a refusal without one located diagnostic");
	if (err == SCRUB_OK && (dl.n != 0 || !root))
		fail(NULL, "a tree with a diagnostic, or none");
	if (err == SCRUB_OK) {
		check_tree(root, 0);
		round_trip(root);
	}
	diag_list_free(&dl);
	arena_free(a);
	return 0;
}

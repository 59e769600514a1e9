/*
 * doc-json — a claim file's documents as the JSON claimscrub.submit()
 * takes, without judging them, for tests/pg/parity.sh.  `claimscrub
 * submit` cannot serve: it reads each document as `check` does and never
 * sends a bad one, and the bad ones are the point of the parity test.
 *
 *   doc-json FILE            one line per document: the line it starts on,
 *                            a tab, the document as JSON
 *   doc-json FILE LINE:COL   the nodes written at LINE:COL, one a line:
 *                            `value PATH` (a document, a mapping value or
 *                            a sequence item) or `key PATH KEY` (a mapping
 *                            key; PATH is its mapping's)
 *
 * Paths are submit()'s (sql/002_queue.sql): `claim`, `lines[2].units`,
 * `administrations[1]`, `(document)` for the document itself; sequence
 * items count from 1 (WITH ORDINALITY).
 *
 * Scalars are typed by YAML 1.2's JSON schema, as a JSON reader would see
 * the same document written in JSON: a plain null, ~ or empty value is
 * null, a plain true or false a boolean, a plain JSON number a number, and
 * every other scalar a string.  The file is parsed by the engine's own
 * strict YAML reader (scrubber/ynode.c): what it refuses (syntax errors,
 * anchors, duplicate keys, invalid UTF-8) has no JSON form, and the
 * program says so on standard error and exits 1; exit 2 for usage and
 * input/output errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/arena.h"
#include "scrubber/diag.h"
#include "scrubber/fileio.h"
#include "scrubber/ynode.h"

static bool
plain_is(const struct ynode *n, const char *s)
{
	return n->plain && n->len == strlen(s) &&
	       memcmp(n->str, s, n->len) == 0;
}

static size_t
digits(const char *s, size_t i, size_t len)
{
	size_t k = i;
	while (k < len && s[k] >= '0' && s[k] <= '9')
		k++;
	return k - i;
}

/* RFC 8259's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? */
static bool
json_number(const char *s, size_t len)
{
	size_t i = 0, d;
	if (i < len && s[i] == '-')
		i++;
	d = digits(s, i, len);
	if (d == 0 || (d > 1 && s[i] == '0'))
		return false;
	i += d;
	if (i < len && s[i] == '.') {
		d = digits(s, i + 1, len);
		if (d == 0)
			return false;
		i += 1 + d;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		d = digits(s, i, len);
		if (d == 0)
			return false;
		i += d;
	}
	return i == len;
}

static void
put_string(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7F)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void
put_json(const struct ynode *n)
{
	switch (n->type) {
	case YNODE_SCALAR:
		if (n->plain && ynode_is_null(n))
			fputs("null", stdout);
		else if (plain_is(n, "true") || plain_is(n, "false"))
			fputs(n->str, stdout);
		else if (n->plain && json_number(n->str, n->len))
			fwrite(n->str, 1, n->len, stdout);
		else
			put_string(n->str, n->len);
		return;
	case YNODE_SEQ:
		putchar('[');
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				putchar(',');
			put_json(n->items[i]);
		}
		putchar(']');
		return;
	case YNODE_MAP:
		putchar('{');
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				putchar(',');
			put_string(n->keys[i]->str, n->keys[i]->len);
			putchar(':');
			put_json(n->items[i]);
		}
		putchar('}');
		return;
	}
}

static bool
at(const struct ynode *n, unsigned line, unsigned col)
{
	return n->line == line && n->column == col;
}

/* Prints every node under n (at path) written at line:col. */
static void
put_where(const struct ynode *n, const char *path, unsigned line, unsigned col)
{
	char sub[1024];
	if (at(n, line, col))
		printf("value %s\n", path);
	for (size_t i = 0; n->type != YNODE_SCALAR && i < n->n; i++) {
		if (n->type == YNODE_SEQ) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i + 1);
		} else {
			const char *k = n->keys[i]->str;
			if (at(n->keys[i], line, col))
				printf("key %s %s\n", path, k);
			if (strcmp(path, "(document)") == 0)
				snprintf(sub, sizeof(sub), "%s", k);
			else
				snprintf(sub, sizeof(sub), "%s.%s", path, k);
		}
		put_where(n->items[i], sub, line, col);
	}
}

int
main(int argc, char **argv)
{
	unsigned line = 0, col = 0;
	if (argc < 2 || argc > 3 ||
	    (argc == 3 && sscanf(argv[2], "%u:%u", &line, &col) != 2)) {
		fprintf(stderr, "usage: doc-json FILE [LINE:COL]\n");
		return 2;
	}
	char *buf;
	size_t len;
	struct diag_list dl = {0};
	if (fileio_read(argv[1], FILEIO_MAX_BYTES, &buf, &len, &dl) !=
	    SCRUB_OK) {
		fprintf(stderr, "doc-json: cannot read %s\n", argv[1]);
		diag_list_free(&dl);
		return 2;
	}
	struct arena *a = arena_new();
	struct ynode **docs;
	size_t ndocs;
	if (!a) {
		free(buf);
		diag_list_free(&dl);
		return 2;
	}
	enum scrub_err err =
		ynode_parse(a, argv[1], buf, len, &docs, &ndocs, &dl);
	int status = 0;
	if (err != SCRUB_OK) {
		char msg[1024];
		for (size_t i = 0; i < dl.n; i++) {
			diag_format(&dl.items[i], msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
		}
		status = err == SCRUB_EINPUT ? 1 : 2;
	}
	for (size_t i = 0; status == 0 && i < ndocs; i++) {
		if (argc == 3) {
			put_where(docs[i], "(document)", line, col);
			continue;
		}
		printf("%u\t", docs[i]->line);
		put_json(docs[i]);
		putchar('\n');
	}
	diag_list_free(&dl);
	arena_free(a);
	free(buf);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = 2;
	return status;
}

/*
 * json — RFC 8259 text into ynode trees; see json.h.
 *
 * One pass of recursive descent: the depth is bounded, and so the stack.
 * Children gather on one malloc'd vector shared by the whole parse and are
 * copied into the arena when their collection closes, so the arena holds
 * only finished nodes.  A string is scanned once, to validate it and find
 * its end; only one holding escapes is read again, to decode them.
 *
 * Lines change only in whitespace (a raw line break in a string is an
 * error), so the line is always the one of the byte being read.  Columns
 * count characters: a node's is its byte offset on the line less the
 * continuation bytes of the UTF-8 sequences before it, which can only be
 * in strings already scanned, so the scanner counts them; an error's,
 * rare, is counted afresh from the start of the line.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

struct parser {
	struct arena *a;
	struct diag_list *dl;
	const char *file;    /* in a */
	const char *p, *end; /* the next byte; the end of the text */
	unsigned line;
	const char *bol; /* the first byte of the current line */
	size_t cont;	 /* UTF-8 continuation bytes on it so far */
	size_t nodes;
	struct ynode **kids; /* children of the open collections */
	size_t nkids, cap;
	enum scrub_err err; /* the first error: parsing stops there */
};

/* Objects with more members than this find duplicate names by sorting;
 * smaller ones (every FHIR object) compare each pair, faster there. */
#define JSON_PAIRWISE_MAX 16

/* ---- places and errors -------------------------------------------------- */

/* The 1-based column of at, any byte of the current line. */
static unsigned
column_at(const struct parser *p, const char *at)
{
	unsigned col = 1;
	for (const char *q = p->bol; q < at; q++)
		col += ((unsigned char)*q & 0xC0) != 0x80;
	return col;
}

static void fail_at(struct parser *p, unsigned line, unsigned column,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records the first error only: later ones follow from it. */
static void
fail_at(struct parser *p, unsigned line, unsigned column, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	if (p->err != SCRUB_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->err = diag_add(p->dl, p->file, line, column, "%s", msg) == SCRUB_OK
			 ? SCRUB_EINPUT
			 : SCRUB_ENOMEM;
}

#define fail(p, at, ...) fail_at(p, (p)->line, column_at(p, at), __VA_ARGS__)

/* What is at `at`, for messages. */
static const char *
found(const struct parser *p, const char *at, char *buf, size_t size)
{
	if (at >= p->end)
		return "the end of the input";
	unsigned char c = (unsigned char)*at;
	if (c > 0x20 && c < 0x7F)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
	return buf;
}

/* "expected WHAT, found X" at the next byte, with a word on what JSON
 * lacks when X looks like it. */
static void
expected(struct parser *p, const char *what)
{
	char f[16];
	const char *at = p->p;
	const char *hint = "";
	if (at < p->end && *at == '/')
		hint = " (JSON has no comments)";
	else if (at < p->end && *at == '\'')
		hint = " (JSON strings take double quotes)";
	fail(p, at, "expected %s, found %s%s", what, found(p, at, f, sizeof(f)),
	     hint);
}

static void
out_of_memory(struct parser *p)
{
	if (p->err == SCRUB_OK)
		p->err = SCRUB_ENOMEM;
}

/* ---- nodes -------------------------------------------------------------- */

static void
skip_space_slow(struct parser *p)
{
	const char *q = p->p;
	for (; q < p->end; q++) {
		if (*q == '\n') {
			p->line++;
			p->bol = q + 1;
			p->cont = 0;
		} else if (*q != ' ' && *q != '\t' && *q != '\r') {
			break;
		}
	}
	p->p = q;
}

/* Compact JSON (NDJSON) has no whitespace: one test, no call. */
static inline void
skip_space(struct parser *p)
{
	if (p->p < p->end && (unsigned char)*p->p > ' ')
		return;
	skip_space_slow(p);
}

/* A node of type t starting at `at`, counted against YNODE_MAX_NODES. */
static struct ynode *
new_node(struct parser *p, enum ynode_type t, const char *at)
{
	if (++p->nodes > YNODE_MAX_NODES) {
		fail(p, at, "too many nodes in document");
		return NULL;
	}
	struct ynode *n = arena_alloc_raw(p->a, sizeof(*n));
	if (!n) {
		out_of_memory(p);
		return NULL;
	}
	*n = (struct ynode){
		.type = t,
		.file = p->file,
		.line = p->line,
		.column = (unsigned)((size_t)(at - p->bol) - p->cont + 1),
		.flow = t != YNODE_SCALAR};
	return n;
}

static bool
push_kid(struct parser *p, struct ynode *n)
{
	if (p->nkids == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct ynode **kids = realloc(p->kids, cap * sizeof(*kids));
		if (!kids) {
			out_of_memory(p);
			return false;
		}
		p->kids = kids;
		p->cap = cap;
	}
	p->kids[p->nkids++] = n;
	return true;
}

/* ---- strings ------------------------------------------------------------ */

/* String bytes by what the scanner does with them: 0 takes it, 1 ends the
 * string ('"'), 2 reads an escape ('\\'), 3 refuses a control character,
 * 4 checks a UTF-8 sequence. */
static const unsigned char str_class[256] = {
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x00 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x10 */
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, /* 0x50 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x70 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x80 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x90 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xA0 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xB0 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xC0 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xD0 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xE0 */
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xF0 */
};

/* Steps over the bytes class 0 takes, eight at a time while it can: a
 * word goes on unless a byte is '"', '\\', below 0x20 or above 0x7F (a
 * borrow may stop it early, never late: the bytes are then looked at
 * one by one). */
static const char *
plain_run(const char *q, const char *end)
{
	const uint64_t ones = 0x0101010101010101u;
	const uint64_t highs = 0x8080808080808080u;
	while (end - q >= 8) {
		uint64_t x, quote, bs;
		memcpy(&x, q, 8);
		quote = x ^ (ones * '"');
		bs = x ^ (ones * '\\');
		if ((((quote - ones) & ~quote) | ((bs - ones) & ~bs) |
		     ((x - ones * 0x20) & ~x) | x) &
		    highs)
			break;
		q += 8;
	}
	while (q < end && str_class[(unsigned char)*q] == 0)
		q++;
	return q;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value of the "\uXXXX" at q into *u; false when q does not start
 * one before end. */
static bool
hex4(const char *q, const char *end, unsigned *u)
{
	if (end - q < 6 || q[0] != '\\' || q[1] != 'u')
		return false;
	*u = 0;
	for (int i = 2; i < 6; i++) {
		int d = hex_digit(q[i]);
		if (d < 0)
			return false;
		*u = *u << 4 | (unsigned)d;
	}
	return true;
}

/* Checks the \u escape at q (and the low half after a high surrogate);
 * returns the byte after it, NULL after an error. */
static const char *
scan_unicode(struct parser *p, const char *q)
{
	unsigned u, lo;
	if (!hex4(q, p->end, &u)) {
		fail(p, q, "\\u must be followed by four hex digits");
		return NULL;
	}
	if (u >= 0xDC00 && u <= 0xDFFF) {
		fail(p, q,
		     "lone surrogate \\u%.4s: a low surrogate must follow a "
		     "high one",
		     q + 2);
		return NULL;
	}
	if (u < 0xD800 || u > 0xDBFF)
		return q + 6;
	if (!hex4(q + 6, p->end, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
		fail(p, q,
		     "lone surrogate \\u%.4s: a high surrogate must be "
		     "followed by a \\u escape of a low one",
		     q + 2);
		return NULL;
	}
	return q + 12;
}

/* Checks the escape at q (a backslash); returns the byte after it. */
static const char *
scan_escape(struct parser *p, const char *q)
{
	char f[16];
	if (p->end - q < 2) {
		fail(p, q, "string not closed before the end of the input");
		return NULL;
	}
	switch (q[1]) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return q + 2;
	case 'u':
		return scan_unicode(p, q);
	default:
		fail(p, q, "invalid escape: '\\' followed by %s",
		     found(p, q + 1, f, sizeof(f)));
		return NULL;
	}
}

/* Checks the UTF-8 sequence at q; returns the byte after it.  utf8_decode
 * reads up to four bytes, so a sequence cut by the end is decoded from a
 * copy padded with NULs, which end any sequence. */
static const char *
scan_utf8(struct parser *p, const char *q)
{
	char tmp[4] = {0};
	const char *s = q;
	unsigned cp;
	if (p->end - q < 4) {
		memcpy(tmp, q, (size_t)(p->end - q));
		s = tmp;
	}
	size_t n = utf8_decode(s, &cp);
	if (n == 0) {
		fail(p, q, "invalid UTF-8 in a string (byte 0x%02x)",
		     (unsigned char)*q);
		return NULL;
	}
	p->cont += n - 1;
	return q + n;
}

/* Validates the string whose opening quote is at p->p and steps past its
 * closing quote, *stop; *escaped when it holds an escape. */
static bool
scan_string(struct parser *p, const char **stop, bool *escaped)
{
	const char *q = p->p + 1;
	*escaped = false;
	for (;;) {
		q = plain_run(q, p->end);
		if (q >= p->end) {
			fail(p, p->p,
			     "string not closed before the end of the input");
			return false;
		}
		switch (str_class[(unsigned char)*q]) {
		case 1:
			*stop = q;
			p->p = q + 1;
			return true;
		case 2:
			*escaped = true;
			q = scan_escape(p, q);
			break;
		case 3:
			fail(p, q,
			     "control character 0x%02x in a string: JSON needs "
			     "it escaped",
			     (unsigned char)*q);
			return false;
		default:
			q = scan_utf8(p, q);
		}
		if (!q)
			return false;
	}
}

/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8. */
static size_t
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The byte a one-letter escape stands for (validated already). */
static char
unescape(char c)
{
	switch (c) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default: /* '"', '\\', '/' */
		return c;
	}
}

/* Decodes the escapes of the validated text [q, stop) into out, which has
 * room: no escape decodes longer than it is written.  Returns the bytes. */
static size_t
decode(const char *q, const char *stop, char *out)
{
	char *o = out;
	unsigned cp, lo;
	while (q < stop) {
		if (*q != '\\') {
			*o++ = *q++;
			continue;
		}
		if (q[1] != 'u') {
			*o++ = unescape(q[1]);
			q += 2;
			continue;
		}
		hex4(q, stop, &cp);
		q += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			hex4(q, stop, &lo);
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			q += 6;
		}
		o += put_utf8(o, cp);
	}
	return (size_t)(o - out);
}

static struct ynode *
parse_string(struct parser *p)
{
	const char *start = p->p, *stop;
	bool escaped;
	struct ynode *n = new_node(p, YNODE_SCALAR, start);
	if (!n || !scan_string(p, &stop, &escaped))
		return NULL;
	size_t raw = (size_t)(stop - (start + 1));
	char *s = arena_alloc_raw(p->a, raw + 1);
	if (!s) {
		out_of_memory(p);
		return NULL;
	}
	if (escaped) {
		n->len = decode(start + 1, stop, s);
	} else {
		memcpy(s, start + 1, raw);
		n->len = raw;
	}
	s[n->len] = '\0';
	n->str = s;
	return n;
}

/* ---- numbers and literals ----------------------------------------------- */

static const char *
digits(const char *q, const char *end)
{
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	return q;
}

static bool
is_digit_at(const char *q, const char *end)
{
	return q < end && *q >= '0' && *q <= '9';
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written. */
static struct ynode *
parse_number(struct parser *p)
{
	const char *start = p->p, *q = p->p, *end = p->end;
	if (*q == '-')
		q++;
	if (!is_digit_at(q, end)) {
		p->p = q;
		expected(p, "a digit after '-'");
		return NULL;
	}
	if (*q == '0' && is_digit_at(q + 1, end)) {
		fail(p, start, "a number must not start with a leading zero");
		return NULL;
	}
	q = digits(q, end);
	if (q < end && *q == '.') {
		p->p = ++q;
		if (!is_digit_at(q, end)) {
			expected(p, "a digit after '.'");
			return NULL;
		}
		q = digits(q, end);
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		q += q < end && (*q == '+' || *q == '-');
		p->p = q;
		if (!is_digit_at(q, end)) {
			expected(p, "a digit in the exponent");
			return NULL;
		}
		q = digits(q, end);
	}
	p->p = start;
	struct ynode *n = new_node(p, YNODE_SCALAR, start);
	if (!n)
		return NULL;
	n->plain = true;
	n->len = (size_t)(q - start);
	n->str = arena_strndup(p->a, start, n->len);
	p->p = q;
	if (!n->str)
		out_of_memory(p);
	return n->str ? n : NULL;
}

static bool
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* true, false or null; any other word (NaN, Infinity, True) is an error. */
static struct ynode *
parse_word(struct parser *p)
{
	static const char *const words[] = {"true", "false", "null"};
	const char *q = p->p;
	while (q < p->end && is_word_char(*q))
		q++;
	size_t len = (size_t)(q - p->p);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (len != strlen(words[i]) || memcmp(p->p, words[i], len) != 0)
			continue;
		struct ynode *n = new_node(p, YNODE_SCALAR, p->p);
		if (!n)
			return NULL;
		n->plain = true;
		n->str = words[i];
		n->len = len;
		p->p = q;
		return n;
	}
	fail(p, p->p, "expected a value, found '%.*s'%s",
	     (int)(len > 24 ? 24 : len), p->p, len > 24 ? "..." : "");
	return NULL;
}

/* ---- collections -------------------------------------------------------- */

static struct ynode *parse_value(struct parser *p, int depth);

/* The collection whose opening bracket is at p->p, depth collections
 * deep; steps past the bracket. */
static struct ynode *
open_collection(struct parser *p, enum ynode_type t, int depth)
{
	if (depth >= YNODE_MAX_DEPTH) {
		fail(p, p->p, "nesting too deep");
		return NULL;
	}
	struct ynode *n = new_node(p, t, p->p);
	if (!n)
		return NULL;
	p->p++;
	skip_space(p);
	return n;
}

static bool
same_text(const struct ynode *a, const struct ynode *b)
{
	return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
}

/* Member names by text, then by place. */
static int
name_cmp(const void *pa, const void *pb)
{
	const struct ynode *a = *(struct ynode *const *)pa;
	const struct ynode *b = *(struct ynode *const *)pb;
	int c = memcmp(a->str, b->str, a->len < b->len ? a->len : b->len);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->column < b->column ? -1 : (a->column > b->column);
}

static bool
before(const struct ynode *a, const struct ynode *b)
{
	return a->line < b->line ||
	       (a->line == b->line && a->column < b->column);
}

/* The first member name in the text that repeats an earlier one, or NULL
 * (also when out of memory: p->err says). */
static const struct ynode *
first_repeat(struct parser *p, const struct ynode *m)
{
	const struct ynode *rep = NULL;
	if (m->n <= JSON_PAIRWISE_MAX) {
		for (size_t j = 1; j < m->n; j++)
			for (size_t i = 0; i < j; i++)
				if (same_text(m->keys[i], m->keys[j]))
					return m->keys[j];
		return NULL;
	}
	struct ynode **sorted = malloc(m->n * sizeof(*sorted));
	if (!sorted) {
		out_of_memory(p);
		return NULL;
	}
	memcpy(sorted, m->keys, m->n * sizeof(*sorted));
	qsort(sorted, m->n, sizeof(*sorted), name_cmp);
	for (size_t i = 1; i < m->n; i++)
		if (same_text(sorted[i - 1], sorted[i]) &&
		    (!rep || before(sorted[i], rep)))
			rep = sorted[i];
	free(sorted);
	return rep;
}

/* Moves the children from kids[base] on into collection n (a map's as
 * name, value, name, value ...); checks a map's names. */
static struct ynode *
close_collection(struct parser *p, struct ynode *n, size_t base)
{
	bool map = n->type == YNODE_MAP;
	size_t k = p->nkids - base, count = map ? k / 2 : k;
	size_t room = count ? count : 1;
	struct ynode **v = arena_alloc(p->a, (map ? 2 : 1) * room * sizeof(*v));
	if (!v) {
		out_of_memory(p);
		return NULL;
	}
	n->n = count;
	n->items = v;
	if (map) {
		n->keys = v + room;
		for (size_t i = 0; i < count; i++) {
			n->keys[i] = p->kids[base + 2 * i];
			n->items[i] = p->kids[base + 2 * i + 1];
		}
	} else if (count) {
		memcpy(v, p->kids + base, count * sizeof(*v));
	}
	p->nkids = base;
	p->p++;
	const struct ynode *rep = map ? first_repeat(p, n) : NULL;
	if (rep) {
		char q[80];
		ynode_quote(rep, q, sizeof(q));
		fail_at(p, rep->line, rep->column, "duplicate key %s", q);
	}
	return p->err == SCRUB_OK ? n : NULL;
}

/* A name, ':' and a value, pushed as two children. */
static bool
parse_member(struct parser *p, int depth)
{
	if (p->p >= p->end || *p->p != '"') {
		expected(p, "a member name (a string)");
		return false;
	}
	struct ynode *name = parse_string(p);
	if (!name || !push_kid(p, name))
		return false;
	skip_space(p);
	if (p->p >= p->end || *p->p != ':') {
		expected(p, "':' after the member name");
		return false;
	}
	p->p++;
	struct ynode *value = parse_value(p, depth + 1);
	return value && push_kid(p, value);
}

/* A value of an array, pushed as its child. */
static bool
parse_item(struct parser *p, int depth)
{
	struct ynode *v = parse_value(p, depth + 1);
	return v && push_kid(p, v);
}

/* An object or an array, from its opening bracket; every item is followed
 * by ',' and another, or by the closing bracket. */
static struct ynode *
parse_collection(struct parser *p, enum ynode_type t, int depth)
{
	const bool map = t == YNODE_MAP;
	const char close = map ? '}' : ']';
	struct ynode *n = open_collection(p, t, depth);
	size_t base = p->nkids;
	if (!n)
		return NULL;
	if (p->p < p->end && *p->p == close)
		return close_collection(p, n, base);
	for (;;) {
		if (!(map ? parse_member(p, depth) : parse_item(p, depth)))
			return NULL;
		skip_space(p);
		if (p->p < p->end && *p->p == close)
			return close_collection(p, n, base);
		if (p->p >= p->end || *p->p != ',') {
			char what[96];
			snprintf(what, sizeof(what),
				 "',' or '%c' after %s of the %s that started "
				 "at %u:%u",
				 close, map ? "a member" : "an item",
				 map ? "object" : "array", n->line, n->column);
			expected(p, what);
			return NULL;
		}
		p->p++;
		skip_space(p);
		if (p->p < p->end && *p->p == close) {
			fail(p, p->p,
			     "expected %s after ',', found '%c' (JSON has no "
			     "trailing commas)",
			     map ? "a member name" : "a value", close);
			return NULL;
		}
	}
}

static struct ynode *
parse_value(struct parser *p, int depth)
{
	skip_space(p);
	char c = p->p < p->end ? *p->p : '\0';
	if (c == '{')
		return parse_collection(p, YNODE_MAP, depth);
	if (c == '[')
		return parse_collection(p, YNODE_SEQ, depth);
	if (c == '"')
		return parse_string(p);
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (p->p < p->end && is_word_char(c))
		return parse_word(p);
	expected(p, "a value");
	return NULL;
}

enum scrub_err
json_parse(struct arena *a, const char *file, unsigned line, const char *buf,
	   size_t len, struct ynode **root, struct diag_list *dl)
{
	if (len == 0)
		buf = ""; /* no arithmetic on a NULL buf */
	struct parser p = {.a = a,
			   .dl = dl,
			   .p = buf,
			   .end = buf + len,
			   .line = line,
			   .bol = buf};
	*root = NULL;
	if (!(p.file = arena_strdup(a, file)))
		return SCRUB_ENOMEM;
	/* a byte order mark is not a character of the text: not counted */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		p.p = p.bol = buf + 3;
	struct ynode *n = parse_value(&p, 0);
	if (n) {
		skip_space(&p);
		if (p.p < p.end)
			expected(&p,
				 "the end of the input after the JSON value");
	}
	free(p.kids);
	if (p.err != SCRUB_OK)
		return p.err;
	*root = n;
	return SCRUB_OK;
}

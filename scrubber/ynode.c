/*
 * ynode — libyaml events into a tree of located nodes, and strict
 * conversions; see ynode.h.
 *
 * The builder keeps a stack of open collections, each gathering its children
 * in a malloc'd vector that is copied into the arena when it closes, so the
 * arena holds only finished nodes.  libyaml's marks are 0-based; ours 1-based.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ynode.h"

struct frame {
	struct ynode *node;
	struct ynode **kids; /* for a map: key, value, key, value ... */
	size_t n, cap;
};

struct builder {
	struct arena *a;
	const char *file;
	struct diag_list *dl;
	struct frame stack[YNODE_MAX_DEPTH + 1];
	int depth;
	size_t nodes;
	struct ynode *root;
};

/* Reports message at mark m. */
static enum scrub_err
b_error(struct builder *b, yaml_mark_t m, const char *message)
{
	if (diag_add(b->dl, b->file, (unsigned)m.line + 1,
		     (unsigned)m.column + 1, "%s", message) != SCRUB_OK)
		return SCRUB_ENOMEM;
	return SCRUB_EINPUT;
}

static struct ynode *
b_node(struct builder *b, enum ynode_type t, yaml_mark_t m)
{
	struct ynode *n = arena_alloc(b->a, sizeof(*n));
	if (!n)
		return NULL;
	n->type = t;
	n->file = b->file;
	n->line = (unsigned)m.line + 1;
	n->column = (unsigned)m.column + 1;
	return n;
}

static enum scrub_err
b_attach(struct builder *b, struct ynode *n)
{
	if (b->depth == 0) {
		b->root = n;
		return SCRUB_OK;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct ynode **kids = realloc(f->kids, cap * sizeof(*kids));
		if (!kids)
			return SCRUB_ENOMEM;
		f->kids = kids;
		f->cap = cap;
	}
	f->kids[f->n++] = n;
	return SCRUB_OK;
}

static int
key_cmp(const void *pa, const void *pb)
{
	const struct ynode *a = *(struct ynode *const *)pa;
	const struct ynode *b = *(struct ynode *const *)pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->str, b->str, n);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	/* equal text: order by position so the later one is reported */
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->column < b->column ? -1 : (a->column > b->column);
}

/* Fills a closed mapping from its key/value vector; checks the keys. */
static enum scrub_err
b_close_map(struct builder *b, struct frame *f)
{
	struct ynode *m = f->node;
	m->n = f->n / 2;
	m->keys = arena_calloc(b->a, m->n ? m->n : 1, sizeof(*m->keys));
	m->items = arena_calloc(b->a, m->n ? m->n : 1, sizeof(*m->items));
	struct ynode **sorted = malloc((m->n ? m->n : 1) * sizeof(*sorted));
	if (!m->keys || !m->items || !sorted) {
		free(sorted);
		return SCRUB_ENOMEM;
	}
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; i < m->n; i++) {
		m->keys[i] = f->kids[2 * i];
		m->items[i] = f->kids[2 * i + 1];
		sorted[i] = m->keys[i];
		if (m->keys[i]->type != YNODE_SCALAR && err == SCRUB_OK) {
			yaml_mark_t mk = {0, m->keys[i]->line - 1,
					  m->keys[i]->column - 1};
			err = b_error(b, mk, "mapping keys must be scalars");
		}
	}
	if (err == SCRUB_OK && m->n > 1) {
		qsort(sorted, m->n, sizeof(*sorted), key_cmp);
		for (size_t i = 1; i < m->n && err == SCRUB_OK; i++) {
			if (sorted[i]->len != sorted[i - 1]->len ||
			    memcmp(sorted[i]->str, sorted[i - 1]->str,
				   sorted[i]->len) != 0)
				continue;
			yaml_mark_t mk = {0, sorted[i]->line - 1,
					  sorted[i]->column - 1};
			char q[80];
			ynode_quote(sorted[i], q, sizeof(q));
			char msg[128];
			snprintf(msg, sizeof(msg), "duplicate key %s", q);
			err = b_error(b, mk, msg);
		}
	}
	free(sorted);
	return err;
}

static enum scrub_err
b_close(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];
	enum scrub_err err = SCRUB_OK;
	struct ynode *n = f->node;

	if (n->type == YNODE_MAP) {
		err = b_close_map(b, f);
	} else {
		n->n = f->n;
		n->items =
			arena_calloc(b->a, n->n ? n->n : 1, sizeof(*n->items));
		if (!n->items)
			err = SCRUB_ENOMEM;
		else if (n->n)
			memcpy(n->items, f->kids, n->n * sizeof(*n->items));
	}
	free(f->kids);
	f->kids = NULL;
	if (err != SCRUB_OK)
		return err;
	return b_attach(b, n);
}

static enum scrub_err
b_check_props(struct builder *b, const yaml_event_t *ev,
	      const yaml_char_t *anchor, const yaml_char_t *tag, int implicit)
{
	if (anchor)
		return b_error(b, ev->start_mark, "anchors are not allowed");
	if (tag && !implicit)
		return b_error(b, ev->start_mark,
			       "explicit tags are not allowed");
	if (++b->nodes > YNODE_MAX_NODES)
		return b_error(b, ev->start_mark, "too many nodes in document");
	return SCRUB_OK;
}

static enum scrub_err
b_open(struct builder *b, const yaml_event_t *ev, enum ynode_type t)
{
	const yaml_char_t *anchor, *tag;
	int implicit;
	bool flow;
	if (t == YNODE_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		implicit = ev->data.mapping_start.implicit;
		flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		implicit = ev->data.sequence_start.implicit;
		flow = ev->data.sequence_start.style ==
		       YAML_FLOW_SEQUENCE_STYLE;
	}
	enum scrub_err err = b_check_props(b, ev, anchor, tag, implicit);
	if (err != SCRUB_OK)
		return err;
	if (b->depth >= YNODE_MAX_DEPTH)
		return b_error(b, ev->start_mark, "nesting too deep");
	struct ynode *n = b_node(b, t, ev->start_mark);
	if (!n)
		return SCRUB_ENOMEM;
	n->flow = flow;
	struct frame *f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	return SCRUB_OK;
}

static enum scrub_err
b_scalar(struct builder *b, const yaml_event_t *ev)
{
	const int implicit = ev->data.scalar.plain_implicit ||
			     ev->data.scalar.quoted_implicit;
	enum scrub_err err = b_check_props(b, ev, ev->data.scalar.anchor,
					   ev->data.scalar.tag, implicit);
	if (err != SCRUB_OK)
		return err;
	struct ynode *n = b_node(b, YNODE_SCALAR, ev->start_mark);
	if (!n)
		return SCRUB_ENOMEM;
	n->len = ev->data.scalar.length;
	n->str = arena_strndup(b->a, (const char *)ev->data.scalar.value,
			       n->len);
	if (!n->str)
		return SCRUB_ENOMEM;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return b_attach(b, n);
}

/* Handles one event; *done set at the end of a document. */
static enum scrub_err
b_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return b_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return b_open(b, ev, YNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return b_open(b, ev, YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return b_close(b);
	case YAML_ALIAS_EVENT:
		return b_error(b, ev->start_mark, "aliases are not allowed");
	default:
		return SCRUB_OK;
	}
}

static void
b_reset(struct builder *b)
{
	while (b->depth > 0)
		free(b->stack[--b->depth].kids);
	b->root = NULL;
	b->nodes = 0;
}

struct docvec {
	struct ynode **docs;
	size_t n, cap;
};

static enum scrub_err
docvec_push(struct docvec *v, struct ynode *d)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		struct ynode **docs = realloc(v->docs, cap * sizeof(*docs));
		if (!docs)
			return SCRUB_ENOMEM;
		v->docs = docs;
		v->cap = cap;
	}
	v->docs[v->n++] = d;
	return SCRUB_OK;
}

/* Line and column (0-based) of byte offset off in buf. */
static yaml_mark_t
offset_mark(const char *buf, size_t len, size_t off)
{
	yaml_mark_t m = {off, 0, 0};
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static enum scrub_err
parser_error(struct builder *b, const yaml_parser_t *p, const char *buf,
	     size_t len)
{
	char msg[256];
	const char *what = p->problem ? p->problem : "malformed YAML";
	yaml_mark_t m = p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR)
		return SCRUB_ENOMEM;
	/* the reader reports an offset, not a mark */
	if (p->error == YAML_READER_ERROR)
		m = offset_mark(buf, len, p->problem_offset);
	if (p->context)
		snprintf(msg, sizeof(msg), "%s %s that started at %zu:%zu",
			 what, p->context, p->context_mark.line + 1,
			 p->context_mark.column + 1);
	else
		snprintf(msg, sizeof(msg), "%s", what);
	return b_error(b, m, msg);
}

/* Runs the parser to the end or the first error, collecting documents. */
static enum scrub_err
b_run(struct builder *b, yaml_parser_t *p, struct docvec *v, const char *buf,
      size_t len)
{
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(p, &ev))
			return parser_error(b, p, buf, len);
		enum scrub_err err = b_event(b, &ev);
		yaml_event_type_t type = ev.type;
		yaml_event_delete(&ev);
		if (err != SCRUB_OK)
			return err;
		if (type == YAML_DOCUMENT_END_EVENT) {
			if (b->root &&
			    (err = docvec_push(v, b->root)) != SCRUB_OK)
				return err;
			b_reset(b);
		}
		if (type == YAML_STREAM_END_EVENT)
			return SCRUB_OK;
	}
}

enum scrub_err
ynode_parse(struct arena *a, const char *file, const char *buf, size_t len,
	    struct ynode ***docs, size_t *ndocs, struct diag_list *dl)
{
	struct builder b = {.a = a, .dl = dl};
	struct docvec v = {0};
	yaml_parser_t p;

	*docs = NULL;
	*ndocs = 0;
	b.file = arena_strdup(a, file);
	if (!b.file)
		return SCRUB_ENOMEM;
	if (!yaml_parser_initialize(&p))
		return SCRUB_ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	enum scrub_err err = b_run(&b, &p, &v, buf, len);
	yaml_parser_delete(&p);
	b_reset(&b);
	if (v.n) {
		*docs = arena_calloc(a, v.n, sizeof(**docs));
		if (!*docs) {
			free(v.docs);
			return SCRUB_ENOMEM;
		}
		memcpy(*docs, v.docs, v.n * sizeof(**docs));
		*ndocs = v.n;
	}
	free(v.docs);
	return err;
}

bool
ynode_is_null(const struct ynode *n)
{
	return n->type == YNODE_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->str, "~") == 0 ||
		strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
		strcmp(n->str, "NULL") == 0);
}

void
ynode_quote(const struct ynode *n, char *buf, size_t size)
{
	size_t o = 0;
	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return;
	}
	if (n->type != YNODE_SCALAR) {
		snprintf(buf, size, "%s", ynode_type_name(n->type));
		return;
	}
	buf[o++] = '\'';
	for (size_t i = 0; i < n->len; i++) {
		unsigned char ch = (unsigned char)n->str[i];
		if (o + 8 >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ch < 0x20 || ch == 0x7F || ch >= 0x80 || ch == '\'')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

const char *
ynode_type_name(enum ynode_type t)
{
	switch (t) {
	case YNODE_SCALAR:
		return "a scalar";
	case YNODE_SEQ:
		return "a sequence";
	case YNODE_MAP:
		return "a mapping";
	}
	return "a node";
}

enum scrub_err
ynode_error(struct yctx *c, const struct ynode *n, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_add(c->dl, n->file, n->line, n->column, "%s", msg) != SCRUB_OK)
		return SCRUB_ENOMEM;
	return SCRUB_EINPUT;
}

enum scrub_err
ynode_want(struct yctx *c, const struct ynode *n, enum ynode_type t,
	   const char *what)
{
	if (n->type == t)
		return SCRUB_OK;
	return ynode_error(c, n, "'%s' must be %s, not %s", what,
			   ynode_type_name(t), ynode_type_name(n->type));
}

enum scrub_err
ynode_str(struct yctx *c, const struct ynode *n, const char *what,
	  size_t maxlen, const char **out)
{
	enum scrub_err err = ynode_want(c, n, YNODE_SCALAR, what);
	if (err != SCRUB_OK)
		return err;
	if (ynode_is_null(n) || n->len == 0)
		return ynode_error(c, n, "'%s' must not be empty", what);
	if (n->len > maxlen)
		return ynode_error(c, n,
				   "'%s' is too long (%zu bytes, at most %zu)",
				   what, n->len, maxlen);
	for (size_t i = 0; i < n->len; i++) {
		unsigned char ch = (unsigned char)n->str[i];
		if (ch < 0x20 || ch == 0x7F)
			return ynode_error(c, n,
					   "'%s' contains a control character",
					   what);
	}
	*out = n->str;
	return SCRUB_OK;
}

enum scrub_err
ynode_int(struct yctx *c, const struct ynode *n, const char *what, long min,
	  long max, long *out)
{
	char q[64];
	if (n->type != YNODE_SCALAR || !n->plain)
		goto bad;
	const char *s = n->str;
	size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
	if (n->len <= i || n->len > 24)
		goto bad;
	for (size_t k = i; k < n->len; k++)
		if (!isdigit((unsigned char)s[k]))
			goto bad;
	errno = 0;
	long v = strtol(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max)
		goto bad;
	*out = v;
	return SCRUB_OK;
bad:
	ynode_quote(n, q, sizeof(q));
	return ynode_error(c, n,
			   "'%s' must be an integer from %ld to %ld, not %s",
			   what, min, max, q);
}

enum scrub_err
ynode_bool(struct yctx *c, const struct ynode *n, const char *what, bool *out)
{
	if (n->type == YNODE_SCALAR && n->plain) {
		if (strcmp(n->str, "true") == 0) {
			*out = true;
			return SCRUB_OK;
		}
		if (strcmp(n->str, "false") == 0) {
			*out = false;
			return SCRUB_OK;
		}
	}
	char q[64];
	ynode_quote(n, q, sizeof(q));
	return ynode_error(c, n, "'%s' must be true or false, not %s", what, q);
}

enum scrub_err
ynode_enum(struct yctx *c, const struct ynode *n, const char *what,
	   const char *const names[], int *out)
{
	if (n->type == YNODE_SCALAR) {
		for (int i = 0; names[i]; i++) {
			if (strcmp(n->str, names[i]) == 0 &&
			    strlen(names[i]) == n->len) {
				*out = i;
				return SCRUB_OK;
			}
		}
	}
	char q[64], list[256];
	size_t o = 0;
	list[0] = '\0';
	for (int i = 0; names[i] && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
				      i ? ", " : "", names[i]);
	ynode_quote(n, q, sizeof(q));
	return ynode_error(c, n, "'%s' must be one of %s, not %s", what, list,
			   q);
}

static const struct ykey *
ykey_find(const struct ykey *keys, const struct ynode *k)
{
	for (const struct ykey *r = keys; r->name; r++)
		if (strlen(r->name) == k->len &&
		    memcmp(r->name, k->str, k->len) == 0)
			return r;
	return NULL;
}

enum scrub_err
ymap_walk(struct yctx *c, const struct ynode *map, const char *what,
	  const struct ykey *keys, void *obj)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, what);
	if (err != SCRUB_OK)
		return err;
	for (size_t i = 0; i < map->n; i++) {
		const struct ykey *r = ykey_find(keys, map->keys[i]);
		enum scrub_err e;
		if (!r) {
			char q[80];
			ynode_quote(map->keys[i], q, sizeof(q));
			e = ynode_error(c, map->keys[i], "unknown key %s in %s",
					q, what);
		} else {
			e = r->set(c, map->items[i], obj);
		}
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	for (const struct ykey *r = keys; r->name; r++) {
		if (!r->required || ymap_get(map, r->name))
			continue;
		enum scrub_err e =
			ynode_error(c, map, "%s is missing required key '%s'",
				    what, r->name);
		if (e == SCRUB_ENOMEM)
			return e;
		err = e;
	}
	return err;
}

const struct ynode *
ymap_get(const struct ynode *map, const char *name)
{
	if (map->type != YNODE_MAP)
		return NULL;
	size_t len = strlen(name);
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == len &&
		    memcmp(map->keys[i]->str, name, len) == 0)
			return map->items[i];
	return NULL;
}

/*
 * strbuf — a growable byte buffer, always NUL-terminated, for building
 * output (JSON, text).  Once an append fails the buffer is marked failed and
 * every later append is a no-op, so callers check once at the end.
 */
#ifndef SCRUBBER_STRBUF_H
#define SCRUBBER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *data; /* owned; NULL until the first append */
	size_t len, cap;
	bool failed; /* an allocation failed */
};

#define STRBUF_INIT \
	{ \
		NULL, 0, 0, false \
	}

void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb); /* len = 0, keeps the memory */
void strbuf__append_slow(struct strbuf *sb, const char *s, size_t len);

/* Appends len bytes.  Inline, so that an append of a literal compiles to a
 * few moves when there is room: the JSON writer makes dozens per claim. */
static inline void
strbuf_append(struct strbuf *sb, const char *s, size_t len)
{
	if (!sb->failed && len < sb->cap - sb->len) {
		memcpy(sb->data + sb->len, s, len);
		sb->len += len;
		sb->data[sb->len] = '\0';
		return;
	}
	strbuf__append_slow(sb, s, len);
}

void strbuf_puts(struct strbuf *sb, const char *s);
/* A string literal, its length known at compile time. */
#define strbuf_lit(sb, lit) strbuf_append((sb), "" lit, sizeof(lit) - 1)
static inline void
strbuf_putc(struct strbuf *sb, char c)
{
	strbuf_append(sb, &c, 1);
}
/* A decimal integer, without printf. */
void strbuf_putl(struct strbuf *sb, long v);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included; invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON. */
void strbuf_json_str(struct strbuf *sb, const char *s);
/* The contents ("" when empty); valid until the next append. */
const char *strbuf_str(const struct strbuf *sb);

#endif

/*
 * strbuf — growable output buffer; see strbuf.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

void
strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
	sb->failed = false;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
	sb->failed = false;
}

static bool
strbuf_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->failed)
		return false;
	if (extra > SIZE_MAX / 2 - sb->len) {
		sb->failed = true;
		return false;
	}
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	char *data = realloc(sb->data, cap);
	if (!data) {
		sb->failed = true;
		return false;
	}
	sb->data = data;
	sb->cap = cap;
	return true;
}

/* strbuf_append when the bytes do not fit: grow, or fail for good. */
void
strbuf__append_slow(struct strbuf *sb, const char *s, size_t len)
{
	if (!strbuf_reserve(sb, len))
		return;
	memcpy(sb->data + sb->len, s, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
}

void
strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

void
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		strbuf_append(sb, small, (size_t)n);
		return;
	}
	if (!strbuf_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* 1 for the ASCII bytes a JSON string holds as they are: 0x20-0x7E but the
 * quote and the backslash (a table: this loop sees every output byte). */
static const unsigned char json_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Writes the escape for the byte at *sp that cannot be copied as it is
 * (a quote, a backslash, a control byte or invalid UTF-8) and steps past. */
static void
json_escape_one(struct strbuf *sb, const unsigned char **sp)
{
	const unsigned char *s = *sp;
	if (*s == '"' || *s == '\\') {
		char esc[2] = {'\\', (char)*s};
		strbuf_append(sb, esc, 2);
	} else if (*s < 0x20 || *s == 0x7F) {
		strbuf_printf(sb, "\\u%04x", *s);
	} else {
		strbuf_append(sb, "\\ufffd", 6); /* invalid UTF-8 */
	}
	*sp = s + 1;
}

void
strbuf_json_str(struct strbuf *sb, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	strbuf_putc(sb, '"');
	while (*s) {
		/* copy a run of bytes that need no escape in one append */
		const unsigned char *run = s;
		for (;;) {
			size_t n;
			unsigned cp;
			if (json_plain[*s])
				s++;
			else if (*s >= 0x80 &&
				 (n = utf8_decode((const char *)s, &cp)) > 0)
				s += n;
			else
				break;
		}
		if (s > run)
			strbuf_append(sb, (const char *)run, (size_t)(s - run));
		if (*s)
			json_escape_one(sb, &s);
	}
	strbuf_putc(sb, '"');
}

void
strbuf_putl(struct strbuf *sb, long v)
{
	char buf[24], *p = buf + sizeof(buf);
	/* unsigned arithmetic: -LONG_MIN does not overflow */
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	strbuf_append(sb, p, (size_t)(buf + sizeof(buf) - p));
}

const char *
strbuf_str(const struct strbuf *sb)
{
	return sb->data ? sb->data : "";
}

/*
 * termsafe — the CLI's one escaper for untrusted text; see termsafe.h.
 *
 * Invariant: what it writes is printable ASCII and well-formed UTF-8 free
 * of C1 and bidi controls, so escaping it again changes nothing.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "cli/termsafe.h"
#include "scrubber/utf8.h"

/* The invisible controls that reorder text: ALM, LRM, RLM, the embeddings
 * and overrides LRE…RLO with PDF, the isolates LRI…PDI (Unicode UAX #9;
 * CVE-2021-42574 "Trojan Source"). */
static bool
is_bidi(unsigned cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* "\x1b" (kind 'x', 2 digits) or "\u202e" (kind 'u', 4 digits) into esc. */
static void
escape_hex(char esc[TERMSAFE_ESC_MAX], char kind, unsigned v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	*esc++ = '\\';
	*esc++ = kind;
	for (int i = digits - 1; i >= 0; i--)
		*esc++ = hex[(v >> (4 * i)) & 0xF];
	*esc = '\0';
}

size_t
termsafe_next(const char *s, char esc[TERMSAFE_ESC_MAX])
{
	unsigned cp;
	size_t len = utf8_decode(s, &cp);
	esc[0] = '\0';
	if (len == 0) /* bad UTF-8: the byte */
		escape_hex(esc, 'x', (unsigned char)*s, 2);
	else if (cp < 0x20 || cp == 0x7F)
		escape_hex(esc, 'x', cp, 2);
	else if ((cp >= 0x80 && cp <= 0x9F) || is_bidi(cp))
		escape_hex(esc, 'u', cp, 4);
	return len ? len : 1;
}

void
termsafe_put(FILE *out, const char *s)
{
	termsafe_put_cols(out, s, -1, 0);
}

void
termsafe_put_cols(FILE *out, const char *s, int max, int pad)
{
	char esc[TERMSAFE_ESC_MAX];
	int col = 0;
	while (*s) {
		size_t n = termsafe_next(s, esc);
		int w = *esc ? (int)strlen(esc) : 1;
		if (max >= 0 && col + w > max)
			break;
		if (*esc)
			fputs(esc, out);
		else
			fwrite(s, 1, n, out);
		col += w;
		s += n;
	}
	for (; col < pad; col++)
		fputc(' ', out);
}

char *
termsafe_copy(char *buf, size_t size, const char *s)
{
	char esc[TERMSAFE_ESC_MAX];
	size_t o = 0;
	while (*s) {
		size_t n = termsafe_next(s, esc);
		const char *piece = *esc ? esc : s;
		size_t w = *esc ? strlen(esc) : n;
		if (o + w >= size)
			break;
		memcpy(buf + o, piece, w);
		o += w;
		s += n;
	}
	buf[o] = '\0';
	return buf;
}

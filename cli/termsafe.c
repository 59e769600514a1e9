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

/* The well-formed UTF-8 sequences of RFC 3629, section 4: by lead byte,
 * the length and the range of the second byte (which rules out overlong
 * forms, surrogates and code points over U+10FFFF). */
static const struct {
	unsigned char lead_lo, lead_hi, second_lo, second_hi;
	size_t len;
} utf8_forms[] = {
	{0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
	{0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3},
	{0xEE, 0xEF, 0x80, 0xBF, 3}, {0xF0, 0xF0, 0x90, 0xBF, 4},
	{0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
};

/* The length of the well-formed sequence at s (a byte >= 0x80) and its code
 * point in *cp; 0 when there is none.  Stops at the first byte that does
 * not fit, so never reads past a NUL. */
static size_t
utf8_decode(const unsigned char *s, unsigned *cp)
{
	for (size_t f = 0; f < sizeof(utf8_forms) / sizeof(utf8_forms[0]);
	     f++) {
		size_t len = utf8_forms[f].len;
		if (s[0] < utf8_forms[f].lead_lo ||
		    s[0] > utf8_forms[f].lead_hi)
			continue;
		if (s[1] < utf8_forms[f].second_lo ||
		    s[1] > utf8_forms[f].second_hi)
			return 0;
		for (size_t k = 2; k < len; k++)
			if ((s[k] & 0xC0) != 0x80)
				return 0;
		*cp = s[0] & (0x7Fu >> len);
		for (size_t k = 1; k < len; k++)
			*cp = *cp << 6 | (s[k] & 0x3Fu);
		return len;
	}
	return 0;
}

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
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;
	esc[0] = '\0';
	if (u[0] < 0x80) {
		if (u[0] < 0x20 || u[0] == 0x7F)
			escape_hex(esc, 'x', u[0], 2);
		return 1;
	}
	size_t len = utf8_decode(u, &cp);
	if (len == 0) {
		escape_hex(esc, 'x', u[0], 2);
		return 1;
	}
	if (cp <= 0x9F || is_bidi(cp))
		escape_hex(esc, 'u', cp, 4);
	return len;
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

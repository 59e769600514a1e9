/*
 * utf8 — the UTF-8 decoder; see utf8.h.
 */
#include "config.h"

#include "utf8.h"

/* The well-formed multi-byte sequences of RFC 3629, section 4: by lead
 * byte, the length and the range of the second byte (which rules out
 * overlong forms, surrogates and code points over U+10FFFF). */
static const struct {
	unsigned char lead_lo, lead_hi, second_lo, second_hi;
	size_t len;
} forms[] = {
	{0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
	{0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3},
	{0xEE, 0xEF, 0x80, 0xBF, 3}, {0xF0, 0xF0, 0x90, 0xBF, 4},
	{0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
};

size_t
utf8_decode(const char *str, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		size_t len = forms[f].len;
		if (s[0] < forms[f].lead_lo || s[0] > forms[f].lead_hi)
			continue;
		if (s[1] < forms[f].second_lo || s[1] > forms[f].second_hi)
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

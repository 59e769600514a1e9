/*
 * test_strbuf — the output buffer (scrubber/strbuf.h): JSON string escaping,
 * which copies runs of plain bytes at once and must still escape every byte
 * that needs it, integers without printf, and the failed-stays-failed rule.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "scrubber/strbuf.h"

static void
assert_json(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_json_str(&sb, in);
	cr_assert_not(sb.failed);
	cr_assert_str_eq(strbuf_str(&sb), want, "json of %s", in);
	cr_assert_eq(sb.len, strlen(want));
	strbuf_free(&sb);
}

Test(strbuf, json_plain_text_is_copied)
{
	assert_json("", "\"\"");
	assert_json("96365", "\"96365\"");
	assert_json("line 2 bills 96365 x1", "\"line 2 bills 96365 x1\"");
}

Test(strbuf, json_escapes_quotes_backslashes_and_controls)
{
	assert_json("a\"b", "\"a\\\"b\"");
	assert_json("\\", "\"\\\\\"");
	assert_json("x\ny", "\"x\\u000ay\"");
	assert_json("\t\x01\x1f", "\"\\u0009\\u0001\\u001f\"");
	assert_json("del\x7f", "\"del\\u007f\"");
	assert_json("'); DROP TABLE x; --", "\"'); DROP TABLE x; --\"");
	assert_json("%s%n", "\"%s%n\"");
}

Test(strbuf, json_keeps_valid_utf8_and_replaces_invalid_bytes)
{
	assert_json("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	assert_json("\xe2\x82\xac 5", "\"\xe2\x82\xac 5\"");
	assert_json("\xf0\x9f\x92\x89", "\"\xf0\x9f\x92\x89\"");
	/* a lone continuation byte, a truncated sequence, an overlong NUL, a
	 * surrogate, and 0xFF: each byte that is not valid becomes U+FFFD */
	assert_json("a\x80z", "\"a\\ufffdz\"");
	assert_json("\xc3", "\"\\ufffd\"");
	assert_json("\xc0\x80", "\"\\ufffd\\ufffd\"");
	assert_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	assert_json("\xff\"", "\"\\ufffd\\\"\"");
}

Test(strbuf, json_of_a_long_string_grows_the_buffer)
{
	static char in[100000];
	memset(in, 'a', sizeof(in) - 1);
	in[5000] = '"';
	struct strbuf sb = STRBUF_INIT;
	strbuf_json_str(&sb, in);
	cr_assert_eq(sb.len, sizeof(in) - 1 + 2 + 1);
	cr_assert_eq(strbuf_str(&sb)[5001], '\\');
	cr_assert_eq(strbuf_str(&sb)[sb.len], '\0');
	strbuf_free(&sb);
}

Test(strbuf, putl_matches_printf)
{
	long v[] = {0, 7, -7, 10, 999, -1000, 123456789, LONG_MAX, LONG_MIN};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		char want[32];
		snprintf(want, sizeof(want), "%ld", v[i]);
		strbuf_putl(&sb, v[i]);
		cr_assert_str_eq(strbuf_str(&sb), want);
		strbuf_free(&sb);
	}
}

Test(strbuf, literals_and_chars_append)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_lit(&sb, "{\"a\":");
	strbuf_putc(&sb, '1');
	strbuf_putc(&sb, '}');
	cr_assert_str_eq(strbuf_str(&sb), "{\"a\":1}");
	strbuf_reset(&sb);
	cr_assert_str_eq(strbuf_str(&sb), "");
	for (int i = 0; i < 1000; i++) /* crosses several regrowths */
		strbuf_putc(&sb, 'x');
	cr_assert_eq(sb.len, 1000);
	cr_assert_eq(strlen(strbuf_str(&sb)), 1000);
	strbuf_free(&sb);
}

Test(strbuf, a_failed_buffer_ignores_later_appends)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "ok");
	size_t len = sb.len;
	sb.failed = true; /* as after an allocation failure */
	strbuf_puts(&sb, "more");
	strbuf_putc(&sb, 'c');
	strbuf_putl(&sb, 42);
	strbuf_json_str(&sb, "s");
	cr_assert_eq(sb.len, len);
	cr_assert_str_eq(strbuf_str(&sb), "ok");
	strbuf_free(&sb);
}

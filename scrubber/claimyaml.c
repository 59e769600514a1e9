/*
 * claimyaml — the claim model back into a YAML claim document; see
 * claimyaml.h.
 *
 * The same choices as claimjson.c, for the same reasons: the route is
 * always written (hydration included), flags only when true, the site only
 * when documented, times as written; which key is written when, and in
 * which order, is the field table's.  Strings are always double-quoted
 * rather than quoted "when needed": deciding what a YAML 1.1 or 1.2 reader
 * might take for a number, a date, a boolean, null or structure is a list
 * that is easy to get wrong, and a quoted string is read the same by all.
 */
#include "config.h"

#include "claimyaml.h"

#include <string.h>

#include "claimfield.h"
#include "utf8.h"

/* True for a code point that cannot stand as it is inside double quotes:
 * the quote and backslash; what libyaml's reader refuses (C0 but for tab
 * and newlines, DEL, C1, U+FFFE/F); and what its scanner takes for a line
 * break and would fold into a space (NEL U+0085, U+2028, U+2029) or for a
 * byte order mark (U+FEFF).  Tab and newlines are escaped too: a string
 * stays on its line. */
static bool
needs_escape(unsigned cp)
{
	return cp < 0x20 || cp == '"' || cp == '\\' ||
	       (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF;
}

static void
put_escape(struct strbuf *out, unsigned cp)
{
	if (cp == '"' || cp == '\\') {
		char esc[2] = {'\\', (char)cp};
		strbuf_append(out, esc, 2);
	} else if (cp < 0x100) {
		strbuf_printf(out, "\\x%02X", cp);
	} else {
		strbuf_printf(out, "\\u%04X", cp);
	}
}

void
claimyaml_str(struct strbuf *out, const char *s)
{
	strbuf_putc(out, '"');
	while (*s) {
		/* copy a run of characters that need no escape in one append */
		const char *run = s;
		unsigned cp = 0;
		size_t n = 0;
		while (*s && (n = utf8_decode(s, &cp)) > 0 && !needs_escape(cp))
			s += n;
		if (s > run)
			strbuf_append(out, run, (size_t)(s - run));
		if (!*s)
			break;
		/* a byte that starts no well-formed sequence: U+FFFD */
		put_escape(out, n ? cp : 0xFFFD);
		s += n ? n : 1;
	}
	strbuf_putc(out, '"');
}

static void write_item(enum claimfield_level level, const void *obj,
		       const char *first, const char *more, struct strbuf *out);

/* The items of list field f at obj, each a block mapping after "  - ". */
static void
write_list(const struct claim_field *f, const void *obj, struct strbuf *out)
{
	const char *items;
	size_t n;
	memcpy(&items, (const char *)obj + f->offset, sizeof(items));
	memcpy(&n, (const char *)obj + f->present, sizeof(n));
	strbuf_puts(out, n ? ":\n" : ": []\n");
	for (size_t i = 0; i < n; i++)
		write_item(f->child, items + i * f->size, "  - ", "    ", out);
}

/* The codes of field f at obj, as a flow sequence of quoted strings. */
static void
write_codes(const struct claim_field *f, const void *obj, struct strbuf *out)
{
	const char *const *codes = claimfield_at(f, obj);
	int n;
	memcpy(&n, (const char *)obj + f->present, sizeof(n));
	strbuf_lit(out, ": [");
	for (int i = 0; i < n; i++) {
		strbuf_puts(out, i ? ", " : "");
		claimyaml_str(out, codes[i]);
	}
	strbuf_lit(out, "]\n");
}

/* Appends PREFIXkey: value and a newline for field f of obj, or nothing
 * when the model holds its absence.  Keywords of the format (enum names,
 * true) and numbers are plain, every other string double-quoted. */
static void
write_field(const struct claim_field *f, const void *obj, const char *prefix,
	    struct strbuf *out)
{
	char text[16];
	strbuf_puts(out, prefix);
	strbuf_puts(out, f->key);
	if (f->type == CF_LIST) {
		write_list(f, obj, out);
		return;
	}
	if (f->type == CF_CODES) {
		write_codes(f, obj, out);
		return;
	}
	strbuf_lit(out, ": ");
	if (f->type == CF_INT)
		strbuf_putl(out, *(const int *)claimfield_at(f, obj));
	else if (f->type == CF_BOOL)
		strbuf_lit(out, "true");
	else if (f->type == CF_ENUM)
		strbuf_puts(out, claimfield_text(f, obj, text, sizeof(text)));
	else
		claimyaml_str(out, claimfield_text(f, obj, text, sizeof(text)));
	strbuf_putc(out, '\n');
}

/* The fields of level at obj: the first written after first (a list
 * item's "  - "), the others after more. */
static void
write_item(enum claimfield_level level, const void *obj, const char *first,
	   const char *more, struct strbuf *out)
{
	const char *prefix = first;
	for (const struct claim_field *f = claim_fields; f->key; f++) {
		if (f->level != level || !claimfield_written(f, obj))
			continue;
		write_field(f, obj, prefix, out);
		prefix = more;
	}
}

void
claimyaml_write(const struct claim *c, struct strbuf *out)
{
	write_item(CF_CLAIM, c, "", "", out);
}

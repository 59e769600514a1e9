/*
 * claimyaml — the claim model back into a YAML claim document; see
 * claimyaml.h.
 *
 * The same choices as claimjson.c, for the same reasons: the route is
 * always written (hydration included), flags only when true, the site only
 * when documented, times as written.  Strings are always double-quoted
 * rather than quoted "when needed": deciding what a YAML 1.1 or 1.2 reader
 * might take for a number, a date, a boolean, null or structure is a list
 * that is easy to get wrong, and a quoted string is read the same by all.
 */
#include "config.h"

#include "claimyaml.h"
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

/* Appends PREFIXkey: "value" and a newline — or nothing when value is NULL. */
static void
opt_str(struct strbuf *out, const char *prefix, const char *key,
	const char *value)
{
	if (!value)
		return;
	strbuf_puts(out, prefix);
	strbuf_puts(out, key);
	strbuf_lit(out, ": ");
	claimyaml_str(out, value);
	strbuf_putc(out, '\n');
}

/* A keyword of the format (an enum name): plain, it is never misread. */
static void
keyword(struct strbuf *out, const char *prefix, const char *key,
	const char *value)
{
	strbuf_printf(out, "%s%s: %s\n", prefix, key, value);
}

static void
write_line(const struct claim_line *l, struct strbuf *out)
{
	opt_str(out, "  - ", "code", l->code);
	strbuf_lit(out, "    units: ");
	strbuf_putl(out, l->units);
	strbuf_lit(out, "\n    modifiers: [");
	for (int i = 0; i < l->nmodifiers; i++) {
		strbuf_puts(out, i ? ", " : "");
		claimyaml_str(out, l->modifiers[i]);
	}
	strbuf_lit(out, "]\n");
}

static void
write_admin(const struct administration *a, struct strbuf *out)
{
	static const char more[] = "    ";
	opt_str(out, "  - ", "id", a->id);
	opt_str(out, more, "substance", a->substance);
	keyword(out, more, "kind", admin_kind_names[a->kind]);
	keyword(out, more, "route", admin_route_names[a->route]);
	opt_str(out, more, "site", a->site && *a->site ? a->site : NULL);
	/* a time is kept as written, even when unparseable (TIME_BAD) */
	opt_str(out, more, "start",
		a->start.state != TIME_ABSENT ? a->start.text : NULL);
	opt_str(out, more, "stop",
		a->stop.state != TIME_ABSENT ? a->stop.text : NULL);
	if (a->primary)
		keyword(out, more, "primary", "true");
	if (a->separate_site_required)
		keyword(out, more, "separate_site_required", "true");
}

void
claimyaml_write(const struct claim *c, struct strbuf *out)
{
	opt_str(out, "", "claim", c->ref);
	opt_str(out, "", "payer", c->payer);
	keyword(out, "", "setting", claim_setting_names[c->setting]);
	opt_str(out, "", "provider", c->provider);
	if (c->has_date_of_service) {
		char day[16];
		isotime_format_date(c->date_of_service, day, sizeof(day));
		opt_str(out, "", "date_of_service", day);
	}
	strbuf_puts(out, c->nlines ? "lines:\n" : "lines: []\n");
	for (size_t i = 0; i < c->nlines; i++)
		write_line(&c->lines[i], out);
	strbuf_puts(out, c->nadmins ? "administrations:\n"
				    : "administrations: []\n");
	for (size_t i = 0; i < c->nadmins; i++)
		write_admin(&c->admins[i], out);
}

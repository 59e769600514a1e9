/*
 * claimjson — the claim model back into a claim document; see claimjson.h.
 *
 * The route is always written, hydration included: the model cannot tell a
 * hydration whose route was left out from one documented as an infusion (it
 * holds ROUTE_INFUSION for both), and writing what the engine judged keeps
 * the stored claim scrubbing as `claimscrub check` scrubbed it.  Flags are
 * written only when true and the site only when documented, as claimdoc
 * reads their absence as false and "".  Which key is written when, and in
 * which order, is the field table's (claimfield_written).
 */
#include "config.h"

#include "claimjson.h"

#include <string.h>

#include "claimfield.h"

static void write_item(enum claimfield_level level, const void *obj,
		       struct strbuf *out);

/* The list of field f at obj: its items, each an object. */
static void
write_list(const struct claim_field *f, const void *obj, struct strbuf *out)
{
	const char *items;
	size_t n;
	memcpy(&items, (const char *)obj + f->offset, sizeof(items));
	memcpy(&n, (const char *)obj + f->present, sizeof(n));
	strbuf_putc(out, '[');
	for (size_t i = 0; i < n; i++) {
		strbuf_puts(out, i ? "," : "");
		write_item(f->child, items + i * f->size, out);
	}
	strbuf_putc(out, ']');
}

/* The codes of field f at obj, as an array of strings. */
static void
write_codes(const struct claim_field *f, const void *obj, struct strbuf *out)
{
	const char *const *codes =
		(const char *const *)(const void *)((const char *)obj +
						    f->offset);
	int n;
	memcpy(&n, (const char *)obj + f->present, sizeof(n));
	strbuf_putc(out, '[');
	for (int i = 0; i < n; i++) {
		strbuf_puts(out, i ? "," : "");
		strbuf_json_str(out, codes[i]);
	}
	strbuf_putc(out, ']');
}

/* Appends ,"key":value for field f of obj (no comma for the first key), or
 * nothing when the model holds its absence; see the top of the file. */
static void
write_field(const struct claim_field *f, const void *obj, bool *first,
	    struct strbuf *out)
{
	char text[16];
	if (!claimfield_written(f, obj))
		return;
	strbuf_puts(out, *first ? "\"" : ",\"");
	strbuf_puts(out, f->key);
	strbuf_puts(out, "\":");
	*first = false;
	if (f->type == CF_INT)
		strbuf_printf(out, "%d", *(const int *)claimfield_at(f, obj));
	else if (f->type == CF_BOOL)
		strbuf_puts(out, "true");
	else if (f->type == CF_CODES)
		write_codes(f, obj, out);
	else if (f->type == CF_LIST)
		write_list(f, obj, out);
	else
		strbuf_json_str(out,
				claimfield_text(f, obj, text, sizeof(text)));
}

static void
write_item(enum claimfield_level level, const void *obj, struct strbuf *out)
{
	bool first = true;
	strbuf_putc(out, '{');
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->level == level)
			write_field(f, obj, &first, out);
	strbuf_putc(out, '}');
}

void
claimjson_write(const struct claim *c, struct strbuf *out)
{
	write_item(CF_CLAIM, c, out);
}

/*
 * claimjson — the claim model back into a claim document; see claimjson.h.
 *
 * The route is always written, hydration included: the model cannot tell a
 * hydration whose route was left out from one documented as an infusion (it
 * holds ROUTE_INFUSION for both), and writing what the engine judged keeps
 * the stored claim scrubbing as `claimscrub check` scrubbed it.  Flags are
 * written only when true and the site only when documented, as claimdoc
 * reads their absence as false and "".
 */
#include "config.h"

#include "claimjson.h"

/* Appends ,"key":"value" — or nothing when value is NULL. */
static void
opt_str(struct strbuf *out, const char *key, const char *value)
{
	if (!value)
		return;
	strbuf_printf(out, ",\"%s\":", key);
	strbuf_json_str(out, value);
}

static void
write_line(const struct claim_line *l, struct strbuf *out)
{
	strbuf_puts(out, "{\"code\":");
	strbuf_json_str(out, l->code);
	strbuf_printf(out, ",\"units\":%d,\"modifiers\":[", l->units);
	for (int i = 0; i < l->nmodifiers; i++) {
		strbuf_puts(out, i ? "," : "");
		strbuf_json_str(out, l->modifiers[i]);
	}
	strbuf_puts(out, "]}");
}

static void
write_admin(const struct administration *a, struct strbuf *out)
{
	strbuf_puts(out, "{\"id\":");
	strbuf_json_str(out, a->id);
	opt_str(out, "substance", a->substance);
	opt_str(out, "kind", admin_kind_names[a->kind]);
	opt_str(out, "route", admin_route_names[a->route]);
	opt_str(out, "site", a->site && *a->site ? a->site : NULL);
	/* a time is kept as written, even when unparseable (TIME_BAD) */
	opt_str(out, "start",
		a->start.state != TIME_ABSENT ? a->start.text : NULL);
	opt_str(out, "stop",
		a->stop.state != TIME_ABSENT ? a->stop.text : NULL);
	if (a->primary)
		strbuf_puts(out, ",\"primary\":true");
	if (a->separate_site_required)
		strbuf_puts(out, ",\"separate_site_required\":true");
	strbuf_putc(out, '}');
}

void
claimjson_write(const struct claim *c, struct strbuf *out)
{
	strbuf_puts(out, "{\"claim\":");
	strbuf_json_str(out, c->ref);
	opt_str(out, "payer", c->payer);
	opt_str(out, "setting", claim_setting_names[c->setting]);
	opt_str(out, "provider", c->provider);
	if (c->has_date_of_service) {
		char day[16];
		isotime_format_date(c->date_of_service, day, sizeof(day));
		opt_str(out, "date_of_service", day);
	}
	strbuf_puts(out, ",\"lines\":[");
	for (size_t i = 0; i < c->nlines; i++) {
		strbuf_puts(out, i ? "," : "");
		write_line(&c->lines[i], out);
	}
	strbuf_puts(out, "],\"administrations\":[");
	for (size_t i = 0; i < c->nadmins; i++) {
		strbuf_puts(out, i ? "," : "");
		write_admin(&c->admins[i], out);
	}
	strbuf_puts(out, "]}");
}

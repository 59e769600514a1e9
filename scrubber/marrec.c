/*
 * marrec — the names of a MAR record's enums; see marrec.h.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "marrec.h"

const char *const mar_status_names[] = {
	[MAR_IN_PROGRESS] = "in-progress",
	[MAR_NOT_DONE] = "not-done",
	[MAR_ON_HOLD] = "on-hold",
	[MAR_COMPLETED] = "completed",
	[MAR_ENTERED_IN_ERROR] = "entered-in-error",
	[MAR_STOPPED] = "stopped",
	[MAR_UNKNOWN] = "unknown",
	NULL,
};

const char *const mar_system_names[] = {
	[MAR_RXNORM] = "rxnorm",
	[MAR_NDC] = "ndc",
	[MAR_HCPCS] = "hcpcs",
	[MAR_SNOMED] = "snomed",
	[MAR_V2_0162] = "v2-0162",
	[MAR_OTHER] = "other",
	NULL,
};

/* ,"key":"value" when value is set. */
static void
put_str(struct strbuf *sb, const char *key, const char *value)
{
	if (!value)
		return;
	strbuf_printf(sb, ",\"%s\":", key);
	strbuf_json_str(sb, value);
}

/* A time as written: the wall clock, then Z or its offset. */
static void
put_time(struct strbuf *sb, const char *key, const struct isotime *t)
{
	char buf[48];
	isotime_format(t, buf, sizeof(buf));
	strbuf_printf(sb, ",\"%s\":\"%s", key, buf);
	if (t->has_offset && t->offset == 0)
		strbuf_putc(sb, 'Z');
	else if (t->has_offset)
		strbuf_printf(sb, "%c%02d:%02d", t->offset < 0 ? '-' : '+',
			      abs(t->offset) / 60, abs(t->offset) % 60);
	strbuf_putc(sb, '"');
}

static void
put_code(struct strbuf *sb, const struct mar_code *c)
{
	strbuf_printf(sb, "{\"system\":\"%s\"", mar_system_names[c->system]);
	put_str(sb, "uri", c->uri);
	put_str(sb, "code", c->code);
	put_str(sb, "display", c->display);
	strbuf_putc(sb, '}');
}

void
marrec_json_write(const struct mar_record *r, struct strbuf *sb)
{
	strbuf_puts(sb, "{\"id\":");
	if (r->id)
		strbuf_json_str(sb, r->id);
	else
		strbuf_puts(sb, "null");
	put_str(sb, "encounter", r->encounter);
	put_str(sb, "group", r->group);
	put_str(sb, "status", mar_status_names[r->status]);
	if (r->has_start)
		put_time(sb, "start", &r->start);
	if (r->has_stop)
		put_time(sb, "stop", &r->stop);
	if (r->instant)
		strbuf_puts(sb, ",\"instant\":true");
	strbuf_puts(sb, ",\"drug\":[");
	for (size_t i = 0; i < r->ndrug; i++) {
		if (i)
			strbuf_putc(sb, ',');
		put_code(sb, &r->drug[i]);
	}
	strbuf_putc(sb, ']');
	put_str(sb, "drug_text", r->drug_text);
	if (r->has_route) {
		strbuf_puts(sb, ",\"route\":");
		put_code(sb, &r->route);
	}
	put_str(sb, "route_text", r->route_text);
	put_str(sb, "method_text", r->method_text);
	put_str(sb, "site", r->site);
	struct strbuf at = STRBUF_INIT;
	strbuf_printf(&at, "%s:%u:%u", r->file ? r->file : "", r->line,
		      r->column);
	strbuf_puts(sb, ",\"at\":");
	strbuf_json_str(sb, at.failed ? "" : strbuf_str(&at));
	strbuf_free(&at);
	strbuf_putc(sb, '}');
}

enum scrub_err
marrec_list_push(struct marrec_list *l, const struct mar_record *rec)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct mar_record *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return SCRUB_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *rec;
	return SCRUB_OK;
}

enum scrub_err
marrec_list_finish(struct marrec_list *l, struct arena *a,
		   struct mar_record **recs, size_t *n)
{
	enum scrub_err err = SCRUB_OK;
	if (l->n > 0) {
		*recs = arena_calloc(a, l->n, sizeof(**recs));
		if (*recs) {
			memcpy(*recs, l->v, l->n * sizeof(**recs));
			*n = l->n;
		} else {
			err = SCRUB_ENOMEM;
		}
	}
	free(l->v);
	*l = (struct marrec_list){0};
	return err;
}

/*
 * result — building results, rendering finding messages, and the result
 * JSON; see result.h.  Output order is fixed so the JSON is byte-identical
 * for the same input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "result_int.h"

const char *const verdict_names[] = {"clean", "flagged", "invalid", NULL};
const char *const suggest_action_names[] = {
	"none",		"replace",	   "set-units", "add",	  "remove",
	"add-modifier", "remove-modifier", "document",	"review", NULL,
};

struct result *
result__new(const struct claim *c, const struct ruleset *rs,
	    const char *profile)
{
	struct arena *a = arena_new();
	if (!a)
		return NULL;
	struct result *r = arena_alloc(a, sizeof(*r));
	/* room for every finding the engine can make: a few per line and per
	 * administration, plus the claim-level ones */
	size_t cap = 4 * (c->nlines + c->nadmins) + 16;
	if (r) {
		r->arena = a;
		r->claim = c;
		r->profile = profile;
		r->rules_version = rs->version;
		/* not zeroed: result__finding fills each one it hands out, and
		 * zeroing room for the worst case cost a quarter of a scrub */
		r->findings = arena_alloc_raw(a, cap * sizeof(*r->findings));
		r->codes =
			arena_calloc(a, 2 * c->nadmins + 4, sizeof(*r->codes));
		r->admins = arena_calloc(a, c->nadmins + 1, sizeof(*r->admins));
		r->unchecked = arena_calloc(a, c->nlines + 1, sizeof(int));
	}
	if (!r || !r->findings || !r->codes || !r->admins || !r->unchecked) {
		arena_free(a);
		return NULL;
	}
	for (size_t i = 0; i < c->nadmins; i++)
		r->admins[i] =
			(struct result_admin){.minutes = -1, .net_minutes = -1};
	return r;
}

void
result_free(struct result *r)
{
	if (r)
		arena_free(r->arena);
}

struct result_finding *
result__finding(struct result *r, const struct ruleset *rs, enum finding_id id,
		int line, int admin)
{
	size_t cap = 4 * (r->claim->nlines + r->claim->nadmins) + 16;
	if (!rs->findings[id].enabled || (size_t)r->nfindings >= cap)
		return NULL;
	struct result_finding *f = &r->findings[r->nfindings++];
	*f = (struct result_finding){.id = id,
				     .line = line,
				     .admin = admin,
				     .severity = rs->findings[id].severity};
	return f;
}

void
result__ev_int(struct result_finding *f, const char *key, long v)
{
	if (f && f->nevidence < RESULT_MAX_EVIDENCE)
		f->evidence[f->nevidence++] = (struct evidence){key, NULL, v};
}

void
result__ev_str(struct result_finding *f, const char *key, const char *s)
{
	if (f && s && f->nevidence < RESULT_MAX_EVIDENCE)
		f->evidence[f->nevidence++] = (struct evidence){key, s, 0};
}

struct suggest *
result__suggest(struct result_finding *f, enum suggest_action a,
		const char *code, int units, const char *modifier)
{
	if (!f)
		return NULL;
	f->suggest = (struct suggest){.action = a,
				      .code = code,
				      .units = units,
				      .modifier = modifier};
	return &f->suggest;
}

static bool
same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Adds admin to rc's ascending set.  The array grows by doubling, so a
 * code of 10,000 administrations costs O(n log n) to build, not the O(n^2)
 * time and memory of a copy per administration (issue 14, item 10). */
static enum scrub_err
code_add_admin(struct arena *a, struct result_code *rc, int admin)
{
	int lo = 0, hi = rc->nadmins;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (rc->admins[mid] < admin)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < rc->nadmins && rc->admins[lo] == admin)
		return SCRUB_OK;
	if (rc->nadmins == rc->cap) {
		int cap = rc->cap ? 2 * rc->cap : 4;
		int *v = arena_alloc_raw(a, (size_t)cap * sizeof(int));
		if (!v)
			return SCRUB_ENOMEM;
		if (rc->nadmins)
			memcpy(v, rc->admins,
			       (size_t)rc->nadmins * sizeof(int));
		rc->admins = v;
		rc->cap = cap;
	}
	memmove(rc->admins + lo + 1, rc->admins + lo,
		(size_t)(rc->nadmins - lo) * sizeof(int));
	rc->admins[lo] = admin;
	rc->nadmins++;
	return SCRUB_OK;
}

enum scrub_err
result__expect(struct result *r, const char *code, int units,
	       const char *modifier, bool initial, int admin)
{
	struct result_code *rc = NULL;
	for (int i = 0; i < r->ncodes && !rc; i++)
		if (strcmp(r->codes[i].code, code) == 0 &&
		    same_str(r->codes[i].modifier, modifier))
			rc = &r->codes[i];
	if (!rc) {
		if ((size_t)r->ncodes >= 2 * r->claim->nadmins + 4)
			return SCRUB_ELIMIT;
		rc = &r->codes[r->ncodes++];
		*rc = (struct result_code){.code = code, .modifier = modifier};
	}
	rc->units += units;
	rc->initial |= initial;
	return code_add_admin(r->arena, rc, admin);
}

/* ---- ordering ---------------------------------------------------------- */

/* initials without modifier, initials with one, then add-ons by code */
static int
code_class(const struct result_code *c)
{
	return c->initial ? (c->modifier ? 1 : 0) : 2;
}

static int
code_cmp(const void *pa, const void *pb)
{
	const struct result_code *a = pa, *b = pb;
	if (code_class(a) != code_class(b))
		return code_class(a) - code_class(b);
	int c = strcmp(a->code, b->code);
	if (c)
		return c;
	if (a->admins[0] != b->admins[0])
		return a->admins[0] - b->admins[0];
	return strcmp(a->modifier ? a->modifier : "",
		      b->modifier ? b->modifier : "");
}

/* Stable: findings of one severity keep the order the engine made them in. */
static void
sort_findings(struct result *r)
{
	for (int i = 1; i < r->nfindings; i++) {
		struct result_finding f = r->findings[i];
		int j = i;
		while (j > 0 && r->findings[j - 1].severity > f.severity) {
			r->findings[j] = r->findings[j - 1];
			j--;
		}
		r->findings[j] = f;
	}
}

/* ---- messages ---------------------------------------------------------- */

static void
render_code(struct strbuf *sb, const char *code, int units,
	    const char *const *mods, int nmods)
{
	strbuf_printf(sb, "%s x%d", code, units);
	for (int i = 0; i < nmods; i++)
		strbuf_printf(sb, "-%s", mods[i]);
}

/* The suggestion as a clause saying what the record supports. */
static void
render_suggest(const struct result *r, const struct result_finding *f,
	       struct strbuf *sb)
{
	const struct suggest *s = &f->suggest;
	const struct claim_line *l =
		f->line > 0 && (size_t)f->line <= r->claim->nlines
			? &r->claim->lines[f->line - 1]
			: NULL;
	bool whole = l && s->take >= l->units;
	switch (s->action) {
	case SUGGEST_REPLACE:
		strbuf_puts(sb, "the record supports ");
		render_code(sb, s->code, s->units, s->modifiers, s->nmodifiers);
		if (whole)
			strbuf_puts(sb, " here");
		else
			strbuf_printf(sb, " in place of %d of its units",
				      s->take);
		break;
	case SUGGEST_SET_UNITS:
		strbuf_printf(sb, "the record supports %s x%d on this line",
			      l ? l->code : "it", s->units);
		break;
	case SUGGEST_ADD:
		strbuf_puts(sb, "add ");
		render_code(sb, s->code, s->units, s->modifiers, s->nmodifiers);
		break;
	case SUGGEST_REMOVE:
		if (whole)
			strbuf_puts(sb, "the record supports none of it: "
					"remove the line");
		else
			strbuf_printf(sb,
				      "the record supports %d unit(s) fewer",
				      s->take);
		break;
	case SUGGEST_ADD_MODIFIER:
		strbuf_printf(sb, "add modifier %s", s->modifier);
		break;
	case SUGGEST_REMOVE_MODIFIER:
		strbuf_printf(sb, "remove modifier %s", s->modifier);
		break;
	case SUGGEST_DOCUMENT:
		strbuf_puts(sb, "complete the documentation");
		break;
	default:
		strbuf_puts(sb, "a person must decide");
	}
}

/* Appends the value of placeholder name (len bytes) for finding f. */
static void
render_var(const struct result *r, const struct result_finding *f,
	   const char *name, size_t len, struct strbuf *sb)
{
	const struct administration *a =
		f->admin >= 0 ? &r->claim->admins[f->admin] : NULL;
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (IS("line") && f->line) {
		strbuf_putl(sb, f->line);
		return;
	}
	if (IS("admin") && a) {
		strbuf_puts(sb, a->id);
		return;
	}
	if (IS("substance") && a) {
		strbuf_puts(sb, a->substance);
		return;
	}
	if (IS("suggest") && f->suggest.action != SUGGEST_NONE) {
		render_suggest(r, f, sb);
		return;
	}
#undef IS
	for (int i = 0; i < f->nevidence; i++) {
		const struct evidence *e = &f->evidence[i];
		if (strlen(e->key) != len || memcmp(e->key, name, len) != 0)
			continue;
		if (e->str)
			strbuf_puts(sb, e->str);
		else
			strbuf_putl(sb, e->ival);
		return;
	}
	strbuf_puts(sb, "?");
}

static const char *
render_message(struct result *r, const struct result_finding *f,
	       const char *tmpl)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = tmpl;
	while (*s) {
		const char *open = strchr(s, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!close) {
			strbuf_puts(&sb, s);
			break;
		}
		strbuf_append(&sb, s, (size_t)(open - s));
		render_var(r, f, open + 1, (size_t)(close - open - 1), &sb);
		s = close + 1;
	}
	const char *out =
		sb.failed ? NULL : arena_strdup(r->arena, strbuf_str(&sb));
	strbuf_free(&sb);
	return out;
}

enum scrub_err
result__finish(struct result *r, const struct ruleset *rs)
{
	qsort(r->codes, (size_t)r->ncodes, sizeof(*r->codes), code_cmp);
	sort_findings(r);
	bool flagged = false;
	for (int i = 0; i < r->nfindings; i++) {
		struct result_finding *f = &r->findings[i];
		f->message = render_message(r, f, rs->findings[f->id].message);
		if (!f->message)
			return SCRUB_ENOMEM;
		flagged |= f->severity != SEV_INFO;
	}
	if (r->verdict != VERDICT_INVALID)
		r->verdict = flagged ? VERDICT_FLAGGED : VERDICT_CLEAN;
	return SCRUB_OK;
}

/* ---- JSON ------------------------------------------------------------- */

static void
json_code(const struct result *r, const struct result_code *c,
	  struct strbuf *sb)
{
	strbuf_lit(sb, "{\"code\":");
	strbuf_json_str(sb, c->code);
	strbuf_lit(sb, ",\"units\":");
	strbuf_putl(sb, c->units);
	strbuf_lit(sb, ",\"modifiers\":[");
	if (c->modifier)
		strbuf_json_str(sb, c->modifier);
	strbuf_lit(sb, "],\"administrations\":[");
	for (int i = 0; i < c->nadmins; i++) {
		if (i)
			strbuf_putc(sb, ',');
		strbuf_json_str(sb, r->claim->admins[c->admins[i]].id);
	}
	strbuf_lit(sb, "]}");
}

static void
json_suggest(const struct suggest *s, struct strbuf *sb)
{
	if (s->action == SUGGEST_NONE) {
		strbuf_lit(sb, "null");
		return;
	}
	strbuf_lit(sb, "{\"action\":");
	strbuf_json_str(sb, suggest_action_names[s->action]);
	if (s->take) {
		strbuf_lit(sb, ",\"take\":");
		strbuf_putl(sb, s->take);
	}
	if (s->code) {
		strbuf_lit(sb, ",\"code\":");
		strbuf_json_str(sb, s->code);
	}
	if (s->units) {
		strbuf_lit(sb, ",\"units\":");
		strbuf_putl(sb, s->units);
	}
	if (s->action == SUGGEST_REPLACE || s->action == SUGGEST_ADD) {
		strbuf_lit(sb, ",\"modifiers\":[");
		for (int i = 0; i < s->nmodifiers; i++) {
			strbuf_puts(sb, i ? "," : "");
			strbuf_json_str(sb, s->modifiers[i]);
		}
		strbuf_putc(sb, ']');
	}
	if (s->modifier) {
		strbuf_lit(sb, ",\"modifier\":");
		strbuf_json_str(sb, s->modifier);
	}
	strbuf_putc(sb, '}');
}

static void
json_finding(const struct result *r, const struct result_finding *f,
	     struct strbuf *sb)
{
	strbuf_lit(sb, "{\"rule\":");
	strbuf_json_str(sb, finding_names[f->id]);
	strbuf_lit(sb, ",\"severity\":");
	strbuf_json_str(sb, severity_names[f->severity]);
	if (f->line) {
		strbuf_lit(sb, ",\"line\":");
		strbuf_putl(sb, f->line);
	} else
		strbuf_lit(sb, ",\"line\":null");
	strbuf_lit(sb, ",\"administration\":");
	if (f->admin >= 0)
		strbuf_json_str(sb, r->claim->admins[f->admin].id);
	else
		strbuf_lit(sb, "null");
	strbuf_lit(sb, ",\"message\":");
	strbuf_json_str(sb, f->message ? f->message : "");
	strbuf_lit(sb, ",\"evidence\":{");
	for (int i = 0; i < f->nevidence; i++) {
		const struct evidence *e = &f->evidence[i];
		strbuf_puts(sb, i ? "," : "");
		strbuf_json_str(sb, e->key);
		strbuf_putc(sb, ':');
		if (e->str)
			strbuf_json_str(sb, e->str);
		else
			strbuf_putl(sb, e->ival);
	}
	strbuf_lit(sb, "},\"suggest\":");
	json_suggest(&f->suggest, sb);
	strbuf_putc(sb, '}');
}

void
result_json(const struct result *r, struct strbuf *sb)
{
	strbuf_lit(sb, "{\"claim\":");
	strbuf_json_str(sb, r->claim->ref);
	strbuf_lit(sb, ",\"verdict\":");
	strbuf_json_str(sb, verdict_names[r->verdict]);
	strbuf_lit(sb, ",\"profile\":");
	strbuf_json_str(sb, r->profile);
	strbuf_lit(sb, ",\"rules_version\":");
	strbuf_json_str(sb, r->rules_version);
	strbuf_lit(sb, ",\"expected\":[");
	for (int i = 0; i < r->ncodes; i++) {
		strbuf_puts(sb, i ? "," : "");
		json_code(r, &r->codes[i], sb);
	}
	strbuf_lit(sb, "],\"findings\":[");
	for (int i = 0; i < r->nfindings; i++) {
		strbuf_puts(sb, i ? "," : "");
		json_finding(r, &r->findings[i], sb);
	}
	strbuf_lit(sb, "],\"unchecked\":[");
	for (int i = 0; i < r->nunchecked; i++) {
		strbuf_puts(sb, i ? "," : "");
		strbuf_putl(sb, r->unchecked[i]);
	}
	strbuf_lit(sb, "]}");
}

/*
 * fix — applying suggestions; see fix.h.  Edits are gathered per original
 * line first and the new line list is built once, so no suggestion's line
 * number is shifted by another's edit.
 */
#include "config.h"

#include <string.h>

#include "fix.h"

struct line_edit {
	int delta; /* units added (negative: taken) */
	const char *add_mod[CLAIM_MAX_MODIFIERS];
	const char *rm_mod[CLAIM_MAX_MODIFIERS];
	int nadd_mod, nrm_mod;
	int ninserted; /* replace: new lines after this one */
};

static bool
in(const char *const *v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool
wanted(const struct result_finding *f, unsigned severities)
{
	return (severities & (1u << f->severity)) != 0;
}

/* The new line a replace or add makes. */
static struct claim_line
new_line(const struct suggest *s)
{
	struct claim_line l = {.code = s->code, .units = s->units};
	for (int i = 0; i < s->nmodifiers && i < CLAIM_MAX_MODIFIERS; i++)
		l.modifiers[l.nmodifiers++] = s->modifiers[i];
	return l;
}

/* The line as billed with its edits; units may end at 0 or less. */
static struct claim_line
edited(const struct claim_line *line, const struct line_edit *e)
{
	struct claim_line l = *line;
	l.units += e->delta;
	l.nmodifiers = 0;
	for (int i = 0; i < line->nmodifiers; i++)
		if (!in(e->rm_mod, e->nrm_mod, line->modifiers[i]))
			l.modifiers[l.nmodifiers++] = line->modifiers[i];
	for (int i = 0; i < e->nadd_mod; i++)
		if (!claim_line_has_modifier(&l, e->add_mod[i]) &&
		    l.nmodifiers < CLAIM_MAX_MODIFIERS)
			l.modifiers[l.nmodifiers++] = e->add_mod[i];
	return l;
}

/* Records finding f's edit of line index i (-1: none); false when it
 * edits nothing (a person's action, or a line the claim does not have). */
static bool
gather(const struct claim *c, const struct suggest *s, int i,
       struct line_edit *ed)
{
	if (s->action == SUGGEST_ADD)
		return true;
	if (i < 0 || (size_t)i >= c->nlines)
		return false;
	struct line_edit *e = &ed[i];
	switch (s->action) {
	case SUGGEST_REPLACE:
		e->delta -= s->take;
		e->ninserted++;
		return true;
	case SUGGEST_REMOVE:
		e->delta -= s->take;
		return true;
	case SUGGEST_SET_UNITS:
		e->delta += s->units - c->lines[i].units;
		return true;
	case SUGGEST_ADD_MODIFIER:
		if (!s->modifier || e->nadd_mod == CLAIM_MAX_MODIFIERS)
			return false;
		e->add_mod[e->nadd_mod++] = s->modifier;
		return true;
	case SUGGEST_REMOVE_MODIFIER:
		if (!s->modifier || e->nrm_mod == CLAIM_MAX_MODIFIERS)
			return false;
		e->rm_mod[e->nrm_mod++] = s->modifier;
		return true;
	default:
		return false;
	}
}

/* Appends the lines finding order gives: each line, its replacements. */
static void
build(const struct claim *c, const struct result *r, unsigned severities,
      const struct line_edit *ed, struct claim_line *out, size_t *n)
{
	for (size_t i = 0; i < c->nlines; i++) {
		struct claim_line l = edited(&c->lines[i], &ed[i]);
		if (l.units > 0)
			out[(*n)++] = l;
		for (int k = 0; ed[i].ninserted && k < r->nfindings; k++) {
			const struct result_finding *f = &r->findings[k];
			if (wanted(f, severities) && f->line == (int)i + 1 &&
			    f->suggest.action == SUGGEST_REPLACE &&
			    f->suggest.units > 0)
				out[(*n)++] = new_line(&f->suggest);
		}
	}
	for (int k = 0; k < r->nfindings; k++) {
		const struct result_finding *f = &r->findings[k];
		if (wanted(f, severities) && f->suggest.action == SUGGEST_ADD &&
		    f->suggest.units > 0)
			out[(*n)++] = new_line(&f->suggest);
	}
}

enum scrub_err
fix_apply(const struct claim *c, const struct result *r, unsigned severities,
	  struct arena *a, struct claim *out, struct fix_stats *stats)
{
	struct fix_stats st = {0};
	struct line_edit *ed = arena_calloc(a, c->nlines + 1, sizeof(*ed));
	if (!ed)
		return SCRUB_ENOMEM;
	for (int k = 0; k < r->nfindings; k++) {
		const struct result_finding *f = &r->findings[k];
		if (!wanted(f, severities)) {
			st.skipped++;
			continue;
		}
		enum suggest_action act = f->suggest.action;
		if (act == SUGGEST_DOCUMENT || act == SUGGEST_REVIEW)
			st.person++;
		else if (gather(c, &f->suggest, f->line - 1, ed))
			st.applied++;
	}
	size_t cap = c->nlines + (size_t)r->nfindings + 1;
	struct claim_line *lines = arena_calloc(a, cap, sizeof(*lines));
	if (!lines)
		return SCRUB_ENOMEM;
	*out = *c;
	out->lines = lines;
	out->nlines = 0;
	build(c, r, severities, ed, lines, &out->nlines);
	if (stats)
		*stats = st;
	return SCRUB_OK;
}

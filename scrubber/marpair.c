/*
 * marpair — MAR records into administrations; see marpair.h for the
 * semantics.  Three passes over one encounter's records: each record
 * mapped (drug row, route) and dropped or kept; the records joined into
 * groups (union-find over the group references); each group walked in
 * clock order into segments, one administration each.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "marpair.h"
#include "ruleset.h"

/* ---- the tables ---------------------------------------------------------- */

static bool
texts_has(const struct rule_texts *t, const char *s)
{
	for (int i = 0; s && i < t->n; i++)
		if (strcasecmp(t->v[i], s) == 0)
			return true;
	return false;
}

/* The drug row holding code of system sys, or NULL. */
static const struct rule_mar_drug *
drug_by_code(const struct rule_marmap *m, enum mar_system sys, const char *code)
{
	for (int i = 0; i < m->ndrugs; i++) {
		const struct rule_mar_drug *d = &m->drugs[i];
		const struct rule_texts *t = sys == MAR_HCPCS	 ? &d->hcpcs
					     : sys == MAR_NDC	 ? &d->ndc
					     : sys == MAR_RXNORM ? &d->rxnorm
								 : NULL;
		if (t && texts_has(t, code))
			return d;
	}
	return NULL;
}

static const struct rule_mar_drug *
drug_row(const struct rule_marmap *m, const struct mar_record *r)
{
	for (size_t i = 0; i < r->ndrug; i++) {
		const struct rule_mar_drug *d =
			drug_by_code(m, r->drug[i].system, r->drug[i].code);
		if (d)
			return d;
	}
	for (int i = 0; r->drug_text && i < m->ndrugs; i++)
		if (strcasecmp(m->drugs[i].name, r->drug_text) == 0 ||
		    texts_has(&m->drugs[i].names, r->drug_text))
			return &m->drugs[i];
	return NULL;
}

bool
marpair_drug(const struct ruleset *rs, const struct mar_record *r,
	     const char **substance, enum admin_kind *kind)
{
	const struct rule_mar_drug *d = drug_row(&rs->marmap, r);
	if (!d)
		return false;
	*substance = d->name;
	*kind = (enum admin_kind)d->kind;
	return true;
}

static bool
route_names(const struct rule_mar_route *rt, const char *s)
{
	return s && (strcasecmp(rt->name, s) == 0 || texts_has(&rt->names, s));
}

static const struct rule_mar_route *
route_row(const struct rule_marmap *m, const struct mar_record *r)
{
	for (int i = 0; r->has_route && i < m->nroutes; i++) {
		const struct rule_mar_route *rt = &m->routes[i];
		if ((r->route.system == MAR_V2_0162 &&
		     texts_has(&rt->v2_0162, r->route.code)) ||
		    (r->route.system == MAR_SNOMED &&
		     texts_has(&rt->snomed, r->route.code)))
			return rt;
	}
	for (int i = 0; i < m->nroutes; i++)
		if (route_names(&m->routes[i], r->route_text) ||
		    (r->has_route &&
		     route_names(&m->routes[i], r->route.display)))
			return &m->routes[i];
	return NULL;
}

static bool
word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

/* True when text holds word w whole ("IV push over 2 minutes" holds
 * "push"; "pushed" does not), without regard to case. */
static bool
has_word(const char *text, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = text; p && n && *p; p++)
		if ((p == text || !word_char(p[-1])) &&
		    strncasecmp(p, w, n) == 0 && !word_char(p[n]))
			return true;
	return false;
}

bool
marpair_route(const struct ruleset *rs, const struct mar_record *r,
	      enum admin_route *route)
{
	const struct rule_mar_route *rt = route_row(&rs->marmap, r);
	if (!rt)
		return false;
	bool push = r->instant;
	for (int i = 0; !push && i < rs->marmap.push_words.n; i++)
		push = has_word(r->method_text, rs->marmap.push_words.v[i]);
	switch ((enum mar_way)rt->way) {
	case WAY_INTRAVENOUS:
		*route = push ? ROUTE_PUSH : ROUTE_INFUSION;
		break;
	case WAY_PUSH:
		*route = ROUTE_PUSH;
		break;
	case WAY_INJECTION:
		*route = ROUTE_INJECTION;
		break;
	case WAY_SUBCUTANEOUS:
		*route = r->instant ? ROUTE_INJECTION : ROUTE_SUBCUTANEOUS;
		break;
	}
	return true;
}

/* ---- unmapped values, named ---------------------------------------------- */

/* "rxnorm 1665005 'display', text 'Ceftriaxone 1 g'": what the record says
 * of a concept, for a message. */
static void
put_code(struct strbuf *sb, const struct mar_code *c)
{
	strbuf_printf(sb, "%s %s",
		      c->system == MAR_OTHER && c->uri
			      ? c->uri
			      : mar_system_names[c->system],
		      c->code);
	if (c->display)
		strbuf_printf(sb, " '%s'", c->display);
}

void
marpair_say_drug(const struct mar_record *r, struct strbuf *sb)
{
	for (size_t i = 0; i < r->ndrug; i++) {
		strbuf_puts(sb, i ? ", " : "");
		put_code(sb, &r->drug[i]);
	}
	if (r->drug_text)
		strbuf_printf(sb, "%stext '%s'", r->ndrug ? ", " : "",
			      r->drug_text);
}

void
marpair_say_route(const struct mar_record *r, struct strbuf *sb)
{
	if (r->has_route)
		put_code(sb, &r->route);
	if (r->route_text)
		strbuf_printf(sb, "%stext '%s'", r->has_route ? ", " : "",
			      r->route_text);
	if (!r->has_route && !r->route_text)
		strbuf_puts(sb, "no route documented");
}

static enum scrub_err
say_unmapped(struct diag_list *dl, const struct mar_record *r, bool drug)
{
	struct strbuf sb = STRBUF_INIT;
	if (drug)
		marpair_say_drug(r, &sb);
	else
		marpair_say_route(r, &sb);
	enum scrub_err err =
		sb.failed
			? SCRUB_ENOMEM
			: diag_add(dl, r->file, r->line, r->column,
				   "%s: record '%s': no mar_map %s row has %s",
				   drug ? "unmapped-drug" : "unmapped-route",
				   r->id ? r->id : "", drug ? "drug" : "route",
				   strbuf_str(&sb));
	strbuf_free(&sb);
	return err;
}

/* ---- groups ---------------------------------------------------------------- */

struct item {
	const struct mar_record *r;
	size_t index; /* in input order */
	size_t root;  /* union-find parent, then the group */
	bool kept;    /* mapped and not dropped */
	const char *substance;
	enum admin_kind kind;
	enum admin_route route;
};

static size_t
find(struct item *v, size_t i)
{
	while (v[i].root != i) {
		v[i].root = v[v[i].root].root;
		i = v[i].root;
	}
	return i;
}

static void
join(struct item *v, size_t a, size_t b)
{
	a = find(v, a);
	b = find(v, b);
	if (a != b)
		v[a > b ? a : b].root = a < b ? a : b;
}

/* True when reference g names record id: "ID" or ".../ID". */
static bool
names_id(const char *g, const char *id)
{
	size_t gl = strlen(g), il = strlen(id);
	return gl >= il && strcmp(g + gl - il, id) == 0 &&
	       (gl == il || g[gl - il - 1] == '/');
}

/* Joins each record to the record its group names, or to the records
 * sharing its group reference.  Quadratic in one encounter's records,
 * which MARPAIR_MAX_RECORDS bounds. */
static void
group(struct item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i].root = i;
	for (size_t i = 0; i < n; i++) {
		const char *g = v[i].r->group;
		for (size_t j = 0; g && j < n; j++) {
			const struct mar_record *o = v[j].r;
			if (j != i && ((o->id && names_id(g, o->id)) ||
				       (o->group && strcmp(o->group, g) == 0)))
				join(v, i, j);
		}
	}
	for (size_t i = 0; i < n; i++)
		v[i].root = find(v, i);
}

/* Clock order within a group: records without a start last, then input
 * order. */
static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	if (x->r->has_start != y->r->has_start)
		return x->r->has_start ? -1 : 1;
	if (x->r->has_start) {
		int64_t d = isotime_diff(&x->r->start, &y->r->start);
		if (d)
			return d > 0 ? -1 : 1;
	}
	return x->index < y->index ? -1 : x->index > y->index;
}

/* ---- segments ---------------------------------------------------------- */

struct seg {
	const struct item *open; /* the record that opened it */
	bool has_start, has_stop, running;
	struct isotime start, stop;
};

struct pairing {
	struct seg *segs;
	size_t n;
	size_t group_first; /* segments of the current group from here */
	struct marpair_counts *counts;
};

/* The running segment of it's drug in the current group, or NULL. */
static struct seg *
running(struct pairing *p, const struct item *it)
{
	for (size_t i = p->group_first; i < p->n; i++)
		if (p->segs[i].running &&
		    strcmp(p->segs[i].open->substance, it->substance) == 0)
			return &p->segs[i];
	return NULL;
}

static void
seg_add(struct pairing *p, const struct item *it, bool running)
{
	const struct mar_record *r = it->r;
	p->segs[p->n++] = (struct seg){
		.open = it,
		.has_start = r->has_start,
		.has_stop = r->has_stop && !r->instant,
		.running = running,
		.start = r->start,
		.stop = r->stop,
	};
}

/* One record of a group, in clock order (marpair.h). */
static void
step(struct pairing *p, const struct item *it)
{
	const struct mar_record *r = it->r;
	struct seg *s = running(p, it);
	if (r->instant && s) {
		if (r->status == MAR_ON_HOLD || r->status == MAR_COMPLETED ||
		    r->status == MAR_STOPPED) {
			s->running = false;
			s->has_stop = true;
			s->stop = r->start;
			p->counts->closed++;
		} else {
			p->counts->continued++;
		}
	} else if (r->has_start && !r->has_stop && !r->instant) {
		if (s)
			p->counts->continued++;
		else
			seg_add(p, it, true);
	} else {
		seg_add(p, it, false);
	}
}

static int
seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->open->index < y->open->index	 ? -1
	       : x->open->index > y->open->index ? 1
						 : 0;
}

/* ---- administrations --------------------------------------------------- */

/* A time as the record wrote it: the wall clock, then Z or its offset. */
static enum scrub_err
put_time(struct arena *a, const struct isotime *t, struct claim_time *out)
{
	char buf[64], off[24] = "";
	isotime_format(t, buf, sizeof(buf));
	if (t->has_offset && t->offset == 0)
		snprintf(off, sizeof(off), "Z");
	else if (t->has_offset)
		snprintf(off, sizeof(off), "%c%02d:%02d",
			 t->offset < 0 ? '-' : '+', abs(t->offset) / 60,
			 abs(t->offset) % 60);
	size_t n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "%s", off);
	out->state = TIME_OK;
	out->t = *t;
	out->text = arena_strdup(a, buf);
	return out->text ? SCRUB_OK : SCRUB_ENOMEM;
}

static enum scrub_err
admin_of(struct arena *a, const struct seg *s, struct administration *ad)
{
	const struct item *it = s->open;
	const struct mar_record *r = it->r;
	char id[48];
	if (!r->id) /* a v2 event may have none: its place names it */
		snprintf(id, sizeof(id), "mar-%u-%u", r->line, r->column);
	*ad = (struct administration){
		.id = r->id ? r->id : arena_strdup(a, id),
		.substance = it->substance,
		.site = r->site ? r->site : "",
		.kind = it->kind,
		.route = it->route,
	};
	enum scrub_err err = ad->id ? SCRUB_OK : SCRUB_ENOMEM;
	if (err == SCRUB_OK && s->has_start)
		err = put_time(a, &s->start, &ad->start);
	if (err == SCRUB_OK && s->has_stop)
		err = put_time(a, &s->stop, &ad->stop);
	return err;
}

static int
admin_id_cmp(const void *a, const void *b)
{
	const struct administration *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

/* A claim's administration ids are unique (design.md): the same record
 * given twice (a Bundle and its NDJSON both named) is an error, never two
 * runs. */
static enum scrub_err
check_ids(const struct seg *segs, struct administration *ad, size_t n,
	  struct diag_list *dl)
{
	const struct administration **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = &ad[i];
	qsort(v, n, sizeof(*v), admin_id_cmp);
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 1; i < n && err != SCRUB_ENOMEM; i++) {
		if (strcmp(v[i - 1]->id, v[i]->id) != 0)
			continue;
		const struct mar_record *r = segs[v[i] - ad].open->r;
		const struct mar_record *q = segs[v[i - 1] - ad].open->r;
		err = diag_add(dl, r->file, r->line, r->column,
			       "record id '%s' is used twice in encounter "
			       "'%s' (also at %s:%u:%u)",
			       v[i]->id, r->encounter, q->file, q->line,
			       q->column);
		if (err == SCRUB_OK)
			err = SCRUB_EINPUT;
	}
	free(v);
	return err;
}

/* ---- the whole --------------------------------------------------------- */

/* Maps or drops each record; SCRUB_EINPUT when any is unmapped. */
static enum scrub_err
map_all(const struct ruleset *rs, struct item *v, size_t n,
	struct marpair_counts *k, struct diag_list *dl)
{
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; i < n && err != SCRUB_ENOMEM; i++) {
		const struct mar_record *r = v[i].r;
		if (r->status == MAR_ENTERED_IN_ERROR ||
		    r->status == MAR_NOT_DONE) {
			k->in_error += r->status == MAR_ENTERED_IN_ERROR;
			k->not_done += r->status == MAR_NOT_DONE;
			continue;
		}
		bool drug = marpair_drug(rs, r, &v[i].substance, &v[i].kind);
		bool route = marpair_route(rs, r, &v[i].route);
		enum scrub_err e = SCRUB_OK;
		if (!drug)
			e = say_unmapped(dl, r, true);
		if (!route && e == SCRUB_OK)
			e = say_unmapped(dl, r, false);
		v[i].kept = drug && route;
		k->unmapped += !v[i].kept;
		if (e != SCRUB_OK || !v[i].kept)
			err = e == SCRUB_ENOMEM ? e : SCRUB_EINPUT;
	}
	return err;
}

/* The segments of the kept records, in the order of their opening
 * records. */
static enum scrub_err
segments(struct item *v, size_t n, struct pairing *p)
{
	struct item **order = calloc(n + 1, sizeof(*order));
	p->segs = calloc(n + 1, sizeof(*p->segs));
	if (!order || !p->segs) {
		free(order);
		return SCRUB_ENOMEM;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].kept)
			order[m++] = &v[i];
	qsort(order, m, sizeof(*order), item_cmp);
	for (size_t i = 0; i < m; i++) {
		if (i == 0 || order[i]->root != order[i - 1]->root)
			p->group_first = p->n;
		step(p, order[i]);
	}
	qsort(p->segs, p->n, sizeof(*p->segs), seg_cmp);
	free(order);
	return SCRUB_OK;
}

static enum scrub_err
build(struct arena *a, const struct pairing *p, struct administration **out,
      size_t *nout, struct diag_list *dl)
{
	struct administration *ad = arena_calloc(a, p->n + 1, sizeof(*ad));
	if (!ad)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		enum scrub_err err = admin_of(a, &p->segs[i], &ad[i]);
		if (err != SCRUB_OK)
			return err;
	}
	*out = ad;
	*nout = p->n;
	return check_ids(p->segs, ad, p->n, dl);
}

enum scrub_err
marpair_pair(struct arena *a, const struct ruleset *rs, int32_t day,
	     const struct mar_record *const *recs, size_t n,
	     struct administration **out, size_t *nout,
	     struct marpair_counts *counts, struct diag_list *dl)
{
	struct marpair_counts k = {.records = n};
	*out = NULL;
	*nout = 0;
	if (n > MARPAIR_MAX_RECORDS)
		return diag_add(dl, recs[0]->file, recs[0]->line,
				recs[0]->column,
				"encounter '%s' has %zu records; at most %d "
				"are paired",
				recs[0]->encounter, n,
				MARPAIR_MAX_RECORDS) == SCRUB_OK
			       ? SCRUB_ELIMIT
			       : SCRUB_ENOMEM;
	struct item *v = calloc(n + 1, sizeof(*v));
	if (!v)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct item){.r = recs[i], .index = i};
	enum scrub_err err = map_all(rules_at(rs, day), v, n, &k, dl);
	struct pairing p = {.counts = &k};
	group(v, n);
	enum scrub_err e = err == SCRUB_ENOMEM ? err : segments(v, n, &p);
	if (e == SCRUB_OK)
		e = build(a, &p, out, nout, dl);
	k.administrations = *nout;
	if (counts)
		*counts = k;
	free(p.segs);
	free(v);
	return e != SCRUB_OK ? e : err;
}

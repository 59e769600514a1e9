/*
 * claimdoc — claim documents through key tables; see claimdoc.h.
 *
 * Each mapping of the document format is a table of {key, required, handler};
 * handlers convert strictly and report at the value's position.  Bounds come
 * from claim.h so one hostile document cannot make the engine's work unbounded.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "claimdoc.h"

/* More than any real encounter has; keeps one document's cost bounded. */
#define CLAIMDOC_TIME_MAX 64

struct claimdoc {
	struct arena *arena;
	const struct ynode **nodes;
	struct claim **claims; /* NULL entries for bad documents */
	size_t n;
};

/* ---- scalar helpers -------------------------------------------------- */

/* Upper-case letters and digits only, exactly len characters. */
static enum scrub_err
want_code(struct yctx *c, const struct ynode *v, const char *what, size_t len,
	  const char **out)
{
	const char *s;
	enum scrub_err err = ynode_str(c, v, what, 64, &s);
	if (err != SCRUB_OK)
		return err;
	bool ok = v->len == len;
	for (size_t i = 0; ok && i < v->len; i++)
		ok = isdigit((unsigned char)s[i]) ||
		     isupper((unsigned char)s[i]);
	if (!ok) {
		char q[80];
		ynode_quote(v, q, sizeof(q));
		return ynode_error(
			c, v,
			"'%s' must be %zu upper-case letters or digits, not %s",
			what, len, q);
	}
	*out = s;
	return SCRUB_OK;
}

static enum scrub_err
want_time(struct yctx *c, const struct ynode *v, const char *what,
	  struct claim_time *t)
{
	if (ynode_is_null(v)) {
		t->state = TIME_ABSENT;
		return SCRUB_OK;
	}
	enum scrub_err err = ynode_str(c, v, what, CLAIMDOC_TIME_MAX, &t->text);
	if (err != SCRUB_OK)
		return err;
	t->state = isotime_parse(v->str, v->len, &t->t) ? TIME_OK : TIME_BAD;
	return SCRUB_OK;
}

/* ---- claim lines ------------------------------------------------------ */

static enum scrub_err
line_code(struct yctx *c, const struct ynode *v, void *obj)
{
	return want_code(c, v, "code", 5, &((struct claim_line *)obj)->code);
}

static enum scrub_err
line_units(struct yctx *c, const struct ynode *v, void *obj)
{
	long u;
	enum scrub_err err = ynode_int(c, v, "units", 1, CLAIM_UNITS_MAX, &u);
	if (err == SCRUB_OK)
		((struct claim_line *)obj)->units = (int)u;
	return err;
}

static enum scrub_err
line_modifiers(struct yctx *c, const struct ynode *v, void *obj)
{
	struct claim_line *l = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, "modifiers");
	if (err != SCRUB_OK)
		return err;
	if (v->n > CLAIM_MAX_MODIFIERS)
		return ynode_error(c, v->items[CLAIM_MAX_MODIFIERS],
				   "a line has at most %d modifiers, not %zu",
				   CLAIM_MAX_MODIFIERS, v->n);
	for (size_t i = 0; i < v->n; i++) {
		err = want_code(c, v->items[i], "modifier", 2,
				&l->modifiers[i]);
		if (err != SCRUB_OK)
			return err;
	}
	l->nmodifiers = (int)v->n;
	return SCRUB_OK;
}

static const struct ykey line_keys[] = {
	{"code", true, line_code},
	{"units", false, line_units},
	{"modifiers", false, line_modifiers},
	{NULL, false, NULL},
};

/* ---- administrations ------------------------------------------------- */

struct admin_in {
	struct administration a;
	bool has_route;
};

#define ADMIN_STR(field, max) \
	static enum scrub_err admin_##field(struct yctx *c, \
					    const struct ynode *v, void *obj) \
	{ \
		return ynode_str(c, v, #field, max, \
				 &((struct admin_in *)obj)->a.field); \
	}
ADMIN_STR(id, CLAIM_REF_MAX)
ADMIN_STR(substance, CLAIM_TEXT_MAX)
ADMIN_STR(site, CLAIM_REF_MAX)

static enum scrub_err
admin_kind(struct yctx *c, const struct ynode *v, void *obj)
{
	int k;
	enum scrub_err err = ynode_enum(c, v, "kind", admin_kind_names, &k);
	if (err == SCRUB_OK)
		((struct admin_in *)obj)->a.kind = (enum admin_kind)k;
	return err;
}

static enum scrub_err
admin_route(struct yctx *c, const struct ynode *v, void *obj)
{
	int r;
	struct admin_in *in = obj;
	enum scrub_err err = ynode_enum(c, v, "route", admin_route_names, &r);
	if (err == SCRUB_OK) {
		in->a.route = (enum admin_route)r;
		in->has_route = true;
	}
	return err;
}

static enum scrub_err
admin_start(struct yctx *c, const struct ynode *v, void *obj)
{
	return want_time(c, v, "start", &((struct admin_in *)obj)->a.start);
}

static enum scrub_err
admin_stop(struct yctx *c, const struct ynode *v, void *obj)
{
	return want_time(c, v, "stop", &((struct admin_in *)obj)->a.stop);
}

static enum scrub_err
admin_primary(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_bool(c, v, "primary",
			  &((struct admin_in *)obj)->a.primary);
}

static enum scrub_err
admin_separate(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_bool(c, v, "separate_site_required",
			  &((struct admin_in *)obj)->a.separate_site_required);
}

static const struct ykey admin_keys[] = {
	{"id", true, admin_id},
	{"substance", true, admin_substance},
	{"kind", true, admin_kind},
	{"route", false, admin_route},
	{"site", false, admin_site},
	{"start", false, admin_start},
	{"stop", false, admin_stop},
	{"primary", false, admin_primary},
	{"separate_site_required", false, admin_separate},
	{NULL, false, NULL},
};

/* ---- the claim ----------------------------------------------------- */

static enum scrub_err
claim_ref(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_str(c, v, "claim", CLAIM_REF_MAX,
			 &((struct claim *)obj)->ref);
}

static enum scrub_err
claim_payer(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_str(c, v, "payer", CLAIM_REF_MAX,
			 &((struct claim *)obj)->payer);
}

static enum scrub_err
claim_provider(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_str(c, v, "provider", CLAIM_REF_MAX,
			 &((struct claim *)obj)->provider);
}

static enum scrub_err
claim_setting(struct yctx *c, const struct ynode *v, void *obj)
{
	int s;
	enum scrub_err err =
		ynode_enum(c, v, "setting", claim_setting_names, &s);
	if (err == SCRUB_OK)
		((struct claim *)obj)->setting = (enum claim_setting)s;
	return err;
}

static enum scrub_err
claim_dos(struct yctx *c, const struct ynode *v, void *obj)
{
	struct claim *cl = obj;
	const char *s;
	enum scrub_err err = ynode_str(c, v, "date_of_service", 16, &s);
	if (err != SCRUB_OK)
		return err;
	if (!isotime_parse_date(s, v->len, &cl->date_of_service)) {
		char q[64];
		ynode_quote(v, q, sizeof(q));
		return ynode_error(
			c, v,
			"'date_of_service' must be a date YYYY-MM-DD, not %s",
			q);
	}
	cl->has_date_of_service = true;
	return SCRUB_OK;
}

static enum scrub_err
claim_lines(struct yctx *c, const struct ynode *v, void *obj)
{
	struct claim *cl = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, "lines");
	if (err != SCRUB_OK)
		return err;
	if (v->n > CLAIMDOC_MAX_LINES)
		return ynode_error(c, v,
				   "a claim has at most %d lines, not %zu",
				   CLAIMDOC_MAX_LINES, v->n);
	cl->lines = arena_calloc(c->arena, v->n ? v->n : 1, sizeof(*cl->lines));
	if (!cl->lines)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		struct claim_line *l = &cl->lines[i];
		l->units = 1;
		enum scrub_err e =
			ymap_walk(c, v->items[i], "line", line_keys, l);
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	cl->nlines = v->n;
	return err;
}

struct admin_id {
	const char *id;
	size_t i;
};

static int
admin_id_cmp(const void *pa, const void *pb)
{
	const struct admin_id *a = pa, *b = pb;
	int d = strcmp(a->id, b->id);
	return d ? d : (a->i > b->i) - (a->i < b->i);
}

/* Reports a repeated administration id at its earliest second occurrence.
 * Sorted, not compared pairwise: 10,000 ids are 50 million comparisons
 * pairwise (issue 14, item 10). */
static enum scrub_err
check_admin_ids(struct yctx *c, const struct ynode *seq, const struct claim *cl)
{
	size_t n = cl->nadmins, second = n;
	struct admin_id *v = arena_calloc(c->arena, n + 1, sizeof(*v));
	if (!v)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct admin_id){cl->admins[i].id, i};
	qsort(v, n, sizeof(*v), admin_id_cmp);
	for (size_t k = 1; k < n; k++)
		if (strcmp(v[k].id, v[k - 1].id) == 0 &&
		    (k < 2 || strcmp(v[k - 2].id, v[k].id) != 0) &&
		    v[k].i < second)
			second = v[k].i;
	if (second == n)
		return SCRUB_OK;
	return ynode_error(c, ymap_get(seq->items[second], "id"),
			   "administration id '%s' is used twice",
			   cl->admins[second].id);
}

static enum scrub_err
read_admin(struct yctx *c, const struct ynode *v, struct administration *out)
{
	struct admin_in in = {.a = {.site = ""}};
	enum scrub_err err = ymap_walk(c, v, "administration", admin_keys, &in);
	if (err != SCRUB_OK)
		return err;
	if (!in.has_route && in.a.kind != KIND_HYDRATION)
		return ynode_error(
			c, v, "administration is missing required key 'route'");
	*out = in.a;
	return SCRUB_OK;
}

static enum scrub_err
claim_admins(struct yctx *c, const struct ynode *v, void *obj)
{
	struct claim *cl = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, "administrations");
	if (err != SCRUB_OK)
		return err;
	if (v->n > CLAIMDOC_MAX_ADMINS)
		return ynode_error(
			c, v, "a claim has at most %d administrations, not %zu",
			CLAIMDOC_MAX_ADMINS, v->n);
	cl->admins =
		arena_calloc(c->arena, v->n ? v->n : 1, sizeof(*cl->admins));
	if (!cl->admins)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		enum scrub_err e = read_admin(c, v->items[i], &cl->admins[i]);
		if (e == SCRUB_ENOMEM)
			return e;
		if (e != SCRUB_OK)
			err = e;
	}
	if (err != SCRUB_OK)
		return err;
	cl->nadmins = v->n;
	return check_admin_ids(c, v, cl);
}

static const struct ykey claim_keys[] = {
	{"claim", true, claim_ref},
	{"payer", false, claim_payer},
	{"setting", true, claim_setting},
	{"provider", false, claim_provider},
	{"date_of_service", false, claim_dos},
	{"lines", false, claim_lines},
	{"administrations", false, claim_admins},
	{NULL, false, NULL},
};

enum scrub_err
claimdoc_from_node(struct yctx *c, const struct ynode *doc, struct claim *out)
{
	memset(out, 0, sizeof(*out));
	if (doc->type != YNODE_MAP)
		return ynode_error(c, doc,
				   "a claim document must be a mapping, not %s",
				   ynode_type_name(doc->type));
	return ymap_walk(c, doc, "claim document", claim_keys, out);
}

/* ---- the stream ------------------------------------------------------ */

static enum scrub_err
claimdoc_read_all(struct claimdoc *cd, struct ynode **docs, size_t ndocs,
		  struct diag_list *dl)
{
	enum scrub_err result = SCRUB_OK;
	for (size_t i = 0; i < ndocs; i++) {
		struct diag_list local = {0};
		struct yctx c = {cd->arena, &local};
		struct claim *cl = arena_alloc(cd->arena, sizeof(*cl));
		if (!cl)
			return SCRUB_ENOMEM;
		enum scrub_err err = claimdoc_from_node(&c, docs[i], cl);
		cd->nodes[i] = docs[i];
		cd->claims[i] = err == SCRUB_OK ? cl : NULL;
		if (diag_move(dl, &local, (int)i) != SCRUB_OK) {
			diag_list_free(&local);
			return SCRUB_ENOMEM;
		}
		if (err == SCRUB_ENOMEM)
			return err;
		if (err != SCRUB_OK)
			result = SCRUB_EINPUT;
	}
	return result;
}

enum scrub_err
claimdoc_parse(const char *file, const char *buf, size_t len,
	       struct claimdoc **out, struct diag_list *dl)
{
	struct claimdoc *cd = calloc(1, sizeof(*cd));
	struct ynode **docs;
	size_t ndocs;
	struct diag_list syntax = {0};

	*out = NULL;
	if (!cd || !(cd->arena = arena_new())) {
		free(cd);
		return SCRUB_ENOMEM;
	}
	enum scrub_err perr =
		ynode_parse(cd->arena, file, buf, len, &docs, &ndocs, &syntax);
	if (perr == SCRUB_ENOMEM)
		goto nomem;
	cd->nodes = arena_calloc(cd->arena, ndocs + 1, sizeof(*cd->nodes));
	cd->claims = arena_calloc(cd->arena, ndocs + 1, sizeof(*cd->claims));
	if (!cd->nodes || !cd->claims)
		goto nomem;
	cd->n = ndocs;
	enum scrub_err err = claimdoc_read_all(cd, docs, ndocs, dl);
	/* a claim file holds a claim: one that is empty (or comments only) is
	 * an input error, at its start */
	if (err == SCRUB_OK && perr == SCRUB_OK && ndocs == 0) {
		err = diag_add(dl, file, 1, 1, "no claim document in the file");
		if (err == SCRUB_OK)
			err = SCRUB_EINPUT;
	}
	if (err == SCRUB_ENOMEM)
		goto nomem;
	/* a syntax error belongs to the document after the last one read */
	if (diag_move(dl, &syntax, (int)ndocs) != SCRUB_OK)
		goto nomem;
	*out = cd;
	return perr != SCRUB_OK ? perr : err;
nomem:
	diag_list_free(&syntax);
	claimdoc_free(cd);
	return SCRUB_ENOMEM;
}

size_t
claimdoc_count(const struct claimdoc *cd)
{
	return cd->n;
}

const struct claim *
claimdoc_claim(const struct claimdoc *cd, size_t i)
{
	return i < cd->n ? cd->claims[i] : NULL;
}

const struct ynode *
claimdoc_node(const struct claimdoc *cd, size_t i)
{
	return i < cd->n ? cd->nodes[i] : NULL;
}

void
claimdoc_free(struct claimdoc *cd)
{
	if (!cd)
		return;
	arena_free(cd->arena);
	free(cd);
}

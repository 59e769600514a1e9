/*
 * claimfield — the claim field table and its validators; see claimfield.h.
 *
 * Bounds come from claim.h and claimdoc.h so one hostile document (or row)
 * cannot make the engine's work unbounded.  The messages are the ones the
 * document reader always gave: the daemon's results and the tests hold
 * them.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "claimdoc.h"
#include "claimfield.h"

/* More than any real encounter has; keeps one document's cost bounded. */
#define CLAIMFIELD_TIME_MAX 64
/* The longest text a date is looked at in (a date is 10 bytes). */
#define CLAIMFIELD_DATE_MAX 16

#define IN(s, m) .offset = offsetof(struct s, m)
#define SEEN(s, m) .present = offsetof(struct s, m)

const struct claim_field claim_fields[] = {
	{"claim", CF_CLAIM, CF_TEXT, true, .max = CLAIM_REF_MAX,
	 IN(claim, ref)},
	{"payer", CF_CLAIM, CF_TEXT, false, .max = CLAIM_REF_MAX,
	 IN(claim, payer)},
	{"setting", CF_CLAIM, CF_ENUM, true, .names = claim_setting_names,
	 IN(claim, setting)},
	{"provider", CF_CLAIM, CF_TEXT, false, .max = CLAIM_REF_MAX,
	 IN(claim, provider)},
	{"date_of_service", CF_CLAIM, CF_DATE, false,
	 IN(claim, date_of_service), SEEN(claim, has_date_of_service)},
	{"lines", CF_CLAIM, CF_LIST, false, .max = CLAIMDOC_MAX_LINES,
	 IN(claim, lines), SEEN(claim, nlines), .child = CF_LINE,
	 .size = sizeof(struct claim_line)},
	{"administrations", CF_CLAIM, CF_LIST, false,
	 .max = CLAIMDOC_MAX_ADMINS, IN(claim, admins), SEEN(claim, nadmins),
	 .child = CF_ADMIN, .size = sizeof(struct administration)},

	{"code", CF_LINE, CF_CODE, true, .len = 5, IN(claim_line, code)},
	{"units", CF_LINE, CF_INT, false, .min = 1, .max = CLAIM_UNITS_MAX,
	 .def = 1, IN(claim_line, units)},
	{"modifiers", CF_LINE, CF_CODES, false, .max = CLAIM_MAX_MODIFIERS,
	 .len = 2, .item = "modifier", IN(claim_line, modifiers),
	 SEEN(claim_line, nmodifiers)},
	{"service_date", CF_LINE, CF_DATE, false, IN(claim_line, service_date),
	 SEEN(claim_line, has_service_date)},

	{"id", CF_ADMIN, CF_TEXT, true, .max = CLAIM_REF_MAX,
	 IN(administration, id)},
	{"substance", CF_ADMIN, CF_TEXT, true, .max = CLAIM_TEXT_MAX,
	 IN(administration, substance)},
	{"kind", CF_ADMIN, CF_ENUM, true, .names = admin_kind_names,
	 IN(administration, kind)},
	{"route", CF_ADMIN, CF_ENUM, false, .names = admin_route_names,
	 IN(administration, route)},
	{"site", CF_ADMIN, CF_TEXT, false, .max = CLAIM_REF_MAX, .dflt = "",
	 IN(administration, site)},
	{"start", CF_ADMIN, CF_TIME, false, IN(administration, start)},
	{"stop", CF_ADMIN, CF_TIME, false, IN(administration, stop)},
	{"primary", CF_ADMIN, CF_BOOL, false, IN(administration, primary)},
	{"separate_site_required", CF_ADMIN, CF_BOOL, false,
	 IN(administration, separate_site_required)},
	{.key = NULL},
};

/* An enum is stored through an int (CF_ENUM). */
_Static_assert(sizeof(enum claim_setting) == sizeof(int) &&
		       sizeof(enum admin_kind) == sizeof(int) &&
		       sizeof(enum admin_route) == sizeof(int),
	       "claim enums are int-sized");

const char *const claimfield_level_names[CF_LEVELS] = {"claim document", "line",
						       "administration"};

#define AT(obj, f, T) ((T *)(void *)((char *)(obj) + (f)->offset))
#define PRESENT(obj, f, T) ((T *)(void *)((char *)(obj) + (f)->present))

const struct claim_field *
claimfield_find(enum claimfield_level level, const char *k, size_t klen)
{
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->level == level && strlen(f->key) == klen &&
		    memcmp(f->key, k, klen) == 0)
			return f;
	return NULL;
}

uint64_t
claimfield_bit(const struct claim_field *f)
{
	return (uint64_t)1 << (f - claim_fields);
}

const void *
claimfield_at(const struct claim_field *f, const void *obj)
{
	return (const char *)obj + f->offset;
}

bool
claimfield_written(const struct claim_field *f, const void *obj)
{
	const char *s;
	switch (f->type) {
	case CF_TEXT:
	case CF_CODE:
		s = *(const char *const *)claimfield_at(f, obj);
		return s && *s;
	case CF_BOOL:
		return *(const bool *)claimfield_at(f, obj);
	case CF_DATE:
		return *(const bool *)(const void *)((const char *)obj +
						     f->present);
	case CF_TIME:
		return ((const struct claim_time *)claimfield_at(f, obj))
				       ->state != TIME_ABSENT &&
		       ((const struct claim_time *)claimfield_at(f, obj))->text;
	case CF_INT:
	case CF_ENUM:
	case CF_CODES:
	case CF_LIST:
		break;
	}
	return true;
}

const char *
claimfield_text(const struct claim_field *f, const void *obj, char *buf,
		size_t size)
{
	const void *v = claimfield_at(f, obj);
	switch (f->type) {
	case CF_TEXT:
	case CF_CODE:
		return *(const char *const *)v;
	case CF_ENUM:
		return f->names[*(const int *)v];
	case CF_DATE:
		isotime_format_date(*(const int32_t *)v, buf, size);
		return buf;
	case CF_TIME: /* as written, even when unparseable (TIME_BAD) */
		return ((const struct claim_time *)v)->text;
	case CF_INT:
	case CF_BOOL:
	case CF_CODES:
	case CF_LIST:
		break;
	}
	return NULL;
}

void
claimfield_defaults(enum claimfield_level level, void *obj)
{
	for (const struct claim_field *f = claim_fields; f->key; f++) {
		if (f->level != level)
			continue;
		if (f->type == CF_INT)
			*AT(obj, f, int) = (int)f->def;
		else if (f->type == CF_TEXT && f->dflt)
			*AT(obj, f, const char *) = f->dflt;
	}
}

/* ---- the validators, one a type ------------------------------------------ */

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
	enum scrub_err err =
		ynode_str(c, v, what, CLAIMFIELD_TIME_MAX, &t->text);
	if (err != SCRUB_OK)
		return err;
	t->state = isotime_parse(v->str, v->len, &t->t) ? TIME_OK : TIME_BAD;
	return SCRUB_OK;
}

static enum scrub_err
want_date(struct yctx *c, const struct claim_field *f, const struct ynode *v,
	  void *obj)
{
	const char *s;
	enum scrub_err err = ynode_str(c, v, f->key, CLAIMFIELD_DATE_MAX, &s);
	if (err != SCRUB_OK)
		return err;
	if (!isotime_parse_date(s, v->len, AT(obj, f, int32_t))) {
		char q[64];
		ynode_quote(v, q, sizeof(q));
		return ynode_error(c, v,
				   "'%s' must be a date YYYY-MM-DD, not %s",
				   f->key, q);
	}
	*PRESENT(obj, f, bool) = true;
	return SCRUB_OK;
}

static enum scrub_err
want_codes(struct yctx *c, const struct claim_field *f, const struct ynode *v,
	   void *obj)
{
	const char **items = AT(obj, f, const char *);
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, f->key);
	if (err != SCRUB_OK)
		return err;
	if (v->n > (size_t)f->max)
		return ynode_error(
			c, v->items[f->max], "a %s has at most %ld %s, not %zu",
			claimfield_level_names[f->level], f->max, f->key, v->n);
	for (size_t i = 0; i < v->n; i++) {
		err = want_code(c, v->items[i], f->item, f->len, &items[i]);
		if (err != SCRUB_OK)
			return err;
	}
	*PRESENT(obj, f, int) = (int)v->n;
	return SCRUB_OK;
}

static enum scrub_err
want_int(struct yctx *c, const struct claim_field *f, const struct ynode *v,
	 void *obj)
{
	long n;
	enum scrub_err err = ynode_int(c, v, f->key, f->min, f->max, &n);
	if (err == SCRUB_OK)
		*AT(obj, f, int) = (int)n;
	return err;
}

static enum scrub_err
want_enum(struct yctx *c, const struct claim_field *f, const struct ynode *v,
	  void *obj)
{
	int k;
	enum scrub_err err = ynode_enum(c, v, f->key, f->names, &k);
	if (err == SCRUB_OK)
		*AT(obj, f, int) = k;
	return err;
}

enum scrub_err
claimfield_read(struct yctx *c, const struct claim_field *f,
		const struct ynode *v, void *obj)
{
	switch (f->type) {
	case CF_TEXT:
		return ynode_str(c, v, f->key, (size_t)f->max,
				 AT(obj, f, const char *));
	case CF_CODE:
		return want_code(c, v, f->key, f->len,
				 AT(obj, f, const char *));
	case CF_INT:
		return want_int(c, f, v, obj);
	case CF_BOOL:
		return ynode_bool(c, v, f->key, AT(obj, f, bool));
	case CF_ENUM:
		return want_enum(c, f, v, obj);
	case CF_DATE:
		return want_date(c, f, v, obj);
	case CF_TIME:
		return want_time(c, v, f->key, AT(obj, f, struct claim_time));
	case CF_CODES:
		return want_codes(c, f, v, obj);
	case CF_LIST:
		break;
	}
	return ynode_error(c, v, "'%s' cannot be read here", f->key);
}

enum scrub_err
claimfield_list_len(struct yctx *c, const struct claim_field *f,
		    const struct ynode *v, size_t n)
{
	if (n <= (size_t)f->max)
		return SCRUB_OK;
	return ynode_error(c, v, "a claim has at most %ld %s, not %zu", f->max,
			   f->key, n);
}

enum scrub_err
claimfield_check_item(struct yctx *c, enum claimfield_level level,
		      const struct ynode *v, const void *obj, uint64_t seen)
{
	static const char route[] = "route";
	if (level != CF_ADMIN)
		return SCRUB_OK;
	const struct administration *a = obj;
	const struct claim_field *f =
		claimfield_find(CF_ADMIN, route, sizeof(route) - 1);
	if ((seen & claimfield_bit(f)) || a->kind == KIND_HYDRATION)
		return SCRUB_OK;
	return ynode_error(c, v, "administration is missing required key '%s'",
			   route);
}

/* ---- administration ids ------------------------------------------------- */

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

/* Sorted, not compared pairwise: 10,000 ids are 50 million comparisons
 * pairwise (issue 14, item 10). */
enum scrub_err
claimfield_check_ids(struct yctx *c, const struct claim *cl,
		     const struct ynode *(*where)(const void *, size_t),
		     const void *arg)
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
	return ynode_error(c, where(arg, second),
			   "administration id '%s' is used twice",
			   cl->admins[second].id);
}

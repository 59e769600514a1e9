/*
 * claimfield — the claim field table; see claimfield.h.
 *
 * Bounds come from claim.h and claimdoc.h so one hostile document (or row)
 * cannot make the engine's work unbounded.  Values are converted by the
 * key table's validators (keytab.c), whose messages are the ones the
 * document reader always gave: the daemon's results and the tests hold
 * them.  A time is the one value that needs code of its own.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "claimdoc.h"
#include "claimfield.h"

/* More than any real encounter has; keeps one document's cost bounded. */
#define CLAIMFIELD_TIME_MAX 64

#define IN(s, m) .offset = offsetof(struct s, m)
#define SEEN(s, m) .present = offsetof(struct s, m)
#define CLAIM(k, t) .key = k, .level = CF_CLAIM, .type = t
#define LINE(k, t) .key = k, .level = CF_LINE, .type = t
#define ADMIN(k, t) .key = k, .level = CF_ADMIN, .type = t
#define TIME .set = read_time

static keytab_set_fn read_time;

const struct claim_field claim_fields[] = {
	{CLAIM("claim", CF_TEXT), .required = true, .max = CLAIM_REF_MAX,
	 IN(claim, ref)},
	{CLAIM("payer", CF_TEXT), .max = CLAIM_REF_MAX, IN(claim, payer)},
	{CLAIM("setting", CF_ENUM), .required = true,
	 .names = claim_setting_names, IN(claim, setting)},
	{CLAIM("provider", CF_TEXT), .max = CLAIM_REF_MAX, IN(claim, provider)},
	{CLAIM("date_of_service", CF_DATE), IN(claim, date_of_service),
	 SEEN(claim, has_date_of_service)},
	{CLAIM("encounter", CF_TEXT), .max = CLAIM_REF_MAX,
	 IN(claim, encounter)},
	{CLAIM("lines", CF_LIST), .max = CLAIMDOC_MAX_LINES, IN(claim, lines),
	 SEEN(claim, nlines), .child = CF_LINE,
	 .size = sizeof(struct claim_line)},
	{CLAIM("administrations", CF_LIST), .max = CLAIMDOC_MAX_ADMINS,
	 IN(claim, admins), SEEN(claim, nadmins), .child = CF_ADMIN,
	 .size = sizeof(struct administration)},

	{LINE("code", CF_CODE), .required = true, .len = 5,
	 IN(claim_line, code)},
	{LINE("units", CF_INT), .min = 1, .max = CLAIM_UNITS_MAX, .def = 1,
	 IN(claim_line, units)},
	{LINE("modifiers", CF_CODES), .max = CLAIM_MAX_MODIFIERS, .len = 2,
	 .item = "modifier", IN(claim_line, modifiers),
	 SEEN(claim_line, nmodifiers)},
	{LINE("service_date", CF_DATE), IN(claim_line, service_date),
	 SEEN(claim_line, has_service_date)},

	{ADMIN("id", CF_TEXT), .required = true, .max = CLAIM_REF_MAX,
	 IN(administration, id)},
	{ADMIN("substance", CF_TEXT), .required = true, .max = CLAIM_TEXT_MAX,
	 IN(administration, substance)},
	{ADMIN("kind", CF_ENUM), .required = true, .names = admin_kind_names,
	 IN(administration, kind)},
	{ADMIN("route", CF_ENUM), .names = admin_route_names,
	 IN(administration, route)},
	{ADMIN("site", CF_TEXT), .max = CLAIM_REF_MAX, .dflt = "",
	 IN(administration, site)},
	{ADMIN("start", CF_TIME), TIME, IN(administration, start)},
	{ADMIN("stop", CF_TIME), TIME, IN(administration, stop)},
	{ADMIN("primary", CF_BOOL), IN(administration, primary)},
	{ADMIN("separate_site_required", CF_BOOL),
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
	for (const struct claim_field *f = claim_fields; f->key; f++)
		if (f->level == level)
			keytab_default(&f->kt, obj);
}

/* Custom: a time is kept as written even when it cannot be parsed
 * (TIME_BAD), which the engine judges, not the reader; null is absent. */
static enum scrub_err
read_time(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	  void *obj)
{
	struct claim_time *t =
		(struct claim_time *)(void *)((char *)obj + k->offset);
	if (ynode_is_null(v)) {
		t->state = TIME_ABSENT;
		return SCRUB_OK;
	}
	enum scrub_err err =
		ynode_str(c, v, k->key, CLAIMFIELD_TIME_MAX, &t->text);
	if (err != SCRUB_OK)
		return err;
	t->state = isotime_parse(v->str, v->len, &t->t) ? TIME_OK : TIME_BAD;
	return SCRUB_OK;
}

enum scrub_err
claimfield_read(struct yctx *c, const struct claim_field *f,
		const struct ynode *v, void *obj)
{
	return keytab_set(c, &f->kt, claimfield_level_names[f->level], v, obj);
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

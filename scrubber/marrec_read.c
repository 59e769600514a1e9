/*
 * marrec_read — a MAR record back from the JSON object marrec_json_write
 * gave (as claimscrub.mar_event keeps it); see marrec.h.
 *
 * The row came through mar_store(), which checks only its shape, so the
 * reader is strict: every member it knows has its type and bounds, an
 * unknown member is refused, and a time must carry its offset, as the
 * readers that made the record required.
 */
#include "config.h"

#include <string.h>

#include "json.h"
#include "marrec.h"

/* No member of a record is longer in a record mar_store() took. */
#define MARREC_TEXT_MAX 600

static enum scrub_err
want_str(struct yctx *c, const struct ynode *n, const char *what,
	 const char **out)
{
	if (n->type != YNODE_SCALAR || n->plain)
		return ynode_error(c, n, "%s: must be a string", what);
	return ynode_str(c, n, what, MARREC_TEXT_MAX, out);
}

static enum scrub_err
want_time(struct yctx *c, const struct ynode *n, const char *what,
	  struct isotime *t)
{
	const char *s;
	enum scrub_err err = want_str(c, n, what, &s);
	if (err != SCRUB_OK)
		return err;
	if (!isotime_parse(s, n->len, t) || !t->has_offset)
		return ynode_error(
			c, n, "%s: '%s' is not a time with an offset", what, s);
	return SCRUB_OK;
}

static enum scrub_err
want_code(struct yctx *c, const struct ynode *n, struct mar_code *code)
{
	if (n->type != YNODE_MAP)
		return ynode_error(c, n, "a coding must be an object");
	*code = (struct mar_code){0};
	const struct ynode *sys = ymap_get(n, "system");
	const struct ynode *v = ymap_get(n, "code");
	int i = 0;
	enum scrub_err err =
		sys && v ? ynode_enum(c, sys, "system", mar_system_names, &i)
			 : ynode_error(c, n, "a coding needs system and code");
	code->system = (enum mar_system)i;
	for (size_t k = 0; k < n->n && err == SCRUB_OK; k++) {
		const char *key = n->keys[k]->str;
		const struct ynode *x = n->items[k];
		if (strcmp(key, "code") == 0)
			err = want_str(c, x, key, &code->code);
		else if (strcmp(key, "uri") == 0)
			err = want_str(c, x, key, &code->uri);
		else if (strcmp(key, "display") == 0)
			err = want_str(c, x, key, &code->display);
		else if (strcmp(key, "system") != 0)
			err = ynode_error(c, x, "unknown member '%s'", key);
	}
	return err;
}

static enum scrub_err
want_drugs(struct yctx *c, const struct ynode *n, struct mar_record *r)
{
	if (n->type != YNODE_SEQ || n->n > MAR_MAX_CODES)
		return ynode_error(c, n,
				   "drug: must be a list of at most %d "
				   "codings",
				   MAR_MAX_CODES);
	enum scrub_err err = SCRUB_OK;
	for (size_t i = 0; i < n->n && err == SCRUB_OK; i++)
		err = want_code(c, n->items[i], &r->drug[i]);
	r->ndrug = n->n;
	return err;
}

/* "FILE:LINE:COLUMN" where the record was read: file, line, column. */
static enum scrub_err
want_at(struct yctx *c, const struct ynode *n, struct mar_record *r)
{
	const char *s;
	enum scrub_err err = want_str(c, n, "at", &s);
	if (err != SCRUB_OK)
		return err;
	const char *col = strrchr(s, ':');
	const char *line = col ? memrchr(s, ':', (size_t)(col - s)) : NULL;
	unsigned l = 0, k = 0;
	for (const char *p = line ? line + 1 : s; line && p < col; p++)
		l = l < 100000000 && *p >= '0' && *p <= '9'
			    ? l * 10 + (unsigned)(*p - '0')
			    : 0;
	for (const char *p = col ? col + 1 : s; col && *p; p++)
		k = k < 100000000 && *p >= '0' && *p <= '9'
			    ? k * 10 + (unsigned)(*p - '0')
			    : 0;
	char *file =
		line ? arena_alloc(c->arena, (size_t)(line - s) + 1) : NULL;
	if (line && !file)
		return SCRUB_ENOMEM;
	if (file) {
		memcpy(file, s, (size_t)(line - s));
		file[line - s] = '\0';
	}
	r->file = file && *file ? file : NULL;
	r->line = l;
	r->column = k;
	return SCRUB_OK;
}

static enum scrub_err
member(struct yctx *c, const char *key, const struct ynode *x,
       struct mar_record *r)
{
	int i = 0;
	enum scrub_err err;
#define IS(k) (strcmp(key, k) == 0)
	if (IS("id"))
		return ynode_is_null(x) && x->plain
			       ? SCRUB_OK
			       : want_str(c, x, key, &r->id);
	if (IS("encounter"))
		return want_str(c, x, key, &r->encounter);
	if (IS("group"))
		return want_str(c, x, key, &r->group);
	if (IS("status")) {
		err = ynode_enum(c, x, key, mar_status_names, &i);
		r->status = (enum mar_status)i;
		return err;
	}
	if (IS("start"))
		return r->has_start = true, want_time(c, x, key, &r->start);
	if (IS("stop"))
		return r->has_stop = true, want_time(c, x, key, &r->stop);
	if (IS("instant"))
		return ynode_bool(c, x, key, &r->instant);
	if (IS("drug"))
		return want_drugs(c, x, r);
	if (IS("drug_text"))
		return want_str(c, x, key, &r->drug_text);
	if (IS("route"))
		return r->has_route = true, want_code(c, x, &r->route);
	if (IS("route_text"))
		return want_str(c, x, key, &r->route_text);
	if (IS("method_text"))
		return want_str(c, x, key, &r->method_text);
	if (IS("site"))
		return want_str(c, x, key, &r->site);
	if (IS("at"))
		return want_at(c, x, r);
#undef IS
	return ynode_error(c, x, "unknown member '%s'", key);
}

enum scrub_err
marrec_json_read(struct arena *a, const char *text, size_t len,
		 struct mar_record *r, struct diag_list *dl)
{
	struct ynode *root = NULL;
	struct yctx c = {a, dl};
	*r = (struct mar_record){.status = MAR_UNKNOWN};
	enum scrub_err err =
		json_parse(a, "mar_event", 1, text, len, &root, dl);
	if (err != SCRUB_OK)
		return err;
	if (root->type != YNODE_MAP)
		return ynode_error(&c, root, "a MAR record must be an object");
	for (size_t k = 0; k < root->n && err == SCRUB_OK; k++)
		err = member(&c, root->keys[k]->str, root->items[k], r);
	if (err == SCRUB_OK && !r->encounter)
		err = ynode_error(&c, root, "a MAR record needs its encounter");
	if (err == SCRUB_OK && r->instant && !(r->has_start && r->has_stop))
		err = ynode_error(&c, root,
				  "an instant has a start and a stop");
	return err;
}

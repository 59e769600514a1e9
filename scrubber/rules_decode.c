/*
 * rules_decode — the merged rule tree into a struct ruleset.
 *
 * Sections are decoded in dependency order: services, then the codes and
 * classification rows that name services, then base settings, then the
 * profiles that override them, then findings and companion codes.  Every
 * section reports all of its errors before the next one runs.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rules_int.h"

struct decoder {
	struct yctx c;
	struct ruleset *rs;
	bool base_ok; /* the base settings decoded without error */
};

static enum scrub_err
worst(enum scrub_err a, enum scrub_err b)
{
	if (a == SCRUB_ENOMEM || b == SCRUB_ENOMEM)
		return SCRUB_ENOMEM;
	return a != SCRUB_OK ? a : b;
}

static int
service_lookup(const struct ruleset *rs, const struct ynode *v)
{
	for (int i = 0; i < rs->nservices; i++)
		if (strlen(rs->services[i].name) == v->len &&
		    memcmp(rs->services[i].name, v->str, v->len) == 0)
			return i;
	return -1;
}

static enum scrub_err
want_service(struct decoder *d, const struct ynode *v, const char *what,
	     int *out)
{
	enum scrub_err err = ynode_want(&d->c, v, YNODE_SCALAR, what);
	if (err != SCRUB_OK)
		return err;
	*out = service_lookup(d->rs, v);
	if (*out >= 0)
		return SCRUB_OK;
	char q[80];
	ynode_quote(v, q, sizeof(q));
	return ynode_error(&d->c, v, "'%s' names unknown service %s", what, q);
}

static enum scrub_err
want_list(struct yctx *c, const struct ynode *v, const char *what,
	  size_t maxlen, struct rule_list *out)
{
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, what);
	if (err != SCRUB_OK)
		return err;
	if (v->n > RULES_MAX_LIST)
		return ynode_error(c, v, "'%s' has more than %d items", what,
				   RULES_MAX_LIST);
	out->n = 0;
	for (size_t i = 0; i < v->n; i++) {
		err = ynode_str(c, v->items[i], what, maxlen,
				&out->items[out->n]);
		if (err != SCRUB_OK)
			return err;
		out->n++;
	}
	return SCRUB_OK;
}

typedef enum scrub_err (*entry_fn)(struct decoder *, const struct ynode *key,
				   const struct ynode *value);

/* Calls fn for each name/value of a mapping of named entries. */
static enum scrub_err
each_entry(struct decoder *d, const struct ynode *map, const char *what,
	   entry_fn fn)
{
	enum scrub_err err = ynode_want(&d->c, map, YNODE_MAP, what);
	for (size_t i = 0;
	     err != SCRUB_ENOMEM && map->type == YNODE_MAP && i < map->n; i++)
		err = worst(err, fn(d, map->keys[i], map->items[i]));
	return err;
}

/* ---- services ------------------------------------------------------ */

static enum scrub_err
svc_rank(struct yctx *c, const struct ynode *v, void *obj)
{
	long r;
	enum scrub_err err = ynode_int(c, v, "rank", 1, 99, &r);
	if (err == SCRUB_OK)
		((struct rule_service *)obj)->rank = (int)r;
	return err;
}

static const char *const service_type_names[] = {"infusion", "push",
						 "injection", NULL};

static enum scrub_err
svc_type(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_enum(c, v, "type", service_type_names,
			  &((struct rule_service *)obj)->type);
}

static const struct ykey service_keys[] = {
	{"rank", true, svc_rank},
	{"type", true, svc_type},
	{NULL, false, NULL},
};

static enum scrub_err
decode_service(struct decoder *d, const struct ynode *k, const struct ynode *v)
{
	struct ruleset *rs = d->rs;
	if (rs->nservices == RULES_MAX_SERVICES)
		return ynode_error(&d->c, k, "more than %d services",
				   RULES_MAX_SERVICES);
	struct rule_service *s = &rs->services[rs->nservices];
	enum scrub_err err = ynode_str(&d->c, k, "service", 64, &s->name);
	err = worst(err, ymap_walk(&d->c, v, "service", service_keys, s));
	for (int r = 0; r < ROLE_COUNT; r++)
		s->code_for[r] = -1;
	if (err == SCRUB_OK)
		rs->nservices++;
	return err;
}

/* ---- codes ---------------------------------------------------------- */

struct code_in {
	struct decoder *d;
	struct rule_code code;
	const struct ynode *roles;
};

static enum scrub_err
code_service(struct yctx *c, const struct ynode *v, void *obj)
{
	(void)c;
	struct code_in *in = obj;
	return want_service(in->d, v, "service", &in->code.service);
}

static enum scrub_err
code_roles(struct yctx *c, const struct ynode *v, void *obj)
{
	struct code_in *in = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, "roles");
	if (err != SCRUB_OK)
		return err;
	if (v->n == 0)
		return ynode_error(c, v, "'roles' must name at least one role");
	for (size_t i = 0; i < v->n; i++) {
		int r;
		err = ynode_enum(c, v->items[i], "role", role_names, &r);
		if (err != SCRUB_OK)
			return err;
		in->code.roles |= 1u << r;
	}
	in->roles = v;
	return SCRUB_OK;
}

static enum scrub_err
code_addon(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_bool(c, v, "addon", &((struct code_in *)obj)->code.addon);
}

static const struct ykey code_keys[] = {
	{"service", true, code_service},
	{"roles", true, code_roles},
	{"addon", false, code_addon},
	{NULL, false, NULL},
};

/* Records the code as its service's code for each of its roles. */
static enum scrub_err
code_register(struct decoder *d, const struct code_in *in, int index)
{
	struct rule_service *s = &d->rs->services[in->code.service];
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!(in->code.roles & (1u << r)))
			continue;
		if (s->code_for[r] >= 0)
			return ynode_error(
				&d->c, in->roles,
				"service '%s' already has %s code %s", s->name,
				role_names[r],
				d->rs->codes[s->code_for[r]].code);
		s->code_for[r] = index;
	}
	return SCRUB_OK;
}

static enum scrub_err
decode_code(struct decoder *d, const struct ynode *k, const struct ynode *v)
{
	struct ruleset *rs = d->rs;
	struct code_in in = {.d = d, .code = {.addon = true, .service = -1}};

	if (rs->ncodes == RULES_MAX_CODES)
		return ynode_error(&d->c, k, "more than %d codes",
				   RULES_MAX_CODES);
	enum scrub_err err = ynode_str(&d->c, k, "code", 5, &in.code.code);
	if (err == SCRUB_OK && k->len != 5)
		err = ynode_error(&d->c, k, "a code has 5 characters");
	err = worst(err, ymap_walk(&d->c, v, "code", code_keys, &in));
	if (err != SCRUB_OK)
		return err;
	err = code_register(d, &in, rs->ncodes);
	if (err == SCRUB_OK)
		rs->codes[rs->ncodes++] = in.code;
	return err;
}

/* ---- classification rows ------------------------------------------- */

struct classify_in {
	struct decoder *d;
	struct rule_classify row;
};

static enum scrub_err
cls_kind(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_enum(c, v, "kind", admin_kind_names,
			  &((struct classify_in *)obj)->row.kind);
}

static enum scrub_err
cls_route(struct yctx *c, const struct ynode *v, void *obj)
{
	struct classify_in *in = obj;
	if (v->type == YNODE_SCALAR && strcmp(v->str, "any") == 0) {
		in->row.route = -1;
		return SCRUB_OK;
	}
	return ynode_enum(c, v, "route", admin_route_names, &in->row.route);
}

static enum scrub_err
cls_service(struct yctx *c, const struct ynode *v, void *obj)
{
	(void)c;
	struct classify_in *in = obj;
	return want_service(in->d, v, "service", &in->row.service);
}

static enum scrub_err
cls_short(struct yctx *c, const struct ynode *v, void *obj)
{
	(void)c;
	struct classify_in *in = obj;
	return want_service(in->d, v, "short_as", &in->row.short_as);
}

static enum scrub_err
cls_timed(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_bool(c, v, "timed",
			  &((struct classify_in *)obj)->row.timed);
}

static const struct ykey classify_keys[] = {
	{"kind", true, cls_kind},	{"route", true, cls_route},
	{"service", true, cls_service}, {"timed", false, cls_timed},
	{"short_as", false, cls_short}, {NULL, false, NULL},
};

static enum scrub_err
decode_classify(struct decoder *d, const struct ynode *seq)
{
	struct ruleset *rs = d->rs;
	enum scrub_err err = ynode_want(&d->c, seq, YNODE_SEQ, "classify");
	if (err != SCRUB_OK)
		return err;
	for (size_t i = 0; i < seq->n; i++) {
		struct classify_in in = {.d = d, .row = {.short_as = -1}};
		if (rs->nclassify == RULES_MAX_CLASSIFY)
			return ynode_error(&d->c, seq->items[i],
					   "more than %d classify rows",
					   RULES_MAX_CLASSIFY);
		enum scrub_err e =
			ymap_walk(&d->c, seq->items[i], "classify row",
				  classify_keys, &in);
		if (e == SCRUB_OK)
			rs->classify[rs->nclassify++] = in.row;
		err = worst(err, e);
	}
	return err;
}

/* ---- settings (base and per profile) -------------------------------- */

enum setting_type { SET_INT, SET_ENUM, SET_MODIFIER, SET_MODLIST };

struct setting_def {
	const char *name;
	enum setting_type type;
	size_t offset;
	long min, max;
	const char *const *names;
};

static const char *const limit_names[] = {"encounter", "date", NULL};
static const char *const segment_names[] = {"sum", "separate", NULL};
static const char *const missing_names[] = {"hold", "push", NULL};
static const char *const same_drug_names[] = {"facility_only", "always",
					      "never", NULL};
static const char *const primary_names[] = {"marked", "hierarchy", NULL};
static const char *const sc_initial_names[] = {"separate", "hierarchy", NULL};

#define SET_I(n, lo, hi) \
	{ \
#n, SET_INT, offsetof(struct rule_settings, n), lo, hi, NULL \
	}
#define SET_E(n, names) \
	{ \
#n, SET_ENUM, offsetof(struct rule_settings, n), 0, 0, names \
	}

static const struct setting_def setting_defs[] = {
	SET_I(push_max_minutes, 0, 1440),
	SET_I(hydration_min_minutes, 1, 1440),
	SET_I(addon_threshold_minutes, 1, 1440),
	SET_I(hour_minutes, 1, 1440),
	SET_I(max_run_minutes, 1, 10080),
	SET_I(same_drug_push_window_minutes, 0, 1440),
	SET_I(concurrent_min_overlap_minutes, 1, 1440),
	SET_I(max_lines, 1, 10000),
	SET_I(max_administrations, 1, 10000),
	SET_I(max_derive_steps, 1000, 1000000000),
	SET_E(concurrent_limit, limit_names),
	SET_E(same_drug_segments, segment_names),
	SET_E(initial_per, limit_names),
	SET_E(missing_time, missing_names),
	SET_E(same_drug_push, same_drug_names),
	SET_E(professional_primary, primary_names),
	SET_E(subcutaneous_initial, sc_initial_names),
	{"distinct_site_modifier", SET_MODIFIER,
	 offsetof(struct rule_settings, distinct_site_modifier), 0, 0, NULL},
	{"distinct_site_accepted", SET_MODLIST,
	 offsetof(struct rule_settings, distinct_site_accepted), 0, 0, NULL},
	{NULL, SET_INT, 0, 0, 0, NULL},
};

const char *
rules_setting_name(size_t i)
{
	return i < sizeof(setting_defs) / sizeof(setting_defs[0])
		       ? setting_defs[i].name
		       : NULL;
}

static const struct setting_def *
setting_find(const struct ynode *k)
{
	for (const struct setting_def *s = setting_defs; s->name; s++)
		if (strlen(s->name) == k->len &&
		    memcmp(s->name, k->str, k->len) == 0)
			return s;
	return NULL;
}

static enum scrub_err
setting_set(struct yctx *c, const struct setting_def *def,
	    const struct ynode *v, struct rule_settings *out)
{
	char *field = (char *)out + def->offset;
	long l;
	enum scrub_err err = SCRUB_OK;
	switch (def->type) {
	case SET_INT:
		err = ynode_int(c, v, def->name, def->min, def->max, &l);
		if (err == SCRUB_OK)
			*(long *)(void *)field = l;
		return err;
	case SET_ENUM:
		return ynode_enum(c, v, def->name, def->names,
				  (int *)(void *)field);
	case SET_MODIFIER:
		err = ynode_str(c, v, def->name, 2,
				(const char **)(void *)field);
		if (err == SCRUB_OK && v->len != 2)
			err = ynode_error(c, v,
					  "'%s' must be a 2-character modifier",
					  def->name);
		return err;
	case SET_MODLIST:
		return want_list(c, v, def->name, 2,
				 (struct rule_list *)(void *)field);
	}
	return err;
}

/* Applies a settings mapping onto out; with `complete`, every setting must
 * be present (the base settings). */
static enum scrub_err
decode_settings(struct yctx *c, const struct ynode *map, bool complete,
		struct rule_settings *out)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, "settings");
	if (err != SCRUB_OK)
		return err;
	for (size_t i = 0; i < map->n; i++) {
		const struct setting_def *def = setting_find(map->keys[i]);
		if (!def) {
			char q[80];
			ynode_quote(map->keys[i], q, sizeof(q));
			err = worst(err, ynode_error(c, map->keys[i],
						     "unknown setting %s", q));
			continue;
		}
		err = worst(err, setting_set(c, def, map->items[i], out));
	}
	for (const struct setting_def *s = setting_defs; complete && s->name;
	     s++)
		if (!ymap_get(map, s->name))
			err = worst(err,
				    ynode_error(c, map, "settings has no '%s'",
						s->name));
	return err;
}

/* A distinct-site modifier the profile itself does not accept is a mistake.
 * Reported at the value that made it so: the modifier if this mapping sets
 * it, else the accepted list, else the mapping. */
static enum scrub_err
check_settings(struct yctx *c, const struct ynode *map,
	       const struct rule_settings *s)
{
	if (rules_list_has(&s->distinct_site_accepted,
			   s->distinct_site_modifier))
		return SCRUB_OK;
	const struct ynode *at = ymap_get(map, "distinct_site_modifier");
	if (!at)
		at = ymap_get(map, "distinct_site_accepted");
	return ynode_error(
		c, at ? at : map,
		"distinct_site_modifier '%s' is not in distinct_site_accepted",
		s->distinct_site_modifier);
}

/* ---- profiles -------------------------------------------------------- */

struct profile_in {
	struct rule_profile *p;
	bool base_ok; /* judge the whole only over sound base settings */
};

static enum scrub_err
prof_settings(struct yctx *c, const struct ynode *v, void *obj)
{
	struct profile_in *in = obj;
	enum scrub_err err = decode_settings(c, v, false, &in->p->settings);
	if (err == SCRUB_OK && in->base_ok)
		err = check_settings(c, v, &in->p->settings);
	return err;
}

static const struct ykey profile_keys[] = {
	{"settings", false, prof_settings},
	{NULL, false, NULL},
};

static enum scrub_err
decode_profile(struct decoder *d, const struct ynode *k, const struct ynode *v)
{
	struct ruleset *rs = d->rs;
	if (rs->nprofiles == RULES_MAX_PROFILES)
		return ynode_error(&d->c, k, "more than %d profiles",
				   RULES_MAX_PROFILES);
	struct rule_profile *p = &rs->profiles[rs->nprofiles];
	struct profile_in in = {p, d->base_ok};
	enum scrub_err err = ynode_str(&d->c, k, "profile", 64, &p->name);
	p->settings = rs->settings;
	if (err == SCRUB_OK && !ynode_is_null(v))
		err = ymap_walk(&d->c, v, "profile", profile_keys, &in);
	if (err == SCRUB_OK)
		rs->nprofiles++;
	return err;
}

/* ---- findings --------------------------------------------------------- */

struct finding_in {
	struct rule_finding *f;
};

static enum scrub_err
fnd_severity(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_enum(c, v, "severity", severity_names,
			  &((struct finding_in *)obj)->f->severity);
}

static enum scrub_err
fnd_enabled(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_bool(c, v, "enabled",
			  &((struct finding_in *)obj)->f->enabled);
}

/* Every {name} in a message must be a known placeholder. */
static enum scrub_err
check_template(struct yctx *c, const struct ynode *v)
{
	const char *s = v->str;
	while ((s = strchr(s, '{')) != NULL) {
		const char *end = strchr(s, '}');
		if (!end)
			return ynode_error(c, v, "message has an unclosed '{'");
		bool known = false;
		for (int i = 0; finding_placeholders[i] && !known; i++)
			known = strlen(finding_placeholders[i]) ==
					(size_t)(end - s - 1) &&
				memcmp(finding_placeholders[i], s + 1,
				       (size_t)(end - s - 1)) == 0;
		if (!known)
			return ynode_error(
				c, v, "message uses unknown placeholder '%.*s'",
				(int)(end - s + 1 > 40 ? 40 : end - s + 1), s);
		s = end + 1;
	}
	return SCRUB_OK;
}

static enum scrub_err
fnd_message(struct yctx *c, const struct ynode *v, void *obj)
{
	enum scrub_err err = ynode_str(c, v, "message", 400,
				       &((struct finding_in *)obj)->f->message);
	return err == SCRUB_OK ? check_template(c, v) : err;
}

static const struct ykey finding_keys[] = {
	{"severity", true, fnd_severity},
	{"enabled", false, fnd_enabled},
	{"message", true, fnd_message},
	{NULL, false, NULL},
};

static enum scrub_err
decode_finding(struct decoder *d, const struct ynode *k, const struct ynode *v)
{
	int id = k->type == YNODE_SCALAR ? finding_lookup(k->str, k->len) : -1;
	if (id < 0) {
		char q[80];
		ynode_quote(k, q, sizeof(q));
		return ynode_error(&d->c, k, "unknown finding id %s", q);
	}
	struct rule_finding *f = &d->rs->findings[id];
	struct finding_in in = {f};
	f->enabled = true;
	return ymap_walk(&d->c, v, "finding", finding_keys, &in);
}

/* ---- companions ------------------------------------------------------ */

#define COMP_LIST(field, max) \
	static enum scrub_err comp_##field(struct yctx *c, \
					   const struct ynode *v, void *obj) \
	{ \
		return want_list(c, v, #field, max, \
				 &((struct rule_companions *)obj)->field); \
	}
COMP_LIST(iv_start, 5)
COMP_LIST(nurse_visit, 5)
COMP_LIST(em_visit, 5)
COMP_LIST(drug_line_prefixes, 4)

static enum scrub_err
comp_em_modifier(struct yctx *c, const struct ynode *v, void *obj)
{
	return ynode_str(c, v, "em_modifier", 2,
			 &((struct rule_companions *)obj)->em_modifier);
}

static const struct ykey companion_keys[] = {
	{"iv_start", true, comp_iv_start},
	{"nurse_visit", true, comp_nurse_visit},
	{"em_visit", true, comp_em_visit},
	{"em_modifier", true, comp_em_modifier},
	{"drug_line_prefixes", true, comp_drug_line_prefixes},
	{NULL, false, NULL},
};

/* ---- the whole set -------------------------------------------------- */

static const char *const sections[] = {
	"services", "codes",	"classify",   "settings",
	"profiles", "findings", "companions", NULL,
};

/* Reports unknown top-level keys and missing sections. */
static enum scrub_err
check_sections(struct yctx *c, const struct ynode *top)
{
	enum scrub_err err = SCRUB_OK;
	int dummy;
	/* a merged period can be anything a file was: only a mapping has keys */
	if (top->type != YNODE_MAP)
		return ynode_error(c, top, "the rule set must be a mapping");
	for (size_t i = 0; i < top->n; i++)
		if (top->keys[i]->type != YNODE_SCALAR ||
		    (strcmp(top->keys[i]->str, "fees") != 0 && /* optional */
		     ynode_enum(c, top->keys[i], "section", sections, &dummy) !=
			     SCRUB_OK))
			err = SCRUB_EINPUT;
	for (int s = 0; sections[s]; s++)
		if (!ymap_get(top, sections[s]))
			err = worst(err, ynode_error(c, top,
						     "the rule set has no '%s'",
						     sections[s]));
	return err;
}

/* Findings without a message (only when the findings decoded cleanly, so
 * a broken entry is not reported twice) and the default profile. */
static enum scrub_err
check_complete(struct decoder *d, const struct ynode *top, bool findings_ok)
{
	enum scrub_err err = SCRUB_OK;
	const struct ynode *fn = ymap_get(top, "findings");
	for (int i = 0; findings_ok && fn && i < F_COUNT; i++)
		if (!d->rs->findings[i].message)
			err = worst(err, ynode_error(&d->c, fn,
						     "findings has no '%s'",
						     finding_names[i]));
	d->rs->default_profile = -1;
	for (int i = 0; i < d->rs->nprofiles; i++)
		if (strcmp(d->rs->profiles[i].name, "default") == 0)
			d->rs->default_profile = i;
	const struct ynode *pn = ymap_get(top, "profiles");
	if (d->rs->default_profile < 0 && pn && pn->type == YNODE_MAP &&
	    !ymap_get(pn, "default"))
		err = worst(err, ynode_error(&d->c, pn,
					     "profiles has no 'default'"));
	return err;
}

/* Base settings, then (when they are sound) their own consistency; the
 * profiles are decoded either way, but only judged as a whole over sound
 * base settings. */
static enum scrub_err
decode_all_settings(struct decoder *d, const struct ynode *top)
{
	const struct ynode *sn = ymap_get(top, "settings");
	enum scrub_err err = SCRUB_OK;
	if (sn) {
		err = decode_settings(&d->c, sn, true, &d->rs->settings);
		if (err == SCRUB_OK)
			err = check_settings(&d->c, sn, &d->rs->settings);
	}
	d->base_ok = sn && err == SCRUB_OK;
	const struct ynode *pn = ymap_get(top, "profiles");
	if (pn)
		err = worst(err, each_entry(d, pn, "profiles", decode_profile));
	return err;
}

/*
 * Decodes as much as can be decoded, so that one run reports every error:
 * a missing or broken section skips only what depends on it (the codes and
 * classification rows when the services are broken).
 */
enum scrub_err
rules__decode(struct yctx *c, const struct ynode *top, struct ruleset *rs)
{
	struct decoder d = {*c, rs, false};
	enum scrub_err err = check_sections(c, top);
	const struct ynode *sv = ymap_get(top, "services");
	enum scrub_err svc =
		sv ? each_entry(&d, sv, "services", decode_service) : SCRUB_OK;
	err = worst(err, svc);
	if (sv && svc == SCRUB_OK) {
		const struct ynode *cn = ymap_get(top, "codes");
		const struct ynode *kn = ymap_get(top, "classify");
		if (cn)
			err = worst(err,
				    each_entry(&d, cn, "codes", decode_code));
		if (kn)
			err = worst(err, decode_classify(&d, kn));
	}
	err = worst(err, decode_all_settings(&d, top));
	const struct ynode *fn = ymap_get(top, "findings");
	enum scrub_err fe =
		fn ? each_entry(&d, fn, "findings", decode_finding) : SCRUB_OK;
	err = worst(err, fe);
	const struct ynode *on = ymap_get(top, "companions");
	if (on)
		err = worst(err, ymap_walk(c, on, "companions", companion_keys,
					   &rs->companions));
	const struct ynode *feen = ymap_get(top, "fees");
	if (feen)
		err = worst(err, rules__decode_fees(c, feen, rs));
	if (err == SCRUB_ENOMEM)
		return err;
	return worst(err, check_complete(&d, top, fe == SCRUB_OK));
}

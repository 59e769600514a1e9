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

#include "keytab.h"
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

#define AT(obj, k, T) ((T *)(void *)((char *)(obj) + (k)->offset))

/* Custom: a service is looked up in the rule set, which the struct being
 * read (struct code_in, struct classify_in) holds in its first member. */
static enum scrub_err
set_service(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	    void *obj)
{
	(void)c;
	struct decoder *d = *(struct decoder **)obj;
	return want_service(d, v, k->key, AT(obj, k, int));
}

/* Custom: a list of texts of at most k->len bytes into a struct rule_list,
 * which only the rules have. */
static enum scrub_err
set_list(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	 void *obj)
{
	struct rule_list *out = AT(obj, k, struct rule_list);
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, k->key);
	if (err != SCRUB_OK)
		return err;
	if (v->n > RULES_MAX_LIST)
		return ynode_error(c, v, "'%s' has more than %d items", k->key,
				   RULES_MAX_LIST);
	out->n = 0;
	for (size_t i = 0; i < v->n; i++) {
		err = ynode_str(c, v->items[i], k->key, k->len,
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

static const char *const service_type_names[] = {"infusion", "push",
						 "injection", NULL};

static const struct keytab_key service_keys[] = {
	{.key = "rank",
	 .type = KT_INT,
	 .required = true,
	 .min = 1,
	 .max = 99,
	 .offset = offsetof(struct rule_service, rank)},
	{.key = "type",
	 .type = KT_ENUM,
	 .required = true,
	 .names = service_type_names,
	 .offset = offsetof(struct rule_service, type)},
	{.key = NULL},
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
	err = worst(err, keytab_walk(&d->c, v, "service", service_keys, s));
	for (int r = 0; r < ROLE_COUNT; r++)
		s->code_for[r] = -1;
	if (err == SCRUB_OK)
		rs->nservices++;
	return err;
}

/* ---- codes ---------------------------------------------------------- */

struct code_in {
	struct decoder *d; /* first: set_service */
	struct rule_code code;
	const struct ynode *roles;
};

/* Custom: a set of roles, and where it was for code_register. */
static enum scrub_err
code_roles(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	   void *obj)
{
	struct code_in *in = obj;
	enum scrub_err err = ynode_want(c, v, YNODE_SEQ, k->key);
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

static const struct keytab_key code_keys[] = {
	{.key = "service",
	 .type = KT_CUSTOM,
	 .required = true,
	 .set = set_service,
	 .offset = offsetof(struct code_in, code.service)},
	{.key = "roles",
	 .type = KT_CUSTOM,
	 .required = true,
	 .set = code_roles},
	{.key = "addon",
	 .type = KT_BOOL,
	 .offset = offsetof(struct code_in, code.addon)},
	{.key = NULL},
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
	err = worst(err, keytab_walk(&d->c, v, "code", code_keys, &in));
	if (err != SCRUB_OK)
		return err;
	err = code_register(d, &in, rs->ncodes);
	if (err == SCRUB_OK)
		rs->codes[rs->ncodes++] = in.code;
	return err;
}

/* ---- classification rows ------------------------------------------- */

struct classify_in {
	struct decoder *d; /* first: set_service */
	struct rule_classify row;
};

/* Custom: a route, or "any" (-1). */
static enum scrub_err
cls_route(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	  void *obj)
{
	int *route = AT(obj, k, int);
	if (v->type == YNODE_SCALAR && strcmp(v->str, "any") == 0) {
		*route = -1;
		return SCRUB_OK;
	}
	return ynode_enum(c, v, k->key, admin_route_names, route);
}

#define CLS(m) .offset = offsetof(struct classify_in, row.m)

static const struct keytab_key classify_keys[] = {
	{.key = "kind",
	 .type = KT_ENUM,
	 .required = true,
	 .names = admin_kind_names,
	 CLS(kind)},
	{.key = "route",
	 .type = KT_CUSTOM,
	 .required = true,
	 .set = cls_route,
	 CLS(route)},
	{.key = "service",
	 .type = KT_CUSTOM,
	 .required = true,
	 .set = set_service,
	 CLS(service)},
	{.key = "timed", .type = KT_BOOL, CLS(timed)},
	{.key = "short_as",
	 .type = KT_CUSTOM,
	 .set = set_service,
	 CLS(short_as)},
	{.key = NULL},
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
			keytab_walk(&d->c, seq->items[i], "classify row",
				    classify_keys, &in);
		if (e == SCRUB_OK)
			rs->classify[rs->nclassify++] = in.row;
		err = worst(err, e);
	}
	return err;
}

/* ---- settings (base and per profile) -------------------------------- */

static const char *const limit_names[] = {"encounter", "date", NULL};
static const char *const segment_names[] = {"sum", "separate", NULL};
static const char *const missing_names[] = {"hold", "push", NULL};
static const char *const same_drug_names[] = {"facility_only", "always",
					      "never", NULL};
static const char *const primary_names[] = {"marked", "hierarchy", NULL};
static const char *const sc_initial_names[] = {"separate", "hierarchy", NULL};

#define SETTING(n, t) \
	.key = #n, .type = t, .offset = offsetof(struct rule_settings, n)
#define SET_I(n, lo, hi) \
	{ \
		SETTING(n, KT_INT), .wide = true, .min = lo, .max = hi \
	}
#define SET_E(n, e) \
	{ \
		SETTING(n, KT_ENUM), .names = e \
	}

/* Not required here: the base settings must have every one, a profile's
 * any (decode_settings). */
static const struct keytab_key setting_keys[] = {
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
	{SETTING(distinct_site_modifier, KT_TEXT), .max = 2, .len = 2,
	 .item = "modifier"},
	{SETTING(distinct_site_accepted, KT_CUSTOM), .set = set_list, .len = 2},
	{.key = NULL},
};

const char *
rules_setting_name(size_t i)
{
	return i < sizeof(setting_keys) / sizeof(setting_keys[0])
		       ? setting_keys[i].key
		       : NULL;
}

/* Applies a settings mapping onto out; with `complete`, every setting must
 * be present (the base settings).  Not keytab_walk: the rule files have
 * always said "unknown setting" and "settings has no", and a profile's
 * settings are all optional. */
static enum scrub_err
decode_settings(struct yctx *c, const struct ynode *map, bool complete,
		struct rule_settings *out)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, "settings");
	if (err != SCRUB_OK)
		return err;
	for (size_t i = 0; i < map->n; i++) {
		const struct keytab_key *k =
			keytab_find(setting_keys, map->keys[i]);
		if (!k) {
			char q[80];
			ynode_quote(map->keys[i], q, sizeof(q));
			err = worst(err, ynode_error(c, map->keys[i],
						     "unknown setting %s", q));
			continue;
		}
		err = worst(err,
			    keytab_set(c, k, "settings", map->items[i], out));
	}
	for (const struct keytab_key *k = setting_keys; complete && k->key; k++)
		if (!ymap_get(map, k->key))
			err = worst(err,
				    ynode_error(c, map, "settings has no '%s'",
						k->key));
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

/* Custom: a profile's settings, over a copy of the base settings. */
static enum scrub_err
prof_settings(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	      void *obj)
{
	(void)k;
	struct profile_in *in = obj;
	enum scrub_err err = decode_settings(c, v, false, &in->p->settings);
	if (err == SCRUB_OK && in->base_ok)
		err = check_settings(c, v, &in->p->settings);
	return err;
}

static const struct keytab_key profile_keys[] = {
	{.key = "settings", .type = KT_CUSTOM, .set = prof_settings},
	{.key = NULL},
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
		err = keytab_walk(&d->c, v, "profile", profile_keys, &in);
	if (err == SCRUB_OK)
		rs->nprofiles++;
	return err;
}

/* ---- findings --------------------------------------------------------- */

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

/* Custom: a text of at most k->max bytes that is a valid template. */
static enum scrub_err
fnd_message(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	    void *obj)
{
	enum scrub_err err = ynode_str(c, v, k->key, (size_t)k->max,
				       AT(obj, k, const char *));
	return err == SCRUB_OK ? check_template(c, v) : err;
}

#define FND(m) .offset = offsetof(struct rule_finding, m)

static const struct keytab_key finding_keys[] = {
	{.key = "severity",
	 .type = KT_ENUM,
	 .required = true,
	 .names = severity_names,
	 FND(severity)},
	{.key = "enabled", .type = KT_BOOL, FND(enabled)},
	{.key = "message",
	 .type = KT_CUSTOM,
	 .required = true,
	 .set = fnd_message,
	 .max = 400,
	 FND(message)},
	{.key = NULL},
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
	f->enabled = true;
	return keytab_walk(&d->c, v, "finding", finding_keys, f);
}

/* ---- companions ------------------------------------------------------ */

#define COMP(m, n) \
	.key = #m, .type = KT_CUSTOM, .required = true, .set = set_list, \
	.len = n, .offset = offsetof(struct rule_companions, m)

static const struct keytab_key companion_keys[] = {
	{COMP(iv_start, 5)},
	{COMP(nurse_visit, 5)},
	{COMP(em_visit, 5)},
	{.key = "em_modifier",
	 .type = KT_TEXT,
	 .required = true,
	 .max = 2,
	 .offset = offsetof(struct rule_companions, em_modifier)},
	{COMP(drug_line_prefixes, 4)},
	{.key = NULL},
};

/* ---- the whole set -------------------------------------------------- */

static const char *const sections[] = {
	"services", "codes",	"classify",   "settings",
	"profiles", "findings", "companions", NULL,
};

/* The sections a rule set may do without. */
static bool
optional_section(const char *name)
{
	return strcmp(name, "fees") == 0 || strcmp(name, "payers") == 0 ||
	       strcmp(name, "mar_map") == 0 || strcmp(name, "setting_map") == 0;
}

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
		    (!optional_section(top->keys[i]->str) &&
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
		err = worst(err, keytab_walk(c, on, "companions",
					     companion_keys, &rs->companions));
	const struct ynode *feen = ymap_get(top, "fees");
	if (feen)
		err = worst(err, rules__decode_fees(c, feen, rs));
	const struct ynode *payn = ymap_get(top, "payers");
	if (payn)
		err = worst(err, rules__decode_payers(c, payn, rs));
	const struct ynode *marn = ymap_get(top, "mar_map");
	if (marn)
		err = worst(err, rules__decode_marmap(c, marn, rs));
	const struct ynode *setn = ymap_get(top, "setting_map");
	if (setn)
		err = worst(err, rules__decode_setmap(c, setn, rs));
	if (err == SCRUB_ENOMEM)
		return err;
	return worst(err, check_complete(&d, top, fe == SCRUB_OK));
}

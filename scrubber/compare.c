/*
 * compare — explain the difference between billed and expected codes.
 *
 * A ledger holds, per key (a catalogue code, and whether it is billed or
 * expected as a second initial with a distinct-site modifier), the units
 * billed and expected.  Units of a key cancel out; what is left is surplus
 * (on the billed lines that hold it) or missing.  Each surplus is named by
 * one finding, whose suggestion takes its units off the line and, where the
 * record supports an unbilled code in their place, bills that code instead;
 * each missing unit left is named by one finding that adds it.  So every
 * billed unit is judged once, and applying every suggestion gives the
 * expected codes (SEMANTICS.md, "Comparison with the billed lines").
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compare.h"

struct entry {
	const struct rule_code *rc;
	bool distinct;	      /* a second initial, with a distinct modifier */
	int billed, expected; /* totals */
	int le;		      /* expected units not billed nor suggested */
	int admin;	      /* first administration behind it, -1 if none */
};

struct cmp {
	const struct ruleset *rs;
	const struct rule_settings *s;
	const struct claim *c;
	const struct derivation *d;
	struct result *r;
	struct entry *e;
	int n;
	/* per billed line: its catalogue code (or NULL), its entry (or -1),
	 * its units no expected unit matched, and the modifier that
	 * modifier-conflict takes off it (or NULL) */
	const struct rule_code **lrc;
	int *lentry;
	int *surplus;
	bool *edited; /* a finding took units of the line */
	int *taken;   /* units of the line findings took */
	/* surplus units that are initials billed beyond those supported:
	 * the latest lines' */
	int *dup;
	const char **conflict;
	int extra_initials;  /* unmodified initials billed beyond supported */
	bool *used_run;	     /* short runs already named */
	bool addon_named;    /* addon-without-primary given */
	bool primary_billed; /* a code that is no add-on is billed */
	bool primary_fixed;  /* a suggestion bills one */
};

static bool
has_role(const struct rule_code *rc, enum code_role role)
{
	return (rc->roles & (1u << role)) != 0;
}

static bool
initial_only(const struct rule_code *rc)
{
	return rc->roles == (1u << ROLE_INITIAL);
}

static bool
hours_only(const struct rule_code *rc)
{
	return rc->roles == (1u << ROLE_ADDITIONAL_HOUR);
}

static struct result_finding *
finding(struct cmp *x, enum finding_id id, int line, int admin)
{
	return result__finding(x->r, x->rs, id, line, admin);
}

/* ---- the ledger -------------------------------------------------------- */

static bool
distinct_modifier(const struct cmp *x, const char *mod)
{
	return rules_list_has(&x->s->distinct_site_accepted, mod);
}

/* A line counts as a second initial when its code can be an initial and
 * it carries a modifier the profile accepts for a distinct site. */
static bool
line_distinct(const struct cmp *x, size_t i)
{
	const struct claim_line *l = &x->c->lines[i];
	if (!x->lrc[i] || !has_role(x->lrc[i], ROLE_INITIAL))
		return false;
	for (int k = 0; k < l->nmodifiers; k++)
		if (distinct_modifier(x, l->modifiers[k]))
			return true;
	return false;
}

static int
entry_for(struct cmp *x, const struct rule_code *rc, bool distinct)
{
	for (int i = 0; i < x->n; i++)
		if (x->e[i].rc == rc && x->e[i].distinct == distinct)
			return i;
	x->e[x->n] =
		(struct entry){.rc = rc, .distinct = distinct, .admin = -1};
	return x->n++;
}

static struct entry *
entry_find(struct cmp *x, const struct rule_code *rc, bool distinct)
{
	for (int i = 0; i < x->n; i++)
		if (x->e[i].rc == rc && x->e[i].distinct == distinct)
			return &x->e[i];
	return NULL;
}

/* The entry of a code index (plain or distinct), or NULL. */
static struct entry *
entry_of_code(struct cmp *x, int code_index, bool distinct)
{
	if (code_index < 0)
		return NULL;
	return entry_find(x, &x->rs->codes[code_index], distinct);
}

static void
ledger_build(struct cmp *x)
{
	int plain_initials = 0;
	for (size_t i = 0; i < x->c->nlines; i++) {
		x->lentry[i] = -1;
		if (!x->lrc[i])
			continue;
		bool distinct = line_distinct(x, i);
		x->lentry[i] = entry_for(x, x->lrc[i], distinct);
		x->e[x->lentry[i]].billed += x->c->lines[i].units;
		if (!distinct && initial_only(x->lrc[i]))
			plain_initials += x->c->lines[i].units;
	}
	for (int i = 0; i < x->r->ncodes; i++) {
		const struct result_code *rc = &x->r->codes[i];
		struct entry *e = &x->e[entry_for(
			x, rules_code(x->rs, rc->code), rc->modifier != NULL)];
		e->expected += rc->units;
		if (e->admin < 0)
			e->admin = rc->admins[0];
	}
	x->extra_initials = plain_initials - x->d->initial_units;
	for (int i = 0; i < x->n; i++)
		x->primary_billed |= x->e[i].billed > 0 && !x->e[i].rc->addon;
}

static bool
x_family(const char *m)
{
	return strcmp(m, "59") == 0 || (m[0] == 'X' && strchr("EPSU", m[1]));
}

/* A line whose 59 or X modifier its key does not call for (XS on an add-on,
 * XP on an initial): its units are the first to be surplus. */
static bool
stray_modifier(const struct cmp *x, size_t i)
{
	const struct claim_line *l = &x->c->lines[i];
	bool distinct = x->e[x->lentry[i]].distinct;
	for (int k = 0; k < l->nmodifiers; k++)
		if (x_family(l->modifiers[k]) &&
		    (!distinct || !distinct_modifier(x, l->modifiers[k])))
			return true;
	return false;
}

/* Billed and expected units of a key cancel out: first a line billing just
 * the initial units expected, then earlier lines, and lines with a stray modifier
 * last.  The surplus is on those, then on the latest lines: a line whose
 * units are all of another code stays whole (96369 x2 billed for 96370 x2
 * beside a right 96369). */
static void
match_units(struct cmp *x)
{
	int extra = x->extra_initials;
	for (int k = 0; k < x->n; k++) {
		struct entry *e = &x->e[k];
		int match = e->billed < e->expected ? e->billed : e->expected;
		e->le = e->expected - match;
		for (size_t i = 0; i < x->c->nlines; i++)
			if (x->lentry[i] == k)
				x->surplus[i] = x->c->lines[i].units;
		for (int pass = 0; pass < 3; pass++)
			for (size_t i = 0; i < x->c->nlines; i++) {
				int u = x->surplus[i];
				if (x->lentry[i] != k || u == 0 ||
				    stray_modifier(x, i) != (pass == 2) ||
				    (pass == 0 &&
				     (u != match ||
				      !has_role(e->rc, ROLE_INITIAL))))
					continue;
				int kept = u < match ? u : match;
				match -= kept;
				x->surplus[i] = u - kept;
			}
	}
	for (size_t i = x->c->nlines; i-- > 0 && extra > 0;) {
		int k = x->lentry[i];
		if (k < 0 || x->e[k].distinct || !initial_only(x->e[k].rc))
			continue;
		x->dup[i] = x->surplus[i] < extra ? x->surplus[i] : extra;
		extra -= x->dup[i];
	}
}

/* ---- suggestions ------------------------------------------------------- */

/* The line's modifiers that are not distinct-site ones, plus `add`. */
static void
keep_modifiers(const struct cmp *x, const struct claim_line *l, const char *add,
	       struct suggest *s)
{
	s->nmodifiers = 0;
	for (int k = 0; k < l->nmodifiers; k++) {
		const char *m = l->modifiers[k];
		if (!distinct_modifier(x, m) && strcmp(m, "59") != 0 &&
		    m[0] != 'X' && s->nmodifiers < CLAIM_MAX_MODIFIERS)
			s->modifiers[s->nmodifiers++] = m;
	}
	if (add && s->nmodifiers < CLAIM_MAX_MODIFIERS)
		s->modifiers[s->nmodifiers++] = add;
}

/* Takes k units off line i: the whole line (remove), the line's only
 * edit (set-units: what it bills then), or some units (remove k). */
static void
suggest_take(struct cmp *x, struct result_finding *f, int i, int k)
{
	const struct claim_line *l = &x->c->lines[i];
	struct suggest *s;
	if (k < l->units && !x->edited[i] && k == x->surplus[i])
		s = result__suggest(f, SUGGEST_SET_UNITS, l->code, l->units - k,
				    NULL);
	else
		s = result__suggest(f, SUGGEST_REMOVE, NULL, 0, NULL);
	if (s)
		s->take = k;
	x->surplus[i] -= k;
	x->taken[i] += k;
	x->edited[i] = true;
}

/* Bills `units` of entry o in place of k units of line i. */
static void
suggest_replace(struct cmp *x, struct result_finding *f, int i, int k,
		struct entry *o, int units)
{
	const struct claim_line *l = &x->c->lines[i];
	struct suggest *s =
		result__suggest(f, SUGGEST_REPLACE, o->rc->code, units, NULL);
	if (s) {
		s->take = k;
		keep_modifiers(
			x, l, o->distinct ? x->s->distinct_site_modifier : NULL,
			s);
	}
	x->surplus[i] -= k;
	x->taken[i] += k;
	x->edited[i] = true;
	x->primary_fixed |= !o->rc->addon;
	o->le -= units;
}

/* An add-on hour stands in for a billed code of its own service only (a
 * second 96365 for the next day's bag of the same drug is its 96366). */
static bool
pairable(const struct entry *o, const struct entry *e, bool same_service)
{
	if (o == e || o->le <= 0 || (hours_only(o->rc) && !same_service))
		return false;
	return same_service ? o->rc->service == e->rc->service
			    : (o->rc->roles & e->rc->roles) != 0;
}

/*
 * The unbilled code the record supports in place of surplus units of e: an
 * unbilled initial (an error that takes away the primary suggests the right
 * one; unmodified ones first), else a code of the same service, else of the
 * same role, else, for a billed initial, any unbilled code; NULL when none.
 */
static struct entry *
pair_for(struct cmp *x, const struct entry *e)
{
	for (int pass = 0; !e->distinct && pass < 2; pass++)
		for (int i = 0; i < x->n; i++) {
			struct entry *m = &x->e[i];
			if (m != e && m->le > 0 && m->distinct == (pass == 1) &&
			    initial_only(m->rc))
				return m;
		}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < x->n; i++)
			if (pairable(&x->e[i], e, pass == 0))
				return &x->e[i];
	/* an initial billed for a service of another family ("every
	 * administration its own initial"): what that service is coded as */
	for (int i = 0; initial_only(e->rc) && i < x->n; i++) {
		struct entry *o = &x->e[i];
		if (o != e && o->le > 0 && !hours_only(o->rc))
			return o;
	}
	return NULL;
}

/* Bills o in place of up to n surplus units of line i: as many units as
 * are taken, but a code with an hour role takes all n and bills every unit
 * the record supports (96360 x1 billed for 96361 x2 is that 96361 x2). */
static void
replace_with(struct cmp *x, struct result_finding *f, int i, int n,
	     struct entry *o)
{
	bool hours = has_role(o->rc, ROLE_ADDITIONAL_HOUR);
	int k = hours || n < o->le ? n : o->le;
	suggest_replace(x, f, i, k, o, hours ? o->le : k);
}

/* Replaces n surplus units of line i by o, or takes them when o is NULL. */
static void
suggest_instead(struct cmp *x, struct result_finding *f, int i, int n,
		struct entry *o)
{
	if (o)
		replace_with(x, f, i, n, o);
	else
		suggest_take(x, f, i, n);
}

/* Replaces up to n units of line i by pair_for()'s code, else takes them. */
static void
suggest_pair(struct cmp *x, struct result_finding *f, int i, int n)
{
	suggest_instead(x, f, i, n, pair_for(x, &x->e[x->lentry[i]]));
}

/* ---- 1. modifiers ------------------------------------------------------ */

static const char *const x_modifiers[] = {"XE", "XP", "XS", "XU", NULL};

/* Of 59 and an X modifier together, the one to take off: one the profile
 * does not accept, else the one that is not its distinct-site modifier
 * (CMS prefers X{EPSU}), so a supported second site keeps its flag. */
static const char *
conflict_drop(const struct cmp *x, const char *xmod)
{
	if (!distinct_modifier(x, xmod))
		return xmod;
	if (!distinct_modifier(x, "59"))
		return "59";
	return strcmp(x->s->distinct_site_modifier, "59") == 0 ? xmod : "59";
}

static void
check_modifiers(struct cmp *x)
{
	for (size_t i = 0; i < x->c->nlines; i++) {
		const struct claim_line *l = &x->c->lines[i];
		if (!claim_line_has_modifier(l, "59"))
			continue;
		for (int k = 0; x_modifiers[k]; k++) {
			if (!claim_line_has_modifier(l, x_modifiers[k]))
				continue;
			struct result_finding *f =
				finding(x, F_MODIFIER_CONFLICT, (int)i + 1, -1);
			result__ev_str(f, "code", l->code);
			result__ev_str(f, "modifier", x_modifiers[k]);
			x->conflict[i] = conflict_drop(x, x_modifiers[k]);
			result__suggest(f, SUGGEST_REMOVE_MODIFIER, NULL, 0,
					x->conflict[i]);
			break;
		}
	}
}

/* ---- 2. held administrations ------------------------------------------ */

/* An administration without valid times absorbs the surplus units of its
 * own service's codes; its time findings name the first such line. */
static void
absorb_held(struct cmp *x)
{
	for (size_t i = 0; i < x->c->nadmins; i++) {
		if (!x->d->held[i])
			continue;
		const struct rule_classify *cls = rules_classify(
			x->rs, x->c->admins[i].kind, x->c->admins[i].route);
		int line = 0;
		for (size_t k = 0; cls && k < x->c->nlines; k++) {
			if (x->surplus[k] <= 0 ||
			    x->lrc[k]->service != cls->service)
				continue;
			if (!line)
				line = (int)k + 1;
			x->surplus[k] = 0;
		}
		for (int k = 0; line && k < x->r->nfindings; k++) {
			struct result_finding *f = &x->r->findings[k];
			if (f->admin == (int)i && !f->line &&
			    (f->id == F_MISSING_START_TIME ||
			     f->id == F_MISSING_STOP_TIME ||
			     f->id == F_INVALID_TIME))
				f->line = line;
		}
	}
}

/* ---- 3. surplus billed units ------------------------------------------ */

/* The line's distinct-site modifier that modifier-conflict leaves on it. */
static const char *
line_distinct_mod(const struct cmp *x, size_t i)
{
	const struct claim_line *l = &x->c->lines[i];
	for (int k = 0; k < l->nmodifiers; k++)
		if (distinct_modifier(x, l->modifiers[k]) &&
		    (!x->conflict[i] ||
		     strcmp(x->conflict[i], l->modifiers[k]) != 0))
			return l->modifiers[k];
	return NULL;
}

/* True when adding mod to the line would put 59 beside an X modifier. */
static bool
would_conflict(const struct claim_line *l, const char *mod)
{
	bool add59 = strcmp(mod, "59") == 0;
	for (int k = 0; k < l->nmodifiers; k++) {
		const char *m = l->modifiers[k];
		if (add59 ? m[0] == 'X' : strcmp(m, "59") == 0)
			return true;
	}
	return false;
}

/* The same code is supported with the other distinct flag: a modifier the
 * record does not support, or a second site billed without one. */
static bool
explain_swap(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	struct entry *o = entry_find(x, e->rc, !e->distinct);
	if (!o || o->le <= 0)
		return false;
	const struct claim_line *l = &x->c->lines[i];
	int k = x->surplus[i] < o->le ? x->surplus[i] : o->le;
	bool whole = k == l->units;
	struct result_finding *f = finding(
		x,
		e->distinct ? F_DISTINCT_SITE_UNSUPPORTED : F_DUPLICATE_INITIAL,
		(int)i + 1, o->admin);
	result__ev_str(f, "code", l->code);
	if (e->distinct && whole) {
		const char *m = line_distinct_mod(x, i);
		result__ev_str(f, "modifier", m);
		result__suggest(f, SUGGEST_REMOVE_MODIFIER, NULL, 0, m);
		x->surplus[i] -= k;
		o->le -= k;
	} else if (!e->distinct && whole &&
		   !would_conflict(l, x->s->distinct_site_modifier)) {
		result__ev_int(f, "units", k);
		result__suggest(f, SUGGEST_ADD_MODIFIER, NULL, 0,
				x->s->distinct_site_modifier);
		x->surplus[i] -= k;
		o->le -= k;
	} else {
		result__ev_str(f, "modifier", line_distinct_mod(x, i));
		suggest_replace(x, f, i, k, o, k);
	}
	return true;
}

/* A short run (15 minutes or less) of the billed infusion code's service. */
static const struct run *
short_run_for(struct cmp *x, const struct rule_code *rc)
{
	for (int i = 0; i < x->d->nruns; i++) {
		const struct run *r = &x->d->runs[i];
		if (r->converted && !r->fallback && !x->used_run[i] &&
		    r->cls->service == rc->service && !r->hydration) {
			x->used_run[i] = true;
			return r;
		}
	}
	return NULL;
}

static bool
explain_short(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	if (has_role(e->rc, ROLE_ADDITIONAL_HOUR))
		return false;
	const struct run *r = short_run_for(x, e->rc);
	if (!r)
		return false;
	/* a short run whose push code is billed, or that is part of another
	 * service (a push within the same-drug window), is accounted for */
	struct entry *alt = r->nproduced
				    ? entry_of_code(x, r->produced[0],
						    r->initial && r->modifier)
				    : NULL;
	if (!alt || alt->le <= 0)
		return false;
	struct result_finding *f =
		finding(x, F_INFUSION_UNDER_16, (int)i + 1, r->segs[0]);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "minutes", r->minutes);
	suggest_replace(x, f, i, 1, alt, 1);
	return true;
}

/* Hydration billed for too little time, or for time shared with a drug. */
static bool
explain_hydration(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	const struct run *under = NULL, *overlap = NULL;
	for (int k = 0; k < x->d->nruns; k++) {
		const struct run *r = &x->d->runs[k];
		if (!r->hydration || r->service != e->rc->service)
			continue;
		if (r->minutes < x->s->hydration_min_minutes && !under)
			under = r;
		else if (r->net < r->minutes && !overlap)
			overlap = r;
	}
	const struct run *r = under ? under : overlap;
	if (!r)
		return false;
	struct result_finding *f = finding(
		x, under ? F_HYDRATION_UNDER_31 : F_HYDRATION_CONCURRENT,
		(int)i + 1, r->segs[0]);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "minutes", r->minutes);
	if (!under) {
		result__ev_int(f, "overlap", r->minutes - r->net);
		result__ev_int(f, "expected", e->expected);
	}
	suggest_pair(x, f, i, x->surplus[i]);
	return true;
}

/* True when a reportable run became the code's service. */
static bool
documented(const struct cmp *x, const struct rule_code *rc)
{
	for (int k = 0; k < x->d->nruns; k++)
		if (x->d->runs[k].reportable &&
		    x->d->runs[k].service == rc->service)
			return true;
	return false;
}

/* An add-on billed with no primary code on the claim, where the record
 * supports a primary: the add-on's units are that primary (a 96366 billed
 * for the first hour is its 96365). */
static bool
explain_no_primary(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	struct entry *m = entry_of_code(x, x->d->main_initial, false);
	if (!e->rc->addon || x->addon_named || x->primary_billed || !m ||
	    m->le <= 0)
		return false;
	struct result_finding *f =
		finding(x, F_ADDON_WITHOUT_PRIMARY, (int)i + 1, m->admin);
	result__ev_str(f, "code", e->rc->code);
	x->addon_named = true;
	replace_with(x, f, i, x->surplus[i], m);
	return true;
}

/* More unmodified initials billed than the record supports. */
static bool
explain_duplicate(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	if (!initial_only(e->rc) || e->distinct || x->dup[i] <= 0)
		return false;
	/* a code of a service nobody documented, all of whose units another
	 * code stands for, is a wrong code, not a second initial */
	struct entry *o = pair_for(x, e);
	if (!documented(x, e->rc) && o && o->le >= x->surplus[i])
		return false;
	int n = x->surplus[i] < x->dup[i] ? x->surplus[i] : x->dup[i];
	struct result_finding *f =
		finding(x, F_DUPLICATE_INITIAL, (int)i + 1, -1);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "units", n);
	x->dup[i] -= n;
	suggest_instead(x, f, i, n, o);
	return true;
}

/* A distinct-site modifier on an initial the record does not support as a
 * second one. */
static bool
explain_unsupported_site(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	if (!e->distinct)
		return false;
	struct result_finding *f =
		finding(x, F_DISTINCT_SITE_UNSUPPORTED, (int)i + 1, -1);
	result__ev_str(f, "code", e->rc->code);
	result__ev_str(f, "modifier", line_distinct_mod(x, i));
	suggest_pair(x, f, i, x->surplus[i]);
	return true;
}

/* Facility: a documented lower-ranked service billed as the initial while
 * the supported initial is not billed. */
static bool
explain_wrong_initial(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	struct entry *m = entry_of_code(x, x->d->main_initial, false);
	if (x->c->setting != SETTING_FACILITY || !initial_only(e->rc) ||
	    e->distinct || !m || m->le <= 0)
		return false;
	int rank = x->rs->services[m->rc->service].rank;
	if (!documented(x, e->rc) ||
	    x->rs->services[e->rc->service].rank <= rank)
		return false;
	struct result_finding *f =
		finding(x, F_WRONG_INITIAL, (int)i + 1, m->admin);
	result__ev_str(f, "code", e->rc->code);
	replace_with(x, f, i, x->surplus[i], m);
	return true;
}

static bool
explain_concurrent(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	if (!has_role(e->rc, ROLE_CONCURRENT) ||
	    e->billed <= x->d->concurrent_allowed)
		return false;
	struct result_finding *f =
		finding(x, F_CONCURRENT_UNITS, (int)i + 1, e->admin);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "billed", e->billed);
	result__ev_int(f, "limit", x->d->concurrent_allowed);
	suggest_pair(x, f, i, x->surplus[i]);
	return true;
}

/* Another code of the same service or role is what the record supports. */
static bool
explain_substitute(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	struct entry *o = hours_only(e->rc) ? NULL : pair_for(x, e);
	if (!o)
		return false;
	struct result_finding *f =
		finding(x, F_UNDOCUMENTED_SERVICE, (int)i + 1, o->admin);
	result__ev_str(f, "code", e->rc->code);
	replace_with(x, f, i, x->surplus[i], o);
	return true;
}

/* What is left: too many hours, too many units, or nothing documented. */
static void
explain_rest(struct cmp *x, size_t i)
{
	struct entry *e = &x->e[x->lentry[i]];
	enum finding_id id = has_role(e->rc, ROLE_ADDITIONAL_HOUR)
				     ? F_ADDITIONAL_HOUR_UNSUPPORTED
			     : e->expected > 0 ? F_UNITS_MISMATCH
					       : F_UNDOCUMENTED_SERVICE;
	struct result_finding *f =
		finding(x, id, (int)i + 1, e->expected > 0 ? e->admin : -1);
	result__ev_str(f, "code", e->rc->code);
	if (id != F_UNDOCUMENTED_SERVICE) {
		result__ev_int(f, "billed", e->billed);
		result__ev_int(f, "expected", e->expected);
	}
	/* an hour billed for its service's unbilled initial (96370 for
	 * 96369) is that code */
	struct entry *o = NULL;
	for (int k = 0; hours_only(e->rc) && !o && k < x->n; k++)
		if (pairable(&x->e[k], e, true))
			o = &x->e[k];
	suggest_instead(x, f, i, x->surplus[i], o);
}

static void
explain_surplus(struct cmp *x, size_t i)
{
	while (x->surplus[i] > 0) {
		if (explain_swap(x, i) || explain_no_primary(x, i) ||
		    explain_short(x, i) || explain_hydration(x, i) ||
		    explain_wrong_initial(x, i) || explain_duplicate(x, i) ||
		    explain_unsupported_site(x, i) ||
		    explain_concurrent(x, i) || explain_substitute(x, i))
			continue;
		explain_rest(x, i);
	}
}

/* ---- 4. expected units left ------------------------------------------- */

/* The first line billing this entry's key, or -1. */
static int
line_of(const struct cmp *x, const struct entry *e)
{
	for (size_t i = 0; i < x->c->nlines; i++)
		if (x->lentry[i] >= 0 && &x->e[x->lentry[i]] == e)
			return (int)i;
	return -1;
}

/* True when another code of the same service is billed: missing add-on
 * hours there are hours missed, not a whole service unbilled. */
static bool
service_billed(const struct cmp *x, const struct entry *e)
{
	for (int i = 0; i < x->n; i++)
		if (x->e[i].billed > 0 && x->e[i].rc->service == e->rc->service)
			return true;
	return false;
}

static int
first_addon_line(const struct cmp *x)
{
	for (size_t i = 0; i < x->c->nlines; i++)
		if (x->lrc[i] && x->lrc[i]->addon)
			return (int)i + 1;
	return 0;
}

static enum finding_id
missing_id(struct cmp *x, const struct entry *e, int line)
{
	if (!e->rc->addon && !x->primary_billed && !x->primary_fixed &&
	    first_addon_line(x) && !x->addon_named) {
		x->addon_named = true;
		return F_ADDON_WITHOUT_PRIMARY;
	}
	if (has_role(e->rc, ROLE_ADDITIONAL_HOUR) && service_billed(x, e))
		return F_ADDITIONAL_HOUR_MISSED;
	return line >= 0 ? F_UNITS_MISMATCH : F_UNBILLED_SERVICE;
}

static void
explain_expected(struct cmp *x, struct entry *e)
{
	if (e->le <= 0)
		return;
	int line = line_of(x, e);
	enum finding_id id = missing_id(x, e, line);
	int fline = id == F_ADDON_WITHOUT_PRIMARY ? first_addon_line(x)
		    : line >= 0			  ? line + 1
						  : 0;
	struct result_finding *f = finding(x, id, fline, e->admin);
	if (id == F_ADDON_WITHOUT_PRIMARY) {
		/* the add-on billed alone; the suggestion names the primary */
		result__ev_str(f, "code", x->c->lines[fline - 1].code);
	} else {
		result__ev_str(f, "code", e->rc->code);
		result__ev_int(f, "billed", e->billed);
		result__ev_int(f, "expected", e->expected);
		result__ev_int(f, "units", e->le);
	}
	struct suggest *s;
	if (line >= 0 && id != F_ADDON_WITHOUT_PRIMARY) {
		result__suggest(f, SUGGEST_SET_UNITS, e->rc->code,
				x->c->lines[line].units + e->le, NULL);
	} else if ((s = result__suggest(f, SUGGEST_ADD, e->rc->code, e->le,
					NULL)) &&
		   e->distinct) {
		s->modifiers[s->nmodifiers++] = x->s->distinct_site_modifier;
	}
	x->primary_fixed |= !e->rc->addon;
	e->le = 0;
}

/* ---- 5. add-ons, 6. companion lines, 7. unchecked ---------------------- */

/* An add-on that stays billed with no primary, and none the record supports
 * to add. */
static void
check_addons(struct cmp *x)
{
	if (x->addon_named || x->primary_billed || x->primary_fixed)
		return;
	for (size_t i = 0; i < x->c->nlines; i++) {
		const struct rule_code *rc = x->lrc[i];
		if (!rc || !rc->addon || x->taken[i] >= x->c->lines[i].units)
			continue;
		struct result_finding *f =
			finding(x, F_ADDON_WITHOUT_PRIMARY, (int)i + 1, -1);
		result__ev_str(f, "code", rc->code);
		result__suggest(f, SUGGEST_REVIEW, NULL, 0, NULL);
	}
}

static bool
drug_line(const struct rule_companions *cp, const char *code)
{
	for (int i = 0; i < cp->drug_line_prefixes.n; i++) {
		const char *p = cp->drug_line_prefixes.items[i];
		if (strncmp(code, p, strlen(p)) == 0)
			return true;
	}
	return false;
}

/* The companion rule that judges a line's code, or -1. */
static int
companion_rule(const struct ruleset *rs, const char *code)
{
	switch (rules_companion(rs, code)) {
	case COMPANION_IV_START:
		return F_IV_START_BUNDLED;
	case COMPANION_NURSE_VISIT:
		return F_NURSE_VISIT_BUNDLED;
	case COMPANION_EM_VISIT:
		return F_EM_NEEDS_MODIFIER_25;
	case COMPANION_NONE:
		break;
	}
	return drug_line(&rs->companions, code) ? F_DRUG_LINE_MISSING : -1;
}

static void
check_companions(struct cmp *x)
{
	const struct rule_companions *cp = &x->rs->companions;
	bool admin_billed = false, drug = false;
	for (int i = 0; i < x->n; i++)
		admin_billed |= x->e[i].billed > 0;
	if (!admin_billed)
		return;
	for (size_t i = 0; i < x->c->nlines; i++) {
		const struct claim_line *l = &x->c->lines[i];
		int rule = companion_rule(x->rs, l->code);
		if (rule == F_DRUG_LINE_MISSING)
			drug = true;
		if (rule < 0 || rule == F_DRUG_LINE_MISSING ||
		    (rule == F_EM_NEEDS_MODIFIER_25 &&
		     claim_line_has_modifier(l, cp->em_modifier)))
			continue;
		struct result_finding *f =
			finding(x, (enum finding_id)rule, (int)i + 1, -1);
		result__ev_str(f, "code", l->code);
		if (rule == F_EM_NEEDS_MODIFIER_25) {
			result__suggest(f, SUGGEST_ADD_MODIFIER, NULL, 0,
					cp->em_modifier);
		} else {
			struct suggest *s = result__suggest(f, SUGGEST_REMOVE,
							    NULL, 0, NULL);
			if (s)
				s->take = l->units;
		}
	}
	if (!drug) {
		struct result_finding *f =
			finding(x, F_DRUG_LINE_MISSING, 0, -1);
		result__suggest(f, SUGGEST_REVIEW, NULL, 0, NULL);
	}
}

static void
list_unchecked(struct cmp *x)
{
	for (size_t i = 0; i < x->c->nlines; i++) {
		const char *code = x->c->lines[i].code;
		if (!x->lrc[i] && companion_rule(x->rs, code) < 0)
			x->r->unchecked[x->r->nunchecked++] = (int)i + 1;
	}
}

static enum scrub_err
cmp_alloc(struct cmp *x)
{
	struct arena *a = x->r->arena;
	size_t nl = x->c->nlines + 1;
	x->e = arena_calloc(a, 2 * (nl + (size_t)x->r->ncodes) + 2,
			    sizeof(*x->e));
	x->lrc = arena_calloc(a, nl, sizeof(*x->lrc));
	x->lentry = arena_calloc(a, nl, sizeof(int));
	x->surplus = arena_calloc(a, nl, sizeof(int));
	x->dup = arena_calloc(a, nl, sizeof(int));
	x->edited = arena_calloc(a, nl, sizeof(bool));
	x->taken = arena_calloc(a, nl, sizeof(int));
	x->conflict = arena_calloc(a, nl, sizeof(*x->conflict));
	x->used_run = arena_calloc(a, (size_t)x->d->nruns + 1, sizeof(bool));
	if (!x->e || !x->lrc || !x->lentry || !x->surplus || !x->dup ||
	    !x->edited || !x->taken || !x->conflict || !x->used_run)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < x->c->nlines; i++)
		x->lrc[i] = rules_code(x->rs, x->c->lines[i].code);
	return SCRUB_OK;
}

enum scrub_err
compare(const struct ruleset *rs, const struct claim *c,
	const struct derivation *d, struct result *r)
{
	struct cmp x = {.rs = rs, .s = d->s, .c = c, .d = d, .r = r};
	if (cmp_alloc(&x) != SCRUB_OK)
		return SCRUB_ENOMEM;
	ledger_build(&x);
	match_units(&x);
	check_modifiers(&x);
	absorb_held(&x);
	for (size_t i = 0; i < c->nlines; i++)
		explain_surplus(&x, i);
	for (int i = 0; i < x.n; i++)
		explain_expected(&x, &x.e[i]);
	check_addons(&x);
	check_companions(&x);
	list_unchecked(&x);
	return SCRUB_OK;
}

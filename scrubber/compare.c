/*
 * compare — explain the difference between billed and expected codes.
 *
 * A ledger holds, per catalogue code, the units billed and expected that no
 * finding has explained yet.  Each pass takes what it can explain off the
 * ledger, so every billed unit is judged once: matched, or named by exactly
 * one finding.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compare.h"

struct entry {
	const struct rule_code *rc;
	int billed, expected; /* totals */
	int lb, le;	      /* left: not yet matched or explained */
	int line;	      /* first billed line with the code, 0 if none */
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
	/* each billed line's catalogue entry (or NULL), looked up once */
	const struct rule_code **lrc;
};

static struct entry *
entry_for(struct cmp *x, const struct rule_code *rc)
{
	for (int i = 0; i < x->n; i++)
		if (x->e[i].rc == rc)
			return &x->e[i];
	struct entry *e = &x->e[x->n++];
	*e = (struct entry){.rc = rc, .admin = -1};
	return e;
}

static void
ledger_build(struct cmp *x)
{
	for (size_t i = 0; i < x->c->nlines; i++) {
		const struct rule_code *rc = x->lrc[i];
		if (!rc)
			continue;
		struct entry *e = entry_for(x, rc);
		e->billed += x->c->lines[i].units;
		if (!e->line)
			e->line = (int)i + 1;
	}
	for (int i = 0; i < x->r->ncodes; i++) {
		const struct result_code *rc = &x->r->codes[i];
		struct entry *e = entry_for(x, rules_code(x->rs, rc->code));
		e->expected += rc->units;
		if (e->admin < 0)
			e->admin = rc->admins[0];
	}
	for (int i = 0; i < x->n; i++) {
		x->e[i].lb = x->e[i].billed;
		x->e[i].le = x->e[i].expected;
	}
}

static struct entry *
entry_of_code(struct cmp *x, int code_index)
{
	if (code_index < 0)
		return NULL;
	const struct rule_code *rc = &x->rs->codes[code_index];
	for (int i = 0; i < x->n; i++)
		if (x->e[i].rc == rc)
			return &x->e[i];
	return NULL;
}

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

static struct result_finding *
finding(struct cmp *x, enum finding_id id, int line, int admin)
{
	return result__finding(x->r, x->rs, id, line, admin);
}

/* ---- 1. modifiers ------------------------------------------------------ */

static const char *const x_modifiers[] = {"XE", "XP", "XS", "XU", NULL};

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
			result__suggest(f, SUGGEST_REMOVE_MODIFIER, NULL, 0,
					"59");
			break;
		}
	}
}

/* ---- 2. initials ------------------------------------------------------- */

static bool
distinct_modifier(const struct cmp *x, const struct claim_line *l)
{
	for (int i = 0; i < l->nmodifiers; i++)
		if (rules_list_has(&x->s->distinct_site_accepted,
				   l->modifiers[i]))
			return true;
	return false;
}

static int
expected_unmodified(const struct cmp *x, const char *code)
{
	int n = 0;
	for (int i = 0; i < x->r->ncodes; i++)
		if (x->r->codes[i].initial && !x->r->codes[i].modifier &&
		    strcmp(x->r->codes[i].code, code) == 0)
			n += x->r->codes[i].units;
	return n;
}

/*
 * Suggests what to bill instead of n surplus initial units of rc on line:
 * the service's subsequent code where the record supports more of it than
 * is billed, else removal.  Takes the units off the ledger.
 */
static void
surplus_initial(struct cmp *x, struct result_finding *f,
		const struct rule_code *rc, int n)
{
	const struct rule_service *svc = &x->rs->services[rc->service];
	struct entry *sub = entry_of_code(x, svc->code_for[ROLE_SUBSEQUENT]);
	struct entry *self = entry_for(x, rc);
	int avail = sub ? sub->le - sub->lb : 0;
	self->lb -= n;
	if (avail > 0) {
		int k = avail < n ? avail : n;
		sub->le -= k;
		result__suggest(f, SUGGEST_REPLACE, sub->rc->code, k, NULL);
	} else {
		result__suggest(f, SUGGEST_REMOVE, NULL, 0, NULL);
	}
}

/* Units of each unmodified line kept as the billed initial(s): first those
 * matching an expected initial code, then the earliest lines. */
static void
keep_initials(struct cmp *x, int *keep)
{
	/* the first billed initial is the claim's initial even when the record
	 * supports none (other findings say why) */
	int left = x->d->initial_units > 0 ? x->d->initial_units : 1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < x->c->nlines && left > 0; i++) {
			const struct claim_line *l = &x->c->lines[i];
			const struct rule_code *rc = x->lrc[i];
			if (!rc || !initial_only(rc) || distinct_modifier(x, l))
				continue;
			int want = pass == 0 ? expected_unmodified(x, l->code)
					     : left;
			for (size_t k = 0; pass == 0 && k < i; k++)
				if (strcmp(x->c->lines[k].code, l->code) == 0)
					want -= keep[k];
			int take = l->units - keep[i];
			take = take < want ? take : want;
			take = take < left ? take : left;
			if (take > 0) {
				keep[i] += take;
				left -= take;
			}
		}
	}
}

static void
check_initials(struct cmp *x)
{
	int *keep = arena_calloc(x->r->arena, x->c->nlines + 1, sizeof(int));
	int second = x->d->second_initial_units;
	if (!keep)
		return;
	keep_initials(x, keep);
	for (size_t i = 0; i < x->c->nlines; i++) {
		const struct claim_line *l = &x->c->lines[i];
		const struct rule_code *rc = x->lrc[i];
		if (!rc || !initial_only(rc))
			continue;
		bool mod = distinct_modifier(x, l);
		int extra = mod ? l->units : l->units - keep[i];
		int ok = extra < second ? extra : second;
		second -= ok;
		extra -= ok;
		if (extra <= 0 && !(!mod && ok > 0))
			continue;
		if (!mod) {
			/* a documented second site billed without the modifier */
			struct result_finding *f =
				finding(x, F_DUPLICATE_INITIAL, (int)i + 1, -1);
			result__ev_str(f, "code", l->code);
			result__ev_int(f, "units", ok + extra);
			if (ok > 0)
				result__suggest(f, SUGGEST_ADD_MODIFIER, NULL,
						0,
						x->s->distinct_site_modifier);
			if (extra > 0)
				surplus_initial(x, f, rc, extra);
		} else {
			struct result_finding *f = finding(
				x, F_DISTINCT_SITE_UNSUPPORTED, (int)i + 1, -1);
			result__ev_str(f, "code", l->code);
			result__ev_str(f, "modifier", l->modifiers[0]);
			surplus_initial(x, f, rc, extra);
		}
	}
}

/* ---- 3. matching, 4. held administrations ----------------------------- */

static void
match_units(struct cmp *x)
{
	for (int i = 0; i < x->n; i++) {
		int m = x->e[i].lb < x->e[i].le ? x->e[i].lb : x->e[i].le;
		x->e[i].lb -= m;
		x->e[i].le -= m;
	}
}

/* An administration without valid times absorbs the unexplained billed units
 * of its own service's codes; its time findings name the first such line. */
static void
absorb_held(struct cmp *x)
{
	for (size_t i = 0; i < x->c->nadmins; i++) {
		if (!x->d->held[i])
			continue;
		const struct rule_classify *cls = rules_classify(
			x->rs, x->c->admins[i].kind, x->c->admins[i].route);
		int line = 0;
		for (int k = 0; cls && k < x->n; k++) {
			struct entry *e = &x->e[k];
			if (e->lb <= 0 || e->rc->service != cls->service)
				continue;
			if (!line || (e->line && e->line < line))
				line = e->line;
			e->lb = 0;
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

/* ---- 5. leftover billed units ----------------------------------------- */

/* A run that ran too short for the service of the billed code. */
static const struct run *
short_run_for(struct cmp *x, const struct rule_code *rc, bool *used)
{
	for (int i = 0; i < x->d->nruns; i++) {
		const struct run *r = &x->d->runs[i];
		if (r->converted && !r->fallback && !used[i] &&
		    r->cls->service == rc->service && !r->hydration) {
			used[i] = true;
			return r;
		}
	}
	return NULL;
}

static bool
explain_short(struct cmp *x, struct entry *e, bool *used)
{
	if (has_role(e->rc, ROLE_ADDITIONAL_HOUR))
		return false;
	const struct run *r = short_run_for(x, e->rc, used);
	if (!r)
		return false;
	struct result_finding *f =
		finding(x, F_INFUSION_UNDER_16, e->line, r->segs[0]);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "minutes", r->minutes);
	struct entry *alt =
		r->nproduced ? entry_of_code(x, r->produced[0]) : NULL;
	if (alt && alt->le > 0) {
		alt->le--;
		result__suggest(f, SUGGEST_REPLACE, alt->rc->code, 1, NULL);
	} else {
		result__suggest(f, SUGGEST_REMOVE, NULL, 0, NULL);
	}
	e->lb--;
	return true;
}

/* Hydration billed for too little time, or for time shared with a drug. */
static bool
explain_hydration(struct cmp *x, struct entry *e)
{
	const struct run *under = NULL, *overlap = NULL;
	for (int i = 0; i < x->d->nruns; i++) {
		const struct run *r = &x->d->runs[i];
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
		e->line, r->segs[0]);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "minutes", r->minutes);
	if (!under) {
		result__ev_int(f, "overlap", r->minutes - r->net);
		result__ev_int(f, "expected", e->expected);
	}
	if (e->expected > 0)
		result__suggest(f, SUGGEST_SET_UNITS, e->rc->code, e->expected,
				NULL);
	else
		result__suggest(f, SUGGEST_REMOVE, NULL, 0, NULL);
	e->lb = 0;
	return true;
}

/* Facility: a documented lower-ranked service billed as the initial. */
static bool
explain_wrong_initial(struct cmp *x, struct entry *e)
{
	struct entry *main = entry_of_code(x, x->d->main_initial);
	if (x->c->setting != SETTING_FACILITY || !initial_only(e->rc) ||
	    !main || main->le <= 0)
		return false;
	int main_rank = x->rs->services[main->rc->service].rank;
	bool documented = false;
	for (int i = 0; i < x->d->nruns && !documented; i++)
		documented = x->d->runs[i].reportable &&
			     x->d->runs[i].service == e->rc->service;
	if (!documented || x->rs->services[e->rc->service].rank <= main_rank)
		return false;
	struct result_finding *f =
		finding(x, F_WRONG_INITIAL, e->line, main->admin);
	result__ev_str(f, "code", e->rc->code);
	result__suggest(f, SUGGEST_REPLACE, main->rc->code, 1, NULL);
	e->lb--;
	main->le--;
	return true;
}

static void
units_finding(struct cmp *x, enum finding_id id, struct entry *e, int line)
{
	struct result_finding *f = finding(x, id, line, e->admin);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "billed", e->billed);
	result__ev_int(f, "expected", e->expected);
	if (e->expected == 0)
		result__suggest(f, SUGGEST_REMOVE, NULL, 0, NULL);
	else if (e->billed == 0)
		result__suggest(f, SUGGEST_ADD, e->rc->code, e->expected, NULL);
	else
		result__suggest(f, SUGGEST_SET_UNITS, e->rc->code, e->expected,
				NULL);
}

static bool
explain_concurrent(struct cmp *x, struct entry *e)
{
	if (!has_role(e->rc, ROLE_CONCURRENT) ||
	    e->billed <= x->d->concurrent_allowed)
		return false;
	struct result_finding *f =
		finding(x, F_CONCURRENT_UNITS, e->line, e->admin);
	result__ev_str(f, "code", e->rc->code);
	result__ev_int(f, "billed", e->billed);
	result__ev_int(f, "limit", x->d->concurrent_allowed);
	int cut = e->billed - x->d->concurrent_allowed;
	result__suggest(f, SUGGEST_SET_UNITS, e->rc->code, e->expected, NULL);
	e->lb -= cut < e->lb ? cut : e->lb;
	return true;
}

/* Another code in the same role, or of the same service, is what the
 * record supports: one finding says which. */
static bool
explain_substitute(struct cmp *x, struct entry *e)
{
	for (int i = 0; i < x->n; i++) {
		struct entry *o = &x->e[i];
		if (o == e || o->le <= 0 ||
		    ((o->rc->roles & e->rc->roles) == 0 &&
		     o->rc->service != e->rc->service))
			continue;
		int k = o->le < e->lb ? o->le : e->lb;
		struct result_finding *f =
			finding(x, F_UNDOCUMENTED_SERVICE, e->line, o->admin);
		result__ev_str(f, "code", e->rc->code);
		result__suggest(f, SUGGEST_REPLACE, o->rc->code, k, NULL);
		o->le -= k;
		e->lb -= k;
		return true;
	}
	return false;
}

static void
explain_billed(struct cmp *x, struct entry *e, bool *used)
{
	while (e->lb > 0) {
		/* a pure add-on hour is judged by its hours, not swapped */
		bool hours_only = e->rc->roles == (1u << ROLE_ADDITIONAL_HOUR);
		if (explain_short(x, e, used) || explain_hydration(x, e) ||
		    explain_wrong_initial(x, e) || explain_concurrent(x, e) ||
		    (!hours_only && explain_substitute(x, e)))
			continue;
		if (has_role(e->rc, ROLE_ADDITIONAL_HOUR)) {
			units_finding(x, F_ADDITIONAL_HOUR_UNSUPPORTED, e,
				      e->line);
		} else if (e->expected > 0) {
			units_finding(x, F_UNITS_MISMATCH, e, e->line);
		} else {
			struct result_finding *f =
				finding(x, F_UNDOCUMENTED_SERVICE, e->line, -1);
			result__ev_str(f, "code", e->rc->code);
			result__suggest(f, SUGGEST_REMOVE, NULL, 0, NULL);
		}
		e->lb = 0;
	}
}

/* ---- 6. leftover expected units ---------------------------------------- */

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

static void
explain_expected(struct cmp *x, struct entry *e)
{
	if (e->le <= 0)
		return;
	if (has_role(e->rc, ROLE_ADDITIONAL_HOUR) && service_billed(x, e)) {
		units_finding(x, F_ADDITIONAL_HOUR_MISSED, e,
			      e->billed ? e->line : 0);
	} else if (e->billed > 0) {
		units_finding(x, F_UNITS_MISMATCH, e, e->line);
	} else {
		struct result_finding *f =
			finding(x, F_UNBILLED_SERVICE, 0, e->admin);
		result__ev_str(f, "code", e->rc->code);
		result__ev_int(f, "units", e->le);
		result__suggest(f, SUGGEST_ADD, e->rc->code, e->le, NULL);
	}
	e->le = 0;
}

/* ---- 7. add-ons, 8. companion lines, 9. unchecked ---------------------- */

static void
check_addons(struct cmp *x)
{
	for (int i = 0; i < x->n; i++)
		if (x->e[i].billed > 0 && !x->e[i].rc->addon)
			return;
	for (size_t i = 0; i < x->c->nlines; i++) {
		const struct rule_code *rc = x->lrc[i];
		if (!rc || !rc->addon)
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
		if (rule == F_EM_NEEDS_MODIFIER_25)
			result__suggest(f, SUGGEST_ADD_MODIFIER, NULL, 0,
					cp->em_modifier);
		else
			result__suggest(f, SUGGEST_REMOVE, NULL, 0, NULL);
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

enum scrub_err
compare(const struct ruleset *rs, const struct claim *c,
	const struct derivation *d, struct result *r)
{
	struct cmp x = {rs, d->s, c, d, r, NULL, 0, NULL};
	bool *used = arena_calloc(r->arena, (size_t)d->nruns + 1, sizeof(bool));
	x.e = arena_calloc(r->arena, c->nlines + (size_t)r->ncodes + 1,
			   sizeof(*x.e));
	x.lrc = arena_alloc_raw(r->arena, (c->nlines + 1) * sizeof(*x.lrc));
	if (!x.e || !used || !x.lrc)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < c->nlines; i++)
		x.lrc[i] = rules_code(rs, c->lines[i].code);
	ledger_build(&x);
	check_modifiers(&x);
	check_initials(&x);
	match_units(&x);
	absorb_held(&x);
	for (int i = 0; i < x.n; i++)
		explain_billed(&x, &x.e[i], used);
	for (int i = 0; i < x.n; i++)
		explain_expected(&x, &x.e[i]);
	check_addons(&x);
	check_companions(&x);
	list_unchecked(&x);
	return SCRUB_OK;
}

/*
 * derive — documented administrations into expected codes.
 *
 * Steps, each its own function: check each administration's times (findings
 * for missing or impossible ones); group administrations into runs (one
 * substance on one access is one run: overlapping bags always, a drug
 * stopped and restarted under `same_drug_segments: sum`); apply the
 * short-run and hydration-overlap rules; pick the initial of each group;
 * code everything else in order of start.  Every number comes from the rule
 * settings; SEMANTICS.md says how each open point is settled.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "derive.h"

struct ctx {
	const struct ruleset *rs;
	const struct rule_settings *s;
	const struct claim *c;
	struct result *r;
	struct derivation *d;
	bool *fallback;	  /* per admin: coded as push despite a missing time */
	bool *separate;	  /* per admin: its site's need is documented */
	int *run_of;	  /* per admin: index of its run, -1 when none */
	struct span *tmp; /* scratch: 2 x (nadmins + 1) spans */
	bool instants;	  /* every time carries an offset */
};

/* A time on the claim's one clock: instants when every time of the claim
 * carries an offset, else wall-clock times (offsets ignored), so no
 * calculation mixes the two (SEMANTICS.md, "Times"). */
static int64_t
at(const struct ctx *x, const struct claim_time *t)
{
	return t->t.wall - (x->instants ? (int64_t)t->t.offset * 60 : 0);
}

static bool
all_offsets(const struct claim *c)
{
	for (size_t i = 0; i < c->nadmins; i++) {
		const struct claim_time *t[2] = {&c->admins[i].start,
						 &c->admins[i].stop};
		for (int k = 0; k < 2; k++)
			if (t[k]->state == TIME_OK && !t[k]->t.has_offset)
				return false;
	}
	return true;
}

/* ---- times ------------------------------------------------------------- */

static void
time_finding(struct ctx *x, int i, enum finding_id id, const char *reason)
{
	const struct administration *a = &x->c->admins[i];
	struct result_finding *f = result__finding(x->r, x->rs, id, 0, i);
	if (!f)
		return;
	result__ev_str(f, "start", a->start.text);
	result__ev_str(f, "stop", a->stop.text);
	result__ev_str(f, "reason", reason);
	result__suggest(f, SUGGEST_DOCUMENT, NULL, 0, NULL);
}

/* Checks start and stop against each other; returns false when invalid. */
static bool
check_interval(struct ctx *x, int i)
{
	const struct administration *a = &x->c->admins[i];
	int64_t secs = at(x, &a->stop) - at(x, &a->start);
	if (secs <= 0) {
		time_finding(x, i, F_INVALID_TIME,
			     "the stop time is not after the start time");
		return false;
	}
	if (secs / 60 > x->s->max_run_minutes) {
		time_finding(x, i, F_INVALID_TIME,
			     "it runs longer than the longest possible run");
		return false;
	}
	x->r->admins[i].minutes = (int)(secs / 60);
	return true;
}

/* Records the findings of one administration's times; sets held/fallback. */
static void
check_times(struct ctx *x, int i, const struct rule_classify *cls)
{
	const struct administration *a = &x->c->admins[i];
	bool missing = false, bad = false;

	if (a->start.state == TIME_ABSENT) {
		time_finding(x, i, F_MISSING_START_TIME, "no start time");
		missing = true;
	}
	if (cls->timed && a->stop.state == TIME_ABSENT) {
		time_finding(x, i, F_MISSING_STOP_TIME, "no stop time");
		missing = true;
	}
	if (a->start.state == TIME_BAD || a->stop.state == TIME_BAD) {
		time_finding(
			x, i, F_INVALID_TIME,
			"a time is not a date and time (YYYY-MM-DDTHH:MM)");
		bad = true;
	}
	if (!missing && !bad && a->stop.state == TIME_OK)
		bad = !check_interval(x, i);
	bool held = missing || bad;
	/* the push fallback never applies to an impossible time or to hydration */
	if (held && !bad && x->s->missing_time == MISSING_PUSH &&
	    a->kind != KIND_HYDRATION) {
		held = false;
		x->fallback[i] = true;
	}
	x->d->held[i] = held;
	x->r->admins[i].held = held;
}

/* ---- access ------------------------------------------------------------ */

/* Site names compare without regard to case, spaces, '-' and '_'
 * ("R-forearm" = "r forearm"). */
static bool
same_site(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '-' || *a == '_')
			a++;
		while (*b == ' ' || *b == '-' || *b == '_')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++, b++;
	}
}

/* True when some administration at this site documents the need for it. */
static bool
site_required(const struct claim *c, const char *site)
{
	for (size_t i = 0; i < c->nadmins; i++)
		if (c->admins[i].separate_site_required &&
		    same_site(c->admins[i].site, site))
			return true;
	return false;
}

/*
 * Same access (infusion-rules.md, ruling 1): the same site, or two sites
 * neither of which documents the need for a separate one (a restart after an
 * infiltration).  Subcutaneous administrations have an access of their own.
 */
static bool
same_access(const struct ctx *x, int i, int k)
{
	const struct administration *a = &x->c->admins[i];
	const struct administration *b = &x->c->admins[k];
	bool sa = a->route == ROUTE_SUBCUTANEOUS,
	     sb = b->route == ROUTE_SUBCUTANEOUS;
	if (sa != sb)
		return false;
	if (same_site(a->site, b->site))
		return true;
	return !sa && !x->separate[i] && !x->separate[k];
}

/* ---- spans ------------------------------------------------------------- */

static int
span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	return (a->a > b->a) - (a->a < b->a);
}

/* Sorts v and merges overlapping spans in place; returns how many are left. */
static int
spans_union(struct span *v, int n)
{
	int m = 0;
	qsort(v, (size_t)n, sizeof(*v), span_cmp);
	for (int i = 0; i < n; i++) {
		if (m > 0 && v[i].a <= v[m - 1].b) {
			if (v[i].b > v[m - 1].b)
				v[m - 1].b = v[i].b;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

/* Seconds of [s, e) covered by the merged spans v. */
static int64_t
spans_cover(const struct span *v, int n, int64_t s, int64_t e)
{
	int64_t total = 0;
	for (int i = 0; i < n; i++) {
		int64_t a = v[i].a > s ? v[i].a : s,
			b = v[i].b < e ? v[i].b : e;
		if (b > a)
			total += b - a;
	}
	return total;
}

static bool
has_interval(const struct administration *a)
{
	return a->start.state == TIME_OK && a->stop.state == TIME_OK;
}

static struct span
admin_span(const struct ctx *x, const struct administration *a)
{
	return (struct span){at(x, &a->start), at(x, &a->stop)};
}

/* The run's segments as merged spans, into v; returns the count. */
static int
run_spans(const struct ctx *x, const struct run *run, struct span *v)
{
	int n = 0;
	for (int k = 0; k < run->nsegs; k++) {
		const struct administration *a = &x->c->admins[run->segs[k]];
		if (has_interval(a))
			v[n++] = admin_span(x, a);
	}
	return spans_union(v, n);
}

/* ---- runs -------------------------------------------------------------- */

/* Runs merge only within one initial group's scope (ruling 3). */
static bool
same_scope_day(const struct ctx *x, int i, int k)
{
	if (x->s->initial_per != INITIAL_PER_DATE)
		return true;
	struct isotime a = x->c->admins[i].start.t, b = x->c->admins[k].start.t;
	return isotime_day(&a) == isotime_day(&b);
}

/* True when administration i runs while some segment of the run runs. */
static bool
overlaps_run(const struct ctx *x, const struct run *run, int i)
{
	struct span s = admin_span(x, &x->c->admins[i]);
	for (int k = 0; k < run->nsegs; k++) {
		struct span o = admin_span(x, &x->c->admins[run->segs[k]]);
		if (o.a < s.b && s.a < o.b)
			return true;
	}
	return false;
}

/* One substance (any fluid, for hydration) on one access: overlapping bags
 * are always one run (ruling 2); disjoint ones under `sum`. */
static bool
same_run(const struct ctx *x, const struct run *run, int i,
	 const struct rule_classify *cls)
{
	const struct administration *a = &x->c->admins[i];
	const struct administration *b = &x->c->admins[run->segs[0]];
	if (run->cls != cls || run->fallback ||
	    !same_access(x, i, run->segs[0]) ||
	    !same_scope_day(x, i, run->segs[0]))
		return false;
	if (!run->hydration && strcasecmp(a->substance, b->substance) != 0)
		return false;
	return x->s->same_drug_segments == SEGMENTS_SUM ||
	       overlaps_run(x, run, i);
}

static enum scrub_err
run_add_seg(struct ctx *x, struct run *run, int i)
{
	int *segs =
		arena_calloc(x->r->arena, (size_t)run->nsegs + 1, sizeof(int));
	if (!segs)
		return SCRUB_ENOMEM;
	if (run->nsegs)
		memcpy(segs, run->segs, (size_t)run->nsegs * sizeof(int));
	segs[run->nsegs++] = i;
	run->segs = segs;
	if (i < run->first)
		run->first = i;
	x->run_of[i] = (int)(run - x->d->runs);
	return SCRUB_OK;
}

/* Puts administration i in a run of its own or of its earlier segments. */
static enum scrub_err
place_admin(struct ctx *x, int i, const struct rule_classify *cls)
{
	struct derivation *d = x->d;
	if (cls->timed && !x->fallback[i]) {
		for (int k = 0; k < d->nruns; k++)
			if (same_run(x, &d->runs[k], i, cls))
				return run_add_seg(x, &d->runs[k], i);
	}
	struct run *run = &d->runs[d->nruns++];
	*run = (struct run){.cls = cls,
			    .service = cls->service,
			    .fallback = x->fallback[i],
			    .first = i,
			    .hydration = cls->kind == KIND_HYDRATION};
	return run_add_seg(x, run, i);
}

/* Start, stop and minutes of a run: the union of its segments' clock time,
 * each stretch of overlapping bags counted once in whole minutes. */
static void
run_times(struct ctx *x, struct run *run)
{
	for (int k = 0; k < run->nsegs; k++) {
		const struct administration *a = &x->c->admins[run->segs[k]];
		if (a->start.state != TIME_OK)
			continue;
		int64_t t = at(x, &a->start);
		if (!run->has_start || t < run->start) {
			run->start = t;
			struct isotime st = a->start.t;
			run->day = isotime_day(&st);
		}
		run->has_start = true;
		if (a->stop.state == TIME_OK && run->cls->timed) {
			int64_t e = at(x, &a->stop);
			if (!run->has_stop || e > run->stop)
				run->stop = e;
			run->has_stop = true;
		}
	}
	if (!run->has_start)
		run->day =
			x->c->has_date_of_service ? x->c->date_of_service : 0;
	int n = run_spans(x, run, x->tmp);
	for (int k = 0; k < n; k++)
		run->minutes += (int)((x->tmp[k].b - x->tmp[k].a) / 60);
}

/* ---- hydration overlap ------------------------------------------------ */

/* The drug administrations on the hydration run's access, merged, into v. */
static int
drug_spans(const struct ctx *x, const struct run *run, struct span *v)
{
	int n = 0;
	for (size_t i = 0; i < x->c->nadmins; i++) {
		const struct administration *a = &x->c->admins[i];
		if (x->d->held[i] || a->kind == KIND_HYDRATION ||
		    !has_interval(a) || !same_access(x, (int)i, run->segs[0]))
			continue;
		v[n] = admin_span(x, a);
		if (v[n].b > v[n].a)
			n++;
	}
	return spans_union(v, n);
}

/* Hydration minutes left once drug time on the same access is taken out:
 * |hydration union - drug union| (infusion-rules.md, Time). */
static void
hydration_net(struct ctx *x, struct run *run)
{
	struct span *hyd = x->tmp, *drug = x->tmp + x->c->nadmins + 1;
	int nd = drug_spans(x, run, drug);
	int nh = run_spans(x, run, hyd);
	run->net = 0;
	for (int k = 0; k < nh; k++) {
		int64_t len = hyd[k].b - hyd[k].a;
		len -= spans_cover(drug, nd, hyd[k].a, hyd[k].b);
		run->net += (int)(len / 60);
	}
	for (int k = 0; k < run->nsegs; k++) {
		int i = run->segs[k];
		const struct administration *a = &x->c->admins[i];
		if (!has_interval(a))
			continue;
		struct span s = admin_span(x, a);
		int64_t len = s.b - s.a - spans_cover(drug, nd, s.a, s.b);
		x->r->admins[i].net_minutes = (int)(len / 60);
	}
}

/* The short-run rule, hydration's minimum, and each run's date. */
static void
classify_run(struct ctx *x, struct run *run)
{
	run_times(x, run);
	run->net = run->minutes;
	if (run->fallback && run->cls->short_as >= 0) {
		run->service = run->cls->short_as;
		run->converted = true;
	} else if (run->cls->timed && run->cls->short_as >= 0 &&
		   run->minutes <= x->s->push_max_minutes) {
		run->service = run->cls->short_as;
		run->converted = true;
	}
	run->reportable = true;
	if (run->hydration) {
		hydration_net(x, run);
		run->reportable = run->net >= x->s->hydration_min_minutes;
	}
	for (int k = 0; k < run->nsegs; k++) {
		struct result_admin *ra = &x->r->admins[run->segs[k]];
		ra->service = x->rs->services[run->service].name;
		ra->converted = run->converted;
		ra->reportable = run->reportable;
		if (ra->net_minutes < 0)
			ra->net_minutes = ra->minutes;
		run->primary |= x->c->admins[run->segs[k]].primary;
	}
}

/* ---- the initial ------------------------------------------------------- */

static int
svc_type(const struct ctx *x, const struct run *r)
{
	return x->rs->services[r->service].type;
}

/* Push-type services (pushes, short infusions, injections) are never ranked
 * by minutes (ruling 5). */
static bool
timed_service(const struct ctx *x, const struct run *r)
{
	return svc_type(x, r) == SVC_INFUSION && !r->converted && r->cls->timed;
}

/* Facility order: higher rank, longer timed run, earlier start, earlier in
 * the document.  Negative when a is the better initial. */
static int
run_order(const struct ctx *x, const struct run *a, const struct run *b)
{
	int ra = x->rs->services[a->service].rank;
	int rb = x->rs->services[b->service].rank;
	if (ra != rb)
		return ra - rb;
	if (timed_service(x, a) && timed_service(x, b) && a->net != b->net)
		return b->net - a->net;
	if (a->has_start != b->has_start)
		return a->has_start ? -1 : 1;
	if (a->has_start && a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->first - b->first;
}

/* Professional setting: the administration marked primary comes first. */
static bool
prefer_marked(const struct ctx *x)
{
	return x->c->setting == SETTING_PROFESSIONAL &&
	       x->s->professional_primary == PRIMARY_MARKED;
}

static bool
is_injection(const struct ctx *x, const struct run *r)
{
	return svc_type(x, r) == SVC_INJECTION;
}

static bool
is_chemo(const struct run *r)
{
	return r->cls->kind == KIND_CHEMOTHERAPY;
}

/*
 * Which run is the better initial: an injection only when nothing else was
 * given (ruling 6, both settings); chemotherapy whenever it is reported
 * (ruling 7: its add-ons need a chemotherapy initial); then `primary` in the
 * professional setting; then the facility order.
 */
static int
initial_order(const struct ctx *x, const struct run *a, const struct run *b)
{
	if (is_injection(x, a) != is_injection(x, b))
		return is_injection(x, a) ? 1 : -1;
	if (is_chemo(a) != is_chemo(b))
		return is_chemo(a) ? -1 : 1;
	if (prefer_marked(x) && a->primary != b->primary)
		return a->primary ? -1 : 1;
	return run_order(x, a, b);
}

/* A subcutaneous infusion with an initial of its own (ruling 8). */
static bool
sc_family(const struct ctx *x, const struct run *r)
{
	return x->s->subcutaneous_initial == SC_INITIAL_SEPARATE &&
	       x->c->admins[r->segs[0]].route == ROUTE_SUBCUTANEOUS &&
	       r->cls->kind == KIND_THERAPEUTIC && timed_service(x, r);
}

static bool
same_scope(const struct ctx *x, const struct run *a, const struct run *b)
{
	return x->s->initial_per == INITIAL_PER_ENCOUNTER || a->day == b->day;
}

/* The access a run competes on for the initial, as an admin index; -1 for
 * the main access (a subcutaneous infusion under `hierarchy`). */
static int
group_access(const struct ctx *x, const struct run *r)
{
	int i = r->segs[0];
	return x->c->admins[i].route == ROUTE_SUBCUTANEOUS ? -1 : i;
}

/* Two runs compete for one initial when they share the scope and the access.
 * An injection competes with everything: it is the initial only when
 * nothing else was given. */
static bool
same_group(const struct ctx *x, const struct run *a, const struct run *b)
{
	if (!same_scope(x, a, b))
		return false;
	if (is_injection(x, a) || is_injection(x, b))
		return true;
	if (sc_family(x, a) != sc_family(x, b))
		return false;
	if (sc_family(x, a))
		return true;
	int sa = group_access(x, a), sb = group_access(x, b);
	if (sa < 0 && sb < 0)
		return true;
	if (sa < 0 || sb < 0)
		return !x->separate[sa < 0 ? sb : sa];
	return same_access(x, sa, sb);
}

/* Marks the best run of each group as its initial, and gives every IV
 * initial but the best of its encounter (or date) the distinct-site
 * modifier. */
static void
choose_initials(struct ctx *x)
{
	struct derivation *d = x->d;
	for (int i = 0; i < d->nruns; i++) {
		struct run *r = &d->runs[i];
		bool best = r->reportable;
		for (int k = 0; best && k < d->nruns; k++)
			best = k == i || !d->runs[k].reportable ||
			       !same_group(x, r, &d->runs[k]) ||
			       initial_order(x, r, &d->runs[k]) < 0;
		r->initial = best;
	}
	for (int i = 0; i < d->nruns; i++) {
		struct run *r = &d->runs[i];
		for (int k = 0; r->initial && !sc_family(x, r) && k < d->nruns;
		     k++)
			if (k != i && d->runs[k].initial &&
			    !sc_family(x, &d->runs[k]) &&
			    same_scope(x, r, &d->runs[k]) &&
			    initial_order(x, &d->runs[k], r) < 0)
				r->modifier = x->s->distinct_site_modifier;
	}
}

/* ---- coding ------------------------------------------------------------ */

static enum scrub_err
emit(struct ctx *x, struct run *run, enum code_role role, int units)
{
	int ci = x->rs->services[run->service].code_for[role];
	if (ci < 0 || units <= 0)
		return SCRUB_OK;
	const char *code = x->rs->codes[ci].code;
	bool initial = role == ROLE_INITIAL;
	const char *mod = initial ? run->modifier : NULL;
	for (int k = 0; k < run->nsegs; k++) {
		enum scrub_err err =
			result__expect(x->r, code, k == 0 ? units : 0, mod,
				       initial, run->segs[k]);
		if (err != SCRUB_OK)
			return err;
	}
	if (run->nproduced < RUN_MAX_PRODUCED)
		run->produced[run->nproduced++] = ci;
	if (initial && !mod) {
		/* the main initial is the IV hierarchy's, not the SC family's */
		if (x->d->main_initial < 0 && !sc_family(x, run))
			x->d->main_initial = ci;
		x->d->initial_units++;
	}
	return SCRUB_OK;
}

/* Additional hours: a part-hour counts only past addon_threshold_minutes
 * (more than 30 minutes past the last full hour — infusion-rules.md, Time). */
static int
addon_units(const struct ctx *x, int minutes)
{
	if (minutes < x->s->addon_threshold_minutes)
		return 0;
	return (int)((minutes - x->s->addon_threshold_minutes) /
		     x->s->hour_minutes);
}

static bool
timed_drug(const struct ctx *x, const struct run *r)
{
	return !r->hydration && timed_service(x, r);
}

/* Minutes two runs ran at the same time: the overlap of their unions. */
static int
overlap_minutes(const struct ctx *x, const struct run *a, const struct run *b)
{
	struct span *va = x->tmp, *vb = x->tmp + x->c->nadmins + 1;
	int na = run_spans(x, a, va), nb = run_spans(x, b, vb);
	int64_t total = 0;
	for (int i = 0; i < na; i++)
		total += spans_cover(vb, nb, va[i].a, va[i].b);
	return (int)(total / 60);
}

/* The earlier coded drug infusion this run overlaps, on the same access, by
 * at least the concurrent minimum; NULL when none. */
static const struct run *
overlapped_by(const struct ctx *x, const struct run *run)
{
	for (int k = 0; k < x->d->nruns; k++) {
		const struct run *o = &x->d->runs[k];
		if (!o->coded || o == run || !timed_drug(x, o) ||
		    !same_access(x, o->segs[0], run->segs[0]))
			continue;
		if (overlap_minutes(x, run, o) >=
		    x->s->concurrent_min_overlap_minutes)
			return o;
	}
	return NULL;
}

static bool
concurrent_used(const struct ctx *x, const struct run *run)
{
	for (int k = 0; k < x->d->nruns; k++) {
		const struct run *o = &x->d->runs[k];
		if (o->concurrent &&
		    (x->s->concurrent_limit == CONCURRENT_PER_ENCOUNTER ||
		     o->day == run->day))
			return true;
	}
	return false;
}

static void
manual_review(struct ctx *x, const struct run *run, const char *reason)
{
	struct result_finding *f =
		result__finding(x->r, x->rs, F_MANUAL_REVIEW, 0, run->segs[0]);
	result__ev_str(f, "reason", reason);
	result__ev_int(f, "minutes", run->minutes);
	result__suggest(f, SUGGEST_REVIEW, NULL, 0, NULL);
}

/* A drug infusion after the initial: concurrent, or sequential with hours. */
static enum scrub_err
code_infusion(struct ctx *x, struct run *run)
{
	const struct run *o = overlapped_by(x, run);
	const struct rule_service *svc = &x->rs->services[run->service];
	if (o && svc->code_for[ROLE_CONCURRENT] < 0) {
		manual_review(x, run,
			      "it runs alongside another infusion and its "
			      "service has no concurrent code");
	} else if (o && !concurrent_used(x, run)) {
		run->concurrent = true;
		return emit(x, run, ROLE_CONCURRENT, 1);
	}
	enum scrub_err err = emit(x, run, ROLE_SUBSEQUENT, 1);
	if (err == SCRUB_OK)
		err = emit(x, run, ROLE_ADDITIONAL_HOUR,
			   addon_units(x, run->minutes));
	return err;
}

/* The end of a push-type administration: its stop when it ran (a short
 * infusion), else its start (the time of the push). */
static int64_t
admin_end(const struct ctx *x, const struct administration *a)
{
	if (a->route != ROUTE_PUSH && a->stop.state == TIME_OK)
		return at(x, &a->stop);
	return at(x, &a->start);
}

/* Administration i, of the push's drug, makes it a same-drug push: a push
 * or infusion of it before, or a reported one after (ruling 4).  Sets *gap
 * to the whole minutes between them. */
static bool
same_drug_gap(const struct ctx *x, const struct run *push, int i, int64_t *gap)
{
	const struct administration *a = &x->c->admins[i];
	const struct administration *p = &x->c->admins[push->segs[0]];
	if (x->d->held[i] || x->run_of[i] < 0 ||
	    x->run_of[i] == (int)(push - x->d->runs) ||
	    a->start.state != TIME_OK || a->kind == KIND_HYDRATION ||
	    (a->route != ROUTE_PUSH && a->route != ROUTE_INFUSION) ||
	    strcasecmp(a->substance, p->substance) != 0)
		return false;
	int64_t s = at(x, &a->start);
	if (s < push->start || (s == push->start && i < push->first)) {
		*gap = (push->start - admin_end(x, a)) / 60;
		return true;
	}
	const struct run *o = &x->d->runs[x->run_of[i]];
	if (!o->reportable || !(o->initial || timed_drug(x, o)))
		return false;
	*gap = (s - (push->has_stop ? push->stop : push->start)) / 60;
	return true;
}

/* A push after the initial: new drug, same drug again, or nothing. */
static enum scrub_err
code_push(struct ctx *x, struct run *run)
{
	bool found = false;
	int64_t best = 0, gap;
	for (size_t i = 0; run->has_start && i < x->c->nadmins; i++)
		if (same_drug_gap(x, run, (int)i, &gap) &&
		    (!found || gap < best)) {
			best = gap;
			found = true;
		}
	if (!found)
		return emit(x, run, ROLE_SUBSEQUENT, 1);
	if (x->rs->services[run->service].code_for[ROLE_SAME_DRUG] < 0) {
		manual_review(x, run,
			      "a push of a drug given otherwise in the "
			      "encounter, which has no code of its own");
		return SCRUB_OK;
	}
	/* within the window it is part of the other service */
	if (best <= x->s->same_drug_push_window_minutes)
		return SCRUB_OK;
	bool allowed = x->s->same_drug_push == SAME_DRUG_ALWAYS ||
		       (x->s->same_drug_push == SAME_DRUG_FACILITY_ONLY &&
			x->c->setting == SETTING_FACILITY);
	return allowed ? emit(x, run, ROLE_SAME_DRUG, 1) : SCRUB_OK;
}

static enum scrub_err
code_run(struct ctx *x, struct run *run)
{
	enum scrub_err err = SCRUB_OK;
	int type = svc_type(x, run);
	bool hours = timed_service(x, run);

	if (run->initial) {
		err = emit(x, run, ROLE_INITIAL, 1);
		if (err == SCRUB_OK && hours)
			err = emit(x, run, ROLE_ADDITIONAL_HOUR,
				   addon_units(x, run->net));
	} else if (run->hydration) {
		err = emit(x, run, ROLE_SUBSEQUENT, 1);
		if (err == SCRUB_OK)
			err = emit(x, run, ROLE_ADDITIONAL_HOUR,
				   addon_units(x, run->net));
	} else if (hours) {
		err = code_infusion(x, run);
	} else if (type == SVC_PUSH) {
		err = code_push(x, run);
	} else {
		err = emit(x, run, ROLE_SUBSEQUENT, 1);
	}
	run->coded = true;
	return err;
}

/* Processing order: initials first, then by start, then document order. */
static int
code_order_cmp(const void *pa, const void *pb)
{
	const struct run *a = *(struct run *const *)pa,
			 *b = *(struct run *const *)pb;
	if (a->initial != b->initial)
		return a->initial ? -1 : 1;
	if (a->has_start != b->has_start)
		return a->has_start ? -1 : 1;
	if (a->has_start && a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->first - b->first;
}

static enum scrub_err
code_all(struct ctx *x)
{
	struct derivation *d = x->d;
	struct run **order =
		arena_calloc(x->r->arena, (size_t)d->nruns + 1, sizeof(*order));
	if (!order)
		return SCRUB_ENOMEM;
	for (int i = 0; i < d->nruns; i++)
		order[i] = &d->runs[i];
	qsort(order, (size_t)d->nruns, sizeof(*order), code_order_cmp);
	for (int i = 0; i < d->nruns; i++) {
		if (!order[i]->reportable)
			continue;
		enum scrub_err err = code_run(x, order[i]);
		if (err != SCRUB_OK)
			return err;
	}
	return SCRUB_OK;
}

/* ---- entry ------------------------------------------------------------- */

static enum scrub_err
derive_alloc(struct ctx *x)
{
	struct arena *a = x->r->arena;
	size_t n = x->c->nadmins + 1;
	x->d->runs = arena_calloc(a, n, sizeof(*x->d->runs));
	x->d->held = arena_calloc(a, n, sizeof(bool));
	x->fallback = arena_calloc(a, n, sizeof(bool));
	x->separate = arena_calloc(a, n, sizeof(bool));
	x->run_of = arena_calloc(a, n, sizeof(int));
	x->tmp = arena_calloc(a, 2 * n, sizeof(*x->tmp));
	if (!x->d->runs || !x->d->held || !x->fallback || !x->separate ||
	    !x->run_of || !x->tmp)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < x->c->nadmins; i++) {
		x->separate[i] = site_required(x->c, x->c->admins[i].site);
		x->run_of[i] = -1;
	}
	return SCRUB_OK;
}

/* How many concurrent codes the claim may carry: one, or one per date. */
static int
concurrent_allowed(const struct ctx *x)
{
	if (x->s->concurrent_limit == CONCURRENT_PER_ENCOUNTER)
		return 1;
	int n = 0;
	for (int i = 0; i < x->d->nruns; i++) {
		bool seen = false;
		for (int k = 0; k < i && !seen; k++)
			seen = x->d->runs[k].day == x->d->runs[i].day;
		n += !seen;
	}
	return n ? n : 1;
}

/* Administrations in clock order (untimed last, then document order), so
 * that a bag overlapping two others joins the run they form. */
static int *
clock_order(struct ctx *x)
{
	size_t n = x->c->nadmins;
	int *order = arena_calloc(x->r->arena, n + 1, sizeof(int));
	if (!order)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		const struct administration *a = &x->c->admins[i];
		while (k > 0) {
			const struct administration *b =
				&x->c->admins[order[k - 1]];
			bool later = b->start.state == TIME_OK &&
				     (a->start.state != TIME_OK ||
				      at(x, &b->start) <= at(x, &a->start));
			if (later)
				break;
			order[k] = order[k - 1];
			k--;
		}
		order[k] = (int)i;
	}
	return order;
}

enum scrub_err
derive(const struct ruleset *rs, const struct rule_settings *s,
       const struct claim *c, struct result *r, struct derivation *d)
{
	struct ctx x = {rs, s, c, r, d, NULL, NULL, NULL, NULL, all_offsets(c)};
	*d = (struct derivation){.s = s, .main_initial = -1};
	enum scrub_err err = derive_alloc(&x);
	int *order = err == SCRUB_OK ? clock_order(&x) : NULL;
	if (!order)
		return SCRUB_ENOMEM;
	const struct rule_classify **cls =
		arena_calloc(r->arena, c->nadmins + 1, sizeof(*cls));
	if (!cls)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < c->nadmins; i++) {
		cls[i] = rules_classify(rs, c->admins[i].kind,
					c->admins[i].route);
		if (cls[i])
			check_times(&x, (int)i, cls[i]);
		else
			d->held[i] = r->admins[i].held = true;
	}
	for (size_t n = 0; err == SCRUB_OK && n < c->nadmins; n++) {
		int i = order[n];
		if (!d->held[i])
			err = place_admin(&x, i, cls[i]);
	}
	if (err != SCRUB_OK)
		return err;
	for (int k = 0; k < d->nruns; k++)
		classify_run(&x, &d->runs[k]);
	choose_initials(&x);
	d->concurrent_allowed = concurrent_allowed(&x);
	return code_all(&x);
}

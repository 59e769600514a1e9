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

#include "admindex.h"
#include "derive.h"

struct ctx {
	const struct ruleset *rs;
	const struct rule_settings *s;
	const struct claim *c;
	struct result *r;
	struct derivation *d;
	bool *fallback;	  /* per admin: coded as push despite a missing time */
	int *run_of;	  /* per admin: index of its run, -1 when none */
	struct span *tmp; /* scratch: 2 x (nadmins + 1) spans */
	bool instants;	  /* every time carries an offset */
	struct admindex ix; /* access and substance of each admin */
	int *run_key;	    /* per admin: who may share its run (place_admin) */
	int *key_run;	    /* per run key: its latest run, -1 */
	int64_t *run_end;   /* per run: the latest stop of its segments */
	struct admindex_groups runs_by_access; /* after placement */
	int32_t *concurrent_days; /* days a concurrent code was given */
	int nconcurrent;
	long steps; /* comparisons made, against max_derive_steps */
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

/* Same access (infusion-rules.md, ruling 1) is x->ix.access[i] ==
 * x->ix.access[k]: admindex numbers each administration's access once. */

/* Counts n comparisons against the budget; false once it is spent. */
static bool
spend(struct ctx *x, long n)
{
	x->steps += n;
	return x->steps <= x->s->max_derive_steps;
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
	admindex_sort(v, (size_t)n, sizeof(*v), span_cmp);
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

/* Who may share a run: one substance (any fluid, for hydration) on one
 * access, under one classification, and within one initial group's scope
 * (ruling 3: by date under `initial_per: date`). */
struct run_key {
	uintptr_t cls;
	int access, substance;
	int32_t day;
	int i;
};

static int
run_key_cmp(const struct run_key *a, const struct run_key *b)
{
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->access != b->access)
		return a->access - b->access;
	if (a->substance != b->substance)
		return a->substance - b->substance;
	return (a->day > b->day) - (a->day < b->day);
}

static int
run_key_order(const void *pa, const void *pb)
{
	const struct run_key *a = pa, *b = pb;
	int d = run_key_cmp(a, b);
	return d ? d : a->i - b->i;
}

/* Numbers the run keys of the administrations that may share a run. */
static enum scrub_err
number_run_keys(struct ctx *x, const struct rule_classify **cls)
{
	int n = (int)x->c->nadmins, m = 0, next = -1;
	struct run_key *v =
		arena_calloc(x->r->arena, (size_t)n + 1, sizeof(*v));
	if (!v)
		return SCRUB_ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct administration *a = &x->c->admins[i];
		x->run_key[i] = x->key_run[i] = -1;
		if (x->d->held[i] || !cls[i]->timed || x->fallback[i])
			continue;
		struct isotime st = a->start.t;
		bool hyd = cls[i]->kind == KIND_HYDRATION;
		v[m++] = (struct run_key){(uintptr_t)cls[i], x->ix.access[i],
					  hyd ? -1 : x->ix.substance[i],
					  x->s->initial_per == INITIAL_PER_DATE
						  ? isotime_day(&st)
						  : 0,
					  i};
	}
	admindex_sort(v, (size_t)m, sizeof(*v), run_key_order);
	for (int k = 0; k < m; k++) {
		if (k == 0 || run_key_cmp(&v[k], &v[k - 1]) != 0)
			next++;
		x->run_key[v[k].i] = next;
	}
	return SCRUB_OK;
}

/* The run administration i joins (ruling 2), -1 for a run of its own.
 * Only the latest run of its key can take it: under `sum` a key has one
 * run; else a bag joins the run it overlaps, and since administrations are
 * placed in clock order (each with a stop after its start), a run none of
 * whose bags still runs at i's start has ended for good. */
static int
joins_run(const struct ctx *x, int i)
{
	int k = x->run_key[i] < 0 ? -1 : x->key_run[x->run_key[i]];
	if (k < 0 || x->s->same_drug_segments == SEGMENTS_SUM)
		return k;
	return x->run_end[k] > at(x, &x->c->admins[i].start) ? k : -1;
}

/* Appends administration i to the run; the array grows by doubling, so a
 * run of n bags costs O(n), not a copy per bag (issue 14, item 10). */
static enum scrub_err
run_add_seg(struct ctx *x, struct run *run, int i)
{
	if (run->nsegs == run->segcap) {
		int cap = run->segcap ? 2 * run->segcap : 2;
		int *segs =
			arena_alloc_raw(x->r->arena, (size_t)cap * sizeof(int));
		if (!segs)
			return SCRUB_ENOMEM;
		if (run->nsegs)
			memcpy(segs, run->segs,
			       (size_t)run->nsegs * sizeof(int));
		run->segs = segs;
		run->segcap = cap;
	}
	run->segs[run->nsegs++] = i;
	if (i < run->first)
		run->first = i;
	int r = (int)(run - x->d->runs);
	x->run_of[i] = r;
	const struct administration *a = &x->c->admins[i];
	if (has_interval(a) &&
	    (run->nsegs == 1 || at(x, &a->stop) > x->run_end[r]))
		x->run_end[r] = at(x, &a->stop);
	if (x->run_key[i] >= 0)
		x->key_run[x->run_key[i]] = r;
	return SCRUB_OK;
}

/* Puts administration i in a run of its own or of its earlier segments. */
static enum scrub_err
place_admin(struct ctx *x, int i, const struct rule_classify *cls)
{
	struct derivation *d = x->d;
	int k = joins_run(x, i);
	if (k >= 0)
		return run_add_seg(x, &d->runs[k], i);
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
	const struct admindex_groups *g = &x->ix.by_access;
	int acc = x->ix.access[run->segs[0]], n = 0;
	for (int m = g->start[acc]; m < g->start[acc + 1]; m++) {
		int i = g->items[m];
		const struct administration *a = &x->c->admins[i];
		if (x->d->held[i] || a->kind == KIND_HYDRATION ||
		    !has_interval(a))
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
	const struct admindex_groups *g = &x->ix.by_access;
	int acc = x->ix.access[run->segs[0]];
	spend(x, g->start[acc + 1] - g->start[acc] + run->nsegs);
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
 * Which run is the better initial: chemotherapy whenever it is reported
 * (ruling 7: its add-ons need a chemotherapy initial); then `primary` in the
 * professional setting; then the facility order.  An injection is the
 * initial only when nothing else was given (ruling 6, both settings):
 * choose_in_scope lets injections compete only then, so no order here
 * needs to rank them.
 */
static int
initial_order(const struct ctx *x, const struct run *a, const struct run *b)
{
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

/*
 * The group a run competes in for the initial, as a number: a subcutaneous
 * infusion with an initial of its own (-1); the main access (0), which a
 * subcutaneous run without one joins; or the separate site it is on.  An
 * injection competes with everything in its scope: it is the initial only
 * when nothing else was given (ruling 6).
 */
static int
initial_group(const struct ctx *x, const struct run *r)
{
	int i = r->segs[0];
	if (sc_family(x, r))
		return -1;
	return x->c->admins[i].route == ROUTE_SUBCUTANEOUS ? 0
							   : x->ix.access[i];
}

struct contender {
	int32_t scope; /* its date under `initial_per: date`, else 0 */
	bool injection;
	int group;
	int run;
};

static int
contender_cmp(const void *pa, const void *pb)
{
	const struct contender *a = pa, *b = pb;
	if (a->scope != b->scope)
		return a->scope < b->scope ? -1 : 1;
	if (a->injection != b->injection)
		return a->injection ? 1 : -1;
	if (a->group != b->group)
		return a->group - b->group;
	return a->run - b->run;
}

/*
 * The run of v[0..n) that beats every other (initial_order), or -1 when
 * none does.  initial_order is antisymmetric and never 0 for two runs, so
 * at most one run beats all others, and a single pass finds it if there is
 * one: once met, nobody beats it.  The second pass checks.
 */
static int
beats_all(struct ctx *x, const struct contender *v, int n)
{
	const struct run *runs = x->d->runs;
	int best = 0;
	spend(x, 2L * n);
	for (int k = 1; k < n; k++)
		if (initial_order(x, &runs[v[k].run], &runs[v[best].run]) < 0)
			best = k;
	for (int k = 0; k < n; k++)
		if (k != best &&
		    initial_order(x, &runs[v[best].run], &runs[v[k].run]) >= 0)
			return -1;
	return v[best].run;
}

/* The length of the stretch of v[0..n) that shares v[0]'s scope (and, when
 * by_group, its kind and group). */
static int
stretch(const struct contender *v, int n, bool by_group)
{
	int k = 1;
	while (k < n && v[k].scope == v[0].scope &&
	       (!by_group ||
		(v[k].injection == v[0].injection && v[k].group == v[0].group)))
		k++;
	return k;
}

/* The initial of each group of one scope's contenders v[0..n), sorted
 * injections last.  Anything but an injection competes within its group;
 * an injection is the initial only when the scope has nothing else
 * (ruling 6), so injections compete only then, all together. */
static void
choose_in_scope(struct ctx *x, const struct contender *v, int n)
{
	int k = 0, best;
	while (k < n && !v[k].injection) {
		int len = stretch(v + k, n - k, true);
		if ((best = beats_all(x, v + k, len)) >= 0)
			x->d->runs[best].initial = true;
		k += len;
	}
	if (k == 0 && n > 0 && (best = beats_all(x, v, n)) >= 0)
		x->d->runs[best].initial = true;
}

/* Every IV initial but the best of its scope carries the distinct-site
 * modifier: one beaten by another initial.  With no initial that beats all
 * the others, every one of them is beaten by some other. */
static void
modify_in_scope(struct ctx *x, struct contender *v, int n)
{
	int m = 0;
	for (int k = 0; k < n; k++)
		if (x->d->runs[v[k].run].initial &&
		    !sc_family(x, &x->d->runs[v[k].run]))
			v[m++] = v[k];
	int best = beats_all(x, v, m);
	for (int k = 0; k < m; k++)
		if (v[k].run != best)
			x->d->runs[v[k].run].modifier =
				x->s->distinct_site_modifier;
}

/* Marks the best run of each group as its initial, and gives every IV
 * initial but the best of its encounter (or date) the distinct-site
 * modifier. */
static enum scrub_err
choose_initials(struct ctx *x)
{
	struct derivation *d = x->d;
	struct contender *v =
		arena_calloc(x->r->arena, (size_t)d->nruns + 1, sizeof(*v));
	if (!v)
		return SCRUB_ENOMEM;
	int n = 0;
	for (int i = 0; i < d->nruns; i++) {
		const struct run *r = &d->runs[i];
		if (r->reportable)
			v[n++] = (struct contender){
				x->s->initial_per == INITIAL_PER_DATE ? r->day
								      : 0,
				is_injection(x, r), initial_group(x, r), i};
	}
	admindex_sort(v, (size_t)n, sizeof(*v), contender_cmp);
	for (int k = 0; k < n;) {
		int len = stretch(v + k, n - k, false);
		choose_in_scope(x, v + k, len);
		modify_in_scope(x, v + k, len);
		k += len;
	}
	return SCRUB_OK;
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

/* Whether two runs' first start to last stop meet at all: runs that do not
 * share a minute need no closer look. */
static bool
meet(const struct run *a, const struct run *b)
{
	if (!a->has_start || !a->has_stop || !b->has_start || !b->has_stop)
		return true;
	return a->start < b->stop && b->start < a->stop;
}

/* The earlier coded drug infusion this run overlaps, on the same access, by
 * at least the concurrent minimum; NULL when none. */
static const struct run *
overlapped_by(struct ctx *x, const struct run *run)
{
	const struct admindex_groups *g = &x->runs_by_access;
	int acc = x->ix.access[run->segs[0]];
	for (int m = g->start[acc]; m < g->start[acc + 1]; m++) {
		const struct run *o = &x->d->runs[g->items[m]];
		if (!spend(x, 1))
			return NULL;
		if (!o->coded || o == run || !timed_drug(x, o) || !meet(o, run))
			continue;
		if (!spend(x, o->nsegs + run->nsegs))
			return NULL;
		if (overlap_minutes(x, run, o) >=
		    x->s->concurrent_min_overlap_minutes)
			return o;
	}
	return NULL;
}

/* Whether the claim's concurrent code (or this date's) is given. */
static bool
concurrent_used(const struct ctx *x, const struct run *run)
{
	for (int k = 0; k < x->nconcurrent; k++)
		if (x->s->concurrent_limit == CONCURRENT_PER_ENCOUNTER ||
		    x->concurrent_days[k] == run->day)
			return true;
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
		x->concurrent_days[x->nconcurrent++] = run->day;
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

/* Administration i (code_push passes only those of the push's substance)
 * makes it a same-drug push: a push
 * or infusion of it before, or a reported one after (ruling 4).  Sets *gap
 * to the whole minutes between them. */
static bool
same_drug_gap(const struct ctx *x, const struct run *push, int i, int64_t *gap)
{
	const struct administration *a = &x->c->admins[i];
	if (x->d->held[i] || x->run_of[i] < 0 ||
	    x->run_of[i] == (int)(push - x->d->runs) ||
	    a->start.state != TIME_OK || a->kind == KIND_HYDRATION ||
	    (a->route != ROUTE_PUSH && a->route != ROUTE_INFUSION))
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
	const struct admindex_groups *g = &x->ix.by_substance;
	int sub = x->ix.substance[run->segs[0]];
	spend(x, g->start[sub + 1] - g->start[sub]);
	for (int m = g->start[sub]; run->has_start && m < g->start[sub + 1];
	     m++)
		if (same_drug_gap(x, run, g->items[m], &gap) &&
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
	admindex_sort(order, (size_t)d->nruns, sizeof(*order), code_order_cmp);
	for (int i = 0; i < d->nruns; i++) {
		if (!order[i]->reportable)
			continue;
		enum scrub_err err = code_run(x, order[i]);
		if (err != SCRUB_OK)
			return err;
		if (x->steps > x->s->max_derive_steps)
			break;
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
	x->run_of = arena_calloc(a, n, sizeof(int));
	x->tmp = arena_calloc(a, 2 * n, sizeof(*x->tmp));
	x->run_key = arena_calloc(a, n, sizeof(int));
	x->key_run = arena_calloc(a, n, sizeof(int));
	x->run_end = arena_calloc(a, n, sizeof(int64_t));
	x->concurrent_days = arena_calloc(a, n, sizeof(int32_t));
	if (!x->d->runs || !x->d->held || !x->fallback || !x->run_of ||
	    !x->tmp || !x->run_key || !x->key_run || !x->run_end ||
	    !x->concurrent_days)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < x->c->nadmins; i++)
		x->run_of[i] = -1;
	return admindex_build(&x->ix, x->c, a);
}

static int
day_cmp(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
	return (a > b) - (a < b);
}

/* How many concurrent codes the claim may carry: one, or one per date. */
static int
concurrent_allowed(struct ctx *x)
{
	if (x->s->concurrent_limit == CONCURRENT_PER_ENCOUNTER)
		return 1;
	int32_t *days = x->concurrent_days; /* scratch until coding */
	int n = 0;
	for (int i = 0; i < x->d->nruns; i++)
		days[i] = x->d->runs[i].day;
	admindex_sort(days, (size_t)x->d->nruns, sizeof(*days), day_cmp);
	for (int i = 0; i < x->d->nruns; i++)
		n += i == 0 || days[i] != days[i - 1];
	return n ? n : 1;
}

struct clocked {
	bool timed;
	int64_t t;
	int i;
};

static int
clocked_cmp(const void *pa, const void *pb)
{
	const struct clocked *a = pa, *b = pb;
	if (a->timed != b->timed)
		return a->timed ? -1 : 1;
	if (a->timed && a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->i - b->i;
}

/* Administrations in clock order (untimed last, then document order), so
 * that a bag overlapping two others joins the run they form. */
static int *
clock_order(struct ctx *x)
{
	size_t n = x->c->nadmins;
	int *order = arena_calloc(x->r->arena, n + 1, sizeof(int));
	struct clocked *v = arena_calloc(x->r->arena, n + 1, sizeof(*v));
	if (!order || !v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct claim_time *t = &x->c->admins[i].start;
		v[i] = (struct clocked){t->state == TIME_OK,
					t->state == TIME_OK ? at(x, t) : 0,
					(int)i};
	}
	admindex_sort(v, n, sizeof(*v), clocked_cmp);
	for (size_t i = 0; i < n; i++)
		order[i] = v[i].i;
	return order;
}

/* The runs of each access, for the concurrent test. */
static enum scrub_err
group_runs(struct ctx *x)
{
	int nruns = x->d->nruns;
	int *acc = arena_calloc(x->r->arena, (size_t)nruns + 1, sizeof(int));
	if (!acc)
		return SCRUB_ENOMEM;
	for (int k = 0; k < nruns; k++)
		acc[k] = x->ix.access[x->d->runs[k].segs[0]];
	return admindex_group(&x->runs_by_access, acc, nruns, x->ix.by_access.n,
			      x->r->arena);
}

/* Classifies each administration and puts it in its run. */
static enum scrub_err
place_all(struct ctx *x)
{
	const struct claim *c = x->c;
	struct derivation *d = x->d;
	int *order = clock_order(x);
	const struct rule_classify **cls =
		arena_calloc(x->r->arena, c->nadmins + 1, sizeof(*cls));
	if (!order || !cls)
		return SCRUB_ENOMEM;
	for (size_t i = 0; i < c->nadmins; i++) {
		cls[i] = rules_classify(x->rs, c->admins[i].kind,
					c->admins[i].route);
		if (cls[i])
			check_times(x, (int)i, cls[i]);
		else
			d->held[i] = x->r->admins[i].held = true;
	}
	enum scrub_err err = number_run_keys(x, cls);
	for (size_t n = 0; err == SCRUB_OK && n < c->nadmins; n++) {
		int i = order[n];
		if (!d->held[i])
			err = place_admin(x, i, cls[i]);
	}
	return err;
}

enum scrub_err
derive(const struct ruleset *rs, const struct rule_settings *s,
       const struct claim *c, struct result *r, struct derivation *d)
{
	struct ctx x = {.rs = rs,
			.s = s,
			.c = c,
			.r = r,
			.d = d,
			.instants = all_offsets(c)};
	*d = (struct derivation){.s = s, .main_initial = -1};
	enum scrub_err err = derive_alloc(&x);
	if (err == SCRUB_OK)
		err = place_all(&x);
	if (err == SCRUB_OK)
		err = group_runs(&x);
	if (err != SCRUB_OK)
		return err;
	for (int k = 0; k < d->nruns; k++)
		classify_run(&x, &d->runs[k]);
	d->concurrent_allowed = concurrent_allowed(&x);
	err = choose_initials(&x);
	if (err == SCRUB_OK)
		err = code_all(&x);
	d->steps = x.steps;
	d->over_budget = x.steps > s->max_derive_steps;
	return err;
}

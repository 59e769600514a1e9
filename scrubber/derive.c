/*
 * derive — documented administrations into expected codes.
 *
 * Steps, each its own function: check each administration's times (findings
 * for missing or impossible ones); group administrations into runs (a drug
 * stopped and restarted on one access is one run); apply the short-run and
 * hydration-overlap rules; pick the initial of each group; code everything
 * else in order of start.  Every number comes from the rule settings.
 */
#include "config.h"

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
	bool *fallback; /* per admin: coded as push despite a missing time */
};

int64_t
derive_instant(const struct claim_time *t)
{
	return t->t.wall - (t->t.has_offset ? (int64_t)t->t.offset * 60 : 0);
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
	int64_t secs = isotime_diff(&a->start.t, &a->stop.t);
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

/* ---- runs -------------------------------------------------------------- */

static bool separate_site(const struct ctx *x, const char *site);

/* Same access: the same site, or a new site whose need nobody documented
 * (a drug restarted after an infiltration continues its run). */
static bool
same_access(const struct ctx *x, const char *a, const char *b)
{
	return strcmp(a, b) == 0 ||
	       (!separate_site(x, a) && !separate_site(x, b));
}

/* True when administration i runs while a segment of the run runs. */
static bool
overlaps_run(const struct ctx *x, const struct run *run, int i)
{
	const struct administration *a = &x->c->admins[i];
	int64_t s = derive_instant(&a->start), e = derive_instant(&a->stop);
	for (int k = 0; k < run->nsegs; k++) {
		const struct administration *b = &x->c->admins[run->segs[k]];
		if (derive_instant(&b->start) < e &&
		    s < derive_instant(&b->stop))
			return true;
	}
	return false;
}

static bool
same_run(const struct ctx *x, const struct run *run, int i,
	 const struct rule_classify *cls)
{
	const struct administration *a = &x->c->admins[i];
	const struct administration *b = &x->c->admins[run->segs[0]];
	return run->cls == cls && cls->timed && !run->fallback &&
	       same_access(x, a->site, b->site) &&
	       strcasecmp(a->substance, b->substance) == 0 &&
	       !overlaps_run(x, run, i);
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
	return SCRUB_OK;
}

/* Puts administration i in a run of its own or of its earlier segments. */
static enum scrub_err
place_admin(struct ctx *x, int i, const struct rule_classify *cls)
{
	struct derivation *d = x->d;
	bool timed = cls->timed && !x->fallback[i];
	if (timed && x->s->same_drug_segments == SEGMENTS_SUM) {
		for (int k = 0; k < d->nruns; k++)
			if (same_run(x, &d->runs[k], i, cls))
				return run_add_seg(x, &d->runs[k], i);
	}
	struct run *run = &d->runs[d->nruns++];
	*run = (struct run){.cls = cls,
			    .service = cls->service,
			    .fallback = x->fallback[i],
			    .hydration = cls->kind == KIND_HYDRATION};
	return run_add_seg(x, run, i);
}

/* Start, stop and minutes of a run from its segments. */
static void
run_times(struct ctx *x, struct run *run)
{
	for (int k = 0; k < run->nsegs; k++) {
		const struct administration *a = &x->c->admins[run->segs[k]];
		if (a->start.state == TIME_OK) {
			int64_t t = derive_instant(&a->start);
			if (!run->has_start || t < run->start)
				run->start = t;
			run->has_start = true;
		}
		if (a->stop.state == TIME_OK && a->start.state == TIME_OK) {
			int64_t t = derive_instant(&a->stop);
			if (!run->has_stop || t > run->stop)
				run->stop = t;
			run->has_stop = true;
		}
		if (x->r->admins[run->segs[k]].minutes > 0)
			run->minutes += x->r->admins[run->segs[k]].minutes;
	}
	if (run->has_start) {
		const struct administration *a = &x->c->admins[run->segs[0]];
		struct isotime t = a->start.t;
		run->day = isotime_day(&t);
	} else {
		run->day =
			x->c->has_date_of_service ? x->c->date_of_service : 0;
	}
}

/* ---- hydration overlap ------------------------------------------------ */

struct span {
	int64_t a, b;
};

static int
span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	return (a->a > b->a) - (a->a < b->a);
}

/* Seconds of [s, e) covered by drug administrations on the same site. */
static int64_t
covered(struct ctx *x, const char *site, int64_t s, int64_t e, struct span *tmp)
{
	int n = 0;
	for (size_t i = 0; i < x->c->nadmins; i++) {
		const struct administration *a = &x->c->admins[i];
		if (x->d->held[i] || a->kind == KIND_HYDRATION ||
		    a->start.state != TIME_OK || a->stop.state != TIME_OK ||
		    strcmp(a->site, site) != 0)
			continue;
		int64_t as = derive_instant(&a->start),
			ae = derive_instant(&a->stop);
		if (ae <= s || as >= e || ae <= as)
			continue;
		tmp[n++] = (struct span){as > s ? as : s, ae < e ? ae : e};
	}
	qsort(tmp, (size_t)n, sizeof(*tmp), span_cmp);
	int64_t total = 0, cur_a = 0, cur_b = 0;
	for (int k = 0; k < n; k++) {
		if (k == 0 || tmp[k].a > cur_b) {
			total += cur_b - cur_a;
			cur_a = tmp[k].a;
			cur_b = tmp[k].b;
		} else if (tmp[k].b > cur_b) {
			cur_b = tmp[k].b;
		}
	}
	return total + (cur_b - cur_a);
}

static enum scrub_err
hydration_net(struct ctx *x, struct run *run)
{
	struct span *tmp =
		arena_calloc(x->r->arena, x->c->nadmins + 1, sizeof(*tmp));
	if (!tmp)
		return SCRUB_ENOMEM;
	run->net = 0;
	for (int k = 0; k < run->nsegs; k++) {
		int i = run->segs[k];
		const struct administration *a = &x->c->admins[i];
		if (a->start.state != TIME_OK || a->stop.state != TIME_OK)
			continue;
		int64_t s = derive_instant(&a->start),
			e = derive_instant(&a->stop);
		int64_t net = (e - s) - covered(x, a->site, s, e, tmp);
		x->r->admins[i].net_minutes = (int)(net / 60);
		run->net += (int)(net / 60);
	}
	return SCRUB_OK;
}

/* The short-run rule, hydration's minimum, and each run's date. */
static enum scrub_err
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
		enum scrub_err err = hydration_net(x, run);
		if (err != SCRUB_OK)
			return err;
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
	return SCRUB_OK;
}

/* ---- the initial ------------------------------------------------------- */

/* Facility order: higher rank, longer run, earlier start, earlier in the
 * document.  Negative when a is the better initial. */
static int
run_order(const struct ctx *x, const struct run *a, const struct run *b)
{
	int ra = x->rs->services[a->service].rank;
	int rb = x->rs->services[b->service].rank;
	if (ra != rb)
		return ra - rb;
	if (a->net != b->net)
		return b->net - a->net;
	if (a->has_start != b->has_start)
		return a->has_start ? -1 : 1;
	if (a->has_start && a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->segs[0] - b->segs[0];
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
	return x->rs->services[r->service].type == SVC_INJECTION;
}

/* An injection is the initial only when nothing else was given
 * (infusion-rules.md, "Codes covered"): its code is the same either way, and
 * an add-on such as 96361 or 96375 needs a true initial beside it. */
static int
initial_order(const struct ctx *x, const struct run *a, const struct run *b)
{
	if (prefer_marked(x) && a->primary != b->primary)
		return a->primary ? -1 : 1;
	if (is_injection(x, a) != is_injection(x, b))
		return is_injection(x, a) ? 1 : -1;
	return run_order(x, a, b);
}

/* True when some administration at this site documents the need for it. */
static bool
separate_site(const struct ctx *x, const char *site)
{
	for (size_t i = 0; i < x->c->nadmins; i++)
		if (x->c->admins[i].separate_site_required &&
		    strcmp(x->c->admins[i].site, site) == 0)
			return true;
	return false;
}

/* Two runs compete for one initial when they share a date (if initials are
 * per date) and a site group (a separately required site, or the rest). */
static bool
same_group(const struct ctx *x, const struct run *a, const struct run *b)
{
	if (x->s->initial_per == INITIAL_PER_DATE && a->day != b->day)
		return false;
	const char *sa = x->c->admins[a->segs[0]].site;
	const char *sb = x->c->admins[b->segs[0]].site;
	bool pa = separate_site(x, sa), pb = separate_site(x, sb);
	return pa == pb && (!pa || strcmp(sa, sb) == 0);
}

static bool
same_scope(const struct ctx *x, const struct run *a, const struct run *b)
{
	return x->s->initial_per == INITIAL_PER_ENCOUNTER || a->day == b->day;
}

/* Marks the best run of each group as its initial, and gives every initial
 * but the best of its encounter (or date) the distinct-site modifier. */
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
		for (int k = 0; r->initial && k < d->nruns; k++)
			if (k != i && d->runs[k].initial &&
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
		if (x->d->main_initial < 0)
			x->d->main_initial = ci;
		x->d->initial_units++;
	} else if (initial) {
		x->d->second_initial_units++;
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
	return !r->hydration && !r->converted && r->cls->timed &&
	       x->rs->services[r->service].type == SVC_INFUSION;
}

/* Minutes two runs ran at the same time (segment by segment). */
static int
overlap_minutes(const struct ctx *x, const struct run *a, const struct run *b)
{
	int64_t total = 0;
	for (int i = 0; i < a->nsegs; i++) {
		const struct administration *p = &x->c->admins[a->segs[i]];
		for (int k = 0; k < b->nsegs; k++) {
			const struct administration *q =
				&x->c->admins[b->segs[k]];
			int64_t s1 = derive_instant(&p->start),
				e1 = derive_instant(&p->stop);
			int64_t s2 = derive_instant(&q->start),
				e2 = derive_instant(&q->stop);
			int64_t s = s1 > s2 ? s1 : s2, e = e1 < e2 ? e1 : e2;
			if (e > s)
				total += e - s;
		}
	}
	return (int)(total / 60);
}

/* The earlier coded drug infusion this run overlaps, on the same site, by
 * at least the concurrent minimum; NULL when none. */
static const struct run *
overlapped_by(const struct ctx *x, const struct run *run, int *minutes)
{
	const char *site = x->c->admins[run->segs[0]].site;
	for (int k = 0; k < x->d->nruns; k++) {
		const struct run *o = &x->d->runs[k];
		if (!o->coded || o == run || !timed_drug(x, o) ||
		    strcmp(x->c->admins[o->segs[0]].site, site) != 0)
			continue;
		*minutes = overlap_minutes(x, run, o);
		if (*minutes >= x->s->concurrent_min_overlap_minutes)
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
	int minutes = 0;
	const struct run *o = overlapped_by(x, run, &minutes);
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

/* End (seconds) of the last earlier administration of the same substance;
 * false when there is none. */
static bool
last_same_drug(const struct ctx *x, const struct run *run, int64_t *end)
{
	const struct administration *p = &x->c->admins[run->segs[0]];
	bool found = false;
	for (size_t i = 0; i < x->c->nadmins; i++) {
		const struct administration *a = &x->c->admins[i];
		if ((int)i == run->segs[0] || x->d->held[i] ||
		    a->start.state != TIME_OK ||
		    strcasecmp(a->substance, p->substance) != 0 ||
		    derive_instant(&a->start) >= run->start)
			continue;
		int64_t e = a->stop.state == TIME_OK
				    ? derive_instant(&a->stop)
				    : derive_instant(&a->start);
		if (!found || e > *end)
			*end = e;
		found = true;
	}
	return found;
}

/* A push after the initial: new drug, same drug again, or nothing. */
static enum scrub_err
code_push(struct ctx *x, struct run *run)
{
	int64_t end = 0;
	if (!run->has_start || !last_same_drug(x, run, &end))
		return emit(x, run, ROLE_SUBSEQUENT, 1);
	/* within the window it is part of the earlier service */
	if ((run->start - end) / 60 <= x->s->same_drug_push_window_minutes)
		return SCRUB_OK;
	bool allowed = x->s->same_drug_push == SAME_DRUG_ALWAYS ||
		       (x->s->same_drug_push == SAME_DRUG_FACILITY_ONLY &&
			x->c->setting == SETTING_FACILITY);
	if (!allowed)
		return SCRUB_OK;
	if (x->rs->services[run->service].code_for[ROLE_SAME_DRUG] < 0) {
		manual_review(x, run,
			      "a repeated push of the same drug, which has no "
			      "code of its own");
		return SCRUB_OK;
	}
	return emit(x, run, ROLE_SAME_DRUG, 1);
}

static enum scrub_err
code_run(struct ctx *x, struct run *run)
{
	enum scrub_err err = SCRUB_OK;
	int type = x->rs->services[run->service].type;
	int timed_minutes = run->hydration ? run->net : run->minutes;
	bool hours = type == SVC_INFUSION && !run->converted && run->cls->timed;

	if (run->initial) {
		err = emit(x, run, ROLE_INITIAL, 1);
		if (err == SCRUB_OK && hours)
			err = emit(x, run, ROLE_ADDITIONAL_HOUR,
				   addon_units(x, timed_minutes));
	} else if (run->hydration) {
		err = emit(x, run, ROLE_SUBSEQUENT, 1);
		if (err == SCRUB_OK)
			err = emit(x, run, ROLE_ADDITIONAL_HOUR,
				   addon_units(x, timed_minutes));
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
	return a->segs[0] - b->segs[0];
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
	if (!x->d->runs || !x->d->held || !x->fallback)
		return SCRUB_ENOMEM;
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

enum scrub_err
derive(const struct ruleset *rs, const struct rule_settings *s,
       const struct claim *c, struct result *r, struct derivation *d)
{
	struct ctx x = {rs, s, c, r, d, NULL};
	*d = (struct derivation){.s = s, .main_initial = -1};
	enum scrub_err err = derive_alloc(&x);
	for (size_t i = 0; err == SCRUB_OK && i < c->nadmins; i++) {
		const struct rule_classify *cls = rules_classify(
			rs, c->admins[i].kind, c->admins[i].route);
		if (!cls) {
			d->held[i] = r->admins[i].held = true;
			continue;
		}
		check_times(&x, (int)i, cls);
		if (!d->held[i])
			err = place_admin(&x, (int)i, cls);
	}
	for (int k = 0; err == SCRUB_OK && k < d->nruns; k++)
		err = classify_run(&x, &d->runs[k]);
	if (err != SCRUB_OK)
		return err;
	choose_initials(&x);
	d->concurrent_allowed = concurrent_allowed(&x);
	return code_all(&x);
}

/*
 * scrub — one claim through derive and compare; see scrub.h.
 */
#include "config.h"

#include "compare.h"
#include "derive.h"
#include "isotime.h"
#include "scrub.h"

/* A claim over the profile's size limits is not judged at all. */
static bool
over_limits(const struct ruleset *rs, const struct rule_settings *s,
	    const struct claim *c, struct result *r)
{
	long lines = (long)c->nlines, admins = (long)c->nadmins;
	if (lines <= s->max_lines && admins <= s->max_administrations)
		return false;
	struct result_finding *f =
		result__finding(r, rs, F_MANUAL_REVIEW, 0, -1);
	result__ev_str(f, "reason",
		       "the claim is larger than the engine judges");
	result__ev_int(f, "lines", lines);
	result__ev_int(f, "administrations", admins);
	result__suggest(f, SUGGEST_REVIEW, NULL, 0, NULL);
	r->verdict = VERDICT_INVALID;
	return true;
}

/* Nor is one whose codes take more comparisons to derive than the profile
 * allows (issue 14, item 10): its result would be a guess at best, and the
 * daemon's event loop must not wait on it.  Counted, not timed, so the
 * verdict is the same on a busy machine as on an idle one. */
static struct result *
over_budget(const struct ruleset *rs, const struct rule_profile *p,
	    const struct claim *c, const struct derivation *d, struct result *r)
{
	result_free(r);
	if (!(r = result__new(c, rs, p->name)))
		return NULL;
	struct result_finding *f =
		result__finding(r, rs, F_MANUAL_REVIEW, 0, -1);
	result__ev_str(f, "reason",
		       "deriving its codes takes more comparisons than the "
		       "engine's budget (max_derive_steps)");
	result__ev_int(f, "steps", d->steps);
	result__ev_int(f, "max_derive_steps", p->settings.max_derive_steps);
	result__suggest(f, SUGGEST_REVIEW, NULL, 0, NULL);
	r->verdict = VERDICT_INVALID;
	return r;
}

/* A claim whose administrations are its encounter's MAR (c->encounter)
 * and that has none: the record has not come (claimscrubd scrubs such a
 * claim once mar_wait_minutes have passed).  Judged without it, every
 * billed administration code would look unsupported and get "remove the
 * line", a fix that is wrong when the record is only late: one finding
 * names the one cause instead (infusion-rules.md, "Findings: one cause,
 * one finding").  A claim billing no administration service of the
 * catalogue is judged as it is; so is every claim when the rules switch
 * mar-missing off. */
static bool
record_missing(const struct ruleset *rs, const struct claim *c,
	       struct result *r)
{
	if (!c->encounter || c->nadmins > 0)
		return false;
	size_t i = 0;
	while (i < c->nlines && !rules_code(rs, c->lines[i].code))
		i++;
	if (i == c->nlines)
		return false;
	struct result_finding *f =
		result__finding(r, rs, F_MAR_MISSING, (int)i + 1, -1);
	result__ev_str(f, "encounter", arena_strdup(r->arena, c->encounter));
	result__ev_str(f, "code", arena_strdup(r->arena, c->lines[i].code));
	result__suggest(f, SUGGEST_DOCUMENT, NULL, 0, NULL);
	return f != NULL;
}

/* The day whose rules judge the claim: its date of service, else the first
 * documented time; an undated claim is judged by the latest rules. */
static int32_t
claim_day(const struct claim *c)
{
	if (c->has_date_of_service)
		return c->date_of_service;
	int32_t day = INT32_MAX;
	for (size_t i = 0; i < c->nadmins; i++) {
		const struct administration *a = &c->admins[i];
		const struct claim_time *t =
			a->start.state == TIME_OK ? &a->start : &a->stop;
		if (t->state == TIME_OK && isotime_day(&t->t) < day)
			day = isotime_day(&t->t);
	}
	return day;
}

enum scrub_err
scrub_claim(const struct ruleset *all, const struct claim *c,
	    struct result **out)
{
	const struct ruleset *rs = rules_at(all, claim_day(c));
	const struct rule_profile *p = rules_profile(rs, c->payer);
	struct result *r = result__new(c, rs, p->name);
	struct derivation d;

	*out = NULL;
	if (!r)
		return SCRUB_ENOMEM;
	enum scrub_err err = SCRUB_OK;
	if (!over_limits(rs, &p->settings, c, r) && !record_missing(rs, c, r)) {
		err = derive(rs, &p->settings, c, r, &d);
		if (err == SCRUB_OK && d.over_budget) {
			if (!(r = over_budget(rs, p, c, &d, r)))
				return SCRUB_ENOMEM;
		} else if (err == SCRUB_OK) {
			err = compare(rs, c, &d, r);
		}
	}
	if (err == SCRUB_OK)
		err = result__finish(r, rs);
	if (err != SCRUB_OK) {
		result_free(r);
		return err;
	}
	*out = r;
	return SCRUB_OK;
}

enum scrub_err
scrub_invalid(const struct ruleset *rs, const char *claim_ref,
	      const char *payer, const char *const *reasons, int nreasons,
	      struct result **out)
{
	/* an empty claim has room for 16 findings (result__new) */
	struct claim shape = {0};
	rs = rules_at(rs, INT32_MAX); /* no date: the latest rules */
	struct result *r =
		result__new(&shape, rs, rules_profile(rs, payer)->name);
	*out = NULL;
	if (!r)
		return SCRUB_ENOMEM;
	struct claim *c = arena_alloc(r->arena, sizeof(*c));
	if (!c ||
	    !(c->ref = arena_strdup(r->arena, claim_ref ? claim_ref : ""))) {
		result_free(r);
		return SCRUB_ENOMEM;
	}
	r->claim = c;
	r->verdict = VERDICT_INVALID;
	for (int i = 0; i < nreasons && i < 16; i++) {
		struct result_finding *f =
			result__finding(r, rs, F_INVALID_DATA, 0, -1);
		const char *why = arena_strdup(r->arena, reasons[i]);
		result__ev_str(f, "reason", why);
		result__suggest(f, SUGGEST_REVIEW, NULL, 0, NULL);
	}
	enum scrub_err err = result__finish(r, rs);
	if (err != SCRUB_OK) {
		result_free(r);
		return err;
	}
	*out = r;
	return SCRUB_OK;
}

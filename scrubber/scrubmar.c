/*
 * scrubmar — a claim judged on its encounter's MAR records; see scrub.h,
 * scrub_records.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "marpair.h"
#include "result_int.h"
#include "scrub.h"

/* True when r already has finding id with this reason: a drug given ten
 * times is one unmapped value, one finding. */
static bool
said(const struct result *r, enum finding_id id, const char *reason)
{
	for (int i = 0; i < r->nfindings; i++) {
		const struct result_finding *f = &r->findings[i];
		for (int k = 0; f->id == id && k < f->nevidence; k++)
			if (strcmp(f->evidence[k].key, "reason") == 0 &&
			    strcmp(f->evidence[k].str, reason) == 0)
				return true;
	}
	return false;
}

/* What a record's drug is called, for a route finding's {substance}. */
static const char *
drug_name(const struct mar_record *rec)
{
	if (rec->drug_text)
		return rec->drug_text;
	return rec->ndrug ? rec->drug[0].code : "no drug named";
}

/* One finding for record rec's unmapped drug (or route) in r. */
static enum scrub_err
say_unmapped(struct result *r, const struct ruleset *rs,
	     const struct mar_record *rec, bool drug)
{
	struct strbuf sb = STRBUF_INIT;
	if (drug)
		marpair_say_drug(rec, &sb);
	else
		marpair_say_route(rec, &sb);
	enum finding_id id = drug ? F_UNMAPPED_DRUG : F_UNMAPPED_ROUTE;
	const char *reason =
		sb.failed ? NULL : arena_strdup(r->arena, strbuf_str(&sb));
	strbuf_free(&sb);
	if (!reason)
		return SCRUB_ENOMEM;
	if (said(r, id, reason))
		return SCRUB_OK;
	struct result_finding *f = result__finding(r, rs, id, 0, -1);
	const char *who = arena_strdup(r->arena, rec->id ? rec->id : "?");
	const char *what = arena_strdup(r->arena, drug_name(rec));
	if (!who || !what)
		return SCRUB_ENOMEM;
	result__ev_str(f, "admin", who);
	result__ev_str(f, "substance", what);
	result__ev_str(f, "reason", reason);
	result__suggest(f, SUGGEST_REVIEW, NULL, 0, NULL);
	return SCRUB_OK;
}

/* A result of the unmapped values of the records (*out NULL when every
 * record is mapped, or the rules switch both findings off). */
static enum scrub_err
unmapped(const struct ruleset *rs, const struct claim *c,
	 const struct mar_record *const *recs, size_t n, struct result **out)
{
	struct result *r = NULL;
	enum scrub_err err = SCRUB_OK;
	*out = NULL;
	for (size_t i = 0; i < n && err == SCRUB_OK; i++) {
		const struct mar_record *rec = recs[i];
		const char *sub;
		enum admin_kind kind;
		enum admin_route route;
		if (rec->status == MAR_ENTERED_IN_ERROR ||
		    rec->status == MAR_NOT_DONE)
			continue;
		bool drug = marpair_drug(rs, rec, &sub, &kind);
		if (drug && marpair_route(rs, rec, &route))
			continue;
		if (!r && !(r = result__new(c, rs,
					    rules_profile(rs, c->payer)->name)))
			return SCRUB_ENOMEM;
		err = say_unmapped(r, rs, rec, !drug);
	}
	if (err == SCRUB_OK && r && r->nfindings > 0)
		err = result__finish(r, rs);
	if (err != SCRUB_OK || !r || r->nfindings == 0) {
		result_free(r);
		return err;
	}
	*out = r;
	return SCRUB_OK;
}

/* An invalid result from the diagnostics of a pairing that failed. */
static enum scrub_err
unpaired(const struct ruleset *rs, const struct claim *c,
	 const struct diag_list *dl, struct result **out)
{
	const char *reasons[16];
	int n = 0;
	for (size_t i = 0; i < dl->n && n < 16; i++)
		reasons[n++] = dl->items[i].message;
	if (n == 0)
		reasons[n++] = "its MAR records could not be paired";
	return scrub_invalid(rs, c->ref, c->payer, reasons, n, out);
}

enum scrub_err
scrub_records(const struct ruleset *all, struct arena *a, const struct claim *c,
	      const struct mar_record *const *recs, size_t n,
	      struct result **out)
{
	*out = NULL;
	if (n == 0 || c->nadmins > 0)
		return scrub_claim(all, c, out);
	int32_t day = c->has_date_of_service ? c->date_of_service : INT32_MAX;
	enum scrub_err err = unmapped(rules_at(all, day), c, recs, n, out);
	if (err != SCRUB_OK || *out)
		return err;
	struct claim *joined = arena_alloc(a, sizeof(*joined));
	if (!joined)
		return SCRUB_ENOMEM;
	*joined = *c;
	struct diag_list dl = {0};
	err = marpair_pair(a, all, day, recs, n, &joined->admins,
			   &joined->nadmins, NULL, &dl);
	/* the record came: what it documents is judged, even nothing (every
	 * record entered in error), and mar-missing no longer applies */
	joined->encounter = NULL;
	if (err == SCRUB_OK)
		err = scrub_claim(all, joined, out);
	else if (err != SCRUB_ENOMEM)
		err = unpaired(all, c, &dl, out);
	diag_list_free(&dl);
	return err;
}

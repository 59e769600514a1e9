/*
 * setmap — the optional `setting_map:` section of the rule files and its
 * lookup (setmap.h): which rules, facility or professional, judge an 837
 * claim, by the code its CLM05-1 holds.
 *
 *   setting_map:
 *     place_of_service:     # 837P CLM05-1
 *       "11": professional
 *     type_of_bill:         # 837I CLM05-1: facility type, bill
 *       "13": facility      # classification (CLM05-3 is the frequency)
 *
 * One row per code: a key of two digits, as the 837 reader accepts them;
 * a value `facility` or `professional` (claim_setting_names).  Rows merge
 * by code from a local file and may be dated like any rule value
 * (rules_dated.c): this decoder sees each period's tables.  Every error
 * names FILE:LINE:COLUMN.
 */
#include "config.h"

#include <string.h>

#include "isotime.h"
#include "keytab.h"
#include "rules_int.h"
#include "setmap.h"

const char *const setmap_table_names[] = {"place_of_service", "type_of_bill",
					  NULL};

/* Each table: the two-digit codes of one kind of 837 into settings. */
static enum scrub_err
decode_table(struct yctx *c, const struct ynode *map, const char *what,
	     struct rule_setting_row **rows, int *n)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, what);
	if (err != SCRUB_OK)
		return err;
	*rows = arena_calloc(c->arena, map->n + 1, sizeof(**rows));
	if (!*rows)
		return SCRUB_ENOMEM;
	*n = 0;
	for (size_t i = 0; i < map->n && err != SCRUB_ENOMEM; i++) {
		const struct ynode *k = map->keys[i];
		struct rule_setting_row *r = &(*rows)[*n];
		enum scrub_err e = ynode_str(c, k, what, 16, &r->code);
		/* CLM05-1 is two digits (x12_claim.c refuses anything else):
		 * a row of another shape could never be looked up */
		if (e == SCRUB_OK && (strlen(r->code) != 2 ||
				      strspn(r->code, "0123456789") != 2))
			e = ynode_error(c, k, "%s: '%s' is not 2 digits", what,
					r->code);
		if (e == SCRUB_OK)
			e = ynode_enum(c, map->items[i], "setting",
				       claim_setting_names, &r->setting);
		*n += e == SCRUB_OK;
		err = e == SCRUB_ENOMEM || err == SCRUB_OK ? e : err;
	}
	return err;
}

static enum scrub_err
set_pos(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	void *obj)
{
	struct rule_setmap *m = obj;
	return decode_table(c, v, k->key, &m->pos, &m->npos);
}

static enum scrub_err
set_tob(struct yctx *c, const struct keytab_key *k, const struct ynode *v,
	void *obj)
{
	struct rule_setmap *m = obj;
	return decode_table(c, v, k->key, &m->tob, &m->ntob);
}

static const struct keytab_key setmap_keys[] = {
	{.key = "place_of_service", .type = KT_CUSTOM, .set = set_pos},
	{.key = "type_of_bill", .type = KT_CUSTOM, .set = set_tob},
	{.key = NULL},
};

enum scrub_err
rules__decode_setmap(struct yctx *c, const struct ynode *top,
		     struct ruleset *rs)
{
	return keytab_walk(c, top, "setting_map", setmap_keys, &rs->setmap);
}

bool
setmap_lookup(const struct ruleset *rs, enum x12_kind kind, const char *code,
	      enum claim_setting *out)
{
	const struct rule_setmap *m = &rs->setmap;
	const struct rule_setting_row *rows =
		kind == X12_837I ? m->tob : m->pos;
	int n = kind == X12_837I ? m->ntob : m->npos;
	for (int i = 0; code && i < n; i++)
		if (strcmp(rows[i].code, code) == 0) {
			*out = (enum claim_setting)rows[i].setting;
			return true;
		}
	return false;
}

enum scrub_err
setmap_claim(const struct ruleset *rs, const char *file,
	     const struct x12_claim *xc, enum claim_setting *out,
	     struct diag_list *dl)
{
	const struct claim *c = &xc->claim;
	int32_t day = c->has_date_of_service ? c->date_of_service : INT32_MAX;
	if (setmap_lookup(rules_at(rs, day), xc->kind, xc->facility_code, out))
		return SCRUB_OK;
	char on[16] = "none";
	if (c->has_date_of_service)
		isotime_format_date(day, on, sizeof(on));
	enum scrub_err err = diag_add(
		dl, file, xc->facility_line, xc->facility_column,
		"unmapped-setting: claim '%s': no setting_map %s row has '%s' "
		"(%s CLM05-1, date of service %s)",
		c->ref ? c->ref : "", setmap_table_names[xc->kind],
		xc->facility_code ? xc->facility_code : "",
		xc->kind == X12_837I ? "837I" : "837P", on);
	return err == SCRUB_OK ? SCRUB_EINPUT : err;
}

/*
 * fees — the optional `fees:` section of the rule files: for each payer
 * profile, the fee of each code, so reports can put money on findings
 * (revenue at risk, revenue missed).  Nothing in the scrub uses it.
 *
 *   fees:
 *     medicare:
 *       "96365": 180.00
 *
 * A fee is a plain decimal with at most two places, stored as cents.
 * Profiles must be defined in `profiles:`, codes must be in the code
 * catalogue or the companion codes; every error names FILE:LINE:COLUMN.
 * Effective dates are resolved before this decoder runs (rules_dated.c):
 * it sees one value per fee.
 */
#include "config.h"

#include <string.h>

#include "rules_int.h"

/* Largest fee: $9,999,999.99 (numeric(12,2) in claimscrub.fee has room). */
#define FEES_MAX_WHOLE_DIGITS 7

static bool
known_code(const struct ruleset *rs, const char *code)
{
	for (int i = 0; i < rs->ncodes; i++)
		if (strcmp(rs->codes[i].code, code) == 0)
			return true;
	return rules_list_has(&rs->companions.iv_start, code) ||
	       rules_list_has(&rs->companions.nurse_visit, code) ||
	       rules_list_has(&rs->companions.em_visit, code);
}

/* "180", "180.5", "180.00": cents; anything else is an error at v. */
static enum scrub_err
fee_amount(struct yctx *c, const struct ynode *v, long *cents)
{
	enum scrub_err err = ynode_want(c, v, YNODE_SCALAR, "fee");
	if (err != SCRUB_OK)
		return err;
	const char *s = v->str;
	long whole = 0, frac = 0;
	size_t digits = 0, places = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		whole = digits < FEES_MAX_WHOLE_DIGITS ? whole * 10 + (*s - '0')
						       : whole;
	if (*s == '.' && s[1])
		for (s++; *s >= '0' && *s <= '9' && places < 3; s++, places++)
			frac = frac * 10 + (*s - '0');
	if (!v->plain || digits == 0 || digits > FEES_MAX_WHOLE_DIGITS ||
	    places > 2 || *s != '\0' || (size_t)(s - v->str) != v->len) {
		char q[80];
		ynode_quote(v, q, sizeof(q));
		return ynode_error(c, v,
				   "fee %s must be an amount like 180.00 (at "
				   "most %d digits, 2 decimal places)",
				   q, FEES_MAX_WHOLE_DIGITS);
	}
	*cents = whole * 100 + (places == 1 ? frac * 10 : frac);
	return SCRUB_OK;
}

/* One profile's mapping of code to amount, appended to fees->items. */
static enum scrub_err
decode_profile_fees(struct yctx *c, const struct ruleset *rs,
		    const char *profile, const struct ynode *map,
		    struct rule_fees *fees)
{
	enum scrub_err err = ynode_want(c, map, YNODE_MAP, "fees of a profile");
	for (size_t i = 0;
	     err != SCRUB_ENOMEM && map->type == YNODE_MAP && i < map->n; i++) {
		const char *code;
		long cents = 0;
		enum scrub_err e = ynode_str(c, map->keys[i], "code", 5, &code);
		if (e == SCRUB_OK && !known_code(rs, code))
			e = ynode_error(
				c, map->keys[i],
				"fees: '%s' is not in the code catalogue "
				"or the companion codes",
				code);
		enum scrub_err a = fee_amount(c, map->items[i], &cents);
		if (e == SCRUB_OK && a == SCRUB_OK)
			fees->items[fees->n++] =
				(struct rule_fee){profile, code, cents};
		err = e != SCRUB_OK ? e : a != SCRUB_OK ? a : err;
	}
	return err;
}

enum scrub_err
rules__decode_fees(struct yctx *c, const struct ynode *top, struct ruleset *rs)
{
	enum scrub_err err = ynode_want(c, top, YNODE_MAP, "fees");
	if (err != SCRUB_OK)
		return err;
	size_t total = 0;
	for (size_t i = 0; i < top->n; i++)
		total +=
			top->items[i]->type == YNODE_MAP ? top->items[i]->n : 0;
	rs->fees.items =
		arena_calloc(c->arena, total + 1, sizeof(struct rule_fee));
	if (!rs->fees.items)
		return SCRUB_ENOMEM;
	rs->fees.n = 0;
	for (size_t i = 0; err != SCRUB_ENOMEM && i < top->n; i++) {
		const char *profile;
		enum scrub_err e =
			ynode_str(c, top->keys[i], "profile", 64, &profile);
		if (e == SCRUB_OK && !rules_has_profile(rs, profile))
			e = ynode_error(c, top->keys[i],
					"fees: unknown payer profile '%s'",
					profile);
		if (e == SCRUB_OK)
			e = decode_profile_fees(c, rs, profile, top->items[i],
						&rs->fees);
		err = e != SCRUB_OK ? e : err;
	}
	return err;
}

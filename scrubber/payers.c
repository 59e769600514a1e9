/*
 * payers — the optional `payers:` section of the rule files: which payer
 * ids and names each payer profile judges, besides its own name.
 *
 *   payers:
 *     medicare: ["CMS", "00430", "Medicare Part B"]
 *
 * A claim's payer is matched without regard to case, first against the
 * profile names, then against these (rules_profile); one that matches
 * neither is judged by "default" and counted
 * (claimscrub_unmapped_payers_total).  A name maps to one profile only,
 * and a profile's own name cannot be given to another; every error names
 * FILE:LINE:COLUMN.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "rules_int.h"

/* The profile a payer name already maps to, or -1. */
static int
mapped_to(const struct ruleset *rs, const char *payer)
{
	for (int i = 0; i < rs->nprofiles; i++)
		if (strcasecmp(rs->profiles[i].name, payer) == 0)
			return i;
	for (int i = 0; i < rs->payers.n; i++)
		if (strcasecmp(rs->payers.items[i].payer, payer) == 0)
			return rs->payers.items[i].profile;
	return -1;
}

static int
profile_index(const struct ruleset *rs, const char *name)
{
	for (int i = 0; i < rs->nprofiles; i++)
		if (strcmp(rs->profiles[i].name, name) == 0)
			return i;
	return -1;
}

/* One profile's list of payer names, appended to rs->payers. */
static enum scrub_err
decode_names(struct yctx *c, struct ruleset *rs, int profile,
	     const struct ynode *list)
{
	enum scrub_err err = ynode_want(c, list, YNODE_SEQ, "payer names");
	for (size_t i = 0;
	     err != SCRUB_ENOMEM && list->type == YNODE_SEQ && i < list->n;
	     i++) {
		const char *name;
		enum scrub_err e =
			ynode_str(c, list->items[i], "payer name", 64, &name);
		int was = e == SCRUB_OK ? mapped_to(rs, name) : -1;
		if (was >= 0)
			e = ynode_error(c, list->items[i],
					"payers: '%s' already maps to profile "
					"'%s'",
					name, rs->profiles[was].name);
		if (e == SCRUB_OK)
			rs->payers.items[rs->payers.n++] =
				(struct rule_payer){name, profile};
		err = e != SCRUB_OK ? e : err;
	}
	return err;
}

enum scrub_err
rules__decode_payers(struct yctx *c, const struct ynode *top,
		     struct ruleset *rs)
{
	enum scrub_err err = ynode_want(c, top, YNODE_MAP, "payers");
	if (err != SCRUB_OK)
		return err;
	size_t total = 0;
	for (size_t i = 0; i < top->n; i++)
		total +=
			top->items[i]->type == YNODE_SEQ ? top->items[i]->n : 0;
	rs->payers.items =
		arena_calloc(c->arena, total + 1, sizeof(struct rule_payer));
	if (!rs->payers.items)
		return SCRUB_ENOMEM;
	rs->payers.n = 0;
	for (size_t i = 0; err != SCRUB_ENOMEM && i < top->n; i++) {
		const char *profile;
		int p = -1;
		enum scrub_err e =
			ynode_str(c, top->keys[i], "profile", 64, &profile);
		if (e == SCRUB_OK && (p = profile_index(rs, profile)) < 0)
			e = ynode_error(c, top->keys[i],
					"payers: unknown payer profile '%s'",
					profile);
		if (e == SCRUB_OK)
			e = decode_names(c, rs, p, top->items[i]);
		err = e != SCRUB_OK ? e : err;
	}
	return err;
}

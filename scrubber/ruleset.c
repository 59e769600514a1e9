/*
 * ruleset — the read side of a built rule set: what the engine, the CLI and
 * the decoders ask of it (codes, companions, profiles, classification,
 * periods, fees) and freeing it.  Building (rules.c, rules_decode.c,
 * fees.c, rules_dated.c) calls in here and nothing here calls back, so the
 * rule modules' call graph has no cycle: rules.c -> rules_decode.c ->
 * fees.c -> ruleset.c, rules.c -> ruleset.c.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules_int.h"
#include "ruleset.h"

const char *const role_names[ROLE_COUNT + 1] = {
	"initial",    "additional-hour", "subsequent",
	"concurrent", "same-drug",	 NULL,
};

bool
rules_list_has(const struct rule_list *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (l->items[i][0] == s[0] && strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

void
rules_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (int i = 0; rs->periods && i < rs->nperiods; i++)
		if (rs->periods[i] != rs)
			free(rs->periods[i]);
	free(rs->periods);
	arena_free(rs->arena);
	free(rs);
}

int
rules_nperiods(const struct ruleset *rs)
{
	return rs->periods ? rs->nperiods : 1;
}

const struct ruleset *
rules_period(const struct ruleset *rs, int i, int32_t *from, int32_t *to)
{
	const struct ruleset *p = rs->periods ? rs->periods[i] : rs;
	if (from)
		*from = p->from;
	if (to)
		*to = p->to;
	return p;
}

void
rules_days(const struct ruleset *rs, int32_t *from, int32_t *to)
{
	*from = rs->from;
	*to = rs->to;
}

const struct ruleset *
rules_at(const struct ruleset *rs, int32_t day)
{
	int lo = 0, hi = rules_nperiods(rs) - 1;
	while (lo < hi) { /* the first period that ends on or after day */
		int mid = lo + (hi - lo) / 2;
		if (rules_period(rs, mid, NULL, NULL)->to < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return rules_period(rs, lo, NULL, NULL);
}

static void
size_max(const struct rule_settings *s, long *lines, long *admins)
{
	if (s->max_lines > *lines)
		*lines = s->max_lines;
	if (s->max_administrations > *admins)
		*admins = s->max_administrations;
}

void
rules_size_limits(const struct ruleset *rs, long *max_lines,
		  long *max_administrations)
{
	*max_lines = *max_administrations = 0;
	for (int i = 0; i < rules_nperiods(rs); i++) {
		const struct ruleset *p = rules_period(rs, i, NULL, NULL);
		size_max(&p->settings, max_lines, max_administrations);
		for (int k = 0; k < p->nprofiles; k++)
			size_max(&p->profiles[k].settings, max_lines,
				 max_administrations);
	}
}

const char *
rules_version(const struct ruleset *rs)
{
	return rs->version;
}

unsigned
rules_finding_severities(const struct ruleset *rs, int id)
{
	unsigned bits = 0;
	if (id < 0 || id >= F_COUNT)
		return 0;
	for (int i = 0; i < rules_nperiods(rs); i++) {
		const struct rule_finding *f =
			&rules_period(rs, i, NULL, NULL)->findings[id];
		if (f->enabled)
			bits |= 1u << f->severity;
	}
	return bits;
}

static unsigned
code_hash(const char *code)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)code; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h & (RULES_CODE_SLOTS - 1);
}

/* The slot of code: its own, or the empty one where it would go. */
static const struct rule_code_slot *
code_slot(const struct ruleset *rs, const char *code)
{
	unsigned h = code_hash(code);
	while (rs->code_index[h].code && strcmp(rs->code_index[h].code, code))
		h = (h + 1) & (RULES_CODE_SLOTS - 1);
	return &rs->code_index[h];
}

static struct rule_code_slot *
slot_add(struct ruleset *rs, const char *code)
{
	struct rule_code_slot *sl =
		(struct rule_code_slot *)code_slot(rs, code);
	if (!sl->code)
		*sl = (struct rule_code_slot){code, -1, COMPANION_NONE};
	return sl;
}

static void
index_list(struct ruleset *rs, const struct rule_list *l,
	   enum companion_kind kind)
{
	for (int i = 0; i < l->n; i++) {
		struct rule_code_slot *sl = slot_add(rs, l->items[i]);
		if (sl->companion == COMPANION_NONE)
			sl->companion = (unsigned char)kind;
	}
}

/* Indexes every code the rules name: rules_code and rules_companion run for
 * every billed line, several times a claim, and linear strcmp searches were
 * a third of a scrub.  At most 256 codes and 3 x 64 companions: the table
 * stays under half full. */
void
rules__index_codes(struct ruleset *rs)
{
	memset(rs->code_index, 0, sizeof(rs->code_index));
	for (int i = 0; i < rs->ncodes; i++)
		slot_add(rs, rs->codes[i].code)->index = (short)i;
	index_list(rs, &rs->companions.iv_start, COMPANION_IV_START);
	index_list(rs, &rs->companions.nurse_visit, COMPANION_NURSE_VISIT);
	index_list(rs, &rs->companions.em_visit, COMPANION_EM_VISIT);
}

const struct rule_code *
rules_code(const struct ruleset *rs, const char *code)
{
	const struct rule_code_slot *sl = code_slot(rs, code);
	return sl->code && sl->index >= 0 ? &rs->codes[sl->index] : NULL;
}

enum companion_kind
rules_companion(const struct ruleset *rs, const char *code)
{
	return (enum companion_kind)code_slot(rs, code)->companion;
}

int
rules_has_profile(const struct ruleset *rs, const char *name)
{
	for (int i = 0; i < rs->nprofiles; i++)
		if (strcmp(rs->profiles[i].name, name) == 0)
			return 1;
	return 0;
}

/* The index of payer's profile, or -1: a profile of its name, else one
 * whose payers: list names it, case aside. */
static int
payer_profile(const struct ruleset *rs, const char *payer)
{
	for (int i = 0; payer && i < rs->nprofiles; i++)
		if (strcasecmp(rs->profiles[i].name, payer) == 0)
			return i;
	for (int i = 0; payer && i < rs->payers.n; i++)
		if (strcasecmp(rs->payers.items[i].payer, payer) == 0)
			return rs->payers.items[i].profile;
	return -1;
}

const struct rule_profile *
rules_profile(const struct ruleset *rs, const char *payer)
{
	int i = payer_profile(rs, payer);
	return &rs->profiles[i >= 0 ? i : rs->default_profile];
}

bool
rules_payer_mapped(const struct ruleset *rs, const char *payer)
{
	return !payer || !*payer || payer_profile(rs, payer) >= 0;
}

const struct rule_classify *
rules_classify(const struct ruleset *rs, int kind, int route)
{
	for (int i = 0; i < rs->nclassify; i++) {
		const struct rule_classify *r = &rs->classify[i];
		if (r->kind == kind && (r->route < 0 || r->route == route))
			return r;
	}
	return NULL;
}

bool
rules_fee(const struct ruleset *rs, const char *profile, const char *code,
	  long *cents)
{
	for (int i = 0; i < rs->fees.n; i++)
		if (strcmp(rs->fees.items[i].profile, profile) == 0 &&
		    strcmp(rs->fees.items[i].code, code) == 0) {
			*cents = rs->fees.items[i].cents;
			return true;
		}
	return false;
}

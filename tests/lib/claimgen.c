/*
 * claimgen — random claims and coder errors; see claimgen.h.
 *
 * The claims are meant to be the claims of a busy infusion suite, not
 * noise: a few substances given again and again (restarts, overlapping
 * bags, repeated pushes), run lengths that sit on the thresholds of the
 * rules (15/16, 30/31, 90/91, 150/151, 210/211 minutes), pushes 25-35
 * minutes apart (the same-drug window), sites spelt as nurses spell them.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tests/lib/claimgen.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(g, a) ((a)[cg_range((g), 0, (int)N(a) - 1)])
#define MAX_ADMINS 6
#define MAX_LINES 64

/* ---- the generator ----------------------------------------------------- */

/* splitmix64: tiny, fast, and its output passes the usual batteries, which
 * is all a test generator needs. */
static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void
cg_seed(struct cg_rng *g, uint64_t seed, uint64_t index)
{
	/* hashed twice so that seed s, claim i+1 and seed s+1, claim i are
	 * unrelated streams */
	uint64_t x = seed;
	x = splitmix(&x) ^ (index * 0xd1b54a32d192ed03u);
	g->state = splitmix(&x);
}

static uint64_t
cg_next(struct cg_rng *g)
{
	return splitmix(&g->state);
}

/* A number in lo..hi, both included. */
static int
cg_range(struct cg_rng *g, int lo, int hi)
{
	uint64_t n = (uint64_t)(hi - lo) + 1;
	return lo + (int)(((cg_next(g) >> 32) * n) >> 32);
}

/* True with the given chance in percent. */
static bool
cg_chance(struct cg_rng *g, int percent)
{
	return cg_range(g, 0, 99) < percent;
}

/* An index into weights[0..n-1] drawn with those weights (percent). */
static int
weighted(struct cg_rng *g, const int *weights, int n)
{
	int x = cg_range(g, 0, 99);
	for (int i = 0; i < n - 1; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

/* ---- what a suite gives ------------------------------------------------ */

struct drug {
	const char *name;
	enum admin_kind kind;
	enum admin_route route; /* how it is usually given */
};

static const struct drug therapeutic[] = {
	{"vancomycin", KIND_THERAPEUTIC, ROUTE_INFUSION},
	{"ceftriaxone", KIND_THERAPEUTIC, ROUTE_INFUSION},
	{"piperacillin-tazobactam", KIND_THERAPEUTIC, ROUTE_INFUSION},
	{"iron sucrose", KIND_THERAPEUTIC, ROUTE_INFUSION},
	{"ondansetron", KIND_THERAPEUTIC, ROUTE_PUSH},
	{"morphine", KIND_THERAPEUTIC, ROUTE_PUSH},
	{"famotidine", KIND_THERAPEUTIC, ROUTE_PUSH},
	{"ketorolac", KIND_THERAPEUTIC, ROUTE_INJECTION},
	{"immune globulin", KIND_THERAPEUTIC, ROUTE_SUBCUTANEOUS},
};

static const struct drug chemotherapy[] = {
	{"cisplatin", KIND_CHEMOTHERAPY, ROUTE_INFUSION},
	{"paclitaxel", KIND_CHEMOTHERAPY, ROUTE_INFUSION},
	{"fluorouracil", KIND_CHEMOTHERAPY, ROUTE_PUSH},
	{"methotrexate", KIND_CHEMOTHERAPY, ROUTE_SUBCUTANEOUS},
};

static const char *const fluids[] = {"normal saline", "lactated Ringer's",
				     "D5W"};

/* Access sites: a side and a place; spelt with any case and separator,
 * as the rules say they compare ("R-forearm" = "r forearm"). */
static const char *const iv_places[][2] = {
	{"R", "forearm"}, {"L", "forearm"}, {"R", "hand"},
	{"L", "hand"},	  {"R", "AC"},	    {"L", "AC"},
};
static const char *const sc_places[][2] = {{"L", "abdomen"}, {"R", "thigh"}};

static const char *const payers[] = {
	"t-concurrent-date",	    "t-concurrent-overlap-30",
	"t-segments-separate",	    "t-initial-per-date",
	"t-missing-push",	    "t-same-drug-always",
	"t-same-drug-never",	    "t-xs-only",
	"t-professional-hierarchy", "t-xs-from-2027",
};

/* Dates of service: a plain day, new year's eve (runs into 2027 and a
 * dated profile), a day of 2027, a holiday. */
static const char *const dates[] = {"2026-03-14", "2026-12-31", "2027-01-15",
				    "2026-07-04"};

static const char *const ids[MAX_ADMINS] = {"A1", "A2", "A3", "A4", "A5", "A6"};

/* The plan of one administration before its times are written. */
struct plan {
	int64_t start, stop; /* wall seconds */
	bool has_stop;
};

struct gen {
	struct cg_rng *g;
	struct arena *a;
	struct claim *c;
	const struct drug *pool[3];
	int npool;
	const char *fluid[2];
	int nfluid;
	int site[3]; /* into iv_places */
	int nsite;
	const char *offset; /* appended to every time: "", "Z", "+01:00" */
	int64_t base;	    /* wall seconds of the first start */
	struct plan plan[MAX_ADMINS];
};

static const char *
payer(struct cg_rng *g)
{
	static const int w[] = {35, 30, 5, 5, 25};
	switch (weighted(g, w, (int)N(w))) {
	case 0:
		return NULL;
	case 1:
		return "medicare";
	case 2:
		return "default";
	case 3:
		return "acme-health"; /* unknown: the default profile */
	default:
		return PICK(g, payers);
	}
}

static const struct drug *
pick_drug(struct cg_rng *g)
{
	/* one drug in five is chemotherapy */
	return cg_chance(g, 20) ? &PICK(g, chemotherapy)
				: &PICK(g, therapeutic);
}

/* The few substances, fluids and sites of one claim: few, so that the
 * same drug comes back (restarts, second bags, repeated pushes). */
static void
pick_pool(struct gen *x)
{
	x->npool = cg_range(x->g, 1, 3);
	for (int i = 0; i < x->npool; i++)
		x->pool[i] = pick_drug(x->g);
	/* hydration in four claims of ten, one or two fluids */
	x->nfluid = cg_chance(x->g, 40) ? cg_range(x->g, 1, 2) : 0;
	for (int i = 0; i < x->nfluid; i++)
		x->fluid[i] = PICK(x->g, fluids);
	x->nsite = cg_range(x->g, 1, 3);
	for (int i = 0; i < x->nsite; i++)
		x->site[i] = cg_range(x->g, 0, (int)N(iv_places) - 1);
}

/* A place spelt one of the ways the rules must read as the same. */
static const char *
spell(struct gen *x, const char *const place[2])
{
	static const char *const sep[] = {"-", " ", "_", ""};
	char buf[64];
	const char *side = place[0];
	char s = cg_chance(x->g, 30) ? (char)tolower((unsigned char)side[0])
				     : side[0];
	snprintf(buf, sizeof(buf), "%c%s%s", s, PICK(x->g, sep), place[1]);
	if (cg_chance(x->g, 15))
		for (char *p = buf; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	return arena_strdup(x->a, buf);
}

static const char *
site_for(struct gen *x, enum admin_route route, int *which)
{
	*which = -1;
	if (cg_chance(x->g, 3))
		return ""; /* not documented */
	if (route == ROUTE_SUBCUTANEOUS && cg_chance(x->g, 70))
		return spell(x, PICK(x->g, sc_places));
	/* most administrations go into the first line placed */
	*which = cg_chance(x->g, 60) ? 0 : cg_range(x->g, 0, x->nsite - 1);
	return spell(x, iv_places[x->site[*which]]);
}

static const char *
substance_name(struct gen *x, const char *name)
{
	if (!cg_chance(x->g, 10))
		return name;
	char *s = arena_strdup(x->a, name); /* "Vancomycin" = "vancomycin" */
	if (s)
		s[0] = (char)toupper((unsigned char)s[0]);
	return s;
}

/* Kind, substance and route of administration i. */
static void
pick_substance(struct gen *x, struct administration *ad)
{
	if (x->nfluid && cg_chance(x->g, 30)) {
		ad->kind = KIND_HYDRATION;
		ad->substance = x->fluid[cg_range(x->g, 0, x->nfluid - 1)];
		ad->route = cg_chance(x->g, 95) ? ROUTE_INFUSION
						: ROUTE_SUBCUTANEOUS;
		return;
	}
	const struct drug *d = x->pool[cg_range(x->g, 0, x->npool - 1)];
	ad->kind = d->kind;
	ad->substance = substance_name(x, d->name);
	ad->route = cg_chance(x->g, 65)
			    ? d->route
			    : (enum admin_route)cg_range(x->g, 0, 3);
}

/* ---- times ------------------------------------------------------------- */

/* Minutes of a timed run: mostly on either side of a threshold. */
static int
duration(struct cg_rng *g)
{
	static const int w[] = {20, 15, 15, 20, 15, 7, 8};
	static const int lo[] = {10, 25, 40, 85, 145, 205, 240};
	static const int hi[] = {20, 35, 80, 95, 155, 215, 480};
	int b = weighted(g, w, (int)N(w));
	return cg_range(g, lo[b], hi[b]);
}

static bool
timed(const struct administration *ad)
{
	return ad->kind == KIND_HYDRATION || ad->route == ROUTE_INFUSION ||
	       ad->route == ROUTE_SUBCUTANEOUS;
}

static int64_t
plan_end(const struct plan *p)
{
	return p->has_stop ? p->stop : p->start;
}

/* A start placed against an earlier administration: overlapping it, right
 * after it, about the same-drug window after it, with it, before it, or
 * hours later. */
static int64_t
place_start(struct gen *x, int i)
{
	if (i == 0)
		return x->base;
	const struct plan *p = &x->plan[cg_range(x->g, 0, i - 1)];
	int64_t len = plan_end(p) - p->start;
	static const int w[] = {25, 20, 20, 15, 10, 10};
	switch (weighted(x->g, w, (int)N(w))) {
	case 0:
		return p->start +
		       60 * (int64_t)cg_range(x->g, 0, (int)(len / 60));
	case 1:
		return plan_end(p) + 60 * (int64_t)cg_range(x->g, 0, 5);
	case 2:
		return plan_end(p) + 60 * (int64_t)cg_range(x->g, 25, 35);
	case 3:
		return p->start + 60 * (int64_t)cg_range(x->g, 0, 3);
	case 4:
		return p->start - 60 * (int64_t)cg_range(x->g, 10, 120);
	default:
		return plan_end(p) + 60 * (int64_t)cg_range(x->g, 40, 600);
	}
}

static void
plan_times(struct gen *x, int i, const struct administration *ad)
{
	struct plan *p = &x->plan[i];
	p->start = place_start(x, i);
	if (timed(ad) &&
	    !(ad->kind == KIND_CHEMOTHERAPY &&
	      ad->route == ROUTE_SUBCUTANEOUS && cg_chance(x->g, 50))) {
		p->has_stop = true;
		p->stop = p->start + 60 * (int64_t)duration(x->g);
	} else if (cg_chance(x->g, 25)) {
		/* a push documented with a stop, now and then a long one */
		p->has_stop = true;
		p->stop = p->start + 60 * (int64_t)cg_range(x->g, 1, 20);
	}
	/* seconds, which the rules drop */
	if (cg_chance(x->g, 15))
		p->start += cg_range(x->g, 1, 59);
	if (p->has_stop && cg_chance(x->g, 15))
		p->stop += cg_range(x->g, 1, 59);
}

static void
write_time(struct gen *x, struct claim_time *t, int64_t wall)
{
	struct isotime it = {.wall = wall};
	char buf[48];
	isotime_format(&it, buf, 32);
	strncat(buf, x->offset, sizeof(buf) - strlen(buf) - 1);
	t->text = arena_strdup(x->a, buf);
	t->state = t->text && isotime_parse(buf, strlen(buf), &t->t) ? TIME_OK
								     : TIME_BAD;
}

/* A time as a tired person writes it: no 'T', no date, February 30. */
static void
garble(struct gen *x, struct claim_time *t)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%s", t->text ? t->text : "");
	switch (cg_range(x->g, 0, 3)) {
	case 0:
		buf[10] = ' ';
		break;
	case 1:
		memmove(buf, buf + 11, strlen(buf + 11) + 1);
		break;
	case 2:
		memcpy(buf + 5, "02-30", 5);
		break;
	default:
		memcpy(buf + 11, "24:30", 5);
		break;
	}
	t->text = arena_strdup(x->a, buf);
	t->state = t->text && isotime_parse(buf, strlen(buf), &t->t) ? TIME_OK
								     : TIME_BAD;
}

static void
absent(struct claim_time *t)
{
	*t = (struct claim_time){.state = TIME_ABSENT};
}

/* One in twenty administrations is documented badly: a time missing,
 * unreadable, before its start, or a run over 24 hours. */
static void
spoil_times(struct gen *x, int i, struct administration *ad)
{
	struct plan *p = &x->plan[i];
	switch (cg_range(x->g, 0, 5)) {
	case 0:
		absent(&ad->start);
		break;
	case 1:
		if (p->has_stop)
			absent(&ad->stop);
		else
			absent(&ad->start);
		break;
	case 2:
		write_time(x, &ad->stop,
			   p->start - 60 * (int64_t)cg_range(x->g, 0, 60));
		break;
	case 3:
		garble(x, cg_chance(x->g, 50) || !p->has_stop ? &ad->start
							      : &ad->stop);
		break;
	case 4:
		write_time(x, &ad->stop,
			   p->start + 60 * (int64_t)cg_range(x->g, 1441, 1500));
		break;
	default:
		absent(&ad->start);
		absent(&ad->stop);
		break;
	}
}

/* ---- the claim --------------------------------------------------------- */

static int
admin_count(struct cg_rng *g)
{
	static const int w[] = {15, 25, 25, 15, 10, 10};
	return 1 + weighted(g, w, (int)N(w));
}

static void
make_admin(struct gen *x, int i)
{
	struct administration *ad = &x->c->admins[i];
	int which;
	ad->id = ids[i];
	pick_substance(x, ad);
	ad->site = site_for(x, ad->route, &which);
	/* the need for a second line is documented on the second line */
	if (x->nsite > 1)
		ad->separate_site_required =
			cg_chance(x->g, which > 0 ? 40 : 3);
	plan_times(x, i, ad);
	write_time(x, &ad->start, x->plan[i].start);
	if (x->plan[i].has_stop)
		write_time(x, &ad->stop, x->plan[i].stop);
	else
		absent(&ad->stop);
	if (cg_chance(x->g, 5))
		spoil_times(x, i, ad);
}

static void
mark_primary(struct gen *x)
{
	int n = cg_chance(x->g, 40) ? 1 : 0;
	n += cg_chance(x->g, 5);
	for (int k = 0; k < n; k++)
		x->c->admins[cg_range(x->g, 0, (int)x->c->nadmins - 1)]
			.primary = true;
}

static int64_t
base_time(struct gen *x, int32_t day)
{
	/* evenings often, so that runs cross midnight */
	int hour = cg_chance(x->g, 30) ? cg_range(x->g, 20, 23)
				       : cg_range(x->g, 7, 19);
	int minute = cg_chance(x->g, 70) ? 5 * cg_range(x->g, 0, 11)
					 : cg_range(x->g, 0, 59);
	return (int64_t)day * 86400 + hour * 3600 + minute * 60;
}

static void
claim_head(struct gen *x, long index)
{
	static const char *const offsets[] = {"Z", "+01:00", "-05:00"};
	char ref[32];
	const char *date = PICK(x->g, dates);
	int32_t day = 0;
	isotime_parse_date(date, strlen(date), &day);
	snprintf(ref, sizeof(ref), "P-%ld", index);
	x->c->ref = arena_strdup(x->a, ref);
	x->c->payer = payer(x->g);
	x->c->setting =
		cg_chance(x->g, 35) ? SETTING_PROFESSIONAL : SETTING_FACILITY;
	if (cg_chance(x->g, 50)) {
		x->c->has_date_of_service = true;
		x->c->date_of_service = day;
	}
	x->offset = cg_chance(x->g, 8) ? PICK(x->g, offsets) : "";
	x->base = base_time(x, day);
}

bool
claimgen_claim(struct cg_rng *g, struct arena *a, long index, struct claim *out)
{
	struct gen x = {.g = g, .a = a, .c = out};
	*out = (struct claim){0};
	claim_head(&x, index);
	pick_pool(&x);
	out->nadmins = (size_t)admin_count(g);
	out->admins = arena_calloc(a, out->nadmins, sizeof(*out->admins));
	if (!out->admins || !out->ref)
		return false;
	for (int i = 0; i < (int)out->nadmins; i++)
		make_admin(&x, i);
	mark_primary(&x);
	for (size_t i = 0; i < out->nadmins; i++)
		if (!out->admins[i].site || !out->admins[i].substance)
			return false;
	return true;
}

/* ---- billing ----------------------------------------------------------- */

static const char drug_code[] = "J3490"; /* unclassified drug */

static struct claim_line *
new_lines(struct arena *a, size_t n)
{
	return arena_calloc(a, n + 1, sizeof(struct claim_line));
}

static void
shuffle(struct cg_rng *g, struct claim_line *l, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t k = (size_t)cg_range(g, 0, (int)i - 1);
		struct claim_line t = l[i - 1];
		l[i - 1] = l[k];
		l[k] = t;
	}
}

bool
claimgen_bill_expected(struct cg_rng *g, const struct result *r,
		       struct arena *a, struct claim *c)
{
	size_t n = (size_t)r->ncodes;
	struct claim_line *l = new_lines(a, n + 1);
	if (!l)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct result_code *rc = &r->codes[i];
		l[i].code = arena_strdup(a, rc->code);
		l[i].units = rc->units;
		if (rc->modifier)
			l[i].modifiers[l[i].nmodifiers++] =
				arena_strdup(a, rc->modifier);
		if (!l[i].code || (rc->modifier && !l[i].modifiers[0]))
			return false;
	}
	/* the drug line anywhere, and the order of lines is no information */
	size_t at = (size_t)cg_range(g, 0, (int)n);
	memmove(&l[at + 1], &l[at], (n - at) * sizeof(*l));
	l[at] = (struct claim_line){.code = drug_code, .units = 1};
	if (cg_chance(g, 30))
		shuffle(g, l, n + 1);
	c->lines = l;
	c->nlines = n + 1;
	return true;
}

/* ---- coder errors ------------------------------------------------------ */

const char *const coder_error_names[CE_COUNT] = {
	[CE_SIBLING] = "sibling",
	[CE_UNITS_PLUS] = "units+1",
	[CE_UNITS_MINUS] = "units-1",
	[CE_DROP] = "dropped-line",
	[CE_DUP_INITIAL] = "dup-initial",
	[CE_DUP_59] = "dup-initial-59",
	[CE_DUP_XS] = "dup-initial-XS",
	[CE_DUP_XP] = "dup-initial-XP",
	[CE_SPLIT] = "split-units",
	[CE_MOD_ADD_INITIAL] = "modifier-added-initial",
	[CE_MOD_ADD_ADDON] = "modifier-added-addon",
	[CE_MOD_REMOVE] = "modifier-removed",
	[CE_EACH_OWN_INITIAL] = "each-own-initial",
	[CE_EACH_DOCUMENTED] = "each-own-initial-as-doc",
};

bool
coder_error_single(enum coder_error e)
{
	return e == CE_SIBLING || e == CE_UNITS_PLUS || e == CE_UNITS_MINUS ||
	       e == CE_DROP;
}

static const char *const initial_codes[] = {
	"96360", "96365", "96369", "96372", "96374", "96401", "96409", "96413",
};

/* True for a drug-administration code (963xx, 964xx): what coders get
 * wrong here, as opposed to the drug line. */
static bool
claimgen_admin_code(const char *code)
{
	return strncmp(code, "963", 3) == 0 || strncmp(code, "964", 3) == 0;
}

/* True for a code a coder bills as the first service (96360, 96365 ...). */
static bool
claimgen_initial_code(const char *code)
{
	for (size_t i = 0; i < N(initial_codes); i++)
		if (strcmp(code, initial_codes[i]) == 0)
			return true;
	return false;
}

/* The codes a coder mixes up: an initial and the other codes of its
 * family, a new drug and the same drug, sequential and concurrent. */
static const char *const siblings[][2] = {
	{"96365", "96366"}, {"96365", "96367"}, {"96365", "96368"},
	{"96365", "96374"}, {"96365", "96375"}, {"96374", "96375"},
	{"96374", "96376"}, {"96375", "96376"}, {"96367", "96368"},
	{"96360", "96361"}, {"96369", "96370"}, {"96369", "96371"},
	{"96413", "96409"}, {"96413", "96415"}, {"96413", "96417"},
	{"96409", "96411"}, {"96401", "96409"},
};

/* The services of result_admin.service and the code a coder who bills
 * everything as an initial would choose. */
static const char *const service_initial[][2] = {
	{"chemo-infusion", "96413"},	    {"chemo-push", "96409"},
	{"chemo-injection", "96401"},	    {"therapeutic-infusion", "96365"},
	{"subcutaneous-infusion", "96369"}, {"therapeutic-push", "96374"},
	{"therapeutic-injection", "96372"}, {"hydration", "96360"},
};

typedef bool line_test(const struct claim_line *l);

static bool
any_admin(const struct claim_line *l)
{
	return claimgen_admin_code(l->code);
}

static bool
initial_line(const struct claim_line *l)
{
	return claimgen_initial_code(l->code);
}

static bool
addon_line(const struct claim_line *l)
{
	return claimgen_admin_code(l->code) && !claimgen_initial_code(l->code);
}

static bool
multi_unit(const struct claim_line *l)
{
	return claimgen_admin_code(l->code) && l->units >= 2;
}

static bool
modified(const struct claim_line *l)
{
	return claimgen_admin_code(l->code) && l->nmodifiers > 0;
}

static bool
has_sibling(const struct claim_line *l)
{
	for (size_t i = 0; i < N(siblings); i++)
		if (strcmp(l->code, siblings[i][0]) == 0 ||
		    strcmp(l->code, siblings[i][1]) == 0)
			return true;
	return false;
}

/* A random line passing test, or -1. */
static int
pick_line(struct cg_rng *g, const struct claim *c, line_test *test)
{
	int cand[MAX_LINES], n = 0;
	for (size_t i = 0; i < c->nlines && n < MAX_LINES; i++)
		if (test(&c->lines[i]))
			cand[n++] = (int)i;
	return n ? cand[cg_range(g, 0, n - 1)] : -1;
}

/* out = c with room for `extra` more lines. */
static bool
copy_claim(const struct claim *c, struct arena *a, size_t extra,
	   struct claim *out)
{
	*out = *c;
	out->lines = new_lines(a, c->nlines + extra);
	if (!out->lines)
		return false;
	memcpy(out->lines, c->lines, c->nlines * sizeof(*c->lines));
	return true;
}

static void
insert_line(struct claim *c, size_t at, struct claim_line l)
{
	memmove(&c->lines[at + 1], &c->lines[at], (c->nlines - at) * sizeof(l));
	c->lines[at] = l;
	c->nlines++;
}

static const char *
sibling_of(struct cg_rng *g, const char *code)
{
	const char *cand[N(siblings)];
	int n = 0;
	for (size_t i = 0; i < N(siblings); i++)
		if (strcmp(code, siblings[i][0]) == 0)
			cand[n++] = siblings[i][1];
		else if (strcmp(code, siblings[i][1]) == 0)
			cand[n++] = siblings[i][0];
	return n ? cand[cg_range(g, 0, n - 1)] : NULL;
}

static bool
err_sibling(struct cg_rng *g, struct claim *out, struct coder_edit *ed)
{
	int i = pick_line(g, out, has_sibling);
	if (i < 0)
		return false;
	struct claim_line *l = &out->lines[i];
	const char *to = sibling_of(g, l->code);
	snprintf(ed->what, sizeof(ed->what), "%s -> %s on line %d", l->code, to,
		 i + 1);
	snprintf(ed->key, sizeof(ed->key), "%s>%s", l->code, to);
	l->code = to;
	ed->line = i + 1;
	ed->code = to;
	return true;
}

static bool
err_units(struct cg_rng *g, struct claim *out, int delta, struct coder_edit *ed)
{
	int i = pick_line(g, out, delta > 0 ? any_admin : multi_unit);
	if (i < 0 || out->lines[i].units + delta > CLAIM_UNITS_MAX)
		return false;
	struct claim_line *l = &out->lines[i];
	snprintf(ed->what, sizeof(ed->what), "%s x%d -> x%d on line %d",
		 l->code, l->units, l->units + delta, i + 1);
	snprintf(ed->key, sizeof(ed->key), "%s", l->code);
	l->units += delta;
	ed->line = i + 1;
	ed->code = l->code;
	return true;
}

static bool
err_drop(struct cg_rng *g, struct claim *out, struct coder_edit *ed)
{
	int i = pick_line(g, out, any_admin);
	if (i < 0)
		return false;
	snprintf(ed->what, sizeof(ed->what), "line %d (%s x%d) dropped", i + 1,
		 out->lines[i].code, out->lines[i].units);
	ed->code = out->lines[i].code;
	snprintf(ed->key, sizeof(ed->key), "%s", ed->code);
	memmove(&out->lines[i], &out->lines[i + 1],
		(out->nlines - (size_t)i - 1) * sizeof(*out->lines));
	out->nlines--;
	return true;
}

static bool
err_dup(struct cg_rng *g, struct claim *out, const char *mod,
	struct coder_edit *ed)
{
	int i = pick_line(g, out, initial_line);
	if (i < 0)
		return false;
	struct claim_line l = {.code = out->lines[i].code, .units = 1};
	if (mod)
		l.modifiers[l.nmodifiers++] = mod;
	size_t at = (size_t)cg_range(g, 0, (int)out->nlines);
	insert_line(out, at, l);
	snprintf(ed->what, sizeof(ed->what), "%s%s%s added as line %zu", l.code,
		 mod ? "-" : "", mod ? mod : "", at + 1);
	snprintf(ed->key, sizeof(ed->key), "%s", l.code);
	ed->line = (int)at + 1;
	ed->code = l.code;
	return true;
}

static bool
err_split(struct cg_rng *g, struct claim *out, struct coder_edit *ed)
{
	int i = pick_line(g, out, multi_unit);
	if (i < 0)
		return false;
	struct claim_line l = out->lines[i];
	int keep = cg_range(g, 1, l.units - 1);
	l.units -= keep;
	out->lines[i].units = keep;
	size_t at = (size_t)cg_range(g, 0, (int)out->nlines);
	insert_line(out, at, l);
	snprintf(ed->what, sizeof(ed->what), "%s split x%d + x%d (line %zu)",
		 l.code, keep, l.units, at + 1);
	snprintf(ed->key, sizeof(ed->key), "%s", l.code);
	ed->line = 0;
	ed->code = l.code;
	return true;
}

static bool
err_mod_add(struct cg_rng *g, struct claim *out, line_test *test,
	    struct coder_edit *ed)
{
	int i = pick_line(g, out, test);
	if (i < 0)
		return false;
	struct claim_line *l = &out->lines[i];
	const char *mod = cg_chance(g, 50) ? "59" : "XS";
	if (claim_line_has_modifier(l, mod))
		mod = mod[0] == '5' ? "XS" : "59";
	if (claim_line_has_modifier(l, mod) ||
	    l->nmodifiers >= CLAIM_MAX_MODIFIERS)
		return false;
	l->modifiers[l->nmodifiers++] = mod;
	snprintf(ed->what, sizeof(ed->what), "%s added to %s on line %d", mod,
		 l->code, i + 1);
	snprintf(ed->key, sizeof(ed->key), "%s+%s", l->code, mod);
	ed->line = i + 1;
	ed->code = l->code;
	return true;
}

static bool
err_mod_remove(struct cg_rng *g, struct claim *out, struct coder_edit *ed)
{
	int i = pick_line(g, out, modified);
	if (i < 0)
		return false;
	struct claim_line *l = &out->lines[i];
	int k = cg_range(g, 0, l->nmodifiers - 1);
	snprintf(ed->what, sizeof(ed->what), "%s taken off %s on line %d",
		 l->modifiers[k], l->code, i + 1);
	snprintf(ed->key, sizeof(ed->key), "%s-%s", l->code, l->modifiers[k]);
	memmove(&l->modifiers[k], &l->modifiers[k + 1],
		(size_t)(l->nmodifiers - k - 1) * sizeof(l->modifiers[0]));
	l->nmodifiers--;
	ed->line = i + 1;
	ed->code = l->code;
	return true;
}

static const char *
initial_of_service(const char *service)
{
	for (size_t i = 0; service && i < N(service_initial); i++)
		if (strcmp(service, service_initial[i][0]) == 0)
			return service_initial[i][1];
	return NULL;
}

/* The initial a coder reads off the record: the route as written, a
 * 12-minute "infusion" included, times unchecked. */
static const char *
documented_initial(const struct administration *ad)
{
	if (ad->kind == KIND_HYDRATION)
		return "96360";
	if (ad->kind == KIND_CHEMOTHERAPY)
		return ad->route == ROUTE_INFUSION ? "96413"
		       : ad->route == ROUTE_PUSH   ? "96409"
						   : "96401";
	switch (ad->route) {
	case ROUTE_INFUSION:
		return "96365";
	case ROUTE_SUBCUTANEOUS:
		return "96369";
	case ROUTE_PUSH:
		return "96374";
	default:
		return "96372";
	}
}

/* The coder who bills every administration as if it came first: the
 * initial of the service the engine made of it, or of the route as
 * documented.  The drug lines stay. */
static bool
err_each_initial(const struct claim *c, const struct result *r, bool documented,
		 struct claim *out, struct coder_edit *ed)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nadmins; i++) {
		const char *code =
			documented ? documented_initial(&c->admins[i])
				   : initial_of_service(r->admins[i].service);
		if (code)
			out->lines[n++] =
				(struct claim_line){.code = code, .units = 1};
	}
	if (n == 0)
		return false;
	for (size_t i = 0; i < c->nlines; i++)
		if (!claimgen_admin_code(c->lines[i].code))
			out->lines[n++] = c->lines[i];
	out->nlines = n;
	snprintf(ed->what, sizeof(ed->what), "each administration an initial");
	snprintf(ed->key, sizeof(ed->key), "all");
	return true;
}

bool
claimgen_coder_error(struct cg_rng *g, enum coder_error e,
		     const struct claim *c, const struct result *r,
		     struct arena *a, struct claim *out, struct coder_edit *ed)
{
	*ed = (struct coder_edit){0};
	if (!copy_claim(c, a, c->nadmins + 2, out))
		return false;
	switch (e) {
	case CE_SIBLING:
		return err_sibling(g, out, ed);
	case CE_UNITS_PLUS:
		return err_units(g, out, 1, ed);
	case CE_UNITS_MINUS:
		return err_units(g, out, -1, ed);
	case CE_DROP:
		return err_drop(g, out, ed);
	case CE_DUP_INITIAL:
		return err_dup(g, out, NULL, ed);
	case CE_DUP_59:
		return err_dup(g, out, "59", ed);
	case CE_DUP_XS:
		return err_dup(g, out, "XS", ed);
	case CE_DUP_XP:
		return err_dup(g, out, "XP", ed);
	case CE_SPLIT:
		return err_split(g, out, ed);
	case CE_MOD_ADD_INITIAL:
		return err_mod_add(g, out, initial_line, ed);
	case CE_MOD_ADD_ADDON:
		return err_mod_add(g, out, addon_line, ed);
	case CE_MOD_REMOVE:
		return err_mod_remove(g, out, ed);
	case CE_EACH_OWN_INITIAL:
		return err_each_initial(c, r, false, out, ed);
	case CE_EACH_DOCUMENTED:
		return err_each_initial(c, r, true, out, ed);
	case CE_COUNT:
		break;
	}
	return false;
}

/*
 * test_marpair — the mar_map tables (rules.d/70-mar-map.yaml and local
 * files) and the pairing of MAR records into administrations.  Expected
 * values are written by hand from the table's rows and infusion-rules.md,
 * never recorded from the program.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/arena.h"
#include "scrubber/diag.h"
#include "scrubber/isotime.h"
#include "scrubber/marpair.h"
#include "scrubber/rules.h"
#include "scrubber/scrub.h"
#include "tests/lib/scrubtest.h"

/* ---- records ---------------------------------------------------------- */

static unsigned next_line;

static struct mar_record
rec(const char *id, const char *group, enum mar_status st)
{
	return (struct mar_record){.file = "t.ndjson",
				   .line = ++next_line,
				   .column = 1,
				   .id = id,
				   .encounter = "E-1",
				   .group = group,
				   .status = st};
}

static void
at(struct mar_record *r, const char *start, const char *stop)
{
	if (start) {
		r->has_start = true;
		cr_assert(isotime_parse(start, strlen(start), &r->start));
	}
	if (stop) {
		r->has_stop = true;
		cr_assert(isotime_parse(stop, strlen(stop), &r->stop));
	}
}

/* An instant: start and stop both, as the FHIR reader gives one. */
static void
instant(struct mar_record *r, const char *t)
{
	at(r, t, t);
	r->instant = true;
}

static void
drug(struct mar_record *r, enum mar_system sys, const char *code)
{
	r->drug[r->ndrug++] = (struct mar_code){.system = sys, .code = code};
}

static void
route(struct mar_record *r, enum mar_system sys, const char *code)
{
	r->has_route = true;
	r->route = (struct mar_code){.system = sys, .code = code};
}

/* An intravenous record of a drug by RxNorm code. */
static struct mar_record
iv(const char *id, const char *group, enum mar_status st, const char *rxnorm)
{
	struct mar_record r = rec(id, group, st);
	drug(&r, MAR_RXNORM, rxnorm);
	route(&r, MAR_SNOMED, "47625008");
	r.site = "left forearm";
	return r;
}

#define CEFTRIAXONE "1665005"
#define ONDANSETRON "312086"
#define SALINE "313002"

/* ---- drug lookups ------------------------------------------------------- */

/* Arrays, not pointers: Criterion runs each case in a process of its own,
 * where the parent's pointers mean nothing.  "" is none. */
struct drug_case {
	enum mar_system sys;
	char code[16], text[32];
	char substance[24]; /* "": unmapped */
	enum admin_kind kind;
};

static const char *
opt(const char *s)
{
	return *s ? s : NULL;
}

ParameterizedTestParameters(marpair, drug_lookup)
{
	static struct drug_case cases[] = {
		/* the billed drug line's J-code */
		{MAR_HCPCS, "J9045", "", "carboplatin", KIND_CHEMOTHERAPY},
		{MAR_HCPCS, "j0696", "", "ceftriaxone", KIND_THERAPEUTIC},
		{MAR_NDC, "0000-1111-22", "", "ondansetron", KIND_THERAPEUTIC},
		{MAR_RXNORM, SALINE, "", "normal-saline", KIND_HYDRATION},
		/* by name, whole, without regard to case */
		{MAR_OTHER, "", "Zofran", "ondansetron", KIND_THERAPEUTIC},
		{MAR_OTHER, "", "NORMAL SALINE", "normal-saline",
		 KIND_HYDRATION},
		/* a name is matched whole, never as a part */
		{MAR_OTHER, "", "normal saline 1000 mL", "", 0},
		/* a code of another system is not an RxNorm code */
		{MAR_NDC, CEFTRIAXONE, "", "", 0},
		{MAR_RXNORM, "999999", "Mystery", "", 0},
	};
	return cr_make_param_array(struct drug_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct drug_case *c, marpair, drug_lookup)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct mar_record r = rec("x", NULL, MAR_COMPLETED);
	if (*c->code)
		drug(&r, c->sys, c->code);
	r.drug_text = opt(c->text);
	const char *substance = NULL;
	enum admin_kind kind;
	bool found = marpair_drug(rules_at(rs, st_day("2026-03-02")), &r,
				  &substance, &kind);
	cr_assert_eq(found, *c->substance != '\0', "%s %s", c->code, c->text);
	if (*c->substance) {
		cr_assert_str_eq(substance, c->substance);
		cr_assert_eq(kind, c->kind);
	}
	rules_free(rs);
}

/* The first coding a row has wins, in document order. */
Test(marpair, drug_first_coding_wins)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct mar_record r = rec("x", NULL, MAR_COMPLETED);
	drug(&r, MAR_RXNORM, "999999");
	drug(&r, MAR_HCPCS, "J9045");
	drug(&r, MAR_RXNORM, CEFTRIAXONE);
	const char *s;
	enum admin_kind k;
	cr_assert(marpair_drug(rules_at(rs, 0), &r, &s, &k));
	cr_assert_str_eq(s, "carboplatin");
	rules_free(rs);
}

/* A dated row is in force from its first to its last day only, and a
 * dated kind takes the value of the claim's day. */
static const char dated[] =
	"mar_map:\n"
	"  drugs:\n"
	"    vancomycin:\n"
	"      value: {kind: therapeutic, names: [vancomycin]}\n"
	"      effective_from: 2026-04-01\n"
	"      effective_to: 2026-12-31\n"
	"    bortezomib:\n"
	"      kind:\n"
	"        - {value: therapeutic, effective_to: 2026-06-30}\n"
	"        - {value: chemotherapy, effective_from: 2026-07-01}\n"
	"      names: [bortezomib]\n";

Test(marpair, dated_rows)
{
	struct ruleset *rs = st_rules_local_ok(dated);
	struct mar_record v = rec("v", NULL, MAR_COMPLETED);
	v.drug_text = "Vancomycin";
	struct mar_record b = rec("b", NULL, MAR_COMPLETED);
	b.drug_text = "bortezomib";
	const char *s;
	enum admin_kind k;
	cr_assert_not(
		marpair_drug(rules_at(rs, st_day("2026-03-31")), &v, &s, &k),
		"the day before its first");
	cr_assert(marpair_drug(rules_at(rs, st_day("2026-04-01")), &v, &s, &k));
	cr_assert_str_eq(s, "vancomycin");
	cr_assert(marpair_drug(rules_at(rs, st_day("2026-12-31")), &v, &s, &k));
	cr_assert_not(
		marpair_drug(rules_at(rs, st_day("2027-01-01")), &v, &s, &k),
		"the day after its last");
	cr_assert(marpair_drug(rules_at(rs, st_day("2026-06-30")), &b, &s, &k));
	cr_assert_eq(k, KIND_THERAPEUTIC);
	cr_assert(marpair_drug(rules_at(rs, st_day("2026-07-01")), &b, &s, &k));
	cr_assert_eq(k, KIND_CHEMOTHERAPY);
	/* the shipped rows are untouched by the local file */
	struct mar_record c = iv("c", NULL, MAR_COMPLETED, CEFTRIAXONE);
	cr_assert(marpair_drug(rules_at(rs, st_day("2026-03-31")), &c, &s, &k));
	cr_assert_str_eq(s, "ceftriaxone");
	rules_free(rs);
}

/* ---- route lookups ------------------------------------------------------ */

struct route_case {
	enum mar_system sys;
	char code[16], text[24], method[32]; /* "": none */
	bool instant;
	int route; /* enum admin_route, -1: unmapped */
};

ParameterizedTestParameters(marpair, route_lookup)
{
	static struct route_case cases[] = {
		/* IV with a period: an infusion (the engine makes one of 15
		 * minutes or less a push, push_max_minutes) */
		{MAR_SNOMED, "47625008", "", "IV infusion", false,
		 ROUTE_INFUSION},
		/* IV at one moment: a push (a push needs only its start) */
		{MAR_V2_0162, "IV", "", "", true, ROUTE_PUSH},
		/* IV with a period and "push" in its method: a documented
		 * push stays a push (infusion-rules.md, Time) */
		{MAR_V2_0162, "IV", "", "IV push over 2 minutes", false,
		 ROUTE_PUSH},
		{MAR_V2_0162, "IV", "", "IVP", false, ROUTE_PUSH},
		/* a word whole: "pushed" is not "push" */
		{MAR_V2_0162, "IV", "", "pushed through", false,
		 ROUTE_INFUSION},
		{MAR_V2_0162, "IM", "", "", true, ROUTE_INJECTION},
		{MAR_SNOMED, "78421000", "", "", false, ROUTE_INJECTION},
		{MAR_SNOMED, "34206005", "", "", false, ROUTE_SUBCUTANEOUS},
		{MAR_V2_0162, "SC", "", "", true, ROUTE_INJECTION},
		/* a route text alone */
		{MAR_OTHER, "", "Intravenous", "", false, ROUTE_INFUSION},
		/* unmapped: an unknown code, or none at all */
		{MAR_V2_0162, "PO", "", "", true, -1},
		{MAR_OTHER, "", "", "IV push", true, -1},
	};
	return cr_make_param_array(struct route_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct route_case *c, marpair, route_lookup)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct mar_record r = rec("x", NULL, MAR_COMPLETED);
	if (*c->code)
		route(&r, c->sys, c->code);
	r.route_text = opt(c->text);
	r.method_text = opt(c->method);
	if (c->instant)
		instant(&r, "2026-03-02T09:45");
	else
		at(&r, "2026-03-02T09:00", "2026-03-02T10:00");
	enum admin_route got = ROUTE_INFUSION;
	bool found = marpair_route(rules_at(rs, 0), &r, &got);
	cr_assert_eq(found, c->route >= 0, "%s", c->code);
	if (c->route >= 0)
		cr_assert_eq((int)got, c->route, "%s %s: %s", c->code,
			     c->method, admin_route_names[got]);
	rules_free(rs);
}

/* ---- pairing ------------------------------------------------------------ */

struct paired {
	struct ruleset *rs;
	struct arena *a;
	struct administration *ad;
	size_t n;
	struct marpair_counts k;
	struct diag_list dl;
	enum scrub_err err;
};

static void
pair(struct paired *p, struct mar_record *recs, size_t n)
{
	const struct mar_record *v[16];
	cr_assert(n <= 16);
	for (size_t i = 0; i < n; i++)
		v[i] = &recs[i];
	*p = (struct paired){.rs = st_rules_local_ok(NULL), .a = arena_new()};
	p->err = marpair_pair(p->a, p->rs, st_day("2026-03-02"), v, n, &p->ad,
			      &p->n, &p->k, &p->dl);
}

static void
done(struct paired *p)
{
	diag_list_free(&p->dl);
	arena_free(p->a);
	rules_free(p->rs);
}

static void
is_time(const struct claim_time *t, const char *text)
{
	if (!text) {
		cr_assert_eq(t->state, TIME_ABSENT, "no time: %s",
			     t->text ? t->text : "");
		return;
	}
	cr_assert_eq(t->state, TIME_OK);
	cr_assert_str_eq(t->text, text);
}

/* The engine's codes for a claim of these administrations (facility,
 * nothing billed), then its findings other than info ones. */
static void
codes_of(const struct paired *p, char *buf, size_t size)
{
	struct claim c = {.ref = "C-1",
			  .setting = SETTING_FACILITY,
			  .admins = p->ad,
			  .nadmins = p->n};
	struct result *r = NULL;
	cr_assert_eq(scrub_claim(p->rs, &c, &r), SCRUB_OK);
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < r->ncodes && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%sx%d",
					i ? " " : "", r->codes[i].code,
					r->codes[i].units);
	/* unbilled-service (info) is every code, as nothing is billed */
	for (int i = 0; i < r->nfindings && len < size; i++)
		if (r->findings[i].severity != SEV_INFO)
			len += (size_t)snprintf(
				buf + len, size - len, " !%s",
				finding_names[r->findings[i].id]);
	result_free(r);
}

/* A bag paused and restarted, FHIR's way: two periods, the second partOf
 * the first.  Two administrations of the same drug at the same site; the
 * engine adds their minutes (same_drug_segments: sum): 40 + 40 = 80
 * minutes of hydration alone, so 96360 and no 96361, since an added hour
 * needs more than 30 minutes past the first (80 - 60 = 20). */
Test(marpair, pause_fhir_periods)
{
	struct mar_record r[2] = {
		iv("ma-3", NULL, MAR_ON_HOLD, SALINE),
		iv("ma-4", "MedicationAdministration/ma-3", MAR_COMPLETED,
		   SALINE),
	};
	at(&r[0], "2026-03-02T10:00-05:00", "2026-03-02T10:40-05:00");
	at(&r[1], "2026-03-02T10:55-05:00", "2026-03-02T11:35-05:00");
	struct paired p;
	pair(&p, r, 2);
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.n, 2);
	cr_assert_str_eq(p.ad[0].id, "ma-3");
	cr_assert_str_eq(p.ad[0].substance, "normal-saline");
	cr_assert_eq(p.ad[0].kind, KIND_HYDRATION);
	cr_assert_eq(p.ad[0].route, ROUTE_INFUSION);
	cr_assert_str_eq(p.ad[0].site, "left forearm");
	is_time(&p.ad[0].start, "2026-03-02T10:00-05:00");
	is_time(&p.ad[0].stop, "2026-03-02T10:40-05:00");
	cr_assert_str_eq(p.ad[1].id, "ma-4");
	is_time(&p.ad[1].start, "2026-03-02T10:55-05:00");
	is_time(&p.ad[1].stop, "2026-03-02T11:35-05:00");
	cr_assert_not(p.ad[0].primary || p.ad[0].separate_site_required);
	char codes[256];
	codes_of(&p, codes, sizeof(codes));
	cr_assert_str_eq(codes, "96360x1");
	done(&p);
}

/* The same bag as events (HL7 v2's way): start, pause, restart, a rate
 * change, stop.  The pause ends the first stretch, the restart opens the
 * second, the rate change goes on: ceftriaxone 10:00-10:40 and
 * 10:55-11:35, one run of 80 minutes: 96365 and no 96366 (80 < 91). */
Test(marpair, pause_restart_events)
{
	struct mar_record r[5] = {
		iv("e1", "ord-1", MAR_IN_PROGRESS, CEFTRIAXONE),
		iv("e2", "ord-1", MAR_ON_HOLD, CEFTRIAXONE),
		iv("e3", "ord-1", MAR_IN_PROGRESS, CEFTRIAXONE),
		iv("e4", "ord-1", MAR_IN_PROGRESS, CEFTRIAXONE),
		iv("e5", "ord-1", MAR_COMPLETED, CEFTRIAXONE),
	};
	/* given out of order: pairing goes by the clock */
	at(&r[0], "2026-03-02T10:00", NULL);
	instant(&r[1], "2026-03-02T10:40");
	at(&r[2], "2026-03-02T10:55", NULL);
	instant(&r[3], "2026-03-02T11:10");
	instant(&r[4], "2026-03-02T11:35");
	struct mar_record s[5] = {r[4], r[2], r[0], r[3], r[1]};
	struct paired p;
	pair(&p, s, 5);
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.n, 2);
	/* in the order of their opening records: e3 came before e1 */
	cr_assert_str_eq(p.ad[0].id, "e3");
	is_time(&p.ad[0].start, "2026-03-02T10:55");
	is_time(&p.ad[0].stop, "2026-03-02T11:35");
	cr_assert_str_eq(p.ad[1].id, "e1");
	is_time(&p.ad[1].start, "2026-03-02T10:00");
	is_time(&p.ad[1].stop, "2026-03-02T10:40");
	cr_assert_eq(p.k.closed, 2, "the pause and the stop");
	cr_assert_eq(p.k.continued, 1, "the rate change");
	char codes[256];
	codes_of(&p, codes, sizeof(codes));
	cr_assert_str_eq(codes, "96365x1");
	done(&p);
}

/* An infusion started and never stopped in the record: no stop is made
 * up, and the engine's missing-stop-time fires (infusion-rules.md,
 * Missing documentation: no time-based code). */
Test(marpair, stop_missing)
{
	struct mar_record r[1] = {
		iv("ma-9", NULL, MAR_IN_PROGRESS, CEFTRIAXONE)};
	at(&r[0], "2026-03-02T13:00", NULL);
	struct paired p;
	pair(&p, r, 1);
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.n, 1);
	cr_assert_eq(p.ad[0].route, ROUTE_INFUSION);
	is_time(&p.ad[0].start, "2026-03-02T13:00");
	is_time(&p.ad[0].stop, NULL);
	char codes[256];
	codes_of(&p, codes, sizeof(codes));
	cr_assert_str_eq(codes, " !missing-stop-time");
	done(&p);
}

/* Entered in error and not given: dropped and counted, never a run, even
 * when a later record is part of the one in error. */
Test(marpair, dropped)
{
	struct mar_record r[3] = {
		iv("ma-1", NULL, MAR_ENTERED_IN_ERROR, CEFTRIAXONE),
		iv("ma-2", NULL, MAR_NOT_DONE, ONDANSETRON),
		iv("ma-3", "MedicationAdministration/ma-1", MAR_COMPLETED,
		   CEFTRIAXONE),
	};
	at(&r[0], "2026-03-02T13:00", "2026-03-02T14:00");
	instant(&r[1], "2026-03-02T13:30");
	at(&r[2], "2026-03-02T13:05", "2026-03-02T14:00");
	struct paired p;
	pair(&p, r, 3);
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.k.records, 3);
	cr_assert_eq(p.k.in_error, 1);
	cr_assert_eq(p.k.not_done, 1);
	cr_assert_eq(p.n, 1);
	cr_assert_str_eq(p.ad[0].id, "ma-3");
	done(&p);
}

/* A dose at one moment: a push with its start and no stop (a stop equal
 * to its start would be an invalid time); alone, the initial push,
 * 96374. */
Test(marpair, instant_push)
{
	struct mar_record r[1] = {iv("ma-2", NULL, MAR_COMPLETED, ONDANSETRON)};
	route(&r[0], MAR_V2_0162, "IV");
	instant(&r[0], "2026-03-02T09:45-05:00");
	struct paired p;
	pair(&p, r, 1);
	cr_assert_eq(p.err, SCRUB_OK);
	cr_assert_eq(p.n, 1);
	cr_assert_eq(p.ad[0].route, ROUTE_PUSH);
	cr_assert_str_eq(p.ad[0].substance, "ondansetron");
	is_time(&p.ad[0].start, "2026-03-02T09:45-05:00");
	is_time(&p.ad[0].stop, NULL);
	char codes[256];
	codes_of(&p, codes, sizeof(codes));
	cr_assert_str_eq(codes, "96374x1");
	done(&p);
}

/* An unmapped drug and an unmapped route: each named at its record's
 * place with its value, the claim's pairing refused; the mapped record is
 * still paired. */
Test(marpair, unmapped_named)
{
	struct mar_record r[3] = {
		iv("ok", NULL, MAR_COMPLETED, CEFTRIAXONE),
		iv("drug?", NULL, MAR_COMPLETED, "999999"),
		iv("route?", NULL, MAR_COMPLETED, CEFTRIAXONE),
	};
	r[1].drug_text = "Mystery 5 mg";
	route(&r[2], MAR_V2_0162, "PO");
	r[2].route_text = "by mouth";
	for (int i = 0; i < 3; i++)
		at(&r[i], "2026-03-02T13:00", "2026-03-02T14:00");
	struct paired p;
	pair(&p, r, 3);
	cr_assert_eq(p.err, SCRUB_EINPUT);
	cr_assert_eq(p.k.unmapped, 2);
	cr_assert_eq(p.n, 1);
	cr_assert_str_eq(p.ad[0].id, "ok");
	cr_assert_eq(p.dl.n, 2);
	cr_assert_str_eq(p.dl.items[0].file, "t.ndjson");
	cr_assert_eq(p.dl.items[0].line, r[1].line);
	cr_assert_str_eq(p.dl.items[0].message,
			 "unmapped-drug: record 'drug?': no mar_map drug row "
			 "has rxnorm 999999, text 'Mystery 5 mg'");
	cr_assert_eq(p.dl.items[1].line, r[2].line);
	cr_assert_str_eq(p.dl.items[1].message,
			 "unmapped-route: record 'route?': no mar_map route "
			 "row has v2-0162 PO, text 'by mouth'");
	done(&p);
}

/* One record given twice (a Bundle and its NDJSON both read): an error,
 * never two runs of one dose. */
Test(marpair, duplicate_id)
{
	struct mar_record r[2] = {
		iv("ma-1", NULL, MAR_COMPLETED, CEFTRIAXONE),
		iv("ma-1", NULL, MAR_COMPLETED, CEFTRIAXONE),
	};
	at(&r[0], "2026-03-02T13:00", "2026-03-02T14:00");
	at(&r[1], "2026-03-02T13:00", "2026-03-02T14:00");
	struct paired p;
	pair(&p, r, 2);
	cr_assert_eq(p.err, SCRUB_EINPUT);
	cr_assert_eq(p.dl.n, 1);
	cr_assert(strstr(p.dl.items[0].message, "'ma-1' is used twice"));
	done(&p);
}

/* ---- the section's errors --------------------------------------------- */

struct bad_case {
	char text[120];
	unsigned line, column;
	char message[64]; /* the start of it */
};

ParameterizedTestParameters(marpair, section_errors)
{
	static struct bad_case cases[] = {
		{"mar_map:\n  drug: {}\n", 2, 3, "unknown key 'drug'"},
		{"mar_map:\n  drugs:\n    x: {kind: antibiotic}\n", 3, 15,
		 "'kind' must be one of"},
		{"mar_map:\n  drugs:\n    x: {kind: therapeutic, atc: []}\n", 3,
		 28, "unknown key 'atc'"},
		{"mar_map:\n  drugs:\n    x: {kind: therapeutic, hcpcs: J1}\n",
		 3, 35, "'hcpcs' must be a sequence"},
		{"mar_map:\n  drugs:\n    x: {kind: therapeutic, hcpcs: "
		 "[J9045]}\n",
		 3, 36, "mar_map: hcpcs 'J9045' is already carboplatin's"},
		{"mar_map:\n  routes:\n    y: {way: oral}\n", 3, 14,
		 "'way' must be one of"},
		{"mar_map:\n  drugs:\n    x:\n      value: {kind: hydration}\n"
		 "      effective_from: 2026-02-30\n",
		 5, 23, "'effective_from' must be a date"},
	};
	return cr_make_param_array(struct bad_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, marpair, section_errors)
{
	struct diag_list dl = {0};
	struct ruleset *rs = st_rules_local(c->text, &dl);
	cr_assert_null(rs);
	bool seen = false;
	for (size_t i = 0; i < dl.n && !seen; i++)
		seen = strcmp(dl.items[i].file, "90-local.yaml") == 0 &&
		       dl.items[i].line == c->line &&
		       dl.items[i].column == c->column &&
		       strncmp(dl.items[i].message, c->message,
			       strlen(c->message)) == 0;
	if (!seen)
		st_log_diags(&dl);
	cr_assert(seen, "%u:%u: %s", c->line, c->column, c->message);
	diag_list_free(&dl);
}

/* ---- a claim judged on its encounter's records (scrub_records) --------- */

/* The codes of r as "CODExUNITS ...", and its findings as " !id@line". */
static void
summary(const struct result *r, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < r->ncodes && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%sx%d",
					i ? " " : "", r->codes[i].code,
					r->codes[i].units);
	for (int i = 0; i < r->nfindings && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, " !%s@%d",
					finding_names[r->findings[i].id],
					r->findings[i].line);
}

static struct claim_line two_lines[2] = {{.code = "99213", .units = 1},
					 {.code = "96360", .units = 1}};

/* An encounter with no record: one finding, mar-missing, at the first
 * administration code (line 2: 99213 is a visit), nothing derived, and the
 * fix is the record, not the lines (infusion-rules.md, one cause, one
 * finding). */
Test(scrubmar, missing_record)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct arena *a = arena_new();
	struct claim c = {.ref = "C-1",
			  .setting = SETTING_FACILITY,
			  .encounter = "E-1",
			  .lines = two_lines,
			  .nlines = 2};
	struct result *r = NULL;
	char buf[256];
	cr_assert_eq(scrub_records(rs, a, &c, NULL, 0, &r), SCRUB_OK);
	summary(r, buf, sizeof(buf));
	cr_assert_str_eq(buf, " !mar-missing@2");
	cr_assert_eq(r->verdict, VERDICT_FLAGGED);
	cr_assert_eq(r->findings[0].severity, SEV_ERROR);
	cr_assert_eq(r->findings[0].suggest.action, SUGGEST_DOCUMENT);
	cr_assert_str_eq(r->findings[0].message,
			 "no administration record (MAR) of encounter E-1 has "
			 "come, so line 2 (96360) and the claim's other "
			 "administration services cannot be judged; the claim "
			 "is scrubbed again when it arrives");
	result_free(r);
	/* without the encounter, the same claim is judged as it is: line 2
	 * is flagged for what nothing documents */
	c.encounter = NULL;
	cr_assert_eq(scrub_records(rs, a, &c, NULL, 0, &r), SCRUB_OK);
	summary(r, buf, sizeof(buf));
	cr_assert(strstr(buf, "@2 "), "%s", buf);
	cr_assert_null(strstr(buf, "mar-missing"), "%s", buf);
	result_free(r);
	arena_free(a);
	rules_free(rs);
}

/* A claim billing no administration service has nothing to wait for. */
Test(scrubmar, missing_record_no_service)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct arena *a = arena_new();
	struct claim c = {.ref = "C-1",
			  .setting = SETTING_FACILITY,
			  .encounter = "E-1",
			  .lines = two_lines,
			  .nlines = 1};
	struct result *r = NULL;
	char buf[256];
	cr_assert_eq(scrub_records(rs, a, &c, NULL, 0, &r), SCRUB_OK);
	summary(r, buf, sizeof(buf));
	cr_assert_null(strstr(buf, "mar-missing"), "%s", buf);
	result_free(r);
	arena_free(a);
	rules_free(rs);
}

/* Records paired, then judged: a 60-minute ceftriaxone infusion is 96365
 * x1 (an initial hour, nothing past 90 minutes); records all entered in
 * error document nothing, so the billed 96360 is flagged as the record
 * supports none of it (the record came: no mar-missing). */
Test(scrubmar, paired_then_judged)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct arena *a = arena_new();
	struct mar_record m[2] = {
		iv("ma-1", NULL, MAR_COMPLETED, CEFTRIAXONE),
		iv("ma-2", NULL, MAR_ENTERED_IN_ERROR, SALINE),
	};
	at(&m[0], "2026-03-02T13:00:00-05:00", "2026-03-02T14:00:00-05:00");
	at(&m[1], "2026-03-02T13:00:00-05:00", "2026-03-02T15:00:00-05:00");
	const struct mar_record *v[2] = {&m[0], &m[1]};
	struct claim_line l = {.code = "96365", .units = 1};
	struct claim c = {.ref = "C-1",
			  .setting = SETTING_FACILITY,
			  .encounter = "E-1",
			  .lines = &l,
			  .nlines = 1};
	struct result *r = NULL;
	char buf[256];
	cr_assert_eq(scrub_records(rs, a, &c, v, 2, &r), SCRUB_OK);
	summary(r, buf, sizeof(buf));
	cr_assert_eq(strncmp(buf, "96365x1", 7), 0, "%s", buf);
	cr_assert_null(strstr(buf, "!mar-missing"), "%s", buf);
	cr_assert_null(strstr(buf, "@1"), "the billed line is right: %s", buf);
	cr_assert_eq(r->claim->nadmins, 1);
	cr_assert_str_eq(r->claim->admins[0].id, "ma-1");
	result_free(r);
	l.code = "96360";
	cr_assert_eq(scrub_records(rs, a, &c, &v[1], 1, &r), SCRUB_OK);
	summary(r, buf, sizeof(buf));
	cr_assert(strstr(buf, "@1 "), "the line is flagged: %s", buf);
	cr_assert_null(strstr(buf, "mar-missing"), "%s", buf);
	result_free(r);
	arena_free(a);
	rules_free(rs);
}

/* Unmapped values: one finding a value however many records name it, the
 * record and the value named, and nothing else judged. */
Test(scrubmar, unmapped_findings)
{
	struct ruleset *rs = st_rules_local_ok(NULL);
	struct arena *a = arena_new();
	struct mar_record m[3] = {
		iv("drug-1", NULL, MAR_COMPLETED, "999999"),
		iv("drug-2", NULL, MAR_COMPLETED, "999999"),
		iv("route-1", NULL, MAR_COMPLETED, CEFTRIAXONE),
	};
	route(&m[2], MAR_V2_0162, "PO");
	m[2].drug_text = "Ceftriaxone 1 g";
	for (int i = 0; i < 3; i++)
		at(&m[i], "2026-03-02T13:00:00-05:00",
		   "2026-03-02T14:00:00-05:00");
	const struct mar_record *v[3] = {&m[0], &m[1], &m[2]};
	struct claim_line l = {.code = "96365", .units = 1};
	struct claim c = {.ref = "C-1",
			  .setting = SETTING_FACILITY,
			  .encounter = "E-1",
			  .lines = &l,
			  .nlines = 1};
	struct result *r = NULL;
	char buf[256];
	cr_assert_eq(scrub_records(rs, a, &c, v, 3, &r), SCRUB_OK);
	summary(r, buf, sizeof(buf));
	cr_assert_str_eq(buf, " !unmapped-drug@0 !unmapped-route@0");
	cr_assert_eq(r->verdict, VERDICT_FLAGGED);
	cr_assert_str_eq(r->findings[0].message,
			 "administration drug-1: the record's drug is in no "
			 "mar_map drug row (rxnorm 999999); the kind is never "
			 "guessed");
	cr_assert_str_eq(r->findings[1].message,
			 "administration route-1 (Ceftriaxone 1 g): the "
			 "record's route is in no mar_map route row (v2-0162 "
			 "PO); push, infusion or injection is never guessed");
	result_free(r);
	arena_free(a);
	rules_free(rs);
}

/* ---- records kept as JSON (mar_event) read back ---------------------- */

Test(marrec, json_round_trip)
{
	struct arena *a = arena_new();
	struct mar_record m =
		iv("ma-1", "MedicationRequest/mr-1", MAR_ON_HOLD, CEFTRIAXONE);
	drug(&m, MAR_OTHER, "local-9");
	m.drug[1].uri = "urn:oid:1.2.3";
	m.drug[1].display = "Cef \"1 g\"";
	m.drug_text = "Ceftriaxone";
	m.method_text = "IV infusion";
	m.route_text = "intravenous";
	at(&m, "2026-03-02T13:00:00-05:00", "2026-03-02T14:30:00Z");
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT;
	marrec_json_write(&m, &one);
	struct mar_record back;
	struct diag_list dl = {0};
	cr_assert_eq(marrec_json_read(a, strbuf_str(&one), one.len, &back, &dl),
		     SCRUB_OK);
	st_log_diags(&dl);
	marrec_json_write(&back, &two);
	cr_assert_str_eq(strbuf_str(&two), strbuf_str(&one));
	cr_assert_str_eq(back.file, "t.ndjson");
	cr_assert_eq(back.line, m.line);
	cr_assert_eq(back.start.offset, -300);
	strbuf_free(&one);
	strbuf_free(&two);
	diag_list_free(&dl);
	arena_free(a);
}

struct json_bad {
	char text[160];
	char message[64]; /* a part of it */
};

ParameterizedTestParameters(marrec, json_refused)
{
	static struct json_bad cases[] = {
		{"[]", "must be an object"},
		{"{\"id\":\"x\",\"drug\":[]}", "needs its encounter"},
		{"{\"encounter\":\"E\",\"dose\":1,\"drug\":[]}",
		 "unknown member 'dose'"},
		{"{\"encounter\":\"E\",\"start\":\"2026-03-02T13:00:00\"}",
		 "not a time with an offset"},
		{"{\"encounter\":\"E\",\"status\":\"done\"}", "status"},
		{"{\"encounter\":7}", "must be a string"},
		{"{\"encounter\":\"E\",\"drug\":[{\"system\":\"rxnorm\"}]}",
		 "needs system and code"},
		/* a system no name has (the fuzzer's: read past the names) */
		{"{\"encounter\":\"E\",\"drug\":[{\"system\":\"snomedx\","
		 "\"code\":\"1\"}]}",
		 "system"},
		{"{\"encounter\":\"E\",\"instant\":true,"
		 "\"start\":\"2026-03-02T13:00:00Z\"}",
		 "an instant has a start and a stop"},
		{"{\"encounter\":\"E\"", "mar_event"},
	};
	return cr_make_param_array(struct json_bad, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct json_bad *c, marrec, json_refused)
{
	struct arena *a = arena_new();
	struct mar_record back;
	struct diag_list dl = {0};
	cr_assert_eq(marrec_json_read(a, c->text, strlen(c->text), &back, &dl),
		     SCRUB_EINPUT, "%s", c->text);
	cr_assert_geq(dl.n, 1);
	char all[400];
	snprintf(all, sizeof(all), "%s: %s", dl.items[0].file,
		 dl.items[0].message);
	cr_assert(strstr(all, c->message), "%s -> %s", c->text, all);
	diag_list_free(&dl);
	arena_free(a);
}

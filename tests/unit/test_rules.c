/*
 * test_rules — building a rule set (scrubber/rules.h) from in-memory rule
 * files: the shipped rules.d loads clean, a later file overrides only what it
 * names, and every kind of mistake is reported at the file:line:column where
 * the offending value was written, with rules_builder_finish refusing the set.
 *
 * The shipped files are read once per test into buffers and added in order;
 * a test adds its own "90-local.yaml" after them, or leaves a shipped file out.
 * Criterion runs each parameterized case in a fresh process of this (PIE)
 * program, so parameter structs hold their text inline, never as pointers.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrubber/fileio.h"
#include "scrubber/finding.h"
#include "scrubber/rules.h"
#include "scrubber/ruleset.h"

#define LOCAL "90-local.yaml"

static const char *const shipped[] = {
	"00-codes.yaml",	  "10-services.yaml",
	"20-settings.yaml",	  "30-findings.yaml",
	"40-companions.yaml",	  "50-payer-default.yaml",
	"50-payer-medicare.yaml", NULL,
};

static const char *
srcdir(void)
{
	const char *s = getenv("CLAIMSCRUB_SRCDIR");
	return s && *s ? s : ".";
}

/* A shipped rule file's text (malloc'd, NUL-terminated). */
static char *
read_shipped(const char *name, size_t *len)
{
	char path[4096];
	char *buf = NULL;
	struct diag_list dl = {0};
	snprintf(path, sizeof(path), "%s/rules.d/%s", srcdir(), name);
	cr_assert_eq(fileio_read(path, FILEIO_MAX_BYTES, &buf, len, &dl),
		     SCRUB_OK, "cannot read %s", path);
	diag_list_free(&dl);
	return buf;
}

/* Extra files: name/text pairs ended by a NULL name; len 0 means strlen. */
struct extra {
	const char *name;
	const char *text;
	size_t len;
};

/*
 * Adds the shipped files (all but `skip`, named "rules.d/NAME"), then the
 * extra ones, and finishes.  *add_err is the first error of an add.
 */
static enum scrub_err
build(const char *skip, const struct extra *extra, struct ruleset **rs,
      struct diag_list *dl, enum scrub_err *add_err)
{
	struct rules_builder *b = rules_builder_new();
	cr_assert_not_null(b);
	*add_err = SCRUB_OK;
	for (int i = 0; shipped[i]; i++) {
		if (skip && strcmp(skip, shipped[i]) == 0)
			continue;
		size_t len;
		char *buf = read_shipped(shipped[i], &len);
		char name[128];
		snprintf(name, sizeof(name), "rules.d/%s", shipped[i]);
		enum scrub_err e = rules_builder_add(b, name, buf, len, dl);
		if (*add_err == SCRUB_OK)
			*add_err = e;
		free(buf);
	}
	for (const struct extra *x = extra; x && x->name; x++) {
		size_t len = x->len ? x->len : strlen(x->text);
		enum scrub_err e =
			rules_builder_add(b, x->name, x->text, len, dl);
		if (*add_err == SCRUB_OK)
			*add_err = e;
	}
	enum scrub_err err = rules_builder_finish(b, rs, dl);
	rules_builder_free(b);
	return err;
}

/* The shipped set plus one local file, which must load clean. */
static struct ruleset *
build_ok(const char *local)
{
	struct extra x[] = {{LOCAL, local, 0}, {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	enum scrub_err err = build(NULL, local ? x : NULL, &rs, &dl, &add_err);
	for (size_t i = 0; i < dl.n; i++)
		cr_log_error("%s:%u:%u: %s", dl.items[i].file, dl.items[i].line,
			     dl.items[i].column, dl.items[i].message);
	cr_assert_eq(add_err, SCRUB_OK);
	cr_assert_eq(err, SCRUB_OK);
	cr_assert_eq(dl.n, 0);
	cr_assert_not_null(rs);
	diag_list_free(&dl);
	return rs;
}

static void
log_diags(const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		cr_log_info("%s:%u:%u: %s", dl->items[i].file,
			    dl->items[i].line, dl->items[i].column,
			    dl->items[i].message);
}

/* True when some diagnostic is at file:line:column and contains `has`. */
static bool
has_diag(const struct diag_list *dl, const char *file, unsigned line,
	 unsigned column, const char *has)
{
	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];
		if (strcmp(d->file, file) == 0 && d->line == line &&
		    d->column == column && strstr(d->message, has))
			return true;
	}
	return false;
}

/* ---- the shipped rules --------------------------------------------------- */

Test(rules, shipped_rules_load_from_the_directory)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/rules.d", srcdir());
	const char *dirs[] = {dir};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err err = rules_load_dirs(dirs, 1, &rs, &dl);
	log_diags(&dl);
	cr_assert_eq(err, SCRUB_OK);
	cr_assert_eq(dl.n, 0);
	cr_assert_not_null(rs);
	cr_assert_eq(rs->ncodes, 19);
	cr_assert_eq(rs->nservices, 8);
	cr_assert_eq(rs->nclassify, 9);
	cr_assert(rules_has_profile(rs, "default"));
	cr_assert(rules_has_profile(rs, "medicare"));
	cr_assert_not(rules_has_profile(rs, "aetna"));
	for (int i = 0; i < F_COUNT; i++) {
		cr_assert_not_null(rs->findings[i].message, "%s has a message",
				   finding_names[i]);
		cr_assert(rs->findings[i].enabled, "%s is enabled",
			  finding_names[i]);
	}
	const struct rule_code *c = rules_code(rs, "96366");
	cr_assert_not_null(c);
	cr_assert_str_eq(rs->services[c->service].name, "therapeutic-infusion");
	cr_assert_eq(c->roles, 1u << ROLE_ADDITIONAL_HOUR);
	cr_assert(c->addon);
	cr_assert_not(rules_code(rs, "96365")->addon);
	cr_assert_null(rules_code(rs, "85025"));
	cr_assert_eq(rs->settings.push_max_minutes, 15);
	cr_assert_eq(rs->settings.hydration_min_minutes, 31);
	cr_assert_str_eq(rs->settings.distinct_site_modifier, "59");
	cr_assert_eq(rs->settings.distinct_site_accepted.n, 4);
	cr_assert_eq(rs->findings[F_UNBILLED_SERVICE].severity, SEV_INFO);
	cr_assert_str_eq(rs->companions.em_modifier, "25");
	rules_free(rs);
	diag_list_free(&dl);
}

Test(rules, missing_directory_is_an_io_error)
{
	const char *dirs[] = {"/nonexistent/claimscrub/rules.d"};
	struct ruleset *rs = (struct ruleset *)1;
	struct diag_list dl = {0};
	cr_assert_eq(rules_load_dirs(dirs, 1, &rs, &dl), SCRUB_EIO);
	cr_assert_null(rs);
	cr_assert_eq(dl.n, 1);
	cr_assert_str_eq(dl.items[0].file, dirs[0]);
	diag_list_free(&dl);
}

Test(rules, shipped_rules_load_from_buffers)
{
	struct ruleset *rs = build_ok(NULL);
	cr_assert_eq(rs->ncodes, 19);
	rules_free(rs);
}

/* ---- merging ------------------------------------------------------------- */

Test(rules, later_file_overrides_only_what_it_names)
{
	struct ruleset *base = build_ok(NULL);
	struct ruleset *rs = build_ok("settings:\n"
				      "  push_max_minutes: 10\n"
				      "findings:\n"
				      "  unbilled-service:\n"
				      "    severity: warning\n");
	cr_assert_eq(rs->settings.push_max_minutes, 10);
	/* every other setting is the shipped one */
	cr_assert_eq(rs->settings.hydration_min_minutes,
		     base->settings.hydration_min_minutes);
	cr_assert_eq(rs->settings.addon_threshold_minutes,
		     base->settings.addon_threshold_minutes);
	cr_assert_eq(rs->settings.max_run_minutes,
		     base->settings.max_run_minutes);
	cr_assert_eq(rs->settings.same_drug_push,
		     base->settings.same_drug_push);
	cr_assert_str_eq(rs->settings.distinct_site_modifier, "59");
	/* one severity changed, its message kept */
	cr_assert_eq(rs->findings[F_UNBILLED_SERVICE].severity, SEV_WARNING);
	cr_assert_str_eq(rs->findings[F_UNBILLED_SERVICE].message,
			 base->findings[F_UNBILLED_SERVICE].message);
	for (int i = 0; i < F_COUNT; i++) {
		if (i == F_UNBILLED_SERVICE)
			continue;
		cr_assert_eq(rs->findings[i].severity,
			     base->findings[i].severity,
			     "%s keeps its severity", finding_names[i]);
		cr_assert_str_eq(rs->findings[i].message,
				 base->findings[i].message);
	}
	/* profiles start from the merged base settings */
	cr_assert_eq(rules_profile(rs, "medicare")->settings.push_max_minutes,
		     10);
	cr_assert_str_eq(
		rules_profile(rs, "medicare")->settings.distinct_site_modifier,
		"XS");
	cr_assert_eq(rules_profile(rs, NULL)->settings.push_max_minutes, 10);
	cr_assert_eq(rs->ncodes, base->ncodes);
	rules_free(rs);
	rules_free(base);
}

/* What the daemon's metrics show a series for from the start: each
 * finding's severity, none for a finding switched off or no finding. */
Test(rules, finding_severities_as_bits)
{
	struct ruleset *rs = build_ok("findings:\n"
				      "  unbilled-service:\n"
				      "    severity: warning\n"
				      "  iv-start-bundled:\n"
				      "    enabled: false\n");
	cr_assert_eq(rules_finding_severities(rs, F_UNBILLED_SERVICE),
		     1u << SEV_WARNING);
	cr_assert_eq(rules_finding_severities(rs, F_INFUSION_UNDER_16),
		     1u << SEV_ERROR);
	cr_assert_eq(rules_finding_severities(rs, F_IV_START_BUNDLED), 0u);
	cr_assert_eq(rules_finding_severities(rs, -1), 0u);
	cr_assert_eq(rules_finding_severities(rs, F_COUNT), 0u);
	rules_free(rs);
}

Test(rules, later_file_adds_a_profile)
{
	struct ruleset *rs = build_ok("profiles:\n"
				      "  acme:\n"
				      "    settings: {initial_per: date}\n");
	cr_assert(rules_has_profile(rs, "acme"));
	cr_assert(rules_has_profile(rs, "medicare"), "earlier profiles stay");
	cr_assert_eq(rules_profile(rs, "acme")->settings.initial_per,
		     INITIAL_PER_DATE);
	cr_assert_eq(rules_profile(rs, "default")->settings.initial_per,
		     INITIAL_PER_ENCOUNTER);
	rules_free(rs);
}

/* ---- profiles ------------------------------------------------------------ */

Test(rules, profile_for_payer)
{
	struct ruleset *rs = build_ok(NULL);
	const struct rule_profile *p = rules_profile(rs, "medicare");
	cr_assert_str_eq(p->name, "medicare");
	cr_assert_str_eq(p->settings.distinct_site_modifier, "XS");
	cr_assert_eq(p->settings.push_max_minutes, 15,
		     "other settings inherited");
	p = rules_profile(rs, "blue-shield");
	cr_assert_str_eq(p->name, "default");
	cr_assert_str_eq(p->settings.distinct_site_modifier, "59");
	p = rules_profile(rs, NULL);
	cr_assert_str_eq(p->name, "default");
	/* issue 15, item 6: a payer's name matches without regard to case,
	 * and one no profile matches is told apart (and counted) */
	p = rules_profile(rs, "Medicare");
	cr_assert_str_eq(p->name, "medicare", "payer names match in any case");
	p = rules_profile(rs, "MEDICARE");
	cr_assert_str_eq(p->name, "medicare");
	cr_assert(rules_payer_mapped(rs, "Medicare"));
	cr_assert(rules_payer_mapped(rs, NULL), "no payer: nothing to map");
	cr_assert(rules_payer_mapped(rs, ""));
	cr_assert_not(rules_payer_mapped(rs, "blue-shield"));
	cr_assert_not(rules_payer_mapped(rs, "medicare-advantage"),
		      "a prefix is not a match");
	rules_free(rs);
	/* a payers: section maps ids and names to a profile, case aside */
	rs = build_ok("payers:\n  medicare: [\"CMS\", \"00430\"]\n");
	cr_assert_str_eq(rules_profile(rs, "cms")->name, "medicare");
	cr_assert_str_eq(rules_profile(rs, "00430")->name, "medicare");
	cr_assert_str_eq(rules_profile(rs, "Medicare")->name, "medicare");
	cr_assert(rules_payer_mapped(rs, "CMS"));
	cr_assert_not(rules_payer_mapped(rs, "00431"));
	rules_free(rs);
}

/* ---- version ------------------------------------------------------------- */

static bool
is_hex16(const char *s)
{
	if (strlen(s) != 16)
		return false;
	for (int i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return false;
	return true;
}

Test(rules, version_is_a_digest_of_the_files)
{
	struct ruleset *a = build_ok(NULL);
	struct ruleset *b = build_ok(NULL);
	struct ruleset *c = build_ok("# a comment changes the file\n");
	struct ruleset *d = build_ok("settings:\n  push_max_minutes: 15\n");
	struct ruleset *e = build_ok("settings:\n  push_max_minutes: 14\n");
	cr_assert(is_hex16(rules_version(a)), "'%s' is 16 hex digits",
		  rules_version(a));
	cr_assert(is_hex16(rules_version(e)));
	cr_assert_str_eq(rules_version(a), rules_version(b),
			 "same files, same version");
	cr_assert_str_neq(rules_version(a), rules_version(c));
	cr_assert_str_neq(
		rules_version(a), rules_version(d),
		"an override that changes nothing is still a new file");
	cr_assert_str_neq(rules_version(d), rules_version(e),
			  "one byte changed");
	rules_free(a);
	rules_free(b);
	rules_free(c);
	rules_free(d);
	rules_free(e);
}

Test(rules, version_changes_when_a_shipped_file_changes)
{
	size_t len;
	char *text = read_shipped("20-settings.yaml", &len);
	char *changed = malloc(len + 1);
	cr_assert_not_null(changed);
	memcpy(changed, text, len + 1);
	char *p = strstr(changed, "push_max_minutes: 15");
	cr_assert_not_null(p);
	p[strlen("push_max_minutes: 1")] = '4';

	struct extra same[] = {{"rules.d/20-settings.yaml", text, len},
			       {NULL, NULL, 0}};
	struct extra diff[] = {{"rules.d/20-settings.yaml", changed, len},
			       {NULL, NULL, 0}};
	struct ruleset *r1 = NULL, *r2 = NULL, *r3 = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	/* 20-settings.yaml left out of the shipped order and added last */
	cr_assert_eq(build("20-settings.yaml", same, &r1, &dl, &add_err),
		     SCRUB_OK);
	cr_assert_eq(build("20-settings.yaml", same, &r2, &dl, &add_err),
		     SCRUB_OK);
	cr_assert_eq(build("20-settings.yaml", diff, &r3, &dl, &add_err),
		     SCRUB_OK);
	cr_assert_eq(dl.n, 0);
	cr_assert_str_eq(rules_version(r1), rules_version(r2));
	cr_assert_str_neq(rules_version(r1), rules_version(r3));
	cr_assert_eq(r3->settings.push_max_minutes, 14);
	rules_free(r1);
	rules_free(r2);
	rules_free(r3);
	free(text);
	free(changed);
}

/* ---- errors -------------------------------------------------------------- */

struct error_case {
	char what[48];
	char skip[32];	/* a shipped file to leave out, or "" */
	char text[256]; /* the text of 90-local.yaml, or "" for none */
	char file[40];	/* where the diagnostic must be */
	unsigned line, column;
	char has[64]; /* part of its message */
};

ParameterizedTestParameters(rules, errors)
{
	static struct error_case cases[] = {
		{"malformed YAML", "",
		 "settings:\n  push_max_minutes: 15\n bad: x\n", LOCAL, 3, 2,
		 "did not find expected key"},
		{"unclosed flow sequence", "",
		 "settings:\n  distinct_site_accepted: [XS\n", LOCAL, 3, 1, ""},
		{"unknown top-level section", "",
		 "setings:\n  push_max_minutes: 15\n", LOCAL, 1, 1,
		 "'section' must be one of"},
		{"unknown setting", "", "settings:\n  push_max_minute: 15\n",
		 LOCAL, 2, 3, "unknown setting 'push_max_minute'"},
		{"setting of the wrong type (word)", "",
		 "settings:\n  push_max_minutes: fifteen\n", LOCAL, 2, 21,
		 "'push_max_minutes' must be an integer"},
		{"setting of the wrong type (quoted)", "",
		 "settings:\n  push_max_minutes: \"15\"\n", LOCAL, 2, 21,
		 "'push_max_minutes' must be an integer"},
		{"setting of the wrong type (enum)", "",
		 "settings:\n  same_drug_segments: 2\n", LOCAL, 2, 23,
		 "'same_drug_segments' must be one of sum, separate"},
		{"setting of the wrong type (list)", "",
		 "settings:\n  distinct_site_accepted: XS\n", LOCAL, 2, 27,
		 "must be a sequence"},
		{"huge number", "",
		 "settings:\n  max_lines: 99999999999999999999999999\n", LOCAL,
		 2, 14, "'max_lines' must be an integer from 1 to 10000"},
		{"out-of-range number (low)", "",
		 "settings:\n  hour_minutes: 0\n", LOCAL, 2, 17,
		 "'hour_minutes' must be an integer from 1 to 1440"},
		{"out-of-range number (high)", "",
		 "settings:\n  max_run_minutes: 10081\n", LOCAL, 2, 20,
		 "from 1 to 10080"},
		{"unknown service named by a code", "",
		 "codes:\n  \"96999\": {service: therapy-infusion, roles: "
		 "[subsequent]}\n",
		 LOCAL, 2, 22, "unknown service 'therapy-infusion'"},
		{"unknown role", "",
		 "codes:\n  \"96999\": {service: hydration, roles: "
		 "[primary]}\n",
		 LOCAL, 2, 41, "'role' must be one of"},
		{"two codes with the same service and role", "",
		 "codes:\n  \"96999\": {service: hydration, roles: [initial], "
		 "addon: false}\n",
		 LOCAL, 2, 40,
		 "service 'hydration' already has initial code 96360"},
		{"unknown finding id", "",
		 "findings:\n  missing-start:\n    severity: error\n    "
		 "message: x\n",
		 LOCAL, 2, 3, "unknown finding id 'missing-start'"},
		{"unknown message placeholder", "",
		 "findings:\n  invalid-time:\n    message: \"bad {when}\"\n",
		 LOCAL, 3, 14, "unknown placeholder '{when}'"},
		{"unknown severity", "",
		 "findings:\n  invalid-time:\n    severity: fatal\n", LOCAL, 3,
		 15, "'severity' must be one of error, warning, info"},
		{"missing 'default' profile", "50-payer-default.yaml", "",
		 "rules.d/50-payer-medicare.yaml", 3, 3,
		 "profiles has no 'default'"},
		{"profile setting an unknown option", "",
		 "profiles:\n  acme:\n    settings:\n      bogus: 1\n", LOCAL,
		 4, 7, "unknown setting 'bogus'"},
		{"profile with an unknown key", "",
		 "profiles:\n  acme:\n    setings: {}\n", LOCAL, 3, 5,
		 "unknown key 'setings' in profile"},
		{"profile setting of the wrong type", "",
		 "profiles:\n  acme:\n    settings:\n      initial_per: day\n",
		 LOCAL, 4, 20, "'initial_per' must be one of encounter, date"},
		/* regression: check_settings() once reported at the settings
		 * mapping (4:7) instead of the offending value (4:31). */
		{"profile modifier not accepted", "",
		 "profiles:\n  acme:\n    settings:\n      "
		 "distinct_site_modifier: XP\n",
		 LOCAL, 4, 31,
		 "distinct_site_modifier 'XP' is not in "
		 "distinct_site_accepted"},
		/* regression: for merged base settings the error once pointed
		 * into rules.d/20-settings.yaml (the mapping's first file)
		 * instead of the value 90-local.yaml wrote. */
		{"base modifier not accepted", "",
		 "settings:\n  distinct_site_modifier: XP\n", LOCAL, 2, 27,
		 "distinct_site_modifier 'XP' is not in "
		 "distinct_site_accepted"},
		{"modifier of three characters", "",
		 "settings:\n  distinct_site_modifier: XSS\n", LOCAL, 2, 27,
		 "'distinct_site_modifier' is too long"},
		{"missing companions key", "40-companions.yaml",
		 "companions:\n  iv_start: [\"36000\"]\n", LOCAL, 2, 3,
		 "companions is missing required key 'nurse_visit'"},
		{"rule file that is a list", "", "- settings\n", LOCAL, 1, 1,
		 "a rule file must be one mapping"},
		{"two documents in a rule file", "",
		 "settings: {}\n---\nfindings: {}\n", LOCAL, 3, 1,
		 "a rule file must be one mapping"},
		{"duplicate key", "",
		 "settings:\n  hour_minutes: 60\n  hour_minutes: 30\n", LOCAL,
		 3, 3, "duplicate key 'hour_minutes'"},
		{"alias", "", "settings:\n  hour_minutes: *h\n", LOCAL, 2, 17,
		 "aliases are not allowed"},
		{"dated value without value", "",
		 "settings:\n  hour_minutes: {effective_from: 2027-01-01}\n",
		 LOCAL, 2, 17, "a dated value needs 'value'"},
		{"dated value with a bad date", "",
		 "settings:\n  hour_minutes: {value: 60, effective_to: "
		 "2026-02-30}\n",
		 LOCAL, 2, 43, "'effective_to' must be a date YYYY-MM-DD"},
		{"dated value ending before it starts", "",
		 "settings:\n  hour_minutes: {value: 60, effective_from: "
		 "2027-01-01,\n    effective_to: 2026-12-31}\n",
		 LOCAL, 3, 19, "'effective_to' 2026-12-31 is before"},
		{"dated value with an unknown key", "",
		 "settings:\n  hour_minutes: {value: 60, effective_to: "
		 "2026-12-31, note: x}\n",
		 LOCAL, 2, 55, "unknown key 'note' in a dated value"},
		{"overlapping effective dates", "",
		 "settings:\n  hour_minutes:\n"
		 "    - {value: 60, effective_to: 2026-12-31}\n"
		 "    - {value: 50, effective_from: 2026-12-01}\n",
		 LOCAL, 4, 7, "overlaps the one at 90-local.yaml:3:7"},
		{"dated list item without dates", "",
		 "settings:\n  hour_minutes:\n"
		 "    - {value: 60, effective_to: 2026-12-31}\n"
		 "    - {value: 50}\n",
		 LOCAL, 4, 7, "every item of a dated list must be"},
		{"dated value out of range", "",
		 "settings:\n  hour_minutes:\n"
		 "    - {value: 60, effective_to: 2026-12-31}\n"
		 "    - {value: 0, effective_from: 2027-01-01}\n",
		 LOCAL, 4, 15, "(for claims dated 2027-01-01 or later)"},
		{"required value not in force for a period", "",
		 "settings:\n  hour_minutes:\n"
		 "    - {value: 60, effective_from: 2027-01-01}\n",
		 "rules.d/20-settings.yaml", 5, 3,
		 "no 'hour_minutes' (for claims dated through 2026-12-31)"},
		{"payers: an unknown profile", "",
		 "payers:\n  medicaid: [\"MCD\"]\n", LOCAL, 2, 3,
		 "payers: unknown payer profile 'medicaid'"},
		{"payers: a name mapped twice", "",
		 "payers:\n  medicare: [\"CMS\"]\n  default: [\"cms\"]\n",
		 LOCAL, 3, 13, "'cms' already maps to profile 'medicare'"},
		{"payers: a profile's own name", "",
		 "payers:\n  default: [\"Medicare\"]\n", LOCAL, 2, 13,
		 "'Medicare' already maps to profile 'medicare'"},
		{"payers: not a list", "", "payers:\n  medicare: CMS\n", LOCAL,
		 2, 13, "payer names"},
	};
	return cr_make_param_array(struct error_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct error_case *ec, rules, errors)
{
	struct extra x[] = {{LOCAL, ec->text, 0}, {NULL, NULL, 0}};
	struct ruleset *rs = (struct ruleset *)1;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	enum scrub_err err = build(ec->skip[0] ? ec->skip : NULL,
				   ec->text[0] ? x : NULL, &rs, &dl, &add_err);
	log_diags(&dl);
	cr_assert_eq(err, SCRUB_EINPUT, "%s: rules_builder_finish must fail",
		     ec->what);
	cr_assert_null(rs, "%s: no rule set", ec->what);
	cr_assert_geq(dl.n, 1, "%s: a diagnostic", ec->what);
	for (size_t i = 0; i < dl.n; i++)
		cr_assert(dl.items[i].line >= 1 && dl.items[i].column >= 1,
			  "%s: '%s' is located", ec->what, dl.items[i].message);
	/* free before the verdict so a failure does not also leak */
	char first[600];
	diag_format(&dl.items[0], first, sizeof(first));
	bool found = has_diag(&dl, ec->file, ec->line, ec->column, ec->has);
	diag_list_free(&dl);
	cr_assert(found, "%s: expected %s:%u:%u: ...%s...; first was %s",
		  ec->what, ec->file, ec->line, ec->column, ec->has, first);
}

Test(rules, syntax_error_fails_the_add_and_the_finish)
{
	struct extra x[] = {{LOCAL, "settings: [\n", 0},
			    {"91-more.yaml", "settings:\n  bogus: 1\n", 0},
			    {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	cr_assert_eq(add_err, SCRUB_EINPUT,
		     "the syntax error is reported by the add");
	cr_assert_null(rs);
	/* the finish still checks the other files: every error at once */
	cr_assert_eq(dl.n, 2);
	cr_assert_str_eq(dl.items[0].file, LOCAL);
	cr_assert_str_eq(dl.items[1].file, "91-more.yaml");
	cr_assert(strstr(dl.items[1].message, "unknown setting 'bogus'"),
		  "got %s", dl.items[1].message);
	diag_list_free(&dl);
}

Test(rules, every_error_of_a_section_is_reported)
{
	struct extra x[] = {
		{LOCAL,
		 "settings:\n"
		 "  push_max_minute: 15\n"
		 "  hour_minutes: 0\n"
		 "  initial_per: day\n"
		 "codes:\n"
		 "  \"96998\": {service: nowhere, roles: [initial]}\n",
		 0},
		{NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	log_diags(&dl);
	cr_assert_eq(dl.n, 4, "four errors, four diagnostics (got %zu)", dl.n);
	cr_assert(has_diag(&dl, LOCAL, 2, 3, "unknown setting"));
	cr_assert(has_diag(&dl, LOCAL, 3, 17, "'hour_minutes'"));
	cr_assert(has_diag(&dl, LOCAL, 4, 16, "'initial_per'"));
	cr_assert(has_diag(&dl, LOCAL, 6, 22, "unknown service 'nowhere'"));
	diag_list_free(&dl);
}

/* A broken section skips only what depends on it: an unknown top-level
 * key and a broken service hide neither the settings' nor the findings'
 * errors (the codes, which name services, are not judged). */
Test(rules, broken_sections_do_not_hide_the_others)
{
	struct extra x[] = {{LOCAL,
			     "setings: {}\n"
			     "services:\n"
			     "  hydration: {rank: 0, type: infusion}\n"
			     "settings:\n"
			     "  max_lines: 0\n"
			     "findings:\n"
			     "  manual-review: {severity: fatal, message: m}\n",
			     0},
			    {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	log_diags(&dl);
	cr_assert_eq(dl.n, 4, "four errors, four diagnostics (got %zu)", dl.n);
	cr_assert(has_diag(&dl, LOCAL, 1, 1, "'setings'"));
	cr_assert(has_diag(&dl, LOCAL, 3, 21, "'rank'"));
	cr_assert(has_diag(&dl, LOCAL, 5, 14, "'max_lines'"));
	cr_assert(has_diag(&dl, LOCAL, 7, 29, "'severity'"));
	diag_list_free(&dl);
}

/* findings: every id but `leave_out`, each with a trivial message */
static char *
findings_without(int leave_out)
{
	size_t cap = 8192, o = 0;
	char *s = malloc(cap);
	cr_assert_not_null(s);
	o += (size_t)snprintf(s + o, cap - o, "findings:\n");
	for (int i = 0; i < F_COUNT; i++)
		if (i != leave_out)
			o += (size_t)snprintf(
				s + o, cap - o,
				"  %s: {severity: error, message: \"m\"}\n",
				finding_names[i]);
	cr_assert_lt(o, cap);
	return s;
}

Test(rules, missing_finding)
{
	char *all = findings_without(-1);
	char *some = findings_without(F_MANUAL_REVIEW);
	struct extra ok[] = {{"30-mine.yaml", all, 0}, {NULL, NULL, 0}};
	struct extra bad[] = {{"30-mine.yaml", some, 0}, {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;

	cr_assert_eq(build("30-findings.yaml", ok, &rs, &dl, &add_err),
		     SCRUB_OK, "the complete replacement loads");
	cr_assert_str_eq(rs->findings[F_MANUAL_REVIEW].message, "m");
	rules_free(rs);

	cr_assert_eq(build("30-findings.yaml", bad, &rs, &dl, &add_err),
		     SCRUB_EINPUT);
	cr_assert_null(rs);
	log_diags(&dl);
	cr_assert_eq(dl.n, 1);
	cr_assert(has_diag(&dl, "30-mine.yaml", 2, 3,
			   "findings has no 'manual-review'"));
	diag_list_free(&dl);
	free(all);
	free(some);
}

Test(rules, ten_megabyte_string)
{
	static const char head[] =
		"findings:\n  invalid-time:\n    message: \"";
	size_t big = (size_t)10 << 20, hl = sizeof(head) - 1;
	char *s = malloc(hl + big + 3);
	cr_assert_not_null(s);
	memcpy(s, head, hl);
	memset(s + hl, 'x', big);
	memcpy(s + hl + big, "\"\n", 3);
	struct extra x[] = {{LOCAL, s, hl + big + 2}, {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	cr_assert_null(rs);
	log_diags(&dl);
	cr_assert(has_diag(&dl, LOCAL, 3, 14, "'message' is too long"));
	diag_list_free(&dl);
	free(s);
}

Test(rules, binary_garbage)
{
	static const char garbage[] =
		"settings:\n  push_max_minutes: 1\x00\xff\xfe\x01\n";
	struct extra x[] = {{LOCAL, garbage, sizeof(garbage) - 1},
			    {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	cr_assert_eq(add_err, SCRUB_EINPUT);
	cr_assert_null(rs);
	log_diags(&dl);
	cr_assert_eq(dl.n, 1);
	cr_assert_str_eq(dl.items[0].file, LOCAL);
	cr_assert_eq(dl.items[0].line, 2);
	cr_assert_eq(dl.items[0].column, 22, "at the NUL after '1'");
	diag_list_free(&dl);
}

/* Found by fuzz_rules: a dated value as the whole file made a period whose
 * rule set was not a mapping, and the section check indexed its keys (NULL):
 * an error, never undefined behaviour (the sanitizer build checks). */
Test(rules, dated_value_as_the_whole_file)
{
	static const char text[] =
		"# a comment\n"
		"  {value: [XS], effective_from: 7378-01-963roles7401}\n";
	struct extra x[] = {{LOCAL, text, sizeof(text) - 1}, {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_neq(build(NULL, x, &rs, &dl, &add_err), SCRUB_OK);
	cr_assert_null(rs);
	cr_assert_gt(dl.n, 0);
	log_diags(&dl);
	diag_list_free(&dl);
}

Test(rules, invalid_utf8)
{
	static const char garbage[] = "\xc3\x28\xa0\xa1: \xf0\x28\x8c\x28\n";
	struct extra x[] = {{LOCAL, garbage, sizeof(garbage) - 1},
			    {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	cr_assert_null(rs);
	log_diags(&dl);
	cr_assert_eq(dl.n, 1);
	cr_assert_str_eq(dl.items[0].file, LOCAL);
	cr_assert_eq(dl.items[0].line, 1);
	cr_assert_eq(dl.items[0].column, 2,
		     "at 0x28, the byte that cannot follow 0xc3");
	diag_list_free(&dl);
}

Test(rules, builder_free_null_and_empty_file)
{
	rules_builder_free(NULL);
	rules_free(NULL);
	/* an empty file and a comment-only file change nothing */
	struct extra x[] = {{"88-empty.yaml", "", 0},
			    {"89-comment.yaml", "# nothing here\n", 0},
			    {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_OK);
	cr_assert_eq(dl.n, 0);
	cr_assert_eq(rs->ncodes, 19);
	rules_free(rs);
}

/* ---- effective dating ------------------------------------------------------ */

static int32_t
day(const char *ymd)
{
	int32_t d;
	cr_assert(isotime_parse_date(ymd, strlen(ymd), &d), "%s", ymd);
	return d;
}

static const char dated_local[] =
	"settings:\n"
	"  concurrent_min_overlap_minutes:\n"
	"    - {value: 16, effective_to: 2026-12-31}\n"
	"    - {value: 31, effective_from: 2027-01-01, effective_to: "
	"2027-06-30}\n"
	"    - {value: 46, effective_from: 2027-07-01}\n"
	"profiles:\n"
	"  medicare:\n"
	"    settings:\n"
	"      distinct_site_modifier:\n"
	"        value: XU\n"
	"        effective_to: 2027-03-31\n";

Test(rules, dated_values_cut_time_into_periods)
{
	struct ruleset *rs = build_ok(dated_local);
	/* dates: 2027-01-01, 2027-04-01, 2027-07-01 */
	cr_assert_eq(rules_nperiods(rs), 4);
	int32_t from, to;
	const struct ruleset *p0 = rules_period(rs, 0, &from, &to);
	cr_assert_eq(from, INT32_MIN);
	cr_assert_eq(to, day("2026-12-31"));
	rules_period(rs, 3, &from, &to);
	cr_assert_eq(from, day("2027-07-01"));
	cr_assert_eq(to, INT32_MAX);
	cr_assert_eq(rules_period(rs, 3, NULL, NULL), rs,
		     "the last period is the rule set itself");
	cr_assert_eq(rules_at(rs, day("2026-12-31")), p0);
	long want[][2] = {{0, 16},
			  {day("2026-12-31"), 16},
			  {day("2027-01-01"), 31},
			  {day("2027-06-30"), 31},
			  {day("2027-07-01"), 46},
			  {INT32_MAX, 46}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_eq(rules_at(rs, (int32_t)want[i][0])
				     ->settings.concurrent_min_overlap_minutes,
			     want[i][1], "day %ld", want[i][0]);
	/* the profile's dated modifier replaced 50-payer-medicare.yaml's XS
	 * whole: XU through March, then nothing, so the base setting */
	const struct rule_profile *m =
		rules_profile(rules_at(rs, day("2027-03-31")), "medicare");
	cr_assert_str_eq(m->settings.distinct_site_modifier, "XU");
	m = rules_profile(rules_at(rs, day("2027-04-01")), "medicare");
	cr_assert_str_eq(m->settings.distinct_site_modifier, "59",
			 "out of force: the profile falls back to the base");
	/* one version for all periods */
	for (int i = 0; i < rules_nperiods(rs); i++)
		cr_assert_str_eq(rules_version(rules_period(rs, i, NULL, NULL)),
				 rules_version(rs));
	rules_free(rs);
}

Test(rules, dated_value_replaces_and_is_replaced_whole)
{
	/* a later plain value replaces a dated one: one period again */
	struct extra x[] = {
		{"90-a.yaml",
		 "settings:\n  hour_minutes: [{value: 50, effective_to: "
		 "2026-12-31}, {value: 60, effective_from: 2027-01-01}]\n",
		 0},
		{"91-b.yaml", "settings:\n  hour_minutes: 55\n", 0},
		{NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_OK);
	cr_assert_eq(rules_nperiods(rs), 1);
	cr_assert_eq(rs->settings.hour_minutes, 55);
	rules_free(rs);
	/* a dated code entry replaces the shipped entry whole: merged key by
	 * key it would carry both 'value' and 'roles' and fail */
	x[0] = (struct extra){
		"90-a.yaml",
		"codes:\n  \"96365\":\n    value: {service: "
		"therapeutic-infusion, roles: [initial]}\n    effective_from: "
		"2027-01-01\n",
		0};
	x[1] = (struct extra){NULL, NULL, 0};
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_OK);
	log_diags(&dl);
	cr_assert_eq(rules_nperiods(rs), 2);
	cr_assert_null(rules_code(rules_at(rs, day("2026-12-31")), "96365"),
		       "not in the catalogue before 2027");
	const struct rule_code *c =
		rules_code(rules_at(rs, day("2027-01-01")), "96365");
	cr_assert_not_null(c);
	cr_assert_eq(c->roles, 1u << ROLE_INITIAL);
	rules_free(rs);
	diag_list_free(&dl);
}

Test(rules, an_error_in_every_period_is_said_once_without_a_period)
{
	struct extra x[] = {{LOCAL,
			     "settings:\n  hour_minutes: 0\n"
			     "  push_max_minutes: [{value: 15, effective_to: "
			     "2026-12-31}, {value: 16, effective_from: "
			     "2027-01-01}]\n",
			     0},
			    {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	log_diags(&dl);
	cr_assert_eq(dl.n, 1, "one error for two periods (got %zu)", dl.n);
	cr_assert_null(strstr(dl.items[0].message, "for claims"));
	diag_list_free(&dl);
}

Test(rules, too_many_effective_dates_is_an_error)
{
	static char text[8192];
	int n = snprintf(text, sizeof(text), "settings:\n  hour_minutes:\n");
	for (int i = 0; i < 64; i++) /* 64 one-day periods: 128 dates */
		n += snprintf(
			text + n, sizeof(text) - (size_t)n,
			"    - {value: 60, effective_from: 2027-%02d-%02d, "
			"effective_to: 2027-%02d-%02d}\n",
			i / 28 + 1, i % 28 + 1, i / 28 + 1, i % 28 + 1);
	struct extra x[] = {{LOCAL, text, 0}, {NULL, NULL, 0}};
	struct ruleset *rs = NULL;
	struct diag_list dl = {0};
	enum scrub_err add_err;
	cr_assert_eq(build(NULL, x, &rs, &dl, &add_err), SCRUB_EINPUT);
	cr_assert_geq(dl.n, 1);
	bool said = false;
	for (size_t i = 0; i < dl.n; i++)
		said |= strstr(dl.items[i].message,
			       "too many effective dates") != NULL;
	cr_assert(said);
	diag_list_free(&dl);
}

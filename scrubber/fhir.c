/*
 * fhir — FHIR R4 MedicationAdministration into MAR records; see fhir.h.
 *
 * The input becomes ynode trees (json.h): the whole buffer at once for a
 * Bundle, one line at a time for NDJSON, each line in an arena of its own
 * that is freed once its records are copied out, so memory follows the
 * records and not the JSON.  A resource is read member by member into a
 * record; any error marks it refused and reading goes on, so one pass
 * reports every error of the file.  An NDJSON line is parsed with its
 * line number, so every node names its place in the file.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "json.h"
#include "ynode.h"

struct reader {
	struct arena *out; /* the caller's: records and their strings */
	const char *file;  /* in out */
	struct diag_list *dl;
	const struct ynode *bundle; /* the Bundle read, for its fullUrls */
	struct marrec_list recs;    /* copied to out at the end */
	struct fhir_counts counts;
	enum scrub_err fatal; /* ENOMEM or ELIMIT: stop reading */
};

/* One MedicationAdministration being read. */
struct res {
	struct reader *r;
	const struct ynode *node;
	const char *id; /* for messages, NULL while unknown */
	struct mar_record rec;
	bool bad;
};

/* ---- diagnostics -------------------------------------------------------- */

/* An error at node n, outside any resource (a line, a Bundle). */
static void reader_error(struct reader *r, const struct ynode *n,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
reader_error(struct reader *r, const struct ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_add(r->dl, r->file, n->line, n->column, "%s", msg) != SCRUB_OK)
		r->fatal = SCRUB_ENOMEM;
}

/* An error at node n of resource s, naming the resource; refuses it. */
static void res_error(struct res *s, const struct ynode *n, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

static void
res_error(struct res *s, const struct ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->bad = true;
	if (s->id)
		reader_error(s->r, n, "MedicationAdministration '%s': %s",
			     s->id, msg);
	else
		reader_error(s->r, n,
			     "MedicationAdministration without an id: %s", msg);
}

/* What a node is, in JSON's words. */
static const char *
json_kind(const struct ynode *n)
{
	if (n->type == YNODE_MAP)
		return "an object";
	if (n->type == YNODE_SEQ)
		return "an array";
	if (!n->plain)
		return "a string";
	if (ynode_is_null(n))
		return "null";
	if (strcmp(n->str, "true") == 0 || strcmp(n->str, "false") == 0)
		return "a boolean";
	return "a number";
}

/* A member's path for messages ("dosage.route.coding[1]"): ours, short;
 * cut at FHIR_PATH_MAX if ever longer. */
#define FHIR_PATH_MAX 128

static void pathf(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, FHIR_PATH_MAX, fmt, ap);
	va_end(ap);
}

/* ---- JSON values -------------------------------------------------------- */

static bool
want_object(struct res *s, const struct ynode *n, const char *path)
{
	if (n->type == YNODE_MAP)
		return true;
	res_error(s, n, "%s must be an object, not %s", path, json_kind(n));
	return false;
}

static bool
want_array(struct res *s, const struct ynode *n, const char *path)
{
	if (n->type == YNODE_SEQ)
		return true;
	res_error(s, n, "%s must be an array, not %s", path, json_kind(n));
	return false;
}

/* A JSON string of 1..max bytes without control characters, copied into
 * the caller's arena. */
static bool
want_string(struct res *s, const struct ynode *n, const char *path, size_t max,
	    const char **out)
{
	if (n->type != YNODE_SCALAR || n->plain) {
		res_error(s, n, "%s must be a string, not %s", path,
			  json_kind(n));
		return false;
	}
	if (n->len == 0 || n->len > max) {
		res_error(s, n, "%s must be 1 to %zu bytes, not %zu", path, max,
			  n->len);
		return false;
	}
	for (size_t i = 0; i < n->len; i++) {
		unsigned char ch = (unsigned char)n->str[i];
		if (ch < 0x20 || ch == 0x7F) {
			res_error(s, n, "%s contains a control character",
				  path);
			return false;
		}
	}
	*out = arena_strndup(s->r->out, n->str, n->len);
	if (!*out)
		s->r->fatal = SCRUB_ENOMEM;
	return *out != NULL;
}

/* The string member name of map, if present and good; false after an
 * error.  *out stays NULL when the member is absent. */
static bool
opt_string(struct res *s, const struct ynode *map, const char *name,
	   const char *path, size_t max, const char **out)
{
	const struct ynode *v = ymap_get(map, name);
	*out = NULL;
	if (!v)
		return true;
	char p[FHIR_PATH_MAX];
	pathf(p, "%s.%s", path, name);
	return want_string(s, v, p, max, out);
}

/* A node's scalar text equals lit. */
static bool
text_is(const struct ynode *n, const char *lit)
{
	return n && n->type == YNODE_SCALAR && n->len == strlen(lit) &&
	       memcmp(n->str, lit, n->len) == 0;
}

/* FHIR's id: 1..64 of [A-Za-z0-9-.]. */
static bool
is_fhir_id(const char *p, size_t len)
{
	if (len == 0 || len > FHIR_MAX_ID)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* ---- times -------------------------------------------------------------- */

/* The digits of s[from..to) are all digits. */
static bool
all_digits(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Why a FHIR dateTime cannot time an administration, or NULL when it can:
 * FHIR's YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm) (a time must
 * carry its zone).  *cut gets the text without the fraction, for isotime. */
static const char *
time_problem(const char *s, size_t len, char *cut, size_t size)
{
	if (!memchr(s, 'T', len))
		return "is a date without a time: an administration needs the "
		       "time it was given";
	if (len < 19 || len > 40 || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || !all_digits(s, 17, 19))
		return "is not a FHIR dateTime (YYYY-MM-DDThh:mm:ss with a "
		       "time zone)";
	size_t i = 19;
	if (i < len && s[i] == '.') {
		size_t f = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f || i - f > 9)
			return "has a malformed fraction of a second";
	}
	if (i == len)
		return "has no time zone: FHIR requires Z or an offset with a "
		       "time";
	if (19 + (len - i) >= size)
		return "is not a FHIR dateTime";
	memcpy(cut, s, 19);
	memcpy(cut + 19, s + i, len - i);
	cut[19 + len - i] = '\0';
	return NULL;
}

/* A dateTime member into *t; false after an error. */
static bool
read_time(struct res *s, const struct ynode *n, const char *path,
	  struct isotime *t)
{
	const char *text;
	char cut[48], q[80];
	if (!want_string(s, n, path, 64, &text))
		return false;
	const char *why = time_problem(n->str, n->len, cut, sizeof(cut));
	if (!why && !isotime_parse(cut, strlen(cut), t))
		why = "is not a valid date and time";
	if (!why)
		return true;
	ynode_quote(n, q, sizeof(q));
	res_error(s, n, "%s %s %s", path, q, why);
	return false;
}

/* effectivePeriod: start required, end (when given) not before it. */
static void
read_period(struct res *s, const struct ynode *p)
{
	if (!want_object(s, p, "effectivePeriod"))
		return;
	const struct ynode *start = ymap_get(p, "start");
	const struct ynode *end = ymap_get(p, "end");
	if (!start) {
		res_error(s, p, "effectivePeriod has no start");
		return;
	}
	s->rec.has_start =
		read_time(s, start, "effectivePeriod.start", &s->rec.start);
	if (!end)
		return;
	s->rec.has_stop =
		read_time(s, end, "effectivePeriod.end", &s->rec.stop);
	if (s->rec.has_start && s->rec.has_stop &&
	    isotime_diff(&s->rec.start, &s->rec.stop) < 0)
		res_error(s, end,
			  "effectivePeriod.end %s is before its start %s",
			  end->str, start->str);
}

/* effective[x]: exactly one of effectiveDateTime, effectivePeriod.  An
 * instant is a push or an injection: start and stop both (marrec.h). */
static void
read_effective(struct res *s)
{
	const struct ynode *dt = ymap_get(s->node, "effectiveDateTime");
	const struct ynode *p = ymap_get(s->node, "effectivePeriod");
	if (dt && p) {
		res_error(s, p,
			  "has both effectiveDateTime and effectivePeriod");
		return;
	}
	if (!dt && !p) {
		res_error(s, s->node,
			  "effective[x] is missing: effectiveDateTime or "
			  "effectivePeriod is required");
		return;
	}
	if (p) {
		read_period(s, p);
		return;
	}
	if (!read_time(s, dt, "effectiveDateTime", &s->rec.start))
		return;
	s->rec.stop = s->rec.start;
	s->rec.has_start = s->rec.has_stop = s->rec.instant = true;
}

/* ---- codes -------------------------------------------------------------- */

/* The code systems recognised, by their FHIR URI. */
static const struct {
	const char *uri;
	enum mar_system system;
} systems[] = {
	{.uri = "http://www.nlm.nih.gov/research/umls/rxnorm",
	 .system = MAR_RXNORM},
	{.uri = "http://hl7.org/fhir/sid/ndc", .system = MAR_NDC},
	{.uri = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
	 .system = MAR_HCPCS},
	{.uri = "http://snomed.info/sct", .system = MAR_SNOMED},
	{.uri = "http://terminology.hl7.org/CodeSystem/v2-0162",
	 .system = MAR_V2_0162},
};

static void
classify(struct mar_code *c, const char *uri)
{
	c->system = MAR_OTHER;
	c->uri = uri;
	for (size_t i = 0; uri && i < sizeof(systems) / sizeof(systems[0]);
	     i++) {
		if (strcmp(uri, systems[i].uri) == 0) {
			c->system = systems[i].system;
			c->uri = NULL;
			return;
		}
	}
}

/* One Coding: code required (a coding without one says nothing to map),
 * system and display optional. */
static bool
read_coding(struct res *s, const struct ynode *n, const char *path,
	    struct mar_code *c)
{
	const char *uri;
	if (!want_object(s, n, path))
		return false;
	bool ok = opt_string(s, n, "system", path, FHIR_MAX_CODE, &uri);
	ok = opt_string(s, n, "code", path, FHIR_MAX_CODE, &c->code) && ok;
	ok = opt_string(s, n, "display", path, FHIR_MAX_TEXT, &c->display) &&
	     ok;
	if (ok && !c->code) {
		res_error(s, n, "%s has no code", path);
		return false;
	}
	classify(c, uri);
	return ok;
}

/* A CodeableConcept read into codes[] and text. */
struct concept {
	struct mar_code codes[FHIR_MAX_CODINGS];
	size_t n;
	const char *text;
};

/* Reads CodeableConcept n (named path in messages); false after an error. */
static bool
read_concept(struct res *s, const struct ynode *n, const char *path,
	     struct concept *c)
{
	char p[FHIR_PATH_MAX];
	*c = (struct concept){0};
	if (!want_object(s, n, path))
		return false;
	bool ok = opt_string(s, n, "text", path, FHIR_MAX_TEXT, &c->text);
	const struct ynode *coding = ymap_get(n, "coding");
	pathf(p, "%s.coding", path);
	if (!coding)
		return ok;
	if (!want_array(s, coding, p))
		return false;
	if (coding->n > FHIR_MAX_CODINGS) {
		res_error(s, coding, "%s has %zu codings, more than %d", p,
			  coding->n, FHIR_MAX_CODINGS);
		return false;
	}
	for (size_t i = 0; i < coding->n; i++) {
		pathf(p, "%s.coding[%zu]", path, i);
		ok = read_coding(s, coding->items[i], p, &c->codes[i]) && ok;
	}
	c->n = coding->n;
	return ok;
}

/* The words of a concept for a person: its text, else the first coding's
 * display, else its code; NULL for an empty concept. */
static const char *
concept_words(const struct concept *c)
{
	if (c->text)
		return c->text;
	if (c->n)
		return c->codes[0].display ? c->codes[0].display
					   : c->codes[0].code;
	return NULL;
}

/* The drug, from a CodeableConcept: at least one coding or a text. */
static void
take_drug(struct res *s, const struct ynode *n, const char *path)
{
	struct concept c;
	if (!read_concept(s, n, path, &c))
		return;
	if (c.n == 0 && !c.text) {
		res_error(s, n, "%s has neither a coding nor a text", path);
		return;
	}
	memcpy(s->rec.drug, c.codes, c.n * sizeof(c.codes[0]));
	s->rec.ndrug = c.n;
	s->rec.drug_text = c.text;
}

/* ---- medication[x] ------------------------------------------------------ */

/* The contained Medication whose id is `id`, or NULL. */
static const struct ynode *
find_contained(const struct ynode *res, const char *id, size_t len)
{
	const struct ynode *list = ymap_get(res, "contained");
	if (!list || list->type != YNODE_SEQ)
		return NULL;
	for (size_t i = 0; i < list->n && i < FHIR_MAX_CONTAINED; i++) {
		const struct ynode *m = list->items[i];
		const struct ynode *mid = ymap_get(m, "id");
		if (text_is(ymap_get(m, "resourceType"), "Medication") && mid &&
		    mid->type == YNODE_SCALAR && mid->len == len &&
		    memcmp(mid->str, id, len) == 0)
			return m;
	}
	return NULL;
}

/* medicationReference: only "#id" of a Medication contained in the
 * resource is read; its code is the drug. */
static void
read_med_reference(struct res *s, const struct ynode *n)
{
	const char *ref;
	char q[96];
	if (!want_object(s, n, "medicationReference") ||
	    !opt_string(s, n, "reference", "medicationReference", FHIR_MAX_CODE,
			&ref))
		return;
	if (!ref) {
		res_error(s, n, "medicationReference has no reference");
		return;
	}
	ynode_quote(ymap_get(n, "reference"), q, sizeof(q));
	const struct ynode *m = ref[0] == '#' ? find_contained(s->node, ref + 1,
							       strlen(ref + 1))
					      : NULL;
	if (ref[0] != '#') {
		res_error(s, n,
			  "medicationReference %s is not resolved: only a "
			  "Medication contained in the resource is read, "
			  "references outside the resource are not",
			  q);
	} else if (!m) {
		res_error(s, n,
			  "medicationReference %s names no contained "
			  "Medication",
			  q);
	} else if (!ymap_get(m, "code")) {
		res_error(s, m, "contained Medication %s has no code", q);
	} else {
		take_drug(s, ymap_get(m, "code"), "contained Medication.code");
	}
}

static void
read_medication(struct res *s)
{
	const struct ynode *cc = ymap_get(s->node, "medicationCodeableConcept");
	const struct ynode *ref = ymap_get(s->node, "medicationReference");
	if (cc && ref)
		res_error(s, ref,
			  "has both medicationCodeableConcept and "
			  "medicationReference");
	else if (!cc && !ref)
		res_error(s, s->node,
			  "medication[x] is missing: medicationCodeableConcept "
			  "or medicationReference is required");
	else if (cc)
		take_drug(s, cc, "medicationCodeableConcept");
	else
		read_med_reference(s, ref);
}

/* ---- context: the encounter --------------------------------------------- */

/* The ID of "[base/]Encounter/ID[/_history/V]" into *id, *len; false when
 * ref has another form (or names another type: *other set). */
static bool
encounter_id(const char *ref, const char **id, size_t *len, bool *other)
{
	size_t n = strlen(ref);
	const char *h = strstr(ref, "/_history/");
	if (h)
		n = (size_t)(h - ref);
	size_t slash = n;
	while (slash > 0 && ref[slash - 1] != '/')
		slash--;
	if (slash < 2)
		return false;
	size_t type = slash - 1;
	while (type > 0 && ref[type - 1] != '/')
		type--;
	*other = !(slash - 1 - type == 9 &&
		   memcmp(ref + type, "Encounter", 9) == 0);
	*id = ref + slash;
	*len = n - slash;
	return !*other && is_fhir_id(*id, *len);
}

/* In a Bundle, the id of the Encounter entry whose fullUrl is ref
 * ("urn:uuid:..."), or NULL. */
static const struct ynode *
bundle_encounter(const struct reader *r, const char *ref)
{
	const struct ynode *entries =
		r->bundle ? ymap_get(r->bundle, "entry") : NULL;
	if (!entries || entries->type != YNODE_SEQ)
		return NULL;
	for (size_t i = 0; i < entries->n; i++) {
		const struct ynode *e = entries->items[i];
		const struct ynode *res = ymap_get(e, "resource");
		const struct ynode *id = res ? ymap_get(res, "id") : NULL;
		if (text_is(ymap_get(e, "fullUrl"), ref) && id &&
		    text_is(ymap_get(res, "resourceType"), "Encounter") &&
		    !id->plain && is_fhir_id(id->str, id->len))
			return id;
	}
	return NULL;
}

/* context.reference into the record's encounter. */
static void
take_encounter_ref(struct res *s, const struct ynode *at, const char *ref)
{
	const char *id;
	size_t len;
	bool other = false;
	char q[96];
	if (encounter_id(ref, &id, &len, &other)) {
		s->rec.encounter = arena_strndup(s->r->out, id, len);
		if (!s->rec.encounter)
			s->r->fatal = SCRUB_ENOMEM;
		return;
	}
	const struct ynode *bid = other ? NULL : bundle_encounter(s->r, ref);
	if (bid) {
		s->rec.encounter = arena_strndup(s->r->out, bid->str, bid->len);
		if (!s->rec.encounter)
			s->r->fatal = SCRUB_ENOMEM;
		return;
	}
	ynode_quote(at, q, sizeof(q));
	res_error(
		s, at,
		other ? "context.reference %s is not an Encounter: the "
			"administration cannot be joined to a visit"
		      : "context.reference %s is neither Encounter/ID nor the "
			"fullUrl of an Encounter in the Bundle",
		q);
}

/* context: without an encounter the event cannot be joined to a claim. */
static void
read_context(struct res *s)
{
	const struct ynode *ctx = ymap_get(s->node, "context");
	const char *ref, *value = NULL;
	if (!ctx) {
		res_error(s, s->node,
			  "context is missing: without an encounter the "
			  "administration cannot be joined to a claim");
		return;
	}
	if (!want_object(s, ctx, "context") ||
	    !opt_string(s, ctx, "reference", "context", FHIR_MAX_CODE, &ref))
		return;
	if (ref) {
		take_encounter_ref(s, ymap_get(ctx, "reference"), ref);
		return;
	}
	const struct ynode *ident = ymap_get(ctx, "identifier");
	if (ident && (!want_object(s, ident, "context.identifier") ||
		      !opt_string(s, ident, "value", "context.identifier",
				  FHIR_MAX_CODE, &value)))
		return;
	if (!value)
		res_error(s, ctx,
			  "context has neither a reference nor an "
			  "identifier.value: the administration cannot be "
			  "joined to a claim");
	s->rec.encounter = value;
}

/* ---- the rest of a MedicationAdministration ----------------------------- */

/* The reference of Reference n (named path), into *out; NULL if none. */
static bool
reference_of(struct res *s, const struct ynode *n, const char *path,
	     const char **out)
{
	*out = NULL;
	return want_object(s, n, path) &&
	       opt_string(s, n, "reference", path, FHIR_MAX_CODE, out);
}

/* group: partOf[0], else request (marrec.h). */
static void
read_group(struct res *s)
{
	const struct ynode *part = ymap_get(s->node, "partOf");
	const struct ynode *req = ymap_get(s->node, "request");
	const char *ref = NULL;
	if (part && want_array(s, part, "partOf") && part->n > 0 &&
	    !reference_of(s, part->items[0], "partOf[0]", &ref))
		return;
	if (!ref && req && !reference_of(s, req, "request", &ref))
		return;
	s->rec.group = ref;
}

/* dosage: route, method and site, each a CodeableConcept. */
static void
read_dosage(struct res *s)
{
	const struct ynode *d = ymap_get(s->node, "dosage");
	const struct ynode *v;
	struct concept c;
	if (!d || !want_object(s, d, "dosage"))
		return;
	if ((v = ymap_get(d, "route")) &&
	    read_concept(s, v, "dosage.route", &c)) {
		size_t pick = 0;
		while (pick < c.n && c.codes[pick].system == MAR_OTHER)
			pick++;
		if (c.n)
			s->rec.route = c.codes[pick < c.n ? pick : 0];
		s->rec.has_route = c.n > 0;
		s->rec.route_text = c.text;
	}
	if ((v = ymap_get(d, "method")) &&
	    read_concept(s, v, "dosage.method", &c))
		s->rec.method_text = concept_words(&c);
	if ((v = ymap_get(d, "site")) && read_concept(s, v, "dosage.site", &c))
		s->rec.site = concept_words(&c);
}

static void
read_status(struct res *s)
{
	const struct ynode *n = ymap_get(s->node, "status");
	const char *text;
	char q[80];
	if (!n) {
		res_error(s, s->node, "status is missing");
		return;
	}
	if (!want_string(s, n, "status", 32, &text))
		return;
	for (int i = 0; mar_status_names[i]; i++) {
		if (strcmp(text, mar_status_names[i]) == 0) {
			s->rec.status = (enum mar_status)i;
			return;
		}
	}
	ynode_quote(n, q, sizeof(q));
	res_error(s, n,
		  "status %s is not one of in-progress, not-done, on-hold, "
		  "completed, entered-in-error, stopped, unknown",
		  q);
}

/* The id first, so that every later message can name the resource. */
static void
read_id(struct res *s)
{
	const struct ynode *n = ymap_get(s->node, "id");
	const char *id;
	char q[96];
	if (!n || !want_string(s, n, "id", FHIR_MAX_CODE, &id))
		return;
	if (!is_fhir_id(id, n->len)) {
		ynode_quote(n, q, sizeof(q));
		res_error(s, n,
			  "id %s is not a FHIR id (1 to 64 of A-Z a-z 0-9 - .)",
			  q);
		return;
	}
	s->id = s->rec.id = id;
}

/* One MedicationAdministration: every member read, every error said. */
static void
read_administration(struct reader *r, const struct ynode *node)
{
	struct res s = {
		.r = r,
		.node = node,
		.rec = {.file = r->file,
			.line = node->line,
			.column = node->column},
	};
	read_id(&s);
	read_status(&s);
	read_effective(&s);
	read_context(&s);
	read_medication(&s);
	read_group(&s);
	read_dosage(&s);
	if (s.bad) {
		r->counts.refused++;
		return;
	}
	if (r->fatal == SCRUB_OK &&
	    marrec_list_push(&r->recs, &s.rec) != SCRUB_OK)
		r->fatal = SCRUB_ENOMEM;
	r->counts.records++;
}

/* ---- resources, Bundles, lines ------------------------------------------ */

static void read_bundle(struct reader *r, const struct ynode *b);

/* One resource: a MedicationAdministration is read, a Bundle (top level
 * only) walked, anything else skipped and counted. */
static void
read_resource(struct reader *r, const struct ynode *n, bool top)
{
	const struct ynode *type = ymap_get(n, "resourceType");
	if (!type || type->type != YNODE_SCALAR || type->plain) {
		reader_error(r, type ? type : n,
			     "a resource needs resourceType, a string");
		return;
	}
	if (top && text_is(type, "Bundle")) {
		read_bundle(r, n);
		return;
	}
	if (++r->counts.resources > FHIR_MAX_RESOURCES) {
		reader_error(r, n, "more than %d resources in one file",
			     FHIR_MAX_RESOURCES);
		r->fatal = SCRUB_ELIMIT;
		return;
	}
	if (!text_is(type, "MedicationAdministration")) {
		r->counts.skipped++;
		return;
	}
	struct res s = {.r = r};
	if (!want_object(&s, n, "the resource")) {
		r->counts.refused++;
		return;
	}
	read_administration(r, n);
}

/* A Bundle's entries; its fullUrls resolve "urn:uuid:" contexts. */
static void
read_bundle(struct reader *r, const struct ynode *b)
{
	const struct ynode *entries = ymap_get(b, "entry");
	if (!entries)
		return;
	if (entries->type != YNODE_SEQ) {
		reader_error(r, entries,
			     "Bundle.entry must be an array, not %s",
			     json_kind(entries));
		return;
	}
	r->bundle = b;
	for (size_t i = 0; i < entries->n && r->fatal == SCRUB_OK; i++) {
		const struct ynode *e = entries->items[i];
		const struct ynode *res =
			e->type == YNODE_MAP ? ymap_get(e, "resource") : NULL;
		if (e->type != YNODE_MAP)
			reader_error(
				r, e,
				"Bundle.entry[%zu] must be an object, not %s",
				i, json_kind(e));
		else if (res && res->type != YNODE_MAP)
			reader_error(r, res,
				     "Bundle.entry[%zu].resource must be an "
				     "object, not %s",
				     i, json_kind(res));
		else if (res)
			read_resource(r, res, false);
	}
	r->bundle = NULL;
}

/* Parses len bytes at p (a line, or the whole input), starting on `line`
 * of the file, and reads its one JSON object; `what` names it in
 * messages. */
static void
read_text(struct reader *r, const char *p, size_t len, unsigned line,
	  const char *what)
{
	struct arena *scratch = arena_new();
	struct ynode *root;
	if (!scratch) {
		r->fatal = SCRUB_ENOMEM;
		return;
	}
	enum scrub_err err =
		json_parse(scratch, r->file, line, p, len, &root, r->dl);
	if (err == SCRUB_ENOMEM)
		r->fatal = err;
	else if (err == SCRUB_OK && root->type != YNODE_MAP)
		reader_error(r, root, "%s is not a JSON object", what);
	else if (err == SCRUB_OK)
		read_resource(r, root, true);
	arena_free(scratch);
}

/* Only JSON's whitespace: a blank line, or an empty input. */
static bool
is_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* Each line that is not blank holds one resource (or a Bundle). */
static void
read_ndjson(struct reader *r, const char *buf, size_t len)
{
	size_t at = 0;
	for (unsigned line = 1; at < len && r->fatal == SCRUB_OK; line++) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
		if (n > FHIR_MAX_LINE_BYTES)
			r->fatal = diag_add(r->dl, r->file, line, 1,
					    "line is longer than %zu bytes",
					    FHIR_MAX_LINE_BYTES) == SCRUB_OK
					   ? SCRUB_ELIMIT
					   : SCRUB_ENOMEM;
		else if (!is_blank(buf + at, n))
			read_text(r, buf + at, n, line, "the line");
		at += n + 1;
	}
}

/* NDJSON when the first line that is not blank is "{...}" on its own: a
 * pretty-printed document starts "{" alone, or "{" and a member. */
static bool
looks_ndjson(const char *buf, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && strchr(" \t\r\n", buf[i]) && buf[i])
		i++;
	size_t end = i;
	while (end < len && buf[end] != '\n')
		end++;
	while (end > i && strchr(" \t\r", buf[end - 1]))
		end--;
	return end - i >= 2 && buf[i] == '{' && buf[end - 1] == '}';
}

enum scrub_err
fhir_read(struct arena *a, const char *file, const char *buf, size_t len,
	  struct mar_record **recs, size_t *nrecs, struct fhir_counts *counts,
	  struct diag_list *dl)
{
	struct reader r = {.out = a, .dl = dl};
	size_t n0 = dl->n;
	*recs = NULL;
	*nrecs = 0;
	if (counts)
		*counts = (struct fhir_counts){0};
	if (len > FHIR_MAX_BYTES)
		return diag_add(dl, file, 0, 0,
				"input is %zu bytes, more than %zu", len,
				FHIR_MAX_BYTES) == SCRUB_OK
			       ? SCRUB_ELIMIT
			       : SCRUB_ENOMEM;
	if (!(r.file = arena_strdup(a, file)))
		return SCRUB_ENOMEM;
	if (looks_ndjson(buf, len))
		read_ndjson(&r, buf, len);
	else if (!is_blank(buf, len))
		read_text(&r, buf, len, 1, "the input");
	enum scrub_err err = marrec_list_finish(&r.recs, a, recs, nrecs);
	if (counts)
		*counts = r.counts;
	if (err != SCRUB_OK || r.fatal != SCRUB_OK)
		return err != SCRUB_OK ? err : r.fatal;
	return dl->n > n0 ? SCRUB_EINPUT : SCRUB_OK;
}

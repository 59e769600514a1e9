/*
 * claim — the claim workspace: GET /claim/REF shows everything
 * claimscrub.claim_detail() returns (one logged PHI read per page view):
 * the billed lines beside the expected codes, the administration record as
 * a timeline, every finding of the current version with its evidence, fix
 * and a form to decide it, earlier versions' decisions, notes and the
 * trail.  POST /claim/REF/decide decides one finding with claimscrub.decide(),
 * passing the decision the page showed as `seen`: a decision made since
 * is refused by the database and the page says who made it (409).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "scrubber/arena.h"
#include "scrubber/isotime.h"
#include "scrubber/ynode.h"
#include "report/html.h"
#include "web/timeline.h"
#include "web/web.h"

#define DETAIL_SQL "SELECT claimscrub.claim_detail($1)::text"

/* ---- reading the document ------------------------------------------------ */

/* The scalar at key of map as text; "" when absent, null or not a scalar. */
static const char *
js(const struct ynode *map, const char *key)
{
	const struct ynode *v =
		map && map->type == YNODE_MAP ? ymap_get(map, key) : NULL;
	if (!v || v->type != YNODE_SCALAR || ynode_is_null(v))
		return "";
	return v->str;
}

static const struct ynode *
jget(const struct ynode *map, const char *key, enum ynode_type t)
{
	const struct ynode *v =
		map && map->type == YNODE_MAP ? ymap_get(map, key) : NULL;
	return v && v->type == t ? v : NULL;
}

static const struct ynode *
jany(const struct ynode *map, const char *key)
{
	return map && map->type == YNODE_MAP ? ymap_get(map, key) : NULL;
}

/* Items of the sequence at key (0 when there is none). */
static size_t
jlen(const struct ynode *map, const char *key)
{
	const struct ynode *s = jget(map, key, YNODE_SEQ);
	return s ? s->n : 0;
}

static const struct ynode *
jat(const struct ynode *map, const char *key, size_t i)
{
	return jget(map, key, YNODE_SEQ)->items[i];
}

/* A sequence of scalars joined with sep, into out. */
static void
put_joined(FILE *out, const struct ynode *seq, const char *sep)
{
	for (size_t i = 0; seq && i < seq->n; i++) {
		if (seq->items[i]->type != YNODE_SCALAR)
			continue;
		if (i)
			fputs(sep, out);
		html_text(out, seq->items[i]->str);
	}
}

/* A stored time (jsonb of a timestamptz) as minutes since the epoch, UTC;
 * -1 when there is none. */
static long
minutes(const char *s)
{
	struct isotime t;
	if (!*s || !isotime_parse(s, strlen(s), &t))
		return -1;
	int64_t utc = t.wall - (t.has_offset ? (int64_t)t.offset * 60 : 0);
	return utc < 0 ? -1 : (long)(utc / 60);
}

/* ---- the sections --------------------------------------------------------- */

static void
put_header(FILE *out, const struct ynode *d)
{
	const struct ynode *w = jget(d, "work", YNODE_MAP);
	fputs("<h1>Claim ", out);
	html_text(out, js(d, "claim"));
	fputs("</h1><dl class=\"facts\">", out);
	static const char *const facts[][2] = {
		{"version", "Version"},
		{"status", "Status"},
		{"setting", "Setting"},
		{"payer", "Payer"},
		{"provider", "Provider"},
		{"date_of_service", "Date of service"},
		{"profile", "Rules profile"},
		{"scrubbed_at", "Scrubbed"}};
	for (size_t i = 0; i < sizeof(facts) / sizeof(*facts); i++) {
		fprintf(out, "<dt>%s</dt><dd>", facts[i][1]);
		html_text(out, js(d, facts[i][0]));
		fputs("</dd>", out);
	}
	if (w) {
		static const char *const work[][2] = {
			{"state", "Work state"},
			{"assignee", "Assignee"},
			{"deferred_until", "Deferred until"},
			{"department", "Waiting for"},
			{"amount_at_risk", "At risk ($)"}};
		for (size_t i = 0; i < sizeof(work) / sizeof(*work); i++) {
			if (!*js(w, work[i][0]))
				continue;
			fprintf(out, "<dt>%s</dt><dd>", work[i][1]);
			html_text(out, js(w, work[i][0]));
			fputs("</dd>", out);
		}
	}
	fputs("</dl>", out);
}

/* <form ...> of action name on claim ref, with the CSRF token and the
 * work item's revision the page shows (a change since is refused). */
static void
form_open(FILE *out, const struct wreq *r, const struct ynode *d,
	  const char *name)
{
	fprintf(out, "<form class=\"%s\" method=\"post\" action=\"/claim/",
		name);
	html_url(out, js(d, "claim"));
	fprintf(out, "/%s\">", name);
	page_csrf_to(out, r);
	const struct ynode *w = jget(d, "work", YNODE_MAP);
	if (w && strcmp(name, "note") != 0) {
		fputs("<input type=\"hidden\" name=\"revision\" value=\"", out);
		html_attr(out, js(w, "revision"));
		fputs("\">", out);
	}
}

/* The work item's actions: take or give it, defer it, route it for
 * documentation; a note on the claim. */
static void
put_work(FILE *out, const struct wreq *r, const struct ynode *d)
{
	const struct ynode *w = jget(d, "work", YNODE_MAP);
	fputs("<section class=\"work\"><h2>Work</h2>", out);
	if (w && strcmp(js(w, "state"), "resolved") != 0) {
		form_open(out, r, d, "assign");
		fputs("<input type=\"hidden\" name=\"assignee\" value=\"", out);
		html_attr(out, r->user);
		fputs("\"><button id=\"take\">Assign to me</button></form>",
		      out);
		form_open(out, r, d, "assign");
		fputs("<label>Assign to <input name=\"assignee\" "
		      "maxlength=\"64\" "
		      "required></label><button>Assign</button></form>",
		      out);
		form_open(out, r, d, "defer");
		fputs("<label>Defer until <input name=\"until\" type=\"date\" "
		      "required></label><label>Why <input name=\"note\" "
		      "maxlength=\"2000\"></label><button>Defer</button></"
		      "form>",
		      out);
		form_open(out, r, d, "route");
		fputs("<label>Wait for documentation from <input "
		      "name=\"department\" maxlength=\"64\" required></label>"
		      "<label>What is needed <input name=\"note\" "
		      "maxlength=\"2000\"></label><button>Route</button></"
		      "form>",
		      out);
	}
	form_open(out, r, d, "note");
	fputs("<label>Note on the claim <textarea name=\"note\" rows=\"2\" "
	      "maxlength=\"2000\" required></textarea></label>"
	      "<button>Add note</button></form></section>",
	      out);
}

/* A column of a table of the claim's record: its heading, the member of
 * each row it shows, and how (a list joined by sep; a number aligned). */
struct col {
	const char *head, *key, *sep;
	bool num;
};

/* The table id of rows d[list], one row each, the columns cols (ended by
 * one without a heading). */
static void
put_table(FILE *out, const char *id, const char *caption, const struct ynode *d,
	  const char *list, const struct col *cols)
{
	fprintf(out, "<table id=\"%s\"><caption>%s</caption><thead><tr>", id,
		caption);
	for (const struct col *c = cols; c->head; c++)
		fprintf(out, "<th scope=\"col\">%s</th>", c->head);
	fputs("</tr></thead><tbody>", out);
	for (size_t i = 0; i < jlen(d, list); i++) {
		const struct ynode *row = jat(d, list, i);
		fputs("<tr>", out);
		for (const struct col *c = cols; c->head; c++) {
			fputs(c->num ? "<td class=\"num\">" : "<td>", out);
			if (c->sep)
				put_joined(out, jget(row, c->key, YNODE_SEQ),
					   c->sep);
			else
				html_text(out, js(row, c->key));
			fputs("</td>", out);
		}
		fputs("</tr>", out);
	}
	fputs("</tbody></table>", out);
}

/* The billed lines beside the codes the record supports. */
static void
put_lines(FILE *out, const struct ynode *d)
{
	static const struct col lines[] = {
		{.head = "Line", .key = "line"},
		{.head = "Code", .key = "code"},
		{.head = "Modifiers", .key = "modifiers", .sep = " "},
		{.head = "Units", .key = "units", .num = true},
		{.head = "Service date", .key = "service_date"},
		{.head = NULL},
	};
	static const struct col expected[] = {
		{.head = "Code", .key = "code"},
		{.head = "Modifiers", .key = "modifiers", .sep = " "},
		{.head = "Units", .key = "units", .num = true},
		{.head = "Administrations",
		 .key = "administrations",
		 .sep = ", "},
		{.head = NULL},
	};
	fputs("<section class=\"codes\">", out);
	put_table(out, "lines", "Billed lines", d, "lines", lines);
	put_table(out, "expected", "Expected from the record", d, "expected",
		  expected);
	fputs("</section>", out);
}

static void
put_timeline(FILE *out, const struct ynode *d)
{
	struct tl_admin a[TL_MAX_ADMINS];
	size_t n = 0;
	for (size_t i = 0; i < jlen(d, "administrations") && n < TL_MAX_ADMINS;
	     i++) {
		const struct ynode *x = jat(d, "administrations", i);
		a[n++] = (struct tl_admin){
			js(x, "id"),	       js(x, "substance"),
			js(x, "kind"),	       js(x, "route"),
			js(x, "site"),	       minutes(js(x, "start")),
			minutes(js(x, "stop"))};
	}
	fputs("<section class=\"record\"><h2>Administration record</h2>", out);
	if (tl_write(out, a, n) != 0)
		fputs("<p id=\"timeline\">The record cannot be drawn.</p>",
		      out);
	fputs("</section>", out);
}

/* A claim with an encounter: the MAR records of it that the daemon paired
 * (claim_detail's "mar"), or that none has come; the record behind its
 * findings. */
static void
put_mar(FILE *out, const struct ynode *d)
{
	static const struct col cols[] = {
		{.head = "Record", .key = "id"},
		{.head = "Status", .key = "status"},
		{.head = "Start", .key = "start"},
		{.head = "Stop", .key = "stop"},
		{.head = "Drug", .key = "drug_text"},
		{.head = "Route", .key = "route_text"},
		{.head = "Site", .key = "site"},
		{.head = NULL},
	};
	if (!*js(d, "encounter"))
		return;
	if (jlen(d, "mar") == 0) {
		fputs("<p id=\"mar-none\">No MAR record of encounter ", out);
		html_text(out, js(d, "encounter"));
		fputs(" has come.</p>", out);
		return;
	}
	put_table(out, "mar", "MAR records of its encounter", d, "mar", cols);
}

/* Any JSON value as short text: a mapping as "key value; ...". */
static void
put_value(FILE *out, const struct ynode *v, int depth)
{
	if (!v || depth > 4)
		return;
	if (v->type == YNODE_SCALAR) {
		html_text(out, ynode_is_null(v) ? "" : v->str);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			fputs(v->type == YNODE_MAP ? "; " : ", ", out);
		if (v->type == YNODE_MAP) {
			fputs("<b>", out);
			html_text(out, v->keys[i]->str);
			fputs("</b> ", out);
		}
		put_value(out, v->items[i], depth + 1);
	}
}

static void
put_decision(FILE *out, const struct ynode *dec)
{
	fputs("<p class=\"decision\">Decided <b>", out);
	html_text(out, *js(dec, "reason") ? js(dec, "reason")
					  : js(dec, "resolution"));
	fputs("</b> by ", out);
	html_text(out, js(dec, "by"));
	fputs(" at ", out);
	html_text(out, js(dec, "at"));
	if (*js(dec, "carried_from")) {
		fputs(" (carried from finding ", out);
		html_text(out, js(dec, "carried_from"));
		fputs(" of an earlier version)", out);
	}
	if (*js(dec, "note")) {
		fputs(": ", out);
		html_text(out, js(dec, "note"));
	}
	fputs("</p>", out);
}

static void
put_form(FILE *out, const struct wreq *r, const char *ref,
	 const struct ynode *f, const PGresult *reasons)
{
	const struct ynode *dec = jget(f, "decision", YNODE_MAP);
	const char *id = js(f, "id");
	fputs("<form class=\"decide\" method=\"post\" action=\"/claim/", out);
	html_url(out, ref);
	fputs("/decide\"><input type=\"hidden\" name=\"csrf\" value=\"", out);
	html_attr(out, r->csrf);
	fputs("\"><input type=\"hidden\" name=\"finding\" value=\"", out);
	html_attr(out, id);
	fputs("\"><input type=\"hidden\" name=\"seen\" value=\"", out);
	html_attr(out, dec ? js(dec, "at") : "");
	fputs("\"><label>Reason <select name=\"reason\" required>", out);
	web_reason_options(out, reasons);
	fputs("</select></label><label>Note <textarea name=\"note\" "
	      "maxlength=\"2000\" rows=\"2\"></textarea></label>",
	      out);
	fprintf(out, "<button class=\"resolve\">%s</button></form>",
		dec ? "Decide again" : "Resolve");
}

static void
put_finding(FILE *out, const struct wreq *r, const char *ref,
	    const struct ynode *f, const PGresult *reasons)
{
	const struct ynode *dec = jget(f, "decision", YNODE_MAP);
	fputs("<section class=\"finding\" data-finding=\"", out);
	html_attr(out, js(f, "id"));
	fputs("\" data-rule=\"", out);
	html_attr(out, js(f, "rule"));
	fputs("\" id=\"finding-", out);
	html_attr(out, js(f, "id"));
	fputs("\"><h3><span class=\"sev sev-", out);
	html_attr(out, js(f, "severity"));
	fputs("\">", out);
	html_text(out, js(f, "severity"));
	fputs("</span> <a class=\"rule\" href=\"/rule/", out);
	html_attr(out, js(f, "rule"));
	fputs("\" title=\"What this rule checks\">", out);
	html_text(out, js(f, "rule"));
	fputs("</a>", out);
	if (*js(f, "line")) {
		fputs(" · line ", out);
		html_text(out, js(f, "line"));
	}
	if (*js(f, "administration")) {
		fputs(" · administration ", out);
		html_text(out, js(f, "administration"));
	}
	fputs("</h3><p class=\"message\">", out);
	html_text(out, js(f, "message"));
	fputs("</p><p class=\"evidence\"><b>Evidence:</b> ", out);
	put_value(out, jany(f, "evidence"), 0);
	fputs("</p><p class=\"fix\"><b>Fix:</b> ", out);
	put_value(out, jany(f, "suggest"), 0);
	fputs("</p>", out);
	if (dec)
		put_decision(out, dec);
	put_form(out, r, ref, f, reasons);
	fputs("</section>", out);
}

static void
put_findings(FILE *out, const struct wreq *r, const struct ynode *d,
	     const PGresult *reasons)
{
	const char *version = js(d, "version"), *ref = js(d, "claim");
	size_t shown = 0, earlier = 0;
	fputs("<section class=\"findings\"><h2>Findings</h2>", out);
	for (size_t i = 0; i < jlen(d, "findings"); i++) {
		const struct ynode *f = jat(d, "findings", i);
		if (strcmp(js(f, "version"), version) != 0) {
			earlier += jget(f, "decision", YNODE_MAP) != NULL;
			continue;
		}
		put_finding(out, r, ref, f, reasons);
		shown++;
	}
	if (!shown)
		fputs("<p>No findings on this version.</p>", out);
	fputs("</section>", out);
	if (!earlier)
		return;
	fputs("<section class=\"earlier\"><h2>Earlier versions' decisions</h2>"
	      "<ul>",
	      out);
	for (size_t i = 0; i < jlen(d, "findings"); i++) {
		const struct ynode *f = jat(d, "findings", i);
		const struct ynode *dec = jget(f, "decision", YNODE_MAP);
		if (!dec || strcmp(js(f, "version"), version) == 0)
			continue;
		fputs("<li>Version ", out);
		html_text(out, js(f, "version"));
		fputs(", ", out);
		html_text(out, js(f, "rule"));
		fputs(": ", out);
		put_decision(out, dec);
		fputs("</li>", out);
	}
	fputs("</ul></section>", out);
}

/* Notes and the trail: a list of entries, each a few fields. */
static void
put_log(FILE *out, const struct ynode *d, const char *key, const char *title,
	const char *const *fields)
{
	fprintf(out, "<section class=\"%s\"><h2>%s</h2>", key, title);
	if (!jlen(d, key)) {
		fputs("<p>None.</p></section>", out);
		return;
	}
	fputs("<ol>", out);
	for (size_t i = 0; i < jlen(d, key); i++) {
		const struct ynode *e = jat(d, key, i);
		fputs("<li>", out);
		for (size_t k = 0; fields[k]; k++) {
			const struct ynode *v = jany(e, fields[k]);
			if (!v || (v->type == YNODE_SCALAR && ynode_is_null(v)))
				continue;
			fprintf(out, "<span class=\"%s\">", fields[k]);
			put_value(out, v, 0);
			fputs("</span> ", out);
		}
		fputs("</li>", out);
	}
	fputs("</ol></section>", out);
}

static void
render(struct wreq *r, const char *doc, const PGresult *reasons, int code)
{
	static const char *const note_fields[] = {"at", "author", "finding",
						  "note", NULL};
	static const char *const audit_fields[] = {
		"at", "actor", "action", "finding", "detail", NULL};
	struct arena *a = arena_new();
	struct diag_list dl = {0};
	struct ynode **docs = NULL;
	size_t ndocs = 0;
	struct page p;
	if (!a ||
	    ynode_parse(a, "claim_detail", doc, strlen(doc), &docs, &ndocs,
			&dl) != SCRUB_OK ||
	    ndocs != 1 || docs[0]->type != YNODE_MAP || !page_open(&p)) {
		wreq_error(r, 500, "Error",
			   "The claim's record could not be read.");
	} else {
		const struct ynode *d = docs[0];
		char title[96];
		snprintf(title, sizeof(title), "Claim %s", js(d, "claim"));
		page_head(&p, r, title);
		put_header(p.out, d);
		put_lines(p.out, d);
		put_timeline(p.out, d);
		put_mar(p.out, d);
		put_findings(p.out, r, d, reasons);
		put_work(p.out, r, d);
		put_log(p.out, d, "notes", "Notes", note_fields);
		put_log(p.out, d, "audit", "History", audit_fields);
		page_send(&p, r, code);
	}
	diag_list_free(&dl);
	arena_free(a);
}

/* ---- the requests ----------------------------------------------------------- */

static void
on_detail(void *arg, PGresult *const *res, int n, const char *error,
	  const char *sqlstate)
{
	struct wreq *r = arg;
	if (error && strcmp(sqlstate, "P0002") == 0)
		wreq_error(r, 404, "No such claim",
			   "There is no claim by that reference.");
	else if (error)
		wreq_db_failed(r, error, sqlstate);
	else if (n < 2 || !res[0] || PQntuples(res[0]) != 1)
		wreq_error(r, 503, "The database did not answer", "no record");
	else
		render(r, PQgetvalue(res[0], 0, 0), res[1],
		       r->status ? r->status : 200);
	wreq_done(r);
}

static bool
show(struct wreq *r)
{
	struct conn_query q[2] = {{DETAIL_SQL, 1, {r->path}},
				  {WEB_REASONS_SQL, 0, {NULL}}};
	return pool_run(r->w->pool, r->user, q, 2, on_detail, r);
}

/* The claim's actions, POST /claim/REF/NAME: the statement ($1 the
 * claim's reference, then the form's fields in order; an empty field is
 * NULL) and which field, if any, must be a number.  Each function checks
 * what it is given and refuses a change over one made since the page was
 * read (serialization_failure: 409). */
static const struct action {
	const char *name, *sql;
	const char *fields[4];
	const char *number;
} actions[] = {
	{"decide",
	 "SELECT claimscrub.decide($2::bigint, $3, $4, $5::timestamptz) "
	 "WHERE $1::text IS NOT NULL",
	 {"finding", "reason", "note", "seen"},
	 "finding"},
	{"assign",
	 "SELECT claimscrub.work_assign($1, $2, $3::integer)",
	 {"assignee", "revision"},
	 "revision"},
	{"defer",
	 "SELECT claimscrub.work_defer($1, $2::date, $3, $4::integer)",
	 {"until", "note", "revision"},
	 "revision"},
	{"route",
	 "SELECT claimscrub.work_route($1, $2, $3, $4::integer)",
	 {"department", "note", "revision"},
	 "revision"},
	{"note",
	 "SELECT claimscrub.work_note($1, $2, $3::bigint)",
	 {"note", "finding"},
	 "finding"},
};

#define NACTIONS (sizeof(actions) / sizeof(*actions))

static const struct action *
action_named(const char *name)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	return NULL;
}

static void
on_done(void *arg, PGresult *const *res, int n, const char *error,
	const char *sqlstate)
{
	struct wreq *r = arg;
	(void)res, (void)n;
	if (!error) {
		char loc[sizeof(r->path) + 16];
		snprintf(loc, sizeof(loc), "/claim/%s", r->path);
		/* the reference was checked to be URL-safe (web_good_ref) */
		wreq_redirect(r, loc, NULL);
		wreq_done(r);
		return;
	}
	if (strcmp(sqlstate, POOL_ROLE_REFUSED_STATE) == 0) {
		wreq_db_failed(r, error, sqlstate);
		wreq_done(r);
		return;
	}
	r->status = strcmp(sqlstate, "40001") == 0 ? 409
		    : strncmp(sqlstate, "22", 2) == 0 ||
				    strcmp(sqlstate, "P0002") == 0
			    ? 400
			    : 503;
	wreq_message(r, error);
	if (r->status == 503 || !show(r)) {
		wreq_error(r, 503, "The database did not answer", r->message);
		wreq_done(r);
	}
}

static bool
is_number(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= 18 && strspn(s, "0123456789") == n;
}

static void
act(struct wreq *r, const struct action *a)
{
	struct conn_query q = {a->sql, 1, {r->path}};
	for (size_t i = 0; i < 4 && a->fields[i]; i++)
		q.params[q.nparams++] = wreq_param(r, a->fields[i]);
	const char *num = a->number ? wreq_param(r, a->number) : NULL;
	if (num && !is_number(num)) {
		snprintf(r->message, sizeof(r->message), "%s: not a number",
			 a->number);
		r->status = 400;
	} else if (pool_run(r->w->pool, r->user, &q, 1, on_done, r)) {
		wreq_wait(r);
		return;
	}
	if (r->status == 400 && show(r)) {
		wreq_wait(r);
		return;
	}
	wreq_error(r, 503, "The database is not reachable",
		   "Try again shortly.");
	wreq_free(r);
}

bool
web_good_ref(const char *s, size_t n)
{
	return n > 0 && n <= WEB_MAX_REF &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_.") >= n;
}

void
claim_page(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	struct wreq *r = wreq_new(w, req);
	if (!r)
		return;
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *ref = path + strlen("/claim/");
	size_t n = strcspn(ref, "/");
	bool post = evhttp_request_get_command(req) == EVHTTP_REQ_POST;
	const struct action *a = ref[n] ? action_named(ref + n + 1) : NULL;
	if (!web_good_ref(ref, n) || (ref[n] && !a)) {
		wreq_error(r, 404, "Not found", "No such page.");
	} else if (post != (a != NULL)) {
		wreq_error(r, 405, "Method not allowed",
			   a ? "Use the page's form." : "GET only.");
	} else if (auth_require(r, post)) {
		snprintf(r->path, sizeof(r->path), "%.*s", (int)n, ref);
		if (a) {
			act(r, a);
			return;
		}
		if (show(r)) {
			wreq_wait(r);
			return;
		}
		wreq_error(r, 503, "The database is not reachable",
			   "Try again shortly.");
	}
	wreq_free(r);
}

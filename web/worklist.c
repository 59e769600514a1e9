/*
 * worklist — GET /: the work list, filtered and sorted by the URL's query
 * (so a view is a bookmark), read with claimscrub.work_list() as the
 * signed-in person, 50 rows a page.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "scrubber/finding.h"
#include "report/html.h"
#include "web/web.h"

#define PAGE_ROWS "50"
#define VIEWS_SQL "SELECT owner, name, query, shared FROM claimscrub.views()"

/* $1..$10 the filters in their order, $11 sort, $12 offset */
#define LIST_SQL \
	"SELECT claim_ref, state, coalesce(assignee, ''), " \
	"coalesce(severity, ''), array_to_string(rules, ' '), open_findings, " \
	"findings, coalesce(amount_at_risk::text, ''), " \
	"coalesce(date_of_service::text, ''), coalesce(payer, ''), " \
	"coalesce(provider, ''), to_char(opened_at, 'YYYY-MM-DD') " \
	"FROM claimscrub.work_list($1, $2, $3, $4, $5, $6, $7::integer, " \
	"$8::numeric, coalesce($11, 'amount'), " PAGE_ROWS ", " \
	"coalesce($12::integer, 0), $9::date, $10::date)"

/* The filters: the query parameter, its label, and (for a select) the
 * choices after "any". */
struct filter {
	const char *name, *label;
	const char *const *choices;
	const char *none; /* a select's empty choice; NULL: none */
	bool required;	  /* a choice must be made (the empty one is not) */
	const char *type; /* an input's type; NULL: text */
};

static const char *const states[] = {
	"open",	    "in-progress", "deferred", "waiting-documentation",
	"resolved", "all",	   NULL};
static const char *const severities[] = {"error", "warning", "info", NULL};
static const char *const sorts[] = {"amount", "age", "dos", NULL};

/* state's empty choice: every state but resolved */
static const struct filter filters[] = {
	{.name = "state",
	 .label = "State",
	 .choices = states,
	 .none = "not resolved"},
	{.name = "rule",
	 .label = "Rule",
	 .choices = finding_names,
	 .none = "any"},
	{.name = "severity",
	 .label = "Severity",
	 .choices = severities,
	 .none = "any"},
	{.name = "payer", .label = "Payer"},
	{.name = "provider", .label = "Provider"},
	{.name = "assignee", .label = "Assignee"},
	{.name = "older_than", .label = "Open more than (days)"},
	{.name = "min_amount", .label = "At risk at least ($)"},
	{.name = "dos_from", .label = "Service from", .type = "date"},
	{.name = "dos_to", .label = "Service to", .type = "date"},
};

#define NFILTERS (sizeof(filters) / sizeof(*filters))

/* The list's columns: heading and result column. */
static const struct {
	const char *head;
	int col;
} columns[] = {{"Claim", 0}, {"State", 1},     {"Assignee", 2}, {"Worst", 3},
	       {"Rules", 4}, {"Open", 5},      {"At risk", 7},	{"Service", 8},
	       {"Payer", 9}, {"Provider", 10}, {"Opened", 11}};

static void
put_select(FILE *out, const struct filter *f, const char *cur)
{
	fprintf(out, "<label>%s <select name=\"%s\"%s>", f->label, f->name,
		f->required ? " required" : "");
	if (f->none)
		fprintf(out, "<option value=\"\">%s</option>", f->none);
	for (size_t i = 0; f->choices[i]; i++) {
		fputs("<option", out);
		if (cur && strcmp(cur, f->choices[i]) == 0)
			fputs(" selected", out);
		fputs(">", out);
		html_text(out, f->choices[i]);
		fputs("</option>", out);
	}
	fputs("</select></label>", out);
}

static void
put_filters(FILE *out, struct wreq *r)
{
	static const struct filter sort = {
		.name = "sort", .label = "Sort by", .choices = sorts};
	fputs("<form id=\"filters\" method=\"get\" action=\"/\">", out);
	for (size_t i = 0; i < NFILTERS; i++) {
		const struct filter *f = &filters[i];
		const char *v = wreq_param(r, f->name);
		if (f->choices) {
			put_select(out, f, v);
			continue;
		}
		fprintf(out,
			"<label>%s <input name=\"%s\" type=\"%s\" value=\"",
			f->label, f->name, f->type ? f->type : "text");
		html_attr(out, v);
		fputs("\" maxlength=\"64\"></label>", out);
	}
	put_select(out, &sort, wreq_param(r, "sort"));
	fputs("<button id=\"apply\">Apply</button></form>", out);
}

static void
put_row(FILE *out, const PGresult *res, int i)
{
	const char *ref = PQgetvalue(res, i, 0);
	fputs("<tr data-claim=\"", out);
	html_attr(out, ref);
	fputs("\"><td><input type=\"checkbox\" name=\"claim\" form=\"bulk\" "
	      "value=\"",
	      out);
	html_attr(out, ref);
	fputs("\" aria-label=\"select ", out);
	html_attr(out, ref);
	fputs("\"></td><td><a class=\"open\" href=\"/claim/", out);
	html_url(out, ref);
	fputs("\">", out);
	html_text(out, ref);
	fputs("</a></td>", out);
	for (size_t c = 1; c < sizeof(columns) / sizeof(*columns); c++) {
		fputs(columns[c].col == 7 ? "<td class=\"num\">" : "<td>", out);
		html_text(out, PQgetvalue(res, i, columns[c].col));
		fputs("</td>", out);
	}
	fputs("</tr>", out);
}

static void
put_table(FILE *out, const PGresult *res)
{
	fputs("<table id=\"work-list\"><caption>Work "
	      "items</caption><thead><tr>",
	      out);
	fputs("<th scope=\"col\"><span class=\"vh\">Select</span></th>", out);
	for (size_t c = 0; c < sizeof(columns) / sizeof(*columns); c++)
		fprintf(out, "<th scope=\"col\">%s</th>", columns[c].head);
	fputs("</tr></thead><tbody>", out);
	for (int i = 0; i < PQntuples(res); i++)
		put_row(out, res, i);
	fputs("</tbody></table>", out);
	if (PQntuples(res) == 0)
		fputs("<p id=\"empty\">No work item matches.</p>", out);
}

/* ---- the buckets -------------------------------------------------------- */

#define BUCKETS_SQL \
	"SELECT dimension, key, items, coalesce(amount_at_risk::text, '') " \
	"FROM claimscrub.work_buckets($1, $2, $3, $4, $5, $6, $7::integer, " \
	"$8::numeric, $9::date, $10::date)"

/* The query string of this list (its filters and sort, URL-encoded, no
 * "?"), with filter name set to value (NULL: as it is). */
static void
put_query(FILE *out, struct wreq *r, const char *name, const char *value)
{
	const char *sep = "";
	for (size_t i = 0; i <= NFILTERS; i++) {
		const char *key = i < NFILTERS ? filters[i].name : "sort";
		const char *v = name && strcmp(key, name) == 0
					? value
					: wreq_param(r, key);
		if (!v)
			continue;
		fprintf(out, "%s%s=", sep, key);
		html_url(out, v);
		sep = "&";
	}
}

/* A link to this list with filter name set to value (the others kept). */
static void
put_link(FILE *out, struct wreq *r, const char *name, const char *value)
{
	fputs("<a href=\"/?", out);
	put_query(out, r, name, value);
	fputs("\">", out);
	html_text(out, value);
	fputs("</a>", out);
}

/* The saved views, with the form that saves the one at hand. */
static void
put_views(FILE *out, struct wreq *r, const PGresult *views)
{
	char *q = NULL;
	size_t n = 0;
	FILE *qs = open_memstream(&q, &n);
	if (!qs)
		return;
	put_query(qs, r, NULL, NULL);
	if (fclose(qs) == 0 && q)
		views_put(out, r, views, q);
	free(q);
}

/* Each dimension's values with their items and money at risk; a value is
 * a link to the list filtered by it (not age, nor "nobody"). */
static void
put_buckets(FILE *out, struct wreq *r, const PGresult *b)
{
	const char *dim = "";
	fputs("<section id=\"buckets\" aria-label=\"Buckets\">", out);
	for (int i = 0; i < PQntuples(b); i++) {
		const char *d = PQgetvalue(b, i, 0), *key = PQgetvalue(b, i, 1);
		if (strcmp(d, dim) != 0) {
			fputs(*dim ? "</tbody></table>" : "", out);
			fprintf(out,
				"<table class=\"bucket\" data-dimension=\"%s\">"
				"<caption>By %s</caption><thead><tr><th "
				"scope=\"col\">%s</th><th scope=\"col\">Items"
				"</th><th scope=\"col\">At "
				"risk</th></tr></thead>"
				"<tbody>",
				d, d, d);
			dim = d;
		}
		fputs("<tr><td>", out);
		if (strcmp(d, "age") == 0 || strcmp(key, "(none)") == 0)
			html_text(out, key);
		else
			put_link(out, r, d, key);
		fputs("</td><td class=\"num\">", out);
		html_text(out, PQgetvalue(b, i, 2));
		fputs("</td><td class=\"num\">", out);
		html_text(out, PQgetvalue(b, i, 3));
		fputs("</td></tr>", out);
	}
	fputs(*dim ? "</tbody></table></section>" : "</section>", out);
}

/* One decision for many findings: the rule (the list's, if filtered),
 * a reason and a note; the claims ticked (form="bulk"), or with none the
 * list's payer, provider and severity.  Preview counts first (bulk.c). */
static void
put_bulk(FILE *out, struct wreq *r, const PGresult *reasons)
{
	static const struct filter rule = {.name = "rule",
					   .label = "Rule",
					   .choices = finding_names,
					   .none = "choose a rule",
					   .required = true};
	static const char *const carried[] = {"payer", "provider", "severity"};
	fputs("<form id=\"bulk\" method=\"post\" action=\"/bulk\"><fieldset>"
	      "<legend>Decide many: the open findings of a rule on the claims "
	      "ticked, or on every item of this list's payer, provider and "
	      "severity</legend>",
	      out);
	page_csrf_to(out, r);
	for (size_t i = 0; i < sizeof(carried) / sizeof(*carried); i++) {
		const char *v = wreq_param(r, carried[i]);
		if (!v)
			continue;
		fprintf(out, "<input type=\"hidden\" name=\"%s\" value=\"",
			carried[i]);
		html_attr(out, v);
		fputs("\">", out);
	}
	put_select(out, &rule, wreq_param(r, "rule"));
	fputs("<label>Reason <select name=\"reason\" required>", out);
	web_reason_options(out, reasons);
	fputs("</select></label><label>Note <input name=\"note\" "
	      "maxlength=\"2000\"></label><button id=\"preview\" name=\"step\" "
	      "value=\"preview\">Preview</button></fieldset></form>",
	      out);
}

static void
put_take(FILE *out, struct wreq *r)
{
	fputs("<form id=\"take-next\" method=\"post\" action=\"/take\">", out);
	page_csrf_to(out, r);
	fputs("<button>Take the next item</button></form>", out);
}

/* ?decided=N after a bulk decision (digits only: nothing else is shown). */
static void
put_decided(FILE *out, struct wreq *r)
{
	const char *d = wreq_param(r, "decided");
	if (!d || strlen(d) > 9 || strspn(d, "0123456789") != strlen(d))
		return;
	fprintf(out,
		"<p id=\"decided\" role=\"status\">Decided %s finding%s.</p>",
		d, strcmp(d, "1") == 0 ? "" : "s");
}

static void put_buckets_link(FILE *out, struct wreq *r);

static void
on_list(void *arg, PGresult *const *res, int n, const char *error,
	const char *sqlstate)
{
	struct wreq *r = arg;
	struct page p;
	bool bad = error && strncmp(sqlstate, "22", 2) == 0;
	if (error && !bad) {
		wreq_db_failed(r, error, sqlstate);
	} else if (!page_open(&p)) {
		wreq_error(r, 500, "Error", "out of memory");
	} else {
		if (bad)
			wreq_message(r, error);
		page_head(&p, r, "Work list");
		fputs("<h1>Work list</h1>", p.out);
		put_decided(p.out, r);
		put_take(p.out, r);
		put_filters(p.out, r);
		if (!bad && n > 2 && res[0]) {
			put_views(p.out, r, res[2]);
			put_buckets_link(p.out, r);
			put_table(p.out, res[0]);
			put_bulk(p.out, r, res[1]);
		}
		page_send(&p, r, bad ? 400 : 200);
	}
	wreq_done(r);
}

void
worklist_page(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	struct wreq *r = wreq_new(w, req);
	if (!r)
		return;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		wreq_error(r, 405, "Method not allowed", "GET only.");
	} else if (auth_require(r, false)) {
		struct conn_query q = {LIST_SQL, NFILTERS + 2, {NULL}};
		for (size_t i = 0; i < NFILTERS; i++)
			q.params[i] = wreq_param(r, filters[i].name);
		q.params[NFILTERS] = wreq_param(r, "sort");
		q.params[NFILTERS + 1] = wreq_param(r, "offset");
		struct conn_query qs[3] = {q,
					   {WEB_REASONS_SQL, 0, {NULL}},
					   {VIEWS_SQL, 0, {NULL}}};
		if (wreq_run(r, qs, 3, false, on_list, r))
			return;
	}
	wreq_free(r);
}

/* ---- the buckets' page --------------------------------------------------- */

/* The buckets count every item of the list (a second at half a million
 * open items), so they have a page of their own, linked from the list,
 * which stays as quick as its one page of rows. */
static void
put_buckets_link(FILE *out, struct wreq *r)
{
	fputs("<p><a id=\"buckets-link\" href=\"/buckets?", out);
	put_query(out, r, NULL, NULL);
	fputs("\">Items and money at risk by bucket</a></p>", out);
}

static void
on_buckets(void *arg, PGresult *const *res, int n, const char *error,
	   const char *sqlstate)
{
	struct wreq *r = arg;
	struct page p;
	if (error && strncmp(sqlstate, "22", 2) == 0) {
		wreq_refused(r, "Bad filter", error);
	} else if (error) {
		wreq_db_failed(r, error, sqlstate);
	} else if (n < 1 || !res[0] || !page_open(&p)) {
		wreq_error(r, 500, "Error", "out of memory");
	} else {
		page_head(&p, r, "Buckets");
		fputs("<h1>Buckets of the work list</h1><p><a id=\"list-link\" "
		      "href=\"/?",
		      p.out);
		put_query(p.out, r, NULL, NULL);
		fputs("\">Back to the list</a></p>", p.out);
		put_buckets(p.out, r, res[0]);
		page_send(&p, r, 200);
	}
	wreq_done(r);
}

void
buckets_page(struct evhttp_request *req, void *arg)
{
	struct wreq *r = wreq_new(arg, req);
	if (!r)
		return;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		wreq_error(r, 405, "Method not allowed", "GET only.");
	} else if (auth_require(r, false)) {
		struct conn_query q = {BUCKETS_SQL, NFILTERS, {NULL}};
		for (size_t i = 0; i < NFILTERS; i++)
			q.params[i] = wreq_param(r, filters[i].name);
		if (wreq_run(r, &q, 1, false, on_buckets, r))
			return;
	}
	wreq_free(r);
}

/* ---- take the next item ------------------------------------------------ */

#define TAKE_SQL "SELECT claimscrub.work_take()"

static void
on_take(void *arg, PGresult *const *res, int n, const char *error,
	const char *sqlstate)
{
	struct wreq *r = arg;
	const char *ref = !error && n > 0 && res[0] && PQntuples(res[0]) == 1 &&
					  !PQgetisnull(res[0], 0, 0)
				  ? PQgetvalue(res[0], 0, 0)
				  : NULL;
	char loc[WEB_MAX_REF + 16];
	if (error)
		wreq_db_failed(r, error, sqlstate);
	else if (!ref || !web_good_ref(ref, strlen(ref)))
		wreq_error(r, 200, "Nothing to take",
			   "No open, unassigned work item is waiting.");
	else {
		snprintf(loc, sizeof(loc), "/claim/%s", ref);
		wreq_redirect(r, loc, NULL);
	}
	wreq_done(r);
}

void
take_page(struct evhttp_request *req, void *arg)
{
	struct wreq *r = wreq_new(arg, req);
	if (!r)
		return;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		wreq_error(r, 405, "Method not allowed", "Use the work list.");
	} else if (auth_require(r, true)) {
		struct conn_query q = {TAKE_SQL, 0, {NULL}};
		if (wreq_run(r, &q, 1, false, on_take, r))
			return;
	}
	wreq_free(r);
}

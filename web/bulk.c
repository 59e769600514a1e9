/*
 * bulk — POST /bulk: one decision for many findings, from the work list.
 * The open findings of one rule on the claims ticked (or, with none
 * ticked, on every work item the list's payer, provider and severity
 * filters match) are counted first with claimscrub.decide_bulk(dry_run)
 * and the count shown with the exact choice to confirm (step=preview);
 * only the confirmation decides (step=confirm), and the work list then
 * says how many were decided.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>

#include "report/html.h"
#include "web/web.h"

#define BULK_SQL \
	"SELECT claimscrub.decide_bulk($1, $2, $3, $4, $5, $6, $7::boolean, " \
	"$8::text[])"
#define BULK_MAX_CLAIMS 500

/* The form's fields carried from the preview to the confirmation, in
 * decide_bulk's order ($1..$6). */
static const char *const fields[] = {"rule",  "reason",	  "note",
				     "payer", "provider", "severity"};
#define NFIELDS (sizeof(fields) / sizeof(*fields))

struct bulk {
	struct wreq *r;
	char claims[BULK_MAX_CLAIMS * (WEB_MAX_REF + 1) + 3];
	size_t nclaims;
	bool confirm;
};

/* The ticked claims as an array literal ("{A,B}"; references are plain
 * characters only), or NULL-worthy "" when none; false when one is bad or
 * there are too many. */
static bool
collect_claims(struct bulk *b)
{
	size_t len = 0;
	struct evkeyval *kv;
	b->claims[len++] = '{';
	TAILQ_FOREACH(kv, &b->r->query, next)
	{
		if (strcmp(kv->key, "claim") != 0)
			continue;
		size_t n = strlen(kv->value);
		if (!web_good_ref(kv->value, n) ||
		    b->nclaims == BULK_MAX_CLAIMS)
			return false;
		if (b->nclaims++)
			b->claims[len++] = ',';
		memcpy(b->claims + len, kv->value, n);
		len += n;
	}
	b->claims[len++] = '}';
	b->claims[b->nclaims ? len : 0] = '\0';
	return true;
}

static void
hidden(FILE *out, const char *name, const char *value)
{
	if (!value)
		return;
	fprintf(out, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	html_attr(out, value);
	fputs("\">", out);
}

/* What the confirmation decides, in words, and the form that does it. */
static void
put_preview(FILE *out, struct bulk *b, long count)
{
	struct wreq *r = b->r;
	struct evkeyval *kv;
	fprintf(out,
		"<h1>Decide %ld finding%s</h1><p id=\"bulk-count\" "
		"data-findings=\"%ld\">This decides <b>%ld</b> open "
		"finding%s of rule <b>",
		count, count == 1 ? "" : "s", count, count,
		count == 1 ? "" : "s");
	html_text(out, wreq_param(r, "rule"));
	fputs("</b> as <b>", out);
	html_text(out, wreq_param(r, "reason"));
	if (b->nclaims)
		fprintf(out, "</b> on the %zu claim%s ticked", b->nclaims,
			b->nclaims == 1 ? "" : "s");
	else
		fputs("</b> on every open work item of the filters below", out);
	fputs(".</p><form id=\"bulk-confirm\" method=\"post\" "
	      "action=\"/bulk\">",
	      out);
	hidden(out, "csrf", r->csrf);
	hidden(out, "step", "confirm");
	for (size_t i = 0; i < NFIELDS; i++)
		hidden(out, fields[i], wreq_param(r, fields[i]));
	TAILQ_FOREACH(kv, &r->query, next)
	if (strcmp(kv->key, "claim") == 0)
		hidden(out, "claim", kv->value);
	fprintf(out,
		"<button id=\"confirm\"%s>Decide %ld finding%s</button> "
		"<a href=\"/\">Cancel</a></form>",
		count ? "" : " disabled", count, count == 1 ? "" : "s");
}

static void
on_bulk(void *arg, PGresult *const *res, int n, const char *error,
	const char *sqlstate)
{
	struct bulk *b = arg;
	struct wreq *r = b->r;
	struct page p;
	long count = !error && n > 0 && res[0] && PQntuples(res[0]) == 1
			     ? strtol(PQgetvalue(res[0], 0, 0), NULL, 10)
			     : -1;
	if (error && strncmp(sqlstate, "22", 2) != 0) {
		wreq_db_failed(r, error, sqlstate);
	} else if (error) {
		wreq_refused(r, "Bad request", error);
	} else if (b->confirm) {
		char loc[128];
		snprintf(loc, sizeof(loc), "/?decided=%ld", count);
		wreq_redirect(r, loc, NULL);
	} else if (page_open(&p)) {
		page_head(&p, r, "Decide many");
		put_preview(p.out, b, count);
		page_send(&p, r, 200);
	} else {
		wreq_error(r, 500, "Error", "out of memory");
	}
	wreq_done(r);
	free(b);
}

void
bulk_page(struct evhttp_request *req, void *arg)
{
	struct wreq *r = wreq_new(arg, req);
	struct bulk *b = NULL;
	if (!r)
		return;
	const char *step = wreq_param(r, "step");
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		wreq_error(r, 405, "Method not allowed", "Use the work list.");
	} else if (!auth_require(r, true)) {
		/* answered */
	} else if (!step ||
		   (strcmp(step, "preview") && strcmp(step, "confirm"))) {
		wreq_error(r, 400, "Bad request",
			   "Preview first, then confirm.");
	} else if (!wreq_param(r, "rule") || !wreq_param(r, "reason")) {
		wreq_error(r, 400, "Bad request",
			   "A bulk decision names its rule and its reason.");
	} else if (!(b = calloc(1, sizeof(*b)))) {
		wreq_error(r, 500, "Error", "out of memory");
	} else if ((b->r = r), !collect_claims(b)) {
		wreq_error(r, 400, "Bad request",
			   "A claim ticked is not a claim reference, or more "
			   "than 500 are ticked.");
	} else {
		b->confirm = strcmp(step, "confirm") == 0;
		struct conn_query q = {BULK_SQL, 8, {NULL}};
		for (size_t i = 0; i < NFIELDS; i++)
			q.params[i] = wreq_param(r, fields[i]);
		q.params[6] = b->confirm ? "false" : "true";
		q.params[7] = b->claims[0] ? b->claims : NULL;
		if (wreq_run(r, &q, 1, false, on_bulk, b))
			return;
	}
	free(b);
	wreq_free(r);
}

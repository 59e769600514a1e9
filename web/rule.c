/*
 * rule — the rules' explanations: /rule/NAME, what a finding checks, why
 * and what its fix does (finding_explanations, the engine's one list of
 * finding ids), with a link to the open work items it hits; /rule/ lists
 * them all.  No database: the text is the engine's.
 */
#include "config.h"

#include <string.h>

#include <event2/http.h>

#include "report/html.h"
#include "scrubber/finding.h"
#include "web/web.h"

static void
put_rule(FILE *out, int id, bool title)
{
	const char *name = finding_names[id];
	if (title) {
		fputs("<h1>Rule <code>", out);
		html_text(out, name);
		fputs("</code></h1>", out);
	} else {
		fputs("<dt id=\"", out);
		html_attr(out, name);
		fputs("\"><a href=\"/rule/", out);
		html_attr(out, name);
		fputs("\"><code>", out);
		html_text(out, name);
		fputs("</code></a></dt><dd>", out);
	}
	fputs("<p class=\"explain\">", out);
	html_text(out, finding_explanations[id]);
	fputs("</p><p><a href=\"/?rule=", out);
	html_attr(out, name);
	fputs("\">Open work items with this rule</a></p>", out);
	if (!title)
		fputs("</dd>", out);
}

static void
put_all(FILE *out)
{
	fputs("<h1>Rules</h1><p>Every finding the scrubber reports: what it "
	      "checks, why, and what its fix does.</p><dl class=\"rules\">",
	      out);
	for (int i = 0; i < F_COUNT; i++)
		put_rule(out, i, false);
	fputs("</dl>", out);
}

void
rule_page(struct evhttp_request *req, void *arg)
{
	struct wreq *r = wreq_new(arg, req);
	if (!r)
		return;
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *name = path + strlen("/rule/");
	int id = *name ? finding_lookup(name, strlen(name)) : -1;
	struct page p;
	if (*name && id < 0) {
		wreq_error(r, 404, "Not found", "No such rule.");
	} else if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		wreq_error(r, 405, "Method not allowed", "GET only.");
	} else if (!auth_require(r, false)) {
		/* answered: sent to sign in */
	} else if (page_open(&p)) {
		page_head(&p, r, id < 0 ? "Rules" : finding_names[id]);
		if (id < 0)
			put_all(p.out);
		else
			put_rule(p.out, id, true);
		page_send(&p, r, 200);
	} else {
		wreq_error(r, 500, "Error", "out of memory");
	}
	wreq_free(r);
}

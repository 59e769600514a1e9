/*
 * views — saved views of the work list: a name for the query string of a
 * work-list URL, the person's own or shared with every reviewer
 * (claimscrub.saved_view through view_save(), view_delete(), views()).
 * The work list shows them as links with a form to save the view at hand;
 * POST /views saves or deletes one and goes back to the list.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "report/html.h"
#include "web/web.h"

#define SAVE_SQL \
	"SELECT claimscrub.view_save($1, $2, coalesce($3::boolean, false))"
#define DELETE_SQL "SELECT claimscrub.view_delete($1)"

void
views_put(FILE *out, struct wreq *r, const PGresult *views, const char *query)
{
	fputs("<nav id=\"views\" aria-label=\"Saved views\"><h2>Views</h2><ul>",
	      out);
	for (int i = 0; views && i < PQntuples(views); i++) {
		const char *owner = PQgetvalue(views, i, 0);
		const char *name = PQgetvalue(views, i, 1);
		bool mine = strcmp(owner, r->user) == 0;
		fputs("<li><a class=\"view\" href=\"/?", out);
		html_attr(out, PQgetvalue(views, i, 2));
		fputs("\">", out);
		html_text(out, name);
		fputs("</a>", out);
		if (!mine) {
			fputs(" <span class=\"owner\">(", out);
			html_text(out, owner);
			fputs(")</span>", out);
		} else {
			fputs("<form class=\"view-delete\" method=\"post\" "
			      "action=\"/views\">",
			      out);
			page_csrf_to(out, r);
			fputs("<input type=\"hidden\" name=\"delete\" value=\"",
			      out);
			html_attr(out, name);
			fputs("\"><button aria-label=\"delete the view ", out);
			html_attr(out, name);
			fputs("\">delete</button></form>", out);
		}
		fputs("</li>", out);
	}
	fputs("</ul><form id=\"save-view\" method=\"post\" action=\"/views\">",
	      out);
	page_csrf_to(out, r);
	fputs("<input type=\"hidden\" name=\"query\" value=\"", out);
	html_attr(out, query);
	fputs("\"><label>Save this view as <input name=\"name\" "
	      "maxlength=\"64\" "
	      "required></label><label><input type=\"checkbox\" "
	      "name=\"shared\" "
	      "value=\"true\"> "
	      "shared</label><button>Save</button></form></nav>",
	      out);
}

static void
on_saved(void *arg, PGresult *const *res, int n, const char *error,
	 const char *sqlstate)
{
	struct wreq *r = arg;
	(void)res, (void)n;
	if (error && strncmp(sqlstate, "22", 2) == 0) {
		wreq_refused(r, "The view was not saved", error);
	} else if (error) {
		wreq_db_failed(r, error, sqlstate);
	} else {
		wreq_redirect(r, "/", NULL);
	}
	wreq_done(r);
}

void
views_page(struct evhttp_request *req, void *arg)
{
	struct wreq *r = wreq_new(arg, req);
	if (!r)
		return;
	const char *del = wreq_param(r, "delete");
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		wreq_error(r, 405, "Method not allowed", "Use the work list.");
	} else if (auth_require(r, true)) {
		const char *q = wreq_param(r, "query");
		struct conn_query save = {SAVE_SQL,
					  3,
					  {wreq_param(r, "name"), q ? q : "",
					   wreq_param(r, "shared")}};
		struct conn_query drop = {DELETE_SQL, 1, {del}};
		if (wreq_run(r, del ? &drop : &save, 1, false, on_saved, r))
			return;
	}
	wreq_free(r);
}

/*
 * page — requests and answers of claimscrub-web; see web.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "daemon/httpsrv.h"
#include "report/html.h"
#include "web/web.h"

/* Every answer: no script but our own file, no framing, nothing cached
 * (claims are PHI), no referrer leaving with a claim's URL. */
static const char *const security_headers[][2] = {
	{"Content-Security-Policy",
	 "default-src 'none'; script-src 'self'; style-src 'self'; "
	 "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	 "base-uri 'none'"},
	{"X-Frame-Options", "DENY"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"Cache-Control", "no-store"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
};

static bool
read_body(struct evhttp_request *req, char **out)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	if (n > WEB_MAX_BODY)
		return false;
	char *b = malloc(n + 1);
	if (!b)
		return false;
	evbuffer_remove(in, b, n);
	b[n] = '\0';
	*out = b;
	return strlen(b) == n; /* no NUL inside */
}

struct wreq *
wreq_new(struct web *w, struct evhttp_request *req)
{
	struct wreq *r = calloc(1, sizeof(*r));
	char *form = NULL;
	if (!r) {
		evhttp_send_error(req, 500, "out of memory");
		return NULL;
	}
	r->w = w;
	r->req = req;
	r->evcon = evhttp_request_get_connection(req);
	r->query.tqh_first = NULL;
	r->query.tqh_last = &r->query.tqh_first;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *q = u ? evhttp_uri_get_query(u) : NULL;
	int bad = q && evhttp_parse_query_str(q, &r->query) != 0;
	if (!bad && evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		bad = !read_body(req, &form) ||
		      evhttp_parse_query_str(form, &r->query) != 0;
		free(form);
	}
	if (bad) {
		wreq_error(r, 400, "Bad request",
			   "The form could not be read.");
		wreq_free(r);
		return NULL;
	}
	return r;
}

void
wreq_free(struct wreq *r)
{
	if (!r)
		return;
	evhttp_clear_headers(&r->query);
	explicit_bzero(r->csrf, sizeof(r->csrf));
	free(r);
}

const char *
wreq_param(struct wreq *r, const char *name)
{
	const char *v = evhttp_find_header(&r->query, name);
	return v && *v ? v : NULL;
}

bool
wreq_cookie(struct wreq *r, const char *name, char *buf, size_t size)
{
	const char *h =
		r->req ? evhttp_find_header(
				 evhttp_request_get_input_headers(r->req),
				 "Cookie")
		       : NULL;
	size_t n = strlen(name);
	for (const char *p = h; p && *p;) {
		p += strspn(p, " ;");
		size_t w = strcspn(p, ";");
		if (w > n && memcmp(p, name, n) == 0 && p[n] == '=') {
			if (w - n - 1 >= size)
				return false;
			memcpy(buf, p + n + 1, w - n - 1);
			buf[w - n - 1] = '\0';
			return true;
		}
		p += w;
	}
	return false;
}

void
wreq_wait(struct wreq *r)
{
	r->next = r->w->pending;
	r->w->pending = r;
}

void
wreq_done(struct wreq *r)
{
	for (struct wreq **p = &r->w->pending; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	wreq_free(r);
}

void
web_connection_closing(struct evhttp_connection *evcon, void *arg)
{
	struct web *w = arg;
	for (struct wreq *r = w->pending; r; r = r->next)
		/* still attached: evhttp frees it with its connection; a
		 * detached one (the client left) is freed by our answer */
		if (r->req && r->evcon == evcon &&
		    evhttp_request_get_connection(r->req) == evcon)
			r->req = NULL;
}

static const char *
reason_of(int code)
{
	static const struct {
		int code;
		const char *reason;
	} reasons[] = {{200, "OK"},
		       {303, "See Other"},
		       {400, "Bad Request"},
		       {403, "Forbidden"},
		       {404, "Not Found"},
		       {405, "Method Not Allowed"},
		       {409, "Conflict"},
		       {413, "Payload Too Large"},
		       {500, "Internal Server Error"},
		       {503, "Service Unavailable"}};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(*reasons); i++)
		if (reasons[i].code == code)
			return reasons[i].reason;
	return "Error";
}

void
wreq_send(struct wreq *r, int code, const char *type, const char *body,
	  size_t len, const char *const *extra)
{
	if (!r->req)
		return;
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	for (size_t i = 0;
	     i < sizeof(security_headers) / sizeof(*security_headers); i++)
		evhttp_add_header(h, security_headers[i][0],
				  security_headers[i][1]);
	for (size_t i = 0; extra && extra[i]; i += 2)
		evhttp_add_header(h, extra[i], extra[i + 1]);
	httpsrv_reply(r->req, code, reason_of(code), type, body, len);
	r->req = NULL;
}

void
wreq_redirect(struct wreq *r, const char *location, const char *const *extra)
{
	if (r->req)
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
				  "Location", location);
	wreq_send(r, 303, "text/plain; charset=utf-8", "", 0, extra);
}

bool
page_open(struct page *p)
{
	p->buf = NULL;
	p->len = 0;
	p->out = open_memstream(&p->buf, &p->len);
	return p->out != NULL;
}

void
page_csrf_to(FILE *out, const struct wreq *r)
{
	fputs("<input type=\"hidden\" name=\"csrf\" value=\"", out);
	html_attr(out, r->csrf);
	fputs("\">", out);
}

void
page_csrf(struct page *p, const struct wreq *r)
{
	page_csrf_to(p->out, r);
}

void
wreq_message(struct wreq *r, const char *error)
{
	const char *m = strncmp(error, "ERROR:  ", 8) == 0 ? error + 8 : error;
	snprintf(r->message, sizeof(r->message), "%.*s", (int)strcspn(m, "\n"),
		 m);
}

void
page_nav(struct page *p, const struct wreq *r)
{
	fputs("<header class=\"nav\"><a class=\"home\" "
	      "href=\"/\">claimscrub</a>",
	      p->out);
	if (r->user[0]) {
		fputs("<nav aria-label=\"Pages\"><a href=\"/\">Work list</a> "
		      "<a href=\"/dashboard\">Dashboard</a> "
		      "<a href=\"/rule/\">Rules</a></nav>"
		      "<span id=\"who\">",
		      p->out);
		html_text(p->out, r->user);
		fputs("</span><form id=\"logout\" method=\"post\" "
		      "action=\"/logout\">",
		      p->out);
		page_csrf(p, r);
		fputs("<button>Sign out</button></form>", p->out);
	}
	fputs("</header>", p->out);
}

void
page_head(struct page *p, const struct wreq *r, const char *title)
{
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta "
	      "charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\">"
	      "<title>",
	      p->out);
	html_text(p->out, title);
	fputs(" — claimscrub</title>"
	      "<link rel=\"stylesheet\" href=\"/static/style.css\">"
	      "<link rel=\"icon\" href=\"/static/icon.svg\" "
	      "type=\"image/svg+xml\">"
	      "<script src=\"/static/app.js\" defer></script></head><body>",
	      p->out);
	page_nav(p, r);
	fputs("<main>", p->out);
	if (r->message[0]) {
		fprintf(p->out, "<p class=\"%s\" role=\"alert\">",
			r->status == 409 ? "conflict" : "error");
		html_text(p->out, r->message);
		fputs("</p>", p->out);
	}
}

void
page_send(struct page *p, struct wreq *r, int code)
{
	fputs("</main></body></html>\n", p->out);
	page_send_raw(p, r, code);
}

void
page_send_raw(struct page *p, struct wreq *r, int code)
{
	if (fclose(p->out) != 0 || !p->buf) {
		free(p->buf);
		if (r->req)
			evhttp_send_error(r->req, 500, "out of memory");
		r->req = NULL;
		return;
	}
	wreq_send(r, code, "text/html; charset=utf-8", p->buf, p->len, NULL);
	free(p->buf);
}

void
wreq_error(struct wreq *r, int code, const char *title, const char *msg)
{
	struct page p;
	if (!page_open(&p)) {
		if (r->req)
			evhttp_send_error(r->req, 500, "out of memory");
		r->req = NULL;
		return;
	}
	page_head(&p, r, title);
	fputs("<h1>", p.out);
	html_text(p.out, title);
	fputs("</h1><p class=\"error\" role=\"alert\">", p.out);
	html_text(p.out, msg);
	fputs("</p>", p.out);
	page_send(&p, r, code);
}

void
wreq_db_failed(struct wreq *r, const char *error, const char *sqlstate)
{
	char m[256];
	if (strcmp(sqlstate, POOL_ROLE_REFUSED_STATE) != 0) {
		wreq_error(r, 503, "The database did not answer", error);
		return;
	}
	snprintf(m, sizeof(m),
		 "The database's workbench login may not act as %s: a DBA "
		 "grants the role to it (GRANT %s TO the login).",
		 r->user, r->user);
	r->user[0] = '\0'; /* no sign-out form for a role that cannot act */
	wreq_error(r, 403, "Not allowed", m);
}

void
web_reason_options(FILE *out, const PGresult *reasons)
{
	/* none chosen until the reviewer chooses (the select is required) */
	fputs("<option value=\"\">choose a reason</option>", out);
	for (int i = 0; reasons && i < PQntuples(reasons); i++) {
		fputs("<option value=\"", out);
		html_attr(out, PQgetvalue(reasons, i, 0));
		fputs("\">", out);
		html_text(out, PQgetvalue(reasons, i, 0));
		fputs(" — ", out);
		html_text(out, PQgetvalue(reasons, i, 1));
		fputs("</option>", out);
	}
}

void
wreq_refused(struct wreq *r, const char *title, const char *error)
{
	char m[sizeof(r->message)];
	wreq_message(r, error);
	memcpy(m, r->message, sizeof(m));
	r->message[0] = '\0'; /* said once, in the page's body */
	wreq_error(r, 400, title, m);
}

bool
wreq_run(struct wreq *r, const struct conn_query *q, int n, bool snapshot,
	 pool_done_fn done, void *arg)
{
	struct pool *p = r->w->pool;
	if (snapshot ? pool_run_snapshot(p, r->user, q, n, done, arg)
		     : pool_run(p, r->user, q, n, done, arg)) {
		wreq_wait(r);
		return true;
	}
	wreq_error(r, 503, "The database is not reachable",
		   "No database connection is up, or too many requests wait "
		   "for one; try again shortly.");
	return false;
}

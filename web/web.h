/*
 * web — what claimscrub-web's pages share: the server (struct web), one
 * request in flight (struct wreq), the answer helpers that add the
 * security headers to every answer, forms and cookies, and the pages'
 * entry points.  A page that needs the database sends one pipeline through
 * the pool as the signed-in person and renders in its callback; the
 * request may be gone by then (the client left, or was evicted), which
 * wreq_send notices.
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <stdbool.h>
#include <stdio.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "web/pool.h"
#include "web/session.h"
#include "web/wconf.h"

#define WEB_SESSION_COOKIE "claimscrub_session"
#define WEB_LOGIN_COOKIE "claimscrub_login"
#define WEB_MAX_BODY (64 * 1024)
#define WEB_MAX_REF 64
/* The reason codes, for every decision form. */
#define WEB_REASONS_SQL \
	"SELECT code, description FROM claimscrub.reason ORDER BY code"

struct web {
	struct event_base *base;
	struct wconf *conf;
	struct sessions *sessions;
	struct pool *pool;
	struct dcache *dcache;	   /* the dashboard's reports (dashcache.h) */
	struct event *warm;	   /* the dashboard made ahead (dashboard.c) */
	struct dash *making;	   /* reports being made (dashboard.c) */
	struct throttle *throttle; /* failed sign-ins (throttle.h) */
	struct wreq *pending;	   /* waiting for the database */
};

struct wreq {
	struct web *w;
	struct evhttp_request *req; /* NULL: the client is gone */
	struct evhttp_connection *evcon;
	struct wreq *next;
	char user[SESSION_USER];
	char csrf[SESSION_HEX];
	struct evkeyvalq query; /* the URL's query, or the POSTed form */
	char path[256];		/* decoded path below the page's prefix */
	int status;		/* for a page rendered after a refusal */
	char message[512];	/* shown in a role=alert paragraph */
};

/* ---- requests (page.c) ---- */
/* A request's wreq with its form or query parsed; NULL (answered 400/413
 * or 500) when it cannot be. */
struct wreq *wreq_new(struct web *w, struct evhttp_request *req);
void wreq_free(struct wreq *r);
/* The parameter name of the query or form; NULL when absent or empty. */
const char *wreq_param(struct wreq *r, const char *name);
/* The cookie name's value in buf; false when absent or too long. */
bool wreq_cookie(struct wreq *r, const char *name, char *buf, size_t size);
/* Waits for the database: on the pending list until wreq_done. */
void wreq_wait(struct wreq *r);
void wreq_done(struct wreq *r);
/* The server is freeing evcon: its pending requests are gone. */
void web_connection_closing(struct evhttp_connection *evcon, void *arg);

/* Sends body (len bytes) with the security headers; extra: more
 * "Name: value" headers, NULL-terminated, or NULL. */
void wreq_send(struct wreq *r, int code, const char *type, const char *body,
	       size_t len, const char *const *extra);
/* 303 to location. */
void wreq_redirect(struct wreq *r, const char *location,
		   const char *const *extra);
/* Answers 400 with title and the database's refusal (error, as
 * wreq_message shows it): a filter or a value the functions refused. */
void wreq_refused(struct wreq *r, const char *title, const char *error);
/* Runs q[0..n) as the person (in one read-only snapshot with snapshot)
 * and waits for done; false when it cannot, and then 503 was answered
 * (the caller frees what it holds). */
bool wreq_run(struct wreq *r, const struct conn_query *q, int n, bool snapshot,
	      pool_done_fn done, void *arg);
/* Answers a failed pipeline: 403 when the database refused the person's
 * role (the pool's POOL_ROLE_REFUSED), else 503 with the error. */
void wreq_db_failed(struct wreq *r, const char *error, const char *sqlstate);
/* A short page with a heading and a message (an error, a refusal). */
void wreq_error(struct wreq *r, int code, const char *title, const char *msg);

/* A page being written: open_memstream. */
struct page {
	FILE *out;
	char *buf;
	size_t len;
};
bool page_open(struct page *p);
/* The head, the header with the signed-in person and the sign-out form. */
void page_head(struct page *p, const struct wreq *r, const char *title);
/* The header: the home link, the pages, the person, the sign-out form. */
void page_nav(struct page *p, const struct wreq *r);
/* Closes the page (</main></body></html>) and sends it. */
void page_send(struct page *p, struct wreq *r, int code);
/* Sends the page as written (the caller closed its elements). */
void page_send_raw(struct page *p, struct wreq *r, int code);
/* A hidden input with the request's CSRF token. */
void page_csrf(struct page *p, const struct wreq *r);
void page_csrf_to(FILE *out, const struct wreq *r);
/* The database's error as the page's message: without "ERROR:  ", its
 * first line. */
void wreq_message(struct wreq *r, const char *error);

/* ---- who is asking (auth.c) ---- */
/* Fills r->user and r->csrf from the session or the proxy; false when the
 * request was answered (refused, or sent to sign in). */
bool auth_require(struct wreq *r, bool changes);
void auth_login_page(struct evhttp_request *req, void *arg);
void auth_logout(struct evhttp_request *req, void *arg);
/* Frees the sign-in checks still in flight (at exit). */
void auth_shutdown(void);

/* A claim reference as the engine takes them (letters, digits, - _ .,
 * 1..WEB_MAX_REF): safe in a URL and an array literal as it is. */
bool web_good_ref(const char *s, size_t n);
/* The reason options of a decision form, from WEB_REASONS_SQL's rows. */
void web_reason_options(FILE *out, const PGresult *reasons);

/* ---- pages ---- */
void worklist_page(struct evhttp_request *req, void *arg);
void claim_page(struct evhttp_request *req, void *arg);
void static_page(struct evhttp_request *req, void *arg);
void take_page(struct evhttp_request *req, void *arg);
void buckets_page(struct evhttp_request *req, void *arg);
void bulk_page(struct evhttp_request *req, void *arg);
void dashboard_page(struct evhttp_request *req, void *arg);
void views_page(struct evhttp_request *req, void *arg);
void rule_page(struct evhttp_request *req, void *arg);
/* The saved views (the rows of claimscrub.views()) as links, and the form
 * that saves query, the work list's query string at hand. */
void views_put(FILE *out, struct wreq *r, const PGresult *views,
	       const char *query);
void dashboard_csv(struct evhttp_request *req, void *arg);
/* Makes the dashboard without filters ahead, as the pool's first
 * connection comes up (pool_on_up) and then every dashboard_warm_seconds
 * (none when 0, or when nothing is kept); false when out of memory. */
bool dashboard_warm_start(struct web *w);

#endif

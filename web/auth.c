/*
 * auth — who is asking: a session (auth: database, after signing in with
 * one's own PostgreSQL role and password) or the SSO proxy's user header
 * (auth: proxy, believed only from proxy_sources).  Every change is a POST
 * carrying the session's CSRF token.
 */
#include "config.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>

#include "daemon/conn.h"
#include "daemon/dlog.h"
#include "report/html.h"
#include "web/throttle.h"
#include "web/web.h"

#define LOGIN_MAX_INFLIGHT 16
#define LOGIN_MAX_PASSWORD 1024

static int logins_inflight;
/* the checks in flight, for auth_shutdown: a slot each */
static struct login *inflight[LOGIN_MAX_INFLIGHT];

/* A role name we pass on: letters, digits and _ . @ - only, 1..63 bytes
 * (what a directory's login names are; anything else is refused). */
static bool
good_user(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	return n > 0 && n < SESSION_USER &&
	       strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.@-") == n;
}

static void
cookie_header(char *buf, size_t size, const struct web *w, const char *name,
	      const char *value, const char *path, bool clear)
{
	snprintf(buf, size, "%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s",
		 name, value, path, w->conf->cookie_secure ? "; Secure" : "",
		 clear ? "; Max-Age=0" : "");
}

/* The peer as proxy_sources names it: "unix", or a numeric address. */
static void
peer_name(struct wreq *r, char *buf, size_t size)
{
	const struct sockaddr *sa =
		r->evcon ? evhttp_connection_get_addr(r->evcon) : NULL;
	snprintf(buf, size, "unknown");
	if (sa && sa->sa_family == AF_UNIX)
		snprintf(buf, size, "unix");
	else if (sa)
		getnameinfo(sa,
			    sa->sa_family == AF_INET6
				    ? sizeof(struct sockaddr_in6)
				    : sizeof(struct sockaddr_in),
			    buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST);
}

static bool
proxy_user(struct wreq *r)
{
	struct web *w = r->w;
	char peer[64], q[128];
	const char *u = evhttp_find_header(
		evhttp_request_get_input_headers(r->req), w->conf->user_header);
	peer_name(r, peer, sizeof(peer));
	if (!wconf_trusted(w->conf, peer)) {
		if (u)
			dlog(DLOG_WARNING, "forged-user-header",
			     "peer=%s header=%s", peer,
			     dlog_quote(w->conf->user_header, q, sizeof(q)));
		wreq_error(r, 403, "Sign in through the proxy",
			   "This workbench takes people only through the "
			   "hospital's sign-in proxy.");
		return false;
	}
	if (!good_user(u)) {
		wreq_error(r, 403, "Not signed in",
			   "The proxy did not name a person this workbench "
			   "can act as.");
		return false;
	}
	snprintf(r->user, sizeof(r->user), "%s", u);
	return true;
}

/* The session of the cookie, or in proxy mode one made for the proxy's
 * person (a new one when the person changed). */
static struct session *
find_session(struct wreq *r)
{
	char id[SESSION_HEX + 1];
	struct web *w = r->w;
	struct session *s = NULL;
	if (wreq_cookie(r, WEB_SESSION_COOKIE, id, sizeof(id)))
		s = sessions_find(w->sessions, id);
	if (w->conf->auth != WCONF_AUTH_PROXY)
		return s;
	if (s && strcmp(s->user, r->user) == 0)
		return s;
	if (s)
		sessions_drop(w->sessions, s);
	if (!(s = sessions_create(w->sessions, r->user)))
		return NULL;
	char c[256];
	cookie_header(c, sizeof(c), w, WEB_SESSION_COOKIE, s->id, "/", false);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
			  "Set-Cookie", c);
	return s;
}

bool
auth_require(struct wreq *r, bool changes)
{
	struct web *w = r->w;
	if (w->conf->auth == WCONF_AUTH_PROXY && !proxy_user(r))
		return false;
	struct session *s = find_session(r);
	if (!s) {
		if (changes)
			wreq_error(r, 403, "Not signed in",
				   "Your session ended; sign in again.");
		else
			wreq_redirect(r, "/login", NULL);
		return false;
	}
	snprintf(r->user, sizeof(r->user), "%s", s->user);
	snprintf(r->csrf, sizeof(r->csrf), "%s", s->csrf);
	const char *t = wreq_param(r, "csrf");
	if (changes && !(t && session_same(t, s->csrf))) {
		dlog(DLOG_WARNING, "csrf-refused", "user=%s", r->user);
		wreq_error(r, 403, "Refused",
			   "The form was not one this workbench gave you "
			   "(its token is missing or wrong); reload the page.");
		return false;
	}
	return true;
}

/* ---- signing in --------------------------------------------------------- */

struct login {
	struct wreq *r;
	struct conn *c;
	struct event *reap;
	char user[SESSION_USER];
};

static void
login_form(struct wreq *r, int code, const char *error)
{
	struct page p;
	char nonce[SESSION_HEX], c[256];
	if (!session_random(nonce) || !page_open(&p)) {
		wreq_error(r, 500, "Error", "out of memory or randomness");
		return;
	}
	cookie_header(c, sizeof(c), r->w, WEB_LOGIN_COOKIE, nonce, "/login",
		      false);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
			  "Set-Cookie", c);
	snprintf(r->csrf, sizeof(r->csrf), "%s", nonce);
	page_head(&p, r, "Sign in");
	fputs("<h1>Sign in</h1>", p.out);
	if (error) {
		fputs("<p id=\"login-error\" class=\"error\" role=\"alert\">",
		      p.out);
		html_text(p.out, error);
		fputs("</p>", p.out);
	}
	fputs("<form id=\"login\" method=\"post\" action=\"/login\">", p.out);
	page_csrf(&p, r);
	fputs("<label for=\"user\">Database role</label>"
	      "<input id=\"user\" name=\"user\" autocomplete=\"username\" "
	      "required maxlength=\"63\" autofocus>"
	      "<label for=\"password\">Password</label>"
	      "<input id=\"password\" name=\"password\" type=\"password\" "
	      "autocomplete=\"current-password\" required>"
	      "<button id=\"sign-in\">Sign in</button></form>",
	      p.out);
	page_send(&p, r, code);
}

static void
login_free(struct login *l)
{
	for (int i = 0; i < LOGIN_MAX_INFLIGHT; i++)
		if (inflight[i] == l)
			inflight[i] = NULL;
	conn_free(l->c);
	event_free(l->reap);
	explicit_bzero(l, sizeof(*l));
	free(l);
	logins_inflight--;
}

static void
login_reap(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	login_free(arg);
}

void
auth_shutdown(void)
{
	for (int i = 0; i < LOGIN_MAX_INFLIGHT; i++)
		if (inflight[i])
			login_free(inflight[i]);
}

/* The check's connection is freed outside its own callback. */
static void
login_end(struct login *l)
{
	struct timeval now = {0, 0};
	wreq_done(l->r);
	event_add(l->reap, &now);
}

static void
login_up(void *arg)
{
	struct login *l = arg;
	struct wreq *r = l->r;
	struct session *s = sessions_create(r->w->sessions, l->user);
	char c[256], gone[256];
	dlog(DLOG_INFO, "sign-in", "user=%s result=%s", l->user,
	     s ? "ok" : "no-randomness");
	throttle_ok(r->w->throttle, l->user);
	if (!s) {
		wreq_error(r, 500, "Error", "no randomness for a session id");
		login_end(l);
		return;
	}
	cookie_header(c, sizeof(c), r->w, WEB_SESSION_COOKIE, s->id, "/",
		      false);
	cookie_header(gone, sizeof(gone), r->w, WEB_LOGIN_COOKIE, "", "/login",
		      true);
	const char *extra[] = {"Set-Cookie", c, "Set-Cookie", gone, NULL};
	wreq_redirect(r, "/", extra);
	login_end(l);
}

static void
login_down(void *arg, const char *why)
{
	struct login *l = arg;
	char q[512];
	dlog(DLOG_INFO, "sign-in", "user=%s result=refused why=%s", l->user,
	     dlog_quote(why, q, sizeof(q)));
	throttle_failed(l->r->w->throttle, l->user, time(NULL));
	if (l->r->req)
		login_form(l->r, 403,
			   "Sign-in failed: the role or the password is wrong, "
			   "or the role may not sign in.");
	login_end(l);
}

static void
login_notify(void *arg)
{
	(void)arg;
}

/* Starts checking the form's role and password; false when the request
 * was answered at once (and is the caller's to free). */
static bool
login_post(struct wreq *r)
{
	char nonce[SESSION_HEX + 1];
	const char *u = wreq_param(r, "user"), *pw = wreq_param(r, "password");
	const char *t = wreq_param(r, "csrf");
	if (!wreq_cookie(r, WEB_LOGIN_COOKIE, nonce, sizeof(nonce)) || !t ||
	    !session_same(t, nonce)) {
		login_form(r, 403, "The sign-in form had expired; try again.");
		return false;
	}
	if (!good_user(u) || !pw || strlen(pw) > LOGIN_MAX_PASSWORD) {
		login_form(r, 403,
			   "Sign-in failed: the role or the password is wrong, "
			   "or the role may not sign in.");
		return false;
	}
	long wait = throttle_wait(r->w->throttle, u, time(NULL));
	if (wait > 0) {
		char msg[160];
		dlog(DLOG_WARNING, "sign-in-throttled", "user=%s wait_s=%ld", u,
		     wait);
		snprintf(msg, sizeof(msg),
			 "Too many failed sign-ins as this role: try again in "
			 "%ld minute%s.",
			 (wait + 59) / 60, (wait + 59) / 60 == 1 ? "" : "s");
		login_form(r, 429, msg);
		return false;
	}
	struct login *l = logins_inflight < LOGIN_MAX_INFLIGHT
				  ? calloc(1, sizeof(*l))
				  : NULL;
	struct conn_callbacks cb = {login_up, login_down, login_notify, l};
	if (!l || !(l->c = conn_new(r->w->base, &cb)) ||
	    !(l->reap = evtimer_new(r->w->base, login_reap, l))) {
		if (l && l->c)
			conn_free(l->c);
		free(l);
		wreq_error(r, 503, "Busy",
			   "Too many sign-ins at once; try again.");
		return false;
	}
	logins_inflight++;
	for (int i = 0; i < LOGIN_MAX_INFLIGHT; i++)
		if (!inflight[i]) {
			inflight[i] = l;
			break;
		}
	l->r = r;
	snprintf(l->user, sizeof(l->user), "%s", u);
	wreq_wait(r);
	struct conn_target tg = {r->w->conf->database, u, pw,
				 "claimscrub-web-login", "claimscrub_web"};
	conn_start_as(l->c, &tg);
	return true;
}

void
auth_login_page(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	struct wreq *r = wreq_new(w, req);
	if (!r)
		return;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (w->conf->auth == WCONF_AUTH_PROXY)
		wreq_redirect(r, "/", NULL);
	else if (m == EVHTTP_REQ_POST) {
		if (login_post(r))
			return; /* freed when the check ends */
	} else if (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD)
		login_form(r, 200, NULL);
	else
		wreq_error(r, 405, "Method not allowed", "GET or POST.");
	wreq_free(r);
}

void
auth_logout(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	struct wreq *r = wreq_new(w, req);
	char id[SESSION_HEX + 1], c[256];
	if (!r)
		return;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST)
		wreq_error(r, 405, "Method not allowed",
			   "Sign out with the button.");
	else if (auth_require(r, true)) {
		struct session *s =
			wreq_cookie(r, WEB_SESSION_COOKIE, id, sizeof(id))
				? sessions_find(w->sessions, id)
				: NULL;
		if (s)
			sessions_drop(w->sessions, s);
		dlog(DLOG_INFO, "sign-out", "user=%s", r->user);
		cookie_header(c, sizeof(c), w, WEB_SESSION_COOKIE, "", "/",
			      true);
		const char *extra[] = {"Set-Cookie", c, NULL};
		wreq_redirect(r, "/login", extra);
	}
	wreq_free(r);
}

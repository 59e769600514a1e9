/*
 * claimscrub-web — the reviewers' workbench in a browser: the work list
 * and the claim workspace over the review workflow's SQL functions, run as
 * the signed-in person.  One libevent loop: the bounded HTTP server
 * (daemon/httpsrv.h), the database pool and the sign-in checks, none of
 * which ever blocks.  SIGTERM/SIGINT stop it (exit 0).
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "daemon/dlog.h"
#include "daemon/httpsrv.h"
#include "daemon/stopsig.h"
#include "web/dashcache.h"
#include "web/throttle.h"
#include "web/web.h"

#define DEFAULT_CONFIG SYSCONFDIR "/claimscrub/claimscrub-web.yaml"

/* Browsers send a few KB of headers (cookies included); a form is small.
 * The idle timeout and a connection's whole life are the configuration's
 * (a page is answered in well under a second, so by default a connection
 * kept alive is closed after two minutes whatever it does). */
static const struct httpsrv_limits base_limits = {
	.max_headers = 16384,
	.max_body = WEB_MAX_BODY,
	.closing = web_connection_closing,
};

static void
usage(FILE *out)
{
	fputs("usage: claimscrub-web [-c FILE] [--check-config]\n"
	      "\n"
	      "The reviewers' workbench: serves the work list and the claim\n"
	      "workspace to browsers (see claimscrub-web(8)).\n"
	      "\n"
	      "  -c, --config FILE  the configuration (default " DEFAULT_CONFIG
	      ";\n"
	      "                     missing: the defaults)\n"
	      "      --check-config check the configuration and exit\n"
	      "  -h, --help         this help\n"
	      "  -V, --version      the version\n"
	      "      --list-keys    the configuration's keys, one a line\n",
	      out);
}

/* The routes below a prefix: evhttp's own callbacks match whole paths. */
static void
route(struct evhttp_request *req, void *arg)
{
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (!path)
		path = "";
	if (strcmp(path, "/") == 0)
		worklist_page(req, arg);
	else if (strncmp(path, "/claim/", 7) == 0)
		claim_page(req, arg);
	else if (strncmp(path, "/static/", 8) == 0)
		static_page(req, arg);
	else if (strncmp(path, "/rule/", 6) == 0)
		rule_page(req, arg);
	else {
		struct wreq *r = wreq_new(arg, req);
		if (r)
			wreq_error(r, 404, "Not found", "No such page.");
		wreq_free(r);
	}
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct web *w = arg;
	(void)what;
	dlog(DLOG_INFO, "stop", "signal=%d", (int)sig);
	event_base_loopexit(w->base, NULL);
}

static int
parse_args(int argc, char **argv, const char **config, bool *optional,
	   bool *check)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"list-keys", no_argument, NULL, 'L'},
		{NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			*optional = false;
			break;
		case 'C':
			*check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("claimscrub-web %s\n", PACKAGE_VERSION);
			return 0;
		case 'L':
			for (size_t i = 0; wconf_key_name(i); i++)
				printf("%s\n", wconf_key_name(i));
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "claimscrub-web: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	return -1;
}

static bool
load(struct web *w, const char *path, bool optional)
{
	struct diag_list dl = {0};
	enum scrub_err err = wconf_load(path, optional, &w->conf, &dl);
	for (size_t i = 0; i < dl.n; i++) {
		char m[1024];
		diag_format(&dl.items[i], m, sizeof(m));
		fprintf(stderr, "%s\n", m);
	}
	diag_list_free(&dl);
	if (err != SCRUB_OK && dl.n == 0)
		fprintf(stderr,
			"claimscrub-web: %s: cannot load the "
			"configuration\n",
			path);
	return err == SCRUB_OK;
}

static int
serve(struct web *w)
{
	char err[256] = "";
	struct httpsrv_limits lim = base_limits;
	struct event *sig[2] = {NULL, NULL};
	struct httpsrv *srv = NULL;
	int rc = 1;
	lim.closing_arg = w;
	lim.timeout_s = (int)w->conf->client_timeout_seconds;
	lim.max_life_s = (int)w->conf->connection_max_seconds;
	w->base = event_base_new();
	if (!w->base ||
	    !(w->sessions = sessions_new(w->conf->max_sessions,
					 w->conf->session_idle_minutes * 60,
					 w->conf->session_max_hours * 3600)) ||
	    !(w->pool = pool_new(w->base, w->conf->database,
				 (int)w->conf->db_connections)) ||
	    !(w->dcache = dcache_new(w->conf->dashboard_max_age_seconds)) ||
	    !dashboard_warm_start(w) ||
	    !(w->throttle = throttle_new(w->conf->login_max_failures,
					 w->conf->login_lockout_seconds))) {
		fprintf(stderr,
			"claimscrub-web: cannot set up: out of memory\n");
		goto out;
	}
	srv = httpsrv_start(w->base, w->conf->listen, (int)w->conf->port, &lim,
			    err, sizeof(err));
	if (!srv) {
		fprintf(stderr, "claimscrub-web: %s\n", err);
		goto out;
	}
	struct evhttp *ev = httpsrv_evhttp(srv);
	evhttp_set_gencb(ev, route, w);
	evhttp_set_cb(ev, "/login", auth_login_page, w);
	evhttp_set_cb(ev, "/logout", auth_logout, w);
	evhttp_set_cb(ev, "/take", take_page, w);
	evhttp_set_cb(ev, "/buckets", buckets_page, w);
	evhttp_set_cb(ev, "/bulk", bulk_page, w);
	evhttp_set_cb(ev, "/views", views_page, w);
	evhttp_set_cb(ev, "/dashboard", dashboard_page, w);
	evhttp_set_cb(ev, "/dashboard.csv", dashboard_csv, w);
	evhttp_set_cb(ev, "/favicon.ico", static_page, w);
	sig[0] = evsignal_new(w->base, SIGTERM, on_stop, w);
	sig[1] = evsignal_new(w->base, SIGINT, on_stop, w);
	if (!sig[0] || !sig[1] || event_add(sig[0], NULL) ||
	    event_add(sig[1], NULL))
		goto out;
	dlog(DLOG_INFO, "start", "version=%s listen=%s port=%ld auth=%s",
	     PACKAGE_VERSION, w->conf->listen, w->conf->port,
	     w->conf->auth == WCONF_AUTH_PROXY ? "proxy" : "database");
	event_base_dispatch(w->base);
	rc = 0;
out:
	httpsrv_free(srv);
	/* answers still owed go nowhere: their connections are gone (and a
	 * dashboard refresh still running is dropped, before its cache) */
	if (w->warm)
		event_free(w->warm);
	pool_free(w->pool);
	dcache_free(w->dcache);
	throttle_free(w->throttle);
	auth_shutdown();
	stopsig_hold();
	for (int i = 0; i < 2; i++)
		if (sig[i])
			event_free(sig[i]);
	sessions_free(w->sessions);
	if (w->base)
		event_base_free(w->base);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	bool optional = true, check = false;
	struct web w = {0};
	int rc = parse_args(argc, argv, &config, &optional, &check);
	if (rc >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	dlog_init(DLOG_INFO, DLOG_LOGFMT);
	if (!load(&w, config, optional))
		return 2;
	dlog_init((enum dlog_level)w.conf->log_level,
		  (enum dlog_format)w.conf->log_format);
	if (check) {
		printf("configuration %s: ok\n",
		       w.conf->path ? w.conf->path : "(defaults)");
		wconf_free(w.conf);
		return 0;
	}
	rc = serve(&w);
	wconf_free(w.conf);
	return rc;
}

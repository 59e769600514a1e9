/*
 * dashboard — the denial-risk report, live: GET /dashboard with the
 * filters in the URL (since, until, payer, provider) runs the report's
 * queries (report/report_load.h) as the signed-in person in one read-only
 * snapshot and renders the report's HTML (charts and tables) with the
 * workbench's navigation; every bar and every row drills down: a rule,
 * the work list of the claims behind it (the dashboard's dates and payer
 * narrowed by the bar's rule, payer, provider, day, week or month).  GET /dashboard.csv is the same
 * report as CSV, all of it or one section (&section=rule).  Reports are
 * kept a while (dashcache.h, dashboard_max_age): a page is drawn from the
 * one kept for its filters, saying when its snapshot was taken, and one
 * older than that age is refreshed in the background as the person who
 * asked; every reviewer may read every figure, so whose snapshot it was
 * does not matter.  The dashboard without filters, the one a manager
 * opens, is made ahead (dashboard_warm_seconds): as the first database
 * connection comes up, before any page, and again at that interval, as
 * claimscrub_reviewer (the role every reviewer is in: no person asked),
 * so that its first view is drawn, not waited for.
 * One report a filter set is made at a time: a page that finds its report
 * being made (by another page, a refresh, the warm-up) waits for that one
 * instead of running the queries again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>

#include "daemon/dlog.h"
#include "report/report.h"
#include "report/report_load.h"
#include "report/html.h"
#include "web/dashcache.h"
#include "web/web.h"

#define DASH_SETTINGS \
	"SELECT set_config('work_mem', '64MB', true), " \
	"set_config('jit', 'off', true)"
#define DASH_TOP 10
/* Who makes the dashboard ahead: every reviewer's role, which the
 * workbench's login may become through any reviewer granted to it. */
#define DASH_WARM_ROLE "claimscrub_reviewer"
/* A warm-up the pool could not take yet (not connected): tried again. */
#define DASH_WARM_RETRY_MS 1000

/* The filters, in the report's order ($1..$4), and their labels. */
static const char *const filters[][2] = {{"since", "From (date of service)"},
					 {"until", "To"},
					 {"payer", "Payer"},
					 {"provider", "Provider"}};
#define NFILTERS (sizeof(filters) / sizeof(*filters))

struct dash {
	struct wreq *r; /* NULL: a refresh in the background */
	struct web *w;
	char as[SESSION_USER]; /* a refresh's role */
	struct dash *next;     /* w->making: the reports being made */
	struct dash *waiting;  /* the pages waiting for this report */
	bool csv;
	const char *section;   /* csv: only this section's rows */
	char *param[NFILTERS]; /* the filters (since, until, payer, provider) */
	time_t made;	       /* when the report's snapshot was taken */
	bool stale;	       /* older than dashboard_max_age: refreshing */
	char key[512];	       /* the filters, the report's key in the cache */
};

/* The filters given, as a query string ("?since=...&payer=..."). */
static void
put_query(FILE *out, struct wreq *r)
{
	char sep = '?';
	for (size_t i = 0; i < NFILTERS; i++) {
		const char *v = wreq_param(r, filters[i][0]);
		if (!v)
			continue;
		fprintf(out, "%c%s=", sep, filters[i][0]);
		html_url(out, v);
		sep = '&';
	}
}

static void
put_nav(FILE *out, void *arg)
{
	struct dash *d = arg;
	struct page p = {.out = out};
	page_nav(&p, d->r);
	fputs("<form id=\"dash-filters\" method=\"get\" action=\"/dashboard\">",
	      out);
	for (size_t i = 0; i < NFILTERS; i++) {
		const char *v = wreq_param(d->r, filters[i][0]);
		fprintf(out, "<label>%s <input name=\"%s\"%s value=\"",
			filters[i][1], filters[i][0],
			i < 2 ? " type=\"date\"" : " maxlength=\"64\"");
		html_attr(out, v);
		fputs("\"></label>", out);
	}
	fputs("<button id=\"apply\">Apply</button> <a id=\"csv\" "
	      "href=\"/dashboard.csv",
	      out);
	put_query(out, d->r);
	fputs("\">CSV</a></form>", out);
	char when[32];
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
		 gmtime_r(&d->made, &tm));
	fprintf(out, "<p class=\"asof\">Figures as of %s%s</p>", when,
		d->stale ? " (being refreshed: reload for newer ones)" : "");
}

/* The work list of the claims behind a row: the dashboard's scope (its
 * dates as the dates of service, its payer and provider) narrowed by the
 * row (a rule, payer or provider; a day, or a week's or month's days). */
static bool
drill(void *arg, enum rpt_section s, const char *key, const struct rpt_row *row,
      char *buf, size_t size)
{
	struct wreq *r = ((struct dash *)arg)->r;
	const char *from = wreq_param(r, "since"), *to = wreq_param(r, "until");
	if (s == RPT_DAY)
		from = to = key;
	else if (s == RPT_WEEK || s == RPT_MONTH) {
		if (!row || !row->from[0])
			return false; /* a chart's bar: no days known */
		from = row->from;
		to = row->to;
	}
	const char *const pairs[][2] = {
		{"dos_from", from},
		{"dos_to", to},
		{"payer", s == RPT_PAYER ? key : wreq_param(r, "payer")},
		{"provider",
		 s == RPT_PROVIDER ? key : wreq_param(r, "provider")},
		{"rule", s == RPT_RULE ? key : NULL}};
	/* straight into buf: a dashboard has a link per day of its period */
	FILE *out = fmemopen(buf, size, "w");
	if (!out)
		return false;
	fputs("/?state=all", out);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		if (!pairs[i][1])
			continue;
		fprintf(out, "&%s=", pairs[i][0]);
		html_url(out, pairs[i][1]);
	}
	long n = ftell(out);
	bool ok = !ferror(out) && n >= 0 && (size_t)n < size - 1;
	fclose(out); /* writes the NUL when there is room */
	return ok;
}

/* The CSV of the report, or of one section: its header and the rows whose
 * first field is the section. */
static void
send_csv(struct dash *d, const struct report *rep)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out) {
		wreq_error(d->r, 500, "Error", "out of memory");
		return;
	}
	report_csv(out, rep);
	fclose(out);
	if (d->section && buf) {
		char *w = buf;
		size_t n = strlen(d->section);
		bool head = true;
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save), head = false) {
			if (!head && !(strncmp(line, d->section, n) == 0 &&
				       line[n] == ','))
				continue;
			size_t l = strlen(line);
			memmove(w, line, l);
			w += l;
			*w++ = '\n';
		}
		len = (size_t)(w - buf);
	}
	static const char *const extra[] = {
		"Content-Disposition",
		"attachment; filename=\"claimscrub-report.csv\"", NULL};
	wreq_send(d->r, 200, "text/csv; charset=utf-8", buf ? buf : "", len,
		  extra);
	free(buf);
}

static void
send_html(struct dash *d, const struct report *rep)
{
	struct page p;
	if (!page_open(&p)) {
		wreq_error(d->r, 500, "Error", "out of memory");
		return;
	}
	struct rpt_html h = {.stylesheet = "/static/report.css",
			     .header = put_nav,
			     .link = drill,
			     .arg = d};
	report_html_with(p.out, rep, &h);
	page_send_raw(&p, d->r, 200);
}

/* Frees d (a page's or a refresh's) and its copies of the filters. */
static void
dash_free(struct dash *d)
{
	for (size_t i = 0; i < NFILTERS; i++)
		free(d->param[i]);
	free(d);
}

/* The report of a finished pipeline (d's filters) into *rep; false when
 * it could not be made. */
static bool
fill(const struct dash *d, struct report *rep, PGresult *const *res, int n)
{
	*rep = (struct report){.since = d->param[0],
			       .until = d->param[1],
			       .payer = d->param[2],
			       .provider = d->param[3],
			       .top = DASH_TOP};
	rep->before.by_key = true;
	bool ok = n == 1 + RPT_NQUERIES;
	for (int q = 0; ok && q < RPT_NQUERIES; q++)
		if (rpt_wanted(rep, (enum rpt_query_id)q))
			ok = res[1 + q] && rpt_queries[q].fill(rep, res[1 + q]);
	return ok && rpt_finish(rep);
}

static void
send_report(struct dash *d, const struct report *rep)
{
	if (d->csv)
		send_csv(d, rep);
	else
		send_html(d, rep);
}

/* The report being made for key, or NULL. */
static struct dash *
making(struct web *w, const char *key)
{
	for (struct dash *m = w->making; key[0] && m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

static void
making_add(struct dash *d)
{
	d->next = d->w->making;
	d->w->making = d;
}

static void
making_drop(struct dash *d)
{
	for (struct dash **at = &d->w->making; *at; at = &(*at)->next)
		if (*at == d) {
			*at = d->next;
			break;
		}
}

/* Answers page d with the report made (rep, NULL when it could not be:
 * error, sqlstate) and frees it. */
static void
answer(struct dash *d, const struct report *rep, time_t made, const char *error,
       const char *sqlstate)
{
	struct wreq *r = d->r;
	if (rep) {
		d->made = made;
		send_report(d, rep);
	} else if (error && strncmp(sqlstate, "22", 2) == 0) {
		wreq_refused(r, "Bad filter", error);
	} else if (error) {
		wreq_db_failed(r, error, sqlstate);
	} else {
		wreq_error(r, 500, "Error", "out of memory");
	}
	wreq_done(r);
	dash_free(d);
}

/* Answers the pages waiting for d's report as answer() does. */
static void
answer_waiting(struct dash *d, const struct report *rep, const char *error,
	       const char *sqlstate)
{
	for (struct dash *p = d->waiting, *nx; p; p = nx) {
		nx = p->waiting;
		answer(p, rep, d->made, error, sqlstate);
	}
	d->waiting = NULL;
}

static void
on_report(void *arg, PGresult *const *res, int n, const char *error,
	  const char *sqlstate)
{
	struct dash *d = arg;
	struct report rep = {0};
	bool ok = !error && fill(d, &rep, res, n);
	making_drop(d);
	answer_waiting(d, ok ? &rep : NULL, error, sqlstate);
	if (ok && d->key[0]) {
		send_report(d, &rep);
		dcache_put(d->w->dcache, d->key, &rep, d->made);
		wreq_done(d->r);
		dash_free(d);
	} else {
		answer(d, ok ? &rep : NULL, d->made, error, sqlstate);
	}
	rpt_free(&rep);
}

/* A refresh in the background: the new report replaces the kept one. */
static void
on_refresh(void *arg, PGresult *const *res, int n, const char *error,
	   const char *sqlstate)
{
	struct dash *d = arg;
	struct report rep = {0};
	bool ok = !error && fill(d, &rep, res, n);
	making_drop(d);
	answer_waiting(d, ok ? &rep : NULL, error, sqlstate);
	if (ok && dcache_put(d->w->dcache, d->key, &rep, d->made)) {
		dlog(DLOG_DEBUG, "dashboard-refreshed", "as=%s seconds=%ld",
		     d->as, (long)(time(NULL) - d->made));
	} else {
		dcache_drop_refresh(d->w->dcache, d->key);
		if (error)
			dlog(DLOG_WARNING, "dashboard-refresh-failed",
			     "as=%s error=\"%s\"", d->as, error);
	}
	rpt_free(&rep);
	dash_free(d);
}

/* The report's statements for d's filters into q[0 .. 1 + RPT_NQUERIES). */
static void
queries(const struct dash *d, struct conn_query *q)
{
	q[0] = (struct conn_query){DASH_SETTINGS, 0, {NULL}};
	for (int i = 0; i < RPT_NQUERIES; i++) {
		q[1 + i].sql = rpt_queries[i].sql;
		q[1 + i].nparams = rpt_queries[i].bare ? 0 : RPT_NPARAMS;
		for (int k = 0; k < q[1 + i].nparams; k++)
			q[1 + i].params[k] = d->param[k];
	}
}

/* d's filters v (NULL: none) copied, and its key (each filter's length
 * and value: no two filter sets share one; "" when too long to keep). */
static bool
dash_filters(struct dash *d, const char *const v[NFILTERS])
{
	size_t used = 0;
	for (size_t i = 0; i < NFILTERS; i++) {
		if (v[i] && !(d->param[i] = strdup(v[i])))
			return false;
		int k = snprintf(d->key + used, sizeof(d->key) - used,
				 v[i] ? "%zu:%s;" : "-;",
				 v[i] ? strlen(v[i]) : 0, v[i]);
		used = k < 0 || (size_t)k >= sizeof(d->key) - used
			       ? sizeof(d->key)
			       : used + (size_t)k;
	}
	if (used >= sizeof(d->key))
		d->key[0] = '\0';
	return true;
}

/* d for a request, with its filters. */
static struct dash *
dash_new(struct wreq *r, bool csv)
{
	struct dash *d = calloc(1, sizeof(*d));
	const char *v[NFILTERS];
	if (!d)
		return NULL;
	*d = (struct dash){.r = r,
			   .w = r->w,
			   .csv = csv,
			   .section = wreq_param(r, "section"),
			   .made = time(NULL)};
	for (size_t i = 0; i < NFILTERS; i++)
		v[i] = wreq_param(r, filters[i][0]);
	if (!dash_filters(d, v)) {
		dash_free(d);
		return NULL;
	}
	return d;
}

/* Starts a refresh of d's report as role as; d is the refresh's.  False
 * (d freed, the refresh dropped) when the pool cannot take it now. */
static bool
refresh(struct dash *d, const char *as)
{
	struct conn_query q[1 + RPT_NQUERIES];
	queries(d, q);
	d->r = NULL;
	d->made = time(NULL);
	snprintf(d->as, sizeof(d->as), "%s", as);
	if (pool_run_snapshot(d->w->pool, d->as, q, 1 + RPT_NQUERIES,
			      on_refresh, d)) {
		making_add(d);
		return true;
	}
	dcache_drop_refresh(d->w->dcache, d->key);
	dash_free(d);
	return false;
}

/* Draws the page from the report kept for d's filters, if any, and
 * refreshes a stale one; false when none is kept. */
static bool
from_cache(struct dash *d, struct wreq *r)
{
	const struct report *kept =
		d->key[0] ? dcache_find(d->w->dcache, d->key, d->made, &d->made,
					&d->stale)
			  : NULL;
	if (!kept)
		return false;
	send_report(d, kept);
	if (d->stale && dcache_claim_refresh(d->w->dcache, d->key))
		refresh(d, r->user);
	else
		dash_free(d);
	return true;
}

static void
dashboard(struct evhttp_request *req, void *arg, bool csv)
{
	struct wreq *r = wreq_new(arg, req);
	struct dash *d = NULL;
	if (!r)
		return;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		wreq_error(r, 405, "Method not allowed", "GET only.");
	} else if (auth_require(r, false) && !(d = dash_new(r, csv))) {
		wreq_error(r, 500, "Error", "out of memory");
	} else if (d && !from_cache(d, r)) {
		struct dash *busy = making(r->w, d->key);
		struct conn_query q[1 + RPT_NQUERIES];
		if (busy) { /* one report a filter set at a time */
			d->waiting = busy->waiting;
			busy->waiting = d;
			wreq_wait(r);
			dlog(DLOG_DEBUG, "dashboard-waits", "user=%s", r->user);
			return;
		}
		queries(d, q);
		if (wreq_run(r, q, 1 + RPT_NQUERIES, true, on_report, d)) {
			making_add(d);
			return;
		}
		dash_free(d);
	}
	wreq_free(r);
}

void
dashboard_page(struct evhttp_request *req, void *arg)
{
	dashboard(req, arg, false);
}

void
dashboard_csv(struct evhttp_request *req, void *arg)
{
	dashboard(req, arg, true);
}

/* The dashboard without filters made ahead, as DASH_WARM_ROLE; then again
 * after dashboard_warm_seconds, or soon when the pool could not take it. */
static void
warm(evutil_socket_t fd, short what, void *arg)
{
	struct web *w = arg;
	static const char *const none[NFILTERS] = {NULL};
	long ms = w->conf->dashboard_warm_seconds * 1000;
	struct dash *d = calloc(1, sizeof(*d));
	(void)fd, (void)what;
	if (d) {
		*d = (struct dash){.w = w};
		if (!dash_filters(d, none) || making(w, d->key) ||
		    (dcache_kept(w->dcache, d->key) &&
		     !dcache_claim_refresh(w->dcache, d->key)))
			dash_free(d); /* being made: by a page, or still ours */
		else if (!refresh(d, DASH_WARM_ROLE))
			ms = DASH_WARM_RETRY_MS;
		else
			dlog(DLOG_DEBUG, "dashboard-warming", "as=%s",
			     DASH_WARM_ROLE);
	}
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(w->warm, &tv);
}

/* A connection came up: the first warm-up runs now, ahead of any page
 * (after it, the timer is set and says when the next one is due). */
static void
warm_on_up(void *arg)
{
	struct web *w = arg;
	if (!evtimer_pending(w->warm, NULL))
		warm(-1, 0, w);
}

bool
dashboard_warm_start(struct web *w)
{
	if (w->conf->dashboard_warm_seconds == 0 ||
	    w->conf->dashboard_max_age_seconds == 0)
		return true;
	if (!(w->warm = evtimer_new(w->base, warm, w)))
		return false;
	pool_on_up(w->pool, warm_on_up, w);
	return true;
}

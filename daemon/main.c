/*
 * claimscrubd — scrubs the claims a billing system puts in the PostgreSQL
 * queue, a batch at a time, and writes the findings back.
 *
 * One libevent loop runs everything: the connection (never blocking), the
 * LISTEN wake-ups and the poll timer that backs them up, reconnects with a
 * capped exponential backoff, and signals (SIGTERM/SIGINT: finish the batch
 * in flight and exit 0, a second one exits at once; SIGHUP: reload the
 * configuration and rules, keeping the old ones if the new are bad, and log
 * which settings changed).
 */
#include "config.h"

#include <getopt.h>
#if defined(HAVE_MALLOC_H) && defined(HAVE_MALLOPT)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "daemon/conn.h"
#include "daemon/dconf.h"
#include "daemon/dlog.h"
#include "daemon/logsum.h"
#include "daemon/http.h"
#include "daemon/metrics.h"
#include "daemon/mllp.h"
#include "daemon/notify.h"
#include "daemon/queue.h"
#include "daemon/stopsig.h"
#include "daemon/wallclock.h"

#define DEFAULT_CONFIG SYSCONFDIR "/claimscrub/claimscrubd.yaml"
#define CHANNEL "claimscrub_pending"
/* How often STATUS= is refreshed for systemctl status (claims/s). */
#define STATUS_INTERVAL_S 5
/* NOTIFY needs no privilege: any login to the database can wake the daemon.
 * A claim step starts this long after the NOTIFY that asks for it, so that a
 * burst of them makes one step... */
#define WAKE_COALESCE_MS 5
/* ... and at least this long after the last step a NOTIFY started: at most
 * 10 such steps a second, however many NOTIFYs arrive. */
#define WAKE_MIN_INTERVAL_MS 100
/* The last migration this daemon's SQL needs (sql/migrations/
 * 016_results.sql, applied with the api of sql/api/ by the same
 * `claimscrub db migrate`: write_batch() records the results for billing), and the
 * last one it knows of (tests/lists.sh: the last of sql/migrations/): a newer schema is
 * warned about. */
#define SCHEMA_VERSION 16
#define SCHEMA_KNOWN 23

struct daemon {
	struct event_base *base;
	const char *config_path;
	bool config_optional;
	bool once;
	struct dconf *conf;
	struct ruleset *rules;
	struct conn *conn;
	struct queue *queue;
	struct event *poll, *reconnect, *sig[3];
	struct http *http;
	struct mllp *mllp; /* the MLLP listener; NULL when mllp_port is 0 */
	long backoff_ms;
	long long reconnects, reloads, reload_failures;
	bool connected;	  /* connected and the schema checked */
	long backend_pid; /* of the schema check, for the pooler probe */
	bool pooled;	  /* a transaction pooler was seen (logged once) */
	/* wake-ups that never come (check_wakeups): the claims and NOTIFYs
	 * counted when the queue last ran empty, and how many times claims
	 * came since that no NOTIFY announced */
	bool emptied;
	long long empty_claims, empty_notifies;
	int unannounced;
	char last_error[256]; /* why not, for /healthz */
	double started_at, rules_loaded_at;
	bool stopping;
	int exit_code;
	/* systemd: READY=1 goes out once, when first connected and the schema
	 * checked; WATCHDOG=1 only while `progress` moves (see on_watchdog) */
	bool ready_sent;
	struct event *watchdog, *probe, *status_tick;
	unsigned long long progress, progress_seen;
	long long status_claims;
	double status_at;
	/* NOTIFY wake-ups, rate-limited (see on_notify): `wake` is the claim
	 * step due, last_wake when the last one started (CLOCK_MONOTONIC);
	 * wake_after_drain: a NOTIFY came while a drain was in flight */
	struct event *wake;
	struct timespec last_wake;
	bool wake_after_drain;
	long long notify_wakeups, wake_steps; /* for /metrics */
	/* the info summary every log_summary_seconds (logsum.h) */
	struct event *summary;
	struct logsum logsum;
	/* listen_database: LISTEN on a connection of its own (past a
	 * transaction pooler), reconnected with its own backoff */
	struct conn *listen;
	struct event *listen_retry;
	long listen_backoff_ms;
};

/* The channel the main connection LISTENs on: none when another does. */
static const char *
main_channel(const struct daemon *d)
{
	return d->conf->listen_database ? NULL : CHANNEL;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: claimscrubd [-c FILE] [--once] [--check-config]\n"
		"Scrub the claims queued in PostgreSQL (schema claimscrub) and "
		"write\n"
		"the findings back.\n\n"
		"  -c, --config FILE   configuration (default %s)\n"
		"      --once          drain the queue, then exit\n"
		"      --check-config  check the configuration and rules, then "
		"exit\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n\n"
		"The database comes from the configuration's 'database' (a "
		"libpq conninfo)\n"
		"or libpq's environment (PGHOST, PGDATABASE, ...).  Signals: "
		"TERM/INT\n"
		"finish the batch in flight and exit, HUP reloads "
		"configuration and rules.\n",
		DEFAULT_CONFIG);
}

/* Loads configuration and rules; prints errors; false if either is bad. */
static bool
load(struct daemon *d, struct dconf **conf, struct ruleset **rules)
{
	struct diag_list dl = {0};
	char line[1024];
	char scratch[4096];
	const char *dirs[DCONF_MAX_RULE_DIRS];
	size_t ndirs;

	*rules = NULL;
	enum scrub_err err =
		dconf_load(d->config_path, d->config_optional, conf, &dl);
	if (err == SCRUB_OK) {
		if ((*conf)->nrules) {
			ndirs = (size_t)(*conf)->nrules;
			memcpy(dirs, (*conf)->rules, ndirs * sizeof(*dirs));
		} else {
			ndirs = rules_default_dirs(dirs, DCONF_MAX_RULE_DIRS,
						   scratch, sizeof(scratch));
		}
		err = rules_load_dirs(dirs, ndirs, rules, &dl);
	}
	for (size_t i = 0; i < dl.n; i++) {
		diag_format(&dl.items[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	diag_list_free(&dl);
	if (err == SCRUB_OK)
		return true;
	dconf_free(*conf);
	*conf = NULL;
	return false;
}

/* (Re)arms the poll timer with the configured interval: event_add on a
 * pending timer replaces its timeout, so a reload takes effect at once
 * rather than after the old interval (which may be an hour). */
static bool
arm_poll(struct daemon *d)
{
	struct timeval tv = {d->conf->poll_interval_ms / 1000,
			     (d->conf->poll_interval_ms % 1000) * 1000};
	return event_add(d->poll, &tv) == 0;
}

/* The configuration in force, to the modules that read it.  The reconnect
 * backoff reads reconnect_max_ms as it goes; the poll timer is re-armed by
 * swap_config; the database is used from the next connection; the HTTP
 * endpoint keeps its address until a restart. */
static void
apply(struct daemon *d)
{
	dlog_init((enum dlog_level)d->conf->log_level,
		  (enum dlog_format)d->conf->log_format);
	queue_configure(d->queue, d->rules, d->conf->batch_size,
			d->conf->max_attempts, d->conf->claim_lease_ms,
			d->conf->reconnect_max_ms);
}

/* ---- systemd --------------------------------------------------------------- */

/* One STATUS= line: connected with throughput and backlog, or why not. */
static void
format_status(struct daemon *d, char *buf, size_t size)
{
	const struct queue_stats *s = queue_stats(d->queue);
	double now = wallclock_now(), dt = now - d->status_at;
	double rate = dt > 0 ? (double)(s->claims - d->status_claims) / dt : 0;
	char depth[48] = "";
	d->status_claims = s->claims;
	d->status_at = now;
	if (!d->connected) {
		snprintf(buf, size, "disconnected: %s, retrying in %ld ms",
			 d->last_error[0] ? d->last_error : "connecting",
			 d->backoff_ms);
		return;
	}
	if (s->depth_known)
		snprintf(depth, sizeof(depth), ", %lld pending", s->depth);
	char why[296], degraded[300] = "";
	if (queue_degraded(d->queue, why, sizeof(why)) ||
	    queue_stalled(d->queue, d->conf->stall_seconds, why, sizeof(why)))
		snprintf(degraded, sizeof(degraded), ", %s", why);
	snprintf(buf, size, "connected, rules %s, %.1f claims/s%s%s%s%s",
		 rules_version(d->rules), rate, depth, degraded,
		 d->last_error[0] ? ", last error: " : "", d->last_error);
}

static void
on_status_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char status[512];
	(void)fd;
	(void)what;
	d->progress++;
	format_status(d, status, sizeof(status));
	notify_status("%s", status);
}

/* Runs at the loop's next turn after each watchdog tick. */
static void
on_probe(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	d->progress++;
}

/* Every half watchdog interval: WATCHDOG=1 only if some callback ran since
 * the last tick (style rule 12), so a call that wedges the loop stops the
 * pings and systemd restarts the daemon.  The probe it activates keeps an
 * idle but healthy loop counting. */
static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	if (d->progress != d->progress_seen)
		notify_watchdog();
	d->progress_seen = d->progress;
	event_active(d->probe, EV_TIMEOUT, 0);
}

/* The watchdog timer (if systemd asked for one) and the STATUS= timer (if
 * there is a NOTIFY_SOCKET); false if an event cannot be set up. */
static bool
add_notify_events(struct daemon *d)
{
	long usec = notify_watchdog_usec();
	d->status_at = wallclock_now();
	if (usec > 0) {
		long half = usec / 2;
		struct timeval tv = {half / 1000000, half % 1000000};
		d->progress_seen = d->progress - 1; /* the first tick pings */
		d->watchdog =
			event_new(d->base, -1, EV_PERSIST, on_watchdog, d);
		d->probe = event_new(d->base, -1, 0, on_probe, d);
		if (!d->watchdog || !d->probe ||
		    event_add(d->watchdog, &tv) != 0)
			return false;
	}
	if (getenv("NOTIFY_SOCKET")) {
		struct timeval tv = {STATUS_INTERVAL_S, 0};
		d->status_tick =
			event_new(d->base, -1, EV_PERSIST, on_status_tick, d);
		if (!d->status_tick || event_add(d->status_tick, &tv) != 0)
			return false;
	}
	return true;
}

/* ---- connection events ---------------------------------------------------- */

static void now_connected(struct daemon *d);
static void on_pooler_probe(void *arg, PGresult *const *res, int n,
			    const char *error);

/* The schema must have every migration this daemon uses; without them its
 * statements would fail claim after claim, so it says which one and exits. */
static void
on_schema(void *arg, PGresult *const *res, int n, const char *error)
{
	struct daemon *d = arg;
	(void)n;
	d->progress++;
	long version = error || !res[0]
			       ? 0
			       : strtol(PQgetvalue(res[0], 0, 0), NULL, 10);
	if (version < SCHEMA_VERSION) {
		dlog(DLOG_ERROR, "schema-missing",
		     "schema_version=%ld missing_migration=%03d hint=\"run "
		     "claimscrub db migrate\"",
		     version, SCHEMA_VERSION);
		d->exit_code = 1;
		event_base_loopexit(d->base, NULL);
		return;
	}
	if (version > SCHEMA_KNOWN)
		dlog(DLOG_WARNING, "schema-newer",
		     "schema_version=%ld known=%d", version, SCHEMA_KNOWN);
	static const struct conn_query again[] = {
		{"SELECT pg_backend_pid()", 0, {NULL}}};
	d->backend_pid = strtol(PQgetvalue(res[0], 0, 1), NULL, 10);
	if (!conn_pipeline(d->conn, again, 1, on_pooler_probe, d))
		now_connected(d);
}

/* A second transaction's backend: another than the first's means a
 * transaction pooler (PgBouncer's pool_mode=transaction) between us and
 * the server.  Batches are safe behind one (their owner is this daemon's
 * id, not a backend), but a LISTEN is not kept: wake-ups come from the
 * poll timer only, and the log says so once. */
static void
on_pooler_probe(void *arg, PGresult *const *res, int n, const char *error)
{
	struct daemon *d = arg;
	(void)n;
	long pid = error || !res[0]
			   ? d->backend_pid
			   : strtol(PQgetvalue(res[0], 0, 0), NULL, 10);
	if (pid != d->backend_pid && !d->pooled) {
		d->pooled = true;
		dlog(DLOG_WARNING, "pooler-detected",
		     "backend_pid=%ld then=%ld poll_interval_ms=%ld "
		     "hint=\"%s\"",
		     d->backend_pid, pid, d->conf->poll_interval_ms,
		     d->conf->listen_database
			     ? "a transaction pooler shares backends: wake-ups "
			       "come from listen_database"
			     : "a transaction pooler shares backends: LISTEN "
			       "wake-ups cannot arrive, the poll timer finds "
			       "new "
			       "claims (set listen_database to a direct "
			       "connection, or connect directly or in session "
			       "pooling)");
	}
	now_connected(d);
}

/* Connected with the schema checked: ready, and to work. */
static void
now_connected(struct daemon *d)
{
	d->connected = true;
	/* READY=1 once per process; a reconnect only updates STATUS= */
	char status[512];
	format_status(d, status, sizeof(status));
	if (d->ready_sent) {
		notify_status("%s", status);
	} else {
		notify_ready(status);
		d->ready_sent = true;
	}
	queue_kick(d->queue);
}

static void
on_up(void *arg)
{
	struct daemon *d = arg;
	static const struct conn_query check[] = {
		{"SELECT coalesce(max(version), 0), pg_backend_pid() FROM "
		 "claimscrub.schema_migrations",
		 0,
		 {NULL}}};
	d->backoff_ms = 0;
	d->progress++;
	dlog(DLOG_INFO, "connected", "rules=%s", rules_version(d->rules));
	if (!conn_pipeline(d->conn, check, 1, on_schema, d))
		queue_kick(d->queue);
}

static void
on_down(void *arg, const char *why)
{
	struct daemon *d = arg;
	char q[400];
	d->connected = false;
	snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	queue_reset(d->queue);
	d->backoff_ms = conn_backoff(d->backoff_ms, d->conf->reconnect_max_ms);
	dlog(DLOG_WARNING, "disconnected", "retry_ms=%ld error=%s",
	     d->backoff_ms, dlog_quote(why, q, sizeof(q)));
	d->progress++;
	notify_status("disconnected: %s, retrying in %ld ms", why,
		      d->backoff_ms);
	if (d->stopping) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	struct timeval tv = {d->backoff_ms / 1000,
			     (d->backoff_ms % 1000) * 1000};
	event_add(d->reconnect, &tv);
}

/* ---- NOTIFY wake-ups, rate-limited ------------------------------------------ */

/* Milliseconds from *t to now (CLOCK_MONOTONIC). */
static long
ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Asks for a claim step WAKE_COALESCE_MS from now, and no sooner than
 * WAKE_MIN_INTERVAL_MS after the last wake-up; one already due serves this
 * NOTIFY too, so a flood costs one timer and at most 10 steps a second. */
static void
arm_wake(struct daemon *d)
{
	if (d->stopping || evtimer_pending(d->wake, NULL))
		return;
	long ms = WAKE_COALESCE_MS;
	bool woken = d->last_wake.tv_sec != 0 || d->last_wake.tv_nsec != 0;
	long rest = woken ? WAKE_MIN_INTERVAL_MS - ms_since(&d->last_wake) : 0;
	if (rest > ms)
		ms = rest;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	/* failing that, the poll timer is the backstop it always was */
	if (evtimer_add(d->wake, &tv) != 0)
		dlog(DLOG_ERROR, "wake-timer-failed", "delay_ms=%ld", ms);
}

/* The claim step NOTIFYs asked for.  A drain already in flight began after
 * they arrived, so after their transactions committed: it sees their
 * claims, and no step is added.  Attempts count against the rate whether a
 * step starts or not (the queue may be resting after an out-of-resources
 * error). */
static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	d->progress++;
	clock_gettime(CLOCK_MONOTONIC, &d->last_wake);
	if (queue_busy(d->queue))
		return;
	queue_kick(d->queue);
	if (queue_busy(d->queue))
		d->wake_steps++;
}

/* A NOTIFY (or several, read at once).  Idle, it asks for a rate-limited
 * claim step.  During a drain it needs none while the drain goes on (it
 * claims batch after batch until nothing is left), but the NOTIFY's claim
 * may have committed after the drain's last claim step: on_idle asks for
 * one step then, for all the NOTIFYs of the drain. */
static void
on_notify(void *arg)
{
	struct daemon *d = arg;
	d->progress++;
	d->notify_wakeups++;
	if (queue_busy(d->queue))
		d->wake_after_drain = true;
	else
		arm_wake(d);
}

/* ---- listen_database: wake-ups on a connection of their own ---------- */

static void
on_listen_up(void *arg)
{
	struct daemon *d = arg;
	d->progress++;
	d->listen_backoff_ms = 0;
	dlog(DLOG_INFO, "listening", "channel=%s via=listen_database", CHANNEL);
	/* a NOTIFY sent while it was down is lost: one step for it */
	if (d->connected && !queue_busy(d->queue))
		arm_wake(d);
}

static void
on_listen_down(void *arg, const char *why)
{
	struct daemon *d = arg;
	char q[300];
	d->progress++;
	d->listen_backoff_ms =
		conn_backoff(d->listen_backoff_ms, d->conf->reconnect_max_ms);
	dlog(DLOG_WARNING, "listen-disconnected", "retry_ms=%ld error=%s",
	     d->listen_backoff_ms, dlog_quote(why, q, sizeof(q)));
	struct timeval tv = {d->listen_backoff_ms / 1000,
			     (d->listen_backoff_ms % 1000) * 1000};
	event_add(d->listen_retry, &tv);
}

static void
on_listen_retry(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	d->progress++;
	conn_close(d->listen);
	conn_start(d->listen, d->conf->listen_database, CHANNEL);
}

/* The listening connection, when listen_database asks for one. */
static bool
add_listen(struct daemon *d)
{
	struct conn_callbacks cb = {on_listen_up, on_listen_down, on_notify, d};
	if (!d->conf->listen_database)
		return true;
	d->listen = conn_new(d->base, &cb);
	d->listen_retry = evtimer_new(d->base, on_listen_retry, d);
	return d->listen && d->listen_retry;
}

static void
on_reconnect(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	d->progress++;
	d->reconnects++;
	conn_close(d->conn);
	conn_start(d->conn, d->conf->database, main_channel(d));
}

/* The queue is drained (or stopping and its batch is done).  --once exits
 * only when nothing is pending at all: claims leased by a daemon that died
 * come back when the lease runs out, and the poll timer picks them up.
 * NOTIFYs that came during the drain get their one step now (on_notify). */
/* Every claim submitted or changed is announced (NOTIFY claimscrub_pending,
 * sql/api/020_queue.sql).  When claims were scrubbed since the queue last
 * ran empty, and no NOTIFY came in between, the poll timer found them: a
 * transaction pooler (PgBouncer) drops notifications, as does any pooler
 * that does not keep this session's LISTEN.  Three times in a row, and it
 * is said once (the pid probe of on_pooler_probe catches the case only
 * when the pooler hands out another backend). */
static void
check_wakeups(struct daemon *d)
{
	long long claims = queue_stats(d->queue)->claims;
	if (!d->emptied || claims == d->empty_claims)
		return;
	d->unannounced =
		d->notify_wakeups == d->empty_notifies ? d->unannounced + 1 : 0;
	if (d->unannounced < 3 || d->pooled)
		return;
	d->pooled = true;
	dlog(DLOG_WARNING, "wakeups-lost",
	     "claims_found_by_poll=%d poll_interval_ms=%ld hint=\"new claims "
	     "arrive without their NOTIFY: a transaction pooler between the "
	     "daemon and the server drops them; the poll timer finds the "
	     "claims (set listen_database to a direct connection, or "
	     "connect directly or in session pooling, for wake-ups)\"",
	     d->unannounced, d->conf->poll_interval_ms);
}

static void
on_idle(void *arg, bool empty)
{
	struct daemon *d = arg;
	d->progress++;
	if (d->stopping || (d->once && empty)) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	if (d->wake_after_drain) {
		d->wake_after_drain = false;
		arm_wake(d);
	}
	if (empty) {
		check_wakeups(d);
		d->emptied = true;
		d->empty_claims = queue_stats(d->queue)->claims;
		d->empty_notifies = d->notify_wakeups;
	}
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	d->progress++;
	queue_kick(d->queue);
}

/* ---- signals ----------------------------------------------------------- */

static void
on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	(void)what;
	if (d->stopping) {
		dlog(DLOG_WARNING, "stop-now", "signal=%d", (int)sig);
		event_base_loopbreak(d->base);
		return;
	}
	d->stopping = true;
	notify_stopping();
	notify_status("stopping: %s", queue_busy(d->queue)
					      ? "finishing the batch in flight"
					      : "idle");
	dlog(DLOG_INFO, "stopping", "signal=%d batch_in_flight=%s", (int)sig,
	     queue_busy(d->queue) ? "yes" : "no");
	event_del(d->poll);
	event_del(d->reconnect);
	queue_stop(d->queue);
}

/* Ends a reload for systemd: READY=1 (if it was ever sent) and STATUS=
 * with the outcome and the rules now in use. */
static void
reload_done(struct daemon *d, const char *outcome)
{
	char status[512];
	snprintf(status, sizeof(status), "%s %s", outcome,
		 rules_version(d->rules));
	if (d->ready_sent)
		notify_ready(status);
	else
		notify_status("%s", status);
}

/* Appends name to the comma-separated list buf. */
static void
list_add(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, "%s%s", len ? "," : "", name);
}

/* Logs the reload: the rules now in force, every key of the configuration
 * that changed (`changed=`, or none; in the order of dconf.c's key table)
 * and those of them that wait for a reconnect or a restart (its reload
 * column), so an operator sees what the SIGHUP did. */
static void
log_reload(const struct dconf *old, const struct dconf *now,
	   const struct ruleset *rules)
{
	char changed[400] = "", later[400] = "";
	const char *name, *when;
	for (size_t i = 0; (name = dconf_key_name(i)) != NULL; i++) {
		if (!dconf_key_changed(i, old, now))
			continue;
		list_add(changed, sizeof(changed), name);
		if ((when = dconf_key_later(i)) != NULL) {
			list_add(later, sizeof(later), name);
			snprintf(later + strlen(later),
				 sizeof(later) - strlen(later), "@%s", when);
		}
	}
	dlog(DLOG_INFO, "reloaded", "rules=%s changed=%s later=%s",
	     rules_version(rules), changed[0] ? changed : "none",
	     later[0] ? later : "none");
}

/* Puts a new configuration and rule set in force, the old ones freed. */
static void
swap_config(struct daemon *d, struct dconf *conf, struct ruleset *rules)
{
	bool repoll = conf->poll_interval_ms != d->conf->poll_interval_ms;
	log_reload(d->conf, conf, rules);
	dconf_free(d->conf);
	rules_free(d->rules);
	d->conf = conf;
	d->rules = rules;
	d->reloads++;
	d->rules_loaded_at = wallclock_now();
	apply(d);
	/* stopping, the poll timer is gone for good */
	if (repoll && !d->stopping && !arm_poll(d))
		dlog(DLOG_ERROR, "poll-timer-failed", "poll_interval_ms=%ld",
		     conf->poll_interval_ms);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct dconf *conf;
	struct ruleset *rules;
	(void)sig;
	(void)what;
	d->progress++;
	/* systemd hears RELOADING=1 … READY=1 only once it has had READY=1:
	 * before that the daemon is still starting (style rule 9) */
	if (d->ready_sent)
		notify_reloading();
	/* build the new set aside; swap only when all of it is valid */
	if (!load(d, &conf, &rules)) {
		d->reload_failures++;
		dlog(DLOG_ERROR, "reload-refused",
		     "rules=%s reason=\"see the errors above\"",
		     rules_version(d->rules));
		reload_done(d, "reload refused (see the log), kept rules");
		return;
	}
	swap_config(d, conf, rules);
	reload_done(d, "reloaded, rules");
}

/* ---- health and metrics --------------------------------------------------- */

static bool
health(void *arg, char *why, size_t size)
{
	struct daemon *d = arg;
	if (!d->rules) {
		snprintf(why, size, "rules not loaded");
		return false;
	}
	if (!d->connected) {
		snprintf(why, size, "database not connected: %s",
			 d->last_error[0] ? d->last_error : "connecting");
		return false;
	}
	/* out of resources: nothing is being written until it passes */
	if (queue_degraded(d->queue, why, size))
		return false;
	return !queue_stalled(d->queue, d->conf->stall_seconds, why, size);
}

static void
metrics(void *arg, struct strbuf *out)
{
	struct daemon *d = arg;
	struct metrics_info m = {
		.queue = *queue_stats(d->queue),
		.reconnects = d->reconnects,
		.reloads = d->reloads,
		.reload_failures = d->reload_failures,
		.connected = d->connected,
		.rules_version = rules_version(d->rules),
		.version = PACKAGE_VERSION,
		.rules_loaded_at = d->rules_loaded_at,
		.started_at = d->started_at,
		.notify_wakeups = d->notify_wakeups,
		.wake_steps = d->wake_steps,
	};
	if (d->mllp) {
		const struct mllp_stats *ms = mllp_stats(d->mllp);
		m.mllp_accepted = ms->accepted;
		m.mllp_rejected = ms->rejected;
		m.mllp_records = ms->records;
	}
	char why[8];
	for (int i = 0; i < F_COUNT; i++)
		m.finding_severities[i] = rules_finding_severities(d->rules, i);
	procstat_read(&m.proc);
	queue_ages(d->queue, &m.since_progress, &m.step_age);
	m.step = queue_step(d->queue);
	m.stalled = queue_stalled(d->queue, d->conf->stall_seconds, why,
				  sizeof(why));
	metrics_render(&m, out);
}

/* The HTTP endpoint, unless http_port is 0.  It is bound once: a changed
 * address or port takes effect on restart. */
static bool
start_http(struct daemon *d)
{
	char err[256] = "";
	struct http_source src = {health, metrics, d};
	if (d->conf->http_port == 0)
		return true;
	d->http = http_start(d->base, d->conf->http_address,
			     (int)d->conf->http_port, &src, err, sizeof(err));
	if (!d->http) {
		dlog(DLOG_ERROR, "http-failed",
		     "address=%s port=%ld error=\"%s\"", d->conf->http_address,
		     d->conf->http_port, err);
		return false;
	}
	dlog(DLOG_INFO, "http", "address=%s port=%ld", d->conf->http_address,
	     d->conf->http_port);
	return true;
}

/* The MLLP listener, unless mllp_port is 0 or the daemon runs --once.  It
 * is bound, and its database named, once: a change takes effect on
 * restart. */
static bool
start_mllp(struct daemon *d)
{
	char err[256] = "";
	struct mllp_config c = {d->conf->mllp_address,
				(int)d->conf->mllp_port,
				d->conf->database,
				d->conf->reconnect_max_ms,
				d->conf->mllp_max_connections,
				d->conf->mllp_frame_seconds,
				d->conf->mllp_idle_seconds};
	if (d->conf->mllp_port == 0 || d->once)
		return true;
	d->mllp = mllp_start(d->base, &c, err, sizeof(err));
	if (!d->mllp) {
		dlog(DLOG_ERROR, "mllp-failed",
		     "address=%s port=%ld error=\"%s\"", d->conf->mllp_address,
		     d->conf->mllp_port, err);
		return false;
	}
	dlog(DLOG_INFO, "mllp", "address=%s port=%ld", d->conf->mllp_address,
	     d->conf->mllp_port);
	return true;
}

static void
on_summary(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	(void)fd;
	(void)what;
	d->progress++;
	logsum_tick(&d->logsum, queue_stats(d->queue), wallclock_now());
}

/* The summary timer, when log_summary_seconds asks for one. */
static bool
add_summary(struct daemon *d)
{
	struct timeval tv = {d->conf->log_summary_seconds, 0};
	logsum_start(&d->logsum, queue_stats(d->queue), wallclock_now());
	if (tv.tv_sec == 0)
		return true;
	d->summary = event_new(d->base, -1, EV_PERSIST, on_summary, d);
	return d->summary && event_add(d->summary, &tv) == 0;
}

static bool
add_events(struct daemon *d)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	d->poll = event_new(d->base, -1, EV_PERSIST, on_poll, d);
	d->reconnect = evtimer_new(d->base, on_reconnect, d);
	d->wake = evtimer_new(d->base, on_wake, d);
	if (!d->poll || !d->reconnect || !d->wake || !arm_poll(d) ||
	    !add_summary(d))
		return false;
	for (int i = 0; i < 3; i++) {
		d->sig[i] = evsignal_new(
			d->base, sigs[i],
			sigs[i] == SIGHUP ? on_hup : on_stop_signal, d);
		if (!d->sig[i] || event_add(d->sig[i], NULL) != 0)
			return false;
	}
	return true;
}

/* ---- main ------------------------------------------------------------------ */

/* Prints the daemon's own lists, one `KIND NAME` a line: every key of the
 * configuration file and every metric family (with its label names and
 * type), for tests/lists.sh to hold the README and the man pages to. */
static int
list_names(void)
{
	const char *name;
	for (size_t i = 0; (name = dconf_key_name(i)) != NULL; i++)
		printf("key %s\n", name);
	metrics_list(stdout);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

static int
parse_args(int argc, char **argv, struct daemon *d, bool *check_only)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"once", no_argument, NULL, 'o'},
		{"check-config", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		/* not in --help: for tests/lists.sh (list_names) */
		{"list-names", no_argument, NULL, 'L'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	d->config_path = DEFAULT_CONFIG;
	d->config_optional = true;
	while ((ch = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d->config_path = optarg;
			d->config_optional = false;
			break;
		case 'o':
			d->once = true;
			break;
		case 'k':
			*check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("claimscrubd %s\n", PACKAGE_VERSION);
			return 0;
		case 'L':
			return list_names();
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "claimscrubd: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	return -1;
}

static void
cleanup(struct daemon *d)
{
	stopsig_hold();
	for (int i = 0; i < 3; i++)
		if (d->sig[i])
			event_free(d->sig[i]);
	if (d->poll)
		event_free(d->poll);
	if (d->reconnect)
		event_free(d->reconnect);
	if (d->wake)
		event_free(d->wake);
	if (d->watchdog)
		event_free(d->watchdog);
	if (d->probe)
		event_free(d->probe);
	if (d->status_tick)
		event_free(d->status_tick);
	if (d->summary)
		event_free(d->summary);
	http_free(d->http);
	mllp_free(d->mllp);
	queue_free(d->queue);
	conn_free(d->listen);
	if (d->listen_retry)
		event_free(d->listen_retry);
	conn_free(d->conn);
	rules_free(d->rules);
	dconf_free(d->conf);
	if (d->base)
		event_base_free(d->base);
}

static void
report(struct daemon *d)
{
	const struct queue_stats *s = queue_stats(d->queue);
	dlog(DLOG_INFO, "exit",
	     "claims=%lld clean=%lld flagged=%lld invalid=%lld stale=%lld "
	     "batches=%lld batch_failures=%lld reconnects=%lld",
	     s->claims, s->clean, s->flagged, s->invalid, s->stale, s->batches,
	     s->batch_failures, d->reconnects);
}

/* Each batch's rows and results (a few MB) are freed and allocated again a
 * moment later: glibc would hand them back to the kernel (munmap, a heap
 * trim) and fault them in again each time, 13% of the daemon's CPU in a
 * drain (bench/drain.sh).  Kept in the heap instead: the peak is what one
 * batch needs either way. */
static void
keep_batch_memory(void)
{
#if defined(HAVE_MALLOC_H) && defined(HAVE_MALLOPT) && defined(M_MMAP_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

int
main(int argc, char **argv)
{
	struct daemon d = {0};
	keep_batch_memory();
	bool check_only = false;
	int rc = parse_args(argc, argv, &d, &check_only);
	if (rc >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	dlog_init(DLOG_INFO, DLOG_LOGFMT);
	if (!load(&d, &d.conf, &d.rules))
		return 2;
	if (check_only) {
		printf("configuration %s: ok; rules %s\n",
		       d.conf->path ? d.conf->path : "(defaults)",
		       rules_version(d.rules));
		cleanup(&d);
		return 0;
	}
	struct conn_callbacks cb = {on_up, on_down, on_notify, &d};
	d.base = event_base_new();
	d.conn = d.base ? conn_new(d.base, &cb) : NULL;
	d.queue = d.conn ? queue_new(d.base, d.conn, on_idle, &d) : NULL;
	if (!d.queue || !add_events(&d) || !add_notify_events(&d) ||
	    !add_listen(&d)) {
		fprintf(stderr, "claimscrubd: cannot set up the event loop\n");
		cleanup(&d);
		return 1;
	}
	d.started_at = d.rules_loaded_at = wallclock_now();
	if (!start_http(&d) || !start_mllp(&d)) {
		cleanup(&d);
		return 1;
	}
	apply(&d);
	dlog(DLOG_INFO, "start",
	     "version=%s once=%s rules=%s batch_size=%ld owner=%s",
	     PACKAGE_VERSION, d.once ? "yes" : "no", rules_version(d.rules),
	     d.conf->batch_size, queue_owner(d.queue));
	conn_start(d.conn, d.conf->database, main_channel(&d));
	if (d.listen)
		conn_start(d.listen, d.conf->listen_database, CHANNEL);
	event_base_dispatch(d.base);
	report(&d);
	cleanup(&d);
	return d.exit_code;
}

/*
 * metrics — the daemon's state in the Prometheus text exposition format
 * (version 0.0.4): claims by verdict, findings by rule and severity, batch
 * duration histogram, queue depth and oldest pending age, the database's
 * out-of-resources errors and whether the daemon is backing off, reconnects,
 * connection state, rule-set version and load time.
 */
#ifndef DAEMON_METRICS_H
#define DAEMON_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/procstat.h"
#include "daemon/queue.h"
#include "scrubber/strbuf.h"

struct metrics_info {
	struct queue_stats queue; /* a copy: rows find values by offset */
	long long reconnects;
	long long reloads, reload_failures;
	bool connected;
	const char *rules_version;
	const char *version; /* the daemon's own (PACKAGE_VERSION) */
	/* each finding id's severities in the rule set in force (bits, as
	 * rules_finding_severities): its series show from the start, at 0 */
	unsigned finding_severities[F_COUNT];
	struct procstat proc;	/* the process_* figures (procstat.h) */
	double rules_loaded_at; /* Unix time */
	double started_at;	/* Unix time */
	/* NOTIFY wake-ups received, and the claim steps they started (at
	 * most 10 a second, daemon/main.c) */
	long long notify_wakeups, wake_steps;
	/* stalls (queue_stalled): seconds since the queue made progress, how
	 * long the step in flight has run, and the verdict */
	double since_progress, step_age;
	const char *step; /* queue_step() */
	/* the MLLP listener (mllp.h): messages answered AA, AE or AR, and
	 * the rows their records inserted or replaced */
	long long mllp_accepted, mllp_rejected, mllp_records;
	bool stalled;
};

void metrics_render(const struct metrics_info *m, struct strbuf *out);

/* Prints every family metrics_render can write, one `metric NAME TYPE AGG` a
 * line, NAME with its label names (`claimscrub_reloads_total{outcome}`),
 * AGG how to combine it across daemons (sum, max, min, count_by_LABEL,
 * per_daemon),
 * for tests/lists.sh to hold the README's metrics table to. */
void metrics_list(FILE *out);

#endif

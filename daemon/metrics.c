/*
 * metrics — Prometheus text exposition; see metrics.h.  Every family has
 * its HELP and TYPE lines; label values are our own names (finding ids,
 * severities, verdicts, a hex rule-set version), never claim data.
 *
 * One row per sample, in the order shown: the queue's counters come from
 * their own list (QUEUE_BATCH_COUNTERS, QUEUE_COUNTERS in queue.h), the
 * rest are written here; a new plain value is one row.  Families that are
 * more than a value a row (findings by rule and severity, the histogram)
 * have a function that writes their samples.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "daemon/metrics.h"

/* What a row's value is, at its offset in struct metrics_info. */
enum metric_how {
	M_COUNT,  /* long long */
	M_REAL,	  /* double, to the millisecond */
	M_FLAG,	  /* bool, as 0 or 1 */
	M_INFO,	  /* const char *, the label's value; the sample is 1 */
	M_RENDER, /* render() writes the samples */
};

struct metric {
	const char *name, *type;
	/* the family's help, on its first row; NULL on the rows after it,
	 * which are further samples of the same family */
	const char *help;
	/* the sample's label and its value (M_INFO: the value is read from
	 * the field), or NULL; for M_RENDER, the label names, for the list */
	const char *label, *value;
	enum metric_how how;
	size_t at; /* offsetof(struct metrics_info, ...) */
	/* NULL: always shown; else the family only when it says so */
	bool (*shown)(const struct metrics_info *m);
	void (*render)(const struct metrics_info *m, struct strbuf *out);
	/* how to combine the family across daemons (the README's "across
	 * daemons"): NULL is sum (every counter and histogram); max for the
	 * shared queue's figures, which every daemon reports alike ... */
	const char *agg;
};

#define AT(field) offsetof(struct metrics_info, field)
#define QUEUE_ROW_(field, metric, label_, value_, help_) \
	{.name = metric, \
	 .type = "counter", \
	 .help = help_, \
	 .label = label_, \
	 .value = value_, \
	 .how = M_COUNT, \
	 .at = AT(queue.field)},

/* Every series a finding can have under the rules in force, 0 until it
 * fires (rate() and absent() need a series from the start), and any
 * other that fired (a severity a reload changed). */
static void
render_findings(const struct metrics_info *m, struct strbuf *out)
{
	const struct queue_stats *s = &m->queue;
	for (int i = 0; i < F_COUNT; i++)
		for (int k = 0; k < SEV_COUNT; k++)
			if (s->findings[i][k] ||
			    (m->finding_severities[i] >> k & 1u))
				strbuf_printf(out,
					      "claimscrub_findings_total{rule="
					      "\"%s\",severity=\"%s\"} %lld\n",
					      finding_names[i],
					      severity_names[k],
					      s->findings[i][k]);
}

static void
render_batch_time(const struct metrics_info *m, struct strbuf *out)
{
	histo_render(&m->queue.batch_time, &histo_batch,
		     "claimscrub_batch_duration_seconds", out);
}

static void
render_claim_wait(const struct metrics_info *m, struct strbuf *out)
{
	histo_render(&m->queue.claim_wait, &histo_wait,
		     "claimscrub_claim_wait_seconds", out);
}

/* The depth is sampled at most once a second, from the first claim step
 * on: unknown before, when the families are left out. */
static bool
depth_known(const struct metrics_info *m)
{
	return m->queue.depth_known;
}

/* Before the first batch there is no time of the last one to show (a 0
 * would read as 1970 to an alert on time() - it). */
static bool
batch_written(const struct metrics_info *m)
{
	return m->queue.last_batch_at > 0;
}

/* The process_* figures, where /proc answered. */
static bool
proc_known(const struct metrics_info *m)
{
	return m->proc.known;
}

/* The queue's counters, shown first: the degraded gauge that opens rows[]
 * speaks of the resource errors that end them. */
static const struct metric queue_rows[] = {QUEUE_BATCH_COUNTERS(QUEUE_ROW_)
						   QUEUE_COUNTERS(QUEUE_ROW_)};

static const struct metric rows[] = {
	{.name = "claimscrub_database_degraded",
	 .type = "gauge",
	 .agg = "max",
	 .help = "1 while backing off after such an error, until a batch "
		 "commits.",
	 .how = M_FLAG,
	 .at = AT(queue.degraded)},
	{.name = "claimscrub_findings_total",
	 .type = "counter",
	 .help = "Findings written, by rule and severity.",
	 .label = "rule,severity",
	 .how = M_RENDER,
	 .render = render_findings},
	{.name = "claimscrub_batch_duration_seconds",
	 .type = "histogram",
	 .help = "Time from claiming a batch to its commit.",
	 .how = M_RENDER,
	 .render = render_batch_time},
	{.name = "claimscrub_claim_wait_seconds",
	 .type = "histogram",
	 .help = "Time from a claim's submit to the commit of its result.",
	 .how = M_RENDER,
	 .render = render_claim_wait},
	{.name = "claimscrub_queue_depth",
	 .type = "gauge",
	 .agg = "max",
	 .help = "Claims pending in the queue (sampled at most once a second).",
	 .how = M_COUNT,
	 .at = AT(queue.depth),
	 .shown = depth_known},
	{.name = "claimscrub_queue_oldest_pending_seconds",
	 .type = "gauge",
	 .agg = "max",
	 .help = "Age of the oldest pending claim.",
	 .how = M_REAL,
	 .at = AT(queue.oldest_pending_s),
	 .shown = depth_known},
	{.name = "claimscrub_queue_waiting",
	 .type = "gauge",
	 .agg = "max",
	 .help = "Claims waiting for their MAR record (status waiting), "
		 "sampled with the depth.",
	 .how = M_COUNT,
	 .at = AT(queue.waiting),
	 .shown = depth_known},
	{.name = "claimscrub_database_connected",
	 .type = "gauge",
	 .agg = "min",
	 .help = "1 when connected to the database with the schema checked.",
	 .how = M_FLAG,
	 .at = AT(connected)},
	{.name = "claimscrub_reconnects_total",
	 .type = "counter",
	 .help = "Reconnections to the database.",
	 .how = M_COUNT,
	 .at = AT(reconnects)},
	{.name = "claimscrub_mllp_accepted_total",
	 .type = "counter",
	 .help = "HL7 v2 messages received over MLLP and acknowledged AA "
		 "(their records committed).",
	 .how = M_COUNT,
	 .at = AT(mllp_accepted)},
	{.name = "claimscrub_mllp_rejected_total",
	 .type = "counter",
	 .help = "HL7 v2 messages received over MLLP and answered AE or AR.",
	 .how = M_COUNT,
	 .at = AT(mllp_rejected)},
	{.name = "claimscrub_mllp_records_total",
	 .type = "counter",
	 .help = "MAR records of MLLP messages stored (rows inserted or "
		 "replaced in mar_event).",
	 .how = M_COUNT,
	 .at = AT(mllp_records)},
	{.name = "claimscrub_reloads_total",
	 .type = "counter",
	 .help = "SIGHUP reloads, by outcome.",
	 .label = "outcome",
	 .value = "applied",
	 .how = M_COUNT,
	 .at = AT(reloads)},
	{.name = "claimscrub_reloads_total",
	 .type = "counter",
	 .label = "outcome",
	 .value = "refused",
	 .how = M_COUNT,
	 .at = AT(reload_failures)},
	{.name = "claimscrub_build_info",
	 .type = "gauge",
	 .agg = "count_by_version",
	 .help = "The daemon's version.",
	 .label = "version",
	 .how = M_INFO,
	 .at = AT(version)},
	{.name = "claimscrub_rules_info",
	 .type = "gauge",
	 .agg = "count_by_version",
	 .help = "The rule set in force (version: a digest of its files).",
	 .label = "version",
	 .how = M_INFO,
	 .at = AT(rules_version)},
	{.name = "claimscrub_rules_loaded_timestamp_seconds",
	 .type = "gauge",
	 .agg = "min",
	 .help = "When the rule set in force was loaded.",
	 .how = M_REAL,
	 .at = AT(rules_loaded_at)},
	{.name = "claimscrub_last_batch_timestamp_seconds",
	 .type = "gauge",
	 .agg = "max",
	 .help = "When a batch last committed (none before the first).",
	 .how = M_REAL,
	 .at = AT(queue.last_batch_at),
	 .shown = batch_written},
	/* the names every Prometheus client library exports */
	{.name = "process_cpu_seconds_total",
	 .type = "counter",
	 .help = "User and system CPU time spent, in seconds.",
	 .how = M_REAL,
	 .at = AT(proc.cpu_seconds),
	 .shown = proc_known},
	{.name = "process_resident_memory_bytes",
	 .type = "gauge",
	 .agg = "per_daemon",
	 .help = "Resident memory size in bytes.",
	 .how = M_COUNT,
	 .at = AT(proc.rss_bytes),
	 .shown = proc_known},
	{.name = "process_virtual_memory_bytes",
	 .type = "gauge",
	 .agg = "per_daemon",
	 .help = "Virtual memory size in bytes.",
	 .how = M_COUNT,
	 .at = AT(proc.vsize_bytes),
	 .shown = proc_known},
	{.name = "process_open_fds",
	 .type = "gauge",
	 .agg = "per_daemon",
	 .help = "Open file descriptors.",
	 .how = M_COUNT,
	 .at = AT(proc.open_fds),
	 .shown = proc_known},
	{.name = "process_max_fds",
	 .type = "gauge",
	 .agg = "per_daemon",
	 .help = "The limit on open file descriptors (-1: none).",
	 .how = M_COUNT,
	 .at = AT(proc.max_fds),
	 .shown = proc_known},
	{.name = "process_start_time_seconds",
	 .type = "gauge",
	 .agg = "per_daemon",
	 .help = "When the process started, in seconds since the epoch.",
	 .how = M_REAL,
	 .at = AT(started_at)},
	{.name = "claimscrub_start_timestamp_seconds",
	 .type = "gauge",
	 .agg = "per_daemon",
	 .help = "When the daemon started.",
	 .how = M_REAL,
	 .at = AT(started_at)},
	/* stalls (issue 14, item 15): each stall a DBA should hear of shows
	 * here and, after stall_seconds, in /healthz */
	{.name = "claimscrub_seconds_since_progress",
	 .type = "gauge",
	 .agg = "max",
	 .help = "Seconds since a claim step last succeeded or a batch "
		 "committed.",
	 .how = M_REAL,
	 .at = AT(since_progress)},
	{.name = "claimscrub_step_seconds",
	 .type = "gauge",
	 .agg = "max",
	 .help = "How long the step in flight (claim, scrub, write) has run; 0 "
		 "when idle.",
	 .how = M_REAL,
	 .at = AT(step_age)},
	{.name = "claimscrub_step_info",
	 .type = "gauge",
	 .agg = "count_by_step",
	 .help = "The step in flight (idle, claiming, scrubbing, writing, "
		 "...): a batch is scrubbed in slices, so this can say "
		 "scrubbing.",
	 .label = "step",
	 .how = M_INFO,
	 .at = AT(step)},
	{.name = "claimscrub_stalled",
	 .type = "gauge",
	 .agg = "max",
	 .help = "1 while /healthz says stalled (stall_seconds without "
		 "progress).",
	 .how = M_FLAG,
	 .at = AT(stalled)},
	/* NOTIFY wake-ups: any login may send them, so they are rate-limited */
	{.name = "claimscrub_notify_wakeups_total",
	 .type = "counter",
	 .help = "Reads of the connection that brought NOTIFYs on "
		 "claimscrub_pending (several NOTIFYs read at once count "
		 "once).",
	 .how = M_COUNT,
	 .at = AT(notify_wakeups)},
	{.name = "claimscrub_wakeup_claim_steps_total",
	 .type = "counter",
	 .help = "Claim steps started by NOTIFY wake-ups (coalesced, at most "
		 "10 a second).",
	 .how = M_COUNT,
	 .at = AT(wake_steps)},
};

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* Row i of queue_rows and rows, in that order; NULL past the last. */
static const struct metric *
row(size_t i)
{
	if (i < NROWS(queue_rows))
		return &queue_rows[i];
	i -= NROWS(queue_rows);
	return i < NROWS(rows) ? &rows[i] : NULL;
}

/* The row's samples (without HELP and TYPE). */
static void
samples(const struct metric *r, const struct metrics_info *m,
	struct strbuf *out)
{
	const void *p = (const char *)m + r->at;
	if (r->how == M_RENDER) {
		r->render(m, out);
		return;
	}
	strbuf_puts(out, r->name);
	if (r->label)
		strbuf_printf(out, "{%s=\"%s\"}", r->label,
			      r->how == M_INFO ? *(const char *const *)p
					       : r->value);
	switch (r->how) {
	case M_COUNT:
		strbuf_printf(out, " %lld\n", *(const long long *)p);
		break;
	case M_REAL:
		strbuf_printf(out, " %.3f\n", *(const double *)p);
		break;
	case M_FLAG:
		strbuf_printf(out, " %d\n", *(const bool *)p ? 1 : 0);
		break;
	case M_INFO:
		strbuf_puts(out, " 1\n");
		break;
	case M_RENDER: /* written above */
		break;
	}
}

void
metrics_render(const struct metrics_info *m, struct strbuf *out)
{
	const struct metric *r;
	for (size_t i = 0; (r = row(i)) != NULL; i++) {
		if (!r->name || (r->shown && !r->shown(m)))
			continue; /* a counter for the log only; unknown yet */
		if (r->help)
			strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n",
				      r->name, r->help, r->name, r->type);
		samples(r, m, out);
	}
}

/* A family is listed where it starts; a row that continues no family (its
 * help left out, but not after its own family) is listed as such, and a
 * family started twice twice, so that tests/lists.sh fails on either. */
void
metrics_list(FILE *out)
{
	const struct metric *r;
	const char *last = "";
	for (size_t i = 0; (r = row(i)) != NULL; i++) {
		if (!r->name)
			continue;
		if (r->help || strcmp(r->name, last) != 0)
			fprintf(out, "metric %s%s%s%s %s %s\n", r->name,
				r->label ? "{" : "", r->label ? r->label : "",
				r->label ? "}" : "",
				r->help ? r->type : "without-help",
				r->agg ? r->agg : "sum");
		last = r->name;
	}
}

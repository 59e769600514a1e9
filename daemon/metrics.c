/*
 * metrics — Prometheus text exposition; see metrics.h.  Every family has
 * its HELP and TYPE lines; label values are our own names (finding ids,
 * severities, verdicts, a hex rule-set version), never claim data.
 */
#include "config.h"

#include "daemon/metrics.h"

static void
family(struct strbuf *out, const char *name, const char *type, const char *help)
{
	strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		      type);
}

static void
render_claims(const struct metrics_info *m, struct strbuf *out)
{
	const struct queue_stats *s = m->queue;
	family(out, "claimscrub_claims_scrubbed_total", "counter",
	       "Claims scrubbed and written, by verdict.");
	strbuf_printf(
		out,
		"claimscrub_claims_scrubbed_total{verdict=\"clean\"} %lld\n",
		s->clean);
	strbuf_printf(
		out,
		"claimscrub_claims_scrubbed_total{verdict=\"flagged\"} %lld\n",
		s->flagged);
	strbuf_printf(
		out,
		"claimscrub_claims_scrubbed_total{verdict=\"invalid\"} %lld\n",
		s->invalid);
	family(out, "claimscrub_findings_total", "counter",
	       "Findings written, by rule and severity.");
	for (int i = 0; i < F_COUNT; i++)
		for (int k = 0; k < SEV_COUNT; k++)
			if (s->findings[i][k])
				strbuf_printf(out,
					      "claimscrub_findings_total{rule="
					      "\"%s\",severity=\"%s\"} %lld\n",
					      finding_names[i],
					      severity_names[k],
					      s->findings[i][k]);
	family(out, "claimscrub_claims_stale_total", "counter",
	       "Claims scrubbed but not written: they changed meanwhile and "
	       "are scrubbed again.");
	strbuf_printf(out, "claimscrub_claims_stale_total %lld\n", s->stale);
	family(out, "claimscrub_batches_total", "counter",
	       "Batches committed.");
	strbuf_printf(out, "claimscrub_batches_total %lld\n", s->batches);
	family(out, "claimscrub_batch_failures_total", "counter",
	       "Batches rolled back and retried claim by claim.");
	strbuf_printf(out, "claimscrub_batch_failures_total %lld\n",
		      s->batch_failures);
}

/* The database out of resources or failing: how often, and whether now. */
static void
render_degraded(const struct metrics_info *m, struct strbuf *out)
{
	const struct queue_stats *s = m->queue;
	family(out, "claimscrub_database_resource_errors_total", "counter",
	       "Steps rolled back because the database was out of resources "
	       "(SQLSTATE class 53) or failing (class 58), by class; retried "
	       "after a backoff, no claim made invalid.");
	strbuf_printf(out,
		      "claimscrub_database_resource_errors_total{class=\"53\"} "
		      "%lld\n",
		      s->resource_errors);
	strbuf_printf(out,
		      "claimscrub_database_resource_errors_total{class=\"58\"} "
		      "%lld\n",
		      s->system_errors);
	family(out, "claimscrub_database_degraded", "gauge",
	       "1 while backing off after such an error, until a batch "
	       "commits.");
	strbuf_printf(out, "claimscrub_database_degraded %d\n",
		      s->degraded ? 1 : 0);
}

static void
render_histogram(const struct metrics_info *m, struct strbuf *out)
{
	const struct queue_stats *s = m->queue;
	long long cum = 0;
	family(out, "claimscrub_batch_duration_seconds", "histogram",
	       "Time from claiming a batch to its commit.");
	for (int b = 0; b < QUEUE_BUCKETS; b++) {
		cum += s->batch_buckets[b];
		strbuf_printf(out,
			      "claimscrub_batch_duration_seconds_bucket{le=\"%"
			      "g\"} %lld\n",
			      queue_bucket_bounds[b], cum);
	}
	cum += s->batch_buckets[QUEUE_BUCKETS];
	strbuf_printf(
		out,
		"claimscrub_batch_duration_seconds_bucket{le=\"+Inf\"} %lld\n",
		cum);
	strbuf_printf(out, "claimscrub_batch_duration_seconds_sum %.6f\n",
		      s->batch_seconds);
	strbuf_printf(out, "claimscrub_batch_duration_seconds_count %lld\n",
		      cum);
}

static void
render_state(const struct metrics_info *m, struct strbuf *out)
{
	const struct queue_stats *s = m->queue;
	if (s->depth_known) {
		family(out, "claimscrub_queue_depth", "gauge",
		       "Claims pending in the queue (sampled at most once a "
		       "second).");
		strbuf_printf(out, "claimscrub_queue_depth %lld\n", s->depth);
		family(out, "claimscrub_queue_oldest_pending_seconds", "gauge",
		       "Age of the oldest pending claim.");
		strbuf_printf(out,
			      "claimscrub_queue_oldest_pending_seconds %.3f\n",
			      s->oldest_pending_s);
	}
	family(out, "claimscrub_database_connected", "gauge",
	       "1 when connected to the database with the schema checked.");
	strbuf_printf(out, "claimscrub_database_connected %d\n",
		      m->connected ? 1 : 0);
	family(out, "claimscrub_reconnects_total", "counter",
	       "Reconnections to the database.");
	strbuf_printf(out, "claimscrub_reconnects_total %lld\n", m->reconnects);
	family(out, "claimscrub_reloads_total", "counter",
	       "SIGHUP reloads, by outcome.");
	strbuf_printf(out,
		      "claimscrub_reloads_total{outcome=\"applied\"} %lld\n",
		      m->reloads);
	strbuf_printf(out,
		      "claimscrub_reloads_total{outcome=\"refused\"} %lld\n",
		      m->reload_failures);
	family(out, "claimscrub_rules_info", "gauge",
	       "The rule set in force (version: a digest of its files).");
	strbuf_printf(out, "claimscrub_rules_info{version=\"%s\"} 1\n",
		      m->rules_version);
	family(out, "claimscrub_rules_loaded_timestamp_seconds", "gauge",
	       "When the rule set in force was loaded.");
	strbuf_printf(out, "claimscrub_rules_loaded_timestamp_seconds %.3f\n",
		      m->rules_loaded_at);
	family(out, "claimscrub_start_timestamp_seconds", "gauge",
	       "When the daemon started.");
	strbuf_printf(out, "claimscrub_start_timestamp_seconds %.3f\n",
		      m->started_at);
}

/* NOTIFY wake-ups: any login may send them, so they are rate-limited. */
static void
render_wakeups(const struct metrics_info *m, struct strbuf *out)
{
	family(out, "claimscrub_notify_wakeups_total", "counter",
	       "Reads of the connection that brought NOTIFYs on "
	       "claimscrub_pending (several NOTIFYs read at once count once).");
	strbuf_printf(out, "claimscrub_notify_wakeups_total %lld\n",
		      m->notify_wakeups);
	family(out, "claimscrub_wakeup_claim_steps_total", "counter",
	       "Claim steps started by NOTIFY wake-ups (coalesced, at most 10 "
	       "a second).");
	strbuf_printf(out, "claimscrub_wakeup_claim_steps_total %lld\n",
		      m->wake_steps);
}

/* Stalls (issue 14, item 15): each stall a DBA should hear of shows here
 * and, after stall_seconds, in /healthz. */
static void
render_stalls(const struct metrics_info *m, struct strbuf *out)
{
	family(out, "claimscrub_claim_step_failures_total", "counter",
	       "Claim steps that failed and were rolled back whole (a lock "
	       "not granted in time, a function refused); no attempt counted.");
	strbuf_printf(out, "claimscrub_claim_step_failures_total %lld\n",
		      m->queue->claim_failures);
	family(out, "claimscrub_seconds_since_progress", "gauge",
	       "Seconds since a claim step last succeeded or a batch "
	       "committed.");
	strbuf_printf(out, "claimscrub_seconds_since_progress %.3f\n",
		      m->since_progress);
	family(out, "claimscrub_step_seconds", "gauge",
	       "How long the step in flight (claim, scrub, write) has run; 0 "
	       "when idle.");
	strbuf_printf(out, "claimscrub_step_seconds %.3f\n", m->step_age);
	family(out, "claimscrub_step_info", "gauge",
	       "The step in flight (idle, claiming, scrubbing, writing, ...): "
	       "a batch is scrubbed in slices, so this can say scrubbing.");
	strbuf_printf(out, "claimscrub_step_info{step=\"%s\"} 1\n", m->step);
	family(out, "claimscrub_stalled", "gauge",
	       "1 while /healthz says stalled (stall_seconds without "
	       "progress).");
	strbuf_printf(out, "claimscrub_stalled %d\n", m->stalled ? 1 : 0);
	family(out, "claimscrub_scrub_slices_total", "counter",
	       "Slices batches were scrubbed in, the event loop running "
	       "between them (at least one a batch).");
	strbuf_printf(out, "claimscrub_scrub_slices_total %lld\n",
		      m->queue->slices);
}

void
metrics_render(const struct metrics_info *m, struct strbuf *out)
{
	render_claims(m, out);
	render_degraded(m, out);
	render_histogram(m, out);
	render_state(m, out);
	render_stalls(m, out);
	render_wakeups(m, out);
}

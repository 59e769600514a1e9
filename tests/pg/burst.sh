#!/bin/sh
# burst.sh — a burst of claims on a quiet, analyzed queue is drained by
# primary-key lookups, whatever the statistics say (040_batch.sql).
#
# 6,000 claims are scrubbed by the daemon, their results kept aside, and
# the table analyzed with none pending, its autovacuum off so the
# statistics stay as they were; then 3,000 claims go back to the queue at
# once (new versions, as a day's rebills would).  The planner now believes
# one claim is pending.  The batch functions then drain them as the daemon
# calls them, 100 claims a batch (claim_batch, write_batch with the kept
# results, end_batch), without the daemon: its queue-depth samples, once a
# second, also read the pending claims, as many times as the machine is
# slow.
#
# What is counted is not time but the rows read through the partial index
# of pending claims (pg_stat_user_indexes.idx_tup_read).  claim_batch reads
# the queue in order through it: for each batch the first pending claim
# (lead) and the batch, 2 x 100 + 1 at most, about 3,000 in all.  A
# statement that looked the batch's claims up through that index instead
# of the primary key reads every pending claim for each batch: some 45,000
# over the 30 batches, for each such statement.  So the bound is 3 x 3,000.
# Then every claim is written once, at its new version, with its
# template's verdict.  Last, a queue emptied and filled again under such
# statistics: no node of a batch's plans runs more times than the batch has
# claims.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

backlog=3000
gen_claims 6000 || setup_failed "generating claims failed"
write_config "$T/d.yaml" "batch_size: 100"
drain_once() {
	start_daemon "$T/d.yaml" --once
	wait_daemon "$daemon_pid" 240 || { tail_log "$daemon_log"; setup_failed "claimscrubd --once failed"; }
}
drain_once
[ "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")" = 0 ] ||
	setup_failed "the first drain left claims pending"
# The first drain also made the work items, from none.  work_sync() must
# be planned at each call, as work_item is then: a plan kept for the
# session (a plpgsql body) is made at a daemon's first batches, while the
# table may be empty, and then reads all of it at every batch (measured
# with 100,000 claims: 2.9 million rows read, 70-88 µs a claim instead of
# 14).  That needs tens of thousands of items to show in time or in rows
# read, more than a test drains, so the point is the language.
lang=$(psql_val "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	WHERE p.oid = 'claimscrub.work_sync(bigint[], bigint[])'::regprocedure")
items=$(psql_val "SELECT count(*) FROM claimscrub.work_item")
same "work_sync() is a sql function (planned at each call, never from a plan kept while work_item was empty), and the first drain made work items" \
	"$lang $([ "${items:-0}" -gt 0 ] && echo made)" "sql made"
psql_val "CREATE TABLE public.kept AS SELECT id, status, result FROM claimscrub.claim;
	  ALTER TABLE claimscrub.claim SET (autovacuum_enabled = off);
	  ANALYZE claimscrub.claim" >/dev/null || setup_failed "ANALYZE failed"

psql_val "UPDATE claimscrub.claim SET status = 'pending'
	   WHERE id IN (SELECT id FROM claimscrub.claim ORDER BY id LIMIT $backlog)" >/dev/null ||
	setup_failed "the burst could not be queued"
plan=$(psql_val "EXPLAIN SELECT id FROM claimscrub.claim WHERE status = 'pending'")
case $plan in
*'rows=1 '*) ok "the statistics are stale: the planner expects 1 pending claim of $backlog" ;;
*) not_ok "the statistics are stale: the planner expects 1 pending claim of $backlog" "$plan" ;;
esac

psql_val "SELECT pg_stat_reset()" >/dev/null
# one transaction a batch, as the daemon's (in one transaction the index
# entries of the claims written could not be marked dead, and each batch
# would read past all of them)
# batch_sql N — one batch of at most N claims through the batch functions
# as the daemon calls them; prints claims taken|claims written|
batch_sql() {
	printf '%s' "WITH b AS (SELECT array_agg(b.id) AS ids
		FROM claimscrub.claim_batch($1, 600000, 1000, 1000, 'burst-test') b
	       WHERE b.kind = 0)
	SELECT coalesce(cardinality(b.ids), 0), (SELECT written FROM claimscrub.write_batch((
		SELECT jsonb_agg(jsonb_build_object('id', c.id, 'version', c.version,
			'status', k.status, 'rules', 'test', 'result', k.result))
		  FROM claimscrub.claim c JOIN public.kept k ON k.id = c.id
		 WHERE c.id = ANY (b.ids)))), claimscrub.end_batch('burst-test')
	  FROM b"
}
batches=0
while [ $batches -le 40 ]; do
	got=$(psql_val "$(batch_sql 100)") || setup_failed "a batch through the batch functions failed"
	case $got in 0*) break ;; esac
	batches=$((batches + 1))
done
reads=$(psql_val "SELECT idx_tup_read FROM pg_stat_user_indexes
	WHERE schemaname = 'claimscrub' AND indexrelname = 'claim_pending_idx'")
if [ -n "$reads" ] && [ "$reads" -le $((3 * backlog)) ]; then
	ok "the burst is found by primary key: $reads rows read through the pending index (bound $((3 * backlog)))"
else
	not_ok "the burst is found by primary key" "rows read through claim_pending_idx: '$reads', bound $((3 * backlog))"
fi
[ "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")" = 0 ] &&
	ok "the burst is drained" || not_ok "the burst is drained"
same_count=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE id IN (
	SELECT id FROM claimscrub.claim ORDER BY id LIMIT $backlog) AND version = 2 AND scrubbed_version = 2")
[ "$same_count" = "$backlog" ] && ok "each of the $backlog written at its new version" ||
	not_ok "each of the $backlog written at its new version" "got $same_count"
bad=$(bulk_verdicts_ok) && ok "each has its template's verdict and rules" ||
	not_ok "each has its template's verdict and rules" "$bad"
# A queue emptied and filled again, as the intake benchmark's is: 5,000
# new claims in a new, small table (TRUNCATE) whose statistics were taken
# when every claim was flagged.  The first batch of 500 runs with its plans
# shown to this session (auto_explain at NOTICE, nested statements too):
# no node of them may run more times than the batch has claims.  A join of
# claim, filtered on its status, with the batch or a list of ids was
# estimated at one claim from those statistics: planned as a scan of every
# claim with the whole batch read again for each pending one, a node run
# 5,000 times, 430-600 ms a batch.  write_batch's lock, its write and its
# count of claims left locked each did, and claim_batch's release of
# lapsed batches, until 040_batch.sql probed claims by id there (each of
# the four put back alone fails this).
refill() {
	psql_val "TRUNCATE claimscrub.claim RESTART IDENTITY CASCADE" >/dev/null 2>&1 &&
		gen_claims 5000
}
{ refill && psql_val "UPDATE claimscrub.claim SET status = 'flagged'; ANALYZE claimscrub.claim" >/dev/null &&
	refill; } || setup_failed "refilling the queue failed"
taken=$(printf "LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
%s;\n" "$(batch_sql 500)" |
	timeout 60 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -f - 2>"$T/plans") ||
	setup_failed "the batch with its plans shown failed: $(tail -n 3 "$T/plans")"
loops=$(sed -n 's/.*[( ]loops=\([0-9][0-9]*\)).*/\1/p' "$T/plans" | sort -n | tail -n 1)
if [ "$taken" = "500|500|" ] && [ -n "$loops" ] && [ "$loops" -le 500 ]; then
	ok "refilled queue, stale statistics: a batch of 500 taken and written, no plan node run more than 500 times (at most $loops)"
else
	not_ok "refilled queue, stale statistics: a batch of 500 taken and written, no plan node run more than 500 times" \
		"taken|written: '$taken'" "the most loops of a node: '$loops'" \
		"$(grep -e "loops=$loops)" "$T/plans" | head -n 5)"
fi
finish

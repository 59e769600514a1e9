#!/bin/sh
# bench/burst.sh [N] [BURST] — the drain of a burst on a quiet queue: N
# claims (default 100000) scrubbed and the table analyzed with none
# pending, its autovacuum off so the statistics stay as they were; then
# BURST of them (default 20000) back in the queue at once, drained by one
# `claimscrubd --once` (batch 500) while the planner still believes that
# one claim is pending; then the same burst again after an ANALYZE, which
# is the floor.  Prints one markdown table row.  Before 040_batch.sql hid
# the batch's lookups from the pending claims' partial index, the stale
# drain read every pending claim for each claim of a batch: 388 claims/s
# against 10,500 for 20,000 of 50,000 claims (tests/pg/burst.sh counts the
# rows read).
set -eu
n=${1:-100000}
burst=${2:-20000}
. "$(dirname "$0")/lib.sh"
trap bench_pg_stop EXIT
bench_pg_start
"$(dirname "$0")/gen.sh" sql "$n"
bench_config "$B/d.yaml" "batch_size: 500"
"$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>"$B/warm.log"
psql_q -c "ALTER TABLE claimscrub.claim SET (autovacuum_enabled = off)" -c "ANALYZE claimscrub.claim"
now() { date +%s.%N; }
# drain_burst — BURST claims back in the queue (new versions), drained;
# prints the claims a second
drain_burst() {
	psql_q -c "UPDATE claimscrub.claim SET status = 'pending'
		    WHERE id IN (SELECT id FROM claimscrub.claim ORDER BY id LIMIT $burst)"
	[ -z "${1:-}" ] || psql_q -c "ANALYZE claimscrub.claim"
	t0=$(now)
	"$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>"$B/burst.log"
	t1=$(now)
	left=$(psql_q -c "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
	[ "$left" = 0 ] || echo "warning: $left claims left pending" >&2
	echo "$burst $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }'
	psql_q -c "ANALYZE claimscrub.claim"
}
stale=$(drain_burst)
fresh=$(drain_burst analyze)
echo "| $n | $burst | $stale | $fresh | $(echo "$stale $fresh" | awk '{ printf "%.2f", $1 / $2 }') |"

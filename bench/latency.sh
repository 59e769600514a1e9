#!/bin/sh
# bench/latency.sh [N] — idle latency: one daemon waiting (LISTEN), N claims
# (default 1000) submitted one at a time with claimscrub.submit() (its own
# transaction each, 20 ms apart); latency = scrubbed_at - enqueued_at, server
# side (submit's enqueue to the daemon's write, before its commit).
set -eu
n=${1:-1000}
. "$(dirname "$0")/lib.sh"
trap 'kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; bench_pg_stop' EXIT
dpid=""
bench_pg_start
"$(dirname "$0")/gen.sh" sql 50
bench_config "$B/d.yaml" "batch_size: 500"
"$CLAIMSCRUBD" -c "$B/d.yaml" --once 2>/dev/null
"$CLAIMSCRUBD" -c "$B/d.yaml" 2>"$B/daemon.log" &
dpid=$!
sleep 1
# the documents: BENCH-1..50 as claim_document() gives them, renamed LAT-i
psql_q -c "SELECT format('SELECT claimscrub.submit(%L::jsonb);', jsonb_set(claimscrub.claim_document(c), '{claim}', to_jsonb('LAT-' || i)))
		|| E'\nSELECT pg_sleep(0.02);'
	FROM generate_series(1, $n) i
	JOIN claimscrub.claim c ON c.claim_ref = 'BENCH-' || (1 + i % 50)" >"$B/lat.sql"
t0=$(date +%s.%N)
psql_q -f "$B/lat.sql" >/dev/null
sleep 0.5
psql_q -F ' ' -c "SELECT count(*),
	round((1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM scrubbed_at - enqueued_at)))::numeric, 2),
	round((1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM scrubbed_at - enqueued_at)))::numeric, 2),
	round((1000 * max(extract(epoch FROM scrubbed_at - enqueued_at)))::numeric, 2)
	FROM claimscrub.claim WHERE claim_ref LIKE 'LAT-%' AND status <> 'pending'" |
	awk -v n="$n" '{ printf "| %d of %d | %s | %s | %s |\n", $1, n, $2, $3, $4 }'

#!/bin/sh
# listen.sh — the daemon is woken by NOTIFY, not by its poll timer: idle,
# with poll_interval_ms 60000, it must scrub each of 20 claims submitted one
# at a time within 2 s of its submit (enqueued_at -> scrubbed_at, both the
# server's clock).  Prints TAP and the p50 and max latency in ms.
set -u
. "$(dirname "$0")/lib.sh"
rounds=20 limit_ms=2000

write_config "$T/claimscrubd.yaml" "poll_interval_ms: 60000"
start_daemon "$T/claimscrubd.yaml"
pid=$daemon_pid log=$daemon_log
wait_until "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd')" 30 ||
	setup_failed "the daemon did not connect in 30 s: $(tail -n 3 "$log")"
sleep 1 # past its first (empty) drain, waiting on LISTEN

: >"$T/latencies"
i=0 slow="" 
while [ $i -lt $rounds ]; do
	i=$((i + 1))
	doc=$(printf '{"claim": "L-%s", "payer": "medicare", "setting": "facility",
	  "lines": [{"code": "96365"}, {"code": "J0696", "units": 4}],
	  "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic",
	  "route": "infusion", "start": "2026-03-%02dT09:10", "stop": "2026-03-%02dT09:40"}]}' "$i" "$i" "$i")
	psql_val "SELECT claimscrub.submit(:'doc')" -v doc="$doc" >/dev/null
	# wait up to 5 s (past the limit, so a slow one is measured, not lost)
	if wait_until "SELECT scrubbed_version = version FROM claimscrub.claim WHERE claim_ref = 'L-$i'" 5; then
		ms=$(psql_val "SELECT round(extract(epoch FROM scrubbed_at - enqueued_at) * 1000)
		                 FROM claimscrub.claim WHERE claim_ref = 'L-$i'")
	else
		ms=999999
	fi
	echo "$ms" >>"$T/latencies"
	[ "$ms" -lt $limit_ms ] || slow="$slow L-$i:${ms}ms"
	sleep 0.2 # idle again
done
p50=$(sort -n "$T/latencies" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
max=$(sort -n "$T/latencies" | tail -n 1)
echo "# latency submit -> scrubbed over $rounds claims: p50 $p50 ms, max $max ms"
if [ -z "$slow" ]; then ok "each of $rounds claims is scrubbed within $limit_ms ms of its submit (p50 $p50 ms, max $max ms)"; else
	not_ok "each of $rounds claims is scrubbed within $limit_ms ms of its submit" "slow or never:$slow"; tail_log "$log"; fi
polls=$(grep -c 'event=batch' "$log")
note "the daemon logged $polls batches"
stop_daemon "$pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "SIGTERM: the idle daemon exits 0"; else not_ok "SIGTERM: the idle daemon exits 0" "exit $st"; fi
consistency_check "after $rounds single claims"
finish

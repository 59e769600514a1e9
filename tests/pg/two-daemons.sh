#!/bin/sh
# two-daemons.sh — two `claimscrubd --once` on one queue of 20,000 claims
# (batch_size 200): both exit 0, the queue is consistent (every claim scrubbed
# once at its version, no finding twice), both took part, and their logs add
# up to exactly 20,000 claims.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
claims=20000

gen_claims $claims || setup_failed "generating $claims claims failed"
write_config "$T/claimscrubd.yaml" "batch_size: 200"
t0=$(date +%s)
start_daemon "$T/claimscrubd.yaml" --once
pid1=$daemon_pid log1=$daemon_log
start_daemon "$T/claimscrubd.yaml" --once
pid2=$daemon_pid log2=$daemon_log
wait_daemon "$pid1" 180
st1=$?
wait_daemon "$pid2" 180
st2=$?
secs=$(($(date +%s) - t0))
if [ $st1 -eq 0 ] && [ $st2 -eq 0 ]; then ok "both daemons drain the queue and exit 0 ($secs s)"; else
	not_ok "both daemons drain the queue and exit 0" "exit statuses $st1 and $st2"
	tail_log "$log1"; tail_log "$log2"
fi

consistency_check "two daemons"
check "every claim has its template's verdict and findings" bulk_verdicts_ok
verify_results "c.id % 997 = 0" "a sample of results"

s1=$(scrubbed_in_log "$log1") s2=$(scrubbed_in_log "$log2")
note "daemon 1 scrubbed $s1 claims, daemon 2 scrubbed $s2"
if [ "$s1" -gt 0 ] && [ "$s2" -gt 0 ]; then ok "both daemons scrubbed claims ($s1 + $s2)"; else
	not_ok "both daemons scrubbed claims" "daemon 1: $s1, daemon 2: $s2"; fi
if [ $((s1 + s2)) -eq $claims ]; then ok "their logs add up to $claims claims: none scrubbed twice"; else
	not_ok "their logs add up to $claims claims" "$s1 + $s2 = $((s1 + s2))"; fi
over=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'invalid'")
if [ "$over" -eq 0 ]; then ok "no claim was made invalid by contention"; else
	not_ok "no claim was made invalid by contention" "$over invalid claims" \
		"$(psql_val "SELECT claim_ref, attempts, result->'findings'->0->>'message' FROM claimscrub.claim WHERE status = 'invalid' LIMIT 3")"
fi
check "the daemons' logs are key=value lines" log_is_keyvalue "$log1"
finish

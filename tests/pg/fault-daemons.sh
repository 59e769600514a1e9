#!/bin/sh
# fault-daemons.sh — fault scenario 4: three long-running daemons on one
# database drain 60,000 claims (FAULT_CLAIMS=N for another count) while
# more keep arriving: 20 rounds, each 1,000 new claims written straight into
# the tables (gen_claims) and 25 existing claims resubmitted through
# `claimscrub submit` (a new version each, some while a daemon holds them).  Then every claim is scrubbed exactly once at
# its current version and no version twice (counted by a trigger), the
# daemons' logs add up to exactly the result writes, all three took part,
# results equal `claimscrub check`, no claim is invalid.  Prints TAP and
# `# three daemons: faults injected 20, claims N, lost 0, duplicated 0`.
set -u
. "$(dirname "$0")/lib.sh"
claims=${FAULT_CLAIMS:-60000}
rounds=20 per_round=1000 resubmit=25

gen_claims "$claims" || setup_failed "generating $claims claims failed"
audit_install || setup_failed "installing the audit trigger failed"
write_config "$T/d.yaml" "batch_size: 200" "poll_interval_ms: 500"
t0=$(date +%s)
start_daemon "$T/d.yaml"
pid1=$daemon_pid log1=$daemon_log
start_daemon "$T/d.yaml"
pid2=$daemon_pid log2=$daemon_log
start_daemon "$T/d.yaml"
pid3=$daemon_pid log3=$daemon_log

# ---- arrivals, in the background; their failures go to a file ------------------------
(
	next=$((claims + 1))
	for r in $(seq 1 $rounds); do
		gen_claims $per_round $next || echo "round $r: gen_claims failed" >>"$T/arrivals.err"
		# the queue as the arrivals meet it (the daemons drain a round's
		# claims in tens of milliseconds once the backlog is gone)
		p=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
		echo "round $r: $p pending" >>"$T/arrivals.log"
		next=$((next + per_round))
		# resubmit some claims as they are (same content, new version)
		claim_docs "c.id IN (SELECT id FROM claimscrub.claim ORDER BY random() LIMIT $resubmit)" "$T/resub.$r" &&
			timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$T/resub.$r" >"$T/submit.$r.out" 2>&1 ||
			echo "round $r: submit failed: $(head -c 300 "$T/submit.$r.out")" >>"$T/arrivals.err"
		sleep 0.2
	done
) </dev/null &
arrivals=$!
wait "$arrivals"
if [ ! -s "$T/arrivals.err" ]; then ok "$rounds rounds of arrivals ($per_round new claims and $resubmit resubmitted each) while the daemons drain"; else
	not_ok "$rounds rounds of arrivals while the daemons drain" "$(head -n 5 "$T/arrivals.err")"; fi
midway=$(grep -vc ': 0 pending' "$T/arrivals.log")
note "$(tr '\n' ';' <"$T/arrivals.log")"
if [ "$midway" -ge $((rounds / 2)) ]; then ok "the arrivals met a queue still draining ($midway of $rounds rounds)"; else
	not_ok "the arrivals met a queue still draining" "$midway of $rounds rounds saw claims pending"; fi

if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 120; then
	ok "the three daemons drain the queue ($(($(date +%s) - t0)) s)"
else
	not_ok "the three daemons drain the queue" "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'") pending"
fi
for p in $pid1 $pid2 $pid3; do
	stop_daemon "$p" TERM
	st=$?
	[ $st -eq 0 ] || not_ok "daemon $p exits 0 on SIGTERM" "exit $st"
done
ok "SIGTERM ends the three daemons"

consistency_check "three daemons with arrivals"
audit_check
check "every claim has its template's verdict and findings" bulk_verdicts_ok
verify_results "c.id % 37 = 0 OR c.version > 1" "a sample of results (1 in 37, and every resubmitted claim)"
inv=$(invalid_claims)
if [ "$inv" -eq 0 ]; then ok "no claim is invalid"; else not_ok "no claim is invalid" "$inv" "$(invalid_sample)"; fi
s1=$(scrubbed_in_log "$log1") s2=$(scrubbed_in_log "$log2") s3=$(scrubbed_in_log "$log3")
if [ "$s1" -gt 0 ] && [ "$s2" -gt 0 ] && [ "$s3" -gt 0 ]; then ok "all three daemons scrubbed claims ($s1, $s2, $s3)"; else
	not_ok "all three daemons scrubbed claims" "$s1, $s2, $s3"; fi
if [ $((s1 + s2 + s3)) -eq "$a_scrubs" ]; then ok "their logs add up to the $a_scrubs result writes: none scrubbed twice"; else
	not_ok "their logs add up to the result writes" "$s1 + $s2 + $s3 = $((s1 + s2 + s3)), result writes $a_scrubs"; fi
versions=$(psql_val "SELECT count(*) FILTER (WHERE version > 1) || ' ' || max(version) FROM claimscrub.claim")
note "claims at a version > 1, highest version: $versions"
for l in "$log1" "$log2" "$log3"; do
	log_is_keyvalue "$l" || not_ok "$(basename "$l") is key=value lines"
done
fault_summary "three daemons" $rounds
finish

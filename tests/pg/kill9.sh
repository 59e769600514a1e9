#!/bin/sh
# kill9.sh — a long-running daemon (batch_size 100) draining 20,000 claims is
# killed with SIGKILL ten times at random moments (0.1 to 0.5 s apart) and
# restarted each time; the last one drains the queue, then nothing is lost,
# nothing is scrubbed twice, and every result is right.  Prints TAP and
# `faults: 10, claims: 20000, lost: 0, duplicated: 0`.
#
# KILL9_SEED=N replays the same kill moments.
set -u
. "$(dirname "$0")/lib.sh"
claims=20000 faults=10
seed=${KILL9_SEED:-$(($(date +%s) % 100000))}
note "seed $seed (KILL9_SEED=$seed replays these kill moments)"

gen_claims $claims || setup_failed "generating $claims claims failed"
write_config "$T/claimscrubd.yaml" "batch_size: 100" "poll_interval_ms: 1000"
pause_list=$(awk -v s="$seed" -v n=$faults 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.2f ", 0.1 + rand() * 0.4 }')

start_daemon "$T/claimscrubd.yaml"
i=0 midway=0 bad_status=""
for pause in $pause_list; do
	i=$((i + 1))
	sleep "$pause"
	if daemon_exited "$daemon_pid"; then
		bad_status="$bad_status daemon $i ended by itself before its kill (exit $(cat "$T/status.$daemon_pid"))"
	fi
	pending=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
	kill -KILL "$daemon_pid" 2>/dev/null
	wait_daemon "$daemon_pid" 10
	st=$?
	[ "$pending" -gt 0 ] && midway=$((midway + 1))
	note "fault $i: SIGKILL after ${pause} s, $pending claims pending, exit $st"
	start_daemon "$T/claimscrubd.yaml"
done
if [ -z "$bad_status" ]; then ok "$faults daemons were killed with SIGKILL and restarted ($midway while claims were pending)"; else
	not_ok "$faults daemons were killed with SIGKILL and restarted" "$bad_status"; fi

if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 120; then
	ok "the last daemon drains the queue"
else
	not_ok "the last daemon drains the queue" \
		"$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'") claims still pending"
	tail_log "$daemon_log"
fi
log=$daemon_log
stop_daemon "$daemon_pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "the last daemon exits 0 on SIGTERM"; else
	not_ok "the last daemon exits 0 on SIGTERM" "exit $st"; tail_log "$log"; fi

consistency_check "after $faults SIGKILLs"
lost=$c_lost dup=$c_dup
check "every claim has its template's verdict and findings" bulk_verdicts_ok
verify_results "c.id % 997 = 0" "a sample of results"
invalid=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'invalid'")
if [ "$invalid" -eq 0 ]; then ok "no claim became invalid because its daemon was killed"; else
	not_ok "no claim became invalid because its daemon was killed" "$invalid invalid claims; max attempts $(psql_val "SELECT max(attempts) FROM claimscrub.claim")" \
		"$(psql_val "SELECT claim_ref || ': ' || (result->'findings'->0->>'message') FROM claimscrub.claim WHERE status = 'invalid' LIMIT 3")"
fi
echo "# faults: $faults, claims: $claims, lost: $lost, duplicated: $dup"
finish

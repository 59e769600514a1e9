#!/bin/sh
# fault-kill9.sh — fault scenario 1, SIGKILL of the daemon during a drain:
#   A. a long-running daemon draining 100,000 claims (batches of 500, a
#      3 s lease) is killed with SIGKILL 25 times at random moments (0.03
#      to 0.33 s apart) and restarted each time;
#   B. (once tests/pg/kill9.sh) 20,000 more claims, drained in batches of
#      100 with the default lease (10 s), so a killed daemon's batch comes
#      back only once its lease runs out: 10 kills 0.1 to 0.5 s apart.
# After each, every claim is scrubbed exactly once at its version (counted
# by a trigger), its result equals `claimscrub check`'s, its findings are
# all in claimscrub.finding, nothing is duplicated and no claim is invalid.
# (SIGKILL of the daemon's backend is in fault-pg.sh.)  Prints TAP and
# `# kill -9: faults injected 25, claims N, lost 0, duplicated 0` (and the
# same for `kill -9, default lease`).
#
# FAULT_SEED=N replays the same kill moments; FAULT_CLAIMS=N sets A's count.
set -u
. "$(dirname "$0")/lib.sh"
faults=25
# (the database is the bottleneck: AddressSanitizer builds drain about as
# fast, so they run the full count too)
claims=${FAULT_CLAIMS:-100000}
seed=${FAULT_SEED:-$(($(date +%s) % 100000))}
note "seed $seed (FAULT_SEED=$seed replays these kill moments)"

t0=$(date +%s)
gen_claims "$claims" || setup_failed "generating $claims claims failed"
note "$claims claims generated in $(($(date +%s) - t0)) s"
audit_install || setup_failed "installing the audit trigger failed"
# a short lease: a killed daemon's claims come back quickly
write_config "$T/claimscrubd.yaml" "batch_size: 500" "poll_interval_ms: 500" \
	"claim_lease_ms: 3000" "reconnect_max_ms: 1000"
# (a daemon drains about 20,000 claims a second: the kills come often
# enough to land in the drain, and each still mid-batch at 500 a batch)
pauses=$(awk -v s="$seed" -v n=$faults 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.2f ", 0.03 + rand() * 0.3 }')
pending_sql="SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"

t0=$(date +%s)
start_daemon "$T/claimscrubd.yaml"
i=0 midway=0 bad=""
for pause in $pauses; do
	i=$((i + 1))
	sleep "$pause"
	daemon_exited "$daemon_pid" &&
		bad="$bad daemon $i ended by itself before its kill (exit $(cat "$T/status.$daemon_pid"));"
	kill -KILL "$daemon_pid" 2>/dev/null
	wait_daemon "$daemon_pid" 10
	st=$?
	pending=$(psql_val "$pending_sql")
	[ "${pending:-0}" -gt 0 ] && midway=$((midway + 1))
	[ $st -eq 137 ] || bad="$bad daemon $i: exit $st, not 137 (SIGKILL);"
	note "fault $i: SIGKILL after $pause s, $pending claims pending"
	start_daemon "$T/claimscrubd.yaml"
done
if [ -z "$bad" ]; then ok "$faults daemons killed with SIGKILL and restarted ($midway of the kills with claims still pending)"; else
	not_ok "$faults daemons killed with SIGKILL and restarted" "$bad"; fi
# the kills must land in the drain, not after it
if [ "$midway" -ge $((faults * 4 / 5)) ]; then ok "at least $((faults * 4 / 5)) kills landed while claims were pending ($midway)"; else
	not_ok "at least $((faults * 4 / 5)) kills landed while claims were pending" "$midway"; fi

if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 180; then
	ok "the last daemon drains the queue ($(($(date +%s) - t0)) s from the first start)"
else
	not_ok "the last daemon drains the queue" "$(psql_val "$pending_sql") claims still pending"
	tail_log "$daemon_log"
fi
log=$daemon_log
stop_daemon "$daemon_pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "the last daemon exits 0 on SIGTERM"; else
	not_ok "the last daemon exits 0 on SIGTERM" "exit $st"; tail_log "$log"; fi

consistency_check "after $faults SIGKILLs"
audit_check
check "every claim has its template's verdict and findings" bulk_verdicts_ok
verify_results "c.id % 97 = 0" "a sample of results (1 in 97)"
invalid=$(invalid_claims)
if [ "$invalid" -eq 0 ]; then ok "no claim became invalid because its daemon was killed"; else
	not_ok "no claim became invalid because its daemon was killed" "$invalid invalid claims" "$(invalid_sample)"; fi
fault_summary "kill -9" $faults

# ---- B. batches of 100, the default lease --------------------------------------
claims_b=20000 faults_b=10
gen_claims $claims_b $((claims + 1)) || setup_failed "generating $claims_b more claims failed"
write_config "$T/b.yaml" "batch_size: 100" "poll_interval_ms: 1000"
pauses=$(awk -v s="$seed" -v n=$faults_b 'BEGIN { srand(s + 1); for (i = 0; i < n; i++) printf "%.2f ", 0.1 + rand() * 0.4 }')
start_daemon "$T/b.yaml"
i=0 midway=0 bad=""
for pause in $pauses; do
	i=$((i + 1))
	sleep "$pause"
	daemon_exited "$daemon_pid" &&
		bad="$bad daemon $i ended by itself before its kill (exit $(cat "$T/status.$daemon_pid"));"
	pending=$(psql_val "$pending_sql")
	kill -KILL "$daemon_pid" 2>/dev/null
	wait_daemon "$daemon_pid" 10
	st=$?
	[ "${pending:-0}" -gt 0 ] && midway=$((midway + 1))
	note "fault $i (B): SIGKILL after $pause s, $pending claims pending, exit $st"
	start_daemon "$T/b.yaml"
done
if [ -z "$bad" ]; then ok "B: $faults_b daemons killed with SIGKILL and restarted ($midway while claims were pending)"; else
	not_ok "B: $faults_b daemons killed with SIGKILL and restarted" "$bad"; fi
if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 120; then
	ok "B: the last daemon drains the queue"
else
	not_ok "B: the last daemon drains the queue" "$(psql_val "$pending_sql") claims still pending"
	tail_log "$daemon_log"
fi
log=$daemon_log
stop_daemon "$daemon_pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "B: the last daemon exits 0 on SIGTERM"; else
	not_ok "B: the last daemon exits 0 on SIGTERM" "exit $st"; tail_log "$log"; fi
consistency_check "after $faults_b more SIGKILLs (B)"
audit_check
check "B: every claim has its template's verdict and findings" bulk_verdicts_ok
verify_results "c.id > $claims AND c.id % 997 = 0" "B: a sample of results (1 in 997)"
invalid=$(invalid_claims)
if [ "$invalid" -eq 0 ]; then ok "B: no claim became invalid because its daemon was killed"; else
	not_ok "B: no claim became invalid because its daemon was killed" "$invalid invalid claims; max attempts $(psql_val "SELECT max(attempts) FROM claimscrub.claim")" \
		"$(invalid_sample)"; fi
fault_summary "kill -9, default lease" $faults_b
finish

#!/bin/sh
# restart.sh — the database goes away under the daemon and it copes alone:
#   1. `claimscrubd --once` draining 20,000 claims; meanwhile the server is
#      restarted (pg_ctl restart -m fast), and once the daemon is back its
#      backend is killed (pg_terminate_backend); it must reconnect, finish
#      the drain and exit 0 by itself, leaving a consistent queue;
#   2. a long-running daemon (poll_interval_ms 60000) whose idle backend is
#      terminated must reconnect and LISTEN again: a new claim is scrubbed
#      within seconds, long before the poll timer.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
claims=20000
pending_sql="SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"
daemon_conn_sql="SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd')"

gen_claims $claims || setup_failed "generating $claims claims failed"
write_config "$T/claimscrubd.yaml" "batch_size: 100" "reconnect_max_ms: 1000"
start_daemon "$T/claimscrubd.yaml" --once
pid=$daemon_pid log=$daemon_log

# ---- 1a. restart during the drain ------------------------------------------------
if wait_until "SELECT count(*) >= 500 FROM claimscrub.claim WHERE status <> 'pending'" 60; then
	before=$(psql_val "$pending_sql")
	if pg_restart; then ok "server restarted (-m fast) with $before claims pending"; else
		not_ok "server restarted (-m fast)" "$(tail -n 5 "$T/pg/restart.log")"; fi
else
	not_ok "the daemon starts draining" "nothing scrubbed after 60 s"; tail_log "$log"
fi

# ---- 1b. its backend terminated as soon as it is back -------------------------------
if wait_until "$daemon_conn_sql" 30; then
	ok "the daemon reconnects after the restart (application_name=claimscrubd)"
	before=$(psql_val "$pending_sql")
	killed=$(psql_val "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
	                     FROM pg_stat_activity WHERE application_name = 'claimscrubd'")
	if [ "${killed:-0}" -ge 1 ]; then ok "pg_terminate_backend ended its backend ($before claims pending)"; else
		not_ok "pg_terminate_backend ended its backend" "terminated: ${killed:-none}"; fi
else
	not_ok "the daemon reconnects after the restart (application_name=claimscrubd)" \
		"no claimscrubd connection 30 s after the restart"
	tail_log "$log"
fi

wait_daemon "$pid" 120
st=$?
if [ $st -eq 0 ]; then ok "the --once daemon finishes the drain by itself and exits 0"; else
	not_ok "the --once daemon finishes the drain by itself and exits 0" "exit $st"; tail_log "$log" 20; fi
consistency_check "after a restart and a terminated backend"
check "every claim has its template's verdict and findings" bulk_verdicts_ok
verify_results "c.id % 997 = 0" "a sample of results"
drops=$(grep -Eci 'disconnect|connection.*(lost|closed|terminat)|reconnect' "$log")
if [ "$drops" -ge 2 ]; then ok "its log tells of the lost connections ($drops lines)"; else
	not_ok "its log tells of the lost connections" "$drops lines"; tail_log "$log" 20; fi
check "its log is key=value lines" log_is_keyvalue "$log"

# ---- 2. an idle daemon's backend terminated: LISTEN again -------------------------
write_config "$T/idle.yaml" "poll_interval_ms: 60000" "reconnect_max_ms: 1000"
start_daemon "$T/idle.yaml"
pid=$daemon_pid log=$daemon_log
wait_log 'event=connected' 30
killed=$(psql_val "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
                     FROM pg_stat_activity WHERE application_name = 'claimscrubd'")
[ "${killed:-0}" -ge 1 ] || not_ok "the idle daemon was connected" "terminated: ${killed:-none}"
# its LISTEN is done before it says connected: a second such line
connected_again() { [ "$(grep -c 'event=connected' "$log")" -ge 2 ]; }
if wait_for 30 connected_again; then ok "the idle daemon reconnects"; else
	not_ok "the idle daemon reconnects"; tail_log "$log"; fi
doc='{"claim": "AFTER-TERMINATE", "setting": "facility", "lines": [{"code": "96365"}, {"code": "J0696", "units": 4}],
 "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic", "route": "infusion",
 "start": "2026-03-02T09:10", "stop": "2026-03-02T09:40"}]}'
psql_val "SELECT claimscrub.submit(:'doc')" -v doc="$doc" >/dev/null
if wait_until "SELECT status = 'clean' FROM claimscrub.claim WHERE claim_ref = 'AFTER-TERMINATE'" 5; then
	ok "a claim submitted after the reconnect is scrubbed at once (NOTIFY heard again)"
else
	not_ok "a claim submitted after the reconnect is scrubbed at once (NOTIFY heard again)" \
		"status $(psql_val "SELECT status FROM claimscrub.claim WHERE claim_ref = 'AFTER-TERMINATE'") after 5 s"
	tail_log "$log"
fi
stop_daemon "$pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "the idle daemon exits 0 on SIGTERM"; else not_ok "the idle daemon exits 0 on SIGTERM" "exit $st"; fi
consistency_check "at the end"
finish

#!/bin/sh
# fault-pg.sh — fault scenario 2: the database misbehaves under a draining
# daemon, which must cope by itself, finish, and leave every claim scrubbed
# exactly once with no claim made invalid by a transient error:
#   A. PostgreSQL stopped (pg_ctl stop -m fast) for 30 s (FAULT_PG_DOWN_S)
#      and started again during a `--once` drain;
#   B. the daemon's backend killed with pg_terminate_backend 15 times during
#      a drain (B and C add claims whenever fewer than 3,000 are
#      pending, so every fault meets a drain);
#   C. timeouts: the daemon runs as a login role of claimscrub_daemon with
#      lock_timeout 100 ms and statement_timeout 1 s (ALTER ROLE ... SET)
#      and max_attempts 2, while claimscrub.finding is locked ACCESS
#      EXCLUSIVE for 1.5 s (lock timeouts in write_batch), claimscrub.claim
#      is locked EXCLUSIVE for 1.5 s (lock timeouts when claiming), and a
#      test trigger makes every finding insert sleep 1.2 s for 1.5 s
#      (statement timeouts), three times each.
# Each part ends with the consistency check and a line
# `# <part>: faults injected N, claims M, lost 0, duplicated 0`.  Prints TAP.
#
# FAULT_SEED=N replays the same terminate moments.
set -u
. "$(dirname "$0")/lib.sh"
down_s=${FAULT_PG_DOWN_S:-30}
seed=${FAULT_SEED:-$(($(date +%s) % 100000))}
note "seed $seed (FAULT_SEED=$seed replays the terminate moments)"
# (the database is the bottleneck here, so AddressSanitizer builds run the
# full count too)
per_part=${FAULT_CLAIMS:-30000}
pending_sql="SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"
# top_up N — N more claims when fewer than N are pending, so that every
# fault meets a drain: part B's daemon drains about 30,000 claims a second
# and pauses up to half a second before a fault (N 20,000); part C's
# episodes hold the daemon up themselves (N 3,000)
next_ref=1
top_up() {
	[ "$(psql_val "$pending_sql" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
	gen_claims "$1" $next_ref || not_ok "claims arriving"
	next_ref=$((next_ref + $1))
}
done_sql="SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')"
app_sql="SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd')"
audit_install || setup_failed "installing the audit trigger failed"

# end_part LABEL FAULTS LOG — the checks every part ends with
end_part() {
	consistency_check "$1"
	audit_check
	check "$1: every claim has its template's verdict and findings" bulk_verdicts_ok
	verify_results "c.id % 61 = 0" "$1: a sample of results (1 in 61)"
	_inv=$(invalid_claims)
	if [ "$_inv" -eq 0 ]; then ok "$1: no claim made invalid by a transient error"; else
		not_ok "$1: no claim made invalid by a transient error" "$_inv invalid claims" "$(invalid_sample)"; fi
	check "$1: the daemon's log is key=value lines" log_is_keyvalue "$3"
	fault_summary "$1" "$2"
}

# ---- A. the server stopped for 30 s ------------------------------------------
gen_claims "$per_part" $next_ref || setup_failed "generating claims failed"
next_ref=$((next_ref + per_part))
write_config "$T/a.yaml" "batch_size: 500" "reconnect_max_ms: 1000" "poll_interval_ms: 500"
t0=$(date +%s)
start_daemon "$T/a.yaml" --once
pid=$daemon_pid log=$daemon_log
wait_until "SELECT count(*) >= 2000 FROM claimscrub.claim WHERE status <> 'pending'" 60 ||
	not_ok "the daemon starts draining" "nothing scrubbed after 60 s"
before=$(psql_val "$pending_sql")
if pg_stop; then ok "server stopped (pg_ctl stop -m fast) with $before claims pending"; else
	not_ok "server stopped (pg_ctl stop -m fast)" "$(tail -n 5 "$T/pg/restart.log")"; fi
sleep "$down_s"
if daemon_exited "$pid"; then
	not_ok "the daemon waits out $down_s s without a server" "it exited with $(cat "$T/status.$pid")"
else
	ok "the daemon waits out $down_s s without a server (still running)"
fi
if pg_start; then ok "server started again"; else
	not_ok "server started again" "$(tail -n 5 "$T/pg/restart.log")"; fi
wait_daemon "$pid" 180
st=$?
if [ $st -eq 0 ]; then ok "the --once daemon reconnects by itself, finishes the drain and exits 0 ($(($(date +%s) - t0)) s)"; else
	not_ok "the --once daemon reconnects by itself, finishes the drain and exits 0" "exit $st"; tail_log "$log" 20; fi
downs=$(grep -c 'event=disconnected' "$log")
ups=$(grep -c 'event=connected' "$log")
if [ "$downs" -ge 2 ] && [ "$ups" -ge 2 ]; then ok "its log tells of the outage ($downs disconnected, $ups connected)"; else
	not_ok "its log tells of the outage" "disconnected $downs, connected $ups"; tail_log "$log" 20; fi
end_part "server stopped ${down_s} s" 1 "$log"

# ---- B. its backend terminated 15 times ----------------------------------------
gen_claims "$per_part" $next_ref || setup_failed "generating claims failed"
next_ref=$((next_ref + per_part))
write_config "$T/b.yaml" "batch_size: 500" "reconnect_max_ms: 200" "poll_interval_ms: 500" \
	"claim_lease_ms: 2000"
pauses=$(awk -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 15; i++) printf "%.2f ", 0.1 + rand() * 0.4 }')
# not --once: a fast drain may empty the queue between two top-ups, and a
# --once daemon would then exit and leave the next top-up to nobody
start_daemon "$T/b.yaml"
pid=$daemon_pid log=$daemon_log
killed=0 midway=0 seen=0
for pause in $pauses; do
	# the daemon connected again: a backend of its not killed before
	wait_until "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd'
	              AND pid <> ALL ('{$seen}'::int[]))" 10
	top_up 20000
	sleep "$pause"
	# a backend killed before and not gone yet (a loaded machine) is not
	# killed, nor counted, again: one kill, one disconnection
	out=$(psql_val "SELECT count(*) FILTER (WHERE t) || ' ' || coalesce(string_agg(pid::text, ',') FILTER (WHERE t), '')
	                  FROM (SELECT pid, CASE WHEN pid = ANY (string_to_array(:'seen', ',')::int[]) THEN false
	                                         ELSE pg_terminate_backend(pid) END AS t
	                          FROM pg_stat_activity WHERE application_name = 'claimscrubd') x" -v seen="$seen")
	k=${out%% *}
	[ -n "${out#* }" ] && seen="$seen,${out#* }"
	p=$(psql_val "$pending_sql")
	killed=$((killed + ${k:-0}))
	[ "${k:-0}" -gt 0 ] && [ "${p:-0}" -gt 0 ] && midway=$((midway + 1))
done
note "terminated $killed backends, $midway of them with claims pending"
if [ "$killed" -ge 15 ] && [ "$midway" -ge 10 ]; then ok "15 backends terminated during the drain ($midway with claims pending)"; else
	not_ok "15 backends terminated during the drain" "terminated $killed, with claims pending $midway"; fi
wait_until "$done_sql" 180 || note "still pending: $(psql_val "$pending_sql")"
stop_daemon "$pid"
st=$?
if [ $st -eq 0 ]; then ok "the daemon reconnects each time, drains the queue and exits 0 on SIGTERM"; else
	not_ok "the daemon reconnects each time, drains the queue and exits 0 on SIGTERM" "exit $st"; tail_log "$log" 20; fi
downs=$(grep -c 'event=disconnected' "$log")
if [ "$downs" -ge 15 ]; then ok "its log has the $downs disconnections"; else
	not_ok "its log has the disconnections" "$downs"; fi
end_part "pg_terminate_backend" "$killed" "$log"

# ---- C. lock and statement timeouts ---------------------------------------------
gen_claims "$per_part" $next_ref || setup_failed "generating claims failed"
next_ref=$((next_ref + per_part))
psql_val "
CREATE ROLE fault_d LOGIN IN ROLE claimscrub_daemon;
ALTER ROLE fault_d SET lock_timeout = '100ms';
ALTER ROLE fault_d SET statement_timeout = '1s';
CREATE TABLE public.fault_slow (on_ boolean NOT NULL);
INSERT INTO public.fault_slow VALUES (false);
CREATE FUNCTION public.fault_slow_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS \$\$
BEGIN
	IF (SELECT on_ FROM public.fault_slow) THEN
		PERFORM pg_sleep(1.2);
	END IF;
	RETURN NULL;
END \$\$;
CREATE TRIGGER fault_slow AFTER INSERT ON claimscrub.finding
	FOR EACH STATEMENT EXECUTE FUNCTION public.fault_slow_insert();" >/dev/null ||
	setup_failed "creating the timeout role and trigger failed"
write_config "$T/c.yaml" "batch_size: 200" "max_attempts: 2" "poll_interval_ms: 200" \
	"claim_lease_ms: 1000" "reconnect_max_ms: 500"
sed -i 's/user=postgres/user=fault_d/' "$T/c.yaml"
start_daemon "$T/c.yaml"
pid=$daemon_pid log=$daemon_log
wait_until "SELECT count(*) >= (SELECT count(*) FROM claimscrub.claim) - $per_part + 1000 FROM claimscrub.claim WHERE status <> 'pending'" 60 ||
	not_ok "the timeout daemon starts draining" "$(tail -n 3 "$log")"
episodes=0 midway=0
for round in 1 2 3; do
	for what in finding claim slow; do
		case $what in
		finding) sql="BEGIN; LOCK TABLE claimscrub.finding IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1.5); COMMIT;" ;;
		claim) sql="BEGIN; LOCK TABLE claimscrub.claim IN EXCLUSIVE MODE; SELECT pg_sleep(1.5); COMMIT;" ;;
		slow) sql="UPDATE public.fault_slow SET on_ = true; SELECT pg_sleep(1.5); UPDATE public.fault_slow SET on_ = false;" ;;
		esac
		top_up 3000
		p=$(psql_val "$pending_sql")
		psql_val "$sql" >/dev/null || not_ok "injecting $what (round $round)"
		episodes=$((episodes + 1))
		[ "${p:-0}" -gt 0 ] && midway=$((midway + 1))
		sleep 0.4
	done
done
note "$episodes timeout episodes, $midway with claims pending"
if [ "$midway" -ge 6 ]; then ok "$episodes timeout episodes, $midway of them during the drain"; else
	not_ok "timeout episodes during the drain" "$midway of $episodes with claims pending"; fi
if wait_until "$done_sql" 120; then ok "the daemon drains the queue after the timeouts"; else
	not_ok "the daemon drains the queue after the timeouts" "$(psql_val "$pending_sql") pending"; tail_log "$log" 20; fi
lockto=$(grep -c 'lock timeout' "$log")
stmtto=$(grep -c 'statement timeout' "$log")
note "log lines: lock timeout $lockto, statement timeout $stmtto"
if [ "$lockto" -ge 1 ] && [ "$stmtto" -ge 1 ]; then ok "lock and statement timeouts were hit ($lockto and $stmtto log lines)"; else
	not_ok "lock and statement timeouts were hit" "lock timeout lines $lockto, statement timeout lines $stmtto"; tail_log "$log" 20; fi
maxatt=$(psql_val "SELECT max(attempts) FROM claimscrub.claim")
if [ "$maxatt" = 0 ]; then ok "no claim is left with an attempt counted"; else
	not_ok "no claim is left with an attempt counted" "max attempts $maxatt"; fi
stop_daemon "$pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "the timeout daemon exits 0 on SIGTERM"; else not_ok "the timeout daemon exits 0 on SIGTERM" "exit $st"; fi
end_part "lock and statement timeouts" "$episodes" "$log"
finish

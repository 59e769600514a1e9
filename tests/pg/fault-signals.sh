#!/bin/sh
# fault-signals.sh — fault scenario 5: signals during a drain.
#   A. SIGHUP storm: 100 reloads of a long-running daemon draining claims
#      (2,000 more arrive whenever fewer than 1,000 are pending), cycling
#      through a good rule change (an 80-fault.yaml whose max_run_minutes
#      flips between 1439 and 1438: a new rule-set version, no verdict
#      changed), an unchanged set, and a broken set (90-bad.yaml with a YAML
#      syntax error).  No batch fails, every claim is written on its first
#      attempt, no claim is invalid; each broken set is refused with the old
#      rules kept in force, and the log (file:line of the error,
#      event=reload-refused) and /metrics (claimscrub_reloads_total by
#      outcome, claimscrub_rules_info) say so.
#   B. SIGTERM during a batch: the daemon's write is held up by a lock on
#      claimscrub.finding; SIGTERM arrives while it waits; the batch commits
#      when the lock goes, the daemon exits 0, no claim is half-written, and
#      a `--once` restart finishes the queue.
#   C. SIGTERM during a claim step that then fails (issue 14, item 11): the
#      claim step waits on a lock on claimscrub.claim; SIGTERM arrives while
#      it waits; then the step fails (its statement is cancelled).  With no
#      batch to finish, the daemon must exit 0 at once — not sit forever
#      with its poll timer stopped.
#   D. (once tests/pg/signals.sh) SIGTERM to a `--once` drain and SIGINT to
#      a long-running one, each once 2,000 claims are scrubbed: exit 0, the
#      batch in flight committed or rolled back whole (never half a batch);
#      a second `--once` run finishes the rest, the queue is consistent and
#      the three runs' logs add up to the claims, none scrubbed twice.
#      SIGTERM and SIGINT to an idle daemon: exit 0.
#   E. (once tests/pg/signals.sh) --check-config on good and bad
#      configurations (exit 0 / 2, errors naming FILE:LINE:COLUMN), -h, -V,
#      an unknown option.
# Prints TAP and the `# <scenario>: faults injected N, claims M, lost 0,
# duplicated 0` lines.
set -u
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"
claims=${FAULT_CLAIMS:-30000}
arrive=2000
reloads=100
port=$((40000 + $$ % 20000))
pending_sql="SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"

mkdir "$T/rules" && cp "$src"/rules.d/*.yaml "$T/rules/"
# the three sets the daemon can be in, to check its results against
for k in 0 1 2; do mkdir "$T/r$k" && cp "$src"/rules.d/*.yaml "$T/r$k/"; done
printf 'settings: {max_run_minutes: 1439}\n' >"$T/r1/80-fault.yaml"
printf 'settings: {max_run_minutes: 1438}\n' >"$T/r2/80-fault.yaml"
write_config "$T/d.yaml" "rules: [\"$T/rules\"]" "http_port: $port" "batch_size: 200" "poll_interval_ms: 300"
gen_claims "$claims" || setup_failed "generating $claims claims failed"
audit_install || setup_failed "installing the audit trigger failed"
start_daemon "$T/d.yaml"
pid=$daemon_pid log=$daemon_log
wait_until "SELECT count(*) > 0 FROM claimscrub.claim WHERE status <> 'pending'" 30 ||
	not_ok "the daemon starts draining" "$(tail -n 3 "$log")"

# ---- A. 100 reloads ----------------------------------------------------------
reload_count() { grep -Ec 'event=(reloaded|reload-refused)' "$log"; }
next=$((claims + 1)) good=0 same=0 broken=0 midway=0 lost_hup=""
t0=$(date +%s)
for i in $(seq 1 $reloads); do
	# more claims arrive whenever the queue runs low: a drain all along
	if [ "$(psql_val "$pending_sql")" -lt $((arrive / 2)) ]; then
		gen_claims $arrive $next || not_ok "claims arriving (reload $i)"
		next=$((next + arrive))
	fi
	case $((i % 3)) in
	1) rm -f "$T/rules/90-bad.yaml"
	   good=$((good + 1))
	   cp "$T/r$((2 - good % 2))/80-fault.yaml" "$T/rules/80-fault.yaml" ;;
	2) same=$((same + 1)) ;;
	0) printf 'settings: {push_max_minutes: [15\n' >"$T/rules/90-bad.yaml"
	   broken=$((broken + 1)) ;;
	esac
	[ "$(psql_val "$pending_sql")" -gt 0 ] && midway=$((midway + 1))
	kill -HUP "$pid"
	# one at a time: signals sent faster than the daemon handles them merge
	j=0
	while [ "$(reload_count)" -lt "$i" ] && [ $j -lt 200 ]; do sleep 0.05; j=$((j + 1)); done
	[ "$(reload_count)" -ge "$i" ] || lost_hup="$lost_hup $i"
done
rm -f "$T/rules/90-bad.yaml"
note "$reloads reloads in $(($(date +%s) - t0)) s: $good good changes, $same unchanged, $broken broken; $midway with claims pending"
if [ -z "$lost_hup" ]; then ok "the daemon handled all $reloads SIGHUPs"; else
	not_ok "the daemon handled all $reloads SIGHUPs" "no reload logged after SIGHUP $lost_hup"; fi
if [ "$midway" -ge $((reloads * 9 / 10)) ]; then ok "the reloads came during the drain ($midway of $reloads with claims pending)"; else
	not_ok "the reloads came during the drain" "$midway of $reloads with claims pending"; fi
applied=$(grep -c 'event=reloaded' "$log") refused=$(grep -c 'event=reload-refused' "$log")
if [ "$applied" -eq $((good + same)) ] && [ "$refused" -eq "$broken" ]; then
	ok "the log has $applied reloads applied and $refused refused"
else
	not_ok "the log has every reload's outcome" "applied $applied (want $((good + same))), refused $refused (want $broken)"
fi
why=$(grep -c '90-bad\.yaml:[0-9]*:[0-9]*: ' "$log")
if [ "$why" -ge "$broken" ]; then ok "the log says why each refused set was refused ($why lines naming 90-bad.yaml:LINE:COLUMN)"; else
	not_ok "the log says why each refused set was refused" "$why lines naming 90-bad.yaml"; fi
# the rules in force: the start's, then each applied reload's; a refused
# reload names the rules it kept, which must be the ones in force
kept=$(awk '
	{ ev = ""; v = ""
	  for (i = 1; i <= NF; i++) { if ($i ~ /^event=/) ev = substr($i, 7); if ($i ~ /^rules=/) v = substr($i, 7) } }
	ev == "reloaded" { if (v != cur) changed++; else unchanged++ }
	ev == "start" || ev == "reloaded" { cur = v; versions[v] = 1 }
	ev == "reload-refused" { n++; if (v == cur) k++ }
	END { c = 0; for (x in versions) c++; printf "%d %d %d %d %d\n", n, k, c, changed, unchanged }' "$log")
# shellcheck disable=SC2086
set -- $kept
if [ "$1" -eq "$broken" ] && [ "$2" -eq "$1" ]; then ok "every refused reload kept the rules in force ($2 of $1)"; else
	not_ok "every refused reload kept the rules in force" "refused $1, kept the rules in force $2"; fi
if [ "$3" -eq 3 ] && [ "$4" -eq "$good" ] && [ "$5" -eq "$same" ]; then
	ok "each good change gave a new rule-set version, each unchanged set the same ($4 and $5; 3 versions in all)"
else
	not_ok "each good change gave a new rule-set version, each unchanged set the same" \
		"versions $3 (want 3), changed $4 (want $good), unchanged $5 (want $same)"
fi
v0=$(grep -m 1 'event=start' "$log" | sed 's/.* rules=\([0-9a-f]*\).*/\1/')
v1=$(grep 'event=reloaded' "$log" | sed -n '1s/.* rules=\([0-9a-f]*\).*/\1/p')
v2=$(grep 'event=reloaded' "$log" | sed -n '3s/.* rules=\([0-9a-f]*\).*/\1/p')

if timeout 10 curl -s -o "$T/metrics" "http://127.0.0.1:$port/metrics"; then
	m_applied=$(sed -n 's/^claimscrub_reloads_total{outcome="applied"} //p' "$T/metrics")
	m_refused=$(sed -n 's/^claimscrub_reloads_total{outcome="refused"} //p' "$T/metrics")
	m_rules=$(sed -n 's/^claimscrub_rules_info{version="\([0-9a-f]*\)"} 1$/\1/p' "$T/metrics")
	last=$(grep 'event=reloaded' "$log" | tail -n 1 | sed 's/.* rules=\([0-9a-f]*\).*/\1/')
	if [ "$m_applied" = "$applied" ] && [ "$m_refused" = "$refused" ] && [ "$m_rules" = "$last" ]; then
		ok "/metrics: claimscrub_reloads_total applied $m_applied, refused $m_refused; rules_info the last applied set ($m_rules)"
	else
		not_ok "/metrics says how the reloads went" "applied ${m_applied:-none}, refused ${m_refused:-none}, rules ${m_rules:-none} (last applied $last)"
	fi
else
	not_ok "/metrics answers on port $port"
fi

if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 120; then
	ok "the daemon drains the queue"
else
	not_ok "the daemon drains the queue" "$(psql_val "$pending_sql") pending"
fi
bf=$(grep -c 'event=batch-failed' "$log")
if [ "$bf" -eq 0 ]; then ok "no batch failed during the reloads"; else not_ok "no batch failed during the reloads" "$bf batch failures" "$(grep 'event=batch-failed' "$log" | head -n 3)"; fi
r=$(psql_val "SELECT coalesce(max(attempts), 0) || ' ' || count(*) FILTER (WHERE attempts > 0) FROM public.fault_scrubs")
if [ "$r" = "0 0" ]; then ok "every claim was written on its first attempt"; else not_ok "every claim was written on its first attempt" "max attempts, claims with an attempt counted: $r"; fi
nv=$(psql_val "SELECT count(*) FILTER (WHERE rules_version = '$v0') || ' ' || count(*) FILTER (WHERE rules_version = '$v1')
               || ' ' || count(*) FILTER (WHERE rules_version = '$v2')
               || ' ' || count(*) FILTER (WHERE rules_version NOT IN ('$v0', '$v1', '$v2')) FROM claimscrub.claim")
# shellcheck disable=SC2086
set -- $nv
if [ "$1" -gt 0 ] && [ "$2" -gt 0 ] && [ "$3" -gt 0 ] && [ "$4" -eq 0 ]; then
	ok "claims were scrubbed under all three sets during the storm ($1, $2, $3 claims), none under another"
else
	not_ok "claims were scrubbed under all three sets during the storm, none under another" "$nv"
fi
consistency_check "after $reloads reloads"
audit_check
check "every claim has its template's verdict and findings" bulk_verdicts_ok
for k in 0 1 2; do
	case $k in 0) v=$v0 ;; 1) v=$v1 ;; *) v=$v2 ;; esac
	verify_results "c.id % 41 = 0 AND c.rules_version = '$v'" "a sample of results scrubbed under set $k (1 in 41)" "$T/r$k"
done
inv=$(invalid_claims)
if [ "$inv" -eq 0 ]; then ok "no claim is invalid"; else not_ok "no claim is invalid" "$inv" "$(invalid_sample)"; fi
fault_summary "SIGHUP storm" $reloads

# ---- B. SIGTERM while a batch waits on a lock -------------------------------------------
gen_claims 5000 $next || setup_failed "generating claims failed"
wait_until "SELECT count(*) > 0 FROM claimscrub.claim WHERE status <> 'pending' AND id >= $next" 30
psql_val "BEGIN; LOCK TABLE claimscrub.finding IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT;" >/dev/null &
locker=$!
if wait_until "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND wait_event_type = 'Lock')" 10; then
	ok "the daemon's batch waits on the lock"
else
	not_ok "the daemon's batch waits on the lock"
fi
kill -TERM "$pid"
wait "$locker"
wait_daemon "$pid" 30
st=$?
if [ $st -eq 0 ]; then ok "SIGTERM during the batch: exit 0"; else not_ok "SIGTERM during the batch: exit 0" "exit $st"; tail_log "$log"; fi
if grep -q 'event=stopping.*batch_in_flight=yes' "$log"; then ok "the log says the signal came with a batch in flight"; else
	not_ok "the log says the signal came with a batch in flight" "$(grep 'event=stopping' "$log")"; fi
if sed -n '/event=stopping/,$p' "$log" | grep -q 'event=batch '; then ok "the batch in flight committed before the exit"; else
	not_ok "the batch in flight committed before the exit" "$(sed -n '/event=stopping/,$p' "$log" | head -n 5)"; fi
r=$(psql_val "
SELECT count(*) FILTER (WHERE status = 'pending'),
       count(*) FILTER (WHERE status = 'pending' AND (result IS NOT NULL OR scrubbed_at IS NOT NULL
                        OR EXISTS (SELECT 1 FROM claimscrub.finding f WHERE f.claim_id = c.id))),
       count(*) FILTER (WHERE status <> 'pending' AND (scrubbed_version IS DISTINCT FROM version
                        OR status IS DISTINCT FROM result->>'verdict'
                        OR (SELECT count(*) FROM claimscrub.finding f
                             WHERE f.claim_id = c.id AND f.claim_version = c.version)
                           <> jsonb_array_length(result->'findings')))
  FROM claimscrub.claim c" -F ' ')
# shellcheck disable=SC2086
set -- $r
if [ "${2:-x}" = 0 ] && [ "${3:-x}" = 0 ] && [ "${1:-0}" -gt 0 ]; then ok "no half-written claim ($1 still pending)"; else
	not_ok "no half-written claim, some still pending" "pending ${1:-?}, pending but written ${2:-?}, scrubbed but inconsistent ${3:-?}"; fi
start_daemon "$T/d.yaml" --once
wait_daemon "$daemon_pid" 120
st=$?
if [ $st -eq 0 ]; then ok "a --once restart finishes the queue and exits 0"; else not_ok "a --once restart finishes the queue and exits 0" "exit $st"; tail_log "$daemon_log"; fi
consistency_check "after SIGTERM during a batch"
audit_check
verify_results "c.id >= $next" "the claims of the interrupted drain" "$T/rules"
check "the restart's log is key=value lines" log_is_keyvalue "$daemon_log"
fault_summary "SIGTERM during a batch" 1

# ---- C. SIGTERM during a claim step that fails --------------------------------------------
daemon_wait="SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND wait_event_type = 'Lock')"
start_daemon "$T/d.yaml"
pid=$daemon_pid log=$daemon_log
wait_until "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND state = 'idle')" 30 ||
	not_ok "the daemon connects" "$(tail -n 3 "$log")"
# the lock is held until the test lets go of it (pg_terminate_backend below)
PGAPPNAME=fault_locker psql_val "BEGIN; LOCK TABLE claimscrub.claim IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(55); COMMIT;" \
	>/dev/null 2>&1 &
locker=$!
# the poll timer (300 ms) starts a claim step, which waits on the lock
if wait_until "$daemon_wait" 30; then ok "the daemon's claim step waits on the lock"; else
	not_ok "the daemon's claim step waits on the lock" "$(tail -n 3 "$log")"; fi
kill -TERM "$pid"
if wait_log 'event=stopping .*batch_in_flight=yes' 30 "$log"; then ok "SIGTERM arrived during the claim step"; else
	not_ok "SIGTERM arrived during the claim step" "$(grep 'event=stopping' "$log")"; fi
psql_val "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'claimscrubd'" >/dev/null
wait_daemon "$pid" 30
st=$?
if [ $st -eq 0 ]; then ok "the claim step failed and the daemon exits 0"; else
	not_ok "the claim step failed and the daemon exits 0 (not within 30 s)" "exit $st"; tail_log "$log"; fi
if sed -n '/event=stopping/,$p' "$log" | grep -q 'event=claim-failed sqlstate=57014'; then ok "the log has the failed claim step after the signal"; else
	not_ok "the log has the failed claim step after the signal" "$(sed -n '/event=stopping/,$p' "$log" | head -n 5)"; fi
psql_val "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fault_locker'" >/dev/null
wait "$locker"
consistency_check "after SIGTERM during a failing claim step"
audit_check
check "its log is key=value lines" log_is_keyvalue "$log"
fault_summary "SIGTERM during a failing claim step" 1

# ---- D. signals ending a drain (signals.sh's scenario: 20,000 more
# claims, batches of 100, the source tree's rules) ------------------------------
claims_d=20000
# half_done_ok LABEL — after an interrupted drain: every claim is either
# untouched (pending, no result, no finding rows) or completely scrubbed
half_done_ok() {
	_label=$1
	_r=$(psql_val "
SELECT count(*) FILTER (WHERE status = 'pending'),
       count(*) FILTER (WHERE status = 'pending' AND (result IS NOT NULL OR scrubbed_at IS NOT NULL
                        OR EXISTS (SELECT 1 FROM claimscrub.finding f WHERE f.claim_id = c.id))),
       count(*) FILTER (WHERE status <> 'pending' AND (scrubbed_version IS DISTINCT FROM version
                        OR status IS DISTINCT FROM result->>'verdict'
                        OR (SELECT count(*) FROM claimscrub.finding f
                             WHERE f.claim_id = c.id AND f.claim_version = c.version)
                           <> jsonb_array_length(result->'findings')))
  FROM claimscrub.claim c" -F ' ')
	# shellcheck disable=SC2086
	set -- $_r
	if [ "${2:-x}" = 0 ] && [ "${3:-x}" = 0 ]; then
		ok "$_label: no half-scrubbed claim ($1 still pending)"
	else
		not_ok "$_label: no half-scrubbed claim" "pending $1, pending but written ${2:-?}, scrubbed but inconsistent ${3:-?}"
	fi
	left=${1:-0}
}

# interrupt SIGNAL MODE — a daemon (MODE: --once, or "" for long-running)
# draining the queue gets SIGNAL once 2000 claims are scrubbed; it must exit 0
interrupt() {
	sig=$1; shift
	start_daemon "$T/claimscrubd.yaml" "$@"
	_pid=$daemon_pid _log=$daemon_log
	_done0=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status <> 'pending'")
	wait_until "SELECT count(*) >= $_done0 + 2000 FROM claimscrub.claim WHERE status <> 'pending'" 60
	kill -"$sig" "$_pid"
	wait_daemon "$_pid" 30
	_st=$?
	if [ $_st -eq 0 ]; then ok "SIG$sig during a drain (${1:-long-running}): exit 0"; else
		not_ok "SIG$sig during a drain (${1:-long-running}): exit 0" "exit $_st"; tail_log "$_log"; fi
	scrubbed_total=$((scrubbed_total + $(scrubbed_in_log "$_log")))
	check "SIG$sig: its log is key=value lines" log_is_keyvalue "$_log"
}

gen_claims $claims_d $((next + 5000)) || setup_failed "generating $claims_d claims failed"
write_config "$T/claimscrubd.yaml" "batch_size: 100"
scrubbed_total=0

# ---- SIGTERM to --once, SIGINT to a long-running daemon --------------------------
interrupt TERM --once
half_done_ok "after SIGTERM"
[ "$left" -gt 0 ] || note "(the drain had ended before SIGTERM arrived: nothing was left to interrupt)"
interrupt INT
half_done_ok "after SIGINT"
[ "$left" -gt 0 ] || note "(the drain had ended before SIGINT arrived: nothing was left to interrupt)"

# ---- a second --once run finishes -------------------------------------------------
start_daemon "$T/claimscrubd.yaml" --once
wait_daemon "$daemon_pid" 120
st=$?
if [ $st -eq 0 ]; then ok "a second --once run finishes the rest and exits 0"; else
	not_ok "a second --once run finishes the rest and exits 0" "exit $st"; tail_log "$daemon_log"; fi
scrubbed_total=$((scrubbed_total + $(scrubbed_in_log "$daemon_log")))
consistency_check "after the interrupted drains"
check "every claim has its template's verdict and findings" bulk_verdicts_ok
if [ "$scrubbed_total" -eq $claims_d ]; then ok "the three runs' logs add up to $claims_d claims: none scrubbed twice"; else
	not_ok "the three runs' logs add up to $claims_d claims" "they add up to $scrubbed_total"; fi

# ---- idle daemons ---------------------------------------------------------------------
for sig in TERM INT; do
	start_daemon "$T/claimscrubd.yaml"
	# idle: connected, its statement done, nothing pending to claim
	wait_until "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND state = 'idle')" 30
	stop_daemon "$daemon_pid" $sig
	st=$?
	if [ $st -eq 0 ]; then ok "SIG$sig to an idle daemon: exit 0"; else
		not_ok "SIG$sig to an idle daemon: exit 0" "exit $st"; tail_log "$daemon_log"; fi
done

# ---- stop signals again and again while it stops ---------------------------------------
# A daemon already stopping must not be killed by the next SIGTERM
# (timeout(1) sends one to its whole group after passing the first on,
# systemd may send more): libevent put the default action back as the
# daemon freed its events, and a late signal made a clean exit 143
# (daemon/stopsig.h).  SIGTERM in a loop until it is gone, a bounded one.
start_daemon "$T/claimscrubd.yaml"
wait_until "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND state = 'idle')" 30
term_until_gone "$daemon_pid"
wait_daemon "$daemon_pid" 30
st=$?
if [ $st -eq 0 ]; then ok "SIGTERM again and again while it stops ($term_sent sent): exit 0"; else
	not_ok "SIGTERM again and again while it stops: exit 0" "exit $st after $term_sent SIGTERMs"; tail_log "$daemon_log"; fi

# ---- E. --check-config, -h, -V -------------------------------------------------------------
# cc NAME WANT_EXIT CONFIG [STDERR-PATTERN] — claimscrubd --check-config -c CONFIG
cc() {
	timeout 30 "$CLAIMSCRUBD" --check-config -c "$3" </dev/null >"$T/cc.out" 2>"$T/cc.err"
	_st=$?
	if [ $_st -ne "$2" ]; then
		not_ok "--check-config, $1: exit $2" "exit $_st" "$(head -n 3 "$T/cc.err")"
	elif [ -n "${4:-}" ] && ! grep -Eq "$4" "$T/cc.err"; then
		not_ok "--check-config, $1: error /$4/" "stderr: $(head -c 300 "$T/cc.err")"
	else
		ok "--check-config, $1: exit $2${4:+, $(head -n 1 "$T/cc.err" | sed "s|$T/||")}"
	fi
}
esc() { printf '%s' "$1" | sed 's/[.[\*^$()+?{|]/\\&/g'; }
c="$T/cfg"
mkdir "$c"
write_config "$c/good.yaml" "batch_size: 200" "poll_interval_ms: 5000" "max_attempts: 5" \
	"reconnect_max_ms: 30000" "log_level: debug"
cc "good configuration" 0 "$c/good.yaml"
grep -q ok "$T/cc.out" && ok "--check-config says the configuration is ok" ||
	not_ok "--check-config says the configuration is ok" "stdout: $(head -c 200 "$T/cc.out")"
printf 'batch_size: 100\npoll_interval_ms: 1000\nbatch_sise: 10\n' >"$c/unknown.yaml"
cc "unknown key" 2 "$c/unknown.yaml" "^$(esc "$c/unknown.yaml"):3:1: .*batch_sise"
printf 'log_level: info\nbatch_size: many\n' >"$c/type.yaml"
cc "wrong type" 2 "$c/type.yaml" "^$(esc "$c/type.yaml"):2:13: .*batch_size"
printf 'batch_size: 0\n' >"$c/range.yaml"
cc "out of range" 2 "$c/range.yaml" "^$(esc "$c/range.yaml"):1:13: .*batch_size"
printf 'log_level: loud\n' >"$c/enum.yaml"
cc "unknown log level" 2 "$c/enum.yaml" "^$(esc "$c/enum.yaml"):1:12: .*log_level"
printf 'rules: [a, b\n' >"$c/syntax.yaml"
cc "bad YAML" 2 "$c/syntax.yaml" "^$(esc "$c/syntax.yaml"):[0-9]+:[0-9]+: "
printf 'rules: ["%s/none"]\n' "$c" >"$c/norules.yaml"
cc "missing rule directory" 2 "$c/norules.yaml" "none"
mkdir "$c/rules" && cp "$src"/rules.d/*.yaml "$c/rules/"
printf 'settings: {push_max_minuets: 15}\n' >"$c/rules/95-test.yaml"
printf 'rules: ["%s/rules"]\n' "$c" >"$c/badrules.yaml"
cc "bad rule file" 2 "$c/badrules.yaml" "95-test\\.yaml:1:12: .*push_max_minuets"
cc "missing configuration file" 2 "$c/nonexistent.yaml" "nonexistent\\.yaml"

timeout 10 "$CLAIMSCRUBD" -h </dev/null >"$T/h.out" 2>&1
st=$?
[ $st -eq 0 ] && grep -q 'Usage: claimscrubd' "$T/h.out" && ok "-h prints usage, exit 0" ||
	not_ok "-h prints usage, exit 0" "exit $st"
timeout 10 "$CLAIMSCRUBD" -V </dev/null >"$T/v.out" 2>&1
st=$?
[ $st -eq 0 ] && grep -Eq '^claimscrubd [0-9]+\.[0-9]+' "$T/v.out" && ok "-V prints the version, exit 0" ||
	not_ok "-V prints the version, exit 0" "exit $st: $(head -c 100 "$T/v.out")"
timeout 10 "$CLAIMSCRUBD" --no-such-option </dev/null >/dev/null 2>&1
st=$?
[ $st -eq 2 ] && ok "an unknown option exits 2" || not_ok "an unknown option exits 2" "exit $st"
finish


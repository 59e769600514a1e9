#!/bin/sh
# http.sh — /healthz and /metrics of a running daemon: the exposition passes
# `promtool check metrics` and its counters equal the database after a drain;
# /healthz answers while a batch is blocked on a locked table,
# and says 503 with the reason while the database is down; other paths are
# 404, other methods 405; an oversized request is refused and a client that
# sends nothing does not stop the others.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null 2>&1 || setup_failed "promtool is missing (apt-get install prometheus)"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"
command -v bash >/dev/null 2>&1 || setup_failed "bash is missing"

# a port of our own: two test runs at once must not meet
port=$(free_port)
url="http://127.0.0.1:$port"
write_config "$T/d.yaml" "http_port: $port" "poll_interval_ms: 500" "batch_size: 100"
start_daemon "$T/d.yaml"
pid=$daemon_pid
get() { timeout 10 curl -s -o "$T/body" -w '%{http_code} %{time_total}' "$@"; }

# before any batch: no time of the last one (a 0 would read as 1970)
scraped() { [ "$(get "$url/metrics" | cut -d' ' -f1)" = 200 ]; }
wait_for 30 scraped || setup_failed "/metrics never answered 200"
if grep -q '^claimscrub_start_timestamp_seconds ' "$T/body" &&
	! grep -q '^claimscrub_last_batch_timestamp_seconds' "$T/body"; then
	ok "before the first batch: no claimscrub_last_batch_timestamp_seconds"
else
	not_ok "before the first batch: no claimscrub_last_batch_timestamp_seconds" "$(grep '_timestamp_seconds' "$T/body")"
fi
# every finding of the shipped rules has its series from the start, at 0
# (rate() and absent() need one): rule and severity as rules.d says
awk '/^findings:/ {in_f = 1; next} /^[^ #]/ {in_f = 0}
     in_f && /^  [a-z0-9-]+:$/ {r = $1; sub(":", "", r)}
     in_f && /^    severity: / {print r " " $2 " 0"}' "$src/rules.d/30-findings.yaml" | sort >"$T/f_rules"
sed -n 's/^claimscrub_findings_total{rule="\([^"]*\)",severity="\([^"]*\)"} \([0-9]*\)$/\1 \2 \3/p' \
	"$T/body" | sort >"$T/f_zero"
if [ "$(wc -l <"$T/f_rules")" -ge 20 ] && cmp -s "$T/f_rules" "$T/f_zero"; then
	ok "before the first batch: claimscrub_findings_total at 0 for each of the $(wc -l <"$T/f_rules") findings at its severity"
else
	not_ok "before the first batch: claimscrub_findings_total at 0 for each finding at its severity" \
		"$(diff "$T/f_rules" "$T/f_zero" | head -n 8)"
fi

gen_claims 2000
wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 60 ||
	not_ok "the daemon drains 2000 claims" "$(tail -n 5 "$daemon_log")"
# the depth gauge is sampled with the next claim step
depth0() { get "$url/metrics" >/dev/null && grep -q '^claimscrub_queue_depth 0$' "$T/body"; }
wait_for 30 depth0

set -- $(get "$url/healthz")
if [ "${1:-}" = 200 ] && grep -q '^ok' "$T/body"; then ok "/healthz: 200 ok"; else
	not_ok "/healthz: 200 ok" "got ${1:-none}: $(head -c 200 "$T/body")"; fi

set -- $(get "$url/metrics")
cp "$T/body" "$T/metrics"
if [ "${1:-}" = 200 ] && promtool check metrics <"$T/metrics" >"$T/promtool.out" 2>&1; then
	ok "/metrics passes promtool check metrics"
else
	not_ok "/metrics passes promtool check metrics" "status ${1:-none}" "$(head -n 10 "$T/promtool.out")"
fi

# counters against the database
m_claims=$(awk '/^claimscrub_claims_scrubbed_total/ {s += $2} END {print s + 0}' "$T/metrics")
db_claims=$(psql_val "SELECT count(*) FROM claimscrub.claim")
[ "$m_claims" = "$db_claims" ] && ok "claims scrubbed: metrics $m_claims = database $db_claims" ||
	not_ok "claims scrubbed: metrics = database" "metrics $m_claims, database $db_claims"
for v in clean flagged invalid; do
	mv=$(awk -v v="$v" -F'[{}" ]+' '$1 == "claimscrub_claims_scrubbed_total" && $3 == v {print $4}' "$T/metrics")
	dv=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = '$v'")
	[ "${mv:-0}" = "$dv" ] && ok "verdict $v: $dv" || not_ok "verdict $v" "metrics ${mv:-none}, database $dv"
done
# the process_* figures, against the daemon's own /proc: its descriptors
# (give or take the scrape's), its resident memory (the same order), CPU
rss=$(sed -n 's/^process_resident_memory_bytes //p' "$T/metrics")
fds=$(sed -n 's/^process_open_fds //p' "$T/metrics")
cpu=$(sed -n 's/^process_cpu_seconds_total //p' "$T/metrics")
prss=$(awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$pid/status") pfds=$(ls "/proc/$pid/fd" | wc -l)
if [ -n "$rss" ] && [ -n "$fds" ] && [ -n "$cpu" ] &&
	awk -v r="$rss" -v pr="$prss" -v f="$fds" -v pf="$pfds" -v c="$cpu" \
		'BEGIN { exit !(r > pr / 2 && r < pr * 2 && f >= pf - 3 && f <= pf + 3 && c > 0 && c < 600) }'; then
	ok "process_*: resident $rss bytes (/proc $prss), $fds descriptors (/proc $pfds), $cpu s of CPU"
else
	not_ok "process_* agree with /proc" "resident ${rss:-none} (/proc $prss), descriptors ${fds:-none} (/proc $pfds), CPU ${cpu:-none}"
fi
# each claim written once through write_batch: its wait, submit to commit,
# counted once, cumulative buckets, +Inf the count
awk -v want="$db_claims" '
	/^claimscrub_claim_wait_seconds_bucket/ { v = $2 + 0; if (v < last) bad = 1; last = v;
		if ($1 ~ /le="\+Inf"/) inf = v }
	/^claimscrub_claim_wait_seconds_sum/ { sum = $2 }
	/^claimscrub_claim_wait_seconds_count/ { count = $2 }
	END { print (!bad && inf == count && count == want && sum > 0) ? "yes" : "no", count + 0, sum + 0 }' \
	"$T/metrics" >"$T/wait"
if [ "$(cut -d' ' -f1 "$T/wait")" = yes ]; then
	ok "claimscrub_claim_wait_seconds: one wait for each of the $db_claims claims (count, sum: $(cut -d' ' -f2- "$T/wait"))"
else
	not_ok "claimscrub_claim_wait_seconds counts each claim written once" "count, sum: $(cut -d' ' -f2- "$T/wait"), claims $db_claims" \
		"$(grep '^claimscrub_claim_wait' "$T/metrics" | head -n 20)"
fi
# the daemon's version, and when its last batch committed: after it started,
# not after now
v=$("$CLAIMSCRUBD" --version | awk '{print $NF; exit}')
if grep -qx "claimscrub_build_info{version=\"$v\"} 1" "$T/metrics"; then ok "claimscrub_build_info{version=\"$v\"} 1"; else
	not_ok "claimscrub_build_info names the daemon's version ($v)" "$(grep build_info "$T/metrics")"; fi
st=$(sed -n 's/^claimscrub_start_timestamp_seconds //p' "$T/metrics")
lb=$(sed -n 's/^claimscrub_last_batch_timestamp_seconds //p' "$T/metrics")
if [ -n "$st" ] && [ -n "$lb" ] && awk -v s="$st" -v b="$lb" -v n="$(date +%s)" 'BEGIN { exit !(b >= s && b <= n + 1) }'; then
	ok "claimscrub_last_batch_timestamp_seconds $lb: after the start ($st), not after now"
else
	not_ok "claimscrub_last_batch_timestamp_seconds between the start and now" "start ${st:-none}, last batch ${lb:-none}"
fi
sed -n 's/^claimscrub_findings_total{rule="\([^"]*\)",severity="\([^"]*\)"} \([1-9][0-9]*\)$/\1 \2 \3/p' \
	"$T/metrics" | sort >"$T/m_findings"
psql_val "SELECT rule || ' ' || severity || ' ' || count(*) FROM claimscrub.finding
	   GROUP BY rule, severity ORDER BY 1" | sort >"$T/db_findings"
if [ -s "$T/db_findings" ] && cmp -s "$T/m_findings" "$T/db_findings"; then
	ok "findings by rule and severity equal the finding table ($(wc -l <"$T/db_findings") series)"
else
	not_ok "findings by rule and severity equal the finding table" "$(diff "$T/db_findings" "$T/m_findings" | head -n 8)"
fi
# gen_claims' payers: medicare (templates 0, 1, 3) has a profile, aetna
# (templates 2 and 4: 800 of the 2000) has none and is judged by default
um=$(sed -n 's/^claimscrub_unmapped_payers_total \([0-9]*\)$/\1/p' "$T/metrics")
[ "$um" = 800 ] && ok "unmapped payers: the 800 aetna claims" ||
	not_ok "unmapped payers: the 800 aetna claims" "metric ${um:-none}"
grep -q '^claimscrub_queue_depth 0$' "$T/metrics" && ok "queue depth 0 after the drain" ||
	not_ok "queue depth 0 after the drain" "$(grep queue_depth "$T/metrics")"
grep -q '^claimscrub_database_connected 1$' "$T/metrics" && ok "database_connected 1" ||
	not_ok "database_connected 1"

# ---- answered while a batch is blocked --------------------------------------
# The lock is held until the probes are done (then cancelled), so a daemon
# whose loop waited on its query could not answer at all: the probes ask for
# a 200 within curl's 5 s, and the worst time is reported, not bounded.
lock_held finding || not_ok "the test's lock on claimscrub.finding is taken"
gen_claims 50 100000
wait_until "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND wait_event_type = 'Lock'" 30
blocked=$(psql_val "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND wait_event_type = 'Lock'")
failed=0 worst=0
for i in 1 2 3 4 5; do
	set -- $(get --max-time 5 "$url/healthz")
	[ "${1:-}" = 200 ] || failed=$((failed + 1))
	us=$(awk -v t="${2:-9}" 'BEGIN {printf "%d", t * 1000000}')
	[ "$us" -gt "$worst" ] && worst=$us
done
worst=$(awk -v u="$worst" 'BEGIN {printf "%.1f", u / 1000}')
still=$(psql_val "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'claimscrubd' AND wait_event_type = 'Lock'")
if [ "$blocked" -ge 1 ] && [ "$still" -ge 1 ] && [ "$failed" -eq 0 ]; then
	ok "/healthz answers 200 while the batch waits on a lock (5 probes, worst $worst ms)"
else
	not_ok "/healthz answers while a batch is blocked" \
		"daemon backends waiting on a lock: $blocked before the probes, $still after; failed: $failed; worst $worst ms"
fi
lock_release
wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 60 &&
	ok "the blocked batch finishes once the lock is gone" || not_ok "the blocked batch finishes"

# ---- other paths, methods, abuse ------------------------------------------
set -- $(get "$url/nope"); [ "${1:-}" = 404 ] && ok "unknown path: 404" || not_ok "unknown path: 404" "got ${1:-none}"
set -- $(get -X POST "$url/metrics"); [ "${1:-}" = 405 ] && ok "POST /metrics: 405" || not_ok "POST /metrics: 405" "got ${1:-none}"
set -- $(get -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$url/healthz")
case ${1:-} in 4*) ok "a 20 kB header is refused (${1})" ;; *) not_ok "a 20 kB header is refused" "got ${1:-none}" ;; esac
# (bash: its /dev/tcp opens a connection that then sends nothing)
bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && sleep 3" 2>/dev/null &
idle=$!
sleep 0.3
set -- $(get "$url/healthz")
[ "${1:-}" = 200 ] && ok "a client that sends nothing does not block others" || not_ok "a silent client blocks others" "got ${1:-none}"
kill "$idle" 2>/dev/null

# ---- database down: 503 with the reason --------------------------------------
as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -w -t 60 -m fast stop </dev/null >/dev/null 2>&1
down() { [ "$(get "$url/healthz" | cut -d' ' -f1)" = 503 ]; }
wait_for 30 down
set -- $(get "$url/healthz")
if [ "${1:-}" = 503 ] && grep -q "database not connected" "$T/body"; then
	ok "database down: 503 ($(head -c 80 "$T/body" | tr -d '\n'))"
else
	not_ok "database down: 503 with the reason" "got ${1:-none}: $(head -c 200 "$T/body")"
fi
as_pg "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 -o "$pg_opts" start </dev/null >/dev/null 2>&1
i=0; code=0
while [ $i -lt 100 ]; do set -- $(get "$url/healthz"); code=${1:-0}; [ "$code" = 200 ] && break; sleep 0.2; i=$((i + 1)); done
[ "$code" = 200 ] && ok "back to 200 after the database returns" || not_ok "back to 200 after the database returns" "got $code"
grep -q '^claimscrub_reconnects_total [1-9]' "$T/body" 2>/dev/null || get "$url/metrics" >/dev/null
grep -q '^claimscrub_reconnects_total [1-9]' "$T/body" && ok "the reconnect is counted" ||
	not_ok "the reconnect is counted" "$(grep reconnects "$T/body")"

stop_daemon "$pid"; st=$?
[ "$st" -eq 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit 0" "status $st"
finish

#!/bin/sh
# signals.sh — SIGTERM and SIGINT during a drain end the daemon with status
# 0, its batch in flight committed or rolled back whole (never half a
# batch); a second `--once` run finishes the rest and the queue is then
# consistent, no claim scrubbed twice.  Also --check-config on good and bad
# configurations (exit 0 / 2, errors naming FILE:LINE:COLUMN), -h, -V.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
claims=20000

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

gen_claims $claims || setup_failed "generating $claims claims failed"
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
if [ "$scrubbed_total" -eq $claims ]; then ok "the three runs' logs add up to $claims claims: none scrubbed twice"; else
	not_ok "the three runs' logs add up to $claims claims" "they add up to $scrubbed_total"; fi

# ---- idle daemons ---------------------------------------------------------------------
for sig in TERM INT; do
	start_daemon "$T/claimscrubd.yaml"
	wait_until "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'claimscrubd')" 30
	sleep 0.3
	stop_daemon "$daemon_pid" $sig
	st=$?
	if [ $st -eq 0 ]; then ok "SIG$sig to an idle daemon: exit 0"; else
		not_ok "SIG$sig to an idle daemon: exit 0" "exit $st"; tail_log "$daemon_log"; fi
done

# ---- --check-config, -h, -V ----------------------------------------------------------------
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

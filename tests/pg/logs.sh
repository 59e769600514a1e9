#!/bin/sh
# logs.sh — the daemon's log as an operator reads it: each line starts with
# its time in UTC (ts=...Z) unless standard error is the journal (then its
# priority, <6>, and no time); at info a batch is no line of its own, and
# a summary every log_summary_seconds says what was done (the 18 sample
# claims of examples/: 8 clean, 10 flagged, as workflow.sh counts them)
# and how far behind the queue is; log_format: json is one JSON object a
# line with numbers as numbers and quoted values unescaped.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

# summed KEY LOG — KEY= summed over LOG's event=summary lines
summed() { sed -n "s/.* event=summary .* $1=\([0-9]*\).*/\1/p" "$2" | awk '{ s += $1 } END { print s + 0 }'; }

# ---- logfmt at info, a summary a second -----------------------------------------------------
write_config "$T/d.yaml" "log_level: info" "log_summary_seconds: 1"
start_daemon "$T/d.yaml"
wait_log 'event=connected' 60 || { tail_log "$daemon_log"; setup_failed "the daemon did not connect"; }
timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$src"/examples/[0-9]*.yaml \
	</dev/null >"$T/submit.out" 2>&1 || setup_failed "submit failed: $(tail -n 3 "$T/submit.out")"
wait_for 60 sh -c "[ \"\$(sed -n 's/.* event=summary .* claims=\([0-9]*\).*/\1/p' '$daemon_log' | awk '{ s += \$1 } END { print s + 0 }')\" -ge 18 ]" ||
	{ tail_log "$daemon_log" 20; not_ok "the summaries count the 18 claims"; }
same "the summaries: 18 claims, 8 clean, 10 flagged, none invalid" \
	"$(summed claims "$daemon_log") $(summed clean "$daemon_log") $(summed flagged "$daemon_log") $(summed invalid "$daemon_log")" \
	"18 8 10 0"
grep -q ' event=summary seconds=[0-9]* claims=[0-9]* per_min=[0-9.]* .* pending=[0-9]* oldest_pending_s=[0-9.]*$' "$daemon_log" &&
	ok "a summary gives the period, claims a minute and the queue's lag" ||
	not_ok "a summary gives the period, claims a minute and the queue's lag" "$(grep summary "$daemon_log" | head -n 2)"
same "at info no batch has a line of its own" "$(grep -c 'event=batch ' "$daemon_log")" 0
# idle for a few summary periods: none of them may have a line (an
# absence takes a wait; on a loaded machine it spans fewer periods)
sleep 3
stop_daemon "$daemon_pid"
n_lines=$(wc -l <"$daemon_log")
same "every line starts with its time in UTC, then key=value pairs" \
	"$(grep -Ec '^ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z level=(debug|info|warning|error) event=' "$daemon_log") $(log_is_keyvalue "$daemon_log" && echo kv)" \
	"$n_lines kv"
idle=$(grep 'event=summary' "$daemon_log" | grep ' claims=0 .* pending=0 ')
grep -q 'event=summary' "$daemon_log" && [ -z "$idle" ] &&
	ok "no summary of a period with nothing done and nothing pending" ||
	not_ok "no summary of a period with nothing done and nothing pending" "$idle"

# ---- under journald: the priority, no time ---------------------------------------------------
write_config "$T/j.yaml" "log_summary_seconds: 0"
JOURNAL_STREAM=8:1234 start_daemon "$T/j.yaml" --once
wait_daemon "$daemon_pid" 60 || { tail_log "$daemon_log"; not_ok "claimscrubd --once under JOURNAL_STREAM"; }
same "under journald each line starts with its priority and no time" \
	"$(grep -Ec '^<[3-7]>level=' "$daemon_log") $(grep -Ec '(^|[> ])ts=' "$daemon_log")" "$(wc -l <"$daemon_log") 0"

# ---- JSON ---------------------------------------------------------------------------------
psql_val "BEGIN; SET LOCAL claimscrub.submitting = 'on';
	  UPDATE claimscrub.claim SET version = version + 1, status = 'pending'
	   WHERE claim_ref IN ('IC-2026-0301', 'IC-2026-0305'); COMMIT" >/dev/null
write_config "$T/json.yaml" "log_format: json" "log_summary_seconds: 0"
start_daemon "$T/json.yaml" --once
wait_daemon "$daemon_pid" 60 || { tail_log "$daemon_log"; not_ok "claimscrubd --once, log_format: json"; }
out=$(python3 - "$daemon_log" <<'PY'
import json, re, sys
bad, seen = [], {}
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        o = json.loads(line)
    except ValueError as e:
        bad.append(f"not JSON ({e}): {line.strip()}")
        continue
    if not (re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o.get("ts", ""))
            and o.get("level") in ("debug", "info", "warning", "error") and o.get("event")):
        bad.append(f"no ts, level and event: {line.strip()}")
    seen[o.get("event")] = o
b, e = seen.get("batch", {}), seen.get("exit", {})
print(" ".join(bad[:3]) or "ok",
      type(b.get("claims")).__name__, b.get("claims"), e.get("claims"),
      type(seen.get("start", {}).get("version")).__name__)
PY
)
same "log_format json: every line one object with ts, level and event; numbers as numbers, text as strings" \
	"$out" "ok int 2 2 str"
finish

#!/bin/sh
# stall.sh — stalls are visible (issue 14, item 15) and a batch of big
# claims does not stop the event loop (item 10).
#
#  1. claim steps that fail (claim_batch() renamed away, as a broken
#     migration or a revoked grant would do): /healthz turns 503 "stalled:
#     no claim step has succeeded ..." once stall_seconds pass, and
#     /metrics counts the failures, says stalled, and still gives the queue
#     depth (its own statement, ahead of the failing one); once the function
#     is back the claims drain and /healthz is 200 again.
#  2. a claim step held in flight (the batch table locked by its owner):
#     /healthz says "stalled: claiming for N s" while it waits, before the
#     lock times out; then the claims drain.
#  3. a batch of 60 claims of 1,000 pushes of one drug (the engine's worst
#     claim under the default limits): /metrics answers while the batch is
#     being scrubbed (step "scrubbing", seen from outside: the loop ran
#     between slices), and the batch took more than one slice.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"

port=$(free_port 21000)
url="http://127.0.0.1:$port"
write_config "$T/d.yaml" "http_port: $port" "poll_interval_ms: 200" "stall_seconds: 2"
start_daemon "$T/d.yaml"
pid=$daemon_pid
get() { timeout 10 curl -s -o "$1" -w '%{http_code}' "$url/$2"; }
healthz_says() { [ "$(get "$T/h" healthz)" = "$1" ] && grep -q -- "$2" "$T/h"; }
metric() { get "$T/m" metrics >/dev/null && awk -v k="$1" '$1 == k {print $2}' "$T/m"; }
wait_for 30 healthz_says 200 '^ok' || setup_failed "the daemon did not come up: $(tail -n 5 "$daemon_log")"

# ---- 1. failing claim steps ----------------------------------------------------------
psql_val "ALTER FUNCTION claimscrub.claim_batch(integer, double precision, integer, integer, text)
	  RENAME TO claim_batch_away" >/dev/null || setup_failed "cannot rename claim_batch"
gen_claims 20
if wait_for 30 healthz_says 503 'stalled: no claim step has succeeded'; then
	ok "failing claim steps: /healthz 503 after stall_seconds ($(head -c 160 "$T/h"))"
else
	not_ok "failing claim steps: /healthz 503 after stall_seconds" "$(cat "$T/h")"
fi
fails=$(metric claimscrub_claim_step_failures_total)
[ "${fails:-0}" -ge 1 ] && ok "claim step failures counted ($fails)" ||
	not_ok "claim step failures counted" "$(grep claim_step "$T/m")"
[ "$(metric claimscrub_stalled)" = 1 ] && ok "claimscrub_stalled 1" || not_ok "claimscrub_stalled 1"
depth=$(metric claimscrub_queue_depth)
[ "${depth:-x}" = 20 ] && ok "queue depth known while claim steps fail: 20" ||
	not_ok "queue depth known while claim steps fail" "got ${depth:-none}"
age=$(metric claimscrub_seconds_since_progress)
awk -v a="${age:-0}" 'BEGIN {exit !(a >= 2)}' && ok "seconds since progress past stall_seconds ($age)" ||
	not_ok "seconds since progress past stall_seconds" "got ${age:-none}"
psql_val "ALTER FUNCTION claimscrub.claim_batch_away(integer, double precision, integer, integer, text)
	  RENAME TO claim_batch" >/dev/null
wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 60 &&
	ok "the claims drain once the function is back" || not_ok "the claims drain once the function is back"
wait_for 30 healthz_says 200 '^ok' && ok "/healthz 200 again" || not_ok "/healthz 200 again" "$(cat "$T/h")"
[ "$(metric claimscrub_stalled)" = 0 ] && ok "claimscrub_stalled 0" || not_ok "claimscrub_stalled 0"

# ---- 2. a claim step held in flight -------------------------------------------------
# The owner locks the lease table; claim_batch() waits for it up to its
# lock timeout (5 s), longer than stall_seconds.
timeout 60 "$PSQL" -X -q -At -c "BEGIN; LOCK TABLE claimscrub.batch IN ACCESS EXCLUSIVE MODE;
	SELECT pg_sleep(4); COMMIT;" >/dev/null 2>&1 &
locker=$!
wait_until "SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	     WHERE c.relname = 'batch' AND l.mode = 'AccessExclusiveLock' AND l.granted" 30 ||
	not_ok "the batch table is locked"
gen_claims 5 1000
if wait_for 30 healthz_says 503 'stalled: claiming for'; then
	ok "a claim step waiting on a lock: /healthz 503 ($(head -c 120 "$T/h"))"
else
	not_ok "a claim step waiting on a lock: /healthz 503" "$(cat "$T/h")"
fi
wait "$locker" 2>/dev/null
wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 60 &&
	ok "the claims drain once the lock is gone" || not_ok "the claims drain once the lock is gone"
wait_for 30 healthz_says 200 '^ok' && ok "/healthz 200 after the lock" || not_ok "/healthz 200 after the lock"

# ---- 3. a batch of big claims is scrubbed in slices ----------------------------------
slices0=$(metric claimscrub_scrub_slices_total)
# a monitor polling /metrics as fast as it answers, from before the claims
# are written until it is written: each answer's step goes to a file
(while :; do
	timeout 10 curl -s "$url/metrics" | sed -n 's/^claimscrub_step_info{step="\([a-z ]*\)"} 1$/\1/p'
done) >"$T/steps" 2>/dev/null &
poller=$!
psql_val "
BEGIN;
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service)
SELECT 'PUSHES-' || c, 'medicare', 'facility', 'NPI-1234567893', date '2026-03-02'
  FROM generate_series(1, 60) c;
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, 1, '96374', 1, '{}' FROM claimscrub.claim c WHERE c.claim_ref LIKE 'PUSHES-%';
INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance, kind, route, site,
	start_time, stop_time)
SELECT c.id, g, 'A' || g, 'ondansetron', 'therapeutic', 'push', 'L-forearm',
       to_char(timestamp '2026-03-02 06:00' + make_interval(mins => g), 'YYYY-MM-DD\"T\"HH24:MI'),
       NULL
  FROM claimscrub.claim c, generate_series(1, 1000) g WHERE c.claim_ref LIKE 'PUSHES-%';
COMMIT;" >/dev/null || setup_failed "writing the big claims failed"
wait_until "SELECT count(*) = 0 FROM claimscrub.claim WHERE status = 'pending'" 120 ||
	not_ok "the 60 big claims are scrubbed"
kill "$poller" 2>/dev/null
wait "$poller" 2>/dev/null
polls=$(wc -l <"$T/steps")
seen=$(grep -c '^scrubbing$' "$T/steps")
note "/metrics answers during the test: $polls, $seen of them while a batch was being scrubbed"
[ "$seen" -ge 1 ] && ok "/metrics answered while the batch was being scrubbed ($seen of $polls answers)" ||
	not_ok "/metrics answered while the batch was being scrubbed" "$polls answers, none saw step scrubbing: $(sort "$T/steps" | uniq -c | tr '\n' ' ')"
slices1=$(metric claimscrub_scrub_slices_total)
[ $((slices1 - slices0)) -ge 2 ] && ok "the batch was scrubbed in $((slices1 - slices0)) slices" ||
	not_ok "the batch was scrubbed in more than one slice" "$slices0 -> $slices1"
bad=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE claim_ref LIKE 'PUSHES-%' AND status = 'invalid'")
[ "$bad" = 0 ] && ok "the 60 big claims are judged (none over the engine's budget)" ||
	not_ok "the 60 big claims are judged" "$bad invalid: $(psql_val "SELECT result::text FROM claimscrub.claim WHERE status = 'invalid' LIMIT 1" | head -c 300)"
timeout 120 "$HTTP_CLIENT" check "$port" 50 >"$T/idle" 2>&1 && note "idle /healthz: $(cat "$T/idle")"

stop_daemon "$pid"
st=$?
[ $st -eq 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit 0" "status $st"
log_is_keyvalue "$daemon_log" && ok "the daemon's log is key=value lines" ||
	not_ok "the daemon's log is key=value lines" "$(grep -Ev '^[a-z]' "$daemon_log" | head -n 3)"
consistency_check
finish

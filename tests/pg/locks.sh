#!/bin/sh
# locks.sh — what another login, an open client transaction and one huge
# raw claim could do to the daemons (issue 14, items 6, 9 and 12;
# sql/api/040_batch.sql).  The daemon runs as dq, a login of
# claimscrub_daemon with lock_timeout 300 ms (ALTER ROLE ... SET, which the
# daemon's own bounds never lengthen).
#
#  6  A plain login holds the daemons' old advisory-lock key
#     (hashtext('claimscrub.claim_batch')) all along, and it, a reviewer and
#     a submitter each try to lock the daemons' turn, claimscrub.queue_lock:
#     permission denied, and no role but claimscrub_daemon (and the owner)
#     holds any privilege on the table; the daemon drains 300 claims.  The
#     owner then holds the turn itself: each claim step times out (SQLSTATE
#     55P03), is logged once with the reason (the server's count of those
#     errors equals the daemon's), counts no attempt and makes nothing
#     invalid; once the owner lets go, the claims drain.
#  9  A submitter's BEGIN; SELECT claimscrub.submit(...) on one of 200
#     pending claims, left open, and that claim in a dead daemon's expired
#     batch: the other 199 are scrubbed within 30 s, the held one stays
#     pending with no attempt counted, and the daemon does not spin on it
#     (4 batches of nothing but that claim take at least 3 poll intervals,
#     and little CPU); after the commit it is scrubbed at its new version.
# 12  Raw rows around submit(): a claim with 1,000,000 lines, one with
#     200,000 administrations, a 16 MB substance, a line with 1,000,000
#     modifiers, and a claim of exactly 1,000 lines (max_lines).  The first
#     four end invalid naming the limit, the last is judged; the daemon's
#     peak RSS (VmHWM) grows by at most 8 MB over its peak after 200
#     ordinary claims.  The bound: claim_batch() returns at most 1,001 line
#     and 1,001 administration rows a claim, each text cut to its reader's
#     limit + 1 character; at most 1.6 kB a line row and 2.8 kB an
#     administration row in libpq (12 value slots of 16 bytes, the cut
#     texts at 4 bytes a character), so these claims' 2,002 line rows and
#     1,002 administration rows are at most about 6 MB however their text
#     is spelt, plus one claim's node tree (the reader's input, about 1 kB
#     a line) at a time.  Before 008 the same claims took several hundred
#     megabytes.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

poll_ms=500
max_lines=1000 # rules.d/20-settings.yaml, no profile overrides it
rss_bound_kb=8192
if sanitized; then
	# shadow memory (an eighth of what is allocated) and a small
	# quarantine for freed memory
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
	export ASAN_OPTIONS
	rss_bound_kb=$((rss_bound_kb * 2 + 8192))
	note "sanitized build: ASAN_OPTIONS=$ASAN_OPTIONS, RSS bound $rss_bound_kb kB"
fi

psql_val "
CREATE ROLE intruder LOGIN;
CREATE ROLE rv LOGIN IN ROLE claimscrub_reviewer;
CREATE ROLE sb LOGIN IN ROLE claimscrub_submitter;
CREATE ROLE dq LOGIN IN ROLE claimscrub_daemon;
ALTER ROLE dq SET lock_timeout = '300ms';" >/dev/null || setup_failed "creating the roles failed"
conninfo_su=$conninfo
conninfo="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=dq"
write_config "$T/dq.yaml" "batch_size: 50" "poll_interval_ms: $poll_ms"
write_config "$T/dq10.yaml" "batch_size: 10" "poll_interval_ms: $poll_ms"
conninfo=$conninfo_su

# ---- sessions held open ----------------------------------------------------------
# session_open NAME FD ROLE — a psql of ROLE (application_name locks-NAME)
# reading statements from a FIFO this shell holds open on descriptor FD
# (read-write: opening never blocks, and a write never raises SIGPIPE);
# output and errors in $T/NAME.out.  Closing FD, or this shell's exit,
# ends it (a transaction still open is rolled back): the psql holds no
# session's descriptor itself, so it sees the end of its input.
session_open() {
	mkfifo "$T/$1.in" || setup_failed "mkfifo failed"
	eval "exec $2<>\"\$T/$1.in\""
	PGAPPNAME=locks-$1 timeout 280 "$PSQL" -X -q -At -U "$3" <"$T/$1.in" >"$T/$1.out" 2>&1 7>&- 8>&- 9>&- &
}
# session_send FD SQL — statements for the session on FD
session_send() { eval "printf '%s\n' \"\$2\" >&$1"; }
session_close() { eval "exec $1>&-"; }
# session_state NAME — its backend's state, e.g. "idle in transaction"
session_state() {
	psql_val "SELECT state FROM pg_stat_activity WHERE application_name = 'locks-$1'"
}
in_txn() { [ "$(session_state "$1")" = "idle in transaction" ]; }

# denied ROLE LABEL SQL — one point: SQL fails as ROLE with "permission denied"
denied() {
	_out=$(psql_val "$3" -U "$1" </dev/null 2>&1)
	if [ $? -eq 0 ]; then
		not_ok "$1 cannot $2" "it succeeded: $_out"
	elif printf '%s' "$_out" | grep -q 'permission denied'; then
		ok "$1 cannot $2 ($(printf '%s' "$_out" | grep -o 'permission denied[^"]*' | head -n 1))"
	else
		not_ok "$1 cannot $2" "failed, but not with 'permission denied': $_out"
	fi
}

pending() { psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"; }
drained_sql="SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')"
# cpu_ticks PID — user + system time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- 6: another login holds the old advisory key; nobody else can take the turn ------
session_open intruder 7 intruder
session_send 7 "SELECT pg_advisory_lock(hashtext('claimscrub.claim_batch'));"
held_sql="SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                          WHERE a.application_name = 'locks-intruder' AND l.locktype = 'advisory' AND l.granted)"
if wait_until "$held_sql" 15; then
	ok "a plain login holds the daemons' old advisory-lock key"
else
	not_ok "a plain login holds the daemons' old advisory-lock key" "$(cat "$T/intruder.out")"
fi
for r in intruder rv sb; do
	denied $r "lock the daemons' turn with LOCK TABLE ... ACCESS EXCLUSIVE" \
		"BEGIN; LOCK TABLE claimscrub.queue_lock IN ACCESS EXCLUSIVE MODE; ROLLBACK;"
	denied $r "lock the daemons' turn with SELECT ... FOR KEY SHARE" \
		"SELECT * FROM claimscrub.queue_lock FOR KEY SHARE"
done
# every privilege on the table, table and column level, but the owner's
acl=$(psql_val "
SELECT 'table: ' || coalesce((SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                                                || ':' || a.privilege_type, ',' ORDER BY 1)
                                FROM pg_class c, aclexplode(c.relacl) a
                               WHERE c.oid = 'claimscrub.queue_lock'::regclass AND a.grantee <> c.relowner), '-')
    || ' columns: ' || coalesce((SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                                                   || ':' || a.privilege_type, ',' ORDER BY 1)
                                   FROM pg_attribute t, aclexplode(t.attacl) a
                                  WHERE t.attrelid = 'claimscrub.queue_lock'::regclass), '-')" 2>&1)
case $acl in
"table: - columns: claimscrub_daemon:SELECT,claimscrub_daemon:UPDATE")
	ok "only claimscrub_daemon holds a privilege on claimscrub.queue_lock, and only on its column ($acl)" ;;
*) not_ok "only claimscrub_daemon holds a privilege on claimscrub.queue_lock" "$acl" ;;
esac

gen_claims 300 1 || setup_failed "generating claims failed"
start_daemon "$T/dq.yaml"
pid=$daemon_pid log=$daemon_log
t0=$(now_ms)
if wait_until "$drained_sql" 60; then
	ok "the daemon drains 300 claims while another login holds the old key ($(($(now_ms) - t0)) ms)"
else
	not_ok "the daemon drains 300 claims while another login holds the old key" "still pending: $(pending)"
	tail_log "$log"
fi
wait_until "$held_sql" 1 && ok "... and the login held the key all along" ||
	not_ok "... and the login held the key all along"
session_close 7

# ---- 6: the turn held past lock_timeout: 55P03, logged, no attempt, nothing invalid --------
session_open owner 8 postgres
session_send 8 "BEGIN; SELECT * FROM claimscrub.queue_lock FOR UPDATE;"
wait_for 15 in_txn owner || not_ok "the owner holds the daemons' turn" "$(cat "$T/owner.out")"
gen_claims 20 301 || setup_failed "generating claims failed"
timeouts() { grep -c 'event=claim-failed sqlstate=55P03' "$log"; }
three_timeouts() { [ "$(timeouts)" -ge 3 ]; }
if wait_for 30 three_timeouts; then
	ok "each claim step times out while the turn is held: SQLSTATE 55P03, retried with the poll timer ($(timeouts) so far)"
else
	not_ok "each claim step times out while the turn is held (SQLSTATE 55P03)" "$(timeouts) logged"
	tail_log "$log"
fi
line=$(grep 'event=claim-failed sqlstate=55P03' "$log" | tail -n 1)
case $line in
*queue_lock*lock_timeout*) ok "the log says why: $(printf '%s' "$line" | cut -c 1-160)" ;;
*) not_ok "the log line names the lock and lock_timeout" "$line" ;;
esac
st=$(psql_val "SELECT count(*) FILTER (WHERE status = 'pending') || ' ' || max(attempts) || ' '
                      || count(*) FILTER (WHERE status = 'invalid')
                 FROM claimscrub.claim WHERE claim_ref ~ '^BULK-[0-9]-3(0[1-9]|1[0-9]|20)$'")
[ "$st" = "20 0 0" ] && ok "meanwhile the 20 claims stay pending, no attempt counted, none invalid" ||
	not_ok "meanwhile the 20 claims stay pending, no attempt counted, none invalid" "pending, max attempts, invalid: $st"
session_send 8 "COMMIT;"
session_close 8
if wait_until "$drained_sql" 30; then ok "the owner lets go: the 20 claims drain"; else
	not_ok "the owner lets go: the 20 claims drain" "still pending: $(pending)"; tail_log "$log"; fi
st=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'invalid'")
[ "$st" = 0 ] && ok "no claim is invalid" || not_ok "no claim is invalid" "$st"
# one log line for each claim step that timed out, as the server counts them
srv=$(grep -c "ERROR:  the daemons' turn (claimscrub.queue_lock) was not granted" "$T/pg/server.log")
if [ "$srv" -ge 3 ] && [ "$srv" = "$(timeouts)" ]; then
	ok "logged once per occurrence: $srv timeouts in the server's log, $(timeouts) in the daemon's"
else
	not_ok "logged once per occurrence" "server $srv, daemon $(timeouts)"
fi
consistency_check "after the held turn"

# ---- 9: a client's open transaction on one pending claim ---------------------------------
stop_daemon "$pid" TERM || not_ok "SIGTERM: the daemon exits 0" "exit $?"
gen_claims 200 1001 || setup_failed "generating claims failed"
x=BULK-1-1001
doc='{"claim": "'$x'", "payer": "medicare", "setting": "facility",
 "provider": "NPI-1234567893", "date_of_service": "2026-03-02",
 "lines": [{"code": "96365", "units": 1}, {"code": "J0696", "units": 4}],
 "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic",
  "route": "infusion", "site": "L-forearm", "start": "2026-03-02T09:10", "stop": "2026-03-02T09:40"}]}'
session_open client 9 sb
session_send 9 "BEGIN; SELECT claimscrub.submit(\$doc\$$doc\$doc\$);"
if wait_for 15 in_txn client; then ok "a submitter holds $x in an open transaction after submit()"; else
	not_ok "a submitter holds $x in an open transaction after submit()" "$(cat "$T/client.out")"; fi
# ... and the claim is in a dead daemon's expired batch, so the first claim
# step counts an attempt against it, if it can
psql_val "INSERT INTO claimscrub.batch (owner, owner_pid, taken_at, claim_ids)
          SELECT 'dead-daemon', 0, clock_timestamp() - interval '1 hour', ARRAY[id] FROM claimscrub.claim WHERE claim_ref = '$x'" \
	>/dev/null || setup_failed "inserting the dead batch failed"
start_daemon "$T/dq.yaml"
pid=$daemon_pid log=$daemon_log
t0=$(now_ms)
others_sql="SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending' AND claim_ref <> '$x')"
if wait_until "$others_sql" 30; then
	ok "the other 199 claims are scrubbed within 30 s ($(($(now_ms) - t0)) ms)"
else
	not_ok "the other 199 claims are scrubbed within 30 s" "still pending: $(pending)"
	tail_log "$log"
fi
st=$(psql_val "SELECT status || ' version ' || version || ' attempts ' || attempts FROM claimscrub.claim WHERE claim_ref = '$x'")
[ "$st" = "pending version 1 attempts 0" ] && ok "$x stays pending at its committed version, no attempt counted ($st)" ||
	not_ok "$x stays pending at its committed version, no attempt counted" "$st"
# no spin: with only the held claim pending, each batch (of it alone, left
# because locked) waits for the poll timer
held_batches() { grep -c 'event=batch .*stale=1 .*locked=1' "$log"; }
b0=$(held_batches) c0=$(cpu_ticks "$pid") t0=$(now_ms)
four_more() { [ "$(held_batches)" -ge $((b0 + 4)) ]; }
if wait_for 30 four_more; then
	ms=$(($(now_ms) - t0)) ticks=$(($(cpu_ticks "$pid") - c0)) hz=$(getconf CLK_TCK)
	cpu_ms=$((ticks * 1000 / hz))
	if [ "$ms" -ge $((3 * poll_ms * 8 / 10)) ] && [ $((cpu_ms * 5)) -le "$ms" ]; then
		ok "no spin: 4 batches of the held claim alone took $ms ms (poll_interval_ms $poll_ms) and $cpu_ms ms of CPU"
	else
		not_ok "no spin: 4 batches of the held claim alone take at least 3 poll intervals and under a fifth of a CPU" \
			"$ms ms, $cpu_ms ms of CPU"
	fi
else
	not_ok "the daemon takes the held claim again with each poll" "$(held_batches) batches of it"
	tail_log "$log"
fi
session_send 9 "COMMIT;"
session_close 9
if wait_until "SELECT status = 'clean' AND version = 2 AND scrubbed_version = 2 FROM claimscrub.claim WHERE claim_ref = '$x'" 30; then
	ok "the client commits: $x is scrubbed at its new version (2, clean)"
else
	not_ok "the client commits: $x is scrubbed at its new version" \
		"$(psql_val "SELECT status, version, scrubbed_version FROM claimscrub.claim WHERE claim_ref = '$x'")"
	tail_log "$log"
fi
consistency_check "after the open transaction"
stop_daemon "$pid" TERM || not_ok "SIGTERM: the daemon exits 0" "exit $?"

# ---- 12: a million raw rows for one claim ----------------------------------------------
start_daemon "$T/dq10.yaml"
pid=$daemon_pid log=$daemon_log
gen_claims 200 2001 || setup_failed "generating claims failed"
wait_until "$drained_sql" 60 || not_ok "200 ordinary claims drain" "still pending: $(pending)"
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
base=$(hwm "$pid")
note "peak RSS after 200 ordinary claims: $base kB"
t0=$(now_ms)
psql_val "
BEGIN;
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service)
SELECT r, 'medicare', 'facility', 'NPI-1234567893', date '2026-03-02'
  FROM unnest(ARRAY['BIG-LINES', 'BIG-ADMINS', 'BIG-TEXT', 'BIG-MODS', 'EDGE-LINES']) r;
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, g, '96365', 1, '{}' FROM claimscrub.claim c, generate_series(1, 1000000) g
 WHERE c.claim_ref = 'BIG-LINES';
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, g, '96365', 1, '{}' FROM claimscrub.claim c, generate_series(1, :max::int) g
 WHERE c.claim_ref = 'EDGE-LINES';
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, 1, '96365', 1, array_fill('AA'::text, ARRAY[1000000]) FROM claimscrub.claim c
 WHERE c.claim_ref = 'BIG-MODS';
INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance, kind, route, site,
	start_time, stop_time)
SELECT c.id, g, 'A' || g, CASE c.claim_ref WHEN 'BIG-TEXT' THEN repeat('ceftriaxone ', 1398102)
                               ELSE 'ceftriaxone' END,
       'therapeutic', 'infusion', 'L-forearm', '2026-03-02T09:10', '2026-03-02T09:40'
  FROM claimscrub.claim c, generate_series(1, 200000) g
 WHERE (c.claim_ref = 'BIG-ADMINS') OR (c.claim_ref = 'BIG-TEXT' AND g = 1);
COMMIT;" -v max=$max_lines >"$T/big.out" 2>&1 || setup_failed "writing the big claims failed: $(head -c 300 "$T/big.out")"
note "$(psql_val "SELECT string_agg(c.claim_ref || ' ' || (SELECT count(*) FROM claimscrub.claim_line l WHERE l.claim_id = c.id)
                  || '/' || (SELECT count(*) FROM claimscrub.administration a WHERE a.claim_id = c.id), ', ' ORDER BY c.claim_ref)
                    FROM claimscrub.claim c WHERE c.claim_ref ~ '^(BIG|EDGE)-'") (lines/administrations), written in $(($(now_ms) - t0)) ms"
t0=$(now_ms)
if wait_until "$drained_sql" 120; then
	ok "the huge claims are done ($(($(now_ms) - t0)) ms after their commit)"
else
	not_ok "the huge claims are done" "still pending: $(pending)"; tail_log "$log"
fi
after=$(hwm "$pid")
# invalid REF PATTERN LABEL — REF is invalid and a finding row of its
# version matches PATTERN
invalid() {
	_got=$(psql_val "
SELECT c.status || ' ' || count(f.id) FILTER (WHERE f.message ~ :'pat')
       || ' | ' || left(coalesce(string_agg(f.message, ' / '), ''), 200)
  FROM claimscrub.claim c
  LEFT JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
 WHERE c.claim_ref = :'ref' GROUP BY c.status" -v ref="$1" -v pat="$2")
	case $_got in
	"invalid "[1-9]*) ok "$3 ends invalid naming the limit: ${_got#* | }" ;;
	*) not_ok "$3 ends invalid naming the limit (/$2/)" "got: $(printf '%s' "$_got" | cut -c 1-300)" ;;
	esac
}
invalid BIG-LINES "more than $max_lines lines.*max_lines" "1,000,000 lines"
invalid BIG-ADMINS "more than $max_lines administrations.*max_administrations" "200,000 administrations"
invalid BIG-TEXT "'substance' is too long.*at most 256" "a 16 MB substance"
invalid BIG-MODS "at most 4 modifiers" "a line of 1,000,000 modifiers"
st=$(psql_val "SELECT c.status || ' ' || count(f.id) FILTER (WHERE f.message ~ 'more than the rules judge')
                 FROM claimscrub.claim c LEFT JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
                WHERE c.claim_ref = 'EDGE-LINES' GROUP BY c.status")
case $st in
pending* | "" | *" "[1-9]*) not_ok "a claim of exactly $max_lines lines (max_lines) is judged, not refused as over the limit" "$st" ;;
*) ok "a claim of exactly $max_lines lines (max_lines) is judged, not refused as over the limit ($st)" ;;
esac
grown=$((after - base))
if [ "$grown" -le "$rss_bound_kb" ]; then
	ok "the daemon's peak RSS grew by $grown kB (from $base to $after kB), at most $rss_bound_kb kB"
else
	not_ok "the daemon's peak RSS grows by at most $rss_bound_kb kB" "from $base to $after kB: $grown kB"
fi
consistency_check "after the huge claims"

if daemon_exited "$pid"; then
	not_ok "the daemon is still running" "it ended with status $(cat "$T/status.$pid")"; tail_log "$log"
else
	ok "the daemon is still running"
fi
for f in "$T"/daemon-*.log; do
	log_is_keyvalue "$f" || { not_ok "the daemons' logs are key=value lines" "$f"; break; }
done
stop_daemon "$pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "SIGTERM: the daemon exits 0"; else not_ok "SIGTERM: the daemon exits 0" "exit $st"; fi
finish

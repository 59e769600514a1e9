#!/bin/sh
# mllp.sh — MAR records into claimscrub.mar_event (sql/api/035_mar.sql):
# from files (`claimscrub import --submit --format hl7|fhir`) and from
# claimscrubd's MLLP listener (daemon/mllp.c), with the sample messages of
# examples/hl7/ras-sample.hl7 (five RAS^O17, msg-0001..0005, visit
# PC-2026-0301, orders mr-1, mr-2, mr-3 twice and mr-5) sent by
# tests/mllp-client over real sockets:
#   usage       --submit with --out is still a usage error;
#   files       the HL7 sample stored: five rows, their ids and fields as
#               the sample's text says; again: no new row; the FHIR sample
#               stored as 'fhir'; a file the database refuses stores nothing;
#   ACK         each message answered AA with its MSH-10 in MSA-2, after
#               its records are committed; the metrics count them;
#   AE          a message with a bad RXA-3 answered AE naming the field,
#               nothing stored; AR for what is not HL7 and for a frame past
#               1 MiB (then closed);
#   dropped     a connection closed mid-frame stores nothing; the whole
#               resend stores once, a second resend changes nothing;
#   database    the server stopped: no ACK, the connection closed; started
#               again, the same message answered AA.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

: "${MLLP_CLIENT:=$CLAIMSCRUB_BUILDDIR/tests/mllp-client}"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"
[ -x "$MLLP_CLIENT" ] || setup_failed "tests/mllp-client is missing (make check builds it)"
hl7=$src/examples/hl7/ras-sample.hl7
fhir=$src/examples/fhir/mar.ndjson
rows() { psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE source = '$1'"; }
# msa — the MSA lines of the client's output, in order, space-separated
msa() { grep '^MSA|' "$T/ack" | tr '\n' ' '; }
# nth N FILE — the Nth message of an HL7 file (segments end in LF)
nth() { awk -v n="$1" '/^MSH/ { m++ } m == n' "$2"; }
send() { timeout 60 "$MLLP_CLIENT" "$1" "$port" "$2" >"$T/ack" 2>"$T/ack.err"; }

# ---- files ------------------------------------------------------------------------
timeout 30 "$CLAIMSCRUB" import --submit --format hl7 --out "$T" "$hl7" </dev/null >/dev/null 2>"$T/err"
same "--submit --format hl7 with --out is a usage error" "$?" 2
imp() { timeout 60 "$CLAIMSCRUB" import --submit --db "$conninfo" "$@" </dev/null >"$T/out" 2>"$T/err"; }
imp --format hl7 "$hl7"
same "import --submit --format hl7: exit 0" "$?" 0
grep -q 'ras-sample.hl7: 5 RXA administration records, 0 messages of other types skipped, 5 stored' "$T/err" &&
	ok "its summary on stderr" || not_ok "its summary on stderr" "$(cat "$T/err")"
same "nothing on stdout with --submit" "$(wc -c <"$T/out")" 0
same "five hl7 rows, the sample's record ids" \
	"$(psql_val "SELECT string_agg(record_id, ' ' ORDER BY record_id) FROM claimscrub.mar_event WHERE source = 'hl7'")" \
	"mr-1/1 mr-2/1 mr-3/1 mr-3/2 mr-5/1"
same "every row of visit PC-2026-0301" \
	"$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE encounter = 'PC-2026-0301'")" 5
same "mr-3/1: on-hold (ORC-5 HD, RXA-20 PA), 10:00 to 10:40 -05:00, RXNORM 313002" \
	"$(psql_val "SELECT record->>'status', record->>'start', record->>'stop', record->'drug'->0->>'system', record->'drug'->0->>'code'
		FROM claimscrub.mar_event WHERE record_id = 'mr-3/1'")" \
	"on-hold|2026-03-02T10:00-05:00|2026-03-02T10:40-05:00|rxnorm|313002"
same "mr-5/1: the J-code first, its text from CWE-9" \
	"$(psql_val "SELECT record->'drug'->0->>'code', record->>'drug_text' FROM claimscrub.mar_event WHERE record_id = 'mr-5/1'")" \
	"J9045|Carboplatin 400 mg in 250 mL D5W"
first_at=$(psql_val "SELECT received_at FROM claimscrub.mar_event WHERE record_id = 'mr-1/1'")
imp --format hl7 "$hl7"
same "the same file again: exit 0" "$?" 0
grep -q ', 0 stored' "$T/err" && ok "again: 0 stored" || not_ok "again: 0 stored" "$(cat "$T/err")"
same "again: still five rows, the first kept as received" \
	"$(rows hl7) $(psql_val "SELECT received_at = '$first_at' FROM claimscrub.mar_event WHERE record_id = 'mr-1/1'")" "5 t"
sed 's/PA|A/CP|A/' "$hl7" >"$T/update.hl7"
grep -q 'PA|A' "$T/update.hl7" && setup_failed "sed did not edit the sample"
imp --format hl7 "$T/update.hl7"
same "a corrected resend (mr-3/1 completed): replaces its row" \
	"$(rows hl7) $(psql_val "SELECT record->>'status' FROM claimscrub.mar_event WHERE record_id = 'mr-3/1'")" "5 completed"
imp --format fhir "$fhir"
same "import --submit --format fhir: exit 0" "$?" 0
same "one fhir row per resource of the sample, by its id" \
	"$(psql_val "SELECT string_agg(record_id, ' ' ORDER BY record_id) FROM claimscrub.mar_event WHERE source = 'fhir'")" \
	"$(grep -o '"resourceType":"MedicationAdministration","id":"[^"]*"' "$fhir" | sed 's/.*"id":"//; s/"$//' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
same "the FHIR sample's encounter is the HL7 sample's visit" \
	"$(psql_val "SELECT DISTINCT encounter FROM claimscrub.mar_event WHERE source = 'fhir'")" "PC-2026-0301"
# refused by the database: a record whose encounter is too long (sed on
# the sample's PV1-19) — the reader takes it, mar_store does not
long=$(printf 'V%070d' 0)
sed "s/PC-2026-0301^^^GENHOSP^VN/$long^^^GENHOSP^VN/" "$hl7" | sed 's/mr-/zz-/g' >"$T/long.hl7"
imp --format hl7 "$T/long.hl7"
same "a file the database refuses: exit 1" "$?" 1
grep -q 'encounter: must be 1 to 64 bytes' "$T/err" && grep -q 'nothing of the file was stored' "$T/err" &&
	ok "the refusal is said" || not_ok "the refusal is said" "$(cat "$T/err")"
same "nothing of it stored" "$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE record_id LIKE 'zz-%'")" 0
psql_val "CREATE ROLE s1 LOGIN IN ROLE claimscrub_submitter; CREATE ROLE n1 LOGIN" >/dev/null
sed 's/mr-/s1-/g' "$hl7" >"$T/s1.hl7"
timeout 60 "$CLAIMSCRUB" import --submit --format hl7 --db "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=s1" "$T/s1.hl7" </dev/null >/dev/null 2>"$T/err"
same "a submitter may store" "$? $(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE record_id LIKE 's1-%'")" "0 5"
timeout 60 "$CLAIMSCRUB" import --submit --format hl7 --db "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=n1" "$hl7" </dev/null >/dev/null 2>"$T/err"
same "a login without the role may not" "$?" 1
psql_val "DELETE FROM claimscrub.mar_event" >/dev/null

# ---- the listener ----------------------------------------------------------------------
port=$(free_port)
hport=$(free_port $((port + 1)))
write_config "$T/d.yaml" "mllp_port: $port" "http_port: $hport" "reconnect_max_ms: 200"
start_daemon "$T/d.yaml"
wait_log 'event=mllp-db-connected' 30 || { tail_log "$daemon_log"; setup_failed "the MLLP listener did not connect"; }
grep -q "event=mllp address=127.0.0.1 port=$port" "$daemon_log" && ok "the listener is logged with its address" ||
	not_ok "the listener is logged with its address" "$(head -n 5 "$daemon_log")"

send each "$hl7"
same "each message ACKed AA with its MSH-10" "$(msa)" \
	"MSA|AA|msg-0001 MSA|AA|msg-0002 MSA|AA|msg-0003 MSA|AA|msg-0004 MSA|AA|msg-0005 "
grep -q '^MSH|^~\\&|claimscrub|.*|ACK^O17^ACK|CS[0-9.]*|P|2.5.1$' "$T/ack" && ok "the ACK's MSH: ACK^O17, a control id of its own" ||
	not_ok "the ACK's MSH: ACK^O17, a control id of its own" "$(head -n 2 "$T/ack")"
same "the records committed: five rows, as the file gave" \
	"$(psql_val "SELECT string_agg(record_id || ' ' || encounter || ' ' || (record->>'status'), ', ' ORDER BY record_id) FROM claimscrub.mar_event WHERE source = 'hl7'")" \
	"mr-1/1 PC-2026-0301 completed, mr-2/1 PC-2026-0301 completed, mr-3/1 PC-2026-0301 on-hold, mr-3/2 PC-2026-0301 completed, mr-5/1 PC-2026-0301 completed"
same "their location says mllp" \
	"$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE record->>'at' LIKE 'mllp:%'")" 5
metric() {
	timeout 10 curl -s "http://127.0.0.1:$hport/metrics" >"$T/metrics" 2>/dev/null
	sed -n "s/^$1 //p" "$T/metrics"
}
same "metrics: 5 accepted, 5 records" \
	"$(metric claimscrub_mllp_accepted_total) $(metric claimscrub_mllp_records_total) $(metric claimscrub_mllp_rejected_total)" "5 5 0"

# ---- refused messages ----------------------------------------------------------------
nth 1 "$hl7" |
	sed 's/|202603020910-0500|/|20260302-0910|/; s/msg-0001/bad|1/' >"$T/bad.hl7"
sed -i 's/bad|1/bad-1/' "$T/bad.hl7"
send whole "$T/bad.hl7"
grep -q '^MSA|AE|bad-1|.*RXA-3' "$T/ack" && ok "a bad RXA-3: AE naming the field" ||
	not_ok "a bad RXA-3: AE naming the field" "$(cat "$T/ack")"
same "nothing more stored" "$(rows hl7)" 5
printf 'hello, not HL7\r' >"$T/junk.txt"
send whole "$T/junk.txt"
same "not HL7: AR" "$(msa | cut -c1-7)" "MSA|AR|"
{ nth 1 "$hl7"
  i=0; while [ $i -lt 12 ]; do head -c 100000 /dev/zero | tr '\0' 'x'; i=$((i + 1)); done
} >"$T/big.hl7"
send whole "$T/big.hl7"
grep -q '^MSA|AR|msg-0001|frame larger than 1048576 bytes' "$T/ack" && ok "a frame past 1 MiB: AR with its MSH-10" ||
	not_ok "a frame past 1 MiB: AR with its MSH-10" "$(head -c 300 "$T/ack")"
wait_log 'event=mllp-frame-too-large' 10 && wait_log 'event=mllp-closed .*reason=rejected' 10 &&
	ok "logged, and the connection closed" || not_ok "logged, and the connection closed" "$(tail -n 5 "$daemon_log")"

send whole "$hl7"
same "five messages in one frame: AR" "$(msa)" "MSA|AR|msg-0001|a frame holds one message, not 5 "
nth 1 "$hl7" | sed 's/RAS^O17^RAS_O17/ADT^A08^ADT_A01/; s/msg-0001/adt-1/' >"$T/adt.hl7"
send whole "$T/adt.hl7"
same "another message type: AR, its text escaped (^ as \\S\\)" "$(msa)" 'MSA|AR|adt-1|only RAS\S\O17 messages are read here '
head -c 5000 /dev/zero | tr '\0' 'x' >"$T/junk.bin"
send raw "$T/junk.bin"
same "5000 bytes outside any frame: closed, no ACK" "$(cat "$T/ack")" "closed"
wait_log 'event=mllp-junk' 10 && ok "the junk is logged" || not_ok "the junk is logged" "$(tail -n 3 "$daemon_log")"
same "nothing more stored" "$(rows hl7)" 5
nth 1 "$hl7" | sed "s/PC-2026-0301^^^GENHOSP^VN/$long^^^GENHOSP^VN/; s/msg-0001/long-1/; s/mr-1/long-1/" >"$T/long1.hl7"
send whole "$T/long1.hl7"
grep -q '^MSA|AE|long-1|MAR record 1: encounter: must be 1 to 64 bytes' "$T/ack" &&
	ok "a record the database refuses for its data: AE with the server's reason (a resend cannot help)" ||
	not_ok "a record the database refuses for its data: AE with the server's reason" "$(cat "$T/ack")"
same "nothing of it stored" "$(rows hl7)" 5

# ---- a connection dropped mid-frame ---------------------------------------------------
sed 's/mr-/dr-/g; s/msg-000/drop-000/g' "$hl7" >"$T/drop.hl7"
nth 1 "$T/drop.hl7" >"$T/drop1.hl7"
closed_before=$(grep -c 'event=mllp-closed .*partial=yes' "$daemon_log")
timeout 30 "$MLLP_CLIENT" half "$port" "$T/drop1.hl7" >/dev/null 2>&1
wait_for 30 sh -c '[ "$(grep -c "event=mllp-closed .*partial=yes" "$1")" -gt "$2" ]' sh "$daemon_log" "$closed_before" &&
	ok "half a frame, then closed: the daemon saw it partial" || not_ok "half a frame: the daemon saw it partial" "$(tail -n 3 "$daemon_log")"
same "nothing of it stored" "$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE record_id LIKE 'dr-%'")" 0
send whole "$T/drop1.hl7"
same "the resend: AA" "$(msa)" "MSA|AA|drop-0001 "
same "stored once" "$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE record_id LIKE 'dr-%'")" 1
send whole "$T/drop1.hl7"
same "a second resend: AA, still one row" \
	"$(msa)$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE record_id LIKE 'dr-%'")" "MSA|AA|drop-0001 1"

# ---- the database down ------------------------------------------------------------------
nth 2 "$T/drop.hl7" >"$T/drop2.hl7"
pg_stop || setup_failed "pg_ctl stop failed"
wait_log 'event=mllp-db-disconnected' 30 || not_ok "the listener saw the server go" "$(tail -n 3 "$daemon_log")"
send whole "$T/drop2.hl7"
same "the database down: no ACK, the connection closed" "$(cat "$T/ack")" "closed"
pg_start || setup_failed "pg_ctl start failed"
wait_for 60 sh -c '[ "$(grep -c "event=mllp-db-connected" "$1")" -ge 2 ]' sh "$daemon_log" ||
	not_ok "the listener reconnected" "$(tail -n 3 "$daemon_log")"
send whole "$T/drop2.hl7"
same "after recovery: the resend AA" "$(msa)" "MSA|AA|drop-0002 "
same "stored once" "$(psql_val "SELECT count(*) FROM claimscrub.mar_event WHERE record_id = 'dr-2/1'")" 1

# AA: the sample's 5, the dropped message's 2 resends and 1 after the
# database came back; AE/AR: bad RXA-3, not HL7, too large, five in a
# frame, ADT, an encounter too long; rows: the sample's 5, drop-0001 once, drop-0002 once
same "metrics: 8 accepted, 6 rejected, 7 records" \
	"$(metric claimscrub_mllp_accepted_total) $(metric claimscrub_mllp_rejected_total) $(metric claimscrub_mllp_records_total)" "8 6 7"
check "every line of the daemon's log is key=value" log_is_keyvalue "$daemon_log"
stop_daemon "$daemon_pid"
same "the daemon stops cleanly" "$?" 0

# ---- the bounds on clients, configured tight -------------------------------------------
# at most 2 connections, a frame ended within 1 s, a silence of 2 s: a
# frame that never ends and a silent connection are closed (the client
# waits 30 s before it says "timeout"); with two silent connections held,
# a third is served only once one of them is closed, so the log never
# shows more than 2 open (mllp-accepted, at debug)
port=$(free_port $((hport + 1)))
write_config "$T/b.yaml" "mllp_port: $port" "http_port: 0" "log_level: debug" \
	"mllp_max_connections: 2" "mllp_frame_seconds: 1" "mllp_idle_seconds: 2"
start_daemon "$T/b.yaml"
wait_log 'event=mllp-db-connected' 30 || { tail_log "$daemon_log"; setup_failed "the bounded listener did not connect"; }
send open "$hl7"
same "a frame that never ends is closed (mllp_frame_seconds)" "$(cat "$T/ack")" "closed"
grep -q 'event=mllp-closed .*reason=slow-frame' "$daemon_log" && ok "... logged as a slow frame" ||
	not_ok "... logged as a slow frame" "$(grep mllp-closed "$daemon_log" | tail -n 3)"
send idle "$hl7"
same "a silent connection is closed (mllp_idle_seconds)" "$(cat "$T/ack")" "closed"
timeout 60 "$MLLP_CLIENT" idle "$port" "$hl7" >"$T/i1" 2>&1 &
i1=$!
timeout 60 "$MLLP_CLIENT" idle "$port" "$hl7" >"$T/i2" 2>&1 &
i2=$!
wait_for 30 sh -c '[ "$(grep -c "event=mllp-accepted" "$1")" -ge 4 ]' sh "$daemon_log" ||
	not_ok "two silent connections accepted" "$(grep mllp-accepted "$daemon_log")"
nth 1 "$hl7" | sed 's/msg-0001/cap-0001/; s/mr-/cap-/g' >"$T/cap.hl7"
send whole "$T/cap.hl7"
same "a third connection is served once one is closed" "$(msa)" "MSA|AA|cap-0001 "
wait "$i1" "$i2"
opens=$(sed -n 's/.*event=mllp-accepted .*open=\([0-9]*\).*/\1/p' "$daemon_log" | sort -n | tail -n 1)
same "never more than 2 connections open (mllp_max_connections)" "$opens" 2
stop_daemon "$daemon_pid"
same "the bounded daemon stops cleanly" "$?" 0
finish

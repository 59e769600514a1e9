#!/bin/sh
# results.sh — the results for billing (sql/api/070_results.sql) and
# `claimscrub export`, read as a billing system would (b1,
# claimscrub_reader), on the 18 sample claims of examples/: every
# scrubbed claim's outcome once, through a cursor file, whatever order the
# writers commit in; a reviewer's decision releasing a held claim; clean
# claims held back when release_clean is off; CSV; a bad cursor and a
# cursor file that cannot be replaced refused without losing an event;
# the NOTIFY.  The expected outcomes are the examples' own: 01-04 and
# 15-18 scrub clean (15 and 16 with an info finding), 05-14 are flagged,
# each about one finding (workflow.sh).  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

db_b1="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=b1"
cur=$T/cursor
# export [ARG...] — claimscrub export as b1 with the cursor file into
# $T/out (rows) and $T/err; its exit status
export_b1() {
	timeout 60 "$CLAIMSCRUB" export --db "$db_b1" "$@" </dev/null >"$T/out" 2>"$T/err"
}
# the exported events as "claim state" lines, in order
events() { sed 's/.*"claim":"\([^"]*\)".*"state":"\([a-z]*\)".*/\1 \2/' "$T/out"; }

psql_val "CREATE ROLE b1 LOGIN IN ROLE claimscrub_reader;
	  CREATE ROLE r1 LOGIN IN ROLE claimscrub_reviewer" >/dev/null ||
	setup_failed "creating the login users failed"

# ---- nothing yet ------------------------------------------------------------------------
export_b1 --cursor-file "$cur"
same "before any scrub: exit 0, no event, a cursor kept" \
	"$? $(wc -l <"$T/out") $(grep -c ':' "$cur" 2>/dev/null)" "0 0 1"
grep -q '^export: 0 events; next cursor: [0-9]*:[0-9]*:' "$T/err" && ok "the next cursor is said on stderr" ||
	not_ok "the next cursor is said on stderr" "$(cat "$T/err")"

# ---- the samples scrubbed: each outcome once ------------------------------------------------
timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$src"/examples/[0-9]*.yaml \
	</dev/null >"$T/submit.out" 2>&1 || setup_failed "submit failed: $(tail -n 3 "$T/submit.out")"
write_config "$T/d.yaml"
scrub_once
export_b1 --cursor-file "$cur"
same "after the scrub: 18 events, 10 held (05-14), 8 released (01-04, 15-18: clean, release_clean on)" \
	"$? $(events | awk '{ print $2 }' | sort | uniq -c | awk '{ printf "%s %s; ", $2, $1 }')" \
	"0 held 10; released 8; "
same "the held ones are 0305-0311, 1112-1113 and 0314" \
	"$(events | awk '$2 == "held" { print $1 }' | sort | tr '\n' ' ')" \
	"IC-2026-0305 IC-2026-0306 IC-2026-0307 IC-2026-0308 IC-2026-0309 IC-2026-0310 IC-2026-0311 IC-2026-0314 ON-2026-1112 ON-2026-1113 "
grep '"claim":"IC-2026-0311"' "$T/out" | grep -q '"rule": *"iv-start-bundled"' &&
	ok "each event carries its findings (0311: iv-start-bundled)" ||
	not_ok "each event carries its findings (0311: iv-start-bundled)" "$(grep 0311 "$T/out")"
head -n 1 "$T/out" | grep -q '^{"format" *: *1, *"at"' && ok "JSON Lines: format first, then the keys in byte order" ||
	not_ok "JSON Lines: format first, then the keys in byte order" "$(head -n 1 "$T/out")"
export_b1 --cursor-file "$cur"
same "exported again with the cursor: nothing new" "$? $(wc -l <"$T/out")" "0 0"

# ---- a reviewer's decision releases a held claim ----------------------------------------------
f=$(psql_val "SELECT f.id FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
               WHERE c.claim_ref = 'IC-2026-0311' AND f.rule = 'iv-start-bundled'")
psql_val "SELECT claimscrub.decide($f, 'payer-exception')" -U r1 >/dev/null ||
	setup_failed "r1 could not decide 0311's finding"
export_b1 --cursor-file "$cur"
same "0311's one error decided: it is released, with the decision" \
	"$? $(events) $(grep -c '"resolution": *"accepted-risk"' "$T/out")" "0 IC-2026-0311 released 1"

# ---- the order writers commit in does not lose an event -------------------------------------------
# a transaction records an event for 0305 and stays open while another
# records one for 0306 and commits; the export between sees only 0306, the
# one after the first commits sees 0305, and neither is seen twice
mkfifo "$T/slow"
"$PSQL" -X -q -v ON_ERROR_STOP=1 <"$T/slow" >"$T/slow.out" 2>&1 &
slow=$!
exec 7>"$T/slow"
echo "BEGIN; INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
      SELECT id, version, 'held' FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0305';
      SELECT 'inserted';" >&7
wait_for 30 grep -q inserted "$T/slow.out" || setup_failed "the open transaction did not start: $(cat "$T/slow.out")"
psql_val "INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
          SELECT id, version, 'held' FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0306'" >/dev/null
export_b1 --cursor-file "$cur"
same "with an earlier event still uncommitted: only the later one" "$? $(events)" "0 IC-2026-0306 held"
echo "COMMIT;" >&7
exec 7>&-
wait "$slow"
export_b1 --cursor-file "$cur"
same "once it commits: the earlier one, once" "$? $(events)" "0 IC-2026-0305 held"
export_b1 --cursor-file "$cur"
same "and then nothing" "$? $(wc -l <"$T/out")" "0 0"

# ---- release_clean off: a clean claim waits ---------------------------------------------------
psql_val "UPDATE claimscrub.setting SET value = 'off' WHERE name = 'release_clean';
	  BEGIN; SET LOCAL claimscrub.submitting = 'on';
	  UPDATE claimscrub.claim SET version = version + 1, status = 'pending'
	   WHERE claim_ref = 'IC-2026-0301'; COMMIT" >/dev/null
scrub_once
export_b1 --cursor-file "$cur"
same "release_clean off: 0301's new version is clean, not released" "$? $(events)" "0 IC-2026-0301 clean"

# ---- CSV ----------------------------------------------------------------------------------------
export_b1 --format csv
same "CSV from the start: a header and 22 rows (18 + 0311 + 0305 + 0306 + 0301)" \
	"$? $(head -n 1 "$T/out" | tr -d '\r') $(($(wc -l <"$T/out") - 1))" \
	"0 event,claim,version,state,at,findings,open,rules 22"
same "CSV: 0311 released, 1 finding, none open, its rule" \
	"$(grep -a ',IC-2026-0311,1,released,' "$T/out" | cut -d, -f2-4,6- | tr -d '\r')" \
	"IC-2026-0311,1,released,1,0,iv-start-bundled"

# ---- refusals ---------------------------------------------------------------------------------
export_b1 --since 'not-a-cursor'
st=$?
same "a bad cursor: exit 1, said" "$st $(grep -c 'a cursor is what results_cursor() returned' "$T/err")" "1 1"
export_b1 --since '999999999:999999999:'
st=$?
same "a cursor ahead of the database (another's, or before a restore): exit 1, said" \
	"$st $(grep -c 'is ahead of this database' "$T/err")" "1 1"
export_b1 --since x --cursor-file "$cur"
same "--since and --cursor-file together: exit 2" "$?" 2
before=$(cat "$cur")
psql_val "INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
          SELECT id, version, 'held' FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0307'" >/dev/null
export_b1 --cursor-file "$cur" -o "$T/no-such-dir/out.jsonl"
same "output that cannot be written: exit 2, the cursor file unchanged" "$? $(cat "$cur")" "2 $before"
export_b1 --cursor-file "$cur"
same "the event is there on the next run" "$? $(events)" "0 IC-2026-0307 held"

# ---- NOTIFY --------------------------------------------------------------------------------------
out=$("$PSQL" -X -q -c "LISTEN claimscrub_result" \
	-c "INSERT INTO claimscrub.result_event (claim_id, claim_version, state)
	    SELECT id, version, 'held' FROM claimscrub.claim WHERE claim_ref = 'IC-2026-0308'" \
	-c "SELECT 1" 2>&1)
case $out in *'notification "claimscrub_result"'*) ok "an event notifies claimscrub_result" ;;
*) not_ok "an event notifies claimscrub_result" "$out" ;; esac
finish

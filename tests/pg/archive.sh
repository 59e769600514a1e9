#!/bin/sh
# archive.sh — `claimscrub db archive` (sql/api/080_archive.sql) on the 18
# sample claims of examples/ (dates of service 2026-03-02 to 03-20; 01-04
# and 15-18 clean, 05-14 flagged with one finding each, workflow.sh): a
# reviewer decides 0306 and 0311, which releases them, and notes 0306.
# --before 2026-03-10 moves the claims released before that day, the four
# clean ones (0301, 0302, 1101, 0304) and 0306, with every row of theirs;
# the flagged ones still held (0305, 0307, 0308) stay; the audits stay
# append-only for what stays; a second run moves nothing; a later date
# moves 0311; the archive is the owner's alone.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

archive() { timeout 120 "$CLAIMSCRUB" db archive --db "$conninfo" "$@" </dev/null 2>&1; }
as() { _role=$1 _sql=$2; shift 2; psql_val "$_sql" -U "$_role" "$@" </dev/null 2>&1; }
refs() { psql_val "SELECT coalesce(string_agg(claim_ref, ' ' ORDER BY claim_ref), '-') FROM $1"; }
fid() { psql_val "SELECT f.id FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id
                   WHERE c.claim_ref = '$1' AND f.claim_version = c.version"; }
cid() { psql_val "SELECT id FROM claimscrub.claim WHERE claim_ref = '$1'"; }

timeout 60 "$CLAIMSCRUB" submit --db "$conninfo" "$src"/examples/[0-9]*.yaml \
	</dev/null >"$T/submit.out" 2>&1 || setup_failed "submit failed: $(tail -n 3 "$T/submit.out")"
write_config "$T/d.yaml"
start_daemon "$T/d.yaml" --once
wait_daemon "$daemon_pid" 120 || { tail_log "$daemon_log"; setup_failed "claimscrubd --once failed"; }
psql_val "CREATE ROLE r1 LOGIN IN ROLE claimscrub_reviewer" >/dev/null
for ref in IC-2026-0306 IC-2026-0311; do
	as r1 "SELECT claimscrub.decide($(fid $ref), 'payer-exception')" >/dev/null ||
		setup_failed "r1 could not decide $ref"
done
as r1 "SELECT claimscrub.work_note('IC-2026-0306', 'contract 14 covers it')" >/dev/null ||
	setup_failed "r1 could not note 0306"
c306=$(cid IC-2026-0306)
events306=$(psql_val "SELECT count(*) FROM claimscrub.result_event WHERE claim_id = $c306")
audit306=$(psql_val "SELECT (SELECT count(*) FROM claimscrub.finding_audit WHERE claim_id = $c306)
                          + (SELECT count(*) FROM claimscrub.work_audit WHERE claim_id = $c306)")

# ---- refused, then a dry run ------------------------------------------------------------------
out=$(archive); st=$?
same "without --before: exit 2, said" "$st $(printf '%s' "$out" | grep -c -- '--before DATE is required')" "2 1"
out=$(archive --before 2026-03-10 --dry-run); st=$?
same "--dry-run: the 5 claims released before 2026-03-10, 0306's finding and its $audit306 audit rows; nothing moves" \
	"$st $out / $(psql_val "SELECT count(*) FROM claimscrub.claim")" \
	"0 would archive 5 claims released before 2026-03-10, 1 findings, $audit306 audit rows / 18"

# ---- the move ------------------------------------------------------------------------------------
out=$(archive --before 2026-03-10); st=$?
same "archive: exit 0, 5 claims moved" "$st $(printf '%s\n' "$out" | tail -n 1)" \
	"0 archived 5 claims released before 2026-03-10, 1 findings, $audit306 audit rows"
same "the four clean claims and 0306 are in the archive, none left in claim" \
	"$(refs claimscrub_archive.claim) / $(psql_val "SELECT count(*) FROM claimscrub.claim WHERE claim_ref IN ('IC-2026-0301', 'IC-2026-0302', 'ON-2026-1101', 'IC-2026-0304', 'IC-2026-0306')")" \
	"IC-2026-0301 IC-2026-0302 IC-2026-0304 IC-2026-0306 ON-2026-1101 / 0"
same "the billing events of the five went with them: none left in result_event (no key cascades them since 022)" \
	"$(psql_val "SELECT count(*) FROM claimscrub.result_event e WHERE e.claim_id IN (SELECT a.claim_id FROM claimscrub_archive.archived a)") $(psql_val "SELECT count(*) > 0 FROM claimscrub.result_event")" \
	"0 t"
same "the held claims before that day stay (0305, 0307, 0308), and 13 claims in all" \
	"$(psql_val "SELECT string_agg(claim_ref, ' ' ORDER BY claim_ref) FROM claimscrub.claim WHERE date_of_service < '2026-03-10'") $(psql_val "SELECT count(*) FROM claimscrub.claim")" \
	"IC-2026-0305 IC-2026-0307 IC-2026-0308 13"
same "0306's lines, administration, finding (decided), note, billing events and audit rows moved with it" \
	"$(psql_val "SELECT (SELECT count(*) FROM claimscrub_archive.claim_line WHERE claim_id = $c306) > 0,
	                    (SELECT count(*) FROM claimscrub_archive.administration WHERE claim_id = $c306) > 0,
	                    (SELECT string_agg(rule || ':' || resolution, ' ') FROM claimscrub_archive.finding WHERE claim_id = $c306),
	                    (SELECT count(*) FROM claimscrub_archive.work_note WHERE claim_id = $c306),
	                    (SELECT count(*) FROM claimscrub_archive.result_event WHERE claim_id = $c306) = $events306
	                    AND $events306 > 0,
	                    (SELECT count(*) FROM claimscrub_archive.finding_audit WHERE claim_id = $c306)
	                  + (SELECT count(*) FROM claimscrub_archive.work_audit WHERE claim_id = $c306),
	                    (SELECT count(*) FROM claimscrub.finding_audit WHERE claim_id = $c306)
	                  + (SELECT count(*) FROM claimscrub.work_audit WHERE claim_id = $c306),
	                    (SELECT count(*) FROM claimscrub_archive.archived)" | tr '|' ' ')" \
	"t t infusion-under-16:accepted-risk 1 t $audit306 0 5"

# ---- what stays is as before ------------------------------------------------------------------------
refused=$(psql_val "DELETE FROM claimscrub.finding_audit" 2>&1)
same "the audit trail that stays is append-only, for its owner too" \
	"$(printf '%s' "$refused" | grep -c 'finding_audit is append-only')" 1
refused=$(psql_val "SET claimscrub.archiving = 'on'; DELETE FROM claimscrub.work_audit" 2>&1)
same "... even with claimscrub.archiving on: only rows already archived may go" \
	"$(printf '%s' "$refused" | grep -c 'work_audit is append-only')" 1
same "the buckets' counts are still the items' (0306's item went with it)" \
	"$(psql_val "SELECT string_agg(dimension || key || items, ' ' ORDER BY dimension, key) FROM claimscrub.work_buckets('all')")" \
	"$(psql_val "SELECT string_agg(dimension || key || items, ' ' ORDER BY dimension, key) FROM claimscrub.work_buckets('all', older_than => -36500)")"
out=$(archive --before 2026-03-10); st=$?
same "a second run moves nothing" "$st $(printf '%s\n' "$out" | tail -n 1)" \
	"0 archived 0 claims released before 2026-03-10, 0 findings, 0 audit rows"
out=$(archive --before 2026-03-13); st=$?
same "--before 2026-03-13: 0311 (released, 03-12) moves; 1112 (held, 03-12) stays" \
	"$st $(refs claimscrub_archive.claim | grep -o 'IC-2026-0311') $(psql_val "SELECT count(*) FROM claimscrub.claim WHERE claim_ref = 'ON-2026-1112'")" \
	"0 IC-2026-0311 1"
consistency_check "after archiving"

# ---- the owner's alone ------------------------------------------------------------------------
out=$(as r1 "SELECT count(*) FROM claimscrub_archive.claim")
same "a reviewer cannot read the archive" "$(printf '%s' "$out" | grep -c 'permission denied')" 1
out=$(as r1 "SELECT * FROM claimscrub.archive('2027-01-01')")
same "a reviewer cannot archive" "$(printf '%s' "$out" | grep -c 'permission denied')" 1
finish

#!/bin/sh
# bad-rows.sh — rows written straight into the tables by some other system,
# bad in every way the schema lets through, next to good claims: the daemon
# (long-running) scrubs the good ones, makes each bad one invalid (or
# flagged) with the reason in its findings, keeps hostile text as data,
# never stalls and never dies; SIGTERM then ends it with status 0.
# Counters at the edge of integer (issue 14, item 8): attempts of
# 715,827,883 and 2^31-1 (one of them in a dead daemon's expired batch)
# end invalid instead of stopping claim_batch(), a claim at version 2^31-1
# can be submitted again, a negative count is refused at write; and
# migrations/007_hardening.sql, run again over rows its constraints forbid,
# makes the counts 0 and refuses to pass over impossible dates.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

sql_text="'); DROP TABLE claimscrub.claim; --"
fmt_text='%s%n%x%p%99999999s'
fmt_ref='BAD-FMT-%s%n%x'
quote_ref='BAD-QUOTE-"a\b"'

gen_claims 50 || setup_failed "generating claims failed"
# One transaction; every claim a 30-minute ceftriaxone infusion billed
# 96365 + J0696 (clean) until one thing is spoiled.
psql_val "
BEGIN;
CREATE TEMP TABLE bad (ref text, spoil text) ON COMMIT DROP;
INSERT INTO bad VALUES
	('BAD-NULL-CODE', 'null code'), ('BAD-UNKNOWN-CODE', 'unknown code'),
	('BAD-UNITS-0', 'units 0'), ('BAD-UNITS-NEG', 'units -3'),
	('BAD-TIME', 'garbage time'), ('BAD-KIND', 'kind banana'),
	('BAD-SQL', 'sql'), (:'fmt_ref', 'format'), ('BAD-BIG', '100 kB'),
	('BAD-NO-SETTING', 'no setting'), ('BAD-SETTING', 'setting'),
	('BAD-NO-ID', 'no administration id'), ('BAD-DUP-ID', 'duplicate id'),
	('BAD-CTRL', 'control characters'), ('BAD-ROUTE', 'route'),
	('BAD-REF-' || repeat('x', 100), 'long claim id'), (:'quote_ref', 'quote'),
	('BAD-EMPTY', 'no rows'), ('BAD-ATTEMPTS', 'attempts'),
	('BAD-ATTEMPTS-HUGE', 'attempts'), ('BAD-ATTEMPTS-MAX', 'attempts'),
	('BAD-VERSION-MAX', 'version'), ('BAD-SERVICE-DATE', 'service date');
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service)
SELECT ref, 'medicare',
       CASE spoil WHEN 'no setting' THEN NULL WHEN 'setting' THEN 'hospital' ELSE 'facility' END,
       'NPI-1234567893', date '2026-03-02'
  FROM bad;
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT c.id, l.n,
       CASE WHEN l.n = 1 AND b.spoil = 'null code' THEN NULL
            WHEN l.n = 1 AND b.spoil = 'unknown code' THEN 'ZZZZZ'
            ELSE l.code END,
       CASE WHEN l.n = 1 AND b.spoil = 'units 0' THEN 0
            WHEN l.n = 1 AND b.spoil = 'units -3' THEN -3
            ELSE l.units END,
       '{}'
  FROM bad b JOIN claimscrub.claim c ON c.claim_ref = b.ref
 CROSS JOIN (VALUES (1, '96365', 1), (2, 'J0696', 4)) AS l(n, code, units)
 WHERE b.spoil <> 'no rows';
INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance, kind, route,
	site, start_time, stop_time)
SELECT c.id, a.n,
       CASE WHEN b.spoil = 'no administration id' THEN NULL
            WHEN b.spoil = 'duplicate id' THEN 'A1' ELSE 'A' || a.n END,
       CASE b.spoil WHEN 'sql' THEN :'sql_text' WHEN 'format' THEN :'fmt_text'
            WHEN '100 kB' THEN repeat('ceftriaxone ', 8534)
            WHEN 'control characters' THEN e'cef\\ntri\\taxone\\x01\\x1b[31m' ELSE 'ceftriaxone' END,
       CASE b.spoil WHEN 'kind banana' THEN 'banana' ELSE 'therapeutic' END,
       CASE b.spoil WHEN 'route' THEN 'intravenous-ish' ELSE 'infusion' END,
       'L-forearm',
       CASE b.spoil WHEN 'garbage time' THEN 'yesterday' ELSE '2026-03-02T09:10' END,
       CASE WHEN b.spoil IN ('sql', 'format') THEN '2026-03-02T09:22'
            ELSE '2026-03-02T09:40' END
  FROM bad b JOIN claimscrub.claim c ON c.claim_ref = b.ref
 CROSS JOIN generate_series(1, 2) AS a(n)
 WHERE b.spoil <> 'no rows' AND (a.n = 1 OR b.spoil = 'duplicate id');
COMMIT;
-- as if daemons had died on it max_attempts times already
UPDATE claimscrub.claim SET attempts = 3 WHERE claim_ref = 'BAD-ATTEMPTS';
-- counters at the edge of integer: 3 x 715,827,883 and 2^31-1 + 1 overflow
-- (claim_batch's n / 8^attempts, its lease's and read_claims' attempts + 1),
-- and version + 1 at 2^31-1 (a resubmission); BAD-ATTEMPTS-MAX sits in the
-- expired batch of a dead daemon, so the first claim_batch counts one
-- more attempt against it
UPDATE claimscrub.claim SET attempts = 715827883 WHERE claim_ref = 'BAD-ATTEMPTS-HUGE';
UPDATE claimscrub.claim SET attempts = 2147483647 WHERE claim_ref = 'BAD-ATTEMPTS-MAX';
UPDATE claimscrub.claim SET version = 2147483647 WHERE claim_ref = 'BAD-VERSION-MAX';
-- a line's service_date (sql/009) the column takes and the reader does not
UPDATE claimscrub.claim_line SET service_date = '1899-12-31' WHERE line_no = 1
   AND claim_id = (SELECT id FROM claimscrub.claim WHERE claim_ref = 'BAD-SERVICE-DATE');
INSERT INTO claimscrub.batch (owner, owner_pid, taken_at, claim_ids)
SELECT 'dead-daemon', 0, clock_timestamp() - interval '1 hour', ARRAY[id]
  FROM claimscrub.claim WHERE claim_ref = 'BAD-ATTEMPTS-MAX';
" -v sql_text="$sql_text" -v fmt_text="$fmt_text" -v fmt_ref="$fmt_ref" -v quote_ref="$quote_ref" \
	>"$T/insert.out" 2>&1 || setup_failed "inserting the bad rows failed: $(head -n 5 "$T/insert.out")"
nbad=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE claim_ref LIKE 'BAD-%'")

write_config "$T/claimscrubd.yaml" "max_attempts: 3" "batch_size: 10"
start_daemon "$T/claimscrubd.yaml"
pid=$daemon_pid log=$daemon_log

if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 30; then
	ok "the queue drains: $nbad bad claims and 50 good ones"
else
	not_ok "the queue drains: $nbad bad claims and 50 good ones" \
		"still pending: $(psql_val "SELECT string_agg(left(claim_ref, 30) || ' (attempts ' || attempts || ')', ', ') FROM claimscrub.claim WHERE status = 'pending'")"
	tail_log "$log"
fi

# invalid REF PATTERN — claim REF is invalid and a finding row of its version
# says why, matching PATTERN (case-insensitive regular expression)
invalid() {
	_got=$(psql_val "
SELECT c.status || ' ' || count(f.id) FILTER (WHERE f.message ~* :'pat')
       || ' | ' || coalesce(string_agg(f.message, ' / '), '')
  FROM claimscrub.claim c
  LEFT JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
 WHERE c.claim_ref = :'ref' GROUP BY c.status" -v ref="$1" -v pat="$2")
	case $_got in
	"invalid "[1-9]*) ok "$1 is invalid: $(echo "${_got#* | }" | cut -c 1-150)" ;;
	*) not_ok "$1 is invalid with a finding matching /$2/" "got: $(echo "$_got" | cut -c 1-300)" ;;
	esac
}
invalid BAD-NULL-CODE 'code'
# the reason names the value's field path, as a document's reader would:
# line 1's units, the first administration's kind, the claim's setting
invalid BAD-UNITS-0 "lines\[1\]\.units: 'units' must be an integer from 1 to 999, not '0'"
invalid BAD-UNITS-NEG 'unit'
invalid BAD-KIND "administrations\[1\]\.kind: 'kind' must be one of therapeutic, chemotherapy, hydration, not 'banana'"
invalid BAD-BIG 'substance|long'
invalid BAD-NO-SETTING 'setting'
invalid BAD-SETTING "setting: 'setting' must be one of facility, professional, not 'hospital'"
invalid BAD-NO-ID "id"
# every administration's id is A1: the second names it (the reader's path)
invalid BAD-DUP-ID "administrations\[2\]\.id: administration id 'A1' is used twice"
invalid BAD-CTRL 'control|character|substance'
invalid BAD-ROUTE 'route'
invalid "BAD-REF-$(printf '%100s' '' | tr ' ' x)" 'claim|long|64'
invalid BAD-SERVICE-DATE "'service_date' must be a date YYYY-MM-DD, not '1899-12-31'"
invalid BAD-ATTEMPTS 'attempt|fail|times'
invalid BAD-ATTEMPTS-HUGE 'attempt|fail|times'
invalid BAD-ATTEMPTS-MAX 'attempt|fail|times'
st=$(psql_val "SELECT status || ' ' || (scrubbed_version = version) FROM claimscrub.claim WHERE claim_ref = 'BAD-VERSION-MAX'")
[ "$st" = "clean true" ] && ok "a claim at version 2^31-1 is scrubbed (clean)" ||
	not_ok "a claim at version 2^31-1 is scrubbed (clean)" "status, scrubbed at its version: $st"

# the rest are claims `claimscrub check` can read too: the same result
verify_results "c.claim_ref IN ('BAD-UNKNOWN-CODE', 'BAD-TIME', 'BAD-SQL', 'BAD-EMPTY', '$fmt_ref')
                OR c.claim_ref LIKE 'BAD-QUOTE-%'" \
	"claims check can read (unknown code, garbage time, hostile text, no rows)"
st=$(psql_val "SELECT status || ' ' || (result->'unchecked')::text || ' ' || jsonb_array_length(result->'findings')
                FROM claimscrub.claim WHERE claim_ref = 'BAD-UNKNOWN-CODE'")
# ZZZZZ is a well-formed code no rule knows: the line is listed as
# unchecked, never silently passed, and the unbilled infusion is a finding
case $st in
"clean [1] "[1-9]* | "flagged [1] "[1-9]*) ok "the unknown code ZZZZZ is reported unchecked, with findings ($st)" ;;
*) not_ok "the unknown code ZZZZZ is reported unchecked, with findings" "status, unchecked, findings: $st" ;;
esac
st=$(psql_val "SELECT status || ' ' || string_agg(f.rule, ' ') FROM claimscrub.claim c
                 JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
                WHERE c.claim_ref = 'BAD-TIME' GROUP BY c.status")
case $st in
"flagged "*invalid-time*) ok "the garbage time 'yesterday' is flagged invalid-time" ;;
*) not_ok "the garbage time 'yesterday' is flagged invalid-time" "status, rules: $st" ;;
esac
verbatim=$(psql_val "
SELECT count(*) FILTER (WHERE c.claim_ref = 'BAD-SQL' AND strpos(f.message, :'s') > 0)
       || ' ' || count(*) FILTER (WHERE c.claim_ref = :'fr' AND strpos(f.message, :'f') > 0
                                  AND c.result->>'claim' = :'fr')
  FROM claimscrub.claim c JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
 WHERE c.status = 'flagged'" -v s="$sql_text" -v f="$fmt_text" -v fr="$fmt_ref")
if [ "$verbatim" = "1 1" ]; then ok "SQL and format-string text are kept verbatim in the findings"; else
	not_ok "SQL and format-string text are kept verbatim in the findings" "matches: $verbatim"; fi
check "claimscrub.claim is still there" [ "$(psql_val "SELECT to_regclass('claimscrub.claim') IS NOT NULL")" = t ]
check "the good claims have their templates' verdicts" bulk_verdicts_ok
good=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE claim_ref LIKE 'BULK-%' AND scrubbed_version = version")
if [ "$good" -eq 50 ]; then ok "all 50 good claims are scrubbed"; else not_ok "all 50 good claims are scrubbed" "$good"; fi
consistency_check "bad rows"

# ---- counters at the edge of integer (issue 14, item 8) -------------------------
# BAD-VERSION-MAX submitted again: it cannot have version 2^31: it becomes
# a new claim at version 1, which the daemon scrubs
good_doc='{"claim": "BAD-VERSION-MAX", "payer": "medicare", "setting": "facility",
 "provider": "NPI-1234567893", "date_of_service": "2026-03-02",
 "lines": [{"code": "96365", "units": 1}, {"code": "J0696", "units": 4}],
 "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic",
  "route": "infusion", "site": "L-forearm", "start": "2026-03-02T09:10", "stop": "2026-03-02T09:40"}]}'
old_id=$(psql_val "SELECT id FROM claimscrub.claim WHERE claim_ref = 'BAD-VERSION-MAX'")
old_events=$(psql_val "SELECT count(*) > 0 FROM claimscrub.result_event WHERE claim_id = $old_id")
if out=$(psql_val "SELECT claimscrub.submit(:'d')" -v d="$good_doc" 2>&1) &&
	wait_until "SELECT status = 'clean' FROM claimscrub.claim WHERE claim_ref = 'BAD-VERSION-MAX'" 15; then
	ok "a claim at version 2^31-1 can be submitted again: a new claim, scrubbed ($(psql_val "SELECT 'id ' || id || ' version ' || version FROM claimscrub.claim WHERE claim_ref = 'BAD-VERSION-MAX'"), was id $old_id)"
else
	not_ok "a claim at version 2^31-1 can be submitted again and is scrubbed" "$(printf '%s' "$out" | head -n 2)" \
		"$(psql_val "SELECT id, version, status FROM claimscrub.claim WHERE claim_ref = 'BAD-VERSION-MAX'")"
fi
same "... and the old claim's billing events went with it (no key cascades them since 022)" \
	"$old_events $(psql_val "SELECT count(*) FROM claimscrub.result_event WHERE claim_id = $old_id")" "t 0"
if out=$(psql_val "SELECT claimscrub.submit(:'d')" -v d="$good_doc" 2>&1) &&
	wait_until "SELECT version = 2 AND status = 'clean' FROM claimscrub.claim WHERE claim_ref = 'BAD-VERSION-MAX'" 15; then
	ok "... and again: version 2, scrubbed"
else
	not_ok "... and again: version 2, scrubbed" "$out"
fi
out=$(psql_val "UPDATE claimscrub.claim SET attempts = -1 WHERE claim_ref = 'BULK-1-6'" 2>&1)
case $out in *claim_attempts_check*) ok "a negative attempt count is refused at write (claim_attempts_check)" ;;
*) not_ok "a negative attempt count is refused at write" "got: $out" ;; esac
consistency_check "after the counters at the edge"

# ---- a line's service_date (sql/migrations/009_claim_rows.sql) --------------------------------
# submit() stores it and the daemon scrubs the claim; what the reader
# refuses (out of 1900-2999, not a day, not YYYY-MM-DD, null, a number)
# submit() refuses, naming the field
sd_doc() { # SUFFIX SERVICE-DATE-JSON
	printf '{"claim": "SD-%s", "setting": "facility", "lines": [{"code": "96374", "service_date": %s}],
 "administrations": [{"id": "A1", "substance": "x", "kind": "therapeutic", "route": "push",
  "start": "2026-03-02T09:00"}]}' "$1" "$2"
}
out=$(psql_val "SELECT claimscrub.submit(:'d')" -v d="$(sd_doc OK '"2026-03-01"')" 2>&1)
if wait_until "SELECT status <> 'pending' AND to_char(l.service_date, 'YYYY-MM-DD') = '2026-03-01'
                 FROM claimscrub.claim c JOIN claimscrub.claim_line l ON l.claim_id = c.id
                WHERE c.claim_ref = 'SD-OK'" 15; then
	ok "submit() stores a line's service_date and the daemon scrubs the claim"
else
	not_ok "submit() stores a line's service_date and the daemon scrubs the claim" "$out"
fi
refused=""
for bad in '"1899-12-31"' '"3000-01-01"' '"2026-02-30"' '"03/01/2026"' null 20260301; do
	out=$(psql_val "SELECT claimscrub.submit(:'d')" -v d="$(sd_doc BAD "$bad")" 2>&1)
	case $out in
	*"lines[1].service_date: must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31"*) ;;
	*) refused="$refused $bad: $out;" ;;
	esac
done
if [ -z "$refused" ] && [ "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE claim_ref = 'SD-BAD'")" = 0 ]; then
	ok "submit() refuses the service dates the reader refuses, naming lines[1].service_date"
else
	not_ok "submit() refuses the service dates the reader refuses" "$refused"
fi

# ---- still alive, still listening ---------------------------------------------
if daemon_exited "$pid"; then
	not_ok "the daemon is still running" "it ended with status $(cat "$T/status.$pid")"; tail_log "$log"
else
	ok "the daemon is still running"
fi
psql_val "UPDATE claimscrub.claim_line SET units = 0 WHERE line_no = 1
           AND claim_id = (SELECT id FROM claimscrub.claim WHERE claim_ref = 'BULK-0-5')" >/dev/null
if wait_until "SELECT status = 'invalid' FROM claimscrub.claim WHERE claim_ref = 'BULK-0-5'" 15; then
	ok "a good claim spoilt later is rescrubbed and becomes invalid"
else
	not_ok "a good claim spoilt later is rescrubbed and becomes invalid" \
		"$(psql_val "SELECT status, version, scrubbed_version FROM claimscrub.claim WHERE claim_ref = 'BULK-0-5'")"
fi
check "its log is key=value lines, one per event" log_is_keyvalue "$log"
# the log lines must stay lines: a message with a newline in it is quoted
stop_daemon "$pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "SIGTERM: the daemon exits 0"; else not_ok "SIGTERM: the daemon exits 0" "exit $st"; tail_log "$log"; fi

# ---- 007 over rows its constraints forbid (a database of before it) -----------------
# a negative count is made 0; a date no claim document can carry stops the
# migration, naming the claim, and nothing is changed; once corrected it runs
m7=$src/sql/migrations/007_hardening.sql
if [ -f "$m7" ]; then
	psql_val "ALTER TABLE claimscrub.claim DROP CONSTRAINT claim_attempts_check;
		  ALTER TABLE claimscrub.claim DROP CONSTRAINT claim_date_of_service_check;
		  UPDATE claimscrub.claim SET attempts = -5 WHERE claim_ref = 'BULK-1-6';
		  INSERT INTO claimscrub.claim (claim_ref, setting, status, date_of_service)
		  VALUES ('BAD-DATE-INFINITY', 'facility', 'invalid', 'infinity')" >/dev/null
	out=$(psql_script "$m7" </dev/null 2>&1)
	left=$(psql_val "SELECT attempts FROM claimscrub.claim WHERE claim_ref = 'BULK-1-6'")
	case $out in
	*"date_of_service no claim document can carry"*BAD-DATE-INFINITY*)
		[ "$left" = -5 ] && ok "007 refuses to run over an infinite date of service, naming the claim, and changes nothing" ||
			not_ok "007 refuses ... and changes nothing" "attempts now $left" ;;
	*) not_ok "007 refuses to run over an infinite date of service, naming the claim" "$out" ;;
	esac
	psql_val "UPDATE claimscrub.claim SET date_of_service = NULL WHERE claim_ref = 'BAD-DATE-INFINITY'" >/dev/null
	if out=$(psql_script "$m7" </dev/null 2>&1) &&
		[ "$(psql_val "SELECT attempts FROM claimscrub.claim WHERE claim_ref = 'BULK-1-6'")" = 0 ] &&
		[ "$(psql_val "SELECT count(*) FROM pg_constraint WHERE conrelid = 'claimscrub.claim'::regclass
		                 AND conname IN ('claim_attempts_check', 'claim_date_of_service_check') AND convalidated")" = 2 ]; then
		ok "corrected, 007 runs again: the negative count is 0, both constraints are back and validated"
	else
		not_ok "corrected, 007 runs again: the negative count is 0, both constraints are back" "$out"
	fi
else
	not_ok "sql/migrations/007_hardening.sql exists"
fi
finish

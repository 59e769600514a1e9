#!/bin/sh
# fault-diskfull.sh — fault scenario 3: the database out of resources, and a
# write that fails for good.  Every daemon runs as a login role of
# claimscrub_daemon (its failure paths need no more rights than that role).
#   A. Disk full (issue 14, item 16).  A test trigger on claimscrub.finding
#      raises SQLSTATE 53100 ("could not extend file ...: No space left on
#      device") for the finding rows of the claims whose id % 31 = 3, while
#      a long-running daemon (batch_size 25) drains 1,000 claims.  An error
#      of the moment: the batch is rolled back whole and its lease ended, no
#      claim is retried alone, none is made invalid, no attempt is counted;
#      the daemon backs off and says so in the log (event=degraded), in
#      /healthz (503 "degraded: database out of resources (53100), retrying
#      in N ms") and in /metrics (claimscrub_database_resource_errors_total
#      {class="53"}, claimscrub_database_degraded).  Then the claim step
#      itself fails (a trigger on claimscrub.batch raises 58030, an I/O
#      error): class 58, and no lease is left held while it rests.  Once the
#      "disk" is fixed (the triggers dropped) the daemon recovers by itself
#      and every claim is scrubbed at its version, once, none invalid.
#   B. SIGTERM while the daemon backs off: exit 0 at once.
#   C. A write that fails for good: the same trigger on new claims, but with
#      SQLSTATE 23514 (a check the finding rows violate).  The batch is
#      retried claim by claim; the failing claims (those with findings to
#      write) end `invalid` with the server's reason — odd ids with their
#      invalid-data finding row, even ids with none, their result saying
#      that storing it failed too (the one exception consistency_check
#      accepts, and this test proves it accepts nothing more); every other
#      claim is scrubbed normally.  Then the trigger is dropped, the invalid
#      claims are put back in the queue (a new version) and scrub cleanly.
# Prints TAP and `# <scenario>: faults injected N, claims M, lost 0,
# duplicated 0` lines.
set -u
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || setup_failed "curl is missing (apt-get install curl)"
claims_a=1000 claims_b=200
claims=${FAULT_CLAIMS:-3000}
[ "$claims" -gt 3000 ] && claims=3000
port=$(free_port $((25000 + $$ % 15000)))
pending_sql="SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'"
none_pending="SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')"

# healthz — prints the status code; the body is in $T/healthz
healthz() { timeout 10 curl -s -o "$T/healthz" -w '%{http_code}' "http://127.0.0.1:$port/healthz"; }
# metric NAME-WITH-LABELS — its value, from a fresh scrape ("" if absent)
metric() {
	timeout 10 curl -s -o "$T/metrics" "http://127.0.0.1:$port/metrics" || return 1
	awk -v m="$1" '$1 == m { print $2 }' "$T/metrics"
}
# metric_at_least NAME-WITH-LABELS MIN — a fresh scrape has it at MIN or more
metric_at_least() { _v=$(metric "$1") && [ -n "$_v" ] && [ "$_v" -ge "$2" ]; }
# wait_metric NAME-WITH-LABELS MIN TIMEOUT — polls until the metric is at least MIN
wait_metric() { wait_for "$3" metric_at_least "$1" "$2"; }
# disk_full_trigger TABLE SQLSTATE CONDITION MESSAGE — a BEFORE INSERT
# trigger on claimscrub.TABLE raising SQLSTATE for the rows where CONDITION
disk_full_trigger() {
	psql_val "
CREATE FUNCTION public.fault_$1() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF $3 THEN
		RAISE EXCEPTION '$4' USING ERRCODE = '$2', HINT = 'Check free disk space.';
	END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER fault_$1 BEFORE INSERT ON claimscrub.$1
	FOR EACH ROW EXECUTE FUNCTION public.fault_$1();" >/dev/null ||
		setup_failed "creating the failing trigger on $1 failed"
}
drop_trigger() {
	psql_val "DROP TRIGGER fault_$1 ON claimscrub.$1; DROP FUNCTION public.fault_$1()" >/dev/null
}
max_attempts() { psql_val "SELECT coalesce(max(attempts), 0) FROM claimscrub.claim"; }

audit_install || setup_failed "installing the audit trigger failed"
psql_val "CREATE ROLE fault_d LOGIN IN ROLE claimscrub_daemon" >/dev/null ||
	setup_failed "creating the daemon's login role failed"
# reconnect_max_ms caps the backoff too: a second here, so the recovery is
# prompt once the fault is gone
write_config "$T/d.yaml" "batch_size: 25" "poll_interval_ms: 300" "max_attempts: 3" \
	"reconnect_max_ms: 1000" "http_port: $port"
sed -i 's/user=postgres/user=fault_d/' "$T/d.yaml"

# ---- A. disk full: nothing invalid, no attempt counted, back off, recover -----
gen_claims $claims_a || setup_failed "generating $claims_a claims failed"
disk_full_trigger finding 53100 "NEW.claim_id % 31 = 3" \
	"could not extend file \"base/16384/16412.3\": No space left on device"
nfull=$(psql_val "SELECT count(*) FROM claimscrub.claim c WHERE c.id % 31 = 3
                    AND split_part(c.claim_ref, '-', 2) IN ('1', '2', '4')")
note "$nfull of $claims_a claims have findings that cannot be stored while the disk is full"
start_daemon "$T/d.yaml"
pid=$daemon_pid log=$daemon_log
if wait_metric 'claimscrub_database_resource_errors_total{class="53"}' 5 60; then
	ok "disk full: the daemon backs off and tries again (claimscrub_database_resource_errors_total{class=\"53\"} $(metric 'claimscrub_database_resource_errors_total{class="53"}'))"
else
	not_ok "disk full: the daemon counts the out-of-resources errors in /metrics" \
		"$(grep claimscrub_database "$T/metrics" 2>/dev/null | head -n 6)"
	tail_log "$log"
fi
check "disk full: claimscrub_database_degraded is 1" [ "$(metric claimscrub_database_degraded)" = 1 ]
code=$(healthz)
if [ "$code" = 503 ] && grep -Eq '^unhealthy: degraded: database out of resources \(53100\), retrying in [0-9]+ ms: could not extend file .*No space left on device$' "$T/healthz"; then
	ok "disk full: /healthz is 503, $(cut -c 1-80 "$T/healthz")..."
else
	not_ok "disk full: /healthz is 503 and says the database is out of resources" "$code $(head -c 300 "$T/healthz")"
fi
if grep -Eq 'event=degraded sqlstate=53100 retry_ms=[0-9]+ error=".*No space left on device"' "$log" &&
	grep -Eq 'event=batch-failed claims=batch retry=backoff sqlstate=53100' "$log"; then
	ok "disk full: the log says so (event=degraded, batch-failed retry=backoff)"
else
	not_ok "disk full: the log says so" "$(grep -E 'event=(degraded|batch-failed)' "$log" | head -n 3)"
fi
ms=$(sed -n 's/.*event=degraded .*retry_ms=\([0-9]*\).*/\1/p' "$log" | tr '\n' ' ')
case $ms in "100 200 400 800 1000 "*) ok "disk full: the backoff doubles from 100 ms to reconnect_max_ms (100 200 400 800 1000 ...)" ;;
*) not_ok "disk full: the backoff doubles from 100 ms to reconnect_max_ms" "retry_ms: $ms" ;; esac
r=$(grep -Ec 'event=(claim-invalid|finding-not-stored|claim-retry-later)|retry=single' "$log")
check "disk full: no claim was retried alone or marked ($r log lines say so)" [ "$r" = 0 ]
r=$(psql_val "SELECT count(*) FILTER (WHERE status = 'invalid') || ' ' || coalesce(max(attempts), 0) FROM claimscrub.claim")
if [ "$r" = "0 0" ]; then ok "disk full: no claim is invalid, no attempt is counted"; else
	not_ok "disk full: no claim is invalid, no attempt is counted" "invalid, max attempts: $r" "$(invalid_sample)"; fi

# the claim step fails too: an I/O error when the batch is taken
disk_full_trigger batch 58030 "true" \
	"could not write to file \"base/16384/16433\": Input/output error"
if wait_metric 'claimscrub_database_resource_errors_total{class="58"}' 2 60; then
	ok "I/O error in the claim step: counted as class 58 ($(metric 'claimscrub_database_resource_errors_total{class="58"}'))"
else
	not_ok "I/O error in the claim step: counted as class 58" "$(grep claimscrub_database "$T/metrics" 2>/dev/null | head -n 6)"
	tail_log "$log"
fi
code=$(healthz)
if [ "$code" = 503 ] && grep -Eq '^unhealthy: degraded: database system error \(58030\), retrying in [0-9]+ ms: could not write to file' "$T/healthz"; then
	ok "I/O error: /healthz is 503, $(cut -c 1-60 "$T/healthz")..."
else
	not_ok "I/O error: /healthz says the database has a system error" "$code $(head -c 300 "$T/healthz")"
fi
# the write that failed ended its lease, and a failing claim step holds
# none: no daemon could count an attempt against these claims meanwhile
r=$(psql_val "SELECT count(*) FROM claimscrub.batch")
check "no lease is left held while the daemon rests ($r batches)" [ "$r" = 0 ]
check "still no attempt counted" [ "$(max_attempts)" = 0 ]

# the disk is fixed: the daemon recovers by itself
drop_trigger batch
drop_trigger finding
if wait_until "$none_pending" 120; then ok "disk fixed: the daemon drains the queue by itself"; else
	not_ok "disk fixed: the daemon drains the queue by itself" "$(psql_val "$pending_sql") pending"; tail_log "$log"; fi
check "disk fixed: the log says it recovered" wait_log 'event=recovered sqlstate=(53100|58030)' 30
code=$(healthz)
if [ "$code" = 200 ] && [ "$(metric claimscrub_database_degraded)" = 0 ]; then ok "disk fixed: /healthz is 200 ok, claimscrub_database_degraded 0"; else
	not_ok "disk fixed: /healthz is 200 ok, claimscrub_database_degraded 0" "$code $(head -c 200 "$T/healthz")"; fi
consistency_check "disk full, fixed"
audit_check
r=$(psql_val "SELECT coalesce(max(attempts), 0) FROM public.fault_scrubs")
check "every claim was written with no attempt counted (max $r)" [ "$r" = 0 ]
check "no claim is invalid" [ "$(invalid_claims)" = 0 ]
check "every claim has its template's verdict and findings" bulk_verdicts_ok
fault_summary "disk full" "$nfull"

# ---- B. SIGTERM while the daemon backs off ----------------------------------------
disk_full_trigger batch 58030 "true" \
	"could not write to file \"base/16384/16433\": Input/output error"
n58=$(metric 'claimscrub_database_resource_errors_total{class="58"}')
gen_claims $claims_b $((claims_a + 1)) || setup_failed "generating claims failed"
# a precondition of the SIGTERM test, not a test point of its own: the
# number of points must not depend on the outcome
wait_metric 'claimscrub_database_resource_errors_total{class="58"}' $((n58 + 1)) 60 ||
	setup_failed "the claim step did not fail again: $(tail -n 3 "$log")"
kill -TERM "$pid"
wait_daemon "$pid" 30
st=$?
if [ $st -eq 0 ]; then ok "SIGTERM while backing off: exit 0"; else not_ok "SIGTERM while backing off: exit 0" "exit $st"; tail_log "$log"; fi
check "the daemon's log is key=value lines" log_is_keyvalue "$log"
drop_trigger batch

# ---- C. a write that fails for good: those claims invalid, the rest scrubbed --------
base=$(psql_val "SELECT max(id) FROM claimscrub.claim")
first=$((claims_a + claims_b + 1))
failing="c.id > $base AND c.id % 31 = 3 AND split_part(c.claim_ref, '-', 2) IN ('1', '2', '4')"
gen_claims "$claims" $first || setup_failed "generating $claims claims failed"
disk_full_trigger finding 23514 \
	"NEW.claim_id > $base AND NEW.claim_id % 31 = 3 AND (NEW.claim_id % 2 = 0 OR NEW.rule <> 'invalid-data')" \
	"new row for relation \"finding\" violates check constraint \"finding_fault\""
nfail=$(psql_val "SELECT count(*) FROM claimscrub.claim c WHERE $failing")
nbare=$(psql_val "SELECT count(*) FROM claimscrub.claim c WHERE $failing AND c.id % 2 = 0")
note "$nfail claims will fail to store their findings ($nbare of them not even an invalid-data finding)"
t0=$(date +%s)
start_daemon "$T/d.yaml"
pid=$daemon_pid log=$daemon_log
if wait_until "$none_pending" 120; then
	ok "the queue drains with the failing trigger in place ($(($(date +%s) - t0)) s)"
else
	not_ok "the queue drains with the failing trigger in place" "$(psql_val "$pending_sql") pending"
	tail_log "$log"
fi
r=$(psql_val "
SELECT count(*) FILTER (WHERE c.status = 'invalid'),
       count(*) FILTER (WHERE c.status = 'invalid' AND $failing),
       count(*) FILTER (WHERE c.status = 'invalid' AND $failing
           AND c.result->'findings'->0->'evidence'->>'reason'
               ~ '^writing its results failed: new row for relation \"finding\" violates check constraint')
  FROM claimscrub.claim c" -F ' ')
if [ "$r" = "$nfail $nfail $nfail" ]; then ok "exactly the $nfail failing claims are invalid, with the server's reason in their result"; else
	not_ok "exactly the failing claims are invalid, with the server's reason" \
		"invalid, of them failing, with the reason: $r (want $nfail each)" "$(invalid_sample)"; fi
r=$(psql_val "
SELECT count(*) FILTER (WHERE c.id % 2 = 1 AND n = 1 AND m ~ 'violates check constraint'),
       count(*) FILTER (WHERE c.id % 2 = 0 AND n = 0
           AND c.result->'findings'->0->'evidence'->>'reason'
               ~ '; storing this finding failed too: new row for relation .* violates check constraint .*\$')
  FROM claimscrub.claim c
  CROSS JOIN LATERAL (SELECT count(*) AS n, min(f.message) AS m FROM claimscrub.finding f
                       WHERE f.claim_id = c.id AND f.claim_version = c.version) f
 WHERE $failing" -F ' ')
if [ "$r" = "$((nfail - nbare)) $nbare" ]; then
	ok "odd ids keep their invalid-data finding row ($((nfail - nbare))); even ids have none and their result says storing it failed too ($nbare)"
else
	not_ok "invalid-data finding rows where they could be stored, and only there" \
		"odd with the row, even without: $r (want $((nfail - nbare)) $nbare)"
fi
verify_results "NOT ($failing)" "the other claims of the failed batches"
bf=$(grep -c 'event=batch-failed.*retry=single.*sqlstate=23514' "$log")
singles=$(grep -c 'event=batch .*retry=single' "$log")
if [ "$bf" -ge 1 ] && [ "$singles" -ge 1 ]; then ok "failed batches were retried claim by claim ($bf batches failed, $singles claims written alone)"; else
	not_ok "failed batches were retried claim by claim" "batch failures $bf, single writes $singles"; tail_log "$log"; fi
check "a write that fails for good does not degrade the daemon" [ "$(grep -c 'event=degraded' "$log")" = 0 ]
consistency_check "with the failing trigger"
audit_check
if [ "${c_bare:-0}" = "$nbare" ]; then ok "consistency_check accepted exactly the $nbare claims without their finding row"; else
	not_ok "consistency_check accepted exactly the claims without their finding row" "accepted ${c_bare:-?}, want $nbare"; fi
fault_summary "a write failing for good" "$nfail"

# ---- consistency_check accepts that case and nothing more ------------------------------
drop_trigger finding
# probe LABEL SQL-SELECTING-ONE-FINDING-ID — deletes that row, runs
# consistency_check (output kept aside), puts the row back: it must fail
probe() {
	psql_val "CREATE TABLE public.fault_probe AS SELECT * FROM claimscrub.finding WHERE id = ($2);
	          DELETE FROM claimscrub.finding WHERE id IN (SELECT id FROM public.fault_probe)" >/dev/null
	_out=$(consistency_check probe)
	psql_val "INSERT INTO claimscrub.finding OVERRIDING SYSTEM VALUE SELECT * FROM public.fault_probe;
	          DROP TABLE public.fault_probe" >/dev/null
	case $_out in
	"not ok"*"missing finding rows 1,"*) ok "consistency_check still fails $1" ;;
	*) not_ok "consistency_check still fails $1" "$_out" ;;
	esac
}
probe "an invalid claim missing its stored invalid-data finding row" \
	"SELECT min(f.id) FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.status = 'invalid'"
probe "a flagged claim missing a finding row" \
	"SELECT min(f.id) FROM claimscrub.finding f JOIN claimscrub.claim c ON c.id = f.claim_id WHERE c.status = 'flagged'"
_out=$(consistency_check again)
case $_out in "ok"*) ok "the probes left the queue as it was" ;; *) not_ok "the probes left the queue as it was" "$_out" ;; esac

# ---- the trigger gone, the invalid claims requeued: they scrub cleanly ---------------------
rq=$(psql_val "WITH u AS (UPDATE claimscrub.claim SET status = 'pending' WHERE status = 'invalid' RETURNING version)
              SELECT count(*) || ' ' || min(version) || ' ' || max(version) FROM u")
if [ "$rq" = "$nfail 2 2" ]; then ok "the $nfail invalid claims are requeued at version 2"; else
	not_ok "the invalid claims are requeued at version 2" "requeued, min and max version: $rq"; fi
if wait_until "$none_pending" 60; then
	ok "the daemon scrubs the requeued claims"
else
	not_ok "the daemon scrubs the requeued claims" "$(tail -n 3 "$log")"
fi
stop_daemon "$pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "SIGTERM: exit 0"; else not_ok "SIGTERM: exit 0" "exit $st"; tail_log "$log"; fi
consistency_check "after the requeue"
audit_check
check "no claim is stored without its finding row any more" [ "${c_bare:-x}" = 0 ]
check "every claim has its template's verdict and findings" bulk_verdicts_ok
verify_results "true" "every claim"
inv=$(invalid_claims)
if [ "$inv" -eq 0 ]; then ok "no claim is invalid after the requeue"; else not_ok "no claim is invalid after the requeue" "$inv" "$(invalid_sample)"; fi
check "the daemon's log is key=value lines" log_is_keyvalue "$log"
fault_summary "a write failing for good, requeued" "$nfail"
finish

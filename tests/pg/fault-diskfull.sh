#!/bin/sh
# fault-diskfull.sh — fault scenario 3: disk-full-like errors.  A test
# trigger on claimscrub.finding raises SQLSTATE 53100 ("could not extend
# file ...: No space left on device") for the finding rows of every claim
# whose id % 31 = 3: for even ids every row (not even an invalid-data
# finding can be stored), for odd ids every row but an invalid-data one.
# While it is there, a long-running daemon (batch_size 25, running as a
# login role of claimscrub_daemon) drains 3,000 claims: each failing batch
# is retried claim by claim; the failing claims (those with findings to
# write) end `invalid` with the server's reason in
# their result — odd ids with their invalid-data finding row, even ids with
# none, their result saying that storing it failed too (the one exception
# consistency_check accepts, and this test proves it accepts nothing more);
# every other claim of those batches is scrubbed normally.  Then the trigger
# is dropped, the invalid claims are put back in the queue (status =
# 'pending': a new version) and scrub cleanly.  Prints TAP and
# `# disk full: faults injected N, claims M, lost 0, duplicated 0`.
set -u
. "$(dirname "$0")/lib.sh"
claims=${FAULT_CLAIMS:-3000}
[ "$claims" -gt 3000 ] && claims=3000
failing="c.id % 31 = 3 AND split_part(c.claim_ref, '-', 2) IN ('1', '2', '4')"

gen_claims "$claims" || setup_failed "generating $claims claims failed"
audit_install || setup_failed "installing the audit trigger failed"
psql_val "
CREATE FUNCTION public.fault_disk_full() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF NEW.claim_id % 31 = 3 AND (NEW.claim_id % 2 = 0 OR NEW.rule <> 'invalid-data') THEN
		RAISE EXCEPTION 'could not extend file \"base/16384/16412.3\": No space left on device'
			USING ERRCODE = '53100', HINT = 'Check free disk space.';
	END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER fault_disk_full BEFORE INSERT ON claimscrub.finding
	FOR EACH ROW EXECUTE FUNCTION public.fault_disk_full();" >/dev/null ||
	setup_failed "creating the failing trigger failed"
nfail=$(psql_val "SELECT count(*) FROM claimscrub.claim c WHERE $failing")
nbare=$(psql_val "SELECT count(*) FROM claimscrub.claim c WHERE $failing AND c.id % 2 = 0")
note "$nfail claims will fail to store their findings ($nbare of them not even an invalid-data finding)"

# the daemon runs as a member of claimscrub_daemon (sql/004_roles.sql): the
# statements of its failure paths need no more rights than that role has
psql_val "CREATE ROLE fault_d LOGIN IN ROLE claimscrub_daemon" >/dev/null ||
	setup_failed "creating the daemon's login role failed"
write_config "$T/d.yaml" "batch_size: 25" "poll_interval_ms: 300" "max_attempts: 3"
sed -i 's/user=postgres/user=fault_d/' "$T/d.yaml"
t0=$(date +%s)
start_daemon "$T/d.yaml"
pid=$daemon_pid log=$daemon_log
if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 120; then
	ok "the queue drains with the failing trigger in place ($(($(date +%s) - t0)) s)"
else
	not_ok "the queue drains with the failing trigger in place" \
		"$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'") pending"
	tail_log "$log"
fi

# ---- the failing claims, and only they, are invalid with the reason -----------------
r=$(psql_val "
SELECT count(*) FILTER (WHERE c.status = 'invalid'),
       count(*) FILTER (WHERE c.status = 'invalid' AND $failing),
       count(*) FILTER (WHERE c.status = 'invalid' AND $failing
           AND c.result->'findings'->0->'evidence'->>'reason'
               ~ '^writing its results failed: could not extend file .*: No space left on device')
  FROM claimscrub.claim c" -F ' ')
if [ "$r" = "$nfail $nfail $nfail" ]; then ok "exactly the $nfail failing claims are invalid, with the server's reason in their result"; else
	not_ok "exactly the failing claims are invalid, with the server's reason" \
		"invalid, of them failing, with the reason: $r (want $nfail each)" "$(invalid_sample)"; fi
r=$(psql_val "
SELECT count(*) FILTER (WHERE c.id % 2 = 1 AND n = 1 AND m ~ 'No space left on device'),
       count(*) FILTER (WHERE c.id % 2 = 0 AND n = 0
           AND c.result->'findings'->0->'evidence'->>'reason'
               ~ '; storing this finding failed too: could not extend file .*No space left on device\$')
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
bf=$(grep -c 'event=batch-failed.*retry=single.*sqlstate=53100' "$log")
singles=$(grep -c 'event=batch .*retry=single' "$log")
if [ "$bf" -ge 1 ] && [ "$singles" -ge 1 ]; then ok "failed batches were retried claim by claim ($bf batches failed, $singles claims written alone)"; else
	not_ok "failed batches were retried claim by claim" "batch failures $bf, single writes $singles"; tail_log "$log"; fi
consistency_check "with the failing trigger"
audit_check
if [ "${c_bare:-0}" = "$nbare" ]; then ok "consistency_check accepted exactly the $nbare claims without their finding row"; else
	not_ok "consistency_check accepted exactly the claims without their finding row" "accepted ${c_bare:-?}, want $nbare"; fi
fault_summary "disk full" "$nfail"

# ---- consistency_check accepts that case and nothing more ------------------------------
psql_val "DROP TRIGGER fault_disk_full ON claimscrub.finding" >/dev/null
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
if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 60; then
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
fault_summary "disk full, requeued" "$nfail"
finish

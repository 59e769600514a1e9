#!/bin/sh
# rescrub.sh — a changed claim is scrubbed again and reviewer decisions
# survive it: a flagged claim, one of its findings resolved by a reviewer,
# then a billed line changed (version + 1, pending again): after the rescrub
# the resolved finding is still there with its reviewer fields, the older
# version's unresolved findings are gone, the new version's are there.  Then
# a replacement through claimscrub.submit (version 3), and requeues of an
# unchanged claim by hand (status set back to pending, as an operator does
# after a rules change), which must neither lose the reviewer's decision nor
# turn the claim invalid however often they happen.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

# scrubbed REF VERSION — waits (15 s) until claim REF is scrubbed at VERSION
scrubbed() {
	wait_until "SELECT scrubbed_version = $2 AND status <> 'pending'
	              FROM claimscrub.claim WHERE claim_ref = '$1'" 15
}
# q SQL — one value about claim RS-1 (:id is its id)
q() { psql_val "$1" -v id="$id"; }

write_config "$T/claimscrubd.yaml" "poll_interval_ms: 1000"
start_daemon "$T/claimscrubd.yaml"
pid=$daemon_pid log=$daemon_log

# ---- version 1: flagged, two findings ------------------------------------------
doc1='{"claim": "RS-1", "payer": "medicare", "setting": "facility", "date_of_service": "2026-03-06",
 "lines": [{"code": "96365"}, {"code": "36000"}, {"code": "J0696", "units": 4}],
 "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic", "route": "infusion",
   "site": "L-forearm", "start": "2026-03-06T13:00", "stop": "2026-03-06T13:12"}]}'
id=$(psql_val "SELECT claimscrub.submit(:'doc')" -v doc="$doc1")
[ -n "$id" ] || setup_failed "claimscrub.submit failed"
if scrubbed RS-1 1; then ok "version 1 is scrubbed"; else not_ok "version 1 is scrubbed"; tail_log "$log"; fi
v1=$(q "SELECT status || ' ' || count(f.id) FROM claimscrub.claim c
          JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = 1
         WHERE c.id = :id GROUP BY c.status")
if [ "$v1" = "flagged 2" ]; then ok "version 1 is flagged with 2 findings"; else
	not_ok "version 1 is flagged with 2 findings" "got: $v1"; fi

# ---- a reviewer accepts the risk of finding 1 (iv-start-bundled) -----------------
resolved=$(q "UPDATE claimscrub.finding SET resolution = 'accepted-risk', resolved_by = 'rev1',
                     resolved_at = now(), note = 'ok'
               WHERE claim_id = :id AND claim_version = 1 AND ordinal = 1
              RETURNING id || '|' || rule || '|' || resolved_at")
rid=${resolved%%|*}
[ -n "$rid" ] && ok "a reviewer resolves finding 1 of version 1 ($(echo "$resolved" | cut -d '|' -f 2))" ||
	not_ok "a reviewer resolves finding 1 of version 1"

# the resolved finding, exactly as the reviewer left it
kept_sql="SELECT count(*) = 1 FROM claimscrub.finding
	   WHERE id = :rid AND claim_id = :id AND claim_version = 1 AND ordinal = 1
	     AND rule = 'iv-start-bundled' AND resolution = 'accepted-risk'
	     AND resolved_by = 'rev1' AND note = 'ok' AND resolved_at = :'rat'::timestamptz"
rat=$(echo "$resolved" | cut -d '|' -f 3)
kept() { [ "$(psql_val "$kept_sql" -v id="$id" -v rid="${rid:-0}" -v rat="$rat")" = t ]; }

# ---- version 2: a line changed in place ---------------------------------------------
q "UPDATE claimscrub.claim_line SET units = 2 WHERE claim_id = :id AND line_no = 1" >/dev/null
after=$(q "SELECT version || ' ' || status FROM claimscrub.claim WHERE id = :id")
case $after in
"2 pending" | "2 flagged") ok "changing a line makes version 2 and requeues the claim ($after)" ;;
*) not_ok "changing a line makes version 2 and requeues the claim" "version and status: $after" ;;
esac
if scrubbed RS-1 2; then ok "version 2 is scrubbed"; else not_ok "version 2 is scrubbed"; tail_log "$log"; fi
check "the resolved finding is still there with its reviewer fields" kept
stale=$(q "SELECT count(*) FROM claimscrub.finding WHERE claim_id = :id AND claim_version = 1 AND resolution IS NULL")
if [ "$stale" -eq 0 ]; then ok "the unresolved findings of version 1 are gone"; else
	not_ok "the unresolved findings of version 1 are gone" "$stale left"; fi
v2=$(q "SELECT c.status || ' ' || count(f.id) || ' ' || jsonb_array_length(c.result->'findings')
          FROM claimscrub.claim c LEFT JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = 2
         WHERE c.id = :id GROUP BY c.status, c.result")
if [ "$v2" = "flagged 3 3" ]; then ok "version 2 has its own 3 findings"; else
	not_ok "version 2 has its own 3 findings" "status, rows, findings in the result: $v2"; fi
verify_results "c.claim_ref = 'RS-1'" "version 2's result"

# ---- version 3: replaced through submit, now clean ---------------------------------------
doc3='{"claim": "RS-1", "payer": "medicare", "setting": "facility", "date_of_service": "2026-03-06",
 "lines": [{"code": "96374"}, {"code": "J0696", "units": 4}],
 "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic", "route": "push",
   "site": "L-forearm", "start": "2026-03-06T13:00", "stop": "2026-03-06T13:12"}]}'
psql_val "SELECT claimscrub.submit(:'doc')" -v doc="$doc3" >/dev/null
if scrubbed RS-1 3; then ok "version 3 (submitted again) is scrubbed"; else
	not_ok "version 3 (submitted again) is scrubbed"; tail_log "$log"; fi
v3=$(q "SELECT status || ' ' || (SELECT count(*) FROM claimscrub.finding f
                                   WHERE f.claim_id = c.id AND f.resolution IS NULL)
          FROM claimscrub.claim c WHERE id = :id")
if [ "$v3" = "clean 0" ]; then ok "version 3 is clean with no open finding"; else
	not_ok "version 3 is clean with no open finding" "status, open findings: $v3"; fi
check "the resolved finding of version 1 is still there" kept

# ---- requeue by hand: UPDATE claim SET status = 'pending' ---------------------------------

# requeue N — sets claim :id back to pending N times, waiting for each
# rescrub; says what went wrong in $requeue_failed
requeue() {
	requeue_failed=""
	_i=0
	while [ $_i -lt "$1" ]; do
		_i=$((_i + 1))
		_before=$(q "SELECT scrubbed_at FROM claimscrub.claim WHERE id = :id")
		_now=$(q "UPDATE claimscrub.claim SET status = 'pending' WHERE id = :id RETURNING status")
		[ "$_now" = pending ] || requeue_failed="$requeue_failed requeue $_i: the UPDATE left it $_now;"
		# scrubbed again: no longer pending, and a later scrubbed_at
		wait_until "SELECT status <> 'pending' AND scrubbed_at > '$_before'
		              FROM claimscrub.claim WHERE id = $id" 15 ||
			requeue_failed="$requeue_failed requeue $_i: not scrubbed again;"
		_st=$(q "SELECT status FROM claimscrub.claim WHERE id = :id")
		if [ "$_st" != flagged ]; then
			requeue_failed="$requeue_failed requeue $_i: status $_st (attempts $(q "SELECT attempts FROM claimscrub.claim WHERE id = :id"): $(q "SELECT result->'findings'->0->>'message' FROM claimscrub.claim WHERE id = :id"))"
			break
		fi
	done
}
doc='{"claim": "RS-2", "setting": "facility", "date_of_service": "2026-03-06",
 "lines": [{"code": "96365"}, {"code": "36000"}, {"code": "J0696", "units": 4}],
 "administrations": [{"id": "A1", "substance": "ceftriaxone", "kind": "therapeutic", "route": "infusion",
   "site": "L-forearm", "start": "2026-03-06T13:00", "stop": "2026-03-06T13:12"}]}'
id=$(psql_val "SELECT claimscrub.submit(:'doc')" -v doc="$doc")
scrubbed RS-2 1 || not_ok "RS-2 is scrubbed"
requeue 7
if [ -z "$requeue_failed" ]; then ok "a claim requeued unchanged 7 times (more than max_attempts) is scrubbed each time"; else
	not_ok "a claim requeued unchanged 7 times (more than max_attempts) is scrubbed each time" "$requeue_failed"; fi

doc=$(echo "$doc" | sed 's/RS-2/RS-3/')
id=$(psql_val "SELECT claimscrub.submit(:'doc')" -v doc="$doc")
scrubbed RS-3 1 || not_ok "RS-3 is scrubbed"
resolved=$(q "UPDATE claimscrub.finding SET resolution = 'false-positive', resolved_by = 'rev2',
                     resolved_at = now(), note = 'seen'
               WHERE claim_id = :id AND claim_version = 1 AND ordinal = 0 RETURNING id")
requeue 1
if [ -z "$requeue_failed" ]; then ok "a requeued claim with a resolved finding is scrubbed again"; else
	not_ok "a requeued claim with a resolved finding is scrubbed again" "$requeue_failed"; fi
kept=$(q "SELECT count(*) FROM claimscrub.finding
           WHERE id = ${resolved:-0} AND resolution = 'false-positive' AND resolved_by = 'rev2' AND note = 'seen'")
if [ "$kept" = 1 ]; then ok "the requeue keeps the reviewer's decision"; else
	not_ok "the requeue keeps the reviewer's decision" "resolved finding rows: $kept"; fi
consistency_check "RS-1, RS-2, RS-3"

stop_daemon "$pid" TERM
st=$?
if [ $st -eq 0 ]; then ok "the daemon exits 0 on SIGTERM"; else not_ok "the daemon exits 0 on SIGTERM" "exit $st"; fi
check "its log is key=value lines" log_is_keyvalue "$log"
finish

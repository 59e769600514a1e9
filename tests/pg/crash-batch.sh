#!/bin/sh
# crash-batch.sh — batches whose daemon died.  A batch row left by a daemon
# that is gone (its lease long run out) holds 200 claims; another, still
# leased, holds 50; one claim has had its batch die max_attempts times.  A
# daemon then drains the queue: it leaves the leased claims alone until the
# lease runs out, counts an attempt against each claim of a dead batch and
# takes those claims in batches of an eighth of batch_size, writes every
# claim once, and makes only the claim that kept dying invalid, alone in its
# transaction.  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

gen_claims 600 || setup_failed "generating claims failed"
audit_install || setup_failed "installing the audit trigger failed"
# claims are taken oldest first: BULK-*-1..200 lead the queue
psql_val "
INSERT INTO claimscrub.batch (owner, owner_pid, taken_at, claim_ids)
SELECT 'dead-daemon', 999999, clock_timestamp() - interval '1 hour', array_agg(id ORDER BY id)
  FROM (SELECT id FROM claimscrub.claim ORDER BY enqueued_at, id LIMIT 200) d;
INSERT INTO claimscrub.batch (owner, owner_pid, taken_at, claim_ids)
SELECT 'live-daemon', 999998, clock_timestamp(), array_agg(id ORDER BY id)
  FROM (SELECT id FROM claimscrub.claim ORDER BY enqueued_at, id OFFSET 200 LIMIT 50) l;
UPDATE claimscrub.claim SET attempts = 3
 WHERE id = (SELECT id FROM claimscrub.claim ORDER BY enqueued_at, id OFFSET 400 LIMIT 1);
" >/dev/null || setup_failed "writing the batches failed"
dead=$(psql_val "SELECT claim_ids FROM claimscrub.batch WHERE owner_pid = 999999")
leased=$(psql_val "SELECT claim_ids FROM claimscrub.batch WHERE owner_pid = 999998")
poison=$(psql_val "SELECT id FROM claimscrub.claim WHERE attempts = 3")

write_config "$T/d.yaml" "batch_size: 100" "max_attempts: 3" "poll_interval_ms: 200" \
	"claim_lease_ms: 6000"
t0=$(date +%s)
start_daemon "$T/d.yaml"
if wait_until "SELECT count(*) = 50 FROM claimscrub.claim WHERE status = 'pending'" 5; then
	left=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending' AND id = ANY (:'l'::bigint[])" -v l="$leased")
	if [ "$left" = 50 ] && [ $(($(date +%s) - t0)) -lt 6 ]; then
		ok "the 50 claims of the live batch are left alone while its lease runs"
	else
		not_ok "the 50 claims of the live batch are left alone while its lease runs" "$left of them pending"
	fi
else
	not_ok "the 50 claims of the live batch are left alone while its lease runs" \
		"pending: $(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")"
fi
if wait_until "SELECT NOT EXISTS (SELECT 1 FROM claimscrub.claim WHERE status = 'pending')" 30; then
	ok "once its lease has run out, they are scrubbed too ($(($(date +%s) - t0)) s)"
else
	not_ok "once its lease has run out, they are scrubbed too" \
		"$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'") pending"
fi
stop_daemon "$daemon_pid" TERM
consistency_check "dead batches"
audit_check

r=$(psql_val "SELECT count(*) FILTER (WHERE attempts = 1 AND claim_id = ANY (:'d'::bigint[])),
	count(*) FILTER (WHERE attempts = 1 AND claim_id = ANY (:'l'::bigint[])),
	count(*) FILTER (WHERE attempts = 0)
  FROM public.fault_scrubs" -v d="$dead" -v l="$leased" -F ' ')
if [ "$r" = "200 50 349" ]; then ok "an attempt was counted against each claim of the two batches, none against the others"; else
	not_ok "an attempt was counted against each claim of the two batches, none against the others" "dead, leased, others at 0: $r"; fi

# the claims of the batches that died were written in transactions of at
# most 100 / 8 = 12 claims, none of them with a claim that had not died
r=$(psql_val "SELECT coalesce(max(n), 0) || ' ' || count(*) FILTER (WHERE mixed)
  FROM (SELECT xid, count(*) AS n, bool_or(attempts = 0) AS mixed
          FROM public.fault_scrubs WHERE xid IN (SELECT xid FROM public.fault_scrubs WHERE attempts > 0)
         GROUP BY xid) t")
case $r in
"12 0" | [1-9]" 0" | 1[01]" 0") ok "claims whose batch died go in batches of at most 12, apart from the others ($r)" ;;
*) not_ok "claims whose batch died go in batches of at most 12, apart from the others" "largest, mixed: $r" ;;
esac

r=$(psql_val "SELECT c.status || ' ' || (SELECT count(*) FROM public.fault_scrubs s
			WHERE s.xid = (SELECT xid FROM public.fault_scrubs WHERE claim_id = c.id))
	|| ' ' || (c.result->'findings'->0->>'message')
  FROM claimscrub.claim c WHERE c.id = :p" -v p="$poison")
case $r in
"invalid 1 "*"failed 3 times"*) ok "the claim whose batch died max_attempts times is invalid, written alone: ${r#invalid 1 }" ;;
*) not_ok "the claim whose batch died max_attempts times is invalid, written alone" "$r" ;;
esac
inv=$(invalid_claims)
if [ "$inv" = 1 ]; then ok "no other claim is invalid"; else not_ok "no other claim is invalid" "$inv invalid" "$(invalid_sample)"; fi
left_rows=$(psql_val "SELECT count(*) FROM claimscrub.batch")
if [ "$left_rows" = 0 ]; then ok "no batch is left once the daemon has stopped"; else
	not_ok "no batch is left once the daemon has stopped" "$left_rows rows: $(psql_val "SELECT owner_pid, taken_at, cardinality(claim_ids) FROM claimscrub.batch")"; fi
finish

-- bench/same-work.sql — the same-work floor of bench/drain.sh (issue 19):
-- one pgbench transaction a batch of :bs claims doing, in plain SQL on the
-- tables (none of our functions), the work a daemon's batch does:
--   claim the oldest pending ids, FOR UPDATE SKIP LOCKED;
--   read their claim, line and administration rows (sent to the client;
--   lines and administrations one index probe a claim, as the planner
--   otherwise picks a sequential scan of administration for 500 ids);
--   insert 0.5 findings a claim (an 80-character message, a small evidence
--   object): the claims with even ids get one;
--   set each claim's status, its result (about 400 bytes of jsonb, parsed
--   from text as the daemon's results are) and what write_batch sets.
-- The tables' triggers, foreign keys, checks and indexes run as they run
-- for the daemon.  `:ids` is the batch as an array literal ('{}' when the
-- queue is empty: the rest of the transaction then touches nothing).
BEGIN;
SELECT coalesce(array_agg(id), '{}') AS ids FROM (
	SELECT c.id FROM claimscrub.claim c
	 WHERE c.status = 'pending'
	 ORDER BY c.enqueued_at, c.id
	 LIMIT :bs
	   FOR UPDATE SKIP LOCKED) p \gset
SELECT c.id, c.version, c.attempts, c.claim_ref, c.payer, c.setting, c.provider, c.date_of_service FROM claimscrub.claim c WHERE c.id = ANY (':ids'::bigint[]) ORDER BY c.id;
SELECT i.id, l.line_no, l.code, l.units, l.modifiers, l.service_date FROM unnest(':ids'::bigint[]) AS i(id) CROSS JOIN LATERAL (SELECT l.line_no, l.code, l.units, l.modifiers, l.service_date FROM claimscrub.claim_line l WHERE l.claim_id = i.id ORDER BY l.line_no) l;
SELECT i.id, a.seq, a.admin_ref, a.substance, a.kind, a.route, a.site, a.start_time, a.stop_time, a.is_primary, a.separate_site_required FROM unnest(':ids'::bigint[]) AS i(id) CROSS JOIN LATERAL (SELECT a.seq, a.admin_ref, a.substance, a.kind, a.route, a.site, a.start_time, a.stop_time, a.is_primary, a.separate_site_required FROM claimscrub.administration a WHERE a.claim_id = i.id ORDER BY a.seq) a;
INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule, severity, line_no, administration_ref, message, evidence, suggest) SELECT c.id, c.version, 0, 'infusion-under-16', 'error', 1, 'A1', rpad('line 1 bills 96365 as an infusion, but A1 ran 12 minutes, which is a push: ' || c.id, 80, '.'), ('{"code": "96365", "minutes": ' || (c.id % 15) || '}')::jsonb, NULL FROM claimscrub.claim c WHERE c.id = ANY (':ids'::bigint[]) AND c.id % 2 = 0;
UPDATE claimscrub.claim c SET status = CASE WHEN c.id % 2 = 0 THEN 'flagged' ELSE 'clean' END, result = ('{"claim": "' || c.claim_ref || '", "verdict": "' || CASE WHEN c.id % 2 = 0 THEN 'flagged' ELSE 'clean' END || '", "profile": "default", "rules_version": "7926beb303b77236", "expected": [{"code": "96365", "units": 1, "modifiers": [], "administrations": ["A1"]}, {"code": "J3370", "units": 2, "modifiers": [], "administrations": ["A1"]}], "findings": [], "unchecked": [], "pad": "' || repeat('x', 120) || '"}')::jsonb, rules_version = 'bench', scrubbed_at = clock_timestamp(), scrubbed_version = c.version, attempts = 0 WHERE c.id = ANY (':ids'::bigint[]) AND c.status = 'pending';
COMMIT;

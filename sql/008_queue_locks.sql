-- 008_queue_locks.sql: what another login, an open transaction or one huge
-- raw claim did to the daemons (issue 14, items 6, 9 and 12):
--
--   6  any login could stop every daemon: claim_batch() took its turn with
--      pg_advisory_xact_lock(hashtext('claimscrub.claim_batch')), and
--      advisory locks need no privilege at all, so a session that held that
--      key held every claim step.  The daemons now take turns on the one row
--      of claimscrub.queue_lock (SELECT ... FOR UPDATE), which only
--      claimscrub_daemon can lock: it alone holds a privilege on the table
--      (FOR UPDATE needs UPDATE on a column; LOCK TABLE in any mode that
--      conflicts with a row lock needs UPDATE, DELETE or TRUNCATE on the
--      whole table, which nobody but the owner has).  The wait is bounded
--      (lock_timeout, 5 s or the session's own if shorter): a claim step
--      that times out (SQLSTATE 55P03) is rolled back whole, so it counts
--      no attempt and makes no claim invalid; the daemon logs it and claims
--      again with the poll timer or a NOTIFY.
--   9  an open client transaction stopped every daemon: BEGIN; SELECT
--      claimscrub.submit(...) on a pending claim locks its row until the
--      client commits; write_batch()'s UPDATE waited for it, and so did
--      claim_batch()'s count of a dead batch's attempts, holding every
--      daemon's turn.  Both now lock the claims they write FOR UPDATE SKIP
--      LOCKED and leave a locked one alone: it stays pending, no attempt is
--      counted, and it is taken again once the client's transaction is
--      over (its commit NOTIFYs).  write_batch() says how many it left
--      locked, so that a batch of nothing but locked claims ends the
--      daemon's drain (it waits for the poll timer or a NOTIFY) instead of
--      taking the same claim again at once.  Anything else a daemon's
--      function may wait for (a reviewer's open transaction on a finding
--      row) is bounded by lock_timeout for the rest of its transaction
--      (bound_lock_wait), never longer than the session's own.
--  12  one raw claim could take the daemon's memory: claim_batch() returned
--      every line and administration row of a claim and every byte of its
--      text, and 1,000,000 claim_line rows were 240 MB in the daemon.  The
--      daemon now passes the rules' largest max_lines and
--      max_administrations; read_claims() returns at most one row more than
--      each (the claim row says where it cut, f8 and f9: the daemon makes a
--      claim with more rows than that invalid, naming the limit), and each
--      text at most one character more than the reader accepts, so a value
--      too long still reads as too long (the reader's message gives the
--      bytes it read, not the bytes stored).  A claim id is cut at 1,024
--      characters; write_batch() puts the whole id back in the result.
--
-- claim_batch() and read_claims() take the limits, write_batch() a bound
-- on its lock waits and returns (written, locked): their old forms are
-- dropped, so a daemon of before 008 fails its claim steps with "function
-- ... does not exist" instead of taking batches past the others' turn,
-- and the new daemon refuses a schema without 008 (event=schema-missing
-- missing_migration=008).  Upgrading: stop every daemon, migrate, start
-- the new ones.
--
-- Transactional and idempotent, like the others.  Privileges as 004 leaves
-- them (re-running 004 takes away what 006, 007 and this file grant: run
-- them again after it).  No view is added: every view stays a
-- security_barrier (007).
BEGIN;

-- ---- 6: the daemons' turn ---------------------------------------------------
-- One row, ever (the CHECK and the key): what claim_batch() locks.
CREATE TABLE IF NOT EXISTS claimscrub.queue_lock (
	one boolean PRIMARY KEY DEFAULT true CHECK (one)
);
INSERT INTO claimscrub.queue_lock VALUES (true) ON CONFLICT DO NOTHING;
-- nobody but the owner and the daemon: not PUBLIC, not the reviewer (whose
-- SELECT would allow LOCK TABLE ... ACCESS SHARE, harmless but needless),
-- and the daemon only the two column privileges FOR UPDATE needs (column
-- privileges allow no LOCK TABLE at all)
REVOKE ALL ON claimscrub.queue_lock
	FROM PUBLIC, claimscrub_daemon, claimscrub_reviewer, claimscrub_submitter;
GRANT SELECT (one), UPDATE (one) ON claimscrub.queue_lock TO claimscrub_daemon;

-- Bounds lock waits for the rest of the caller's transaction to ms
-- milliseconds, unless the session has a shorter lock_timeout already (an
-- operator's ALTER ROLE ... SET lock_timeout stays in force).
CREATE OR REPLACE FUNCTION claimscrub.bound_lock_wait(ms integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	now_ms double precision :=
		extract(epoch FROM current_setting('lock_timeout')::interval) * 1000;
BEGIN
	IF now_ms <= 0 OR now_ms > ms THEN
		PERFORM set_config('lock_timeout', ms || 'ms', true);
	END IF;
END $$;

-- ---- 12: at most max_lines + 1 lines, max_administrations + 1
-- administrations and limit + 1 characters of each text per claim -----------
-- 007's read_claims(ids) with the limits.  The cuts are the reader's limits
-- (scrubber/claim.h, claimdoc.c) plus one character: 64-byte names, codes
-- and times, 256-byte substances; a modifiers literal of 256 characters
-- holds any lower-bound prefix ([lo:hi]= for up to six dimensions, 151
-- characters) and more than the 4 two-character modifiers a line may have.
-- Kind 0 gains f8 max_lines and f9 max_administrations: a claim with more
-- line (administration) rows than that has more than the rules judge.
-- (009 returns named columns from the same arguments: a re-run of this
-- file, as after 004, drops its forms, and 009, run again after it, makes
-- them again)
DROP FUNCTION IF EXISTS claimscrub.read_claims(bigint[]);
DROP FUNCTION IF EXISTS claimscrub.read_claims(bigint[], integer, integer);
CREATE OR REPLACE FUNCTION claimscrub.read_claims(ids bigint[], max_lines integer,
	max_administrations integer)
RETURNS TABLE (id bigint, kind integer, seq integer, f1 text, f2 text,
	f3 text, f4 text, f5 text, f6 text, f7 text, f8 text, f9 text)
LANGUAGE sql STABLE AS $$
WITH u AS MATERIALIZED (
	SELECT c.id, c.version, c.attempts, left(c.claim_ref, 1024) AS claim_ref,
	       left(c.payer, 65) AS payer, left(c.setting, 65) AS setting,
	       left(c.provider, 65) AS provider, c.date_of_service
	  FROM claimscrub.claim c
	 WHERE c.id = ANY (ids) AND c.status = 'pending')
SELECT u.id, 0, 0, u.version::text, (greatest(u.attempts, 0)::bigint + 1)::text,
       u.claim_ref, u.payer, u.setting, u.provider,
       to_char(u.date_of_service, 'YYYY-MM-DD'),
       greatest(read_claims.max_lines, 0)::text,
       greatest(read_claims.max_administrations, 0)::text
  FROM u
UNION ALL
SELECT u.id, 1, l.line_no, left(l.code, 65), l.units::text,
       CASE WHEN cardinality(l.modifiers) > 0 THEN left(l.modifiers::text, 256) END,
       NULL, NULL, NULL, NULL, NULL, NULL
  FROM u CROSS JOIN LATERAL (
	SELECT l.line_no, l.code, l.units, l.modifiers FROM claimscrub.claim_line l
	 WHERE l.claim_id = u.id ORDER BY l.line_no
	 LIMIT greatest(read_claims.max_lines, 0)::bigint + 1) l
UNION ALL
SELECT u.id, 2, a.seq, left(a.admin_ref, 65), left(a.substance, 257),
       left(a.kind, 65), left(a.route, 65), left(a.site, 65),
       left(a.start_time, 65), left(a.stop_time, 65), a.is_primary::text,
       a.separate_site_required::text
  FROM u CROSS JOIN LATERAL (
	SELECT a.seq, a.admin_ref, a.substance, a.kind, a.route, a.site,
	       a.start_time, a.stop_time, a.is_primary, a.separate_site_required
	  FROM claimscrub.administration a
	 WHERE a.claim_id = u.id ORDER BY a.seq
	 LIMIT greatest(read_claims.max_administrations, 0)::bigint + 1) a
ORDER BY 1, 2, 3
$$;

-- ---- 6, 9 and 12: claim_batch ---------------------------------------------------
-- 007's claim_batch(n, lease_ms), attempts clamped as there, with
--   6  the turn taken on claimscrub.queue_lock, within lock_timeout;
--   9  a dead batch's claims locked FOR UPDATE SKIP LOCKED before their
--      attempt is counted: a claim some client's open transaction holds is
--      not counted (the client's submit() resets the count anyway).  (A
--      batch row is locked only by its daemon's end_batch(), for the
--      moment between it and that daemon's COMMIT, and only daemons can
--      lock one: the DELETE of the expired ones may wait for that, within
--      lock_timeout; skipping it would need UPDATE on batch for nothing);
--  12  the rows read as read_claims(ids, max_lines, max_administrations).
DROP FUNCTION IF EXISTS claimscrub.claim_batch(integer, double precision);
DROP FUNCTION IF EXISTS claimscrub.claim_batch(integer, double precision, integer, integer);
CREATE OR REPLACE FUNCTION claimscrub.claim_batch(n integer, lease_ms double precision,
	max_lines integer, max_administrations integer)
RETURNS TABLE (id bigint, kind integer, seq integer, f1 text, f2 text,
	f3 text, f4 text, f5 text, f6 text, f7 text, f8 text, f9 text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
	lead integer; -- the attempts of the oldest claim to take
	picked bigint[];
	turn boolean;
BEGIN
	PERFORM claimscrub.bound_lock_wait(5000);
	BEGIN
		SELECT q.one INTO turn FROM claimscrub.queue_lock q FOR UPDATE;
	EXCEPTION WHEN lock_not_available THEN
		RAISE EXCEPTION 'the daemons'' turn (claimscrub.queue_lock) was not granted within lock_timeout (%): another session holds it',
			current_setting('lock_timeout') USING ERRCODE = 'lock_not_available';
	END;
	IF turn IS NULL THEN -- without the row, nothing would keep daemons apart
		RAISE EXCEPTION 'claimscrub.queue_lock has no row: run sql/008_queue_locks.sql again'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	DELETE FROM claimscrub.batch b WHERE b.owner_pid = pg_backend_pid();
	WITH gone AS (
		DELETE FROM claimscrub.batch b
		 WHERE b.taken_at < clock_timestamp() - make_interval(secs => lease_ms / 1000)
		RETURNING b.claim_ids),
	free AS MATERIALIZED (
		SELECT c.id FROM claimscrub.claim c
		 WHERE c.id IN (SELECT unnest(g.claim_ids) FROM gone g)
		   AND c.status = 'pending'
		   FOR UPDATE SKIP LOCKED)
	UPDATE claimscrub.claim c SET attempts = least(c.attempts, 2147483646) + 1
	  FROM free f WHERE c.id = f.id;
	-- the oldest claims, with as many attempts counted as the oldest: when
	-- it has had batches die, a batch of claims that had as many die, an
	-- eighth as large for each death, so that a claim that kills its
	-- daemon is soon alone and takes no other down with it
	SELECT c.attempts INTO lead FROM claimscrub.claim c
	 WHERE c.status = 'pending'
	   AND c.id NOT IN (SELECT unnest(b.claim_ids) FROM claimscrub.batch b)
	 ORDER BY c.enqueued_at, c.id LIMIT 1;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT array_agg(p.id) INTO picked FROM (
		SELECT c.id FROM claimscrub.claim c
		 WHERE c.status = 'pending' AND c.attempts = lead
		   AND c.id NOT IN (SELECT unnest(b.claim_ids) FROM claimscrub.batch b)
		 ORDER BY c.enqueued_at, c.id
		 LIMIT CASE WHEN lead <= 0 THEN n
			    ELSE greatest(1, n >> (3 * least(lead, 10))) END) p;
	IF picked IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO claimscrub.batch (owner_pid, claim_ids)
	VALUES (pg_backend_pid(), picked);
	RETURN QUERY SELECT * FROM claimscrub.read_claims(picked, max_lines,
							  max_administrations);
END $$;

-- ---- 9: write_batch ------------------------------------------------------------
-- 006's write_batch(batch), which writes only claims still pending at the
-- version read, now also only claims it can lock at once (FOR UPDATE SKIP
-- LOCKED): one that another transaction holds is left pending, not waited
-- for.  Returns the claims written and the claims left because locked
-- (still pending when the statement began, so not merely changed).  Other
-- lock waits (a finding row a reviewer's open transaction holds) last
-- lock_wait_ms at most, or the session's lock_timeout if shorter.  (A
-- second argument, so that this is not 006's write_batch(jsonb), which
-- returns integer: re-running 006 makes that one again, and this file
-- drops it again.)  A claim id longer than read_claims() reads is put back
-- whole in the result, so that result->>'claim' is the claim's id as ever.
DROP FUNCTION IF EXISTS claimscrub.write_batch(jsonb);
CREATE OR REPLACE FUNCTION claimscrub.write_batch(batch jsonb,
	lock_wait_ms integer DEFAULT 5000)
RETURNS TABLE (written integer, locked integer)
LANGUAGE sql VOLATILE AS $$
SELECT claimscrub.bound_lock_wait(write_batch.lock_wait_ms);
WITH b AS (
	SELECT * FROM jsonb_to_recordset(batch)
	       AS b(id bigint, version integer, status text, result jsonb, rules text)),
l AS MATERIALIZED (
	SELECT c.id FROM claimscrub.claim c
	 WHERE c.id IN (SELECT b.id FROM b) AND c.status = 'pending'
	   FOR UPDATE SKIP LOCKED),
u AS (
	UPDATE claimscrub.claim c
	   SET status = b.status,
	       result = CASE WHEN length(c.claim_ref) > 1024
			     THEN jsonb_set(b.result, '{claim}', to_jsonb(c.claim_ref))
			     ELSE b.result END,
	       rules_version = b.rules,
	       scrubbed_at = clock_timestamp(), scrubbed_version = b.version,
	       attempts = 0
	  FROM b, l
	 WHERE c.id = b.id AND c.id = l.id AND c.version = b.version
	   AND c.status = 'pending'
	RETURNING c.id, c.version, b.result),
d AS (
	DELETE FROM claimscrub.finding f USING u
	 WHERE f.claim_id = u.id AND f.resolution IS NULL),
i AS (
	INSERT INTO claimscrub.finding (claim_id, claim_version, ordinal, rule,
		severity, line_no, administration_ref, message, evidence, suggest)
	SELECT u.id, u.version, (e.n - 1)::integer, e.f->>'rule', e.f->>'severity',
	       (e.f->>'line')::integer, e.f->>'administration', e.f->>'message',
	       coalesce(e.f->'evidence', '{}'), nullif(e.f->'suggest', 'null')
	  FROM u, jsonb_array_elements(u.result->'findings') WITH ORDINALITY AS e(f, n))
SELECT (SELECT count(*) FROM u)::integer,
       (SELECT count(*) FROM b
	 WHERE b.id NOT IN (SELECT l.id FROM l)
	   AND EXISTS (SELECT 1 FROM claimscrub.claim c
			WHERE c.id = b.id AND c.status = 'pending'))::integer
$$;

-- ---- privileges: as 004 and 006 leave them ----------------------------------------
REVOKE ALL ON FUNCTION claimscrub.bound_lock_wait(integer),
	claimscrub.read_claims(bigint[], integer, integer),
	claimscrub.claim_batch(integer, double precision, integer, integer),
	claimscrub.write_batch(jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claimscrub.bound_lock_wait(integer),
	claimscrub.read_claims(bigint[], integer, integer),
	claimscrub.claim_batch(integer, double precision, integer, integer),
	claimscrub.write_batch(jsonb, integer) TO claimscrub_daemon;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (8, 'queue_locks') ON CONFLICT (version) DO NOTHING;

COMMIT;

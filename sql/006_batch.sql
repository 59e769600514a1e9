-- 006_batch.sql: a cheaper batch for the daemon.  003's path cost the
-- server about 96 µs a claim: every claim's row was updated when claimed
-- (attempt and lease), locked again to be read, and updated again when
-- written; its document was built as jsonb by two subqueries a claim; the
-- results went through a temp table.  Here a batch is two round trips:
--
--   claim_batch(n, lease)  takes up to n pending claims as one row of
--                          claimscrub.batch (the lease: committed at once,
--                          so a crash is noticed) and returns their rows;
--   write_batch(results)   status, result and findings, in the batch's
--                          transaction, of the claims still pending at the
--                          version that was read; end_batch() in the same
--                          transaction gives the lease up.
--
-- The claim rows themselves are written once a scrub, by write_batch.  The
-- daemon builds each claim document from the rows and reads it with the
-- strict reader of `claimscrub check`, as before.  Between the two calls
-- nothing is locked: the lease keeps other daemons away, and the guard of
-- write_batch (pending, same version) makes sure a version is written
-- once, whoever writes it.
--
-- Upgrading: stop every daemon, migrate, start the new ones.  A daemon of
-- before 006 leases claim by claim and would not see these batches.
BEGIN;

-- The row trigger of 002 ran PL/pgSQL for every update of a claim, the
-- daemon's writes included, to find out that they change nothing it cares
-- about.  The same test as a WHEN clause costs no function call;
-- claim_changed() itself is unchanged.
DROP TRIGGER IF EXISTS claim_changed ON claimscrub.claim;
CREATE TRIGGER claim_changed BEFORE UPDATE ON claimscrub.claim
	FOR EACH ROW WHEN (NEW.version = OLD.version AND (
		(NEW.claim_ref, NEW.payer, NEW.setting, NEW.provider, NEW.date_of_service)
		IS DISTINCT FROM
		(OLD.claim_ref, OLD.payer, OLD.setting, OLD.provider, OLD.date_of_service)
		OR (NEW.status = 'pending' AND OLD.status <> 'pending')))
	EXECUTE FUNCTION claimscrub.claim_changed();

-- The rows of the claims ids that are still pending, one result row per
-- claim (kind 0), line (kind 1) and administration (kind 2), in order of
-- claim, kind and seq; one statement, so the version and the rows are of
-- one moment.  Text columns, NULL where the table has NULL:
--   kind 0: f1 version, f2 tries (the attempts counted, plus this one),
--           f3 claim_ref, f4 payer, f5 setting, f6 provider,
--           f7 date_of_service (YYYY-MM-DD)
--   kind 1: f1 code, f2 units, f3 modifiers (NULL if none)
--   kind 2: f1 admin_ref, f2 substance, f3 kind, f4 route, f5 site,
--           f6 start_time, f7 stop_time, f8 is_primary,
--           f9 separate_site_required (booleans as t or f)
-- The lateral subqueries (OFFSET 0 keeps them apart) hold the plan to one
-- index probe a claim whatever the planner guesses of ids' length.
CREATE OR REPLACE FUNCTION claimscrub.read_claims(ids bigint[])
RETURNS TABLE (id bigint, kind integer, seq integer, f1 text, f2 text,
	f3 text, f4 text, f5 text, f6 text, f7 text, f8 text, f9 text)
LANGUAGE sql STABLE AS $$
WITH u AS MATERIALIZED (
	SELECT c.id, c.version, c.attempts, c.claim_ref, c.payer, c.setting,
	       c.provider, c.date_of_service
	  FROM claimscrub.claim c
	 WHERE c.id = ANY (ids) AND c.status = 'pending')
SELECT u.id, 0, 0, u.version::text, (u.attempts + 1)::text, u.claim_ref,
       u.payer, u.setting, u.provider, to_char(u.date_of_service, 'YYYY-MM-DD'),
       NULL, NULL
  FROM u
UNION ALL
SELECT u.id, 1, l.line_no, l.code, l.units::text,
       CASE WHEN cardinality(l.modifiers) > 0 THEN l.modifiers::text END,
       NULL, NULL, NULL, NULL, NULL, NULL
  FROM u CROSS JOIN LATERAL (SELECT * FROM claimscrub.claim_line l
			      WHERE l.claim_id = u.id OFFSET 0) l
UNION ALL
SELECT u.id, 2, a.seq, a.admin_ref, a.substance, a.kind, a.route,
       a.site, a.start_time, a.stop_time, a.is_primary::text,
       a.separate_site_required::text
  FROM u CROSS JOIN LATERAL (SELECT * FROM claimscrub.administration a
			      WHERE a.claim_id = u.id OFFSET 0) a
ORDER BY 1, 2, 3
$$;

-- The batches in flight: one row a batch, the lease on its claims.  Claims
-- of a batch are left alone by the other daemons until its daemon starts
-- its next batch (which ends this one) or the lease runs out: then its
-- daemon is taken for dead (killed, crashed, cut off or stuck), and each
-- of its claims still pending has an attempt counted against it, so that a
-- claim which kills every daemon that scrubs it ends up invalid instead of
-- stalling the queue (the daemon's max_attempts).
-- (claimscrub.claim.claimed_at, 003's lease claim by claim, is no longer
-- read or written.)
CREATE TABLE IF NOT EXISTS claimscrub.batch (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner_pid  integer NOT NULL,
	taken_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	-- no NULL: one would make every claim look held (NOT IN) and stall
	-- the queue
	claim_ids  bigint[] NOT NULL CHECK (array_position(claim_ids, NULL) IS NULL)
);

-- Takes up to n pending claims that no live batch holds, oldest first, as
-- a new batch of the caller, and returns their rows as read_claims does
-- (lease_ms: the lease in milliseconds).  Claims with attempts counted go
-- in batches of their own, n / 8^attempts claims at most.  Callers take turns (an advisory
-- lock for the transaction), so each sees the batches taken before it; the
-- caller's previous batch ends here.
CREATE OR REPLACE FUNCTION claimscrub.claim_batch(n integer, lease_ms double precision)
RETURNS TABLE (id bigint, kind integer, seq integer, f1 text, f2 text,
	f3 text, f4 text, f5 text, f6 text, f7 text, f8 text, f9 text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
	lead integer; -- the attempts of the oldest claim to take
	picked bigint[];
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('claimscrub.claim_batch'));
	DELETE FROM claimscrub.batch b WHERE b.owner_pid = pg_backend_pid();
	WITH gone AS (
		DELETE FROM claimscrub.batch b
		 WHERE b.taken_at < clock_timestamp() - make_interval(secs => lease_ms / 1000)
		RETURNING b.claim_ids)
	UPDATE claimscrub.claim c SET attempts = c.attempts + 1
	 WHERE c.id IN (SELECT unnest(g.claim_ids) FROM gone g)
	   AND c.status = 'pending';
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
		 LIMIT CASE WHEN lead = 0 THEN n
			    ELSE greatest(1, n >> least(3 * lead, 30)) END) p;
	IF picked IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO claimscrub.batch (owner_pid, claim_ids)
	VALUES (pg_backend_pid(), picked);
	RETURN QUERY SELECT * FROM claimscrub.read_claims(picked);
END $$;

-- Ends the caller's batch: its claims are written (in the same transaction,
-- with write_batch), so nothing is left to lease or to count.
CREATE OR REPLACE FUNCTION claimscrub.end_batch() RETURNS void
LANGUAGE sql VOLATILE AS $$
DELETE FROM claimscrub.batch WHERE owner_pid = pg_backend_pid()
$$;

-- Writes a batch of results, [{id, version, status, result, rules}, ...],
-- as 003's write_results did but in one statement and only for a claim
-- still pending at the version given: replaces its unresolved findings
-- (reviewer decisions stay) and inserts one row per finding.  Returns the
-- number of claims written.
CREATE OR REPLACE FUNCTION claimscrub.write_batch(batch jsonb)
RETURNS integer LANGUAGE sql VOLATILE AS $$
WITH b AS (
	SELECT * FROM jsonb_to_recordset(batch)
	       AS b(id bigint, version integer, status text, result jsonb, rules text)),
u AS (
	UPDATE claimscrub.claim c
	   SET status = b.status, result = b.result, rules_version = b.rules,
	       scrubbed_at = clock_timestamp(), scrubbed_version = b.version,
	       attempts = 0
	  FROM b WHERE c.id = b.id AND c.version = b.version AND c.status = 'pending'
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
SELECT count(*)::integer FROM u
$$;

-- as 004 leaves what it finds (so that running 004 again changes nothing)
REVOKE ALL ON claimscrub.batch FROM PUBLIC;
REVOKE ALL ON SEQUENCE claimscrub.batch_id_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION claimscrub.read_claims(bigint[]),
	claimscrub.claim_batch(integer, double precision),
	claimscrub.end_batch(), claimscrub.write_batch(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claimscrub.read_claims(bigint[]),
	claimscrub.claim_batch(integer, double precision),
	claimscrub.end_batch(), claimscrub.write_batch(jsonb) TO claimscrub_daemon;
GRANT SELECT, INSERT, DELETE ON claimscrub.batch TO claimscrub_daemon;

INSERT INTO claimscrub.schema_migrations (version, name)
VALUES (6, 'batch') ON CONFLICT (version) DO NOTHING;

COMMIT;
